"""Winograd F(2×2, 3×3) kernels for stride-1, dilation-1, 3×3 2-D convolutions.

Routing measurements: see :func:`applies`.

With ``Bᵀ = [[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]]``, ``G = [[1,0,0],[½,½,½],[½,-½,½],
[0,0,1]]`` and ``Aᵀ = [[1,1,1,0],[0,1,-1,-1]]``, every 2×2 output tile of a 3×3
cross-correlation is ``Aᵀ [ Σ_c (G w Gᵀ) ⊙ (Bᵀ d Bᵀᵀ) ] A`` for the 4×4 input tile ``d``
(tiles at stride 2). Per tile element ``ξ`` of the 16 this is one GEMM
``U[ξ] (O × C) @ V[ξ] (C × tiles·N)`` over the whole batch: 2.25× fewer multiplications than
the direct convolution, and GEMMs wide enough for BLAS even on 6×6 maps, where the direct
path copies im2col rows of 6 floats.

Layout: the transforms work on ``(C, H, W, N)`` arrays — batch innermost — so that every
add of the transforms is a NumPy loop over at least ``N`` contiguous elements (tiles along
a row are 2 apart; with ``W`` innermost the loops would be 3-6 elements long and NumPy's
per-loop overhead would dominate). The input is copied once into that layout (the copy
also zero-pads it, up to whole tiles: an output map of odd size gets an overhanging tile
whose extra outputs are cropped), and the output is transposed back once.

The matrices are exact in binary floating point (``G`` has halves), so results differ from
the direct convolution only by rounding. Transforms mix neighbouring values, though: an
infinity would turn into ``inf - inf = NaN`` in outputs whose direct value is finite, so
the callers use these kernels only for finite operands (:func:`finite`).

Gradients: the input gradient of a stride-1 convolution is a stride-1 convolution of the
output gradient with the flipped, channel-swapped weight (``_conv_flat.transpose_geom``), so
:func:`forward` serves it too. The weight gradient is computed in the Winograd domain from
the forward's transformed input ``V`` (kept instead of im2col columns: 16/9 of the input
per tile position instead of 9×): the output gradient goes through the adjoint of the output
transform (``A dY Aᵀ``: 2×2 tiles, no overlap), 16 GEMMs ``dM[ξ] (O × tiles·N) @ V[ξ]ᵀ``
sum over the batch and tiles, and the adjoint of the weight transform (``Gᵀ dU G``) gives
the gradient.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from npgrad.nn.functional import _workspace
from npgrad.nn.functional._im2col import _Geom

__all__: list[str] = []

# G with its last row negated: the adjoint output transform below produces -dM for the
# last tile row/column (saves a negation); these signs cancel in Gᵀ dU G
_G_ADJ = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, -1]])
_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
# the weight transform and its adjoint as one (16 × 9) matrix each: vec(G w Gᵀ) = (G ⊗ G) vec(w)
_KRON = np.kron(_G, _G)
_KRON_ADJ = np.kron(_G_ADJ, _G_ADJ)


def _take(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A scratch array from the workspace cache even when it is smaller than the cache's
    minimum (the front of a minimum-size buffer): fresh 0.1-1 MB arrays are mmapped and
    page-faulted on every call (the 6×6 input transform took 1.36 ms so, 0.24 ms reused)."""
    size = math.prod(shape)
    floor = _workspace.MIN_BYTES // np.dtype(dtype).itemsize
    if size >= floor:
        return _workspace.take(shape, dtype)
    return _workspace.take((floor,), dtype)[:size].reshape(shape)


def applies(n: int, c: int, o: int, g: _Geom, groups: int) -> bool:
    """Whether to run a convolution of ``n`` samples, ``c`` -> ``o`` channels and geometry
    ``g`` here. Measured (float32, 1 thread, min of 90 runs interleaved with the existing
    paths, ms, old -> Winograd; "fwd" keeps the forward's columns / ``V``, "+gw" adds the
    weight gradient from them, "gx" is the input gradient):

    ==========================  ============  ============  ============
    x -> out channels           fwd           fwd+gw        gx
    ==========================  ============  ============  ============
    64×32×6×6 -> 64             1.29 -> 0.98  2.28 -> 1.88  1.58 -> 1.18
    64×16×6×6 -> 32             0.46 -> 0.38  0.75 -> 0.65  0.56 -> 0.45
    64×64×6×6 -> 64             3.13 -> 1.85  5.25 -> 3.30  3.18 -> 1.83
    8×32×6×6 -> 64              0.18 -> 0.26  0.32 -> 0.48  0.23 -> 0.35
    64×32×8×8 -> 64             2.40 -> 2.35  4.44 -> 4.24  3.06 -> 3.00
    64×16×12×12 -> 32           1.49 -> 1.69  2.76 -> 3.41  1.54 -> 2.14
    64×32×12×12 -> 64           5.67 -> 5.46  10.3 -> 9.94  5.95 -> 6.71
    32×32×32×32 -> 64           15.3 -> 26.9  31.8 -> 49.8  16.6 -> 30.1
    64×1×24×24 -> 16            0.22 -> 4.98  0.35 -> 8.92  (C=1: degenerate GEMMs)
    ==========================  ============  ============  ============

    So: maps of at most 36 output positions (6×6: 9 tiles per sample), at least 16 channels
    on both sides, and a large batch (the transforms loop over the batch innermost; at 8
    samples they lose; 32 is the smallest batch assumed to win, between the measured 8 and
    64). 8×8 maps break even and larger maps lose (the transforms' passes over 4× the input
    cost more than im2col's copy), so they keep the existing paths."""
    return (
        groups == 1
        and geometry_fits(g)
        and g.out_size[0] * g.out_size[1] <= 36
        and n >= 32
        and min(c, o) >= 16
    )


