"""The Wishart distribution over positive-definite matrices."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

import npgrad
from npgrad.distributions import constraints
from npgrad.distributions.distribution import Distribution
from npgrad.distributions.exp_family import ExponentialFamily
from npgrad.distributions.gamma import Chi2
from npgrad.distributions.utils import _standard_normal, lazy_property
from npgrad.tensor import Tensor

__all__ = ["Wishart"]

_LOG_2 = math.log(2)


def _mvdigamma(x: Tensor, p: int) -> Tensor:
    """The multivariate digamma: sum over i < p of digamma(x - i / 2)."""
    offsets = npgrad.arange(p, dtype=x.dtype) / 2
    return npgrad.digamma(x.unsqueeze(-1) - offsets).sum(-1)


class Wishart(ExponentialFamily):
    """The Wishart distribution with ``df`` degrees of freedom and scale matrix given by
    exactly one of ``covariance_matrix``, ``precision_matrix`` or ``scale_tril``: the law of
    ``sum_k x_k x_k^T`` for ``df`` normal vectors of that covariance.

    Samples use the Bartlett decomposition and are differentiable in the scale matrix
    (and, through the chi-squared draws, in ``df``).

    Parameters
    ----------
    df : float or Tensor
        Degrees of freedom, greater than ``n - 1`` for ``n x n`` matrices.
    covariance_matrix, precision_matrix, scale_tril : Tensor, optional
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Wishart
    >>> d = Wishart(3.0, covariance_matrix=npgrad.eye(2))
    >>> d.mean
    tensor([[3., 0.],
            [0., 3.]])
    >>> d.log_prob(npgrad.eye(2))
    tensor(-3.5310)
    """

    arg_constraints = {
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
        "df": constraints.greater_than(0),
    }
    support = constraints.positive_definite
    has_rsample = True

    def __init__(
        self,
        df: Any,
        covariance_matrix: Any = None,
        precision_matrix: Any = None,
        scale_tril: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        given = [m is not None for m in (covariance_matrix, precision_matrix, scale_tril)]
        if sum(given) != 1:
            raise ValueError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                "specified."
            )
        what = ("covariance_matrix", "precision_matrix", "scale_tril")[given.index(True)]
        param = (covariance_matrix, precision_matrix, scale_tril)[given.index(True)]
        param = param if isinstance(param, Tensor) else npgrad.as_tensor(param)
        if param.ndim < 2:
            raise ValueError(
                f"{what} must be at least two-dimensional, with optional leading batch dimensions"
            )
        if param.shape[-1] != param.shape[-2]:
            raise ValueError(f"Wishart: {what} must be square, got shape {param.shape}")
        if isinstance(df, numbers.Number):
            batch_shape = param.shape[:-2]
            self.df = npgrad.full(batch_shape, float(df), dtype=param.dtype)  # type: ignore[arg-type]
        else:
            df = df if isinstance(df, Tensor) else npgrad.as_tensor(df)
            batch_shape = tuple(np.broadcast_shapes(param.shape[:-2], df.shape))
            self.df = df.expand(batch_shape)
        event_shape = param.shape[-2:]
        p = event_shape[-1]
        if bool((self.df <= p - 1).any()):
            raise ValueError(f"Value of df={df} expected to be greater than ndim - 1 = {p - 1}.")
        setattr(self, what, param.expand(batch_shape + event_shape))
        if what == "scale_tril":
            self._unbroadcasted_scale_tril = param
        elif what == "covariance_matrix":
            self._unbroadcasted_scale_tril = npgrad.linalg.cholesky(param)
        else:
            self._unbroadcasted_scale_tril = npgrad.linalg.cholesky(npgrad.linalg.inv(param))
        super().__init__(batch_shape, event_shape, validate_args=validate_args)
        # the Bartlett decomposition's diagonal: chi-squared with df, df - 1, ..., df - p + 1
        self._dist_chi2 = Chi2(self.df.unsqueeze(-1) - npgrad.arange(p, dtype=self.df.dtype))

    def expand(self, batch_shape: Any, _instance: Any = None) -> Wishart:
        new = self._get_checked_instance(Wishart, _instance)
        batch_shape = tuple(batch_shape)
        cov_shape = batch_shape + self._event_shape
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril.expand(cov_shape)
        new.df = self.df.expand(batch_shape)
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, getattr(self, name).expand(cov_shape))
        new._dist_chi2 = self._dist_chi2.expand(batch_shape + self._event_shape[-1:])
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new  # type: ignore[no-any-return]

    @lazy_property
    def scale_tril(self) -> Tensor:
        return self._unbroadcasted_scale_tril.expand(self._batch_shape + self._event_shape)

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        L = self._unbroadcasted_scale_tril  # noqa: N806
        cov = L @ L.transpose(-1, -2)
        return cov.expand(self._batch_shape + self._event_shape)

    @lazy_property
    def precision_matrix(self) -> Tensor:
        prec = npgrad.cholesky_inverse(self._unbroadcasted_scale_tril)
        return prec.expand(self._batch_shape + self._event_shape)

    def _df_matrix(self) -> Tensor:
        return self.df.reshape(self._batch_shape + (1, 1))

    @property
    def mean(self) -> Tensor:
        return self._df_matrix() * self.covariance_matrix

    @property
    def mode(self) -> Tensor:
        factor = self.df - self._event_shape[-1] - 1
        factor = npgrad.where(factor <= 0, math.nan, factor)  # no mode for df <= n + 1
        return factor.reshape(self._batch_shape + (1, 1)) * self.covariance_matrix

    @property
    def variance(self) -> Tensor:
        v = self.covariance_matrix
        diag = v.diagonal(dim1=-2, dim2=-1)
        return self._df_matrix() * (v.pow(2) + diag.unsqueeze(-1) * diag.unsqueeze(-2))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        p = self._event_shape[-1]
        dtype = self.df.dtype
        eps = float(np.finfo(dtype).eps)
        diag = self._dist_chi2.rsample(sample_shape).sqrt().clamp(min=eps)
        lower = _standard_normal(shape, dtype) * npgrad.ones(p, p, dtype=dtype).tril(-1)
        noise = npgrad.diag_embed(diag) + lower
        chol = self._unbroadcasted_scale_tril @ noise
        return chol @ chol.transpose(-1, -2)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        nu = self.df
        p = self._event_shape[-1]
        L = self._unbroadcasted_scale_tril  # noqa: N806
        half_log_det = L.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        return (
            -nu * (p * _LOG_2 / 2 + half_log_det)
            - npgrad.mvlgamma(nu / 2, p=p)
            + (nu - p - 1) / 2 * npgrad.linalg.slogdet(value).logabsdet
            - npgrad.cholesky_solve(value, L).diagonal(dim1=-2, dim2=-1).sum(-1) / 2
        )

    def entropy(self) -> Tensor:
        nu = self.df
        p = self._event_shape[-1]
        half_log_det = self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        return (
            (p + 1) * (p * _LOG_2 / 2 + half_log_det)
            + npgrad.mvlgamma(nu / 2, p=p)
            - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p)
            + nu * p / 2
        )

    # exponential family: t(X) = (X, log|X|), θ = (-precision / 2, (df - p - 1) / 2),
    # F(θ) = -(θ₂ + (p + 1)/2) log|-θ₁| + mvlgamma(θ₂ + (p + 1)/2, p)
    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        p = self._event_shape[-1]
        return (-0.5 * self.precision_matrix, 0.5 * (self.df - p - 1))

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:  # type: ignore[override]
        p = self._event_shape[-1]
        half_df = y + (p + 1) / 2
        return -half_df * npgrad.linalg.slogdet(-x).logabsdet + npgrad.mvlgamma(half_df, p=p)

    _mean_carrier_measure = 0.0
