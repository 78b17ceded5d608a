"""Making tensors: from data, filled, ranges, identity.

``tensor()`` infers dtypes like PyTorch: Python floats give the default float dtype
(float32), Python ints give int64, bools give bool; a NumPy array keeps its dtype.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from npgrad import _memory_format, dtypes
from npgrad._device import parse_device
from npgrad.tensor import Tensor

__all__ = [
    "arange",
    "as_tensor",
    "asarray",
    "empty",
    "empty_like",
    "empty_strided",
    "eye",
    "from_numpy",
    "full",
    "full_like",
    "linspace",
    "logspace",
    "ones",
    "ones_like",
    "range",
    "scalar_tensor",
    "tensor",
    "zeros",
    "zeros_like",
]


def _infer(data: Any) -> np.ndarray:
    arr = np.asarray(data)
    k = arr.dtype.kind
    python = not isinstance(data, (np.ndarray, np.generic))
    # NumPy holds Python ints beyond int64 as uint64, objects or (next to other numbers:
    # [2**63, 1]) float64: an error, as in PyTorch, not a silent wrap or rounding
    if python and (
        arr.dtype == np.uint64
        or (
            (k == "O" or (k == "f" and arr.size and np.abs(arr).max() >= 2.0**63))
            and _big_int(data)
        )
    ):
        raise ValueError("tensor: integer value out of the int64 range")
    if k == "f" and python:
        return arr.astype(dtypes.get_default_dtype(), copy=False)  # Python floats
    if k in "iu" and not isinstance(data, (np.ndarray, np.generic)):
        return arr.astype(np.int64, copy=False)
    if k not in "biuf":
        raise TypeError(
            f"tensor: can't convert data of dtype {arr.dtype} (from {type(data).__name__}); "
            "npgrad supports bool, integer and floating data"
        )
    if arr.dtype not in dtypes._SUPPORTED:
        raise TypeError(f"tensor: dtype {arr.dtype} is not supported by npgrad")
    return arr


def _big_int(data: Any) -> bool:
    """Whether nested Python data holds an int outside int64's range."""
    if type(data) is int:
        return not -(2**63) <= data < 2**63
    if isinstance(data, (list, tuple)):
        return any(_big_int(v) for v in data)
    return False


def _check_fits(arr: np.ndarray, d: np.dtype) -> None:
    """Python numbers for an integer dtype must fit it, as in PyTorch (which lets negative
    integers wrap into unsigned types: -1 is 255 in uint8)."""
    if d.kind not in "iu" or not arr.size or arr.dtype.kind not in "iuf":
        return
    info = np.iinfo(d)
    lo, hi = arr.min(), arr.max()
    if arr.dtype.kind == "f":
        low_ok, high_ok = bool(info.min <= lo), bool(hi <= info.max)  # False for nan
        if np.isnan(arr).any():
            low_ok = high_ok = False
            lo = hi = np.nan
    else:
        low_ok = bool((-int(info.max) if d.kind == "u" else int(info.min)) <= lo)
        high_ok = bool(hi <= info.max)
    if not (low_ok and high_ok):
        bad = hi if low_ok else lo
        raise RuntimeError(f"tensor: value {bad} cannot be converted to type {d} without overflow")


def _nested_tensor(data: Any) -> bool:
    """Whether nested lists hold a Tensor as their first innermost element
    (``[[tensor(1.5)], [tensor(2)]]``), found in as many steps as the nesting is deep."""
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
        if isinstance(data, Tensor):
            return True
    return False


def _to_array(data: Any, dtype: Any = None, copy: bool = True) -> np.ndarray:
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, (list, tuple)) and (
        any(isinstance(x, Tensor) for x in data) or _nested_tensor(data)
    ):
        # PyTorch reads a one-element tensor inside a list as the number it holds
        parts = [
            a.reshape(()) if isinstance(x, Tensor) and a.size == 1 else a
            for x, a in zip(data, (_to_array(x, copy=False) for x in data))
        ]
        # PyTorch promotes the elements' dtypes by its own table ([tensor(1), 2.5] is float32,
        # where NumPy would make int64 and float32 float64)
        d = parts[0].dtype
        for part in parts[1:]:
            d = dtypes.promote_types(d, part.dtype)
        arr = np.stack([part.astype(d, copy=False) for part in parts])
    elif dtype is not None and not isinstance(data, (np.ndarray, np.generic)):
        # Python data straight to the requested dtype: [0.1] as float64 must not pass
        # through float32 on the way
        arr = np.asarray(data)
        if arr.dtype.kind not in "biuf":
            arr = _infer(data)  # raises the clear error
        _check_fits(arr, dtypes.to_dtype(dtype))
    else:
        arr = _infer(data)
    if dtype is not None:
        d = dtypes.to_dtype(dtype)
        if arr.dtype != d:
            return arr.astype(d)
    # only data the caller still owns needs copying: lists were converted into a new array
    owned = isinstance(data, (np.ndarray, Tensor)) or arr.base is not None
    return np.array(arr, copy=True) if copy and owned else arr


