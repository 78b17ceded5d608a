"""CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts: hand-checked, torch parity, resuming."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import SGD, Adagrad, Adam
from npgrad.optim.lr_scheduler import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR

CASES: dict[str, tuple[str, dict[str, Any], Any]] = {
    "CyclicLR-triangular": (
        "SGD",
        {"momentum": 0.9},
        lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.05], step_size_up=7),
    ),
    "CyclicLR-triangular2": (
        "SGD",
        {"momentum": 0.9},
        lambda m, o: m.CyclicLR(
            o, base_lr=0.01, max_lr=0.1, step_size_up=5, step_size_down=9, mode="triangular2"
        ),
    ),
    "CyclicLR-exp_range-no-momentum": (
        "SGD",
        {},
        lambda m, o: m.CyclicLR(
            o, 0.001, 0.1, step_size_up=6, mode="exp_range", gamma=0.98, cycle_momentum=False
        ),
    ),
    "CyclicLR-custom-iterations": (
        "SGD",
        {"momentum": 0.5},
        lambda m, o: m.CyclicLR(
            o,
            0.01,
            0.1,
            step_size_up=4,
            scale_fn=lambda x: 1 / (1 + 0.01 * x),
            scale_mode="iterations",
        ),
    ),
    "CyclicLR-adam-betas": (
        "Adam",
        {},
        lambda m, o: m.CyclicLR(
            o, 0.001, 0.01, step_size_up=10, base_momentum=0.7, max_momentum=0.95
        ),
    ),
    "OneCycleLR-cos": (
        "SGD",
        {"momentum": 0.9},
        lambda m, o: m.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=100),
    ),
    "OneCycleLR-linear-three-phase": (
        "SGD",
        {"momentum": 0.9},
        lambda m, o: m.OneCycleLR(
            o, max_lr=0.3, epochs=10, steps_per_epoch=10, anneal_strategy="linear", three_phase=True
        ),
    ),
    "OneCycleLR-adam": (
        "Adam",
        {},
        lambda m, o: m.OneCycleLR(o, max_lr=0.01, total_steps=100, pct_start=0.25, div_factor=10.0),
    ),
    "OneCycleLR-no-momentum": (
        "SGD",
        {},
        lambda m, o: m.OneCycleLR(o, max_lr=0.1, total_steps=100, cycle_momentum=False),
    ),
    "CosineAnnealingWarmRestarts": (
        "SGD",
        {},
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=7, T_mult=2, eta_min=5e-4),
    ),
    "CosineAnnealingWarmRestarts-T_mult-1": (
        "SGD",
        {},
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=9),
    ),
}


def sequence(sched: Any, opt: Any, steps: int) -> list[tuple[float, Any]]:
    def momentum() -> Any:
        group = opt.param_groups[0]
        return group["betas"][0] if "betas" in group else group.get("momentum")

    values = [(opt.param_groups[0]["lr"], momentum())]
    for _ in range(steps):
        opt.step()
        sched.step()
        values.append((opt.param_groups[0]["lr"], momentum()))
    return values


def test_triangular_cycles_lr_up_and_momentum_down() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=0.5, momentum=0.5)
    sched = CyclicLR(
        opt, base_lr=0.0, max_lr=1.0, step_size_up=2, base_momentum=0.8, max_momentum=0.9
    )
    values = sequence(sched, opt, 5)
    np.testing.assert_allclose([v[0] for v in values], [0.0, 0.5, 1.0, 0.5, 0.0, 0.5])
    np.testing.assert_allclose([v[1] for v in values], [0.9, 0.85, 0.8, 0.85, 0.9, 0.85])
    group = opt.param_groups[0]
    assert (group["base_momentum"], group["max_momentum"]) == (0.8, 0.9)


def test_triangular2_halves_the_amplitude_every_cycle() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=0.5)
    sched = CyclicLR(opt, 0.0, 1.0, step_size_up=2, mode="triangular2", cycle_momentum=False)
    lrs = [v[0] for v in sequence(sched, opt, 8)]
    np.testing.assert_allclose(lrs, [0.0, 0.5, 1.0, 0.5, 0.0, 0.25, 0.5, 0.25, 0.0])


def test_cyclic_momentum_uses_beta1_of_adam() -> None:
    opt = Adam([npgrad.zeros(1, requires_grad=True)], betas=(0.5, 0.99))
    sched = CyclicLR(opt, 0.0, 1.0, step_size_up=1, base_momentum=0.8, max_momentum=0.9)
    values = sequence(sched, opt, 2)
    assert [v[1] for v in values] == pytest.approx([0.9, 0.8, 0.9])
    assert opt.param_groups[0]["betas"][1] == 0.99


def test_one_cycle_linear_warms_up_then_anneals() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=0.123, momentum=0.9)
    sched = OneCycleLR(
        opt, max_lr=1.0, total_steps=5, pct_start=0.4, anneal_strategy="linear",
        div_factor=10.0, final_div_factor=2.0, base_momentum=0.8, max_momentum=0.9,
    )  # fmt: skip
    values = sequence(sched, opt, 4)
    # min_lr = initial_lr / final_div_factor = 0.05: down from 1.0 in three equal steps
    expected = [0.1, 1.0, 1.0 - 0.95 / 3, 1.0 - 2 * 0.95 / 3, 0.05]
    np.testing.assert_allclose([v[0] for v in values], expected, rtol=1e-14)
    np.testing.assert_allclose(
        [v[1] for v in values], [0.9, 0.8, 0.8 + 0.1 / 3, 0.8 + 0.2 / 3, 0.9]
    )
    group = opt.param_groups[0]
    assert (group["initial_lr"], group["max_lr"], group["min_lr"]) == (0.1, 1.0, 0.05)


def test_one_cycle_cos_passes_through_the_midpoint() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    sched = OneCycleLR(opt, max_lr=1.0, total_steps=11, pct_start=0.5, final_div_factor=1.0)
    lrs = [v[0] for v in sequence(sched, opt, 10)]
    # the warm-up ends at step 4.5: step 2 is a third of the way along the cosine from 0.04 to 1
    assert lrs[2] == pytest.approx(1.0 + (0.04 - 1.0) / 2 * (math.cos(math.pi * 2 / 4.5) + 1))
    assert lrs[-1] == pytest.approx(0.04)


def test_one_cycle_refuses_to_step_past_the_end() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    sched = OneCycleLR(opt, max_lr=1.0, total_steps=3)
    sequence(sched, opt, 3)
    opt.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        sched.step()


def test_warm_restarts_restart_with_longer_periods() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
    lrs = [v[0] for v in sequence(sched, opt, 6)]
    c = 0.5 * (1 + math.cos(math.pi / 4))
    np.testing.assert_allclose(lrs, [1.0, 0.5, 1.0, c, 0.5, 1 - c, 1.0], atol=1e-12)


def test_warm_restarts_accept_fractional_epochs() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = CosineAnnealingWarmRestarts(opt, T_0=4)
    sched.step(5.5)  # 1.5 epochs into the second period
    assert sched.get_last_lr()[0] == pytest.approx(0.5 * (1 + math.cos(math.pi * 1.5 / 4)))
    assert sched.last_epoch == 5


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda o: CyclicLR(o, 0.1, 1.0, mode="sawtooth"), ValueError, "mode"),
        (lambda o: CyclicLR(o, [0.1, 0.2], 1.0), ValueError, "base_lr"),
        (lambda o: OneCycleLR(o, max_lr=1.0), ValueError, "total_steps"),
        (
            lambda o: OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.5),
            ValueError,
            "pct_start",
        ),
        (
            lambda o: OneCycleLR(o, 1.0, total_steps=10, anneal_strategy="cubic"),
            ValueError,
            "anneal",
        ),
        (lambda o: CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "T_0"),
        (lambda o: CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError, "T_mult"),
    ],
)
def test_bad_arguments_raise_and_leave_the_optimizer_alone(
    make: Any, error: type, match: str
) -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=0.5, momentum=0.9)
    with pytest.raises(error, match=match):
        make(opt)
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["momentum"] == 0.9
    assert "initial_lr" not in opt.param_groups[0]


def test_cycling_momentum_needs_an_optimizer_with_momentum() -> None:
    opt = Adagrad([npgrad.zeros(1, requires_grad=True)], lr=0.5)
    with pytest.raises(ValueError, match="momentum"):
        CyclicLR(opt, 0.1, 1.0)
    with pytest.raises(ValueError, match="momentum"):
        OneCycleLR(opt, 1.0, total_steps=10)
    assert opt.param_groups[0]["lr"] == 0.5


def test_custom_scale_function_objects_are_saved() -> None:
    class Scale:
        def __init__(self) -> None:
            self.rate = 0.5

        def __call__(self, x: float) -> float:
            return self.rate**x

    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    sched = CyclicLR(opt, 0.01, 0.1, scale_fn=Scale())
    state = sched.state_dict()
    assert state["_scale_fn_custom"] == {"rate": 0.5}
    fresh_fn = Scale()
    fresh_fn.rate = 0.9
    CyclicLR(opt, 0.01, 0.1, scale_fn=fresh_fn).load_state_dict(state)
    assert fresh_fn.rate == 0.5


@pytest.mark.parametrize("name", list(CASES))
def test_resuming_from_a_state_dict_continues_the_sequence(name: str, resume_check: Any) -> None:
    opt_name, opt_kwargs, factory = CASES[name]
    resume_check(opt_name, opt_kwargs, factory, split=31, steps=99)


@pytest.mark.torch
@pytest.mark.parametrize("name", list(CASES))
def test_lr_and_momentum_sequences_match_torch(name: str, scheduler_parity: Any) -> None:
    opt_name, opt_kwargs, factory = CASES[name]
    scheduler_parity(opt_name, opt_kwargs, factory, steps=99)


@pytest.mark.torch
def test_warm_restarts_with_epochs_match_torch(scheduler_parity: Any) -> None:
    epochs = [0.5, 1.25, 3.0, 7.5, 2.0, 15.0, 22.75, 6.0]
    factory = CASES["CosineAnnealingWarmRestarts"][2]
    scheduler_parity("SGD", {}, factory, steps=len(epochs), epochs=epochs)
