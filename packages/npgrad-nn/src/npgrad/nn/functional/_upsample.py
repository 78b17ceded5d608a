"""Resampling: ``interpolate`` (nearest, nearest-exact, linear/bilinear/trilinear, bicubic,
lanczos, area; antialiasing), its aliases ``upsample*``, ``pixel_shuffle`` /
``pixel_unshuffle`` and ``channel_shuffle``.

Every mode except ``area`` is separable: along one spatial axis, output ``j`` is a weighted
sum of a few input samples ``x[idx_r[j]]`` (1 for nearest, 2 for linear, 4 for cubic, the
filter's support for antialiasing), and the axes are processed last to first (W, then H,
then D) — PyTorch's order, so rounding matches. Indices and weights are computed with
PyTorch's formulas in its precision (float32 for float32 inputs). :class:`Resample` and its
adjoint :class:`ResampleT` are each other's backward, so gradients of any order work — and
the gradient is always the adjoint of the forward: PyTorch's 1-D and 3-D nearest kernels
compute floor(j / scale_factor) forward but take the o == n / o == 2n index shortcuts
backward, and its antialiasing backward resamples an axis whose size a ``scale_factor``
left unchanged (which its forward copies), so in those cases npgrad's gradient (the true
gradient of the forward both compute) differs from PyTorch's.
"""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any

import numpy as np

from npgrad import Tensor
from npgrad.autograd.function import Function
from npgrad.nn.functional._errors import _ValueRuntimeError
from npgrad.nn.functional._padding import _PadNotSupported
from npgrad.ops._shape_util import ShapeError

__all__ = [
    "channel_shuffle",
    "interpolate",
    "native_channel_shuffle",
    "pixel_shuffle",
    "pixel_unshuffle",
    "upsample",
    "upsample_bilinear",
    "upsample_nearest",
]

Taps = tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...] | None]


def _along(a: np.ndarray, axis: int, ndim: int) -> np.ndarray:
    return a.reshape((-1,) + (1,) * (ndim - 1 - axis))


