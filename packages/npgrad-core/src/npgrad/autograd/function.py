"""``Function``: the one way an op is defined, and the graph node it records.

A subclass writes two static methods::

    class Mul(Function):
        @staticmethod
        def forward(ctx, a, b):            # NumPy arrays in, an array (or a tuple) out
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):           # Tensors in, one Tensor (or None) per input out
            a, b = ctx.saved_tensors
            return grad * b, grad * a

``Mul.apply(x, y)`` runs ``forward`` on the arrays inside ``x`` and ``y`` and, when grad mode
is on and an input requires grad, records a node: an instance of ``MulBackward`` (made for
every subclass), which *is* the ``ctx`` forward saw. ``backward`` computes with npgrad ops
on the saved input Tensors themselves, so under ``create_graph=True`` the gradient is itself
a graph and higher-order derivatives need no extra code.
"""

from __future__ import annotations

import contextvars
import functools
import itertools
import traceback
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from npgrad.autograd import anomaly as _anomaly
from npgrad.autograd.grad_mode import _grad_enabled, is_grad_enabled_fast

if TYPE_CHECKING:
    from npgrad.tensor import Tensor
else:
    Tensor = None  # bound by npgrad.tensor once the class exists (the modules import each other)

__all__ = ["BackwardNode", "Function", "FunctionCtx", "once_differentiable"]

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
                        entry = (_INPUT, inputs[i], inputs[i]._version)
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
                            grads[k] = new
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
        from npgrad.tensor import _RemovableHandle

        if self._node_hooks is None:
            self._node_hooks = ([], [])
        self._hooked = True
        hooks = self._node_hooks[which]
        hooks.append(fn)
        return _RemovableHandle(hooks, fn)

    def _call(self, grads: list[Any]) -> tuple[Any, ...]:
        """Run the Function's backward on one gradient per output; one result per input."""
        if self._output_meta and self._materialize_grads and any(g is None for g in grads):
            for k, (shape, dtype) in enumerate(self._output_meta):
                if grads[k] is None:
                    grads[k] = Tensor._make(np.zeros(shape, dtype), False, None)
        result = self._function.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        if len(result) < len(self.next_functions):
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
            if len(result) < len(self.next_functions):
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
        if len(result) < len(self.next_functions):
            result = self._pad_result(result)
        return result

    def _pad_result(self, result: tuple[Any, ...]) -> tuple[Any, ...]:
        # a backward may return one gradient when only its first input can have one
        n = len(self.next_functions)
        if len(result) == 1 and all(e[0] is None for e in self.next_functions[1:]):
            return result + (None,) * (n - 1)
        raise RuntimeError(
            f"function {self.name()} returned an incorrect number of gradients "
            f"(expected {n}, got {len(result)})"
        )


