"""Bounding-box operations with torchvision's API (``torchvision.ops.boxes``).

Boxes are ``(N, 4)`` tensors. Unless a function says otherwise they are in ``xyxy`` format,
``(x1, y1, x2, y2)`` with ``0 <= x1 < x2`` and ``0 <= y1 < y2``. The areas and IoUs are
compositions of npgrad ops, so they are differentiable (to any order) in the box coordinates;
:func:`nms` and :func:`batched_nms` return indices and are not.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor

__all__ = [
    "batched_nms",
    "box_area",
    "box_convert",
    "box_iou",
    "clip_boxes_to_image",
    "complete_box_iou",
    "distance_box_iou",
    "generalized_box_iou",
    "nms",
    "remove_small_boxes",
]

_FORMATS = ("xyxy", "xywh", "cxcywh")


def _check_boxes(op: str, boxes: Any, name: str = "boxes") -> Tensor:
    if not isinstance(boxes, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor, got {type(boxes).__name__}")
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"{op}: {name} must have shape (N, 4), got {tuple(boxes.shape)}")
    return boxes


def box_area(boxes: Tensor) -> Tensor:
    """Area ``(x2 - x1) * (y2 - y1)`` of each ``xyxy`` box.

    Parameters
    ----------
    boxes : Tensor
        ``(N, 4)`` boxes in ``xyxy`` format.

    Returns
    -------
    Tensor
        ``(N,)`` areas, in the dtype of ``boxes``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import box_area
    >>> box_area(npgrad.tensor([[0., 0., 2., 3.], [1., 1., 2., 2.]]))
    tensor([6., 1.])
    """
    _check_boxes("box_area", boxes)
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def _inter_union(op: str, boxes1: Tensor, boxes2: Tensor) -> tuple[Tensor, Tensor]:
    _check_boxes(op, boxes1, "boxes1")
    _check_boxes(op, boxes2, "boxes2")
    area1 = box_area(boxes1)
    area2 = box_area(boxes2)
    lt = npgrad.maximum(boxes1[:, None, :2], boxes2[None, :, :2])
    rb = npgrad.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    wh = npgrad.clamp(rb - lt, min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    union = area1[:, None] + area2[None, :] - inter
    return inter, union


def box_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """Intersection over union of every pair of ``xyxy`` boxes.

    Parameters
    ----------
    boxes1, boxes2 : Tensor
        ``(N, 4)`` and ``(M, 4)`` boxes.

    Returns
    -------
    Tensor
        ``(N, M)``: entry ``[i, j]`` is the IoU of ``boxes1[i]`` and ``boxes2[j]``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import box_iou
    >>> box_iou(npgrad.tensor([[0., 0., 2., 2.]]), npgrad.tensor([[1., 0., 3., 2.], [5., 5., 6., 6.]]))
    tensor([[0.3333, 0.0000]])
    """
    inter, union = _inter_union("box_iou", boxes1, boxes2)
    return inter / union


def _enclosing_wh(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    lti = npgrad.minimum(boxes1[:, None, :2], boxes2[None, :, :2])
    rbi = npgrad.maximum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    return npgrad.clamp(rbi - lti, min=0)


def generalized_box_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """Generalized IoU (Rezatofighi et al., 2019) of every pair of ``xyxy`` boxes:
    ``IoU - (C - U) / C`` with ``C`` the area of the smallest enclosing box and ``U`` the union.

    Parameters
    ----------
    boxes1, boxes2 : Tensor
        ``(N, 4)`` and ``(M, 4)`` boxes.

    Returns
    -------
    Tensor
        ``(N, M)`` values in ``[-1, 1]``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import generalized_box_iou
    >>> generalized_box_iou(npgrad.tensor([[0., 0., 1., 1.]]), npgrad.tensor([[2., 0., 3., 1.]]))
    tensor([[-0.3333]])
    """
    inter, union = _inter_union("generalized_box_iou", boxes1, boxes2)
    iou = inter / union
    whi = _enclosing_wh(boxes1, boxes2)
    areai = whi[:, :, 0] * whi[:, :, 1]
    return iou - (areai - union) / areai


def _diou_iou(op: str, boxes1: Tensor, boxes2: Tensor, eps: float) -> tuple[Tensor, Tensor]:
    inter, union = _inter_union(op, boxes1, boxes2)
    iou = inter / union
    whi = _enclosing_wh(boxes1, boxes2)
    diagonal_sq = whi[:, :, 0] ** 2 + whi[:, :, 1] ** 2 + eps
    cx1 = (boxes1[:, 0] + boxes1[:, 2]) / 2
    cy1 = (boxes1[:, 1] + boxes1[:, 3]) / 2
    cx2 = (boxes2[:, 0] + boxes2[:, 2]) / 2
    cy2 = (boxes2[:, 1] + boxes2[:, 3]) / 2
    centers_sq = (cx1[:, None] - cx2[None, :]) ** 2 + (cy1[:, None] - cy2[None, :]) ** 2
    return iou - centers_sq / diagonal_sq, iou


def distance_box_iou(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> Tensor:
    """Distance IoU (Zheng et al., 2020) of every pair of ``xyxy`` boxes: ``IoU - d² / c²``
    with ``d`` the distance between the centres and ``c`` the diagonal of the enclosing box.

    Parameters
    ----------
    boxes1, boxes2 : Tensor
        ``(N, 4)`` and ``(M, 4)`` boxes.
    eps : float, optional
        Added to ``c²`` so that degenerate boxes do not divide by zero.

    Returns
    -------
    Tensor
        ``(N, M)`` values in ``[-1, 1]``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import distance_box_iou
    >>> distance_box_iou(npgrad.tensor([[0., 0., 1., 1.]]), npgrad.tensor([[1., 0., 2., 1.]]))
    tensor([[-0.2000]])
    """
    return _diou_iou("distance_box_iou", boxes1, boxes2, eps)[0]


def complete_box_iou(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> Tensor:
    """Complete IoU (Zheng et al., 2020) of every pair of ``xyxy`` boxes: the distance IoU
    minus ``alpha * v``, where ``v = 4 / pi² (atan(w2 / h2) - atan(w1 / h1))²`` measures the
    aspect-ratio mismatch and ``alpha = v / (1 - IoU + v + eps)`` is held constant for the
    gradient (as in the paper and torchvision).

    Parameters
    ----------
    boxes1, boxes2 : Tensor
        ``(N, 4)`` and ``(M, 4)`` boxes.
    eps : float, optional
        Guards the divisions.

    Returns
    -------
    Tensor
        ``(N, M)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import complete_box_iou
    >>> complete_box_iou(npgrad.tensor([[0., 0., 2., 2.]]), npgrad.tensor([[0., 0., 2., 2.]]))
    tensor([[1.]])
    """
    diou, iou = _diou_iou("complete_box_iou", boxes1, boxes2, eps)
    w1 = boxes1[:, None, 2] - boxes1[:, None, 0]
    h1 = boxes1[:, None, 3] - boxes1[:, None, 1]
    w2 = boxes2[None, :, 2] - boxes2[None, :, 0]
    h2 = boxes2[None, :, 3] - boxes2[None, :, 1]
    v = (4 / math.pi**2) * (npgrad.atan(w2 / h2) - npgrad.atan(w1 / h1)) ** 2
    with npgrad.no_grad():
        alpha = v / (1 - iou + v + eps)
    return diou - alpha * v


def box_convert(boxes: Tensor, in_fmt: str, out_fmt: str) -> Tensor:
    """Convert boxes between the ``"xyxy"`` (corners), ``"xywh"`` (top-left corner, width,
    height) and ``"cxcywh"`` (centre, width, height) formats.

    Parameters
    ----------
    boxes : Tensor
        ``(N, 4)`` boxes in ``in_fmt``.
    in_fmt, out_fmt : {"xyxy", "xywh", "cxcywh"}
        The formats.

    Returns
    -------
    Tensor
        ``(N, 4)`` boxes in ``out_fmt`` (a copy, also when the formats are equal).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import box_convert
    >>> box_convert(npgrad.tensor([[1., 2., 3., 6.]]), "xyxy", "cxcywh")
    tensor([[2., 4., 2., 4.]])
    """
    for name, fmt in (("in_fmt", in_fmt), ("out_fmt", out_fmt)):
        if fmt not in _FORMATS:
            raise ValueError(
                f"box_convert: unsupported {name} {fmt!r}; expected one of {', '.join(_FORMATS)}"
            )
    _check_boxes("box_convert", boxes)
    if in_fmt == out_fmt:
        return boxes.clone()
    a, b, c, d = boxes.unbind(-1)
    if in_fmt == "xywh":
        xyxy = (a, b, a + c, b + d)
    elif in_fmt == "cxcywh":
        xyxy = (a - 0.5 * c, b - 0.5 * d, a + 0.5 * c, b + 0.5 * d)
    else:
        xyxy = (a, b, c, d)
    x1, y1, x2, y2 = xyxy
    if out_fmt == "xywh":
        out = (x1, y1, x2 - x1, y2 - y1)
    elif out_fmt == "cxcywh":
        out = ((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1)
    else:
        out = xyxy
    return npgrad.stack(list(out), dim=-1)


def clip_boxes_to_image(boxes: Tensor, size: tuple[int, int]) -> Tensor:
    """Clip ``xyxy`` boxes to an image of ``size = (height, width)``: x to ``[0, width]``,
    y to ``[0, height]``.

    Parameters
    ----------
    boxes : Tensor
        ``(..., 4)`` boxes.
    size : (int, int)
        ``(height, width)`` of the image.

    Returns
    -------
    Tensor
        The clipped boxes, same shape.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import clip_boxes_to_image
    >>> clip_boxes_to_image(npgrad.tensor([[-1., 2., 9., 12.]]), (10, 8))
    tensor([[ 0.,  2.,  8., 10.]])
    """
    if not isinstance(boxes, Tensor):
        raise TypeError(f"clip_boxes_to_image: boxes must be a Tensor, got {type(boxes).__name__}")
    if boxes.ndim < 1 or boxes.shape[-1] != 4:
        raise ValueError(
            f"clip_boxes_to_image: boxes must have shape (..., 4), got {tuple(boxes.shape)}"
        )
    if len(size) != 2:
        raise ValueError(f"clip_boxes_to_image: size must be (height, width), got {size!r}")
    height, width = size
    x = npgrad.clamp(boxes[..., 0::2], min=0, max=width)
    y = npgrad.clamp(boxes[..., 1::2], min=0, max=height)
    return npgrad.stack([x, y], dim=-1).reshape(boxes.shape)


def remove_small_boxes(boxes: Tensor, min_size: float) -> Tensor:
    """Indices of the ``xyxy`` boxes whose width and height are both at least ``min_size``.

    Parameters
    ----------
    boxes : Tensor
        ``(N, 4)`` boxes.
    min_size : float
        The minimum side length.

    Returns
    -------
    Tensor
        int64 indices of the kept boxes, in increasing order.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import remove_small_boxes
    >>> remove_small_boxes(npgrad.tensor([[0., 0., 1., 5.], [0., 0., 3., 3.]]), 2.0)
    tensor([1])
    """
    _check_boxes("remove_small_boxes", boxes)
    min_size = _number("remove_small_boxes", "min_size", min_size)
    b = boxes.detach().numpy()
    keep = ((b[:, 2] - b[:, 0]) >= min_size) & ((b[:, 3] - b[:, 1]) >= min_size)
    return npgrad.from_numpy(np.flatnonzero(keep).astype(np.int64))


def _nms_numpy(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Greedy NMS: visit boxes by decreasing score (ties: lower index first, a stable sort)
    and drop every later box whose IoU with a kept one is strictly above the threshold."""
    n = boxes.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(-scores, kind="stable")
    x1, y1, x2, y2 = (boxes[:, i] for i in range(4))
    areas = (x2 - x1) * (y2 - y1)
    suppressed = np.zeros(n, dtype=bool)
    keep = []
    for pos, i in enumerate(order):
        if suppressed[i]:
            continue
        keep.append(i)
        rest = order[pos + 1 :]
        rest = rest[~suppressed[rest]]
        if rest.size == 0:
            break
        w = np.maximum(np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]), 0)
        h = np.maximum(np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]), 0)
        inter = w * h
        iou = inter / (areas[i] + areas[rest] - inter)
        suppressed[rest[iou > iou_threshold]] = True
    return np.asarray(keep, dtype=np.int64)


