"""Scans: ``cumsum`` and ``cumprod`` along one dimension.

``cumsum``'s adjoint is a reversed cumulative sum (:class:`ReverseCumsum`), and each is the
other's backward, so gradients are differentiable to any order. ``cumprod`` handles zeros
without dividing by zero, to every order (see :func:`_cumprod_grad`); :func:`npgrad.prod`
uses the same gradient. Bool and integer inputs accumulate in int64, float16 in float32.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad.autograd.function import Function
from npgrad.autograd.grad_mode import is_grad_enabled_fast
from npgrad.ops._aliases import numpy_aliases as _numpy_aliases
from npgrad.ops._promote import tensor_arg
from npgrad.ops.comparison import where
from npgrad.ops.reduction import Sum, _acc, _dim, _out_dtype
from npgrad.tensor import Tensor

__all__ = ["cumprod", "cumsum"]


def _scan(a: np.ndarray, axis: int | None, dtype: np.dtype, fn: Any) -> np.ndarray:
    if axis is None:  # a 0-d tensor
        return a.astype(dtype, copy=True)
    return np.asarray(fn(a, axis=axis, dtype=_acc(dtype))).astype(dtype, copy=False)


class Cumsum(Function):
    _widens = True  # dtype= may ask for a wider float

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, axis: int | None, dtype: np.dtype) -> np.ndarray:
        ctx.axis = axis
        return _scan(a, axis, dtype, np.cumsum)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        if ctx.axis is None:
            return grad, None, None
        return ReverseCumsum.apply(grad, ctx.axis), None, None


class ReverseCumsum(Function):
    """``out[k] = sum(a[k:])`` along ``axis``: cumsum's adjoint (and cumsum is its own)."""

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, axis: int) -> np.ndarray:
        ctx.axis = axis
        return np.flip(np.cumsum(np.flip(a, axis), axis=axis, dtype=_acc(a.dtype)), axis).astype(
            a.dtype
        )

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return Cumsum.apply(grad, ctx.axis, grad.dtype), None


class Cumprod(Function):
    _widens = True  # dtype= may ask for a wider float

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, axis: int | None, dtype: np.dtype) -> np.ndarray:
        ctx.axis = axis
        out = _scan(a, axis, dtype, np.cumprod)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        if ctx.axis is None:
            return grad, None, None
        x, out = ctx.saved_tensors
        return _cumprod_grad(x, out, grad, ctx.axis), None, None


def _cumprod_grad(x: Tensor, y: Tensor, g: Tensor, axis: int) -> Tensor:
    """VJP of ``y = cumprod(x, axis)``: ``gx[k] = sum_{i>=k} g[i] prod_{j<=i, j!=k} x[j]``.

    Without zeros that is ``rev_cumsum(g * y)[k] / x[k]``. With zeros, per slice, z being the
    first zero: positions k < z use that formula (their x[k] != 0); at z the exact value is
    ``L * sum_{i>=z} g[i] prod_{z<j<=i} x[j]`` with ``L = prod_{j<z} x[j]``, a cumprod of x with
    ones up to z; after z the gradient is ``L * x[z] *`` (the VJP of that cumprod), computed by
    recursion. Its value is 0, so it is built only when a graph is being recorded (its
    derivative w.r.t. x[z] is not 0). All steps are npgrad ops: right to any order; the
    recursion depth is the largest count of zeros in a slice.
    """
    xd = x._data
    zero = xd == 0
    if not zero.any():
        return ReverseCumsum.apply(g * y, axis) / x
    nz = np.cumsum(zero, axis=axis)
    before, first = nz == 0, zero & (nz == 1)
    after = (nz >= 1) & ~first
    r = ReverseCumsum.apply(g * y, axis)
    gx = where(before, r / where(before, x, 1.0), 0.0)
    # L = y[z-1] (1 when z == 0): pick y one position before the first zero
    prev = np.zeros_like(first)
    src = [slice(None)] * xd.ndim
    dst = [slice(None)] * xd.ndim
    src[axis], dst[axis] = slice(1, None), slice(None, -1)
    prev[tuple(dst)] = first[tuple(src)]
    at0 = np.take(first, [0], axis=axis).astype(xd.dtype)
    lead = Sum.apply(where(prev, y, 0.0), (axis,), True, y.dtype) + at0
    x2 = where(after, x, 1.0)
    c2 = cumprod(x2, axis)
    gx = gx + where(first, lead * ReverseCumsum.apply(g * c2, axis), 0.0)
    if is_grad_enabled_fast():
        xz = Sum.apply(where(first, x, 0.0), (axis,), True, x.dtype)
        gx = gx + where(after, _cumprod_grad(x2, c2, g * (lead * xz), axis), 0.0)
    return gx


def _scan_op(op: str, fn: Any, input: Any, dim: Any, dtype: Any) -> Tensor:
    x = tensor_arg(op, input)
    if dim is None:
        raise TypeError(f"{op}: missing required argument 'dim'")
    axis = _dim(op, dim, x.ndim)
    x, out_dtype = _out_dtype(x, dtype)
    return fn.apply(x, axis if x.ndim else None, out_dtype)  # type: ignore[no-any-return]


@_numpy_aliases
def cumsum(input: Tensor, dim: Any = None, *, dtype: Any = None) -> Tensor:
    """Cumulative sum along ``dim``; bool and integer tensors give int64.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.cumsum(npgrad.tensor([1.0, 2.0, 3.0]), 0)
    tensor([1., 3., 6.])
    """
    return _scan_op("cumsum", Cumsum, input, dim, dtype)


@_numpy_aliases
def cumprod(input: Tensor, dim: Any = None, *, dtype: Any = None) -> Tensor:
    """Cumulative product along ``dim``; exact gradients with zeros in the input.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([2.0, 0.0, 3.0], requires_grad=True)
    >>> y = npgrad.cumprod(x, 0)
    >>> y
    tensor([2., 0., 0.], grad_fn=<CumprodBackward>)
    >>> y.sum().backward()
    >>> x.grad
    tensor([1., 8., 0.])
    """
    return _scan_op("cumprod", Cumprod, input, dim, dtype)
