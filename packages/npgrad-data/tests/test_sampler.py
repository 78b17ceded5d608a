"""Samplers: index sequences, lengths, reproducibility and argument validation."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import npgrad
from npgrad.data import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)


def _gen(seed: int) -> npgrad.random.Generator:
    return npgrad.random.Generator().manual_seed(seed)


def test_base_sampler_iter_is_abstract():
    with pytest.raises(NotImplementedError):
        iter(Sampler())


def test_sequential_sampler_yields_every_index_in_order():
    s = SequentialSampler(range(5))
    assert list(s) == [0, 1, 2, 3, 4] and len(s) == 5


def test_random_sampler_is_a_permutation_per_pass_and_reproducible():
    a = RandomSampler(range(20), generator=_gen(0))
    first, second = list(a), list(a)
    assert sorted(first) == sorted(second) == list(range(20))
    assert first != second  # the generator advances between passes
    assert list(RandomSampler(range(20), generator=_gen(0))) == first


def test_random_sampler_without_a_generator_follows_npgrad_manual_seed():
    s = RandomSampler(range(30))
    npgrad.random.manual_seed(11)
    a = list(s)
    npgrad.random.manual_seed(11)
    assert list(s) == a
    assert sorted(a) == list(range(30))


def test_random_sampler_accepts_a_numpy_generator():
    a = list(RandomSampler(range(10), generator=np.random.default_rng(1)))
    b = list(RandomSampler(range(10), generator=np.random.default_rng(1)))
    assert a == b and sorted(a) == list(range(10))


def test_random_sampler_num_samples_beyond_length_chains_permutations():
    s = RandomSampler(range(4), num_samples=10, generator=_gen(0))
    out = list(s)
    assert len(s) == 10 and len(out) == 10
    assert sorted(out[:4]) == sorted(out[4:8]) == [0, 1, 2, 3]
    assert len(set(out[8:])) == 2


def test_random_sampler_with_replacement_draws_independently_in_range():
    s = RandomSampler(range(3), replacement=True, num_samples=100, generator=_gen(0))
    out = list(s)
    assert len(out) == 100 and set(out) == {0, 1, 2}  # 100 draws of 3 values: all seen
    assert (
        len(list(RandomSampler(range(3), replacement=True, num_samples=70, generator=_gen(0))))
        == 70
    )


def test_random_sampler_validates_arguments():
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        RandomSampler(range(3), replacement=1)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
            RandomSampler(range(3), num_samples=bad)
    with pytest.raises(ValueError, match="num_samples=0"):
        RandomSampler([])
    with pytest.raises(TypeError, match="generator must be"):
        RandomSampler(range(3), generator="seed")


def test_random_sampler_with_replacement_over_an_empty_dataset_names_the_problem():
    with pytest.raises(ValueError, match="RandomSampler: cannot draw 2 indices .* empty"):
        list(RandomSampler([], replacement=True, num_samples=2))


def test_subset_random_sampler_permutes_the_given_indices():
    s = SubsetRandomSampler([5, 7, 9, 11], generator=_gen(2))
    out = list(s)
    assert sorted(out) == [5, 7, 9, 11] and len(s) == 4
    assert list(SubsetRandomSampler([5, 7, 9, 11], generator=_gen(2))) == out


def test_weighted_random_sampler_draws_in_proportion_to_weights():
    s = WeightedRandomSampler([1.0, 3.0, 0.0], num_samples=4000, generator=_gen(0))
    counts = collections.Counter(s)
    assert counts[2] == 0
    assert 0.70 < counts[1] / 4000 < 0.80  # expected 0.75; 4000 draws give sd ~0.007


def test_weighted_random_sampler_without_replacement_yields_distinct_indices():
    s = WeightedRandomSampler([1, 1, 1, 5, 0], num_samples=5, replacement=False, generator=_gen(0))
    out = list(s)
    assert sorted(out) == [0, 1, 2, 3, 4]
    assert out[-1] == 4  # zero weight comes after every positive one, as torch.multinomial


def test_weighted_random_sampler_numpy_generator_matches_its_own_rules():
    draws = list(
        WeightedRandomSampler([0, 2, 0, 1], 6, replacement=True, generator=np.random.default_rng(0))
    )
    assert set(draws) <= {1, 3}
    out = list(
        WeightedRandomSampler(
            [0, 2, 0, 1], 4, replacement=False, generator=np.random.default_rng(0)
        )
    )
    assert sorted(out) == [0, 1, 2, 3] and set(out[:2]) == {1, 3}


def test_weighted_random_sampler_weights_attribute_is_a_float64_tensor():
    s = WeightedRandomSampler(npgrad.tensor([1.0, 3.0]), 2)
    assert isinstance(s.weights, npgrad.Tensor) and s.weights.dtype == np.float64
    assert s.weights.tolist() == [1.0, 3.0] and not s.weights.requires_grad
    assert WeightedRandomSampler([1, 2], 1).weights.dtype == np.float64


def test_weighted_random_sampler_validates_weights_and_arguments():
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        WeightedRandomSampler([1.0], 0)
    with pytest.raises(ValueError, match="replacement should be a boolean value"):
        WeightedRandomSampler([1.0], 1, replacement="yes")
    with pytest.raises(ValueError, match=r"1d sequence .* shape \(2, 1\)"):
        WeightedRandomSampler([[1.0], [2.0]], 1)
    with pytest.raises(ValueError, match="`inf`, `nan` or an element < 0"):
        WeightedRandomSampler([1.0, -1.0], 1)
    with pytest.raises(ValueError, match="sum of weights <= 0"):
        WeightedRandomSampler([0.0, 0.0], 1)
    with pytest.raises(ValueError, match="without replacement"):
        WeightedRandomSampler([1.0, 1.0], 3, replacement=False)


def test_batch_sampler_groups_indices_and_counts_batches():
    assert list(BatchSampler(SequentialSampler(range(10)), 4, False)) == [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
        [8, 9],
    ]
    assert list(BatchSampler(range(10), 4, True)) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(BatchSampler(range(10), 4, False)) == 3
    assert len(BatchSampler(range(10), 4, True)) == 2
    assert len(BatchSampler(range(8), 4, True)) == 2
    assert list(BatchSampler(range(0), 4, False)) == []


def test_batch_sampler_validates_arguments():
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
            BatchSampler(range(3), bad, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        BatchSampler(range(3), 2, 0)