class Function:
    """Base class of every differentiable op (and of user-defined ones).

    Subclasses define ``forward(ctx, *args)`` on NumPy arrays and ``backward(ctx, *grads)``
    on Tensors; call them through ``apply``.

    Examples
    --------
    >>> import npgrad
    >>> class Cube(npgrad.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, a):
    ...         ctx.save_for_backward(a)
    ...         return a**3
    ...
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (a,) = ctx.saved_tensors
    ...         return grad * 3 * a * a
    >>> x = npgrad.tensor([2.0], requires_grad=True)
    >>> y = Cube.apply(x)
    >>> y
    tensor([8.], grad_fn=<CubeBackward>)
    >>> (g,) = npgrad.autograd.grad(y, x, create_graph=True)
    >>> g, npgrad.autograd.grad(g, x)[0]
    (tensor([12.], grad_fn=<MulBackward>), tensor([12.]))
    """

    _backward_cls: type[BackwardNode]
    # A backward written only with arithmetic operators, methods NumPy arrays share with
    # Tensors and helpers that take either (``sum_to``; see CONTRIBUTING) is valid on NumPy
    # arrays as well as on Tensors. Such a Function sets this, and for first-order gradients
    # the engine runs its backward on the arrays directly (``saved_tensors`` then gives
    # arrays), skipping the Tensor dispatch of every operator; under ``create_graph`` it runs
    # on Tensors as always, so second order is unchanged. The operators must mean the same on
    # both: Python scalars are fine next to an array (NumPy 2 never lets them widen it), and
    # under NumPy 1, whose value-based casting widens 0-d arrays mixed with Python scalars,
    # a 0-d gradient takes the Tensor path instead.
    _array_backward = False
    # Ops whose output may legitimately be a wider float than every float input (casts, sums
    # with ``dtype=``) set this; see _narrow for why it matters.
    _widens = False
    # An op whose arguments after the first are never Tensors (a scalar, a dim, a shape) sets
    # this: apply then skips scanning them.
    _one_tensor = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # a specialised form of an op may report the op's own name (``_node_name``)
        name = cls.__dict__.get("_node_name", cls.__name__)
        cls._backward_cls = type(name + "Backward", (BackwardNode,), {"_function": cls})

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a Function subclass must implement forward(ctx, ...)")

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        raise NotImplementedError("a Function subclass must implement backward(ctx, ...)")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run forward on the arrays of the Tensor arguments; record a node if needed."""
        # This is the hot path of every op: plain loops, no helper calls in the usual case,
        # and forward called with a fixed number of arguments where it can be (a call with
        # ``*arrays`` cost ~100 ns more, on an op of ~2 us).
        T = Tensor
        n = len(args)
        a: Any = args[0] if n else None
        edges: Any = None
        if (n == 1 or (cls._one_tensor and n <= 16)) and isinstance(a, T):
            # one Tensor, the first argument (the rest, if any, are constants): no scan
            view = a._view
            if view is not None and view[4] != a._vc[0]:  # type: ignore[index]
                _views.refresh(a)  # its base was written to since: rebuild its node
            arrays = [a._data] if n == 1 else [a._data, args[1]] if n == 2 else [a._data, *args[1:]]
            record = a._requires_grad
        else:
            arrays = []
            edges = []
            needs: Any = []
            record = False
            for x in args:
                if isinstance(x, T):
                    view = x._view
                    if view is not None and view[4] != x._vc[0]:  # type: ignore[index]
                        _views.refresh(x)
                    arrays.append(x._data)
                    if x._requires_grad:
                        record = True
                        edges.append((x.grad_fn or x, x._output_nr))
                        needs.append(True)
                        continue
                else:
                    arrays.append(x)
                edges.append(_NO_EDGE)
                needs.append(False)
        ctx: Any
        if record and is_grad_enabled_fast():
            # record a node: it is the ``ctx`` forward sees, and the grad_fn of the outputs
            ctx = _new(cls._backward_cls)
            ctx._seq = _next_seq()
            if edges is None:
                ctx.next_functions = ((a.grad_fn or a, a._output_nr),) + _NO_EDGES[n - 1]
                ctx.needs_input_grad = _FIRST_NEEDS[n]
            else:
                ctx.next_functions = tuple(edges)
                ctx.needs_input_grad = tuple(needs)
            if _anomaly.enabled:
                ctx._creation_trace = "".join(traceback.format_stack()[:-1])
        else:
            record = False
            ctx = _new(FunctionCtx)
            ctx.needs_input_grad = _NO_GRADS[n] if n < 16 else (False,) * n
        if kwargs:
            out = cls.forward(ctx, *arrays, **kwargs)
        elif n == 2:
            out = cls.forward(ctx, arrays[0], arrays[1])
        elif n == 1:
            out = cls.forward(ctx, arrays[0])
        else:
            out = cls.forward(ctx, *arrays)
        if record:
            if type(out) is not np.ndarray or ctx._dirty or _NUMPY1:
                return _finish_record(cls, ctx, args, arrays, out)
            # the usual case: one array out
            if out.dtype.kind == "f":
                result = T._make(out, True, ctx, 0)
            else:  # an integer output is never differentiable
                result = T._make(out, False, None)
            if ctx._to_save:
                ctx._resolve_saved(args, arrays, (result,))
            return result
        if _NUMPY1 and not cls._widens:
            out = _narrow(out, arrays)
        if type(out) is np.ndarray and not ctx._dirty:
            return T._make(out, False, None)
        outs = tuple(_as_array(o) for o in out) if isinstance(out, tuple) else (_as_array(out),)
        results = tuple(_dirty_input(ctx, args, arrays, o) or T._make(o, False, None) for o in outs)
        return results if isinstance(out, tuple) else results[0]


def _finish_record(
    cls: type[Function], node: BackwardNode, args: tuple[Any, ...], arrays: list[Any], out: Any
) -> Any:
    """The outputs of a recorded op, in the cases ``apply`` leaves out: NumPy 1's widened 0-d
    results, inputs modified in place, a NumPy scalar or a tuple returned."""
    T = Tensor
    if _NUMPY1 and not cls._widens:
        narrowed = _narrow(out, arrays)
        if narrowed is not out:
            pairs = zip(out, narrowed) if isinstance(out, tuple) else [(out, narrowed)]
            swap = {id(r): o for r, o in pairs if r is not o}
            node._to_save = tuple(swap.get(id(v), v) for v in node._to_save)
            out = narrowed
    if type(out) is np.ndarray and not node._dirty:
        if out.dtype.kind == "f":
            result = T._make(out, True, node, 0)
        else:
            result = T._make(out, False, None)
        if node._to_save:
            node._resolve_saved(args, arrays, (result,))
        return result
    if node._dirty:
        return _rebase_dirty(node, args, arrays, out)
    if not isinstance(out, tuple):
        # forward returned a NumPy scalar (and may have saved it): keep an array instead
        raw, out = out, _as_array(out)
        node._to_save = tuple(out if v is raw else v for v in node._to_save)
        result = T._make(out, out.dtype.kind == "f", node if out.dtype.kind == "f" else None)
        if node._to_save:
            node._resolve_saved(args, arrays, (result,))
        return result
    raws, out = out, tuple(_as_array(o) for o in out)
    swap = {id(r): o for r, o in zip(raws, out) if r is not o}
    if swap:
        node._to_save = tuple(swap.get(id(v), v) for v in node._to_save)
    nondiff = node._non_differentiable
    results = []
    for k, o in enumerate(out):
        diff = o.dtype.kind == "f" and not any(o is nd for nd in nondiff)
        results.append(T._make(o, diff, node if diff else None, k))
    node._output_meta = tuple((o.shape, o.dtype) for o in out)
    if node._to_save:
        node._resolve_saved(args, arrays, tuple(results))
    return tuple(results)


_new = object.__new__
# Each recorded node is numbered in the order it was made: its inputs' nodes always have lower
# numbers, which is the order the engine runs them in (see autograd.engine).
_next_seq = itertools.count(1).__next__
_NO_EDGE = (None, 0)
_NUMPY1 = np.lib.NumpyVersion(np.__version__) < "2.0.0"


def _narrow(out: Any, arrays: list[Any]) -> Any:
    """NumPy 1.x only: undo value-based casting. With 0-d inputs NumPy 1 treats arrays like
    scalars, so ``np.maximum(float32 0-d, 0.0)`` is float64; PyTorch (and NumPy 2) keep float32.
    A float result wider than every float input is cast back to the widest input dtype."""
    widest = None
    for a in arrays:
        if (
            isinstance(a, np.ndarray)
            and a.dtype.kind == "f"
            and (widest is None or a.dtype.itemsize > widest.itemsize)
        ):
            widest = a.dtype
    if widest is None:
        return out
    if isinstance(out, tuple):
        fixed = tuple(_narrow(o, arrays) for o in out)
        return out if all(f is o for f, o in zip(fixed, out)) else fixed
    dt = getattr(out, "dtype", None)
    if dt is not None and dt.kind == "f" and dt.itemsize > widest.itemsize:
        return np.asarray(out).astype(widest)
    return out


def _dirty_input(ctx: Any, args: tuple[Any, ...], arrays: list[Any], out: np.ndarray) -> Any:
    """The input Tensor whose array ``out`` is, if forward marked it dirty; version bumped."""
    for nd in ctx._dirty:
        if out is nd:
            for a, arr in zip(args, arrays):
                if arr is out and isinstance(a, Tensor):
                    a._version += 1
                    return a
            raise RuntimeError(
                f"{type(ctx).__name__}: mark_dirty was given an array that is not an input"
            )
    return None


def _rebase_dirty(node: BackwardNode, args: tuple[Any, ...], arrays: list[Any], out: Any) -> Any:
    # A Function that modified inputs in place: those input Tensors become its outputs, with
    # this node as their grad_fn (their old history is reached through next_functions).
    for a, arr in zip(args, arrays):
        if any(arr is d for d in node._dirty):
            if a.grad_fn is None and a._requires_grad:
                raise RuntimeError(
                    f"{node.name()}: a leaf Variable that requires grad is being used in an "
                    "in-place operation"
                )
            if a._view is not None:
                _views.check_write(a, node.name())
    outs = tuple(_as_array(o) for o in out) if isinstance(out, tuple) else (_as_array(out),)
    results = []
    for k, o in enumerate(outs):
        t = _dirty_input(node, args, arrays, o)
        if t is None:
            t = Tensor._make(o, o.dtype.kind == "f", None)
        if t.dtype.kind == "f":
            t.grad_fn, t._output_nr, t._requires_grad = node, k, True
        results.append(t)
    if len(outs) > 1:
        node._output_meta = tuple((o.shape, o.dtype) for o in outs)
    if node._to_save:
        node._resolve_saved(args, arrays, tuple(results))
    for t in results:
        if t._view is not None and t.grad_fn is node:  # a view written in place: its base too
            _views.write_through(t, Tensor._make(t._data, True, node, t._output_nr))
    return tuple(results) if isinstance(out, tuple) else results[0]


_NO_GRADS = [(False,) * n for n in range(16)]
_NO_EDGES = [(_NO_EDGE,) * n for n in range(16)]
_FIRST_NEEDS = [(True,) + (False,) * (n - 1) if n else () for n in range(17)]

from npgrad.autograd import _views  # noqa: E402 - it subclasses Function


def _as_array(value: Any) -> np.ndarray:
    # NumPy reductions return scalars (np.float32), not 0-d arrays; a Tensor always holds
    # an ndarray so that in-place updates and views work.
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, np.generic):
        return np.asarray(value)
    raise TypeError(f"Function.forward must return NumPy arrays, got {type(value).__name__}")


def once_differentiable(backward: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a ``backward`` written in raw NumPy: it runs once, and refuses second order.

    Under ``create_graph=True`` the gradients it returns carry a node that raises a
    RuntimeError naming the op when differentiated again, instead of a silently wrong result.

    Examples
    --------
    >>> import npgrad
    >>> class Double(npgrad.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, a):
    ...         return a * 2.0
    ...
    ...     @staticmethod
    ...     @npgrad.autograd.once_differentiable
    ...     def backward(ctx, grad):
    ...         return grad * 2.0
    >>> x = npgrad.tensor([1.0], requires_grad=True)
    >>> (g,) = npgrad.autograd.grad(Double.apply(x) ** 2, x, create_graph=True)
    >>> g.tolist()
    [8.0]
    >>> try:
    ...     npgrad.autograd.grad(g.sum(), x)
    ... except RuntimeError as e:
    ...     print(str(e).split(":")[0])
    DoubleBackward
    """

    @functools.wraps(backward)
    def wrapper(ctx: Any, *grads: Any) -> Any:
        create_graph = _grad_enabled.get()
        token = _grad_enabled.set(False)
        try:
            result = backward(ctx, *grads)
        finally:
            _grad_enabled.reset(token)
        if not create_graph:
            return result
        # Under create_graph the gradients must not pass for constants: give them a node
        # whose backward raises, so a second-order request fails loudly instead of
        # silently dropping this op's contribution.

        node: Any = _DelayedError._backward_cls()
        node._seq = _next_seq()
        # Its edges are the op's own inputs and the incoming gradients' histories: whatever a
        # second-order pass differentiates with respect to, it reaches this node (autograd.grad
        # runs only the nodes that lead to its inputs) -- and raises.
        edges = tuple(e for e in getattr(ctx, "next_functions", ()) if e[0] is not None)
        edges += tuple(
            (g.grad_fn or g, g._output_nr)
            for g in grads
            if isinstance(g, Tensor) and g._requires_grad
        )
        node.next_functions = edges
        node.needs_input_grad = (True,) * len(edges)
        node.op = ctx.name() if hasattr(ctx, "name") else type(ctx).__name__
        single = not isinstance(result, tuple)
        wrapped = tuple(
            None if r is None else Tensor._make(r._data, r.dtype.kind == "f", node)
            for r in ((result,) if single else result)
        )
        return wrapped[0] if single else wrapped

    return wrapper


class _DelayedError(Function):
    """The node behind gradients computed by a ``@once_differentiable`` backward."""

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        raise RuntimeError(
            f"{ctx.op}: trying to differentiate twice a function whose backward is marked "
            "@once_differentiable (written in raw NumPy); second-order gradients through "
            f"{ctx.op} are not supported"
        )
