"""RMSprop: hand-computed steps (plain, centered, momentum), parity with torch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import RMSprop


def param(values: Any) -> npgrad.Tensor:
    return npgrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def step_with(opt: RMSprop, p: npgrad.Tensor, grad: Any) -> np.ndarray:
    p.grad = npgrad.tensor(np.asarray(grad, dtype=np.float64))
    opt.step()
    return p.numpy().copy()


def test_first_step_divides_by_the_root_mean_square() -> None:
    alpha, lr = 0.75, 0.01
    p = param([1.0, 1.0])
    opt = RMSprop([p], lr=lr, alpha=alpha, eps=0.0)
    # v = (1 - alpha) g^2, so the step is lr * sign(g) / sqrt(1 - alpha)
    np.testing.assert_allclose(
        step_with(opt, p, [3.0, -0.2]), 1.0 - lr * np.array([1.0, -1.0]) / 0.5
    )
    assert list(opt.state[p]) == ["step", "square_avg"]


def test_centered_divides_by_the_standard_deviation() -> None:
    alpha, lr = 0.75, 0.01
    p = param([0.0])
    opt = RMSprop([p], lr=lr, alpha=alpha, eps=0.0, centered=True)
    g = 2.0
    # E[g^2] - E[g]^2 = (1 - a) g^2 - (1 - a)^2 g^2 = a (1 - a) g^2
    x1 = step_with(opt, p, [g])
    assert x1[0] == pytest.approx(-lr * g / np.sqrt(alpha * (1 - alpha) * g * g), rel=1e-14)
    assert list(opt.state[p]) == ["step", "square_avg", "grad_avg"]


def test_momentum_accumulates_the_normalised_gradients() -> None:
    alpha, lr, mu, eps = 0.5, 0.1, 0.9, 1e-2
    g1, g2 = 2.0, -1.0
    p = param([0.0])
    opt = RMSprop([p], lr=lr, alpha=alpha, eps=eps, momentum=mu)
    x1 = step_with(opt, p, [g1])[0]
    b1 = g1 / (np.sqrt(alpha * 0 + (1 - alpha) * g1**2) + eps)
    assert x1 == pytest.approx(-lr * b1, rel=1e-14)
    x2 = step_with(opt, p, [g2])[0]
    v2 = alpha * (1 - alpha) * g1**2 + (1 - alpha) * g2**2
    b2 = mu * b1 + g2 / (np.sqrt(v2) + eps)
    assert x2 == pytest.approx(x1 - lr * b2, rel=1e-14)
    assert opt.state[p]["momentum_buffer"].item() == pytest.approx(b2, rel=1e-14)


def test_weight_decay_and_maximize() -> None:
    p = param([2.0])
    opt = RMSprop([p], lr=0.1, alpha=0.0, eps=0.0, weight_decay=1.0, maximize=True)
    # g = -3 + 1 * 2 = -1; v = g^2: the step is lr * sign(g) away, i.e. up
    assert step_with(opt, p, [3.0])[0] == pytest.approx(2.1)


@pytest.mark.parametrize("name", ["lr", "eps", "momentum", "weight_decay", "alpha"])
def test_invalid_hyper_parameters_raise_naming_them(name: str) -> None:
    with pytest.raises(ValueError, match=name):
        RMSprop([param([1.0])], **{name: -0.5})


CASES = [
    {"lr": 1e-3},
    {"lr": 1e-3, "centered": True},
    {"lr": 1e-3, "momentum": 0.9},
    {"lr": 1e-3, "centered": True, "momentum": 0.5, "alpha": 0.9},
    {"lr": 1e-3, "weight_decay": 0.1, "maximize": True, "eps": 1e-4},
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_trajectory_matches_torch(torch_parity: Any, kwargs: dict[str, Any], dtype: str) -> None:
    torch_parity("RMSprop", kwargs, dtype)


@pytest.mark.torch
def test_ill_conditioned_centered_trajectory_matches_torch_in_float64(torch_parity: Any) -> None:
    # with a short average (alpha = 0.3) the centered variance E[g^2] - E[g]^2 cancels almost
    # completely; PyTorch computes it with a fused multiply-add, NumPy rounds the square first,
    # so in float32 the two drift apart by ~1e-5 here. float64 shows the algorithm agrees.
    torch_parity(
        "RMSprop", {"lr": 1e-3, "centered": True, "momentum": 0.5, "alpha": 0.3}, "float64"
    )
