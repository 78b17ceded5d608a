"""Linear algebra beyond products: determinants, inverses, solvers and decompositions
(PyTorch's ``torch.linalg``), each a Function with its backward. The ``torch.linalg`` names
are in :mod:`npgrad.linalg`; PyTorch's top-level names (``det``, ``inverse``...) in ``npgrad``.

Every function takes a matrix or a batch of matrices ``(..., n, n)`` (solvers broadcast the
batch dimensions of their two operands, as PyTorch does), keeps float32 in float32, refuses
integer and float16 inputs like PyTorch's LAPACK-backed ops, and raises
:class:`npgrad.linalg.LinAlgError` (a RuntimeError) where PyTorch does: a singular matrix for
``inv``/``solve``, a matrix that is not positive-definite for ``cholesky``.

The Functions live in ``_decomposition_core`` (inverse, determinants, solvers, Cholesky,
matrix exponential), ``_decomposition_spectral`` (SVD, eigh, QR, pseudo-inverse, lstsq) and
``_decomposition_lu`` (LU), ``_decomposition_ldl`` (LDL^T); PyTorch's deprecated ``lu``,
``lu_solve`` and ``triangular_solve`` are in ``_decomposition_deprecated``; norms and the functions built from the SVD are in
``_decomposition_norms``, ``vander``/``tensorinv``/``tensorsolve`` and the Householder family (``geqrf``, ``orgqr``,
``ormqr``) in ``_decomposition_extra``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from npgrad.ops._decomposition_core import (
    Cholesky,
    Det,
    Inv,
    LinalgTypeError,
    LinalgValueError,
    MatrixExp,
    ShapeError,
    Slogdet,
    Solve,
    SolveTriangular,
    check_float,
    matrix_arg,
    mm,
    torch_name,
)
from npgrad.ops._decomposition_deprecated import lu as lu
from npgrad.ops._decomposition_deprecated import lu_solve as lu_solve
from npgrad.ops._decomposition_deprecated import triangular_solve as triangular_solve
from npgrad.ops._decomposition_extra import geqrf as geqrf
from npgrad.ops._decomposition_extra import orgqr as orgqr
from npgrad.ops._decomposition_extra import ormqr as ormqr
from npgrad.ops._decomposition_lu import lu_unpack as lu_unpack
from npgrad.ops._decomposition_norms import pinverse as pinverse
from npgrad.ops._decomposition_spectral import qr as qr
from npgrad.ops._decomposition_spectral import svd as svd
from npgrad.ops._promote import const, tensor_arg
from npgrad.ops.comparison import where
from npgrad.tensor import Tensor

# PyTorch's top-level names (``torch.det``...): npgrad star-imports them. The
# ``torch.linalg``-only ones (``inv``, ``solve``, ``solve_triangular``, ``multi_dot``,
# ``vecdot``, and the norms, SVD, eigh, QR, pinv and lstsq of the private modules) are
# exported by npgrad.linalg.
__all__ = [
    "cholesky",
    "cholesky_inverse",
    "cholesky_solve",
    "det",
    "geqrf",
    "inverse",
    "logdet",
    "lu",
    "lu_solve",
    "lu_unpack",
    "matrix_exp",
    "matrix_power",
    "orgqr",
    "ormqr",
    "pinverse",
    "qr",
    "slogdet",
    "svd",
    "triangular_solve",
]


class SignLogAbsDet(NamedTuple):
    """``(sign, logabsdet)``: what ``slogdet`` returns."""

    sign: Tensor
    logabsdet: Tensor

    def __repr__(self) -> str:
        return f"npgrad.return_types.slogdet(\nsign={self.sign!r},\nlogabsdet={self.logabsdet!r})"


# ---- inverse and determinants ---------------------------------------------------------------
def inv(A: Any) -> Tensor:  # noqa: N803 - torch's name
    """The inverse of a square matrix, or of each matrix of a batch ``(..., n, n)``.

    Raises :class:`npgrad.linalg.LinAlgError` when a matrix is singular.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.linalg.inv(npgrad.tensor([[2.0, 0.0], [0.0, 4.0]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    return Inv.apply(matrix_arg("linalg.inv", A))  # type: ignore[no-any-return]


def inverse(input: Any) -> Tensor:  # noqa: A002
    """The inverse of a square matrix (or batch of them): an alias of
    :func:`npgrad.linalg.inv`.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.inverse(npgrad.tensor([[1.0, 1.0], [0.0, 1.0]]))
    tensor([[ 1., -1.],
            [ 0.,  1.]])
    """
    return inv(input)


def det(A: Any) -> Tensor:  # noqa: N803
    """The determinant of a square matrix, or of each matrix of a batch.

    The gradient is ``det(A) A^-T``; at a singular matrix it is the cofactor matrix (the
    limit of that expression), as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.det(npgrad.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor(-2.)
    """
    return Det.apply(matrix_arg("linalg.det", A))  # type: ignore[no-any-return]


def slogdet(A: Any) -> SignLogAbsDet:  # noqa: N803
    """The sign and the log of the absolute value of the determinant, a named tuple
    ``(sign, logabsdet)``: accurate where ``det`` under- or overflows. ``sign`` is 0 and
    ``logabsdet`` is ``-inf`` for a singular matrix.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.linalg.slogdet(npgrad.tensor([[-2.0, 0.0], [0.0, 3.0]]))
    npgrad.return_types.slogdet(
    sign=tensor(-1.),
    logabsdet=tensor(1.7918))
    """
    sign, logabs = Slogdet.apply(matrix_arg("linalg.slogdet", A))
    return SignLogAbsDet(sign, logabs)


def logdet(input: Any) -> Tensor:  # noqa: A002
    """``log(det(A))``: NaN where the determinant is negative, ``-inf`` where it is 0.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.logdet(npgrad.tensor([[2.0, 0.0], [0.0, 3.0]]))
    tensor(1.7918)
    """
    sign, logabs = Slogdet.apply(matrix_arg("logdet", input))
    return where(sign < 0, float("nan"), logabs)  # type: ignore[no-any-return]


# ---- solvers --------------------------------------------------------------------------------
def _same_dtype(op: str, a: Tensor, b: Tensor) -> None:
    if a._data.dtype != b._data.dtype:
        raise LinalgTypeError(
            f"{op}: Expected A and B to have the same dtype, but found A of type "
            f"{torch_name(a._data.dtype)} and B of type {torch_name(b._data.dtype)} instead"
        )


def _rhs(op: str, a: Tensor, b: Any, left: bool, vectors: bool = True) -> tuple[Tensor, bool]:
    """B as a batch of matrices, and whether it was a (batch of) vectors, by PyTorch's rule
    (when ``vectors``): B is a vector if it is 1-D, or if its shape is A's without the last
    dimension."""
    b = tensor_arg(op, b)
    check_float(op, b)
    _same_dtype(op, a, b)
    sa, sb = a._data.shape, b._data.shape
    vector = vectors and (len(sb) == 1 or (len(sb) == len(sa) - 1 and sb == sa[:-1]))
    if vector:
        b = b.unsqueeze(-1)
        sb = b._data.shape
    n = sa[-1]
    if (sb[-2] if left else sb[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise ShapeError(
            f"{op}: Incompatible shapes of A and B for the equation {eq} ({sa[-2]}x{sa[-1]} and "
            f"{sb[-2]}x{sb[-1]})"
        )
    try:
        np.broadcast_shapes(sa[:-2], sb[:-2])
    except ValueError:
        raise ShapeError(
            f"{op}: the batch dimensions of A {sa} and B {sb} cannot be broadcast together"
        ) from None
    return b, vector


def solve(A: Any, B: Any, *, left: bool = True) -> Tensor:  # noqa: N803
    """The solution X of ``A X = B`` (``left=True``) or ``X A = B``, for square invertible A.

    ``B`` is a batch of vectors when it is 1-D or has A's shape without its last dimension,
    otherwise a batch of matrices; batch dimensions broadcast. A singular ``A`` raises
    :class:`npgrad.linalg.LinAlgError`.

    Examples
    --------
    >>> import npgrad
    >>> A = npgrad.tensor([[2.0, 1.0], [1.0, 3.0]])
    >>> npgrad.linalg.solve(A, npgrad.tensor([3.0, 5.0]))
    tensor([0.8000, 1.4000])
    """
    a = matrix_arg("linalg.solve", A)
    b, vector = _rhs("linalg.solve", a, B, left)
    x = Solve.apply(a, b) if left else Solve.apply(a.mT, b.mT).mT
    return x.squeeze(-1) if vector else x  # type: ignore[no-any-return]


def solve_triangular(
    A: Any,  # noqa: N803
    B: Any,  # noqa: N803
    *,
    upper: bool,
    left: bool = True,
    unitriangular: bool = False,
) -> Tensor:
    """The solution X of ``A X = B`` (``left=True``) or ``X A = B`` for triangular A.

    Only the upper (``upper=True``) or lower triangle of A is read, and with
    ``unitriangular=True`` its diagonal is taken to be ones. B must be a (batch of) matrices;
    batch dimensions broadcast. A zero on the diagonal gives infinities, not an error.

    Examples
    --------
    >>> import npgrad
    >>> A = npgrad.tensor([[2.0, 1.0], [0.0, 4.0]])
    >>> npgrad.linalg.solve_triangular(A, npgrad.tensor([[3.0], [4.0]]), upper=True)
    tensor([[1.],
            [1.]])
    """
    op = "linalg.solve_triangular"
    a = matrix_arg(op, A)
    b = tensor_arg(op, B)
    check_float(op, b)
    _same_dtype(op, a, b)
    if b.ndim < 2:
        raise ShapeError(f"{op}: The input tensor B must have at least 2 dimensions.")
    b, _ = _rhs(op, a, b, left, vectors=False)
    upper, unit = bool(upper), bool(unitriangular)
    if left:
        return SolveTriangular.apply(a, b, upper, unit)  # type: ignore[no-any-return]
    return SolveTriangular.apply(a.mT, b.mT, not upper, unit).mT  # type: ignore[no-any-return]


# ---- products -------------------------------------------------------------------------------
def matrix_power(A: Any, n: int) -> Tensor:  # noqa: N803
    """``A`` to the integer power ``n``: repeated squaring, through the inverse when ``n`` is
    negative; ``n = 0`` gives the identity. Integer matrices are allowed for ``n >= 0``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.linalg.matrix_power(npgrad.tensor([[1.0, 1.0], [0.0, 1.0]]), 3)
    tensor([[1., 3.],
            [0., 1.]])
    """
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"linalg.matrix_power: argument 'n' must be int, not {type(n).__name__}")
    x = tensor_arg("linalg.matrix_power", A)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ShapeError(
            f"linalg.matrix_power: A must be batches of square matrices, but got shape {x.shape}"
        )
    n = int(n)
    if n == 0:
        # the identity, still connected to A (with a zero gradient), as in PyTorch
        eye = np.broadcast_to(np.eye(x.shape[-1], dtype=x.dtype), x.shape)
        return where(const(np.ones(x.shape, bool)), const(eye), x)  # type: ignore[no-any-return]
    if n < 0:
        x = inv(x)
        n = -n
    result: Tensor | None = None
    base = x
    while True:
        if n & 1:
            result = base if result is None else mm(result, base)
        n >>= 1
        if not n:
            return result  # type: ignore[return-value]
        base = mm(base, base)


def _chain_order(dims: list[int]) -> list[list[int]]:
    """The cheapest parenthesisation of a matrix chain (dims[i] x dims[i+1] matrices): the
    classic dynamic programme (Cormen et al., "Introduction to Algorithms", 15.2)."""
    k = len(dims) - 1
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = -1
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if cost[i][j] < 0 or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, s
    return split


def multi_dot(tensors: Sequence[Any]) -> Tensor:
    """The product of a chain of matrices, multiplied in the cheapest order. The first tensor
    may be 1-D (a row vector) and the last 1-D (a column vector); the others are 2-D.

    Examples
    --------
    >>> import npgrad
    >>> a, b = npgrad.ones(2, 3), npgrad.ones(3, 4)
    >>> npgrad.linalg.multi_dot([npgrad.ones(2), a, b])
    tensor([6., 6., 6., 6.])
    """
    ts = [tensor_arg("multi_dot()", t) for t in tensors]
    if len(ts) < 2:
        raise LinalgValueError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    for k, t in enumerate(ts):
        if k == 0 and t.ndim not in (1, 2):
            raise ShapeError(f"multi_dot(): the first tensor must be 1D or 2D but got {t.ndim}D")
        if k == len(ts) - 1 and k and t.ndim not in (1, 2):
            raise ShapeError(f"multi_dot(): the last tensor must be 1D or 2D but got {t.ndim}D")
        if 0 < k < len(ts) - 1 and t.ndim != 2:
            raise ShapeError(f"multi_dot(): tensor {k} must be 2D but got {t.ndim}D")
        if t.dtype != ts[0].dtype:
            raise LinalgTypeError(
                "multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{ts[0].dtype} and tensor {k} {t.dtype}"
            )
    first_vec, last_vec = ts[0].ndim == 1, ts[-1].ndim == 1
    mats = list(ts)
    if first_vec:
        mats[0] = mats[0].unsqueeze(0)
    if last_vec:
        mats[-1] = mats[-1].unsqueeze(-1)
    for k in range(len(mats) - 1):
        if mats[k].shape[1] != mats[k + 1].shape[0]:
            raise ShapeError(
                f"multi_dot(): tensors {k} and {k + 1} with shapes {list(ts[k].shape)} and "
                f"{list(ts[k + 1].shape)} cannot be multiplied"
            )
    split = _chain_order([m.shape[0] for m in mats] + [mats[-1].shape[1]])

    def product(i: int, j: int) -> Tensor:
        if i == j:
            return mats[i]
        s = split[i][j]
        return mm(product(i, s), product(s + 1, j))

    out = product(0, len(mats) - 1)
    if first_vec:
        out = out.squeeze(0)
    if last_vec:
        out = out.squeeze(-1)
    return out


def vecdot(x: Any, y: Any, *, dim: int = -1) -> Tensor:
    """The dot product of ``x`` and ``y`` along ``dim``, broadcasting the other dimensions.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.linalg.vecdot(npgrad.tensor([[1.0, 2.0], [3.0, 4.0]]), npgrad.tensor([1.0, 1.0]))
    tensor([3., 7.])
    """
    a, b = tensor_arg("linalg.vecdot", x), tensor_arg("linalg.vecdot", y)
    check_float("linalg.vecdot", a)
    check_float("linalg.vecdot", b)
    return (a * b).sum(dim)


# ---- Cholesky -------------------------------------------------------------------------------
def cholesky(A: Any, upper: bool = False) -> Tensor:  # noqa: N803
    """The Cholesky factor L (lower triangular, ``A = L L^T``) of a symmetric
    positive-definite matrix, or the upper factor ``U = L^T`` when ``upper=True``.

    Only the lower (upper when ``upper=True``) triangle of A is read. A matrix that is not
    positive-definite raises :class:`npgrad.linalg.LinAlgError`. The gradient is symmetric,
    as in PyTorch: A is taken to vary among symmetric matrices.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.linalg.cholesky(npgrad.tensor([[4.0, 2.0], [2.0, 5.0]]))
    tensor([[2., 0.],
            [1., 2.]])
    """
    return Cholesky.apply(matrix_arg("linalg.cholesky", A), bool(upper))  # type: ignore[no-any-return]


def cholesky_solve(input: Any, input2: Any, upper: bool = False) -> Tensor:  # noqa: A002
    """The solution X of ``A X = B`` given ``B`` (``input``) and the Cholesky factor of A
    (``input2``: ``L`` with ``A = L L^T``, or ``U`` with ``A = U^T U`` when ``upper``).

    Examples
    --------
    >>> import npgrad
    >>> L = npgrad.tensor([[2.0, 0.0], [1.0, 2.0]])
    >>> npgrad.cholesky_solve(npgrad.tensor([[6.0], [7.0]]), L)
    tensor([[1.],
            [1.]])
    """
    op = "cholesky_solve"
    factor = matrix_arg(op, input2)
    b = matrix_arg(op, input, "B", square=False)
    _same_dtype(op, factor, b)
    b, _ = _rhs(op, factor, b, True, vectors=False)
    up = bool(upper)
    y = SolveTriangular.apply(factor.mT if up else factor, b, False, False)
    return SolveTriangular.apply(factor if up else factor.mT, y, True, False)  # type: ignore[no-any-return]


def cholesky_inverse(input: Any, upper: bool = False) -> Tensor:  # noqa: A002
    """The inverse of ``A`` given its Cholesky factor (``L`` with ``A = L L^T``, or ``U``
    with ``A = U^T U`` when ``upper``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.cholesky_inverse(npgrad.tensor([[2.0, 0.0], [0.0, 4.0]]))
    tensor([[0.2500, 0.0000],
            [0.0000, 0.0625]])
    """
    factor = matrix_arg("cholesky_inverse", input)
    eye = const(np.broadcast_to(np.eye(factor.shape[-1], dtype=factor.dtype), factor.shape))
    low = factor.mT if upper else factor
    low_inv = SolveTriangular.apply(low, eye, False, False)
    return mm(low_inv.mT, low_inv)


# ---- matrix exponential ---------------------------------------------------------------------
def matrix_exp(A: Any) -> Tensor:  # noqa: N803
    """The matrix exponential ``exp(A) = sum_k A^k / k!`` of a square matrix (or batch), by
    scaling and squaring; its gradient is differentiable again.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.matrix_exp(npgrad.tensor([[0.0, 1.0], [0.0, 0.0]]))
    tensor([[1., 1.],
            [0., 1.]])
    """
    return MatrixExp.apply(matrix_arg("linalg.matrix_exp", A))  # type: ignore[no-any-return]
