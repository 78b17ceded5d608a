"""Run under `mpiexec -n N`: every collective of npgrad.distributed against values each rank can
compute by itself. Any failed check raises, which aborts the whole job (non-zero exit)."""

from __future__ import annotations

import numpy as np

import npgrad
import npgrad.distributed as dist
from npgrad.data import DistributedSampler
from npgrad.distributed import ReduceOp

dist.init_process_group(timeout=60)
rank, world = dist.get_rank(), dist.get_world_size()
ranks = np.arange(world)


def value(r: int, dtype: str = "float64") -> np.ndarray:
    """What rank r contributes."""
    return (np.arange(6).reshape(2, 3) * (r + 1) - r).astype(dtype)


def check(got: np.ndarray, want: np.ndarray, what: str) -> None:
    if got.dtype != want.dtype or not np.array_equal(got, want):
        raise AssertionError(f"rank {rank}: {what}: got {got!r}, want {want!r}")


everyone = np.stack([value(r) for r in ranks])
for op, want in [
    (ReduceOp.SUM, everyone.sum(0)),
    (ReduceOp.PRODUCT, everyone.prod(0)),
    (ReduceOp.MAX, everyone.max(0)),
    (ReduceOp.MIN, everyone.min(0)),
    (ReduceOp.AVG, everyone.sum(0) / world),
]:
    for dtype in ("float32", "float64", "int32", "int64"):
        if op is ReduceOp.AVG and dtype.startswith("int"):
            continue
        x = npgrad.tensor(value(rank, dtype))
        array = x.numpy()
        dist.all_reduce(x, op=op)
        check(x.numpy(), want.astype(dtype), f"all_reduce {op.name} {dtype}")
        assert x.numpy() is array, "all_reduce must work in place"

flags = npgrad.tensor([rank == 0, True, False])
dist.all_reduce(flags, op=ReduceOp.SUM)
check(flags.numpy(), np.array([True, True, False]), "all_reduce on bool")
bits = npgrad.tensor([1 << rank, 7])
dist.all_reduce(bits, op=ReduceOp.BOR)
check(bits.numpy(), np.array([(1 << world) - 1, 7]), "all_reduce BOR")

view = npgrad.tensor(value(rank)).t()  # not contiguous
dist.all_reduce(view)
check(view.numpy(), everyone.sum(0).T, "all_reduce of a transposed view")

work = dist.all_reduce(npgrad.tensor(value(rank)), async_op=True)
assert work is not None and work.wait()

for src in ranks:
    x = npgrad.tensor(value(rank))
    dist.broadcast(x, src=int(src))
    check(x.numpy(), value(int(src)), f"broadcast from {src}")

out = [npgrad.zeros(2, 3, dtype=npgrad.float64) for _ in ranks]
dist.all_gather(out, npgrad.tensor(value(rank)))
check(np.stack([t.numpy() for t in out]), everyone, "all_gather")

stacked = npgrad.zeros(world, 2, 3, dtype=npgrad.float64)
dist.all_gather_into_tensor(stacked, npgrad.tensor(value(rank)))
check(stacked.numpy(), everyone, "all_gather_into_tensor")

# reduce_scatter: rank r sends value(r) * (block index + 1) as block b
blocks = [npgrad.tensor(value(rank) * (b + 1)) for b in ranks]
mine = npgrad.zeros(2, 3, dtype=npgrad.float64)
dist.reduce_scatter(mine, blocks)
check(mine.numpy(), everyone.sum(0) * (rank + 1), "reduce_scatter")
dist.reduce_scatter_tensor(mine, npgrad.tensor(np.concatenate([b.numpy() for b in blocks])))
check(mine.numpy(), everyone.sum(0) * (rank + 1), "reduce_scatter_tensor")

gathered: list[object] = [None] * world
dist.all_gather_object(gathered, {"rank": rank, "name": "r" * (rank + 1)})
assert gathered == [{"rank": r, "name": "r" * (r + 1)} for r in ranks], gathered
config = [{"lr": 0.5}, "from rank 0"] if rank == 0 else [None, None]
dist.broadcast_object_list(config, src=0)
assert config == [{"lr": 0.5}, "from rank 0"], config

# DistributedSampler with the world taken from npgrad.distributed
sampler = DistributedSampler(range(23), seed=5)
sampler.set_epoch(2)
shares: list[object] = [None] * world
dist.all_gather_object(shares, list(sampler))
union = [i for share in shares for i in share]  # type: ignore[attr-defined]
assert sorted(set(union)) == list(range(23)), shares
assert len(union) == world * len(sampler) and len(union) - 23 < world, shares

dist.barrier()
print(f"rank {rank} of {world}: collectives ok", flush=True)
dist.destroy_process_group()
