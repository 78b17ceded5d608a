"""Exchanging tensors with other libraries without a copy: DLPack (``from_dlpack``,
``to_dlpack``; ``Tensor.__dlpack__`` is in :mod:`npgrad._methods.layout`), the buffer protocol
(``frombuffer``), and ``typename``.

DLPack is how array libraries share memory: ``npgrad.from_dlpack(torch_tensor)`` and
``torch.from_dlpack(npgrad_tensor)`` (or ``np.from_dlpack``, ``jax.dlpack``...) give a tensor
over the same memory, so a write through one is seen by the other. NumPy does the work
(``np.from_dlpack`` and ``ndarray.__dlpack__``); this module adds PyTorch's argument checks
and npgrad's dtype rules. Under NumPy 1.x the imported memory is read-only (NumPy 1.x marks
every DLPack import so): in-place ops on such a tensor raise, ``clone()`` it to write.
"""

from __future__ import annotations

import operator
import warnings
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.creation import _infer
from npgrad.tensor import Tensor

__all__ = ["from_dlpack", "frombuffer", "to_dlpack", "typename"]


class _Capsule:
    """A DLPack capsule (``to_dlpack``'s result) presented as an exporter to ``np.from_dlpack``,
    which takes only objects with ``__dlpack__``. A capsule holds CPU memory: DLPack capsules
    of other devices are refused by NumPy when it reads the device from the capsule itself."""

    def __init__(self, capsule: Any) -> None:
        self.capsule = capsule

    def __dlpack__(self, **kwargs: Any) -> Any:
        return self.capsule

    def __dlpack_device__(self) -> tuple[int, int]:
        return (1, 0)  # kDLCPU


def from_dlpack(ext_tensor: Any, *, device: Any = None, copy: bool | None = None) -> Tensor:
    """A tensor over the memory of ``ext_tensor``: any object with ``__dlpack__`` (a PyTorch,
    JAX or CuPy-on-host tensor, a NumPy array, another npgrad tensor) or a DLPack capsule.
    Writes through one are seen by the other; ``copy=True`` copies instead.

    The result is a leaf that does not require grad (as PyTorch's). Under NumPy 1.x it is
    read-only: NumPy 1.x marks every DLPack import so.

    Examples
    --------
    >>> import numpy as np
    >>> import npgrad
    >>> a = np.arange(3.0)
    >>> t = npgrad.from_dlpack(a)
    >>> t
    tensor([0., 1., 2.], dtype=npgrad.float64)
    >>> np.shares_memory(t.numpy(), a)
    True
    """
    op = "from_dlpack"
    if device is not None:
        from npgrad._device import parse_device

        parse_device(op, device)  # npgrad has the CPU only
    if copy is not None and not isinstance(copy, bool):
        raise TypeError(f"{op}: copy must be a bool or None, got {type(copy).__name__}")
    source = ext_tensor
    if not hasattr(source, "__dlpack__"):
        if type(source).__name__ != "PyCapsule":
            raise TypeError(
                f"{op}: expected an object with __dlpack__ (a tensor or array) or a DLPack "
                f"capsule, got {type(source).__name__}"
            )
        source = _Capsule(source)
    try:
        arr = np.from_dlpack(source)
    except (BufferError, RuntimeError, TypeError, ValueError) as e:
        raise type(e)(f"{op}: {e}") from None
    if copy:
        arr = arr.copy()
    try:
        arr = _infer(arr)
    except TypeError as e:
        raise TypeError(f"{op}: {e}".replace("tensor: ", "")) from None
    return Tensor._make(arr, False, None)


def to_dlpack(tensor: Tensor) -> Any:
    """A DLPack capsule of ``tensor``'s memory (PyTorch's legacy ``torch.to_dlpack``): pass it
    to another library's ``from_dlpack``, once. Prefer handing the tensor itself to
    ``from_dlpack``, which calls ``tensor.__dlpack__()``.

    Examples
    --------
    >>> import npgrad
    >>> t = npgrad.tensor([1.0, 2.0])
    >>> npgrad.from_dlpack(npgrad.to_dlpack(t))
    tensor([1., 2.])
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dlpack: expected a Tensor, got {type(tensor).__name__}")
    return tensor.__dlpack__()


def frombuffer(
    buffer: Any,
    *,
    dtype: Any,
    count: int = -1,
    offset: int = 0,
    requires_grad: bool = False,
) -> Tensor:
    """A 1-D tensor over the bytes of ``buffer`` (any object with the buffer protocol:
    ``bytearray``, ``array.array``, ``memoryview``, ``mmap``...), skipping ``offset`` bytes
    and reading ``count`` elements of ``dtype`` (all the rest when negative). The tensor and
    the buffer share memory. A read-only buffer (``bytes``) gives a read-only tensor, with
    PyTorch's warning.

    Examples
    --------
    >>> import array
    >>> import npgrad
    >>> a = array.array("i", [1, 2, 3])
    >>> t = npgrad.frombuffer(a, dtype=npgrad.int32)
    >>> t[0] = -1
    >>> a
    array('i', [-1, 2, 3])
    """
    op = "frombuffer"
    dt = dtypes.to_dtype(dtype, op)
    try:
        view = memoryview(buffer)
    except TypeError:
        raise TypeError(
            f"{op}: expected an object with the buffer protocol, got {type(buffer).__name__}"
        ) from None
    count, offset = operator.index(count), operator.index(offset)
    length = view.nbytes
    if length == 0 and count <= 0:
        raise ValueError(f"{op}: both buffer length (0) and count ({count}) must not be 0")
    if offset < 0 or offset >= length:
        raise ValueError(
            f"{op}: offset ({offset} bytes) must be non-negative and no greater than buffer "
            f"length ({length} bytes) minus 1"
        )
    if count < 0:
        if (length - offset) % dt.itemsize:
            raise ValueError(
                f"{op}: buffer length ({length - offset} bytes) after offset ({offset} bytes) "
                f"must be a multiple of element size ({dt.itemsize})"
            )
        count = (length - offset) // dt.itemsize
    elif offset + count * dt.itemsize > length:
        raise ValueError(
            f"{op}: requested buffer length ({count} * {dt.itemsize} bytes) after offset "
            f"({offset} bytes) must not be greater than actual buffer length ({length} bytes)"
        )
    try:
        arr = np.frombuffer(buffer, dtype=dt, count=count, offset=offset)
    except BufferError as e:  # a non-contiguous memoryview
        raise BufferError(f"{op}: {e}") from None
    if not arr.flags.writeable:
        warnings.warn(
            f"{op}: the given buffer is not writable; the tensor is read-only and in-place "
            "operations on it raise (copy the buffer, or clone() the tensor, to write)",
            UserWarning,
            stacklevel=2,
        )
    t = Tensor._make(arr, False, None)
    return t.requires_grad_(True) if requires_grad else t


def typename(obj: Any) -> str:
    """The type of ``obj`` as a string: ``tensor.type()`` for a tensor (``'npgrad.float32'``),
    else the qualified name of a class or function, or of an object's class (``'int'``,
    ``'numpy.ndarray'``, ``'npgrad.nn.modules.linear.Linear'``), like ``torch.typename``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.typename(npgrad.ones(2)), npgrad.typename(3)
    ('npgrad.float32', 'int')
    """
    if isinstance(obj, Tensor):
        return str(obj.type())
    if hasattr(obj, "__qualname__"):  # a class or a function names itself
        module, name = getattr(obj, "__module__", None), obj.__qualname__
    else:  # an instance is named by its class
        module, name = type(obj).__module__, type(obj).__qualname__
    return name if module in (None, "", "builtins") else f"{module}.{name}"
