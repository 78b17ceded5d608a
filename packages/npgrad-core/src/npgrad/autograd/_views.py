"""Views and in-place ops: what PyTorch does when memory is shared.

A *view* (``y[1:]``, ``y.t()``, ``y.view(...)``, ``split``...) is a Tensor whose array is a
NumPy view of another's. Three rules make in-place ops on shared memory safe:

1. **One version counter per memory.** A view, its base and ``detach()`` aliases share one
   counter (``Tensor._vc``), so a backward that saved any of them notices a write through any
   other and raises, instead of silently using the new values.
2. **Writes through a view reach the base's graph.** After ``v.mul_(2)`` on a view of ``y``,
   ``y``'s ``grad_fn`` becomes ``CopySlicesBackward``: the gradient of the written region goes
   to the new values' graph, the rest to ``y``'s former history.
3. **Views follow their base.** A view records how to replay itself from its root base
   (``Tensor._view``); when the base was written to after the view's node was made, the view's
   node is rebuilt from the base's current one the next time the view is used in an op.

Every view-making op is a :class:`ViewFunction`; only its outputs that NumPy actually made views
of the input are marked (``reshape`` may copy, advanced indexing always does).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from npgrad.autograd.function import Function
from npgrad.autograd.grad_mode import is_grad_enabled_fast

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["ViewFunction"]


# A view's ``_view`` is the tuple ``(cls, args, kwargs, k, version)``: the view op that made
# it (``args[0]`` is the tensor it is a view of), which output of a multi-output op it is (k,
# else None), and the version its ``grad_fn`` was built at. A tuple, not an object: views are
# made on every reshape, transpose and slice, and this is all the bookkeeping they cost.
_CLS, _ARGS, _KWARGS, _K, _VERSION = range(5)


class ViewFunction(Function):
    """A Function whose outputs are views of its first input whenever NumPy gives views."""

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        out = _apply(cls, *args, **kwargs)
        src = args[0]
        s = src._data
        owner = s if s.base is None else s.base
        vc = src._vc
        if vc is None:
            vc = src._vc = [0]
        if type(out) is tuple:
            for k, o in enumerate(out):
                if _shares(o._data, s, owner):
                    o._view, o._vc = (cls, args, kwargs, k, vc[0]), vc
            return out
        a = out._data
        b = a.base
        # NumPy points a view's ``base`` at the array owning the memory: an identity test is
        # enough but for as_strided views and memory-mapped arrays
        if b is not None and (b is owner or b is s or np.may_share_memory(a, s)):
            out._view, out._vc = (cls, args, kwargs, None, vc[0]), vc
        return out


_apply = Function.apply.__func__  # type: ignore[attr-defined]


def _shares(a: np.ndarray, s: np.ndarray, owner: Any) -> bool:
    b = a.base
    return b is not None and (b is owner or b is s or np.may_share_memory(a, s))


def base_of(t: Tensor) -> Tensor:
    """The root of ``t``'s chain of views (``t`` itself when it is no view)."""
    while t._view is not None:
        t = t._view[_ARGS][0]
    return t


def view_ops(t: Tensor) -> list[tuple[Any, ...]]:
    """The view ops that make ``t`` from its base, in order, without the tensors in between
    (a node may keep them without keeping the graph alive)."""
    ops = []
    while t._view is not None:
        cls, args, kwargs, k, _ = t._view
        ops.append((cls, args[1:], kwargs, k))
        t = args[0]
    return ops[::-1]


def replay(ops: list[tuple[Any, ...]], root: Tensor) -> Tensor:
    """The view ``ops`` (see :func:`view_ops`) applied again, to ``root``: the base itself, or
    any tensor of its shape."""
    out = root
    for cls, args, kwargs, k in ops:
        out = cls.apply(out, *args, **kwargs)
        if k is not None:
            out = out[k]
    return out


def shared_counter(t: Tensor) -> list[int]:
    """``t``'s version counter, made shareable (a fresh tensor has none until needed)."""
    vc = t._vc
    if vc is None:
        vc = t._vc = [0]
    return vc


def refresh(t: Tensor) -> None:
    """Rebuild the node of view ``t`` if its base was written to since it was made."""
    view = t._view
    if view is None or view[_VERSION] == t._vc[0] or not is_grad_enabled_fast():  # type: ignore[index]
        return
    _set_version(t)
    base = base_of(t)
    if base._requires_grad:
        new = replay(view_ops(t), base)
        t.grad_fn, t._output_nr, t._requires_grad = new.grad_fn, new._output_nr, True


