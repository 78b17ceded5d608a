"""PyTorch's complex-number API on npgrad's real tensors, for code written generically over
real and complex dtypes: on a real tensor ``conj``, ``conj_physical``, ``resolve_conj``,
``resolve_neg`` and ``real`` return the tensor itself (as PyTorch does for real dtypes),
``is_conj``/``is_neg`` are False, ``imag`` is an error, and ``adjoint`` is the transpose
of the last two dimensions.
"""

from __future__ import annotations

from typing import Any

from npgrad.ops._promote import tensor_arg
from npgrad.ops._shape_util import ShapeError
from npgrad.tensor import Tensor

__all__ = [
    "adjoint",
    "conj",
    "conj_physical",
    "imag",
    "is_conj",
    "is_neg",
    "real",
    "resolve_conj",
    "resolve_neg",
]


def conj(input: Any) -> Tensor:  # noqa: A002
    """The complex conjugate: ``input`` itself, since npgrad's tensors are real.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([1.0, -2.0])
    >>> npgrad.conj(x) is x
    True
    """
    return tensor_arg("conj", input)


def conj_physical(input: Any) -> Tensor:  # noqa: A002
    """The complex conjugate computed eagerly: ``input`` itself for a real tensor.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.conj_physical(npgrad.tensor([1, 2]))
    tensor([1, 2])
    """
    return tensor_arg("conj_physical", input)


def resolve_conj(input: Any) -> Tensor:  # noqa: A002
    """Materialise a lazy conjugation: ``input`` itself (npgrad has none).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.ones(2)
    >>> npgrad.resolve_conj(x) is x
    True
    """
    return tensor_arg("resolve_conj", input)


def resolve_neg(input: Any) -> Tensor:  # noqa: A002
    """Materialise a lazy negation: ``input`` itself (npgrad has none).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.ones(2)
    >>> npgrad.resolve_neg(x) is x
    True
    """
    return tensor_arg("resolve_neg", input)


def is_conj(input: Any) -> bool:  # noqa: A002
    """Whether ``input`` is a lazily conjugated view: never in npgrad.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.is_conj(npgrad.ones(2))
    False
    """
    tensor_arg("is_conj", input)
    return False


def is_neg(input: Any) -> bool:  # noqa: A002
    """Whether ``input`` is a lazily negated view: never in npgrad.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.is_neg(npgrad.ones(2))
    False
    """
    tensor_arg("is_neg", input)
    return False


def real(input: Any) -> Tensor:  # noqa: A002
    """The real part: ``input`` itself for a real tensor.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.real(npgrad.tensor([1.5]))
    tensor([1.5000])
    """
    return tensor_arg("real", input)


def imag(input: Any) -> Tensor:  # noqa: A002
    """The imaginary part: an error, as in PyTorch for a real dtype (npgrad has no
    complex dtypes).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.imag(npgrad.ones(1))
    Traceback (most recent call last):
    ...
    RuntimeError: imag: not implemented for tensors with non-complex dtypes (got float32)
    """
    x = tensor_arg("imag", input)
    raise RuntimeError(f"imag: not implemented for tensors with non-complex dtypes (got {x.dtype})")


def adjoint(input: Any) -> Tensor:  # noqa: A002
    """The conjugate transpose of the last two dimensions (a view); for real tensors, the
    transpose. Needs at least 2 dimensions.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.adjoint(npgrad.tensor([[1.0, 2.0]]))
    tensor([[1.],
            [2.]])
    """
    x = tensor_arg("adjoint", input)
    if x.ndim < 2:
        raise ShapeError(
            f"adjoint: only supported on matrices or batches of matrices, got a {x.ndim}-D tensor"
        )
    return x.transpose(-2, -1)
