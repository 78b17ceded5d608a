"""The LDL^T decomposition of symmetric (possibly indefinite) matrices, ``A = L D L^T`` with
symmetric pivoting: ``linalg.ldl_factor_ex``, ``linalg.ldl_factor`` and ``linalg.ldl_solve``.

NumPy has no ``sytrf``, so :func:`_sytf2` is LAPACK's unblocked Bunch-Kaufman diagonal
pivoting (``dsytf2``, lower triangle) written out, and :func:`_sytrs` its solver
(``dsytrs``): the compact ``LD`` and the 1-based ``pivots`` are LAPACK's (negative pivot pairs
mark 2x2 blocks of D), so they are the ones PyTorch returns. LAPACK's blocked ``sytrf`` makes the
same pivoting decisions, so results agree up to rounding.

PyTorch implements no derivative for these functions: their results require grad when the
input does, and a backward through them raises, as in PyTorch.
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
    matrix_arg,
    torch_name,
)
from npgrad.ops._decomposition_spectral import _result
from npgrad.ops._promote import tensor_arg
from npgrad.tensor import Tensor

__all__ = ["ldl_factor", "ldl_factor_ex", "ldl_solve"]

linalg_ldl_factor_result = _result("linalg_ldl_factor", "LD pivots", "linalg_ldl_factor_result")
linalg_ldl_factor_ex_result = _result(
    "linalg_ldl_factor_ex", "LD pivots info", "linalg_ldl_factor_ex_result"
)

# Bunch & Kaufman's constant: it bounds the element growth of the reduced matrices
_ALPHA = (1.0 + math.sqrt(17.0)) / 8.0


def _sytf2(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """LAPACK ``dsytf2`` (lower) on one matrix: the compact LD (only the lower triangle is
    read and written), the 1-based pivots and ``info`` (the first zero 1x1 block of D, 0 if
    none). Indices are 0-based; the variable names are LAPACK's."""
    a = a.copy()
    n = a.shape[0]
    one, alpha = a.dtype.type(1), a.dtype.type(_ALPHA)  # LAPACK's working precision
    piv = np.zeros(n, np.int32)
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = abs(a[k, k])
        if k < n - 1:
            imax = k + 1 + int(np.argmax(np.abs(a[k + 1 :, k])))  # first largest, as idamax
            colmax = abs(a[imax, k])
        else:
            imax, colmax = k, 0.0
        if max(absakk, colmax) == 0 or np.isnan(absakk):
            # a zero (or NaN) column: D[k, k] = 0, nothing to eliminate; LAPACK goes on
            info = info or k + 1
            kp = k
        else:
            if absakk >= alpha * colmax:
                kp = k
            else:
                # the largest off-diagonal entry of row/column imax in the trailing matrix
                rowmax = np.abs(a[imax, k:imax]).max()
                if imax < n - 1:
                    rowmax = max(rowmax, np.abs(a[imax + 1 :, imax]).max())
                if absakk >= alpha * colmax * (colmax / rowmax):
                    kp = k
                elif abs(a[imax, imax]) >= alpha * rowmax:
                    kp = imax
                else:
                    kp, kstep = imax, 2
            kk = k + kstep - 1
            if kp != kk:  # swap rows and columns kk and kp of the trailing (lower) matrix
                a[kp + 1 :, [kk, kp]] = a[kp + 1 :, [kp, kk]]
                t = a[kk + 1 : kp, kk].copy()
                a[kk + 1 : kp, kk] = a[kp, kk + 1 : kp]
                a[kp, kk + 1 : kp] = t
                a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]
                if kstep == 2:
                    a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]
            if kstep == 1:
                if k < n - 1:
                    # A22 -= x x^T / d (dsyr), then L's column x / d; only the lower
                    # triangle is ever read, so the upper one is updated too (and dropped)
                    d11 = one / a[k, k]
                    x = a[k + 1 :, k]
                    a[k + 1 :, k + 1 :] += np.multiply.outer(x, x * -d11)
                    a[k + 1 :, k] = x * d11
            elif k < n - 2:
                # W = [x_k, x_k+1] D^-1 with D the 2x2 block, written as dsytf2 does
                d21 = a[k + 1, k]
                d11 = a[k + 1, k + 1] / d21
                d22 = a[k, k] / d21
                t = one / (d11 * d22 - one)
                d21 = t / d21
                ck, ck1 = a[k + 2 :, k].copy(), a[k + 2 :, k + 1].copy()
                wk = d21 * (d11 * ck - ck1)
                wkp1 = d21 * (d22 * ck1 - ck)
                a[k + 2 :, k + 2 :] -= np.multiply.outer(ck, wk)
                a[k + 2 :, k + 2 :] -= np.multiply.outer(ck1, wkp1)
                a[k + 2 :, k] = wk
                a[k + 2 :, k + 1] = wkp1
        if kstep == 1:
            piv[k] = kp + 1
        else:
            piv[k] = piv[k + 1] = -(kp + 1)
        k += kstep
    return np.tril(a), piv, info


