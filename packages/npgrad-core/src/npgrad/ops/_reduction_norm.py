"""``logsumexp`` and the vector ``norm`` (any ``p``, ``inf``/``-inf``/0 included): Functions and
public functions, built on the reduction helpers of :mod:`npgrad.ops._reduction_util`, with
backwards in npgrad ops (differentiable again). Re-exported by :mod:`npgrad.ops.reduction`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.autograd.function import Function
from npgrad.ops._aliases import numpy_aliases as _numpy_aliases
from npgrad.ops._promote import const, tensor_arg
from npgrad.ops._reduction_util import _acc, _count, _dims, _expand_back, _kept, _out_shape, _shaped
from npgrad.ops.comparison import where
from npgrad.tensor import Tensor


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
