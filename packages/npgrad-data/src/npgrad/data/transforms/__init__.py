"""Image transforms with torchvision's API, on PIL images and ``(..., C, H, W)`` tensors.

Classes are in :mod:`~npgrad.data.transforms.transforms` (the deterministic ones),
:mod:`~npgrad.data.transforms.random_transforms` (random containers and geometry) and
:mod:`~npgrad.data.transforms.random_appearance` (random colour and erasing),
:mod:`~npgrad.data.transforms.random_geometry` (affine, perspective, elastic, five/ten crops) and
:mod:`~npgrad.data.transforms.random_photometric` (blur, invert, posterize, solarize, sharpness,
autocontrast, equalize, linear transformation) and :mod:`~npgrad.data.transforms.autoaugment`
(AutoAugment, RandAugment, TrivialAugmentWide, AugMix); the functions they call are in
:mod:`~npgrad.data.transforms.functional`. nptorch's names ``GrayScale`` and
``RandomMask`` are kept as aliases of ``Grayscale`` and ``RandomErasing``; ``Reshape`` is
nptorch's own.

Examples
--------
>>> from PIL import Image
>>> import npgrad
>>> from npgrad.data import transforms as T
>>> augment = T.Compose([
...     T.RandomResizedCrop(16, generator=npgrad.random.Generator().manual_seed(0)),
...     T.RandomHorizontalFlip(),
...     T.ToTensor(),
...     T.Normalize(mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5]),
... ])
>>> augment(Image.new("RGB", (40, 30), (255, 128, 0))).shape
npgrad.Size([3, 16, 16])
"""

from npgrad.data.transforms import functional
from npgrad.data.transforms.autoaugment import (
    AugMix,
    AutoAugment,
    AutoAugmentPolicy,
    RandAugment,
    TrivialAugmentWide,
)
from npgrad.data.transforms.functional import InterpolationMode
from npgrad.data.transforms.random_appearance import (
    ColorJitter,
    RandomErasing,
    RandomGrayscale,
    RandomMask,
)
from npgrad.data.transforms.random_geometry import (
    ElasticTransform,
    FiveCrop,
    RandomAffine,
    RandomPerspective,
    TenCrop,
)
from npgrad.data.transforms.random_photometric import (
    GaussianBlur,
    LinearTransformation,
    RandomAdjustSharpness,
    RandomAutocontrast,
    RandomEqualize,
    RandomInvert,
    RandomPosterize,
    RandomSolarize,
)
from npgrad.data.transforms.random_transforms import (
    RandomApply,
    RandomChoice,
    RandomCrop,
    RandomHorizontalFlip,
    RandomOrder,
    RandomResizedCrop,
    RandomRotation,
    RandomTransform,
    RandomVerticalFlip,
)
from npgrad.data.transforms.transforms import (
    CenterCrop,
    Compose,
    ConvertImageDtype,
    GrayScale,
    Grayscale,
    Lambda,
    Normalize,
    Pad,
    PILToTensor,
    Reshape,
    Resize,
    ToPILImage,
    ToTensor,
    Transform,
)

__all__ = [
    "AugMix",
    "AutoAugment",
    "AutoAugmentPolicy",
    "CenterCrop",
    "ColorJitter",
    "Compose",
    "ElasticTransform",
    "ConvertImageDtype",
    "FiveCrop",
    "GaussianBlur",
    "GrayScale",
    "Grayscale",
    "InterpolationMode",
    "Lambda",
    "LinearTransformation",
    "Normalize",
    "PILToTensor",
    "Pad",
    "RandAugment",
    "RandomAdjustSharpness",
    "RandomAffine",
    "RandomApply",
    "RandomAutocontrast",
    "RandomChoice",
    "RandomCrop",
    "RandomEqualize",
    "RandomErasing",
    "RandomGrayscale",
    "RandomHorizontalFlip",
    "RandomInvert",
    "RandomMask",
    "RandomOrder",
    "RandomPerspective",
    "RandomPosterize",
    "RandomResizedCrop",
    "RandomRotation",
    "RandomSolarize",
    "RandomTransform",
    "RandomVerticalFlip",
    "Reshape",
    "Resize",
    "TenCrop",
    "ToPILImage",
    "ToTensor",
    "Transform",
    "TrivialAugmentWide",
    "functional",
]
