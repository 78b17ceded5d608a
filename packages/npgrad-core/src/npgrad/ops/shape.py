"""Shape ops: reshape, transpose, broadcast, join, split, flip, pad, diagonals and ``x[key]``.

This module holds the reshaping, broadcasting and copying ops and re-exports the rest of the
family from its helpers (:mod:`npgrad.ops._shape_transpose`: transpose/t/permute/movedim;
:mod:`npgrad.ops._joining`: cat/stack/split/flip/roll/diagonal/tril...; :mod:`npgrad.ops.indexing`:
indexing, index_put, narrow, pad), so ``npgrad.ops.shape`` is the one place Tensor's methods call.

Outputs are NumPy views sharing memory with the input wherever PyTorch's are views
(``reshape`` when it can, ``view``, ``squeeze``, ``transpose``, ``permute``, ``expand``,
``split``, ``unbind``, ``diagonal``, basic indexing); where PyTorch copies (``flip``,
``roll``, ``repeat``, ``cat``, ``stack``, ``pad``, ``tril``, ``clone``, advanced indexing)
npgrad copies too, so writing into a result never reaches memory PyTorch would not share.

Every backward is built from ops of this family (a reshape undoes a reshape, ``cat``'s
gradient is split again, indexing scatters into zeros and that scatter's own backward is
indexing), so gradients are differentiable to any order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from npgrad import _memory_format
from npgrad.autograd._views import ViewFunction
from npgrad.autograd.function import Function
from npgrad.ops._broadcast import Expand, sum_to
from npgrad.ops._joining import (
    cat,
    chunk,
    concat,
    concatenate,
    diagonal,
    flip,
    roll,
    split,
    stack,
    trace,
    tril,
    triu,
    unbind,
)
from npgrad.ops._promote import tensor_arg
from npgrad.ops._shape_transpose import moveaxis, movedim, permute, swapaxes, swapdims, t, transpose
from npgrad.ops._shape_util import ShapeError, _infer_shape, _ints, _need_dims, _varargs
from npgrad.ops.gather_scatter import gather, scatter, scatter_add, scatter_reduce, take_along_dim
from npgrad.ops.indexing import getitem, index_put, narrow, pad
from npgrad.ops.selection import (
    argwhere,
    index_add,
    index_copy,
    index_fill,
    index_select,
    masked_fill,
    masked_scatter,
    masked_select,
    nonzero,
    nonzero_static,
    take,
)
from npgrad.tensor import Tensor, _check_dim

__all__ = [
    "argwhere",
    "broadcast_shapes",
    "broadcast_tensors",
    "broadcast_to",
    "cat",
    "chunk",
    "clone",
    "concat",
    "concatenate",
    "contiguous",
    "diagonal",
    "expand",
    "flatten",
    "flip",
    "gather",
    "getitem",
    "index_add",
    "index_copy",
    "index_fill",
    "index_select",
    "moveaxis",
    "movedim",
    "index_put",
    "masked_fill",
    "masked_scatter",
    "masked_select",
    "narrow",
    "nonzero",
    "nonzero_static",
    "pad",
    "permute",
    "repeat",
    "reshape",
    "roll",
    "scatter",
    "scatter_add",
    "scatter_reduce",
    "split",
    "squeeze",
    "stack",
    "swapaxes",
    "swapdims",
    "t",
    "take",
    "take_along_dim",
    "tile",
    "trace",
    "transpose",
    "tril",
    "triu",
    "unbind",
    "unflatten",
    "unsqueeze",
    "view",
]


# ---- reshaping: reshape, view, flatten, unflatten, squeeze, unsqueeze ------------------------
class Reshape(ViewFunction):
    _array_backward = True  # backward: .reshape, the same on Tensors and NumPy arrays

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.in_shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return grad.reshape(ctx.in_shape)


class View(Reshape):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.in_shape = a.shape
        out = a.reshape(shape)
        # NumPy's reshape copies exactly when strides make a view impossible; PyTorch's
        # view refuses then, instead of silently breaking memory sharing
        if a.size and not a.flags.c_contiguous and not np.may_share_memory(out, a):
            strides = tuple(s // a.itemsize for s in a.strides)
            raise ShapeError(
                f"view: shape {shape} is not compatible with the input's shape {a.shape} and "
                f"strides {strides} (a dimension spans two non-contiguous subspaces); use "
                ".reshape(...) or .contiguous().view(...) instead"
            )
        return out


class Squeeze(Reshape):
    pass


class Unsqueeze(Reshape):
    pass


def reshape(input: Tensor, *sizes: Any, shape: Any = None) -> Tensor:  # noqa: A002
    """``input`` with a new shape of the same number of elements; one size may be -1.

    A view when the strides allow it, else a copy (as PyTorch).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.arange(6).reshape(2, -1)
    tensor([[0, 1, 2],
            [3, 4, 5]])
    """
    if shape is not None:
        sizes = _varargs("reshape", sizes, shape, "shape")
    new = _ints("reshape", sizes)
    n = input.numel()
    new = _infer_shape("reshape", new, n, f"an input of size {n} (shape {input.shape})")
    return Reshape.apply(input, shape=new)  # type: ignore[no-any-return]


def view(input: Tensor, *shape: Any, size: Any = None) -> Tensor:  # noqa: A002
    """Like :func:`reshape` but always a view: raises when the strides make it impossible.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.arange(4.0).view(2, 2)
    tensor([[0., 1.],
            [2., 3.]])
    """
    if len(shape) == 1 and isinstance(shape[0], (np.dtype, type, str)):
        raise TypeError("view(dtype) (reinterpreting bytes) is not supported; use .to(dtype)")
    if size is not None:
        shape = _varargs("view", shape, size, "size")
    new = _ints("view", shape)
    n = input.numel()
    new = _infer_shape("view", new, n, f"an input of size {n} (shape {input.shape})")
    return View.apply(input, shape=new)  # type: ignore[no-any-return]


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: A002
    """Merge dimensions ``start_dim`` to ``end_dim`` (inclusive) into one; 0-d gives 1-d.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.zeros(2, 3, 4).flatten(1).shape
    npgrad.Size([2, 12])
    """
    nd = input.ndim
    s, e = _check_dim("flatten", start_dim, nd), _check_dim("flatten", end_dim, nd)
    if nd == 0:
        return Reshape.apply(input, shape=(1,))  # type: ignore[no-any-return]
    if s > e:
        raise ShapeError(
            f"flatten: start_dim ({start_dim}) cannot come after end_dim ({end_dim}) "
            f"for a tensor of shape {input.shape}"
        )
    if s == e:
        return input  # PyTorch returns the input itself too
    shape = input.shape
    new = shape[:s] + (math.prod(shape[s : e + 1]),) + shape[e + 1 :]
    return Reshape.apply(input, shape=new)  # type: ignore[no-any-return]


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:  # noqa: A002
    """Split dimension ``dim`` into ``sizes`` (one of which may be -1).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.zeros(2, 12).unflatten(1, (3, -1)).shape
    npgrad.Size([2, 3, 4])
    """
    _need_dims("unflatten", input)
    d = _check_dim("unflatten", dim, input.ndim)
    sizes = _ints("unflatten", (sizes,), "sizes")
    if not sizes:
        raise ShapeError("unflatten: sizes must be non-empty")
    shape = input.shape
    what = f"dimension {d} of size {shape[d]} (input shape {shape})"
    new = shape[:d] + _infer_shape("unflatten", sizes, shape[d], what) + shape[d + 1 :]
    return Reshape.apply(input, shape=new)  # type: ignore[no-any-return]


def squeeze(input: Tensor, dim: Any = None, *, axis: Any = None) -> Tensor:  # noqa: A002
    """Remove dimensions of size 1: all of them, or those in ``dim`` (an int or a tuple).

    Naming a dimension whose size is not 1 is a no-op for it, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.zeros(2, 1, 3, 1).squeeze().shape
    npgrad.Size([2, 3])
    >>> npgrad.zeros(2, 1, 3, 1).squeeze((0, 1)).shape
    npgrad.Size([2, 3, 1])
    """
    dim = axis if axis is not None else dim
    shape = input.shape
    if dim is None:
        drop = {i for i, s in enumerate(shape) if s == 1}
    else:
        dims = _ints("squeeze", (dim,) if not isinstance(dim, (tuple, list)) else dim, "dim")
        dims = tuple(_check_dim("squeeze", x, len(shape)) for x in dims)
        drop = {d for d in dims if shape[d : d + 1] == (1,)}
    new = tuple(s for i, s in enumerate(shape) if i not in drop)
    return Squeeze.apply(input, shape=new)  # type: ignore[no-any-return]


def unsqueeze(input: Tensor, dim: int, *, axis: int | None = None) -> Tensor:  # noqa: A002
    """Insert a dimension of size 1 at ``dim`` (``-1`` appends one).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.zeros(2, 3).unsqueeze(1).shape
    npgrad.Size([2, 1, 3])
    """
    d = _check_dim("unsqueeze", axis if axis is not None else dim, input.ndim + 1)
    shape = input.shape
    return Unsqueeze.apply(input, shape=shape[:d] + (1,) + shape[d:])  # type: ignore[no-any-return]


# ---- broadcasting and repetition: expand, broadcast_to, repeat, tile -------------------------
def _expand_shape(op: str, shape: tuple[int, ...], sizes: tuple[int, ...]) -> tuple[int, ...]:
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise ShapeError(
            f"{op}: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
            f"number of dimensions of the tensor ({len(shape)}): sizes {sizes}, shape {shape}"
        )
    out = list(sizes)
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise ShapeError(
                    f"{op}: the expanded size ({s}) isn't allowed in a leading, non-existing "
                    f"dimension {i} (sizes {sizes}, shape {shape})"
                )
            continue
        cur = shape[i - lead]
        if s == -1:
            out[i] = cur
        elif s != cur and (cur != 1 or s < 0):
            raise ShapeError(
                f"{op}: the expanded size of the tensor ({s}) must match the existing size "
                f"({cur}) at non-singleton dimension {i}; target sizes {sizes}, tensor shape "
                f"{shape}"
            )
    return tuple(out)


def expand(input: Tensor, *sizes: Any, size: Any = None) -> Tensor:  # noqa: A002
    """A read-only view repeating size-1 dimensions (and new leading ones) to ``sizes``;
    ``-1`` keeps a dimension's size.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tensor([[1], [2]]).expand(2, 3)
    tensor([[1, 1, 1],
            [2, 2, 2]])
    """
    if size is not None:
        sizes = _varargs("expand", sizes, size, "size")
    shape = _expand_shape("expand", input.shape, _ints("expand", sizes))
    return Expand.apply(input, shape)  # type: ignore[no-any-return]


def broadcast_to(input: Tensor, size: Sequence[int]) -> Tensor:  # noqa: A002
    """``input`` broadcast to ``shape`` (see :func:`expand`).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.broadcast_to(npgrad.tensor([1, 2]), (2, 2))
    tensor([[1, 2],
            [1, 2]])
    """
    new = _expand_shape("broadcast_to", input.shape, _ints("broadcast_to", (size,)))
    return Expand.apply(input, new)  # type: ignore[no-any-return]


def broadcast_shapes(*shapes: Any) -> tuple[int, ...]:
    """The shape that tensors of ``shapes`` broadcast to (an int stands for a 1-d shape).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.broadcast_shapes((3, 1), (4,), 1)
    (3, 4)
    """
    tuples = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    try:
        return tuple(np.broadcast_shapes(*tuples))
    except ValueError:
        raise ShapeError(
            f"broadcast_shapes: shapes {', '.join(map(str, tuples))} cannot be broadcast together"
        ) from None


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Expand all ``tensors`` to their common broadcast shape.

    Examples
    --------
    >>> import npgrad
    >>> a, b = npgrad.broadcast_tensors(npgrad.zeros(3, 1), npgrad.zeros(4))
    >>> a.shape, b.shape
    (npgrad.Size([3, 4]), npgrad.Size([3, 4]))
    """
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    shape = broadcast_shapes(*(tensor_arg("broadcast_tensors", x).shape for x in tensors))
    return tuple(Expand.apply(x, shape) for x in tensors)


