"""Run under `mpiexec -n N` with one argument, how the last rank misbehaves:

raise     it raises before a collective the others are already waiting in;
hang      it never joins that collective (and never exits by itself);
mismatch  it builds a different model for DistributedDataParallel.

The others must fail with an error instead of waiting forever: through MPI_Abort on the
uncaught exception (raise, mismatch) or the collective's timeout (hang, 3 s here).
"""

from __future__ import annotations

import sys
import threading

import npgrad
import npgrad.distributed as dist

mode = sys.argv[1]
dist.init_process_group(timeout=3 if mode == "hang" else 600)
rank, world = dist.get_rank(), dist.get_world_size()
last = rank == world - 1
print(f"rank {rank} of {world}: started", flush=True)

if mode == "raise":
    if last:
        raise ValueError(f"rank {rank} failed on purpose")
    dist.all_reduce(npgrad.ones(3))  # waits for the last rank, which died
elif mode == "hang":
    if last:
        threading.Event().wait()  # stuck forever: only the abort of the job ends it
    dist.all_reduce(npgrad.ones(3))
elif mode == "mismatch":
    from npgrad import nn
    from npgrad.nn.parallel import DistributedDataParallel

    DistributedDataParallel(nn.Linear(4, 3 if last else 2))
else:
    raise SystemExit(f"unknown mode {mode!r}")
print(f"rank {rank} of {world}: finished, which it must not", flush=True)
