"""Differential audit of npgrad.optim against PyTorch 2.13: every optimizer and scheduler,
introspected from the packages' ``__all__`` so that new ones are covered.

Regression tests for the mismatches the audit found come first (each runs without torch); the
``torch``-marked tests compare state-dict layouts, constructor errors and trajectories with
PyTorch directly.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad import optim
from npgrad.optim import lr_scheduler, swa_utils
from npgrad.optim.swa_utils import SWALR

# keys PyTorch's groups have that npgrad's don't (one implementation: docs/differences.md)
IMPLEMENTATION_SWITCHES = {"foreach", "fused", "capturable", "differentiable"}
OPTIMIZERS = sorted(n for n in optim.__all__ if n[0].isupper() and n != "Optimizer")
SCHEDULERS = sorted(n for n in lr_scheduler.__all__ if n != "LRScheduler")


def _sgd(lr: float = 1.0, groups: int = 1) -> optim.SGD:
    return optim.SGD(
        [{"params": [npgrad.zeros(1, requires_grad=True)]} for _ in range(groups)],
        lr=lr,
        momentum=0.9,
    )


def _rates(sched: Any, opt: Any, steps: int) -> list[float]:
    out = []
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append(float(opt.param_groups[0]["lr"]))
    return out


def _swalr_expected(strategy: str, start: float, swa_lr: float, epochs: int, steps: int) -> list:
    """PyTorch's SWALR recurrence written out from its formula, with no npgrad code."""

    def anneal(t: float) -> float:
        return (1 - math.cos(math.pi * t)) / 2 if strategy == "cos" else t

    lr, out = start, []
    for step in range(1, steps + 1):
        prev_alpha = anneal(max(0.0, min(1.0, (step - 1) / max(1, epochs))))
        alpha = anneal(max(0.0, min(1.0, step / max(1, epochs))))
        begin = swa_lr if prev_alpha == 1 else (lr - prev_alpha * swa_lr) / (1 - prev_alpha)
        lr = swa_lr * alpha + begin * (1 - alpha)
        out.append(lr)
    return out


# ---- SWALR: the strategy is saved under PyTorch's key ---------------------------------------
def test_swalr_state_dict_uses_torchs_anneal_strategy_key() -> None:
    sched = SWALR(_sgd(), swa_lr=0.1, anneal_epochs=4, anneal_strategy="linear")
    state = sched.state_dict()
    assert state["_anneal_strategy"] == "linear"
    assert "anneal_strategy" not in state and "anneal_func" not in state
    assert sched.anneal_strategy == "linear"
    assert sched.anneal_func(0.5) == 0.5


def test_swalr_loads_a_torch_layout_state_and_follows_its_strategy() -> None:
    # a state as PyTorch's SWALR saves it: the strategy under `_anneal_strategy`
    source = SWALR(_sgd(), swa_lr=0.1, anneal_epochs=4, anneal_strategy="cos")
    saved = pickle.loads(pickle.dumps(source.state_dict()))
    state = {k: v for k, v in saved.items() if k not in ("anneal_strategy", "_anneal_strategy")}
    state["_anneal_strategy"] = "cos"
    opt = _sgd()
    sched = SWALR(opt, swa_lr=0.1, anneal_epochs=4, anneal_strategy="linear")
    sched.load_state_dict(state)
    assert sched.anneal_strategy == "cos"
    np.testing.assert_allclose(
        _rates(sched, opt, 4), _swalr_expected("cos", 1.0, 0.1, 4, 4), rtol=1e-14
    )


def test_swalr_loads_the_state_of_older_npgrad_versions() -> None:
    state = SWALR(_sgd(), swa_lr=0.1, anneal_epochs=4, anneal_strategy="cos").state_dict()
    state["anneal_strategy"] = state.pop("_anneal_strategy")  # the key npgrad used to save
    sched = SWALR(_sgd(), swa_lr=0.1, anneal_epochs=4, anneal_strategy="linear")
    sched.load_state_dict(state)
    assert sched.anneal_strategy == "cos"
    assert "anneal_strategy" not in sched.state_dict()


def test_swalr_load_state_dict_refuses_an_unknown_strategy_and_changes_nothing() -> None:
    sched = SWALR(_sgd(), swa_lr=0.1, anneal_epochs=4, anneal_strategy="linear")
    state = sched.state_dict()
    state["_anneal_strategy"] = "exp"
    state["anneal_epochs"] = 7
    with pytest.raises(ValueError, match=r"SWALR.load_state_dict: anneal_strategy .* got 'exp'"):
        sched.load_state_dict(state)
    assert sched.anneal_strategy == "linear" and sched.anneal_epochs == 4


