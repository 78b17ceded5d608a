"""``npgrad.ops.statistics``: quantile, nanquantile, cov, corrcoef, histc, histogram, cdist,
pdist, dist, aminmax, trapezoid/trapz, cumulative_trapezoid and renorm -- forward against
NumPy in float32 and float64, gradients (first and second order), errors, PyTorch parity.
"""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck

FLOATS = [np.float32, np.float64]
INTERPOLATIONS = ["linear", "lower", "higher", "midpoint", "nearest"]


def _arr(shape, dtype=np.float64, seed=0, low=-3.0, high=3.0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def _leaf(shape, seed=0, low=-2.0, high=2.0):
    return npgrad.tensor(_arr(shape, np.float64, seed, low, high), requires_grad=True)


def _close(actual, expected, dtype, tol=None):
    assert isinstance(actual, npgrad.Tensor)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape
    assert actual.dtype == np.dtype(dtype)
    if tol is None:
        tol = 1e-5 if np.dtype(dtype) == np.float32 else 1e-12
    np.testing.assert_allclose(actual.numpy(), expected, rtol=tol, atol=tol, equal_nan=True)


# ---- quantile -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_quantile_matches_numpy(dtype, interpolation):
    a = _arr((4, 7), dtype)
    q = np.array([0.0, 0.1, 0.5, 0.77, 1.0], dtype)
    t = npgrad.tensor(a)
    method = interpolation
    ref = np.quantile(a.astype(np.float64), q.astype(np.float64), axis=1, method=method)
    _close(npgrad.quantile(t, npgrad.tensor(q), dim=1, interpolation=interpolation), ref, dtype)
    ref0 = np.quantile(a.astype(np.float64), 0.3, method=method)
    _close(npgrad.quantile(t, 0.3, interpolation=interpolation), ref0, dtype)
    refk = np.quantile(a.astype(np.float64), 0.6, axis=0, keepdims=True, method=method)
    _close(npgrad.quantile(t, 0.6, dim=0, keepdim=True, interpolation=interpolation), refk, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_quantile_nan_slices_and_nanquantile(dtype):
    a = _arr((3, 6), dtype)
    a[0, 2] = np.nan
    a[2, :] = np.nan
    t = npgrad.tensor(a)
    out = npgrad.quantile(t, 0.4, dim=1)
    assert np.isnan(out.numpy()[[0, 2]]).all() and not np.isnan(out.numpy()[1])
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning):
        ref = np.nanquantile(a.astype(np.float64), [0.25, 0.5], axis=1)
    _close(npgrad.nanquantile(t, npgrad.tensor(np.array([0.25, 0.5], dtype)), dim=1), ref, dtype)
    assert npgrad.nanquantile(t, 0.5, axis=1, keepdims=True).shape == (3, 1)


def test_quantile_gradients():
    x = _leaf((3, 5))
    for interp in INTERPOLATIONS:
        assert gradcheck(lambda t, i=interp: npgrad.quantile(t, 0.35, dim=1, interpolation=i), (x,))
    q = npgrad.tensor([0.2, 0.9], dtype=npgrad.float64)
    assert gradcheck(lambda t: npgrad.quantile(t, q, dim=0), (x,))
    assert gradgradcheck(lambda t: npgrad.quantile(t * t, q), (x,))
    y = npgrad.tensor(np.array([1.0, np.nan, 3.0, 0.5, 2.0]), requires_grad=True)
    npgrad.nanquantile(y, 0.5).backward()
    np.testing.assert_allclose(y.grad.numpy(), [0.5, 0.0, 0.0, 0.0, 0.5])


def test_quantile_errors():
    x = npgrad.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=r"quantile: q values must be in the range \[0, 1\]"):
        npgrad.quantile(x, 1.5)
    with pytest.raises(ValueError, match="interpolation"):
        npgrad.quantile(x, 0.5, interpolation="cubic")
    with pytest.raises(TypeError, match="quantile: expected a floating point tensor"):
        npgrad.quantile(npgrad.tensor([1, 2]), 0.5)
    with pytest.raises(TypeError, match="dtype of input"):
        npgrad.quantile(x, npgrad.tensor([0.5], dtype=npgrad.float64))
    with pytest.raises(ValueError, match="1-D"):
        npgrad.quantile(x, npgrad.tensor([[0.5]]))
    with pytest.raises(IndexError, match="nanquantile"):
        npgrad.nanquantile(x, 0.5, dim=2)
    with pytest.raises(ValueError, match="non-empty"):
        npgrad.quantile(npgrad.zeros(0), 0.5)


