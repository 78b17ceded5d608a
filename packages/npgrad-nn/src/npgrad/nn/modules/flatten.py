"""``Flatten`` and ``Unflatten``: reshaping layers for ``Sequential`` models."""

from __future__ import annotations

from typing import Any

from npgrad import Tensor
from npgrad.nn.modules.module import Module

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    """Flatten dimensions ``start_dim`` to ``end_dim`` (inclusive) into one (a view when
    the layout allows).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.Flatten()(npgrad.zeros(32, 1, 5, 5)).shape
    npgrad.Size([32, 25])
    >>> nn.Flatten(0, 2)(npgrad.zeros(32, 1, 5, 5)).shape
    npgrad.Size([160, 5])
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if not isinstance(input, Tensor):
            raise TypeError(f"{self!r}: expected a Tensor, got {type(input).__name__}")
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expand dimension ``dim`` into the shape ``unflattened_size`` (one entry may be -1).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.Unflatten(1, (2, 5, 5))(npgrad.zeros(2, 50)).shape
    npgrad.Size([2, 2, 5, 5])
    """

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        self._require_tuple_int(unflattened_size)
        self.dim = dim
        self.unflattened_size = unflattened_size

    @staticmethod
    def _require_tuple_int(value: Any) -> None:
        if isinstance(value, (tuple, list)):
            for idx, elem in enumerate(value):
                if not isinstance(elem, int):
                    raise TypeError(
                        "unflattened_size must be tuple of ints, "
                        f"but found element of type {type(elem).__name__} at pos {idx}"
                    )
            return
        raise TypeError(
            f"unflattened_size must be a tuple of ints, but found type {type(value).__name__}"
        )

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if not isinstance(input, Tensor):
            raise TypeError(f"{self!r}: expected a Tensor, got {type(input).__name__}")
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
