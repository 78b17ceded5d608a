"""Tensor hooks: ``register_hook`` (see and replace a gradient as the engine computes it),
``register_post_accumulate_grad_hook`` (run after a leaf's ``.grad`` is accumulated) and
``retain_grad`` (keep a non-leaf's gradient, itself a hook). A leaf keeps its hooks in a
:class:`LeafHooks` (the engine reads them when the leaf's gradient arrives); a non-leaf's
live on its ``grad_fn``, per output (:meth:`npgrad.autograd.node.BackwardNode._add_pre_hook`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from npgrad._removable_handle import RemovableHandle

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["HookMethods", "LeafHooks", "TensorHookHandle"]


class HookMethods:
    __slots__ = ()

    def retain_grad(self: Any) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always keep it)."""
        if not self._requires_grad:
            raise RuntimeError(
                "retain_grad: can't retain_grad on Tensor that has requires_grad=False"
            )
        if self.grad_fn is None or self._retains_grad:
            return
        import weakref

        ref = weakref.ref(self)

        def _store(grad: Tensor) -> None:
            t = ref()
            if t is not None:
                g = grad if grad._requires_grad else grad._make(grad._data.copy(), False, None)
                t.grad = g if t._grad is None else t._grad + g

        self.grad_fn._add_pre_hook(self._output_nr, _store, retains=True)
        self._retains_grad = True

    def register_hook(self: Any, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned Tensor
        replaces the gradient. Returns a handle whose ``remove()`` unregisters it."""
        if not self._requires_grad:
            raise RuntimeError(
                "register_hook: cannot register a hook on a tensor that doesn't require gradient"
            )
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = LeafHooks()
            hooks = self._hooks.pre
            hooks.append(hook)
        else:
            self.grad_fn._add_pre_hook(self._output_nr, hook)
            hooks = self.grad_fn._pre_hooks[self._output_nr]
        return TensorHookHandle(hooks, hook)

    def register_post_accumulate_grad_hook(self: Any, hook: Callable[[Tensor], None]) -> Any:
        """Call ``hook(tensor)`` on this leaf after its ``.grad`` has been accumulated (the
        point where optimizers and data-parallel wrappers act). Returns a removable handle."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "register_post_accumulate_grad_hook: post accumulate grad hooks cannot be "
                "registered on non-leaf tensors"
            )
        if not self._requires_grad:
            raise RuntimeError(
                "register_post_accumulate_grad_hook: cannot register a hook on a tensor that "
                "doesn't require gradient"
            )
        if self._hooks is None:
            self._hooks = LeafHooks()
        self._hooks.post.append(hook)
        return TensorHookHandle(self._hooks.post, hook)


class LeafHooks:
    """Hooks of a leaf tensor: ``pre`` see (and may replace) its gradient, ``post`` run after
    the gradient was accumulated into ``.grad``."""

    __slots__ = ("pre", "post")

    def __init__(self) -> None:
        self.pre: list[Callable[[Tensor], Tensor | None]] = []
        self.post: list[Callable[[Tensor], None]] = []


class TensorHookHandle(RemovableHandle):
    """The :class:`~npgrad.utils.hooks.RemovableHandle` of a tensor hook, which lives in a
    list (the engine runs a tensor's hooks in the order they were registered)."""

    def __init__(self, hooks: list[Any], hook: Any) -> None:
        self._hooks, self._hook = hooks, hook
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)
