"""Depthwise 2-D convolutions (``groups == in_channels == out_channels``, stride 1).

The forward and the input gradient run in :mod:`._conv_flat` (per sample, ``C`` tiny
GEMVs on flat columns built in cache: 32×64×32×32, 3×3, float32, forward 11.7 -> 4.3 ms,
input gradient 16.7 -> 4.3 ms against the tap-by-tap multiply-adds that were here), and so
does the weight gradient on large maps (7.7 -> 6.2 ms). On small maps (at most 256
positions, e.g. 12×12: 1.05 against 1.65 ms) the weight gradient is the tap-by-tap kernel
below: each kernel tap is one vectorised multiply-and-sum of a shifted input plane with the
output gradient, ``einsum`` per tap, with two layout choices:

* *flattened rows*: the input is zero-padded once and each plane flattened, and the sums
  run over the padded width ``Wp`` with zero output-gradient columns for the extra
  ``Wp - Wo`` positions. A tap's shifted plane is then one contiguous run of ``Ho·Wp``
  elements instead of ``Ho`` short rows;
* *channel blocks*: the taps are applied to a block of channels at a time so that the
  block's planes stay in cache across the ``k·k`` passes (a loop over groups of channels,
  never over positions or samples).

The extra positions read real input values (a row's end wraps into the next row), so a
non-finite input would give ``0·inf = NaN`` there: such inputs take :mod:`._conv_flat`.
"""

from __future__ import annotations

import numpy as np

from npgrad.nn.functional import _workspace
from npgrad.nn.functional._im2col import _Geom

__all__: list[str] = []

_BLOCK_BYTES = (
    1 << 19
)  # a channel block's padded planes across the batch (512 KB; 128 KB-1 MB measured alike)


def is_depthwise(c: int, w_shape: tuple[int, ...], g: _Geom, groups: int) -> bool:
    return (
        len(g.kernel) == 2
        and g.stride == (1, 1)
        and groups == c
        and w_shape[0] == c
        and w_shape[1] == 1
        and g.kernel != (1, 1)
    )


def _frame(g: _Geom) -> tuple[int, int, list[int], int]:
    """Padded width, padded height, the flat offset of each tap, flat output length."""
    (h, wd), (ho, wo) = g.in_size, g.out_size
    (kh, kw), (dh, dw), (ph, pw) = g.kernel, g.dilation, g.pad
    wp = max(wo + dw * (kw - 1), pw + wd)
    hp = max(ho + dh * (kh - 1), ph + h)
    offsets = [i * dh * wp + j * dw for i in range(kh) for j in range(kw)]
    return wp, hp, offsets, ho * wp


def _padded(x: np.ndarray, g: _Geom, wp: int, hp: int) -> np.ndarray:
    """``x`` zero-padded into flat planes of ``(hp + 1) * wp`` (one spare row for the
    overrun of the last taps)."""
    n, c, h, wd = x.shape
    (ph, pw) = g.pad
    xp = _workspace.take((n, c, (hp + 1) * wp), x.dtype)
    xp[...] = 0
    xp.reshape(n, c, hp + 1, wp)[:, :, ph : ph + h, pw : pw + wd] = x
    return xp


def _widened(y: np.ndarray, wp: int) -> np.ndarray:
    """``y`` (N, C, Ho, Wo) with zero columns up to ``wp``, as flat ``(N, C, Ho·wp)``."""
    n, c, ho, wo = y.shape
    yw = _workspace.take((n, c, ho, wp), y.dtype)
    yw[..., wo:] = 0
    yw[..., :wo] = y
    return yw.reshape(n, c, ho * wp)


def _blocks(n: int, c: int, plane: int, itemsize: int) -> range:
    step = max(1, _BLOCK_BYTES // max(1, n * plane * itemsize))
    return range(0, c, step)


def weight_grad(x: np.ndarray, gy: np.ndarray, g: _Geom, w_shape: tuple[int, ...]) -> np.ndarray:
    n, c = x.shape[:2]
    wp, hp, offsets, length = _frame(g)
    xp = _padded(x, g, wp, hp)
    gyw = _widened(gy, wp)  # zero extra columns: they add nothing to the sums
    gw = np.empty((c, len(offsets)), x.dtype)
    blocks = _blocks(n, c, xp.shape[2], x.itemsize)
    for c0 in blocks:
        c1 = min(c, c0 + blocks.step)
        xs, gs = xp[:, c0:c1], gyw[:, c0:c1]
        for t, off in enumerate(offsets):
            gw[c0:c1, t] = np.einsum("ncq,ncq->c", gs, xs[:, :, off : off + length])
    _workspace.give(xp)
    _workspace.give(gyw)
    return gw.reshape(w_shape)
