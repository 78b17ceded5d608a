"""Spatial transformers: ``affine_grid`` and ``grid_sample`` (4-D and 5-D inputs).

``grid_sample`` is written as a composition so that gradients of every order, w.r.t. the input
and the grid, come from the autograd of its parts:

* the sampling coordinates are computed from the grid with npgrad ops; the piecewise-linear
  padding maps (``border`` clipping, ``reflection``) are applied as
  ``value + (coord - coord.detach()) * slope``, which has exactly NumPy's forward value and
  PyTorch's one-sided slopes (0 on a clipped edge, ±1 after a reflection);
* the interpolation weights are polynomials of ``coord - floor(coord)`` (bilinear: linear,
  bicubic: Keys' cubic convolution with a = -0.75), ``floor`` being a constant;
* the input values at the integer taps are read by :class:`_Gather`, whose adjoint
  :class:`_ScatterAdd` is its backward (and vice versa), so the input gradient is itself
  differentiable.

Taps outside the input (``padding_mode='zeros'``) keep a valid index and get a zero weight.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.autograd.function import Function
from npgrad.nn.functional._errors import _ValueRuntimeError
from npgrad.nn.functional._padding import _PadNotSupported
from npgrad.ops._promote import const
from npgrad.ops._shape_util import ShapeError

__all__ = ["affine_grid", "grid_sample"]

_MODES = ("bilinear", "nearest", "bicubic")
_PADDINGS = ("zeros", "border", "reflection")


class _Gather(Function):
    """``out[n, c, k] = x[n, c, idx[n, k]]`` for ``x`` of shape (N, C, L), ``idx`` (N, K)."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, idx: np.ndarray) -> np.ndarray:
        ctx.idx, ctx.length = idx, x.shape[2]
        return np.take_along_axis(x, idx[:, None, :], axis=2)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return _ScatterAdd.apply(grad, ctx.idx, ctx.length), None


class _ScatterAdd(Function):
    """Adjoint of :class:`_Gather`: ``out[n, c, idx[n, k]] += g[n, c, k]``."""

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, idx: np.ndarray, length: int) -> np.ndarray:
        ctx.idx = idx
        n, c, _ = g.shape
        # one bincount over flat (n, c, position) keys: far faster than np.add.at
        rows = (np.arange(n * c, dtype=np.intp) * length).reshape(n, c, 1)
        keys = (rows + idx[:, None, :]).ravel()
        out = np.bincount(keys, weights=g.ravel(), minlength=n * c * length)
        return out.astype(g.dtype, copy=False).reshape(n, c, length)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return _Gather.apply(grad, ctx.idx), None, None


class _ZeroGridGrad(Function):
    """Passes ``out`` through and gives ``grid`` a zero gradient: PyTorch's nearest-mode grid
    gradient is zeros (not None), since the output is piecewise constant in the grid."""

    @staticmethod
    def forward(ctx: Any, out: np.ndarray, grid: np.ndarray) -> np.ndarray:
        ctx.grid_shape, ctx.dtype = grid.shape, grid.dtype
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        gg = npgrad.zeros(ctx.grid_shape, dtype=ctx.dtype) if ctx.needs_input_grad[1] else None
        return grad, gg


# ---- coordinates ------------------------------------------------------------------------------
def _with_slope(c: Tensor, value: np.ndarray, slope: np.ndarray | None) -> Tensor:
    """A tensor equal to ``value`` whose derivative w.r.t. ``c`` is ``slope``."""
    if slope is None or not c.requires_grad:
        return const(value)
    delta = c - const(c._data)  # zero, with derivative 1
    if not np.isfinite(c._data).all():
        # inf - inf is NaN: keep it out of the value (the slope there is 0)
        delta = npgrad.where(const(np.isfinite(c._data)), delta, 0.0)
    return const(value) + delta * const(slope)