def geometry_fits(g: _Geom) -> bool:
    """A 2-D, 3×3, stride-1, dilation-1 geometry with non-negative padding."""
    return (
        len(g.kernel) == 2
        and g.kernel == (3, 3)
        and g.stride == (1, 1)
        and g.dilation == (1, 1)
        and min(g.pad) >= 0
        and min(g.out_size) >= 1
    )


def is_transformed(cols: np.ndarray) -> bool:
    """Whether ``cols`` kept by a forward is a Winograd ``V`` (16, C, tiles·N) rather than
    im2col columns (2-D columns have 6 dimensions)."""
    return cols.ndim == 3 and cols.shape[0] == 16


def finite(*arrays: np.ndarray) -> bool:
    return all(bool(np.isfinite(a).all()) for a in arrays)


def _tiles(g: _Geom) -> tuple[int, int]:
    return (g.out_size[0] + 1) // 2, (g.out_size[1] + 1) // 2


def _batch_inner(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``x`` (N, C, H, W) as a ``(C, H, W, N)`` view of a scratch buffer (returned too, for
    :func:`_workspace.give`). Transposing straight from ``x`` reads ``N`` rows a whole
    sample apart, and when that stride is near a multiple of 4 KB (32×12×12 floats) the
    reads alias in the L1 cache: 0.58 ms for (64, 32, 12, 12). Copying the samples first
    into rows padded by 64 bytes, then transposing, took 0.12 ms."""
    n = x.shape[0]
    size = x[0].size
    buf = _take((n, size + 16), x.dtype)
    buf[:, :size] = x.reshape(n, size)
    return buf[:, :size].T.reshape(x.shape[1:] + (n,)), buf


def weight_transform(w: np.ndarray) -> np.ndarray:
    """``(O, C, 3, 3)`` -> ``U`` of shape ``(16, O, C)``: ``G w Gᵀ`` per filter."""
    o, c = w.shape[:2]
    return (_KRON.astype(w.dtype) @ w.reshape(o * c, 9).T).reshape(16, o, c)


def input_transform(
    x: np.ndarray, g: _Geom, alloc: Callable[..., np.ndarray] = _take
) -> np.ndarray:
    """``x`` (N, C, H, W) -> ``V`` of shape ``(16, C, th·tw·N)``: ``Bᵀ d B`` per 4×4 tile
    ``d`` of the zero-padded input, tiles ``(th, tw)`` at stride 2, batch innermost."""
    n, c, h, wd = x.shape
    th, tw = _tiles(g)
    hp, wp = 2 * th + 2, 2 * tw + 2
    ph, pw = g.pad
    hh, ww = min(h, hp - ph), min(wd, wp - pw)  # (a negative high padding crops the input)
    d = _take((c, hp, wp, n), x.dtype)
    d[:, :ph] = 0
    d[:, ph + hh :] = 0
    d[:, ph : ph + hh, :pw] = 0
    d[:, ph : ph + hh, pw + ww :] = 0
    xt, buf = _batch_inner(x)
    d[:, ph : ph + hh, pw : pw + ww] = xt[:, :hh, :ww]
    _workspace.give(buf)
    # rows: t[a] = (Bᵀ d)[a] for every tile row, full padded width
    t = _take((4, c, th, wp, n), x.dtype)
    r = [d[:, k : k + 2 * th : 2] for k in range(4)]
    np.subtract(r[0], r[2], out=t[0])
    np.add(r[1], r[2], out=t[1])
    np.subtract(r[2], r[1], out=t[2])
    np.subtract(r[1], r[3], out=t[3])
    _workspace.give(d)
    # columns, all four rows at once: v[a, b] = (t[a] B)[b]
    v = alloc((16, c, th * tw * n), x.dtype)  # the array itself is kept (take_owned)
    v6 = v.reshape(4, 4, c, th, tw, n)
    s = [t[:, :, :, k : k + 2 * tw : 2] for k in range(4)]
    np.subtract(s[0], s[2], out=v6[:, 0])
    np.add(s[1], s[2], out=v6[:, 1])
    np.subtract(s[2], s[1], out=v6[:, 2])
    np.subtract(s[1], s[3], out=v6[:, 3])
    _workspace.give(t)
    return v


def _output_transform(m: np.ndarray, n: int, g: _Geom) -> np.ndarray:
    """``M`` (16, O, th·tw·N) -> the output (N, O, Ho, Wo): ``Aᵀ M A`` per tile."""
    o = m.shape[1]
    th, tw = _tiles(g)
    ho, wo = g.out_size
    m6 = m.reshape(4, 4, o, th, tw, n)
    # columns: q[a, j] = (M[a] A)[j]
    q = _take((4, 2, o, th, tw, n), m.dtype)
    tmp = _take((4, o, th, tw, n), m.dtype)
    np.add(m6[:, 1], m6[:, 2], out=tmp)
    np.add(tmp, m6[:, 0], out=q[:, 0])
    np.subtract(m6[:, 1], m6[:, 2], out=tmp)
    np.subtract(tmp, m6[:, 3], out=q[:, 1])
    # rows: y[i] = (Aᵀ q)[i], into (O, th, 2, tw, 2, N) = (O, 2th, 2tw, N)
    y = _take((o, th, 2, tw, 2, n), m.dtype)
    y0 = y[:, :, 0].transpose(3, 0, 1, 2, 4)  # (2, O, th, tw, N), j first
    y1 = y[:, :, 1].transpose(3, 0, 1, 2, 4)
    t2 = _take((2, o, th, tw, n), m.dtype)
    np.add(q[1], q[2], out=t2)
    np.add(t2, q[0], out=y0)
    np.subtract(q[1], q[2], out=t2)
    np.subtract(t2, q[3], out=y1)
    _workspace.give(t2)
    _workspace.give(tmp)
    _workspace.give(q)
    out = np.empty((n, o, ho, wo), m.dtype)
    out[...] = y.reshape(o, 2 * th, 2 * tw, n)[:, :ho, :wo].transpose(3, 0, 1, 2)
    _workspace.give(y)
    return out


def forward(x: np.ndarray, w: np.ndarray, g: _Geom) -> np.ndarray:
    """``conv(x, w)`` for a geometry that :func:`geometry_fits` (groups 1)."""
    v = input_transform(x, g)
    return forward_from(v, x.shape[0], w, g, give_v=True)


def forward_from(v: np.ndarray, n: int, w: np.ndarray, g: _Geom, give_v: bool) -> np.ndarray:
    """The convolution from the transformed input ``v`` (:func:`input_transform`)."""
    u = weight_transform(w)
    m = _take((16, w.shape[0], v.shape[2]), v.dtype)
    np.matmul(u, v, out=m)
    if give_v:
        _workspace.give(v)
    out = _output_transform(m, n, g)
    _workspace.give(m)
    return out


def weight_grad(v: np.ndarray, y: np.ndarray, g: _Geom) -> np.ndarray:
    """``wgrad(x, y)`` (O, C, 3, 3) from ``v = input_transform(x)`` and the output gradient
    ``y`` (N, O, Ho, Wo)."""
    n, o = y.shape[:2]
    c = v.shape[1]
    th, tw = _tiles(g)
    ho, wo = g.out_size
    # y in (O, th, 2, tw, 2, N) layout, zero on the overhanging tiles' extra outputs
    yt = _take((o, 2 * th, 2 * tw, n), y.dtype)
    if ho % 2:
        yt[:, ho:] = 0
    if wo % 2:
        yt[:, :, wo:] = 0
    ytr, buf = _batch_inner(y)
    yt[:, :ho, :wo] = ytr
    _workspace.give(buf)
    y6 = yt.reshape(o, th, 2, tw, 2, n)
    # rows: e[a] = (A dY)[a] with the last row negated: (dY0, dY0+dY1, dY0-dY1, dY1)
    e = _take((4, o, th, tw, 2, n), y.dtype)
    r0, r1 = y6[:, :, 0], y6[:, :, 1]
    e[0] = r0
    np.add(r0, r1, out=e[1])
    np.subtract(r0, r1, out=e[2])
    e[3] = r1
    _workspace.give(yt)
    # columns, all four rows at once
    dm = _take((4, 4, o, th, tw, n), y.dtype)
    c0, c1 = e[..., 0, :], e[..., 1, :]
    dm[:, 0] = c0
    np.add(c0, c1, out=dm[:, 1])
    np.subtract(c0, c1, out=dm[:, 2])
    dm[:, 3] = c1
    _workspace.give(e)
    du = np.matmul(dm.reshape(16, o, -1), v.transpose(0, 2, 1))  # (16, O, C)
    _workspace.give(dm)
    return (du.reshape(16, o * c).T @ _KRON_ADJ.astype(y.dtype)).reshape(o, c, 3, 3)
