"""Constraints, transforms, TransformedDistribution/Independent, and kl_divergence
(against Monte Carlo estimates and its dispatch rules)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import npgrad
import npgrad.distributions as nd
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.distributions import constraints as C
from npgrad.distributions import transforms as T
from npgrad.testing import assert_close


def t64(x, grad=False):
    return npgrad.tensor(np.asarray(x, dtype=np.float64), requires_grad=grad)


# ---- constraints ----------------------------------------------------------------------------
def test_constraint_checks():
    x = t64([-1.0, 0.0, 0.5, 1.0, 2.0, float("nan"), float("inf")])
    assert C.real.check(x).tolist() == [True] * 5 + [False, True]
    assert C.positive.check(x).tolist() == [False, False, True, True, True, False, True]
    assert C.nonnegative.check(x).tolist() == [False, True, True, True, True, False, True]
    assert C.unit_interval.check(x).tolist() == [False, True, True, True, False, False, False]
    assert C.half_open_interval(0.0, 1.0).check(x).tolist()[3] is False
    assert C.boolean.check(x).tolist()[:5] == [False, True, False, True, False]
    assert C.integer_interval(0, 1).check(x).tolist()[:5] == [False, True, False, True, False]
    assert C.nonnegative_integer.check(x).tolist()[:5] == [False, True, False, True, True]
    assert C.less_than(1.0).check(x).tolist()[:5] == [True, True, True, False, False]
    assert C.greater_than_eq(1.0).check(x).tolist()[:5] == [False, False, False, True, True]
    s = t64([[0.2, 0.8], [0.5, 0.6], [-0.1, 1.1]])
    assert C.simplex.check(s).tolist() == [True, False, False]
    assert C.real_vector.check(t64([[0.0, float("nan")], [1.0, 2.0]])).tolist() == [False, True]
    assert C.one_hot.check(t64([[0.0, 1.0], [1.0, 1.0]])).tolist() == [True, False]
    m = t64([[[1.0, 0.0], [0.5, 2.0]], [[1.0, 0.3], [0.5, 2.0]], [[-1.0, 0.0], [0.5, 2.0]]])
    assert C.lower_cholesky.check(m).tolist() == [True, False, False]
    assert C.lower_triangular.check(m).tolist() == [True, False, True]
    pd = t64([[[2.0, 0.5], [0.5, 1.0]], [[1.0, 2.0], [2.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]]])
    assert C.positive_definite.check(pd).tolist() == [True, False, False]
    assert C.symmetric.check(pd).tolist() == [True, True, False]
    assert C.positive_semidefinite.check(t64([[1.0, 1.0], [1.0, 1.0]])).item() is True
    assert C.square.check(npgrad.zeros(2, 3)).item() is False


def test_constraint_properties_and_errors():
    assert C.simplex.event_dim == 1 and C.real.event_dim == 0 and C.boolean.is_discrete
    ind = C.independent(C.positive, 2)
    assert ind.event_dim == 2 and not ind.is_discrete
    assert ind.check(t64([[[1.0, 2.0], [3.0, 4.0]], [[1.0, -2.0], [3.0, 4.0]]])).tolist() == [
        True,
        False,
    ]
    with pytest.raises(ValueError, match="Expected value.dim"):
        ind.check(t64([1.0]))
    assert C.is_dependent(C.dependent) and not C.is_dependent(C.real)
    with pytest.raises(ValueError, match="dependent"):
        C.dependent.check(t64(1.0))
    with pytest.raises(NotImplementedError):
        _ = C.dependent.event_dim
    assert C.dependent(is_discrete=True, event_dim=1).event_dim == 1
    assert repr(C.interval(0.0, 2.0)) == "Interval(lower_bound=0.0, upper_bound=2.0)"
    assert repr(C.real) == "Real()" and repr(C.simplex) == "Simplex()"
    # a dependent property is the constraint on the class and the value on an instance
    assert C.is_dependent(nd.Uniform.support)
    assert nd.Uniform(0.0, 2.0).support.check(t64([1.0, 3.0])).tolist() == [True, False]


# ---- transforms -----------------------------------------------------------------------------
BIJECTIONS = [
    (T.ExpTransform(), [-1.0, 0.5, 2.0]),
    (T.SigmoidTransform(), [-3.0, 0.1, 2.0]),
    (T.TanhTransform(), [-1.5, 0.1, 2.0]),
    (T.SoftplusTransform(), [-3.0, 0.1, 2.0]),
    (T.AffineTransform(1.0, -2.0), [-1.0, 0.5, 2.0]),
    (T.AffineTransform(t64([1.0, 2.0, 3.0]), t64([0.5, -1.0, 2.0])), [-1.0, 0.5, 2.0]),
    (T.PowerTransform(t64(2.5)), [0.3, 0.5, 2.0]),
    (T.ComposeTransform([T.AffineTransform(0.5, 3.0), T.TanhTransform()]), [-0.5, 0.1, 0.2]),
    (T.ExpTransform().inv, [0.3, 0.5, 2.0]),
]


@pytest.mark.parametrize(("t", "xs"), BIJECTIONS, ids=lambda v: repr(v)[:20])
def test_bijection_roundtrip_and_jacobian(t, xs):
    x = t64(xs)
    y = t(x)
    assert_close(t.inv(y), x, rtol=1e-9, atol=1e-12)
    assert t.inv.inv is t
    # log|dy/dx| against a central difference in float64
    h = 1e-6
    num = np.log(np.abs((t(t64(xs) + h).numpy() - t(t64(xs) - h).numpy()) / (2 * h)))
    np.testing.assert_allclose(t.log_abs_det_jacobian(x, y).numpy(), num, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(t.inv.log_abs_det_jacobian(y, x).numpy(), -num, rtol=1e-6, atol=1e-8)
    assert t.domain.check(x).all() and t.codomain.check(y).all()
    xg = t64(xs, grad=True)
    assert gradcheck(lambda a: t.log_abs_det_jacobian(a, t(a)) + t(a), (xg,))
    assert gradgradcheck(lambda a: t.log_abs_det_jacobian(a, t(a)) + t(a), (xg,))


def test_transform_properties():
    assert T.ExpTransform() == T.ExpTransform() and T.ExpTransform() != T.SigmoidTransform()
    plain = [
        T.ExpTransform,
        T.SigmoidTransform,
        T.TanhTransform,
        T.SoftplusTransform,
        T.AbsTransform,
    ]
    for a in plain:
        assert all((a() == b()) == (a is b) for b in plain)

    class MyExp(T.ExpTransform):  # a subclass compares as the class it extends, as in PyTorch
        pass

    assert MyExp() == T.ExpTransform() and T.ExpTransform() == MyExp()
    assert T.AffineTransform(1.0, 2.0) == T.AffineTransform(1.0, 2.0)
    assert T.AffineTransform(1.0, 2.0) != T.AffineTransform(1.0, 3.0)
    assert T.ExpTransform().inv == T.ExpTransform().inv
    assert T.AffineTransform(0.0, -2.0).sign == -1
    assert T.ComposeTransform([T.AffineTransform(0.0, -1.0), T.ExpTransform()]).sign == -1
    aff = T.AffineTransform(t64([1.0, 2.0]), t64([2.0, 3.0]), event_dim=1)
    assert aff.log_abs_det_jacobian(t64([[0.0, 0.0]]), None).numpy().tolist() == [math.log(6.0)]
    assert aff.forward_shape((4, 1)) == (4, 2)
    assert T.identity_transform(t64([1.0])).tolist() == [1.0]
    with pytest.raises(ValueError, match="cache_size"):
        T.ExpTransform(cache_size=2)
    # with a cache the inverse of a sample is the pre-image itself, not a recomputation
    t = T.TanhTransform(cache_size=1)
    x = t64([30.0])
    y = t(x)
    assert t.inv(y) is x
    assert T.TanhTransform().inv(y).item() == math.inf  # atanh(1.0) without the cache


def test_transformed_distribution_shapes_and_values():
    base = nd.Normal(npgrad.zeros(3, dtype=npgrad.float64), 1.0)
    d = nd.TransformedDistribution(base, [T.AffineTransform(2.0, 3.0)])
    assert d.batch_shape == (3,) and d.event_shape == ()
    assert_close(
        d.log_prob(t64([2.0, 5.0, -1.0])), nd.Normal(t64(2.0), 3.0).log_prob(t64([2.0, 5.0, -1.0]))
    )
    assert_close(d.cdf(t64([5.0])), t64([0.5 * math.erfc(-1 / math.sqrt(2))] * 3))
    # a decreasing map flips the cdf
    neg = nd.TransformedDistribution(base, [T.AffineTransform(0.0, -1.0)])
    assert_close(neg.cdf(t64([1.0, 1.0, 1.0])), 1 - base.cdf(t64([-1.0, -1.0, -1.0])))
    assert_close(neg.icdf(t64([0.2, 0.2, 0.2])), -base.icdf(t64([0.8, 0.8, 0.8])))
    # an event-dim-1 affine map makes the batch dimension an event dimension
    ev = nd.TransformedDistribution(base, [T.AffineTransform(t64([1.0, 2, 3]), 2.0, event_dim=1)])
    assert ev.batch_shape == () and ev.event_shape == (3,)
    assert ev.log_prob(t64([1.0, 2.0, 3.0])).shape == ()
    assert_close(
        ev.log_prob(t64([1.0, 2.0, 3.0])), t64(3 * (-0.5 * math.log(2 * math.pi) - math.log(2)))
    )
    assert d.support.check(t64([1.0])).all() and not d.has_enumerate_support
    with pytest.raises(ValueError, match="transforms must be"):
        nd.TransformedDistribution(base, "exp")
    npgrad.manual_seed(0)
    assert d.sample((5,)).shape == (5, 3) and d.rsample().shape == (3,)


def test_tanh_normal_log_prob_against_change_of_variables():
    d = nd.TransformedDistribution(nd.Normal(t64(0.2), t64(0.7)), [T.TanhTransform()])
    y = t64([-0.9, 0.0, 0.6])
    x = np.arctanh(y.numpy())
    ref = [
        -((xi - 0.2) ** 2) / (2 * 0.49)
        - math.log(0.7)
        - 0.5 * math.log(2 * math.pi)
        - math.log(1 - math.tanh(xi) ** 2)
        for xi in x
    ]
    np.testing.assert_allclose(d.log_prob(y).numpy(), ref, rtol=1e-12)


def test_independent():
    base = nd.Bernoulli(t64([[0.2, 0.7], [0.5, 0.5]]))
    d = nd.Independent(base, 1)
    assert d.batch_shape == (2,) and d.event_shape == (2,)
    v = t64([[1.0, 0.0], [0.0, 1.0]])
    assert_close(d.log_prob(v), base.log_prob(v).sum(-1))
    assert_close(d.entropy(), base.entropy().sum(-1))
    assert not d.has_rsample and nd.Independent(nd.Normal(npgrad.zeros(2), 1.0), 1).has_rsample
    assert repr(d).startswith("Independent(Bernoulli(")
    with pytest.raises(ValueError, match="Boolean"):
        d.log_prob(t64([[0.5, 0.0], [0.0, 1.0]]))
    with pytest.raises(TypeError, match="Distribution"):
        nd.Independent(3.0, 0)


# ---- kl_divergence --------------------------------------------------------------------------
MC_PAIRS = [
    (lambda: nd.Laplace(t64(0.3), t64(1.2)), lambda: nd.Normal(t64(-0.5), t64(2.0))),
    (lambda: nd.Normal(t64(0.3), t64(1.2)), lambda: nd.Laplace(t64(-0.5), t64(2.0))),
    (lambda: nd.Gumbel(t64(0.3), t64(1.2)), lambda: nd.Gumbel(t64(-0.5), t64(2.0))),
    (lambda: nd.Cauchy(t64(0.3), t64(1.2)), lambda: nd.Cauchy(t64(-0.5), t64(2.0))),
    (lambda: nd.Gamma(t64(2.0), t64(1.2)), lambda: nd.Exponential(t64(0.5))),
    (lambda: nd.Beta(t64(2.0), t64(1.2)), lambda: nd.Beta(t64(0.5), t64(3.0))),
    (lambda: nd.Dirichlet(t64([2.0, 1.2, 3.0])), lambda: nd.Dirichlet(t64([1.0, 1.0, 1.0]))),
    (
        lambda: nd.MultivariateNormal(t64([0.0, 1.0]), t64([[2.0, 0.3], [0.3, 1.0]])),
        lambda: nd.MultivariateNormal(t64([1.0, 0.0]), scale_tril=t64([[1.0, 0.0], [0.5, 2.0]])),
    ),
    (lambda: nd.Poisson(t64(3.0)), lambda: nd.Poisson(t64(1.5))),
    (lambda: nd.Binomial(5, t64(0.3)), lambda: nd.Binomial(5, t64(0.6))),
]


@pytest.mark.parametrize(("mp", "mq"), MC_PAIRS)
def test_kl_against_monte_carlo(mp, mq):
    p, q = mp(), mq()
    npgrad.manual_seed(2)
    x = p.sample((200_000,))
    diff = (p.log_prob(x) - q.log_prob(x)).numpy()
    kl = nd.kl_divergence(p, q).item()
    assert abs(diff.mean() - kl) <= 6 * diff.std() / math.sqrt(len(diff)) + 1e-12


def test_kl_special_values_and_errors():
    u = nd.Uniform(t64([0.0, -1.0]), t64([1.0, 1.0]))
    assert nd.kl_divergence(u, nd.Uniform(t64(-0.5), t64(1.0))).tolist()[1] == math.inf
    assert nd.kl_divergence(nd.Normal(0.0, 1.0), nd.Uniform(0.0, 1.0)).item() == math.inf
    assert nd.kl_divergence(u, nd.Exponential(t64(1.0))).tolist()[1] == math.inf
    assert nd.kl_divergence(nd.Binomial(5, t64(0.3)), nd.Binomial(3, t64(0.3))).item() == math.inf
    with pytest.raises(NotImplementedError, match="q.total_count > p.total_count"):
        nd.kl_divergence(nd.Binomial(3, t64(0.3)), nd.Binomial(5, t64(0.3)))
    with pytest.raises(NotImplementedError, match="No KL"):
        nd.kl_divergence(nd.Poisson(1.0), nd.Normal(0.0, 1.0))
    a = nd.Independent(nd.Normal(npgrad.zeros(2, 3), 1.0), 1)
    b = nd.Independent(nd.Normal(npgrad.ones(2, 3), 1.0), 1)
    assert_close(nd.kl_divergence(a, b), npgrad.full((2,), 1.5))
    with pytest.raises(NotImplementedError, match="reinterpreted_batch_ndims"):
        nd.kl_divergence(a, nd.Independent(nd.Normal(npgrad.ones(2, 3), 1.0), 2))
    ln = nd.LogNormal(0.0, 1.0)
    tr = nd.TransformedDistribution(nd.Normal(0.0, 1.0), [T.SigmoidTransform()])
    with pytest.raises(NotImplementedError, match="different transforms"):
        nd.kl_divergence(ln, tr)
    with pytest.raises(ValueError, match="different event shapes"):
        nd.kl_divergence(
            nd.MultivariateNormal(npgrad.zeros(2), npgrad.eye(2)),
            nd.MultivariateNormal(npgrad.zeros(3), npgrad.eye(3)),
        )


def test_register_kl_dispatch():
    class A(nd.Normal):
        pass

    class B(A):
        pass

    @nd.register_kl(A, nd.Normal)
    def _kl_a_normal(p, q):
        return npgrad.tensor(1.0)

    assert nd.kl_divergence(B(0.0, 1.0), nd.Normal(0.0, 1.0)).item() == 1.0
    assert nd.kl_divergence(nd.Normal(0.0, 1.0), B(1.0, 1.0)).item() == 0.5  # Normal-Normal

    @nd.register_kl(nd.Normal, B)
    def _kl_normal_b(p, q):
        return npgrad.tensor(2.0)

    # (A, Normal) and (Normal, B) both match (B, B), each more specific on one side
    with pytest.warns(RuntimeWarning, match="Ambiguous kl_divergence"):
        nd.kl_divergence(B(0.0, 1.0), B(0.0, 1.0))

    @nd.register_kl(B, B)
    def _kl_b_b(p, q):
        return npgrad.tensor(3.0)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert nd.kl_divergence(B(0.0, 1.0), B(0.0, 1.0)).item() == 3.0
    with pytest.raises(TypeError, match="Distribution subclass"):
        nd.register_kl(int, nd.Normal)


# ---- event-wise transforms and the constraint registry --------------------------------------
def test_stick_breaking_roundtrip_and_jacobian():
    t = T.StickBreakingTransform()
    x = t64([[0.3, -1.2, 2.0], [0.0, 0.0, 0.0]])
    y = t(x)
    assert y.shape == (2, 4) and C.simplex.check(y).all()
    assert_close(y[1], t64([0.25] * 4))
    assert_close(t.inv(y), x, rtol=1e-10, atol=1e-12)
    # log|det| of the square Jacobian of (x -> y[:-1]) by central differences
    h = 1e-6
    for row in x.numpy():
        jac = np.empty((3, 3))
        for j in range(3):
            e = np.zeros(3)
            e[j] = h
            jac[:, j] = (t(t64(row + e)).numpy()[:3] - t(t64(row - e)).numpy()[:3]) / (2 * h)
        ref = np.linalg.slogdet(jac)[1]
        got = t.log_abs_det_jacobian(t64(row), t(t64(row))).item()
        assert abs(got - ref) < 1e-7
    assert t.forward_shape((5, 3)) == (5, 4) and t.inverse_shape((5, 4)) == (5, 3)
    xg = t64([0.3, -1.2], grad=True)
    assert gradcheck(lambda a: t.log_abs_det_jacobian(a, t(a)) + t(a).pow(2).sum(), (xg,))
    assert gradgradcheck(lambda a: t.log_abs_det_jacobian(a, t(a)) + t(a).pow(2).sum(), (xg,))


def test_dirichlet_through_stick_breaking_density():
    # pushing a density through biject_to(simplex) and back must be consistent:
    # log p_Y(y) = log p_X(x) - log|det J|, checked against Dirichlet(1, 1, 1) = 2 on the simplex
    t = nd.biject_to(C.simplex)
    base = nd.Independent(nd.Normal(t64([0.0, 0.0]), t64([1.0, 1.0])), 1)
    d = nd.TransformedDistribution(base, [t])
    assert d.event_shape == (3,) and d.batch_shape == ()
    y = t64([0.2, 0.3, 0.5])
    x = t.inv(y)
    ref = base.log_prob(x) - t.log_abs_det_jacobian(x, y)
    assert_close(d.log_prob(y), ref)


def test_other_event_transforms():
    s = T.SoftmaxTransform()
    assert_close(s(t64([1.0, 2.0])), npgrad.softmax(t64([1.0, 2.0]), -1))
    assert_close(s(s.inv(t64([0.2, 0.8]))), t64([0.2, 0.8]))
    lc = T.LowerCholeskyTransform()
    m = t64([[0.5, 9.0], [0.3, -1.0]])
    out = lc(m)
    assert_close(out, t64([[math.exp(0.5), 0.0], [0.3, math.exp(-1.0)]]))
    assert C.lower_cholesky.check(out).item()
    assert_close(lc.inv(out), t64([[0.5, 0.0], [0.3, -1.0]]))
    r = T.ReshapeTransform((4,), (2, 2))
    assert r.inv(r(t64(np.arange(8.0).reshape(2, 4)))).shape == (2, 4)
    assert r.log_abs_det_jacobian(npgrad.zeros(3, 4), None).shape == (3,)
    with pytest.raises(ValueError, match="different numbers of elements"):
        T.ReshapeTransform((4,), (3,))
    it = T.IndependentTransform(T.ExpTransform(), 1)
    assert it.domain.event_dim == 1 and it.bijective
    assert it == T.IndependentTransform(T.ExpTransform(), 1)


@pytest.mark.parametrize(
    "constraint",
    [
        C.real,
        C.positive,
        C.nonnegative,
        C.greater_than(2.0),
        C.greater_than_eq(-1.0),
        C.less_than(3.0),
        C.unit_interval,
        C.interval(-2.0, 5.0),
        C.half_open_interval(0.0, 2.0),
        C.simplex,
        C.real_vector,
        C.independent(C.positive, 1),
    ],
    ids=repr,
)
def test_biject_to_and_transform_to_land_in_the_constraint(constraint):
    x = t64(np.linspace(-3.0, 3.0, 12).reshape(4, 3))
    for registry in (nd.biject_to, nd.transform_to):
        t = registry(constraint)
        y = t(x)
        assert bool(constraint.check(y).all()), (registry, constraint)
        if registry is nd.biject_to:
            assert t.bijective
            assert_close(t(t.inv(y)), y, rtol=1e-9, atol=1e-12)


def test_registry_errors_and_registration():
    with pytest.raises(NotImplementedError, match="Cannot transform _Boolean constraints"):
        nd.biject_to(C.boolean)
    with pytest.raises(NotImplementedError, match="Cannot transform"):
        nd.biject_to(C.lower_cholesky)
    assert isinstance(nd.transform_to(C.lower_cholesky), T.LowerCholeskyTransform)
    with pytest.raises(TypeError, match="Constraint subclass or instance"):
        nd.transform_to.register(int, lambda c: T.ExpTransform())
    registry = type(nd.biject_to)()

    @registry.register(C.boolean)
    def _boolean(c):
        return T.SigmoidTransform()

    assert isinstance(registry(C.boolean), T.SigmoidTransform)


def test_positive_definite_and_cdf_transforms():
    pd = T.PositiveDefiniteTransform()
    x = t64([[0.3, 5.0], [-0.7, 0.1]])
    y = pd(x)
    assert C.positive_definite.check(y).item()
    assert_close(pd.inv(y), x.tril())  # the upper triangle does not reach the image
    assert isinstance(nd.transform_to(C.positive_definite), T.PositiveDefiniteTransform)
    xs = t64(np.linspace(-3.0, 3.0, 9).reshape(3, 3))
    assert C.positive_definite.check(nd.transform_to(C.positive_definite)(xs)).item()
    base = nd.Normal(t64(0.5), t64(2.0))
    cdf = T.CumulativeDistributionTransform(base)
    v = t64([-1.0, 0.5, 3.0])
    assert_close(cdf(v), base.cdf(v))
    assert_close(cdf.inv(cdf(v)), v, rtol=1e-12)
    assert_close(cdf.log_abs_det_jacobian(v, cdf(v)), base.log_prob(v))
    assert cdf.domain is C.real and cdf.codomain.check(cdf(v)).all()
    # pushing a normal through its own cdf gives the uniform on (0, 1)
    u = nd.TransformedDistribution(base, [cdf])
    assert_close(u.log_prob(t64([0.1, 0.7])), t64([0.0, 0.0]), atol=1e-12)
    assert C.multinomial(3).check(t64([[1.0, 2.0], [2.0, 2.0], [-1.0, 1.0]])).tolist() == [
        True,
        False,
        False,
    ]


def test_one_hot_categorical_straight_through():
    p = t64([0.2, 0.5, 0.3], grad=True)
    d = nd.OneHotCategoricalStraightThrough(probs=p)
    assert d.has_rsample
    npgrad.manual_seed(0)
    x = d.rsample((4,))
    assert x.shape == (4, 3) and sorted(set(x.detach().numpy().ravel().tolist())) == [0.0, 1.0]
    (x * t64([1.0, 2.0, 3.0])).sum().backward()
    # d/dp of sum(probs * c) over 4 samples, through the normalisation probs = p / sum(p)
    c = np.array([1.0, 2.0, 3.0])
    q = p.detach().numpy()
    expected = 4 * (c - (c * q).sum()) / q.sum()
    np.testing.assert_allclose(p.grad.numpy(), expected, rtol=1e-12)
