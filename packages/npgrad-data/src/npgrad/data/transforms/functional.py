"""Image transforms as functions (torchvision's ``transforms.functional``).

Each function takes a ``PIL.Image.Image`` or an image tensor of shape ``(..., C, H, W)``
(``(H, W)`` is a one-channel image) and returns the same kind, with torchvision's semantics:
PIL images are processed by Pillow exactly as torchvision does; tensors by NumPy with
torchvision's formulas. Tensor transforms are data preprocessing: they refuse tensors that
require grad (torchvision would record them in the graph).

Examples
--------
>>> import numpy as np
>>> from PIL import Image
>>> import npgrad.data.transforms.functional as F
>>> img = Image.fromarray(np.arange(12, dtype=np.uint8).reshape(3, 4))
>>> t = F.to_tensor(F.hflip(img))
>>> t.shape, t.dtype
((1, 3, 4), dtype('float32'))
"""

from __future__ import annotations

import numbers
import sys
from collections.abc import Sequence
from enum import Enum
from typing import Any

import numpy as np
from PIL import Image

import npgrad
from npgrad.data.transforms import _array, _pil
from npgrad.tensor import Tensor

__all__ = [
    "InterpolationMode",
    "adjust_brightness",
    "adjust_contrast",
    "adjust_hue",
    "adjust_saturation",
    "center_crop",
    "convert_image_dtype",
    "crop",
    "erase",
    "get_dimensions",
    "get_image_num_channels",
    "get_image_size",
    "hflip",
    "normalize",
    "pad",
    "pil_to_tensor",
    "resize",
    "resized_crop",
    "rgb_to_grayscale",
    "rotate",
    "to_grayscale",
    "to_pil_image",
    "to_tensor",
    "vflip",
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


_PIL_MODES = {
    InterpolationMode.NEAREST: Image.Resampling.NEAREST,
    InterpolationMode.NEAREST_EXACT: Image.Resampling.NEAREST,
    InterpolationMode.BILINEAR: Image.Resampling.BILINEAR,
    InterpolationMode.BICUBIC: Image.Resampling.BICUBIC,
    InterpolationMode.BOX: Image.Resampling.BOX,
    InterpolationMode.HAMMING: Image.Resampling.HAMMING,
    InterpolationMode.LANCZOS: Image.Resampling.LANCZOS,
}
_FROM_PIL = {int(v): k for k, v in reversed(list(_PIL_MODES.items()))}


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


def _image_array(img: Any, op: str) -> np.ndarray:
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


def _wrap(arr: np.ndarray) -> Tensor:
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
    arr = _image_array(img, "get_dimensions")
    h, w = arr.shape[-2:]
    return [_array.channels(arr), int(h), int(w)]


def get_image_size(img: Any) -> list[int]:
    """``[width, height]`` (torchvision's order)."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img: Any) -> int:
    """The number of channels."""
    return get_dimensions(img)[0]


# ---- conversion ----------------------------------------------------------------------------
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
    return _wrap(np.ascontiguousarray(arr.transpose(2, 0, 1)))


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
        return _wrap(arr.astype(d) / d.type(255))
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
        arr = _image_array(pic, "to_pil_image")
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
    return _wrap(_array.convert_image_dtype(image._data, d))


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
    arr = _image_array(tensor, "normalize")
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
        raise ValueError(
            f"normalize: mean of shape {m.shape} and std of shape {s.shape} don't match the "
            f"{arr.shape[-3]} channels of the image of shape {arr.shape}"
        ) from None
    if inplace:
        return tensor.copy_(_wrap(out))
    return _wrap(out)


# ---- geometry ------------------------------------------------------------------------------
def _output_size(h: int, w: int, size: list[int], max_size: int | None) -> list[int]:
    # torchvision's _compute_resized_output_size
    if len(size) == 2:
        return [int(size[0]), int(size[1])]
    short, long = (w, h) if w <= h else (h, w)
    requested = int(size[0])
    new_short, new_long = requested, int(requested * long / short)
    if max_size is not None:
        if max_size <= requested:
            raise ValueError(
                f"max_size = {max_size} must be strictly greater than the requested size for "
                f"the smaller edge size = {size}"
            )
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    return [new_h, new_w]


def resize(
    img: Any,
    size: int | Sequence[int],
    interpolation: Any = InterpolationMode.BILINEAR,
    max_size: int | None = None,
    antialias: bool | None = True,
) -> Any:
    """Resize to ``size``: ``(h, w)``, or an int for the smaller edge (keeping the aspect
    ratio, the longer edge then at most ``max_size``).

    Tensors use Pillow's antialiasing filters (as ``torch`` does with ``antialias=True``);
    ``antialias=False`` gives ``torch.nn.functional.interpolate``'s plain bilinear/bicubic.

    Examples
    --------
    >>> from PIL import Image
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.resize(Image.new("RGB", (40, 20)), 10).size
    (20, 10)
    >>> F.resize(npgrad.zeros(3, 20, 40), [5, 8]).shape
    (3, 5, 8)
    """
    mode = interpolation_mode(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError(
                f"Size must be an int or a 1 or 2 element tuple/list, not a {len(size)} element "
                "tuple/list"
            )
        if max_size is not None and len(size) != 1:
            raise ValueError(
                "max_size should only be passed if size specifies the length of the smaller "
                "edge, i.e. size should be an int or a sequence of length 1"
            )
        sizes = list(size)
    elif isinstance(size, numbers.Integral):
        sizes = [int(size)]
    else:
        raise TypeError(f"Size should be int or sequence. Got {type(size).__name__}")
    _, h, w = get_dimensions(img)
    out = _output_size(h, w, sizes, max_size)
    if out == [h, w]:
        return img
    if _pil.is_pil_image(img):
        return _pil.resize(img, out, _PIL_MODES[mode])
    arr = _image_array(img, "resize")
    return _wrap(_array.resize(arr, out, mode.value, bool(antialias)))


def _padding_ltrb(padding: Any) -> list[int]:
    if isinstance(padding, numbers.Number):
        p = [int(padding)]  # type: ignore[call-overload]
    else:
        p = [int(x) for x in padding]
    if len(p) == 1:
        return p * 4
    if len(p) == 2:
        return [p[0], p[1], p[0], p[1]]
    return p


def pad(
    img: Any, padding: int | Sequence[int], fill: Any = 0, padding_mode: str = "constant"
) -> Any:
    """Pad the borders: ``padding`` is one int for all sides, ``(left/right, top/bottom)`` or
    ``(left, top, right, bottom)``; ``padding_mode`` is ``constant`` (with ``fill``), ``edge``,
    ``reflect`` or ``symmetric``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.pad(npgrad.tensor([[1, 2]]), [1, 0], padding_mode="edge")
    tensor([[1, 1, 2, 2]])
    """
    _pil.check_padding(padding, fill, padding_mode)
    ltrb = _padding_ltrb(padding)
    if _pil.is_pil_image(img):
        return _pil.pad(img, ltrb, fill, padding_mode)
    arr = _image_array(img, "pad")
    if fill is None:
        fill = 0
    if not isinstance(fill, (int, float)):
        raise TypeError(f"Got inappropriate fill arg {fill!r}: a tensor is padded with a number")
    return _wrap(_array.pad(arr, ltrb, fill, padding_mode))


def crop(img: Any, top: int, left: int, height: int, width: int) -> Any:
    """The ``height x width`` window at ``(top, left)``; parts outside the image are 0.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.crop(npgrad.arange(9).reshape(1, 3, 3), 1, 1, 2, 3)
    tensor([[[4, 5, 0],
             [7, 8, 0]]])
    """
    if _pil.is_pil_image(img):
        return _pil.crop(img, top, left, height, width)
    return _wrap(_array.crop(_image_array(img, "crop"), top, left, height, width))


def _pair(size: Any, name: str = "size") -> tuple[int, int]:
    if isinstance(size, numbers.Number):
        return int(size), int(size)  # type: ignore[call-overload]
    if isinstance(size, Sequence) and len(size) == 1:
        return int(size[0]), int(size[0])
    if not isinstance(size, Sequence) or len(size) != 2:
        raise ValueError(f"Please provide only two dimensions (h, w) for {name}, got {size!r}")
    return int(size[0]), int(size[1])


def center_crop(img: Any, output_size: int | Sequence[int]) -> Any:
    """The central ``output_size`` window, zero-padding first when the image is smaller.

    Examples
    --------
    >>> from PIL import Image
    >>> import npgrad.data.transforms.functional as F
    >>> F.center_crop(Image.new("L", (10, 6)), (4, 8)).size
    (8, 4)
    """
    crop_h, crop_w = _pair(output_size, "output_size")
    _, h, w = get_dimensions(img)
    if crop_w > w or crop_h > h:
        padding = [
            (crop_w - w) // 2 if crop_w > w else 0,
            (crop_h - h) // 2 if crop_h > h else 0,
            (crop_w - w + 1) // 2 if crop_w > w else 0,
            (crop_h - h + 1) // 2 if crop_h > h else 0,
        ]
        img = pad(img, padding, fill=0)
        _, h, w = get_dimensions(img)
        if crop_w == w and crop_h == h:
            return img
    top = int(round((h - crop_h) / 2.0))
    left = int(round((w - crop_w) / 2.0))
    return crop(img, top, left, crop_h, crop_w)


def resized_crop(
    img: Any,
    top: int,
    left: int,
    height: int,
    width: int,
    size: int | Sequence[int],
    interpolation: Any = InterpolationMode.BILINEAR,
    antialias: bool | None = True,
) -> Any:
    """:func:`crop` then :func:`resize`."""
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def hflip(img: Any) -> Any:
    """Mirror left to right.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.hflip(npgrad.tensor([[1, 2, 3]]))
    tensor([[3, 2, 1]])
    """
    if _pil.is_pil_image(img):
        return _pil.hflip(img)
    return _wrap(np.ascontiguousarray(_image_array(img, "hflip")[..., ::-1]))


def vflip(img: Any) -> Any:
    """Mirror top to bottom."""
    if _pil.is_pil_image(img):
        return _pil.vflip(img)
    return _wrap(np.ascontiguousarray(_image_array(img, "vflip")[..., ::-1, :]))


def rotate(
    img: Any,
    angle: float,
    interpolation: Any = InterpolationMode.NEAREST,
    expand: bool = False,
    center: Sequence[float] | None = None,
    fill: Any = None,
) -> Any:
    """Rotate counter-clockwise by ``angle`` degrees about ``center`` (default: the image
    centre), optionally growing the canvas to hold the whole result; uncovered pixels get
    ``fill`` (0 when None).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.rotate(npgrad.tensor([[[1.0, 2.0], [3.0, 4.0]]]), 90)
    tensor([[[2., 4.],
             [1., 3.]]])
    """
    mode = interpolation_mode(interpolation)
    if center is not None and (not isinstance(center, Sequence) or len(center) != 2):
        raise ValueError(f"center should be a sequence of length 2, got {center!r}")
    if _pil.is_pil_image(img):
        return _pil.rotate(img, angle, _PIL_MODES[mode], expand, center, fill)
    arr = _image_array(img, "rotate")
    if mode not in (InterpolationMode.NEAREST, InterpolationMode.BILINEAR):
        raise ValueError(f"Interpolation mode '{mode.value}' is unsupported with Tensor input")
    fill_list = None
    if fill is not None:
        fill_list = [float(fill)] if isinstance(fill, (int, float)) else [float(f) for f in fill]
        c = _array.channels(arr)
        if len(fill_list) not in (1, c):
            raise ValueError(
                "The number of elements in 'fill' cannot broadcast to match the number of "
                f"channels of the image ({len(fill_list)} != {c})"
            )
    return _wrap(_array.rotate(arr, angle, mode.value, expand, center, fill_list))


def erase(img: Tensor, i: int, j: int, h: int, w: int, v: Any, inplace: bool = False) -> Tensor:
    """Set the ``h x w`` window at ``(i, j)`` of a tensor image to ``v`` (a value, or a
    tensor broadcastable to ``(C, h, w)``).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.erase(npgrad.ones(1, 2, 3), 0, 1, 2, 1, 0.0)
    tensor([[[1., 0., 1.],
             [1., 0., 1.]]])
    """
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(img).__name__}")
    arr = _image_array(img, "erase")
    out = _array.erase(arr, i, j, h, w, getattr(v, "_data", v), inplace=False)
    return img.copy_(_wrap(out)) if inplace else _wrap(out)


# ---- colour --------------------------------------------------------------------------------
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
    arr = _image_array(img, "adjust_brightness")
    _factor(brightness_factor, "brightness_factor")
    _array.check_channels(arr, [1, 3], "adjust_brightness")
    return _wrap(_array.blend(arr, 0.0, brightness_factor))


def adjust_contrast(img: Any, contrast_factor: float) -> Any:
    """Blend with the mean gray level (0 gives a flat gray image, 1 the original)."""
    if _pil.is_pil_image(img):
        return _pil.adjust_contrast(img, contrast_factor)
    arr = _image_array(img, "adjust_contrast")
    _factor(contrast_factor, "contrast_factor")
    _array.check_channels(arr, [1, 3], "adjust_contrast")
    return _wrap(_array.adjust_contrast(arr, contrast_factor))


def adjust_saturation(img: Any, saturation_factor: float) -> Any:
    """Blend with the grayscale image (0 gives gray, 1 the original, 2 doubles saturation)."""
    if _pil.is_pil_image(img):
        return _pil.adjust_saturation(img, saturation_factor)
    arr = _image_array(img, "adjust_saturation")
    _factor(saturation_factor, "saturation_factor")
    _array.check_channels(arr, [1, 3], "adjust_saturation")
    if _array.channels(arr) == 1:
        return img  # like PIL: a gray image has no saturation
    return _wrap(_array.blend(arr, _array.rgb_to_grayscale(arr, 1), saturation_factor))


def adjust_hue(img: Any, hue_factor: float) -> Any:
    """Shift the hue by ``hue_factor`` of a full turn, in ``[-0.5, 0.5]``."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if _pil.is_pil_image(img):
        return _pil.adjust_hue(img, hue_factor)
    arr = _image_array(img, "adjust_hue")
    _array.check_channels(arr, [1, 3], "adjust_hue")
    return _wrap(_array.adjust_hue(arr, hue_factor))


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
    arr = _image_array(img, "rgb_to_grayscale")
    if arr.ndim < 3:
        raise TypeError(
            f"Input image tensor should have at least 3 dimensions, but found {arr.ndim}"
        )
    _array.check_channels(arr, [1, 3], "rgb_to_grayscale")
    return _wrap(_array.rgb_to_grayscale(arr, num_output_channels))


def to_grayscale(img: Any, num_output_channels: int = 1) -> Any:
    """:func:`rgb_to_grayscale` for PIL images (torchvision's name)."""
    if not _pil.is_pil_image(img):
        raise TypeError(f"Input should be PIL Image, got {type(img).__name__}")
    return _pil.to_grayscale(img, num_output_channels)
