"""``Variable``: PyTorch's pre-0.4 wrapper, kept (as PyTorch keeps it) so that old code runs.
Every tensor is a Variable (``isinstance(t, Variable)`` is True), and ``Variable(t)`` is a new
leaf over ``t``'s memory, cut from its graph, that requires grad when asked."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["Variable"]


# npgrad.autograd is imported before Tensor exists: Tensor is looked up when used
class _VariableMeta(type):
    def __instancecheck__(cls, other: Any) -> bool:
        from npgrad.tensor import Tensor

        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """Deprecated: tensors have been variables since PyTorch 0.4. ``Variable(data,
    requires_grad=False)`` returns ``data.detach()`` (with ``requires_grad`` set); ``volatile``
    has no effect (use :class:`npgrad.no_grad`), with PyTorch's warning.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.autograd import Variable
    >>> v = Variable(npgrad.ones(2), requires_grad=True)
    >>> v.requires_grad, v.is_leaf, isinstance(npgrad.ones(1), Variable)
    (True, True, True)
    """

    def __new__(  # type: ignore[misc]
        cls, data: Any, requires_grad: bool = False, volatile: bool = False
    ) -> Tensor:
        from npgrad.tensor import Tensor

        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if volatile:
            warnings.warn(
                "volatile was removed and now has no effect. Use `with npgrad.no_grad():` instead.",
                UserWarning,
                stacklevel=2,
            )
        out = data.detach()
        return out.requires_grad_(True) if requires_grad else out