def tensor(
    data: Any, *, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested sequence or array).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tensor([[1, 2], [3, 4]])
    tensor([[1, 2],
            [3, 4]])
    >>> npgrad.tensor([1.0, 2.0], requires_grad=True)
    tensor([1., 2.], requires_grad=True)
    """
    parse_device("tensor", device)
    t = Tensor._make(_to_array(data, dtype), False, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like :func:`tensor` but shares memory with a Tensor or ndarray when no cast is needed.

    Examples
    --------
    >>> import numpy as np
    >>> import npgrad
    >>> a = np.array([1.0, 2.0])
    >>> t = npgrad.as_tensor(a)
    >>> t[0] = 5.0
    >>> a
    array([5., 2.])
    """
    parse_device("as_tensor", device)
    if isinstance(data, Tensor) and (dtype is None or dtypes.to_dtype(dtype) == data.dtype):
        return data
    return Tensor._make(_to_array(data, dtype, copy=False), False, None)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (which keeps its dtype).

    Examples
    --------
    >>> import numpy as np
    >>> import npgrad
    >>> npgrad.from_numpy(np.arange(3, dtype=np.int32))
    tensor([0, 1, 2], dtype=npgrad.int32)
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(array).__name__}")
    return Tensor._make(_infer(array), False, None)


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


def _new(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr, False, None)
    return t.requires_grad_(True) if requires_grad else t


def _float_or(op: str, dtype: Any) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype, op)


