"""The PIL-image side of :mod:`npgrad.data.transforms.functional` (torchvision's
``_functional_pil``): each function takes and returns a ``PIL.Image.Image``."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

__all__: list[str] = []  # private: use npgrad.data.transforms.functional

PADDING_MODES = ("constant", "edge", "reflect", "symmetric")


def is_pil_image(img: Any) -> bool:
    return isinstance(img, Image.Image)


def _check(img: Any, op: str) -> None:
    if not isinstance(img, Image.Image):
        raise TypeError(f"{op}: img should be a PIL Image, got {type(img).__name__}")


def get_dimensions(img: Image.Image) -> list[int]:
    """``[channels, height, width]``."""
    _check(img, "get_dimensions")
    width, height = img.size
    return [len(img.getbands()), height, width]


def hflip(img: Image.Image) -> Image.Image:
    _check(img, "hflip")
    return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)


def vflip(img: Image.Image) -> Image.Image:
    _check(img, "vflip")
    return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)


def crop(img: Image.Image, top: int, left: int, height: int, width: int) -> Image.Image:
    # Pillow fills the part of the box outside the image with zeros
    _check(img, "crop")
    return img.crop((left, top, left + width, top + height))


def resize(img: Image.Image, size: Sequence[int], resample: int) -> Image.Image:
    """Resize to ``size = [height, width]``."""
    _check(img, "resize")
    return img.resize((int(size[1]), int(size[0])), resample)


def parse_fill(fill: Any, img: Image.Image, name: str = "fillcolor") -> dict[str, Any]:
    """torchvision's fill rules: a number for all channels, or one value per channel;
    integers except for mode ``F``."""
    channels = len(img.getbands())
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and channels > 1:
        fill = tuple([fill] * channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = tuple(fill) * channels
        elif len(fill) != channels:
            raise ValueError(
                "The number of elements in 'fill' does not match the number of channels of the "
                f"image ({len(fill)} != {channels})"
            )
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return {name: fill}


def from_array(arr: np.ndarray, mode: str) -> Image.Image:
    """An image of ``mode`` holding ``arr`` (HW or HWC, in the mode's raw layout).

    ``frombytes`` rather than ``fromarray(arr, mode)``: Pillow versions disagree on which
    dtype/mode pairs ``fromarray`` accepts (``I;16``, for one).
    """
    if mode == "1":
        return Image.fromarray(arr.astype(bool))
    arr = np.ascontiguousarray(arr)
    return Image.frombytes(mode, (arr.shape[1], arr.shape[0]), arr.tobytes())


def _from_array_like(arr: np.ndarray, img: Image.Image) -> Image.Image:
    out = from_array(arr, img.mode)
    if img.mode == "P" and img.getpalette() is not None:
        out.putpalette(img.getpalette())  # type: ignore[arg-type]
    return out


def pad(img: Image.Image, padding: Sequence[int], fill: Any, padding_mode: str) -> Image.Image:
    """Pad by ``padding = [left, top, right, bottom]`` (negative values crop)."""
    _check(img, "pad")
    cropping = [max(-p, 0) for p in padding]
    if any(cropping):
        left, top, right, bottom = cropping
        img = img.crop((left, top, img.width - right, img.height - bottom))
    left, top, right, bottom = (max(p, 0) for p in padding)
    if padding_mode == "constant":
        out = ImageOps.expand(
            img, border=(left, top, right, bottom), **parse_fill(fill, img, "fill")
        )
        if img.mode == "P" and img.getpalette() is not None:
            out.putpalette(img.getpalette())  # type: ignore[arg-type]
        return out
    arr = np.asarray(img)
    widths = ((top, bottom), (left, right)) + ((0, 0),) * (arr.ndim - 2)
    return _from_array_like(np.pad(arr, widths, mode=cast(Any, padding_mode)), img)


def rotate(
    img: Image.Image,
    angle: float,
    resample: int,
    expand: bool,
    center: Sequence[float] | None,
    fill: Any,
) -> Image.Image:
    _check(img, "rotate")
    center_t = None if center is None else (float(center[0]), float(center[1]))
    resampling = Image.Resampling(resample)
    return img.rotate(angle, resampling, expand, center_t, **parse_fill(fill, img))


def _check_factor(value: float, name: str) -> None:
    if value < 0:
        raise ValueError(f"{name} ({value}) is not non-negative.")


def adjust_brightness(img: Image.Image, brightness_factor: float) -> Image.Image:
    _check(img, "adjust_brightness")
    _check_factor(brightness_factor, "brightness_factor")
    return ImageEnhance.Brightness(img).enhance(brightness_factor)


def adjust_contrast(img: Image.Image, contrast_factor: float) -> Image.Image:
    _check(img, "adjust_contrast")
    _check_factor(contrast_factor, "contrast_factor")
    return ImageEnhance.Contrast(img).enhance(contrast_factor)


def adjust_saturation(img: Image.Image, saturation_factor: float) -> Image.Image:
    _check(img, "adjust_saturation")
    _check_factor(saturation_factor, "saturation_factor")
    return ImageEnhance.Color(img).enhance(saturation_factor)


def adjust_hue(img: Image.Image, hue_factor: float) -> Image.Image:
    """Rotate the hue channel (in HSV) by ``hue_factor`` of a turn, wrapping around."""
    _check(img, "adjust_hue")
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    mode = img.mode
    if mode in {"L", "1", "I", "F"}:
        return img  # no hue to change
    h, s, v = img.convert("HSV").split()
    # uint8 arithmetic wraps around: that is the hue circle. The shift is truncated toward zero
    # like torchvision's float-to-uint8 cast
    shift = np.uint8(int(hue_factor * 255) % 256)
    np_h = np.asarray(h, dtype=np.uint8) + shift
    return Image.merge("HSV", (Image.fromarray(np_h, "L"), s, v)).convert(mode)


def to_grayscale(img: Image.Image, num_output_channels: int) -> Image.Image:
    _check(img, "to_grayscale")
    if num_output_channels == 1:
        return img.convert("L")
    if num_output_channels == 3:
        gray = np.asarray(img.convert("L"), dtype=np.uint8)
        return Image.fromarray(np.dstack([gray, gray, gray]), "RGB")
    raise ValueError(f"num_output_channels should be either 1 or 3, got {num_output_channels}")


def check_padding(padding: Any, fill: Any, padding_mode: Any) -> None:
    """torchvision's validation of ``pad``'s arguments."""
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError(f"Got inappropriate padding arg: {padding!r}")
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError(f"Got inappropriate fill arg: {fill!r}")
    if not isinstance(padding_mode, str):
        raise TypeError(f"Got inappropriate padding_mode arg: {padding_mode!r}")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError(
            "Padding must be an int or a 1, 2, or 4 element tuple, not a "
            f"{len(padding)} element tuple"
        )
    if padding_mode not in PADDING_MODES:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
