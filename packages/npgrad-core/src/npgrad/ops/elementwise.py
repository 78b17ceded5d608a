"""Elementwise ops: casts, comparisons and logic (no gradient), unary math, clamp, where.

Non-differentiable points follow PyTorch: relu'(0) = 0, abs'(0) = 0, sign' = 0, and
maximum/minimum split the gradient evenly between equal inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad.autograd.function import Function
from npgrad.ops._broadcast import sum_to
from npgrad.ops._promote import check_broadcast, operands
from npgrad.tensor import Tensor

__all__ = [
    "allclose",
    "bitwise_and",
    "bitwise_not",
    "bitwise_or",
    "bitwise_xor",
    "cast",
    "eq",
    "equal",
    "ge",
    "gt",
    "isfinite",
    "isinf",
    "isnan",
    "le",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "lt",
    "ne",
    "where",
]


# ---- casts ---------------------------------------------------------------------------------
class Cast(Function):
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
        raise TypeError(f"bitwise_not: only integer and bool tensors are supported, got {input.dtype}")
    return Tensor._make(np.invert(input._data), False, None)


def isnan(input: Tensor) -> Tensor:  # noqa: A002
    return Tensor._make(np.isnan(input._data), False, None)


def isinf(input: Tensor) -> Tensor:  # noqa: A002
    return Tensor._make(np.isinf(input._data), False, None)


def isfinite(input: Tensor) -> Tensor:  # noqa: A002
    return Tensor._make(np.isfinite(input._data), False, None)


def equal(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    """True when both tensors have the same shape and elements."""
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


def allclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:  # noqa: A002
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


def where(condition: Any, input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input`` where ``condition`` holds, else ``other`` (broadcasting; scalars allowed).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([-1.0, 2.0])
    >>> npgrad.where(x > 0, x, 0.0)
    tensor([0., 2.])
    """
    if not isinstance(condition, Tensor):
        condition = Tensor._make(np.asarray(condition, dtype=bool), False, None)
    elif condition.dtype.kind != "b":
        condition = Tensor._make(condition._data.astype(bool), False, None)
    a, b = operands("where", input, other)
    try:
        return Where.apply(condition, a, b)  # type: ignore[no-any-return]
    except ValueError:
        check_broadcast("where", condition, a)
        check_broadcast("where", condition, b)
        raise
