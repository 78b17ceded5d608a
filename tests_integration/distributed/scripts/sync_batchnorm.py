"""Run under `mpiexec -n N`: SyncBatchNorm on N ranks equals one BatchNorm on the whole batch.

Every rank builds the same data (one seeded generator) and takes its own slice of each batch;
the slices may differ in size, and one may be empty. Each scenario checks, against a
BatchNorm of the same state run in this process on the whole batch: this rank's output and
input gradient (its slice of the reference's), the weight and bias gradients (this rank's share;
their sum over the ranks is the reference's), the running statistics (and that they are
bit-for-bit equal on every rank), second-order gradients, and DistributedDataParallel training
of a converted model. Any failed check raises, which aborts the whole job (non-zero exit).
"""

from __future__ import annotations

import numpy as np

import npgrad
import npgrad.distributed as dist
from npgrad import nn, optim
from npgrad.nn.modules.sync_batchnorm import SyncBatchNorm
from npgrad.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group(timeout=120)
rank, world = dist.get_rank(), dist.get_world_size()
C = 3
TOL = {np.float64: (1e-10, 1e-12), np.float32: (2e-4, 2e-5)}


def tensor(a: np.ndarray, requires_grad: bool = False) -> npgrad.Tensor:
    return npgrad.tensor(np.ascontiguousarray(a), requires_grad=requires_grad)


def close(actual: object, expected: object, dtype: type, what: str) -> None:
    rtol, atol = TOL[dtype]
    a = actual.numpy() if isinstance(actual, npgrad.Tensor) else np.asarray(actual)
    e = expected.numpy() if isinstance(expected, npgrad.Tensor) else np.asarray(expected)
    if a.shape != e.shape:
        raise AssertionError(f"rank {rank}: {what}: shape {a.shape} != {e.shape}")
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=f"rank {rank}: {what}")


def summed(t: npgrad.Tensor) -> np.ndarray:
    """Every rank's ``t`` added up."""
    total = t.detach().clone()
    dist.all_reduce(total)
    return total.numpy()


def same_everywhere(arrays: dict[str, np.ndarray], what: str) -> None:
    everyone: list[object] = [None] * world
    dist.all_gather_object(everyone, arrays)
    for other, theirs in enumerate(everyone):
        for key, value in arrays.items():
            if not np.array_equal(value, theirs[key]):  # type: ignore[index]
                raise AssertionError(f"{what}: {key} differs between rank {rank} and {other}")


def initialised(module: nn.Module, dtype: type) -> nn.Module:
    rng = np.random.default_rng(7)
    with npgrad.no_grad():
        for p in module.parameters():
            p.copy_(tensor(rng.uniform(0.5, 1.5, p.shape).astype(dtype)))
    return module


def equivalence(name: str, sizes: list[int], dtype: type, momentum: float | None = 0.1) -> None:
    rng = np.random.default_rng(2024)
    starts = np.cumsum([0, *sizes])
    lo, hi = starts[rank], starts[rank + 1]
    ours = initialised(SyncBatchNorm(C, momentum=momentum, dtype=dtype), dtype)
    ref = initialised(nn.BatchNorm2d(C, momentum=momentum, dtype=dtype), dtype)
    for step in range(3):
        training = step < 2
        ours.train(training)
        ref.train(training)
        full = (rng.standard_normal((int(starts[-1]), C, 4, 5)) * 2 + 3).astype(dtype)
        grad = rng.standard_normal(full.shape).astype(dtype)
        x, x_full = tensor(full[lo:hi], True), tensor(full, True)
        for m in (ours, ref):
            m.zero_grad()
        y, y_full = ours(x), ref(x_full)
        y.backward(tensor(grad[lo:hi]))
        y_full.backward(tensor(grad))
        close(y, y_full.detach()[lo:hi], dtype, f"{name} step {step}: output")
        close(x.grad, x_full.grad[lo:hi], dtype, f"{name} step {step}: input gradient")
        for p in ("weight", "bias"):
            # this rank's share; all ranks' together make the whole batch's gradient
            close(summed(getattr(ours, p).grad), getattr(ref, p).grad, dtype, f"{name}: {p}")
        for key, value in ref.state_dict().items():
            close(ours.state_dict()[key], value, dtype, f"{name} step {step}: {key}")
    same_everywhere({k: v.numpy() for k, v in ours.state_dict().items()}, name)
    print(f"rank {rank} of {world}: {name} ok", flush=True)


