"""Extremes: max min amax amin argmax argmin.

Decisions at non-differentiable points follow PyTorch: ``max()``/``min()`` without ``dim``,
``amax`` and ``amin`` split the gradient evenly among tied extremes (a nan result came from
the nans); ``max(dim)``/``min(dim)`` send it to the returned index, the first extreme.
``dim``, ``keepdim`` and NumPy's ``axis``/``keepdims`` work as in the other reductions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad.autograd.function import Function
from npgrad.ops._aliases import numpy_aliases as _numpy_aliases
from npgrad.ops._promote import const, tensor_arg
from npgrad.ops._return_types import values_indices
from npgrad.ops.comparison import where
from npgrad.ops.reduction import _dim, _dims, _expand_back, _kept, _onehot
from npgrad.tensor import Tensor

__all__ = ["amax", "amin", "argmax", "argmin", "max", "min"]


class Amax(Function):
    """``amax``/``amin``/``max``/``min``; subclasses only give the node its name."""

    @staticmethod
    def forward(
        ctx: Any, a: np.ndarray, axes: Any, keepdim: bool, largest: bool, indices: bool
    ) -> Any:
        ctx.shape, ctx.axes, ctx.keepdim, ctx.indices = a.shape, axes, keepdim, indices
        if indices:  # axes is one axis here
            if a.ndim == 0:
                ctx.idx = np.zeros((), np.int64)
                return a.copy(), ctx.idx
            ctx.axes = (axes,)
            idx = (np.argmax if largest else np.argmin)(a, axis=axes, keepdims=True)
            ctx.idx = idx
            values = np.take_along_axis(a, idx, axes)
            if not keepdim:
                values, idx = values.squeeze(axes), idx.squeeze(axes)
            return values, idx.astype(np.int64, copy=False)
        out = np.asarray((np.max if largest else np.min)(a, axis=axes, keepdims=keepdim))
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor, *_: Any) -> Any:
        g = _expand_back(grad, ctx.shape, ctx.axes, ctx.keepdim)
        if ctx.indices:  # the gradient goes to the returned index
            if not ctx.shape:
                return g, None, None, None, None
            mask = _onehot(ctx.shape, ctx.axes[0], ctx.idx)
            return where(mask, g, 0.0), None, None, None, None
        x, out = ctx.saved_tensors
        xd, od = x._data, out._data.reshape(_kept(ctx.shape, ctx.axes))
        # ties share the gradient evenly, like PyTorch's amax; a nan result came from nans
        mask = (xd == od) | (np.isnan(xd) & np.isnan(od))
        count = np.sum(mask, axis=ctx.axes, keepdims=True).astype(xd.dtype)
        return where(mask, g / count, 0.0), None, None, None, None


class Amin(Amax):
    pass


class Max(Amax):
    pass


class Min(Amax):
    pass


_MaxResult = values_indices("max", __name__, "_MaxResult")
_MinResult = values_indices("min", __name__, "_MinResult")


def _check_nonempty(op: str, x: Tensor, axes: tuple[int, ...], every: bool) -> None:
    if x.numel() == 0 and every:
        raise RuntimeError(
            f"{op}: expected reduction dim to be specified for input.numel() == 0; specify "
            "the reduction dim with the 'dim' argument."
        )
    for a in axes:
        if x.shape[a] == 0:
            raise IndexError(f"{op}: expected reduction dim {a} to have non-zero size.")


def _extreme(op: str, fn: Any, result: Any, input: Any, dim: Any, keepdim: Any) -> Any:
    x = tensor_arg(op, input)
    largest = op == "max"
    if isinstance(dim, Tensor):  # max(input, other): the elementwise maximum
        from npgrad.ops import binary

        return getattr(binary, "maximum" if largest else "minimum")(x, dim)
    if dim is None:
        _check_nonempty(op, x, (), True)
        return fn.apply(x, tuple(range(x.ndim)), False, largest, False)
    axis = _dim(op, dim, x.ndim)
    if x.ndim:
        _check_nonempty(op, x, (axis,), False)
    return result(*fn.apply(x, axis if x.ndim else None, bool(keepdim), largest, True))


@_numpy_aliases
def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The largest element; with ``dim``, a named tuple ``(values, indices)``.

    Without ``dim`` the gradient is shared evenly by tied maxima (like PyTorch); with ``dim``
    it goes to the returned index (the first maximum). ``max(a, b)`` with a Tensor ``b`` is
    :func:`maximum`.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([[1.0, 5.0], [4.0, 2.0]])
    >>> npgrad.max(x)
    tensor(5.)
    >>> npgrad.max(x, dim=1)
    npgrad.return_types.max(
    values=tensor([5., 4.]),
    indices=tensor([1, 0]))
    """
    return _extreme("max", Max, _MaxResult, input, dim, keepdim)


