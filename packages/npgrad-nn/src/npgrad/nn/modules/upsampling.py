"""``Upsample`` (+ ``UpsamplingNearest2d``, ``UpsamplingBilinear2d``), ``PixelShuffle`` and
``PixelUnshuffle``.

Exported through :mod:`npgrad.nn.modules.pooling` (the resampling family) so
``nn.Upsample`` works.
"""

from __future__ import annotations

from typing import Any

from npgrad import Tensor
from npgrad.nn.functional._upsample import (
    channel_shuffle,
    interpolate,
    pixel_shuffle,
    pixel_unshuffle,
)
from npgrad.nn.modules.module import Module

__all__ = [
    "ChannelShuffle",
    "PixelShuffle",
    "PixelUnshuffle",
    "Upsample",
    "UpsamplingBilinear2d",
    "UpsamplingNearest2d",
]


class Upsample(Module):
    """Resize ``(N, C, *spatial)`` inputs to ``size`` or by ``scale_factor``; see
    :func:`npgrad.nn.functional.interpolate` for the modes.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.Upsample(scale_factor=2, mode="bilinear")
    >>> m
    Upsample(scale_factor=2.0, mode='bilinear')
    >>> m(npgrad.tensor([[[[1.0, 2.0]]]]))
    tensor([[[[1.0000, 1.2500, 1.7500, 2.0000],
              [1.0000, 1.2500, 1.7500, 2.0000]]]])
    """

    def __init__(
        self,
        size: Any = None,
        scale_factor: Any = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor: Any = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return interpolate(
            input,
            self.size,
            self.scale_factor,
            self.mode,
            self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = "scale_factor=" + repr(self.scale_factor)
        else:
            info = "size=" + repr(self.size)
        return info + ", mode=" + repr(self.mode)


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour 2-D upsampling (``Upsample(mode='nearest')``).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.UpsamplingNearest2d(scale_factor=2)(npgrad.ones(1, 1, 2, 2)).shape
    npgrad.Size([1, 1, 4, 4])
    """

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear 2-D upsampling with ``align_corners=True``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.UpsamplingBilinear2d(size=(1, 3))(npgrad.tensor([[[[0.0, 1.0]]]]))
    tensor([[[[0.0000, 0.5000, 1.0000]]]])
    """

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class PixelShuffle(Module):
    """``(*, C·r², H, W)`` -> ``(*, C, H·r, W·r)`` with ``r = upscale_factor``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.PixelShuffle(3)(npgrad.randn(1, 9, 4, 4)).shape
    npgrad.Size([1, 1, 12, 12])
    """

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """``(*, C, H·r, W·r)`` -> ``(*, C·r², H, W)`` with ``r = downscale_factor``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.PixelUnshuffle(3)(npgrad.randn(1, 1, 12, 12)).shape
    npgrad.Size([1, 9, 4, 4])
    """

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """Interleave the channels of ``(N, C, *)`` from ``groups`` groups; see
    :func:`npgrad.nn.functional.channel_shuffle`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.ChannelShuffle(2)
    >>> m
    ChannelShuffle(groups=2)
    >>> m(npgrad.arange(4.0).reshape(1, 4, 1)).flatten()
    tensor([0., 2., 1., 3.])
    """

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
