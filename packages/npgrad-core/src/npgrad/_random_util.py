"""The sampling helpers of :mod:`npgrad.random` and :mod:`npgrad._random_dists`: dtype and
shape arguments, and uniform and normal samples drawn directly in the working dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.creation import _size
from npgrad.tensor import Tensor


# ---- helpers -------------------------------------------------------------------------------
def _float_dtype(op: str, dtype: Any) -> np.dtype:
    d = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"{op}: expected a floating dtype, got {d}")
    return d


def _shape(op: str, shape: tuple[Any, ...], size: Any) -> tuple[int, ...]:
    if size is not None:
        if shape:
            raise TypeError(f"{op}: give the size either positionally or as size=, not both")
        shape = (size,)
    return _size(op, shape)


def _uniform01(rng: np.random.Generator, shape: tuple[int, ...], d: np.dtype) -> np.ndarray:
    if d == dtypes.float16:
        # 11 random bits scaled by 2**-11 are exact in float16 and stay below 1 (rounding a
        # float32 sample to float16 could give exactly 1.0)
        k = rng.integers(0, 1 << 11, shape, dtype=np.int16).astype(np.float16)
        return k * np.float16(2.0**-11)
    return rng.random(shape, dtype=d)


def _std_normal(rng: np.random.Generator, shape: tuple[int, ...], d: np.dtype) -> np.ndarray:
    if d == dtypes.float16:
        return rng.standard_normal(shape, dtype=np.float32).astype(np.float16)
    return rng.standard_normal(shape, dtype=d)


def _number(op: str, name: str, value: Any) -> float:
    if isinstance(value, Tensor) and value.numel() == 1:
        return float(value.item())
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{op}: {name} must be a number, got {type(value).__name__}")
    return float(value)


def _uniform_array(
    op: str, rng: np.random.Generator, shape: tuple[int, ...], d: np.dtype, low: float, high: float
) -> np.ndarray:
    if not low <= high:
        raise ValueError(
            f"{op}: expected low <= high for the range [low, high), got low={low}, high={high}"
        )
    if low == 0.0 and high == 1.0:
        return _uniform01(rng, shape, d)
    w = np.float32 if d == dtypes.float16 else d.type  # float16 arithmetic is done in float32
    out = w(low) + (w(high) - w(low)) * _uniform01(rng, shape, np.dtype(w))
    # rounding can land exactly on high; keep the documented half-open range
    top = np.nextafter(d.type(high), d.type(low)) if high > low else d.type(high)
    return np.minimum(out.astype(d, copy=False), top)
