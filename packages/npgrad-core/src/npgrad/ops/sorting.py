"""Sorting and selection: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode, and the
index-only ops unique, unique_consecutive, searchsorted, bucketize.

The ops that return values pick elements of the input: their indices come from NumPy (int64,
never differentiable) and the values are read at those indices by one Function whose backward
scatters the gradient back to where each value came from (``IndexScatter``, whose own backward
reads at the same positions again), so second order works. Sorting is always stable; NaN sorts
as the largest value, like PyTorch.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np

from npgrad.autograd.function import Function
from npgrad.ops._promote import const, tensor_arg
from npgrad.ops._return_types import values_indices
from npgrad.ops._shape_util import ShapeError
from npgrad.ops.comparison import where
from npgrad.ops.gather_scatter import _along
from npgrad.ops.indexing import IndexScatter
from npgrad.tensor import Tensor, _check_dim

__all__ = [
    "argsort",
    "bucketize",
    "kthvalue",
    "median",
    "mode",
    "msort",
    "nanmedian",
    "searchsorted",
    "sort",
    "topk",
    "unique",
    "unique_consecutive",
]


_SortResult = values_indices("sort", __name__, "_SortResult")
_TopkResult = values_indices("topk", __name__, "_TopkResult")
_KthvalueResult = values_indices("kthvalue", __name__, "_KthvalueResult")
_MedianResult = values_indices("median", __name__, "_MedianResult")
_NanmedianResult = values_indices("nanmedian", __name__, "_NanmedianResult")
_ModeResult = values_indices("mode", __name__, "_ModeResult")


# ---- the differentiable selection ------------------------------------------------------------
class _Select(Function):
    """``a`` read along ``dim`` at ``idx`` (the values of sort & co.), then squeezed to
    ``shape``; the backward adds the gradient back at the positions read."""

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, dim: int, idx: np.ndarray, shape: Any) -> Any:
        key = _along(idx, dim)
        ctx.in_shape, ctx.key, ctx.idx_shape = a.shape, key, idx.shape
        values = a[key].reshape(shape)
        return values, idx.reshape(shape).astype(np.int64, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor, _: Any) -> tuple[Tensor, None, None, None]:
        g = grad.reshape(ctx.idx_shape)
        out = IndexScatter.apply(g, shape=ctx.in_shape, basic=(Ellipsis,), adv=ctx.key)
        return out, None, None, None


class Sort(_Select):
    pass


class Topk(_Select):
    pass


class Kthvalue(_Select):
    pass


class Median(_Select):
    pass


class Nanmedian(_Select):
    pass


class Mode(_Select):
    pass


def _select(fn: Any, x: Tensor, d: int, idx: np.ndarray, keepdim: bool) -> tuple[Tensor, Tensor]:
    """Values and indices at ``idx`` (which keeps dimension ``d``, of any size)."""
    if x.ndim == 0:  # computed on the 1-element vector, 0-d results
        return fn.apply(x.reshape(1), 0, idx.reshape(idx.size), ())  # type: ignore[no-any-return]
    shape = idx.shape if keepdim else idx.shape[:d] + idx.shape[d + 1 :]
    return fn.apply(x, d, idx, shape)  # type: ignore[no-any-return]


def _argsort(a: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """A stable argsort; NaN is the largest value (first when descending)."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    # sort the reversed array ascending, then reverse: equal elements keep their order
    n = a.shape[axis]
    order = np.argsort(np.flip(a, axis), axis=axis, kind="stable")
    return (n - 1) - np.flip(order, axis)  # type: ignore[no-any-return]


def _prep(op: str, input: Any, dim: int) -> tuple[Tensor, int, np.ndarray]:  # noqa: A002
    """The tensor, its normalised dim, and its data with at least one dimension."""
    x = tensor_arg(op, input)
    d = _check_dim(op, dim, x.ndim)
    return x, d, np.atleast_1d(x._data)


def _nonempty(op: str, a: np.ndarray, d: int) -> None:
    if a.shape[d] == 0:
        raise IndexError(f"{op}: expected reduction dim {d} to have non-zero size")


# ---- sort, argsort, msort, topk, kthvalue ----------------------------------------------------
def sort(
    input: Tensor,  # noqa: A002
    dim: int = -1,
    descending: bool = False,
    stable: bool = False,
) -> Any:
    """The elements of ``input`` sorted along ``dim``: a named tuple ``(values, indices)``.

    The sort is always stable (``stable`` is accepted for PyTorch's signature); NaN sorts as
    the largest value. The gradient of ``values`` flows back through ``indices``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.sort(npgrad.tensor([3.0, 1.0, 2.0]), descending=True)
    npgrad.return_types.sort(
    values=tensor([3., 2., 1.]),
    indices=tensor([0, 2, 1]))
    """
    x, d, a = _prep("sort", input, dim)
    return _SortResult(*_select(Sort, x, d, _argsort(a, d, descending), True))


