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
work (a gradient penalty through a CNN, ``gradgradcheck``). Decision, measured on the
``cnn`` benchmark step (float32, 1 thread, thread CPU time, min of 25 interleaved runs, three
rounds): this differentiable backward took 20.45 / 20.14 / 21.60 ms against 20.26 / 19.84 /
21.02 ms for a ``@once_differentiable`` raw-NumPy backward calling the same kernels, i.e.
+1-3% (medians within ±5% noise). The extra work is wrapping arrays in Tensors and three
``apply`` calls per layer — microseconds against milliseconds of GEMM — so there is no
reason to refuse second order. The forward's im2col columns are kept for ``wgrad`` (``k·k``
times the input, freed with the graph) instead of being recomputed.

GEMM layout: columns are ``(N, g, C/g·K, L)`` (or, for small maps, ``(C, K, N, L)``: see
:func:`_batch_inside`) and the weight ``(g, O/g, C/g·K)``, so ``np.matmul`` runs ``N·g``
GEMMs of ``(O/g × C/g·K) @ (C/g·K × L)`` whose results land in ``(N, O, L)`` order: the
output is C-contiguous NCHW with no transpose copy. Per-sample GEMMs measured faster than one
big ``(O, K) @ (K, N·L)`` GEMM here (their operands stay in cache) and need no transposes.

Stride-1 2-D convolutions on large maps (and depthwise ones on any map) take the
flat-plane kernels of :mod:`._conv_flat` instead — columns built a chunk of samples at a
time in cache, not kept for the weight gradient, which rebuilds them; their input gradient
is there a direct convolution of the output gradient with the flipped weight (also on small
maps), not GEMM + col2im. Measured on the benchmark workloads (1 thread, float32, forward +
backward, ratio to PyTorch in one process, before -> three runs after): 3×3 1.57 ->
1.30-1.33, 5×5 2.44 -> 1.72-1.73, groups=4 2.13 -> 1.24-1.46, depthwise 3.37 -> 1.14-1.32,
``cnn`` step 1.18 -> 1.05-1.13. Small-map depthwise weight gradients stay in
:mod:`._depthwise`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgrad import Tensor
from npgrad.autograd.function import Function
from npgrad.nn.functional import _conv_flat, _depthwise, _winograd, _workspace
from npgrad.nn.functional._im2col import _col2im, _Geom, _im2col, _im2col_kn, _is_pointwise

__all__: list[str] = []


