"""Scans along one dimension: ``cumsum``, ``cumprod``, ``cummax``/``cummin`` and
``logcumsumexp``.

``cumsum``'s adjoint is a reversed cumulative sum (:class:`ReverseCumsum`), and each is the
other's backward, so gradients are differentiable to any order. ``cumprod`` handles zeros
without dividing by zero, to every order (see :func:`_cumprod_grad`); :func:`npgrad.prod`
uses the same gradient. In both, bool and integer inputs accumulate in int64, float16 in
float32.

``cummax``/``cummin`` gather the running extremes at their indices, so the gradient goes to
the elements chosen; ``logcumsumexp`` has its own Function, whose backward is written in npgrad
ops, so it is differentiable again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad.autograd.function import Function
from npgrad.autograd.grad_mode import is_grad_enabled_fast
from npgrad.ops._aliases import numpy_aliases as _numpy_aliases
from npgrad.ops._gradient import gradient as gradient
from npgrad.ops._joining import flip
from npgrad.ops._promote import const, tensor_arg
from npgrad.ops._return_types import values_indices
from npgrad.ops.comparison import where
from npgrad.ops.elementwise import abs as _abs
from npgrad.ops.elementwise import exp, log
from npgrad.ops.gather_scatter import gather
from npgrad.ops.reduction import Sum, _acc, _dim, _out_dtype
from npgrad.ops.shape import clone
from npgrad.tensor import Tensor

__all__ = ["cummax", "cummin", "cumprod", "cumsum", "gradient", "logcumsumexp"]


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
    if xd.shape[axis] == 1:  # y is x: the gradient passes as it is (PyTorch, also at x = inf)
        return g
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


# ---- scans: cummax, cummin, logcumsumexp -------------------------------------------------------
_CummaxResult = values_indices("cummax", __name__, "_CummaxResult")
_CumminResult = values_indices("cummin", __name__, "_CumminResult")


def _cum_extreme(op: str, input: Any, dim: Any) -> tuple[Tensor, Tensor]:  # noqa: A002
    x = tensor_arg(op, input)
    d = _dim(op, dim, x.ndim)
    if x.ndim == 0:
        return clone(x), const(np.zeros((), np.int64))
    a = x._data
    acc = np.maximum if op == "cummax" else np.minimum
    running = acc.accumulate(a, axis=d)
    # PyTorch's rule: the index moves to every position that ties the running extreme (the
    # last of equal values) or is nan (a nan, once reached, stays the extreme)
    hit = a == running
    if a.dtype.kind == "f":
        hit |= np.isnan(a)
    pos = np.arange(a.shape[d], dtype=np.int64).reshape(
        [-1 if i == d else 1 for i in range(a.ndim)]
    )
    if a.size:
        at = np.maximum.accumulate(np.where(hit, pos, 0), axis=d).astype(np.int64, copy=False)
    else:
        at = np.zeros(a.shape, np.int64)
    idx = const(at)
    # the values gathered at the indices: the gradient goes to the input element chosen
    return gather(x, d, idx), idx


@_numpy_aliases
def cummax(input: Tensor, dim: int) -> Any:  # noqa: A002
    """The running maximum along ``dim`` and the index where it was attained, as a named
    tuple ``(values, indices)``. Ties move the index to the later element and a nan stays
    the maximum once reached, as in PyTorch; the gradient goes to the indexed elements.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.cummax(npgrad.tensor([1.0, 3.0, 2.0, 3.0]), 0)
    npgrad.return_types.cummax(
    values=tensor([1., 3., 3., 3.]),
    indices=tensor([0, 1, 1, 3]))
    """
    return _CummaxResult(*_cum_extreme("cummax", input, dim))


@_numpy_aliases
def cummin(input: Tensor, dim: int) -> Any:  # noqa: A002
    """The running minimum along ``dim`` and the index where it was attained, as a named
    tuple ``(values, indices)`` (ties and nan as in :func:`cummax`).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.cummin(npgrad.tensor([2, 1, 1, 3]), 0).indices
    tensor([0, 1, 2, 2])
    """
    return _CumminResult(*_cum_extreme("cummin", input, dim))


class Logcumsumexp(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, axis: int | None) -> np.ndarray:
        ctx.axis = axis
        if axis is None:
            out = a.copy()
        else:  # float16 accumulates in float32, rounded once, as PyTorch's does
            w = a.astype(np.float32) if a.dtype == np.float16 else a
            out = np.logaddexp.accumulate(w, axis=axis).astype(a.dtype, copy=False)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        axis = ctx.axis
        if axis is None:
            return grad, None
        x, out = ctx.saved_tensors
        # d out[i] / d x[k] = exp(x[k] - out[i]) for i >= k. PyTorch's stable form (from
        # TensorFlow): positive and negative parts of grad in log space, summed with a
        # reversed logcumsumexp. log|grad| is taken of 1 where grad is 0 so that the
        # masked branch stays finite at second order; the masked-out log is a very negative
        # number (exp gives 0), with room for ``- out`` not to overflow
        lowest = float(np.finfo(grad.dtype).min) / 8
        zero = grad._data == 0
        log_g = log(where(const(zero), 1.0, _abs(grad)))

        def part(mask: np.ndarray) -> Tensor:
            s = where(const(mask), log_g, lowest) - out
            rev = flip(Logcumsumexp.apply(flip(s, axis), axis), axis)
            return exp(rev + x)

        return part(grad._data > 0) - part(grad._data < 0), None


@_numpy_aliases
def logcumsumexp(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    """``log(cumsum(exp(input), dim))`` computed stably. Floating point only, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.logcumsumexp(npgrad.tensor([0.0, 0.0, 1000.0]), 0)
    tensor([0.0000e+00, 6.9315e-01, 1.0000e+03])
    """
    x = tensor_arg("logcumsumexp", input)
    if x.dtype.kind != "f":
        raise TypeError(f"logcumsumexp: expected a floating point tensor, got {x.dtype}")
    d = _dim("logcumsumexp", dim, x.ndim)
    return Logcumsumexp.apply(x, d if x.ndim else None)  # type: ignore[no-any-return]
