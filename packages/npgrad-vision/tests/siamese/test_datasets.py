"""PairDataset and TripletDataset: balanced, consistent, reproducible sampling."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import npgrad
from npgrad.data import DataLoader, Dataset, Subset, TensorDataset
from npgrad.vision.datasets import Digits
from npgrad.vision.siamese import PairDataset, TripletDataset


class Labelled(Dataset):
    """Samples ``(index, label)`` without a ``targets`` attribute; counts the loads."""

    def __init__(self, labels: list[int]) -> None:
        self.labels = labels
        self.loads = 0

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[int, int]:
        self.loads += 1
        return i, self.labels[i]


LABELS = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3]


# ---- PairDataset -------------------------------------------------------------------------------
@pytest.mark.parametrize("ratio", [0.0, 0.3, 0.5, 1.0])
def test_pairs_balanced_and_consistent(ratio: float) -> None:
    ds = Digits(train=False)
    pairs = PairDataset(ds, positive_ratio=ratio, seed=3)
    labels = ds.targets.numpy()
    i, j, same = pairs.pairs.T
    assert len(pairs) == 450 and same.sum() == round(ratio * 450)
    np.testing.assert_array_equal(i, np.arange(450))  # every sample is an anchor once
    assert np.all((labels[i] == labels[j]) == (same == 1))
    assert np.all(i[same == 1] != j[same == 1])  # never paired with itself


def test_pairs_yield_inputs_and_int_label() -> None:
    ds = Digits(train=False)
    pairs = PairDataset(ds, seed=0)
    x1, x2, same = pairs[7]
    k1, k2, s = pairs.pairs[7]
    np.testing.assert_array_equal(x1.numpy(), ds[int(k1)][0].numpy())
    np.testing.assert_array_equal(x2.numpy(), ds[int(k2)][0].numpy())
    assert type(same) is int and same == s
    a, b, c = next(iter(DataLoader(pairs, batch_size=16)))
    assert a.shape == b.shape == (16, 1, 8, 8) and c.dtype == np.int64


def test_pairs_reproducible_and_seed_dependent() -> None:
    ds = Digits(train=False)
    a = PairDataset(ds, seed=11).pairs
    np.testing.assert_array_equal(a, PairDataset(ds, seed=11).pairs)
    assert not np.array_equal(a, PairDataset(ds, seed=12).pairs)


def test_set_epoch_draws_new_reproducible_pairs() -> None:
    ds = Digits(train=False)
    pairs = PairDataset(ds, seed=5)
    first = pairs.pairs.copy()
    pairs.set_epoch(1)
    assert not np.array_equal(first, pairs.pairs) and pairs.pairs[:, 2].sum() == 225
    other = PairDataset(ds, seed=5)
    other.set_epoch(1)
    np.testing.assert_array_equal(other.pairs, pairs.pairs)
    pairs.set_epoch(0)
    np.testing.assert_array_equal(first, pairs.pairs)


def test_seed_none_follows_npgrad_manual_seed() -> None:
    ds = Digits(train=False)
    npgrad.manual_seed(123)
    a = PairDataset(ds).pairs
    npgrad.manual_seed(123)
    np.testing.assert_array_equal(a, PairDataset(ds).pairs)


def test_negatives_cover_every_other_class() -> None:
    ds = Digits()
    pairs = PairDataset(ds, positive_ratio=0.0, seed=0)
    labels = ds.targets.numpy()
    partners = labels[pairs.pairs[:, 1]][labels == 0]
    # uniform over the ~1212 samples of other classes: every class shows up among 133 draws
    assert set(partners.tolist()) == set(range(1, 10))


def test_positives_use_every_class_member() -> None:
    pairs = PairDataset(Labelled([0] * 3 + [1] * 3), positive_ratio=1.0, seed=0)
    for epoch in range(20):
        pairs.set_epoch(epoch)
        assert np.all(pairs.pairs[:, 0] != pairs.pairs[:, 1])
    seen = set()
    for epoch in range(40):
        pairs.set_epoch(epoch)
        seen |= {tuple(p) for p in pairs.pairs[:, :2].tolist()}
    assert seen == {(a, b) for a, b in itertools.permutations(range(6), 2) if (a < 3) == (b < 3)}


def test_labels_from_subset_and_from_samples() -> None:
    ds = Digits(train=False)
    sub = Subset(ds, list(range(100, 200)))
    pairs = PairDataset(sub, seed=0)
    labels = ds.targets.numpy()[100:200]
    i, j, same = pairs.pairs.T
    assert np.all((labels[i] == labels[j]) == (same == 1))

    plain = Labelled(LABELS)
    pairs = PairDataset(plain, seed=0)
    assert plain.loads == len(LABELS)  # read once to learn the labels
    lab = np.array(LABELS)
    assert np.all((lab[pairs.pairs[:, 0]] == lab[pairs.pairs[:, 1]]) == (pairs.pairs[:, 2] == 1))
    assert pairs[0][0] == pairs.pairs[0, 0]  # the input of a (input, label) sample


def test_explicit_labels_and_length() -> None:
    x = npgrad.arange(10.0).reshape(10, 1)
    pairs = PairDataset(TensorDataset(x), labels=LABELS, length=25, seed=1)
    assert len(pairs) == 25 and pairs.pairs[:, 2].sum() == 12  # round(12.5) -> 12
    lab = np.array(LABELS)
    assert np.all((lab[pairs.pairs[:, 0]] == lab[pairs.pairs[:, 1]]) == (pairs.pairs[:, 2] == 1))
    assert pairs[3][0].shape == (1,)


def test_singleton_classes_only_get_negatives() -> None:
    pairs = PairDataset(Labelled([0, 0, 1, 2]), positive_ratio=0.5, seed=0)
    same = dict(zip(pairs.pairs[:, 0].tolist(), pairs.pairs[:, 2].tolist()))
    assert same[2] == 0 and same[3] == 0 and same[0] == same[1] == 1
    with pytest.raises(ValueError, match="3 positive pairs requested but only 2 anchors"):
        PairDataset(Labelled([0, 0, 1, 2]), positive_ratio=0.75, seed=0)


def test_pair_dataset_errors() -> None:
    with pytest.raises(ValueError, match="positive_ratio must be in"):
        PairDataset(Labelled(LABELS), positive_ratio=1.5)
    with pytest.raises(ValueError, match="at least 2 classes"):
        PairDataset(Labelled([4, 4, 4]), positive_ratio=0.5, seed=0)
    assert PairDataset(Labelled([4, 4, 4]), positive_ratio=1.0, seed=0).pairs[:, 2].all()
    with pytest.raises(ValueError, match="one label per sample"):
        PairDataset(Labelled(LABELS), labels=[0, 1])
    with pytest.raises(ValueError, match="at least 2 samples"):
        PairDataset(Labelled([1]))


# ---- TripletDataset ----------------------------------------------------------------------------
def test_triplets() -> None:
    ds = Labelled(LABELS)
    triplets = TripletDataset(ds, labels=LABELS, seed=0)
    lab = np.array(LABELS)
    a, p, n = triplets.triplets.T
    np.testing.assert_array_equal(a, [0, 1, 2, 3, 4, 5, 6, 7, 8])  # label 3 has one sample
    assert np.all(lab[a] == lab[p]) and np.all(a != p) and np.all(lab[a] != lab[n])
    assert triplets[4] == (4, int(p[4]), int(n[4]))
    again = TripletDataset(ds, labels=LABELS, seed=0)
    np.testing.assert_array_equal(again.triplets, triplets.triplets)
    again.set_epoch(3)
    assert not np.array_equal(again.triplets, triplets.triplets)


def test_triplets_on_digits_with_dataloader() -> None:
    triplets = TripletDataset(Digits(train=False), seed=1)
    a, p, n = next(iter(DataLoader(triplets, batch_size=8)))
    assert a.shape == p.shape == n.shape == (8, 1, 8, 8)


def test_triplet_errors() -> None:
    with pytest.raises(ValueError, match="at least 2 classes"):
        TripletDataset(Labelled([0, 0]))
    with pytest.raises(ValueError, match="no class has two samples"):
        TripletDataset(Labelled([0, 1, 2]))
