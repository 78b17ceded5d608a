"""Tensor's shape, indexing and assembly methods (``reshape``, ``view``, ``permute``,
``gather``, ``index_select``, ``unfold``...): :mod:`npgrad.ops.shape`, ``shape_more``,
``assembly``, ``indexing``, ``gather_scatter``, ``selection`` and ``other``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from npgrad import ops
from npgrad._methods.base import MethodsBase
from npgrad.ops._aliases import numpy_aliases

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["ShapeMethods"]


class ShapeMethods(MethodsBase):
    __slots__ = ()

    # ---- operators -----------------------------------------------------------------------
    def __getitem__(self, key: Any) -> Tensor:
        return ops.shape.getitem(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        ops.indexing.setitem(self, key, value)

    # ---- shape (npgrad.ops.shape) --------------------------------------------------------
    def reshape(self, *sizes: Any, shape: Any = None) -> Tensor:
        if shape is not None:
            return ops.shape.reshape(self, *sizes, shape=shape)
        return ops.shape.reshape(self, *sizes)

    def view(self, *shape: Any, size: Any = None) -> Tensor:
        if size is not None:
            return ops.shape.view(self, *shape, size=size)
        return ops.shape.view(self, *shape)

    def view_as(self, other: Tensor) -> Tensor:
        return ops.shape.view(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return ops.shape.reshape(self, other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return ops.shape.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: int, sizes: Any) -> Tensor:
        return ops.shape.unflatten(self, dim, sizes)

    @numpy_aliases
    def squeeze(self, dim: Any = None) -> Tensor:
        return ops.shape.squeeze(self, dim)

    @numpy_aliases
    def squeeze_(self, dim: Any = None) -> Tensor:
        return self._inplace_view("squeeze_", ops.shape.squeeze, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return ops.shape.unsqueeze(self, dim)

    def unsqueeze_(self, dim: int) -> Tensor:
        return self._inplace_view("unsqueeze_", ops.shape.unsqueeze, dim)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return ops.shape.transpose(self, dim0, dim1)

    swapdims = transpose

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        return ops.shape.transpose(self, axis0, axis1)

    def transpose_(self, dim0: int, dim1: int) -> Tensor:
        return self._inplace_view("transpose_", ops.shape.transpose, dim0, dim1)

    swapdims_ = transpose_

    def swapaxes_(self, axis0: int, axis1: int) -> Tensor:
        return self._inplace_view("swapaxes_", ops.shape.transpose, axis0, axis1)

    def t(self) -> Tensor:
        return ops.shape.t(self)

    def t_(self) -> Tensor:
        return self._inplace_view("t_", ops.shape.t)

    @property
    def T(self) -> Tensor:  # noqa: N802
        return ops.shape.permute(self, tuple(range(self.ndim - 1, -1, -1)))  # type: ignore[attr-defined]

    @property
    def mT(self: Any) -> Tensor:  # noqa: N802
        if self.ndim == 0:  # PyTorch (deprecated): the identity on a 0-d tensor
            return ops.shape.permute(self, ())  # type: ignore[attr-defined]
        return ops.shape.transpose(self, -2, -1)

    def permute(self, *args: Any, dims: Any = None) -> Tensor:
        if dims is not None:
            return ops.shape.permute(self, *args, dims=dims)
        return ops.shape.permute(self, *args)

    def expand(self, *sizes: Any, size: Any = None) -> Tensor:
        if size is not None:
            return ops.shape.expand(self, *sizes, size=size)
        return ops.shape.expand(self, *sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        return ops.shape.expand(self, other.shape)

    def broadcast_to(self, shape: Any) -> Tensor:
        return ops.shape.expand(self, shape)

    def repeat(self, *sizes: Any, repeats: Any = None) -> Tensor:
        if repeats is not None:
            return ops.shape.repeat(self, *sizes, repeats=repeats)
        return ops.shape.repeat(self, *sizes)

    def tile(self, *args: Any, dims: Any = None) -> Tensor:
        if dims is not None:
            return ops.shape.tile(self, *args, dims=dims)
        return ops.shape.tile(self, *args)

    def split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        # PyTorch's method names its argument ``split_size`` (an int or a list of sizes);
        # the function ``npgrad.split`` names it ``split_size_or_sections``
        return ops.shape.split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return ops.shape.chunk(self, chunks, dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        return ops.shape.unbind(self, dim)

    def flip(self, *args: Any, dims: Any = None) -> Tensor:
        if dims is not None:
            return ops.shape.flip(self, *args, dims=dims)
        return ops.shape.flip(self, *args)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return ops.shape.roll(self, shifts, dims)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return ops.shape.diagonal(self, offset, dim1, dim2)

    def trace(self) -> Tensor:
        return ops.shape.trace(self)

    def tril(self, diagonal: int = 0) -> Tensor:
        return ops.shape.tril(self, diagonal)

    def tril_(self, diagonal: int = 0) -> Tensor:
        return self._inplace("tril_", ops.shape.tril, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        return ops.shape.triu(self, diagonal)

    def triu_(self, diagonal: int = 0) -> Tensor:
        return self._inplace("triu_", ops.shape.triu, diagonal)

    def clone(self, *, memory_format: Any = None) -> Tensor:
        return ops.shape.clone(self, memory_format=memory_format)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        return ops.shape.contiguous(self, memory_format)

    def index_put(self, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
        return ops.shape.index_put(self, tuple(indices), values, accumulate)

    def index_put_(self, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
        return self._inplace("index_put_", ops.shape.index_put, tuple(indices), values, accumulate)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return ops.shape.movedim(self, source, destination)

    moveaxis = movedim

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        return ops.shape.narrow(self, dim, start, length)

    def gather(self, dim: int, index: Any) -> Tensor:
        return ops.shape.gather(self, dim, index)

    def scatter(
        self, dim: int, index: Any, src: Any = None, value: Any = None, *, reduce: str | None = None
    ) -> Tensor:
        return ops.shape.scatter(self, dim, index, src, value, reduce=reduce)

    def scatter_(
        self, dim: int, index: Any, src: Any = None, value: Any = None, *, reduce: str | None = None
    ) -> Tensor:
        return self._inplace("scatter_", ops.shape.scatter, dim, index, src, value, reduce=reduce)

    def scatter_add(self, dim: int, index: Any, src: Any) -> Tensor:
        return ops.shape.scatter_add(self, dim, index, src)

    def scatter_add_(self, dim: int, index: Any, src: Any) -> Tensor:
        return self._inplace("scatter_add_", ops.shape.scatter_add, dim, index, src)

    def scatter_reduce(
        self, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True
    ) -> Tensor:
        return ops.shape.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)

    def scatter_reduce_(
        self, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True
    ) -> Tensor:
        return self._inplace(
            "scatter_reduce_",
            ops.shape.scatter_reduce,
            dim,
            index,
            src,
            reduce,
            include_self=include_self,
        )

    def index_select(self, dim: int, index: Any) -> Tensor:
        return ops.shape.index_select(self, dim, index)

    def index_add(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
        return ops.shape.index_add(self, dim, index, source, alpha=alpha)

    def index_add_(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
        return self._inplace("index_add_", ops.shape.index_add, dim, index, source, alpha=alpha)

    def index_copy(self, dim: int, index: Any, source: Any) -> Tensor:
        return ops.shape.index_copy(self, dim, index, source)

    def index_copy_(self, dim: int, index: Any, source: Any) -> Tensor:
        return self._inplace("index_copy_", ops.shape.index_copy, dim, index, source)

    def index_fill(self, dim: int, index: Any, value: Any) -> Tensor:
        return ops.shape.index_fill(self, dim, index, value)

    def index_fill_(self, dim: int, index: Any, value: Any) -> Tensor:
        return self._inplace("index_fill_", ops.shape.index_fill, dim, index, value)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        return ops.shape.masked_fill(self, mask, value)

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        return self._inplace("masked_fill_", ops.shape.masked_fill, mask, value)

    def masked_select(self, mask: Any) -> Tensor:
        return ops.shape.masked_select(self, mask)

    def masked_scatter(self, mask: Any, source: Any) -> Tensor:
        return ops.shape.masked_scatter(self, mask, source)

    def masked_scatter_(self, mask: Any, source: Any) -> Tensor:
        return self._inplace("masked_scatter_", ops.shape.masked_scatter, mask, source)

    def take(self, index: Any) -> Tensor:
        return ops.shape.take(self, index)

    def take_along_dim(self, indices: Any, dim: int | None = None) -> Tensor:
        return ops.shape.take_along_dim(self, indices, dim)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        return ops.shape.nonzero(self, as_tuple=as_tuple)

    def argwhere(self) -> Tensor:
        return ops.shape.argwhere(self)

    # ---- npgrad.ops.other ----------------------------------------------------------------
    def tensor_split(self, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return ops.other.tensor_split(self, indices_or_sections, dim)

    def select(self, dim: int, index: int) -> Tensor:
        return ops.other.select(self, dim, index)

    def diag(self, diagonal: int = 0) -> Tensor:
        return ops.other.diag(self, diagonal)

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        return ops.other.diag_embed(self, offset, dim1, dim2)

    def fill_diagonal_(self, fill_value: Any, wrap: bool = False) -> Tensor:
        return self._inplace("fill_diagonal_", ops.other._fill_diagonal, fill_value, wrap)

    def rot90(self, k: int = 1, dims: Any = (0, 1)) -> Tensor:
        return ops.other.rot90(self, k, dims)

    def repeat_interleave(
        self, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
    ) -> Tensor:
        if repeats is None:  # ``t.repeat_interleave()``: PyTorch's index form on ``t``
            return ops.other.repeat_interleave(self)
        return ops.other.repeat_interleave(self, repeats, dim, output_size=output_size)

    # ---- selection (npgrad.ops.selection) ------------------------------------------------
    def nonzero_static(self, *, size: int, fill_value: int = -1) -> Tensor:
        return ops.selection.nonzero_static(self, size=size, fill_value=fill_value)

    # ---- more shape ops (npgrad.ops.shape_more) ------------------------------------------
    def ravel(self) -> Tensor:
        return ops.shape_more.ravel(self)

    def unsafe_chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return ops.shape_more.unsafe_chunk(self, chunks, dim)

    def unsafe_split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return ops.shape_more.unsafe_split(self, split_size, dim)

    def unsafe_split_with_sizes(self, split_sizes: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return ops.shape_more.unsafe_split_with_sizes(self, split_sizes, dim)

    def narrow_copy(self, dim: int, start: int, length: int) -> Tensor:
        return ops.shape_more.narrow_copy(self, dim, start, length)

    # ---- indexing (npgrad.ops.indexing) --------------------------------------------------
    def put(self, index: Any, source: Any, accumulate: bool = False) -> Tensor:
        return ops.indexing.put(self, index, source, accumulate)

    def put_(self, index: Any, source: Any, accumulate: bool = False) -> Tensor:
        return self._inplace("put_", ops.indexing.put, index, source, accumulate)

    # ---- gather / scatter / index / masked (npgrad.ops.gather_scatter) -------------------
    def index_reduce(
        self, dim: int, index: Any, source: Any, reduce: str, *, include_self: bool = True
    ) -> Tensor:
        return ops.gather_scatter.index_reduce(
            self, dim, index, source, reduce, include_self=include_self
        )

    def index_reduce_(
        self, dim: int, index: Any, source: Any, reduce: str, *, include_self: bool = True
    ) -> Tensor:
        return self._inplace(
            "index_reduce_",
            ops.gather_scatter.index_reduce,
            dim,
            index,
            source,
            reduce,
            include_self=include_self,
        )

    # ---- assembly (npgrad.ops.assembly) --------------------------------------------------
    def as_strided(self, size: Any, stride: Any, storage_offset: int | None = None) -> Tensor:
        return ops.assembly.as_strided(self, size, stride, storage_offset)

    def as_strided_(self, size: Any, stride: Any, storage_offset: int | None = None) -> Tensor:
        return self._inplace_view(
            "as_strided_", ops.assembly.as_strided, size, stride, storage_offset
        )  # type: ignore[attr-defined,no-any-return]

    def diagflat(self, offset: int = 0) -> Tensor:
        return ops.assembly.diagflat(self, offset)

    def slice_scatter(
        self, src: Any, dim: int = 0, start: Any = None, end: Any = None, step: int = 1
    ) -> Tensor:
        return ops.assembly.slice_scatter(self, src, dim, start, end, step)

    def select_scatter(self, src: Any, dim: int, index: int) -> Tensor:
        return ops.assembly.select_scatter(self, src, dim, index)

    def diagonal_scatter(self, src: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return ops.assembly.diagonal_scatter(self, src, offset, dim1, dim2)

    def split_with_sizes(self, split_sizes: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return ops.assembly.split_with_sizes(self, split_sizes, dim)

    def hsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        return ops.assembly.hsplit(self, indices_or_sections)

    def vsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        return ops.assembly.vsplit(self, indices_or_sections)

    def dsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        return ops.assembly.dsplit(self, indices_or_sections)

    def fliplr(self) -> Tensor:
        return ops.assembly.fliplr(self)

    def flipud(self) -> Tensor:
        return ops.assembly.flipud(self)

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        return ops.assembly.unfold(self, dimension, size, step)
