"""Distances between the rows of tensors: ``cdist``, ``pdist``, ``dist`` (exported by
:mod:`npgrad.ops.statistics`).

``cdist`` has its own Function: its backward gives 0 where a distance is 0, as PyTorch's, and
for ``p = 2`` it needs no ``(..., P, R, M)`` tensor of differences.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.autograd.function import Function
from npgrad.ops._promote import const, tensor_arg
from npgrad.ops.arithmetic import sub
from npgrad.ops.comparison import eq, where
from npgrad.ops.elementwise import abs as _abs
from npgrad.ops.elementwise import cast, sign
from npgrad.ops.reduction import norm
from npgrad.ops.reduction import sum as _sum
from npgrad.tensor import Tensor

__all__ = ["cdist", "dist", "pdist"]


def _p_number(op: str, p: Any) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise TypeError(f"{op}: p must be a number, got {type(p).__name__}")
    return float(p)


def _p_arg(op: str, p: Any) -> float:
    p = _p_number(op, p)
    if p < 0 or math.isnan(p):
        raise ValueError(f"{op}: only supports non-negative p values, got {p}")
    return p


class Cdist(Function):
    @staticmethod
    def forward(ctx: Any, x1: np.ndarray, x2: np.ndarray, p: float, use_mm: bool) -> np.ndarray:
        ctx.p = p
        if p == 2 and use_mm:
            out = _euclidean_mm(x1, x2)
            ctx.save_for_backward(x1, x2, out)
            return out
        diff = np.abs(x1[..., :, None, :] - x2[..., None, :, :])
        if p == 0:
            out = (diff != 0).sum(-1).astype(x1.dtype)
        elif p == 1:
            out = diff.sum(-1)
        elif p == 2:
            out = np.sqrt(np.einsum("...k,...k->...", diff, diff))
        elif math.isinf(p):
            out = diff.max(-1, initial=x1.dtype.type(0))
        else:
            out = (diff ** x1.dtype.type(p)).sum(-1) ** x1.dtype.type(1 / p)
        out = np.asarray(out, dtype=x1.dtype)
        ctx.save_for_backward(x1, x2, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None, None]:
        x1, x2, d = ctx.saved_tensors
        p = ctx.p
        need1, need2 = ctx.needs_input_grad[:2]
        if p == 2:
            # grad * (x1_i - x2_j) / d_ij summed over j (over i for x2), without the
            # (..., P, R, M) differences: two matrix products
            w = where(eq(d, 0), 0.0, grad / where(eq(d, 0), 1.0, d))
            g1 = x1 * _sum(w, -1, keepdim=True) - w @ x2 if need1 else None
            g2 = x2 * _sum(w, -2).unsqueeze(-1) - w.mT @ x1 if need2 else None
            return g1, g2, None, None
        diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)  # (..., P, R, M)
        g = grad.unsqueeze(-1)
        dd = d.unsqueeze(-1)
        # PyTorch's gradient of each p; 0 wherever the distance is 0
        if p == 0:
            gd = diff * 0.0
        elif p == 1:
            gd = g * sign(diff)
        elif math.isinf(p):
            gd = g * sign(diff) * cast(eq(_abs(diff), dd), diff.dtype)
        else:
            zero = eq(dd, 0)
            safe = where(zero, 1.0, dd)
            if p == 2:
                gd = g * diff / safe
            else:
                ad = _abs(diff)
                if p < 1:
                    # |diff|^(p-1) is infinite at diff = 0: PyTorch's gradient is 0 there
                    zero = zero | eq(ad, 0)
                    ad = where(eq(ad, 0), 1.0, ad)
                gd = g * sign(diff) * (ad / safe) ** (p - 1)
            gd = where(zero, 0.0, gd)
        g1 = _sum(gd, -2) if need1 else None
        g2 = -_sum(gd, -3) if need2 else None
        return g1, g2, None, None


def _euclidean_mm(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    # |a|^2 - 2 a.b + |b|^2 as one matrix product of padded operands (PyTorch's formulation,
    # so the rounding matches), clamped at 0 against cancellation
    dt = x1.dtype
    n1 = np.einsum("...k,...k->...", x1, x1)[..., None]
    n2 = np.einsum("...k,...k->...", x2, x2)[..., None]
    a = np.concatenate([x1 * dt.type(-2), n1, np.ones_like(n1)], -1)
    b = np.concatenate([x2, np.ones_like(n2), n2], -1)
    return np.sqrt(np.maximum(a @ np.swapaxes(b, -1, -2), dt.type(0)))


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str | None = None) -> Tensor:
    """The ``p``-norm distance between each row of ``x1`` ``(..., P, M)`` and each row of
    ``x2`` ``(..., R, M)``: a ``(..., P, R)`` tensor (batch dimensions broadcast).

    Differentiable; where a distance is 0 its gradient is 0, as PyTorch's. For ``p = 2``,
    ``compute_mode`` chooses as PyTorch's does between the direct formula and the faster,
    less exact ``|a|^2 - 2 a.b + |b|^2`` by matrix products: by default the latter when
    ``P > 25`` or ``R > 25``; ``"use_mm_for_euclid_dist"`` always,
    ``"donot_use_mm_for_euclid_dist"`` never.

    Examples
    --------
    >>> import npgrad
    >>> a = npgrad.tensor([[0.0, 0.0], [1.0, 1.0]])
    >>> npgrad.cdist(a, npgrad.tensor([[3.0, 4.0]]))
    tensor([[5.0000],
            [3.6056]])
    """
    a, b = tensor_arg("cdist", x1), tensor_arg("cdist", x2)
    p = _p_arg("cdist", p)
    if a.ndim < 2 or b.ndim < 2:
        raise ValueError(
            f"cdist: x1 and x2 must have at least 2 dimensions, got shapes {a.shape} and {b.shape}"
        )
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"cdist: x1 and x2 must have the same number of columns, got {a.shape} and {b.shape}"
        )
    if a.dtype.kind != "f" or b.dtype.kind != "f":
        raise TypeError(
            f"cdist: only floating point tensors are supported, got {a.dtype}, {b.dtype}"
        )
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(
            f"cdist: the batch dimensions of {a.shape} and {b.shape} cannot be broadcast"
        ) from None
    if compute_mode not in (
        None,
        "use_mm_for_euclid_dist_if_necessary",
        "use_mm_for_euclid_dist",
        "donot_use_mm_for_euclid_dist",
    ):
        raise ValueError(f"cdist: {compute_mode!r} is not a valid value for compute_mode")
    d = dtypes.promote_types(a.dtype, b.dtype)
    a, b = cast(a, d), cast(b, d)
    a = a.expand(*batch, *a.shape[-2:])
    b = b.expand(*batch, *b.shape[-2:])
    if compute_mode == "use_mm_for_euclid_dist":
        use_mm = True
    elif compute_mode == "donot_use_mm_for_euclid_dist":
        use_mm = False
    else:
        use_mm = a.shape[-2] > 25 or b.shape[-2] > 25
    return Cdist.apply(a, b, p, use_mm)  # type: ignore[no-any-return]


def pdist(input: Tensor, p: float = 2.0) -> Tensor:  # noqa: A002
    """The ``p``-norm distances between the rows of an ``(N, M)`` tensor, for each pair
    ``i < j`` in row-major order: ``N * (N - 1) / 2`` values.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.pdist(npgrad.tensor([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]))
    tensor([ 5., 10.,  5.])
    """
    x = tensor_arg("pdist", input)
    if x.ndim != 2:
        raise ValueError(f"pdist: only supports 2-D tensors, got {x.ndim}-D")
    n = x.shape[0]
    rows, cols = np.triu_indices(n, 1)
    return cdist(x, x, p)[const(rows.astype(np.int64)), const(cols.astype(np.int64))]


def dist(input: Tensor, other: Tensor, p: float = 2.0) -> Tensor:  # noqa: A002
    """The ``p``-norm of ``input - other`` (broadcasting), a 0-d tensor.

    As in PyTorch, ``p`` may be negative (``-inf`` gives the smallest absolute difference).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.dist(npgrad.tensor([1.0, 2.0]), npgrad.tensor([4.0, 6.0]))
    tensor(5.)
    """
    a, b = tensor_arg("dist", input), tensor_arg("dist", other)
    return norm(sub(a, b), _p_number("dist", p))
