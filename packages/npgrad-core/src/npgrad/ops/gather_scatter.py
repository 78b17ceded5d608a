"""Gather and scatter along a dimension: gather, scatter, scatter_add, scatter_reduce and
take_along_dim, plus the key helpers :mod:`npgrad.ops.selection` shares. Re-exported by
:mod:`npgrad.ops.shape`.

Every op here reads or writes a tensor at an *advanced key* and is built on the adjoint pairs
of :mod:`npgrad.ops.indexing`: ``Index`` (read at a key) whose backward is ``IndexScatter``
(add into zeros at the key) and back, and ``IndexPut`` (write or add at a key) whose backward
is again ``IndexPut`` and ``Index``. ``gather(x, dim, index)`` is ``x[key]`` with the key that
replaces coordinate ``dim`` by ``index``, and ``scatter_add`` adds at that key. So every
gradient here is itself differentiable, to any order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad.autograd.function import Function
from npgrad.ops._promote import const, fill_value, tensor_arg
from npgrad.ops._shape_util import ShapeError
from npgrad.ops.comparison import where
from npgrad.ops.indexing import Index, IndexPut
from npgrad.tensor import Tensor, _check_dim

__all__ = [
    "gather",
    "index_reduce",
    "scatter",
    "scatter_add",
    "scatter_reduce",
    "take_along_dim",
]

_ALL = (Ellipsis,)  # the "basic" part of every key here: the whole tensor


class Gather(Index):
    """``a[key]`` for the key built by :func:`_along`; backward scatter-adds into zeros."""


class Scatter(IndexPut):
    """Write (or, with ``accumulate``, add) ``src`` at a gather key; see :class:`IndexPut`."""


class ScatterAdd(IndexPut):
    pass


def _read(t: Tensor, key: tuple[Any, ...]) -> Tensor:
    return Index.apply(t, basic=_ALL, adv=key)  # type: ignore[no-any-return]


# ---- argument checks -------------------------------------------------------------------------
def _index(op: str, index: Any, name: str = "index") -> np.ndarray:
    """``index`` (a Tensor, array or list of integers) as an integer array of its own: a
    copy, since the backward uses it and the caller may change the original in place."""
    if isinstance(index, Tensor):
        arr = index._data.copy()
    elif isinstance(index, (np.ndarray, list, tuple, int, np.integer)):
        arr = np.array(index)
        if arr.size == 0 and arr.dtype.kind == "f":  # an empty list
            arr = arr.astype(np.int64)
    else:
        raise TypeError(f"{op}: {name} must be an integer tensor, got {type(index).__name__}")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{op}: expected an integer {name} tensor, got dtype {arr.dtype}")
    return arr


def _bounds(op: str, idx: np.ndarray, n: int, dim: int, negative: bool = False) -> np.ndarray:
    """Raise IndexError for entries outside ``[0, n)`` (``[-n, n)`` when ``negative``, which
    are then wrapped to ``[0, n)``)."""
    if idx.size:
        lo, hi = idx.min(), idx.max()
        if hi >= n or lo < (-n if negative else 0):
            bad = hi if hi >= n else lo
            raise IndexError(
                f"{op}: index {bad} is out of bounds for dimension {dim} with size {n}"
            )
        if negative and lo < 0:
            return idx % n
    return idx


def _along(index: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """The key that reads, for each position ``p`` of ``index``, the element at ``p`` with its
    coordinate ``dim`` replaced by ``index[p]`` (the other coordinates as aranges that
    broadcast against ``index``)."""
    nd = index.ndim
    return tuple(
        index if d == dim else np.arange(n).reshape((n,) + (1,) * (nd - 1 - d))
        for d, n in enumerate(index.shape)
    )


def _gather_key(
    op: str, shape: tuple[int, ...], dim: int, idx: np.ndarray, src: tuple[int, ...] | None = None
) -> tuple[np.ndarray, ...]:
    """Check ``idx`` against PyTorch's gather/scatter rules; return its key into ``shape``."""
    nd = max(len(shape), 1)
    if max(idx.ndim, 1) != nd or (src is not None and max(len(src), 1) != nd):
        what = "input" if src is None else "input and src"
        raise ShapeError(
            f"{op}: index (shape {idx.shape}) must have as many dimensions as the {what} "
            f"(shape {shape}{'' if src is None else f' and {src}'})"
        )
    if len(shape) <= 1:  # a 1-d key; 0-d input is indexed as a 1-element vector
        if src is not None and idx.size > max(int(np.prod(src)), 1):
            raise ShapeError(f"{op}: index of shape {idx.shape} is larger than src {src}")
        n = shape[0] if shape else 1
        return (_bounds(op, idx.reshape(-1) if src is not None else idx, n, dim),)
    for d, k in enumerate(idx.shape):
        if (d != dim and k > shape[d]) or (src is not None and k > src[d]):
            raise ShapeError(
                f"{op}: index of shape {idx.shape} must be no larger than the input {shape} "
                f"apart from dimension {dim}"
                + ("" if src is None else f", and no larger than src {src}")
            )
    return _along(_bounds(op, idx, shape[dim], dim), dim)


