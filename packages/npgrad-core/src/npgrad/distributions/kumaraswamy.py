"""Distributions on bounded supports built by transforms: ``Kumaraswamy`` (on ``(0, 1)``)
and ``LogisticNormal`` (on the simplex)."""

from __future__ import annotations

import math
from typing import Any

import npgrad
from npgrad.distributions import constraints
from npgrad.distributions.cauchy import EULER_GAMMA
from npgrad.distributions.normal import Normal
from npgrad.distributions.transformed_distribution import Independent, TransformedDistribution
from npgrad.distributions.transforms import (
    AffineTransform,
    PowerTransform,
    StickBreakingTransform,
)
from npgrad.distributions.uniform import Uniform
from npgrad.distributions.utils import broadcast_all
from npgrad.tensor import Tensor

__all__ = ["Kumaraswamy", "LogisticNormal"]


def _shown(v: Tensor) -> Any:
    return (v.item() if v.ndim == 0 else v) if v.numel() == 1 else v.shape


def _moments(a: Tensor, b: Tensor, n: int) -> Tensor:
    """``E[X^n]`` of Kumaraswamy(a, b): ``b * B(1 + n / a, b)``."""
    arg1 = 1 + n / a
    log_value = npgrad.lgamma(arg1) + npgrad.lgamma(b) - npgrad.lgamma(arg1 + b)
    return b * log_value.exp()


class Kumaraswamy(TransformedDistribution):
    """The Kumaraswamy distribution on ``(0, 1)``: ``cdf = 1 - (1 - x^a)^b`` with
    ``a = concentration1``, ``b = concentration0`` (a Beta look-alike with a closed-form cdf).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Kumaraswamy
    >>> d = Kumaraswamy(2.0, 3.0)
    >>> d.mean, d.log_prob(npgrad.tensor(0.5))
    (tensor(0.4571), tensor(0.5232))
    """

    arg_constraints = {
        "concentration1": constraints.positive,
        "concentration0": constraints.positive,
    }
    support = constraints.unit_interval
    has_rsample = True

    def __init__(
        self, concentration1: Any, concentration0: Any, validate_args: bool | None = None
    ) -> None:
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        base = Uniform(
            npgrad.zeros_like(self.concentration0),
            npgrad.ones_like(self.concentration0),
            validate_args=validate_args,
        )
        # u -> (1 - u^(1/b))^(1/a) inverts the cdf; u and 1 - u have the same law
        transforms = [
            PowerTransform(exponent=self.concentration0.reciprocal()),
            AffineTransform(loc=1.0, scale=-1.0),
            PowerTransform(exponent=self.concentration1.reciprocal()),
        ]
        super().__init__(base, transforms, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Kumaraswamy:
        new = self._get_checked_instance(Kumaraswamy, _instance)
        batch_shape = tuple(batch_shape)
        new.concentration1 = self.concentration1.expand(batch_shape)
        new.concentration0 = self.concentration0.expand(batch_shape)
        return super().expand(batch_shape, _instance=new)  # type: ignore[return-value]

    @property
    def mean(self) -> Tensor:
        return _moments(self.concentration1, self.concentration0, 1)

    @property
    def mode(self) -> Tensor:
        # ((a - 1) / (a b - 1))^(1 / a) with a = concentration1, b = concentration0; it has
        # no interior maximum when either concentration is below 1
        a, b = self.concentration1, self.concentration0
        valid = (a >= 1) & (b >= 1) & (a * b > 1)
        ratio = npgrad.where(valid, (a - 1) / npgrad.where(valid, a * b - 1, 1.0), math.nan)
        return ratio.pow(a.reciprocal())

    @property
    def variance(self) -> Tensor:
        return _moments(self.concentration1, self.concentration0, 2) - self.mean.pow(2)

    def entropy(self) -> Tensor:
        t1 = 1 - self.concentration1.reciprocal()
        t0 = 1 - self.concentration0.reciprocal()
        h0 = npgrad.digamma(self.concentration0 + 1) + EULER_GAMMA
        return t0 + t1 * h0 - self.concentration1.log() - self.concentration0.log()

    def __repr__(self) -> str:
        return (
            f"Kumaraswamy(concentration1: {_shown(self.concentration1)}, "
            f"concentration0: {_shown(self.concentration0)})"
        )


class LogisticNormal(TransformedDistribution):
    """The distribution on the ``K``-simplex of the stick-breaking image of a normal
    vector of length ``K - 1`` with mean ``loc`` and standard deviations ``scale``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import LogisticNormal
    >>> d = LogisticNormal(npgrad.zeros(2), npgrad.ones(2))
    >>> d.event_shape, d.sample().shape
    ((3,), npgrad.Size([3]))
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.simplex
    has_rsample = True
    base_dist: Independent

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        base: Any = Normal(loc, scale, validate_args=validate_args)
        if not base.batch_shape:
            base = base.expand((1,))
        super().__init__(base, StickBreakingTransform(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LogisticNormal:
        new = self._get_checked_instance(LogisticNormal, _instance)
        return super().expand(batch_shape, _instance=new)  # type: ignore[return-value]

    @property
    def loc(self) -> Tensor:
        return self.base_dist.base_dist.loc  # type: ignore[no-any-return, attr-defined]

    @property
    def scale(self) -> Tensor:
        return self.base_dist.base_dist.scale  # type: ignore[no-any-return, attr-defined]

    def __repr__(self) -> str:
        return f"LogisticNormal(loc: {_shown(self.loc)}, scale: {_shown(self.scale)})"
