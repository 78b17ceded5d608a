"""Winograd F(2×2, 3×3) kernels (``_winograd``) against the existing convolution paths."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
import npgrad.nn.functional as F
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn.functional import _conv_flat, _conv_ops, _winograd
from npgrad.nn.functional._im2col import _Geom

RNG = np.random.default_rng(7)


def _geom(xs, p):
    ho, wo = xs[2] + 2 * p - 2, xs[3] + 2 * p - 2
    return _Geom(tuple(xs[2:]), (ho, wo), (3, 3), (1, 1), (p, p), (1, 1))


class _Ctx:
    def save_for_backward(self, *args):
        pass


def _direct(x, w, y, g):
    """Forward, input gradient and weight gradient on the existing (non-Winograd) paths."""
    saved = _winograd.applies
    _winograd.applies = lambda *args: False
    try:
        out = _conv_ops._conv_forward(x, w, g, 1, False)[0]
        gx = _conv_ops._conv_transpose_forward(y, w, g, 1)
        gw = _conv_ops.WeightGradNd.forward(_Ctx(), x, y, g, 1, None)
    finally:
        _winograd.applies = saved
    return out, gx, gw


SHAPES = [
    ((2, 3, 7, 9), (4, 3), 1),  # odd output sizes: overhanging tiles
    ((1, 5, 6, 6), (3, 5), 0),  # batch 1, 'valid'
    ((3, 4, 5, 8), (6, 4), 2),  # padding 2
    ((2, 6, 3, 3), (2, 6), 0),  # a single output position
    ((4, 16, 6, 6), (32, 16), 1),  # 'same', the routed shape class
]


@pytest.mark.parametrize(("xs", "oc", "p"), SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_kernels_match_direct(xs, oc, p, dtype):
    g = _geom(xs, p)
    x = RNG.standard_normal(xs).astype(dtype)
    w = RNG.standard_normal(oc + (3, 3)).astype(dtype)
    y = RNG.standard_normal((xs[0], oc[0]) + g.out_size).astype(dtype)
    out, gx, gw = _direct(x, w, y, g)
    v = _winograd.input_transform(x, g)
    new_out = _winograd.forward_from(v.copy(), xs[0], w, g, give_v=False)
    new_gw = _winograd.weight_grad(v, y, g)
    gt = _conv_flat.transpose_geom(g)
    new_gx = _winograd.forward(y, _conv_flat.transposed_weight(w, 1), gt)
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == np.float32 else {"rtol": 1e-12, "atol": 0}
    for new, ref in ((new_out, out), (new_gx, gx), (new_gw, gw)):
        assert new.dtype == dtype and new.shape == ref.shape and new.flags.c_contiguous
        scale = np.abs(ref).max()
        assert_scaled = np.abs(new - ref).max() <= tol["rtol"] * scale + tol["atol"]
        assert assert_scaled, (np.abs(new - ref).max(), scale)


def test_routing():
    g = _geom((64, 32, 6, 6), 1)
    assert _winograd.applies(64, 32, 64, g, 1)
    assert not _winograd.applies(64, 32, 64, g, 2)  # groups: not supported
    assert not _winograd.applies(8, 32, 64, g, 1)  # small batch
    assert not _winograd.applies(64, 1, 16, g, 1)  # one input channel
    assert not _winograd.applies(64, 16, 32, _geom((64, 16, 12, 12), 1), 1)  # larger map
    strided = g._replace(stride=(2, 2), out_size=(3, 3))
    assert not _winograd.applies(64, 32, 64, strided, 1)
    assert not _winograd.applies(64, 32, 64, g._replace(kernel=(5, 5), out_size=(4, 4)), 1)


def _public(x, w, y, padding, groups=1):
    xt = npgrad.tensor(x, requires_grad=True)
    wt = npgrad.tensor(w, requires_grad=True)
    out = F.conv2d(xt, wt, padding=padding, groups=groups)
    out.backward(npgrad.tensor(y))
    return out.numpy(), xt.grad.numpy(), wt.grad.numpy()


@pytest.mark.parametrize(("xs", "o", "p"), [((32, 16, 6, 6), 32, 1), ((33, 16, 3, 5), 16, 2)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_public_op_takes_winograd(xs, o, p, dtype, monkeypatch):
    g = _geom(xs, p)
    assert _winograd.applies(xs[0], xs[1], o, g, 1)
    x = RNG.standard_normal(xs).astype(dtype)
    w = RNG.standard_normal((o, xs[1], 3, 3)).astype(dtype)
    y = RNG.standard_normal((xs[0], o) + g.out_size).astype(dtype)
    calls = []
    original = _winograd.weight_grad
    monkeypatch.setattr(_winograd, "weight_grad", lambda *a: calls.append(1) or original(*a))
    res = _public(x, w, y, p)
    assert calls  # the weight gradient came from the kept transformed input
    ref = _direct(x, w, y, g)
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}
    for a, b in zip(res, ref):
        np.testing.assert_allclose(a, b, **tol)


def test_groups_keep_existing_path(monkeypatch):
    monkeypatch.setattr(_winograd, "forward_from", None)  # would fail if called
    monkeypatch.setattr(_winograd, "forward", None)
    x = RNG.standard_normal((32, 32, 6, 6))
    w = RNG.standard_normal((32, 16, 3, 3))
    y = RNG.standard_normal((32, 32, 6, 6))
    _public(x, w, y, 1, groups=2)


@pytest.mark.parametrize("where", ["input", "grad"])
def test_non_finite_falls_back(where):
    xs, o = (32, 16, 6, 6), 16
    x = RNG.standard_normal(xs)
    w = RNG.standard_normal((o, 16, 3, 3))
    y = RNG.standard_normal((32, o, 6, 6))
    if where == "input":
        x[3, 2, 0, 4] = np.inf
        x[5, 1, 2, 2] = np.nan
    else:
        y[3, 2, 0, 4] = -np.inf
    with np.errstate(invalid="ignore"):
        res = _public(x, w, y, 1)
        ref = _direct(x, w, y, _geom(xs, 1))
    for a, b in zip(res, ref):
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
        np.testing.assert_array_equal(np.isinf(a), np.isinf(b))
        finite = np.isfinite(b)
        assert finite.any()
        np.testing.assert_allclose(a[finite], b[finite], rtol=1e-12, atol=1e-12)


def test_gradcheck_and_gradgradcheck(monkeypatch):
    # a small shape, with the routing opened to it
    monkeypatch.setattr(
        _winograd, "applies", lambda n, c, o, g, groups: groups == 1 and _winograd.geometry_fits(g)
    )
    x = npgrad.tensor(RNG.standard_normal((2, 3, 5, 4)), requires_grad=True)
    w = npgrad.tensor(RNG.standard_normal((2, 3, 3, 3)), requires_grad=True)
    calls = []
    original = _winograd.forward_from
    monkeypatch.setattr(
        _winograd, "forward_from", lambda *a, **k: calls.append(1) or original(*a, **k)
    )

    def f(a, b):
        return F.conv2d(a, b, padding=1)

    assert gradcheck(f, (x, w))
    assert gradgradcheck(f, (x, w))
    assert calls


def test_torch_parity():
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((64, 32, 6, 6)).astype(np.float32)
    w = (RNG.standard_normal((64, 32, 3, 3)) / 17).astype(np.float32)
    b = RNG.standard_normal(64).astype(np.float32)
    y = RNG.standard_normal((64, 64, 6, 6)).astype(np.float32)
    xt, wt, bt = (npgrad.tensor(a, requires_grad=True) for a in (x, w, b))
    out = F.conv2d(xt, wt, bt, padding=1)
    out.backward(npgrad.tensor(y))
    xr, wr, br = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ref = torch.nn.functional.conv2d(xr, wr, br, padding=1)
    ref.backward(torch.tensor(y))
    tol = {"rtol": 1e-4, "atol": 1e-4}
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), **tol)
    np.testing.assert_allclose(xt.grad.numpy(), xr.grad.numpy(), **tol)
    np.testing.assert_allclose(wt.grad.numpy(), wr.grad.numpy(), **tol)
