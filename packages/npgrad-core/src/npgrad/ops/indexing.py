"""Indexing (``x[key]``), assignment through an index (``x[key] = v``, ``index_put``) and the
ops built on indexing: narrow and pad. Re-exported by :mod:`npgrad.ops.shape`.

The backward of indexing scatters the gradient into zeros (``np.add.at``, so repeated indices
accumulate), and that scatter's own backward is indexing again: second order works.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from npgrad.autograd._views import ViewFunction
from npgrad.autograd.function import Function
from npgrad.autograd.grad_mode import is_grad_enabled
from npgrad.ops._broadcast import sum_to
from npgrad.ops._promote import fill_value
from npgrad.ops._shape_util import ShapeError, _ints, _need_dims
from npgrad.tensor import Tensor, _check_dim

__all__ = ["getitem", "index_put", "narrow", "pad", "put", "setitem"]


# ---- indexing: x[key] ------------------------------------------------------------------------
# PyTorch applies integers, slices, None and Ellipsis first, as basic indexing, and only then
# the index arrays (where NumPy would count an integer as one more advanced index: x[0, :, [0,
# 1]] is (4, 2) in PyTorch and (2, 4) in NumPy for x of shape (3, 4, 5)). A key is therefore
# split in two: a basic key (a view), then an advanced key over the view's dimensions holding
# only arrays and full slices, for which NumPy's placement rule is PyTorch's.
_BAD_INDEX = (
    "only integers, slices (`:`), ellipsis (`...`), None, booleans and integer or boolean "
    "tensors/arrays are valid indices"
)


def _index_item(k: Any) -> Any:
    """A key element as an int, bool, slice, None, Ellipsis, or an integer/boolean array."""
    if k is None or k is Ellipsis or isinstance(k, slice):
        return k
    if isinstance(k, (bool, np.bool_)):
        return bool(k)
    if isinstance(k, (int, np.integer)):
        return int(k)
    # index arrays are copied: the backward uses them, and the caller may change its tensor or
    # array in place after the forward (PyTorch raises then; npgrad's gradient stays right)
    if isinstance(k, Tensor):
        arr = k._data.copy()
    elif isinstance(k, np.ndarray):
        arr = k.copy()
    elif isinstance(k, (list, tuple, range)):
        arr = np.asarray(k) if len(k) else np.zeros(0, np.int64)
    else:
        raise IndexError(f"getitem: {_BAD_INDEX} (got {type(k).__name__})")
    if arr.dtype == np.uint8:
        arr = arr.astype(bool)  # PyTorch reads byte tensors as masks
    if arr.dtype.kind == "b":
        return bool(arr) if arr.ndim == 0 else arr
    if arr.dtype.kind in "iu":
        return int(arr) if arr.ndim == 0 else arr  # a 0-d integer tensor selects, like an int
    raise IndexError(
        f"getitem: tensors used as indices must be integer or boolean, got {arr.dtype}"
    )


def _sequence_as_tuple(key: Any) -> bool:
    """PyTorch's legacy rule (NumPy's of old): a list of fewer than 32 elements holding a
    tensor, an array, a sequence, a slice, None or Ellipsis indexes several dimensions, like
    a tuple -- deprecated, with PyTorch's warning."""
    if type(key) is not list or len(key) >= 32:
        return False
    if not any(
        k is None or k is Ellipsis or isinstance(k, (Tensor, np.ndarray, list, tuple, range, slice))
        for k in key
    ):
        return False
    warnings.warn(
        "Using a non-tuple sequence for multidimensional indexing is deprecated; use "
        "x[tuple(seq)] instead of x[seq] (PyTorch will read it as a tensor index, "
        "x[tensor(seq)], in a future version)",
        UserWarning,
        stacklevel=5,  # the user's x[...]: through _parse_key, getitem, Tensor.__getitem__
    )
    return True


