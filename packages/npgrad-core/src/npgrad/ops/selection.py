"""Selecting and assigning along one dimension or by mask: index_select, index_add, index_copy,
index_fill, masked_fill, masked_select, masked_scatter, take, nonzero, argwhere. Re-exported by
:mod:`npgrad.ops.shape`.

Each is one of the key-based adjoint pairs of :mod:`npgrad.ops.indexing` under its own name:
``index_select`` is ``x[:, ..., index]`` (``Index``), ``index_add`` adds at that key
(``IndexPut`` with accumulation), ``masked_fill`` is ``where(mask, value, x)``, so gradients are
differentiable to any order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad.ops._promote import const, tensor_arg
from npgrad.ops._shape_util import ShapeError
from npgrad.ops.comparison import Where
from npgrad.ops.gather_scatter import (
    _ALL,
    _bounds,
    _broadcast,
    _index,
    _mask,
    _same_dtype,
    _scalar_value,
)
from npgrad.ops.indexing import Index, IndexPut
from npgrad.tensor import Tensor, _check_dim

__all__ = [
    "argwhere",
    "index_add",
    "index_copy",
    "index_fill",
    "index_select",
    "masked_fill",
    "masked_scatter",
    "masked_select",
    "nonzero",
    "nonzero_static",
    "take",
]


class IndexSelect(Index):
    pass


class Take(Index):
    pass


class MaskedSelect(Index):
    pass


class IndexAdd(IndexPut):
    pass


class IndexCopy(IndexPut):
    pass


class IndexFill(IndexPut):
    pass


class MaskedScatter(IndexPut):
    pass


class MaskedFill(Where):
    """``where(mask, value, input)`` under its PyTorch name."""


# ---- index_select / index_add / index_copy / index_fill --------------------------------------
def _dim_index(
    op: str, x: Tensor, dim: int, index: Any, negative: bool = False
) -> tuple[int, np.ndarray, tuple[Any, ...]]:
    d = _check_dim(op, dim, x.ndim)
    idx = _index(op, index)
    if idx.ndim > 1:
        raise ShapeError(f"{op}: index must be a vector (0-d or 1-d), got shape {idx.shape}")
    idx = _bounds(op, idx.reshape(-1), x.shape[d] if x.ndim else 1, d, negative)
    return d, idx, (slice(None),) * d + (idx,)


def index_select(input: Tensor, dim: int, index: Any) -> Tensor:  # noqa: A002
    """The slices of ``input`` along ``dim`` at the positions in the vector ``index`` (in that
    order, repeats allowed).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    >>> npgrad.index_select(x, 1, npgrad.tensor([2, 0, 2]))
    tensor([[3., 1., 3.],
            [6., 4., 6.]])
    """
    x = tensor_arg("index_select", input)
    _, idx, key = _dim_index("index_select", x, dim, index)
    if x.ndim == 0:
        if idx.size != 1:
            raise ShapeError(f"index_select: a 0-d input takes one index, got {idx.size}")
        return IndexSelect.apply(x.reshape(1), basic=_ALL, adv=key).reshape(())  # type: ignore[no-any-return]
    return IndexSelect.apply(x, basic=_ALL, adv=key)  # type: ignore[no-any-return]


def _index_source(op: str, x: Tensor, d: int, idx: np.ndarray, source: Any) -> Tensor:
    src = tensor_arg(op, source)
    _same_dtype(op, x, src, "source")
    want = x.shape[:d] + (idx.size,) + x.shape[d + 1 :] if x.ndim else (idx.size,)
    if src.shape != want and not (src.ndim == 0 and want == (1,)):
        raise ShapeError(
            f"{op}: source of shape {src.shape} must have the input's shape {x.shape} except "
            f"along dimension {d}, where its size must be the index's length {idx.size}"
        )
    return src.reshape(want) if src.shape != want else src


def _index_put(fn: Any, op: str, x: Tensor, dim: int, index: Any, source: Any, acc: bool) -> Tensor:
    x = tensor_arg(op, x)
    d, idx, key = _dim_index(op, x, dim, index)
    src = _index_source(op, x, d, idx, source)
    out = fn.apply(x.reshape(1) if x.ndim == 0 else x, src, _ALL, key, acc)
    return out.reshape(()) if x.ndim == 0 else out  # type: ignore[no-any-return]


def index_add(input: Tensor, dim: int, index: Any, source: Tensor, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """A copy of ``input`` with ``alpha * source[..., i, ...]`` added to the slice
    ``index[i]`` along ``dim``; repeated indices accumulate.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.index_add(npgrad.zeros(3), 0, npgrad.tensor([0, 0, 2]), npgrad.ones(3), alpha=2)
    tensor([4., 0., 2.])
    """
    if alpha != 1:
        src = tensor_arg("index_add", source)
        if src.dtype.kind in "iu" and isinstance(alpha, (float, np.floating)):
            alpha = int(alpha)  # PyTorch truncates a float alpha for integer tensors
        # bools add as a logical or, and PyTorch reads alpha as a bool there
        source = (src if alpha else src & False) if src.dtype.kind == "b" else src * alpha
    return _index_put(IndexAdd, "index_add", input, dim, index, source, True)


def index_copy(input: Tensor, dim: int, index: Any, source: Tensor) -> Tensor:  # noqa: A002
    """A copy of ``input`` with the slice ``index[i]`` along ``dim`` replaced by
    ``source[..., i, ...]`` (with repeated indices, which one wins is unspecified).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.index_copy(npgrad.zeros(2, 3), 1, npgrad.tensor([2, 0]), npgrad.ones(2, 2))
    tensor([[1., 0., 1.],
            [1., 0., 1.]])
    """
    return _index_put(IndexCopy, "index_copy", input, dim, index, source, False)


def index_fill(input: Tensor, dim: int, index: Any, value: Any) -> Tensor:  # noqa: A002
    """A copy of ``input`` with the slices at ``index`` along ``dim`` set to ``value`` (a
    number or a 0-d tensor, differentiable).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.index_fill(npgrad.zeros(2, 3), 1, npgrad.tensor([0, 2]), 7.0)
    tensor([[7., 0., 7.],
            [7., 0., 7.]])
    """
    x = tensor_arg("index_fill", input)
    # PyTorch's index_fill (unlike index_select, index_add, index_copy) wraps negative indices
    d, idx, _ = _dim_index("index_fill", x, dim, index, negative=True)
    v = _scalar_value("index_fill", value, x.dtype)
    # each position once: the value's gradient must not count a repeated index twice
    key = (slice(None),) * d + (np.unique(idx),)
    out = IndexFill.apply(x.reshape(1) if x.ndim == 0 else x, v, _ALL, key, False)
    return out.reshape(()) if x.ndim == 0 else out  # type: ignore[no-any-return]


# ---- masked ops ----------------------------------------------------------------------------
def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:  # noqa: A002
    """``input`` with ``value`` (a number or a 0-d tensor) where the boolean ``mask`` is True;
    ``mask`` and ``input`` broadcast. Differentiable in ``input`` and in a tensor ``value``.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([1.0, -2.0, 3.0])
    >>> npgrad.masked_fill(x, x < 0, 0.0)
    tensor([1., 0., 3.])
    """
    x = tensor_arg("masked_fill", input)
    m = _mask("masked_fill", mask)
    _broadcast("masked_fill", x.shape, m.shape, "mask")
    v = _scalar_value("masked_fill", value, x.dtype)
    return MaskedFill.apply(const(m), v, x)  # type: ignore[no-any-return]


def masked_select(input: Tensor, mask: Any) -> Tensor:  # noqa: A002
    """The elements of ``input`` where the boolean ``mask`` is True, as a 1-d tensor
    (``input`` and ``mask`` broadcast).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([[1.0, -2.0], [-3.0, 4.0]])
    >>> npgrad.masked_select(x, x > 0)
    tensor([1., 4.])
    """
    x = tensor_arg("masked_select", input)
    m = _mask("masked_select", mask)
    shape = _broadcast("masked_select", x.shape, m.shape, "mask")
    if x.shape != shape:
        x = x.expand(shape)
    return MaskedSelect.apply(x, basic=_ALL, adv=(np.broadcast_to(m, shape),))  # type: ignore[no-any-return]


def masked_scatter(input: Tensor, mask: Any, source: Tensor) -> Tensor:  # noqa: A002
    """A copy of ``input`` whose elements where ``mask`` is True are replaced, in row-major
    order, by the first elements of ``source`` (``input`` and ``mask`` broadcast).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.masked_scatter(npgrad.zeros(4), npgrad.tensor([True, False, True, True]),
    ...                       npgrad.tensor([1.0, 2.0, 3.0, 4.0]))
    tensor([1., 0., 2., 3.])
    """
    x = tensor_arg("masked_scatter", input)
    m = _mask("masked_scatter", mask)
    src = tensor_arg("masked_scatter", source)
    _same_dtype("masked_scatter", x, src, "source")
    shape = _broadcast("masked_scatter", x.shape, m.shape, "mask")
    m = np.broadcast_to(m, shape)
    n = int(np.count_nonzero(m))
    if src.numel() < n:
        raise ShapeError(
            f"masked_scatter: the source has {src.numel()} elements, fewer than the {n} True "
            "elements of the mask"
        )
    flat = src.reshape(-1)
    values = flat if flat.shape[0] == n else flat[:n]
    if x.shape != shape:
        x = x.expand(shape)
    return MaskedScatter.apply(x, values, _ALL, (m,), False)  # type: ignore[no-any-return]


# ---- take, nonzero ---------------------------------------------------------------------------
def take(input: Tensor, index: Any) -> Tensor:  # noqa: A002
    """Elements of ``input`` read as if it were 1-d, at ``index`` (any shape, negative values
    count from the end); the result has ``index``'s shape.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.take(npgrad.tensor([[4.0, 3.0], [5.0, 6.0]]), npgrad.tensor([0, -1]))
    tensor([4., 6.])
    """
    x = tensor_arg("take", input)
    idx = _bounds("take", _index("take", index), x.numel(), 0, negative=True)
    return Take.apply(x.reshape(-1), basic=_ALL, adv=(idx,))  # type: ignore[no-any-return]


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:  # noqa: A002
    """The indices (int64) of the non-zero elements: an ``(n, ndim)`` tensor, or with
    ``as_tuple`` one 1-d tensor per dimension (a 0-d input counts as 1-d there).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([[0.0, 1.0], [2.0, 0.0]])
    >>> npgrad.nonzero(x)
    tensor([[0, 1],
            [1, 0]])
    >>> npgrad.nonzero(x, as_tuple=True)
    (tensor([0, 1]), tensor([1, 0]))
    """
    a = tensor_arg("nonzero", input)._data
    if as_tuple:
        return tuple(const(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(a)))
    return const(np.argwhere(a).astype(np.int64))


def nonzero_static(input: Tensor, *, size: int, fill_value: int = -1) -> Tensor:  # noqa: A002
    """:func:`nonzero` with a fixed number of rows: the first ``size`` indices, padded with
    rows of ``fill_value`` when there are fewer (PyTorch's shape-static form).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.nonzero_static(npgrad.tensor([[1, 0], [3, 2]]), size=4)
    tensor([[ 0,  0],
            [ 1,  0],
            [ 1,  1],
            [-1, -1]])
    """
    a = tensor_arg("nonzero_static", input)._data
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
        raise ValueError(f"nonzero_static: size must be a non-negative integer, got {size!r}")
    if isinstance(fill_value, bool) or not isinstance(fill_value, (int, np.integer)):
        raise TypeError(f"nonzero_static: fill_value must be an integer, got {fill_value!r}")
    found = np.argwhere(a)[:size]
    out = np.full((int(size), a.ndim), fill_value, np.int64)
    out[: len(found)] = found
    return const(out)


def argwhere(input: Tensor) -> Tensor:  # noqa: A002
    """The indices of the non-zero elements as an ``(n, ndim)`` int64 tensor
    (:func:`nonzero`).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.argwhere(npgrad.tensor([0, 3, 0, 5]))
    tensor([[1],
            [3]])
    """
    return nonzero(input)  # type: ignore[no-any-return]