@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_swalr_schedule_follows_the_formula(strategy: str) -> None:
    opt = _sgd(groups=1)
    sched = SWALR(opt, swa_lr=0.05, anneal_epochs=3, anneal_strategy=strategy)
    np.testing.assert_allclose(
        _rates(sched, opt, 5), _swalr_expected(strategy, 1.0, 0.05, 3, 5), rtol=1e-14
    )


@pytest.mark.torch
@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_swalr_state_dict_crosses_frameworks(strategy: str) -> None:
    torch = pytest.importorskip("torch")
    from torch.optim.swa_utils import SWALR as TorchSWALR

    other = "linear" if strategy == "cos" else "cos"
    t_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    t_sched = TorchSWALR(t_opt, swa_lr=0.1, anneal_epochs=4, anneal_strategy=strategy)
    n_opt = _sgd()
    n_sched = SWALR(n_opt, swa_lr=0.1, anneal_epochs=4, anneal_strategy=other)
    assert sorted(n_sched.state_dict()) == sorted(t_sched.state_dict())
    n_sched.load_state_dict(t_sched.state_dict())
    want = []
    for _ in range(4):
        t_opt.step()
        t_sched.step()
        want.append(t_opt.param_groups[0]["lr"])
    np.testing.assert_allclose(_rates(n_sched, n_opt, 4), want, rtol=1e-14)
    # and back: PyTorch takes npgrad's strategy
    n_sched = SWALR(_sgd(), swa_lr=0.1, anneal_epochs=4, anneal_strategy=strategy)
    t_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    t_sched = TorchSWALR(t_opt, swa_lr=0.1, anneal_epochs=4, anneal_strategy=other)
    t_sched.load_state_dict(n_sched.state_dict())
    assert t_sched._anneal_strategy == strategy


# ---- every optimizer: group keys, state layout, constructor checks ---------------------------
def _make_optimizer(lib: Any, name: str, param: Any) -> Any:
    kwargs: dict[str, Any] = {"lr": 0.01}
    return getattr(lib.optim, name)([param], **kwargs)


def _step_once(lib: Any, opt: Any, param: Any) -> None:
    def closure() -> Any:
        opt.zero_grad()
        loss = (param * param).sum() + param.sum()
        loss.backward()
        return loss

    opt.step(closure)


def _state_layout(opt: Any) -> dict[str, Any]:
    layout = {}
    for key, value in opt.state_dict()["state"].get(0, {}).items():
        if hasattr(value, "shape"):
            layout[key] = ("tensor", str(value.dtype).replace("torch.", ""), tuple(value.shape))
        else:
            layout[key] = (type(value).__name__,)
    return layout


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_optimizer_keeps_its_state_in_the_parameter_dtype(name: str, dtype: str) -> None:
    param = npgrad.ones(2, 2, dtype=getattr(npgrad, dtype), requires_grad=True)
    opt = _make_optimizer(npgrad, name, param)
    _step_once(npgrad, opt, param)
    for key, value in opt.state[param].items():
        if isinstance(value, npgrad.Tensor) and value.ndim > 0:
            assert value.dtype == param.dtype, (name, key)
    assert param.dtype == getattr(npgrad, dtype)


@pytest.mark.torch
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizers_group_keys_and_state_layout_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    n_param = npgrad.ones(2, 2, requires_grad=True)
    t_param = torch.ones(2, 2, requires_grad=True)
    n_opt = _make_optimizer(npgrad, name, n_param)
    t_opt = _make_optimizer(torch, name, t_param)
    n_keys = set(n_opt.state_dict()["param_groups"][0]) - {"l1_penalty"}  # npgrad-only, SGD
    t_keys = set(t_opt.state_dict()["param_groups"][0]) - IMPLEMENTATION_SWITCHES
    assert n_keys == t_keys
    _step_once(npgrad, n_opt, n_param)
    _step_once(torch, t_opt, t_param)
    n_layout, t_layout = _state_layout(n_opt), _state_layout(t_opt)
    if name == "LBFGS":  # documented: no scratch list `al`, H_diag as a float
        t_layout.pop("al")
        assert n_layout.pop("H_diag") == ("float",) and t_layout.pop("H_diag")[0] == "tensor"
    assert n_layout == t_layout
    np.testing.assert_allclose(n_param.detach().numpy(), t_param.detach().numpy(), rtol=1e-5)


