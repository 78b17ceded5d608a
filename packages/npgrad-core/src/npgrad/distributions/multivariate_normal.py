"""The multivariate normal distribution."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import npgrad
from npgrad.distributions import constraints
from npgrad.distributions.distribution import Distribution
from npgrad.distributions.utils import _standard_normal, lazy_property
from npgrad.tensor import Tensor

__all__ = ["MultivariateNormal"]


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else npgrad.as_tensor(x)


def _batch_mahalanobis(L: Tensor, x: Tensor) -> Tensor:  # noqa: N803
    """``x^T (L L^T)^{-1} x`` over broadcast batch dimensions, by one triangular solve."""
    n = x.shape[-1]
    batch = tuple(np.broadcast_shapes(L.shape[:-2], x.shape[:-1]))
    sol = npgrad.linalg.solve_triangular(
        L.expand(batch + (n, n)), x.expand(batch + (n,)).unsqueeze(-1), upper=False
    )
    return sol.squeeze(-1).pow(2).sum(-1)


def _half_log_det(L: Tensor) -> Tensor:  # noqa: N803
    return L.diagonal(dim1=-2, dim2=-1).log().sum(-1)


class MultivariateNormal(Distribution):
    """The multivariate normal distribution with mean ``loc`` and covariance given by
    exactly one of ``covariance_matrix``, ``precision_matrix`` or ``scale_tril`` (the
    lower Cholesky factor of the covariance, the cheapest to work with).

    Parameters
    ----------
    loc : Tensor
        Mean, shape ``(..., n)``.
    covariance_matrix, precision_matrix : Tensor, optional
        Positive-definite ``(..., n, n)`` matrices.
    scale_tril : Tensor, optional
        Lower-triangular ``(..., n, n)`` with a positive diagonal.
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import MultivariateNormal
    >>> d = MultivariateNormal(npgrad.zeros(2), covariance_matrix=npgrad.eye(2))
    >>> d.event_shape, d.log_prob(npgrad.zeros(2))
    ((2,), tensor(-1.8379))
    """

    arg_constraints = {
        "loc": constraints.real_vector,
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(
        self,
        loc: Any,
        covariance_matrix: Any = None,
        precision_matrix: Any = None,
        scale_tril: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        loc = _as_tensor(loc)
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [m is not None for m in (covariance_matrix, precision_matrix, scale_tril)]
        if sum(given) != 1:
            raise ValueError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                "specified."
            )
        if scale_tril is not None:
            matrix = _as_tensor(scale_tril)
            what = "scale_tril"
        elif covariance_matrix is not None:
            matrix = _as_tensor(covariance_matrix)
            what = "covariance_matrix"
        else:
            matrix = _as_tensor(precision_matrix)
            what = "precision_matrix"
        if matrix.ndim < 2:
            raise ValueError(
                f"{what} matrix must be at least two-dimensional, with optional leading batch "
                "dimensions"
            )
        if matrix.shape[-1] != matrix.shape[-2] or matrix.shape[-1] != loc.shape[-1]:
            raise ValueError(
                f"MultivariateNormal: {what} of shape {matrix.shape} must be square and match "
                f"loc of shape {loc.shape} in its last dimension"
            )
        try:
            batch_shape = tuple(np.broadcast_shapes(matrix.shape[:-2], loc.shape[:-1]))
        except ValueError:
            raise ValueError(
                f"MultivariateNormal: the batch shapes of loc {loc.shape} and {what} "
                f"{matrix.shape} do not broadcast"
            ) from None
        n = loc.shape[-1]
        setattr(self, what, matrix.expand(batch_shape + (n, n)))
        self.loc = loc.expand(batch_shape + (n,))
        super().__init__(batch_shape, (n,), validate_args=validate_args)
        if what == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif what == "covariance_matrix":
            self._unbroadcasted_scale_tril = npgrad.linalg.cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = npgrad.linalg.cholesky(npgrad.linalg.inv(matrix))

    def expand(self, batch_shape: Any, _instance: Any = None) -> MultivariateNormal:
        new = self._get_checked_instance(MultivariateNormal, _instance)
        batch_shape = tuple(batch_shape)
        loc_shape = batch_shape + self._event_shape
        cov_shape = batch_shape + self._event_shape + self._event_shape
        new.loc = self.loc.expand(loc_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, getattr(self, name).expand(cov_shape))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new  # type: ignore[no-any-return]

    @lazy_property
    def scale_tril(self) -> Tensor:
        shape = self._batch_shape + self._event_shape + self._event_shape
        return self._unbroadcasted_scale_tril.expand(shape)

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        L = self._unbroadcasted_scale_tril  # noqa: N806
        shape = self._batch_shape + self._event_shape + self._event_shape
        return (L @ L.transpose(-1, -2)).expand(shape)

    @lazy_property
    def precision_matrix(self) -> Tensor:
        shape = self._batch_shape + self._event_shape + self._event_shape
        return npgrad.cholesky_inverse(self._unbroadcasted_scale_tril).expand(shape)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        var = self._unbroadcasted_scale_tril.pow(2).sum(-1)
        return var.expand(self._batch_shape + self._event_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = _standard_normal(shape, self.loc.dtype)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        m = _batch_mahalanobis(self._unbroadcasted_scale_tril, diff)
        half_log_det = _half_log_det(self._unbroadcasted_scale_tril)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + m) - half_log_det

    def entropy(self) -> Tensor:
        half_log_det = _half_log_det(self._unbroadcasted_scale_tril)
        h = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + half_log_det
        return h.expand(self._batch_shape)
