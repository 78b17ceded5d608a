"""``Module``'s per-module hooks: ``register_forward_pre_hook``, ``register_forward_hook``,
``register_full_backward_pre_hook`` and ``register_full_backward_hook``.

``HookMethods`` is the part of ``Module`` that registers them (a base class of ``Module``, as
``StateMethods`` is for saving and loading); ``_hooks`` runs them around ``forward``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from npgrad.nn.modules._hooks import _RemovableHandle

if TYPE_CHECKING:
    from npgrad.nn.modules.module import Module

__all__: list[str] = []


class HookMethods:
    """``Module``'s hook registration. Each ``register_*`` method keeps the module's
    ``_has_call_hooks`` flag (read by ``Module.__call__``) up to date."""

    _forward_pre_hooks: dict[int, Any]
    _forward_pre_hooks_with_kwargs: dict[int, Any]
    _forward_hooks: dict[int, Any]
    _forward_hooks_with_kwargs: dict[int, Any]
    _forward_hooks_always_called: dict[int, Any]
    _backward_pre_hooks: dict[int, Any]
    _backward_hooks: dict[int, Any]

    if TYPE_CHECKING:

        def _update_call_hooks(self) -> None: ...  # Module's

    def register_forward_pre_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> _RemovableHandle:
        """Run ``hook(module, args)`` before forward; a returned value replaces the args (a
        non-tuple becomes a 1-tuple).

        ``with_kwargs=True``: ``hook(module, args, kwargs)``, returning None or a tuple
        ``(new_args, new_kwargs)``. ``prepend=True`` runs it before the hooks already
        registered. Returns a handle whose ``remove()`` unregisters it.
        """
        handle = _RemovableHandle(
            self._forward_pre_hooks,
            self._forward_pre_hooks_with_kwargs,
            module=cast("Module", self),
        )
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._move_to_front(self._forward_pre_hooks, handle.id)
        self._update_call_hooks()
        return handle

    def register_forward_hook(
        self,
        hook: Callable[..., Any],
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> _RemovableHandle:
        """Run ``hook(module, args, output)`` after forward; a returned value replaces the
        output.

        ``with_kwargs=True``: ``hook(module, args, kwargs, output)``. ``always_call=True``:
        the hook also runs when forward (or an earlier hook) raises, with the output so far
        (None if forward raised); the error is then re-raised. ``prepend=True`` runs it
        before the hooks already registered. Returns a handle whose ``remove()`` unregisters
        it.
        """
        handle = _RemovableHandle(
            self._forward_hooks,
            self._forward_hooks_with_kwargs,
            self._forward_hooks_always_called,
            module=cast("Module", self),
        )
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        if prepend:
            self._move_to_front(self._forward_hooks, handle.id)
        self._update_call_hooks()
        return handle

    def register_full_backward_pre_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> _RemovableHandle:
        """Run ``hook(module, grad_output)`` when the gradients w.r.t. the module's outputs
        are known, before the module's own backward; a returned tuple of the same length
        replaces ``grad_output``. See :meth:`register_full_backward_hook`."""
        return self._register_backward(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> _RemovableHandle:
        """Run ``hook(module, grad_input, grad_output)`` once per backward pass through the
        module, when the gradients w.r.t. all its inputs are known.

        ``grad_input`` / ``grad_output`` have one entry per positional input / output (the
        output a Tensor or a tuple): None for a non-Tensor or an output that got no
        gradient, zeros for an input that got none or does not require grad. They are the
        gradients w.r.t. the module's inputs and outputs, not its parameters. A returned
        tuple of ``len(grad_input)`` entries replaces ``grad_input``. When no input requires
        grad, the hook runs with None for every ``grad_input`` (and warns, as PyTorch).
        The hooks registered when the module is called are those that run for that call.
        ``prepend=True`` runs it before the hooks already registered; the returned handle's
        ``remove()`` unregisters it.

        Examples
        --------
        >>> import npgrad
        >>> from npgrad import nn
        >>> m = nn.Linear(2, 1)
        >>> seen = []
        >>> h = m.register_full_backward_hook(lambda mod, g_in, g_out: seen.append(g_out))
        >>> m(npgrad.ones(1, 2, requires_grad=True)).sum().backward()
        >>> seen
        [(tensor([[1.]]),)]
        >>> h.remove()
        """
        return self._register_backward(self._backward_hooks, hook, prepend)

    def _register_backward(
        self, hooks: dict[int, Any], hook: Callable[..., Any], prepend: bool
    ) -> _RemovableHandle:
        handle = _RemovableHandle(hooks, module=cast("Module", self))
        hooks[handle.id] = hook
        if prepend:
            self._move_to_front(hooks, handle.id)
        self._update_call_hooks()
        return handle

    @staticmethod
    def _move_to_front(hooks: dict[int, Any], key: int) -> None:
        items = [(key, hooks.pop(key))] + list(hooks.items())
        hooks.clear()
        hooks.update(items)
