"""Exception types shared by the functional modules."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgrad.ops._shape_util import ShapeError

__all__: list[str] = []


class _ValueRuntimeError(ValueError, RuntimeError):
    """A bad argument value: a ValueError by npgrad's convention, and the RuntimeError that
    PyTorch raises in the same place, so ported ``except RuntimeError`` clauses keep working."""


class _ValueAssertionError(ValueError, AssertionError):
    """A bad argument value that PyTorch rejects with an ``assert`` (an AssertionError)."""


class _ShapeAssertionError(ShapeError, AssertionError):
    """A bad shape (npgrad's ShapeError, a ValueError) that PyTorch rejects with an ``assert``."""


class _TypeAssertionError(TypeError, AssertionError):
    """A bad dtype (npgrad's TypeError) that PyTorch rejects with an ``assert``."""


class _TypeRuntimeError(TypeError, RuntimeError):
    """A bad dtype (npgrad's TypeError) that PyTorch rejects with a RuntimeError."""


def _check_scalar_fits(op: str, what: str, v: Any, dtype: np.dtype) -> None:
    """PyTorch's check when it converts a Python number to a tensor's dtype (``value cannot be
    converted to type ... without overflow``): an integer dtype must hold the number itself
    (NaN and inf never fit), a float dtype any finite number within its range (or inf or NaN).
    Bool tensors take any number."""
    if dtype.kind == "f":
        bad = math.isfinite(v) and abs(v) > float(np.finfo(dtype).max)
    elif dtype.kind in "iu":
        info = np.iinfo(dtype)
        bad = not (math.isfinite(v) and info.min <= v <= info.max)
    else:
        bad = False
    if bad:
        raise _ValueRuntimeError(
            f"{op}: {what}={v} cannot be converted to type {dtype} without overflow"
        )
