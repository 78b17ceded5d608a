"""Edge cases of valid input where npgrad's functional API used to differ from PyTorch 2.13:
NaN and infinite data, empty dimensions, PyTorch's float32 loss epsilon, antialiased and uint8
interpolation. Each test checks NumPy-computed values; the ``torch``-marked twins compare with
PyTorch directly."""

from __future__ import annotations

import math

import numpy as np
import pytest

import npgrad
from npgrad.nn import functional as F
from npgrad.testing import assert_close

# NaN/inf data and empty reductions make NumPy warn inside npgrad (silenced outside pytest)
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

NAN, INF = float("nan"), float("inf")
EPS32 = float(np.float32(1e-12))  # PyTorch's ``constexpr float EPSILON`` in its loss kernels


def _t(a, grad=False, dtype=np.float64):
    return npgrad.tensor(np.asarray(a, dtype=dtype), requires_grad=grad)


def _exact(actual, expected, rtol=1e-13):
    """Values, NaN positions and signs of infinities all equal (assert_close with NaNs)."""
    a = actual.detach().numpy() if isinstance(actual, npgrad.Tensor) else np.asarray(actual)
    np.testing.assert_allclose(a, expected, rtol=rtol, atol=0, equal_nan=True)


# ---- losses -------------------------------------------------------------------------------------
def test_binary_cross_entropy_gradient_clamps_at_pytorchs_float_epsilon():
    p = _t([0.0, 1.0, 1e-50, 0.25], grad=True)
    y = _t([1.0, 0.0, 1.0, 1.0])
    F.binary_cross_entropy(p, y, reduction="sum").backward()
    pd, yd = p._data, y._data
    expected = (pd - yd) / np.maximum(pd * (1 - pd), EPS32)
    _exact(p.grad, expected)
    assert p.grad._data[0] == -1 / EPS32 != -1e12  # 1e12 * (1 + 4.0e-9)


def test_cosine_embedding_loss_adds_pytorchs_float_epsilon_to_the_squared_norms():
    x1 = _t(np.zeros((2, 3)), grad=True)
    x2 = np.array([[1.0, 2.0, 2.0], [0.5, -1.0, 3.0]])
    loss = F.cosine_embedding_loss(x1, _t(x2), _t([1.0, 1.0]), reduction="sum")
    _exact(loss, 2.0)
    loss.backward()
    # at x1 = 0: d(1 - cos)/dx1 = -x2 / sqrt((|x1|^2 + eps)(|x2|^2 + eps))
    denom = np.sqrt(EPS32 * ((x2 * x2).sum(1, keepdims=True) + EPS32))
    _exact(x1.grad, -x2 / denom, rtol=1e-12)


