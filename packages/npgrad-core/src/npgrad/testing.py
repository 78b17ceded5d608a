"""Helpers for testing code written with npgrad (its own test suite uses them too)."""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.tensor import Tensor

__all__ = ["assert_close", "make_tensor"]

# PyTorch's default tolerances per dtype (torch.testing.assert_close)
_TOLERANCES = {
    dtypes.float16: (1e-3, 1e-5),
    dtypes.float32: (1.3e-6, 1e-5),
    dtypes.float64: (1e-7, 1e-7),
}


def _array(x: Any) -> np.ndarray:
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def assert_close(
    actual: Any,
    expected: Any,
    *,
    rtol: float | None = None,
    atol: float | None = None,
    check_dtype: bool = True,
    equal_nan: bool = False,
    msg: str = "",
) -> None:
    """Raise AssertionError unless ``actual`` and ``expected`` (Tensors, arrays or numbers)
    have the same shape (and dtype, when ``check_dtype``) and close values.

    Tolerances default to PyTorch's for the dtype: ``|a - e| <= atol + rtol * |e|``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.testing import assert_close
    >>> assert_close(npgrad.tensor([1.0, 2.0]) * 3, npgrad.tensor([3.0, 6.0]))
    """
    a, e = _array(actual), _array(expected)
    prefix = f"{msg}: " if msg else ""
    if a.shape != e.shape:
        raise AssertionError(f"{prefix}shape mismatch: {a.shape} != {e.shape}")
    if check_dtype and a.dtype != e.dtype:
        raise AssertionError(f"{prefix}dtype mismatch: {a.dtype} != {e.dtype}")
    if a.dtype.kind in "biu" and e.dtype.kind in "biu":
        if not np.array_equal(a, e):
            bad = np.argwhere(a != e)[0]
            raise AssertionError(
                f"{prefix}values differ, first at {tuple(bad)}: {a[tuple(bad)]} != {e[tuple(bad)]}"
            )
        return
    dr, da = _TOLERANCES.get(
        np.promote_types(a.dtype, e.dtype) if a.dtype.kind == "f" else e.dtype, (1e-7, 1e-7)
    )
    rtol = dr if rtol is None else rtol
    atol = da if atol is None else atol
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    close = np.isclose(a64, e64, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if not close.all():
        idx = tuple(np.argwhere(~close)[0])
        err = np.abs(a64 - e64)
        err = np.where(np.isnan(err), np.inf, err)
        worst = np.unravel_index(np.argmax(err), err.shape) if err.ndim else ()
        raise AssertionError(
            f"{prefix}{int((~close).sum())} of {close.size} elements differ "
            f"(rtol={rtol}, atol={atol}); first at {idx}: {a64[idx]!r} vs {e64[idx]!r}; "
            f"greatest absolute difference {err[worst]!r} at {worst}"
        )


def make_tensor(
    *shape: int,
    dtype: Any = dtypes.float64,
    low: float = -2.0,
    high: float = 2.0,
    requires_grad: bool = False,
    seed: int | None = 0,
) -> Tensor:
    """A tensor of uniform values in ``[low, high)`` (integers for integer dtypes).

    Examples
    --------
    >>> from npgrad.testing import make_tensor
    >>> x = make_tensor(2, 3, low=0.0, high=1.0, requires_grad=True)
    >>> x.shape, x.dtype, x.requires_grad
    (npgrad.Size([2, 3]), dtype('float64'), True)
    """
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    d = dtypes.to_dtype(dtype)
    rng = np.random.default_rng(seed)
    if d.kind == "f":
        arr = rng.uniform(low, high, shape).astype(d)
    elif d.kind == "b":
        arr = rng.random(shape) < 0.5
    else:
        lo = int(low)
        arr = rng.integers(lo, max(int(high), lo + 1), shape).astype(d)  # high excluded
    t = Tensor._make(arr, False, None)
    return t.requires_grad_(True) if requires_grad else t
