"""Multi-process tests: real `mpiexec -n 2` and `-n 3` jobs on this machine.

Each job runs a script from scripts/ that checks its own results and raises on any mismatch;
an uncaught exception aborts the whole job, so a failure shows as a non-zero exit with the
traceback, and a hang as a killed job (the launcher's timeout).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.mpi

ROOT = Path(__file__).resolve().parents[2]
WORLDS = [2, 3]


def assert_ok(job, n: int, *labels: str) -> None:
    assert job.returncode == 0, job.output
    for label in labels:
        for rank in range(n):
            assert f"rank {rank} of {n}: {label} ok" in job.stdout, job.output


@pytest.mark.parametrize("n", WORLDS)
def test_collectives_compute_what_each_rank_expects(mpirun, n):
    assert_ok(mpirun(n, "collectives.py"), n, "collectives")


@pytest.mark.parametrize("n", WORLDS)
def test_ddp_steps_equal_single_process_steps_on_the_concatenated_batches(mpirun, n):
    job = mpirun(n, "ddp_equivalence.py")
    assert_ok(
        job,
        n,
        "default buckets",
        "one bucket per parameter",
        "gradient as bucket view",
        "no_sync accumulation",
        "heads used on some ranks only",
        "heads split, small buckets, views",
        "buffers",
    )


@pytest.mark.parametrize("n", WORLDS)
def test_a_rank_that_raises_makes_the_others_fail_instead_of_hanging(mpirun, n):
    # the others wait in all_reduce with a 600 s timeout: only the abort ends the job in time
    job = mpirun(n, "failure.py", "raise", timeout=90)
    assert job.returncode != 0
    assert f"ValueError: rank {n - 1} failed on purpose" in job.stderr
    assert f"rank {n - 1} raised ValueError; aborting all {n} ranks" in job.stderr
    assert "finished, which it must not" not in job.stdout


@pytest.mark.parametrize("n", WORLDS)
def test_a_rank_that_never_arrives_makes_the_others_time_out(mpirun, n):
    job = mpirun(n, "failure.py", "hang", timeout=90)
    assert job.returncode != 0
    assert re.search(r"all_reduce: timed out after 3 s waiting for the other ranks", job.stderr)
    assert "finished, which it must not" not in job.stdout


def test_ddp_refuses_different_models_on_different_ranks(mpirun):
    job = mpirun(2, "failure.py", "mismatch", timeout=90)
    assert job.returncode != 0
    assert "DistributedDataParallel expects the same model on every rank" in job.stderr
    assert "(2, 4), 'float32', 'parameter') on rank 0 but ('weight', (3, 4)" in job.stderr


def test_importing_without_mpiexec_is_a_world_of_one(mpirun, tmp_path):
    # `python script.py` without mpiexec: MPI starts a singleton world
    script = tmp_path / "single.py"
    script.write_text(
        "import npgrad, npgrad.distributed as dist\n"
        "dist.init_process_group()\n"
        "x = npgrad.ones(2)\n"
        "dist.all_reduce(x)\n"
        "print('rank', dist.get_rank(), 'of', dist.get_world_size(), x.tolist())\n"
    )
    job = mpirun(1, script)
    assert job.returncode == 0, job.output
    assert "rank 0 of 1 [1.0, 1.0]" in job.stdout


@pytest.mark.slow
def test_ddp_digits_example_matches_the_single_process_accuracy(mpirun):
    example = ROOT / "examples" / "ddp_digits.py"
    args = ("--epochs", "4")
    one = mpirun(1, example, *args, timeout=300)
    two = mpirun(2, example, *args, timeout=300)
    accuracy = {}
    for n, job in ((1, one), (2, two)):
        assert job.returncode == 0, job.output
        found = re.findall(r"final test accuracy (\d+\.\d+)%", job.stdout)
        assert found, job.output
        accuracy[n] = float(found[-1])
    assert accuracy[1] >= 92 and accuracy[2] >= 92, accuracy
    # the same global batch and learning rate: the runs differ only in sample order and dropout
    assert abs(accuracy[1] - accuracy[2]) <= 3, accuracy
