"""Distributions defined as transformed normals: ``LogNormal`` and ``HalfNormal``."""

from __future__ import annotations

import math
from typing import Any

import npgrad
from npgrad.distributions import constraints
from npgrad.distributions.normal import Normal
from npgrad.distributions.transformed_distribution import TransformedDistribution
from npgrad.distributions.transforms import AbsTransform, ExpTransform
from npgrad.tensor import Tensor

__all__ = ["HalfNormal", "LogNormal"]


class LogNormal(TransformedDistribution):
    """The distribution of ``exp(X)`` for ``X ~ Normal(loc, scale)``.

    Parameters
    ----------
    loc, scale : float or Tensor
        Mean and standard deviation (> 0) of the underlying normal.
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import LogNormal
    >>> d = LogNormal(0.0, 1.0)
    >>> d.mean, d.log_prob(npgrad.tensor(1.0))
    (tensor(1.6487), tensor(-0.9189))
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True
    base_dist: Normal

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        base = Normal(loc, scale, validate_args=validate_args)
        super().__init__(base, ExpTransform(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LogNormal:
        new = self._get_checked_instance(LogNormal, _instance)
        return super().expand(batch_shape, _instance=new)  # type: ignore[return-value]

    @property
    def loc(self) -> Tensor:
        return self.base_dist.loc

    @property
    def scale(self) -> Tensor:
        return self.base_dist.scale

    @property
    def mean(self) -> Tensor:
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self) -> Tensor:
        return (self.loc - self.scale.square()).exp()

    @property
    def variance(self) -> Tensor:
        scale2 = self.scale.pow(2)
        return scale2.expm1() * (2 * self.loc + scale2).exp()

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() + self.loc

    def __repr__(self) -> str:
        return f"LogNormal(loc: {_shown(self.loc)}, scale: {_shown(self.scale)})"


class HalfNormal(TransformedDistribution):
    """The distribution of ``|X|`` for ``X ~ Normal(0, scale)``.

    Parameters
    ----------
    scale : float or Tensor
        Scale (> 0) of the underlying normal.
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import HalfNormal
    >>> d = HalfNormal(1.0)
    >>> d.log_prob(npgrad.tensor([0.0, 1.0]))
    tensor([-0.2258, -0.7258])
    """

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    base_dist: Normal

    def __init__(self, scale: Any, validate_args: bool | None = None) -> None:
        base = Normal(0, scale, validate_args=False)
        super().__init__(base, AbsTransform(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> HalfNormal:
        new = self._get_checked_instance(HalfNormal, _instance)
        return super().expand(batch_shape, _instance=new)  # type: ignore[return-value]

    @property
    def scale(self) -> Tensor:
        return self.base_dist.scale

    @property
    def mean(self) -> Tensor:
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def mode(self) -> Tensor:
        return npgrad.zeros_like(self.scale)

    @property
    def variance(self) -> Tensor:
        return self.scale.pow(2) * (1 - 2 / math.pi)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return npgrad.where(value >= 0, log_prob, float("-inf"))

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob: Tensor) -> Tensor:
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() - math.log(2)

    def __repr__(self) -> str:
        return f"HalfNormal(scale: {_shown(self.scale)})"


def _shown(v: Tensor) -> Any:
    return (v.item() if v.ndim == 0 else v) if v.numel() == 1 else v.shape
