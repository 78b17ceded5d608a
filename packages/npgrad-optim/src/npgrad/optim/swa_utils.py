"""Stochastic weight averaging: the SWA learning-rate schedule and the averaging functions.

The averaging functions have ``torch.optim.swa_utils``'s signatures, ``fn(averaged,
current, num_averaged)``, so they plug into ``AveragedModel``. ``AveragedModel`` and
``update_bn`` work on modules and batch norm layers, so they live in npgrad-nn
(``npgrad.nn.utils.swa``): this package never imports ``npgrad.nn`` itself, but
``npgrad.optim.swa_utils.AveragedModel`` and ``.update_bn`` import them from there on first
use, as PyTorch's names (an ImportError says to ``pip install npgrad-nn`` without it).
"""

from __future__ import annotations

import importlib
import importlib.util
import math
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np

from npgrad.ops._shape_util import ShapeError
from npgrad.optim._functional import _lerp_
from npgrad.optim.lr_scheduler.base import (
    LRScheduler,
    _format_param,
    _groups_restored_on_error,
)
from npgrad.optim.optimizer import Optimizer
from npgrad.tensor import Tensor

__all__ = [
    "SWALR",
    "get_ema_avg_fn",
    "get_ema_multi_avg_fn",
    "get_swa_avg_fn",
    "get_swa_multi_avg_fn",
]

AvgFn = Callable[[Tensor, Tensor, Any], Tensor]
MultiAvgFn = Callable[[Sequence[Tensor], Sequence[Tensor], Any], None]

# PyTorch's names that npgrad-nn provides, imported on first use: npgrad-optim does not depend
# on npgrad-nn (DESIGN §2), so importing this module must not import it
_NN_NAMES = ("AveragedModel", "update_bn")
_NN_MODULE = "npgrad.nn.utils.swa"

# listed (as PyTorch's module lists them) only when npgrad-nn is installed, so that
# `from npgrad.optim.swa_utils import *` works without it; find_spec does not import it
if importlib.util.find_spec("npgrad.nn") is not None:
    __all__ += list(_NN_NAMES)


def __getattr__(name: str) -> Any:
    if name not in _NN_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        module = importlib.import_module(_NN_MODULE)
    except ModuleNotFoundError as exc:
        # only npgrad-nn itself missing means "install it"; another missing module is a bug
        if exc.name not in ("npgrad.nn", "npgrad.nn.utils", _NN_MODULE):
            raise
        raise ImportError(
            f"npgrad.optim.swa_utils.{name} works on modules and lives in the separate "
            f"distribution 'npgrad-nn' ({_NN_MODULE}); install it with `pip install npgrad-nn`"
        ) from None
    return getattr(module, name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_NN_NAMES])


def _check_decay(owner: str, decay: float) -> None:
    if isinstance(decay, bool) or not isinstance(decay, (int, float, np.number)):
        raise TypeError(f"{owner}: decay must be a number, got {type(decay).__name__}")
    if not 0.0 <= decay <= 1.0:
        raise ValueError(
            f"{owner}: Invalid decay value {decay} provided. Please provide a value in [0,1] range."
        )


def _check_lists(owner: str, averaged: Sequence[Tensor], current: Sequence[Tensor]) -> None:
    """Validate the two parameter lists completely before any of them is updated."""
    if len(averaged) != len(current):
        raise ShapeError(
            f"{owner}: got {len(averaged)} averaged and {len(current)} current parameters; "
            "they must pair up"
        )
    for i, (a, c) in enumerate(zip(averaged, current)):
        if not isinstance(a, Tensor) or not isinstance(c, Tensor):
            raise TypeError(
                f"{owner}: the parameters must be Tensors, got {type(a).__name__} and "
                f"{type(c).__name__} at position {i}"
            )
        if a.shape != c.shape:
            raise ShapeError(
                f"{owner}: averaged parameter {i} has shape {tuple(a.shape)}, the current one "
                f"{tuple(c.shape)}"
            )


