"""Datasets: map-style and iterable, and the ways to combine and split them.

The classes follow ``torch.utils.data``. Where PyTorch validates with ``assert`` (which
``python -O`` removes), npgrad raises ``ValueError``/``TypeError`` with the same message.
"""

from __future__ import annotations

import bisect
import itertools
import math
import operator
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import numpy as np

from npgrad.data._random import RandomSource, check_generator
from npgrad.tensor import Tensor

__all__ = [
    "ChainDataset",
    "ConcatDataset",
    "Dataset",
    "IterableDataset",
    "StackDataset",
    "Subset",
    "TensorDataset",
    "random_split",
]

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """A map-style dataset: ``dataset[i]`` is the i-th sample.

    Subclasses implement ``__getitem__`` and usually ``__len__`` (samplers and the
    DataLoader's ``len()`` need it). They may also implement ``__getitems__(indices)`` to
    fetch a whole batch at once; the DataLoader then calls it instead of ``__getitem__``.
    ``a + b`` concatenates two datasets into a :class:`ConcatDataset`.

    Examples
    --------
    >>> from npgrad.data import Dataset
    >>> class Squares(Dataset):
    ...     def __len__(self):
    ...         return 4
    ...     def __getitem__(self, i):
    ...         return i * i
    >>> both = Squares() + Squares()
    >>> len(both), both[5]
    (8, 1)
    """

    def __getitem__(self, index: Any) -> T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset[T_co]) -> ConcatDataset[T_co]:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co], Iterable[T_co]):
    """A dataset that is a stream: subclasses implement ``__iter__``.

    With ``DataLoader(num_workers=n)`` each worker process iterates its own copy of the
    dataset, so a dataset that should not be read ``n`` times over shards itself with
    :func:`npgrad.data.get_worker_info`. ``a + b`` chains two of them into a
    :class:`ChainDataset`.

    Examples
    --------
    >>> from npgrad.data import IterableDataset, get_worker_info
    >>> class Range(IterableDataset):
    ...     def __init__(self, n):
    ...         self.n = n
    ...     def __iter__(self):
    ...         info = get_worker_info()  # None in the main process
    ...         start, step = (0, 1) if info is None else (info.id, info.num_workers)
    ...         return iter(range(start, self.n, step))
    >>> list(Range(3) + Range(2))
    [0, 1, 2, 0, 1]
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other: Dataset[T_co]) -> ChainDataset:  # type: ignore[override]
        return ChainDataset([self, other])


def _first_dim(t: Any) -> int:
    shape = getattr(t, "shape", None)
    if shape is None or len(shape) == 0:
        raise ValueError(
            f"TensorDataset: every tensor needs a first dimension to index samples along, got "
            f"{type(t).__name__} with shape {shape}"
        )
    return int(shape[0])


class TensorDataset(Dataset[tuple[Tensor, ...]]):
    """Samples are slices along the first dimension of the given tensors.

    Parameters
    ----------
    *tensors : Tensor
        Tensors with the same size of the first dimension.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data import TensorDataset
    >>> ds = TensorDataset(npgrad.tensor([[1.0, 2.0], [3.0, 4.0]]), npgrad.tensor([0, 1]))
    >>> len(ds)
    2
    >>> ds[1]
    (tensor([3., 4.]), tensor(1))
    """

    tensors: tuple[Tensor, ...]

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset: give at least one tensor")
        sizes = [_first_dim(t) for t in tensors]
        if any(s != sizes[0] for s in sizes):
            raise ValueError(f"Size mismatch between tensors: first dimensions {sizes}")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        n = len(self)
        if isinstance(index, (int, np.integer)) and not -n <= index < n:
            raise IndexError(f"index {index} is out of range for TensorDataset of length {n}")
        return tuple(_take(t, index) for t in self.tensors)

    def __len__(self) -> int:
        return _first_dim(self.tensors[0])


def _take(t: Any, index: Any) -> Any:
    # a tensor that requires grad goes through npgrad's differentiable indexing; plain data
    # is sliced directly (the common case, and the cheap one)
    if isinstance(t, Tensor):
        if t.requires_grad:
            return t[index]
        out = t._data[index]
        return Tensor._make(out if isinstance(out, np.ndarray) else np.asarray(out), False, None)
    return t[index]


class StackDataset(Dataset[Any]):
    """Samples are tuples (or dicts) of the samples of several equally long datasets.

    Parameters
    ----------
    *args : Dataset
        Datasets whose samples form a tuple, or
    **kwargs : Dataset
        datasets whose samples form a dict under these keys (not both).

    Examples
    --------
    >>> from npgrad.data import StackDataset
    >>> StackDataset(image=[10, 11], label=[0, 1])[1]
    {'image': 11, 'label': 1}
    """

    datasets: tuple[Any, ...] | dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and kwargs:
            raise ValueError(
                "Supported either ``tuple``- (via ``args``) or``dict``- (via ``kwargs``) like "
                "input/output, but both types are given."
            )
        parts = list(args) if args else list(kwargs.values())
        if not parts:
            raise ValueError("At least one dataset should be passed")
        lengths = [len(d) for d in parts]
        if any(n != lengths[0] for n in lengths):
            raise ValueError(f"Size mismatch between datasets: lengths {lengths}")
        self._length = lengths[0]
        self.datasets = tuple(args) if args else dict(kwargs)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __getitems__(self, indices: list[int]) -> list[Any]:
        """The samples at several indices (the DataLoader's batched fetch), fetching each
        part with its own ``__getitems__`` where it has one."""
        parts = (
            self.datasets.items() if isinstance(self.datasets, dict) else enumerate(self.datasets)
        )
        columns = {key: _fetch_batch(d, indices) for key, d in parts}
        if isinstance(self.datasets, dict):
            return [{k: column[j] for k, column in columns.items()} for j in range(len(indices))]
        return [tuple(column[j] for column in columns.values()) for j in range(len(indices))]

    def __len__(self) -> int:
        return self._length


def _fetch_batch(dataset: Any, indices: list[int]) -> list[Any]:
    getitems = getattr(dataset, "__getitems__", None)
    if not callable(getitems):
        return [dataset[i] for i in indices]
    items = getitems(indices)
    if len(items) != len(indices):
        raise ValueError(
            f"Nested dataset's output size mismatch. Expected {len(indices)}, got {len(items)} "
            f"(from {type(dataset).__name__}.__getitems__)"
        )
    return list(items)


class ConcatDataset(Dataset[T_co]):
    """The concatenation of several map-style datasets.

    Parameters
    ----------
    datasets : iterable of Dataset
        The parts, in order; at least one, none iterable-style.

    Examples
    --------
    >>> from npgrad.data import ConcatDataset
    >>> ds = ConcatDataset([[0, 1, 2], [10, 11]])
    >>> len(ds), ds[3], ds[-1], ds.cumulative_sizes
    (5, 10, 11, [3, 5])
    """

    datasets: list[Dataset[T_co]]
    cumulative_sizes: list[int]

    @staticmethod
    def cumsum(sequence: Sequence[Any]) -> list[int]:
        """The running totals of the lengths of ``sequence``'s items."""
        return list(itertools.accumulate(len(e) for e in sequence))

    def __init__(self, datasets: Iterable[Dataset[T_co]]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> T_co:
        n = len(self)
        i = operator.index(idx)
        if not -n <= i < n:
            raise IndexError(f"index {idx} is out of range for ConcatDataset of length {n}")
        if i < 0:
            i += n
        part = bisect.bisect_right(self.cumulative_sizes, i)
        offset = self.cumulative_sizes[part - 1] if part > 0 else 0
        return self.datasets[part][i - offset]

    @property
    def cummulative_sizes(self) -> list[int]:
        """Deprecated misspelling of :attr:`cumulative_sizes` (PyTorch keeps it, with a
        FutureWarning)."""
        warnings.warn(
            "`cummulative_sizes` attribute is renamed to `cumulative_sizes`",
            FutureWarning,
            stacklevel=2,
        )
        return self.cumulative_sizes


class ChainDataset(IterableDataset[Any]):
    """Iterable datasets read one after the other (built lazily, on iteration).

    Parameters
    ----------
    datasets : iterable of IterableDataset
        The datasets to chain.

    Examples
    --------
    >>> from npgrad.data import ChainDataset, IterableDataset
    >>> class Letters(IterableDataset):
    ...     def __init__(self, s):
    ...         self.s = s
    ...     def __iter__(self):
    ...         return iter(self.s)
    ...     def __len__(self):
    ...         return len(self.s)
    >>> chain = ChainDataset([Letters("ab"), Letters("c")])
    >>> list(chain), len(chain)
    (['a', 'b', 'c'], 3)
    """

    def __init__(self, datasets: Iterable[Dataset[Any]]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            yield from _check_iterable(d)

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            _check_iterable(d)
            total += len(d)  # type: ignore[arg-type]
        return total


def _check_iterable(d: Any) -> IterableDataset[Any]:
    if not isinstance(d, IterableDataset):
        raise TypeError(f"ChainDataset only supports IterableDataset, got {type(d).__name__}")
    return d


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``, in that order.

    Parameters
    ----------
    dataset : Dataset
        The whole dataset.
    indices : sequence of int
        Indices into it.

    Examples
    --------
    >>> from npgrad.data import Subset
    >>> s = Subset(["a", "b", "c", "d"], [3, 0])
    >>> len(s), s[0], s[-1]
    (2, 'd', 'a')

    A list of positions is handed to ``dataset`` as one list of indices, as in PyTorch:

    >>> import npgrad
    >>> from npgrad.data import TensorDataset
    >>> Subset(TensorDataset(npgrad.arange(10, 14)), [3, 0, 2])[[0, 2]]
    (tensor([13, 12]),)
    """

    dataset: Dataset[T_co]
    indices: Sequence[int]

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            # PyTorch's rule: the dataset gets the whole list (a TensorDataset indexes at once)
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list[int]) -> list[T_co]:
        """The samples at several positions (the DataLoader's batched fetch)."""
        inner = [self.indices[i] for i in indices]
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            return getitems(inner)  # type: ignore[no-any-return]
        return [self.dataset[i] for i in inner]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(
    dataset: Dataset[T_co],
    lengths: Sequence[int | float],
    generator: Any = None,
) -> list[Subset[T_co]]:
    """Split ``dataset`` at random into non-overlapping subsets.

    Parameters
    ----------
    dataset : Dataset
        The dataset to split (it needs ``len()``).
    lengths : sequence of int or float
        The lengths of the parts, summing to ``len(dataset)``; or fractions summing to 1,
        which become ``floor(len(dataset) * fraction)`` items each, the remainder handed
        out one by one round-robin from the first part (PyTorch's rule).
    generator : npgrad.random.Generator or numpy.random.Generator, optional
        Where the permutation comes from (npgrad's default generator when omitted).

    Returns
    -------
    list of Subset

    Raises
    ------
    ValueError
        If the lengths do not sum to the dataset's length, or a fraction is outside [0, 1].

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data import random_split
    >>> train, val = random_split(range(10), [0.7, 0.3], npgrad.random.Generator().manual_seed(0))
    >>> len(train), len(val), sorted(list(train) + list(val)) == list(range(10))
    (7, 3, True)
    """
    check_generator(generator, "random_split")
    total = len(dataset)  # type: ignore[arg-type]
    lengths = list[int | float](lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes: list[int] = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            sizes.append(int(math.floor(total * frac)))
        for i in range(total - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, size in enumerate(sizes):
            if size == 0:
                warnings.warn(
                    f"Length of split at index {i} is 0. This might result in an empty dataset.",
                    stacklevel=2,
                )
        lengths = list[int | float](sizes)
    if sum(lengths) != total:
        raise ValueError(
            "Sum of input lengths does not equal the length of the input dataset! "
            f"(lengths {list(lengths)} sum to {sum(lengths)}, the dataset has {total} items; "
            "give integer lengths summing to it, or fractions summing to 1)"
        )
    for i, n in enumerate(lengths):
        if isinstance(n, float) and not n.is_integer():
            raise ValueError(
                f"random_split: lengths must be integers or fractions summing to 1, got {n} at "
                f"index {i}"
            )
        if n < 0:
            raise ValueError(f"random_split: length at index {i} is negative ({n})")
    indices = RandomSource(generator).randperm(total).tolist()
    ends = itertools.accumulate(int(n) for n in lengths)
    return [Subset(dataset, indices[end - int(n) : end]) for end, n in zip(ends, lengths)]
