"""Tensors built from pieces of others: block diagonals, products of sets, index
triangles, scatters of a slice, splits along named axes and sliding windows.

Most are compositions of differentiable ops (``cat``, indexing, ``flip``, ``cumprod``...), so
their gradients come for free. The scatters (``slice_scatter``, ``select_scatter``,
``diagonal_scatter``) are one Function whose backward is itself and the matching view, and
``Tensor.unfold`` is a view op whose backward adds up overlapping windows.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided as _np_as_strided

from npgrad import dtypes
from npgrad._device import parse_device
from npgrad.autograd._views import ViewFunction
from npgrad.autograd.function import Function
from npgrad.ops._joining import _diagonal_view, cat, flip, split, stack
from npgrad.ops._promote import const, tensor_arg
from npgrad.ops._shape_util import ShapeError
from npgrad.ops._strided import as_strided as as_strided
from npgrad.ops.elementwise import cast
from npgrad.tensor import Tensor, _check_dim

__all__ = [
    "as_strided",
    "block_diag",
    "cartesian_prod",
    "combinations",
    "diagflat",
    "diagonal_scatter",
    "dsplit",
    "fliplr",
    "flipud",
    "hsplit",
    "select_scatter",
    "slice_scatter",
    "split_with_sizes",
    "tril_indices",
    "triu_indices",
    "unravel_index",
    "vander",
    "vsplit",
]


def _common(op: str, tensors: Sequence[Any]) -> list[Tensor]:
    ts = [tensor_arg(op, t) for t in tensors]
    if not ts:
        return ts
    d = ts[0].dtype
    for t in ts[1:]:
        d = dtypes.promote_types(d, t.dtype)
    return [t if t.dtype == d else cast(t, d) for t in ts]


# ---- block_diag, cartesian_prod, combinations -----------------------------------------------
def block_diag(*tensors: Tensor) -> Tensor:
    """The tensors (0-d, 1-D as one row, or 2-D) placed along the diagonal of a matrix of
    zeros, in order; dtypes are promoted.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.block_diag(npgrad.tensor([[1, 2]]), npgrad.tensor(3))
    tensor([[1, 2, 0],
            [0, 0, 3]])
    """
    ts = _common("block_diag", tensors)
    if not ts:
        return const(np.zeros((1, 0), dtypes.get_default_dtype()))
    mats = []
    for i, t in enumerate(ts):
        if t.ndim > 2:
            raise ValueError(
                f"block_diag: input tensors must have 2 or fewer dimensions, input {i} has {t.ndim}"
            )
        mats.append(t.reshape(1, -1) if t.ndim < 2 else t)
    total = sum(m.shape[1] for m in mats)
    d = mats[0].dtype
    rows, left = [], 0
    for m in mats:
        r, c = m.shape
        parts = [const(np.zeros((r, left), d)), m, const(np.zeros((r, total - left - c), d))]
        rows.append(cat(parts, 1))
        left += c
    return cat(rows, 0)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one element from each 1-D tensor, as the rows of a
    ``(N, len(tensors))`` tensor (the first tensor varying slowest); one tensor is returned
    as it is. Dtypes are promoted.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.cartesian_prod(npgrad.tensor([1, 2]), npgrad.tensor([3, 4, 5]))
    tensor([[1, 3],
            [1, 4],
            [1, 5],
            [2, 3],
            [2, 4],
            [2, 5]])
    """
    ts = _common("cartesian_prod", tensors)
    if not ts:
        raise ValueError("cartesian_prod: expected at least one tensor")
    for i, t in enumerate(ts):
        if t.ndim != 1:
            raise ValueError(f"cartesian_prod: expected 1-D tensors, input {i} has shape {t.shape}")
    if len(ts) == 1:
        return ts[0]
    grids = np.meshgrid(*(np.arange(t.shape[0]) for t in ts), indexing="ij")
    cols = [t[const(g.reshape(-1).astype(np.int64))] for t, g in zip(ts, grids)]
    return stack(cols, 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:  # noqa: A002
    """All length-``r`` combinations of the elements of a 1-D tensor, as the rows of a
    ``(K, r)`` tensor, in ``itertools.combinations`` order (with ``with_replacement``, as
    ``itertools.combinations_with_replacement``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.combinations(npgrad.tensor([1, 2, 3]))
    tensor([[1, 2],
            [1, 3],
            [2, 3]])
    """
    x = tensor_arg("combinations", input)
    if x.ndim != 1:
        raise ValueError(f"combinations: expected a 1-D tensor, got shape {x.shape}")
    if isinstance(r, bool) or not isinstance(r, (int, np.integer)) or r < 0:
        raise ValueError(f"combinations: r must be a non-negative integer, got {r!r}")
    if r == 0:
        return const(np.empty(0, x.dtype))
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(gen(range(x.shape[0]), int(r))), dtype=np.int64).reshape(-1, r)
    return x[const(idx)]


