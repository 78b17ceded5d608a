"""dtypes and PyTorch's type-promotion rules.

npgrad's dtypes are NumPy dtype objects (``npgrad.float32 is np.dtype("float32")``), so a
tensor's ``dtype`` can be handed to NumPy unchanged. Promotion follows PyTorch, not NumPy:

* categories are bool < integer < floating;
* an integer and a floating type promote to the floating type (NumPy would widen
  ``int64 + float32`` to ``float64``; PyTorch keeps ``float32``);
* Python (and NumPy) scalars never widen a tensor within its category
  (``float32 * 2.5 -> float32``); a scalar of a higher category gives that category's
  default (``int64 tensor * 2.5 -> float32``, an int with a bool tensor -> ``int64``);
* zero-dimensional tensors take part like scalars when a dimensioned operand already has
  their category (``float32 [3] + float64 0-dim -> float32``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = [
    "bool_",
    "can_cast",
    "dtype",
    "finfo",
    "float16",
    "float32",
    "float64",
    "get_default_dtype",
    "iinfo",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_floating_point",
    "promote_types",
    "result_type",
    "set_default_dtype",
    "uint8",
]

dtype = np.dtype
float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int8 = np.dtype("int8")
int16 = np.dtype("int16")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
uint8 = np.dtype("uint8")
bool_ = np.dtype("bool")

_SUPPORTED = frozenset([float16, float32, float64, int8, int16, int32, int64, uint8, bool_])
_FLOATS = frozenset([float16, float32, float64])

_default_float: np.dtype = float32


def get_default_dtype() -> np.dtype:
    """Return the dtype that float literals and float results of integer ops get.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.get_default_dtype(), npgrad.tensor(1.5).dtype
    (dtype('float32'), dtype('float32'))
    """
    return _default_float


def set_default_dtype(d: Any) -> None:
    """Set the default floating dtype (``float32`` at start, like PyTorch).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.set_default_dtype(npgrad.float64)
    >>> npgrad.tensor([1.5]).dtype
    dtype('float64')
    >>> npgrad.set_default_dtype(npgrad.float32)
    """
    global _default_float
    d = to_dtype(d)
    if d not in _FLOATS:
        raise TypeError(f"set_default_dtype: only floating dtypes are supported, got {d}")
    _default_float = d


def to_dtype(d: Any, op: str | None = None) -> np.dtype:
    """Normalise anything NumPy understands as a dtype (``np.float32``, ``"int64"``…); errors
    start with ``op`` when given."""
    where = f"{op}: " if op else ""
    try:
        out = np.dtype(d)
    except TypeError:
        raise TypeError(f"{where}not a dtype: {d!r}") from None
    if out not in _SUPPORTED:
        raise TypeError(f"{where}dtype {out} is not supported by npgrad")
    return out


def is_floating_point(x: Any) -> bool:
    """True when a tensor (or dtype) is of a floating type.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.is_floating_point(npgrad.tensor([1.0])), npgrad.is_floating_point(npgrad.int64)
    (True, False)
    """
    d = getattr(x, "dtype", x)
    return np.dtype(d).kind == "f"


def _category(d: np.dtype) -> int:
    k = d.kind
    return 2 if k == "f" else 0 if k == "b" else 1


def promote_types(a: Any, b: Any) -> np.dtype:
    """PyTorch's promotion of two dtypes (an int and a float give the float).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.promote_types(npgrad.int64, npgrad.float32)
    dtype('float32')
    >>> npgrad.promote_types(npgrad.uint8, npgrad.int8)
    dtype('int16')
    """
    a, b = np.dtype(a), np.dtype(b)
    if a is b or a == b:
        return a
    return _promote_cache.get((a, b)) or _promote_slow(a, b)


_promote_cache: dict[tuple[np.dtype, np.dtype], np.dtype] = {}


def _promote_slow(a: np.dtype, b: np.dtype) -> np.dtype:
    ca, cb = _category(a), _category(b)
    if ca != cb and 2 in (ca, cb):
        out = a if ca == 2 else b
    else:
        out = np.promote_types(a, b)
    _promote_cache[(a, b)] = out
    return out


def can_cast(from_: Any, to: Any) -> bool:
    """PyTorch's rule for writing a result into a tensor in place: every cast is allowed except
    floating to integer and anything but bool to bool (narrowing within a category is fine).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.can_cast(npgrad.float64, npgrad.float16), npgrad.can_cast(npgrad.float32, npgrad.int64)
    (True, False)
    """
    a, b = np.dtype(from_), np.dtype(to)
    if a.kind == "f" and b.kind in "iu":
        return False
    return not (b.kind == "b" and a.kind != "b")


def scalar_dtype(value: Any) -> np.dtype:
    """The dtype a Python/NumPy scalar would take on its own."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    if isinstance(value, complex):
        raise TypeError("npgrad does not support complex numbers")
    return _default_float