def get_ema_multi_avg_fn(decay: float = 0.999) -> MultiAvgFn:
    """An in-place exponential moving average over lists of parameters.

    Returns ``fn(ema_params, current_params, num_averaged)``, which sets each
    ``ema = decay * ema + (1 - decay) * current`` in place (``num_averaged`` is unused);
    integer tensors take the result truncated, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim.swa_utils import get_ema_multi_avg_fn
    >>> ema, current = [npgrad.tensor([0.0, 1.0])], [npgrad.tensor([1.0, 1.0])]
    >>> get_ema_multi_avg_fn(0.75)(ema, current, None)
    >>> ema
    [tensor([0.2500, 1.0000])]
    """
    _check_decay("get_ema_multi_avg_fn", decay)

    def ema_update(
        ema_param_list: Sequence[Tensor], current_param_list: Sequence[Tensor], _: Any
    ) -> None:
        _check_lists("ema_update", ema_param_list, current_param_list)
        for ema, current in zip(ema_param_list, current_param_list):
            target = current._data.astype(ema._data.dtype, copy=False)
            if ema._data.dtype.kind in "fc":
                _lerp_(ema._data, target, 1 - decay)
            else:
                ema._data[...] = ema._data * decay + current._data * (1 - decay)
            ema._version += 1

    return ema_update


