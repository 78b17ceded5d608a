"""Memory formats and layouts: ``npgrad.contiguous_format``, ``channels_last``,
``channels_last_3d``, ``preserve_format`` and ``npgrad.strided``, as in PyTorch.

A tensor's memory format is the order of its elements in memory, not its shape: a
``channels_last`` tensor of shape ``(N, C, H, W)`` stores ``C`` fastest (NHWC order), so its
strides are ``(HWC, 1, WC, C)``. NumPy arrays have arbitrary strides, so npgrad tensors hold
any format exactly as PyTorch's do, and every op accepts them; NumPy's elementwise ops keep
the input's format in their results (as PyTorch's do). ``x.contiguous(memory_format=...)``,
``x.to(memory_format=...)``, ``x.clone(memory_format=...)``, the ``*_like`` creation functions
and ``Module.to(memory_format=...)`` convert; ``x.is_contiguous(memory_format)`` tests.

``preserve_format`` (the default of ``clone`` and the ``*_like`` functions) keeps the input's
order when its elements are dense in memory, and is ``contiguous_format`` otherwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "channels_last",
    "channels_last_3d",
    "contiguous_format",
    "layout",
    "memory_format",
    "preserve_format",
    "strided",
]


class memory_format:  # noqa: N801 - torch.memory_format
    """The type of ``npgrad.contiguous_format``, ``channels_last``, ``channels_last_3d`` and
    ``preserve_format``.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.zeros(2, 3, 4, 5).contiguous(memory_format=npgrad.channels_last)
    >>> x.shape, x.stride()
    (npgrad.Size([2, 3, 4, 5]), (60, 1, 15, 3))
    >>> x.is_contiguous(), x.is_contiguous(memory_format=npgrad.channels_last)
    (False, True)
    """

    __slots__ = ("_name", "_order")

    def __init__(self, name: str, order: tuple[int, ...] | None) -> None:
        self._name = name
        self._order = order  # axes from slowest to fastest in memory (None: C order / preserve)

    def __repr__(self) -> str:
        return f"npgrad.{self._name}"

    def __reduce__(self) -> str:
        return self._name  # pickled by name: the module attribute of that name


contiguous_format = memory_format("contiguous_format", None)
preserve_format = memory_format("preserve_format", None)
channels_last = memory_format("channels_last", (0, 2, 3, 1))
channels_last_3d = memory_format("channels_last_3d", (0, 2, 3, 4, 1))


class layout:  # noqa: N801 - torch.layout
    """The type of ``npgrad.strided``, the one layout npgrad has (``Tensor.layout``)."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"npgrad.{self._name}"

    def __reduce__(self) -> str:
        return self._name


strided = layout("strided")


def check(op: str, fmt: Any, ndim: int, default: memory_format = preserve_format) -> memory_format:
    """``fmt`` (None: ``default``) as a memory format valid for a tensor of ``ndim``
    dimensions: PyTorch's ``RuntimeError`` message for a rank that doesn't fit, as a
    ValueError (npgrad's type for a bad value)."""
    if fmt is None:
        return default
    if not isinstance(fmt, memory_format):
        raise TypeError(f"{op}: memory_format must be an npgrad.memory_format, got {fmt!r}")
    if fmt._order is not None and ndim != len(fmt._order):
        raise ValueError(
            f"{op}: required rank {len(fmt._order)} tensor to use {fmt._name} format, got a "
            f"tensor of {ndim} dimensions"
        )
    return fmt


def _dense_order(a: np.ndarray) -> tuple[int, ...] | None:
    """The axes of ``a`` from slowest to fastest in memory when its elements are dense (no
    gaps, no overlaps: some permutation of it is C-contiguous), else None."""
    order = tuple(sorted(range(a.ndim), key=lambda d: -abs(a.strides[d])))
    return order if a.transpose(order).flags.c_contiguous else None


def is_in(a: np.ndarray, fmt: memory_format) -> bool:
    """Whether ``a`` is stored in format ``fmt`` (size-1 dimensions' strides don't count)."""
    if not isinstance(fmt, memory_format):
        raise TypeError(
            f"is_contiguous: memory_format must be an npgrad.memory_format, got {fmt!r}"
        )
    if fmt._order is None:
        return bool(a.flags.c_contiguous)
    return a.ndim == len(fmt._order) and bool(a.transpose(fmt._order).flags.c_contiguous)


def _order_of(a: np.ndarray, fmt: memory_format) -> tuple[int, ...] | None:
    """The axis order (slowest first) ``fmt`` asks for an array like ``a``; None for C order."""
    order = _dense_order(a) if fmt is preserve_format else fmt._order
    return None if order == tuple(range(a.ndim)) else order


def empty_in(
    shape: tuple[int, ...], dtype: Any, fmt: memory_format, like: np.ndarray | None = None
) -> np.ndarray:
    """An uninitialized array of ``shape`` and ``dtype`` stored in format ``fmt``
    (``preserve_format``: in the order of ``like``, an array of that shape, when it is dense;
    else C order)."""
    if fmt._order is not None:
        order: tuple[int, ...] | None = fmt._order
    elif fmt is preserve_format and like is not None and not like.flags.c_contiguous:
        order = _order_of(like, fmt)
    else:
        order = None
    if order is None:
        return np.empty(shape, dtype)
    return np.empty(tuple(shape[d] for d in order), dtype).transpose(np.argsort(order))


def copy_in(a: np.ndarray, fmt: memory_format) -> np.ndarray:
    """A copy of ``a`` stored in format ``fmt`` (``preserve_format``: in ``a``'s own order
    when ``a`` is dense, else C order)."""
    if fmt._order is None and a.flags.c_contiguous:  # the usual case, first
        return a.copy()
    order = _order_of(a, fmt)
    if order is None:
        return a.copy()
    return np.ascontiguousarray(a.transpose(order)).transpose(np.argsort(order))
