"""Run the benchmark suite: ``python benchmarks/run.py [--threads 1 2] [--workloads ...]``.

For each thread count a fresh process sets the BLAS thread variables *before* NumPy is
imported, builds every workload for npgrad, hand-written NumPy and (when installed) PyTorch,
checks that they compute the same numbers — and stops loudly if not — then times them
round-robin (one call each in turn, a short pause between turns, the order rotating every
round) and reports medians and ratios against the targets. In the one-thread process each
workload that misses a target is then profiled (cProfile, npgrad's step only). Separate
processes measure memory (``memory.py``: peak RSS of the cnn training step and RSS over 2,000
steps) and data loading (``loader.py``).

Results go to ``benchmarks/results/``: ``results.md``, ``results.json`` (every sample) and
``ratios.png`` (``chart.py``); ``--docs`` also writes the tables and the chart into
``docs/performance.md`` (between its ``results:begin``/``results:end`` markers) and
``docs/img/ratios.png``. Run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset
(``nox -s bench`` does). ``--profile NAME ...`` only prints the profiles of those workloads.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
TUNING_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")  # must be unset while measuring
RTOL, ATOL = 2e-3, 2e-4  # npgrad vs the references: float32 sums in a different order
PAUSE = 0.005  # seconds between two turns of the round-robin
DOC = ROOT / "docs" / "performance.md"
DOC_IMAGE = ROOT / "docs" / "img" / "ratios.png"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
FRAMEWORK_NAMES = {"npgrad": "npgrad", "numpy": "NumPy", "torch": "PyTorch"}


# ---- in the measuring process ---------------------------------------------------------------
def targets_of(name: str) -> list[tuple[str, float]]:
    """The workload's targets as (reference, max ratio) pairs; TARGETS holds one or a list."""
    from workloads import TARGETS

    target = TARGETS.get(name, [])
    return [target] if isinstance(target, tuple) else list(target)


def check(name: str, outputs: dict[str, list[Any]]) -> None:
    """Raise SystemExit unless every reference computed npgrad's numbers (same count, shape,
    dtype; finite; equal within RTOL/ATOL). Nothing is timed after a disagreement."""
    import numpy as np

    ours = [np.asarray(a) for a in outputs["npgrad"]]
    for fw, theirs in outputs.items():
        if fw == "npgrad":
            continue
        problems = []
        if len(theirs) != len(ours) or not ours:
            problems.append(f"npgrad returned {len(ours)} results, {fw} {len(theirs)}")
        for i, (a, b) in enumerate(zip(ours, map(np.asarray, theirs))):
            if a.shape != b.shape or a.dtype != b.dtype:
                problems.append(f"result {i}: npgrad {a.dtype}{a.shape}, {fw} {b.dtype}{b.shape}")
            elif not np.isfinite(a).all():
                problems.append(f"result {i}: npgrad's has NaN or infinity")
            elif not np.allclose(a, b, rtol=RTOL, atol=ATOL):
                diff = np.abs(a.astype(np.float64) - b)
                worst = tuple(int(j) for j in np.unravel_index(diff.argmax(), diff.shape))
                problems.append(
                    f"result {i} {a.shape}: max |diff| {diff.max():.3g} at {worst}: "
                    f"npgrad {float(a[worst]):.6g}, {fw} {float(b[worst]):.6g}"
                )
        if problems:
            raise SystemExit(
                f"CHECK FAILED: workload {name!r}: npgrad and {fw} disagree "
                f"(rtol={RTOL}, atol={ATOL}); nothing is timed.\n  " + "\n  ".join(problems)
            )


