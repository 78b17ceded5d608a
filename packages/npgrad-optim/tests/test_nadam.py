"""NAdam: the momentum schedule and its product, hand-computed steps, parity with torch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import NAdam


@pytest.fixture
def float64_default() -> Iterator[None]:
    # with float64 as the default dtype the scalar state (step, mu_product) is float64 too
    before = npgrad.get_default_dtype()
    npgrad.set_default_dtype(npgrad.float64)
    try:
        yield
    finally:
        npgrad.set_default_dtype(before)


@pytest.mark.usefixtures("float64_default")
def test_two_steps_follow_the_nesterov_momentum_schedule() -> None:
    lr, b1, b2, eps, psi = 0.1, 0.9, 0.99, 1e-3, 0.05
    g1, g2 = np.array([1.0, -2.0]), np.array([3.0, 0.5])
    p = npgrad.tensor([0.0, 0.0], requires_grad=True)
    opt = NAdam([p], lr=lr, betas=(b1, b2), eps=eps, momentum_decay=psi)

    def mu(t: int) -> float:
        return b1 * (1 - 0.5 * 0.96 ** (t * psi))

    m = v = np.zeros(2)
    expected = np.zeros(2)
    product = 1.0
    for t, g in enumerate([g1, g2], start=1):
        p.grad = npgrad.tensor(g)
        opt.step()
        product *= mu(t)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        denom = np.sqrt(v / (1 - b2**t)) + eps
        expected = expected - lr * (1 - mu(t)) / (1 - product) * g / denom
        expected = expected - lr * mu(t + 1) / (1 - product * mu(t + 1)) * m / denom
        np.testing.assert_allclose(p.numpy(), expected, rtol=1e-14)
    state = opt.state[p]
    assert list(state) == ["step", "mu_product", "exp_avg", "exp_avg_sq"]
    assert state["mu_product"].dtype == np.float64
    assert state["mu_product"].item() == pytest.approx(product, rel=1e-15)


def test_scalar_state_is_float32_by_default_like_torch() -> None:
    p = npgrad.tensor([0.0, 0.0], dtype=npgrad.float64, requires_grad=True)
    opt = NAdam([p])
    p.grad = npgrad.ones(2, dtype=npgrad.float64)
    opt.step()
    assert opt.state[p]["mu_product"].dtype == np.float32
    assert opt.state[p]["step"].dtype == np.float32
    assert opt.state[p]["exp_avg"].dtype == np.float64


def test_decoupled_weight_decay_shrinks_the_parameter_first() -> None:
    a = npgrad.tensor([2.0], dtype=npgrad.float64, requires_grad=True)
    b = npgrad.tensor([2.0 * (1 - 0.1 * 0.5)], dtype=npgrad.float64, requires_grad=True)
    decayed = NAdam([a], lr=0.1, weight_decay=0.5, decoupled_weight_decay=True)
    plain = NAdam([b], lr=0.1)
    a.grad = b.grad = npgrad.tensor([1.0], dtype=npgrad.float64)
    decayed.step()
    plain.step()
    assert a.item() == pytest.approx(b.item(), rel=1e-15)


def test_negative_momentum_decay_raises() -> None:
    with pytest.raises(ValueError, match="momentum_decay"):
        NAdam([npgrad.zeros(1, requires_grad=True)], momentum_decay=-1.0)


CASES = [
    {"lr": 0.01},
    {"lr": 0.01, "momentum_decay": 0.01},
    {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True},
    {"lr": 0.01, "betas": (0.4, 0.9)},
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_trajectory_matches_torch(torch_parity: Any, kwargs: dict[str, Any], dtype: str) -> None:
    torch_parity("NAdam", kwargs, dtype)