# ---- cov, corrcoef --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_cov_and_corrcoef_match_numpy(dtype):
    a = _arr((3, 8), dtype)
    f = np.array([1, 2, 0, 3, 1, 1, 2, 1])
    w = _arr(8, dtype, seed=3, low=0.1, high=1.0)
    t = npgrad.tensor(a)
    a64 = a.astype(np.float64)
    _close(npgrad.cov(t), np.cov(a64), dtype)
    _close(npgrad.cov(t, correction=0), np.cov(a64, ddof=0), dtype)
    _close(npgrad.cov(t, fweights=npgrad.tensor(f)), np.cov(a64, fweights=f), dtype)
    got = npgrad.cov(t, fweights=npgrad.tensor(f), aweights=npgrad.tensor(w), correction=2)
    _close(got, np.cov(a64, fweights=f, aweights=w.astype(np.float64), ddof=2), dtype)
    _close(npgrad.cov(npgrad.tensor(a[0])), np.cov(a64[0]), dtype)
    _close(npgrad.corrcoef(t), np.corrcoef(a64), dtype)
    _close(npgrad.corrcoef(npgrad.tensor(a[0])), 1.0, dtype)
    ints = npgrad.cov(npgrad.tensor([[1, 2, 4], [0, 1, 1]]))
    _close(ints, np.cov(np.array([[1, 2, 4], [0, 1, 1]])), np.float32)


def test_cov_gradients_and_errors():
    x = _leaf((2, 5))
    w = npgrad.tensor(_arr(5, seed=1, low=0.2, high=1.0), requires_grad=True)
    f = npgrad.tensor([1, 2, 1, 3, 1])
    assert gradcheck(lambda a, b: npgrad.cov(a, fweights=f, aweights=b), (x, w))
    assert gradgradcheck(lambda a, b: npgrad.cov(a, aweights=b), (x, w))
    assert gradgradcheck(npgrad.corrcoef, (x,))
    with pytest.raises(ValueError, match="two or fewer"):
        npgrad.cov(npgrad.zeros(2, 2, 2))
    with pytest.raises(ValueError, match="fweights to have one dimension of size 5"):
        npgrad.cov(x, fweights=npgrad.tensor([1, 2]))
    with pytest.raises(TypeError, match="integral"):
        npgrad.cov(x, fweights=npgrad.ones(5))
    with pytest.raises(ValueError, match="aweights cannot be negative"):
        npgrad.cov(x, aweights=npgrad.tensor([1.0, -1.0, 1.0, 1.0, 1.0], dtype=npgrad.float64))
    with pytest.warns(RuntimeWarning, match="degrees of freedom"):
        out = npgrad.cov(npgrad.tensor([[1.0]]))
    assert np.isnan(out.numpy()).all()


# ---- histograms -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_histc_and_histogram_match_numpy(dtype):
    a = _arr(50, dtype, low=-2.0, high=2.0)
    a[:3] = [2.0, -2.0, 5.0]  # the edges, and an element out of range
    t = npgrad.tensor(a)
    ref, edges = np.histogram(a[a <= 2.0], bins=8, range=(-2.0, 2.0))
    _close(npgrad.histc(t, bins=8, min=-2, max=2), ref.astype(dtype), dtype)
    h = npgrad.histogram(t, 8, range=(-2.0, 2.0))
    _close(h.hist, ref.astype(dtype), dtype)
    _close(h.bin_edges, edges.astype(dtype), dtype)
    ref_d, _ = np.histogram(a, bins=5, density=True)
    _close(npgrad.histogram(t, 5, density=True).hist, ref_d.astype(dtype), dtype, tol=1e-5)
    w = _arr(50, dtype, seed=2, low=0.0, high=1.0)
    e = np.array([-3.0, -1.0, 0.0, 0.5, 6.0], dtype)
    ref_w, _ = np.histogram(a, bins=e, weights=w)
    hw = npgrad.histogram(t, npgrad.tensor(e), weight=npgrad.tensor(w))
    _close(hw.hist, ref_w.astype(dtype), dtype, tol=1e-5)
    # a single value: the range widens by 1 (histc) or 0.5 (histogram) each side
    one = npgrad.tensor(np.array([1.0, 1.0], dtype))
    _close(npgrad.histc(one, bins=3), np.array([0, 2, 0], dtype), dtype)
    _close(npgrad.histogram(one, 2).bin_edges, np.array([0.5, 1.0, 1.5], dtype), dtype)


