"""The backward pass: one iterative walk over the graph, each node run once.

The entry points, ``autograd.backward`` and ``autograd.grad``, are in ``autograd/engine.py``:
they check their arguments and call :func:`run_backward`, defined here.

Every node is numbered when it is recorded (``_seq``, PyTorch's ``sequence_nr``), and a node
only sends gradients to nodes recorded before it: to lower numbers.

1. **Pending** nodes -- those that have received some gradient -- wait in a heap, each with a
   buffer where its incoming gradients are summed.
2. The pending node with the **highest number runs next**: every node that could still send it
   a gradient has a higher number and has already run, so its buffer is complete and its
   backward is called exactly **once**, however many paths lead to it (a diamond graph does not
   run its top twice). Without ``retain_graph`` it frees its saved values right after.
3. Its results go to the buffers of the vertices they are for; a node that gets its first
   gradient joins the heap. Leaves sum theirs and accumulate into ``.grad`` at the end.

Counting every node's incoming edges first (Kahn's algorithm) would give the same order at the
cost of a walk over the whole graph before the first backward runs.

Without ``create_graph`` (first order, the usual case) the gradients flowing between nodes are
plain NumPy arrays: nothing records them, so they need no Tensor around them. They are wrapped
only where user code sees them (hooks, ``.grad``, the results of ``autograd.grad``), and a
Function whose backward is valid on arrays (``_array_backward``) runs on them directly. With
``create_graph`` they are Tensors and every backward records its own graph.

``autograd.grad`` uses the same walk but *captures* the gradients of chosen tensors instead of
accumulating into ``.grad``, and skips every node that leads to none of them.
"""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from npgrad.autograd import anomaly as _anomaly
from npgrad.autograd import node as _node
from npgrad.autograd._views import refresh as refresh_view
from npgrad.autograd.grad_mode import _grad_enabled

if TYPE_CHECKING:
    from npgrad.tensor import Tensor
else:
    Tensor = None  # bound by npgrad.tensor once the class exists (the modules import each other)

__all__ = ["GradientEdge", "get_gradient_edge", "queue_callback", "run_backward"]


class GradientEdge(NamedTuple):
    """Where the gradient of one output of a node enters the graph: ``(node, output_nr)``,
    ``node`` being a ``grad_fn`` or, for a leaf, the leaf tensor itself. ``autograd.grad``
    and ``backward`` accept it in ``inputs``, in place of a tensor (PyTorch's
    ``torch.autograd.graph.GradientEdge``; ``ownership_token`` is unused)."""

    node: Any
    output_nr: int
    ownership_token: Any = None


def get_gradient_edge(tensor: Tensor) -> GradientEdge:
    """The :class:`GradientEdge` of ``tensor``: ``grad(loss, get_gradient_edge(t))`` is
    ``grad(loss, t)``, and keeps meaning the gradient of that value after ``t`` has been
    changed in place (the edge names the node, not the tensor).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.autograd.graph import get_gradient_edge
    >>> x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x * 3
    >>> edge = get_gradient_edge(y)
    >>> y.mul_(2)  # y is now another value, but the edge still names x * 3
    tensor([ 6., 12.], grad_fn=<MulBackward>)
    >>> npgrad.autograd.grad((y * y).sum(), edge)  # d/d(x * 3) of sum((2 (x * 3))^2)
    (tensor([24., 48.]),)
    """
    if not tensor._requires_grad:
        raise RuntimeError(
            "It is not possible to get the gradient edge for a Tensor that does not require "
            "gradients"
        )
    refresh_view(tensor)
    node = tensor.grad_fn if tensor.grad_fn is not None else tensor
    return GradientEdge(node, tensor._output_nr)


def _edge(t: Any) -> tuple[Any, int]:
    """The vertex and output number ``inputs`` entry ``t`` (a Tensor or a GradientEdge)
    names."""
    if isinstance(t, GradientEdge):
        return t.node, t.output_nr
    return (t.grad_fn if t.grad_fn is not None else t), t._output_nr


