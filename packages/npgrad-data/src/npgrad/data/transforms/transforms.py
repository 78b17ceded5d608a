"""Image transforms as objects (torchvision's ``transforms``): the deterministic ones and
``Compose``. The random ones live in :mod:`~npgrad.data.transforms.random_transforms` and
:mod:`~npgrad.data.transforms.random_appearance`.

Each transform is a plain callable (torchvision's are ``nn.Module``\\ s; npgrad-data does not
depend on npgrad-nn): ``t(img)`` and ``t.forward(img)`` do the same.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import npgrad
from npgrad.data.transforms import functional as F
from npgrad.data.transforms.functional import InterpolationMode
from npgrad.tensor import Tensor

__all__ = [
    "CenterCrop",
    "Compose",
    "ConvertImageDtype",
    "GrayScale",
    "Grayscale",
    "Lambda",
    "Normalize",
    "PILToTensor",
    "Pad",
    "Reshape",
    "Resize",
    "ToPILImage",
    "ToTensor",
    "Transform",
]


class Transform:
    """Base class: subclasses implement ``forward(img)``; calling the transform runs it."""

    def forward(self, img: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} should implement forward(img)")

    def __call__(self, img: Any) -> Any:
        return self.forward(img)

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


def setup_size(size: Any, error_msg: str) -> tuple[int, int]:
    """``(h, w)`` from an int, a 1-sequence or a 2-sequence."""
    if isinstance(size, numbers.Number):
        return int(size), int(size)  # type: ignore[call-overload]
    if isinstance(size, Sequence) and len(size) == 1:
        return int(size[0]), int(size[0])
    if not isinstance(size, Sequence) or len(size) != 2:
        raise ValueError(error_msg)
    return int(size[0]), int(size[1])


class Compose(Transform):
    """Apply several transforms in order.

    Parameters
    ----------
    transforms : list of callables

    Examples
    --------
    >>> import numpy as np
    >>> from npgrad.data import transforms as T
    >>> t = T.Compose([T.ToTensor(), T.Normalize([0.5], [0.5])])
    >>> t(np.array([[0, 255]], dtype=np.uint8))
    tensor([[[-1.,  1.]]])
    >>> t
    Compose(
        ToTensor()
        Normalize(mean=[0.5], std=[0.5])
    )
    """

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def forward(self, img: Any) -> Any:
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        lines = "".join(f"\n    {t}" for t in self.transforms)
        return f"{type(self).__name__}({lines}\n)"


class ToTensor(Transform):
    """PIL image or ``(H, W, C)`` ndarray → ``(C, H, W)`` tensor; uint8 is scaled to
    ``[0, 1]`` in the default float dtype (see :func:`~npgrad.data.transforms.functional.to_tensor`).

    Examples
    --------
    >>> from PIL import Image
    >>> from npgrad.data.transforms import ToTensor
    >>> x = ToTensor()(Image.new("RGB", (4, 2), (255, 0, 51)))
    >>> x.shape, x[:, 0, 0].tolist()
    (npgrad.Size([3, 2, 4]), [1.0, 0.0, 0.20000000298023224])
    """

    def forward(self, pic: Any) -> Tensor:
        return F.to_tensor(pic)


class PILToTensor(Transform):
    """PIL image → ``(C, H, W)`` tensor of the same values (no scaling)."""

    def forward(self, pic: Any) -> Tensor:
        return F.pil_to_tensor(pic)


class ToPILImage(Transform):
    """``(C, H, W)`` tensor or ``(H, W, C)`` ndarray → PIL image (mode inferred when None).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data.transforms import ToPILImage
    >>> ToPILImage()(npgrad.zeros(1, 2, 3)).mode
    'L'
    """

    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode

    def forward(self, pic: Any) -> Any:
        return F.to_pil_image(pic, self.mode)

    def extra_repr(self) -> str:
        return "" if self.mode is None else f"mode={self.mode}"


class ConvertImageDtype(Transform):
    """Convert a tensor image to ``dtype``, rescaling its values.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data.transforms import ConvertImageDtype
    >>> ConvertImageDtype(npgrad.float32)(npgrad.tensor([255], dtype=npgrad.uint8))
    tensor([1.])
    """

    def __init__(self, dtype: Any) -> None:
        self.dtype = npgrad.dtypes.to_dtype(dtype)

    def forward(self, image: Tensor) -> Tensor:
        return F.convert_image_dtype(image, self.dtype)

    def extra_repr(self) -> str:
        return f"dtype={self.dtype}"


class Normalize(Transform):
    """``(x - mean[c]) / std[c]`` for each channel ``c`` of a float tensor image.

    Parameters
    ----------
    mean, std : sequence of float
        One value per channel (or one for all).
    inplace : bool, default False
        Write the result into the input tensor.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data.transforms import Normalize
    >>> Normalize(mean=[0.5, 0.5], std=[0.25, 0.5])(npgrad.ones(2, 1, 1)).flatten()
    tensor([2., 1.])
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.mean, self.std, self.inplace = mean, std, inplace

    def forward(self, tensor: Tensor) -> Tensor:
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def extra_repr(self) -> str:
        return f"mean={self.mean}, std={self.std}"


