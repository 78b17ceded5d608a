"""nn.functional.interpolate (nearest, nearest-exact, linear/bilinear/trilinear, bicubic,
area), upsample aliases, pixel_shuffle / pixel_unshuffle: NumPy references, gradients,
PyTorch parity over drawn sizes and scale factors, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn import functional as F
from npgrad.testing import assert_close

RNG = np.random.default_rng(5)


def _t(*shape, dtype=np.float64, grad=True):
    return npgrad.tensor(RNG.standard_normal(shape).astype(dtype), requires_grad=grad)


# ---- forward vs NumPy ---------------------------------------------------------------------------
def test_nearest_repeats_and_picks_floor_of_scaled_index():
    x = _t(1, 2, 3, 4)
    assert_close(F.interpolate(x, scale_factor=2), x._data.repeat(2, axis=2).repeat(2, axis=3))
    y = F.interpolate(x, size=(2, 7))
    rows = np.floor(np.arange(2) * np.float32(3 / 2)).astype(int)
    cols = np.floor(np.arange(7) * np.float32(4 / 7)).astype(int)
    assert_close(y, x._data[:, :, rows][:, :, :, cols])


def test_bilinear_matches_a_direct_formula():
    x = _t(1, 1, 3, 4)
    out = F.interpolate(x, size=(5, 6), mode="bilinear", align_corners=True)
    ys, xs = np.linspace(0, 2, 5), np.linspace(0, 3, 6)
    expected = np.empty((5, 6))
    for i, yy in enumerate(ys):
        for j, xx in enumerate(xs):
            y0, x0 = min(int(yy), 1), min(int(xx), 2)
            dy, dx = yy - y0, xx - x0
            a = x._data[0, 0]
            expected[i, j] = (
                a[y0, x0] * (1 - dy) * (1 - dx)
                + a[y0, x0 + 1] * (1 - dy) * dx
                + a[y0 + 1, x0] * dy * (1 - dx)
                + a[y0 + 1, x0 + 1] * dy * dx
            )
    assert_close(out[0, 0], expected)


def test_area_is_adaptive_average_pooling_and_dtype_is_kept():
    x = _t(2, 3, 6, 9, dtype=np.float32)
    out = F.interpolate(x, size=(4, 5), mode="area")
    assert out.dtype == np.float32
    assert_close(out, F.adaptive_avg_pool2d(x, (4, 5)))
    assert F.interpolate(x, scale_factor=0.5, mode="bilinear").dtype == np.float32


def test_upsample_aliases():
    x = _t(1, 1, 2, 2)
    assert_close(F.upsample(x, scale_factor=2), F.interpolate(x, scale_factor=2))
    assert_close(F.upsample_nearest(x, size=3), F.interpolate(x, size=3))
    assert_close(
        F.upsample_bilinear(x, size=3),
        F.interpolate(x, size=3, mode="bilinear", align_corners=True),
    )


# ---- gradients -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kw",
    [
        {"size": (5, 3)},
        {"scale_factor": 1.7, "mode": "nearest-exact"},
        {"size": (4, 7), "mode": "bilinear"},
        {"scale_factor": (0.6, 2.5), "mode": "bilinear", "align_corners": True},
        {"size": (5, 5), "mode": "bicubic"},
        {"size": (2, 3), "mode": "area"},
    ],
)
def test_interpolate_gradcheck_and_gradgradcheck(kw):
    x = _t(1, 2, 3, 4)
    f = lambda x: F.interpolate(x, **kw)  # noqa: E731
    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


def test_linear_and_trilinear_gradcheck():
    assert gradcheck(lambda x: F.interpolate(x, scale_factor=2.5, mode="linear"), (_t(2, 2, 4),))
    assert gradgradcheck(
        lambda x: F.interpolate(x, size=(3, 2, 4), mode="trilinear"), (_t(1, 1, 2, 3, 2),)
    )


# ---- PyTorch parity ------------------------------------------------------------------------------
@pytest.mark.torch
@settings(max_examples=25, deadline=None)
@given(
    size=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    mode=st.sampled_from(["nearest", "nearest-exact", "bilinear", "bicubic", "area"]),
    align=st.booleans(),
    how=st.sampled_from(["size", "scale", "scale_recompute"]),
    out=st.tuples(st.integers(1, 11), st.integers(1, 11)),
    scale=st.tuples(
        st.sampled_from([0.5, 0.7, 1.0, 1.5, 2.0, 2.3, 3.0]), st.sampled_from([0.4, 1.25, 2.0, 2.6])
    ),
    dtype=st.sampled_from(["float32", "float64"]),
)
def test_interpolate_2d_matches_torch(size, mode, align, how, out, scale, dtype):
    torch = pytest.importorskip("torch")
    if how != "size" and any(int(n * s) < 1 for n, s in zip(size, scale)):
        scale = (2.0, 2.0)
    kw: dict = {"mode": mode}
    if mode in ("bilinear", "bicubic"):
        kw["align_corners"] = align
    if how == "size":
        kw["size"] = out
    else:
        kw["scale_factor"] = scale
        kw["recompute_scale_factor"] = how == "scale_recompute"
    x0 = RNG.standard_normal((2, 3, *size)).astype(dtype)
    tx, nx = torch.tensor(x0, requires_grad=True), npgrad.tensor(x0, requires_grad=True)
    ty, ny = torch.nn.functional.interpolate(tx, **kw), F.interpolate(nx, **kw)
    assert ny.shape == tuple(ty.shape) and ny.dtype == np.dtype(dtype)
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == "float32" else {"rtol": 1e-11, "atol": 1e-11}
    assert_close(ny, ty.detach().numpy(), **tol)
    g0 = RNG.standard_normal(ny.shape).astype(dtype)
    ty.backward(torch.tensor(g0))
    ny.backward(npgrad.tensor(g0))
    assert_close(nx.grad, tx.grad.numpy(), **tol)


@pytest.mark.torch
@pytest.mark.parametrize(
    ("shape", "kw"),
    [
        ((2, 3, 5), {"scale_factor": 1.5, "mode": "linear"}),
        ((2, 3, 5), {"size": 9, "mode": "linear", "align_corners": True}),
        ((2, 3, 5), {"size": 3, "mode": "nearest"}),
        ((1, 2, 3, 4, 2), {"size": (5, 3, 4), "mode": "trilinear"}),
        ((1, 2, 3, 4, 2), {"scale_factor": (2, 1.5, 0.5), "mode": "nearest"}),
        ((1, 2, 4, 4), {"scale_factor": 1.0001, "mode": "nearest"}),  # same size: identity
    ],
)
def test_interpolate_1d_3d_match_torch(shape, kw):
    torch = pytest.importorskip("torch")
    x0 = RNG.standard_normal(shape)
    tx, nx = torch.tensor(x0, requires_grad=True), npgrad.tensor(x0, requires_grad=True)
    ty, ny = torch.nn.functional.interpolate(tx, **kw), F.interpolate(nx, **kw)
    assert_close(ny, ty.detach().numpy())
    g0 = RNG.standard_normal(ny.shape)
    ty.backward(torch.tensor(g0))
    ny.backward(npgrad.tensor(g0))
    assert_close(nx.grad, tx.grad.numpy())


_FUZZ_MODES = {
    1: ["nearest", "nearest-exact", "linear", "area"],
    2: ["nearest", "nearest-exact", "bilinear", "bicubic", "area"],
    3: ["nearest", "nearest-exact", "trilinear", "area"],
}
_FUZZ_SCALES = [0.3, 0.5, 0.7, 0.99, 1.0, 1.01, 1.1, 1.3, 1.5, 1.9, 2.0, 2.1, 2.3, 2.5, 3.0, 3.3]


def _torch_nearest_backward_differs(spatial, scales):
    """PyTorch's 1-D/3-D nearest backward maps o == n and o == 2n with the index shortcuts
    its forward does not take; npgrad's gradient is the adjoint of the forward instead."""
    for n, s in zip(spatial, scales):
        o = int(n * s)
        j = np.arange(o)
        floor = np.minimum(np.floor(j * np.float32(1 / s)), n - 1)
        if (o == n and (floor != j).any()) or (o == 2 * n and (floor != j >> 1).any()):
            return True
    return False


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_interpolate_scale_factor_fuzz_matches_torch(nd, dtype):
    # sizes where floor(n * scale) == n: PyTorch's linear kernels copy such an axis, and its
    # 1-D / 3-D nearest kernels use floor(j / scale) without the 2-D kernel's shortcuts
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(nd)
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-11}
    checked = 0
    while checked < 120:
        spatial = tuple(int(n) for n in rng.integers(1, 8 if nd < 3 else 5, nd))
        scales = tuple(float(s) for s in rng.choice(_FUZZ_SCALES, nd))
        if any(int(n * s) < 1 for n, s in zip(spatial, scales)):
            continue
        mode = str(rng.choice(_FUZZ_MODES[nd]))
        kw: dict = {"mode": mode, "scale_factor": scales if nd > 1 else scales[0]}
        if mode in ("linear", "bilinear", "bicubic", "trilinear"):
            kw["align_corners"] = bool(rng.integers(2))
        x0 = rng.standard_normal((2, 2, *spatial)).astype(dtype)
        tx, nx = torch.tensor(x0, requires_grad=True), npgrad.tensor(x0, requires_grad=True)
        ty, ny = torch.nn.functional.interpolate(tx, **kw), F.interpolate(nx, **kw)
        case = f"{spatial} {kw}"
        assert ny.shape == tuple(ty.shape), case
        assert_close(ny, ty.detach().numpy(), msg=case, **tol)
        g0 = rng.standard_normal(ny.shape).astype(dtype)
        ty.backward(torch.tensor(g0))
        ny.backward(npgrad.tensor(g0))
        if not (mode == "nearest" and nd != 2 and _torch_nearest_backward_differs(spatial, scales)):
            assert_close(nx.grad, tx.grad.numpy(), msg=case, **tol)
        checked += 1


