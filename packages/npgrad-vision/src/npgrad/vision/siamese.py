"""Siamese networks for verification ("are these two images of the same class/person?").

* data: :class:`PairDataset` (balanced, reproducible ``(x1, x2, same)`` pairs from any labelled
  dataset) and :class:`TripletDataset` (``(anchor, positive, negative)``);
* model and losses: :class:`SiameseNetwork` (one backbone applied to both inputs),
  :class:`ContrastiveLoss` and ``TripletMarginLoss`` (re-exported from :mod:`npgrad.nn`);
* evaluation on distances: :func:`pair_accuracy`, :func:`best_threshold`, :func:`roc_curve`,
  :func:`roc_auc`, :func:`kfold_verification` (the LFW protocol) and :func:`pair_distances`.

Throughout, ``same`` is 1 for a matched pair and 0 for a mismatched one, and a pair is
*accepted* as matched at threshold ``t`` when its distance ``d <= t``.

Examples
--------
>>> import numpy as np
>>> from npgrad.vision.siamese import kfold_verification, roc_auc
>>> d = np.array([0.1, 0.2, 0.3, 0.9, 1.0, 1.2])
>>> same = np.array([1, 1, 1, 0, 0, 0])
>>> roc_auc(d, same)
1.0
>>> kfold_verification(d, same, folds=3).accuracy
1.0
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import numpy as np

import npgrad
from npgrad.data import Dataset, Subset
from npgrad.nn import Module, TripletMarginLoss
from npgrad.nn import functional as F
from npgrad.tensor import Tensor

__all__ = [
    "ContrastiveLoss",
    "PairDataset",
    "SiameseNetwork",
    "TripletDataset",
    "TripletMarginLoss",
    "VerificationResult",
    "best_threshold",
    "contrastive_loss",
    "kfold_verification",
    "pair_accuracy",
    "pair_distances",
    "roc_auc",
    "roc_curve",
]


# ---- datasets ------------------------------------------------------------------------------
def _as_numpy(x: Any) -> np.ndarray:
    if isinstance(x, Tensor):
        return x.detach().numpy()
    return np.asarray(x)


def _dataset_labels(dataset: Any, labels: Any, where: str) -> np.ndarray:
    """The label of every sample: given, ``dataset.targets`` (through ``Subset``s), or read."""
    if labels is None:
        labels = _targets_of(dataset)
    if labels is None:
        # no cheap way: load every sample (documented as slow)
        labels = [dataset[i][1] for i in range(len(dataset))]
    arr = _as_numpy(labels)
    if arr.ndim != 1 or len(arr) != len(dataset):
        raise ValueError(
            f"{where}: expected one label per sample ({len(dataset)}), got labels of shape "
            f"{arr.shape}"
        )
    return arr


def _targets_of(dataset: Any) -> Any:
    targets = getattr(dataset, "targets", None)
    if targets is not None:
        return targets
    if isinstance(dataset, Subset):
        inner = _targets_of(dataset.dataset)
        if inner is not None:
            return _as_numpy(inner)[np.asarray(dataset.indices, dtype=np.int64)]
    return None


def _default_seed() -> int:
    # seed=None draws from npgrad's default generator: npgrad.manual_seed() makes it reproducible
    return int(npgrad.randint(0, 2**62, ()).item())


def _first(sample: Any) -> Any:
    return sample[0] if isinstance(sample, (tuple, list)) else sample


class _Grouped:
    """Sample indices grouped by class, for vectorised partner sampling."""

    def __init__(self, labels: np.ndarray) -> None:
        _, codes = np.unique(labels, return_inverse=True)
        self.codes = codes.reshape(-1).astype(np.int64)
        self.order = np.argsort(self.codes, kind="stable")  # indices sorted by class
        sizes = np.bincount(self.codes)
        self.sizes = sizes
        self.starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        rank = np.empty_like(self.order)
        rank[self.order] = np.arange(len(self.order))
        self.rank_in_class = rank - self.starts[self.codes]
        self.n = len(self.codes)

    def positives(self, anchors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """For each anchor, another sample of its class (classes of one are not allowed)."""
        c = self.codes[anchors]
        r = rng.integers(0, self.sizes[c] - 1)
        r = r + (r >= self.rank_in_class[anchors])  # skip the anchor itself
        return self.order[self.starts[c] + r]

    def negatives(self, anchors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """For each anchor, a sample of another class, uniformly over those samples."""
        c = self.codes[anchors]
        r = rng.integers(0, self.n - self.sizes[c])
        r = r + np.where(r >= self.starts[c], self.sizes[c], 0)  # skip the anchor's class block
        return self.order[r]


class PairDataset(Dataset):
    """``(x1, x2, same)`` pairs drawn from a labelled dataset, balanced and reproducible.

    Pair ``k`` has sample ``k`` as its first element (so every sample is used once per epoch
    when ``length`` is the dataset's length). Exactly ``round(positive_ratio * length)`` pairs
    are positive (a different sample of the same class); the others are negative (a sample of
    another class, uniform over all such samples). Which pairs are positive and the partners
    depend only on ``(seed, epoch)``: call :meth:`set_epoch` to draw new pairs for a new epoch.

    Parameters
    ----------
    dataset : Dataset
        A map-style dataset of ``(input, label)`` samples (or bare inputs with ``labels``).
    positive_ratio : float, optional
        Fraction of positive pairs, in ``[0, 1]``.
    seed : int, optional
        Seed of the pairing; ``None`` draws one from npgrad's default generator (so
        ``npgrad.manual_seed`` makes it reproducible).
    labels : sequence of int, optional
        The label of every sample. By default ``dataset.targets`` (also through ``Subset``),
        else every sample is loaded once to read its label.
    length : int, optional
        Number of pairs; the dataset's length by default. With another length the anchors
        are drawn at random.

    Attributes
    ----------
    pairs : numpy.ndarray
        int64 ``(length, 3)``: the two sample indices and ``same`` of every pair.

    Examples
    --------
    >>> from npgrad.vision.datasets import Digits
    >>> from npgrad.vision.siamese import PairDataset
    >>> pairs = PairDataset(Digits(), positive_ratio=0.5, seed=0)
    >>> x1, x2, same = pairs[0]
    >>> x1.shape, x2.shape, same in (0, 1)
    ((1, 8, 8), (1, 8, 8), True)
    >>> int(pairs.pairs[:, 2].sum()), len(pairs)
    (674, 1347)
    """

    def __init__(
        self,
        dataset: Any,
        positive_ratio: float = 0.5,
        seed: int | None = None,
        labels: Any = None,
        length: int | None = None,
    ) -> None:
        if not 0.0 <= float(positive_ratio) <= 1.0:
            raise ValueError(f"PairDataset: positive_ratio must be in [0, 1], got {positive_ratio}")
        self.dataset = dataset
        self.positive_ratio = float(positive_ratio)
        self.labels = _dataset_labels(dataset, labels, "PairDataset")
        if len(self.labels) < 2:
            raise ValueError("PairDataset: the dataset needs at least 2 samples to form pairs")
        self.length = len(self.labels) if length is None else int(length)
        if self.length < 0:
            raise ValueError(f"PairDataset: length must be non-negative, got {length}")
        self.seed = _default_seed() if seed is None else int(seed)
        self.epoch = 0
        self._groups = _Grouped(self.labels)
        self.pairs = self._make_pairs()

    def set_epoch(self, epoch: int) -> None:
        """Draw the pairs of ``epoch`` (a function of the seed and the epoch only)."""
        self.epoch = int(epoch)
        self.pairs = self._make_pairs()

    def _make_pairs(self) -> np.ndarray:
        g = self._groups
        rng = np.random.default_rng([self.seed, self.epoch])
        n, length = g.n, self.length
        anchors = np.arange(n) if length == n else rng.integers(0, n, length)
        n_pos = int(round(self.positive_ratio * length))
        can_pos = g.sizes[g.codes[anchors]] >= 2
        order = rng.permutation(length)
        candidates = order[can_pos[order]]
        if len(candidates) < n_pos:
            raise ValueError(
                f"PairDataset: {n_pos} positive pairs requested but only {len(candidates)} "
                "anchors have another sample of their class"
            )
        if n_pos < length and len(g.sizes) < 2:
            raise ValueError("PairDataset: negative pairs need at least 2 classes, found 1")
        same = np.zeros(length, dtype=np.int64)
        same[candidates[:n_pos]] = 1
        partners = np.empty(length, dtype=np.int64)
        pos = same == 1
        partners[pos] = g.positives(anchors[pos], rng)
        partners[~pos] = g.negatives(anchors[~pos], rng)
        return np.stack([anchors, partners, same], axis=1)

    def __getitem__(self, index: int) -> tuple[Any, Any, int]:
        i, j, same = self.pairs[index]
        return _first(self.dataset[int(i)]), _first(self.dataset[int(j)]), int(same)

    def __len__(self) -> int:
        return self.length


class TripletDataset(Dataset):
    """``(anchor, positive, negative)`` triplets from a labelled dataset, reproducible.

    Every sample whose class has at least two samples is an anchor once per epoch (in order);
    the positive is another sample of its class, the negative a sample of another class.
    Use with ``TripletMarginLoss``.

    Parameters
    ----------
    dataset : Dataset
        A map-style dataset of ``(input, label)`` samples.
    seed : int, optional
        Seed; ``None`` draws one from npgrad's default generator.
    labels : sequence of int, optional
        The label of every sample (default: ``dataset.targets`` or read from the samples).

    Attributes
    ----------
    triplets : numpy.ndarray
        int64 ``(N, 3)`` sample indices of anchor, positive and negative.

    Examples
    --------
    >>> from npgrad.vision.datasets import Digits
    >>> from npgrad.vision.siamese import TripletDataset
    >>> triplets = TripletDataset(Digits(train=False), seed=0)
    >>> a, p, n = triplets[0]
    >>> len(triplets), a.shape
    (450, (1, 8, 8))
    """

    def __init__(self, dataset: Any, seed: int | None = None, labels: Any = None) -> None:
        self.dataset = dataset
        self.labels = _dataset_labels(dataset, labels, "TripletDataset")
        self._groups = _Grouped(self.labels)
        if len(self._groups.sizes) < 2:
            raise ValueError("TripletDataset: negatives need at least 2 classes")
        self.anchors = np.flatnonzero(self._groups.sizes[self._groups.codes] >= 2)
        if len(self.anchors) == 0:
            raise ValueError("TripletDataset: no class has two samples to form a positive pair")
        self.seed = _default_seed() if seed is None else int(seed)
        self.epoch = 0
        self.triplets = self._make_triplets()

    def set_epoch(self, epoch: int) -> None:
        """Draw the partners of ``epoch``."""
        self.epoch = int(epoch)
        self.triplets = self._make_triplets()

    def _make_triplets(self) -> np.ndarray:
        rng = np.random.default_rng([self.seed, self.epoch])
        pos = self._groups.positives(self.anchors, rng)
        neg = self._groups.negatives(self.anchors, rng)
        return np.stack([self.anchors, pos, neg], axis=1)

    def __getitem__(self, index: int) -> tuple[Any, Any, Any]:
        a, p, n = self.triplets[index]
        return tuple(_first(self.dataset[int(i)]) for i in (a, p, n))  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self.triplets)


# ---- model and loss ------------------------------------------------------------------------
_REDUCTIONS = ("none", "mean", "sum")


def contrastive_loss(
    x1: Tensor,
    x2: Tensor,
    same: Any,
    margin: float = 1.0,
    reduction: str = "mean",
    p: float = 2.0,
    eps: float = 1e-6,
) -> Tensor:
    r"""The contrastive loss of Hadsell, Chopra and LeCun (2006) on embedding pairs.

    With ``d = pairwise_distance(x1, x2, p, eps)`` and ``same`` in {0, 1}:

    .. math:: \ell = \tfrac12 \left[\, \text{same} \cdot d^2
              + (1 - \text{same}) \cdot \max(0, \text{margin} - d)^2 \right]

    Matched pairs are pulled together (``d²/2``); mismatched pairs are pushed apart until
    they are ``margin`` away. The ½ factor is the paper's: it makes the gradient with respect
    to ``d`` simply ``d`` (matched) and ``-(margin - d)`` (mismatched). Some code omits it
    (doubling the loss) or uses ``label = 1`` for *different* pairs; here ``same = 1`` means
    the same class, as in :class:`PairDataset` and ``LFWPairs``.

    Parameters
    ----------
    x1, x2 : Tensor
        Embeddings ``(N, D)`` (or ``(D,)``).
    same : Tensor or array-like
        ``(N,)`` of 0/1 (or bool).
    margin : float, optional
        Distance beyond which mismatched pairs cost nothing.
    reduction : {"mean", "sum", "none"}, optional
        How to reduce the ``N`` losses.
    p, eps : float, optional
        The norm and the ``eps`` of :func:`npgrad.nn.functional.pairwise_distance`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.siamese import contrastive_loss
    >>> a = npgrad.tensor([[0.0, 0.0], [0.0, 0.0]])
    >>> b = npgrad.tensor([[3.0, 4.0], [0.3, 0.4]])
    >>> contrastive_loss(a, b, [1, 0], margin=1.0, reduction="none", eps=0.0)
    tensor([12.5000,  0.1250])
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin < 0:
        raise ValueError(f"contrastive_loss: margin must be non-negative, got {margin}")
    d = F.pairwise_distance(x1, x2, p=p, eps=eps)
    target = _as_numpy(same)
    if target.shape != d.shape:
        raise ValueError(
            f"contrastive_loss: expected same of shape {d.shape} (one per pair), got {target.shape}"
        )
    if not np.isin(target, (0, 1)).all():
        bad = np.unique(target[~np.isin(target, (0, 1))])[:5]
        raise ValueError(f"contrastive_loss: same must be 0 or 1, got values {bad.tolist()}")
    s = npgrad.from_numpy(target.astype(d.dtype))
    loss = 0.5 * (s * d * d + (1 - s) * (margin - d).clamp(min=0) ** 2)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


