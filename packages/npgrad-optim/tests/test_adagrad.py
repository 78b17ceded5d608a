"""Adagrad: eager state, hand-computed steps with lr decay and initial accumulator, parity."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import Adagrad


def param(values: Any) -> npgrad.Tensor:
    return npgrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def step_with(opt: Adagrad, p: npgrad.Tensor, grad: Any) -> np.ndarray:
    p.grad = npgrad.tensor(np.asarray(grad, dtype=np.float64))
    opt.step()
    return p.numpy().copy()


def test_state_exists_before_the_first_step() -> None:
    p = param([1.0, 2.0])
    opt = Adagrad([p], initial_accumulator_value=0.25)
    state = opt.state_dict()["state"][0]
    assert list(state) == ["step", "sum"]
    assert float(state["step"]) == 0.0
    np.testing.assert_array_equal(state["sum"].numpy(), [0.25, 0.25])


def test_two_steps_with_lr_decay_and_initial_accumulator() -> None:
    lr, decay, init, eps = 0.5, 0.1, 1.0, 1e-3
    g1, g2 = np.array([3.0, -1.0]), np.array([1.0, 2.0])
    p = param([0.0, 0.0])
    opt = Adagrad([p], lr=lr, lr_decay=decay, initial_accumulator_value=init, eps=eps)
    x1 = step_with(opt, p, g1)
    s1 = init + g1**2
    np.testing.assert_allclose(x1, -lr * g1 / (np.sqrt(s1) + eps), rtol=1e-14)
    x2 = step_with(opt, p, g2)
    s2 = s1 + g2**2
    np.testing.assert_allclose(x2, x1 - lr / (1 + decay) * g2 / (np.sqrt(s2) + eps), rtol=1e-14)


def test_each_group_uses_its_own_initial_accumulator_value() -> None:
    a, b = param([0.0]), param([0.0])
    opt = Adagrad([{"params": [a]}, {"params": [b], "initial_accumulator_value": 3.0}])
    assert opt.state[a]["sum"].item() == 0.0
    assert opt.state[b]["sum"].item() == 3.0


def test_a_group_added_later_gets_state_on_its_first_step() -> None:
    a, b = param([0.0]), param([1.0])
    opt = Adagrad([a], lr=0.1, eps=0.0)
    opt.add_param_group({"params": [b]})
    assert b not in opt.state
    x = step_with(opt, b, [2.0])
    assert x[0] == pytest.approx(0.9)
    assert float(opt.state[b]["step"]) == 1.0


@pytest.mark.parametrize(
    "name", ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"]
)
def test_invalid_hyper_parameters_raise_naming_them(name: str) -> None:
    with pytest.raises(ValueError, match=name):
        Adagrad([param([1.0])], **{name: -1.0})


CASES = [
    {"lr": 0.1},
    {"lr": 0.1, "lr_decay": 0.05},
    {"lr": 0.1, "weight_decay": 0.1, "initial_accumulator_value": 0.5},
    {"lr": 0.1, "eps": 1e-3, "maximize": True},
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_trajectory_matches_torch(torch_parity: Any, kwargs: dict[str, Any], dtype: str) -> None:
    torch_parity("Adagrad", kwargs, dtype)
