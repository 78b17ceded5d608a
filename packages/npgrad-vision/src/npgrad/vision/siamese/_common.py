"""Helpers shared by the Siamese modules."""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad.tensor import Tensor

__all__: list[str] = []


def as_numpy(x: Any) -> np.ndarray:
    if isinstance(x, Tensor):
        return x.detach().numpy()
    return np.asarray(x)