# ---- index triangles, vander, diagflat ------------------------------------------------------
def _triangle_indices(op: str, row: int, col: int, offset: int, dtype: Any, upper: bool) -> Tensor:
    for name, v in (("row", row), ("col", col), ("offset", offset)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{op}: {name} must be an integer, got {type(v).__name__}")
    if row < 0 or col < 0:
        raise ValueError(f"{op}: row and col must be non-negative, got {row} and {col}")
    d = dtypes.int64 if dtype is None else dtypes.to_dtype(dtype)
    if d.kind not in "iu":
        raise TypeError(f"{op}: dtype must be an integer type, got {d}")
    fn = np.triu_indices if upper else np.tril_indices
    i, j = fn(int(row), int(offset), int(col))
    return const(np.stack([i, j]).astype(d).reshape(2, -1))


def tril_indices(
    row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None
) -> Tensor:
    """The ``(2, N)`` row and column indices of the lower triangle (on and below diagonal
    ``offset``) of a ``row x col`` matrix, in row-major order.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tril_indices(3, 3)
    tensor([[0, 1, 1, 2, 2, 2],
            [0, 0, 1, 0, 1, 2]])
    """
    parse_device("tril_indices", device)
    return _triangle_indices("tril_indices", row, col, offset, dtype, False)


def triu_indices(
    row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None
) -> Tensor:
    """The ``(2, N)`` row and column indices of the upper triangle (on and above diagonal
    ``offset``) of a ``row x col`` matrix, in row-major order.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.triu_indices(2, 3, 1)
    tensor([[0, 0, 1],
            [1, 2, 2]])
    """
    parse_device("triu_indices", device)
    return _triangle_indices("triu_indices", row, col, offset, dtype, True)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """The Vandermonde matrix of a 1-D tensor: columns ``x**(N-1), ..., x, 1`` (reversed with
    ``increasing``); ``N`` defaults to ``len(x)``. Bool and integer tensors give int64.
    Differentiable (built by a running product, so ``x = 0`` is no special case).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.vander(npgrad.tensor([1, 2, 3]))
    tensor([[1, 1, 1],
            [4, 2, 1],
            [9, 3, 1]])
    """
    from npgrad.ops.scan import cumprod

    t = tensor_arg("vander", x)
    if t.ndim != 1:
        raise ValueError(f"vander: x must be a 1-D tensor, got shape {t.shape}")
    n = t.shape[0] if N is None else N
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"vander: N must be a non-negative integer, got {N!r}")
    if t.dtype.kind in "biu" and t.dtype != dtypes.int64:
        t = cast(t, dtypes.int64)
    ones = const(np.ones((t.shape[0], min(int(n), 1)), t.dtype))
    if n > 1:
        powers = cumprod(t.unsqueeze(1).expand(t.shape[0], int(n) - 1), 1)
        out = cat([ones, powers], 1)
    else:
        out = ones
    return out if increasing else flip(out, 1)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:  # noqa: A002
    """A square matrix with the flattened ``input`` on diagonal ``offset``, zeros elsewhere.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.diagflat(npgrad.tensor([[1, 2], [3, 4]]))
    tensor([[1, 0, 0, 0],
            [0, 2, 0, 0],
            [0, 0, 3, 0],
            [0, 0, 0, 4]])
    """
    from npgrad.ops.other import diag

    x = tensor_arg("diagflat", input)
    return diag(x.reshape(-1), offset)  # type: ignore[no-any-return]


