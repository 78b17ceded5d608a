"""How a worker's batch travels to the parent: small ones pickled whole, large arrays through
shared memory that is reused batch after batch.

Through the result queue alone, a batch of 64 RGB 64×64 float32 images (3 MB) cost the parent
~6 ms to receive: ``multiprocessing`` reads a message from its pipe in 64 KB chunks into a
growing buffer and then unpickles a copy of it. That is more than a worker took to make the
batch, so loading with two workers was slower than loading in the main process.

Here a batch is pickled with protocol 5, its arrays' memory kept out of band. When those
buffers add up to at least :data:`MIN_SHARED` bytes, the worker copies them into one of its
shared memory *slots* and puts only the small pickle, the slot's number and its block's name
on the queue; the parent copies the arrays out (one ``memcpy`` each, into ordinary memory that
is freed like any other) as soon as it receives the message. A fresh block per batch measured
slower than the pipe (first-touch page faults on both sides: 2.4 ms to copy 3 MB out); the
slots are reused, and the parent keeps each block mapped. Using the arrays in place instead
of copying them (tried: the parent watched each batch's arrays with ``weakref.finalize`` and
returned a slot when they were garbage) saved ~0.08 ms of a 3 MB batch in a loop that drops
its batches, where the copy lands in the memory the previous batch freed: not worth the
bookkeeping.

When a slot is free: every task the parent sends carries the number of tasks it has handed
out so far (``consumed``); results of lower task numbers have been received, so copied out,
and their slots can be written again. A worker thus holds about as many blocks as it has
results in flight (``prefetch_factor`` or so), the memory the queue's pipe buffers held
before; a batch larger than every free block gets a new one (the smallest free block is
unlinked to make room; the parent drops its mapping when it sees a slot's new name). Task
numbers restart with each epoch of persistent workers; the parent has received everything
before that (:meth:`Sender.reset`).

Lifetime: blocks belong to the worker that made them; it unlinks them when it exits, and the
resource tracker (with which the worker registers them) removes what a killed worker left.
The parent maps them without registering (a second registration of the same name would be
unregistered twice) and unmaps them at shutdown. A block's pages are allocated when it is
made (:class:`_Block`), so a full ``/dev/shm`` sends batches through the pipe instead of
crashing the worker. Only POSIX: on Windows a block disappears when its creator closes it,
so batches are pickled whole there.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import pickle
import secrets
from multiprocessing import resource_tracker
from typing import Any

try:  # POSIX shared memory, as multiprocessing.shared_memory uses it (CPython's, since 3.8)
    from _posixshmem import shm_open as _shm_open  # type: ignore[import-not-found]
    from _posixshmem import shm_unlink as _shm_unlink
except ImportError:  # pragma: no cover - Windows
    _shm_open = _shm_unlink = None

__all__: list[str] = []

# below this many bytes of array data a batch is pickled whole: a slot costs more than the
# pipe on such small messages
MIN_SHARED = 1 << 18
_ALIGN = 64  # each array starts on a cache line of the block
_USE_SHARED = os.name == "posix" and _shm_open is not None
_WHOLE, _SHARED = b"W", b"S"


def _aligned(n: int) -> int:
    return -(-n // _ALIGN) * _ALIGN


class _Block:
    """A worker's shared memory block, its pages allocated up front: on a full ``/dev/shm``
    (64 MB in a default Docker container) creating the block fails with ``OSError`` and the
    batch goes through the pipe, where writing into a sparse block would kill the worker with
    SIGBUS. Registered with the resource tracker, like ``multiprocessing.shared_memory``'s."""

    def __init__(self, size: int) -> None:
        assert _shm_open is not None and _shm_unlink is not None
        while True:
            name = "psm_" + secrets.token_hex(8)
            try:
                fd = _shm_open("/" + name, os.O_CREAT | os.O_EXCL | os.O_RDWR, mode=0o600)
            except FileExistsError:  # pragma: no cover - a 64-bit name collision
                continue
            break
        try:
            os.ftruncate(fd, size)
            if hasattr(os, "posix_fallocate"):  # Linux; macOS reserves nothing
                os.posix_fallocate(fd, 0, size)
            self.map = mmap.mmap(fd, size)
        except BaseException:
            os.close(fd)
            _shm_unlink("/" + name)
            raise
        os.close(fd)
        self.name, self.size = name, size
        resource_tracker.register("/" + name, "shared_memory")

    def release(self) -> None:
        """Unmap and unlink (the parent's mapping stays valid until it unmaps it)."""
        self.map.close()
        with contextlib.suppress(FileNotFoundError):  # (removed from outside)
            _shm_unlink("/" + self.name)
        resource_tracker.unregister("/" + self.name, "shared_memory")


