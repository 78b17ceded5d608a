"""The exponential and Laplace distributions."""

from __future__ import annotations

import math
from typing import Any

from npgrad.distributions import constraints
from npgrad.distributions.distribution import Distribution
from npgrad.distributions.exp_family import ExponentialFamily
from npgrad.distributions.utils import _eps, _is_number, _uniform, broadcast_all
from npgrad.tensor import Tensor

__all__ = ["Exponential", "Laplace"]


class Exponential(ExponentialFamily):
    """The exponential distribution with rate ``rate`` (density ``rate * exp(-rate * x)``).

    Parameters
    ----------
    rate : float or Tensor
        The rate (> 0), the inverse of the mean.
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Exponential
    >>> d = Exponential(npgrad.tensor([0.5, 2.0]))
    >>> d.mean
    tensor([2.0000, 0.5000])
    >>> d.cdf(npgrad.tensor([1.0, 1.0]))
    tensor([0.3935, 0.8647])
    """

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        batch_shape = () if _is_number(rate) else self.rate.shape
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Exponential:
        return self._expanded(Exponential, batch_shape, _instance, "rate")  # type: ignore[no-any-return]

    @property
    def mean(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def mode(self) -> Tensor:
        return self.rate * 0

    @property
    def stddev(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def variance(self) -> Tensor:
        return self.rate.pow(-2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        u = _uniform(shape, self.rate.dtype)
        # -log(1 - u) with u in [0, 1) is a standard exponential variate, finite everywhere
        return -(-u).log1p() / self.rate

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value: Tensor) -> Tensor:
        return -(-value).log1p() / self.rate

    def entropy(self) -> Tensor:
        return 1.0 - self.rate.log()

    # exponential family: t(x) = x, θ = -rate, F(θ) = -log(-θ)
    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return (-self.rate,)

    def _log_normalizer(self, x: Tensor) -> Tensor:  # type: ignore[override]
        return -(-x).log()

    _mean_carrier_measure = 0.0


class Laplace(Distribution):
    """The Laplace distribution with location ``loc`` and scale ``scale``
    (density ``exp(-|x - loc| / scale) / (2 * scale)``).

    Parameters
    ----------
    loc : float or Tensor
    scale : float or Tensor
        > 0.
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Laplace
    >>> d = Laplace(0.0, 1.0)
    >>> d.log_prob(npgrad.tensor([0.0, 1.0]))
    tensor([-0.6931, -1.6931])
    >>> d.variance
    tensor(2.)
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        batch_shape = () if _is_number(loc) and _is_number(scale) else self.loc.shape
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Laplace:
        return self._expanded(Laplace, batch_shape, _instance, "loc", "scale")  # type: ignore[no-any-return]

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return math.sqrt(2) * self.scale

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = _eps(self.loc.dtype)
        # u uniform on (-1, 1): excluding -1 keeps log1p(-|u|) finite
        u = _uniform(shape, self.loc.dtype) * (2 - eps) + (eps - 1)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        d = value - self.loc
        return 0.5 - 0.5 * d.sign() * (-d.abs() / self.scale).expm1()

    def icdf(self, value: Tensor) -> Tensor:
        term = value - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self) -> Tensor:
        return 1 + (2 * self.scale).log()