@pytest.mark.parametrize(
    ("shape", "kw"),
    [
        ((1, 1, 3), {"scale_factor": 1.3, "mode": "linear"}),
        ((1, 1, 2, 5), {"scale_factor": 1.3, "mode": "bilinear"}),
        ((1, 1, 4, 2, 3), {"scale_factor": (1.1, 2.0, 1.2), "mode": "trilinear"}),
    ],
)
def test_linear_modes_copy_an_axis_whose_size_is_unchanged(shape, kw):
    # floor(n * scale) == n: PyTorch copies that axis instead of resampling it by 1 / scale
    x = _t(*shape)
    y = F.interpolate(x, **kw)
    sfs = kw["scale_factor"] if isinstance(kw["scale_factor"], tuple) else (kw["scale_factor"],)
    sfs *= len(shape) - 2 if len(sfs) == 1 else 1
    same = tuple(1.0 if int(n * s) == n else s for n, s in zip(shape[2:], sfs))
    assert same != sfs
    assert_close(y, F.interpolate(x, scale_factor=same, mode=kw["mode"]), rtol=0, atol=0)
    gradcheck(lambda a: F.interpolate(a, **kw), (x,))


@pytest.mark.parametrize("shape", [(1, 1, 3), (1, 1, 3, 2, 2)])
def test_nearest_1d_3d_floor_the_scaled_index_without_shortcuts(shape):
    # PyTorch's 1-D and 3-D nearest kernels: floor(j / 1.3) for an output of the input's size
    x = _t(*shape)
    y = F.interpolate(x, scale_factor=1.3, mode="nearest")
    assert y.shape == shape
    rows = [0, 0, 1]  # floor(j / 1.3) along the first axis, [0, 0] along axes of size 2
    expected = x._data[..., rows] if len(shape) == 3 else x._data[:, :, rows][:, :, :, [0, 0]]
    assert_close(y, expected if len(shape) == 3 else expected[..., [0, 0]])
    # the gradient is the adjoint of this forward (PyTorch's backward takes the shortcut)
    gradcheck(lambda a: F.interpolate(a, scale_factor=1.3, mode="nearest"), (x,))
    gradgradcheck(lambda a: F.interpolate(a, scale_factor=1.3, mode="nearest"), (x,))


