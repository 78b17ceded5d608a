"""Adam: the first step is lr * sign(grad), hand-computed later steps, AMSGrad, parity."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import Adam


def param(values: Any, dtype: str = "float64") -> npgrad.Tensor:
    return npgrad.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def step_with(opt: Adam, p: npgrad.Tensor, grad: Any) -> np.ndarray:
    p.grad = npgrad.tensor(np.asarray(grad, dtype=p.dtype))
    opt.step()
    return p.numpy().copy()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_first_step_moves_every_coordinate_by_lr_against_the_gradient(dtype: str) -> None:
    p = param([1.0, -2.0, 3.0], dtype)
    opt = Adam([p], lr=0.01, eps=0.0)
    x1 = step_with(opt, p, [1e-3, -5.0, 250.0])
    np.testing.assert_allclose(x1, [0.99, -1.99, 2.99], rtol=1e-6 if dtype == "float32" else 1e-14)
    assert x1.dtype == np.dtype(dtype)


def test_second_step_follows_the_bias_corrected_moments() -> None:
    b1, b2, lr, eps = 0.8, 0.9, 0.1, 1e-3
    g1, g2 = np.array([2.0, -1.0]), np.array([-1.0, 3.0])
    p = param([0.0, 0.0])
    opt = Adam([p], lr=lr, betas=(b1, b2), eps=eps)
    step_with(opt, p, g1)
    x1 = p.numpy().copy()
    x2 = step_with(opt, p, g2)
    m = b1 * (1 - b1) * g1 + (1 - b1) * g2
    v = b2 * (1 - b2) * g1**2 + (1 - b2) * g2**2
    expected = x1 - lr / (1 - b1**2) * m / (np.sqrt(v / (1 - b2**2)) + eps)
    np.testing.assert_allclose(x2, expected, rtol=1e-14)
    state = opt.state[p]
    assert list(state) == ["step", "exp_avg", "exp_avg_sq"]
    np.testing.assert_allclose(state["exp_avg"].numpy(), m, rtol=1e-14)
    np.testing.assert_allclose(state["exp_avg_sq"].numpy(), v, rtol=1e-14)
    assert float(state["step"]) == 2.0


def test_amsgrad_normalises_by_the_largest_second_moment_so_far() -> None:
    b1, b2, lr = 0.0, 0.5, 1.0  # beta1 = 0: the numerator is the gradient itself
    p = param([0.0])
    opt = Adam([p], lr=lr, betas=(b1, b2), eps=0.0, amsgrad=True)
    step_with(opt, p, [4.0])  # v1 = 8, vmax = 8
    x1 = p.item()
    step_with(opt, p, [1.0])  # v2 = 4.5 < vmax: the denominator uses vmax
    expected = x1 - lr * 1.0 / np.sqrt(8.0 / (1 - b2**2))
    assert p.item() == pytest.approx(expected, rel=1e-14)
    assert opt.state[p]["max_exp_avg_sq"].item() == 8.0


def test_l2_weight_decay_enters_the_gradient_decoupled_decay_the_parameter() -> None:
    p = param([2.0])
    opt = Adam([p], lr=0.1, eps=0.0, weight_decay=0.5)
    # the decay changes the gradient's sign here: 2 * 0.5 - 3 < 0, so the step goes up
    assert step_with(opt, p, [-3.0]) == pytest.approx(2.1)
    q = param([2.0])
    decoupled = Adam([q], lr=0.1, eps=0.0, weight_decay=0.5, decoupled_weight_decay=True)
    assert step_with(decoupled, q, [-3.0]) == pytest.approx(2.0 * (1 - 0.05) + 0.1)


def test_maximize_climbs() -> None:
    p = param([1.0])
    opt = Adam([p], lr=0.1, eps=0.0, maximize=True)
    assert step_with(opt, p, [5.0]) == pytest.approx(1.1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lr": -1e-3}, "lr"),
        ({"eps": -1e-8}, "eps"),
        ({"betas": (1.0, 0.999)}, r"betas\[0\]"),
        ({"betas": (0.9, -0.1)}, r"betas\[1\]"),
        ({"betas": (0.9,)}, "pair"),
        ({"weight_decay": -0.1}, "weight_decay"),
    ],
)
def test_invalid_hyper_parameters_raise_naming_them(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Adam([param([1.0])], **kwargs)


CASES = [
    {"lr": 0.01},
    {"lr": 0.01, "amsgrad": True},
    {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True, "maximize": True},
    {"lr": 0.05, "betas": (0.3, 0.9), "eps": 1e-3},
    {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_trajectory_matches_torch(torch_parity: Any, kwargs: dict[str, Any], dtype: str) -> None:
    torch_parity("Adam", kwargs, dtype)
