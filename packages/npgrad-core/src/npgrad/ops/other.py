"""PyTorch's "other operations" (named after the section "Other Operations" of the ``torch``
docs, which lists most of them): the dimension helpers ``atleast_1d``/``2d``/``3d`` and the stacks
``hstack``/``vstack``/``dstack``/``column_stack``, ``repeat_interleave``, ``diff``, the grid and
matrix helpers ``meshgrid``, ``diag``, ``diag_embed``, ``cross``, ``kron``, ``rot90``, the
slicers ``select``/``tensor_split`` (PyTorch lists the stacks and slicers under its indexing,
slicing and joining ops) and the out-of-place helper of ``Tensor.fill_diagonal_``.

The grid and matrix helpers (``meshgrid``, ``diag``, ``diag_embed``, ``cross``, ``kron``,
``rot90``) live in :mod:`npgrad.ops._other_grids` and are re-exported here.

All are compositions of existing ops (views, ``cat``, ``index_select``, arithmetic...), so
their gradients (to any order) come for free.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from npgrad.ops._joining import cat
from npgrad.ops._other_grids import cross, diag, diag_embed, kron, meshgrid, rot90
from npgrad.ops._promote import const, tensor_arg
from npgrad.ops._shape_util import ShapeError, _ints
from npgrad.ops.arithmetic import sub
from npgrad.ops.comparison import logical_xor
from npgrad.ops.selection import index_select, masked_fill
from npgrad.tensor import Tensor, _check_dim

__all__ = [
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "column_stack",
    "cross",
    "diag",
    "diag_embed",
    "diff",
    "dstack",
    "hstack",
    "kron",
    "meshgrid",
    "repeat_interleave",
    "rot90",
    "select",
    "tensor_split",
    "vstack",
]


# ---- dimension helpers and stacking -----------------------------------------------------
def _atleast(op: str, ndim: int, tensors: tuple[Any, ...]) -> Any:
    single = len(tensors) == 1 and not isinstance(tensors[0], (list, tuple))
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    out = []
    for t in tensors:
        t = tensor_arg(op, t)
        if t.ndim < ndim:
            if ndim == 3 and t.ndim == 2:
                t = t.reshape(*t.shape, 1)
            elif ndim == 3 and t.ndim == 1:
                t = t.reshape(1, t.shape[0], 1)
            else:
                t = t.reshape((1,) * (ndim - t.ndim) + t.shape)
        out.append(t)
    return out[0] if single else tuple(out)


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor viewed with at least one dimension (a 0-d tensor becomes shape ``(1,)``).
    One tensor gives a tensor; several (or one sequence) give a tuple.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.atleast_1d(npgrad.tensor(1.5))
    tensor([1.5000])
    """
    return _atleast("atleast_1d", 1, tensors)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor viewed with at least two dimensions: ``(N,)`` becomes ``(1, N)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.atleast_2d(npgrad.tensor([1, 2])).shape
    npgrad.Size([1, 2])
    """
    return _atleast("atleast_2d", 2, tensors)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor viewed with at least three dimensions: ``(N,)`` becomes ``(1, N, 1)`` and
    ``(M, N)`` becomes ``(M, N, 1)``, as in NumPy and PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.atleast_3d(npgrad.tensor([1, 2])).shape, npgrad.atleast_3d(npgrad.ones(2, 3)).shape
    (npgrad.Size([1, 2, 1]), npgrad.Size([2, 3, 1]))
    """
    return _atleast("atleast_3d", 3, tensors)


def _seq(op: str, tensors: Any) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, Sequence):
        raise TypeError(f"{op}: expected a sequence of tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{op}: expects a non-empty sequence of tensors")
    return [tensor_arg(op, t) for t in tensors]


def hstack(tensors: Sequence[Any]) -> Tensor:
    """Join horizontally: along dim 0 when every tensor is 1-d (after ``atleast_1d``), else
    along dim 1.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.hstack([npgrad.tensor([1, 2]), npgrad.tensor([3])])
    tensor([1, 2, 3])
    """
    ts = list(atleast_1d(_seq("hstack", tensors)))
    return cat(ts, 0 if all(t.ndim == 1 for t in ts) else 1)


def vstack(tensors: Sequence[Any]) -> Tensor:
    """Join vertically: ``cat(atleast_2d(tensors), 0)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.vstack([npgrad.tensor([1, 2]), npgrad.tensor([3, 4])])
    tensor([[1, 2],
            [3, 4]])
    """
    return cat(list(atleast_2d(_seq("vstack", tensors))), 0)


def dstack(tensors: Sequence[Any]) -> Tensor:
    """Join depth-wise: ``cat(atleast_3d(tensors), 2)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.dstack([npgrad.tensor([1, 2]), npgrad.tensor([3, 4])]).shape
    npgrad.Size([1, 2, 2])
    """
    return cat(list(atleast_3d(_seq("dstack", tensors))), 2)