def _parse_key(
    shape: tuple[int, ...], key: Any, check_bounds: bool = True
) -> tuple[tuple[Any, ...], tuple[Any, ...] | None]:
    """Split ``key`` into ``(basic, advanced)`` so that ``a[key]`` (PyTorch's meaning) is
    ``a[basic][advanced]``; ``advanced`` is None when the key has no index arrays.

    Without ``check_bounds`` the index arrays' values are left for NumPy to check (see
    :func:`getitem`)."""
    if type(key) is not tuple:
        key = tuple(key) if _sequence_as_tuple(key) else (key,)
    if len(key) <= len(shape) and all(type(k) is int or type(k) is slice for k in key):
        # the common x[i], x[:, a:b]: basic indexing only (``type(...) is int`` skips bools)
        for d, k in enumerate(key):
            if type(k) is int and not -shape[d] <= k < shape[d]:
                raise IndexError(
                    f"getitem: index {k} is out of bounds for dimension {d} with size {shape[d]}"
                )
        return key + (Ellipsis,), None
    items = [_index_item(k) for k in key]  # exactly None, Ellipsis, bool, int, slice, ndarray
    ndim, used, ellipses = len(shape), 0, 0
    for k in items:
        t = type(k)
        if t is np.ndarray:
            used += k.ndim if k.dtype.kind == "b" else 1
        elif t is int or t is slice:
            used += 1
        elif k is Ellipsis:
            ellipses += 1
    if ellipses > 1:
        raise IndexError("getitem: an index can only have a single ellipsis ('...')")
    if used > ndim:
        raise IndexError(
            f"getitem: too many indices for a tensor of dimension {ndim} (shape {shape}): "
            f"the key indexes {used} dimensions"
        )
    basic: list[Any] = []
    adv: dict[int, np.ndarray] = {}
    i = o = 0  # the dimension being indexed in the input, and in the basic view
    for k in items:
        if k is None or isinstance(k, bool):  # True / False add a dimension of size 1 / 0
            basic.append(None)
            if k is False:
                adv[o] = np.zeros(0, np.intp)
            o += 1
        elif k is Ellipsis:
            basic.append(Ellipsis)
            i, o = i + ndim - used, o + ndim - used
        elif isinstance(k, int):
            if not -shape[i] <= k < shape[i]:
                raise IndexError(
                    f"getitem: index {k} is out of bounds for dimension {i} with size {shape[i]}"
                )
            basic.append(k)
            i += 1
        elif isinstance(k, slice):
            basic.append(k)
            i, o = i + 1, o + 1
        elif k.dtype.kind == "b":
            if k.shape != shape[i : i + k.ndim]:
                raise IndexError(
                    f"getitem: the shape of the mask {k.shape} at index {i} does not match the "
                    f"shape of the indexed tensor {shape} at index {i}"
                )
            basic.extend([slice(None)] * k.ndim)
            adv[o] = k
            i, o = i + k.ndim, o + k.ndim
        else:
            n = shape[i]
            if check_bounds and k.size and (k.max() >= n or k.min() < -n):
                bad = k.max() if k.max() >= n else k.min()
                raise IndexError(
                    f"getitem: index {bad} is out of bounds for dimension {i} with size {n}"
                )
            basic.append(slice(None))
            adv[o] = k
            i, o = i + 1, o + 1
    if Ellipsis not in basic:
        basic.append(Ellipsis)  # makes an all-integer key give a 0-d view, not a NumPy scalar
    if not adv:
        return tuple(basic), None
    advanced: list[Any] = []
    p = 0  # the view's dimension the next key element applies to (a mask spans several)
    for pos in sorted(adv):
        advanced.extend([slice(None)] * (pos - p))
        advanced.append(adv[pos])
        p = pos + (adv[pos].ndim if adv[pos].dtype.kind == "b" else 1)
    return tuple(basic), tuple(advanced)


