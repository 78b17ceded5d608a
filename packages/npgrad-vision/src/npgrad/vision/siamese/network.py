"""The Siamese network, the contrastive loss, and distances over a loader of pairs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

import npgrad
from npgrad.nn import Module
from npgrad.nn import functional as F
from npgrad.tensor import Tensor
from npgrad.vision.siamese._common import as_numpy

__all__ = ["ContrastiveLoss", "SiameseNetwork", "contrastive_loss", "pair_distances"]


_REDUCTIONS = ("none", "mean", "sum")


def contrastive_loss(
    x1: Tensor,
    x2: Tensor,
    same: Any,
    margin: float = 1.0,
    reduction: str = "mean",
    p: float = 2.0,
    eps: float = 1e-6,
) -> Tensor:
    r"""The contrastive loss of Hadsell, Chopra and LeCun (2006) on embedding pairs.

    With ``d = pairwise_distance(x1, x2, p, eps)`` and ``same`` in {0, 1}:

    .. math:: \ell = \tfrac12 \left[\, \text{same} \cdot d^2
              + (1 - \text{same}) \cdot \max(0, \text{margin} - d)^2 \right]

    Matched pairs are pulled together (``d²/2``); mismatched pairs are pushed apart until
    they are ``margin`` away. The ½ factor is the paper's: it makes the gradient with respect
    to ``d`` simply ``d`` (matched) and ``-(margin - d)`` (mismatched). Some code omits it
    (doubling the loss) or uses ``label = 1`` for *different* pairs; here ``same = 1`` means
    the same class, as in :class:`PairDataset` and ``LFWPairs``.

    Parameters
    ----------
    x1, x2 : Tensor
        Embeddings ``(N, D)`` (or ``(D,)``).
    same : Tensor or array-like
        ``(N,)`` of 0/1 (or bool).
    margin : float, optional
        Distance beyond which mismatched pairs cost nothing.
    reduction : {"mean", "sum", "none"}, optional
        How to reduce the ``N`` losses.
    p, eps : float, optional
        The norm and the ``eps`` of :func:`npgrad.nn.functional.pairwise_distance`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.siamese import contrastive_loss
    >>> a = npgrad.tensor([[0.0, 0.0], [0.0, 0.0]])
    >>> b = npgrad.tensor([[3.0, 4.0], [0.3, 0.4]])
    >>> contrastive_loss(a, b, [1, 0], margin=1.0, reduction="none", eps=0.0)
    tensor([12.5000,  0.1250])
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin < 0:
        raise ValueError(f"contrastive_loss: margin must be non-negative, got {margin}")
    d = F.pairwise_distance(x1, x2, p=p, eps=eps)
    target = as_numpy(same)
    if target.shape != d.shape:
        raise ValueError(
            f"contrastive_loss: expected same of shape {d.shape} (one per pair), got {target.shape}"
        )
    if not np.isin(target, (0, 1)).all():
        bad = np.unique(target[~np.isin(target, (0, 1))])[:5]
        raise ValueError(f"contrastive_loss: same must be 0 or 1, got values {bad.tolist()}")
    s = npgrad.from_numpy(target.astype(d.dtype))
    loss = 0.5 * (s * d * d + (1 - s) * (margin - d).clamp(min=0) ** 2)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


class ContrastiveLoss(Module):
    """Module form of :func:`contrastive_loss`: ``loss(x1, x2, same)``.

    Parameters
    ----------
    margin : float, optional
        Distance beyond which mismatched pairs cost nothing.
    reduction : {"mean", "sum", "none"}, optional
        How to reduce over the batch.
    p, eps : float, optional
        Norm and ``eps`` of the pairwise distance.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.siamese import ContrastiveLoss
    >>> loss = ContrastiveLoss(margin=2.0, eps=0.0)
    >>> loss
    ContrastiveLoss(margin=2.0, eps=0.0)
    >>> e1 = npgrad.tensor([[0.6, 0.8]], requires_grad=True)  # distance 1 from e2
    >>> out = loss(e1, npgrad.tensor([[0.0, 0.0]]), npgrad.tensor([0]))
    >>> out.backward()
    >>> round(out.item(), 6), e1.grad  # (2 - 1)**2 / 2; pushed apart along (0.6, 0.8)
    (0.5, tensor([[-0.6000, -0.8000]]))
    """

    def __init__(
        self, margin: float = 1.0, reduction: str = "mean", p: float = 2.0, eps: float = 1e-6
    ) -> None:
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f"{reduction} is not a valid value for reduction")
        if margin < 0:
            raise ValueError(f"ContrastiveLoss: margin must be non-negative, got {margin}")
        self.margin = float(margin)
        self.reduction = reduction
        self.p = p
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor, same: Any) -> Tensor:
        return contrastive_loss(x1, x2, same, self.margin, self.reduction, self.p, self.eps)

    def extra_repr(self) -> str:
        s = f"margin={self.margin}"
        if self.reduction != "mean":
            s += f", reduction={self.reduction!r}"
        if self.p != 2.0:
            s += f", p={self.p}"
        if self.eps != 1e-6:
            s += f", eps={self.eps}"
        return s