def _sytrs(ld: np.ndarray, piv: np.ndarray, b: np.ndarray) -> np.ndarray:
    """LAPACK ``dsytrs`` (lower) on one matrix: X with ``A X = B`` from ``_sytf2``'s LD and
    pivots; first ``L D Y = P^T B`` column block by block, then ``L^T P^T X = Y``."""
    x = b.copy()
    n = ld.shape[0]
    with np.errstate(all="ignore"):  # a zero block of D gives infinities/NaN, as LAPACK
        k = 0
        while k < n:
            if piv[k] > 0:
                kp = piv[k] - 1
                if kp != k:
                    x[[k, kp]] = x[[kp, k]]
                x[k + 1 :] -= np.multiply.outer(ld[k + 1 :, k], x[k])
                x[k] /= ld[k, k]
                k += 1
            else:
                kp = -piv[k] - 1
                if kp != k + 1:
                    x[[k + 1, kp]] = x[[kp, k + 1]]
                x[k + 2 :] -= np.multiply.outer(ld[k + 2 :, k], x[k])
                x[k + 2 :] -= np.multiply.outer(ld[k + 2 :, k + 1], x[k + 1])
                # the 2x2 block [[d_kk, d_k1k], [d_k1k, d_k1k1]], solved as dsytrs scales it
                akm1k = ld[k + 1, k]
                akm1 = ld[k, k] / akm1k
                ak = ld[k + 1, k + 1] / akm1k
                denom = akm1 * ak - ld.dtype.type(1)
                bkm1, bk = x[k] / akm1k, x[k + 1] / akm1k
                x[k] = (ak * bkm1 - bk) / denom
                x[k + 1] = (akm1 * bk - bkm1) / denom
                k += 2
        k = n - 1
        while k >= 0:
            if piv[k] > 0:
                x[k] -= ld[k + 1 :, k] @ x[k + 1 :]
                kp = piv[k] - 1
                if kp != k:
                    x[[k, kp]] = x[[kp, k]]
                k -= 1
            else:  # rows k - 1 and k hold a 2x2 block; LAPACK swapped row k
                x[k] -= ld[k + 1 :, k] @ x[k + 1 :]
                x[k - 1] -= ld[k + 1 :, k - 1] @ x[k + 1 :]
                kp = -piv[k] - 1
                if kp != k:
                    x[[k, kp]] = x[[kp, k]]
                k -= 2
    return x


def _flat(x: np.ndarray, core: int) -> np.ndarray:
    return x.reshape((math.prod(x.shape[: x.ndim - core]),) + x.shape[x.ndim - core :])


