"""The default process group: which backend, which rank, how long to wait.

There is one group, every rank of the job (``MPI.COMM_WORLD``). Collectives are started
non-blocking and waited on by :class:`Work` with the group's timeout, so a rank that never
arrives makes the others raise instead of hanging. An uncaught exception on any rank aborts the
whole job (``MPI_Abort``), so the other ranks do not wait for it until the timeout.
"""

from __future__ import annotations

import contextlib
import enum
import importlib.util
import sys
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from types import TracebackType
from typing import Any

__all__ = [
    "ReduceOp",
    "Work",
    "destroy_process_group",
    "get_backend",
    "get_rank",
    "get_world_size",
    "init_process_group",
    "is_available",
    "is_initialized",
    "is_mpi_available",
]

DEFAULT_TIMEOUT = 1800.0  # seconds: PyTorch's default for CPU process groups
# A request is first polled back to back (the others are usually just behind), then with
# growing sleeps so that a waiting rank does not take a core from one that is still computing.
_SPIN_SECONDS = 2e-3
_MAX_SLEEP = 1e-3
_ABORT_GRACE = 0.25  # seconds between printing the traceback and MPI_Abort


class ReduceOp(enum.Enum):
    """How :func:`all_reduce` and :func:`reduce_scatter` combine the ranks' values.

    ``AVG`` is the sum divided by the world size (floating tensors only); the bitwise ops need
    integer or bool tensors. On bool tensors ``SUM``/``MAX`` are a logical or and
    ``PRODUCT``/``MIN`` a logical and, as in PyTorch.

    Examples
    --------
    >>> from npgrad.distributed import ReduceOp
    >>> ReduceOp.SUM, ReduceOp["AVG"]
    (<ReduceOp.SUM: 'sum'>, <ReduceOp.AVG: 'avg'>)
    """

    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    BAND = "band"
    BOR = "bor"
    BXOR = "bxor"


class _ProcessGroup:
    __slots__ = ("backend", "timeout", "previous_excepthook")

    def __init__(self, backend: Any, timeout: float) -> None:
        self.backend = backend
        self.timeout = timeout
        self.previous_excepthook: Callable[..., Any] | None = None


_default: _ProcessGroup | None = None


def _seconds(timeout: Any, where: str) -> float:
    if timeout is None:
        return DEFAULT_TIMEOUT
    seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else timeout
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
        raise ValueError(
            f"{where}: timeout must be a positive number of seconds or a datetime.timedelta, "
            f"got {timeout!r}"
        )
    return float(seconds)


def _group(op: str, group: Any = None) -> _ProcessGroup:
    """The default group, checked: initialised, and the only group asked for."""
    if group is not None:
        raise ValueError(
            f"{op}: npgrad.distributed has one process group (every rank of the job); "
            f"pass group=None, got {group!r}"
        )
    if _default is None:
        raise ValueError(
            f"{op}: Default process group has not been initialized, please make sure to call "
            "init_process_group."
        )
    return _default


class Work:
    """A collective in flight (``async_op=True``): ``wait()`` until it has completed.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.distributed as dist
    >>> dist.init_process_group("fake", world_size=2, rank=0)
    >>> x = npgrad.tensor([1.0, 2.0])
    >>> work = dist.all_reduce(x, async_op=True)
    >>> work.wait(), x
    (True, tensor([2., 4.]))
    >>> dist.destroy_process_group()
    """

    __slots__ = ("_request", "_op", "_finish", "_done")

    def __init__(self, request: Any, op: str, finish: Callable[[], None] | None = None) -> None:
        self._request = request
        self._op = op
        self._finish = finish
        self._done = False

    def _complete(self) -> bool:
        if self._finish is not None:
            finish, self._finish = self._finish, None
            finish()
        self._done = True
        return True

    def is_completed(self) -> bool:
        """Whether the collective has completed (also lets MPI progress it)."""
        return self._done or (self._request.Test() and self._complete())

    def wait(self, timeout: float | timedelta | None = None) -> bool:
        """Block until the collective completes; its results are then in place.

        Parameters
        ----------
        timeout : float or timedelta, optional
            At most this long (default: the process group's timeout).

        Raises
        ------
        RuntimeError
            When it has not completed in time: some rank did not take part.
        """
        if self._done:
            return True
        request = self._request
        if not request.Test():
            seconds = _seconds(timeout, f"{self._op}.wait") if timeout is not None else None
            _poll(request, self._op, seconds)
        return self._complete()