class Index(ViewFunction):
    _array_backward = True  # backward: the scatter itself on arrays, IndexScatter on Tensors

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, basic: tuple[Any, ...], adv: Any) -> np.ndarray:
        ctx.in_shape, ctx.basic, ctx.adv = a.shape, basic, adv
        out = a[basic]
        return out if adv is None else out[adv]

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        if isinstance(grad, np.ndarray):  # first order, on arrays (_array_backward)
            return _scatter(grad, ctx.in_shape, ctx.basic, ctx.adv)  # type: ignore[return-value]
        return IndexScatter.apply(grad, shape=ctx.in_shape, basic=ctx.basic, adv=ctx.adv)  # type: ignore[no-any-return]


class IndexScatter(Function):
    """Zeros of ``shape`` with ``g`` added at ``[basic][adv]``: the backward of indexing.
    ``np.add.at`` makes repeated indices accumulate; its own backward is indexing again."""

    @staticmethod
    def forward(
        ctx: Any, g: np.ndarray, shape: tuple[int, ...], basic: Any, adv: Any
    ) -> np.ndarray:
        ctx.basic, ctx.adv = basic, adv
        return _scatter(g, shape, basic, adv)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return Index.apply(grad, basic=ctx.basic, adv=ctx.adv)  # type: ignore[no-any-return]


def _scatter(g: np.ndarray, shape: tuple[int, ...], basic: Any, adv: Any) -> np.ndarray:
    """:class:`IndexScatter`'s forward on arrays (also indexing's first-order backward)."""
    out = np.zeros(shape, g.dtype)
    target = out[basic]  # a view of ``out``: basic indexing never copies
    if adv is None:
        target[...] = g
    elif all(_is_mask(k) for k in adv if isinstance(k, np.ndarray)):
        target[adv] = g  # masks select each element at most once
    elif g.dtype.kind == "f" and _unique_rows(target.shape, adv):
        # np.add.at is up to ~40x slower than assignment when whole rows are gathered (an
        # embedding's backward); with no repeated index the sum is the assignment. ``+ 0``
        # keeps the bits np.add.at gives on zeros (-0.0 becomes +0.0)
        target[adv] = g + g.dtype.type(0)
    else:  # masks as the integer arrays they stand for: the most portable np.add.at key
        key = sum(((*k.nonzero(),) if _is_mask(k) else (k,) for k in adv), ())
        np.add.at(target, key, g)
    return out


def _unique_rows(shape: tuple[int, ...], adv: tuple[Any, ...]) -> bool:
    """True when ``adv`` is one integer index array (the rest full slices) with no element
    selected twice (``-1`` and ``n - 1`` are the same element)."""
    arrays = [(d, k) for d, k in enumerate(adv) if isinstance(k, np.ndarray)]
    if len(arrays) != 1 or arrays[0][1].dtype.kind not in "iu":
        return False
    d, k = arrays[0]
    if k.size <= 1:
        return True
    s = np.sort(k, axis=None)
    if s[0] < 0:
        s = np.sort(np.where(s < 0, s + shape[d], s))
    return bool((s[1:] != s[:-1]).all())


def _is_mask(k: Any) -> bool:
    return isinstance(k, np.ndarray) and k.dtype.kind == "b"


class Pad(Index):
    """Reflect / replicate / circular padding: a gather with index arrays (see :func:`pad`)."""


def getitem(input: Tensor, key: Any) -> Tensor:  # noqa: A002
    """``input[key]`` with PyTorch's semantics: ints, slices (negative steps too), None,
    Ellipsis, integer arrays/lists/tensors and boolean masks, in any combination.

    Basic indexing gives a view; index arrays give a copy. In the backward, repeated indices
    accumulate their gradients.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.arange(12).reshape(3, 4)
    >>> x[1, ::-2]
    tensor([7, 5])
    >>> x[[0, 2], 1:3]
    tensor([[ 1,  2],
            [ 9, 10]])
    >>> x[x[:, 0] > 0, -1]
    tensor([ 7, 11])
    """
    # NumPy checks the index arrays' bounds as it reads them, with PyTorch's rule (-n <= i < n):
    # only when it raises is the key checked again for the message naming the dimension (the
    # two reductions per index array cost ~5 us). Writes check first: nothing half-written.
    basic, adv = _parse_key(input.shape, key, check_bounds=False)
    try:
        return Index.apply(input, basic=basic, adv=adv)  # type: ignore[no-any-return]
    except IndexError as e:
        if adv is None:
            raise
        numpy_error = e
    _parse_key(input.shape, key)  # raises the message naming the dimension and its size
    raise numpy_error


