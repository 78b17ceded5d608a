"""Turning the operands of an elementwise op into Tensors of one dtype, by PyTorch's rules.

Every binary elementwise op goes through :func:`operands`; casts of Tensors are the
differentiable ``cast`` op, so a float16 input mixed with a float32 one still gets a float16
gradient. Python and NumPy scalars become NumPy scalars of the result dtype, which keeps NumPy
from upcasting (``float32 * 2.5`` stays float32 under NumPy 1.x and 2.x alike).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.tensor import Tensor

__all__ = [
    "binary",
    "check_int_scalar",
    "fill_value",
    "check_broadcast",
    "const",
    "operands",
    "scalar_as",
    "tensor_arg",
]

_SCALARS = (bool, int, float, np.generic)
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)


def scalar_as(value: Any, dtype: np.dtype) -> Any:
    """``value`` as a NumPy scalar of ``dtype``; integers wrap around like PyTorch's."""
    if dtype.kind in "iu" and isinstance(value, (int, np.integer)):
        # wrap here: NumPy 2 refuses an out-of-range int, NumPy 1 warns that it will
        bits = 8 * dtype.itemsize
        v = int(value) & ((1 << bits) - 1)
        if dtype.kind == "i" and v >> (bits - 1):
            v -= 1 << bits
        return dtype.type(v)
    try:
        return dtype.type(value)
    except OverflowError:
        return np.array(value).astype(dtype)[()]


_FLOAT_MAX = {np.dtype(t): float(np.finfo(t).max) for t in (np.float16, np.float32, np.float64)}
_SCALAR_MIN, _SCALAR_END = -(2**63), 2**64  # PyTorch's Scalar holds ints in [-2**63, 2**64)
# the ops whose number PyTorch writes into a float16 tensor unchecked (through a wider scalar
# tensor): ``x[i] = 1e5`` and ``where(c, x, 1e5)`` give inf where ``x.fill_(1e5)`` raises
_HALF_UNCHECKED = frozenset({"setitem", "where"})


def check_int_scalar(op: str, value: Any) -> None:
    """A Python int used as a number argument must fit PyTorch's Scalar (int64 or uint64);
    a larger one is an OverflowError naming ``op``, as in PyTorch."""
    if type(value) is int and not _SCALAR_MIN <= value < _SCALAR_END:
        raise OverflowError(
            f"{op}: the integer {value} is too large to be a number argument (it must fit "
            "int64 or uint64)"
        )


def fill_value(op: str, value: Any, dtype: np.dtype) -> Any:
    """A number to be written into a tensor of ``dtype`` (``fill_``, ``full``,
    ``masked_fill``, a ``clamp`` bound), converted as PyTorch does: floats truncate toward
    zero into integers, negative integers wrap into unsigned types (-1 is 255 in uint8), and a
    value out of range -- a finite number past a floating dtype's largest (1e5 into float16;
    ``setitem`` and ``where`` let float16 overflow to inf, as PyTorch does), or NaN or
    infinity into an integer type -- is a RuntimeError naming ``op``; an int that no
    int64 or uint64 holds is an OverflowError. Anything but a Python or NumPy number is
    returned as it is."""
    if not isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating)):
        return value
    check_int_scalar(op, value)
    if dtype.kind == "b":
        return np.bool_(value)
    if dtype.kind == "f":
        # (nan passes the test, inf is taken as it is: both are values of every float dtype)
        if not abs(value) > _FLOAT_MAX[dtype] or math.isinf(value):
            return dtype.type(value)
        if dtype.itemsize == 2 and op in _HALF_UNCHECKED:
            with np.errstate(over="ignore"):  # PyTorch lets these overflow to inf
                return dtype.type(value)
        raise RuntimeError(
            f"{op}: value {value} cannot be converted to type {dtype} without overflow"
        )
    if dtype.kind not in "iu":
        return value
    info = np.iinfo(dtype)
    if isinstance(value, (float, np.floating)):
        ok = math.isfinite(value) and info.min <= value <= info.max
        v = int(value) if ok else 0
    else:
        v = int(value)
        lowest = -int(info.max) if dtype.kind == "u" else int(info.min)
        ok = lowest <= v <= info.max
    if not ok:
        raise RuntimeError(
            f"{op}: value {value} cannot be converted to type {dtype} without overflow"
        )
    return scalar_as(v, dtype)


