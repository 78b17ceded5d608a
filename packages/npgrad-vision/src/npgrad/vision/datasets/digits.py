"""The bundled UCI handwritten digits: 1,797 real 8×8 grey-level images, shipped in the package.

The data is the test set of the UCI ML "Optical Recognition of Handwritten Digits" data set
(E. Alpaydin and C. Kaynak, 1998; CC BY 4.0; see the package's NOTICE): 32×32 bitmaps of
digits written by 13 people, reduced to 8×8 blocks whose values 0–16 count the inked pixels.
It needs no download, so it is the default data of npgrad's examples and tests.

**The split is fixed forever:** the first 1,347 rows of the file (in file order) are the
training set and the last 450 the test set — a 75 % / 25 % split with no random numbers
involved, the same as scikit-learn's ``train_test_split(test_size=0.25, shuffle=False)``. Every
class has 133–137 training and 41–48 test images.

Examples
--------
>>> from npgrad.vision.datasets import Digits
>>> train, test = Digits(train=True), Digits(train=False)
>>> len(train), len(test)
(1347, 450)
>>> x, y = train[0]
>>> x.shape, x.dtype, y
(npgrad.Size([1, 8, 8]), dtype('float32'), 0)
>>> float(x.max()) <= 1.0
True
>>> Digits(upscale=24)[0][0].shape
npgrad.Size([1, 24, 24])
"""

from __future__ import annotations

import functools
import gzip
import io
from collections.abc import Callable
from importlib import resources
from typing import Any

import numpy as np
from PIL import Image

import npgrad
from npgrad.tensor import Tensor
from npgrad.vision.datasets.vision import VisionDataset

__all__ = ["Digits", "load_digits"]

N_SAMPLES = 1797
TRAIN_SIZE = 1347
TEST_SIZE = N_SAMPLES - TRAIN_SIZE

_INTERPOLATION = {"nearest": Image.Resampling.NEAREST, "bilinear": Image.Resampling.BILINEAR}