class IndexPut(Function):
    """``a`` with ``value`` written (or, with ``accumulate``, added) at ``[basic][adv]``."""

    @staticmethod
    def forward(
        ctx: Any, a: np.ndarray, value: np.ndarray, basic: Any, adv: Any, accumulate: bool
    ) -> np.ndarray:
        ctx.key, ctx.accumulate, ctx.value_shape = (basic, adv), accumulate, np.shape(value)
        out = a.copy()
        target = out[basic]
        if adv is None:
            if accumulate:
                target += value
            else:
                target[...] = value
        elif accumulate:
            key = sum(((*k.nonzero(),) if _is_mask(k) else (k,) for k in adv), ())
            np.add.at(target, key, np.broadcast_to(value, target[adv].shape))
        else:
            target[adv] = value
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None, None, None]:
        basic, adv = ctx.key
        need_a, need_v = ctx.needs_input_grad[:2]
        ga = gv = None
        if need_a:  # overwritten positions get no gradient (added ones pass it through)
            ga = (
                grad
                if ctx.accumulate
                else IndexPut.apply(grad, np.zeros((), grad.dtype), basic, adv, False)
            )
        if need_v:
            gv = sum_to(Index.apply(grad, basic, adv), ctx.value_shape)
        return ga, gv, None, None, None


def index_put(input: Tensor, indices: Any, values: Any, accumulate: bool = False) -> Tensor:  # noqa: A002
    """A copy of ``input`` with ``values`` (broadcast) written at ``input[indices]``, or
    added there when ``accumulate`` (repeated indices then add up). Differentiable in both.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.zeros(4)
    >>> npgrad.index_put(x, (npgrad.tensor([0, 0, 2]),), npgrad.tensor(1.0), accumulate=True)
    tensor([2., 0., 1., 0.])
    >>> x
    tensor([0., 0., 0., 0.])
    """
    basic, adv = _parse_key(input.shape, indices)
    value = values
    if not isinstance(value, Tensor):
        value = Tensor._make(
            np.asarray(fill_value("setitem", value, input.dtype), input.dtype), False, None
        )
    elif value.dtype != input.dtype:
        value = value.to(input.dtype)
    try:
        return IndexPut.apply(input, value, basic, adv, accumulate)  # type: ignore[no-any-return]
    except ValueError:
        raise ValueError(
            f"setitem: a value of shape {value.shape} can't be broadcast to the indexed shape "
            f"{Index.apply(input.detach(), basic, adv).shape}"
        ) from None


