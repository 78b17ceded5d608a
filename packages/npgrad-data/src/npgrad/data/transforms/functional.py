"""Image transforms as functions (torchvision's ``transforms.functional``).

Each function takes a ``PIL.Image.Image`` or an image tensor of shape ``(..., C, H, W)``
(``(H, W)`` is a one-channel image) and returns the same kind, with torchvision's semantics:
PIL images are processed by Pillow exactly as torchvision does; tensors by NumPy with
torchvision's formulas. Tensor transforms are data preprocessing: they refuse tensors that
require grad (torchvision would record them in the graph).

Resizing, cropping, padding, flips and rotation are defined here; affine, perspective and
elastic warps live in ``_geometry``, conversions in ``_conversion``, colour adjustments in
``_color`` and the other pixel-value transforms (invert, posterize, solarize, sharpness,
autocontrast, equalize, gamma, Gaussian blur) in ``_photometric``; all are re-exported, so every
function is reached as ``functional.<name>``.

Examples
--------
>>> import numpy as np
>>> from PIL import Image
>>> import npgrad.data.transforms.functional as F
>>> img = Image.fromarray(np.arange(12, dtype=np.uint8).reshape(3, 4))
>>> t = F.to_tensor(F.hflip(img))
>>> t.shape, t.dtype
(npgrad.Size([1, 3, 4]), dtype('float32'))
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from npgrad.data.transforms import _array, _pil
from npgrad.data.transforms._color import (
    adjust_brightness,
    adjust_contrast,
    adjust_hue,
    adjust_saturation,
    rgb_to_grayscale,
    to_grayscale,
)
from npgrad.data.transforms._common import (
    PIL_MODES,
    InterpolationMode,
    get_dimensions,
    get_image_num_channels,
    get_image_size,
    image_array,
    interpolation_mode,
    wrap,
)
from npgrad.data.transforms._conversion import (
    convert_image_dtype,
    normalize,
    pil_to_tensor,
    to_pil_image,
    to_tensor,
)
from npgrad.data.transforms._geometry import (
    _tensor_fill,
    _tensor_mode,
    affine,
    elastic_transform,
    perspective,
)
from npgrad.data.transforms._photometric import (
    adjust_gamma,
    adjust_sharpness,
    autocontrast,
    equalize,
    gaussian_blur,
    invert,
    posterize,
    solarize,
)
from npgrad.ops._shape_util import ShapeError
from npgrad.tensor import Tensor

__all__ = [
    "InterpolationMode",
    "adjust_brightness",
    "adjust_contrast",
    "adjust_gamma",
    "adjust_hue",
    "adjust_saturation",
    "adjust_sharpness",
    "affine",
    "autocontrast",
    "center_crop",
    "convert_image_dtype",
    "crop",
    "elastic_transform",
    "equalize",
    "erase",
    "five_crop",
    "gaussian_blur",
    "get_dimensions",
    "get_image_num_channels",
    "get_image_size",
    "hflip",
    "interpolation_mode",
    "invert",
    "normalize",
    "pad",
    "perspective",
    "pil_to_tensor",
    "posterize",
    "resize",
    "resized_crop",
    "rgb_to_grayscale",
    "rotate",
    "solarize",
    "ten_crop",
    "to_grayscale",
    "to_pil_image",
    "to_tensor",
    "vflip",
]


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
    npgrad.Size([3, 5, 8])
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
    if h == 0 or w == 0:
        raise ShapeError(f"resize: can't resize an empty image, got (H, W) = {(h, w)}")
    out = _output_size(h, w, sizes, max_size)
    if min(out) <= 0:
        raise ShapeError(
            f"resize: output size must be positive, got {out} from size={size!r} for an image "
            f"of (H, W) = {(h, w)}"
        )
    if out == [h, w]:
        return img
    if _pil.is_pil_image(img):
        return _pil.resize(img, out, PIL_MODES[mode])
    arr = image_array(img, "resize")
    return wrap(_array.resize(arr, out, mode.value, bool(antialias)))


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
    arr = image_array(img, "pad")
    if fill is None:
        fill = 0
    if not isinstance(fill, (int, float)):
        raise TypeError(f"Got inappropriate fill arg {fill!r}: a tensor is padded with a number")
    return wrap(_array.pad(arr, ltrb, fill, padding_mode))


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
    return wrap(_array.crop(image_array(img, "crop"), top, left, height, width))


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


def five_crop(img: Any, size: int | Sequence[int]) -> tuple[Any, Any, Any, Any, Any]:
    """The four corner crops and the central crop of ``size``: ``(tl, tr, bl, br, center)``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> [c.tolist() for c in F.five_crop(npgrad.arange(9).reshape(1, 3, 3), 1)]
    [[[[0]]], [[[2]]], [[[6]]], [[[8]]], [[[4]]]]
    """
    if isinstance(size, numbers.Number):
        size = (int(size), int(size))  # type: ignore[arg-type]
    elif isinstance(size, (tuple, list)) and len(size) == 1:
        size = (size[0], size[0])
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    _, h, w = get_dimensions(img)
    crop_h, crop_w = int(size[0]), int(size[1])
    if crop_w > w or crop_h > h:
        raise ValueError(f"Requested crop size {tuple(size)} is bigger than input size {(h, w)}")
    tl = crop(img, 0, 0, crop_h, crop_w)
    tr = crop(img, 0, w - crop_w, crop_h, crop_w)
    bl = crop(img, h - crop_h, 0, crop_h, crop_w)
    br = crop(img, h - crop_h, w - crop_w, crop_h, crop_w)
    return tl, tr, bl, br, center_crop(img, [crop_h, crop_w])


def ten_crop(img: Any, size: int | Sequence[int], vertical_flip: bool = False) -> tuple[Any, ...]:
    """:func:`five_crop` of the image, then of its horizontal (or vertical) mirror image.

    Examples
    --------
    >>> from PIL import Image
    >>> import npgrad.data.transforms.functional as F
    >>> [c.size for c in F.ten_crop(Image.new("L", (5, 4)), (2, 3))][:2]
    [(3, 2), (3, 2)]
    """
    first = five_crop(img, size)
    flipped = vflip(img) if vertical_flip else hflip(img)
    return first + five_crop(flipped, size)


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
    return wrap(np.ascontiguousarray(image_array(img, "hflip")[..., ::-1]))


def vflip(img: Any) -> Any:
    """Mirror top to bottom."""
    if _pil.is_pil_image(img):
        return _pil.vflip(img)
    return wrap(np.ascontiguousarray(image_array(img, "vflip")[..., ::-1, :]))


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
    if not isinstance(angle, numbers.Real):
        raise TypeError(f"Argument angle should be int or float, got {type(angle).__name__}")
    mode = interpolation_mode(interpolation)
    if center is not None and (not isinstance(center, Sequence) or len(center) != 2):
        raise ValueError(f"center should be a sequence of length 2, got {center!r}")
    if _pil.is_pil_image(img):
        return _pil.rotate(img, angle, PIL_MODES[mode], expand, center, fill)
    arr = image_array(img, "rotate")
    tmode = _tensor_mode(mode)
    fill_list = _tensor_fill(fill, _array.channels(arr))
    return wrap(_array.rotate(arr, angle, tmode, expand, center, fill_list))


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
    arr = image_array(img, "erase")
    out = _array.erase(arr, i, j, h, w, getattr(v, "_data", v), inplace=False)
    return img.copy_(wrap(out)) if inplace else wrap(out)
