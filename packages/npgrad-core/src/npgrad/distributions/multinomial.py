"""``Multinomial`` (counts over categories), ``NegativeBinomial`` and
``MixtureSameFamily`` (a categorical mixture of a batch of components)."""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

import npgrad
from npgrad.distributions import constraints
from npgrad.distributions.categorical import Categorical
from npgrad.distributions.discrete import Binomial, _expand_count_params, _init_count_params
from npgrad.distributions.distribution import Distribution
from npgrad.distributions.utils import (
    _BinaryParams,
    _CategoricalParams,
    _generator,
    _softplus,
)
from npgrad.tensor import Tensor

__all__ = ["MixtureSameFamily", "Multinomial", "NegativeBinomial"]


class Multinomial(_CategoricalParams, Distribution):
    """Counts of each category in ``total_count`` independent categorical draws.

    Parameters
    ----------
    total_count : int
        Number of draws (needed for ``sample`` and ``entropy``; ``log_prob`` reads the
        total from the value).
    probs, logits : Tensor, optional
        As for :class:`Categorical` (exactly one of them).
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Multinomial
    >>> d = Multinomial(4, probs=npgrad.tensor([0.25, 0.25, 0.5]))
    >>> d.mean, d.log_prob(npgrad.tensor([1.0, 1.0, 2.0]))
    (tensor([1., 1., 2.]), tensor(-1.6740))
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(
        self,
        total_count: int = 1,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        try:
            total_count = operator.index(total_count)
        except TypeError:
            raise NotImplementedError("inhomogeneous total_count is not supported") from None
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits)
        self._binomial = Binomial(total_count=total_count, probs=self.probs)
        batch_shape = self._categorical.batch_shape
        event_shape = self._categorical.param_shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Multinomial:
        new = self._get_checked_instance(Multinomial, _instance)
        batch_shape = tuple(batch_shape)
        new.total_count = self.total_count
        new._categorical = self._categorical.expand(batch_shape)
        new._binomial = Binomial(total_count=self.total_count, probs=new._categorical.probs)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new  # type: ignore[no-any-return]

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self) -> constraints.Constraint:
        return constraints.multinomial(self.total_count)

    @property
    def mean(self) -> Tensor:
        return self.probs * self.total_count

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        p = self.probs.detach().numpy().astype(np.float64)
        p = p / p.sum(-1, keepdims=True)  # NumPy insists on an exact simplex
        pv = np.broadcast_to(p, shape).reshape(-1, shape[-1])
        counts = _generator().multinomial(self.total_count, pv)
        return npgrad.as_tensor(counts.reshape(shape).astype(self.probs.dtype))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        logits, value = npgrad.broadcast_tensors(self.logits, value)
        # a category of probability 0 drawn 0 times contributes 0, not 0 * -inf
        logits = npgrad.where((value == 0) & (logits == float("-inf")), 0.0, logits)
        log_factorial_n = npgrad.lgamma(value.sum(-1) + 1)
        log_factorial_xs = npgrad.lgamma(value + 1).sum(-1)
        log_powers = (logits * value).sum(-1)
        return log_factorial_n - log_factorial_xs + log_powers

    def entropy(self) -> Tensor:
        n = float(self.total_count)
        term1 = n * self._categorical.entropy() - math.lgamma(n + 1)
        support = self._binomial.enumerate_support(expand=False)[1:]
        binomial_probs = self._binomial.log_prob(support).exp()
        weights = npgrad.lgamma(support + 1)
        term2 = (binomial_probs * weights).sum((0, -1))
        return term1 + term2


class NegativeBinomial(_BinaryParams, Distribution):
    """The number of successes (each of probability ``probs``) before ``total_count``
    failures. ``total_count`` may be any positive real (a gamma-Poisson mixture).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import NegativeBinomial
    >>> d = NegativeBinomial(3.0, probs=npgrad.tensor(0.5))
    >>> d.mean, d.log_prob(npgrad.tensor(2.0))
    (tensor(3.), tensor(-1.6740))
    """

    arg_constraints = {
        "total_count": constraints.greater_than_eq(0),
        "probs": constraints.half_open_interval(0.0, 1.0),
        "logits": constraints.real,
    }
    support = constraints.nonnegative_integer
    total_count: Tensor
    _param: Tensor  # probs or logits, whichever was given

    def __init__(
        self,
        total_count: Any,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        _init_count_params(self, total_count, probs, logits, validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> NegativeBinomial:
        return _expand_count_params(self, NegativeBinomial, batch_shape, _instance)  # type: ignore[no-any-return]

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.logits.exp()

    @property
    def mode(self) -> Tensor:
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self) -> Tensor:
        return self.mean / npgrad.sigmoid(-self.logits)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        n = np.broadcast_to(self.total_count.detach().numpy(), shape).astype(np.float64)
        p = np.broadcast_to(self.probs.detach().numpy(), shape).astype(np.float64)
        rng = _generator()
        # gamma-Poisson: the rate is Gamma(n, odds); n = 0 or p = 0 give 0 exactly
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = rng.standard_gamma(np.where(n > 0, n, 1.0)) * (p / (1 - p))
        out = rng.poisson(np.where((n > 0) & (p > 0), rate, 0.0))
        return npgrad.as_tensor(out.astype(self._param.dtype))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        n = self.total_count
        # log sigmoid(x) = -softplus(-x)
        log_unnormalized = -n * _softplus(self.logits) - value * _softplus(-self.logits)
        log_normalization = -npgrad.lgamma(n + value) + npgrad.lgamma(1.0 + value)
        log_normalization = log_normalization + npgrad.lgamma(n)
        # n = 0 and value = 0: a point mass at 0, probability 1
        log_normalization = npgrad.where(n + value == 0, 0.0, log_normalization)
        return log_unnormalized - log_normalization


class MixtureSameFamily(Distribution):
    """A mixture whose components are the (rightmost) batch of one distribution, weighted
    by a :class:`Categorical`.

    Parameters
    ----------
    mixture_distribution : Categorical
        Weights over the ``K`` components; batch shape broadcastable to the components'.
    component_distribution : Distribution
        Batch shape ``(..., K)``: the last batch dimension indexes the components.
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Categorical, MixtureSameFamily, Normal
    >>> mix = Categorical(npgrad.tensor([0.5, 0.5]))
    >>> gmm = MixtureSameFamily(mix, Normal(npgrad.tensor([-1.0, 1.0]), 1.0))
    >>> gmm.mean, gmm.variance
    (tensor(0.), tensor(2.))
    """

    arg_constraints: dict[str, constraints.Constraint] = {}
    has_rsample = False

    def __init__(
        self,
        mixture_distribution: Categorical,
        component_distribution: Distribution,
        validate_args: bool | None = None,
    ) -> None:
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError(
                " The Mixture distribution needs to be an  instance of "
                "npgrad.distributions.Categorical"
            )
        if not isinstance(component_distribution, Distribution):
            raise ValueError(
                "The Component distribution need to be an instance of "
                "npgrad.distributions.Distribution"
            )
        mdbs = mixture_distribution.batch_shape
        cdbs = component_distribution.batch_shape[:-1]
        for size1, size2 in zip(reversed(mdbs), reversed(cdbs)):
            if size1 != 1 and size2 != 1 and size1 != size2:
                raise ValueError(
                    f"`mixture_distribution.batch_shape` ({mdbs}) is not compatible with "
                    f"`component_distribution.batch_shape`({cdbs})"
                )
        km = mixture_distribution.logits.shape[-1]
        kc = component_distribution.batch_shape[-1] if component_distribution.batch_shape else 0
        if km != kc:
            raise ValueError(
                f"`mixture_distribution component` ({km}) does not equal "
                f"`component_distribution.batch_shape[-1]` ({kc})"
            )
        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        self._num_component = km
        self._event_ndims = len(component_distribution.event_shape)
        super().__init__(cdbs, component_distribution.event_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> MixtureSameFamily:
        new = self._get_checked_instance(MixtureSameFamily, _instance)
        batch_shape = tuple(batch_shape)
        new._component_distribution = self._component_distribution.expand(
            batch_shape + (self._num_component,)
        )
        new._mixture_distribution = self._mixture_distribution.expand(batch_shape)
        new._num_component = self._num_component
        new._event_ndims = self._event_ndims
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new  # type: ignore[no-any-return]

    @constraints.dependent_property
    def support(self) -> constraints.Constraint:
        return constraints.MixtureSameFamilyConstraint(self._component_distribution.support)

    @property
    def mixture_distribution(self) -> Categorical:
        return self._mixture_distribution

    @property
    def component_distribution(self) -> Distribution:
        return self._component_distribution

    def _pad_mixture_dimensions(self, x: Tensor) -> Tensor:
        # mixture weights (..., K) -> (..., K, 1, ..., 1) against the components' events
        dist_batch_ndims = len(self._batch_shape)
        cat_batch_ndims = len(self._mixture_distribution.batch_shape)
        pad_ndims = 0 if cat_batch_ndims == 1 else dist_batch_ndims - cat_batch_ndims
        xs = x.shape
        return x.reshape(xs[:-1] + (1,) * pad_ndims + xs[-1:] + (1,) * self._event_ndims)

    @property
    def mean(self) -> Tensor:
        probs = self._pad_mixture_dimensions(self._mixture_distribution.probs)
        return (probs * self._component_distribution.mean).sum(-1 - self._event_ndims)

    @property
    def variance(self) -> Tensor:
        # law of total variance: E[Var(X | k)] + Var(E[X | k])
        probs = self._pad_mixture_dimensions(self._mixture_distribution.probs)
        dim = -1 - self._event_ndims
        mean_cond_var = (probs * self._component_distribution.variance).sum(dim)
        var_cond_mean = (
            probs * (self._component_distribution.mean - self._pad(self.mean)).pow(2)
        ).sum(dim)
        return mean_cond_var + var_cond_mean

    def cdf(self, x: Tensor) -> Tensor:
        x = self._pad(x)
        cdf_x = self._component_distribution.cdf(x)
        return (cdf_x * self._mixture_distribution.probs).sum(-1)

    def log_prob(self, x: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(x)
        x = self._pad(x)
        log_prob_x = self._component_distribution.log_prob(x)
        log_mix_prob = npgrad.log_softmax(self._mixture_distribution.logits, dim=-1)
        return (log_prob_x + log_mix_prob).logsumexp(dim=-1)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with npgrad.no_grad():
            sample_len = len(tuple(sample_shape))
            batch_len = len(self._batch_shape)
            gather_dim = sample_len + batch_len
            es = self._event_shape
            mix = self._mixture_distribution
            if mix.batch_shape != self._batch_shape:  # a shared mixture over a batch
                mix = mix.expand(self._batch_shape)
            mix_sample = mix.sample(sample_shape)
            comp_samples = self._component_distribution.sample(sample_shape)
            mix_shape = mix_sample.shape
            idx = mix_sample.reshape(mix_shape + (1,) * (len(es) + 1))
            idx = idx.expand(mix_shape + (1,) + es)
            return comp_samples.gather(gather_dim, idx).squeeze(gather_dim)

    def _pad(self, x: Tensor) -> Tensor:
        return x.unsqueeze(-1 - self._event_ndims)

    def __repr__(self) -> str:
        return (
            f"MixtureSameFamily(\n  {self._mixture_distribution!r},\n  "
            f"{self._component_distribution!r})"
        )