def zeros(
    *sizes: Any,
    size: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """A tensor of zeros (default float dtype).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.zeros(2, 3).shape
    npgrad.Size([2, 3])
    """
    parse_device("zeros", device)
    return _new(np.zeros(_size("zeros", sizes, size), _float_or("zeros", dtype)), requires_grad)


def ones(
    *sizes: Any,
    size: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """A tensor of ones (default float dtype).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.ones(2, dtype=npgrad.int64)
    tensor([1, 1])
    """
    parse_device("ones", device)
    return _new(np.ones(_size("ones", sizes, size), _float_or("ones", dtype)), requires_grad)


def empty(
    *sizes: Any,
    size: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """An uninitialised tensor (default float dtype), stored in ``memory_format``'s order
    (default ``npgrad.contiguous_format``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.empty(2, 3).shape
    npgrad.Size([2, 3])
    """
    parse_device("empty", device)
    shape, d = _size("empty", sizes, size), _float_or("empty", dtype)
    if memory_format is None:
        return _new(np.empty(shape, d), requires_grad)
    fmt = _memory_format.check("empty", memory_format, len(shape), _memory_format.contiguous_format)
    if fmt is _memory_format.preserve_format:
        raise ValueError("empty: preserve_format has no tensor to preserve the order of")
    return _new(_memory_format.empty_in(shape, d, fmt), requires_grad)


def full(
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """A tensor filled with ``fill_value``; the dtype is inferred from it like ``tensor``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.full((2,), 1.5), npgrad.full((2,), 7)
    (tensor([1.5000, 1.5000]), tensor([7, 7]))
    """
    # a number's own dtype, as for Python scalars in ops: np.float64(1.5) fills float32
    parse_device("full", device)
    fill_value = _number("full", fill_value)
    d = dtypes.scalar_dtype(fill_value) if dtype is None else dtypes.to_dtype(dtype, "full")
    if dtype is not None:
        from npgrad.ops._promote import fill_value as _checked

        fill_value = _checked("full", fill_value, d)
    return _new(np.full(_size("full", (size,)), fill_value, d), requires_grad)


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


def _like(op: str, t: Any, dtype: Any) -> tuple[tuple[int, ...], np.dtype]:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(t).__name__}")
    return t.shape, t.dtype if dtype is None else dtypes.to_dtype(dtype, op)


def _like_array(op: str, t: Any, dtype: Any, memory_format: Any, fill: Any) -> np.ndarray:
    """An array of ``t``'s shape holding ``fill`` (None: uninitialised), stored in
    ``memory_format`` (default ``preserve_format``: in ``t``'s own order when ``t`` is dense,
    as PyTorch's ``*_like`` functions do)."""
    shape, d = _like(op, t, dtype)
    fmt = _memory_format.check(op, memory_format, t.ndim)
    a = _memory_format.empty_in(shape, d, fmt, t._data)
    if fill is not None:
        a.fill(fill)
    return a


def zeros_like(
    input: Tensor,  # noqa: A002
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """A tensor of zeros with ``input``'s shape and dtype (or ``dtype``),
    stored in ``input``'s order unless ``memory_format`` says otherwise.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.zeros_like(npgrad.tensor([[1, 2]]))
    tensor([[0, 0]])
    """
    parse_device("zeros_like", device)
    return _new(_like_array("zeros_like", input, dtype, memory_format, 0), requires_grad)


def ones_like(
    input: Tensor,  # noqa: A002
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """A tensor of ones with ``input``'s shape and dtype (or ``dtype``),
    stored in ``input``'s order unless ``memory_format`` says otherwise.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.ones_like(npgrad.tensor([1, 2]), dtype=npgrad.float32)
    tensor([1., 1.])
    """
    parse_device("ones_like", device)
    return _new(_like_array("ones_like", input, dtype, memory_format, 1), requires_grad)


def empty_like(
    input: Tensor,  # noqa: A002
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """An uninitialised tensor with ``input``'s shape and dtype (or ``dtype``),
    stored in ``input``'s order unless ``memory_format`` says otherwise.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.empty_like(npgrad.zeros(2, 3)).shape
    npgrad.Size([2, 3])
    """
    parse_device("empty_like", device)
    return _new(_like_array("empty_like", input, dtype, memory_format, None), requires_grad)


def full_like(
    input: Tensor,
    fill_value: Any,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:  # noqa: A002
    """A tensor of ``fill_value`` with ``input``'s shape and dtype (or ``dtype``),
    stored in ``input``'s order unless ``memory_format`` says otherwise.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.full_like(npgrad.zeros(2), 0.5)
    tensor([0.5000, 0.5000])
    """
    parse_device("full_like", device)
    from npgrad.ops._promote import fill_value as _checked

    d = _like("full_like", input, dtype)[1]
    value = _checked("full_like", _number("full_like", fill_value), d)
    return _new(_like_array("full_like", input, dtype, memory_format, value), requires_grad)


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
    # 0-d tensors count as the numbers they hold (an integer one keeps the result int64)
    parse_device("arange", device)
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if end is None:
        if start is None:
            raise TypeError("arange() missing required argument 'end'")
        start, end = 0, start
    elif start is None:  # PyTorch's arange(end=5)
        start = 0
    if dtype is not None and dtypes.to_dtype(dtype).kind in "iu":
        # like PyTorch, an integer dtype truncates the bounds and the step first
        start, end, step = int(start), int(end), int(step)
    if step == 0:
        raise ValueError("arange: step must be nonzero")
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
        # exact integer arithmetic: float64 would round values beyond 2**53
        start, end, step = int(start), int(end), int(step)
        values = np.arange(-((start - end) // step), dtype=np.int64)
        if step != 1:
            values *= step
        if start:
            values += start
    else:
        # like PyTorch: length and values computed in double, then cast
        n = int(np.ceil((end - start) / step))
        values = start + np.arange(n, dtype=np.float64) * step
    return _new(values.astype(d, copy=False), requires_grad)


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
    if steps < 0:
        raise ValueError(f"linspace: number of steps must be non-negative, got {steps}")
    d = _float_or("linspace", dtype)
    return _new(_spaced(start, end, steps, d).astype(d), requires_grad)


def _steps(op: str, steps: Any) -> int:
    try:
        return operator.index(steps)
    except TypeError:
        raise TypeError(f"{op}: steps must be an int, got {type(steps).__name__}") from None


def _spaced(start: Any, end: Any, steps: int, d: np.dtype) -> np.ndarray:
    """PyTorch's ``linspace`` values, in float64: ``start + i * step`` for the first half and
    ``end - (steps - 1 - i) * step`` for the rest (so both ends are exact). An integer dtype
    first converts the bounds to that dtype, as PyTorch does (``linspace(0.5, 2.5, 5,
    dtype=int64)`` runs from 0 to 2)."""
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    if d.kind in "iu":
        start, end = (float(np.asarray(int(v)).astype(d)) for v in (start, end))
    else:
        start, end = float(start), float(end)
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
    if steps < 0:
        raise ValueError(f"logspace: number of steps must be non-negative, got {steps}")
    d = _float_or("logspace", dtype)
    # like PyTorch, an integer dtype truncates the exponents' bounds first
    return _new((float(base) ** _spaced(start, end, steps, d)).astype(d), requires_grad)


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """The ``n x m`` identity matrix (default float dtype).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.eye(2, 3)
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    parse_device("eye", device)
    if n < 0 or (m is not None and m < 0):
        raise ValueError(f"eye: n and m must be non-negative, got n={n}, m={m}")
    return _new(np.eye(n, m, dtype=_float_or("eye", dtype)), requires_grad)


def scalar_tensor(
    s: Any, *, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """A 0-d tensor holding the number ``s``, of the default float dtype unless ``dtype`` is
    given (also for an int or a bool ``s``, as in PyTorch).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.scalar_tensor(3)
    tensor(3.)
    """
    parse_device("scalar_tensor", device)
    if isinstance(s, Tensor):
        if s.numel() != 1:
            raise ValueError(f"scalar_tensor: expected a number, got a tensor of shape {s.shape}")
        s = s.item()
    if not isinstance(s, (bool, int, float, np.number, np.bool_)):
        raise TypeError(f"scalar_tensor: expected a number, got {type(s).__name__}")
    return _new(np.array(s, dtype=_float_or("scalar_tensor", dtype)), requires_grad)


def asarray(
    obj: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    copy: bool | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """``obj`` as a tensor, sharing memory with a Tensor or ndarray when it can
    (``copy=None``), always copying (``copy=True``) or never (``copy=False``: a ValueError
    when a cast or a conversion is needed). A Tensor ``obj`` is returned as it is (or, copied
    or cast, through differentiable ops); ``requires_grad=True`` makes a leaf require grad.

    Examples
    --------
    >>> import numpy as np
    >>> import npgrad
    >>> a = np.array([1.0, 2.0])
    >>> t = npgrad.asarray(a)
    >>> t[0] = 5.0
    >>> a
    array([5., 2.])
    >>> npgrad.asarray([1, 2], dtype=npgrad.float64)
    tensor([1., 2.], dtype=npgrad.float64)
    """
    parse_device("asarray", device)
    d = None if dtype is None else dtypes.to_dtype(dtype)
    if isinstance(obj, Tensor):
        same = d is None or d == obj.dtype
        if copy is False and not same:
            raise ValueError(
                f"asarray: can't alias a tensor of dtype {obj.dtype} as dtype {d} (copy=False)"
            )
        out = obj if same and not copy else (obj.to(d) if not same else obj.clone())
    elif isinstance(obj, np.ndarray):
        if copy is False and d is not None and d != obj.dtype:
            raise ValueError(
                f"asarray: can't alias an array of dtype {obj.dtype} as dtype {d} (copy=False)"
            )
        out = tensor(obj, dtype=d) if copy else as_tensor(obj, dtype=d)
    else:
        if copy is False:
            raise ValueError(
                f"asarray: can't alias {type(obj).__name__} data without copying (copy=False)"
            )
        out = tensor(obj, dtype=d)
    if requires_grad and not out.requires_grad:
        out.requires_grad_(True)
    return out


def empty_strided(
    size: Sequence[int],
    stride: Sequence[int],
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """An uninitialised tensor of ``size`` laid out with the element ``stride`` given, over
    a buffer just large enough for it.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.empty_strided((2, 3), (1, 2)).stride()
    (1, 2)
    """
    parse_device("empty_strided", device)
    shape = _size("empty_strided", (tuple(size),))
    try:
        steps = tuple(operator.index(s) for s in stride)
    except TypeError:
        raise TypeError(f"empty_strided: stride must be ints, got {stride!r}") from None
    if len(steps) != len(shape):
        raise ValueError(
            f"empty_strided: mismatch in length of strides and shape: size {shape}, stride {steps}"
        )
    if any(s < 0 for s in steps):
        raise ValueError(f"empty_strided: negative strides are not supported, got {steps}")
    d = _float_or("empty_strided", dtype)
    n = 0 if 0 in shape else 1 + sum((k - 1) * s for k, s in zip(shape, steps))
    buf = np.empty(n, dtype=d)
    arr = np.lib.stride_tricks.as_strided(
        buf, shape, tuple(s * d.itemsize for s in steps), writeable=True
    )
    return _new(arr, requires_grad)


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
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("range: step must be nonzero")
    if (end - start) * step < 0:
        raise ValueError(
            f"range: the range from {start} to {end} is inconsistent with the sign of step {step}"
        )
    # like PyTorch: the length and the values are computed in double, then cast
    n = int(np.floor((end - start) / step)) + 1
    values = start + np.arange(n, dtype=np.float64) * step
    return _new(values.astype(_float_or("range", dtype)), requires_grad)