def _describe(t: Any) -> str:
    if isinstance(t, GradientEdge):
        node = t.node
        what = node.name() if not node._is_leaf_vertex else f"a leaf of shape {node.shape}"
        return f"(the GradientEdge of output {t.output_nr} of {what})"
    return f"(shape {t.shape})"


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
    accumulate: bool = True,
) -> list[Tensor | None]:
    """Backpropagate ``root_grads`` from ``roots``.

    With ``accumulate`` leaves add into ``.grad`` (restricted to ``inputs`` when given); without
    it, the gradients of ``inputs`` are returned instead (``autograd.grad``).
    """

    # the graph's vertices are BackwardNodes and leaf Tensors; keyed by id() because
    # Tensor.__eq__ is elementwise
    for t in roots:
        refresh_view(t)  # a view whose base was written to since: its node follows the base
    root_objs = [t.grad_fn if t.grad_fn is not None else t for t in roots]
    targets: dict[int, list[tuple[int, int]]] = {}
    if inputs is not None:
        for i, t in enumerate(inputs):
            if not isinstance(t, GradientEdge):
                if not isinstance(t, Tensor):
                    raise RuntimeError(
                        f"{'backward' if accumulate else 'grad'}: all inputs have to be Tensors "
                        f"or GradientEdges, but got {type(t).__name__} at {i}"
                    )
                if not t._requires_grad:
                    raise RuntimeError(
                        f"{'backward' if accumulate else 'grad'}: input {i} (shape {t.shape}) "
                        "of the differentiated Tensors does not require grad"
                    )
                refresh_view(t)
            key, nr = _edge(t)
            targets.setdefault(id(key), []).append((nr, i))
    # for autograd.grad: the nodes that lead to a captured tensor (the others are skipped)
    needed = _leading_to(root_objs, targets) if targets else None

    # Every node sends gradients only to nodes made before it (lower ``_seq``), so running
    # the pending node of highest ``_seq`` first runs each node after all its senders: its
    # buffer then holds the sum of all its incoming gradients and it runs exactly once, with
    # no walk over the graph beforehand to count dependencies. Leaves come last.
    raw = not create_graph  # buffers hold arrays, not Tensors (see the module docstring)
    buffers: dict[int, list[Any]] = {}
    pending: list[tuple[int, Any]] = []  # a heap of (-_seq, node)
    leaves: list[Tensor] = []  # in the order they got their first gradient
    for obj, t, g in zip(root_objs, roots, root_grads):
        if needed is None or id(obj) in needed:
            _add_to_buffer(buffers, pending, leaves, obj, t._output_nr, g._data if raw else g)
    captured: list[Tensor | None] = [None] * (len(inputs) if inputs is not None else 0)
    # the common case -- no captures, no anomaly checks -- runs a node inline (below); a node
    # with hooks, or any node of autograd.grad or under anomaly mode, goes through _run_node
    plain = not targets and not _anomaly.enabled
    # A node whose gradient is complete as soon as its sender ran (it would be the next off
    # the heap: a chain, as most ops feed one other op) is run straight from here, its
    # gradient never stored in ``buffers`` nor pushed on ``pending``.
    nxt: Any = None
    nxt_grad: Any = None
    buf: Any  # the node's list of gradients, one per output; None once used
    token = _grad_enabled.set(create_graph)
    callbacks: list[Callable[[], None]] = []
    callbacks_token = _final_callbacks.set(callbacks)
    try:
        while True:
            if nxt is not None:
                obj, buf, nxt, nxt_grad = nxt, [nxt_grad], None, None
            elif pending:
                obj = heappop(pending)[1]
                buf = buffers.pop(id(obj))
            else:
                break
            if not plain or obj._hooked:
                _run_node(
                    obj, buf, buffers, pending, leaves, needed, targets, captured, retain_graph, raw
                )
                continue
            grads: Any = obj._call_arrays(buf) if raw else obj._call(buf)
            buf = None  # a leaf may adopt the gradient array if nothing else holds it
            if not retain_graph:
                obj._saved = None  # release the saved values (BackwardNode._release)
            # (an index, not zip(): zip's iterator cost ~100 ns a node, a tenth of it all)
            i = -1
            for child, nr in obj.next_functions:
                i += 1
                gr = grads[i]
                if child is None or gr is None:
                    continue
                if raw and type(gr) is not np.ndarray:
                    gr = np.asarray(gr)  # NumPy's scalar from an operator on 0-d arrays
                k = id(child)
                b = buffers.get(k)
                if b is not None:
                    b[nr] = gr if b[nr] is None else _sum(b[nr], gr)
                elif child is nxt:  # a second edge to the node chosen below
                    nxt_grad = _sum(nxt_grad, gr)
                elif (
                    nxt is None and nr == 0 and not child._is_leaf_vertex and not child._output_meta
                ):
                    nxt, nxt_grad = child, gr  # a candidate to run next (checked below)
                else:
                    _add_to_buffer(buffers, pending, leaves, child, nr, gr)
            if nxt is not None and pending and nxt._seq < -pending[0][0]:
                # a pending node may still send to it: it waits its turn
                _add_to_buffer(buffers, pending, leaves, nxt, 0, nxt_grad)
                nxt = nxt_grad = None
            grads = gr = None  # a leaf may adopt the gradient array if nothing else holds it
        for leaf in leaves:
            buf = buffers.pop(id(leaf))
            if needed is None or id(leaf) in needed:
                _leaf(
                    leaf,
                    buf,
                    targets,
                    captured,
                    accumulate and (inputs is None or id(leaf) in targets),
                    create_graph,
                )
        for callback in callbacks:  # queued during the walk (see queue_callback)
            callback()
    finally:
        _final_callbacks.reset(callbacks_token)
        _grad_enabled.reset(token)
    return captured


