"""Arithmetic: ``+ - * / // % **`` and negation.

Each op saves only what its backward needs for the inputs that need a gradient (like
PyTorch), which keeps memory down and avoids false "modified by an inplace operation" errors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.autograd.function import Function
from npgrad.ops._broadcast import sum_to
from npgrad.ops._promote import binary, fill_value, operands, scalar_as
from npgrad.ops.bitwise import DtypeNotImplementedError
from npgrad.tensor import Tensor

__all__ = [
    "add",
    "div",
    "divide",
    "floor_divide",
    "mul",
    "multiply",
    "neg",
    "pow",
    "remainder",
    "rsub",
    "sub",
    "subtract",
    "true_divide",
]


class _IntegerDivisionByZero(ZeroDivisionError, RuntimeError):
    """Integer division by zero. NumPy returns 0 with a warning; PyTorch raises a RuntimeError
    ("ZeroDivisionError"): this is both, so either ``except`` clause catches it."""


def _check_int_divisor(op: str, a: np.ndarray, b: np.ndarray) -> None:
    if b.dtype.kind in "iub":
        if b.dtype.kind == "b" and a.dtype.kind == "b":
            # PyTorch has no bool kernel for the rounding divisions (NumPy's would give int8)
            raise DtypeNotImplementedError(
                f"{op}: not implemented for two bool operands; cast one to an integer dtype"
            )
        if a.size and b.size and not np.all(b):
            raise _IntegerDivisionByZero(f"{op}: integer division by zero")


class Add(Function):
    _array_backward = True  # backward: operators and sum_to only

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.shapes = (a.shape, b.shape)
        return a + b

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        return (sum_to(grad, sa) if need_a else None, sum_to(grad, sb) if need_b else None)


class Sub(Function):
    _array_backward = True  # backward: operators and sum_to only

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.shapes = (a.shape, b.shape)
        return a - b

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        return (sum_to(grad, sa) if need_a else None, sum_to(-grad, sb) if need_b else None)


class Mul(Function):
    _half_opmath = True  # a float16 x * 0.1 keeps 0.1 in float32 (see _promote)
    _array_backward = True  # backward: operators and sum_to only

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.shapes = (a.shape, b.shape)
        return a * b

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        return (sum_to(grad * b, sa) if need_a else None, sum_to(grad * a, sb) if need_b else None)


class Div(Function):
    _half_opmath = True  # a float16 x / 0.1 keeps 0.1 in float32 (see _promote)
    _array_backward = True  # backward: operators and sum_to only

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        # the inputs are saved, not the output, as PyTorch does: ``y = a / b; y += 1`` is fine
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        ctx.shapes = (np.shape(a), np.shape(b))
        return a / b

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        ga = sum_to(grad / b, sa) if need_a else None
        # d(a/b)/db = -a/b², as PyTorch computes it: (a/b)/b, finite where b*b would underflow
        gb = sum_to(-grad * (a / b / b), sb) if need_b else None
        return ga, gb


# ---- a tensor and a scalar ------------------------------------------------------------------
# ``x * 2.0``, ``x + 1`` and ``x / 255`` are common enough to have their own form: the scalar
# (already of x's dtype) stays on the node, nothing is saved and nothing is broadcast back.
# They report the general op's name (``grad_fn=<MulBackward>``), as PyTorch's do.
class AddScalar(Function):
    _node_name = "Add"
    _array_backward = True
    _one_tensor = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, c: Any) -> np.ndarray:
        return a + c

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return grad, None


class MulScalar(Function):
    _node_name = "Mul"
    _array_backward = True
    _one_tensor = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, c: Any) -> np.ndarray:
        ctx.c = c
        return a * c

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return grad * ctx.c, None


class DivScalar(Function):
    _node_name = "Div"
    _array_backward = True
    _one_tensor = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, c: Any) -> np.ndarray:
        ctx.c = c
        return a / c

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return grad / ctx.c, None


class Neg(Function):
    _array_backward = True  # backward: operators and sum_to only

    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        return np.negative(a)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return -grad


class Pow(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if b.dtype.kind in "iu" and a.dtype.kind in "iu" and (b < 0).any():
            out = _int_pow(a, b)
        else:
            out = np.asarray(np.power(a, b))  # 0-d: keep the saved output an array
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a, b, out if need_b else None)
        ctx.shapes = (a.shape, b.shape)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        from npgrad.ops.comparison import where
        from npgrad.ops.elementwise import log

        a, b, out = ctx.saved_tensors
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        ga = gb = None
        if need_a:
            # b * a**(b-1); taken as 0 where b == 0 so that 0**0 has derivative 0, like PyTorch
            if isinstance(b, Tensor):
                ga = where(b == 0, 0.0, grad * b * a ** (b - 1))
            elif b == 0:
                ga = grad * 0.0
            else:
                ga = grad * b * a ** (b - 1)
            ga = sum_to(ga, sa)
        if need_b:
            # out * log(a); taken as 0 where a == 0 and b >= 0 (the limit), like PyTorch
            if isinstance(a, Tensor):
                gb = where((a == 0) & (b >= 0), 0.0, grad * out * log(a))
            else:
                with np.errstate(divide="ignore", invalid="ignore"):  # log(0), log(-1): quiet
                    log_a = float(np.log(a))
                gb = grad * out * log_a
                if a == 0:
                    gb = where(b >= 0, 0.0, gb)
            gb = sum_to(gb, sb)
        return ga, gb


def _int_pow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Integer powers with negative exponents somewhere (NumPy refuses them): PyTorch's
    values, the integer part of ``1 / a ** -b`` -- 1 for a base of 1, +-1 for -1, else 0."""
    neg = b < 0
    out = np.asarray(np.power(a, np.where(neg, b.dtype.type(0), b)))
    inv = (a == 1).astype(out.dtype)
    if a.dtype.kind == "i":  # (-1) ** -n is -1 for odd n
        inv = np.where(a == -1, np.where(b % 2 == 0, 1, -1).astype(out.dtype), inv)
    return np.asarray(np.where(neg, inv, out))