def measure(workloads: list[str], repeat: int, log: bool = True) -> dict:
    import numpy as np
    from workloads import WORKLOADS

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
        check(name, outputs)
        times: dict[str, list[float]] = {fw: [] for fw in frameworks}
        for r in range(repeat):
            k = r % len(frameworks)  # rotate who goes first: no framework always follows another
            for fw in frameworks[k:] + frameworks[:k]:
                t0 = time.perf_counter()
                steps[fw]()
                times[fw].append(round((time.perf_counter() - t0) * 1e3, 4))
                time.sleep(PAUSE)
        med = {fw: float(np.median(ts)) for fw, ts in times.items()}
        entry: dict[str, Any] = {
            "median_ms": med,
            "quartiles_ms": {fw: np.percentile(ts, [25, 75]).tolist() for fw, ts in times.items()},
            "samples_ms": times,
            "ratio_vs_numpy": med["npgrad"] / med["numpy"],
            "ratio_vs_torch": med["npgrad"] / med["torch"] if "torch" in med else None,
        }
        entry["targets"] = [
            {
                "reference": ref,
                "max_ratio": limit,
                "ratio": entry[f"ratio_vs_{ref}"],
                "met": None
                if entry[f"ratio_vs_{ref}"] is None
                else entry[f"ratio_vs_{ref}"] <= limit,
            }
            for ref, limit in targets_of(name)
        ]
        results[name] = entry
        if log:
            times_text = ", ".join(f"{fw} {ms:.3g} ms" for fw, ms in med.items())
            print(f"  {name}: {times_text}", file=sys.stderr, flush=True)
    return results


def _where(filename: str, line: int, func: str) -> tuple[str, str]:
    """(category, readable name) of one profiler entry."""
    if filename == "~":
        return "NumPy and builtin functions called by name", func
    path = filename.replace("\\", "/")
    for root, category in (
        ("npgrad/", "npgrad's functions (with the array operators they apply)"),
        ("numpy/", "NumPy's Python functions"),
    ):
        cut = path.rfind("/" + root)
        if cut >= 0:
            return category, f"{path[cut + 1 :]}:{line} {func}"
    return "other Python", f"{Path(path).name}:{line} {func}"


def profile(name: str, seconds: float = 1.5, top: int = 10) -> dict:
    """cProfile of npgrad's step of ``name``: top functions by own time, the time by kind of
    function, and the function calls per step.

    cProfile sees function calls only: the NumPy work of an array *operator* (``a @ b``,
    ``a + b``, ``a[i]``) counts as the own time of the Python function applying it, while
    NumPy functions called by name (``np.exp``, ``arr.sum``) are entries of their own. Times
    include the profiler's overhead, which inflates Python-heavy code most: read the shares."""
    import cProfile
    import pstats

    import numpy as np
    from workloads import WORKLOADS

    step, _ = WORKLOADS[name]("npgrad", np.random.default_rng(0))
    step()
    t0 = time.perf_counter()
    step()
    n = max(3, int(seconds / max(time.perf_counter() - t0, 1e-6)))
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        step()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    categories: dict[str, float] = {}
    rows = []
    for (filename, line, func), (_, calls, own, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        category, label = _where(filename, line, func)
        categories[category] = categories.get(category, 0.0) + own
        rows.append(
            {
                "function": label,
                "category": category,
                "calls_per_step": calls / n,
                "own_ms_per_step": own / n * 1e3,
                "cum_ms_per_step": cum / n * 1e3,
                "share": own / total,
            }
        )
    rows.sort(key=lambda r: r["own_ms_per_step"], reverse=True)
    return {
        "steps": n,
        "ms_per_step_profiled": total / n * 1e3,
        "calls_per_step": stats.total_calls / n,  # type: ignore[attr-defined]
        "categories": {k: v / total for k, v in sorted(categories.items(), key=lambda kv: -kv[1])},
        "top": rows[:top],
        "ops": profile_ops(step, n, top),
    }


def profile_ops(step: Any, n: int, top: int) -> dict:
    """npgrad.profiler's view of ``n`` steps: the ops (forward) and backward nodes with the
    most self time, and the time outside every op (the step's own Python and NumPy code)."""
    from npgrad.profiler import profile as np_profile

    with np_profile() as prof:
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        wall = (time.perf_counter() - t0) * 1e6  # microseconds, as the profiler's
    ops = sorted(prof.key_averages(), key=lambda a: a.self_cpu_time_total, reverse=True)
    outside = wall - sum(a.self_cpu_time_total for a in ops)
    return {
        "ms_per_step_profiled": wall / n / 1e3,
        "outside_ops_share": outside / wall,
        "top": [
            {
                "op": a.key,
                "calls_per_step": a.count / n,
                "self_ms_per_step": a.self_cpu_time_total / n / 1e3,
                "share": a.self_cpu_time_total / wall,
            }
            for a in ops[:top]
        ],
    }


def environment() -> dict:
    import numpy as np

    info: dict[str, Any] = {
        "numpy": np.__version__,
        "blas_threads": os.environ.get("OMP_NUM_THREADS"),
    }
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]  # type: ignore[call-arg,index]
        info["blas"] = f"{blas.get('name')} {blas.get('version')}".strip()
    except Exception:  # noqa: BLE001 - older NumPy: no dicts mode
        info["blas"] = None
    try:
        import npgrad

        info["npgrad"] = getattr(npgrad, "__version__", None)
    except ImportError:
        info["npgrad"] = None
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        info["torch"] = None
    return info


