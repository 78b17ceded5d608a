"""Randomized low-rank decompositions: ``svd_lowrank`` and ``pca_lowrank``.

``svd_lowrank`` is the randomized range finder of Halko, Martinsson and Tropp (2009): multiply
``A`` by a random ``(n, q)`` Gaussian matrix, orthonormalize the product (QR), refine that basis
with ``niter`` power iterations (each re-orthonormalized, for stability), project ``A`` onto it
and take the exact SVD of that small ``(q, n)`` projection. Everything is composed of npgrad's
differentiable ops (matmul, QR, SVD), so gradients flow through it like through any op.
The random matrix comes from npgrad's default generator: ``npgrad.manual_seed`` makes the
results repeatable.
"""

from __future__ import annotations

import operator
from typing import Any

from npgrad.ops._decomposition_core import matrix_arg
from npgrad.ops._decomposition_spectral import linalg_qr, linalg_svd
from npgrad.tensor import Tensor

__all__ = ["pca_lowrank", "svd_lowrank"]


def _count(op: str, name: str, value: Any) -> int:
    try:
        k = operator.index(value)
    except TypeError:
        raise TypeError(f"{op}: {name} must be an int, got {type(value).__name__}") from None
    if k < 0:
        raise ValueError(f"{op}: {name} must be a non-negative int, got {k}")
    return k


def svd_lowrank(
    A: Any,  # noqa: N803
    q: int | None = 6,
    niter: int = 2,
    M: Any = None,  # noqa: N803
) -> tuple[Tensor, Tensor, Tensor]:
    """An approximate SVD ``(U, S, V)`` of a low-rank matrix (or batch): ``A ≈ U diag(S) Vᵀ``,
    with ``q`` singular triplets (``q`` is clipped to ``min(m, n)``). With ``M`` (broadcastable
    to ``A``), the SVD of ``A - M``. ``niter`` power iterations sharpen the result when the
    singular values decay slowly. Randomized (see the module notes): for a matrix of rank at
    most ``q`` it is exact up to rounding.

    Examples
    --------
    >>> import npgrad
    >>> _ = npgrad.manual_seed(0)
    >>> a = npgrad.randn(6, 2, dtype=npgrad.float64) @ npgrad.randn(2, 5, dtype=npgrad.float64)
    >>> U, S, V = npgrad.svd_lowrank(a, q=2)
    >>> U.shape, S.shape, V.shape
    (npgrad.Size([6, 2]), npgrad.Size([2]), npgrad.Size([5, 2]))
    >>> bool(npgrad.allclose(U @ npgrad.diag(S) @ V.T, a))
    True
    """
    a = matrix_arg("svd_lowrank", A, square=False)
    q = _count("svd_lowrank", "q", 6 if q is None else q)
    niter = _count("svd_lowrank", "niter", niter)
    if M is not None:
        a = a - matrix_arg("svd_lowrank", M, name="M", square=False)
    m, n = a.shape[-2:]
    if m < n:  # the range finder works on the taller of A and Aᵀ
        v, s, u = svd_lowrank(a.mT, q, niter)
        return u, s, v
    q = min(q, n)
    from npgrad.random import randn  # npgrad.random imports the op modules

    omega = randn(*a.shape[:-2], n, q, dtype=a.dtype)
    basis = linalg_qr(a @ omega).Q
    for _ in range(niter):
        basis = linalg_qr(a.mT @ basis).Q
        basis = linalg_qr(a @ basis).Q
    u, s, vh = linalg_svd(basis.mT @ a, full_matrices=False)
    return basis @ u, s, vh.mT


def pca_lowrank(
    A: Any,  # noqa: N803
    q: int | None = None,
    center: bool = True,
    niter: int = 2,
) -> tuple[Tensor, Tensor, Tensor]:
    """Principal component analysis of the rows of ``A`` (``(*, m, n)``: ``m`` samples of ``n``
    features): ``svd_lowrank`` of ``A`` minus its column means (``center=False``: of ``A``
    itself). ``V``'s columns are the principal directions, ``S² / (m - 1)`` the variances along
    them, and ``A @ V[:, :k]`` projects onto the first ``k``. ``q`` defaults to
    ``min(6, m, n)`` and must lie in ``[0, min(m, n)]``.

    Examples
    --------
    >>> import npgrad
    >>> _ = npgrad.manual_seed(0)
    >>> x = npgrad.randn(100, 1) * npgrad.tensor([[3.0, 1.0]]) + 0.01 * npgrad.randn(100, 2)
    >>> U, S, V = npgrad.pca_lowrank(x, q=2)
    >>> V[:, 0].abs().round(decimals=2)  # the direction of most variance: (3, 1) / sqrt(10)
    tensor([0.9500, 0.3200])
    """
    a = matrix_arg("pca_lowrank", A, square=False)
    m, n = a.shape[-2:]
    q = min(6, m, n) if q is None else _count("pca_lowrank", "q", q)
    if q > min(m, n):
        raise ValueError(f"pca_lowrank: q (={q}) must not be greater than min(m, n) = {min(m, n)}")
    if not isinstance(center, bool):
        raise TypeError(f"pca_lowrank: center must be a bool, got {type(center).__name__}")
    mean = a.mean(dim=-2, keepdim=True) if center else None
    return svd_lowrank(a, q, niter, mean)
