"""Step hooks of the optimizers: the global ``register_optimizer_step_pre_hook`` /
``register_optimizer_step_post_hook`` (they and ``Optimizer.register_step_*_hook`` return
an :class:`npgrad.utils.hooks.RemovableHandle`), and the wrapper that runs the hooks around every
subclass's ``step``; ``_add_hook`` registers the state-dict hooks. Re-exported by
:mod:`npgrad.optim.optimizer`.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

from npgrad._removable_handle import RemovableHandle
from npgrad.autograd.profiler import record_function

if TYPE_CHECKING:
    from npgrad.optim.optimizer import Optimizer


StepPreHook: TypeAlias = Callable[..., "tuple[tuple[Any, ...], dict[str, Any]] | None"]
StepPostHook: TypeAlias = Callable[..., None]


def _check_hook(owner: str, hook: Any, signature: str = "hook(optimizer, args, kwargs)") -> None:
    if not callable(hook):
        raise TypeError(
            f"{owner}: the hook must be a callable {signature}, got {type(hook).__name__}"
        )


def _add_hook(
    owner: str, hooks: OrderedDict[int, Any], hook: Any, prepend: bool, signature: str
) -> RemovableHandle:
    """Register ``hook`` in ``hooks`` (first when ``prepend``); the handle removes it."""
    _check_hook(owner, hook, signature)
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


_global_step_pre_hooks: dict[int, StepPreHook] = OrderedDict()
_global_step_post_hooks: dict[int, StepPostHook] = OrderedDict()


def register_optimizer_step_pre_hook(hook: StepPreHook) -> RemovableHandle:
    """Register ``hook(optimizer, args, kwargs)`` to run before every optimizer's ``step``.

    The hook may return ``(new_args, new_kwargs)`` to replace the arguments of ``step``.
    """
    _check_hook("register_optimizer_step_pre_hook", hook)
    handle = RemovableHandle(_global_step_pre_hooks)
    _global_step_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook: StepPostHook) -> RemovableHandle:
    """Register ``hook(optimizer, args, kwargs)`` to run after every optimizer's ``step``."""
    _check_hook("register_optimizer_step_post_hook", hook)
    handle = RemovableHandle(_global_step_post_hooks)
    _global_step_post_hooks[handle.id] = hook
    return handle


def _with_step_hooks(step: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a subclass's ``step`` so the registered hooks run around it."""

    @functools.wraps(step)
    def wrapper(self: Optimizer, *args: Any, **kwargs: Any) -> Any:
        if self._in_step:  # a subclass's step calling super().step(): hooks run once
            return step(self, *args, **kwargs)
        self._in_step = True
        try:
            with record_function(f"Optimizer.step#{type(self).__name__}.step"):  # for profilers
                for pre_hook in (*_global_step_pre_hooks.values(), *self._step_pre_hooks.values()):
                    result = pre_hook(self, args, kwargs)
                    if result is not None:
                        if not (isinstance(result, tuple) and len(result) == 2):
                            raise RuntimeError(
                                f"{type(self).__name__}.step: a step pre-hook must return None "
                                f"or a tuple (new_args, new_kwargs), but it returned {result!r}"
                            )
                        args, kwargs = result
                self._opt_called = True  # read by the LR schedulers' order check
                out = step(self, *args, **kwargs)
                for post_hook in (
                    *self._step_post_hooks.values(),
                    *_global_step_post_hooks.values(),
                ):
                    post_hook(self, args, kwargs)
        finally:
            self._in_step = False
        return out

    wrapper._npgrad_step_hooks = True  # type: ignore[attr-defined]
    return wrapper