# ---- scatters of a region: slice, select, diagonal ------------------------------------------
def _region(a: np.ndarray, kind: str, args: tuple[Any, ...]) -> np.ndarray:
    """The writable view of ``a`` that the scatter ``kind`` writes."""
    if kind == "diagonal":
        return _diagonal_view(a, *args)
    dim, where = args
    return a[(slice(None),) * dim + (where,)]  # type: ignore[no-any-return]


class RegionScatter(Function):
    """A copy of ``input`` with ``src`` written into a region (a slice, an index or a
    diagonal): the gradient of ``input`` is the gradient with the region zeroed (this op
    again), that of ``src`` the region of the gradient (the matching view)."""

    @staticmethod
    def forward(
        ctx: Any, a: np.ndarray, src: np.ndarray, kind: str, args: tuple[Any, ...]
    ) -> np.ndarray:
        ctx.kind, ctx.args, ctx.src_shape = kind, args, src.shape
        out = a.copy()
        _region(out, kind, args)[...] = src
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None, None]:
        need_a, need_s = ctx.needs_input_grad[:2]
        kind, args = ctx.kind, ctx.args
        ga = gs = None
        if need_a:
            zeros = const(np.zeros(ctx.src_shape, grad.dtype))
            ga = RegionScatter.apply(grad, zeros, kind, args)
        if need_s:
            if kind == "diagonal":
                gs = grad.diagonal(*args)
            else:
                dim, where = args
                gs = grad[(slice(None),) * dim + (where,)]
        return ga, gs, None, None


def _scatter(op: str, input: Any, src: Any, kind: str, args: tuple[Any, ...]) -> Tensor:  # noqa: A002
    x, s = tensor_arg(op, input), tensor_arg(op, src)
    want = _region(np.empty(x.shape, np.bool_), kind, args).shape
    if s.shape != want:
        raise ShapeError(
            f"{op}: expected src to have a size equal to the slice of self: src size = "
            f"{list(s.shape)}, slice size = {list(want)}"
        )
    if s.dtype != x.dtype:
        s = cast(s, x.dtype)
    return RegionScatter.apply(x, s, kind, args)  # type: ignore[no-any-return]


def slice_scatter(
    input: Tensor,  # noqa: A002
    src: Tensor,
    dim: int = 0,
    start: int | None = None,
    end: int | None = None,
    step: int = 1,
) -> Tensor:
    """A copy of ``input`` with ``src`` written into ``input[..., start:end:step, ...]``
    (along ``dim``); ``src`` must have that slice's shape. Differentiable in both.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.slice_scatter(npgrad.zeros(2, 4), npgrad.ones(2, 2), dim=1, start=1, end=4, step=2)
    tensor([[0., 1., 0., 1.],
            [0., 1., 0., 1.]])
    """
    x = tensor_arg("slice_scatter", input)
    d = _check_dim("slice_scatter", dim, x.ndim)
    if step is None or step <= 0:
        raise ValueError(f"slice_scatter: slice step must be positive, got {step}")
    return _scatter("slice_scatter", x, src, "slice", (d, slice(start, end, step)))


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:  # noqa: A002
    """A copy of ``input`` with ``src`` written into ``input.select(dim, index)``; ``src``
    has ``input``'s shape without ``dim``. Differentiable in both.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.select_scatter(npgrad.zeros(2, 3), npgrad.tensor([1.0, 2.0]), 1, -1)
    tensor([[0., 0., 1.],
            [0., 0., 2.]])
    """
    x = tensor_arg("select_scatter", input)
    d = _check_dim("select_scatter", dim, x.ndim)
    size = x.shape[d] if x.ndim else 1
    if not -size <= index < size:
        raise IndexError(
            f"select_scatter: index {index} out of range for tensor of size {list(x.shape)} at "
            f"dimension {d}"
        )
    return _scatter("select_scatter", x, src, "select", (d, int(index) % size))