def _nonnegative_arguments(cls: type) -> list[str]:
    import inspect

    names = []
    for key, parameter in inspect.signature(cls).parameters.items():
        default = parameter.default
        numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
        if numeric and key in ("lr", "eps", "weight_decay", "momentum", "lr_decay", "rho", "alpha"):
            names.append(key)
    return names


# ASGD's alpha (an exponent) may be negative in PyTorch too; its lambd is not listed
NONNEGATIVE = [
    (n, a)
    for n in OPTIMIZERS
    for a in _nonnegative_arguments(getattr(optim, n))
    if (n, a) != ("ASGD", "alpha")
]
# npgrad checks these where PyTorch does not (docs/differences.md)
STRICTER = {("Muon", "eps")}


@pytest.mark.parametrize(("name", "argument"), NONNEGATIVE)
def test_every_optimizer_refuses_a_negative_hyper_parameter(name: str, argument: str) -> None:
    param = npgrad.ones(2, 2, requires_grad=True)
    with pytest.raises(ValueError, match=rf"^{name}: .*-1\.0"):
        getattr(optim, name)([param], **{argument: -1.0})


@pytest.mark.torch
@pytest.mark.parametrize(("name", "argument"), NONNEGATIVE)
def test_every_negative_hyper_parameter_is_a_value_error_in_torch_too(
    name: str, argument: str
) -> None:
    torch = pytest.importorskip("torch")
    if (name, argument) in STRICTER:
        pytest.skip("npgrad checks this argument, PyTorch does not (documented)")
    with pytest.raises(ValueError, match=r"-1\.0"):
        getattr(torch.optim, name)([torch.ones(2, 2, requires_grad=True)], **{argument: -1.0})


# ---- every scheduler: the state dict has PyTorch's keys --------------------------------------
def _scheduler_kwargs(lib: Any, opt: Any) -> dict[str, Callable[[], Any]]:
    sched = lib.optim.lr_scheduler

    def sequential() -> Any:
        parts = [sched.ConstantLR(opt, factor=0.5, total_iters=2), sched.ExponentialLR(opt, 0.9)]
        return sched.SequentialLR(opt, parts, milestones=[2])

    def chained() -> Any:
        parts = [sched.ConstantLR(opt, factor=0.5, total_iters=2), sched.ExponentialLR(opt, 0.9)]
        return sched.ChainedScheduler(parts, optimizer=opt)

    return {
        "ChainedScheduler": chained,
        "ConstantLR": lambda: sched.ConstantLR(opt),
        "CosineAnnealingLR": lambda: sched.CosineAnnealingLR(opt, T_max=5),
        "CosineAnnealingWarmRestarts": lambda: sched.CosineAnnealingWarmRestarts(opt, T_0=3),
        "CyclicLR": lambda: sched.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=3),
        "ExponentialLR": lambda: sched.ExponentialLR(opt, gamma=0.5),
        "LambdaLR": lambda: sched.LambdaLR(opt, lambda epoch: 0.5**epoch),
        "LinearLR": lambda: sched.LinearLR(opt),
        "MultiStepLR": lambda: sched.MultiStepLR(opt, milestones=[2, 4]),
        "MultiplicativeLR": lambda: sched.MultiplicativeLR(opt, lambda epoch: 0.9),
        "OneCycleLR": lambda: sched.OneCycleLR(opt, max_lr=0.5, total_steps=20),
        "PolynomialLR": lambda: sched.PolynomialLR(opt, total_iters=6),
        "ReduceLROnPlateau": lambda: sched.ReduceLROnPlateau(opt, patience=0),
        "SequentialLR": sequential,
        "StepLR": lambda: sched.StepLR(opt, step_size=2),
    }


def test_the_scheduler_table_covers_every_public_scheduler() -> None:
    assert sorted(_scheduler_kwargs(npgrad, _sgd())) == SCHEDULERS


