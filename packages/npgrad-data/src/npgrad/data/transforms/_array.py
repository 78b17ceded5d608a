"""The tensor-image side of :mod:`npgrad.data.transforms.functional` (torchvision's
``_functional_tensor``), computed on the NumPy array of a ``(..., C, H, W)`` image.

Formulas and rounding follow torchvision so results match it: ``_blend`` clamps then casts
(truncating, for integer images), grayscale is ``0.2989 R + 0.587 G + 0.114 B``, float→int
image conversion scales by ``max + 1 - 1e-3``, and HSV conversion is torchvision's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, cast

import numpy as np

from npgrad.ops._shape_util import ShapeError

__all__: list[str] = []  # private: use npgrad.data.transforms.functional


def max_value(dtype: np.dtype) -> int | float:
    """The value of a full-intensity pixel: 1 for float (and bool), the max for integers."""
    if dtype.kind in "iu":
        return int(np.iinfo(dtype).max)
    return 1


def channels(arr: np.ndarray) -> int:
    return 1 if arr.ndim == 2 else int(arr.shape[-3])


def check_channels(arr: np.ndarray, permitted: Sequence[int], op: str) -> None:
    c = channels(arr)
    if c not in permitted:
        raise TypeError(
            f"{op}: input image tensor permitted channel values are {list(permitted)}, but found {c}"
        )


def _float_of(arr: np.ndarray) -> np.dtype:
    return arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float32)


# ---- dtype conversion ----------------------------------------------------------------------
def convert_image_dtype(arr: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if arr.dtype == dtype:
        return arr
    if arr.dtype.kind == "f":
        if dtype.kind == "f":
            return arr.astype(dtype)
        if (arr.dtype == np.float32 and dtype in (np.int32, np.int64)) or (
            arr.dtype == np.float64 and dtype == np.int64
        ):
            raise RuntimeError(f"The cast from {arr.dtype} to {dtype} cannot be performed safely.")
        # max + 1 - eps maps [0, 1] evenly onto the integers: only 1.0 becomes the max
        eps = 1e-3
        scale = arr.dtype.type(float(max_value(dtype)) + 1.0 - eps)
        return (arr * scale).astype(dtype)
    input_max = float(max_value(arr.dtype))
    if dtype.kind == "f":
        return arr.astype(dtype) / dtype.type(input_max)
    output_max = float(max_value(dtype))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return (arr // factor).astype(dtype)
    factor = int((output_max + 1) // (input_max + 1))
    return arr.astype(dtype) * dtype.type(factor)


# ---- geometry ------------------------------------------------------------------------------
def check_reflect_padding(op: str, pads: tuple[int, ...], y: int, x: int, h: int, w: int) -> None:
    """Reflect padding by ``y`` rows and ``x`` columns needs more than that many (PyTorch's
    rule); a ShapeError is both npgrad's ValueError and PyTorch's RuntimeError."""
    if (y > 0 and y >= h) or (x > 0 and x >= w):
        raise ShapeError(
            f"{op}: reflect padding by {pads} needs an image larger than that, got (H, W) = "
            f"{(h, w)}"
        )


def pad(arr: np.ndarray, padding: Sequence[int], fill: float, mode: str) -> np.ndarray:
    """Pad the last two dims by ``padding = [left, top, right, bottom]`` (negative crops)."""
    left, top, right, bottom = (int(p) for p in padding)
    h, w = arr.shape[-2:]
    arr = arr[..., max(-top, 0) : h - max(-bottom, 0), max(-left, 0) : w - max(-right, 0)]
    if mode != "constant" and 0 in arr.shape[-2:] and max(left, top, right, bottom) > 0:
        raise ShapeError(
            f"pad: {mode} padding needs a non-empty image, got (H, W) = {arr.shape[-2:]}"
        )
    if mode == "reflect":
        ch, cw = arr.shape[-2:]
        pads = (left, top, right, bottom)
        check_reflect_padding("pad", pads, max(top, bottom), max(left, right), ch, cw)
    widths = [(0, 0)] * (arr.ndim - 2) + [
        (max(top, 0), max(bottom, 0)),
        (max(left, 0), max(right, 0)),
    ]
    if mode == "constant":
        return np.pad(arr, widths, mode="constant", constant_values=arr.dtype.type(fill))
    return np.pad(arr, widths, mode=cast(Any, mode))


def crop(arr: np.ndarray, top: int, left: int, height: int, width: int) -> np.ndarray:
    """The window ``[top, top + height) x [left, left + width)``; outside the image is 0."""
    h, w = arr.shape[-2:]
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding = [
            max(-left + min(0, right), 0),
            max(-top + min(0, bottom), 0),
            max(right - max(w, left), 0),
            max(bottom - max(h, top), 0),
        ]
        inside = arr[..., max(top, 0) : max(bottom, 0), max(left, 0) : max(right, 0)]
        return pad(inside, padding, 0, "constant")
    return arr[..., top:bottom, left:right]


# PIL's resampling filters (Pillow's Resample.c): support and kernel
def _triangle(x: np.ndarray) -> np.ndarray:
    return np.maximum(1.0 - np.abs(x), 0.0)


def _cubic(x: np.ndarray, a: float = -0.5) -> np.ndarray:
    x = np.abs(x)
    near = ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    far = (((x - 5.0) * x + 8.0) * x - 4.0) * a
    return np.where(x < 1.0, near, np.where(x < 2.0, far, 0.0))


def _box(x: np.ndarray) -> np.ndarray:
    return ((x >= -0.5) & (x < 0.5)).astype(np.float64)


def _hamming(x: np.ndarray) -> np.ndarray:
    px = np.pi * x
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.sin(px) / px * (0.54 + 0.46 * np.cos(px))
    return np.where(x == 0, 1.0, np.where(np.abs(x) >= 1.0, 0.0, v))


def _lanczos(x: np.ndarray) -> np.ndarray:
    return np.where(np.abs(x) < 3.0, np.sinc(x) * np.sinc(x / 3.0), 0.0)


_FILTERS = {
    "bilinear": (_triangle, 1.0),
    "bicubic": (_cubic, 2.0),
    "box": (_box, 0.5),
    "hamming": (_hamming, 1.0),
    "lanczos": (_lanczos, 3.0),
}


def _antialias_weights(n_in: int, n_out: int, mode: str) -> np.ndarray:
    # Pillow's precompute_coeffs, which torch's antialiased interpolate follows too: the
    # filter widens by the downscaling factor, so every input pixel contributes
    kernel, support = _FILTERS[mode]
    scale = n_in / n_out
    filterscale = max(scale, 1.0)
    support *= filterscale
    weights = np.zeros((n_out, n_in))
    for i in range(n_out):
        center = (i + 0.5) * scale
        lo = max(int(center - support + 0.5), 0)
        hi = min(int(center + support + 0.5), n_in)
        w = kernel((np.arange(lo, hi) - center + 0.5) / filterscale)
        total = w.sum()
        weights[i, lo:hi] = w / total if total != 0 else w
    return weights


def _nearest_index(n_in: int, n_out: int, mode: str) -> np.ndarray:
    # torch's nearest: floor(dst * scale); nearest-exact (= Pillow's): floor((dst + 0.5) * scale),
    # computed in float32 as torch does
    scale = np.float32(n_in / n_out)
    dst = np.arange(n_out, dtype=np.float32)
    if mode == "nearest-exact":
        dst += np.float32(0.5)
    return np.minimum(np.floor(dst * scale).astype(np.int64), n_in - 1)


def _interpolate_weights(n_in: int, n_out: int, mode: str) -> np.ndarray:
    # torch.nn.functional.interpolate(align_corners=False, antialias=False)
    scale = n_in / n_out
    rows = np.arange(n_out)
    src = (rows + 0.5) * scale - 0.5
    weights = np.zeros((n_out, n_in))
    if mode == "bilinear":
        src = np.maximum(src, 0.0)
        i0 = np.floor(src).astype(np.int64)
        lam = src - i0
        np.add.at(weights, (rows, i0), 1.0 - lam)
        np.add.at(weights, (rows, np.minimum(i0 + 1, n_in - 1)), lam)
        return weights
    # bicubic: Keys' kernel with a = -0.75 on the 4 nearest pixels, indices clamped
    i0 = np.floor(src).astype(np.int64)
    t = src - i0
    for d in (-1, 0, 1, 2):
        np.add.at(weights, (rows, np.clip(i0 + d, 0, n_in - 1)), _cubic(t - d, a=-0.75))
    return weights


def resize(arr: np.ndarray, size: Sequence[int], mode: str, antialias: bool) -> np.ndarray:
    """Resize the last two dims to ``size = [height, width]``, as torchvision resizes tensors."""
    out_h, out_w = int(size[0]), int(size[1])
    in_h, in_w = arr.shape[-2:]
    if mode in ("nearest", "nearest-exact"):
        hi, wi = _nearest_index(in_h, out_h, mode), _nearest_index(in_w, out_w, mode)
        return arr[..., hi[:, None], wi[None, :]]
    if antialias or mode not in ("bilinear", "bicubic"):
        wh, ww = _antialias_weights(in_h, out_h, mode), _antialias_weights(in_w, out_w, mode)
    else:
        wh, ww = _interpolate_weights(in_h, out_h, mode), _interpolate_weights(in_w, out_w, mode)
    work = _float_of(arr)
    x = arr.astype(work, copy=False)
    out = wh.astype(work) @ x @ ww.T.astype(work)
    if arr.dtype.kind == "f":
        return out.astype(arr.dtype, copy=False)
    if arr.dtype == np.uint8:
        out = np.clip(out, 0, 255)
    return np.round(out).astype(arr.dtype)


def _affine_output_size(matrix: Sequence[float], w: int, h: int) -> tuple[int, int]:
    # torchvision's _compute_affine_output_size (itself after Pillow's rotate(expand=True))
    pts = np.array(
        [
            [-0.5 * w, -0.5 * h, 1.0],
            [-0.5 * w, 0.5 * h, 1.0],
            [0.5 * w, 0.5 * h, 1.0],
            [0.5 * w, -0.5 * h, 1.0],
        ],
        dtype=np.float32,
    )
    theta = np.asarray(matrix, dtype=np.float32).reshape(2, 3)
    new = pts @ theta.T
    lo = new.min(axis=0) + np.array([0.5 * w, 0.5 * h], np.float32)
    hi = new.max(axis=0) + np.array([0.5 * w, 0.5 * h], np.float32)
    tol = np.float32(1e-4)  # so that 1e-15 above an integer doesn't ceil to the next one
    size = np.ceil(np.trunc(hi / tol) * tol) - np.floor(np.trunc(lo / tol) * tol)
    return int(size[0]), int(size[1])


def inverse_rotation_matrix(center: Sequence[float], angle: float) -> list[float]:
    """torchvision's _get_inverse_affine_matrix for a pure rotation by ``angle`` degrees."""
    rot = math.radians(angle)
    cx, cy = center
    a, b, c, d = math.cos(rot), -math.sin(rot), math.sin(rot), math.cos(rot)
    m = [d, -b, 0.0, -c, a, 0.0]
    m[2] += m[0] * -cx + m[1] * -cy + cx
    m[5] += m[3] * -cx + m[4] * -cy + cy
    return m


