"""nn.functional.affine_grid / grid_sample: values vs a per-point Python reference, dtypes,
gradients (input and grid, first and second order), errors, and PyTorch parity over every
mode x padding_mode x align_corners, 4-D and 5-D."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest

import npgrad
import npgrad.nn.functional as F
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

RNG = np.random.default_rng(11)
PADS = ("zeros", "border", "reflection")


def _t(a, grad=False):
    return npgrad.tensor(np.asarray(a), requires_grad=grad)


# ---- a per-point reference (4-D), written from the definitions ---------------------------------
def _ref_coord(v, size, pad, align):
    c = (v + 1) / 2 * (size - 1) if align else ((v + 1) * size - 1) / 2
    if pad == "border":
        c = min(max(c, 0.0), size - 1.0)
    elif pad == "reflection":
        lo, hi = (0.0, size - 1.0) if align else (-0.5, size - 0.5)
        if hi == lo:
            return 0.0
        while c < lo or c > hi:  # fold back into [lo, hi] one mirror at a time
            c = 2 * lo - c if c < lo else 2 * hi - c
        c = min(max(c, 0.0), size - 1.0)
    return c


def _ref_sample(x, grid, mode, pad, align):
    n, ch, h, w = x.shape
    _, ho, wo, _ = grid.shape
    out = np.zeros((n, ch, ho, wo))

    def at(b, yy, xx):
        if 0 <= yy < h and 0 <= xx < w:
            return x[b, :, yy, xx]
        return np.zeros(ch)

    for b, i, j in itertools.product(range(n), range(ho), range(wo)):
        cx = _ref_coord(grid[b, i, j, 0], w, pad, align)
        cy = _ref_coord(grid[b, i, j, 1], h, pad, align)
        if mode == "nearest":
            out[b, :, i, j] = at(b, round(cy), round(cx))  # Python's round: half to even
            continue
        x0, y0 = math.floor(cx), math.floor(cy)
        dx, dy = cx - x0, cy - y0
        out[b, :, i, j] = (
            at(b, y0, x0) * (1 - dx) * (1 - dy)
            + at(b, y0, x0 + 1) * dx * (1 - dy)
            + at(b, y0 + 1, x0) * (1 - dx) * dy
            + at(b, y0 + 1, x0 + 1) * dx * dy
        )
    return out


X4 = RNG.standard_normal((2, 3, 4, 5))
G4 = RNG.uniform(-1.6, 1.6, (2, 3, 4, 2))
G4[0, 0, 0] = (1.0, -1.0)  # exactly on the corners
G4[1, 2, 3] = (0.25, 0.5)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("pad", PADS)
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grid_sample_matches_per_point_reference(mode, pad, align, dtype):
    x, g = X4.astype(dtype), G4.astype(dtype)
    out = F.grid_sample(_t(x), _t(g), mode=mode, padding_mode=pad, align_corners=align)
    assert out.dtype == dtype and out.shape == (2, 3, 3, 4)
    expected = _ref_sample(x.astype(np.float64), g.astype(np.float64), mode, pad, align)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert_close(out, expected.astype(dtype), rtol=tol, atol=tol)


def test_identity_affine_grid_reproduces_the_input():
    x = _t(X4.astype(np.float32))
    theta = _t(np.tile(np.eye(2, 3, dtype=np.float32), (2, 1, 1)))
    for align in (False, True):
        grid = F.affine_grid(theta, list(x.shape), align_corners=align)
        assert grid.dtype == np.float32 and grid.shape == (2, 4, 5, 2)
        out = F.grid_sample(x, grid, align_corners=align)
        assert_close(out, x, rtol=1e-5, atol=1e-5)


def test_affine_grid_values():
    theta = RNG.standard_normal((2, 2, 3))
    grid = F.affine_grid(_t(theta), (2, 1, 3, 4), align_corners=False)
    xs = (np.arange(4) * 2 + 1) / 4 - 1  # pixel centres of 4 columns in [-1, 1]
    ys = (np.arange(3) * 2 + 1) / 3 - 1
    base = np.stack(np.broadcast_arrays(xs[None, :], ys[:, None], 1.0), -1)  # (3, 4, 3)
    assert_close(grid, np.einsum("hwk,nck->nhwc", base, theta))
    with pytest.warns(UserWarning, match="unit-size"):
        g1 = F.affine_grid(_t(theta), (2, 1, 1, 1), align_corners=True)
    assert_close(g1, theta[:, None, None, :, 2])  # a single step sits at 0


def test_affine_grid_5d_and_trilinear_identity():
    x = RNG.standard_normal((1, 2, 3, 4, 2))
    theta = _t(np.eye(3, 4)[None])
    grid = F.affine_grid(theta, [1, 2, 3, 4, 2], align_corners=True)
    assert grid.shape == (1, 3, 4, 2, 3)
    assert_close(F.grid_sample(_t(x), grid, align_corners=True), x)


def test_bicubic_interpolates_pixels_and_keeps_constants():
    x = RNG.standard_normal((1, 1, 5, 6))
    # align_corners: -1 + 2k/(n-1) is pixel k's centre, where the cubic kernel is 1, 0, 0, 0
    gx, gy = np.meshgrid(-1 + 2 * np.arange(6) / 5, -1 + 2 * np.arange(5) / 4)
    g = np.stack([gx, gy], -1)[None]
    out = F.grid_sample(_t(x), _t(g), mode="bicubic", align_corners=True)
    assert_close(out, x, rtol=1e-12, atol=1e-12)
    # Keys' weights sum to 1: a constant image stays constant, also across the borders
    g = RNG.uniform(-1.5, 1.5, (1, 3, 4, 2))
    out = F.grid_sample(_t(np.full((1, 1, 4, 4), 2.5)), _t(g), "bicubic", "border")
    assert_close(out, np.full((1, 1, 3, 4), 2.5))
    # one fractional point against the kernel written out: t = 0.25 between pixels 1 and 2
    a = -0.75
    w = [a * (1.25**3 - 5 * 1.25**2 + 8 * 1.25 - 4), (a + 2) * 0.25**3 - (a + 3) * 0.25**2 + 1]
    w += [(a + 2) * 0.75**3 - (a + 3) * 0.75**2 + 1, a * (1.75**3 - 5 * 1.75**2 + 8 * 1.75 - 4)]
    row = RNG.standard_normal((1, 1, 1, 4))
    out = F.grid_sample(_t(row), _t([[[[-1 + 2 * 1.25 / 3, 0.0]]]]), "bicubic", align_corners=True)
    assert_close(out[0, 0, 0, 0], np.dot(w, row[0, 0, 0]))


# ---- gradients ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mode", "pad", "align"),
    [
        ("bilinear", "zeros", False),
        ("bilinear", "border", True),
        ("bilinear", "reflection", False),
        ("bicubic", "zeros", True),
        ("bicubic", "reflection", False),
    ],
)
def test_grid_sample_gradcheck_input_and_grid(mode, pad, align):
    x = _t(RNG.standard_normal((1, 2, 3, 4)), True)
    g = _t(RNG.uniform(-1.3, 1.3, (1, 2, 3, 2)), True)

    def f(a, b):
        return F.grid_sample(a, b, mode=mode, padding_mode=pad, align_corners=align)

    assert gradcheck(f, (x, g))
    assert gradgradcheck(f, (x, g))


def test_grid_sample_5d_gradcheck():
    x = _t(RNG.standard_normal((1, 1, 2, 3, 2)), True)
    g = _t(RNG.uniform(-1.2, 1.2, (1, 2, 1, 2, 3)), True)
    f = lambda a, b: F.grid_sample(a, b, padding_mode="reflection")  # noqa: E731
    assert gradcheck(f, (x, g))
    assert gradgradcheck(f, (x, g))


def test_nearest_grid_gradient_is_zero_and_input_gradient_counts_picks():
    x = _t(np.zeros((1, 1, 2, 2)), True)
    g = _t(np.array([[[[-0.9, -0.9], [-0.8, -0.7], [0.9, 0.9]]]]), True)
    F.grid_sample(x, g, mode="nearest", align_corners=True).sum().backward()
    assert_close(g.grad, np.zeros((1, 1, 3, 2)))
    assert_close(x.grad, np.array([[[[2.0, 0.0], [0.0, 1.0]]]]))


def test_affine_grid_gradcheck():
    theta = _t(RNG.standard_normal((2, 2, 3)), True)
    assert gradcheck(lambda t: F.affine_grid(t, (2, 1, 3, 2)), (theta,))
    x = _t(RNG.standard_normal((2, 1, 3, 4)))
    f = lambda t: F.grid_sample(x, F.affine_grid(t, (2, 1, 2, 2)))  # noqa: E731
    assert gradgradcheck(f, (_t(RNG.standard_normal((2, 2, 3)) * 0.5, True),))


# ---- errors -------------------------------------------------------------------------------------
def test_grid_sample_errors():
    x, g = _t(np.zeros((1, 1, 2, 2))), _t(np.zeros((1, 2, 2, 2)))
    with pytest.raises(ValueError, match="mode"):
        F.grid_sample(x, g, mode="linear")
    with pytest.raises(ValueError, match="padding_mode"):
        F.grid_sample(x, g, padding_mode="circular")
    with pytest.raises(ValueError, match="4D or 5D"):
        F.grid_sample(_t(np.zeros((1, 2, 2))), g)
    with pytest.raises(ValueError, match=r"grid of shape \(1, 2, 2, 3\)"):
        F.grid_sample(x, _t(np.zeros((1, 2, 2, 3))))
    with pytest.raises(ValueError, match="N = 1"):
        F.grid_sample(x, _t(np.zeros((2, 2, 2, 2))))
    with pytest.raises(TypeError, match="same dtype"):
        F.grid_sample(x, _t(np.zeros((1, 2, 2, 2), np.float32)))
    with pytest.raises(TypeError, match="floating"):
        F.grid_sample(_t(np.zeros((1, 1, 2, 2), np.int64)), g)
    with pytest.raises(TypeError, match="Tensor"):
        F.grid_sample(np.zeros((1, 1, 2, 2)), g)
    with pytest.raises(ValueError, match="non-empty"):
        F.grid_sample(_t(np.zeros((1, 1, 0, 2))), g)
    with pytest.raises(ValueError, match="bicubic"):
        F.grid_sample(_t(np.zeros((1, 1, 2, 2, 2))), _t(np.zeros((1, 1, 1, 1, 3))), "bicubic")


def test_affine_grid_errors():
    theta = _t(np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match="Nx2x3"):
        F.affine_grid(theta, (3, 1, 2, 2))
    with pytest.raises(ValueError, match="Nx3x4"):
        F.affine_grid(theta, (2, 1, 2, 2, 2))
    with pytest.raises(ValueError, match="4D and 5D"):
        F.affine_grid(theta, (2, 1, 2))
    with pytest.raises(ValueError, match="positive"):
        F.affine_grid(theta, (2, 1, 0, 2))
    with pytest.raises(TypeError, match="floating"):
        F.affine_grid(_t(np.zeros((2, 2, 3), np.int64)), (2, 1, 2, 2))


# ---- PyTorch parity -----------------------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("nd", [4, 5])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grid_sample_torch_parity(nd, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(nd)
    tol = 2e-5 if dtype == np.float32 else 1e-10
    modes = ("bilinear", "nearest", "bicubic") if nd == 4 else ("bilinear", "nearest")
    for mode, pad, align in itertools.product(modes, PADS, (False, True)):
        sp, osp = ((4, 5), (3, 4)) if nd == 4 else ((3, 4, 2), (2, 3, 2))
        x = rng.standard_normal((2, 3, *sp)).astype(dtype)
        g = rng.uniform(-1.7, 1.7, (2, *osp, nd - 2)).astype(dtype)
        g.reshape(-1)[:4] = (1.0, -1.0, 0.0, 3.5)
        w = rng.standard_normal((2, 3, *osp)).astype(dtype)
        xa, ga = _t(x, True), _t(g, True)
        out = F.grid_sample(xa, ga, mode=mode, padding_mode=pad, align_corners=align)
        (out * _t(w)).sum().backward()
        xt = torch.tensor(x, requires_grad=True)
        gt = torch.tensor(g, requires_grad=True)
        ref = torch.nn.functional.grid_sample(
            xt, gt, mode=mode, padding_mode=pad, align_corners=align
        )
        (ref * torch.tensor(w)).sum().backward()
        what = f"{mode}/{pad}/align={align}"
        assert_close(out, ref.detach().numpy(), rtol=tol, atol=tol, msg=what)
        assert_close(xa.grad, xt.grad.numpy(), rtol=tol, atol=tol, msg=what)
        assert_close(ga.grad, gt.grad.numpy(), rtol=tol, atol=tol * 10, msg=what)


@pytest.mark.torch
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 1, 3), (2, 2, 3, 4, 2)])
@pytest.mark.parametrize("align", [False, True])
def test_affine_grid_torch_parity(size, align):
    torch = pytest.importorskip("torch")
    d = len(size) - 2
    theta = RNG.standard_normal((2, d, d + 1)).astype(np.float32)
    ta = _t(theta, True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unit-size warning, tested above
        out = F.affine_grid(ta, size, align_corners=align)
        tt = torch.tensor(theta, requires_grad=True)
        ref = torch.nn.functional.affine_grid(tt, list(size), align_corners=align)
    w = RNG.standard_normal(out.shape).astype(np.float32)
    (out * _t(w)).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    assert_close(out, ref.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert_close(ta.grad, tt.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.torch
def test_non_finite_grid_values_torch_parity():
    # NaN / ±inf coordinates: PyTorch's CPU kernel sends NaN to 0 after border/reflection
    # padding and turns the output NaN with zeros padding; no NumPy warning may escape
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((1, 2, 3, 3)).astype(np.float32)
    g = np.array([[[[np.nan, 0.0], [np.inf, 0.0], [-np.inf, 0.5], [0.3, -0.2]]]], np.float32)
    for mode, pad in itertools.product(("bilinear", "nearest", "bicubic"), PADS):
        xa, ga = _t(x, True), _t(g, True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = F.grid_sample(xa, ga, mode=mode, padding_mode=pad)
            out.sum().backward()
        ref = torch.nn.functional.grid_sample(
            torch.tensor(x), torch.tensor(g), mode=mode, padding_mode=pad, align_corners=False
        )
        assert_close(out, ref.numpy(), equal_nan=True, rtol=1e-5, atol=1e-6, msg=f"{mode}/{pad}")
        if pad == "zeros":  # (PyTorch's backward with NaN and other paddings may crash)
            xt = torch.tensor(x, requires_grad=True)
            tf = torch.nn.functional
            tf.grid_sample(xt, torch.tensor(g), mode, align_corners=False).sum().backward()
            assert_close(xa.grad, xt.grad.numpy(), rtol=1e-5, atol=1e-6, msg=mode)
