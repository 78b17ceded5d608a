"""ASGD: hand-computed steps, the step-size schedule, Polyak averaging after t0, errors, parity."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import ASGD
from npgrad.optim import _functional as F


def param(values: Any, dtype: str = "float64") -> npgrad.Tensor:
    return npgrad.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def step_with(opt: ASGD, p: npgrad.Tensor, grad: Any) -> np.ndarray:
    p.grad = npgrad.tensor(np.asarray(grad, dtype=p.dtype))
    opt.step()
    return p.numpy().copy()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_first_step_decays_then_descends(dtype: str) -> None:
    lr, lambd, wd = 0.25, 0.5, 0.1
    p = param([1.0, -2.0], dtype)
    opt = ASGD([p], lr=lr, lambd=lambd, weight_decay=wd)
    x1 = step_with(opt, p, [2.0, 4.0])
    g = np.array([2.0, 4.0]) + wd * np.array([1.0, -2.0])
    expected = (1 - lambd * lr) * np.array([1.0, -2.0]) - lr * g
    assert x1.dtype == np.dtype(dtype)
    np.testing.assert_allclose(x1, expected, rtol=1e-6 if dtype == "float32" else 1e-15)


def test_step_size_follows_the_decay_schedule_in_float32_state() -> None:
    lr, lambd, alpha = 0.1, 0.3, 0.6
    p = param([0.0])
    opt = ASGD([p], lr=lr, lambd=lambd, alpha=alpha)
    xs = [p.item()]
    for t in range(1, 5):
        xs.append(step_with(opt, p, [1.0]).item())
        eta = opt.state[p]["eta"]
        # PyTorch keeps eta (and mu, step) as float32 0-dim tensors, even for float64 params
        assert eta.dtype == np.float32 and eta.shape == ()
        assert eta.item() == np.float32(lr / (1 + lambd * lr * t) ** alpha)
    # the move of step t uses the eta computed after step t - 1 (lr itself at t = 1)
    etas = [np.float32(lr)] + [np.float32(lr / (1 + lambd * lr * t) ** alpha) for t in (1, 2, 3)]
    for t in range(4):
        expected = (1 - lambd * float(etas[t])) * xs[t] - float(etas[t])
        assert xs[t + 1] == pytest.approx(expected, rel=1e-14)


def test_ax_is_the_running_mean_of_the_iterates_after_t0() -> None:
    t0 = 2
    p = param([1.0, 3.0])
    opt = ASGD([p], lr=0.1, lambd=0.0, alpha=0.0, t0=t0)  # alpha = 0: a constant step size
    rng = np.random.default_rng(0)
    iterates = []
    for t in range(1, 9):
        iterates.append(step_with(opt, p, rng.normal(size=2)))
        ax = opt.state[p]["ax"].numpy()
        # mu_t = 1 / max(1, t - t0) is applied at step t + 1: the mean starts at step t0 + 2
        # (mu is a float32, as in PyTorch: 1/3 is rounded, hence the tolerance)
        first = min(t, t0 + 2)
        np.testing.assert_allclose(ax, np.mean(iterates[first - 1 :], axis=0), rtol=1e-7)
    assert opt.state[p]["mu"].item() == pytest.approx(1 / (8 - t0))


def test_maximize_ascends() -> None:
    p = param([1.0])
    opt = ASGD([p], lr=0.5, lambd=0.0, maximize=True)
    assert step_with(opt, p, [2.0]).item() == pytest.approx(2.0)


def test_state_layout_and_functional_form() -> None:
    p = param([[1.0, 2.0], [3.0, 4.0]], "float32")
    opt = ASGD([p], lr=0.1)
    step_with(opt, p, np.ones((2, 2)))
    state = opt.state[p]
    assert list(state) == ["step", "eta", "mu", "ax"]
    assert state["ax"].shape == (2, 2) and state["ax"].dtype == np.float32
    # the functional form updates the state arrays in place
    q, ax = np.array([1.0, 2.0], dtype=np.float32), np.zeros(2, dtype=np.float32)
    eta, mu = np.array(0.5, dtype=np.float32), np.array(1.0, dtype=np.float32)
    F.asgd(
        q,
        np.ones(2, np.float32),
        ax,
        eta,
        mu,
        step=1.0,
        lr=0.5,
        lambd=0.0,
        alpha=1.0,
        t0=0.0,
        weight_decay=0.0,
        maximize=False,
    )
    assert q.dtype == np.float32
    np.testing.assert_array_equal(q, [0.5, 1.5])
    np.testing.assert_array_equal(ax, [0.5, 1.5])
    assert float(eta) == 0.5 and float(mu) == 1.0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lr": -0.1}, ValueError, "Invalid learning rate: -0.1"),
        ({"weight_decay": -1e-3}, ValueError, "Invalid weight_decay value: -0.001"),
        ({"lr": "big"}, TypeError, "lr must be a number"),
        ({"t0": None}, TypeError, "t0 must be a number"),
    ],
)
def test_invalid_hyper_parameters_raise(kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        ASGD([param([1.0])], **kwargs)


def test_load_keeps_eta_and_mu_in_their_dtype_and_checks_shapes() -> None:
    p = param([1.0, 2.0])
    opt = ASGD([p], lr=0.01, t0=1)
    for _ in range(3):
        step_with(opt, p, [0.5, -0.25])
    saved = opt.state_dict()
    q = param([1.0, 2.0])
    fresh = ASGD([q], lr=0.01, t0=1)
    fresh.load_state_dict(saved)
    assert fresh.state[q]["eta"].dtype == np.float32
    assert fresh.state[q]["ax"].dtype == np.float64
    assert fresh.state[q]["eta"] is not opt.state[p]["eta"]

    bad = copy.deepcopy(saved)
    bad["state"][0]["ax"] = npgrad.zeros(3, dtype=npgrad.float64)
    with pytest.raises(ValueError, match=r"state\[0\]\['ax'\] has shape \(3,\)"):
        fresh.load_state_dict(bad)
    np.testing.assert_array_equal(fresh.state[q]["ax"].numpy(), opt.state[p]["ax"].numpy())


CASES = [
    {"lr": 1e-3},
    {"lr": 1e-3, "t0": 4},
    {"lr": 1e-3, "lambd": 0.1, "alpha": 0.5, "t0": 3, "weight_decay": 0.1},
    {"lr": 1e-3, "t0": 2, "maximize": True},
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_trajectory_matches_torch(torch_parity: Any, kwargs: dict[str, Any], dtype: str) -> None:
    torch_parity("ASGD", kwargs, dtype)


@pytest.mark.torch
def test_repr_and_group_keys_match_torch() -> None:
    torch = pytest.importorskip("torch")
    ours = ASGD([npgrad.zeros(1, requires_grad=True)], lr=0.1)
    theirs = torch.optim.ASGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    torch_only = {"foreach", "fused", "capturable", "differentiable"}
    lines = [ln for ln in repr(theirs).splitlines() if ln.split(":")[0].strip() not in torch_only]
    assert repr(ours).splitlines() == lines
