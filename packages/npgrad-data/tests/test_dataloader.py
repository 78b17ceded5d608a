"""DataLoader in the main process: batching, samplers, collation, len, argument validation.

Worker processes are tested in test_worker.py.
"""

from __future__ import annotations

import multiprocessing

import numpy as np
import pytest

import npgrad
from npgrad.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    TensorDataset,
    default_collate,
    default_convert,
)


class Items(Dataset):
    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i


class Stream(IterableDataset):
    def __init__(self, n: int, claimed_len: int | None = None) -> None:
        self.n, self.claimed_len = n, claimed_len

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self) -> int:
        return self.n if self.claimed_len is None else self.claimed_len


def _gen(seed: int) -> npgrad.random.Generator:
    return npgrad.random.Generator().manual_seed(seed)


def test_default_loader_yields_batches_of_one_in_order():
    x = npgrad.tensor(np.arange(6.0).reshape(3, 2))
    batches = list(DataLoader(TensorDataset(x)))
    assert len(batches) == 3
    assert [b[0].shape for b in batches] == [(1, 2)] * 3
    np.testing.assert_array_equal(batches[2][0].numpy(), [[4.0, 5.0]])


def test_batch_size_drop_last_and_len():
    loader = DataLoader(Items(10), batch_size=4)
    assert [b.tolist() for b in loader] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert len(loader) == 3
    dropped = DataLoader(Items(10), batch_size=4, drop_last=True)
    assert [b.tolist() for b in dropped] == [[0, 1, 2, 3], [4, 5, 6, 7]] and len(dropped) == 2


def test_shuffle_is_a_reproducible_permutation_that_changes_each_epoch():
    loader = DataLoader(Items(12), batch_size=5, shuffle=True, generator=_gen(0))
    epoch1 = [i for b in loader for i in b.tolist()]
    epoch2 = [i for b in loader for i in b.tolist()]
    assert sorted(epoch1) == sorted(epoch2) == list(range(12))
    assert epoch1 != epoch2
    again = DataLoader(Items(12), batch_size=5, shuffle=True, generator=_gen(0))
    assert [i for b in again for i in b.tolist()] == epoch1
    assert isinstance(loader.sampler, RandomSampler)


def test_shuffle_without_generator_follows_npgrad_manual_seed():
    loader = DataLoader(Items(12), batch_size=12, shuffle=True)
    npgrad.random.manual_seed(3)
    a = next(iter(loader)).tolist()
    npgrad.random.manual_seed(3)
    assert next(iter(loader)).tolist() == a


def test_two_iterators_over_one_loader_do_not_interfere():
    loader = DataLoader(Items(5), batch_size=2)
    it1, it2 = iter(loader), iter(loader)
    assert next(it1).tolist() == [0, 1]
    assert next(it2).tolist() == [0, 1]
    assert next(it1).tolist() == [2, 3]
    assert [b.tolist() for b in it2] == [[2, 3], [4]]
    assert [b.tolist() for b in it1] == [[4]]


def test_batch_size_none_converts_samples_one_by_one():
    loader = DataLoader([np.arange(3), np.arange(3) + 1], batch_size=None)
    out = list(loader)
    assert loader.collate_fn is default_convert
    assert [o.tolist() for o in out] == [[0, 1, 2], [1, 2, 3]] and len(loader) == 2


def test_custom_sampler_batch_sampler_and_collate_fn():
    loader = DataLoader(Items(6), batch_size=2, sampler=[5, 4, 3, 2, 1, 0])
    assert [b.tolist() for b in loader] == [[5, 4], [3, 2], [1, 0]]
    bs = DataLoader(Items(6), batch_sampler=[[0, 5], [1]])
    assert [b.tolist() for b in bs] == [[0, 5], [1]] and len(bs) == 2
    assert bs.batch_size is None and bs.collate_fn is default_collate
    summed = DataLoader(Items(6), batch_size=3, collate_fn=sum)
    assert list(summed) == [3, 12]


def test_dataset_getitems_fetches_a_batch_at_once():
    class Batched(Items):
        calls: list[list[int]] = []

        def __getitems__(self, indices):
            Batched.calls.append(list(indices))
            return [i * 10 for i in indices]

    out = [b.tolist() for b in DataLoader(Batched(5), batch_size=2)]
    assert out == [[0, 10], [20, 30], [40]]
    assert Batched.calls == [[0, 1], [2, 3], [4]]


def test_an_error_in_the_main_process_is_raised_unchanged():
    class Broken(Items):
        def __getitem__(self, i):
            raise KeyError(f"missing {i}")

    with pytest.raises(KeyError, match="missing 0"):
        next(iter(DataLoader(Broken(3))))


