"""DataLoader worker processes: order, seeding, errors, dead workers, timeouts, shutdown.

Every loader here has a ``timeout`` so that a bug fails the test instead of hanging CI.
Worker datasets live in _npgrad_data_helpers (importable by a ``spawn``-ed worker).
"""

from __future__ import annotations

import gc
import importlib
import multiprocessing
import os
import pickle
import sys
import threading
from pathlib import Path

import pytest

import npgrad
from npgrad.data import DataLoader, StackDataset, TensorDataset, WorkerInfo, get_worker_info
from npgrad.data._worker import ExceptionWrapper

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="checks processes through /proc"
)

SAFETY = 30  # seconds: only reached if the loader is broken


@pytest.fixture
def h(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    return importlib.import_module("_npgrad_data_helpers")


def _gen(seed: int) -> npgrad.random.Generator:
    return npgrad.random.Generator().manual_seed(seed)


def _gone(pid: int) -> bool:
    """True when the process has exited and been reaped (no zombie left behind)."""
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return True
    return stat.read_text().rsplit(")", 1)[1].split()[0] not in "RSDZT"  # pragma: no cover


def _flat(loader):
    return [tuple(x.tolist()) for a, b in loader for x in (a, b)]


def test_workers_give_the_same_batches_in_the_same_order_as_the_main_process(h):
    def run(workers):
        loader = DataLoader(
            h.Squares(23),
            batch_size=3,
            shuffle=True,
            num_workers=workers,
            generator=_gen(7),
            timeout=SAFETY,
        )
        return [(a.tolist(), b.tolist()) for a, b in loader]

    expected = run(0)
    assert run(2) == expected
    assert run(1) == expected
    assert sorted(i for a, _ in expected for i in a) == list(range(23))


def test_each_worker_is_seeded_from_the_loader_generator(h):
    def run():
        loader = DataLoader(
            h.WhoAmI(8), batch_size=2, num_workers=2, generator=_gen(1), timeout=SAFETY
        )
        return [s for batch in loader for s in _unbatch(batch)]

    first, second = run(), run()
    assert [s["index"] for s in first] == list(range(8))
    assert [s["worker"] for s in first] == [0, 0, 1, 1, 0, 0, 1, 1]  # batches go round-robin
    for key in ("py", "np", "npgrad", "seed"):
        assert [s[key] for s in first] == [s[key] for s in second], key
    seeds = {s["worker"]: s["seed"] for s in first}
    assert seeds[1] == seeds[0] + 1  # base_seed + worker_id
    w0 = [s for s in first if s["worker"] == 0]
    w1 = [s for s in first if s["worker"] == 1]
    for key in ("py", "np", "npgrad"):  # the workers' streams differ
        assert w0[0][key] != w1[0][key], key
    assert {s["pid"] for s in first}.isdisjoint({os.getpid()})


def _unbatch(batch):
    n = len(batch["index"])
    return [
        {k: (v[i].item() if hasattr(v, "numpy") else v[i]) for k, v in batch.items()}
        for i in range(n)
    ]


def test_a_worker_exception_reraises_with_worker_sample_index_and_traceback(h):
    loader = DataLoader(h.FailsAt(8, bad=5), batch_size=2, num_workers=2, timeout=SAFETY)
    it = iter(loader)
    assert next(it).tolist() == [0, 1]
    assert next(it).tolist() == [2, 3]
    with pytest.raises(ValueError, match="sample 5 is broken") as info:
        next(it)
    message = str(info.value)
    assert (
        "Caught ValueError in DataLoader worker process 0 while fetching sample index 5" in message
    )
    assert "Traceback (most recent call last)" in message
    assert "_npgrad_data_helpers.py" in message and "raise self.exc_type" in message
    assert next(it).tolist() == [6, 7]  # the loader goes on, as PyTorch's does
    del it
    gc.collect()


def test_a_worker_key_error_keeps_a_readable_message(h):
    loader = DataLoader(h.FailsAt(2, bad=0, exc_type=KeyError), num_workers=1, timeout=SAFETY)
    with pytest.raises(KeyError) as info:
        next(iter(loader))
    assert "\nOriginal Traceback" in str(info.value)


def test_an_exception_whose_constructor_rejects_a_message_becomes_runtime_error():
    class Picky(Exception):
        def __init__(self, a, b):
            super().__init__(a, b)

    try:
        raise Picky(1, 2)
    except Picky:
        wrapper = ExceptionWrapper("in a test")
    with pytest.raises(RuntimeError, match="Caught Picky in a test"):
        wrapper.reraise()


@pytest.mark.parametrize(("how", "code"), [("exit", "3"), ("kill", "-9")])
def test_a_worker_that_dies_raises_instead_of_hanging(h, how, code):
    loader = DataLoader(h.DiesAt(6, bad=2, how=how), batch_size=1, num_workers=2, timeout=SAFETY)
    it = iter(loader)
    with pytest.raises(
        RuntimeError,
        match=rf"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly \(exit code\(s\) {code}",
    ):
        for _ in it:
            pass
    pids = [w.pid for w in it._workers]
    assert all(_gone(p) for p in pids)  # the survivors were shut down too


def test_timeout_raises_when_a_batch_takes_too_long(h):
    loader = DataLoader(h.Hangs(4, bad=0), batch_size=1, num_workers=1, timeout=0.3)
    it = iter(loader)
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.3 seconds"):
        next(it)
    pids = [w.pid for w in it._workers]
    del it
    gc.collect()
    assert all(_gone(p) for p in pids)


def test_an_unpicklable_batch_is_reported_not_lost(h):
    loader = DataLoader(h.Unpicklable(), batch_size=None, num_workers=1, timeout=SAFETY)
    with pytest.raises(Exception, match="while pickling a batch to send back"):
        next(iter(loader))


def test_worker_init_fn_runs_in_each_worker_and_its_errors_reraise(h):
    loader = DataLoader(
        h.InitTrace(),
        batch_size=None,
        num_workers=2,
        worker_init_fn=h.record_worker_id,
        timeout=SAFETY,
    )
    assert list(loader) == ["init-0", "init-1", "init-0", "init-1"]
    assert "NPGRAD_TEST_INIT" not in os.environ  # ran in the workers only
    bad = DataLoader(h.InitTrace(), num_workers=1, worker_init_fn=h.failing_init, timeout=SAFETY)
    with pytest.raises(RuntimeError, match="init of worker 0 failed") as info:
        next(iter(bad))
    assert "while initialising it" in str(info.value)


def test_get_worker_info_is_none_in_the_main_process_and_frozen():
    assert get_worker_info() is None
    info = WorkerInfo(id=1, num_workers=2, seed=5, dataset=None)
    assert repr(info) == (
        "WorkerInfo(id=1, num_workers=2, seed=5, dataset=None, rng=None, "
        "worker_method='multiprocessing')"
    )
    with pytest.raises(AttributeError, match="cannot assign to field 'id'"):  # as PyTorch 2.13
        info.id = 3


def test_iterable_dataset_with_workers_interleaves_shards_in_a_fixed_order(h):
    loader = DataLoader(h.ShardedRange(10), batch_size=2, num_workers=2, timeout=SAFETY)
    assert [b.tolist() for b in loader] == [[0, 2], [1, 3], [4, 6], [5, 7], [8], [9]]
    # without sharding each worker reads the whole stream: every item twice
    dup = DataLoader(h.ShardedRange(3, shard=False), batch_size=None, num_workers=2, timeout=SAFETY)
    assert sorted(dup) == [0, 0, 1, 1, 2, 2]


def test_two_iterators_with_workers_do_not_interfere(h):
    loader = DataLoader(h.Squares(6), batch_size=2, num_workers=2, timeout=SAFETY)
    it1, it2 = iter(loader), iter(loader)
    out1, out2 = [], []
    for _ in range(3):
        out1.append(next(it1)[0].tolist())
        out2.append(next(it2)[0].tolist())
    assert out1 == out2 == [[0, 1], [2, 3], [4, 5]]
    for it in (it1, it2):
        with pytest.raises(StopIteration):
            next(it)


def test_persistent_workers_serve_every_epoch_with_the_same_processes(h):
    loader = DataLoader(
        h.WhoAmI(6),
        batch_size=2,
        shuffle=True,
        num_workers=2,
        persistent_workers=True,
        generator=_gen(3),
        timeout=SAFETY,
    )
    reference = DataLoader(h.WhoAmI(6), batch_size=2, shuffle=True, generator=_gen(3))
    epochs = [[b["index"].tolist() for b in loader] for _ in range(2)]
    # the base seed is drawn once by the persistent iterator, each epoch by a fresh one
    # without workers, so compare orders only after aligning the generator's draws
    assert all(sorted(i for b in e for i in b) == list(range(6)) for e in epochs)
    assert epochs[0] != epochs[1]
    pids = [{int(p) for b in loader for p in b["pid"].tolist()} for _ in range(2)]
    assert pids[0] == pids[1] and len(pids[0]) == 2
    del reference
    it = loader._iterator
    workers = list(it._workers)
    assert all(w.is_alive() for w in workers)
    del loader, it
    gc.collect()
    assert all(_gone(w.pid) for w in workers)


def test_persistent_workers_start_a_clean_epoch_after_an_unfinished_one(h):
    loader = DataLoader(
        h.Squares(10), batch_size=2, num_workers=2, persistent_workers=True, timeout=SAFETY
    )
    it = iter(loader)
    assert next(it)[0].tolist() == [0, 1]  # leave the epoch with batches still in flight
    assert [b[0].tolist() for b in loader] == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]
    assert iter(loader) is it  # one iterator, reset at each epoch


