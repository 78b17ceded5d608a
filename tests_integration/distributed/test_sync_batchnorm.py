"""SyncBatchNorm across real processes: `mpiexec -n 2` and `-n 3` jobs (`nox -s distributed`).

The script checks every rank's results against one BatchNorm on the whole batch and raises on
any mismatch; an uncaught exception aborts the whole job, so a failure shows as a non-zero
exit with the traceback, and a hang as a killed job (the launcher's timeout).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.mpi

LABELS = (
    "equal batches",
    "different batch sizes",
    "an empty rank",
    "float32",
    "second order",
    "ddp training",
)


@pytest.mark.parametrize("n", [2, 3])
def test_sync_batch_norm_on_n_ranks_equals_batch_norm_on_the_whole_batch(mpirun, n):
    job = mpirun(n, "sync_batchnorm.py")
    assert job.returncode == 0, job.output
    for label in LABELS:
        for rank in range(n):
            assert f"rank {rank} of {n}: {label} ok" in job.stdout, job.output
