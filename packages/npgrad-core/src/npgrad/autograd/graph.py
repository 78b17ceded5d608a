"""``npgrad.autograd.graph``: PyTorch's tools for working on the graph itself.

- :class:`Node`, the abstract type of every ``grad_fn`` (``isinstance(y.grad_fn, Node)``);
- :class:`saved_tensors_hooks`: a context in which every tensor an op saves for its backward
  goes through ``pack_hook``, and comes back through ``unpack_hook`` when the backward needs
  it (to offload, compress or recompute saved activations); :class:`save_on_cpu` and
  :class:`disable_saved_tensors_hooks` as in PyTorch;
- :func:`register_multi_grad_hook`: one hook for the gradients of several tensors;
- :func:`increment_version`: tell autograd a tensor was changed in place behind its back;
- :class:`GradientEdge` and :func:`get_gradient_edge`: name where a tensor's gradient enters
  the graph, to ask ``autograd.grad`` for it (even after the tensor has changed).
"""

from __future__ import annotations

import abc
import contextvars
import threading
from collections.abc import Callable, Sequence
from typing import Any

from npgrad.autograd.engine import GradientEdge, get_gradient_edge, queue_callback
from npgrad.autograd.node import BackwardNode, saved_tensors_hooks_stack

__all__ = [
    "GradientEdge",
    "Node",
    "disable_saved_tensors_hooks",
    "get_gradient_edge",
    "increment_version",
    "register_multi_grad_hook",
    "save_on_cpu",
    "saved_tensors_hooks",
]


class Node(abc.ABC):
    """The type of a graph node: ``y.grad_fn`` of any recorded op is an instance.

    A node has ``name()``, ``next_functions`` (one ``(node or leaf tensor, output_nr)`` per
    input of its op, ``(None, 0)`` where no gradient flows), ``metadata`` (a dict for the
    user), ``register_prehook(fn)`` and ``register_hook(fn)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.autograd.graph import Node
    >>> x = npgrad.tensor([1.0], requires_grad=True)
    >>> isinstance((x * 2).grad_fn, Node), (x * 2).grad_fn.name()
    (True, 'MulBackward')
    """

    @abc.abstractmethod
    def name(self) -> str:
        """The node's name, e.g. ``'MulBackward'``."""

    @property
    @abc.abstractmethod
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """Where the node's gradients go: one ``(vertex, output_nr)`` per input."""

    @property
    @abc.abstractmethod
    def metadata(self) -> dict[Any, Any]:
        """A dict the user may keep anything in."""

    @abc.abstractmethod
    def register_hook(self, fn: Callable[..., Any]) -> Any:
        """``fn(grad_inputs, grad_outputs)`` after the node ran (see BackwardNode)."""

    @abc.abstractmethod
    def register_prehook(self, fn: Callable[..., Any]) -> Any:
        """``fn(grad_outputs)`` before the node runs (see BackwardNode)."""


Node.register(BackwardNode)

# the message to raise with while saved_tensors_hooks are disabled (None: allowed)
_disabled: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "npgrad_saved_tensors_hooks_disabled", default=None
)


class saved_tensors_hooks:  # noqa: N801 - PyTorch's name
    """Within this context, every tensor an op saves for its backward is kept as
    ``pack_hook(tensor)``; the backward gets ``unpack_hook(packed)`` back, which must return a
    Tensor of the same values. Contexts nest (the innermost hooks apply); they are per
    thread.

    Tensors saved by an op are its inputs or outputs (constants and arrays an op keeps for
    itself are not passed to the hooks). The version check of in-place changes is skipped
    for packed tensors, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.autograd.graph import saved_tensors_hooks
    >>> packed = []
    >>> x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> with saved_tensors_hooks(lambda t: packed.append(t) or len(packed) - 1,
    ...                          lambda i: packed[i]):
    ...     y = (x * x).sum()
    >>> len(packed), y.backward(), x.grad
    (2, None, tensor([2., 4.]))
    """

    def __init__(self, pack_hook: Callable[[Any], Any], unpack_hook: Callable[[Any], Any]) -> None:
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook
        self._tokens: list[contextvars.Token[Any]] = []

    def __enter__(self) -> saved_tensors_hooks:
        message = _disabled.get()
        if message is not None:
            raise RuntimeError(message)
        stack = saved_tensors_hooks_stack.get()
        self._tokens.append(
            saved_tensors_hooks_stack.set((*stack, (self.pack_hook, self.unpack_hook)))
        )
        return self

    def __exit__(self, *exc: Any) -> None:
        saved_tensors_hooks_stack.reset(self._tokens.pop())


