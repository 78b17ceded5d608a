"""Elementwise ops: casts, comparisons and logic (no gradient), unary math, clamp, where.

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
from npgrad.ops._broadcast import sum_to
from npgrad.ops._promote import check_broadcast, operands, scalar_as
from npgrad.ops.arithmetic import add, sub
from npgrad.tensor import Tensor

# fmt: off
__all__ = [
    "abs", "absolute", "acos", "allclose", "arccos", "arcsin", "arctan", "arctan2", "asin",
    "atan", "atan2", "bitwise_and", "bitwise_not", "bitwise_or", "bitwise_xor", "cast", "ceil",
    "clamp", "clip", "cos", "cosh", "eq", "equal", "exp", "expm1", "floor", "ge", "gt",
    "isfinite", "isinf", "isnan", "le", "lerp", "log", "log1p", "log2", "log10", "logical_and",
    "logical_not", "logical_or", "logical_xor", "lt", "maximum", "minimum", "ne", "reciprocal",
    "relu", "round", "rsqrt", "sigmoid", "sign", "sin", "sinh", "sqrt", "square", "tan", "tanh",
    "trunc", "where",
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
    """``input`` as ``dtype`` (itself when the dtype already matches and no copy is asked)."""
    if input.dtype == dtype and not copy:
        return input
    return Cast.apply(input, dtype, copy)  # type: ignore[no-any-return]


# ---- comparisons and logic: no gradient ------------------------------------------------------
def _compare(op: str, ufunc: Any, a: Any, b: Any) -> Tensor:
    a, b = operands(op, a, b)
    xa = a._data if isinstance(a, Tensor) else a
    xb = b._data if isinstance(b, Tensor) else b
    try:
        return Tensor._make(np.asarray(ufunc(xa, xb)), False, None)
    except ValueError:
        check_broadcast(op, a, b)
        raise


def eq(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input == other`` elementwise, as a bool tensor."""
    return _compare("eq", np.equal, input, other)


def ne(input: Any, other: Any) -> Tensor:  # noqa: A002
    return _compare("ne", np.not_equal, input, other)


def lt(input: Any, other: Any) -> Tensor:  # noqa: A002
    return _compare("lt", np.less, input, other)


def le(input: Any, other: Any) -> Tensor:  # noqa: A002
    return _compare("le", np.less_equal, input, other)


def gt(input: Any, other: Any) -> Tensor:  # noqa: A002
    return _compare("gt", np.greater, input, other)


def ge(input: Any, other: Any) -> Tensor:  # noqa: A002
    return _compare("ge", np.greater_equal, input, other)


def logical_and(input: Any, other: Any) -> Tensor:  # noqa: A002
    return _compare("logical_and", np.logical_and, input, other)


def logical_or(input: Any, other: Any) -> Tensor:  # noqa: A002
    return _compare("logical_or", np.logical_or, input, other)


def logical_xor(input: Any, other: Any) -> Tensor:  # noqa: A002
    return _compare("logical_xor", np.logical_xor, input, other)


def logical_not(input: Tensor) -> Tensor:  # noqa: A002
    return Tensor._make(np.logical_not(input._data), False, None)


def _bitwise(op: str, ufunc: Any, a: Any, b: Any) -> Tensor:
    a, b = operands(op, a, b)
    for x in (a, b):
        if x.dtype.kind not in "biu":
            raise TypeError(f"{op}: only integer and bool tensors are supported, got {x.dtype}")
    return _compare(op, ufunc, a, b)


