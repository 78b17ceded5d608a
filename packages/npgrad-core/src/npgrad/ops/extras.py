"""Commonly used PyTorch conveniences: ``fmod``, ``hypot``, ``logaddexp``, ``copysign``,
``frac``, ``deg2rad``, ``rad2deg``, ``addmm``/``addmv``/``addcmul``/``addcdiv``,
``clamp_min``/``clamp_max``, ``atleast_1d``/``2d``/``3d``,
``hstack``/``vstack``/``dstack``/``column_stack``, ``repeat_interleave``, the matrix and grid
helpers ``diag``/``diag_embed``/``cross``/``kron``/``rot90``/``meshgrid``, the slicers
``select``/``tensor_split``, the scans ``cummax``/``cummin``/``logcumsumexp``, the reductions
``count_nonzero``, ``nansum``/``nanmean``, ``var_mean``/``std_mean``, ``bincount``, the
comparison ``isclose`` and the queries ``numel``, ``is_tensor``, ``is_nonzero``.

Most are compositions of existing ops, so their gradients (to any order) come for free. The
ones with their own Function (``fmod``, ``hypot``, ``logaddexp``, ``copysign``,
``logcumsumexp``) write their backward in npgrad ops, so it is differentiable again.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from npgrad import dtypes
from npgrad.autograd.function import Function
from npgrad.ops._aliases import numpy_aliases as _numpy_aliases
from npgrad.ops._broadcast import sum_to
from npgrad.ops._joining import DiagonalScatter, cat, diagonal, flip
from npgrad.ops._promote import binary, check_broadcast, const, operands, tensor_arg
from npgrad.ops._shape_util import ShapeError, _ints
from npgrad.ops.arithmetic import _check_int_divisor, add, div, mul, sub
from npgrad.ops.binary import _binary, clamp
from npgrad.ops.comparison import isnan, logical_xor, where
from npgrad.ops.elementwise import abs as _abs
from npgrad.ops.elementwise import exp, log, sigmoid, trunc
from npgrad.ops.gather_scatter import gather
from npgrad.ops.linalg import bmm, mm, mv
from npgrad.ops.reduction import Std, Var, _dim, _var, mean
from npgrad.ops.reduction import sum as _sum
from npgrad.ops.selection import index_select, masked_fill
from npgrad.ops.shape import clone, expand, transpose
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
    "bincount",
    "clamp_max",
    "clamp_min",
    "column_stack",
    "copysign",
    "count_nonzero",
    "cross",
    "cummax",
    "cummin",
    "deg2rad",
    "diag",
    "diag_embed",
    "diff",
    "dstack",
    "fmod",
    "frac",
    "hstack",
    "hypot",
    "is_nonzero",
    "is_tensor",
    "isclose",
    "kron",
    "logaddexp",
    "logcumsumexp",
    "meshgrid",
    "nanmean",
    "nansum",
    "numel",
    "rad2deg",
    "repeat_interleave",
    "rot90",
    "select",
    "std_mean",
    "tensor_split",
    "var_mean",
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
        need_a, need_b = ctx.needs_input_grad
        out = np.asarray(np.hypot(a, b))  # a 0-d result must stay the array saved as the output
        # only what each gradient needs: an operand that needs none may change afterwards
        ctx.save_for_backward(a if need_a else None, b if need_b else None, out)
        ctx.shapes = (np.shape(a), np.shape(b))
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b, h = ctx.saved_tensors
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        # d/da = a / hypot(a, b), with the saved output (differentiable through this node); at
        # the origin 0/0 = nan, as PyTorch gives
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
    # PyTorch's promotion: a float operand makes an integer or bool one (tensor or scalar)
    # float; but there is no integer kernel, so operands that are all integral are refused
    a, b = operands(op, a, b)
    t = a if isinstance(a, Tensor) else b
    if t.dtype.kind != "f":
        raise TypeError(
            f"{op}: expected a floating point operand, got only {t.dtype} ones; cast one with "
            ".float()"
        )
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
    """``sqrt(input² + other²)`` without intermediate overflow, broadcasting. An integer or
    bool operand is promoted to the other's floating dtype; two integral operands are a
    TypeError (PyTorch has no integer kernel either).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.hypot(npgrad.tensor([3.0, 5.0]), npgrad.tensor([4.0, 12.0]))
    tensor([ 5., 13.])
    >>> npgrad.hypot(npgrad.tensor([3.0], dtype=npgrad.float64), npgrad.tensor([4]))
    tensor([5.], dtype=npgrad.float64)
    """
    return _float_binary(Hypot, "hypot", input, other)


def logaddexp(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``log(exp(input) + exp(other))`` computed stably, broadcasting. An integer or bool
    operand is promoted to the other's floating dtype; two integral operands are a TypeError.

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


# ---- copysign, frac ----------------------------------------------------------------------------
class Copysign(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = np.asarray(np.copysign(a, b))
        ctx.shapes = (np.shape(a), np.shape(b))
        if ctx.needs_input_grad[0]:
            # PyTorch's gradient: result / input (+1 or -1), and 0 where the input is 0; it is
            # piecewise constant, so a constant here keeps second order right
            with np.errstate(invalid="ignore", divide="ignore"):
                ctx.factor = np.where(a != 0, out / a, out.dtype.type(0))
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        ga = sum_to(grad * const(ctx.factor), sa) if need_a else None
        # the sign of ``other`` is piecewise constant: zero gradient, as PyTorch gives
        gb = const(np.zeros(sb, grad.dtype)) if need_b else None
        return ga, gb


def copysign(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The magnitude of ``input`` with the sign of ``other`` (its sign bit: ``-0.0`` counts
    as negative), broadcasting. Integer and bool inputs give the default float dtype.

    The gradient is ``±1`` for ``input`` (0 where ``input`` is 0) and 0 for ``other``, as in
    PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.copysign(npgrad.tensor([1.0, -2.0, 3.0]), npgrad.tensor([-1.0, 1.0, -0.0]))
    tensor([-1.,  2., -3.])
    >>> npgrad.copysign(npgrad.tensor([1, 2]), -1)
    tensor([-1., -2.])
    """
    return _binary(Copysign, "copysign", input, other, to_float=True)


