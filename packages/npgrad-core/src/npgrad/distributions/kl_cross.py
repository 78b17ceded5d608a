"""KL divergences between distributions of different families, registered with
:func:`npgrad.distributions.register_kl` (imported by :mod:`.kl`).

Each is ``KL(p || q) = -H(p) - E_p[log q(x)]``, with ``E_p[log q]`` written from ``p``'s moments
and the form of ``q``'s density:

* normal ``q``: ``-log σ - log(2π)/2 - (Var_p + (E_p[x] - μ)²) / (2σ²)``;
* Gumbel ``q`` (loc ``μ``, scale ``β``, ``z = (x - μ)/β``): ``-log β - E_p[z] - E_p[e^-z]``, with
  ``E_p[e^-z] = e^(μ/β) M_p(-1/β)`` from ``p``'s moment generating function;
* exponential, gamma, beta, Pareto, continuous-Bernoulli and uniform ``q``: their log
  densities are linear in ``x``, ``log x`` and ``log(1 - x)``, so ``E_p[x]``, ``E_p[log x]``
  and ``E_p[log(1 - x)]`` give them.

Where ``p`` puts mass outside ``q``'s support (a normal ``p`` against a gamma ``q``, a Pareto
``p`` against a beta ``q``...) the divergence is infinite, elementwise where the supports
depend on the parameters (uniform and Pareto distributions), and so it is where ``p``'s moment
that the formula needs is infinite (a Pareto ``p`` of ``alpha <= 2`` against a normal ``q``).
"""

from __future__ import annotations

import math
from typing import Any

import npgrad
from npgrad.distributions.bernoulli import Bernoulli
from npgrad.distributions.cauchy import Gumbel
from npgrad.distributions.continuous_bernoulli import ContinuousBernoulli
from npgrad.distributions.dirichlet import Beta
from npgrad.distributions.discrete import Binomial, Poisson
from npgrad.distributions.exponential import Exponential, Laplace
from npgrad.distributions.gamma import Gamma
from npgrad.distributions.kl import _inf_like, register_kl
from npgrad.distributions.normal import Normal
from npgrad.distributions.pareto import Pareto
from npgrad.distributions.uniform import Uniform
from npgrad.distributions.utils import _softplus
from npgrad.tensor import Tensor

__all__: list[str] = []

_INF = float("inf")
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


# ---- E_p[log q] for each form of q ---------------------------------------------------------
def _log_normal_q(mean: Tensor, var: Tensor, q: Normal) -> Tensor:
    return -q.scale.log() - _HALF_LOG_2PI - (var + (mean - q.loc).pow(2)) / (2 * q.scale.pow(2))


def _log_gumbel_q(mean: Tensor, mgf: Tensor, q: Gumbel) -> Tensor:
    """``mgf``: ``M_p(-1/β) = E_p[e^(-x/β)]``."""
    return -q.scale.log() - (mean - q.loc) / q.scale - (q.loc / q.scale).exp() * mgf


def _log_exponential_q(mean: Tensor, q: Exponential) -> Tensor:
    return q.rate.log() - q.rate * mean


def _log_gamma_q(mean: Tensor, mean_log: Tensor, q: Gamma) -> Tensor:
    a, r = q.concentration, q.rate
    return npgrad.xlogy(a, r) - npgrad.lgamma(a) + (a - 1) * mean_log - r * mean


def _log_cb_q(mean: Tensor, q: ContinuousBernoulli) -> Tensor:
    return mean * q.logits - _softplus(q.logits) + q._cont_bern_log_norm()


def _log_pareto_q(mean_log: Tensor, q: Pareto) -> Tensor:
    return q.alpha.log() + q.alpha * q.scale.log() - (q.alpha + 1) * mean_log


def _log_beta_q(mean_log: Tensor, mean_log1m: Tensor, q: Beta) -> Tensor:
    a, b = q.concentration1, q.concentration0
    log_beta_fn = npgrad.lgamma(a) + npgrad.lgamma(b) - npgrad.lgamma(a + b)
    return (a - 1) * mean_log + (b - 1) * mean_log1m - log_beta_fn