@_numpy_aliases
def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The smallest element; with ``dim``, a named tuple ``(values, indices)`` (see :func:`max`).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.min(npgrad.tensor([[1.0, 5.0], [4.0, 2.0]]), 0).indices
    tensor([0, 1])
    """
    return _extreme("min", Min, _MinResult, input, dim, keepdim)


def _amax(op: str, fn: Any, input: Any, dim: Any, keepdim: Any) -> Tensor:
    x = tensor_arg(op, input)
    axes = _dims(op, dim, x.ndim)
    # no dim (or dim=()) on an empty tensor is a RuntimeError, an empty dim given by name an
    # IndexError, as in PyTorch
    _check_nonempty(op, x, axes, dim is None or (isinstance(dim, (tuple, list)) and not dim))
    return fn.apply(x, axes, bool(keepdim), op == "amax", False)  # type: ignore[no-any-return]


@_numpy_aliases
def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Maximum over ``dim`` (default: all dims); tied maxima share the gradient evenly.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([1.0, 3.0, 3.0], requires_grad=True)
    >>> npgrad.amax(x).backward()
    >>> x.grad
    tensor([0.0000, 0.5000, 0.5000])
    """
    return _amax("amax", Amax, input, dim, keepdim)


@_numpy_aliases
def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Minimum over ``dim`` (default: all dims); tied minima share the gradient evenly.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.amin(npgrad.tensor([[1.0, 5.0], [4.0, 2.0]]), dim=1)
    tensor([1., 2.])
    """
    return _amax("amin", Amin, input, dim, keepdim)


def _arg(op: str, input: Any, dim: Any, keepdim: Any) -> Tensor:
    a = tensor_arg(op, input)._data
    if a.dtype.kind == "b":  # as PyTorch (max/min with a dim do take bools)
        raise TypeError(f"{op}: does not support bool input; cast it with .int() first")
    fn = np.argmax if op == "argmax" else np.argmin  # the first extreme, nan counting as one
    if dim is None:  # the index into the flattened tensor
        if a.size == 0:
            raise IndexError(
                f"{op}: expected reduction dim to be specified for input.numel() == 0."
            )
        out = np.reshape(fn(a), (1,) * a.ndim if keepdim else ())
    else:
        axis = _dim(op, dim, a.ndim)
        if a.ndim == 0:
            out = np.zeros((), np.int64)
        else:
            if a.shape[axis] == 0:
                raise IndexError(f"{op}: expected reduction dim {axis} to have non-zero size.")
            out = fn(a, axis=axis, keepdims=bool(keepdim))
    return const(np.asarray(out, dtype=np.int64))


@_numpy_aliases
def argmax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Index (int64) of the first maximum along ``dim``, or into the flattened tensor.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([[1.0, 5.0], [4.0, 2.0]])
    >>> npgrad.argmax(x), npgrad.argmax(x, dim=1)
    (tensor(1), tensor([1, 0]))
    """
    return _arg("argmax", input, dim, keepdim)


@_numpy_aliases
def argmin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Index (int64) of the first minimum along ``dim``, or into the flattened tensor.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.argmin(npgrad.tensor([[1.0, 5.0], [4.0, 0.0]]))
    tensor(3)
    """
    return _arg("argmin", input, dim, keepdim)
