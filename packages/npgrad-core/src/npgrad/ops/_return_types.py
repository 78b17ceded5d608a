"""The ``(values, indices)`` named tuples that ``max(dim)``, ``sort``, ``cummax`` & co. return,
printed like PyTorch's ``torch.return_types.<name>``: one factory for all of them."""

from __future__ import annotations

from typing import Any, NamedTuple

from npgrad.tensor import Tensor

__all__ = ["values_indices"]


class _ValuesIndices(NamedTuple):
    values: Tensor
    indices: Tensor


def values_indices(name: str, module: str, qualname: str) -> Any:
    """A ``(values, indices)`` named tuple type printed like ``torch.return_types.<name>``,
    to be bound to ``qualname`` in ``module`` (so that pickle finds it)."""

    def __repr__(self: Any) -> str:  # noqa: N807
        return f"npgrad.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"

    namespace = {"__repr__": __repr__, "__slots__": (), "__module__": module}
    cls = type(qualname, (_ValuesIndices,), namespace)
    cls.__qualname__ = qualname
    return cls
