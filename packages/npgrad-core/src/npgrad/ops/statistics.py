"""Statistics over tensors: quantiles, covariance, histograms, distances (defined in
:mod:`npgrad.ops._distance`), extrema pairs, trapezoid integration and ``renorm``.

The differentiable ones are built from differentiable ops (``sort``, ``gather``, ``lerp``,
``mm``, ``norm``...), so their gradients -- and second order -- follow from those; ``cdist``
has its own Function, whose backward gives 0 where a distance is 0, as PyTorch's does.
Histograms count and are never differentiable.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.ops._aliases import numpy_aliases
from npgrad.ops._distance import _p_arg, cdist, dist, pdist
from npgrad.ops._histogramdd import histogramdd as histogramdd
from npgrad.ops._promote import const, tensor_arg
from npgrad.ops._return_types import named_pair
from npgrad.ops._shape_util import ShapeError
from npgrad.ops.arithmetic import mul
from npgrad.ops.binary import clamp, lerp
from npgrad.ops.comparison import where
from npgrad.ops.elementwise import cast, sqrt
from npgrad.ops.extrema import amax, amin
from npgrad.ops.reduction import mean, norm
from npgrad.ops.reduction import sum as _sum
from npgrad.tensor import Tensor, _check_dim

__all__ = [
    "histogramdd",
    "aminmax",
    "cdist",
    "corrcoef",
    "cov",
    "cumulative_trapezoid",
    "dist",
    "histc",
    "histogram",
    "nanquantile",
    "pdist",
    "quantile",
    "renorm",
    "trapezoid",
    "trapz",
]

_AminmaxResult = named_pair("aminmax", "min", "max", __name__, "_AminmaxResult")
_HistogramResult = named_pair("histogram", "hist", "bin_edges", __name__, "_HistogramResult")


def _float_arg(op: str, x: Any) -> Tensor:
    t = tensor_arg(op, x)
    if t.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating point tensor, got {t.dtype}")
    return t


# ---- quantiles ------------------------------------------------------------------------------
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(
    op: str, input: Any, q: Any, dim: Any, keepdim: bool, interpolation: str, ignore_nan: bool
) -> Tensor:
    x = _float_arg(op, input)
    dt = x.dtype
    if isinstance(q, Tensor):
        if q.dtype != dt:
            raise TypeError(f"{op}: q must have the dtype of input ({dt}), got {q.dtype}")
        if q.ndim > 1:
            raise ValueError(f"{op}: q must be a scalar or a 1-D tensor, got shape {q.shape}")
        qa, q_is_vector = q._data, q.ndim == 1
    elif isinstance(q, (int, float, np.integer, np.floating)) and not isinstance(q, bool):
        qa, q_is_vector = np.asarray(q, dtype=dt), False
    else:
        raise TypeError(f"{op}: q must be a number or a Tensor, got {type(q).__name__}")
    if not np.all((qa >= 0) & (qa <= 1)):
        raise ValueError(f"{op}: q values must be in the range [0, 1], got {qa.tolist()}")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(
            f"{op}: interpolation must be one of {', '.join(_INTERPOLATIONS)}, "
            f"got {interpolation!r}"
        )
    if dim is None:
        src, axis = x.reshape(-1), 0
        out_shape: list[int] = [1] * x.ndim if keepdim else []
    else:
        axis = _check_dim(op, dim, x.ndim)
        src = x if x.ndim else x.reshape(1)
        out_shape = list(x.shape)
        if keepdim:
            if out_shape:
                out_shape[axis] = 1
        elif out_shape:
            del out_shape[axis]
    n = src.shape[axis]
    if n == 0:
        raise ValueError(f"{op}: input tensor must be non-empty along the reduced dimension")
    # sorted along the last axis (nan sorts last): gathering from it is differentiable
    s = src.movedim(axis, -1).sort(dim=-1).values
    qv = qa.reshape(-1)
    nan_mask = np.isnan(s._data[..., -1:])  # (..., 1): the slices holding a nan
    if ignore_nan:
        count = (~np.isnan(s._data)).sum(-1, keepdims=True).astype(dt)
        ranks = qv * (count - dt.type(1))  # (..., nq), in the input's dtype as PyTorch
        # a slice of nan only: rank 0 (its first nan, which gets the gradient), as PyTorch
        fixed = count == 0
        ranks = np.where(fixed, dt.type(0), ranks)
    else:
        ranks = np.broadcast_to(qv * dt.type(n - 1), nan_mask.shape[:-1] + qv.shape)
        fixed = nan_mask
        ranks = np.where(fixed, dt.type(n - 1), ranks)
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)
    below_i = ranks.astype(np.int64)
    if interpolation in ("linear", "midpoint"):
        above_i = np.ceil(ranks).astype(np.int64)
        below = s.gather(-1, const(below_i))
        above = s.gather(-1, const(above_i))
        if interpolation == "linear":
            w = const(np.asarray(ranks - below_i, dtype=dt))
            if isinstance(q, Tensor) and q.requires_grad:
                w = _q_weights(q, w, below_i, count if ignore_nan else n, fixed)
        else:
            w = const(np.full(ranks.shape, 0.5, dtype=dt))
        res = lerp(below, above, w)
    else:
        res = s.gather(-1, const(below_i))
    # (..., nq) -> (nq, *out_shape) or out_shape
    res = res.movedim(-1, 0)
    return res.reshape(*((qv.shape[0],) if q_is_vector else ()), *out_shape)


def _q_weights(q: Tensor, w: Tensor, below_i: np.ndarray, n: Any, fixed: np.ndarray) -> Tensor:
    """The linear interpolation weights ``ranks - below`` as a function of a ``q`` that
    requires grad, ``ranks = q * (n - 1)`` as PyTorch computes them, so that the gradient
    reaches ``q`` (none where the rank is fixed: a slice with a nan, or of nan only)."""
    ranks = q.reshape(-1) * const(np.asarray(n - 1, dtype=q.dtype))
    return where(const(fixed), w, ranks - const(below_i.astype(q.dtype)))


@numpy_aliases
def quantile(
    input: Tensor,  # noqa: A002
    q: Any,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
) -> Tensor:
    """The ``q``-th quantiles of ``input`` along ``dim`` (of all elements when None).

    ``q`` is a number or a 1-D tensor in ``[0, 1]`` (a 1-D ``q`` adds a leading dimension);
    ``interpolation`` picks, between the two nearest sorted values, ``"linear"`` (default),
    ``"lower"``, ``"higher"``, ``"midpoint"`` or ``"nearest"``. A slice holding a nan gives
    nan. Differentiable: the gradient goes to the one or two elements interpolated (and, with
    linear interpolation, to a ``q`` tensor that requires grad).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([[0.0, 1.0, 2.0, 3.0], [4.0, 8.0, 6.0, 5.0]])
    >>> npgrad.quantile(x, 0.5, dim=1)
    tensor([1.5000, 5.5000])
    >>> npgrad.quantile(x, npgrad.tensor([0.0, 1.0]), dim=1, interpolation="lower")
    tensor([[0., 4.],
            [3., 8.]])
    """
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


@numpy_aliases
def nanquantile(
    input: Tensor,  # noqa: A002
    q: Any,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
) -> Tensor:
    """:func:`quantile` ignoring nan: each slice's quantiles are those of its other values
    (nan for a slice of nan only).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.nanquantile(npgrad.tensor([1.0, float("nan"), 3.0]), 0.5)
    tensor(2.)
    """
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)


# ---- covariance -----------------------------------------------------------------------------
def cov(
    input: Tensor,  # noqa: A002
    *,
    correction: int = 1,
    fweights: Tensor | None = None,
    aweights: Tensor | None = None,
) -> Tensor:
    """The covariance matrix of the variables in the rows of ``input`` (1-D: one variable,
    a 0-d result), observations in the columns.

    ``correction`` is subtracted from the number of observations (1: the unbiased
    estimate); ``fweights`` (integer) are observation counts, ``aweights`` (float) relative
    importances, both 1-D with one entry per observation. Integer inputs give the default
    float dtype.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.cov(npgrad.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
    tensor([[ 1., -1.],
            [-1.,  1.]])
    """
    x = tensor_arg("cov", input)
    if x.ndim > 2:
        raise ValueError(f"cov: expected input to have two or fewer dimensions, got {x.ndim}")
    if x.dtype.kind != "f":
        x = cast(x, dtypes.get_default_dtype())
    x2 = x.reshape(1, -1) if x.ndim < 2 else x
    n_obs = x2.shape[1]
    w: Tensor | None = None
    if fweights is not None:
        f = tensor_arg("cov", fweights)
        if f.ndim > 1 or f.numel() != n_obs:
            raise ValueError(
                f"cov: expected fweights to have one dimension of size {n_obs}, got shape {f.shape}"
            )
        if f.dtype.kind not in "iu":
            raise TypeError(f"cov: expected fweights to have an integral dtype, got {f.dtype}")
        if (f._data < 0).any():
            raise ValueError("cov: fweights cannot be negative")
        w = cast(f.reshape(-1), x.dtype)
    aw: Tensor | None = None
    if aweights is not None:
        a = tensor_arg("cov", aweights)
        if a.ndim > 1 or a.numel() != n_obs:
            raise ValueError(
                f"cov: expected aweights to have one dimension of size {n_obs}, got shape {a.shape}"
            )
        if a.dtype.kind != "f":
            raise TypeError(f"cov: expected aweights to have a floating point dtype, got {a.dtype}")
        if (a._data < 0).any():
            raise ValueError("cov: aweights cannot be negative")
        aw = cast(a.reshape(-1), x.dtype)
        w = aw if w is None else w * aw
    if w is None:
        avg = mean(x2, 1, keepdim=True)
        norm_factor: Any = float(n_obs - correction)
    else:
        w_sum = _sum(w)
        avg = _sum(x2 * w, 1, keepdim=True) / w_sum
        if aw is None or correction == 0:
            norm_factor = w_sum - correction
        else:
            norm_factor = w_sum - correction * _sum(w * aw) / w_sum
    nf = float(norm_factor.item() if isinstance(norm_factor, Tensor) else norm_factor)
    if nf <= 0:
        warnings.warn("cov: degrees of freedom <= 0 for the given correction", RuntimeWarning, 2)
        norm_factor = 0.0
    xm = x2 - avg
    xw = xm if w is None else xm * w
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 degrees of freedom: inf or nan
        c = (xm @ xw.mT) / norm_factor
    return c.reshape(()) if x2.shape[0] == 1 else c  # one variable: a 0-d result, as PyTorch


def corrcoef(input: Tensor) -> Tensor:  # noqa: A002
    """Pearson correlation coefficients of the variables in the rows of ``input`` (see
    :func:`cov`), clipped to ``[-1, 1]``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.corrcoef(npgrad.tensor([[0.0, 1.0, 2.0], [1.0, 3.0, 2.0]]))
    tensor([[1.0000, 0.5000],
            [0.5000, 1.0000]])
    """
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = sqrt(c.diagonal())
    with np.errstate(divide="ignore", invalid="ignore"):
        c = c / d.unsqueeze(1) / d.unsqueeze(0)
    return clamp(c, -1.0, 1.0)


# ---- histograms -----------------------------------------------------------------------------
def _data_range(x: np.ndarray, lo: float, hi: float) -> tuple[float, float]:
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    return lo, hi


def _linspace(lo: float, hi: float, steps: int, dt: np.dtype) -> np.ndarray:
    # PyTorch's linspace: the step in the dtype, each half from its end (lo + i * step, then
    # hi - (steps - 1 - i) * step) with a fused multiply-add -- emulated in float64 for the
    # smaller dtypes -- so that edges agree to the last bit and elements on an edge fall in
    # the same bin
    t = dt.type
    step = float((t(hi) - t(lo)) / t(max(steps - 1, 1)))
    i = np.arange(steps, dtype=np.float64)
    out = np.where(i < steps // 2, float(t(lo)) + i * step, float(t(hi)) - (steps - 1 - i) * step)
    return out.astype(dt)


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A001, A002
    """Counts of the elements in ``bins`` equal-width bins over ``[min, max]`` (the data's
    range when ``min == max``; one wider each side if that is a point too). Elements outside
    are ignored; ``max`` itself falls in the last bin. Float tensors only; no gradient.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.histc(npgrad.tensor([1.0, 2.0, 1.0, 4.0]), bins=4, min=0, max=4)
    tensor([0., 2., 1., 1.])
    """
    x = _float_arg("histc", input)
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins <= 0:
        raise ValueError(f"histc: bins must be a positive integer, got {bins!r}")
    if not (math.isfinite(min) and math.isfinite(max)):
        raise ValueError(f"histc: range of [{min}, {max}] is not finite")
    if min > max:
        raise ValueError(f"histc: max must be larger than min, got min={min}, max={max}")
    a = x._data.reshape(-1)
    a = a[~np.isnan(a)]
    lo, hi = _data_range(a, float(min), float(max))
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"histc: range of [{lo}, {hi}] is not finite")
    dt = x.dtype.type
    a = a[(a >= dt(lo)) & (a <= dt(hi))]
    if x.dtype.itemsize == 2:  # (x - min) * bins would overflow float16
        dt, a = np.float32, a.astype(np.float32)
    # PyTorch's bin of an element: trunc((x - min) * bins / (max - min)) in the input's dtype
    pos = ((a - dt(lo)) * dt(bins) / (dt(hi) - dt(lo))).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    return const(np.bincount(pos, minlength=bins)[:bins].astype(x.dtype))


def histogram(
    input: Tensor,  # noqa: A002
    bins: Any = 100,
    *,
    range: tuple[float, float] | None = None,  # noqa: A002
    weight: Tensor | None = None,
    density: bool = False,
) -> Any:
    """A histogram of ``input``'s elements: a named tuple ``(hist, bin_edges)``.

    ``bins`` is a count of equal-width bins over ``range`` (the data's range by default) or a
    1-D tensor of increasing edges; each bin holds ``[left, right)``, the last
    ``[left, right]``. ``weight`` (``input``'s shape) adds weights instead of ones;
    ``density=True`` normalises to a probability density. Float tensors only; no gradient.

    Examples
    --------
    >>> import npgrad
    >>> h = npgrad.histogram(npgrad.tensor([1.0, 2.0, 1.0]), bins=4, range=(0.0, 4.0))
    >>> h.hist, h.bin_edges
    (tensor([0., 2., 1., 0.]), tensor([0., 1., 2., 3., 4.]))
    """
    x = _float_arg("histogram", input)
    a = x._data.reshape(-1)
    dt = x.dtype
    if isinstance(bins, Tensor):
        if bins.ndim != 1 or bins.numel() < 1:
            raise ValueError(f"histogram: bins must be a 1-D tensor of edges, got {bins.shape}")
        if bins.dtype != dt:
            raise TypeError(f"histogram: bins must have the input's dtype {dt}, got {bins.dtype}")
        edges = bins._data.copy()
        if np.any(np.diff(edges) < 0):
            raise ValueError("histogram: bin edges must be increasing")
    elif isinstance(bins, (int, np.integer)) and not isinstance(bins, bool):
        if bins <= 0:
            raise ValueError(f"histogram: bins must be positive, got {bins}")
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
            if lo > hi:
                raise ValueError(f"histogram: min must not exceed max, got range={range}")
        else:
            # no data at all: [0, 1], as PyTorch (and NumPy) bin an empty input
            fin = a[np.isfinite(a)]
            lo, hi = (float(fin.min()), float(fin.max())) if fin.size else (0.0, 0.0)
            if a.size == 0:
                lo, hi = 0.0, 1.0
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"histogram: range of [{lo}, {hi}] is not finite")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = _linspace(lo, hi, int(bins) + 1, dt)
    else:
        raise TypeError(f"histogram: bins must be an int or a Tensor, got {type(bins).__name__}")
    nb = edges.size - 1
    if weight is not None:
        wt = tensor_arg("histogram", weight)
        if wt.shape != x.shape:
            raise ValueError(
                f"histogram: weight must have the shape of input {x.shape}, got {wt.shape}"
            )
        wa: np.ndarray | None = wt._data.reshape(-1).astype(dt, copy=False)
    else:
        wa = None
    inside = (a >= edges[0]) & (a <= edges[-1])
    idx = np.searchsorted(edges, a[inside], side="right") - 1
    idx = np.minimum(idx, nb - 1)
    hist = np.bincount(idx, weights=None if wa is None else wa[inside], minlength=max(nb, 0))
    hist = hist[:nb].astype(dt)
    if density and nb > 0:
        total = hist.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            hist = (hist / (total * np.diff(edges))).astype(dt)
    return _HistogramResult(const(hist), const(edges))


@numpy_aliases
def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:  # noqa: A002
    """The minimum and maximum of ``input`` (over ``dim``, or all elements): a named tuple
    ``(min, max)``. Gradients as :func:`amin` and :func:`amax` (ties share evenly).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.aminmax(npgrad.tensor([[1.0, 5.0], [-2.0, 3.0]]), dim=1)
    npgrad.return_types.aminmax(
    min=tensor([ 1., -2.]),
    max=tensor([5., 3.]))
    """
    x = tensor_arg("aminmax", input)
    if dim is None:
        if x.numel() == 0:  # (a ShapeError: a RuntimeError, as PyTorch's, and a ValueError)
            raise ShapeError(
                f"aminmax: cannot compute aminmax over an empty tensor of shape {tuple(x.shape)}"
                " as the operation has no identity; give a 'dim' whose size is not zero"
            )
        lo, hi = amin(x), amax(x)
        if keepdim:
            lo, hi = lo.reshape([1] * x.ndim), hi.reshape([1] * x.ndim)
    else:
        # (PyTorch's rules: an empty dim raises an IndexError; the others may be empty)
        axis = _check_dim("aminmax", dim, x.ndim)
        if x.ndim and x.shape[axis] == 0:
            raise IndexError(f"aminmax: expected reduction dim {axis} to have non-zero size")
        lo, hi = amin(x, dim, keepdim), amax(x, dim, keepdim)
    return _AminmaxResult(lo, hi)


# ---- integration ----------------------------------------------------------------------------
def _trapezoid_args(op: str, y: Any, x: Any, dx: Any, dim: int) -> tuple[Tensor, Any, int]:
    t = tensor_arg(op, y)
    if t.dtype.kind != "f":
        t = cast(t, dtypes.get_default_dtype())
    axis = _check_dim(op, dim, t.ndim)
    if t.ndim == 0:
        raise ValueError(f"{op}: expected y to have at least one dimension")
    if x is not None and dx is not None:
        raise TypeError(f"{op}: give x or dx, not both")
    if isinstance(x, Tensor):
        xs = x if x.dtype.kind == "f" else cast(x, t.dtype)
        if xs.ndim == 1:
            if xs.shape[0] != t.shape[axis]:
                raise ValueError(
                    f"{op}: x has {xs.shape[0]} elements but y has {t.shape[axis]} along "
                    f"dimension {axis}"
                )
            xs = xs.reshape([-1 if i == axis else 1 for i in range(t.ndim)])
        n = xs.shape[axis] if xs.ndim == t.ndim else 0
        spacing: Any = xs.narrow(axis, 1, n - 1) - xs.narrow(axis, 0, n - 1) if n else None
        if spacing is None:
            raise ValueError(f"{op}: x must be 1-D or have y's number of dimensions {t.ndim}")
        return t, spacing, axis
    if x is not None:
        dx = x  # a number given as x is a spacing, as PyTorch's trapezoid(y, x=1.0) reads it
    return t, 1.0 if dx is None else float(dx), axis


@numpy_aliases
def trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The integral of ``y`` along ``dim`` by the trapezoidal rule: sample points ``x`` (1-D,
    or broadcastable to ``y``) or a constant spacing ``dx`` (default 1).

    Examples
    --------
    >>> import npgrad
    >>> y = npgrad.tensor([1.0, 2.0, 4.0])
    >>> npgrad.trapezoid(y), npgrad.trapezoid(y, npgrad.tensor([0.0, 1.0, 3.0]))
    (tensor(4.5000), tensor(7.5000))
    """
    t, spacing, axis = _trapezoid_args("trapezoid", y, x, dx, dim)
    n = t.shape[axis]
    if n == 0:
        return _sum(t, axis) * 0.0
    left, right = t.narrow(axis, 0, n - 1), t.narrow(axis, 1, n - 1)
    if isinstance(spacing, Tensor):
        return _sum(spacing * (left + right), axis) / 2.0
    ends = (t.select(axis, 0) + t.select(axis, n - 1)) * 0.5
    return (_sum(t, axis) - ends) * spacing


@numpy_aliases
def trapz(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """Alias of :func:`trapezoid`.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.trapz(npgrad.tensor([1.0, 3.0]), dx=2.0)
    tensor(4.)
    """
    return trapezoid(y, x, dx=dx, dim=dim)


@numpy_aliases
def cumulative_trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The running trapezoidal integral of ``y`` along ``dim`` (one element fewer than ``y``
    there); ``x`` and ``dx`` as in :func:`trapezoid`.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.cumulative_trapezoid(npgrad.tensor([1.0, 2.0, 4.0]))
    tensor([1.5000, 4.5000])
    """
    from npgrad.ops.scan import cumsum

    t, spacing, axis = _trapezoid_args("cumulative_trapezoid", y, x, dx, dim)
    n = t.shape[axis]
    if n == 0:
        return t
    left, right = t.narrow(axis, 0, n - 1), t.narrow(axis, 1, n - 1)
    if isinstance(spacing, Tensor):
        return cumsum(spacing * (left + right) / 2.0, axis)
    return cumsum((left + right) * (spacing / 2.0), axis)


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:  # noqa: A002
    """Each slice ``input.select(dim, i)`` whose ``p``-norm exceeds ``maxnorm`` scaled down to
    norm ``maxnorm`` (more precisely ``maxnorm / (norm + 1e-7)``, as PyTorch); the others
    unchanged.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.renorm(npgrad.tensor([[3.0, 4.0], [0.3, 0.4]]), 2, 0, 1.0)
    tensor([[0.6000, 0.8000],
            [0.3000, 0.4000]])
    """
    x = _float_arg("renorm", input)
    pp = _p_arg("renorm", p)
    if isinstance(maxnorm, bool) or not isinstance(maxnorm, (int, float, np.number)):
        raise TypeError(f"renorm: maxnorm must be a number, got {type(maxnorm).__name__}")
    if maxnorm < 0:
        raise ValueError(f"renorm: expected maxnorm to be >= 0, got {maxnorm}")
    if x.ndim <= 1:
        raise ValueError(f"renorm: input needs at least 2 dimensions, got {x.ndim}")
    axis = _check_dim("renorm", dim, x.ndim)
    others = tuple(i for i in range(x.ndim) if i != axis)
    nrm = norm(x, pp, others, keepdim=True)
    factor = where(nrm > maxnorm, float(maxnorm) / (nrm + 1e-7), 1.0)
    return mul(x, factor)
