"""The LU decomposition with partial pivoting, ``A = P L U``: ``linalg.lu_factor``,
``linalg.lu``, ``lu_unpack`` and ``linalg.lu_solve``.

NumPy has no LU routine, so the factorisation is ``_decomposition_core._getrf``: Gaussian
elimination one column at a time, vectorised over the batch, with LAPACK's ``getrf`` pivoting
rule (the first row of largest absolute value in the column); its pivots are LAPACK's,
1-based, as PyTorch reports them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgrad.autograd.function import Function
from npgrad.ops._decomposition_core import (
    LinAlgError,
    LinalgTypeError,
    LinalgValueError,
    ShapeError,
    SolveTriangular,
    _getrf,
    check_float,
    matrix_arg,
    mm,
    torch_name,
)
from npgrad.ops._decomposition_spectral import _result
from npgrad.ops._joining import cat
from npgrad.ops._promote import const, tensor_arg
from npgrad.tensor import Tensor

__all__ = ["LuFactor", "lu", "lu_factor", "lu_factor_ex", "lu_solve", "lu_unpack"]

linalg_lu_factor_result = _result("linalg_lu_factor", "LU pivots", "linalg_lu_factor_result")
linalg_lu_factor_ex_result = _result(
    "linalg_lu_factor_ex", "LU pivots info", "linalg_lu_factor_ex_result"
)
linalg_lu_result = _result("linalg_lu", "P L U", "linalg_lu_result")
lu_unpack_result = _result("lu_unpack", "P L U", "lu_unpack_result")


def _permutation(pivots: np.ndarray, m: int, dtype: np.dtype) -> np.ndarray:
    """P with A = P L U, from LAPACK's row interchanges."""
    batch = pivots.shape[:-1]
    flat: Any = pivots.reshape((math.prod(batch), pivots.shape[-1])) - 1
    perm = np.tile(np.arange(m), (flat.shape[0], 1))
    rows = np.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        p = flat[:, j]
        perm[rows, j], perm[rows, p] = perm[rows, p], perm[rows, j].copy()
    # row i of P^T A is row perm[i] of A, so P[perm[i], i] = 1
    out = np.zeros((flat.shape[0], m, m), dtype)
    out[rows[:, None], perm, np.arange(m)] = 1
    return out.reshape(batch + (m, m))


def _unpack_lu(lu: Tensor) -> tuple[Tensor, Tensor]:
    m, n = lu.shape[-2:]
    k = min(m, n)
    eye = const(np.eye(m, k, dtype=lu.dtype))
    return lu[..., :, :k].tril(-1) + eye, lu[..., :k, :].triu()