def test_iterable_dataset_batches_its_stream_and_reports_len():
    loader = DataLoader(Stream(7), batch_size=3)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(loader) == 3
    assert len(DataLoader(Stream(7), batch_size=3, drop_last=True)) == 2
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3, drop_last=True)] == [
        [0, 1, 2],
        [3, 4, 5],
    ]
    assert len(DataLoader(Stream(7), batch_size=None)) == 7


def test_iterable_dataset_yielding_more_than_its_len_warns():
    loader = DataLoader(Stream(4, claimed_len=2), batch_size=1)
    assert len(loader) == 2
    with pytest.warns(UserWarning, match="was reported to be 2"):
        out = list(loader)
    assert len(out) == 4


def test_len_of_a_map_loader_is_the_number_of_batches_of_its_sampler():
    assert len(DataLoader(Items(7), batch_size=2, sampler=SequentialSampler(range(3)))) == 2
    assert len(DataLoader(Items(7), batch_sampler=BatchSampler(range(7), 3, True))) == 2


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"num_workers": -1}, ValueError, "num_workers option should be non-negative"),
        ({"timeout": -1}, ValueError, "timeout option should be non-negative"),
        ({"prefetch_factor": 2}, ValueError, "prefetch_factor option could only be specified"),
        (
            {"num_workers": 1, "prefetch_factor": -1},
            ValueError,
            "prefetch_factor option should be non-negative",
        ),
        (
            {"num_workers": 1, "prefetch_factor": 0},
            ValueError,
            "prefetch_factor must be at least 1",
        ),
        (
            {"persistent_workers": True},
            ValueError,
            "persistent_workers option needs num_workers > 0",
        ),
        (
            {"sampler": [0], "shuffle": True},
            ValueError,
            "sampler option is mutually exclusive with shuffle",
        ),
        (
            {"batch_sampler": [[0]], "batch_size": 2},
            ValueError,
            "batch_sampler option is mutually exclusive",
        ),
        (
            {"batch_sampler": [[0]], "drop_last": True},
            ValueError,
            "batch_sampler option is mutually exclusive",
        ),
        (
            {"batch_sampler": [[0]], "shuffle": True},
            ValueError,
            "batch_sampler option is mutually exclusive",
        ),
        (
            {"batch_sampler": [[0]], "sampler": [0]},
            ValueError,
            "batch_sampler option is mutually exclusive",
        ),
        (
            {"batch_size": None, "drop_last": True},
            ValueError,
            "batch_size=None option disables auto-batching",
        ),
        (
            {"multiprocessing_context": "spawn"},
            ValueError,
            "can only be used with multi-process loading",
        ),
        (
            {"num_workers": 1, "multiprocessing_context": "nope"},
            ValueError,
            "should specify a valid start method",
        ),
        (
            {"num_workers": 1, "multiprocessing_context": 3},
            TypeError,
            "should be a valid context object",
        ),
        ({"generator": 7}, TypeError, "generator must be"),
        ({"batch_size": 0}, ValueError, "batch_size should be a positive integer value"),
    ],
)
def test_argument_validation_matches_torch(kwargs, exc, message):
    with pytest.raises(exc, match=message):
        DataLoader(Items(3), **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shuffle": True}, "expected unspecified shuffle option, but got shuffle=True"),
        ({"sampler": [0]}, "expected unspecified sampler option"),
        ({"batch_sampler": [[0]]}, "expected unspecified batch_sampler option"),
    ],
)
def test_iterable_dataset_refuses_shuffle_and_samplers(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(Stream(3), **kwargs)


def test_multiprocessing_context_accepts_a_name_or_a_context():
    by_name = DataLoader(Items(3), num_workers=1, multiprocessing_context="spawn")
    assert by_name.multiprocessing_context is multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("spawn")
    assert (
        DataLoader(Items(3), num_workers=1, multiprocessing_context=ctx).multiprocessing_context
        is ctx
    )
    assert DataLoader(Items(3), num_workers=1).prefetch_factor == 2


def test_core_attributes_are_read_only_after_construction():
    loader = DataLoader(Items(3), batch_size=2)
    for attr in (
        "batch_size",
        "batch_sampler",
        "sampler",
        "drop_last",
        "dataset",
        "persistent_workers",
    ):
        with pytest.raises(
            ValueError, match=f"{attr} attribute should not be set after DataLoader"
        ):
            setattr(loader, attr, None)
    loader.num_workers = 0  # others stay settable, as in torch
    loader.pin_memory = True
    assert [b.tolist() for b in loader] == [[0, 1], [2]]


def test_too_many_workers_warns():
    import os

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    with pytest.warns(UserWarning, match="worker processes in total"):
        DataLoader(Items(3), num_workers=cpus + 1)
