"""Elementwise ops of two or three operands beyond arithmetic: atan2, maximum, minimum,
clamp and lerp.

Operands are promoted like arithmetic's (scalars never widen a tensor). Non-differentiable
points follow PyTorch: ``clamp`` passes the gradient where ``min <= x <= max``; ``maximum`` and
``minimum`` split it evenly between equal inputs; ``atan2``'s gradient is 0 at the origin.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.autograd.function import Function
from npgrad.ops._broadcast import sum_to
from npgrad.ops._promote import (
    _tensor_or_scalar,
    check_broadcast,
    fill_value,
    operands,
    scalar_as,
    tensor_arg,
)
from npgrad.ops.arithmetic import add, sub
from npgrad.ops.comparison import eq, ge, gt, le, logical_and, logical_or, lt, where
from npgrad.ops.elementwise import cast
from npgrad.tensor import Tensor

__all__ = ["arctan2", "atan2", "clamp", "clip", "lerp", "maximum", "minimum"]


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
    pa, pb = operands(op, a, b)
    if to_float and pa.dtype.kind != "f":
        # integers give the default float dtype: each operand converted as it is, not after
        # their integer promotion (a uint8 tensor and -3 must not meet in uint8)
        d = dtypes.get_default_dtype()
        pa, pb = operands(op, *(_as(_tensor_or_scalar(op, v), d) for v in (a, b)))
    a, b = pa, pb
    try:
        return fn.apply(a, b)  # type: ignore[no-any-return]
    except ValueError:
        check_broadcast(op, a, b)
        raise


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


def _as(v: Any, d: np.dtype, op: str | None = None) -> Any:
    """``v`` in dtype ``d``: a Tensor cast, a number converted (with ``op``, into an integer
    dtype: checked as PyTorch checks a number written into a tensor, out of range raising)."""
    if v is None:
        return None
    if isinstance(v, Tensor):
        return cast(v, d)
    return fill_value(op, v, d) if op is not None and d.kind in "iu" else scalar_as(v, d)


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
    x = tensor_arg("clamp", input)
    lo, hi = _operand("clamp", "min", min), _operand("clamp", "max", max)
    if lo is None and hi is None:
        raise ValueError("clamp: at least one of 'min' or 'max' must not be None")
    d = dtypes.result_type(x, *(v for v in (lo, hi) if v is not None))
    x, lo, hi = _as(x, d), _as(lo, d, "clamp"), _as(hi, d, "clamp")
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
    start = tensor_arg("lerp", input)
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
arctan2 = atan2
clip = clamp