def test_histc_float16_does_not_overflow():
    h = npgrad.tensor(np.array([0.0, 60000.0, 65000.0], np.float16))
    out = npgrad.histc(h, bins=1000, min=0, max=65000)
    assert out.dtype == np.float16 and out.numpy().sum() == 3 and out.numpy()[-1] == 1


def test_histogram_errors_and_repr():
    x = npgrad.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="histc: expected a floating point tensor"):
        npgrad.histc(npgrad.tensor([1, 2]))
    with pytest.raises(ValueError, match="max must be larger than min"):
        npgrad.histc(x, 3, min=2, max=1)
    with pytest.raises(ValueError, match="bins must be positive"):
        npgrad.histogram(x, 0)
    with pytest.raises(ValueError, match="increasing"):
        npgrad.histogram(x, npgrad.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="weight must have the shape"):
        npgrad.histogram(x, 2, weight=npgrad.ones(3))
    assert repr(npgrad.histogram(x, 1)).startswith("npgrad.return_types.histogram(\nhist=")


# ---- distances ------------------------------------------------------------------------------
P_VALUES = [0.0, 0.5, 1.0, 2.0, 3.0, float("inf")]


def _ref_cdist(a, b, p):
    d = np.abs(a[..., :, None, :] - b[..., None, :, :])
    if p == 0:
        return (d != 0).sum(-1).astype(a.dtype)
    if np.isinf(p):
        return d.max(-1)
    return (d**p).sum(-1) ** (1 / p)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("p", P_VALUES)
def test_cdist_pdist_dist_match_numpy(dtype, p):
    a, b = _arr((2, 4, 3), dtype, 0), _arr((5, 3), dtype, 1)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    _close(
        npgrad.cdist(npgrad.tensor(a), npgrad.tensor(b), p), _ref_cdist(a64, b64[None], p), dtype
    )
    full = _ref_cdist(a64[0], a64[0], p)
    _close(npgrad.pdist(npgrad.tensor(a[0]), p), full[np.triu_indices(4, 1)], dtype)
    d = np.abs(a64[0] - b64[:4])
    ref = (d != 0).sum() if p == 0 else d.max() if np.isinf(p) else (d**p).sum() ** (1 / p)
    _close(npgrad.dist(npgrad.tensor(a[0]), npgrad.tensor(b[:4]), p), ref, dtype)


@pytest.mark.parametrize("p", P_VALUES)
def test_cdist_gradients(p):
    a, b = _leaf((3, 2), 0), _leaf((4, 2), 1)
    assert gradcheck(lambda x, y: npgrad.cdist(x, y, p), (a, b))
    if p in (2.0, 3.0, 1.0):
        assert gradgradcheck(lambda x, y: npgrad.cdist(x, y, p), (a, b))
    assert gradcheck(lambda x: npgrad.pdist(x, p), (a,))


@pytest.mark.parametrize("dtype", FLOATS)
def test_cdist_by_matrix_products(dtype):
    a, b = _arr((2, 30, 4), dtype, 0), _arr((7, 4), dtype, 1)
    ref = _ref_cdist(a.astype(np.float64), b.astype(np.float64)[None], 2.0)
    for mode in (None, "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"):
        out = npgrad.cdist(npgrad.tensor(a), npgrad.tensor(b), compute_mode=mode)
        _close(out, ref, dtype, tol=1e-5 if dtype == np.float32 else 1e-10)
    x, y = _leaf((27, 2), 0), _leaf((3, 2), 1)
    assert gradgradcheck(lambda u, v: npgrad.cdist(u, v), (x, y))
    with pytest.raises(ValueError, match="compute_mode"):
        npgrad.cdist(x, y, compute_mode="fast")