class Repeat(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, reps: tuple[int, ...]) -> np.ndarray:
        ctx.in_shape, ctx.reps = a.shape, reps
        return np.tile(a, reps)  # with len(reps) >= a.ndim this is exactly torch's repeat

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        # output dim i holds reps[i] blocks of the input's size s_i: view it as (reps[i], s_i)
        # and sum the blocks, with ops that are differentiable again (reshape, sum_to)
        reps = ctx.reps
        sizes = (1,) * (len(reps) - len(ctx.in_shape)) + ctx.in_shape
        split = tuple(n for r, s in zip(reps, sizes) for n in (r, s))
        target = tuple(n for s in sizes for n in (1, s))
        summed = sum_to(Reshape.apply(grad, shape=split), target)
        return Reshape.apply(summed, shape=ctx.in_shape)  # type: ignore[no-any-return]


def repeat(input: Tensor, *sizes: Any, repeats: Any = None) -> Tensor:  # noqa: A002
    """Tile ``input`` ``sizes[i]`` times along dimension ``i`` (a copy; extra leading sizes
    add dimensions). Unlike NumPy's ``repeat``, whole blocks are repeated.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tensor([1, 2]).repeat(2, 2)
    tensor([[1, 2, 1, 2],
            [1, 2, 1, 2]])
    """
    if repeats is not None:
        sizes = _varargs("repeat", sizes, repeats, "repeats")
    reps = _ints("repeat", sizes)
    if len(reps) < input.ndim:
        raise ShapeError(
            f"repeat: the number of repeat dims ({len(reps)}) can not be smaller than the "
            f"number of dimensions of the tensor ({input.ndim}, shape {input.shape})"
        )
    if any(r < 0 for r in reps):
        raise ShapeError(f"repeat: repeats must be non-negative, got {reps}")
    return Repeat.apply(input, reps=reps)  # type: ignore[no-any-return]


