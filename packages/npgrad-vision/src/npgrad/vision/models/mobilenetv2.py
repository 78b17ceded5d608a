"""MobileNetV2 (Sandler et al., 2018) with torchvision's module names (``features.N.conv.M``,
``classifier.1``). No pretrained weights are downloaded (``weights`` must be None)."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

from npgrad import Tensor, nn
from npgrad.nn import functional as F
from npgrad.vision.models._weights import no_pretrained
from npgrad.vision.ops.misc import Conv2dNormActivation

__all__ = ["InvertedResidual", "MobileNetV2", "mobilenet_v2"]


def _make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """``v`` rounded to a multiple of ``divisor``, never more than 10 % below ``v`` (the
    channel rounding of the TensorFlow reference implementation)."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class InvertedResidual(nn.Module):
    """Expand (1×1, ReLU6) → depthwise 3×3 (ReLU6) → project (1×1, linear), with a residual
    connection when ``stride == 1`` and the channels match.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.models.mobilenetv2 import InvertedResidual
    >>> block = InvertedResidual(8, 8, stride=1, expand_ratio=6)
    >>> block(npgrad.randn(1, 8, 5, 5)).shape, block.use_res_connect
    (npgrad.Size([1, 8, 5, 5]), True)
    """

    def __init__(
        self,
        inp: int,
        oup: int,
        stride: int,
        expand_ratio: float,
        norm_layer: Callable[..., nn.Module] | None = None,
    ) -> None:
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"InvertedResidual: stride should be 1 or 2 instead of {stride}")
        norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        hidden_dim = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers: list[nn.Module] = []
        if expand_ratio != 1:
            layers.append(
                Conv2dNormActivation(
                    inp,
                    hidden_dim,
                    kernel_size=1,
                    norm_layer=norm_layer,
                    activation_layer=nn.ReLU6,
                )  # fmt: skip
            )
        layers += [
            Conv2dNormActivation(
                hidden_dim,
                hidden_dim,
                stride=stride,
                groups=hidden_dim,
                norm_layer=norm_layer,
                activation_layer=nn.ReLU6,
            ),  # fmt: skip
            nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
            norm_layer(oup),
        ]
        self.conv = nn.Sequential(*layers)
        self.out_channels = oup

    def forward(self, x: Tensor) -> Tensor:
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


class MobileNetV2(nn.Module):
    """MobileNetV2: a stride-2 stem, seven stages of :class:`InvertedResidual` blocks, a 1×1
    convolution to ``last_channel`` (1280), global average pooling and a dropout + ``Linear``
    classifier; 3,504,872 parameters with the defaults.

    Parameters
    ----------
    num_classes : int, optional
        Outputs.
    width_mult : float, optional
        Multiplies every stage's channels.
    inverted_residual_setting : sequence of (t, c, n, s), optional
        Expansion, channels, repeats and first stride of each stage (the paper's table 2).
    round_nearest : int, optional
        Channels are rounded to multiples of this.
    block : callable, optional
        The block (:class:`InvertedResidual`).
    norm_layer : callable, optional
        Normalisation (``nn.BatchNorm2d``).
    dropout : float, optional
        Dropout before the classifier.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.models import MobileNetV2
    >>> net = MobileNetV2(num_classes=4, width_mult=0.25)
    >>> net.eval()(npgrad.randn(1, 3, 32, 32)).shape
    npgrad.Size([1, 4])
    """

    def __init__(
        self,
        num_classes: int = 1000,
        width_mult: float = 1.0,
        inverted_residual_setting: Sequence[Sequence[int]] | None = None,
        round_nearest: int = 8,
        block: Callable[..., nn.Module] | None = None,
        norm_layer: Callable[..., nn.Module] | None = None,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        block = InvertedResidual if block is None else block
        norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        input_channel, last_channel = 32, 1280
        if inverted_residual_setting is None:
            inverted_residual_setting = [
                [1, 16, 1, 1],
                [6, 24, 2, 2],
                [6, 32, 3, 2],
                [6, 64, 4, 2],
                [6, 96, 3, 1],
                [6, 160, 3, 2],
                [6, 320, 1, 1],
            ]
        if not inverted_residual_setting or any(len(s) != 4 for s in inverted_residual_setting):
            raise ValueError(
                "MobileNetV2: inverted_residual_setting should be a non-empty list of "
                f"4-element lists (t, c, n, s), got {inverted_residual_setting}"
            )
        round_ok = isinstance(round_nearest, numbers.Integral)
        if not round_ok or round_nearest < 1:
            raise ValueError(
                f"MobileNetV2: round_nearest must be a positive int, got {round_nearest!r}"
            )
        input_channel = _make_divisible(input_channel * width_mult, round_nearest)
        self.last_channel = _make_divisible(last_channel * max(1.0, width_mult), round_nearest)
        features: list[nn.Module] = [
            Conv2dNormActivation(
                3, input_channel, stride=2, norm_layer=norm_layer, activation_layer=nn.ReLU6
            )
        ]
        for t, c, n, s in inverted_residual_setting:
            output_channel = _make_divisible(c * width_mult, round_nearest)
            for i in range(n):
                stride = s if i == 0 else 1
                features.append(
                    block(
                        input_channel, output_channel, stride, expand_ratio=t, norm_layer=norm_layer
                    )  # fmt: skip
                )
                input_channel = output_channel
        features.append(
            Conv2dNormActivation(
                input_channel,
                self.last_channel,
                kernel_size=1,
                norm_layer=norm_layer,
                activation_layer=nn.ReLU6,
            )  # fmt: skip
        )
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(self.last_channel, num_classes)
        )
        # torchvision's initialisation
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x: Tensor) -> Tensor:
        x = F.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(x.flatten(1))


def mobilenet_v2(*, weights: None = None, **kwargs: Any) -> MobileNetV2:
    """torchvision's ``mobilenet_v2``: :class:`MobileNetV2` (``kwargs`` go to it); ``weights``
    must be None.

    Examples
    --------
    >>> from npgrad.vision.models import mobilenet_v2
    >>> sum(p.numel() for p in mobilenet_v2().parameters())
    3504872
    """
    no_pretrained("mobilenet_v2", weights, kwargs)
    return MobileNetV2(**kwargs)
