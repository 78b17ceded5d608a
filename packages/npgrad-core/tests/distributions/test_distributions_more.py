"""npgrad.distributions, the second half: relaxed distributions, Pareto, Weibull,
InverseGamma, FisherSnedecor, NegativeBinomial, Multinomial, mixtures, Kumaraswamy,
LogisticNormal, LowRankMultivariateNormal, ContinuousBernoulli, VonMises, HalfCauchy,
GeneralizedPareto, and broadcasting -- closed forms, sampling statistics, gradients and
errors, as in test_distributions.py."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import npgrad
import npgrad.distributions as nd
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

N = 200_000


def t64(x, grad=False):
    return npgrad.tensor(np.asarray(x, dtype=np.float64), requires_grad=grad)


def _ref_normal(x, m, s):
    return -((x - m) ** 2) / (2 * s * s) - math.log(s) - 0.5 * math.log(2 * math.pi)


def _check_moments(make):
    d = make()
    npgrad.manual_seed(7)
    x = d.sample((N,)).numpy()
    mean, var = d.mean.numpy(), d.variance.numpy()
    # 6 standard errors for the mean; for the variance from the 4th moment, plus its O(var/N)
    # bias
    assert np.all(np.abs(x.mean(0) - mean) <= 6 * np.sqrt(var / N)), (x.mean(0), mean)
    m4 = ((x - mean) ** 4).mean(0)
    assert np.all(np.abs(x.var(0) - var) <= 6 * np.sqrt((m4 - var**2) / N) + 10 * var / N)


# ---- relaxed distributions -------------------------------------------------------------------
def test_relaxed_bernoulli_threshold_frequency_is_probs():
    from npgrad.distributions.relaxed import LogitRelaxedBernoulli

    p = np.array([0.1, 0.5, 0.8])
    npgrad.manual_seed(4)
    x = nd.RelaxedBernoulli(t64(0.3), probs=t64(p)).sample((N,)).numpy()
    assert ((x > 0) & (x < 1)).all()
    # the logit of a sample is logistic around the log-odds: P(x > 1/2) is exactly p
    assert np.all(np.abs((x > 0.5).mean(0) - p) <= 6 * np.sqrt(p * (1 - p) / N))
    # log-density of the logit: a logistic with location logits / T and scale 1 / T
    temp, logits, v = 0.3, math.log(0.8 / 0.2), 1.7
    s = 1 / temp
    z = (v - logits / temp) / s
    ref = -z - 2 * math.log1p(math.exp(-z)) - math.log(s)
    d = LogitRelaxedBernoulli(t64(temp), logits=t64(logits))
    assert abs(d.log_prob(t64(v)).item() - ref) < 1e-12


def test_relaxed_one_hot_argmax_is_categorical():
    p = np.array([0.2, 0.5, 0.3])
    npgrad.manual_seed(6)
    x = nd.RelaxedOneHotCategorical(t64(2.0), probs=t64(p)).sample((N,)).numpy()
    np.testing.assert_allclose(x.sum(-1), 1.0, rtol=1e-12)
    # Gumbel-max: the argmax of a sample is a categorical draw, whatever the temperature
    freq = np.bincount(x.argmax(-1), minlength=3) / N
    assert np.all(np.abs(freq - p) <= 6 * np.sqrt(p * (1 - p) / N))


def test_relaxed_gradients():
    temp, logits = t64(0.6, grad=True), t64([0.3, -1.2], grad=True)

    def f(temp, logits):
        npgrad.manual_seed(9)
        b = nd.RelaxedBernoulli(temp, logits=logits)
        c = nd.RelaxedOneHotCategorical(temp, logits=logits)
        return (
            b.rsample((2,)).sum()
            + b.log_prob(t64([0.3, 0.8])).sum()
            + c.rsample().pow(2).sum()
            + c.log_prob(t64([0.3, 0.7]))
        )

    assert gradcheck(f, (temp, logits))
    assert gradgradcheck(f, (temp, logits))
    d = nd.RelaxedBernoulli(0.5, probs=npgrad.tensor([0.3, 0.6])).expand((4, 2))
    assert type(d) is nd.RelaxedBernoulli and d.sample().shape == (4, 2)
    e = nd.RelaxedOneHotCategorical(0.5, logits=npgrad.zeros(3)).expand((2,))
    assert e.batch_shape == (2,) and e.event_shape == (3,) and e.rsample().shape == (2, 3)
    with pytest.raises(ValueError, match="Either `probs` or `logits`"):
        nd.RelaxedBernoulli(0.5)


# ---- Pareto, Weibull, InverseGamma, FisherSnedecor, NegativeBinomial, Multinomial, mixtures ---
MORE_MOMENTS = [
    lambda: nd.Pareto(t64([1.0, 2.0]), t64([10.0, 12.0])),
    lambda: nd.Weibull(t64([1.0, 2.0]), t64([0.8, 3.0])),
    lambda: nd.InverseGamma(t64([10.0, 12.0]), t64([1.0, 3.0])),
    lambda: nd.FisherSnedecor(t64([3.0, 10.0]), t64([30.0, 40.0])),
    lambda: nd.NegativeBinomial(t64([2.5, 10.0]), t64([0.3, 0.7])),
    lambda: nd.Multinomial(6, t64([0.2, 0.3, 0.5])),
    lambda: nd.MixtureSameFamily(
        nd.Categorical(t64([0.3, 0.7])), nd.Normal(t64([-2.0, 1.0]), t64([0.5, 1.5]))
    ),
]


@pytest.mark.parametrize("make", MORE_MOMENTS)
def test_more_sample_moments(make):
    _check_moments(make)


def test_more_closed_forms():
    x = t64([2.5, 4.0])
    d = nd.Pareto(t64([1.0, 2.0]), t64([3.0, 1.5]))
    ref = [
        math.log(a) + a * math.log(s) - (a + 1) * math.log(v)
        for v, s, a in zip([2.5, 4.0], [1.0, 2.0], [3.0, 1.5])
    ]
    np.testing.assert_allclose(d.log_prob(x).numpy(), ref, rtol=1e-12)
    d = nd.Weibull(t64([1.0, 2.0]), t64([0.8, 3.0]))
    ref = [
        math.log(k / s) + (k - 1) * math.log(v / s) - (v / s) ** k
        for v, s, k in zip([2.5, 4.0], [1.0, 2.0], [0.8, 3.0])
    ]
    np.testing.assert_allclose(d.log_prob(x).numpy(), ref, rtol=1e-12)
    d = nd.InverseGamma(t64([3.0, 1.5]), t64([1.0, 2.0]))
    ref = [
        a * math.log(b) - math.lgamma(a) - (a + 1) * math.log(v) - b / v
        for v, a, b in zip([2.5, 4.0], [3.0, 1.5], [1.0, 2.0])
    ]
    np.testing.assert_allclose(d.log_prob(x).numpy(), ref, rtol=1e-12)
    d = nd.NegativeBinomial(t64([3.0, 2.5]), t64([0.4, 0.7]))
    k = t64([2.0, 5.0])
    ref = [
        math.lgamma(kk + r)
        - math.lgamma(kk + 1)
        - math.lgamma(r)
        + r * math.log1p(-p)
        + kk * math.log(p)
        for kk, r, p in zip([2.0, 5.0], [3.0, 2.5], [0.4, 0.7])
    ]
    np.testing.assert_allclose(d.log_prob(k).numpy(), ref, rtol=1e-12)
    m = nd.Multinomial(5, t64([0.2, 0.3, 0.5]))
    ref = math.log(math.factorial(5) / (1 * 2 * 2) * 0.2 * 0.3**2 * 0.5**2)
    assert abs(m.log_prob(t64([1.0, 2.0, 2.0])).item() - ref) < 1e-12
    # entropy by enumerating every count vector
    ent = 0.0
    for a in range(6):
        for b in range(6 - a):
            lp = m.log_prob(t64([a, b, 5 - a - b])).item()
            ent -= math.exp(lp) * lp
    assert abs(m.entropy().item() - ent) < 1e-10
    gmm = nd.MixtureSameFamily(nd.Categorical(t64([0.3, 0.7])), nd.Normal(t64([-2.0, 1.0]), 1.0))
    ref = math.log(
        0.3 * math.exp(_ref_normal(0.5, -2.0, 1.0)) + 0.7 * math.exp(_ref_normal(0.5, 1.0, 1.0))
    )
    assert abs(gmm.log_prob(t64(0.5)).item() - ref) < 1e-12


def test_kumaraswamy_and_logistic_normal():
    d = nd.Kumaraswamy(t64([2.0, 0.5]), t64([3.0, 2.0]))
    x = t64([0.5, 0.3])
    ref = [
        math.log(a * b) + (a - 1) * math.log(v) + (b - 1) * math.log1p(-(v**a))
        for v, a, b in zip([0.5, 0.3], [2.0, 0.5], [3.0, 2.0])
    ]
    np.testing.assert_allclose(d.log_prob(x).numpy(), ref, rtol=1e-12)
    assert_close(
        d.cdf(x), t64([1 - (1 - v**a) ** b for v, a, b in zip([0.5, 0.3], [2.0, 0.5], [3.0, 2.0])])
    )
    mode = d.mode.numpy()
    assert abs(mode[0] - (1 / 5) ** 0.5) < 1e-12 and math.isnan(mode[1])
    _check_moments(lambda: nd.Kumaraswamy(t64([2.0, 0.5]), t64([3.0, 2.0])))
    ln = nd.LogisticNormal(t64([0.3, -0.2]), t64([1.0, 0.5]))
    y = t64([0.2, 0.3, 0.5])
    t = nd.transforms.StickBreakingTransform()
    base = nd.Independent(nd.Normal(t64([0.3, -0.2]), t64([1.0, 0.5])), 1)
    assert_close(ln.log_prob(y), base.log_prob(t.inv(y)) - t.log_abs_det_jacobian(t.inv(y), y))
    assert ln.rsample((4,)).shape == (4, 3) and ln.loc.tolist() == [0.3, -0.2]
    assert nd.LogisticNormal(0.0, 1.0).event_shape == (2,)

    def f(a, b):
        npgrad.manual_seed(2)
        k = nd.Kumaraswamy(a, b)
        return k.log_prob(x).sum() + k.entropy().sum() + k.rsample((2,)).sum() + k.mean.sum()

    args = [t64([2.0, 0.5], True), t64([3.0, 2.0], True)]
    assert gradcheck(f, args) and gradgradcheck(f, args)


def test_more_gradients():
    def f(s, a, c, r, n, p, w):
        x = t64([2.5, 4.0])
        return (
            nd.Pareto(s, a, validate_args=False).log_prob(x).sum()
            + nd.Pareto(s, a).entropy().sum()
            + nd.Weibull(s, c).log_prob(x).sum()
            + nd.Weibull(s, c).entropy().sum()
            + nd.InverseGamma(c, r).log_prob(x).sum()
            + nd.InverseGamma(c, r).entropy().sum()
            + nd.FisherSnedecor(c, r).log_prob(x).sum()
            + nd.NegativeBinomial(n, p).log_prob(t64([2.0, 5.0])).sum()
            + nd.Multinomial(4, probs=p.softmax(-1)).log_prob(t64([1.0, 3.0]))
            + nd.Multinomial(4, probs=p.softmax(-1)).entropy()
            + nd.MixtureSameFamily(nd.Categorical(logits=w), nd.Normal(s, c)).log_prob(x).sum()
        )

    args = [
        t64([1.0, 2.0], True),
        t64([3.0, 1.5], True),
        t64([0.8, 3.0], True),
        t64([1.0, 2.0], True),
        t64([3.0, 2.5], True),
        t64([0.4, 0.7], True),
        t64([0.2, -0.3], True),
    ]
    assert gradcheck(f, args)
    assert gradgradcheck(f, args)


def test_more_rsample_gradients():
    def f(s, c):
        npgrad.manual_seed(5)
        return nd.Pareto(s, c).rsample((3,)).sum() + nd.Weibull(s, c).rsample((3,)).sum()

    args = [t64([1.0, 2.0], True), t64([3.0, 1.5], True)]
    assert gradcheck(f, args) and gradgradcheck(f, args)


def test_more_errors_and_shapes():
    with pytest.raises(NotImplementedError, match="inhomogeneous total_count"):
        nd.Multinomial(npgrad.tensor([2.0, 3.0]), npgrad.ones(2, 3))
    with pytest.raises(ValueError, match="Categorical"):
        nd.MixtureSameFamily(nd.Normal(0.0, 1.0), nd.Normal(npgrad.zeros(2), 1.0))
    with pytest.raises(ValueError, match="does not equal"):
        nd.MixtureSameFamily(nd.Categorical(npgrad.ones(3)), nd.Normal(npgrad.zeros(2), 1.0))
    with pytest.raises(ValueError, match="not compatible"):
        nd.MixtureSameFamily(nd.Categorical(npgrad.ones(4, 2)), nd.Normal(npgrad.zeros(3, 2), 1.0))
    with pytest.raises(ValueError, match="Expected parameter rate"):  # the base Exponential
        nd.Pareto(1.0, -1.0)
    with pytest.raises(ValueError, match="GreaterThanEq"):
        nd.Pareto(t64(2.0), t64(1.0)).log_prob(t64(1.0))
    with pytest.raises(ValueError, match="Multinomial"):
        nd.Multinomial(3, npgrad.ones(2)).log_prob(npgrad.tensor([3.0, 1.0]))
    m = nd.Multinomial(3, npgrad.ones(4, 2)).expand((2, 4))
    assert m.sample((5,)).shape == (5, 2, 4, 2) and m.sample().sum(-1).tolist() == [[3.0] * 4] * 2
    gmm = nd.MixtureSameFamily(nd.Categorical(npgrad.ones(3)), nd.Normal(npgrad.zeros(2, 3), 1.0))
    assert gmm.batch_shape == (2,) and gmm.sample((4,)).shape == (4, 2)
    assert gmm.expand((5, 2)).sample().shape == (5, 2)
    assert nd.Pareto(1.0, 2.0).expand((3,)).sample().shape == (3,)
    assert nd.Weibull(npgrad.ones(2), 2.0).expand((3, 2)).rsample().shape == (3, 2)
    assert nd.NegativeBinomial(npgrad.zeros(2), npgrad.full((2,), 0.5)).sample().tolist() == [
        0.0,
        0.0,
    ]


def test_lowrank_mvn_equals_full_mvn():
    loc = t64([0.5, -1.0, 2.0])
    w = t64([[1.0, 0.2], [0.3, -0.5], [0.0, 0.7]])
    d = t64([0.5, 1.0, 2.0])
    lr = nd.LowRankMultivariateNormal(loc, w, d)
    cov = w.numpy() @ w.numpy().T + np.diag(d.numpy())
    full = nd.MultivariateNormal(loc, t64(cov))
    x = t64([[0.0, 0.0, 0.0], [1.0, -2.0, 3.0]])
    assert_close(lr.log_prob(x), full.log_prob(x), rtol=1e-12)
    assert_close(lr.entropy(), full.entropy(), rtol=1e-12)
    assert_close(lr.precision_matrix, t64(np.linalg.inv(cov)), rtol=1e-10)
    assert_close(lr.scale_tril, t64(np.linalg.cholesky(cov)), rtol=1e-10)
    assert abs(nd.kl_divergence(lr, full).item()) < 1e-12
    _check_moments(lambda: nd.LowRankMultivariateNormal(loc, w, d))

    def f(loc, w, d):
        npgrad.manual_seed(1)
        p = nd.LowRankMultivariateNormal(loc, w, d)
        return p.log_prob(x).sum() + p.entropy() + p.rsample((2,)).sum() + nd.kl_divergence(p, full)

    args = [t64(loc.numpy(), True), t64(w.numpy(), True), t64(d.numpy(), True)]
    assert gradcheck(f, args) and gradgradcheck(f, args)
    e = lr.expand((4,))
    assert e.batch_shape == (4,) and e.sample((2,)).shape == (2, 4, 3)
    with pytest.raises(ValueError, match="cov_factor must be a batch of matrices"):
        nd.LowRankMultivariateNormal(loc, npgrad.ones(2, 2), d)
    with pytest.raises(ValueError, match="cov_diag must be a batch of vectors"):
        nd.LowRankMultivariateNormal(loc, w, npgrad.ones(2))
    with pytest.raises(ValueError, match="Incompatible batch shapes"):
        nd.LowRankMultivariateNormal(npgrad.zeros(2, 3), npgrad.zeros(3, 3, 1), npgrad.ones(3))
    with pytest.raises(ValueError, match="Expected parameter cov_diag"):
        nd.LowRankMultivariateNormal(loc, w, t64([1.0, -1.0, 1.0]))


def test_continuous_bernoulli_against_numerical_integrals():
    p = t64([0.1, 0.4995, 0.5, 0.7, 0.95])
    d = nd.ContinuousBernoulli(p)
    x = np.linspace(0.0, 1.0, 20001)
    dens = np.exp(d.log_prob(t64(x[:, None] * np.ones(5))).numpy())

    def integ(y, x, axis=0):  # the trapezoid rule (np.trapz/np.trapezoid differ across NumPy)
        return ((y[1:] + y[:-1]) / 2 * np.diff(x)[:, None]).sum(axis)

    np.testing.assert_allclose(integ(dens, x, axis=0), 1.0, rtol=1e-8)
    mean = integ(dens * x[:, None], x, axis=0)
    np.testing.assert_allclose(d.mean.numpy(), mean, rtol=1e-7)
    var = integ(dens * (x[:, None] - mean) ** 2, x, axis=0)
    np.testing.assert_allclose(d.variance.numpy(), var, rtol=1e-6)
    ent = -integ(dens * np.log(dens), x, axis=0)
    np.testing.assert_allclose(d.entropy().numpy(), ent, rtol=1e-6, atol=1e-9)
    q = t64([0.25] * 5)
    assert_close(d.cdf(d.icdf(q)), q, rtol=1e-10)
    _check_moments(lambda: nd.ContinuousBernoulli(t64([0.1, 0.5, 0.8])))

    def f(logits):
        npgrad.manual_seed(0)
        c = nd.ContinuousBernoulli(logits=logits)
        return (
            c.log_prob(t64([0.2, 0.9])).sum()
            + c.entropy().sum()
            + c.rsample((2,)).sum()
            + c.mean.sum()
            + c.variance.sum()
        )

    assert gradcheck(f, (t64([-1.5, 0.8], True),)) and gradgradcheck(f, (t64([-1.5, 0.8], True),))
    with pytest.raises(ValueError, match="The parameter probs has invalid values"):
        nd.ContinuousBernoulli(t64([1.5]), validate_args=True)
    with pytest.raises(ValueError, match="within the support"):
        d.log_prob(t64([1.5] * 5))


def test_von_mises_and_half_cauchy():
    d = nd.VonMises(t64([0.5, -2.0]), t64([0.3, 8.0]))
    x = np.linspace(-math.pi, math.pi, 40001)
    dens = np.exp(d.log_prob(t64(x[:, None] * np.ones(2))).numpy())
    w = np.diff(x)[:, None] / 2
    assert np.allclose(((dens[1:] + dens[:-1]) * w).sum(0), 1.0, rtol=1e-9)
    ent = -((dens[1:] * np.log(dens[1:]) + dens[:-1] * np.log(dens[:-1])) * w).sum(0)
    np.testing.assert_allclose(d.entropy().numpy(), ent, rtol=1e-7)
    # circular moments: E[cos(x - loc)] = I1(k) / I0(k) = 1 - variance
    npgrad.manual_seed(8)
    s = d.sample((N,)).numpy()
    assert ((s >= -math.pi) & (s < math.pi)).all()
    c = np.cos(s - d.loc.numpy())
    assert np.all(np.abs(c.mean(0) - (1 - d.variance.numpy())) <= 6 * c.std(0) / math.sqrt(N))
    sn = np.sin(s - d.loc.numpy())
    assert np.all(np.abs(sn.mean(0)) <= 6 * sn.std(0) / math.sqrt(N))

    def f(loc, k):
        v = nd.VonMises(loc, k)
        return v.log_prob(t64([0.1, 3.0])).sum() + v.entropy().sum() + v.variance.sum()

    args = [t64([0.5, -2.0], True), t64([0.3, 8.0], True)]
    assert gradcheck(f, args) and gradgradcheck(f, args)
    h = nd.HalfCauchy(t64([1.0, 2.5]))
    assert_close(
        h.log_prob(t64([0.5, 3.0])),
        t64(
            [math.log(2 / (math.pi * s * (1 + (v / s) ** 2))) for v, s in ((0.5, 1.0), (3.0, 2.5))]
        ),
    )
    assert_close(h.cdf(t64([1.0, 2.5])), t64([0.5, 0.5]))
    assert h.mean.tolist() == [math.inf, math.inf] and h.sample((3,)).shape == (3, 2)
    npgrad.manual_seed(3)
    hs = h.sample((N,)).numpy()
    assert abs((hs[:, 1] < 2.5).mean() - 0.5) <= 6 * math.sqrt(0.25 / N)


def test_generalized_pareto():
    xi = t64([0.0, 0.3, -0.25])
    d = nd.GeneralizedPareto(t64([0.5, -1.0, 2.0]), t64([1.0, 2.0, 0.5]), xi)
    z = np.array([0.7, 1.5, 1.2])
    v = t64(np.array([0.5, -1.0, 2.0]) + np.array([1.0, 2.0, 0.5]) * z)
    ref = [
        -math.log(1.0) - z[0],
        -math.log(2.0) - (1 + 1 / 0.3) * math.log1p(0.3 * z[1]),
        -math.log(0.5) - (1 - 4) * math.log1p(-0.25 * z[2]),
    ]
    np.testing.assert_allclose(d.log_prob(v).numpy(), ref, rtol=1e-12)
    cdf = [1 - math.exp(-z[0]), 1 - (1 + 0.3 * z[1]) ** (-1 / 0.3), 1 - (1 - 0.25 * z[2]) ** 4]
    np.testing.assert_allclose(d.cdf(v).numpy(), cdf, rtol=1e-12)
    assert_close(d.icdf(d.cdf(v)), v, rtol=1e-12)
    assert d.support.check(t64([0.4, -1.0, 4.1])).tolist() == [False, True, False]
    _check_moments(
        lambda: nd.GeneralizedPareto(t64([0.5, -1.0]), t64([1.0, 2.0]), t64([0.0, -0.2]))
    )

    def f(loc, scale, c):
        npgrad.manual_seed(4)
        g = nd.GeneralizedPareto(loc, scale, c, validate_args=False)
        return (
            g.log_prob(v).sum()
            + g.entropy().sum()
            + g.cdf(v).sum()
            + g.rsample((2,)).sum()
            + g.mean.sum()
            + g.variance.sum()
        )

    args = [t64([0.5, -1.0, 2.0], True), t64([1.0, 2.0, 0.5], True), t64([0.1, 0.3, -0.25], True)]
    assert gradcheck(f, args) and gradgradcheck(f, args)


# ---- broadcasting ---------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(
    hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3),
    st.sampled_from(["Normal", "Laplace", "Gamma", "StudentT", "Cauchy"]),
)
def test_parameter_and_value_broadcasting(shapes, name):
    (s1, s2, sv), out = shapes.input_shapes, shapes.result_shape
    rng = np.random.default_rng(0)
    a = t64(rng.uniform(0.5, 2.0, s1), grad=True)
    b = t64(rng.uniform(0.5, 2.0, s2), grad=True)
    v = t64(rng.uniform(0.5, 2.0, sv))
    d = getattr(nd, name)(a, b)
    assert d.batch_shape == tuple(np.broadcast_shapes(s1, s2))
    lp = d.log_prob(v)
    assert lp.shape == tuple(out)
    # each element equals the scalar distribution's log_prob at the broadcast position
    ab, bb, vb = np.broadcast_arrays(a.detach().numpy(), b.detach().numpy(), v.numpy())
    for idx in list(np.ndindex(tuple(out)))[:4]:
        ref = getattr(nd, name)(t64(ab[idx]), t64(bb[idx])).log_prob(t64(vb[idx]))
        assert abs(lp.detach().numpy()[idx] - ref.item()) < 1e-12
    lp.sum().backward()
    assert a.grad.shape == s1 and b.grad.shape == s2


def test_wishart():
    cov = t64([[2.0, 0.5], [0.5, 1.0]])
    d = nd.Wishart(t64([5.0, 9.0]), cov)
    assert d.batch_shape == (2,) and d.event_shape == (2, 2)
    npgrad.manual_seed(3)
    x = d.sample((N // 4,)).numpy()
    n = len(x)
    assert np.all(np.linalg.eigvalsh(x) > 0)
    mean, var = d.mean.numpy(), d.variance.numpy()
    assert np.all(np.abs(x.mean(0) - mean) <= 6 * np.sqrt(var / n))
    # the 1 x 1 case is a scaled chi-squared: log-density by hand
    w = nd.Wishart(t64(3.0), t64([[2.0]]))
    v = 1.7
    ref = (3 / 2 - 1) * math.log(v) - v / 4 - 1.5 * math.log(4) - math.lgamma(1.5)
    assert abs(w.log_prob(t64([[v]])).item() - ref) < 1e-12

    def f(df, a):
        npgrad.manual_seed(1)
        s = a @ a.transpose(-1, -2) + t64(np.eye(2))
        q = nd.Wishart(df, covariance_matrix=s)
        return q.log_prob(t64([[1.5, 0.2], [0.2, 0.9]])) + q.entropy() + q.mean.sum()

    args = [t64(4.0, True), t64([[1.0, 0.2], [0.3, 0.5]], True)]
    assert gradcheck(f, args) and gradgradcheck(f, args)
    scale = t64([[1.0, 0.0], [0.4, 0.8]], True)
    npgrad.manual_seed(2)
    s = nd.Wishart(6.0, scale_tril=scale).rsample((3,))
    assert s.shape == (3, 2, 2) and s.requires_grad
    assert nd.Wishart(6.0, scale_tril=scale).expand((4,)).sample().shape == (4, 2, 2)
    with pytest.raises(ValueError, match="expected to be greater than ndim - 1"):
        nd.Wishart(0.5, covariance_matrix=npgrad.eye(2))
    with pytest.raises(ValueError, match="Exactly one of"):
        nd.Wishart(3.0)
    with pytest.raises(ValueError, match="PositiveDefinite"):
        d.log_prob(t64([[1.0, 2.0], [2.0, 1.0]]))


def test_lkj_cholesky():
    # for 2 x 2 matrices the correlation r = L[1, 0] has density (1 - r^2)^(eta - 1) / B,
    # so E[r^2] = 1 / (2 eta + 1)
    eta = np.array([0.5, 1.0, 4.0])
    d = nd.LKJCholesky(2, t64(eta))
    npgrad.manual_seed(5)
    s = d.sample((N // 2,)).numpy()
    r2 = s[..., 1, 0] ** 2
    assert np.all(np.abs(r2.mean(0) - 1 / (2 * eta + 1)) <= 6 * r2.std(0) / math.sqrt(len(r2)))
    assert nd.constraints.corr_cholesky.check(t64(s[:100])).numpy().all()
    # log_prob is a density over the free entries of L = [[1, 0], [r, sqrt(1 - r^2)]], here
    # r alone: it integrates to 1 over (-1, 1)
    r = np.linspace(-1 + 1e-9, 1 - 1e-9, 200001)
    mats = np.zeros(r.shape + (1, 2, 2))
    mats[..., 0, 0, 0] = 1.0
    mats[..., 0, 1, 0] = r
    mats[..., 0, 1, 1] = np.sqrt(1 - r**2)
    lp = nd.LKJCholesky(2, t64([2.0])).log_prob(t64(mats)).numpy()[:, 0]
    dens = np.exp(lp)
    integral = ((dens[1:] + dens[:-1]) / 2 * np.diff(r)).sum()
    assert abs(integral - 1.0) < 1e-6
    with pytest.raises(ValueError, match="dim to be an integer greater than or equal to 2"):
        nd.LKJCholesky(1)
    with pytest.raises(ValueError, match="CorrCholesky"):
        nd.LKJCholesky(2).log_prob(t64([[1.0, 0.0], [0.5, 0.5]]))
    assert nd.LKJCholesky(3, t64([1.0, 2.0])).expand((4, 2)).sample().shape == (4, 2, 3, 3)
    assert gradgradcheck(
        lambda c: nd.LKJCholesky(2, c).log_prob(t64(mats[1000, 0])), (t64(1.5, True),)
    )