class Resample(Function):
    """``out[..., j, ...] = sum_r w_r[j] · x[..., idx_r[j], ...]`` along ``axis``."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, axis: int, taps: Taps, n_in: int) -> np.ndarray:
        ctx.axis, ctx.taps, ctx.n_in = axis, taps, n_in
        idx, wts = taps
        out = np.take(x, idx[0], axis=axis)
        if wts is not None:
            out *= _along(wts[0], axis, x.ndim)
            for i, w in zip(idx[1:], wts[1:]):
                out += np.take(x, i, axis=axis) * _along(w, axis, x.ndim)
            if not np.isfinite(out).all() and any(np.signbit(w).any() for w in wts):
                out = _resample_skipping_unused(x, axis, taps)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return ResampleT.apply(grad, ctx.axis, ctx.taps, ctx.n_in), None, None, None


def _resample_skipping_unused(x: np.ndarray, axis: int, taps: Taps) -> np.ndarray:
    """:class:`Resample` without the unused antialiasing taps (weight -0.0), which PyTorch's
    kernel never reads: an inf or NaN input then stays in the outputs whose window holds it
    (``inf * 0`` would spread NaN along the axis)."""
    idx, wts = taps
    assert wts is not None
    out = np.zeros(x.shape[:axis] + (len(idx[0]),) + x.shape[axis + 1 :], x.dtype)
    for i, w in zip(idx, wts):
        used = _along(~((w == 0) & np.signbit(w)), axis, x.ndim)
        out += np.where(used, np.take(x, i, axis=axis) * _along(w, axis, x.ndim), x.dtype.type(0))
    return out


def _scatter_sorted(out: np.ndarray, vals: np.ndarray, idx: np.ndarray, axis: int) -> None:
    """``out[..., idx[j], ...] += vals[..., j, ...]`` for a non-decreasing ``idx``: runs of
    equal indices are summed with one ``add.reduceat`` (no slow ``np.add.at``)."""
    starts = np.flatnonzero(np.concatenate(([True], idx[1:] != idx[:-1])))
    sums = np.add.reduceat(vals, starts, axis=axis) if len(starts) < len(idx) else vals
    key = (slice(None),) * axis + (idx[starts],)
    out[key] += sums


class ResampleT(Function):
    """Adjoint of :class:`Resample`: each output gradient spread back to its samples."""

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, axis: int, taps: Taps, n_in: int) -> np.ndarray:
        ctx.axis, ctx.taps, ctx.n_in = axis, taps, n_in
        idx, wts = taps
        shape = g.shape[:axis] + (n_in,) + g.shape[axis + 1 :]
        out = np.zeros(shape, g.dtype)
        for r, i in enumerate(idx):
            vals = g if wts is None else g * _along(wts[r], axis, g.ndim)
            _scatter_sorted(out, vals, i, axis)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return Resample.apply(grad, ctx.axis, ctx.taps, ctx.n_in), None, None, None


# ---- PyTorch's source-index formulas (ATen UpSample.h), one axis at a time -------------------
def _scale(n: int, o: int, align_corners: bool, sf: float | None, dt: type) -> Any:
    if align_corners:
        return dt(n - 1) / dt(o - 1) if o > 1 else dt(0)
    return dt(1.0 / sf) if sf is not None and sf > 0 else dt(n) / dt(o)


def _nearest_taps(n: int, o: int, sf: float | None, exact: bool, shortcuts: bool) -> Taps:
    scale = _scale(n, o, False, sf, np.float32)  # nearest modes always compute in float
    j = np.arange(o)
    if exact:
        src = np.floor(((j + 0.5) * np.float64(scale)).astype(np.float32))
    elif shortcuts and o == n:
        src = j
    elif shortcuts and o == 2 * n:
        src = j >> 1
    else:
        src = np.floor(j.astype(np.float32) * scale)
    return (np.minimum(src.astype(np.intp), n - 1),), None


def _linear_taps(n: int, o: int, sf: float | None, align_corners: bool, dt: type) -> Taps:
    scale = _scale(n, o, align_corners, sf, dt)
    j: np.ndarray = np.arange(o).astype(dt)
    real = scale * j if align_corners else np.maximum(scale * (j + dt(0.5)) - dt(0.5), dt(0))
    i0 = np.minimum(np.floor(real).astype(np.intp), n - 1)
    lam = np.clip(real - i0, 0, 1).astype(dt)
    i1 = i0 + (i0 < n - 1)
    return (i0, i1), ((dt(1) - lam).astype(dt), lam)


def _cubic_taps(n: int, o: int, sf: float | None, align_corners: bool, dt: type) -> Taps:
    scale = _scale(n, o, align_corners, sf, dt)
    j: np.ndarray = np.arange(o).astype(dt)
    real = scale * j if align_corners else scale * (j + dt(0.5)) - dt(0.5)
    i0 = np.minimum(np.floor(real).astype(np.intp), n - 1)
    t = np.clip(real - i0, 0, 1).astype(dt)
    a = dt(-0.75)  # PyTorch's (and OpenCV's) cubic convolution constant

    def near(x: np.ndarray) -> np.ndarray:  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: np.ndarray) -> np.ndarray:  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    u = dt(1) - t
    wts = (far(t + dt(1)), near(t), near(u), far(u + dt(1)))
    idx = tuple(np.clip(i0 - 1 + r, 0, n - 1) for r in range(4))
    return idx, tuple(w.astype(dt) for w in wts)


def _aa_filter(mode: str, x: np.ndarray, dt: type) -> np.ndarray:
    """PyTorch's (Pillow's) antialiasing filters, evaluated in ``dt``."""
    x = np.abs(x)
    if mode == "bilinear":  # triangle
        return np.where(x < 1, dt(1) - x, dt(0)).astype(dt)
    if mode == "bicubic":  # Keys' cubic with a = -0.5 (not the -0.75 of the plain mode)
        a = dt(-0.5)
        near = ((a + 2) * x - (a + 3)) * x * x + 1
        far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
        return np.where(x < 1, near, np.where(x < 2, far, dt(0))).astype(dt)
    # lanczos, a = 3: sinc(x) * sinc(x / 3) inside |x| < 3
    with np.errstate(invalid="ignore", divide="ignore"):
        px = x * dt(np.pi)
        w = np.sin(px) * np.sin(px / dt(3)) / (px * px / dt(3))
    return np.where(x < 1e-7, dt(1), np.where(x < 3, w, dt(0))).astype(dt)


_AA_SIZE = {"bilinear": 2, "bicubic": 4, "lanczos": 6}


def _aa_taps(n: int, o: int, sf: float | None, align_corners: bool, mode: str, dt: type) -> Taps:
    """PyTorch's antialiasing weights (``_compute_weights_aa`` in ATen's UpSampleKernel.cpp):
    output ``j`` averages the inputs within ``support`` of its centre, the filter stretched
    by the scale when downsampling and the weights normalised to sum 1, in the input's
    precision. Each output has at most ``2 ceil(support) + 1`` taps; the unused ones get
    weight 0 (and a clamped, still non-decreasing index)."""
    scale = _scale(n, o, align_corners, sf, dt)
    support = dt(_AA_SIZE[mode] * 0.5 * scale) if scale >= 1 else dt(_AA_SIZE[mode] * 0.5)
    taps = int(math.ceil(support)) * 2 + 1
    invscale = dt(1.0 / float(scale)) if scale >= 1 else dt(1)
    j = np.arange(o)
    centre = (np.float64(scale) * (j + 0.5)).astype(dt)
    # C++: (center - support) in dt, then + 0.5 in double, truncated toward 0
    xmin = np.maximum(np.trunc((centre - support).astype(np.float64) + 0.5).astype(np.intp), 0)
    xmax = np.minimum(np.trunc((centre + support).astype(np.float64) + 0.5).astype(np.intp), n)
    xsize = np.clip(xmax - xmin, 0, taps)
    r = np.arange(taps)
    # (xmin + r - centre) is an integer minus a scalar_t in C++: computed in dt
    arg = ((xmin[:, None] + r).astype(dt) - centre[:, None]).astype(np.float64) + 0.5
    w = _aa_filter(mode, (arg * np.float64(invscale)).astype(dt), dt)
    # the unused taps get weight -0.0: no change to any finite result, and Resample can tell
    # them from a used tap of weight 0 when it keeps inf and NaN in their windows
    w = np.where(r < xsize[:, None], w, dt(-0.0)).astype(dt)
    total: np.ndarray = np.zeros(o, dt)
    for k in range(taps):  # PyTorch's accumulation order
        total += w[:, k]
    w = np.divide(w, total[:, None], out=w, where=total[:, None] != 0).astype(dt)
    idx = tuple(np.minimum(xmin + k, n - 1) for k in range(taps))
    return idx, tuple(np.ascontiguousarray(w[:, k]) for k in range(taps))


_NEAREST = ("nearest", "nearest-exact")  # pure indexing: also for uint8 images, as in PyTorch
_MODES = {
    "nearest": 0,
    "nearest-exact": 0,
    "area": 0,
    "linear": 1,
    "bilinear": 2,
    "bicubic": 2,
    "lanczos": 2,
    "trilinear": 3,
}


def interpolate(
    input: Tensor,  # noqa: A002
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize ``input`` (N, C, *spatial) to ``size`` or by ``scale_factor``, like
    ``torch.nn.functional.interpolate``.

    ``mode``: ``'nearest'``, ``'nearest-exact'``, ``'linear'`` (3-D input), ``'bilinear'``
    and ``'bicubic'`` (4-D), ``'trilinear'`` (5-D), ``'lanczos'`` (4-D, a Lanczos-3 filter;
    needs ``antialias=True``) or ``'area'`` (adaptive average pooling).
    ``align_corners`` (interpolating modes only) maps the corner pixels' centres onto each
    other. ``antialias=True`` (bilinear, bicubic, lanczos) low-pass filters when downsampling,
    with PyTorch's (Pillow's) filters, so that every input pixel contributes.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> x = npgrad.tensor([[[1.0, 2.0]]])
    >>> F.interpolate(x, scale_factor=2)
    tensor([[[1., 1., 2., 2.]]])
    >>> F.interpolate(x, size=4, mode="linear")
    tensor([[[1.0000, 1.2500, 1.7500, 2.0000]]])
    >>> F.interpolate(x, size=3, mode="linear", align_corners=True)
    tensor([[[1.0000, 1.5000, 2.0000]]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate: expected input to be a Tensor, got {type(input).__name__}")
    if mode not in _MODES:
        raise _PadNotSupported(
            f"interpolate: unknown mode {mode!r}; expected one of {', '.join(map(repr, _MODES))}"
        )
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires "
            "a 4-D tensor as input"
        )
    if mode == "lanczos" and input.ndim == 4:
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    nd = input.ndim - 2
    if nd not in (1, 2, 3):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for the "
            f"modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got {mode})"
        )
    if _MODES[mode] and _MODES[mode] != nd:
        need = {1: "3D", 2: "4D", 3: "5D"}[_MODES[mode]]
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {need} input")
    if input.dtype.kind != "f" and not (input.dtype == np.uint8 and mode in _NEAREST):
        raise TypeError(
            f"interpolate: expected a floating point input (or uint8 for the nearest modes), got "
            f"dtype {input.dtype}"
        )
    spatial = tuple(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        out = tuple(size) if isinstance(size, (tuple, list)) else (size,) * nd
        if len(out) != nd:
            raise ValueError(
                "Input and output must have the same number of spatial dimensions, but got input "
                f"with spatial dimensions of {list(spatial)} and output size of {size}."
            )
        if any(isinstance(s, bool) or not hasattr(s, "__index__") for s in out):
            # PyTorch refuses a float (even 3.0) or a bool size rather than truncating it
            raise TypeError(
                "interpolate: expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                f"Tuple[int, int, int], but got size with types {[type(s) for s in out]}"
            )
        out = tuple(operator.index(s) for s in out)
        scales: tuple[float | None, ...] = (None,) * nd
    elif scale_factor is not None:
        sfs = (
            tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * nd
        )
        if len(sfs) != nd:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {list(spatial)} and scale_factor of shape "
                f"{scale_factor}."
            )
        out = tuple(int(math.floor(n * float(s))) for n, s in zip(spatial, sfs))
        recompute = recompute_scale_factor or mode == "area"
        scales = (None,) * nd if recompute else tuple(float(s) for s in sfs)
    else:
        raise ValueError("either size or scale_factor should be defined")
    # 'area' is adaptive average pooling, which (as in PyTorch) may pool to an empty output
    smallest = 0 if mode == "area" else 1
    if min(out) < smallest or min(spatial) <= 0:
        raise ShapeError(
            f"interpolate: input of shape {tuple(input.shape)} and output size {out}: both must "
            "have positive spatial sizes"
        )
    if mode == "area":
        from npgrad.nn.functional._pooling_adaptive import _adaptive_avg

        return _adaptive_avg(input, nd, out, "interpolate")
    dt = np.float32 if input.dtype == np.float32 else np.float64
    y = input
    for t in range(nd - 1, -1, -1):
        n, o, sf = spatial[t], out[t], scales[t]
        if mode in _NEAREST:
            # PyTorch's 2-D nearest kernel maps o == n and o == 2n with the exact index
            # shortcuts; its 1-D and 3-D kernels use floor(j / scale_factor) for every size
            taps = _nearest_taps(n, o, sf, mode == "nearest-exact", shortcuts=nd == 2)
            if o == n and np.array_equal(taps[0][0], np.arange(n)):
                continue
        elif o == n and (antialias or mode != "bicubic"):
            continue  # PyTorch's linear and antialiasing kernels copy an axis of unchanged size
        elif antialias:
            taps = _aa_taps(n, o, sf, bool(align_corners), mode, dt)
        elif mode == "bicubic":
            taps = _cubic_taps(n, o, sf, bool(align_corners), dt)
        else:
            taps = _linear_taps(n, o, sf, bool(align_corners), dt)
        y = Resample.apply(y, 2 + t, taps, n)
    return y if y is not input else input.clone()


def upsample(
    input: Tensor,  # noqa: A002
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """Deprecated alias of :func:`interpolate` (kept as in PyTorch, and warns as it does).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.upsample(npgrad.ones(1, 1, 2), scale_factor=2).shape
    npgrad.Size([1, 1, 4])
    """
    warnings.warn(
        "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    """Nearest-neighbour upsampling (``interpolate(..., mode='nearest')``); deprecated, as in
    PyTorch (it warns).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.upsample_nearest(npgrad.ones(1, 1, 2, 2), scale_factor=2).shape
    npgrad.Size([1, 1, 4, 4])
    """
    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    """Bilinear upsampling with ``align_corners=True`` (PyTorch's legacy behaviour); deprecated,
    as in PyTorch (it warns).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.upsample_bilinear(npgrad.tensor([[[[0.0, 1.0]]]]), size=(1, 3))
    tensor([[[[0.0000, 0.5000, 1.0000]]]])
    """
    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---- pixel shuffle: pure reshapes and one permute --------------------------------------------
def _shuffle_args(input: Any, factor: Any, op: str, name: str) -> int:  # noqa: A002
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected input to be a Tensor, got {type(input).__name__}")
    if input.ndim < 3:
        raise ShapeError(
            f"{op}: expected an input of at least 3 dimensions (*, C, H, W), got shape "
            f"{tuple(input.shape)}"
        )
    if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)):
        raise TypeError(f"{op}: {name} must be an int, got {type(factor).__name__}")
    if factor <= 0:
        raise _ValueRuntimeError(f"{op}: {name} must be a positive integer, got {factor!r}")
    return int(factor)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:  # noqa: A002
    """Rearrange ``(*, C·r², H, W)`` into ``(*, C, H·r, W·r)`` (sub-pixel convolution).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.pixel_shuffle(npgrad.arange(4.0).reshape(1, 4, 1, 1), 2)
    tensor([[[[0., 1.],
              [2., 3.]]]])
    """
    r = _shuffle_args(input, upscale_factor, "pixel_shuffle", "upscale_factor")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise ShapeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r} (input of "
            f"shape {tuple(input.shape)})"
        )
    k = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:  # noqa: A002
    """Inverse of :func:`pixel_shuffle`: ``(*, C, H·r, W·r)`` -> ``(*, C·r², H, W)``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.pixel_unshuffle(npgrad.arange(4.0).reshape(1, 1, 2, 2), 2).flatten()
    tensor([0., 1., 2., 3.])
    """
    r = _shuffle_args(input, downscale_factor, "pixel_unshuffle", "downscale_factor")
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise ShapeError(
            "pixel_unshuffle expects height and width to be divisible by downscale_factor, but "
            f"input of shape {tuple(input.shape)} is not divisible by {r}"
        )
    k = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:  # noqa: A002
    """Interleave the channels of ``(N, C, *)`` from ``groups`` groups (ShuffleNet):
    ``(N, g, C/g, *)`` transposed to ``(N, C/g, g, *)``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.channel_shuffle(npgrad.arange(6.0).reshape(1, 6, 1), 2).flatten()
    tensor([0., 3., 1., 4., 2., 5.])
    """
    op = "channel_shuffle"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected input to be a Tensor, got {type(input).__name__}")
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)):
        raise TypeError(f"{op}: groups must be an int, got {type(groups).__name__}")
    if groups <= 0:
        raise _ValueRuntimeError(
            f"{op}: Number of groups to divide channels in must be positive. Value of groups:"
            f"{groups}"
        )
    if input.ndim < 3:
        raise ShapeError(
            f"{op} expects input to have at least 3 dimensions, but got input with sizes "
            f"{list(input.shape)}"
        )
    n, c, *rest = input.shape
    if c % groups:
        raise ShapeError(
            f"{op}: Number of channels must be divisible by groups. Got {c} channels and "
            f"{groups} groups."
        )
    g = int(groups)
    x = input.reshape(n, g, c // g, *rest).transpose(1, 2)
    return x.reshape(n, c, *rest)


def native_channel_shuffle(input: Tensor, groups: int) -> Tensor:  # noqa: A002
    """:func:`channel_shuffle` under PyTorch's other name for it (the same result).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.native_channel_shuffle(npgrad.arange(4.0).reshape(1, 4, 1), 2).flatten()
    tensor([0., 2., 1., 3.])
    """
    return channel_shuffle(input, groups)
