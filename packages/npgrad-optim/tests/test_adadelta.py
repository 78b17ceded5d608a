"""Adadelta: hand-computed steps, the rho range, parity with torch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import Adadelta


def param(values: Any) -> npgrad.Tensor:
    return npgrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def step_with(opt: Adadelta, p: npgrad.Tensor, grad: Any) -> np.ndarray:
    p.grad = npgrad.tensor(np.asarray(grad, dtype=np.float64))
    opt.step()
    return p.numpy().copy()


def test_two_steps_follow_the_running_averages() -> None:
    lr, rho, eps = 0.5, 0.8, 1e-2
    g1, g2 = np.array([1.0, -3.0]), np.array([2.0, 0.5])
    p = param([0.0, 0.0])
    opt = Adadelta([p], lr=lr, rho=rho, eps=eps)
    x1 = step_with(opt, p, g1)
    v1 = (1 - rho) * g1**2
    d1 = np.sqrt(eps) / np.sqrt(v1 + eps) * g1
    u1 = (1 - rho) * d1**2
    np.testing.assert_allclose(x1, -lr * d1, rtol=1e-14)
    x2 = step_with(opt, p, g2)
    v2 = rho * v1 + (1 - rho) * g2**2
    d2 = np.sqrt(u1 + eps) / np.sqrt(v2 + eps) * g2
    np.testing.assert_allclose(x2, x1 - lr * d2, rtol=1e-14)
    np.testing.assert_allclose(
        opt.state[p]["acc_delta"].numpy(), rho * u1 + (1 - rho) * d2**2, rtol=1e-14
    )
    assert list(opt.state[p]) == ["step", "square_avg", "acc_delta"]


@pytest.mark.parametrize("rho", [-0.1, 1.5])
def test_rho_outside_the_unit_interval_raises(rho: float) -> None:
    with pytest.raises(ValueError, match="rho"):
        Adadelta([param([1.0])], rho=rho)


@pytest.mark.parametrize("name", ["lr", "eps", "weight_decay"])
def test_negative_hyper_parameters_raise_naming_them(name: str) -> None:
    with pytest.raises(ValueError, match=name):
        Adadelta([param([1.0])], **{name: -1.0})


CASES = [
    {},
    {"lr": 0.5, "rho": 0.5},
    {"weight_decay": 0.1, "eps": 1e-4},
    {"maximize": True, "rho": 0.99},
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_trajectory_matches_torch(torch_parity: Any, kwargs: dict[str, Any], dtype: str) -> None:
    torch_parity("Adadelta", kwargs, dtype)