def test_cdist_gradient_is_zero_at_zero_distance():
    for p in (0.5, 1.0, 2.0, 3.0, float("inf")):
        x = npgrad.tensor([[1.0, 2.0], [1.0, 2.0]], requires_grad=True)
        npgrad.cdist(x, x.detach(), p).sum().backward()
        assert np.isfinite(x.grad.numpy()).all()
        y = npgrad.tensor([[1.0, 2.0]], requires_grad=True)
        npgrad.cdist(y, npgrad.tensor([[1.0, 2.0]]), p).sum().backward()
        np.testing.assert_array_equal(y.grad.numpy(), [[0.0, 0.0]])


def test_distance_errors():
    x = npgrad.ones(2, 3)
    with pytest.raises(ValueError, match="same number of columns"):
        npgrad.cdist(x, npgrad.ones(2, 4))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        npgrad.cdist(npgrad.ones(3), x)
    with pytest.raises(ValueError, match="non-negative p"):
        npgrad.cdist(x, x, -1.0)
    with pytest.raises(ValueError, match="batch dimensions"):
        npgrad.cdist(npgrad.ones(2, 2, 3), npgrad.ones(3, 2, 3))
    with pytest.raises(ValueError, match="pdist: only supports 2-D"):
        npgrad.pdist(npgrad.ones(3))


# ---- aminmax, trapezoid, renorm -------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_aminmax(dtype):
    a = _arr((3, 4), dtype)
    r = npgrad.aminmax(npgrad.tensor(a), dim=1)
    _close(r.min, a.min(1), dtype)
    _close(r.max, a.max(1), dtype)
    k = npgrad.aminmax(npgrad.tensor(a), keepdim=True)
    _close(k[0], a.min(keepdims=True), dtype)
    _close(k[1], a.max(keepdims=True), dtype)
    assert npgrad.aminmax(npgrad.tensor([3, 1])).max.item() == 3
    x = npgrad.tensor([1.0, 3.0, 3.0], requires_grad=True)
    lo, hi = npgrad.aminmax(x)
    (lo + hi).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.5, 0.5])
    with pytest.raises(ValueError, match="empty"):
        npgrad.aminmax(npgrad.zeros(0))


@pytest.mark.parametrize("dtype", FLOATS)
def test_trapezoid_and_cumulative_trapezoid(dtype):
    y, x = _arr((3, 5), dtype), np.sort(_arr(5, dtype, seed=4))
    ty, tx = npgrad.tensor(y), npgrad.tensor(x)
    y64, x64 = y.astype(np.float64), x.astype(np.float64)
    _close(
        npgrad.trapezoid(ty),
        ((y64[:, 1:] + y64[:, :-1]) / 2).sum(1),
        dtype,
    )
    ref = ((y64[:, 1:] + y64[:, :-1]) * np.diff(x64) / 2).sum(1)
    _close(npgrad.trapezoid(ty, tx), ref, dtype)
    _close(npgrad.trapz(ty, dx=0.5, dim=0), ((y64[1:] + y64[:-1]) * 0.25).sum(0), dtype)
    _close(npgrad.trapezoid(ty, dx=0.5, axis=0), ((y64[1:] + y64[:-1]) * 0.25).sum(0), dtype)
    cum = np.cumsum((y64[:, 1:] + y64[:, :-1]) * np.diff(x64) / 2, 1)
    _close(npgrad.cumulative_trapezoid(ty, tx), cum, dtype)
    _close(npgrad.cumulative_trapezoid(ty, dx=2.0), np.cumsum(y64[:, 1:] + y64[:, :-1], 1), dtype)
    a, b = _leaf((2, 4)), npgrad.tensor(np.array([0.0, 0.5, 1.5, 2.0]), requires_grad=True)
    assert gradgradcheck(lambda u, v: npgrad.trapezoid(u * u, v), (a, b))
    assert gradcheck(lambda u, v: npgrad.cumulative_trapezoid(u, v), (a, b))
    with pytest.raises(ValueError, match="x has 3 elements"):
        npgrad.trapezoid(ty, npgrad.ones(3))
    with pytest.raises(IndexError, match="trapezoid"):
        npgrad.trapezoid(ty, dim=2)


