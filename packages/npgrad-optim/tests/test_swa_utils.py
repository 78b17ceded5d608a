"""swa_utils: the SWALR schedule (hand-computed and against torch) and the averaging functions."""

from __future__ import annotations

import math
import pickle
import warnings
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import SGD
from npgrad.optim.lr_scheduler import CosineAnnealingLR
from npgrad.optim.swa_utils import (
    SWALR,
    get_ema_avg_fn,
    get_ema_multi_avg_fn,
    get_swa_avg_fn,
    get_swa_multi_avg_fn,
)


def optimizer(*lrs: float) -> SGD:
    return SGD([{"params": [npgrad.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs])


def schedule(sched: Any, opt: Any, steps: int) -> list[list[float]]:
    lrs = []
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append([float(lr) for lr in sched.get_last_lr()])
    return lrs


def test_cosine_annealing_reaches_swa_lr_and_holds_it() -> None:
    lr, swa_lr, epochs = 1.0, 0.1, 4
    opt = optimizer(lr)
    sched = SWALR(opt, swa_lr=swa_lr, anneal_epochs=epochs)
    assert opt.param_groups[0]["swa_lr"] == swa_lr and sched.get_last_lr() == [lr]
    got = [lrs[0] for lrs in schedule(sched, opt, 7)]
    # from a constant start the chained rule is the closed form lr + (swa - lr) a(s / E)
    expected = [
        lr + (swa_lr - lr) * (1 - math.cos(math.pi * min(1, s / epochs))) / 2 for s in range(1, 8)
    ]
    np.testing.assert_allclose(got, expected, rtol=1e-14)
    assert got[-1] == pytest.approx(swa_lr, rel=1e-15)


def test_zero_anneal_epochs_switches_at_the_first_step_and_groups_get_their_own_swa_lr() -> None:
    opt = optimizer(1.0, 0.5)
    sched = SWALR(opt, swa_lr=[0.05, 0.01], anneal_epochs=0, anneal_strategy="linear")
    assert sched.get_last_lr() == [0.05, 0.01]  # already at the constructor's step
    assert schedule(sched, opt, 2) == [[0.05, 0.01], [0.05, 0.01]]


def test_follows_a_schedule_that_changed_the_lr_before() -> None:
    # SWALR continues from whatever rate the groups have (PyTorch's chainable form)
    opt = optimizer(1.0)
    cosine = CosineAnnealingLR(opt, T_max=10)
    schedule(cosine, opt, 3)
    start = opt.param_groups[0]["lr"]
    sched = SWALR(opt, swa_lr=0.2, anneal_epochs=2, anneal_strategy="linear")
    got = [lrs[0] for lrs in schedule(sched, opt, 3)]
    np.testing.assert_allclose(got, [start + (0.2 - start) / 2, 0.2, 0.2], rtol=1e-14)


def test_state_dict_round_trip() -> None:
    opt = optimizer(1.0)
    sched = SWALR(opt, swa_lr=0.1, anneal_epochs=5)
    schedule(sched, opt, 2)
    state = pickle.loads(pickle.dumps(sched.state_dict()))
    assert state["anneal_epochs"] == 5 and state["_anneal_strategy"] == "cos"
    opt2 = optimizer(1.0)
    opt2.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    other = SWALR(opt2, swa_lr=0.1, anneal_epochs=5)
    other.load_state_dict(state)
    np.testing.assert_allclose(schedule(other, opt2, 4), schedule(sched, opt, 4), rtol=1e-15)


def test_get_lr_outside_step_warns() -> None:
    sched = SWALR(optimizer(1.0), swa_lr=0.1)
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"anneal_strategy": "exp"}, ValueError, "must be one of 'cos' or 'linear'"),
        ({"anneal_epochs": -1}, ValueError, "anneal_epochs must be equal or greater than 0"),
        ({"anneal_epochs": 2.5}, ValueError, "anneal_epochs must be equal or greater than 0"),
        ({"swa_lr": [0.1, 0.2]}, ValueError, "swa_lr must have one value per param group"),
        ({"swa_lr": "low"}, TypeError, "swa_lr must be a number"),
    ],
)
def test_invalid_arguments_raise_and_leave_the_groups_alone(
    kwargs: dict[str, Any], error: type, match: str
) -> None:
    opt = optimizer(1.0)
    with pytest.raises(error, match=match):
        SWALR(opt, **{"swa_lr": 0.1, **kwargs})
    assert "swa_lr" not in opt.param_groups[0] and "initial_lr" not in opt.param_groups[0]


