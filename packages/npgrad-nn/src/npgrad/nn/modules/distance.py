"""Distance layers: ``PairwiseDistance`` and ``CosineSimilarity``."""

from __future__ import annotations

from npgrad import Tensor
from npgrad.nn import functional as F
from npgrad.nn.modules.module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class PairwiseDistance(Module):
    """The ``p``-norm distance ``||x1 - x2 + eps||_p`` over the last dimension.

    The order is stored as ``norm``, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> pdist = nn.PairwiseDistance(p=2)
    >>> pdist(npgrad.randn(100, 128), npgrad.randn(100, 128)).shape
    npgrad.Size([100])
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    """Cosine similarity along ``dim``, each norm clamped to at least ``eps``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> cos = nn.CosineSimilarity(dim=1, eps=1e-6)
    >>> cos(npgrad.randn(100, 128), npgrad.randn(100, 128)).shape
    npgrad.Size([100])
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)
