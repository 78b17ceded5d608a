"""A world of several ranks simulated inside one process, for testing without MPI.

:class:`FakeBackend` plays one rank; the other ranks are simulated by a function that says what
each of them contributes. It lets single-process tests check what the collectives and
``DistributedDataParallel`` compute and which collectives they issue, on every Python, without
``mpi4py`` (the multi-process tests under ``mpiexec`` live in ``tests_integration/distributed``).
PyTorch ships a comparable fake process group for its own tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["FakeBackend"]

_REDUCE = {
    "sum": np.add,
    "prod": np.multiply,
    "max": np.maximum,
    "min": np.minimum,
    "band": np.bitwise_and,
    "bor": np.bitwise_or,
    "bxor": np.bitwise_xor,
    "land": np.logical_and,
    "lor": np.logical_or,
    "lxor": np.logical_xor,
}


class _Request:
    __slots__ = ("done",)

    def __init__(self, done: bool) -> None:
        self.done = done

    def Test(self) -> bool:  # noqa: N802 - mpi4py's name
        return self.done


class FakeBackend:
    """Rank ``rank`` of a simulated world of ``size`` ranks.

    Parameters
    ----------
    rank, size : int
        This process's rank and the simulated world size.
    peer : callable, optional
        ``peer(r, array) -> array or None``: what rank ``r`` contributes to a collective in
        which this rank contributes ``array`` (a copy); ``None`` means the same values as this
        rank, which is also what every rank contributes when ``peer`` is omitted. Object
        collectives send pickles as ``uint8`` arrays and their lengths as ``int64`` arrays: a
        ``peer`` that changes numbers should leave those dtypes alone (return ``None``).
    hang : bool, optional
        Simulate a rank that never arrives: no collective ever completes.

    Attributes
    ----------
    calls : list of (str, str, int)
        Every collective issued: its name, dtype and number of elements.

    Examples
    --------
    >>> import numpy as np
    >>> from npgrad.distributed._fake import FakeBackend
    >>> b = FakeBackend(rank=0, size=3, peer=lambda r, a: a * 10**r)
    >>> x = np.array([1.0, 2.0])
    >>> b.allreduce(x, "sum").Test(), x.tolist()
    (True, [111.0, 222.0])
    >>> b.calls
    [('allreduce', 'float64', 2)]
    """

    name = "fake"

    def __init__(
        self,
        rank: int = 0,
        size: int = 2,
        peer: Callable[[int, np.ndarray], Any] | None = None,
        hang: bool = False,
    ) -> None:
        if not 0 <= rank < size:
            raise ValueError(f"FakeBackend: rank {rank} is not in [0, {size - 1}]")
        self.rank = rank
        self.size = size
        self.peer = peer
        self.hang = hang
        self.calls: list[tuple[str, str, int]] = []
        self.aborted: int | None = None

    def _of(self, r: int, array: np.ndarray) -> np.ndarray:
        """Rank ``r``'s contribution where this rank contributes ``array``."""
        if r == self.rank or self.peer is None:
            return array.copy()
        out = self.peer(r, array.copy())
        if out is None:
            return array.copy()
        out = np.asarray(out)
        if out.shape != array.shape:
            raise ValueError(f"FakeBackend: peer {r} returned shape {out.shape}, not {array.shape}")
        return out.astype(array.dtype, copy=False)

    def _issue(self, name: str, buf: np.ndarray) -> _Request:
        self.calls.append((name, str(buf.dtype), int(buf.size)))
        return _Request(not self.hang)

    def allreduce(self, buf: np.ndarray, op: str) -> _Request:
        req = self._issue("allreduce", buf)
        parts = [self._of(r, buf) for r in range(self.size)]
        if not self.hang:
            buf[...] = _REDUCE[op].reduce(np.stack(parts), axis=0)
        return req

    def bcast(self, buf: np.ndarray, root: int) -> _Request:
        req = self._issue("bcast", buf)
        if not self.hang:
            buf[...] = self._of(root, buf)
        return req

    def allgather(self, send: np.ndarray, recv: np.ndarray) -> _Request:
        req = self._issue("allgather", send)
        if not self.hang:
            blocks = recv.reshape(self.size, -1)
            for r in range(self.size):
                blocks[r] = self._of(r, send).reshape(-1)
        return req

    def reduce_scatter_block(self, send: np.ndarray, recv: np.ndarray, op: str) -> _Request:
        req = self._issue("reduce_scatter_block", send)
        if not self.hang:
            total = _REDUCE[op].reduce(np.stack([self._of(r, send) for r in range(self.size)]))
            recv[...] = total.reshape(self.size, -1)[self.rank].reshape(recv.shape)
        return req

    def barrier(self) -> _Request:
        self.calls.append(("barrier", "", 0))
        return _Request(not self.hang)

    def abort(self, code: int) -> None:
        self.aborted = code