def _grouped_cols(cols: np.ndarray, groups: int) -> np.ndarray:
    n, c = cols.shape[:2]
    k = math.prod(cols.shape[2 : 2 + (cols.ndim - 2) // 2])
    return cols.reshape(n, groups, (c // groups) * k, -1)


def _grouped_weight(w: np.ndarray, groups: int) -> np.ndarray:
    return w.reshape(groups, w.shape[0] // groups, -1)


def _batch_inside(w_shape: tuple[int, ...], g: _Geom) -> bool:
    """Whether the columns are laid out ``(C, *kernel, N, *out)`` ("batch inside") rather
    than ``(N, C, *kernel, *out)``. For small maps (few positions per sample) the
    per-sample weight-gradient GEMMs are thin; one GEMM over the whole batch and the faster
    contiguous im2col outweigh a slower forward GEMM (strided per-sample operands): the
    ``cnn`` benchmark step measured 7-8% faster. On larger maps the per-sample layout
    measured faster."""
    return (
        w_shape[1] * math.prod(g.kernel) >= 32
        and math.prod(g.out_size) <= 256
        and not _is_pointwise(g)
    )


def _conv_forward(
    x: np.ndarray, w: np.ndarray, g: _Geom, groups: int, keep_cols: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """``conv(x, w)`` without bias, and (if ``keep_cols``) the columns it used (or, on the
    Winograd path, the transformed input: see :func:`_winograd.is_transformed`)."""
    if x.shape[0] == 0:  # an empty batch (the kernels' reshapes cannot infer a size from 0)
        return np.zeros((0, w.shape[0]) + g.out_size, np.result_type(x, w)), None
    if _winograd.applies(x.shape[0], x.shape[1], w.shape[0], g, groups) and _winograd.finite(x, w):
        if keep_cols:  # kept for the weight gradient, until autograd frees the graph
            v = _winograd.input_transform(x, g, _workspace.take_owned)
        else:
            v = _winograd.input_transform(x, g)
        out = _winograd.forward_from(v, x.shape[0], w, g, give_v=not keep_cols)
        return out, v if keep_cols else None
    if _depthwise.is_depthwise(x.shape[1], w.shape, g, groups):
        return _conv_flat.forward(x, w, g, groups), None
    if _conv_flat.applies(g, w.shape[1], w.shape[0] // groups):
        # no columns kept: the weight gradient rebuilds them chunk by chunk (faster)
        return _conv_flat.forward(x, w, g, groups), None
    alloc = _workspace.take_owned if keep_cols else _workspace.take
    if _batch_inside(w.shape, g):
        cols = _im2col_kn(x, g, alloc)
        per_sample = cols.reshape(groups, -1, x.shape[0], math.prod(g.out_size)).transpose(
            2, 0, 1, 3
        )
        out = np.matmul(_grouped_weight(w, groups), per_sample)
    else:
        cols = _im2col(x, g, alloc)
        out = np.matmul(_grouped_weight(w, groups), _grouped_cols(cols, groups))
    if not keep_cols:
        _workspace.give(cols)
    return out.reshape((x.shape[0], w.shape[0]) + g.out_size), cols if keep_cols else None


def _conv_transpose_forward(y: np.ndarray, w: np.ndarray, g: _Geom, groups: int) -> np.ndarray:
    """``convT(y, w)``: (N, O, *out_size) -> (N, C, *in_size)."""
    if y.shape[0] == 0:
        return np.zeros((0, w.shape[1] * groups) + g.in_size, np.result_type(y, w))
    gt = _conv_flat.transpose_geom(g) if len(g.kernel) == 2 else None
    if (
        gt is not None
        and _winograd.applies(y.shape[0], y.shape[1], w.shape[1] * groups, gt, groups)
        and _winograd.finite(y, w)
    ):
        return _winograd.forward(y, _conv_flat.transposed_weight(w, groups), gt)
    if gt is not None and (
        _depthwise.is_depthwise(w.shape[1] * groups, w.shape, g, groups)
        or _conv_flat.applies(gt, w.shape[0] // groups, w.shape[1], small_maps=True)
    ):
        return _conv_flat.forward(y, _conv_flat.transposed_weight(w, groups), gt, groups)
    if len(g.kernel) == 2 and g.stride == (1, 1) and not _is_pointwise(g):
        wo, span = g.out_size[1], g.dilation[1] * (g.kernel[1] - 1)
        if 8 * span <= wo:  # wide maps: the extra GEMM columns cost less than short rows
            return _conv_transpose_2d_flat(y, w, g, groups)
    n = y.shape[0]
    wg = _grouped_weight(w, groups)  # (g, O/g, C/g·K)
    yg = y.reshape(n, groups, w.shape[0] // groups, -1)  # (N, g, O/g, L)
    cols = _workspace.take((n, groups, wg.shape[2], yg.shape[3]), y.dtype)
    np.matmul(wg.transpose(0, 2, 1), yg, out=cols)  # (N, g, C/g·K, L)
    c = w.shape[1] * groups
    out = _col2im(cols.reshape((n, c) + g.kernel + g.out_size), g)
    if out.base is None:  # (a pointwise geometry returns a view of the columns themselves)
        _workspace.give(cols)
    return out


def _conv_transpose_2d_flat(y: np.ndarray, w: np.ndarray, g: _Geom, groups: int) -> np.ndarray:
    """``convT`` for stride-1 2-D geometries, with col2im on flattened rows.

    col2im adds each tap's ``(Ho, Wo)`` slab into the input gradient; with small maps its
    rows are short (6-12 elements) and NumPy's per-row overhead dominates. Here the output
    gradient is widened to the padded input width ``Wp`` with zero columns, so that in the
    flattened padded input a tap's slab is one contiguous run of ``Ho·Wp`` elements per
    (sample, channel): the adds become long runs, for ``Wp / Wo`` times the GEMM work.
    Measured: 15% faster than the slab col2im on 32×32 maps, 10-15% slower on 12×12 and
    6×6 ones (the extra GEMM columns), hence only for ``Wp <= 1.125 Wo``. The zero columns
    make the wrapped-around elements add zeros."""
    n, o = y.shape[:2]
    (h, wd), (ho, wo) = g.in_size, g.out_size
    (kh, kw), (dh, dw), (ph, pw) = g.kernel, g.dilation, g.pad
    wp = max(wo + dw * (kw - 1), pw + wd)
    hp = max(ho + dh * (kh - 1), ph + h)
    ywide = _workspace.take((n, o, ho, wp), y.dtype)
    ywide[..., wo:] = 0
    ywide[..., :wo] = y
    wg = _grouped_weight(w, groups)
    cols = _workspace.take((n, groups, wg.shape[2], ho * wp), y.dtype)
    np.matmul(wg.transpose(0, 2, 1), ywide.reshape(n, groups, o // groups, -1), out=cols)
    _workspace.give(ywide)
    c = w.shape[1] * groups
    taps = cols.reshape(n, c, kh, kw, ho * wp)
    flat = _workspace.take((n, c, (hp + 1) * wp), y.dtype)  # one spare row for the overrun
    flat[...] = 0
    for i in range(kh):
        for j in range(kw):
            off = i * dh * wp + j * dw
            view = flat[:, :, off : off + ho * wp]
            np.add(view, taps[:, :, i, j], out=view)
    _workspace.give(cols)
    out = np.ascontiguousarray(flat.reshape(n, c, hp + 1, wp)[:, :, ph : ph + h, pw : pw + wd])
    _workspace.give(flat)
    return out


def _weight_grad_forward(
    cols: np.ndarray, y: np.ndarray, w_shape: tuple[int, ...], g: _Geom, groups: int
) -> np.ndarray:
    """``wgrad``: sum over the batch of ``y[n] (O/g, L) @ cols[n].T (L, C/g·K)`` per group."""
    n = y.shape[0]
    if _batch_inside(w_shape, g):
        # one GEMM per group over all N·L positions: (C/g·K, N·L) @ (N·L, O/g)
        og, length = w_shape[0] // groups, math.prod(g.out_size)
        yb = _workspace.take((groups, og, n, length), y.dtype)
        yb[...] = y.reshape(n, groups, og, length).transpose(1, 2, 0, 3)
        gw_t = np.matmul(
            cols.reshape(groups, -1, n * length), yb.reshape(groups, og, -1).transpose(0, 2, 1)
        )
        _workspace.give(yb)
        return np.ascontiguousarray(gw_t.transpose(0, 2, 1)).reshape(w_shape)
    yg = y.reshape(n, groups, w_shape[0] // groups, -1)  # (N, g, O/g, L)
    cg = _grouped_cols(cols, groups)  # (N, g, C/g·K, L)
    # One GEMM per group over the flattened (batch, position) axis would need both operands
    # transposed (copied); N small GEMMs into an (N, ...) stack and one sum measured faster,
    # and computing the transposed product cols @ y.T faster still (20-30%, OpenBLAS).
    stack = _workspace.take(cg.shape[:3] + (yg.shape[2],), y.dtype)
    gw_t = np.matmul(cg, yg.transpose(0, 1, 3, 2), out=stack).sum(axis=0)  # (g, C/g·K, O/g)
    _workspace.give(stack)
    return np.ascontiguousarray(gw_t.transpose(0, 2, 1)).reshape(w_shape)


class BiasGrad(Function):
    """Sum over all dimensions but the channel one (1): the gradient of a per-channel bias.
    ``x.sum(dim=(0, 2, 3))`` reduces over non-adjacent axes, which NumPy does several times
    slower than two reductions over contiguous blocks."""

    @staticmethod
    def forward(ctx: Any, g: np.ndarray) -> np.ndarray:
        ctx.shape = g.shape
        return g.reshape(g.shape[:2] + (math.prod(g.shape[2:]),)).sum(axis=2).sum(axis=0)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        nd = len(ctx.shape) - 2
        return grad.reshape((1, -1) + (1,) * nd).expand(*ctx.shape)


def _bias_grad(g: Tensor) -> Tensor:
    return BiasGrad.apply(g)  # type: ignore[no-any-return]


class ConvNd(Function):
    """``conv(x, w) + b``: the forward of ``conv1d/2d/3d`` (zero padding, any groups)."""

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geom: _Geom, groups: int
    ) -> np.ndarray:
        # the columns are needed only for the weight gradient: keep them just then
        out, cols = _conv_forward(x, w, geom, groups, keep_cols=ctx.needs_input_grad[1])
        if b is not None:
            out += b.reshape((-1,) + (1,) * len(geom.kernel))
        ctx.geom, ctx.groups = geom, groups
        ctx.save_for_backward(x, w, cols)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, w, cols = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = ConvTransposeNd.apply(grad, w, None, ctx.geom, ctx.groups) if need[0] else None
        cols = None if cols is None else cols._data
        gw = WeightGradNd.apply(x, grad, ctx.geom, ctx.groups, cols) if need[1] else None
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
        w_shape = (y.shape[1], x.shape[1] // groups) + geom.kernel
        ctx.geom, ctx.groups = geom, groups
        ctx.save_for_backward(x, y)
        if x.shape[0] == 0:  # a sum over no samples
            return np.zeros(w_shape, np.result_type(x, y))
        if cols is not None and _winograd.is_transformed(cols):
            if _winograd.finite(y):
                return _winograd.weight_grad(cols, y, geom)
            cols = None  # an inf/nan output gradient: the direct path's inf/nan pattern
        if cols is not None:
            return _weight_grad_forward(cols, y, w_shape, geom, groups)
        if _depthwise.is_depthwise(x.shape[1], w_shape, geom, groups):
            if _conv_flat.large_map(geom) or not np.isfinite(x).all():
                return _conv_flat.weight_grad(x, y, w_shape, geom, groups)
            return _depthwise.weight_grad(x, y, geom, w_shape)
        if _conv_flat.applies(geom, w_shape[1], w_shape[0] // groups):
            return _conv_flat.weight_grad(x, y, w_shape, geom, groups)
        im2col = _im2col_kn if _batch_inside(w_shape, geom) else _im2col
        cols = im2col(x, geom, _workspace.take)
        gw = _weight_grad_forward(cols, y, w_shape, geom, groups)
        _workspace.give(cols)
        return gw

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = ConvTransposeNd.apply(y, grad, None, ctx.geom, ctx.groups) if need[0] else None
        gy = ConvNd.apply(x, grad, None, ctx.geom, ctx.groups) if need[1] else None
        return gx, gy, None, None, None