@pytest.mark.parametrize("dtype", FLOATS)
def test_renorm(dtype):
    a = _arr((3, 4), dtype)
    for p, dim, maxnorm in ((2, 0, 1.5), (1, 1, 2.0), (float("inf"), 0, 0.5)):
        n = np.linalg.norm(a.astype(np.float64), ord=p, axis=1 - dim, keepdims=True)
        ref = a * np.where(n > maxnorm, maxnorm / (n + 1e-7), 1.0)
        _close(npgrad.renorm(npgrad.tensor(a), p, dim, maxnorm), ref, dtype)
    x = _leaf((3, 4))
    assert gradgradcheck(lambda t: npgrad.renorm(t, 2, 1, 1.0), (x,))
    with pytest.raises(ValueError, match="maxnorm"):
        npgrad.renorm(x, 2, 0, -1.0)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        npgrad.renorm(npgrad.ones(3), 2, 0, 1.0)


def test_methods():
    x = npgrad.tensor(_arr((3, 4)))
    assert npgrad.equal(x.quantile(0.5, dim=1), npgrad.quantile(x, 0.5, dim=1))
    assert npgrad.equal(x.nanquantile(0.5), npgrad.nanquantile(x, 0.5))
    assert npgrad.equal(x.cov(), npgrad.cov(x))
    assert npgrad.equal(x.corrcoef(), npgrad.corrcoef(x))
    assert npgrad.equal(x.histc(4), npgrad.histc(x, 4))
    assert npgrad.equal(x.histogram(4).hist, npgrad.histogram(x, 4).hist)
    assert npgrad.equal(x.dist(x * 2, 1), npgrad.dist(x, x * 2, 1))
    assert npgrad.equal(x.aminmax(dim=0).min, x.amin(0))
    assert npgrad.equal(x.renorm(2, 0, 1.0), npgrad.renorm(x, 2, 0, 1.0))
    y = x.clone()
    assert y.renorm_(2, 0, 1.0) is y and npgrad.equal(y, x.renorm(2, 0, 1.0))