def tile(input: Tensor, *args: Any, dims: Any = None) -> Tensor:  # noqa: A002
    """Like :func:`repeat`, but fewer ``dims`` than dimensions are padded with leading 1s.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tensor([[1, 2]]).tile(2)
    tensor([[1, 2, 1, 2]])
    """
    if dims is not None:
        args = _varargs("tile", args, dims, "dims")
    reps = _ints("tile", args, "dims")
    return repeat(input, (1,) * (input.ndim - len(reps)) + reps)


# ---- copies: clone, contiguous -----------------------------------------------------------------
class Clone(Function):
    """A copy stored in a memory format (``npgrad._memory_format``); the gradient passes
    through unchanged."""

    _one_tensor = True  # the format is a constant

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, fmt: Any) -> np.ndarray:
        return _memory_format.copy_in(a, fmt)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return grad, None


class Contiguous(Clone):
    pass


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:  # noqa: A002
    """A copy of ``input`` that stays in the graph (the gradient passes through unchanged).

    ``memory_format`` (default ``npgrad.preserve_format``): the order of the copy's elements
    in memory. By default a copy of a dense tensor keeps its strides, as PyTorch's does
    (``x.t().clone()`` is stored like ``x.t()``); ``npgrad.contiguous_format`` gives a
    row-major copy, ``npgrad.channels_last`` an NHWC one.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> x.clone()
    tensor([1., 2.], grad_fn=<CloneBackward>)
    >>> y = npgrad.zeros(2, 3).t()
    >>> y.clone().stride(), y.clone(memory_format=npgrad.contiguous_format).stride()
    ((1, 3), (2, 1))
    """
    fmt = _memory_format.check("clone", memory_format, input.ndim)
    return Clone.apply(input, fmt)  # type: ignore[no-any-return]


def contiguous(input: Tensor, memory_format: Any = None) -> Tensor:  # noqa: A002
    """``input`` itself when its elements are stored in ``memory_format``'s order (default
    ``npgrad.contiguous_format``: row-major), else a copy in that order (in the graph).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.zeros(2, 3)
    >>> x.contiguous() is x, x.t().is_contiguous(), x.t().contiguous().is_contiguous()
    (True, False, True)
    >>> npgrad.zeros(2, 3, 4, 5).contiguous(memory_format=npgrad.channels_last).stride()
    (60, 1, 15, 3)
    """
    if memory_format is None:
        if input._data.flags.c_contiguous:
            return input
        fmt = _memory_format.contiguous_format
    else:
        fmt = _memory_format.check("contiguous", memory_format, input.ndim)
        if fmt is _memory_format.preserve_format or _memory_format.is_in(input._data, fmt):
            return input
    return Contiguous.apply(input, fmt)  # type: ignore[no-any-return]
