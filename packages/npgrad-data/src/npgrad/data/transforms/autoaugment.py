"""Automatic augmentation policies (torchvision's ``AutoAugment``, ``RandAugment``,
``TrivialAugmentWide`` and ``AugMix``), with the op lists, magnitude bins and signs of
torchvision / the papers:

- AutoAugment: Cubuk et al., "AutoAugment: Learning Augmentation Policies from Data" (2019),
  the 25 learned sub-policies for ImageNet, CIFAR-10 and SVHN;
- RandAugment: Cubuk et al., "RandAugment: Practical automated data augmentation with a
  reduced search space" (2020);
- TrivialAugment: Müller & Hutter, "TrivialAugment: Tuning-free Yet State-of-the-Art Data
  Augmentation" (2021), the "wide" magnitude ranges;
- AugMix: Hendrycks et al., "AugMix: A Simple Data Processing Method to Improve Robustness and
  Uncertainty" (2020).

Tensor inputs should be uint8 (``Posterize`` and ``Equalize`` need it), as for torchvision.
The random draws come from the keyword-only ``generator`` (see
:mod:`~npgrad.data.transforms.random_transforms`).
"""

from __future__ import annotations

import math
import numbers
from enum import Enum
from typing import Any

import numpy as np

from npgrad.data._random import RandomSource, check_generator
from npgrad.data.transforms import _array
from npgrad.data.transforms import functional as F
from npgrad.data.transforms._common import image_array, wrap
from npgrad.data.transforms.functional import InterpolationMode
from npgrad.data.transforms.random_geometry import _check_fill
from npgrad.data.transforms.random_transforms import RandomTransform
from npgrad.tensor import Tensor

__all__ = ["AugMix", "AutoAugment", "AutoAugmentPolicy", "RandAugment", "TrivialAugmentWide"]

# op name -> (magnitude bins as a 1-D array, or None for ops without magnitude; signed)
_Space = dict[str, tuple[np.ndarray | None, bool]]


def _linspace(lo: float, hi: float, n: int) -> np.ndarray:
    return np.linspace(lo, hi, n).astype(np.float32)  # torch.linspace's float32 bins


def _posterize_bins(n: int, top: int, span: int) -> np.ndarray:
    # top - round(i / ((n - 1) / span)), rounding half to even in float32
    q = np.arange(n, dtype=np.float32) / np.float32((n - 1) / span)
    return (top - np.round(q)).astype(np.int64)


def _apply_op(
    img: Any, op_name: str, magnitude: float, interpolation: InterpolationMode, fill: Any
) -> Any:
    if op_name in ("ShearX", "ShearY"):
        # the papers shear by the factor ``magnitude``; affine takes the angle atan(magnitude),
        # about the top-left corner
        angle = math.degrees(math.atan(magnitude))
        shear = [angle, 0.0] if op_name == "ShearX" else [0.0, angle]
        return F.affine(img, 0.0, [0, 0], 1.0, shear, interpolation, fill, center=[0, 0])
    if op_name == "TranslateX":
        return F.affine(img, 0.0, [int(magnitude), 0], 1.0, [0.0, 0.0], interpolation, fill)
    if op_name == "TranslateY":
        return F.affine(img, 0.0, [0, int(magnitude)], 1.0, [0.0, 0.0], interpolation, fill)
    if op_name == "Rotate":
        return F.rotate(img, magnitude, interpolation, fill=fill)
    if op_name == "Brightness":
        return F.adjust_brightness(img, 1.0 + magnitude)
    if op_name == "Color":
        return F.adjust_saturation(img, 1.0 + magnitude)
    if op_name == "Contrast":
        return F.adjust_contrast(img, 1.0 + magnitude)
    if op_name == "Sharpness":
        return F.adjust_sharpness(img, 1.0 + magnitude)
    if op_name == "Posterize":
        return F.posterize(img, int(magnitude))
    if op_name == "Solarize":
        # the bins are fractions of the full intensity
        bound = (
            _array.max_value(image_array(img, "Solarize").dtype)
            if isinstance(img, Tensor)
            else 255.0
        )
        return F.solarize(img, bound * magnitude)
    if op_name == "AutoContrast":
        return F.autocontrast(img)
    if op_name == "Equalize":
        return F.equalize(img)
    if op_name == "Invert":
        return F.invert(img)
    if op_name == "Identity":
        return img
    raise ValueError(f"The provided operator {op_name} is not recognized.")


