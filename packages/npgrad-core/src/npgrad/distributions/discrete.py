"""Discrete counting distributions: ``Binomial``, ``Poisson`` and ``Geometric``.

Their samples are integers (stored in the parameters' floating dtype, as in PyTorch) drawn
with NumPy's samplers from npgrad's default generator; they have no ``rsample``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import npgrad
from npgrad.distributions import constraints
from npgrad.distributions.distribution import Distribution
from npgrad.distributions.exp_family import ExponentialFamily
from npgrad.distributions.utils import (
    _BinaryParams,
    _BinaryProbs,
    _generator,
    _is_number,
    _softplus,
    _tiny,
    broadcast_all,
)
from npgrad.tensor import Tensor

__all__ = ["Binomial", "Geometric", "Poisson"]


def _clamp_by_zero(x: Tensor) -> Tensor:
    # max(x, 0) written symmetrically so that its gradient at 0 is 1/2, as PyTorch's
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


def _check_one_of(probs: Any, logits: Any) -> None:
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


def _init_count_params(
    d: Distribution, total_count: Any, probs: Any, logits: Any, validate_args: bool | None
) -> None:
    """A count and success ``probs`` or ``logits``, broadcast together (the count in their
    dtype): the parameters of Binomial and NegativeBinomial."""
    _check_one_of(probs, logits)
    name = "probs" if probs is not None else "logits"
    count, param = broadcast_all(total_count, probs if probs is not None else logits)
    d.total_count = count.to(param.dtype)  # type: ignore[attr-defined]
    setattr(d, name, param)
    d._param = param  # type: ignore[attr-defined]
    Distribution.__init__(d, param.shape, validate_args=validate_args)


def _expand_count_params(d: Any, cls: type, batch_shape: Any, instance: Any) -> Any:
    """``d.expand(batch_shape)`` for a distribution made by :func:`_init_count_params`."""
    return d._expanded(cls, batch_shape, instance, "total_count", "probs", "logits")


class Binomial(_BinaryParams, Distribution):
    """The number of successes in ``total_count`` independent trials of probability
    ``probs`` (or log-odds ``logits``).

    Parameters
    ----------
    total_count : int or Tensor
        Number of trials (a non-negative integer), default 1.
    probs, logits : float or Tensor, optional
        Exactly one of them.
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Binomial
    >>> d = Binomial(4, probs=npgrad.tensor(0.5))
    >>> d.mean, d.log_prob(npgrad.tensor(2.0))
    (tensor(2.), tensor(-0.9808))
    """

    arg_constraints = {
        "total_count": constraints.nonnegative_integer,
        "probs": constraints.unit_interval,
        "logits": constraints.real,
    }
    has_enumerate_support = True
    total_count: Tensor
    _param: Tensor  # probs or logits, whichever was given

    def __init__(
        self,
        total_count: Any = 1,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        _init_count_params(self, total_count, probs, logits, validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Binomial:
        return _expand_count_params(self, Binomial, batch_shape, _instance)  # type: ignore[no-any-return]

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> constraints.Constraint:
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.probs

    @property
    def mode(self) -> Tensor:
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        n = np.broadcast_to(self.total_count.detach().numpy(), shape).astype(np.int64)
        p = np.broadcast_to(self.probs.detach().numpy(), shape).astype(np.float64)
        out = _generator().binomial(n, p)
        return npgrad.as_tensor(out.astype(self._param.dtype))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        n = self.total_count
        log_factorial_n = npgrad.lgamma(n + 1)
        log_factorial_k = npgrad.lgamma(value + 1)
        log_factorial_nmk = npgrad.lgamma(n - value + 1)
        # n * log(1 + exp(logits)) split so that neither term overflows
        normalize_term = (
            n * _clamp_by_zero(self.logits)
            + n * (-self.logits.abs()).exp().log1p()
            - log_factorial_n
        )
        return value * self.logits - log_factorial_k - log_factorial_nmk - normalize_term

    def entropy(self) -> Tensor:
        total_count = int(self.total_count.max().item())
        if not bool((self.total_count == total_count).all()):
            raise NotImplementedError("Inhomogeneous total count not supported by `entropy`.")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(log_prob.exp() * log_prob).sum(0)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        total_count = int(self.total_count.max().item())
        if not bool((self.total_count == total_count).all()):
            raise NotImplementedError(
                "Inhomogeneous total count not supported by `enumerate_support`."
            )
        values = npgrad.arange(1 + total_count, dtype=self._param.dtype)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + self._batch_shape)
        return values


class Poisson(ExponentialFamily):
    """The Poisson distribution with rate ``rate``: ``P(k) = rate^k exp(-rate) / k!``.

    Parameters
    ----------
    rate : float or Tensor
        The rate (>= 0).
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Poisson
    >>> Poisson(2.0).log_prob(npgrad.tensor([0.0, 2.0]))
    tensor([-2.0000, -1.3069])
    """

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        batch_shape = () if _is_number(rate) else self.rate.shape
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Poisson:
        return self._expanded(Poisson, batch_shape, _instance, "rate")  # type: ignore[no-any-return]

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        lam = np.broadcast_to(self.rate.detach().numpy(), shape).astype(np.float64)
        return npgrad.as_tensor(_generator().poisson(lam).astype(self.rate.dtype))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return npgrad.xlogy(value, rate) - rate - npgrad.lgamma(value + 1)

    # exponential family: t(x) = x, θ = log rate, F(θ) = e^θ (the carrier -log x! is not
    # constant: no generic entropy, as in PyTorch)
    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return (self.rate.log(),)

    def _log_normalizer(self, x: Tensor) -> Tensor:  # type: ignore[override]
        return x.exp()


class Geometric(_BinaryProbs, Distribution):
    """The number of failures before the first success in Bernoulli trials of probability
    ``probs`` (or log-odds ``logits``): ``P(k) = (1 - p)^k p``.

    Parameters
    ----------
    probs, logits : float or Tensor, optional
        Exactly one of them (``0 < probs <= 1``).
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Geometric
    >>> d = Geometric(probs=npgrad.tensor(0.5))
    >>> d.mean, d.log_prob(npgrad.tensor(1.0))
    (tensor(1.), tensor(-1.3863))
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(
        self, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        _check_one_of(probs, logits)
        if probs is not None:
            is_scalar = _is_number(probs)
            (self.probs,) = broadcast_all(probs)
            param = self.probs
        else:
            is_scalar = _is_number(logits)
            (self.logits,) = broadcast_all(logits)
            param = self.logits
        super().__init__(() if is_scalar else param.shape, validate_args=validate_args)
        # the unit interval admits 0, which is no distribution: PyTorch checks it here
        if self._validate_args and probs is not None and not bool((self.probs > 0).all()):
            raise ValueError(
                f"Expected parameter probs ({type(self.probs).__name__} of shape "
                f"{tuple(self.probs.shape)}) of distribution {self!r} to be positive but "
                f"found invalid values:\n{self.probs}"
            )

    def expand(self, batch_shape: Any, _instance: Any = None) -> Geometric:
        return self._expanded(Geometric, batch_shape, _instance, "probs", "logits")  # type: ignore[no-any-return]

    @property
    def mean(self) -> Tensor:
        return 1.0 / self.probs - 1.0

    @property
    def mode(self) -> Tensor:
        return npgrad.zeros_like(self.probs)

    @property
    def variance(self) -> Tensor:
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        p = self.probs.detach()
        u = _generator().random(shape, dtype=p.dtype)
        u = np.maximum(u, np.asarray(_tiny(p.dtype), p.dtype))  # keep log(u) finite
        with np.errstate(divide="ignore"):
            out = np.floor(np.log(u) / np.log1p(-p.numpy())) + 0.0  # p = 1: -0.0 -> 0.0
        return npgrad.as_tensor(out.astype(p.dtype))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        # p = 1 puts all mass on 0: there 0 * log(0) is 0, not nan
        probs = npgrad.where((probs == 1) & (value == 0), 0.0, probs)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self) -> Tensor:
        logits, probs = npgrad.broadcast_tensors(self.logits, self.probs)
        return (_softplus(logits) - logits * probs) / probs
