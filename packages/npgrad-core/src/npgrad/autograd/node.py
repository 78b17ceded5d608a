"""The graph node: what ``Function.apply`` records for an op, and the ``ctx`` its forward sees.

``BackwardNode`` (one generated subclass per Function, ``MulBackward`` for ``Mul``) keeps what
the backward needs -- the saved values, the edges to the inputs' nodes (``next_functions``),
the outputs' shapes -- and runs the Function's ``backward`` for the engine (``_call``, or
``_call_arrays`` on plain NumPy arrays in first-order passes), with the hooks registered on it.
``FunctionCtx`` is the ``ctx`` of a forward that records nothing.

How a node is made and wired is in ``autograd/function.py``; how the engine runs them, in
``autograd/_walk.py``.
"""

from __future__ import annotations

import contextlib
import contextvars
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from npgrad.autograd.grad_mode import INFERENCE_VERSION

if TYPE_CHECKING:
    from npgrad.autograd.function import Function
    from npgrad.tensor import Tensor
else:
    Tensor = None  # bound by npgrad.tensor once the class exists (the modules import each other)

__all__ = ["BackwardNode", "FunctionCtx", "JvpBackwardNode"]

_NUMPY1 = np.lib.NumpyVersion(np.__version__) < "2.0.0"


def checked_hook_result(hook: Any, grad: Tensor, new: Any) -> Tensor:
    """The gradient a tensor hook returned in place of ``grad``: a Tensor of its shape and
    dtype, else the errors PyTorch raises (TypeError, RuntimeError)."""
    name = getattr(hook, "__name__", type(hook).__name__)
    if not isinstance(new, Tensor):
        raise TypeError(
            f"register_hook: expected a Tensor or None, but hook '{name}' returned "
            f"'{type(new).__name__}'"
        )
    if new._data.shape != grad._data.shape:
        raise RuntimeError(
            f"register_hook: hook '{name}' has changed the size of value: it was given a "
            f"gradient of shape {grad.shape} and returned one of shape {new.shape}"
        )
    if new._data.dtype != grad._data.dtype:
        raise RuntimeError(
            f"register_hook: hook '{name}' has changed the type of value (was {grad.dtype} "
            f"got {new.dtype})"
        )
    return new


# saved-value kinds (see FunctionCtx._resolve_saved)
_INPUT, _OUTPUT, _CONST, _PACKED = 0, 1, 2, 3

# the (pack, unpack) pairs of the enclosing ``autograd.graph.saved_tensors_hooks`` contexts,
# innermost last; per thread and task, like grad mode
saved_tensors_hooks_stack: contextvars.ContextVar[tuple[tuple[Any, Any], ...]] = (
    contextvars.ContextVar("npgrad_saved_tensors_hooks", default=())
)


class FunctionCtx:
    """What ``forward`` gets as ``ctx`` when no graph is recorded: saving is a no-op."""

    needs_input_grad: tuple[bool, ...] = ()
    _dirty: tuple[Any, ...] = ()

    def mark_dirty(self, *arrays: Any) -> None:
        """Declare input arrays that forward modified in place (and returns as outputs): the
        input Tensors themselves become the outputs, with their version counters bumped."""
        self._dirty = arrays

    def save_for_backward(self, *values: Any) -> None:
        pass

    def save_for_forward(self, *values: Any) -> None:
        pass

    def mark_non_differentiable(self, *arrays: Any) -> None:
        pass

    def set_materialize_grads(self, value: bool) -> None:
        pass


