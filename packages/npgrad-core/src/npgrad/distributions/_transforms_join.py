"""Transforms applied piecewise: ``CatTransform`` (consecutive slices along a dimension, as
:func:`npgrad.cat` joins them) and ``StackTransform`` (one transform per index of a
dimension, as :func:`npgrad.stack`). Re-exported by :mod:`npgrad.distributions.transforms`."""

from __future__ import annotations

from typing import Any

import npgrad
from npgrad.distributions import constraints
from npgrad.distributions.transforms import Transform
from npgrad.distributions.utils import _sum_rightmost
from npgrad.tensor import Tensor

__all__ = ["CatTransform", "StackTransform"]


def _transforms(op: str, tseq: Any, cache_size: int) -> list[Transform]:
    tseq = list(tseq)
    for t in tseq:
        if not isinstance(t, Transform):
            raise TypeError(
                f"{op}: every element of tseq must be a Transform, got {type(t).__name__}"
            )
    return [t.with_cache(cache_size) for t in tseq]


class CatTransform(Transform):
    """Transform ``tseq[i]`` applied to the ``i``-th of consecutive slices of ``x`` along
    ``dim``, of ``lengths[i]`` elements (1 each by default); the results are joined by
    :func:`npgrad.cat`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions.transforms import CatTransform, ExpTransform, identity_transform
    >>> t = CatTransform([ExpTransform(), identity_transform], dim=0, lengths=[1, 2])
    >>> t(npgrad.tensor([0.0, 5.0, 6.0]))
    tensor([1., 5., 6.])
    """

    def __init__(self, tseq: Any, dim: int = 0, lengths: Any = None, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        self.transforms = _transforms("CatTransform", tseq, cache_size)
        self.lengths = [1] * len(self.transforms) if lengths is None else [int(n) for n in lengths]
        if len(self.lengths) != len(self.transforms):
            raise ValueError(
                f"CatTransform: {len(self.lengths)} lengths for {len(self.transforms)} transforms"
            )
        self.dim = dim

    @property
    def length(self) -> int:
        return sum(self.lengths)

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return CatTransform(self.transforms, self.dim, self.lengths, cache_size)

    @property
    def event_dim(self) -> int:
        return max(t.event_dim for t in self.transforms)

    @property
    def domain(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.cat([t.domain for t in self.transforms], self.dim, self.lengths)

    @property
    def codomain(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.cat([t.codomain for t in self.transforms], self.dim, self.lengths)

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return all(t.bijective for t in self.transforms)

    def _pieces(self, v: Tensor, op: str) -> list[Tensor]:
        if not -v.ndim <= self.dim < v.ndim:
            raise IndexError(
                f"CatTransform: dim {self.dim} is out of range for an input of shape "
                f"{tuple(v.shape)}"
            )
        if v.shape[self.dim] != self.length:
            raise ValueError(
                f"CatTransform: {op} of shape {tuple(v.shape)} has {v.shape[self.dim]} "
                f"elements along dim {self.dim}, the lengths {self.lengths} add up to {self.length}"
            )
        pieces, start = [], 0
        for n in self.lengths:
            pieces.append(v.narrow(self.dim, start, n))
            start += n
        return pieces

    def _call(self, x: Tensor) -> Tensor:
        return npgrad.cat(
            [t(p) for t, p in zip(self.transforms, self._pieces(x, "input"))], self.dim
        )

    def _inverse(self, y: Tensor) -> Tensor:
        return npgrad.cat(
            [t.inv(p) for t, p in zip(self.transforms, self._pieces(y, "value"))], self.dim
        )

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        ldjs = []
        for t, xp, yp in zip(self.transforms, self._pieces(x, "input"), self._pieces(y, "value")):
            ldj = t.log_abs_det_jacobian(xp, yp)
            ldjs.append(_sum_rightmost(ldj, self.event_dim - t.event_dim))
        # slices of a batch dimension keep their own log-Jacobians; slices of an event are summed
        dim = (self.dim - x.ndim if self.dim >= 0 else self.dim) + self.event_dim
        if dim < 0:
            return npgrad.cat(ldjs, dim)
        total = ldjs[0]
        for ldj in ldjs[1:]:
            total = total + ldj
        return total

    def __repr__(self) -> str:
        return f"CatTransform({self.transforms!r}, dim={self.dim}, lengths={self.lengths})"


class StackTransform(Transform):
    """Transform ``tseq[i]`` applied to ``x.select(dim, i)``; the results are joined by
    :func:`npgrad.stack`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions.transforms import ExpTransform, StackTransform, identity_transform
    >>> t = StackTransform([ExpTransform(), identity_transform], dim=1)
    >>> t(npgrad.tensor([[0.0, 5.0]]))
    tensor([[1., 5.]])
    """

    def __init__(self, tseq: Any, dim: int = 0, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        self.transforms = _transforms("StackTransform", tseq, cache_size)
        self.dim = dim

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return StackTransform(self.transforms, self.dim, cache_size)

    @property
    def event_dim(self) -> int:
        return self.domain.event_dim

    @property
    def domain(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.stack([t.domain for t in self.transforms], self.dim)

    @property
    def codomain(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.stack([t.codomain for t in self.transforms], self.dim)

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return all(t.bijective for t in self.transforms)

    def _slices(self, v: Tensor, op: str) -> list[Tensor]:
        if not -v.ndim <= self.dim < v.ndim:
            raise IndexError(
                f"StackTransform: dim {self.dim} is out of range for an input of shape "
                f"{tuple(v.shape)}"
            )
        if v.shape[self.dim] != len(self.transforms):
            raise ValueError(
                f"StackTransform: {op} of shape {tuple(v.shape)} has {v.shape[self.dim]} "
                f"slices along dim {self.dim} for {len(self.transforms)} transforms"
            )
        return [v.select(self.dim, i) for i in range(len(self.transforms))]

    def _call(self, x: Tensor) -> Tensor:
        return npgrad.stack(
            [t(s) for t, s in zip(self.transforms, self._slices(x, "input"))], self.dim
        )

    def _inverse(self, y: Tensor) -> Tensor:
        return npgrad.stack(
            [t.inv(s) for t, s in zip(self.transforms, self._slices(y, "value"))], self.dim
        )

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        pairs = zip(self.transforms, self._slices(x, "input"), self._slices(y, "value"))
        return npgrad.stack([t.log_abs_det_jacobian(xs, ys) for t, xs, ys in pairs], self.dim)

    def __repr__(self) -> str:
        return f"StackTransform({self.transforms!r}, dim={self.dim})"
