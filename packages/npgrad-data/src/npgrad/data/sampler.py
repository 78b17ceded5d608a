"""Samplers: the order in which a DataLoader visits a map-style dataset's indices.

Random samplers draw from ``generator`` (an :class:`npgrad.random.Generator`, a
:class:`numpy.random.Generator`, or ``None`` for npgrad's default generator). Index sequences
are reproducible for a seed but not equal to PyTorch's (different random algorithms).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Any, Generic, TypeVar

import numpy as np

from npgrad.data._random import RandomSource, check_generator
from npgrad.tensor import Tensor

__all__ = [
    "BatchSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
]

T_co = TypeVar("T_co", covariant=True)


class Sampler(Generic[T_co]):
    """Base class: an iterable over dataset indices (or lists of indices, for batches).

    Subclasses implement ``__iter__``, and ``__len__`` when the length is known.

    Examples
    --------
    >>> from npgrad.data import Sampler
    >>> class EvenFirst(Sampler):
    ...     def __init__(self, n):
    ...         self.n = n
    ...     def __iter__(self):
    ...         return iter([*range(0, self.n, 2), *range(1, self.n, 2)])
    ...     def __len__(self):
    ...         return self.n
    >>> list(EvenFirst(5))
    [0, 2, 4, 1, 3]
    """

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError("Subclasses of Sampler should implement __iter__.")


class SequentialSampler(Sampler[int]):
    """``0, 1, ..., len(data_source) - 1``.

    Examples
    --------
    >>> from npgrad.data import SequentialSampler
    >>> list(SequentialSampler("abc"))
    [0, 1, 2]
    """

    data_source: Sized

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _positive_int(value: Any, name: str) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value!r}")
    return int(value)


class RandomSampler(Sampler[int]):
    """Indices in random order.

    Parameters
    ----------
    data_source : Sized
        The dataset (only its length is used).
    replacement : bool, default False
        Draw each index independently (with repeats) instead of permuting.
    num_samples : int, optional
        How many indices per pass (default ``len(data_source)``). Without replacement a
        larger number chains several permutations, as in PyTorch.
    generator : npgrad.random.Generator or numpy.random.Generator, optional
        Where the order comes from. When omitted, each pass draws a seed from npgrad's
        default generator (like PyTorch), so ``npgrad.manual_seed`` makes it reproducible.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data import RandomSampler
    >>> s = RandomSampler(range(5), generator=npgrad.random.Generator().manual_seed(0))
    >>> sorted(s), len(s)
    ([0, 1, 2, 3, 4], 5)
    """

    data_source: Sized
    replacement: bool

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Any = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = check_generator(generator, "RandomSampler")
        if not isinstance(self.replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={self.replacement}"
            )
        _positive_int(self.num_samples, "num_samples")

    @property
    def num_samples(self) -> int:
        """How many indices one pass yields."""
        if self._num_samples is None:
            return len(self.data_source)
        return self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        if self.generator is None:
            # like PyTorch: one draw from the default generator seeds this pass, so other
            # draws made while iterating do not change the order
            source = RandomSource(np.random.default_rng(RandomSource().seed()))
        else:
            source = RandomSource(self.generator)
        if self.replacement:
            if n == 0:
                raise ValueError(
                    f"RandomSampler: cannot draw {self.num_samples} indices with replacement "
                    "from an empty data_source"
                )
            for _ in range(self.num_samples // 32):
                yield from source.integers(n, 32).tolist()
            yield from source.integers(n, self.num_samples % 32).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from source.randperm(n).tolist()
            yield from source.randperm(n).tolist()[: self.num_samples % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices in random order (no repeats).

    Parameters
    ----------
    indices : sequence of int
        The indices to permute.
    generator : npgrad.random.Generator or numpy.random.Generator, optional
        Where the order comes from (npgrad's default generator when omitted).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data import SubsetRandomSampler
    >>> s = SubsetRandomSampler([10, 20, 30], generator=npgrad.random.Generator().manual_seed(0))
    >>> sorted(s)
    [10, 20, 30]
    """

    indices: Sequence[int]

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices = indices
        self.generator = check_generator(generator, "SubsetRandomSampler")

    def __iter__(self) -> Iterator[int]:
        for i in RandomSource(self.generator).randperm(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """Indices ``0 .. len(weights)-1`` drawn with probability proportional to ``weights``.

    Parameters
    ----------
    weights : sequence of float
        Non-negative, finite, not all zero; need not sum to 1.
    num_samples : int
        How many indices per pass.
    replacement : bool, default True
        Without replacement each index appears at most once (then ``num_samples`` can't
        exceed ``len(weights)``; zero-weight indices come after all the others, as in
        ``torch.multinomial``).
    generator : npgrad.random.Generator or numpy.random.Generator, optional
        Where the draws come from (npgrad's default generator when omitted).

    Raises
    ------
    ValueError
        For bad weights: PyTorch raises the same complaints only when iterating.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data import WeightedRandomSampler
    >>> g = npgrad.random.Generator().manual_seed(0)
    >>> list(WeightedRandomSampler([0.0, 1.0, 0.0], 4, generator=g))
    [1, 1, 1, 1]
    """

    weights: Tensor
    num_samples: int
    replacement: bool

    def __init__(
        self,
        weights: Sequence[float] | Any,
        num_samples: int,
        replacement: bool = True,
        generator: Any = None,
    ) -> None:
        _positive_int(num_samples, "num_samples")
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        try:
            raw = np.asarray(getattr(weights, "_data", weights))
        except ValueError:  # a ragged nested list
            raw = np.empty(0, dtype=object)
        if raw.dtype.kind not in "biuf":
            raise TypeError(
                "WeightedRandomSampler: weights must be a 1d sequence of real numbers, got "
                f"{type(weights).__name__}" + (f" of {raw.dtype}" if raw.dtype.kind != "O" else "")
            )
        w = raw.astype(np.float64)
        if w.ndim != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape {w.shape}"
            )
        if not (np.isfinite(w) & (w >= 0)).all():
            raise ValueError("weights contain either `inf`, `nan` or an element < 0")
        if not w.sum() > 0:
            raise ValueError("invalid multinomial distribution (sum of weights <= 0)")
        if not replacement and num_samples > len(w):
            raise ValueError(
                f"cannot sample num_samples={num_samples} > len(weights)={len(w)} indices "
                "without replacement"
            )
        self.weights = Tensor._make(w, False, None)  # float64, like torch.as_tensor(..., double)
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = check_generator(generator, "WeightedRandomSampler")

    def __iter__(self) -> Iterator[int]:
        draws = RandomSource(self.generator).multinomial(
            self.weights._data, self.num_samples, self.replacement
        )
        yield from draws.tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """Groups another sampler's indices into lists of ``batch_size``.

    Parameters
    ----------
    sampler : Sampler or iterable of int
        Where the indices come from.
    batch_size : int
        Size of each batch.
    drop_last : bool
        Drop the last, incomplete batch.

    Examples
    --------
    >>> from npgrad.data import BatchSampler, SequentialSampler
    >>> list(BatchSampler(SequentialSampler(range(7)), 3, drop_last=False))
    [[0, 1, 2], [3, 4, 5], [6]]
    >>> len(BatchSampler(range(7), 3, drop_last=True))
    2
    """

    def __init__(
        self, sampler: Sampler[int] | Iterable[int], batch_size: int, drop_last: bool
    ) -> None:
        _positive_int(batch_size, "batch_size")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        it = iter(self.sampler)
        while batch := list(itertools.islice(it, self.batch_size)):
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
