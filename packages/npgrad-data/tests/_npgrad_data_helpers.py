"""Datasets and callables for the DataLoader worker tests.

They live in an importable module (tests put this directory on ``sys.path``) because a worker
started with ``spawn`` unpickles them by module name, and pytest's importlib mode gives test
modules names a fresh interpreter can't import.
"""

from __future__ import annotations

import os
import random
import threading

import numpy as np

import npgrad
from npgrad.data import Dataset, IterableDataset, get_worker_info


class Squares(Dataset):
    """Sample ``i`` is ``(i, i * i)``."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> tuple[int, int]:
        return i, i * i


class WhoAmI(Dataset):
    """Sample ``i`` says which process and worker made it and draws from every global RNG."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> dict[str, object]:
        info = get_worker_info()
        return {
            "index": i,
            "pid": os.getpid(),
            "worker": -1 if info is None else info.id,
            "seed": -1 if info is None else info.seed,
            "py": random.random(),
            "np": float(np.random.random()),  # noqa: NPY002 - the global generator is the point
            "npgrad": float(npgrad.random.rand(1, dtype=npgrad.float64).item()),
        }


class FailsAt(Dataset):
    """Raises ``exc_type`` at sample ``bad``."""

    def __init__(self, n: int, bad: int, exc_type: type[Exception] = ValueError) -> None:
        self.n, self.bad, self.exc_type = n, bad, exc_type

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        if i == self.bad:
            raise self.exc_type(f"sample {i} is broken")
        return i


class DiesAt(Dataset):
    """The worker process ends abruptly at sample ``bad``: ``os._exit`` or a signal."""

    def __init__(self, n: int, bad: int, how: str) -> None:
        self.n, self.bad, self.how = n, bad, how

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        if i == self.bad and get_worker_info() is not None:
            if self.how == "exit":
                os._exit(3)
            import signal

            os.kill(os.getpid(), signal.SIGKILL)
        return i


class Hangs(Dataset):
    """Sample ``bad`` takes far longer than any test waits (the loader's timeout ends it)."""

    def __init__(self, n: int, bad: int) -> None:
        self.n, self.bad = n, bad

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        if i == self.bad:
            threading.Event().wait(60)
        return i


class Unpicklable(Dataset):
    """Samples hold a lambda, which can't be pickled back to the parent."""

    def __len__(self) -> int:
        return 2

    def __getitem__(self, i: int) -> object:
        return lambda: i


class ShardedRange(IterableDataset):
    """``range(n)``, split between workers by ``id::num_workers`` when ``shard``."""

    def __init__(self, n: int, shard: bool = True) -> None:
        self.n, self.shard = n, shard

    def __iter__(self):
        info = get_worker_info()
        if info is None or not self.shard:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self) -> int:
        return self.n


def record_worker_id(worker_id: int) -> None:
    """A worker_init_fn that leaves a trace visible to the dataset."""
    os.environ["NPGRAD_TEST_INIT"] = f"init-{worker_id}"


class InitTrace(Dataset):
    def __len__(self) -> int:
        return 4

    def __getitem__(self, i: int) -> str:
        return os.environ.get("NPGRAD_TEST_INIT", "none")


def failing_init(worker_id: int) -> None:
    raise RuntimeError(f"init of worker {worker_id} failed")


def plus_one(batch: list[int]) -> list[int]:
    """A collate_fn that pickles under spawn."""
    return [b + 1 for b in batch]