def column_stack(tensors: Sequence[Any]) -> Tensor:
    """Join as columns: 0-d and 1-d tensors become columns ``(N, 1)``, the rest join along
    dim 1 as they are.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.column_stack([npgrad.tensor([1, 2]), npgrad.tensor([3, 4])])
    tensor([[1, 3],
            [2, 4]])
    """
    ts = _seq("column_stack", tensors)
    return cat([t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in ts], 1)


# ---- repeat_interleave -----------------------------------------------------------------------
def repeat_interleave(
    input: Any,  # noqa: A002
    repeats: Any = None,
    dim: int | None = None,
    *,
    output_size: int | None = None,
) -> Tensor:
    """Repeat each element (each slice along ``dim``) ``repeats`` times, in place order;
    ``dim=None`` works on the flattened input. ``repeats`` is an int or a vector of one count
    per slice. Differentiable: the gradient sums over the copies.

    With only an integer tensor, ``repeat_interleave(repeats)`` gives ``i`` repeated
    ``repeats[i]`` times (PyTorch's index form).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.repeat_interleave(npgrad.tensor([1, 2, 3]), 2)
    tensor([1, 1, 2, 2, 3, 3])
    >>> npgrad.tensor([[1, 2], [3, 4]]).repeat_interleave(npgrad.tensor([1, 2]), dim=0)
    tensor([[1, 2],
            [3, 4],
            [3, 4]])
    >>> npgrad.repeat_interleave(npgrad.tensor([2, 0, 1]))
    tensor([0, 0, 2])
    """
    x = tensor_arg("repeat_interleave", input)
    if repeats is None:  # index form: int32 counts give int32 indices, as in PyTorch
        r = _repeats(x._data, None)
        idx = np.dtype(np.int32) if x.dtype == np.int32 else np.dtype(np.int64)
        return Tensor._make(np.repeat(np.arange(r.size, dtype=idx), r), False, None)
    if dim is None:
        x = x.reshape(-1)
        d = 0
    else:
        d = _check_dim("repeat_interleave", dim, x.ndim)
        if x.ndim == 0:
            x = x.reshape(1)
    n = x.shape[d]
    r = _repeats(repeats._data if isinstance(repeats, Tensor) else repeats, n)
    index = np.repeat(np.arange(n, dtype=np.int64), r)
    if output_size is not None and index.size != output_size:
        raise ValueError(
            f"repeat_interleave: output_size {output_size} does not match the repeats' "
            f"total {index.size}"
        )
    return index_select(x, d, Tensor._make(index, False, None))


def _repeats(r: Any, n: int | None) -> np.ndarray:
    if isinstance(r, (bool, np.bool_)):
        raise TypeError("repeat_interleave: repeats must be an int or an integer tensor")
    if isinstance(r, (int, np.integer)):
        r = np.int64(operator.index(r))
        if r < 0:
            raise ValueError("repeat_interleave: repeats can not be negative")
        return np.full(n if n is not None else 1, r, dtype=np.int64)
    arr = np.asarray(r)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"repeat_interleave: repeats must have an integer dtype, got {arr.dtype}")
    if arr.ndim > 1:
        raise ValueError("repeat_interleave: repeats must be 0-dim or 1-dim tensor")
    if np.any(arr < 0):
        raise ValueError("repeat_interleave: repeats can not be negative")
    if n is not None:
        if arr.ndim == 0 or arr.size == 1:
            arr = np.full(n, arr.reshape(()), dtype=np.int64)
        elif arr.size != n:
            raise ValueError(
                f"repeat_interleave: repeats must have the same size as input along dim, "
                f"got {arr.size} and {n}"
            )
    return arr.reshape(-1).astype(np.int64)


def diff(
    input: Any,  # noqa: A002
    n: int = 1,
    dim: int = -1,
    prepend: Any = None,
    append: Any = None,
) -> Tensor:
    """The ``n``-th forward difference ``out[i] = input[i + 1] - input[i]`` along ``dim``, after
    joining ``prepend`` and ``append`` (tensors) to ``input`` there. Bool tensors use
    ``logical_xor``, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.diff(npgrad.tensor([1.0, 4.0, 9.0, 16.0]))
    tensor([3., 5., 7.])
    >>> npgrad.diff(npgrad.tensor([1, 4, 9, 16]), n=2, prepend=npgrad.tensor([0]))
    tensor([2, 2, 2])
    """
    x = tensor_arg("diff", input)
    if x.ndim == 0:
        raise ValueError("diff: expected a tensor with at least one dimension")
    n = operator.index(n)
    if n < 0:
        raise ValueError(f"diff: order must be non-negative, got {n}")
    d = _check_dim("diff", dim, x.ndim)
    parts = [tensor_arg("diff", v) for v in (prepend,) if v is not None]
    parts.append(x)
    parts += [tensor_arg("diff", v) for v in (append,) if v is not None]
    if len(parts) > 1:
        x = cat(parts, d)
    for _ in range(n):
        length = x.shape[d]
        if length == 0:
            break
        hi, lo = x.narrow(d, 1, length - 1), x.narrow(d, 0, length - 1)
        x = logical_xor(hi, lo) if x.dtype.kind == "b" else sub(hi, lo)
    return x


