"""Training throughput of examples/ddp_digits.py on 1 and 2 processes (and more on request).

    python benchmarks/ddp_throughput.py [--ranks 1 2] [--epochs 4] [--batch-size 64]

Needs mpi4py and an MPI runtime in the running environment (``nox -s distributed`` builds one:
``.nox/distributed/bin/python benchmarks/ddp_throughput.py``). Each run uses the same global
batch, so N ranks do 1/N of the work per step each and communicate once per step. The median
of the per-epoch samples/s (the first epoch excluded, it warms up) is reported, and the
speed-up against one rank; nothing is asserted. Each rank gets one BLAS thread.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ddp_digits.py"


def throughput(ranks: int, epochs: int, batch_size: int, mpiexec: str) -> float:
    """Median samples/s over the epochs after the first, with ``ranks`` processes."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    command = [mpiexec, "-n", str(ranks), sys.executable, str(EXAMPLE)]
    command += ["--epochs", str(epochs), "--batch-size", str(batch_size)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    rates = [float(r) for r in re.findall(r"^epoch .* (\d+) samples/s$", done.stdout, re.M)]
    if len(rates) < 2:
        raise SystemExit(f"no per-epoch throughput in the output:\n{done.stdout}")
    return statistics.median(rates[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=64, help="global; divisible by ranks")
    args = parser.parse_args()
    if any(args.batch_size % ranks for ranks in args.ranks):
        parser.error(f"--batch-size {args.batch_size} must split evenly among {args.ranks} ranks")
    beside = Path(sys.executable).parent / "mpiexec"
    mpiexec = str(beside) if beside.exists() else shutil.which("mpiexec")
    if mpiexec is None:
        raise SystemExit("mpiexec not found: install an MPI runtime (pip install mpich)")
    print(
        f"{os.cpu_count()} cores; examples/ddp_digits.py, global batch {args.batch_size}, "
        f"{args.epochs} epochs"
    )
    print("| ranks | samples/s | speed-up |\n|---|---|---|")
    base = None
    for ranks in args.ranks:
        rate = throughput(ranks, args.epochs, args.batch_size, mpiexec)
        base = base or rate
        print(f"| {ranks} | {rate:.0f} | {rate / base:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
