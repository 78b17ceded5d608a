"""``embedding``: rows of a weight matrix looked up by integer indices of any shape.

Two Functions that are each other's adjoint: the lookup ``W[idx]`` and the scatter-add of a
gradient into a ``(num_embeddings, dim)`` zero matrix. The lookup's backward is the
scatter-add and vice versa, so the gradient is differentiable again. PyTorch's gradient
rules enter as a per-position factor applied by the scatter (and by its own adjoint): 0 at
``padding_idx`` (that row's gradient stays zero) and ``1 / count(index)`` with
``scale_grad_by_freq``.

``max_norm`` renormalises, in place and outside autograd, the rows that this call looks up
and whose norm exceeds it — PyTorch's ``embedding_renorm_`` — before the lookup.

``embedding_bag`` reuses the pair: the rows of each bag are looked up, then summed into their
bag by the same scatter-add (the bags playing the role of the table's rows).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.autograd.function import Function
from npgrad.nn.functional._errors import _ValueAssertionError, _ValueRuntimeError
from npgrad.ops._shape_util import ShapeError

__all__ = ["embedding", "embedding_bag"]


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
    npgrad.Size([2, 2, 2])
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
            raise _ValueAssertionError(
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


def _bag_bounds(
    idx: np.ndarray, offsets: Any, include_last_offset: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flat indices, and the start and end position of every bag, from PyTorch's two input
    forms: ``(B, N)`` fixed-length bags, or 1-D indices with the bags' start ``offsets``."""
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type "
                f"{type(offsets)}"
            )
        b, n = idx.shape
        starts = np.arange(b) * n
        return idx.reshape(-1), starts, starts + n
    if idx.ndim != 1:
        raise ShapeError(
            f"embedding_bag: input has to be 1D or 2D Tensor, but got Tensor of dimension "
            f"{idx.ndim} (shape {idx.shape})"
        )
    if offsets is None:
        raise ValueError("embedding_bag: offsets has to be a 1D Tensor but got None")
    if not isinstance(offsets, Tensor):
        raise TypeError(f"embedding_bag: offsets must be a Tensor, got {type(offsets).__name__}")
    offs = offsets._data
    if offs.ndim != 1 or offs.dtype.kind not in "iu":
        raise ValueError(
            f"embedding_bag: offsets has to be a 1D Tensor of integers, got shape {offs.shape} "
            f"and dtype {offs.dtype}"
        )
    m = idx.shape[0]
    if include_last_offset:
        # CSR form: the last offset closes the last bag and must be the number of indices
        # (PyTorch does not check it, and gives inconsistent results when it is not)
        if offs.size == 0 or offs[-1] != m:
            raise ValueError(
                "embedding_bag: with include_last_offset=True the last offset must equal the "
                f"number of indices ({m}), got offsets {offs.tolist()}"
            )
        starts, ends = offs[:-1], offs[1:]
    else:
        starts, ends = offs, np.append(offs[1:], m)
    if starts.size and (starts[0] != 0 or (np.diff(offs) < 0).any() or offs.max() > m):
        raise _ValueRuntimeError(
            "embedding_bag: offsets must start at 0, be non-decreasing and not exceed the "
            f"number of indices ({m}), got {offs.tolist()}"
        )
    return idx, starts.astype(np.intp), ends.astype(np.intp)


