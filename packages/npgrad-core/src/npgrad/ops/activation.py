"""Activation functions (numerically stable) and ``erf``.

The common activations are Functions with a fused NumPy forward and a backward written in
npgrad ops, so they are differentiable again; the rare ones are compositions. Derivatives at
kinks follow PyTorch and each is noted where it is decided. Parameters (``beta``, ``alpha``,
...) are turned into Python floats so that they never upcast a float32 tensor. NumPy has no
``erf``: its kernel is :func:`npgrad.ops._erf.erf_array`.

This module holds ``erf``, the softmax family, the smooth activations, the ELU family and the
compositions; it re-exports the piecewise-linear ones from :mod:`npgrad.ops._activation_piecewise`
(leaky_relu, hardtanh, relu6, hardsigmoid, hardswish) and ``hardshrink``/``prelu`` from
:mod:`npgrad.ops._activation_shrink`; their shared helpers are in
:mod:`npgrad.ops._activation_util`.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.autograd.function import Function
from npgrad.ops._activation_piecewise import hardsigmoid as hardsigmoid
from npgrad.ops._activation_piecewise import hardswish as hardswish
from npgrad.ops._activation_piecewise import hardtanh as hardtanh
from npgrad.ops._activation_piecewise import leaky_relu as leaky_relu
from npgrad.ops._activation_piecewise import relu6 as relu6
from npgrad.ops._activation_shrink import hardshrink as hardshrink
from npgrad.ops._activation_shrink import prelu as prelu
from npgrad.ops._activation_util import _float_input as _float_input
from npgrad.ops._activation_util import _opmath, _round, _to_float, _vector
from npgrad.ops._erf import erf_array
from npgrad.ops._promote import tensor_arg
from npgrad.ops.comparison import where
from npgrad.tensor import Tensor, _check_dim

__all__ = [
    "celu",
    "elu",
    "erf",
    "gelu",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "leaky_relu",
    "log_softmax",
    "logsigmoid",
    "mish",
    "prelu",
    "relu6",
    "selu",
    "silu",
    "softmax",
    "softmin",
    "softplus",
    "softsign",
    "tanhshrink",
]

_SQRT1_2 = math.sqrt(0.5)
_TWO_OVER_SQRTPI = 2.0 / math.sqrt(math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_TANH_BETA = math.sqrt(2.0 / math.pi)
_GELU_TANH_KAPPA = 0.044715
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# ---- erf ------------------------------------------------------------------------------------
class Erf(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a)
        return erf_array(a)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * ((-(x * x)).exp() * _TWO_OVER_SQRTPI)


def erf(input: Tensor) -> Tensor:  # noqa: A002
    """The error function ``2/sqrt(pi) * integral_0^x exp(-t^2) dt``, elementwise.

    Integer and bool tensors give the default float dtype, like PyTorch. Accurate to about
    one ulp in float64.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.erf(npgrad.tensor([0.0, 0.5, -2.0]))
    tensor([ 0.0000,  0.5205, -0.9953])
    """
    x = tensor_arg("erf", input)
    if x.dtype.kind != "f":
        x = x.to(dtypes.get_default_dtype())
    return Erf.apply(x)  # type: ignore[no-any-return]


# ---- helpers ----------------------------------------------------------------------------------


def _softmax_dim(op: str, x: Tensor, dim: int | None, dtype: Any) -> tuple[Tensor, int]:
    if dtype is not None:  # PyTorch casts before the op (so the op runs in that precision)
        x = tensor_arg(op, x).to(dtype)
    x = _float_input(op, x)
    if dim is None:
        # PyTorch's legacy choice for a missing dim, with its deprecation warning
        dim = 0 if x.ndim in (0, 1, 3) else 1
        warnings.warn(
            f"Implicit dimension choice for {op} has been deprecated. Change the call to "
            "include dim=X as an argument.",
            UserWarning,
            stacklevel=3,
        )
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    return x, _check_dim(op, int(dim), x.ndim)


# ---- softmax family ---------------------------------------------------------------------------
def _shifted(a: np.ndarray, dim: int) -> np.ndarray:
    """``a - max(a, dim)``, a new array: every exponent of it is <= 0, so no input overflows.
    float16 is worked in float32 (PyTorch accumulates half in float too); 0-d as 1-d."""
    x = a.reshape(1) if a.ndim == 0 else a
    if x.dtype == np.float16:
        x = x.astype(np.float32)
    # the ufuncs' reduce, not np.max / np.sum: their Python wrappers cost ~1.5 us a call
    return x - np.maximum.reduce(x, axis=dim, keepdims=True)


class Softmax(Function):
    _array_backward = True  # backward: operators and .sum(dim, keepdims=True)
    _one_tensor = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, dim: int) -> np.ndarray:
        ctx.dim = dim
        if a.size == 0:
            out = a.copy()
        else:
            out = _shifted(a, dim)
            np.exp(out, out=out)
            out /= np.add.reduce(out, axis=dim, keepdims=True)
            out = out.astype(a.dtype, copy=False).reshape(a.shape)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (y,) = ctx.saved_tensors
        gy = grad * y
        s = gy if y.ndim == 0 else gy.sum(ctx.dim, keepdims=True)
        return gy - y * s, None


class LogSoftmax(Function):
    _array_backward = True  # backward: operators, .sum(dim, keepdims=True) and _exp
    _one_tensor = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, dim: int) -> np.ndarray:
        ctx.dim = dim
        if a.size == 0:
            out = a.copy()
        else:
            out = _shifted(a, dim)
            out -= np.log(np.add.reduce(np.exp(out), axis=dim, keepdims=True))
            out = out.astype(a.dtype, copy=False).reshape(a.shape)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (y,) = ctx.saved_tensors
        s = grad if y.ndim == 0 else grad.sum(ctx.dim, keepdims=True)
        return grad - _exp(y) * s, None


def _exp(x: Any) -> Any:
    # exp of a Tensor (recorded) or, in the engine's first-order array mode, of an array
    return np.exp(x) if isinstance(x, (np.ndarray, np.generic)) else x.exp()


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """``exp(x) / exp(x).sum(dim)``, computed as ``exp(x - max)`` so any input is safe.

    ``dtype`` casts the input before the op. Rows that are all ``-inf`` give NaN, as in
    PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.softmax(npgrad.tensor([1.0, 1.0, 1e4]), dim=0)
    tensor([0., 0., 1.])
    """
    x, d = _softmax_dim("softmax", input, dim, dtype)
    return Softmax.apply(x, d)  # type: ignore[no-any-return]


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """``x - logsumexp(x, dim)``, stable for any input; ``dtype`` casts the input first.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.log_softmax(npgrad.tensor([0.0, 0.0]), dim=0)
    tensor([-0.6931, -0.6931])
    """
    x, d = _softmax_dim("log_softmax", input, dim, dtype)
    return LogSoftmax.apply(x, d)  # type: ignore[no-any-return]


def softmin(input: Tensor, dim: int | None = None, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """``softmax(-x, dim)``; ``dtype`` casts the input first.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.softmin(npgrad.tensor([0.0, 1e4]), dim=0)
    tensor([1., 0.])
    """
    if dtype is not None:
        input = tensor_arg("softmin", input).to(dtype)  # noqa: A001
    return softmax(-_float_input("softmin", input), dim)


# ---- smooth activations -------------------------------------------------------------------------
class Softplus(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, beta: float, threshold: float) -> np.ndarray:
        ctx.save_for_backward(a)
        ctx.beta, ctx.threshold = beta, threshold
        x = _opmath(a)
        z = x * beta if beta != 1.0 else x
        with np.errstate(over="ignore"):  # exp overflows only where the linear branch wins
            out = np.log1p(np.exp(z))
        if beta != 1.0:
            out /= beta
        # linear above the threshold, like PyTorch (log1p(exp(z)) == z there to rounding)
        return _round(np.where(z > threshold, x, out), a)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        (x,) = ctx.saved_tensors
        z = x * ctx.beta if ctx.beta != 1.0 else x
        return where(z > ctx.threshold, grad, grad * z.sigmoid()), None, None


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """``log(1 + exp(beta * x)) / beta``, and ``x`` itself where ``beta * x > threshold``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.softplus(npgrad.tensor([0.0, 30.0]))
    tensor([ 0.6931, 30.0000])
    """
    x = _float_input("softplus", input)
    return Softplus.apply(x, float(beta), float(threshold))  # type: ignore[no-any-return]


class Gelu(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, approximate: str) -> np.ndarray:
        ctx.save_for_backward(a)
        ctx.approximate = approximate
        x = _vector(a)
        if approximate == "tanh":
            inner = x * x
            inner *= _GELU_TANH_KAPPA
            inner += 1.0
            inner *= x
            inner *= _GELU_TANH_BETA
            t = np.tanh(inner, out=inner)
        else:
            t = erf_array(x * _SQRT1_2)
        t += 1.0
        t *= x
        t *= 0.5
        return _round(t, a)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            # PyTorch's formula: d/dx 0.5 x (1 + tanh(u)), u = beta (x + kappa x^3)
            x_sq = x * x
            t = (x * (x_sq * _GELU_TANH_KAPPA + 1.0) * _GELU_TANH_BETA).tanh()
            du = (x_sq * (3.0 * _GELU_TANH_KAPPA) + 1.0) * _GELU_TANH_BETA
            return grad * ((t + 1.0) * 0.5 + x * 0.5 * (1.0 - t * t) * du), None
        cdf = (erf(x * _SQRT1_2) + 1.0) * 0.5
        pdf = (x * x * -0.5).exp() * _INV_SQRT_2PI
        return grad * (cdf + x * pdf), None


def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    """``x * Phi(x)`` with ``Phi`` the standard normal CDF (exact, through ``erf``), or with
    ``approximate="tanh"`` ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.gelu(npgrad.tensor([-1.0, 0.0, 1.0]))
    tensor([-0.1587,  0.0000,  0.8413])
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(
            f"gelu: approximate argument must be either 'none' or 'tanh', got {approximate!r}"
        )
    return Gelu.apply(_float_input("gelu", input), approximate)  # type: ignore[no-any-return]