class BackwardNode(FunctionCtx):
    """A recorded op: the ``grad_fn`` of its outputs and the ``ctx`` of its Function.

    ``next_functions`` holds, per forward argument, ``(node, output_nr)`` where ``node`` is the
    producer's BackwardNode, the leaf Tensor itself (gradients accumulate into its ``.grad``)
    or None (no gradient needed).
    """

    _function: type[Function]  # set on each generated subclass
    next_functions: tuple[tuple[Any, int], ...]
    needs_input_grad: tuple[bool, ...]

    # Defaults live on the class: a node is created per recorded op, so it gets only the
    # attributes its op sets (``Function.apply`` makes it without calling __init__).
    _to_save: tuple[Any, ...] = ()
    _saved: list[tuple[int, Any, Any]] | None = []
    _non_differentiable: tuple[Any, ...] = ()
    _materialize_grads = True
    _output_meta: tuple[tuple[tuple[int, ...], np.dtype], ...] = ()
    _pre_hooks: dict[int, list[Callable[[Tensor], Tensor | None]]] | None = None
    _retain_hooks: dict[int, Callable[[Tensor], Any]] | None = None
    _node_hooks: tuple[list[Callable[..., Any]], list[Callable[..., Any]]] | None = None
    _hooked = False  # any hook above: the engine then runs the node the long way (_run_node)
    _is_leaf_vertex = False  # the engine's test for "node, not leaf Tensor"
    _raw = False  # True while an _array_backward runs on arrays (see _call_arrays)
    _creation_trace: str | None = None  # the forward's stack, kept in anomaly mode
    _seq: int  # the node's place in the order of recording (see _sequence_nr)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def name(self) -> str:
        return type(self).__name__

    def _sequence_nr(self) -> int:
        """The number this node got when it was recorded, as PyTorch's ``Node._sequence_nr()``:
        a node's inputs always have smaller numbers, and backward runs nodes in decreasing
        order."""
        return self._seq

    _metadata: dict[Any, Any] | None = None

    @property
    def metadata(self) -> dict[Any, Any]:
        """A dict the user may keep anything in (PyTorch's ``Node.metadata``)."""
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    # ---- the ctx API used inside forward -------------------------------------------------
    def save_for_backward(self, *values: Any) -> None:
        """Keep inputs, outputs or other arrays for backward (read them as ``saved_tensors``)."""
        self._to_save = values

    def save_for_forward(self, *values: Any) -> None:
        """Keep values for the Function's ``jvp`` (read there as ``saved_tensors``), as in
        PyTorch. Kept only by a Function that defines ``jvp`` (see ``JvpBackwardNode``)."""

    def mark_non_differentiable(self, *arrays: Any) -> None:
        """Outputs listed here never require grad (indices, masks)."""
        self._non_differentiable = arrays

    def set_materialize_grads(self, value: bool) -> None:
        """When False, backward gets None (not zeros) for outputs that received no gradient."""
        self._materialize_grads = bool(value)

    # ---- saved values --------------------------------------------------------------------
    def _resolve_saved(
        self, inputs: tuple[Any, ...], arrays: list[Any], outs: tuple[Tensor, ...]
    ) -> None:
        # Map each saved array back to the Tensor it came from, so that backward computes
        # with the input Tensors themselves (their grad_fn intact: second order stays right).
        # An output is kept as its array plus a weak reference: re-wrapping the array at
        # unpack time with this node as grad_fn avoids a node -> output -> node cycle.
        saved: list[tuple[int, Any, Any]] = []
        hooks = saved_tensors_hooks_stack.get()
        for v in self._to_save:
            entry: tuple[int, Any, Any] = (_CONST, v, None)
            if isinstance(v, np.ndarray):
                for i, a in enumerate(arrays):
                    if v is a:
                        t = inputs[i]
                        vc = t._vc  # (t._version, read without the property's call)
                        if vc is INFERENCE_VERSION:
                            raise RuntimeError(
                                f"{self.name()}: inference tensors (made in inference_mode) "
                                "cannot be saved for backward. Use them only outside "
                                "computation tracked by autograd, or clone() one to get a "
                                "normal tensor, or use no_grad() instead of inference_mode()"
                            )
                        entry = (_INPUT, t, 0 if vc is None else vc[0])
                        break
                else:
                    for k, o in enumerate(outs):
                        if v is o._data:
                            entry = (_OUTPUT, k, (v, weakref.ref(o)))
                            break
                if hooks and entry[0] != _CONST:
                    # saved_tensors_hooks: keep what pack makes of the Tensor instead
                    pack, unpack = hooks[-1]
                    t = entry[1] if entry[0] == _INPUT else outs[entry[1]]
                    entry = (_PACKED, pack(t), unpack)
            saved.append(entry)
        self._to_save = ()
        self._saved = saved

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The values given to ``save_for_backward``, as Tensors (non-arrays as they were);
        as plain arrays while the engine runs an ``_array_backward`` on arrays."""

        if self._saved is None:
            raise RuntimeError(
                f"{self.name()}: Trying to backward through the graph a second time (or directly "
                "access saved tensors after they have already been freed). Saved intermediate "
                "values of the graph are freed when you call .backward() or autograd.grad(). "
                "Specify retain_graph=True if you need to backward through the graph a second time."
            )
        raw = self._raw
        out: list[Any] = []
        for kind, obj, version in self._saved:
            if kind == _INPUT:
                if obj._version != version:
                    raise RuntimeError(
                        f"{self.name()}: one of the variables needed for gradient computation has "
                        f"been modified by an inplace operation: {obj.shape} tensor is at version "
                        f"{obj._version}; expected version {version} instead."
                    )
                out.append(obj._data if raw else obj)
            elif kind == _OUTPUT:
                data, ref = version
                alive = ref()
                if alive is not None and alive._version != 0:
                    raise RuntimeError(
                        f"{self.name()}: an output needed for gradient computation has been "
                        f"modified by an inplace operation: it is at version {alive._version}; "
                        "expected version 0 instead."
                    )
                out.append(data if raw else Tensor._make(data, True, self, obj))
            elif kind == _PACKED:
                t = version(obj)  # the unpack hook
                if not isinstance(t, Tensor):
                    raise TypeError(
                        f"{self.name()}: the unpack hook of saved_tensors_hooks must return a "
                        f"Tensor, got {type(t).__name__}"
                    )
                out.append(t._data if raw else t)
            elif isinstance(obj, np.ndarray) and not raw:
                out.append(Tensor._make(obj, False, None))
            else:
                out.append(obj)
        return tuple(out)

    def _release(self) -> None:
        self._saved = None

    # ---- hooks on non-leaf tensors (see Tensor.register_hook) ------------------------------
    def _add_pre_hook(
        self, output_nr: int, hook: Callable[[Tensor], Tensor | None], retains: bool = False
    ) -> None:
        self._hooked = True
        if self._pre_hooks is None:
            self._pre_hooks = {}
        hooks = self._pre_hooks.setdefault(output_nr, [])
        if retains:  # retain_grad's hook runs after the user's hooks, as in PyTorch
            if self._retain_hooks is None:
                self._retain_hooks = {}
            self._retain_hooks[output_nr] = hook
        else:
            hooks.append(hook)

    def _run_pre_hooks(self, grads: list[Any]) -> None:
        """Before backward, in PyTorch's order: the tensors' hooks, ``retain_grad``'s, then the
        node's pre-hooks. ``grads`` (Tensors, one per output) is updated in place."""
        if self._pre_hooks:
            for k, hooks in self._pre_hooks.items():
                for hook in hooks:
                    if grads[k] is not None:
                        new = hook(grads[k])
                        if new is not None:
                            grads[k] = checked_hook_result(hook, grads[k], new)
        if self._retain_hooks:
            for k, store in self._retain_hooks.items():
                if grads[k] is not None:
                    store(grads[k])
        if self._node_hooks is not None:
            for hook in self._node_hooks[0]:
                new = hook(tuple(grads))
                if new is not None:
                    grads[:] = self._hook_result(hook, new, len(grads))

    def _run_post_hooks(self, grad_inputs: tuple[Any, ...], grads: list[Any]) -> tuple[Any, ...]:
        """After backward: ``hook(grad_inputs, grad_outputs)`` may replace ``grad_inputs``."""
        for hook in self._node_hooks[1]:  # type: ignore[index]
            new = hook(grad_inputs, tuple(grads))
            if new is not None:
                grad_inputs = self._hook_result(hook, new, len(grad_inputs))
        return grad_inputs

    def _hook_result(self, hook: Any, new: Any, n: int) -> tuple[Any, ...]:
        new = tuple(new) if isinstance(new, (tuple, list)) else (new,)
        if len(new) != n:
            raise RuntimeError(
                f"hook '{getattr(hook, '__name__', hook)}' of {self.name()} has returned an "
                f"incorrect number of values (got {len(new)}, but expected {n})"
            )
        return new

    # ---- hooks on the node itself (PyTorch's Node.register_prehook / register_hook) --------
    def register_prehook(self, fn: Callable[[tuple[Any, ...]], Any]) -> Any:
        """Call ``fn(grad_outputs)`` each time this node is about to run its backward; a
        returned tuple (one gradient per output of the forward) replaces ``grad_outputs``.
        Returns a handle whose ``remove()`` unregisters it."""
        return self._add_node_hook(0, fn)

    def register_hook(self, fn: Callable[[tuple[Any, ...], tuple[Any, ...]], Any]) -> Any:
        """Call ``fn(grad_inputs, grad_outputs)`` each time this node has run its backward;
        a returned tuple (one gradient per input of the forward, None where there is none)
        replaces ``grad_inputs``. Returns a handle whose ``remove()`` unregisters it."""
        return self._add_node_hook(1, fn)

    def _add_node_hook(self, which: int, fn: Any) -> Any:
        from npgrad._methods.hooks import TensorHookHandle

        if self._node_hooks is None:
            self._node_hooks = ([], [])
        self._hooked = True
        hooks = self._node_hooks[which]
        hooks.append(fn)
        return TensorHookHandle(hooks, fn)

    def _call(self, grads: list[Any]) -> tuple[Any, ...]:
        """Run the Function's backward on one gradient per output; one result per input."""
        if self._output_meta and self._materialize_grads and any(g is None for g in grads):
            for k, (shape, dtype) in enumerate(self._output_meta):
                if grads[k] is None:
                    grads[k] = Tensor._make(np.zeros(shape, dtype), False, None)
        result = self._function.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        if len(result) != len(self.next_functions):
            result = self._pad_result(result)
        return result

    def _call_arrays(self, grads: list[Any]) -> tuple[Any, ...]:
        """First-order backward (the gradient's own graph is not wanted): arrays in, one array
        or None per input out. A Function with ``_array_backward`` runs on the arrays
        themselves; any other is given Tensors wrapped around them, without a graph."""
        fn = self._function
        if len(grads) == 1 and fn._array_backward and (not _NUMPY1 or grads[0].ndim):
            # the usual case, kept short: one output (its gradient is never None here)
            if self._saved:  # saved_tensors is to give arrays
                self._raw = True
                try:
                    result = fn.backward(self, grads[0])
                finally:
                    self._raw = False
            else:
                result = fn.backward(self, grads[0])
            if type(result) is not tuple:
                result = (result,)
            if len(result) != len(self.next_functions):
                result = self._pad_result(result)
            return result
        if self._output_meta and self._materialize_grads and any(g is None for g in grads):
            for k, (shape, dtype) in enumerate(self._output_meta):
                if grads[k] is None:
                    grads[k] = np.zeros(shape, dtype)
        wrapped = not fn._array_backward or (
            _NUMPY1 and any(g is not None and not g.ndim for g in grads)
        )
        if wrapped:
            make = Tensor._make
            result = fn.backward(self, *[g if g is None else make(g, False, None) for g in grads])
        elif self._saved:  # saved_tensors is to give arrays
            self._raw = True
            try:
                result = fn.backward(self, *grads)
            finally:
                self._raw = False
        else:
            result = fn.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        if wrapped:  # Tensors back to arrays (a NumPy scalar, from 0-d arrays: the engine's)
            result = tuple(r._data if isinstance(r, Tensor) else r for r in result)
        if len(result) != len(self.next_functions):
            result = self._pad_result(result)
        return result

    def _pad_result(self, result: tuple[Any, ...]) -> tuple[Any, ...]:
        # a backward may return one gradient when only its first input can have one, and
        # extra gradients when they are None (as PyTorch allows)
        n = len(self.next_functions)
        if len(result) == 1 and all(e[0] is None for e in self.next_functions[1:]):
            return result + (None,) * (n - 1)
        if len(result) > n and all(r is None for r in result[n:]):
            return result[:n]
        raise RuntimeError(
            f"function {self.name()} returned an incorrect number of gradients "
            f"(expected {n}, got {len(result)})"
        )


