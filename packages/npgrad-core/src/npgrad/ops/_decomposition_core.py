"""The Functions behind :mod:`npgrad.ops.decomposition`: inverse, determinants, solvers,
Cholesky and the matrix exponential, with argument checks shared by every linalg op.

Every backward is written with npgrad ops on the saved input Tensors and on outputs tied to
the node, mostly by calling these same Functions again (the gradient of ``inv`` is two
products with ``inv``'s own output, that of ``solve`` is another ``solve``), so gradients of
any order come for free.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgrad.autograd.function import Function
from npgrad.ops._broadcast import sum_to
from npgrad.ops._joining import cat
from npgrad.ops._promote import const, tensor_arg
from npgrad.ops._shape_util import ShapeError
from npgrad.ops.comparison import where
from npgrad.ops.linalg import Matmul
from npgrad.tensor import Tensor

__all__ = [
    "Cholesky",
    "Det",
    "Inv",
    "LinAlgError",
    "LinalgTypeError",
    "LinalgValueError",
    "MatrixExp",
    "ShapeError",
    "Slogdet",
    "Solve",
    "SolveTriangular",
    "check_float",
    "matrix_arg",
    "mm",
]


class LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input (a singular matrix, a matrix that is not
    positive-definite); a RuntimeError, like PyTorch's ``torch.linalg.LinAlgError``."""


class LinalgTypeError(TypeError, RuntimeError):
    """A dtype the op does not take: a TypeError by npgrad's convention, and also the
    RuntimeError PyTorch raises in the same place."""


class LinalgValueError(ValueError, RuntimeError):
    """A bad argument value (an order, a mode, a count): a ValueError by npgrad's convention,
    and also the RuntimeError PyTorch raises in the same place."""


_TORCH_NAMES = {
    "bool": "Bool",
    "uint8": "Byte",
    "int8": "Char",
    "int16": "Short",
    "int32": "Int",
    "int64": "Long",
    "float16": "Half",
    "float32": "Float",
    "float64": "Double",
}


def torch_name(dtype: np.dtype) -> str:
    return _TORCH_NAMES.get(np.dtype(dtype).name, str(dtype))


def check_float(op: str, x: Tensor, name: str = "input", half: bool = False) -> None:
    """PyTorch's dtype checks of its LAPACK-backed ops: floating point, and not float16
    (unless ``half``: the norms computed without LAPACK take float16, as PyTorch's do)."""
    dt = x._data.dtype
    if dt.kind != "f":
        raise LinalgTypeError(
            f"{op}: Expected a floating point or complex tensor as {name}. Got {torch_name(dt)}"
        )
    if dt.itemsize < 4 and not half:
        raise LinalgTypeError(f"{op}: Low precision dtypes not supported. Got {torch_name(dt)}")


def matrix_arg(op: str, x: Any, name: str = "A", square: bool = True, half: bool = False) -> Tensor:
    """``x`` as a float Tensor of (batches of) matrices, square when ``square``; otherwise
    PyTorch's message, as a ShapeError or LinalgTypeError (RuntimeErrors too, like PyTorch's).
    ``half``: float16 is accepted (see :func:`check_float`)."""
    t = tensor_arg(op, x)
    check_float(op, t, half=half)
    shape = t._data.shape
    if len(shape) < 2:
        raise ShapeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if square and shape[-1] != shape[-2]:
        raise ShapeError(
            f"{op}: {name} must be batches of square matrices, but they are {shape[-2]} by "
            f"{shape[-1]} matrices"
        )
    return t


def _batch_prefix(shape: tuple[int, ...], k: int) -> str:
    return f"(Batch element {k}): " if len(shape) > 2 else ""


def _first_failure(a: np.ndarray, fn: Any) -> int:
    """Index of the first matrix of the flattened batch on which ``fn`` fails."""
    for k, m in enumerate(a.reshape((-1,) + a.shape[-2:])):
        try:
            fn(m)
        except np.linalg.LinAlgError:
            return k
    return 0


def _singular(op: str, a: np.ndarray, what: str) -> LinAlgError:
    k = _first_failure(a, np.linalg.inv)
    # PyTorch names the first zero on U's diagonal, as LAPACK's getrf reports it
    lu, _ = _getrf(a.reshape((-1,) + a.shape[-2:])[k])
    zeros = np.flatnonzero(np.diagonal(lu) == 0)
    if zeros.size:
        what = f"The diagonal element {zeros[0] + 1} is zero, the {what}"
    else:
        what = f"The {what}"
    return LinAlgError(f"{op}: {_batch_prefix(a.shape, k)}{what}")


