"""Continuous relaxations of the Bernoulli and categorical distributions (Concrete /
Gumbel-softmax; Maddison et al. 2017, Jang et al. 2017): reparameterized samples that
approach the discrete ones as ``temperature`` goes to 0."""

from __future__ import annotations

import math
from typing import Any

import npgrad
from npgrad.distributions import constraints
from npgrad.distributions.categorical import Categorical
from npgrad.distributions.distribution import Distribution
from npgrad.distributions.transformed_distribution import TransformedDistribution
from npgrad.distributions.transforms import ExpTransform, SigmoidTransform
from npgrad.distributions.utils import (
    _BinaryParams,
    _CategoricalParams,
    _is_number,
    _uniform,
    broadcast_all,
    clamp_probs,
)
from npgrad.tensor import Tensor

__all__ = [
    "ExpRelaxedCategorical",
    "LogitRelaxedBernoulli",
    "RelaxedBernoulli",
    "RelaxedOneHotCategorical",
]


def _temperature(temperature: Any, like: Tensor) -> Tensor:
    if isinstance(temperature, Tensor):
        return temperature
    return npgrad.tensor(float(temperature), dtype=like.dtype)


class LogitRelaxedBernoulli(_BinaryParams, Distribution):
    """The logit of a :class:`RelaxedBernoulli` sample: logistic, with location
    ``logits / temperature`` and scale ``1 / temperature``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions.relaxed import LogitRelaxedBernoulli
    >>> d = LogitRelaxedBernoulli(npgrad.tensor(0.5), probs=npgrad.tensor([0.3, 0.6]))
    >>> d.rsample((4,)).shape
    npgrad.Size([4, 2])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.real
    has_rsample = True

    def __init__(
        self,
        temperature: Any,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            is_scalar = _is_number(probs)
            (self.probs,) = broadcast_all(probs)
            self._param = self.probs
        else:
            is_scalar = _is_number(logits)
            (self.logits,) = broadcast_all(logits)
            self._param = self.logits
        self.temperature = _temperature(temperature, self._param)
        super().__init__(() if is_scalar else self._param.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LogitRelaxedBernoulli:
        new = self._expanded(LogitRelaxedBernoulli, batch_shape, _instance, "probs", "logits")
        new.temperature = self.temperature
        return new

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        probs = clamp_probs(self.probs.expand(shape))
        u = clamp_probs(_uniform(shape, probs.dtype))
        # logistic noise plus the log-odds, sharpened by 1 / temperature
        return (u.log() - (-u).log1p() + probs.log() - (-probs).log1p()) / self.temperature

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        diff = logits - value * self.temperature
        return self.temperature.log() + diff - 2 * diff.exp().log1p()


class _RelaxedTransformed(TransformedDistribution):
    """The relaxed distributions: a transform of a relaxed base, whose parameters they show."""

    base_dist: Any  # LogitRelaxedBernoulli or ExpRelaxedCategorical

    @property
    def temperature(self) -> Tensor:
        return self.base_dist.temperature

    @property
    def logits(self) -> Tensor:
        return self.base_dist.logits

    @property
    def probs(self) -> Tensor:
        return self.base_dist.probs

    def __repr__(self) -> str:
        return f"{type(self).__name__}(temperature: {self.temperature.tolist()})"


class RelaxedBernoulli(_RelaxedTransformed):
    """A relaxed Bernoulli on ``(0, 1)``: the sigmoid of a :class:`LogitRelaxedBernoulli`.

    Parameters
    ----------
    temperature : float or Tensor
        Relaxation temperature (> 0); small values give samples near 0 or 1.
    probs, logits : float or Tensor, optional
        Exactly one of them.
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import RelaxedBernoulli
    >>> d = RelaxedBernoulli(npgrad.tensor(0.5), probs=npgrad.tensor([0.3, 0.6]))
    >>> x = d.rsample()
    >>> bool(((x > 0) & (x < 1)).all())
    True
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True
    base_dist: LogitRelaxedBernoulli

    def __init__(
        self,
        temperature: Any,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        base = LogitRelaxedBernoulli(temperature, probs, logits)
        super().__init__(base, SigmoidTransform(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> RelaxedBernoulli:
        new = self._get_checked_instance(RelaxedBernoulli, _instance)
        return super().expand(batch_shape, _instance=new)  # type: ignore[return-value]


class ExpRelaxedCategorical(_CategoricalParams, Distribution):
    """The log of a :class:`RelaxedOneHotCategorical` sample (an ExpConcrete variable).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions.relaxed import ExpRelaxedCategorical
    >>> d = ExpRelaxedCategorical(npgrad.tensor(0.5), probs=npgrad.tensor([0.2, 0.8]))
    >>> abs(float(d.rsample().exp().sum()) - 1.0) < 1e-6
    True
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.real_vector
    has_rsample = True

    def __init__(
        self,
        temperature: Any,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        self._categorical = Categorical(probs, logits)
        self.temperature = _temperature(temperature, self._categorical._param)
        batch_shape = self._categorical.batch_shape
        event_shape = self._categorical.param_shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> ExpRelaxedCategorical:
        new = self._get_checked_instance(ExpRelaxedCategorical, _instance)
        batch_shape = tuple(batch_shape)
        new.temperature = self.temperature
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        u = clamp_probs(_uniform(shape, self.logits.dtype))
        gumbels = -((-(u.log())).log())
        scores = (self.logits + gumbels) / self.temperature
        return scores - scores.logsumexp(dim=-1, keepdim=True)

    def log_prob(self, value: Tensor) -> Tensor:
        k = self._categorical._num_events
        if self._validate_args:
            self._validate_sample(value)
        logits, value = npgrad.broadcast_tensors(self.logits, value)
        log_scale = math.lgamma(k) - self.temperature.log() * (-(k - 1))
        score = logits - value * self.temperature
        score = (score - score.logsumexp(dim=-1, keepdim=True)).sum(-1)
        return score + log_scale


class RelaxedOneHotCategorical(_RelaxedTransformed):
    """A relaxed one-hot categorical on the simplex (Gumbel-softmax): the exponential of
    an :class:`ExpRelaxedCategorical`.

    Parameters
    ----------
    temperature : float or Tensor
        Relaxation temperature (> 0).
    probs, logits : Tensor, optional
        Exactly one of them, over the last dimension.
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import RelaxedOneHotCategorical
    >>> d = RelaxedOneHotCategorical(npgrad.tensor(0.5), probs=npgrad.tensor([0.2, 0.8]))
    >>> d.event_shape, abs(float(d.rsample().sum()) - 1.0) < 1e-6
    ((2,), True)
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.simplex
    has_rsample = True
    base_dist: ExpRelaxedCategorical

    def __init__(
        self,
        temperature: Any,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        base = ExpRelaxedCategorical(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, ExpTransform(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> RelaxedOneHotCategorical:
        new = self._get_checked_instance(RelaxedOneHotCategorical, _instance)
        return super().expand(batch_shape, _instance=new)  # type: ignore[return-value]
