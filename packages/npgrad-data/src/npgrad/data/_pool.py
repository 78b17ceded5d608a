"""The worker processes of one DataLoader iterator and the queues to talk to them.

A :class:`WorkerPool` is deliberately separate from the iterator that uses it: the iterator
registers ``weakref.finalize(iterator, pool.shutdown)``, which keeps the pool (and its queues)
reachable until the shutdown has run. Were the queues owned by the iterator alone, an iterator
caught in a reference cycle (an exception's traceback holds its frames) would be collected
together with its queues, whose own finalizers stop their feeder threads first — and the
"exit now" messages would never reach the workers.
"""

from __future__ import annotations

import os
import pickle
import queue
import time
from typing import Any

from npgrad.data import _worker

__all__: list[str] = []

# how long the parent waits on the result queue before checking that the workers are alive
POLL_INTERVAL = 0.1
# how long shutdown waits for a worker to exit before terminating it
JOIN_TIMEOUT = 1.0


class WorkerPool:
    """Start ``num_workers`` processes running :func:`npgrad.data._worker.worker_loop`."""

    def __init__(self, ctx: Any, num_workers: int, worker_args: dict[str, Any]) -> None:
        self.data_queue = ctx.Queue()
        self.done_event = ctx.Event()
        self.index_queues: list[Any] = []
        self.workers: list[Any] = []
        self.closed = False
        try:
            for worker_id in range(num_workers):
                index_queue = ctx.Queue()
                # don't block exiting on indices a dead worker will never read
                index_queue.cancel_join_thread()
                w = ctx.Process(
                    target=_worker.worker_loop,
                    kwargs={
                        **worker_args,
                        "index_queue": index_queue,
                        "data_queue": self.data_queue,
                        "done_event": self.done_event,
                        "worker_id": worker_id,
                        "num_workers": num_workers,
                        "parent_pid": os.getpid(),
                    },
                    daemon=True,
                )
                w.start()
                self.index_queues.append(index_queue)
                self.workers.append(w)
        except BaseException:
            self.shutdown()
            raise

    def put(self, worker_id: int, message: Any) -> None:
        self.index_queues[worker_id].put(message)

    def get(self, timeout: float, active: list[bool]) -> Any:
        """The next message from any worker; RuntimeError on timeout (``timeout > 0``) or
        when an active worker has died."""
        deadline = time.monotonic() + timeout if timeout > 0 else None
        while True:
            wait = POLL_INTERVAL
            if deadline is not None:
                wait = max(0.0, min(wait, deadline - time.monotonic()))
            try:
                payload = self.data_queue.get(timeout=wait)
            except queue.Empty:
                self.check_alive(active)
                if deadline is not None and time.monotonic() >= deadline:
                    raise RuntimeError(f"DataLoader timed out after {timeout} seconds") from None
                continue
            return pickle.loads(payload)

    def check_alive(self, active: list[bool]) -> None:
        dead = [w for w, on in zip(self.workers, active) if on and not w.is_alive()]
        if dead:
            pids = ", ".join(str(w.pid) for w in dead)
            codes = ", ".join(str(w.exitcode) for w in dead)
            self.shutdown()
            raise RuntimeError(
                f"DataLoader worker (pid(s) {pids}) exited unexpectedly (exit code(s) {codes}; "
                "a negative code -N means it was killed by signal N)"
            )

    def shutdown(self) -> None:
        """Ask every worker to exit, wait briefly, terminate the stragglers; reap them all."""
        if self.closed:
            return
        self.closed = True
        try:
            self.done_event.set()
            for q in self.index_queues:
                q.put(None)
            for w in self.workers:
                w.join(timeout=JOIN_TIMEOUT)
            for q in self.index_queues:
                q.close()
            self.data_queue.cancel_join_thread()
            self.data_queue.close()
        finally:
            for w in self.workers:
                if w.is_alive():
                    w.terminate()
                    w.join()
