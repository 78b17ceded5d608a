"""Schedulers that decay (or warm up) the learning rate by a rule of the epoch number."""

from __future__ import annotations

import math
import numbers
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from npgrad.optim.lr_scheduler.base import (
    LRScheduler,
    _group_values,
    _lambdas,
    _state_without_functions,
)
from npgrad.optim.optimizer import Optimizer, _check_number

__all__ = [
    "ConstantLR",
    "CosineAnnealingLR",
    "ExponentialLR",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "PolynomialLR",
    "StepLR",
]


def _load_functions(scheduler: LRScheduler, state_dict: dict[str, Any], key: str) -> None:
    scheduler._check_state_dict(state_dict)
    functions = getattr(scheduler, key)
    saved = state_dict.get(key, [])
    if not isinstance(saved, (list, tuple)) or len(saved) > len(functions):
        raise ValueError(
            f"{type(scheduler).__name__}.load_state_dict: the state's {key} must be a list of "
            f"at most {len(functions)} entries (one per function), got {saved!r}"
        )
    for i, fn_state in enumerate(saved):
        if fn_state is not None and not isinstance(fn_state, Mapping):
            raise TypeError(
                f"{type(scheduler).__name__}.load_state_dict: {key}[{i}] must be None or the "
                f"__dict__ of a callable object, got {type(fn_state).__name__}"
            )
    scheduler.__dict__.update({k: v for k, v in state_dict.items() if k != key})
    for fn, fn_state in zip(functions, saved):
        if fn_state is not None:
            fn.__dict__.update(fn_state)