@pytest.mark.torch
@pytest.mark.parametrize("shape", [(2, 8, 3, 4), (3, 2, 18, 2, 3), (9, 2, 2)])
def test_pixel_shuffle_round_trip_and_matches_torch(shape):
    torch = pytest.importorskip("torch")
    r = 2 if shape[-3] % 4 == 0 else 3
    x0 = RNG.standard_normal(shape)
    nx = npgrad.tensor(x0, requires_grad=True)
    y = F.pixel_shuffle(nx, r)
    assert_close(y, torch.nn.functional.pixel_shuffle(torch.tensor(x0), r).numpy())
    assert_close(F.pixel_unshuffle(y, r), x0)
    assert_close(F.pixel_unshuffle(npgrad.tensor(x0), 1), x0)
    z0 = RNG.standard_normal(shape[:-3] + (1, 2 * r, 3 * r))
    assert_close(
        F.pixel_unshuffle(npgrad.tensor(z0), r),
        torch.nn.functional.pixel_unshuffle(torch.tensor(z0), r).numpy(),
    )
    (y * y).sum().backward()
    assert_close(nx.grad, 2 * x0)


# ---- bad input ----------------------------------------------------------------------------------
def test_interpolate_errors():
    x = _t(1, 1, 4, 4)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(x, scale_factor=2, align_corners=True)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, size=2, scale_factor=2)
    with pytest.raises(ValueError, match="either size or scale_factor"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="same number of spatial dimensions"):
        F.interpolate(x, size=(2, 2, 2))
    with pytest.raises(NotImplementedError, match="Got 4D input, but linear mode needs 3D input"):
        F.interpolate(x, size=2, mode="linear")
    with pytest.raises(ValueError, match="Anti-alias option is restricted"):
        F.interpolate(x, size=2, mode="nearest", antialias=True)
    with pytest.raises(ValueError, match="unknown mode 'cubic'"):
        F.interpolate(x, size=2, mode="cubic")
    with pytest.raises(ValueError, match="positive spatial sizes"):
        F.interpolate(x, scale_factor=0.1)
    with pytest.raises(ValueError, match="recompute_scale_factor is not meaningful"):
        F.interpolate(x, size=2, recompute_scale_factor=True)


def test_pixel_shuffle_errors():
    with pytest.raises(ValueError, match=r"divisible by 4.*\(1, 6, 2, 2\)"):
        F.pixel_shuffle(_t(1, 6, 2, 2), 2)
    with pytest.raises(ValueError, match="not divisible by 2"):
        F.pixel_unshuffle(_t(1, 1, 3, 4), 2)
    with pytest.raises(ValueError, match="positive integer"):
        F.pixel_shuffle(_t(1, 4, 2, 2), 0)
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        F.pixel_shuffle(_t(4, 2), 2)