def argsort(
    input: Tensor,  # noqa: A002
    dim: int = -1,
    descending: bool = False,
    stable: bool = False,
) -> Tensor:
    """The int64 indices that sort ``input`` along ``dim`` (stable; see :func:`sort`).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.argsort(npgrad.tensor([[3.0, 1.0, 2.0]]), dim=1)
    tensor([[1, 2, 0]])
    """
    x, d, a = _prep("argsort", input, dim)
    return const(_argsort(a, d, descending).reshape(x.shape).astype(np.int64, copy=False))


def msort(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` sorted along its first dimension (the values of ``sort(input, dim=0)``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.msort(npgrad.tensor([[3.0, 1.0], [2.0, 4.0]]))
    tensor([[2., 1.],
            [3., 4.]])
    """
    return sort(input, dim=0).values  # type: ignore[no-any-return]


def topk(
    input: Tensor,  # noqa: A002
    k: int,
    dim: int = -1,
    largest: bool = True,
    sorted: bool = True,  # noqa: A002
) -> Any:
    """The ``k`` largest (or, with ``largest=False``, smallest) elements along ``dim``, as a
    named tuple ``(values, indices)``; NaN counts as larger than any number. The result is
    always sorted (``sorted=False`` leaves the order unspecified in PyTorch).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.topk(npgrad.tensor([1.0, 5.0, 3.0, 4.0]), 2)
    npgrad.return_types.topk(
    values=tensor([5., 4.]),
    indices=tensor([1, 3]))
    """
    x, d, a = _prep("topk", input, dim)
    n = a.shape[d]
    if not 0 <= k <= n:
        raise ShapeError(f"topk: k ({k}) out of range for dimension {d} of size {n}")
    idx = np.take(_argsort(a, d, largest), np.arange(k), axis=d)
    return _TopkResult(*_select(Topk, x, d, idx, True))


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:  # noqa: A002
    """The ``k``-th smallest element (``k`` counts from 1) along ``dim``: a named tuple
    ``(values, indices)``. Among equal values, which index is returned is unspecified.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.kthvalue(npgrad.tensor([[4.0, 1.0, 3.0], [0.0, 9.0, 8.0]]), 2)
    npgrad.return_types.kthvalue(
    values=tensor([3., 8.]),
    indices=tensor([2, 2]))
    """
    x, d, a = _prep("kthvalue", input, dim)
    n = a.shape[d]
    if not 1 <= k <= n:
        raise ShapeError(f"kthvalue: k ({k}) out of range for dimension {d} of size {n}")
    idx = np.take(_argsort(a, d, False), [k - 1], axis=d)
    return _KthvalueResult(*_select(Kthvalue, x, d, idx, keepdim))


# ---- median, nanmedian, mode -----------------------------------------------------------------
class MedianAll(Function):
    """The median of all elements; the gradient is shared evenly by the elements equal to it
    (PyTorch's rule for ``median()`` without ``dim``, where no index is returned)."""

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, ignore_nan: bool) -> np.ndarray:
        flat = a.reshape(-1)
        nan = np.isnan(flat) if a.dtype.kind == "f" else np.zeros(flat.shape, bool)
        valid = flat[~nan] if ignore_nan else flat
        if valid.size == 0 and a.dtype.kind != "f":
            raise IndexError("median: cannot compute the median of an empty integer tensor")
        if valid.size == 0 or (not ignore_nan and nan.any()):
            out = np.full((), np.nan, a.dtype)  # no values, or a nan that median propagates
            mask = nan.reshape(a.shape)
        else:
            out = np.sort(valid, kind="stable")[(valid.size - 1) // 2].reshape(())
            mask = a == out
        ctx.mask, ctx.count = mask, max(int(mask.sum()), 1)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return where(const(ctx.mask), grad / ctx.count, 0.0), None


def _median(op: str, fn: Any, result: Any, input: Any, dim: Any, keepdim: bool) -> Any:  # noqa: A002
    ignore_nan = op == "nanmedian"
    if dim is None:
        x = tensor_arg(op, input)
        if x.dtype.kind not in "fiu":
            raise TypeError(f"{op}: not supported for {x.dtype} tensors")
        return MedianAll.apply(x, ignore_nan)
    x, d, a = _prep(op, input, dim)
    _nonempty(op, a, d)
    order = _argsort(a, d, False)  # nans last, in their original order
    n = a.shape[d]
    if a.dtype.kind == "f":
        valid = n - np.isnan(a).sum(axis=d, keepdims=True)
    else:
        valid = np.full(a.shape[:d] + (1,) + a.shape[d + 1 :], n)
    if ignore_nan:  # the lower median of the numbers; an all-nan row gives its first nan
        pos = np.maximum(valid - 1, 0) // 2
    else:  # a row with a nan gives its first nan, like PyTorch
        pos = np.where(valid < n, valid, (n - 1) // 2)
    idx = np.take_along_axis(order, pos, d)
    return result(*_select(fn, x, d, idx, keepdim))


def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:  # noqa: A002
    """The median (the lower of the two middle values for an even count), of all elements,
    or along ``dim`` as a named tuple ``(values, indices)``. NaN propagates.

    Without ``dim`` the gradient is shared by the elements equal to the median; with ``dim``
    it goes to the returned index.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.median(npgrad.tensor([4.0, 1.0, 3.0, 2.0]))
    tensor(2.)
    >>> npgrad.median(npgrad.tensor([[4.0, 1.0, 3.0], [0.0, 9.0, 8.0]]), dim=1)
    npgrad.return_types.median(
    values=tensor([3., 8.]),
    indices=tensor([2, 2]))
    """
    return _median("median", Median, _MedianResult, input, dim, keepdim)


def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:  # noqa: A002
    """:func:`median` ignoring NaN (NaN only where every value is NaN).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.nanmedian(npgrad.tensor([float("nan"), 1.0, 3.0, 2.0]))
    tensor(2.)
    """
    return _median("nanmedian", Nanmedian, _NanmedianResult, input, dim, keepdim)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:  # noqa: A002
    """The most frequent value along ``dim`` (the smallest of equally frequent ones) and the
    index of its last occurrence, as a named tuple ``(values, indices)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.mode(npgrad.tensor([3.0, 1.0, 3.0, 1.0, 2.0]))
    npgrad.return_types.mode(
    values=tensor(1.),
    indices=tensor(3))
    """
    x, d, a = _prep("mode", input, dim)
    _nonempty("mode", a, d)
    order = np.moveaxis(_argsort(a, d, False), d, -1)
    rows = order.reshape(-1, a.shape[d])
    s = np.take_along_axis(np.moveaxis(a, d, -1).reshape(rows.shape), rows, 1)
    new = np.ones(s.shape, bool)  # True where a run of equal values starts
    new[:, 1:] = s[:, 1:] != s[:, :-1]
    run = np.cumsum(new, axis=1) - 1
    counts = np.zeros(s.shape, np.intp)
    np.add.at(counts, (np.arange(len(s))[:, None], run), 1)
    best = np.argmax(counts, axis=1)  # the first longest run: the smallest value
    # stable sort: the run's last element is the value's last occurrence
    last = np.argmax(run == best[:, None], axis=1) + counts[np.arange(len(s)), best] - 1
    idx = rows[np.arange(len(s)), last].reshape(order.shape[:-1] + (1,))
    return _ModeResult(*_select(Mode, x, d, np.moveaxis(idx, -1, d), keepdim))


# ---- unique, unique_consecutive (no gradient) -------------------------------------------------
def _index_outputs(
    values: np.ndarray, inverse: Any, counts: Any, return_inverse: bool, return_counts: bool
) -> Any:
    out = [const(values)]
    if return_inverse:
        out.append(const(inverse.astype(np.int64, copy=False)))
    if return_counts:
        out.append(const(counts.astype(np.int64, copy=False)))
    return out[0] if len(out) == 1 else tuple(out)


def unique(
    input: Tensor,  # noqa: A002
    sorted: bool = True,  # noqa: A002
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct elements of ``input`` (or, with ``dim``, its distinct slices along
    ``dim``), sorted; optionally with the inverse indices (where each element went) and the
    counts. NaNs are all distinct, as in PyTorch. Not differentiable.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.unique(npgrad.tensor([3, 1, 3, 2]), return_inverse=True, return_counts=True)
    (tensor([1, 2, 3]), tensor([2, 0, 2, 1]), tensor([1, 1, 2]))
    """
    a = tensor_arg("unique", input)._data
    if dim is None:
        values, inverse, counts = np.unique(
            a.reshape(-1), return_inverse=True, return_counts=True, equal_nan=False
        )
        inverse = inverse.reshape(a.shape)
    else:
        d = _check_dim("unique", dim, a.ndim)
        if a.ndim == 0:
            raise IndexError("unique: a 0-d tensor has no dimension to take slices along")
        values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=d)
        inverse = inverse.reshape(-1)
    return _index_outputs(values, inverse, counts, return_inverse, return_counts)


def unique_consecutive(
    input: Tensor,  # noqa: A002
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """``input`` with each run of consecutive equal elements (or slices along ``dim``)
    collapsed to one; optionally with the inverse indices and the run lengths.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.unique_consecutive(npgrad.tensor([1, 1, 2, 2, 3, 1]), return_counts=True)
    (tensor([1, 2, 3, 1]), tensor([2, 2, 1, 1]))
    """
    a = tensor_arg("unique_consecutive", input)._data
    if dim is None:
        rows, shape = a.reshape(-1, 1), a.shape
    else:
        d = _check_dim("unique_consecutive", dim, a.ndim)
        if a.ndim == 0:
            raise IndexError("unique_consecutive: a 0-d tensor has no dimension to use")
        # the slice size spelled out: with no slices, -1 could not be inferred
        width = math.prod(a.shape[:d] + a.shape[d + 1 :])
        rows, shape = np.moveaxis(a, d, 0).reshape(a.shape[d], width), (a.shape[d],)
    start = np.ones(len(rows), bool)
    start[1:] = np.any(rows[1:] != rows[:-1], axis=1)
    inverse = (np.cumsum(start) - 1).reshape(shape)
    first = np.flatnonzero(start)
    counts = np.diff(np.append(first, len(rows)))
    values = a.reshape(-1)[first] if dim is None else np.take(a, first, axis=d)
    return _index_outputs(values, inverse, counts, return_inverse, return_counts)


# ---- searchsorted, bucketize (no gradient) -----------------------------------------------------
def _values(op: str, v: Any) -> np.ndarray:
    if isinstance(v, Tensor):
        return v._data
    if isinstance(v, (bool, int, float, np.generic, np.ndarray, list, tuple)):
        return np.asarray(v)
    raise TypeError(f"{op}: expected a Tensor or a number, got {type(v).__name__}")


def _side(op: str, right: bool, side: str | None) -> Literal["left", "right"]:
    if side is None:
        return "right" if right else "left"
    if side not in ("left", "right"):
        raise ValueError(f"{op}: side must be 'left' or 'right', got {side!r}")
    if right and side == "left":
        raise ValueError(f"{op}: side='left' contradicts right=True")
    return "right" if side == "right" else "left"


def searchsorted(
    sorted_sequence: Any,
    input: Any,  # noqa: A002
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Any = None,
) -> Tensor:
    """For each value of ``input``, the index in ``sorted_sequence`` (sorted along its last
    dimension) where it would be inserted to keep the order: before equal elements, or after
    them with ``right=True`` / ``side="right"``. An N-d ``sorted_sequence`` holds one sorted
    row per leading index of ``input``. int64 (or int32) indices; not differentiable.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.searchsorted(npgrad.tensor([1, 3, 5, 7]), npgrad.tensor([3, 6, 9]))
    tensor([1, 3, 4])
    >>> npgrad.searchsorted(npgrad.tensor([1, 3, 5, 7]), 3, right=True)
    tensor(2)
    """
    seq = _values("searchsorted", sorted_sequence)
    v = _values("searchsorted", input)
    how = _side("searchsorted", right, side)
    if seq.ndim == 0:
        raise ShapeError("searchsorted: sorted_sequence must have at least one dimension")
    if sorter is not None:
        seq = np.take_along_axis(seq, _values("searchsorted", sorter).astype(np.intp), -1)
    if seq.ndim == 1:
        out = np.asarray(np.searchsorted(seq, v, side=how))
    else:
        if v.ndim != seq.ndim or v.shape[:-1] != seq.shape[:-1]:
            raise ShapeError(
                f"searchsorted: the leading dimensions of sorted_sequence {seq.shape} and "
                f"input {v.shape} must match (or sorted_sequence must be 1-d)"
            )
        n_rows = int(np.prod(seq.shape[:-1]))
        rows, vals = seq.reshape(n_rows, seq.shape[-1]), v.reshape(n_rows, v.shape[-1])
        out = np.zeros(vals.shape, np.intp)
        for k in range(n_rows):  # one sorted row per leading index
            out[k] = np.searchsorted(rows[k], vals[k], side=how)
        out = out.reshape(v.shape)
    return const(out.astype(np.int32 if out_int32 else np.int64))


def bucketize(
    input: Any,  # noqa: A002
    boundaries: Tensor,
    *,
    out_int32: bool = False,
    right: bool = False,
) -> Tensor:
    """The bucket index of each element of ``input`` given the sorted 1-d ``boundaries``:
    ``i`` with ``boundaries[i-1] < x <= boundaries[i]`` (``<= x <`` with ``right=True``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.bucketize(npgrad.tensor([0.5, 3.0, 9.0]), npgrad.tensor([1.0, 3.0, 5.0]))
    tensor([0, 1, 3])
    """
    b = _values("bucketize", boundaries)
    if b.ndim != 1:
        raise ShapeError(f"bucketize: boundaries must be 1-d, got shape {b.shape}")
    return searchsorted(b, input, out_int32=out_int32, right=right)
