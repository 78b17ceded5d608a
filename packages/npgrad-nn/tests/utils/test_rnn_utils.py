"""nn.utils.rnn: padding, packing and unpacking variable-length batches (NumPy references,
round trips, gradients, errors, torch parity)."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn.utils import rnn as R
from npgrad.testing import assert_close

RNG = np.random.default_rng(11)


def _seqs(lengths, feat=(3,), dtype=np.float64):
    return [npgrad.tensor(RNG.standard_normal((n, *feat)).astype(dtype)) for n in lengths]


def test_docstring_examples_run():
    result = doctest.testmod(R, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# ---- pad_sequence / unpad_sequence -------------------------------------------------------------
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_matches_numpy(batch_first, side):
    seqs = _seqs([2, 5, 3], feat=(2, 2))
    out = R.pad_sequence(seqs, batch_first=batch_first, padding_value=-7.0, padding_side=side)
    ref = np.full((3, 5, 2, 2), -7.0)
    for b, s in enumerate(seqs):
        n = s.shape[0]
        if side == "right":
            ref[b, :n] = s._data
        else:
            ref[b, 5 - n :] = s._data
    assert_close(out, ref if batch_first else ref.transpose(1, 0, 2, 3))
    assert out.dtype == np.float64


def test_pad_sequence_keeps_dtype_and_is_differentiable():
    seqs = _seqs([3, 1], dtype=np.float32)
    assert R.pad_sequence(seqs).dtype == np.float32
    a = npgrad.tensor(RNG.standard_normal((3, 2)), requires_grad=True)
    b = npgrad.tensor(RNG.standard_normal((1, 2)), requires_grad=True)
    assert gradcheck(lambda x, y: R.pad_sequence([x, y], padding_value=2.0), (a, b))
    assert gradgradcheck(lambda x, y: R.pad_sequence([x, y], batch_first=True), (a, b))


def test_pad_sequence_errors():
    with pytest.raises(ValueError, match="padding_side"):
        R.pad_sequence(_seqs([2]), padding_side="middle")
    with pytest.raises(ValueError, match="empty list"):
        R.pad_sequence([])
    with pytest.raises(ValueError, match=r"trailing dimensions.*\(2, 3\).*\(2, 4\)"):
        R.pad_sequence([npgrad.zeros(2, 3), npgrad.zeros(2, 4)])
    with pytest.raises(TypeError, match="sequence 1"):
        R.pad_sequence([npgrad.zeros(2), [1.0]])


def test_unpad_sequence_inverts_pad_sequence():
    seqs = _seqs([4, 1, 3])
    for bf in (False, True):
        back = R.unpad_sequence(R.pad_sequence(seqs, batch_first=bf), [4, 1, 3], batch_first=bf)
        assert [b.shape for b in back] == [(4, 3), (1, 3), (3, 3)]
        for got, want in zip(back, seqs):
            assert_close(got, want)
    with pytest.raises(ValueError, match="got 2 lengths for a batch of 3"):
        R.unpad_sequence(R.pad_sequence(seqs), [4, 1])


# ---- packing ---------------------------------------------------------------------------------
def _reference_pack(padded, lengths, batch_first):
    """data, batch_sizes, sorted order as torch defines them (stable descending sort)."""
    x = padded if batch_first else padded.transpose(1, 0, *range(2, padded.ndim))
    order = np.argsort(-np.asarray(lengths), kind="stable")
    rows, sizes = [], []
    for t in range(max(lengths)):
        active = [b for b in order if lengths[b] > t]
        sizes.append(len(active))
        rows.extend(x[b, t] for b in active)
    return np.stack(rows), np.array(sizes), order


@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_padded_sequence_matches_reference(batch_first):
    lengths = [2, 4, 4, 1]
    padded = RNG.standard_normal((4, 5, 3) if batch_first else (5, 4, 3))
    p = R.pack_padded_sequence(npgrad.tensor(padded), lengths, batch_first, enforce_sorted=False)
    data, sizes, order = _reference_pack(padded, lengths, batch_first)
    assert_close(p.data, data)
    assert p.batch_sizes.tolist() == sizes.tolist() and p.batch_sizes.dtype == np.int64
    assert p.sorted_indices.tolist() == order.tolist()
    assert p.unsorted_indices.tolist() == np.argsort(order).tolist()
    # the same fields by position, as a namedtuple
    data2, sizes2, s_idx, u_idx = p
    assert data2 is p.data and sizes2 is p.batch_sizes and s_idx is p.sorted_indices
    assert u_idx is p.unsorted_indices


def test_pack_sorted_keeps_no_indices_and_round_trips():
    padded = npgrad.tensor(RNG.standard_normal((4, 3, 2)))
    p = R.pack_padded_sequence(padded, npgrad.tensor([4, 2, 2]))
    assert p.sorted_indices is None and p.unsorted_indices is None
    assert p.batch_sizes.tolist() == [3, 3, 1, 1]
    out, lengths = R.pad_packed_sequence(p, padding_value=9.0)
    assert lengths.tolist() == [4, 2, 2] and lengths.dtype == np.int64
    expected = padded._data.copy()
    expected[2:, 1:] = 9.0
    assert_close(out, expected)


@pytest.mark.parametrize("batch_first", [False, True])
def test_pad_packed_restores_the_original_order_and_total_length(batch_first):
    lengths = [1, 3, 2]
    padded = RNG.standard_normal((3, 3, 2) if batch_first else (3, 3, 2))
    p = R.pack_padded_sequence(npgrad.tensor(padded), lengths, batch_first, enforce_sorted=False)
    out, lens = R.pad_packed_sequence(p, batch_first=batch_first, total_length=5)
    assert lens.tolist() == lengths
    assert out.shape == ((3, 5, 2) if batch_first else (5, 3, 2))
    x = out._data if batch_first else out._data.transpose(1, 0, 2)
    src = padded if batch_first else padded.transpose(1, 0, 2)
    for b, n in enumerate(lengths):
        assert_close(x[b, :n], src[b, :n])
        assert (x[b, n:] == 0).all()
    with pytest.raises(ValueError, match="total_length=2 and max sequence length being 3"):
        R.pad_packed_sequence(p, total_length=2)


def test_pack_sequence_and_unpack_sequence_round_trip():
    seqs = _seqs([2, 5, 3])
    p = R.pack_sequence(seqs, enforce_sorted=False)
    assert p.batch_sizes.tolist() == [3, 3, 2, 1, 1]
    for got, want in zip(R.unpack_sequence(p), seqs):
        assert_close(got, want)


def test_packing_is_differentiable():
    x = npgrad.tensor(RNG.standard_normal((3, 4, 2)), requires_grad=True)

    def f(t):
        p = R.pack_padded_sequence(t, [1, 3, 2, 3], enforce_sorted=False)
        return R.pad_packed_sequence(p, padding_value=1.5)[0]

    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))
    # padded positions receive no gradient
    f(x).sum().backward()
    assert (x.grad._data[1:, 0] == 0).all() and (x.grad._data[:, 1] == 1).all()


def test_packed_sequence_methods():
    p = R.pack_sequence(_seqs([3, 2]))
    q = p.float()
    assert isinstance(q, R.PackedSequence) and q.data.dtype == np.float32
    assert q.batch_sizes is p.batch_sizes
    assert p.to(npgrad.float64) is p and p.cpu() is p and not p.is_cuda
    assert R.PackedSequence((p.data, p.batch_sizes)).batch_sizes is p.batch_sizes
    built = R.PackedSequence(p.data, [2, 2, 1], npgrad.tensor([1, 0]))
    assert built.unsorted_indices.tolist() == [1, 0] and built.batch_sizes.tolist() == [2, 2, 1]
    assert R.invert_permutation(npgrad.tensor([2, 0, 1])).tolist() == [1, 2, 0]


def test_pack_errors_are_value_errors_naming_shapes():
    x = npgrad.zeros(4, 3, 2)
    with pytest.raises(ValueError, match=r"sorted in decreasing order.*\[1, 3, 2\]") as info:
        R.pack_padded_sequence(x, [1, 3, 2])
    assert isinstance(info.value, RuntimeError)  # torch's type too
    with pytest.raises(
        ValueError, match=r"len\(lengths\)` to be equal to batch_size, but got 2 \(batch_size=3"
    ):
        R.pack_padded_sequence(x, [2, 1])
    with pytest.raises(ValueError, match="greater than 0"):
        R.pack_padded_sequence(x, [2, 1, 0])
    with pytest.raises(ValueError, match="exceeds the padded sequence length 4"):
        R.pack_padded_sequence(x, [5, 1, 1])
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        R.pack_padded_sequence(npgrad.zeros(3), [1, 1, 1])
    with pytest.raises(TypeError, match="integer"):
        R.pack_padded_sequence(x, [1.5, 1.0, 1.0])
    with pytest.raises(TypeError, match="PackedSequence"):
        R.pad_packed_sequence(x)


@pytest.mark.torch
@pytest.mark.parametrize("batch_first", [False, True])
def test_parity_with_torch(batch_first):
    torch = pytest.importorskip("torch")
    tr = torch.nn.utils.rnn
    raw = [RNG.standard_normal((n, 2)) for n in (2, 5, 3, 5)]
    ours = [npgrad.tensor(a) for a in raw]
    theirs = [torch.tensor(a) for a in raw]
    for side in ("left", "right"):
        assert_close(
            R.pad_sequence(ours, batch_first, -1.0, side),
            tr.pad_sequence(theirs, batch_first, -1.0, side).numpy(),
        )
    for es in (False,):
        p, q = R.pack_sequence(ours, es), tr.pack_sequence(theirs, es)
        assert_close(p.data, q.data.numpy())
        assert p.batch_sizes.tolist() == q.batch_sizes.tolist()
        assert p.sorted_indices.tolist() == q.sorted_indices.tolist()
        assert p.unsorted_indices.tolist() == q.unsorted_indices.tolist()
        a, la = R.pad_packed_sequence(p, batch_first, 3.0, 7)
        b, lb = tr.pad_packed_sequence(q, batch_first, 3.0, 7)
        assert_close(a, b.numpy())
        assert la.tolist() == lb.tolist()
