"""Tensor's reductions (``sum``, ``mean``, ``max`` ...), scans (``cumsum``, ``diff``...),
statistics and sorting: :mod:`npgrad.ops.reduction`, ``extrema``, ``scan``, ``statistics``,
``sorting`` and the reductions of ``extras``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import npgrad
from npgrad import ops
from npgrad._methods.base import MethodsBase
from npgrad.ops._aliases import numpy_aliases

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["ReductionMethods"]


class ReductionMethods(MethodsBase):
    __slots__ = ()

    # ---- reductions (npgrad.ops.reduction) -----------------------------------------------
    @numpy_aliases
    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return ops.reduction.sum(self, dim, keepdim, dtype=dtype)

    @numpy_aliases
    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return ops.reduction.mean(self, dim, keepdim, dtype=dtype)

    @numpy_aliases
    def var(
        self,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
    ) -> Tensor:
        return ops.reduction.var(self, dim, unbiased, keepdim, correction=correction)

    @numpy_aliases
    def std(
        self,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
    ) -> Tensor:
        return ops.reduction.std(self, dim, unbiased, keepdim, correction=correction)

    @numpy_aliases
    def prod(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return ops.reduction.prod(self, dim, keepdim, dtype=dtype)

    @numpy_aliases
    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        return ops.reduction.logsumexp(self, dim, keepdim)

    @numpy_aliases
    def norm(
        self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
    ) -> Tensor:
        return ops.reduction.norm(self, p, dim, keepdim, dtype=dtype)

    @numpy_aliases
    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return ops.reduction.any(self, dim, keepdim)

    @numpy_aliases
    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return ops.reduction.all(self, dim, keepdim)

    # ---- extrema (npgrad.ops.extrema) ----------------------------------------------------
    @numpy_aliases
    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        return ops.extrema.max(self, dim, keepdim)

    @numpy_aliases
    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        return ops.extrema.min(self, dim, keepdim)

    @numpy_aliases
    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return ops.extrema.amax(self, dim, keepdim)

    @numpy_aliases
    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return ops.extrema.amin(self, dim, keepdim)

    @numpy_aliases
    def argmax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return ops.extrema.argmax(self, dim, keepdim)

    @numpy_aliases
    def argmin(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return ops.extrema.argmin(self, dim, keepdim)

    # ---- scans (npgrad.ops.scan) ---------------------------------------------------------
    @numpy_aliases
    def cumsum(self, dim: int, *, dtype: Any = None) -> Tensor:
        return ops.scan.cumsum(self, dim, dtype=dtype)

    @numpy_aliases
    def cumprod(self, dim: int, *, dtype: Any = None) -> Tensor:
        return ops.scan.cumprod(self, dim, dtype=dtype)

    @numpy_aliases
    def cummax(self, dim: int) -> Any:
        return ops.scan.cummax(self, dim)

    @numpy_aliases
    def cummin(self, dim: int) -> Any:
        return ops.scan.cummin(self, dim)

    @numpy_aliases
    def logcumsumexp(self, dim: int) -> Tensor:
        return ops.scan.logcumsumexp(self, dim)

    @numpy_aliases
    def cumsum_(self, dim: Any, *, dtype: Any = None) -> Tensor:
        return self._inplace("cumsum_", ops.scan.cumsum, dim, dtype=dtype)

    @numpy_aliases
    def cumprod_(self, dim: Any, *, dtype: Any = None) -> Tensor:
        return self._inplace("cumprod_", ops.scan.cumprod, dim, dtype=dtype)

    # ---- sorting (npgrad.ops.sorting) ----------------------------------------------------
    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        return ops.sorting.sort(self, dim, descending, stable)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        return ops.sorting.argsort(self, dim, descending, stable)

    def msort(self) -> Tensor:
        return ops.sorting.msort(self)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
        return ops.sorting.topk(self, k, dim, largest, sorted)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        return ops.sorting.kthvalue(self, k, dim, keepdim)

    def median(self, dim: int | None = None, keepdim: bool = False) -> Any:
        return ops.sorting.median(self, dim, keepdim)

    def nanmedian(self, dim: int | None = None, keepdim: bool = False) -> Any:
        return ops.sorting.nanmedian(self, dim, keepdim)

    def mode(self, dim: int = -1, keepdim: bool = False) -> Any:
        return ops.sorting.mode(self, dim, keepdim)

    def unique(
        self,
        sorted: bool = True,  # noqa: A002
        return_inverse: bool = False,
        return_counts: bool = False,
        dim: int | None = None,
    ) -> Any:
        return ops.sorting.unique(self, sorted, return_inverse, return_counts, dim)

    def unique_consecutive(
        self, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None
    ) -> Any:
        return ops.sorting.unique_consecutive(self, return_inverse, return_counts, dim)

    # ---- npgrad.ops.extras ---------------------------------------------------------------
    def bincount(self, weights: Any = None, minlength: int = 0) -> Tensor:
        return ops.extras.bincount(self, weights, minlength)

    @numpy_aliases
    def count_nonzero(self, dim: Any = None) -> Tensor:
        return ops.extras.count_nonzero(self, dim)

    @numpy_aliases
    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return ops.extras.nansum(self, dim, keepdim, dtype=dtype)

    @numpy_aliases
    def nanmean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return ops.extras.nanmean(self, dim, keepdim, dtype=dtype)

    # ---- npgrad.ops.other ----------------------------------------------------------------
    def diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
        return ops.other.diff(self, n, dim, prepend, append)

    # ---- statistics (npgrad.ops.statistics) ----------------------------------------------
    @numpy_aliases
    def quantile(
        self, q: Any, dim: Any = None, keepdim: bool = False, *, interpolation: str = "linear"
    ) -> Tensor:
        return ops.statistics.quantile(self, q, dim, keepdim, interpolation=interpolation)

    @numpy_aliases
    def nanquantile(
        self, q: Any, dim: Any = None, keepdim: bool = False, *, interpolation: str = "linear"
    ) -> Tensor:
        return ops.statistics.nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    def cov(self, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Tensor:
        return ops.statistics.cov(self, correction=correction, fweights=fweights, aweights=aweights)

    def corrcoef(self) -> Tensor:
        return ops.statistics.corrcoef(self)

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
        return ops.statistics.histc(self, bins, min, max)

    def histogram(
        self,
        bins: Any = 100,
        *,
        range: Any = None,  # noqa: A002
        weight: Any = None,
        density: bool = False,
    ) -> Any:
        return ops.statistics.histogram(self, bins, range=range, weight=weight, density=density)

    def dist(self, other: Any, p: float = 2.0) -> Tensor:
        return ops.statistics.dist(self, other, p)

    @numpy_aliases
    def aminmax(self, *, dim: Any = None, keepdim: bool = False) -> Any:
        return ops.statistics.aminmax(self, dim=dim, keepdim=keepdim)

    def renorm(self, p: float, dim: int, maxnorm: float) -> Tensor:
        return ops.statistics.renorm(self, p, dim, maxnorm)

    def renorm_(self, p: float, dim: int, maxnorm: float) -> Tensor:
        return self._inplace("renorm_", ops.statistics.renorm, p, dim, maxnorm)

    # ---- the reverse of expand -------------------------------------------------------------
    def sum_to_size(self: Any, *size: Any) -> Tensor:
        """The sum of this tensor down to ``size``, which must expand to this tensor's
        shape: the dimensions broadcasting would stretch or add are summed.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.ones(2, 3).sum_to_size(1, 3)
        tensor([[2., 2., 2.]])
        """
        shape = npgrad.creation._size("sum_to_size", size)
        ok = len(shape) <= self.ndim and all(
            s in (1, n) for s, n in zip(shape[::-1], self.shape[::-1])
        )
        if not ok:
            raise ValueError(
                f"sum_to_size: size {shape} is not expandable to size {tuple(self.shape)}"
            )
        return ops._broadcast.sum_to(self, shape)  # type: ignore[no-any-return]
