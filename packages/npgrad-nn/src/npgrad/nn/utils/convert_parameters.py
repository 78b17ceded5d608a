"""Flattening parameters into one vector and back: ``parameters_to_vector`` and
``vector_to_parameters`` (as in PyTorch; used by second-order and evolutionary methods)."""

from __future__ import annotations

from collections.abc import Iterable

import npgrad
from npgrad import Tensor
from npgrad.ops._shape_util import ShapeError

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _param(op: str, p: object) -> Tensor:
    if not isinstance(p, Tensor):
        raise TypeError(f"{op}: expected an iterable of Tensors, found a {type(p).__name__}")
    return p


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All ``parameters`` flattened and concatenated into one 1-D tensor (differentiable:
    it is ``cat`` of ``p.reshape(-1)``).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn.utils import parameters_to_vector
    >>> parameters_to_vector([npgrad.ones(2, 2), npgrad.zeros(1)])
    tensor([1., 1., 1., 1., 0.])
    """
    vec = [_param("parameters_to_vector", p).reshape(-1) for p in parameters]
    if not vec:
        raise ValueError("parameters_to_vector: expected at least one parameter, got none")
    return npgrad.cat(vec)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Set the data of each of ``parameters``, in order, to the next slice of the 1-D ``vec``
    (reshaped); as in PyTorch the parameters then share ``vec``'s memory and dtype.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.nn.utils import vector_to_parameters
    >>> w, b = nn.Parameter(npgrad.zeros(2, 2)), nn.Parameter(npgrad.zeros(1))
    >>> vector_to_parameters(npgrad.arange(5.0), [w, b])
    >>> w
    Parameter containing:
    tensor([[0., 1.],
            [2., 3.]], requires_grad=True)
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected npgrad.Tensor, but got: {type(vec).__name__}")
    if vec.ndim != 1:
        raise ShapeError(
            f"vector_to_parameters: expected a 1-D vector, got shape {tuple(vec.shape)}"
        )
    params = [_param("vector_to_parameters", p) for p in parameters]
    needed = sum(p.numel() for p in params)
    if vec.shape[0] < needed:  # checked before any parameter changes
        raise ShapeError(
            f"vector_to_parameters: the vector has {vec.shape[0]} elements but the parameters "
            f"need {needed}"
        )
    pointer = 0
    for p in params:
        n = p.numel()
        # like PyTorch's ``param.data = vec[...].view_as(param).data``: shares vec's memory
        p._data = vec._data[pointer : pointer + n].reshape(p.shape)
        pointer += n
