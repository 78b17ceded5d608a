"""The Optimizer base: param groups, bad input, zero_grad, in-place steps, hooks, repr."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad import optim
from npgrad.optim import SGD, Adagrad, Adam, Optimizer
from npgrad.optim.optimizer import (
    register_optimizer_step_post_hook,
    register_optimizer_step_pre_hook,
    required,
)

ALL = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"]


def leaf(*values: float, dtype: Any = npgrad.float32) -> npgrad.Tensor:
    return npgrad.tensor(list(values), dtype=dtype, requires_grad=True)


# ---- construction and groups ---------------------------------------------------------------
def test_a_list_of_tensors_is_one_group_with_the_defaults() -> None:
    a, b = leaf(1.0), leaf(2.0)
    opt = SGD([a, b], lr=0.1, momentum=0.9)
    assert len(opt.param_groups) == 1
    group = opt.param_groups[0]
    assert group["params"][0] is a and group["params"][1] is b
    assert group["lr"] == 0.1 and group["momentum"] == 0.9 and group["nesterov"] is False
    assert opt.defaults["lr"] == 0.1


def test_groups_override_the_defaults_and_generators_are_accepted() -> None:
    a, b = leaf(1.0), leaf(2.0)
    opt = Adam(g for g in [{"params": [a]}, {"params": b, "lr": 0.5, "betas": (0.5, 0.6)}])
    assert opt.param_groups[0]["lr"] == 1e-3
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["betas"] == (0.5, 0.6)
    assert opt.param_groups[1]["params"][0] is b  # a lone tensor becomes a list


def test_named_parameters_are_recorded() -> None:
    a, b = leaf(1.0), leaf(2.0)
    opt = SGD([("weight", a), ("bias", b)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight", "bias"]
    with pytest.raises(ValueError, match="names"):
        opt.add_param_group({"params": [leaf(3.0)]})


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        (leaf(1.0), TypeError, "single Tensor"),
        ([], ValueError, "empty parameter list"),
        ({leaf(1.0)}, TypeError, "ordered"),
        ([np.zeros(2)], TypeError, "only optimize Tensors"),
        ([{"lr": 0.1}], ValueError, "'params'"),
        ([{"params": {leaf(1.0)}}], TypeError, "set"),
    ],
)
def test_bad_params_raise_clear_errors(params: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        SGD(params, lr=0.1)


def test_a_non_leaf_tensor_cannot_be_optimized() -> None:
    x = leaf(1.0, 2.0)
    y = x * 2
    with pytest.raises(ValueError, match="non-leaf"):
        SGD([y], lr=0.1)


def test_the_same_tensor_twice_raises_within_and_across_groups() -> None:
    a = leaf(1.0)
    with pytest.raises(ValueError, match="twice"):
        SGD([a, a], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        SGD([{"params": [a]}, {"params": [a]}], lr=0.1)


def test_a_rejected_group_leaves_the_optimizer_and_the_dict_unchanged() -> None:
    a, b = leaf(1.0), leaf(2.0)
    opt = SGD([a], lr=0.1)
    bad = {"params": [b], "lr": -1.0}
    with pytest.raises(ValueError, match="lr"):
        opt.add_param_group(bad)
    dup = {"params": [b, a]}
    with pytest.raises(ValueError, match="more than one"):
        opt.add_param_group(dup)
    assert len(opt.param_groups) == 1
    assert bad == {"params": [b], "lr": -1.0} and set(dup) == {"params"}


def test_add_param_group_fills_defaults_into_the_callers_dict_like_torch() -> None:
    opt = SGD([leaf(1.0)], lr=0.1)
    group = {"params": leaf(2.0)}
    opt.add_param_group(group)
    assert opt.param_groups[1] is group and group["lr"] == 0.1 and isinstance(group["params"], list)


def test_a_required_hyper_parameter_must_be_given_by_every_group() -> None:
    class Plain(Optimizer):
        def __init__(self, params: Any, lr: Any = required) -> None:
            super().__init__(params, {"lr": lr})

        def step(self, closure: Any = None) -> Any:
            return None

    assert Plain([leaf(1.0)], lr=0.5).param_groups[0]["lr"] == 0.5
    with pytest.raises(ValueError, match="required optimization parameter lr"):
        Plain([leaf(1.0)])
    assert repr(required) == "<required parameter>"


@pytest.mark.parametrize("name", ALL)
def test_negative_lr_raises_for_every_optimizer(name: str) -> None:
    with pytest.raises(ValueError, match="lr"):
        getattr(optim, name)([leaf(1.0)], lr=-0.01)


@pytest.mark.parametrize("name", ALL)
def test_group_hyper_parameters_are_validated_too(name: str) -> None:
    opt = getattr(optim, name)([leaf(1.0)], lr=0.01)
    with pytest.raises(ValueError, match="lr"):
        opt.add_param_group({"params": [leaf(2.0)], "lr": -1.0})


def test_a_tensor_lr_must_have_one_element() -> None:
    with pytest.raises(ValueError, match="1 element"):
        SGD([leaf(1.0)], lr=npgrad.tensor([0.1, 0.2]))
    with pytest.raises(TypeError, match="number"):
        SGD([leaf(1.0)], lr="0.1")  # type: ignore[arg-type]


def test_a_tensor_lr_is_used_as_its_value() -> None:
    p = leaf(1.0, dtype=npgrad.float64)
    opt = SGD([p], lr=npgrad.tensor(0.5, dtype=npgrad.float64))
    p.grad = npgrad.tensor([1.0], dtype=npgrad.float64)
    opt.step()
    assert p.item() == 0.5


# ---- steps -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_a_parameter_without_grad_is_skipped_and_gets_no_state(name: str) -> None:
    a, b = leaf(1.0, 2.0), leaf(3.0)
    opt = getattr(optim, name)([a, b], lr=0.1)
    a.grad = npgrad.tensor([1.0, -1.0])
    before = b.numpy().copy()
    opt.step()
    np.testing.assert_array_equal(b.numpy(), before)
    assert b._version == 0
    if name != "Adagrad":  # Adagrad creates its state eagerly, as PyTorch
        assert b not in opt.state
    assert not np.array_equal(a.numpy(), [1.0, 2.0])


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("dtype", [npgrad.float32, npgrad.float64])
def test_steps_are_in_place_bump_the_version_and_keep_the_dtype(name: str, dtype: Any) -> None:
    p = leaf(1.0, -2.0, 0.5, dtype=dtype)
    array, alias = p.numpy(), p.detach()
    kwargs = {"momentum": 0.9} if name in ("SGD", "RMSprop") else {}
    opt = getattr(optim, name)([p], lr=0.1, **kwargs)
    for step in range(3):
        p.grad = npgrad.tensor([0.5, -1.0, 2.0], dtype=dtype)
        opt.step()
        assert p._version == step + 1
    assert p.numpy() is array  # the same array, updated in place
    np.testing.assert_array_equal(alias.numpy(), array)
    assert p.dtype == dtype and p.requires_grad and p.grad_fn is None
    for key, value in opt.state[p].items():
        if key in ("step", "mu_product"):
            assert value.shape == () and value.dtype == np.float32, key
        else:
            assert value.dtype == dtype and value.shape == p.shape, key


def test_scalar_state_follows_a_float64_default_dtype() -> None:
    before = npgrad.get_default_dtype()
    npgrad.set_default_dtype(npgrad.float64)
    try:
        p = npgrad.tensor([1.0], dtype=npgrad.float32, requires_grad=True)
        opt = Adam([p])
        p.grad = npgrad.tensor([1.0], dtype=npgrad.float32)
        opt.step()
    finally:
        npgrad.set_default_dtype(before)
    assert opt.state[p]["step"].dtype == np.float64
    assert opt.state[p]["exp_avg"].dtype == np.float32


def test_a_zero_dim_float32_parameter_stays_float32() -> None:
    p = npgrad.tensor(1.5, requires_grad=True)
    for name in ALL:
        opt = getattr(optim, name)([p], lr=0.1)
        p.grad = npgrad.tensor(0.25)
        opt.step()
        assert p.dtype == np.float32 and p.shape == (), name
        assert all(v.dtype == np.float32 for v in opt.state[p].values()), name


def test_the_gradient_is_not_modified() -> None:
    p = leaf(1.0, 2.0)
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1, maximize=True)
    grad = npgrad.tensor([1.0, 1.0])
    p.grad = grad
    opt.step()
    opt.step()
    assert p.grad is grad
    np.testing.assert_array_equal(grad.numpy(), [1.0, 1.0])
    # the momentum buffer is a copy, not the gradient's array
    assert opt.state[p]["momentum_buffer"].numpy() is not grad.numpy()


def test_a_gradient_of_another_dtype_is_cast_and_a_wrong_shape_raises() -> None:
    p = leaf(1.0, 2.0)
    opt = Adam([p], lr=0.1)
    # assigning such a gradient is refused by the tensor itself, as in PyTorch ...
    with pytest.raises(RuntimeError, match="dtype float64 to a tensor of dtype float32"):
        p.grad = npgrad.tensor([1.0, 1.0], dtype=npgrad.float64)
    with pytest.raises(RuntimeError, match=r"shape \(3,\) to a tensor of shape \(2,\)"):
        p.grad = npgrad.tensor([1.0, 1.0, 1.0])
    # ... and the optimizer still guards against one that got there otherwise
    p._grad = npgrad.tensor([1.0, 1.0], dtype=npgrad.float64)
    opt.step()
    assert p.dtype == np.float32 and opt.state[p]["exp_avg"].dtype == np.float32
    p._grad = npgrad.tensor([1.0, 1.0, 1.0])
    with pytest.raises(RuntimeError, match=r"shape \(2,\).*gradient of shape \(3,\)"):
        opt.step()


def test_closure_is_evaluated_with_grad_enabled_and_its_loss_returned() -> None:
    p = leaf(2.0, dtype=npgrad.float64)
    opt = SGD([p], lr=0.25)
    seen = []

    def closure() -> float:
        seen.append(npgrad.is_grad_enabled())
        p.grad = npgrad.tensor([2 * p.item()], dtype=npgrad.float64)
        return p.item() ** 2

    with npgrad.no_grad():
        loss = opt.step(closure)
    assert loss == 4.0 and seen == [True]
    assert p.item() == 1.0


def test_zero_grad_sets_to_none_or_zeroes_in_place() -> None:
    a, b = leaf(1.0, 2.0), leaf(3.0)
    opt = SGD([a, b], lr=0.1)
    a.grad = npgrad.tensor([1.0, 1.0])
    opt.zero_grad(set_to_none=False)
    assert b.grad is None
    grad = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is grad
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 0.0])
    opt.zero_grad()
    assert a.grad is None


# ---- hooks -----------------------------------------------------------------------------------
def test_step_hooks_run_around_step_and_can_be_removed() -> None:
    p = leaf(1.0)
    opt = SGD([p], lr=0.1)
    calls: list[str] = []
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(f"pre{args}{kwargs}"))
    post = opt.register_step_post_hook(lambda o, args, kwargs: calls.append("post"))
    p.grad = npgrad.tensor([1.0])
    opt.step()
    assert calls == ["pre(){}", "post"]
    pre.remove()
    post.remove()
    post.remove()  # a second remove is harmless
    opt.step()
    assert calls == ["pre(){}", "post"]


def test_a_pre_hook_can_replace_the_arguments_and_must_return_a_pair() -> None:
    p = leaf(1.0)
    opt = SGD([p], lr=0.1)
    replacement_ran = []
    handle = opt.register_step_pre_hook(
        lambda o, args, kwargs: ((), {"closure": lambda: replacement_ran.append(1) or 7.0})
    )
    assert opt.step() == 7.0 and replacement_ran == [1]
    handle.remove()
    opt.register_step_pre_hook(lambda o, args, kwargs: "oops")
    with pytest.raises(RuntimeError, match="pre-hook"):
        opt.step()


def test_global_hooks_see_every_optimizer() -> None:
    seen: list[tuple[str, str]] = []
    pre = register_optimizer_step_pre_hook(lambda o, a, k: seen.append(("pre", type(o).__name__)))
    post = register_optimizer_step_post_hook(
        lambda o, a, k: seen.append(("post", type(o).__name__))
    )
    try:
        SGD([leaf(1.0)], lr=0.1).step()
        Adam([leaf(1.0)]).step()
    finally:
        pre.remove()
        post.remove()
    Adam([leaf(1.0)]).step()
    assert seen == [("pre", "SGD"), ("post", "SGD"), ("pre", "Adam"), ("post", "Adam")]


def test_a_subclass_calling_super_step_runs_the_hooks_once() -> None:
    class Logged(SGD):
        def step(self, closure: Any = None) -> Any:
            return super().step(closure)

    opt = Logged([leaf(1.0)], lr=0.1)
    calls: list[int] = []
    opt.register_step_pre_hook(lambda o, a, k: calls.append(1))
    opt.step()
    assert calls == [1]


# ---- printing and copying --------------------------------------------------------------------
def test_repr_lists_each_group_sorted_like_torch() -> None:
    opt = SGD([{"params": [leaf(1.0)]}, {"params": [leaf(2.0)], "lr": 0.5}], lr=0.1)
    assert repr(opt) == (
        "SGD (\n"
        "Parameter Group 0\n"
        "    dampening: 0\n"
        "    l1_penalty: 0.0\n"
        "    lr: 0.1\n"
        "    maximize: False\n"
        "    momentum: 0\n"
        "    nesterov: False\n"
        "    weight_decay: 0\n"
        "Parameter Group 1\n"
        "    dampening: 0\n"
        "    l1_penalty: 0.0\n"
        "    lr: 0.5\n"
        "    maximize: False\n"
        "    momentum: 0\n"
        "    nesterov: False\n"
        "    weight_decay: 0\n"
        ")"
    )


def test_optimizer_pickles_and_deep_copies_with_its_state() -> None:
    p = leaf(1.0, 2.0)
    opt = Adagrad([p], lr=0.1)
    opt.register_step_pre_hook(lambda o, a, k: None)
    p.grad = npgrad.tensor([1.0, 1.0])
    opt.step()
    for clone in (pickle.loads(pickle.dumps(opt)), copy.deepcopy(opt)):
        q = clone.param_groups[0]["params"][0]
        assert clone.state[q]["step"].item() == 1.0
        np.testing.assert_array_equal(clone.state[q]["sum"].numpy(), [1.0, 1.0])
        assert clone._step_pre_hooks == {}


@pytest.mark.torch
@pytest.mark.parametrize("name", ALL)
def test_repr_and_group_keys_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    ours = getattr(optim, name)([leaf(1.0)], lr=0.1)
    theirs = getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], lr=0.1)
    torch_only = {"foreach", "fused", "capturable", "differentiable"}
    ours_lines = [line for line in repr(ours).splitlines() if "l1_penalty" not in line]
    theirs_lines = [
        line for line in repr(theirs).splitlines() if line.strip().split(":")[0] not in torch_only
    ]
    assert ours_lines == theirs_lines


def test_gradients_from_autograd_and_a_closure_drive_the_step() -> None:
    w = npgrad.tensor([3.0, -1.0], dtype=npgrad.float64, requires_grad=True)
    opt = SGD([w], lr=0.25)

    def closure() -> npgrad.Tensor:
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    losses = [opt.step(closure).item() for _ in range(3)]
    # d/dw sum(w^2) = 2w: each step halves w, so the loss falls by 4 each time
    assert losses == [10.0, 2.5, 0.625]
    np.testing.assert_array_equal(w.numpy(), [0.375, -0.125])
