"""im2col / col2im: the sliding-window kernels under convolution, ``unfold`` and ``fold``.

A window geometry (:class:`_Geom`) describes one spatial map of ``in_size`` read by a kernel
of ``kernel`` taps with ``stride``, ``dilation`` and zero padding ``pad`` on the low side,
giving ``out_size`` window positions per dimension (the high-side padding is implied by
``out_size``). ``_im2col`` copies the windows of ``x`` of shape ``(N, C, *in_size)`` into
``cols`` of shape ``(N, C, *kernel, *out_size)``; ``_col2im`` is its adjoint: it adds every
window back where it came from.

Both loop over the kernel *taps* (9 for a 3×3 kernel), never over positions or the batch:
for one tap, the input elements it reads form a strided slab, so each iteration is one
vectorised copy (or add) of ``N·C·prod(out_size)`` elements. Padding is not materialised:
the slab of each tap is clipped to the input and the clipped border of ``cols`` is zeroed,
which saves the padded copy of the input. Layout ``(N, C, *kernel, *out)`` is chosen so
that the convolution GEMM ``weight (O, C·K) @ cols[n] (C·K, L)`` needs no copy and writes
the output directly in NCHW order (see ``_conv_ops``).
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from npgrad import Tensor
from npgrad.autograd.function import Function

__all__: list[str] = []

_ALL = slice(None)


class _Geom(NamedTuple):
    """Sliding-window geometry along the spatial dimensions (one entry per dimension)."""

    in_size: tuple[int, ...]
    out_size: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    pad: tuple[int, ...]
    dilation: tuple[int, ...]


def _out_size(n: int, k: int, s: int, lo: int, hi: int, d: int, ceil_mode: bool = False) -> int:
    """Number of windows along one dimension (PyTorch's formula; ``ceil_mode`` as pooling)."""
    span = n + lo + hi - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and out > 0 and (out - 1) * s >= n + lo:
        out -= 1  # the last window must start inside the input or the low padding
    return out


def _tap_range(n: int, o: int, s: int, p: int, start: int) -> tuple[int, int]:
    """Window positions ``[lo, hi)`` whose element at offset ``start`` (= tap·dilation) lies
    inside ``[0, n)``: position ``j`` reads input index ``j·s + start - p``."""
    lo = max(0, -((start - p) // s))  # ceil((p - start) / s)
    hi = min(o, (n - 1 + p - start) // s + 1)
    return lo, max(lo, hi)


@functools.lru_cache(maxsize=512)
def _plan(g: _Geom) -> tuple[tuple[Any, ...], ...]:
    """Per kernel tap: the index of its slab in ``cols``, of its source in the input (None
    when it reads only padding), and of the clipped borders of its slab (to zero)."""
    nd = len(g.kernel)
    per_dim = []
    for t in range(nd):
        n, o, s, p, d = g.in_size[t], g.out_size[t], g.stride[t], g.pad[t], g.dilation[t]
        per_dim.append([_tap_range(n, o, s, p, k * d) + (k * d,) for k in range(g.kernel[t])])
    plan: list[tuple[Any, ...]] = []
    for taps in itertools.product(*(range(k) for k in g.kernel)):
        ranges = [per_dim[t][k] for t, k in enumerate(taps)]
        head = (_ALL, _ALL, *taps)
        if any(lo >= hi for lo, hi, _ in ranges):
            plan.append((head, None, ()))
            continue
        dst = tuple(slice(lo, hi) for lo, hi, _ in ranges)
        src = tuple(
            slice(lo * s + st - p, (hi - 1) * s + st - p + 1, s)
            for (lo, hi, st), s, p in zip(ranges, g.stride, g.pad)
        )
        borders = []
        for t, (lo, hi, _) in enumerate(ranges):
            before, after = (_ALL,) * t, (_ALL,) * (nd - t - 1)
            if lo > 0:
                borders.append(head + before + (slice(0, lo),) + after)
            if hi < g.out_size[t]:
                borders.append(head + before + (slice(hi, None),) + after)
        plan.append((head + dst, (_ALL, _ALL, *src), tuple(borders)))
    return tuple(plan)


def _is_pointwise(g: _Geom) -> bool:
    return all(k == 1 for k in g.kernel) and all(s == 1 for s in g.stride) and not any(g.pad)


def _im2col(x: np.ndarray, g: _Geom, alloc: Callable[..., np.ndarray] = np.empty) -> np.ndarray:
    """Windows of ``x`` (N, C, *in_size) as ``(N, C, *kernel, *out_size)`` (zeros where a
    window hangs over the padding), in an array from ``alloc(shape, dtype)``."""
    nd = len(g.kernel)
    if _is_pointwise(g) and g.out_size == g.in_size:
        return x.reshape(x.shape[:2] + (1,) * nd + g.in_size)  # 1×1 conv: the input itself
    cols = alloc(x.shape[:2] + g.kernel + g.out_size, x.dtype)
    for dst, src, borders in _plan(g):
        if src is None:
            cols[dst] = 0
            continue
        cols[dst] = x[src]
        for b in borders:
            cols[b] = 0
    return cols


def _im2col_kn(x: np.ndarray, g: _Geom, alloc: Callable[..., np.ndarray] = np.empty) -> np.ndarray:
    """The same windows laid out ``(C, *kernel, N, *out_size)``: a tap's slab is then one
    contiguous block, which copies about twice as fast on small maps, and the batch joins
    the positions so that the weight gradient is one GEMM over ``N·L`` (see ``_conv_ops``)."""
    nd = len(g.kernel)
    cols = alloc((x.shape[1], *g.kernel, x.shape[0], *g.out_size), x.dtype)
    xt = x.swapaxes(0, 1)

    def kn(key: tuple[Any, ...]) -> tuple[Any, ...]:  # (n, c, *taps, *pos) -> (c, *taps, n, *pos)
        return (key[1], *key[2 : 2 + nd], key[0], *key[2 + nd :])

    for dst, src, borders in _plan(g):
        if src is None:
            cols[kn(dst)] = 0
            continue
        cols[kn(dst)] = xt[src]
        for b in borders:
            cols[kn(b)] = 0
    return cols


def _col2im(cols: np.ndarray, g: _Geom) -> np.ndarray:
    """Adjoint of :func:`_im2col`: ``(N, C, *kernel, *out_size)`` summed back into
    ``(N, C, *in_size)``."""
    if _is_pointwise(g) and g.out_size == g.in_size:
        return cols.reshape(cols.shape[:2] + g.in_size)
    out = np.zeros(cols.shape[:2] + g.in_size, cols.dtype)
    for dst, src, _ in _plan(g):
        if src is not None:
            view = out[src]
            np.add(view, cols[dst], out=view)
    return out


# ---- argument checking shared by the window ops (conv, pooling, fold) ------------------------
def _who(op: Any) -> str:
    """How an error names the caller: a functional op by name, a layer by its repr."""
    return op if isinstance(op, str) else repr(op)


def _ntuple(value: Any, n: int, name: str, op: Any, minimum: int = 0) -> tuple[int, ...]:
    """``3`` -> ``(3, 3)``; a tuple/list must have ``n`` (or one) integers ``>= minimum``."""
    try:
        if isinstance(value, (tuple, list)):
            vals = tuple(operator.index(v) for v in value)
            if len(vals) == 1:
                vals = vals * n
        else:
            vals = (operator.index(value),) * n
    except TypeError:
        raise TypeError(
            f"{_who(op)}: {name} must be an int or a tuple of {n} ints, got {value!r}"
        ) from None
    if len(vals) != n:
        raise ValueError(f"{_who(op)}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    if any(v < minimum for v in vals):
        kind = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{_who(op)}: {name} must be {kind}, got {value!r}")
    return vals


def _check_input(x: Any, nd: int, op: Any, what: str = "input") -> Tensor:
    """A floating Tensor of ``nd + 1`` (unbatched) or ``nd + 2`` (batched) dimensions."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{_who(op)}: expected {what} to be a Tensor, got {type(x).__name__}")
    if x.ndim not in (nd + 1, nd + 2):
        spatial = ("L",) if nd == 1 else ("H", "W") if nd == 2 else ("D", "H", "W")
        raise ValueError(
            f"{_who(op)}: expected {nd + 1}-D (unbatched, (C, {', '.join(spatial)})) or "
            f"{nd + 2}-D (batched, (N, C, {', '.join(spatial)})) {what}, got {what} of shape "
            f"{tuple(x.shape)}"
        )
    if x.dtype.kind != "f":
        raise TypeError(f"{_who(op)}: expected a floating point {what}, got dtype {x.dtype}")
    return x


# ---- unfold / fold as Functions: each is the other's backward -------------------------------
class Unfold(Function):
    """``(N, C, *S)`` -> ``(N, C·prod(kernel), L)``: the im2col columns as a tensor."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, geom: _Geom) -> np.ndarray:
        ctx.geom = geom
        cols = _im2col(x, geom)
        if cols.base is x or cols is x:  # pointwise geometry: never hand out a view of x
            cols = cols.copy()
        return cols.reshape(
            x.shape[0], x.shape[1] * math.prod(geom.kernel), math.prod(geom.out_size)
        )

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return Fold.apply(grad, ctx.geom), None


class Fold(Function):
    """``(N, C·prod(kernel), L)`` -> ``(N, C, *S)``: overlapping blocks summed (col2im)."""

    @staticmethod
    def forward(ctx: Any, cols: np.ndarray, geom: _Geom) -> np.ndarray:
        ctx.geom = geom
        n, ck = cols.shape[:2]
        c = ck // math.prod(geom.kernel)
        out = _col2im(cols.reshape((n, c) + geom.kernel + geom.out_size), geom)
        return out.copy() if np.may_share_memory(out, cols) else out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return Unfold.apply(grad, ctx.geom), None
