"""Image datasets with torchvision's API.

* :class:`DatasetFolder`, :class:`ImageFolder`: one sub-directory per class;
* :class:`Digits`: the UCI handwritten digits, shipped in the package (works offline);
* :class:`MNIST`, :class:`FashionMNIST`, :class:`KMNIST`, :class:`EMNIST`, :class:`QMNIST`: IDX
  files, optional verified download from mirrors;
* :class:`LFWPeople`, :class:`LFWPairs`: a local Labeled Faces in the Wild tree;
* :class:`CIFAR10`, :class:`CIFAR100`: the python-pickle batches, MD5-checked, optional
  verified download and safe extraction;
* :class:`FakeData`: deterministic random images for testing pipelines.

Examples
--------
>>> from npgrad.data import DataLoader
>>> from npgrad.vision.datasets import Digits
>>> images, labels = next(iter(DataLoader(Digits(), batch_size=32)))
>>> images.shape, labels.shape
(npgrad.Size([32, 1, 8, 8]), npgrad.Size([32]))
"""

from npgrad.vision.datasets import utils
from npgrad.vision.datasets.cifar import CIFAR10, CIFAR100
from npgrad.vision.datasets.digits import Digits, load_digits
from npgrad.vision.datasets.fakedata import FakeData
from npgrad.vision.datasets.folder import (
    IMG_EXTENSIONS,
    DatasetFolder,
    ImageFolder,
    default_loader,
    find_classes,
    has_file_allowed_extension,
    is_image_file,
    make_dataset,
    pil_loader,
)
from npgrad.vision.datasets.lfw import LFWPairs, LFWPeople
from npgrad.vision.datasets.mnist import EMNIST, KMNIST, MNIST, QMNIST, FashionMNIST
from npgrad.vision.datasets.vision import StandardTransform, VisionDataset

__all__ = [
    "CIFAR10",
    "CIFAR100",
    "EMNIST",
    "IMG_EXTENSIONS",
    "KMNIST",
    "MNIST",
    "QMNIST",
    "DatasetFolder",
    "Digits",
    "FakeData",
    "FashionMNIST",
    "ImageFolder",
    "LFWPairs",
    "LFWPeople",
    "StandardTransform",
    "VisionDataset",
    "default_loader",
    "find_classes",
    "has_file_allowed_extension",
    "is_image_file",
    "load_digits",
    "make_dataset",
    "pil_loader",
    "utils",
]
