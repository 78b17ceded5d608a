"""KL divergences across families (distributions/kl_cross.py): each closed form against a
quadrature of ``p log(p / q)``, the support rules, gradients, and PyTorch's values."""

from __future__ import annotations

import math

import numpy as np
import pytest

import npgrad
from npgrad import distributions as D
from npgrad.autograd import gradcheck


def t(*values: float) -> npgrad.Tensor:
    return npgrad.tensor(np.array(values, dtype=np.float64))


# p over a finite grid of its support (a uniform's excludes its high end): KL by the
# trapezoid rule of p (log p - log q)
def _quadrature(p, q, lo: float, hi: float, n: int = 400001) -> float:
    x = np.linspace(lo, hi, n)
    xt = npgrad.tensor(x)
    lp = p.log_prob(xt).numpy()
    lq = q.log_prob(xt).numpy()
    y = np.exp(lp) * (lp - lq)
    return float(np.sum((y[1:] + y[:-1]) / 2 * np.diff(x)))  # NumPy 1.x has no trapezoid


CLOSED = [
    ("Beta-Normal", D.Beta(t(1.5), t(2.5)), D.Normal(t(0.2), t(0.7)), (1e-9, 1 - 1e-9)),
    ("Beta-Gamma", D.Beta(t(2.0), t(3.0)), D.Gamma(t(2.0), t(1.5)), (1e-9, 1 - 1e-9)),
    ("Beta-Exponential", D.Beta(t(2.0), t(3.0)), D.Exponential(t(1.5)), (1e-9, 1 - 1e-9)),
    (
        "Beta-ContinuousBernoulli",
        D.Beta(t(2.0), t(3.0)),
        D.ContinuousBernoulli(t(0.3)),
        (1e-9, 1 - 1e-9),
    ),
    ("Beta-Uniform", D.Beta(t(2.0), t(3.0)), D.Uniform(t(-0.5), t(2.0)), (1e-9, 1 - 1e-9)),
    ("ContinuousBernoulli-Normal", D.ContinuousBernoulli(t(0.3)), D.Normal(t(1.0), t(2.0)), (0, 1)),
    ("Gamma-Normal", D.Gamma(t(3.0), t(2.0)), D.Normal(t(1.0), t(2.0)), (1e-9, 40)),
    ("Gamma-Gumbel", D.Gamma(t(3.0), t(2.0)), D.Gumbel(t(1.0), t(2.0)), (1e-9, 40)),
    ("Exponential-Gumbel", D.Exponential(t(1.5)), D.Gumbel(t(0.5), t(1.2)), (0, 60)),
    ("Normal-Gumbel", D.Normal(t(0.3), t(0.8)), D.Gumbel(t(0.5), t(1.2)), (-12, 12)),
    ("Gumbel-Normal", D.Gumbel(t(0.3), t(0.8)), D.Normal(t(0.5), t(1.2)), (-10, 40)),
    ("Uniform-Gumbel", D.Uniform(t(-1.0), t(2.0)), D.Gumbel(t(0.5), t(1.2)), (-1, 2 - 1e-9)),
    ("Uniform-Beta", D.Uniform(t(0.1), t(0.8)), D.Beta(t(1.5), t(0.7)), (0.1, 0.8 - 1e-9)),
    ("Uniform-Gamma", D.Uniform(t(0.1), t(0.8)), D.Gamma(t(2.0), t(1.5)), (0.1, 0.8 - 1e-9)),
    ("Uniform-Pareto", D.Uniform(t(0.1), t(0.8)), D.Pareto(t(0.05), t(2.0)), (0.1, 0.8 - 1e-9)),
    (
        "Uniform-ContinuousBernoulli",
        D.Uniform(t(0.1), t(0.8)),
        D.ContinuousBernoulli(t(0.7)),
        (0.1, 0.8 - 1e-9),
    ),
    ("Pareto-Normal", D.Pareto(t(1.0), t(4.0)), D.Normal(t(1.0), t(2.0)), (1, 2000)),
    ("Pareto-Gamma", D.Pareto(t(1.0), t(3.0)), D.Gamma(t(2.0), t(1.5)), (1, 2000)),
    ("Pareto-Exponential", D.Pareto(t(1.0), t(3.0)), D.Exponential(t(1.5)), (1, 2000)),
]


@pytest.mark.parametrize(("name", "p", "q", "grid"), CLOSED, ids=[c[0] for c in CLOSED])
def test_closed_forms_equal_quadrature(name, p, q, grid):
    kl = D.kl_divergence(p, q)
    assert kl.shape == (1,) and np.isfinite(kl.item())
    assert kl.item() == pytest.approx(_quadrature(p, q, *grid), rel=2e-4, abs=2e-5)


