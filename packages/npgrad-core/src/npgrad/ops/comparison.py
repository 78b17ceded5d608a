"""Comparisons and logic (never differentiable), predicates, and ``where``; the bitwise ops
live in :mod:`npgrad.ops.bitwise`.

Both operands are promoted like arithmetic's (``int tensor < 2.5`` compares as floats), so
``x == 0.1`` means the same for a float32 tensor as in PyTorch; results are bool tensors.
``where`` is the one differentiable op here: the gradient goes to the branch each element
came from.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.autograd.function import Function
from npgrad.ops._broadcast import sum_to
from npgrad.ops._promote import check_broadcast, const, fill_value, operands, tensor_arg
from npgrad.tensor import Tensor

__all__ = [
    "allclose",
    "eq",
    "equal",
    "ge",
    "greater",
    "greater_equal",
    "gt",
    "is_complex",
    "is_same_size",
    "is_signed",
    "isfinite",
    "isin",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "isreal",
    "le",
    "less",
    "less_equal",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "lt",
    "ne",
    "not_equal",
    "where",
]


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
    """``input == other`` elementwise, as a bool tensor.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.eq(npgrad.tensor([1, 2, 3]), 2)
    tensor([False,  True, False])
    """
    return _compare("eq", np.equal, input, other)


def ne(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input != other`` elementwise, as a bool tensor.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tensor([1.0, 2.0]) != npgrad.tensor([1.0, 3.0])
    tensor([False,  True])
    """
    return _compare("ne", np.not_equal, input, other)