def diagonal_scatter(
    input: Tensor,  # noqa: A002
    src: Tensor,
    offset: int = 0,
    dim1: int = 0,
    dim2: int = 1,
) -> Tensor:
    """A copy of ``input`` with ``src`` written on its diagonal (as
    ``input.diagonal(offset, dim1, dim2)`` reads it). Differentiable in both.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.diagonal_scatter(npgrad.zeros(2, 3), npgrad.tensor([1.0, 2.0]), 1)
    tensor([[0., 1., 0.],
            [0., 0., 2.]])
    """
    x = tensor_arg("diagonal_scatter", input)
    if x.ndim < 2:
        raise ValueError(f"diagonal_scatter: input must have at least 2 dimensions, got {x.ndim}")
    d1 = _check_dim("diagonal_scatter", dim1, x.ndim)
    d2 = _check_dim("diagonal_scatter", dim2, x.ndim)
    if d1 == d2:
        raise ValueError(f"diagonal_scatter: dim1 and dim2 cannot be equal, got {dim1} and {dim2}")
    return _scatter("diagonal_scatter", x, src, "diagonal", (int(offset), d1, d2))


# ---- splits and flips -----------------------------------------------------------------------
def split_with_sizes(input: Tensor, split_sizes: Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """``input`` split along ``dim`` into views of the given sizes, which must add up to the
    dimension's size.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.split_with_sizes(npgrad.arange(5), [2, 3])
    (tensor([0, 1]), tensor([2, 3, 4]))
    """
    x = tensor_arg("split_with_sizes", input)
    d = _check_dim("split_with_sizes", dim, x.ndim)
    sizes = [int(s) for s in split_sizes]
    if any(s < 0 for s in sizes) or sum(sizes) != x.shape[d]:
        raise ShapeError(
            f"split_with_sizes: expects split_sizes to sum exactly to {x.shape[d]} (input "
            f"tensor's size at dimension {d}), but got split_sizes={sizes}"
        )
    return split(x, sizes, d)


def _named_split(op: str, x: Any, sections: Any, dim: int, min_ndim: int) -> tuple[Tensor, ...]:
    from npgrad.ops.other import tensor_split

    t = tensor_arg(op, x)
    if t.ndim < min_ndim:
        raise ValueError(
            f"{op}: requires a tensor with at least {min_ndim} dimension(s), but got a tensor "
            f"with {t.ndim} dimension(s)"
        )
    is_count = isinstance(sections, (int, np.integer)) and not isinstance(sections, bool)
    if is_count and (sections <= 0 or t.shape[dim] % sections):
        raise ShapeError(
            f"{op}: attempted to split along dimension {dim}, but the size of the dimension "
            f"{t.shape[dim]} is not divisible by the split_size {sections}"
        )
    return tensor_split(t, sections, dim)  # type: ignore[no-any-return]


def hsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:  # noqa: A002
    """Split horizontally: along dim 1 (dim 0 for a 1-D tensor), into equal sections or at
    the given indices (see ``tensor_split``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.hsplit(npgrad.arange(6).reshape(2, 3), [1])
    (tensor([[0],
            [3]]), tensor([[1, 2],
            [4, 5]]))
    """
    t = tensor_arg("hsplit", input)
    return _named_split("hsplit", t, indices_or_sections, 1 if t.ndim > 1 else 0, 1)


def vsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:  # noqa: A002
    """Split vertically: along dim 0 of a tensor of 2 or more dimensions.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.vsplit(npgrad.arange(4).reshape(2, 2), 2)
    (tensor([[0, 1]]), tensor([[2, 3]]))
    """
    return _named_split("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:  # noqa: A002
    """Split depth-wise: along dim 2 of a tensor of 3 or more dimensions.

    Examples
    --------
    >>> import npgrad
    >>> [t.shape for t in npgrad.dsplit(npgrad.zeros(1, 2, 4), 2)]
    [npgrad.Size([1, 2, 2]), npgrad.Size([1, 2, 2])]
    """
    return _named_split("dsplit", input, indices_or_sections, 2, 3)


def fliplr(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` with its columns (dim 1) in reverse order; at least 2-D.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.fliplr(npgrad.tensor([[1, 2], [3, 4]]))
    tensor([[2, 1],
            [4, 3]])
    """
    x = tensor_arg("fliplr", input)
    if x.ndim < 2:
        raise ValueError(f"fliplr: input must be at least 2-D, got {x.ndim}-D")
    return flip(x, 1)


def flipud(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` with its rows (dim 0) in reverse order; at least 1-D.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.flipud(npgrad.tensor([[1, 2], [3, 4]]))
    tensor([[3, 4],
            [1, 2]])
    """
    x = tensor_arg("flipud", input)
    if x.ndim < 1:
        raise ValueError("flipud: input must be at least 1-D, got a 0-d tensor")
    return flip(x, 0)


def unravel_index(indices: Any, shape: Any) -> tuple[Tensor, ...]:
    """The coordinates in a tensor of ``shape`` of flat (row-major) ``indices``: one int64
    tensor per dimension, each of ``indices``' shape. Negative indices count from the end.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.unravel_index(npgrad.tensor([4, 11]), (3, 4))
    (tensor([1, 2]), tensor([0, 3]))
    """
    if isinstance(indices, Tensor):
        idx = indices._data
    elif isinstance(indices, (int, np.integer)) and not isinstance(indices, bool):
        idx = np.asarray(indices)
    else:
        raise TypeError(
            f"unravel_index: expected indices to be a Tensor, got {type(indices).__name__}"
        )
    if idx.dtype.kind not in "iu":
        raise TypeError(f"unravel_index: expected indices to be an integer tensor, got {idx.dtype}")
    dims = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0 for s in dims):
        raise ValueError(f"unravel_index: shape must be non-negative integers, got {shape}")
    n = math.prod(dims)
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise ValueError(
            f"unravel_index: an index is out of range for a tensor of shape {dims} "
            f"(got values in [{idx.min()}, {idx.max()}])"
        )
    flat = np.where(idx < 0, idx + n, idx).astype(np.int64)
    coords = np.unravel_index(flat, dims) if dims else ()
    return tuple(const(np.asarray(c, dtype=np.int64)) for c in coords)


# ---- sliding windows: Tensor.unfold ---------------------------------------------------------
class Unfold(ViewFunction):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, dimension: int, size: int, step: int) -> np.ndarray:
        ctx.in_shape, ctx.args = a.shape, (dimension, size, step)
        if a.ndim == 0:  # the one element is a window of size 1 (or nothing, for size 0)
            return a.reshape(1)[:size]
        n = (a.shape[dimension] - size) // step + 1
        shape = a.shape[:dimension] + (n,) + a.shape[dimension + 1 :] + (size,)
        st = a.strides
        strides = st[:dimension] + (st[dimension] * step,) + st[dimension + 1 :] + (st[dimension],)
        return _np_as_strided(a, shape, strides, writeable=a.flags.writeable)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return FoldWindows.apply(grad, ctx.in_shape, ctx.args)  # type: ignore[no-any-return]


class FoldWindows(Function):
    """The gradient of ``unfold``: each window's gradient added back where it came from
    (overlapping windows add up); its own backward is ``unfold`` again."""

    @staticmethod
    def forward(
        ctx: Any, g: np.ndarray, in_shape: tuple[int, ...], args: tuple[int, int, int]
    ) -> np.ndarray:
        ctx.args = args
        out = np.zeros(in_shape, g.dtype)
        if not in_shape:
            out[...] = g.sum()
            return out
        dim, size, step = args
        n = g.shape[dim]
        lead = (slice(None),) * dim
        for k in range(size):  # the k-th element of every window at once
            out[lead + (slice(k, k + step * (n - 1) + 1, step),)] += g[..., k]
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return Unfold.apply(grad, *ctx.args)  # type: ignore[no-any-return]


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:  # noqa: A002
    """A view of every window of ``size`` elements along ``dimension``, ``step`` apart: that
    dimension becomes the window count and a last dimension of ``size`` is added
    (``Tensor.unfold``). Differentiable; overlapping windows add their gradients.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.arange(5.0).unfold(0, 2, 2)
    tensor([[0., 1.],
            [2., 3.]])
    """
    x = tensor_arg("unfold", input)
    d = _check_dim("unfold", dimension, x.ndim)
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step <= 0:
        raise ShapeError(f"unfold: step is {step} but must be > 0")
    length = x.shape[d] if x.ndim else 1
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
        raise ShapeError(f"unfold: size is {size} but must be >= 0")
    if size > length:
        raise ShapeError(
            f"unfold: maximum size for tensor at dimension {d} is {length} but size is {size}"
        )
    return Unfold.apply(x, d, int(size), int(step))  # type: ignore[no-any-return]
