"""Helpers shared by the creation functions (``creation.py``, ``_creation_ranges.py``).

Python data becomes a tensor's array by PyTorch's rules:

* **dtype inference** (``tensor(data)`` without ``dtype``): every number brings a dtype -- a
  bool ``bool``, an int ``int64``, a float the default dtype, a NumPy scalar (or a 0-d array,
  an array, a tensor) its own -- and these promote as tensors do (``dtypes.inferred_dtype``):
  ``[np.float64(1.5), 2.5]`` is float64, ``[np.float16(1), 2]`` float16, ``[1.5, 2**63]``
  float32.
* **overflow**: a Python int headed for an integer dtype must fit int64 (a ValueError, as
  PyTorch's "Overflow when unpacking long long"), and every number (Python or NumPy) must fit
  the integer dtype it goes to (a RuntimeError), except that negative ints wrap into unsigned
  types (-1 is 255 in uint8, down to -255). Floats must lie in the integer dtype's range (no
  NaN) and truncate toward zero. Floating and bool dtypes take any number: huge ints become
  floats (inf past the dtype's range), anything nonzero is True. The comparisons are exact, in
  Python ints. An ndarray is cast as NumPy casts (it wraps), as PyTorch's ``tensor(ndarray)``.
* **fill numbers** (``full``, ``scalar_tensor``, the bounds of ``arange``/``linspace``) are
  PyTorch Scalars: an int must fit int64 or uint64 (an OverflowError), and the number must
  fit the dtype it fills (a RuntimeError; also a finite float too large for a floating dtype).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.tensor import Tensor

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_SCALAR_END = 2**64  # PyTorch's Scalar holds ints in [-2**63, 2**64)
_FLOAT_MAX = {np.dtype(t): float(np.finfo(t).max) for t in (np.float16, np.float32, np.float64)}


def _new(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr, False, None)
    return t.requires_grad_(True) if requires_grad else t


def _float_or(op: str, dtype: Any) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype, op)


def _size(op: str, size: Sequence[Any], keyword: Any = None) -> tuple[int, ...]:
    if keyword is not None:  # PyTorch's keyword form, zeros(size=(2, 3))
        if size:
            raise TypeError(f"{op}: size given both positionally and as a keyword")
        size = (keyword,)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    try:
        shape = tuple(operator.index(s) for s in size)
    except TypeError:
        raise TypeError(f"{op}: size must be ints or one sequence of ints, got {size!r}") from None
    if any(s < 0 for s in shape):
        raise ValueError(f"{op}: negative dimension in size {shape}")
    return shape


# ---- fill numbers (PyTorch's Scalar arguments) ---------------------------------------------
def _check_placement(op: str, device: Any, layout: Any, pin_memory: bool) -> None:
    """The placement keywords of the tensor factories: a CPU ``device``, the strided
    ``layout`` (npgrad's only one), no ``pin_memory`` (there is no accelerator)."""
    from npgrad import _memory_format
    from npgrad._device import parse_device

    parse_device(op, device)
    if layout is not None and layout is not _memory_format.strided:
        raise TypeError(
            f"{op}: layout must be npgrad.strided (npgrad's only layout), got {layout!r}"
        )
    if pin_memory:
        raise RuntimeError(f"{op}: pin_memory=True needs an accelerator; npgrad has only the CPU")


def _overflow(op: str, value: Any, d: np.dtype) -> RuntimeError:
    return RuntimeError(f"{op}: value {value} cannot be converted to type {d} without overflow")


def _number(op: str, value: Any) -> Any:
    """``value`` as a fill number: a real Python or NumPy number, or a one-element tensor's
    value (PyTorch's Number argument); anything else is a TypeError naming ``op``."""
    if isinstance(value, Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating)):
        return value
    raise TypeError(
        f"{op}: fill_value must be a real number (bool, int or float), got {type(value).__name__}"
    )


def _scalar_int(op: str, value: Any) -> None:
    """A Python int argument must fit PyTorch's Scalar: int64 or uint64."""
    if isinstance(value, int) and not _INT64_MIN <= value < _SCALAR_END:
        raise OverflowError(
            f"{op}: the integer {value} is too large to be a number argument (it must fit "
            "int64 or uint64)"
        )


