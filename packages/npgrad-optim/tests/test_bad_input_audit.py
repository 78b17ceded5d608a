"""Bad input to the optimizers, the LR schedulers and swa_utils: clear errors, nothing changed.

Each test feeds one mistake a user really makes and checks the exception type and that the
message names the class (or function) and the offending value; tests marked ``torch`` check
that PyTorch 2.13 raises the same exception type.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad import optim
from npgrad.optim import lr_scheduler, swa_utils
from npgrad.optim.optimizer import (
    register_optimizer_step_post_hook,
    register_optimizer_step_pre_hook,
)


def leaf(*shape: int) -> npgrad.Tensor:
    return npgrad.ones(*shape, requires_grad=True)


def stepped(name: str = "Adam", shapes: tuple[tuple[int, ...], ...] = ((3,), (2, 2)), **kw: Any):
    """An optimizer over fresh parameters of ``shapes`` that has taken one step."""
    params = [leaf(*shape) for shape in shapes]
    opt = getattr(optim, name)(params, **kw)
    for p in params:
        p.grad = npgrad.full(p.shape, 0.5)
    opt.step()
    return opt, params


def snapshot(value: Any) -> Any:
    """A comparable deep copy: Tensors become (dtype, nested lists)."""
    if isinstance(value, npgrad.Tensor):
        return ("Tensor", str(value.dtype), value._data.tolist())
    if isinstance(value, dict):
        return {k: snapshot(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(snapshot(v) for v in value)
    return copy.deepcopy(value)


def opt_state(opt: optim.Optimizer) -> Any:
    return snapshot(opt.state_dict())


def sched_state(scheduler: Any) -> Any:
    return snapshot(scheduler.state_dict())


def sgd(groups: int = 1, **kw: Any) -> optim.SGD:
    if groups == 1:
        return optim.SGD([leaf(2)], lr=0.1, **kw)
    return optim.SGD([{"params": [leaf(2)]} for _ in range(groups)], lr=0.1, **kw)


# ---- optimizer constructors ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["Adam", "AdamW", "Adamax", "NAdam", "RAdam"])
def test_betas_that_are_not_a_pair_raise_type_error_naming_the_optimizer(name: str) -> None:
    with pytest.raises(TypeError, match=rf"{name}: betas must be a pair .*got float 0\.9"):
        getattr(optim, name)([leaf(2)], betas=0.9)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("Adam", {"betas": np.array([0.8, 0.9])}),
        ("NAdam", {"betas": npgrad.tensor([0.8, 0.9])}),
        ("Rprop", {"etas": np.array([0.4, 1.3])}),
        ("Adafactor", {"eps": [None, 1e-3]}),
    ],
)
def test_pair_hyper_parameters_given_as_arrays_are_still_accepted(
    name: str, kwargs: dict[str, Any]
) -> None:
    opt = getattr(optim, name)([leaf(2)], **kwargs)
    ((key, value),) = kwargs.items()
    assert isinstance(opt.defaults[key], tuple)
    assert [None if v is None else float(v) for v in opt.defaults[key]] == [
        None if v is None else float(v) for v in value
    ]


@pytest.mark.parametrize(
    ("name", "kwargs", "match"),
    [
        ("Rprop", {"etas": 0.5}, r"Rprop: etas must be a pair of numbers, got float 0\.5"),
        ("Rprop", {"step_sizes": 1e-6}, r"Rprop: step_sizes must be a pair of numbers, got float"),
        ("Adafactor", {"eps": 1e-3}, r"Adafactor: eps must be a pair .*got float 0\.001"),
    ],
)
def test_pair_hyper_parameters_given_as_a_number_raise_type_error(
    name: str, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(TypeError, match=match):
        getattr(optim, name)([leaf(2)], **kwargs)


@pytest.mark.torch
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [("Adam", {"betas": 0.9}), ("Rprop", {"etas": 0.5}), ("Adafactor", {"eps": 1e-3})],
)
def test_pair_hyper_parameters_given_as_a_number_match_torch(
    name: str, kwargs: dict[str, Any]
) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        getattr(torch.optim, name)([torch.ones(2, requires_grad=True)], **kwargs)
    with pytest.raises(TypeError):
        getattr(optim, name)([leaf(2)], **kwargs)


@pytest.mark.parametrize("params", [None, 5])
def test_params_that_are_not_iterable_raise_a_clear_type_error(params: Any) -> None:
    with pytest.raises(
        TypeError, match=rf"SGD: params must be an iterable .*got {type(params).__name__}"
    ):
        optim.SGD(params, lr=0.1)


@pytest.mark.parametrize("params", [None, 5])
def test_add_param_group_with_non_iterable_params_raises_and_adds_nothing(params: Any) -> None:
    opt = sgd()
    before = opt_state(opt)
    with pytest.raises(
        TypeError,
        match=rf"SGD\.add_param_group: param_group\['params'\] must be an iterable .*"
        rf"got {type(params).__name__}",
    ):
        opt.add_param_group({"params": params})
    assert len(opt.param_groups) == 1
    assert opt_state(opt) == before


@pytest.mark.torch
@pytest.mark.parametrize("params", [None, 5])
def test_non_iterable_params_match_torch(params: Any) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        torch.optim.SGD(params, lr=0.1)
    with pytest.raises(TypeError):
        optim.SGD(params, lr=0.1)


# ---- step, closures and hooks -------------------------------------------------------------


@pytest.mark.parametrize("name", ["SGD", "Adam", "Rprop", "Adafactor"])
def test_a_closure_that_is_not_callable_raises_before_any_update(name: str) -> None:
    w = leaf(3)
    opt = getattr(optim, name)([w], lr=0.1)
    w.grad = npgrad.ones(3)
    with pytest.raises(TypeError, match=rf"{name}\.step: closure must be a callable .*got int"):
        opt.step(5)
    np.testing.assert_array_equal(w._data, np.ones(3))
    assert not opt.state


@pytest.mark.torch
def test_a_closure_that_is_not_callable_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    w = torch.ones(3, requires_grad=True)
    w.grad = torch.ones(3)
    with pytest.raises(TypeError):
        torch.optim.SGD([w], lr=0.1).step(5)


@pytest.mark.parametrize("returned", [None, "loss", [1.0]])
def test_lbfgs_closure_that_returns_no_loss_raises_a_clear_type_error(returned: Any) -> None:
    w = leaf(3)
    opt = optim.LBFGS([w])

    def closure() -> Any:
        opt.zero_grad()
        (w * w).sum().backward()
        return returned

    with pytest.raises(
        TypeError,
        match=rf"LBFGS\.step: the closure must return the loss .*got {type(returned).__name__}",
    ):
        opt.step(closure)
    np.testing.assert_array_equal(w._data, np.ones(3))


@pytest.mark.torch
def test_lbfgs_closure_that_returns_none_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    w = torch.ones(3, requires_grad=True)
    with pytest.raises(TypeError):
        torch.optim.LBFGS([w]).step(lambda: None)
    with pytest.raises(TypeError):
        optim.LBFGS([leaf(3)]).step(lambda: None)


def test_adafactor_leaves_zero_element_parameters_alone() -> None:
    # PyTorch raises ZeroDivisionError (it divides the parameter's norm by its size)
    empty_1d, empty_2d, w = leaf(0), leaf(0, 3), leaf(3)
    opt = optim.Adafactor([empty_1d, empty_2d, w], lr=0.1)
    for p in (empty_1d, empty_2d, w):
        p.grad = npgrad.ones(*p.shape)
    opt.step()
    opt.step()
    assert empty_1d.shape == (0,) and empty_2d.shape == (0, 3)
    assert np.all(w._data < 1.0)  # the other parameter is still updated


@pytest.mark.parametrize(
    "register",
    [
        lambda opt: opt.register_step_pre_hook(5),
        lambda opt: opt.register_step_post_hook(5),
        lambda opt: register_optimizer_step_pre_hook(5),
        lambda opt: register_optimizer_step_post_hook(5),
    ],
    ids=["pre", "post", "global-pre", "global-post"],
)
def test_registering_a_hook_that_is_not_callable_raises_type_error(
    register: Callable[[Any], Any],
) -> None:
    opt = sgd()
    with pytest.raises(TypeError, match=r"hook.*must be a callable .*got int"):
        register(opt)
    w = opt.param_groups[0]["params"][0]
    w.grad = npgrad.ones(2)
    opt.step()  # nothing was registered


# ---- optimizer load_state_dict ------------------------------------------------------------


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(state_dict: dict[str, Any]) -> None:
        target = state_dict
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


BAD_OPTIMIZER_STATES = [
    (_set(("param_groups",), 5), TypeError, r"'param_groups' must be a list of dicts, got int"),
    (_set(("param_groups", 0), 5), TypeError, r"loaded parameter group 0 must be a dict, got int"),
    (_set(("state",), [1]), TypeError, r"'state' must be a dict .*got list"),
    (_set(("state", 0), 5), TypeError, r"state\[0\] must be a dict of state entries, got int"),
    (
        _set(("state", 0, "exp_avg"), "abc"),
        TypeError,
        r"state\[0\]\['exp_avg'\] must be a Tensor, got str",
    ),
    (
        _set(("param_groups", 1, "lr"), -1.0),
        ValueError,
        r"loaded parameter group 1: Adam: invalid lr -1\.0",
    ),
    (
        _set(("param_groups", 0, "betas"), 5),
        TypeError,
        r"loaded parameter group 0: Adam: betas must be a pair",
    ),
]


@pytest.mark.parametrize(("mutate", "error", "match"), BAD_OPTIMIZER_STATES)
def test_malformed_optimizer_state_dicts_raise_and_change_nothing(
    mutate: Callable[[dict[str, Any]], None], error: type, match: str
) -> None:
    source, _ = stepped("Adam", lr=0.01)
    source.add_param_group({"params": [leaf(2)], "lr": 0.5})
    target, _ = stepped("Adam", lr=0.02)
    target.add_param_group({"params": [leaf(2)], "lr": 0.7})
    state_dict = copy.deepcopy(source.state_dict())
    mutate(state_dict)
    before = opt_state(target)
    with pytest.raises(error, match=rf"Adam\.load_state_dict: {match}"):
        target.load_state_dict(state_dict)
    assert opt_state(target) == before


@pytest.mark.torch
@pytest.mark.parametrize("index", [0, 1, 3])  # the cases where PyTorch raises too
def test_malformed_optimizer_state_dicts_match_torch(index: int) -> None:
    torch = pytest.importorskip("torch")
    mutate, error, _ = BAD_OPTIMIZER_STATES[index]
    w = torch.ones(3, requires_grad=True)
    opt = torch.optim.Adam([w])
    w.grad = torch.ones(3)
    opt.step()
    state_dict = copy.deepcopy(opt.state_dict())
    mutate(state_dict)
    with pytest.raises(error):
        torch.optim.Adam([torch.ones(3, requires_grad=True)]).load_state_dict(state_dict)


def test_lbfgs_state_of_another_parameter_size_is_refused_at_load() -> None:
    def run(size: int) -> optim.LBFGS:
        w = leaf(size)
        opt = optim.LBFGS([w], max_iter=3)

        def closure() -> npgrad.Tensor:
            opt.zero_grad()
            loss = ((w - 2.0) ** 2).sum()
            loss.backward()
            return loss

        opt.step(closure)
        return opt

    saved, target = run(3), run(4)
    before = opt_state(target)
    with pytest.raises(
        ValueError,
        match=r"LBFGS\.load_state_dict: state\[0\]\['d'\] has shape \(3,\), but it must have "
        r"shape \(4,\)",
    ):
        target.load_state_dict(saved.state_dict())
    assert opt_state(target) == before
    target.load_state_dict(run(4).state_dict())  # the same size loads


# ---- scheduler constructors ---------------------------------------------------------------


@pytest.mark.parametrize("cls", [lr_scheduler.LambdaLR, lr_scheduler.MultiplicativeLR])
def test_lambda_schedulers_refuse_a_non_optimizer_with_type_error(cls: type) -> None:
    with pytest.raises(TypeError, match=rf"{cls.__name__}: NoneType is not an Optimizer"):
        cls(None, lambda epoch: 1.0)


def test_multisteplr_milestones_that_are_not_iterable_raise_type_error() -> None:
    with pytest.raises(TypeError, match=r"MultiStepLR: milestones must be an iterable .*got int"):
        lr_scheduler.MultiStepLR(sgd(), 5)


@pytest.mark.torch
def test_multisteplr_milestones_that_are_not_iterable_match_torch() -> None:
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.ones(2, requires_grad=True)], lr=0.1)
    with pytest.raises(TypeError):
        torch.optim.lr_scheduler.MultiStepLR(opt, 5)


@pytest.mark.parametrize(
    "make",
    [
        lambda opt: lr_scheduler.StepLR(opt, 2, gamma="x"),
        lambda opt: lr_scheduler.MultiStepLR(opt, [2], gamma="x"),
        lambda opt: lr_scheduler.ExponentialLR(opt, "x"),
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, "x"),
        lambda opt: lr_scheduler.PolynomialLR(opt, power="x"),
        lambda opt: lr_scheduler.ReduceLROnPlateau(opt, factor="x"),
        lambda opt: lr_scheduler.ReduceLROnPlateau(opt, min_lr="x"),
        lambda opt: lr_scheduler.OneCycleLR(opt, 0.1, total_steps=10, div_factor="x"),
    ],
    ids=["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "PolynomialLR",
         "ReduceLROnPlateau-factor", "ReduceLROnPlateau-min_lr", "OneCycleLR"],
)  # fmt: skip
def test_scheduler_numbers_given_as_strings_raise_type_error(make: Callable[[Any], Any]) -> None:
    opt = sgd(momentum=0.9)
    before = opt_state(opt)
    with pytest.raises(TypeError, match=r"^\w+: \w+ must be a number, got str"):
        make(opt)
    assert opt_state(opt) == before


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda opt: lr_scheduler.CosineAnnealingLR(opt, 0), r"CosineAnnealingLR: T_max .* 0"),
        (lambda opt: lr_scheduler.CosineAnnealingLR(opt, -1), r"CosineAnnealingLR: T_max .* -1"),
        (lambda opt: lr_scheduler.PolynomialLR(opt, power=-1.0), r"PolynomialLR: power .* -1\.0"),
        (
            lambda opt: lr_scheduler.OneCycleLR(opt, 0.1, total_steps=10, div_factor=0),
            r"OneCycleLR: div_factor must be > 0, got 0",
        ),
        (
            lambda opt: lr_scheduler.OneCycleLR(opt, 0.1, total_steps=10, final_div_factor=-1.0),
            r"OneCycleLR: final_div_factor must be > 0, got -1\.0",
        ),
    ],
)
def test_scheduler_values_that_would_divide_by_zero_raise_value_error(
    make: Callable[[Any], Any], match: str
) -> None:
    opt = sgd(momentum=0.9)
    before = opt_state(opt)
    with pytest.raises(ValueError, match=match):
        make(opt)
    assert opt_state(opt) == before  # OneCycleLR adds no initial_lr/max_lr keys


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda opt: lr_scheduler.StepLR(opt, 2, last_epoch=3), r"StepLR: param 'initial_lr'"),
        (
            lambda opt: lr_scheduler.OneCycleLR(opt, 0.1, total_steps=10, last_epoch=3),
            r"OneCycleLR: param 'max_lr' is not specified in param_groups\[0\] when resuming",
        ),
    ],
)
def test_resuming_without_the_saved_group_keys_raises_key_error(
    make: Callable[[Any], Any], match: str
) -> None:
    opt = sgd(momentum=0.9)
    if "OneCycleLR" in match:
        opt.param_groups[0]["initial_lr"] = 0.1  # but no max_lr: the optimizer wasn't loaded
    before = opt_state(opt)
    with pytest.raises(KeyError, match=match):
        make(opt)
    assert opt_state(opt) == before


@pytest.mark.torch
def test_onecyclelr_resuming_without_max_lr_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.ones(2, requires_grad=True)], lr=0.1, momentum=0.9)
    opt.param_groups[0]["initial_lr"] = 0.1
    with pytest.raises(KeyError):
        torch.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=10, last_epoch=3)


def _boom(*args: Any) -> float:
    raise ZeroDivisionError("user function failed")


@pytest.mark.parametrize("name", ["CyclicLR", "LambdaLR", "OneCycleLR"])
@pytest.mark.parametrize("tensor_lr", [False, True])
def test_a_scheduler_constructor_that_fails_leaves_the_optimizer_groups_unchanged(
    name: str, tensor_lr: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the constructor sets lr, momentum, initial_lr, max_lr... before its first step raises
    lr = npgrad.tensor(0.3) if tensor_lr else 0.3
    opt = optim.SGD([leaf(2)], lr=lr, momentum=0.5)
    before = opt_state(opt)
    monkeypatch.setattr(lr_scheduler.OneCycleLR, "_anneal", _boom)
    make = {
        "CyclicLR": lambda: lr_scheduler.CyclicLR(opt, 0.01, 0.1, scale_fn=_boom),
        "LambdaLR": lambda: lr_scheduler.LambdaLR(opt, _boom),
        "OneCycleLR": lambda: lr_scheduler.OneCycleLR(opt, 0.1, total_steps=10),
    }[name]
    with pytest.raises(ZeroDivisionError, match="user function failed"):
        make()
    assert opt_state(opt) == before
    assert opt.param_groups[0]["lr"] is lr


def test_constantlr_with_factor_zero_restores_the_base_lr_at_total_iters() -> None:
    # PyTorch raises ZeroDivisionError at total_iters (its chainable form divides by factor)
    opt = sgd()
    scheduler = lr_scheduler.ConstantLR(opt, factor=0.0, total_iters=2)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(3):
        opt.step()
        scheduler.step()
        lrs.append(opt.param_groups[0]["lr"])
    assert lrs == [0.0, 0.0, 0.1, 0.1]


def test_cycliclr_scale_fn_that_is_not_callable_raises_type_error() -> None:
    opt = sgd(momentum=0.9)
    before = opt_state(opt)
    with pytest.raises(TypeError, match=r"CyclicLR: scale_fn must be a function or None, got int"):
        lr_scheduler.CyclicLR(opt, 0.01, 0.1, scale_fn=5)
    assert opt_state(opt) == before


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (
            lambda opt: lr_scheduler.ChainedScheduler([5]),
            TypeError,
            r"ChainedScheduler: the scheduler at index 0 has no `optimizer` attribute",
        ),
        (
            lambda opt: lr_scheduler.SequentialLR(opt, lr_scheduler.StepLR(opt, 2), []),
            TypeError,
            r"SequentialLR: schedulers must be a list, got StepLR",
        ),
        (
            lambda opt: lr_scheduler.SequentialLR(
                opt, [lr_scheduler.StepLR(opt, 2), lr_scheduler.StepLR(opt, 3)], 2
            ),
            TypeError,
            r"SequentialLR: milestones must be a list, got int",
        ),
        (
            lambda opt: lr_scheduler.SequentialLR(
                opt, [lr_scheduler.StepLR(opt, 2) for _ in range(3)], [5, 2]
            ),
            ValueError,
            r"SequentialLR: milestones must be sorted \(non-decreasing\), got \[5, 2\]",
        ),
    ],
)
def test_composite_schedulers_refuse_bad_arguments(
    make: Callable[[Any], Any], error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        make(sgd())


@pytest.mark.torch
def test_composite_scheduler_argument_types_match_torch() -> None:
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.ones(2, requires_grad=True)], lr=0.1)
    step = torch.optim.lr_scheduler.StepLR
    with pytest.raises(TypeError):
        torch.optim.lr_scheduler.SequentialLR(opt, step(opt, 2), [])
    with pytest.raises(TypeError):
        torch.optim.lr_scheduler.SequentialLR(opt, [step(opt, 2), step(opt, 3)], 2)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda opt: lr_scheduler.LambdaLR(opt, [lambda e: 1.0] * 3), r"LambdaLR: Expected 2"),
        (lambda opt: lr_scheduler.LambdaLR(opt, [lambda e: 1.0, 5]), r"LambdaLR: lr_lambda"),
        (lambda opt: lr_scheduler.CyclicLR(opt, [0.1], 0.2), r"CyclicLR: base_lr must have one"),
        (
            lambda opt: lr_scheduler.OneCycleLR(opt, [0.1], total_steps=5),
            r"OneCycleLR: max_lr must have one",
        ),
        (lambda opt: swa_utils.SWALR(opt, [0.1]), r"SWALR: swa_lr must have one value"),
        (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1]), r"ReduceLROnPlateau: ex"),
        (lambda opt: lr_scheduler.OneCycleLR(opt, 0.1), r"OneCycleLR: give total_steps"),
        (
            lambda opt: lr_scheduler.OneCycleLR(opt, 0.1, total_steps=0),
            r"OneCycleLR: Expected positive integer total_steps, but got 0",
        ),
        (
            lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, 0),
            r"CosineAnnealingWarmRestarts: Expected positive integer T_0, but got 0",
        ),
        (
            lambda opt: swa_utils.SWALR(opt, 0.1, anneal_strategy="exp"),
            r"SWALR: anneal_strategy must be one of 'cos' or 'linear', instead got 'exp'",
        ),
    ],
)
def test_scheduler_argument_errors_name_the_scheduler(
    make: Callable[[Any], Any], match: str
) -> None:
    opt = sgd(groups=2, momentum=0.9)
    with pytest.raises((ValueError, TypeError), match=match):
        make(opt)


@pytest.mark.parametrize(
    ("metric", "error"), [("x", ValueError), (None, TypeError), ([1.0], TypeError)]
)
def test_plateau_step_with_a_metric_that_is_not_a_number_raises_clearly(
    metric: Any, error: type
) -> None:
    scheduler = lr_scheduler.ReduceLROnPlateau(sgd())
    before = sched_state(scheduler)
    with pytest.raises(error, match=r"ReduceLROnPlateau\.step: metrics must be a number"):
        scheduler.step(metric)
    assert sched_state(scheduler) == before


@pytest.mark.torch
@pytest.mark.parametrize(
    ("metric", "error"), [("x", ValueError), (None, TypeError), ([1.0], TypeError)]
)
def test_plateau_step_with_a_bad_metric_matches_torch(metric: Any, error: type) -> None:
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.ones(2, requires_grad=True)], lr=0.1)
    with pytest.raises(error):
        torch.optim.lr_scheduler.ReduceLROnPlateau(opt).step(metric)


# ---- scheduler load_state_dict ------------------------------------------------------------


def _steplr(opt: Any) -> Any:
    return lr_scheduler.StepLR(opt, 2)


def _lambdalr(opt: Any) -> Any:
    return lr_scheduler.LambdaLR(opt, lambda epoch: 0.5**epoch)


def _plateau(opt: Any) -> Any:
    return lr_scheduler.ReduceLROnPlateau(opt)


def _sequential(opt: Any) -> Any:
    inner = [lr_scheduler.StepLR(opt, 2), lr_scheduler.ExponentialLR(opt, 0.5)]
    return lr_scheduler.SequentialLR(opt, inner, [2])


def _chained(opt: Any) -> Any:
    return lr_scheduler.ChainedScheduler(
        [lr_scheduler.StepLR(opt, 2), lr_scheduler.ExponentialLR(opt, 0.5)]
    )


SCHEDULERS = [_steplr, _lambdalr, _plateau, _sequential, _chained]


def _advanced(make: Callable[[Any], Any], groups: int = 1) -> Any:
    opt = sgd(groups)
    scheduler = make(opt)
    for _ in range(3):
        opt.step()
        scheduler.step(1.0) if make is _plateau else scheduler.step()
    return scheduler


@pytest.mark.parametrize("make", SCHEDULERS)
@pytest.mark.parametrize("bad", [5, [1]])
def test_scheduler_load_state_dict_refuses_a_non_dict(make: Callable[[Any], Any], bad: Any) -> None:
    scheduler = make(sgd())
    before = sched_state(scheduler)
    name = type(scheduler).__name__
    with pytest.raises(
        TypeError, match=rf"{name}\.load_state_dict: expected a dict, got {type(bad).__name__}"
    ):
        scheduler.load_state_dict(bad)
    assert sched_state(scheduler) == before


@pytest.mark.torch
def test_scheduler_load_state_dict_of_a_non_dict_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.ones(2, requires_grad=True)], lr=0.1)
    with pytest.raises(TypeError):
        torch.optim.lr_scheduler.StepLR(opt, 2).load_state_dict(5)


@pytest.mark.parametrize("make", [_steplr, _lambdalr, _sequential])
def test_scheduler_state_of_another_group_count_is_refused(make: Callable[[Any], Any]) -> None:
    saved = _advanced(make, groups=3).state_dict()
    scheduler = make(sgd(groups=2))
    before = sched_state(scheduler)
    with pytest.raises(
        ValueError, match=r"load_state_dict: the state's \w+ has 3 values .* only 2 param group"
    ):
        scheduler.load_state_dict(saved)
    assert sched_state(scheduler) == before
    # fewer values is a group added after the scheduler was made: that loads, as in PyTorch
    scheduler.load_state_dict(_advanced(make, groups=1).state_dict())


@pytest.mark.parametrize("make", SCHEDULERS)
def test_scheduler_load_of_a_checkpoint_or_an_optimizer_state_is_refused(
    make: Callable[[Any], Any],
) -> None:
    scheduler = make(sgd())
    checkpoint = {"optimizer": scheduler.optimizer.state_dict(), **scheduler.state_dict()}
    before = sched_state(scheduler)
    with pytest.raises(ValueError, match=r"load_state_dict: the state has an 'optimizer' entry"):
        scheduler.load_state_dict(checkpoint)
    assert sched_state(scheduler) == before
    assert isinstance(scheduler.optimizer, optim.SGD)
    with pytest.raises(ValueError, match=r"load_state_dict: .*it is an optimizer's state dict"):
        scheduler.load_state_dict(scheduler.optimizer.state_dict())
    assert sched_state(scheduler) == before


@pytest.mark.parametrize("make", [_sequential, _chained])
def test_composite_state_without_inner_states_raises_key_error(make: Callable[[Any], Any]) -> None:
    saved = _advanced(make).state_dict()
    del saved["_schedulers"]
    scheduler = make(sgd())
    before = sched_state(scheduler)
    name = type(scheduler).__name__
    with pytest.raises(KeyError, match=rf"{name}\.load_state_dict: the state has no '_schedulers'"):
        scheduler.load_state_dict(saved)
    assert sched_state(scheduler) == before


@pytest.mark.torch
def test_composite_state_without_inner_states_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.ones(2, requires_grad=True)], lr=0.1)
    scheduler = torch.optim.lr_scheduler.ChainedScheduler([torch.optim.lr_scheduler.StepLR(opt, 2)])
    state = scheduler.state_dict()
    del state["_schedulers"]
    with pytest.raises(KeyError):
        scheduler.load_state_dict(state)


@pytest.mark.parametrize("make", [_sequential, _chained])
def test_composite_load_that_fails_in_an_inner_scheduler_changes_nothing(
    make: Callable[[Any], Any],
) -> None:
    saved = _advanced(make).state_dict()
    saved["_schedulers"][1] = 5  # the first inner state is fine and would be loaded
    scheduler = make(sgd())
    before = sched_state(scheduler)
    with pytest.raises(TypeError, match=r"ExponentialLR\.load_state_dict: expected a dict"):
        scheduler.load_state_dict(saved)
    assert sched_state(scheduler) == before


def test_plateau_load_with_an_invalid_mode_changes_nothing() -> None:
    saved = _advanced(_plateau).state_dict()
    saved["mode"] = "median"
    scheduler = _plateau(sgd())
    before = sched_state(scheduler)
    with pytest.raises(ValueError, match=r"ReduceLROnPlateau: mode must be 'min' or 'max'"):
        scheduler.load_state_dict(saved)
    assert sched_state(scheduler) == before


def test_lambdalr_state_with_a_function_state_that_is_not_a_dict_is_refused() -> None:
    saved = _advanced(_lambdalr).state_dict()
    saved["lr_lambdas"] = [5]
    scheduler = _lambdalr(sgd())
    before = sched_state(scheduler)
    with pytest.raises(TypeError, match=r"LambdaLR\.load_state_dict: lr_lambdas\[0\] must be"):
        scheduler.load_state_dict(saved)
    assert sched_state(scheduler) == before


def test_lambdalr_state_with_another_number_of_functions_is_refused() -> None:
    saved = _advanced(_lambdalr).state_dict()
    saved["lr_lambdas"] = [None, None]
    scheduler = _lambdalr(sgd())
    before = sched_state(scheduler)
    with pytest.raises(
        ValueError, match=r"LambdaLR\.load_state_dict: .*lr_lambdas .* at most 1 entr"
    ):
        scheduler.load_state_dict(saved)
    assert sched_state(scheduler) == before


# ---- swa_utils ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("averaged", "current", "match"),
    [
        ([(3,)], [(4,)], r"swa_update: averaged parameter 0 has shape \(3,\), the current one"),
        ([(3,)], [(3,), (3,)], r"swa_update: got 1 averaged and 2 current parameters"),
    ],
)
def test_swa_list_mismatches_are_runtime_errors_as_in_torch(
    averaged: list[tuple[int, ...]], current: list[tuple[int, ...]], match: str
) -> None:
    fn = swa_utils.get_swa_multi_avg_fn()
    avg = [npgrad.zeros(*s) for s in averaged]
    with pytest.raises(RuntimeError, match=match):  # npgrad's ShapeError: also a ValueError
        fn(avg, [npgrad.ones(*s) for s in current], 0)
    with pytest.raises(ValueError, match=match):
        fn(avg, [npgrad.ones(*s) for s in current], 0)
    assert all(np.all(a._data == 0) for a in avg)


@pytest.mark.torch
def test_swa_list_shape_mismatch_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.optim.swa_utils.get_swa_multi_avg_fn()([torch.zeros(3)], [torch.ones(4)], 0)
