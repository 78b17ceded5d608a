"""``Embedding`` (a lookup table of learnable vectors indexed by integers) and
``EmbeddingBag`` (sums, means or maxima of bags of them)."""

from __future__ import annotations

from typing import Any

import npgrad
from npgrad import Tensor
from npgrad.nn import functional as F
from npgrad.nn import init
from npgrad.nn._factory import factory_kwargs
from npgrad.nn.modules.module import Module, _check_sizes
from npgrad.nn.parameter import Parameter
from npgrad.ops._shape_util import ShapeError

__all__ = ["Embedding", "EmbeddingBag"]


class Embedding(Module):
    """A ``(num_embeddings, embedding_dim)`` table; ``forward`` looks up rows by index.

    Parameters
    ----------
    num_embeddings, embedding_dim : int
        Size of the dictionary and of each vector.
    padding_idx : int, optional
        This row is initialised to zeros and never receives a gradient (negative values
        count from the end and are stored as the positive index, as in PyTorch).
    max_norm : float, optional
        Rows looked up whose ``norm_type``-norm exceeds ``max_norm`` are renormalised in
        place to that norm before each lookup (this modifies ``weight``).
    norm_type : float
        The p of that norm (default 2).
    scale_grad_by_freq : bool
        Scale gradients by the inverse frequency of the indices in the mini-batch.
    sparse : bool
        Accepted and shown in the repr for compatibility; gradients are always dense.
    device, dtype : optional
        ``device`` must be the CPU; ``dtype`` is the weight's floating dtype (default: the
        default float dtype; a given ``_weight`` keeps its own).

    Attributes
    ----------
    weight : Parameter
        ``(num_embeddings, embedding_dim)``, initialised from ``N(0, 1)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> emb = nn.Embedding(10, 3, padding_idx=0)
    >>> emb
    Embedding(10, 3, padding_idx=0)
    >>> emb(npgrad.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])).shape
    npgrad.Size([2, 4, 3])
    >>> emb.weight[0].tolist()
    [0.0, 0.0, 0.0]
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        # a given _weight is used as it is (its dtype too, as in PyTorch)
        fk = factory_kwargs(type(self).__name__, device, dtype, parameters=_weight is None)
        _check_sizes("Embedding", num_embeddings=num_embeddings, embedding_dim=embedding_dim)
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(
                    f"Padding_idx must be within num_embeddings: got padding_idx={padding_idx} "
                    f"for num_embeddings={num_embeddings}"
                )
            if padding_idx < 0:
                padding_idx = num_embeddings + padding_idx
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if _weight is None:
            self.weight = Parameter(
                npgrad.empty((num_embeddings, embedding_dim), **fk), requires_grad=not _freeze
            )
            self.reset_parameters()
        else:
            if not isinstance(_weight, Tensor):
                raise TypeError(
                    f"Embedding: _weight must be a Tensor, got {type(_weight).__name__}"
                )
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ShapeError(
                    "Shape of weight does not match num_embeddings and embedding_dim: got "
                    f"{_weight.shape}, expected {(num_embeddings, embedding_dim)}"
                )
            self.weight = Parameter(_weight, requires_grad=not _freeze)
        self.sparse = sparse

    def reset_parameters(self) -> None:
        """PyTorch's default: ``N(0, 1)``, with the ``padding_idx`` row zeroed."""
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self) -> None:
        if self.padding_idx is not None:
            with npgrad.no_grad():
                self.weight._data[self.padding_idx] = 0
                self.weight._version += 1

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        try:
            return F.embedding(
                input,
                self.weight,
                self.padding_idx,
                self.max_norm,
                self.norm_type,
                self.scale_grad_by_freq,
                self.sparse,
            )
        except IndexError as exc:  # name the layer, as every nn error does
            raise IndexError(f"{self!r}: {exc}") from None

    def extra_repr(self) -> str:
        s = "{num_embeddings}, {embedding_dim}"
        if self.padding_idx is not None:
            s += ", padding_idx={padding_idx}"
        if self.max_norm is not None:
            s += ", max_norm={max_norm}"
        if self.norm_type != 2:
            s += ", norm_type={norm_type}"
        if self.scale_grad_by_freq is not False:
            s += ", scale_grad_by_freq={scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s.format(**self.__dict__)

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding whose weight *is* ``embeddings`` (shared memory, not re-initialised:
        the ``padding_idx`` row keeps its values); ``freeze`` stops its training.

        Examples
        --------
        >>> import npgrad
        >>> from npgrad import nn
        >>> weight = npgrad.tensor([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3]])
        >>> emb = nn.Embedding.from_pretrained(weight)
        >>> emb(npgrad.tensor([1]))
        tensor([[4.0000, 5.1000, 6.3000]])
        >>> emb.weight.requires_grad
        False
        """
        if not isinstance(embeddings, Tensor):
            raise TypeError(
                f"Embedding.from_pretrained: expected a Tensor, got {type(embeddings).__name__}"
            )
        if embeddings.ndim != 2:
            raise ShapeError(
                "Embeddings parameter is expected to be 2-dimensional, got shape "
                f"{embeddings.shape}"
            )
        rows, cols = embeddings.shape
        return cls(
            num_embeddings=rows,
            embedding_dim=cols,
            _weight=embeddings,
            _freeze=freeze,
            padding_idx=padding_idx,
            max_norm=max_norm,
            norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq,
            sparse=sparse,
        )


class EmbeddingBag(Module):
    """Sums, means or maxima of bags of embeddings (``mode``), computed without building the
    ``(bags, length, dim)`` tensor of :class:`Embedding`.

    ``forward(input, offsets=None, per_sample_weights=None)`` takes ``(B, N)`` indices or 1-D
    indices with the bags' start ``offsets``; see :func:`npgrad.nn.functional.embedding_bag`.
    Arguments and the ``weight`` parameter (``N(0, 1)``, ``padding_idx`` row zeroed) are
    PyTorch's.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> bag = nn.EmbeddingBag(10, 3, mode="sum")
    >>> bag
    EmbeddingBag(10, 3, mode='sum')
    >>> bag(npgrad.tensor([1, 2, 4, 5, 4, 3, 2, 9]), npgrad.tensor([0, 4])).shape
    npgrad.Size([2, 3])
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        _weight: Tensor | None = None,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        fk = factory_kwargs(type(self).__name__, device, dtype, parameters=_weight is None)
        _check_sizes("EmbeddingBag", num_embeddings=num_embeddings, embedding_dim=embedding_dim)
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(
                    f"padding_idx must be within num_embeddings: got padding_idx={padding_idx} "
                    f"for num_embeddings={num_embeddings}"
                )
            if padding_idx < 0:
                padding_idx = num_embeddings + padding_idx
        self.padding_idx = padding_idx
        if _weight is None:
            self.weight = Parameter(npgrad.empty((num_embeddings, embedding_dim), **fk))
            self.reset_parameters()  # type: ignore[misc]
        else:
            if not isinstance(_weight, Tensor) or tuple(_weight.shape) != (
                num_embeddings,
                embedding_dim,
            ):
                raise ShapeError(
                    "Shape of weight does not match num_embeddings and embedding_dim: got "
                    f"{getattr(_weight, 'shape', None)}, expected {(num_embeddings, embedding_dim)}"
                )
            self.weight = Parameter(_weight)
        self.mode = mode
        self.sparse = sparse
        self.include_last_offset = include_last_offset

    reset_parameters = Embedding.reset_parameters
    _fill_padding_idx_with_zero = Embedding._fill_padding_idx_with_zero

    def forward(
        self,
        input: Tensor,  # noqa: A002
        offsets: Tensor | None = None,
        per_sample_weights: Tensor | None = None,
    ) -> Tensor:
        try:
            return F.embedding_bag(
                input,
                self.weight,
                offsets,
                self.max_norm,
                self.norm_type,
                self.scale_grad_by_freq,
                self.mode,
                self.sparse,
                per_sample_weights,
                self.include_last_offset,
                self.padding_idx,
            )
        except IndexError as exc:
            raise IndexError(f"{self!r}: {exc}") from None

    def extra_repr(self) -> str:
        s = "{num_embeddings}, {embedding_dim}"
        if self.max_norm is not None:
            s += ", max_norm={max_norm}"
        if self.norm_type != 2:
            s += ", norm_type={norm_type}"
        if self.scale_grad_by_freq is not False:
            s += ", scale_grad_by_freq={scale_grad_by_freq}"
        s += ", mode={mode}"
        if self.padding_idx is not None:
            s += ", padding_idx={padding_idx}"
        return s.format(**{k: repr(v) for k, v in self.__dict__.items()})

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
    ) -> EmbeddingBag:
        """An EmbeddingBag whose weight *is* ``embeddings``; ``freeze`` stops its training.

        Examples
        --------
        >>> import npgrad
        >>> from npgrad import nn
        >>> bag = nn.EmbeddingBag.from_pretrained(npgrad.tensor([[1.0, 2.0], [3.0, 4.0]]))
        >>> bag(npgrad.tensor([[0, 1]]))
        tensor([[2., 3.]])
        """
        if not isinstance(embeddings, Tensor) or embeddings.ndim != 2:
            raise ShapeError(
                "Embeddings parameter is expected to be 2-dimensional, got "
                f"{getattr(embeddings, 'shape', type(embeddings).__name__)}"
            )
        rows, cols = embeddings.shape
        bag = cls(
            num_embeddings=rows,
            embedding_dim=cols,
            _weight=embeddings,
            max_norm=max_norm,
            norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq,
            mode=mode,
            sparse=sparse,
            include_last_offset=include_last_offset,
            padding_idx=padding_idx,
        )
        bag.weight.requires_grad_(not freeze)
        return bag