@pytest.mark.parametrize(
    ("loss", "param", "slope"),
    [
        (lambda x, y: F.smooth_l1_loss(x, y, reduction="sum", beta=2.0), 2.0, 1.0),
        (lambda x, y: F.huber_loss(x, y, reduction="sum", delta=2.0), 2.0, 2.0),
    ],
    ids=["smooth_l1", "huber"],
)
def test_smooth_l1_and_huber_gradient_at_an_infinite_difference_is_the_slope(loss, param, slope):
    x = _t([-INF, INF, 0.5, 3.0, NAN, 2.0], grad=True)
    y = _t([0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    loss(x, y).backward()
    small = 0.5 / param * slope  # quadratic branch: d * slope / param
    # PyTorch's gradient is sign(d) * slope beyond the threshold (at it too), NaN for NaN
    _exact(x.grad, [-slope, slope, small, slope, NAN, slope])
    y2 = _t([0.0, 0.0, 0.0, 0.0, 0.0, 0.0], grad=True)
    loss(_t([-INF, INF, 0.5, 3.0, NAN, 2.0]), y2).backward()
    _exact(y2.grad, [slope, -slope, -small, -slope, NAN, -slope])


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_cross_entropy_probabilities_over_zero_classes_with_label_smoothing(reduction):
    x = _t(np.zeros((3, 0)), grad=True)
    loss = F.cross_entropy(x, _t(np.zeros((3, 0))), reduction=reduction, label_smoothing=0.1)
    # nothing to smooth: the losses are empty sums (mean: 0 / 0 over no elements)
    _exact(loss, {"none": np.zeros(3), "sum": 0.0, "mean": NAN}[reduction])
    loss.sum().backward()
    assert x.grad.shape == (3, 0)


# ---- activations --------------------------------------------------------------------------------
@pytest.mark.parametrize("inplace", [False, True])
def test_threshold_keeps_nan_inputs(inplace):
    x = _t([NAN, 0.5, 1.0, 2.0, -INF], grad=True)
    y = F.threshold(x * 1.0, 1.0, -3.0, inplace=inplace)
    _exact(y, [NAN, -3.0, -3.0, 2.0, -3.0])  # PyTorch: value where x <= threshold
    y.sum().backward()
    _exact(x.grad, [1.0, 0.0, 0.0, 1.0, 0.0])


def test_threshold_underscore_keeps_nan_inputs():
    x = _t([NAN, 0.5, 2.0])
    F.threshold_(x, 1.0, 0.0)
    _exact(x, [NAN, 0.0, 2.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softshrink_keeps_nan_inputs_and_the_sign_of_zero(dtype):
    y = F.softshrink(_t([NAN, -0.2, 0.2, 0.7, -1.0, INF], dtype=dtype), 0.5)
    assert y.dtype == dtype
    _exact(y, np.array([NAN, -0.0, 0.0, 0.2, -0.5, INF], dtype=dtype), rtol=1e-6)
    assert np.signbit(y._data[1]) and not np.signbit(y._data[2])  # PyTorch's x * 0 inside


# ---- normalization and distances ----------------------------------------------------------------
def test_layer_norm_backward_over_an_empty_normalized_shape():
    x = _t(np.zeros((2, 0)), grad=True)
    w, b = _t(np.zeros(0), grad=True), _t(np.zeros(0), grad=True)
    y = F.layer_norm(x, (0,), w, b)
    assert y.shape == (2, 0)
    y.sum().backward()
    assert x.grad.shape == (2, 0) and w.grad.shape == (0,) and b.grad.shape == (0,)


def test_group_norm_backward_over_an_empty_spatial_dimension():
    x = _t(np.zeros((2, 4, 0)), grad=True)
    b = _t(np.ones(4), grad=True)
    y = F.group_norm(x, 2, None, b)
    assert y.shape == (2, 4, 0)
    y.sum().backward()
    assert x.grad.shape == (2, 4, 0)
    _exact(b.grad, np.zeros(4))


@pytest.mark.parametrize("p", [2.0, 1.0, INF, 0.0])
def test_pdist_of_rows_without_columns_is_zero_for_every_p(p):
    x = _t(np.zeros((4, 0)), grad=True)
    d = F.pdist(x, p)
    assert d.shape == (6,) and d.dtype == np.float64
    _exact(d, np.zeros(6))
    d.sum().backward()
    assert x.grad.shape == (4, 0)


def test_pdist_inf_gives_each_tied_largest_difference_the_whole_gradient():
    x = _t([[0.0, 0.0], [1.0, 1.0], [1.0, -1.0]], grad=True)
    d = F.pdist(x, float("inf"))
    _exact(d, [1.0, 1.0, 2.0])
    d.sum().backward()
    # pairs (0, 1) and (0, 2) tie on both columns: each column gets sign(diff), unsplit
    _exact(x.grad, [[-2.0, 0.0], [1.0, 2.0], [1.0, -2.0]])


def test_embedding_bag_max_keeps_a_leading_nan_and_skips_later_ones():
    w = _t([[NAN, 1.0], [0.5, NAN], [2.0, 3.0]], grad=True)
    out = F.embedding_bag(npgrad.tensor([[0, 1], [1, 2], [1, 0]]), w, mode="max")
    # PyTorch's scan: the first value of a bag is replaced only by a larger one
    _exact(out, [[NAN, 1.0], [2.0, NAN], [0.5, NAN]])
    out.sum().backward()
    _exact(w.grad, [[1.0, 1.0], [1.0, 2.0], [1.0, 0.0]])


# ---- interpolate --------------------------------------------------------------------------------
def _aa_filter(mode, x):
    x = abs(x)
    if mode == "bilinear":
        return max(0.0, 1.0 - x)
    if mode == "bicubic":  # Keys, a = -0.5 (Pillow's)
        a = -0.5
        if x < 1:
            return ((a + 2) * x - (a + 3)) * x * x + 1
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a if x < 2 else 0.0
    if x < 1e-12:
        return 1.0
    return (
        3 * math.sin(math.pi * x) * math.sin(math.pi * x / 3) / (math.pi * x) ** 2 if x < 3 else 0.0
    )


def _aa_matrix(n, o, mode, align_corners=False, scale_factor=None):
    """Pillow's antialiasing resampling as an (o, n) matrix: output j averages the inputs
    within the filter's support (stretched by the scale when downsampling) around its centre,
    the weights normalised to sum 1."""
    if align_corners:
        scale = (n - 1) / (o - 1) if o > 1 else 0.0
    else:
        scale = 1 / scale_factor if scale_factor else n / o
    half = {"bilinear": 1.0, "bicubic": 2.0, "lanczos": 3.0}[mode]
    support, inv = (half * scale, 1 / scale) if scale >= 1 else (half, 1.0)
    m = np.zeros((o, n))
    for j in range(o):
        c = scale * (j + 0.5)
        lo, hi = max(int(c - support + 0.5), 0), min(int(c + support + 0.5), n)
        w = np.array([_aa_filter(mode, (i - c + 0.5) * inv) for i in range(lo, hi)])
        m[j, lo:hi] = w / w.sum() if w.sum() else w
    return m


@pytest.mark.parametrize(
    ("mode", "size", "align_corners"),
    [
        ("bilinear", (3, 4), False),
        ("bilinear", (2, 13), True),
        ("bicubic", (4, 3), False),
        ("bicubic", (9, 2), True),
        ("lanczos", (3, 5), False),
        ("lanczos", (12, 4), False),
    ],
)
def test_interpolate_antialias_matches_pillows_filters(mode, size, align_corners):
    rng = np.random.default_rng(0)
    xd = rng.standard_normal((2, 3, 7, 9))
    x = _t(xd, grad=True)
    y = F.interpolate(x, size=size, mode=mode, antialias=True, align_corners=align_corners)
    mh = _aa_matrix(7, size[0], mode, align_corners)
    mw = _aa_matrix(9, size[1], mode, align_corners)
    assert y.shape == (2, 3) + size and y.dtype == np.float64
    assert_close(y, mh @ xd @ mw.T, rtol=1e-12, atol=1e-13)
    g = rng.standard_normal(y.shape)
    (y * _t(g)).sum().backward()  # the adjoint of the forward
    assert_close(x.grad, mh.T @ g @ mw, rtol=1e-12, atol=1e-13)


def test_interpolate_antialias_scale_factor_and_float32():
    xd = np.random.default_rng(1).standard_normal((1, 1, 10, 6)).astype(np.float32)
    y = F.interpolate(
        _t(xd, dtype=np.float32), scale_factor=(0.35, 1.5), mode="bilinear", antialias=True
    )
    mh = _aa_matrix(10, 3, "bilinear", scale_factor=0.35)
    mw = _aa_matrix(6, 9, "bilinear", scale_factor=1.5)
    assert y.shape == (1, 1, 3, 9) and y.dtype == np.float32
    assert_close(y, (mh @ xd.astype(np.float64) @ mw.T).astype(np.float32), rtol=1e-5, atol=1e-6)


def test_interpolate_antialias_and_lanczos_argument_errors():
    x = _t(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError, match="Anti-alias option is restricted"):
        F.interpolate(x, size=2, mode="nearest", antialias=True)
    with pytest.raises(ValueError, match="Anti-alias option is restricted"):
        F.interpolate(_t(np.zeros((1, 1, 4))), size=2, mode="linear", antialias=True)
    with pytest.raises(ValueError, match="Lanczos mode requires antialias=True"):
        F.interpolate(x, size=2, mode="lanczos")
    with pytest.raises(ValueError, match="does not support align_corners=True"):
        F.interpolate(x, size=2, mode="lanczos", antialias=True, align_corners=True)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@pytest.mark.parametrize("spatial", [(5,), (3, 4), (2, 3, 2)])
def test_interpolate_nearest_accepts_uint8(mode, spatial):
    xd = np.random.default_rng(2).integers(0, 256, (1, 2) + spatial).astype(np.uint8)
    y = F.interpolate(npgrad.tensor(xd), scale_factor=2, mode=mode)
    assert y.dtype == np.uint8
    expected = xd
    for ax in range(2, 2 + len(spatial)):
        expected = expected.repeat(2, axis=ax)
    np.testing.assert_array_equal(y.numpy(), expected)
    # a non-integer scale picks the same pixels as for floats
    z = F.interpolate(npgrad.tensor(xd), scale_factor=0.7, mode=mode)
    zf = F.interpolate(npgrad.tensor(xd.astype(np.float32)), scale_factor=0.7, mode=mode)
    np.testing.assert_array_equal(z.numpy(), zf.numpy().astype(np.uint8))


def test_interpolate_integer_inputs_other_than_nearest_uint8_are_refused():
    with pytest.raises(TypeError, match="floating point input"):
        F.interpolate(npgrad.zeros(1, 1, 2, 2, dtype=npgrad.uint8), scale_factor=2, mode="bilinear")
    with pytest.raises(TypeError, match="floating point input"):
        F.interpolate(npgrad.zeros(1, 1, 2, 2, dtype=npgrad.int64), scale_factor=2)


@pytest.mark.parametrize("size", [(0,), (0, 2), (2, 0, 1)])
def test_interpolate_area_to_an_empty_output(size):
    x = _t(np.ones((1, 2) + (3, 4, 2)[: len(size)]), grad=True)
    y = F.interpolate(x, size=size, mode="area")
    assert y.shape == (1, 2) + size
    y.sum().backward()
    _exact(x.grad, np.zeros(x.shape))


def test_interpolate_nearest_to_an_empty_output_is_refused():
    with pytest.raises(ValueError, match="positive spatial sizes"):
        F.interpolate(_t(np.ones((1, 1, 3))), size=0)


# ---- PyTorch parity -----------------------------------------------------------------------------
def _torch_pair(torch, a, grad=True):
    a = np.asarray(a)
    return _t(a, grad=grad, dtype=a.dtype), torch.tensor(a, requires_grad=grad)


def _same(ours, theirs, rtol=1e-12):
    np.testing.assert_allclose(
        ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol, atol=rtol, equal_nan=True
    )


@pytest.mark.torch
def test_loss_edges_torch_parity():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    p, pt = _torch_pair(torch, [0.0, 1.0, 1e-50, 0.25])
    y = np.array([1.0, 0.0, 1.0, 1.0])
    F.binary_cross_entropy(p, _t(y), reduction="sum").backward()
    tf.binary_cross_entropy(pt, torch.tensor(y), reduction="sum").backward()
    _same(p.grad, pt.grad, rtol=1e-15)
    x1, x1t = _torch_pair(torch, np.zeros((2, 3)))
    x2, tgt = np.array([[1.0, 2.0, 2.0], [0.5, -1.0, 3.0]]), np.array([1.0, -1.0])
    F.cosine_embedding_loss(x1, _t(x2), _t(tgt), margin=-0.5).backward()
    tf.cosine_embedding_loss(x1t, torch.tensor(x2), torch.tensor(tgt), margin=-0.5).backward()
    _same(x1.grad, x1t.grad)
    d = np.array([-INF, INF, 0.5, 3.0, NAN, 2.0, -2.0])
    for ours, theirs in [
        (
            lambda a: F.smooth_l1_loss(a, _t(np.zeros(7)), beta=2.0),
            lambda a: tf.smooth_l1_loss(a, torch.zeros(7, dtype=torch.float64), beta=2.0),
        ),
        (
            lambda a: F.huber_loss(a, _t(np.zeros(7)), delta=2.0),
            lambda a: tf.huber_loss(a, torch.zeros(7, dtype=torch.float64), delta=2.0),
        ),
    ]:
        x, xt = _torch_pair(torch, d)
        ours(x).backward()
        theirs(xt).backward()
        _same(x.grad, xt.grad)


@pytest.mark.torch
def test_activation_nan_torch_parity():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    d = np.array([NAN, 0.5, 1.0, 2.0, -0.2, 0.3, -INF, INF])
    _same(F.threshold(_t(d), 1.0, -3.0), tf.threshold(torch.tensor(d), 1.0, -3.0))
    _same(F.softshrink(_t(d), 0.5), tf.softshrink(torch.tensor(d), 0.5))
    x, xt = _torch_pair(torch, d)
    F.threshold(x, 1.0, -3.0).sum().backward()
    tf.threshold(xt, 1.0, -3.0).sum().backward()
    _same(x.grad, xt.grad)


@pytest.mark.torch
def test_empty_normalization_and_pdist_torch_parity():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x, xt = _torch_pair(torch, np.zeros((2, 0)))
    F.layer_norm(x, (0,)).sum().backward()
    tf.layer_norm(xt, (0,)).sum().backward()
    assert x.grad.shape == tuple(xt.grad.shape)
    for p in [2.0, INF]:
        _same(F.pdist(_t(np.zeros((4, 0))), p), tf.pdist(torch.zeros(4, 0, dtype=torch.float64), p))
    y = F.interpolate(_t(np.ones((1, 1, 3, 4))), size=(0, 2), mode="area")
    assert y.shape == tuple(tf.interpolate(torch.ones(1, 1, 3, 4), size=(0, 2), mode="area").shape)


@pytest.mark.torch
def test_pdist_inf_and_embedding_bag_max_torch_parity():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    for _ in range(5):
        xd = np.round(rng.standard_normal((5, 3)))  # many ties
        x, xt = _torch_pair(torch, xd)
        F.pdist(x, float("inf")).sum().backward()
        torch.nn.functional.pdist(xt, float("inf")).sum().backward()
        _same(x.grad, xt.grad)
        wd = np.round(rng.standard_normal((6, 3)) * 2) / 2
        wd[rng.random((6, 3)) < 0.3] = NAN
        idx, offsets = rng.integers(0, 6, 9), np.array([0, 2, 2, 5])
        w, wt = _torch_pair(torch, wd)
        y = F.embedding_bag(npgrad.tensor(idx), w, npgrad.tensor(offsets), mode="max")
        yt = torch.nn.functional.embedding_bag(
            torch.tensor(idx), wt, torch.tensor(offsets), mode="max"
        )
        _same(y, yt)
        y.sum().backward()
        yt.sum().backward()
        _same(w.grad, wt.grad)


@pytest.mark.torch
@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "lanczos"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_interpolate_antialias_torch_parity(mode, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    for _ in range(12):
        h, w = (int(v) for v in rng.integers(1, 16, 2))
        # PyTorch 2.13 repeats the first row when the output width is 1 (differences.md)
        size = (int(rng.integers(1, 20)), int(rng.integers(2, 20)))
        ac = mode != "lanczos" and bool(rng.integers(0, 2))
        xd = rng.standard_normal((2, 1, h, w)).astype(dtype)
        x, xt = _torch_pair(torch, xd, grad=dtype == np.float64)
        kw = {"size": size, "mode": mode, "antialias": True, "align_corners": ac}
        y, yt = F.interpolate(x, **kw), torch.nn.functional.interpolate(xt, **kw)
        _same(y, yt, rtol=1e-12 if dtype == np.float64 else 2e-6)
        if dtype == np.float64 and (h, w) != size:
            g = rng.standard_normal(y.shape)
            (y * _t(g)).sum().backward()
            (yt * torch.tensor(g)).sum().backward()
            if h != size[0] and w != size[1]:  # PyTorch's backward never skips an axis
                _same(x.grad, xt.grad)


@pytest.mark.torch
def test_interpolate_nearest_uint8_torch_parity():
    torch = pytest.importorskip("torch")
    xd = np.random.default_rng(4).integers(0, 256, (1, 2, 5, 7)).astype(np.uint8)
    for mode in ["nearest", "nearest-exact"]:
        for sf in [2, 0.6, 1.7]:
            y = F.interpolate(npgrad.tensor(xd), scale_factor=sf, mode=mode)
            yt = torch.nn.functional.interpolate(torch.tensor(xd), scale_factor=sf, mode=mode)
            np.testing.assert_array_equal(y.numpy(), yt.numpy())


# ---- half precision normalization (PyTorch's float32 "opmath") ----------------------------------
def _half_input(shape, seed=0):
    # a large mean: float16 arithmetic loses ~3 significant bits of the centred values
    return (np.random.default_rng(seed).standard_normal(shape) * 10 + 100).astype(np.float16)


def test_layer_and_group_norm_compute_half_inputs_in_float32():
    xd = _half_input((3, 4, 16))
    x32 = xd.astype(np.float32)
    y = F.layer_norm(npgrad.tensor(xd), (16,))
    m, v = x32.mean(-1, keepdims=True), x32.var(-1, keepdims=True)
    assert y.dtype == np.float16
    half_ulp = {"rtol": 0, "atol": 1e-3}  # float16 arithmetic was off by up to 4e-3 here
    expected = ((x32 - m) / np.sqrt(v + np.float32(1e-5))).astype(np.float16)
    np.testing.assert_allclose(y.numpy(), expected, **half_ulp)
    g = F.group_norm(npgrad.tensor(xd), 2)
    xg = x32.reshape(3, 2, 32)
    m, v = xg.mean(-1, keepdims=True), xg.var(-1, keepdims=True)
    expected = ((xg - m) / np.sqrt(v + np.float32(1e-5))).reshape(3, 4, 16).astype(np.float16)
    np.testing.assert_allclose(g.numpy(), expected, **half_ulp)


def test_batch_norm_half_rounds_its_float32_statistics_to_half():
    xd = _half_input((64, 3))
    x32 = xd.astype(np.float32)
    rm, rv = npgrad.zeros(3, dtype=npgrad.float16), npgrad.ones(3, dtype=npgrad.float16)
    y = F.batch_norm(npgrad.tensor(xd), rm, rv, training=True, momentum=0.3)
    mean, var = x32.mean(0), x32.var(0)
    m16 = mean.astype(np.float16).astype(np.float32)
    inv16 = (1 / np.sqrt(var + np.float32(1e-5))).astype(np.float16).astype(np.float32)
    assert y.dtype == np.float16
    half_ulp = {"rtol": 0, "atol": 1e-3}
    np.testing.assert_allclose(y.numpy(), ((x32 - m16) * inv16).astype(np.float16), **half_ulp)
    # the running averages are updated in float32 and rounded once
    m = np.float32(0.3)
    np.testing.assert_array_equal(rm.numpy(), (m * mean).astype(np.float16))
    unbiased = var * np.float32(64 / 63)
    np.testing.assert_array_equal(rv.numpy(), (m * unbiased + np.float32(0.7)).astype(np.float16))
    # evaluation normalizes with the half running statistics in float32
    z = F.batch_norm(npgrad.tensor(xd), rm, rv, training=False)
    rm32, rv32 = rm.numpy().astype(np.float32), rv.numpy().astype(np.float32)
    expected = ((x32 - rm32) / np.sqrt(rv32 + np.float32(1e-5))).astype(np.float16)
    np.testing.assert_allclose(z.numpy(), expected, **half_ulp)


def test_instance_norm_running_stats_average_the_per_sample_updates():
    xd = _half_input((4, 3, 7), seed=1)
    x32 = xd.astype(np.float32)
    rm, rv = npgrad.zeros(3, dtype=npgrad.float16), npgrad.ones(3, dtype=npgrad.float16)
    F.instance_norm(npgrad.tensor(xd), rm, rv, use_input_stats=True, momentum=0.3)
    m = np.float32(0.3)
    per_mean = (m * x32.mean(-1)).astype(np.float16)  # each sample's updated copy, in half
    per_var = (m * x32.var(-1) * np.float32(7 / 6) + np.float32(0.7)).astype(np.float16)
    np.testing.assert_array_equal(rm.numpy(), per_mean.mean(0, dtype=np.float32).astype(np.float16))
    np.testing.assert_array_equal(rv.numpy(), per_var.mean(0, dtype=np.float32).astype(np.float16))


@pytest.mark.torch
def test_half_normalization_torch_parity():
    torch = pytest.importorskip("torch")
    xd = _half_input((8, 6, 5), seed=2)
    for ours in [
        lambda m, x: m.nn.functional.layer_norm(x, (6, 5)),
        lambda m, x: m.nn.functional.group_norm(x, 3),
    ]:
        _same(
            ours(npgrad, npgrad.tensor(xd)).to(npgrad.float32),
            ours(torch, torch.tensor(xd)).float(),
            rtol=1e-3,
        )
    for cls in ["BatchNorm1d", "InstanceNorm1d"]:
        kw = {"track_running_stats": True} if cls == "InstanceNorm1d" else {}
        ours = getattr(npgrad.nn, cls)(6, momentum=0.2, **kw).half()
        theirs = getattr(torch.nn, cls)(6, momentum=0.2, **kw).half()
        for shift in range(3):
            y, yt = ours(npgrad.tensor(xd + shift)), theirs(torch.tensor(xd + shift))
            _same(y.to(npgrad.float32), yt.float(), rtol=1e-3)  # a half ulp: summation order
        for a, b in [
            (ours.running_mean, theirs.running_mean),
            (ours.running_var, theirs.running_var),
        ]:
            _same(a.to(npgrad.float32), b.float(), rtol=1e-3)
        ours.eval(), theirs.eval()
        _same(
            ours(npgrad.tensor(xd)).to(npgrad.float32), theirs(torch.tensor(xd)).float(), rtol=1e-3
        )