def embedding_bag(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """Sums, means or maxima of bags of embeddings, without materialising each bag.

    ``input`` is ``(B, N)`` (B bags of N indices) or 1-D with ``offsets`` giving each bag's
    start (``include_last_offset``: one more offset, the end of the last bag). Entries equal
    to ``padding_idx`` are left out of their bag (and of a mean's count); an empty bag gives
    zeros. ``per_sample_weights`` (``mode="sum"`` only) scales each looked-up row.

    Returns
    -------
    Tensor
        ``(B, embedding_dim)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> w = npgrad.tensor([[1.0, 1.0], [2.0, 0.0], [0.0, 4.0]])
    >>> F.embedding_bag(npgrad.tensor([0, 1, 2, 2]), w, npgrad.tensor([0, 2]), mode="sum")
    tensor([[3., 1.],
            [0., 8.]])
    """
    if not isinstance(weight, Tensor):
        raise TypeError(f"embedding_bag: weight must be a Tensor, got {type(weight).__name__}")
    if weight.dtype == np.int64 and isinstance(input, Tensor) and input.dtype.kind == "f":
        # PyTorch's backward compatibility: the old argument order (weight, input, ...)
        warnings.warn(
            "Argument order of nn.functional.embedding_bag was changed. Usage "
            "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
            "`embedding_bag(input, weight, ...)`.",
            stacklevel=2,
        )
        input, weight = weight, input  # noqa: A001
    if weight.ndim != 2:
        raise ShapeError(
            f"embedding_bag: weight has to be a 2D Tensor, but got Tensor of dimension "
            f"{weight.ndim}"
        )
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"embedding_bag: mode has to be one of sum, mean or max, got {mode!r}")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    num, dim = weight.shape
    idx = _check_indices(input, num)
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(
                "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                f"supported for mode='sum' (got mode={mode!r})."
            )
        if not isinstance(per_sample_weights, Tensor) or per_sample_weights.shape != idx.shape:
            shape = getattr(per_sample_weights, "shape", type(per_sample_weights).__name__)
            raise ShapeError(
                f"embedding_bag: If per_sample_weights ({shape}) is not None, then it must have "
                f"the same shape as the input ({idx.shape})"
            )
        if per_sample_weights.dtype != weight.dtype:  # PyTorch: a RuntimeError, no promotion
            raise TypeError(
                f"embedding_bag: per_sample_weights must have the weight's dtype {weight.dtype}, "
                f"got {per_sample_weights.dtype}"
            )
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise _ValueRuntimeError(
                f"embedding_bag: padding_idx must be within num_embeddings ({num}), got "
                f"{padding_idx}"
            )
        padding_idx %= num
    flat, starts, ends = _bag_bounds(idx, offsets, include_last_offset)
    n_bags = starts.shape[0]
    if max_norm is not None:
        _renorm_(weight, flat, float(max_norm), float(norm_type))
    # the bags tile [0, end of the last bag): each position's bag is the last one starting at
    # or before it (empty bags, sharing a start with the next, are skipped over)
    pos = np.arange(ends[-1] if n_bags else 0, dtype=np.intp)
    bag_of = np.searchsorted(starts, pos, side="right") - 1
    if padding_idx is not None:  # padding entries leave their bag
        keep = flat[pos] != padding_idx
        pos, bag_of = pos[keep], bag_of[keep]
    rows = flat[pos]
    factor = None
    if scale_grad_by_freq and weight.requires_grad:
        factor = 1.0 / np.bincount(rows, minlength=num)[rows]
    looked = EmbeddingLookup.apply(weight, rows, None, factor)  # (K, dim)
    if per_sample_weights is not None:
        psw = per_sample_weights.reshape(-1)[Tensor._make(pos, False, None)]
        looked = looked * psw.unsqueeze(1)
    if mode == "max":
        return _bag_max(looked, bag_of, n_bags)
    out = EmbeddingScatter.apply(looked, bag_of, n_bags, None)  # sum of each bag
    if mode == "mean":
        counts = np.maximum(np.bincount(bag_of, minlength=n_bags), 1)
        out = out / Tensor._make(counts.astype(out.dtype)[:, None], False, None)
    return out  # type: ignore[no-any-return]


def _bag_max(looked: Tensor, bag_of: np.ndarray, n_bags: int) -> Tensor:
    """Per bag and feature, the largest looked-up value (gathered, so its gradient goes to
    that one entry); empty bags give zeros."""
    k, dim = looked.shape
    vals = looked._data
    # PyTorch scans each bag keeping its first value unless a later one is larger: a NaN is
    # the result only where it comes first, and is skipped elsewhere
    nan = np.isnan(vals)
    any_nan = bool(nan.any())
    if any_nan:
        vals = np.where(nan, -np.inf, vals)
    maxes = np.full((n_bags, dim), -np.inf, vals.dtype)
    np.maximum.at(maxes, bag_of, vals)
    # the first position that attains the maximum; position k (a zero row) for empty bags
    first = np.full((n_bags, dim), k, np.intp)
    hit = np.where(vals == maxes[bag_of], np.arange(k)[:, None], k)
    np.minimum.at(first, bag_of, hit)
    if any_nan:
        lead = np.full(n_bags, k, np.intp)  # each bag's first position
        np.minimum.at(lead, bag_of, np.arange(k))
        lead_nan = np.zeros((n_bags, dim), bool)
        filled = lead < k
        lead_nan[filled] = nan[lead[filled]]
        first = np.where(lead_nan, lead[:, None], first)
    padded = npgrad.cat([looked, npgrad.zeros(1, dim, dtype=looked.dtype)])
    cols = np.broadcast_to(np.arange(dim), (n_bags, dim))
    return padded[Tensor._make(first, False, None), Tensor._make(cols, False, None)]
