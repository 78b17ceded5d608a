"""Elementwise ops of one tensor: casts and unary math. (Comparisons, logic and ``where`` are
in :mod:`npgrad.ops.comparison`; atan2, maximum, minimum, clamp and lerp in
:mod:`npgrad.ops.binary`.)

Dtypes follow PyTorch: the transcendental ops (``exp``, ``sin``, ``sigmoid``…) turn integer
and bool inputs into the default float dtype; ``abs``, ``sign``, ``relu``, ``square`` and the
rounding ops keep integer dtypes. Non-differentiable points follow PyTorch as well:
``relu'(0) = 0``, ``abs'(0) = 0``, ``sign``, ``floor``, ``ceil``, ``round`` and ``trunc`` have
zero gradient, ``clamp`` passes the gradient where ``min <= x <= max``, and ``maximum`` /
``minimum`` split it evenly between equal inputs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.autograd.function import Function
from npgrad.ops._promote import tensor_arg
from npgrad.tensor import Tensor

# fmt: off
__all__ = [
    "abs", "absolute", "acos", "arccos", "arcsin", "arctan", "asin", "atan", "cast", "ceil",
    "cos", "cosh", "exp", "expm1", "floor", "log", "log1p", "log2", "log10", "reciprocal",
    "relu", "round", "rsqrt", "sigmoid", "sign", "sin", "sinh", "sqrt", "square", "tan", "tanh",
    "trunc",
]
# fmt: on


# ---- casts ---------------------------------------------------------------------------------
class Cast(Function):
    _widens = True  # dtype= may ask for a wider float

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, dtype: np.dtype, copy: bool) -> np.ndarray:
        ctx.in_dtype = a.dtype
        return a.astype(dtype, copy=copy)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        return cast(grad, ctx.in_dtype), None, None


def cast(input: Tensor, dtype: np.dtype, copy: bool = False) -> Tensor:  # noqa: A002
    """``input`` as ``dtype`` (itself when the dtype already matches and no copy is asked).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([1.5, 2.5], requires_grad=True)
    >>> y = npgrad.ops.elementwise.cast(x, npgrad.float64)
    >>> y.dtype, npgrad.ops.elementwise.cast(x, npgrad.float32) is x
    (dtype('float64'), True)
    """
    if input.dtype == dtype and not copy:
        return input
    return Cast.apply(input, dtype, copy)  # type: ignore[no-any-return]


# ---- unary math -----------------------------------------------------------------------------


def _float_arg(op: str, x: Any) -> Tensor:
    # integer and bool inputs of the transcendental ops give the default float dtype
    x = tensor_arg(op, x)
    return x if x.dtype.kind == "f" else cast(x, dtypes.get_default_dtype())


def _no_bool(op: str, x: Tensor) -> Tensor:
    if x.dtype.kind == "b":
        raise TypeError(f"{op}: not supported for bool tensors")
    return x


def _zeros(like: Tensor) -> Tensor:
    return Tensor._make(np.zeros(like.shape, like.dtype), False, None)


class _Unary(Function):
    """``y = f(x)`` elementwise; subclasses are made by :func:`_unary`."""

    _save: str | None

    @classmethod
    def forward(cls, ctx: Any, a: np.ndarray) -> np.ndarray:
        # asarray: NumPy gives a scalar for 0-d input, and only the array object that becomes
        # the output is recognised as the output when saved (second order depends on it)
        out = np.asarray(cls._np(a))  # type: ignore[attr-defined]
        if cls._save is not None:
            ctx.save_for_backward(a if cls._save == "x" else out)
        return out

    @classmethod
    def backward(cls, ctx: Any, grad: Tensor) -> Tensor:
        saved = ctx.saved_tensors[0] if cls._save is not None else None
        return cls._grad(grad, saved)  # type: ignore[attr-defined,no-any-return]


def _unary(name: str, fn: Any, save: str | None, grad: Any, arrays: bool = False) -> type[_Unary]:
    """A Function computing ``fn(x)``, saving ``save`` (``"x"``, ``"out"`` or None: what the
    gradient needs, as PyTorch saves it) and with backward ``grad(grad_out, saved)``, written
    with npgrad ops so that it is differentiable again. ``arrays``: ``grad`` uses only
    operators (and Python numbers), so it is valid on NumPy arrays as well
    (``Function._array_backward``)."""
    body = {
        "_np": staticmethod(fn),
        "_save": save,
        "_grad": staticmethod(grad),
        "_array_backward": arrays,
    }
    return type(name, (_Unary,), body)


def _sigmoid(a: np.ndarray) -> np.ndarray:
    # exp of -|x| only: never overflows, and 1 / (1 + e) or e / (1 + e) is exact enough on
    # either side (the naive 1 / (1 + exp(-x)) overflows, with a warning, for x << 0)
    if a.dtype.char == "e":  # float16: in float32, rounded once (as PyTorch computes it)
        return _sigmoid(a.astype(np.float32)).astype(np.float16)
    e = np.exp(-np.abs(a))
    d = 1 / (1 + e)
    return np.where(a >= 0, d, e * d)


def _rsqrt(a: np.ndarray) -> np.ndarray:
    if a.dtype.char == "e":  # float16: in float32, rounded once (as PyTorch computes it)
        return np.reciprocal(np.sqrt(a.astype(np.float32))).astype(np.float16)
    return np.reciprocal(np.sqrt(a))


def _sign(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "b":
        return a.copy()
    out = np.sign(a)
    if out.dtype.kind == "f":  # PyTorch: sign(nan) = 0
        out = np.where(np.isnan(out), out.dtype.type(0), out)
    return out  # type: ignore[no-any-return]


def _keep_int(fn: Any) -> Any:
    # floor & co. of an integer tensor is a copy in its own dtype (NumPy would give float64)
    return lambda a: a.copy() if a.dtype.kind in "iu" else fn(a)


def _zero_grad(g: Tensor, _: Any) -> Tensor:
    # piecewise-constant ops have zero gradient, like PyTorch (zeros, not an error)
    return _zeros(g)


Exp = _unary("Exp", np.exp, "out", lambda g, out: g * out, arrays=True)
Expm1 = _unary("Expm1", np.expm1, "out", lambda g, out: g * (out + 1), arrays=True)
Log = _unary("Log", np.log, "x", lambda g, x: g / x, arrays=True)
Log2 = _unary("Log2", np.log2, "x", lambda g, x: g / (x * math.log(2.0)))
Log10 = _unary("Log10", np.log10, "x", lambda g, x: g / (x * math.log(10.0)))
Log1p = _unary("Log1p", np.log1p, "x", lambda g, x: g / (x + 1), arrays=True)
# inf at 0, like PyTorch
Sqrt = _unary("Sqrt", np.sqrt, "out", lambda g, out: g / (out * 2), arrays=True)
Rsqrt = _unary("Rsqrt", _rsqrt, "out", lambda g, out: g * out**3 * -0.5)
Square = _unary("Square", np.square, "x", lambda g, x: g * x * 2, arrays=True)
Reciprocal = _unary("Reciprocal", np.reciprocal, "out", lambda g, out: -g * out * out, arrays=True)
Sin = _unary("Sin", np.sin, "x", lambda g, x: g * cos(x))
Cos = _unary("Cos", np.cos, "x", lambda g, x: -g * sin(x))
Tan = _unary("Tan", np.tan, "out", lambda g, out: g * (out * out + 1), arrays=True)
Asin = _unary("Asin", np.arcsin, "x", lambda g, x: g * rsqrt(1 - x * x))  # inf at |x| = 1
Acos = _unary("Acos", np.arccos, "x", lambda g, x: -g * rsqrt(1 - x * x))
Atan = _unary("Atan", np.arctan, "x", lambda g, x: g / (x * x + 1), arrays=True)
Sinh = _unary("Sinh", np.sinh, "x", lambda g, x: g * cosh(x))
Cosh = _unary("Cosh", np.cosh, "x", lambda g, x: g * sinh(x))
Tanh = _unary("Tanh", np.tanh, "out", lambda g, out: g * (1 - out * out), arrays=True)
Sigmoid = _unary("Sigmoid", _sigmoid, "out", lambda g, out: g * out * (1 - out), arrays=True)
# sign(0) = 0 makes abs'(0) = 0, like PyTorch
Abs = _unary("Abs", np.abs, "x", lambda g, x: g * sign(x))


class _ReluGrad(Function):
    """relu's gradient ``where(keep, g, 0)``, with ``keep`` a fixed boolean mask.

    For floats it selects with a bit mask (all ones where kept, zeros elsewhere) AND-ed into
    the bits of ``g``: the same bits as ``np.where`` -- a masked inf or nan still gives +0 --
    but ~3x faster, as ``np.where`` branches per element on a mask that is random for relu."""

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, keep: np.ndarray) -> np.ndarray:
        ctx.keep = keep
        return _masked(g, keep)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return _ReluGrad.apply(grad, ctx.keep), None  # linear in g: the same mask again


def _masked(g: Any, keep: Any) -> np.ndarray:
    ints = _INT_OF_SIZE.get(g.dtype.itemsize) if g.dtype.kind == "f" else None
    if ints is None or g.ndim == 0 or g.shape != keep.shape:
        return np.where(keep, g, g.dtype.type(0))  # type: ignore[no-any-return]
    bits = keep.astype(ints)
    np.negative(bits, out=bits)  # True -> -1: every bit set
    np.bitwise_and(bits, g.view(ints), out=bits)
    return bits.view(g.dtype)


_INT_OF_SIZE = {2: np.int16, 4: np.int32, 8: np.int64}


def _relu_grad(g: Any, out: Any) -> Any:
    # relu'(0) = 0 and relu'(nan) = 1, like PyTorch (which also saves the output): relu's
    # output is >= 0 or nan, so ``out != 0`` is exactly PyTorch's ``not (out <= 0)``
    if isinstance(g, (np.ndarray, np.generic)):  # first order, on arrays (_array_backward)
        return _masked(g, out != 0)
    return _ReluGrad.apply(g, out._data != 0)


Relu = _unary("Relu", lambda a: np.maximum(a, a.dtype.type(0)), "out", _relu_grad, arrays=True)
Sign = _unary("Sign", _sign, None, _zero_grad)
Floor = _unary("Floor", _keep_int(np.floor), None, _zero_grad)
Ceil = _unary("Ceil", _keep_int(np.ceil), None, _zero_grad)
Trunc = _unary("Trunc", _keep_int(np.trunc), None, _zero_grad)


class Round(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, decimals: int) -> np.ndarray:
        if a.dtype.kind in "iu":
            return a.copy()
        if decimals == 0:
            return np.rint(a)  # halves to even, like PyTorch
        # x * 10**d rounded, then divided back (PyTorch's and NumPy's algorithm); float16 in
        # float32 as PyTorch does, so that the scaled value can't overflow
        if a.dtype == dtypes.float16:
            return np.round(a.astype(np.float32), decimals).astype(np.float16)
        return np.round(a, decimals)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return _zeros(grad), None


def exp(input: Any) -> Tensor:  # noqa: A002
    """``e ** input`` elementwise.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.exp(npgrad.tensor([0.0, 1.0]))
    tensor([1.0000, 2.7183])
    """
    return Exp.apply(_float_arg("exp", input))  # type: ignore[no-any-return]


def expm1(input: Any) -> Tensor:  # noqa: A002
    """``exp(input) - 1``, accurate for small inputs.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.expm1(npgrad.tensor([0.0, 1e-10], dtype=npgrad.float64)).tolist()
    [0.0, 1.00000000005e-10]
    """
    return Expm1.apply(_float_arg("expm1", input))  # type: ignore[no-any-return]


def log(input: Any) -> Tensor:  # noqa: A002
    """Natural logarithm (``-inf`` at 0, ``nan`` below).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.log(npgrad.tensor([1.0, 100.0]))
    tensor([0.0000, 4.6052])
    """
    return Log.apply(_float_arg("log", input))  # type: ignore[no-any-return]


def log2(input: Any) -> Tensor:  # noqa: A002
    """Base-2 logarithm.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.log2(npgrad.tensor([1, 8]))
    tensor([0., 3.])
    """
    return Log2.apply(_float_arg("log2", input))  # type: ignore[no-any-return]


def log10(input: Any) -> Tensor:  # noqa: A002
    """Base-10 logarithm.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.log10(npgrad.tensor([1.0, 10.0]))
    tensor([0., 1.])
    """
    return Log10.apply(_float_arg("log10", input))  # type: ignore[no-any-return]


def log1p(input: Any) -> Tensor:  # noqa: A002
    """``log(1 + input)``, accurate for small inputs.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.log1p(npgrad.tensor([0.0, 1.0]))
    tensor([0.0000, 0.6931])
    """
    return Log1p.apply(_float_arg("log1p", input))  # type: ignore[no-any-return]


def sqrt(input: Any) -> Tensor:  # noqa: A002
    """Square root (``nan`` below 0; the gradient at 0 is ``inf``, like PyTorch).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.sqrt(npgrad.tensor([4.0, 2.0]))
    tensor([2.0000, 1.4142])
    """
    return Sqrt.apply(_float_arg("sqrt", input))  # type: ignore[no-any-return]


def rsqrt(input: Any) -> Tensor:  # noqa: A002
    """``1 / sqrt(input)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.rsqrt(npgrad.tensor([4.0, 0.25]))
    tensor([0.5000, 2.0000])
    """
    return Rsqrt.apply(_float_arg("rsqrt", input))  # type: ignore[no-any-return]


def square(input: Any) -> Tensor:  # noqa: A002
    """``input * input``; integer tensors stay integer, bool gives int64.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.square(npgrad.tensor([-3, 2]))
    tensor([9, 4])
    """
    x = tensor_arg("square", input)
    if x.dtype.kind == "b":
        x = cast(x, dtypes.int64)
    return Square.apply(x)  # type: ignore[no-any-return]


def reciprocal(input: Any) -> Tensor:  # noqa: A002
    """``1 / input``; integer tensors give the default float dtype.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.reciprocal(npgrad.tensor([2, 4]))
    tensor([0.5000, 0.2500])
    """
    return Reciprocal.apply(_float_arg("reciprocal", input))  # type: ignore[no-any-return]


def sin(input: Any) -> Tensor:  # noqa: A002
    """Sine (radians).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.sin(npgrad.tensor([0.0, 1.5707964]))
    tensor([0., 1.])
    """
    return Sin.apply(_float_arg("sin", input))  # type: ignore[no-any-return]


def cos(input: Any) -> Tensor:  # noqa: A002
    """Cosine (radians).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.cos(npgrad.tensor([0.0, 3.1415927]))
    tensor([ 1., -1.])
    """
    return Cos.apply(_float_arg("cos", input))  # type: ignore[no-any-return]


def tan(input: Any) -> Tensor:  # noqa: A002
    """Tangent (radians).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tan(npgrad.tensor([0.0, 0.7853982]))
    tensor([0., 1.])
    """
    return Tan.apply(_float_arg("tan", input))  # type: ignore[no-any-return]


def asin(input: Any) -> Tensor:  # noqa: A002
    """Inverse sine (``nan`` outside [-1, 1]).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.asin(npgrad.tensor([0.0, 1.0]))
    tensor([0.0000, 1.5708])
    """
    return Asin.apply(_float_arg("asin", input))  # type: ignore[no-any-return]


def acos(input: Any) -> Tensor:  # noqa: A002
    """Inverse cosine (``nan`` outside [-1, 1]).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.acos(npgrad.tensor([1.0, 0.0]))
    tensor([0.0000, 1.5708])
    """
    return Acos.apply(_float_arg("acos", input))  # type: ignore[no-any-return]


def atan(input: Any) -> Tensor:  # noqa: A002
    """Inverse tangent.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.atan(npgrad.tensor([0.0, 1.0]))
    tensor([0.0000, 0.7854])
    """
    return Atan.apply(_float_arg("atan", input))  # type: ignore[no-any-return]


def sinh(input: Any) -> Tensor:  # noqa: A002
    """Hyperbolic sine.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.sinh(npgrad.tensor([0.0, 1.0]))
    tensor([0.0000, 1.1752])
    """
    return Sinh.apply(_float_arg("sinh", input))  # type: ignore[no-any-return]


def cosh(input: Any) -> Tensor:  # noqa: A002
    """Hyperbolic cosine.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.cosh(npgrad.tensor([0.0, 1.0]))
    tensor([1.0000, 1.5431])
    """
    return Cosh.apply(_float_arg("cosh", input))  # type: ignore[no-any-return]


def tanh(input: Any) -> Tensor:  # noqa: A002
    """Hyperbolic tangent.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tanh(npgrad.tensor([0.0, 1.0]))
    tensor([0.0000, 0.7616])
    """
    return Tanh.apply(_float_arg("tanh", input))  # type: ignore[no-any-return]


def sigmoid(input: Any) -> Tensor:  # noqa: A002
    """``1 / (1 + exp(-input))``, without overflow for large ``|input|``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.sigmoid(npgrad.tensor([-1000.0, 0.0, 1000.0]))
    tensor([0.0000, 0.5000, 1.0000])
    """
    return Sigmoid.apply(_float_arg("sigmoid", input))  # type: ignore[no-any-return]


def abs(input: Any) -> Tensor:  # noqa: A001, A002
    """Absolute value; integer tensors stay integer (bool is refused, like PyTorch).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.abs(npgrad.tensor([-1.5, 2.0]))
    tensor([1.5000, 2.0000])
    """
    return Abs.apply(_no_bool("abs", tensor_arg("abs", input)))  # type: ignore[no-any-return]


def sign(input: Any) -> Tensor:  # noqa: A002
    """-1, 0 or 1 by the sign of each element (0 for ``nan``, like PyTorch); zero gradient.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.sign(npgrad.tensor([-2.0, 0.0, 3.0]))
    tensor([-1.,  0.,  1.])
    """
    return Sign.apply(tensor_arg("sign", input))  # type: ignore[no-any-return]


def relu(input: Any) -> Tensor:  # noqa: A002
    """``max(input, 0)``; the gradient at 0 is 0.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.relu(npgrad.tensor([-1.0, 0.0, 2.0]))
    tensor([0., 0., 2.])
    """
    return Relu.apply(_no_bool("relu", tensor_arg("relu", input)))  # type: ignore[no-any-return]


def floor(input: Any) -> Tensor:  # noqa: A002
    """Largest integer ``<= input`` (same dtype; zero gradient).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.floor(npgrad.tensor([-1.5, 1.5]))
    tensor([-2.,  1.])
    """
    return Floor.apply(_no_bool("floor", tensor_arg("floor", input)))  # type: ignore[no-any-return]


def ceil(input: Any) -> Tensor:  # noqa: A002
    """Smallest integer ``>= input`` (same dtype; zero gradient).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.ceil(npgrad.tensor([-1.5, 1.5]))
    tensor([-1.,  2.])
    """
    return Ceil.apply(_no_bool("ceil", tensor_arg("ceil", input)))  # type: ignore[no-any-return]


def trunc(input: Any) -> Tensor:  # noqa: A002
    """Round towards zero (same dtype; zero gradient).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.trunc(npgrad.tensor([-1.5, 1.5]))
    tensor([-1.,  1.])
    """
    return Trunc.apply(_no_bool("trunc", tensor_arg("trunc", input)))  # type: ignore[no-any-return]


def round(input: Any, *, decimals: int = 0) -> Tensor:  # noqa: A001, A002
    """Round to ``decimals`` decimal places, halves to even (zero gradient).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.round(npgrad.tensor([0.5, 1.5, 2.5]))
    tensor([0., 2., 2.])
    >>> npgrad.round(npgrad.tensor([1.234, 5.678]), decimals=1)
    tensor([1.2000, 5.7000])
    """
    x = _no_bool("round", tensor_arg("round", input))
    if x.dtype.kind != "f" and decimals != 0:
        raise TypeError(f"round: decimals={decimals} is not supported for {x.dtype} tensors")
    return Round.apply(x, int(decimals))  # type: ignore[no-any-return]


# NumPy's names
absolute = abs
arcsin, arccos, arctan = asin, acos, atan
