"""Spectral decompositions and what is built on them: ``svd``/``svdvals``, ``eigh``/
``eigvalsh``, ``qr``, the pseudo-inverse Function and ``lstsq``.

The gradients of singular vectors and eigenvectors exist only where the singular values
(eigenvalues) are distinct; there they are PyTorch's formulas, and like PyTorch's they are
"gauge invariant" only: a loss that depends on the sign of a singular vector gets a gradient
that is meaningful for the sign LAPACK happened to choose.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from npgrad.autograd.function import Function
from npgrad.ops._decomposition_core import (
    LinAlgError,
    LinalgTypeError,
    LinalgValueError,
    ShapeError,
    check_float,
    matrix_arg,
    mm,
    solve_triangular_,
    torch_name,
)
from npgrad.ops._joining import cat
from npgrad.ops._promote import const, tensor_arg
from npgrad.tensor import Tensor

__all__ = [
    "Eigh",
    "Pinv",
    "Qr",
    "Svd",
    "eigh",
    "eigvalsh",
    "linalg_qr",
    "linalg_svd",
    "lstsq",
    "qr",
    "svd",
    "svdvals",
]


def _result(name: str, fields: str, qualname: str) -> Any:
    """A named tuple printed like PyTorch's ``torch.return_types.<name>``, to be bound to
    ``qualname`` in this module (so that pickle finds it)."""
    base = namedtuple(name, fields)  # type: ignore[misc]  # noqa: PYI024

    def __repr__(self: Any) -> str:  # noqa: N807
        body = ",\n".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"npgrad.return_types.{name}(\n{body})"

    cls = type(qualname, (base,), {"__repr__": __repr__, "__slots__": (), "__module__": __name__})
    cls.__qualname__ = qualname
    return cls


linalg_svd_result = _result("linalg_svd", "U S Vh", "linalg_svd_result")
svd_result = _result("svd", "U S V", "svd_result")
linalg_eigh_result = _result("linalg_eigh", "eigenvalues eigenvectors", "linalg_eigh_result")
linalg_qr_result = _result("linalg_qr", "Q R", "linalg_qr_result")
qr_result = _result("qr", "Q R", "qr_result")
linalg_lstsq_result = _result(
    "linalg_lstsq", "solution residuals rank singular_values", "linalg_lstsq_result"
)


def _eye(n: int, dtype: np.dtype) -> Tensor:
    return const(np.eye(n, dtype=dtype))


def _failed(op: str, what: str) -> LinAlgError:
    return LinAlgError(
        f"{op}: The algorithm failed to converge because the input matrix is ill-conditioned or "
        f"has too many repeated {what}."
    )


# ---- SVD ------------------------------------------------------------------------------------
class Svd(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, full_matrices: bool) -> tuple[np.ndarray, ...]:
        try:
            u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        except np.linalg.LinAlgError:
            raise _failed("linalg.svd", "singular values") from None
        ctx.set_materialize_grads(False)  # no gradient for U or Vh: no 1/(s_i^2 - s_j^2) terms
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx: Any, gu: Tensor | None, gs: Tensor | None, gvh: Tensor | None) -> Any:
        # Townsend (2016), "Differentiating the singular value decomposition", in the form of
        # PyTorch's svd_backward. With full_matrices, the columns of U (rows of Vh) past
        # k = min(m, n) are an arbitrary basis: their gradients are ignored, as PyTorch does.
        u, s, vh = ctx.saved_tensors
        k = s.shape[-1]
        m, n = u.shape[-2], vh.shape[-1]
        if u.shape[-1] != k:
            u, gu = u[..., :k], None if gu is None else gu[..., :k]
        if vh.shape[-2] != k:
            vh, gvh = vh[..., :k, :], None if gvh is None else gvh[..., :k, :]
        if gu is None and gvh is None:
            if gs is None:
                return None, None
            return mm(u * gs.unsqueeze(-2), vh), None
        s2 = s * s
        e = s2.unsqueeze(-2) - s2.unsqueeze(-1) + _eye(k, s.dtype)  # s_j^2 - s_i^2, 1 on diag
        core: Any = 0.0
        if gu is not None:
            uhgu = mm(u.mT, gu)
            core = (uhgu - uhgu.mT) / e * s.unsqueeze(-2)
        if gvh is not None:
            vhgv = mm(vh, gvh.mT)
            core = core + s.unsqueeze(-1) * ((vhgv - vhgv.mT) / e)
        if gs is not None:
            core = core + gs.diag_embed()
        if m > k and gu is not None:  # (I - U U^T) gU S^-1 Vh: the part outside U's span
            gus = gu / s.unsqueeze(-2)
            ga = mm(u, core) + gus - mm(u, mm(u.mT, gus))
            return mm(ga, vh), None
        if n > k and gvh is not None:  # U S^-1 gVh (I - V Vh)
            sgvh = gvh / s.unsqueeze(-1)
            ga = mm(core, vh) + sgvh - mm(mm(sgvh, vh.mT), vh)
            return mm(u, ga), None
        return mm(mm(u, core), vh), None


def linalg_svd(A: Any, full_matrices: bool = True) -> Any:  # noqa: N803
    """The singular value decomposition ``A = U diag(S) Vh`` of a matrix (or batch), a named
    tuple ``(U, S, Vh)`` with ``S`` descending. With ``full_matrices=True`` U and Vh are
    square (their extra columns/rows get no gradient, as in PyTorch).

    Gradients through U and Vh need distinct singular values, and are meaningful only for
    functions that do not depend on the signs of the singular vectors.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.linalg.svd(npgrad.tensor([[3.0, 0.0], [0.0, -2.0]])).S
    tensor([3., 2.])
    """
    a = matrix_arg("linalg.svd", A, square=False)
    return linalg_svd_result(*Svd.apply(a, bool(full_matrices)))


def svdvals(A: Any) -> Tensor:  # noqa: N803
    """The singular values of a matrix (or batch), in descending order.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.linalg.svdvals(npgrad.tensor([[0.0, 2.0], [1.0, 0.0]]))
    tensor([2., 1.])
    """
    a = matrix_arg("linalg.svdvals", A, square=False)
    return Svd.apply(a, False)[1]  # type: ignore[no-any-return]


def svd(input: Any, some: bool = True, compute_uv: bool = True) -> Any:  # noqa: A002
    """The SVD as ``torch.svd`` returns it: a named tuple ``(U, S, V)`` with ``V`` (not
    ``Vh``), reduced unless ``some=False``. With ``compute_uv=False`` U and V are zeros.

    Examples
    --------
    >>> import npgrad
    >>> U, S, V = npgrad.svd(npgrad.tensor([[3.0, 0.0], [0.0, -2.0]]))
    >>> S
    tensor([3., 2.])
    """
    a = matrix_arg("svd", input, square=False)
    if not compute_uv:  # PyTorch's zero-filled square U and V (``some`` is ignored)
        m, n = a.shape[-2:]
        zu = const(np.zeros(a.shape[:-2] + (m, m), a.dtype))
        zv = const(np.zeros(a.shape[:-2] + (n, n), a.dtype))
        return svd_result(zu, Svd.apply(a, False)[1], zv)
    u, s, vh = Svd.apply(a, not some)
    return svd_result(u, s, vh.mT)


# ---- eigh -----------------------------------------------------------------------------------
class Eigh(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, uplo: str) -> tuple[np.ndarray, np.ndarray]:
        try:
            w, v = np.linalg.eigh(a, UPLO=uplo)  # type: ignore[call-overload]
        except np.linalg.LinAlgError:
            raise _failed("linalg.eigh", "eigenvalues") from None
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx: Any, gw: Tensor | None, gv: Tensor | None) -> Any:
        # Giles (2008), "An extended collection of matrix derivative results", 3.1:
        # gA = V (diag(gw) + F o (V^T gV)) V^T, F_ij = 1 / (w_j - w_i) off the diagonal.
        # As PyTorch, V^T gV is first made skew-symmetric (projected onto the tangent space of
        # the orthogonal matrices), which makes gA symmetric: the gradient for a symmetric A
        w, v = ctx.saved_tensors
        n = w.shape[-1]
        if gv is None:
            if gw is None:
                return None, None
            return mm(v * gw.unsqueeze(-2), v.mT), None
        eye = _eye(n, w.dtype)
        e = w.unsqueeze(-2) - w.unsqueeze(-1) + eye
        vtg = mm(v.mT, gv)
        core = (vtg - vtg.mT) * 0.5 / e  # its diagonal is 0
        if gw is not None:
            core = core + gw.diag_embed()
        return mm(mm(v, core), v.mT), None


def _uplo(op: str, uplo: Any) -> str:
    if uplo not in ("L", "U", "l", "u"):
        raise LinalgValueError(f"{op}: Expected UPLO argument to be 'L' or 'U', but got {uplo}")
    return str(uplo).upper()


def eigh(A: Any, UPLO: str = "L") -> Any:  # noqa: N803
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix (or batch),
    a named tuple ``(eigenvalues, eigenvectors)``. Only the lower (``UPLO='L'``) or upper
    triangle is read.

    Gradients through the eigenvectors need distinct eigenvalues, and are meaningful only for
    functions that do not depend on the signs of the eigenvectors.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.linalg.eigh(npgrad.tensor([[2.0, 0.0], [0.0, 1.0]])).eigenvalues
    tensor([1., 2.])
    """
    a = matrix_arg("linalg.eigh", A)
    return linalg_eigh_result(*Eigh.apply(a, _uplo("linalg.eigh", UPLO)))


