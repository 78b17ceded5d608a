"""Fractional max pooling (Graham, 2014): pooling regions of pseudo-random sizes.

Graham's "Fractional Max-Pooling" (arXiv:1412.6071) pools ``kernel_size`` windows whose
starts advance by a non-integer mean step ``alpha = (n - k) / (o - 1)``. PyTorch draws one
``u`` in ``[0, 1)`` per (sample, channel, dimension) and starts window ``i`` at
``floor((i + u)·alpha) - floor(u·alpha)`` for ``i < o - 1`` and the last one at ``n - k``,
with the arithmetic done in the input's dtype (float32 rounding moves a start now and then,
so it is done in that dtype here too). With the same ``_random_samples`` the windows, the
maxima and the indices are PyTorch's exactly. In 2-D, ``u[..., 0]`` drives the width and
``u[..., 1]`` the height; in 3-D, ``u[..., t]`` drives spatial dimension ``t`` (PyTorch's
layout, checked by the parity tests).

Windows are gathered by kernel tap, as in :mod:`._pool_ops`: tap ``(a, b)`` of every window
of every plane is one ``take_along_axis`` at the windows' flat starts (which differ per
plane) shifted by the tap's flat offset. The maximum is PyTorch's scan: the first maximum in
row-major window order, a NaN wins (the last one). The gradient is scattered to the flat
indices as :class:`._pool_ops.PlaneMaxPool` does for every such pool; the scatter's backward is
a gather, so second-order gradients work.
"""

from __future__ import annotations

import itertools
import math
import numbers
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.nn.functional._im2col import _check_input, _ntuple, _who
from npgrad.nn.functional._pool_ops import PlaneMaxPool

__all__ = [
    "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d",
    "fractional_max_pool3d_with_indices",
]

_DIM_NAMES = {2: ("height", "width"), 3: ("depth", "height", "width")}


def _window_starts(u: np.ndarray, n: int, o: int, k: int) -> np.ndarray:
    """Start of each of the ``o`` windows of size ``k`` along a dimension of size ``n``, per
    sample ``u`` (shape ``(P,)``) -> ``(P, o)``. Computed in ``u``'s dtype, as PyTorch does:
    the truncation of ``(i + u)·alpha`` can differ between float32 and float64."""
    dt = u.dtype.type
    starts = np.empty(u.shape + (o,), np.int64)
    if o > 1:
        alpha = dt(n - k) / dt(o - 1)
        i = np.arange(o - 1).astype(u.dtype)
        # non-negative values: the cast truncates, which is the floor of the formula
        starts[:, :-1] = ((i + u[:, None]) * alpha).astype(np.int64)
        starts[:, :-1] -= (u * alpha).astype(np.int64)[:, None]
    if o > 0:
        starts[:, -1] = n - k
    return starts


