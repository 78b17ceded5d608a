"""Schedulers made of other schedulers: one after another, or all at once."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from npgrad.optim.lr_scheduler.base import (
    LRScheduler,
    _all_or_nothing,
    _group_values,
    _set_group_value,
)
from npgrad.optim.lr_scheduler.plateau import ReduceLROnPlateau
from npgrad.optim.optimizer import Optimizer

__all__ = ["ChainedScheduler", "SequentialLR"]


def _check_sequence(name: str, what: str, value: Any) -> None:
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name}: {what} must be a list, got {type(value).__name__}")


def _check_schedulers(name: str, schedulers: Sequence[Any], optimizer: Optimizer) -> None:
    _check_sequence(name, "schedulers", schedulers)
    if len(schedulers) < 1:
        raise ValueError(f"{name} expects at least one scheduler, but got none")
    for i, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{name}: the scheduler at index {i} has no `optimizer` attribute")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(
                f"{name} does not support ReduceLROnPlateau (its step needs the metric), but "
                f"got one at index {i}"
            )
        if scheduler.optimizer is not optimizer:
            raise ValueError(
                f"{name} expects all schedulers to belong to the same optimizer, but the "
                f"scheduler {type(scheduler).__name__} at index {i} has another one"
            )


def _pop_inner_states(scheduler: LRScheduler, state: dict[str, Any]) -> list[Any]:
    """Take the wrapped schedulers' states out of ``state`` (a KeyError if they are missing)."""
    name = type(scheduler).__name__
    if "_schedulers" not in state:
        raise KeyError(
            f"{name}.load_state_dict: the state has no '_schedulers' entry (the states of the "
            f"wrapped schedulers); it has {sorted(map(str, state))}"
        )
    inner = state.pop("_schedulers")
    if not isinstance(inner, (list, tuple)):
        raise TypeError(
            f"{name}.load_state_dict: '_schedulers' must be a list of state dicts, got "
            f"{type(inner).__name__}"
        )
    return list(inner)


class SequentialLR(LRScheduler):
    """Run ``schedulers`` one after another, switching at each of the ``milestones``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer all the schedulers belong to.
    schedulers : list of LRScheduler
        The schedulers, in order.
    milestones : list of int
        The epochs at which the next scheduler takes over (one fewer than the schedulers).
    last_epoch : int, default -1
        The index of the last epoch.

    Notes
    -----
    At a milestone the next scheduler starts from its own epoch 0 (its closed form), from the
    optimizer's initial learning rates, as in PyTorch.

    Examples
    --------
    A linear warm-up for 2 epochs, then exponential decay:

    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> from npgrad.optim.lr_scheduler import ExponentialLR, LinearLR, SequentialLR
    >>> opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> warmup = LinearLR(opt, start_factor=0.5, total_iters=2)
    >>> decay = ExponentialLR(opt, gamma=0.5)
    >>> sched = SequentialLR(opt, schedulers=[warmup, decay], milestones=[2])
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(4):
    ...     opt.step()
    ...     sched.step()
    ...     lrs.append(sched.get_last_lr()[0])
    >>> lrs
    [0.5, 0.75, 1.0, 0.5, 0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: list[LRScheduler],
        milestones: list[int],
        last_epoch: int = -1,
    ) -> None:
        _check_schedulers("SequentialLR", schedulers, optimizer)
        _check_sequence("SequentialLR", "milestones", milestones)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "SequentialLR expects one milestone fewer than schedulers, but got "
                f"{len(schedulers)} schedulers and {len(milestones)} milestones"
            )
        if any(later < earlier for earlier, later in zip(milestones, milestones[1:])):
            raise ValueError(
                f"SequentialLR: milestones must be sorted (non-decreasing), got {milestones}"
            )
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        # undo the steps the schedulers' constructors made, then start the first one
        for group in optimizer.param_groups:
            _set_group_value(group, "lr", group["initial_lr"])
        self._recursive_undo()
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = self._schedulers[idx].get_last_lr()

    def _recursive_undo(self, scheduler: Any = None) -> None:
        scheduler = self if scheduler is None else scheduler
        if hasattr(scheduler, "_schedulers"):
            for inner in scheduler._schedulers:
                self._recursive_undo(inner)
        elif hasattr(scheduler, "last_epoch"):
            scheduler.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]
        """Advance the active scheduler (starting the next one at a milestone)."""
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        """The state of this scheduler and of each wrapped one."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state returned by :meth:`state_dict`."""
        self._check_state_dict(state_dict)
        state = dict(state_dict)
        inner = _pop_inner_states(self, state)
        if len(inner) != len(self._schedulers):
            raise ValueError(
                f"SequentialLR.load_state_dict: the state has {len(inner)} schedulers, this "
                f"SequentialLR has {len(self._schedulers)}"
            )
        with _all_or_nothing(self):
            self.__dict__.update(state)
            for scheduler, scheduler_state in zip(self._schedulers, inner):
                scheduler.load_state_dict(scheduler_state)


class ChainedScheduler(LRScheduler):
    """Step several schedulers together, each acting on the rates the previous one set.

    Parameters
    ----------
    schedulers : sequence of LRScheduler
        The schedulers to chain (all of one optimizer).
    optimizer : Optimizer, optional
        Their optimizer (default: the first scheduler's).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> from npgrad.optim.lr_scheduler import ChainedScheduler, ConstantLR, ExponentialLR
    >>> opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = ChainedScheduler([ConstantLR(opt, factor=0.5, total_iters=2),
    ...                           ExponentialLR(opt, gamma=0.5)])
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(3):
    ...     opt.step()
    ...     sched.step()
    ...     lrs.append(sched.get_last_lr()[0])
    >>> lrs
    [0.5, 0.25, 0.25, 0.125]
    """

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        _check_sequence("ChainedScheduler", "schedulers", schedulers)
        if len(schedulers) < 1:
            raise ValueError("ChainedScheduler expects at least one scheduler, but got none")
        if optimizer is None:
            if not hasattr(schedulers[0], "optimizer"):
                raise TypeError(
                    "ChainedScheduler: the scheduler at index 0 has no `optimizer` attribute"
                )
            optimizer = schedulers[0].optimizer
        _check_schedulers("ChainedScheduler", schedulers, optimizer)
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._last_lr = _group_values(self._schedulers[-1].optimizer, "lr")

    def step(self) -> None:  # type: ignore[override]
        """Step every chained scheduler, in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = _group_values(self._schedulers[-1].optimizer, "lr")

    def state_dict(self) -> dict[str, Any]:
        """The state of this scheduler and of each chained one."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state returned by :meth:`state_dict`."""
        self._check_state_dict(state_dict)
        state = dict(state_dict)
        inner = _pop_inner_states(self, state)
        if len(inner) != len(self._schedulers):
            raise ValueError(
                f"ChainedScheduler.load_state_dict: the state has {len(inner)} schedulers, "
                f"this ChainedScheduler has {len(self._schedulers)}"
            )
        with _all_or_nothing(self):
            self.__dict__.update(state)
            for scheduler, scheduler_state in zip(self._schedulers, inner):
                scheduler.load_state_dict(scheduler_state)
