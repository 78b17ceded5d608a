"""state_dict / load_state_dict: torch's layout, round trips that resume identically, bad input.

(Mirrors ``Optimizer.state_dict`` and ``load_state_dict`` in ``optimizer.py``.)
"""

from __future__ import annotations

import copy
import io
import pickle
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad import optim
from npgrad.optim import SGD

SETTINGS = {
    "SGD": {"lr": 1e-3, "momentum": 0.9, "nesterov": True},
    "Adam": {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1},
    "AdamW": {"lr": 0.01},
    "RMSprop": {"lr": 1e-3, "centered": True, "momentum": 0.5},
    "Adagrad": {"lr": 0.1, "lr_decay": 0.01},
    "Adadelta": {"rho": 0.8},
    "Adamax": {"lr": 0.01},
    "NAdam": {"lr": 0.01},
    "RAdam": {"lr": 1e-3},
    "ASGD": {"lr": 1e-3, "t0": 3},
    "Rprop": {"lr": 1e-3},
    "Adafactor": {"lr": 0.01, "weight_decay": 0.1},
}


def make(name: str, dtype: Any = npgrad.float32) -> tuple[Any, list[npgrad.Tensor]]:
    params = [
        npgrad.tensor(np.array([-1.2, 1.0]), dtype=dtype, requires_grad=True),
        npgrad.tensor(np.array([[0.5, -1.0], [2.0, 0.3]]), dtype=dtype, requires_grad=True),
    ]
    groups = [
        {"params": params[:1]},
        {"params": params[1:], "lr": SETTINGS[name].get("lr", 1.0) / 2},
    ]
    return getattr(optim, name)(groups, **SETTINGS[name]), params


def run(opt: Any, params: list[npgrad.Tensor], steps: int, start: int = 0) -> None:
    for step in range(start, start + steps):
        for i, p in enumerate(params):
            # a deterministic gradient that depends on the parameter (so divergence would show)
            g = np.cos(3.0 * p.numpy().astype(np.float64) + step + i) + 0.1 * p.numpy()
            p.grad = npgrad.tensor(g.astype(p.dtype))
        opt.step()


@pytest.mark.parametrize("name", list(SETTINGS))
@pytest.mark.parametrize("transport", ["direct", "deepcopy", "pickle"])
def test_round_trip_resumes_exactly(name: str, transport: str) -> None:
    opt, params = make(name)
    run(opt, params, 7)
    state = opt.state_dict()
    if transport == "deepcopy":
        state = copy.deepcopy(state)
    elif transport == "pickle":
        state = pickle.loads(pickle.dumps(state))
    fresh, fresh_params = make(name)
    for p, q in zip(params, fresh_params):
        q.numpy()[...] = p.numpy()
    fresh.load_state_dict(state)
    run(opt, params, 8, start=7)
    run(fresh, fresh_params, 8, start=7)
    for p, q in zip(params, fresh_params):
        np.testing.assert_array_equal(p.numpy(), q.numpy())


def test_round_trip_through_npgrad_save_and_load() -> None:
    opt, params = make("Adam")
    run(opt, params, 5)
    buffer = io.BytesIO()
    npgrad.save(opt.state_dict(), buffer)
    buffer.seek(0)
    fresh, fresh_params = make("Adam")
    for p, q in zip(params, fresh_params):
        q.numpy()[...] = p.numpy()
    fresh.load_state_dict(npgrad.load(buffer))
    run(opt, params, 5, start=5)
    run(fresh, fresh_params, 5, start=5)
    for p, q in zip(params, fresh_params):
        np.testing.assert_array_equal(p.numpy(), q.numpy())


def test_layout_is_torchs() -> None:
    opt, params = make("Adam")
    run(opt, params, 1)
    state = opt.state_dict()
    assert set(state) == {"state", "param_groups"}
    assert list(state["state"]) == [0, 1]
    assert list(state["state"][0]) == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
    assert [g["params"] for g in state["param_groups"]] == [[0], [1]]
    assert state["param_groups"][1]["lr"] == 0.005
    # the state tensors are the optimizer's own, as in PyTorch (copy.deepcopy to snapshot)
    assert state["state"][0]["exp_avg"] is opt.state[params[0]]["exp_avg"]
    # the groups are copies: editing them doesn't reach the optimizer
    state["param_groups"][0]["lr"] = 99.0
    assert opt.param_groups[0]["lr"] == 0.01


def test_loaded_state_is_a_copy_cast_to_the_parameters_dtype() -> None:
    source, source_params = make("NAdam", dtype=npgrad.float64)
    run(source, source_params, 3)
    saved = source.state_dict()
    target, target_params = make("NAdam", dtype=npgrad.float32)
    target.load_state_dict(saved)
    loaded = target.state[target_params[0]]
    assert loaded["exp_avg"].dtype == np.float32
    assert loaded["step"].dtype == np.float32 and loaded["mu_product"].dtype == np.float32
    loaded["exp_avg"].numpy()[...] = 0.0
    assert np.all(saved["state"][0]["exp_avg"].numpy() != 0.0)


