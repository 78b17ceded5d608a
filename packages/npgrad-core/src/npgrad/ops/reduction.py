"""Reductions: sum mean var std prod logsumexp norm any all. (Extremes -- max min amax amin
argmax argmin -- are in :mod:`npgrad.ops.extrema`, the scans cumsum and cumprod in
:mod:`npgrad.ops.scan`.) ``logsumexp`` and ``norm`` live in :mod:`npgrad.ops._reduction_norm`,
the dim handling and ``Sum``/``ExpandReduced`` in :mod:`npgrad.ops._reduction_util`; this module
re-exports them.

``dim`` is an int, a tuple of ints, or None (and ``()``) for every dimension; NumPy's
``axis``/``keepdims`` are accepted as keyword aliases. Backward passes broadcast the output
gradient over the reduced dimensions with ``ExpandReduced``, whose own backward is ``Sum``, so
every gradient here is differentiable again. float16 is accumulated in float32 (like PyTorch on
CPU); every other dtype is reduced in its own dtype, so float32 stays float32.

Decisions at non-differentiable points follow PyTorch:

* ``max()``/``min()`` without ``dim``, ``amax``/``amin`` and ``norm(p=±inf)`` split the gradient
  evenly among tied extremes; ``max(dim)``/``min(dim)`` send it to the returned index.
* ``norm`` has gradient 0 where the norm is 0 (and, for ``p < 1``, at zero entries); ``std`` has
  gradient 0 where the std is 0.
* ``prod`` handles zeros without dividing by zero, to every order: the gradient is then the
  product of the other elements, from exclusive cumulative products on both sides (PyTorch's
  formula, NaN pattern included).
"""

from __future__ import annotations

import builtins
import math
import warnings
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.autograd.function import Function
from npgrad.autograd.grad_mode import is_grad_enabled_fast
from npgrad.ops._aliases import numpy_aliases as _numpy_aliases
from npgrad.ops._promote import const, tensor_arg
from npgrad.ops._reduction_norm import logsumexp, norm
from npgrad.ops._reduction_util import _I64, _count, _out_shape, _shaped
from npgrad.ops._reduction_util import Sum as Sum
from npgrad.ops._reduction_util import _acc as _acc
from npgrad.ops._reduction_util import _dim as _dim
from npgrad.ops._reduction_util import _dims as _dims
from npgrad.ops._reduction_util import _expand_back as _expand_back
from npgrad.ops._reduction_util import _kept as _kept
from npgrad.ops.comparison import where
from npgrad.tensor import Tensor

__all__ = [
    "all",
    "any",
    "logsumexp",
    "mean",
    "norm",
    "prod",
    "std",
    "sum",
    "var",
]


# ---- sum, mean, var, std -------------------------------------------------------------------
class Mean(Function):
    _array_backward = True  # backward: a product with a Python scalar, _expand_back
    _one_tensor = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, axes: Any, keepdim: bool) -> np.ndarray:
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        ctx.n = _count(a.shape, axes)
        if ctx.n == 0:  # PyTorch: the mean of nothing is nan
            return np.full(_out_shape(a.shape, axes, keepdim), np.nan, a.dtype)
        # a sum and a division, float16 accumulated in float32 (np.mean does the same behind
        # ~2.5 us of Python; dividing in the sum's dtype rounds once, as PyTorch does)
        s = np.asarray(np.add.reduce(a, axis=axes, dtype=_acc(a.dtype), keepdims=keepdim))  # type: ignore[call-overload]
        return np.true_divide(s, ctx.n, out=s).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        scale = 1.0 / ctx.n if ctx.n else math.nan
        return _expand_back(grad * scale, ctx.shape, ctx.axes, ctx.keepdim), None, None


def _var_forward(
    ctx: Any, a: np.ndarray, axes: Any, keepdim: bool, correction: float, full: bool
) -> np.ndarray:
    ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
    ctx.correction, ctx.full = correction, full
    ctx.n = n = _count(a.shape, axes)
    shape = _out_shape(a.shape, axes, keepdim)
    if n == 0:
        return np.full(shape, np.nan, a.dtype)
    w = a.astype(_acc(a.dtype), copy=False)
    d = w - np.mean(w, axis=axes, keepdims=True)  # two passes: no cancellation
    m2 = np.sum(d * d, axis=axes, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):  # dof <= 0 gives inf / nan, like PyTorch
        out = m2 / builtins.max(0.0, n - correction)
    return _shaped(out, shape, a.dtype)