def _tensor_fill(fill: Any, img: Any) -> Any:
    if not isinstance(img, Tensor) or fill is None:
        return fill
    if isinstance(fill, (int, float)):
        return [float(fill)] * F.get_image_num_channels(img)
    return [float(f) for f in fill]


def _magnitude(bins: np.ndarray | None, index: int) -> float:
    return 0.0 if bins is None else float(bins[index])


class AutoAugmentPolicy(Enum):
    """The AutoAugment policies learned on ImageNet, CIFAR-10 and SVHN."""

    IMAGENET = "imagenet"
    CIFAR10 = "cifar10"
    SVHN = "svhn"


# (op, probability, magnitude bin) pairs: the 25 sub-policies of each dataset (AutoAugment
# paper, appendix)
_POLICIES: dict[AutoAugmentPolicy, list[tuple[tuple[str, float, int | None], ...]]] = {
    AutoAugmentPolicy.IMAGENET: [
        (("Posterize", 0.4, 8), ("Rotate", 0.6, 9)),
        (("Solarize", 0.6, 5), ("AutoContrast", 0.6, None)),
        (("Equalize", 0.8, None), ("Equalize", 0.6, None)),
        (("Posterize", 0.6, 7), ("Posterize", 0.6, 6)),
        (("Equalize", 0.4, None), ("Solarize", 0.2, 4)),
        (("Equalize", 0.4, None), ("Rotate", 0.8, 8)),
        (("Solarize", 0.6, 3), ("Equalize", 0.6, None)),
        (("Posterize", 0.8, 5), ("Equalize", 1.0, None)),
        (("Rotate", 0.2, 3), ("Solarize", 0.6, 8)),
        (("Equalize", 0.6, None), ("Posterize", 0.4, 6)),
        (("Rotate", 0.8, 8), ("Color", 0.4, 0)),
        (("Rotate", 0.4, 9), ("Equalize", 0.6, None)),
        (("Equalize", 0.0, None), ("Equalize", 0.8, None)),
        (("Invert", 0.6, None), ("Equalize", 1.0, None)),
        (("Color", 0.6, 4), ("Contrast", 1.0, 8)),
        (("Rotate", 0.8, 8), ("Color", 1.0, 2)),
        (("Color", 0.8, 8), ("Solarize", 0.8, 7)),
        (("Sharpness", 0.4, 7), ("Invert", 0.6, None)),
        (("ShearX", 0.6, 5), ("Equalize", 1.0, None)),
        (("Color", 0.4, 0), ("Equalize", 0.6, None)),
        (("Equalize", 0.4, None), ("Solarize", 0.2, 4)),
        (("Solarize", 0.6, 5), ("AutoContrast", 0.6, None)),
        (("Invert", 0.6, None), ("Equalize", 1.0, None)),
        (("Color", 0.6, 4), ("Contrast", 1.0, 8)),
        (("Equalize", 0.8, None), ("Equalize", 0.6, None)),
    ],
    AutoAugmentPolicy.CIFAR10: [
        (("Invert", 0.1, None), ("Contrast", 0.2, 6)),
        (("Rotate", 0.7, 2), ("TranslateX", 0.3, 9)),
        (("Sharpness", 0.8, 1), ("Sharpness", 0.9, 3)),
        (("ShearY", 0.5, 8), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.5, None), ("Equalize", 0.9, None)),
        (("ShearY", 0.2, 7), ("Posterize", 0.3, 7)),
        (("Color", 0.4, 3), ("Brightness", 0.6, 7)),
        (("Sharpness", 0.3, 9), ("Brightness", 0.7, 9)),
        (("Equalize", 0.6, None), ("Equalize", 0.5, None)),
        (("Contrast", 0.6, 7), ("Sharpness", 0.6, 5)),
        (("Color", 0.7, 7), ("TranslateX", 0.5, 8)),
        (("Equalize", 0.3, None), ("AutoContrast", 0.4, None)),
        (("TranslateY", 0.4, 3), ("Sharpness", 0.2, 6)),
        (("Brightness", 0.9, 6), ("Color", 0.2, 8)),
        (("Solarize", 0.5, 2), ("Invert", 0.0, None)),
        (("Equalize", 0.2, None), ("AutoContrast", 0.6, None)),
        (("Equalize", 0.2, None), ("Equalize", 0.6, None)),
        (("Color", 0.9, 9), ("Equalize", 0.6, None)),
        (("AutoContrast", 0.8, None), ("Solarize", 0.2, 8)),
        (("Brightness", 0.1, 3), ("Color", 0.7, 0)),
        (("Solarize", 0.4, 5), ("AutoContrast", 0.9, None)),
        (("TranslateY", 0.9, 9), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.9, None), ("Solarize", 0.8, 3)),
        (("Equalize", 0.8, None), ("Invert", 0.1, None)),
        (("TranslateY", 0.7, 9), ("AutoContrast", 0.9, None)),
    ],
    AutoAugmentPolicy.SVHN: [
        (("ShearX", 0.9, 4), ("Invert", 0.2, None)),
        (("ShearY", 0.9, 8), ("Invert", 0.7, None)),
        (("Equalize", 0.6, None), ("Solarize", 0.6, 6)),
        (("Invert", 0.9, None), ("Equalize", 0.6, None)),
        (("Equalize", 0.6, None), ("Rotate", 0.9, 3)),
        (("ShearX", 0.9, 4), ("AutoContrast", 0.8, None)),
        (("ShearY", 0.9, 8), ("Invert", 0.4, None)),
        (("ShearY", 0.9, 5), ("Solarize", 0.2, 6)),
        (("Invert", 0.9, None), ("AutoContrast", 0.8, None)),
        (("Equalize", 0.6, None), ("Rotate", 0.9, 3)),
        (("ShearX", 0.9, 4), ("Solarize", 0.3, 3)),
        (("ShearY", 0.8, 8), ("Invert", 0.7, None)),
        (("Equalize", 0.9, None), ("TranslateY", 0.6, 6)),
        (("Invert", 0.9, None), ("Equalize", 0.6, None)),
        (("Contrast", 0.3, 3), ("Rotate", 0.8, 4)),
        (("Invert", 0.8, None), ("TranslateY", 0.0, 2)),
        (("ShearY", 0.7, 6), ("Solarize", 0.4, 8)),
        (("Invert", 0.6, None), ("Rotate", 0.8, 4)),
        (("ShearY", 0.3, 7), ("TranslateX", 0.9, 3)),
        (("ShearX", 0.1, 6), ("Invert", 0.6, None)),
        (("Solarize", 0.7, 2), ("TranslateY", 0.6, 7)),
        (("ShearY", 0.8, 4), ("Invert", 0.8, None)),
        (("ShearX", 0.7, 9), ("TranslateY", 0.8, 3)),
        (("ShearY", 0.8, 5), ("AutoContrast", 0.7, None)),
        (("ShearX", 0.7, 2), ("Invert", 0.1, None)),
    ],
}


