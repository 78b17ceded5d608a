"""Run under `mpiexec -n N`: DistributedDataParallel training equals single-process training.

Each scenario builds the model with a different seed on every rank (DDP must make them all
rank 0's), trains a few SGD steps with each rank on its own shard of every batch, and checks
that every rank's parameters are bit-for-bit identical and equal (float64, tight tolerance) to a
single process training rank 0's initial model on the concatenated batches. Any failed check
raises, which aborts the whole job (non-zero exit).
"""

from __future__ import annotations

import contextlib

import numpy as np

import npgrad
import npgrad.distributed as dist
from npgrad import nn, optim
from npgrad.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group(timeout=120)
rank, world = dist.get_rank(), dist.get_world_size()
PER_RANK, STEPS = 3, 3
RTOL, ATOL = 1e-10, 1e-12


class Net(nn.Module):
    """A convolution, a hidden layer and two classification heads (plus one never used)."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        npgrad.manual_seed(seed)
        self.conv = nn.Conv2d(1, 3, 3)
        self.hidden = nn.Linear(3 * 4 * 4, 16)
        self.heads = nn.ModuleList([nn.Linear(16, 5), nn.Linear(16, 5)])
        self.spare = nn.Linear(16, 5)
        self.double()

    def forward(self, x: npgrad.Tensor, head: int = 0) -> npgrad.Tensor:
        h = self.hidden(self.conv(x).tanh().flatten(1)).tanh()
        return self.heads[head](h)


rng = np.random.default_rng(1234)
ACCUMULATE_MAX = 2
X = rng.standard_normal((STEPS, ACCUMULATE_MAX, world, PER_RANK, 1, 6, 6))
Y = rng.integers(0, 5, (STEPS, ACCUMULATE_MAX, world, PER_RANK))
loss_fn = nn.CrossEntropyLoss()


def tensor(a: np.ndarray) -> npgrad.Tensor:
    return npgrad.tensor(np.ascontiguousarray(a))


def head_of(r: int, split_heads: bool) -> int:
    return r % 2 if split_heads else 0


def train_ddp(accumulate: int, split_heads: bool, **ddp_kwargs: object) -> Net:
    model = Net(seed=100 + rank)  # different on every rank before DDP
    ddp = DDP(model, **ddp_kwargs)
    opt = optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    for step in range(STEPS):
        opt.zero_grad()
        for micro in range(accumulate):
            sync = micro == accumulate - 1
            with contextlib.nullcontext() if sync else ddp.no_sync():
                out = ddp(tensor(X[step, micro, rank]), head=head_of(rank, split_heads))
                (loss_fn(out, tensor(Y[step, micro, rank])) / accumulate).backward()
        opt.step()
    return model


def train_reference(accumulate: int, split_heads: bool) -> Net:
    """One process, rank 0's initial model, the mean loss over every rank's samples."""
    model = Net(seed=100)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for step in range(STEPS):
        opt.zero_grad()
        total = None
        for micro in range(accumulate):
            for r in range(world):
                out = model(tensor(X[step, micro, r]), head=head_of(r, split_heads))
                loss = loss_fn(out, tensor(Y[step, micro, r])) / (world * accumulate)
                total = loss if total is None else total + loss
        assert total is not None
        total.backward()
        opt.step()
    return model


def check(name: str, accumulate: int = 1, split_heads: bool = False, **kwargs: object) -> None:
    model = train_ddp(accumulate, split_heads, **kwargs)
    reference = train_reference(accumulate, split_heads)
    mine = {k: v.numpy() for k, v in model.state_dict().items()}
    everyone: list[object] = [None] * world
    dist.all_gather_object(everyone, mine)
    for other, theirs in enumerate(everyone):
        for key, value in mine.items():
            if not np.array_equal(value, theirs[key]):  # type: ignore[index]
                raise AssertionError(f"{name}: {key} differs between rank {rank} and {other}")
    for key, value in reference.state_dict().items():
        np.testing.assert_allclose(
            mine[key], value.numpy(), rtol=RTOL, atol=ATOL, err_msg=f"{name}: {key}"
        )
    assert model.spare.weight.grad is None, f"{name}: a parameter no rank used got a gradient"
    if world > 1 and not split_heads:
        # a different seed on every rank: the parameters really were made rank 0's
        assert not np.array_equal(mine["conv.weight"], Net(seed=101).conv.weight.numpy())
    print(f"rank {rank} of {world}: {name} ok", flush=True)


check("default buckets", find_unused_parameters=True)
check("one bucket per parameter", bucket_cap_mb=1e-6, find_unused_parameters=True)
check("gradient as bucket view", gradient_as_bucket_view=True, find_unused_parameters=True)
check("no_sync accumulation", accumulate=2, find_unused_parameters=True)
check("heads used on some ranks only", split_heads=True, find_unused_parameters=True)
check(
    "heads split, small buckets, views",
    split_heads=True,
    find_unused_parameters=True,
    bucket_cap_mb=1e-4,
    gradient_as_bucket_view=True,
)

# buffers: rank 0's at construction and again at every forward
norm = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)).double()
norm[1].running_mean.fill_(float(rank))
ddp = DDP(norm)
assert norm[1].running_mean.tolist() == [0.0, 0.0, 0.0], norm[1].running_mean
norm[1].running_var.fill_(float(rank + 1))
ddp.eval()(npgrad.ones(2, 2, dtype=npgrad.float64))
assert norm[1].running_var.tolist() == [1.0, 1.0, 1.0], norm[1].running_var
print(f"rank {rank} of {world}: buffers ok", flush=True)
dist.destroy_process_group()
