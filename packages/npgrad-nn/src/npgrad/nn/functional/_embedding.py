"""``embedding``: rows of a weight matrix looked up by integer indices of any shape.

Two Functions that are each other's adjoint: the lookup ``W[idx]`` and the scatter-add of a
gradient into a ``(num_embeddings, dim)`` zero matrix. The lookup's backward is the
scatter-add and vice versa, so the gradient is differentiable again. PyTorch's gradient
rules enter as a per-position factor applied by the scatter (and by its own adjoint): 0 at
``padding_idx`` (that row's gradient stays zero) and ``1 / count(index)`` with
``scale_grad_by_freq``.

``max_norm`` renormalises, in place and outside autograd, the rows that this call looks up
and whose norm exceeds it — PyTorch's ``embedding_renorm_`` — before the lookup.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad import Tensor
from npgrad.autograd.function import Function
from npgrad.ops._shape_util import ShapeError

__all__ = ["embedding"]


class EmbeddingLookup(Function):
    """``out[k] = W[idx[k]] * factor[k]`` (``factor`` None means 1)."""

    @staticmethod
    def forward(
        ctx: Any, w: np.ndarray, idx: np.ndarray, factor: np.ndarray | None, grad_factor: Any
    ) -> np.ndarray:
        ctx.idx, ctx.num, ctx.grad_factor = idx, w.shape[0], grad_factor
        out = w.take(idx, axis=0)  # (*idx.shape, dim); indices were range-checked
        if factor is not None:
            out *= factor.reshape(idx.shape + (1,)).astype(w.dtype, copy=False)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        gw = EmbeddingScatter.apply(grad, ctx.idx, ctx.num, ctx.grad_factor)
        return gw, None, None, None


class EmbeddingScatter(Function):
    """``gw[i] = sum over k with idx[k] == i of grad[k] * factor[k]``: the lookup's adjoint."""

    @staticmethod
    def forward(
        ctx: Any, grad: np.ndarray, idx: np.ndarray, num: int, factor: np.ndarray | None
    ) -> np.ndarray:
        ctx.idx, ctx.factor = idx, factor
        dim = grad.shape[-1]
        rows = grad.reshape(-1, dim)
        flat = idx.reshape(-1)
        if factor is not None:
            rows = rows * factor.reshape(-1, 1).astype(grad.dtype, copy=False)
        out = np.zeros((num, dim), grad.dtype)
        np.add.at(out, flat, rows)  # repeated indices accumulate
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        gg = EmbeddingLookup.apply(grad, ctx.idx, ctx.factor, ctx.factor)
        return gg, None, None, None


def _check_indices(input: Any, num: int) -> np.ndarray:  # noqa: A002
    if not isinstance(input, Tensor):
        raise TypeError(f"embedding: expected input to be a Tensor, got {type(input).__name__}")
    idx = input._data
    if idx.dtype.kind not in "iu":
        raise TypeError(
            f"embedding: expected indices of an integer dtype (int64 or int32), got {idx.dtype}"
        )
    if idx.size:
        lo, hi = int(idx.min()), int(idx.max())
        if lo < 0 or hi >= num:
            bad = lo if lo < 0 else hi
            raise IndexError(
                f"embedding: index {bad} is out of range for a weight with {num} rows "
                f"(valid indices: 0 to {num - 1})"
            )
    return idx


def _renorm_(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """PyTorch's ``embedding_renorm_``: rows (looked up here) with norm > max_norm are scaled
    by ``max_norm / (norm + 1e-7)``, in place and without recording a graph."""
    rows = np.unique(idx)
    if rows.size == 0:
        return
    w = weight._data
    sub = w[rows]
    if norm_type == 0:
        norms = np.count_nonzero(sub, axis=1).astype(np.float64)
    else:
        norms = np.linalg.norm(sub.astype(np.float64), ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        scale = max_norm / (norms[big] + 1e-7)
        w[rows[big]] = sub[big] * scale[:, None].astype(w.dtype)
        weight._version += 1  # in place: a backward that saved the old rows must fail


def embedding(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Look up rows of ``weight`` (``(num_embeddings, dim)``) at integer ``input`` indices.

    Parameters
    ----------
    input : Tensor
        int64 or int32 indices of any shape, each in ``[0, num_embeddings)``.
    weight : Tensor
        The embedding matrix.
    padding_idx : int, optional
        That row receives no gradient (negative values count from the end).
    max_norm : float, optional
        Rows looked up whose ``norm_type``-norm exceeds it are rescaled in place to norm
        ``max_norm`` first (this modifies ``weight``).
    norm_type : float
        The p of the norm for ``max_norm``.
    scale_grad_by_freq : bool
        Divide each row's gradient by the number of times its index occurs in ``input``.
    sparse : bool
        Accepted for compatibility; gradients are always dense.

    Returns
    -------
    Tensor
        Shape ``(*input.shape, dim)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> w = npgrad.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> out = F.embedding(npgrad.tensor([[1, 2], [1, 0]]), w, padding_idx=0)
    >>> out.shape
    (2, 2, 2)
    >>> out.sum().backward()
    >>> w.grad
    tensor([[0., 0.],
            [2., 2.],
            [1., 1.]])
    """
    if not isinstance(weight, Tensor):
        raise TypeError(f"embedding: expected weight to be a Tensor, got {type(weight).__name__}")
    if weight.ndim != 2:
        raise ShapeError(
            f"embedding: 'weight' must be 2-D (num_embeddings, embedding_dim), got shape "
            f"{weight.shape}"
        )
    num = weight.shape[0]
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise ValueError(
                f"embedding: Padding_idx must be within num_embeddings ({num}), got {padding_idx}"
            )
        padding_idx = padding_idx % num
    idx = _check_indices(input, num)
    if max_norm is not None:
        _renorm_(weight, idx, float(max_norm), float(norm_type))
    factor = None
    # the factor only shapes the gradient: skip it when no gradient will be asked for
    if weight.requires_grad and (padding_idx is not None or scale_grad_by_freq):
        factor = np.ones(idx.shape, np.float64)
        if scale_grad_by_freq:
            counts = np.bincount(idx.reshape(-1), minlength=num)
            factor /= counts[idx]
        if padding_idx is not None:
            factor[idx == padding_idx] = 0.0
    return EmbeddingLookup.apply(weight, idx, None, factor)  # type: ignore[no-any-return]
