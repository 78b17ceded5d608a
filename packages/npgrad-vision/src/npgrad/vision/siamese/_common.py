"""Helpers shared by the Siamese modules."""

from __future__ import annotations

import numbers
import operator
from typing import Any

import numpy as np

from npgrad.tensor import Tensor

__all__: list[str] = []


def as_numpy(x: Any) -> np.ndarray:
    if isinstance(x, Tensor):
        return x.detach().numpy()
    return np.asarray(x)


def as_int(value: Any, name: str, where: str, minimum: int | None = 0) -> int:
    """``value`` as an int (also a NumPy integer), at least ``minimum``; else a clear error."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{where}: {name} must be an int, got {value!r}")
    if minimum is not None and value < minimum:
        least = "non-negative" if minimum == 0 else f"at least {minimum}"
        raise ValueError(f"{where}: {name} must be {least}, got {value}")
    return int(value)


def check_index(index: Any, length: int, where: str) -> int:
    """A sample index in ``[-length, length)`` as an int (IndexError naming it else)."""
    try:
        index = operator.index(index)
    except TypeError:
        raise TypeError(f"{where} indices must be integers, got {type(index).__name__}") from None
    if not -length <= index < length:
        raise IndexError(f"{where}: index {index} is out of range for {length} samples")
    return int(index)