# ---- moments of p --------------------------------------------------------------------------
def _beta_mean_logs(p: Beta) -> tuple[Tensor, Tensor]:
    """``E[log x]`` and ``E[log(1 - x)]`` of a beta distribution."""
    a, b = p.concentration1, p.concentration0
    total = npgrad.digamma(a + b)
    return npgrad.digamma(a) - total, npgrad.digamma(b) - total


def _uniform_mean_log(lo: Tensor, hi: Tensor) -> Tensor:
    """``E[log x]`` for ``x`` uniform on ``[lo, hi]``, ``0 <= lo`` (``0 log 0 = 0``)."""
    return (npgrad.xlogy(hi, hi) - npgrad.xlogy(lo, lo)) / (hi - lo) - 1


def _pareto_moments(p: Pareto) -> tuple[Tensor, Tensor, Tensor]:
    """``E[log x]``, ``E[x]`` and ``Var x`` (infinite for ``alpha <= 1`` and ``<= 2``)."""
    s, a = p.scale, p.alpha
    mean = npgrad.where(a > 1, a * s / (a - 1).clamp(min=1e-30), _INF)
    var = npgrad.where(a > 2, s.pow(2) * a / ((a - 1).pow(2) * (a - 2)).clamp(min=1e-30), _INF)
    return s.log() + a.reciprocal(), mean, var


# ---- finite divergences ----------------------------------------------------------------------
@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p: Bernoulli, q: Poisson) -> Tensor:
    # x in {0, 1}: log q(x) = x log(rate) - rate
    return -p.entropy() - (p.probs * q.rate.log() - q.rate)


@register_kl(Beta, ContinuousBernoulli)
def _kl_beta_continuous_bernoulli(p: Beta, q: ContinuousBernoulli) -> Tensor:
    return -p.entropy() - _log_cb_q(p.mean, q)


@register_kl(ContinuousBernoulli, Exponential)
@register_kl(Beta, Exponential)
def _kl_unit_interval_exponential(p: Any, q: Exponential) -> Tensor:
    return -p.entropy() - _log_exponential_q(p.mean, q)


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p: Beta, q: Gamma) -> Tensor:
    return -p.entropy() - _log_gamma_q(p.mean, _beta_mean_logs(p)[0], q)


@register_kl(ContinuousBernoulli, Normal)
@register_kl(Beta, Normal)
@register_kl(Gamma, Normal)
@register_kl(Gumbel, Normal)
def _kl_moments_normal(p: Any, q: Normal) -> Tensor:
    return -p.entropy() - _log_normal_q(p.mean, p.variance, q)


@register_kl(Pareto, Normal)
def _kl_pareto_normal(p: Pareto, q: Normal) -> Tensor:
    _, mean, var = _pareto_moments(p)
    finite = p.alpha > 2
    result = -p.entropy() - _log_normal_q(
        npgrad.where(finite, mean, 0.0), npgrad.where(finite, var, 0.0), q
    )
    return npgrad.where(finite, result, _INF)


@register_kl(ContinuousBernoulli, Uniform)
@register_kl(Beta, Uniform)
def _kl_unit_interval_uniform(p: Any, q: Uniform) -> Tensor:
    result = -p.entropy() + (q.high - q.low).log()
    return npgrad.where((q.low > 0) | (q.high < 1), _INF, result)


@register_kl(Exponential, Gumbel)
def _kl_exponential_gumbel(p: Exponential, q: Gumbel) -> Tensor:
    ratio = p.rate * q.scale  # M_p(-1/β) = rate / (rate + 1/β)
    return -p.entropy() - _log_gumbel_q(p.mean, ratio / (ratio + 1), q)


@register_kl(Gamma, Gumbel)
def _kl_gamma_gumbel(p: Gamma, q: Gumbel) -> Tensor:
    mgf = (1 + (p.rate * q.scale).reciprocal()).pow(-p.concentration)
    return -p.entropy() - _log_gumbel_q(p.mean, mgf, q)


@register_kl(Normal, Gumbel)
def _kl_normal_gumbel(p: Normal, q: Gumbel) -> Tensor:
    mgf = (-p.loc / q.scale + 0.5 * (p.scale / q.scale).pow(2)).exp()
    return -p.entropy() - _log_gumbel_q(p.loc, mgf, q)