def rotate(
    arr: np.ndarray,
    angle: float,
    mode: str,
    expand: bool,
    center: Sequence[float] | None,
    fill: Sequence[float] | None,
) -> np.ndarray:
    """Rotate counter-clockwise by ``angle`` degrees like torchvision's grid_sample path."""
    h, w = arr.shape[-2:]
    center_f = [0.0, 0.0]
    if center is not None:
        center_f = [float(c) - s * 0.5 for c, s in zip(center, (w, h))]
    matrix = inverse_rotation_matrix(center_f, -angle)
    ow, oh = _affine_output_size(matrix, w, h) if expand else (w, h)
    return affine(arr, matrix, mode, fill, (oh, ow))


def affine(
    arr: np.ndarray,
    matrix: Sequence[float],
    mode: str,
    fill: Sequence[float] | None,
    out_size: tuple[int, int] | None = None,
) -> np.ndarray:
    """Sample the image at the inverse affine ``matrix`` (centred coordinates) of each output
    pixel, as torchvision's _gen_affine_grid + grid_sample do."""
    h, w = arr.shape[-2:]
    oh, ow = (h, w) if out_size is None else out_size
    work = _float_of(arr)
    m = np.asarray(matrix, dtype=work)
    # output pixel centres, relative to the output's centre, mapped back into the input; then
    # grid_sample's align_corners=False unnormalisation: ix = gx * w / 2 + (w - 1) / 2
    xs = np.arange(ow, dtype=work) - work.type(ow * 0.5 - 0.5)
    ys = np.arange(oh, dtype=work) - work.type(oh * 0.5 - 0.5)
    # torch divides theta by (w/2, h/2) first, then multiplies: same order, same rounding
    a = m.reshape(2, 3) / np.array([[0.5 * w], [0.5 * h]], dtype=work)
    gx = xs[None, :] * a[0, 0] + ys[:, None] * a[0, 1] + a[0, 2]
    gy = xs[None, :] * a[1, 0] + ys[:, None] * a[1, 1] + a[1, 2]
    return grid_sample(arr, ((gx + 1) * w - 1) / 2, ((gy + 1) * h - 1) / 2, mode, fill)


