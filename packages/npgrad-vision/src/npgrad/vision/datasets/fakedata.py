"""``FakeData``: random images, the same for the same index every time (torchvision's API)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from PIL import Image

from npgrad.vision.datasets.vision import VisionDataset

__all__ = ["FakeData"]

_MODES = {1: "L", 3: "RGB", 4: "RGBA"}


class FakeData(VisionDataset):
    """A dataset of random images and labels for testing pipelines.

    Sample ``i`` is drawn from a NumPy generator seeded with ``i + random_offset``, so it is
    the same on every access, in every worker process, and independent of the global seed.
    The image is standard-normal noise turned into 8-bit pixels as ``ToPILImage`` turns a
    float tensor (``× 255``, truncated, wrapped to 8 bits); the label is uniform in
    ``[0, num_classes)``.

    Parameters
    ----------
    size : int, optional
        Number of samples.
    image_size : (int, int, int), optional
        ``(channels, height, width)``; 1, 3 or 4 channels (modes ``L``, ``RGB``, ``RGBA``).
    num_classes : int, optional
        Number of classes.
    transform, target_transform : callable, optional
        Applied to the ``PIL.Image`` and to the int label.
    random_offset : int, optional
        Added to the index to form the seed (another offset, another dataset).

    Examples
    --------
    >>> from npgrad.vision.datasets import FakeData
    >>> ds = FakeData(size=4, image_size=(3, 8, 6), num_classes=5)
    >>> img, label = ds[2]
    >>> img.size, img.mode, 0 <= label < 5, ds[2][1] == label
    ((6, 8), 'RGB', True, True)
    """

    def __init__(
        self,
        size: int = 1000,
        image_size: Sequence[int] = (3, 224, 224),
        num_classes: int = 10,
        transform: Callable[..., Any] | None = None,
        target_transform: Callable[..., Any] | None = None,
        random_offset: int = 0,
    ) -> None:
        super().__init__(None, transform=transform, target_transform=target_transform)
        image_size = tuple(int(s) for s in image_size)
        if len(image_size) != 3 or image_size[0] not in _MODES or min(image_size) < 1:
            raise ValueError(
                "FakeData: image_size must be (channels, height, width) with 1, 3 or 4 "
                f"channels, got {image_size}"
            )
        if size < 0 or num_classes < 1:
            raise ValueError(
                f"FakeData: need size >= 0 and num_classes >= 1, got {size} and {num_classes}"
            )
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        if not -self.size <= index < self.size:
            raise IndexError(
                f"{type(self).__name__} index {index} out of range for size {self.size}"
            )
        index %= self.size
        rng = np.random.default_rng(index + self.random_offset)
        noise = rng.standard_normal(self.image_size, dtype=np.float32)
        target: Any = int(rng.integers(0, self.num_classes))
        pixels = (np.trunc(noise * 255).astype(np.int64) % 256).astype(np.uint8)
        hwc = pixels.transpose(1, 2, 0)
        img: Any = Image.fromarray(hwc[:, :, 0] if hwc.shape[2] == 1 else hwc, _MODES[hwc.shape[2]])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return self.size