class Sender:
    """A worker's side: :meth:`pack` messages, writing large batches into its slots."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id
        # per slot: its block and the task whose batch it holds (-1: none)
        self.blocks: list[_Block] = []
        self.tasks: list[int] = []

    def reset(self) -> None:
        """A new epoch (task numbers restart): the parent has received every batch."""
        self.tasks = [-1] * len(self.tasks)

    def pack(self, obj: Any, task_id: int = -1, consumed: int = 0) -> bytes:
        """``obj`` as the bytes to put on the result queue (pickling errors propagate). The
        parent has received the results of all tasks numbered below ``consumed``."""
        buffers: list[pickle.PickleBuffer] = []
        meta = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
        raws = [b.raw() for b in buffers]
        total = sum(_aligned(r.nbytes) for r in raws)
        slot = None
        if _USE_SHARED and total >= MIN_SHARED and task_id >= 0:
            with contextlib.suppress(OSError):  # no room for a new block: use the pipe
                slot = self._slot(total, consumed)
        if slot is None:
            return _WHOLE + pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        block = self.blocks[slot]
        view = memoryview(block.map)
        offsets = []
        offset = 0
        for r in raws:
            view[offset : offset + r.nbytes] = r
            offsets.append((offset, r.nbytes))
            offset += _aligned(r.nbytes)
        view.release()
        self.tasks[slot] = task_id
        key = (self.worker_id, slot)
        return _SHARED + pickle.dumps((key, block.name, offsets, meta), pickle.HIGHEST_PROTOCOL)

    def _slot(self, size: int, consumed: int) -> int:
        """A free slot whose block holds ``size`` bytes (the smallest such), or a new one."""
        free = [i for i, t in enumerate(self.tasks) if t < consumed]
        fits = [i for i in free if self.blocks[i].size >= size]
        if fits:
            return min(fits, key=lambda i: self.blocks[i].size)
        block = _Block(size)  # (if this fails, nothing has changed)
        if free:  # it replaces the smallest free block, too small for this batch
            slot = min(free, key=lambda i: self.blocks[i].size)
            self.blocks[slot].release()
            self.blocks[slot] = block
            return slot
        self.blocks.append(block)
        self.tasks.append(-1)
        return len(self.blocks) - 1

    def close(self) -> None:
        """Unlink every block (the parent's mappings stay valid until it unmaps them)."""
        blocks, self.blocks, self.tasks = self.blocks, [], []
        for block in blocks:
            block.release()


class Receiver:
    """The parent's side: :meth:`unpack` messages; keeps each slot's block mapped."""

    def __init__(self) -> None:
        self.maps: dict[tuple[int, int], tuple[str, mmap.mmap]] = {}

    def unpack(self, payload: bytes) -> Any:
        """The object :meth:`Sender.pack` packed, its arrays copied out of shared memory."""
        kind, body = payload[:1], payload[1:]
        if kind == _WHOLE:
            return pickle.loads(body)
        key, name, offsets, meta = pickle.loads(body)
        mapped = self.maps.get(key)
        if mapped is None or mapped[0] != name:
            if mapped is not None:
                mapped[1].close()  # the slot got a larger block
            mapped = (name, _map(name))
            self.maps[key] = mapped
        view = memoryview(mapped[1])
        try:
            buffers = [bytearray(view[o : o + n]) for o, n in offsets]
        finally:
            view.release()
        return pickle.loads(meta, buffers=buffers)

    def close(self) -> None:
        for _, m in self.maps.values():
            m.close()
        self.maps.clear()


def _map(name: str) -> mmap.mmap:
    """Map the block ``name`` without registering it with the resource tracker."""
    assert _shm_open is not None
    fd = _shm_open("/" + name, os.O_RDWR, mode=0o600)
    try:
        return mmap.mmap(fd, os.fstat(fd).st_size)
    finally:
        os.close(fd)


def ensure_tracker() -> None:
    """Start the resource tracker in the parent before workers are forked, so that every
    worker registers its blocks with that one tracker instead of starting its own."""
    if _USE_SHARED:
        resource_tracker.ensure_running()
