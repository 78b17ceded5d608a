"""Pixel-value transforms of PIL and tensor images (part of
:mod:`npgrad.data.transforms.functional`): invert, posterize, solarize, sharpness,
autocontrast, equalize, gamma and Gaussian blur.

PIL images use the ``ImageOps``/``ImageEnhance`` call torchvision makes; tensors follow
torchvision's tensor formulas (float work in the image's float dtype, float32 for integer
images, results rounded back for integer images where torchvision rounds).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import ImageEnhance, ImageOps

from npgrad.data.transforms import _array, _pil
from npgrad.data.transforms._common import image_array, wrap
from npgrad.data.transforms._conversion import pil_to_tensor, to_pil_image

__all__ = [
    "adjust_gamma",
    "adjust_sharpness",
    "autocontrast",
    "equalize",
    "gaussian_blur",
    "invert",
    "posterize",
    "solarize",
]


def _image3(img: Any, op: str, uint8_only: bool = False) -> np.ndarray:
    arr = image_array(img, op)
    if uint8_only and arr.dtype != np.uint8:
        raise TypeError(f"{op}: Only uint8 image tensors are supported, but found {arr.dtype}")
    if arr.ndim < 3:
        raise TypeError(
            f"{op}: Input image tensor should have at least 3 dimensions, but found {arr.ndim}"
        )
    _array.check_channels(arr, [1, 3], op)
    return arr


def _invert(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == np.bool_:
        return ~arr
    return (arr.dtype.type(_array.max_value(arr.dtype)) - arr).astype(arr.dtype)


def invert(img: Any) -> Any:
    """Invert the colours: ``max - x`` (255 for uint8, 1 for float).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.invert(npgrad.tensor([[[0, 100, 255]]], dtype=npgrad.uint8))
    tensor([[[255, 155,   0]]], dtype=npgrad.uint8)
    """
    if _pil.is_pil_image(img):
        return ImageOps.invert(img)
    return wrap(_invert(_image3(img, "invert")))


def posterize(img: Any, bits: int) -> Any:
    """Keep the ``bits`` most significant bits of each channel (uint8 images).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.posterize(npgrad.tensor([[[255, 100, 7]]], dtype=npgrad.uint8), 2)
    tensor([[[192,  64,   0]]], dtype=npgrad.uint8)
    """
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or not 0 <= bits <= 8:
        raise ValueError(f"The number if bits should be between 0 and 8. Got {bits}")
    if _pil.is_pil_image(img):
        return ImageOps.posterize(img, int(bits))
    arr = _image3(img, "posterize", uint8_only=True)
    mask = np.uint8((0xFF << (8 - int(bits))) & 0xFF)
    return wrap(arr & mask)


def solarize(img: Any, threshold: float) -> Any:
    """Invert the pixels ``>= threshold``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.solarize(npgrad.tensor([[[0.2, 0.5, 0.9]]]), 0.5)
    tensor([[[0.2000, 0.5000, 0.1000]]])
    """
    if _pil.is_pil_image(img):
        return ImageOps.solarize(img, threshold)  # type: ignore[arg-type]
    arr = _image3(img, "solarize")
    if threshold > _array.max_value(arr.dtype):
        raise TypeError("Threshold should be less than bound of img.")
    return wrap(np.where(arr >= threshold, _invert(arr), arr))


def _degenerate_sharpness(arr: np.ndarray) -> np.ndarray:
    # the 3x3 smoothing kernel [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13 of PIL's SMOOTH filter,
    # on the interior pixels only: the one-pixel border keeps its values
    work = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float32)
    x = arr.astype(work)
    h, w = arr.shape[-2:]
    acc = np.zeros((*arr.shape[:-2], h - 2, w - 2), work)
    for dy in range(3):
        for dx in range(3):
            weight = work.type(5.0 / 13.0 if dy == dx == 1 else 1.0 / 13.0)
            acc += weight * x[..., dy : dy + h - 2, dx : dx + w - 2]
    out = arr.copy()
    out[..., 1:-1, 1:-1] = acc if arr.dtype.kind == "f" else np.round(acc)
    return out


def adjust_sharpness(img: Any, sharpness_factor: float) -> Any:
    """Blend with a smoothed copy: 0 gives the blurred image, 1 the original, 2 sharpens.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> img = npgrad.zeros(1, 3, 3)
    >>> img[0, 1, 1] = 1.0
    >>> F.adjust_sharpness(img, 0.0)[0, 1, 1]
    tensor(0.3846)
    """
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    if _pil.is_pil_image(img):
        return ImageEnhance.Sharpness(img).enhance(sharpness_factor)
    arr = image_array(img, "adjust_sharpness")
    _array.check_channels(arr, [1, 3], "adjust_sharpness")
    if arr.shape[-1] <= 2 or arr.shape[-2] <= 2:
        return img
    return wrap(_array.blend(arr, _degenerate_sharpness(arr), sharpness_factor))


def autocontrast(img: Any) -> Any:
    """Stretch each channel linearly so its darkest pixel becomes 0 and its lightest the max.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.autocontrast(npgrad.tensor([[[0.25, 0.5, 0.75]]]))
    tensor([[[0.0000, 0.5000, 1.0000]]])
    """
    if _pil.is_pil_image(img):
        return ImageOps.autocontrast(img)
    arr = _image3(img, "autocontrast")
    bound = _array.max_value(arr.dtype)
    work = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float32)
    lo = arr.min(axis=(-2, -1), keepdims=True).astype(work)
    hi = arr.max(axis=(-2, -1), keepdims=True).astype(work)
    flat = hi == lo  # a constant channel is left as it is
    lo = np.where(flat, work.type(0), lo)
    scale = work.type(bound) / np.where(flat, work.type(bound), hi - lo)
    out = np.clip((arr.astype(work) - lo) * scale, 0, bound)
    return wrap(out.astype(arr.dtype))


def _equalize_channel(chan: np.ndarray) -> np.ndarray:
    # PIL's ImageOps.equalize: the lookup table spreads the cumulative histogram over 0..255,
    # with the last occupied level's count left out of the step
    hist = np.bincount(chan.ravel(), minlength=256)
    nonzero = hist[hist != 0]
    step = int(nonzero[:-1].sum()) // 255
    if step == 0:
        return chan
    lut = (np.cumsum(hist) + step // 2) // step
    lut = np.clip(np.concatenate([[0], lut[:-1]]), 0, 255).astype(np.uint8)
    return lut[chan]


def equalize(img: Any) -> Any:
    """Equalize each channel's histogram (uint8 images).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> img = npgrad.tensor([[[0] * 300 + [100] * 300 + [200] * 300]], dtype=npgrad.uint8)
    >>> F.equalize(img)[0, 0, ::300]
    tensor([  0, 150, 255], dtype=npgrad.uint8)
    """
    if _pil.is_pil_image(img):
        return ImageOps.equalize(img)
    arr = _image3(img, "equalize", uint8_only=True)
    flat = arr.reshape(-1, *arr.shape[-2:])
    out = np.stack([_equalize_channel(c) for c in flat]).reshape(arr.shape)
    return wrap(out)


def adjust_gamma(img: Any, gamma: float, gain: float = 1) -> Any:
    """``gain * x ** gamma`` on intensities scaled to ``[0, 1]``, clamped.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.adjust_gamma(npgrad.tensor([[[0.25, 1.0]]]), 0.5)
    tensor([[[0.5000, 1.0000]]])
    """
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    if _pil.is_pil_image(img):
        mode = img.mode
        # torchvision's table: the float-to-uint8 scaling by 255 + 1 - 1e-3, truncated
        table = [min(int((255 + 1 - 1e-3) * gain * pow(v / 255.0, gamma)), 255) for v in range(256)]
        return img.convert("RGB").point(table * 3).convert(mode)
    arr = image_array(img, "adjust_gamma")
    _array.check_channels(arr, [1, 3], "adjust_gamma")
    x = arr if arr.dtype.kind == "f" else _array.convert_image_dtype(arr, np.dtype(np.float32))
    out = np.clip(x.dtype.type(gain) * x ** x.dtype.type(gamma), 0, 1).astype(x.dtype)
    return wrap(_array.convert_image_dtype(out, arr.dtype))


def gaussian_kernel1d(size: int, sigma: float, dtype: Any = np.float64) -> np.ndarray:
    """Normalised ``exp(-x^2 / (2 sigma^2))`` at ``x = -(size-1)/2 .. (size-1)/2``."""
    half = (size - 1) * 0.5
    x = np.linspace(-half, half, size, dtype=dtype)
    pdf = np.exp(-0.5 * (x / dtype(sigma)) ** 2)
    return (pdf / pdf.sum()).astype(dtype)


def _blur_array(arr: np.ndarray, ksize: Sequence[int], sigma: Sequence[float]) -> np.ndarray:
    work = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float32)
    kx = gaussian_kernel1d(ksize[0], sigma[0], work.type)
    ky = gaussian_kernel1d(ksize[1], sigma[1], work.type)
    px, py = ksize[0] // 2, ksize[1] // 2
    h, w = arr.shape[-2:]
    _array.check_reflect_padding("gaussian_blur", (py, px), py, px, h, w)
    widths = [(0, 0)] * (arr.ndim - 2) + [(py, py), (px, px)]
    x = np.pad(arr.astype(work), widths, mode="reflect")
    # the 2-D kernel is the outer product ky kx^T: two 1-D passes give the same sums
    rows = np.zeros((*x.shape[:-1], w), work)
    for dx in range(ksize[0]):
        rows += kx[dx] * x[..., dx : dx + w]
    out = np.zeros(arr.shape, work)
    for dy in range(ksize[1]):
        out += ky[dy] * rows[..., dy : dy + h, :]
    if arr.dtype.kind == "f":
        return out
    return np.round(out).astype(arr.dtype)


def gaussian_blur(
    img: Any, kernel_size: int | Sequence[int], sigma: float | Sequence[float] | None = None
) -> Any:
    """Blur with a Gaussian kernel of odd ``kernel_size = (kx, ky)``, reflecting the borders.

    ``sigma`` defaults to ``0.15 * k + 0.35`` per axis. PIL images are blurred
    as uint8 tensors and converted back, as torchvision does.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.gaussian_blur(npgrad.tensor([[[0.0, 1.0, 0.0]]]), [3, 1], 1.0)
    tensor([[[0.5481, 0.4519, 0.5481]]])
    """
    if isinstance(kernel_size, bool) or not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError(
            f"kernel_size should be int or a sequence of integers. Got {type(kernel_size)}"
        )
    ks = [kernel_size, kernel_size] if isinstance(kernel_size, int) else list(kernel_size)
    if len(ks) != 2:
        raise ValueError(f"If kernel_size is a sequence its length should be 2. Got {len(ks)}")
    for k in ks:
        if not isinstance(k, int) or k % 2 == 0 or k < 0:
            raise ValueError(f"kernel_size should have odd and positive integers. Got {ks}")
    if sigma is None:
        sigma = [k * 0.15 + 0.35 for k in ks]
    if isinstance(sigma, bool) or not isinstance(sigma, (int, float, list, tuple)):
        raise TypeError(f"sigma should be either float or sequence of floats. Got {type(sigma)}")
    sig = [float(sigma)] * 2 if isinstance(sigma, (int, float)) else [float(s) for s in sigma]
    if len(sig) == 1:
        sig = sig * 2
    if len(sig) != 2:
        raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sig)}")
    if any(s <= 0.0 for s in sig):
        raise ValueError(f"sigma should have positive values. Got {sig}")
    if _pil.is_pil_image(img):
        t = pil_to_tensor(img)
        return to_pil_image(wrap(_blur_array(t._data, ks, sig)), mode=img.mode)
    return wrap(_blur_array(image_array(img, "gaussian_blur"), ks, sig))