def _var_grad(ctx: Any, x: Tensor, grad: Tensor) -> Tensor:
    dof = ctx.n - ctx.correction
    if ctx.full and dof <= 0:
        # PyTorch's choice for a full reduction: 2/dof is infinite, times (x - mean) gives
        # nan where x equals the mean and inf elsewhere
        xd = x._data
        return grad * const(np.where(xd == np.mean(xd), np.nan, np.inf).astype(xd.dtype))
    scale = 2.0 / dof if dof != 0 else math.inf
    g = _expand_back(grad, ctx.shape, ctx.axes, ctx.keepdim)
    return g * (x - Mean.apply(x, ctx.axes, True)) * scale


class Var(Function):
    @staticmethod
    def forward(
        ctx: Any, a: np.ndarray, axes: Any, keepdim: bool, correction: float, full: bool
    ) -> np.ndarray:
        ctx.save_for_backward(a)
        return _var_forward(ctx, a, axes, keepdim, correction, full)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None, None]:
        (x,) = ctx.saved_tensors
        return _var_grad(ctx, x, grad), None, None, None, None


class Std(Function):
    @staticmethod
    def forward(
        ctx: Any, a: np.ndarray, axes: Any, keepdim: bool, correction: float, full: bool
    ) -> np.ndarray:
        out = np.asarray(np.sqrt(_var_forward(ctx, a, axes, keepdim, correction, full)))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None, None]:
        x, out = ctx.saved_tensors
        # d std = d var / (2 std); 0 where std == 0, like PyTorch (the inner where keeps
        # the masked branch finite so that second order has no 0 * inf)
        zero = out._data == 0
        g = where(zero, 0.0, grad / (where(zero, 1.0, out) * 2.0))
        return _var_grad(ctx, x, g), None, None, None, None


# ---- prod ------------------------------------------------------------------------------------
class Prod(Function):
    @staticmethod
    def forward(
        ctx: Any, a: np.ndarray, axis: int | None, keepdim: bool, dtype: np.dtype
    ) -> np.ndarray:
        ctx.axis, ctx.keepdim = axis, keepdim
        out = np.asarray(np.prod(a, axis=axis, dtype=_acc(dtype), keepdims=keepdim))
        out = out.astype(dtype, copy=False)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        x, out = ctx.saved_tensors
        axis = ctx.axis
        if not (x._data == 0).any():  # prod of the others = prod / x_k
            if axis is None:
                return grad * out / x, None, None, None
            g = _expand_back(grad * out, x.shape, (axis,), ctx.keepdim)
            return g / x, None, None, None
        if x.ndim == 0:
            return grad, None, None, None
        if axis is None and not is_grad_enabled_fast() and np.count_nonzero(x._data == 0) > 1:
            # two zeros or more: every product of the others holds a zero. PyTorch returns
            # zeros here for a first-order full reduction (a nan elsewhere included)
            return const(np.zeros(x.shape, x.dtype)), None, None, None
        # zeros: d prod / d x_k is the product of the others, the exclusive cumulative products
        # from the left and from the right multiplied (PyTorch's formula: its nan pattern too)
        from npgrad.ops._joining import cat, flip
        from npgrad.ops.scan import cumprod

        xs = x if axis is not None else x.reshape(-1)
        ax = 0 if axis is None else axis
        if axis is None:
            g = _expand_back(grad.reshape(()), xs.shape, (0,), False)
        else:
            g = _expand_back(grad, xs.shape, (ax,), ctx.keepdim)
        n = xs.shape[ax]
        one = const(np.ones(_kept(xs.shape, (ax,)), xs.dtype))
        left = cumprod(cat([one, xs.narrow(ax, 0, n - 1)], ax), ax)
        right = flip(cumprod(cat([one, flip(xs.narrow(ax, 1, n - 1), ax)], ax), ax), ax)
        gx = g * (left * right)
        return (gx if axis is not None else gx.reshape(x.shape)), None, None, None


def _onehot(shape: tuple[int, ...], axis: int, index: np.ndarray) -> np.ndarray:
    """Boolean mask, True at ``index`` (a keepdim-shaped array) along ``axis``."""
    pos = np.arange(shape[axis]).reshape([-1 if i == axis else 1 for i in range(len(shape))])
    return np.broadcast_to(pos == index, shape)


# ---- public functions ----------------------------------------------------------------------
def _out_dtype(x: Tensor, dtype: Any) -> tuple[Tensor, np.dtype]:
    """Cast for an explicit ``dtype``; otherwise bool and integers accumulate in int64."""
    if dtype is not None:
        x = x.to(dtypes.to_dtype(dtype))
        return x, x.dtype
    return x, (_I64 if x.dtype.kind in "biu" else x.dtype)