def _getrf(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Packed LU factors (L's unit diagonal implied) and 1-based pivots of every matrix."""
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    lu = a.reshape((math.prod(batch), m, n)).copy()  # not -1: a 0x0 matrix is valid
    pivots = np.empty((lu.shape[0], k), np.int32)
    rows = np.arange(lu.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(k):
            p = j + np.argmax(np.abs(lu[:, j:, j]), axis=-1)
            pivots[:, j] = p + 1
            swap = lu[rows, p].copy()
            lu[rows, p] = lu[:, j]
            lu[:, j] = swap
            pivot = lu[:, j, j : j + 1]
            # a zero pivot leaves its column as it is (LAPACK's getrf: U is singular)
            lu[:, j + 1 :, j] = np.where(pivot != 0, lu[:, j + 1 :, j] / pivot, lu[:, j + 1 :, j])
            lu[:, j + 1 :, j + 1 :] -= lu[:, j + 1 :, j, None] * lu[:, j, None, j + 1 :]
    return lu.reshape(a.shape), pivots.reshape(batch + (k,))


def mm(a: Tensor, b: Tensor) -> Tensor:
    """``a @ b`` inside a backward: the product Function itself, without matmul's checks."""
    return Matmul.apply(a, b)  # type: ignore[no-any-return]


def _col(x: Tensor) -> Tensor:
    return x.reshape(x.shape + (1, 1))


# ---- inverse, determinants ------------------------------------------------------------------
class Inv(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        try:
            out = np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise _singular(
                "linalg.inv",
                a,
                "inversion could not be completed because the input matrix is singular.",
            ) from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        # d(A^-1) = -A^-1 dA A^-1  =>  gA = -A^-T G A^-T
        (y,) = ctx.saved_tensors
        yt = y.mT
        return -mm(mm(yt, grad), yt)


def _cofactor(a: np.ndarray) -> np.ndarray:
    """The cofactor matrix (the transposed adjugate) of every matrix of ``a``, singular ones
    included, from the SVD A = U S Vh: cof(A) = det(U) det(Vh) U diag(prod_{j != i} s_j) Vh."""
    u, s, vh = np.linalg.svd(a)
    ones = np.ones(s.shape[:-1] + (1,), s.dtype)
    left = np.cumprod(np.concatenate([ones, s[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, s[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    sign = np.linalg.det(u) * np.linalg.det(vh)
    return np.asarray(sign[..., None, None] * (u * (left * right)[..., None, :]) @ vh, a.dtype)


class Det(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        out = np.asarray(np.linalg.det(a), a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        # d det(A) = det(A) tr(A^-1 dA)  =>  gA = g det(A) A^-T, the cofactor matrix times g
        a, d = ctx.saved_tensors
        singular = d._data == 0
        if not singular.any():
            return _col(grad * d) * Inv.apply(a).mT
        # A^-1 does not exist: there the gradient is the cofactor matrix (the limit of
        # det(A) A^-T), from the SVD, and it cannot be differentiated again
        mask = const(singular[..., None, None])
        eye = const(np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape))
        regular = _col(grad * d) * Inv.apply(where(mask, eye, a)).mT
        return where(mask, SingularDetGrad.apply(a, grad), regular)


class SingularDetGrad(Function):
    """``g * cofactor(A)``: det's gradient at singular matrices. Its own derivative is not
    implemented: asking for it raises instead of silently dropping the term."""

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, grad: np.ndarray) -> np.ndarray:
        return np.asarray(grad[..., None, None] * _cofactor(a), a.dtype)

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> Any:
        raise RuntimeError(
            "linalg.det: second-order gradients at a singular matrix are not supported"
        )


class Slogdet(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sign, logabs = np.linalg.slogdet(a)
        sign, logabs = np.asarray(sign, a.dtype), np.asarray(logabs, a.dtype)
        ctx.mark_non_differentiable(sign)
        ctx.save_for_backward(a)
        return sign, logabs

    @staticmethod
    def backward(ctx: Any, gsign: Tensor, glogabs: Tensor) -> Tensor:
        # d log|det A| = tr(A^-1 dA)  =>  gA = g A^-T  (the sign is piecewise constant)
        (a,) = ctx.saved_tensors
        return _col(glogabs) * Inv.apply(a).mT


# ---- solvers --------------------------------------------------------------------------------
def _broadcast_pair(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return np.broadcast_to(a, batch + a.shape[-2:]), np.broadcast_to(b, batch + b.shape[-2:])


class Solve(Function):
    """X with A X = B, for B a (batch of) matrices; batch dimensions broadcast."""

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ab, bb = _broadcast_pair(a, b)
        try:
            out = np.linalg.solve(ab, bb)
        except np.linalg.LinAlgError:
            raise LinAlgError(
                "torch.linalg.solve: The solver failed because the input matrix is singular."
            ) from None
        ctx.shapes = (a.shape, b.shape)
        ctx.save_for_backward(a, out if ctx.needs_input_grad[0] else None)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        # X = A^-1 B  =>  gB = A^-T G,  gA = -gB X^T
        a, x = ctx.saved_tensors
        sa, sb = ctx.shapes
        gb = Solve.apply(a.mT, grad)
        ga = sum_to(-mm(gb, x.mT), sa) if ctx.needs_input_grad[0] else None
        return ga, sum_to(gb, sb) if ctx.needs_input_grad[1] else None


def _triangle(a: np.ndarray, upper: bool, unitriangular: bool) -> np.ndarray:
    t = np.triu(a) if upper else np.tril(a)
    if unitriangular:
        np.einsum("...ii->...i", t)[...] = 1
    return t


def _substitute(t: np.ndarray, b: np.ndarray, upper: bool) -> np.ndarray:
    """Back (or forward) substitution, row by row: what LAPACK's trsm computes, infinities
    and NaNs included when the diagonal holds zeros (np.linalg.solve refuses those)."""
    t, b = _broadcast_pair(t, b)
    x = np.zeros(b.shape, np.result_type(t, b))
    n = t.shape[-1]
    with np.errstate(all="ignore"):
        for i in range(n - 1, -1, -1) if upper else range(n):
            done = slice(i + 1, n) if upper else slice(0, i)
            s = b[..., i, :] - np.einsum("...j,...jk->...k", t[..., i, done], x[..., done, :])
            x[..., i, :] = s / t[..., i, i, None]
    return x


class SolveTriangular(Function):
    """X with A X = B for A triangular (only that triangle of A is read)."""

    @staticmethod
    def forward(
        ctx: Any, a: np.ndarray, b: np.ndarray, upper: bool, unitriangular: bool
    ) -> np.ndarray:
        t = _triangle(a, upper, unitriangular)
        try:
            out = np.linalg.solve(*_broadcast_pair(t, b))
        except np.linalg.LinAlgError:  # a zero on the diagonal: infinities, as PyTorch
            out = _substitute(t, b, upper)
        ctx.shapes, ctx.upper, ctx.unit = (a.shape, b.shape), upper, unitriangular
        ctx.save_for_backward(a, out if ctx.needs_input_grad[0] else None)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None, None]:
        a, x = ctx.saved_tensors
        sa, sb = ctx.shapes
        upper, unit = ctx.upper, ctx.unit
        gb = SolveTriangular.apply(a.mT, grad, not upper, unit)
        ga = None
        if ctx.needs_input_grad[0]:
            # only the triangle forward read (without its diagonal if unit) gets a gradient
            g = -mm(gb, x.mT)
            off = 1 if unit else 0
            ga = sum_to(g.triu(off) if upper else g.tril(-off), sa)
        return ga, sum_to(gb, sb) if ctx.needs_input_grad[1] else None, None, None


def solve_triangular_(a: Tensor, b: Tensor, upper: bool, left: bool = True) -> Tensor:
    """``A^-1 B`` (``left``) or ``B A^-1`` for triangular A, inside backward formulas."""
    if left:
        return SolveTriangular.apply(a, b, upper, False)  # type: ignore[no-any-return]
    return SolveTriangular.apply(a.mT, b.mT, not upper, False).mT  # type: ignore[no-any-return]


# ---- Cholesky ---------------------------------------------------------------------------------
def cholesky_order(m: np.ndarray) -> int:
    """LAPACK ``potrf``'s info for one matrix (its lower triangle): the order of the first
    leading minor that is not positive-definite, 0 when the matrix is."""
    if not _fails(np.linalg.cholesky, m):
        return 0
    return next(
        (i for i in range(1, m.shape[-1] + 1) if _fails(np.linalg.cholesky, m[:i, :i])),
        m.shape[-1],
    )


def _not_positive_definite(op: str, a: np.ndarray) -> LinAlgError:
    k = _first_failure(a, np.linalg.cholesky)
    order = cholesky_order(a.reshape((-1,) + a.shape[-2:])[k])
    return LinAlgError(
        f"{op}: {_batch_prefix(a.shape, k)}The factorization could not be completed because the "
        f"input is not positive-definite (the leading minor of order {order} is not "
        "positive-definite)."
    )


def _fails(fn: Any, m: np.ndarray) -> bool:
    try:
        fn(m)
    except np.linalg.LinAlgError:
        return True
    return False


class Cholesky(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, upper: bool) -> np.ndarray:
        # the upper factor is read from the upper triangle, as LAPACK's potrf('U') does
        src = np.swapaxes(a, -1, -2) if upper else a
        try:
            low = np.linalg.cholesky(src)
        except np.linalg.LinAlgError:
            raise _not_positive_definite("linalg.cholesky", src) from None
        out = np.ascontiguousarray(np.swapaxes(low, -1, -2)) if upper else low
        ctx.upper = upper
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        # Murray (2016), "Differentiation of the Cholesky decomposition", eq. 10:
        # gA = L^-T Phi(L^T gL) L^-1 with Phi taking the lower triangle and halving the
        # diagonal, then symmetrised (A is symmetric: only symmetric perturbations exist).
        (out,) = ctx.saved_tensors
        low, g = (out.mT, grad.mT) if ctx.upper else (out, grad)
        p = mm(low.mT, g)
        p = p.tril() - 0.5 * p.diagonal(0, -2, -1).diag_embed()
        ga = solve_triangular_(low.mT, p, upper=True)
        ga = solve_triangular_(low, ga, upper=False, left=False)
        return 0.5 * (ga + ga.mT), None


# ---- matrix exponential ---------------------------------------------------------------------
_TAYLOR_DEGREE = 18  # with ||X||_1 <= 1/2: truncation error 0.5^19 / 19! ~ 2e-23


def _expm(a: np.ndarray) -> np.ndarray:
    """exp(A) by scaling and squaring (Higham 2005, "The scaling and squaring method for the
    matrix exponential revisited") with a Taylor polynomial: exp(A) = exp(A / 2^s)^(2^s),
    ``s`` per matrix so that ||A / 2^s||_1 <= 1/2."""
    n = a.shape[-1]
    with np.errstate(all="ignore"):
        norm = np.abs(a).sum(axis=-2).max(axis=-1) if n else np.zeros(a.shape[:-2], a.dtype)
        s = np.ceil(np.log2(np.maximum(norm, 1e-300) / 0.5))
    s = np.where(np.isfinite(s) & (s > 0), s, 0).astype(np.int64)
    x = a / np.asarray(2.0**s, a.dtype)[..., None, None]
    eye = np.eye(n, dtype=a.dtype)
    out = eye + x / _TAYLOR_DEGREE
    for k in range(_TAYLOR_DEGREE - 1, 0, -1):  # Horner: I + X/1 (I + X/2 (I + ...))
        out = eye + (x @ out) / np.asarray(k, a.dtype)
    for step in range(int(s.max(initial=0))):
        out = np.where((s > step)[..., None, None], out @ out, out)
    return np.asarray(out, a.dtype)


class MatrixExp(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a)
        return _expm(a)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        # The Frechet derivative of exp at A^T applied to G is the upper-right block of
        # exp([[A^T, G], [0, A^T]]) (Najfeld & Havel 1995; Higham 2008, thm 3.6), and it is the
        # vector-Jacobian product. Built with npgrad ops, so it is differentiable again.
        (a,) = ctx.saved_tensors
        n = a.shape[-1]
        at = a.mT
        top = cat([at, grad], -1)
        bottom = cat([const(np.zeros(at.shape, at.dtype)), at], -1)
        big = MatrixExp.apply(cat([top, bottom], -2))
        return big[..., :n, n:]
