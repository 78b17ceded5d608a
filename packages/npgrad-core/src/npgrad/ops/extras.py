"""Commonly used PyTorch conveniences: ``fmod``, ``hypot``, ``logaddexp``, ``copysign``,
``frac``, ``deg2rad``, ``rad2deg``, ``addmm``/``addmv``/``baddbmm``/``addcmul``/``addcdiv``,
``clamp_min``/``clamp_max``, the reductions ``count_nonzero``, ``nansum``/``nanmean``,
``var_mean``/``std_mean``, ``bincount``, the comparison ``isclose`` and the queries ``numel``,
``is_tensor``, ``is_nonzero``.

Most are compositions of existing ops, so their gradients (to any order) come for free. The
ones with their own Function (``fmod``, ``hypot``, ``logaddexp``, ``copysign``) write their
backward in npgrad ops, so it is differentiable again.

The reductions (``count_nonzero``, ``nansum``/``nanmean``, ``var_mean``/``std_mean``,
``bincount``) live in :mod:`npgrad.ops._extras_reductions` and are re-exported here.

The dimension helpers and stacks (``atleast_1d``..., ``hstack``...), ``repeat_interleave``,
``diff``, the grid and matrix helpers (``meshgrid``, ``diag``, ``diag_embed``, ``cross``,
``kron``, ``rot90``) and the slicers ``select``/``tensor_split`` are in :mod:`npgrad.ops.other`;
the scans ``cummax``/``cummin``/``logcumsumexp`` are in :mod:`npgrad.ops.scan`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.autograd.function import Function
from npgrad.ops._broadcast import sum_to
from npgrad.ops._extras_reductions import (
    bincount,
    count_nonzero,
    nanmean,
    nansum,
    std_mean,
    var_mean,
)
from npgrad.ops._promote import binary, check_broadcast, const, operands, tensor_arg
from npgrad.ops.arithmetic import _check_int_divisor, add, div, mul, sub
from npgrad.ops.binary import _binary, clamp
from npgrad.ops.elementwise import sigmoid, trunc
from npgrad.ops.linalg import bmm, mm, mv
from npgrad.tensor import Tensor

__all__ = [
    "addcdiv",
    "addcmul",
    "addmm",
    "addmv",
    "baddbmm",
    "bincount",
    "clamp_max",
    "clamp_min",
    "copysign",
    "count_nonzero",
    "deg2rad",
    "fmod",
    "frac",
    "hypot",
    "is_nonzero",
    "is_tensor",
    "isclose",
    "logaddexp",
    "nanmean",
    "nansum",
    "numel",
    "rad2deg",
    "std_mean",
    "var_mean",
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
    """Degrees to radians; integer and bool tensors give the default float dtype.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.deg2rad(npgrad.tensor([180.0, -90.0]))
    tensor([ 3.1416, -1.5708])
    """
    return mul(_angle("deg2rad", input), np.pi / 180.0)


def rad2deg(input: Tensor) -> Tensor:  # noqa: A002
    """Radians to degrees; integer and bool tensors give the default float dtype.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.rad2deg(npgrad.tensor([3.141592653589793, 1.0]))
    tensor([180.0000,  57.2958])
    """
    return mul(_angle("rad2deg", input), 180.0 / np.pi)


def _angle(op: str, x: Any) -> Tensor:
    x = tensor_arg(op, x)
    if x.dtype.kind == "b":  # PyTorch converts bools like integers: to the default float dtype
        return x.to(dtypes.get_default_dtype())
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
    x, t1, t2 = (tensor_arg("addcmul", v) for v in (input, tensor1, tensor2))
    if isinstance(value, float) and all(t.dtype.kind in "iub" for t in (x, t1, t2)):
        value = int(value)  # integer tensors: PyTorch truncates the factor
    return _opmath16(lambda a, b, c: add(a, _scaled(mul(b, c), value)), x, t1, t2)


def _opmath16(fn: Any, *tensors: Tensor) -> Tensor:
    """``fn(*tensors)``, computed in float32 and rounded once when the result is float16
    (PyTorch's "opmath" for the fused ``addcmul``/``addcdiv``)."""
    if dtypes.result_type(*tensors) == np.float16:
        return fn(*(t.float() if t.dtype == np.float16 else t for t in tensors)).half()  # type: ignore[no-any-return]
    return fn(*tensors)  # type: ignore[no-any-return]


def addcdiv(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:  # noqa: A002
    """``input + value * tensor1 / tensor2``, broadcasting. Integer division is not supported
    (``tensor1`` and ``tensor2`` must not both be integral), as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.addcdiv(npgrad.ones(2), npgrad.tensor([1.0, 2.0]), npgrad.tensor([4.0, 4.0]), value=2)
    tensor([1.5000, 2.0000])
    """
    x, t1, t2 = (tensor_arg("addcdiv", v) for v in (input, tensor1, tensor2))
    if t1.dtype.kind in "iub" and t2.dtype.kind in "iub":
        raise TypeError(
            "addcdiv: integer division with addcdiv is not supported; use "
            "input + value * tensor1.div(tensor2, rounding_mode=...)"
        )
    return _opmath16(lambda a, b, c: add(a, _scaled(div(b, c), value)), x, t1, t2)


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
