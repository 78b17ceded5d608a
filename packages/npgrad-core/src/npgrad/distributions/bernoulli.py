"""The Bernoulli distribution, parameterised by ``probs`` or ``logits``."""

from __future__ import annotations

from typing import Any

import npgrad
from npgrad.autograd.grad_mode import no_grad
from npgrad.distributions import constraints
from npgrad.distributions.exp_family import ExponentialFamily
from npgrad.distributions.utils import (
    _BinaryParams,
    _generator,
    _is_number,
    _softplus,
    broadcast_all,
)
from npgrad.tensor import Tensor

__all__ = ["Bernoulli"]


def _one_of(op: str, probs: Any, logits: Any) -> None:
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


class Bernoulli(_BinaryParams, ExponentialFamily):
    """The Bernoulli distribution: 1 with probability ``probs``, 0 otherwise.

    Parameters
    ----------
    probs : float or Tensor, optional
        The probability of 1 (in ``[0, 1]``).
    logits : float or Tensor, optional
        The log-odds of 1. Give exactly one of ``probs`` and ``logits``.
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Bernoulli
    >>> d = Bernoulli(probs=npgrad.tensor([0.25, 0.5]))
    >>> d.log_prob(npgrad.tensor([1.0, 0.0]))
    tensor([-1.3863, -0.6931])
    >>> d.mean, d.variance
    (tensor([0.2500, 0.5000]), tensor([0.1875, 0.2500]))
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(
        self, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        _one_of("Bernoulli", probs, logits)
        if probs is not None:
            is_scalar = _is_number(probs)
            (self.probs,) = broadcast_all(probs)
            self._param = self.probs
        else:
            is_scalar = _is_number(logits)
            (self.logits,) = broadcast_all(logits)
            self._param = self.logits
        batch_shape = () if is_scalar else self._param.shape
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Bernoulli:
        return self._expanded(Bernoulli, batch_shape, _instance, "probs", "logits")  # type: ignore[no-any-return]

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return npgrad.where(self.probs == 0.5, float("nan"), mode)  # a tie has no mode

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with no_grad():
            p = self.probs.expand(shape)
            u = _generator().random(shape, dtype=p.dtype)
            return npgrad.as_tensor(u < p.detach().numpy()).to(p.dtype)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        logits, value = npgrad.broadcast_tensors(self.logits, value)
        # minus the binary cross-entropy with logits, in its overflow-free form
        return value * logits - _softplus(logits)

    def entropy(self) -> Tensor:
        logits, probs = npgrad.broadcast_tensors(self.logits, self.probs)
        return _softplus(logits) - logits * probs

    # exponential family: t(x) = x, θ = logits, F(θ) = log(1 + e^θ)
    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return (self.logits,)

    def _log_normalizer(self, x: Tensor) -> Tensor:  # type: ignore[override]
        return _softplus(x)

    _mean_carrier_measure = 0.0

    def enumerate_support(self, expand: bool = True) -> Tensor:
        values = npgrad.arange(2, dtype=self._param.dtype)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + self._batch_shape)
        return values
