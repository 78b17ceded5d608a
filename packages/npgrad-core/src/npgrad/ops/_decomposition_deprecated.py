"""PyTorch's deprecated (but still present) top-level solvers: ``triangular_solve``, ``lu``
and ``lu_solve``, each a thin layer over its ``npgrad.linalg`` successor
(``linalg.solve_triangular``, ``linalg.lu_factor_ex``, ``linalg.lu_solve``) with the old
argument order and results, and PyTorch's deprecation warning.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from npgrad.ops._decomposition_core import (
    LinalgTypeError,
    ShapeError,
    SolveTriangular,
    check_float,
    matrix_arg,
    torch_name,
)
from npgrad.ops._decomposition_lu import _lu_factor
from npgrad.ops._decomposition_lu import lu_solve as linalg_lu_solve
from npgrad.ops._decomposition_spectral import _result
from npgrad.ops._promote import tensor_arg
from npgrad.tensor import Tensor

__all__ = ["lu", "lu_solve", "triangular_solve"]

triangular_solve_result = _result(
    "triangular_solve", "solution cloned_coefficient", "triangular_solve_result"
)
lu_with_info_result = _result("_lu_with_info", "LU pivots info", "lu_with_info_result")


def _deprecated(old: str, new: str) -> None:
    warnings.warn(
        f"npgrad.{old} is deprecated in favor of npgrad.{new} and will be removed in a future "
        "release (as in PyTorch)",
        UserWarning,
        stacklevel=3,
    )


def triangular_solve(
    input: Any,  # noqa: A002
    A: Any,  # noqa: N803
    upper: bool = True,
    transpose: bool = False,
    unitriangular: bool = False,
) -> Any:
    """Deprecated: use :func:`npgrad.linalg.solve_triangular` (arguments reversed). The
    solution X of ``A X = b`` (``b`` is ``input``; ``A^T X = b`` when ``transpose``) for
    triangular A, as a named tuple ``(solution, cloned_coefficient)``, the second a copy of
    A (all of it) broadcast to the batch shape. Only A's upper (``upper=True``, the
    default) or lower triangle is read, its diagonal taken to be ones when
    ``unitriangular``. Batch dimensions broadcast; differentiable in both tensors.

    Examples
    --------
    >>> import npgrad, warnings
    >>> A = npgrad.tensor([[2.0, 1.0], [0.0, 4.0]])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     npgrad.triangular_solve(npgrad.tensor([[3.0], [4.0]]), A).solution
    tensor([[1.],
            [1.]])
    """
    _deprecated("triangular_solve", "linalg.solve_triangular")
    op = "triangular_solve"
    a = matrix_arg(op, A)
    b = tensor_arg(op, input)
    if b.ndim < 2:
        raise ShapeError(
            f"{op}: Expected b to have at least 2 dimensions, but it has {b.ndim} dimensions "
            "instead"
        )
    check_float(op, b)
    if b.dtype != a.dtype:
        raise LinalgTypeError(
            f"{op}: Expected b and A to have the same dtype, but found b of type "
            f"{torch_name(b.dtype)} and A of type {torch_name(a.dtype)} instead"
        )
    n = a.shape[-1]
    if b.shape[-2] != n:
        raise ShapeError(
            f"{op}: Incompatible matrix sizes: each A matrix is {n} by {n} but each b matrix "
            f"is {b.shape[-2]} by {b.shape[-1]}"
        )
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ShapeError(
            f"{op}: the batch dimensions of b {list(b.shape)} and A {list(a.shape)} cannot be "
            "broadcast together"
        ) from None
    upper, unit = bool(upper), bool(unitriangular)
    if transpose:  # A^T is triangular the other way
        solution = SolveTriangular.apply(a.mT, b, not upper, unit)
    else:
        solution = SolveTriangular.apply(a, b, upper, unit)
    return triangular_solve_result(solution, a.expand(batch + (n, n)).clone())


def lu(A: Any, pivot: bool = True, get_infos: bool = False) -> Any:  # noqa: N803
    """Deprecated: use :func:`npgrad.linalg.lu_factor` (or ``lu_factor_ex`` for the infos).
    The LU factorization with partial pivoting of a matrix or batch ``(..., m, n)`` in
    compact form: a plain tuple ``(LU, pivots)``, or with ``get_infos=True`` a named tuple
    ``(LU, pivots, info)``. Singular matrices never raise (``info`` tells them). ``LU`` is
    differentiable, as in PyTorch.

    Examples
    --------
    >>> import npgrad, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     LU, pivots = npgrad.lu(npgrad.tensor([[1.0, 2.0], [3.0, 4.0]]))
    >>> pivots
    tensor([2, 2], dtype=npgrad.int32)
    """
    _deprecated("lu", "linalg.lu_factor")
    lu_data, pivots, info = _lu_factor("lu", A, bool(pivot), False)
    if get_infos:
        return lu_with_info_result(lu_data, pivots, info)
    return lu_data, pivots


def lu_solve(input: Any, LU_data: Any, LU_pivots: Any) -> Tensor:  # noqa: A002, N803
    """Deprecated: use :func:`npgrad.linalg.lu_solve` (arguments reordered). The solution X
    of ``A X = b`` (``b`` is ``input``, a matrix or batch) from A's ``linalg.lu_factor``
    ``(LU_data, LU_pivots)``; batch dimensions broadcast; differentiable in ``b`` and
    ``LU_data``.

    Examples
    --------
    >>> import npgrad, warnings
    >>> A = npgrad.tensor([[2.0, 1.0], [1.0, 3.0]])
    >>> LU, pivots = npgrad.linalg.lu_factor(A)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     npgrad.lu_solve(npgrad.tensor([[3.0], [4.0]]), LU, pivots)
    tensor([[1.],
            [1.]])
    """
    _deprecated("lu_solve", "linalg.lu_solve")
    return linalg_lu_solve(LU_data, LU_pivots, input)
