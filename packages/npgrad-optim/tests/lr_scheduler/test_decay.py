"""Decay schedulers: hand-checked sequences, parity with torch over 100 steps, resuming."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import SGD
from npgrad.optim.lr_scheduler import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)


class Warmup:
    """A callable object with state: its ``__dict__`` travels in the state dict."""

    def __init__(self, length: int) -> None:
        self.length = length

    def __call__(self, epoch: int) -> float:
        return min(1.0, (epoch + 1) / self.length)


CASES: dict[str, Any] = {
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda e: 0.95**e),
    "LambdaLR-per-group": lambda m, o: m.LambdaLR(o, [lambda e: 0.9**e, Warmup(10)]),
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lambda e: 0.9 if e % 3 else 1.1),
    "StepLR": lambda m, o: m.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[5, 20, 20, 60], gamma=0.3),
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.4, total_iters=13),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=17),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.97),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=40, power=2.0),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=25, eta_min=1e-3),
    "CosineAnnealingLR-T7": lambda m, o: m.CosineAnnealingLR(o, T_max=7),
}


def lrs_of(scheduler_factory: Any, steps: int, lr: float = 1.0) -> list[float]:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=lr)
    sched = scheduler_factory(opt)
    values = [opt.param_groups[0]["lr"]]
    for _ in range(steps):
        opt.step()
        sched.step()
        values.append(opt.param_groups[0]["lr"])
        assert sched.get_last_lr() == [values[-1]]
    return values


@pytest.mark.parametrize(
    ("factory", "expected"),
    [
        (lambda o: LambdaLR(o, lambda e: 1 / (e + 1)), [1.0, 1 / 2, 1 / 3, 1 / 4]),
        (lambda o: MultiplicativeLR(o, lambda e: 0.5), [1.0, 0.5, 0.25, 0.125]),
        (lambda o: StepLR(o, step_size=2, gamma=0.5), [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]),
        (lambda o: MultiStepLR(o, [1, 3, 3], gamma=0.5), [1.0, 0.5, 0.5, 0.125, 0.125]),
        (lambda o: ConstantLR(o, factor=0.5, total_iters=2), [0.5, 0.5, 1.0, 1.0]),
        (lambda o: LinearLR(o, start_factor=0.25, total_iters=3), [0.25, 0.5, 0.75, 1.0, 1.0]),
        (lambda o: ExponentialLR(o, gamma=0.5), [1.0, 0.5, 0.25, 0.125]),
        (
            lambda o: PolynomialLR(o, total_iters=4, power=2.0),
            [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0],
        ),
        (
            lambda o: CosineAnnealingLR(o, T_max=4),
            [0.5 * (1 + math.cos(math.pi * t / 4)) for t in (0, 1, 2, 3, 4, 5, 6)],
        ),
    ],
)
def test_hand_checked_sequences(factory: Any, expected: list[float]) -> None:
    np.testing.assert_allclose(lrs_of(factory, len(expected) - 1), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", list(CASES))
def test_resuming_from_a_state_dict_continues_the_sequence(name: str, resume_check: Any) -> None:
    resume_check("SGD", {"momentum": 0.9}, CASES[name], split=23, steps=60)


def test_callable_objects_are_saved_plain_functions_are_not() -> None:
    groups = [{"params": [npgrad.zeros(1, requires_grad=True)]} for _ in range(2)]
    opt = SGD(groups, lr=1.0)
    warmup = Warmup(4)
    sched = LambdaLR(opt, [lambda e: 1.0, warmup])
    state = sched.state_dict()
    assert state["lr_lambdas"] == [None, {"length": 4}]
    assert "optimizer" not in state
    other = Warmup(99)
    fresh = LambdaLR(opt, [lambda e: 1.0, other])
    fresh.load_state_dict(state)
    assert other.length == 4
    assert "lr_lambdas" in state  # the caller's dict is left whole


def test_closed_forms_of_step_with_an_epoch() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = StepLR(opt, step_size=3, gamma=0.5)
    opt.step()
    with pytest.warns(UserWarning, match="deprecated"):
        sched.step(7)
    assert sched.get_last_lr() == [0.25] and sched.last_epoch == 7


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda o: StepLR(o, step_size=0), ValueError, "step_size"),
        (lambda o: ConstantLR(o, factor=1.5), ValueError, "factor"),
        (lambda o: LinearLR(o, start_factor=0.0), ValueError, "start_factor"),
        (lambda o: LinearLR(o, end_factor=2.0), ValueError, "end_factor"),
        (lambda o: LambdaLR(o, [lambda e: 1.0, lambda e: 2.0]), ValueError, "lr_lambdas"),
        (lambda o: MultiplicativeLR(o, 0.5), TypeError, "function"),
        (lambda o: ExponentialLR(o, gamma=0.5, last_epoch=3), KeyError, "initial_lr"),
        (lambda o: ExponentialLR(object(), gamma=0.5), TypeError, "not an Optimizer"),
    ],
)
def test_bad_arguments_raise(make: Any, error: type, match: str) -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(error, match=match):
        make(opt)


def test_resuming_with_last_epoch_uses_the_initial_lr_in_the_groups() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    first = StepLR(opt, step_size=2, gamma=0.5)
    for _ in range(3):
        opt.step()
        first.step()
    assert opt.param_groups[0]["initial_lr"] == 1.0
    resumed = StepLR(opt, step_size=2, gamma=0.5, last_epoch=first.last_epoch)
    assert resumed.base_lrs == [1.0]


def test_stepping_the_scheduler_before_the_optimizer_warns() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = ExponentialLR(opt, gamma=0.5)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    opt2 = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    sched2 = ExponentialLR(opt2, gamma=0.5)
    opt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched2.step()


def test_calling_get_lr_directly_warns() -> None:
    sched = ExponentialLR(SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0), gamma=0.5)
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()


def test_a_tensor_lr_is_updated_in_place() -> None:
    lr = npgrad.tensor(1.0, dtype=npgrad.float64)
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=lr)
    sched = ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr and lr.item() == 0.5
    last = sched.get_last_lr()[0]
    assert last is not lr and last.item() == 0.5  # a copy, never an alias


@pytest.mark.torch
@pytest.mark.parametrize("name", list(CASES))
def test_lr_sequence_matches_torch(name: str, scheduler_parity: Any) -> None:
    scheduler_parity("SGD", {"momentum": 0.9}, CASES[name], steps=100)


EPOCH_CASES = {
    "StepLR": lambda m, o: m.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[2, 5, 5], gamma=0.5),
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=4),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.1, total_iters=6),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.8),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=8, power=0.5),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=6, eta_min=0.01),
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda e: 1 / (1 + e)),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", list(EPOCH_CASES))
def test_step_with_epoch_matches_torch(name: str, scheduler_parity: Any) -> None:
    epochs = [3, 1, 7, 2, 10, 0, 5, 4, 9]
    scheduler_parity("SGD", {}, EPOCH_CASES[name], steps=len(epochs), epochs=epochs)