def _number(op: str, name: str, value: Any) -> float:
    """``float(value)`` of a real number (or one-element tensor); a TypeError naming it else."""
    if isinstance(value, Tensor) and value.numel() == 1:
        return float(value.item())
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{op}: {name} must be a number, got {value!r}")
    return float(value)


def _nms_args(op: str, boxes: Any, scores: Any) -> tuple[np.ndarray, np.ndarray]:
    _check_boxes(op, boxes)
    if boxes.dtype == npgrad.bool:
        raise TypeError(f"{op}: boxes must hold numbers, got a bool Tensor")
    if not isinstance(scores, Tensor):
        raise TypeError(f"{op}: scores must be a Tensor, got {type(scores).__name__}")
    if scores.ndim != 1 or scores.shape[0] != boxes.shape[0]:
        raise ValueError(
            f"{op}: scores must have shape (N,) matching boxes {tuple(boxes.shape)}, "
            f"got {tuple(scores.shape)}"
        )
    return boxes.detach().numpy(), scores.detach().numpy()


def nms(boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    """Greedy non-maximum suppression of ``xyxy`` boxes.

    Repeatedly keeps the highest-scoring remaining box and discards the boxes whose IoU with
    it is greater than ``iou_threshold``. Equal scores are visited in index order.

    Parameters
    ----------
    boxes : Tensor
        ``(N, 4)`` boxes.
    scores : Tensor
        ``(N,)`` scores.
    iou_threshold : float
        Boxes overlapping a kept box with IoU ``> iou_threshold`` are discarded.

    Returns
    -------
    Tensor
        int64 indices of the kept boxes, by decreasing score.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import nms
    >>> boxes = npgrad.tensor([[0., 0., 2., 2.], [0., 0., 2., 1.9], [3., 3., 4., 4.]])
    >>> nms(boxes, npgrad.tensor([0.9, 0.8, 0.7]), 0.5)
    tensor([0, 2])
    """
    b, s = _nms_args("nms", boxes, scores)
    return npgrad.from_numpy(_nms_numpy(b, s, _number("nms", "iou_threshold", iou_threshold)))


def batched_nms(boxes: Tensor, scores: Tensor, idxs: Tensor, iou_threshold: float) -> Tensor:
    """Non-maximum suppression within each category: boxes with different ``idxs`` never
    suppress each other.

    Parameters
    ----------
    boxes : Tensor
        ``(N, 4)`` boxes.
    scores : Tensor
        ``(N,)`` scores.
    idxs : Tensor
        ``(N,)`` integer category of each box.
    iou_threshold : float
        As in :func:`nms`.

    Returns
    -------
    Tensor
        int64 indices of the kept boxes, by decreasing score (ties in index order).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import batched_nms
    >>> boxes = npgrad.tensor([[0., 0., 2., 2.], [0., 0., 2., 1.9], [0., 0., 2., 2.]])
    >>> batched_nms(boxes, npgrad.tensor([0.9, 0.8, 0.7]), npgrad.tensor([0, 0, 1]), 0.5)
    tensor([0, 2])
    """
    b, s = _nms_args("batched_nms", boxes, scores)
    if not isinstance(idxs, Tensor):
        raise TypeError(f"batched_nms: idxs must be a Tensor, got {type(idxs).__name__}")
    ids = idxs.detach().numpy()
    if ids.shape != s.shape:
        raise ValueError(
            f"batched_nms: idxs must have shape {tuple(s.shape)} like scores, got {ids.shape}"
        )
    threshold = _number("batched_nms", "iou_threshold", iou_threshold)
    keep_mask = np.zeros(s.shape[0], dtype=bool)
    for cat in np.unique(ids):
        members = np.flatnonzero(ids == cat)
        keep_mask[members[_nms_numpy(b[members], s[members], threshold)]] = True
    kept = np.flatnonzero(keep_mask)
    kept = kept[np.argsort(-s[kept], kind="stable")]
    return npgrad.from_numpy(kept.astype(np.int64))
