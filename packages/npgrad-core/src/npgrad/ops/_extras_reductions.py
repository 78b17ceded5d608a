"""The reductions among the PyTorch conveniences: ``count_nonzero``, ``nansum``/``nanmean``,
``var_mean``/``std_mean`` and ``bincount``; compositions of the reductions of
:mod:`npgrad.ops.reduction`, so their gradients come for free. Re-exported by
:mod:`npgrad.ops.extras`.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.ops._aliases import numpy_aliases as _numpy_aliases
from npgrad.ops._promote import const, tensor_arg
from npgrad.ops.arithmetic import div
from npgrad.ops.comparison import isnan, where
from npgrad.ops.reduction import Std, Var, _var, mean
from npgrad.ops.reduction import sum as _sum
from npgrad.tensor import Tensor, _check_dim


# ---- reductions ------------------------------------------------------------------------------
def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    """The number of non-zero elements (over ``dim``: an int, a tuple of ints, or all), as an
    int64 tensor. No gradient.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.count_nonzero(npgrad.tensor([[0, 1, 2], [0, 0, 3]]), dim=1)
    tensor([2, 1])
    """
    x = tensor_arg("count_nonzero", input)
    if dim is None or (isinstance(dim, (tuple, list)) and not dim):  # () too: every dim
        axis: Any = None
    elif isinstance(dim, (tuple, list)):
        axis = tuple(_check_dim("count_nonzero", d, x.ndim) for d in dim)
        if len(set(axis)) != len(axis):
            raise ValueError(f"count_nonzero: dim {tuple(dim)} appears multiple times")
    else:
        axis = _check_dim("count_nonzero", dim, x.ndim)
    out = np.count_nonzero(x._data, axis=axis) if x.ndim else np.count_nonzero(x._data)
    return Tensor._make(np.asarray(out, dtype=np.int64), False, None)


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """Sum treating nan as zero; nan elements get zero gradient.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.nansum(npgrad.tensor([1.0, float("nan"), 2.0]))
    tensor(3.)
    """
    x = tensor_arg("nansum", input)
    if x.dtype.kind == "f":
        x = where(isnan(x), 0.0, x)
    return _sum(x, dim, keepdim, dtype=dtype)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """Mean of the non-nan elements (nan where there are none). Floating point only.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.nanmean(npgrad.tensor([[1.0, float("nan")], [2.0, 4.0]]), dim=1)
    tensor([1., 3.])
    """
    x = tensor_arg("nanmean", input)
    target = x.dtype if dtype is None else dtypes.to_dtype(dtype)
    if x.dtype.kind != "f" or target.kind != "f":
        raise TypeError(f"nanmean: expected a floating point input and dtype, got {target}")
    keep = Tensor._make(~np.isnan(x._data), False, None)
    count = _sum(keep, dim, keepdim, dtype=target)
    with np.errstate(invalid="ignore", divide="ignore"):  # all-nan slices: nan, silently
        return div(nansum(x, dim, keepdim, dtype=target), count)


# ---- var_mean, std_mean, bincount ------------------------------------------------------------
def _moments(
    op: str, fn: Any, input: Any, dim: Any, unbiased: Any, keepdim: Any, correction: Any
) -> tuple[Tensor, Tensor]:
    x = tensor_arg(op, input)
    if isinstance(dim, bool):  # var_mean(x, False): PyTorch's overload taking unbiased first
        dim, unbiased = None, dim
    spread = _var(op, fn, x, dim, unbiased, keepdim, correction)
    return spread, mean(x, dim, bool(keepdim))


@_numpy_aliases
def var_mean(
    input: Tensor,  # noqa: A002
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    """``(var(input, ...), mean(input, ...))`` over ``dim``, with :func:`var`'s arguments
    (``correction`` defaults to 1; ``unbiased=False`` is 0). A plain tuple, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.var_mean(npgrad.tensor([[1.0, 2.0], [3.0, 6.0]]), dim=1)
    (tensor([0.5000, 4.5000]), tensor([1.5000, 4.5000]))
    """
    return _moments("var_mean", Var, input, dim, unbiased, keepdim, correction)


@_numpy_aliases
def std_mean(
    input: Tensor,  # noqa: A002
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    """``(std(input, ...), mean(input, ...))`` over ``dim``, with :func:`std`'s arguments.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.std_mean(npgrad.tensor([1.0, 3.0]), correction=0)
    (tensor(1.), tensor(2.))
    """
    return _moments("std_mean", Std, input, dim, unbiased, keepdim, correction)


def bincount(input: Tensor, weights: Any = None, minlength: int = 0) -> Tensor:  # noqa: A002
    """How many times each value ``0 .. max(input)`` occurs in a 1-d tensor of non-negative
    integers (at least ``minlength`` counts), as int64; with ``weights`` (one per element),
    their sums instead: float32 for float32 weights, float64 for any other dtype (PyTorch's
    rule). No gradient.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.bincount(npgrad.tensor([1, 1, 3]))
    tensor([0, 2, 0, 1])
    >>> npgrad.bincount(npgrad.tensor([1, 1, 3]), weights=npgrad.tensor([0.5, 0.5, 2.0]))
    tensor([0., 1., 0., 2.])
    """
    x = tensor_arg("bincount", input)
    if x.dtype.kind not in "iu":
        raise TypeError(f"bincount: expected an integer tensor, got {x.dtype}")
    if x.ndim != 1 or (x.numel() and x._data.min() < 0):
        raise ValueError(
            f"bincount: only supports 1-d non-negative integral inputs, got shape {x.shape}"
            + (f" with minimum {x._data.min()}" if x.ndim == 1 else "")
        )
    if isinstance(minlength, bool):
        raise TypeError("bincount: minlength must be an int")
    n = operator.index(minlength)
    if n < 0:
        raise ValueError(f"bincount: minlength should be >= 0, got {n}")
    idx = x._data.astype(np.intp, copy=False)
    if weights is None:
        return const(np.bincount(idx, minlength=n).astype(np.int64, copy=False))
    w = tensor_arg("bincount", weights)
    if w.shape != x.shape:
        raise ValueError(
            "bincount: weights should be 1-d and have the same length as input, got shapes "
            f"{w.shape} and {x.shape}"
        )
    out_dtype = np.float32 if w.dtype == np.float32 else np.float64
    counts = np.bincount(idx, weights=w._data.astype(np.float64), minlength=n)
    return const(counts.astype(out_dtype, copy=False))
