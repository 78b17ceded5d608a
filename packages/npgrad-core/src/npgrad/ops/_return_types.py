"""The named pairs that ``max(dim)``, ``sort``, ``cummax``, ``aminmax``, ``frexp``,
``histogram`` & co. return, printed like PyTorch's ``torch.return_types.<name>``: one factory
for all of them."""

from __future__ import annotations

from typing import Any, NamedTuple

from npgrad.tensor import Tensor

__all__ = ["named_pair", "values_indices"]


def named_pair(name: str, first: str, second: str, module: str, qualname: str) -> Any:
    """A named pair type with fields ``first`` and ``second``, printed like
    ``torch.return_types.<name>``, to be bound to ``qualname`` in ``module`` (so that pickle
    finds it)."""

    def __repr__(self: Any) -> str:  # noqa: N807
        a, b = self
        return f"npgrad.return_types.{name}(\n{first}={a!r},\n{second}={b!r})"

    base = NamedTuple(qualname, [(first, Tensor), (second, Tensor)])  # type: ignore[misc]
    cls = type(qualname, (base,), {"__repr__": __repr__, "__slots__": (), "__module__": module})
    cls.__qualname__ = qualname
    return cls


def values_indices(name: str, module: str, qualname: str) -> Any:
    """A ``(values, indices)`` pair type (see :func:`named_pair`)."""
    return named_pair(name, "values", "indices", module, qualname)
