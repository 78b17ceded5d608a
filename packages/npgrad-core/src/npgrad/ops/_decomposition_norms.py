"""Norms and the functions built from singular values: ``vector_norm``, ``matrix_norm``,
``linalg.norm`` (PyTorch's ``torch.linalg.norm``, whose defaults differ from ``torch.norm``),
``pinv``/``pinverse``, ``matrix_rank`` and ``cond``.

All are compositions of differentiable ops (``norm``, ``amax``, ``svdvals``, the ``Pinv``
Function), so their gradients follow from those, ties of ``amax`` split evenly as in PyTorch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgrad.ops._decomposition_core import (
    Inv,
    LinalgTypeError,
    LinalgValueError,
    ShapeError,
    check_float,
    matrix_arg,
)
from npgrad.ops._decomposition_spectral import Pinv, svdvals
from npgrad.ops._promote import const, tensor_arg
from npgrad.ops.comparison import where
from npgrad.ops.reduction import norm as _vector_p_norm
from npgrad.tensor import Tensor

__all__ = [
    "cond",
    "linalg_norm",
    "matrix_norm",
    "matrix_rank",
    "pinv",
    "pinverse",
    "vector_norm",
]


def vector_norm(
    x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """The vector ``ord``-norm of ``x`` over ``dim`` (every element when ``dim`` is None):
    ``ord`` is any number, ``inf``, ``-inf``, or 0 (the count of nonzero elements).

    The gradient is 0 where the norm is 0, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([[3.0, -4.0], [0.0, 0.0]])
    >>> npgrad.linalg.vector_norm(x), npgrad.linalg.vector_norm(x, 1, dim=1)
    (tensor(5.), tensor([7., 0.]))
    """
    t = tensor_arg("linalg.vector_norm", x)
    check_float("linalg.vector_norm", t, half=True)
    if isinstance(ord, (str, bool, np.bool_)):
        raise LinalgTypeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    if dtype is not None:
        t = t.to(dtype)
    return _vector_p_norm(t, float(ord), dim, keepdim)


def _matrix_dims(op: str, dim: Any, ndim: int) -> tuple[int, int]:
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise ShapeError(f"{op}: dim must be a 2-tuple. Got {dim}")
    d0, d1 = (int(d) for d in dim)
    for d in (d0, d1):
        if not -ndim <= d < ndim:
            raise IndexError(
                f"{op}: Dimension out of range (expected to be in range of [{-ndim}, "
                f"{ndim - 1}], but got {d})"
            )
    d0, d1 = d0 % ndim, d1 % ndim
    if d0 == d1:
        raise ShapeError(f"{op}: dims must be different. Got ({d0}, {d1})")
    return d0, d1


_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


def matrix_norm(
    A: Any,  # noqa: N803
    ord: Any = "fro",
    dim: Any = (-2, -1),
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """A matrix norm of ``A`` (or of each matrix of a batch) over the two dimensions ``dim``:
    ``'fro'`` (Frobenius), ``'nuc'`` (nuclear: the sum of the singular values), ``2``/``-2``
    (largest/smallest singular value), ``1``/``-1`` (max/min column sum of ``|A|``) or
    ``inf``/``-inf`` (max/min row sum).

    Examples
    --------
    >>> import npgrad
    >>> A = npgrad.tensor([[1.0, -2.0], [3.0, 4.0]])
    >>> npgrad.linalg.matrix_norm(A, 1), npgrad.linalg.matrix_norm(A, float("inf"))
    (tensor(6.), tensor(7.))
    """
    op = "linalg.matrix_norm"
    # float16 is refused only by the singular-value norms (as in PyTorch), checked below
    t = matrix_arg(op, A, square=False, half=True)
    if dtype is not None:
        t = t.to(dtype)
    if (
        isinstance(ord, (bool, np.bool_))
        or not isinstance(ord, (str, int, float, np.number))
        or ord not in _MATRIX_ORDS
    ):
        kind = "Invalid norm" if isinstance(ord, str) else "Order"
        raise LinalgValueError(f"{op}: {kind} {ord} not supported.")
    d0, d1 = _matrix_dims(op, dim, t.ndim)
    if ord == "fro":
        return _vector_p_norm(t, 2.0, (d0, d1), keepdim)
    if ord in (1, -1, math.inf, -math.inf):
        # ±1: extreme column sum (sum over rows, d0); ±inf: extreme row sum (sum over d1)
        s_dim, e_dim = (d0, d1) if abs(ord) == 1 else (d1, d0)
        sums = t.abs().sum(s_dim, keepdim=True)
        if ord > 0:
            # the largest of no sums is 0, as PyTorch's (vector_norm's inf-norm of nothing)
            empty = sums.shape[e_dim] == 0
            out = sums.sum(e_dim, keepdim=True) if empty else sums.amax(e_dim, keepdim=True)
        else:
            out = sums.amin(e_dim, keepdim=True)
        return out if keepdim else out.squeeze((d0, d1) if d0 < d1 else (d1, d0))
    # singular-value norms: the two dims moved last
    check_float(op, t)
    moved = t.movedim((d0, d1), (-2, -1))
    s = svdvals(moved)
    if ord == "nuc" or (ord == 2 and s.shape[-1] == 0):  # no singular values: 2-norm 0
        out = s.sum(-1)
    else:
        out = s[..., 0] if ord == 2 else s[..., -1]
    if keepdim:
        for d in sorted((d0, d1)):
            out = out.unsqueeze(d)
    return out


def linalg_norm(
    A: Any,  # noqa: N803
    ord: Any = None,
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """A vector or matrix norm, as ``torch.linalg.norm`` decides: with ``dim`` an int a
    vector norm, with ``dim`` a 2-tuple a matrix norm; with ``dim=None`` the 2-norm of the
    flattened input when ``ord`` is None, otherwise a vector norm for 1-D and a matrix norm
    for 2-D input. (``npgrad.norm``, like ``torch.norm``, is a vector norm only.)

    Examples
    --------
    >>> import npgrad
    >>> A = npgrad.tensor([[1.0, -2.0], [3.0, 4.0]])
    >>> npgrad.linalg.norm(A, 1), npgrad.linalg.norm(A, 1, dim=1)
    (tensor(6.), tensor([3., 7.]))
    """
    t = tensor_arg("linalg.norm", A)
    check_float("linalg.norm", t, half=True)
    if dim is not None:
        dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
        if len(dims) == 1:
            return vector_norm(t, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        if len(dims) == 2:
            return matrix_norm(t, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
        raise ShapeError(
            f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dims)}"
        )
    if ord is None:
        return vector_norm(t, 2, None, keepdim, dtype=dtype)
    if t.ndim == 1:
        return vector_norm(t, ord, None, keepdim, dtype=dtype)
    if t.ndim == 2:
        return matrix_norm(t, ord, (-2, -1), keepdim, dtype=dtype)
    raise ShapeError(
        "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
        f"Got {t.ndim}D."
    )


# ---- pseudo-inverse, rank, condition number -------------------------------------------------
def _tolerances(a: Tensor, atol: Any, rtol: Any) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's defaults: atol 0; rtol ``eps * max(m, n)`` unless atol is given (> 0), then
    0. Tensor tolerances broadcast over the batch."""

    def arr(v: Any) -> np.ndarray:
        return np.asarray(v._data if isinstance(v, Tensor) else v, a.dtype)

    if rtol is None:
        positive_atol = atol is not None and bool(np.any(arr(atol) > 0))
        rtol = 0.0 if positive_atol else float(np.finfo(a.dtype).eps) * max(a.shape[-2:])
    return arr(0.0 if atol is None else atol), arr(rtol)


