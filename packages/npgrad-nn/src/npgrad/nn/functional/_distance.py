"""Distances between vectors: ``pairwise_distance``, ``cosine_similarity``, ``pdist``.

All three are compositions of core ops (``sub``, ``norm``, ``div``, ``sum``), so they are
differentiable to any order; the norm's gradient at 0 is 0 (PyTorch's convention).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.autograd.function import Function
from npgrad.nn.functional._errors import _ValueRuntimeError
from npgrad.ops._shape_util import ShapeError

__all__ = ["cosine_similarity", "pairwise_distance", "pdist"]


def _float_tensor(op: str, name: str, x: Any) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected {name} to be a Tensor, got {type(x).__name__}")
    if x.dtype.kind != "f":  # PyTorch accepts integer (and bool) inputs: computed in floats
        x = x.to(npgrad.get_default_dtype())
    return x


def _broadcast(op: str, x1: Tensor, x2: Tensor) -> tuple[Tensor, Tensor]:
    if x1.dtype != x2.dtype:
        d = npgrad.promote_types(x1.dtype, x2.dtype)
        x1, x2 = x1.to(d), x2.to(d)
    try:
        np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ShapeError(
            f"{op}: the shapes of x1 {x1.shape} and x2 {x2.shape} cannot be broadcast together"
        ) from None
    return x1, x2


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """The ``p``-norm of ``x1 - x2 + eps`` over the last dimension (inputs broadcast).

    As in PyTorch, ``eps`` is added to the *difference* (not to the norm), which keeps the
    gradient finite when ``x1 == x2``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.pairwise_distance(npgrad.tensor([[0.0, 0.0]]), npgrad.tensor([[3.0, 4.0]]), eps=0.0)
    tensor([5.])
    """
    a = _float_tensor("pairwise_distance", "x1", x1)
    b = _float_tensor("pairwise_distance", "x2", x2)
    a, b = _broadcast("pairwise_distance", a, b)
    innermost = max(a.ndim, b.ndim) - 1
    diff = a - b + eps
    if innermost < 0:  # two scalars: the norm of the one difference
        return npgrad.norm(diff, p)
    return npgrad.norm(diff, p, innermost, keepdim=bool(keepdim))


class _ClampNorm(Function):
    """``max(norm, eps)`` in value with an identity gradient: PyTorch clamps the norms in place
    under ``no_grad``, so the gradient flows through the norm as if it were not clamped."""

    @staticmethod
    def forward(ctx: Any, norm: np.ndarray, eps: float) -> np.ndarray:
        return np.maximum(norm, norm.dtype.type(eps))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return grad, None


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps))`` along ``dim``.

    This is PyTorch 2.x's formula: each norm is clamped to ``eps`` separately (not their
    product) and each input is divided by its norm before the product, which keeps the result
    within ``[-1, 1]``. The inputs broadcast.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> a = npgrad.tensor([[1.0, 0.0], [1.0, 1.0]])
    >>> F.cosine_similarity(a, npgrad.tensor([[1.0, 0.0]]))
    tensor([1.0000, 0.7071])
    """
    if isinstance(x1, Tensor) and isinstance(x2, Tensor):
        common = npgrad.promote_types(x1.dtype, x2.dtype)
        if common.kind != "f":  # unlike pairwise_distance, PyTorch refuses integer inputs here
            raise TypeError(
                "cosine_similarity: expected common dtype to be floating point, yet common "
                f"dtype is {common}"
            )
    a = _float_tensor("cosine_similarity", "x1", x1)
    b = _float_tensor("cosine_similarity", "x2", x2)
    a, b = _broadcast("cosine_similarity", a, b)
    if a.shape != b.shape:
        a, b = npgrad.broadcast_tensors(a, b)
    n1 = _ClampNorm.apply(npgrad.norm(a, 2, dim, keepdim=True), float(eps))
    n2 = _ClampNorm.apply(npgrad.norm(b, 2, dim, keepdim=True), float(eps))
    return ((a / n1) * (b / n2)).sum(dim)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:  # noqa: A002
    """The ``p``-norm distances between all pairs of rows of an ``(N, M)`` input: the upper
    triangle of the distance matrix, row by row, shape ``(N * (N - 1) / 2,)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.pdist(npgrad.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]]))
    tensor([5.0000, 1.0000, 4.2426])
    """
    if isinstance(input, Tensor) and input.dtype.kind != "f":
        raise TypeError(f"pdist only supports floating-point dtypes, got {input.dtype}")
    x = _float_tensor("pdist", "input", input)
    if x.ndim != 2:
        raise ShapeError(f"pdist only supports 2D tensors, got: {x.ndim}D (shape {x.shape})")
    if p < 0:
        raise _ValueRuntimeError(f"pdist only supports non-negative p values, got {p}")
    i, j = np.triu_indices(x.shape[0], 1)
    diff = x[i] - x[j]
    if x.shape[1] == 0:  # PyTorch: distance 0 for every p (norm's inf/-inf have no identity)
        return diff.sum(1)
    if p == math.inf:
        # PyTorch's pdist kernel gives every tied largest |difference| the whole gradient
        # (norm splits it evenly): the value is the max, the gradient flows through the ties
        ad = diff.abs()
        top = ad.detach().amax(1, keepdim=True)
        ties = Tensor._make(ad._data == top._data, False, None)
        return top.squeeze(1) + ((ad - ad.detach()) * ties).sum(1)
    return npgrad.norm(diff, p, 1)
