"""Pooling layers: max, average, power-average, adaptive and unpooling (1-D to 3-D), plus —
re-exported from :mod:`.upsampling` — ``Upsample`` and ``PixelShuffle``.

Attributes and reprs are PyTorch's (``MaxPool2d(kernel_size=2, stride=2, padding=0,
dilation=1, ceil_mode=False)``); ``stride`` defaults to ``kernel_size``. The computation is
in :mod:`npgrad.nn.functional`.
"""

from __future__ import annotations

from typing import Any

from npgrad import Tensor
from npgrad.nn.functional import _pooling as P
from npgrad.nn.functional import _pooling_adaptive as PA
from npgrad.nn.functional._im2col import _ntuple
from npgrad.nn.modules.module import Module
from npgrad.nn.modules.upsampling import *  # noqa: F403 (exported with the pooling family)
from npgrad.nn.modules.upsampling import __all__ as _upsampling_all

__all__ = [
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "LPPool1d",
    "LPPool2d",
    "LPPool3d",
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
    *_upsampling_all,
]


class _MaxPoolNd(Module):
    _nd: int

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return P._max_pool(
            input,
            self._nd,
            self,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool1d(_MaxPoolNd):
    """1-D max pooling over ``(N, C, L)`` or ``(C, L)``.

    ``return_indices=True`` also returns the flat position of each maximum in its input row
    (for :class:`MaxUnpool1d`).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.MaxPool1d(3, stride=2)
    >>> m
    MaxPool1d(kernel_size=3, stride=2, padding=0, dilation=1, ceil_mode=False)
    >>> m(npgrad.randn(20, 16, 50)).shape
    npgrad.Size([20, 16, 24])
    """

    _nd = 1


class MaxPool2d(_MaxPoolNd):
    """2-D max pooling over ``(N, C, H, W)`` or ``(C, H, W)``.

    ``H_out = floor((H + 2·padding - dilation·(kernel_size - 1) - 1) / stride + 1)`` (ceil
    with ``ceil_mode``, as long as the last window starts inside the input). Gradients go to
    the first maximum of each window in row-major order, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.MaxPool2d(2)
    >>> m
    MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    >>> m(npgrad.randn(1, 3, 24, 24)).shape
    npgrad.Size([1, 3, 12, 12])
    """

    _nd = 2


class MaxPool3d(_MaxPoolNd):
    """3-D max pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.MaxPool3d(2)(npgrad.randn(1, 2, 4, 4, 4)).shape
    npgrad.Size([1, 2, 2, 2, 2])
    """

    _nd = 3


class AvgPool1d(Module):
    """1-D average pooling over ``(N, C, L)`` or ``(C, L)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.AvgPool1d(3, stride=2)
    >>> m
    AvgPool1d(kernel_size=(3,), stride=(2,), padding=(0,))
    >>> m(npgrad.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]]]))
    tensor([[[2., 4., 6.]]])
    """

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__()
        self.kernel_size = _ntuple(kernel_size, 1, "kernel_size", "AvgPool1d", minimum=1)
        self.stride = _ntuple(
            stride if stride is not None else kernel_size, 1, "stride", "AvgPool1d", 1
        )
        self.padding = _ntuple(padding, 1, "padding", "AvgPool1d")
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return P._avg_pool(
            input,
            1,
            self,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            None,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AvgPoolNd(Module):
    _nd: int

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return P._avg_pool(
            input,
            self._nd,
            self,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """2-D average pooling over ``(N, C, H, W)`` or ``(C, H, W)``.

    ``count_include_pad`` counts the zero padding in the divisor; ``divisor_override``
    replaces the divisor altogether.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.AvgPool2d(2)
    >>> m
    AvgPool2d(kernel_size=2, stride=2, padding=0)
    >>> m(npgrad.arange(16.0).reshape(1, 1, 4, 4))
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]])
    """

    _nd = 2


class AvgPool3d(_AvgPoolNd):
    """3-D average pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.AvgPool3d(2)(npgrad.ones(1, 1, 2, 2, 2)).flatten()
    tensor([1.])
    """

    _nd = 3


class _LPPoolNd(Module):
    _nd: int

    def __init__(
        self, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False
    ) -> None:
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        fn = (P.lp_pool1d, P.lp_pool2d, P.lp_pool3d)[self._nd - 1]
        return fn(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
            f"ceil_mode={self.ceil_mode}"
        )


class LPPool1d(_LPPoolNd):
    """1-D power-average pooling: ``(sum over the window of x^p)^(1/p)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.LPPool1d(2, 2)(npgrad.tensor([[[3.0, 4.0]]]))
    tensor([[[5.]]])
    """

    _nd = 1


class LPPool2d(_LPPoolNd):
    """2-D power-average pooling: ``(sum over the window of x^p)^(1/p)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.LPPool2d(2, 3, stride=2)
    LPPool2d(norm_type=2, kernel_size=3, stride=2, ceil_mode=False)
    """

    _nd = 2


class LPPool3d(_LPPoolNd):
    """3-D power-average pooling: ``(sum over the window of x^p)^(1/p)``.

    Examples
    --------
    >>> from npgrad import nn
    >>> nn.LPPool3d(2, 2)
    LPPool3d(norm_type=2, kernel_size=2, stride=None, ceil_mode=False)
    """

    _nd = 3


class _AdaptiveAvgPoolNd(Module):
    _nd: int

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return PA._adaptive_avg(input, self._nd, self.output_size, self)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """1-D average pooling to a fixed output length.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.AdaptiveAvgPool1d(5)(npgrad.randn(1, 64, 8)).shape
    npgrad.Size([1, 64, 5])
    """

    _nd = 1


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """2-D average pooling to a fixed output size (``None`` keeps that input size).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.AdaptiveAvgPool2d((5, None))
    >>> m
    AdaptiveAvgPool2d(output_size=(5, None))
    >>> m(npgrad.randn(1, 64, 10, 9)).shape
    npgrad.Size([1, 64, 5, 9])
    """

    _nd = 2


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """3-D average pooling to a fixed output size.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.AdaptiveAvgPool3d(1)(npgrad.randn(2, 3, 4, 5, 6)).shape
    npgrad.Size([2, 3, 1, 1, 1])
    """

    _nd = 3


class _AdaptiveMaxPoolNd(Module):
    _nd: int

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return PA._adaptive_max(input, self._nd, self.output_size, self.return_indices, self)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """1-D max pooling to a fixed output length.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.AdaptiveMaxPool1d(5)(npgrad.randn(1, 64, 8)).shape
    npgrad.Size([1, 64, 5])
    """

    _nd = 1


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """2-D max pooling to a fixed output size; ``return_indices`` as in :class:`MaxPool2d`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.AdaptiveMaxPool2d((5, 7))(npgrad.randn(1, 64, 8, 9)).shape
    npgrad.Size([1, 64, 5, 7])
    """

    _nd = 2


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """3-D max pooling to a fixed output size.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.AdaptiveMaxPool3d(1)(npgrad.randn(1, 2, 3, 4, 5)).shape
    npgrad.Size([1, 2, 1, 1, 1])
    """

    _nd = 3


class _MaxUnpoolNd(Module):
    _nd: int

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        nd, name = self._nd, type(self).__name__
        self.kernel_size = _ntuple(kernel_size, nd, "kernel_size", name, minimum=1)
        self.stride = _ntuple(stride if stride is not None else kernel_size, nd, "stride", name, 1)
        self.padding = _ntuple(padding, nd, "padding", name)

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        return PA._max_unpool(
            input, indices, self._nd, self, self.kernel_size, self.stride, self.padding, output_size
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Partial inverse of :class:`MaxPool1d`: maxima put back at their indices, zeros elsewhere.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> pool, unpool = nn.MaxPool1d(2, return_indices=True), nn.MaxUnpool1d(2)
    >>> unpool(*pool(npgrad.tensor([[[1.0, 2.0, 4.0, 3.0]]])))
    tensor([[[0., 2., 4., 0.]]])
    """

    _nd = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """Partial inverse of :class:`MaxPool2d`; ``output_size`` resolves the ambiguous size.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    >>> unpool
    MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))
    >>> out, idx = pool(npgrad.arange(16.0).reshape(1, 1, 4, 4))
    >>> unpool(out, idx)
    tensor([[[[ 0.,  0.,  0.,  0.],
              [ 0.,  5.,  0.,  7.],
              [ 0.,  0.,  0.,  0.],
              [ 0., 13.,  0., 15.]]]])
    """

    _nd = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """Partial inverse of :class:`MaxPool3d`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> pool, unpool = nn.MaxPool3d(2, return_indices=True), nn.MaxUnpool3d(2)
    >>> unpool(*pool(npgrad.randn(1, 1, 4, 4, 4))).shape
    npgrad.Size([1, 1, 4, 4, 4])
    """

    _nd = 3