@functools.lru_cache(maxsize=1)
def _read_bundled() -> tuple[np.ndarray, np.ndarray]:
    ref = resources.files("npgrad.vision.datasets") / "_data" / "digits.csv.gz"
    with ref.open("rb") as raw, gzip.open(raw, "rt") as f:
        table = np.loadtxt(io.StringIO(f.read()), delimiter=",", dtype=np.int64)
    if table.shape != (N_SAMPLES, 65):
        raise RuntimeError(
            f"the bundled digits.csv.gz has shape {table.shape}, expected ({N_SAMPLES}, 65): "
            "the npgrad-vision installation is damaged; reinstall it"
        )
    images = table[:, :64].astype(np.uint8).reshape(N_SAMPLES, 8, 8)
    labels = table[:, 64].copy()
    images.setflags(write=False)  # shared by every Digits instance through the cache
    labels.setflags(write=False)
    return images, labels


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits as NumPy arrays, in file order.

    Returns
    -------
    images : numpy.ndarray
        ``uint8`` of shape ``(1797, 8, 8)`` with values 0–16.
    labels : numpy.ndarray
        ``int64`` of shape ``(1797,)`` with values 0–9.

    Examples
    --------
    >>> from npgrad.vision.datasets import load_digits
    >>> images, labels = load_digits()
    >>> images.shape, int(images.max()), labels[:5].tolist()
    ((1797, 8, 8), 16, [0, 1, 2, 3, 4])
    """
    images, labels = _read_bundled()
    return images.copy(), labels.copy()


def _size_pair(upscale: Any) -> tuple[int, int]:
    if isinstance(upscale, (int, np.integer)) and not isinstance(upscale, bool):
        size = (int(upscale), int(upscale))
    elif (
        isinstance(upscale, (tuple, list))
        and len(upscale) == 2
        and all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in upscale)
    ):
        size = (int(upscale[0]), int(upscale[1]))
    else:
        raise TypeError(
            f"Digits: upscale must be None, an int or a (height, width) pair, got {upscale!r}"
        )
    if min(size) < 8:
        raise ValueError(f"Digits: upscale must be at least 8 (the native size), got {upscale!r}")
    return size


class Digits(VisionDataset):
    """The bundled 8×8 handwritten digits (works offline; no ``root`` needed).

    Samples are ``(image, label)``: ``image`` a float32 tensor of shape ``(1, H, W)`` with
    values in ``[0, 1]`` (the 0–16 counts divided by 16), ``label`` an int 0–9.

    Parameters
    ----------
    train : bool, optional
        The training set (first 1,347 rows) or the test set (last 450 rows); fixed forever.
    transform : callable, optional
        Applied to the image tensor (e.g. ``transforms.Normalize``).
    target_transform : callable, optional
        Applied to the label.
    upscale : int or (int, int), optional
        Resize every image to this size (``24`` → 24×24, ``(16, 12)`` → height 16, width 12),
        once, at construction. ``None`` keeps 8×8.
    interpolation : {"bilinear", "nearest"}, optional
        How to resize: Pillow's bilinear filter on the float image (smooth; values stay in
        ``[0, 1]``) or nearest neighbour (blocky; for integer factors, each pixel repeated).

    Attributes
    ----------
    data : Tensor
        All images of the split, float32 ``(N, 1, H, W)``.
    targets : Tensor
        All labels, int64 ``(N,)``.
    classes : list of str
        ``["0 - zero", ..., "9 - nine"]`` (torchvision MNIST's names).

    Examples
    --------
    >>> from npgrad.vision.datasets import Digits
    >>> ds = Digits(train=False, upscale=16, interpolation="nearest")
    >>> ds.data.shape, ds.targets.shape
    (npgrad.Size([450, 1, 16, 16]), npgrad.Size([450]))
    """

    classes = [
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ]

    def __init__(
        self,
        train: bool = True,
        transform: Callable[..., Any] | None = None,
        target_transform: Callable[..., Any] | None = None,
        upscale: int | tuple[int, int] | None = None,
        interpolation: str = "bilinear",
    ) -> None:
        if interpolation not in _INTERPOLATION:
            raise ValueError(
                f"Digits: interpolation must be 'bilinear' or 'nearest', got {interpolation!r}"
            )
        size = None if upscale is None else _size_pair(upscale)
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.train = bool(train)
        self.upscale = upscale
        self.interpolation = interpolation
        images, labels = _read_bundled()
        rows = slice(0, TRAIN_SIZE) if self.train else slice(TRAIN_SIZE, N_SAMPLES)
        pixels = images[rows].astype(np.float32) / np.float32(16.0)
        if size is not None and size != (8, 8):
            pixels = self._resize(pixels, size, _INTERPOLATION[interpolation])
        self.data: Tensor = npgrad.from_numpy(np.ascontiguousarray(pixels[:, None]))
        self.targets: Tensor = npgrad.from_numpy(labels[rows].copy())

    @staticmethod
    def _resize(pixels: np.ndarray, size: tuple[int, int], resample: int) -> np.ndarray:
        h, w = size
        out = np.empty((len(pixels), h, w), np.float32)
        for i, img in enumerate(pixels):
            # mode "F" keeps the float values: no rounding to 8 bits before the network sees them
            out[i] = np.asarray(Image.fromarray(img).resize((w, h), resample))
        # bilinear weights sum to one, but float32 rounding may overshoot 1 by an ulp
        return np.clip(out, 0.0, 1.0, out=out)

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.classes)}

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        img: Any = npgrad.from_numpy(self.data._data[index].copy())
        target: Any = int(self.targets._data[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return int(self.data.shape[0])

    def extra_repr(self) -> str:
        split = "Train" if self.train else "Test"
        h, w = self.data.shape[-2:]
        return f"Split: {split}\nImage size: {h}x{w} ({self.interpolation})"
