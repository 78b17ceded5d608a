"""What runs inside a DataLoader worker process, and what it sends back.

A worker receives ``(task_id, indices)`` on its own task pipe, fetches and collates the batch,
and puts ``(task_id, batch)`` on the shared result queue — already pickled, so a batch that
can't be pickled turns into an error the parent re-raises instead of a silently lost message.
An exception while fetching travels back as an :class:`ExceptionWrapper` that names the worker,
the sample index and carries the worker's formatted traceback.
"""

from __future__ import annotations

import os
import pickle
import random
import sys
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

import npgrad.random as _nrandom
from npgrad.data import _transport

__all__ = ["ExceptionWrapper", "WorkerInfo", "get_worker_info"]

# how often an idle worker checks that its parent is still alive (seconds)
STATUS_CHECK_INTERVAL = 1.0


@dataclass(frozen=True)
class WorkerInfo:
    """Facts about the current DataLoader worker (see :func:`get_worker_info`). Read-only, as
    in PyTorch: assigning or deleting an attribute raises
    :class:`dataclasses.FrozenInstanceError` (an ``AttributeError``).

    Attributes
    ----------
    id : int
        The worker's number, ``0 .. num_workers-1``.
    num_workers : int
        How many workers the loader runs.
    seed : int
        The seed this worker set for Python's ``random``, NumPy's legacy global generator and
        npgrad's default generator: the loader's base seed + ``id``.
    dataset : Dataset
        The worker's own copy of the dataset.
    rng : optional
        PyTorch's per-thread generators of a thread worker; npgrad's workers are processes,
        which seed the global generators instead, so it is None.
    worker_method : str
        ``"multiprocessing"``: how the worker runs (PyTorch's field).

    Examples
    --------
    >>> from npgrad.data import WorkerInfo
    >>> info = WorkerInfo(id=0, num_workers=2, seed=7, dataset=[1, 2])
    >>> info
    WorkerInfo(id=0, num_workers=2, seed=7, dataset=[1, 2], rng=None, worker_method='multiprocessing')
    >>> info.id = 1
    Traceback (most recent call last):
    ...
    dataclasses.FrozenInstanceError: cannot assign to field 'id'
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any
    rng: Any = None
    worker_method: str | None = "multiprocessing"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The :class:`WorkerInfo` of this DataLoader worker process, or None in the main process.

    Use it in an ``IterableDataset.__iter__`` or a ``worker_init_fn`` to give each worker its
    own share of the data.

    Examples
    --------
    >>> from npgrad.data import get_worker_info
    >>> get_worker_info() is None  # not inside a worker
    True
    """
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, carried to the parent with its formatted traceback.

    Parameters
    ----------
    where : str
        Where it happened, e.g. ``"in DataLoader worker process 0 while fetching sample 7"``.
    exc_info : tuple, optional
        ``sys.exc_info()`` of the exception (the one being handled when omitted).
    """

    def __init__(self, where: str, exc_info: Any = None) -> None:
        exc_type, exc, tb = sys.exc_info() if exc_info is None else exc_info
        self.exc_type: type[BaseException] | None = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc, tb))
        self.where = where

    def __reduce__(self) -> tuple[Any, ...]:
        # an exception class the parent can't import is re-raised there as RuntimeError
        exc_type = self.exc_type
        try:
            pickle.dumps(exc_type)
        except Exception:
            exc_type = None
        return (_rebuild_wrapper, (exc_type, self.exc_msg, self.where))

    def reraise(self) -> None:
        """Raise the exception again (same type when possible) with the worker's traceback."""
        name = self.exc_type.__name__ if self.exc_type is not None else "Exception"
        msg = f"Caught {name} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is None:
            raise RuntimeError(msg)
        if self.exc_type is KeyError:
            raise KeyError(_KeyErrorMessage(msg))
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


def _rebuild_wrapper(exc_type: Any, exc_msg: str, where: str) -> ExceptionWrapper:
    w = ExceptionWrapper.__new__(ExceptionWrapper)
    w.exc_type, w.exc_msg, w.where = exc_type, exc_msg, where
    return w


class _KeyErrorMessage(str):
    # KeyError's str() is the repr of its argument; this keeps the traceback readable
    def __repr__(self) -> str:
        return str(self)


@dataclass(frozen=True)
class IterableDatasetStopIteration:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class ResumeIteration:
    """Sent to persistent workers at the start of a new epoch (and echoed back)."""


class MapFetcher:
    """Fetch and collate samples of a map-style dataset, remembering what it was doing."""

    def __init__(
        self, dataset: Any, auto_collation: bool, collate_fn: Any, drop_last: bool
    ) -> None:
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn
        self.doing = ""

    def fetch(self, index: Any) -> Any:
        if self.auto_collation:
            getitems = getattr(self.dataset, "__getitems__", None)
            if callable(getitems):
                self.doing = f"while fetching the batch of sample indices {index}"
                data = getitems(index)
            else:
                data = []
                for i in index:
                    self.doing = f"while fetching sample index {i}"
                    data.append(self.dataset[i])
            self.doing = f"while collating the batch of sample indices {index}"
        else:
            self.doing = f"while fetching sample index {index}"
            data = self.dataset[index]
            self.doing = f"while converting sample index {index}"
        return self.collate_fn(data)


