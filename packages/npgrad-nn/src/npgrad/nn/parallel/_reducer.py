"""Gradient averaging for ``DistributedDataParallel``: buckets filled from autograd hooks.

The parameters are split into **buckets** of at most ``bucket_cap_mb`` megabytes of one dtype,
in reverse registration order, because backward produces the gradients of the last layers
first. Each bucket owns one flat array. A post-accumulate-grad hook on every parameter marks it
ready when its ``.grad`` is final for this backward pass; when the last parameter of a bucket is
ready, its gradients are copied into the flat array and one non-blocking all-reduce (``AVG``)
starts, while backward goes on with the earlier layers. Buckets start strictly in index order
(a bucket that fills early waits for the ones before it), so every rank issues the same
collectives in the same order whatever order its hooks fire in. When the last bucket has
started, the reducer waits for all of them and writes the averages back into ``.grad``.

With ``find_unused_parameters`` the forward's output graph is searched for the parameters it
reaches; the others are marked ready at once and contribute zeros (or their current ``.grad``).
One more small all-reduce tells which parameters no rank used: their ``.grad`` is left as it
was, as in PyTorch.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from npgrad import Tensor
from npgrad import distributed as dist

__all__ = ["Reducer", "assign_buckets", "reachable_leaves"]


def assign_buckets(params: list[Tensor], cap_bytes: int) -> list[list[int]]:
    """Group parameter indices into buckets: one dtype each, at most ``cap_bytes`` (a larger
    parameter gets a bucket of its own), filled in reverse order of ``params``.

    Examples
    --------
    >>> import npgrad
    >>> ps = [npgrad.zeros(100), npgrad.zeros(100), npgrad.zeros(10, dtype=npgrad.float64)]
    >>> assign_buckets(ps, cap_bytes=500)
    [[1], [2], [0]]
    >>> assign_buckets(ps, cap_bytes=10**6)
    [[2], [1, 0]]
    """
    closed: list[list[int]] = []
    open_: dict[np.dtype, tuple[list[int], list[int]]] = {}  # dtype -> (indices, [bytes])
    for i in reversed(range(len(params))):
        p = params[i]
        indices, used = open_.setdefault(p.dtype, ([], [0]))
        if indices and used[0] + p.nbytes > cap_bytes:
            closed.append(indices.copy())
            indices.clear()
            used[0] = 0
        indices.append(i)
        used[0] += p.nbytes
    closed.extend(indices for indices, _ in open_.values() if indices)
    return closed


def reachable_leaves(outputs: Any) -> set[int]:
    """The ids of the leaf tensors that the graphs of ``outputs`` (tensors in any nesting of
    tuples, lists and dicts) reach."""
    stack: list[Any] = []
    todo = [outputs]
    while todo:
        obj = todo.pop()
        if isinstance(obj, Tensor):
            if obj.requires_grad:
                stack.append(obj if obj.grad_fn is None else obj.grad_fn)
        elif isinstance(obj, (list, tuple)):
            todo.extend(obj)
        elif isinstance(obj, dict):
            todo.extend(obj.values())
    seen: set[int] = set()
    leaves: set[int] = set()
    while stack:
        vertex = stack.pop()
        if id(vertex) in seen:
            continue
        seen.add(id(vertex))
        if vertex._is_leaf_vertex:
            leaves.add(id(vertex))
            continue
        stack.extend(child for child, _ in vertex.next_functions if child is not None)
    return leaves


class _Bucket:
    __slots__ = ("indices", "flat", "views", "pending", "work")

    def __init__(self, indices: list[int], params: list[Tensor]) -> None:
        self.indices = indices
        sizes = [params[i].numel() for i in indices]
        self.flat = np.zeros(sum(sizes), dtype=params[indices[0]].dtype)
        offsets = np.cumsum([0, *sizes])
        self.views = [
            self.flat[offsets[k] : offsets[k + 1]].reshape(params[i].shape)
            for k, i in enumerate(indices)
        ]
        self.pending = len(indices)
        self.work: dist.Work | None = None


def _on_grad_ready(reducer_ref: weakref.ref[Reducer], index: int) -> Any:
    def hook(param: Tensor) -> None:
        reducer = reducer_ref()
        if reducer is not None:
            reducer.grad_ready(index)

    return hook


def _remove_all(handles: list[Any]) -> None:
    for handle in handles:
        handle.remove()


class Reducer:
    """Averages the gradients of ``params`` across ranks after each backward pass.

    Parameters
    ----------
    params : list of Tensor
        The parameters that require grad, in registration order.
    names : list of str
        Their names, for error messages.
    cap_bytes : int
        The largest bucket.
    find_unused : bool
        Search the forward's output graph for parameters it does not reach.
    as_view : bool
        Leave each ``.grad`` as a view of its bucket (``gradient_as_bucket_view``).
    """

    def __init__(
        self,
        params: list[Tensor],
        names: list[str],
        cap_bytes: int,
        find_unused: bool,
        as_view: bool,
    ) -> None:
        self.params = params
        self.names = names
        self.find_unused = find_unused
        self.as_view = as_view
        self.buckets = [_Bucket(b, params) for b in assign_buckets(params, cap_bytes)]
        self.bucket_of = [0] * len(params)
        self.view_of: list[np.ndarray] = [np.empty(0)] * len(params)
        for b, bucket in enumerate(self.buckets):
            for i, view in zip(bucket.indices, bucket.views):
                self.bucket_of[i] = b
                self.view_of[i] = view
        self.armed = False  # a forward with gradient sync ran; its backward's hooks reduce
        self.finished = False  # this iteration's gradients have been averaged
        self.ready = np.zeros(len(params), dtype=bool)
        self.used = np.zeros(len(params), dtype=np.int32)
        self.next_bucket = 0
        ref = weakref.ref(self)
        handles = [
            p.register_post_accumulate_grad_hook(_on_grad_ready(ref, i))
            for i, p in enumerate(params)
        ]
        # the hooks outlive a dropped DDP wrapper only as no-ops until this removes them
        weakref.finalize(self, _remove_all, handles)

    # ---- one iteration -----------------------------------------------------------------------
    def check_finished(self) -> None:
        """Raise if the previous backward started reducing but some parameter got no gradient."""
        if not (self.armed and self.ready.any()):
            return
        missing = [self.names[i] for i in np.flatnonzero(~self.ready)]
        raise RuntimeError(
            "DistributedDataParallel: Expected to have finished reduction in the prior iteration "
            "before starting a new one. This error indicates that your module has parameters "
            "that were not used in producing loss. Enable unused parameter detection by passing "
            "find_unused_parameters=True to DistributedDataParallel, and make sure all forward "
            "outputs participate in calculating the loss. Parameters that did not receive a "
            f"gradient on rank {dist.get_rank()}: {', '.join(missing)}"
        )

    def prepare(self, outputs: Any) -> None:
        """Start an iteration whose backward will reduce the gradients."""
        self.check_finished()
        self._reset(armed=True)
        if self.find_unused:
            reached = reachable_leaves(outputs)
            for i, p in enumerate(self.params):
                if id(p) not in reached:
                    self._mark_ready(i)

    def disarm(self) -> None:
        """The next backward only accumulates locally (``no_sync`` or grad disabled)."""
        self.check_finished()
        self._reset(armed=False)

    def _reset(self, armed: bool) -> None:
        self.armed = armed
        self.finished = False
        self.ready[:] = False
        self.used[:] = 0
        self.next_bucket = 0
        for bucket in self.buckets:
            bucket.pending = len(bucket.indices)
            bucket.work = None

    def grad_ready(self, index: int) -> None:
        """Post-accumulate-grad hook of parameter ``index``."""
        if not self.armed:
            if self.finished:
                raise RuntimeError(
                    f"DistributedDataParallel: backward ran again after the gradients were "
                    f"averaged (parameter {self.names[index]}): its gradients would differ "
                    "between the ranks. Run a new forward through the DistributedDataParallel "
                    "module for every backward, inside no_sync() for local accumulation"
                )
            return
        if self.ready[index]:
            raise RuntimeError(
                f"DistributedDataParallel: parameter {self.names[index]} received its gradient "
                "twice in one iteration (a second backward through the same forward): run "
                "forward again, or use no_sync() for the extra backward passes"
            )
        self.used[index] = 1
        self._mark_ready(index)
        # Testing the reductions in flight lets MPI move their data while backward goes on
        for bucket in self.buckets[: self.next_bucket]:
            if bucket.work is not None:
                bucket.work.is_completed()

    def _mark_ready(self, index: int) -> None:
        self.ready[index] = True
        bucket = self.buckets[self.bucket_of[index]]
        bucket.pending -= 1
        if bucket.pending == 0:
            while (
                self.next_bucket < len(self.buckets) and self.buckets[self.next_bucket].pending == 0
            ):
                self._launch(self.buckets[self.next_bucket])
                self.next_bucket += 1
            if self.next_bucket == len(self.buckets):
                self._finish()

    def _launch(self, bucket: _Bucket) -> None:
        for i, view in zip(bucket.indices, bucket.views):
            grad = self.params[i].grad
            if grad is None:
                view.fill(0)
            elif grad._data is not view:
                np.copyto(view, grad._data, casting="unsafe")
        flat = Tensor._make(bucket.flat, False, None)
        bucket.work = dist.all_reduce(flat, op=dist.ReduceOp.AVG, async_op=True)

    def _finish(self) -> None:
        used = None
        if self.find_unused:
            used = Tensor._make(self.used.copy(), False, None)
            dist.all_reduce(used, op=dist.ReduceOp.MAX)
        for bucket in self.buckets:
            if bucket.work is not None:  # every bucket has started by now
                bucket.work.wait()
        for i, p in enumerate(self.params):
            if used is not None and not used._data[i]:
                continue  # no rank used it: its .grad stays as it was
            self._write_back(p, self.view_of[i])
        self.armed = False
        self.finished = True

    def _write_back(self, p: Tensor, view: np.ndarray) -> None:
        grad = p.grad
        if grad is not None and grad._data is view:
            return
        if self.as_view:
            p.grad = Tensor._make(view, False, None)
        elif grad is None or grad._data.shape != view.shape or not grad._data.flags.writeable:
            p.grad = Tensor._make(view.copy(), False, None)
        else:
            np.copyto(grad._data, view, casting="unsafe")
            grad._version += 1