def _checked_number(op: str, value: Any, d: np.dtype) -> Any:
    """A number for a tensor of dtype ``d``, converted as PyTorch converts a Scalar argument
    (``full``'s fill value, a range's bounds): see the module docstring."""
    from npgrad.ops._promote import fill_value

    _scalar_int(op, value)
    if (
        d.kind == "u"
        and isinstance(value, (int, np.integer))
        and -int(np.iinfo(d).max) <= value < 0
    ):
        value = int(value) + int(np.iinfo(d).max) + 1  # wrapped here: NumPy 1.x warns
    if d.kind == "f" and not isinstance(value, (bool, np.bool_)):
        v = float(value)
        if math.isfinite(v) and abs(v) > _FLOAT_MAX[d]:  # inf and nan pass, as in PyTorch
            raise _overflow(op, value, d)
    return fill_value(op, value, d)


# ---- Python data to arrays (tensor, as_tensor, Tensor(...)) --------------------------------
def _checked_array(arr: np.ndarray) -> np.ndarray:
    """An ndarray npgrad can hold as it is, or a TypeError."""
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"tensor: can't convert data of dtype {arr.dtype}; npgrad supports bool, integer "
            "and floating data"
        )
    if arr.dtype not in dtypes._SUPPORTED:
        raise TypeError(f"tensor: dtype {arr.dtype} is not supported by npgrad")
    return arr


def _leaf_types(data: Any) -> set[Any]:
    """The types of the numbers nested lists/tuples hold (for the arrays and tensors among
    them, their dtypes, and ``Tensor`` itself once). One ``set(map(type, ...))`` per innermost
    list keeps this at C speed."""
    found: set[Any] = set()
    todo = [data]
    while todo:
        seq = todo.pop()
        kinds = set(map(type, seq))
        for kind in kinds:
            if issubclass(kind, (list, tuple)):
                todo.extend(seq if len(kinds) == 1 else (x for x in seq if type(x) is kind))
            elif issubclass(kind, (np.ndarray, Tensor)):
                found.update(x.dtype for x in seq if type(x) is kind)
                if issubclass(kind, Tensor):
                    found.add(Tensor)
            else:
                found.add(kind)
    return found


def _big_int(data: Any) -> int | None:
    """The first Python int outside int64's range that nested data holds, or None."""
    todo = [data]
    while todo:
        x = todo.pop()
        if isinstance(x, (list, tuple)):
            todo.extend(reversed(x))
        elif isinstance(x, int) and not isinstance(x, bool) and not _INT64_MIN <= x <= _INT64_MAX:
            return x
    return None


def _python_int(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, int) and not issubclass(kind, bool)


def _from_python(
    data: Any, dtype: np.dtype | None, types: set[Any] | None = None, op: str = "tensor"
) -> np.ndarray:
    """Python data (a number, a NumPy scalar, nested lists/tuples of them and of arrays) as a
    new array, of ``dtype`` or the inferred one (``types``: ``data``'s leaf types, if known)."""
    if types is not None:
        pass
    elif isinstance(data, (list, tuple)):
        types = _leaf_types(data)
    elif isinstance(data, Sequence) and not isinstance(data, (str, bytes)):  # range(3)
        data = list(data)
        types = _leaf_types(data)
    else:
        types = {type(data)}
    inferred = dtypes.inferred_dtype(types)
    arr = np.asarray(data)
    if inferred is None or arr.dtype.kind not in "biufO":
        # strings, None, complex numbers...: NumPy's dtype names the problem
        kind = arr.dtype if arr.dtype.kind != "O" else "object"
        raise TypeError(
            f"{op}: can't convert data of dtype {kind} (from {type(data).__name__}); "
            "npgrad supports bool, integer and floating data"
        )
    d = inferred if dtype is None else dtype
    if d not in dtypes._SUPPORTED:
        raise TypeError(f"{op}: dtype {d} is not supported by npgrad")
    if d.kind in "iu" and arr.size and arr.dtype.kind != "b":
        # NumPy holds Python ints beyond int64 as uint64 or objects, or (next to floats)
        # rounds them into float64: the exact check runs on the data itself then
        if any(map(_python_int, types)) and (
            arr.dtype == np.uint64
            or arr.dtype.kind == "O"
            or (arr.dtype.kind == "f" and np.abs(arr).max() >= 2.0**63)
        ):
            big = _big_int(data)
            if big is not None:
                raise ValueError(
                    f"{op}: value {big} is out of the int64 range (a Python int must fit int64 "
                    f"to become a tensor of dtype {d})"
                )
        kinds = {k.kind for k in map(dtypes.element_dtype, types) if k is not None}
        arr = _fit(op, data, arr, d, "f" in kinds and bool(kinds & {"i", "u"}))
    with np.errstate(over="ignore"):  # past a float dtype's range is inf, as in PyTorch
        return arr.astype(d, copy=False)


