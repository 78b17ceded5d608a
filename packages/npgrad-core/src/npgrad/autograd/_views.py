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
   (:class:`ViewFn`); when the base was written to after the view's node was made, the view's
   node is rebuilt from the base's current one the next time the view is used in an op.

Every view-making op is a :class:`ViewFunction`; only its outputs that NumPy actually made views
of the input are marked (``reshape`` may copy, advanced indexing always does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from npgrad.autograd.function import Function
from npgrad.autograd.grad_mode import is_grad_enabled_fast

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["ViewFunction"]


class ViewFn:
    """Replays a view op (and the chain of view ops before it) on the root base."""

    __slots__ = ("cls", "args", "kwargs", "k", "parent")

    def __init__(
        self, cls: type, args: tuple[Any, ...], kwargs: dict[str, Any], k: int | None, parent: Any
    ) -> None:
        self.cls, self.args, self.kwargs, self.k, self.parent = cls, args, kwargs, k, parent

    def __call__(self, root: Tensor) -> Tensor:
        src = root if self.parent is None else self.parent(root)
        out = self.cls.apply(src, *self.args, **self.kwargs)
        return out if self.k is None else out[self.k]  # type: ignore[no-any-return]


class ViewInfo:
    """What a view knows of its root base: the base itself, how to replay the view from it,
    the shared version counter, and the version its ``grad_fn`` was built at."""

    __slots__ = ("base", "fn", "vc", "version", "multi")

    def __init__(self, base: Tensor, fn: ViewFn, vc: list[int], multi: bool) -> None:
        self.base, self.fn, self.vc, self.version, self.multi = base, fn, vc, vc[0], multi


class ViewFunction(Function):
    """A Function whose outputs are views of its first input whenever NumPy gives views."""

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        out = super().apply(*args, **kwargs)
        src = args[0]
        multi = isinstance(out, tuple)
        for k, o in enumerate(out if multi else (out,)):
            a = o._data
            if a.base is not None and np.may_share_memory(a, src._data):
                if src._view is None:
                    root, parent = src, None
                else:
                    root, parent = src._view.base, src._view.fn
                fn = ViewFn(cls, args[1:], kwargs, k if multi else None, parent)
                o._view = ViewInfo(root, fn, shared_counter(root), multi)
                o._vc = o._view.vc
        return out


def shared_counter(t: Tensor) -> list[int]:
    """``t``'s version counter, made shareable (a fresh tensor has none until needed)."""
    vc = t._vc
    if vc is None:
        vc = t._vc = [0]
    return vc


def refresh(t: Tensor) -> None:
    """Rebuild the node of view ``t`` if its base was written to since it was made."""
    info = t._view
    if info is None or info.version == info.vc[0] or not is_grad_enabled_fast():
        return
    info.version = info.vc[0]
    base = info.base
    if base._requires_grad:
        new = info.fn(base)
        t.grad_fn, t._output_nr, t._requires_grad = new.grad_fn, new._output_nr, True


def check_write(t: Tensor, op: str) -> None:
    """Refuse the in-place ops on a view that PyTorch refuses (before anything is written)."""
    info = t._view
    if info is None or not is_grad_enabled_fast():
        return
    refresh(t)
    base = info.base
    if base._requires_grad and base.grad_fn is None:
        raise RuntimeError(
            f"{op}: a view of a leaf Variable that requires grad is being used in an in-place "
            "operation; wrap it in `with npgrad.no_grad():` or clone() the view"
        )
    if base._requires_grad and info.multi:
        k = info.fn.k
        name = info.fn.cls.__name__
        raise RuntimeError(
            f"{op}: output {k} of {name} is a view and is being modified inplace. This view is "
            "the output of a function that returns multiple views. Such functions do not "
            "allow the output views to be modified inplace. You should replace the inplace "
            "operation by an out-of-place one."
        )


def write_through(t: Tensor, result: Tensor | None) -> None:
    """``t`` (a view) was written in place with ``result`` (None: with constants): make its
    base's node a CopySlices of its former history and ``result``, and rebuild ``t``'s node."""
    from npgrad.tensor import Tensor

    info = t._view
    assert info is not None
    base = info.base
    if info.multi and result is not None and result._requires_grad:
        check_write(t, "inplace")
    old = Tensor._make(base._data, base._requires_grad, base.grad_fn, base._output_nr)
    src = result if result is not None and result._requires_grad else None
    node = CopySlices.apply(old, src, info.fn)
    base.grad_fn, base._output_nr, base._requires_grad = node.grad_fn, 0, True
    info.version = info.vc[0]
    new = info.fn(base)
    t.grad_fn, t._output_nr, t._requires_grad = new.grad_fn, new._output_nr, True


def overwritten(t: Tensor) -> None:
    """``t`` (in the graph) was overwritten with constants: like PyTorch, it stays in the
    graph, through a node that gives its former history a zero gradient."""
    from npgrad.tensor import Tensor

    old = Tensor._make(t._data, True, t.grad_fn, t._output_nr)
    node = Fill.apply(old)
    t.grad_fn, t._output_nr = node.grad_fn, 0


def _flat_index(fn: ViewFn, shape: tuple[int, ...]) -> np.ndarray:
    """For each element of the view ``fn`` replays, its flat position in the base. Replaying on
    ``arange`` works whatever the base's memory layout (a copying reshape gives the same
    values as a viewing one)."""
    from npgrad.tensor import Tensor

    ids = Tensor._make(np.arange(int(np.prod(shape)), dtype=np.intp).reshape(shape), False, None)
    return fn(ids)._data


class CopySlices(Function):
    """The node of a base written through a view: forward has nothing left to do (the values
    are already in the base's memory); backward splits the gradient between the base's former
    history (the written region zeroed) and the written values (the region itself)."""

    @staticmethod
    def forward(ctx: Any, base: np.ndarray, src: Any, fn: ViewFn) -> np.ndarray:
        ctx.fn, ctx.shape = fn, base.shape
        return base

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None]:
        from npgrad.ops.indexing import IndexPut

        need_base, need_src = ctx.needs_input_grad[:2]
        g_base = g_src = None
        if need_base:
            idx = _flat_index(ctx.fn, ctx.shape).reshape(-1)
            zero = np.zeros((), grad.dtype)
            g_base = IndexPut.apply(grad.reshape(-1), zero, (Ellipsis,), (idx,), False)
            g_base = g_base.reshape(ctx.shape)
        if need_src:
            g_src = ctx.fn(grad)
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