def eigvalsh(A: Any, UPLO: str = "L") -> Tensor:  # noqa: N803
    """The eigenvalues (ascending) of a symmetric matrix (or batch).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.linalg.eigvalsh(npgrad.tensor([[2.0, 1.0], [1.0, 2.0]]))
    tensor([1., 3.])
    """
    a = matrix_arg("linalg.eigvalsh", A)
    return Eigh.apply(a, _uplo("linalg.eigvalsh", UPLO))[0]  # type: ignore[no-any-return]


# ---- QR -------------------------------------------------------------------------------------
class Qr(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
        q, r = np.linalg.qr(a, mode=mode)  # type: ignore[call-overload]
        ctx.mode = mode
        ctx.save_for_backward(a, q, r)
        return q, r

    @staticmethod
    def backward(ctx: Any, gq: Tensor, gr: Tensor) -> Any:
        a, q, r = ctx.saved_tensors
        m, n = a.shape[-2:]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError(
                "linalg.qr_backward: The QR decomposition is not differentiable when "
                "mode='complete' and nrows > ncols."
            )
        if m >= n:
            return _qr_grad(q, r, gq, gr), None
        # wide A = [X | Y], R = [U | V]: X = Q U is a square QR, and Y = Q V
        # (Liao et al. 2019, "Differentiable programming tensor networks", appendix)
        y, gu, gv = a[..., m:], gr[..., :m], gr[..., m:]
        gx = _qr_grad(q, r[..., :m], gq + mm(y, gv.mT), gu)
        return cat([gx, mm(q, gv)], -1), None


def _qr_grad(q: Tensor, r: Tensor, gq: Tensor, gr: Tensor) -> Tensor:
    # Walter & Lehmann (2018), "Algorithmic differentiation of linear algebra functions with
    # application in optimum experimental design", for A = QR with m >= n:
    # M = R gR^T - gQ^T Q,  gA = (gQ + Q copyltu(M)) R^-T, copyltu mirroring the lower triangle
    mat = mm(r, gr.mT) - mm(gq.mT, q)
    low = mat.tril(-1)
    sym = low + low.mT + mat.diagonal(0, -2, -1).diag_embed()
    return solve_triangular_(r.mT, gq + mm(q, sym), upper=False, left=False)


_QR_MODES = ("reduced", "complete", "r")


def linalg_qr(A: Any, mode: str = "reduced") -> Any:  # noqa: N803
    """The QR decomposition ``A = Q R`` of a matrix (or batch), Q with orthonormal columns and
    R upper triangular: a named tuple ``(Q, R)``. ``mode`` is ``'reduced'`` (Q is m x k,
    k = min(m, n)), ``'complete'`` (Q is m x m) or ``'r'`` (R only; Q is empty).

    Examples
    --------
    >>> import npgrad
    >>> Q, R = npgrad.linalg.qr(npgrad.tensor([[3.0, 1.0], [4.0, 2.0]]))
    >>> (Q @ R).allclose(npgrad.tensor([[3.0, 1.0], [4.0, 2.0]]))
    True
    """
    a = matrix_arg("linalg.qr", A, square=False)
    if mode not in _QR_MODES:
        raise LinalgValueError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    if mode == "r":
        # R of the reduced decomposition (so that, unlike PyTorch's, it is differentiable)
        r = Qr.apply(a, "reduced")[1]
        return linalg_qr_result(const(np.zeros((0,), a.dtype)), r)
    return linalg_qr_result(*Qr.apply(a, mode))


def qr(input: Any, some: bool = True) -> Any:  # noqa: A002
    """The QR decomposition as ``torch.qr`` computes it: reduced unless ``some=False``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.qr(npgrad.tensor([[2.0, 0.0], [0.0, 3.0]])).R
    tensor([[2., 0.],
            [0., 3.]])
    """
    a = matrix_arg("qr", input, square=False)
    return qr_result(*Qr.apply(a, "reduced" if some else "complete"))


# ---- pseudo-inverse and least squares -------------------------------------------------------
def pinv_array(a: np.ndarray, atol: Any, rtol: Any, hermitian: bool) -> np.ndarray:
    """The pseudo-inverse: singular values at or below max(atol, rtol * s_max) are dropped."""
    if hermitian:
        w, v = np.linalg.eigh(a)
        s, u, vh = np.abs(w), v, np.swapaxes(v * np.sign(w)[..., None, :], -1, -2)
    else:
        u, s, vh = np.linalg.svd(a, full_matrices=False)
    smax = s.max(axis=-1, keepdims=True, initial=0)
    cut = np.maximum(
        np.asarray(atol, a.dtype)[..., None], np.asarray(rtol, a.dtype)[..., None] * smax
    )
    keep = s > cut
    with np.errstate(divide="ignore"):
        inv_s = np.where(keep, 1 / np.where(keep, s, 1), 0).astype(a.dtype)
    return np.asarray(
        np.swapaxes(vh, -1, -2) * inv_s[..., None, :] @ np.swapaxes(u, -1, -2), a.dtype
    )


class Pinv(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, atol: Any, rtol: Any, hermitian: bool) -> np.ndarray:
        try:
            out = pinv_array(a, atol, rtol, hermitian)
        except np.linalg.LinAlgError:
            raise _failed("linalg.pinv", "singular values") from None
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        # Golub & Pereyra (1973), "The differentiation of pseudo-inverses ...", eq. 4.12, as a
        # vector-Jacobian product (constant rank): with P = A^+,
        # gA = -P^T G P^T + (I - A P) G^T P P^T + P^T P G^T (I - P A)
        a, p = ctx.saved_tensors
        m, n = a.shape[-2:]
        pt, gt = p.mT, grad.mT
        ga = -mm(mm(pt, grad), pt)
        ga = ga + mm(_eye(m, a.dtype) - mm(a, p), mm(gt, mm(p, pt)))
        ga = ga + mm(mm(pt, p), mm(gt, _eye(n, a.dtype) - mm(p, a)))
        return ga, None, None, None


def lstsq(A: Any, B: Any, rcond: float | None = None, *, driver: str | None = None) -> Any:  # noqa: N803
    """The least-squares solution X minimising ``||A X - B||_F`` (the minimum-norm one when A
    is rank-deficient), as a named tuple ``(solution, residuals, rank, singular_values)``
    filled as PyTorch's CPU ``driver`` fills it (default ``'gelsy'``: ``rank`` only).

    ``residuals`` (the squared residual norms, differentiable) is computed by ``'gels'``,
    ``'gelsd'`` and ``'gelss'`` when m > n and every matrix has full rank; ``rank`` by all but
    ``'gels'`` (which requires full rank); ``singular_values`` by ``'gelsd'`` and ``'gelss'``.
    Singular values at or below ``rcond * s_max`` count as zero (default ``eps * max(m, n)``).
    ``B`` is ``(..., m, k)``, or ``(..., m)`` for a batch of vectors.

    Examples
    --------
    >>> import npgrad
    >>> A = npgrad.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> npgrad.linalg.lstsq(A, npgrad.tensor([[1.0], [2.0], [3.0]])).solution
    tensor([[1.],
            [2.]])
    """
    op = "torch.linalg.lstsq"
    a = matrix_arg(op, A, "input", square=False)
    b = tensor_arg(op, B)
    check_float(op, b)
    driver = "gelsy" if driver is None else driver
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise LinalgValueError(
            f"{op}: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)"
        )
    if a.dtype != b.dtype:
        raise LinalgTypeError(
            f"{op}: Expected input and other to have the same dtype, but got input's dtype "
            f"{torch_name(a.dtype)} and other's dtype {torch_name(b.dtype)}"
        )
    if not (a.ndim >= b.ndim and a.ndim - b.ndim <= 1):
        raise ShapeError(
            f"{op}: input.dim() must be greater or equal to other.dim() and (input.dim() - "
            "other.dim()) <= 1"
        )
    vector = b.ndim == a.ndim - 1
    if vector:
        b = b.unsqueeze(-1)
    m, n = a.shape[-2:]
    if b.shape[-2] != m:
        raise ShapeError(
            f"{op}: input.size(-2) should match other.size(-2), got {m} and {b.shape[-2]}"
        )
    eps = float(np.finfo(a.dtype).eps)
    rtol = eps * max(m, n) if rcond is None or rcond < 0 else float(rcond)
    s = np.linalg.svd(a._data, compute_uv=False)
    rank = (s > rtol * s.max(axis=-1, keepdims=True, initial=0)).sum(-1).astype(np.int64)
    full_rank = bool(np.all(rank == min(m, n)))
    if driver == "gels" and not full_rank:
        k = int(np.argmax(rank.reshape(-1) < min(m, n)))
        prefix = f"(Batch element {k}): " if a.ndim > 2 else ""
        raise LinAlgError(
            f"{op}: {prefix}The least squares solution could not be computed because the input "
            "matrix does not have full rank."
        )
    x = mm(Pinv.apply(a, 0.0, rtol, False), b)
    empty = const(np.zeros((0,), a.dtype))
    residuals = empty
    if driver != "gelsy" and m > n and full_rank:
        residuals = (mm(a, x) - b).square().sum(-2)
    return linalg_lstsq_result(
        x.squeeze(-1) if vector else x,
        residuals,
        const(np.zeros((0,), np.int64)) if driver == "gels" else const(rank),
        const(s) if driver in ("gelsd", "gelss") else empty,
    )
