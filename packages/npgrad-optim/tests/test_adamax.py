"""Adamax: the infinity-norm denominator, hand-computed steps, parity with torch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import Adamax


def param(values: Any) -> npgrad.Tensor:
    return npgrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def step_with(opt: Adamax, p: npgrad.Tensor, grad: Any) -> np.ndarray:
    p.grad = npgrad.tensor(np.asarray(grad, dtype=np.float64))
    opt.step()
    return p.numpy().copy()


def test_two_steps_follow_the_exponentially_weighted_infinity_norm() -> None:
    lr, b1, b2, eps = 0.1, 0.5, 0.9, 1e-3
    g1, g2 = np.array([4.0, -1.0]), np.array([1.0, -3.0])
    p = param([0.0, 0.0])
    opt = Adamax([p], lr=lr, betas=(b1, b2), eps=eps)
    x1 = step_with(opt, p, g1)
    m1, u1 = (1 - b1) * g1, np.abs(g1) + eps
    np.testing.assert_allclose(x1, -lr / (1 - b1) * m1 / u1, rtol=1e-14)
    x2 = step_with(opt, p, g2)
    m2 = b1 * m1 + (1 - b1) * g2
    u2 = np.maximum(b2 * u1, np.abs(g2) + eps)  # first coordinate keeps the decayed max
    assert u2[0] == b2 * u1[0]
    np.testing.assert_allclose(x2, x1 - lr / (1 - b1**2) * m2 / u2, rtol=1e-14)
    np.testing.assert_allclose(opt.state[p]["exp_inf"].numpy(), u2, rtol=1e-15)
    assert list(opt.state[p]) == ["step", "exp_avg", "exp_inf"]


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"lr": -1.0}, "lr"), ({"betas": (0.9, 1.0)}, "betas")]
)
def test_invalid_hyper_parameters_raise_naming_them(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Adamax([param([1.0])], **kwargs)


CASES = [
    {"lr": 0.01},
    {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.02, "betas": (0.2, 0.5), "eps": 1e-4, "maximize": True},
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_trajectory_matches_torch(torch_parity: Any, kwargs: dict[str, Any], dtype: str) -> None:
    torch_parity("Adamax", kwargs, dtype)
