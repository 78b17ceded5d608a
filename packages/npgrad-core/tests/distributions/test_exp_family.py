"""``ExponentialFamily``: the generic entropy and the Bregman-divergence KL from each family's
natural parameters and log normalizer, checked against the closed forms and PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import distributions as D
from npgrad.distributions.exp_family import _kl_bregman


def t(*values: float) -> npgrad.Tensor:
    return npgrad.tensor(np.array(values, dtype=np.float64))


def _wishart(df: float, cov: list[list[float]]) -> D.Wishart:
    return D.Wishart(df=t(df), covariance_matrix=npgrad.tensor(np.array(cov)))


FAMILIES = {
    "Normal": lambda: D.Normal(t(0.3, -1.0), t(1.5, 0.4)),
    "Bernoulli": lambda: D.Bernoulli(logits=t(0.3, -2.0)),
    "Exponential": lambda: D.Exponential(t(0.5, 2.0)),
    "Gamma": lambda: D.Gamma(t(2.0, 0.7), t(1.5, 3.0)),
    "Chi2": lambda: D.Chi2(t(3.0, 5.0)),
    # logits near 0 take the series branch of the log normalizer (not beyond ~10: there the
    # closed form, computed from probs as in PyTorch, loses digits the generic form keeps)
    "ContinuousBernoulli": lambda: D.ContinuousBernoulli(logits=t(0.3, -2.0, 0.004, 0.0, 10.0)),
    "Wishart": lambda: _wishart(4.0, [[2.0, 0.3], [0.3, 1.0]]),
}
OTHER_FAMILIES = {  # exponential families whose carrier measure is not constant
    "Dirichlet": lambda: D.Dirichlet(t(1.5, 2.0, 0.7)),
    "Beta": lambda: D.Beta(t(1.5, 2.0), t(0.7, 3.0)),
    "Poisson": lambda: D.Poisson(t(1.5, 3.0)),
}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_generic_entropy_equals_the_closed_form(name):
    d = FAMILIES[name]()
    assert isinstance(d, D.ExponentialFamily)
    np.testing.assert_allclose(
        D.ExponentialFamily.entropy(d).numpy(), d.entropy().numpy(), rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize("name", sorted(OTHER_FAMILIES))
def test_generic_entropy_needs_a_constant_carrier_measure(name):
    d = OTHER_FAMILIES[name]()
    assert isinstance(d, D.ExponentialFamily)
    with pytest.raises(NotImplementedError, match=f"{name} does not define _mean_carrier_measure"):
        D.ExponentialFamily.entropy(d)


PAIRS = {
    "Normal": (D.Normal(t(0.3, -1.0), t(1.5, 0.4)), D.Normal(t(1.0, 0.0), t(0.5, 2.0))),
    "Bernoulli": (D.Bernoulli(logits=t(0.3, -2.0)), D.Bernoulli(logits=t(1.0, 0.5))),
    "Exponential": (D.Exponential(t(0.5, 2.0)), D.Exponential(t(1.5, 0.3))),
    "Gamma": (D.Gamma(t(2.0, 0.7), t(1.5, 3.0)), D.Gamma(t(1.0, 2.0), t(0.5, 1.0))),
    "Dirichlet": (D.Dirichlet(t(1.5, 2.0, 0.7)), D.Dirichlet(t(0.5, 1.0, 3.0))),
    "Beta": (D.Beta(t(1.5, 2.0), t(0.7, 3.0)), D.Beta(t(2.0, 1.0), t(1.0, 1.0))),
    "Poisson": (D.Poisson(t(1.5, 3.0)), D.Poisson(t(2.0, 0.5))),
    "ContinuousBernoulli": (
        D.ContinuousBernoulli(logits=t(0.3, -2.0)),
        D.ContinuousBernoulli(logits=t(1.0, 0.001)),
    ),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_bregman_kl_equals_the_closed_form(name):
    p, q = PAIRS[name]
    np.testing.assert_allclose(
        _kl_bregman(p, q).numpy(), D.kl_divergence(p, q).numpy(), rtol=1e-10, atol=1e-12
    )


def test_kl_divergence_falls_back_to_bregman_for_a_family_without_a_closed_form():
    p = _wishart(4.0, [[2.0, 0.3], [0.3, 1.0]])
    q = _wishart(5.0, [[1.0, -0.2], [-0.2, 3.0]])
    kl = D.kl_divergence(p, q)
    assert kl.shape == (1,) and kl.item() > 0
    assert D.kl_divergence(p, p).item() == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(NotImplementedError, match="No KL.*Normal and q of type Gamma"):
        _kl_bregman(D.Normal(0.0, 1.0), D.Gamma(1.0, 1.0))


def test_a_user_family_gets_entropy_and_kl():
    class Rayleigh2(D.ExponentialFamily):
        """x² ~ Exponential(rate): t(x) = x², θ = -rate, F(θ) = -log(-θ) - log 2,
        k(x) = log x, so E[k] = (log(1/rate) - γ) / 2."""

        arg_constraints = {}

        def __init__(self, rate):
            self.rate = rate
            super().__init__(rate.shape)

        @property
        def _natural_params(self):
            return (-self.rate,)

        def _log_normalizer(self, x):
            return -(-x).log() - np.log(2.0)

        @property
        def _mean_carrier_measure(self):
            return 0.5 * (-self.rate.log() - np.euler_gamma)

    r = t(0.5, 2.0)
    # the Rayleigh distribution of scale s = 1 / sqrt(2 rate): entropy 1 + log(s / sqrt 2) + γ/2
    s = 1 / np.sqrt(2 * r.numpy())
    want = 1 + np.log(s / np.sqrt(2)) + np.euler_gamma / 2
    np.testing.assert_allclose(Rayleigh2(r).entropy().numpy(), want, rtol=1e-12)
    # KL(rate a || rate b) is that of the exponentials of x²
    kl = D.kl_divergence(Rayleigh2(t(0.5)), Rayleigh2(t(2.0)))
    ref = D.kl_divergence(D.Exponential(t(0.5)), D.Exponential(t(2.0)))
    np.testing.assert_allclose(kl.numpy(), ref.numpy(), rtol=1e-12)


def test_generic_entropy_and_kl_are_differentiable():
    scale = t(1.5, 0.4).requires_grad_()
    D.ExponentialFamily.entropy(D.Normal(t(0.0, 1.0), scale)).sum().backward()
    np.testing.assert_allclose(scale.grad.numpy(), 1 / scale.detach().numpy())
    df = t(4.0).requires_grad_()
    q = _wishart(5.0, [[1.0, -0.2], [-0.2, 3.0]])
    p = D.Wishart(df=df, covariance_matrix=npgrad.tensor(np.array([[2.0, 0.3], [0.3, 1.0]])))
    D.kl_divergence(p, q).sum().backward()
    assert df.grad is not None and np.isfinite(df.grad.numpy()).all()


@pytest.mark.torch
def test_the_same_distributions_are_exponential_families_as_in_pytorch():
    torch = pytest.importorskip("torch")
    for name in D.__all__:
        cls = getattr(D, name)
        theirs = getattr(torch.distributions, name, None)
        if isinstance(cls, type) and issubclass(cls, D.Distribution) and theirs is not None:
            assert issubclass(cls, D.ExponentialFamily) == issubclass(
                theirs, torch.distributions.ExponentialFamily
            ), name


@pytest.mark.torch
def test_wishart_kl_matches_pytorch():
    torch = pytest.importorskip("torch")
    cov_p, cov_q = [[2.0, 0.3], [0.3, 1.0]], [[1.0, -0.2], [-0.2, 3.0]]
    ours = D.kl_divergence(_wishart(4.0, cov_p), _wishart(5.0, cov_q))

    def tw(df, cov):
        return torch.distributions.Wishart(
            df=torch.tensor([df], dtype=torch.float64),
            covariance_matrix=torch.tensor(cov, dtype=torch.float64),
        )

    theirs = torch.distributions.kl_divergence(tw(4.0, cov_p), tw(5.0, cov_q))
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10)