class Resize(Transform):
    """Resize to ``size`` (an int matches the smaller edge, keeping the aspect ratio).

    Parameters
    ----------
    size : int or (h, w)
    interpolation : InterpolationMode, default BILINEAR
        Pillow's resampling constants are accepted too.
    max_size : int, optional
        Bound on the longer edge when ``size`` is an int.
    antialias : bool, default True
        Tensors only (PIL always antialiases).

    Examples
    --------
    >>> from PIL import Image
    >>> from npgrad.data.transforms import Resize
    >>> Resize(32)(Image.new("RGB", (128, 64))).size
    (64, 32)
    >>> Resize((10, 20))
    Resize(size=(10, 20), interpolation=bilinear, max_size=None, antialias=True)
    """

    def __init__(
        self,
        size: int | Sequence[int],
        interpolation: Any = InterpolationMode.BILINEAR,
        max_size: int | None = None,
        antialias: bool | None = True,
    ) -> None:
        if not isinstance(size, (int, Sequence)):
            raise TypeError(f"Size should be int or sequence. Got {type(size).__name__}")
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        self.size = size
        self.max_size = max_size
        self.interpolation = F.interpolation_mode(interpolation)
        self.antialias = antialias

    def forward(self, img: Any) -> Any:
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def extra_repr(self) -> str:
        return (
            f"size={self.size}, interpolation={self.interpolation.value}, "
            f"max_size={self.max_size}, antialias={self.antialias}"
        )


class CenterCrop(Transform):
    """Crop the centre ``size`` window (zero-padding a smaller image first).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data.transforms import CenterCrop
    >>> CenterCrop(2)(npgrad.arange(16).reshape(1, 4, 4))
    tensor([[[ 5,  6],
             [ 9, 10]]])
    """

    def __init__(self, size: int | Sequence[int]) -> None:
        self.size = setup_size(size, "Please provide only two dimensions (h, w) for size.")

    def forward(self, img: Any) -> Any:
        return F.center_crop(img, self.size)

    def extra_repr(self) -> str:
        return f"size={self.size}"


class Pad(Transform):
    """Pad the borders (see :func:`~npgrad.data.transforms.functional.pad`).

    Examples
    --------
    >>> from PIL import Image
    >>> from npgrad.data.transforms import Pad
    >>> Pad((1, 2))(Image.new("L", (3, 3))).size
    (5, 7)
    """

    def __init__(
        self, padding: int | Sequence[int], fill: Any = 0, padding_mode: str = "constant"
    ) -> None:
        from npgrad.data.transforms._pil import check_padding

        check_padding(padding, fill, padding_mode)
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def forward(self, img: Any) -> Any:
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode}"


class Lambda(Transform):
    """Wrap a function as a transform.

    Examples
    --------
    >>> from npgrad.data.transforms import Lambda
    >>> Lambda(lambda x: x * 2)(21)
    42
    """

    def __init__(self, lambd: Callable[[Any], Any]) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def forward(self, img: Any) -> Any:
        return self.lambd(img)


class Grayscale(Transform):
    """Convert to grayscale with 1 or 3 (equal) output channels.

    ``GrayScale`` (the nptorch spelling) is the same class.

    Examples
    --------
    >>> from PIL import Image
    >>> from npgrad.data.transforms import Grayscale
    >>> Grayscale()(Image.new("RGB", (2, 2), (255, 0, 0))).getpixel((0, 0))
    76
    >>> Grayscale(3)(Image.new("RGB", (2, 2))).mode
    'RGB'
    """

    def __init__(self, num_output_channels: int = 1) -> None:
        if num_output_channels not in (1, 3):
            raise ValueError("num_output_channels should be either 1 or 3")
        self.num_output_channels = num_output_channels

    def forward(self, img: Any) -> Any:
        return F.rgb_to_grayscale(img, self.num_output_channels)

    def extra_repr(self) -> str:
        return f"num_output_channels={self.num_output_channels}"


GrayScale = Grayscale  # nptorch's name


class Reshape(Transform):
    """Reshape a tensor (or ndarray), e.g. ``Reshape(-1)`` to flatten an image (nptorch's
    transform; torchvision has none).

    Parameters
    ----------
    *shape : int or one tuple of ints
        The new shape; one entry may be -1.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data.transforms import Reshape
    >>> Reshape(-1)(npgrad.zeros(1, 2, 3)).shape
    npgrad.Size([6])
    >>> Reshape((3, 2))(npgrad.zeros(1, 2, 3)).shape
    npgrad.Size([3, 2])
    """

    def __init__(self, *shape: int | Sequence[int]) -> None:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        if not shape or not all(isinstance(s, (int, np.integer)) for s in shape):
            raise TypeError(f"Reshape: the shape must be ints or one tuple of ints, got {shape!r}")
        self.shape = tuple(int(s) for s in shape)  # type: ignore[arg-type]

    def forward(self, img: Any) -> Any:
        if isinstance(img, (Tensor, np.ndarray)):
            return img.reshape(self.shape)
        raise TypeError(f"Reshape expects a Tensor or ndarray, got {type(img).__name__}")

    def extra_repr(self) -> str:
        return f"shape={self.shape}"
