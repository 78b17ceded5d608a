"""Reductions: sum mean var std prod logsumexp norm any all. (Extremes -- max min amax amin
argmax argmin -- are in :mod:`npgrad.ops.extrema`, the scans cumsum and cumprod in
:mod:`npgrad.ops.scan`.)

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
import operator
import warnings
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.autograd.function import Function
from npgrad.autograd.grad_mode import is_grad_enabled_fast
from npgrad.ops._aliases import numpy_aliases as _numpy_aliases
from npgrad.ops._promote import const, tensor_arg
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

_F16, _F32, _I64 = dtypes.float16, dtypes.float32, dtypes.int64


# ---- dims and shapes ---------------------------------------------------------------------
def _dim(op: str, d: Any, ndim: int) -> int:
    """One dim, wrapped into ``[0, ndim)`` (a 0-d tensor accepts 0 and -1, like PyTorch)."""
    if isinstance(d, bool) or not hasattr(d, "__index__"):
        raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {type(d).__name__}")
    d = operator.index(d)
    n = builtins.max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(
            f"{op}: dimension out of range (expected to be in range of [{-n}, {n - 1}], "
            f"but got {d})"
        )
    return d % n


def _dims(op: str, dim: Any, ndim: int) -> tuple[int, ...]:
    """``dim`` as a sorted tuple of axes; None and ``()`` mean every dimension."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    if not isinstance(dim, (tuple, list)):
        dim = (dim,)
    axes = [_dim(op, d, ndim) for d in dim]
    for i, a in enumerate(axes):
        if a in axes[:i]:
            raise RuntimeError(f"{op}: dim {a} appears multiple times in the list of dims")
    return tuple(sorted(axes)) if ndim else ()


