"""Detection losses with torchvision's API: :func:`sigmoid_focal_loss` and
:func:`generalized_box_iou_loss`. Both are compositions of npgrad ops, differentiable to any
order."""

from __future__ import annotations

import npgrad
from npgrad import Tensor
from npgrad.nn import functional as F

__all__ = ["generalized_box_iou_loss", "sigmoid_focal_loss"]

_REDUCTIONS = ("none", "mean", "sum")


def _reduce(op: str, loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    if reduction == "mean":
        # an empty batch gives 0 (not NaN) and keeps the graph, as torchvision's
        return loss.mean() if loss.numel() > 0 else 0.0 * loss.sum()
    return loss.sum()


def _check_reduction(op: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"{op}: invalid reduction {reduction!r}; supported are 'none', 'mean' and 'sum'"
        )


def sigmoid_focal_loss(
    inputs: Tensor,
    targets: Tensor,
    alpha: float = 0.25,
    gamma: float = 2,
    reduction: str = "none",
) -> Tensor:
    """Focal loss (Lin et al., RetinaNet, 2017) for dense binary classification:
    ``alpha_t * (1 - p_t) ** gamma * BCE(inputs, targets)``.

    Parameters
    ----------
    inputs : Tensor
        Logits, any shape.
    targets : Tensor
        Binary labels (0 or 1, floating), same shape as ``inputs``.
    alpha : float, optional
        Weight of the positives in ``(0, 1)``; ``-1`` (any negative) disables the weighting.
    gamma : float, optional
        Focusing exponent: larger values down-weight easy examples.
    reduction : {"none", "mean", "sum"}, optional
        What to do with the element-wise losses.

    Returns
    -------
    Tensor
        The loss (shape of ``inputs`` with ``"none"``, a scalar otherwise).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import sigmoid_focal_loss
    >>> sigmoid_focal_loss(npgrad.tensor([0., 2.]), npgrad.tensor([1., 0.]))
    tensor([0.0433, 1.2376])
    """
    op = "sigmoid_focal_loss"
    _check_reduction(op, reduction)
    if not isinstance(inputs, Tensor) or not isinstance(targets, Tensor):
        raise TypeError(f"{op}: inputs and targets must be Tensors")
    if inputs.shape != targets.shape:
        raise ValueError(
            f"{op}: targets shape {tuple(targets.shape)} must equal inputs shape "
            f"{tuple(inputs.shape)}"
        )
    p = npgrad.sigmoid(inputs)
    ce = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return _reduce(op, loss, reduction)


def generalized_box_iou_loss(
    boxes1: Tensor, boxes2: Tensor, reduction: str = "none", eps: float = 1e-7
) -> Tensor:
    """``1 - GIoU`` of matching ``xyxy`` boxes (``boxes1[i]`` with ``boxes2[i]``), in
    ``[0, 2]`` (Rezatofighi et al., 2019).

    Parameters
    ----------
    boxes1, boxes2 : Tensor
        ``(..., 4)`` boxes of the same shape.
    reduction : {"none", "mean", "sum"}, optional
        What to do with the per-box losses.
    eps : float, optional
        Guards the divisions for degenerate boxes.

    Returns
    -------
    Tensor
        ``(...)`` losses with ``"none"``, a scalar otherwise.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import generalized_box_iou_loss
    >>> a = npgrad.tensor([[0., 0., 2., 2.], [0., 0., 1., 1.]])
    >>> b = npgrad.tensor([[0., 0., 2., 2.], [2., 0., 3., 1.]])
    >>> generalized_box_iou_loss(a, b)
    tensor([0.0000, 1.3333])
    """
    op = "generalized_box_iou_loss"
    _check_reduction(op, reduction)
    if not isinstance(boxes1, Tensor) or not isinstance(boxes2, Tensor):
        raise TypeError(f"{op}: boxes1 and boxes2 must be Tensors")
    if boxes1.shape != boxes2.shape or boxes1.ndim < 1 or boxes1.shape[-1] != 4:
        raise ValueError(
            f"{op}: boxes1 and boxes2 must have the same shape (..., 4), got "
            f"{tuple(boxes1.shape)} and {tuple(boxes2.shape)}"
        )
    x1, y1, x2, y2 = boxes1.unbind(-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(-1)
    xk1, yk1 = npgrad.maximum(x1, x1g), npgrad.maximum(y1, y1g)
    xk2, yk2 = npgrad.minimum(x2, x2g), npgrad.minimum(y2, y2g)
    overlap = (yk2 > yk1) & (xk2 > xk1)
    inter = npgrad.where(overlap, (xk2 - xk1) * (yk2 - yk1), npgrad.zeros_like(x1))
    union = (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - inter
    iou = inter / (union + eps)
    xc1, yc1 = npgrad.minimum(x1, x1g), npgrad.minimum(y1, y1g)
    xc2, yc2 = npgrad.maximum(x2, x2g), npgrad.maximum(y2, y2g)
    area_c = (xc2 - xc1) * (yc2 - yc1)
    giou = iou - (area_c - union) / (area_c + eps)
    return _reduce(op, 1 - giou, reduction)