def _clip(a: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    # PyTorch's clip_coordinates_set_grad: slope 1 strictly inside (0, size - 1), 0 on the
    # edges and beyond; its CPU kernel also sends a NaN coordinate to 0
    inside = (a > 0) & (a < size - 1)
    return np.nan_to_num(np.clip(a, 0, size - 1), nan=0.0), inside.astype(a.dtype)


def _reflect(a: np.ndarray, twice_low: int, twice_high: int) -> tuple[np.ndarray, np.ndarray]:
    """Reflect ``a`` into ``[twice_low / 2, twice_high / 2]``, with the slope (±1) of the map."""
    if twice_low == twice_high:
        return np.zeros_like(a), np.zeros_like(a)
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    r = a - low
    sign = np.where(r < 0, -1, 1).astype(a.dtype)
    r = np.abs(r)
    extra = np.fmod(r, span)
    even = np.floor(r / span) % 2 == 0
    out = np.where(even, extra + low, span - extra + low).astype(a.dtype, copy=False)
    return out, np.where(even, sign, -sign)


def _pad_coords(a: np.ndarray, size: int, padding: str, align: bool) -> tuple[Any, Any]:
    """PyTorch's compute_coordinates: the padded coordinate and its slope (None: 1)."""
    if padding == "border":
        return _clip(a, size)
    if padding == "reflection":
        lo, hi = (0, 2 * (size - 1)) if align else (-1, 2 * size - 1)
        r, s1 = _reflect(a, lo, hi)
        c, s2 = _clip(r, size)
        return c, s1 * s2
    return a, None


def _unnormalize(g: Tensor, size: int, align: bool) -> Tensor:
    # [-1, 1] -> pixel coordinates: corner pixels' centres (align_corners) or outer edges
    if align:
        return (g + 1) / 2 * (size - 1)
    return ((g + 1) * size - 1) / 2


def _index(f: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer taps ``f`` (float, possibly non-finite) as safe indices plus an in-range mask."""
    ok = (f >= 0) & (f <= size - 1)  # False for NaN
    return np.where(ok, f, 0).astype(np.intp), ok


Tap = tuple[Any, np.ndarray, np.ndarray]  # (weight Tensor or None, index, in-range mask)


def _axis_taps(c: Tensor, size: int, mode: str, padding: str, align: bool) -> list[Tap]:
    a = c._data
    if mode == "bicubic":
        # taps at floor(x) - 1 .. floor(x) + 2, each padded as a coordinate on its own
        f = np.floor(a)
        t = c - const(f)
        s = 1 - t
        aa = -0.75  # Keys (1981) cubic convolution kernel, a = -0.75 as PyTorch
        w = [
            ((aa * (t + 1) - 5 * aa) * (t + 1) + 8 * aa) * (t + 1) - 4 * aa,
            ((aa + 2) * t - (aa + 3)) * t * t + 1,
            ((aa + 2) * s - (aa + 3)) * s * s + 1,
            ((aa * (s + 1) - 5 * aa) * (s + 1) + 8 * aa) * (s + 1) - 4 * aa,
        ]
        taps = []
        for k in range(4):
            p, _ = _pad_coords(f + (k - 1), size, padding, align)
            taps.append((w[k], *_index(np.trunc(p), size)))
        return taps
    value, slope = _pad_coords(a, size, padding, align)
    if mode == "nearest":
        # nearbyint: round half to even, like np.rint
        return [(None, *_index(np.rint(value), size))]
    p = _with_slope(c, value, slope) if padding != "zeros" else c
    f = np.floor(value)
    # PyTorch's weights: (x0 + 1 - x) for x0 and (x - x0) for x0 + 1
    return [(const(f + 1) - p, *_index(f, size)), (p - const(f), *_index(f + 1, size))]


def _sample(x: Tensor, g: Tensor, mode: str, padding: str, align: bool) -> Tensor:
    d = x.ndim - 2
    n, ch, *in_sp = x.shape
    out_sp = tuple(g.shape[1:-1])
    sizes = in_sp[::-1]  # grid's (x, y, z) index the input's last, second-last, ... axes
    strides = [int(np.prod(sizes[:k], dtype=np.int64)) for k in range(d)]
    per_axis = [
        _axis_taps(_unnormalize(g[..., k], sizes[k], align), sizes[k], mode, padding, align)
        for k in range(d)
    ]
    weights: list[Tensor] = []
    indices: list[np.ndarray] = []
    poisoned: np.ndarray | None = None
    for combo in itertools.product(*per_axis[::-1]):
        taps = combo[::-1]  # (x, y[, z]) again: PyTorch multiplies the weights in this order
        idx = sum(t[1] * s for t, s in zip(taps, strides))
        ok = np.logical_and.reduce([t[2] for t in taps])
        w: Any = None
        for t in taps:
            if t[0] is not None:
                w = t[0] if w is None else w * t[0]
        if w is None:
            w = const(ok.astype(x.dtype))
        elif not ok.all():
            # a tap outside the input gets weight 0 through ``where`` (not a product), so that
            # a NaN weight there adds no NaN to the input's gradient; the output still turns
            # NaN, as PyTorch's, through ``poisoned``
            bad = ~ok & ~np.isfinite(w._data)
            poisoned = bad if poisoned is None else poisoned | bad
            w = npgrad.where(const(ok), w, 0.0)
        weights.append(w)
        indices.append(np.asarray(idx, dtype=np.intp))
    k_taps, p = len(indices), int(np.prod(out_sp, dtype=np.int64))
    idx_all = np.stack(indices, axis=1).reshape(n, k_taps * p)
    vals = _Gather.apply(x.reshape(n, ch, int(np.prod(in_sp))), idx_all).reshape(n, ch, k_taps, p)
    wts = npgrad.stack(weights, dim=1).reshape(n, 1, k_taps, p)
    out = (vals * wts).sum(dim=2).reshape(n, ch, *out_sp)
    if poisoned is not None and poisoned.any():
        nan = np.where(poisoned, np.nan, 0.0).astype(x.dtype).reshape(n, 1, *out_sp)
        out = out + const(nan)
    return out


# ---- public functions -------------------------------------------------------------------------
def _check_tensor(op: str, x: Any, name: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected {name} to be a Tensor, got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected {name} to be a floating point tensor, got {x.dtype}")
    return x


def grid_sample(
    input: Tensor,  # noqa: A002
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """Sample ``input`` at the locations ``grid`` (spatial transformer networks).

    Parameters
    ----------
    input : Tensor
        ``(N, C, H_in, W_in)`` or ``(N, C, D_in, H_in, W_in)``.
    grid : Tensor
        ``(N, H_out, W_out, 2)`` or ``(N, D_out, H_out, W_out, 3)``: normalised ``(x, y[, z])``
        coordinates, ``-1`` / ``1`` being the left/top and right/bottom of the input.
    mode : {'bilinear', 'nearest', 'bicubic'}
        Interpolation (``'bicubic'`` for 4-D input only; on 5-D input ``'bilinear'`` is
        trilinear).
    padding_mode : {'zeros', 'border', 'reflection'}
        Values outside the input: zero, the nearest border value, or reflected.
    align_corners : bool, default False
        True: ``-1`` / ``1`` are the centres of the corner pixels; False: their outer edges.

    Returns
    -------
    Tensor
        ``(N, C, H_out, W_out)`` (or ``(N, C, D_out, H_out, W_out)``), differentiable w.r.t.
        ``input`` and ``grid`` to any order (the grid gradient is zero for ``'nearest'``).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> x = npgrad.arange(4.0).reshape(1, 1, 2, 2)
    >>> grid = npgrad.tensor([[[[0.0, 0.0], [-1.0, -1.0]]]])
    >>> F.grid_sample(x, grid, align_corners=True)
    tensor([[[[1.5000, 0.0000]]]])
    """
    op = "grid_sample"
    x = _check_tensor(op, input, "input")
    g = _check_tensor(op, grid, "grid")
    if mode not in _MODES:
        raise ValueError(
            f"{op}: expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: {mode!r}"
        )
    if padding_mode not in _PADDINGS:
        raise ValueError(
            f"{op}: expected padding_mode to be 'zeros', 'border', or 'reflection', but got: "
            f"{padding_mode!r}"
        )
    if x.ndim not in (4, 5):
        raise ShapeError(f"{op}: expected 4D or 5D input, but got input of shape {tuple(x.shape)}")
    d = x.ndim - 2
    if g.ndim != x.ndim or g.shape[-1] != d or g.shape[0] != x.shape[0]:
        raise ShapeError(
            f"{op}: expected grid of shape (N, {'D_out, ' if d == 3 else ''}H_out, W_out, {d}) "
            f"with N = {x.shape[0]} for input of shape {tuple(x.shape)}, but got grid of shape "
            f"{tuple(g.shape)}"
        )
    if x.dtype != g.dtype:
        raise TypeError(
            f"{op}: expected input and grid to have same dtype, but input has {x.dtype} and "
            f"grid has {g.dtype}"
        )
    if any(s == 0 for s in x.shape[2:]):
        raise ShapeError(
            f"{op}: expected input to have non-empty spatial dimensions, but input has sizes "
            f"{tuple(x.shape)}"
        )
    if mode == "bicubic" and d == 3:
        raise _ValueRuntimeError(f"{op}: bicubic interpolation only supports 4D input")
    # non-finite grid values give NaN (nothing to warn about: no index is formed from them)
    with np.errstate(invalid="ignore", over="ignore"):
        out = _sample(x, g, mode, padding_mode, bool(align_corners))
    if mode == "nearest" and g.requires_grad and npgrad.is_grad_enabled():
        out = _ZeroGridGrad.apply(out, g)
    return out


def _base_coords(steps: int, align: bool, dtype: np.dtype) -> np.ndarray:
    # PyTorch's linspace_from_neg_one: a single step sits at 0
    if steps <= 1:
        return np.zeros(steps, dtype)
    r = np.linspace(-1.0, 1.0, steps)
    if not align:
        r = r * (steps - 1) / steps
    return r.astype(dtype)


def affine_grid(theta: Tensor, size: Sequence[int], align_corners: bool | None = None) -> Tensor:
    """Sampling grid of the affine maps ``theta`` for :func:`grid_sample`.

    Parameters
    ----------
    theta : Tensor
        ``(N, 2, 3)`` affine matrices for a 4-D ``size``, ``(N, 3, 4)`` for a 5-D one.
    size : sequence of int
        The output size ``(N, C, H, W)`` or ``(N, C, D, H, W)``.
    align_corners : bool, default False
        As in :func:`grid_sample` (use the same value there).

    Returns
    -------
    Tensor
        ``(N, H, W, 2)`` (or ``(N, D, H, W, 3)``): ``theta @ (x, y[, z], 1)`` at each output
        location's normalised coordinates; differentiable w.r.t. ``theta``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> theta = npgrad.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    >>> F.affine_grid(theta, [1, 1, 1, 2], align_corners=False)
    tensor([[[[-0.5000,  0.0000],
              [ 0.5000,  0.0000]]]])
    """
    op = "affine_grid"
    th = _check_tensor(op, theta, "theta")
    try:
        sz = tuple(int(s) for s in size)
    except TypeError:
        raise TypeError(f"{op}: size must be a sequence of ints, got {size!r}") from None
    if len(sz) not in (4, 5):
        raise _PadNotSupported(
            f"{op}: only 4D and 5D sizes are supported (2D and 3D affine transforms), got size "
            f"{list(sz)}"
        )
    if min(sz) <= 0:
        raise ShapeError(f"{op}: expected non-zero, positive output size, got {list(sz)}")
    d = len(sz) - 2
    if th.ndim != 3 or th.shape[1:] != (d, d + 1) or th.shape[0] != sz[0]:
        raise ShapeError(
            f"{op}: expected a batch of {d}D affine matrices of shape Nx{d}x{d + 1} for size "
            f"{list(sz)}, got theta of shape {tuple(th.shape)}"
        )
    align = bool(align_corners)
    if align and min(sz[2:]) == 1:
        warnings.warn(
            "affine_grid: with align_corners=True a unit-size dimension has its single sample at "
            "0 (as PyTorch since 1.3.0), not at -1",
            UserWarning,
            stacklevel=2,
        )
    axes = [_base_coords(s, align, th.dtype) for s in sz[2:][::-1]]  # x, y[, z]
    mesh = np.meshgrid(*axes[::-1], indexing="ij")[::-1]  # each (D,) H, W; reordered x first
    base = np.stack([*mesh, np.ones_like(mesh[0])], axis=-1).reshape(-1, d + 1)
    out = npgrad.matmul(const(base), th.transpose(1, 2))
    return out.reshape(sz[0], *sz[2:], d)