def _same_dtype(op: str, x: Tensor, src: Tensor, name: str = "src") -> None:
    if src.dtype != x.dtype:
        raise TypeError(
            f"{op}: expected {name} to have the input's dtype {x.dtype}, got {src.dtype}"
        )


def _mask(op: str, mask: Any) -> np.ndarray:
    # a copy, like _index's
    m = mask._data.copy() if isinstance(mask, Tensor) else np.array(mask)
    if m.dtype.kind != "b":
        raise TypeError(f"{op}: only supports boolean masks, but got mask with dtype {m.dtype}")
    return m


def _broadcast(op: str, a: tuple[int, ...], b: tuple[int, ...], what: str) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        raise ShapeError(
            f"{op}: the shapes of the input {a} and the {what} {b} cannot be broadcast together"
        ) from None


def _scalar_value(op: str, value: Any, dtype: np.dtype) -> Tensor:
    """A fill value (number or 0-d tensor) as a 0-d Tensor of ``dtype`` (differentiable)."""
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise ShapeError(
                f"{op}: only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)"
            )
        if value.dtype != dtype:  # its number must fit ``dtype``, as a Python number's must
            fill_value(op, value._data.item(), dtype)
        return value.to(dtype)
    if not isinstance(value, (bool, int, float, np.generic)):
        raise TypeError(f"{op}: value must be a number or a 0-d tensor, got {type(value).__name__}")
    # a number out of the dtype's range raises, as in PyTorch (1e5 into float16, 300 into int8)
    value = fill_value(op, value, dtype)
    return const(np.asarray(value).astype(dtype))


# ---- gather / scatter ------------------------------------------------------------------------
def gather(input: Tensor, dim: int, index: Any, *, sparse_grad: bool = False) -> Tensor:  # noqa: A002
    """Values of ``input`` along ``dim`` at ``index``: ``out[i][j] = input[index[i][j]][j]``
    for ``dim=0`` (and likewise in any dimension). ``index`` has ``input``'s number of
    dimensions and is no larger in the others; the result has ``index``'s shape.

    The gradient scatter-adds into ``input``'s shape, so repeated indices accumulate.
    ``sparse_grad`` is accepted and ignored (gradients are dense).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> npgrad.gather(x, 1, npgrad.tensor([[0, 0], [1, 0]]))
    tensor([[1., 1.],
            [4., 3.]])
    """
    x = tensor_arg("gather", input)
    d = _check_dim("gather", dim, x.ndim)
    idx = _index("gather", index)
    key = _gather_key("gather", x.shape, d, idx)
    return Gather.apply(x.reshape(1) if x.ndim == 0 else x, basic=_ALL, adv=key)  # type: ignore[no-any-return]


def _scatter_args(
    op: str,
    input: Any,
    dim: int,
    index: Any,
    src: Any,  # noqa: A002
) -> tuple[Tensor, int, tuple[np.ndarray, ...], Tensor | None]:
    """Check the arguments of a scatter; return the 1-d view of a 0-d input, the dim, the key
    and ``src`` cut to the index's shape (its elements beyond it are unused: zero gradient)."""
    x = tensor_arg(op, input)
    d = _check_dim(op, dim, x.ndim)
    idx = _index(op, index)
    if src is not None:
        _same_dtype(op, x, tensor_arg(op, src))
    key = _gather_key(op, x.shape, d, idx, None if src is None else src.shape)
    if x.ndim == 0:
        x = x.reshape(1)
        idx = idx.reshape(-1)
        src = None if src is None else src.reshape(-1)
    if src is not None and src.shape != idx.shape:
        src = src[tuple(slice(0, n) for n in idx.shape)]
    return x, d, key, src


def _fill_at(x: Tensor, key: tuple[Any, ...], value: Any) -> Tensor:
    return Scatter.apply(x, const(np.asarray(value, x.dtype)), _ALL, key, False)  # type: ignore[no-any-return]


