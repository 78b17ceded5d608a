"""LeNet-5 (LeCun et al., 1998) in its common modern form: ReLU and max pooling."""

from __future__ import annotations

from typing import Any

from npgrad import Tensor, nn
from npgrad.nn import functional as F
from npgrad.vision.models._util import check_input, size_pair

__all__ = ["LeNet5"]


class LeNet5(nn.Module):
    """LeNet-5: two 5×5 convolutions (6 and 16 channels, each followed by ReLU and 2×2 max
    pooling) and three linear layers (120, 84, ``num_classes``).

    The first convolution pads by 2, so a 28×28 MNIST image gives the classic 16×5×5 features
    (as a 32×32 input did in the paper). ReLU and max pooling replace the paper's scaled tanh
    and trainable subsampling, as in most modern versions. State-dict names are ``conv1``,
    ``conv2``, ``fc1``, ``fc2``, ``fc3``.

    Parameters
    ----------
    num_classes : int, optional
        Number of outputs.
    in_channels : int, optional
        Channels of the input (1 for grey images).
    input_size : int or (int, int), optional
        Height and width of the input (at least 12); fixes ``fc1``'s input size.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.models import LeNet5
    >>> net = LeNet5()
    >>> net(npgrad.zeros(2, 1, 28, 28)).shape
    npgrad.Size([2, 10])
    >>> net.fc1
    Linear(in_features=400, out_features=120, bias=True)
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1, input_size: Any = 28) -> None:
        super().__init__()
        h, w = size_pair("LeNet5", input_size)
        fh, fw = (h // 2 - 4) // 2, (w // 2 - 4) // 2
        if fh < 1 or fw < 1:
            raise ValueError(f"LeNet5: input_size must be at least 12, got {input_size!r}")
        self.input_size = (h, w)
        self.conv1 = nn.Conv2d(in_channels, 6, kernel_size=5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.fc1 = nn.Linear(16 * fh * fw, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        check_input(self, x, self.conv1.in_channels, self.input_size)
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.flatten(1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)