def _randaugment_space(num_bins: int, width: int, height: int, identity: bool) -> _Space:
    space: _Space = {"Identity": (None, False)} if identity else {}
    space.update(
        {
            "ShearX": (_linspace(0.0, 0.3, num_bins), True),
            "ShearY": (_linspace(0.0, 0.3, num_bins), True),
            "TranslateX": (_linspace(0.0, 150.0 / 331.0 * width, num_bins), True),
            "TranslateY": (_linspace(0.0, 150.0 / 331.0 * height, num_bins), True),
            "Rotate": (_linspace(0.0, 30.0, num_bins), True),
            "Brightness": (_linspace(0.0, 0.9, num_bins), True),
            "Color": (_linspace(0.0, 0.9, num_bins), True),
            "Contrast": (_linspace(0.0, 0.9, num_bins), True),
            "Sharpness": (_linspace(0.0, 0.9, num_bins), True),
            "Posterize": (_posterize_bins(num_bins, 8, 4), False),
            "Solarize": (_linspace(1.0, 0.0, num_bins), False),
            "AutoContrast": (None, False),
            "Equalize": (None, False),
        }
    )
    return space


class _Augment(RandomTransform):
    interpolation: InterpolationMode
    fill: Any

    def _setup(self, interpolation: Any, fill: Any, generator: Any) -> None:
        self.interpolation = F.interpolation_mode(interpolation)
        if fill is not None:
            _check_fill(fill)
        self.fill = fill
        self.generator = check_generator(generator, type(self).__name__)

    def _run(self, img: Any, op_name: str, bins: np.ndarray | None, index: int, sign: bool) -> Any:
        magnitude = _magnitude(bins, index)
        if sign:
            magnitude = -magnitude
        return _apply_op(img, op_name, magnitude, self.interpolation, _tensor_fill(self.fill, img))


