"""The machinery of the reductions (:mod:`npgrad.ops.reduction` and its private family modules):
``dim`` normalisation, output shapes, accumulation dtypes, and ``Sum`` with its adjoint
``ExpandReduced`` (each is the other's backward, so every reduction's gradient built on
``_expand_back`` is differentiable again).
"""

from __future__ import annotations

import builtins
import math
import operator
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.autograd.function import Function
from npgrad.tensor import Tensor

_F16, _F32, _I64 = dtypes.float16, dtypes.float32, dtypes.int64


# ---- dims and shapes ---------------------------------------------------------------------
def _dim(op: str, d: Any, ndim: int) -> int:
    """One dim, wrapped into ``[0, ndim)`` (a 0-d tensor accepts 0 and -1, like PyTorch)."""
    if isinstance(d, bool) or not hasattr(d, "__index__"):
        raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {type(d).__name__}")
    d = operator.index(d)
    n = builtins.max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(
            f"{op}: dimension out of range (expected to be in range of [{-n}, {n - 1}], "
            f"but got {d})"
        )
    return d % n


def _dims(op: str, dim: Any, ndim: int) -> tuple[int, ...]:
    """``dim`` as a sorted tuple of axes; None and ``()`` mean every dimension."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    if not isinstance(dim, (tuple, list)):
        dim = (dim,)
    axes = [_dim(op, d, ndim) for d in dim]
    for i, a in enumerate(axes):
        if a in axes[:i]:
            raise RuntimeError(f"{op}: dim {a} appears multiple times in the list of dims")
    return tuple(sorted(axes)) if ndim else ()


def _kept(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _out_shape(shape: tuple[int, ...], axes: tuple[int, ...], keepdim: bool) -> tuple[int, ...]:
    if keepdim:
        return _kept(shape, axes)
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _count(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    return math.prod(shape[a] for a in axes)


def _acc(dtype: np.dtype) -> np.dtype:
    return _F32 if dtype == _F16 else dtype


def _shaped(a: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    # always an ndarray: NumPy reduces 0-d arrays to scalars, and a saved output must be
    # the very array the op returns
    return np.asarray(a).reshape(shape).astype(dtype, copy=False)


def _expand_back(g: Any, shape: tuple[int, ...], axes: tuple[int, ...], keepdim: bool) -> Any:
    """A reduction's output gradient ``g`` broadcast back over the input ``shape`` (a Tensor,
    or an array when an ``_array_backward`` runs on arrays, like ``sum_to``)."""
    if g.shape == shape:
        return g
    if isinstance(g, (np.ndarray, np.generic)):
        return _broadcast_back(g, shape, axes, keepdim)
    return ExpandReduced.apply(g, shape, axes, keepdim)


def _broadcast_back(
    g: Any, shape: tuple[int, ...], axes: tuple[int, ...], keepdim: bool
) -> np.ndarray:
    kept = np.asarray(g if keepdim else g.reshape(_kept(shape, axes)))
    if not kept.flags.c_contiguous:
        return np.broadcast_to(kept, shape)
    # np.broadcast_to's read-only view, made directly (zero strides on the reduced dims):
    # ~0.9 us instead of ~2.3 us of its Python and iterator set-up, on every sum's and
    # mean's backward
    strides = tuple(0 if k != n else st for k, n, st in zip(kept.shape, shape, kept.strides))
    view = np.ndarray(shape, kept.dtype, buffer=kept, strides=strides)
    view.flags.writeable = False
    return view


class ExpandReduced(Function):
    """The adjoint of ``Sum``: restores the reduced dims (size 1) and broadcasts."""

    @staticmethod
    def forward(
        ctx: Any, g: np.ndarray, shape: tuple[int, ...], axes: Any, keepdim: bool
    ) -> np.ndarray:
        ctx.axes, ctx.keepdim = axes, keepdim
        return _broadcast_back(g, shape, axes, keepdim)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        return Sum.apply(grad, ctx.axes, ctx.keepdim, grad.dtype), None, None, None


# ---- sum ---------------------------------------------------------------------------------------
class Sum(Function):
    _widens = True  # dtype= may ask for a wider float
    _array_backward = True  # backward: _expand_back only
    _one_tensor = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, axes: Any, keepdim: bool, dtype: np.dtype) -> np.ndarray:
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        out = np.sum(a, axis=axes, dtype=_acc(dtype), keepdims=keepdim)
        return np.asarray(out).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        return _expand_back(grad, ctx.shape, ctx.axes, ctx.keepdim), None, None, None
