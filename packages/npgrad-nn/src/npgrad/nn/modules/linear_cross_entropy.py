"""``LinearCrossEntropyLoss``: a classifier head and its cross entropy in one module
(PyTorch 2.13's ``nn.LinearCrossEntropyLoss``), for
:func:`npgrad.nn.functional.linear_cross_entropy`."""

from __future__ import annotations

import math
from typing import Any

from npgrad import Tensor
from npgrad.nn import functional as F
from npgrad.nn._factory import factory_kwargs
from npgrad.nn.functional._linear_ce import LinearCrossEntropyOptions
from npgrad.nn.modules.linear import Linear
from npgrad.nn.modules.loss import _WeightedLoss
from npgrad.nn.modules.module import _check_sizes
from npgrad.ops._shape_util import ShapeError

__all__ = ["LinearCrossEntropyLoss", "LinearCrossEntropyOptions"]


class LinearCrossEntropyLoss(_WeightedLoss):
    """The cross entropy of ``linear(input)`` against ``target``: a ``Linear(in_features,
    num_classes * prod(out_features), bias)`` (its weight stored flat, as in PyTorch; its
    state_dict keys are ``linear.weight`` and ``linear.bias``) whose output is read as
    ``(N, num_classes, *out_features)`` logits. ``options`` selects the chunked form that
    never holds all the logits (see :func:`npgrad.nn.functional.linear_cross_entropy`).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> _ = npgrad.manual_seed(0)
    >>> loss_fn = nn.LinearCrossEntropyLoss(8, 5, bias=True)
    >>> loss = loss_fn(npgrad.randn(4, 8), npgrad.tensor([0, 1, 2, 3]))
    >>> loss.shape, loss_fn.linear.weight.shape
    (npgrad.Size([]), npgrad.Size([5, 8]))
    """

    def __init__(
        self,
        in_features: int,
        num_classes: int,
        *,
        out_features: tuple[int, ...] = (),
        bias: bool = False,
        device: Any = None,
        dtype: Any = None,
        reduction: str = "mean",
        weight: Tensor | None = None,
        ignore_index: int | None = None,
        label_smoothing: float = 0.0,
        options: LinearCrossEntropyOptions | None = None,
    ) -> None:
        op = type(self).__name__
        fk = factory_kwargs(op, device, dtype)
        _check_sizes(op, in_features=in_features, num_classes=num_classes)
        out_features = tuple(out_features)
        _check_sizes(op, **{f"out_features[{i}]": d for i, d in enumerate(out_features)})
        if weight is not None and tuple(weight.shape) != (num_classes,):
            raise ShapeError(
                f"{op}: expected weight shape to be {(num_classes,)}, got {tuple(weight.shape)}"
            )
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(
                f"{op}: expected label_smoothing to be in range [0, 1], got {label_smoothing}"
            )
        if options is not None and not isinstance(options, LinearCrossEntropyOptions):
            raise TypeError(
                f"{op}: options must be a LinearCrossEntropyOptions or None, got "
                f"{type(options).__name__}"
            )
        super().__init__(weight=weight, reduction=reduction)
        self.num_classes = num_classes
        self.out_features = out_features
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        self.options = options
        # Linear holds 2-D weights: the (C, *out_features, in) weight is stored flat
        self.linear = Linear(
            in_features,
            math.prod(out_features, start=num_classes),
            bias=bias,
            **fk,
        )

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        lin = self.linear
        weight = lin.weight.reshape((self.num_classes, *self.out_features, lin.in_features))
        bias = (
            None if lin.bias is None else lin.bias.reshape((self.num_classes, *self.out_features))
        )
        return F.linear_cross_entropy(
            input,
            weight,
            target,
            linear_bias=bias,
            weight=self.weight,
            reduction=self.reduction,
            ignore_index=self.ignore_index,
            label_smoothing=self.label_smoothing,
            options=self.options,
        )

    def extra_repr(self) -> str:
        return (
            f"in_features={self.linear.in_features}, num_classes={self.num_classes}, "
            f"out_features={self.out_features}, bias={self.linear.bias is not None}, "
            f"reduction={self.reduction}, ignore_index={self.ignore_index}, "
            f"label_smoothing={self.label_smoothing}, options={self.options}"
        )