class LambdaLR(LRScheduler):
    """Set each group's lr to its initial lr times ``lr_lambda(epoch)``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    lr_lambda : callable or list of callables
        ``epoch -> factor``, one for all groups or one per group.
    last_epoch : int, default -1
        The index of the last epoch (``-1`` starts the schedule).

    Notes
    -----
    ``state_dict()`` stores the ``__dict__`` of callable objects; plain functions and lambdas
    are not saved (as in PyTorch).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> from npgrad.optim.lr_scheduler import LambdaLR
    >>> opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = LambdaLR(opt, lambda epoch: 1 / (epoch + 1))
    >>> lrs = []
    >>> for _ in range(3):
    ...     opt.step()
    ...     sched.step()
    ...     lrs.append(sched.get_last_lr()[0])
    >>> lrs
    [0.5, 0.3333333333333333, 0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas("LambdaLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state; callable objects' ``__dict__``, never plain functions."""
        return _state_without_functions(self, self.lr_lambdas, "lr_lambdas")

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state returned by :meth:`state_dict`."""
        _load_functions(self, state_dict, "lr_lambdas")

    def get_lr(self) -> list[Any]:
        self._warn_if_called_directly()
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(LRScheduler):
    """Multiply each group's lr by ``lr_lambda(epoch)`` at every step.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    lr_lambda : callable or list of callables
        ``epoch -> factor``, one for all groups or one per group.
    last_epoch : int, default -1
        The index of the last epoch (``-1`` starts the schedule).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> from npgrad.optim.lr_scheduler import MultiplicativeLR
    >>> opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = MultiplicativeLR(opt, lambda epoch: 0.5)
    >>> for _ in range(3):
    ...     opt.step()
    ...     sched.step()
    >>> sched.get_last_lr()
    [0.125]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas("MultiplicativeLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state; callable objects' ``__dict__``, never plain functions."""
        return _state_without_functions(self, self.lr_lambdas, "lr_lambdas")

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state returned by :meth:`state_dict`."""
        _load_functions(self, state_dict, "lr_lambdas")

    def get_lr(self) -> list[Any]:
        self._warn_if_called_directly()
        if self._is_initial:
            return _group_values(self.optimizer, "lr")
        return [
            group["lr"] * fn(self.last_epoch)
            for fn, group in zip(self.lr_lambdas, self.optimizer.param_groups)
        ]


class StepLR(LRScheduler):
    """Multiply each group's lr by ``gamma`` every ``step_size`` epochs.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    step_size : int
        The period of the decay, in epochs.
    gamma : float, default 0.1
        The factor of each decay.
    last_epoch : int, default -1
        The index of the last epoch (``-1`` starts the schedule).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> from npgrad.optim.lr_scheduler import StepLR
    >>> opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = StepLR(opt, step_size=2, gamma=0.5)
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(5):
    ...     opt.step()
    ...     sched.step()
    ...     lrs.append(sched.get_last_lr()[0])
    >>> lrs
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        if not isinstance(step_size, numbers.Integral) or step_size <= 0:
            raise ValueError(f"StepLR: step_size must be a positive integer, got {step_size!r}")
        _check_number("StepLR", "gamma", gamma)
        self.step_size: int = int(step_size)
        self.gamma: float = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        self._warn_if_called_directly()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return _group_values(self.optimizer, "lr")
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[Any]:
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply each group's lr by ``gamma`` at each milestone epoch.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    milestones : iterable of int
        The epochs at which to decay (a repeated milestone decays that many times).
    gamma : float, default 0.1
        The factor of each decay.
    last_epoch : int, default -1
        The index of the last epoch (``-1`` starts the schedule).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> from npgrad.optim.lr_scheduler import MultiStepLR
    >>> opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = MultiStepLR(opt, milestones=[1, 3], gamma=0.5)
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(4):
    ...     opt.step()
    ...     sched.step()
    ...     lrs.append(sched.get_last_lr()[0])
    >>> lrs
    [1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(milestones, Iterable) or isinstance(milestones, str):
            raise TypeError(
                "MultiStepLR: milestones must be an iterable of epochs (a list of ints), got "
                f"{type(milestones).__name__}"
            )
        _check_number("MultiStepLR", "gamma", gamma)
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        self._warn_if_called_directly()
        if self.last_epoch not in self.milestones:
            return _group_values(self.optimizer, "lr")
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state returned by :meth:`state_dict`; ``milestones`` becomes a Counter
        again (``npgrad.save`` stores it as a plain dict)."""
        state = dict(state_dict)
        if "milestones" in state:
            state["milestones"] = Counter(state["milestones"])
        super().load_state_dict(state)

    def _get_closed_form_lr(self) -> list[Any]:
        milestones = sorted(self.milestones.elements())
        n = bisect_right(milestones, self.last_epoch)
        return [base * self.gamma**n for base in self.base_lrs]


class ConstantLR(LRScheduler):
    """Multiply each group's lr by ``factor`` until epoch ``total_iters``, then restore it.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    factor : float, default 1/3
        The factor, in [0, 1].
    total_iters : int, default 5
        The number of epochs the factor applies.
    last_epoch : int, default -1
        The index of the last epoch (``-1`` starts the schedule).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> from npgrad.optim.lr_scheduler import ConstantLR
    >>> opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = ConstantLR(opt, factor=0.5, total_iters=2)
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(3):
    ...     opt.step()
    ...     sched.step()
    ...     lrs.append(sched.get_last_lr()[0])
    >>> lrs
    [0.5, 0.5, 1.0, 1.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if not 0 <= factor <= 1.0:
            raise ValueError(f"ConstantLR: factor must be in [0, 1], got {factor!r}")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        self._warn_if_called_directly()
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in self.optimizer.param_groups]
        if self.last_epoch != self.total_iters:
            return _group_values(self.optimizer, "lr")
        if self.factor == 0:  # the chainable form would divide by 0: restore the base rates
            return list(self.base_lrs)
        return [group["lr"] * (1.0 / self.factor) for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[Any]:
        done = self.last_epoch >= self.total_iters
        return [base * (self.factor + done * (1 - self.factor)) for base in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale each group's lr by a factor going linearly from ``start_factor`` to
    ``end_factor`` over ``total_iters`` epochs (a warm-up, usually).

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    start_factor : float, default 1/3
        The factor at epoch 0, in (0, 1].
    end_factor : float, default 1.0
        The factor from epoch ``total_iters`` on, in [0, 1].
    total_iters : int, default 5
        The number of epochs of the ramp.
    last_epoch : int, default -1
        The index of the last epoch (``-1`` starts the schedule).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> from npgrad.optim.lr_scheduler import LinearLR
    >>> opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(4):
    ...     opt.step()
    ...     sched.step()
    ...     lrs.append(sched.get_last_lr()[0])
    >>> lrs
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if not 0 < start_factor <= 1.0:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor!r}")
        if not 0 <= end_factor <= 1.0:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor!r}")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        self._warn_if_called_directly()
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return _group_values(self.optimizer, "lr")
        span = self.end_factor - self.start_factor
        factor = 1.0 + span / (self.total_iters * self.start_factor + (self.last_epoch - 1) * span)
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[Any]:
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        return [
            base * (self.start_factor + (self.end_factor - self.start_factor) * progress)
            for base in self.base_lrs
        ]


class ExponentialLR(LRScheduler):
    """Multiply each group's lr by ``gamma`` every epoch.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    gamma : float
        The factor of each decay.
    last_epoch : int, default -1
        The index of the last epoch (``-1`` starts the schedule).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> from npgrad.optim.lr_scheduler import ExponentialLR
    >>> opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = ExponentialLR(opt, gamma=0.5)
    >>> for _ in range(3):
    ...     opt.step()
    ...     sched.step()
    >>> sched.get_last_lr()
    [0.125]
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        _check_number("ExponentialLR", "gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        self._warn_if_called_directly()
        if self._is_initial:
            return _group_values(self.optimizer, "lr")
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[Any]:
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay each group's lr polynomially to 0 over ``total_iters`` epochs.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    total_iters : int, default 5
        The number of epochs of the decay.
    power : float, default 1.0
        The power of the polynomial.
    last_epoch : int, default -1
        The index of the last epoch (``-1`` starts the schedule).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> from npgrad.optim.lr_scheduler import PolynomialLR
    >>> opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = PolynomialLR(opt, total_iters=4, power=1.0)
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(5):
    ...     opt.step()
    ...     sched.step()
    ...     lrs.append(sched.get_last_lr()[0])
    >>> lrs
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        total_iters: int = 5,
        power: float = 1.0,
        last_epoch: int = -1,
    ) -> None:
        if not _check_number("PolynomialLR", "power", power) >= 0:
            raise ValueError(
                f"PolynomialLR: power must be >= 0, got {power!r} (a negative power divides by "
                "zero at total_iters)"
            )
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        self._warn_if_called_directly()
        if self._is_initial or self.last_epoch > self.total_iters:
            return _group_values(self.optimizer, "lr")
        factor = (
            (1.0 - self.last_epoch / self.total_iters)
            / (1.0 - (self.last_epoch - 1) / self.total_iters)
        ) ** self.power
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[Any]:
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * (1.0 - progress) ** self.power for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Anneal each group's lr along a cosine from its initial value to ``eta_min`` over
    ``T_max`` epochs (SGDR without restarts), in PyTorch's recursive form.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    T_max : int
        The number of epochs of a half period.
    eta_min : float, default 0.0
        The minimum learning rate.
    last_epoch : int, default -1
        The index of the last epoch (``-1`` starts the schedule).

    Notes
    -----
    Each step computes the next rate from the current one,

    .. math::

        \eta_{t+1} = \eta_{\min} + (\eta_t - \eta_{\min})
            \frac{1 + \cos(\pi (t + 1) / T_{\max})}{1 + \cos(\pi t / T_{\max})},

    so changes made to the lr by others carry on; alone, it equals the closed form
    :math:`\eta_{\min} + (\eta_0 - \eta_{\min})(1 + \cos(\pi t / T_{\max})) / 2` (to rounding).
    Past ``T_max`` the rate rises again (the cosine continues), as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> from npgrad.optim.lr_scheduler import CosineAnnealingLR
    >>> opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = CosineAnnealingLR(opt, T_max=2)
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(2):
    ...     opt.step()
    ...     sched.step()
    ...     lrs.append(round(sched.get_last_lr()[0], 12))
    >>> lrs
    [1.0, 0.5, 0.0]
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        if not _check_number("CosineAnnealingLR", "T_max", T_max) > 0:
            raise ValueError(
                f"CosineAnnealingLR: T_max (the half period, in epochs) must be > 0, got {T_max!r}"
            )
        _check_number("CosineAnnealingLR", "eta_min", eta_min)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        self._warn_if_called_directly()
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        groups = self.optimizer.param_groups
        if self._is_initial:
            return _group_values(self.optimizer, "lr")
        if self._step_count == 1 and t > 0:
            return [
                eta_min + (base - eta_min) * (1 + math.cos(t * math.pi / T)) / 2
                for base in self.base_lrs
            ]
        if (t - 1 - T) % (2 * T) == 0:
            # at the bottom of the cosine the ratio below is 0 / 0: step up additively
            return [
                group["lr"] + (base - eta_min) * (1 - math.cos(math.pi / T)) / 2
                for base, group in zip(self.base_lrs, groups)
            ]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (group["lr"] - eta_min) + eta_min for group in groups]

    def _get_closed_form_lr(self) -> list[Any]:
        cosine = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base - self.eta_min) * cosine for base in self.base_lrs]