# ---- slicing: select, tensor_split -------------------------------------------------------------
def select(input: Tensor, dim: int, index: int) -> Tensor:  # noqa: A002
    """The slice of ``input`` at ``index`` along ``dim``, without that dimension (a view):
    ``select(x, 1, i)`` is ``x[:, i]``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.select(npgrad.tensor([[1, 2], [3, 4]]), 1, -1)
    tensor([2, 4])
    """
    x = tensor_arg("select", input)
    if x.ndim == 0:
        raise IndexError("select: cannot be applied to a 0-dim tensor")
    d = _check_dim("select", dim, x.ndim)
    i = operator.index(index)
    n = x.shape[d]
    if not -n <= i < n:
        raise IndexError(
            f"select: index {i} out of range for tensor of shape {x.shape} at dimension {d}"
        )
    return x[(slice(None),) * d + (i,)]


def tensor_split(
    input: Tensor,  # noqa: A002
    indices_or_sections: Any = None,
    dim: int = 0,
    *,
    indices: Any = None,
    sections: Any = None,
    tensor_indices_or_sections: Any = None,
) -> tuple[Tensor, ...]:
    """Views of ``input`` cut along ``dim``: an int ``n`` gives ``n`` pieces whose sizes
    differ by at most one (the first ones larger); a sequence of indices (or a 1-d int64
    tensor) cuts before each index, like NumPy's ``array_split`` (indices may be negative,
    out of range or decreasing, as in Python slicing). A 0-d int64 tensor is a count.
    PyTorch's keyword forms ``indices=``, ``sections=`` and ``tensor_indices_or_sections=``
    are accepted too.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tensor_split(npgrad.arange(7), 3)
    (tensor([0, 1, 2]), tensor([3, 4]), tensor([5, 6]))
    >>> npgrad.arange(7).tensor_split([1, 5])
    (tensor([0]), tensor([1, 2, 3, 4]), tensor([5, 6]))
    """
    x = tensor_arg("tensor_split", input)
    if x.ndim == 0:
        raise ShapeError("tensor_split: expected at least a 1-dimensional tensor, got 0-d")
    d = _check_dim("tensor_split", dim, x.ndim)
    given = [
        v
        for v in (indices_or_sections, indices, sections, tensor_indices_or_sections)
        if v is not None
    ]
    if len(given) != 1:
        raise TypeError(
            "tensor_split: give one of indices_or_sections, indices, sections and "
            "tensor_indices_or_sections"
        )
    ios = given[0]
    if isinstance(ios, (Tensor, np.ndarray)):
        arr = ios._data if isinstance(ios, Tensor) else ios
        if arr.dtype != np.int64:
            raise TypeError(
                f"tensor_split: expected indices_or_sections to have dtype int64, got {arr.dtype}"
            )
        if arr.ndim > 1:
            raise ShapeError(
                "tensor_split: expected indices_or_sections to be a 0-d or 1-d tensor, got "
                f"shape {arr.shape}"
            )
        ios = int(arr) if arr.ndim == 0 else arr.tolist()
    n = x.shape[d]
    if isinstance(ios, (list, tuple)):
        cuts = list(_ints("tensor_split", (ios,), "indices"))
        bounds = list(zip([0, *cuts], [*cuts, n]))
    else:
        if isinstance(ios, bool):
            raise TypeError("tensor_split: indices_or_sections must be an int or a sequence")
        sections = operator.index(ios)
        if sections <= 0:
            raise ValueError(
                f"tensor_split: number of sections must be larger than 0, got {sections}"
            )
        q, r = divmod(n, sections)
        sizes = [q + 1] * r + [q] * (sections - r)
        ends = np.cumsum(sizes).tolist()
        bounds = [(e - s, e) for s, e in zip(sizes, ends)]
    lead = (slice(None),) * d
    return tuple(x[lead + (slice(lo, hi),)] for lo, hi in bounds)


# ---- helpers of in-place Tensor methods ------------------------------------------------------
def _fill_diagonal(input: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:  # noqa: A002
    """``input`` with its main diagonal (all indices equal) set to ``fill_value``, out of
    place; ``Tensor.fill_diagonal_`` writes it back. ``wrap``: in a tall matrix the diagonal
    starts again after every ``columns + 1`` rows, as in NumPy and PyTorch."""
    x = tensor_arg("fill_diagonal_", input)
    if x.ndim < 2:
        raise ShapeError(f"fill_diagonal_: dimensions must be larger than 1, got shape {x.shape}")
    if x.ndim > 2 and len(set(x.shape)) != 1:
        raise ShapeError(
            f"fill_diagonal_: all dimensions of input must be of equal length, got {x.shape}"
        )
    if isinstance(fill_value, Tensor):
        raise TypeError("fill_diagonal_: fill_value must be a number, got a Tensor")
    mask = np.zeros(x.shape, dtype=bool)
    np.fill_diagonal(mask, True, wrap=bool(wrap))
    return masked_fill(x, const(mask), fill_value)
