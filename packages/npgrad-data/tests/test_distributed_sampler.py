"""DistributedSampler: every rank's share, simulated by building one sampler per rank."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
import npgrad.distributed as dist
from npgrad.data import DataLoader, DistributedSampler


def shares(n, world, **kwargs):
    """Each simulated rank's indices; every rank's global RNG is in a different state, as in
    separate processes, which must not matter."""
    out = []
    for rank in range(world):
        npgrad.manual_seed(1000 + rank)
        out.append(list(DistributedSampler(range(n), num_replicas=world, rank=rank, **kwargs)))
    return out


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 60), world=st.integers(1, 7), shuffle=st.booleans(), seed=st.integers(0, 9))
def test_padded_shares_are_equal_and_cover_the_dataset(n, world, shuffle, seed):
    parts = shares(n, world, shuffle=shuffle, seed=seed)
    size = math.ceil(n / world)
    assert all(len(p) == size for p in parts)
    flat = [i for p in parts for i in p]
    assert set(flat) == set(range(n))  # covers everything
    assert len(flat) - n == size * world - n  # only the padding repeats
    if n >= world:
        # the padding repeats indices from the start of the order, each at most once
        assert all(flat.count(i) <= 2 for i in range(n))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 60), world=st.integers(1, 7), shuffle=st.booleans())
def test_drop_last_shares_are_disjoint_and_equal(n, world, shuffle):
    parts = shares(n, world, shuffle=shuffle, drop_last=True)
    size = n // world
    assert all(len(p) == size for p in parts)
    flat = [i for p in parts for i in p]
    assert len(set(flat)) == len(flat) == size * world  # disjoint


def test_shares_without_padding_are_disjoint():
    parts = shares(12, 3)
    assert sorted(i for p in parts for i in p) == list(range(12))


def test_each_epoch_reshuffles_the_same_way_on_every_rank():
    orders = []
    for epoch in range(3):
        ranks = []
        for rank in range(2):
            npgrad.manual_seed(rank)  # the global RNG differs between processes
            sampler = DistributedSampler(range(20), num_replicas=2, rank=rank, seed=7)
            sampler.set_epoch(epoch)
            ranks.append(list(sampler))
        assert sorted(ranks[0] + ranks[1]) == list(range(20))  # still disjoint and complete
        orders.append(ranks[0] + ranks[1])
        again = DistributedSampler(range(20), num_replicas=2, rank=0, seed=7)
        again.set_epoch(epoch)
        assert list(again) == ranks[0]  # a rank rebuilt from scratch agrees
    assert orders[0] != orders[1] != orders[2]
    sampler = DistributedSampler(range(20), num_replicas=2, rank=0, seed=7)
    assert list(sampler) == list(sampler)  # no set_epoch: the same order every pass


def test_the_seed_changes_the_order():
    a = list(DistributedSampler(range(30), num_replicas=1, rank=0, seed=0))
    b = list(DistributedSampler(range(30), num_replicas=1, rank=0, seed=1))
    assert sorted(a) == sorted(b) == list(range(30)) and a != b


def test_padding_repeats_the_order_when_the_dataset_is_smaller_than_the_world():
    parts = shares(2, 5, shuffle=False)
    assert parts == [[0], [1], [0], [1], [0]]
    assert len(DistributedSampler(range(2), num_replicas=5, rank=0)) == 1


def test_sizes_and_attributes():
    s = DistributedSampler(range(10), num_replicas=3, rank=1, drop_last=True)
    assert (len(s), s.num_samples, s.total_size, s.epoch) == (3, 3, 9, 0)
    s = DistributedSampler(range(10), num_replicas=3, rank=1)
    assert (len(s), s.total_size) == (4, 12)
    assert list(DistributedSampler([], num_replicas=2, rank=0)) == []


def test_with_a_data_loader():
    sampler = DistributedSampler(range(10), num_replicas=2, rank=1, shuffle=False)
    loader = DataLoader(range(10), batch_size=2, sampler=sampler)
    assert [b.tolist() for b in loader] == [[1, 3], [5, 7], [9]]
    assert len(loader) == 3


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"num_replicas": 2, "rank": 2},
            ValueError,
            r"Invalid rank 2, rank should be in the interval \[0, 1\]",
        ),
        ({"num_replicas": 2, "rank": -1}, ValueError, "Invalid rank -1"),
        ({"num_replicas": 0, "rank": 0}, ValueError, "num_replicas must be positive"),
        ({"num_replicas": 2.0, "rank": 0}, TypeError, "num_replicas must be an int"),
        ({"num_replicas": 2, "rank": 0, "seed": "x"}, TypeError, "seed must be an int"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        DistributedSampler(range(4), **kwargs)


def test_defaults_come_from_npgrad_distributed():
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        DistributedSampler(range(4))
    dist.init_process_group("fake", world_size=3, rank=2)
    try:
        s = DistributedSampler(range(10))
        assert (s.num_replicas, s.rank, len(s)) == (3, 2, 4)
        assert DistributedSampler(range(10), rank=0).rank == 0
    finally:
        dist.destroy_process_group()


@pytest.mark.torch
@pytest.mark.parametrize("drop_last", [False, True])
def test_same_indices_as_torch_without_shuffling(drop_last):
    torch_data = pytest.importorskip("torch.utils.data")
    for n in [1, 2, 5, 7, 10, 16, 23]:
        for world in range(1, 6):
            for rank in range(world):
                ours = DistributedSampler(range(n), world, rank, shuffle=False, drop_last=drop_last)
                theirs = torch_data.DistributedSampler(
                    range(n), world, rank, shuffle=False, drop_last=drop_last
                )
                assert list(ours) == list(theirs), (n, world, rank)
                assert len(ours) == len(theirs)
                shuffled = DistributedSampler(range(n), world, rank, drop_last=drop_last)
                assert (len(shuffled), shuffled.total_size) == (len(theirs), theirs.total_size)