def tensor_arg(op: str, x: Any) -> Tensor:
    """``x`` as a Tensor: a Tensor as it is, a NumPy array wrapped as a constant; anything else
    is a TypeError naming ``op``."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._make(x, False, None)
    raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")


def float_arg(op: str, x: Any) -> Tensor:
    """``x`` as a floating Tensor (:func:`tensor_arg`); an integer or bool tensor is a
    TypeError naming ``op`` (the ops that are only defined on real numbers)."""
    x = tensor_arg(op, x)
    if x.dtype.kind != "f":
        raise TypeError(
            f"{op}: not implemented for {x.dtype} tensors; it needs a floating point tensor "
            "(cast with .float())"
        )
    return x


def const(a: np.ndarray) -> Tensor:
    """The array ``a`` as a constant Tensor (no copy, outside any graph)."""
    return Tensor._make(a, False, None)


def _tensor_or_scalar(op: str, x: Any) -> Any:
    if isinstance(x, (Tensor, *_SCALARS)):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._make(x, False, None)
    raise TypeError(
        f"{op}: unsupported operand type {type(x).__name__}; expected a Tensor or a number"
    )


def operands(op: str, a: Any, b: Any) -> tuple[Any, Any]:
    """``a`` and ``b`` (Tensors or scalars, at least one a Tensor) cast to their result dtype."""
    a = _tensor_or_scalar(op, a)
    b = _tensor_or_scalar(op, b)
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta and tb:
        da, db = a._data.dtype, b._data.dtype
        if da == db:
            return a, b
        rd = dtypes.result_type(a, b)
        return (a if da == rd else a.to(rd)), (b if db == rd else b.to(rd))
    if not (ta or tb):
        raise TypeError(f"{op}: at least one operand must be a Tensor")
    t, s = (a, b) if ta else (b, a)
    d = t._data.dtype
    if isinstance(s, np.generic):
        s = s.item()
    sk = "b" if isinstance(s, bool) else "i" if isinstance(s, int) else "f"
    if sk == "i":
        check_int_scalar(op, s)
    if sk == "f" and d.kind != "f":
        rd = dtypes.get_default_dtype()
        t = t.to(rd)
    elif sk == "i" and d.kind == "b":
        rd = dtypes.int64
        t = t.to(rd)
    else:
        rd = d
    s = scalar_as(s, rd)
    return (t, s) if ta else (s, t)


def check_broadcast(op: str, a: Any, b: Any) -> None:
    """Raise a ValueError naming ``op`` when ``a`` and ``b`` can't be broadcast together."""
    sa, sb = np.shape(getattr(a, "_data", a)), np.shape(getattr(b, "_data", b))
    try:
        np.broadcast_shapes(sa, sb)
    except ValueError:
        raise ValueError(
            f"{op}: the shapes {tuple(sa)} and {tuple(sb)} cannot be broadcast together"
        ) from None


def binary(fn: Any, op: str, a: Any, b: Any, /, scalar_fn: Any = None, **kwargs: Any) -> Tensor:
    """Promote ``a`` and ``b`` and apply the Function ``fn`` to them; ``scalar_fn``, when
    given, is the op's form for a tensor ``a`` and a scalar ``b`` (see arithmetic.MulScalar)."""
    # fast paths for the common cases (this runs for every arithmetic op and its backward):
    # two tensors of one dtype, or a float tensor and a Python float
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            if a._data.dtype != b._data.dtype:
                a, b = operands(op, a, b)
        else:
            d = a._data.dtype
            tb = type(b)
            if d is _F32 or d is _F64:
                if tb is float:
                    # the scalar of the tensor's dtype, which NumPy keeps; for the scalar forms
                    # a 0-d array, which NumPy combines with an array faster than a NumPy
                    # scalar (16 floats: ~280 against ~460 ns a multiply, in the forward and
                    # again in the backward), made once per value (a lookup: ~60 ns, making
                    # one: ~240)
                    if scalar_fn is None:
                        b = d.type(b)
                    else:
                        cache = _CONST32 if d is _F32 else _CONST64
                        c = cache.get(b)
                        b = c if c is not None else _const_array(cache, b, d)
                elif tb is not d.type:  # not already one (a constant a node kept)
                    a, b = operands(op, a, b)
            elif d.kind == "f" and (tb is float or (isinstance(b, np.floating) and b.dtype == d)):
                if d.itemsize == 2 and not _fits_half(b, fn):
                    return _via_float32(fn, op, a, b, scalar_fn, **kwargs)
                b = d.type(b)
            else:
                a, b = operands(op, a, b)
            if scalar_fn is not None and not isinstance(b, Tensor):
                # (no ** when there is nothing to pass: the plain call is the faster one)
                if kwargs:
                    return scalar_fn.apply(a, b, **kwargs)  # type: ignore[no-any-return]
                return scalar_fn.apply(a, b)  # type: ignore[no-any-return]
    else:
        if (
            isinstance(a, float)
            and isinstance(b, Tensor)
            and b.dtype.itemsize == 2
            and not _fits_half(a, fn)
        ):
            return _via_float32(fn, op, a, b, None, **kwargs)
        a, b = operands(op, a, b)
    try:
        return fn.apply(a, b, **kwargs) if kwargs else fn.apply(a, b)  # type: ignore[no-any-return]
    except ValueError:
        check_broadcast(op, a, b)
        raise


# float -> read-only 0-d array of that value, per dtype (see binary); zeros are left out, as
# the dict would not tell -0.0 from 0.0
_CONST32: dict[float, np.ndarray] = {}
_CONST64: dict[float, np.ndarray] = {}


def _const_array(cache: dict[float, np.ndarray], value: float, dtype: np.dtype) -> np.ndarray:
    arr = np.asarray(value, dtype)
    if value != 0.0:
        if len(cache) >= 256:  # a loop over ever new values (or NaN objects) stays bounded
            cache.clear()
        arr.flags.writeable = False
        cache[value] = arr
    return arr


def _fits_half(value: Any, fn: Any) -> bool:
    """Whether the number can meet a float16 tensor in ``fn`` as a float16 number. Not when
    float16 cannot hold it (1e6, 1e-9 would become inf or 0), nor, for the ops PyTorch
    computes with the number kept in float32 (``fn._half_opmath``: ``*``, ``/``, ``//``),
    when float16 would round it (0.1 to 0.0999755859375)."""
    v = float(value)
    if getattr(fn, "_half_opmath", False):
        with np.errstate(over="ignore"):
            return v != v or float(np.float16(v)) == v
    v = abs(v)
    return v == 0.0 or 6.0e-8 <= v <= 65504.0 or v != v or v == float("inf")


def _via_float32(fn: Any, op: str, a: Any, b: Any, scalar_fn: Any, **kwargs: Any) -> Tensor:
    # A scalar that float16 cannot take (see _fits_half): like PyTorch, compute in float32
    # and round the result to float16 once.
    a32 = a.float() if isinstance(a, Tensor) else a
    b32 = b.float() if isinstance(b, Tensor) else b
    return binary(fn, op, a32, b32, scalar_fn=scalar_fn, **kwargs).half()