def grid_sample(
    arr: np.ndarray, ix: np.ndarray, iy: np.ndarray, mode: str, fill: Sequence[float] | None
) -> np.ndarray:
    """The image at input pixel coordinates ``(ix, iy)`` (one pair per output pixel): zeros
    outside, then torchvision's fill blending through a sampled mask of ones."""
    h, w = arr.shape[-2:]
    oh, ow = ix.shape
    work = _float_of(arr)
    img = arr.astype(work, copy=False)
    lead = img.shape[:-2]
    if mode == "nearest":
        xi, yi = np.rint(ix).astype(np.int64), np.rint(iy).astype(np.int64)
        inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
        out = np.where(inside, img[..., np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)], 0)
        mask = inside.astype(work)
    else:  # bilinear, with zeros outside (padding_mode="zeros")
        x0, y0 = np.floor(ix), np.floor(iy)
        out = np.zeros((*lead, oh, ow), work)
        mask = np.zeros((oh, ow), work)
        for dy in (0, 1):
            for dx in (0, 1):
                xk, yk = (x0 + dx).astype(np.int64), (y0 + dy).astype(np.int64)
                wk = (1 - np.abs(ix - xk)) * (1 - np.abs(iy - yk))
                ok = (xk >= 0) & (xk < w) & (yk >= 0) & (yk < h)
                wk = np.where(ok, wk, 0).astype(work)
                out += wk * img[..., np.clip(yk, 0, h - 1), np.clip(xk, 0, w - 1)]
                mask += wk
    if fill is not None:
        fill_img = np.asarray(fill, dtype=work).reshape(-1, 1, 1)
        if arr.ndim == 2:
            fill_img = fill_img[0]
        if mode == "nearest":
            out = np.where(mask < 0.5, fill_img, out)
        else:
            out = out * mask + (1 - mask) * fill_img
    if arr.dtype.kind == "f":
        return out.astype(arr.dtype)
    return np.round(out).astype(arr.dtype)


