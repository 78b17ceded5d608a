"""Datasets: TensorDataset, Subset, ConcatDataset, ChainDataset, StackDataset, random_split."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import npgrad
from npgrad.data import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)


class Range(Dataset):
    def __init__(self, start: int, stop: int) -> None:
        self.items = list(range(start, stop))

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> int:
        return self.items[i]


class Stream(IterableDataset):
    def __init__(self, items: list[int]) -> None:
        self.items = items

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def test_base_dataset_getitem_is_abstract():
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]
    with pytest.raises(NotImplementedError, match="__iter__"):
        iter(IterableDataset())


def test_tensor_dataset_slices_every_tensor_along_the_first_dimension():
    x = npgrad.tensor(np.arange(12.0).reshape(4, 3))
    y = npgrad.tensor([0, 1, 0, 1])
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    xi, yi = ds[2]
    np.testing.assert_array_equal(xi.numpy(), [6.0, 7.0, 8.0])
    assert yi.item() == 0 and yi.dtype == np.int64 and yi.shape == ()
    last = ds[-1]
    np.testing.assert_array_equal(last[0].numpy(), [9.0, 10.0, 11.0])


def test_tensor_dataset_sample_of_a_tensor_requiring_grad_stays_in_the_graph():
    w = npgrad.tensor(np.ones((3, 2)), requires_grad=True)
    (row,) = TensorDataset(w)[1]
    assert row.requires_grad and row.grad_fn is not None


def test_tensor_dataset_rejects_mismatched_first_dimensions():
    with pytest.raises(
        ValueError, match=r"Size mismatch between tensors: first dimensions \[3, 2\]"
    ):
        TensorDataset(npgrad.zeros(3, 2), npgrad.zeros(2))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(ValueError, match="first dimension"):
        TensorDataset(npgrad.tensor(1.0))


def test_tensor_dataset_index_out_of_range_names_index_and_length():
    ds = TensorDataset(npgrad.zeros(3))
    with pytest.raises(IndexError, match="index 3 is out of range for TensorDataset of length 3"):
        ds[3]
    with pytest.raises(IndexError, match="index -4"):
        ds[-4]


def test_add_concatenates_map_style_and_chains_iterable_datasets():
    both = Range(0, 3) + Range(10, 12)
    assert isinstance(both, ConcatDataset)
    assert [both[i] for i in range(len(both))] == [0, 1, 2, 10, 11]
    chained = Stream([1, 2]) + Stream([3])
    assert isinstance(chained, ChainDataset)
    assert list(chained) == [1, 2, 3] and len(chained) == 3


def test_concat_dataset_of_many_parts_maps_indices_across_boundaries():
    parts = [Range(0, 2), Range(100, 100), Range(10, 13), Range(50, 51)]
    ds = ConcatDataset(parts)
    assert ds.cumulative_sizes == [2, 2, 5, 6]
    assert [ds[i] for i in range(6)] == [0, 1, 10, 11, 12, 50]
    assert [ds[-i] for i in range(1, 7)] == [50, 12, 11, 10, 1, 0]
    assert list(ds) == [0, 1, 10, 11, 12, 50]  # iteration stops on IndexError


def test_concat_dataset_index_out_of_range_names_index_and_length():
    ds = ConcatDataset([Range(0, 2), Range(0, 3)])
    for bad in (5, -6):
        with pytest.raises(
            IndexError, match=f"index {bad} is out of range for ConcatDataset of length 5"
        ):
            ds[bad]


def test_concat_dataset_rejects_empty_and_iterable_parts():
    with pytest.raises(ValueError, match="empty"):
        ConcatDataset([])
    with pytest.raises(TypeError, match="IterableDataset"):
        ConcatDataset([Range(0, 1), Stream([1])])


def test_chain_dataset_rejects_map_style_parts_when_used():
    chain = ChainDataset([Stream([1]), Range(0, 2)])
    with pytest.raises(TypeError, match="only supports IterableDataset"):
        list(chain)
    with pytest.raises(TypeError, match="only supports IterableDataset"):
        len(chain)


def test_subset_indexes_through_and_fetches_batches():
    base = Range(10, 20)
    sub = Subset(base, [9, 0, 4])
    assert len(sub) == 3
    assert [sub[0], sub[1], sub[-1]] == [19, 10, 14]
    assert sub.__getitems__([1, 2]) == [10, 14]


def test_subset_indexed_with_a_list_passes_the_list_to_its_dataset():
    # PyTorch's rule: ``dataset[[indices[i] for i in idx]]``, so a TensorDataset
    # returns its tensors indexed all at once
    sub = Subset(TensorDataset(npgrad.arange(10, 20)), [9, 0, 4])
    (batch,) = sub[[2, 0]]
    assert batch.tolist() == [14, 19]
    seen = []

    class Records(Range):
        def __getitem__(self, i):
            seen.append(i)
            return super().__getitem__(i) if isinstance(i, int) else "whole list"

    assert Subset(Records(10, 20), [9, 0, 4])[[2, 0]] == "whole list"
    assert seen == [[4, 9]]


def test_subset_getitems_uses_the_inner_datasets_batched_fetch():
    class Batched(Range):
        def __getitems__(self, indices):
            return [("batched", i) for i in indices]

    assert Subset(Batched(0, 5), [4, 3]).__getitems__([0, 1]) == [("batched", 4), ("batched", 3)]


def test_stack_dataset_zips_datasets_as_tuples_or_dicts():
    assert StackDataset(Range(0, 3), Range(10, 13))[1] == (1, 11)
    ds = StackDataset(a=Range(0, 2), b=Range(5, 7))
    assert len(ds) == 2 and ds[0] == {"a": 0, "b": 5}
    with pytest.raises(ValueError, match=r"Size mismatch between datasets: lengths \[2, 3\]"):
        StackDataset(Range(0, 2), Range(0, 3))
    with pytest.raises(ValueError, match="both types"):
        StackDataset(Range(0, 1), b=Range(0, 1))
    with pytest.raises(ValueError, match="At least one"):
        StackDataset()


class Batched(Range):
    """Counts its batched fetches, which tag each sample."""

    calls = 0

    def __getitems__(self, indices):
        Batched.calls += 1
        return [("batched", self.items[i]) for i in indices]


def test_stack_dataset_getitems_fetches_each_part_batched_where_it_can():
    ds = StackDataset(Batched(0, 5), Range(10, 15))
    assert ds.__getitems__([3, 1]) == [(("batched", 3), 13), (("batched", 1), 11)]
    by_key = StackDataset(a=Range(0, 5), b=Batched(10, 15))
    assert by_key.__getitems__([0, 4]) == [
        {"a": 0, "b": ("batched", 10)},
        {"a": 4, "b": ("batched", 14)},
    ]


def test_stack_dataset_getitems_rejects_a_part_returning_the_wrong_count():
    class Short(Range):
        def __getitems__(self, indices):
            return [self.items[i] for i in indices[:-1]]

    with pytest.raises(
        ValueError, match="Nested dataset's output size mismatch. Expected 2, got 1"
    ):
        StackDataset(Short(0, 3), Range(0, 3)).__getitems__([0, 1])
    with pytest.raises(ValueError, match="Expected 2, got 1"):
        StackDataset(x=Short(0, 3)).__getitems__([0, 1])


def test_dataloader_over_stack_dataset_uses_the_parts_batched_fetch():
    from npgrad.data import DataLoader

    Batched.calls = 0
    loader = DataLoader(StackDataset(Batched(0, 3), Range(10, 13)), batch_size=2)
    (tags, values), ys = next(iter(loader))
    assert Batched.calls == 1 and tags == ("batched", "batched") and values.tolist() == [0, 1]
    assert ys.tolist() == [10, 11]


def _gen(seed: int) -> npgrad.random.Generator:
    return npgrad.random.Generator().manual_seed(seed)


def test_random_split_partitions_the_dataset():
    parts = random_split(Range(0, 10), [3, 7], generator=_gen(0))
    assert [len(p) for p in parts] == [3, 7]
    got = sorted(x for p in parts for x in p)
    assert got == list(range(10))


def test_random_split_is_reproducible_for_a_seed_and_varies_with_it():
    a = [list(p) for p in random_split(Range(0, 20), [10, 10], generator=_gen(1))]
    b = [list(p) for p in random_split(Range(0, 20), [10, 10], generator=_gen(1))]
    c = [list(p) for p in random_split(Range(0, 20), [10, 10], generator=_gen(2))]
    assert a == b
    assert a != c


def test_random_split_accepts_a_numpy_generator_and_the_default_generator():
    a = random_split(Range(0, 8), [4, 4], generator=np.random.default_rng(3))
    b = random_split(Range(0, 8), [4, 4], generator=np.random.default_rng(3))
    assert [list(p) for p in a] == [list(p) for p in b]
    npgrad.random.manual_seed(5)
    c = [list(p) for p in random_split(Range(0, 8), [4, 4])]
    npgrad.random.manual_seed(5)
    assert c == [list(p) for p in random_split(Range(0, 8), [4, 4])]


@pytest.mark.parametrize(
    ("n", "fractions", "sizes"),
    [
        (10, [0.5, 0.5], [5, 5]),
        (11, [0.5, 0.5], [6, 5]),
        (10, [0.3, 0.3, 0.4], [3, 3, 4]),
        (7, [0.1, 0.2, 0.7], [1, 2, 4]),
        (5, [1 / 3, 1 / 3, 1 / 3], [2, 2, 1]),
    ],
)
def test_random_split_fractions_floor_then_hand_out_the_remainder_round_robin(n, fractions, sizes):
    parts = random_split(Range(0, n), fractions, generator=_gen(0))
    assert [len(p) for p in parts] == sizes


def test_random_split_warns_about_each_empty_split():
    with pytest.warns(UserWarning, match="is 0. This might result in an empty dataset") as rec:
        parts = random_split(Range(0, 2), [0.9, 0.05, 0.05], generator=_gen(0))
    assert [len(p) for p in parts] == [2, 0, 0]
    assert [str(w.message)[:30] for w in rec] == [
        "Length of split at index 1 is ",
        "Length of split at index 2 is ",
    ]


def test_random_split_rejects_lengths_that_dont_sum_or_bad_fractions():
    with pytest.raises(ValueError, match=r"lengths \[3, 3\] sum to 6, the dataset has 5 items"):
        random_split(Range(0, 5), [3, 3])
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(Range(0, 5), [0.5, 0.3])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        random_split(Range(0, 5), [0.5, 1.5, -1.0])
    with pytest.raises(ValueError, match="length at index 0 is negative"):
        random_split(Range(0, 2), [-1, 3])
    with pytest.raises(ValueError, match="got 2.5 at index 0"):
        random_split(Range(0, 5), [2.5, 2.5])
    with pytest.raises(TypeError, match="generator must be"):
        random_split(Range(0, 2), [1, 1], generator=42)


@pytest.mark.torch
@pytest.mark.parametrize("n", [1, 2, 7, 10, 33, 100])
@pytest.mark.parametrize(
    "fractions",
    [[0.5, 0.5], [0.1, 0.2, 0.7], [1 / 3] * 3, [0.25] * 4, [0.8, 0.1, 0.1], [0.05, 0.95], [1.0]],
)
def test_random_split_fraction_rounding_matches_torch(n, fractions):
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = [len(p) for p in torch.utils.data.random_split(range(n), fractions)]
        got = [len(p) for p in random_split(Range(0, n), fractions, generator=_gen(0))]
    assert got == expected
    assert math.fsum(got) == n


@pytest.mark.torch
def test_subset_list_index_and_stack_dataset_getitems_match_torch():
    torch = pytest.importorskip("torch")
    tdata = torch.utils.data

    class TorchBatched(tdata.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return i

        def __getitems__(self, indices):
            return [("batched", i) for i in indices]

    class OurBatched(Range):
        def __getitems__(self, indices):
            return [("batched", self.items[i]) for i in indices]

    theirs = tdata.Subset(tdata.TensorDataset(torch.arange(10, 15)), [4, 0, 2])[[2, 0]]
    ours = Subset(TensorDataset(npgrad.arange(10, 15)), [4, 0, 2])[[2, 0]]
    assert [t.tolist() for t in ours] == [t.tolist() for t in theirs]
    by_position = tdata.StackDataset(TorchBatched(), list(range(5))).__getitems__([3, 1])
    assert StackDataset(OurBatched(0, 5), Range(0, 5)).__getitems__([3, 1]) == by_position
    by_key = tdata.StackDataset(a=TorchBatched(), b=list(range(5))).__getitems__([3, 1])
    assert StackDataset(a=OurBatched(0, 5), b=Range(0, 5)).__getitems__([3, 1]) == by_key
