"""PyTorch's remaining shape spellings and tensor-state functions, all compositions of
existing ops: ``ravel``, ``unsafe_chunk``/``unsafe_split``/``unsafe_split_with_sizes`` (in
PyTorch they skip the view bookkeeping; npgrad's pieces are the ordinary, safe ones), and the
function forms ``detach``, ``fill`` and ``zero_`` of the Tensor methods; it also exports
``index_reduce`` (from ``gather_scatter``) and ``put`` (from ``indexing``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from npgrad.ops._joining import chunk, split
from npgrad.ops._promote import tensor_arg
from npgrad.ops.assembly import split_with_sizes
from npgrad.ops.gather_scatter import index_reduce as index_reduce
from npgrad.ops.indexing import narrow
from npgrad.ops.indexing import put as put
from npgrad.ops.other import vstack
from npgrad.tensor import Tensor

__all__ = [
    "detach",
    "fill",
    "index_reduce",
    "narrow_copy",
    "put",
    "ravel",
    "row_stack",
    "unsafe_chunk",
    "unsafe_split",
    "unsafe_split_with_sizes",
    "zero_",
]


def ravel(input: Any) -> Tensor:  # noqa: A002
    """The elements as a 1-D tensor in row-major order (a view when the memory allows it,
    as ``reshape(-1)``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.ravel(npgrad.tensor([[1, 2], [3, 4]]).t())
    tensor([1, 3, 2, 4])
    """
    return tensor_arg("ravel", input).reshape(-1)


def unsafe_chunk(input: Any, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """:func:`chunk` (PyTorch's unsafe variant only skips view checks; npgrad's are kept).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.unsafe_chunk(npgrad.arange(4), 2)
    (tensor([0, 1]), tensor([2, 3]))
    """
    return chunk(tensor_arg("unsafe_chunk", input), chunks, dim)


def unsafe_split(tensor: Any, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """:func:`split` (PyTorch's unsafe variant only skips view checks; npgrad's are kept).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.unsafe_split(npgrad.arange(5), 2)
    (tensor([0, 1]), tensor([2, 3]), tensor([4]))
    """
    return split(tensor_arg("unsafe_split", tensor), split_size, dim)


def unsafe_split_with_sizes(
    input: Any,  # noqa: A002
    split_sizes: Sequence[int],
    dim: int = 0,
) -> tuple[Tensor, ...]:
    """:func:`split_with_sizes` (PyTorch's unsafe variant only skips view checks).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.unsafe_split_with_sizes(npgrad.arange(5), [1, 4])
    (tensor([0]), tensor([1, 2, 3, 4]))
    """
    return split_with_sizes(tensor_arg("unsafe_split_with_sizes", input), split_sizes, dim)


def detach(input: Any) -> Tensor:  # noqa: A002
    """``input.detach()``: the same memory, cut off from the graph.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.detach(npgrad.ones(2, requires_grad=True))
    tensor([1., 1.])
    """
    return tensor_arg("detach", input).detach()


def fill(input: Any, value: Any) -> Tensor:  # noqa: A002
    """A new tensor of ``input``'s shape and dtype filled with ``value`` (out of place; the
    gradient to ``input`` is zero, and flows to ``value`` when it is a tensor, as in PyTorch).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.fill(npgrad.zeros(2), 3.0)
    tensor([3., 3.])
    """
    return tensor_arg("fill", input).clone().fill_(value)


def zero_(input: Any) -> Tensor:  # noqa: A002
    """``input.zero_()``: fill ``input`` with zeros in place and return it.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.zero_(npgrad.ones(2))
    tensor([0., 0.])
    """
    return tensor_arg("zero_", input).zero_()


def narrow_copy(input: Any, dim: int, start: int, length: int) -> Tensor:  # noqa: A002
    """:func:`narrow` as a new tensor (a copy, not a view).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.narrow_copy(npgrad.arange(5), 0, 1, 3)
    tensor([1, 2, 3])
    """
    return narrow(tensor_arg("narrow_copy", input), dim, start, length).clone()


def row_stack(tensors: Sequence[Any]) -> Tensor:
    """:func:`vstack` (PyTorch's alias).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.row_stack([npgrad.tensor([1, 2]), npgrad.tensor([3, 4])])
    tensor([[1, 2],
            [3, 4]])
    """
    return vstack(tensors)
