"""Regularized incomplete gamma functions (special.gammainc/gammaincc = igamma/igammac) and
the Bessel functions special.bessel_j0/j1: accuracy against closed forms, gradients, torch."""

from __future__ import annotations

import decimal
import math
from fractions import Fraction

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

INF, NAN = math.inf, math.nan
sp = npgrad.special


def _t(values, dtype=npgrad.float64, requires_grad=False):
    return npgrad.tensor(np.asarray(values, dtype=dtype), requires_grad=requires_grad)


def _q_integer(n, x):
    # Q(n, x) = e^-x sum_(k < n) x^k / k!, in 50-digit decimals
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        dx = decimal.Decimal(x)
        term = (-dx).exp()
        total = term
        for k in range(1, n):
            term = term * dx / k
            total += term
        return float(total)


def _j_exact(nu, x):
    # the power series in exact rationals, so its cancellation costs nothing
    xf = Fraction(x)
    z = -xf * xf / 4
    term = Fraction(1) if nu == 0 else xf / 2
    total = term
    for k in range(1, 80):
        term = term * z / (k * (k + nu))
        total += term
    return float(total)


# ---- accuracy --------------------------------------------------------------------------------
def test_integer_a_against_the_finite_sum():
    cases = [(1, 0.3), (1, 7.0), (2, 0.5), (3, 2.9), (5, 3.0), (10, 25.0), (30, 28.0), (200, 190.0)]
    cases += [(1000, 1040.0), (1000, 930.0)]
    a = _t([c[0] for c in cases])
    x = _t([c[1] for c in cases])
    q = np.array([_q_integer(n, v) for n, v in cases])
    assert_close(sp.gammaincc(a, x), _t(q), rtol=5e-14, atol=0)
    assert_close(sp.gammainc(a, x), _t(1 - q), rtol=5e-14, atol=1e-16)


def test_half_integer_a_is_erf_of_sqrt_x():
    x = np.array([1e-8, 0.01, 0.3, 1.0, 2.5, 7.0, 40.0, 600.0])
    p = np.array([math.erf(math.sqrt(v)) for v in x])
    q = np.array([math.erfc(math.sqrt(v)) for v in x])
    assert_close(sp.gammainc(0.5, _t(x)), _t(p), rtol=4e-15, atol=0)
    assert_close(sp.gammaincc(0.5, _t(x)), _t(q), rtol=1e-13, atol=0)


def test_gammaincc_of_small_a_keeps_its_relative_precision():
    # Q(a, x) = Gamma(a, x) / Gamma(a) -> a E1(x) as a -> 0 (error O(a) relative);
    # E1(1) = 0.21938393439552027, E1(0.25) = 1.0442826344437381 (A&S table 5.1)
    for x, e1 in ((1.0, 0.21938393439552027), (0.25, 1.0442826344437381)):
        q = sp.gammaincc(_t([1e-10]), _t([x])).item()
        assert q / 1e-10 == pytest.approx(e1, rel=1e-9)


def test_recurrence_in_a_for_non_integer_and_large_a():
    # P(a + 1, x) = P(a, x) - x^a e^-x / Gamma(a + 1)
    a = np.array([0.3, 2.7, 13.2, 95.5, 4000.25])
    x = np.array([0.7, 3.1, 10.0, 99.0, 4003.0])
    p0 = sp.gammainc(_t(a), _t(x)).numpy()
    p1 = sp.gammainc(_t(a + 1), _t(x)).numpy()
    step = np.exp(a * np.log(x) - x - np.array([math.lgamma(v + 1) for v in a]))
    np.testing.assert_allclose(p1, p0 - step, rtol=1e-11)


def test_huge_a_stays_fast_and_near_the_normal_limit():
    # P(a, a + z sqrt(a)) -> Phi(z) as a grows (the error is O(1/sqrt(a)))
    a = np.array([1e8, 1e8, 1e12])
    z = np.array([-1.0, 2.0, 1.0])
    got = sp.gammainc(_t(a), _t(a + z * np.sqrt(a))).numpy()
    ref = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in z])
    np.testing.assert_allclose(got, ref, atol=2e-4)


def test_edge_values_follow_pytorch():
    a = _t([0.0, 0.0, 2.0, 2.0, INF, INF, -1.0, 1.0, NAN, 1.0, 0.0])
    x = _t([1.0, INF, 0.0, INF, 1.0, INF, 1.0, -1.0, 1.0, NAN, 0.0])
    p = sp.gammainc(a, x).numpy()
    q = sp.gammaincc(a, x).numpy()
    np.testing.assert_array_equal(p[:5], [1.0, 1.0, 0.0, 1.0, 0.0])
    np.testing.assert_array_equal(q[:5], [0.0, 0.0, 1.0, 0.0, 1.0])
    assert np.isnan(p[5:]).all() and np.isnan(q[5:]).all()


