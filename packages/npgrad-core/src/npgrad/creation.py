"""Making tensors: from data, filled, uninitialised, identity; ranges and evenly spaced values
live in ``_creation_ranges.py`` and are re-exported here.

``tensor()`` infers dtypes like PyTorch: Python floats give the default float dtype
(float32), Python ints give int64, bools give bool; a NumPy scalar or array keeps its dtype,
and mixed elements promote as tensors do. Numbers that don't fit an integer dtype raise, as in
PyTorch (see ``_creation_util.py`` for the rules).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from npgrad import _memory_format, dtypes
from npgrad._creation_ranges import arange, linspace, logspace, range
from npgrad._creation_util import _check_placement, _checked_number, _float_or, _number

# other modules of npgrad import these helpers from here
from npgrad._creation_util import _infer as _infer
from npgrad._creation_util import _new as _new
from npgrad._creation_util import _size as _size
from npgrad._creation_util import _to_array as _to_array
from npgrad._device import parse_device
from npgrad.ops._shape_util import ShapeError
from npgrad.tensor import Tensor

__all__ = [
    "arange",
    "as_tensor",
    "asarray",
    "empty",
    "empty_like",
    "empty_permuted",
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
    return Tensor._make(_to_array(data, dtype, copy=False, op="as_tensor"), False, None)


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
    fill_value = _checked_number("full", fill_value, d)
    return _new(np.full(_size("full", (size,)), fill_value, d), requires_grad)


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
    d = _like("full_like", input, dtype)[1]
    value = _checked_number("full_like", _number("full_like", fill_value), d)
    return _new(_like_array("full_like", input, dtype, memory_format, value), requires_grad)


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
    if not isinstance(s, (bool, int, float, np.integer, np.floating, np.bool_)):
        raise TypeError(f"scalar_tensor: expected a number, got {type(s).__name__}")
    d = _float_or("scalar_tensor", dtype)
    return _new(np.array(_checked_number("scalar_tensor", s, d), dtype=d), requires_grad)


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


def empty_permuted(
    size: Sequence[int],
    physical_layout: Sequence[int],
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """An uninitialised, dense tensor of ``size`` whose dimensions lie in memory in the order
    ``physical_layout`` gives, outermost first (``(0, 2, 3, 1)`` is channels-last for an
    NCHW ``size``): ``t.stride(physical_layout[i])`` is the ``i``-th stride of a contiguous
    tensor of the permuted size. Unlike ``empty(size).permute(physical_layout)``, the shape is
    ``size`` itself.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.empty_permuted((2, 3, 5, 7), (0, 2, 3, 1)).stride()
    (105, 1, 21, 3)
    >>> npgrad.empty_permuted((2, 3), (1, 0)).shape
    npgrad.Size([2, 3])
    """
    op = "empty_permuted"
    _check_placement(op, device, layout, pin_memory)
    for name, arg in (("size", size), ("physical_layout", physical_layout)):
        if not isinstance(arg, (tuple, list)):
            raise TypeError(f"{op}: {name} must be a tuple of ints, not {type(arg).__name__}")
    shape = _size(op, (tuple(size),))
    try:
        order = tuple(operator.index(p) for p in physical_layout)
    except TypeError:
        raise TypeError(f"{op}: physical_layout must be ints, got {physical_layout!r}") from None
    if len(order) != len(shape):
        raise ShapeError(
            f"{op}: size {shape} has {len(shape)} dimensions but physical_layout {order} has "
            f"{len(order)}"
        )
    bad = next((p for p in order if not 0 <= p < len(shape)), None)
    if bad is not None:  # like PyTorch, no negative dims
        raise IndexError(
            f"{op}: dimension {bad} in physical_layout {order} is out of range: expected one of "
            f"0..{len(shape) - 1} for size {shape}"
        )
    if len(set(order)) != len(order):
        raise ShapeError(f"{op}: physical_layout {order} names a dimension more than once")
    d = _float_or(op, dtype)
    # the contiguous strides of the permuted size, outermost first, given back to the
    # dimensions they belong to (PyTorch's, also for sizes 0 and 1)
    steps = [0] * len(shape)
    step = 1
    for p in reversed(order):
        steps[p] = step
        step *= max(shape[p], 1)
    buf = np.empty(math.prod(shape), d)
    arr = np.lib.stride_tricks.as_strided(
        buf, shape, tuple(s * d.itemsize for s in steps), writeable=True
    )
    return _new(arr, requires_grad)
