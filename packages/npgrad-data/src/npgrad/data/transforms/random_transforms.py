"""Random image transforms (torchvision's), each drawing from an optional ``generator``:
the containers and the geometric ones. Those that change pixel values (``ColorJitter``,
``RandomGrayscale``, ``RandomErasing``) are in :mod:`~npgrad.data.transforms.random_appearance`.

torchvision's random transforms draw from torch's global generator. Here each takes a
keyword-only ``generator`` (an :class:`npgrad.random.Generator` or a
:class:`numpy.random.Generator`); without one they draw from npgrad's default generator, which
``npgrad.manual_seed`` seeds and which every DataLoader worker re-seeds with its own seed, so
augmentations are reproducible and differ between workers. ``get_params`` takes the same
``generator`` keyword.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from npgrad.data._random import RandomSource, check_generator
from npgrad.data.transforms import functional as F
from npgrad.data.transforms.functional import InterpolationMode
from npgrad.data.transforms.transforms import Transform, setup_size
from npgrad.tensor import Tensor

__all__ = [
    "RandomApply",
    "RandomChoice",
    "RandomCrop",
    "RandomHorizontalFlip",
    "RandomOrder",
    "RandomResizedCrop",
    "RandomRotation",
    "RandomTransform",
    "RandomVerticalFlip",
]

_SIZE_MSG = "Please provide only two dimensions (h, w) for size."


class RandomTransform(Transform):
    """Base class of the random transforms: ``self.generator`` is where draws come from."""

    generator: Any

    def _source(self) -> RandomSource:
        return RandomSource(self.generator)


class RandomApply(RandomTransform):
    """Apply a list of transforms, all or none, with probability ``p``.

    Examples
    --------
    >>> from npgrad.data.transforms import RandomApply
    >>> RandomApply([lambda x: x + 1], p=1.0)(1), RandomApply([lambda x: x + 1], p=0.0)(1)
    (2, 1)
    """

    def __init__(
        self, transforms: Sequence[Callable[[Any], Any]], p: float = 0.5, *, generator: Any = None
    ) -> None:
        self.transforms = list(transforms)
        self.p = p
        self.generator = check_generator(generator, "RandomApply")

    def forward(self, img: Any) -> Any:
        if self.p < self._source().random():
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        lines = "".join(f"\n    {t}" for t in self.transforms)
        return f"{type(self).__name__}(\n    p={self.p}{lines}\n)"


class RandomChoice(RandomTransform):
    """Apply one transform picked at random (with weights ``p`` when given).

    Examples
    --------
    >>> from npgrad.data.transforms import RandomChoice
    >>> RandomChoice([lambda x: x + 1, lambda x: x * 10], p=[0.0, 1.0])(2)
    20
    """

    def __init__(
        self,
        transforms: Sequence[Callable[[Any], Any]],
        p: Sequence[float] | None = None,
        *,
        generator: Any = None,
    ) -> None:
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence of callables")
        if p is not None and not isinstance(p, Sequence):
            raise TypeError("Argument p should be a sequence")
        if p is not None and len(p) != len(transforms):
            raise ValueError(
                f"Length of p doesn't match the number of transforms: {len(p)} != {len(transforms)}"
            )
        self.transforms = list(transforms)
        self.p = p
        self.generator = check_generator(generator, "RandomChoice")

    def forward(self, img: Any) -> Any:
        n = len(self.transforms)
        if n == 0:
            raise IndexError("RandomChoice: cannot choose from an empty list of transforms")
        if self.p is None:
            k = self._source().randint(0, n)
        else:
            # random.choices' rule: the first index whose cumulative weight exceeds u * total
            total = float(sum(self.p))
            u = self._source().random() * total
            acc, k = 0.0, n - 1
            for i, w in enumerate(self.p):
                acc += w
                if u < acc:
                    k = i
                    break
        return self.transforms[k](img)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(transforms={self.transforms}, p={self.p})"


class RandomOrder(RandomTransform):
    """Apply the transforms in a random order.

    Examples
    --------
    >>> from npgrad.data.transforms import RandomOrder
    >>> RandomOrder([lambda x: x + 1, lambda x: x + 2])(0)
    3
    """

    def __init__(
        self, transforms: Sequence[Callable[[Any], Any]], *, generator: Any = None
    ) -> None:
        self.transforms = list(transforms)
        self.generator = check_generator(generator, "RandomOrder")

    def forward(self, img: Any) -> Any:
        for i in self._source().randperm(len(self.transforms)).tolist():
            img = self.transforms[i](img)
        return img


class RandomCrop(RandomTransform):
    """Crop a random ``size`` window, after optional padding.

    Parameters
    ----------
    size : int or (h, w)
    padding : int or sequence, optional
        Padded on first (see :class:`Pad`).
    pad_if_needed : bool, default False
        Pad an image smaller than ``size`` (by the shortfall on each side, as torchvision).
    fill, padding_mode
        As for :class:`Pad`.
    generator : npgrad.random.Generator or numpy.random.Generator, optional

    Examples
    --------
    >>> from PIL import Image
    >>> from npgrad.data.transforms import RandomCrop
    >>> RandomCrop(32, padding=4)(Image.new("RGB", (32, 32))).size
    (32, 32)
    """

    def __init__(
        self,
        size: int | Sequence[int],
        padding: int | Sequence[int] | None = None,
        pad_if_needed: bool = False,
        fill: Any = 0,
        padding_mode: str = "constant",
        *,
        generator: Any = None,
    ) -> None:
        self.size = setup_size(size, _SIZE_MSG)
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill, self.padding_mode = fill, padding_mode
        self.generator = check_generator(generator, "RandomCrop")

    @staticmethod
    def get_params(
        img: Any, output_size: tuple[int, int], *, generator: Any = None
    ) -> tuple[int, int, int, int]:
        """``(top, left, height, width)`` of a random crop of ``output_size``."""
        _, h, w = F.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(
                f"Required crop size {(th, tw)} is larger than input image size {(h, w)}"
            )
        if w == tw and h == th:
            return 0, 0, h, w
        src = RandomSource(generator)
        i = src.randint(0, h - th + 1)
        j = src.randint(0, w - tw + 1)
        return i, j, th, tw

    def forward(self, img: Any) -> Any:
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = F.get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size, generator=self.generator)
        return F.crop(img, i, j, h, w)

    def extra_repr(self) -> str:
        return f"size={self.size}, padding={self.padding}"


class RandomHorizontalFlip(RandomTransform):
    """Mirror left to right with probability ``p``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data.transforms import RandomHorizontalFlip
    >>> RandomHorizontalFlip(p=1.0)(npgrad.tensor([[1, 2]]))
    tensor([[2, 1]])
    """

    def __init__(self, p: float = 0.5, *, generator: Any = None) -> None:
        self.p = p
        self.generator = check_generator(generator, type(self).__name__)

    def forward(self, img: Any) -> Any:
        return F.hflip(img) if self._source().random() < self.p else img

    def extra_repr(self) -> str:
        return f"p={self.p}"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror top to bottom with probability ``p``."""

    def forward(self, img: Any) -> Any:
        return F.vflip(img) if self._source().random() < self.p else img


