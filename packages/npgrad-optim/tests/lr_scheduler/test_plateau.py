"""ReduceLROnPlateau: patience, threshold modes, cooldown, min_lr; torch parity; resuming."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import SGD
from npgrad.optim.lr_scheduler import ReduceLROnPlateau

rng = np.random.default_rng(0)
# a noisy loss that improves, stalls, improves a little, stalls: every branch is exercised
METRICS = list(
    np.concatenate(
        [np.linspace(2.0, 1.0, 15), np.full(20, 1.0), np.linspace(1.0, 0.9, 10), np.full(55, 0.9)]
    )
    + rng.normal(0, 0.002, 100)
)

CASES: dict[str, Any] = {
    "min-rel": lambda m, o: m.ReduceLROnPlateau(o, factor=0.5, patience=3),
    "min-abs-cooldown": lambda m, o: m.ReduceLROnPlateau(
        o, factor=0.3, patience=2, threshold=0.01, threshold_mode="abs", cooldown=4
    ),
    "max-rel-min-lrs": lambda m, o: m.ReduceLROnPlateau(
        o, mode="max", factor=0.2, patience=1, min_lr=[0.001, 0.0005]
    ),
    "max-abs-eps": lambda m, o: m.ReduceLROnPlateau(
        o, mode="max", threshold_mode="abs", patience=0, eps=0.005, min_lr=0.004
    ),
}


def run(sched: ReduceLROnPlateau, opt: SGD, metrics: list[float]) -> list[float]:
    values = []
    for metric in metrics:
        opt.step()
        sched.step(metric)
        values.append(sched.get_last_lr()[0])
    return values


def test_lr_drops_after_patience_bad_epochs_then_waits_out_the_cooldown() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1)
    lrs = run(sched, opt, [5.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0])
    # bad epochs 3 (1), 4 (2), 5 (3 > 2: reduce); cooldown eats epoch 6; 7, 8, 9 reduce again
    assert lrs == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25]
    assert sched.best == 4.0 and sched.last_epoch == 9


def test_threshold_decides_what_counts_as_better() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = ReduceLROnPlateau(opt, mode="max", threshold=0.1, threshold_mode="rel", patience=0)
    run(sched, opt, [1.0, 1.05])  # 1.05 < 1.0 * 1.1: not better, patience 0: reduce
    assert sched.get_last_lr() == [0.1] and sched.best == 1.0
    run(sched, opt, [1.2])  # better
    assert sched.best == 1.2 and sched.get_last_lr() == [0.1]


def test_min_lr_bounds_the_reduction() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = ReduceLROnPlateau(opt, factor=0.1, patience=0, min_lr=0.05)
    assert run(sched, opt, [1.0, 1.0, 1.0, 1.0]) == [1.0, 0.1, 0.05, 0.05]


def test_a_group_added_later_uses_the_scalar_min_lr_or_raises_for_a_list() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = ReduceLROnPlateau(opt, patience=0, min_lr=0.2)
    opt.add_param_group({"params": [npgrad.zeros(1, requires_grad=True)], "lr": 1.0})
    run(sched, opt, [1.0, 1.0, 1.0])
    assert sched.get_last_lr() == [0.2, 0.2]
    opt2 = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    sched2 = ReduceLROnPlateau(opt2, patience=0, min_lr=[0.2])
    opt2.add_param_group({"params": [npgrad.zeros(1, requires_grad=True)]})
    with pytest.raises(RuntimeError, match="min_lrs"):
        run(sched2, opt2, [1.0, 1.0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"factor": 1.0}, "factor"),
        ({"mode": "median"}, "mode"),
        ({"threshold_mode": "pct"}, "threshold_mode"),
        ({"min_lr": [0.1, 0.2]}, "min_lrs"),
    ],
)
def test_bad_arguments_raise(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ReduceLROnPlateau(SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0), **kwargs)


@pytest.mark.parametrize("name", list(CASES))
def test_resuming_from_a_state_dict_continues_the_sequence(name: str, resume_check: Any) -> None:
    resume_check("SGD", {}, CASES[name], split=33, steps=100, metrics=METRICS)


@pytest.mark.torch
@pytest.mark.parametrize("name", list(CASES))
def test_lr_sequence_matches_torch(name: str, scheduler_parity: Any) -> None:
    scheduler_parity("SGD", {}, CASES[name], steps=100, metrics=METRICS)
