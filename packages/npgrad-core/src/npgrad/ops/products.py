"""PyTorch's remaining product and norm spellings, all compositions of the primitives in
``linalg``, ``extras`` and ``decomposition`` (so their gradients, first and second order,
are those ops'): ``ger``, ``inner``, ``vdot``, ``addr``, ``addbmm``, ``chain_matmul``,
``frobenius_norm`` and ``nuclear_norm``.
"""

from __future__ import annotations

import warnings
from typing import Any

from npgrad.ops._decomposition_norms import matrix_norm, vector_norm
from npgrad.ops._promote import tensor_arg
from npgrad.ops.decomposition import multi_dot
from npgrad.ops.extras import _affine, _scaled
from npgrad.ops.linalg import bmm, dot, outer, tensordot
from npgrad.ops.reduction import sum as _sum
from npgrad.tensor import Tensor

__all__ = [
    "addbmm",
    "addr",
    "chain_matmul",
    "frobenius_norm",
    "ger",
    "inner",
    "nuclear_norm",
    "vdot",
]


def ger(input: Any, vec2: Any) -> Tensor:  # noqa: A002
    """The outer product of two 1-D tensors: PyTorch's old name for :func:`outer`.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.ger(npgrad.tensor([1.0, 2.0]), npgrad.tensor([3.0, 4.0]))
    tensor([[3., 4.],
            [6., 8.]])
    """
    return outer(input, vec2)


def inner(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The inner product over the last dimension: ``out[i..., j...] = sum_k input[i..., k] *
    other[j..., k]``, of shape ``input.shape[:-1] + other.shape[:-1]``. A 0-d operand
    multiplies the other elementwise.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.inner(npgrad.tensor([[1.0, 2.0], [3.0, 4.0]]), npgrad.tensor([1.0, 1.0]))
    tensor([3., 7.])
    """
    a, b = tensor_arg("inner", input), tensor_arg("inner", other)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"inner: the last dimension must match on both input tensors, got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        )
    return tensordot(a, b, dims=([a.ndim - 1], [b.ndim - 1]))


def vdot(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The dot product of two 1-D tensors of one dtype (npgrad is real: no conjugation, so
    this is :func:`dot`).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.vdot(npgrad.tensor([1.0, 2.0]), npgrad.tensor([3.0, 4.0]))
    tensor(11.)
    """
    a, b = tensor_arg("vdot", input), tensor_arg("vdot", other)
    if a.dtype != b.dtype:  # PyTorch's vdot does not promote
        raise RuntimeError(
            f"vdot: expected both vectors to have the same dtype, got {a.dtype} and {b.dtype}"
        )
    return dot(a, b)


def addr(input: Any, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * outer(vec1, vec2)``; ``input`` broadcasts to the product's
    shape. With ``beta=0`` ``input`` is ignored (its nan and inf do not propagate).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.addr(npgrad.ones(2, 2), npgrad.tensor([1.0, 2.0]), npgrad.tensor([1.0, 3.0]))
    tensor([[2., 4.],
            [3., 7.]])
    """
    return _affine("addr", input, _scaled(outer(vec1, vec2), alpha), beta)


def addbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * sum_b batch1[b] @ batch2[b]``: the batch of matrix products
    reduced over the batch; ``input`` broadcasts to ``(n, p)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.addbmm(npgrad.zeros(2, 2), npgrad.ones(3, 2, 1), npgrad.ones(3, 1, 2))
    tensor([[3., 3.],
            [3., 3.]])
    """
    return _affine("addbmm", input, _scaled(_sum(bmm(batch1, batch2), 0), alpha), beta)


def chain_matmul(*matrices: Any) -> Tensor:
    """The product of 2-D matrices in the cheapest order. Deprecated, as in PyTorch (it
    warns): use :func:`npgrad.linalg.multi_dot`.

    Examples
    --------
    >>> import npgrad, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     npgrad.chain_matmul(npgrad.eye(2), npgrad.ones(2, 1))
    tensor([[1.],
            [1.]])
    """
    warnings.warn(
        "npgrad.chain_matmul is deprecated; use npgrad.linalg.multi_dot instead, which "
        "accepts a list of two or more tensors rather than multiple parameters",
        UserWarning,
        stacklevel=2,
    )
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise ValueError("chain_matmul: expected one or more tensors")
    ts = [tensor_arg("chain_matmul", m) for m in matrices]
    for k, t in enumerate(ts):
        if t.ndim != 2:
            raise ValueError(f"chain_matmul: tensor {k} must be 2-D, got shape {tuple(t.shape)}")
    return ts[0] if len(ts) == 1 else multi_dot(ts)


def frobenius_norm(input: Any, dim: Any, keepdim: bool = False) -> Tensor:  # noqa: A002
    """The 2-norm of the entries over ``dim`` (one or two dimensions): PyTorch's legacy
    ``frobenius_norm``; prefer :func:`npgrad.linalg.matrix_norm`.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.frobenius_norm(npgrad.tensor([[3.0, 0.0], [0.0, 4.0]]), (0, 1))
    tensor(5.)
    """
    x = tensor_arg("frobenius_norm", input)
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if not 1 <= len(dims) <= 2:
        raise ValueError(f"frobenius_norm: expected one or two dims, got {dim!r}")
    return vector_norm(x, 2, dims, keepdim)


def nuclear_norm(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """The sum of the singular values of the matrices over ``dim`` (default the last two
    dimensions); PyTorch's legacy ``nuclear_norm``, prefer
    :func:`npgrad.linalg.matrix_norm` with ``ord='nuc'``. ``nuclear_norm(x, True)`` is the
    ``keepdim`` form, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.nuclear_norm(npgrad.tensor([[3.0, 0.0], [0.0, -4.0]]))
    tensor(7.)
    """
    x = tensor_arg("nuclear_norm", input)
    if isinstance(dim, bool):  # torch's overload nuclear_norm(input, keepdim)
        dim, keepdim = None, dim
    if dim is None:
        dim = (-2, -1)
    dims = tuple(dim)
    if len(dims) != 2:
        raise ValueError(f"nuclear_norm: expected two dims, got {dim!r}")
    return matrix_norm(x, "nuc", dims, keepdim)
