"""The three convolution Functions, each the backward of the others.

Write ``conv(x, w)`` for the cross-correlation of ``x`` (N, C, *S) with ``w`` (O, C/g, *K),
``convT(y, w)`` for its adjoint in ``x`` (the transposed convolution, mapping (N, O, *L)
back to (N, C, *S)) and ``wgrad(x, y)`` for its adjoint in ``w``
(``sum_{n,l} y[n, o, l] · im2col(x)[n, c, k, l]``). All three are bilinear, and

    d conv(x, w)   = conv(dx, w) + conv(x, dw)
    d convT(y, w)  = convT(dy, w) + convT(y, dw)
    d wgrad(x, y)  = wgrad(dx, y) + wgrad(x, dy)

so the vector-Jacobian products of each are again one of the three:

    conv:  gx = convT(g, w)      gw = wgrad(x, g)
    convT: gy = conv(g, w)       gw = wgrad(g, y)
    wgrad: gx = convT(y, g)      gy = conv(x, g)

Each ``backward`` below just calls the other Functions on Tensors, so gradients of any order
work (a gradient penalty through a CNN, ``gradgradcheck``). Decision measured on the
``cnn`` benchmark (float32, 1 thread): this differentiable backward costs the same as a
``@once_differentiable`` raw-NumPy one to within noise (the extra work is wrapping arrays
in Tensors: microseconds per layer against milliseconds of GEMM), so there is no reason to
refuse second order. The forward's im2col columns are kept for ``wgrad`` (one copy of
``k·k`` times the input, freed with the graph) instead of being recomputed.

GEMM layout: columns are ``(N, g, C/g·K, L)`` and the weight ``(g, O/g, C/g·K)``, so
``np.matmul`` runs ``N·g`` GEMMs of ``(O/g × C/g·K) @ (C/g·K × L)`` whose results land in
``(N, O, L)`` order: the output is C-contiguous NCHW with no transpose copy. Per-sample
GEMMs are as fast as one big GEMM here (their operands stay in cache) and avoid the
transposes a single ``(O, K) @ (K, N·L)`` GEMM would need on both sides.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgrad import Tensor
from npgrad.autograd.function import Function
from npgrad.nn.functional._im2col import _col2im, _Geom, _im2col

__all__: list[str] = []


def _grouped_cols(cols: np.ndarray, groups: int) -> np.ndarray:
    n, c = cols.shape[:2]
    k = math.prod(cols.shape[2 : 2 + (cols.ndim - 2) // 2])
    return cols.reshape(n, groups, (c // groups) * k, -1)


def _grouped_weight(w: np.ndarray, groups: int) -> np.ndarray:
    return w.reshape(groups, w.shape[0] // groups, -1)


def _conv_forward(x: np.ndarray, w: np.ndarray, g: _Geom, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """``conv(x, w)`` without bias, and the columns it used."""
    cols = _im2col(x, g)
    out = np.matmul(_grouped_weight(w, groups), _grouped_cols(cols, groups))
    return out.reshape((x.shape[0], w.shape[0]) + g.out_size), cols


def _conv_transpose_forward(y: np.ndarray, w: np.ndarray, g: _Geom, groups: int) -> np.ndarray:
    """``convT(y, w)``: (N, O, *out_size) -> (N, C, *in_size)."""
    n = y.shape[0]
    wg = _grouped_weight(w, groups)  # (g, O/g, C/g·K)
    yg = y.reshape(n, groups, w.shape[0] // groups, -1)  # (N, g, O/g, L)
    cols = np.matmul(wg.transpose(0, 2, 1), yg)  # (N, g, C/g·K, L)
    c = w.shape[1] * groups
    return _col2im(cols.reshape((n, c) + g.kernel + g.out_size), g)


def _weight_grad_forward(
    cols: np.ndarray, y: np.ndarray, w_shape: tuple[int, ...], groups: int
) -> np.ndarray:
    """``wgrad``: sum over the batch of ``y[n] (O/g, L) @ cols[n].T (L, C/g·K)`` per group."""
    n = y.shape[0]
    yg = y.reshape(n, groups, w_shape[0] // groups, -1)  # (N, g, O/g, L)
    cg = _grouped_cols(cols, groups)  # (N, g, C/g·K, L)
    # One GEMM per group over the flattened (batch, position) axis would need both operands
    # transposed (copied); N small GEMMs into an (N, ...) stack and one sum measured faster.
    gw = np.matmul(yg, cg.transpose(0, 1, 3, 2)).sum(axis=0)
    return gw.reshape(w_shape)


def _bias_grad(g: Tensor) -> Tensor:
    return g.sum(dim=(0, *range(2, g.ndim)))


class ConvNd(Function):
    """``conv(x, w) + b``: the forward of ``conv1d/2d/3d`` (zero padding, any groups)."""

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geom: _Geom, groups: int
    ) -> np.ndarray:
        out, cols = _conv_forward(x, w, geom, groups)
        if b is not None:
            out += b.reshape((-1,) + (1,) * len(geom.kernel))
        ctx.geom, ctx.groups = geom, groups
        # the columns are needed only for the weight gradient: keep them just then
        ctx.save_for_backward(x, w, cols if ctx.needs_input_grad[1] else None)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, w, cols = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = ConvTransposeNd.apply(grad, w, None, ctx.geom, ctx.groups) if need[0] else None
        gw = WeightGradNd.apply(x, grad, ctx.geom, ctx.groups, cols._data) if need[1] else None
        gb = _bias_grad(grad) if need[2] else None
        return gx, gw, gb, None, None


class ConvTransposeNd(Function):
    """``convT(y, w) + b``: the forward of ``conv_transpose1d/2d/3d`` and the input gradient
    of :class:`ConvNd`. ``geom`` is the geometry of the convolution it transposes."""

    @staticmethod
    def forward(
        ctx: Any, y: np.ndarray, w: np.ndarray, b: np.ndarray | None, geom: _Geom, groups: int
    ) -> np.ndarray:
        out = _conv_transpose_forward(y, w, geom, groups)
        if b is not None:
            out += b.reshape((-1,) + (1,) * len(geom.kernel))
        ctx.geom, ctx.groups = geom, groups
        ctx.save_for_backward(y, w)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        y, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gy = ConvNd.apply(grad, w, None, ctx.geom, ctx.groups) if need[0] else None
        gw = WeightGradNd.apply(grad, y, ctx.geom, ctx.groups, None) if need[1] else None
        gb = _bias_grad(grad) if need[2] else None
        return gy, gw, gb, None, None


class WeightGradNd(Function):
    """``wgrad(x, y)``: the weight gradient of :class:`ConvNd` (``y`` is the output
    gradient). ``cols``, when given, is ``im2col(x)`` kept from the forward."""

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, y: np.ndarray, geom: _Geom, groups: int, cols: np.ndarray | None
    ) -> np.ndarray:
        if cols is None:
            cols = _im2col(x, geom)
        w_shape = (y.shape[1], x.shape[1] // groups) + geom.kernel
        ctx.geom, ctx.groups = geom, groups
        ctx.save_for_backward(x, y)
        return _weight_grad_forward(cols, y, w_shape, groups)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = ConvTransposeNd.apply(y, grad, None, ctx.geom, ctx.groups) if need[0] else None
        gy = ConvNd.apply(x, grad, None, ctx.geom, ctx.groups) if need[1] else None
        return gx, gy, None, None, None