class _NoGrad(Function):
    """Base of ops whose derivative is zero almost everywhere (floor division): they give
    zero gradients, as PyTorch does, rather than refusing to differentiate."""

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        return tuple(  # type: ignore[return-value]
            sum_to(grad * 0, s) if need else None
            for s, need in zip(ctx.shapes, ctx.needs_input_grad)
        )


class FloorDivide(_NoGrad):
    _half_opmath = True  # as Div (see _promote)

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_int_divisor("floor_divide", a, b)
        ctx.shapes = (a.shape, b.shape)
        return np.floor_divide(a, b)


class TruncDivide(_NoGrad):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_int_divisor("div", a, b)
        ctx.shapes = (a.shape, b.shape)
        if np.result_type(a, b).kind in "iub":
            # integer floor division, then one step towards zero where the quotient was
            # negative and inexact (no detour through floats: int64 stays exact)
            q = np.floor_divide(a, b)
            return q + ((np.remainder(a, b) != 0) & ((a < 0) ^ (b < 0))).astype(q.dtype)
        return np.trunc(a / b)


class Remainder(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_int_divisor("remainder", a, b)
        ctx.shapes = (a.shape, b.shape)
        if ctx.needs_input_grad[1]:
            ctx.save_for_backward(a, b)
        return np.remainder(a, b)  # Python's sign convention (the divisor's), as PyTorch

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        ga = sum_to(grad, sa) if need_a else None
        gb = None
        if need_b:
            a, b = ctx.saved_tensors
            gb = sum_to(-grad * floor_divide(a, b), sb)  # a % b = a - b * floor(a / b)
        return ga, gb


# ---- public functions ---------------------------------------------------------------------
def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """``input + alpha * other``, broadcasting.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.add(npgrad.tensor([1.0, 2.0]), 1.5)
    tensor([2.5000, 3.5000])
    """
    if alpha != 1 or isinstance(alpha, (bool, np.bool_)):
        input, other = _scaled("add", input, other, alpha)  # noqa: A001
    return binary(Add, "add", input, other, scalar_fn=AddScalar)


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """``input - alpha * other``, broadcasting. Bool operands are refused, like PyTorch
    (use ``~``, ``logical_not`` or ``logical_xor``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.sub(npgrad.tensor([1.0, 2.0]), npgrad.tensor([0.5, 0.5]), alpha=2)
    tensor([0., 1.])
    """
    if _is_bool(input) or _is_bool(other):
        both = _is_bool(input) and _is_bool(other)
        raise TypeError(
            f"sub: subtraction, the `-` operator, with {'two bool tensors' if both else 'a bool tensor'} "
            "is not supported; use the `^` operator or logical_xor() to subtract masks, and "
            "`~` or logical_not() to invert one"
        )
    if alpha != 1 or isinstance(alpha, (bool, np.bool_)):
        input, other = _scaled("sub", input, other, alpha)  # noqa: A001
    return binary(Sub, "sub", input, other)


subtract = sub


def rsub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """``other - alpha * input``: :func:`sub` with its operands swapped.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.rsub(npgrad.tensor([1.0, 2.0]), 10.0, alpha=2)
    tensor([8., 6.])
    """
    return sub(other, input, alpha=alpha)


def _scaled(op: str, input: Any, other: Any, alpha: Any) -> tuple[Any, Any]:  # noqa: A002
    """``input`` and ``alpha * other``, scaled in the dtype the two promote to (as PyTorch
    does: a float16 ``other`` times 2 must not overflow before meeting a float32 ``input``)."""
    a, b = operands(op, input, other)
    dt = getattr(b, "_data", b).dtype
    if dt.kind in "iu" and isinstance(alpha, (float, np.floating)):
        raise RuntimeError(
            f"{op}: For integral input tensors, argument alpha must not be a floating point "
            f"number (got alpha={alpha})."
        )
    if isinstance(alpha, (bool, np.bool_)) and dt.kind != "b":
        raise RuntimeError(f"{op}: Boolean alpha only supported for Boolean results.")
    if dt.kind == "b":  # bool arithmetic: alpha * other is other, or False for alpha 0
        alpha = bool(alpha)
    else:  # alpha must fit the result dtype, as in PyTorch (alpha=1e5 with float16 raises)
        fill_value(op, alpha, dt)
    return a, (mul(b, alpha) if isinstance(b, Tensor) else scalar_as(b.item() * alpha, dt))


def mul(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise product, broadcasting.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.mul(npgrad.tensor([1, 2]), npgrad.tensor([3, 4]))
    tensor([3, 8])
    """
    return binary(Mul, "mul", input, other, scalar_fn=MulScalar)


multiply = mul


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:  # noqa: A002
    """True division (integers give the default float dtype), or with ``rounding_mode``
    ``"trunc"`` / ``"floor"`` a rounded quotient of the promoted dtype (zero gradient).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.div(npgrad.tensor([3, 4]), 2)
    tensor([1.5000, 2.0000])
    >>> npgrad.div(npgrad.tensor([-3, 4]), 2, rounding_mode="trunc")
    tensor([-1,  2])
    """
    if rounding_mode is None:
        if not (_floating(input) or _floating(other)):
            # true division of integers (or bools) gives the default float dtype
            d = dtypes.get_default_dtype()
            input, other = _to(input, d), _to(other, d)
        return binary(Div, "div", input, other, scalar_fn=DivScalar)
    if rounding_mode == "floor":
        return binary(FloorDivide, "div", input, other)
    if rounding_mode == "trunc":
        return binary(TruncDivide, "div", input, other)
    raise ValueError(
        f"div: expected rounding_mode to be one of None, 'trunc' or 'floor', got {rounding_mode!r}"
    )


true_divide = divide = div


def floor_divide(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``floor(input / other)`` in the promoted dtype (zero gradient), like ``//``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.floor_divide(npgrad.tensor([7, -7]), 2), npgrad.tensor([7.5]) // 2
    (tensor([ 3, -4]), tensor([3.]))
    """
    return binary(FloorDivide, "floor_divide", input, other)


def remainder(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input - floor(input / other) * other``: the result has the divisor's sign, like ``%``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.remainder(npgrad.tensor([7, -7]), 3), npgrad.tensor([7, -7]) % -3
    (tensor([1, 2]), tensor([-2, -1]))
    """
    return binary(Remainder, "remainder", input, other)


def neg(input: Tensor) -> Tensor:  # noqa: A002
    """``-input``.

    Examples
    --------
    >>> import npgrad
    >>> -npgrad.tensor([1.5, -2.0])
    tensor([-1.5000,  2.0000])
    """
    if input.dtype.kind == "b":
        raise TypeError("neg: negation of a bool tensor is not supported; use logical_not")
    return Neg.apply(input)  # type: ignore[no-any-return]


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001, A002
    """``input ** exponent``, broadcasting; either may be a scalar.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.pow(npgrad.tensor([1.0, 2.0, 3.0]), 2)
    tensor([1., 4., 9.])
    """
    if (
        isinstance(input, Tensor)
        and input.dtype.kind in "biu"
        and isinstance(exponent, (int, np.integer))
        and not isinstance(exponent, (bool, np.bool_))
        and exponent < 0
    ):
        # only a scalar exponent (checked before a uint8 base wraps it around): tensors of
        # exponents are computed element-wise (_int_pow), as in PyTorch
        raise RuntimeError("pow: integers to negative integer powers are not allowed")
    a, b = operands("pow", input, exponent)
    if (
        isinstance(exponent, (int, float))
        and not -128 <= exponent <= 255  # (the common exponents skip the full check)
        and isinstance(a, Tensor)
        and (a._data.dtype.kind in "iu" or a._data.dtype.itemsize == 2)
    ):
        # a number exponent must fit an integer or float16 result, as in PyTorch
        # (x16 ** 1e5 raises; float32 ** 1e39 and a number base, 1e5 ** x16, do not)
        fill_value("pow", exponent, a._data.dtype)
    if _is_bool(a) and _is_bool(b):
        # PyTorch: a bool tensor to a bool number stays bool (x ** True is x, x ** False is
        # all True); a bool tensor as the exponent has no pow
        if isinstance(b, Tensor):
            raise NotImplementedError("pow: \"pow\" not implemented for 'Bool' exponent tensors")
        return a.clone() if b else Tensor._make(np.ones(a.shape, np.bool_), False, None)
    return binary(Pow, "pow", a, b)


def _is_bool(x: Any) -> bool:
    return isinstance(x, (bool, np.bool_)) or getattr(getattr(x, "dtype", None), "kind", "") == "b"


def _floating(x: Any) -> bool:
    """A floating Tensor/array or a Python/NumPy float."""
    kind = getattr(getattr(x, "dtype", None), "kind", None)
    return kind == "f" if kind is not None else isinstance(x, float)


def _to(x: Any, d: np.dtype) -> Any:
    if isinstance(x, Tensor):
        return x.to(d)
    if isinstance(x, np.ndarray):
        return x.astype(d)
    return float(x)
