"""Joining, splitting, reordering and triangles: cat, stack, split, chunk, unbind, flip,
roll, diagonal, trace, tril, triu. Re-exported by :mod:`npgrad.ops.shape`.

Each backward is the op's mirror image from this module (``cat`` <-> ``split``, ``stack`` <->
``unbind``, ``diagonal`` <-> a diagonal scatter), so gradients are differentiable again.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from npgrad import dtypes
from npgrad.autograd._views import ViewFunction
from npgrad.autograd.function import Function
from npgrad.ops._broadcast import Expand
from npgrad.ops._shape_util import ShapeError, _dims, _ints, _need_dims, _varargs
from npgrad.tensor import Tensor, _check_dim

__all__ = [
    "cat",
    "chunk",
    "concat",
    "concatenate",
    "diagonal",
    "flip",
    "roll",
    "split",
    "stack",
    "trace",
    "tril",
    "triu",
    "unbind",
]


# ---- joining and splitting: cat, stack, split, chunk, unbind ---------------------------------
class Cat(Function):
    @staticmethod
    def forward(ctx: Any, *arrays: np.ndarray, dim: int) -> np.ndarray:
        ctx.dim, ctx.sizes = dim, tuple(a.shape[dim] for a in arrays)
        return np.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, ...]:
        return Split.apply(grad, sizes=ctx.sizes, dim=ctx.dim)  # type: ignore[no-any-return]


class Stack(Function):
    @staticmethod
    def forward(ctx: Any, *arrays: np.ndarray, dim: int) -> np.ndarray:
        ctx.dim = dim
        return np.stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, ...]:
        return Unbind.apply(grad, dim=ctx.dim)  # type: ignore[no-any-return]


class Split(ViewFunction):
    @staticmethod
    def forward(
        ctx: Any, a: np.ndarray, sizes: tuple[int, ...], dim: int
    ) -> tuple[np.ndarray, ...]:
        ctx.dim = dim
        lead = (slice(None),) * dim
        ends = np.cumsum(sizes).tolist()
        return tuple(a[lead + (slice(e - s, e),)] for s, e in zip(sizes, ends))

    @staticmethod
    def backward(ctx: Any, *grads: Tensor) -> Tensor:
        return Cat.apply(*grads, dim=ctx.dim)  # type: ignore[no-any-return]


class Unbind(ViewFunction):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
        ctx.dim = dim
        lead = (slice(None),) * dim
        return tuple(a[lead + (i, ...)] for i in range(a.shape[dim]))  # `...`: 0-d views

    @staticmethod
    def backward(ctx: Any, *grads: Tensor) -> Tensor:
        return Stack.apply(*grads, dim=ctx.dim)  # type: ignore[no-any-return]


def _join_inputs(op: str, tensors: Any) -> list[Tensor]:
    """Check the tensors to join and cast them to their common dtype (PyTorch's promotion)."""
    if isinstance(tensors, Tensor) or not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{op}: expected a tuple or list of Tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}: expected a Tensor as element {i}, got {type(x).__name__}")
    dtype = functools.reduce(dtypes.promote_types, (x.dtype for x in tensors))
    return [x if x.dtype == dtype else x.to(dtype) for x in tensors]


