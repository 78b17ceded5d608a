"""Images for the transform tests: small synthetic ones made with Pillow, and the real photos
of the monorepo's shared data directory when it is present (those tests skip otherwise)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

# <repo>/../shared/data/images: next to the repository, not shipped with it
SHARED_IMAGES = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "images"


def smooth_rgb(width: int = 37, height: int = 29, seed: int = 0) -> np.ndarray:
    """An HWC uint8 picture: gradients plus noise, so resampling has something to average."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 / width, y * 255 / height, (x + y) * 127 / (width + height)], -1)
    return np.clip(base + rng.normal(0, 20, base.shape), 0, 255).astype(np.uint8)


@pytest.fixture
def rgb_array() -> np.ndarray:
    return smooth_rgb()


@pytest.fixture
def rgb_image(rgb_array: np.ndarray) -> Image.Image:
    return Image.fromarray(rgb_array, "RGB")


@pytest.fixture
def gray_image(rgb_image: Image.Image) -> Image.Image:
    return rgb_image.convert("L")


@pytest.fixture(params=["china.jpg", "flower.jpg"])
def real_image(request: pytest.FixtureRequest) -> Image.Image:
    path = SHARED_IMAGES / request.param
    if not path.exists():
        pytest.skip(f"{path} is not present (the shared data directory is outside the repo)")
    with Image.open(path) as img:
        return img.convert("RGB")
