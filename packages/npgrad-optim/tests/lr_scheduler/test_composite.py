"""SequentialLR and ChainedScheduler: hand-checked, torch parity, resuming, bad input."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import SGD
from npgrad.optim.lr_scheduler import (
    ChainedScheduler,
    ConstantLR,
    ExponentialLR,
    LinearLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)

CASES: dict[str, Any] = {
    "SequentialLR-warmup-cosine": lambda m, o: m.SequentialLR(
        o,
        [m.LinearLR(o, start_factor=0.1, total_iters=5), m.CosineAnnealingLR(o, T_max=50)],
        milestones=[5],
    ),
    "SequentialLR-three": lambda m, o: m.SequentialLR(
        o,
        [
            m.ConstantLR(o, factor=0.5, total_iters=4),
            m.ExponentialLR(o, gamma=0.9),
            m.StepLR(o, step_size=10, gamma=0.5),
        ],
        milestones=[10, 40],
    ),
    "ChainedScheduler": lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.3, total_iters=8), m.ExponentialLR(o, gamma=0.95)]
    ),
    "ChainedScheduler-with-optimizer": lambda m, o: m.ChainedScheduler(
        [m.LinearLR(o, start_factor=0.5, total_iters=12), m.MultiStepLR(o, [20, 50], gamma=0.2)],
        optimizer=o,
    ),
}


def lrs(sched: Any, opt: Any, steps: int) -> list[float]:
    values = [sched.get_last_lr()[0]]
    for _ in range(steps):
        opt.step()
        sched.step()
        values.append(sched.get_last_lr()[0])
        assert values[-1] == opt.param_groups[0]["lr"]
    return values


def test_sequential_switches_at_the_milestone_from_the_initial_lr() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    warmup = LinearLR(opt, start_factor=0.5, total_iters=2)
    decay = StepLR(opt, step_size=2, gamma=0.1)
    sched = SequentialLR(opt, [warmup, decay], milestones=[3])
    np.testing.assert_allclose(lrs(sched, opt, 6), [0.5, 0.75, 1.0, 1.0, 1.0, 0.1, 0.1])


def test_chained_multiplies_the_effects() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = ChainedScheduler([ConstantLR(opt, factor=0.5, total_iters=2), ExponentialLR(opt, 0.5)])
    np.testing.assert_allclose(lrs(sched, opt, 3), [0.5, 0.25, 0.25, 0.125])


@pytest.mark.parametrize("name", list(CASES))
def test_resuming_from_a_state_dict_continues_the_sequence(name: str, resume_check: Any) -> None:
    resume_check("SGD", {"momentum": 0.9}, CASES[name], split=17, steps=70)


def test_bad_compositions_raise() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    other = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    a, b = ExponentialLR(opt, 0.9), ExponentialLR(other, 0.9)
    with pytest.raises(ValueError, match="same optimizer"):
        SequentialLR(opt, [a, b], milestones=[3])
    with pytest.raises(ValueError, match="one milestone fewer"):
        SequentialLR(opt, [a, ExponentialLR(opt, 0.5)], milestones=[3, 5])
    with pytest.raises(ValueError, match="at least one"):
        SequentialLR(opt, [], milestones=[])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        ChainedScheduler([a, ReduceLROnPlateau(opt)])
    with pytest.raises(ValueError, match="same optimizer"):
        ChainedScheduler([a, b])
    with pytest.raises(TypeError, match="optimizer"):
        ChainedScheduler([a, object()])  # type: ignore[list-item]


@pytest.mark.torch
@pytest.mark.parametrize("name", list(CASES))
def test_lr_sequence_matches_torch(name: str, scheduler_parity: Any) -> None:
    scheduler_parity("SGD", {"momentum": 0.9}, CASES[name], steps=100)
