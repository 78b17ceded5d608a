"""``npgrad.linalg``: PyTorch's ``torch.linalg`` namespace. The ops are defined in
:mod:`npgrad.ops.decomposition` (and :mod:`npgrad.ops.linalg` for the products).

Functions whose ``torch.linalg`` form differs from the top-level one of the same name
(``norm``, ``svd``, ``qr``, ``diagonal``, ``cross``) are the ``torch.linalg`` forms here. ``eig``/``eigvals`` (complex
results) are not provided: npgrad has no complex dtype.
"""

from __future__ import annotations

from npgrad.ops._decomposition_core import LinAlgError
from npgrad.ops._decomposition_ex import cholesky_ex, inv_ex, solve_ex
from npgrad.ops._decomposition_extra import householder_product, tensorinv, tensorsolve, vander
from npgrad.ops._decomposition_extra import linalg_cross as cross
from npgrad.ops._decomposition_extra import linalg_diagonal as diagonal
from npgrad.ops._decomposition_ldl import ldl_factor, ldl_factor_ex, ldl_solve
from npgrad.ops._decomposition_lu import lu, lu_factor, lu_factor_ex, lu_solve
from npgrad.ops._decomposition_norms import cond, matrix_norm, matrix_rank, pinv, vector_norm
from npgrad.ops._decomposition_norms import linalg_norm as norm
from npgrad.ops._decomposition_spectral import eigh, eigvalsh, lstsq, svdvals
from npgrad.ops._decomposition_spectral import linalg_qr as qr
from npgrad.ops._decomposition_spectral import linalg_svd as svd
from npgrad.ops.decomposition import (
    cholesky,
    det,
    inv,
    matrix_exp,
    matrix_power,
    multi_dot,
    slogdet,
    solve,
    solve_triangular,
    vecdot,
)
from npgrad.ops.linalg import matmul

__all__ = [
    "LinAlgError",
    "cholesky",
    "cholesky_ex",
    "cond",
    "cross",
    "det",
    "diagonal",
    "eigh",
    "eigvalsh",
    "householder_product",
    "inv",
    "inv_ex",
    "ldl_factor",
    "ldl_factor_ex",
    "ldl_solve",
    "lstsq",
    "lu",
    "lu_factor",
    "lu_factor_ex",
    "lu_solve",
    "matmul",
    "matrix_exp",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_ex",
    "solve_triangular",
    "svd",
    "svdvals",
    "tensorinv",
    "tensorsolve",
    "vander",
    "vecdot",
    "vector_norm",
]
