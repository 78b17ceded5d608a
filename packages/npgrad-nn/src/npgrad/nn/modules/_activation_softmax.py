"""The softmax layers: ``Softmax``, ``Softmin``, ``LogSoftmax`` and ``Softmax2d``
(re-exported by :mod:`npgrad.nn.modules.activation`, where PyTorch has them)."""

from __future__ import annotations

from npgrad import Tensor
from npgrad.nn import functional as F
from npgrad.nn.modules.module import Module
from npgrad.ops._shape_util import ShapeError

__all__ = [
    "LogSoftmax",
    "Softmax",
    "Softmax2d",
    "Softmin",
]

# warn (in F._softmax_dim) <- F.softmax <- forward <- Module.__call__ <- the caller: 5 frames
_SOFTMAX_STACKLEVEL = 5


class _SoftmaxBase(Module):
    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmin(_SoftmaxBase):
    """``softmax(-x)`` along ``dim``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.Softmin(dim=1)(npgrad.tensor([[0.0, 0.0]]))
    tensor([[0.5000, 0.5000]])
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.softmin(input, self.dim, _stacklevel=_SOFTMAX_STACKLEVEL)


class Softmax(_SoftmaxBase):
    """``exp(x) / sum(exp(x))`` along ``dim``.

    Examples
    --------
    >>> from npgrad import nn
    >>> nn.Softmax(dim=-1)
    Softmax(dim=-1)
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.softmax(input, self.dim, _stacklevel=_SOFTMAX_STACKLEVEL)


class LogSoftmax(_SoftmaxBase):
    """``log(softmax(x))`` along ``dim``, computed stably.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.LogSoftmax(dim=1)(npgrad.tensor([[0.0, 0.0]]))
    tensor([[-0.6931, -0.6931]])
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.log_softmax(input, self.dim, _stacklevel=_SOFTMAX_STACKLEVEL)


class Softmax2d(Module):
    """Softmax over the channels of each location of a ``(N, C, H, W)`` or ``(C, H, W)``
    input.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.Softmax2d()(npgrad.zeros(2, 4, 3, 3))[0, :, 0, 0]
    tensor([0.2500, 0.2500, 0.2500, 0.2500])
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if not isinstance(input, Tensor):
            raise TypeError(f"Softmax2d: expected a Tensor, got {type(input).__name__}")
        if input.ndim not in (3, 4):
            raise ShapeError(
                f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D instead (shape "
                f"{input.shape})"
            )
        return F.softmax(input, -3, _stacklevel=_SOFTMAX_STACKLEVEL)
