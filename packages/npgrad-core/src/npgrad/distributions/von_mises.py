"""The von Mises distribution on the circle, and the half-Cauchy distribution."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import npgrad
from npgrad.distributions import constraints
from npgrad.distributions.cauchy import Cauchy
from npgrad.distributions.distribution import Distribution
from npgrad.distributions.transformed_distribution import TransformedDistribution
from npgrad.distributions.transforms import AbsTransform
from npgrad.distributions.utils import _generator, _is_number, broadcast_all
from npgrad.tensor import Tensor

__all__ = ["HalfCauchy", "VonMises"]


def _log_i0(k: Tensor) -> Tensor:
    # log I0(k) = log(I0(k) e^-k) + k: the scaled Bessel function does not overflow
    return npgrad.special.i0e(k).log() + k


class VonMises(Distribution):
    """The von Mises (circular normal) distribution on ``[-pi, pi)`` with mean direction
    ``loc`` and concentration ``concentration``: density ``exp(k cos(x - loc)) / (2 pi I0(k))``.

    Samples come from NumPy's von Mises sampler; there is no ``rsample``. ``variance`` is
    the circular variance ``1 - I1(k) / I0(k)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import VonMises
    >>> d = VonMises(0.0, 1.0)
    >>> d.log_prob(npgrad.tensor([0.0, 3.0]))
    tensor([-1.0738, -3.0638])
    """

    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc: Any, concentration: Any, validate_args: bool | None = None) -> None:
        self.loc, self.concentration = broadcast_all(loc, concentration)
        scalar = _is_number(loc) and _is_number(concentration)
        super().__init__(() if scalar else self.loc.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> VonMises:
        return self._expanded(VonMises, batch_shape, _instance, "loc", "concentration")  # type: ignore[no-any-return]

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        k = self.concentration
        return 1 - npgrad.special.i1e(k) / npgrad.special.i0e(k)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        mu = np.broadcast_to(self.loc.detach().numpy(), shape).astype(np.float64)
        kappa = np.broadcast_to(self.concentration.detach().numpy(), shape).astype(np.float64)
        x = _generator().vonmises(mu, kappa)
        # NumPy's samples are in [-pi, pi]; fold pi onto -pi for the half-open interval
        x = np.where(x >= math.pi, x - 2 * math.pi, x)
        return npgrad.as_tensor(x.astype(self.loc.dtype))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        k = self.concentration
        return k * (value - self.loc).cos() - math.log(2 * math.pi) - _log_i0(k)

    def entropy(self) -> Tensor:
        k = self.concentration
        ratio = npgrad.special.i1e(k) / npgrad.special.i0e(k)
        return math.log(2 * math.pi) + _log_i0(k) - k * ratio


class HalfCauchy(TransformedDistribution):
    """The distribution of ``|X|`` for ``X ~ Cauchy(0, scale)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import HalfCauchy
    >>> d = HalfCauchy(1.0)
    >>> d.log_prob(npgrad.tensor([0.0, 1.0])), d.cdf(npgrad.tensor(1.0))
    (tensor([-0.4516, -1.1447]), tensor(0.5000))
    """

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    base_dist: Cauchy

    def __init__(self, scale: Any, validate_args: bool | None = None) -> None:
        base = Cauchy(0, scale, validate_args=False)
        super().__init__(base, AbsTransform(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> HalfCauchy:
        new = self._get_checked_instance(HalfCauchy, _instance)
        return super().expand(batch_shape, _instance=new)  # type: ignore[return-value]

    @property
    def scale(self) -> Tensor:
        return self.base_dist.scale

    @property
    def mean(self) -> Tensor:
        return npgrad.full(self._extended_shape(), math.inf, dtype=self.scale.dtype)

    @property
    def mode(self) -> Tensor:
        return npgrad.zeros_like(self.scale)

    @property
    def variance(self) -> Tensor:
        return self.base_dist.variance

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return npgrad.where(value >= 0, log_prob, -math.inf)

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob: Tensor) -> Tensor:
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() - math.log(2)

    def __repr__(self) -> str:
        s = self.scale
        shown = (s.item() if s.ndim == 0 else s) if s.numel() == 1 else s.shape
        return f"HalfCauchy(scale: {shown})"