def get_swa_multi_avg_fn() -> MultiAvgFn:
    """An in-place running (equal-weight) average over lists of parameters.

    Returns ``fn(averaged_params, current_params, num_averaged)``, which moves each averaged
    parameter to ``averaged + (current - averaged) / (num_averaged + 1)`` in place. Integer
    tensors raise RuntimeError, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim.swa_utils import get_swa_multi_avg_fn
    >>> avg = [npgrad.tensor([2.0, 4.0])]  # the mean of 3 models so far
    >>> get_swa_multi_avg_fn()(avg, [npgrad.tensor([6.0, 0.0])], 3)
    >>> avg
    [tensor([3., 3.])]
    """

    def swa_update(
        averaged_param_list: Sequence[Tensor],
        current_param_list: Sequence[Tensor],
        num_averaged: Tensor | int,
    ) -> None:
        _check_lists("swa_update", averaged_param_list, current_param_list)
        for averaged in averaged_param_list:
            if averaged._data.dtype.kind not in "fc":
                raise RuntimeError(
                    f"swa_update: can't average a tensor of dtype {averaged._data.dtype} in "
                    "place: the running average of integers is not an integer"
                )
        # PyTorch's expression: an integer tensor count gives a default-dtype (float32) weight
        weight = float(1 / (num_averaged + 1))
        for averaged, current in zip(averaged_param_list, current_param_list):
            _lerp_(averaged._data, current._data.astype(averaged._data.dtype, copy=False), weight)
            averaged._version += 1

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> AvgFn:
    """An exponential moving average of one parameter, as a new tensor.

    Returns ``fn(ema_param, current_param, num_averaged)`` =
    ``decay * ema_param + (1 - decay) * current_param`` (``num_averaged`` is unused).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim.swa_utils import get_ema_avg_fn
    >>> get_ema_avg_fn(0.5)(npgrad.tensor([0.0, 2.0]), npgrad.tensor([1.0, 1.0]), 1)
    tensor([0.5000, 1.5000])
    """
    _check_decay("get_ema_avg_fn", decay)

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> AvgFn:
    """A running (equal-weight) average of one parameter, as a new tensor.

    Returns ``fn(averaged_param, current_param, num_averaged)`` =
    ``averaged_param + (current_param - averaged_param) / (num_averaged + 1)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim.swa_utils import get_swa_avg_fn
    >>> get_swa_avg_fn()(npgrad.tensor([1.0, 2.0]), npgrad.tensor([3.0, 3.0]), 1)
    tensor([2.0000, 2.5000])
    """

    def swa_update(
        averaged_param: Tensor, current_param: Tensor, num_averaged: Tensor | int
    ) -> Tensor:
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class SWALR(LRScheduler):
    r"""Anneal each group's learning rate to a fixed SWA value, then hold it, as
    ``torch.optim.swa_utils.SWALR``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    swa_lr : float or list of float
        The learning rate to anneal to: one for all groups or one per group.
    anneal_epochs : int, default 10
        The number of epochs of the annealing (0: switch at the first step).
    anneal_strategy : {'cos', 'linear'}, default 'cos'
        The shape of the annealing.
    last_epoch : int, default -1
        The index of the last epoch (``-1`` starts the schedule).

    Notes
    -----
    Each step moves the rate from its current value towards ``swa_lr`` as PyTorch does: with
    :math:`a(\tau)` the annealing function (:math:`(1 - \cos \pi\tau) / 2` or :math:`\tau`)
    and :math:`s` the number of steps taken, the rate the previous step started from is
    recovered with :math:`a((s - 1) / E)` and the new one is
    :math:`\eta_{swa}\,a(s / E) + \eta_{prev} (1 - a(s / E))` (fractions clamped to [0, 1]).
    Each group gets a ``"swa_lr"`` entry.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> from npgrad.optim.swa_utils import SWALR
    >>> opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = SWALR(opt, swa_lr=0.1, anneal_epochs=3, anneal_strategy="linear")
    >>> lrs = []
    >>> for _ in range(4):
    ...     opt.step()
    ...     sched.step()
    ...     lrs.append(round(sched.get_last_lr()[0], 6))
    >>> lrs
    [0.7, 0.4, 0.1, 0.1]
    """

    @_groups_restored_on_error
    def __init__(
        self,
        optimizer: Optimizer,
        swa_lr: float | list[float],
        anneal_epochs: int = 10,
        anneal_strategy: Literal["cos", "linear"] = "cos",
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"SWALR: {type(optimizer).__name__} is not an Optimizer")
        swa_lrs = _format_param("SWALR", "swa_lr", optimizer, swa_lr)
        for value in swa_lrs:
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number, Tensor)):
                raise TypeError(f"SWALR: swa_lr must be a number, got {type(value).__name__}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                "SWALR: anneal_strategy must be one of 'cos' or 'linear', instead got "
                f"{anneal_strategy!r}"
            )
        if (
            isinstance(anneal_epochs, bool)
            or not isinstance(anneal_epochs, int)
            or anneal_epochs < 0
        ):
            raise ValueError(
                f"SWALR: anneal_epochs must be equal or greater than 0, got {anneal_epochs!r}"
            )
        for value, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = value
        # PyTorch's attribute name, so that state dicts carry the strategy across frameworks
        self._anneal_strategy = anneal_strategy
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @property
    def anneal_strategy(self) -> str:
        """The annealing strategy, ``'cos'`` or ``'linear'`` (saved as ``_anneal_strategy``)."""
        return self._anneal_strategy

    def anneal_func(self, fraction: float) -> float:
        """The annealing weight of the strategy at ``fraction`` (in [0, 1]) of the annealing."""
        if self._anneal_strategy == "cos":
            return (1 - math.cos(math.pi * fraction)) / 2
        return fraction

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state returned by :meth:`state_dict` (also PyTorch's ``SWALR``'s)."""
        self._check_state_dict(state_dict)
        state = dict(state_dict)
        if "anneal_strategy" in state:  # saved by npgrad before it used PyTorch's key
            state.setdefault("_anneal_strategy", state.pop("anneal_strategy"))
        strategy = state.get("_anneal_strategy", self._anneal_strategy)
        if strategy not in ("cos", "linear"):
            raise ValueError(
                "SWALR.load_state_dict: anneal_strategy must be one of 'cos' or 'linear', "
                f"instead got {strategy!r}"
            )
        state.pop("anneal_func", None)  # a method here, never state
        self.__dict__.update(state)

    def get_lr(self) -> list[Any]:
        """The learning rates of the next step (use :meth:`get_last_lr` to read them)."""
        self._warn_if_called_directly()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        width = max(1, self.anneal_epochs)
        prev_alpha = self.anneal_func(max(0.0, min(1.0, (step - 1) / width)))
        alpha = self.anneal_func(max(0.0, min(1.0, step / width)))
        lrs = []
        for group in self.optimizer.param_groups:
            lr, swa_lr = float(group["lr"]), float(group["swa_lr"])
            # the rate before the previous annealing step, from the current one
            start = swa_lr if prev_alpha == 1 else (lr - prev_alpha * swa_lr) / (1 - prev_alpha)
            lrs.append(swa_lr * alpha + start * (1 - alpha))
        return lrs