def scatter(
    input: Tensor,  # noqa: A002
    dim: int,
    index: Any,
    src: Any = None,
    value: Any = None,
    *,
    reduce: str | None = None,
) -> Tensor:
    """A copy of ``input`` with ``src`` written along ``dim`` at ``index`` (the inverse of
    :func:`gather`): ``out[index[i][j]][j] = src[i][j]`` for ``dim=0``. A number (positional
    or ``value=``) writes that number instead; ``reduce`` (``"add"``/``"multiply"``) combines
    with the existing values instead of overwriting.

    With repeated indices one of the written values wins (which one is unspecified, as in
    PyTorch); the gradient of ``src`` is the output gradient gathered at ``index``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.scatter(npgrad.zeros(2, 3), 1, npgrad.tensor([[2], [0]]), npgrad.ones(2, 1))
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    >>> npgrad.scatter(npgrad.zeros(3), 0, npgrad.tensor([0, 2]), 5.0)
    tensor([5., 0., 5.])
    """
    if src is not None and not isinstance(src, Tensor):
        if value is not None:
            raise TypeError("scatter: got both a number as src and a value")
        src, value = None, src
    if (src is None) == (value is None):
        raise TypeError("scatter: expected exactly one of src (a Tensor) and value (a number)")
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise ValueError(f"scatter: reduce must be 'add' or 'multiply', got {reduce!r}")
        if src is None:
            x = tensor_arg("scatter", input)
            v = _scalar_value("scatter", value, x.dtype)._data  # checked: 1e5 into float16 raises
            src = const(np.full(_index("scatter", index).shape, v, x.dtype))
        return scatter_reduce(input, dim, index, src, "sum" if reduce == "add" else "prod")
    x, _, key, s = _scatter_args("scatter", input, dim, index, src)
    if s is None:  # a number, outside the graph (PyTorch's Scalar)
        s = _scalar_value("scatter", value.item() if isinstance(value, Tensor) else value, x.dtype)
    out = Scatter.apply(x, s, _ALL, key, False)
    return out.reshape(()) if input.ndim == 0 else out  # type: ignore[no-any-return]


def scatter_add(input: Tensor, dim: int, index: Any, src: Tensor) -> Tensor:  # noqa: A002
    """A copy of ``input`` with ``src`` added along ``dim`` at ``index``; repeated indices
    accumulate (``out[index[i][j]][j] += src[i][j]`` for ``dim=0``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.scatter_add(npgrad.zeros(3), 0, npgrad.tensor([0, 0, 2]), npgrad.ones(3))
    tensor([2., 0., 1.])
    """
    x, _, key, s = _scatter_args("scatter_add", input, dim, index, src)
    out = ScatterAdd.apply(x, s, _ALL, key, True)
    return out.reshape(()) if input.ndim == 0 else out  # type: ignore[no-any-return]


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def scatter_reduce(
    input: Tensor,  # noqa: A002
    dim: int,
    index: Any,
    src: Tensor,
    reduce: str,
    *,
    include_self: bool = True,
) -> Tensor:
    """Reduce ``src`` into a copy of ``input`` along ``dim`` at ``index`` with ``reduce``:
    ``"sum"``, ``"prod"``, ``"mean"``, ``"amax"`` or ``"amin"``. With ``include_self=False``
    the values of ``input`` at the positions scattered to are left out of the reduction.

    Gradients follow PyTorch: ``mean`` divides by the number of reduced values, ``amax`` and
    ``amin`` share the gradient evenly among the tied extremes, ``prod`` handles zeros exactly.
    Integer ``mean`` rounds down.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([1.0, 2.0, 3.0])
    >>> src = npgrad.tensor([5.0, 1.0, 4.0])
    >>> npgrad.scatter_reduce(x, 0, npgrad.tensor([0, 0, 2]), src, "amax")
    tensor([5., 2., 4.])
    >>> npgrad.scatter_reduce(x, 0, npgrad.tensor([0, 0, 2]), src, "mean", include_self=False)
    tensor([3., 2., 4.])
    """
    if reduce not in _REDUCTIONS:
        raise ValueError(f"scatter_reduce: reduce must be one of {_REDUCTIONS}, got {reduce!r}")
    x, _, key, s = _scatter_args("scatter_reduce", input, dim, index, src)
    if reduce == "sum":
        out = ScatterAdd.apply(x if include_self else _fill_at(x, key, 0), s, _ALL, key, True)
    elif reduce == "mean":
        count = np.full(x.shape, 1 if include_self else 0, x.dtype)
        np.add.at(count, key, 1)
        count[count == 0] = 1  # positions nothing was scattered to keep their value
        total = ScatterAdd.apply(x if include_self else _fill_at(x, key, 0), s, _ALL, key, True)
        out = total / const(count) if x.dtype.kind == "f" else total // const(count)
    elif reduce == "prod":
        prod = ScatterProd.apply(s, x.shape, key)
        if include_self:
            out = x * prod
        else:
            hit = np.zeros(x.shape, bool)
            hit[key] = True
            out = where(const(hit), prod, x)
    else:
        out = ScatterExtreme.apply(x, s, key, reduce == "amax", include_self)
    return out.reshape(()) if input.ndim == 0 else out  # type: ignore[no-any-return]