@pytest.mark.torch
@pytest.mark.parametrize(
    "kwargs",
    [
        {"swa_lr": 0.05},
        {"swa_lr": [0.2, 0.01], "anneal_epochs": 3, "anneal_strategy": "linear"},
        {"swa_lr": 0.3, "anneal_epochs": 0},
        {"swa_lr": 0.3, "anneal_epochs": 1, "anneal_strategy": "cos"},
    ],
    ids=str,
)
def test_schedule_matches_torch(kwargs: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    from torch.optim.swa_utils import SWALR as TorchSWALR

    opt = optimizer(0.8, 0.4)
    topt = torch.optim.SGD(
        [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in (0.8, 0.4)]
    )
    ours, theirs = SWALR(opt, **kwargs), TorchSWALR(topt, **kwargs)
    assert ours.get_last_lr() == theirs.get_last_lr()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's own deprecation notes
        np.testing.assert_allclose(
            schedule(ours, opt, 14), schedule(theirs, topt, 14), rtol=1e-15, atol=0
        )


def test_ema_functions() -> None:
    ema, current = npgrad.tensor([0.0, 2.0]), npgrad.tensor([1.0, 1.0])
    out = get_ema_avg_fn(0.9)(ema, current, 5)
    np.testing.assert_allclose(out.numpy(), [0.1, 1.9], rtol=1e-6)
    assert ema.tolist() == [0.0, 2.0]  # the single-tensor form returns a new tensor

    params = [npgrad.tensor([0.0, 2.0]), npgrad.tensor([[4.0]], dtype=npgrad.float64)]
    version = params[0]._version
    get_ema_multi_avg_fn(0.9)(params, [npgrad.tensor([1.0, 1.0]), npgrad.tensor([[5.0]])], None)
    np.testing.assert_allclose(params[0].numpy(), [0.1, 1.9], rtol=1e-6)
    assert params[0].dtype == np.float32 and params[1].dtype == np.float64
    assert params[1].item() == pytest.approx(4.1, rel=1e-15)
    assert params[0]._version > version  # autograd sees the in-place change

    # integer tensors take the truncated result, as in PyTorch
    counts = [npgrad.tensor([1, 2, 3])]
    get_ema_multi_avg_fn(0.5)(counts, [npgrad.tensor([4, 5, 7])], None)
    assert counts[0].tolist() == [2, 3, 5] and counts[0].dtype == np.int64


def test_swa_functions_compute_the_running_mean() -> None:
    rng = np.random.default_rng(0)
    models = [rng.normal(size=(2, 3)) for _ in range(5)]
    avg_fn, multi = get_swa_avg_fn(), get_swa_multi_avg_fn()
    single = npgrad.tensor(models[0])
    in_place = [npgrad.tensor(models[0])]
    for n, m in enumerate(models[1:], start=1):
        single = avg_fn(single, npgrad.tensor(m), n)
        # num_averaged may be a 0-dim tensor; a float64 one gives the exact weight (an int64
        # one a float32 weight, as in PyTorch: see test_edge_parity)
        multi(in_place, [npgrad.tensor(m)], npgrad.tensor(n, dtype=npgrad.float64))
    np.testing.assert_allclose(single.numpy(), np.mean(models, axis=0), rtol=1e-14)
    np.testing.assert_allclose(in_place[0].numpy(), np.mean(models, axis=0), rtol=1e-14)


def test_averaging_errors() -> None:
    with pytest.raises(ValueError, match="Invalid decay value 1.5 provided"):
        get_ema_avg_fn(1.5)
    with pytest.raises(ValueError, match="Invalid decay value -0.1 provided"):
        get_ema_multi_avg_fn(-0.1)
    with pytest.raises(TypeError, match="decay must be a number"):
        get_ema_multi_avg_fn("0.9")  # type: ignore[arg-type]
    a, b = [npgrad.zeros(2), npgrad.zeros(3)], [npgrad.ones(2), npgrad.ones(2)]
    with pytest.raises(ValueError, match="averaged parameter 1 has shape \\(3,\\)"):
        get_swa_multi_avg_fn()(a, b, 1)
    assert a[0].tolist() == [0.0, 0.0]  # checked before anything moved
    with pytest.raises(ValueError, match="got 1 averaged and 2 current"):
        get_ema_multi_avg_fn()(a[:1], b, 1)
    ints = [npgrad.tensor([1, 2])]
    with pytest.raises(RuntimeError, match="can't average a tensor of dtype int64"):
        get_swa_multi_avg_fn()(ints, [npgrad.tensor([3, 4])], 1)


@pytest.mark.torch
def test_averaging_functions_match_torch() -> None:
    torch = pytest.importorskip("torch")
    from torch.optim import swa_utils as tswa

    rng = np.random.default_rng(1)
    start, new = rng.normal(size=4).astype(np.float32), rng.normal(size=4).astype(np.float32)
    for decay in (0.3, 0.999):  # lerp weights on both sides of 0.5
        ours = [npgrad.tensor(start)]
        theirs = [torch.tensor(start)]
        get_ema_multi_avg_fn(decay)(ours, [npgrad.tensor(new)], None)
        tswa.get_ema_multi_avg_fn(decay)(theirs, [torch.tensor(new)], None)
        # torch's lerp kernel fuses the multiply-add (FMA): the last float32 bit may differ
        np.testing.assert_allclose(ours[0].numpy(), theirs[0].numpy(), rtol=1e-6, atol=1e-7)
    for n in (0, 1, 6):
        ours = [npgrad.tensor(start)]
        theirs = [torch.tensor(start)]
        get_swa_multi_avg_fn()(ours, [npgrad.tensor(new)], n)
        tswa.get_swa_multi_avg_fn()(theirs, [torch.tensor(new)], n)
        np.testing.assert_allclose(ours[0].numpy(), theirs[0].numpy(), rtol=1e-6, atol=1e-7)
        single = get_swa_avg_fn()(npgrad.tensor(start), npgrad.tensor(new), n)
        tsingle = tswa.get_swa_avg_fn()(torch.tensor(start), torch.tensor(new), n)
        np.testing.assert_allclose(single.numpy(), tsingle.numpy(), rtol=1e-6)