@_numpy_aliases
def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Sum over ``dim`` (int, tuple, or all dims); bool and integer tensors give int64.

    ``dtype`` casts the input first.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> npgrad.sum(x, 1)
    tensor([3., 7.], grad_fn=<SumBackward>)
    >>> npgrad.sum(npgrad.tensor([True, True, False]))
    tensor(2)
    """
    x = tensor_arg("sum", input)
    axes = _dims("sum", dim, x.ndim)
    x, out_dtype = _out_dtype(x, dtype)
    return Sum.apply(x, axes, bool(keepdim), out_dtype)  # type: ignore[no-any-return]


@_numpy_aliases
def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Mean over ``dim``; integer inputs raise unless a floating ``dtype`` is given.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.mean(npgrad.tensor([[1.0, 2.0], [3.0, 5.0]]), dim=0)
    tensor([2.0000, 3.5000])
    """
    x = tensor_arg("mean", input)
    axes = _dims("mean", dim, x.ndim)
    if dtype is not None:
        x = x.to(dtypes.to_dtype(dtype))
    if x.dtype.kind != "f":
        which = "Optional dtype" if dtype is not None else "Input dtype"
        raise RuntimeError(
            f"mean: could not infer output dtype. {which} must be a floating point dtype, "
            f"got {x.dtype}; cast with .float() or pass dtype="
        )
    return Mean.apply(x, axes, bool(keepdim))  # type: ignore[no-any-return]


def _var(
    op: str, fn: Any, x: Any, dim: Any, unbiased: Any, keepdim: Any, correction: Any
) -> Tensor:
    x = tensor_arg(op, x)
    if x.dtype.kind != "f":
        raise RuntimeError(f"{op}: only floating point dtypes are supported, got {x.dtype}")
    if isinstance(dim, bool):  # x.var(False): PyTorch's overload taking unbiased first
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}: pass either 'unbiased' or 'correction', not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    axes = _dims(op, dim, x.ndim)
    if _count(x.shape, axes) - correction <= 0:
        warnings.warn(
            f"{op}: degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=4,
        )
    # PyTorch's backward treats dim=None (or a 0-d input) apart when dof <= 0
    return fn.apply(x, axes, bool(keepdim), correction, dim is None or x.ndim == 0)  # type: ignore[no-any-return]


@_numpy_aliases
def var(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    """Variance over ``dim`` with ``correction`` (default 1, Bessel's; ``unbiased=False``: 0).

    ``n - correction <= 0`` warns and gives inf (nan when the sum of squares is 0).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([1.0, 2.0, 3.0, 4.0])
    >>> npgrad.var(x), npgrad.var(x, unbiased=False)
    (tensor(1.6667), tensor(1.2500))
    """
    return _var("var", Var, input, dim, unbiased, keepdim, correction)


@_numpy_aliases
def std(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    """Standard deviation, the square root of :func:`var` (same arguments); its gradient
    is 0 where the std is 0, like PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.std(npgrad.tensor([1.0, 3.0]))
    tensor(1.4142)
    """
    return _var("std", Std, input, dim, unbiased, keepdim, correction)


@_numpy_aliases
def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Product over one ``dim`` (an int) or all; exact gradients with zeros in the input.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([2.0, 0.0, 3.0], requires_grad=True)
    >>> npgrad.prod(x).backward()
    >>> x.grad
    tensor([0., 6., 0.])
    """
    x = tensor_arg("prod", input)
    if dim is None:  # (None, not 0, for a 1-D x too: the backward tells the two apart)
        axis = None
    else:
        if isinstance(dim, (tuple, list)):
            raise TypeError("prod: dim must be an int (one dimension), got a sequence")
        axis = _dim("prod", dim, x.ndim)
        if x.ndim == 0:  # dim 0 / -1 of a 0-d tensor: the product of its one element
            axis = None
    x, out_dtype = _out_dtype(x, dtype)
    return Prod.apply(x, axis, bool(keepdim), out_dtype)  # type: ignore[no-any-return]


def _logical(op: str, input: Any, dim: Any, keepdim: Any) -> Tensor:
    x = tensor_arg(op, input)
    # unlike sum's, PyTorch's any/all read an explicitly empty dim tuple as "no dimension"
    axes = () if isinstance(dim, (tuple, list)) and not dim else _dims(op, dim, x.ndim)
    out = np.asarray(getattr(np, op)(x._data, axis=axes, keepdims=bool(keepdim)))
    # bool results, except uint8 inputs which give uint8 (PyTorch's legacy rule)
    return const(out.astype(np.uint8) if x.dtype == np.uint8 else out)


@_numpy_aliases
def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True where any element along ``dim`` (all dims by default) is nonzero.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.any(npgrad.tensor([[0.0, 1.0], [0.0, 0.0]]), dim=1)
    tensor([ True, False])
    """
    return _logical("any", input, dim, keepdim)


@_numpy_aliases
def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True where every element along ``dim`` (all dims by default) is nonzero.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.all(npgrad.tensor([1, 2, 0]))
    tensor(False)
    """
    return _logical("all", input, dim, keepdim)
