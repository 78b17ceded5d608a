"""Distributions built as transformed exponentials or gammas, as in PyTorch: ``Pareto``,
``Weibull`` and ``InverseGamma``; and ``FisherSnedecor`` (a ratio of gammas)."""

from __future__ import annotations

import math
from typing import Any

import npgrad
from npgrad.distributions import constraints
from npgrad.distributions.cauchy import EULER_GAMMA
from npgrad.distributions.distribution import Distribution
from npgrad.distributions.exponential import Exponential
from npgrad.distributions.gamma import Gamma
from npgrad.distributions.transformed_distribution import TransformedDistribution
from npgrad.distributions.transforms import AffineTransform, ExpTransform, PowerTransform
from npgrad.distributions.utils import _is_number, _tiny, _uniform, broadcast_all
from npgrad.tensor import Tensor

__all__ = ["FisherSnedecor", "GeneralizedPareto", "InverseGamma", "Pareto", "Weibull"]


def _shown(v: Tensor) -> Any:
    return (v.item() if v.ndim == 0 else v) if v.numel() == 1 else v.shape


class Pareto(TransformedDistribution):
    """The Pareto (type I) distribution: ``scale * exp(E)`` with ``E ~ Exponential(alpha)``;
    density ``alpha * scale^alpha / x^(alpha + 1)`` for ``x >= scale``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Pareto
    >>> d = Pareto(1.0, 3.0)
    >>> d.mean, d.log_prob(npgrad.tensor(2.0))
    (tensor(1.5000), tensor(-1.6740))
    """

    arg_constraints = {"alpha": constraints.positive, "scale": constraints.positive}
    base_dist: Exponential

    def __init__(self, scale: Any, alpha: Any, validate_args: bool | None = None) -> None:
        self.scale, self.alpha = broadcast_all(scale, alpha)
        base = Exponential(self.alpha, validate_args=validate_args)
        transforms = [ExpTransform(), AffineTransform(loc=0, scale=self.scale)]
        super().__init__(base, transforms, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Pareto:
        new = self._get_checked_instance(Pareto, _instance)
        batch_shape = tuple(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        new.alpha = self.alpha.expand(batch_shape)
        return super().expand(batch_shape, _instance=new)  # type: ignore[return-value]

    @property
    def mean(self) -> Tensor:
        a = self.alpha.clamp(min=1)  # infinite for alpha <= 1
        return a * self.scale / (a - 1)

    @property
    def mode(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:
        a = self.alpha.clamp(min=2)  # infinite for alpha <= 2
        return self.scale.pow(2) * a / ((a - 1).pow(2) * (a - 2))

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self) -> constraints.Constraint:
        return constraints.greater_than_eq(self.scale)

    def entropy(self) -> Tensor:
        return (self.scale / self.alpha).log() + (1 + self.alpha.reciprocal())

    def __repr__(self) -> str:
        return f"Pareto(scale: {_shown(self.scale)}, alpha: {_shown(self.alpha)})"


class Weibull(TransformedDistribution):
    """The Weibull distribution: ``scale * E^(1 / concentration)`` with ``E`` a standard
    exponential; ``cdf = 1 - exp(-(x / scale)^concentration)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Weibull
    >>> d = Weibull(1.0, 1.0)  # a standard exponential
    >>> d.mean, d.log_prob(npgrad.tensor(2.0))
    (tensor(1.), tensor(-2.))
    """

    arg_constraints = {"scale": constraints.positive, "concentration": constraints.positive}
    support = constraints.positive
    base_dist: Exponential

    def __init__(self, scale: Any, concentration: Any, validate_args: bool | None = None) -> None:
        self.scale, self.concentration = broadcast_all(scale, concentration)
        self.concentration_reciprocal = self.concentration.reciprocal()
        base = Exponential(npgrad.ones_like(self.scale), validate_args=validate_args)
        transforms = [
            PowerTransform(exponent=self.concentration_reciprocal),
            AffineTransform(loc=0, scale=self.scale),
        ]
        super().__init__(base, transforms, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Weibull:
        new = self._get_checked_instance(Weibull, _instance)
        batch_shape = tuple(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        new.concentration_reciprocal = new.concentration.reciprocal()
        base = self.base_dist.expand(batch_shape)
        transforms = [
            PowerTransform(exponent=new.concentration_reciprocal),
            AffineTransform(loc=0, scale=new.scale),
        ]
        TransformedDistribution.__init__(new, base, transforms, validate_args=False)
        new._validate_args = self._validate_args
        return new  # type: ignore[no-any-return]

    @property
    def mean(self) -> Tensor:
        return self.scale * npgrad.lgamma(1 + self.concentration_reciprocal).exp()

    @property
    def mode(self) -> Tensor:
        c = self.concentration
        return self.scale * ((c - 1) / c) ** c.reciprocal()

    @property
    def variance(self) -> Tensor:
        r = self.concentration_reciprocal
        return self.scale.pow(2) * (
            npgrad.lgamma(1 + 2 * r).exp() - (2 * npgrad.lgamma(1 + r)).exp()
        )

    def entropy(self) -> Tensor:
        return (
            EULER_GAMMA * (1 - self.concentration_reciprocal)
            + (self.scale * self.concentration_reciprocal).log()
            + 1
        )

    def __repr__(self) -> str:
        return f"Weibull(scale: {_shown(self.scale)}, concentration: {_shown(self.concentration)})"


class InverseGamma(TransformedDistribution):
    """The distribution of ``1 / X`` for ``X ~ Gamma(concentration, rate)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import InverseGamma
    >>> d = InverseGamma(3.0, 2.0)
    >>> d.mean, d.mode
    (tensor(1.), tensor(0.5000))
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.positive
    has_rsample = True
    base_dist: Gamma

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        base = Gamma(concentration, rate, validate_args=validate_args)
        neg_one = -npgrad.ones_like(base.rate)
        super().__init__(base, PowerTransform(neg_one), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> InverseGamma:
        new = self._get_checked_instance(InverseGamma, _instance)
        return super().expand(batch_shape, _instance=new)  # type: ignore[return-value]

    @property
    def concentration(self) -> Tensor:
        return self.base_dist.concentration

    @property
    def rate(self) -> Tensor:
        return self.base_dist.rate

    @property
    def mean(self) -> Tensor:
        c = self.concentration
        return npgrad.where(c > 1, self.rate / (c - 1).clamp(min=_tiny(c.dtype)), math.inf)

    @property
    def mode(self) -> Tensor:
        return self.rate / (self.concentration + 1)

    @property
    def variance(self) -> Tensor:
        c = self.concentration
        finite = self.rate.pow(2) / ((c - 1).pow(2) * (c - 2).clamp(min=_tiny(c.dtype)))
        return npgrad.where(c > 2, finite, math.inf)

    def entropy(self) -> Tensor:
        c = self.concentration
        return c + self.rate.log() + npgrad.lgamma(c) - (1 + c) * npgrad.digamma(c)

    def __repr__(self) -> str:
        return (
            f"InverseGamma(concentration: {_shown(self.concentration)}, rate: {_shown(self.rate)})"
        )


class FisherSnedecor(Distribution):
    """The F distribution with ``df1`` and ``df2`` degrees of freedom: the ratio of two
    independent chi-squared variables, each divided by its degrees of freedom.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import FisherSnedecor
    >>> d = FisherSnedecor(4.0, 6.0)
    >>> d.mean, d.log_prob(npgrad.tensor(1.0))
    (tensor(1.5000), tensor(-0.8802))
    """

    arg_constraints = {"df1": constraints.positive, "df2": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, df1: Any, df2: Any, validate_args: bool | None = None) -> None:
        self.df1, self.df2 = broadcast_all(df1, df2)
        self._gamma1 = Gamma(self.df1 * 0.5, self.df1)
        self._gamma2 = Gamma(self.df2 * 0.5, self.df2)
        scalar = _is_number(df1) and _is_number(df2)
        super().__init__(() if scalar else self.df1.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> FisherSnedecor:
        return self._expanded(
            FisherSnedecor, batch_shape, _instance, "df1", "df2", "_gamma1", "_gamma2"
        )  # type: ignore[no-any-return]

    @property
    def mean(self) -> Tensor:
        d2 = self.df2
        return npgrad.where(d2 > 2, d2 / (d2 - 2).clamp(min=_tiny(d2.dtype)), math.nan)

    @property
    def mode(self) -> Tensor:
        d1, d2 = self.df1, self.df2
        return npgrad.where(d1 > 2, (d1 - 2) / d1 * d2 / (d2 + 2), math.nan)

    @property
    def variance(self) -> Tensor:
        d1, d2 = self.df1, self.df2
        den = d1 * (d2 - 2).pow(2) * (d2 - 4).clamp(min=_tiny(d2.dtype))
        return npgrad.where(d2 > 4, 2 * d2.pow(2) * (d1 + d2 - 2) / den, math.nan)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        # (chi2(df1) / df1) / (chi2(df2) / df2); the gammas carry the 1 / (2 df) factors
        tiny = _tiny(self.df1.dtype)
        x1 = self._gamma1.rsample(sample_shape)
        x2 = self._gamma2.rsample(sample_shape).clamp(min=tiny)
        return (x1 / x2).clamp(min=tiny)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        ct1, ct2 = self.df1 * 0.5, self.df2 * 0.5
        ct3 = self.df1 / self.df2
        t1 = npgrad.lgamma(ct1 + ct2) - npgrad.lgamma(ct1) - npgrad.lgamma(ct2)
        t2 = ct1 * ct3.log() + (ct1 - 1) * value.log()
        t3 = (ct1 + ct2) * (ct3 * value).log1p()
        return t1 + t2 - t3


class GeneralizedPareto(Distribution):
    """The generalized Pareto distribution with location ``loc``, scale ``scale`` and shape
    ``concentration`` (xi): ``cdf = 1 - (1 + xi z)^(-1/xi)`` with ``z = (x - loc) / scale``
    (``1 - exp(-z)`` at ``xi = 0``). Its support is ``[loc, inf)`` for ``xi >= 0`` and
    ``[loc, loc - scale / xi]`` for ``xi < 0``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import GeneralizedPareto
    >>> d = GeneralizedPareto(0.0, 1.0, 0.0)  # a standard exponential
    >>> d.mean, d.log_prob(npgrad.tensor(0.5))
    (tensor(1.), tensor(-0.5000))
    """

    arg_constraints = {
        "loc": constraints.real,
        "scale": constraints.positive,
        "concentration": constraints.real,
    }
    has_rsample = True

    def __init__(
        self, loc: Any, scale: Any, concentration: Any, validate_args: bool | None = None
    ) -> None:
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        scalar = _is_number(loc) and _is_number(scale) and _is_number(concentration)
        super().__init__(() if scalar else self.loc.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> GeneralizedPareto:
        return self._expanded(
            GeneralizedPareto, batch_shape, _instance, "loc", "scale", "concentration"
        )  # type: ignore[no-any-return]

    def _xi_zero(self) -> Tensor:
        # |xi| <= 1e-8 takes the exponential limit, PyTorch's threshold (isclose to 0)
        return self.concentration.abs() <= 1e-8

    def _safe_xi(self) -> Tensor:
        # the xi = 0 branch is selected by `where`; a stand-in 1 keeps the other finite
        return npgrad.where(self._xi_zero(), 1.0, self.concentration)

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self) -> constraints.Constraint:
        xi = self.concentration
        upper = npgrad.where(xi < 0, self.loc - self.scale / self._safe_xi(), math.inf)
        return constraints.interval(self.loc, upper)

    @property
    def mean(self) -> Tensor:
        xi = self.concentration
        finite = self.loc + self.scale / (1 - npgrad.where(xi < 1, xi, 0.0))
        return npgrad.where(xi < 1, finite, math.inf)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        xi = self.concentration
        ok = xi < 0.5
        x = npgrad.where(ok, xi, 0.0)
        finite = self.scale.pow(2) / ((1 - x).pow(2) * (1 - 2 * x))
        return npgrad.where(ok, finite, math.inf)

    def _z(self, value: Tensor) -> Tensor:
        return (value - self.loc) / self.scale

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        return self.icdf(_uniform(shape, self.loc.dtype))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        xi_safe = self._safe_xi()
        general = -(1 + 1 / xi_safe) * (xi_safe * z).log1p()
        return -self.scale.log() + npgrad.where(self._xi_zero(), -z, general)

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        xi_safe = self._safe_xi()
        # log of the survival function, then 1 - exp of it without cancellation
        log_sf = npgrad.where(self._xi_zero(), -z, -(xi_safe * z).log1p() / xi_safe)
        return -log_sf.expm1()

    def icdf(self, value: Tensor) -> Tensor:
        xi_safe = self._safe_xi()
        log1mp = (-value).log1p()
        general = (-xi_safe * log1mp).expm1() / xi_safe
        return self.loc + self.scale * npgrad.where(self._xi_zero(), -log1mp, general)

    def entropy(self) -> Tensor:
        return self.scale.log() + self.concentration + 1
