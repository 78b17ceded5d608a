"""Image datasets with torchvision's API.

* :class:`DatasetFolder`, :class:`ImageFolder`: one sub-directory per class;
* :class:`Digits`: the UCI handwritten digits, shipped in the package (works offline);
* :class:`MNIST`, :class:`FashionMNIST`: IDX files, optional verified download from mirrors;
* :class:`LFWPeople`, :class:`LFWPairs`: a local Labeled Faces in the Wild tree.

Examples
--------
>>> from npgrad.data import DataLoader
>>> from npgrad.vision.datasets import Digits
>>> images, labels = next(iter(DataLoader(Digits(), batch_size=32)))
>>> images.shape, labels.shape
((32, 1, 8, 8), (32,))
"""

from npgrad.vision.datasets import utils
from npgrad.vision.datasets.digits import Digits, load_digits
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
from npgrad.vision.datasets.mnist import MNIST, FashionMNIST
from npgrad.vision.datasets.vision import StandardTransform, VisionDataset

__all__ = [
    "IMG_EXTENSIONS",
    "MNIST",
    "DatasetFolder",
    "Digits",
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
