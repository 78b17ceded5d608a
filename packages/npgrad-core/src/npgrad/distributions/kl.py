"""``kl_divergence(p, q)``: closed-form Kullback-Leibler divergences, dispatched on the
pair of distribution types, and ``register_kl`` to add more.

Examples
--------
>>> from npgrad.distributions import Normal, kl_divergence
>>> kl_divergence(Normal(0.0, 1.0), Normal(1.0, 1.0))
tensor(0.5000)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import npgrad
from npgrad.distributions.bernoulli import Bernoulli
from npgrad.distributions.categorical import Categorical, OneHotCategorical
from npgrad.distributions.cauchy import EULER_GAMMA, Cauchy, Gumbel
from npgrad.distributions.continuous_bernoulli import ContinuousBernoulli
from npgrad.distributions.dirichlet import Beta, Dirichlet
from npgrad.distributions.discrete import Binomial, Geometric, Poisson
from npgrad.distributions.distribution import Distribution
from npgrad.distributions.exp_family import ExponentialFamily, _kl_bregman
from npgrad.distributions.exponential import Exponential, Laplace
from npgrad.distributions.gamma import Gamma
from npgrad.distributions.log_normal import HalfNormal
from npgrad.distributions.lowrank_multivariate_normal import LowRankMultivariateNormal
from npgrad.distributions.multivariate_normal import (
    MultivariateNormal,
    _batch_mahalanobis,
    _half_log_det,
)
from npgrad.distributions.normal import Normal
from npgrad.distributions.pareto import Pareto
from npgrad.distributions.transformed_distribution import Independent, TransformedDistribution
from npgrad.distributions.uniform import Uniform
from npgrad.distributions.utils import _softplus, _sum_rightmost
from npgrad.tensor import Tensor

__all__ = ["kl_divergence", "register_kl"]

_KL_REGISTRY: dict[tuple[type, type], Callable[..., Tensor]] = {}
_KL_MEMOIZE: dict[tuple[type, type], Callable[..., Tensor]] = {}


def register_kl(
    type_p: type, type_q: type
) -> Callable[[Callable[..., Tensor]], Callable[..., Tensor]]:
    """Decorator registering a pairwise KL function for ``kl_divergence``.

    The most specific registered pair (by the classes' method resolution order) is used;
    when two pairs are equally specific in different ways a warning asks for a tie-breaking
    registration.

    Examples
    --------
    >>> from npgrad.distributions import Normal, kl_divergence, register_kl
    >>> class MyNormal(Normal):
    ...     pass
    >>> @register_kl(MyNormal, MyNormal)
    ... def _kl_mine(p, q):
    ...     return (p.loc - q.loc).abs()
    >>> kl_divergence(MyNormal(0.0, 1.0), MyNormal(2.0, 1.0))
    tensor(2.)
    """
    if not isinstance(type_p, type) or not issubclass(type_p, Distribution):
        raise TypeError(f"Expected type_p to be a Distribution subclass but got {type_p}")
    if not isinstance(type_q, type) or not issubclass(type_q, Distribution):
        raise TypeError(f"Expected type_q to be a Distribution subclass but got {type_q}")

    def decorator(fun: Callable[..., Tensor]) -> Callable[..., Tensor]:
        _KL_REGISTRY[type_p, type_q] = fun
        _KL_MEMOIZE.clear()  # a new registration may be more specific than a cached lookup
        return fun

    return decorator


def _dispatch_kl(type_p: type, type_q: type) -> Callable[..., Tensor] | None:
    matches = [
        (sp, sq) for sp, sq in _KL_REGISTRY if issubclass(type_p, sp) and issubclass(type_q, sq)
    ]
    if not matches:
        return None
    mro_p, mro_q = type_p.__mro__, type_q.__mro__

    def rank(m: tuple[type, type]) -> tuple[int, int]:
        return mro_p.index(m[0]), mro_q.index(m[1])

    left = min(matches, key=rank)
    right = min(matches, key=lambda m: rank(m)[::-1])
    left_fun, right_fun = _KL_REGISTRY[left], _KL_REGISTRY[right]
    if left_fun is not right_fun:
        warnings.warn(
            f"Ambiguous kl_divergence({type_p.__name__}, {type_q.__name__}). Please register_kl"
            f"({left[0].__name__}, {right[1].__name__})",
            RuntimeWarning,
            stacklevel=3,
        )
    return left_fun


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """``KL(p || q) = E_p[log p(x) - log q(x)]``, batched over the batch shape.

    Raises NotImplementedError for a pair of types with no registered closed form.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Bernoulli, kl_divergence
    >>> kl_divergence(Bernoulli(0.5), Bernoulli(npgrad.tensor([0.5, 0.25])))
    tensor([0.0000, 0.1438])
    """
    key = (type(p), type(q))
    try:
        fun = _KL_MEMOIZE[key]
    except KeyError:
        found = _dispatch_kl(type(p), type(q))
        if found is None:
            raise NotImplementedError(
                f"No KL(p || q) is implemented for p of type {type(p).__name__} and q of type "
                f"{type(q).__name__}"
            ) from None
        fun = _KL_MEMOIZE[key] = found
    return fun(p, q)


def _inf_like(t: Tensor) -> Tensor:
    return npgrad.full(t.shape, float("inf"), dtype=t.dtype)


# ---- same family ------------------------------------------------------------------------
@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    t1 = p.probs * (_softplus(-q.logits) - _softplus(-p.logits))
    t1 = npgrad.where(q.probs == 0, float("inf"), t1)
    t1 = npgrad.where(p.probs == 0, 0.0, t1)
    t2 = (1 - p.probs) * (_softplus(q.logits) - _softplus(p.logits))
    t2 = npgrad.where(q.probs == 1, float("inf"), t2)
    t2 = npgrad.where(p.probs == 1, 0.0, t2)
    return t1 + t2


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    t = p.probs * (p.logits - q.logits)
    q0, p0 = npgrad.broadcast_tensors(q.probs == 0, p.probs == 0)
    t = npgrad.where(q0, float("inf"), t)
    t = npgrad.where(p0, 0.0, t)  # 0 * log(0 / q) is 0, even where q is 0
    return t.sum(-1)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehot_onehot(p: OneHotCategorical, q: OneHotCategorical) -> Tensor:
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Normal, Normal)
def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(HalfNormal, HalfNormal)
def _kl_halfnormal_halfnormal(p: HalfNormal, q: HalfNormal) -> Tensor:
    return _kl_normal_normal(p.base_dist, q.base_dist)


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p: Uniform, q: Uniform) -> Tensor:
    result = ((q.high - q.low) / (p.high - p.low)).log()
    outside = (q.low > p.low) | (q.high < p.high)
    return npgrad.where(outside, float("inf"), result)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p: Exponential, q: Exponential) -> Tensor:
    rate_ratio = q.rate / p.rate
    return -rate_ratio.log() + rate_ratio - 1


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p: Laplace, q: Laplace) -> Tensor:
    scale_ratio = p.scale / q.scale
    loc_abs_diff = (p.loc - q.loc).abs()
    t1 = -scale_ratio.log()
    t2 = loc_abs_diff / q.scale
    t3 = scale_ratio * (-loc_abs_diff / p.scale).exp()
    return t1 + t2 + t3 - 1


@register_kl(Independent, Independent)
def _kl_independent_independent(p: Independent, q: Independent) -> Tensor:
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError(
            "kl_divergence: Independent distributions with different "
            f"reinterpreted_batch_ndims ({p.reinterpreted_batch_ndims} vs "
            f"{q.reinterpreted_batch_ndims}) are not supported"
        )
    result = kl_divergence(p.base_dist, q.base_dist)
    return _sum_rightmost(result, p.reinterpreted_batch_ndims)


@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed_transformed(p: TransformedDistribution, q: TransformedDistribution) -> Tensor:
    if p.transforms != q.transforms:
        raise NotImplementedError(
            "kl_divergence: TransformedDistributions with different transforms are not supported"
        )
    if p.event_shape != q.event_shape:
        raise NotImplementedError(
            "kl_divergence: TransformedDistributions with different event shapes "
            f"({p.event_shape} vs {q.event_shape}) are not supported"
        )
    # an injective map preserves KL: it is the base distributions' KL
    extra_event_dim = len(p.event_shape) - len(p.base_dist.event_shape)
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist), extra_event_dim)


# ---- across families (closed forms of E_p[log p - log q]) ---------------------------------
@register_kl(Uniform, Normal)
def _kl_uniform_normal(p: Uniform, q: Normal) -> Tensor:
    width = p.high - p.low
    t1 = (math.sqrt(2 * math.pi) * q.scale / width).log()
    t2 = width.pow(2) / 12
    t3 = ((p.high + p.low - 2 * q.loc) / 2).pow(2)
    return t1 + 0.5 * (t2 + t3) / q.scale.pow(2)


@register_kl(Uniform, Exponential)
def _kl_uniform_exponential(p: Uniform, q: Exponential) -> Tensor:
    result = q.rate * (p.high + p.low) / 2 - ((p.high - p.low) * q.rate).log()
    return npgrad.where(p.low < 0, float("inf"), result)  # p has mass where q has none


@register_kl(Exponential, Normal)
def _kl_exponential_normal(p: Exponential, q: Normal) -> Tensor:
    var_normal = q.scale.pow(2)
    rate_sqr = p.rate.pow(2)
    t1 = 0.5 * (rate_sqr * var_normal * 2 * math.pi).log()
    t2 = rate_sqr.reciprocal()
    t3 = q.loc / p.rate
    t4 = q.loc.pow(2) * 0.5
    return t1 - 1 + (t2 - t3 + t4) / var_normal


@register_kl(Laplace, Normal)
def _kl_laplace_normal(p: Laplace, q: Normal) -> Tensor:
    # -H(p) - E_p[log q] with E_p[(x - mu_q)^2] = 2 b^2 + (mu_p - mu_q)^2
    loc_diff = p.loc - q.loc
    t1 = -1 - (2 * p.scale).log() + q.scale.log() + 0.5 * math.log(2 * math.pi)
    return t1 + (2 * p.scale.pow(2) + loc_diff.pow(2)) / (2 * q.scale.pow(2))


@register_kl(Normal, Laplace)
def _kl_normal_laplace(p: Normal, q: Laplace) -> Tensor:
    # E_p|x - mu_q| of a normal is the mean of a folded normal
    loc_diff = p.loc - q.loc
    ratio = loc_diff / p.scale
    t1 = (p.scale / q.scale).log()
    t2 = math.sqrt(2 / math.pi) * p.scale * (-0.5 * ratio.pow(2)).exp()
    t3 = loc_diff * npgrad.erf(math.sqrt(0.5) * ratio)
    return -t1 + (t2 + t3) / q.scale - 0.5 * (1 + math.log(0.5 * math.pi))


@register_kl(Normal, Exponential)
@register_kl(Normal, Uniform)
def _kl_normal_infinity(p: Normal, q: Any) -> Tensor:
    return _inf_like(p.loc)  # p has mass outside q's support


@register_kl(Laplace, Exponential)
@register_kl(Laplace, Uniform)
def _kl_laplace_infinity(p: Laplace, q: Any) -> Tensor:
    return _inf_like(p.loc)


@register_kl(Exponential, Uniform)
def _kl_exponential_infinity(p: Exponential, q: Any) -> Tensor:
    return _inf_like(p.rate)


def _scale_tril(d: Any) -> Tensor:
    if isinstance(d, MultivariateNormal):
        return d._unbroadcasted_scale_tril
    return d.scale_tril  # type: ignore[no-any-return]


@register_kl(MultivariateNormal, MultivariateNormal)
@register_kl(MultivariateNormal, LowRankMultivariateNormal)
@register_kl(LowRankMultivariateNormal, MultivariateNormal)
@register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)
def _kl_mvn_mvn(p: Any, q: Any) -> Tensor:
    if p.event_shape != q.event_shape:
        raise ValueError(
            "KL-divergence between two Multivariate Normals with different event shapes "
            "cannot be computed"
        )
    lp, lq = _scale_tril(p), _scale_tril(q)
    n = p.event_shape[0]
    half_term1 = _half_log_det(lq) - _half_log_det(lp)
    batch = tuple(np.broadcast_shapes(lp.shape[:-2], lq.shape[:-2]))
    # tr(Sigma_q^-1 Sigma_p) = ||Lq^-1 Lp||_F^2
    m = npgrad.linalg.solve_triangular(
        lq.expand(batch + (n, n)), lp.expand(batch + (n, n)), upper=False
    )
    term2 = m.pow(2).sum((-2, -1))
    term3 = _batch_mahalanobis(lq, q.loc - p.loc)
    out = half_term1 + 0.5 * (term2 + term3 - n)
    shape = tuple(np.broadcast_shapes(p.batch_shape, q.batch_shape))
    return out.expand(shape) if out.shape != shape else out


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p: Gamma, q: Gamma) -> Tensor:
    t1 = q.concentration * (p.rate / q.rate).log()
    t2 = npgrad.lgamma(q.concentration) - npgrad.lgamma(p.concentration)
    t3 = (p.concentration - q.concentration) * npgrad.digamma(p.concentration)
    t4 = (q.rate - p.rate) * (p.concentration / p.rate)
    return t1 + t2 + t3 + t4


@register_kl(Exponential, Gamma)
def _kl_exponential_gamma(p: Exponential, q: Gamma) -> Tensor:
    ratio = q.rate / p.rate
    t1 = -q.concentration * ratio.log()
    return (
        t1
        + ratio
        + npgrad.lgamma(q.concentration)
        + q.concentration * EULER_GAMMA
        - (1 + EULER_GAMMA)
    )


@register_kl(Gamma, Exponential)
def _kl_gamma_exponential(p: Gamma, q: Exponential) -> Tensor:
    return -p.entropy() - q.rate.log() + q.rate * (p.concentration / p.rate)


@register_kl(Beta, Beta)
def _kl_beta_beta(p: Beta, q: Beta) -> Tensor:
    sum_p = p.concentration1 + p.concentration0
    sum_q = q.concentration1 + q.concentration0
    lg, dg = npgrad.lgamma, npgrad.digamma
    t1 = lg(q.concentration1) + lg(q.concentration0) + lg(sum_p)
    t2 = lg(p.concentration1) + lg(p.concentration0) + lg(sum_q)
    t3 = (p.concentration1 - q.concentration1) * dg(p.concentration1)
    t4 = (p.concentration0 - q.concentration0) * dg(p.concentration0)
    t5 = (sum_q - sum_p) * dg(sum_p)
    return t1 - t2 + t3 + t4 + t5


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p: Dirichlet, q: Dirichlet) -> Tensor:
    sum_p = p.concentration.sum(-1)
    sum_q = q.concentration.sum(-1)
    t1 = npgrad.lgamma(sum_p) - npgrad.lgamma(sum_q)
    t2 = (npgrad.lgamma(p.concentration) - npgrad.lgamma(q.concentration)).sum(-1)
    t3 = p.concentration - q.concentration
    t4 = npgrad.digamma(p.concentration) - npgrad.digamma(sum_p).unsqueeze(-1)
    return t1 - t2 + (t3 * t4).sum(-1)


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p: Poisson, q: Poisson) -> Tensor:
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p: Binomial, q: Binomial) -> Tensor:
    if bool((p.total_count < q.total_count).any()):
        raise NotImplementedError(
            "KL between Binomials where q.total_count > p.total_count is not implemented"
        )
    kl = p.total_count * (p.probs * (p.logits - q.logits) + (-p.probs).log1p() - (-q.probs).log1p())
    return npgrad.where(p.total_count > q.total_count, float("inf"), kl)


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(p: Geometric, q: Geometric) -> Tensor:
    return -p.entropy() - (-q.probs).log1p() / p.probs - q.logits


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p: Cauchy, q: Cauchy) -> Tensor:
    # Chyzak and Nielsen (2019), closed form of the Cauchy KL
    num = (p.scale + q.scale).pow(2) + (p.loc - q.loc).pow(2)
    return (num / (4 * p.scale * q.scale)).log()


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(p: Gumbel, q: Gumbel) -> Tensor:
    ct1 = p.scale / q.scale
    ct2 = q.loc / q.scale
    ct3 = p.loc / q.scale
    t1 = -ct1.log() - ct2 + ct3
    t2 = ct1 * EULER_GAMMA
    t3 = (ct2 + npgrad.lgamma(1 + ct1) - ct3).exp()
    return t1 + t2 + t3 - (1 + EULER_GAMMA)


@register_kl(Pareto, Pareto)
def _kl_pareto_pareto(p: Pareto, q: Pareto) -> Tensor:
    scale_ratio = p.scale / q.scale
    alpha_ratio = q.alpha / p.alpha
    t1 = q.alpha * scale_ratio.log()
    t2 = -alpha_ratio.log()
    result = t1 + t2 + alpha_ratio - 1
    return npgrad.where(p.scale < q.scale, float("inf"), result)  # p below q's support


@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_continuous_bernoulli(p: ContinuousBernoulli, q: ContinuousBernoulli) -> Tensor:
    t1 = p.mean * (p.logits - q.logits)
    t2 = p._cont_bern_log_norm() + (-p.probs).log1p()
    t3 = -q._cont_bern_log_norm() - (-q.probs).log1p()
    return t1 + t2 + t3


# two distributions of one exponential family with no closed form above (Wishart, or a
# user's subclass): the Bregman divergence of the log normalizer
register_kl(ExponentialFamily, ExponentialFamily)(_kl_bregman)

# the pairs of different families (they register themselves; they need register_kl above)
from npgrad.distributions import kl_cross  # noqa: E402, F401