def _set_version(t: Tensor) -> None:
    cls, args, kwargs, k, _ = t._view
    t._view = (cls, args, kwargs, k, t._vc[0])  # type: ignore[index]


def check_write(t: Tensor, op: str) -> None:
    """Refuse the in-place ops on a view that PyTorch refuses (before anything is written)."""
    view = t._view
    if view is None or not is_grad_enabled_fast():
        return
    refresh(t)
    base = base_of(t)
    if base._requires_grad and not t._requires_grad:  # a view made under no_grad: join the graph
        _set_version(t)
        new = replay(view_ops(t), base)
        t.grad_fn, t._output_nr, t._requires_grad = new.grad_fn, new._output_nr, True
    if base._requires_grad and base.grad_fn is None:
        raise RuntimeError(
            f"{op}: a view of a leaf Variable that requires grad is being used in an in-place "
            "operation; wrap it in `with npgrad.no_grad():` or clone() the view"
        )
    if base._requires_grad and view[_K] is not None:
        raise RuntimeError(
            f"{op}: output {view[_K]} of {view[_CLS].__name__} is a view and is being modified "
            "inplace. This view is the output of a function that returns multiple views. Such "
            "functions do not allow the output views to be modified inplace. You should replace "
            "the inplace operation by an out-of-place one."
        )


def write_through(t: Tensor, result: Tensor | None) -> None:
    """``t`` (a view) was written in place with ``result`` (None: with constants): make its
    base's node a CopySlices of its former history and ``result``, and rebuild ``t``'s node."""
    from npgrad.tensor import Tensor

    base = base_of(t)
    old = Tensor._make(base._data, base._requires_grad, base.grad_fn, base._output_nr)
    src = result if result is not None and result._requires_grad else None
    ops = view_ops(t)
    node = CopySlices.apply(old, src, ops)
    base.grad_fn, base._output_nr, base._requires_grad = node.grad_fn, 0, True
    base._move_retained_grad(old.grad_fn, old._output_nr)  # a retained .grad follows
    _set_version(t)
    new = replay(ops, base)
    t.grad_fn, t._output_nr, t._requires_grad = new.grad_fn, new._output_nr, True


def overwritten(t: Tensor) -> None:
    """``t`` (in the graph) was overwritten with constants: like PyTorch, it stays in the
    graph, through a node that gives its former history a zero gradient."""
    from npgrad.tensor import Tensor

    old = Tensor._make(t._data, True, t.grad_fn, t._output_nr)
    node = Fill.apply(old)
    t.grad_fn, t._output_nr = node.grad_fn, 0


def _flat_index(ops: list[tuple[Any, ...]], shape: tuple[int, ...]) -> np.ndarray:
    """For each element of the view ``ops`` make, its flat position in the base. Replaying on
    ``arange`` works whatever the base's memory layout (a copying reshape gives the same
    values as a viewing one)."""
    from npgrad.tensor import Tensor

    ids = Tensor._make(np.arange(math.prod(shape), dtype=np.intp).reshape(shape), False, None)
    return replay(ops, ids)._data


class CopySlices(Function):
    """The node of a base written through a view: forward has nothing left to do (the values
    are already in the base's memory); backward splits the gradient between the base's former
    history (the written region zeroed) and the written values (the region itself)."""

    @staticmethod
    def forward(ctx: Any, base: np.ndarray, src: Any, ops: list[tuple[Any, ...]]) -> np.ndarray:
        ctx.ops, ctx.shape = ops, base.shape
        return base

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None]:
        from npgrad.ops.indexing import IndexPut

        need_base, need_src = ctx.needs_input_grad[:2]
        g_base = g_src = None
        if need_base:
            idx = _flat_index(ctx.ops, ctx.shape).reshape(-1)
            zero = np.zeros((), grad.dtype)
            g_base = IndexPut.apply(grad.reshape(-1), zero, (Ellipsis,), (idx,), False)
            g_base = g_base.reshape(ctx.shape)
        if need_src:
            g_src = replay(ctx.ops, grad)
        return g_base, g_src, None


class Fill(Function):
    """The node of a tensor overwritten with constants (``fill_``, ``zero_``, ``copy_``):
    zero gradient for what it held before."""

    @staticmethod
    def forward(ctx: Any, old: np.ndarray) -> np.ndarray:
        return old

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        from npgrad.tensor import Tensor

        return Tensor._make(np.zeros(grad.shape, grad.dtype), False, None)