class IterableFetcher:
    """Draw and collate samples from the iterator of an IterableDataset."""

    def __init__(
        self, dataset: Any, auto_collation: bool, collate_fn: Any, drop_last: bool
    ) -> None:
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.doing = "while starting to iterate the IterableDataset"
        self.dataset_iter = iter(dataset)
        self.ended = False
        self.count = 0

    def _next(self) -> Any:
        self.doing = f"while fetching sample {self.count} of its IterableDataset iterator"
        item = next(self.dataset_iter)
        self.count += 1
        return item

    def fetch(self, index: Any) -> Any:
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in index:
                try:
                    data.append(self._next())
                except StopIteration:
                    self.ended = True
                    break
            if not data or (self.drop_last and len(data) < len(index)):
                raise StopIteration
            self.doing = "while collating a batch from its IterableDataset"
        else:
            data = self._next()
            self.doing = "while converting a sample from its IterableDataset"
        return self.collate_fn(data)


def create_fetcher(
    iterable: bool, dataset: Any, auto_collation: bool, collate_fn: Any, drop_last: bool
) -> MapFetcher | IterableFetcher:
    cls = IterableFetcher if iterable else MapFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


def seed_worker(base_seed: int, worker_id: int) -> int:
    """Seed Python's ``random``, NumPy's global and npgrad's default generator; return the seed."""
    seed = base_seed + worker_id
    random.seed(seed)
    _nrandom.manual_seed(seed)
    # the legacy global generator, which user datasets may call; its seed takes 32-bit words,
    # so both numbers are hashed into four of them
    np.random.seed(np.random.SeedSequence([base_seed, worker_id]).generate_state(4))  # noqa: NPY002
    return seed


def _send(
    sender: _transport.Sender,
    data_queue: Any,
    task_id: Any,
    data: Any,
    worker_id: int,
    consumed: int = 0,
) -> None:
    """Put ``(task_id, data)`` on the queue; ``consumed``: see :meth:`_transport.Sender.pack`."""
    try:
        payload = sender.pack((task_id, data), task_id if type(task_id) is int else -1, consumed)
    except Exception:
        where = f"in DataLoader worker process {worker_id} while pickling a batch to send back"
        payload = sender.pack((task_id, ExceptionWrapper(where)))
    data_queue.put(payload)


def worker_loop(
    iterable: bool,
    dataset: Any,
    task_pipe: Any,
    data_queue: Any,
    done_event: Any,
    auto_collation: bool,
    collate_fn: Any,
    drop_last: bool,
    base_seed: int,
    init_fn: Any,
    worker_id: int,
    num_workers: int,
    parent_pid: int,
) -> None:
    """The body of a DataLoader worker process (a module-level function, for ``spawn``).
    Tasks are ``(task_id, indices, consumed)``: ``consumed`` counts the batches the parent
    has handed out (their shared memory can be reused: see ``_transport.py``)."""
    global _worker_info
    sender = _transport.Sender(worker_id)
    try:
        seed = seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_exception: ExceptionWrapper | None = None
        fetcher: Any = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(
                f"in DataLoader worker process {worker_id} while initialising it"
            )
        iteration_end = False
        while os.getppid() == parent_pid:  # an orphaned worker exits on its own
            if not task_pipe.poll(STATUS_CHECK_INTERVAL):
                if done_event.is_set():
                    break  # shut down without a final message (see WorkerPool.shutdown)
                continue
            try:
                task = task_pipe.recv()
            except EOFError:
                break
            if isinstance(task, ResumeIteration):
                sender.reset()
                _send(sender, data_queue, task, None, worker_id)
                iteration_end = False
                fetcher = create_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
                continue
            if task is None:  # the final signal
                break
            if done_event.is_set() or iteration_end:
                continue  # shutting down, or exhausted: wait for the final signal
            task_id, index, consumed = task
            data: Any
            if init_exception is not None:
                data = init_exception  # every task gets it: the worker can't work
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and iterable:
                        data = IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        where = f"in DataLoader worker process {worker_id} {fetcher.doing}"
                        data = ExceptionWrapper(where)
            _send(sender, data_queue, task_id, data, worker_id, consumed)
            del data, task, index
    except KeyboardInterrupt:
        pass  # the main process handles Ctrl-C and shuts the workers down
    finally:
        sender.close()  # unlink its shared memory (the parent keeps what it has mapped)
    if done_event.is_set():
        # don't block exiting on flushing results nobody will read
        data_queue.cancel_join_thread()
        data_queue.close()
