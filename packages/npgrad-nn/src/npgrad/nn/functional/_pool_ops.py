"""Pooling Functions: window max / average over the taps of a :class:`_Geom`, and gathers /
scatters by flat per-plane indices (adaptive max pooling, ``max_unpool``).

Like im2col, the window ops loop over kernel *taps* (4 for a 2×2 window): for one tap, the
input elements it reads form a strided slab aligned with the output, so each iteration is a
few vectorised passes over an output-sized array. Max pooling keeps, per output, the tap
that won (a small integer array); its backward routes each gradient to that tap.

2-D 2×2 windows with stride 2 that tile the input (no padding / dilation: the usual
``MaxPool2d(2)``) take :func:`_max_pool_2x2` instead: one transposing copy into four
contiguous tap planes, then a pairwise tournament (6 vectorised float passes). Same maxima
(bit-identical, signed zeros included) and winning taps as the tap loop, checked by the
tests. Measured (float32, 1 thread, min of 30-40 interleaved runs, forward only, tap loop ->
tournament): (64,16,24,24) 0.55-0.68 -> 0.43-0.45 ms, (64,32,12,12) 0.35 -> 0.31 ms,
(64,64,6,6) 0.23-0.26 -> 0.22 ms, (32,64,32,32) 2.2-2.7 -> 1.9-2.0 ms; the
``max_pool2d_2x2`` benchmark 0.59 -> 0.43 x PyTorch, ``cnn`` step unchanged within noise
(1.03 x). Rejected: the tournament on the strided slabs themselves (1.1 ms: strided passes
don't vectorise), a first pass over contiguous row pairs (0.87 ms: the tie rule then needs
extra passes), deinterleaving columns only (1.1 ms). The backward keeps the tap loop:
``g * (arg == t)`` written into each strided slab (0.43 ms for the largest cnn map) beat a
broadcast multiply by an input-sized mask (1.2 ms), ``np.where`` per tap (1.6 ms) and tap
planes plus one transposing copy back (1.2 ms).

Every backward here is itself a Function whose backward is the first one again (a gather
and a scatter are each other's adjoint), so second-order gradients work.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from npgrad import Tensor
from npgrad.autograd.function import Function
from npgrad.nn.functional import _workspace
from npgrad.nn.functional._im2col import _ALL, _Geom, _plan

__all__: list[str] = []


@functools.lru_cache(maxsize=512)
def _pool_plan(g: _Geom) -> tuple[tuple[int, tuple[Any, ...], tuple[Any, ...], bool], ...]:
    """Per tap that reads any input: (tap number, its slab in the output, its slab in the
    input, whether it covers every output position)."""
    nd = len(g.kernel)
    out = []
    for t, (dst, src, borders) in enumerate(_plan(g)):
        if src is not None:
            out.append((t, dst[:2] + dst[2 + nd :], src, not borders))
    return tuple(out)


def _first_taps(g: _Geom) -> np.ndarray:
    """Per output position, the first tap (row-major) that reads inside the input: where
    PyTorch starts its scan, hence the index reported for a window of all ``-inf``."""
    firsts = []
    for o, k, s, p, d in zip(g.out_size, g.kernel, g.stride, g.pad, g.dilation):
        start = np.arange(o) * s - p
        firsts.append(np.clip(-(start // d) * (start < 0), 0, k - 1))  # ceil(-start / d)
    idx = np.zeros((), np.intp)
    for t, f in enumerate(firsts):
        idx = idx[..., None] * g.kernel[t] + f.reshape((1,) * t + (-1,))
    return idx


def _tap_dtype(g: _Geom) -> type:
    return np.int8 if math.prod(g.kernel) <= 127 else np.int32


def _tiles_2x2(g: _Geom) -> bool:
    """2-D 2×2 windows with stride 2 that tile the input exactly (no padding, no dilation)."""
    return (
        g.kernel == (2, 2)
        and g.stride == (2, 2)
        and g.pad == (0, 0)
        and g.dilation == (1, 1)
        and all(n == 2 * o for n, o in zip(g.in_size, g.out_size))
    )


def _max_pool_2x2(x: np.ndarray, g: _Geom) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_max_pool_forward` for :func:`_tiles_2x2` windows, as a tournament on planes.

    One transposing copy gathers the four taps into contiguous planes ``a b / c d`` (the
    strided reads of the tap loop were its cost; contiguous passes vectorise), then the
    pairs ``(a, b)`` and ``(c, d)`` and their winners are compared: with "the right one wins
    if strictly greater", this keeps the first maximum in row-major order, as the scan does.
    NaN windows are fixed up as in the general path."""
    n, c = x.shape[:2]
    (oh, ow), tap = g.out_size, np.int8
    # a reused buffer: a fresh one of a few MB is page-faulted in on every call (see _workspace)
    planes = _workspace.take((2, 2, n, c, oh, ow), x.dtype)
    planes[...] = x.reshape(n, c, oh, 2, ow, 2).transpose(3, 5, 0, 1, 2, 4)
    (a, b), (cc, d) = planes
    out, right = np.maximum(a, b), np.greater(b, a)
    low, low_right = np.maximum(cc, d), np.greater(d, cc)
    won = np.greater(low, out)
    np.maximum(out, low, out=out)
    # tap = 2 + low_right where the low pair won, else right (bools viewed as 0/1 int8)
    arg, w = right.view(tap), won.view(tap)
    np.bitwise_xor(arg, low_right.view(tap), out=low_right.view(tap))
    arg ^= np.bitwise_and(w, low_right.view(tap), out=low_right.view(tap))
    arg += w
    arg += w
    if np.isnan(out).any():  # the last NaN of a window wins (see _max_pool_forward)
        in_nan = np.isnan(out)
        for t, p in enumerate(planes.reshape(4, *out.shape)):
            hit = np.isnan(p) & in_nan
            arg += hit * (tap(t) - arg)
    _workspace.give(planes)
    return out, arg