def setitem(input: Tensor, key: Any, value: Any) -> None:  # noqa: A002
    """``input[key] = value`` in place: differentiable in ``input`` (the positions not
    overwritten) and in ``value``; bumps the version counter.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.zeros(2, 3)
    >>> x[0, 1:] = 5.0
    >>> x
    tensor([[0., 5., 5.],
            [0., 0., 0.]])
    """
    input._check_inplace("setitem")
    records = is_grad_enabled() and (
        input.requires_grad or (isinstance(value, Tensor) and value.requires_grad)
    )
    if records:
        input._inplace("setitem", index_put, key, value)
        return
    basic, adv = _parse_key(input.shape, key)
    src = value._data if isinstance(value, Tensor) else fill_value("setitem", value, input.dtype)
    target = input._data[basic]
    try:
        if adv is None:
            target[...] = src
        else:
            target[adv] = src
    except ValueError:
        raise ValueError(
            f"setitem: a value of shape {np.shape(src)} can't be broadcast to the indexed shape "
            f"{(target if adv is None else target[adv]).shape}"
        ) from None
    input._mark_modified(None)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:  # noqa: A002
    """The view ``input[..., start:start + length, ...]`` along dimension ``dim``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.arange(10).reshape(2, 5).narrow(1, 1, 3)
    tensor([[1, 2, 3],
            [6, 7, 8]])
    """
    _need_dims("narrow", input)
    d = _check_dim("narrow", dim, input.ndim)
    n = input.shape[d]
    start, length = operator.index(start), operator.index(length)
    if not -n <= start <= n:  # the error types are PyTorch's
        raise IndexError(
            f"narrow: start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    start += n if start < 0 else 0
    if length < 0:
        raise RuntimeError(f"narrow: length must be non-negative, got {length}")
    if length > n - start:
        raise RuntimeError(
            f"narrow: start ({start}) + length ({length}) exceeds dimension {d} of size {n}"
        )
    key = (slice(None),) * d + (slice(start, start + length), ...)
    return Index.apply(input, basic=key, adv=None)  # type: ignore[no-any-return]


# ---- pad -----------------------------------------------------------------------------------
class ConstantPad(Function):
    @staticmethod
    def forward(
        ctx: Any, a: np.ndarray, pads: tuple[tuple[int, int], ...], value: Any
    ) -> np.ndarray:
        # ``pads`` has one (before, after) pair per dimension; negative amounts crop
        ctx.pads = pads
        shape = tuple(n + lo + hi for n, (lo, hi) in zip(a.shape, pads))
        out = np.full(shape, value, a.dtype)
        # stops clamped at 0: a crop larger than the data must select nothing, not wrap around
        dst = tuple(slice(max(lo, 0), max(m - max(hi, 0), 0)) for m, (lo, hi) in zip(shape, pads))
        src = tuple(
            slice(max(-lo, 0), max(n + min(hi, 0), 0)) for n, (lo, hi) in zip(a.shape, pads)
        )
        out[dst] = a[src]
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        # the adjoint of padding with zeros is cropping, which is padding by minus the amount
        back = tuple((-lo, -hi) for lo, hi in ctx.pads)
        return ConstantPad.apply(grad, pads=back, value=0)  # type: ignore[no-any-return]


def _pad_index(mode: str, n: int, lo: int, hi: int, dim: int, shape: tuple[int, ...]) -> np.ndarray:
    """For each output position along one dimension, the input position it copies."""
    where = f"dimension {dim} of the input (shape {shape})"
    if mode == "circular":
        # crop first, then wrap around what is left (PyTorch's order for this mode)
        first, m = max(-lo, 0), n - max(-lo, 0) - max(-hi, 0)
        lo, hi = max(lo, 0), max(hi, 0)
        if m < 0 or lo > m or hi > m:
            raise ShapeError(
                f"pad: circular padding ({lo}, {hi}) wraps around more than once on {where}"
            )
        return first + np.arange(-lo, m + hi) % max(m, 1)
    pos = np.arange(-lo, n + hi)
    if mode == "reflect":
        if max(lo, hi) >= n:
            raise ShapeError(
                f"pad: reflect padding ({lo}, {hi}) must be smaller than the size {n} of {where}"
            )
        return np.abs(n - 1 - np.abs(n - 1 - np.abs(pos)))  # mirror at 0 and at n - 1
    if n == 0 and (lo > 0 or hi > 0):
        raise ShapeError(f"pad: cannot replicate-pad the empty {where}")
    return np.clip(pos, 0, n - 1)


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: Any = None) -> Tensor:  # noqa: A002
    """Pad ``input`` like ``torch.nn.functional.pad``: ``pad`` lists (before, after) amounts
    starting from the LAST dimension; negative amounts crop.

    ``mode`` is ``"constant"`` (fill with ``value``, default 0), ``"reflect"`` (mirror without
    repeating the edge), ``"replicate"`` (repeat the edge) or ``"circular"`` (wrap around).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([[1.0, 2.0, 3.0]])
    >>> npgrad.pad(x, (1, 2))
    tensor([[0., 1., 2., 3., 0., 0.]])
    >>> npgrad.pad(x, (2, 1), mode="reflect")
    tensor([[3., 2., 1., 2., 3., 2.]])
    """
    amounts = _ints("pad", (pad,), "pad")
    nd, shape = input.ndim, input.shape
    if len(amounts) % 2 or len(amounts) // 2 > nd:
        raise ShapeError(
            f"pad: the padding length must be even and at most twice the number of dimensions "
            f"({nd}, shape {shape}); got pad {amounts}"
        )
    k = len(amounts) // 2
    pairs = [(0, 0)] * (nd - k) + [(amounts[2 * j], amounts[2 * j + 1]) for j in range(k)][::-1]
    if mode == "constant":
        for d, (n, (lo, hi)) in enumerate(zip(shape, pairs)):
            if n + lo + hi < 0:
                raise ShapeError(
                    f"pad: the input size {n}, plus negative padding {lo} and {hi}, gives a "
                    f"negative output size for dimension {d} of the input (shape {shape})"
                )
        return ConstantPad.apply(input, pads=tuple(pairs), value=0 if value is None else value)  # type: ignore[no-any-return]
    if mode not in ("reflect", "replicate", "circular"):
        raise ValueError(
            f"pad: unrecognised padding mode {mode!r}; expected 'constant', 'reflect', "
            "'replicate' or 'circular'"
        )
    if value is not None:
        raise ValueError(f"pad: padding mode {mode!r} doesn't take a value argument")
    idx = [_pad_index(mode, shape[d], *pairs[d], d, shape) for d in range(nd - k, nd)]
    # one gather over the last k dims: adjacent index arrays broadcast to their outer product
    key = (Ellipsis,) + tuple(ix.reshape((-1,) + (1,) * (k - 1 - j)) for j, ix in enumerate(idx))
    return Pad.apply(input, basic=(Ellipsis,), adv=key)  # type: ignore[no-any-return]