class Silu(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a)
        x = _opmath(a)
        with np.errstate(over="ignore"):  # exp(-x) = inf for very negative x: x / inf = -0
            d = np.exp(-x)
        d += 1.0
        return _round(x / d, a)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        s = x.sigmoid()
        return grad * s * (x * (1.0 - s) + 1.0)


def silu(input: Tensor) -> Tensor:  # noqa: A002
    """``x * sigmoid(x)`` (swish).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.silu(npgrad.tensor([0.0, 1.0]))
    tensor([0.0000, 0.7311])
    """
    return Silu.apply(_float_input("silu", input))  # type: ignore[no-any-return]


class Mish(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a)
        x = _vector(a)
        out = np.logaddexp(x.dtype.type(0), x)  # softplus without overflow
        np.tanh(out, out=out)
        out *= x
        return _round(out, a)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        t = softplus(x).tanh()
        return grad * (t + x * x.sigmoid() * (1.0 - t * t))


def mish(input: Tensor) -> Tensor:  # noqa: A002
    """``x * tanh(softplus(x))``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.mish(npgrad.tensor([0.0, 1.0]))
    tensor([0.0000, 0.8651])
    """
    return Mish.apply(_float_input("mish", input))  # type: ignore[no-any-return]


class LogSigmoid(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a)
        # log(1 / (1 + exp(-x))) = min(x, 0) - log1p(exp(-|x|)): exp never overflows
        x = _opmath(a)
        out = np.minimum(x, 0)
        out -= np.log1p(np.exp(-np.abs(x)))
        return _round(out, a)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * (-x).sigmoid()


