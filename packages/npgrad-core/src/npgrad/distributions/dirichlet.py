"""The Dirichlet distribution and its two-category case, Beta; and Student's t."""

from __future__ import annotations

import math
import numbers
from typing import Any

import npgrad
from npgrad.distributions import constraints
from npgrad.distributions.distribution import Distribution
from npgrad.distributions.exp_family import ExponentialFamily
from npgrad.distributions.gamma import Chi2, _standard_gamma
from npgrad.distributions.utils import _is_number, _standard_normal, _tiny, broadcast_all
from npgrad.tensor import Tensor

__all__ = ["Beta", "Dirichlet", "StudentT"]


class Dirichlet(ExponentialFamily):
    """The Dirichlet distribution over the probability simplex, with concentration
    ``concentration`` (shape ``(..., K)``).

    ``rsample`` normalises reparameterized gamma draws, so it is differentiable in
    ``concentration`` (first order).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Dirichlet
    >>> d = Dirichlet(npgrad.tensor([1.0, 1.0, 2.0]))
    >>> d.mean
    tensor([0.2500, 0.2500, 0.5000])
    >>> d.log_prob(npgrad.tensor([0.25, 0.25, 0.5]))
    tensor(1.0986)
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration: Any, validate_args: bool | None = None) -> None:
        if not isinstance(concentration, Tensor):
            concentration = npgrad.as_tensor(concentration)
        if concentration.ndim < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(
            concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args
        )

    def expand(self, batch_shape: Any, _instance: Any = None) -> Dirichlet:
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = tuple(batch_shape)
        new.concentration = self.concentration.expand(batch_shape + self._event_shape)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new  # type: ignore[no-any-return]

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self) -> Tensor:
        concm1 = (self.concentration - 1).clamp(min=0.0)
        mode = concm1 / concm1.sum(-1, keepdim=True)
        # all concentrations below 1: the density peaks at the corner of the largest one
        corner = (self.concentration < 1).all(-1, keepdim=True)
        k = concm1.shape[-1]
        one_hot = npgrad.arange(k) == mode.argmax(-1, keepdim=True)
        return npgrad.where(corner, one_hot.to(mode.dtype), mode)

    @property
    def variance(self) -> Tensor:
        con0 = self.concentration.sum(-1, keepdim=True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        g = _standard_gamma(self.concentration.expand(shape))
        x = g / g.sum(-1, keepdim=True)
        tiny = _tiny(x.dtype)
        return x.clamp(min=tiny, max=1 - tiny)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        c = self.concentration
        return (
            npgrad.xlogy(c - 1.0, value).sum(-1)
            + npgrad.lgamma(c.sum(-1))
            - npgrad.lgamma(c).sum(-1)
        )

    def entropy(self) -> Tensor:
        c = self.concentration
        k = c.shape[-1]
        a0 = c.sum(-1)
        return (
            npgrad.lgamma(c).sum(-1)
            - npgrad.lgamma(a0)
            - (k - a0) * npgrad.digamma(a0)
            - ((c - 1.0) * npgrad.digamma(c)).sum(-1)
        )

    # exponential family: t(x) = log x, θ = concentration, F(θ) = Σ lgamma(θᵢ) - lgamma(Σ θᵢ)
    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return (self.concentration,)

    def _log_normalizer(self, x: Tensor) -> Tensor:  # type: ignore[override]
        return npgrad.lgamma(x).sum(-1) - npgrad.lgamma(x.sum(-1))


class Beta(ExponentialFamily):
    """The beta distribution on ``[0, 1]`` with concentrations ``concentration1`` (alpha)
    and ``concentration0`` (beta).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Beta
    >>> d = Beta(2.0, 2.0)
    >>> d.mean, d.log_prob(npgrad.tensor(0.5))
    (tensor(0.5000), tensor(0.4055))
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
        if isinstance(concentration1, numbers.Real) and isinstance(concentration0, numbers.Real):
            c = npgrad.tensor([float(concentration1), float(concentration0)])
        else:
            c1, c0 = broadcast_all(concentration1, concentration0)
            c = npgrad.stack([c1, c0], -1)
        self._dirichlet = Dirichlet(c, validate_args=validate_args)
        super().__init__(self._dirichlet._batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Beta:
        return self._expanded(Beta, batch_shape, _instance, "_dirichlet")  # type: ignore[no-any-return]

    @property
    def concentration1(self) -> Tensor:
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self) -> Tensor:
        return self._dirichlet.concentration[..., 1]

    @property
    def mean(self) -> Tensor:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self) -> Tensor:
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self._dirichlet.rsample(sample_shape)[..., 0]

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        heads_tails = npgrad.stack([value, 1.0 - value], -1)
        return self._dirichlet.log_prob(heads_tails)

    def entropy(self) -> Tensor:
        return self._dirichlet.entropy()

    # exponential family: t(x) = (log x, log(1 - x)), θ = (concentration1, concentration0),
    # F(θ) = lgamma(θ₁) + lgamma(θ₂) - lgamma(θ₁ + θ₂)
    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return (self.concentration1, self.concentration0)

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:  # type: ignore[override]
        return npgrad.lgamma(x) + npgrad.lgamma(y) - npgrad.lgamma(x + y)

    def __repr__(self) -> str:
        c1, c0 = self.concentration1, self.concentration0

        def shown(v: Tensor) -> Any:
            return (v.item() if v.ndim == 0 else v) if v.numel() == 1 else v.shape

        return f"Beta(concentration1: {shown(c1)}, concentration0: {shown(c0)})"


