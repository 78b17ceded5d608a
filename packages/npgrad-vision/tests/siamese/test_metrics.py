"""Verification metrics against hand-computed values, brute force, perfect/random embeddings."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.vision.siamese import (
    best_threshold,
    kfold_verification,
    pair_accuracy,
    roc_auc,
    roc_curve,
)


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