def _max_pool_forward(x: np.ndarray, g: _Geom) -> tuple[np.ndarray, np.ndarray]:
    """Window maxima and the winning tap per output (PyTorch's rule: the first maximum in
    row-major window order; a NaN wins and propagates)."""
    if _tiles_2x2(g):
        return _max_pool_2x2(x, g)
    shape = x.shape[:2] + g.out_size
    tap = _tap_dtype(g)
    plan = _pool_plan(g)
    if len(plan) == math.prod(g.kernel) and all(full for *_, full in plan):
        out = x[plan[0][2]].copy()
        arg: np.ndarray = np.zeros(shape, tap)
        plan_all, plan = plan, plan[1:]
    else:
        # Windows hang over the border: pad with -inf once so that every tap covers every
        # window (partial slabs measured slower than the copy). -inf never wins, so a window
        # whose values are all -inf keeps its first in-bounds tap, as in PyTorch.
        arg = np.empty(shape, tap)
        arg[...] = _first_taps(g)
        size = tuple(
            max(p + n, (o - 1) * s + d * (k - 1) + 1)
            for n, o, k, s, p, d in zip(
                g.in_size, g.out_size, g.kernel, g.stride, g.pad, g.dilation
            )
        )
        xp = np.full(x.shape[:2] + size, -np.inf, x.dtype)
        inside = (_ALL, _ALL, *(slice(p, p + n) for p, n in zip(g.pad, g.in_size)))
        xp[inside] = x
        x, plan = xp, _pool_plan(g._replace(in_size=size, pad=(0,) * len(size)))
        plan_all = plan
        out = np.full(shape, -np.inf, x.dtype)
    # The strided read of each tap's slab is the expensive pass, so it is read once (by
    # np.maximum) and the winners are found on contiguous arrays: the new maximum differs
    # from the old one where the tap wins, i.e. where v > old or v is NaN — except where
    # old is already NaN (NaN != NaN), which the `old == old` term rules out. Masked writes
    # (np.where, copyto(where=), putmask) measured 10-30x slower here than arithmetic, so
    # the winning tap is blended in: arg += won * (t - arg).
    new, won, not_nan, step = (
        np.empty_like(out),
        np.empty(shape, bool),
        np.empty(shape, bool),
        np.empty_like(arg),
    )
    for t, _, src, _ in plan:
        np.maximum(out, x[src], out=new)
        np.not_equal(new, out, out=won)
        won &= np.equal(out, out, out=not_nan)
        np.subtract(tap(t), arg, out=step)
        step *= won
        arg += step
        out, new = new, out
    if np.isnan(out).any():
        # PyTorch's scan takes every NaN (`val > max || isnan(val)`): the last NaN wins. The
        # loop above keeps the first one; fix the few NaN windows up with one more pass.
        in_nan = np.isnan(out)
        for t, _, src, _ in plan_all:
            hit = np.isnan(x[src]) & in_nan
            arg += hit * (tap(t) - arg)
    return out, arg


def _overlapping(g: _Geom) -> bool:
    """Whether an input element can belong to two windows (then gradients must add up)."""
    return any(s < d * (k - 1) + 1 for k, s, d in zip(g.kernel, g.stride, g.dilation))


def _flat_indices(arg: np.ndarray, g: _Geom) -> np.ndarray:
    """Winning taps -> flat index into each input plane (``return_indices``)."""
    flat = np.zeros(arg.shape, np.int64)
    rest = arg.astype(np.int64)
    nd = len(g.kernel)
    for t in range(nd - 1, -1, -1):
        k = rest % g.kernel[t]
        rest //= g.kernel[t]
        o = np.arange(g.out_size[t]).reshape((-1,) + (1,) * (nd - 1 - t))
        pos = o * g.stride[t] - g.pad[t] + k * g.dilation[t]
        flat += pos * math.prod(g.in_size[t + 1 :])
    return flat


