"""The process group: initialisation, errors without mpi4py, the MPI backend's calls (against a
stand-in mpi4py module), the abort-on-uncaught-exception hook, docstrings."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys
import types
from datetime import timedelta

import numpy as np
import pytest

import npgrad
import npgrad.distributed as dist
from npgrad.distributed import _group

MODULES = [
    "npgrad.distributed",
    "npgrad.distributed._collectives",
    "npgrad.distributed._fake",
    "npgrad.distributed._group",
    "npgrad.distributed._mpi",
]


@pytest.fixture
def no_mpi4py(monkeypatch):
    """Make `import mpi4py` fail as when it is not installed."""
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    monkeypatch.delitem(sys.modules, "mpi4py.MPI", raising=False)


class _Request:
    def Test(self):  # noqa: N802 - mpi4py's name
        return True


class _Comm:
    """Records what npgrad hands to mpi4py; a world of ``size`` ranks that never changes data."""

    def __init__(self, rank, size):
        self.rank, self.size, self.calls = rank, size, []

    def Get_rank(self):  # noqa: N802
        return self.rank

    def Get_size(self):  # noqa: N802
        return self.size

    def __getattr__(self, name):
        if not name.startswith("I") and name != "Abort":
            raise AttributeError(name)

        def call(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            return _Request()

        return call


@pytest.fixture
def fake_mpi4py(monkeypatch):
    """A stand-in `mpi4py` package whose COMM_WORLD records calls (rank 1 of 2)."""
    mpi = types.ModuleType("mpi4py.MPI")
    for op in ("SUM", "PROD", "MAX", "MIN", "BAND", "BOR", "BXOR", "LAND", "LOR", "LXOR"):
        setattr(mpi, op, f"MPI.{op}")
    mpi.IN_PLACE = "MPI.IN_PLACE"
    mpi.COMM_WORLD = _Comm(rank=1, size=2)
    package = types.ModuleType("mpi4py")
    package.MPI = mpi
    monkeypatch.setitem(sys.modules, "mpi4py", package)
    monkeypatch.setitem(sys.modules, "mpi4py.MPI", mpi)
    yield mpi
    if _group._default is not None:
        dist.destroy_process_group()


def test_nothing_works_before_init_process_group():
    assert not dist.is_initialized()
    message = "Default process group has not been initialized, please make sure to call"
    for call in (dist.get_rank, dist.get_world_size, dist.barrier, dist.destroy_process_group):
        with pytest.raises(ValueError, match=message):
            call()
    with pytest.raises(ValueError, match="all_reduce: " + message):
        dist.all_reduce(npgrad.ones(2))


def test_without_mpi4py_init_says_what_to_install(no_mpi4py):
    assert dist.is_available() is False and dist.is_mpi_available() is False
    with pytest.raises(ImportError, match=r"pip install npgrad-core\[mpi\]"):
        dist.init_process_group()
    with pytest.raises(ImportError, match=r"pip install npgrad-core\[mpi\]"):
        dist.init_process_group("mpi")
    assert not dist.is_initialized()


def test_importing_npgrad_distributed_does_not_import_mpi4py():
    code = (
        "import sys; sys.modules['mpi4py'] = None\n"  # any import of mpi4py now raises
        "import npgrad, npgrad.distributed as dist\n"
        "print(dist.is_available(), dist.is_initialized())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"backend": "gloo"}, "backend 'gloo' is not available in npgrad"),
        ({"backend": "nccl"}, "the backend is 'mpi'"),
        ({"init_method": "env://"}, "init_method='env://' is not used with MPI"),
        ({"timeout": 0}, "timeout must be a positive number of seconds"),
        ({"timeout": "1s"}, "timeout must be a positive number of seconds"),
        ({"backend": "fake"}, "the 'fake' backend needs world_size and rank"),
    ],
)
def test_init_process_group_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        dist.init_process_group(**kwargs)
    assert not dist.is_initialized()


def test_fake_backend_group_lifecycle():
    dist.init_process_group("fake", world_size=3, rank=2, timeout=timedelta(seconds=5))
    try:
        assert dist.is_initialized()
        assert (dist.get_rank(), dist.get_world_size(), dist.get_backend()) == (2, 3, "fake")
        assert _group._default.timeout == 5.0
        with pytest.raises(ValueError, match="initialize the default process group twice"):
            dist.init_process_group("fake", world_size=3, rank=2)
    finally:
        dist.destroy_process_group()
    assert not dist.is_initialized()
    with pytest.raises(ValueError, match=r"rank 3 is not in \[0, 2\]"):
        dist.init_process_group("fake", world_size=3, rank=3)


def test_the_mpi_backend_reduces_in_place_on_the_tensor_s_array(fake_mpi4py):
    dist.init_process_group(timeout=12)
    assert (dist.get_rank(), dist.get_world_size(), dist.get_backend()) == (1, 2, "mpi")
    x = npgrad.ones(3)
    dist.all_reduce(x, op=dist.ReduceOp.MAX)
    name, args, _ = fake_mpi4py.COMM_WORLD.calls[-1]
    assert name == "Iallreduce" and args[0] == "MPI.IN_PLACE" and args[2] == "MPI.MAX"
    assert args[1] is x._data  # the tensor's own memory: no copy
    dist.all_reduce(npgrad.tensor([True]), op=dist.ReduceOp.SUM)
    assert fake_mpi4py.COMM_WORLD.calls[-1][1][2] == "MPI.LOR"
    dist.broadcast(x, src=0)
    assert fake_mpi4py.COMM_WORLD.calls[-1][0] == "Ibcast"
    assert fake_mpi4py.COMM_WORLD.calls[-1][2] == {"root": 0}
    out = npgrad.zeros(6)
    dist.all_gather_into_tensor(out, x)
    assert fake_mpi4py.COMM_WORLD.calls[-1][0] == "Iallgather"
    assert fake_mpi4py.COMM_WORLD.calls[-1][1][1] is out._data
    dist.reduce_scatter_tensor(x, out, op=dist.ReduceOp.MIN)
    assert fake_mpi4py.COMM_WORLD.calls[-1][0] == "Ireduce_scatter_block"
    dist.barrier()
    assert fake_mpi4py.COMM_WORLD.calls[-1][0] == "Ibarrier"


def test_init_checks_world_size_and_rank_against_mpiexec(fake_mpi4py):
    with pytest.raises(ValueError, match="world_size=4 was requested but mpiexec started"):
        dist.init_process_group(world_size=4)
    with pytest.raises(ValueError, match="rank=0 was requested but mpiexec started"):
        dist.init_process_group(rank=0)
    dist.init_process_group(world_size=2, rank=1)
    assert dist.is_initialized()


def test_an_uncaught_exception_aborts_every_rank(fake_mpi4py, capsys, monkeypatch):
    monkeypatch.setattr(_group, "_ABORT_GRACE", 0.0)
    previous = sys.excepthook
    dist.init_process_group()
    assert sys.excepthook is not previous
    try:
        raise ValueError("boom on rank 1")
    except ValueError as exc:
        sys.excepthook(ValueError, exc, exc.__traceback__)
    err = capsys.readouterr().err
    assert "ValueError: boom on rank 1" in err  # the traceback is printed first
    assert "rank 1 raised ValueError; aborting all 2 ranks" in err
    assert fake_mpi4py.COMM_WORLD.calls[-1][0] == "Abort"
    dist.destroy_process_group()
    assert sys.excepthook is previous


def test_a_program_s_own_excepthook_still_reports_before_the_abort(fake_mpi4py, monkeypatch):
    monkeypatch.setattr(_group, "_ABORT_GRACE", 0.0)
    seen = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, value, tb: seen.append(str(value)))
    dist.init_process_group()
    sys.excepthook(KeyError, KeyError("lost"), None)
    assert seen == ["'lost'"]
    assert fake_mpi4py.COMM_WORLD.calls[-1][0] == "Abort"
    dist.destroy_process_group()
    assert sys.excepthook.__name__ == "<lambda>"


def test_abort_on_exception_can_be_turned_off(fake_mpi4py):
    previous = sys.excepthook
    dist.init_process_group(abort_on_exception=False)
    assert sys.excepthook is previous


def test_reduce_op_members_match_torch():
    assert [op.name for op in dist.ReduceOp] == [
        "SUM",
        "AVG",
        "PRODUCT",
        "MIN",
        "MAX",
        "BAND",
        "BOR",
        "BXOR",
    ]


@pytest.mark.torch
def test_public_names_exist_in_torch_distributed():
    torch_dist = pytest.importorskip("torch.distributed")
    ours = set(dist.__all__) - {"Work"}
    assert ours <= set(dir(torch_dist))
    for op in dist.ReduceOp:
        assert hasattr(torch_dist.ReduceOp, op.name)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
    assert not dist.is_initialized()  # every example cleans up its group


@pytest.mark.parametrize("name", MODULES)
def test_every_module_declares_all(name):
    module = importlib.import_module(name)
    assert all(hasattr(module, attr) for attr in module.__all__)


def test_fake_backend_reports_bad_peer_shapes():
    from npgrad.distributed._fake import FakeBackend

    backend = FakeBackend(rank=0, size=2, peer=lambda r, a: np.zeros(3))
    with pytest.raises(ValueError, match=r"peer 1 returned shape \(3,\), not \(2,\)"):
        backend.allreduce(np.ones(2), "sum")
