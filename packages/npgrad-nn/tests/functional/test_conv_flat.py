"""The stride-1 2-D flat-plane convolution kernels (``_conv_flat``): forward, input gradient
(a direct convolution of the output gradient) and weight gradient, against the generic
im2col path, a loop reference, finite differences and PyTorch, float32 and float64."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn import functional as F
from npgrad.nn.functional import _conv_flat, _depthwise
from npgrad.nn.functional._im2col import _col2im, _Geom, _im2col
from npgrad.testing import assert_close

RNG = np.random.default_rng(11)

# (x shape, w shape, padding, dilation, groups): each takes the flat kernel in forward
CASES = [
    ((2, 8, 20, 21), (16, 8, 3, 3), (1, 1), (1, 1), 1),
    ((2, 4, 12, 32), (8, 4, 5, 5), (2, 2), (1, 1), 1),
    ((2, 16, 20, 20), (32, 4, 3, 3), (1, 1), (1, 1), 4),  # groups
    ((2, 8, 20, 33), (16, 8, 3, 2), (0, 1), (2, 2), 1),  # dilation, uneven kernel
    ((2, 8, 12, 26), (16, 8, 4, 4), "same", (1, 1), 1),  # odd total padding (high side)
    ((2, 8, 17, 18), (8, 1, 3, 3), (1, 1), (1, 1), 8),  # depthwise
    ((2, 8, 20, 20), (8, 1, 5, 3), (2, 1), (1, 2), 8),  # depthwise, dilated
]


def _geom(xs, ws, padding, dilation):
    pad = (
        padding if padding != "same" else tuple(d * (k - 1) // 2 for d, k in zip(dilation, ws[2:]))
    )
    hi = (
        pad
        if padding != "same"
        else tuple(d * (k - 1) - p for d, k, p in zip(dilation, ws[2:], pad))
    )
    out = tuple(n + a + b - d * (k - 1) for n, a, b, d, k in zip(xs[2:], pad, hi, dilation, ws[2:]))
    return _Geom(xs[2:], out, ws[2:], (1, 1), pad, dilation)


def _generic(x, w, y, g, groups):
    """The im2col / col2im kernels without the flat path: forward, input and weight
    gradient."""
    n, c = x.shape[:2]
    cols = _im2col(x, g)
    cg = cols.reshape(n, groups, -1, int(np.prod(g.out_size)))
    wg = w.reshape(groups, w.shape[0] // groups, -1)
    out = np.matmul(wg, cg).reshape((n, w.shape[0]) + g.out_size)
    yg = y.reshape(n, groups, w.shape[0] // groups, -1)
    gcols = np.matmul(wg.transpose(0, 2, 1), yg).reshape((n, c) + g.kernel + g.out_size)
    gx = _col2im(gcols, g)
    gw = np.matmul(yg, cg.transpose(0, 1, 3, 2)).sum(axis=0).reshape(w.shape)
    return out, gx, gw


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_flat_kernels_match_generic_path(case, dtype):
    xs, ws, padding, dilation, groups = case
    g = _geom(xs, ws, padding, dilation)
    x = RNG.standard_normal(xs).astype(dtype)
    w = RNG.standard_normal(ws).astype(dtype)
    y = RNG.standard_normal((xs[0], ws[0]) + g.out_size).astype(dtype)
    depthwise = _depthwise.is_depthwise(xs[1], ws, g, groups)
    assert depthwise or _conv_flat.applies(g, ws[1], ws[0] // groups)
    out, gx, gw = _generic(x, w, y, g, groups)
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-10}
    new_out = _conv_flat.forward(x, w, g, groups)
    assert new_out.dtype == dtype and new_out.flags.c_contiguous
    assert_close(new_out, out, **tol)
    gt = _conv_flat.transpose_geom(g)
    new_gx = _conv_flat.forward(y, _conv_flat.transposed_weight(w, groups), gt, groups)
    assert new_gx.shape == x.shape
    assert_close(new_gx, gx, **tol)
    assert_close(_conv_flat.weight_grad(x, y, ws, g, groups), gw, **tol)
    # and the public op takes these paths end to end
    xt, wt = npgrad.tensor(x, requires_grad=True), npgrad.tensor(w, requires_grad=True)
    res = F.conv2d(xt, wt, padding=padding, dilation=dilation, groups=groups)
    res.backward(npgrad.tensor(y))
    assert_close(res, out, **tol)
    assert_close(xt.grad, gx, **tol)
    assert_close(wt.grad, gw, **tol)


@pytest.mark.parametrize(
    ("xs", "ws", "groups"),
    [
        ((1, 8, 20, 20), (8, 8, 3, 3), 1),  # flat weight gradient
        ((1, 8, 20, 20), (8, 1, 3, 3), 8),  # depthwise, large map: flat
        ((1, 8, 10, 10), (8, 1, 3, 3), 8),  # depthwise, small map: tap-by-tap kernel
    ],
)
def test_weight_grad_with_non_finite_input(xs, ws, groups):
    """The extra (garbage) columns read real input values; an infinity there must not turn
    the weight gradient into NaN where the true gradient is finite."""
    x = RNG.standard_normal(xs)
    x[0, 3, 5, 0] = np.inf  # first column: read by the previous row's garbage positions
    w = RNG.standard_normal(ws)
    xt, wt = npgrad.tensor(x), npgrad.tensor(w, requires_grad=True)
    with np.errstate(invalid="ignore"):
        out = F.conv2d(xt, wt, padding=1, groups=groups)
        y = RNG.standard_normal(out.shape)
        out.backward(npgrad.tensor(y))
        gw_ref = _generic(x, w, y, _geom(xs, ws, (1, 1), (1, 1)), groups)[2]
    gw = wt.grad.numpy()
    assert np.isfinite(gw_ref[:, 3 % ws[1], :, 2]).all()  # the taps that never read column 0
    np.testing.assert_array_equal(np.isnan(gw), np.isnan(gw_ref))
    np.testing.assert_array_equal(np.isinf(gw), np.isinf(gw_ref))
    finite = np.isfinite(gw_ref)
    assert_close(gw[finite], gw_ref[finite], rtol=1e-10, atol=1e-10)


def test_transpose_geom_negative_padding_falls_back():
    """Padding beyond the kernel span has no direct-convolution form: the generic path."""
    x, w = RNG.standard_normal((1, 8, 20, 20)), RNG.standard_normal((8, 8, 3, 3))
    g = _geom(x.shape, w.shape, (3, 3), (1, 1))
    assert _conv_flat.transpose_geom(g) is None
    xt, wt = npgrad.tensor(x, requires_grad=True), npgrad.tensor(w, requires_grad=True)
    out = F.conv2d(xt, wt, padding=3)
    y = RNG.standard_normal(out.shape)
    out.backward(npgrad.tensor(y))
    ref = _generic(x, w, y, g, 1)
    for a, b in zip((out, xt.grad, wt.grad), ref):
        assert_close(a, b, rtol=1e-10, atol=1e-10)


def test_flat_paths_gradcheck_and_gradgradcheck():
    # 16×17 positions (> 256) and 4·9 column rows: the flat forward and weight gradient
    x, w, b = (
        npgrad.tensor(RNG.standard_normal(s), requires_grad=True)
        for s in ((1, 4, 16, 17), (8, 4, 3, 3), (8,))
    )
    f = lambda x, w, b: F.conv2d(x, w, b, padding=1)  # noqa: E731
    assert gradcheck(f, (x, w, b))
    # small map: only the input gradient takes the flat kernel
    xs, ws = (
        npgrad.tensor(RNG.standard_normal(s), requires_grad=True)
        for s in ((1, 4, 5, 6), (8, 4, 3, 3))
    )
    g = lambda x, w: F.conv2d(x, w, padding=1)  # noqa: E731
    assert gradcheck(g, (xs, ws))
    assert gradgradcheck(g, (xs, ws))
    dw_x, dw_w = (
        npgrad.tensor(RNG.standard_normal(s), requires_grad=True)
        for s in ((1, 3, 16, 18), (3, 1, 3, 3))
    )
    assert gradcheck(lambda x, w: F.conv2d(x, w, padding=1, groups=3), (dw_x, dw_w))


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_flat_paths_match_torch(case, dtype):
    torch = pytest.importorskip("torch")
    xs, ws, padding, dilation, groups = case
    x0, w0 = RNG.standard_normal(xs).astype(dtype), RNG.standard_normal(ws).astype(dtype)
    b0 = RNG.standard_normal(ws[0]).astype(dtype)
    kw = {"padding": padding, "dilation": dilation, "groups": groups}
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x0, w0, b0))
    ty = torch.nn.functional.conv2d(tx, tw, tb, **kw)
    nx, nw, nb = (npgrad.tensor(a, requires_grad=True) for a in (x0, w0, b0))
    ny = F.conv2d(nx, nw, nb, **kw)
    g0 = RNG.standard_normal(ny.shape).astype(dtype)
    ty.backward(torch.tensor(g0))
    ny.backward(npgrad.tensor(g0))
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == "float32" else {"rtol": 1e-9, "atol": 1e-11}
    assert_close(ny, ty.detach().numpy(), **tol)
    for n, t in ((nx, tx), (nw, tw), (nb, tb)):
        assert_close(n.grad, t.grad.numpy(), **tol)
    if padding != "same" and groups == 1:  # conv_transpose2d (stride 1): a flat direct conv
        wt0 = np.ascontiguousarray(w0.swapaxes(0, 1))
        tz = torch.nn.functional.conv_transpose2d(tx, torch.tensor(wt0), **kw)
        assert_close(F.conv_transpose2d(nx, npgrad.tensor(wt0), **kw), tz.detach().numpy(), **tol)