def _fractional_max_forward(
    x: np.ndarray, kernel: tuple[int, ...], out_size: tuple[int, ...], u: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Maxima and flat per-plane indices; ``x`` is ``(N, C, *S)``, ``u`` is ``(N, C, nd)``."""
    nd = len(kernel)
    lead, spatial = x.shape[:2], x.shape[2:]
    planes = x.reshape(math.prod(lead), math.prod(spatial))
    u = u.reshape(-1, nd)
    strides = [math.prod(spatial[t + 1 :]) for t in range(nd)]
    # flat index of each window's first element, (P, *out_size)
    base = np.zeros((planes.shape[0],) + (1,) * nd, np.int64)
    for t in range(nd):
        col = nd - 1 - t if nd == 2 else t  # which sample drives dimension t (see module doc)
        s = _window_starts(u[:, col], spatial[t], out_size[t], kernel[t])
        base = base + (s * strides[t]).reshape(
            (len(u),) + (1,) * t + (out_size[t],) + (1,) * (nd - 1 - t)
        )
    base = base.reshape(planes.shape[0], math.prod(out_size))
    out = np.take_along_axis(planes, base, axis=1)  # tap 0: offset 0
    arg = np.zeros(base.shape, np.int64)  # flat offset of the winning tap
    for tap in itertools.islice(np.ndindex(*kernel), 1, None):
        off = sum(a * st for a, st in zip(tap, strides))
        # every window fits, so base + off stays in the plane: read from a shifted view
        # rather than add the offset to every index
        v = np.take_along_axis(planes[:, off:], base, axis=1)
        # PyTorch's scan: take val when val > max or val is NaN (the last NaN wins);
        # arithmetic blending rather than a masked write, as in _pool_ops
        won = np.greater(v, out)
        won |= np.isnan(v)
        np.maximum(out, v, out=out)
        arg += won * (off - arg)
    shape = lead + out_size
    return out.reshape(shape), (base + arg).reshape(shape)


class FractionalMaxPool(PlaneMaxPool):
    """Fractional max pooling of ``(N, C, *S)``; the gradient goes to each window's maximum."""

    @staticmethod
    def forward(
        ctx: Any,
        x: np.ndarray,
        kernel: tuple[int, ...],
        out_size: tuple[int, ...],
        samples: np.ndarray,
        want_indices: bool,
    ) -> Any:
        out, idx = _fractional_max_forward(x, kernel, out_size, samples)
        return PlaneMaxPool._outputs(ctx, x, out, idx, len(kernel), want_indices)


def _ratio(value: Any, nd: int, op: Any) -> tuple[float, ...]:
    vals = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(vals) == 1:
        vals = vals * nd
    if len(vals) != nd or not all(
        isinstance(v, numbers.Real) and not isinstance(v, bool) for v in vals
    ):
        raise TypeError(
            f"{_who(op)}: output_ratio must be a number or a tuple of {nd} numbers, got {value!r}"
        )
    if not all(0.0 < float(v) < 1.0 for v in vals):
        raise ValueError(f"{_who(op)}: output_ratio must be between 0 and 1 (got {value!r})")
    return tuple(float(v) for v in vals)


def _check_sizes(output_size: Any, output_ratio: Any, nd: int, op: Any) -> None:
    """The argument checks that need no input (done by the layers at construction too)."""
    if output_size is None and output_ratio is None:
        raise ValueError(f"{_who(op)} requires specifying either an output_size or an output_ratio")
    if output_size is not None and output_ratio is not None:
        raise ValueError(
            f"{_who(op)}: only one of output_size and output_ratio may be specified, got "
            f"output_size={output_size!r} and output_ratio={output_ratio!r}"
        )
    if output_ratio is not None:
        _ratio(output_ratio, nd, op)


def _samples(u: Any, x: Tensor, nd: int, op: Any) -> np.ndarray:
    """The ``(N, C, nd)`` samples for a batched ``x``: given ones checked, else drawn."""
    n, c = x.shape[0], x.shape[1]
    if u is None:
        # the global generator, so that npgrad.manual_seed makes the windows reproducible
        return npgrad.rand(n, c, nd, dtype=x.dtype)._data
    if not isinstance(u, Tensor):
        raise TypeError(
            f"{_who(op)}: expected _random_samples to be a Tensor, got {type(u).__name__}"
        )
    if u.dtype != x.dtype:
        raise TypeError(
            f"{_who(op)}: expected _random_samples to have the input's dtype {x.dtype}, got "
            f"{u.dtype}"
        )
    if u.ndim != 3 or u.shape[0] < n or u.shape[1] != c or u.shape[2] != nd:
        raise ValueError(
            f"{_who(op)}: expected _random_samples of shape (N, C, {nd}) = ({n}, {c}, {nd}) "
            f"(a larger first dimension is allowed) for input of shape {tuple(x.shape)}, got "
            f"{tuple(u.shape)}"
        )
    arr = u._data[:n]
    # samples outside [0, 1] would start windows outside the input
    if arr.size and not ((arr >= 0).all() and (arr <= 1).all()):
        raise ValueError(
            f"{_who(op)}: _random_samples must lie in [0, 1], got values from "
            f"{float(arr.min())} to {float(arr.max())}"
        )
    return np.ascontiguousarray(arr)


def _fractional_max_pool(
    input: Tensor,  # noqa: A002
    nd: int,
    op: Any,
    kernel_size: Any,
    output_size: Any,
    output_ratio: Any,
    return_indices: bool,
    _random_samples: Any,
) -> Any:
    x = _check_input(input, nd, op)
    kernel = _ntuple(kernel_size, nd, "kernel_size", op, minimum=1)
    _check_sizes(output_size, output_ratio, nd, op)
    spatial = tuple(x.shape[-nd:])
    if min(x.shape[x.ndim - nd - 1 :]) <= 0:
        raise ValueError(
            f"{_who(op)}: expected input with non-empty channel and spatial dimensions, got "
            f"input of shape {tuple(x.shape)}"
        )
    if output_size is None:
        out = tuple(int(n * r) for n, r in zip(spatial, _ratio(output_ratio, nd, op)))
    else:
        out = _ntuple(output_size, nd, "output_size", op)
    for name, n, o, k in zip(_DIM_NAMES[nd], spatial, out, kernel):
        if o + k - 1 > n:
            raise ValueError(
                f"{_who(op)}: pool {name} {k} too large relative to input {name} {n} for output "
                f"{name} {o} (need output_size + kernel_size - 1 <= input size; input shape "
                f"{tuple(x.shape)}, kernel_size={kernel}, output_size={out})"
            )
    batched = x if x.ndim == nd + 2 else x.unsqueeze(0)
    u = _samples(_random_samples, batched, nd, op)
    res = FractionalMaxPool.apply(batched, kernel, out, u, bool(return_indices))
    if x.ndim == nd + 2:
        return res
    return tuple(r.squeeze(0) for r in res) if isinstance(res, tuple) else res.squeeze(0)


def fractional_max_pool2d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Tensor | None = None,
) -> Any:
    """2-D fractional max pooling over ``(N, C, H, W)`` or ``(C, H, W)`` (Graham, 2014).

    ``kernel_size`` windows start at pseudo-random positions whose mean step makes the output
    ``output_size`` (or ``floor(input size · output_ratio)``, ratios in ``(0, 1)``); see
    :class:`npgrad.nn.FractionalMaxPool2d`.

    Parameters
    ----------
    input : Tensor
        ``(N, C, H, W)`` or ``(C, H, W)``.
    kernel_size : int or tuple of 2 ints
        Window size ``(kH, kW)``.
    output_size : int or tuple of 2 ints, optional
        Output ``(oH, oW)``; needs ``oH + kH - 1 <= H`` (and the same for the width).
    output_ratio : float or tuple of 2 floats, optional
        Output size as a fraction of the input size (exactly one of the two is given).
    return_indices : bool
        Also return the flat index of each maximum in its ``H·W`` input plane.
    _random_samples : Tensor, optional
        ``(N, C, 2)`` samples in ``[0, 1)`` of the input's dtype (``[..., 0]`` for the width,
        ``[..., 1]`` for the height; ``(1, C, 2)`` for an unbatched input). Drawn from the
        global generator when omitted; the same samples give PyTorch's windows exactly.

    Returns
    -------
    Tensor or (Tensor, Tensor)
        The maxima, and with ``return_indices`` their int64 indices.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> x = npgrad.arange(25.0).reshape(1, 1, 5, 5)
    >>> u = npgrad.full((1, 1, 2), 0.5)
    >>> F.fractional_max_pool2d(x, 2, output_size=3, return_indices=True, _random_samples=u)
    (tensor([[[[ 6.,  8.,  9.],
              [16., 18., 19.],
              [21., 23., 24.]]]]), tensor([[[[ 6,  8,  9],
              [16, 18, 19],
              [21, 23, 24]]]]))
    """
    return _fractional_max_pool(
        input,
        2,
        "fractional_max_pool2d",
        kernel_size,
        output_size,
        output_ratio,
        return_indices,
        _random_samples,
    )


