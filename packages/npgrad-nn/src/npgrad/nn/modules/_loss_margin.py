"""The margin, ranking and embedding losses: ``MarginRankingLoss``, ``HingeEmbeddingLoss``,
``SoftMarginLoss``, ``MultiLabelSoftMarginLoss``, ``MultiMarginLoss``, ``MultiLabelMarginLoss``,
``CosineEmbeddingLoss``, ``TripletMarginLoss`` and ``TripletMarginWithDistanceLoss``
(re-exported by :mod:`npgrad.nn.modules.loss`, where PyTorch has them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from npgrad import Tensor
from npgrad.nn import functional as F
from npgrad.nn.modules._loss_base import _Loss, _WeightedLoss
from npgrad.nn.modules.distance import PairwiseDistance

__all__ = [
    "CosineEmbeddingLoss",
    "HingeEmbeddingLoss",
    "MarginRankingLoss",
    "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss",
    "MultiMarginLoss",
    "SoftMarginLoss",
    "TripletMarginLoss",
    "TripletMarginWithDistanceLoss",
]


class MarginRankingLoss(_Loss):
    """``max(0, -target * (x1 - x2) + margin)``; see
    :func:`npgrad.nn.functional.margin_ranking_loss`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.MarginRankingLoss(margin=0.5)(npgrad.tensor([1.0]), npgrad.tensor([0.8]), npgrad.tensor([1.0]))
    tensor(0.3000)
    """

    def __init__(
        self,
        margin: float = 0.0,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.margin_ranking_loss(
            input1, input2, target, margin=self.margin, reduction=self.reduction
        )


class HingeEmbeddingLoss(_Loss):
    """Distance for similar pairs (target 1), hinge for dissimilar ones (target -1); see
    :func:`npgrad.nn.functional.hinge_embedding_loss`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.HingeEmbeddingLoss()(npgrad.tensor([0.3, 0.4]), npgrad.tensor([1.0, -1.0]))
    tensor(0.4500)
    """

    def __init__(
        self,
        margin: float = 1.0,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """Two-class logistic loss; see :func:`npgrad.nn.functional.soft_margin_loss`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.SoftMarginLoss()(npgrad.tensor([0.0]), npgrad.tensor([1.0]))
    tensor(0.6931)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """One-versus-all logistic loss; see
    :func:`npgrad.nn.functional.multilabel_soft_margin_loss`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.MultiLabelSoftMarginLoss()(npgrad.tensor([[0.0, 0.0]]), npgrad.tensor([[1.0, 0.0]]))
    tensor(0.6931)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.multilabel_soft_margin_loss(
            input, target, weight=self.weight, reduction=self.reduction
        )


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge loss; see :func:`npgrad.nn.functional.multi_margin_loss`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.MultiMarginLoss()(npgrad.tensor([[0.1, 0.2, 0.4, 0.8]]), npgrad.tensor([3]))
    tensor(0.3250)
    """

    def __init__(
        self,
        p: int = 1,
        margin: float = 1.0,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.ndim != 1:
            raise ValueError(
                f"MultiMarginLoss: expected weight to be None or 1D tensor, got {weight.ndim}D instead"
            )
        self.p = p
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.multi_margin_loss(
            input,
            target,
            p=self.p,
            margin=self.margin,
            weight=self.weight,
            reduction=self.reduction,
        )


class CosineEmbeddingLoss(_Loss):
    """``1 - cos`` for similar pairs, ``max(0, cos - margin)`` for dissimilar ones; see
    :func:`npgrad.nn.functional.cosine_embedding_loss`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> a = npgrad.tensor([[1.0, 0.0]])
    >>> nn.CosineEmbeddingLoss()(a, a, npgrad.tensor([1.0]))
    tensor(0.)
    """

    def __init__(
        self,
        margin: float = 0.0,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.cosine_embedding_loss(
            input1, input2, target, margin=self.margin, reduction=self.reduction
        )


class TripletMarginLoss(_Loss):
    """``max(0, d(a, p) - d(a, n) + margin)`` with pairwise ``p``-norm distances; see
    :func:`npgrad.nn.functional.triplet_margin_loss`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> loss = nn.TripletMarginLoss(eps=0.0)
    >>> loss(npgrad.zeros(1, 2), npgrad.tensor([[3.0, 4.0]]), npgrad.tensor([[1.0, 0.0]]))
    tensor(5.)
    """

    def __init__(
        self,
        margin: float = 1.0,
        p: float = 2.0,
        eps: float = 1e-6,
        swap: bool = False,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(
                f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead"
            )
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Any:
        return F.triplet_margin_loss(
            anchor,
            positive,
            negative,
            margin=self.margin,
            p=self.p,
            eps=self.eps,
            swap=self.swap,
            reduction=self.reduction,
        )


class MultiLabelMarginLoss(_Loss):
    """Multi-label hinge loss over class-index lists ended by ``-1``; see
    :func:`npgrad.nn.functional.multilabel_margin_loss`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> loss = nn.MultiLabelMarginLoss()
    >>> loss(npgrad.tensor([[0.1, 0.2, 0.4, 0.8]]), npgrad.tensor([[3, 0, -1, 1]]))
    tensor(0.8500)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """``max(0, d(a, p) - d(a, n) + margin)`` with any distance ``d``; see
    :func:`npgrad.nn.functional.triplet_margin_with_distance_loss`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> loss = nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(eps=0.0))
    >>> loss(npgrad.zeros(1, 2), npgrad.tensor([[3.0, 4.0]]), npgrad.tensor([[1.0, 0.0]]))
    tensor(5.)
    """

    def __init__(
        self,
        *,
        distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
        margin: float = 1.0,
        swap: bool = False,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction=reduction)
        if margin <= 0:
            raise ValueError(
                "TripletMarginWithDistanceLoss: expected margin to be greater than 0, got "
                f"{margin} instead"
            )
        # the default is a PairwiseDistance submodule, as PyTorch's (it shows in the repr)
        self.distance_function = (
            distance_function if distance_function is not None else PairwiseDistance()
        )
        self.margin = margin
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_with_distance_loss(
            anchor,
            positive,
            negative,
            distance_function=self.distance_function,
            margin=self.margin,
            swap=self.swap,
            reduction=self.reduction,
        )
