"""Tensor casts, all differentiable: ``to`` (a dtype, a tensor's dtype, a device, a memory
format), ``type``/``type_as`` and the named ones (``float()``, ``long()``, ``bool()``...), plus
``cpu()``/``cuda()``. Each is one call of :func:`npgrad.ops.elementwise.cast` (or a copy in
another memory format), and returns the tensor itself when nothing changes, as PyTorch does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import npgrad
from npgrad import _device, _memory_format, dtypes

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["CastMethods"]


class CastMethods:
    __slots__ = ()

    def to(self: Any, *args: Any, **kwargs: Any) -> Tensor:
        """Cast to a dtype (``x.to(npgrad.float64)``, ``x.to(other)``); the CPU as a device
        (``"cpu"``, ``npgrad.device("cpu")``) is accepted, another device raises;
        ``memory_format`` stores the result in that order. Returns ``self`` when nothing
        changes, like PyTorch."""
        dtype = kwargs.pop("dtype", None)
        copy = kwargs.pop("copy", False)
        _device.parse_device("to", kwargs.pop("device", None))
        kwargs.pop("non_blocking", None)
        fmt = kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, npgrad.Tensor):
                dtype = a.dtype
            elif _device.is_device(a):
                _device.parse_device("to", a)
            elif a is not None and not isinstance(a, bool):
                dtype = a
        if fmt is not None:
            return self._to_format(dtype, copy, _memory_format.check("to", fmt, self.ndim))
        if dtype is None:
            return self.clone() if copy else self
        from npgrad.ops.elementwise import cast

        return cast(self, dtypes.to_dtype(dtype, "to"), copy=copy)

    def _to_format(self: Any, dtype: Any, copy: bool, fmt: Any) -> Tensor:
        """``to(dtype, memory_format=fmt)``: the cast, then a copy in ``fmt`` if needed."""
        from npgrad.ops.shape import clone

        out = self if dtype is None else self.to(dtype)
        fresh = out is not self
        if fmt is _memory_format.preserve_format or _memory_format.is_in(out._data, fmt):
            return clone(out, memory_format=fmt) if copy and not fresh else out
        return clone(out, memory_format=fmt)

    def type(self: Any, dtype: Any = None) -> Any:
        if dtype is None:
            return f"npgrad.{self.dtype}"
        return self.to(dtype)

    def type_as(self: Any, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def float(self: Any) -> Tensor:
        return self.to(dtypes.float32)

    def double(self: Any) -> Tensor:
        return self.to(dtypes.float64)

    def half(self: Any) -> Tensor:
        return self.to(dtypes.float16)

    def int(self: Any) -> Tensor:
        return self.to(dtypes.int32)

    def long(self: Any) -> Tensor:
        return self.to(dtypes.int64)

    def short(self: Any) -> Tensor:
        return self.to(dtypes.int16)

    def char(self: Any) -> Tensor:
        return self.to(dtypes.int8)

    def byte(self: Any) -> Tensor:
        return self.to(dtypes.uint8)

    def bool(self: Any) -> Tensor:
        return self.to(dtypes.bool_)

    def cpu(self: Any) -> Tensor:
        return self

    def cuda(self: Any, device: Any = None, non_blocking: Any = False) -> Tensor:
        """Raises: npgrad has no CUDA (``npgrad.cuda.is_available()`` is False)."""
        _device.parse_device("cuda", "cuda" if device is None else device)
        return self  # unreachable: parse_device refuses every CUDA device