def _fit(op: str, data: Any, arr: np.ndarray, d: np.dtype, mixed: bool) -> np.ndarray:
    """``arr`` (NumPy's reading of ``data``) checked against integer dtype ``d``, as an array
    that casts to ``d`` as PyTorch converts each number; ``mixed``: ints and floats both."""
    hi = int(np.iinfo(d).max)
    lo = -hi if d.kind == "u" else int(np.iinfo(d).min)  # negative ints wrap into unsigned
    flo = 0 if d.kind == "u" else lo  # ... negative floats don't

    def fits(v: Any) -> bool:
        if isinstance(v, (float, np.floating)):  # compared exactly, as Python floats
            return math.isfinite(v) and flo <= float(v) <= hi
        return lo <= int(v) <= hi

    if mixed or arr.dtype.kind == "O":
        # ints among floats: NumPy's float64 would round them, so convert them one by one
        objects = np.asarray(data, dtype=object)
        bad = next((v for v in objects.flat if not fits(v)), None)
        if bad is not None:
            raise _overflow(op, bad, d)
        return np.array([int(v) for v in objects.flat], np.int64).reshape(objects.shape)
    if arr.dtype.kind == "f":
        low, high = float(arr.min()), float(arr.max())
        ok = not math.isnan(low) and flo <= low and high <= hi
    else:
        low, high = int(arr.min()), int(arr.max())
        ok = lo <= low and high <= hi
    if not ok:
        raise _overflow(op, next(v for v in arr.flat if not fits(v)), d)
    return arr if arr.dtype != np.uint64 else arr.astype(np.int64)


def _element(x: Any, d: np.dtype, op: str) -> np.ndarray:
    """One element of a list holding tensors, as an array of dtype ``d``."""
    if isinstance(x, Tensor):
        if x._data.size == 1:  # a number: converted (and checked) as one
            return _from_python(x._data.reshape(()).item(), d, op=op)
        return x._data.astype(d, copy=False)  # cast as NumPy (and PyTorch's .to()) do
    return _to_array(x, d, copy=False, op=op)


_PYTHON_NUMBERS = frozenset([bool, int, float])


def _default_of(kind: type) -> np.dtype:
    return dtypes.bool_ if kind is bool else dtypes.int64 if kind is int else dtypes._default_float


def _infer(data: Any) -> np.ndarray:
    """``data`` as an array of the dtype PyTorch infers (an ndarray as it is, checked)."""
    if isinstance(data, np.ndarray):
        return _checked_array(data)
    return _from_python(data, None)


def _to_array(data: Any, dtype: Any = None, copy: bool = True, op: str = "tensor") -> np.ndarray:
    """``data`` as the array of a new tensor (``copy=False``: sharing an ndarray's or a
    tensor's memory when no cast is needed); errors name ``op``."""
    kind = type(data)
    if dtype is None and kind in _PYTHON_NUMBERS:  # the common tensor(1.5), first
        if kind is int and not _INT64_MIN <= data <= _INT64_MAX:
            return _from_python(data, None, op=op)  # raises
        return np.array(data, _default_of(kind))
    d = None if dtype is None else dtypes.to_dtype(dtype)
    types = None
    if kind is list or kind is tuple:
        types = _leaf_types(data)
        nested = Tensor in types
    elif hasattr(data, "__array__") and not isinstance(data, (Tensor, np.ndarray, np.generic)):
        data = np.asarray(data)  # an array-like: its dtype, as an ndarray's
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, np.ndarray):
        arr = data if d is not None else _checked_array(data)
    elif types is not None and nested:
        # PyTorch reads a one-element tensor inside a list as the number it holds, and
        # promotes the elements' dtypes by its own table ([tensor(1), 2.5] is float32)
        common = d if d is not None else dtypes.inferred_dtype(types - {Tensor})
        if common is None:
            return _from_python(data, d, types - {Tensor}, op)  # raises the clear error
        return np.stack([_element(x, common, op) for x in data])
    else:
        return _from_python(data, d, types, op)  # a new array: no copy needed
    if d is not None and arr.dtype != d:
        if arr.dtype.kind not in "biuf":
            _checked_array(arr)  # raises the clear error
        return arr.astype(d)
    # only data the caller still owns needs copying: lists were converted into a new array
    owned = isinstance(data, (np.ndarray, Tensor)) or arr.base is not None
    return np.array(arr, copy=True) if copy and owned else arr
