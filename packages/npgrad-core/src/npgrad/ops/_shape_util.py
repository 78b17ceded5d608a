"""Shared argument checks of the shape ops (:mod:`npgrad.ops.shape` and its helpers)."""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from npgrad.tensor import Tensor, _check_dim

__all__ = ["ShapeError"]


class ShapeError(ValueError, RuntimeError):
    """An impossible shape or size. A ValueError by npgrad's convention, and also the
    RuntimeError PyTorch raises in the same place, so ported ``except`` clauses still work."""


# ---- argument helpers ------------------------------------------------------------------------
def _ints(op: str, args: Any, what: str = "size") -> tuple[int, ...]:
    """``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` all give ``(2, 3)``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list, np.ndarray)):
        args = args[0]
    try:
        return tuple(operator.index(s) for s in args)
    except TypeError:
        raise TypeError(
            f"{op}: {what} must be integers or one sequence of integers, got {tuple(args)!r}"
        ) from None


def _varargs(op: str, args: tuple[Any, ...], keyword: Any, name: str) -> tuple[Any, ...]:
    """The sizes of ``f(*args)``, or of PyTorch's keyword form ``f(name=...)``."""
    if keyword is None:
        return args
    if args:
        raise TypeError(f"{op}: {name} given both positionally and as a keyword")
    return (keyword,)


def _dims(op: str, dims: Any, ndim: int) -> tuple[int, ...]:
    """Distinct dimensions, normalised to ``[0, ndim)``."""
    out = tuple(_check_dim(op, d, ndim) for d in _ints(op, dims, "dims"))
    if len(set(out)) != len(out):
        raise ShapeError(f"{op}: dims {_ints(op, dims, 'dims')} name a dimension more than once")
    return out


def _need_dims(op: str, x: Tensor) -> None:
    if x.ndim == 0:
        raise IndexError(f"{op}: dimension specified as 0 but the tensor has no dimensions")


def _infer_shape(op: str, shape: tuple[int, ...], numel: int, what: str) -> tuple[int, ...]:
    """Resolve one ``-1`` in ``shape`` so that it holds ``numel`` elements."""
    free = [i for i, s in enumerate(shape) if s == -1]
    if len(free) > 1 or any(s < -1 for s in shape):
        raise ShapeError(f"{op}: invalid shape {shape}: at most one -1 and no other negative size")
    known = math.prod(s for s in shape if s != -1)
    if free:
        if known == 0:
            raise ShapeError(
                f"{op}: cannot reshape {what} into shape {shape}: the -1 can be any value"
            )
        if numel % known == 0:
            return shape[: free[0]] + (numel // known,) + shape[free[0] + 1 :]
    elif known == numel:
        return shape
    raise ShapeError(f"{op}: shape {shape} is invalid for {what}")
