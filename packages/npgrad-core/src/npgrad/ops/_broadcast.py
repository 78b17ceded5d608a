"""Broadcasting and its inverse, the pair every binary op's backward relies on.

``expand`` repeats a tensor along size-1 and new leading dimensions (a read-only NumPy view,
no copy); ``sum_to`` sums a gradient back to the shape an input had before broadcasting.
Each is the other's backward, so both are differentiable to any order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from npgrad.autograd._views import ViewFunction
from npgrad.autograd.function import Function

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["Expand", "SumTo", "sum_to"]


def _sum_to(a: Any, shape: tuple[int, ...]) -> np.ndarray:
    lead = a.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and a.shape[lead + i] != 1
    )
    return np.sum(a, axis=axes, keepdims=True).reshape(shape) if axes else a.reshape(shape)


class SumTo(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.in_shape = a.shape
        return _sum_to(a, shape)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return Expand.apply(grad, ctx.in_shape), None


class Expand(ViewFunction):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.in_shape = a.shape
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return sum_to(grad, ctx.in_shape), None


def sum_to(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``grad`` over the dimensions broadcasting added or stretched, to get ``shape``.
    On a NumPy array (an ``_array_backward`` running on arrays) it returns an array."""
    if grad.shape == shape:
        return grad
    if isinstance(grad, (np.ndarray, np.generic)):  # NumPy 0-d operators give scalars
        return _sum_to(grad, shape)
    return SumTo.apply(grad, shape)
