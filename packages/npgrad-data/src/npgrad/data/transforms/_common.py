"""Shared by the functional modules: interpolation modes, image type checks, wrapping."""

from __future__ import annotations

from enum import Enum
from typing import Any

import numpy as np
from PIL import Image

from npgrad.data.transforms import _array, _pil
from npgrad.tensor import Tensor

__all__ = [
    "PIL_MODES",
    "InterpolationMode",
    "get_dimensions",
    "get_image_num_channels",
    "get_image_size",
    "image_array",
    "interpolation_mode",
    "wrap",
]


class InterpolationMode(Enum):
    """How to resample: torchvision's names and values.

    ``NEAREST`` on a tensor is PyTorch's ``floor(dst * scale)``; ``NEAREST_EXACT`` is
    Pillow's nearest (``floor((dst + 0.5) * scale)``). On a PIL image both are Pillow's.
    """

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


PIL_MODES = {
    InterpolationMode.NEAREST: Image.Resampling.NEAREST,
    InterpolationMode.NEAREST_EXACT: Image.Resampling.NEAREST,
    InterpolationMode.BILINEAR: Image.Resampling.BILINEAR,
    InterpolationMode.BICUBIC: Image.Resampling.BICUBIC,
    InterpolationMode.BOX: Image.Resampling.BOX,
    InterpolationMode.HAMMING: Image.Resampling.HAMMING,
    InterpolationMode.LANCZOS: Image.Resampling.LANCZOS,
}
_FROM_PIL = {int(v): k for k, v in reversed(list(PIL_MODES.items()))}


def interpolation_mode(value: Any) -> InterpolationMode:
    """An :class:`InterpolationMode` from itself or from a Pillow resampling constant."""
    if isinstance(value, InterpolationMode):
        return value
    is_int = isinstance(value, (int, Image.Resampling)) and not isinstance(value, bool)
    if is_int and int(value) in _FROM_PIL:
        return _FROM_PIL[int(value)]
    raise TypeError(
        f"Argument interpolation should be of type InterpolationMode instead of {value!r}"
    )


def image_array(img: Any, op: str) -> np.ndarray:
    """The array of a tensor image, after checking it is one."""
    if not isinstance(img, Tensor):
        raise TypeError(
            f"{op}: img should be a PIL Image or a Tensor image of shape (..., C, H, W), "
            f"got {type(img).__name__}"
        )
    if img.requires_grad:
        raise RuntimeError(
            f"{op}: image transforms work on data, not on tensors that require grad; "
            "call .detach() first"
        )
    if img.ndim < 2:
        raise TypeError(
            f"{op}: Tensor is not an image: expected at least 2 dimensions (H, W), "
            f"got shape {img.shape}"
        )
    return img._data


def wrap(arr: np.ndarray) -> Tensor:
    return Tensor._make(arr, False, None)


# ---- inspection ----------------------------------------------------------------------------
def get_dimensions(img: Any) -> list[int]:
    """``[channels, height, width]`` of a PIL image or tensor image.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.get_dimensions(npgrad.zeros(3, 4, 5))
    [3, 4, 5]
    """
    if _pil.is_pil_image(img):
        return _pil.get_dimensions(img)
    arr = image_array(img, "get_dimensions")
    h, w = arr.shape[-2:]
    return [_array.channels(arr), int(h), int(w)]


def get_image_size(img: Any) -> list[int]:
    """``[width, height]`` (torchvision's order)."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img: Any) -> int:
    """The number of channels."""
    return get_dimensions(img)[0]
