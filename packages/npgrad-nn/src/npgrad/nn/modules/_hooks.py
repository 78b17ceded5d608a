"""The call path of :class:`~npgrad.nn.Module` with forward hooks (registered with
``Module.register_forward_pre_hook`` / ``register_forward_hook``: ``with_kwargs``,
``always_call``), with PyTorch's semantics, and the handle that removes a hook."""

from __future__ import annotations

import itertools
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from npgrad.nn.modules.module import Module

__all__: list[str] = []


class _RemovableHandle:
    _ids = itertools.count()

    def __init__(self, hooks: dict[int, Any], *extra: dict[int, Any]) -> None:
        self.hooks = hooks
        self.extra = extra  # the hook's entries in the option dicts (with_kwargs, always_call)
        self.id = next(self._ids)

    def remove(self) -> None:
        for d in (self.hooks, *self.extra):
            d.pop(self.id, None)

    def __enter__(self) -> _RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def call_with_hooks(module: Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``module(*args, **kwargs)`` with its forward pre-hooks and hooks, in PyTorch's order
    and semantics."""
    out = None
    called: set[int] = set()  # the always_call hooks that ran
    try:
        for key, hook in list(module._forward_pre_hooks.items()):
            if key in module._forward_pre_hooks_with_kwargs:
                new = hook(module, args, kwargs)
                if new is not None:
                    if not (isinstance(new, tuple) and len(new) == 2):
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of (new_args, "
                            f"new_kwargs), but got {new}."
                        )
                    args, kwargs = new
            else:
                new = hook(module, args)
                if new is not None:
                    args = new if isinstance(new, tuple) else (new,)
        out = module._forward_function()(module, *args, **kwargs)
        for key, hook in list(module._forward_hooks.items()):
            if key in module._forward_hooks_always_called:
                called.add(key)
            if key in module._forward_hooks_with_kwargs:
                new = hook(module, args, kwargs, out)
            else:
                new = hook(module, args, out)
            if new is not None:
                out = new
    except Exception:
        if module._forward_hooks_always_called:
            out = _run_always_called_hooks(module, args, kwargs, out, called)
        raise
    return out


def _run_always_called_hooks(
    module: Module, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any, called: set[int]
) -> Any:
    # as PyTorch: after an exception, the always_call hooks that have not run yet run with
    # the output so far (None when forward raised); their own errors only warn
    for key, hook in list(module._forward_hooks.items()):
        if key not in module._forward_hooks_always_called or key in called:
            continue
        try:
            if key in module._forward_hooks_with_kwargs:
                new = hook(module, args, kwargs, out)
            else:
                new = hook(module, args, out)
            if new is not None:
                out = new
        except Exception as e:
            warnings.warn(
                "module forward hook with ``always_call=True`` raised an exception that was "
                f"silenced as another error was raised in forward: {e}",
                UserWarning,
                stacklevel=3,
            )
    return out
