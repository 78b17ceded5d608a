"""Random transforms that change pixel values rather than geometry: ``ColorJitter``,
``RandomGrayscale`` and ``RandomErasing`` (also under nptorch's name ``RandomMask``).

Like every random transform here they take a keyword-only ``generator`` (see
:mod:`~npgrad.data.transforms.random_transforms`).
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from typing import Any, cast

import numpy as np

from npgrad.data._random import RandomSource, check_generator
from npgrad.data.transforms import functional as F
from npgrad.data.transforms.random_transforms import RandomTransform
from npgrad.tensor import Tensor

__all__ = ["ColorJitter", "RandomErasing", "RandomGrayscale", "RandomMask"]


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


class ColorJitter(RandomTransform):
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


class RandomGrayscale(RandomTransform):
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


class RandomErasing(RandomTransform):
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
        if not (ratio[0] > 0 and ratio[1] > 0):
            raise ValueError(f"RandomErasing: ratio values must be positive, got {ratio!r}")
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
        if img.ndim < 3:  # before the draw: a bad input leaves the generator as it was
            raise ValueError(
                f"{type(self).__name__} expects a Tensor image (..., C, H, W), got shape "
                f"{img.shape}"
            )
        if self._source().random() >= self.p:
            return img
        if isinstance(self.value, (int, float)):
            value: list[float] | None = [float(self.value)]
        elif isinstance(self.value, str):
            value = None
        else:
            value = [float(v) for v in cast(Sequence[float], self.value)]
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