# the callbacks to run when the backward now running ends (None outside a backward)
_final_callbacks: contextvars.ContextVar[list[Callable[[], None]] | None] = contextvars.ContextVar(
    "npgrad_final_callbacks", default=None
)


def queue_callback(callback: Callable[[], None]) -> None:
    """Run ``callback()`` once the backward pass now running has finished its walk (from a
    hook, say); PyTorch's ``Variable._execution_engine.queue_callback``."""
    callbacks = _final_callbacks.get()
    if callbacks is None:
        raise RuntimeError("queue_callback: no backward pass is running")
    callbacks.append(callback)


def _check_anomaly(node: Any, grads: Sequence[Any]) -> None:
    if not _anomaly.check_nan:
        return
    for i, g in enumerate(grads):
        g = getattr(g, "_data", g)
        if g is not None and not np.isfinite(g).all():
            what = "nan" if np.isnan(g).any() else "inf"
            trace = getattr(node, "_creation_trace", None)
            where = (
                f"\nThe forward call that created it:\n{trace}"
                if trace
                else "\n(it was created before anomaly detection was enabled)"
            )
            raise RuntimeError(
                f"Function '{node.name()}' returned {what} values in its {i}th output.{where}"
            )


def _leading_to(root_objs: list[Any], targets: dict[int, Any]) -> set[int]:
    """The ids of the vertices reachable from the roots that lead to a target (or are one)."""
    seen: dict[int, Any] = {}
    stack = list(root_objs)
    while stack:
        obj = stack.pop()
        if id(obj) not in seen:
            seen[id(obj)] = obj
            if not obj._is_leaf_vertex:
                stack.extend(c for c, _ in obj.next_functions if c is not None)
    needed = {k for k, obj in seen.items() if obj._is_leaf_vertex and k in targets}
    # senders before receivers is decreasing _seq: visit the nodes the other way round
    nodes = sorted((obj for obj in seen.values() if not obj._is_leaf_vertex), key=_seq_of)
    for obj in nodes:
        if id(obj) in targets or any(
            c is not None and id(c) in needed for c, _ in obj.next_functions
        ):
            needed.add(id(obj))
    return needed


def _seq_of(node: Any) -> int:
    return node._seq  # type: ignore[no-any-return]


def _leaf(
    leaf: Tensor,
    buf: list[Any],
    targets: dict[int, list[tuple[int, int]]],
    captured: list[Tensor | None],
    accumulate: bool,
    create_graph: bool,
) -> None:
    """A leaf's summed gradient: through its hooks, then captured and/or accumulated."""
    g = buf.pop()
    # Nothing but this frame refers to ``g`` and nothing views its memory (counts: the local
    # and getrefcount's argument, or the slot and the argument): the leaf may keep the array
    # without a copy. An interpreter that borrows references only lowers the counts.
    if not create_graph:  # an array: wrap it, the Tensor being the only owner
        exclusive = sys.getrefcount(g) <= 2 and g.base is None
        g = Tensor._make(g, False, None)
    else:
        exclusive = (
            sys.getrefcount(g) <= 2 and g._data.base is None and sys.getrefcount(g._data) <= 2
        )
    hooks = leaf._hooks
    if hooks is not None:
        for hook in hooks.pre:
            new = hook(g)
            if new is not None:
                g, exclusive = _node.checked_hook_result(hook, g, new), False
    for _, i in targets.get(id(leaf), ()):
        captured[i] = g
        exclusive = False
    if accumulate:
        _accumulate(leaf, g, create_graph, exclusive)
        if hooks is not None:
            for post in hooks.post:
                post(leaf)


