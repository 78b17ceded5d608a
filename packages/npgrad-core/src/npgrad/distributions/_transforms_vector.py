"""Transforms acting on whole events (vectors and matrices): stick-breaking and softmax
onto the simplex, the lower-Cholesky map, reshaping, and batch-to-event reinterpretation.
Re-exported by :mod:`npgrad.distributions.transforms`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import npgrad
from npgrad.distributions import constraints
from npgrad.distributions.transforms import Transform
from npgrad.distributions.utils import _softplus, _sum_rightmost
from npgrad.tensor import Tensor

__all__ = [
    "CorrCholeskyTransform",
    "CumulativeDistributionTransform",
    "IndependentTransform",
    "PositiveDefiniteTransform",
    "LowerCholeskyTransform",
    "ReshapeTransform",
    "SoftmaxTransform",
    "StickBreakingTransform",
]


def _stick_offsets(n: int, plus: int, like: Tensor) -> Tensor:
    # n + plus - 1, n + plus - 2, ..., plus: the number of sticks left after each break
    return npgrad.arange(n + plus - 1, plus - 1, -1, dtype=like.dtype)


class StickBreakingTransform(Transform):
    """Map an unconstrained vector of length ``K - 1`` onto the ``K``-simplex by stick
    breaking: bijective, with a log-Jacobian (used by ``biject_to(simplex)``).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions.transforms import StickBreakingTransform
    >>> t = StickBreakingTransform()
    >>> t(npgrad.zeros(2))
    tensor([0.3333, 0.3333, 0.3333])
    """

    domain = constraints.real_vector
    codomain = constraints.simplex
    bijective = True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StickBreakingTransform)

    __hash__ = object.__hash__

    def _call(self, x: Tensor) -> Tensor:
        # shifting by log(offset) makes x = 0 the simplex's centre
        fi = np.finfo(x.dtype)
        z = npgrad.sigmoid(x - _stick_offsets(x.shape[-1], 1, x).log())
        z = z.clamp(min=float(fi.tiny), max=1.0 - float(fi.eps))
        z_cumprod = (1 - z).cumprod(-1)
        ones = npgrad.ones(x.shape[:-1] + (1,), dtype=x.dtype)
        return npgrad.cat([z, ones], -1) * npgrad.cat([ones, z_cumprod], -1)

    def _inverse(self, y: Tensor) -> Tensor:
        y_crop = y[..., :-1]
        offset = _stick_offsets(y_crop.shape[-1], 1, y)
        sf = (1 - y_crop.cumsum(-1)).clamp(min=float(np.finfo(y.dtype).tiny))
        return y_crop.log() - sf.log() + offset.log()

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        x = x - _stick_offsets(x.shape[-1], 1, x).log()
        return (-x - _softplus(-x) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return tuple(shape[:-1]) + (shape[-1] + 1,)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return tuple(shape[:-1]) + (shape[-1] - 1,)


def _corr_size(n: int) -> int:
    """``D`` with ``D (D - 1) / 2 == n``: the size of a correlation matrix whose strictly lower
    triangle holds ``n`` values."""
    d = int(round((1 + math.sqrt(1 + 8 * n)) / 2))
    if d * (d - 1) // 2 != n:
        raise ValueError(
            f"CorrCholeskyTransform: a vector of {n} values is not the strictly lower triangle "
            "of a square matrix (1, 3, 6, 10, ... values)"
        )
    return d


def _tril_positions(d: int) -> tuple[np.ndarray, np.ndarray]:
    """The strictly lower triangle's positions in row-major order, as ``(flat indices,
    (D, D) map from each position to 1 + its index in the vector, 0 elsewhere)``."""
    rows, cols = np.tril_indices(d, -1)
    where = np.zeros((d, d), np.int64)
    where[rows, cols] = np.arange(1, rows.size + 1)
    return rows * d + cols, where


class CorrCholeskyTransform(Transform):
    """Map an unconstrained vector of ``D (D - 1) / 2`` values onto the lower Cholesky factor
    of a ``D x D`` correlation matrix (positive diagonal, rows of unit norm): bijective, with
    a log-Jacobian (used by ``biject_to(corr_cholesky)`` and :class:`LKJCholesky`).

    ``tanh`` makes each value a partial correlation ``z`` in (-1, 1), placed row by row in the
    strictly lower triangle; row ``i`` is then ``z`` stick-broken from the unit norm:
    ``L[i, j] = z[i, j] sqrt(1 - Σ_{k<j} L[i, k]²)`` and ``L[i, i]`` what is left.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions.transforms import CorrCholeskyTransform
    >>> L = CorrCholeskyTransform()(npgrad.zeros(3))
    >>> L
    tensor([[1., 0., 0.],
            [0., 1., 0.],
            [0., 0., 1.]])
    """

    domain = constraints.real_vector
    codomain = constraints.corr_cholesky
    bijective = True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CorrCholeskyTransform)

    __hash__ = object.__hash__

    def _call(self, x: Tensor) -> Tensor:
        d = _corr_size(x.shape[-1])
        eps = float(np.finfo(x.dtype).eps)
        z = npgrad.tanh(x).clamp(min=-1 + eps, max=1 - eps)
        _, where = _tril_positions(d)
        padded = npgrad.cat([npgrad.zeros(x.shape[:-1] + (1,), dtype=x.dtype), z], -1)
        z = padded[..., where]  # the partial correlations, 0 on and above the diagonal
        # sqrt(1 - Σ_{k<j} L[i, k]²) as the running product of sqrt(1 - z[i, k]²), k < j
        left = (1 - z.pow(2)).sqrt().cumprod(-1)
        ones = npgrad.ones(z.shape[:-1] + (1,), dtype=x.dtype)
        return (z + npgrad.eye(d, dtype=x.dtype)) * npgrad.cat([ones, left[..., :-1]], -1)

    def _inverse(self, y: Tensor) -> Tensor:
        d = y.shape[-1]
        if y.ndim < 2 or y.shape[-2] != d:
            raise ValueError(
                f"CorrCholeskyTransform: expected square matrices, got shape {tuple(y.shape)}"
            )
        flat, _ = _tril_positions(d)
        z = y / self._left(y).sqrt()
        tiny = float(np.finfo(y.dtype).eps)
        z = z.reshape(y.shape[:-2] + (d * d,))[..., flat].clamp(min=-1 + tiny, max=1 - tiny)
        return npgrad.atanh(z)

    @staticmethod
    def _left(y: Tensor) -> Tensor:
        """``1 - Σ_{k<j} y[i, k]²`` for every ``(i, j)`` (clamped above 0)."""
        cum = y.pow(2).cumsum(-1)
        zeros = npgrad.zeros(y.shape[:-1] + (1,), dtype=y.dtype)
        shifted = npgrad.cat([zeros, cum[..., :-1]], -1)
        return (1 - shifted).clamp(min=float(np.finfo(y.dtype).tiny))

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        # dL[i, j] / dz[i, j] = sqrt(1 - Σ_{k<j} L[i, k]²) (a triangular Jacobian), times
        # tanh' = 1 - tanh² = 4 / (e^x + e^-x)²
        d = y.shape[-1]
        flat, _ = _tril_positions(d)
        left = self._left(y).reshape(y.shape[:-2] + (d * d,))[..., flat]
        tanh_part = 2 * (math.log(2.0) - x - _softplus(-2 * x))
        return (0.5 * left.log() + tanh_part).sum(-1)

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        d = _corr_size(shape[-1])
        return tuple(shape[:-1]) + (d, d)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(shape) < 2:
            raise ValueError("Too few dimensions on input")
        if shape[-1] != shape[-2]:
            raise ValueError(f"CorrCholeskyTransform: expected square matrices, got {shape}")
        d = shape[-1]
        return tuple(shape[:-2]) + (d * (d - 1) // 2,)


class SoftmaxTransform(Transform):
    """Softmax onto the simplex over the last dimension (not bijective: the inverse is
    ``log``, one of many pre-images; there is no log-Jacobian).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions.transforms import SoftmaxTransform
    >>> SoftmaxTransform()(npgrad.tensor([0.0, 0.0]))
    tensor([0.5000, 0.5000])
    """

    domain = constraints.real_vector
    codomain = constraints.simplex

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SoftmaxTransform)

    __hash__ = object.__hash__

    def _call(self, x: Tensor) -> Tensor:
        return npgrad.softmax(x, dim=-1)

    def _inverse(self, y: Tensor) -> Tensor:
        return y.log()


class LowerCholeskyTransform(Transform):
    """Map an unconstrained square matrix to a lower-triangular one with a positive
    diagonal: the strictly-lower part is kept and the diagonal exponentiated.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions.transforms import LowerCholeskyTransform
    >>> LowerCholeskyTransform()(npgrad.zeros(2, 2))
    tensor([[1., 0.],
            [0., 1.]])
    """

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.lower_cholesky

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LowerCholeskyTransform)

    __hash__ = object.__hash__

    def _call(self, x: Tensor) -> Tensor:
        return x.tril(-1) + npgrad.diag_embed(x.diagonal(dim1=-2, dim2=-1).exp())

    def _inverse(self, y: Tensor) -> Tensor:
        return y.tril(-1) + npgrad.diag_embed(y.diagonal(dim1=-2, dim2=-1).log())


class IndependentTransform(Transform):
    """Wrap ``base_transform`` so that ``reinterpreted_batch_ndims`` more rightmost
    dimensions count as one event (its log-Jacobian is summed over them).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions.transforms import ExpTransform, IndependentTransform
    >>> t = IndependentTransform(ExpTransform(), 1)
    >>> t.log_abs_det_jacobian(npgrad.tensor([1.0, 2.0]), None)
    tensor(3.)
    """

    def __init__(
        self, base_transform: Transform, reinterpreted_batch_ndims: int, cache_size: int = 0
    ) -> None:
        super().__init__(cache_size=cache_size)
        self.base_transform = base_transform.with_cache(cache_size)
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return IndependentTransform(
            self.base_transform, self.reinterpreted_batch_ndims, cache_size=cache_size
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, IndependentTransform)
            and self.base_transform == other.base_transform
            and self.reinterpreted_batch_ndims == other.reinterpreted_batch_ndims
        )

    __hash__ = object.__hash__

    @property
    def domain(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.independent(self.base_transform.domain, self.reinterpreted_batch_ndims)

    @property
    def codomain(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.independent(self.base_transform.codomain, self.reinterpreted_batch_ndims)

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return self.base_transform.bijective

    @property
    def sign(self) -> Any:
        return self.base_transform.sign

    def _call(self, x: Tensor) -> Tensor:
        if x.ndim < self.domain.event_dim:
            raise ValueError("Too few dimensions on input")
        return self.base_transform(x)

    def _inverse(self, y: Tensor) -> Tensor:
        if y.ndim < self.codomain.event_dim:
            raise ValueError("Too few dimensions on input")
        return self.base_transform.inv(y)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        result = self.base_transform.log_abs_det_jacobian(x, y)
        return _sum_rightmost(result, self.reinterpreted_batch_ndims)

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return self.base_transform.forward_shape(shape)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return self.base_transform.inverse_shape(shape)

    def __repr__(self) -> str:
        return f"IndependentTransform({self.base_transform!r}, {self.reinterpreted_batch_ndims})"


class ReshapeTransform(Transform):
    """Reshape the rightmost dimensions from ``in_shape`` to ``out_shape`` (same number of
    elements); volume-preserving, so its log-Jacobian is 0.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions.transforms import ReshapeTransform
    >>> ReshapeTransform((4,), (2, 2))(npgrad.zeros(3, 4)).shape
    npgrad.Size([3, 2, 2])
    """

    bijective = True

    def __init__(
        self, in_shape: tuple[int, ...], out_shape: tuple[int, ...], cache_size: int = 0
    ) -> None:
        self.in_shape = tuple(int(s) for s in in_shape)
        self.out_shape = tuple(int(s) for s in out_shape)
        if math.prod(self.in_shape) != math.prod(self.out_shape):
            raise ValueError("in_shape, out_shape have different numbers of elements")
        super().__init__(cache_size=cache_size)

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return ReshapeTransform(self.in_shape, self.out_shape, cache_size=cache_size)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ReshapeTransform)
            and self.in_shape == other.in_shape
            and self.out_shape == other.out_shape
        )

    __hash__ = object.__hash__

    @property
    def domain(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.independent(constraints.real, len(self.in_shape))

    @property
    def codomain(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.independent(constraints.real, len(self.out_shape))

    sign = +1  # type: ignore[assignment]

    def _call(self, x: Tensor) -> Tensor:
        batch_shape = x.shape[: x.ndim - len(self.in_shape)]
        return x.reshape(batch_shape + self.out_shape)

    def _inverse(self, y: Tensor) -> Tensor:
        batch_shape = y.shape[: y.ndim - len(self.out_shape)]
        return y.reshape(batch_shape + self.in_shape)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        batch_shape = x.shape[: x.ndim - len(self.in_shape)]
        return npgrad.zeros(batch_shape, dtype=x.dtype)

    def _check(self, shape: tuple[int, ...], inner: tuple[int, ...]) -> int:
        if len(shape) < len(inner):
            raise ValueError("Too few dimensions on input")
        cut = len(shape) - len(inner)
        if tuple(shape[cut:]) != inner:
            raise ValueError(f"Shape mismatch: expected {tuple(shape[cut:])} but got {inner}")
        return cut

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        cut = self._check(shape, self.in_shape)
        return tuple(shape[:cut]) + self.out_shape

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        cut = self._check(shape, self.out_shape)
        return tuple(shape[:cut]) + self.in_shape

    def __repr__(self) -> str:
        return f"ReshapeTransform(in_shape={self.in_shape}, out_shape={self.out_shape})"


class PositiveDefiniteTransform(Transform):
    """Map an unconstrained square matrix to a positive-definite one: ``L L^T`` with ``L``
    its :class:`LowerCholeskyTransform` image.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions.transforms import PositiveDefiniteTransform
    >>> PositiveDefiniteTransform()(npgrad.zeros(2, 2))
    tensor([[1., 0.],
            [0., 1.]])
    """

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.positive_definite

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PositiveDefiniteTransform)

    __hash__ = object.__hash__

    def _call(self, x: Tensor) -> Tensor:
        tril = LowerCholeskyTransform()(x)
        return tril @ tril.transpose(-1, -2)

    def _inverse(self, y: Tensor) -> Tensor:
        return LowerCholeskyTransform().inv(npgrad.linalg.cholesky(y))


class CumulativeDistributionTransform(Transform):
    """``y = distribution.cdf(x)``: maps the distribution's support onto the unit interval
    (its log-Jacobian is the log-density).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import Normal
    >>> from npgrad.distributions.transforms import CumulativeDistributionTransform
    >>> t = CumulativeDistributionTransform(Normal(0.0, 1.0))
    >>> t(npgrad.tensor([0.0])), t.inv(npgrad.tensor([0.5]))
    (tensor([0.5000]), tensor([0.]))
    """

    bijective = True
    codomain = constraints.unit_interval
    sign = +1  # type: ignore[assignment]

    def __init__(self, distribution: Any, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        self.distribution = distribution

    @property
    def domain(self) -> constraints.Constraint:  # type: ignore[override]
        return self.distribution.support  # type: ignore[no-any-return]

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return CumulativeDistributionTransform(self.distribution, cache_size=cache_size)

    def _call(self, x: Tensor) -> Tensor:
        return self.distribution.cdf(x)  # type: ignore[no-any-return]

    def _inverse(self, y: Tensor) -> Tensor:
        return self.distribution.icdf(y)  # type: ignore[no-any-return]

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return self.distribution.log_prob(x)  # type: ignore[no-any-return]
