"""SGD: hand-computed steps, a closed form for heavy-ball momentum, the L1 penalty, parity."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import SGD


def param(values: Any) -> npgrad.Tensor:
    return npgrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def step_with(opt: SGD, p: npgrad.Tensor, grad: Any) -> np.ndarray:
    p.grad = npgrad.tensor(np.asarray(grad, dtype=np.float64))
    opt.step()
    return p.numpy().copy()


def test_plain_step_is_lr_times_gradient() -> None:
    p = param([1.0, -2.0, 0.5])
    opt = SGD([p], lr=0.1)
    np.testing.assert_allclose(step_with(opt, p, [1.0, 2.0, -4.0]), [0.9, -2.2, 0.9], rtol=1e-15)
    assert opt.state_dict()["state"] == {}  # plain SGD keeps no state, as PyTorch


def test_momentum_dampening_and_nesterov_first_two_steps() -> None:
    g1, g2 = np.array([1.0, -2.0]), np.array([0.5, 4.0])
    lr, m, d = 0.1, 0.9, 0.25
    p = param([0.0, 0.0])
    opt = SGD([p], lr=lr, momentum=m, dampening=d)
    x1 = step_with(opt, p, g1)
    np.testing.assert_allclose(x1, -lr * g1)  # the first buffer is the gradient, undamped
    x2 = step_with(opt, p, g2)
    np.testing.assert_allclose(x2, x1 - lr * (m * g1 + (1 - d) * g2), rtol=1e-14)

    q = param([0.0, 0.0])
    nesterov = SGD([q], lr=lr, momentum=m, nesterov=True)
    y1 = step_with(nesterov, q, g1)
    np.testing.assert_allclose(y1, -lr * (1 + m) * g1, rtol=1e-14)
    y2 = step_with(nesterov, q, g2)
    buf2 = m * g1 + g2
    np.testing.assert_allclose(y2, y1 - lr * (g2 + m * buf2), rtol=1e-14)


def test_heavy_ball_on_a_quadratic_follows_its_linear_recurrence() -> None:
    # f = k x^2 / 2: x_{t+1} = (1 + m - lr k) x_t - m x_{t-1}, x_1 = (1 - lr k) x_0, a closed
    # form via the powers of the 2x2 companion matrix, independent of the buffer formulation
    k, lr, m, x0, steps = 3.0, 0.05, 0.8, 2.0, 40
    p = param(x0)
    opt = SGD([p], lr=lr, momentum=m)
    for _ in range(steps):
        p.grad = npgrad.tensor(k * p.numpy())
        opt.step()
    companion = np.array([[1 + m - lr * k, -m], [1.0, 0.0]])
    x_next, _ = np.linalg.matrix_power(companion, steps - 1) @ np.array([(1 - lr * k) * x0, x0])
    assert p.item() == pytest.approx(x_next, rel=1e-12)


def test_weight_decay_and_maximize() -> None:
    p = param([2.0, -1.0])
    opt = SGD([p], lr=0.1, weight_decay=0.5, maximize=True)
    # the gradient is negated, the decay still pulls towards zero
    np.testing.assert_allclose(
        step_with(opt, p, [1.0, 1.0]), [2.0 - 0.1 * (-1 + 1.0), -1.0 - 0.1 * (-1 - 0.5)]
    )


def test_l1_penalty_adds_its_strength_times_the_sign() -> None:
    p = param([2.0, -1.0, 0.0])
    opt = SGD([p], lr=0.1, l1_penalty=0.3, weight_decay=0.5)
    x1 = step_with(opt, p, [1.0, 1.0, 1.0])
    expected = np.array([2.0, -1.0, 0.0]) - 0.1 * (
        1.0 + 0.5 * np.array([2.0, -1.0, 0.0]) + 0.3 * np.array([1.0, -1.0, 0.0])
    )
    np.testing.assert_allclose(x1, expected, rtol=1e-15)
    assert opt.param_groups[0]["l1_penalty"] == 0.3


def test_l1_penalty_alone_drives_a_parameter_to_zero_linearly() -> None:
    p = param([1.0, -1.0])
    opt = SGD([p], lr=0.1, l1_penalty=1.0)
    for _ in range(5):
        step_with(opt, p, [0.0, 0.0])
    np.testing.assert_allclose(p.numpy(), [0.5, -0.5], rtol=1e-14)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lr": -0.1}, "lr"),
        ({"momentum": -0.5}, "momentum"),
        ({"weight_decay": -1e-4}, "weight_decay"),
        ({"l1_penalty": -1.0}, "l1_penalty"),
        ({"nesterov": True}, "Nesterov"),
        ({"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "Nesterov"),
        ({"lr": float("nan")}, "lr"),
    ],
)
def test_invalid_hyper_parameters_raise_naming_them(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SGD([param([1.0])], **kwargs)


CASES = [
    {"lr": 1e-3},
    {"lr": 1e-3, "momentum": 0.9},
    {"lr": 1e-3, "momentum": 0.9, "dampening": 0.5},
    {"lr": 1e-3, "momentum": 0.9, "nesterov": True},
    {"lr": 1e-3, "weight_decay": 0.1},
    {"lr": 1e-3, "momentum": 0.5, "nesterov": True, "weight_decay": 0.01, "maximize": True},
    {"lr": 1e-3, "maximize": True},
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_trajectory_matches_torch(torch_parity: Any, kwargs: dict[str, Any], dtype: str) -> None:
    torch_parity("SGD", kwargs, dtype)
