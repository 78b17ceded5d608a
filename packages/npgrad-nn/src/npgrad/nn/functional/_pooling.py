"""Pooling: ``max_pool``, ``avg_pool`` and ``lp_pool`` (1-D, 2-D and 3-D), plus — re-exported
from :mod:`._upsample` — ``interpolate``, ``upsample*``, ``pixel_shuffle`` and
``pixel_unshuffle``. Adaptive pooling, ``max_unpool`` and the ``*_with_indices`` spellings are
in :mod:`._pooling_adaptive`.

Semantics are PyTorch's: ``stride`` defaults to ``kernel_size``; ``ceil_mode`` lets the last
window hang over the input when it starts inside it; max pooling picks the first maximum in
row-major window order (a NaN wins) and ``return_indices`` gives flat indices into each
input plane; ``count_include_pad`` and ``divisor_override`` choose the averaging divisor.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgrad import Tensor
from npgrad.nn.functional._errors import _ValueRuntimeError
from npgrad.nn.functional._im2col import _check_input, _Geom, _ntuple, _out_size, _who
from npgrad.nn.functional._pool_ops import (
    AvgPoolNd,
    MaxPoolNd,
)
from npgrad.nn.functional._upsample import *  # noqa: F403 (the upsampling family lives there)
from npgrad.nn.functional._upsample import __all__ as _upsample_all
from npgrad.ops._shape_util import ShapeError

__all__ = [
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    *_upsample_all,
]


def _batched(x: Tensor, nd: int, fn: Any) -> Any:
    """Run ``fn`` on a batched input; an unbatched ``(C, *S)`` gets a batch of one."""
    if x.ndim == nd + 2:
        return fn(x)
    out = fn(x.unsqueeze(0))
    return tuple(o.squeeze(0) for o in out) if isinstance(out, tuple) else out.squeeze(0)


def _window_geom(
    x: Tensor,
    nd: int,
    op: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
) -> _Geom:
    """Validated geometry of a pooling window (PyTorch's output-size rule and limits)."""
    kernel = _ntuple(kernel_size, nd, "kernel_size", op, minimum=1)
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        stride = kernel
    st = _ntuple(stride, nd, "stride", op, minimum=1)
    pad = _ntuple(padding, nd, "padding", op)
    dil = _ntuple(dilation, nd, "dilation", op, minimum=1)
    # PyTorch's limit (for max pooling too, whatever the dilation): padding <= kernel // 2
    if any(p > k // 2 for p, k in zip(pad, kernel)):
        raise _ValueRuntimeError(
            f"{_who(op)}: pad should be at most half of kernel size, but got padding={pad} and "
            f"kernel_size={kernel}"
        )
    spatial = tuple(x.shape[-nd:])
    out = tuple(
        _out_size(n, k, s, p, p, d, bool(ceil_mode))
        for n, k, s, p, d in zip(spatial, kernel, st, pad, dil)
    )
    if min(out) <= 0:
        raise ShapeError(
            f"{_who(op)}: input of shape {tuple(x.shape)} with kernel_size={kernel}, stride={st}, "
            f"padding={pad}, dilation={dil} gives output size {out}; it is too small (must be "
            "positive)"
        )
    return _Geom(spatial, out, kernel, st, pad, dil)


def _max_pool(
    input: Tensor,
    nd: int,
    op: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,  # noqa: A002
    dilation: Any,
    ceil_mode: bool,
    return_indices: bool,
) -> Any:
    x = _check_input(input, nd, op)
    g = _window_geom(x, nd, op, kernel_size, stride, padding, dilation, ceil_mode)
    return _batched(x, nd, lambda t: MaxPoolNd.apply(t, g, bool(return_indices)))


def _avg_divisor(
    g: _Geom, count_include_pad: bool, divisor_override: Any, dtype: np.dtype, op: Any
) -> np.ndarray:
    """1 / divisor per output position (a product of per-dimension factors, as in PyTorch)."""
    if divisor_override is not None:
        if int(divisor_override) == 0:
            raise _ValueRuntimeError(f"{_who(op)}: divisor_override must be non-zero")
        return np.asarray(1.0 / int(divisor_override), dtype)
    scale = np.ones((), np.float64)
    for t, (n, o, k, s, p) in enumerate(zip(g.in_size, g.out_size, g.kernel, g.stride, g.pad)):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        size = end - start if count_include_pad else np.minimum(end, n) - np.maximum(start, 0)
        scale = scale[..., None] * size.reshape((1,) * t + (-1,))
    return (1.0 / scale).astype(dtype)


def _avg_pool(
    input: Tensor,
    nd: int,
    op: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,  # noqa: A002
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: Any,
) -> Tensor:
    x = _check_input(input, nd, op)
    g = _window_geom(x, nd, op, kernel_size, stride, padding, 1, ceil_mode)
    scale = _avg_divisor(g, bool(count_include_pad), divisor_override, x.dtype, op)
    return _batched(x, nd, lambda t: AvgPoolNd.apply(t, g, scale))  # type: ignore[no-any-return]


def max_pool1d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """1-D max pooling over ``(N, C, L)`` or ``(C, L)``; see :class:`npgrad.nn.MaxPool1d`.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.max_pool1d(npgrad.tensor([[[1.0, 3.0, 2.0, 5.0, 4.0]]]), 2, return_indices=True)
    (tensor([[[3., 5.]]]), tensor([[[1, 3]]]))
    """
    return _max_pool(
        input, 1, "max_pool1d", kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def max_pool2d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """2-D max pooling over ``(N, C, H, W)`` or ``(C, H, W)``; see :class:`npgrad.nn.MaxPool2d`.

    The gradient goes to the first maximum of each window (row-major), as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.max_pool2d(npgrad.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    return _max_pool(
        input, 2, "max_pool2d", kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def max_pool3d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """3-D max pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.max_pool3d(npgrad.arange(8.0).reshape(1, 1, 2, 2, 2), 2).flatten()
    tensor([7.])
    """
    return _max_pool(
        input, 3, "max_pool3d", kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def avg_pool1d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """1-D average pooling; see :class:`npgrad.nn.AvgPool1d`.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.avg_pool1d(npgrad.tensor([[[1.0, 2.0, 3.0, 4.0]]]), 2)
    tensor([[[1.5000, 3.5000]]])
    """
    return _avg_pool(
        input, 1, "avg_pool1d", kernel_size, stride, padding, ceil_mode, count_include_pad, None
    )


def avg_pool2d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """2-D average pooling; see :class:`npgrad.nn.AvgPool2d`.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> x = npgrad.ones(1, 1, 3, 3)
    >>> F.avg_pool2d(x, 2, padding=1, count_include_pad=False)
    tensor([[[[1., 1.],
              [1., 1.]]]])
    >>> F.avg_pool2d(x, 2, padding=1)
    tensor([[[[0.2500, 0.5000],
              [0.5000, 1.0000]]]])
    """
    return _avg_pool(
        input,
        2,
        "avg_pool2d",
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )


def avg_pool3d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """3-D average pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.avg_pool3d(npgrad.arange(8.0).reshape(1, 1, 2, 2, 2), 2).flatten()
    tensor([3.5000])
    """
    return _avg_pool(
        input,
        3,
        "avg_pool3d",
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )


def _lp_pool(
    input: Tensor,
    nd: int,
    op: str,
    norm_type: float,
    kernel_size: Any,
    stride: Any,  # noqa: A002
    ceil_mode: bool,
) -> Tensor:
    # PyTorch's definition: (sum over the window of x^p)^(1/p), via an average times the size
    kernel = _ntuple(kernel_size, nd, "kernel_size", op, minimum=1)
    p = float(norm_type)
    if p == 0.0:  # PyTorch fails with Python's ZeroDivisionError computing 1 / p
        raise ValueError(f"{op}: norm_type must be non-zero, got {norm_type}")
    if math.isinf(p):  # PyTorch's limits: the largest (inf) or smallest (-inf) |x| of a window
        if p > 0:
            return _max_pool(input.abs(), nd, op, kernel, stride, 0, 1, ceil_mode, False)  # type: ignore[no-any-return]
        return -_max_pool(-input.abs(), nd, op, kernel, stride, 0, 1, ceil_mode, False)  # type: ignore[no-any-return]
    out = _avg_pool(input**p, nd, op, kernel, stride, 0, ceil_mode, True, None)
    return (out.sign() * out.abs().relu() * math.prod(kernel)) ** (1.0 / p)


def lp_pool1d(
    input: Tensor,
    norm_type: float,
    kernel_size: Any,
    stride: Any = None,
    ceil_mode: bool = False,  # noqa: A002
) -> Tensor:
    """1-D power-average pooling: ``(sum_window x^p)^(1/p)``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.lp_pool1d(npgrad.tensor([[[3.0, 4.0]]]), 2, 2)
    tensor([[[5.]]])
    """
    return _lp_pool(input, 1, "lp_pool1d", norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(
    input: Tensor,
    norm_type: float,
    kernel_size: Any,
    stride: Any = None,
    ceil_mode: bool = False,  # noqa: A002
) -> Tensor:
    """2-D power-average pooling: ``(sum_window x^p)^(1/p)``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.lp_pool2d(npgrad.ones(1, 1, 2, 2), 1, 2)
    tensor([[[[4.]]]])
    """
    return _lp_pool(input, 2, "lp_pool2d", norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(
    input: Tensor,
    norm_type: float,
    kernel_size: Any,
    stride: Any = None,
    ceil_mode: bool = False,  # noqa: A002
) -> Tensor:
    """3-D power-average pooling: ``(sum_window x^p)^(1/p)``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.lp_pool3d(npgrad.full((1, 1, 2, 2, 2), 2.0), 1, 2).flatten()
    tensor([16.])
    """
    return _lp_pool(input, 3, "lp_pool3d", norm_type, kernel_size, stride, ceil_mode)