def _poll(request: Any, op: str, seconds: float | None) -> None:
    group = _default
    if seconds is None:
        seconds = group.timeout if group is not None else DEFAULT_TIMEOUT
    start = time.monotonic()
    deadline = start + seconds
    delay = 0.0
    while not request.Test():
        now = time.monotonic()
        if now >= deadline:
            where = f" (rank {group.backend.rank} of {group.backend.size})" if group else ""
            raise RuntimeError(
                f"{op}: timed out after {seconds:g} s waiting for the other ranks{where}. A rank "
                "that stopped taking part (it raised, hangs or took another code path) leaves "
                "the others waiting; a longer timeout is set with "
                "init_process_group(timeout=...)"
            )
        if now - start > _SPIN_SECONDS:
            delay = min(max(2 * delay, 1e-5), _MAX_SLEEP)
            time.sleep(delay)


def is_available() -> bool:
    """Whether ``mpi4py`` is installed (``pip install npgrad-core[mpi]``).

    Examples
    --------
    >>> import npgrad.distributed as dist
    >>> isinstance(dist.is_available(), bool)
    True
    """
    try:
        return importlib.util.find_spec("mpi4py") is not None
    except (ImportError, ValueError):  # e.g. sys.modules["mpi4py"] = None blocks it
        return False


is_mpi_available = is_available


def is_initialized() -> bool:
    """Whether :func:`init_process_group` has been called (and not undone).

    Examples
    --------
    >>> import npgrad.distributed as dist
    >>> dist.is_initialized()
    False
    """
    return _default is not None


def init_process_group(
    backend: str | None = None,
    init_method: str | None = None,
    timeout: float | timedelta | None = None,
    world_size: int = -1,
    rank: int = -1,
    *,
    abort_on_exception: bool = True,
) -> None:
    """Join the job's process group: every process started by ``mpiexec -n N``.

    Parameters
    ----------
    backend : {"mpi", "fake"}, optional
        ``"mpi"`` (the default) runs over ``mpi4py`` (``pip install npgrad-core[mpi]``).
        ``"fake"`` simulates a world of ``world_size`` ranks inside this one process, in which
        every other rank holds the same values as this one: for unit tests and examples
        without MPI (PyTorch's tests have a fake process group too).
    init_method : None
        MPI learns the ranks from ``mpiexec``: there is nothing to rendezvous with.
    timeout : float or timedelta, optional
        How long a collective waits for the other ranks before raising RuntimeError
        (default 30 minutes, as PyTorch).
    world_size, rank : int, optional
        With MPI, checked against what ``mpiexec`` started when given; required with
        ``"fake"``.
    abort_on_exception : bool, optional
        An uncaught exception on any rank prints its traceback and then aborts every rank
        (``MPI_Abort``), so that no rank waits forever for one that died. (npgrad's addition.)

    Raises
    ------
    ImportError
        Without ``mpi4py``: the message says ``pip install npgrad-core[mpi]``.
    ValueError
        For another backend, an ``init_method``, a bad timeout, a world size or rank that
        ``mpiexec`` did not start, or a second initialisation.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.distributed as dist
    >>> dist.init_process_group("fake", world_size=2, rank=1)  # simulated; mpiexec: "mpi"
    >>> dist.get_rank(), dist.get_world_size(), dist.get_backend()
    (1, 2, 'fake')
    >>> dist.destroy_process_group()
    """
    name = "mpi" if backend is None else str(backend).lower()
    if name not in ("mpi", "fake"):
        raise ValueError(
            f"init_process_group: backend {backend!r} is not available in npgrad: the backend "
            "is 'mpi' (launch the script with `mpiexec -n N python script.py`), or 'fake' for "
            "a simulated world in tests"
        )
    if init_method is not None:
        raise ValueError(
            f"init_process_group: init_method={init_method!r} is not used with MPI: mpiexec "
            "tells every process its rank and the world size; leave it None"
        )
    seconds = _seconds(timeout, "init_process_group")
    if _default is not None:
        raise ValueError(
            "init_process_group: trying to initialize the default process group twice!"
        )
    if name == "fake":
        from npgrad.distributed._fake import FakeBackend

        if world_size in (-1, None) or rank in (-1, None):
            raise ValueError("init_process_group: the 'fake' backend needs world_size and rank")
        _init_backend(FakeBackend(rank=rank, size=world_size), seconds)
        return
    from npgrad.distributed._mpi import MPIBackend

    mpi = MPIBackend()
    for what, wanted, actual in (("world_size", world_size, mpi.size), ("rank", rank, mpi.rank)):
        if wanted not in (-1, None) and wanted != actual:
            raise ValueError(
                f"init_process_group: {what}={wanted} was requested but mpiexec started this "
                f"process with {what} {actual} (world size {mpi.size}); the world size is "
                "mpiexec's -n"
            )
    _init_backend(mpi, seconds, abort_on_exception)


