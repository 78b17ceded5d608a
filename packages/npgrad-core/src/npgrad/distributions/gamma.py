"""The gamma family: ``Gamma``, ``Chi2``, and the reparameterized standard gamma sampler
that ``Gamma``, ``Beta``, ``Dirichlet`` and ``StudentT`` draw through."""

from __future__ import annotations

from typing import Any

import numpy as np

import npgrad
from npgrad.autograd.function import Function, once_differentiable
from npgrad.distributions import constraints
from npgrad.distributions.exp_family import ExponentialFamily
from npgrad.distributions.utils import _generator, _is_number, broadcast_all
from npgrad.ops._special_kernels import gammainc_arrays, lgamma_array
from npgrad.tensor import Tensor

__all__ = ["Chi2", "Gamma"]


def _standard_gamma_grad_array(alpha: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``dx/dalpha`` of a standard gamma variate ``x`` at fixed CDF value (implicit
    reparameterization, Figurnov et al. 2018): ``-(dP(alpha, x)/dalpha) / pdf(x; alpha)``.

    ``dP/dalpha`` is a central difference of the regularized incomplete gamma function in
    float64, with a step of 1e-4 times the scale over which P varies in alpha (alpha itself
    when small, its square root -- the gamma's spread -- when large), for a truncation error
    near 1e-8 relative; it is taken on whichever of P and Q is smaller, so the tails do not
    lose their digits to cancellation near 1.
    """
    a = np.asarray(alpha, np.float64)
    x = np.asarray(x, np.float64)
    a, x = np.broadcast_arrays(a, x)
    h = 1e-4 * np.minimum(a, np.sqrt(a))
    p_hi, q_hi = gammainc_arrays(a + h, x)
    p_lo, q_lo = gammainc_arrays(a - h, x)
    p_mid, _ = gammainc_arrays(a, x)
    use_q = p_mid > 0.5
    dp = np.where(use_q, -(q_hi - q_lo), p_hi - p_lo) / (2 * h)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        log_pdf = (a - 1) * np.log(x) - x - lgamma_array(a)
        out = -dp / np.exp(log_pdf)
    return np.where(np.isfinite(out), out, 0.0)  # type: ignore[no-any-return]


class _StandardGamma(Function):
    """Gamma(alpha, 1) samples with the implicit-reparameterization gradient in alpha."""

    @staticmethod
    def forward(ctx: Any, alpha: np.ndarray) -> np.ndarray:
        draws = _generator().standard_gamma(alpha.astype(np.float64))
        out = draws.astype(alpha.dtype)
        # a zero sample would give -inf log-densities downstream; PyTorch clamps to tiny too
        out = np.maximum(out, np.finfo(alpha.dtype).tiny)
        ctx.save_for_backward(alpha, out)
        return out  # type: ignore[no-any-return]

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        alpha, x = ctx.saved_tensors
        dx = _standard_gamma_grad_array(alpha._data, x._data).astype(alpha.dtype)
        return grad * Tensor._make(dx, False, None)


def _standard_gamma(alpha: Tensor) -> Tensor:
    return _StandardGamma.apply(alpha)  # type: ignore[no-any-return]


class Gamma(ExponentialFamily):
    """The gamma distribution with shape ``concentration`` and rate ``rate``
    (density ``rate^c x^(c-1) exp(-rate x) / Gamma(c)``).

    ``rsample`` is differentiable in both parameters: in ``concentration`` through implicit
    reparameterization (first order only; a second derivative through a sample raises).

    Parameters
    ----------
    concentration, rate : float or Tensor
        Both > 0.
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Gamma
    >>> d = Gamma(2.0, 0.5)
    >>> d.mean, d.variance, d.log_prob(npgrad.tensor(1.0))
    (tensor(4.), tensor(8.), tensor(-1.8863))
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        scalar = _is_number(concentration) and _is_number(rate)
        super().__init__(() if scalar else self.concentration.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Gamma:
        return self._expanded(Gamma, batch_shape, _instance, "concentration", "rate")  # type: ignore[no-any-return]

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        value = _standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        return value

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        c, r = self.concentration, self.rate
        return npgrad.xlogy(c, r) + npgrad.xlogy(c - 1, value) - r * value - npgrad.lgamma(c)

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return npgrad.special.gammainc(self.concentration, self.rate * value)

    def entropy(self) -> Tensor:
        c = self.concentration
        return c - self.rate.log() + npgrad.lgamma(c) + (1.0 - c) * npgrad.digamma(c)

    # exponential family: t(x) = (log x, x), θ = (concentration - 1, -rate),
    # F(θ) = lgamma(θ₁ + 1) - (θ₁ + 1) log(-θ₂)
    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:  # type: ignore[override]
        return npgrad.lgamma(x + 1) - (x + 1) * (-y).log()

    _mean_carrier_measure = 0.0


class Chi2(Gamma):
    """The chi-squared distribution with ``df`` degrees of freedom: ``Gamma(df / 2, 1 / 2)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Chi2
    >>> d = Chi2(npgrad.tensor([1.0, 4.0]))
    >>> d.mean, d.variance
    (tensor([1., 4.]), tensor([2., 8.]))
    """

    arg_constraints = {"df": constraints.positive}  # type: ignore[dict-item]

    def __init__(self, df: Any, validate_args: bool | None = None) -> None:
        (df,) = broadcast_all(df)
        super().__init__(0.5 * df, npgrad.full_like(df, 0.5), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Chi2:
        new = self._get_checked_instance(Chi2, _instance)
        return super().expand(batch_shape, new)  # type: ignore[return-value]

    @property
    def df(self) -> Tensor:
        return self.concentration * 2

    def __repr__(self) -> str:
        df = self.df
        return f"Chi2(df: {(df.item() if df.ndim == 0 else df) if df.numel() == 1 else df.shape})"