class ContrastiveLoss(Module):
    """Module form of :func:`contrastive_loss`: ``loss(x1, x2, same)``.

    Parameters
    ----------
    margin : float, optional
        Distance beyond which mismatched pairs cost nothing.
    reduction : {"mean", "sum", "none"}, optional
        How to reduce over the batch.
    p, eps : float, optional
        Norm and ``eps`` of the pairwise distance.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.siamese import ContrastiveLoss
    >>> loss = ContrastiveLoss(margin=2.0, eps=0.0)
    >>> loss
    ContrastiveLoss(margin=2.0, eps=0.0)
    >>> e1 = npgrad.tensor([[0.6, 0.8]], requires_grad=True)  # distance 1 from e2
    >>> out = loss(e1, npgrad.tensor([[0.0, 0.0]]), npgrad.tensor([0]))
    >>> out.backward()
    >>> round(out.item(), 6), e1.grad  # (2 - 1)**2 / 2; pushed apart along (0.6, 0.8)
    (0.5, tensor([[-0.6000, -0.8000]]))
    """

    def __init__(
        self, margin: float = 1.0, reduction: str = "mean", p: float = 2.0, eps: float = 1e-6
    ) -> None:
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f"{reduction} is not a valid value for reduction")
        if margin < 0:
            raise ValueError(f"ContrastiveLoss: margin must be non-negative, got {margin}")
        self.margin = float(margin)
        self.reduction = reduction
        self.p = p
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor, same: Any) -> Tensor:
        return contrastive_loss(x1, x2, same, self.margin, self.reduction, self.p, self.eps)

    def extra_repr(self) -> str:
        s = f"margin={self.margin}"
        if self.reduction != "mean":
            s += f", reduction={self.reduction!r}"
        if self.p != 2.0:
            s += f", p={self.p}"
        if self.eps != 1e-6:
            s += f", eps={self.eps}"
        return s