def child(args: argparse.Namespace) -> None:
    """The measuring process: the thread variables were set by the parent."""
    sys.path.insert(0, str(HERE))
    out: dict[str, Any] = {"environment": environment()}
    if args.profile_only:
        out["profiles"] = {name: profile(name) for name in args.profile_only}
    else:
        print(f"threads {os.environ['OMP_NUM_THREADS']}:", file=sys.stderr, flush=True)
        out["runs"] = measure(args.workloads, args.repeat)
        out["profiles"] = {}
        if args.profile_missed:
            for name, entry in out["runs"].items():
                if any(t["met"] is False for t in entry["targets"]):
                    print(f"  profiling {name}", file=sys.stderr, flush=True)
                    out["profiles"][name] = profile(name)
    print(json.dumps(out))


# ---- in the parent process ------------------------------------------------------------------
def run_child(cmd: list[str], threads: int) -> dict:
    env = dict(os.environ, **{v: str(threads) for v in THREAD_VARS})
    for var in TUNING_VARS:
        env.pop(var, None)
    done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)  # stderr: live
    if done.returncode:
        raise SystemExit(f"benchmark process failed ({' '.join(cmd[1:])}): exit {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cpu_seconds() -> dict[str, float]:
    """CPU time so far: of the whole machine (busy and stolen by the hypervisor, from
    /proc/stat) and of this process and its finished children (the suite's own)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {"own": own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime}
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return out
    user, nice, system, _idle, _iowait, irq, softirq, steal = ticks + [0] * (8 - len(ticks))
    hz = os.sysconf("SC_CLK_TCK")
    out["busy"] = (user + nice + system + irq + softirq) / hz
    out["steal"] = steal / hz
    return out


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "cpu": cpu,
        "arch": platform.machine(),
        "cpus": os.cpu_count(),
        "system": platform.platform(terse=True),
        "python": platform.python_version(),
    }


def _num(v: float | None, digits: int = 3) -> str:
    if v is None:
        return "–"
    return f"{v:.{digits}g}" if v < 1000 else f"{v:,.0f}"


NOISY = 0.25  # a framework's interquartile range above this fraction of its median


def noisy(entry: dict) -> list[str]:
    """The frameworks whose times spread widely in this run (their ratios are less sure)."""
    return [
        fw
        for fw, (q25, q75) in entry["quartiles_ms"].items()
        if q75 - q25 > NOISY * entry["median_ms"][fw]
    ]


def _verdict(entry: dict) -> tuple[str, str]:
    """(target text, verdict text) of a workload's row."""
    texts, verdicts = [], []
    several = len(entry["targets"]) > 1
    for t in entry["targets"]:
        ref = FRAMEWORK_NAMES[t["reference"]]
        texts.append(f"≤ {t['max_ratio']:g}× {ref}")
        if t["met"] is None:
            verdict = f"– (no {ref})"
        elif t["met"]:
            verdict = "met"
        else:
            verdict = f"**missed**, +{(t['ratio'] / t['max_ratio'] - 1) * 100:.0f} %"
        verdicts.append(f"{ref}: {verdict}" if several else verdict)
    verdict = "; ".join(verdicts) or "–"
    spread = noisy(entry)
    if spread:
        verdict += f" (noisy: {', '.join(FRAMEWORK_NAMES[fw] for fw in spread)})"
    return "; ".join(texts) or "–", verdict


def speed_table(runs: dict) -> str:
    lines = [
        "| threads | workload | npgrad ms | NumPy ms | PyTorch ms | npgrad / NumPy "
        "| npgrad / PyTorch | target (1 thread) | verdict |",
        "|---|---|--:|--:|--:|--:|--:|---|---|",
    ]
    for threads, res in runs.items():
        for name, r in res.items():
            m = r["median_ms"]
            target, verdict = _verdict(r)
            cells = [
                threads,
                f"`{name}`",
                _num(m["npgrad"]),
                _num(m["numpy"]),
                _num(m.get("torch")),
                "–" if r["ratio_vs_numpy"] is None else f"{r['ratio_vs_numpy']:.2f}",
                "–" if r["ratio_vs_torch"] is None else f"{r['ratio_vs_torch']:.2f}",
                target,
                verdict,
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def profile_text(name: str, p: dict) -> str:
    shares = ", ".join(f"{k} {v * 100:.0f} %" for k, v in p["categories"].items() if v >= 0.005)
    lines = [
        f"**`{name}`** — {p['steps']} profiled steps, {p['ms_per_step_profiled']:.3g} ms and "
        f"{p['calls_per_step']:,.0f} function calls each under the profiler; own time: {shares}.",
        "",
        "| own time | ms / step | calls / step | function |",
        "|--:|--:|--:|---|",
    ]
    for row in p["top"]:
        fn = row["function"].replace("|", "\\|")
        lines.append(
            f"| {row['share'] * 100:.1f} % | {row['own_ms_per_step']:.3g} "
            f"| {row['calls_per_step']:,.0f} | `{fn}` |"
        )
    ops = p.get("ops")
    if ops:
        lines += [
            "",
            f"By op (`npgrad.profiler`, {ops['ms_per_step_profiled']:.3g} ms a step under it; "
            f"{ops['outside_ops_share'] * 100:.0f} % of the step ran outside every op):",
            "",
            "| self time | ms / step | calls / step | op or backward node |",
            "|--:|--:|--:|---|",
        ]
        for row in ops["top"]:
            lines.append(
                f"| {row['share'] * 100:.1f} % | {row['self_ms_per_step']:.3g} "
                f"| {row['calls_per_step']:,.0f} | `{row['op']}` |"
            )
    return "\n".join(lines) + "\n"


def header(results: dict) -> str:
    m, env, load = results["machine"], results["environment"], results["load"]
    versions = f"Python {m['python']}, NumPy {env['numpy']}"
    if env.get("blas"):
        versions += f" ({env['blas']})"
    if env.get("torch"):
        versions += f", PyTorch {env['torch']}"
    start, end = ("/".join(f"{x:.2f}" for x in load[k]) for k in ("start", "end"))
    text = (
        f"Measured {results['date']} on {m['cpu']} ({m['arch']}, {m['cpus']} CPUs, "
        f"{m['system']}); {versions}; {results['repeat']} rounds per workload, "
        f"{results['seconds']} s in all. Load average (1, 5, 15 min, as `uptime` shows it; the "
        f"suite itself adds about 1): {start} at the start, {end} at the end."
    )
    others = load.get("others_cpus")
    if others is not None:
        text += (
            f" Other processes kept {others:.2f} CPUs busy on average during the run"
            + (
                f" and the hypervisor took {load['stolen_cpus']:.2f}"
                if load["stolen_cpus"] > 0.01
                else ""
            )
            + " (the machine's CPU time from `/proc/stat` minus the suite's own)."
        )
        busy = others + load["stolen_cpus"] > 0.25
    else:
        busy = max(load["start"][0], load["end"][0]) > 1.5
    if busy:
        text += (
            " That load inflates the absolute times and their spread; the ratios, measured"
            " round-robin in one process, much less so — except with 2 threads on 2 CPUs, where"
            " every product waits for a thread that has to share its CPU."
        )
    return text


def markdown(results: dict, image: str, level: int = 2) -> str:
    h = "#" * level
    parts = [header(results), ""]
    if results.get("runs"):
        parts += [
            f"{h} Speed",
            "",
            f"![npgrad / PyTorch and npgrad / NumPy per workload, 1 and 2 threads]({image})",
            "",
            speed_table(results["runs"]),
            "Medians of the rounds, in milliseconds per step. *noisy*: that framework's "
            f"interquartile range exceeded {NOISY:.0%} of its median in this run.",
            "",
        ]
    if results.get("memory"):
        import memory

        parts += [f"{h} Memory", "", memory.report(results["memory"]["npgrad"])]
        refs = {k: v for k, v in results["memory"].items() if k != "npgrad"}
        if refs:
            parts += [
                "Against the same step of the references, each in a process of its own "
                f"(they ran {next(iter(refs.values()))['steps']} steps):",
                "",
                "| cnn step of | peak RSS while training | step working set |",
                "|---|--:|--:|",
            ]
            parts += [
                f"| {FRAMEWORK_NAMES[fw]} | {v['peak_rss_kib'] / 1024:.1f} MiB "
                f"| {v['step_working_set_kib'] / 1024:.1f} MiB |"
                for fw, v in results["memory"].items()
            ]
            parts.append("")
    if results.get("loader"):
        parts += [
            f"{h} Data loading",
            "",
            "ToTensor + Normalize on 64×64 RGB PIL images, batch 64 (`benchmarks/loader.py`):",
            "",
            "| pipeline | images/s |",
            "|---|--:|",
            *(f"| {k} | {v:,.0f} |" for k, v in results["loader"].items()),
            "",
        ]
    return "\n".join(parts)


def write(results: dict, out: Path, docs: bool) -> None:
    import chart

    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=1)
    # lists of numbers on one line each: a readable file, and small diffs between runs
    text = re.sub(r"\[\s+([-+.,\deE\s]+?)\s+\]", lambda m: f"[{' '.join(m[1].split())}]", text)
    (out / "results.json").write_text(text + "\n")
    text = "# Benchmark results\n\n" + markdown(results, "ratios.png")
    if results.get("profiles"):
        text += "\n## Profiles of the missed targets (1 thread)\n\n"
        text += (
            "cProfile of npgrad's step, sorted by own time (the time in the function itself)."
            " cProfile sees function calls only: the NumPy work of an array operator (`a @ b`,"
            " `a + b`, `a[i]`) is own time of the function applying it; NumPy functions called"
            " by name (`np.exp`, `.sum`) are entries of their own. The profiler slows"
            " Python-heavy code most: read the shares, not the milliseconds.\n\n"
        )
        text += "\n".join(profile_text(k, p) for k, p in results["profiles"].items())
    (out / "results.md").write_text(text)
    if results.get("runs"):
        chart.draw(results, out / "ratios.png")
    if docs:
        page = DOC.read_text()
        if BEGIN not in page or END not in page:
            raise SystemExit(f"{DOC} has no {BEGIN} ... {END} section to fill")
        head, rest = page.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        body = markdown(results, "img/ratios.png", level=3)
        DOC.write_text(f"{head}{BEGIN}\n\n{body}\n{END}{tail}")
        DOC_IMAGE.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / "ratios.png", DOC_IMAGE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--workloads", nargs="+", default=None, help="default: all of them")
    parser.add_argument("--repeat", type=int, default=21, help="rounds per workload")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--memory-steps", type=int, default=2000)
    parser.add_argument("--no-memory", action="store_true", help="skip the memory section")
    parser.add_argument("--no-loader", action="store_true", help="skip the loader throughput")
    parser.add_argument("--no-profile", action="store_true", help="don't profile missed targets")
    parser.add_argument("--docs", action="store_true", help="also update docs/performance.md")
    parser.add_argument("--profile", nargs="+", metavar="WORKLOAD", help="only print profiles")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-missed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-only", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    if args.child:
        child(args)
        return
    from workloads import WORKLOADS  # the parent never measures: importing NumPy here is fine

    if args.workloads is None:
        args.workloads = list(WORKLOADS)
    unknown = sorted(set(args.workloads + (args.profile or [])) - set(WORKLOADS))
    if unknown:
        parser.error(f"unknown workloads {unknown}; choose from {list(WORKLOADS)}")
    me = [sys.executable, str(Path(__file__).resolve()), "--child"]
    if args.profile:
        done = run_child([*me, "--profile-only", *args.profile], threads=1)
        print("\n".join(profile_text(k, p) for k, p in done["profiles"].items()))
        return
    if any(os.environ.get(v) for v in TUNING_VARS):
        print(
            f"note: {' and '.join(TUNING_VARS)} are unset for the measuring processes",
            file=sys.stderr,
        )
    started, cpu_start = time.perf_counter(), cpu_seconds()
    results: dict[str, Any] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load": {"start": list(os.getloadavg())},
        "repeat": args.repeat,
        "pause_s": PAUSE,
        "tolerance": {"rtol": RTOL, "atol": ATOL},
        "runs": {},
        "profiles": {},
    }
    for n in args.threads:
        cmd = [*me, "--repeat", str(args.repeat), "--workloads", *args.workloads]
        done = run_child(cmd + ["--profile-missed"] * (n == 1 and not args.no_profile), n)
        results["runs"][str(n)] = done["runs"]
        results["profiles"].update(done["profiles"])
        results["environment"] = done["environment"]
    if not args.no_memory:  # one thread, and a process per framework
        print("memory: cnn training step", file=sys.stderr, flush=True)
        memory_cmd = [sys.executable, str(HERE / "memory.py"), "--json"]
        results["memory"] = {
            "npgrad": run_child([*memory_cmd, "--steps", str(args.memory_steps)], 1)
        }
        for fw in ["numpy"] + ["torch"] * bool(results["environment"].get("torch")):
            results["memory"][fw] = run_child([*memory_cmd, "--steps", "50", "--framework", fw], 1)
    if not args.no_loader:  # data-loading throughput, 1 BLAS thread
        print("data loading", file=sys.stderr, flush=True)
        results["loader"] = run_child([sys.executable, str(HERE / "loader.py"), "--json"], 1)
    results["load"]["end"] = list(os.getloadavg())
    wall, cpu_end = time.perf_counter() - started, cpu_seconds()
    results["seconds"] = round(wall)
    if "busy" in cpu_start and "busy" in cpu_end:
        # CPUs kept busy on average by everything but the suite, and stolen by the hypervisor
        busy, own = cpu_end["busy"] - cpu_start["busy"], cpu_end["own"] - cpu_start["own"]
        results["load"]["others_cpus"] = max(busy - own, 0.0) / wall
        results["load"]["stolen_cpus"] = (cpu_end["steal"] - cpu_start["steal"]) / wall
    write(results, args.out, args.docs)
    print(markdown(results, str(args.out / "ratios.png")))
    print(f"written to {args.out} in {results['seconds']} s", file=sys.stderr)


if __name__ == "__main__":
    main()
