"""npgrad.distributions vs torch.distributions (torch==2.13): values and gradients of
log_prob, entropy, cdf, icdf, moments and kl_divergence on the same parameters."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
import npgrad.distributions as nd
from npgrad.distributions import transforms as nt

pytestmark = pytest.mark.torch

RNG = np.random.default_rng(1234)


def _pos(*shape):
    return RNG.uniform(0.5, 2.0, shape)


def _real(*shape):
    return RNG.uniform(-1.5, 1.5, shape)


def _unit(*shape):
    return RNG.uniform(0.05, 0.95, shape)


def _simplex(*shape):
    p = RNG.uniform(0.1, 1.0, shape)
    return p / p.sum(-1, keepdims=True)


# name -> (params as float64 arrays by keyword, value array, support of cdf/icdf probs)
CASES = {
    "Normal": ({"loc": _real(2, 3), "scale": _pos(2, 3)}, _real(4, 2, 3)),
    "Laplace": ({"loc": _real(3), "scale": _pos(3)}, _real(5, 3)),
    "Exponential": ({"rate": _pos(3)}, _pos(5, 3)),
    "Uniform": ({"low": _real(3) - 2.0, "high": _real(3) + 2.0}, _real(5, 3) * 0.3),
    "LogNormal": ({"loc": _real(3), "scale": _pos(3)}, _pos(5, 3)),
    "HalfNormal": ({"scale": _pos(3)}, _pos(5, 3)),
    "Bernoulli": ({"probs": _unit(4)}, RNG.integers(0, 2, (3, 4)).astype(np.float64)),
    "Bernoulli_logits": ({"logits": _real(4) * 3}, RNG.integers(0, 2, (3, 4)).astype(float)),
    "Categorical": ({"probs": _simplex(2, 4)}, RNG.integers(0, 4, (3, 2))),
    "Categorical_logits": ({"logits": _real(2, 4)}, RNG.integers(0, 4, (3, 2))),
    "OneHotCategorical": ({"probs": _simplex(2, 4)}, np.eye(4)[RNG.integers(0, 4, (3, 2))]),
    "Cauchy": ({"loc": _real(3), "scale": _pos(3)}, _real(5, 3) * 3),
    "Gumbel": ({"loc": _real(3), "scale": _pos(3)}, _real(5, 3) * 2),
    "Gamma": ({"concentration": _pos(3) * 2, "rate": _pos(3)}, _pos(5, 3)),
    "Chi2": ({"df": _pos(3) * 3}, _pos(5, 3)),
    "Beta": ({"concentration1": _pos(3), "concentration0": _pos(3) * 2}, _unit(5, 3)),
    "Dirichlet": ({"concentration": _pos(2, 4)}, _simplex(5, 2, 4)),
    "StudentT": ({"df": _pos(3) * 3, "loc": _real(3), "scale": _pos(3)}, _real(5, 3) * 2),
    "Poisson": ({"rate": _pos(3) * 2}, RNG.integers(0, 6, (5, 3)).astype(np.float64)),
    "Geometric": ({"probs": _unit(3)}, RNG.integers(0, 6, (5, 3)).astype(np.float64)),
    "Geometric_logits": ({"logits": _real(3)}, RNG.integers(0, 6, (5, 3)).astype(np.float64)),
    "Binomial": (
        {"total_count": np.full(3, 5.0), "probs": _unit(3)},
        RNG.integers(0, 6, (4, 3)).astype(np.float64),
    ),
    "Binomial_logits": (
        {"total_count": np.full(3, 7.0), "logits": _real(3) * 2},
        RNG.integers(0, 8, (4, 3)).astype(np.float64),
    ),
    "Pareto": ({"scale": _pos(3), "alpha": _pos(3) * 2 + 2.5}, _pos(5, 3) + 2.0),
    "Weibull": ({"scale": _pos(3), "concentration": _pos(3) + 1.2}, _pos(5, 3)),
    "InverseGamma": ({"concentration": _pos(3) + 2.5, "rate": _pos(3)}, _pos(5, 3)),
    "FisherSnedecor": ({"df1": _pos(3) + 3, "df2": _pos(3) + 5}, _pos(5, 3)),
    "NegativeBinomial": (
        {"total_count": _pos(3) * 3, "probs": _unit(3)},
        RNG.integers(0, 6, (5, 3)).astype(np.float64),
    ),
    "NegativeBinomial_logits": (
        {"total_count": _pos(3) * 3, "logits": _real(3)},
        RNG.integers(0, 6, (5, 3)).astype(np.float64),
    ),
    "Multinomial": ({"total_count": 5, "probs": _simplex(2, 4)}, None),
    "ContinuousBernoulli": ({"probs": np.array([0.05, 0.3, 0.4995, 0.5, 0.7, 0.97])}, None),
    "ContinuousBernoulli_logits": ({"logits": np.array([-4.0, -0.5, 0.001, 0.0, 2.0])}, None),
    "VonMises": ({"loc": _real(3), "concentration": _pos(3) * 3}, _real(5, 3) * 2),
    "HalfCauchy": ({"scale": _pos(3)}, _pos(5, 3)),
    "Kumaraswamy": ({"concentration1": _pos(3) + 1, "concentration0": _pos(3) + 1}, _unit(5, 3)),
    "LogisticNormal": ({"loc": _real(2, 3), "scale": _pos(2, 3)}, _simplex(5, 2, 4)),
}
CDF = {"Normal", "Laplace", "Exponential", "Uniform", "LogNormal", "HalfNormal", "Cauchy"}
CDF |= {"Gumbel", "Pareto", "Weibull", "Kumaraswamy", "ContinuousBernoulli", "HalfCauchy"}
NO_ENTROPY = {"Poisson", "FisherSnedecor", "NegativeBinomial", "InverseGamma", "LogisticNormal"}
NO_ENTROPY |= {"VonMises"}  # torch has none (npgrad's is tested against a numerical integral)
# torch evaluates log I0 and I1 / I0 with polynomial approximations (~1e-7 relative)
RTOL = {"VonMises": 2e-7}
# torch has no mode for these, or (Kumaraswamy) a nan one: npgrad's is tested elsewhere
NO_MODE = {"Multinomial", "Kumaraswamy", "ContinuousBernoulli"}
NO_MOMENTS = {"LogisticNormal"}
NO_GRAD = {"total_count"}  # integer-valued parameters


def _ctor(mod, name):
    return getattr(mod, name.split("_")[0])


def _param(lib, v):
    return v if isinstance(v, int) else lib.tensor(v, requires_grad=True)


def _pair(torch, name):
    params, value = CASES[name]
    if name == "Multinomial":
        value = np.stack([RNG.multinomial(5, p, size=3) for p in params["probs"]], 1) * 1.0
    if name.startswith("ContinuousBernoulli"):
        value = np.linspace(0.0, 1.0, 4)[:, None] * np.ones(len(next(iter(params.values()))))
    n_params = {k: _param(npgrad, v) for k, v in params.items()}
    t_params = {k: _param(torch, v) for k, v in params.items()}
    nd_ = _ctor(nd, name)(**n_params)
    td_ = _ctor(torch.distributions, name)(**t_params)
    return nd_, td_, n_params, t_params, value


def _close(a, b, **kw):
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=kw.get("rtol", 1e-10), atol=kw.get("atol", 1e-12))


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_grads_match_torch(name):
    torch = pytest.importorskip("torch")
    n, t, n_params, t_params, value = _pair(torch, name)
    vdtype = torch.int64 if value.dtype.kind == "i" else torch.float64
    tv = torch.tensor(value, dtype=vdtype)
    nv = npgrad.tensor(value)
    assert n.batch_shape == tuple(t.batch_shape)
    assert n.event_shape == tuple(t.event_shape)
    rtol = RTOL.get(name, 1e-10)
    n_lp, t_lp = n.log_prob(nv), t.log_prob(tv)
    _close(n_lp, t_lp, rtol=rtol)
    n_total, t_total = n_lp.sum(), t_lp.sum()
    if name.split("_")[0] not in NO_ENTROPY:
        n_ent, t_ent = n.entropy(), t.entropy()
        # torch's Multinomial entropy takes lgamma(total_count + 1) of an int64 tensor, which
        # it computes in float32: agreement to 1e-8 relative only
        _close(n_ent, t_ent, rtol=1e-7 if name == "Multinomial" else 1e-10)
        n_total, t_total = n_total + n_ent.sum(), t_total + t_ent.sum()
    family = name.split("_")[0]
    attrs = () if family in NO_MOMENTS else ("mean", "variance", "stddev")
    for attr in attrs + (() if family in NO_MODE | NO_MOMENTS else ("mode",)):
        _close(getattr(n, attr), getattr(t, attr), rtol=rtol)
    if name.split("_")[0] in CDF:
        q = np.linspace(0.05, 0.95, 5).reshape((5,) + (1,) * len(n.batch_shape))
        q = q * np.ones(n.batch_shape)
        _close(n.icdf(npgrad.tensor(q)), t.icdf(torch.tensor(q)))
        inside = np.asarray(value)
        _close(n.cdf(npgrad.tensor(inside)), t.cdf(torch.tensor(inside)))
        n_total = n_total + n.cdf(nv).sum() + n.icdf(npgrad.tensor(q)).sum()
        t_total = t_total + t.cdf(tv).sum() + t.icdf(torch.tensor(q)).sum()
    n_total.backward()
    t_total.backward()
    for k in n_params:
        if k not in NO_GRAD and not isinstance(n_params[k], int):
            _close(n_params[k].grad, t_params[k].grad, rtol=max(rtol, 1e-7))  # torch trigamma ~1e-9


def test_multivariate_normal_matches_torch():
    torch = pytest.importorskip("torch")
    a = RNG.normal(size=(2, 3, 3))
    cov = a @ a.transpose(0, 2, 1) + 0.5 * np.eye(3)
    loc = _real(3)
    value = _real(4, 2, 3)
    for kind in ("covariance_matrix", "precision_matrix", "scale_tril"):
        m = {"covariance_matrix": cov, "precision_matrix": np.linalg.inv(cov)}.get(
            kind, np.linalg.cholesky(cov)
        )
        nl, nm = npgrad.tensor(loc, requires_grad=True), npgrad.tensor(m, requires_grad=True)
        tl, tm = torch.tensor(loc, requires_grad=True), torch.tensor(m, requires_grad=True)
        n = nd.MultivariateNormal(nl, **{kind: nm})
        t = torch.distributions.MultivariateNormal(tl, **{kind: tm})
        assert (n.batch_shape, n.event_shape) == (tuple(t.batch_shape), tuple(t.event_shape))
        for attr in ("mean", "variance", "covariance_matrix", "precision_matrix", "scale_tril"):
            _close(getattr(n, attr), getattr(t, attr), rtol=1e-9)
        a_, b_ = n.log_prob(npgrad.tensor(value)), t.log_prob(torch.tensor(value))
        _close(a_, b_, rtol=1e-9)
        _close(n.entropy(), t.entropy(), rtol=1e-9)
        (a_.sum() + n.entropy().sum()).backward()
        (b_.sum() + t.entropy().sum()).backward()
        _close(nl.grad, tl.grad, rtol=1e-7)
        if kind != "scale_tril":  # torch's scale_tril grad includes the upper triangle
            _close(nm.grad, tm.grad, rtol=1e-7, atol=1e-9)
        else:
            _close(nm.grad.tril(), tm.grad.tril(), rtol=1e-7, atol=1e-9)
    q_cov = cov[::-1].copy()
    for mine_q, their_q in (
        (
            nd.MultivariateNormal(npgrad.tensor(loc * 2), npgrad.tensor(q_cov)),
            torch.distributions.MultivariateNormal(torch.tensor(loc * 2), torch.tensor(q_cov)),
        ),
    ):
        p_ = nd.MultivariateNormal(npgrad.tensor(loc), npgrad.tensor(cov))
        tp_ = torch.distributions.MultivariateNormal(torch.tensor(loc), torch.tensor(cov))
        _close(
            nd.kl_divergence(p_, mine_q), torch.distributions.kl_divergence(tp_, their_q), rtol=1e-9
        )


def test_standard_gamma_grad_matches_torch():
    torch = pytest.importorskip("torch")
    from npgrad.distributions.gamma import _standard_gamma_grad_array

    alpha = np.array([0.05, 0.3, 1.0, 2.5, 10.0, 150.0])[:, None] * np.ones(5)
    q = np.array([0.001, 0.2, 0.5, 0.8, 0.999])
    x = np.stack(
        [np.quantile(np.random.default_rng(0).gamma(a, size=20000), q) for a in alpha[:, 0]]
    )
    x = np.maximum(x, 1e-30)
    mine = _standard_gamma_grad_array(alpha, x)
    theirs = torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(x)).numpy()
    np.testing.assert_allclose(mine, theirs, rtol=2e-3, atol=1e-12)


@pytest.mark.parametrize("name", ["Bernoulli", "Categorical", "OneHotCategorical", "Binomial"])
def test_enumerate_support_matches_torch(name):
    torch = pytest.importorskip("torch")
    n, t, *_ = _pair(torch, name)
    for expand in (True, False):
        a, b = n.enumerate_support(expand), t.enumerate_support(expand)
        assert a.shape == tuple(b.shape)
        np.testing.assert_array_equal(a.numpy(), b.numpy())


KL_PAIRS = [
    ("Normal", "Normal"),
    ("Laplace", "Laplace"),
    ("Exponential", "Exponential"),
    ("Uniform", "Uniform"),
    ("Bernoulli", "Bernoulli"),
    ("Categorical", "Categorical"),
    ("OneHotCategorical", "OneHotCategorical"),
    ("HalfNormal", "HalfNormal"),
    ("LogNormal", "LogNormal"),
    ("Uniform", "Normal"),
    ("Exponential", "Normal"),
    ("Laplace", "Normal"),
    ("Normal", "Laplace"),
    ("Normal", "Uniform"),
    ("Normal", "Exponential"),
    ("Laplace", "Exponential"),
    ("Laplace", "Uniform"),
    ("Exponential", "Uniform"),
    ("Gamma", "Gamma"),
    ("Chi2", "Gamma"),
    ("Beta", "Beta"),
    ("Dirichlet", "Dirichlet"),
    ("Poisson", "Poisson"),
    ("Geometric", "Geometric"),
    ("Binomial", "Binomial"),
    ("Cauchy", "Cauchy"),
    ("Gumbel", "Gumbel"),
    ("Exponential", "Gamma"),
    ("Gamma", "Exponential"),
    ("Pareto", "Pareto"),
    ("ContinuousBernoulli", "ContinuousBernoulli"),
]

KL_PARAMS = {
    "Normal": lambda: {"loc": _real(3), "scale": _pos(3)},
    "Laplace": lambda: {"loc": _real(3), "scale": _pos(3)},
    "Exponential": lambda: {"rate": _pos(3)},
    "Uniform": lambda: {"low": _real(3) - 2, "high": _real(3) + 2},
    "Bernoulli": lambda: {"probs": _unit(3)},
    "Categorical": lambda: {"probs": _simplex(3, 4)},
    "OneHotCategorical": lambda: {"probs": _simplex(3, 4)},
    "HalfNormal": lambda: {"scale": _pos(3)},
    "LogNormal": lambda: {"loc": _real(3), "scale": _pos(3)},
    "Gamma": lambda: {"concentration": _pos(3) * 2, "rate": _pos(3)},
    "Beta": lambda: {"concentration1": _pos(3), "concentration0": _pos(3)},
    "Dirichlet": lambda: {"concentration": _pos(3, 4)},
    "Poisson": lambda: {"rate": _pos(3)},
    "Geometric": lambda: {"probs": _unit(3)},
    "Binomial": lambda: {"total_count": np.full(3, 6.0), "probs": _unit(3)},
    "Cauchy": lambda: {"loc": _real(3), "scale": _pos(3)},
    "Gumbel": lambda: {"loc": _real(3), "scale": _pos(3)},
    "Chi2": lambda: {"df": _pos(3) * 2},
    "Pareto": lambda: {"scale": _pos(3), "alpha": _pos(3)},
    "ContinuousBernoulli": lambda: {"probs": np.array([0.1, 0.4995, 0.8])},
}


@pytest.mark.parametrize(("p", "q"), KL_PAIRS)
def test_kl_matches_torch(p, q):
    torch = pytest.importorskip("torch")
    pp, qp = KL_PARAMS[p](), KL_PARAMS[q]()
    if (p, q) == ("Uniform", "Exponential"):
        pp = {"low": _pos(3) * 0.1, "high": _pos(3) + 1}  # inside the exponential's support
    if (p, q) == ("Uniform", "Uniform"):
        # one inside (finite), one sticking out (inf)
        qp = {"low": pp["low"] - np.array([0.5, 0.5, -0.1]), "high": pp["high"] + 0.5}
    np_p = {k: npgrad.tensor(v, requires_grad=True) for k, v in pp.items()}
    np_q = {k: npgrad.tensor(v, requires_grad=True) for k, v in qp.items()}
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in pp.items()}
    tq = {k: torch.tensor(v, requires_grad=True) for k, v in qp.items()}
    a = nd.kl_divergence(getattr(nd, p)(**np_p), getattr(nd, q)(**np_q))
    b = torch.distributions.kl_divergence(
        getattr(torch.distributions, p)(**tp), getattr(torch.distributions, q)(**tq)
    )
    _close(a, b)
    finite = np.isfinite(b.detach().numpy())
    if finite.all():
        a.sum().backward()
        b.sum().backward()
        for k, mine, theirs in list(zip(pp, np_p.values(), tp.values())) + list(
            zip(qp, np_q.values(), tq.values())
        ):
            if k not in NO_GRAD:
                _close(mine.grad, theirs.grad, rtol=1e-7)


def test_kl_edge_probabilities_match_torch():
    torch = pytest.importorskip("torch")
    p = np.array([0.0, 1.0, 0.3, 0.0])
    q = np.array([0.5, 0.5, 0.0, 0.0])
    a = nd.kl_divergence(nd.Bernoulli(npgrad.tensor(p)), nd.Bernoulli(npgrad.tensor(q)))
    b = torch.distributions.kl_divergence(
        torch.distributions.Bernoulli(torch.tensor(p)),
        torch.distributions.Bernoulli(torch.tensor(q)),
    )
    _close(a, b)
    cp = np.array([[0.0, 0.5, 0.5], [0.2, 0.3, 0.5]])
    cq = np.array([[0.0, 0.5, 0.5], [0.0, 0.5, 0.5]])
    a = nd.kl_divergence(nd.Categorical(npgrad.tensor(cp)), nd.Categorical(npgrad.tensor(cq)))
    b = torch.distributions.kl_divergence(
        torch.distributions.Categorical(torch.tensor(cp)),
        torch.distributions.Categorical(torch.tensor(cq)),
    )
    _close(a, b)
    _close(
        nd.Categorical(npgrad.tensor(cp)).entropy(),
        torch.distributions.Categorical(torch.tensor(cp)).entropy(),
    )


def test_independent_and_transformed_match_torch():
    torch = pytest.importorskip("torch")
    loc, scale = _real(2, 3), _pos(2, 3)
    value = _real(4, 2, 3)
    n = nd.Independent(nd.Normal(npgrad.tensor(loc), npgrad.tensor(scale)), 1)
    t = torch.distributions.Independent(
        torch.distributions.Normal(torch.tensor(loc), torch.tensor(scale)), 1
    )
    assert (n.batch_shape, n.event_shape) == (tuple(t.batch_shape), tuple(t.event_shape))
    _close(n.log_prob(npgrad.tensor(value)), t.log_prob(torch.tensor(value)))
    _close(n.entropy(), t.entropy())
    tt = torch.distributions.transforms
    chains = [
        ([nt.SigmoidTransform()], [tt.SigmoidTransform()], _unit(4, 2, 3)),
        ([nt.TanhTransform()], [tt.TanhTransform()], _unit(4, 2, 3) * 1.8 - 0.9),
        (
            [nt.AffineTransform(1.0, -2.0), nt.ExpTransform()],
            [tt.AffineTransform(1.0, -2.0), tt.ExpTransform()],
            _pos(4, 2, 3),
        ),
        ([nt.SoftplusTransform()], [tt.SoftplusTransform()], _pos(4, 2, 3)),
        (
            [nt.ExpTransform(), nt.PowerTransform(npgrad.tensor(3.0))],
            [tt.ExpTransform(), tt.PowerTransform(torch.tensor(3.0))],
            _pos(4, 2, 3),
        ),
        (
            [nt.AffineTransform(npgrad.tensor(_real(3)), npgrad.tensor(_pos(3)), event_dim=1)],
            [tt.AffineTransform(torch.tensor(_real(3)), torch.tensor(_pos(3)), event_dim=1)],
            _real(4, 2, 3),
        ),
    ]
    for mine, theirs, v in chains:
        if isinstance(theirs[0], tt.AffineTransform) and theirs[0].event_dim == 1:
            mine = [
                nt.AffineTransform(
                    npgrad.tensor(theirs[0].loc.numpy()),
                    npgrad.tensor(theirs[0].scale.numpy()),
                    event_dim=1,
                )
            ]
        nl, ns = npgrad.tensor(loc, requires_grad=True), npgrad.tensor(scale, requires_grad=True)
        tl, ts = torch.tensor(loc, requires_grad=True), torch.tensor(scale, requires_grad=True)
        n = nd.TransformedDistribution(nd.Normal(nl, ns), mine)
        t = torch.distributions.TransformedDistribution(torch.distributions.Normal(tl, ts), theirs)
        assert (n.batch_shape, n.event_shape) == (tuple(t.batch_shape), tuple(t.event_shape))
        a, b = n.log_prob(npgrad.tensor(v)), t.log_prob(torch.tensor(v))
        _close(a, b, rtol=1e-9)
        if all(x.bijective for x in theirs) and len(t.event_shape) == 0:
            _close(n.cdf(npgrad.tensor(v)), t.cdf(torch.tensor(v)), rtol=1e-9)
            q = npgrad.tensor(_unit(2, 3))
            _close(n.icdf(q), t.icdf(torch.tensor(q.numpy())), rtol=1e-9)
        a.sum().backward()
        b.sum().backward()
        _close(nl.grad, tl.grad, rtol=1e-8)
        _close(ns.grad, ts.grad, rtol=1e-8)


@pytest.mark.parametrize("kind", ["probs", "logits"])
def test_relaxed_distributions_match_torch(kind):
    torch = pytest.importorskip("torch")
    temp = np.array(0.7)
    bern = _unit(3) if kind == "probs" else _real(3)
    cat = _simplex(2, 3) if kind == "probs" else _real(2, 3)
    cases = [
        ("RelaxedBernoulli", bern, _unit(4, 3)),
        ("LogitRelaxedBernoulli", bern, _real(4, 3) * 3),
        ("RelaxedOneHotCategorical", cat, _simplex(4, 2, 3)),
        ("ExpRelaxedCategorical", cat, np.log(_simplex(4, 2, 3))),
    ]
    import torch.distributions.relaxed_bernoulli as trb
    import torch.distributions.relaxed_categorical as trc

    from npgrad.distributions import relaxed

    where = {
        "LogitRelaxedBernoulli": trb,
        "ExpRelaxedCategorical": trc,
    }
    for name, param, value in cases:
        np_t, np_p = (
            npgrad.tensor(temp, requires_grad=True),
            npgrad.tensor(param, requires_grad=True),
        )
        t_t, t_p = torch.tensor(temp, requires_grad=True), torch.tensor(param, requires_grad=True)
        n = getattr(relaxed, name)(np_t, **{kind: np_p})
        t = getattr(where.get(name, torch.distributions), name)(t_t, **{kind: t_p})
        assert (n.batch_shape, n.event_shape) == (tuple(t.batch_shape), tuple(t.event_shape))
        a, b = n.log_prob(npgrad.tensor(value)), t.log_prob(torch.tensor(value))
        _close(a, b, rtol=1e-9)
        a.sum().backward()
        b.sum().backward()
        _close(np_t.grad, t_t.grad, rtol=1e-8)
        _close(np_p.grad, t_p.grad, rtol=1e-8)


@pytest.mark.parametrize(
    "name", ["Normal", "Gamma", "Beta", "StudentT", "Bernoulli_logits", "Categorical", "Binomial"]
)
def test_float32_values_match_torch(name):
    torch = pytest.importorskip("torch")
    params, value = CASES[name]
    n = _ctor(nd, name)(**{k: npgrad.tensor(v.astype(np.float32)) for k, v in params.items()})
    t = _ctor(torch.distributions, name)(
        **{k: torch.tensor(v.astype(np.float32)) for k, v in params.items()}
    )
    v32 = value if value.dtype.kind == "i" else value.astype(np.float32)
    a, b = n.log_prob(npgrad.tensor(v32)), t.log_prob(torch.tensor(v32))
    assert a.dtype == npgrad.float32 and n.entropy().dtype == npgrad.float32
    _close(a, b, rtol=2e-5, atol=2e-6)
    _close(n.entropy(), t.entropy(), rtol=2e-5, atol=2e-6)
    _close(n.mean, t.mean, rtol=2e-6, atol=1e-7)


def test_event_transforms_match_torch():
    torch = pytest.importorskip("torch")
    tt = torch.distributions.transforms
    x = _real(4, 3) * 2
    for mine, theirs in (
        (nt.StickBreakingTransform(), tt.StickBreakingTransform()),
        (
            nt.IndependentTransform(nt.ExpTransform(), 1),
            tt.IndependentTransform(tt.ExpTransform(), 1),
        ),
    ):
        y, ty = mine(npgrad.tensor(x)), theirs(torch.tensor(x))
        _close(y, ty, rtol=1e-12)
        _close(mine.inv(y), theirs.inv(ty), rtol=1e-9)
        _close(
            mine.log_abs_det_jacobian(npgrad.tensor(x), y),
            theirs.log_abs_det_jacobian(torch.tensor(x), ty),
            rtol=1e-10,
        )
    m = _real(2, 3, 3)
    _close(
        nt.LowerCholeskyTransform()(npgrad.tensor(m)), tt.LowerCholeskyTransform()(torch.tensor(m))
    )
    _close(
        nt.SoftmaxTransform()(npgrad.tensor(x)), tt.SoftmaxTransform()(torch.tensor(x)), rtol=1e-12
    )
    for c_n, c_t in (
        (nd.constraints.interval(-2.0, 3.0), torch.distributions.constraints.interval(-2.0, 3.0)),
        (nd.constraints.greater_than(1.5), torch.distributions.constraints.greater_than(1.5)),
        (nd.constraints.less_than(1.5), torch.distributions.constraints.less_than(1.5)),
        (nd.constraints.simplex, torch.distributions.constraints.simplex),
    ):
        for reg_n, reg_t in (
            (nd.biject_to, torch.distributions.biject_to),
            (nd.transform_to, torch.distributions.transform_to),
        ):
            _close(reg_n(c_n)(npgrad.tensor(x)), reg_t(c_t)(torch.tensor(x)), rtol=1e-12)


def test_mixture_same_family_matches_torch():
    torch = pytest.importorskip("torch")
    w, loc, scale = _real(2, 3), _real(2, 3), _pos(2, 3)
    x = _real(4, 2) * 2
    nw, nl, ns = (npgrad.tensor(v, requires_grad=True) for v in (w, loc, scale))
    tw, tl, ts = (torch.tensor(v, requires_grad=True) for v in (w, loc, scale))
    n = nd.MixtureSameFamily(nd.Categorical(logits=nw), nd.Normal(nl, ns))
    t = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(logits=tw), torch.distributions.Normal(tl, ts)
    )
    a, b = n.log_prob(npgrad.tensor(x)), t.log_prob(torch.tensor(x))
    _close(a, b, rtol=1e-10)
    for attr in ("mean", "variance"):
        _close(getattr(n, attr), getattr(t, attr), rtol=1e-10)
    _close(n.cdf(npgrad.tensor(x)), t.cdf(torch.tensor(x)), rtol=1e-10)
    (a.sum() + n.variance.sum()).backward()
    (b.sum() + t.variance.sum()).backward()
    for m, th in ((nw, tw), (nl, tl), (ns, ts)):
        _close(m.grad, th.grad, rtol=1e-8)
    # multivariate components
    mv = nd.MixtureSameFamily(
        nd.Categorical(npgrad.tensor(_simplex(3))),
        nd.Independent(nd.Normal(npgrad.tensor(_real(3, 2)), npgrad.tensor(_pos(3, 2))), 1),
    )
    tv = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(torch.tensor(mv.mixture_distribution.probs.numpy())),
        torch.distributions.Independent(
            torch.distributions.Normal(
                torch.tensor(mv.component_distribution.base_dist.loc.numpy()),
                torch.tensor(mv.component_distribution.base_dist.scale.numpy()),
            ),
            1,
        ),
    )
    xv = _real(5, 2)
    _close(mv.log_prob(npgrad.tensor(xv)), tv.log_prob(torch.tensor(xv)), rtol=1e-10)
    _close(mv.mean, tv.mean, rtol=1e-10)
    _close(mv.variance, tv.variance, rtol=1e-10)


def test_lowrank_multivariate_normal_matches_torch():
    torch = pytest.importorskip("torch")
    loc, w, d = _real(2, 4), _real(2, 4, 2), _pos(2, 4)
    value = _real(3, 2, 4)
    nps = [npgrad.tensor(v, requires_grad=True) for v in (loc, w, d)]
    tps = [torch.tensor(v, requires_grad=True) for v in (loc, w, d)]
    n = nd.LowRankMultivariateNormal(*nps)
    t = torch.distributions.LowRankMultivariateNormal(*tps)
    assert (n.batch_shape, n.event_shape) == (tuple(t.batch_shape), tuple(t.event_shape))
    for attr in ("mean", "variance", "covariance_matrix", "precision_matrix", "scale_tril"):
        _close(getattr(n, attr), getattr(t, attr), rtol=1e-9, atol=1e-12)
    a, b = n.log_prob(npgrad.tensor(value)), t.log_prob(torch.tensor(value))
    _close(a, b, rtol=1e-10)
    _close(n.entropy(), t.entropy(), rtol=1e-10)
    (a.sum() + n.entropy().sum()).backward()
    (b.sum() + t.entropy().sum()).backward()
    for m, th in zip(nps, tps):
        _close(m.grad, th.grad, rtol=1e-8, atol=1e-12)
    cov = np.eye(4) * 2 + 0.3
    mvn_n = nd.MultivariateNormal(npgrad.tensor(_real(4)), npgrad.tensor(cov))
    mvn_t = torch.distributions.MultivariateNormal(
        torch.tensor(mvn_n.loc.numpy()), torch.tensor(cov)
    )
    n2 = nd.LowRankMultivariateNormal(*(npgrad.tensor(x[::-1].copy()) for x in (loc, w, d)))
    t2 = torch.distributions.LowRankMultivariateNormal(
        *(torch.tensor(x[::-1].copy()) for x in (loc, w, d))
    )
    kl = torch.distributions.kl_divergence
    for (pn, qn), (pt, qt) in (
        ((n, n2), (t, t2)),
        ((n, mvn_n), (t, mvn_t)),
        ((mvn_n, n), (mvn_t, t)),
    ):
        _close(nd.kl_divergence(pn, qn), kl(pt, qt), rtol=1e-9)


def test_straight_through_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    p = _simplex(2, 3)
    w = _real(2, 3)
    n_p, t_p = npgrad.tensor(p, requires_grad=True), torch.tensor(p, requires_grad=True)
    x = nd.OneHotCategoricalStraightThrough(probs=n_p).rsample()
    tx = torch.distributions.OneHotCategoricalStraightThrough(probs=t_p).rsample()
    (x * npgrad.tensor(w)).sum().backward()
    (tx * torch.tensor(w)).sum().backward()
    _close(n_p.grad, t_p.grad, rtol=1e-12)  # independent of which category was drawn
    m = _real(3, 3)
    _close(
        nt.PositiveDefiniteTransform()(npgrad.tensor(m)),
        torch.distributions.transforms.PositiveDefiniteTransform()(torch.tensor(m)),
        rtol=1e-12,
    )


def test_generalized_pareto_matches_torch_float32():
    # torch's GeneralizedPareto compares concentration with a float32 zero, so float64 fails
    # there: compare in float32
    torch = pytest.importorskip("torch")
    loc, scale = _real(4).astype(np.float32), _pos(4).astype(np.float32)
    xi = np.array([0.0, 0.3, -0.2, 0.6], np.float32)
    v = (loc + scale * np.array([[0.1], [0.5], [1.5]], np.float32)).astype(np.float32)
    q = np.array([[0.1], [0.5], [0.9]], np.float32) * np.ones(4, np.float32)
    nps = [npgrad.tensor(a, requires_grad=True) for a in (loc, scale, xi)]
    tps = [torch.tensor(a, requires_grad=True) for a in (loc, scale, xi)]
    n, t = nd.GeneralizedPareto(*nps), torch.distributions.GeneralizedPareto(*tps)
    tol = {"rtol": 2e-6, "atol": 1e-6}
    a, b = n.log_prob(npgrad.tensor(v)), t.log_prob(torch.tensor(v))
    assert a.dtype == npgrad.float32
    _close(a, b, **tol)
    _close(n.cdf(npgrad.tensor(v)), t.cdf(torch.tensor(v)), **tol)
    _close(n.icdf(npgrad.tensor(q)), t.icdf(torch.tensor(q)), **tol)
    for attr in ("mean", "mode"):
        _close(getattr(n, attr), getattr(t, attr), **tol)
    # the variance is infinite for 1/2 <= xi < 1: npgrad says inf where torch says nan
    _close(n.variance[:3], t.variance[:3], **tol)
    assert n.variance[3].item() == np.inf and np.isnan(t.variance[3].item())
    _close(n.entropy(), t.entropy(), **tol)
    (a.sum() + n.cdf(npgrad.tensor(v)).sum() + n.entropy().sum()).backward()
    (b.sum() + t.cdf(torch.tensor(v)).sum() + t.entropy().sum()).backward()
    for m, th in zip(nps, tps):
        _close(m.grad, th.grad, rtol=1e-5, atol=1e-5)


def test_wishart_matches_torch():
    torch = pytest.importorskip("torch")
    a = RNG.normal(size=(2, 3, 3))
    cov = a @ a.transpose(0, 2, 1) + np.eye(3)
    df = np.array([4.5, 7.0])
    b = RNG.normal(size=(4, 2, 3, 3))
    value = b @ b.transpose(0, 1, 3, 2) + np.eye(3)
    for kind in ("covariance_matrix", "precision_matrix", "scale_tril"):
        m = {"covariance_matrix": cov, "precision_matrix": np.linalg.inv(cov)}.get(
            kind, np.linalg.cholesky(cov)
        )
        n_df, n_m = npgrad.tensor(df, requires_grad=True), npgrad.tensor(m, requires_grad=True)
        t_df, t_m = torch.tensor(df, requires_grad=True), torch.tensor(m, requires_grad=True)
        n = nd.Wishart(n_df, **{kind: n_m})
        t = torch.distributions.Wishart(t_df, **{kind: t_m})
        assert (n.batch_shape, n.event_shape) == (tuple(t.batch_shape), tuple(t.event_shape))
        for attr in ("mean", "variance", "mode", "covariance_matrix", "precision_matrix"):
            _close(getattr(n, attr), getattr(t, attr), rtol=1e-9, atol=1e-12)
        a_, b_ = n.log_prob(npgrad.tensor(value)), t.log_prob(torch.tensor(value))
        _close(a_, b_, rtol=1e-9)
        _close(n.entropy(), t.entropy(), rtol=1e-9)
        (a_.sum() + n.entropy().sum()).backward()
        (b_.sum() + t.entropy().sum()).backward()
        _close(n_df.grad, t_df.grad, rtol=1e-7)
        if kind != "scale_tril":
            _close(n_m.grad, t_m.grad, rtol=1e-7, atol=1e-10)
        else:
            _close(n_m.grad.tril(), t_m.grad.tril(), rtol=1e-7, atol=1e-10)


def test_lkj_cholesky_matches_torch():
    torch = pytest.importorskip("torch")
    conc = np.array([0.5, 1.0, 3.0])
    torch.manual_seed(0)
    x = torch.distributions.LKJCholesky(4, torch.tensor(conc)).sample((5,))
    nc, tc = npgrad.tensor(conc, requires_grad=True), torch.tensor(conc, requires_grad=True)
    a = nd.LKJCholesky(4, nc).log_prob(npgrad.tensor(x.numpy()))
    b = torch.distributions.LKJCholesky(4, tc).log_prob(x)
    _close(a, b, rtol=1e-10)
    a.sum().backward()
    b.sum().backward()
    _close(nc.grad, tc.grad, rtol=1e-8)
    c = nd.constraints.corr_cholesky.check(npgrad.tensor(x.numpy()))
    assert c.numpy().all()
