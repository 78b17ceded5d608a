"""LRScheduler base: initial step, initial_lr, state dict contents, subclassing."""

from __future__ import annotations

from typing import Any

import npgrad
from npgrad.optim import SGD
from npgrad.optim.lr_scheduler import ExponentialLR, LRScheduler


class Halving(LRScheduler):
    def get_lr(self) -> list[Any]:
        if self._is_initial:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] / 2 for group in self.optimizer.param_groups]


def test_the_constructor_makes_the_initial_step_and_records_initial_lr() -> None:
    opt = SGD(
        [
            {"params": [npgrad.zeros(1, requires_grad=True)]},
            {"params": [npgrad.zeros(1, requires_grad=True)], "lr": 0.5},
        ],
        lr=1.0,
    )
    sched = Halving(opt)
    assert sched.last_epoch == 0 and sched._step_count == 1
    assert [g["initial_lr"] for g in opt.param_groups] == [1.0, 0.5]
    assert sched.base_lrs == [1.0, 0.5] and sched.get_last_lr() == [1.0, 0.5]
    opt.step()
    sched.step()
    assert sched.get_last_lr() == [0.5, 0.25] and sched.last_epoch == 1


def test_a_second_scheduler_keeps_the_first_initial_lr() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    first = ExponentialLR(opt, gamma=0.5)
    opt.step()
    first.step()
    second = ExponentialLR(opt, gamma=0.5)
    assert second.base_lrs == [1.0] and opt.param_groups[0]["lr"] == 0.5


def test_state_dict_holds_everything_but_the_optimizer() -> None:
    opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = ExponentialLR(opt, gamma=0.25)
    state = sched.state_dict()
    assert "optimizer" not in state
    assert state["gamma"] == 0.25 and state["last_epoch"] == 0 and state["base_lrs"] == [1.0]
    other = ExponentialLR(SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0), gamma=0.9)
    other.load_state_dict(state)
    assert other.gamma == 0.25 and other.optimizer is not opt
