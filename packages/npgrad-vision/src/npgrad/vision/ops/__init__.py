"""torchvision's ``ops`` for npgrad: box utilities, non-maximum suppression, RoI pooling,
detection losses and small building blocks of the vision models.

* boxes: :func:`box_area`, :func:`box_iou`, :func:`generalized_box_iou`,
  :func:`distance_box_iou`, :func:`complete_box_iou`, :func:`box_convert`,
  :func:`clip_boxes_to_image`, :func:`remove_small_boxes`, :func:`nms`, :func:`batched_nms`;
* RoI: :func:`roi_align`, :func:`roi_pool` (+ :class:`RoIAlign`, :class:`RoIPool`);
* losses: :func:`sigmoid_focal_loss`, :func:`generalized_box_iou_loss`;
* layers: :func:`stochastic_depth`, :class:`StochasticDepth`, :func:`drop_block2d`,
  :class:`DropBlock2d`, :class:`Conv2dNormActivation`, :class:`MLP`,
  :class:`SqueezeExcitation`, :class:`Permute`, :class:`FrozenBatchNorm2d`.

Examples
--------
>>> import npgrad
>>> from npgrad.vision import ops
>>> ops.box_iou(npgrad.tensor([[0., 0., 1., 1.]]), npgrad.tensor([[0., 0., 1., 2.]]))
tensor([[0.5000]])
"""

from npgrad.vision.ops.boxes import (
    batched_nms,
    box_area,
    box_convert,
    box_iou,
    clip_boxes_to_image,
    complete_box_iou,
    distance_box_iou,
    generalized_box_iou,
    nms,
    remove_small_boxes,
)
from npgrad.vision.ops.losses import generalized_box_iou_loss, sigmoid_focal_loss
from npgrad.vision.ops.misc import (
    MLP,
    Conv2dNormActivation,
    DropBlock2d,
    FrozenBatchNorm2d,
    Permute,
    SqueezeExcitation,
    StochasticDepth,
    drop_block2d,
    stochastic_depth,
)
from npgrad.vision.ops.roi import RoIAlign, RoIPool, roi_align, roi_pool

__all__ = [
    "MLP",
    "Conv2dNormActivation",
    "DropBlock2d",
    "FrozenBatchNorm2d",
    "Permute",
    "RoIAlign",
    "RoIPool",
    "SqueezeExcitation",
    "StochasticDepth",
    "batched_nms",
    "box_area",
    "box_convert",
    "box_iou",
    "clip_boxes_to_image",
    "complete_box_iou",
    "distance_box_iou",
    "drop_block2d",
    "generalized_box_iou",
    "generalized_box_iou_loss",
    "nms",
    "remove_small_boxes",
    "roi_align",
    "roi_pool",
    "sigmoid_focal_loss",
    "stochastic_depth",
]