def _init_backend(backend: Any, timeout: float = DEFAULT_TIMEOUT, abort: bool = False) -> None:
    """Make ``backend`` (an MPIBackend, or a FakeBackend in tests) the default group."""
    global _default
    if _default is not None:
        raise ValueError(
            "init_process_group: trying to initialize the default process group twice!"
        )
    group = _ProcessGroup(backend, timeout)
    if abort and backend.size > 1:
        group.previous_excepthook = sys.excepthook
        sys.excepthook = _abort_on_uncaught
    _default = group


def _abort_on_uncaught(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> None:
    group = _default
    previous = group.previous_excepthook if group is not None else None
    if previous is not None and previous is not sys.__excepthook__:
        previous(kind, value, tb)  # a hook the program installed prints it its way
        text = ""
    else:
        text = "".join(traceback.format_exception(kind, value, tb))
    if group is None:
        sys.stderr.write(text)
        return
    rank, size = group.backend.rank, group.backend.size
    text += (
        f"npgrad.distributed: rank {rank} raised {kind.__name__}; aborting all {size} ranks "
        "(MPI_Abort) so that none of them waits for it\n"
    )
    for stream, data in ((sys.stderr, text), (sys.stdout, "")):
        with contextlib.suppress(Exception):  # a closed stream must not stop the abort
            stream.write(data)  # one write: the launcher forwards it whole or not at all
            stream.flush()
    # MPI_Abort tears the job down at once; the launcher may not yet have forwarded what this
    # rank just wrote, and a traceback that never arrives is the worst way to fail
    time.sleep(_ABORT_GRACE)
    group.backend.abort(1)


def destroy_process_group(group: Any = None) -> None:
    """Leave the process group (it can be initialised again; MPI itself stays initialised
    until the process exits)."""
    global _default
    current = _group("destroy_process_group", group)
    if sys.excepthook is _abort_on_uncaught and current.previous_excepthook is not None:
        sys.excepthook = current.previous_excepthook
    _default = None


def get_rank(group: Any = None) -> int:
    """This process's rank, ``0 .. get_world_size() - 1``."""
    return int(_group("get_rank", group).backend.rank)


def get_world_size(group: Any = None) -> int:
    """How many processes take part (``mpiexec -n``)."""
    return int(_group("get_world_size", group).backend.size)


def get_backend(group: Any = None) -> str:
    """The backend's name: ``"mpi"``."""
    return str(_group("get_backend", group).backend.name)
