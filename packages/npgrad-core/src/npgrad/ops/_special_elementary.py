"""Elementwise math PyTorch has and NumPy's ufuncs give directly or nearly: inverse
hyperbolic functions, ``exp2``, ``sinc``, ``logit``, ``xlogy``, ``xlog1py``, ``entr``,
``nan_to_num``, ``signbit``, ``sgn``, ``positive``, ``negative``, ``fix``; and the error
function family ``erfc``, ``erfcx``, ``erfinv``, ``ndtr``, ``ndtri``, ``log_ndtr`` (kernels in
:mod:`npgrad.ops._erf`). Public through :mod:`npgrad.ops.special` and :mod:`npgrad.special`.

Every backward is written with npgrad ops, so all of them are differentiable again.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.autograd.function import Function
from npgrad.ops._broadcast import sum_to
from npgrad.ops._erf import erfc_array, erfcinv_array, erfcx_array, erfinv_array
from npgrad.ops._promote import binary, const, operands, tensor_arg
from npgrad.ops.arithmetic import _floating, _to, neg
from npgrad.ops.comparison import where
from npgrad.ops.elementwise import (
    _float_arg,
    _no_bool,
    _unary,
    cos,
    exp,
    log,
    rsqrt,
    sign,
    sin,
    trunc,
)
from npgrad.tensor import Tensor

__all__ = [
    "acosh",
    "arccosh",
    "arcsinh",
    "arctanh",
    "asinh",
    "atanh",
    "entr",
    "erfc",
    "erfcx",
    "erfinv",
    "exp2",
    "fix",
    "log_ndtr",
    "logit",
    "nan_to_num",
    "ndtr",
    "ndtri",
    "negative",
    "positive",
    "sgn",
    "signbit",
    "sinc",
    "xlog1py",
    "xlogy",
]

_TWO_OVER_SQRTPI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2.0
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_SQRT2 = math.sqrt(2.0)
_LN2 = math.log(2.0)


def _quiet(fn: Any) -> Any:
    # NumPy warns where PyTorch silently gives inf or nan (arccosh(0), atanh(1)...)
    def run(a: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return fn(a)  # type: ignore[no-any-return]

    return run


# ---- Functions ------------------------------------------------------------------------------
# the derivative formulas are PyTorch's (tools/autograd/derivatives.yaml), in npgrad ops
Acosh = _unary(
    "Acosh", _quiet(np.arccosh), "x", lambda g, x: g * rsqrt((x - 1) * (x + 1))
)  # inf at x = 1
Asinh = _unary("Asinh", np.arcsinh, "x", lambda g, x: g * rsqrt(x * x + 1))
Atanh = _unary("Atanh", _quiet(np.arctanh), "x", lambda g, x: g / (1 - x * x), arrays=True)
Exp2 = _unary("Exp2", _quiet(np.exp2), "out", lambda g, out: g * out * _LN2, arrays=True)
Erfc = _unary("Erfc", erfc_array, "x", lambda g, x: g * exp(-(x * x)) * -_TWO_OVER_SQRTPI)
Erfinv = _unary("Erfinv", erfinv_array, "out", lambda g, out: g * exp(out * out) * _SQRT_PI_OVER_2)
Ndtri = _unary(
    "Ndtri",
    lambda a: (erfcinv_array(a.astype(np.float64) * 2.0) * -_SQRT2 + 0.0).astype(a.dtype),
    "out",
    lambda g, out: g * exp(out * out * 0.5) * _SQRT_2PI,
)


def _entr(a: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = -a * np.log(a)
    out = np.where(a == 0, a.dtype.type(0), out)
    return np.where(a < 0, a.dtype.type(-np.inf), out)  # type: ignore[no-any-return]


# entr'(x) = -(log x + 1): inf at 0, nan below, as PyTorch's formula gives
Entr = _unary("Entr", _entr, "x", lambda g, x: g * -(log(x) + 1))


def _sinc_grad(g: Tensor, x: Tensor) -> Tensor:
    # (cos(pi x) pi x - sin(pi x)) / (pi x^2), and 0 where pi x^2 is 0 like PyTorch (x = 0,
    # and a tiny x whose square underflows); a safe x there keeps 0/0 out of the graph (so
    # the second derivative at exactly 0 is 0, not nan)
    d = x._data
    with np.errstate(under="ignore"):
        zero = const(d * d * math.pi == 0)
    xs = where(zero, 1.0, x)
    px = xs * math.pi
    return g * where(zero, 0.0, (cos(px) * px - sin(px)) / (px * xs))


def _sinc(a: np.ndarray) -> np.ndarray:
    # float16 in float32, as PyTorch computes it (and np.sinc's 1e-20 stand-in for 0 would
    # underflow in float16, giving sinc(0) = nan)
    w = a.astype(np.float32) if a.dtype.itemsize < 4 else a
    with np.errstate(divide="ignore", invalid="ignore"):
        y = w * np.pi
        out = np.sin(y) / y
    return np.where(w == 0, w.dtype.type(1), out).astype(a.dtype, copy=False)  # type: ignore[no-any-return]


Sinc = _unary("Sinc", _sinc, "x", _sinc_grad)


class Erfcx(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        out = np.asarray(erfcx_array(a))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        x, out = ctx.saved_tensors
        return grad * (x * out * 2.0 - _TWO_OVER_SQRTPI)  # type: ignore[no-any-return]


def _log_ndtr(a: np.ndarray) -> np.ndarray:
    x = a.astype(np.float64)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        # left tail: log(erfc(-x/sqrt 2) / 2) = log(erfcx(-x/sqrt2) / 2) - x^2/2, no underflow
        left = np.log(erfcx_array(-x / _SQRT2) * 0.5) - x * x * 0.5
        right = np.log1p(erfc_array(x / _SQRT2) * -0.5)
    return np.where(x < -1.0, left, right).astype(a.dtype)  # type: ignore[no-any-return]


class LogNdtr(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        out = np.asarray(_log_ndtr(a))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        # phi(x) / Phi(x) = exp(-x^2/2 - log Phi(x)) / sqrt(2 pi): finite in both tails
        x, out = ctx.saved_tensors
        return grad * exp(-(x * x * 0.5) - out) / _SQRT_2PI  # type: ignore[no-any-return]


class Logit(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, eps: float | None) -> np.ndarray:
        ctx.eps = eps
        ctx.save_for_backward(a)
        z = a if eps is None else np.clip(a, a.dtype.type(eps), a.dtype.type(1.0 - eps))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.log(z / (1 - z)))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (x,) = ctx.saved_tensors
        if ctx.eps is None:
            # outside [0, 1] logit is nan and so is its gradient, as in PyTorch (the formula
            # alone would give a finite value there)
            data = x._data
            outside = const((data < 0) | (data > 1))
            return where(outside, math.nan, grad / (x * (1 - x))), None
        # zero where the input was clamped (PyTorch: x outside [eps, 1 - eps]); there x is
        # replaced by 1/2 so that no inf (at x = 0 or 1) reaches the graph of second order
        data = x._data
        outside = const((data < ctx.eps) | (data > 1.0 - ctx.eps))
        xs = where(outside, 0.5, x)
        return where(outside, 0.0, grad / (xs * (1 - xs))), None


class NanToNum(Function):
    @staticmethod
    def forward(
        ctx: Any, a: np.ndarray, nan: float, posinf: float | None, neginf: float | None
    ) -> np.ndarray:
        ctx.finite = np.isfinite(a)
        with np.errstate(over="ignore"):  # a replacement too large for the dtype: inf
            return np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        # the gradient passes where the input was finite (PyTorch: grad * isfinite(x))
        return where(const(ctx.finite), grad, 0.0), None, None, None


class Xlogy(Function):
    _log: Any = staticmethod(np.log)
    _edge = 0.0  # the log's argument at and below which x == 0 has no gradient

    @classmethod
    def forward(cls, ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.shapes = (np.shape(a), np.shape(b))
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.asarray(a * cls._log(b))
        # 0 where x == 0, unless y is nan (PyTorch's convention, also at y = 0 or y < 0)
        return np.where((a == 0) & ~np.isnan(b), out.dtype.type(0), out)  # type: ignore[no-any-return]

    @classmethod
    def backward(cls, ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        ga = gb = None
        if need_a:
            # d/dx = log y (as xlogy(grad, y)), but 0 where x == 0 and log y is -inf or nan:
            # PyTorch's formula
            av, bv = (v._data if isinstance(v, Tensor) else v for v in (a, b))
            dead = const(np.asarray((av == 0) & (bv <= cls._edge)))
            ga = sum_to(where(dead, 0.0, cls.apply(grad, b)), sa)
        if need_b:
            gb = sum_to(grad * a / (b + 1 if cls is Xlog1py else b), sb)
        return ga, gb


class Xlog1py(Xlogy):
    _log = staticmethod(np.log1p)
    _edge = -1.0


# ---- public functions -----------------------------------------------------------------------
def acosh(input: Any) -> Tensor:  # noqa: A002
    """Inverse hyperbolic cosine (``nan`` below 1; the gradient is ``inf`` at 1).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.acosh(npgrad.tensor([1.0, 2.0]))
    tensor([0.0000, 1.3170])
    """
    return Acosh.apply(_float_arg("acosh", input))  # type: ignore[no-any-return]


def asinh(input: Any) -> Tensor:  # noqa: A002
    """Inverse hyperbolic sine.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.asinh(npgrad.tensor([0.0, 1.0]))
    tensor([0.0000, 0.8814])
    """
    return Asinh.apply(_float_arg("asinh", input))  # type: ignore[no-any-return]


def atanh(input: Any) -> Tensor:  # noqa: A002
    """Inverse hyperbolic tangent (``+-inf`` at ``+-1``, ``nan`` outside).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.atanh(npgrad.tensor([0.0, 0.5, 1.0]))
    tensor([0.0000, 0.5493,    inf])
    """
    return Atanh.apply(_float_arg("atanh", input))  # type: ignore[no-any-return]


arccosh, arcsinh, arctanh = acosh, asinh, atanh  # NumPy's names, as in PyTorch


def exp2(input: Any) -> Tensor:  # noqa: A002
    """``2 ** input`` elementwise; integer tensors give the default float dtype.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.exp2(npgrad.tensor([0, 3, -1]))
    tensor([1.0000, 8.0000, 0.5000])
    """
    return Exp2.apply(_float_arg("exp2", input))  # type: ignore[no-any-return]


def erfc(input: Any) -> Tensor:  # noqa: A002
    """The complementary error function ``1 - erf(input)``, without its cancellation: relative
    error below 7e-16 in float64 (the far tail included); float32 is computed in float64.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.erfc(npgrad.tensor([0.0, 1.0, 10.0], dtype=npgrad.float64))
    tensor([1.0000e+00, 1.5730e-01, 2.0885e-45], dtype=npgrad.float64)
    """
    return Erfc.apply(_float_arg("erfc", input))  # type: ignore[no-any-return]


def erfcx(input: Any) -> Tensor:  # noqa: A002
    """The scaled complementary error function ``exp(input**2) * erfc(input)``, which
    neither underflows nor overflows for large positive inputs; relative error below 5e-16.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.erfcx(npgrad.tensor([0.0, 1.0, 100.0]))
    tensor([1.0000, 0.4276, 0.0056])
    """
    return Erfcx.apply(_float_arg("erfcx", input))  # type: ignore[no-any-return]


def erfinv(input: Any) -> Tensor:  # noqa: A002
    """The inverse error function on ``[-1, 1]`` (``+-inf`` at ``+-1``, ``nan`` outside);
    relative error below 5e-16 in float64 (Giles' approximation refined by Halley steps).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.erfinv(npgrad.tensor([0.0, 0.5, -1.0]))
    tensor([0.0000, 0.4769,   -inf])
    """
    return Erfinv.apply(_float_arg("erfinv", input))  # type: ignore[no-any-return]


def ndtr(input: Any) -> Tensor:  # noqa: A002
    """The standard normal CDF ``(1 + erf(input / sqrt(2))) / 2``, accurate in the left tail
    (computed as ``erfc(-input / sqrt(2)) / 2``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.ndtr(npgrad.tensor([-1.0, 0.0, 1.0]))
    tensor([0.1587, 0.5000, 0.8413])
    """
    x = _float_arg("ndtr", input)
    return erfc(x * -(1 / _SQRT2)) * 0.5  # type: ignore[no-any-return]


def ndtri(input: Any) -> Tensor:  # noqa: A002
    """The inverse of :func:`ndtr` on ``[0, 1]`` (``-inf`` at 0, ``inf`` at 1, ``nan`` outside),
    computed as ``-sqrt(2) erfcinv(2 p)`` so that tiny probabilities keep their precision.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.ndtri(npgrad.tensor([0.0, 0.5, 0.975]))
    tensor([  -inf, 0.0000, 1.9600])
    """
    return Ndtri.apply(_float_arg("ndtri", input))  # type: ignore[no-any-return]


def log_ndtr(input: Any) -> Tensor:  # noqa: A002
    """``log(ndtr(input))``, finite far into the left tail (through ``erfcx``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.log_ndtr(npgrad.tensor([-40.0, 0.0, 3.0], dtype=npgrad.float64))
    tensor([-8.0461e+02, -6.9315e-01, -1.3508e-03], dtype=npgrad.float64)
    """
    return LogNdtr.apply(_float_arg("log_ndtr", input))  # type: ignore[no-any-return]


def logit(input: Any, eps: float | None = None) -> Tensor:  # noqa: A002
    """``log(p / (1 - p))``; with ``eps``, ``p`` is first clamped to ``[eps, 1 - eps]`` and the
    gradient is 0 where it was clamped, like PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.logit(npgrad.tensor([0.25, 0.5, 1.0]))
    tensor([-1.0986,  0.0000,     inf])
    >>> npgrad.logit(npgrad.tensor([0.0, 1.0]), eps=0.1)
    tensor([-2.1972,  2.1972])
    """
    if eps is not None and not isinstance(eps, (int, float)):
        raise TypeError(f"logit: eps must be a float or None, got {type(eps).__name__}")
    return Logit.apply(  # type: ignore[no-any-return]
        _float_arg("logit", input), None if eps is None else float(eps)
    )


def _float_operands(op: str, a: Any, b: Any) -> tuple[Any, Any]:
    # PyTorch's promotion, where integral results become the default float dtype: then each
    # operand is converted to it directly, as PyTorch does (an int64 -3 with a uint8 tensor
    # is -3.0, not the uint8 253 the integral promotion would make of it)
    if not (_floating(a) or _floating(b)):
        operands(op, a, b)  # the type checks
        d = dtypes.get_default_dtype()
        return _to(a, d), _to(b, d)
    return operands(op, a, b)


def xlogy(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input * log(other)``, and 0 where ``input`` is 0 (unless ``other`` is nan),
    broadcasting; either argument may be a number. Integer operands give the default float
    dtype.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.xlogy(npgrad.tensor([0.0, 2.0, 3.0]), npgrad.tensor([0.0, 1.0, 2.0]))
    tensor([0.0000, 0.0000, 2.0794])
    """
    a, b = _float_operands("xlogy", input, other)
    return binary(Xlogy, "xlogy", a, b)


def xlog1py(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input * log1p(other)``, and 0 where ``input`` is 0 (unless ``other`` is nan).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.xlog1py(npgrad.tensor([0.0, 2.0]), npgrad.tensor([-1.0, 1.0]))
    tensor([0.0000, 1.3863])
    """
    a, b = _float_operands("xlog1py", input, other)
    return binary(Xlog1py, "xlog1py", a, b)


def entr(input: Any) -> Tensor:  # noqa: A002
    """Elementwise entropy ``-input * log(input)``: 0 at 0, ``-inf`` for negative inputs.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.entr(npgrad.tensor([0.0, 0.5, -1.0]))
    tensor([0.0000, 0.3466,   -inf])
    """
    return Entr.apply(_float_arg("entr", input))  # type: ignore[no-any-return]


def sinc(input: Any) -> Tensor:  # noqa: A002
    """The normalized sinc ``sin(pi x) / (pi x)``, 1 at 0 (where the gradient is 0).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.sinc(npgrad.tensor([0.0, 0.5, 1.5]))
    tensor([ 1.0000,  0.6366, -0.2122])
    """
    return Sinc.apply(_float_arg("sinc", input))  # type: ignore[no-any-return]


def nan_to_num(
    input: Any,  # noqa: A002
    nan: float = 0.0,
    posinf: float | None = None,
    neginf: float | None = None,
) -> Tensor:
    """``input`` with nan, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf``
    (default: the dtype's largest and lowest finite values). The gradient passes where the
    input is finite and is 0 elsewhere; integer and bool tensors are copied.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([float("nan"), float("inf"), -float("inf"), 1.0])
    >>> npgrad.nan_to_num(x)
    tensor([ 0.0000e+00,  3.4028e+38, -3.4028e+38,  1.0000e+00])
    >>> npgrad.nan_to_num(x, nan=2.0, posinf=1.0, neginf=-1.0)
    tensor([ 2.,  1., -1.,  1.])
    """
    x = tensor_arg("nan_to_num", input)
    for name, v in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise TypeError(f"nan_to_num: {name} must be a number, got {type(v).__name__}")
    if x.dtype.kind != "f":
        return Tensor._make(x._data.copy(), False, None)
    return NanToNum.apply(x, float(nan), posinf, neginf)  # type: ignore[no-any-return]


def signbit(input: Any) -> Tensor:  # noqa: A002
    """True where the sign bit is set (also for ``-0.0`` and negative nans); a bool tensor,
    outside any graph.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.signbit(npgrad.tensor([-1.0, -0.0, 0.0, 2.0]))
    tensor([ True,  True, False, False])
    """
    x = tensor_arg("signbit", input)
    data = x._data
    out = np.zeros(data.shape, bool) if data.dtype.kind in "bu" else np.signbit(data)
    return Tensor._make(np.asarray(out), False, None)


def sgn(input: Any) -> Tensor:  # noqa: A002
    """The sign of each element (for real tensors the same as :func:`sign`); zero gradient.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.sgn(npgrad.tensor([-2.0, 0.0, 3.0]))
    tensor([-1.,  0.,  1.])
    """
    return sign(tensor_arg("sgn", input))


def positive(input: Any) -> Tensor:  # noqa: A002
    """``input`` itself (unary ``+``); bool tensors are refused, like PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([-1.0, 2.0])
    >>> npgrad.positive(x) is x
    True
    """
    return _no_bool("positive", tensor_arg("positive", input))


def negative(input: Any) -> Tensor:  # noqa: A002
    """``-input`` (the same op as :func:`neg`).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.negative(npgrad.tensor([-1.0, 2.0]))
    tensor([ 1., -2.])
    """
    return neg(tensor_arg("negative", input))


def fix(input: Any) -> Tensor:  # noqa: A002
    """Round towards zero (the same op as :func:`trunc`; zero gradient).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.fix(npgrad.tensor([-1.5, 1.5]))
    tensor([-1.,  1.])
    """
    return trunc(tensor_arg("fix", input))