def test_dtypes_broadcasting_and_names():
    a = npgrad.tensor([[1.0], [3.0]])
    x = npgrad.tensor([0.5, 2.0, 4.0])
    y = sp.gammainc(a, x)
    assert y.shape == (2, 3) and y.dtype == npgrad.float32
    assert_close(y, sp.gammainc(a.double(), x.double()).float(), rtol=2e-6, atol=1e-7)
    assert sp.gammainc(npgrad.tensor([1]), npgrad.tensor([2])).dtype == npgrad.float32
    assert npgrad.igamma is sp.gammainc and npgrad.igammac is sp.gammaincc
    assert_close(a.igamma(x), y)
    assert_close(a.igammac(x), sp.gammaincc(a, x))
    b = npgrad.tensor([1.0, 3.0])
    c = b.clone()
    assert c.igamma_(2.0) is c
    assert_close(c, sp.gammainc(b, 2.0))
    c = b.clone()
    c.igammac_(2.0)
    assert_close(c, sp.gammaincc(b, 2.0))
    with pytest.raises(ValueError, match="gammainc"):
        sp.gammainc(_t([1.0, 2.0]), _t([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="gammaincc"):
        sp.gammaincc([1.0], [1.0])


# ---- gradients ---------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [sp.gammainc, sp.gammaincc])
def test_gradient_in_x(fn):
    a = _t([[0.4], [2.5], [30.0]])
    x = _t([0.3, 2.0, 31.0], requires_grad=True)
    assert gradcheck(lambda t: fn(a, t), (x,))
    assert gradgradcheck(lambda t: fn(a, t), (x,))
    assert gradcheck(lambda t: fn(1.5, t), (x,))


def test_no_gradient_in_a_like_pytorch():
    a = _t([2.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="igamma: input"):
        sp.gammainc(a, 1.0).sum().backward()
    with pytest.raises(NotImplementedError, match="igammac: input"):
        sp.gammaincc(a, 1.0).sum().backward()


# ---- Bessel J0, J1 -----------------------------------------------------------------------------
def test_bessel_j_matches_the_exact_series():
    x = [0.0, 1e-5, 0.5, 1.9, 2.1, 2.404825557695773, 7.3, 13.0, 24.9, 25.1, 31.0]
    for nu, fn in ((0, sp.bessel_j0), (1, sp.bessel_j1)):
        for sign in (1.0, -1.0):
            xs = [sign * v for v in x]
            ref = [_j_exact(nu, v) for v in xs]
            got = fn(_t(xs)).numpy()
            # absolute: the functions' zeros have no relative accuracy to keep
            np.testing.assert_allclose(got, ref, rtol=1e-14, atol=3e-16)


def test_bessel_j_large_arguments():
    # Hankel's expansion, first terms: J0(x) ~ sqrt(2/(pi x)) (cos(x - pi/4) + sin(x - pi/4)/(8x))
    x = np.array([1e3, 12345.678, 1e7])
    amp = np.sqrt(2 / (np.pi * x))
    # cos and sin of x - pi/4 from those of x: x - pi/4 itself is rounded by ~ulp(x)
    cos_chi = (np.cos(x) + np.sin(x)) / math.sqrt(2)
    sin_chi = (np.sin(x) - np.cos(x)) / math.sqrt(2)
    ref = amp * (cos_chi * (1 - 9 / (128 * x * x)) + sin_chi / (8 * x))
    assert (np.abs(sp.bessel_j0(_t(x)).numpy() - ref) < 1e-10 * amp).all()


def test_bessel_j_dtypes_special_points_and_no_graph():
    x = npgrad.tensor([0.5, 3.0], requires_grad=True)
    y = sp.bessel_j0(x)
    assert y.dtype == npgrad.float32 and not y.requires_grad and y.grad_fn is None
    assert sp.bessel_j1(npgrad.tensor([1, 2])).dtype == npgrad.float32
    got = sp.bessel_j0(_t([INF, -INF, NAN, 0.0])).numpy()
    assert np.isnan(got[:3]).all() and got[3] == 1.0
    assert np.signbit(sp.bessel_j1(_t([-0.0])).numpy()[0])


def test_second_kind_wronskians_and_known_values():
    x = np.concatenate([np.geomspace(1e-6, 1.9, 12), np.linspace(2.0, 60.0, 59), [1e3, 1e5]])
    t = _t(x)
    j0, j1 = sp.bessel_j0(t).numpy(), sp.bessel_j1(t).numpy()
    y0, y1 = sp.bessel_y0(t).numpy(), sp.bessel_y1(t).numpy()
    # J1 Y0 - J0 Y1 = 2 / (pi x)  (A&S 9.1.16)
    w = 2 / (np.pi * x)
    assert (np.abs(j1 * y0 - j0 * y1 - w) <= 1e-14 * w * np.maximum(1, np.abs(y1 * j0) / w)).all()
    i0, i1 = npgrad.i0(t).numpy(), sp.i1(t).numpy()
    k0e = sp.scaled_modified_bessel_k0(t).numpy()
    k1e = sp.scaled_modified_bessel_k1(t).numpy()
    i0e, i1e = sp.i0e(t).numpy(), sp.i1e(t).numpy()
    # I0 K1 + I1 K0 = 1 / x  (A&S 9.6.15), in the scaled forms so that nothing overflows
    np.testing.assert_allclose(i0e * k1e + i1e * k0e, 1 / x, rtol=5e-15)
    k0, k1 = sp.modified_bessel_k0(t).numpy(), sp.modified_bessel_k1(t).numpy()
    small = x < 600
    np.testing.assert_allclose(k0[small], (k0e * np.exp(-x))[small], rtol=1e-15)
    np.testing.assert_allclose(
        i0[small] * k1[small] + i1[small] * k0[small], 1 / x[small], rtol=5e-15
    )
    # tabulated values (A&S tables 9.1 and 9.8)
    one = _t([1.0])
    assert sp.bessel_y0(one).item() == pytest.approx(0.08825696421567696, rel=1e-14)
    assert sp.bessel_y1(one).item() == pytest.approx(-0.7812128213002887, rel=1e-14)
    assert sp.modified_bessel_k0(one).item() == pytest.approx(0.42102443824070834, rel=1e-14)
    assert sp.modified_bessel_k1(one).item() == pytest.approx(0.6019072301972346, rel=1e-14)


def test_second_kind_special_points_follow_pytorch():
    x = _t([-1.0, -0.0, 0.0, INF, NAN])
    for fn in (sp.bessel_y0, sp.bessel_y1):
        got = fn(x).numpy()
        assert np.isnan(got[[0, 3, 4]]).all() and got[1] == got[2] == -INF
    for fn in (
        sp.modified_bessel_k0,
        sp.modified_bessel_k1,
        sp.scaled_modified_bessel_k0,
        sp.scaled_modified_bessel_k1,
    ):
        got = fn(x).numpy()
        assert np.isnan(got[[0, 4]]).all() and got[1] == got[2] == INF and got[3] == 0.0
        y = fn(npgrad.tensor([1.0, 2.0], requires_grad=True))
        assert y.dtype == npgrad.float32 and not y.requires_grad
    assert sp.modified_bessel_k0(_t([800.0])).item() == 0.0  # underflows, as in PyTorch


def test_airy_ai_values_equation_and_continuity():
    # A&S table 10.11 / 10.4.4: Ai(0) = 1 / (3^(2/3) Gamma(2/3))
    x = _t([-10.0, -1.0, 0.0, 1.0, 10.0])
    ref = [
        0.04024123848644319,
        0.5355608832923521,
        1 / (3 ** (2 / 3) * math.gamma(2 / 3)),
        0.1352924163128814,
        1.1047532552898687e-10,
    ]
    assert_close(sp.airy_ai(x), _t(ref), rtol=1e-14, atol=0)
    # Ai'' = x Ai, by central differences (error ~h^2 / 12 times Ai's 4th derivative)
    xs = np.array([-25.0, -9.99, -3.3, -0.2, 0.5, 0.81, 2.5, 7.0])
    h = 1e-3
    ai = sp.airy_ai(_t(np.stack([xs - h, xs, xs + h]))).numpy()
    second = (ai[0] - 2 * ai[1] + ai[2]) / h**2
    scale = np.maximum(np.abs(ai[1]), np.abs(xs) ** -0.25 * (xs < 0))
    assert (np.abs(second - xs * ai[1]) <= 3e-7 * (1 + np.abs(xs)) ** 2 * scale).all()
    # no seams where the methods meet (-10 and 0.8): the mean of the two sides is the middle
    for edge in (-10.0, 0.8):
        below, mid, above = sp.airy_ai(_t([edge - 1e-9, edge, edge + 1e-9])).numpy()
        assert abs((below + above) / 2 - mid) < 2e-16
    # far out, the phase 2/3 |x|^(3/2) is carried exactly enough: Ai(-x) at x = (3 pi k / 2)^(2/3)
    # has zeta = pi k, where Ai ~ pi^(-1/2) x^(-1/4) sin(pi k + pi/4) (1 + O(1/zeta^2))
    k = np.array([1e3, 1e6])
    z = (1.5 * np.pi * k) ** (2 / 3)
    got = sp.airy_ai(_t(-z)).numpy()
    env = z**-0.25 / math.sqrt(math.pi)
    assert (np.abs(np.abs(got) / env - math.sqrt(0.5)) < 1e-3).all()
    # the leading asymptotics: Ai(x) ~ exp(-zeta) / (2 sqrt(pi) x^(1/4)) (1 - 5 / (72 zeta))
    big = np.array([30.0, 60.0])
    zeta = 2 / 3 * big**1.5
    lead = np.exp(-zeta) / (2 * math.sqrt(math.pi) * big**0.25) * (1 - 5 / (72 * zeta))
    np.testing.assert_allclose(sp.airy_ai(_t(big)).numpy(), lead, rtol=1e-5)
    got = sp.airy_ai(_t([INF, -INF, NAN])).numpy()
    assert np.isnan(got).all()
    y = sp.airy_ai(npgrad.tensor([0.5], requires_grad=True))
    assert y.dtype == npgrad.float32 and not y.requires_grad


def test_modified_bessel_and_spherical_j0_have_no_graph():
    x = _t([-3.0, 0.0, 1e-6, 0.5, 12.0, 40.0], requires_grad=True)
    for fn, ref in (
        (sp.modified_bessel_i0, npgrad.i0),
        (sp.modified_bessel_i1, sp.i1),
    ):
        y = fn(x)
        assert not y.requires_grad and y.grad_fn is None
        assert_close(y, ref(x.detach()), rtol=0, atol=0)
    # I0 of a small x is its series 1 + x^2/4 + x^4/64, not exp(-x) * exp(x) * ...
    assert sp.modified_bessel_i0(_t([1e-6])).item() == 1.00000000000025
    xs = [0.0, 1e-9, 0.4, 3.0, -7.5, 1e5]
    ref = [1.0] + [math.sin(v) / v for v in xs[1:]]
    y = sp.spherical_bessel_j0(_t(xs))
    assert_close(y, _t(ref), rtol=1e-15, atol=0)
    assert sp.spherical_bessel_j0(_t([INF, -INF])).tolist() == [0.0, 0.0]
    assert sp.spherical_bessel_j0(npgrad.tensor([0, 2])).dtype == npgrad.float32


# ---- PyTorch parity ----------------------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_gammainc_matches_torch(name, dtype):
    torch = pytest.importorskip("torch")
    a = np.array([[0.01], [0.5], [3.0], [40.0]], dtype)
    x = np.array([0.0, 0.2, 2.9, 41.0, 300.0], dtype)
    tx = torch.tensor(x, requires_grad=True)
    ty = getattr(torch.special, name)(torch.tensor(a), tx)
    ty.sum().backward()
    xx = npgrad.tensor(x, requires_grad=True)
    y = getattr(sp, name)(npgrad.tensor(a), xx)
    y.sum().backward()
    # PyTorch is accurate to ~1e-9 here (P(50, 49) is off by 6e-10 relative)
    tol = {"rtol": 1e-5, "atol": 1e-7} if dtype == np.float32 else {"rtol": 1e-8, "atol": 1e-14}
    assert y.dtype == dtype
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), **tol)
    np.testing.assert_allclose(xx.grad.numpy(), tx.grad.numpy(), **tol)


@pytest.mark.torch
def test_bessel_j_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.concatenate([np.linspace(-40, 40, 161), [1e4, -INF, INF, NAN]])
    for ours, theirs in (
        (sp.bessel_j0, torch.special.bessel_j0),
        (sp.bessel_j1, torch.special.bessel_j1),
    ):
        # PyTorch's own J0, J1, Y0, Y1 are off by up to 1e-6 (around |x| = 5)
        np.testing.assert_allclose(
            ours(_t(x)).numpy(),
            theirs(torch.tensor(x)).numpy(),
            rtol=1e-13,
            atol=3e-6,
            equal_nan=True,
        )
