"""Tensor methods about the tensor itself rather than an op: new tensors like this one
(``new_zeros``...), memory layout (``stride``, ``storage_offset``, ``resize_``...), random fills
(``uniform_``, ``bernoulli_``...) and Python-function maps (``apply_``, ``map_``)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

import npgrad
from npgrad import ops
from npgrad._methods.base import MethodsBase

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["LayoutMethods"]


def _check_new(
    op: str, device: Any, layout: Any, pin_memory: bool, sizes: Any = (0,), size: Any = 0
) -> None:
    """The keywords the ``new_*`` methods share with the creation functions: a CPU
    ``device``, the strided ``layout``, no ``pin_memory``; and a size, which is required."""
    from npgrad._creation_util import _check_placement

    _check_placement(op, device, layout, pin_memory)
    if not sizes and size is None:
        raise TypeError(f'{op}() missing 1 required positional arguments: "size"')


class LayoutMethods(MethodsBase):
    __slots__ = ()

    # ---- queries -----------------------------------------------------------------------------
    def is_complex(self) -> bool:
        return False

    def is_nonzero(self) -> bool:
        return ops.extras.is_nonzero(self)  # type: ignore[arg-type]

    def nelement(self: Any) -> int:
        """The number of elements: an alias of :meth:`numel`.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.zeros(2, 3).nelement()
        6
        """
        return self.numel()

    def ndimension(self: Any) -> int:
        return int(self._data.ndim)

    @property
    def output_nr(self: Any) -> int:
        """Which output of its ``grad_fn`` this tensor is (0 for a leaf).

        Examples
        --------
        >>> import npgrad
        >>> a, b = npgrad.ones(4, requires_grad=True).split(2)
        >>> a.output_nr, b.output_nr
        (0, 1)
        """
        return int(self._output_nr)

    def stride(self: Any, dim: int | None = None) -> Any:
        """The step, in elements, between consecutive entries of each dimension (a tuple), or
        of dimension ``dim`` — PyTorch's ``stride()`` (NumPy's ``strides`` are in bytes).

        Examples
        --------
        >>> import npgrad
        >>> x = npgrad.zeros(2, 3)
        >>> x.stride(), x.t().stride(), x.stride(-1)
        ((3, 1), (1, 3), 1)
        """
        data = self._data
        if data.size == 0 and not any(data.strides):
            # NumPy zeroes a new empty array's strides; PyTorch gives it contiguous ones,
            # counting a size-0 dimension as 1: (2, 0, 3) -> (3, 3, 1)
            steps, step = [], 1
            for n in reversed(data.shape):
                steps.append(step)
                step *= max(n, 1)
            strides = tuple(reversed(steps))
        else:
            strides = tuple(s // data.itemsize for s in data.strides)
        if dim is None:
            return strides
        from npgrad.tensor import _check_dim

        if data.ndim == 0:
            raise IndexError("stride: a 0-d tensor has no dimensions")
        return strides[_check_dim("stride", dim, data.ndim)]

    def storage_offset(self: Any) -> int:
        """How many elements into the memory it shares with other tensors this tensor starts
        (0 unless it is a view that starts later, like ``x[1:]``).

        Examples
        --------
        >>> import npgrad
        >>> x = npgrad.zeros(3, 4)
        >>> x.storage_offset(), x[1:, 1:].storage_offset()
        (0, 5)
        """
        data = base = self._data
        while isinstance(base.base, np.ndarray):  # the array that owns the memory
            base = base.base
        start = base.__array_interface__["data"][0]
        return (data.__array_interface__["data"][0] - start) // data.itemsize  # type: ignore[no-any-return]

    def data_ptr(self: Any) -> int:
        """The memory address of the first element (equal for tensors that alias it).

        Examples
        --------
        >>> import npgrad
        >>> x = npgrad.zeros(3)
        >>> x.data_ptr() == x.view(3).data_ptr(), x[1:].data_ptr() - x.data_ptr()
        (True, 4)
        """
        return self._data.__array_interface__["data"][0]  # type: ignore[no-any-return]

    def get_device(self: Any) -> int:
        """The device index: always -1, PyTorch's answer for a CPU tensor.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.zeros(1).get_device()
        -1
        """
        return -1

    def dim_order(self: Any, *, ambiguity_check: bool = False) -> tuple[int, ...]:
        """The dimensions from outermost to innermost in memory (by decreasing stride):
        ``(0, 1, 2, 3)`` for a contiguous 4-D tensor, ``(0, 2, 3, 1)`` for channels-last.
        Ties keep their order; ``ambiguity_check=True`` raises when a tie (two equal strides,
        as a size-1 dimension may give) leaves the order ambiguous.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.zeros(2, 3, 4).permute(0, 2, 1).dim_order()
        (0, 2, 1)
        """
        strides = self.stride()
        order = tuple(sorted(range(len(strides)), key=lambda d: -strides[d]))
        if ambiguity_check and len(set(strides)) < len(strides):
            raise RuntimeError(
                f"dim_order: the tensor of shape {tuple(self.shape)} and strides {strides} "
                "does not have a unique dim order"
            )
        return order

    def __dlpack__(
        self: Any,
        *,
        stream: Any = None,
        max_version: tuple[int, int] | None = None,
        dl_device: Any = None,
        copy: bool | None = None,
    ) -> Any:
        """A DLPack capsule of this tensor's memory, for another library's ``from_dlpack``
        (``torch.from_dlpack(t)``, ``np.from_dlpack(t)``). A tensor that requires grad is
        refused, as PyTorch does: export ``t.detach()``."""
        if self._requires_grad:
            raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
        kwargs: dict[str, Any] = {}
        if max_version is not None:  # NumPy 1.x knows only ``stream``: pass what is given
            kwargs["max_version"] = max_version
        if dl_device is not None:
            kwargs["dl_device"] = dl_device
        if copy is not None:
            kwargs["copy"] = copy
        return self._data.__dlpack__(stream=stream, **kwargs)

    def __dlpack_device__(self: Any) -> tuple[int, int]:
        """``(1, 0)``: DLPack's CPU device, where every npgrad tensor lives."""
        return self._data.__dlpack_device__()  # type: ignore[no-any-return]

    # ---- new tensors like this one -----------------------------------------------------------
    def new_tensor(
        self: Any,
        data: Any,
        *,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        layout: Any = None,
        pin_memory: bool = False,
    ) -> Tensor:
        """A new leaf holding a copy of ``data``, with this tensor's dtype unless ``dtype`` is
        given (a Tensor ``data`` is detached and copied, with PyTorch's warning that
        ``data.detach().clone()`` says so better).

        Examples
        --------
        >>> import npgrad
        >>> npgrad.tensor([1.5]).new_tensor([1, 2])
        tensor([1., 2.])
        """
        _check_new("new_tensor", device, layout, pin_memory)
        if hasattr(data, "_data"):
            warnings.warn(
                "To copy construct from a tensor, it is recommended to use "
                "sourceTensor.detach().clone() or "
                "sourceTensor.detach().clone().requires_grad_(True), rather than "
                "tensor.new_tensor(sourceTensor).",
                UserWarning,
                stacklevel=2,
            )
            data = data._data
        return npgrad.creation.tensor(
            data, dtype=self.dtype if dtype is None else dtype, requires_grad=requires_grad
        )

    def new_zeros(
        self: Any,
        *sizes: Any,
        size: Any = None,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        layout: Any = None,
        pin_memory: bool = False,
    ) -> Tensor:
        """A tensor of zeros of ``size`` with this tensor's dtype unless ``dtype`` is given.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.tensor([1, 2]).new_zeros(2, 3).dtype
        dtype('int64')
        """
        _check_new("new_zeros", device, layout, pin_memory, sizes, size)
        d = self.dtype if dtype is None else dtype
        return npgrad.creation.zeros(*sizes, size=size, dtype=d, requires_grad=requires_grad)

    def new_ones(
        self: Any,
        *sizes: Any,
        size: Any = None,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        layout: Any = None,
        pin_memory: bool = False,
    ) -> Tensor:
        """A tensor of ones of ``size`` with this tensor's dtype unless ``dtype`` is given.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.zeros(1, dtype=npgrad.float64).new_ones((2,))
        tensor([1., 1.], dtype=npgrad.float64)
        """
        _check_new("new_ones", device, layout, pin_memory, sizes, size)
        d = self.dtype if dtype is None else dtype
        return npgrad.creation.ones(*sizes, size=size, dtype=d, requires_grad=requires_grad)

    def new_empty(
        self: Any,
        *sizes: Any,
        size: Any = None,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        layout: Any = None,
        pin_memory: bool = False,
    ) -> Tensor:
        """An uninitialised tensor of ``size`` with this tensor's dtype unless ``dtype`` is
        given.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.zeros(1).new_empty(2, 2).shape
        npgrad.Size([2, 2])
        """
        _check_new("new_empty", device, layout, pin_memory, sizes, size)
        d = self.dtype if dtype is None else dtype
        return npgrad.creation.empty(*sizes, size=size, dtype=d, requires_grad=requires_grad)

    def new_full(
        self: Any,
        size: Any,
        fill_value: Any,
        *,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        layout: Any = None,
        pin_memory: bool = False,
    ) -> Tensor:
        """A tensor of ``size`` filled with ``fill_value``, with this tensor's dtype unless
        ``dtype`` is given.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.zeros(1).new_full((2,), 3)
        tensor([3., 3.])
        """
        _check_new("new_full", device, layout, pin_memory)
        d = self.dtype if dtype is None else dtype
        return npgrad.creation.full(size, fill_value, dtype=d, requires_grad=requires_grad)

    def new(self: Any, *args: Any) -> Tensor:
        """PyTorch's legacy constructor, with this tensor's dtype: ``x.new(data)`` copies a
        sequence or array, ``x.new(*sizes)`` is uninitialised, ``x.new()`` is empty and
        ``x.new(t)`` returns a tensor ``t`` of the same dtype detached (sharing memory).

        Examples
        --------
        >>> import npgrad
        >>> x = npgrad.zeros(1)
        >>> x.new([1, 2]), x.new(2, 3).shape, x.new().shape
        (tensor([1., 2.]), npgrad.Size([2, 3]), npgrad.Size([0]))
        """
        from npgrad.tensor import Tensor

        if not args:
            return npgrad.creation.empty(0, dtype=self.dtype)
        if len(args) == 1 and isinstance(args[0], Tensor):
            if args[0].dtype != self.dtype:
                raise TypeError(
                    f"new: expected a tensor of dtype {self.dtype}, got {args[0].dtype}"
                )
            return args[0].detach()  # type: ignore[no-any-return]
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            return npgrad.creation.empty(*args, dtype=self.dtype)
        if len(args) == 1:
            return npgrad.creation.tensor(args[0], dtype=self.dtype)
        raise TypeError(f"new: expected data or sizes (ints), got {args!r}")

    def new_empty_strided(
        self: Any,
        size: Any,
        stride: Any,
        *,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        layout: Any = None,
        pin_memory: bool = False,
    ) -> Tensor:
        """:func:`npgrad.empty_strided` with this tensor's dtype unless ``dtype`` is given.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.zeros(1).new_empty_strided((2, 2), (1, 2)).stride()
        (1, 2)
        """
        _check_new("new_empty_strided", device, layout, pin_memory)
        d = self.dtype if dtype is None else dtype
        return npgrad.creation.empty_strided(size, stride, dtype=d, requires_grad=requires_grad)

    # ---- resizing in place -------------------------------------------------------------------
    def resize_(self: Any, *sizes: Any) -> Tensor:
        """Give this tensor the shape ``sizes`` in place, keeping its first elements in
        row-major order: extra elements are uninitialised, missing ones dropped. Refused on
        a tensor that requires grad, as in PyTorch.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.arange(6).resize_(2, 2)
        tensor([[0, 1],
                [2, 3]])
        """
        if self._requires_grad:
            raise RuntimeError("resize_: cannot resize a tensor that requires grad")
        shape = npgrad.creation._size("resize_", sizes)
        self._check_inplace("resize_", write=False)  # it replaces the array, never writes it
        if self._view is not None and shape != tuple(self.shape):
            # npgrad cannot grow or re-lay the memory a view shares with its base
            raise RuntimeError(
                f"resize_: can't resize a view of another tensor (shape {tuple(self.shape)} to "
                f"{shape}); resize a .clone() instead"
            )
        n = int(np.prod(shape, dtype=np.int64))
        flat = self._data.reshape(-1)
        if n == flat.size:
            new = flat.reshape(shape)
        else:
            new = np.empty(n, dtype=self.dtype)
            k = min(n, flat.size)
            new[:k] = flat[:k]
            if n > k and self.dtype.kind in "fc":
                new[k:] = 0  # NumPy's garbage may hold signalling patterns: zeros are safer
            new = new.reshape(shape)
        self._data = new
        self._version += 1
        return self  # type: ignore[no-any-return]

    def resize_as_(self: Any, other: Any) -> Tensor:
        """:meth:`resize_` to ``other``'s shape.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.zeros(4).resize_as_(npgrad.ones(2, 2)).shape
        npgrad.Size([2, 2])
        """
        return self.resize_(tuple(other.shape))  # type: ignore[no-any-return]

    # ---- random fills and sampling (in place ones outside the graph) -------------------------
    def bernoulli(self, p: Any = None, *, generator: Any = None) -> Tensor:
        from npgrad.random import bernoulli

        return bernoulli(self, p, generator=generator)

    def multinomial(
        self, num_samples: int, replacement: bool = False, *, generator: Any = None
    ) -> Tensor:
        from npgrad.random import multinomial

        return multinomial(self, num_samples, replacement, generator=generator)  # type: ignore[arg-type]

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Tensor:
        """Fill with 0/1 samples, 1 with probability ``p`` (a number or a tensor)."""
        return npgrad._random_more.bernoulli_(self, p, generator)  # type: ignore[arg-type]

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples from the Cauchy law of ``median`` and ``sigma``."""
        return npgrad._random_more.cauchy_(self, median, sigma, generator)  # type: ignore[arg-type]

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples from the exponential law of rate ``lambd``."""
        return npgrad._random_more.exponential_(self, lambd, generator)  # type: ignore[arg-type]

    def geometric_(self, p: float, *, generator: Any = None) -> Tensor:
        """Fill with samples from the geometric law on 1, 2, ... of success rate ``p``."""
        return npgrad._random_more.geometric_(self, p, generator)  # type: ignore[arg-type]

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator: Any = None) -> Tensor:
        """Fill with ``exp`` of samples from ``N(mean, std**2)``."""
        return npgrad._random_more.log_normal_(self, mean, std, generator)  # type: ignore[arg-type]

    def random_(self, from_: Any = None, to: Any = None, *, generator: Any = None) -> Tensor:
        """Fill with integers drawn uniformly from ``[from_, to - 1]`` (see
        :func:`npgrad._random_more.random_` for the defaults)."""
        return npgrad._random_more.random_(self, from_, to, generator)  # type: ignore[arg-type]

    def uniform_(self, from_: float = 0.0, to: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with values drawn uniformly from ``[from_, to)``."""
        from npgrad.random import uniform_

        self._check_inplace("uniform_")  # type: ignore[attr-defined]
        return uniform_(self, from_, to, generator=generator)

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with values drawn from ``N(mean, std²)``."""
        from npgrad.random import normal_

        self._check_inplace("normal_")  # type: ignore[attr-defined]
        return normal_(self, mean, std, generator=generator)

    # ---- Python functions applied elementwise (outside the graph) ----------------------------
    def _python_map(self: Any, op: str, fn: Any, *others: Any) -> Tensor:
        if not callable(fn):
            raise TypeError(f"{op}: expected a callable, got {type(fn).__name__}")
        if self._requires_grad:
            raise RuntimeError(
                f"{op}: can't apply a Python function to a tensor that requires grad (it "
                "would not be differentiable)"
            )
        arrs = [np.broadcast_to(getattr(o, "_data", o), self.shape) for o in others]
        self._check_inplace(op)
        out = np.empty(self.shape, dtype=self.dtype)
        for i in np.ndindex(self.shape):
            out[i] = fn(self._data[i].item(), *(a[i].item() for a in arrs))
        self._data[...] = out
        return self._mark_modified(None)  # type: ignore[no-any-return]

    def apply_(self, callable: Any) -> Tensor:  # noqa: A002
        """Replace each element ``v`` by ``callable(v)`` in place (a Python loop: slow;
        refused on a tensor that requires grad).

        Examples
        --------
        >>> import npgrad
        >>> npgrad.tensor([1, 2]).apply_(lambda v: v * 10)
        tensor([10, 20])
        """
        return self._python_map("apply_", callable)

    def map_(self, tensor: Any, callable: Any) -> Tensor:  # noqa: A002
        """Replace each element ``v`` by ``callable(v, w)``, ``w`` the element of ``tensor``
        (broadcast to this shape), in place.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.tensor([1, 2]).map_(npgrad.tensor([3, 4]), lambda a, b: a * b)
        tensor([3, 8])
        """
        return self._python_map("map_", callable, tensor)

    def map2_(self, x: Any, y: Any, callable: Any) -> Tensor:  # noqa: A002
        """Replace each element ``v`` by ``callable(v, a, b)``, ``a`` and ``b`` the elements
        of ``x`` and ``y`` (broadcast to this shape), in place.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.tensor([1, 2]).map2_(npgrad.tensor([3, 4]), npgrad.tensor(1), max)
        tensor([3, 4])
        """
        return self._python_map("map2_", callable, x, y)
