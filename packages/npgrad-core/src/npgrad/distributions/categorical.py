"""The categorical distribution over ``{0, ..., K - 1}`` and its one-hot form."""

from __future__ import annotations

from typing import Any

import numpy as np

import npgrad
from npgrad.autograd.grad_mode import no_grad
from npgrad.distributions import constraints
from npgrad.distributions.distribution import Distribution
from npgrad.distributions.utils import (
    _CategoricalParams,
    _generator,
    lazy_property,
    logits_to_probs,
    probs_to_logits,
)
from npgrad.tensor import Tensor

__all__ = ["Categorical", "OneHotCategorical", "OneHotCategoricalStraightThrough"]


class Categorical(Distribution):
    """The categorical distribution: index ``k`` with probability ``probs[..., k]``.

    Parameters
    ----------
    probs : Tensor, optional
        Non-negative, finite, with a positive sum over the last dimension (normalised here).
    logits : Tensor, optional
        Unnormalised log-probabilities. Give exactly one of ``probs`` and ``logits``.
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Categorical
    >>> d = Categorical(probs=npgrad.tensor([1.0, 1.0, 2.0]))
    >>> d.probs
    tensor([0.2500, 0.2500, 0.5000])
    >>> d.log_prob(npgrad.tensor(2))
    tensor(-0.6931)
    >>> d.enumerate_support()
    tensor([0, 1, 2])
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(
        self, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            probs = probs if isinstance(probs, Tensor) else npgrad.as_tensor(probs)
            if probs.ndim < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            self._param = self.probs
        else:
            logits = logits if isinstance(logits, Tensor) else npgrad.as_tensor(logits)
            if logits.ndim < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
            self._param = self.logits
        self._num_events = self._param.shape[-1]
        batch_shape = self._param.shape[:-1]
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Categorical:
        new = self._expanded(
            Categorical, batch_shape, _instance, "probs", "logits", param_shape=(self._num_events,)
        )
        new._num_events = self._num_events
        return new  # type: ignore[no-any-return]

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> constraints.Constraint:
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits)

    @property
    def param_shape(self) -> tuple[int, ...]:
        return self._param.shape

    @property
    def mean(self) -> Tensor:
        return npgrad.full(self._extended_shape(), float("nan"), dtype=self.probs.dtype)

    @property
    def mode(self) -> Tensor:
        return self.probs.argmax(dim=-1)

    @property
    def variance(self) -> Tensor:
        return npgrad.full(self._extended_shape(), float("nan"), dtype=self.probs.dtype)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with no_grad():
            p = self.probs.detach().numpy().astype(np.float64)
        cdf = np.cumsum(p, axis=-1)
        u = _generator().random(shape) * cdf[..., -1]  # probs sum to 1 only up to rounding
        # inverse-CDF: the index is how many cumulative sums lie at or below u; categories of
        # zero probability are never drawn because their cdf step is empty
        idx = (cdf[..., :-1] <= u[..., None]).sum(-1)
        return npgrad.as_tensor(idx.astype(np.int64))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = npgrad.broadcast_tensors(value, self.logits)
        value = value[..., :1]
        return log_pmf.gather(-1, value).squeeze(-1)

    def entropy(self) -> Tensor:
        min_real = float(np.finfo(self.logits.dtype).min)
        logits = self.logits.clamp(min=min_real)  # 0 * -inf would be nan, 0 * min_real is 0
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        values = npgrad.arange(self._num_events, dtype=npgrad.int64)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + self._batch_shape)
        return values


class OneHotCategorical(_CategoricalParams, Distribution):
    """The categorical distribution with samples one-hot encoded over the last dimension.

    Parameters
    ----------
    probs, logits : Tensor, optional
        As for :class:`Categorical` (exactly one of them).
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import OneHotCategorical
    >>> d = OneHotCategorical(probs=npgrad.tensor([0.25, 0.5, 0.25]))
    >>> d.sample().shape
    npgrad.Size([3])
    >>> d.log_prob(npgrad.tensor([0.0, 1.0, 0.0]))
    tensor(-0.6931)
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(
        self, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        self._categorical = Categorical(probs, logits)
        batch_shape = self._categorical.batch_shape
        event_shape = self._categorical.param_shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> OneHotCategorical:
        new = self._get_checked_instance(OneHotCategorical, _instance)
        batch_shape = tuple(batch_shape)
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new  # type: ignore[no-any-return]

    @property
    def _param(self) -> Tensor:
        return self._categorical._param

    @property
    def mean(self) -> Tensor:
        return self._categorical.probs

    @property
    def mode(self) -> Tensor:
        probs = self._categorical.probs
        return _one_hot(probs.argmax(dim=-1), probs.shape[-1], probs.dtype)

    @property
    def variance(self) -> Tensor:
        p = self._categorical.probs
        return p * (1 - p)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        probs = self._categorical.probs
        idx = self._categorical.sample(sample_shape)
        return _one_hot(idx, probs.shape[-1], probs.dtype)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        indices = value.argmax(dim=-1)
        return self._categorical.log_prob(indices)

    def entropy(self) -> Tensor:
        return self._categorical.entropy()

    def enumerate_support(self, expand: bool = True) -> Tensor:
        n = self._event_shape[0]
        values = npgrad.eye(n, dtype=self._param.dtype)
        values = values.reshape((n,) + (1,) * len(self._batch_shape) + (n,))
        if expand:
            values = values.expand((n,) + self._batch_shape + (n,))
        return values


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """A :class:`OneHotCategorical` whose ``rsample`` passes gradients straight through
    (Bengio et al., 2013): the value is a one-hot sample, the gradient that of ``probs``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import OneHotCategoricalStraightThrough
    >>> p = npgrad.tensor([0.2, 0.8], requires_grad=True)
    >>> x = OneHotCategoricalStraightThrough(probs=p).rsample()
    >>> x.sum().item(), x.requires_grad
    (1.0, True)
    """

    has_rsample = True

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        samples = self.sample(sample_shape)
        probs = self._categorical.probs  # cached: the gradient flows to the parameter
        return samples + (probs - probs.detach())


def _one_hot(idx: Tensor, k: int, dtype: Any) -> Tensor:
    return npgrad.as_tensor(np.eye(k, dtype=dtype)[idx.numpy()])
