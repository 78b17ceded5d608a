"""Tensor's products and decompositions (``matmul``, ``mm``, ``addmm``, ``cross``,
``cholesky``...): :mod:`npgrad.ops.linalg`, ``products``, ``decomposition`` and the products
of ``extras`` and ``other``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from npgrad import ops
from npgrad._methods.base import MethodsBase

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["LinalgMethods"]


class LinalgMethods(MethodsBase):
    __slots__ = ()

    # ---- operators -----------------------------------------------------------------------
    def __matmul__(self, other: Any) -> Tensor:
        return ops.linalg.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return ops.linalg.matmul(other, self)

    # ---- matrix products (npgrad.ops.linalg) ---------------------------------------------
    def matmul(self, other: Any) -> Tensor:
        return ops.linalg.matmul(self, other)

    # the arguments have PyTorch's names (``x.mm(mat2=...)``)
    def mm(self, mat2: Any) -> Tensor:
        return ops.linalg.mm(self, mat2)

    def bmm(self, mat2: Any) -> Tensor:
        return ops.linalg.bmm(self, mat2)

    def mv(self, vec: Any) -> Tensor:
        return ops.linalg.mv(self, vec)

    def dot(self, tensor: Any) -> Tensor:
        return ops.linalg.dot(self, tensor)

    def outer(self, vec2: Any) -> Tensor:
        return ops.linalg.outer(self, vec2)

    # ---- npgrad.ops.other ----------------------------------------------------------------
    def cross(self, other: Any, dim: int | None = None) -> Tensor:
        return ops.other.cross(self, other, dim)

    def kron(self, other: Any) -> Tensor:
        return ops.other.kron(self, other)

    # ---- npgrad.ops.extras ---------------------------------------------------------------
    def addmm(self, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return ops.extras.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addmm_(self, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace("addmm_", ops.extras.addmm, mat1, mat2, beta=beta, alpha=alpha)

    def addmv(self, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return ops.extras.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def addmv_(self, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace("addmv_", ops.extras.addmv, mat, vec, beta=beta, alpha=alpha)

    def baddbmm(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return ops.extras.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def baddbmm_(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace("baddbmm_", ops.extras.baddbmm, batch1, batch2, beta=beta, alpha=alpha)

    # ---- more products (npgrad.ops.products) ---------------------------------------------
    def ger(self, vec2: Any) -> Tensor:
        return ops.products.ger(self, vec2)

    def inner(self, other: Any) -> Tensor:
        return ops.products.inner(self, other)

    def vdot(self, other: Any) -> Tensor:
        return ops.products.vdot(self, other)

    def addr(self, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return ops.products.addr(self, vec1, vec2, beta=beta, alpha=alpha)

    def addr_(self, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace("addr_", ops.products.addr, vec1, vec2, beta=beta, alpha=alpha)

    def addbmm(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return ops.products.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addbmm_(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace("addbmm_", ops.products.addbmm, batch1, batch2, beta=beta, alpha=alpha)

    # ---- decompositions and solvers (npgrad.ops.decomposition) ---------------------------
    def inverse(self) -> Tensor:
        return ops.decomposition.inverse(self)

    def det(self) -> Tensor:
        return ops.decomposition.det(self)

    def slogdet(self) -> Any:
        return ops.decomposition.slogdet(self)

    def logdet(self) -> Tensor:
        return ops.decomposition.logdet(self)

    def matrix_power(self, n: int) -> Tensor:
        return ops.decomposition.matrix_power(self, n)

    def matrix_exp(self) -> Tensor:
        return ops.decomposition.matrix_exp(self)

    def cholesky(self, upper: bool = False) -> Tensor:
        return ops.decomposition.cholesky(self, upper)

    def cholesky_solve(self, input2: Any, upper: bool = False) -> Tensor:
        return ops.decomposition.cholesky_solve(self, input2, upper)

    def cholesky_inverse(self, upper: bool = False) -> Tensor:
        return ops.decomposition.cholesky_inverse(self, upper)

    def pinverse(self, rcond: float = 1e-15) -> Tensor:
        return ops.decomposition.pinverse(self, rcond)

    def svd(self, some: bool = True, compute_uv: bool = True) -> Any:
        return ops.decomposition.svd(self, some, compute_uv)

    def qr(self, some: bool = True) -> Any:
        return ops.decomposition.qr(self, some)

    def geqrf(self) -> Any:
        return ops.decomposition.geqrf(self)

    def orgqr(self, input2: Any) -> Tensor:
        return ops.decomposition.orgqr(self, input2)

    def ormqr(self, input2: Any, input3: Any, left: bool = True, transpose: bool = False) -> Tensor:
        return ops.decomposition.ormqr(self, input2, input3, left, transpose)

    # PyTorch's deprecated solvers (they warn, as PyTorch's do)
    def triangular_solve(
        self, A: Any, upper: bool = True, transpose: bool = False, unitriangular: bool = False
    ) -> Any:  # noqa: N803
        return ops.decomposition.triangular_solve(self, A, upper, transpose, unitriangular)

    def lu(self, pivot: bool = True, get_infos: bool = False) -> Any:
        return ops.decomposition.lu(self, pivot, get_infos)

    def lu_solve(self, LU_data: Any, LU_pivots: Any) -> Tensor:  # noqa: N803
        return ops.decomposition.lu_solve(self, LU_data, LU_pivots)
