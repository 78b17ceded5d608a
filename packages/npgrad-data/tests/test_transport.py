"""Batches from DataLoader workers: large arrays through shared memory (``_transport.py``).

Every loader has a ``timeout`` so that a bug fails the test instead of hanging CI.
"""

from __future__ import annotations

import gc
import importlib
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import npgrad
from npgrad.data import DataLoader, _transport

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="shared memory is listed in /dev/shm"
)

SAFETY = 30  # seconds: only reached if the loader is broken
HERE = Path(__file__).parent


@pytest.fixture
def h(monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))
    return importlib.import_module("_npgrad_transport_helpers")


def _blocks() -> set[str]:
    return {p for p in os.listdir("/dev/shm") if p.startswith("psm_")}


def _same(a, b) -> None:
    assert a.keys() == b.keys()
    for k in a:
        x, y = a[k], b[k]
        assert type(x) is type(y), k
        x, y = np.asarray(x), np.asarray(y)
        assert x.dtype == y.dtype and x.shape == y.shape, k
        np.testing.assert_array_equal(x, y)


def test_pack_and_unpack_in_one_process():
    sender, receiver = _transport.Sender(worker_id=3), _transport.Receiver()
    try:
        big = {"x": np.arange(200_000, dtype=np.float32), "y": npgrad.ones(3, 4)}
        payload = sender.pack((7, big), task_id=7, consumed=0)
        assert payload[:1] == b"S" and len(payload) < 1000  # the arrays are not in the message
        task, out = receiver.unpack(payload)
        assert task == 7
        np.testing.assert_array_equal(out["x"], big["x"])
        assert isinstance(out["y"], npgrad.Tensor) and out["y"].tolist() == [[1.0] * 4] * 3
        out["x"][0] = -1.0  # the parent's arrays are its own, writable memory
        small = sender.pack((8, np.arange(10)), task_id=8, consumed=8)
        assert small[:1] == b"W"  # pickled whole
        assert receiver.unpack(small)[1].tolist() == list(range(10))
        # a message that is no task's result (an acknowledgement) is pickled whole too
        assert sender.pack(np.zeros(100_000))[:1] == b"W"
    finally:
        sender.close()
        receiver.close()


def _names(sender, receiver, sizes, consumed, first_task=0):
    names = []
    for task, (n, c) in enumerate(zip(sizes, consumed), first_task):
        payload = sender.pack(np.full(n, float(task)), task_id=task, consumed=c)
        names.append(pickle.loads(payload[1:])[1])
        out = receiver.unpack(payload)
        assert out.shape == (n,) and (out == task).all()
    return names


def test_slots_are_reused_once_the_parent_has_the_batch():
    sender, receiver = _transport.Sender(worker_id=0), _transport.Receiver()
    try:
        # the parent has handed out every earlier batch: one block serves them all, until a
        # batch outgrows it (a new, larger block replaces it)
        sizes = [100_000, 100_000, 100_000, 300_000, 100_000]
        names = _names(sender, receiver, sizes, consumed=range(5))
        assert names[0] == names[1] == names[2] != names[3] == names[4]
        assert len(sender.blocks) == 1
        # none of the next batches handed out yet: the first reuses the block, the others
        # need blocks of their own
        more = _names(sender, receiver, [100_000] * 3, consumed=[5, 5, 5], first_task=5)
        assert more[0] == names[4] and len(set(more)) == 3 and len(sender.blocks) == 3
        sender.reset()  # a new epoch: all free again
        again = _names(sender, receiver, [100_000] * 2, consumed=[0, 1])
        assert again[0] == again[1] and again[0] in more
    finally:
        sender.close()
        receiver.close()
    assert not _blocks() & set(names + more)  # unlinked


@pytest.mark.parametrize("context", ["fork", "spawn"])
def test_workers_send_the_same_batches_as_the_main_process(h, context):
    ds = h.BigSamples(63, grow=36)  # batches of 6 samples: ~350 KB, from batch 6 on ~700 KB
    expected = list(DataLoader(ds, batch_size=6))
    before = _blocks()
    loader = DataLoader(
        ds,
        batch_size=6,
        num_workers=2,
        multiprocessing_context=context,
        persistent_workers=True,
        timeout=SAFETY,
    )
    for _ in range(2):  # two epochs through the same (persistent) workers
        got = list(loader)
        assert len(got) == len(expected)
        for a, b in zip(got, expected):
            _same(a, b)
        # the batches came through the workers' shared blocks, reused: a worker holds at
        # most one more than the tasks it can be ahead (prefetch_factor * num_workers)
        assert 0 < len(_blocks() - before) <= 2 * (2 * 2 + 1) < 22
    del loader, got
    gc.collect()
    assert _blocks() <= before  # the workers unlinked their blocks when they exited


def test_stopping_early_leaves_no_shared_memory_and_no_warnings(tmp_path):
    # A fresh interpreter: the resource tracker reports leaked or doubly released blocks on
    # stderr when the program ends.
    script = tmp_path / "early.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import gc, sys
            sys.path.insert(0, {str(HERE)!r})
            from _npgrad_transport_helpers import BigSamples
            from npgrad.data import DataLoader
            loader = DataLoader(BigSamples(64), batch_size=8, num_workers=2, timeout={SAFETY})
            for i, batch in enumerate(loader):
                if i == 1:
                    break
            del loader, batch
            gc.collect()
            print("done")
            """
        )
    )
    before = _blocks()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "done"
    assert run.stderr == ""
    assert _blocks() <= before


def test_no_room_for_a_block_sends_the_batch_through_the_pipe(monkeypatch):
    # posix_fallocate fails on a full /dev/shm (64 MB in a default Docker container): the
    # batch is pickled whole instead of the worker dying of SIGBUS while writing
    def full(fd, offset, size):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "posix_fallocate", full)
    before = _blocks()
    sender, receiver = _transport.Sender(worker_id=0), _transport.Receiver()
    try:
        payload = sender.pack(np.arange(100_000.0), task_id=0, consumed=0)
        assert payload[:1] == b"W" and not sender.blocks
        np.testing.assert_array_equal(receiver.unpack(payload), np.arange(100_000.0))
    finally:
        sender.close()
        receiver.close()
    assert _blocks() == before  # the failed block was unlinked
