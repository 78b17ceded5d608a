"""``gradient`` (``torch.gradient``): the derivative of sampled values by second-order
central differences inside and one-sided differences of order 1 or 2 at the ends, for
uniform spacings or sample coordinates (re-exported by :mod:`npgrad.ops.scan`).

The formulas are the standard finite-difference ones for unevenly spaced samples (Fornberg,
"Generation of finite difference formulas on arbitrarily spaced grids", Math. Comp. 51,
1988), those NumPy's ``gradient`` also uses. Everything is a composition of slicing and
arithmetic, so the result is differentiable (to any order) in ``input`` and in coordinate
tensors.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.ops._joining import cat
from npgrad.ops._promote import tensor_arg
from npgrad.ops.indexing import narrow
from npgrad.tensor import Tensor, _check_dim


def _dims(x: Tensor, dim: Any) -> list[int]:
    if dim is None:
        return list(range(x.ndim))
    raw = [dim] if isinstance(dim, (int, np.integer)) else list(dim)
    out = [_check_dim("gradient", operator.index(d), x.ndim) for d in raw]
    for d in out:
        if out.count(d) > 1:
            raise ValueError(f"gradient: dim {d} appears multiple times in the list of dims")
    return out


def _spacings(x: Tensor, spacing: Any, dims: list[int]) -> list[Any]:
    if isinstance(spacing, Tensor) and spacing.ndim == 0:
        spacing = spacing.item()
    if isinstance(spacing, (int, float, np.number)) and not isinstance(spacing, bool):
        return [spacing] * len(dims)
    if not isinstance(spacing, (list, tuple)):
        raise TypeError(
            f"gradient: spacing must be a number or a list of numbers or of 1-D tensors, got "
            f"{type(spacing).__name__}"
        )
    if len(spacing) != len(dims):
        raise ValueError(
            f"gradient: expected spacing to be a number or a list of length {len(dims)} (one per "
            f"dimension differentiated), got a list of length {len(spacing)}"
        )
    out: list[Any] = []
    for s, d in zip(spacing, dims):
        if isinstance(s, (int, float, np.number)) and not isinstance(s, bool):
            out.append(s)
            continue
        c = tensor_arg("gradient", s)
        if c.ndim != 1:
            raise ValueError(
                f"gradient: expected each element of spacing to be a number or a 1-D tensor, "
                f"got a tensor of shape {c.shape}"
            )
        if c.shape[0] != x.shape[d]:
            raise ValueError(
                f"gradient: the coordinates for dimension {d} have {c.shape[0]} values, but the "
                f"dimension has size {x.shape[d]}"
            )
        out.append(c if c.dtype == x.dtype else c.to(x.dtype))
    return out


def _along(t: Tensor, d: int, ndim: int) -> Tensor:
    """A 1-D tensor shaped to broadcast along dimension ``d`` of an ``ndim``-d tensor."""
    return t.reshape((1,) * d + (-1,) + (1,) * (ndim - d - 1))


def _one(x: Tensor, d: int, h: Any, edge_order: int) -> Tensor:
    n = x.shape[d]

    def s(start: int, length: int) -> Tensor:
        return narrow(x, d, start % n, length)

    if not isinstance(h, Tensor):  # uniform spacing h
        inner = (s(2, n - 2) - s(0, n - 2)) / (2 * h)
        if edge_order == 1:
            first = (s(1, 1) - s(0, 1)) / h
            last = (s(-1, 1) - s(-2, 1)) / h
        else:
            first = (-1.5 * s(0, 1) + 2.0 * s(1, 1) - 0.5 * s(2, 1)) / h
            last = (0.5 * s(-3, 1) - 2.0 * s(-2, 1) + 1.5 * s(-1, 1)) / h
        return cat([first, inner, last], d)
    dx = h[1:] - h[:-1]
    hd, hs = _along(dx[:-1], d, x.ndim), _along(dx[1:], d, x.ndim)
    inner = (
        -hs / (hd * (hd + hs)) * s(0, n - 2)
        + (hs - hd) / (hd * hs) * s(1, n - 2)
        + hd / (hs * (hd + hs)) * s(2, n - 2)
    )
    if edge_order == 1:
        first = (s(1, 1) - s(0, 1)) / dx[0]
        last = (s(-1, 1) - s(-2, 1)) / dx[-1]
    else:
        a, b = dx[0], dx[1]
        first = (
            -(2 * a + b) / (a * (a + b)) * s(0, 1)
            + (a + b) / (a * b) * s(1, 1)
            - a / (b * (a + b)) * s(2, 1)
        )
        a, b = dx[-2], dx[-1]
        last = (
            b / (a * (a + b)) * s(-3, 1)
            - (a + b) / (a * b) * s(-2, 1)
            + (2 * b + a) / (b * (a + b)) * s(-1, 1)
        )
    return cat([first, inner, last], d)


def gradient(
    input: Any,  # noqa: A002
    *,
    spacing: Any = 1,
    dim: Any = None,
    edge_order: int = 1,
) -> tuple[Tensor, ...]:
    """The derivative of ``input``'s values along each dimension in ``dim`` (default all):
    central differences inside, one-sided differences of order ``edge_order`` (1 or 2) at
    the ends. ``spacing`` is one number (the sample distance in every dimension), a list of
    numbers (one per dimension) or a list of 1-D coordinate tensors (the sample positions,
    possibly uneven). Integer input gives the default float dtype. Differentiable.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.gradient(npgrad.tensor([1.0, 2.0, 4.0, 8.0]))
    (tensor([1.0000, 1.5000, 3.0000, 4.0000]),)
    >>> x = npgrad.tensor([0.0, 1.0, 3.0])  # uneven samples of x**2
    >>> npgrad.gradient(x**2, spacing=[x])
    (tensor([1., 2., 4.]),)
    """
    x = tensor_arg("gradient", input)
    if x.dtype.kind != "f":
        x = x.to(dtypes.get_default_dtype())
    if edge_order not in (1, 2) or isinstance(edge_order, bool):
        raise ValueError(
            f"gradient: only edge_order=1 and edge_order=2 are supported, got {edge_order!r}"
        )
    dims = _dims(x, dim)
    hs = _spacings(x, spacing, dims)
    for d in dims:
        if x.shape[d] < edge_order + 1:
            raise ValueError(
                f"gradient: each dimension differentiated must have at least edge_order + 1 = "
                f"{edge_order + 1} elements, got shape {x.shape} (dimension {d})"
            )
    return tuple(_one(x, d, h, edge_order) for d, h in zip(dims, hs))