@register_kl(Uniform, Gumbel)
def _kl_uniform_gumbel(p: Uniform, q: Gumbel) -> Tensor:
    lo, hi, b = p.low, p.high, q.scale
    mgf = b * ((-lo / b).exp() - (-hi / b).exp()) / (hi - lo)
    return -p.entropy() - _log_gumbel_q(p.mean, mgf, q)


@register_kl(Pareto, Exponential)
def _kl_pareto_exponential(p: Pareto, q: Exponential) -> Tensor:
    _, mean, _ = _pareto_moments(p)
    finite = p.alpha > 1
    result = -p.entropy() - _log_exponential_q(npgrad.where(finite, mean, 0.0), q)
    return npgrad.where(finite, result, _INF)


@register_kl(Pareto, Gamma)
def _kl_pareto_gamma(p: Pareto, q: Gamma) -> Tensor:
    mean_log, mean, _ = _pareto_moments(p)
    finite = p.alpha > 1
    result = -p.entropy() - _log_gamma_q(npgrad.where(finite, mean, 0.0), mean_log, q)
    return npgrad.where(finite, result, _INF)


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p: Uniform, q: Beta) -> Tensor:
    inside = (p.low >= 0) & (p.high <= 1)
    lo = npgrad.where(inside, p.low, 0.25)  # any interior interval: no log of a negative
    hi = npgrad.where(inside, p.high, 0.75)
    mean_log = _uniform_mean_log(lo, hi)
    mean_log1m = _uniform_mean_log(1 - hi, 1 - lo)
    result = -(hi - lo).log() - _log_beta_q(mean_log, mean_log1m, q)
    return npgrad.where(inside, result, _INF)


@register_kl(Uniform, ContinuousBernoulli)
def _kl_uniform_continuous_bernoulli(p: Uniform, q: ContinuousBernoulli) -> Tensor:
    result = -p.entropy() - _log_cb_q(p.mean, q)
    return npgrad.where((p.low < 0) | (p.high > 1), _INF, result)


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p: Uniform, q: Gamma) -> Tensor:
    inside = p.low >= 0
    lo = npgrad.where(inside, p.low, 0.0)
    hi = npgrad.where(inside, p.high, 1.0)
    result = -(hi - lo).log() - _log_gamma_q((lo + hi) / 2, _uniform_mean_log(lo, hi), q)
    return npgrad.where(inside, result, _INF)


@register_kl(Uniform, Pareto)
def _kl_uniform_pareto(p: Uniform, q: Pareto) -> Tensor:
    inside = p.low >= q.scale
    lo = npgrad.where(inside, p.low, q.scale)
    hi = npgrad.where(inside, p.high, q.scale + 1)
    result = -(hi - lo).log() - _log_pareto_q(_uniform_mean_log(lo, hi), q)
    return npgrad.where(inside, result, _INF)


# ---- p has mass where q has none: infinite ---------------------------------------------------
@register_kl(Beta, Pareto)
@register_kl(ContinuousBernoulli, Pareto)
@register_kl(Exponential, Beta)
@register_kl(Exponential, ContinuousBernoulli)
@register_kl(Exponential, Pareto)
@register_kl(Gamma, Beta)
@register_kl(Gamma, ContinuousBernoulli)
@register_kl(Gamma, Pareto)
@register_kl(Gamma, Uniform)
@register_kl(Gumbel, Beta)
@register_kl(Gumbel, ContinuousBernoulli)
@register_kl(Gumbel, Exponential)
@register_kl(Gumbel, Gamma)
@register_kl(Gumbel, Pareto)
@register_kl(Gumbel, Uniform)
@register_kl(Laplace, Beta)
@register_kl(Laplace, ContinuousBernoulli)
@register_kl(Laplace, Gamma)
@register_kl(Laplace, Pareto)
@register_kl(Normal, Beta)
@register_kl(Normal, ContinuousBernoulli)
@register_kl(Normal, Gamma)
@register_kl(Normal, Pareto)
@register_kl(Pareto, Beta)
@register_kl(Pareto, ContinuousBernoulli)
@register_kl(Pareto, Uniform)
@register_kl(Poisson, Bernoulli)
@register_kl(Poisson, Binomial)
def _kl_outside_support(p: Any, q: Any) -> Tensor:
    return _inf_like(p.mean)