class SiameseNetwork(Module):
    """One ``backbone`` (and optional ``head``) applied to both inputs: shared weights.

    ``forward_once(x)`` is ``head(backbone(x).flatten(1))`` (the flatten only when the backbone
    returns more than 2 dimensions; no head: the backbone's output). ``forward(x1, x2)`` embeds
    the two batches with two separate calls, so a BatchNorm backbone normalises each batch on
    its own statistics. State-dict names are ``backbone.*`` and ``head.*``.

    Parameters
    ----------
    backbone : Module
        Maps an input batch to features.
    head : Module, optional
        Maps the (flattened) features to the embedding.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.vision.siamese import SiameseNetwork
    >>> net = SiameseNetwork(nn.Flatten(), head=nn.Linear(64, 8))
    >>> x1, x2 = npgrad.randn(5, 1, 8, 8), npgrad.randn(5, 1, 8, 8)
    >>> e1, e2 = net(x1, x2)
    >>> e1.shape, net.distance(x1, x2).shape
    ((5, 8), (5,))
    """

    def __init__(self, backbone: Module, head: Module | None = None) -> None:
        super().__init__()
        if not isinstance(backbone, Module):
            raise TypeError(
                f"SiameseNetwork: backbone must be an npgrad.nn.Module, got {type(backbone).__name__}"
            )
        if head is not None and not isinstance(head, Module):
            raise TypeError(
                f"SiameseNetwork: head must be an npgrad.nn.Module or None, got {type(head).__name__}"
            )
        self.backbone = backbone
        self.head = head

    def forward_once(self, x: Tensor) -> Tensor:
        """The embedding of one batch."""
        z = self.backbone(x)
        if self.head is not None:
            if z.ndim > 2:
                z = z.flatten(1)
            z = self.head(z)
        return z

    def forward(self, x1: Tensor, x2: Tensor) -> tuple[Tensor, Tensor]:
        return self.forward_once(x1), self.forward_once(x2)

    def distance(self, x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6) -> Tensor:
        """``pairwise_distance`` between the embeddings of ``x1`` and ``x2`` (shape ``(N,)``)."""
        e1, e2 = self.forward(x1, x2)
        if e1.ndim > 2:
            e1, e2 = e1.flatten(1), e2.flatten(1)
        return F.pairwise_distance(e1, e2, p=p, eps=eps)


