"""Schedulers that cycle the learning rate: CyclicLR, OneCycleLR, cosine warm restarts."""

from __future__ import annotations

import math
import numbers
import types
from collections.abc import Callable
from typing import Any, Literal

from npgrad.optim.lr_scheduler.base import (
    LRScheduler,
    _Flag,
    _format_param,
    _group_values,
    _groups_restored_on_error,
    _set_group_value,
)
from npgrad.optim.optimizer import Optimizer, _check_number

__all__ = ["CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR"]


def _set_momentum(optimizer: Optimizer, use_beta1: bool, values: list[Any]) -> None:
    for group, momentum in zip(optimizer.param_groups, values):
        if use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum


def _momentum_kind(optimizer: Optimizer, name: str) -> bool:
    """True when the optimizer's momentum is ``betas[0]``, False when it is ``momentum``."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(
            f"{name}: the optimizer must have a momentum or betas hyper-parameter when "
            "cycle_momentum=True (or pass cycle_momentum=False)"
        )
    return "betas" in optimizer.defaults


class CyclicLR(LRScheduler):
    """Cycle each group's lr between ``base_lr`` and ``max_lr`` (Smith's cyclical learning
    rates), stepping once per batch; optionally cycle the momentum inversely.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    base_lr, max_lr : float or list of float
        The lower and upper bounds of the cycle (one for all groups or one per group).
    step_size_up : int, default 2000
        Iterations of the increasing half of a cycle.
    step_size_down : int, optional
        Iterations of the decreasing half (default: ``step_size_up``).
    mode : {"triangular", "triangular2", "exp_range"}, default "triangular"
        The amplitude policy: constant, halved every cycle, or scaled by
        ``gamma ** iteration``. Ignored when ``scale_fn`` is given.
    gamma : float, default 1.0
        The base of ``exp_range``'s scaling.
    scale_fn : callable, optional
        A custom amplitude ``x -> scale``, with ``scale_mode`` saying what ``x`` is.
    scale_mode : {"cycle", "iterations"}, default "cycle"
        Whether ``scale_fn`` receives the cycle number or the iteration.
    cycle_momentum : bool, default True
        Cycle the momentum (``momentum`` or ``betas[0]``) between ``max_momentum`` and
        ``base_momentum``, inversely to the lr.
    base_momentum, max_momentum : float or list of float, default 0.8 and 0.9
        The momentum bounds.
    last_epoch : int, default -1
        The index of the last batch (``-1`` starts the schedule).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> from npgrad.optim.lr_scheduler import CyclicLR
    >>> opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    >>> sched = CyclicLR(opt, base_lr=0.0, max_lr=1.0, step_size_up=2)
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(5):
    ...     opt.step()
    ...     sched.step()
    ...     lrs.append(sched.get_last_lr()[0])
    >>> lrs
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.5]
    """

    @_groups_restored_on_error
    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: Literal["triangular", "triangular2", "exp_range"] = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: Literal["cycle", "iterations"] = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.8,
        max_momentum: float | list[float] = 0.9,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"CyclicLR: {type(optimizer).__name__} is not an Optimizer")
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(
                f"CyclicLR: mode must be 'triangular', 'triangular2' or 'exp_range' when no "
                f"scale_fn is given, got {mode!r}"
            )
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(
                f"CyclicLR: scale_fn must be a function or None, got {type(scale_fn).__name__}"
            )
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(
                f"CyclicLR: scale_mode must be 'cycle' or 'iterations', got {scale_mode!r}"
            )
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        if up <= 0 or down <= 0:
            raise ValueError(
                f"CyclicLR: step_size_up and step_size_down must be positive, got {up} and {down}"
            )
        self.optimizer = optimizer
        base_lrs = _format_param("CyclicLR", "base_lr", optimizer, base_lr)
        self.max_lrs = _format_param("CyclicLR", "max_lr", optimizer, max_lr)
        if cycle_momentum:
            use_beta1 = _momentum_kind(optimizer, "CyclicLR")
            base_momentums = _format_param("CyclicLR", "base_momentum", optimizer, base_momentum)
            max_momentums = _format_param("CyclicLR", "max_momentum", optimizer, max_momentum)
        # validated: now the optimizer's groups change
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                _set_group_value(group, "lr", lr)
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = use_beta1
            self.base_momentums = base_momentums
            self.max_momentums = max_momentums
            if last_epoch == -1:
                _set_momentum(optimizer, use_beta1, max_momentums)
                for m_max, m_base, group in zip(
                    max_momentums, base_momentums, optimizer.param_groups
                ):
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self) -> None:
        if self._scale_fn_custom is not None:
            return
        # the built-in modes fix what their scale function receives
        if self.mode in ("triangular", "triangular2"):
            self.scale_mode = "cycle"
        elif self.mode == "exp_range":
            self.scale_mode = "iterations"

    def scale_fn(self, x: float) -> float:
        """The amplitude scale at ``x`` (a cycle number or an iteration, per ``scale_mode``)."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self) -> list[Any]:
        """The learning rates of the next step; also sets the cycled momentum."""
        self._warn_if_called_directly()
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [
            base + (top - base) * scale_factor * scale
            for base, top in zip(self.base_lrs, self.max_lrs)
        ]
        if self.cycle_momentum:
            momentums = [
                top - (top - base) * scale_factor * scale
                for base, top in zip(self.base_momentums, self.max_momentums)
            ]
            _set_momentum(self.optimizer, self.use_beta1, momentums)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state; a custom ``scale_fn`` is saved only if it is a callable
        object (its ``__dict__``), never a plain function."""
        state = super().state_dict()
        fn = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = None
        if fn is not None and not isinstance(fn, types.FunctionType):
            state["_scale_fn_custom"] = fn.__dict__.copy()
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state returned by :meth:`state_dict`."""
        state = dict(state_dict)
        fn = state.pop("_scale_fn_custom", None)
        super().load_state_dict(state)
        if fn is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(fn)
        self._init_scale_fn()


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin): warm the lr up from ``max_lr / div_factor`` to
    ``max_lr``, then anneal it to ``initial_lr / final_div_factor``; step once per batch.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    max_lr : float or list of float
        The peak learning rate (one for all groups or one per group).
    total_steps : int, optional
        The number of steps of the cycle; or give ``epochs`` and ``steps_per_epoch``.
    epochs, steps_per_epoch : int, optional
        ``total_steps = epochs * steps_per_epoch`` when ``total_steps`` is None.
    pct_start : float, default 0.3
        The fraction of the cycle spent increasing the lr.
    anneal_strategy : {"cos", "linear"}, default "cos"
        The shape of each phase.
    cycle_momentum : bool, default True
        Cycle the momentum (``momentum`` or ``betas[0]``) inversely between ``max_momentum``
        and ``base_momentum``.
    base_momentum, max_momentum : float or list of float, default 0.85 and 0.95
        The momentum bounds.
    div_factor : float, default 25.0
        ``initial_lr = max_lr / div_factor``.
    final_div_factor : float, default 1e4
        ``min_lr = initial_lr / final_div_factor``.
    three_phase : bool, default False
        Use a third phase that anneals from ``initial_lr`` to ``min_lr`` (fast.ai's schedule
        otherwise skips it).
    last_epoch : int, default -1
        The index of the last batch (``-1`` starts the schedule).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> from npgrad.optim.lr_scheduler import OneCycleLR
    >>> opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    >>> sched = OneCycleLR(opt, max_lr=1.0, total_steps=5, pct_start=0.4,
    ...                    anneal_strategy="linear", div_factor=10.0, final_div_factor=1.0)
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(4):
    ...     opt.step()
    ...     sched.step()
    ...     lrs.append(round(sched.get_last_lr()[0], 12))
    >>> lrs
    [0.1, 1.0, 0.7, 0.4, 0.1]
    """

    @_groups_restored_on_error
    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: Literal["cos", "linear"] = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"OneCycleLR: {type(optimizer).__name__} is not an Optimizer")
        if total_steps is not None:
            if not isinstance(total_steps, numbers.Integral) or total_steps <= 0:
                raise ValueError(
                    f"OneCycleLR: Expected positive integer total_steps, but got {total_steps}"
                )
            steps = int(total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, numbers.Integral) or epochs <= 0:
                raise ValueError(f"OneCycleLR: Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, numbers.Integral) or steps_per_epoch <= 0:
                raise ValueError(
                    "OneCycleLR: Expected positive integer steps_per_epoch, but got "
                    f"{steps_per_epoch}"
                )
            steps = int(epochs) * int(steps_per_epoch)
        else:
            raise ValueError("OneCycleLR: give total_steps, or both epochs and steps_per_epoch")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(
                f"OneCycleLR: Expected float between 0 and 1 pct_start, but got {pct_start}"
            )
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                "OneCycleLR: anneal_strategy must be one of 'cos' or 'linear', instead got "
                f"{anneal_strategy!r}"
            )
        for name, value in (("div_factor", div_factor), ("final_div_factor", final_div_factor)):
            if not _check_number("OneCycleLR", name, value) > 0:
                raise ValueError(f"OneCycleLR: {name} must be > 0, got {value!r}")
        self.optimizer = optimizer
        self.total_steps: int = steps
        up_end = float(pct_start * steps) - 1
        if three_phase:
            self._schedule_phases: list[dict[str, Any]] = [
                {"end_step": up_end, "start_lr": "initial_lr", "end_lr": "max_lr",
                 "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
                {"end_step": float(2 * pct_start * steps) - 2, "start_lr": "max_lr",
                 "end_lr": "initial_lr", "start_momentum": "base_momentum",
                 "end_momentum": "max_momentum"},
                {"end_step": steps - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
                 "start_momentum": "max_momentum", "end_momentum": "max_momentum"},
            ]  # fmt: skip
        else:
            self._schedule_phases = [
                {"end_step": up_end, "start_lr": "initial_lr", "end_lr": "max_lr",
                 "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
                {"end_step": steps - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
            ]  # fmt: skip
        self._anneal_func_type: str = anneal_strategy
        max_lrs = _format_param("OneCycleLR", "max_lr", optimizer, max_lr)
        self.cycle_momentum: bool = cycle_momentum
        if cycle_momentum:
            self.use_beta1: bool = _momentum_kind(optimizer, "OneCycleLR")
            max_momentums = _format_param("OneCycleLR", "max_momentum", optimizer, max_momentum)
            base_momentums = _format_param("OneCycleLR", "base_momentum", optimizer, base_momentum)
        # validated: now the optimizer's groups change
        if last_epoch == -1:
            for top, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
            if cycle_momentum:
                _set_momentum(optimizer, self.use_beta1, max_momentums)
                for m_max, m_base, group in zip(
                    max_momentums, base_momentums, optimizer.param_groups
                ):
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        else:  # resuming: the keys must come from the optimizer's loaded state dict
            keys = ("initial_lr", "max_lr", "min_lr")
            if cycle_momentum:
                keys += ("max_momentum", "base_momentum")
            for i, group in enumerate(optimizer.param_groups):
                for key in keys:
                    if key not in group:
                        raise KeyError(
                            f"OneCycleLR: param {key!r} is not specified in param_groups[{i}] "
                            f"when resuming with last_epoch={last_epoch}: load the optimizer's "
                            "state dict first, or start with last_epoch=-1"
                        )
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[Any]:
        """The learning rates of the next step; also sets the cycled momentum."""
        self._warn_if_called_directly()
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"OneCycleLR.step: Tried to step {step} times. The specified number of total "
                f"steps is {self.total_steps}"
            )
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step - start_step) / (end_step - start_step)
                    lr = self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct)
                    if self.cycle_momentum:
                        momentum = self._anneal(
                            group[phase["start_momentum"]], group[phase["end_momentum"]], pct
                        )
                    break
                start_step = phase["end_step"]
            lrs.append(lr)
            if self.cycle_momentum:
                if self.use_beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        return lrs


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing with warm restarts (SGDR): anneal from the initial lr to
    ``eta_min`` over ``T_i`` epochs, then restart with ``T_{i+1} = T_i * T_mult``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    T_0 : int
        The length of the first period, in epochs.
    T_mult : int, default 1
        The factor by which each period is longer than the previous one.
    eta_min : float, default 0.0
        The minimum learning rate.
    last_epoch : int, default -1
        The index of the last epoch (``-1`` starts the schedule).

    Notes
    -----
    :math:`\eta_t = \eta_{\min} + (\eta_0 - \eta_{\min})(1 + \cos(\pi T_{cur} / T_i)) / 2`.
    ``step(epoch)`` accepts fractional epochs (call it once per batch with
    ``epoch + batch / n_batches``).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> from npgrad.optim.lr_scheduler import CosineAnnealingWarmRestarts
    >>> opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = CosineAnnealingWarmRestarts(opt, T_0=2)
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(4):
    ...     opt.step()
    ...     sched.step()
    ...     lrs.append(round(sched.get_last_lr()[0], 12))
    >>> lrs
    [1.0, 0.5, 1.0, 0.5, 1.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(T_0, numbers.Integral) or T_0 <= 0:
            raise ValueError(
                f"CosineAnnealingWarmRestarts: Expected positive integer T_0, but got {T_0}"
            )
        if not isinstance(T_mult, numbers.Integral) or T_mult < 1:
            raise ValueError(
                f"CosineAnnealingWarmRestarts: Expected integer T_mult >= 1, but got {T_mult}"
            )
        if not isinstance(eta_min, (float, int)):
            raise ValueError(
                "CosineAnnealingWarmRestarts: Expected float or int eta_min, but got "
                f"{eta_min} of type {type(eta_min)}"
            )
        self.T_0: int = int(T_0)
        self.T_i: int = int(T_0)
        self.T_mult: int = int(T_mult)
        self.eta_min: float = eta_min
        self.T_cur: float = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        self._warn_if_called_directly()
        cosine = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base - self.eta_min) * cosine for base in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or jump to ``epoch`` (which may be fractional)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(
                    "CosineAnnealingWarmRestarts.step: Expected non-negative epoch, but got "
                    f"{epoch}"
                )
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult**n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        with _Flag(self, "_get_lr_called_within_step"):
            for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
                _set_group_value(group, "lr", lr)
        self._last_lr = _group_values(self.optimizer, "lr")