class StudentT(Distribution):
    """Student's t distribution with ``df`` degrees of freedom, location ``loc`` and scale
    ``scale``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import StudentT
    >>> d = StudentT(3.0)
    >>> d.variance, d.log_prob(npgrad.tensor(0.0))
    (tensor(3.), tensor(-1.0009))
    """

    arg_constraints = {
        "df": constraints.positive,
        "loc": constraints.real,
        "scale": constraints.positive,
    }
    support = constraints.real
    has_rsample = True

    def __init__(
        self, df: Any, loc: Any = 0.0, scale: Any = 1.0, validate_args: bool | None = None
    ) -> None:
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        scalar = _is_number(df) and _is_number(loc) and _is_number(scale)
        super().__init__(() if scalar else self.df.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> StudentT:
        return self._expanded(StudentT, batch_shape, _instance, "df", "loc", "scale", "_chi2")  # type: ignore[no-any-return]

    @property
    def mean(self) -> Tensor:
        return npgrad.where(self.df > 1, self.loc, float("nan"))

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        df = self.df
        finite = self.scale.pow(2) * df / (df - 2).clamp(min=_tiny(df.dtype))
        m = npgrad.where(df > 2, finite, float("inf"))
        return npgrad.where(df <= 1, float("nan"), m)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        # X / sqrt(Z / df) with X standard normal and Z chi-squared: a standard t variate
        shape = self._extended_shape(sample_shape)
        x = _standard_normal(shape, self.df.dtype)
        z = self._chi2.rsample(sample_shape)
        y = x * (z / self.df).rsqrt()
        return self.loc + self.scale * y

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        df = self.df
        y = (value - self.loc) / self.scale
        z = (
            self.scale.log()
            + 0.5 * df.log()
            + 0.5 * math.log(math.pi)
            + npgrad.lgamma(0.5 * df)
            - npgrad.lgamma(0.5 * (df + 1.0))
        )
        return -0.5 * (df + 1.0) * (y.pow(2) / df).log1p() - z

    def entropy(self) -> Tensor:
        df = self.df
        lbeta = npgrad.lgamma(0.5 * df) + math.lgamma(0.5) - npgrad.lgamma(0.5 * (df + 1))
        return (
            self.scale.log()
            + 0.5 * (df + 1) * (npgrad.digamma(0.5 * (df + 1)) - npgrad.digamma(0.5 * df))
            + 0.5 * df.log()
            + lbeta
        )
