"""Launching `mpiexec -n N` jobs from the tests, with a bounded time.

The tests here are marked `mpi` and run by `nox -s distributed`, which installs mpi4py and the
MPICH wheel. Elsewhere they skip, unless NPGRAD_REQUIRE_MPI is set (the distributed session sets
it), where a missing MPI fails them instead: that session must never pass by skipping.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).parent / "scripts"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Job:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _mpiexec() -> str | None:
    # the venv's own launcher (the mpich wheel puts it next to python) before any other
    beside = Path(sys.executable).parent / "mpiexec"
    return str(beside) if beside.exists() else shutil.which("mpiexec")


@pytest.fixture(scope="session")
def mpirun() -> Callable[..., Job]:
    """``mpirun(n, script, *args, timeout=)``: run ``python script`` on ``n`` ranks and return
    its exit code and output; a job still running after ``timeout`` seconds is killed (with all
    its processes) and the test fails."""
    mpiexec = _mpiexec()
    if mpiexec is None or importlib.util.find_spec("mpi4py") is None:
        reason = "needs mpi4py and mpiexec (`nox -s distributed` installs both)"
        if os.environ.get("NPGRAD_REQUIRE_MPI"):
            pytest.fail(reason)
        pytest.skip(reason)

    def run(n: int, script: str | Path, *args: str, timeout: float = 180) -> Job:
        path = Path(script) if Path(script).is_absolute() else SCRIPTS / script
        env = dict(os.environ)
        # n ranks share two cores: one BLAS thread each
        env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        env["PYTHONUNBUFFERED"] = "1"
        command = [mpiexec, "-n", str(n), sys.executable, str(path), *args]
        proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
            start_new_session=True,  # its own process group: a hang is killed whole
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            pytest.fail(
                f"`mpiexec -n {n} {path.name} {' '.join(args)}` was still running after "
                f"{timeout} s (a hang) and was killed\n--- stdout\n{out}\n--- stderr\n{err}"
            )
        return Job(proc.returncode, out, err)

    return run
