"""The Cauchy and Gumbel distributions (location-scale families with closed-form cdf)."""

from __future__ import annotations

import math
from typing import Any

from npgrad.distributions import constraints
from npgrad.distributions.distribution import Distribution
from npgrad.distributions.utils import _eps, _is_number, _tiny, _uniform, broadcast_all
from npgrad.tensor import Tensor

__all__ = ["Cauchy", "Gumbel"]

EULER_GAMMA = 0.57721566490153286060


class _LocScale(Distribution):
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        batch_shape = () if _is_number(loc) and _is_number(scale) else self.loc.shape
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Any:
        return self._expanded(type(self), batch_shape, _instance, "loc", "scale")  # type: ignore[no-any-return]


class Cauchy(_LocScale):
    """The Cauchy (Lorentz) distribution with median ``loc`` and half-width ``scale``.

    Its mean is undefined (nan) and its variance infinite.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Cauchy
    >>> d = Cauchy(0.0, 1.0)
    >>> d.cdf(npgrad.tensor([0.0, 1.0])), d.mean
    (tensor([0.5000, 0.7500]), tensor(nan))
    """

    @property
    def mean(self) -> Tensor:
        return self.loc * float("nan")

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return (self.loc * 0) + float("inf")

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        u = _uniform(shape, self.loc.dtype)
        return self.loc + self.scale * (math.pi * (u - 0.5)).tan()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        return -math.log(math.pi) - self.scale.log() - z.pow(2).log1p()

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.loc) / self.scale).atan() / math.pi + 0.5

    def icdf(self, value: Tensor) -> Tensor:
        return (math.pi * (value - 0.5)).tan() * self.scale + self.loc

    def entropy(self) -> Tensor:
        return math.log(4 * math.pi) + self.scale.log()


class Gumbel(_LocScale):
    """The Gumbel (type-I extreme value) distribution: ``cdf = exp(-exp(-(x - loc) / scale))``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Gumbel
    >>> d = Gumbel(0.0, 1.0)
    >>> d.mean, d.log_prob(npgrad.tensor(0.0))
    (tensor(0.5772), tensor(-1.))
    """

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        dtype = self.loc.dtype
        # u in (tiny, 1 - eps]: both logs below stay finite
        u = _uniform(shape, dtype, low=_tiny(dtype)).clamp(max=1 - _eps(dtype))
        return self.loc - self.scale * (-u.log()).log()

    @property
    def mean(self) -> Tensor:
        return self.loc + self.scale * EULER_GAMMA

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self) -> Tensor:
        return self.stddev.pow(2)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        y = (self.loc - value) / self.scale
        return (y - y.exp()) - self.scale.log()

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return (-(-(value - self.loc) / self.scale).exp()).exp()

    def icdf(self, value: Tensor) -> Tensor:
        return self.loc - self.scale * (-value.log()).log()

    def entropy(self) -> Tensor:
        return self.scale.log() + (1 + EULER_GAMMA)
