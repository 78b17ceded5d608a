"""Dropout layers: active in training mode, the identity in evaluation mode.

``Dropout`` zeroes elements; ``Dropout1d/2d/3d`` zero whole channels; ``AlphaDropout`` and
``FeatureAlphaDropout`` keep the self-normalising statistics of SELU networks. Masks come
from :mod:`npgrad.random` (``npgrad.manual_seed`` makes them reproducible).
"""

from __future__ import annotations

from npgrad import Tensor
from npgrad.nn import functional as F
from npgrad.nn.modules.module import Module

__all__ = [
    "AlphaDropout",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "FeatureAlphaDropout",
]


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """In training, zero each element with probability ``p`` and scale the others by
    ``1 / (1 - p)``; in evaluation, return the input itself.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.Dropout(p=0.2)
    >>> m
    Dropout(p=0.2, inplace=False)
    >>> x = npgrad.ones(4)
    >>> m.eval()(x) is x
    True
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zero whole channels of ``(N, C, L)`` or ``(C, L)`` inputs.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.Dropout1d(0.2)(npgrad.randn(20, 16, 32)).shape
    npgrad.Size([20, 16, 32])
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole channels of ``(N, C, H, W)`` inputs (a 3-D input is read as
    ``(N, C, L)``, with PyTorch's warning).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.Dropout2d(0.2)(npgrad.randn(2, 16, 8, 8)).shape
    npgrad.Size([2, 16, 8, 8])
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Zero whole channels of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` inputs.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.Dropout3d(0.2)(npgrad.randn(2, 4, 3, 3, 3)).shape
    npgrad.Size([2, 4, 3, 3, 3])
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Alpha dropout for SELU networks (keeps zero mean and unit variance).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.AlphaDropout(0.2)(npgrad.randn(20, 16)).shape
    npgrad.Size([20, 16])
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        # PyTorch's AlphaDropout never works in place, whatever ``inplace`` says
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels of ``(N, C, *)`` inputs.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.FeatureAlphaDropout(0.2)(npgrad.randn(20, 16, 4, 4)).shape
    npgrad.Size([20, 16, 4, 4])
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.feature_alpha_dropout(input, self.p, self.training)