def erase(arr: np.ndarray, i: int, j: int, h: int, w: int, v: Any, inplace: bool) -> np.ndarray:
    window = arr[..., i : i + h, j : j + w]
    try:
        fits = np.broadcast_shapes(np.shape(v), window.shape) == window.shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(
            f"erase: value of shape {np.shape(v)} can't fill the window of shape {window.shape} "
            f"at (i, j, h, w) = {(i, j, h, w)} of the image of shape {arr.shape}"
        )
    out = arr if inplace else arr.copy()
    out[..., i : i + h, j : j + w] = v
    return out


# ---- colour --------------------------------------------------------------------------------
def blend(img1: np.ndarray, img2: np.ndarray | float, ratio: float) -> np.ndarray:
    """``ratio * img1 + (1 - ratio) * img2``, clamped to the valid range, in img1's dtype."""
    work = _float_of(img1)
    out = work.type(ratio) * img1.astype(work, copy=False) + work.type(1.0 - ratio) * np.asarray(
        img2, dtype=work
    )
    return np.clip(out, 0, max_value(img1.dtype)).astype(img1.dtype)


def rgb_to_grayscale(arr: np.ndarray, num_output_channels: int) -> np.ndarray:
    if num_output_channels not in (1, 3):
        raise ValueError(f"num_output_channels should be either 1 or 3, got {num_output_channels}")
    if channels(arr) == 3:
        r, g, b = (arr[..., k, :, :] for k in range(3))
        work = _float_of(arr)
        gray = work.type(0.2989) * r + work.type(0.587) * g + work.type(0.114) * b
        gray = gray.astype(arr.dtype)[..., None, :, :]
    else:
        gray = arr.copy()
    if num_output_channels == 3:
        return np.broadcast_to(gray, (*gray.shape[:-3], 3, *gray.shape[-2:])).copy()
    return gray


