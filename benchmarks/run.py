"""Run the speed suite: ``python benchmarks/run.py [--threads 1 2] [--workloads ...]``.

For each thread count a fresh process sets the BLAS thread variables *before* NumPy is
imported, builds every workload for npgrad, hand-written NumPy and (when installed) PyTorch,
checks that they compute the same numbers, then times them round-robin — one call each in
turn, a short pause between turns — and reports medians and ratios. Results go to
``benchmarks/results/`` as Markdown and JSON. Run it with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset (``nox -s bench`` does).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def measure(workloads: list[str], repeat: int) -> dict:
    import numpy as np

    sys.path.insert(0, str(HERE))
    from workloads import TARGETS, WORKLOADS

    frameworks = ["npgrad", "numpy"]
    try:
        import torch

        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
        frameworks.append("torch")
    except ImportError:
        pass
    results = {}
    for name in workloads:
        steps, outputs = {}, {}
        for fw in frameworks:
            step, result = WORKLOADS[name](fw, np.random.default_rng(0))
            step()  # warm up, and produce the values to compare
            steps[fw], outputs[fw] = step, result()
        for fw in frameworks[1:]:
            for got, want in zip(outputs["npgrad"], outputs[fw]):
                if not np.allclose(got, want, rtol=2e-3, atol=2e-4):
                    raise SystemExit(
                        f"{name}: npgrad and {fw} disagree (max diff {np.abs(got - want).max()})"
                    )
        times: dict[str, list[float]] = {fw: [] for fw in frameworks}
        for _ in range(repeat):
            for fw in frameworks:
                t0 = time.perf_counter()
                steps[fw]()
                times[fw].append(time.perf_counter() - t0)
                time.sleep(0.005)
        med = {fw: float(np.median(ts)) * 1e3 for fw, ts in times.items()}
        ref, target = TARGETS[name]
        results[name] = {
            "median_ms": med,
            "ratio_vs_numpy": med["npgrad"] / med["numpy"],
            "ratio_vs_torch": med["npgrad"] / med["torch"] if "torch" in med else None,
            "target": {"reference": ref, "max_ratio": target},
        }
    return results


def report(all_results: dict, out_dir: Path) -> str:
    lines = [
        "| threads | workload | npgrad ms | numpy ms | torch ms | npgrad/numpy | npgrad/torch | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for threads, res in all_results["runs"].items():
        for name, r in res.items():
            m, t = r["median_ms"], r["target"]
            cells = [
                m["npgrad"],
                m["numpy"],
                m.get("torch"),
                r["ratio_vs_numpy"],
                r["ratio_vs_torch"],
            ]
            row = " | ".join("–" if v is None else f"{v:.2f}" for v in cells)
            lines.append(f"| {threads} | {name} | {row} | ≤ {t['max_ratio']} × {t['reference']} |")
    text = "\n".join(lines) + "\n"
    if all_results.get("loader"):
        text += "\n| data loading (ToTensor + Normalize, 64x64 RGB) | images/s |\n|---|---|\n"
        text += "".join(f"| {k} | {v:,.0f} |\n" for k, v in all_results["loader"].items())
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.md").write_text(
        f"# Benchmark results\n\n{all_results['machine']}\n\n" + text
    )
    (out_dir / "results.json").write_text(json.dumps(all_results, indent=2))
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--workloads", nargs="+", default=None, help="default: all of them")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--no-loader", action="store_true", help="skip the loader throughput")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.workloads is None:
        sys.path.insert(0, str(HERE))
        from workloads import WORKLOADS

        args.workloads = list(WORKLOADS)
    if args.child:  # measuring process: thread variables were set by the parent
        print(json.dumps(measure(args.workloads, args.repeat)))
        return
    runs = {}
    for n in args.threads:
        env = dict(os.environ, **{v: str(n) for v in THREAD_VARS})
        cmd = [
            sys.executable,
            __file__,
            "--child",
            "--repeat",
            str(args.repeat),
            "--workloads",
            *args.workloads,
        ]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode:
            sys.stderr.write(done.stderr)
            raise SystemExit(done.returncode)
        runs[str(n)] = json.loads(done.stdout.strip().splitlines()[-1])
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    loader = None
    if not args.no_loader:  # data-loading throughput (benchmarks/loader.py), 1 BLAS thread
        env = dict(os.environ, **dict.fromkeys(THREAD_VARS, "1"))
        done = subprocess.run(
            [sys.executable, str(HERE / "loader.py"), "--json"],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            sys.stderr.write(done.stderr)
            raise SystemExit(done.returncode)
        loader = json.loads(done.stdout.strip().splitlines()[-1])
    print(report({"machine": machine, "runs": runs, "loader": loader}, args.out))


if __name__ == "__main__":
    main()
