"""gradcheck / gradgradcheck with PyTorch's options: fast_mode, nondet_tol, check_grad_dtypes,
check_batched_grad, check_backward_ad, forward-AD flags."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.autograd import Function, GradcheckError, gradcheck, gradgradcheck

F64 = npgrad.float64


def x64(*shape: int) -> npgrad.Tensor:
    rng = np.random.default_rng(sum(shape))
    return npgrad.tensor(rng.standard_normal(shape), dtype=F64, requires_grad=True)


class WrongGrad(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        return a * a

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad * 3.0  # wrong: should be 2a


class NoisyGrad(Function):
    calls = 0

    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a)
        return a * 2

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        NoisyGrad.calls += 1
        return grad * (2 + 1e-9 * NoisyGrad.calls)  # nondeterministic by a hair


class HalfGrad(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        return a * 2

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return (grad * 2).to(npgrad.float32)


def test_fast_mode_accepts_right_and_rejects_wrong_gradients() -> None:
    x = x64(4, 5)
    assert gradcheck(lambda t: (t.sin() * t).sum(1), (x,), fast_mode=True)
    assert gradgradcheck(lambda t: (t**3).tanh(), (x,), fast_mode=True)
    with pytest.raises(GradcheckError, match="fast mode"):
        gradcheck(WrongGrad.apply, (x,), fast_mode=True)
    assert not gradcheck(WrongGrad.apply, (x,), fast_mode=True, raise_exception=False)


def test_nondet_tol() -> None:
    x = x64(3)
    with pytest.raises(GradcheckError, match="not reentrant"):
        gradcheck(NoisyGrad.apply, (x,))
    assert gradcheck(NoisyGrad.apply, (x,), nondet_tol=1e-6)


def test_grad_dtypes_batched_and_switches() -> None:
    x = x64(3)
    assert gradcheck(HalfGrad.apply, (x,), atol=1e-4)  # dtype not checked by default
    with pytest.raises(GradcheckError, match="dtype mismatch"):
        gradcheck(HalfGrad.apply, (x,), atol=1e-4, check_grad_dtypes=True)
    assert gradcheck(lambda t: t.exp() * t[0], (x,), check_batched_grad=True)
    assert gradcheck(WrongGrad.apply, (x,), check_backward_ad=False)
    assert gradgradcheck(WrongGrad.apply, (x,), check_rev_over_rev=False)
    with pytest.raises(ValueError, match="forward-mode"):
        gradcheck(lambda t: t * 2, (x,), check_forward_ad=True)
    with pytest.raises(ValueError, match="forward-mode"):
        gradgradcheck(lambda t: t * 2, (x,), check_fwd_over_rev=True)


@pytest.mark.torch
def test_torch_style_call_runs_unchanged() -> None:
    torch = pytest.importorskip("torch")
    kwargs = {
        "eps": 1e-6,
        "atol": 1e-5,
        "rtol": 1e-3,
        "nondet_tol": 0.0,
        "check_undefined_grad": True,
        "check_grad_dtypes": True,
        "check_batched_grad": True,
        "fast_mode": True,
        "masked": None,
    }
    data = np.random.default_rng(0).standard_normal((3, 2))
    for lib in (torch, npgrad):
        t = lib.tensor(data, dtype=lib.float64, requires_grad=True)
        assert lib.autograd.gradcheck(lambda a: (a * a).sum(0), (t,), **kwargs)
