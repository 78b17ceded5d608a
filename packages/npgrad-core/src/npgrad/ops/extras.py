"""Commonly used PyTorch conveniences: ``fmod``, ``hypot``, ``logaddexp``, ``deg2rad``,
``rad2deg``, ``addmm``/``addmv``/``addcmul``/``addcdiv``, ``clamp_min``/``clamp_max``,
``atleast_1d``/``2d``/``3d``, ``hstack``/``vstack``/``dstack``/``column_stack``,
``repeat_interleave``, ``count_nonzero``, ``nansum``/``nanmean`` and the queries ``numel``,
``is_tensor``, ``is_nonzero``.

Most are compositions of existing ops, so their gradients (to any order) come for free. The
three with their own Function (``fmod``, ``hypot``, ``logaddexp``) write their backward in
npgrad ops, so it is differentiable again.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.autograd.function import Function
from npgrad.ops._broadcast import sum_to
from npgrad.ops._joining import cat
from npgrad.ops._promote import binary, tensor_arg
from npgrad.ops.arithmetic import _check_int_divisor, add, div, mul, sub
from npgrad.ops.binary import clamp
from npgrad.ops.comparison import isnan, logical_xor, where
from npgrad.ops.elementwise import sigmoid, trunc
from npgrad.ops.linalg import bmm, mm, mv
from npgrad.ops.reduction import sum as _sum
from npgrad.ops.selection import index_select
from npgrad.tensor import Tensor, _check_dim

__all__ = [
    "addcdiv",
    "addcmul",
    "addmm",
    "addmv",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "baddbmm",
    "clamp_max",
    "clamp_min",
    "column_stack",
    "count_nonzero",
    "deg2rad",
    "diff",
    "dstack",
    "fmod",
    "hstack",
    "hypot",
    "is_nonzero",
    "is_tensor",
    "logaddexp",
    "nanmean",
    "nansum",
    "numel",
    "rad2deg",
    "repeat_interleave",
    "vstack",
]


# ---- elementwise binary ops ---------------------------------------------------------------
class Fmod(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_int_divisor("fmod", np.asarray(a), np.asarray(b))
        ctx.shapes = (np.shape(a), np.shape(b))
        if ctx.needs_input_grad[1]:
            ctx.save_for_backward(a, b)
        with np.errstate(invalid="ignore"):  # x fmod 0.0 is nan, silently (as PyTorch)
            return np.fmod(a, b)  # C's sign convention (the dividend's), like PyTorch

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        ga = sum_to(grad, sa) if need_a else None
        gb = None
        if need_b:
            a, b = ctx.saved_tensors
            # fmod(a, b) = a - b * trunc(a / b); trunc has zero gradient (PyTorch's formula)
            gb = sum_to(-grad * trunc(div(a, b)), sb)
        return ga, gb


class Hypot(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        ctx.shapes = (np.shape(a), np.shape(b))
        return np.hypot(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        # d/da = a / hypot(a, b): recomputed as an op so the gradient is differentiable; at the
        # origin 0/0 = nan, as PyTorch gives
        h = hypot(a, b)
        ga = sum_to(grad * a / h, sa) if need_a else None
        gb = sum_to(grad * b / h, sb) if need_b else None
        return ga, gb


class LogAddExp(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        ctx.shapes = (np.shape(a), np.shape(b))
        return np.logaddexp(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        # d/da = exp(a) / (exp(a) + exp(b)) = sigmoid(a - b), stable for any magnitude
        ga = sum_to(grad * sigmoid(a - b), sa) if need_a else None
        gb = sum_to(grad * sigmoid(b - a), sb) if need_b else None
        return ga, gb


def _float_binary(fn: Any, op: str, a: Any, b: Any) -> Tensor:
    for v in (a, b):
        if isinstance(v, Tensor) and v.dtype.kind != "f":
            raise TypeError(f"{op}: expected floating point tensors, got {v.dtype}")
    return binary(fn, op, a, b)


def fmod(input: Any, other: Any) -> Tensor:  # noqa: A002
    """C-style remainder ``input - trunc(input / other) * other``: the result has the sign of
    the dividend (``remainder``'s has the divisor's). Integer division by zero raises.

    The gradient is ``grad`` for ``input`` and ``-grad * trunc(input / other)`` for ``other``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.fmod(npgrad.tensor([-3.0, -2.0, 2.0, 3.0]), 2)
    tensor([-1., -0.,  0.,  1.])
    >>> npgrad.fmod(npgrad.tensor([7, -7]), 3)
    tensor([ 1, -1])
    """
    return binary(Fmod, "fmod", input, other)


def hypot(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``sqrt(input² + other²)`` without intermediate overflow, broadcasting. Floating point
    only.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.hypot(npgrad.tensor([3.0, 5.0]), npgrad.tensor([4.0, 12.0]))
    tensor([ 5., 13.])
    """
    return _float_binary(Hypot, "hypot", input, other)


