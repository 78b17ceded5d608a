"""torchvision's affine, perspective, elastic and multi-crop transforms: ``RandomAffine``,
``RandomPerspective``, ``ElasticTransform``, ``FiveCrop`` and ``TenCrop``.

The random ones take a keyword-only ``generator`` like every random transform here (see
:mod:`~npgrad.data.transforms.random_transforms`).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from npgrad.data._random import RandomSource, check_generator
from npgrad.data.transforms import functional as F
from npgrad.data.transforms.functional import InterpolationMode
from npgrad.data.transforms.random_transforms import RandomTransform
from npgrad.data.transforms.transforms import Transform, setup_size
from npgrad.tensor import Tensor

__all__ = ["ElasticTransform", "FiveCrop", "RandomAffine", "RandomPerspective", "TenCrop"]

_SIZE_MSG = "Please provide only two dimensions (h, w) for size."


def _check_sequence(x: Any, name: str, sizes: tuple[int, ...]) -> None:
    msg = " or ".join(str(s) for s in sizes)
    if not isinstance(x, Sequence):
        raise TypeError(f"{name} should be a sequence of length {msg}.")
    if len(x) not in sizes:
        raise ValueError(f"{name} should be a sequence of length {msg}.")


def _setup_angle(x: Any, name: str, sizes: tuple[int, ...] = (2,)) -> list[float]:
    if isinstance(x, numbers.Number) and not isinstance(x, bool):
        if x < 0:  # type: ignore[operator]
            raise ValueError(f"If {name} is a single number, it must be positive.")
        return [-float(x), float(x)]  # type: ignore[arg-type]
    _check_sequence(x, name, sizes)
    return [float(d) for d in x]


def _check_fill(fill: Any) -> Any:
    if fill is None:
        return 0
    if isinstance(fill, str) or not isinstance(fill, (Sequence, numbers.Number)):
        raise TypeError("Fill should be either a sequence or a number.")
    return fill


def _channel_fill(fill: Any, img: Any) -> Any:
    # torchvision expands a number to one value per channel for tensors
    if isinstance(img, Tensor):
        channels = F.get_image_num_channels(img)
        if isinstance(fill, (int, float)):
            return [float(fill)] * channels
        return [float(f) for f in fill]
    return fill


class RandomAffine(RandomTransform):
    """A random affine map (rotation, translation, scale, shear) about the image centre.

    Parameters
    ----------
    degrees : number or (min, max)
        Rotation range in degrees (clockwise); ``d`` means ``(-d, d)``.
    translate : (a, b), optional
        Maximum horizontal and vertical shifts as fractions of the width and height: the
        shifts are drawn from ``(-a * W, a * W)`` and ``(-b * H, b * H)`` and rounded.
    scale : (min, max), optional
        Scale factor range (default: keep the scale).
    shear : number or (min, max) or (xmin, xmax, ymin, ymax), optional
        Shear angles in degrees: a number ``s`` draws the x shear from ``(-s, s)``; four
        values also draw a y shear.
    interpolation : InterpolationMode, default NEAREST
    fill : number or sequence, default 0
    center : (x, y), optional
    generator : npgrad.random.Generator or numpy.random.Generator, optional

    Examples
    --------
    >>> from PIL import Image
    >>> from npgrad.data.transforms import RandomAffine
    >>> RandomAffine(30, translate=(0.1, 0.1), scale=(0.9, 1.1))(Image.new("RGB", (8, 6))).size
    (8, 6)
    >>> RandomAffine(10, shear=5)
    RandomAffine(degrees=[-10.0, 10.0], shear=[-5.0, 5.0])
    """

    def __init__(
        self,
        degrees: float | Sequence[float],
        translate: Sequence[float] | None = None,
        scale: Sequence[float] | None = None,
        shear: float | Sequence[float] | None = None,
        interpolation: Any = InterpolationMode.NEAREST,
        fill: Any = 0,
        center: Sequence[float] | None = None,
        *,
        generator: Any = None,
    ) -> None:
        self.interpolation = F.interpolation_mode(interpolation)
        self.degrees = _setup_angle(degrees, "degrees")
        if translate is not None:
            _check_sequence(translate, "translate", (2,))
            for t in translate:
                if not 0.0 <= t <= 1.0:
                    raise ValueError("translation values should be between 0 and 1")
        self.translate = translate
        if scale is not None:
            _check_sequence(scale, "scale", (2,))
            for s in scale:
                if s <= 0:
                    raise ValueError("scale values should be positive")
        self.scale = scale
        self.shear = None if shear is None else _setup_angle(shear, "shear", (2, 4))
        self.fill = _check_fill(fill)
        if center is not None:
            _check_sequence(center, "center", (2,))
        self.center = center
        self.generator = check_generator(generator, "RandomAffine")

    @staticmethod
    def get_params(
        degrees: Sequence[float],
        translate: Sequence[float] | None,
        scale_ranges: Sequence[float] | None,
        shears: Sequence[float] | None,
        img_size: Sequence[int],
        *,
        generator: Any = None,
    ) -> tuple[float, tuple[int, int], float, tuple[float, float]]:
        """``(angle, (tx, ty), scale, (shear_x, shear_y))`` for an image of
        ``img_size = [width, height]``, drawn in that order."""
        src = RandomSource(generator)
        angle = src.uniform(float(degrees[0]), float(degrees[1]))
        if translate is not None:
            max_dx = float(translate[0] * img_size[0])
            max_dy = float(translate[1] * img_size[1])
            tx = int(round(src.uniform(-max_dx, max_dx)))
            ty = int(round(src.uniform(-max_dy, max_dy)))
            translations = (tx, ty)
        else:
            translations = (0, 0)
        scale = 1.0 if scale_ranges is None else src.uniform(scale_ranges[0], scale_ranges[1])
        shear_x = shear_y = 0.0
        if shears is not None:
            shear_x = src.uniform(shears[0], shears[1])
            if len(shears) == 4:
                shear_y = src.uniform(shears[2], shears[3])
        return angle, translations, scale, (shear_x, shear_y)

    def forward(self, img: Any) -> Any:
        fill = _channel_fill(self.fill, img)
        _, height, width = F.get_dimensions(img)
        angle, translations, scale, shear = self.get_params(
            self.degrees, self.translate, self.scale, self.shear, [width, height],
            generator=self.generator,
        )  # fmt: skip
        return F.affine(
            img, angle, list(translations), scale, list(shear), self.interpolation, fill,
            self.center,
        )  # fmt: skip

    def __repr__(self) -> str:
        s = f"{type(self).__name__}(degrees={self.degrees}"
        s += f", translate={self.translate}" if self.translate is not None else ""
        s += f", scale={self.scale}" if self.scale is not None else ""
        s += f", shear={self.shear}" if self.shear is not None else ""
        if self.interpolation != InterpolationMode.NEAREST:
            s += f", interpolation={self.interpolation.value}"
        s += f", fill={self.fill}" if self.fill != 0 else ""
        s += f", center={self.center}" if self.center is not None else ""
        return s + ")"


class RandomPerspective(RandomTransform):
    """With probability ``p``, a random perspective warp moving each corner inwards by up to
    ``distortion_scale`` of half the width/height.

    Parameters
    ----------
    distortion_scale : float in [0, 1], default 0.5
    p : float, default 0.5
    interpolation : InterpolationMode, default BILINEAR
    fill : number or sequence, default 0
    generator : npgrad.random.Generator or numpy.random.Generator, optional

    Examples
    --------
    >>> from PIL import Image
    >>> from npgrad.data.transforms import RandomPerspective
    >>> RandomPerspective(0.3, p=1.0)(Image.new("RGB", (10, 8))).size
    (10, 8)
    >>> RandomPerspective()
    RandomPerspective(p=0.5)
    """

    def __init__(
        self,
        distortion_scale: float = 0.5,
        p: float = 0.5,
        interpolation: Any = InterpolationMode.BILINEAR,
        fill: Any = 0,
        *,
        generator: Any = None,
    ) -> None:
        if not 0 <= distortion_scale <= 1:
            raise ValueError(
                f"Argument distortion_scale value should be between 0 and 1, got {distortion_scale}"
            )
        self.p = p
        self.interpolation = F.interpolation_mode(interpolation)
        self.distortion_scale = distortion_scale
        self.fill = _check_fill(fill)
        self.generator = check_generator(generator, "RandomPerspective")

    @staticmethod
    def get_params(
        width: int, height: int, distortion_scale: float, *, generator: Any = None
    ) -> tuple[list[list[int]], list[list[int]]]:
        """``(startpoints, endpoints)``: the image corners (top-left, top-right, bottom-right,
        bottom-left, as ``[x, y]``) and where they go, each coordinate drawn in that order."""
        src = RandomSource(generator)
        dx = int(distortion_scale * (width // 2))
        dy = int(distortion_scale * (height // 2))
        topleft = [src.randint(0, dx + 1), src.randint(0, dy + 1)]
        topright = [src.randint(width - dx - 1, width), src.randint(0, dy + 1)]
        botright = [src.randint(width - dx - 1, width), src.randint(height - dy - 1, height)]
        botleft = [src.randint(0, dx + 1), src.randint(height - dy - 1, height)]
        startpoints = [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]]
        return startpoints, [topleft, topright, botright, botleft]

    def forward(self, img: Any) -> Any:
        fill = _channel_fill(self.fill, img)
        _, height, width = F.get_dimensions(img)
        src = RandomSource(self.generator)
        if src.random() < self.p:
            start, end = self.get_params(
                width, height, self.distortion_scale, generator=self.generator
            )
            return F.perspective(img, start, end, self.interpolation, fill)
        return img

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class FiveCrop(Transform):
    """The four corner crops and the central crop (see :func:`~.functional.five_crop`).

    Examples
    --------
    >>> from PIL import Image
    >>> from npgrad.data.transforms import FiveCrop
    >>> [c.size for c in FiveCrop(4)(Image.new("RGB", (10, 8)))]
    [(4, 4), (4, 4), (4, 4), (4, 4), (4, 4)]
    """

    def __init__(self, size: int | Sequence[int]) -> None:
        self.size = setup_size(size, _SIZE_MSG)

    def forward(self, img: Any) -> Any:
        return F.five_crop(img, self.size)

    def extra_repr(self) -> str:
        return f"size={self.size}"


class TenCrop(Transform):
    """:class:`FiveCrop` of the image and of its mirror image (see
    :func:`~.functional.ten_crop`).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data.transforms import TenCrop
    >>> len(TenCrop(2, vertical_flip=True)(npgrad.zeros(3, 4, 4)))
    10
    >>> TenCrop(2)
    TenCrop(size=(2, 2), vertical_flip=False)
    """

    def __init__(self, size: int | Sequence[int], vertical_flip: bool = False) -> None:
        self.size = setup_size(size, _SIZE_MSG)
        self.vertical_flip = vertical_flip

    def forward(self, img: Any) -> Any:
        return F.ten_crop(img, self.size, self.vertical_flip)

    def extra_repr(self) -> str:
        return f"size={self.size}, vertical_flip={self.vertical_flip}"


def _pair_of_floats(value: Any, name: str) -> list[float]:
    if isinstance(value, (bool, str)) or not isinstance(value, (int, float, Sequence)):
        raise TypeError(f"{name} should be float or a sequence of floats. Got {type(value)}")
    if isinstance(value, (int, float)):
        return [float(value), float(value)]
    if len(value) == 1:
        return [float(value[0])] * 2
    if len(value) != 2:
        raise ValueError(f"If {name} is a sequence its length should be 2. Got {len(value)}")
    return [float(v) for v in value]


class ElasticTransform(RandomTransform):
    """Displace pixels by a random field: uniform noise in ``[-1, 1)`` smoothed by a Gaussian
    of std ``sigma`` and scaled by ``alpha`` (in pixels, as torchvision: ``dx`` is divided by
    the height and ``dy`` by the width), then sampled like :func:`~.functional.elastic_transform`.
    The smoothing kernel has ``8 * sigma + 1`` taps with reflected borders, so the image must be
    larger than ``4 * sigma`` on each side (as for torchvision).

    Parameters
    ----------
    alpha : float or (ax, ay), default 50.0
    sigma : float or (sx, sy), default 5.0
    interpolation : InterpolationMode, default BILINEAR
    fill : number or sequence, default 0
    generator : npgrad.random.Generator or numpy.random.Generator, optional

    Examples
    --------
    >>> from PIL import Image
    >>> from npgrad.data.transforms import ElasticTransform
    >>> ElasticTransform(alpha=20.0, sigma=3.0)(Image.new("RGB", (32, 30), (0, 90, 0))).size
    (32, 30)
    >>> ElasticTransform()
    ElasticTransform(alpha=[50.0, 50.0], sigma=[5.0, 5.0], interpolation=InterpolationMode.BILINEAR, fill=0)
    """

    def __init__(
        self,
        alpha: float | Sequence[float] = 50.0,
        sigma: float | Sequence[float] = 5.0,
        interpolation: Any = InterpolationMode.BILINEAR,
        fill: Any = 0,
        *,
        generator: Any = None,
    ) -> None:
        self.alpha = _pair_of_floats(alpha, "alpha")
        self.sigma = _pair_of_floats(sigma, "sigma")
        if isinstance(fill, str) or not isinstance(fill, (int, float, Sequence)):
            raise TypeError("fill should be int or float or a list or tuple of them")
        self.fill = fill
        self.interpolation = F.interpolation_mode(interpolation)
        self.generator = check_generator(generator, "ElasticTransform")

    @staticmethod
    def get_params(
        alpha: Sequence[float],
        sigma: Sequence[float],
        size: Sequence[int],
        *,
        generator: Any = None,
    ) -> Tensor:
        """The ``(1, H, W, 2)`` displacement for an image of ``size = [H, W]``."""
        import numpy as np

        from npgrad.data.transforms._common import wrap

        rng = np.random.default_rng(RandomSource(generator).seed())
        h, w = int(size[0]), int(size[1])
        fields = []
        for k in range(2):
            d = wrap(rng.random((1, 1, h, w), dtype=np.float32) * 2 - 1)
            if sigma[k] > 0.0:
                ks = int(8 * sigma[k] + 1)
                ks += 1 - ks % 2  # odd
                d = F.gaussian_blur(d, [ks, ks], list(sigma))
            fields.append(d._data * np.float32(alpha[k] / size[k]))
        return wrap(np.ascontiguousarray(np.concatenate(fields, 1).transpose(0, 2, 3, 1)))

    def forward(self, img: Any) -> Any:
        _, height, width = F.get_dimensions(img)
        displacement = self.get_params(
            self.alpha, self.sigma, [height, width], generator=self.generator
        )
        return F.elastic_transform(
            img, displacement, self.interpolation, _channel_fill(self.fill, img)
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(alpha={self.alpha}, sigma={self.sigma}, "
            f"interpolation={self.interpolation}, fill={self.fill})"
        )