def pinv(
    A: Any,  # noqa: N803
    *,
    atol: Any = None,
    rtol: Any = None,
    hermitian: bool = False,
    rcond: Any = None,
) -> Tensor:
    """The Moore-Penrose pseudo-inverse of a matrix (or batch), from its SVD (its
    eigendecomposition when ``hermitian``): singular values at or below
    ``max(atol, rtol * s_max)`` are treated as zero. ``rcond`` is PyTorch's old name of
    ``rtol``. The gradient is that of a matrix of constant rank.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.linalg.pinv(npgrad.tensor([[2.0, 0.0], [0.0, 0.0]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.0000]])
    """
    a = matrix_arg("linalg.pinv", A, square=False)
    if rcond is not None:
        if rtol is not None:
            raise LinalgValueError("linalg.pinv: rcond and rtol cannot be given together")
        rtol = rcond
    at, rt = _tolerances(a, atol, rtol)
    return Pinv.apply(a, at, rt, bool(hermitian))  # type: ignore[no-any-return]


def pinverse(input: Any, rcond: float = 1e-15) -> Tensor:  # noqa: A002
    """The pseudo-inverse, singular values at or below ``rcond * s_max`` treated as zero
    (``torch.pinverse``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.pinverse(npgrad.tensor([[1.0, 1.0]]))
    tensor([[0.5000],
            [0.5000]])
    """
    return pinv(input, rtol=rcond)


