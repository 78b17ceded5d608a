"""The suite's bar chart, drawn with Pillow alone: ``draw(results, path)``.

Two panels, npgrad / PyTorch and npgrad / hand-written NumPy; one row per workload with a bar
per thread count. The ratio axis is logarithmic and every bar starts at 1 (the same time as
the reference), so a bar to the left means npgrad is faster, to the right slower, and 0.5 and
2 are the same length. A red tick across a row is that workload's target, in the panel of its
reference; a bar's label is red when it is past its target.

    python benchmarks/chart.py benchmarks/results/results.json out.png
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

PANELS = (("torch", "npgrad / PyTorch"), ("numpy", "npgrad / hand-written NumPy"))
TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)
THREAD_COLOURS = ("#1f5f99", "#7fb2df", "#b9d6ef", "#dcebf7")
TARGET, MISSED, INK, GRID, BAND = "#d62728", "#c0392b", "#222222", "#e3e3e3", "#f5f5f5"
S = 2  # drawn at twice the size: sharp on high-density screens, scaled down by the page
LABEL_W, PANEL_W, GAP, ROW_H, BAR_H, TOP, BOTTOM = (S * v for v in (150, 440, 36, 34, 12, 86, 44))


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=S * size)  # Pillow >= 10.1 with FreeType
    except (TypeError, OSError, ImportError):
        return ImageFont.load_default()


def _ratio(entry: dict, reference: str) -> float | None:
    return entry.get(f"ratio_vs_{reference}")


def _targets(entry: dict, reference: str) -> list[float]:
    return [t["max_ratio"] for t in entry.get("targets", []) if t["reference"] == reference]


def _range(values: list[float]) -> tuple[float, float]:
    """Ticks enclosing the values and 1, with room for the labels beyond the bars."""
    lo = min([1.0, *values]) / 1.7
    hi = max([1.0, *values]) * 1.7
    lo_tick = max([t for t in TICKS if t <= lo] or [TICKS[0]])
    hi_tick = min([t for t in TICKS if t >= hi] or [TICKS[-1]])
    return lo_tick, hi_tick


def draw(results: dict, path: Path) -> None:
    runs: dict[str, dict] = results["runs"]
    threads = list(runs)
    names = list(next(iter(runs.values())))
    width = LABEL_W + len(PANELS) * PANEL_W + (len(PANELS) - 1) * GAP + S * 20
    height = TOP + ROW_H * len(names) + BOTTOM
    image = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(image)
    font, small, title = _font(13), _font(11), _font(16)
    d.text(
        (LABEL_W, S * 8),
        "Time of one step, npgrad / reference (median; log scale; < 1: npgrad is faster)",
        fill=INK,
        font=title,
    )
    x = LABEL_W  # legend
    for i, n in enumerate(threads):
        colour = THREAD_COLOURS[i % len(THREAD_COLOURS)]
        d.rectangle((x, S * 36, x + S * 18, S * 36 + BAR_H), fill=colour)
        label = f"{n} thread" + ("s" if n != "1" else "")
        d.text((x + S * 24, S * 35), label, fill=INK, font=font)
        x += S * 40 + int(d.textlength(label, font=font))
    d.line((x, S * 36, x, S * 36 + BAR_H), fill=TARGET, width=S * 3)
    d.text((x + S * 8, S * 35), "target (set for 1 thread)", fill=INK, font=font)
    plot_top, plot_bottom = TOP, TOP + ROW_H * len(names)
    for r, name in enumerate(names):
        y = plot_top + r * ROW_H
        if r % 2:
            d.rectangle((S * 8, y, width - S * 8, y + ROW_H), fill=BAND)
        d.text((LABEL_W - S * 10, y + ROW_H / 2), name, fill=INK, font=font, anchor="rm")
    for p, (reference, heading) in enumerate(PANELS):
        x0 = LABEL_W + p * (PANEL_W + GAP)
        values = [v for run in runs.values() for e in run.values() if (v := _ratio(e, reference))]
        values += [t for e in runs[threads[0]].values() for t in _targets(e, reference)]
        lo, hi = _range(values)
        span = math.log10(hi) - math.log10(lo)

        def px(v: float, x0: int = x0, lo: float = lo, span: float = span) -> float:
            return x0 + (math.log10(v) - math.log10(lo)) / span * PANEL_W

        d.text((x0 + PANEL_W / 2, TOP - S * 14), heading, fill=INK, font=font, anchor="ms")
        for t in TICKS:
            if lo <= t <= hi:
                d.line((px(t), plot_top, px(t), plot_bottom), fill=GRID, width=S)
                d.text((px(t), plot_bottom + S * 6), f"{t:g}", fill=INK, font=small, anchor="mt")
        d.text(
            (x0 + PANEL_W / 2, plot_bottom + S * 24),
            f"npgrad time / {'PyTorch' if reference == 'torch' else 'NumPy'} time",
            fill=INK,
            font=small,
            anchor="mt",
        )
        one = px(1)
        labels = []
        for r, name in enumerate(names):
            y = plot_top + r * ROW_H
            targets = _targets(runs[threads[0]][name], reference)
            bar_y = y + (ROW_H - BAR_H * len(threads)) / 2
            for i, n in enumerate(threads):
                v = _ratio(runs[n].get(name, {}), reference)
                y0 = bar_y + i * BAR_H
                if not v:
                    labels.append(((one + S * 4, y0 + BAR_H / 2), "n/a", INK, "lm"))
                    continue
                xv = px(min(max(v, lo), hi))
                colour = THREAD_COLOURS[i % len(THREAD_COLOURS)]
                d.rectangle((min(one, xv), y0 + S, max(one, xv), y0 + BAR_H - S), fill=colour)
                missed = any(v > t for t in targets)
                right = v >= 1
                x_text = xv + (S * 5 if right else -S * 5)
                width_text = d.textlength(f"{v:.2f}", font=small)
                for t in sorted(map(px, targets), reverse=not right):  # step over the ticks
                    lo_x, hi_x = (
                        (x_text, x_text + width_text) if right else (x_text - width_text, x_text)
                    )
                    if lo_x - S * 3 <= t <= hi_x + S * 3:
                        x_text = t + (S * 6 if right else -S * 6)
                where = (x_text, y0 + BAR_H / 2)
                colour = MISSED if missed else INK
                labels.append((where, f"{v:.2f}", colour, "lm" if right else "rm"))
            for t in targets:
                d.line((px(t), y + S * 3, px(t), y + ROW_H - S * 3), fill=TARGET, width=S * 3)
        for where, text, colour, anchor in labels:
            d.text(where, text, fill=colour, font=small, anchor=anchor)
        d.line((one, plot_top, one, plot_bottom), fill=INK, width=S)
        d.rectangle((x0, plot_top, x0 + PANEL_W, plot_bottom), outline="#999999", width=S)
    path.parent.mkdir(parents=True, exist_ok=True)
    # a palette of 64 colours: a third of the file size, no visible difference
    image.convert("P", palette=Image.Palette.ADAPTIVE, colors=64).save(path, optimize=True)


if __name__ == "__main__":
    draw(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))