class SiameseNetwork(Module):
    """One ``backbone`` (and optional ``head``) applied to both inputs: shared weights.

    ``forward_once(x)`` is ``head(backbone(x).flatten(1))`` (the flatten only when the backbone
    returns more than 2 dimensions; no head: the backbone's output). ``forward(x1, x2)`` embeds
    the two batches with two separate calls, so a BatchNorm backbone normalises each batch on
    its own statistics. State-dict names are ``backbone.*`` and ``head.*``.

    Parameters
    ----------
    backbone : Module
        Maps an input batch to features.
    head : Module, optional
        Maps the (flattened) features to the embedding.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.vision.siamese import SiameseNetwork
    >>> net = SiameseNetwork(nn.Flatten(), head=nn.Linear(64, 8))
    >>> x1, x2 = npgrad.randn(5, 1, 8, 8), npgrad.randn(5, 1, 8, 8)
    >>> e1, e2 = net(x1, x2)
    >>> e1.shape, net.distance(x1, x2).shape
    (npgrad.Size([5, 8]), npgrad.Size([5]))
    """

    def __init__(self, backbone: Module, head: Module | None = None) -> None:
        super().__init__()
        if not isinstance(backbone, Module):
            raise TypeError(
                f"SiameseNetwork: backbone must be an npgrad.nn.Module, got {type(backbone).__name__}"
            )
        if head is not None and not isinstance(head, Module):
            raise TypeError(
                f"SiameseNetwork: head must be an npgrad.nn.Module or None, got {type(head).__name__}"
            )
        self.backbone = backbone
        self.head = head

    def forward_once(self, x: Tensor) -> Tensor:
        """The embedding of one batch."""
        z = self.backbone(x)
        if self.head is not None:
            if z.ndim > 2:
                z = z.flatten(1)
            z = self.head(z)
        return z

    def forward(self, x1: Tensor, x2: Tensor) -> tuple[Tensor, Tensor]:
        return self.forward_once(x1), self.forward_once(x2)

    def distance(self, x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6) -> Tensor:
        """``pairwise_distance`` between the embeddings of ``x1`` and ``x2`` (shape ``(N,)``)."""
        e1, e2 = self.forward(x1, x2)
        if e1.ndim > 2:
            e1, e2 = e1.flatten(1), e2.flatten(1)
        return F.pairwise_distance(e1, e2, p=p, eps=eps)


def pair_distances(
    model: Callable[[Tensor, Tensor], Tensor] | SiameseNetwork,
    loader: Iterable[Any],
    p: float = 2.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Distances and labels of every pair of a loader of ``(x1, x2, same)`` batches.

    A :class:`SiameseNetwork` is put in evaluation mode for the pass (and restored); the
    distances are computed without building a graph.

    Returns
    -------
    distances : numpy.ndarray
        float64 ``(N,)``.
    same : numpy.ndarray
        int64 ``(N,)``.
    """
    was_training = getattr(model, "training", None)
    if isinstance(model, Module):
        model.eval()
    distances: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    try:
        with npgrad.no_grad():
            for x1, x2, same in loader:
                if isinstance(model, SiameseNetwork):
                    d = model.distance(x1, x2, p=p)
                else:
                    d = model(x1, x2)
                distances.append(as_numpy(d).astype(np.float64).reshape(-1))
                labels.append(as_numpy(same).astype(np.int64).reshape(-1))
    finally:
        if isinstance(model, Module) and was_training is not None:
            model.train(bool(was_training))
    if not distances:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    return np.concatenate(distances), np.concatenate(labels)