class save_on_cpu(saved_tensors_hooks):  # noqa: N801 - PyTorch's name
    """PyTorch's context that moves saved tensors to CPU memory. npgrad's tensors are always
    there, so the hooks keep each tensor as it is; ``pin_memory`` and ``device_type`` are
    accepted for compatibility.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.autograd.graph import save_on_cpu
    >>> x = npgrad.tensor([3.0], requires_grad=True)
    >>> with save_on_cpu():
    ...     y = x * x
    >>> y.backward(), x.grad
    (None, tensor([6.]))
    """

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        super().__init__(_identity, _identity)


def _identity(t: Any) -> Any:
    return t


class disable_saved_tensors_hooks:  # noqa: N801 - PyTorch's name
    """Within this context, entering :class:`saved_tensors_hooks` raises RuntimeError with
    ``error_message`` (for code whose saved tensors must stay as they are).

    Examples
    --------
    >>> from npgrad.autograd.graph import disable_saved_tensors_hooks, save_on_cpu
    >>> with disable_saved_tensors_hooks("not here"):
    ...     try:
    ...         save_on_cpu().__enter__()
    ...     except RuntimeError as e:
    ...         print(e)
    not here
    """

    def __init__(self, error_message: str) -> None:
        self.error_message = error_message
        self._tokens: list[contextvars.Token[Any]] = []

    def __enter__(self) -> None:
        self._tokens.append(_disabled.set(self.error_message))

    def __exit__(self, *exc: Any) -> None:
        _disabled.reset(self._tokens.pop())


class _MultiHandle:
    def __init__(self, handles: list[Any]) -> None:
        self._handles = handles

    def remove(self) -> None:
        for h in self._handles:
            h.remove()


def register_multi_grad_hook(
    tensors: Sequence[Any], fn: Callable[[Any], Any], *, mode: str = "all"
) -> Any:
    """One hook for the gradients of several tensors.

    ``mode="all"``: after a backward pass computed the gradients of the tensors it reached,
    ``fn(grads)`` is called once with a tuple holding one gradient per tensor (None for
    those the pass did not reach). npgrad calls it when the pass ends; PyTorch as soon as the
    last of those gradients is computed. ``mode="any"``: ``fn(grad)`` is called once per
    pass, with the first of the tensors' gradients computed. Returns a handle whose
    ``remove()`` unregisters the hook.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.autograd.graph import register_multi_grad_hook
    >>> a = npgrad.tensor([1.0], requires_grad=True)
    >>> b = npgrad.tensor([2.0], requires_grad=True)
    >>> h = register_multi_grad_hook((a, b), lambda grads: print(grads))
    >>> (a * 3).sum().backward()
    (tensor([3.]), None)
    """
    if mode not in ("all", "any"):
        raise ValueError(f"register_multi_grad_hook: expects mode 'all' or 'any', got {mode!r}")
    tensors = list(tensors)
    lock = threading.Lock()
    state: dict[str, Any] = {"grads": None, "fired": False}

    def finish() -> None:
        with lock:
            grads, state["grads"] = state["grads"], None
        fn(tuple(grads))

    def reset_any() -> None:
        state["fired"] = False

    def make_hook(i: int) -> Callable[[Any], None]:
        def hook(grad: Any) -> None:
            if mode == "any":
                with lock:
                    if state["fired"]:
                        return
                    state["fired"] = True
                queue_callback(reset_any)
                fn(grad)
                return
            with lock:
                first = state["grads"] is None
                if first:
                    state["grads"] = [None] * len(tensors)
                state["grads"][i] = grad
            if first:
                queue_callback(finish)

        return hook

    return _MultiHandle([t.register_hook(make_hook(i)) for i, t in enumerate(tensors)])


def increment_version(tensor: Any) -> None:
    """Count one more in-place change of ``tensor`` (for code that wrote to its array
    directly): a backward that saved it then raises instead of using the new values.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.autograd.graph import increment_version
    >>> t = npgrad.zeros(2)
    >>> increment_version(t)
    >>> t._version
    1
    """
    tensors = tensor if isinstance(tensor, (list, tuple)) else [tensor]
    for t in tensors:
        t._version += 1
