"""The continuous Bernoulli distribution (Loaiza-Ganem and Cunningham, 2019): the density
on ``[0, 1]`` proportional to ``p^x (1 - p)^(1 - x)``."""

from __future__ import annotations

import math
from typing import Any

import npgrad
from npgrad.autograd.grad_mode import no_grad
from npgrad.distributions import constraints
from npgrad.distributions.exp_family import ExponentialFamily
from npgrad.distributions.utils import (
    _is_number,
    _softplus,
    _uniform,
    broadcast_all,
    clamp_probs,
    lazy_property,
    logits_to_probs,
    probs_to_logits,
)
from npgrad.tensor import Tensor

__all__ = ["ContinuousBernoulli"]


class ContinuousBernoulli(ExponentialFamily):
    """The continuous Bernoulli distribution, parameterised by ``probs`` or ``logits``.

    Near ``probs = 1/2`` (inside ``lims``) the closed forms cancel catastrophically, so
    the normalising constant and moments switch to their Taylor expansions there.

    Parameters
    ----------
    probs, logits : float or Tensor, optional
        Exactly one of them.
    lims : tuple of float
        The interval around 1/2 where the Taylor expansions are used.
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import ContinuousBernoulli
    >>> d = ContinuousBernoulli(npgrad.tensor([0.2, 0.5]))
    >>> d.mean
    tensor([0.3880, 0.5000])
    >>> d.log_prob(npgrad.tensor([0.3, 0.3]))
    tensor([0.1984, 0.0000])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(
        self,
        probs: Any = None,
        logits: Any = None,
        lims: tuple[float, float] = (0.499, 0.501),
        validate_args: bool | None = None,
    ) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            is_scalar = _is_number(probs)
            (probs,) = broadcast_all(probs)
            # checked here: once clamped below, invalid values would pass the constraint
            if validate_args is not None and not bool(
                self.arg_constraints["probs"].check(probs).all()
            ):
                raise ValueError("The parameter probs has invalid values")
            self.probs = clamp_probs(probs)
            self._param = self.probs
        else:
            is_scalar = _is_number(logits)
            (self.logits,) = broadcast_all(logits)
            self._param = self.logits
        self._lims = lims
        super().__init__(() if is_scalar else self._param.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> ContinuousBernoulli:
        new = self._expanded(ContinuousBernoulli, batch_shape, _instance, "probs", "logits")
        new._lims = self._lims
        return new  # type: ignore[no-any-return]

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    @property
    def param_shape(self) -> tuple[int, ...]:
        return self._param.shape

    def _outside_unstable_region(self) -> Tensor:
        return (self.probs <= self._lims[0]) | (self.probs > self._lims[1])

    def _cut_probs(self) -> Tensor:
        # inside the unstable region the closed forms get a harmless stand-in value, and
        # the Taylor branch is selected: keeps both values and gradients finite
        return npgrad.where(self._outside_unstable_region(), self.probs, self._lims[0])

    def _cont_bern_log_norm(self) -> Tensor:
        """The log of the normalising constant ``2 atanh(1 - 2p) / (1 - 2p)``."""
        cut = self._cut_probs()
        below = npgrad.where(cut <= 0.5, cut, 0.0)
        above = npgrad.where(cut >= 0.5, cut, 1.0)
        log_norm = ((-cut).log1p() - cut.log()).abs().log() - npgrad.where(
            cut <= 0.5, (-2.0 * below).log1p(), (2.0 * above - 1.0).log()
        )
        x = (self.probs - 0.5).pow(2)
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x
        return npgrad.where(self._outside_unstable_region(), log_norm, taylor)

    @property
    def mean(self) -> Tensor:
        cut = self._cut_probs()
        mus = cut / (2.0 * cut - 1.0) + 1.0 / ((-cut).log1p() - cut.log())
        x = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * x.pow(2)) * x
        return npgrad.where(self._outside_unstable_region(), mus, taylor)

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    @property
    def variance(self) -> Tensor:
        cut = self._cut_probs()
        variances = cut * (cut - 1.0) / (1.0 - 2.0 * cut).pow(2) + 1.0 / (
            (-cut).log1p() - cut.log()
        ).pow(2)
        x = (self.probs - 0.5).pow(2)
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x
        return npgrad.where(self._outside_unstable_region(), variances, taylor)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        return self.icdf(_uniform(shape, self.probs.dtype))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return value * logits - _softplus(logits) + self._cont_bern_log_norm()

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        cut = self._cut_probs()
        cdfs = (cut.pow(value) * (1.0 - cut).pow(1.0 - value) + cut - 1.0) / (2.0 * cut - 1.0)
        unbounded = npgrad.where(self._outside_unstable_region(), cdfs, value)
        return npgrad.where(value <= 0.0, 0.0, npgrad.where(value >= 1.0, 1.0, unbounded))

    def icdf(self, value: Tensor) -> Tensor:
        cut = self._cut_probs()
        closed = ((-cut + value * (2.0 * cut - 1.0)).log1p() - (-cut).log1p()) / (
            cut.log() - (-cut).log1p()
        )
        return npgrad.where(self._outside_unstable_region(), closed, value)

    def entropy(self) -> Tensor:
        log_probs0 = (-self.probs).log1p()
        log_probs1 = self.probs.log()
        return self.mean * (log_probs0 - log_probs1) - self._cont_bern_log_norm() - log_probs0

    # exponential family on [0, 1]: t(x) = x, θ = logits, F(θ) = log((e^θ - 1) / θ), written
    # max(θ, 0) + log(1 - e^-|θ|) - log|θ| (no overflow) and, near θ = 0 where that cancels,
    # its series θ/2 + θ²/24 (next term θ⁴/2880)
    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return (self.logits,)

    def _log_normalizer(self, x: Tensor) -> Tensor:  # type: ignore[override]
        small = x.abs() < 1e-2
        safe = npgrad.where(small, npgrad.ones_like(x), x)  # no 0/0 in the unused branch
        direct = safe.clamp(min=0) + (-(-safe.abs()).expm1()).log() - safe.abs().log()
        series = x / 2 + x.pow(2) / 24
        return npgrad.where(small, series, direct)

    _mean_carrier_measure = 0.0