def second_order(name: str) -> None:
    """Gradients of a gradient (create_graph=True) through the synchronised statistics."""
    dtype = np.float64
    rng = np.random.default_rng(99)
    sizes = [2 + r for r in range(world)]
    starts = np.cumsum([0, *sizes])
    lo, hi = starts[rank], starts[rank + 1]
    full = rng.standard_normal((int(starts[-1]), C, 3))
    g, h = rng.standard_normal(full.shape), rng.standard_normal(full.shape)
    ours = initialised(SyncBatchNorm(C, dtype=dtype), dtype)
    ref = initialised(nn.BatchNorm1d(C, dtype=dtype), dtype)
    results = []
    for m, a, b in ((ours, lo, hi), (ref, 0, len(full))):
        x = tensor(full[a:b], True)
        y = m(x)
        (gx,) = npgrad.autograd.grad((y * tensor(g[a:b])).sum(), x, create_graph=True)
        (gx * tensor(h[a:b]) + gx.square()).sum().backward()
        results.append((gx, x.grad, m.weight.grad))
    (gx, xgrad, wgrad), (gx_ref, xgrad_ref, wgrad_ref) = results
    close(gx, gx_ref.detach()[lo:hi], dtype, f"{name}: gradient")
    close(xgrad, xgrad_ref[lo:hi], dtype, f"{name}: second-order input gradient")
    close(summed(wgrad), wgrad_ref, dtype, f"{name}: second-order weight gradient")
    print(f"rank {rank} of {world}: {name} ok", flush=True)


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        npgrad.manual_seed(5)
        self.conv = nn.Conv2d(1, C, 3)
        self.bn = nn.BatchNorm2d(C)
        self.head = nn.Linear(C * 4 * 4, 4)
        self.double()

    def forward(self, x: npgrad.Tensor) -> npgrad.Tensor:
        return self.head(self.bn(self.conv(x)).relu().flatten(1))


def ddp_training(name: str, steps: int = 3, per_rank: int = 3) -> None:
    """A converted model under DDP trains as one process on the concatenated batches (the
    gradient of the mean loss: equal shards, DDP's average of the ranks' mean losses)."""
    rng = np.random.default_rng(11)
    xs = rng.standard_normal((steps, world * per_rank, 1, 6, 6))
    ys = rng.integers(0, 4, (steps, world * per_rank))
    loss_fn = nn.CrossEntropyLoss()
    model = SyncBatchNorm.convert_sync_batchnorm(Net())
    assert isinstance(model.bn, SyncBatchNorm)
    ddp = DDP(model)
    reference = Net()
    opts = [optim.SGD(m.parameters(), lr=0.1, momentum=0.9) for m in (ddp, reference)]
    lo, hi = rank * per_rank, (rank + 1) * per_rank
    for step in range(steps):
        for opt in opts:
            opt.zero_grad()
        loss_fn(ddp(tensor(xs[step, lo:hi])), tensor(ys[step, lo:hi])).backward()
        loss_fn(reference(tensor(xs[step])), tensor(ys[step])).backward()
        for opt in opts:
            opt.step()
    mine = {k: v.numpy() for k, v in model.state_dict().items()}
    for key, value in reference.state_dict().items():
        close(mine[key], value, np.float64, f"{name}: {key}")
    same_everywhere(mine, name)
    print(f"rank {rank} of {world}: {name} ok", flush=True)


equivalence("equal batches", [2] * world, np.float64)
equivalence("different batch sizes", [r + 1 for r in range(world)], np.float64, momentum=None)
equivalence("an empty rank", [3 if r != 1 else 0 for r in range(world)], np.float64)
equivalence("float32", [4 - r for r in range(world)], np.float32)
second_order("second order")
ddp_training("ddp training")
dist.destroy_process_group()
