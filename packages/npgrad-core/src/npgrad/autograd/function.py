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
import itertools
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from npgrad.autograd import anomaly as _anomaly
from npgrad.autograd.grad_mode import _grad_enabled, is_grad_enabled_fast
from npgrad.autograd.node import (  # the node and the ctx live in node.py
    _NUMPY1,
    BackwardNode,
    FunctionCtx,
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
