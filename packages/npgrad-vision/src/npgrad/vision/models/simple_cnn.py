"""The seed project's convolutional network ("nptorch" README), for any input size."""

from __future__ import annotations

from typing import Any

from npgrad import Tensor, nn
from npgrad.vision.models._util import check_input, size_pair

__all__ = ["SimpleCNN"]


class SimpleCNN(nn.Module):
    """Three 3×3 convolutions (16, 32, 64 channels; padding 1), each followed by 2×2 max
    pooling and ReLU, then ``Linear(64·h·w, 128) → Dropout → ReLU → Linear(128, 64) → ReLU →
    Linear(64, num_classes)``.

    This is the seed README's ``CNN`` layer for layer and name for name (``layer1.0``,
    ``layer1.3``, ``layer1.6`` convolutions; ``layer2.0``, ``layer2.3``, ``layer2.5`` linear
    layers), so its state-dict keys are the same. The seed hard-coded 24×24 inputs
    (``64 * 9`` features after three halvings); here ``h, w = input_size // 8`` (floor, three
    times), so 8×8 digits give ``64 * 1`` features.

    Parameters
    ----------
    in_channels : int, optional
        Channels of the input.
    num_classes : int, optional
        Number of outputs (or the embedding size, as a Siamese backbone).
    input_size : int or (int, int), optional
        Height and width of the input (at least 8).
    dropout : float, optional
        Dropout probability after the first linear layer (the seed's 0.5).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.models import SimpleCNN
    >>> net = SimpleCNN(in_channels=1, num_classes=10, input_size=24)
    >>> net(npgrad.zeros(4, 1, 24, 24)).shape
    npgrad.Size([4, 10])
    >>> net.layer2[0]
    Linear(in_features=576, out_features=128, bias=True)
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        input_size: Any = 24,
        dropout: float = 0.5,
    ) -> None:
        super().__init__()
        h, w = size_pair("SimpleCNN", input_size)
        if h < 8 or w < 8:
            raise ValueError(
                f"SimpleCNN: input_size must be at least 8 (three 2x2 poolings), got {input_size!r}"
            )
        self.input_size = (h, w)
        self.layer1 = nn.Sequential(
            nn.Conv2d(in_channels, 16, 3, padding=1),
            nn.MaxPool2d(2),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.MaxPool2d(2),
            nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1),
            nn.MaxPool2d(2),
            nn.ReLU(),
        )
        self.layer2 = nn.Sequential(
            nn.Linear(64 * (h // 8) * (w // 8), 128),
            nn.Dropout(dropout),
            nn.ReLU(),
            nn.Linear(128, 64),
            nn.ReLU(),
            nn.Linear(64, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        check_input(self, x, self.layer1[0].in_channels, self.input_size)
        x = self.layer1(x)
        x = x.reshape(x.shape[0], -1)
        return self.layer2(x)
