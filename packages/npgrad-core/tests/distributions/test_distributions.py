"""npgrad.distributions: values against closed forms computed with ``math``, dtypes,
shapes, sampling statistics (seeded, 6-sigma bounds), gradients (gradcheck and
gradgradcheck in float64), expand, enumerate_support and argument validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

import npgrad
import npgrad.distributions as nd
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

F64 = npgrad.float64


def t64(x, grad=False):
    return npgrad.tensor(np.asarray(x, dtype=np.float64), requires_grad=grad)


# ---- closed forms, elementwise with math ------------------------------------------------
def _ref_normal(x, m, s):
    return -((x - m) ** 2) / (2 * s * s) - math.log(s) - 0.5 * math.log(2 * math.pi)


def _ref_gamma(x, c, r):
    return c * math.log(r) + (c - 1) * math.log(x) - r * x - math.lgamma(c)


def _ref_beta(x, a, b):
    lbeta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    return (a - 1) * math.log(x) + (b - 1) * math.log1p(-x) - lbeta


def _ref_student(x, df, m, s):
    y = (x - m) / s
    return (
        math.lgamma((df + 1) / 2)
        - math.lgamma(df / 2)
        - 0.5 * math.log(df * math.pi)
        - math.log(s)
        - (df + 1) / 2 * math.log1p(y * y / df)
    )


CLOSED = [
    (
        "Normal",
        lambda: nd.Normal(t64([0.3, -1.0]), t64([1.5, 0.4])),
        [0.7, -0.2],
        lambda x, i: _ref_normal(x, [0.3, -1.0][i], [1.5, 0.4][i]),
    ),
    (
        "Laplace",
        lambda: nd.Laplace(t64([0.3, -1.0]), t64([1.5, 0.4])),
        [0.7, -0.2],
        lambda x, i: -math.log(2 * [1.5, 0.4][i]) - abs(x - [0.3, -1.0][i]) / [1.5, 0.4][i],
    ),
    (
        "Exponential",
        lambda: nd.Exponential(t64([0.5, 3.0])),
        [0.7, 2.0],
        lambda x, i: math.log([0.5, 3.0][i]) - [0.5, 3.0][i] * x,
    ),
    (
        "Cauchy",
        lambda: nd.Cauchy(t64([0.3, -1.0]), t64([1.5, 0.4])),
        [0.7, -0.2],
        lambda x, i: (
            -math.log(math.pi * [1.5, 0.4][i] * (1 + ((x - [0.3, -1.0][i]) / [1.5, 0.4][i]) ** 2))
        ),
    ),
    (
        "Gumbel",
        lambda: nd.Gumbel(t64([0.3, -1.0]), t64([1.5, 0.4])),
        [0.7, -0.2],
        lambda x, i: (
            -math.log([1.5, 0.4][i]) - (z := (x - [0.3, -1.0][i]) / [1.5, 0.4][i]) - math.exp(-z)
        ),
    ),
    (
        "LogNormal",
        lambda: nd.LogNormal(t64([0.3, -1.0]), t64([1.5, 0.4])),
        [0.7, 2.0],
        lambda x, i: _ref_normal(math.log(x), [0.3, -1.0][i], [1.5, 0.4][i]) - math.log(x),
    ),
    (
        "HalfNormal",
        lambda: nd.HalfNormal(t64([1.5, 0.4])),
        [0.7, 2.0],
        lambda x, i: _ref_normal(x, 0.0, [1.5, 0.4][i]) + math.log(2),
    ),
    (
        "Gamma",
        lambda: nd.Gamma(t64([0.5, 3.0]), t64([2.0, 0.7])),
        [0.7, 2.0],
        lambda x, i: _ref_gamma(x, [0.5, 3.0][i], [2.0, 0.7][i]),
    ),
    (
        "Chi2",
        lambda: nd.Chi2(t64([1.0, 5.0])),
        [0.7, 2.0],
        lambda x, i: _ref_gamma(x, [1.0, 5.0][i] / 2, 0.5),
    ),
    (
        "Beta",
        lambda: nd.Beta(t64([0.5, 3.0]), t64([2.0, 0.7])),
        [0.3, 0.9],
        lambda x, i: _ref_beta(x, [0.5, 3.0][i], [2.0, 0.7][i]),
    ),
    (
        "StudentT",
        lambda: nd.StudentT(t64([1.5, 6.0]), t64([0.3, -1.0]), t64([1.5, 0.4])),
        [0.7, -0.2],
        lambda x, i: _ref_student(x, [1.5, 6.0][i], [0.3, -1.0][i], [1.5, 0.4][i]),
    ),
    (
        "Uniform",
        lambda: nd.Uniform(t64([0.0, -1.0]), t64([2.0, 3.0])),
        [0.7, 2.5],
        lambda x, i: -math.log([2.0, 4.0][i]),
    ),
    (
        "Poisson",
        lambda: nd.Poisson(t64([0.5, 3.0])),
        [0.0, 4.0],
        lambda x, i: x * math.log([0.5, 3.0][i]) - [0.5, 3.0][i] - math.lgamma(x + 1),
    ),
    (
        "Geometric",
        lambda: nd.Geometric(t64([0.2, 0.7])),
        [0.0, 3.0],
        lambda x, i: x * math.log1p(-[0.2, 0.7][i]) + math.log([0.2, 0.7][i]),
    ),
    (
        "Binomial",
        lambda: nd.Binomial(t64([5.0, 8.0]), t64([0.2, 0.7])),
        [1.0, 8.0],
        lambda x, i: math.log(
            math.comb(int([5, 8][i]), int(x))
            * [0.2, 0.7][i] ** x
            * (1 - [0.2, 0.7][i]) ** ([5, 8][i] - x)
        ),
    ),
    (
        "Bernoulli",
        lambda: nd.Bernoulli(t64([0.2, 0.7])),
        [1.0, 0.0],
        lambda x, i: math.log([0.2, 0.7][i] if x else 1 - [0.2, 0.7][i]),
    ),
]


@pytest.mark.parametrize(("name", "make", "xs", "ref"), CLOSED, ids=[c[0] for c in CLOSED])
def test_log_prob_matches_closed_form(name, make, xs, ref):
    d = make()
    lp = d.log_prob(t64(xs))
    expected = np.array([ref(x, i) for i, x in enumerate(xs)])
    assert lp.dtype == F64 and lp.shape == (2,)
    np.testing.assert_allclose(lp.numpy(), expected, rtol=1e-12, atol=1e-13)


def test_closed_form_entropies_and_cdfs():
    assert_close(
        nd.Normal(0.0, 2.0).entropy(), npgrad.tensor(0.5 * math.log(2 * math.pi * math.e * 4))
    )
    assert_close(nd.Exponential(t64(2.0)).cdf(t64(1.0)), t64(1 - math.exp(-2.0)))
    assert_close(
        nd.Normal(t64(1.0), t64(2.0)).cdf(t64(2.0)), t64(0.5 * math.erfc(-0.5 / math.sqrt(2)))
    )
    assert_close(nd.Laplace(t64(0.0), t64(1.0)).cdf(t64(-1.0)), t64(0.5 * math.exp(-1.0)))
    assert_close(nd.Gumbel(t64(0.0), t64(1.0)).cdf(t64(0.5)), t64(math.exp(-math.exp(-0.5))))
    assert_close(nd.Cauchy(t64(0.0), t64(2.0)).icdf(t64(0.75)), t64(2.0))
    assert_close(nd.Gamma(t64(1.0), t64(2.0)).cdf(t64(0.5)), t64(1 - math.exp(-1.0)))
    # a fair coin and a uniform die
    assert_close(nd.Bernoulli(t64(0.5)).entropy(), t64(math.log(2)))
    assert_close(nd.Categorical(t64(np.ones(6))).entropy(), t64(math.log(6)))
    assert_close(nd.Uniform(t64(1.0), t64(4.0)).entropy(), t64(math.log(3)))


@pytest.mark.parametrize("dtype", [npgrad.float32, npgrad.float64])
@pytest.mark.parametrize(
    "make",
    [
        lambda d: nd.Normal(npgrad.zeros(3, dtype=d), npgrad.ones(3, dtype=d)),
        lambda d: nd.Laplace(npgrad.zeros(3, dtype=d), npgrad.ones(3, dtype=d)),
        lambda d: nd.Exponential(npgrad.ones(3, dtype=d)),
        lambda d: nd.Uniform(npgrad.zeros(3, dtype=d), npgrad.ones(3, dtype=d)),
        lambda d: nd.LogNormal(npgrad.zeros(3, dtype=d), npgrad.ones(3, dtype=d)),
        lambda d: nd.HalfNormal(npgrad.ones(3, dtype=d)),
        lambda d: nd.Cauchy(npgrad.zeros(3, dtype=d), npgrad.ones(3, dtype=d)),
        lambda d: nd.Gumbel(npgrad.zeros(3, dtype=d), npgrad.ones(3, dtype=d)),
        lambda d: nd.Gamma(npgrad.ones(3, dtype=d) * 2, npgrad.ones(3, dtype=d)),
        lambda d: nd.Beta(npgrad.ones(3, dtype=d) * 2, npgrad.ones(3, dtype=d)),
        lambda d: nd.StudentT(npgrad.ones(3, dtype=d) * 4),
        lambda d: nd.Bernoulli(npgrad.full((3,), 0.3, dtype=d)),
        lambda d: nd.Poisson(npgrad.ones(3, dtype=d)),
        lambda d: nd.Geometric(npgrad.full((3,), 0.3, dtype=d)),
        lambda d: nd.Binomial(4, npgrad.full((3,), 0.3, dtype=d)),
    ],
)
def test_dtype_and_shape_are_kept(make, dtype):
    d = make(dtype)
    x = d.sample((4,))
    assert x.shape == (4, 3) and x.dtype == dtype
    assert d.log_prob(x).dtype == dtype and d.log_prob(x).shape == (4, 3)
    assert d.mean.dtype == dtype
    if d.has_rsample:
        assert d.rsample((2, 1)).dtype == dtype and d.rsample((2, 1)).shape == (2, 1, 3)
    if not isinstance(d, nd.Poisson):
        assert d.entropy().dtype == dtype


def test_default_dtype_for_number_parameters():
    d = nd.Normal(0.0, 1.0)
    assert d.loc.dtype == npgrad.float32 and d.batch_shape == ()
    assert d.sample().shape == () and d.sample((5,)).dtype == npgrad.float32
    d2 = nd.Normal(npgrad.zeros(2, dtype=F64), 1.0)
    assert d2.scale.dtype == F64  # a number takes the tensor parameter's dtype


# ---- sampling statistics ------------------------------------------------------------------
N = 200_000

MOMENTS = [
    lambda: nd.Normal(t64([0.5, -2.0]), t64([1.0, 3.0])),
    lambda: nd.Laplace(t64([0.5, -2.0]), t64([1.0, 3.0])),
    lambda: nd.Exponential(t64([0.5, 4.0])),
    lambda: nd.Uniform(t64([0.0, -3.0]), t64([1.0, 5.0])),
    lambda: nd.LogNormal(t64([0.0, -1.0]), t64([0.5, 0.3])),
    lambda: nd.HalfNormal(t64([1.0, 3.0])),
    lambda: nd.Gumbel(t64([0.5, -2.0]), t64([1.0, 3.0])),
    lambda: nd.Gamma(t64([0.3, 4.0]), t64([1.0, 2.0])),
    lambda: nd.Chi2(t64([1.0, 7.0])),
    lambda: nd.Beta(t64([0.5, 3.0]), t64([2.0, 0.7])),
    lambda: nd.StudentT(t64([5.0, 9.0]), t64([1.0, 0.0]), t64([2.0, 0.5])),
    lambda: nd.Bernoulli(t64([0.1, 0.6])),
    lambda: nd.Poisson(t64([0.5, 7.0])),
    lambda: nd.Geometric(t64([0.2, 0.9])),
    lambda: nd.Binomial(t64([3.0, 10.0]), t64([0.2, 0.9])),
    lambda: nd.Dirichlet(t64([[0.5, 1.0, 2.0]])),
    lambda: nd.MultivariateNormal(t64([1.0, -1.0]), t64([[2.0, 0.5], [0.5, 1.0]])),
    lambda: nd.OneHotCategorical(t64([0.2, 0.3, 0.5])),
]


@pytest.mark.parametrize("make", MOMENTS)
def test_sample_mean_and_variance(make):
    d = make()
    npgrad.manual_seed(7)
    x = d.sample((N,)).numpy()
    mean, var = d.mean.numpy(), d.variance.numpy()
    # 6 standard errors: the mean's is sqrt(var / N); the variance's uses the 4th moment
    assert np.all(np.abs(x.mean(0) - mean) <= 6 * np.sqrt(var / N)), (x.mean(0), mean)
    m4 = ((x - mean) ** 4).mean(0)
    # (plus the O(var / N) bias of the sample variance, which matters where the 4th-moment
    # term vanishes, as for a fair coin)
    assert np.all(np.abs(x.var(0) - var) <= 6 * np.sqrt((m4 - var**2) / N) + 10 * var / N)


def test_categorical_frequencies_and_zero_probability():
    npgrad.manual_seed(3)
    p = np.array([[0.1, 0.0, 0.6, 0.3], [0.25, 0.25, 0.25, 0.25]])
    x = nd.Categorical(t64(p)).sample((N,)).numpy()
    assert x.dtype == np.int64 and x.shape == (N, 2)
    freq = np.stack([(x == k).mean(0) for k in range(4)], -1)
    assert np.all(np.abs(freq - p) <= 6 * np.sqrt(p * (1 - p) / N))
    assert not (x[:, 0] == 1).any()


def test_cauchy_samples_by_quantiles():
    npgrad.manual_seed(5)
    x = nd.Cauchy(t64(1.0), t64(2.0)).sample((N,)).numpy()
    # the fraction below loc +- scale is 1/4 and 3/4; std error sqrt(p(1-p)/N)
    for q, p in ((-1.0, 0.25), (3.0, 0.75), (1.0, 0.5)):
        assert abs((x < q).mean() - p) <= 6 * math.sqrt(p * (1 - p) / N)


def test_manual_seed_makes_sampling_reproducible():
    d = nd.Gamma(t64([0.5, 2.0]), t64(1.0))
    npgrad.manual_seed(11)
    a = d.sample((5,))
    b = nd.Normal(0.0, 1.0).rsample((3,))
    npgrad.manual_seed(11)
    assert d.sample((5,)).tolist() == a.tolist()
    assert nd.Normal(0.0, 1.0).rsample((3,)).tolist() == b.tolist()


def test_rsample_is_differentiable_and_sample_is_not():
    loc = t64([0.5, 1.0], grad=True)
    scale = t64([2.0, 0.5], grad=True)
    d = nd.Normal(loc, scale)
    assert not d.sample().requires_grad
    npgrad.manual_seed(0)
    eps_sample = d.rsample((3,))
    eps = (eps_sample.detach() - loc.detach()) / scale.detach()
    eps_sample.sum().backward()
    assert_close(loc.grad, t64([3.0, 3.0]))
    assert_close(scale.grad, eps.sum(0))


@pytest.mark.parametrize(
    ("make", "dmean"),
    [
        # d E[x] / d concentration: the average pathwise gradient must match it
        (lambda c: nd.Gamma(c, t64(2.0)), lambda c: np.full_like(c, 0.5)),
        (lambda c: nd.Beta(c, t64(1.5)), lambda c: 1.5 / (c + 1.5) ** 2),
        (lambda c: nd.Chi2(c), lambda c: np.ones_like(c)),
    ],
)
def test_implicit_reparameterization_gradient_is_unbiased(make, dmean):
    c = np.array([0.3, 1.0, 4.0])
    n = 50_000
    # one draw per row of a (n, 3) batch: the gradient then holds per-sample derivatives
    conc = t64(np.tile(c, (n, 1)), grad=True)
    npgrad.manual_seed(1)
    x = make(conc).rsample()
    assert np.isfinite(x.detach().numpy()).all()
    (g,) = npgrad.autograd.grad(x.sum(), conc)
    per = g.numpy()
    assert np.isfinite(per).all()
    expected = dmean(c)
    assert np.all(np.abs(per.mean(0) - expected) <= 6 * per.std(0) / np.sqrt(n)), (
        per.mean(0),
        expected,
    )


def test_standard_gamma_second_order_raises():
    conc = t64([2.0], grad=True)
    x = nd.Gamma(conc, 1.0).rsample()
    (g,) = npgrad.autograd.grad(x.sum(), conc, create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable"):
        npgrad.autograd.grad(g.sum(), conc)


# ---- gradients of log_prob, entropy, cdf, rsample (float64) -------------------------------
GRAD_CASES = [
    (nd.Normal, [[0.3, -1.0], [1.5, 0.4]], [0.7, -0.2]),
    (nd.Laplace, [[0.3, -1.0], [1.5, 0.4]], [0.7, -0.2]),
    (nd.Exponential, [[0.5, 3.0]], [0.7, 2.0]),
    (nd.Cauchy, [[0.3, -1.0], [1.5, 0.4]], [0.7, -0.2]),
    (nd.Gumbel, [[0.3, -1.0], [1.5, 0.4]], [0.7, -0.2]),
    (nd.LogNormal, [[0.3, -1.0], [1.5, 0.4]], [0.7, 2.0]),
    (nd.HalfNormal, [[1.5, 0.4]], [0.7, 2.0]),
    (nd.Gamma, [[0.5, 3.0], [2.0, 0.7]], [0.7, 2.0]),
    (nd.Beta, [[0.5, 3.0], [2.0, 0.7]], [0.3, 0.9]),
    (nd.StudentT, [[1.5, 6.0], [0.3, -1.0], [1.5, 0.4]], [0.7, -0.2]),
    (nd.Uniform, [[0.0, -1.0], [2.0, 3.0]], [0.7, 2.5]),
    (nd.Poisson, [[0.5, 3.0]], [0.0, 4.0]),
    (nd.Geometric, [[0.2, 0.7]], [0.0, 3.0]),
    (nd.Bernoulli, [[0.2, 0.7]], [1.0, 0.0]),
    (nd.Dirichlet, [[[0.5, 3.0, 1.0]]], [[0.2, 0.3, 0.5]]),
]


@pytest.mark.parametrize(
    ("cls", "params", "x"), GRAD_CASES, ids=[c[0].__name__ for c in GRAD_CASES]
)
def test_log_prob_and_entropy_gradients(cls, params, x):
    ps = [t64(p, grad=True) for p in params]
    xv = t64(x, grad=cls not in (nd.Poisson, nd.Geometric, nd.Bernoulli, nd.Uniform))

    def f(*args):
        d = cls(*args[: len(ps)], validate_args=False)
        out = (
            d.log_prob(args[-1]).sum() + d.entropy().sum()
            if cls is not nd.Poisson
            else (d.log_prob(args[-1]).sum())
        )
        return out + (d.mean.sum() if cls is not nd.Cauchy else 0.0)  # Cauchy's mean is nan

    assert gradcheck(f, (*ps, xv))
    assert gradgradcheck(f, (*ps, xv))


@pytest.mark.parametrize(
    "cls", [nd.Normal, nd.Laplace, nd.Cauchy, nd.Gumbel, nd.LogNormal, nd.Uniform]
)
def test_rsample_cdf_icdf_gradients(cls):
    a, b = ([0.0, -1.0], [2.0, 3.0]) if cls is nd.Uniform else ([0.3, -1.0], [1.5, 0.4])
    ps = (t64(a, grad=True), t64(b, grad=True))
    q = t64([0.2, 0.9])

    def f(p1, p2):
        npgrad.manual_seed(3)  # the same noise for every finite-difference evaluation
        d = cls(p1, p2, validate_args=False)
        return d.rsample((3,)).sum() + d.icdf(q).sum() + d.cdf(t64([0.5, 0.1])).sum()

    assert gradcheck(f, ps)
    assert gradgradcheck(f, ps)


def test_mvn_and_kl_gradgradcheck():
    loc = t64([0.3, -0.5], grad=True)
    a = t64([[1.0, 0.0], [0.4, 0.8]], grad=True)

    def f(loc, a):
        L = a.tril()  # noqa: N806
        cov = L @ L.transpose(-1, -2) + 0.1 * npgrad.eye(2, dtype=F64)
        d = nd.MultivariateNormal(loc, cov, validate_args=False)
        q = nd.MultivariateNormal(loc * 0, scale_tril=L + npgrad.eye(2, dtype=F64))
        return d.log_prob(t64([0.1, 0.2])) + d.entropy() + nd.kl_divergence(d, q)

    assert gradcheck(f, (loc, a))
    assert gradgradcheck(f, (loc, a))

    def g(m, s, m2, s2):
        return (
            nd.kl_divergence(nd.Normal(m, s), nd.Laplace(m2, s2)).sum()
            + nd.kl_divergence(nd.Laplace(m, s), nd.Normal(m2, s2)).sum()
        )

    args = [
        t64([0.3, -1.0], True),
        t64([1.5, 0.4], True),
        t64([0.1, 0.2], True),
        t64([0.6, 2.0], True),
    ]
    assert gradcheck(g, args) and gradgradcheck(g, args)


# ---- shapes, expand, enumerate_support ----------------------------------------------------
def test_batch_event_shapes_and_expand():
    d = nd.Normal(npgrad.zeros(3), 1.0)
    e = d.expand((4, 3))
    assert e.batch_shape == (4, 3) and e.sample((2,)).shape == (2, 4, 3)
    assert type(e) is nd.Normal and e._validate_args == d._validate_args
    mvn = nd.MultivariateNormal(npgrad.zeros(2), npgrad.eye(2))
    assert mvn.batch_shape == () and mvn.event_shape == (2,)
    me = mvn.expand((5,))
    assert me.batch_shape == (5,) and me.sample((3,)).shape == (3, 5, 2)
    assert me.log_prob(npgrad.zeros(5, 2)).shape == (5,)
    ln = nd.LogNormal(npgrad.zeros(2), 1.0).expand((3, 2))
    assert type(ln) is nd.LogNormal and ln.batch_shape == (3, 2)
    assert nd.Chi2(npgrad.ones(2)).expand((3, 2)).df.shape == (3, 2)
    beta = nd.Beta(npgrad.ones(2), 2.0).expand((4, 2))
    assert beta.sample().shape == (4, 2)
    ind = nd.Independent(nd.Normal(npgrad.zeros(2, 3), 1.0), 1).expand((5, 2))
    assert ind.batch_shape == (5, 2) and ind.event_shape == (3,)
    cat = nd.Categorical(logits=npgrad.zeros(4)).expand((2, 3))
    assert cat.batch_shape == (2, 3) and cat.sample().shape == (2, 3)


def test_enumerate_support_and_binomial_entropy():
    b = nd.Bernoulli(npgrad.tensor([0.3, 0.6]))
    assert b.enumerate_support().tolist() == [[0.0, 0.0], [1.0, 1.0]]
    assert b.enumerate_support(expand=False).shape == (2, 1)
    c = nd.Categorical(npgrad.ones(2, 3))
    assert c.enumerate_support().shape == (3, 2)
    bi = nd.Binomial(3, t64([0.2, 0.5]))
    # entropy by enumeration equals the sum over the pmf by math.comb
    for i, p in enumerate([0.2, 0.5]):
        pm = [math.comb(3, k) * p**k * (1 - p) ** (3 - k) for k in range(4)]
        assert abs(bi.entropy()[i].item() + sum(q * math.log(q) for q in pm)) < 1e-12
    with pytest.raises(NotImplementedError, match="Inhomogeneous"):
        nd.Binomial(t64([2.0, 3.0]), t64([0.5, 0.5])).enumerate_support()
    assert not nd.Independent(nd.Bernoulli(npgrad.ones(2) * 0.5), 1).has_enumerate_support


def test_logits_and_probs_parameterisations_agree():
    p = t64([0.2, 0.5, 0.3])
    a, b = nd.Categorical(probs=p), nd.Categorical(logits=p.log() + 3.0)
    assert_close(a.logits, b.logits)
    assert_close(a.probs, b.probs)
    bp, bl = nd.Bernoulli(probs=t64(0.3)), nd.Bernoulli(logits=t64(math.log(0.3 / 0.7)))
    assert_close(bp.log_prob(t64(1.0)), bl.log_prob(t64(1.0)))
    # extreme logits keep finite log-probabilities (no sigmoid round trip)
    big = nd.Bernoulli(logits=t64([-800.0, 800.0]))
    assert_close(big.log_prob(t64([1.0, 0.0])), t64([-800.0, -800.0]))


def test_modes():
    assert nd.Gamma(t64([0.5, 3.0]), t64(2.0)).mode.tolist() == [0.0, 1.0]
    assert math.isnan(nd.Bernoulli(t64(0.5)).mode.item())
    assert nd.Categorical(t64([0.2, 0.5, 0.3])).mode.item() == 1
    assert nd.OneHotCategorical(t64([0.2, 0.5, 0.3])).mode.tolist() == [0.0, 1.0, 0.0]
    assert nd.Binomial(4, t64(0.5)).mode.item() == 2.0
    assert_close(nd.Dirichlet(t64([2.0, 3.0, 1.0])).mode, t64([1 / 3, 2 / 3, 0.0]))
    assert math.isnan(nd.StudentT(t64(0.8)).mean.item())
    assert nd.StudentT(t64(1.5)).variance.item() == math.inf


# ---- validation -----------------------------------------------------------------------------
def test_invalid_parameters_raise_value_error():
    with pytest.raises(
        ValueError, match=r"Expected parameter scale .* GreaterThan\(lower_bound=0.0\)"
    ):
        nd.Normal(0.0, -1.0)
    with pytest.raises(ValueError, match="Expected parameter probs"):
        nd.Bernoulli(npgrad.tensor([0.5, 1.5]))
    with pytest.raises(ValueError, match="Either `probs` or `logits`"):
        nd.Bernoulli(0.5, 0.0)
    with pytest.raises(ValueError, match="Either `probs` or `logits`"):
        nd.Categorical()
    with pytest.raises(ValueError, match="Expected parameter probs"):
        nd.Categorical(npgrad.tensor([0.5, -0.1, 0.6]))
    with pytest.raises(ValueError, match="Uniform is not defined when low>= high"):
        nd.Uniform(1.0, 1.0)
    with pytest.raises(ValueError, match="to be positive"):
        nd.Geometric(npgrad.tensor([0.0, 0.5]))
    with pytest.raises(ValueError, match="total_count"):
        nd.Binomial(npgrad.tensor(2.5), npgrad.tensor(0.5))
    with pytest.raises(ValueError, match="Exactly one of covariance_matrix"):
        nd.MultivariateNormal(npgrad.zeros(2))
    with pytest.raises(ValueError, match="at least one-dimensional"):
        nd.MultivariateNormal(npgrad.tensor(0.0), npgrad.eye(1))
    with pytest.raises(ValueError, match="covariance_matrix"):
        nd.MultivariateNormal(npgrad.zeros(2), npgrad.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="must be square and match"):
        nd.MultivariateNormal(npgrad.zeros(3), npgrad.eye(2))
    with pytest.raises(ValueError, match="reinterpreted_batch_ndims <= len"):
        nd.Independent(nd.Normal(npgrad.zeros(2), 1.0), 2)
    with pytest.raises(ValueError, match="Expected parameter concentration"):
        nd.Dirichlet(npgrad.tensor([1.0, -1.0]))
    with pytest.raises(ValueError, match="Expected parameter df"):
        nd.StudentT(-1.0)
    with pytest.raises(ValueError, match="Expected parameter concentration"):
        nd.Beta(-1.0, 1.0)


def test_invalid_values_raise_value_error():
    d = nd.Exponential(npgrad.ones(2))
    with pytest.raises(ValueError, match=r"within the support \(GreaterThanEq"):
        d.log_prob(npgrad.tensor([-1.0, 1.0]))
    with pytest.raises(ValueError, match="must be a Tensor"):
        d.log_prob(1.0)
    with pytest.raises(ValueError, match="not broadcastable"):
        d.log_prob(npgrad.ones(3))
    mvn = nd.MultivariateNormal(npgrad.zeros(2), npgrad.eye(2))
    with pytest.raises(ValueError, match="right-most size of value must match event_shape"):
        mvn.log_prob(npgrad.zeros(3))
    with pytest.raises(ValueError, match="IntegerInterval"):
        nd.Categorical(npgrad.ones(3)).log_prob(npgrad.tensor(3))
    with pytest.raises(ValueError, match="Boolean"):
        nd.Bernoulli(0.5).log_prob(npgrad.tensor(0.5))
    with pytest.raises(ValueError, match="Simplex"):
        nd.Dirichlet(npgrad.ones(3)).log_prob(npgrad.tensor([0.5, 0.5, 0.5]))
    # without validation the same calls compute
    lp = nd.Exponential(npgrad.ones(2), validate_args=False).log_prob(npgrad.tensor([-1.0, 1.0]))
    assert lp.tolist() == [1.0, -1.0]


def test_set_default_validate_args():
    try:
        nd.Distribution.set_default_validate_args(False)
        d = nd.Normal(0.0, -1.0)
        assert d.scale.item() == -1.0
        with pytest.raises(ValueError, match="Expected parameter scale"):
            nd.Normal(0.0, -1.0, validate_args=True)
    finally:
        nd.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError, match="Expected parameter scale"):
        nd.Normal(0.0, -1.0)
    with pytest.raises(ValueError, match="True or False"):
        nd.Distribution.set_default_validate_args("yes")


def test_repr():
    assert repr(nd.Normal(0.0, 1.0)) == "Normal(loc: 0.0, scale: 1.0)"
    assert repr(nd.Normal(npgrad.zeros(2), 1.0)) == "Normal(loc: (2,), scale: (2,))"
    assert repr(nd.Bernoulli(logits=npgrad.zeros(3))) == "Bernoulli(logits: (3,))"
    assert repr(nd.LogNormal(0.0, 1.0)) == "LogNormal(loc: 0.0, scale: 1.0)"


@pytest.mark.parametrize(
    "make",
    [
        lambda: nd.Normal(npgrad.tensor([0.0, 1.0]), 2.0),
        lambda: nd.Laplace(npgrad.tensor([0.0, 1.0]), 2.0),
        lambda: nd.Cauchy(npgrad.tensor([0.0, 1.0]), 2.0),
        lambda: nd.Uniform(npgrad.tensor([0.0, 1.0]), 3.0),
        lambda: nd.Exponential(npgrad.tensor([0.5, 2.0])),
        lambda: nd.Gamma(npgrad.tensor([0.5, 2.0]), 1.5),
        lambda: nd.VonMises(npgrad.tensor([0.0, 1.0]), 2.0),
        lambda: nd.StudentT(npgrad.tensor([3.0, 5.0])),
        lambda: nd.Poisson(npgrad.tensor([0.5, 2.0])),
        lambda: nd.Bernoulli(probs=npgrad.tensor([0.3, 0.6])),
        lambda: nd.Bernoulli(logits=npgrad.tensor([0.3, -0.6])),
        lambda: nd.Geometric(probs=npgrad.tensor([0.3, 0.6])),
        lambda: nd.Binomial(5, probs=npgrad.tensor([0.3, 0.6])),
        lambda: nd.NegativeBinomial(5.0, logits=npgrad.tensor([0.3, -0.6])),
        lambda: nd.ContinuousBernoulli(probs=npgrad.tensor([0.3, 0.6])),
        lambda: nd.Categorical(probs=npgrad.tensor([[0.2, 0.8], [0.5, 0.5]])),
        lambda: nd.FisherSnedecor(npgrad.tensor([3.0, 5.0]), 4.0),
        lambda: nd.GeneralizedPareto(npgrad.tensor([0.0, 1.0]), 2.0, 0.2),
    ],
)
def test_expand_keeps_the_values_per_batch_entry(make):
    d = make()
    e = d.expand((3, 2))
    assert e.batch_shape == (3, 2) and type(e) is type(d)
    assert e._validate_args == d._validate_args
    x = d.sample()
    assert_close(e.log_prob(x.expand((3, *x.shape))), d.log_prob(x).expand((3, 2)))
