"""Ranges and evenly spaced values: ``arange``, ``range``, ``linspace``, ``logspace``
(re-exported by ``npgrad.creation`` and ``npgrad``).

Their bounds are PyTorch Scalars: an int must fit int64 or uint64 (an OverflowError), and a
range computed in integers needs bounds that fit int64 (a RuntimeError), as in PyTorch.
"""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad._creation_util import (
    _INT64_MAX,
    _INT64_MIN,
    _checked_number,
    _float_or,
    _new,
    _scalar_int,
)
from npgrad._device import parse_device
from npgrad.tensor import Tensor

__all__ = ["arange", "linspace", "logspace", "range"]


def _numbers(*values: Any) -> tuple[Any, ...]:
    """0-d tensors count as the numbers they hold (an integer one keeps a range int64)."""
    return tuple(v.item() if isinstance(v, Tensor) else v for v in values)


def _as(values: np.ndarray, d: np.dtype) -> np.ndarray:
    """Float64 ``values`` cast to ``d``; into a narrow integer dtype through int64, so values
    past its range wrap (as PyTorch's do) instead of NumPy's undefined float cast."""
    if d.kind in "iu" and d != np.int64:
        values = values.astype(np.int64)
    return values.astype(d, copy=False)


def arange(
    start: Any = None,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 when all are ints.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.arange(5)
    tensor([0, 1, 2, 3, 4])
    >>> npgrad.arange(0, 1, 0.25)
    tensor([0.0000, 0.2500, 0.5000, 0.7500])
    """
    parse_device("arange", device)
    start, end, step = _numbers(start, end, step)
    if end is None:
        if start is None:
            raise TypeError("arange() missing required argument 'end'")
        start, end = 0, start
    elif start is None:  # PyTorch's arange(end=5)
        start = 0
    for v in (start, end, step):
        _scalar_int("arange", v)
    if dtype is not None and dtypes.to_dtype(dtype).kind in "iu":
        # like PyTorch, an integer dtype truncates the bounds and the step first
        start, end, step = int(start), int(end), int(step)
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if not all(map(math.isfinite, (start, end, step))):
        raise ValueError(f"arange: unsupported range: {start} -> {end} by {step}")
    if (end - start) * step < 0:
        raise ValueError(
            f"arange: the range from {start} to {end} is inconsistent with the sign of step {step}"
        )
    is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    d = (
        dtypes.to_dtype(dtype)
        if dtype is not None
        else np.dtype(np.int64 if is_int else dtypes.get_default_dtype())
    )
    if is_int:
        start, end, step = int(start), int(end), int(step)
        outside = next((v for v in (start, end, step) if not _INT64_MIN <= v <= _INT64_MAX), None)
        if outside is not None and d.kind != "f":
            # PyTorch computes integer ranges in int64
            raise RuntimeError(
                f"arange: value {outside} cannot be converted to type int64 without overflow"
            )
        is_int = outside is None  # a floating range past int64 is computed in double
    if is_int:
        # exact integer arithmetic: float64 would round values beyond 2**53
        values = np.arange(-((start - end) // step), dtype=np.int64)
        if step != 1:
            values *= step
        if start:
            values += start
        return _new(values.astype(d, copy=False), requires_grad)
    # like PyTorch: length and values computed in double, then cast
    n = math.ceil((end - start) / step)
    if n > _INT64_MAX:
        raise RuntimeError(f"arange: invalid size {n} (from {start} to {end} by {step})")
    return _new(_as(start + np.arange(n, dtype=np.float64) * step, d), requires_grad)


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    parse_device("linspace", device)
    steps = _steps("linspace", steps)
    d = _float_or("linspace", dtype)
    return _new(_as(_spaced("linspace", start, end, steps, d), d), requires_grad)


def _steps(op: str, steps: Any) -> int:
    try:
        steps = operator.index(steps)
    except TypeError:
        raise TypeError(f"{op}: steps must be an int, got {type(steps).__name__}") from None
    if steps < 0:
        raise ValueError(f"{op}: number of steps must be non-negative, got {steps}")
    return steps


def _spaced(op: str, start: Any, end: Any, steps: int, d: np.dtype) -> np.ndarray:
    """PyTorch's ``linspace`` values, in float64: ``start + i * step`` for the first half and
    ``end - (steps - 1 - i) * step`` for the rest (so both ends are exact). The bounds must fit
    ``d``; an integer dtype first converts them to ``d``, as PyTorch does (``linspace(0.5,
    2.5, 5, dtype=int64)`` runs from 0 to 2)."""
    start, end = _numbers(start, end)
    fitted = [float(_checked_number(op, v, d)) for v in (start, end)]  # raises if they don't fit
    # floating bounds stay in double (the values are rounded to d once)
    start, end = fitted if d.kind in "iu" else (float(start), float(end))
    i = np.arange(steps, dtype=np.float64)
    if steps == 1:
        return i + start
    step = (end - start) / (steps - 1)
    half = steps // 2
    return np.concatenate([start + step * i[:half], end - step * (steps - 1 - i[half:])])


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """``base ** linspace(start, end, steps)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.logspace(0, 2, 3)
    tensor([  1.,  10., 100.])
    """
    parse_device("logspace", device)
    steps = _steps("logspace", steps)
    d = _float_or("logspace", dtype)
    # like PyTorch, an integer dtype truncates the exponents' bounds first
    with np.errstate(over="ignore"):
        return _new(_as(float(base) ** _spaced("logspace", start, end, steps, d), d), requires_grad)


def range(  # noqa: A001 - torch.range
    start: Any = 0,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Values from ``start`` to ``end`` *inclusive* by ``step``, of the default float dtype
    unless ``dtype`` is given. Deprecated, as in PyTorch (it warns): use :func:`arange`.

    Examples
    --------
    >>> import npgrad, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     npgrad.range(1, 2, 0.5)
    tensor([1.0000, 1.5000, 2.0000])
    """
    parse_device("range", device)
    warnings.warn(
        "npgrad.range is deprecated and will be removed in a future release because its "
        "behavior is inconsistent with Python's range builtin. Instead, use npgrad.arange, "
        "which produces values in [start, end).",
        UserWarning,
        stacklevel=2,
    )
    start, end, step = _numbers(start, end, step)
    if end is None:
        start, end = 0, start
    for v in (start, end, step):
        _scalar_int("range", v)
    if step == 0:
        raise ValueError("range: step must be nonzero")
    if (end - start) * step < 0:
        raise ValueError(
            f"range: the range from {start} to {end} is inconsistent with the sign of step {step}"
        )
    # like PyTorch: the length and the values are computed in double, then cast
    n = int(np.floor((end - start) / step)) + 1
    values = start + np.arange(n, dtype=np.float64) * step
    return _new(_as(values, _float_or("range", dtype)), requires_grad)
