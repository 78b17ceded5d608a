"""Bitwise ops on integer and bool tensors (never differentiable): and, or, xor, not, shifts,
gcd and lcm.

Operands are promoted like arithmetic's (a bool tensor shifted by a Python int is int64). The
dtype rules are PyTorch's: and/or/xor/not take bool and integer tensors, shifts, gcd and lcm
integers only. A refused dtype raises :class:`DtypeNotImplementedError`, which is both a
``TypeError`` and PyTorch's ``NotImplementedError``. Shifts by a negative amount or by at
least the dtype's width give what PyTorch gives: 0 for a left shift, the sign (0 or -1) for a
right shift -- never C's undefined behaviour.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad.ops._promote import check_broadcast, const, operands, tensor_arg
from npgrad.tensor import Tensor

__all__ = [
    "bitwise_and",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "gcd",
    "lcm",
]


class DtypeNotImplementedError(TypeError, NotImplementedError):
    """An op given a dtype it has no kernel for: a ``TypeError`` (wrong type) that is also
    what PyTorch raises (``NotImplementedError``), so code written for either catches it."""


def _apply(op: str, kinds: str, fn: Any, a: Any, b: Any) -> Tensor:
    a, b = operands(op, a, b)
    for x in (a, b):
        if x.dtype.kind not in kinds:
            what = "integer and bool" if "b" in kinds else "integer"
            raise DtypeNotImplementedError(
                f"{op}: only {what} tensors are supported, got {x.dtype}"
            )
    xa = a._data if isinstance(a, Tensor) else a
    xb = b._data if isinstance(b, Tensor) else b
    try:
        np.broadcast_shapes(np.shape(xa), np.shape(xb))
    except ValueError:
        check_broadcast(op, a, b)
        raise
    return const(np.asarray(fn(xa, xb)))


def bitwise_and(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input & other`` for bool or integer tensors.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.bitwise_and(npgrad.tensor([12, 10]), 6)
    tensor([4, 2])
    """
    return _apply("bitwise_and", "biu", np.bitwise_and, input, other)


def bitwise_or(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input | other`` for bool or integer tensors.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tensor([True, False]) | npgrad.tensor([False, False])
    tensor([ True, False])
    """
    return _apply("bitwise_or", "biu", np.bitwise_or, input, other)


def bitwise_xor(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input ^ other`` for bool or integer tensors.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.bitwise_xor(npgrad.tensor([12, 10]), 6)
    tensor([10, 12])
    """
    return _apply("bitwise_xor", "biu", np.bitwise_xor, input, other)


def bitwise_not(input: Tensor) -> Tensor:  # noqa: A002
    """``~input`` for bool (logical not) or integer (two's complement) tensors.

    Examples
    --------
    >>> import npgrad
    >>> ~npgrad.tensor([True, False]), ~npgrad.tensor([0, 5])
    (tensor([False,  True]), tensor([-1, -6]))
    """
    x = tensor_arg("bitwise_not", input)
    if x.dtype.kind not in "biu":
        raise DtypeNotImplementedError(
            f"bitwise_not: only integer and bool tensors are supported, got {x.dtype}"
        )
    return const(np.invert(x._data))


def _shift_amount(a: Any, b: Any) -> tuple[Any, Any]:
    """The shift ``b`` made safe for NumPy (out-of-range amounts replaced by 0), and the mask
    of the amounts that are in range."""
    bits = np.dtype(a.dtype).itemsize * 8
    ok = (b >= 0) & (b < bits)
    return np.where(ok, b, 0).astype(np.result_type(b), copy=False), ok


def _lshift(a: Any, b: Any) -> Any:
    s, ok = _shift_amount(a, b)
    out = np.left_shift(a, s)
    return np.where(ok, out, 0).astype(out.dtype, copy=False)


def _rshift(a: Any, b: Any) -> Any:
    s, ok = _shift_amount(a, b)
    out = np.right_shift(a, s)
    # shifted by the width or more: only the sign is left (arithmetic shift, as PyTorch)
    overflow = np.where(np.less(a, 0), -1, 0) if np.dtype(a.dtype).kind == "i" else 0
    return np.where(ok, out, overflow).astype(out.dtype, copy=False)


def bitwise_left_shift(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input << other`` for integer tensors: bits shifted out are lost (the value wraps in
    its dtype); shifting by a negative amount or by the dtype's width or more gives 0.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.bitwise_left_shift(npgrad.tensor([1, 3, -2]), npgrad.tensor([4, 1, 64]))
    tensor([16,  6,  0])
    >>> 1 << npgrad.tensor([0, 1, 2], dtype=npgrad.uint8)
    tensor([1, 2, 4], dtype=npgrad.uint8)
    """
    return _apply("bitwise_left_shift", "iu", _lshift, input, other)


def bitwise_right_shift(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input >> other`` for integer tensors, an arithmetic shift (the sign is kept):
    shifting by a negative amount or by the dtype's width or more leaves 0 or -1.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.bitwise_right_shift(npgrad.tensor([16, -16, -1]), 2)
    tensor([ 4, -4, -1])
    """
    return _apply("bitwise_right_shift", "iu", _rshift, input, other)


def gcd(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The greatest common divisor of ``|input|`` and ``|other|``, elementwise, for integer
    tensors; ``gcd(0, 0)`` is 0.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.gcd(npgrad.tensor([12, -4, 0]), npgrad.tensor([18, 6, 0]))
    tensor([6, 2, 0])
    """
    return _apply("gcd", "iu", np.gcd, input, other)


def _lcm(a: Any, b: Any) -> Any:
    # PyTorch's |a / gcd * b|: the product wraps before the absolute value is taken (in C's
    # int for the types narrower than it), which NumPy's lcm (|a| / gcd * |b|) does not
    dt = np.result_type(a, b)
    g = np.gcd(a, b)
    wide = np.int64 if dt.itemsize < 4 else dt
    q = np.asarray(a, wide) // np.where(g == 0, 1, g).astype(wide)
    out = np.abs(q * np.asarray(b, wide))
    return np.where(g == 0, 0, out).astype(dt)


def lcm(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The least common multiple of ``|input|`` and ``|other|``, elementwise, for integer
    tensors (0 when either is 0; wraps around in the dtype like PyTorch's).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.lcm(npgrad.tensor([4, -6, 0]), npgrad.tensor([6, 9, 5]))
    tensor([12, 18,  0])
    """
    return _apply("lcm", "iu", _lcm, input, other)
