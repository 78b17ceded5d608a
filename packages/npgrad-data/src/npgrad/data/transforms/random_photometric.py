"""torchvision's photometric transforms beyond ``ColorJitter``: ``GaussianBlur``,
``RandomInvert``, ``RandomPosterize``, ``RandomSolarize``, ``RandomAdjustSharpness``,
``RandomAutocontrast``, ``RandomEqualize`` and ``LinearTransformation``.

The random ones take a keyword-only ``generator`` like every random transform here (see
:mod:`~npgrad.data.transforms.random_transforms`).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from npgrad.data._random import RandomSource, check_generator
from npgrad.data.transforms import functional as F
from npgrad.data.transforms._common import wrap
from npgrad.data.transforms.random_transforms import RandomTransform
from npgrad.data.transforms.transforms import Transform, setup_size
from npgrad.dtypes import promote_types
from npgrad.tensor import Tensor

__all__ = [
    "GaussianBlur",
    "LinearTransformation",
    "RandomAdjustSharpness",
    "RandomAutocontrast",
    "RandomEqualize",
    "RandomInvert",
    "RandomPosterize",
    "RandomSolarize",
]


class GaussianBlur(RandomTransform):
    """Gaussian blur with a ``sigma`` drawn uniformly from ``sigma = (min, max)`` (or fixed).

    Parameters
    ----------
    kernel_size : int or (kx, ky)
        Odd and positive.
    sigma : float or (min, max), default (0.1, 2.0)
    generator : npgrad.random.Generator or numpy.random.Generator, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data.transforms import GaussianBlur
    >>> GaussianBlur(3, sigma=1.0)(npgrad.ones(3, 5, 5)).shape
    npgrad.Size([3, 5, 5])
    >>> GaussianBlur(5)
    GaussianBlur(kernel_size=(5, 5), sigma=(0.1, 2.0))
    """

    def __init__(
        self,
        kernel_size: int | Sequence[int],
        sigma: float | Sequence[float] = (0.1, 2.0),
        *,
        generator: Any = None,
    ) -> None:
        self.kernel_size = setup_size(
            kernel_size, "Kernel size should be a tuple/list of two integers"
        )
        for ks in self.kernel_size:
            if ks <= 0 or ks % 2 == 0:
                raise ValueError("Kernel size value should be an odd and positive number.")
        if isinstance(sigma, numbers.Number) and not isinstance(sigma, bool):
            if sigma <= 0:  # type: ignore[operator]
                raise ValueError("If sigma is a single number, it must be positive.")
            self.sigma = (float(sigma), float(sigma))  # type: ignore[arg-type]
        elif isinstance(sigma, Sequence) and len(sigma) == 2:
            if not 0.0 < sigma[0] <= sigma[1]:
                raise ValueError("sigma values should be positive and of the form (min, max).")
            self.sigma = (float(sigma[0]), float(sigma[1]))
        else:
            raise ValueError("sigma should be a single number or a list/tuple with length 2.")
        self.generator = check_generator(generator, "GaussianBlur")

    @staticmethod
    def get_params(sigma_min: float, sigma_max: float, *, generator: Any = None) -> float:
        """A sigma drawn uniformly from ``[sigma_min, sigma_max)``."""
        return RandomSource(generator).uniform(sigma_min, sigma_max)

    def forward(self, img: Any) -> Any:
        sigma = self.get_params(self.sigma[0], self.sigma[1], generator=self.generator)
        return F.gaussian_blur(img, list(self.kernel_size), [sigma, sigma])

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, sigma={self.sigma}"


class _RandomPixelOp(RandomTransform):
    """Apply ``self._apply(img)`` with probability ``p``."""

    def __init__(self, p: float = 0.5, *, generator: Any = None) -> None:
        self.p = p
        self.generator = check_generator(generator, type(self).__name__)

    def _apply(self, img: Any) -> Any:
        raise NotImplementedError  # every subclass defines it

    def forward(self, img: Any) -> Any:
        return self._apply(img) if self._source().random() < self.p else img

    def extra_repr(self) -> str:
        return f"p={self.p}"


class RandomInvert(_RandomPixelOp):
    """Invert the colours with probability ``p`` (see :func:`~.functional.invert`).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data.transforms import RandomInvert
    >>> RandomInvert(p=1.0)(npgrad.tensor([[[0.25]]]))
    tensor([[[0.7500]]])
    """

    def _apply(self, img: Any) -> Any:
        return F.invert(img)


class RandomAutocontrast(_RandomPixelOp):
    """Autocontrast with probability ``p`` (see :func:`~.functional.autocontrast`).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data.transforms import RandomAutocontrast
    >>> RandomAutocontrast(p=1.0)(npgrad.tensor([[[0.25, 0.5]]]))
    tensor([[[0., 1.]]])
    """

    def _apply(self, img: Any) -> Any:
        return F.autocontrast(img)


class RandomEqualize(_RandomPixelOp):
    """Histogram-equalize with probability ``p`` (see :func:`~.functional.equalize`).

    Examples
    --------
    >>> from npgrad.data.transforms import RandomEqualize
    >>> RandomEqualize(0.3)
    RandomEqualize(p=0.3)
    """

    def _apply(self, img: Any) -> Any:
        return F.equalize(img)


class RandomPosterize(_RandomPixelOp):
    """Posterize to ``bits`` bits with probability ``p`` (see :func:`~.functional.posterize`).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data.transforms import RandomPosterize
    >>> RandomPosterize(1, p=1.0)(npgrad.tensor([[[200, 100]]], dtype=npgrad.uint8))
    tensor([[[128,   0]]], dtype=npgrad.uint8)
    """

    def __init__(self, bits: int, p: float = 0.5, *, generator: Any = None) -> None:
        super().__init__(p, generator=generator)
        self.bits = bits

    def _apply(self, img: Any) -> Any:
        return F.posterize(img, self.bits)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(bits={self.bits},p={self.p})"


class RandomSolarize(_RandomPixelOp):
    """Solarize above ``threshold`` with probability ``p`` (see :func:`~.functional.solarize`).

    Examples
    --------
    >>> from npgrad.data.transforms import RandomSolarize
    >>> RandomSolarize(128)
    RandomSolarize(threshold=128,p=0.5)
    """

    def __init__(self, threshold: float, p: float = 0.5, *, generator: Any = None) -> None:
        super().__init__(p, generator=generator)
        self.threshold = threshold

    def _apply(self, img: Any) -> Any:
        return F.solarize(img, self.threshold)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(threshold={self.threshold},p={self.p})"


class RandomAdjustSharpness(_RandomPixelOp):
    """Change the sharpness by ``sharpness_factor`` with probability ``p`` (see
    :func:`~.functional.adjust_sharpness`).

    Examples
    --------
    >>> from npgrad.data.transforms import RandomAdjustSharpness
    >>> RandomAdjustSharpness(2)
    RandomAdjustSharpness(sharpness_factor=2,p=0.5)
    """

    def __init__(self, sharpness_factor: float, p: float = 0.5, *, generator: Any = None) -> None:
        super().__init__(p, generator=generator)
        self.sharpness_factor = sharpness_factor

    def _apply(self, img: Any) -> Any:
        return F.adjust_sharpness(img, self.sharpness_factor)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(sharpness_factor={self.sharpness_factor},p={self.p})"


class LinearTransformation(Transform):
    """Flatten a ``(..., C, H, W)`` tensor image to ``D = C*H*W`` values, subtract
    ``mean_vector`` and multiply by the ``D x D`` ``transformation_matrix`` (e.g. ZCA
    whitening), keeping the shape.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data.transforms import LinearTransformation
    >>> t = LinearTransformation(2 * npgrad.eye(2), npgrad.tensor([1.0, 0.0]))
    >>> t(npgrad.tensor([[[1.0, 2.0]]]))
    tensor([[[0., 4.]]])
    """

    def __init__(self, transformation_matrix: Tensor, mean_vector: Tensor) -> None:
        if not isinstance(transformation_matrix, Tensor) or not isinstance(mean_vector, Tensor):
            raise TypeError("transformation_matrix and mean_vector should be Tensors")
        shape = tuple(transformation_matrix.shape)
        if transformation_matrix.ndim != 2 or shape[0] != shape[1]:
            raise ValueError(
                f"transformation_matrix should be square. Got {shape} rectangular matrix."
            )
        if mean_vector.ndim != 1 or mean_vector.shape[0] != shape[0]:
            raise ValueError(
                f"mean_vector should have the same length {mean_vector.shape[0]} as any one of "
                f"the dimensions of the transformation_matrix [{shape}]"
            )
        self.transformation_matrix = transformation_matrix
        self.mean_vector = mean_vector

    def forward(self, tensor: Any) -> Any:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"tensor should be a Tensor. Got {type(tensor).__name__}")
        shape = tuple(tensor.shape)
        if len(shape) < 3:
            raise ValueError(f"LinearTransformation expects a (..., C, H, W) tensor, got {shape}")
        n = shape[-3] * shape[-2] * shape[-1]
        d = self.transformation_matrix.shape[0]
        if n != d:
            raise ValueError(
                "Input tensor and transformation matrix have incompatible shape."
                f"[{shape[-3]} x {shape[-2]} x {shape[-1]}] != {d}"
            )
        # torch's promotion: a uint8 image and a float32 mean give float32, not uint8 wrapping
        dtype = np.dtype(promote_types(tensor.dtype, self.mean_vector.dtype))
        arr = tensor.detach()._data
        flat = arr.reshape(-1, n).astype(dtype) - self.mean_vector.detach()._data.astype(dtype)
        matrix = self.transformation_matrix.detach()._data.astype(flat.dtype)
        return wrap(np.ascontiguousarray((flat @ matrix).reshape(shape)))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(transformation_matrix="
            f"{self.transformation_matrix.tolist()}, mean_vector={self.mean_vector.tolist()})"
        )