def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """``log(sigmoid(x))``, stable for large ``|x|``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.logsigmoid(npgrad.tensor([0.0, -100.0]))
    tensor([  -0.6931, -100.0000])
    """
    return LogSigmoid.apply(_float_input("logsigmoid", input))  # type: ignore[no-any-return]


# ---- ELU family -----------------------------------------------------------------------------------
class Elu(Function):
    """PyTorch's elu kernel: ``scale * x`` for ``x > 0``, else
    ``scale * alpha * (exp(input_scale * x) - 1)``; CELU and SELU are parametrisations."""

    @staticmethod
    def forward(
        ctx: Any, a: np.ndarray, alpha: float, scale: float, input_scale: float
    ) -> np.ndarray:
        x = _vector(a)
        neg = np.minimum(x, x.dtype.type(0))  # exp of the negative part only: no overflow
        if input_scale != 1.0:
            neg *= input_scale
        np.expm1(neg, out=neg)
        neg *= alpha * scale
        out = _round(np.where(x > 0, x * scale if scale != 1.0 else x, neg), a)
        ctx.save_for_backward(a, out)
        ctx.params = (alpha, scale, input_scale)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        x, out = ctx.saved_tensors
        alpha, scale, input_scale = ctx.params
        # For x <= 0, d/dx = input_scale * (out + scale * alpha): written with the output so
        # that no exp(x) of the positive side (inf) meets a zero mask in second order. At
        # x = 0 PyTorch takes this branch (elu'(0) = alpha), so do we.
        neg = grad * ((out + scale * alpha) * input_scale)
        return where(x <= 0, neg, grad * scale if scale != 1.0 else grad), None, None, None


class Celu(Elu):
    pass


class Selu(Elu):
    pass


def elu(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.elu(npgrad.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    return Elu.apply(_float_input("elu", input), float(alpha), 1.0, 1.0)  # type: ignore[no-any-return]


def celu(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.celu(npgrad.tensor([-1.0, 2.0]), alpha=2.0)
    tensor([-0.7869,  2.0000])
    """
    x = _float_input("celu", input)
    alpha = float(alpha)
    if alpha == 0.0:
        raise ValueError("celu: alpha cannot be 0")
    return Celu.apply(x, alpha, 1.0, 1.0 / alpha)  # type: ignore[no-any-return]


def selu(input: Tensor) -> Tensor:  # noqa: A002
    """``scale * elu(x, alpha)`` with the self-normalising constants of Klambauer et al.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.selu(npgrad.tensor([-1.0, 1.0]))
    tensor([-1.1113,  1.0507])
    """
    return Selu.apply(_float_input("selu", input), _SELU_ALPHA, _SELU_SCALE, 1.0)  # type: ignore[no-any-return]


# ---- compositions -------------------------------------------------------------------------------------
def softsign(input: Tensor) -> Tensor:  # noqa: A002
    """``x / (1 + |x|)`` (a composition: derivative 1 at 0 since ``abs'(0) = 0``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.softsign(npgrad.tensor([-1.0, 3.0]))
    tensor([-0.5000,  0.7500])
    """
    x = _to_float("softsign", input)
    return x / (x.abs() + 1.0)


def tanhshrink(input: Tensor) -> Tensor:  # noqa: A002
    """``x - tanh(x)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tanhshrink(npgrad.tensor([0.0, 1.0]))
    tensor([0.0000, 0.2384])
    """
    x = _to_float("tanhshrink", input)
    return x - x.tanh()
