"""RAdam: momentum SGD while the variance is intractable, rectified Adam after, parity."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import RAdam


def rho(t: int, beta2: float) -> float:
    rho_inf = 2 / (1 - beta2) - 1
    return rho_inf - 2 * t * beta2**t / (1 - beta2**t)


def test_constant_gradient_switches_from_sgd_to_rectified_steps() -> None:
    # with a constant gradient g the bias-corrected moments are exactly g and g^2: until
    # rho_t > 5 each step is lr * g, after it lr * r_t * sign(g) (eps = 0)
    lr, b2, g, steps = 0.01, 0.999, 3.0, 9
    p = npgrad.tensor([0.0], dtype=npgrad.float64, requires_grad=True)
    opt = RAdam([p], lr=lr, betas=(0.9, b2), eps=0.0)
    rho_inf = 2 / (1 - b2) - 1
    expected, switched = 0.0, []
    for t in range(1, steps + 1):
        p.grad = npgrad.tensor([g], dtype=npgrad.float64)
        opt.step()
        r = rho(t, b2)
        if r > 5:
            rect = np.sqrt((r - 4) * (r - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * r))
            expected -= lr * rect
        else:
            expected -= lr * g
        switched.append(r > 5)
        assert p.item() == pytest.approx(expected, rel=1e-12), f"step {t}"
    assert switched[0] is False and switched[-1] is True  # both regimes were exercised


def test_first_step_is_lr_times_gradient() -> None:
    p = npgrad.tensor([1.0, -2.0], requires_grad=True)
    opt = RAdam([p], lr=0.1)
    p.grad = npgrad.tensor([3.0, -0.5])
    opt.step()
    np.testing.assert_allclose(p.numpy(), [0.7, -1.95], rtol=1e-6)
    assert list(opt.state[p]) == ["step", "exp_avg", "exp_avg_sq"]


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"eps": -1.0}, "eps"), ({"betas": (-0.1, 0.9)}, "betas")]
)
def test_invalid_hyper_parameters_raise_naming_them(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        RAdam([npgrad.zeros(1, requires_grad=True)], **kwargs)


CASES = [
    {"lr": 1e-3},
    {"lr": 1e-3, "weight_decay": 0.1},
    {"lr": 1e-3, "weight_decay": 0.1, "decoupled_weight_decay": True},
    {"lr": 1e-3, "maximize": True, "betas": (0.3, 0.9), "eps": 1e-4},
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_trajectory_matches_torch(torch_parity: Any, kwargs: dict[str, Any], dtype: str) -> None:
    torch_parity("RAdam", kwargs, dtype)