def cat(tensors: Sequence[Tensor], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join ``tensors`` along the existing dimension ``dim``; dtypes are promoted as in
    PyTorch, and sizes must match except along ``dim``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.cat([npgrad.tensor([[1, 2]]), npgrad.tensor([[3, 4]])], dim=1)
    tensor([[1, 2, 3, 4]])
    """
    dim = axis if axis is not None else dim
    xs = _join_inputs("cat", tensors)
    for i, x in enumerate(xs):
        if x.ndim == 0:
            raise ShapeError(
                f"cat: a zero-dimensional tensor (position {i}) cannot be concatenated"
            )
    # PyTorch's legacy rule: 1-d empty tensors are skipped whatever the other shapes
    kept = [(i, x) for i, x in enumerate(xs) if x.shape != (0,)] or [(0, xs[0])]
    first = kept[0][1].shape
    d = _check_dim("cat", dim, len(first))
    for i, x in kept:
        if x.ndim != len(first):
            raise ShapeError(
                f"cat: tensors must have the same number of dimensions: got shapes {first} and "
                f"{x.shape} (tensor {i})"
            )
        if x.shape[:d] + x.shape[d + 1 :] != first[:d] + first[d + 1 :]:
            raise ShapeError(
                f"cat: sizes of tensors must match except in dimension {d}: got shapes {first} "
                f"and {x.shape} (tensor {i})"
            )
    return Cat.apply(*(x for _, x in kept), dim=d)  # type: ignore[no-any-return]


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join equally shaped ``tensors`` along a new dimension ``dim``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.stack([npgrad.tensor([1, 2]), npgrad.tensor([3, 4])], dim=1)
    tensor([[1, 3],
            [2, 4]])
    """
    dim = axis if axis is not None else dim
    xs = _join_inputs("stack", tensors)
    for i, x in enumerate(xs):
        if x.shape != xs[0].shape:
            raise ShapeError(
                f"stack: expects each tensor to be equal size, but got {xs[0].shape} at entry 0 "
                f"and {x.shape} at entry {i}"
            )
    d = _check_dim("stack", dim, xs[0].ndim + 1)
    return Stack.apply(*xs, dim=d)  # type: ignore[no-any-return]


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of ``tensor`` cut along ``dim`` into pieces of ``split_size`` (the last may be
    smaller) or of the given list of sizes.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.arange(5).split(2)
    (tensor([0, 1]), tensor([2, 3]), tensor([4]))
    >>> [p.shape for p in npgrad.zeros(2, 5).split([1, 4], dim=1)]
    [npgrad.Size([2, 1]), npgrad.Size([2, 4])]
    """
    _need_dims("split", tensor)
    d = _check_dim("split", dim, tensor.ndim)
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, (tuple, list)):
        sizes = _ints("split", (split_size_or_sections,), "split sizes")
        if any(s < 0 for s in sizes) or sum(sizes) != n:
            raise ShapeError(
                f"split: split sizes {sizes} must be non-negative and sum exactly to {n}, the "
                f"size of dimension {d} of the input (shape {tensor.shape})"
            )
    else:
        s = operator.index(split_size_or_sections)
        if s < 0 or (s == 0 and n):
            raise ShapeError(
                f"split: split_size must be positive (0 only for an empty dimension), got {s} "
                f"for dimension {d} of size {n}"
            )
        sizes = (n,) if n == 0 else (s,) * (n // s) + ((n % s,) if n % s else ())
    return Split.apply(tensor, sizes=sizes, dim=d)  # type: ignore[no-any-return]


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """Split into ``chunks`` pieces of ``ceil(size / chunks)`` (as PyTorch, possibly fewer).

    Examples
    --------
    >>> import npgrad
    >>> [len(c) for c in npgrad.arange(6).chunk(4)]
    [2, 2, 2]
    """
    chunks = operator.index(chunks)
    if chunks <= 0:
        raise ShapeError(f"chunk: expects chunks to be greater than 0, got {chunks}")
    _need_dims("chunk", input)
    d = _check_dim("chunk", dim, input.ndim)
    n = input.shape[d]
    if n == 0:  # PyTorch gives `chunks` empty pieces here
        return split(input, [0] * chunks, d)
    return split(input, -(-n // chunks), d)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """The slices of ``input`` along ``dim``, each without that dimension (views).

    ``for row in x`` iterates over ``unbind(x, 0)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tensor([[1, 2], [3, 4]]).unbind(1)
    (tensor([1, 3]), tensor([2, 4]))
    """
    _need_dims("unbind", input)
    return Unbind.apply(input, dim=_check_dim("unbind", dim, input.ndim))  # type: ignore[no-any-return]


# ---- reordering: flip, roll --------------------------------------------------------------------
class Flip(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        ctx.dims = dims
        if a.ndim == 0:  # dims is (0,) at most: nothing to reverse
            return a.copy()
        return np.flip(a, dims).copy()  # PyTorch's flip copies: no aliasing surprise

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return Flip.apply(grad, dims=ctx.dims)  # type: ignore[no-any-return]


class Roll(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, shifts: Any, dims: Any) -> np.ndarray:
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(a, shifts, dims)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        back = -ctx.shifts if ctx.dims is None else tuple(-s for s in ctx.shifts)
        return Roll.apply(grad, shifts=back, dims=ctx.dims)  # type: ignore[no-any-return]


def flip(input: Tensor, *args: Any, dims: Any = None) -> Tensor:  # noqa: A002
    """Reverse the order of elements along ``dims`` (a tuple or several ints); a copy.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tensor([[1, 2], [3, 4]]).flip(1)
    tensor([[2, 1],
            [4, 3]])
    """
    if dims is not None:
        args = _varargs("flip", args, dims, "dims")
    return Flip.apply(input, dims=_dims("flip", args, input.ndim))  # type: ignore[no-any-return]


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:  # noqa: A002
    """Shift elements circularly by ``shifts`` along ``dims`` (over the flattened tensor,
    shape restored, when ``dims`` is None).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tensor([1, 2, 3, 4]).roll(1)
    tensor([4, 1, 2, 3])
    """
    sh = _ints("roll", (shifts,), "shifts")
    if dims is None:
        if len(sh) != 1:
            raise ShapeError(f"roll: shifts {sh} need dims of the same length, got dims=None")
        return Roll.apply(input, shifts=sh[0], dims=None)  # type: ignore[no-any-return]
    ds = tuple(_check_dim("roll", d, input.ndim) for d in _ints("roll", (dims,), "dims"))
    if len(sh) != len(ds):
        raise ShapeError(f"roll: shifts and dims must align, got shifts {sh} and dims {ds}")
    return Roll.apply(input, shifts=sh, dims=ds)  # type: ignore[no-any-return]


# ---- diagonals and triangles: diagonal, trace, tril, triu ------------------------------------
def _diagonal_view(a: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
    # np.diagonal's view is read-only; PyTorch's is writable, so build it from the strides
    m = np.moveaxis(a, (dim1, dim2), (-2, -1))[..., max(-offset, 0) :, max(offset, 0) :]
    n = min(m.shape[-2], m.shape[-1])
    return as_strided(m, m.shape[:-2] + (n,), m.strides[:-2] + (m.strides[-2] + m.strides[-1],))


class Diagonal(ViewFunction):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
        ctx.in_shape, ctx.args = a.shape, (offset, dim1, dim2)
        return _diagonal_view(a, offset, dim1, dim2)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return DiagonalScatter.apply(grad, shape=ctx.in_shape, args=ctx.args)  # type: ignore[no-any-return]


class DiagonalScatter(Function):
    """Zeros of ``shape`` with ``grad`` written on a diagonal: the backward of ``diagonal``."""

    @staticmethod
    def forward(
        ctx: Any, g: np.ndarray, shape: tuple[int, ...], args: tuple[int, int, int]
    ) -> np.ndarray:
        ctx.args = args
        out = np.zeros(shape, g.dtype)
        _diagonal_view(out, *args)[...] = g
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        offset, d1, d2 = ctx.args
        return Diagonal.apply(grad, offset=offset, dim1=d1, dim2=d2)  # type: ignore[no-any-return]


class Trace(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        ctx.in_shape = a.shape
        # integer traces accumulate in int64, as PyTorch's (and sum's) do
        return np.asarray(np.trace(a, dtype=np.int64 if a.dtype.kind in "biu" else a.dtype))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        ones = Expand.apply(grad, (min(ctx.in_shape),))
        return DiagonalScatter.apply(ones, shape=ctx.in_shape, args=(0, 0, 1))  # type: ignore[no-any-return]


class Tril(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, k: int, upper: bool) -> np.ndarray:
        ctx.k, ctx.upper = k, upper
        return np.triu(a, k) if upper else np.tril(a, k)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return (Triu if ctx.upper else Tril).apply(grad, k=ctx.k, upper=ctx.upper)  # type: ignore[no-any-return]


class Triu(Tril):
    pass


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """The diagonal of the matrices spanned by ``dim1`` and ``dim2`` (a writable view), as a
    last dimension; ``offset > 0`` is above the main diagonal, ``< 0`` below.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tensor([[1, 2], [3, 4]]).diagonal()
    tensor([1, 4])
    """
    nd = input.ndim
    if nd < 2:
        raise ShapeError(f"diagonal: needs at least 2 dimensions, got shape {input.shape}")
    d1, d2 = _check_dim("diagonal", dim1, nd), _check_dim("diagonal", dim2, nd)
    if d1 == d2:
        raise ShapeError(f"diagonal: dimensions cannot be identical, got dim1={dim1}, dim2={dim2}")
    return Diagonal.apply(input, offset=operator.index(offset), dim1=d1, dim2=d2)  # type: ignore[no-any-return]


def trace(input: Tensor) -> Tensor:  # noqa: A002
    """The sum of a matrix's main diagonal (int64 for integer and bool matrices).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tensor([[1.0, 2.0], [3.0, 4.0]]).trace()
    tensor(5.)
    """
    if input.ndim != 2:
        raise ShapeError(f"trace: expected a matrix, got a tensor of shape {input.shape}")
    return Trace.apply(input)  # type: ignore[no-any-return]


def _triangle(op: str, input: Tensor, diagonal: int, upper: bool) -> Tensor:  # noqa: A002
    if input.ndim < 2:
        raise ShapeError(f"{op}: input tensor must have at least 2 dimensions, got {input.shape}")
    fn = Triu if upper else Tril
    return fn.apply(input, k=operator.index(diagonal), upper=upper)  # type: ignore[no-any-return]


def tril(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The lower triangle of the last two dimensions (on and below diagonal ``diagonal``);
    other elements are zero.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.ones(2, 2).tril()
    tensor([[1., 0.],
            [1., 1.]])
    """
    return _triangle("tril", input, diagonal, False)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The upper triangle of the last two dimensions (on and above diagonal ``diagonal``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.ones(2, 2).triu(1)
    tensor([[0., 1.],
            [0., 0.]])
    """
    return _triangle("triu", input, diagonal, True)
