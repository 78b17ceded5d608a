"""Variable-length batches for recurrent layers: ``PackedSequence`` and its helpers.

A *packed* batch stores only the valid time steps of every sequence, time-major: the
``batch_sizes[t]`` sequences still running at step ``t`` (the longest first) are rows
``sum(batch_sizes[:t]) ...`` of ``data``. The recurrent layers run step ``t`` on exactly those
rows, so padding never enters the computation and ``h_n`` is each sequence's last valid state.

All the conversions are one gather (``x[index]``) with index arrays computed in NumPy, so they
are differentiable (their backward scatters the gradient back) and cost one copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.ops._shape_util import ShapeError

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]


class PackedSequence_(NamedTuple):  # noqa: N801 - torch's name for the tuple base
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes ``permutation`` (None stays None)."""
    if permutation is None:
        return None
    p = _ints(permutation, "invert_permutation", "permutation")
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return npgrad.tensor(out)


class PackedSequence(PackedSequence_):
    """A batch of variable-length sequences, packed time-major (see the module docstring).

    Build it with :func:`pack_padded_sequence` or :func:`pack_sequence`, not by hand.
    ``sorted_indices[i]`` is the original batch position of the ``i``-th longest sequence (None
    when the batch was already sorted); ``unsorted_indices`` is its inverse.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn.utils.rnn import pack_sequence
    >>> p = pack_sequence([npgrad.tensor([1.0, 2.0, 3.0]), npgrad.tensor([4.0])])
    >>> p.data, p.batch_sizes
    (tensor([1., 4., 2., 3.]), tensor([2, 1, 1]))
    """

    def __new__(
        cls,
        data: Any,
        batch_sizes: Tensor | None = None,
        sorted_indices: Tensor | None = None,
        unsorted_indices: Tensor | None = None,
    ) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence((data, batch_sizes)), as torch allows
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise TypeError(
                    "PackedSequence: pass data and batch_sizes, or one (data, batch_sizes) pair"
                )
            data, batch_sizes = data
        if not isinstance(batch_sizes, Tensor):
            batch_sizes = npgrad.tensor(np.asarray(batch_sizes, dtype=np.int64))
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """``data.to(...)`` in a PackedSequence with the same sizes and indices."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self) -> PackedSequence:
        return self

    def double(self) -> PackedSequence:
        return self.to(npgrad.float64)

    def float(self) -> PackedSequence:
        return self.to(npgrad.float32)

    def half(self) -> PackedSequence:
        return self.to(npgrad.float16)

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


# ---- helpers --------------------------------------------------------------------------------
def _ints(values: Any, op: str, what: str) -> np.ndarray:
    arr = values._data if isinstance(values, Tensor) else np.asarray(values)
    if arr.dtype.kind not in "iub" and arr.size:
        raise TypeError(f"{op}: expected integer {what}, got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ShapeError(f"{op}: expected 1-D {what}, got shape {arr.shape}")
    return arr.astype(np.int64)


def _batch_sizes(lengths: np.ndarray) -> np.ndarray:
    """``batch_sizes[t]``: how many of the (sorted, descending) lengths exceed ``t``."""
    steps = np.arange(int(lengths.max()) if lengths.size else 0)
    return (lengths[None, :] > steps[:, None]).sum(axis=1).astype(np.int64)


def _lengths_of(batch_sizes: np.ndarray) -> np.ndarray:
    """The sorted lengths a ``batch_sizes`` vector describes (inverse of ``_batch_sizes``)."""
    b = int(batch_sizes[0]) if batch_sizes.size else 0
    return (batch_sizes[None, :] > np.arange(b)[:, None]).sum(axis=1).astype(np.int64)


def _sequences(op: str, sequences: Any) -> list[Tensor]:
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    seqs = list(sequences)
    if not seqs:
        raise ValueError(f"{op}: received an empty list of sequences")
    for i, s in enumerate(seqs):
        if not isinstance(s, Tensor):
            raise TypeError(f"{op}: sequence {i} is a {type(s).__name__}, expected a Tensor")
        if s.ndim == 0:
            raise ShapeError(f"{op}: sequence {i} is 0-dimensional; sequences are (L, *)")
        if s.shape[1:] != seqs[0].shape[1:]:
            raise ShapeError(
                f"{op}: all sequences must have the same trailing dimensions; sequence 0 has "
                f"shape {seqs[0].shape} and sequence {i} has shape {s.shape}"
            )
    return seqs


def _gather_with_padding(flat: Tensor, index: np.ndarray, padding_value: float) -> Tensor:
    """``flat`` (rows, *) with a padding row appended, gathered at ``index`` (any shape):
    index ``rows`` (one past the end) reads the padding row."""
    pad = npgrad.full((1, *flat.shape[1:]), padding_value, dtype=flat.dtype)
    return npgrad.cat([flat, pad])[index]


# ---- padding ---------------------------------------------------------------------------------
def pad_sequence(
    sequences: Sequence[Tensor] | Tensor,
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack sequences of shapes ``(L_i, *)`` into ``(max L, B, *)`` (``(B, max L, *)`` with
    ``batch_first``), filling with ``padding_value`` on the ``padding_side``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn.utils.rnn import pad_sequence
    >>> pad_sequence([npgrad.tensor([1, 2, 3]), npgrad.tensor([4])], batch_first=True)
    tensor([[1, 2, 3],
            [4, 0, 0]])
    """
    if padding_side not in ("left", "right"):
        raise ValueError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    seqs = _sequences("pad_sequence", sequences)
    lengths = np.array([s.shape[0] for s in seqs], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    total, longest = int(lengths.sum()), int(lengths.max())
    t = np.arange(longest)[None, :]  # (1, T) against (B, 1)
    shift = (longest - lengths)[:, None] if padding_side == "left" else 0
    pos = t - shift
    index = np.where((pos >= 0) & (pos < lengths[:, None]), starts[:, None] + pos, total)
    flat = npgrad.cat(seqs) if len(seqs) > 1 else seqs[0]
    out = _gather_with_padding(flat, index if batch_first else index.T, padding_value)
    return out


def unpad_sequence(
    padded_sequences: Tensor, lengths: Tensor | Sequence[int], batch_first: bool = False
) -> list[Tensor]:
    """The inverse of :func:`pad_sequence` (right padding): a list of ``(L_i, *)`` tensors.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn.utils.rnn import unpad_sequence
    >>> x = npgrad.tensor([[1, 2, 3], [4, 0, 0]])
    >>> unpad_sequence(x, [3, 1], batch_first=True)
    [tensor([1, 2, 3]), tensor([4])]
    """
    lens = _ints(lengths, "unpad_sequence", "lengths")
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    if lens.size != x.shape[0]:
        raise ShapeError(
            f"unpad_sequence: got {lens.size} lengths for a batch of {x.shape[0]} sequences "
            f"(padded shape {tuple(padded_sequences.shape)}, batch_first={batch_first})"
        )
    return [x[i, : int(n)] for i, n in enumerate(lens)]


# ---- packing ---------------------------------------------------------------------------------
def pack_padded_sequence(
    input: Tensor,  # noqa: A002 - torch's name
    lengths: Tensor | Sequence[int],
    batch_first: bool = False,
    enforce_sorted: bool = True,
) -> PackedSequence:
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) whose sequence
    ``b`` has ``lengths[b]`` valid steps.

    With ``enforce_sorted`` the lengths must be in decreasing order; otherwise the batch is
    sorted here and the permutation kept in ``sorted_indices`` (every recurrent layer and
    :func:`pad_packed_sequence` undo it).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn.utils.rnn import pack_padded_sequence
    >>> x = npgrad.tensor([[1, 2, 3], [4, 0, 0]])
    >>> pack_padded_sequence(x, [3, 1], batch_first=True).data
    tensor([1, 4, 2, 3])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pack_padded_sequence: input must be a Tensor, got {type(input).__name__}")
    lens = _ints(lengths, "pack_padded_sequence", "lengths")
    if input.ndim < 2:
        raise ShapeError(
            f"pack_padded_sequence: input must have at least 2 dimensions (T, B, *), got shape "
            f"{tuple(input.shape)}"
        )
    b_dim, t_dim = (0, 1) if batch_first else (1, 0)
    if lens.size != input.shape[b_dim]:
        raise ShapeError(
            f"pack_padded_sequence: Expected `len(lengths)` to be equal to batch_size, but got "
            f"{lens.size} (batch_size={input.shape[b_dim]}; input shape {tuple(input.shape)}, "
            f"batch_first={batch_first})"
        )
    if lens.size and lens.min() <= 0:
        raise ShapeError(
            "pack_padded_sequence: Length of all samples has to be greater than 0, but found an "
            f"element in 'lengths' that is <= 0 (lengths={lens.tolist()})"
        )
    if lens.size and lens.max() > input.shape[t_dim]:
        raise ShapeError(
            f"pack_padded_sequence: a length ({int(lens.max())}) exceeds the padded sequence "
            f"length {input.shape[t_dim]} (input shape {tuple(input.shape)}, "
            f"batch_first={batch_first})"
        )
    sorted_indices = None
    order = np.arange(lens.size)
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise ShapeError(
                "pack_padded_sequence: `lengths` array must be sorted in decreasing order when "
                f"`enforce_sorted` is True (got {lens.tolist()}). You can pass "
                "`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                "sidestep this requirement if you do not need ONNX exportability."
            )
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices = npgrad.tensor(order.astype(np.int64))
    sorted_lens = lens[order]
    batch_sizes = _batch_sizes(sorted_lens)
    # rows of the packed data: for each step t, the first batch_sizes[t] sorted sequences
    t_idx = np.repeat(np.arange(batch_sizes.size), batch_sizes)
    b_idx = order[np.concatenate([np.arange(n) for n in batch_sizes])] if t_idx.size else t_idx
    data = input[(b_idx, t_idx) if batch_first else (t_idx, b_idx)]
    return PackedSequence(data, npgrad.tensor(batch_sizes), sorted_indices, None)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """Undo :func:`pack_padded_sequence`: ``(padded, lengths)`` in the original batch order.

    ``padded`` is ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) with ``T`` the longest
    length, or ``total_length`` when given.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn.utils.rnn import pack_sequence, pad_packed_sequence
    >>> p = pack_sequence([npgrad.tensor([1, 2]), npgrad.tensor([3, 4, 5])], enforce_sorted=False)
    >>> pad_packed_sequence(p, batch_first=True)
    (tensor([[1, 2, 0],
            [3, 4, 5]]), tensor([2, 3]))
    """
    if not isinstance(sequence, PackedSequence):
        raise TypeError(
            f"pad_packed_sequence: expected a PackedSequence, got {type(sequence).__name__}"
        )
    bs = _ints(sequence.batch_sizes, "pad_packed_sequence", "batch_sizes")
    max_len = int(bs.size)
    if total_length is not None:
        if total_length < max_len:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{max_len}"
            )
        max_len = int(total_length)
    sorted_lens = _lengths_of(bs)
    n_batch = sorted_lens.size
    offsets = np.concatenate([[0], np.cumsum(bs)]).astype(np.int64)
    # index[t, j]: packed row of step t of the j-th sorted sequence, or the padding row
    t = np.arange(max_len)[:, None]
    j = np.arange(n_batch)[None, :]
    valid = t < sorted_lens[None, :]
    index = np.where(valid, offsets[np.minimum(t, bs.size - 1)] + j, int(offsets[-1]))
    lengths = sorted_lens
    if sequence.unsorted_indices is not None:
        unsorted = _ints(sequence.unsorted_indices, "pad_packed_sequence", "unsorted_indices")
        index, lengths = index[:, unsorted], sorted_lens[unsorted]
    out = _gather_with_padding(sequence.data, index.T if batch_first else index, padding_value)
    return out, npgrad.tensor(lengths)


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of ``(L_i, *)`` tensors (longest first unless ``enforce_sorted=False``).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn.utils.rnn import pack_sequence
    >>> pack_sequence([npgrad.tensor([1, 2]), npgrad.tensor([3])]).batch_sizes
    tensor([2, 1])
    """
    seqs = _sequences("pack_sequence", sequences)
    lengths = [s.shape[0] for s in seqs]
    return pack_padded_sequence(pad_sequence(seqs), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of ``(L_i, *)`` tensors a PackedSequence holds, in the original order.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn.utils.rnn import pack_sequence, unpack_sequence
    >>> unpack_sequence(pack_sequence([npgrad.tensor([1, 2]), npgrad.tensor([3])]))
    [tensor([1, 2]), tensor([3])]
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
