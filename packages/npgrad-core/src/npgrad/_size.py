"""``npgrad.Size``: the type of ``Tensor.shape`` and ``Tensor.size()``, PyTorch's ``torch.Size``.

A tuple of ints, so everything that takes a tuple takes it (``x.shape == (2, 3)`` holds, and
NumPy accepts it as a shape), plus ``numel()`` and PyTorch's repr. The shape properties build
it straight from the array's shape tuple (no validation: NumPy's shapes are ints); the public
constructor checks its items.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable
from typing import Any

__all__ = ["Size"]


class Size(tuple):  # type: ignore[type-arg]
    """The shape of a tensor: a tuple of ints with a ``numel()`` method.

    Indexing gives an int. Slicing or concatenating gives a plain tuple (PyTorch returns
    another ``Size``), which compares equal to the same ``Size``. ``print`` and ``repr`` show
    ``npgrad.Size([2, 3])``; inside an f-string a Size formats as the tuple ``(2, 3)``.

    Examples
    --------
    >>> import npgrad
    >>> s = npgrad.zeros(2, 3).shape
    >>> s
    npgrad.Size([2, 3])
    >>> s == (2, 3), s.numel(), s[0]
    (True, 6, 2)
    >>> npgrad.Size([4, 5])
    npgrad.Size([4, 5])
    """

    __slots__ = ()

    def __new__(cls, sizes: Iterable[Any] = ()) -> Size:
        items = []
        for s in sizes:
            try:
                items.append(operator.index(s))
            except TypeError:
                raise TypeError(
                    f"Size: expected a sequence of ints, got an element of type {type(s).__name__}"
                ) from None
        return tuple.__new__(cls, items)

    def __repr__(self) -> str:
        return f"npgrad.Size({list(self)})"

    def __format__(self, spec: str) -> str:
        # f-strings and str.format show the plain tuple, ``shape (2, 3)``: the form every
        # error message of npgrad uses (repr, str and print give ``npgrad.Size([2, 3])``)
        return format(tuple(self), spec)

    def numel(self) -> int:
        """The number of elements a tensor of this shape has: the product of the sizes."""
        return math.prod(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Size, (tuple(self),))