class MaxPoolNd(Function):
    """Max pooling over a window geometry; returns the maxima (and keeps the winning taps)."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, geom: _Geom, want_indices: bool) -> Any:
        out, arg = _max_pool_forward(x, geom)
        ctx.geom, ctx.arg = geom, arg
        if want_indices:
            idx = _flat_indices(arg, geom)
            ctx.mark_non_differentiable(idx)
            return out, idx
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor, *_: Any) -> tuple[Any, ...]:
        return MaxPoolScatter.apply(grad, ctx.geom, ctx.arg), None, None


class MaxPoolScatter(Function):
    """Each output gradient added to the input element its window's maximum came from."""

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, geom: _Geom, arg: np.ndarray) -> np.ndarray:
        ctx.geom, ctx.arg = geom, arg
        add = _overlapping(geom)
        tiled = not any(geom.pad) and all(
            s == k and n == o * k and d == 1
            for n, o, k, s, d in zip(
                geom.in_size, geom.out_size, geom.kernel, geom.stride, geom.dilation
            )
        )
        # windows that tile the input exactly write every element once: no zero fill needed
        gx = (np.empty if tiled else np.zeros)(g.shape[:2] + geom.in_size, g.dtype)
        for t, okey, src, _ in _pool_plan(geom):
            dst = gx[src]
            if add:
                np.add(dst, g[okey] * (arg[okey] == t), out=dst)
            else:  # each input element is in one window at most: write, don't add
                np.multiply(g[okey], arg[okey] == t, out=dst)
        return gx

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return MaxPoolGather.apply(grad, ctx.geom, ctx.arg), None, None


class MaxPoolGather(Function):
    """Adjoint of :class:`MaxPoolScatter`: each output reads the input at its winning tap."""

    @staticmethod
    def forward(ctx: Any, gx: np.ndarray, geom: _Geom, arg: np.ndarray) -> np.ndarray:
        ctx.geom, ctx.arg = geom, arg
        out = np.zeros(arg.shape, gx.dtype)
        for t, okey, src, _ in _pool_plan(geom):
            view = out[okey]
            np.add(view, gx[src] * (arg[okey] == t), out=view)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return MaxPoolScatter.apply(grad, ctx.geom, ctx.arg), None, None


# ---- average pooling ------------------------------------------------------------------------
def _window_sum(x: np.ndarray, g: _Geom) -> np.ndarray:
    out = np.zeros(x.shape[:2] + g.out_size, x.dtype)
    for _, okey, src, _ in _pool_plan(g):
        view = out[okey]
        np.add(view, x[src], out=view)
    return out


def _window_sum_t(g_out: np.ndarray, g: _Geom) -> np.ndarray:
    gx = np.zeros(g_out.shape[:2] + g.in_size, g_out.dtype)
    for _, okey, src, _ in _pool_plan(g):
        view = gx[src]
        np.add(view, g_out[okey], out=view)
    return gx


class AvgPoolNd(Function):
    """Window sums times ``scale`` (1 / divisor per output position, broadcastable)."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, geom: _Geom, scale: np.ndarray) -> np.ndarray:
        ctx.geom, ctx.scale = geom, scale
        out = _window_sum(x, geom)
        out *= scale
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return AvgPoolT.apply(grad, ctx.geom, ctx.scale), None, None


class AvgPoolT(Function):
    """Adjoint of :class:`AvgPoolNd`: each output gradient spread over its window."""

    @staticmethod
    def forward(ctx: Any, g_out: np.ndarray, geom: _Geom, scale: np.ndarray) -> np.ndarray:
        ctx.geom, ctx.scale = geom, scale
        return _window_sum_t(g_out * scale, geom)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return AvgPoolNd.apply(grad, ctx.geom, ctx.scale), None, None


# ---- gathers / scatters by flat per-plane index ---------------------------------------------
def _planes(a: np.ndarray, nd: int) -> np.ndarray:
    # explicit sizes: ``-1`` cannot be inferred when a plane is empty
    lead = a.ndim - nd
    return a.reshape((math.prod(a.shape[:lead]), math.prod(a.shape[lead:])))


class PlaneGather(Function):
    """``out[n, c, *o] = x[n, c].flat[idx[n, c, *o]]``."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, idx: np.ndarray, nd: int) -> np.ndarray:
        ctx.idx, ctx.nd, ctx.in_shape = idx, nd, x.shape
        return np.take_along_axis(_planes(x, nd), _planes(idx, nd), axis=1).reshape(idx.shape)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return PlaneScatterAdd.apply(grad, ctx.idx, ctx.nd, ctx.in_shape), None, None