class RandomResizedCrop(RandomTransform):
    """Crop a random window of random area and aspect ratio, then resize it to ``size``.

    Parameters
    ----------
    size : int or (h, w)
    scale : (min, max), default (0.08, 1.0)
        Range of the crop's area as a fraction of the image's.
    ratio : (min, max), default (3/4, 4/3)
        Range of the aspect ratio (width / height), drawn log-uniformly.
    interpolation, antialias
        As for :class:`Resize`.
    generator : npgrad.random.Generator or numpy.random.Generator, optional

    Examples
    --------
    >>> from PIL import Image
    >>> from npgrad.data.transforms import RandomResizedCrop
    >>> RandomResizedCrop(24)(Image.new("RGB", (100, 80))).size
    (24, 24)
    """

    def __init__(
        self,
        size: int | Sequence[int],
        scale: tuple[float, float] = (0.08, 1.0),
        ratio: tuple[float, float] = (3.0 / 4.0, 4.0 / 3.0),
        interpolation: Any = InterpolationMode.BILINEAR,
        antialias: bool | None = True,
        *,
        generator: Any = None,
    ) -> None:
        self.size = setup_size(size, _SIZE_MSG)
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("Scale and ratio should be of kind (min, max)", stacklevel=2)
        if not (scale[0] >= 0 and scale[1] >= 0):
            raise ValueError(f"RandomResizedCrop: scale values must be non-negative, got {scale!r}")
        if not (ratio[0] > 0 and ratio[1] > 0):
            raise ValueError(f"RandomResizedCrop: ratio values must be positive, got {ratio!r}")
        self.interpolation = F.interpolation_mode(interpolation)
        self.antialias = antialias
        self.scale, self.ratio = scale, ratio
        self.generator = check_generator(generator, "RandomResizedCrop")

    @staticmethod
    def get_params(
        img: Any, scale: Sequence[float], ratio: Sequence[float], *, generator: Any = None
    ) -> tuple[int, int, int, int]:
        """``(top, left, height, width)``: up to 10 tries, then a central crop."""
        _, height, width = F.get_dimensions(img)
        area = height * width
        src = RandomSource(generator)
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            target_area = area * src.uniform(scale[0], scale[1])
            aspect = math.exp(src.uniform(log_ratio[0], log_ratio[1]))
            w = int(round(math.sqrt(target_area * aspect)))
            h = int(round(math.sqrt(target_area / aspect)))
            if 0 < w <= width and 0 < h <= height:
                i = src.randint(0, height - h + 1)
                j = src.randint(0, width - w + 1)
                return i, j, h, w
        in_ratio = float(width) / float(height)
        if in_ratio < min(ratio):
            w = width
            h = int(round(w / min(ratio)))
        elif in_ratio > max(ratio):
            h = height
            w = int(round(h * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def forward(self, img: Any) -> Any:
        i, j, h, w = self.get_params(img, self.scale, self.ratio, generator=self.generator)
        return F.resized_crop(img, i, j, h, w, self.size, self.interpolation, self.antialias)

    def extra_repr(self) -> str:
        return (
            f"size={self.size}, scale={tuple(round(s, 4) for s in self.scale)}, "
            f"ratio={tuple(round(r, 4) for r in self.ratio)}, "
            f"interpolation={self.interpolation.value}, antialias={self.antialias}"
        )


def _sequence(x: Any, name: str, sizes: tuple[int, ...] = (2,)) -> None:
    msg = " or ".join(str(s) for s in sizes)
    if not isinstance(x, Sequence):
        raise TypeError(f"{name} should be a sequence of length {msg}.")
    if len(x) not in sizes:
        raise ValueError(f"{name} should be a sequence of length {msg}.")


class RandomRotation(RandomTransform):
    """Rotate by an angle drawn uniformly from ``degrees``.

    Parameters
    ----------
    degrees : number or (min, max)
        A number ``d`` means ``(-d, d)``.
    interpolation : InterpolationMode, default NEAREST
    expand : bool, default False
        Grow the output to hold the whole rotated image.
    center : (x, y), optional
        Centre of rotation in pixels (default: the image centre).
    fill : number or sequence, default 0
        Value of the pixels outside the rotated image.
    generator : npgrad.random.Generator or numpy.random.Generator, optional

    Examples
    --------
    >>> from PIL import Image
    >>> from npgrad.data.transforms import RandomRotation
    >>> RandomRotation((90, 90), expand=True)(Image.new("L", (4, 2))).size
    (2, 4)
    """

    def __init__(
        self,
        degrees: float | Sequence[float],
        interpolation: Any = InterpolationMode.NEAREST,
        expand: bool = False,
        center: Sequence[float] | None = None,
        fill: Any = 0,
        *,
        generator: Any = None,
    ) -> None:
        if isinstance(degrees, (int, float)):
            if degrees < 0:
                raise ValueError("If degrees is a single number, it must be positive.")
            self.degrees = [-float(degrees), float(degrees)]
        else:
            _sequence(degrees, "degrees")
            self.degrees = [float(d) for d in degrees]
        if center is not None:
            _sequence(center, "center")
        if fill is None:
            fill = 0
        elif isinstance(fill, str) or not isinstance(fill, (Sequence, numbers.Number)):
            raise TypeError("Fill should be either a sequence or a number.")
        self.interpolation = F.interpolation_mode(interpolation)
        self.expand, self.center, self.fill = expand, center, fill
        self.generator = check_generator(generator, "RandomRotation")

    @staticmethod
    def get_params(degrees: Sequence[float], *, generator: Any = None) -> float:
        """An angle drawn uniformly from ``[degrees[0], degrees[1])``."""
        return RandomSource(generator).uniform(float(degrees[0]), float(degrees[1]))

    def forward(self, img: Any) -> Any:
        fill = self.fill
        if isinstance(img, Tensor):
            channels = F.get_image_num_channels(img)
            fill = (
                [float(fill)] * channels
                if isinstance(fill, (int, float))
                else [float(f) for f in fill]
            )
        angle = self.get_params(self.degrees, generator=self.generator)
        return F.rotate(img, angle, self.interpolation, self.expand, self.center, fill)

    def extra_repr(self) -> str:
        s = f"degrees={self.degrees}, interpolation={self.interpolation.value}, expand={self.expand}"
        if self.center is not None:
            s += f", center={self.center}"
        return s + f", fill={self.fill}"
