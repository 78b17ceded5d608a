"""Small image models with torch-compatible ``state_dict`` names.

* :class:`LeNet5` (``conv1, conv2, fc1, fc2, fc3``);
* :class:`SimpleCNN`, the seed project's CNN (``layer1.*`` convolutions, ``layer2.*`` classifier)
  for any input size;
* :class:`ResNet` with :class:`BasicBlock` (torchvision's names ``conv1, bn1, layer1.0.conv1,
  …, fc``) and :class:`Bottleneck`: :func:`resnet8` (CIFAR-style, 3 stages), :func:`resnet18`,
  :func:`resnet34`, :func:`resnet50`, :func:`resnet101`, :func:`resnet152` (widths
  configurable); with the defaults they load torchvision state dicts unchanged;
* :class:`VGG` (:func:`vgg11` … :func:`vgg19_bn`), :class:`AlexNet` (:func:`alexnet`) and
  :class:`MobileNetV2` (:func:`mobilenet_v2`) with torchvision's names.

No builder downloads pretrained weights: ``weights`` must be None.

Examples
--------
>>> import npgrad
>>> from npgrad.vision.models import SimpleCNN
>>> SimpleCNN(input_size=8)(npgrad.zeros(2, 1, 8, 8)).shape
npgrad.Size([2, 10])
"""

from npgrad.vision.models.alexnet import AlexNet, alexnet
from npgrad.vision.models.lenet import LeNet5
from npgrad.vision.models.mobilenetv2 import InvertedResidual, MobileNetV2, mobilenet_v2
from npgrad.vision.models.resnet import (
    BasicBlock,
    Bottleneck,
    ResNet,
    resnet8,
    resnet18,
    resnet34,
    resnet50,
    resnet101,
    resnet152,
)
from npgrad.vision.models.simple_cnn import SimpleCNN
from npgrad.vision.models.vgg import (
    VGG,
    vgg11,
    vgg11_bn,
    vgg13,
    vgg13_bn,
    vgg16,
    vgg16_bn,
    vgg19,
    vgg19_bn,
)

__all__ = [
    "VGG",
    "AlexNet",
    "BasicBlock",
    "Bottleneck",
    "InvertedResidual",
    "LeNet5",
    "MobileNetV2",
    "ResNet",
    "SimpleCNN",
    "alexnet",
    "mobilenet_v2",
    "resnet8",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "vgg11",
    "vgg11_bn",
    "vgg13",
    "vgg13_bn",
    "vgg16",
    "vgg16_bn",
    "vgg19",
    "vgg19_bn",
]
