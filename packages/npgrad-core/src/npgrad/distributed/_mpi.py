"""The MPI backend: npgrad's collectives on ``mpi4py``'s buffer API.

``mpi4py`` is optional (``pip install npgrad-core[mpi]``) and imported only when a process group
is created, because importing ``mpi4py.MPI`` initialises MPI. Every collective is started
non-blocking (``Iallreduce``, ``Ibcast`` ...) so that the caller can wait with a timeout
(:class:`npgrad.distributed.Work`) instead of blocking forever on a rank that never arrives.
Arrays are handed to MPI as they are: reductions run in place (``MPI.IN_PLACE``), with no copy
on npgrad's side.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["MPIBackend", "load_mpi"]

INSTALL_HINT = "pip install npgrad-core[mpi]"

# npgrad's internal reduction names (see collectives._mpi_op) -> mpi4py's MPI.Op attribute
_OPS = {
    "sum": "SUM",
    "prod": "PROD",
    "max": "MAX",
    "min": "MIN",
    "band": "BAND",
    "bor": "BOR",
    "bxor": "BXOR",
    "land": "LAND",
    "lor": "LOR",
    "lxor": "LXOR",
}


def load_mpi() -> Any:
    """Import and return ``mpi4py.MPI``, or raise ImportError saying how to install it.

    Raises
    ------
    ImportError
        When ``mpi4py`` (or the MPI library it needs) is not installed.

    Examples
    --------
    >>> from npgrad.distributed._mpi import load_mpi
    >>> try:
    ...     MPI = load_mpi()
    ... except ImportError as exc:
    ...     assert "pip install npgrad-core[mpi]" in str(exc)
    """
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise ImportError(
            "npgrad.distributed needs mpi4py and an MPI library: "
            f"`{INSTALL_HINT}` (with an MPI runtime, e.g. `pip install mpich`), then launch "
            f"the script with `mpiexec -n N python script.py` ({exc})"
        ) from exc
    return MPI


class MPIBackend:
    """Collectives over an MPI communicator (``MPI.COMM_WORLD`` by default).

    Each method starts a non-blocking MPI operation and returns its request (an object with
    ``Test() -> bool``); :class:`npgrad.distributed.Work` waits on it.

    Parameters
    ----------
    comm : mpi4py.MPI.Comm, optional
        The communicator; ``MPI.COMM_WORLD`` when omitted.
    """

    name = "mpi"

    def __init__(self, comm: Any = None) -> None:
        self.MPI = load_mpi()
        self.comm = self.MPI.COMM_WORLD if comm is None else comm
        self.rank: int = self.comm.Get_rank()
        self.size: int = self.comm.Get_size()

    def _op(self, op: str) -> Any:
        return getattr(self.MPI, _OPS[op])

    def allreduce(self, buf: np.ndarray, op: str) -> Any:
        """Reduce ``buf`` across ranks in place."""
        return self.comm.Iallreduce(self.MPI.IN_PLACE, buf, self._op(op))

    def bcast(self, buf: np.ndarray, root: int) -> Any:
        """Overwrite ``buf`` with rank ``root``'s."""
        return self.comm.Ibcast(buf, root=root)

    def allgather(self, send: np.ndarray, recv: np.ndarray) -> Any:
        """``recv`` (``size`` times as large as ``send``) gets every rank's ``send``, in rank
        order."""
        return self.comm.Iallgather(send, recv)

    def reduce_scatter_block(self, send: np.ndarray, recv: np.ndarray, op: str) -> Any:
        """Reduce ``send`` (``size`` blocks) across ranks; rank ``r`` receives block ``r``."""
        return self.comm.Ireduce_scatter_block(send, recv, self._op(op))

    def barrier(self) -> Any:
        return self.comm.Ibarrier()

    def abort(self, code: int) -> None:
        """End every process of the job (``MPI_Abort``)."""
        self.comm.Abort(code)
