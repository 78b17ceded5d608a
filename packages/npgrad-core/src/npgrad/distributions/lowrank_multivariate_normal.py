"""The multivariate normal with a low-rank-plus-diagonal covariance ``W W^T + D``."""

from __future__ import annotations

import math
from typing import Any

import npgrad
from npgrad.distributions import constraints
from npgrad.distributions.distribution import Distribution
from npgrad.distributions.multivariate_normal import _batch_mahalanobis
from npgrad.distributions.utils import _standard_normal, lazy_property
from npgrad.tensor import Tensor

__all__ = ["LowRankMultivariateNormal"]


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else npgrad.as_tensor(x)


def _mv(m: Tensor, v: Tensor) -> Tensor:
    return (m @ v.unsqueeze(-1)).squeeze(-1)


def _capacitance_tril(w: Tensor, d: Tensor) -> Tensor:
    """Cholesky factor of the ``m x m`` capacitance matrix ``I + W^T D^-1 W`` (Woodbury)."""
    m = w.shape[-1]
    wt_dinv = w.transpose(-1, -2) / d.unsqueeze(-2)
    k = wt_dinv @ w + npgrad.eye(m, dtype=w.dtype)
    return npgrad.linalg.cholesky(k)


def _lowrank_logdet(w: Tensor, d: Tensor, cap_tril: Tensor) -> Tensor:
    # matrix determinant lemma: det(W W^T + D) = det(I + W^T D^-1 W) det(D)
    return 2 * cap_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1) + d.log().sum(-1)


def _lowrank_mahalanobis(w: Tensor, d: Tensor, x: Tensor, cap_tril: Tensor) -> Tensor:
    # Woodbury: x^T (W W^T + D)^-1 x = x^T D^-1 x - |C^-1 W^T D^-1 x|^2, C C^T the capacitance
    wt_dinv = w.transpose(-1, -2) / d.unsqueeze(-2)
    wt_dinv_x = _mv(wt_dinv, x)
    return (x.pow(2) / d).sum(-1) - _batch_mahalanobis(cap_tril, wt_dinv_x)


class LowRankMultivariateNormal(Distribution):
    """A multivariate normal with covariance ``cov_factor @ cov_factor.T + diag(cov_diag)``:
    ``log_prob`` and sampling cost O(n m^2) instead of O(n^3) for rank ``m``.

    Parameters
    ----------
    loc : Tensor
        Mean, shape ``(..., n)``.
    cov_factor : Tensor
        Shape ``(..., n, m)``.
    cov_diag : Tensor
        Positive, shape ``(..., n)``.
    validate_args : bool, optional

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import LowRankMultivariateNormal
    >>> d = LowRankMultivariateNormal(npgrad.zeros(2), npgrad.tensor([[1.0], [0.0]]), npgrad.ones(2))
    >>> d.covariance_matrix
    tensor([[2., 0.],
            [0., 1.]])
    """

    arg_constraints = {
        "loc": constraints.real_vector,
        "cov_factor": constraints.independent(constraints.real, 2),
        "cov_diag": constraints.independent(constraints.positive, 1),
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(
        self, loc: Any, cov_factor: Any, cov_diag: Any, validate_args: bool | None = None
    ) -> None:
        loc, cov_factor, cov_diag = _as_tensor(loc), _as_tensor(cov_factor), _as_tensor(cov_diag)
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        event_shape = loc.shape[-1:]
        if cov_factor.ndim < 2:
            raise ValueError(
                "cov_factor must be at least two-dimensional, with optional leading batch "
                "dimensions"
            )
        if cov_factor.shape[-2:-1] != event_shape:
            raise ValueError(
                f"cov_factor must be a batch of matrices with shape {event_shape[0]} x m"
            )
        if cov_diag.shape[-1:] != event_shape:
            raise ValueError(f"cov_diag must be a batch of vectors with shape {event_shape}")
        loc_, cov_diag_ = loc.unsqueeze(-1), cov_diag.unsqueeze(-1)
        try:
            loc_, self.cov_factor, cov_diag_ = npgrad.broadcast_tensors(loc_, cov_factor, cov_diag_)
        except ValueError:
            raise ValueError(
                f"Incompatible batch shapes: loc {loc.shape}, cov_factor {cov_factor.shape}, "
                f"cov_diag {cov_diag.shape}"
            ) from None
        self.loc = loc_[..., 0]
        self.cov_diag = cov_diag_[..., 0]
        batch_shape = self.loc.shape[:-1]
        self._unbroadcasted_cov_factor = cov_factor
        self._unbroadcasted_cov_diag = cov_diag
        super().__init__(batch_shape, event_shape, validate_args=validate_args)
        self._capacitance_tril = _capacitance_tril(cov_factor, cov_diag)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LowRankMultivariateNormal:
        new = self._get_checked_instance(LowRankMultivariateNormal, _instance)
        batch_shape = tuple(batch_shape)
        loc_shape = batch_shape + self._event_shape
        new.loc = self.loc.expand(loc_shape)
        new.cov_diag = self.cov_diag.expand(loc_shape)
        new.cov_factor = self.cov_factor.expand(loc_shape + self.cov_factor.shape[-1:])
        new._unbroadcasted_cov_factor = self._unbroadcasted_cov_factor
        new._unbroadcasted_cov_diag = self._unbroadcasted_cov_diag
        new._capacitance_tril = self._capacitance_tril
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new  # type: ignore[no-any-return]

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @lazy_property
    def variance(self) -> Tensor:
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        return (w.pow(2).sum(-1) + d).expand(self._batch_shape + self._event_shape)

    @lazy_property
    def scale_tril(self) -> Tensor:
        # D^1/2 chol(I + D^-1/2 W W^T D^-1/2): one n x n Cholesky, well conditioned
        n = self._event_shape[0]
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        sqrt_d = d.sqrt().unsqueeze(-1)
        dw = w / sqrt_d
        k = dw @ dw.transpose(-1, -2) + npgrad.eye(n, dtype=w.dtype)
        tril = sqrt_d * npgrad.linalg.cholesky(k)
        return tril.expand(self._batch_shape + self._event_shape + self._event_shape)

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        cov = w @ w.transpose(-1, -2) + npgrad.diag_embed(d)
        return cov.expand(self._batch_shape + self._event_shape + self._event_shape)

    @lazy_property
    def precision_matrix(self) -> Tensor:
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        wt_dinv = w.transpose(-1, -2) / d.unsqueeze(-2)
        a = npgrad.linalg.solve_triangular(self._capacitance_tril, wt_dinv, upper=False)
        prec = npgrad.diag_embed(d.reciprocal()) - a.transpose(-1, -2) @ a
        return prec.expand(self._batch_shape + self._event_shape + self._event_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        eps_w = _standard_normal(shape[:-1] + w.shape[-1:], self.loc.dtype)
        eps_d = _standard_normal(shape, self.loc.dtype)
        return self.loc + _mv(w, eps_w) + d.sqrt() * eps_d

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        m = _lowrank_mahalanobis(w, d, diff, self._capacitance_tril)
        log_det = _lowrank_logdet(w, d, self._capacitance_tril)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + log_det + m)

    def entropy(self) -> Tensor:
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        log_det = _lowrank_logdet(w, d, self._capacitance_tril)
        h = 0.5 * (self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + log_det)
        return h.expand(self._batch_shape)
