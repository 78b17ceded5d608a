"""Datasets for the shared-memory transport tests (importable by a ``spawn``-ed worker)."""

from __future__ import annotations

import numpy as np

import npgrad
from npgrad.data import Dataset


class BigSamples(Dataset):
    """Sample ``i``: a dict of a (3, 64, 64) float32 tensor of value-coded entries, an F-order
    float64 array, a non-contiguous int64 array, a bool mask, an empty array and ``i`` itself;
    with ``grow``, samples from ``grow`` on are twice as large (a later batch outgrows its
    worker's shared block)."""

    def __init__(self, n: int, grow: int | None = None) -> None:
        self.n, self.grow = n, grow

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> dict:
        side = 96 if self.grow is not None and i >= self.grow else 64
        image = np.arange(3 * side * side, dtype=np.float32).reshape(3, side, side) + i
        return {
            "image": npgrad.tensor(image),
            "fortran": np.asfortranarray(np.full((40, 30), float(i))),
            "strided": np.arange(200, dtype=np.int64)[::2] * i,
            "mask": np.arange(50) % (i + 2) == 0,
            "empty": np.zeros((0, 3), np.float32),
            "index": i,
        }
