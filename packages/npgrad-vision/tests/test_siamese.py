"""Siamese toolkit: pair/triplet sampling, ContrastiveLoss, SiameseNetwork, verification metrics."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.autograd import gradcheck
from npgrad.data import DataLoader, Dataset, Subset, TensorDataset
from npgrad.vision import siamese
from npgrad.vision.datasets import Digits
from npgrad.vision.siamese import (
    ContrastiveLoss,
    PairDataset,
    SiameseNetwork,
    TripletDataset,
    best_threshold,
    contrastive_loss,
    kfold_verification,
    pair_accuracy,
    pair_distances,
    roc_auc,
    roc_curve,
)


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


# ---- ContrastiveLoss ---------------------------------------------------------------------------
def reference_loss(x1, x2, same, margin, eps=1e-6):
    d = np.sqrt(((x1 - x2 + eps) ** 2).sum(-1))
    return 0.5 * (same * d**2 + (1 - same) * np.maximum(margin - d, 0) ** 2)


def test_contrastive_hand_values() -> None:
    a = npgrad.tensor([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    b = npgrad.tensor([[3.0, 4.0], [0.3, 0.4], [3.0, 4.0], [1.0, 1.0]])
    same = npgrad.tensor([1, 0, 0, 1])
    # d = 5, 0.5, 5, 0 -> 12.5, (1 - 0.5)^2 / 2, 0 (beyond the margin), 0
    out = contrastive_loss(a, b, same, margin=1.0, reduction="none", eps=0.0)
    np.testing.assert_allclose(out.numpy(), [12.5, 0.125, 0.0, 0.0], rtol=1e-6)
    assert out.dtype == np.float32
    loss = ContrastiveLoss(margin=1.0, eps=0.0)
    assert loss(a, b, same).item() == pytest.approx(12.625 / 4)
    assert ContrastiveLoss(margin=1.0, reduction="sum", eps=0.0)(
        a, b, same
    ).item() == pytest.approx(12.625)
    # a larger margin makes the close mismatched pair cost more
    assert contrastive_loss(
        a, b, same, margin=2.0, reduction="sum", eps=0.0
    ).item() == pytest.approx(12.5 + 0.5 * 1.5**2)


def test_contrastive_matches_numpy_reference() -> None:
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=(2, 32, 5))
    same = rng.integers(0, 2, 32)
    out = contrastive_loss(
        npgrad.tensor(x1), npgrad.tensor(x2), same.astype(bool), margin=3.0, reduction="none"
    )
    np.testing.assert_allclose(out.numpy(), reference_loss(x1, x2, same, 3.0), rtol=1e-12)
    assert out.dtype == np.float64


def test_contrastive_gradcheck() -> None:
    rng = np.random.default_rng(1)
    x1 = npgrad.tensor(rng.normal(size=(6, 3)), requires_grad=True)
    x2 = npgrad.tensor(rng.normal(size=(6, 3)), requires_grad=True)
    same = np.array([1, 0, 1, 0, 0, 1])
    # margin 2: some mismatched pairs inside it, none exactly on the hinge
    assert gradcheck(lambda a, b: contrastive_loss(a, b, same, margin=2.0), (x1, x2))


def test_contrastive_gradient_values() -> None:
    # d/dx1 of 1/2 d^2 is (x1 - x2); of 1/2 (m - d)^2 is -(m - d) (x1 - x2) / d
    x1 = npgrad.tensor([[3.0, 4.0], [0.3, 0.4]], requires_grad=True)
    x2 = npgrad.zeros(2, 2)
    contrastive_loss(x1, x2, [1, 0], margin=1.0, reduction="sum", eps=0.0).backward()
    np.testing.assert_allclose(x1.grad.numpy(), [[3.0, 4.0], [-0.3, -0.4]], rtol=1e-5)


@pytest.mark.torch
def test_contrastive_matches_torch_formula() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x1, x2 = rng.normal(size=(2, 16, 4))
    same = rng.integers(0, 2, 16)
    t1 = torch.tensor(x1, requires_grad=True)
    t2 = torch.tensor(x2, requires_grad=True)
    d = torch.nn.functional.pairwise_distance(t1, t2)
    s = torch.tensor(same, dtype=torch.float64)
    ref = 0.5 * (s * d**2 + (1 - s) * torch.clamp(2.0 - d, min=0) ** 2)
    ref.mean().backward()
    n1 = npgrad.tensor(x1, requires_grad=True)
    n2 = npgrad.tensor(x2, requires_grad=True)
    out = ContrastiveLoss(margin=2.0)(n1, n2, npgrad.tensor(same))
    out.backward()
    np.testing.assert_allclose(out.item(), ref.mean().item(), rtol=1e-12)
    np.testing.assert_allclose(n1.grad.numpy(), t1.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(n2.grad.numpy(), t2.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_contrastive_errors_and_repr() -> None:
    a = npgrad.zeros(3, 2)
    with pytest.raises(ValueError, match=r"expected same of shape \(3,\)"):
        contrastive_loss(a, a, [1, 0])
    with pytest.raises(ValueError, match=r"same must be 0 or 1, got values \[2\]"):
        contrastive_loss(a, a, [1, 0, 2])
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        ContrastiveLoss(reduction="avg")
    with pytest.raises(ValueError, match="margin must be non-negative"):
        ContrastiveLoss(margin=-1.0)
    assert repr(ContrastiveLoss()) == "ContrastiveLoss(margin=1.0)"
    assert (
        repr(ContrastiveLoss(2, reduction="sum", p=1.0))
        == "ContrastiveLoss(margin=2.0, reduction='sum', p=1.0)"
    )


def test_triplet_margin_loss_is_reexported_and_trains_on_triplets() -> None:
    assert siamese.TripletMarginLoss is nn.TripletMarginLoss
    npgrad.manual_seed(0)
    net = SiameseNetwork(nn.Flatten(), head=nn.Linear(64, 8))
    a, p, n = next(iter(DataLoader(TripletDataset(Digits(train=False), seed=0), batch_size=64)))
    loss_fn = siamese.TripletMarginLoss(margin=1.0)
    loss = loss_fn(net.forward_once(a), net.forward_once(p), net.forward_once(n))
    loss.backward()
    assert loss.ndim == 0 and loss.item() > 0 and net.head.weight.grad is not None


# ---- SiameseNetwork ----------------------------------------------------------------------------
def make_net() -> SiameseNetwork:
    npgrad.manual_seed(0)
    return SiameseNetwork(
        nn.Sequential(nn.Flatten(), nn.Linear(64, 16), nn.ReLU()), head=nn.Linear(16, 4)
    )


def test_siamese_shares_weights() -> None:
    net = make_net()
    assert list(net.state_dict()) == [
        "backbone.1.weight",
        "backbone.1.bias",
        "head.weight",
        "head.bias",
    ]
    assert sum(p.numel() for p in net.parameters()) == 64 * 16 + 16 + 16 * 4 + 4
    x1, x2 = npgrad.randn(5, 1, 8, 8), npgrad.randn(5, 1, 8, 8)
    e1, e2 = net(x1, x2)
    expected = net.head(net.backbone(x1))
    np.testing.assert_array_equal(e1.numpy(), expected.numpy())
    np.testing.assert_array_equal(e2.numpy(), net.forward_once(x2).numpy())
    d = net.distance(x1, x2)
    np.testing.assert_allclose(
        d.numpy(), np.linalg.norm(e1.numpy() - e2.numpy() + 1e-6, axis=1), rtol=1e-5
    )


def test_siamese_gradient_sums_both_branches() -> None:
    net = make_net()
    x1, x2 = npgrad.randn(3, 1, 8, 8), npgrad.randn(3, 1, 8, 8)
    e1, e2 = net(x1, x2)
    (e1.sum() + 2 * e2.sum()).backward()
    both = net.head.weight.grad.numpy().copy()
    net.zero_grad()
    net.forward_once(x1).sum().backward()
    g1 = net.head.weight.grad.numpy().copy()
    net.zero_grad()
    net.forward_once(x2).sum().backward()
    g2 = net.head.weight.grad.numpy().copy()
    np.testing.assert_allclose(both, g1 + 2 * g2, rtol=1e-5, atol=1e-6)


def test_siamese_flattens_conv_features_before_head() -> None:
    class Features(nn.Module):
        def forward(self, x):
            return x * 2.0  # (N, 1, 8, 8) stays 4-D

    net = SiameseNetwork(Features(), head=nn.Linear(64, 3))
    assert net.forward_once(npgrad.zeros(2, 1, 8, 8)).shape == (2, 3)
    assert SiameseNetwork(Features()).forward_once(npgrad.zeros(2, 1, 8, 8)).shape == (2, 1, 8, 8)
    assert SiameseNetwork(Features()).distance(
        npgrad.zeros(2, 1, 8, 8), npgrad.ones(2, 1, 8, 8)
    ).shape == (2,)


def test_siamese_type_errors() -> None:
    with pytest.raises(TypeError, match="backbone must be an npgrad.nn.Module"):
        SiameseNetwork(lambda x: x)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="head must be"):
        SiameseNetwork(nn.Flatten(), head="linear")  # type: ignore[arg-type]


def test_pair_distances_over_a_loader() -> None:
    net = make_net()
    net.train()
    pairs = PairDataset(Digits(train=False), seed=0)
    d, same = pair_distances(net, DataLoader(pairs, batch_size=100))
    assert d.shape == same.shape == (450,) and same.tolist() == pairs.pairs[:, 2].tolist()
    x1 = npgrad.stack([pairs[i][0] for i in range(3)])
    x2 = npgrad.stack([pairs[i][1] for i in range(3)])
    np.testing.assert_allclose(d[:3], net.distance(x1, x2).numpy(), rtol=1e-5)
    assert net.training  # mode restored
    d2, _ = pair_distances(
        lambda a, b: (a - b).flatten(1).abs().sum(1), DataLoader(pairs, batch_size=450)
    )
    assert d2.shape == (450,)


# ---- metrics -----------------------------------------------------------------------------------
def test_pair_accuracy_hand_values() -> None:
    d = [0.2, 0.5, 0.7, 0.9]
    assert pair_accuracy(d, [1, 0, 1, 0], 0.6) == 0.5
    assert pair_accuracy(d, [1, 0, 1, 0], 0.7) == 0.75  # d <= threshold is "same"
    assert pair_accuracy(npgrad.tensor(d), np.array([True, True, False, False]), 0.5) == 1.0


def test_best_threshold_hand_values() -> None:
    assert best_threshold([0.1, 0.3, 0.4, 0.8], [1, 1, 0, 0]) == pytest.approx((0.35, 1.0))
    # not separable: best is to accept the two smallest -> 4/5
    assert best_threshold([0.1, 0.2, 0.3, 0.4, 0.5], [1, 1, 0, 1, 0]) == pytest.approx((0.25, 0.8))
    # all mismatched: accept none, half a gap below the smallest
    assert best_threshold([1.0, 2.0], [0, 0]) == pytest.approx((0.5, 1.0))
    assert best_threshold([1.0, 2.0], [1, 1]) == pytest.approx((2.5, 1.0))
    assert best_threshold([3.0, 3.0], [1, 0]) == pytest.approx((2.5, 0.5))  # ties -> smallest


def brute_best_accuracy(d: np.ndarray, s: np.ndarray) -> float:
    candidates = np.concatenate([[-np.inf], np.unique(d)])
    return max(np.mean((d <= t) == s) for t in candidates)


def test_best_threshold_is_exact_against_brute_force() -> None:
    rng = np.random.default_rng(4)
    for _ in range(20):
        d = np.round(rng.random(30), 1)  # many ties
        s = rng.integers(0, 2, 30)
        t, acc = best_threshold(d, s)
        assert acc == pytest.approx(brute_best_accuracy(d, s))
        assert pair_accuracy(d, s, t) == pytest.approx(acc)


def test_roc_curve_hand_values_with_ties() -> None:
    fpr, tpr, thr = roc_curve([0.2, 0.5, 0.5, 0.9], [1, 1, 0, 0])
    assert thr.tolist() == [-np.inf, 0.2, 0.5, 0.9]
    assert tpr.tolist() == [0.0, 0.5, 1.0, 1.0]
    assert fpr.tolist() == [0.0, 0.0, 0.5, 1.0]
    # the tie contributes half: AUC = (1 + 0.5 + 1 + 1) / 4 pairs (pos, neg)
    assert roc_auc([0.2, 0.5, 0.5, 0.9], [1, 1, 0, 0]) == pytest.approx(0.875)


def test_roc_auc_is_the_mann_whitney_probability() -> None:
    rng = np.random.default_rng(5)
    d = np.round(rng.random(200), 2)
    s = rng.integers(0, 2, 200)
    pos, neg = d[s == 1], d[s == 0]
    brute = np.mean((neg[None, :] > pos[:, None]) + 0.5 * (neg[None, :] == pos[:, None]))
    assert roc_auc(d, s) == pytest.approx(brute, rel=1e-12)


def embeddings(rng: np.random.Generator, n: int, perfect: bool) -> tuple[np.ndarray, np.ndarray]:
    """Pair distances of identity embeddings: perfect (well separated) or random."""
    ids = rng.integers(0, 20, (n, 2))
    ids[: n // 2, 1] = ids[: n // 2, 0]  # half the pairs are matched
    ids = ids[rng.permutation(n)]  # spread over the folds, as in LFW's pairs.txt
    same = (ids[:, 0] == ids[:, 1]).astype(int)
    if perfect:
        centers = rng.normal(size=(20, 8)) * 10
        e = centers[ids] + rng.normal(size=(n, 2, 8)) * 0.1
    else:
        e = rng.normal(size=(n, 2, 8))
    return np.linalg.norm(e[:, 0] - e[:, 1], axis=1), same


def test_perfect_embedding_scores_one() -> None:
    d, same = embeddings(np.random.default_rng(6), 600, perfect=True)
    assert roc_auc(d, same) == 1.0
    result = kfold_verification(d, same)
    assert result.accuracy == 1.0 and result.std == 0.0 and len(result.thresholds) == 10
    assert str(result) == "accuracy 1.0000 ± 0.0000 over 10 folds"
    fpr, tpr, _ = roc_curve(d, same)
    assert tpr[fpr == 0].max() == 1.0
    assert roc_auc(-d, same) == 0.0  # inverted distances: always wrong


def test_random_embedding_is_chance() -> None:
    d, same = embeddings(np.random.default_rng(7), 3000, perfect=False)
    assert abs(roc_auc(d, same) - 0.5) < 0.04
    result = kfold_verification(d, same)
    assert 0.45 < result.accuracy < 0.56 and result.std > 0


def test_kfold_hand_values() -> None:
    d = np.array([0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.6, 0.4])
    same = np.array([1, 0, 1, 0, 1, 0, 1, 0])
    r = kfold_verification(d, same, folds=4)
    # fold 4 holds the two pairs the threshold (0.35 from the other folds) gets wrong
    assert r.fold_accuracies.tolist() == [1.0, 1.0, 1.0, 0.0]
    assert r.accuracy == 0.75 and r.std == pytest.approx(np.std([1, 1, 1, 0]))
    assert r.thresholds[3] == pytest.approx(0.5)


def test_kfold_reference_implementation() -> None:
    rng = np.random.default_rng(8)
    d = rng.random(57)
    same = (d + rng.normal(0, 0.3, 57) < 0.5).astype(int)
    r = kfold_verification(d, same, folds=5)
    bounds = np.cumsum([0] + [len(b) for b in np.array_split(np.arange(57), 5)])
    for k in range(5):
        test = np.zeros(57, bool)
        test[bounds[k] : bounds[k + 1]] = True
        t, _ = best_threshold(d[~test], same[~test])
        assert r.fold_accuracies[k] == pytest.approx(np.mean((d[test] <= t) == same[test]))


def test_kfold_with_fold_ids() -> None:
    d = np.array([0.1, 0.9, 0.2, 0.8, 0.3, 0.7])
    same = np.array([1, 0, 1, 0, 1, 0])
    r = kfold_verification(d, same, folds=[0, 1, 2, 0, 1, 2])
    assert r.accuracy == 1.0 and len(r.fold_accuracies) == 3


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([0.1, 0.2], [1, 2]), "only 0/1"),
        (([0.1, 0.2], [1]), "same 1-D shape"),
        (([0.1, np.nan], [1, 0]), "NaN or infinity"),
        (([], []), "no pairs"),
    ],
)
def test_metric_input_errors(args: tuple, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        pair_accuracy(*args, threshold=0.5)
    with pytest.raises(ValueError, match=match):
        best_threshold(*args)


def test_metric_specific_errors() -> None:
    with pytest.raises(ValueError, match="needs both matched and mismatched pairs, got 2 and 0"):
        roc_curve([0.1, 0.2], [1, 1])
    with pytest.raises(ValueError, match="folds must be between 2 and the number of pairs"):
        kfold_verification([0.1, 0.2], [1, 0], folds=3)
    with pytest.raises(ValueError, match="one fold id per pair"):
        kfold_verification([0.1, 0.2], [1, 0], folds=[0])
    with pytest.raises(ValueError, match="at least 2 folds"):
        kfold_verification([0.1, 0.2], [1, 0], folds=[0, 0])
