"""Random image transforms (torchvision's), each drawing from an optional ``generator``.

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

import numpy as np

from npgrad.data._random import RandomSource, check_generator
from npgrad.data.transforms import functional as F
from npgrad.data.transforms.functional import InterpolationMode
from npgrad.data.transforms.transforms import Transform, setup_size
from npgrad.tensor import Tensor

__all__ = [
    "ColorJitter",
    "RandomApply",
    "RandomChoice",
    "RandomCrop",
    "RandomErasing",
    "RandomGrayscale",
    "RandomHorizontalFlip",
    "RandomMask",
    "RandomOrder",
    "RandomResizedCrop",
    "RandomRotation",
    "RandomVerticalFlip",
]

_SIZE_MSG = "Please provide only two dimensions (h, w) for size."


class _Random(Transform):
    generator: Any

    def _source(self) -> RandomSource:
        return RandomSource(self.generator)


def _probability(p: float, name: str = "p") -> float:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} should be a probability in [0, 1], got {p}")
    return float(p)


class RandomApply(_Random):
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


class RandomChoice(_Random):
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


class RandomOrder(_Random):
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


class RandomCrop(_Random):
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


class RandomHorizontalFlip(_Random):
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


class RandomResizedCrop(_Random):
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


class RandomRotation(_Random):
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
        if isinstance(degrees, numbers.Number):
            if degrees < 0:  # type: ignore[operator]
                raise ValueError("If degrees is a single number, it must be positive.")
            degrees = [-degrees, degrees]  # type: ignore[operator]
        else:
            _sequence(degrees, "degrees")
        self.degrees = [float(d) for d in degrees]  # type: ignore[union-attr]
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


def _jitter_range(
    value: Any,
    name: str,
    center: float = 1.0,
    bound: tuple[float, float] = (0.0, math.inf),
    clip_first_on_zero: bool = True,
) -> tuple[float, float] | None:
    if isinstance(value, numbers.Number):
        if value < 0:  # type: ignore[operator]
            raise ValueError(f"If {name} is a single number, it must be non negative.")
        lo, hi = center - float(value), center + float(value)  # type: ignore[arg-type]
        if clip_first_on_zero:
            lo = max(lo, 0.0)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        lo, hi = float(value[0]), float(value[1])
    else:
        raise TypeError(f"{name} should be a single number or a list/tuple with length 2.")
    if not bound[0] <= lo <= hi <= bound[1]:
        raise ValueError(f"{name} values should be between {bound}, but got {[lo, hi]}.")
    if lo == hi == center:
        return None  # no jitter
    return lo, hi


class ColorJitter(_Random):
    """Randomly change brightness, contrast, saturation and hue, in a random order.

    Parameters
    ----------
    brightness, contrast, saturation : float or (min, max), default 0
        A number ``b`` draws the factor from ``[max(0, 1 - b), 1 + b]``.
    hue : float or (min, max), default 0
        A number ``h`` in ``[0, 0.5]`` draws the shift from ``[-h, h]``.
    generator : npgrad.random.Generator or numpy.random.Generator, optional

    Examples
    --------
    >>> from PIL import Image
    >>> from npgrad.data.transforms import ColorJitter
    >>> ColorJitter(brightness=0.5, hue=0.1)(Image.new("RGB", (4, 4), (100, 50, 20))).size
    (4, 4)
    >>> ColorJitter(brightness=0.5)
    ColorJitter(brightness=(0.5, 1.5), contrast=None, saturation=None, hue=None)
    """

    def __init__(
        self,
        brightness: float | Sequence[float] = 0,
        contrast: float | Sequence[float] = 0,
        saturation: float | Sequence[float] = 0,
        hue: float | Sequence[float] = 0,
        *,
        generator: Any = None,
    ) -> None:
        self.brightness = _jitter_range(brightness, "brightness")
        self.contrast = _jitter_range(contrast, "contrast")
        self.saturation = _jitter_range(saturation, "saturation")
        self.hue = _jitter_range(hue, "hue", 0.0, (-0.5, 0.5), clip_first_on_zero=False)
        self.generator = check_generator(generator, "ColorJitter")

    @staticmethod
    def get_params(
        brightness: tuple[float, float] | None,
        contrast: tuple[float, float] | None,
        saturation: tuple[float, float] | None,
        hue: tuple[float, float] | None,
        *,
        generator: Any = None,
    ) -> tuple[list[int], float | None, float | None, float | None, float | None]:
        """The order of the four adjustments and their factors (None: not applied)."""
        src = RandomSource(generator)
        order = src.randperm(4).tolist()
        b, c, s, h = (
            None if r is None else src.uniform(r[0], r[1])
            for r in (brightness, contrast, saturation, hue)
        )
        return order, b, c, s, h

    def forward(self, img: Any) -> Any:
        order, b, c, s, h = self.get_params(
            self.brightness, self.contrast, self.saturation, self.hue, generator=self.generator
        )
        for fn_id in order:
            if fn_id == 0 and b is not None:
                img = F.adjust_brightness(img, b)
            elif fn_id == 1 and c is not None:
                img = F.adjust_contrast(img, c)
            elif fn_id == 2 and s is not None:
                img = F.adjust_saturation(img, s)
            elif fn_id == 3 and h is not None:
                img = F.adjust_hue(img, h)
        return img

    def extra_repr(self) -> str:
        return (
            f"brightness={self.brightness}, contrast={self.contrast}, "
            f"saturation={self.saturation}, hue={self.hue}"
        )


class RandomGrayscale(_Random):
    """Convert to grayscale with probability ``p``, keeping the number of channels.

    Examples
    --------
    >>> from PIL import Image
    >>> from npgrad.data.transforms import RandomGrayscale
    >>> RandomGrayscale(p=1.0)(Image.new("RGB", (2, 2), (255, 0, 0))).getpixel((0, 0))
    (76, 76, 76)
    """

    def __init__(self, p: float = 0.1, *, generator: Any = None) -> None:
        self.p = p
        self.generator = check_generator(generator, "RandomGrayscale")

    def forward(self, img: Any) -> Any:
        channels = F.get_image_num_channels(img)
        if self._source().random() < self.p:
            return F.rgb_to_grayscale(img, num_output_channels=channels)
        return img

    def extra_repr(self) -> str:
        return f"p={self.p}"


class RandomErasing(_Random):
    """Erase a random rectangle of a tensor image with probability ``p`` (Zhong et al., 2017).

    ``RandomMask`` — nptorch's name for this augmentation — is the same class.

    Parameters
    ----------
    p : float, default 0.5
    scale : (min, max), default (0.02, 0.33)
        Range of the erased area as a fraction of the image's.
    ratio : (min, max), default (0.3, 3.3)
        Range of the erased rectangle's aspect ratio, drawn log-uniformly.
    value : number, sequence or "random", default 0
        The fill: one value, one per channel, or standard normal noise.
    inplace : bool, default False
    generator : npgrad.random.Generator or numpy.random.Generator, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data.transforms import RandomErasing
    >>> g = npgrad.random.Generator().manual_seed(0)
    >>> out = RandomErasing(p=1.0, scale=(0.25, 0.25), ratio=(1, 1), generator=g)(npgrad.ones(1, 4, 4))
    >>> float(out.sum())
    12.0
    """

    def __init__(
        self,
        p: float = 0.5,
        scale: tuple[float, float] = (0.02, 0.33),
        ratio: tuple[float, float] = (0.3, 3.3),
        value: Any = 0,
        inplace: bool = False,
        *,
        generator: Any = None,
    ) -> None:
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError("If value is str, it should be 'random'")
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("Scale and ratio should be of kind (min, max)", stacklevel=2)
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError("Scale should be between 0 and 1")
        if p < 0 or p > 1:
            raise ValueError("Random erasing probability should be between 0 and 1")
        self.p, self.scale, self.ratio, self.value, self.inplace = p, scale, ratio, value, inplace
        self.generator = check_generator(generator, "RandomErasing")

    @staticmethod
    def get_params(
        img: Tensor,
        scale: Sequence[float],
        ratio: Sequence[float],
        value: list[float] | None = None,
        *,
        generator: Any = None,
    ) -> tuple[int, int, int, int, Any]:
        """``(top, left, h, w, v)`` of the rectangle and its fill; ``(0, 0, H, W, img)`` (no
        change) when 10 tries find no rectangle that fits."""
        c, img_h, img_w = img.shape[-3], img.shape[-2], img.shape[-1]
        area = img_h * img_w
        src = RandomSource(generator)
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            erase_area = area * src.uniform(scale[0], scale[1])
            aspect = math.exp(src.uniform(log_ratio[0], log_ratio[1]))
            h = int(round(math.sqrt(erase_area * aspect)))
            w = int(round(math.sqrt(erase_area / aspect)))
            if not (h < img_h and w < img_w):
                continue
            if value is None:
                v: Any = src.normal((c, h, w))
            else:
                v = np.asarray(value, dtype=np.float32)[:, None, None]
            i = src.randint(0, img_h - h + 1)
            j = src.randint(0, img_w - w + 1)
            return i, j, h, w, v
        return 0, 0, img_h, img_w, img

    def forward(self, img: Any) -> Any:
        if not isinstance(img, Tensor):
            raise TypeError(
                f"{type(self).__name__} expects a Tensor image (..., C, H, W), got "
                f"{type(img).__name__}: apply it after ToTensor()"
            )
        if self._source().random() >= self.p:
            return img
        if isinstance(self.value, (int, float)):
            value: list[float] | None = [float(self.value)]
        elif isinstance(self.value, str):
            value = None
        else:
            value = [float(v) for v in self.value]
        if value is not None and len(value) not in (1, img.shape[-3]):
            raise ValueError(
                "If value is a sequence, it should have either a single value or "
                f"{img.shape[-3]} (number of input channels)"
            )
        i, j, h, w, v = self.get_params(
            img, self.scale, self.ratio, value, generator=self.generator
        )
        if v is img:
            return img
        return F.erase(img, i, j, h, w, v, self.inplace)

    def extra_repr(self) -> str:
        return (
            f"p={self.p}, scale={self.scale}, ratio={self.ratio}, value={self.value}, "
            f"inplace={self.inplace}"
        )


RandomMask = RandomErasing  # nptorch's name