class AutoAugment(_Augment):
    """Apply one of the 25 learned sub-policies (two ops, each with its probability and
    magnitude; the sign of signed magnitudes is random).

    Parameters
    ----------
    policy : AutoAugmentPolicy, default IMAGENET
    interpolation : InterpolationMode, default NEAREST
    fill : number or sequence, optional
    generator : npgrad.random.Generator or numpy.random.Generator, optional

    Examples
    --------
    >>> from PIL import Image
    >>> from npgrad.data.transforms import AutoAugment, AutoAugmentPolicy
    >>> AutoAugment(AutoAugmentPolicy.CIFAR10)(Image.new("RGB", (8, 8), (30, 60, 90))).size
    (8, 8)
    >>> AutoAugment()
    AutoAugment(policy=AutoAugmentPolicy.IMAGENET, fill=None)
    """

    def __init__(
        self,
        policy: AutoAugmentPolicy = AutoAugmentPolicy.IMAGENET,
        interpolation: Any = InterpolationMode.NEAREST,
        fill: Any = None,
        *,
        generator: Any = None,
    ) -> None:
        if not isinstance(policy, AutoAugmentPolicy):
            raise ValueError(f"The provided policy {policy} is not recognized.")
        self.policy = policy
        self.policies = _POLICIES[policy]
        self._setup(interpolation, fill, generator)

    @staticmethod
    def get_params(
        transform_num: int, *, generator: Any = None
    ) -> tuple[int, list[float], list[int]]:
        """``(policy index, two probabilities, two signs)``, drawn in that order."""
        src = RandomSource(generator)
        policy_id = src.randint(0, transform_num)
        probs = [src.random(), src.random()]
        signs = [src.randint(0, 2), src.randint(0, 2)]
        return policy_id, probs, signs

    def forward(self, img: Any) -> Any:
        _, height, width = F.get_dimensions(img)
        policy_id, probs, signs = self.get_params(len(self.policies), generator=self.generator)
        space = _randaugment_space(10, width, height, identity=False)
        space["Invert"] = (None, False)
        for i, (op_name, p, bin_index) in enumerate(self.policies[policy_id]):
            if probs[i] <= p:
                bins, signed = space[op_name]
                index = 0 if bin_index is None else bin_index
                img = self._run(img, op_name, bins, index, signed and signs[i] == 0)
        return img

    def __repr__(self) -> str:
        return f"{type(self).__name__}(policy={self.policy}, fill={self.fill})"


class RandAugment(_Augment):
    """Apply ``num_ops`` ops drawn uniformly (with replacement), all at bin ``magnitude`` of
    ``num_magnitude_bins``, each signed magnitude negated with probability 1/2.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data.transforms import RandAugment
    >>> RandAugment()(npgrad.zeros(3, 6, 6, dtype=npgrad.uint8)).shape
    npgrad.Size([3, 6, 6])
    >>> RandAugment(num_ops=3)
    RandAugment(num_ops=3, magnitude=9, num_magnitude_bins=31, interpolation=InterpolationMode.NEAREST, fill=None)
    """

    def __init__(
        self,
        num_ops: int = 2,
        magnitude: int = 9,
        num_magnitude_bins: int = 31,
        interpolation: Any = InterpolationMode.NEAREST,
        fill: Any = None,
        *,
        generator: Any = None,
    ) -> None:
        ops_ok = isinstance(num_ops, numbers.Integral) and not isinstance(num_ops, bool)
        if not ops_ok or num_ops < 0:
            raise ValueError(
                f"num_ops should be a non-negative integer, but got {num_ops} instead."
            )
        if not 0 <= magnitude < num_magnitude_bins:
            raise ValueError(
                f"magnitude ({magnitude}) should be in [0, num_magnitude_bins = "
                f"{num_magnitude_bins})"
            )
        self.num_ops = num_ops
        self.magnitude = magnitude
        self.num_magnitude_bins = num_magnitude_bins
        self._setup(interpolation, fill, generator)

    def forward(self, img: Any) -> Any:
        _, height, width = F.get_dimensions(img)
        space = _randaugment_space(self.num_magnitude_bins, width, height, identity=True)
        names = list(space)
        src = self._source()
        for _ in range(self.num_ops):
            op_name = names[src.randint(0, len(names))]
            bins, signed = space[op_name]
            negate = signed and src.randint(0, 2) == 1
            img = self._run(img, op_name, bins, self.magnitude, negate)
        return img

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(num_ops={self.num_ops}, magnitude={self.magnitude}, "
            f"num_magnitude_bins={self.num_magnitude_bins}, "
            f"interpolation={self.interpolation}, fill={self.fill})"
        )


