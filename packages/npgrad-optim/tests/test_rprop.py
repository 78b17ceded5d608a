"""Rprop: sign-driven step sizes, their bounds, the skipped step after a flip, errors, parity."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import Rprop


def param(values: Any, dtype: str = "float64") -> npgrad.Tensor:
    return npgrad.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def step_with(opt: Rprop, p: npgrad.Tensor, grad: Any) -> np.ndarray:
    p.grad = npgrad.tensor(np.asarray(grad, dtype=p.dtype))
    opt.step()
    return p.numpy().copy()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_steps_grow_while_the_sign_holds_and_shrink_when_it_flips(dtype: str) -> None:
    p = param([0.0, 0.0, 0.0], dtype)
    opt = Rprop([p], lr=0.1, etas=(0.5, 2.0))
    # only the sign matters: huge and tiny gradients move a coordinate by the same amount
    x1 = step_with(opt, p, [1e-6, -300.0, 0.0])
    np.testing.assert_allclose(x1, [-0.1, 0.1, 0.0], rtol=1e-7)
    x2 = step_with(opt, p, [5.0, 2.0, 1.0])  # same sign, flip, first non-zero
    np.testing.assert_allclose(x2, [-0.3, 0.1, -0.1], rtol=1e-7)
    sizes = opt.state[p]["step_size"].numpy()
    np.testing.assert_allclose(sizes, [0.2, 0.05, 0.1], rtol=1e-7)
    # after a flip the remembered gradient is zero: the next step neither grows nor shrinks
    np.testing.assert_array_equal(opt.state[p]["prev"].numpy(), np.array([5.0, 0.0, 1.0], dtype))
    x3 = step_with(opt, p, [1.0, -1.0, 1.0])
    np.testing.assert_allclose(x3, [-0.7, 0.15, -0.3], rtol=1e-7)
    assert x3.dtype == np.dtype(dtype)
    assert all(
        v.dtype == np.dtype(dtype) for v in (opt.state[p]["prev"], opt.state[p]["step_size"])
    )


@pytest.mark.parametrize("name", ["asgd", "rprop", "adafactor"])
def test_the_functional_forms_leave_the_gradient_alone(name: str) -> None:
    from npgrad.optim import _functional as F

    p = np.array([[1.0, -2.0], [0.5, 3.0]], dtype=np.float32)
    g = np.array([[0.3, -1.0], [2.0, 0.0]], dtype=np.float32)
    g_before, p_before = g.copy(), p.copy()
    zeros = np.zeros_like(p)
    if name == "asgd":
        F.asgd(
            p,
            g,
            zeros,
            np.array(0.1, np.float32),
            np.array(1.0, np.float32),
            step=1.0,
            lr=0.1,
            lambd=1e-4,
            alpha=0.75,
            t0=1e6,
            weight_decay=0.1,
            maximize=True,
        )
    elif name == "rprop":
        F.rprop(
            p,
            g,
            np.ones_like(p),
            np.full_like(p, 0.1),
            etaminus=0.5,
            etaplus=1.2,
            step_size_min=1e-6,
            step_size_max=50.0,
            maximize=True,
        )
    else:
        F.adafactor(
            p,
            g,
            np.zeros((2, 1), np.float32),
            np.zeros((1, 2), np.float32),
            None,
            step=1.0,
            lr=0.1,
            beta2_decay=-0.8,
            eps1=1e-7,
            eps2=1e-3,
            d=1.0,
            weight_decay=0.1,
            maximize=True,
        )
    np.testing.assert_array_equal(g, g_before)
    assert p.dtype == np.float32 and not np.array_equal(p, p_before)


def test_step_sizes_are_clipped_to_their_bounds() -> None:
    p = param([0.0, 0.0])
    opt = Rprop([p], lr=1.0, etas=(0.1, 3.0), step_sizes=(0.5, 2.0))
    for _ in range(3):
        step_with(opt, p, [1.0, 1.0])
    np.testing.assert_array_equal(opt.state[p]["step_size"].numpy(), [2.0, 2.0])
    step_with(opt, p, [-1.0, 1.0])
    np.testing.assert_array_equal(opt.state[p]["step_size"].numpy(), [0.5, 2.0])


def test_the_initial_step_size_is_the_lr_when_the_state_is_created() -> None:
    p = param([0.0])
    opt = Rprop([p], lr=0.1)
    step_with(opt, p, [1.0])
    opt.param_groups[0]["lr"] = 10.0  # as in PyTorch, too late for this parameter
    assert step_with(opt, p, [1.0]).item() == pytest.approx(-0.1 - 0.12)


def test_maximize_and_a_0_dim_parameter() -> None:
    p = param(1.0)
    opt = Rprop([p], lr=0.5, maximize=True)
    assert step_with(opt, p, 3.0).item() == 1.5
    assert opt.state[p]["step_size"].shape == ()
    assert list(opt.state[p]) == ["step", "prev", "step_size"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lr": -0.1}, ValueError, "Invalid learning rate: -0.1"),
        ({"etas": (1.0, 1.2)}, ValueError, "Invalid eta values: 1.0, 1.2"),
        ({"etas": (0.5, 0.9)}, ValueError, "Invalid eta values: 0.5, 0.9"),
        ({"etas": (0.0, 1.2)}, ValueError, "Invalid eta values"),
        ({"etas": (0.5,)}, ValueError, "etas must be a pair"),
        ({"step_sizes": (1e-6, "max")}, TypeError, r"step_sizes\[1\] must be a number"),
    ],
)
def test_invalid_hyper_parameters_raise(kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        Rprop([param([1.0])], **kwargs)


def test_load_checks_the_state_shapes_before_changing_anything() -> None:
    p = param([1.0, 2.0])
    opt = Rprop([p])
    step_with(opt, p, [1.0, 1.0])
    bad = copy.deepcopy(opt.state_dict())
    bad["state"][0]["step_size"] = npgrad.ones(3, dtype=npgrad.float64)
    bad["param_groups"][0]["lr"] = 5.0
    q = param([1.0, 2.0])
    fresh = Rprop([q])
    with pytest.raises(ValueError, match=r"\['step_size'\] has shape \(3,\).*shape \(2,\)"):
        fresh.load_state_dict(bad)
    assert fresh.param_groups[0]["lr"] == 0.01 and not fresh.state


CASES = [
    {},
    {"lr": 1e-3, "maximize": True},
    {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2)},
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_trajectory_matches_torch(torch_parity: Any, kwargs: dict[str, Any], dtype: str) -> None:
    torch_parity("Rprop", kwargs, dtype)


@pytest.mark.torch
def test_repr_and_group_keys_match_torch() -> None:
    torch = pytest.importorskip("torch")
    ours = Rprop([npgrad.zeros(1, requires_grad=True)], lr=0.1)
    theirs = torch.optim.Rprop([torch.zeros(1, requires_grad=True)], lr=0.1)
    torch_only = {"foreach", "fused", "capturable", "differentiable"}
    lines = [ln for ln in repr(theirs).splitlines() if ln.split(":")[0].strip() not in torch_only]
    assert repr(ours).splitlines() == lines
