"""The error function family: erfc, erfcx, erfinv, ndtr, ndtri, log_ndtr (kernels in
npgrad.ops._erf), against ``math.erf``/``math.erfc``, gradients and torch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

INF, NAN = math.inf, math.nan
SQRT2 = math.sqrt(2.0)


def _t(values, dtype=npgrad.float64, requires_grad=False):
    return npgrad.tensor(np.asarray(values, dtype=dtype), requires_grad=requires_grad)


def _rel(got, ref):
    got, ref = np.asarray(got, np.float64), np.asarray(ref, np.float64)
    return np.abs(got - ref) / np.abs(ref)


# ---- accuracy --------------------------------------------------------------------------------
def test_erfc_is_accurate_relative_to_its_value_also_in_the_tail():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-6, 6, 600), rng.uniform(5, 26, 300), [0.0, 1e-300, -3.0]])
    ref = np.array([math.erfc(v) for v in x])
    # math.erfc itself is within a few ulps; erfc's own bound is 6 ulps
    assert _rel(npgrad.erfc(_t(x)).numpy(), ref).max() < 1.5e-15


def test_erfcx_matches_exp_x2_erfc_x():
    # x = k/64: x^2 exact, so exp(x^2) erfc(x) in math is an accurate reference
    x = np.arange(-26 * 64, 26 * 64 + 1, 7) / 64.0
    ref = np.array([math.exp(v * v) * math.erfc(v) for v in x])
    assert _rel(npgrad.special.erfcx(_t(x)).numpy(), ref).max() < 2e-15
    # the asymptotic range: erfcx(x) ~ 1/(x sqrt(pi)) sum_k (-1)^k (2k-1)!! / (2x^2)^k
    big = np.array([30.0, 100.0, 1e5, 1e200])
    t = 0.5 / big / big
    series = sum((-1) ** k * math.prod(range(1, 2 * k, 2)) * t**k for k in range(12))
    ref = series / (big * math.sqrt(math.pi))
    assert _rel(npgrad.special.erfcx(_t(big)).numpy(), ref).max() < 1e-15


def test_erfinv_inverts_erf_and_erfc():
    rng = np.random.default_rng(1)
    y = np.concatenate([rng.uniform(-1, 1, 500), [1e-300, -1e-20, 0.5, -0.5]])
    x = npgrad.erfinv(_t(y)).numpy()
    # erf(x) = y, to the rounding error erf's slope allows: |dy| <= 2 ulps(x) * erf'(x)
    slope = 2 / math.sqrt(math.pi) * np.exp(-x * x)
    err = np.abs(np.array([math.erf(v) for v in x]) - y)
    assert (err <= 4e-16 * np.abs(x) * slope + 2.3e-16 * np.abs(y)).all()
    # the tail, through erfc: erfc(erfinv(y)) = 1 - y (exact for y >= 1/2), relative
    y = 1 - 10.0 ** -np.arange(1, 16, 0.7)
    back = np.array([math.erfc(v) for v in npgrad.erfinv(_t(y)).numpy()])
    assert _rel(back, 1 - y).max() < 2e-14


def test_ndtri_inverts_ndtr_down_to_tiny_probabilities():
    p = np.concatenate([10.0 ** -np.arange(1, 300, 11.0), [0.3, 0.5, 0.8, 0.999]])
    x = npgrad.special.ndtri(_t(p)).numpy()
    back = np.array([0.5 * math.erfc(-v / SQRT2) for v in x])
    # |dp/p| = |x| |dx| (phi/Phi ~ |x|): a few ulps of x, relative
    assert (_rel(back, p) <= 1e-15 * (1 + np.abs(x) ** 2)).all()
    assert npgrad.special.ndtri(_t([0.5])).tolist() == [0.0]


def test_ndtr_and_log_ndtr_match_math():
    x = np.array([-37.0, -20.0, -5.0, -1.0, -0.3, 0.0, 0.7, 3.0, 8.0])
    ref = np.array([0.5 * math.erfc(-v / SQRT2) for v in x])
    assert _rel(npgrad.special.ndtr(_t(x)).numpy(), ref).max() < 4e-15
    logref = np.array(
        [
            math.log(v) if v < 0.5 else math.log1p(-0.5 * math.erfc(u / SQRT2))
            for u, v in zip(x, ref)
        ]
    )
    assert _rel(npgrad.special.log_ndtr(_t(x)).numpy(), logref).max() < 4e-15
    # beyond erfc's underflow: log Phi(x) ~ -x^2/2 - log(-x sqrt(2 pi)) + log(1 - 1/x^2 + ...)
    far = np.array([-100.0, -1e4])
    u = 1 / far**2
    ref = (
        -far * far / 2
        - np.log(-far * math.sqrt(2 * math.pi))
        + np.log1p(-u + 3 * u**2 - 15 * u**3 + 105 * u**4)
    )
    assert _rel(npgrad.special.log_ndtr(_t(far)).numpy(), ref).max() < 1e-15


def test_special_points():
    got = npgrad.erfc(_t([-INF, INF, NAN, 0.0])).numpy()
    np.testing.assert_array_equal(got[[0, 1, 3]], [2.0, 0.0, 1.0])
    assert np.isnan(got[2])
    got = npgrad.special.erfcx(_t([-INF, INF, -30.0, NAN])).numpy()
    np.testing.assert_array_equal(got[:3], [INF, 0.0, INF])
    got = npgrad.erfinv(_t([1.0, -1.0, 1.5, -2.0, NAN, 0.0, -0.0])).numpy()
    np.testing.assert_array_equal(got[:2], [INF, -INF])
    assert np.isnan(got[2:5]).all() and np.signbit(got[6]) and not np.signbit(got[5])
    got = npgrad.special.ndtri(_t([0.0, 1.0, -0.1, 1.1])).numpy()
    np.testing.assert_array_equal(got[:2], [-INF, INF])
    assert np.isnan(got[2:]).all()
    got = npgrad.special.log_ndtr(_t([-INF, INF])).numpy()
    np.testing.assert_array_equal(got, [-INF, 0.0])


# ---- dtypes and gradients ------------------------------------------------------------------------
FUNCS = {
    "erfc": (npgrad.erfc, -3.0, 3.0),
    "erfcx": (npgrad.special.erfcx, -2.0, 8.0),
    "erfinv": (npgrad.erfinv, -0.95, 0.95),
    "ndtr": (npgrad.special.ndtr, -4.0, 4.0),
    "ndtri": (npgrad.special.ndtri, 0.02, 0.98),
    "log_ndtr": (npgrad.special.log_ndtr, -10.0, 4.0),
}


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_float32_in_float32_out(name):
    fn, lo, hi = FUNCS[name]
    a = np.random.default_rng(3).uniform(lo, hi, (4, 3)).astype(np.float32)
    y32 = fn(_t(a, npgrad.float32))
    y64 = fn(_t(a.astype(np.float64)))
    assert y32.dtype == npgrad.float32 and y32.shape == (4, 3)
    assert_close(y32, y64.to(npgrad.float32), rtol=2e-6, atol=1e-7)
    assert fn(npgrad.tensor([0])).dtype == npgrad.float32


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_gradcheck_and_gradgradcheck(name):
    fn, lo, hi = FUNCS[name]
    x = _t(np.random.default_rng(4).uniform(lo, hi, (2, 3)), requires_grad=True)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_gradients_in_the_tails_stay_finite():
    x = _t([-30.0, 30.0], requires_grad=True)
    (g,) = npgrad.autograd.grad(npgrad.special.log_ndtr(x).sum(), x)
    # d/dx log Phi(x) -> -x in the left tail (the inverse Mills ratio), 0 in the right
    assert g.tolist()[0] == pytest.approx(30.03326, rel=1e-6) and 0 < g.tolist()[1] < 1e-190
    x = _t([0.999999], requires_grad=True)
    (g,) = npgrad.autograd.grad(npgrad.erfinv(x).sum(), x)
    assert math.isfinite(g.item()) and g.item() > 1e5


def test_methods_and_in_place():
    x = _t([0.1, -0.4])
    assert_close(x.erfc(), npgrad.erfc(x))
    assert_close(x.erfinv(), npgrad.erfinv(x))
    for method, fn in (("erfc_", npgrad.erfc), ("erfinv_", npgrad.erfinv), ("erf_", npgrad.erf)):
        y = x.clone()
        assert getattr(y, method)() is y
        assert_close(y, fn(x))
    with pytest.raises(TypeError, match="erfc"):
        npgrad.erfc([0.5])


# ---- PyTorch parity ----------------------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(FUNCS))
def test_matches_torch_values_and_gradients(name, dtype):
    torch = pytest.importorskip("torch")
    fn, lo, hi = FUNCS[name]
    tfn = {
        "erfc": torch.erfc,
        "erfcx": torch.special.erfcx,
        "erfinv": torch.erfinv,
        "ndtr": torch.special.ndtr,
        "ndtri": torch.special.ndtri,
        "log_ndtr": torch.special.log_ndtr,
    }[name]
    a = np.random.default_rng(5).uniform(lo, hi, 9).astype(dtype)
    g = np.linspace(-1, 1, 9).astype(dtype)
    x = npgrad.tensor(a, requires_grad=True)
    y = fn(x)
    y.backward(npgrad.tensor(g))
    tx = torch.tensor(a, requires_grad=True)
    ty = tfn(tx)
    ty.backward(torch.tensor(g))
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-13, "atol": 1e-15}
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **tol)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), **tol)


@pytest.mark.torch
def test_extremes_match_torch():
    torch = pytest.importorskip("torch")
    x = np.array([-INF, -40.0, -27.0, -5.0, 0.0, 5.0, 27.0, 40.0, 1e300, INF, NAN])
    p = np.array([-1.0, 0.0, 1e-300, 1e-20, 0.3, 0.5, 1 - 1e-16, 1.0, 2.0, NAN])
    cases = [
        (npgrad.erfc, torch.erfc, x),
        (npgrad.special.erfcx, torch.special.erfcx, x),
        # PyTorch's ndtr is (1 + erf(x / sqrt 2)) / 2: 0 already at -27, where ours is 7.4e-161
        (npgrad.special.ndtr, torch.special.ndtr, x[x > -5]),
        (npgrad.special.log_ndtr, torch.special.log_ndtr, x[x != 1e300]),
        (npgrad.erfinv, torch.erfinv, p * 2 - 1),
        (npgrad.special.ndtri, torch.special.ndtri, p),
    ]
    for ours, theirs, v in cases:
        got = ours(_t(v)).numpy()
        ref = theirs(torch.tensor(v)).numpy()
        # far in the tails the rounding of x / sqrt(2) alone moves erfc by ~x^2 ulps
        np.testing.assert_allclose(got, ref, rtol=5e-12, atol=1e-300, equal_nan=True)