def _kept(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _out_shape(shape: tuple[int, ...], axes: tuple[int, ...], keepdim: bool) -> tuple[int, ...]:
    if keepdim:
        return _kept(shape, axes)
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _count(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    return math.prod(shape[a] for a in axes)


def _acc(dtype: np.dtype) -> np.dtype:
    return _F32 if dtype == _F16 else dtype


def _shaped(a: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    # always an ndarray: NumPy reduces 0-d arrays to scalars, and a saved output must be
    # the very array the op returns
    return np.asarray(a).reshape(shape).astype(dtype, copy=False)


def _expand_back(g: Any, shape: tuple[int, ...], axes: tuple[int, ...], keepdim: bool) -> Any:
    """A reduction's output gradient ``g`` broadcast back over the input ``shape`` (a Tensor,
    or an array when an ``_array_backward`` runs on arrays, like ``sum_to``)."""
    if g.shape == shape:
        return g
    if isinstance(g, (np.ndarray, np.generic)):
        return _broadcast_back(g, shape, axes, keepdim)
    return ExpandReduced.apply(g, shape, axes, keepdim)


def _broadcast_back(
    g: Any, shape: tuple[int, ...], axes: tuple[int, ...], keepdim: bool
) -> np.ndarray:
    return np.broadcast_to(g if keepdim else g.reshape(_kept(shape, axes)), shape)


class ExpandReduced(Function):
    """The adjoint of ``Sum``: restores the reduced dims (size 1) and broadcasts."""

    @staticmethod
    def forward(
        ctx: Any, g: np.ndarray, shape: tuple[int, ...], axes: Any, keepdim: bool
    ) -> np.ndarray:
        ctx.axes, ctx.keepdim = axes, keepdim
        return _broadcast_back(g, shape, axes, keepdim)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        return Sum.apply(grad, ctx.axes, ctx.keepdim, grad.dtype), None, None, None


# ---- sum, mean, var, std -------------------------------------------------------------------
class Sum(Function):
    _widens = True  # dtype= may ask for a wider float
    _array_backward = True  # backward: _expand_back only
    _one_tensor = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, axes: Any, keepdim: bool, dtype: np.dtype) -> np.ndarray:
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        out = np.sum(a, axis=axes, dtype=_acc(dtype), keepdims=keepdim)
        return np.asarray(out).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        return _expand_back(grad, ctx.shape, ctx.axes, ctx.keepdim), None, None, None


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


# ---- logsumexp, norm ------------------------------------------------------------------------
class Logsumexp(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, axes: Any, keepdim: bool) -> np.ndarray:
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        shape = _out_shape(a.shape, axes, keepdim)
        if _count(a.shape, axes) == 0:
            out = np.full(shape, -np.inf, a.dtype)
        else:
            w = a.astype(_acc(a.dtype), copy=False)
            m = np.max(w, axis=axes, keepdims=True)
            m = np.where(np.isfinite(m), m, np.zeros((), m.dtype))  # inf inputs: shift by 0
            with np.errstate(divide="ignore"):  # all -inf gives log(0) = -inf
                s = np.log(np.sum(np.exp(w - m), axis=axes, keepdims=True)) + m
            out = _shaped(s, shape, a.dtype)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        x, out = ctx.saved_tensors
        args = (ctx.shape, ctx.axes, ctx.keepdim)
        return _expand_back(grad, *args) * (x - _expand_back(out, *args)).exp(), None, None


class Norm(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, p: float, axes: Any, keepdim: bool) -> np.ndarray:
        ctx.shape, ctx.axes, ctx.keepdim, ctx.p = a.shape, axes, keepdim, p
        w = np.abs(a.astype(_acc(a.dtype), copy=False))
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            if p == 2:
                s = np.sqrt(np.sum(w * w, axis=axes, keepdims=True))
            elif p == math.inf:
                s = np.max(w, axis=axes, keepdims=True)
            elif p == -math.inf:
                s = np.min(w, axis=axes, keepdims=True)
            elif p == 0:
                s = np.sum(w != 0, axis=axes, keepdims=True).astype(w.dtype)
            elif p == 1:
                s = np.sum(w, axis=axes, keepdims=True)
            else:
                s = np.sum(w**p, axis=axes, keepdims=True) ** (1.0 / p)
        out = _shaped(s, _out_shape(a.shape, axes, keepdim), a.dtype)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        x, out = ctx.saved_tensors
        p, args = ctx.p, (ctx.shape, ctx.axes, ctx.keepdim)
        xd = x._data
        # piecewise constant: its derivative is 0. PyTorch's sgn, 0 at nan (p=1: nan gets 0)
        sign = const(np.nan_to_num(np.sign(xd), nan=0.0))
        zero_norm = out._data == 0
        if p == 0:  # the count of nonzeros is piecewise constant
            return _expand_back(grad * 0.0, *args), None, None, None
        if p == 1:
            return _expand_back(grad, *args) * sign, None, None, None
        if p in (math.inf, -math.inf):  # ties share the gradient, like amax
            mask = np.abs(xd) == out._data.reshape(_kept(ctx.shape, ctx.axes))
            count = np.sum(mask, axis=ctx.axes, keepdims=True).astype(xd.dtype)
            g = _expand_back(grad, *args) / count
            return where(mask, g * sign, 0.0), None, None, None
        # where(..., 1.0, ...) inside keeps masked branches finite: no 0 * inf at second order
        safe_out = where(zero_norm, 1.0, out)
        if p == 2:  # x / norm, and 0 at norm == 0 like PyTorch
            scale = where(zero_norm, 0.0, grad / safe_out)
            return x * _expand_back(scale, *args), None, None, None
        absx = x * sign
        if p < 1:  # |x|^(p-1) is infinite at 0: PyTorch takes 0 there
            zx = xd == 0
            t = where(zx, 0.0, sign * where(zx, 1.0, absx) ** (p - 1))
            return t * _expand_back(grad * out ** (1 - p), *args), None, None, None
        scale = where(zero_norm, 0.0, grad / safe_out ** (p - 1))
        return sign * absx ** (p - 1) * _expand_back(scale, *args), None, None, None


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


@_numpy_aliases
def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(input), dim))`` computed stably; its gradient is the softmax.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.logsumexp(npgrad.tensor([1000.0, 1000.0]), 0)
    tensor(1000.6932)
    """
    x = tensor_arg("logsumexp", input)
    axes = _dims("logsumexp", dim, x.ndim)
    if x.dtype.kind != "f":  # integers give the default float dtype, like PyTorch
        x = x.to(dtypes.get_default_dtype())
    return Logsumexp.apply(x, axes, bool(keepdim))  # type: ignore[no-any-return]


@_numpy_aliases
def norm(
    input: Tensor,  # noqa: A002
    p: Any = "fro",
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """Vector ``p``-norm over ``dim`` (all dims by default): ``p`` is ``'fro'`` (= 2) or
    any number including ``inf``, ``-inf`` and 0 (the count of nonzeros); ``'nuc'`` is the
    nuclear norm of a matrix (the two dims ``dim``, or a 2-D input), as
    :func:`npgrad.linalg.matrix_norm` computes it. ``dtype`` casts the input first.

    The gradient is 0 where the norm is 0 (PyTorch's convention).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([3.0, -4.0])
    >>> npgrad.norm(x), npgrad.norm(x, 1), npgrad.norm(x, float("inf"))
    (tensor(5.), tensor(7.), tensor(4.))
    >>> npgrad.norm(npgrad.eye(2), "nuc")
    tensor(2.)
    """
    x = tensor_arg("norm", input)
    if dtype is not None:
        x = x.to(dtypes.to_dtype(dtype))
    if x.dtype.kind != "f":
        raise RuntimeError(f"norm: expected a floating point tensor as input, got {x.dtype}")
    if isinstance(p, str):
        if p == "nuc":
            from npgrad.ops._decomposition_norms import matrix_norm

            if dim is None and x.ndim != 2:
                raise RuntimeError(
                    f"norm: the nuclear norm needs a 2-D input or a 2-tuple dim, got a "
                    f"{x.ndim}-D input and no dim"
                )
            return matrix_norm(x, "nuc", (-2, -1) if dim is None else dim, keepdim)
        if p != "fro":
            raise ValueError(f"norm: order {p!r} is not supported; use a number, 'fro' or 'nuc'")
        p = 2.0
    elif p is None:
        p = 2.0
    elif isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, float, np.number)):
        raise TypeError(f"norm: p must be a number, 'fro' or 'nuc', got {type(p).__name__}")
    axes = _dims("norm", dim, x.ndim)
    if math.isinf(p) and _count(x.shape, axes) == 0:
        raise RuntimeError(
            "norm: cannot compute the inf norm over an empty dimension: the operation has "
            "no identity"
        )
    return Norm.apply(x, float(p), axes, bool(keepdim))  # type: ignore[no-any-return]


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
