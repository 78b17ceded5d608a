"""Loss modules: thin wrappers over :mod:`npgrad.nn.functional`'s losses with PyTorch's
constructors (including the deprecated ``size_average`` / ``reduce``), buffers (class
``weight``, ``pos_weight``) and ``repr``."""

from __future__ import annotations

import warnings
from typing import Any

from npgrad import Tensor
from npgrad.nn import functional as F

# the base classes stay importable from here, where PyTorch has them (custom losses subclass them)
from npgrad.nn.modules._loss_base import _Loss as _Loss
from npgrad.nn.modules._loss_base import _WeightedLoss as _WeightedLoss
from npgrad.nn.modules._loss_margin import (
    CosineEmbeddingLoss,
    HingeEmbeddingLoss,
    MarginRankingLoss,
    MultiLabelMarginLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    SoftMarginLoss,
    TripletMarginLoss,
    TripletMarginWithDistanceLoss,
)

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CTCLoss",
    "CosineEmbeddingLoss",
    "CrossEntropyLoss",
    "GaussianNLLLoss",
    "HingeEmbeddingLoss",
    "HuberLoss",
    "KLDivLoss",
    "L1Loss",
    "MSELoss",
    "MarginRankingLoss",
    "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss",
    "MultiMarginLoss",
    "NLLLoss",
    "NLLLoss2d",
    "PoissonNLLLoss",
    "SmoothL1Loss",
    "SoftMarginLoss",
    "TripletMarginLoss",
    "TripletMarginWithDistanceLoss",
]


class L1Loss(_Loss):
    """Mean absolute error; see :func:`npgrad.nn.functional.l1_loss`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.L1Loss()(npgrad.tensor([1.0, 2.0]), npgrad.tensor([2.0, 4.0]))
    tensor(1.5000)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error; see :func:`npgrad.nn.functional.mse_loss`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.MSELoss(reduction="sum")(npgrad.tensor([1.0, 2.0]), npgrad.tensor([2.0, 4.0]))
    tensor(5.)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic below ``beta``, linear above; see :func:`npgrad.nn.functional.smooth_l1_loss`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.SmoothL1Loss(beta=0.5)(npgrad.tensor([0.25, 3.0]), npgrad.zeros(2))
    tensor(1.4062)
    """

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        beta: float = 1.0,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Quadratic below ``delta``, ``delta``-linear above; see
    :func:`npgrad.nn.functional.huber_loss`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.HuberLoss(delta=2.0)(npgrad.tensor([0.5, 3.0]), npgrad.zeros(2))
    tensor(2.0625)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        if not isinstance(delta, (float, int)):
            raise TypeError(f"delta must be a float or int, got: {type(delta)}")
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class NLLLoss(_WeightedLoss):
    """Negative log likelihood of class indices, with class ``weight`` and ``ignore_index``;
    see :func:`npgrad.nn.functional.nll_loss`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.NLLLoss()(npgrad.tensor([[-0.5, -1.0], [-2.0, -0.1]]), npgrad.tensor([0, 1]))
    tensor(0.3000)
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.nll_loss(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
        )


class NLLLoss2d(NLLLoss):
    """PyTorch's deprecated name of :class:`NLLLoss` (which takes any number of dimensions),
    with its FutureWarning.

    Examples
    --------
    >>> import warnings
    >>> from npgrad import nn
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     loss = nn.NLLLoss2d()
    >>> loss
    NLLLoss2d()
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn(
            "`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in "
            "replacement",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__(*args, **kwargs)


class CrossEntropyLoss(_WeightedLoss):
    """Cross entropy of logits and class indices or class probabilities, with ``weight``,
    ``ignore_index`` and ``label_smoothing``; see :func:`npgrad.nn.functional.cross_entropy`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> loss = nn.CrossEntropyLoss()
    >>> logits = npgrad.tensor([[2.0, 0.0], [0.0, 2.0]], requires_grad=True)
    >>> out = loss(logits, npgrad.tensor([0, 1]))
    >>> out
    tensor(0.1269, grad_fn=<_CrossEntropyBackward>)
    >>> out.backward()
    >>> logits.grad
    tensor([[-0.0596,  0.0596],
            [ 0.0596, -0.0596]])
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.cross_entropy(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class BCELoss(_WeightedLoss):
    """Binary cross entropy of probabilities (logs clamped at -100); see
    :func:`npgrad.nn.functional.binary_cross_entropy`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.BCELoss()(npgrad.tensor([0.5, 0.5]), npgrad.tensor([1.0, 0.0]))
    tensor(0.6931)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross entropy of logits, numerically stable, with ``weight`` and
    ``pos_weight``; see :func:`npgrad.nn.functional.binary_cross_entropy_with_logits`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.BCEWithLogitsLoss()(npgrad.tensor([0.0, 1e4]), npgrad.tensor([1.0, 1.0]))
    tensor(0.3466)
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, pos_weight=self.pos_weight, reduction=self.reduction
        )


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence of log-probabilities from a target distribution
    (``reduction='batchmean'`` for the mathematical definition); see
    :func:`npgrad.nn.functional.kl_div`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> kl = nn.KLDivLoss(reduction="batchmean", log_target=True)
    >>> kl(npgrad.tensor([[0.5, 0.5]]).log(), npgrad.tensor([[0.5, 0.5]]).log())
    tensor(0.)
    """

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        log_target: bool = False,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class PoissonNLLLoss(_Loss):
    """Poisson negative log likelihood; see :func:`npgrad.nn.functional.poisson_nll_loss`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.PoissonNLLLoss()(npgrad.tensor([0.0]), npgrad.tensor([1.0]))
    tensor(1.)
    """

    def __init__(
        self,
        log_input: bool = True,
        full: bool = False,
        size_average: bool | None = None,
        eps: float = 1e-8,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return F.poisson_nll_loss(
            log_input,
            target,
            log_input=self.log_input,
            full=self.full,
            eps=self.eps,
            reduction=self.reduction,
        )


class GaussianNLLLoss(_Loss):
    """Gaussian negative log likelihood with predicted variances; see
    :func:`npgrad.nn.functional.gaussian_nll_loss`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.GaussianNLLLoss()(npgrad.tensor([1.0]), npgrad.tensor([1.0]), npgrad.tensor([1.0]))
    tensor(0.)
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        self.full = full
        self.eps = eps

    def forward(self, input: Tensor, target: Tensor, var: Tensor | float) -> Tensor:  # noqa: A002
        return F.gaussian_nll_loss(
            input, target, var, full=self.full, eps=self.eps, reduction=self.reduction
        )


class CTCLoss(_Loss):
    """Connectionist temporal classification loss of ``(T, N, C)`` log-probabilities and
    unaligned target sequences; see :func:`npgrad.nn.functional.ctc_loss`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> ctc = nn.CTCLoss()
    >>> log_probs = npgrad.full((3, 1, 2), 0.5).log().requires_grad_()
    >>> loss = ctc(log_probs, npgrad.tensor([[1]]), [3], [1])
    >>> loss
    tensor(0.2877, grad_fn=<MeanBackward>)
    >>> loss.backward()
    >>> log_probs.grad[:, 0]
    tensor([[ 0.0000,  0.0000],
            [ 0.1667, -0.1667],
            [ 0.0000,  0.0000]])
    """

    def __init__(
        self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False
    ) -> None:
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(
        self, log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any
    ) -> Tensor:
        return F.ctc_loss(
            log_probs,
            targets,
            input_lengths,
            target_lengths,
            blank=self.blank,
            reduction=self.reduction,
            zero_infinity=self.zero_infinity,
        )