def frac(input: Tensor) -> Tensor:  # noqa: A002
    """The fractional part ``input - trunc(input)`` (with the sign of ``input``). Floating
    point only, as in PyTorch; the gradient is 1.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.frac(npgrad.tensor([-1.5, 2.25]))
    tensor([-0.5000,  0.2500])
    """
    x = tensor_arg("frac", input)
    if x.dtype.kind != "f":
        raise TypeError(f"frac: expected a floating point tensor, got {x.dtype}")
    return sub(x, trunc(x))


# ---- isclose -------------------------------------------------------------------------------------
def isclose(
    input: Tensor,  # noqa: A002
    other: Tensor,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
) -> Tensor:
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (or equal, so that equal
    infinities are close), broadcasting, as a bool tensor. Both tensors must have the same
    dtype, as in PyTorch; ``equal_nan`` makes two nans close.

    Examples
    --------
    >>> import npgrad
    >>> a = npgrad.tensor([1.0, 2.0, float("nan"), float("inf")])
    >>> npgrad.isclose(a, npgrad.tensor([1.0 + 1e-6, 2.1, float("nan"), float("inf")]))
    tensor([ True, False, False,  True])
    """
    a, b = tensor_arg("isclose", input), tensor_arg("isclose", other)
    if a.dtype != b.dtype:
        raise TypeError(
            f"isclose: expected both inputs to have the same dtype, got {a.dtype} and {b.dtype}"
        )
    if rtol < 0 or atol < 0:
        raise ValueError(f"isclose: rtol and atol must be >= 0, got rtol={rtol}, atol={atol}")
    check_broadcast("isclose", a, b)
    x, y = a._data, b._data
    if x.dtype.kind == "b":
        x, y = x.astype(np.int64), y.astype(np.int64)
    # floats in their own dtype (float32 stays float32); integers through float64
    d = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    xf, yf = x.astype(d, copy=False), y.astype(d, copy=False)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(xf - yf)
        close = (x == y) | (np.isfinite(err) & (err <= d.type(atol) + np.abs(d.type(rtol) * yf)))
    if equal_nan and d.kind == "f":
        close |= np.isnan(xf) & np.isnan(yf)
    return const(np.asarray(close))


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
    (2, 3)
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


# ---- slicing: select, tensor_split -------------------------------------------------------------
def select(input: Tensor, dim: int, index: int) -> Tensor:  # noqa: A002
    """The slice of ``input`` at ``index`` along ``dim``, without that dimension (a view):
    ``select(x, 1, i)`` is ``x[:, i]``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.select(npgrad.tensor([[1, 2], [3, 4]]), 1, -1)
    tensor([2, 4])
    """
    x = tensor_arg("select", input)
    if x.ndim == 0:
        raise IndexError("select: cannot be applied to a 0-dim tensor")
    d = _check_dim("select", dim, x.ndim)
    i = operator.index(index)
    n = x.shape[d]
    if not -n <= i < n:
        raise IndexError(
            f"select: index {i} out of range for tensor of shape {x.shape} at dimension {d}"
        )
    return x[(slice(None),) * d + (i,)]


def tensor_split(
    input: Tensor,  # noqa: A002
    indices_or_sections: Any,
    dim: int = 0,
) -> tuple[Tensor, ...]:
    """Views of ``input`` cut along ``dim``: an int ``n`` gives ``n`` pieces whose sizes
    differ by at most one (the first ones larger); a sequence of indices (or a 1-d int64
    tensor) cuts before each index, like NumPy's ``array_split`` (indices may be negative,
    out of range or decreasing, as in Python slicing). A 0-d int64 tensor is a count.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.tensor_split(npgrad.arange(7), 3)
    (tensor([0, 1, 2]), tensor([3, 4]), tensor([5, 6]))
    >>> npgrad.arange(7).tensor_split([1, 5])
    (tensor([0]), tensor([1, 2, 3, 4]), tensor([5, 6]))
    """
    x = tensor_arg("tensor_split", input)
    if x.ndim == 0:
        raise ShapeError("tensor_split: expected at least a 1-dimensional tensor, got 0-d")
    d = _check_dim("tensor_split", dim, x.ndim)
    ios = indices_or_sections
    if isinstance(ios, (Tensor, np.ndarray)):
        arr = ios._data if isinstance(ios, Tensor) else ios
        if arr.dtype != np.int64:
            raise TypeError(
                f"tensor_split: expected indices_or_sections to have dtype int64, got {arr.dtype}"
            )
        if arr.ndim > 1:
            raise ShapeError(
                "tensor_split: expected indices_or_sections to be a 0-d or 1-d tensor, got "
                f"shape {arr.shape}"
            )
        ios = int(arr) if arr.ndim == 0 else arr.tolist()
    n = x.shape[d]
    if isinstance(ios, (list, tuple)):
        cuts = list(_ints("tensor_split", (ios,), "indices"))
        bounds = list(zip([0, *cuts], [*cuts, n]))
    else:
        if isinstance(ios, bool):
            raise TypeError("tensor_split: indices_or_sections must be an int or a sequence")
        sections = operator.index(ios)
        if sections <= 0:
            raise ValueError(
                f"tensor_split: number of sections must be larger than 0, got {sections}"
            )
        q, r = divmod(n, sections)
        sizes = [q + 1] * r + [q] * (sections - r)
        ends = np.cumsum(sizes).tolist()
        bounds = [(e - s, e) for s, e in zip(sizes, ends)]
    lead = (slice(None),) * d
    return tuple(x[lead + (slice(lo, hi),)] for lo, hi in bounds)


# ---- scans: cummax, cummin, logcumsumexp -------------------------------------------------------
class _CummaxResult(NamedTuple):
    """``cummax(input, dim)``: ``(values, indices)``, printed like PyTorch's."""

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return f"npgrad.return_types.cummax(\nvalues={self.values!r},\nindices={self.indices!r})"