class LuFactor(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lu, pivots = _getrf(a)
        ctx.mark_non_differentiable(pivots)
        ctx.save_for_backward(lu, pivots)
        return lu, pivots

    @staticmethod
    def backward(ctx: Any, glu: Tensor, gpiv: Any) -> Tensor:
        # The LU backward of PyTorch's linalg_lu_backward (after Walter & Lehmann 2018): for
        # square A, gA = P L^-T [tril(L^T gL, -1) + triu(gU U^T)] U^-T; the tall and wide
        # cases add the blocks of L (U) beyond the square part.
        lu, pivots = ctx.saved_tensors
        m, n = lu.shape[-2:]
        k = min(m, n)
        low, up = _unpack_lu(lu)
        gl, gu = glu[..., :, :k].tril(-1), glu[..., :k, :].triu()
        perm = const(_permutation(pivots._data, m, lu.dtype))
        if m == n:
            g = (mm(low.mT, gl)).tril(-1) + (mm(gu, up.mT)).triu()
            g = SolveTriangular.apply(up, g.mT, True, False).mT  # g U^-T
            g = SolveTriangular.apply(low.mT, g, True, True)  # L^-T g
        elif m < n:  # wide: U = [U1 | U2]
            u1 = up[..., :, :k]
            g = (mm(low.mT, gl) - mm(gu, up.mT)).tril(-1)
            g = SolveTriangular.apply(u1, g.mT, True, False).mT  # g U1^-T
            g = cat([g + gu[..., :, :k], gu[..., :, k:]], -1)
            g = SolveTriangular.apply(low.mT, g, True, True)
        else:  # tall: L = [L1; L2]
            l1 = low[..., :k, :]
            g = (mm(gu, up.mT) - mm(low.mT, gl)).triu()
            g = SolveTriangular.apply(l1.mT, g, True, True)  # L1^-T g
            g = cat([g + gl[..., :k, :], gl[..., k:, :]], -2)
            g = SolveTriangular.apply(up, g.mT, True, False).mT  # g U^-T
        return mm(perm, g)


def _lu_arg(op: str, A: Any, pivot: bool) -> Tensor:  # noqa: N803
    t = tensor_arg(op, A)
    if t.ndim < 2:
        raise ShapeError(
            f"{op}: Expected tensor with 2 or more dimensions. Got size: {list(t.shape)} instead"
        )
    check_float(op, t)
    if not pivot:
        raise LinalgValueError(f"{op}: LU without pivoting is not implemented on the CPU")
    return t


def zero_pivot_info(lu: np.ndarray) -> np.ndarray:
    """LAPACK ``getrf``'s info per square LU factor: the (1-based) index of the first zero
    on U's diagonal, 0 if none."""
    zero = np.diagonal(lu, 0, -2, -1) == 0
    if zero.shape[-1] == 0:  # an empty matrix has no pivot to be zero
        return np.zeros(zero.shape[:-1], np.int32)
    return np.where(zero.any(-1), zero.argmax(-1) + 1, 0).astype(np.int32)


def _lu_factor(op: str, A: Any, pivot: bool, check_errors: bool) -> tuple[Tensor, Tensor, Tensor]:  # noqa: N803
    a = _lu_arg(op, A, pivot)
    lu, pivots = LuFactor.apply(a)
    k = min(a.shape[-2:])
    info = zero_pivot_info(lu._data[..., :k, :k])
    if check_errors and info.any():
        b = int(np.flatnonzero(info.reshape(-1))[0])
        i = int(info.reshape(-1)[b])
        prefix = f"(Batch element {b}): " if a.ndim > 2 else ""
        raise LinAlgError(
            f"{op}: {prefix}U[{i},{i}] is zero and using it on lu_solve would result in a "
            "division by zero. If you still want to perform the factorization, consider "
            "calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"
        )
    return lu, pivots, const(info)


def lu_factor(A: Any, *, pivot: bool = True) -> Any:  # noqa: N803
    """The LU decomposition of a matrix (or batch) with partial pivoting, in LAPACK's compact
    form: a named tuple ``(LU, pivots)``, ``LU`` holding L below its (implied, unit)
    diagonal and U on and above it, ``pivots`` the 1-based row interchanges (int32).
    A zero on U's diagonal (a singular matrix) raises :class:`npgrad.linalg.LinAlgError`.

    Examples
    --------
    >>> import npgrad
    >>> LU, pivots = npgrad.linalg.lu_factor(npgrad.tensor([[1.0, 2.0], [3.0, 4.0]]))
    >>> LU, pivots
    (tensor([[3.0000, 4.0000],
            [0.3333, 0.6667]]), tensor([2, 2], dtype=npgrad.int32))
    """
    lu, pivots, _ = _lu_factor("torch.linalg.lu_factor", A, pivot, True)
    return linalg_lu_factor_result(lu, pivots)


def lu_factor_ex(A: Any, *, pivot: bool = True, check_errors: bool = False) -> Any:  # noqa: N803
    """``lu_factor`` that reports a zero on U's diagonal in ``info`` instead of raising
    (unless ``check_errors``): a named tuple ``(LU, pivots, info)``, ``info`` the int32
    1-based index of the first zero diagonal element of each U, 0 when there is none.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.linalg.lu_factor_ex(npgrad.tensor([[1.0, 2.0], [2.0, 4.0]])).info
    tensor(2, dtype=npgrad.int32)
    """
    return linalg_lu_factor_ex_result(
        *_lu_factor("torch.linalg.lu_factor_ex", A, pivot, bool(check_errors))
    )


def lu_unpack(
    LU_data: Any, LU_pivots: Any, unpack_data: bool = True, unpack_pivots: bool = True
) -> Any:  # noqa: N803
    """``(P, L, U)`` from the compact LU form ``lu_factor`` returns (L and U are
    differentiable functions of ``LU_data``; empty tensors where not unpacked).

    Examples
    --------
    >>> import npgrad
    >>> P, L, U = npgrad.lu_unpack(*npgrad.linalg.lu_factor(npgrad.tensor([[1.0, 2.0], [3.0, 4.0]])))
    >>> P
    tensor([[0., 1.],
            [1., 0.]])
    """
    lu = tensor_arg("lu_unpack", LU_data)
    piv = tensor_arg("lu_unpack", LU_pivots)
    if piv.dtype.kind not in "iu":
        raise LinalgTypeError(
            f"lu_unpack: LU_pivots is expected to be an int tensor, got {piv.dtype}"
        )
    m = lu.shape[-2]
    empty = const(np.zeros((0,), lu.dtype))
    perm = const(_permutation(piv._data, m, lu.dtype)) if unpack_pivots else empty
    low, up = _unpack_lu(lu) if unpack_data else (empty, empty)
    return lu_unpack_result(perm, low, up)


def lu(A: Any, *, pivot: bool = True) -> Any:  # noqa: N803
    """The LU decomposition ``A = P L U`` with partial pivoting as a named tuple
    ``(P, L, U)``: P a permutation matrix, L unit lower triangular (m x k), U upper
    triangular (k x n), k = min(m, n). Singular matrices are allowed.

    Examples
    --------
    >>> import npgrad
    >>> P, L, U = npgrad.linalg.lu(npgrad.tensor([[1.0, 2.0], [3.0, 4.0]]))
    >>> L
    tensor([[1.0000, 0.0000],
            [0.3333, 1.0000]])
    """
    a = _lu_arg("linalg.lu", A, pivot)
    lu_data, pivots = LuFactor.apply(a)
    return linalg_lu_result(*lu_unpack(lu_data, pivots))


def lu_solve(LU: Any, pivots: Any, B: Any, *, left: bool = True, adjoint: bool = False) -> Tensor:  # noqa: N803
    """The solution X of ``A X = B`` (``left``) or ``X A = B`` from A's ``lu_factor``; with
    ``adjoint=True`` of ``A^T X = B`` (``X A^T = B``). Batch dimensions broadcast.

    Examples
    --------
    >>> import npgrad
    >>> A = npgrad.tensor([[2.0, 1.0], [1.0, 3.0]])
    >>> npgrad.linalg.lu_solve(*npgrad.linalg.lu_factor(A), npgrad.tensor([[3.0], [4.0]]))
    tensor([[1.],
            [1.]])
    """
    op = "linalg.lu_solve"
    lu = matrix_arg(op, LU, "LU")
    b = tensor_arg(op, B)
    if b.ndim < 2:
        raise ShapeError(f"{op}: The input tensor B must have at least 2 dimensions.")
    check_float(op, b)
    if b.dtype != lu.dtype:
        raise LinalgTypeError(
            f"{op}: Expected LU and B to have the same dtype, but found LU of type "
            f"{torch_name(lu.dtype)} and B of type {torch_name(b.dtype)} instead"
        )
    n = lu.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        raise ShapeError(
            f"{op}: Incompatible shapes of A and B for the equation "
            f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {b.shape[-2]}x{b.shape[-1]})"
        )
    perm, low, up = lu_unpack(lu, pivots)
    if not left:  # X A = B  <=>  A^T X^T = B^T
        return lu_solve(lu, pivots, b.mT, adjoint=not adjoint).mT
    if adjoint:  # A^T = U^T L^T P^T:  X = P L^-T U^-T B
        y = SolveTriangular.apply(up.mT, b, False, False)
        y = SolveTriangular.apply(low.mT, y, True, True)
        return mm(perm, y)
    y = SolveTriangular.apply(low, mm(perm.mT, b), False, True)  # X = U^-1 L^-1 P^T B
    return SolveTriangular.apply(up, y, True, False)  # type: ignore[no-any-return]