def logaddexp(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``log(exp(input) + exp(other))`` computed stably, broadcasting. Floating point only.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.logaddexp(npgrad.tensor([0.0, 100.0]), npgrad.tensor([0.0, -100.0]))
    tensor([  0.6931, 100.0000])
    """
    return _float_binary(LogAddExp, "logaddexp", input, other)


def deg2rad(input: Tensor) -> Tensor:  # noqa: A002
    """Degrees to radians; integer tensors give the default float dtype.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.deg2rad(npgrad.tensor([180.0, -90.0]))
    tensor([ 3.1416, -1.5708])
    """
    return mul(_not_bool("deg2rad", input), np.pi / 180.0)


def rad2deg(input: Tensor) -> Tensor:  # noqa: A002
    """Radians to degrees; integer tensors give the default float dtype.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.rad2deg(npgrad.tensor([3.141592653589793, 1.0]))
    tensor([180.0000,  57.2958])
    """
    return mul(_not_bool("rad2deg", input), 180.0 / np.pi)


def _not_bool(op: str, x: Any) -> Tensor:
    x = tensor_arg(op, x)
    if x.dtype.kind == "b":
        raise TypeError(f"{op}: bool tensors are not supported")
    return x


def clamp_min(input: Tensor, min: Any) -> Tensor:  # noqa: A001, A002
    """``clamp(input, min=min)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.clamp_min(npgrad.tensor([-1.0, 2.0]), 0.0)
    tensor([0., 2.])
    """
    if min is None:
        raise TypeError("clamp_min: 'min' must be a number or a Tensor, not None")
    return clamp(input, min=min)


def clamp_max(input: Tensor, max: Any) -> Tensor:  # noqa: A001, A002
    """``clamp(input, max=max)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.clamp_max(npgrad.tensor([-1.0, 2.0]), 0.0)
    tensor([-1.,  0.])
    """
    if max is None:
        raise TypeError("clamp_max: 'max' must be a number or a Tensor, not None")
    return clamp(input, max=max)


# ---- fused multiply-adds (compositions) ----------------------------------------------------
def _scaled(x: Tensor, factor: Any) -> Tensor:
    return x if isinstance(factor, (int, float)) and factor == 1 else mul(x, factor)


def _affine(op: str, input: Any, prod: Tensor, beta: Any) -> Tensor:
    input = tensor_arg(op, input)
    if isinstance(beta, (int, float)) and beta == 0:
        # PyTorch: with beta = 0, ``input`` is ignored (its nan/inf do not propagate)
        np.broadcast_shapes(input.shape, prod.shape)  # input must still broadcast
        return prod
    return add(_scaled(input, beta), prod)


def addmm(input: Any, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts to the product's shape.
    With ``beta=0`` ``input`` is ignored (its nan and inf do not propagate), as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.addmm(npgrad.ones(2, 2), npgrad.eye(2), npgrad.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor([[2., 3.],
            [4., 5.]])
    """
    return _affine("addmm", input, _scaled(mm(mat1, mat2), alpha), beta)


def addmv(input: Any, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * (mat @ vec)``; ``input`` broadcasts to the product's shape.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.addmv(npgrad.ones(2), npgrad.eye(2), npgrad.tensor([1.0, 2.0]), alpha=2)
    tensor([3., 5.])
    """
    return _affine("addmv", input, _scaled(mv(mat, vec), alpha), beta)


def baddbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * (batch1 @ batch2)`` for batches of matrices (``bmm``); ``input``
    broadcasts to the product's shape. With ``beta=0`` ``input`` is ignored.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.baddbmm(npgrad.ones(1, 2, 2), npgrad.ones(1, 2, 3), npgrad.ones(1, 3, 2), alpha=2)
    tensor([[[7., 7.],
             [7., 7.]]])
    """
    return _affine("baddbmm", input, _scaled(bmm(batch1, batch2), alpha), beta)


def addcmul(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:  # noqa: A002
    """``input + value * tensor1 * tensor2``, broadcasting.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.addcmul(npgrad.ones(2), npgrad.tensor([1.0, 2.0]), npgrad.tensor([3.0, 4.0]), value=0.5)
    tensor([2.5000, 5.0000])
    """
    return add(input, _scaled(mul(tensor1, tensor2), value))


def addcdiv(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:  # noqa: A002
    """``input + value * tensor1 / tensor2``, broadcasting. Integer division is not supported
    (``tensor1`` and ``tensor2`` must not both be integral), as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.addcdiv(npgrad.ones(2), npgrad.tensor([1.0, 2.0]), npgrad.tensor([4.0, 4.0]), value=2)
    tensor([1.5000, 2.0000])
    """
    t1, t2 = tensor_arg("addcdiv", tensor1), tensor_arg("addcdiv", tensor2)
    if t1.dtype.kind in "iub" and t2.dtype.kind in "iub":
        raise TypeError(
            "addcdiv: integer division with addcdiv is not supported; use "
            "input + value * tensor1.div(tensor2, rounding_mode=...)"
        )
    return add(input, _scaled(div(t1, t2), value))


# ---- dimension helpers and stacking -----------------------------------------------------
def _atleast(op: str, ndim: int, tensors: tuple[Any, ...]) -> Any:
    single = len(tensors) == 1 and not isinstance(tensors[0], (list, tuple))
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    out = []
    for t in tensors:
        t = tensor_arg(op, t)
        if t.ndim < ndim:
            if ndim == 3 and t.ndim == 2:
                t = t.reshape(*t.shape, 1)
            elif ndim == 3 and t.ndim == 1:
                t = t.reshape(1, t.shape[0], 1)
            else:
                t = t.reshape((1,) * (ndim - t.ndim) + t.shape)
        out.append(t)
    return out[0] if single else tuple(out)


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor viewed with at least one dimension (a 0-d tensor becomes shape ``(1,)``).
    One tensor gives a tensor; several (or one sequence) give a tuple.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.atleast_1d(npgrad.tensor(1.5))
    tensor([1.5000])
    """
    return _atleast("atleast_1d", 1, tensors)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor viewed with at least two dimensions: ``(N,)`` becomes ``(1, N)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.atleast_2d(npgrad.tensor([1, 2])).shape
    (1, 2)
    """
    return _atleast("atleast_2d", 2, tensors)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor viewed with at least three dimensions: ``(N,)`` becomes ``(1, N, 1)`` and
    ``(M, N)`` becomes ``(M, N, 1)``, as in NumPy and PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.atleast_3d(npgrad.tensor([1, 2])).shape, npgrad.atleast_3d(npgrad.ones(2, 3)).shape
    ((1, 2, 1), (2, 3, 1))
    """
    return _atleast("atleast_3d", 3, tensors)


def _seq(op: str, tensors: Any) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, Sequence):
        raise TypeError(f"{op}: expected a sequence of tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{op}: expects a non-empty sequence of tensors")
    return [tensor_arg(op, t) for t in tensors]


def hstack(tensors: Sequence[Any]) -> Tensor:
    """Join horizontally: along dim 0 when every tensor is 1-d (after ``atleast_1d``), else
    along dim 1.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.hstack([npgrad.tensor([1, 2]), npgrad.tensor([3])])
    tensor([1, 2, 3])
    """
    ts = list(atleast_1d(_seq("hstack", tensors)))
    return cat(ts, 0 if all(t.ndim == 1 for t in ts) else 1)


def vstack(tensors: Sequence[Any]) -> Tensor:
    """Join vertically: ``cat(atleast_2d(tensors), 0)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.vstack([npgrad.tensor([1, 2]), npgrad.tensor([3, 4])])
    tensor([[1, 2],
            [3, 4]])
    """
    return cat(list(atleast_2d(_seq("vstack", tensors))), 0)


def dstack(tensors: Sequence[Any]) -> Tensor:
    """Join depth-wise: ``cat(atleast_3d(tensors), 2)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.dstack([npgrad.tensor([1, 2]), npgrad.tensor([3, 4])]).shape
    (1, 2, 2)
    """
    return cat(list(atleast_3d(_seq("dstack", tensors))), 2)


def column_stack(tensors: Sequence[Any]) -> Tensor:
    """Join as columns: 0-d and 1-d tensors become columns ``(N, 1)``, the rest join along
    dim 1 as they are.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.column_stack([npgrad.tensor([1, 2]), npgrad.tensor([3, 4])])
    tensor([[1, 3],
            [2, 4]])
    """
    ts = _seq("column_stack", tensors)
    return cat([t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in ts], 1)


# ---- repeat_interleave -----------------------------------------------------------------------
def repeat_interleave(
    input: Any,  # noqa: A002
    repeats: Any = None,
    dim: int | None = None,
    *,
    output_size: int | None = None,
) -> Tensor:
    """Repeat each element (each slice along ``dim``) ``repeats`` times, in place order;
    ``dim=None`` works on the flattened input. ``repeats`` is an int or a vector of one count
    per slice. Differentiable: the gradient sums over the copies.

    With only an integer tensor, ``repeat_interleave(repeats)`` gives ``i`` repeated
    ``repeats[i]`` times (PyTorch's index form).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.repeat_interleave(npgrad.tensor([1, 2, 3]), 2)
    tensor([1, 1, 2, 2, 3, 3])
    >>> npgrad.tensor([[1, 2], [3, 4]]).repeat_interleave(npgrad.tensor([1, 2]), dim=0)
    tensor([[1, 2],
            [3, 4],
            [3, 4]])
    >>> npgrad.repeat_interleave(npgrad.tensor([2, 0, 1]))
    tensor([0, 0, 2])
    """
    x = tensor_arg("repeat_interleave", input)
    if repeats is None:  # index form
        r = _repeats(x._data, None)
        return Tensor._make(np.repeat(np.arange(r.size, dtype=np.int64), r), False, None)
    if dim is None:
        x = x.reshape(-1)
        d = 0
    else:
        d = _check_dim("repeat_interleave", dim, x.ndim)
        if x.ndim == 0:
            x = x.reshape(1)
    n = x.shape[d]
    r = _repeats(repeats._data if isinstance(repeats, Tensor) else repeats, n)
    index = np.repeat(np.arange(n, dtype=np.int64), r)
    if output_size is not None and index.size != output_size:
        raise ValueError(
            f"repeat_interleave: output_size {output_size} does not match the repeats' "
            f"total {index.size}"
        )
    return index_select(x, d, Tensor._make(index, False, None))


def _repeats(r: Any, n: int | None) -> np.ndarray:
    if isinstance(r, (bool, np.bool_)):
        raise TypeError("repeat_interleave: repeats must be an int or an integer tensor")
    if isinstance(r, (int, np.integer)):
        r = np.int64(operator.index(r))
        if r < 0:
            raise ValueError("repeat_interleave: repeats can not be negative")
        return np.full(n if n is not None else 1, r, dtype=np.int64)
    arr = np.asarray(r)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"repeat_interleave: repeats must have an integer dtype, got {arr.dtype}")
    if arr.ndim > 1:
        raise ValueError("repeat_interleave: repeats must be 0-dim or 1-dim tensor")
    if np.any(arr < 0):
        raise ValueError("repeat_interleave: repeats can not be negative")
    if n is not None:
        if arr.ndim == 0 or arr.size == 1:
            arr = np.full(n, arr.reshape(()), dtype=np.int64)
        elif arr.size != n:
            raise ValueError(
                f"repeat_interleave: repeats must have the same size as input along dim, "
                f"got {arr.size} and {n}"
            )
    return arr.reshape(-1).astype(np.int64)


def diff(
    input: Any,  # noqa: A002
    n: int = 1,
    dim: int = -1,
    prepend: Any = None,
    append: Any = None,
) -> Tensor:
    """The ``n``-th forward difference ``out[i] = input[i + 1] - input[i]`` along ``dim``, after
    joining ``prepend`` and ``append`` (tensors) to ``input`` there. Bool tensors use
    ``logical_xor``, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.diff(npgrad.tensor([1.0, 4.0, 9.0, 16.0]))
    tensor([3., 5., 7.])
    >>> npgrad.diff(npgrad.tensor([1, 4, 9, 16]), n=2, prepend=npgrad.tensor([0]))
    tensor([2, 2, 2])
    """
    x = tensor_arg("diff", input)
    if x.ndim == 0:
        raise ValueError("diff: expected a tensor with at least one dimension")
    n = operator.index(n)
    if n < 0:
        raise ValueError(f"diff: order must be non-negative, got {n}")
    d = _check_dim("diff", dim, x.ndim)
    parts = [tensor_arg("diff", v) for v in (prepend,) if v is not None]
    parts.append(x)
    parts += [tensor_arg("diff", v) for v in (append,) if v is not None]
    if len(parts) > 1:
        x = cat(parts, d)
    for _ in range(n):
        length = x.shape[d]
        if length == 0:
            break
        hi, lo = x.narrow(d, 1, length - 1), x.narrow(d, 0, length - 1)
        x = logical_xor(hi, lo) if x.dtype.kind == "b" else sub(hi, lo)
    return x


# ---- reductions ------------------------------------------------------------------------------
def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    """The number of non-zero elements (over ``dim``: an int, a tuple of ints, or all), as an
    int64 tensor. No gradient.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.count_nonzero(npgrad.tensor([[0, 1, 2], [0, 0, 3]]), dim=1)
    tensor([2, 1])
    """
    x = tensor_arg("count_nonzero", input)
    if dim is None:
        axis: Any = None
    elif isinstance(dim, (tuple, list)):
        axis = tuple(_check_dim("count_nonzero", d, x.ndim) for d in dim)
        if len(set(axis)) != len(axis):
            raise ValueError(f"count_nonzero: dim {tuple(dim)} appears multiple times")
    else:
        axis = _check_dim("count_nonzero", dim, x.ndim)
    out = np.count_nonzero(x._data, axis=axis) if x.ndim else np.count_nonzero(x._data)
    return Tensor._make(np.asarray(out, dtype=np.int64), False, None)


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """Sum treating nan as zero; nan elements get zero gradient.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.nansum(npgrad.tensor([1.0, float("nan"), 2.0]))
    tensor(3.)
    """
    x = tensor_arg("nansum", input)
    if x.dtype.kind == "f":
        x = where(isnan(x), 0.0, x)
    return _sum(x, dim, keepdim, dtype=dtype)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """Mean of the non-nan elements (nan where there are none). Floating point only.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.nanmean(npgrad.tensor([[1.0, float("nan")], [2.0, 4.0]]), dim=1)
    tensor([1., 3.])
    """
    x = tensor_arg("nanmean", input)
    target = x.dtype if dtype is None else dtypes.to_dtype(dtype)
    if x.dtype.kind != "f" or target.kind != "f":
        raise TypeError(f"nanmean: expected a floating point input and dtype, got {target}")
    keep = Tensor._make(~np.isnan(x._data), False, None)
    count = _sum(keep, dim, keepdim, dtype=target)
    with np.errstate(invalid="ignore", divide="ignore"):  # all-nan slices: nan, silently
        return div(nansum(x, dim, keepdim, dtype=target), count)


# ---- queries -----------------------------------------------------------------------------------
def numel(input: Tensor) -> int:  # noqa: A002
    """The number of elements of ``input``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.numel(npgrad.zeros(2, 3))
    6
    """
    return tensor_arg("numel", input).numel()


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is an npgrad Tensor.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.is_tensor(npgrad.tensor(1.0)), npgrad.is_tensor(1.0)
    (True, False)
    """
    return isinstance(obj, Tensor)


def is_nonzero(input: Tensor) -> bool:  # noqa: A002
    """Whether the single element of a one-element tensor is non-zero; a RuntimeError for
    any other number of elements, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.is_nonzero(npgrad.tensor([0.5])), npgrad.is_nonzero(npgrad.tensor(0))
    (True, False)
    """
    x = tensor_arg("is_nonzero", input)
    if x.numel() == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if x.numel() > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(x._data.reshape(()))