@pytest.mark.torch
@pytest.mark.parametrize("name", SCHEDULERS)
def test_every_schedulers_state_dict_keys_and_rates_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")

    results = []
    for lib in (npgrad, torch):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        sched = _scheduler_kwargs(lib, opt)[name]()
        rates = []
        for _ in range(6):
            opt.step()
            sched.step(*([1.0] if name == "ReduceLROnPlateau" else []))
            rates.append(float(opt.param_groups[0]["lr"]))
        state = sched.state_dict()
        nested = [sorted(s) for s in state.get("_schedulers", [])]
        results.append((sorted(state), nested, rates, float(opt.param_groups[0]["momentum"])))
    (n_keys, n_nested, n_rates, n_mom), (t_keys, t_nested, t_rates, t_mom) = results
    assert n_keys == t_keys and n_nested == t_nested
    np.testing.assert_allclose(n_rates, t_rates, rtol=1e-12)
    assert n_mom == pytest.approx(t_mom, rel=1e-12)


@pytest.mark.torch
def test_swa_utils_exports_torchs_names() -> None:
    torch = pytest.importorskip("torch")
    import torch.optim.swa_utils as torch_swa

    pytest.importorskip("npgrad.nn")
    assert sorted(swa_utils.__all__) == sorted(torch_swa.__all__)
    del torch


# ---- state-dict hooks (PyTorch's four registration methods) ---------------------------------
def _hook_scenario(lib: Any) -> tuple[Any, ...]:
    """Register every kind of state-dict hook on an SGD, save and load; return what ran."""
    log: list[Any] = []
    param = lib.zeros(2, requires_grad=True)
    opt = lib.optim.SGD([param], lr=0.1, momentum=0.9)
    param.grad = lib.ones(2)
    opt.step()
    first = opt.register_state_dict_pre_hook(lambda o: log.append("pre1"))
    opt.register_state_dict_pre_hook(lambda o: log.append("pre0"), prepend=True)

    def add_key(o: Any, state: dict[str, Any]) -> None:
        log.append("post")
        state["extra"] = 1

    def replace(o: Any, state: dict[str, Any]) -> dict[str, Any]:
        log.append("post2")
        return {**state, "other": 2}

    opt.register_state_dict_post_hook(add_key)
    opt.register_state_dict_post_hook(replace)
    state = opt.state_dict()
    first.remove()
    opt.state_dict()

    def new_lr(o: Any, state: dict[str, Any]) -> dict[str, Any]:
        log.append(("load pre", sorted(state)))
        return {**state, "param_groups": [dict(g, lr=0.5) for g in state["param_groups"]]}

    opt.register_load_state_dict_pre_hook(new_lr)
    opt.register_load_state_dict_post_hook(
        lambda o: log.append(("load post", o.param_groups[0]["lr"]))
    )
    opt.register_load_state_dict_post_hook(lambda o: log.append("load post 0"), prepend=True)
    given = {"state": state["state"], "param_groups": state["param_groups"]}
    opt.load_state_dict(given)
    copy = pickle.loads(pickle.dumps(opt))  # hooks are not pickled
    copy.state_dict()
    return sorted(state), log, sorted(given), opt.param_groups[0]["lr"]


def test_state_dict_hooks_run_in_order_and_may_replace_the_dict() -> None:
    keys, log, given, lr = _hook_scenario(npgrad)
    assert keys == ["extra", "other", "param_groups", "state"]
    assert log == [
        "pre0",
        "pre1",
        "post",
        "post2",
        "pre0",  # pre1 was removed
        "post",
        "post2",
        ("load pre", ["param_groups", "state"]),
        "load post 0",
        ("load post", 0.5),
    ]
    assert given == ["param_groups", "state"] and lr == 0.5


def test_state_dict_hooks_must_be_callable() -> None:
    opt = _sgd()
    with pytest.raises(TypeError, match=r"SGD.register_state_dict_post_hook: .* got int"):
        opt.register_state_dict_post_hook(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"register_load_state_dict_pre_hook: .* got str"):
        opt.register_load_state_dict_pre_hook("hook")  # type: ignore[arg-type]


def test_a_load_pre_hook_edits_a_copy_of_the_given_dict() -> None:
    opt = _sgd()
    state = opt.state_dict()
    opt.register_load_state_dict_pre_hook(lambda o, s: s.update(param_groups=[]))
    with pytest.raises(ValueError, match="the loaded state dict has 0 parameter group"):
        opt.load_state_dict(state)
    assert len(state["param_groups"]) == 1  # the caller's dict is untouched


@pytest.mark.torch
def test_state_dict_hooks_match_torch() -> None:
    torch = pytest.importorskip("torch")
    assert _hook_scenario(npgrad) == _hook_scenario(torch)
