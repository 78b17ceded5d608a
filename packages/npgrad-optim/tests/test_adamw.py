"""AdamW: decoupled weight decay by default, parity with torch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import Adam, AdamW


def test_defaults_are_torchs() -> None:
    opt = AdamW([npgrad.zeros(2, requires_grad=True)])
    group = opt.param_groups[0]
    assert group["weight_decay"] == 1e-2
    assert group["decoupled_weight_decay"] is True
    assert (group["lr"], group["betas"], group["eps"]) == (1e-3, (0.9, 0.999), 1e-8)


def test_step_equals_adam_with_decoupled_decay() -> None:
    grads = [np.array([0.3, -2.0]), np.array([1.0, 0.5]), np.array([-0.2, 0.1])]
    a = npgrad.tensor([1.0, -1.0], dtype=npgrad.float64, requires_grad=True)
    b = npgrad.tensor([1.0, -1.0], dtype=npgrad.float64, requires_grad=True)
    adamw = AdamW([a], lr=0.1, weight_decay=0.3)
    adam = Adam([b], lr=0.1, weight_decay=0.3, decoupled_weight_decay=True)
    for g in grads:
        a.grad, b.grad = npgrad.tensor(g), npgrad.tensor(g)
        adamw.step()
        adam.step()
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_zero_gradient_only_decays() -> None:
    p = npgrad.tensor([2.0, -4.0], dtype=npgrad.float64, requires_grad=True)
    opt = AdamW([p], lr=0.1, weight_decay=0.5)
    p.grad = npgrad.zeros(2, dtype=npgrad.float64)
    opt.step()
    np.testing.assert_allclose(p.numpy(), [2.0 * 0.95, -4.0 * 0.95], rtol=1e-15)


def test_loading_a_state_keeps_the_decay_decoupled() -> None:
    p = npgrad.zeros(2, requires_grad=True)
    opt = AdamW([p])
    state = opt.state_dict()
    state["param_groups"][0]["decoupled_weight_decay"] = False
    opt.load_state_dict(state)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True


CASES = [
    {"lr": 0.01},
    {"lr": 0.01, "amsgrad": True, "weight_decay": 0.2},
    {"lr": 0.01, "maximize": True, "betas": (0.5, 0.99)},
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_trajectory_matches_torch(torch_parity: Any, kwargs: dict[str, Any], dtype: str) -> None:
    torch_parity("AdamW", kwargs, dtype)
