"""A small cache of large scratch buffers for the convolution and pooling kernels.

Why: a fresh multi-megabyte ``np.empty`` is backed by pages the kernel maps on first touch,
and on this VM those page faults cost as much as the im2col copy itself (filling a fresh
75 MB array took 14 ms, a reused one 3 ms; the ``cnn`` benchmark step ran ~30% faster with
glibc told never to return memory). glibc hands freed memory back to the OS between
training steps, so every step faults its temporaries in again. Keeping the few big
temporaries of each layer (im2col columns, their gradient, GEMM stacks) in this cache
makes a training loop reuse the same pages step after step.

Two ways to borrow:

* ``take`` / ``give``: for a temporary that never leaves the function that took it;
* ``take_owned``: for an array kept until autograd releases it (the forward's im2col
  columns). It comes back to the cache when the array object itself is garbage-collected,
  so it must never be handed out as (or through a view of) a user-visible tensor.

The cache keeps at most ``LIMIT`` bytes of idle buffers (oldest dropped first) and never
holds buffers smaller than ``MIN_BYTES`` (malloc reuses those well by itself).
"""

from __future__ import annotations

import math
import threading
import weakref
from collections import OrderedDict

import numpy as np

__all__: list[str] = []

MIN_BYTES = 1 << 20
LIMIT = 256 << 20

_lock = threading.Lock()
_idle: OrderedDict[int, list[np.ndarray]] = OrderedDict()  # nbytes -> raw uint8 buffers
_idle_bytes = 0
_lent: set[int] = set()  # ids of the buffers lent by `take`, so `give` accepts only those


def _raw(nbytes: int) -> np.ndarray:
    with _lock:
        stack = _idle.get(nbytes)
        if stack:
            global _idle_bytes
            _idle_bytes -= nbytes
            buf = stack.pop()
            if not stack:
                del _idle[nbytes]
            return buf
    return np.empty(nbytes, np.uint8)


def _give_raw(buf: np.ndarray) -> None:
    global _idle_bytes
    with _lock:
        _idle.setdefault(buf.nbytes, []).append(buf)
        _idle.move_to_end(buf.nbytes)
        _idle_bytes += buf.nbytes
        while _idle_bytes > LIMIT and _idle:
            size, stack = next(iter(_idle.items()))
            stack.pop()
            _idle_bytes -= size
            if not stack:
                del _idle[size]


def take(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """An uninitialised array to be returned with :func:`give` before the caller returns."""
    nbytes = math.prod(shape) * np.dtype(dtype).itemsize
    if nbytes < MIN_BYTES:
        return np.empty(shape, dtype)
    buf = _raw(nbytes)
    with _lock:
        _lent.add(id(buf))
    return buf.view(dtype).reshape(shape)


def give(arr: np.ndarray) -> None:
    """Return an array from :func:`take` (anything else is ignored); no view of it may be
    used afterwards."""
    base = arr.base
    with _lock:
        if base is None or id(base) not in _lent:
            return
        _lent.discard(id(base))
    _give_raw(base)  # type: ignore[arg-type]


def take_owned(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """An uninitialised array whose memory returns to the cache when it is collected."""
    nbytes = math.prod(shape) * np.dtype(dtype).itemsize
    if nbytes < MIN_BYTES:
        return np.empty(shape, dtype)
    buf = _raw(nbytes)
    arr = buf.view(dtype).reshape(shape)
    weakref.finalize(arr, _give_raw, buf)
    return arr


def clear() -> None:
    """Drop every idle buffer (their memory goes back to the allocator)."""
    global _idle_bytes
    with _lock:
        _idle.clear()
        _idle_bytes = 0
