"""``Parameter``: a Tensor that a Module registers as trainable when assigned to it."""

from __future__ import annotations

from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A leaf tensor that requires grad (by default) and is registered by ``Module``.

    It shares memory with the tensor it is built from, like PyTorch's.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.Parameter(npgrad.ones(2))
    Parameter containing:
    tensor([1., 1.], requires_grad=True)
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            arr = np.empty(0, dtype=npgrad.get_default_dtype())
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            arr = npgrad.as_tensor(data)._data
        self._init(arr, False, None)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (Parameter, (Tensor._make(self._data, False, None), self._requires_grad))

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        if id(self) not in memo:
            p = Parameter(Tensor._make(self._data.copy(), False, None), self._requires_grad)
            if self.grad is not None:
                p.grad = Tensor._make(self.grad._data.copy(), False, None)
            memo[id(self)] = p
        return memo[id(self)]  # type: ignore[no-any-return]
