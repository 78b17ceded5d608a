"""``npgrad.autograd.graph``: PyTorch's tools for working on the graph itself.

- :class:`Node`, the abstract type of every ``grad_fn`` (``isinstance(y.grad_fn, Node)``);
- :class:`saved_tensors_hooks`: a context in which every tensor an op saves for its backward
  goes through ``pack_hook``, and comes back through ``unpack_hook`` when the backward needs
  it (to offload, compress or recompute saved activations); :class:`save_on_cpu` and
  :class:`disable_saved_tensors_hooks` as in PyTorch;
- :func:`allow_mutation_on_saved_tensors`: a context in which writing in place to a tensor
  saved for backward keeps a copy of its old values for the backward, instead of an error;
- :func:`register_multi_grad_hook`: one hook for the gradients of several tensors;
- :func:`increment_version`: tell autograd a tensor was changed in place behind its back;
- :class:`GradientEdge` and :func:`get_gradient_edge`: name where a tensor's gradient enters
  the graph, to ask ``autograd.grad`` for it (even after the tensor has changed).
"""

from __future__ import annotations

import abc
import contextlib
import contextvars
import itertools
import threading
from collections.abc import Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any

from npgrad.autograd._walk import GradientEdge, get_gradient_edge, queue_callback
from npgrad.autograd.node import BackwardNode, saved_tensors_hooks_stack

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = [
    "GradientEdge",
    "Node",
    "allow_mutation_on_saved_tensors",
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


# ---- allow_mutation_on_saved_tensors ---------------------------------------------------------
class _AllowMutationOnSavedContext:
    """The state of one :func:`allow_mutation_on_saved_tensors` block (PyTorch's class of the
    same name): the tensors saved for backward inside it, by the memory they live in, and the
    copies made of those written to in place since. Cleared when the block exits."""

    def __init__(self) -> None:
        self.open = True
        self._ids = itertools.count()
        # handle -> (the saved Tensor, its version when saved), while its memory is unwritten
        self.original: dict[int, tuple[Tensor, int]] = {}
        # handle -> the copy of the saved Tensor's values made before its memory was written
        self.cloned: dict[int, Tensor] = {}
        # id(version counter) -> the handles saved from that memory, and the counter itself
        # (kept alive so its id is not reused): views and detach() aliases share a counter
        self.by_memory: dict[int, tuple[list[int], list[int]]] = {}

    def pack(self, t: Tensor) -> int:
        from npgrad.autograd._views import shared_counter

        vc = shared_counter(t)
        handle = next(self._ids)
        self.original[handle] = (t, vc[0])
        self.by_memory.setdefault(id(vc), ([], vc))[0].append(handle)
        return handle

    def unpack(self, handle: int) -> Tensor:
        if not self.open:
            raise AssertionError(
                "Trying to backward outside of the 'allow_mutation_on_saved_tensors' context in "
                "which the graph was originally recorded (run the forward and the backward "
                "inside the same block)"
            )
        clone = self.cloned.get(handle)
        if clone is not None:
            return clone
        t, version = self.original[handle]
        if t._version != version:  # written without an in-place op (see the docstring)
            raise RuntimeError(
                "allow_mutation_on_saved_tensors: one of the variables needed for gradient "
                f"computation has been modified without an in-place op: {t.shape} tensor is at "
                f"version {t._version}; expected version {version} instead."
            )
        return t

    def before_write(self, t: Tensor) -> None:
        """``t``'s memory is about to be written: copy the tensors saved from it."""
        from npgrad.tensor import Tensor

        vc = t._vc
        if vc is None:
            return
        saved = self.by_memory.pop(id(vc), None)
        if saved is None:
            return
        for handle in saved[0]:
            original, _ = self.original.pop(handle)
            # a copy outside the graph, as PyTorch's (second order through it is lost)
            self.cloned[handle] = Tensor._make(original._data.copy(), False, None)

    def clear(self) -> None:
        self.open = False
        self.original.clear()
        self.cloned.clear()
        self.by_memory.clear()


# the block of the current thread (or task), if any
_mutation_context: contextvars.ContextVar[_AllowMutationOnSavedContext | None] = (
    contextvars.ContextVar("npgrad_allow_mutation_on_saved", default=None)
)
# blocks open in every thread; while there is one, in-place ops go through _check_inplace_saving
_mutation_blocks = 0
_mutation_blocks_lock = threading.Lock()


def _check_inplace_saving(self: Tensor, op: str, write: object = True) -> None:
    _check_inplace_plain(self, op, write)
    ctx = _mutation_context.get()
    if ctx is not None:
        ctx.before_write(self)


def _count_mutation_block(delta: int) -> None:
    """Switch ``Tensor._check_inplace`` (every in-place op calls it before writing) to the
    version that copies saved tensors while a block is open in some thread, and back to the
    plain one after: outside these blocks in-place ops pay nothing for them."""
    global _mutation_blocks, _check_inplace_plain
    from npgrad.tensor import Tensor

    with _mutation_blocks_lock:
        if _mutation_blocks == 0:
            _check_inplace_plain = Tensor._check_inplace
        _mutation_blocks += delta
        if _mutation_blocks == 0:
            Tensor._check_inplace = _check_inplace_plain  # type: ignore[method-assign]
        else:
            Tensor._check_inplace = _check_inplace_saving  # type: ignore[method-assign]


_check_inplace_plain: Any = None


@contextlib.contextmanager
def allow_mutation_on_saved_tensors() -> Generator[_AllowMutationOnSavedContext, None, None]:
    """A context in which tensors saved for backward may be written in place: the first
    in-place op on a saved tensor (or on a view or alias sharing its memory) copies its
    values first, and the backward uses the copy, as PyTorch's does. Run the forward and
    the backward inside the same block: a backward that needs a saved tensor after the block
    exited raises AssertionError (the block's state is cleared on exit). Blocks don't nest
    (RuntimeError); they are per thread.

    Writes that bypass npgrad's in-place ops (an optimizer writing ``Tensor._data``, a
    custom Function's ``mark_dirty``) are not seen in time: the backward then raises the
    usual in-place error instead of using a copy. Yields the block's state
    (``_AllowMutationOnSavedContext``).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.autograd.graph import allow_mutation_on_saved_tensors
    >>> a = npgrad.tensor([0.0, 1.0], requires_grad=True)
    >>> with allow_mutation_on_saved_tensors():
    ...     b = a.clone()
    ...     out = (b ** 2).sum()   # saves b
    ...     _ = b.mul_(10)         # fine here: the backward gets b's old values
    ...     out.backward()
    >>> a.grad
    tensor([0., 2.])
    """
    if _mutation_context.get() is not None:
        raise RuntimeError("allow_mutation_on_saved_tensors contexts cannot be nested")
    ctx = _AllowMutationOnSavedContext()
    with saved_tensors_hooks(ctx.pack, ctx.unpack):
        token = _mutation_context.set(ctx)
        _count_mutation_block(1)
        try:
            yield ctx
        finally:
            _count_mutation_block(-1)
            _mutation_context.reset(token)
            ctx.clear()