def test_a_step_saved_as_a_number_is_accepted() -> None:
    # state dicts of old PyTorch versions stored ``step`` as a Python number
    opt, params = make("Adam")
    run(opt, params, 2)
    state = opt.state_dict()
    for entry in state["state"].values():
        entry["step"] = 2
    fresh, fresh_params = make("Adam")
    fresh.load_state_dict(state)
    assert fresh.state[fresh_params[0]]["step"].item() == 2.0
    assert fresh.state[fresh_params[0]]["step"].shape == ()


def snapshot(opt: Any) -> Any:
    return copy.deepcopy((opt.param_groups, {id(k): v for k, v in opt.state.items()}))


def assert_unchanged(opt: Any, before: Any) -> None:
    groups, state = before
    assert len(opt.param_groups) == len(groups)
    for ours, theirs in zip(opt.param_groups, groups):
        assert {k: v for k, v in ours.items() if k != "params"} == {
            k: v for k, v in theirs.items() if k != "params"
        }
    assert {id(k) for k in opt.state} == set(state)
    for key, entries in opt.state.items():
        for name, value in entries.items():
            np.testing.assert_array_equal(value.numpy(), state[id(key)][name].numpy())


def test_bad_state_dicts_raise_and_leave_the_optimizer_unchanged() -> None:
    opt, params = make("Adam")
    run(opt, params, 2)
    good = opt.state_dict()
    before = snapshot(opt)

    fewer_groups = copy.deepcopy(good)
    fewer_groups["param_groups"] = fewer_groups["param_groups"][:1]
    with pytest.raises(ValueError, match="1 parameter group"):
        opt.load_state_dict(fewer_groups)

    wrong_size = copy.deepcopy(good)
    wrong_size["param_groups"][1]["params"] = [1, 2]
    with pytest.raises(ValueError, match="group 1 has 2 parameter"):
        opt.load_state_dict(wrong_size)

    wrong_shape = copy.deepcopy(good)
    wrong_shape["param_groups"][0]["lr"] = 123.0  # would be applied if loading went ahead
    wrong_shape["state"][1]["exp_avg"] = npgrad.zeros(3)
    with pytest.raises(
        ValueError,
        match=r"state\[1\]\[.exp_avg.\] has shape \(3,\), but it must have shape \(2, 2\)",
    ):
        opt.load_state_dict(wrong_shape)

    with pytest.raises(RuntimeError, match="'state'"):
        opt.load_state_dict({"param_groups": good["param_groups"]})
    with pytest.raises(TypeError, match="dict"):
        opt.load_state_dict([1, 2])  # type: ignore[arg-type]
    assert_unchanged(opt, before)


def test_loading_sets_the_hyper_parameters_of_the_saved_groups() -> None:
    a = npgrad.zeros(2, requires_grad=True)
    source = SGD([a], lr=0.5, momentum=0.3)
    b = npgrad.zeros(2, requires_grad=True)
    target = SGD([b], lr=0.1)
    target.load_state_dict(source.state_dict())
    assert target.param_groups[0]["lr"] == 0.5 and target.param_groups[0]["momentum"] == 0.3
    assert target.param_groups[0]["params"][0] is b


@pytest.mark.torch
@pytest.mark.parametrize("name", list(SETTINGS))
def test_a_torch_checkpoint_loads_and_continues_like_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    settings = dict(SETTINGS[name])
    x0 = [np.array([-1.2, 1.0]), np.array([[0.5, -1.0], [2.0, 0.3]])]
    tparams = [torch.tensor(x, requires_grad=True) for x in x0]
    topt = getattr(torch.optim, name)(tparams, **settings)

    def torch_run(start: int, steps: int) -> None:
        for step in range(start, start + steps):
            for i, p in enumerate(tparams):
                x = p.detach().numpy()
                p.grad = torch.from_numpy(np.cos(3.0 * x + step + i) + 0.1 * x)
            topt.step()

    torch_run(0, 6)
    # a checkpoint written by torch.save, read by npgrad's restricted .pt reader
    buffer = io.BytesIO()
    torch.save(topt.state_dict(), buffer)
    buffer.seek(0)
    converted = npgrad.load(buffer)
    params = [npgrad.tensor(p.detach().numpy().copy(), requires_grad=True) for p in tparams]
    opt = getattr(optim, name)(params, **settings)
    opt.load_state_dict(converted)
    torch_run(6, 6)
    run(opt, params, 6, start=6)
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.numpy(), tp.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_custom_state_entries_are_copied_without_shape_checks() -> None:
    p = npgrad.zeros(3, requires_grad=True)
    opt = SGD([p], lr=0.1)
    opt.state[p]["low_rank"] = npgrad.ones(2, 5)
    opt.state[p]["note"] = ["kept", 1]
    q = npgrad.zeros(3, requires_grad=True)
    fresh = SGD([q], lr=0.1)
    fresh.load_state_dict(opt.state_dict())
    assert fresh.state[q]["low_rank"].shape == (2, 5)
    assert fresh.state[q]["low_rank"] is not opt.state[p]["low_rank"]
    assert fresh.state[q]["note"] == ["kept", 1]