def test_a_start_failure_raises_and_leaves_no_process_behind():
    def unpicklable(batch):  # a local function can't be sent to a spawned worker
        return batch

    loader = DataLoader(
        list(range(4)), num_workers=2, collate_fn=unpicklable, multiprocessing_context="spawn"
    )
    before = {c.pid for c in multiprocessing.active_children()}
    with pytest.raises((AttributeError, TypeError, pickle.PicklingError)):
        iter(loader)
    assert {c.pid for c in multiprocessing.active_children()} == before


def test_the_parent_runs_no_helper_threads(h):
    # forking a multi-threaded process can deadlock the child (Python 3.12+ warns about it)
    before = threading.active_count()
    loader = DataLoader(h.Squares(8), batch_size=2, num_workers=2, timeout=SAFETY)
    it = iter(loader)
    next(it)
    assert threading.active_count() == before
    assert len(list(it)) == 3


def test_sending_to_a_dead_worker_raises(h):
    loader = DataLoader(h.Squares(8), batch_size=2, num_workers=1, timeout=SAFETY)
    it = iter(loader)
    worker = it._workers[0]
    worker.kill()
    worker.join()
    with pytest.raises(RuntimeError, match=r"exited unexpectedly \(exit code\(s\) -9"):
        it._pool.put(0, (99, [0]))
    assert _gone(worker.pid)


