"""Verification metrics on pair distances: accuracy at a threshold, the best threshold, ROC,
AUC and the LFW 10-fold protocol. A pair is accepted as matched when ``d <= threshold``."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from npgrad.vision.siamese._common import as_numpy

__all__ = [
    "VerificationResult",
    "best_threshold",
    "kfold_verification",
    "pair_accuracy",
    "roc_auc",
    "roc_curve",
]


def _check_pairs(distances: Any, same: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
    d = as_numpy(distances).astype(np.float64)
    s = as_numpy(same)
    if d.ndim != 1 or s.shape != d.shape:
        raise ValueError(
            f"{where}: expected distances and same of the same 1-D shape, got {d.shape} and "
            f"{s.shape}"
        )
    if len(d) == 0:
        raise ValueError(f"{where}: no pairs")
    if not np.isin(s, (0, 1)).all():
        raise ValueError(f"{where}: same must contain only 0/1 (or bool) values")
    if not np.isfinite(d).all():
        raise ValueError(f"{where}: distances contain NaN or infinity")
    return d, s.astype(bool)


def pair_accuracy(distances: Any, same: Any, threshold: float) -> float:
    """Fraction of pairs classified correctly when ``d <= threshold`` means "same".

    Examples
    --------
    >>> from npgrad.vision.siamese import pair_accuracy
    >>> pair_accuracy([0.2, 0.5, 0.7, 0.9], [1, 0, 1, 0], threshold=0.6)
    0.5
    """
    d, s = _check_pairs(distances, same, "pair_accuracy")
    t = as_numpy(threshold)
    if t.ndim != 0 or t.dtype.kind not in "biuf":
        raise TypeError(f"pair_accuracy: threshold must be a number, got {threshold!r}")
    return float(np.mean((d <= t) == s))


def best_threshold(distances: Any, same: Any) -> tuple[float, float]:
    """The threshold with the best :func:`pair_accuracy` on these pairs, and that accuracy.

    Candidates are the midpoints between consecutive distinct distances, plus half a gap
    below the smallest and above the largest (accept none / accept all); ties go to the
    smallest threshold. Exact: every distinct split of the sorted distances is tried.

    Examples
    --------
    >>> from npgrad.vision.siamese import best_threshold
    >>> best_threshold([0.1, 0.3, 0.4, 0.8], [1, 1, 0, 0])
    (0.35, 1.0)
    """
    d, s = _check_pairs(distances, same, "best_threshold")
    order = np.argsort(d, kind="stable")
    d, s = d[order], s[order]
    values, first = np.unique(d, return_index=True)
    # accepting the first k sorted pairs: correct = positives among them + negatives after
    pos_before = np.concatenate([[0], np.cumsum(s)])
    k = np.concatenate([first, [len(d)]])  # accept none, ..., accept all
    neg_after = (~s).sum() - (k - pos_before[k])
    accuracy = (pos_before[k] + neg_after) / len(d)
    if len(values) > 1:
        gaps = np.diff(values)
        thresholds = np.concatenate(
            [[values[0] - gaps[0] / 2], values[:-1] + gaps / 2, [values[-1] + gaps[-1] / 2]]
        )
    else:
        thresholds = np.array([values[0] - 0.5, values[0] + 0.5])
    best = int(np.argmax(accuracy))
    return float(thresholds[best]), float(accuracy[best])


def roc_curve(distances: Any, same: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ROC curve of accepting pairs with ``d <= t``.

    Returns
    -------
    fpr, tpr : numpy.ndarray
        False and true positive rates, non-decreasing, from ``(0, 0)`` to ``(1, 1)``.
    thresholds : numpy.ndarray
        ``-inf`` (accept nothing) then every distinct distance, ascending.

    Examples
    --------
    >>> from npgrad.vision.siamese import roc_curve
    >>> fpr, tpr, t = roc_curve([0.1, 0.4, 0.35, 0.8], [1, 0, 1, 0])
    >>> fpr.tolist(), tpr.tolist()
    ([0.0, 0.0, 0.0, 0.5, 1.0], [0.0, 0.5, 1.0, 1.0, 1.0])
    >>> t.tolist()
    [-inf, 0.1, 0.35, 0.4, 0.8]
    """
    d, s = _check_pairs(distances, same, "roc_curve")
    n_pos, n_neg = int(s.sum()), int((~s).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError(
            f"roc_curve: needs both matched and mismatched pairs, got {n_pos} and {n_neg}"
        )
    order = np.argsort(d, kind="stable")
    d, s = d[order], s[order]
    values, first = np.unique(d, return_index=True)
    last = np.concatenate([first[1:], [len(d)]])  # accepting every pair with d <= value
    tp = np.concatenate([[0], np.cumsum(s)[last - 1]])
    fp = np.concatenate([[0], last]) - tp
    return fp / n_neg, tp / n_pos, np.concatenate([[-np.inf], values])


def roc_auc(distances: Any, same: Any) -> float:
    """Area under :func:`roc_curve`: the probability that a mismatched pair is farther apart
    than a matched one (ties count one half). 1.0 is perfect, 0.5 is chance.

    Examples
    --------
    >>> from npgrad.vision.siamese import roc_auc
    >>> roc_auc([0.1, 0.4, 0.35, 0.8], [1, 0, 1, 0])
    1.0
    >>> roc_auc([0.5, 0.5], [1, 0])
    0.5
    """
    fpr, tpr, _ = roc_curve(distances, same)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


class VerificationResult(NamedTuple):
    """Result of :func:`kfold_verification`."""

    accuracy: float
    """Mean test accuracy over the folds."""
    std: float
    """Standard deviation of the fold accuracies (population, ``ddof=0``)."""
    fold_accuracies: np.ndarray
    """Test accuracy of each fold."""
    thresholds: np.ndarray
    """Threshold chosen on the other folds, for each fold."""

    def __str__(self) -> str:
        return (
            f"accuracy {self.accuracy:.4f} ± {self.std:.4f} over {len(self.fold_accuracies)} folds"
        )


def kfold_verification(distances: Any, same: Any, folds: Any = 10) -> VerificationResult:
    """The LFW verification protocol: for each fold, choose the threshold on the other folds
    (:func:`best_threshold`) and measure the accuracy on this one; report mean ± std.

    Parameters
    ----------
    distances, same : array-like
        ``(N,)`` distances and 0/1 labels of the pairs.
    folds : int or array-like, optional
        The number of folds — consecutive, nearly equal blocks of the pairs in their order,
        as in LFW's ``pairs.txt`` — or the fold id of every pair (``LFWPairs.folds``).

    Examples
    --------
    >>> import numpy as np
    >>> from npgrad.vision.siamese import kfold_verification
    >>> d = np.array([0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.6, 0.4])
    >>> same = np.array([1, 0, 1, 0, 1, 0, 1, 0])
    >>> r = kfold_verification(d, same, folds=4)
    >>> r.fold_accuracies.tolist(), r.accuracy
    ([1.0, 1.0, 1.0, 0.0], 0.75)
    """
    d, s = _check_pairs(distances, same, "kfold_verification")
    if isinstance(folds, (int, np.integer)) and not isinstance(folds, bool):
        if not 2 <= folds <= len(d):
            raise ValueError(
                f"kfold_verification: folds must be between 2 and the number of pairs "
                f"({len(d)}), got {folds}"
            )
        fold_ids = np.repeat(np.arange(folds), [len(b) for b in np.array_split(d, folds)])
    else:
        fold_ids = as_numpy(folds).reshape(-1)
        if fold_ids.shape != d.shape:
            raise ValueError(
                f"kfold_verification: expected one fold id per pair ({len(d)}), got "
                f"{fold_ids.shape}"
            )
    ids = np.unique(fold_ids)
    if len(ids) < 2:
        raise ValueError("kfold_verification: needs at least 2 folds")
    accuracies, thresholds = [], []
    for f in ids:
        test = fold_ids == f
        threshold, _ = best_threshold(d[~test], s[~test])
        accuracies.append(float(np.mean((d[test] <= threshold) == s[test])))
        thresholds.append(threshold)
    acc = np.array(accuracies)
    return VerificationResult(float(acc.mean()), float(acc.std()), acc, np.array(thresholds))
