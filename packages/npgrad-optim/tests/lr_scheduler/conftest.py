"""Run a scheduler for some steps, with npgrad or with PyTorch, and record what it set."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import npgrad
import npgrad.optim

Factory = Callable[[Any, Any], Any]  # (lr_scheduler module, optimizer) -> scheduler


def record(
    module: Any,
    tensor: Callable[[], Any],
    opt_name: str,
    opt_kwargs: dict[str, Any],
    factory: Factory,
    steps: int,
    metrics: list[float] | None = None,
    epochs: list[float] | None = None,
) -> list[tuple[Any, ...]]:
    """Every group's (lr, momentum or beta1) after construction and after each step."""
    groups = [{"params": [tensor()], "lr": 0.1}, {"params": [tensor()], "lr": 0.02}]
    opt = getattr(module, opt_name)(groups, **opt_kwargs)
    sched = factory(module.lr_scheduler, opt)

    def snapshot() -> tuple[Any, ...]:
        momentum = [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]
        return (
            tuple(g["lr"] for g in opt.param_groups),
            tuple(sched.get_last_lr()),
            tuple(momentum),
        )

    history = [snapshot()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the deprecated step(epoch) form
        for i in range(steps):
            opt.step()
            if metrics is not None:
                sched.step(metrics[i])
            elif epochs is not None:
                sched.step(epochs[i])
            else:
                sched.step()
            history.append(snapshot())
    return history


def run_npgrad(
    opt_name: str, opt_kwargs: dict[str, Any], factory: Factory, steps: int, **kw: Any
) -> list[tuple[Any, ...]]:
    return record(
        npgrad.optim,
        lambda: npgrad.zeros(2, requires_grad=True),
        opt_name,
        opt_kwargs,
        factory,
        steps,
        **kw,
    )


def compare_with_torch(
    opt_name: str, opt_kwargs: dict[str, Any], factory: Factory, steps: int, **kw: Any
) -> None:
    torch = pytest.importorskip("torch")
    theirs = record(
        torch.optim,
        lambda: torch.zeros(2, requires_grad=True),
        opt_name,
        opt_kwargs,
        factory,
        steps,
        **kw,
    )
    ours = run_npgrad(opt_name, opt_kwargs, factory, steps, **kw)
    assert len(ours) == len(theirs)
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for what, x, y in zip(("lr", "get_last_lr", "momentum"), a, b):
            if y[0] is None:
                assert x[0] is None, f"step {step}: {what}"
                continue
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=0, err_msg=f"step {step}: {what}")


@pytest.fixture
def scheduler_parity() -> Callable[..., None]:
    """``scheduler_parity(opt_name, opt_kwargs, factory, steps, metrics=None, epochs=None)``."""
    pytest.importorskip("torch")
    return compare_with_torch


@pytest.fixture
def lr_history() -> Callable[..., list[tuple[Any, ...]]]:
    """``lr_history(opt_name, opt_kwargs, factory, steps)``: npgrad's record (no torch)."""
    return run_npgrad


def check_resume(
    opt_name: str,
    opt_kwargs: dict[str, Any],
    factory: Factory,
    split: int,
    steps: int,
    metrics: list[float] | None = None,
) -> None:
    """Saving scheduler and optimizer state at ``split`` and resuming a fresh pair (scheduler
    built first, as PyTorch recommends) gives the same learning rates as never stopping."""
    import copy

    full = run_npgrad(opt_name, opt_kwargs, factory, steps, metrics=metrics)

    def build() -> tuple[Any, Any]:
        groups = [
            {"params": [npgrad.zeros(2, requires_grad=True)], "lr": 0.1},
            {"params": [npgrad.zeros(2, requires_grad=True)], "lr": 0.02},
        ]
        opt = getattr(npgrad.optim, opt_name)(groups, **opt_kwargs)
        return opt, factory(npgrad.optim.lr_scheduler, opt)

    def advance(opt: Any, sched: Any, i: int) -> None:
        opt.step()
        sched.step(metrics[i]) if metrics is not None else sched.step()

    opt, sched = build()
    for i in range(split):
        advance(opt, sched, i)
    sched_state = copy.deepcopy(sched.state_dict())
    opt_state = copy.deepcopy(opt.state_dict())
    fresh_opt, fresh_sched = build()
    fresh_sched.load_state_dict(sched_state)
    fresh_opt.load_state_dict(opt_state)
    for i in range(split, steps):
        advance(fresh_opt, fresh_sched, i)
        lrs = tuple(g["lr"] for g in fresh_opt.param_groups)
        assert lrs == full[i + 1][0], f"step {i + 1}"
        assert tuple(fresh_sched.get_last_lr()) == full[i + 1][1], f"step {i + 1}"


@pytest.fixture
def resume_check() -> Callable[..., None]:
    """``resume_check(opt_name, opt_kwargs, factory, split, steps, metrics=None)``."""
    return check_resume