def put(input: Tensor, index: Any, source: Any, accumulate: bool = False) -> Tensor:  # noqa: A002
    """A copy of ``input`` with ``source`` written at the positions ``index`` of
    ``input`` read as if it were 1-D (negative positions count from the end), or added there
    when ``accumulate``. ``index`` and ``source`` have the same number of elements.
    Differentiable in ``input`` and ``source``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.put(npgrad.zeros(2, 2), npgrad.tensor([0, -1]), npgrad.tensor([1.0, 2.0]))
    tensor([[1., 0.],
            [0., 2.]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"put: expected input to be a Tensor, got {type(input).__name__}")
    if not isinstance(index, Tensor) or index.dtype.kind not in "iu":
        raise TypeError(f"put: index must be an integer Tensor, got {index!r}")
    src = source if isinstance(source, Tensor) else Tensor._make(np.asarray(source), False, None)
    if src.numel() != index.numel():
        raise ShapeError(
            f"put: expected source and index to have the same number of elements, got "
            f"source.numel() = {src.numel()}, index.numel() = {index.numel()}"
        )
    n = input.numel()
    raw = index._data.reshape(-1)
    if raw.size and (raw.min() < -n or raw.max() >= n):
        raise IndexError(
            f"put: index out of range for a tensor of {n} elements (got values in "
            f"[{raw.min()}, {raw.max()}])"
        )
    if src.dtype != input.dtype:
        src = src.to(input.dtype)
    flat = index_put(
        input.reshape(-1), (index.reshape(-1),), src.reshape(-1), accumulate=accumulate
    )
    return flat.reshape(input.shape)
