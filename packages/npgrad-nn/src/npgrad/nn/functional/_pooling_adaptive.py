"""Adaptive pooling (``adaptive_avg_pool*``, ``adaptive_max_pool*``), ``max_unpool*`` and
PyTorch's ``*_with_indices`` spellings of the max pools, 1-D, 2-D and 3-D; the fixed-window
pools are in :mod:`._pooling`, whose semantics these share.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgrad import Tensor
from npgrad.autograd.function import Function
from npgrad.nn.functional._errors import _ValueRuntimeError
from npgrad.nn.functional._im2col import _check_input, _Geom, _ntuple, _who
from npgrad.nn.functional._pool_ops import (
    AdaptiveMaxPool,
    AvgPoolNd,
    MaxUnpool,
    _adaptive_avg_matrix,
)
from npgrad.nn.functional._pooling import _batched, max_pool1d, max_pool2d, max_pool3d
from npgrad.ops._shape_util import ShapeError

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d",
    "adaptive_max_pool3d_with_indices",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
]


# ---- adaptive pooling -----------------------------------------------------------------------
def _adaptive_size(x: Tensor, nd: int, output_size: Any, op: Any) -> tuple[int, ...]:
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != nd:
            raise _ValueRuntimeError(
                f"{_who(op)}: output_size must have {nd} elements, got {output_size!r}"
            )
        sizes = tuple(x.shape[-nd + t] if s is None else s for t, s in enumerate(output_size))
    else:
        sizes = (output_size,) * nd
    out = _ntuple(sizes, nd, "output_size", op)
    if min(x.shape[-nd:]) <= 0:
        raise ShapeError(
            f"{_who(op)}: expected non-empty spatial dimensions, got input of shape {tuple(x.shape)}"
        )
    return out


class _AdaptiveAvgAxis(Function):
    """Adaptive averaging along one axis (``x @ m.T`` there, ``m`` the ``(o, n)`` averaging
    matrix) with PyTorch's local non-finite values: an output is NaN or infinite only when its
    own window holds one, where the product with ``m`` would spread them through its zeros.
    Only used for inputs that hold NaN or inf."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, axis: int, m: np.ndarray) -> np.ndarray:
        ctx.axis, ctx.m = axis, m
        xs = np.moveaxis(x, axis, -1)
        y = np.where(np.isfinite(xs), xs, 0) @ m.T
        support = (m.T != 0).astype(x.dtype)

        def hit(mask: np.ndarray) -> np.ndarray:
            return (mask.astype(x.dtype) @ support) > 0

        pos, neg, nan = hit(xs == np.inf), hit(xs == -np.inf), hit(np.isnan(xs))
        y[pos] = np.inf
        y[neg] = -np.inf
        y[nan | (pos & neg)] = np.nan
        return np.ascontiguousarray(np.moveaxis(y, -1, axis))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        # the adjoint does not depend on x: the plain product, in npgrad ops (any order)
        m = Tensor._make(ctx.m, False, None)
        return (grad.transpose(ctx.axis, -1) @ m).transpose(ctx.axis, -1), None, None