class ScatterProd(Function):
    """Ones of ``shape`` multiplied at ``key`` by ``src``: for each position, the product of
    the ``src`` elements scattered there."""

    @staticmethod
    def forward(ctx: Any, src: np.ndarray, shape: tuple[int, ...], key: Any) -> np.ndarray:
        out = np.ones(shape, src.dtype)
        np.multiply.at(out, key, src)
        ctx.shape, ctx.key = shape, key
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(src, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        # d prod / d src_j is the product of the other elements at j's position: prod / src_j
        # where src_j != 0. A zero can't be divided out: its product is computed again with
        # that zero replaced by 1, one zero per position at a time. Each recomputation has one
        # zero fewer per position, so the recursion of second order ends, and every step is
        # exact (at several zeros too, where the value is 0 but the derivative is not).
        src, prod = ctx.saved_tensors
        zero = src._data == 0
        excl = _read(prod, ctx.key) / where(const(zero), 1.0, src)
        if zero.any():
            rank = _zero_ranks(zero, ctx.key, ctx.shape)
            for r in range(int(rank.max()) + 1):
                sel = const(zero & (rank == r))
                others = ScatterProd.apply(where(sel, 1.0, src), ctx.shape, ctx.key)
                excl = where(sel, _read(others, ctx.key), excl)
        return _read(grad, ctx.key) * excl, None, None


def _zero_ranks(zero: np.ndarray, key: tuple[Any, ...], shape: tuple[int, ...]) -> np.ndarray:
    """For each zero of ``src``, how many zeros scattered to the same position precede it
    (-1 for non-zeros)."""
    pos = np.ravel_multi_index(np.broadcast_arrays(*key), shape)[zero]
    order = np.argsort(pos, kind="stable")
    ordered = pos[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(ordered)]))
    ranks = np.empty(len(pos), np.intp)
    ranks[order] = np.arange(len(pos)) - run_start
    out = np.full(zero.shape, -1, np.intp)
    out[zero] = ranks
    return out


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    eq = a == b
    return eq | (np.isnan(a) & np.isnan(b)) if a.dtype.kind == "f" else eq


class ScatterExtreme(Function):
    """``scatter_reduce`` with ``amax`` / ``amin``."""

    @staticmethod
    def forward(
        ctx: Any, a: np.ndarray, src: np.ndarray, key: Any, largest: bool, include_self: bool
    ) -> np.ndarray:
        ufunc = np.maximum if largest else np.minimum  # both propagate nan, like PyTorch
        out = a.copy()
        if not include_self:
            hit = np.zeros(a.shape, bool)
            hit[key] = True
            if a.dtype.kind == "f":
                start = -np.inf if largest else np.inf
            elif a.dtype.kind == "b":
                start = not largest
            else:
                start = np.iinfo(a.dtype).min if largest else np.iinfo(a.dtype).max
            out[hit] = start
        ufunc.at(out, key, src)
        if any(ctx.needs_input_grad[:2]):
            # ties share the gradient evenly (PyTorch's rule), counting the input itself
            # only where it took part in the reduction
            from_a = _same(a, out) if include_self else _same(a, out) & ~hit
            from_src = _same(src, out[key])
            n = from_a.astype(a.dtype)
            np.add.at(n, key, from_src.astype(a.dtype))
            ctx.masks = (from_a, from_src, np.maximum(n, 1))
            ctx.key = key
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None, None, None]:
        from_a, from_src, n = ctx.masks
        share = grad / const(n)
        ga = where(const(from_a), share, 0.0) if ctx.needs_input_grad[0] else None
        gs = where(const(from_src), _read(share, ctx.key), 0.0) if ctx.needs_input_grad[1] else None
        return ga, gs, None, None, None


