"""Computer vision for npgrad, with torchvision's API where torchvision has one.

* :mod:`npgrad.vision.datasets`: ``ImageFolder``/``DatasetFolder``, the bundled ``Digits``,
  ``MNIST``/``FashionMNIST`` (verified downloads from mirrors), ``LFWPeople``/``LFWPairs``;
* :mod:`npgrad.vision.siamese`: pair and triplet datasets, ``ContrastiveLoss``,
  ``SiameseNetwork`` and face-verification metrics (ROC, AUC, the LFW 10-fold protocol);
* :mod:`npgrad.vision.models`: ``LeNet5``, ``SimpleCNN``, ``ResNet`` (torch-compatible names);
* :mod:`npgrad.vision.ops`: box IoUs, NMS, ``roi_align``/``roi_pool``, detection losses and
  model building blocks (torchvision's ``ops``);
* :mod:`npgrad.vision.utils`: ``make_grid``, ``save_image`` and PNG plots with Pillow;
* :mod:`npgrad.vision.io`: ``read_image``/``decode_image``, ``encode_png``/``write_jpeg``...:
  image files as ``uint8`` tensors (torchvision's ``io``).

Ships in the ``npgrad-vision`` distribution; ``import npgrad`` comes from ``npgrad-core``.

Examples
--------
>>> from npgrad.vision import datasets, siamese
>>> pairs = siamese.PairDataset(datasets.Digits(train=False), seed=0)
>>> x1, x2, same = pairs[0]
>>> x1.shape
npgrad.Size([1, 8, 8])
"""

from npgrad.vision import datasets, io, models, ops, siamese, utils

__all__ = ["datasets", "io", "models", "ops", "siamese", "utils"]