class PlaneScatterAdd(Function):
    """Adjoint of :class:`PlaneGather`: ``out[n, c].flat[idx[n, c, *o]] += g[n, c, *o]``."""

    @staticmethod
    def forward(
        ctx: Any, g: np.ndarray, idx: np.ndarray, nd: int, shape: tuple[int, ...]
    ) -> np.ndarray:
        ctx.idx, ctx.nd = idx, nd
        planes, size = math.prod(shape[: len(shape) - nd]), math.prod(shape[len(shape) - nd :])
        flat = _planes(idx, nd) + (np.arange(planes) * size)[:, None]
        # bincount sums repeated indices in one vectorised pass (np.add.at is far slower)
        out = np.bincount(flat.ravel(), weights=g.ravel(), minlength=planes * size)
        return out.astype(g.dtype, copy=False).reshape(shape)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return PlaneGather.apply(grad, ctx.idx, ctx.nd), None, None, None


class MaxUnpool(Function):
    """``out[n, c].flat[idx] = x`` into zeros of ``shape`` (PyTorch's ``max_unpool``)."""

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, idx: np.ndarray, nd: int, shape: tuple[int, ...]
    ) -> np.ndarray:
        ctx.idx, ctx.nd = idx, nd
        out = np.zeros(shape, x.dtype)
        np.put_along_axis(_planes(out, nd), _planes(idx, nd), _planes(x, nd), axis=1)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        # PyTorch's rule: every input reads the gradient at its index (also for duplicates)
        return PlaneGather.apply(grad, ctx.idx, ctx.nd), None, None, None


# ---- adaptive windows -----------------------------------------------------------------------
def _adaptive_bounds(n: int, o: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's adaptive windows: ``[floor(i·n/o), ceil((i+1)·n/o))``."""
    i = np.arange(o)
    return (i * n) // o, ((i + 1) * n + o - 1) // o


def _adaptive_max_forward(
    x: np.ndarray, out_size: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Adaptive max pooling by taps: tap ``k`` of output ``i`` reads ``start_i + k``, clipped
    to the window's last element (re-reading an element never changes a max or its index)."""
    nd = len(out_size)
    in_size = x.shape[-nd:]
    bounds = [_adaptive_bounds(n, o) for n, o in zip(in_size, out_size)]
    kmax = [int((e - s).max()) for s, e in bounds]
    strides = [math.prod(in_size[t + 1 :]) for t in range(nd)]
    out = idx = None
    for taps in np.ndindex(*kmax):
        pos = [
            np.minimum(s + k, e - 1).reshape((-1,) + (1,) * (nd - 1 - t))
            for t, ((s, e), k) in enumerate(zip(bounds, taps))
        ]
        key = (Ellipsis, *pos)
        v = x[key]
        flat = sum(p * st for p, st in zip(pos, strides))
        if out is None:
            out, idx = v, np.empty(v.shape, np.int64)
            idx[...] = flat
            continue
        won = np.greater(v, out)
        won |= np.isnan(v)
        np.maximum(out, v, out=out)
        idx += won * (flat - idx)
    return out, idx  # type: ignore[return-value]


class PlaneMaxPool(Function):
    """Base of the max pools whose forward finds each maximum's flat index in its input plane
    (adaptive and fractional): the gradient is added at those indices, by a differentiable
    scatter. A subclass's forward ends with :meth:`_outputs`."""

    @staticmethod
    def _outputs(
        ctx: Any, x: np.ndarray, out: np.ndarray, idx: np.ndarray, nd: int, want_indices: bool
    ) -> Any:
        ctx.idx, ctx.nd, ctx.in_shape = idx, nd, x.shape
        if want_indices:
            ctx.mark_non_differentiable(idx)
            return out, idx
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor, *_: Any) -> Any:
        return PlaneScatterAdd.apply(grad, ctx.idx, ctx.nd, ctx.in_shape)  # the input's only


class AdaptiveMaxPool(PlaneMaxPool):
    @staticmethod
    def forward(ctx: Any, x: np.ndarray, out_size: tuple[int, ...], want_indices: bool) -> Any:
        out, idx = _adaptive_max_forward(x, out_size)
        return PlaneMaxPool._outputs(ctx, x, out, idx, len(out_size), want_indices)


def _adaptive_avg_matrix(n: int, o: int, dtype: np.dtype) -> np.ndarray:
    """``(o, n)`` averaging matrix of the adaptive windows along one dimension."""
    s, e = _adaptive_bounds(n, o)
    j = np.arange(n)
    inside = (j >= s[:, None]) & (j < e[:, None])
    return (inside / (e - s)[:, None]).astype(dtype)
