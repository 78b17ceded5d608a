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

import functools
import inspect
import itertools
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from npgrad.autograd import anomaly as _anomaly
from npgrad.autograd.grad_mode import (
    INFERENCE_VERSION,
    _grad_enabled,
    _inference_enabled,
    is_grad_enabled_fast,
)
from npgrad.autograd.node import (  # the node and the ctx live in node.py
    _NUMPY1,
    BackwardNode,
    FunctionCtx,
    JvpBackwardNode,
)

if TYPE_CHECKING:
    from npgrad.tensor import Tensor
else:
    Tensor = None  # bound by npgrad.tensor once the class exists (the modules import each other)

__all__ = ["BackwardNode", "Function", "FunctionCtx", "once_differentiable"]


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

    # PyTorch's flag asking its vmap to derive a batching rule from forward/setup_context.
    # npgrad's ``func.vmap`` runs the function once per batch entry, so any Function works
    # under it with or without the flag (kept so PyTorch code runs unchanged).
    generate_vmap_rule = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # a specialised form of an op may report the op's own name (``_node_name``)
        name = cls.__dict__.get("_node_name", cls.__name__)
        # a Function with a jvp gets a node that keeps what save_for_forward saved, too
        node_base = BackwardNode if cls.jvp is _BASE_JVP else JvpBackwardNode
        cls._backward_cls = type(name + "Backward", (node_base,), {"_function": cls})
        if cls.setup_context is not _BASE_SETUP_CONTEXT and "apply" not in cls.__dict__:
            # PyTorch 2's style, forward without ctx: its own apply (the one above, the hot
            # path of every built-in op, stays as it is)
            cls.apply = classmethod(_apply_with_setup_context)  # type: ignore[assignment]

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        """Compute the outputs from the inputs: NumPy arrays (and plain Python values) in,
        an array or a tuple of arrays out.

        Two styles, as in PyTorch: ``forward(ctx, *args)`` sets ``ctx`` up itself; or, when
        the Function overrides :meth:`setup_context`, ``forward(*args)`` takes no ``ctx``
        and ``setup_context`` receives the inputs and the output afterwards.
        """
        raise NotImplementedError("a Function subclass must implement forward(ctx, ...)")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> Any:
        """Set ``ctx`` up after a ``forward(*args)`` that takes no ``ctx`` (PyTorch 2's style).

        ``inputs`` is the tuple of arguments forward received (arrays where ``apply`` got
        Tensors, defaults of forward's signature filled in) and ``output`` what it returned.
        Everything a ``ctx`` offers works here: ``save_for_backward`` (inputs, outputs or
        other arrays), ``mark_dirty``, ``mark_non_differentiable``,
        ``set_materialize_grads``, ``needs_input_grad`` and attributes for backward.
        """
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        raise NotImplementedError("a Function subclass must implement backward(ctx, ...)")

    @staticmethod
    def jvp(ctx: Any, *grad_inputs: Any) -> Any:
        """The forward-mode derivative: given one tangent per forward input (Tensors; None
        for an input that is no Tensor requiring grad), return the tangent of each output,
        as PyTorch's. ``ctx.saved_tensors`` gives what ``ctx.save_for_forward`` saved.

        npgrad's forward AD (:mod:`npgrad.autograd.forward_ad`) computes tangents from the
        backward (two reverse passes), so a Function whose backward is differentiable needs
        no ``jvp``; it is called where that backward is ``@once_differentiable``, which
        would otherwise refuse forward mode."""
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it with "
            "forward mode AD."
        )

    @staticmethod
    def vmap(info: Any, in_dims: Any, *args: Any) -> Any:
        """PyTorch's batching rule of a Function. npgrad's ``func.vmap`` runs the function
        once per batch entry, so a Function needs none; npgrad never calls it."""
        raise NotImplementedError(
            "To use autograd.Function with vmap, you must either override the vmap staticmethod "
            "or set generate_vmap_rule=True."
        )

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
        name = cls._backward_cls.__name__
        dirty = [_dirty_input(name, ctx, args, arrays, o) for o in outs]
        results = tuple(T._make(o, False, None) if d is None else d for o, d in zip(outs, dirty))
        return results if isinstance(out, tuple) else results[0]


_BASE_SETUP_CONTEXT = Function.setup_context
_BASE_JVP = Function.jvp


def _apply_with_setup_context(cls: type[Function], *args: Any, **kwargs: Any) -> Any:
    """``apply`` of a Function that overrides ``setup_context``: ``forward(*args)`` without
    ``ctx``, then ``setup_context(ctx, inputs, output)``, within the one recording path."""
    plan = cls.__dict__.get("_setup_plan")
    if plan is None:
        plan = _SetupPlan(cls)
        cls._setup_plan = plan  # type: ignore[attr-defined]
    if kwargs or len(args) < plan.n_positional:
        # keyword arguments and defaults become positional, as PyTorch binds them: inputs
        # (and needs_input_grad, and backward's results) then have one entry per parameter
        try:
            bound = plan.signature.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{cls.__name__}.apply: {e}") from None
        bound.apply_defaults()
        if bound.kwargs:
            raise TypeError(
                f"{cls.__name__}.apply: forward's keyword-only parameters "
                f"{sorted(bound.kwargs)} are not supported; make them positional"
            )
        args = bound.args
    needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
    # (looked up now, not bound once: a profiler may have swapped in a timed Function.apply)
    return Function.apply.__func__(_SetupRunner(cls, needs), *args)  # type: ignore[attr-defined]


