"""Memory of the cnn training step: peak RSS, and RSS flatness over 2,000 steps.

    python benchmarks/memory.py [--steps 2000] [--every 100] [--framework npgrad] [--json]

Runs one framework's step of the ``cnn`` workload (``benchmarks/workloads.py``: one forward,
backward and SGD-momentum update of a 3-conv CNN on a (64, 1, 24, 24) batch) in this process
alone — ``run.py`` starts it as a child of its own, so no other workload, nor PyTorch, shares
the heap. Set the BLAS thread variables before starting it (``run.py`` uses one thread).

- **RSS** is ``VmRSS`` of ``/proc/self/status``, sampled after the first step (step 1) and then
  every ``--every`` steps; **peak** is ``VmHWM``, reset once the model and data are built (by
  writing 5 to ``/proc/self/clear_refs``), so it is the peak *while training*, not of the
  imports. **Step working set** = peak - RSS before the first step: what a step allocates.
- **Slope** is the least-squares fit of RSS against the step, in KiB per 1,000 steps, over the
  second half of the samples (the allocator settles during the first) and over all of them.
  The verdict is **flat** when the highest RSS of the second half exceeds the highest of the
  first half by less than 2 MiB (the upper envelope: a leak raises it, the allocator's ups
  and downs of large temporaries do not) and the live objects (below) did not grow. Keeping
  one graph alive per step would add megabytes per step.
- **Live objects**: the count of gc-tracked objects after a full collection, after the first
  step and after the last — a leak of Python objects shows here even when the allocator
  hides it in RSS.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
# The verdict "flat": the RSS envelope grows less than this from the first half of the run to
# the second, and the gc-tracked objects by fewer than OBJECTS_TOLERANCE.
FLAT_KIB = 2048
OBJECTS_TOLERANCE = 100


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status (this needs Linux)")


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS; False when the kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def _live_objects() -> int:
    gc.collect()
    return len(gc.get_objects())


def slope_kib_per_1000(samples: list[tuple[int, int]]) -> float:
    """Least-squares slope of RSS (KiB) against the step, in KiB per 1,000 steps."""
    steps = np.array([s for s, _ in samples], float)
    rss = np.array([r for _, r in samples], float)
    if len(samples) < 2 or np.ptp(steps) == 0:
        return 0.0
    return float(np.polyfit(steps, rss, 1)[0] * 1000)


def measure(steps: int = 2000, every: int = 100, framework: str = "npgrad") -> dict:
    sys.path.insert(0, str(HERE))
    from workloads import cnn

    rss_start = _status_kib("VmRSS")
    step, _ = cnn(framework, np.random.default_rng(0))
    gc.collect()
    rss_built = _status_kib("VmRSS")
    peak_reset = _reset_peak()
    step()  # the first step also makes the momentum buffers
    objects_before = _live_objects()
    samples = [(1, _status_kib("VmRSS"))]
    for i in range(2, steps + 1):
        step()
        if i % every == 0:
            samples.append((i, _status_kib("VmRSS")))
    peak = _status_kib("VmHWM")
    objects_after = _live_objects()
    rss = [r for _, r in samples]
    half = len(samples) // 2
    # the upper envelope: a leak raises it, the allocator's ups and downs do not
    growth = max(rss[half:]) - max(rss[:half] or rss)
    flat = growth < FLAT_KIB and objects_after - objects_before < OBJECTS_TOLERANCE
    return {
        "workload": f"cnn ({framework} step: forward, backward, SGD-momentum update)",
        "framework": framework,
        "steps": steps,
        "every": every,
        "rss_before_setup_kib": rss_start,
        "rss_before_first_step_kib": rss_built,
        "rss_first_kib": rss[0],
        "rss_last_kib": rss[-1],
        "rss_max_kib": max(rss),
        "rss_min_kib": min(rss),
        "peak_rss_kib": peak,
        "peak_is_training_only": peak_reset,
        "step_working_set_kib": peak - rss_built,
        "growth_kib": growth,
        "slope_kib_per_1000_steps": slope_kib_per_1000(samples[half:]),
        "slope_fit_from_step": samples[half][0],
        "slope_all_kib_per_1000_steps": slope_kib_per_1000(samples),
        "live_objects_before": objects_before,
        "live_objects_after": objects_after,
        "flat": bool(flat),
        "samples": samples,
    }


def report(m: dict) -> str:
    mib = 1 / 1024
    verdict = "flat (no leak)" if m["flat"] else "**GROWING — a leak?**"
    peak_note = "" if m["peak_is_training_only"] else " (process peak, imports included)"
    rows = [
        ("peak RSS while training" + peak_note, f"{m['peak_rss_kib'] * mib:.1f} MiB"),
        (
            "step working set (peak − RSS before the first step)",
            f"{m['step_working_set_kib'] * mib:.1f} MiB",
        ),
        ("RSS before the model was built", f"{m['rss_before_setup_kib'] * mib:.1f} MiB"),
        (
            f"RSS at step 1 / {m['steps']:,} (first / last)",
            f"{m['rss_first_kib'] * mib:.1f} / {m['rss_last_kib'] * mib:.1f} MiB",
        ),
        (
            f"RSS min / max of {len(m['samples'])} samples",
            f"{m['rss_min_kib'] * mib:.1f} / {m['rss_max_kib'] * mib:.1f} MiB",
        ),
        ("RSS envelope growth (max of 2nd half − max of 1st)", f"{m['growth_kib']:+,} KiB"),
        (
            f"slope from step {m['slope_fit_from_step']:,} (all samples)",
            f"{m['slope_kib_per_1000_steps']:+.0f} KiB / 1,000 steps "
            f"({m['slope_all_kib_per_1000_steps']:+.0f})",
        ),
        (
            "gc-tracked objects before / after",
            f"{m['live_objects_before']:,} / {m['live_objects_after']:,}",
        ),
        ("verdict", verdict),
    ]
    lines = [
        f"| {m['workload']}, {m['steps']:,} steps, RSS every {m['every']} | |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--framework", choices=["npgrad", "numpy", "torch"], default="npgrad")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args()
    result = measure(args.steps, args.every, args.framework)
    print(json.dumps(result) if args.json else report(result))


if __name__ == "__main__":
    main()