def pair_distances(
    model: Callable[[Tensor, Tensor], Tensor] | SiameseNetwork,
    loader: Iterable[Any],
    p: float = 2.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Distances and labels of every pair of a loader of ``(x1, x2, same)`` batches.

    A :class:`SiameseNetwork` is put in evaluation mode for the pass (and restored); the
    distances are computed without building a graph.

    Returns
    -------
    distances : numpy.ndarray
        float64 ``(N,)``.
    same : numpy.ndarray
        int64 ``(N,)``.
    """
    was_training = getattr(model, "training", None)
    if isinstance(model, Module):
        model.eval()
    distances: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    try:
        with npgrad.no_grad():
            for x1, x2, same in loader:
                if isinstance(model, SiameseNetwork):
                    d = model.distance(x1, x2, p=p)
                else:
                    d = model(x1, x2)
                distances.append(_as_numpy(d).astype(np.float64).reshape(-1))
                labels.append(_as_numpy(same).astype(np.int64).reshape(-1))
    finally:
        if isinstance(model, Module) and was_training is not None:
            model.train(bool(was_training))
    if not distances:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    return np.concatenate(distances), np.concatenate(labels)


# ---- verification metrics ------------------------------------------------------------------
def _check_pairs(distances: Any, same: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
    d = _as_numpy(distances).astype(np.float64)
    s = _as_numpy(same)
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
    return float(np.mean((d <= threshold) == s))


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
        fold_ids = _as_numpy(folds).reshape(-1)
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