def bitwise_and(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input & other`` for bool or integer tensors."""
    return _bitwise("bitwise_and", np.bitwise_and, input, other)


def bitwise_or(input: Any, other: Any) -> Tensor:  # noqa: A002
    return _bitwise("bitwise_or", np.bitwise_or, input, other)


def bitwise_xor(input: Any, other: Any) -> Tensor:  # noqa: A002
    return _bitwise("bitwise_xor", np.bitwise_xor, input, other)


def bitwise_not(input: Tensor) -> Tensor:  # noqa: A002
    if input.dtype.kind not in "biu":
        raise TypeError(
            f"bitwise_not: only integer and bool tensors are supported, got {input.dtype}"
        )
    return Tensor._make(np.invert(input._data), False, None)


def isnan(input: Tensor) -> Tensor:  # noqa: A002
    return Tensor._make(np.isnan(input._data), False, None)


def isinf(input: Tensor) -> Tensor:  # noqa: A002
    return Tensor._make(np.isinf(input._data), False, None)


def isfinite(input: Tensor) -> Tensor:  # noqa: A002
    return Tensor._make(np.isfinite(input._data), False, None)


def equal(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    """True when both tensors have the same shape and elements."""
    if not isinstance(other, Tensor):
        raise TypeError(f"equal: expected other to be a Tensor, got {type(other).__name__}")
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


def allclose(
    input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:  # noqa: A002
    """True when ``|input - other| <= atol + rtol * |other|`` everywhere."""
    o = other._data if isinstance(other, Tensor) else other
    return bool(np.allclose(input._data, o, rtol=rtol, atol=atol, equal_nan=equal_nan))


# ---- where ----------------------------------------------------------------------------------
class Where(Function):
    @staticmethod
    def forward(ctx: Any, cond: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(cond)
        ctx.shapes = (np.shape(a), np.shape(b))
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[None, Tensor | None, Tensor | None]:
        (cond,) = ctx.saved_tensors
        sa, sb = ctx.shapes
        _, need_a, need_b = ctx.needs_input_grad
        ga = sum_to(where(cond, grad, 0.0), sa) if need_a else None
        gb = sum_to(where(cond, 0.0, grad), sb) if need_b else None
        return None, ga, gb


def where(condition: Any, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """``input`` where ``condition`` holds, else ``other`` (broadcasting; scalars allowed).

    With only ``condition``, the indices of its True elements: a tuple of int64 tensors, one
    per dimension (``nonzero(as_tuple=True)``).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([-1.0, 2.0])
    >>> npgrad.where(x > 0, x, 0.0)
    tensor([0., 2.])
    >>> npgrad.where(x > 0)
    (tensor([1]),)
    """
    if isinstance(condition, Tensor):
        cond = condition
    else:
        cond = Tensor._make(np.asarray(condition), False, None)
    if cond.dtype.kind != "b":
        # PyTorch refuses non-bool conditions too: a float mask is usually a bug
        raise TypeError(f"where: expected condition to be a boolean tensor, got {cond.dtype}")
    if input is None and other is None:
        idx = np.nonzero(np.atleast_1d(cond._data))
        return tuple(Tensor._make(i.astype(np.int64, copy=False), False, None) for i in idx)
    if input is None or other is None:
        raise TypeError("where: expected both input and other, or neither")
    if not isinstance(input, (Tensor, np.ndarray)) and not isinstance(other, (Tensor, np.ndarray)):
        # two scalars: the result has their promoted dtype (where(c, 1.0, 0) is float32)
        input = Tensor._make(np.asarray(input, dtype=dtypes.result_type(input, other)), False, None)
    a, b = operands("where", input, other)
    try:
        return Where.apply(cond, a, b)
    except ValueError:
        check_broadcast("where", cond, a)
        check_broadcast("where", cond, b)
        check_broadcast("where", a, b)
        raise


# ---- unary math -----------------------------------------------------------------------------
def _tensor_arg(op: str, x: Any) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._make(x, False, None)
    raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")


def _float_arg(op: str, x: Any) -> Tensor:
    # integer and bool inputs of the transcendental ops give the default float dtype
    x = _tensor_arg(op, x)
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


def _unary(name: str, fn: Any, save: str | None, grad: Any) -> type[_Unary]:
    """A Function computing ``fn(x)``, saving ``save`` (``"x"``, ``"out"`` or None: what the
    gradient needs, as PyTorch saves it) and with backward ``grad(grad_out, saved)``, written
    with npgrad ops so that it is differentiable again."""
    body = {"_np": staticmethod(fn), "_save": save, "_grad": staticmethod(grad)}
    return type(name, (_Unary,), body)


def _sigmoid(a: np.ndarray) -> np.ndarray:
    # exp of -|x| only: never overflows, and 1 / (1 + e) or e / (1 + e) is exact enough on
    # either side (the naive 1 / (1 + exp(-x)) overflows, with a warning, for x << 0)
    e = np.exp(-np.abs(a))
    d = 1 / (1 + e)
    return np.where(a >= 0, d, e * d)


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


Exp = _unary("Exp", np.exp, "out", lambda g, out: g * out)
Expm1 = _unary("Expm1", np.expm1, "out", lambda g, out: g * (out + 1))
Log = _unary("Log", np.log, "x", lambda g, x: g / x)
Log2 = _unary("Log2", np.log2, "x", lambda g, x: g / (x * math.log(2.0)))
Log10 = _unary("Log10", np.log10, "x", lambda g, x: g / (x * math.log(10.0)))
Log1p = _unary("Log1p", np.log1p, "x", lambda g, x: g / (x + 1))
Sqrt = _unary("Sqrt", np.sqrt, "out", lambda g, out: g / (out * 2))  # inf at 0, like PyTorch
Rsqrt = _unary(
    "Rsqrt", lambda a: np.reciprocal(np.sqrt(a)), "out", lambda g, out: g * out**3 * -0.5
)
Square = _unary("Square", np.square, "x", lambda g, x: g * x * 2)
Reciprocal = _unary("Reciprocal", np.reciprocal, "out", lambda g, out: -g * out * out)
Sin = _unary("Sin", np.sin, "x", lambda g, x: g * cos(x))
Cos = _unary("Cos", np.cos, "x", lambda g, x: -g * sin(x))
Tan = _unary("Tan", np.tan, "out", lambda g, out: g * (out * out + 1))
Asin = _unary("Asin", np.arcsin, "x", lambda g, x: g * rsqrt(1 - x * x))  # inf at |x| = 1
Acos = _unary("Acos", np.arccos, "x", lambda g, x: -g * rsqrt(1 - x * x))
Atan = _unary("Atan", np.arctan, "x", lambda g, x: g / (x * x + 1))
Sinh = _unary("Sinh", np.sinh, "x", lambda g, x: g * cosh(x))
Cosh = _unary("Cosh", np.cosh, "x", lambda g, x: g * sinh(x))
Tanh = _unary("Tanh", np.tanh, "out", lambda g, out: g * (1 - out * out))
Sigmoid = _unary("Sigmoid", _sigmoid, "out", lambda g, out: g * out * (1 - out))
# sign(0) = 0 makes abs'(0) = 0, like PyTorch
Abs = _unary("Abs", np.abs, "x", lambda g, x: g * sign(x))
# relu'(0) = 0 and relu'(nan) = 1, like PyTorch (which also saves the output)
Relu = _unary(
    "Relu", lambda a: np.maximum(a, a.dtype.type(0)), "out", lambda g, out: where(out <= 0, 0.0, g)
)
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
    x = _tensor_arg("square", input)
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
    return Abs.apply(_no_bool("abs", _tensor_arg("abs", input)))  # type: ignore[no-any-return]


def sign(input: Any) -> Tensor:  # noqa: A002
    """-1, 0 or 1 by the sign of each element (0 for ``nan``, like PyTorch); zero gradient.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.sign(npgrad.tensor([-2.0, 0.0, 3.0]))
    tensor([-1.,  0.,  1.])
    """
    return Sign.apply(_tensor_arg("sign", input))  # type: ignore[no-any-return]


def relu(input: Any) -> Tensor:  # noqa: A002
    """``max(input, 0)``; the gradient at 0 is 0.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.relu(npgrad.tensor([-1.0, 0.0, 2.0]))
    tensor([0., 0., 2.])
    """
    return Relu.apply(_no_bool("relu", _tensor_arg("relu", input)))  # type: ignore[no-any-return]


def floor(input: Any) -> Tensor:  # noqa: A002
    """Largest integer ``<= input`` (same dtype; zero gradient).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.floor(npgrad.tensor([-1.5, 1.5]))
    tensor([-2.,  1.])
    """
    return Floor.apply(_no_bool("floor", _tensor_arg("floor", input)))  # type: ignore[no-any-return]


def ceil(input: Any) -> Tensor:  # noqa: A002
    """Smallest integer ``>= input`` (same dtype; zero gradient).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.ceil(npgrad.tensor([-1.5, 1.5]))
    tensor([-1.,  2.])
    """
    return Ceil.apply(_no_bool("ceil", _tensor_arg("ceil", input)))  # type: ignore[no-any-return]


def trunc(input: Any) -> Tensor:  # noqa: A002
    """Round towards zero (same dtype; zero gradient).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.trunc(npgrad.tensor([-1.5, 1.5]))
    tensor([-1.,  1.])
    """
    return Trunc.apply(_no_bool("trunc", _tensor_arg("trunc", input)))  # type: ignore[no-any-return]


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
    x = _no_bool("round", _tensor_arg("round", input))
    if x.dtype.kind != "f" and decimals != 0:
        raise TypeError(f"round: decimals={decimals} is not supported for {x.dtype} tensors")
    return Round.apply(x, int(decimals))  # type: ignore[no-any-return]


# ---- binary: atan2, maximum, minimum, clamp, lerp -------------------------------------------
class Atan2(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        ctx.shapes = (np.shape(a), np.shape(b))
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        # d/da = b / (a² + b²), d/db = -a / (a² + b²); 0 at the origin, like PyTorch. The
        # denominator is made 1 there (not masked afterwards) so no nan enters second order.
        denom = add(a * a, b * b)  # a or b may be a scalar
        denom = where(eq(denom, 0), 1.0, denom)
        ga = sum_to(grad * b / denom, sa) if need_a else None
        gb = sum_to(-grad * a / denom, sb) if need_b else None
        return ga, gb


class _MaxMin(Function):
    _np: Any
    _loses: Any  # an elementwise comparison: True where ``a`` is not the result

    @classmethod
    def forward(cls, ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        ctx.shapes = (np.shape(a), np.shape(b))
        return cls._np(a, b)  # type: ignore[no-any-return]

    @classmethod
    def backward(cls, ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        # PyTorch's formula: ties split the gradient evenly; where a comparison with nan is
        # false both inputs get the whole gradient (PyTorch does the same)
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        shared = where(eq(a, b), grad * 0.5, grad)
        ga = sum_to(where(cls._loses(a, b), 0.0, shared), sa) if need_a else None
        gb = sum_to(where(cls._loses(b, a), 0.0, shared), sb) if need_b else None
        return ga, gb


class Maximum(_MaxMin):
    _np, _loses = np.maximum, staticmethod(lambda a, b: lt(a, b))


class Minimum(_MaxMin):
    _np, _loses = np.minimum, staticmethod(lambda a, b: gt(a, b))


class Clamp(Function):
    @staticmethod
    def forward(ctx: Any, x: np.ndarray, lo: Any, hi: Any) -> np.ndarray:
        # min(max(x, lo), hi): when lo > hi the result is hi, like PyTorch; nan propagates
        out = x if lo is None else np.maximum(x, lo)
        out = out if hi is None else np.minimum(out, hi)
        ctx.save_for_backward(x, lo, hi)
        ctx.shapes = (np.shape(x), np.shape(lo), np.shape(hi))
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        # PyTorch's rules: x gets the gradient where lo <= x <= hi (so not where x is nan);
        # lo where x < lo < hi; hi where x > hi or hi < lo (hi is then the result)
        x, lo, hi = ctx.saved_tensors
        sx, slo, shi = ctx.shapes
        need_x, need_lo, need_hi = ctx.needs_input_grad
        gx = glo = ghi = None
        if need_x:
            if lo is None:
                inside = le(x, hi)
            elif hi is None:
                inside = ge(x, lo)
            else:
                inside = logical_and(ge(x, lo), le(x, hi))
            gx = sum_to(where(inside, grad, 0.0), sx)
        if need_lo:
            below = lt(x, lo) if hi is None else logical_and(lt(x, lo), lt(lo, hi))
            glo = sum_to(where(below, grad, 0.0), slo)
        if need_hi:
            above = gt(x, hi) if lo is None else logical_or(gt(x, hi), lt(hi, lo))
            ghi = sum_to(where(above, grad, 0.0), shi)
        return gx, glo, ghi


class Lerp(Function):
    @staticmethod
    def forward(ctx: Any, start: np.ndarray, end: np.ndarray, weight: Any) -> np.ndarray:
        need_s, need_e, need_w = ctx.needs_input_grad
        ctx.save_for_backward(
            start if need_w else None, end if need_w else None, weight if need_s or need_e else None
        )
        ctx.shapes = (np.shape(start), np.shape(end), np.shape(weight))
        diff = end - start
        # PyTorch's two-sided formula: exact at weight = 0 and at weight = 1
        return np.where(weight < 0.5, start + weight * diff, end - diff * (1 - weight))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        start, end, weight = ctx.saved_tensors
        ss, se, sw = ctx.shapes
        need_s, need_e, need_w = ctx.needs_input_grad
        gs = sum_to(grad * (1 - weight), ss) if need_s else None
        ge_ = sum_to(grad * weight, se) if need_e else None
        gw = sum_to(grad * sub(end, start), sw) if need_w else None  # end may be a scalar
        return gs, ge_, gw


def _binary(fn: Any, op: str, a: Any, b: Any, to_float: bool = False) -> Tensor:
    a, b = operands(op, a, b)
    if to_float and a.dtype.kind != "f":
        d = dtypes.get_default_dtype()
        a, b = operands(op, _to(a, d), _to(b, d))
    try:
        return fn.apply(a, b)  # type: ignore[no-any-return]
    except ValueError:
        check_broadcast(op, a, b)
        raise


def _to(x: Any, d: np.dtype) -> Any:
    return cast(x, d) if isinstance(x, Tensor) else scalar_as(x, d)


def atan2(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The angle of the point ``(other, input)``: ``atan(input / other)`` in the right
    quadrant, in ``[-pi, pi]``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.atan2(npgrad.tensor([1.0, 1.0]), npgrad.tensor([1.0, -1.0]))
    tensor([0.7854, 2.3562])
    """
    return _binary(Atan2, "atan2", input, other, to_float=True)


def maximum(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise maximum, broadcasting; ``nan`` propagates. Equal inputs share the gradient
    evenly.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.maximum(npgrad.tensor([1.0, 5.0]), npgrad.tensor([3.0, 2.0]))
    tensor([3., 5.])
    """
    return _binary(Maximum, "maximum", input, other)


def minimum(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise minimum, broadcasting; ``nan`` propagates. Equal inputs share the gradient
    evenly.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.minimum(npgrad.tensor([1.0, 5.0]), npgrad.tensor([3.0, 2.0]))
    tensor([1., 2.])
    """
    return _binary(Minimum, "minimum", input, other)


def _operand(op: str, name: str, v: Any) -> Any:
    if v is None or isinstance(v, (Tensor, bool, int, float, np.generic)):
        return v
    if isinstance(v, np.ndarray):
        return Tensor._make(v, False, None)
    raise TypeError(f"{op}: {name} must be a Tensor or a number, got {type(v).__name__}")


def _as(v: Any, d: np.dtype) -> Any:
    if v is None:
        return None
    return cast(v, d) if isinstance(v, Tensor) else scalar_as(v, d)


def clamp(input: Any, min: Any = None, max: Any = None) -> Tensor:  # noqa: A001, A002
    """Limit ``input`` to ``[min, max]``; either bound may be omitted, a number or a tensor
    (broadcasting). Where ``min > max`` the result is ``max``. The gradient passes where
    ``min <= input <= max``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.clamp(npgrad.tensor([-2.0, 0.5, 3.0]), min=-1.0, max=1.0)
    tensor([-1.0000,  0.5000,  1.0000])
    >>> npgrad.clamp(npgrad.tensor([-2, 3]), min=0)
    tensor([0, 3])
    """
    x = _tensor_arg("clamp", input)
    lo, hi = _operand("clamp", "min", min), _operand("clamp", "max", max)
    if lo is None and hi is None:
        raise ValueError("clamp: at least one of 'min' or 'max' must not be None")
    d = dtypes.result_type(x, *(v for v in (lo, hi) if v is not None))
    x, lo, hi = _as(x, d), _as(lo, d), _as(hi, d)
    try:
        return Clamp.apply(x, lo, hi)  # type: ignore[no-any-return]
    except ValueError:
        for v in (lo, hi):
            if v is not None:
                check_broadcast("clamp", x, v)
        if lo is not None and hi is not None:
            check_broadcast("clamp", lo, hi)
        raise


def lerp(input: Any, end: Any, weight: Any) -> Tensor:  # noqa: A002
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` is a number or a
    tensor (broadcasting). Floating point only.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.lerp(npgrad.tensor([0.0, 1.0]), npgrad.tensor([10.0, 3.0]), 0.25)
    tensor([2.5000, 1.5000])
    """
    start = _tensor_arg("lerp", input)
    end, weight = _operand("lerp", "end", end), _operand("lerp", "weight", weight)
    d = dtypes.result_type(start, end, weight)
    if d.kind != "f":
        raise TypeError(f"lerp: expected floating point inputs, got {d}")
    start, end, weight = _as(start, d), _as(end, d), _as(weight, d)
    try:
        return Lerp.apply(start, end, weight)  # type: ignore[no-any-return]
    except ValueError:
        check_broadcast("lerp", start, end)
        check_broadcast("lerp", start, weight)
        check_broadcast("lerp", end, weight)
        raise


# NumPy's names
absolute = abs
arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
clip = clamp
