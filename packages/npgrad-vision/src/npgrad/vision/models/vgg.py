"""VGG (Simonyan & Zisserman, 2015) with torchvision's module names (``features.N``,
``classifier.N``), so a torchvision VGG ``state_dict`` loads unchanged. No pretrained weights
are downloaded (``weights`` must be None)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from npgrad import Tensor, nn
from npgrad.vision.models._weights import no_pretrained

__all__ = [
    "VGG",
    "make_layers",
    "vgg11",
    "vgg11_bn",
    "vgg13",
    "vgg13_bn",
    "vgg16",
    "vgg16_bn",
    "vgg19",
    "vgg19_bn",
]

# the configurations A, B, D and E of the paper: channels of each 3×3 convolution, "M" = max pool
CFGS: dict[str, list[int | str]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [
        64,
        64,
        "M",
        128,
        128,
        "M",
        256,
        256,
        256,
        256,
        "M",
        512,
        512,
        512,
        512,
        "M",
        512,
        512,
        512,
        512,
        "M",
    ],  # fmt: skip
}


def make_layers(cfg: Sequence[int | str], batch_norm: bool = False) -> nn.Sequential:
    """The convolutional part of a VGG: for each entry a 3×3 convolution (+ BatchNorm) + ReLU,
    or a 2×2 max pooling for ``"M"``.

    Examples
    --------
    >>> from npgrad.vision.models.vgg import make_layers
    >>> make_layers([8, "M"], batch_norm=True)
    Sequential(
      (0): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
      (1): BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
      (2): ReLU(inplace=True)
      (3): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    )
    """
    layers: list[nn.Module] = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        if not isinstance(v, int) or v < 1:
            raise ValueError(f"make_layers: entries must be positive ints or 'M', got {v!r}")
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        in_channels = v
    return nn.Sequential(*layers)


class VGG(nn.Module):
    """``features`` (from :func:`make_layers`), 7 × 7 adaptive average pooling, and a
    ``classifier`` of three ``Linear`` layers (4096, 4096, ``num_classes``) with ReLU and
    dropout.

    Parameters
    ----------
    features : nn.Module
        The convolutional part; it must output 512 channels.
    num_classes : int, optional
        Outputs.
    init_weights : bool, optional
        torchvision's initialisation (He-normal convolutions, ``N(0, 0.01)`` linear layers,
        zero biases); otherwise the layers' defaults.
    dropout : float, optional
        Dropout probability of the classifier.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.models import VGG
    >>> from npgrad.vision.models.vgg import make_layers
    >>> net = VGG(make_layers([8, "M", 512, "M"]), num_classes=3)
    >>> net.eval()(npgrad.randn(1, 3, 14, 14)).shape
    npgrad.Size([1, 3])
    """

    def __init__(
        self,
        features: nn.Module,
        num_classes: int = 1000,
        init_weights: bool = True,
        dropout: float = 0.5,
    ) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x: Tensor) -> Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))


def _vgg(name: str, cfg: str, batch_norm: bool, weights: Any, kwargs: dict[str, Any]) -> VGG:
    no_pretrained(name, weights, kwargs)
    return VGG(make_layers(CFGS[cfg], batch_norm=batch_norm), **kwargs)


def vgg11(*, weights: None = None, **kwargs: Any) -> VGG:
    """VGG-11 (configuration A; 132,863,336 parameters). ``kwargs`` go to :class:`VGG`.

    Examples
    --------
    >>> from npgrad.vision.models import vgg11
    >>> vgg11(weights="IMAGENET1K_V1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: vgg11: weights='IMAGENET1K_V1' is not supported: ...
    """
    return _vgg("vgg11", "A", False, weights, kwargs)


def vgg11_bn(*, weights: None = None, **kwargs: Any) -> VGG:
    """VGG-11 with BatchNorm (132,868,840 parameters)."""
    return _vgg("vgg11_bn", "A", True, weights, kwargs)


def vgg13(*, weights: None = None, **kwargs: Any) -> VGG:
    """VGG-13 (configuration B; 133,047,848 parameters)."""
    return _vgg("vgg13", "B", False, weights, kwargs)


def vgg13_bn(*, weights: None = None, **kwargs: Any) -> VGG:
    """VGG-13 with BatchNorm (133,053,736 parameters)."""
    return _vgg("vgg13_bn", "B", True, weights, kwargs)


def vgg16(*, weights: None = None, **kwargs: Any) -> VGG:
    """VGG-16 (configuration D; 138,357,544 parameters)."""
    return _vgg("vgg16", "D", False, weights, kwargs)


def vgg16_bn(*, weights: None = None, **kwargs: Any) -> VGG:
    """VGG-16 with BatchNorm (138,365,992 parameters)."""
    return _vgg("vgg16_bn", "D", True, weights, kwargs)


def vgg19(*, weights: None = None, **kwargs: Any) -> VGG:
    """VGG-19 (configuration E; 143,667,240 parameters)."""
    return _vgg("vgg19", "E", False, weights, kwargs)


def vgg19_bn(*, weights: None = None, **kwargs: Any) -> VGG:
    """VGG-19 with BatchNorm (143,678,248 parameters)."""
    return _vgg("vgg19_bn", "E", True, weights, kwargs)
