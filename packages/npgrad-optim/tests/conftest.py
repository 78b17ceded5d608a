"""Shared test problem for the optimizers: three parameters, gradients set by hand.

The gradients come from NumPy functions of the parameters' current values (so the tests don't
depend on core's ops), the same functions for npgrad and for PyTorch. The problem mixes a
Rosenbrock valley (coupled, badly conditioned), a scaled quadratic in a (2, 3) matrix and a
0-dim quartic whose gradient is missing every third step (the optimizer must skip it then).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import npgrad
import npgrad.optim

X0 = (
    np.array([-1.2, 1.0]),
    np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.3]]),
    np.array(0.7),
)
SCALE = np.array([[1.0, 3.0, 0.5], [2.0, 0.1, 1.5]])
TARGET = np.array([[0.2, 0.4, -0.6], [1.0, -2.0, 0.3]])
STEPS = 25


def problem_grads(arrays: list[np.ndarray], step: int) -> list[np.ndarray | None]:
    """The gradients (float64) at the current values; None for the 0-dim one every 3rd step."""
    a, b, c = (np.asarray(x, dtype=np.float64) for x in arrays)
    x, y = a
    grad_a = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    grad_b = SCALE * (b - TARGET)
    grad_c = None if step % 3 == 2 else np.array(4 * c * c * c - 1.0)
    return [grad_a, grad_b, grad_c]


def _groups(params: list[Any], kwargs: dict[str, Any]) -> list[dict[str, Any]]:
    # the 0-dim parameter gets its own group with half the learning rate
    lr = kwargs.get("lr", 1e-3)
    return [{"params": params[:2]}, {"params": params[2:], "lr": lr / 2}]


def run_npgrad(
    name: str, kwargs: dict[str, Any], dtype: str, steps: int = STEPS
) -> tuple[list[list[np.ndarray]], Any]:
    """The parameters after every step, and the optimizer."""
    params = [npgrad.tensor(x0.astype(dtype), requires_grad=True) for x0 in X0]
    opt = getattr(npgrad.optim, name)(_groups(params, kwargs), **kwargs)
    sign = -1.0 if kwargs.get("maximize") else 1.0  # maximize -f: the same, stable, descent
    history = []
    for step in range(steps):
        for p, g in zip(params, problem_grads([p.numpy() for p in params], step)):
            p.grad = None if g is None else npgrad.tensor(np.asarray(sign * g, dtype=dtype))
        opt.step()
        history.append([p.numpy().copy() for p in params])
    return history, opt


def run_torch(
    name: str, kwargs: dict[str, Any], dtype: str, steps: int = STEPS
) -> tuple[list[list[np.ndarray]], Any]:
    """The same run with ``torch.optim``."""
    torch = pytest.importorskip("torch")
    params = [torch.tensor(x0.astype(dtype), requires_grad=True) for x0 in X0]
    opt = getattr(torch.optim, name)(_groups(params, kwargs), **kwargs)
    sign = -1.0 if kwargs.get("maximize") else 1.0
    history = []
    for step in range(steps):
        for p, g in zip(params, problem_grads([p.detach().numpy() for p in params], step)):
            p.grad = None if g is None else torch.from_numpy(np.asarray(sign * g, dtype=dtype))
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history, opt


# float64 agrees to rounding; float32 differs in the last bit now and then because PyTorch
# fuses multiply-adds (FMA) and NumPy does not, and the Rosenbrock valley amplifies it a little
TOLERANCE = {"float64": {"rtol": 1e-10, "atol": 1e-12}, "float32": {"rtol": 1e-5, "atol": 1e-6}}
# keys of torch's param groups that npgrad does not have (implementation switches of torch)
TORCH_ONLY_GROUP_KEYS = {"foreach", "fused", "capturable", "differentiable"}
NPGRAD_ONLY_GROUP_KEYS = {"l1_penalty"}  # SGD's L1 penalty


def compare_with_torch(name: str, kwargs: dict[str, Any], dtype: str) -> None:
    """Run both, then compare every step's parameters, the final state and the groups."""
    torch_history, torch_opt = run_torch(name, kwargs, dtype)
    history, opt = run_npgrad(name, kwargs, dtype)
    tol = TOLERANCE[dtype]
    for i in range(len(X0)):
        ours = np.stack([step[i] for step in history])
        theirs = np.stack([step[i] for step in torch_history])
        assert ours.dtype == theirs.dtype == np.dtype(dtype)
        close = np.isclose(ours, theirs, **tol).reshape(len(history), -1).all(axis=1)
        if not close.all():
            step = int(np.argmin(close))
            np.testing.assert_allclose(
                ours[step], theirs[step], **tol, err_msg=f"step {step}, parameter {i}"
            )

    ours_sd, theirs_sd = opt.state_dict(), torch_opt.state_dict()
    assert ours_sd["state"].keys() == theirs_sd["state"].keys()
    for index, state in theirs_sd["state"].items():
        assert list(ours_sd["state"][index]) == list(state), f"state keys of parameter {index}"
        for key, value in state.items():
            ours_value = ours_sd["state"][index][key].numpy()
            theirs_value = value.detach().numpy()
            assert ours_value.dtype == theirs_value.dtype, f"dtype of state[{index}][{key!r}]"
            np.testing.assert_allclose(ours_value, theirs_value, **tol, err_msg=key)
    for ours_group, theirs_group in zip(ours_sd["param_groups"], theirs_sd["param_groups"]):
        theirs_group = {k: v for k, v in theirs_group.items() if k not in TORCH_ONLY_GROUP_KEYS}
        ours_group = {k: v for k, v in ours_group.items() if k not in NPGRAD_ONLY_GROUP_KEYS}
        assert ours_group == theirs_group


@pytest.fixture
def torch_parity() -> Callable[[str, dict[str, Any], str], None]:
    """``torch_parity(name, kwargs, dtype)`` asserts npgrad's run equals torch's."""
    pytest.importorskip("torch")
    return compare_with_torch


@pytest.fixture
def trajectory() -> Callable[..., tuple[list[list[np.ndarray]], Any]]:
    """``trajectory(name, kwargs, dtype, steps=25)`` runs npgrad on the shared problem."""
    return run_npgrad
