"""Automatic differentiation: the Function pattern, the engine, grad modes and checks."""

from npgrad.autograd import forward_ad, functional, graph, profiler, profiler_util
from npgrad.autograd.anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from npgrad.autograd.engine import backward, grad
from npgrad.autograd.function import Function, FunctionCtx, once_differentiable
from npgrad.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_multithreading_enabled,
    no_grad,
    set_grad_enabled,
    set_multithreading_enabled,
)
from npgrad.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from npgrad.autograd.variable import Variable

__all__ = [
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "Variable",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "forward_ad",
    "functional",
    "grad",
    "graph",
    "gradcheck",
    "gradgradcheck",
    "inference_mode",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "is_multithreading_enabled",
    "no_grad",
    "once_differentiable",
    "profiler",
    "profiler_util",
    "set_detect_anomaly",
    "set_grad_enabled",
    "set_multithreading_enabled",
]
