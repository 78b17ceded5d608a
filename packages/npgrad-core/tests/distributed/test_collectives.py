"""npgrad.distributed's collectives in a simulated world (FakeBackend): what they compute, that
they work in place, and how they fail. The same code under mpiexec is tested by
tests_integration/distributed."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
import npgrad.distributed as dist
from npgrad.distributed import ReduceOp


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
@pytest.mark.parametrize(
    ("op", "reference"),
    [
        (ReduceOp.SUM, lambda parts: sum(parts)),
        (ReduceOp.PRODUCT, lambda parts: np.prod(parts, axis=0)),
        (ReduceOp.MAX, lambda parts: np.max(parts, axis=0)),
        (ReduceOp.MIN, lambda parts: np.min(parts, axis=0)),
    ],
)
def test_all_reduce_combines_every_rank_in_place(world, dtype, op, reference):
    world(rank=0, size=3, peer=lambda r, a: a * (r + 1) - r)
    base = np.array([[1, -2, 3], [4, 0, -1]], dtype=dtype)
    x = npgrad.tensor(base.copy())
    array = x._data
    version = x._version
    assert dist.all_reduce(x, op=op) is None
    expected = reference([base * (r + 1) - r for r in range(3)]).astype(dtype)
    np.testing.assert_array_equal(x.numpy(), expected)
    assert x._data is array and x.dtype == np.dtype(dtype)
    assert x._version == version + 1


def test_all_reduce_avg_divides_the_sum_by_the_world_size(world):
    world(rank=1, size=4, peer=lambda r, a: a + r)
    x = npgrad.tensor([1.0, 2.0], dtype=npgrad.float32)
    dist.all_reduce(x, op=ReduceOp.AVG)
    # ranks hold x + r for r != 1 and x itself on rank 1: sum = 4x + 0 + 2 + 3
    np.testing.assert_allclose(x.numpy(), [(4 * 1 + 5) / 4, (4 * 2 + 5) / 4])
    assert x.dtype == npgrad.float32


def test_all_reduce_on_bool_is_logical_as_in_torch(world):
    world(rank=0, size=2, peer=lambda r, a: np.array([True, False, False]))
    for op, expected in [
        (ReduceOp.SUM, [True, True, False]),
        (ReduceOp.MAX, [True, True, False]),
        (ReduceOp.PRODUCT, [True, False, False]),
        (ReduceOp.MIN, [True, False, False]),
        (ReduceOp.BXOR, [False, True, False]),
    ]:
        x = npgrad.tensor([True, True, False])
        dist.all_reduce(x, op=op)
        assert x.tolist() == expected, op


def test_bitwise_reductions_on_integers(world):
    world(rank=0, size=2, peer=lambda r, a: np.array([0b0110, 0b0011]))
    for op, expected in [
        (ReduceOp.BAND, [0b0100, 0b0001]),
        (ReduceOp.BOR, [0b1110, 0b0111]),
        (ReduceOp.BXOR, [0b1010, 0b0110]),
    ]:
        x = npgrad.tensor([0b1100, 0b0101])
        dist.all_reduce(x, op=op)
        assert x.tolist() == expected, op


@pytest.mark.parametrize(
    ("values", "op"),
    [
        ([1, 2], ReduceOp.AVG),
        ([1.0, 2.0], ReduceOp.BAND),
        ([True, False], ReduceOp.AVG),
    ],
)
def test_all_reduce_refuses_ops_the_dtype_does_not_have(world, values, op):
    world(rank=0, size=2)
    x = npgrad.tensor(values)
    before = x.numpy().copy()
    with pytest.raises(
        TypeError, match=f"ReduceOp.{op.name} is not supported for tensors of dtype"
    ):
        dist.all_reduce(x, op=op)
    np.testing.assert_array_equal(x.numpy(), before)


def test_all_reduce_checks_its_arguments(world):
    backend = world(rank=0, size=2)
    with pytest.raises(TypeError, match="op must be a npgrad.distributed.ReduceOp"):
        dist.all_reduce(npgrad.ones(2), op="sum")
    with pytest.raises(TypeError, match="must be an npgrad Tensor, got ndarray"):
        dist.all_reduce(np.ones(2))
    read_only = npgrad.from_numpy(np.broadcast_to(np.ones(1), (3,)))
    with pytest.raises(ValueError, match="read-only"):
        dist.all_reduce(read_only)
    with pytest.raises(ValueError, match="one process group"):
        dist.all_reduce(npgrad.ones(2), group="workers")
    assert backend.calls == []  # nothing was sent


def test_all_reduce_of_a_non_contiguous_view_writes_back_into_it(world):
    world(rank=0, size=2, peer=lambda r, a: a * 10)
    base = npgrad.arange(6.0).reshape(2, 3)
    view = base.t()
    assert not view.is_contiguous()
    dist.all_reduce(view)
    np.testing.assert_array_equal(base.numpy(), np.arange(6.0).reshape(2, 3) * 11)


def test_all_reduce_hands_the_tensor_s_own_array_to_the_backend(world):
    backend = world(rank=0, size=2)
    seen = []
    original = backend.allreduce

    def spy(buf, op):
        seen.append(buf)
        return original(buf, op)

    backend.allreduce = spy
    x = npgrad.ones(1000)
    dist.all_reduce(x)
    assert seen[0] is x._data  # in place, no copy on npgrad's side


def test_async_op_returns_work_that_completes(world):
    world(rank=0, size=2, peer=lambda r, a: a * 3)
    x = npgrad.tensor([1.0, 3.0])
    work = dist.all_reduce(x, op=ReduceOp.AVG, async_op=True)
    assert isinstance(work, dist.Work)
    assert work.wait() is True
    assert x.tolist() == [2.0, 6.0]
    assert work.is_completed() and work.wait()
    assert x.tolist() == [2.0, 6.0]  # finishing twice does not divide twice


def test_a_collective_that_never_completes_times_out(world):
    world(rank=1, size=2, hang=True, timeout=0.05)
    with pytest.raises(RuntimeError, match=r"all_reduce: timed out after 0.05 s .*rank 1 of 2"):
        dist.all_reduce(npgrad.ones(2))
    work = dist.broadcast(npgrad.ones(2), src=0, async_op=True)
    assert not work.is_completed()
    with pytest.raises(RuntimeError, match="broadcast: timed out after 0.01 s"):
        work.wait(timeout=0.01)
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        work.wait(timeout=0)


def test_broadcast_copies_the_source_rank_s_tensor(world):
    world(rank=2, size=3, peer=lambda r, a: np.full_like(a, r))
    x = npgrad.zeros(2, 2)
    dist.broadcast(x, src=1)
    assert x.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    version = x._version
    dist.broadcast(x, src=2)  # this rank is the source: unchanged
    assert x.tolist() == [[1.0, 1.0], [1.0, 1.0]] and x._version == version
    with pytest.raises(ValueError, match=r"src must be a rank in \[0, 2\], got 3"):
        dist.broadcast(x, src=3)


def test_all_gather_fills_the_list_in_rank_order(world):
    world(rank=1, size=3, peer=lambda r, a: a + 10 * r)
    out = [npgrad.zeros(2, dtype=npgrad.int64) for _ in range(3)]
    dist.all_gather(out, npgrad.tensor([1, 2]))
    assert [t.tolist() for t in out] == [[1, 2], [1, 2], [21, 22]]
    with pytest.raises(ValueError, match="list of world_size=3 tensors, got 2"):
        dist.all_gather(out[:2], npgrad.tensor([1, 2]))
    with pytest.raises(ValueError, match=r"tensor_list\[0\] has shape \(2,\)"):
        dist.all_gather(out, npgrad.tensor([1, 2, 3]))


@pytest.mark.parametrize("shape", [(6,), (3, 2)])
def test_all_gather_into_tensor_concatenates_or_stacks(world, shape):
    world(rank=0, size=3, peer=lambda r, a: a * (r + 1))
    out = npgrad.zeros(*shape)
    dist.all_gather_into_tensor(out, npgrad.tensor([1.0, 2.0]))
    assert out.reshape(-1).tolist() == [1.0, 2.0, 2.0, 4.0, 3.0, 6.0]
    with pytest.raises(ValueError, match="world_size=3 times the elements"):
        dist.all_gather_into_tensor(npgrad.zeros(5), npgrad.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="dtype"):
        dist.all_gather_into_tensor(npgrad.zeros(6), npgrad.tensor([1, 2]))


def test_reduce_scatter_gives_each_rank_its_reduced_block(world):
    world(rank=1, size=2, peer=lambda r, a: a * 100)
    out = npgrad.zeros(2)
    dist.reduce_scatter(out, [npgrad.tensor([1.0, 2.0]), npgrad.tensor([3.0, 4.0])])
    assert out.tolist() == [303.0, 404.0]
    dist.reduce_scatter(out, [npgrad.tensor([1.0, 2.0]), npgrad.tensor([3.0, 4.0])], ReduceOp.MAX)
    assert out.tolist() == [300.0, 400.0]


def test_reduce_scatter_tensor_with_avg(world):
    world(rank=2, size=3, peer=lambda r, a: a * (r + 1))
    out = npgrad.zeros(2)
    # this rank (2) contributes 1x, rank 0 1x, rank 1 2x: AVG = 4/3 of block 2
    dist.reduce_scatter_tensor(out, npgrad.arange(6.0), op=ReduceOp.AVG)
    np.testing.assert_allclose(out.numpy(), np.array([4.0, 5.0]) * 4 / 3)
    with pytest.raises(ValueError, match="world_size=3 times"):
        dist.reduce_scatter_tensor(out, npgrad.arange(5.0))


def test_barrier_issues_a_barrier(world):
    backend = world(rank=0, size=2)
    assert dist.barrier() is None
    assert dist.barrier(async_op=True).wait()
    assert [c[0] for c in backend.calls] == ["barrier", "barrier"]


def test_object_collectives_round_trip(world):
    world(rank=0, size=3)
    gathered = [None] * 3
    dist.all_gather_object(gathered, {"rank": 0, "loss": [0.5]})
    assert gathered == [{"rank": 0, "loss": [0.5]}] * 3
    objects = ["a", {"b": (1, 2)}]
    dist.broadcast_object_list(objects, src=0)
    assert objects == ["a", {"b": (1, 2)}]
    with pytest.raises(ValueError, match="world_size=3 entries"):
        dist.all_gather_object([None], 1)


def sender(objects):
    """A peer function for which rank 0 broadcasts the pickle of ``objects``."""
    import pickle

    payload = np.frombuffer(pickle.dumps(objects), dtype=np.uint8)
    return lambda r, a: np.array([payload.size]) if a.dtype == np.int64 else payload


def test_broadcast_object_list_replaces_the_entries_on_other_ranks(world):
    world(rank=1, size=2, peer=sender([{"lr": 0.1}, "sgd"]))
    objects = [None, None]
    dist.broadcast_object_list(objects, src=0)
    assert objects == [{"lr": 0.1}, "sgd"]


def test_object_lists_of_another_length_are_refused(world):
    world(rank=1, size=2, peer=sender([1, 2, 3]))
    objects = [None, None]
    with pytest.raises(ValueError, match="rank 0 sent 3 objects but this rank's object_list has 2"):
        dist.broadcast_object_list(objects, src=0)
    assert objects == [None, None]
