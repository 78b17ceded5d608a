"""Stride-1 2-D convolutions on flattened padded planes, a few samples at a time.

The generic path (:mod:`._conv_ops`) builds the im2col columns of the whole batch, then runs
one GEMM per sample on them. On 32×32 maps (1 thread, float32) that wastes time three ways:

* the columns (``k·k`` times the input: 38 MB for 32×32×32×32, 3×3) go through main memory
  twice, once written by im2col and once read by the GEMM;
* a tap's slab is ``Ho`` rows of ``Wo`` elements, copied row by row;
* rows of 1024 floats (4 KB) alias in the cache: OpenBLAS ran the per-sample GEMMs at
  47-80 GFLOPS on such operands and 75-99 GFLOPS on the same ones with rows of 1088.

Here the input is zero-padded once into flat planes of width ``Wp`` (plus a spare row), and
outputs are computed on that padded width (the extra ``Wp - Wo`` columns per row are cropped
afterwards), as in :mod:`._depthwise`: a tap's slab is then one contiguous run of ``Ho·Wp``
elements — im2col becomes a single strided-view copy — and rows are ``Ho·Wp`` long. The
columns are built for a chunk of samples at a time into a buffer that stays in cache, and
each chunk's GEMM runs right after its copy (chunks of 0.5-4 MB of columns measured alike,
8 MB slower). Measured (thread CPU time, median; batch 32, 32×32 maps, float32, old ->
new): forward 3×3 32→64 21.4 -> 15.5 ms, 5×5 16→32 22.8 -> 12.8, 3×3 groups=4 64→64
26.4 -> 11.4, depthwise 3×3 ×64 11.7 -> 4.3; input gradient 23.9 -> 17.0, 22.9 -> 15.0,
30.9 -> 11.4, 16.7 -> 4.3. The GEMMs now run at 77-100 GFLOPS, near OpenBLAS's peak here:
what is left of the gap to PyTorch on 5×5 is GEMM time.

The input gradient of a stride-1 convolution is itself a stride-1 convolution of the output
gradient (padded by ``d·(k-1) - p``) with the flipped, transposed weight, so it runs here
too instead of GEMM + col2im (the col2im scatter was a third of it). The weight gradient
rebuilds each chunk's columns from the input (a cache-resident copy) rather than keeping the
whole batch's columns from the forward: forward + weight gradient 3×3 37.7 -> 34.5 ms
rebuilding, 38.5 ms keeping (writing the columns to memory cost more than rebuilding them);
alone it is 2-3 ms slower than from kept columns (15.2 -> 17.2 ms for 3×3).

Garbage columns: an output column ``>= Wo`` reads across the row end into the next row, so
its column entries are real input values. The forward crops those outputs; the weight
gradient multiplies them by zero gradient columns, which is exact only for finite inputs
(``0·inf`` is NaN) — so for an input with an infinity or a NaN, the garbage entries of the
columns themselves are zeroed first.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from npgrad.nn.functional import _workspace
from npgrad.nn.functional._im2col import _Geom

__all__: list[str] = []

# columns of one chunk of samples; the chunk's columns and GEMM output should stay in L2/L3
_CHUNK_BYTES = 1 << 21


def applies(g: _Geom, in_per_group: int, out_per_group: int, small_maps: bool = False) -> bool:
    """Whether the flat kernel suits a convolution of geometry ``g`` (2-D, stride 1) with
    these channel counts per group. Measured limits: at least 32 column rows and 8 outputs
    per group (on the ``cnn`` benchmark's first layer, 1 input channel, the copies and the
    crop outweighed the tiny GEMMs: 1.5x slower); unless ``small_maps``, maps at least 8
    kernel spans wide and of more than 256 positions: on smaller maps the "batch inside"
    layout of ``_conv_ops``, which keeps the forward's columns for the weight gradient, was
    faster for forward + weight gradient together (12×12: 2.95 against 3.59 ms). The input
    gradient (``small_maps``) was faster here on every map tried (12×12, 16→32 channels:
    2.20 -> 1.64 ms; 6×6, 32→64: 1.97 -> 1.69 ms), despite up to 33% extra GEMM columns."""
    if len(g.kernel) != 2 or g.stride != (1, 1) or g.kernel == (1, 1):
        return False
    if in_per_group * math.prod(g.kernel) < 32 or out_per_group < 8:
        return False
    return small_maps or large_map(g)


def large_map(g: _Geom) -> bool:
    span = g.dilation[1] * (g.kernel[1] - 1)
    return 8 * span <= g.out_size[1] and g.out_size[0] * g.out_size[1] > 256


def _frame(g: _Geom) -> tuple[int, int]:
    """Padded width and height of the flat planes (the high side padded as far as the
    windows reach)."""
    (h, wd), (ho, wo) = g.in_size, g.out_size
    (kh, kw), (dh, dw), (ph, pw) = g.kernel, g.dilation, g.pad
    return max(wo + dw * (kw - 1), pw + wd), max(ho + dh * (kh - 1), ph + h)


class _Planes:
    """Zero-padded flat planes of ``(hp + 1)·wp`` elements (the spare row takes the last
    taps' overrun) for a chunk of ``m`` samples at a time, in one buffer reused across the
    chunks, and the im2col windows of that buffer. Padding chunk by chunk keeps the padded
    copy in cache (padding the whole batch first cost 1.5 ms of a 5.9 ms depthwise forward);
    the border is zeroed once, since each chunk overwrites only the interior. The views of
    the buffer are made once per call, not per chunk (``as_strided`` alone costs ~10 us: a
    batch of 32 single-sample chunks spent 1 ms of a 20 ms depthwise step making them)."""

    def __init__(self, shape: tuple[int, ...], g: _Geom, m: int, dtype: np.dtype) -> None:
        c, h, w = shape[1:]
        wp, hp = _frame(g)
        (ph, pw), (kh, kw), (dh, dw) = g.pad, g.kernel, g.dilation
        plane = (hp + 1) * wp
        self.buf = np.zeros((m, c, plane), dtype)
        self.interior = self.buf.reshape(m, c, hp + 1, wp)[:, :, ph : ph + h, pw : pw + w]
        # every (sample, channel, tap) row of the columns is one contiguous run of the planes
        it = self.buf.itemsize
        self.windows = as_strided(
            self.buf,
            (m, c, kh, kw, g.out_size[0] * wp),
            (c * plane * it, plane * it, dh * wp * it, dw * it, it),
            writeable=False,
        )

    def columns(self, x: np.ndarray, out: np.ndarray) -> None:
        """The im2col columns of the samples ``x`` (at most ``m``) into ``out``
        ``(k, C·kh·kw, Ho·wp)``: the planes are filled, then every row copied at once."""
        k = x.shape[0]
        self.interior[:k] = x
        win = self.windows[:k]
        out.reshape(win.shape)[...] = win


def _chunk(per_sample: int) -> int:
    return max(1, _CHUNK_BYTES // max(1, per_sample))


def forward(x: np.ndarray, w: np.ndarray, g: _Geom, groups: int) -> np.ndarray:
    """``conv(x, w)`` (N, C, H, W) -> (N, O, Ho, Wo) for a stride-1 2-D geometry with
    non-negative padding."""
    n = x.shape[0]
    o = w.shape[0]
    (ho, wo), ck = g.out_size, w[0].size * groups
    wp = _frame(g)[0]
    length = ho * wp
    wg = w.reshape(groups, o // groups, -1)
    m = _chunk(ck * length * x.itemsize)
    planes = _Planes(x.shape, g, min(m, n), x.dtype)
    cols = _workspace.take((m, ck, length), x.dtype)
    res = _workspace.take((m, o, length), x.dtype)
    out = np.empty((n, o, ho, wo), x.dtype)
    for n0 in range(0, n, m):
        k = min(m, n - n0)
        cb, rb = cols[:k], res[:k]
        planes.columns(x[n0 : n0 + k], cb)
        np.matmul(wg, cb.reshape(k, groups, -1, length), out=rb.reshape(k, groups, -1, length))
        out[n0 : n0 + k] = rb.reshape(k, o, ho, wp)[..., :wo]
    _workspace.give(cols)
    _workspace.give(res)
    return out


def transpose_geom(g: _Geom) -> _Geom | None:
    """The geometry of the stride-1 convolution that computes ``convT`` for ``g``: output
    gradient padded by ``d·(k-1) - p`` and read by the flipped kernel; None when a padding
    exceeds the kernel span (it would be negative)."""
    pad = tuple(d * (k - 1) - p for k, d, p in zip(g.kernel, g.dilation, g.pad))
    if min(pad) < 0:
        return None
    return _Geom(g.out_size, g.in_size, g.kernel, g.stride, pad, g.dilation)


def transposed_weight(w: np.ndarray, groups: int) -> np.ndarray:
    """``(O, C/g, kh, kw)`` -> ``(C, O/g, kh, kw)``: per group the channel axes swapped and
    the kernel flipped (the weight of the equivalent direct convolution)."""
    o, cg, kh, kw = w.shape
    wt = w.reshape(groups, o // groups, cg, kh, kw).transpose(0, 2, 1, 3, 4)[..., ::-1, ::-1]
    return np.ascontiguousarray(wt).reshape(groups * cg, o // groups, kh, kw)


def weight_grad(
    x: np.ndarray, y: np.ndarray, w_shape: tuple[int, ...], g: _Geom, groups: int
) -> np.ndarray:
    """``wgrad(x, y)``: per chunk, the columns of ``x`` rebuilt in cache, then per sample
    and group ``cols (C/g·K, Ho·Wp) @ y_wide.T (Ho·Wp, O/g)`` summed over the batch."""
    n, c = x.shape[:2]
    o = w_shape[0]
    (ho, wo), ck = g.out_size, c * math.prod(g.kernel)
    wp = _frame(g)[0]
    length = ho * wp
    m = _chunk(ck * length * x.itemsize)
    planes = _Planes(x.shape, g, min(m, n), x.dtype)
    # the output gradient on the padded width: zero columns for the garbage positions
    yw = np.zeros((min(m, n), o, ho, wp), y.dtype)
    cols = _workspace.take((m, ck, length), x.dtype)
    stack = np.empty((m, groups, ck // groups, o // groups), x.dtype)
    acc = np.zeros((groups, ck // groups, o // groups), x.dtype)
    finite = bool(np.isfinite(x).all())  # 0.1 ms; zeroing the garbage took ~1 ms (3x3, 32x32)
    for n0 in range(0, n, m):
        k = min(m, n - n0)
        cb = cols[:k]
        planes.columns(x[n0 : n0 + k], cb)
        if not finite:  # the garbage entries would give 0·inf: see the module docstring
            cb.reshape(k, ck, ho, wp)[..., wo:] = 0
        yw[:k, ..., :wo] = y[n0 : n0 + k]
        yg = yw[:k].reshape(k, groups, o // groups, length).transpose(0, 1, 3, 2)
        np.matmul(cb.reshape(k, groups, -1, length), yg, out=stack[:k])
        acc += stack[:k].sum(axis=0) if k > 1 else stack[0]
    _workspace.give(cols)
    return np.ascontiguousarray(acc.transpose(0, 2, 1)).reshape(w_shape)