class TrivialAugmentWide(_Augment):
    """Apply one op drawn uniformly, at a magnitude bin drawn uniformly (the "wide" ranges).

    Examples
    --------
    >>> from PIL import Image
    >>> from npgrad.data.transforms import TrivialAugmentWide
    >>> TrivialAugmentWide()(Image.new("L", (5, 5), 70)).size
    (5, 5)
    >>> TrivialAugmentWide()
    TrivialAugmentWide(num_magnitude_bins=31, interpolation=InterpolationMode.NEAREST, fill=None)
    """

    def __init__(
        self,
        num_magnitude_bins: int = 31,
        interpolation: Any = InterpolationMode.NEAREST,
        fill: Any = None,
        *,
        generator: Any = None,
    ) -> None:
        bins_ok = isinstance(num_magnitude_bins, numbers.Integral)
        if not bins_ok or num_magnitude_bins < 1:
            raise ValueError(
                f"{type(self).__name__}: num_magnitude_bins should be a positive integer, got "
                f"{num_magnitude_bins!r}"
            )
        self.num_magnitude_bins = num_magnitude_bins
        self._setup(interpolation, fill, generator)

    @staticmethod
    def augmentation_space(num_bins: int) -> _Space:
        """The op names and their magnitude bins (None: no magnitude) and signedness."""
        return {
            "Identity": (None, False),
            "ShearX": (_linspace(0.0, 0.99, num_bins), True),
            "ShearY": (_linspace(0.0, 0.99, num_bins), True),
            "TranslateX": (_linspace(0.0, 32.0, num_bins), True),
            "TranslateY": (_linspace(0.0, 32.0, num_bins), True),
            "Rotate": (_linspace(0.0, 135.0, num_bins), True),
            "Brightness": (_linspace(0.0, 0.99, num_bins), True),
            "Color": (_linspace(0.0, 0.99, num_bins), True),
            "Contrast": (_linspace(0.0, 0.99, num_bins), True),
            "Sharpness": (_linspace(0.0, 0.99, num_bins), True),
            "Posterize": (_posterize_bins(num_bins, 8, 6), False),
            "Solarize": (_linspace(1.0, 0.0, num_bins), False),
            "AutoContrast": (None, False),
            "Equalize": (None, False),
        }

    def forward(self, img: Any) -> Any:
        space = self.augmentation_space(self.num_magnitude_bins)
        names = list(space)
        src = self._source()
        op_name = names[src.randint(0, len(names))]
        bins, signed = space[op_name]
        index = 0 if bins is None else src.randint(0, len(bins))
        negate = signed and src.randint(0, 2) == 1
        return self._run(img, op_name, bins, index, negate)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(num_magnitude_bins={self.num_magnitude_bins}, "
            f"interpolation={self.interpolation}, fill={self.fill})"
        )