def _adaptive_avg(input: Tensor, nd: int, output_size: Any, op: Any) -> Tensor:  # noqa: A002
    x = _check_input(input, nd, op)
    out = _adaptive_size(x, nd, output_size, op)
    spatial = tuple(x.shape[-nd:])
    if all(o > 0 and n % o == 0 for n, o in zip(spatial, out)):
        k = tuple(n // o for n, o in zip(spatial, out))  # equal windows: plain average pooling
        g = _Geom(spatial, out, k, k, (0,) * nd, (1,) * nd)
        scale = np.asarray(1.0 / math.prod(k), x.dtype)
        return _batched(x, nd, lambda t: AvgPoolNd.apply(t, g, scale))  # type: ignore[no-any-return]
    # unequal windows: averaging is separable, one small matrix per dimension
    lead = tuple(x.shape[: x.ndim - nd])
    y = x
    for t in range(nd - 1, -1, -1):
        m = _adaptive_avg_matrix(spatial[t], out[t], x.dtype)
        if t == nd - 1:
            y = y @ Tensor._make(np.ascontiguousarray(m.T), False, None)
            continue
        before, rest = spatial[:t], out[t + 1 :]
        y = y.reshape(lead + before + (spatial[t], math.prod(rest)))
        y = (Tensor._make(m, False, None) @ y).reshape(lead + before + (out[t],) + rest)
    if not np.isfinite(y._data).all():  # NaN or inf in the input: keep them in their windows
        y = x
        for t in range(nd):
            m = _adaptive_avg_matrix(spatial[t], out[t], x.dtype)
            y = _AdaptiveAvgAxis.apply(y, x.ndim - nd + t, m)
    return y


def _adaptive_max(input: Tensor, nd: int, output_size: Any, return_indices: bool, op: Any) -> Any:  # noqa: A002
    x = _check_input(input, nd, op)
    out = _adaptive_size(x, nd, output_size, op)
    if min(out) <= 0:
        raise ShapeError(f"{_who(op)}: output_size must be positive, got {out}")
    return _batched(x, nd, lambda t: AdaptiveMaxPool.apply(t, out, bool(return_indices)))


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """1-D average pooling to a fixed output length.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.adaptive_avg_pool1d(npgrad.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]]), 2)
    tensor([[[2., 4.]]])
    """
    return _adaptive_avg(input, 1, output_size, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """2-D average pooling to a fixed output size (``None`` keeps that input size).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.adaptive_avg_pool2d(npgrad.arange(16.0).reshape(1, 1, 4, 4), 1)
    tensor([[[[7.5000]]]])
    """
    return _adaptive_avg(input, 2, output_size, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """3-D average pooling to a fixed output size.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.adaptive_avg_pool3d(npgrad.ones(1, 2, 3, 3, 3), 1).shape
    npgrad.Size([1, 2, 1, 1, 1])
    """
    return _adaptive_avg(input, 3, output_size, "adaptive_avg_pool3d")


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    """1-D max pooling to a fixed output length.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.adaptive_max_pool1d(npgrad.tensor([[[1.0, 5.0, 2.0, 4.0, 3.0]]]), 2, return_indices=True)
    (tensor([[[5., 4.]]]), tensor([[[1, 3]]]))
    """
    return _adaptive_max(input, 1, output_size, return_indices, "adaptive_max_pool1d")


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    """2-D max pooling to a fixed output size.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.adaptive_max_pool2d(npgrad.arange(9.0).reshape(1, 1, 3, 3), 2)
    tensor([[[[4., 5.],
              [7., 8.]]]])
    """
    return _adaptive_max(input, 2, output_size, return_indices, "adaptive_max_pool2d")


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    """3-D max pooling to a fixed output size.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.adaptive_max_pool3d(npgrad.arange(8.0).reshape(1, 1, 2, 2, 2), 1).flatten()
    tensor([7.])
    """
    return _adaptive_max(input, 3, output_size, return_indices, "adaptive_max_pool3d")


# ---- max_unpool -----------------------------------------------------------------------------
def _max_unpool(
    input: Tensor,
    indices: Tensor,
    nd: int,
    op: Any,
    kernel_size: Any,
    stride: Any,  # noqa: A002
    padding: Any,
    output_size: Any,
) -> Tensor:
    x = _check_input(input, nd, op)
    if not isinstance(indices, Tensor) or indices.dtype.kind not in "iu":
        raise TypeError(
            f"{_who(op)}: expected indices to be an integer Tensor, got {indices!r:.60}"
        )
    if tuple(indices.shape) != tuple(x.shape):
        raise ShapeError(
            f"{_who(op)}: expected indices of the same shape as the input {tuple(x.shape)}, got "
            f"{tuple(indices.shape)}"
        )
    kernel = _ntuple(kernel_size, nd, "kernel_size", op, minimum=1)
    st = _ntuple(kernel if stride is None else stride, nd, "stride", op, minimum=1)
    pad = _ntuple(padding, nd, "padding", op)
    default = tuple((n - 1) * s + k - 2 * p for n, s, k, p in zip(x.shape[-nd:], st, kernel, pad))
    if output_size is None:
        size = default
    else:
        size = tuple(output_size)
        if len(size) == nd + 2 or (len(size) == nd + 1 and x.ndim == nd + 1):
            size = size[-nd:]
        if len(size) != nd:
            raise ValueError(
                f"{_who(op)}: output_size must have {nd} or {nd + 2} elements, got {output_size!r}"
            )
        for t, (want, got) in enumerate(zip(default, size)):
            if not want - st[t] < got < want + st[t]:
                raise ValueError(
                    f'{_who(op)}: invalid output_size "{size}" (dim {t} must be between '
                    f"{want - st[t]} and {want + st[t]})"
                )
    if min(size) <= 0:
        raise ShapeError(
            f"{_who(op)}: output size {size} must be positive (input shape {tuple(x.shape)})"
        )
    plane = math.prod(size)
    idx = indices._data
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        bad = int(idx.max() if idx.max() >= plane else idx.min())
        raise _ValueRuntimeError(
            f"{_who(op)}: found an invalid max index {bad} (output volumes are of size {size})"
        )
    shape = tuple(x.shape[: x.ndim - nd]) + size
    return MaxUnpool.apply(x, idx.astype(np.int64, copy=False), nd, shape)  # type: ignore[no-any-return]


def max_unpool1d(
    input: Tensor,
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,  # noqa: A002
    output_size: Any = None,
) -> Tensor:
    """Partial inverse of :func:`max_pool1d`: values put back at ``indices``, zeros elsewhere.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> y, i = F.max_pool1d(npgrad.tensor([[[1.0, 3.0, 2.0, 5.0]]]), 2, return_indices=True)
    >>> F.max_unpool1d(y, i, 2)
    tensor([[[0., 3., 0., 5.]]])
    """
    return _max_unpool(input, indices, 1, "max_unpool1d", kernel_size, stride, padding, output_size)


def max_unpool2d(
    input: Tensor,
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,  # noqa: A002
    output_size: Any = None,
) -> Tensor:
    """Partial inverse of :func:`max_pool2d`: values put back at ``indices``, zeros elsewhere.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> y, i = F.max_pool2d(npgrad.arange(4.0).reshape(1, 1, 2, 2), 2, return_indices=True)
    >>> F.max_unpool2d(y, i, 2)
    tensor([[[[0., 0.],
              [0., 3.]]]])
    """
    return _max_unpool(input, indices, 2, "max_unpool2d", kernel_size, stride, padding, output_size)


def max_unpool3d(
    input: Tensor,
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,  # noqa: A002
    output_size: Any = None,
) -> Tensor:
    """Partial inverse of :func:`max_pool3d`.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> y, i = F.max_pool3d(npgrad.arange(8.0).reshape(1, 1, 2, 2, 2), 2, return_indices=True)
    >>> F.max_unpool3d(y, i, 2).flatten()
    tensor([0., 0., 0., 0., 0., 0., 0., 7.])
    """
    return _max_unpool(input, indices, 3, "max_unpool3d", kernel_size, stride, padding, output_size)


# ---- PyTorch's ``*_with_indices`` spellings: always ``(values, indices)`` ----------------------
def max_pool1d_with_indices(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """:func:`max_pool1d` returning ``(values, indices)`` (``return_indices`` is ignored, as in
    PyTorch).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.max_pool1d_with_indices(npgrad.tensor([[[1.0, 3.0, 2.0, 5.0]]]), 2)
    (tensor([[[3., 5.]]]), tensor([[[1, 3]]]))
    """
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)  # type: ignore[no-any-return]


def max_pool2d_with_indices(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """:func:`max_pool2d` returning ``(values, indices)`` (``return_indices`` is ignored, as in
    PyTorch).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.max_pool2d_with_indices(npgrad.arange(4.0).reshape(1, 1, 2, 2), 2)
    (tensor([[[[3.]]]]), tensor([[[[3]]]]))
    """
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)  # type: ignore[no-any-return]


def adaptive_max_pool1d_with_indices(
    input: Tensor,  # noqa: A002
    output_size: Any,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """:func:`adaptive_max_pool1d` returning ``(values, indices)``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.adaptive_max_pool1d_with_indices(npgrad.tensor([[[1.0, 5.0, 2.0, 4.0]]]), 2)
    (tensor([[[5., 4.]]]), tensor([[[1, 3]]]))
    """
    return adaptive_max_pool1d(input, output_size, True)  # type: ignore[no-any-return]


def adaptive_max_pool2d_with_indices(
    input: Tensor,  # noqa: A002
    output_size: Any,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """:func:`adaptive_max_pool2d` returning ``(values, indices)``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.adaptive_max_pool2d_with_indices(npgrad.arange(4.0).reshape(1, 1, 2, 2), 1)
    (tensor([[[[3.]]]]), tensor([[[[3]]]]))
    """
    return adaptive_max_pool2d(input, output_size, True)  # type: ignore[no-any-return]


def max_pool3d_with_indices(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """:func:`max_pool3d` returning ``(values, indices)`` (``return_indices`` is ignored, as in
    PyTorch).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.max_pool3d_with_indices(npgrad.arange(8.0).reshape(1, 1, 2, 2, 2), 2)
    (tensor([[[[[7.]]]]]), tensor([[[[[7]]]]]))
    """
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)  # type: ignore[no-any-return]


def adaptive_max_pool3d_with_indices(
    input: Tensor,  # noqa: A002
    output_size: Any,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """:func:`adaptive_max_pool3d` returning ``(values, indices)``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.adaptive_max_pool3d_with_indices(npgrad.arange(8.0).reshape(1, 2, 2, 2), 1)
    (tensor([[[[7.]]]]), tensor([[[[7]]]]))
    """
    return adaptive_max_pool3d(input, output_size, True)  # type: ignore[no-any-return]
