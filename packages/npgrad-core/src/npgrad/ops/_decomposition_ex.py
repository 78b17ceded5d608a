"""``linalg.cholesky_ex``, ``linalg.inv_ex`` and ``linalg.solve_ex``: PyTorch's ``*_ex`` forms,
which report a failed factorization per matrix in an int32 ``info`` (LAPACK's code: 0 for
success) instead of raising, unless ``check_errors=True``.

Each first runs the plain op on the whole batch; only when that fails are the failed matrices
found and replaced by the identity for a second run, so a batch that succeeds costs what the
plain op costs. For a failed matrix PyTorch returns LAPACK's partial result, which it
documents as undefined; npgrad returns NaN there (a documented difference). The other
matrices get the plain op's values and gradients.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from npgrad.ops._decomposition_core import (
    Cholesky,
    Inv,
    LinAlgError,
    _fails,
    _getrf,
    cholesky_order,
    matrix_arg,
)
from npgrad.ops._decomposition_lu import zero_pivot_info
from npgrad.ops._decomposition_spectral import _result
from npgrad.ops._promote import const
from npgrad.ops.comparison import where
from npgrad.ops.decomposition import _rhs, solve
from npgrad.tensor import Tensor

__all__ = ["cholesky_ex", "inv_ex", "solve_ex"]

linalg_cholesky_ex_result = _result("linalg_cholesky_ex", "L info", "linalg_cholesky_ex_result")
linalg_inv_ex_result = _result("linalg_inv_ex", "inverse info", "linalg_inv_ex_result")
linalg_solve_ex_result = _result("linalg_solve_ex", "result info", "linalg_solve_ex_result")


def _lu_info(a: np.ndarray) -> np.ndarray:
    """LAPACK ``getrf``'s info per matrix: the 1-based index of U's first zero pivot, 0 if
    none (the matrices ``inv`` and ``solve`` fail on). The pivots come from npgrad's own
    elimination (``_getrf``); a matrix that LAPACK finds singular where rounding left this
    elimination no exact zero (``[[1, 2, 3], [4, 5, 6], [7, 8, 9]]``) gets the index of its
    smallest pivot."""
    lu, _ = _getrf(a)
    info = zero_pivot_info(lu).reshape(-1)
    pivots = np.abs(np.diagonal(lu, 0, -2, -1)).reshape(-1, a.shape[-1])
    flat = a.reshape((-1,) + a.shape[-2:])
    for k in np.flatnonzero(info == 0):
        if _fails(np.linalg.inv, flat[k]):
            info[k] = int(pivots[k].argmin()) + 1
    return info.reshape(a.shape[:-2])


def _cholesky_info(a: np.ndarray) -> np.ndarray:
    flat = a.reshape((-1,) + a.shape[-2:])
    return np.array([cholesky_order(m) for m in flat], np.int32).reshape(a.shape[:-2])


def _run(
    run: Callable[[Tensor], Tensor],
    a: Tensor,
    info_of: Callable[[np.ndarray], np.ndarray],
    core: int,
) -> tuple[Tensor, Tensor]:
    """``run(a)`` and zero info; on a LinAlgError, ``run`` again on ``a`` with its failed
    matrices replaced by the identity, and NaN in their results (``core``: the result's
    dimensions per matrix)."""
    batch = a.shape[:-2]
    try:
        return run(a), const(np.zeros(batch, np.int32))
    except LinAlgError:
        info = info_of(a._data)
    failed = info != 0
    n = a.shape[-1]
    keep = const(~failed[..., None, None])
    out = run(where(keep, a, const(np.eye(n, dtype=a.dtype))))
    keep_out = const(~failed.reshape(batch + (1,) * core))
    return where(keep_out, out, const(np.array(np.nan, out.dtype))), const(info)


def _checked(op: str, run: Callable[[], Tensor], plain: str) -> Tensor:
    """``run()`` with its LinAlgError renamed from the plain op to ``op``."""
    try:
        return run()
    except LinAlgError as e:
        raise LinAlgError(str(e).replace(f"{plain}:", f"{op}:", 1)) from None


def cholesky_ex(A: Any, *, upper: bool = False, check_errors: bool = False) -> Any:  # noqa: N803
    """``linalg.cholesky`` that reports a matrix that is not positive-definite in ``info``
    instead of raising (unless ``check_errors``): a named tuple ``(L, info)``, ``info`` the
    int32 order of the first leading minor that is not positive-definite, 0 on success. The
    factor of such a matrix is NaN (PyTorch leaves it undefined).

    Examples
    --------
    >>> import npgrad
    >>> A = npgrad.tensor([[[4.0, 2.0], [2.0, 5.0]], [[1.0, 2.0], [2.0, 1.0]]])
    >>> npgrad.linalg.cholesky_ex(A).info
    tensor([0, 2], dtype=npgrad.int32)
    """
    op = "linalg.cholesky_ex"
    a = matrix_arg(op, A)
    up = bool(upper)

    def run(m: Tensor) -> Tensor:
        return Cholesky.apply(m, up)  # type: ignore[no-any-return]

    if check_errors:
        return linalg_cholesky_ex_result(
            _checked(op, lambda: run(a), "linalg.cholesky"), const(np.zeros(a.shape[:-2], np.int32))
        )
    src = (lambda x: np.swapaxes(x, -1, -2)) if up else (lambda x: x)
    return linalg_cholesky_ex_result(*_run(run, a, lambda x: _cholesky_info(src(x)), 2))


def inv_ex(A: Any, *, check_errors: bool = False) -> Any:  # noqa: N803
    """``linalg.inv`` that reports a singular matrix in ``info`` instead of raising (unless
    ``check_errors``): a named tuple ``(inverse, info)``, ``info`` the int32 1-based index of
    the first zero pivot of the matrix's LU factorization, 0 on success. The inverse of a
    singular matrix is NaN (PyTorch leaves it undefined).

    Examples
    --------
    >>> import npgrad
    >>> A = npgrad.tensor([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 0.0], [0.0, 2.0]]])
    >>> inverse, info = npgrad.linalg.inv_ex(A)
    >>> info
    tensor([2, 0], dtype=npgrad.int32)
    >>> inverse[1]
    tensor([[0.5000, 0.0000],
            [0.0000, 0.5000]])
    """
    op = "linalg.inv_ex"
    a = matrix_arg(op, A)

    def run(m: Tensor) -> Tensor:
        return Inv.apply(m)  # type: ignore[no-any-return]

    if check_errors:
        return linalg_inv_ex_result(
            _checked(op, lambda: run(a), "linalg.inv"), const(np.zeros(a.shape[:-2], np.int32))
        )
    return linalg_inv_ex_result(*_run(run, a, _lu_info, 2))


def solve_ex(A: Any, B: Any, *, left: bool = True, check_errors: bool = False) -> Any:  # noqa: N803
    """``linalg.solve`` that reports a singular A in ``info`` instead of raising (unless
    ``check_errors``): a named tuple ``(result, info)``, ``info`` per matrix of A as in
    :func:`inv_ex`. The solution for a singular matrix is NaN (PyTorch leaves it undefined).

    Examples
    --------
    >>> import npgrad
    >>> A = npgrad.tensor([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 0.0], [0.0, 2.0]]])
    >>> result, info = npgrad.linalg.solve_ex(A, npgrad.ones(2, 2))
    >>> result[1], info
    (tensor([0.5000, 0.5000]), tensor([2, 0], dtype=npgrad.int32))
    """
    op = "linalg.solve_ex"
    a = matrix_arg(op, A)
    lft = bool(left)
    _, vector = _rhs(op, a, B, lft)  # validates B (and tells the result's core dimensions)

    def run(m: Tensor) -> Tensor:
        return solve(m, B, left=lft)

    if check_errors:
        return linalg_solve_ex_result(
            _checked(op, lambda: run(a), "linalg.solve"), const(np.zeros(a.shape[:-2], np.int32))
        )
    return linalg_solve_ex_result(*_run(run, a, _lu_info, 1 if vector else 2))
