"""AlexNet (Krizhevsky et al., 2012, in torchvision's single-tower variant) with torchvision's
module names. No pretrained weights are downloaded (``weights`` must be None)."""

from __future__ import annotations

from typing import Any

from npgrad import Tensor, nn
from npgrad.vision.models._weights import no_pretrained

__all__ = ["AlexNet", "alexnet"]


class AlexNet(nn.Module):
    """Five convolutions (``features``), 6 × 6 adaptive average pooling and three ``Linear``
    layers (``classifier``); 61,100,840 parameters with 1000 classes.

    Parameters
    ----------
    num_classes : int, optional
        Outputs.
    dropout : float, optional
        Dropout probability of the classifier.

    Examples
    --------
    >>> from npgrad.vision.models import AlexNet
    >>> [type(m).__name__ for m in AlexNet(num_classes=10).classifier][:3]
    ['Dropout', 'Linear', 'ReLU']
    """

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))


def alexnet(*, weights: None = None, **kwargs: Any) -> AlexNet:
    """torchvision's ``alexnet``: :class:`AlexNet` (``kwargs`` go to it); ``weights`` must be
    None.

    Examples
    --------
    >>> from npgrad.vision.models import alexnet
    >>> alexnet(weights="IMAGENET1K_V1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: alexnet: weights='IMAGENET1K_V1' is not supported: ...
    """
    no_pretrained("alexnet", weights, kwargs)
    return AlexNet(**kwargs)