def fractional_max_pool3d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Tensor | None = None,
) -> Any:
    """3-D fractional max pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)`` (Graham, 2014).

    As :func:`fractional_max_pool2d` with ``(kD, kH, kW)`` windows; ``_random_samples`` is
    ``(N, C, 3)``, sample ``[..., t]`` driving spatial dimension ``t`` (depth, height, width).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> x = npgrad.arange(64.0).reshape(1, 1, 4, 4, 4)
    >>> F.fractional_max_pool3d(x, 2, output_ratio=0.5).flatten()  # 2 windows of 2 per dim
    tensor([21., 23., 29., 31., 53., 55., 61., 63.])
    """
    return _fractional_max_pool(
        input,
        3,
        "fractional_max_pool3d",
        kernel_size,
        output_size,
        output_ratio,
        return_indices,
        _random_samples,
    )


def fractional_max_pool2d_with_indices(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """:func:`fractional_max_pool2d` returning ``(values, indices)`` (``return_indices`` is
    ignored, as in PyTorch).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.fractional_max_pool2d_with_indices(npgrad.arange(4.0).reshape(1, 2, 2), 1, 1)
    (tensor([[[3.]]]), tensor([[[3]]]))
    """
    return _fractional_max_pool(  # type: ignore[no-any-return]
        input,
        2,
        "fractional_max_pool2d_with_indices",
        kernel_size,
        output_size,
        output_ratio,
        True,
        _random_samples,
    )


def fractional_max_pool3d_with_indices(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """:func:`fractional_max_pool3d` returning ``(values, indices)`` (``return_indices`` is
    ignored, as in PyTorch).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> x = npgrad.arange(8.0).reshape(1, 2, 2, 2)
    >>> F.fractional_max_pool3d_with_indices(x, 2, 1)
    (tensor([[[[7.]]]]), tensor([[[[7]]]]))
    """
    return _fractional_max_pool(  # type: ignore[no-any-return]
        input,
        3,
        "fractional_max_pool3d_with_indices",
        kernel_size,
        output_size,
        output_ratio,
        True,
        _random_samples,
    )