def _run_node(
    node: Any,
    buf: list[Any],
    buffers: dict[int, list[Any]],
    pending: list[tuple[int, Any]],
    leaves: list[Tensor],
    needed: set[int] | None,
    targets: dict[int, list[tuple[int, int]]],
    captured: list[Tensor | None],
    retain_graph: bool,
    raw: bool,
) -> None:
    """Call one node's backward (its hooks around it) and add its results to its children's
    buffers; a node captured by ``autograd.grad`` that leads to no other target is not run."""
    if node._hooked:
        if raw:  # hooks see Tensors
            wrapped = [_wrap(g) for g in buf]
            node._run_pre_hooks(wrapped)
            buf[:] = [_unwrap(g) for g in wrapped]
        else:
            node._run_pre_hooks(buf)
    if targets and id(node) in targets:
        for nr, i in targets[id(node)]:
            g = buf[nr]
            captured[i] = Tensor._make(g, False, None) if raw and g is not None else g
        if not any(c is not None and id(c) in needed for c, _ in node.next_functions):  # type: ignore[operator]
            return
    grads = node._call_arrays(buf) if raw else node._call(buf)
    if node._node_hooks is not None and node._node_hooks[1]:
        if raw:
            grads = node._run_post_hooks(tuple(map(_wrap, grads)), [_wrap(g) for g in buf])
            grads = tuple(map(_unwrap, grads))
        else:
            grads = node._run_post_hooks(tuple(grads), buf)
    if _anomaly.enabled:
        _check_anomaly(node, grads)
    for (child, nr), g in zip(node.next_functions, grads):
        if child is not None and g is not None and (needed is None or id(child) in needed):
            if raw and type(g) is not np.ndarray:
                g = np.asarray(g)
            _add_to_buffer(buffers, pending, leaves, child, nr, g)
    if not retain_graph:
        node._release()


def _wrap(g: Any) -> Any:
    # a first-order gradient array as hooks see it: a Tensor
    return g if g is None else Tensor._make(np.asarray(g), False, None)


def _unwrap(g: Any) -> Any:
    return g._data if isinstance(g, Tensor) else g


def _sum(a: Any, b: Any) -> Any:
    # two gradients of one output: Tensors add (recorded under create_graph), arrays make a
    # new array (never in place: a gradient array may be shared by several buffers)
    s = a + b
    return np.asarray(s) if isinstance(s, np.generic) else s  # 0-d arrays add to a scalar


def _add_to_buffer(
    buffers: dict[int, list[Any]],
    pending: list[tuple[int, Any]],
    leaves: list[Tensor],
    obj: Any,
    nr: int,
    g: Any,
) -> None:
    """Add ``g`` to the gradient of output ``nr`` of vertex ``obj``; a vertex that gets its
    first gradient joins ``pending`` (a node) or ``leaves``."""
    buf = buffers.get(id(obj))
    if buf is None:
        if obj._is_leaf_vertex:
            buf = buffers[id(obj)] = [None]
            leaves.append(obj)
        else:
            buf = buffers[id(obj)] = [None] * (len(obj._output_meta) or 1)
            heappush(pending, (-obj._seq, obj))
    buf[nr] = g if buf[nr] is None else _sum(buf[nr], g)


def _accumulate(leaf: Tensor, g: Tensor, create_graph: bool, exclusive: bool) -> None:
    if g._data.shape != leaf._data.shape:
        raise RuntimeError(
            f"backward: the gradient for a leaf of shape {leaf.shape} has shape {g.shape}; "
            "a custom Function's backward returned a gradient of the wrong shape"
        )
    old = leaf._grad
    if old is None:
        if create_graph:  # keep the graph; but .grad must be writable (zero_() etc.)
            leaf.grad = g if g._data.flags.writeable and g._data.base is None else g.clone()
        else:
            ga, la = g._data, leaf._data
            if exclusive and ga.strides == la.strides and ga.dtype == la.dtype:
                arr = ga  # the leaf may keep it (shape checked above)
            elif la.flags.c_contiguous:  # shared (with another leaf, a hook, the caller),
                # another dtype or laid out unlike the leaf: a copy in the leaf's dtype and
                # memory layout, PyTorch's "gradient layout contract"
                arr = np.array(ga, dtype=la.dtype, order="C")
            else:
                arr = np.empty_like(la)
                np.copyto(arr, ga, casting="unsafe")
            leaf._grad = Tensor._make(arr, False, None)
    elif create_graph:
        leaf.grad = old + g
    else:
        # in place, as PyTorch's: a .grad that carries a graph (from an earlier
        # create_graph=True backward) keeps it, and its version moves on (any .grad's does:
        # a backward that saved it must notice)
        np.add(old._data, g._data, out=old._data, casting="unsafe")
        vc = old._vc
        if vc is None:
            old._vc = [1]
        else:
            vc[0] += 1