class _CumminResult(NamedTuple):
    """``cummin(input, dim)``: ``(values, indices)``, printed like PyTorch's."""

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return f"npgrad.return_types.cummin(\nvalues={self.values!r},\nindices={self.indices!r})"


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
        out = a.copy() if axis is None else np.logaddexp.accumulate(a, axis=axis)
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


# ---- var_mean, std_mean, bincount ------------------------------------------------------------
def _moments(
    op: str, fn: Any, input: Any, dim: Any, unbiased: Any, keepdim: Any, correction: Any
) -> tuple[Tensor, Tensor]:
    x = tensor_arg(op, input)
    if isinstance(dim, bool):  # var_mean(x, False): PyTorch's overload taking unbiased first
        dim, unbiased = None, dim
    spread = _var(op, fn, x, dim, unbiased, keepdim, correction)
    return spread, mean(x, dim, bool(keepdim))


@_numpy_aliases
def var_mean(
    input: Tensor,  # noqa: A002
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    """``(var(input, ...), mean(input, ...))`` over ``dim``, with :func:`var`'s arguments
    (``correction`` defaults to 1; ``unbiased=False`` is 0). A plain tuple, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.var_mean(npgrad.tensor([[1.0, 2.0], [3.0, 6.0]]), dim=1)
    (tensor([0.5000, 4.5000]), tensor([1.5000, 4.5000]))
    """
    return _moments("var_mean", Var, input, dim, unbiased, keepdim, correction)


@_numpy_aliases
def std_mean(
    input: Tensor,  # noqa: A002
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    """``(std(input, ...), mean(input, ...))`` over ``dim``, with :func:`std`'s arguments.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.std_mean(npgrad.tensor([1.0, 3.0]), correction=0)
    (tensor(1.), tensor(2.))
    """
    return _moments("std_mean", Std, input, dim, unbiased, keepdim, correction)


def bincount(input: Tensor, weights: Any = None, minlength: int = 0) -> Tensor:  # noqa: A002
    """How many times each value ``0 .. max(input)`` occurs in a 1-d tensor of non-negative
    integers (at least ``minlength`` counts), as int64; with ``weights`` (one per element),
    their sums instead: float32 for float32 weights, float64 for any other dtype (PyTorch's
    rule). No gradient.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.bincount(npgrad.tensor([1, 1, 3]))
    tensor([0, 2, 0, 1])
    >>> npgrad.bincount(npgrad.tensor([1, 1, 3]), weights=npgrad.tensor([0.5, 0.5, 2.0]))
    tensor([0., 1., 0., 2.])
    """
    x = tensor_arg("bincount", input)
    if x.dtype.kind not in "iu":
        raise TypeError(f"bincount: expected an integer tensor, got {x.dtype}")
    if x.ndim != 1 or (x.numel() and x._data.min() < 0):
        raise ValueError(
            f"bincount: only supports 1-d non-negative integral inputs, got shape {x.shape}"
            + (f" with minimum {x._data.min()}" if x.ndim == 1 else "")
        )
    if isinstance(minlength, bool):
        raise TypeError("bincount: minlength must be an int")
    n = operator.index(minlength)
    if n < 0:
        raise ValueError(f"bincount: minlength should be >= 0, got {n}")
    idx = x._data.astype(np.intp, copy=False)
    if weights is None:
        return const(np.bincount(idx, minlength=n).astype(np.int64, copy=False))
    w = tensor_arg("bincount", weights)
    if w.shape != x.shape:
        raise ValueError(
            "bincount: weights should be 1-d and have the same length as input, got shapes "
            f"{w.shape} and {x.shape}"
        )
    out_dtype = np.float32 if w.dtype == np.float32 else np.float64
    counts = np.bincount(idx, weights=w._data.astype(np.float64), minlength=n)
    return const(counts.astype(out_dtype, copy=False))


# ---- helpers of in-place Tensor methods ------------------------------------------------------
def _fill_diagonal(input: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:  # noqa: A002
    """``input`` with its main diagonal (all indices equal) set to ``fill_value``, out of
    place; ``Tensor.fill_diagonal_`` writes it back. ``wrap``: in a tall matrix the diagonal
    starts again after every ``columns + 1`` rows, as in NumPy and PyTorch."""
    x = tensor_arg("fill_diagonal_", input)
    if x.ndim < 2:
        raise ShapeError(f"fill_diagonal_: dimensions must be larger than 1, got shape {x.shape}")
    if x.ndim > 2 and len(set(x.shape)) != 1:
        raise ShapeError(
            f"fill_diagonal_: all dimensions of input must be of equal length, got {x.shape}"
        )
    if isinstance(fill_value, Tensor):
        raise TypeError("fill_diagonal_: fill_value must be a number, got a Tensor")
    mask = np.zeros(x.shape, dtype=bool)
    np.fill_diagonal(mask, True, wrap=bool(wrap))
    return masked_fill(x, const(mask), fill_value)
