"""Conversions between PIL images, ndarrays and tensors, and between image dtypes
(part of :mod:`npgrad.data.transforms.functional`)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image

import npgrad
from npgrad.data.transforms import _array, _pil
from npgrad.data.transforms._common import image_array, wrap
from npgrad.ops._shape_util import ShapeError
from npgrad.tensor import Tensor

__all__ = ["convert_image_dtype", "normalize", "pil_to_tensor", "to_pil_image", "to_tensor"]


_MODE_DTYPES = {"I": np.int32, "I;16": np.int32, "I;16B": np.int32, "F": np.float32}


def pil_to_tensor(pic: Any) -> Tensor:
    """A PIL image as a ``(C, H, W)`` tensor of its own values (uint8 for 8-bit modes).

    Examples
    --------
    >>> from PIL import Image
    >>> import npgrad.data.transforms.functional as F
    >>> F.pil_to_tensor(Image.new("RGB", (2, 1), (10, 20, 30)))
    tensor([[[10, 10]],
    <BLANKLINE>
            [[20, 20]],
    <BLANKLINE>
            [[30, 30]]], dtype=npgrad.uint8)
    """
    if not _pil.is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic).__name__}")
    arr = np.array(pic, _MODE_DTYPES.get(pic.mode, np.uint8), copy=True)
    if pic.mode == "1":
        arr = arr * np.uint8(255)
    arr = arr.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    return wrap(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def to_tensor(pic: Any) -> Tensor:
    """A PIL image or ``(H, W[, C])`` ndarray as a ``(C, H, W)`` tensor; uint8 data is scaled
    to float in ``[0, 1]`` (the default float dtype), other dtypes keep their values.

    Examples
    --------
    >>> import numpy as np
    >>> import npgrad.data.transforms.functional as F
    >>> F.to_tensor(np.array([[[0, 255]]], dtype=np.uint8))
    tensor([[[0.]],
    <BLANKLINE>
            [[1.]]])
    """
    if _pil.is_pil_image(pic):
        arr = pil_to_tensor(pic)._data
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        hwc = pic[:, :, None] if pic.ndim == 2 else pic
        arr = np.array(hwc.transpose(2, 0, 1), copy=True, order="C")
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic).__name__}")
    if arr.dtype == np.uint8:
        d = npgrad.get_default_dtype()
        return wrap(arr.astype(d) / d.type(255))
    return npgrad.from_numpy(arr)


def to_pil_image(pic: Any, mode: str | None = None) -> Image.Image:
    """A ``(C, H, W)`` tensor or ``(H, W, C)`` ndarray as a PIL image.

    Float data is taken to be in ``[0, 1]`` and becomes uint8 as ``(x * 255)`` truncated
    (unless ``mode="F"``). The mode is inferred from channels and dtype when not given.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> img = F.to_pil_image(npgrad.ones(3, 2, 4))
    >>> img.mode, img.size, img.getpixel((0, 0))
    ('RGB', (4, 2), (255, 255, 255))
    """
    if isinstance(pic, Tensor):
        arr = image_array(pic, "to_pil_image")
        if arr.ndim == 3:
            arr = arr.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        arr = pic
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic).__name__}.")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3:
        raise ValueError(f"pic should be 2/3 dimensional. Got {arr.ndim} dimensions.")
    if arr.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {arr.shape[-1]} channels.")
    if np.issubdtype(arr.dtype, np.floating) and mode != "F":
        arr = (arr * 255).astype(np.uint8)
    c = arr.shape[2]
    if c == 1:
        arr = arr[:, :, 0]
        expected = {
            np.dtype(np.uint8): "L",
            np.dtype(np.int16): "I;16" if sys.byteorder == "little" else "I;16B",
            np.dtype(np.int32): "I",
            np.dtype(np.float32): "F",
        }.get(arr.dtype)
        if mode is not None and mode != expected:
            raise ValueError(
                f"Incorrect mode ({mode}) supplied for input type {arr.dtype}. Should be {expected}"
            )
        mode = expected
    else:
        permitted = {2: ["LA"], 3: ["RGB", "YCbCr", "HSV"], 4: ["RGBA", "CMYK", "RGBX"]}[c]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for {c}D inputs")
        if mode is None and arr.dtype == np.uint8:
            mode = permitted[0]
    if mode is None:
        raise TypeError(f"Input type {arr.dtype} is not supported")
    if mode.startswith("I;16"):
        arr = arr.astype("<u2" if mode == "I;16" else ">u2")
    return _pil.from_array(arr, mode)


def convert_image_dtype(image: Tensor, dtype: Any = npgrad.float32) -> Tensor:
    """Convert a tensor image to ``dtype``, rescaling values: float images are in
    ``[0, 1]``, integer images in ``[0, max]`` of their type.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.convert_image_dtype(npgrad.tensor([0, 128, 255], dtype=npgrad.uint8))
    tensor([0.0000, 0.5020, 1.0000])
    >>> F.convert_image_dtype(npgrad.tensor([0.0, 0.5, 1.0]), npgrad.uint8)
    tensor([  0, 127, 255], dtype=npgrad.uint8)
    """
    if not isinstance(image, Tensor):
        raise TypeError(f"Input img should be Tensor Image, got {type(image).__name__}")
    d = npgrad.dtypes.to_dtype(dtype)
    if image.dtype == d:
        return image
    return wrap(_array.convert_image_dtype(image._data, d))


def normalize(
    tensor: Tensor, mean: Sequence[float], std: Sequence[float], inplace: bool = False
) -> Tensor:
    """``(tensor - mean) / std`` per channel of a float ``(..., C, H, W)`` tensor.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.normalize(npgrad.ones(2, 1, 1), mean=[0.5, 0.0], std=[0.5, 2.0]).flatten()
    tensor([1.0000, 0.5000])
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor).__name__}")
    arr = image_array(tensor, "normalize")
    if arr.dtype.kind != "f":
        raise TypeError(f"Input tensor should be a float tensor. Got {arr.dtype}.")
    if arr.ndim < 3:
        raise ValueError(
            "Expected tensor to be a tensor image of size (..., C, H, W). Got "
            f"tensor.size() = {arr.shape}"
        )
    m = np.asarray(getattr(mean, "_data", mean), dtype=arr.dtype)
    s = np.asarray(getattr(std, "_data", std), dtype=arr.dtype)
    if (s == 0).any():
        raise ValueError(
            f"std evaluated to zero after conversion to {arr.dtype}, leading to division by zero."
        )
    if m.ndim == 1:
        m = m.reshape(-1, 1, 1)
    if s.ndim == 1:
        s = s.reshape(-1, 1, 1)
    try:
        out = (arr - m) / s
    except ValueError:
        out = None
    if out is None or out.shape != arr.shape:
        # as in torchvision's in-place sub_/div_: the statistics broadcast to the image
        raise ShapeError(
            f"normalize: mean of shape {m.shape} and std of shape {s.shape} don't match the "
            f"{arr.shape[-3]} channels of the image of shape {arr.shape}"
        )
    if inplace:
        return tensor.copy_(wrap(out))
    return wrap(out)
