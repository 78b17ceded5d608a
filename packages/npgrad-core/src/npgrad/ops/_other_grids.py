"""The grid and matrix helpers among PyTorch's "other operations": ``meshgrid``, ``diag``,
``diag_embed``, ``cross``, ``kron`` and ``rot90``. Compositions of existing ops (views,
``cat``, ``index_select``, arithmetic...), so their gradients (to any order) come for free.
Re-exported by :mod:`npgrad.ops.other`.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from npgrad.ops._joining import DiagonalScatter, diagonal, flip
from npgrad.ops._promote import check_broadcast, const, tensor_arg
from npgrad.ops._shape_util import ShapeError, _ints
from npgrad.ops.arithmetic import mul, sub
from npgrad.ops.selection import index_select
from npgrad.ops.shape import clone, expand, transpose
from npgrad.tensor import Tensor, _check_dim


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
