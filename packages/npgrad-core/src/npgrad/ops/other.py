"""PyTorch's "other operations" (named after the section "Other Operations" of the ``torch``
docs, which lists most of them): the dimension helpers ``atleast_1d``/``2d``/``3d`` and the stacks
``hstack``/``vstack``/``dstack``/``column_stack``, ``repeat_interleave``, ``diff``, the grid and
matrix helpers ``meshgrid``, ``diag``, ``diag_embed``, ``cross``, ``kron``, ``rot90``, the
slicers ``select``/``tensor_split`` (PyTorch lists the stacks and slicers under its indexing,
slicing and joining ops) and the out-of-place helper of ``Tensor.fill_diagonal_``.

All are compositions of existing ops (views, ``cat``, ``index_select``, arithmetic...), so
their gradients (to any order) come for free.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from npgrad.ops._joining import DiagonalScatter, cat, diagonal, flip
from npgrad.ops._promote import check_broadcast, const, tensor_arg
from npgrad.ops._shape_util import ShapeError, _ints
from npgrad.ops.arithmetic import mul, sub
from npgrad.ops.comparison import logical_xor
from npgrad.ops.selection import index_select, masked_fill
from npgrad.ops.shape import clone, expand, transpose
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


# ---- grids and matrices: meshgrid, diag, diag_embed, cross, kron, rot90 ---------------------------
def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids of 0-d or 1-d tensors: output ``i`` is tensor ``i`` expanded (a
    read-only view) to the shape of all sizes. ``indexing='ij'`` puts tensor ``i`` along
    dimension ``i``; ``'xy'`` (NumPy's default) swaps the first two dimensions. Without
    ``indexing``, ``'ij'`` is used and a UserWarning says to pass it, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> x, y = npgrad.meshgrid(npgrad.tensor([1, 2, 3]), npgrad.tensor([4, 5]), indexing="ij")
    >>> x
    tensor([[1, 1],
            [2, 2],
            [3, 3]])
    >>> npgrad.meshgrid(npgrad.tensor([1, 2, 3]), npgrad.tensor([4, 5]), indexing="xy")[0].shape
    npgrad.Size([2, 3])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if not tensors:
        raise ValueError("meshgrid: expects a non-empty sequence of tensors")
    if indexing is None:
        warnings.warn(
            "meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument; indexing='ij' is used",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f'meshgrid: indexing must be one of "xy" or "ij", got {indexing!r}')
    ts = [tensor_arg("meshgrid", t) for t in tensors]
    for i, t in enumerate(ts):
        if t.ndim > 1:
            raise ShapeError(
                f"meshgrid: expected 0-d or 1-d tensors, got shape {t.shape} (tensor {i})"
            )
        if t.dtype != ts[0].dtype:
            raise TypeError(
                f"meshgrid: expects all tensors to have the same dtype, got {ts[0].dtype} "
                f"(tensor 0) and {t.dtype} (tensor {i})"
            )
    axes = list(range(len(ts)))
    if indexing == "xy" and len(ts) > 1:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(ts)
    for t, ax in zip(ts, axes):
        shape[ax] = t.numel()
    out = []
    for t, ax in zip(ts, axes):
        lined = [1] * len(ts)
        lined[ax] = shape[ax]
        out.append(expand(t.reshape(lined), shape))
    return tuple(out)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: A002
    """Tensors whose diagonals (``offset``, in the planes of output dims ``dim1`` and
    ``dim2``) hold the last dimension of ``input``, zeros elsewhere: the inverse of
    ``diagonal(out, offset, dim1, dim2)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.diag_embed(npgrad.tensor([[1, 2], [3, 4]]))
    tensor([[[1, 0],
             [0, 2]],
    <BLANKLINE>
            [[3, 0],
             [0, 4]]])
    """
    x = tensor_arg("diag_embed", input)
    nd = x.ndim + 1
    d1, d2 = _check_dim("diag_embed", dim1, nd), _check_dim("diag_embed", dim2, nd)
    if d1 == d2:
        raise ShapeError(f"diag_embed: diagonal dimensions cannot be identical, got {dim1}, {dim2}")
    if x.ndim == 0:
        raise ShapeError("diag_embed: expected a tensor with at least one dimension, got 0-d")
    k = operator.index(offset)
    n = x.shape[-1] + abs(k)
    shape = list(x.shape[:-1])
    for d in sorted((d1, d2)):
        shape.insert(d, n)
    return DiagonalScatter.apply(x, shape=tuple(shape), args=(k, d1, d2))  # type: ignore[no-any-return]


def diag(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """A 1-d ``input`` becomes a square matrix with it on diagonal ``diagonal`` (above the
    main one when positive, below when negative); a 2-d ``input`` gives a copy of that
    diagonal.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.diag(npgrad.tensor([1, 2]), 1)
    tensor([[0, 1, 0],
            [0, 0, 2],
            [0, 0, 0]])
    >>> npgrad.diag(npgrad.tensor([[1, 2], [3, 4]]))
    tensor([1, 4])
    """
    x = tensor_arg("diag", input)
    k = operator.index(diagonal)
    if x.ndim == 1:
        return diag_embed(x, k, 0, 1)
    if x.ndim == 2:
        return clone(_diagonal(x, k))  # a copy, as PyTorch's
    raise ShapeError(f"diag: supports 1-d or 2-d tensors, got shape {x.shape}")


_diagonal = diagonal  # ``diag``'s argument shadows the function's name


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    """The cross product of 3-vectors along ``dim`` of ``input`` and ``other`` (broadcasting;
    the same dtype). Without ``dim`` the first dimension of ``input`` of size 3 is used, with
    PyTorch's deprecation UserWarning.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.cross(npgrad.tensor([1.0, 0.0, 0.0]), npgrad.tensor([0.0, 1.0, 0.0]), dim=0)
    tensor([0., 0., 1.])
    """
    a, b = tensor_arg("cross", input), tensor_arg("cross", other)
    if a.dtype != b.dtype:
        raise TypeError(
            f"cross: expected both inputs to have the same dtype, got {a.dtype} and {b.dtype}"
        )
    if a.dtype.kind == "b":
        raise TypeError("cross: bool tensors are not supported")
    check_broadcast("cross", a, b)
    nd = max(a.ndim, b.ndim)
    if dim is None:
        warnings.warn(
            "cross: using cross without specifying the dim arg is deprecated; pass dim "
            "explicitly (the default is the first dimension of input of size 3)",
            UserWarning,
            stacklevel=2,
        )
        found = [i for i, s in enumerate(a.shape) if s == 3]
        if not found:
            raise ShapeError(f"cross: no dimension of size 3 in input (shape {a.shape})")
        d = found[0] + nd - a.ndim
    else:
        d = _check_dim("cross", dim, nd)
    parts = []
    for t in (a, b):
        dt = d - (nd - t.ndim)
        if dt < 0 or t.shape[dt] != 3:
            raise ShapeError(
                f"cross: inputs dimension {d} must have length 3, got shapes {a.shape} and "
                f"{b.shape}"
            )
        yzx = index_select(t, dt, const(np.array([1, 2, 0])))
        zxy = index_select(t, dt, const(np.array([2, 0, 1])))
        parts.append((yzx, zxy))
    (a1, a2), (b1, b2) = parts
    return sub(mul(a1, b2), mul(a2, b1))


def kron(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """The Kronecker product: block ``i`` of the result is ``input[i] * other``, for tensors
    of any number of dimensions (the shorter shape is padded with leading 1s).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.kron(npgrad.tensor([[1, 2], [3, 4]]), npgrad.ones(2, dtype=npgrad.int64))
    tensor([[1, 1, 2, 2],
            [3, 3, 4, 4]])
    """
    a, b = tensor_arg("kron", input), tensor_arg("kron", other)
    nd = max(a.ndim, b.ndim)
    sa = (1,) * (nd - a.ndim) + a.shape
    sb = (1,) * (nd - b.ndim) + b.shape
    # a as (a0, 1, a1, 1, ...) times b as (1, b0, 1, b1, ...): every product once, then
    # each (ai, bi) pair of dimensions merged
    wide = mul(
        a.reshape(tuple(n for s in sa for n in (s, 1))),
        b.reshape(tuple(n for s in sb for n in (1, s))),
    )
    return wide.reshape(tuple(x * y for x, y in zip(sa, sb)))


def rot90(input: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:  # noqa: A002
    """Rotate by 90 degrees ``k`` times in the plane of ``dims``, from the first towards
    the second dimension (a copy).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.rot90(npgrad.tensor([[1, 2], [3, 4]]))
    tensor([[2, 4],
            [1, 3]])
    """
    x = tensor_arg("rot90", input)
    ds = _ints("rot90", (dims,), "dims")
    if len(ds) != 2:
        raise ShapeError(f"rot90: expected total rotation dims == 2, but got dims = {len(ds)}")
    if x.ndim < 2:
        raise ShapeError(f"rot90: expected total dims >= 2, got shape {x.shape}")
    d0, d1 = _check_dim("rot90", ds[0], x.ndim), _check_dim("rot90", ds[1], x.ndim)
    if d0 == d1:
        raise ShapeError(f"rot90: expected rotation dims to be different, got {ds[0]}, {ds[1]}")
    turns = operator.index(k) % 4
    if turns == 1:
        return transpose(flip(x, d1), d0, d1)
    if turns == 2:
        return flip(x, d0, d1)
    if turns == 3:
        return transpose(flip(x, d0), d0, d1)
    return clone(x)


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