def adjust_contrast(arr: np.ndarray, factor: float) -> np.ndarray:
    work = _float_of(arr)
    gray = rgb_to_grayscale(arr, 1) if channels(arr) == 3 else arr
    mean = gray.astype(work).mean(axis=(-3, -2, -1), keepdims=True, dtype=work)
    return blend(arr, mean, factor)


def _rgb2hsv(img: np.ndarray) -> np.ndarray:
    r, g, b = img[..., 0, :, :], img[..., 1, :, :], img[..., 2, :, :]
    maxc, minc = img.max(axis=-3), img.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    one = np.ones_like(maxc)
    s = cr / np.where(eqc, one, maxc)
    cr_div = np.where(eqc, one, cr)
    rc, gc, bc = (maxc - r) / cr_div, (maxc - g) / cr_div, (maxc - b) / cr_div
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = np.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0).astype(img.dtype)
    return np.stack((h, s, maxc), axis=-3)


def _hsv2rgb(img: np.ndarray) -> np.ndarray:
    h, s, v = img[..., 0, :, :], img[..., 1, :, :], img[..., 2, :, :]
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int32) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    table = (
        (v, q, p, p, t, v),
        (t, v, v, q, p, p),
        (p, p, t, v, v, q),
    )
    out = [np.choose(i, [c.astype(img.dtype) for c in row]) for row in table]
    return np.stack(out, axis=-3).astype(img.dtype)


def adjust_hue(arr: np.ndarray, factor: float) -> np.ndarray:
    if channels(arr) == 1:
        return arr  # like PIL: a gray image has no hue
    check_channels(arr, [3], "adjust_hue")
    orig = arr.dtype
    img = convert_image_dtype(arr, np.dtype(np.float32)) if orig.kind != "f" else arr
    hsv = _rgb2hsv(img)
    hsv[..., 0, :, :] = np.mod(hsv[..., 0, :, :] + img.dtype.type(factor), 1.0)
    out = _hsv2rgb(hsv)
    return convert_image_dtype(out, orig) if orig.kind != "f" else out.astype(orig)
