"""The rest of ``torch.linalg``, all compositions of differentiable ops: ``diagonal`` and
``cross`` with the ``torch.linalg`` defaults (the last dimensions, where ``torch.diagonal``
and ``torch.cross`` default to the first ones), ``vander``, ``tensorinv``, ``tensorsolve``
and the Householder family: ``geqrf`` (LAPACK's compact QR), ``householder_product`` (alias
``orgqr``) and ``ormqr``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from npgrad.autograd.function import Function
from npgrad.ops._decomposition_core import (
    Inv,
    LinalgTypeError,
    LinalgValueError,
    ShapeError,
    Solve,
    check_float,
    mm,
    torch_name,
)
from npgrad.ops._decomposition_spectral import _result
from npgrad.ops._joining import diagonal as _diagonal
from npgrad.ops._joining import stack
from npgrad.ops._promote import const, tensor_arg
from npgrad.ops.other import cross as _cross
from npgrad.tensor import Tensor

__all__ = [
    "geqrf",
    "householder_product",
    "linalg_cross",
    "linalg_diagonal",
    "orgqr",
    "ormqr",
    "tensorinv",
    "tensorsolve",
    "vander",
]


def linalg_diagonal(A: Any, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: N803
    """The diagonals of (a batch of) matrices, over the last two dimensions by default (a
    view, like :func:`npgrad.diagonal`, whose defaults are the first two dimensions).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.linalg.diagonal(npgrad.arange(8.0).reshape(2, 2, 2))
    tensor([[0., 3.],
            [4., 7.]])
    """
    return _diagonal(A, offset, dim1, dim2)


def linalg_cross(input: Any, other: Any, *, dim: int = -1) -> Tensor:  # noqa: A002
    """The cross product of 3-vectors along ``dim`` (the last dimension by default),
    broadcasting the other dimensions (both inputs have the same number of dimensions).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.linalg.cross(npgrad.tensor([1.0, 0.0, 0.0]), npgrad.tensor([0.0, 1.0, 0.0]))
    tensor([0., 0., 1.])
    """
    a, b = tensor_arg("linalg.cross", input), tensor_arg("linalg.cross", other)
    if a.ndim != b.ndim:  # PyTorch broadcasts sizes here, but not numbers of dimensions
        raise ShapeError(
            "linalg.cross: inputs must have the same number of dimensions, got shapes "
            f"{a.shape} and {b.shape}."
        )
    return _cross(a, b, dim)


def vander(x: Any, *, N: int | None = None) -> Tensor:  # noqa: N803
    """The Vandermonde matrix of the last dimension of ``x``: columns ``x**0, x**1, ...,
    x**(N-1)`` (increasing powers, ``N`` = that dimension's size by default), batched over
    the leading dimensions. Integer tensors give int64, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.linalg.vander(npgrad.tensor([1, 2, 3]))
    tensor([[1, 1, 1],
            [1, 2, 4],
            [1, 3, 9]])
    """
    t = tensor_arg("linalg.vander", x)
    if t.dtype.kind not in "iuf":
        raise LinalgTypeError(
            "linalg.vander supports floating point, complex, and integer tensors, but got "
            f"{t.dtype}"
        )
    if t.ndim == 0:
        raise ShapeError("linalg.vander: x must have at least one dimension, got a 0-d tensor")
    n = t.shape[-1] if N is None else int(N)
    if n <= 1:
        raise LinalgValueError(f"linalg.vander: N must be greater than 1, got {n}.")
    if t.dtype.kind in "iu" and t.dtype != np.int64:
        # PyTorch's cumulative product runs in int64 for every integer dtype (no wrapping)
        t = t.to(np.int64)
    # repeated products, not pow: exact for integers and no 0**0 / d(x**0) special cases
    cols = [t * 0 + 1, t]
    while len(cols) < n:
        cols.append(cols[-1] * t)
    return stack(cols[:n], -1)


def tensorinv(A: Any, ind: int = 2) -> Tensor:  # noqa: N803
    """The inverse of ``A`` for ``tensordot``: the tensor X with
    ``tensordot(X, A, ind)`` the identity, for ``prod(A.shape[:ind]) ==
    prod(A.shape[ind:])``. The result has shape ``A.shape[ind:] + A.shape[:ind]``.

    Examples
    --------
    >>> import npgrad
    >>> A = npgrad.eye(4).reshape(4, 2, 2) * 2
    >>> npgrad.linalg.tensorinv(A, ind=1).shape
    npgrad.Size([2, 2, 4])
    """
    t = tensor_arg("linalg.tensorinv", A)
    check_float("linalg.tensorinv", t)
    if not isinstance(ind, int) or ind <= 0:
        raise LinalgValueError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = math.prod(t.shape[:ind]), math.prod(t.shape[ind:])
    if rows != cols:
        raise ShapeError(
            "Expected self to satisfy the requirement prod(self.shape[ind:]) == "
            f"prod(self.shape[:ind]), but got {cols} != {rows}"
        )
    inv = Inv.apply(t.reshape(rows, cols))
    return inv.reshape(t.shape[ind:] + t.shape[:ind])  # type: ignore[no-any-return]


def tensorsolve(A: Any, B: Any, dims: Sequence[int] | None = None) -> Tensor:  # noqa: N803
    """The tensor X with ``tensordot(A, X, X.ndim) == B``: ``A`` has shape ``B.shape +
    X.shape`` with ``prod(B.shape) == prod(X.shape)``. ``dims`` are dimensions of ``A``
    moved to the end first.

    Examples
    --------
    >>> import npgrad
    >>> A = npgrad.eye(6).reshape(2, 3, 6) * 2
    >>> npgrad.linalg.tensorsolve(A, npgrad.ones(2, 3)).shape
    npgrad.Size([6])
    """
    a, b = tensor_arg("linalg.tensorsolve", A), tensor_arg("linalg.tensorsolve", B)
    check_float("linalg.tensorsolve", a)
    check_float("linalg.tensorsolve", b)
    if a.dtype != b.dtype:
        raise LinalgTypeError(
            f"linalg.tensorsolve: expected A and B to have the same dtype, got {a.dtype} and "
            f"{b.dtype}"
        )
    if dims is not None:
        src = [int(d) % a.ndim for d in dims]
        a = a.movedim(src, list(range(a.ndim - len(src), a.ndim)))
    x_shape = a.shape[b.ndim :]
    rows, cols = math.prod(a.shape[: b.ndim]), math.prod(x_shape)
    if a.shape[: b.ndim] != b.shape or rows != cols:
        raise ShapeError(
            "Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
            f"prod(self.shape[:other.ndim]), but got {cols} != {rows} (A {tuple(a.shape)}, "
            f"B {tuple(b.shape)})"
        )
    x = Solve.apply(a.reshape(rows, cols), b.reshape(rows, 1))
    return x.reshape(x_shape)  # type: ignore[no-any-return]


def householder_product(A: Any, tau: Any) -> Tensor:  # noqa: N803
    """The first n columns of the product ``H_1 ... H_k`` of Householder reflections
    ``H_i = I - tau_i v_i v_i^T``, ``v_i`` being column i of ``A`` below the diagonal with a
    1 on it: the Q of a QR decomposition stored LAPACK's way (``geqrf``). ``A`` is
    ``(..., m, n)`` with m >= n, ``tau`` is ``(..., k)`` with k <= n.

    Examples
    --------
    >>> import npgrad
    >>> v = npgrad.tensor([[1.0], [1.0]])  # v = (1, 1), tau = 1: H = [[0, -1], [-1, 0]]
    >>> npgrad.linalg.householder_product(v, npgrad.tensor([1.0]))
    tensor([[ 0.],
            [-1.]])
    """
    op = "torch.linalg.householder_product"
    a, t = tensor_arg(op, A), tensor_arg(op, tau)
    if a.ndim < 2:
        raise ShapeError(f"{op}: input must have at least 2 dimensions.")
    check_float(op, a)
    if t.dtype != a.dtype:
        raise LinalgTypeError(
            f"{op}: tau dtype {torch_name(t.dtype)} does not match input dtype "
            f"{torch_name(a.dtype)}"
        )
    m, n = a.shape[-2:]
    if m < n:
        raise ShapeError(f"{op}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    if t.ndim < 1 or n < t.shape[-1]:
        raise ShapeError(f"{op}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if t.shape[:-1] != a.shape[:-2]:
        raise ShapeError(
            f"{op}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
            f"{list(t.shape[:-1])}"
        )
    k = t.shape[-1]
    vs = _reflectors(a, k)
    q: Any = const(np.broadcast_to(np.eye(m, dtype=a.dtype), a.shape[:-2] + (m, m)))
    for i in range(k):  # Q <- Q H_i = Q - tau_i (Q v_i) v_i^T
        v = vs[..., :, i : i + 1]
        q = q - t[..., i : i + 1].unsqueeze(-1) * mm(mm(q, v), v.mT)
    return q[..., :, :n]  # type: ignore[no-any-return]


def _reflectors(a: Tensor, k: int) -> Tensor:
    """The Householder vectors ``v_1 .. v_k`` of LAPACK's compact form, as columns: column i
    of ``a`` below the diagonal, 1 on it, 0 above (a differentiable function of ``a``)."""
    m = a.shape[-2]
    return a[..., :, :k].tril(-1) + const(np.eye(m, k, dtype=a.dtype))  # type: ignore[no-any-return]


def orgqr(input: Any, input2: Any) -> Tensor:  # noqa: A002
    """An alias of :func:`npgrad.linalg.householder_product`: the explicit Q (its first n
    columns) of the compact QR ``(input, input2)`` that :func:`geqrf` returns.

    Examples
    --------
    >>> import npgrad
    >>> A = npgrad.tensor([[3.0, 1.0], [4.0, 2.0]])
    >>> npgrad.orgqr(*npgrad.geqrf(A))
    tensor([[-0.6000, -0.8000],
            [-0.8000,  0.6000]])
    """
    return householder_product(input, input2)


geqrf_result = _result("geqrf", "a tau", "geqrf_result")


class Geqrf(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # NumPy's 'raw' QR is LAPACK's geqrf itself, returned in Fortran (transposed) layout
        h, tau = np.linalg.qr(a, mode="raw")
        return np.ascontiguousarray(np.swapaxes(h, -1, -2)), tau

    @staticmethod
    def backward(ctx: Any, ga: Tensor, gtau: Tensor) -> Any:
        # PyTorch has no derivative for geqrf either (differentiate linalg.qr instead)
        raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


def geqrf(input: Any) -> Any:  # noqa: A002
    """The QR decomposition of a matrix (or batch ``(..., m, n)``) in LAPACK ``geqrf``'s
    compact form: a named tuple ``(a, tau)``. ``a`` holds R on and above the diagonal and the
    Householder vectors below it (each with an implied 1 on the diagonal); with ``tau``
    (``(..., min(m, n))``), ``Q = H_1 ... H_k``, ``H_i = I - tau_i v_i v_i^T``. The signs
    are LAPACK's (R's diagonal may be negative), as PyTorch's.

    Recover Q with :func:`npgrad.linalg.householder_product` (:func:`orgqr`) or multiply by
    it with :func:`ormqr`. Not differentiable, as in PyTorch (use
    :func:`npgrad.linalg.qr`): a backward through it raises NotImplementedError.

    Examples
    --------
    >>> import npgrad
    >>> a, tau = npgrad.geqrf(npgrad.tensor([[3.0, 1.0], [4.0, 2.0]]))
    >>> a
    tensor([[-5.0000, -2.2000],
            [ 0.5000,  0.4000]])
    >>> tau
    tensor([1.6000, 0.0000])
    """
    op = "geqrf"
    t = tensor_arg(op, input)
    if t.ndim < 2:
        raise ShapeError(f"{op}: input must have at least 2 dimensions, got shape {list(t.shape)}")
    check_float(op, t)
    return geqrf_result(*Geqrf.apply(t))


def ormqr(
    input: Any,  # noqa: A002
    input2: Any,
    input3: Any,
    left: bool = True,
    transpose: bool = False,
) -> Tensor:
    """``op(Q) C`` (``left=True``) or ``C op(Q)`` without forming Q: Q is the product of the
    Householder reflections ``(input, input2)`` (``a`` and ``tau`` as :func:`geqrf` returns
    them), ``C`` is ``input3``, and ``op(Q)`` is ``Q^T`` when ``transpose``.

    ``input`` is ``(..., m, n)``; ``input3`` has the same batch dimensions, and m rows
    (``left``) or m columns; ``input2`` has ``min(m, n)`` reflector coefficients per matrix.
    Differentiable in all three tensors (in the reflectors below the diagonal of
    ``input``), as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> A = npgrad.tensor([[3.0, 1.0], [4.0, 2.0]])
    >>> a, tau = npgrad.geqrf(A)
    >>> npgrad.allclose(npgrad.ormqr(a, tau, a.triu()), A)  # Q R = A
    True
    """
    op = "ormqr"
    a, t, c = tensor_arg(op, input), tensor_arg(op, input2), tensor_arg(op, input3)
    if a.ndim < 2:
        raise ShapeError(f"{op}: input must have at least 2 dimensions, got shape {list(a.shape)}")
    if c.ndim < 2:
        raise ShapeError(f"{op}: other must have at least 2 dimensions, got shape {list(c.shape)}")
    check_float(op, a)
    for name, x in (("tau", t), ("other", c)):
        if x.dtype != a.dtype:
            raise LinalgTypeError(
                f"{op}: Expected input and {name} to have the same dtype, but input has dtype "
                f"{torch_name(a.dtype)} and {name} has dtype {torch_name(x.dtype)}"
            )
    left, transpose = bool(left), bool(transpose)
    side = -2 if left else -1
    m = a.shape[-2]
    if t.ndim != a.ndim - 1:
        raise ShapeError(
            f"{op}: Expected tau to have one dimension less than input, but got tau.ndim "
            f"equal to {t.ndim} and input.ndim is equal to {a.ndim}"
        )
    if c.ndim != a.ndim:
        raise ShapeError(
            f"{op}: Expected other to have the same number of dimensions as input, but got "
            f"other.ndim equal to {c.ndim} and input.ndim is equal to {a.ndim}"
        )
    if t.shape[:-1] != a.shape[:-2]:
        raise ShapeError(
            f"{op}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
            f"{list(t.shape[:-1])} (input {list(a.shape)})"
        )
    if c.shape[:-2] != a.shape[:-2]:
        raise ShapeError(
            f"{op}: Expected batch dimensions of other to be equal to input.shape[:-2], but got "
            f"{list(c.shape[:-2])} (input {list(a.shape)})"
        )
    if c.shape[side] != m:
        raise ShapeError(
            f"{op}: other.shape[{side}] must be equal to input.shape[-2], got other of shape "
            f"{list(c.shape)} and input of shape {list(a.shape)}"
        )
    k = min(m, a.shape[-1])
    if t.shape[-1] != k:
        raise ShapeError(
            f"{op}: tau.shape[-1] must be equal to min(other.shape[{side}], input.shape[-1]) "
            f"= {k}, got tau of shape {list(t.shape)}"
        )
    vs = _reflectors(a, k)
    # Q = H_1 ... H_k: Q C applies H_k first, Q^T C = H_k ... H_1 C applies H_1 first; on
    # the right, C Q applies H_1 first and C Q^T applies H_k first
    order = range(k) if left == transpose else range(k - 1, -1, -1)
    out = c
    for i in order:
        v = vs[..., :, i : i + 1]
        ti = t[..., i : i + 1].unsqueeze(-1)
        if left:  # H X = X - tau v (v^T X)
            out = out - ti * mm(v, mm(v.mT, out))
        else:  # X H = X - tau (X v) v^T
            out = out - ti * mm(mm(out, v), v.mT)
    return out  # type: ignore[no-any-return]