def test_workers_are_reaped_after_an_epoch_and_after_breaking_out(h):
    loader = DataLoader(h.Squares(8), batch_size=2, num_workers=2, timeout=SAFETY)
    it = iter(loader)
    pids = [w.pid for w in it._workers]
    assert len(list(it)) == 4
    assert all(_gone(p) for p in pids)
    it = iter(loader)
    pids = [w.pid for w in it._workers]
    next(it)
    del it  # breaking out of a for loop drops the iterator the same way
    gc.collect()
    assert all(_gone(p) for p in pids)
    assert not [c for c in multiprocessing.active_children() if c.pid in pids]


def test_prefetch_factor_bounds_the_batches_in_flight(h):
    loader = DataLoader(
        h.Squares(20), batch_size=1, num_workers=2, prefetch_factor=3, timeout=SAFETY
    )
    it = iter(loader)
    assert it._send_idx == 6  # prefetch_factor * num_workers tasks sent up front
    next(it)
    assert it._send_idx - it._rcvd_idx == 6  # one handed out, one more sent
    assert len(list(it)) == 19


def test_spawn_start_method_gives_the_same_batches(h):
    x = npgrad.tensor([[float(i), float(-i)] for i in range(7)])
    ds = StackDataset(TensorDataset(x), h.Squares(7))  # npgrad's classes and a user's
    expected = _plain(DataLoader(ds, batch_size=3))
    spawned = DataLoader(
        ds, batch_size=3, num_workers=2, multiprocessing_context="spawn", timeout=SAFETY
    )
    assert _plain(spawned) == expected


def _plain(loader):
    return [([t.tolist() for t in xs], [t.tolist() for t in sq]) for xs, sq in loader]


def test_an_iterator_collected_through_a_reference_cycle_lets_its_workers_exit(h):
    # regression: the queues used to be collected with the iterator, their feeder threads
    # stopped first, and the workers never got the message to exit (they were terminated)
    loader = DataLoader(h.Squares(8), batch_size=2, num_workers=2, timeout=SAFETY)
    it = iter(loader)
    next(it)
    it.cycle = it
    workers = list(it._workers)
    del it
    gc.collect()
    assert [w.exitcode for w in workers] == [0, 0]