class LdlFactor(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = a.shape[-1]
        flat = _flat(a, 2)
        ld = np.empty_like(flat)
        piv = np.empty((flat.shape[0], n), np.int32)
        info = np.empty(flat.shape[0], np.int32)
        for b in range(flat.shape[0]):
            ld[b], piv[b], info[b] = _sytf2(flat[b])
        batch = a.shape[:-2]
        return ld.reshape(a.shape), piv.reshape(batch + (n,)), info.reshape(batch)

    @staticmethod
    def backward(ctx: Any, gld: Tensor, gpiv: Any, ginfo: Any) -> Any:
        raise RuntimeError(
            "derivative for linalg.ldl_factor_ex is not implemented (PyTorch has none)"
        )


def _factor(op: str, A: Any, check_errors: bool) -> tuple[Tensor, Tensor, Tensor]:  # noqa: N803
    a = matrix_arg(op, A)
    ld, piv, info = LdlFactor.apply(a)
    if check_errors and info._data.any():
        flat = info._data.reshape(-1)
        b = int(np.flatnonzero(flat)[0])
        i = int(flat[b])
        prefix = f"(Batch element {b}): " if a.ndim > 2 else ""
        raise LinAlgError(
            f"{op}: {prefix}The factorization could not be completed because the diagonal "
            f"element D[{i},{i}] is zero (the matrix is singular); linalg.ldl_factor_ex with "
            "check_errors=False reports this in info instead of raising"
        )
    return ld, piv, info


def ldl_factor_ex(input: Any, *, hermitian: bool = False, check_errors: bool = False) -> Any:  # noqa: A002
    """The LDL^T factorization ``A = L D L^T`` of a symmetric (possibly indefinite)
    matrix ``A`` (``input``, PyTorch's keyword name), or a batch ``(..., n, n)``, with
    Bunch-Kaufman pivoting, in LAPACK ``sytrf``'s compact form: a named tuple
    ``(LD, pivots, info)``.

    Only the lower triangle of ``A`` is read. ``L = P_1 L_1 P_2 L_2 ...`` is a product of
    interchanges and unit lower block factors, and D is block diagonal with 1x1 and 2x2
    blocks. ``LD`` holds the multipliers of the ``L_k`` below the diagonal and D's blocks on
    it (a 2x2 block's off-diagonal element just below it); its upper triangle is zero.
    ``pivots`` (int32) are LAPACK's 1-based interchanges: ``pivots[k] = p > 0`` is a 1x1
    block with rows and columns k and p - 1 swapped; two equal negative entries ``-p`` mark
    a 2x2 block whose second row was swapped with row p - 1. ``info`` (int32) is 0 on
    success, or the 1-based index of the first zero diagonal element of D (a singular
    matrix: the factorization is complete, but ``ldl_solve`` with it divides by zero); with
    ``check_errors=True`` that raises :class:`npgrad.linalg.LinAlgError`. ``hermitian``
    (for complex matrices in PyTorch) changes nothing for real ones. Not differentiable, as
    in PyTorch: a backward through it raises.

    Examples
    --------
    >>> import npgrad
    >>> A = npgrad.tensor([[0.0, 1.0], [1.0, 0.0]])  # indefinite: one 2x2 block
    >>> LD, pivots, info = npgrad.linalg.ldl_factor_ex(A)
    >>> LD, pivots, info
    (tensor([[0., 0.],
            [1., 0.]]), tensor([-2, -2], dtype=npgrad.int32), tensor(0, dtype=npgrad.int32))
    """
    return linalg_ldl_factor_ex_result(*_factor("linalg.ldl_factor_ex", input, bool(check_errors)))


def ldl_factor(input: Any, *, hermitian: bool = False) -> Any:  # noqa: A002
    """The compact LDL^T factorization of a symmetric matrix (or batch): a named tuple
    ``(LD, pivots)`` as :func:`ldl_factor_ex` returns it, raising
    :class:`npgrad.linalg.LinAlgError` when D has a zero on its diagonal (a singular matrix).

    Examples
    --------
    >>> import npgrad
    >>> A = npgrad.tensor([[4.0, 2.0], [2.0, -3.0]])
    >>> LD, pivots = npgrad.linalg.ldl_factor(A)
    >>> LD
    tensor([[ 4.0000,  0.0000],
            [ 0.5000, -4.0000]])
    >>> npgrad.linalg.ldl_solve(LD, pivots, npgrad.tensor([[6.0], [-1.0]]))
    tensor([[1.],
            [1.]])
    """
    ld, piv, _ = _factor("linalg.ldl_factor", input, True)
    return linalg_ldl_factor_result(ld, piv)


class LdlSolve(Function):
    @staticmethod
    def forward(ctx: Any, ld: np.ndarray, piv: np.ndarray, b: np.ndarray) -> np.ndarray:
        batch = np.broadcast_shapes(ld.shape[:-2], b.shape[:-2])
        lds = _flat(np.broadcast_to(ld, batch + ld.shape[-2:]), 2)
        pivs = _flat(np.broadcast_to(piv, batch + piv.shape[-1:]), 1)
        bs = _flat(np.broadcast_to(b, batch + b.shape[-2:]), 2)
        out = np.empty(bs.shape, b.dtype)
        for k in range(bs.shape[0]):
            out[k] = _sytrs(lds[k], pivs[k], bs[k])
        return out.reshape(batch + b.shape[-2:])

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Any:
        raise RuntimeError("derivative for linalg.ldl_solve is not implemented (PyTorch has none)")


def ldl_solve(LD: Any, pivots: Any, B: Any, *, hermitian: bool = False) -> Tensor:  # noqa: N803
    """The solution X of ``A X = B`` from the compact LDL^T factorization ``(LD, pivots)``
    of ``A`` (:func:`ldl_factor` or :func:`ldl_factor_ex`; pass the same ``hermitian``).

    ``B`` is a matrix or a batch ``(..., n, k)``; its batch dimensions broadcast with those of
    ``LD`` (``pivots`` has ``LD``'s batch dimensions). Not differentiable, as in PyTorch: a
    backward through it raises.

    Examples
    --------
    >>> import npgrad
    >>> A = npgrad.tensor([[1.0, 2.0], [2.0, 1.0]])
    >>> npgrad.linalg.ldl_solve(*npgrad.linalg.ldl_factor(A), npgrad.tensor([[3.0], [3.0]]))
    tensor([[1.],
            [1.]])
    """
    op = "linalg.ldl_solve"
    ld = matrix_arg(op, LD, "LD")
    piv = tensor_arg(op, pivots)
    b = tensor_arg(op, B)
    if piv.dtype.kind not in "iu":
        raise LinalgTypeError(f"{op}: Expected pivots to be integers. Got {torch_name(piv.dtype)}")
    if piv.shape != ld.shape[:-1]:
        raise ShapeError(
            f"{op}: Expected LD.shape[:-1] and pivots.shape to be the same, but got pivots "
            f"with shape {list(piv.shape)} and LD with shape {list(ld.shape)} instead"
        )
    if b.ndim < 2:
        raise ShapeError(
            f"{op}: The input tensor B must have at least 2 dimensions, got shape {list(b.shape)}"
        )
    if b.dtype != ld.dtype:
        raise LinalgTypeError(
            f"{op}: Expected LD and B to have the same dtype, but found B of type "
            f"{torch_name(b.dtype)} and LD of type {torch_name(ld.dtype)} instead"
        )
    n = ld.shape[-1]
    if b.shape[-2] != n:
        raise ShapeError(
            f"{op}: Incompatible matrix sizes: each LD matrix is {n} by {n} but each B matrix "
            f"is {b.shape[-2]} by {b.shape[-1]}"
        )
    try:
        np.broadcast_shapes(ld.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ShapeError(
            f"{op}: the batch dimensions of LD {list(ld.shape)} and B {list(b.shape)} cannot "
            "be broadcast together"
        ) from None
    p = np.abs(piv._data)
    if p.size and (p.min() < 1 or p.max() > n):
        raise LinalgValueError(
            f"{op}: pivots must satisfy 1 <= |pivot| <= {n} (LD.size(-2)); pass the pivots "
            "ldl_factor returned"
        )
    return LdlSolve.apply(ld, piv._data.astype(np.int64), b)  # type: ignore[no-any-return]
