"""The worker processes of one DataLoader iterator and the channels to talk to them.

Each worker reads its tasks from its own one-way pipe (a ``multiprocessing.Pipe``); the parent
writes to it synchronously from the main thread and keeps no copy of the reading end, so a
write to a dead worker fails instead of blocking, and the parent process runs no helper
threads (forking a multi-threaded process can deadlock the child). Results come back on one
``multiprocessing.Queue``, written by the workers (large arrays through shared memory: see
``_transport.py``).

A :class:`WorkerPool` is separate from the iterator that uses it: the iterator registers
``weakref.finalize(iterator, pool.shutdown)``, so the pool stays intact until its shutdown has
run, even when the iterator is collected as part of a reference cycle (an exception's
traceback holds its frames).
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import time
from typing import Any

from npgrad.data import _transport, _worker

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
        self.task_pipes: list[Any] = []  # the parent's writing ends
        self.workers: list[Any] = []
        self.closed = False
        self.owner_pid = os.getpid()
        self.receiver = _transport.Receiver()
        _transport.ensure_tracker()  # before forking: one resource tracker for all (_transport)
        try:
            for worker_id in range(num_workers):
                reader, writer = ctx.Pipe(duplex=False)
                w = ctx.Process(
                    target=_worker.worker_loop,
                    kwargs={
                        **worker_args,
                        "task_pipe": reader,
                        "data_queue": self.data_queue,
                        "done_event": self.done_event,
                        "worker_id": worker_id,
                        "num_workers": num_workers,
                        "parent_pid": os.getpid(),
                    },
                    daemon=True,
                )
                try:
                    w.start()
                except BaseException:
                    writer.close()
                    raise
                finally:
                    # only the worker reads: closing our copy (before the next fork copies
                    # it) makes writing to a dead worker raise BrokenPipeError
                    reader.close()
                self.task_pipes.append(writer)
                self.workers.append(w)
        except BaseException:
            self.shutdown()
            raise

    def put(self, worker_id: int, message: Any) -> None:
        """Send ``message`` to one worker; RuntimeError if it has died."""
        try:
            self.task_pipes[worker_id].send(message)
        except (BrokenPipeError, ConnectionResetError):
            self.workers[worker_id].join(JOIN_TIMEOUT)  # its end closed: it is exiting
            self.check_alive([i == worker_id for i in range(len(self.workers))])
            raise

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
            return self.receiver.unpack(payload)

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
        if os.getpid() != self.owner_pid:
            # a forked child (a worker of another loader) collecting its copy of this pool:
            # the workers, the event and the pipes are its parent's, leave them alone
            self.closed = True
            return
        self.closed = True
        try:
            self.done_event.set()  # a worker that misses the message below sees this
            for pipe in self.task_pipes:
                with contextlib.suppress(OSError):
                    # only if there is room: a full pipe means a busy or dead worker
                    if select.select([], [pipe.fileno()], [], 0)[1]:
                        pipe.send(None)
            for w in self.workers:
                w.join(timeout=JOIN_TIMEOUT)
            for pipe in self.task_pipes:
                pipe.close()
            self.data_queue.cancel_join_thread()
            self.data_queue.close()
            self.receiver.close()
        finally:
            for w in self.workers:
                if w.is_alive():
                    w.terminate()
                w.join()
