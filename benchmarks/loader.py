"""Data-loading throughput: images/s through ToTensor + Normalize with 0, 1 and 2 workers.

A dataset of synthetic 64x64 RGB PIL images (made once, in memory) is read by
``npgrad.data.DataLoader`` (batch 64) with each worker count, after one warm-up epoch that
also starts the worker processes. The first row is the same transforms called in a plain loop
with no DataLoader, the ceiling for ``num_workers=0``.

    python benchmarks/loader.py [--images 2048] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from PIL import Image

from npgrad.data import DataLoader, Dataset
from npgrad.data import transforms as T

TRANSFORM = T.Compose([T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))])


class SyntheticImages(Dataset):
    def __init__(self, n: int) -> None:
        rng = np.random.default_rng(0)
        self.images = [
            Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)) for _ in range(n)
        ]

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int):  # noqa: ANN204
        return TRANSFORM(self.images[i]), i % 10


def measure(n_images: int, repeat: int) -> dict[str, float]:
    data = SyntheticImages(n_images)
    results = {}
    best = min(_timed(lambda: [data[i] for i in range(len(data))]) for _ in range(repeat))
    results["plain loop"] = n_images / best
    for workers in (0, 1, 2):
        loader = DataLoader(
            data, batch_size=64, num_workers=workers, persistent_workers=workers > 0
        )
        list(loader)  # warm up (and start the workers)
        best = min(_timed(lambda loader=loader: list(loader)) for _ in range(repeat))
        results[f"DataLoader, {workers} worker" + "s" * (workers != 1)] = n_images / best
    return results


def _timed(fn) -> float:  # noqa: ANN001
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def report(results: dict[str, float]) -> str:
    lines = ["| pipeline | images/s |", "|---|---|"]
    lines += [f"| {k} | {v:,.0f} |" for k, v in results.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2048)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args()
    results = measure(args.images, args.repeat)
    print(json.dumps(results) if args.json else report(results))


if __name__ == "__main__":
    main()
