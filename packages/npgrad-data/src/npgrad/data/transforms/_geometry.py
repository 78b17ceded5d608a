"""Affine and perspective warps of PIL and tensor images (part of
:mod:`npgrad.data.transforms.functional`).

PIL images go through ``Image.transform`` with the inverse matrix / perspective coefficients
torchvision computes; tensors are sampled at the inverse-mapped pixel centres like
torchvision's ``grid_sample`` path (nearest or bilinear, zeros outside, then ``fill``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image

from npgrad.data.transforms import _array, _pil
from npgrad.data.transforms._common import (
    PIL_MODES,
    InterpolationMode,
    get_dimensions,
    image_array,
    interpolation_mode,
    wrap,
)

__all__ = ["affine", "elastic_transform", "perspective"]


def inverse_affine_matrix(
    center: Sequence[float],
    angle: float,
    translate: Sequence[float],
    scale: float,
    shear: Sequence[float],
) -> list[float]:
    """The output-to-input map of ``T * C * R * S * Sh * C^-1`` as a row-major 2x3 matrix.

    R rotates by ``angle`` degrees (clockwise in image coordinates, y down), Sh shears by
    ``shear = (sx, sy)`` degrees, S scales, T translates and C moves ``center`` to the origin:
    torchvision's ``_get_inverse_affine_matrix``.
    """
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    # RSS = R * Sh (without scale): [[a, b], [c, d]]
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    # inverse of the 2x2 part (its determinant is 1) divided by scale, then the translations
    m = [x / scale for x in (d, -b, 0.0, -c, a, 0.0)]
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy
    return m


def _tensor_fill(fill: Any, channels: int) -> list[float] | None:
    if fill is None:
        return None
    if isinstance(fill, numbers.Real):
        values = [float(fill)]
    else:
        try:
            if isinstance(fill, (str, bytes)) or any(isinstance(f, (str, bytes)) for f in fill):
                raise TypeError
            values = [float(f) for f in fill]
        except TypeError:
            raise TypeError(
                f"Argument fill should be a number or a sequence of numbers, got {fill!r}"
            ) from None
    if len(values) not in (1, channels):
        raise ValueError(
            "The number of elements in 'fill' cannot broadcast to match the number of "
            f"channels of the image ({len(values)} != {channels})"
        )
    return values


def _tensor_mode(mode: InterpolationMode) -> str:
    if mode not in (InterpolationMode.NEAREST, InterpolationMode.BILINEAR):
        raise ValueError(f"Interpolation mode '{mode.value}' is unsupported with Tensor input")
    return mode.value


def affine(
    img: Any,
    angle: float,
    translate: Sequence[float],
    scale: float,
    shear: float | Sequence[float],
    interpolation: Any = InterpolationMode.NEAREST,
    fill: Any = None,
    center: Sequence[float] | None = None,
) -> Any:
    """Rotate by ``angle`` degrees (clockwise), shear by ``shear`` degrees, scale and translate
    by ``translate = (dx, dy)`` pixels, about ``center`` (``(x, y)`` with the origin at the
    top-left corner of the top-left pixel; default: the image centre), keeping the image size;
    uncovered pixels get ``fill`` (0 when None).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> F.affine(npgrad.tensor([[[1, 2, 3]]]), angle=0.0, translate=[1, 0], scale=1.0, shear=0.0)
    tensor([[[0, 1, 2]]])
    """
    if not isinstance(angle, (int, float)) or isinstance(angle, bool):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if not isinstance(shear, (numbers.Number, list, tuple)):
        raise TypeError("Shear should be either a single value or a sequence of two values")
    mode = interpolation_mode(interpolation)
    if isinstance(shear, numbers.Number):
        shear_f = [float(shear), 0.0]  # type: ignore[arg-type]
    elif len(shear) == 1:
        shear_f = [float(shear[0]), float(shear[0])]
    elif len(shear) == 2:
        shear_f = [float(s) for s in shear]
    else:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    _, height, width = get_dimensions(img)
    translate_f = [float(t) for t in translate]
    if _pil.is_pil_image(img):
        # PIL's transform works in pixel-corner coordinates: the centre is (w/2, h/2)
        center_p = [width * 0.5, height * 0.5] if center is None else [float(c) for c in center]
        matrix = inverse_affine_matrix(center_p, float(angle), translate_f, scale, shear_f)
        opts = _pil.parse_fill(fill, img)
        return img.transform(img.size, Image.Transform.AFFINE, matrix, PIL_MODES[mode], **opts)
    arr = image_array(img, "affine")
    tmode = _tensor_mode(mode)
    center_f = [0.0, 0.0]
    if center is not None:
        center_f = [float(c) - s * 0.5 for c, s in zip(center, (width, height))]
    matrix = inverse_affine_matrix(center_f, float(angle), translate_f, scale, shear_f)
    return wrap(_array.affine(arr, matrix, tmode, _tensor_fill(fill, _array.channels(arr))))


def perspective_coeffs(
    startpoints: Sequence[Sequence[float]], endpoints: Sequence[Sequence[float]]
) -> list[float]:
    """The 8 coefficients ``(a, b, c, d, e, f, g, h)`` of the map from output to input
    ``(x, y) -> ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (g x + h y + 1))`` that
    sends each end point to its start point (least squares on the 8 linear equations)."""
    rows = []
    for (x, y), (u, v) in zip(endpoints, startpoints):
        rows.append([x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y])
        rows.append([0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y])
    a = np.asarray(rows, dtype=np.float64)
    b = np.asarray(startpoints, dtype=np.float64).reshape(8)
    return [float(c) for c in np.linalg.lstsq(a, b, rcond=None)[0]]


def _perspective_array(
    arr: np.ndarray, coeffs: Sequence[float], mode: str, fill: Any
) -> np.ndarray:
    h, w = arr.shape[-2:]
    work = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float32)
    c = np.asarray(coeffs, dtype=work)
    # pixel centres (x + 0.5, y + 0.5) mapped to input pixel-corner coordinates, minus 0.5
    # for grid_sample's align_corners=False pixel centres; the division by (w/2, h/2) and
    # back keeps torchvision's rounding order
    xs = np.arange(w, dtype=work)[None, :] + work.type(0.5)
    ys = np.arange(h, dtype=work)[:, None] + work.type(0.5)
    den = c[6] * xs + c[7] * ys + work.type(1.0)
    gx = (
        c[0] / work.type(0.5 * w) * xs + c[1] / work.type(0.5 * w) * ys + c[2] / work.type(0.5 * w)
    ) / den - work.type(1.0)
    gy = (
        c[3] / work.type(0.5 * h) * xs + c[4] / work.type(0.5 * h) * ys + c[5] / work.type(0.5 * h)
    ) / den - work.type(1.0)
    fill_list = _tensor_fill(fill, _array.channels(arr))
    return _array.grid_sample(arr, ((gx + 1) * w - 1) / 2, ((gy + 1) * h - 1) / 2, mode, fill_list)


def perspective(
    img: Any,
    startpoints: Sequence[Sequence[int]],
    endpoints: Sequence[Sequence[int]],
    interpolation: Any = InterpolationMode.BILINEAR,
    fill: Any = None,
) -> Any:
    """Warp so that the four ``startpoints`` (``[x, y]``: top-left, top-right, bottom-right,
    bottom-left corners of the original) land on ``endpoints``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> corners = [[0, 0], [2, 0], [2, 1], [0, 1]]
    >>> moved = [[1, 0], [3, 0], [3, 1], [1, 1]]
    >>> F.perspective(npgrad.tensor([[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]), corners, moved)
    tensor([[[0., 1., 2.],
             [0., 4., 5.]]])
    """
    for name, points in (("startpoints", startpoints), ("endpoints", endpoints)):
        if len(points) != 4 or any(len(p) != 2 for p in points):
            raise ValueError(f"{name} should be a sequence of four [x, y] points, got {points!r}")
    mode = interpolation_mode(interpolation)
    coeffs = perspective_coeffs(startpoints, endpoints)
    if _pil.is_pil_image(img):
        opts = _pil.parse_fill(fill, img)
        return img.transform(img.size, Image.Transform.PERSPECTIVE, coeffs, PIL_MODES[mode], **opts)
    arr = image_array(img, "perspective")
    return wrap(_perspective_array(arr, coeffs, _tensor_mode(mode), fill))


def elastic_transform(
    img: Any,
    displacement: Any,
    interpolation: Any = InterpolationMode.BILINEAR,
    fill: Any = None,
) -> Any:
    """Move each output pixel's sampling point by ``displacement``, a ``(1, H, W, 2)`` tensor
    of ``(dx, dy)`` offsets in normalised coordinates (the image spans ``[-1, 1]``; ``dx =
    2 / W`` is one pixel). PIL images are warped as uint8 tensors and converted back.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.data.transforms.functional as F
    >>> shift = npgrad.zeros(1, 1, 3, 2)
    >>> shift[..., 0] = 2 / 3  # sample one pixel to the right
    >>> F.elastic_transform(npgrad.tensor([[[1.0, 2.0, 3.0]]]), shift)
    tensor([[[2., 3., 0.]]])
    """
    from npgrad.data.transforms._conversion import pil_to_tensor, to_pil_image
    from npgrad.tensor import Tensor

    if not isinstance(displacement, Tensor):
        raise TypeError("Argument displacement should be a Tensor")
    if _pil.is_pil_image(img):
        out = elastic_transform(pil_to_tensor(img), displacement, interpolation, fill)
        return to_pil_image(out, mode=img.mode)
    arr = image_array(img, "elastic_transform")
    h, w = arr.shape[-2:]
    expected = (1, h, w, 2)
    if tuple(displacement.shape) != expected:
        raise ValueError(
            f"Argument displacement shape should be {expected}, but given "
            f"{tuple(displacement.shape)}"
        )
    mode = _tensor_mode(interpolation_mode(interpolation))
    work = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float32)
    d = displacement.detach()._data.astype(work)[0]
    # the identity grid of pixel centres in [-1, 1], plus the displacement, unnormalised as
    # grid_sample does with align_corners=False
    gx = np.linspace((1 - w) / w, (w - 1) / w, w, dtype=work)[None, :] + d[..., 0]
    gy = np.linspace((1 - h) / h, (h - 1) / h, h, dtype=work)[:, None] + d[..., 1]
    fill_list = _tensor_fill(fill, _array.channels(arr))
    return wrap(
        _array.grid_sample(arr, ((gx + 1) * w - 1) / 2, ((gy + 1) * h - 1) / 2, mode, fill_list)
    )
