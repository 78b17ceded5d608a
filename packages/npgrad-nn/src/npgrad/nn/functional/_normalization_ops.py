"""The fused normalization Function :class:`_Normalize` behind ``batch_norm``, ``instance_norm``,
``layer_norm`` and ``group_norm`` (see :mod:`npgrad.nn.functional._normalization`): the
``_Plan`` that views an input for it, the NumPy forward, the running-statistics update, and the
closed-form backward in NumPy and, under ``create_graph=True``, in npgrad ops.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from npgrad import Tensor
from npgrad.autograd.function import Function
from npgrad.autograd.grad_mode import is_grad_enabled_fast


class _Plan(NamedTuple):
    """How one normalization sees its input (all axes are axes of ``view``)."""

    view: tuple[int, ...]  # the input reshaped
    stat_axes: tuple[int, ...]  # mean and variance are taken over these
    affine_shape: tuple[int, ...]  # weight and bias reshaped to broadcast over the view
    affine_axes: tuple[int, ...]  # weight/bias gradients sum over these
    numel: int  # elements per statistic
    instance: bool  # per-sample statistics whose running averages are also over the batch
    # PyTorch's batch-norm kernel (batch and instance norm) rounds a half input's float32 batch
    # mean and 1/std to half before normalizing in float32; layer and group norm keep float32
    half_stats: bool = False


def _sum_keep(a: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    # One axis at a time: NumPy sums a leading axis (whole blocks added) or the trailing one
    # fast, but a tuple of axes around a kept middle axis 3-4x slower.
    for ax in axes:
        a = a.sum(axis=ax, keepdims=True)
    return a


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _dot_keep(a: np.ndarray, b: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """``(a * b).sum(axes, keepdims=True)`` without the product temporary (2x faster)."""
    ins = _LETTERS[: a.ndim]
    out = "".join(ch for i, ch in enumerate(ins) if i not in axes)
    kept = tuple(1 if i in axes else n for i, n in enumerate(a.shape))
    return np.einsum(f"{ins},{ins}->{out}", a, b).reshape(kept)


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None)


class _Normalize(Function):
    """``(x - mean) / sqrt(var + eps) * weight + bias`` on ``x.reshape(plan.view)``.

    ``stats`` is None for batch statistics (biased variance); otherwise the ``(mean, var)``
    arrays to use as constants (evaluation with running statistics). ``running`` is None or
    ``(running_mean, running_var, momentum)``: arrays updated in place with the batch mean
    and the unbiased batch variance, as PyTorch's kernel does. Like PyTorch, only the mean
    and ``1 / std`` are kept for backward, not the normalized input: it is recomputed there,
    in the buffer that becomes the input's gradient (fewer live activation-sized arrays,
    which on a large input matters more than the two passes).
    """

    @staticmethod
    def forward(
        ctx: Any,
        x: np.ndarray,
        weight: np.ndarray | None,
        bias: np.ndarray | None,
        plan: _Plan,
        eps: float,
        stats: tuple[np.ndarray, np.ndarray] | None,
        running: tuple[np.ndarray, np.ndarray, float] | None,
    ) -> np.ndarray:
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(x, weight, bias)
        # PyTorch's "opmath": half precision is normalized in float32, then rounded once
        half = x.dtype == np.float16
        if half:
            x = x.astype(np.float32)
            weight = None if weight is None else weight.astype(np.float32)
            bias = None if bias is None else bias.astype(np.float32)
        xv = x.reshape(plan.view)
        result = np.empty(x.shape, x.dtype)
        out = result.reshape(plan.view)  # computed in place through this view of the result
        if stats is None:
            mean = _sum_keep(xv, plan.stat_axes)
            mean /= plan.numel
            np.subtract(xv, mean, out=out)
            var = _dot_keep(out, out, plan.stat_axes)
            var /= plan.numel
            if running is not None:
                _update_running(running, mean, var, plan)
        else:
            mean, var = stats
            if half:  # half running statistics, used in float32
                mean, var = mean.astype(np.float32), var.astype(np.float32)
            np.subtract(xv, mean, out=out)
        invstd = np.sqrt(var + x.dtype.type(eps))
        np.reciprocal(invstd, out=invstd)
        if half and plan.half_stats and stats is None:
            mean = mean.astype(np.float16).astype(np.float32)
            invstd = invstd.astype(np.float16).astype(np.float32)
            np.subtract(xv, mean, out=out)
        if weight is None:
            out *= invstd
        elif all(plan.affine_shape[a] == 1 for a in plan.stat_axes):
            out *= invstd * weight.reshape(plan.affine_shape)  # one scale per statistic
        else:
            out *= invstd
            out *= weight.reshape(plan.affine_shape)
        if bias is not None:
            out += bias.reshape(plan.affine_shape)
        if any(ctx.needs_input_grad):
            ctx.plan, ctx.eps, ctx.stats = plan, eps, stats
            ctx.mean, ctx.invstd = mean, invstd
        return result.astype(np.float16) if half else result

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, weight, bias = ctx.saved_tensors
        if is_grad_enabled_fast():  # create_graph: a differentiable gradient
            grads = _normalize_backward_graph(ctx, x, weight, bias, grad)
        else:
            grads = _normalize_backward_numpy(ctx, x, weight, bias, grad)
        return (*grads, None, None, None, None)


def _update_running(
    running: tuple[np.ndarray, np.ndarray, float], mean: np.ndarray, var: np.ndarray, plan: _Plan
) -> None:
    running_mean, running_var, momentum = running
    n = plan.numel
    # PyTorch stores the unbiased variance (n / (n - 1)) while normalizing with the biased one
    unbiased = var * (n / (n - 1)) if n > 1 else np.full_like(var, np.nan)
    for buf, new in ((running_mean, mean), (running_var, unbiased)):
        # PyTorch's update, computed in float32 for half buffers ("opmath"), rounded once
        wide = np.dtype(np.float32) if buf.dtype == np.float16 else buf.dtype
        old = buf.reshape(-1).astype(wide, copy=False)
        step = wide.type(momentum) * new.reshape(-1, buf.size).astype(wide, copy=False)
        step += wide.type(1.0 - momentum) * old
        if plan.instance:  # one updated copy per sample (rounded), then their batch average
            step = step.astype(buf.dtype, copy=False).mean(axis=0, dtype=wide)
        buf[...] = step.reshape(buf.shape)


def _normalize_backward_numpy(
    ctx: Any, x: Tensor, weight: Tensor | None, bias: Tensor | None, grad: Tensor
) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
    plan, invstd = ctx.plan, ctx.invstd
    need_x, need_w, need_b = ctx.needs_input_grad[:3]
    batch_stats = ctx.stats is None
    g = grad._data.reshape(plan.view)
    w = None if weight is None else weight._data.reshape(plan.affine_shape)
    # Batch and instance norm have one weight per statistic: it factors out of the means in
    # dx, which are then the first stage of the weight/bias gradient sums (all of them, for
    # batch norm), so those sums are taken over the statistic axes first.
    factors = all(plan.affine_shape[a] == 1 for a in plan.stat_axes)
    if factors:
        first = plan.stat_axes
        rest = tuple(a for a in plan.affine_axes if a not in plan.stat_axes)
    else:
        first, rest = plan.affine_axes, ()
    stat_sums = need_x and batch_stats and factors
    # the input's gradient is built in place in this buffer, of the input's own shape: an
    # array that owns its memory, which the engine can hand to x.grad without a copy
    result = np.empty(x.shape, x.dtype)
    xhat = result.reshape(plan.view)
    if need_w or (need_x and batch_stats):
        np.subtract(x._data.reshape(plan.view), ctx.mean, out=xhat)
        xhat *= invstd
    sum_g = _sum_keep(g, first) if need_b or stat_sums else None
    sum_gx = _dot_keep(g, xhat, first) if need_w or stat_sums else None
    gx = gw = gb = None
    if need_b:
        assert sum_g is not None and bias is not None  # needs_input_grad implies both
        gb = _const(_sum_keep(sum_g, rest).reshape(bias.shape).astype(bias.dtype, copy=False))
    if need_w:
        assert sum_gx is not None and weight is not None
        gw = _const(_sum_keep(sum_gx, rest).reshape(weight.shape).astype(weight.dtype, copy=False))
    if need_x:
        k = 1.0 / plan.numel if plan.numel else 0.0  # no elements per statistic: x is empty
        if not batch_stats:  # constant statistics: the op is affine in x
            dx = np.multiply(g, invstd if w is None else invstd * w, out=xhat)
        elif factors:  # dx = w * invstd * (g - mean(g) - xhat * mean(g * xhat)), in place
            assert sum_g is not None and sum_gx is not None  # stat_sums
            dx = xhat
            dx *= sum_gx * k
            dx += sum_g * k
            np.subtract(g, dx, out=dx)
            dx *= invstd if w is None else invstd * w
        else:  # the same with gy = g * w, whose means no longer factor
            gy = g if w is None else g * w
            dx = xhat
            dx *= _dot_keep(gy, xhat, plan.stat_axes) * k
            dx += _sum_keep(gy, plan.stat_axes) * k
            np.subtract(gy, dx, out=dx)
            dx *= invstd
        gx = _const(result)
    return gx, gw, gb


def _normalize_backward_graph(
    ctx: Any, x: Tensor, weight: Tensor | None, bias: Tensor | None, grad: Tensor
) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
    plan = ctx.plan
    need_x, need_w, need_b = ctx.needs_input_grad[:3]
    axes = plan.stat_axes
    xv = x.reshape(plan.view)
    if ctx.stats is None:  # the statistics are functions of x: recompute them in the graph
        centred = xv - xv.mean(axes, keepdim=True)
        invstd = ((centred * centred).mean(axes, keepdim=True) + ctx.eps).rsqrt()
    else:
        centred = xv - _const(ctx.mean.astype(x.dtype, copy=False))  # a half x has float32 stats
        invstd = _const(ctx.invstd.astype(x.dtype, copy=False))
    xhat = centred * invstd
    g = grad.reshape(plan.view)
    gx = gw = gb = None
    if need_b:
        assert bias is not None  # needs_input_grad implies it
        gb = g.sum(plan.affine_axes).reshape(bias.shape)
    if need_w:
        assert weight is not None
        gw = (g * xhat).sum(plan.affine_axes).reshape(weight.shape)
    if need_x:
        gy = g if weight is None else g * weight.reshape(plan.affine_shape)
        if ctx.stats is None:
            gy = gy - gy.mean(axes, keepdim=True) - xhat * (gy * xhat).mean(axes, keepdim=True)
        gx = (gy * invstd).reshape(x.shape)
    return gx, gw, gb