# ---- take_along_dim ------------------------------------------------------------------------
def take_along_dim(input: Tensor, indices: Any, dim: int | None = None) -> Tensor:  # noqa: A002
    """:func:`gather` with ``input`` and ``indices`` broadcast against each other outside
    ``dim`` (negative indices count from the end); with no ``dim``, both are flattened (and,
    as in PyTorch, indices must then be non-negative).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([[10.0, 30.0, 20.0], [60.0, 40.0, 50.0]])
    >>> npgrad.take_along_dim(x, npgrad.argmax(x, dim=1, keepdim=True), dim=1)
    tensor([[30.],
            [60.]])
    """
    x = tensor_arg("take_along_dim", input)
    idx = _index("take_along_dim", indices, "indices")
    if dim is None:
        idx = _bounds("take_along_dim", idx.reshape(-1), x.numel(), 0)  # like gather
        return Gather.apply(x.reshape(-1), basic=_ALL, adv=(idx,))  # type: ignore[no-any-return]
    d = _check_dim("take_along_dim", dim, x.ndim)
    if idx.ndim != x.ndim:
        raise ShapeError(
            f"take_along_dim: input (shape {x.shape}) and indices (shape {idx.shape}) should "
            "have the same number of dimensions"
        )
    if x.ndim == 0:
        return gather(x, 0, _bounds("take_along_dim", idx, 1, 0, negative=True))
    n = x.shape[d]
    want = x.shape[:d] + (idx.shape[d],) + x.shape[d + 1 :]
    shape = _broadcast("take_along_dim", want, idx.shape, "indices")
    idx = np.broadcast_to(_bounds("take_along_dim", idx, n, d, negative=True), shape)
    xshape = shape[:d] + (n,) + shape[d + 1 :]
    return Gather.apply(
        x.expand(xshape) if xshape != x.shape else x, basic=_ALL, adv=_along(idx, d)
    )  # type: ignore[no-any-return]


_INDEX_REDUCTIONS = ("prod", "mean", "amax", "amin")


def index_reduce(
    input: Tensor,  # noqa: A002
    dim: int,
    index: Any,
    source: Tensor,
    reduce: str,
    *,
    include_self: bool = True,
) -> Tensor:
    """Reduce the slices of ``source`` along ``dim`` into a copy of ``input`` at the slices
    ``index[i]``, with ``reduce``: ``"prod"``, ``"mean"``, ``"amax"`` or ``"amin"``. With
    ``include_self=False`` the values of ``input`` at the indexed slices are left out.
    Differentiable in ``input`` and ``source``, with :func:`scatter_reduce`'s gradients.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.ones(3)
    >>> npgrad.index_reduce(x, 0, npgrad.tensor([0, 0, 2]), npgrad.tensor([2.0, 3.0, 4.0]), "prod")
    tensor([6., 1., 4.])
    """
    if reduce not in _INDEX_REDUCTIONS:
        raise ValueError(f"index_reduce: reduce must be one of {_INDEX_REDUCTIONS}, got {reduce!r}")
    x, src = tensor_arg("index_reduce", input), tensor_arg("index_reduce", source)
    idx = _index("index_reduce", index)
    if idx.ndim > 1:
        raise ShapeError(f"index_reduce: index must be 1-D, got shape {idx.shape}")
    xs = x.shape if x.ndim else (1,)
    d = _check_dim("index_reduce", dim, len(xs))
    want = xs[:d] + (idx.size,) + xs[d + 1 :]
    ss = src.shape if src.ndim else (1,)
    if ss != want:
        raise ShapeError(
            f"index_reduce: source of shape {src.shape} must have the shape of input "
            f"{x.shape} with dimension {d} of size len(index) = {idx.size}, i.e. {want}"
        )
    n = xs[d]
    raw = idx.reshape(-1)
    if raw.size and (raw.min() < -n or raw.max() >= n):
        raise IndexError(
            f"index_reduce: index out of range for dimension {d} of size {n} (got values in "
            f"[{raw.min()}, {raw.max()}])"
        )
    full = np.broadcast_to(
        np.where(raw < 0, raw + n, raw).reshape((1,) * d + (-1,) + (1,) * (len(xs) - d - 1)),
        want,
    )
    out = scatter_reduce(
        x.reshape(xs),
        d,
        const(np.ascontiguousarray(full)),
        src.reshape(want),
        reduce,
        include_self=include_self,
    )
    return out.reshape(x.shape) if x.ndim == 0 else out
