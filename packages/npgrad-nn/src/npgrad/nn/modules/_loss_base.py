"""The base classes of the loss modules: ``_Loss`` (the ``reduction`` setting, with PyTorch's
deprecated ``size_average`` / ``reduce``) and ``_WeightedLoss`` (plus a class ``weight``
buffer). Re-exported by :mod:`npgrad.nn.modules.loss`, where PyTorch has them."""

from __future__ import annotations

from npgrad import Tensor
from npgrad.nn.functional._loss_class import _reduction
from npgrad.nn.modules.module import Module

__all__: list[str] = []


class _Loss(Module):
    reduction: str

    def __init__(
        self, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
    ) -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = _reduction(size_average, reduce, reduction)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