class AugMix(_Augment):
    """Mix the image with ``mixture_width`` chains of 1-3 (or ``chain_depth``) random ops:
    ``m * img + (1 - m) * sum_i w_i * chain_i(img)`` with ``m ~ Beta(alpha, alpha)`` and
    ``w ~ Dirichlet(alpha, ..., alpha)``, per image of a batch.

    Parameters
    ----------
    severity : int in [1, 10], default 3
        Magnitude bins are drawn from the first ``severity`` of 10.
    mixture_width : int, default 3
    chain_depth : int, default -1
        ``<= 0`` draws a depth from {1, 2, 3} per chain.
    alpha : float, default 1.0
    all_ops : bool, default True
        Also use brightness, colour, contrast and sharpness (which overlap ImageNet-C).
    interpolation : InterpolationMode, default BILINEAR
    fill : number or sequence, optional
    generator : npgrad.random.Generator or numpy.random.Generator, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data.transforms import AugMix
    >>> AugMix()(npgrad.zeros(2, 3, 6, 6, dtype=npgrad.uint8)).shape
    npgrad.Size([2, 3, 6, 6])
    """

    _PARAMETER_MAX = 10

    def __init__(
        self,
        severity: int = 3,
        mixture_width: int = 3,
        chain_depth: int = -1,
        alpha: float = 1.0,
        all_ops: bool = True,
        interpolation: Any = InterpolationMode.BILINEAR,
        fill: Any = None,
        *,
        generator: Any = None,
    ) -> None:
        if not 1 <= severity <= self._PARAMETER_MAX:
            raise ValueError(
                f"The severity must be between [1, {self._PARAMETER_MAX}]. Got {severity} instead."
            )
        if mixture_width < 1:
            raise ValueError(f"mixture_width should be at least 1, got {mixture_width}")
        if alpha <= 0:
            raise ValueError(f"alpha should be positive, got {alpha}")
        self.severity = severity
        self.mixture_width = mixture_width
        self.chain_depth = chain_depth
        self.alpha = alpha
        self.all_ops = all_ops
        self._setup(interpolation, fill, generator)

    def augmentation_space(self, num_bins: int, height: int, width: int) -> _Space:
        """The op names and their magnitude bins (None: no magnitude) and signedness."""
        space: _Space = {
            "ShearX": (_linspace(0.0, 0.3, num_bins), True),
            "ShearY": (_linspace(0.0, 0.3, num_bins), True),
            "TranslateX": (_linspace(0.0, width / 3.0, num_bins), True),
            "TranslateY": (_linspace(0.0, height / 3.0, num_bins), True),
            "Rotate": (_linspace(0.0, 30.0, num_bins), True),
            "Posterize": (_posterize_bins(num_bins, 4, 4), False),
            "Solarize": (_linspace(1.0, 0.0, num_bins), False),
            "AutoContrast": (None, False),
            "Equalize": (None, False),
        }
        if self.all_ops:
            for name in ("Brightness", "Color", "Contrast", "Sharpness"):
                space[name] = (_linspace(0.0, 0.9, num_bins), True)
        return space

    def forward(self, img: Any) -> Any:
        is_pil = not isinstance(img, Tensor)
        tensor = F.pil_to_tensor(img) if is_pil else img
        arr = image_array(tensor, "AugMix")
        _, height, width = F.get_dimensions(tensor)
        space = self.augmentation_space(self._PARAMETER_MAX, height, width)
        names = list(space)
        batch = arr.reshape((1,) * max(4 - arr.ndim, 0) + arr.shape)
        n = len(batch)
        src = self._source()
        # Beta(alpha, alpha) as a 2-component Dirichlet, and the chains' Dirichlet weights,
        # from a NumPy generator seeded by the transform's generator
        rng = np.random.default_rng(src.seed())
        m = rng.dirichlet([self.alpha, self.alpha], size=n).astype(np.float32)
        weights = rng.dirichlet([self.alpha] * self.mixture_width, size=n).astype(np.float32)
        weights = weights * m[:, 1:2]
        work = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float32)
        shape = (n,) + (1,) * (batch.ndim - 1)
        mix = m[:, 0].astype(work).reshape(shape) * batch.astype(work)
        fill = _tensor_fill(self.fill, tensor)
        for i in range(self.mixture_width):
            aug: Any = wrap(batch)
            depth = self.chain_depth if self.chain_depth > 0 else src.randint(1, 4)
            for _ in range(depth):
                op_name = names[src.randint(0, len(names))]
                bins, signed = space[op_name]
                magnitude = _magnitude(
                    bins, src.randint(0, self.severity) if bins is not None else 0
                )
                if signed and src.randint(0, 2) == 1:
                    magnitude = -magnitude
                aug = _apply_op(aug, op_name, magnitude, self.interpolation, fill)
            mix += weights[:, i].astype(work).reshape(shape) * aug._data.astype(work)
        out = wrap(mix.reshape(arr.shape).astype(arr.dtype))
        return F.to_pil_image(out, mode=img.mode) if is_pil else out

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(severity={self.severity}, "
            f"mixture_width={self.mixture_width}, chain_depth={self.chain_depth}, "
            f"alpha={self.alpha}, all_ops={self.all_ops}, interpolation={self.interpolation}, "
            f"fill={self.fill})"
        )