def matrix_rank(
    A: Any,  # noqa: N803
    tol: Any = None,
    hermitian: bool = False,
    *,
    atol: Any = None,
    rtol: Any = None,
) -> Tensor:
    """The numerical rank of a matrix (or batch): the number of singular values above
    ``max(atol, rtol * s_max)``, as an int64 tensor. ``tol`` is PyTorch's deprecated
    NumPy-compatible form, ``atol=tol, rtol=0``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.linalg.matrix_rank(npgrad.tensor([[1.0, 2.0], [2.0, 4.0]]))
    tensor(1)
    """
    a = matrix_arg("linalg.matrix_rank", A, square=False)
    if tol is not None:
        if atol is not None or rtol is not None:
            raise LinalgTypeError("linalg.matrix_rank: tol cannot be given with atol or rtol")
        atol, rtol = tol, 0.0
    at, rt = _tolerances(a, atol, rtol)
    if hermitian:
        s = np.abs(np.linalg.eigvalsh(a._data))
    else:
        s = np.linalg.svd(a._data, compute_uv=False)
    smax = s.max(axis=-1, keepdims=True, initial=0)
    cut = np.maximum(at[..., None], rt[..., None] * smax)
    return const(np.asarray((s > cut).sum(-1), np.int64))


def cond(A: Any, p: Any = None) -> Tensor:  # noqa: N803
    """The condition number of a matrix (or batch) in the norm ``p``: ``None``/``2`` (the
    ratio of the extreme singular values; ``-2`` its inverse, both for any shape), or
    ``'fro'``, ``'nuc'``, ``±1``, ``±inf`` for square matrices,
    ``matrix_norm(A, p) * matrix_norm(inv(A), p)``, infinite for a singular matrix.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.linalg.cond(npgrad.tensor([[4.0, 0.0], [0.0, 0.5]]))
    tensor(8.)
    """
    if p is not None and p not in _MATRIX_ORDS:
        raise LinalgValueError(f"linalg.cond got an invalid norm type: {p}")
    # the norms named by strings need square matrices even when empty; the numeric ones are
    # checked after PyTorch's (NumPy's) convention that an empty matrix has cond 0
    spectral = p is None or p in (2, -2)
    op = "linalg.cond" if spectral else f"linalg.cond(ord={p})"
    a = matrix_arg(op, A, square=isinstance(p, str))
    if a.numel() == 0:
        return const(np.zeros(a.shape[:-2], a.dtype))
    if spectral:
        s = svdvals(a)
        big, small = s[..., 0], s[..., -1]
        with np.errstate(divide="ignore", invalid="ignore"):  # singular: inf (or nan at 0/0)
            return big / small if p != -2 else small / big
    a = matrix_arg(op, A)
    data = a._data
    # a singular matrix has an infinite condition number (PyTorch's convention), not an error
    singular = np.asarray(np.linalg.matrix_rank(data) < data.shape[-1])
    if not singular.any():
        return matrix_norm(a, p) * matrix_norm(Inv.apply(a), p)
    eye = const(np.broadcast_to(np.eye(data.shape[-1], dtype=data.dtype), data.shape))
    safe = where(const(singular[..., None, None]), eye, a)
    value = matrix_norm(a, p) * matrix_norm(Inv.apply(safe), p)
    return where(const(singular), math.inf, value)  # type: ignore[no-any-return]