def test_bernoulli_poisson():
    p, q = D.Bernoulli(t(0.3)), D.Poisson(t(1.5))
    x = npgrad.tensor(np.array([0.0, 1.0]))
    want = sum(
        math.exp(p.log_prob(v).item()) * (p.log_prob(v).item() - q.log_prob(v).item()) for v in x
    )
    assert D.kl_divergence(p, q).item() == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize(
    ("p", "q"),
    [
        (D.Normal(t(0.0), t(1.0)), D.Gamma(t(1.0), t(1.0))),
        (D.Gumbel(t(0.0), t(1.0)), D.Exponential(t(1.0))),
        (D.Gamma(t(2.0), t(1.0)), D.Beta(t(1.0), t(1.0))),
        (D.Pareto(t(1.0), t(2.0)), D.Uniform(t(0.0), t(5.0))),
        (D.Poisson(t(2.0)), D.Bernoulli(t(0.5))),
        (D.Laplace(t(0.0), t(1.0)), D.ContinuousBernoulli(t(0.5))),
    ],
)
def test_mass_outside_the_support_of_q_is_infinite(p, q):
    assert D.kl_divergence(p, q).tolist() == [math.inf]


def test_support_rules_are_elementwise():
    u = D.Uniform(t(0.1, -0.1, 0.0), t(0.8, 0.5, 1.0))
    assert np.isinf(D.kl_divergence(u, D.Beta(t(2.0), t(2.0))).numpy()).tolist() == [
        False,
        True,
        False,
    ]
    assert np.isinf(D.kl_divergence(u, D.Gamma(t(2.0), t(2.0))).numpy()).tolist() == [
        False,
        True,
        False,
    ]
    pareto = D.Pareto(
        t(1.0, 1.0, 1.0), t(0.9, 1.5, 2.5)
    )  # mean infinite, variance infinite, both finite
    assert np.isinf(D.kl_divergence(pareto, D.Exponential(t(1.0))).numpy()).tolist() == [
        True,
        False,
        False,
    ]
    assert np.isinf(D.kl_divergence(pareto, D.Normal(t(0.0), t(1.0))).numpy()).tolist() == [
        True,
        True,
        False,
    ]
    # q = Uniform(0, 1) holds all of a continuous Bernoulli's mass: finite (PyTorch says inf)
    cb = D.ContinuousBernoulli(t(0.3))
    assert D.kl_divergence(cb, D.Uniform(t(0.0), t(1.0))).item() == pytest.approx(
        -cb.entropy().item()
    )


def test_cross_family_divergences_are_differentiable():
    assert gradcheck(
        lambda a, b, m, s: D.kl_divergence(D.Gamma(a, b), D.Gumbel(m, s)),
        (
            t(2.0).requires_grad_(),
            t(1.5).requires_grad_(),
            t(0.3).requires_grad_(),
            t(1.2).requires_grad_(),
        ),
    )
    assert gradcheck(
        lambda lo, hi, a, b: D.kl_divergence(D.Uniform(lo, hi), D.Beta(a, b)),
        (
            t(0.1).requires_grad_(),
            t(0.8).requires_grad_(),
            t(1.5).requires_grad_(),
            t(0.7).requires_grad_(),
        ),
    )


@pytest.mark.torch
@pytest.mark.parametrize(("name", "p", "q", "grid"), CLOSED, ids=[c[0] for c in CLOSED])
def test_closed_forms_match_pytorch(name, p, q, grid):
    torch = pytest.importorskip("torch")

    def theirs(d):
        cls = getattr(torch.distributions, type(d).__name__)
        params = {
            "Beta": ("concentration1", "concentration0"),
            "Normal": ("loc", "scale"),
            "Gumbel": ("loc", "scale"),
            "Gamma": ("concentration", "rate"),
            "Exponential": ("rate",),
            "ContinuousBernoulli": ("probs",),
            "Uniform": ("low", "high"),
            "Pareto": ("scale", "alpha"),
        }[type(d).__name__]
        return cls(*(torch.tensor(getattr(d, k).numpy()) for k in params))

    want = torch.distributions.kl_divergence(theirs(p), theirs(q)).numpy()
    np.testing.assert_allclose(D.kl_divergence(p, q).numpy(), want, rtol=1e-9)


@pytest.mark.torch
def test_every_pair_pytorch_registers_is_registered():
    torch = pytest.importorskip("torch")
    from npgrad.distributions.kl import _KL_REGISTRY

    ours = {(a.__name__, b.__name__) for a, b in _KL_REGISTRY}
    theirs = {(a.__name__, b.__name__) for a, b in torch.distributions.kl._KL_REGISTRY}
    assert theirs <= ours, sorted(theirs - ours)