class _SetupPlan:
    """Per Function class: forward's signature, checked once."""

    def __init__(self, cls: type[Function]) -> None:
        self.signature = inspect.signature(cls.forward)
        params = list(self.signature.parameters.values())
        positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        if params and params[0].name == "ctx" and params[0].kind in positional:
            raise TypeError(
                f"{cls.__name__}: forward takes ctx as its first argument, but {cls.__name__} "
                "overrides setup_context; with setup_context, forward must not take ctx "
                "(define forward(*args) and set ctx up in setup_context(ctx, inputs, output)), "
                "or drop setup_context and set ctx up in forward(ctx, *args)"
            )
        self.n_positional = sum(p.kind in positional for p in params)


class _SetupRunner:
    """What ``Function.apply`` is given as the class: the Function's node type, and a
    ``forward(ctx, *args)`` that calls ``forward(*args)`` then ``setup_context``."""

    __slots__ = ("fn", "needs", "_backward_cls", "_widens")
    _one_tensor = False

    def __init__(self, fn: type[Function], needs: tuple[bool, ...]) -> None:
        self.fn, self.needs = fn, needs
        self._backward_cls, self._widens = fn._backward_cls, fn._widens

    @property
    def __name__(self) -> str:  # the Function's, for whoever names what apply runs
        return self.fn.__name__

    def forward(self, ctx: Any, *args: Any) -> Any:
        fn = self.fn
        if not isinstance(ctx, BackwardNode):
            # nothing is recorded (grad mode off, or no input requires grad): PyTorch still
            # tells setup_context which inputs require grad
            ctx.needs_input_grad = self.needs
        output = fn.forward(*args)
        fn.setup_context(ctx, args, output)
        return output


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
# numbers, which is the order the engine runs them in (see autograd._walk).
_next_seq = itertools.count(1).__next__
_NO_EDGE = (None, 0)


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


def _dirty_input(
    name: str, ctx: Any, args: tuple[Any, ...], arrays: list[Any], out: np.ndarray
) -> Any:
    """The input Tensor whose array ``out`` is, if forward marked it dirty; version bumped."""
    for nd in ctx._dirty:
        if out is nd:
            for a, arr in zip(args, arrays):
                if arr is out and isinstance(a, Tensor):
                    if a._vc is INFERENCE_VERSION and not _inference_enabled.get():
                        raise RuntimeError(
                            f"{name}: inplace update to an inference tensor (made "
                            "in inference_mode) outside InferenceMode is not allowed (mark_dirty); "
                            "clone() it first"
                        )
                    a._version += 1
                    return a
            raise RuntimeError(f"{name}: mark_dirty was given an array that is not an input")
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
        t = _dirty_input(node.name(), node, args, arrays, o)
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
        node.n_input_edges = len(edges)
        # which incoming gradients have an edge (a forward-mode pass sends them the tangents
        # of the op's outputs: see _DelayedError)
        node.grad_slots = [
            k for k, g in enumerate(grads) if isinstance(g, Tensor) and g._requires_grad
        ]
        edges += tuple((grads[k].grad_fn or grads[k], grads[k]._output_nr) for k in node.grad_slots)
        node.next_functions = edges
        node.needs_input_grad = (True,) * len(edges)
        node.op = ctx.name() if hasattr(ctx, "name") else type(ctx).__name__
        node.forward_node = ctx
        single = not isinstance(result, tuple)
        results = (result,) if single else result
        # one output per gradient returned (the gradient of the op's input k is output k)
        node._output_meta = tuple(
            ((), np.dtype(np.float64)) if r is None else (r.shape, r.dtype) for r in results
        )
        node._materialize_grads = False
        wrapped = tuple(
            None if r is None else Tensor._make(r._data, r.dtype.kind == "f", node, k)
            for k, r in enumerate(results)
        )
        return wrapped[0] if single else wrapped

    return wrapper


class _DelayedError(Function):
    """The node behind gradients computed by a ``@once_differentiable`` backward.

    A second-order pass through it raises. In a forward-mode pass (``autograd.forward_ad``
    computes tangents as the gradient of the gradient, see there), the op's Function may
    provide the derivative itself: its ``jvp`` staticmethod maps the tangents of the op's
    inputs -- what reaches this node's outputs then -- to those of its outputs, which are
    what this node owes the incoming gradients' edges (the vjp of ``g -> J^T g`` is ``J``).
    """

    @staticmethod
    def backward(ctx: Any, *tangents: Any) -> Any:
        from npgrad.autograd.forward_ad import _tangent_pass

        fn = getattr(ctx.forward_node, "_function", None)
        if fn is None or fn.jvp is _BASE_JVP or not _tangent_pass.get():
            raise RuntimeError(
                f"{ctx.op}: trying to differentiate twice a function whose backward is marked "
                "@once_differentiable (written in raw NumPy); second-order gradients through "
                f"{ctx.op} are not supported"
                + ("" if fn is None or fn.jvp is _BASE_JVP else " (its jvp serves forward mode)")
            )
        tangents = tuple(
            t if t is not None or r is None else Tensor._make(np.zeros(*r), False, None)
            for t, r in zip(tangents, ctx._output_meta)
        )
        with ctx.forward_node._saved_for_forward():  # saved_tensors: what jvp expects
            out = fn.jvp(ctx.forward_node, *tangents)
        out = out if isinstance(out, tuple) else (out,)
        return (None,) * ctx.n_input_edges + tuple(out[k] for k in ctx.grad_slots)