def lt(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input < other`` elementwise, as a bool tensor (operands promoted first).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.lt(npgrad.tensor([1, 2, 3]), 2.5)
    tensor([ True,  True, False])
    """
    return _compare("lt", np.less, input, other)


def le(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input <= other`` elementwise, as a bool tensor.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tensor([1, 2, 3]) <= 2
    tensor([ True,  True, False])
    """
    return _compare("le", np.less_equal, input, other)


def gt(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input > other`` elementwise, as a bool tensor (comparisons with nan are False).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.gt(npgrad.tensor([1.0, float("nan")]), 0.0)
    tensor([ True, False])
    """
    return _compare("gt", np.greater, input, other)


def ge(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input >= other`` elementwise, as a bool tensor.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tensor([1, 2, 3]) >= npgrad.tensor([2, 2, 2])
    tensor([False,  True,  True])
    """
    return _compare("ge", np.greater_equal, input, other)


def logical_and(input: Any, other: Any) -> Tensor:  # noqa: A002
    """True where both elements are nonzero.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.logical_and(npgrad.tensor([1, 0, 2]), npgrad.tensor([True, True, False]))
    tensor([ True, False, False])
    """
    return _compare("logical_and", np.logical_and, input, other)


def logical_or(input: Any, other: Any) -> Tensor:  # noqa: A002
    """True where either element is nonzero.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.logical_or(npgrad.tensor([1, 0, 0]), npgrad.tensor([0.0, 0.5, 0.0]))
    tensor([ True,  True, False])
    """
    return _compare("logical_or", np.logical_or, input, other)


def logical_xor(input: Any, other: Any) -> Tensor:  # noqa: A002
    """True where exactly one of the elements is nonzero.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.logical_xor(npgrad.tensor([True, True]), npgrad.tensor([True, False]))
    tensor([False,  True])
    """
    return _compare("logical_xor", np.logical_xor, input, other)


def logical_not(input: Tensor) -> Tensor:  # noqa: A002
    """True where the element is zero.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.logical_not(npgrad.tensor([0.0, 2.0]))
    tensor([ True, False])
    """
    return const(np.logical_not(tensor_arg("logical_not", input)._data))


def isnan(input: Tensor) -> Tensor:  # noqa: A002
    """True where the element is nan.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.isnan(npgrad.tensor([1.0, float("nan")]))
    tensor([False,  True])
    """
    return const(np.isnan(tensor_arg("isnan", input)._data))


def isinf(input: Tensor) -> Tensor:  # noqa: A002
    """True where the element is +inf or -inf.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.isinf(npgrad.tensor([1.0, float("-inf")]))
    tensor([False,  True])
    """
    return const(np.isinf(tensor_arg("isinf", input)._data))


def isfinite(input: Tensor) -> Tensor:  # noqa: A002
    """True where the element is neither inf nor nan.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.isfinite(npgrad.tensor([1.0, float("inf"), float("nan")]))
    tensor([ True, False, False])
    """
    return const(np.isfinite(tensor_arg("isfinite", input)._data))


def equal(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    """True when both tensors have the same shape and elements.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.equal(npgrad.tensor([1, 2]), npgrad.tensor([1, 2])), npgrad.tensor([1]).equal(npgrad.tensor([1, 1]))
    (True, False)
    """
    a, b = tensor_arg("equal", input), tensor_arg("equal", other)
    return a.shape == b.shape and bool(np.array_equal(a._data, b._data))


def allclose(
    input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:  # noqa: A002
    """True when ``|input - other| <= atol + rtol * |other|`` everywhere.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.allclose(npgrad.tensor([1.0, 2.0]), npgrad.tensor([1.0, 2.0 + 1e-7]))
    True
    """
    o = other._data if isinstance(other, Tensor) else other
    a = tensor_arg("allclose", input)._data
    return bool(np.allclose(a, o, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isposinf(input: Tensor) -> Tensor:  # noqa: A002
    """True where the element is +inf (never for integer tensors).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.isposinf(npgrad.tensor([1.0, float("inf"), float("-inf")]))
    tensor([False,  True, False])
    """
    x = tensor_arg("isposinf", input)._data
    return const(np.isposinf(x) if x.dtype.kind == "f" else np.zeros(x.shape, np.bool_))


def isneginf(input: Tensor) -> Tensor:  # noqa: A002
    """True where the element is -inf (never for integer tensors).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.isneginf(npgrad.tensor([1.0, float("inf"), float("-inf")]))
    tensor([False, False,  True])
    """
    x = tensor_arg("isneginf", input)._data
    return const(np.isneginf(x) if x.dtype.kind == "f" else np.zeros(x.shape, np.bool_))


def isreal(input: Tensor) -> Tensor:  # noqa: A002
    """True where the element is real: everywhere, as npgrad has no complex dtypes.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.isreal(npgrad.tensor([1.0, float("nan")]))
    tensor([True, True])
    """
    return const(np.ones(tensor_arg("isreal", input).shape, np.bool_))


def is_complex(input: Tensor) -> bool:  # noqa: A002
    """Whether the tensor has a complex dtype: always False, as npgrad has none.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.is_complex(npgrad.tensor([1.0]))
    False
    """
    tensor_arg("is_complex", input)
    return False


def is_signed(input: Tensor) -> bool:  # noqa: A002
    """Whether the tensor's dtype holds negative values (floats and signed integers).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.is_signed(npgrad.tensor([1])), npgrad.is_signed(npgrad.tensor([1], dtype=npgrad.uint8))
    (True, False)
    """
    return tensor_arg("is_signed", input).dtype.kind in "if"


def is_same_size(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    """Whether both tensors have the same shape.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.is_same_size(npgrad.zeros(2, 3), npgrad.ones(2, 3))
    True
    """
    return tensor_arg("is_same_size", input).shape == tensor_arg("is_same_size", other).shape


def isin(
    elements: Any, test_elements: Any, *, assume_unique: bool = False, invert: bool = False
) -> Tensor:
    """True where an element of ``elements`` is one of ``test_elements`` (or is not, with
    ``invert=True``). Either may be a number; both are promoted to a common dtype first, and
    nan is never found. ``assume_unique`` is a speed hint: both are then taken to hold no
    repeated values.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.isin(npgrad.tensor([[1, 2], [3, 4]]), npgrad.tensor([2, 3]))
    tensor([[False,  True],
            [ True, False]])
    >>> npgrad.isin(npgrad.tensor([1.0, 2.5]), 2.5, invert=True)
    tensor([ True, False])
    """
    a, b = operands("isin", elements, test_elements)
    xa = a._data if isinstance(a, Tensor) else np.asarray(a)
    xb = b._data if isinstance(b, Tensor) else np.asarray(b)
    return const(np.isin(xa, xb, assume_unique=assume_unique, invert=invert))


# PyTorch's other names
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


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
    if input is None and other is None:  # nonzero(as_tuple=True): any dtype, as in PyTorch
        idx = np.nonzero(np.atleast_1d(cond._data))
        return tuple(Tensor._make(i.astype(np.int64, copy=False), False, None) for i in idx)
    if cond.dtype.kind != "b":
        # PyTorch refuses non-bool conditions too: a float mask is usually a bug
        raise TypeError(f"where: expected condition to be a boolean tensor, got {cond.dtype}")
    if input is None or other is None:
        raise TypeError("where: expected both input and other, or neither")
    given_input = input
    if not isinstance(input, (Tensor, np.ndarray)) and not isinstance(other, (Tensor, np.ndarray)):
        # two scalars: the result has their promoted dtype (where(c, 1.0, 0) is float32)
        d = dtypes.result_type(input, other)
        input = Tensor._make(np.asarray(fill_value("where", input, d), dtype=d), False, None)
    a, b = operands("where", input, other)
    for given, got in ((given_input, a), (other, b)):
        if isinstance(given, (int, float, np.number)):
            # a number out of the dtype's range raises, as in PyTorch (300 with int8, 1e39
            # with float32; with float16, 1e5 becomes inf: see fill_value)
            fill_value("where", given, got.dtype)
    try:
        return Where.apply(cond, a, b)
    except ValueError:
        check_broadcast("where", cond, a)
        check_broadcast("where", cond, b)
        check_broadcast("where", a, b)
        raise
