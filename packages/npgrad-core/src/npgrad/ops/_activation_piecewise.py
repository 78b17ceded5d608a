"""``leaky_relu``, ``hardtanh``, ``relu6``, ``hardsigmoid`` and ``hardswish``: the piecewise-linear
activations (``hardswish`` is piecewise quadratic), fused forwards whose backwards are ``where``
compositions, differentiable again. Re-exported by :mod:`npgrad.ops.activation`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad.autograd.function import Function
from npgrad.ops._activation_util import _float_input, _round, _vector
from npgrad.ops._promote import tensor_arg
from npgrad.ops.comparison import where
from npgrad.tensor import Tensor


# ---- piecewise linear -------------------------------------------------------------------------------
class LeakyRelu(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, negative_slope: float) -> np.ndarray:
        ctx.save_for_backward(a)
        ctx.slope = negative_slope
        return np.where(a > 0, a, a * negative_slope)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (x,) = ctx.saved_tensors
        # at x = 0 the slope is negative_slope, as in PyTorch (x > 0 picks the identity)
        return where(x > 0, grad, grad * ctx.slope), None


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:  # noqa: A002
    """``x`` for ``x > 0``, else ``negative_slope * x``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.leaky_relu(npgrad.tensor([-2.0, 3.0]), 0.5)
    tensor([-1.,  3.])
    """
    x = _float_input("leaky_relu", input)
    return LeakyRelu.apply(x, float(negative_slope))  # type: ignore[no-any-return]


class Hardtanh(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, min_val: float, max_val: float) -> np.ndarray:
        ctx.save_for_backward(a)
        ctx.bounds = (min_val, max_val)
        if a.dtype.kind != "f":  # integer tensors clamp with integer bounds, as in PyTorch
            info = np.iinfo(a.dtype)
            lo, hi = (min(max(int(v), info.min), info.max) for v in (min_val, max_val))
            return np.clip(a, a.dtype.type(lo), a.dtype.type(hi))
        return np.clip(a, min_val, max_val)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        (x,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        # zero at and beyond both bounds (PyTorch: x <= min_val or x >= max_val gives 0)
        return where((x > lo) & (x < hi), grad, 0.0), None, None


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:  # noqa: A002
    """``x`` clamped to ``[min_val, max_val]`` (integer tensors allowed, as in PyTorch).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.hardtanh(npgrad.tensor([-2.0, 0.5, 2.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    x = tensor_arg("hardtanh", input)
    if x.dtype.kind == "b":
        raise TypeError("hardtanh: not implemented for bool tensors")
    if min_val > max_val:
        raise ValueError(
            f"hardtanh: min_val cannot be greater than max_val, got {min_val} > {max_val}"
        )
    return Hardtanh.apply(x, float(min_val), float(max_val))  # type: ignore[no-any-return]


def relu6(input: Tensor) -> Tensor:  # noqa: A002
    """``min(max(0, x), 6)``: ``hardtanh(x, 0, 6)``, with its zero gradient at 0 and 6.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.relu6(npgrad.tensor([-1.0, 3.0, 8.0]))
    tensor([0., 3., 6.])
    """
    return hardtanh(input, 0.0, 6.0)


class Hardsigmoid(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a)
        out = _vector(a) + 3.0
        np.clip(out, 0.0, 6.0, out=out)
        out /= 6.0
        return _round(out, a)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        # 1/6 strictly inside (-3, 3), 0 at the kinks, as in PyTorch
        return where((x > -3.0) & (x < 3.0), grad * (1.0 / 6.0), 0.0)


def hardsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """``relu6(x + 3) / 6``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.hardsigmoid(npgrad.tensor([-4.0, 0.0, 4.0]))
    tensor([0.0000, 0.5000, 1.0000])
    """
    return Hardsigmoid.apply(_float_input("hardsigmoid", input))  # type: ignore[no-any-return]


class Hardswish(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a)
        x = _vector(a)
        out = x + 3.0
        np.clip(out, 0.0, 6.0, out=out)
        out *= x
        out /= 6.0
        return _round(out, a)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        # PyTorch: 0 for x <= -3, x/3 + 1/2 for -3 < x < 3, 1 for x >= 3 (so 0 at -3, 1 at 3)
        mid = where(x < 3.0, grad * (x * (1.0 / 3.0) + 0.5), grad)
        return where(x > -3.0, mid, 0.0)


def hardswish(input: Tensor) -> Tensor:  # noqa: A002
    """``x * relu6(x + 3) / 6``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.hardswish(npgrad.tensor([-2.0, 1.0, 4.0]))
    tensor([-0.3333,  0.6667,  4.0000])
    """
    return Hardswish.apply(_float_input("hardswish", input))  # type: ignore[no-any-return]
