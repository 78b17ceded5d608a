"""``histogramdd`` (``torch.histogramdd``): the histogram of points in D dimensions, with
:func:`npgrad.histogram`'s bin rules in each dimension (re-exported by
:mod:`npgrad.ops.statistics`)."""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from npgrad.ops._promote import const, tensor_arg
from npgrad.ops._return_types import named_pair
from npgrad.tensor import Tensor

_HistogramddResult = named_pair("histogramdd", "hist", "bin_edges", __name__, "_HistogramddResult")


def _edges(op: str, col: np.ndarray, bins: Any, rng: Any, dt: np.dtype, k: int) -> np.ndarray:
    from npgrad.ops.statistics import _linspace

    if isinstance(bins, Tensor):
        if bins.ndim != 1 or bins.numel() < 1:
            raise ValueError(f"{op}: the edges of dimension {k} must be a non-empty 1-D tensor")
        edges = bins._data.astype(dt)
        if np.any(np.diff(edges) < 0):
            raise ValueError(f"{op}: the edges of dimension {k} must be increasing")
        return edges  # type: ignore[no-any-return]
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins <= 0:
        raise ValueError(f"{op}: bin counts must be positive ints, got {bins!r} for dimension {k}")
    if rng is not None:
        lo, hi = float(rng[0]), float(rng[1])
        if lo > hi:
            raise ValueError(f"{op}: min must not exceed max in range, got [{lo}, {hi}]")
    elif col.size == 0:
        lo, hi = 0.0, 1.0  # no points: PyTorch's (and NumPy's) default range
    else:
        fin = col[np.isfinite(col)]
        lo, hi = (float(fin.min()), float(fin.max())) if fin.size else (0.0, 0.0)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"{op}: range of [{lo}, {hi}] is not finite")
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return _linspace(lo, hi, int(bins) + 1, dt)


def histogramdd(
    input: Tensor,  # noqa: A002
    bins: Any = 10,
    *,
    range: Any = None,  # noqa: A002
    weight: Tensor | None = None,
    density: bool = False,
) -> Any:
    """The histogram of the points ``input[..., :]`` (the last dimension holds the D
    coordinates): a named tuple ``(hist, bin_edges)``, ``hist`` of shape ``(bins_1, ...,
    bins_D)`` and ``bin_edges`` a tuple of D edge tensors.

    ``bins`` is one count for every dimension, a list of D counts, or a list of D 1-D
    tensors of increasing edges; ``range`` is ``[min_1, max_1, ..., min_D, max_D]`` (the
    data's range by default). Each bin holds ``[left, right)``, the last ``[left, right]``;
    points outside are not counted. ``weight`` (one per point) adds weights instead of ones;
    ``density=True`` normalises to a probability density. Float tensors only; no gradient.

    Examples
    --------
    >>> import npgrad
    >>> pts = npgrad.tensor([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]])
    >>> npgrad.histogramdd(pts, bins=2, range=[0.0, 2.0, 0.0, 1.0]).hist
    tensor([[1., 0.],
            [0., 2.]])
    """
    op = "histogramdd"
    x = tensor_arg(op, input)
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating point tensor, got {x.dtype}")
    if x.ndim < 1:
        raise ValueError(f"{op}: expected a tensor of points (at least 1-D), got a 0-d tensor")
    dt, d = x.dtype, x.shape[-1]
    pts = x._data.reshape(-1, d)
    per = list(bins) if isinstance(bins, (list, tuple)) else [bins] * d
    if len(per) != d:
        raise ValueError(
            f"{op}: the number of bins specifications ({len(per)}) must be the size of the "
            f"innermost dimension of input ({d})"
        )
    if range is not None:
        range = [float(v) for v in range]  # noqa: A001
        if len(range) != 2 * d:
            raise ValueError(f"{op}: range must hold 2 * {d} values, got {len(range)}")
    edges = [
        _edges(op, pts[:, k], per[k], None if range is None else range[2 * k : 2 * k + 2], dt, k)
        for k in builtins.range(d)
    ]
    if weight is not None:
        w = tensor_arg(op, weight)
        if w.shape != x.shape[:-1]:
            raise ValueError(
                f"{op}: weight must have the shape of input without its last dimension "
                f"{x.shape[:-1]}, got {w.shape}"
            )
        wa = w._data.reshape(-1).astype(dt)
    else:
        wa = np.ones(pts.shape[0], dt)
    inside = np.ones(pts.shape[0], bool)
    idx = []
    for k, e in enumerate(edges):
        col = pts[:, k]
        inside &= (col >= e[0]) & (col <= e[-1])
        idx.append(np.minimum(np.searchsorted(e, col, side="right") - 1, e.size - 2))
    shape = tuple(e.size - 1 for e in edges)
    hist = np.zeros(shape, np.float64)
    np.add.at(hist, tuple(i[inside] for i in idx), wa[inside])
    if density and hist.size:
        vol = np.ones(shape)
        for k, e in enumerate(edges):
            vol = vol * np.diff(e.astype(np.float64)).reshape((1,) * k + (-1,) + (1,) * (d - k - 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            hist = hist / (hist.sum() * vol)
    return _HistogramddResult(const(hist.astype(dt)), tuple(const(e) for e in edges))
