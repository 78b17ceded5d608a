"""``DistributedSampler``: each rank of a data-parallel job gets its own share of a dataset.

PyTorch's semantics: the (shuffled) index list is padded by repeating its first indices until
it divides evenly among the ranks (or cut, with ``drop_last``), and rank ``r`` takes every
``num_replicas``-th index starting at ``r``. All ranks shuffle with the same seed
(``seed + epoch``), so their shares are disjoint and together cover the dataset; call
:meth:`DistributedSampler.set_epoch` at the start of every epoch for a new order. The order
for a given seed is reproducible but not PyTorch's (different random algorithms); without
shuffling the indices equal PyTorch's.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sized
from typing import Any

import npgrad.random
from npgrad.data._random import RandomSource
from npgrad.data.sampler import Sampler

__all__ = ["DistributedSampler"]


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"DistributedSampler: {name} must be an int, got {value!r}")
    return int(value)


class DistributedSampler(Sampler[int]):
    """The indices of ``dataset`` that rank ``rank`` of ``num_replicas`` processes visits.

    Parameters
    ----------
    dataset : Sized
        The dataset (only its length is used).
    num_replicas : int, optional
        How many ranks share the data; by default ``npgrad.distributed.get_world_size()``.
    rank : int, optional
        This rank; by default ``npgrad.distributed.get_rank()``.
    shuffle : bool, optional
        Visit the indices in an order drawn from ``seed + epoch`` (the same on every rank).
    seed : int, optional
        Must be the same on every rank.
    drop_last : bool, optional
        Drop the tail so that the dataset divides evenly, instead of padding it with repeated
        indices.

    Raises
    ------
    ValueError
        For a rank outside ``[0, num_replicas - 1]`` or a non-positive ``num_replicas``; also
        when ``num_replicas`` or ``rank`` is omitted and ``npgrad.distributed`` is not
        initialised.

    Examples
    --------
    >>> from npgrad.data import DistributedSampler
    >>> [list(DistributedSampler(range(5), num_replicas=2, rank=r, shuffle=False)) for r in (0, 1)]
    [[0, 2, 4], [1, 3, 0]]
    >>> shares = [list(DistributedSampler(range(5), 2, r, drop_last=True)) for r in (0, 1)]
    >>> [len(share) for share in shares], len(set(shares[0]) | set(shares[1]))  # disjoint
    ([2, 2], 4)

    With a ``DataLoader`` (``sampler=`` replaces ``shuffle=``), one new order per epoch:

    >>> from npgrad.data import DataLoader
    >>> sampler = DistributedSampler(range(8), num_replicas=2, rank=1, seed=3)
    >>> loader = DataLoader(range(8), batch_size=2, sampler=sampler)
    >>> for epoch in range(2):
    ...     sampler.set_epoch(epoch)
    ...     print(sum(len(batch) for batch in loader))
    4
    4
    """

    def __init__(
        self,
        dataset: Sized,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        if num_replicas is None or rank is None:
            import npgrad.distributed as dist

            if num_replicas is None:
                num_replicas = dist.get_world_size()
            if rank is None:
                rank = dist.get_rank()
        num_replicas = _int(num_replicas, "num_replicas")
        rank = _int(rank, "rank")
        if num_replicas <= 0:
            raise ValueError(
                f"DistributedSampler: num_replicas must be positive, got {num_replicas}"
            )
        if rank >= num_replicas or rank < 0:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = bool(drop_last)
        n = len(dataset)
        if self.drop_last and n % num_replicas != 0:
            # the largest share that every rank can have without repeating an index
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = bool(shuffle)
        self.seed = _int(seed, "seed")

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        if self.shuffle:
            generator = npgrad.random.Generator().manual_seed(self.seed + self.epoch)
            indices: list[int] = RandomSource(generator).randperm(n).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            padding = self.total_size - len(indices)
            if padding <= len(indices):
                indices += indices[:padding]
            elif indices:
                indices += (indices * math.ceil(padding / len(indices)))[:padding]
        else:
            indices = indices[: self.total_size]
        return iter(indices[self.rank : self.total_size : self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use the order of ``epoch`` (``seed + epoch``) on the next pass; call it on every rank
        at the start of each epoch, or every epoch repeats the first one's order."""
        self.epoch = _int(epoch, "epoch")
