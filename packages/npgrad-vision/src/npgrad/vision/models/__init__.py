"""Small image models with torch-compatible ``state_dict`` names.

* :class:`LeNet5` (``conv1, conv2, fc1, fc2, fc3``);
* :class:`SimpleCNN`, the seed project's CNN (``layer1.*`` convolutions, ``layer2.*`` classifier)
  for any input size;
* :class:`ResNet` with :class:`BasicBlock` (torchvision's names ``conv1, bn1, layer1.0.conv1,
  …, fc``), :func:`resnet8` (CIFAR-style, 3 stages) and :func:`resnet18` (widths
  configurable); ``resnet18()`` loads a torchvision ``resnet18`` state dict unchanged.

Examples
--------
>>> import npgrad
>>> from npgrad.vision.models import SimpleCNN
>>> SimpleCNN(input_size=8)(npgrad.zeros(2, 1, 8, 8)).shape
(2, 10)
"""

from npgrad.vision.models.lenet import LeNet5
from npgrad.vision.models.resnet import BasicBlock, ResNet, resnet8, resnet18
from npgrad.vision.models.simple_cnn import SimpleCNN

__all__ = ["BasicBlock", "LeNet5", "ResNet", "SimpleCNN", "resnet8", "resnet18"]
