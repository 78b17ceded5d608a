"""``Fold`` and ``Unfold``: sliding blocks to columns and back (im2col / col2im) as layers.

Exported through :mod:`npgrad.nn.modules.conv` (their family) so ``nn.Fold`` works.
"""

from __future__ import annotations

from typing import Any

from npgrad import Tensor
from npgrad.nn.functional._conv import fold, unfold
from npgrad.nn.modules.module import Module

__all__ = ["Fold", "Unfold"]


class Fold(Module):
    """Sum sliding blocks ``(N, C·prod(kernel_size), L)`` into an image ``(N, C, *output_size)``.

    See :func:`npgrad.nn.functional.fold`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> fold = nn.Fold(output_size=(4, 5), kernel_size=(2, 2))
    >>> fold
    Fold(output_size=(4, 5), kernel_size=(2, 2), dilation=1, padding=0, stride=1)
    >>> fold(npgrad.randn(1, 3 * 2 * 2, 12)).shape
    npgrad.Size([1, 3, 4, 5])
    """

    def __init__(
        self,
        output_size: Any,
        kernel_size: Any,
        dilation: Any = 1,
        padding: Any = 0,
        stride: Any = 1,
    ) -> None:
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return fold(
            input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride
        )

    def extra_repr(self) -> str:
        return (
            f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
            f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}"
        )


class Unfold(Module):
    """Extract sliding blocks: ``(N, C, H, W)`` -> ``(N, C·prod(kernel_size), L)``.

    See :func:`npgrad.nn.functional.unfold`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> unfold = nn.Unfold(kernel_size=(2, 3))
    >>> unfold
    Unfold(kernel_size=(2, 3), dilation=1, padding=0, stride=1)
    >>> unfold(npgrad.randn(2, 5, 3, 4)).shape
    npgrad.Size([2, 30, 4])
    """

    def __init__(
        self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding},"
            f" stride={self.stride}"
        )
