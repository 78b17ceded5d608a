"""Colour adjustments of PIL and tensor images (part of
:mod:`npgrad.data.transforms.functional`)."""

from __future__ import annotations

from typing import Any

from npgrad.data.transforms import _array, _pil
from npgrad.data.transforms._common import image_array, wrap

__all__ = [
    "adjust_brightness",
    "adjust_contrast",
    "adjust_hue",
    "adjust_saturation",
    "rgb_to_grayscale",
    "to_grayscale",
]


def _factor(value: float, name: str) -> None:
    if value < 0:
        raise ValueError(f"{name} ({value}) is not non-negative.")


def adjust_brightness(img: Any, brightness_factor: float) -> Any:
    """Multiply the intensity by ``brightness_factor`` (0 gives black, 1 the original).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.adjust_brightness(npgrad.tensor([[[0.2, 0.8]]]), 1.5)
    tensor([[[0.3000, 1.0000]]])
    """
    if _pil.is_pil_image(img):
        return _pil.adjust_brightness(img, brightness_factor)
    arr = image_array(img, "adjust_brightness")
    _factor(brightness_factor, "brightness_factor")
    _array.check_channels(arr, [1, 3], "adjust_brightness")
    return wrap(_array.blend(arr, 0.0, brightness_factor))


def adjust_contrast(img: Any, contrast_factor: float) -> Any:
    """Blend with the mean gray level (0 gives a flat gray image, 1 the original)."""
    if _pil.is_pil_image(img):
        return _pil.adjust_contrast(img, contrast_factor)
    arr = image_array(img, "adjust_contrast")
    _factor(contrast_factor, "contrast_factor")
    _array.check_channels(arr, [1, 3], "adjust_contrast")
    return wrap(_array.adjust_contrast(arr, contrast_factor))


def adjust_saturation(img: Any, saturation_factor: float) -> Any:
    """Blend with the grayscale image (0 gives gray, 1 the original, 2 doubles saturation)."""
    if _pil.is_pil_image(img):
        return _pil.adjust_saturation(img, saturation_factor)
    arr = image_array(img, "adjust_saturation")
    _factor(saturation_factor, "saturation_factor")
    _array.check_channels(arr, [1, 3], "adjust_saturation")
    if _array.channels(arr) == 1:
        return img  # like PIL: a gray image has no saturation
    return wrap(_array.blend(arr, _array.rgb_to_grayscale(arr, 1), saturation_factor))


def adjust_hue(img: Any, hue_factor: float) -> Any:
    """Shift the hue by ``hue_factor`` of a full turn, in ``[-0.5, 0.5]``."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if _pil.is_pil_image(img):
        return _pil.adjust_hue(img, hue_factor)
    arr = image_array(img, "adjust_hue")
    _array.check_channels(arr, [1, 3], "adjust_hue")
    return wrap(_array.adjust_hue(arr, hue_factor))


def rgb_to_grayscale(img: Any, num_output_channels: int = 1) -> Any:
    """Luma ``0.2989 R + 0.587 G + 0.114 B`` (Pillow's ``L`` for PIL images), as 1 or 3
    channels.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.rgb_to_grayscale(npgrad.tensor([[[1.0]], [[0.0]], [[0.0]]]))
    tensor([[[0.2989]]])
    """
    if _pil.is_pil_image(img):
        return _pil.to_grayscale(img, num_output_channels)
    arr = image_array(img, "rgb_to_grayscale")
    if arr.ndim < 3:
        raise TypeError(
            f"Input image tensor should have at least 3 dimensions, but found {arr.ndim}"
        )
    _array.check_channels(arr, [1, 3], "rgb_to_grayscale")
    return wrap(_array.rgb_to_grayscale(arr, num_output_channels))


def to_grayscale(img: Any, num_output_channels: int = 1) -> Any:
    """:func:`rgb_to_grayscale` for PIL images (torchvision's name)."""
    if not _pil.is_pil_image(img):
        raise TypeError(f"Input should be PIL Image, got {type(img).__name__}")
    return _pil.to_grayscale(img, num_output_channels)
