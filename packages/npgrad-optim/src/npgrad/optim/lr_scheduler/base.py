"""``LRScheduler``: the base class of the learning-rate schedulers (PyTorch's semantics).

A scheduler owns an optimizer and rewrites each of its groups' ``"lr"``. The constructor
records ``initial_lr`` in every group (unless resuming) and performs the first step, so
``get_last_lr()`` is valid at once. Each later ``step()`` advances ``last_epoch`` and computes
the new rates, usually from the current ones (PyTorch's "chainable" form, which lets several
schedulers act on one optimizer); ``step(epoch)`` uses a closed form where one exists.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Concatenate, ParamSpec, TypeVar

from npgrad.optim.optimizer import Optimizer
from npgrad.tensor import Tensor

__all__ = ["LRScheduler"]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` is deprecated (as in PyTorch): call "
    "`scheduler.step()` without it. With an epoch, the closed form is used where available."
)


def _copy_value(value: Any) -> Any:
    return Tensor._make(value._data.copy(), False, None) if isinstance(value, Tensor) else value


def _format_param(owner: str, name: str, optimizer: Optimizer, param: Any) -> list[Any]:
    """One value per param group: ``param`` repeated, or a list checked for its length."""
    if isinstance(param, (list, tuple)):
        if len(param) != len(optimizer.param_groups):
            raise ValueError(
                f"{owner}: {name} must have one value per param group: got {len(param)} values for "
                f"{len(optimizer.param_groups)} param groups"
            )
        return [_copy_value(p) for p in param]
    return [_copy_value(param) for _ in optimizer.param_groups]


def _group_values(optimizer: Optimizer, key: str) -> list[Any]:
    """``group[key]`` of every group (Tensors copied, so they never alias the optimizer's)."""
    return [_copy_value(group[key]) for group in optimizer.param_groups]


def _set_group_value(group: dict[str, Any], key: str, value: Any) -> None:
    """Set ``group[key]``; a Tensor value in the group is filled in place instead."""
    if isinstance(group[key], Tensor):
        group[key].fill_(float(value))
    else:
        group[key] = value


_P = ParamSpec("_P")
_S = TypeVar("_S")


def _groups_restored_on_error(
    init: Callable[Concatenate[_S, Optimizer, _P], None],
) -> Callable[Concatenate[_S, Optimizer, _P], None]:
    """Wrap a scheduler's ``__init__`` so that the optimizer's groups are put back as they
    were (keys added, values replaced, Tensor values filled in place) if it raises."""

    @functools.wraps(init)
    def wrapper(self: _S, optimizer: Optimizer, *args: _P.args, **kwargs: _P.kwargs) -> None:
        groups = getattr(optimizer, "param_groups", None)
        if not isinstance(optimizer, Optimizer) or not isinstance(groups, list):
            return init(self, optimizer, *args, **kwargs)  # the constructor raises itself
        saved = [
            {k: (v, _copy_value(v)) for k, v in group.items() if k != "params"} for group in groups
        ]
        try:
            init(self, optimizer, *args, **kwargs)
        except BaseException:
            for group, entries in zip(groups, saved):
                for key in [k for k in group if k != "params" and k not in entries]:
                    del group[key]
                for key, (value, copied) in entries.items():
                    if isinstance(value, Tensor):
                        value._data[...] = copied._data
                    group[key] = value
            raise

    return wrapper


def _with_wrapped(scheduler: Any) -> Iterator[Any]:
    """``scheduler`` and, recursively, the schedulers it wraps (SequentialLR & co.)."""
    yield scheduler
    for inner in getattr(scheduler, "_schedulers", ()):
        yield from _with_wrapped(inner)


@contextlib.contextmanager
def _all_or_nothing(scheduler: Any) -> Iterator[None]:
    """Put ``scheduler`` (and the schedulers it wraps) back as they were if the block raises."""
    saved = [(s, dict(s.__dict__)) for s in _with_wrapped(scheduler)]
    try:
        yield
    except BaseException:
        for s, attributes in saved:
            s.__dict__.clear()
            s.__dict__.update(attributes)
        raise


class _Flag:
    """Set a boolean attribute of a scheduler for the duration of a ``with`` block."""

    def __init__(self, scheduler: LRScheduler, name: str) -> None:
        self.scheduler, self.name = scheduler, name

    def __enter__(self) -> None:
        setattr(self.scheduler, self.name, True)

    def __exit__(self, *exc: object) -> None:
        setattr(self.scheduler, self.name, False)


class LRScheduler:
    """Base class of the learning-rate schedulers (``torch.optim.lr_scheduler.LRScheduler``).

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer whose groups' ``"lr"`` the scheduler sets.
    last_epoch : int, default -1
        The index of the last epoch; ``-1`` starts a new schedule. Any other value resumes one
        and needs ``"initial_lr"`` in every group (as a loaded optimizer state has).

    Notes
    -----
    A subclass implements ``get_lr()`` (the next rates, from ``last_epoch`` and the current
    ``group["lr"]``) and, optionally, ``_get_closed_form_lr()``. Call ``scheduler.step()``
    after ``optimizer.step()``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> from npgrad.optim.lr_scheduler import LRScheduler
    >>> class Halve(LRScheduler):
    ...     def get_lr(self):
    ...         if self._is_initial:
    ...             return [group["lr"] for group in self.optimizer.param_groups]
    ...         return [group["lr"] / 2 for group in self.optimizer.param_groups]
    >>> opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = Halve(opt)
    >>> for _ in range(3):
    ...     opt.step()
    ...     sched.step()
    >>> sched.get_last_lr(), sched.last_epoch
    ([0.125], 3)
    """

    _get_lr_called_within_step: bool = False
    _is_initial: bool = False

    @_groups_restored_on_error
    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: {type(optimizer).__name__} is not an Optimizer"
            )
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", _copy_value(group["lr"]))
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{type(self).__name__}: param 'initial_lr' is not specified in "
                        f"param_groups[{i}] when "
                        f"resuming a scheduler with last_epoch={last_epoch}: load the "
                        "optimizer's state dict first, or start with last_epoch=-1"
                    )
        self.base_lrs: list[Any] = _group_values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """Reset the step count and perform the constructor's step."""
        self._step_count = 0
        with _Flag(self, "_is_initial"):
            self.step()

    def get_lr(self) -> list[Any]:
        """The learning rates of the next step (called by :meth:`step`; to read the current
        rates use :meth:`get_last_lr`)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_lr()")

    def get_last_lr(self) -> list[Any]:
        """The learning rates the last :meth:`step` set, one per param group."""
        return self._last_lr

    def step(self, epoch: int | None = None) -> None:
        """Advance the schedule by one step (call it after ``optimizer.step()``).

        Parameters
        ----------
        epoch : int, optional
            Deprecated (as in PyTorch): jump to this epoch, using the closed form when the
            scheduler has one.
        """
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`: call them "
                "in the opposite order, or the first value of the schedule is skipped "
                "(PyTorch's rule since 1.1)",
                UserWarning,
                stacklevel=2,
            )
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        with _Flag(self, "_get_lr_called_within_step"):
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed_form = getattr(self, "_get_closed_form_lr", None)
                values = closed_form() if closed_form is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            _set_group_value(group, "lr", lr)
        self._last_lr: list[Any] = _group_values(self.optimizer, "lr")

    def _warn_if_called_directly(self) -> None:
        if not self._get_lr_called_within_step:
            warnings.warn(
                "To get the last learning rate computed by the scheduler, use `get_last_lr()`",
                UserWarning,
                stacklevel=3,
            )

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state: every attribute except the optimizer."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state returned by :meth:`state_dict`."""
        self._check_state_dict(state_dict)
        self.__dict__.update(state_dict)

    def _check_state_dict(self, state_dict: Any) -> None:
        """Raise, before anything changes, for a state dict that can't be this scheduler's."""
        owner = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{owner}: expected a dict, got {type(state_dict).__name__}")
        if "optimizer" in state_dict:
            raise ValueError(
                f"{owner}: the state has an 'optimizer' entry, which would replace the "
                "scheduler's optimizer; pass the scheduler's own state_dict(), not a checkpoint "
                "that holds several"
            )
        if "param_groups" in state_dict:
            raise ValueError(
                f"{owner}: the state has a 'param_groups' entry: it is an optimizer's state "
                "dict; pass the scheduler's own state_dict()"
            )
        # fewer values than groups is legitimate (a group added after the scheduler was made)
        groups = len(self.optimizer.param_groups)
        for key in ("base_lrs", "_last_lr", "min_lrs"):
            value = state_dict.get(key)
            if isinstance(value, (list, tuple)) and len(value) > groups:
                raise ValueError(
                    f"{owner}: the state's {key} has {len(value)} values (one per param group), "
                    f"but the optimizer has only {groups} param group(s)"
                )


def _lambdas(owner: str, optimizer: Optimizer, lr_lambda: Any) -> list[Any]:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{owner}: {type(optimizer).__name__} is not an Optimizer")
    if isinstance(lr_lambda, (list, tuple)):
        if len(lr_lambda) != len(optimizer.param_groups):
            raise ValueError(
                f"{owner}: Expected {len(optimizer.param_groups)} lr_lambdas (one per param "
                f"group), but got {len(lr_lambda)}"
            )
        lambdas = list(lr_lambda)
    else:
        lambdas = [lr_lambda] * len(optimizer.param_groups)
    for fn in lambdas:
        if not callable(fn):
            raise TypeError(f"{owner}: lr_lambda should be a function, but got {type(fn).__name__}")
    return lambdas


def _state_without_functions(
    scheduler: LRScheduler, functions: Sequence[Any], key: str
) -> dict[str, Any]:
    """``state_dict`` that stores callable objects' ``__dict__`` and plain functions as None."""
    import types

    state = {k: v for k, v in scheduler.__dict__.items() if k not in ("optimizer", key)}
    state[key] = [
        None if isinstance(fn, types.FunctionType) else fn.__dict__.copy() for fn in functions
    ]
    return state