# separates, in a JvpBackwardNode's _to_save, the values for backward from those for forward
_FORWARD_SPLIT = object()


class JvpBackwardNode(BackwardNode):
    """The node of a Function that defines ``jvp``: it keeps the values given to
    ``save_for_forward`` too, resolved like those for backward, for the ``jvp`` that a
    forward-mode pass through a ``@once_differentiable`` backward calls (see
    ``autograd.function._DelayedError``)."""

    _for_backward: tuple[Any, ...] = ()
    _for_forward: tuple[Any, ...] = ()
    _saved_forward: list[tuple[int, Any, Any]] = []

    def save_for_backward(self, *values: Any) -> None:
        self._for_backward = values
        self._to_save = (*values, _FORWARD_SPLIT, *self._for_forward)

    def save_for_forward(self, *values: Any) -> None:
        self._for_forward = values
        self._to_save = (*self._for_backward, _FORWARD_SPLIT, *values)

    def _resolve_saved(
        self, inputs: tuple[Any, ...], arrays: list[Any], outs: tuple[Tensor, ...]
    ) -> None:
        super()._resolve_saved(inputs, arrays, outs)
        saved = self._saved or []
        split = next(i for i, entry in enumerate(saved) if entry[1] is _FORWARD_SPLIT)
        self._saved, self._saved_forward = saved[:split], saved[split + 1 :]

    @contextlib.contextmanager
    def _saved_for_forward(self) -> Iterator[None]:
        """Within: ``saved_tensors`` gives what ``save_for_forward`` saved (PyTorch's jvp
        reads them there)."""
        saved = self._saved
        if saved is None:  # freed by a backward: saved_tensors raises its usual error
            yield
            return
        self._saved = self._saved_forward
        try:
            yield
        finally:
            self._saved = saved
