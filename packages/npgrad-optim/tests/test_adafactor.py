"""Adafactor: relative steps, factored second moments, clipping, errors, parity."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import Adafactor


def param(values: Any, dtype: str = "float64") -> npgrad.Tensor:
    return npgrad.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def step_with(opt: Adafactor, p: npgrad.Tensor, grad: Any) -> np.ndarray:
    p.grad = npgrad.tensor(np.asarray(grad, dtype=p.dtype))
    opt.step()
    return p.numpy().copy()


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x))))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_first_step_of_a_vector_moves_by_lr_times_its_rms(dtype: str) -> None:
    # at t = 1 the second moment is g^2, so the update is sign(g) (RMS 1: no clipping)
    x0 = np.array([3.0, -4.0, 0.5])
    p = param(x0, dtype)
    opt = Adafactor([p], lr=0.02)
    x1 = step_with(opt, p, [1e-3, 2.0, -7.0])
    expected = x0 - 0.02 * rms(x0) * np.array([1.0, 1.0, -1.0])
    assert x1.dtype == np.dtype(dtype)
    np.testing.assert_allclose(x1, expected, rtol=1e-6 if dtype == "float32" else 1e-14)


def test_a_zero_parameter_moves_by_lr_times_eps2() -> None:
    p = param([0.0, 0.0])
    opt = Adafactor([p], lr=0.1, eps=(None, 0.01))
    np.testing.assert_allclose(step_with(opt, p, [1.0, -1.0]), [-1e-3, 1e-3], rtol=1e-14)


def test_the_relative_step_size_decays_as_one_over_sqrt_t() -> None:
    p = param([0.0])
    # |p| stays below eps2 = 1, so alpha_t = rho_t = min(lr, 1 / sqrt(t)); |update| = 1
    opt = Adafactor([p], lr=0.6, eps=(None, 1.0))
    xs = [0.0] + [step_with(opt, p, [(-1.0) ** t]).item() for t in range(5)]
    expected = np.minimum(0.6, 1 / np.sqrt([1.0, 2.0, 3.0, 4.0, 5.0])) * [-1, 1, -1, 1, -1]
    np.testing.assert_allclose(np.diff(xs), expected, rtol=1e-14)


def test_matrices_keep_row_and_column_factors() -> None:
    x0 = np.array([[1.0, -2.0, 0.5], [0.3, 0.8, -1.2]])
    g = np.array([[0.5, -1.0, 2.0], [3.0, 0.1, -0.2]])
    p = param(x0)
    opt = Adafactor([p], lr=0.01, d=10.0)
    x1 = step_with(opt, p, g)
    state = opt.state[p]
    assert list(state) == ["step", "row_var", "col_var"]
    rows, cols = np.mean(g * g, axis=1, keepdims=True), np.mean(g * g, axis=0, keepdims=True)
    np.testing.assert_allclose(state["row_var"].numpy(), rows, rtol=1e-14)
    np.testing.assert_allclose(state["col_var"].numpy(), cols, rtol=1e-14)
    update = g / np.sqrt(rows * cols / rows.mean())  # the rank-1 estimate of g^2
    assert rms(update) < 10.0  # d = 10: not clipped
    np.testing.assert_allclose(x1, x0 - 0.01 * rms(x0) * update, rtol=1e-13)


def test_the_update_is_clipped_to_rms_d() -> None:
    x0 = np.array([[1.0, -2.0, 0.5], [0.3, 0.8, -1.2]])
    g = np.array([[0.5, -1.0, 2.0], [3.0, 0.1, -0.2]])
    p = param(x0)
    opt = Adafactor([p], lr=0.01)  # d = 1
    x1 = step_with(opt, p, g)
    rows, cols = np.mean(g * g, axis=1, keepdims=True), np.mean(g * g, axis=0, keepdims=True)
    update = g / np.sqrt(rows * cols / rows.mean())
    assert rms(update) > 1.0
    np.testing.assert_allclose(x1, x0 - 0.01 * rms(x0) * update / rms(update), rtol=1e-13)


def test_batched_matrices_factor_their_last_two_dims_and_decay_is_decoupled() -> None:
    rng = np.random.default_rng(0)
    x0 = rng.normal(size=(2, 3, 4))
    p = param(x0, "float32")
    opt = Adafactor([p], lr=0.01, weight_decay=0.5)
    step_with(opt, p, rng.normal(size=(2, 3, 4)))
    assert opt.state[p]["row_var"].shape == (2, 3, 1)
    assert opt.state[p]["col_var"].shape == (2, 1, 4)
    assert opt.state[p]["row_var"].dtype == np.float32
    # with a zero gradient the update is zero: only the decay 1 - lr * wd acts
    q = param([1.0, 2.0])
    decayed = Adafactor([q], lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose(step_with(decayed, q, [0.0, 0.0]), [0.95, 1.9], rtol=1e-14)


def test_maximize_ascends() -> None:
    p = param([2.0])
    opt = Adafactor([p], lr=0.1, maximize=True)
    assert step_with(opt, p, [5.0]).item() == pytest.approx(2.2)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lr": -0.1}, ValueError, "Learning rate should be >= 0 but is: -0.1"),
        ({"beta2_decay": 0.5}, ValueError, "beta2_decay should be <= 0 but is: 0.5"),
        ({"eps": (-1e-3, 1e-3)}, ValueError, "epsilon1 should be >= 0 but is: -0.001"),
        ({"eps": (None, -1.0)}, ValueError, "epsilon2 should be >= 0 but is: -1.0"),
        ({"eps": 1e-3}, TypeError, "eps must be a pair"),  # PyTorch: TypeError
        ({"d": 0.5}, ValueError, "Clipping threshold d should be >= 1 but is: 0.5"),
        ({"weight_decay": -1}, ValueError, "weight_decay should be >= 0 but is: -1"),
        ({"d": "one"}, TypeError, "d must be a number"),
    ],
)
def test_invalid_hyper_parameters_raise(kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        Adafactor([param([1.0])], **kwargs)


def test_load_checks_the_factor_shapes() -> None:
    p = param(np.ones((2, 3)))
    opt = Adafactor([p])
    step_with(opt, p, np.ones((2, 3)))
    saved = opt.state_dict()
    q = param(np.ones((2, 3)))
    fresh = Adafactor([q])
    fresh.load_state_dict(saved)
    loaded = fresh.state[q]["col_var"]
    np.testing.assert_array_equal(loaded.numpy(), opt.state[p]["col_var"].numpy())
    bad = copy.deepcopy(saved)
    bad["state"][0]["col_var"] = npgrad.ones(2, 1, dtype=npgrad.float64)
    with pytest.raises(ValueError, match=r"\['col_var'\] has shape \(2, 1\).*shape \(1, 3\)"):
        Adafactor([param(np.ones((2, 3)))]).load_state_dict(bad)


CASES = [
    {},
    {"lr": 0.05, "weight_decay": 0.1, "maximize": True},
    {"eps": (1e-20, 1e-2), "d": 1.5, "beta2_decay": -0.5},
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_trajectory_matches_torch(torch_parity: Any, kwargs: dict[str, Any], dtype: str) -> None:
    torch_parity("Adafactor", kwargs, dtype)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_batched_matrix_trajectory_matches_torch(dtype: str) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x0 = rng.normal(size=(2, 3, 4)).astype(dtype)
    ours, theirs = param(x0, dtype), torch.tensor(x0, requires_grad=True)
    opt = Adafactor([ours], lr=0.05, weight_decay=0.01)
    topt = torch.optim.Adafactor([theirs], lr=0.05, weight_decay=0.01)
    for _ in range(10):
        g = (np.sin(3 * ours.numpy().astype(np.float64)) + 0.1).astype(dtype)
        step_with(opt, ours, g)
        theirs.grad = torch.from_numpy(g)
        topt.step()
        tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {"rtol": 1e-12}
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), **tol)
    for key in ("row_var", "col_var"):
        np.testing.assert_allclose(
            opt.state[ours][key].numpy(), topt.state[theirs][key].numpy(), rtol=1e-5
        )


@pytest.mark.torch
def test_repr_and_group_keys_match_torch() -> None:
    torch = pytest.importorskip("torch")
    ours = Adafactor([npgrad.zeros(1, requires_grad=True)], lr=0.1)
    theirs = torch.optim.Adafactor([torch.zeros(1, requires_grad=True)], lr=0.1)
    torch_only = {"foreach", "fused", "capturable", "differentiable"}
    lines = [ln for ln in repr(theirs).splitlines() if ln.split(":")[0].strip() not in torch_only]
    assert repr(ours).splitlines() == lines