def element_dtype(kind: Any) -> np.dtype | None:
    """The dtype one element of type ``kind`` brings to ``tensor([...])`` (PyTorch's rule): a
    Python bool ``bool``, an int ``int64``, a float the default dtype, a NumPy scalar type its
    own dtype (a dtype -- of an array or tensor element -- is itself); None for anything that
    is not a real number type.

    Examples
    --------
    >>> import numpy as np
    >>> from npgrad import dtypes
    >>> dtypes.element_dtype(float), dtypes.element_dtype(np.int8), dtypes.element_dtype(str)
    (dtype('float32'), dtype('int8'), None)
    """
    if isinstance(kind, np.dtype):
        return kind if kind.kind in "biuf" else None
    if not isinstance(kind, type):
        return None
    if issubclass(kind, np.generic):  # first: np.float64 is also a float
        d = np.dtype(kind)
        return d if d.kind in "biuf" else None
    if issubclass(kind, bool):
        return bool_
    if issubclass(kind, int):
        return int64
    if issubclass(kind, float):
        return _default_float
    return None


def inferred_dtype(kinds: Iterable[Any]) -> np.dtype | None:
    """The dtype ``tensor(data)`` infers for data whose elements have these types (or, for
    arrays and tensors among them, these dtypes): the :func:`element_dtype` of each,
    promoted as tensors' dtypes are, so ``[np.float64(1.5), 2.5]`` is float64 and
    ``[np.float16(1), 2]`` float16 (NumPy would make both float64). The default dtype when
    there are none (an empty list); None when one is not a real number type.

    Examples
    --------
    >>> import numpy as np
    >>> from npgrad import dtypes
    >>> dtypes.inferred_dtype([float, np.float64]), dtypes.inferred_dtype([bool, np.uint8])
    (dtype('float64'), dtype('uint8'))
    """
    out: np.dtype | None = None
    for kind in kinds:
        d = element_dtype(kind)
        if d is None:
            return None
        out = d if out is None else promote_types(out, d)
    return _default_float if out is None else out


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    # PyTorch's rule for merging the dtype of a higher-priority operand tier (dimensioned
    # tensors, then 0-dim tensors, then scalars) with a lower one: the lower tier only
    # matters when it is of a higher category.
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def result_type(*operands: Any) -> np.dtype:
    """The dtype an elementwise op over ``operands`` (tensors, arrays, scalars) produces.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.result_type(npgrad.tensor([1, 2]), 2.5)
    dtype('float32')
    >>> half = npgrad.tensor([1.0], dtype=npgrad.float16)
    >>> npgrad.result_type(half, npgrad.tensor(1.0, dtype=npgrad.float64))
    dtype('float16')
    """
    dim: np.dtype | None = None
    zero: np.dtype | None = None
    wrapped: np.dtype | None = None
    for op in operands:
        d = getattr(op, "dtype", None)
        if d is None or isinstance(op, np.generic):
            s = scalar_dtype(op)
            wrapped = s if wrapped is None else promote_types(wrapped, s)
        elif op.ndim == 0:
            zero = d if zero is None else promote_types(zero, d)
        else:
            dim = d if dim is None else promote_types(dim, d)
    out = _combine(dim, _combine(zero, wrapped))
    if out is None:
        raise TypeError("result_type: no operands given")
    return out


class finfo:  # noqa: N801 - PyTorch's name
    """Machine limits of a floating dtype (the default dtype when none is given):
    ``bits``, ``eps``, ``max``, ``min``, ``tiny`` (= ``smallest_normal``), ``resolution``
    (as Python floats) and ``dtype`` (its name).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.finfo(npgrad.float16).max, npgrad.finfo().eps == 2**-23
    (65504.0, True)
    """

    __slots__ = ("bits", "dtype", "eps", "max", "min", "resolution", "smallest_normal", "tiny")

    def __init__(self, type: Any = None) -> None:  # noqa: A002
        d = get_default_dtype() if type is None else to_dtype(type)
        if d.kind != "f":
            raise TypeError(f"finfo: requires a floating point dtype, got {d}; use iinfo")
        info = np.finfo(d)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.tiny)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = d.name

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
            f"dtype={self.dtype})"
        )


class iinfo:  # noqa: N801 - PyTorch's name
    """Limits of an integer dtype: ``bits``, ``min``, ``max`` (Python ints) and ``dtype``
    (its name).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.iinfo(npgrad.uint8)
    iinfo(min=0, max=255, dtype=uint8)
    """

    __slots__ = ("bits", "dtype", "max", "min")

    def __init__(self, type: Any) -> None:  # noqa: A002
        d = to_dtype(type)
        if d.kind not in "iu":
            raise TypeError(f"iinfo: requires an integer dtype, got {d}; use finfo")
        info = np.iinfo(d)
        self.bits, self.min, self.max, self.dtype = (
            int(info.bits),
            int(info.min),
            int(info.max),
            d.name,
        )

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
