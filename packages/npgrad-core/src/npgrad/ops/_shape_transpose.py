"""Transposition ops: ``transpose`` (``swapaxes``, ``swapdims``), ``t``, ``permute`` and
``movedim`` (``moveaxis``), all views; each backward is the inverse transposition, itself
differentiable. Re-exported by :mod:`npgrad.ops.shape`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad.autograd._views import ViewFunction
from npgrad.ops._shape_util import ShapeError, _dims, _ints, _varargs
from npgrad.tensor import Tensor, _check_dim


# ---- transposition: transpose, t, permute, movedim -------------------------------------------
class Transpose(ViewFunction):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, dim0: int, dim1: int) -> np.ndarray:
        ctx.dims = (dim0, dim1)
        return a.swapaxes(dim0, dim1) if a.ndim else a.view()

    _array_backward = True  # backward: .swapaxes, the same on Tensors and NumPy arrays

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        d0, d1 = ctx.dims
        return grad if grad.ndim == 0 else grad.swapaxes(d0, d1)


class Permute(ViewFunction):
    _array_backward = True  # backward: the inverse permutation, recorded or on arrays

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        ctx.dims = dims
        return a.transpose(dims)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        inverse = tuple(int(i) for i in np.argsort(ctx.dims))
        if isinstance(grad, (np.ndarray, np.generic)):  # the engine's first-order array mode
            return grad.transpose(inverse)
        return Permute.apply(grad, dims=inverse)  # type: ignore[no-any-return]


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    """Swap dimensions ``dim0`` and ``dim1`` (a view).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tensor([[1, 2, 3]]).transpose(0, 1)
    tensor([[1],
            [2],
            [3]])
    """
    nd = input.ndim
    d0, d1 = _check_dim("transpose", dim0, nd), _check_dim("transpose", dim1, nd)
    return Transpose.apply(input, dim0=d0, dim1=d1)  # type: ignore[no-any-return]


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:  # noqa: A002
    """Alias of :func:`transpose` (NumPy's name).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.swapaxes(npgrad.zeros(2, 3, 4), 0, 2).shape
    npgrad.Size([4, 3, 2])
    """
    return transpose(input, axis0, axis1)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    """Alias of :func:`transpose`.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.swapdims(npgrad.zeros(2, 3), 0, 1).shape
    npgrad.Size([3, 2])
    """
    return transpose(input, dim0, dim1)


def t(input: Tensor) -> Tensor:  # noqa: A002
    """Transpose a matrix; 0-d and 1-d tensors are returned as they are (as views).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.zeros(2, 3).t().shape
    npgrad.Size([3, 2])
    """
    if input.ndim > 2:
        raise ShapeError(
            f"t: expects a tensor with <= 2 dimensions, got shape {input.shape}; "
            "use transpose(dim0, dim1) or mT"
        )
    return Transpose.apply(input, dim0=0, dim1=input.ndim - 1 if input.ndim else 0)  # type: ignore[no-any-return]


def permute(input: Tensor, *args: Any, dims: Any = None) -> Tensor:  # noqa: A002
    """Reorder the dimensions: output dimension ``i`` is input dimension ``dims[i]`` (a view).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.zeros(2, 3, 4).permute(2, 0, 1).shape
    npgrad.Size([4, 2, 3])
    """
    nd = input.ndim
    if dims is not None:
        args = _varargs("permute", args, dims, "dims")
    given = _ints("permute", args, "dims")
    if len(given) != nd:
        raise ShapeError(
            f"permute: the number of dims ({len(given)}) must equal the number of dimensions "
            f"of the input ({nd}): got dims {given} for shape {input.shape}"
        )
    return Permute.apply(input, dims=_dims("permute", given, nd))  # type: ignore[no-any-return]


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:  # noqa: A002
    """Move dimension(s) ``source`` to position(s) ``destination``, keeping the others' order.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.movedim(npgrad.zeros(2, 3, 4), 0, -1).shape
    npgrad.Size([3, 4, 2])
    """
    nd = input.ndim
    # a 0-d tensor has one dimension to name, 0 (or -1), as in PyTorch
    src = _dims("movedim", (source,), max(nd, 1))
    dst = _dims("movedim", (destination,), max(nd, 1))
    if nd == 0:
        return Permute.apply(input, dims=())  # type: ignore[no-any-return]
    if len(src) != len(dst):
        raise ShapeError(
            f"movedim: source {source} and destination {destination} must have the same length"
        )
    order = [d for d in range(nd) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return Permute.apply(input, dims=tuple(order))  # type: ignore[no-any-return]


moveaxis = movedim
