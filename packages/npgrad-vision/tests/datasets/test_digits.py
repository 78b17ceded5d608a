"""The bundled UCI digits: shipped data, the fixed split, scaling, upscaling, transforms."""

from __future__ import annotations

import csv
import gzip
import hashlib
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import npgrad
from npgrad.data import DataLoader
from npgrad.data import transforms as T
from npgrad.vision.datasets import Digits, load_digits

BUNDLED_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
# sha256(uint8 images (N, 8, 8) in 0..16 + int64 little-endian labels) of each split: the split
# is part of the public contract and must never change
TRAIN_DIGEST = "d491a6e90aefae16efbfa50a4eb798345831e977c7f4b06cd684bed98312669c"
TEST_DIGEST = "548c6c89a41f2ae2868f3bbea72eb3a958c4c8e3599d3cc00271f3c0d9eea785"


def bundled_path() -> Path:
    return Path(str(resources.files("npgrad.vision.datasets") / "_data" / "digits.csv.gz"))


def read_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """An independent reader (the csv module) of digits.csv.gz."""
    with gzip.open(path, "rt") as f:
        rows = [[int(v) for v in row] for row in csv.reader(f)]
    table = np.array(rows)
    return table[:, :64].reshape(-1, 8, 8), table[:, 64]


def split_digest(ds: Digits) -> str:
    raw = np.rint(ds.data.numpy() * 16).astype(np.uint8)
    return hashlib.sha256(raw.tobytes() + ds.targets.numpy().astype("<i8").tobytes()).hexdigest()


def test_bundled_file_is_the_shared_data(shared_data: Path) -> None:
    data = bundled_path().read_bytes()
    assert hashlib.sha256(data).hexdigest() == BUNDLED_SHA256
    assert data == (shared_data / "digits.csv.gz").read_bytes()


def test_split_is_first_1347_and_last_450_rows() -> None:
    images, labels = read_csv(bundled_path())
    train, test = Digits(train=True), Digits(train=False)
    assert (len(train), len(test)) == (1347, 450)
    np.testing.assert_array_equal(train.data.numpy()[:, 0] * 16, images[:1347])
    np.testing.assert_array_equal(test.data.numpy()[:, 0] * 16, images[1347:])
    np.testing.assert_array_equal(train.targets.numpy(), labels[:1347])
    np.testing.assert_array_equal(test.targets.numpy(), labels[1347:])


def test_split_never_changes() -> None:
    assert split_digest(Digits(train=True)) == TRAIN_DIGEST
    assert split_digest(Digits(train=False)) == TEST_DIGEST
    counts = np.bincount(Digits(train=False).targets.numpy())
    assert counts.tolist() == [43, 46, 43, 47, 48, 45, 47, 45, 41, 45]


def test_samples() -> None:
    ds = Digits()
    x, y = ds[0]
    assert isinstance(x, npgrad.Tensor) and x.shape == (1, 8, 8) and x.dtype == np.float32
    assert not x.requires_grad and type(y) is int and y == 0
    assert x.numpy()[0, 0].tolist() == [0, 0, 5 / 16, 13 / 16, 9 / 16, 1 / 16, 0, 0]
    data = ds.data.numpy()
    assert data.min() == 0.0 and data.max() == 1.0
    np.testing.assert_array_equal(data * 16, np.rint(data * 16))  # exactly k / 16
    assert ds[-1][1] == int(ds.targets.numpy()[-1])
    with pytest.raises(IndexError):
        ds[1347]


def test_samples_are_copies() -> None:
    ds = Digits(train=False)
    x, _ = ds[3]
    x.numpy()[...] = 99.0
    assert float(ds[3][0].max()) <= 1.0
    images, _ = load_digits()
    images[...] = 0
    assert load_digits()[0].max() == 16


def test_load_digits() -> None:
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8
    assert labels.dtype == np.int64 and np.bincount(labels).tolist() == [
        178,
        182,
        177,
        183,
        181,
        182,
        181,
        179,
        174,
        180,
    ]


def test_upscale_nearest_repeats_pixels() -> None:
    small, big = Digits(train=False), Digits(train=False, upscale=16, interpolation="nearest")
    assert big.data.shape == (450, 1, 16, 16)
    expected = small.data.numpy().repeat(2, axis=2).repeat(2, axis=3)
    np.testing.assert_array_equal(big.data.numpy(), expected)


def test_upscale_bilinear() -> None:
    small, big = Digits(train=False), Digits(train=False, upscale=24)
    b = big.data.numpy()
    assert b.shape == (450, 1, 24, 24) and b.dtype == np.float32
    assert b.min() >= 0.0 and b.max() <= 1.0
    # smooth, not blocky: interior pixels take values between the 8x8 neighbours
    assert len(np.unique(b[0])) > len(np.unique(small.data.numpy()[0])) * 2
    # same overall brightness (up to border effects), same label
    np.testing.assert_allclose(
        b.mean(axis=(1, 2, 3)), small.data.numpy().mean(axis=(1, 2, 3)), atol=0.02
    )
    assert big[5][1] == small[5][1]


def test_upscale_rectangular_and_native() -> None:
    assert Digits(upscale=(16, 12))[0][0].shape == (1, 16, 12)
    np.testing.assert_array_equal(Digits(upscale=8).data.numpy(), Digits().data.numpy())


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"upscale": 4}, ValueError, "at least 8"),
        ({"upscale": 2.5}, TypeError, "upscale must be None, an int"),
        ({"upscale": True}, TypeError, "upscale must be None, an int"),
        ({"upscale": (16,)}, TypeError, "upscale must be None, an int"),
        ({"interpolation": "bicubic"}, ValueError, "'bilinear' or 'nearest'"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        Digits(**kwargs)


def test_transforms_and_dataloader() -> None:
    ds = Digits(
        train=False,
        transform=T.Normalize(mean=[0.5], std=[0.5]),
        target_transform=lambda y: y * 2,
    )
    x, y = ds[1]
    np.testing.assert_allclose(x.numpy(), Digits(train=False)[1][0].numpy() * 2 - 1)
    assert y == 2 * int(Digits(train=False).targets.numpy()[1])
    xb, yb = next(iter(DataLoader(ds, batch_size=64, shuffle=False)))
    assert xb.shape == (64, 1, 8, 8) and xb.dtype == np.float32 and yb.dtype == np.int64


def test_classes_and_repr() -> None:
    ds = Digits(train=False, upscale=24)
    assert ds.classes[3] == "3 - three" and ds.class_to_idx["9 - nine"] == 9
    assert repr(ds) == (
        "Dataset Digits\n    Number of datapoints: 450\n    Split: Test\n"
        "    Image size: 24x24 (bilinear)"
    )
