"""Pair and triplet datasets drawn from any labelled dataset, balanced and reproducible."""

from __future__ import annotations

from typing import Any

import numpy as np

import npgrad
from npgrad.data import Dataset, Subset
from npgrad.vision.siamese._common import as_int, as_numpy, check_index

__all__ = ["PairDataset", "TripletDataset"]


def _dataset_labels(dataset: Any, labels: Any, where: str) -> np.ndarray:
    """The label of every sample: given, ``dataset.targets`` (through ``Subset``s), or read."""
    if labels is None:
        labels = _targets_of(dataset)
    if labels is None:
        # no cheap way: load every sample (documented as slow)
        try:
            labels = [dataset[i][1] for i in range(len(dataset))]
        except (TypeError, IndexError, KeyError) as e:
            raise TypeError(
                f"{where}: can't read the labels of {type(dataset).__name__} ({e}): pass labels=, "
                "or use a dataset of (input, label) samples or with a targets attribute"
            ) from e
    arr = as_numpy(labels)
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
            return as_numpy(inner)[np.asarray(dataset.indices, dtype=np.int64)]
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
    (npgrad.Size([1, 8, 8]), npgrad.Size([1, 8, 8]), True)
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
        self.length = (
            len(self.labels) if length is None else as_int(length, "length", "PairDataset")
        )
        self.seed = _default_seed() if seed is None else as_int(seed, "seed", "PairDataset")
        self.epoch = 0
        self._groups = _Grouped(self.labels)
        self.pairs = self._make_pairs(0)

    def set_epoch(self, epoch: int) -> None:
        """Draw the pairs of ``epoch`` (a function of the seed and the epoch only)."""
        epoch = as_int(epoch, "epoch", "PairDataset")
        self.pairs = self._make_pairs(epoch)  # first: a failed draw leaves the epoch as it was
        self.epoch = epoch

    def _make_pairs(self, epoch: int) -> np.ndarray:
        g = self._groups
        rng = np.random.default_rng([self.seed, epoch])
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
        i, j, same = self.pairs[check_index(index, self.length, "PairDataset")]
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
    (450, npgrad.Size([1, 8, 8]))
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
        self.seed = _default_seed() if seed is None else as_int(seed, "seed", "TripletDataset")
        self.epoch = 0
        self.triplets = self._make_triplets(0)

    def set_epoch(self, epoch: int) -> None:
        """Draw the partners of ``epoch``."""
        epoch = as_int(epoch, "epoch", "TripletDataset")
        self.triplets = self._make_triplets(epoch)
        self.epoch = epoch

    def _make_triplets(self, epoch: int) -> np.ndarray:
        rng = np.random.default_rng([self.seed, epoch])
        pos = self._groups.positives(self.anchors, rng)
        neg = self._groups.negatives(self.anchors, rng)
        return np.stack([self.anchors, pos, neg], axis=1)

    def __getitem__(self, index: int) -> tuple[Any, Any, Any]:
        a, p, n = self.triplets[check_index(index, len(self.triplets), "TripletDataset")]
        return tuple(_first(self.dataset[int(i)]) for i in (a, p, n))  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self.triplets)