# ---- PyTorch parity -------------------------------------------------------------------------
PARITY = {
    "quantile_linear": (lambda m, x, q: m.quantile(x, q, dim=1), [(3, 6), None]),
    "quantile_nearest": (
        lambda m, x, q: m.quantile(x, q, dim=0, keepdim=True, interpolation="nearest"),
        [(5, 3), None],
    ),
    "quantile_midpoint": (
        lambda m, x, q: m.quantile(x, q, interpolation="midpoint"),
        [(4, 3), None],
    ),
    "nanquantile": (
        lambda m, x, q: m.nanquantile(x, q, dim=1, interpolation="lower"),
        [(3, 6), None],
    ),
    "cov": (lambda m, x, w: m.cov(x, aweights=w.abs() + 0.1, correction=2), [(3, 6), (6,)]),
    "corrcoef": (lambda m, x: m.corrcoef(x), [(3, 6)]),
    "cdist2": (lambda m, x, y: m.cdist(x, y), [(2, 4, 3), (5, 3)]),
    "cdist2_mm": (lambda m, x, y: m.cdist(x, y), [(30, 3), (2, 5, 3)]),
    "cdist2_mm_forced": (
        lambda m, x, y: m.cdist(x, y, compute_mode="use_mm_for_euclid_dist"),
        [(4, 3), (5, 3)],
    ),
    "cdist1": (lambda m, x, y: m.cdist(x, y, 1.0), [(4, 3), (5, 3)]),
    "cdist3": (lambda m, x, y: m.cdist(x, y, 3.0), [(4, 3), (5, 3)]),
    "cdist_half": (lambda m, x, y: m.cdist(x, y, 0.5), [(4, 3), (5, 3)]),
    "cdist_inf": (lambda m, x, y: m.cdist(x, y, float("inf")), [(4, 3), (5, 3)]),
    "pdist": (lambda m, x: m.pdist(x, 2.5), [(5, 3)]),
    "dist": (lambda m, x, y: m.dist(x, y, 3), [(3, 4), (4,)]),
    "aminmax": (lambda m, x: m.aminmax(x, dim=0), [(3, 4)]),
    "trapezoid": (lambda m, y, x: m.trapezoid(y, x, dim=0), [(4, 3), (4, 3)]),
    "trapezoid_dx": (lambda m, y: m.trapezoid(y, dx=0.3), [(4, 3)]),
    "cumulative_trapezoid": (lambda m, y, x: m.cumulative_trapezoid(y, x), [(4, 3), (3,)]),
    "renorm": (lambda m, x: m.renorm(x, 2, 1, 1.5), [(3, 4)]),
}
QS = np.array([0.0, 0.3, 0.5, 1.0])


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(PARITY))
def test_matches_torch_values_and_gradients(name, dtype):
    torch = pytest.importorskip("torch")
    fn, shapes = PARITY[name]
    arrays = [QS.astype(dtype) if s is None else _arr(s, dtype, k) for k, s in enumerate(shapes)]
    if name == "nanquantile":
        arrays[0][1, 2] = np.nan
    ours = [npgrad.tensor(a, requires_grad=s is not None) for a, s in zip(arrays, shapes)]
    theirs = [torch.tensor(a, requires_grad=s is not None) for a, s in zip(arrays, shapes)]
    outs, refs = fn(npgrad, *ours), fn(torch, *theirs)
    outs = tuple(outs) if isinstance(outs, tuple) else (outs,)
    refs = tuple(refs) if isinstance(refs, tuple) else (refs,)
    tol = 2e-5 if dtype == "float32" else 1e-10
    loss_ours, loss_theirs = 0, 0
    for k, (o, r) in enumerate(zip(outs, refs)):
        assert o.shape == tuple(r.shape) and str(o.dtype) == dtype
        np.testing.assert_allclose(o.detach().numpy(), r.detach().numpy(), rtol=tol, atol=tol)
        loss_ours = loss_ours + (o * (k + 1.5)).sum()
        loss_theirs = loss_theirs + (r * (k + 1.5)).sum()
    loss_ours.backward()
    loss_theirs.backward()
    for a, b in zip(ours, theirs):
        if b.grad is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol * 10, atol=tol * 10)


@pytest.mark.torch
def test_histograms_match_torch():
    torch = pytest.importorskip("torch")
    a = _arr(200, np.float32, low=-2.0, high=2.0)
    a[:4] = [2.0, -2.0, 1.0, 0.0]
    for bins, lo, hi in ((7, -2, 2), (10, 0, 0), (3, -1, 0.5)):
        ours = npgrad.histc(npgrad.tensor(a), bins, lo, hi).numpy()
        np.testing.assert_array_equal(ours, torch.histc(torch.tensor(a), bins, lo, hi).numpy())
    w = _arr(200, np.float32, seed=1, low=0.0, high=1.0)
    for kw in ({"bins": 6}, {"bins": 4, "range": (-1.0, 1.0), "density": True}):
        ours = npgrad.histogram(npgrad.tensor(a), weight=npgrad.tensor(w), **kw)
        ref = torch.histogram(torch.tensor(a), weight=torch.tensor(w), **kw)
        np.testing.assert_allclose(ours.hist.numpy(), ref.hist.numpy(), rtol=1e-5)
        np.testing.assert_allclose(ours.bin_edges.numpy(), ref.bin_edges.numpy(), rtol=1e-6)
    e = np.array([-3.0, -1.0, 0.0, 0.5, 2.0], np.float32)
    ours = npgrad.histogram(npgrad.tensor(a), npgrad.tensor(e))
    ref = torch.histogram(torch.tensor(a), torch.tensor(e))
    np.testing.assert_array_equal(ours.hist.numpy(), ref.hist.numpy())
