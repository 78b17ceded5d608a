"""Padding: ``pad`` with PyTorch's modes, argument rules and errors.

The padding itself is npgrad-core's :func:`npgrad.pad` (a constant fill, or one gather with
index arrays for reflect / replicate / circular, whose backward scatters the gradient back):
this module adds what ``torch.nn.functional.pad`` checks on top of it — the non-constant modes
pad the last 1, 2 or 3 dimensions of a 2-D to 5-D input only, reflection needs the padding
smaller than the dimension, circular padding may not wrap around more than once — so that
npgrad accepts and rejects the same calls as PyTorch. The padding layers
(:mod:`npgrad.nn.modules.padding`) and the convolutions' ``padding_mode`` pad through
:func:`_pad`, which names the layer in its errors.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.nn.functional._errors import _check_scalar_fits
from npgrad.nn.functional._im2col import _who
from npgrad.ops._shape_util import ShapeError

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


class _PadNotSupported(ValueError, NotImplementedError):
    """A mode or a rank ``pad`` (or ``interpolate``, ``affine_grid``) does not handle: a
    ValueError by npgrad's convention, and the NotImplementedError PyTorch raises there."""


class _PadValueError(ValueError, RuntimeError):
    """A ``value`` given to a mode that takes none (PyTorch raises RuntimeError)."""


def _amounts(op: str, pad: Any) -> tuple[int, ...]:
    """``pad`` as a tuple of ints: a tuple, list or ``Size`` of integers, as PyTorch takes."""
    if not isinstance(pad, (tuple, list)):
        raise TypeError(f"{op}: pad must be a tuple of ints, not {type(pad).__name__}")
    out = []
    for i, p in enumerate(pad):
        if isinstance(p, (bool, np.bool_)) or not hasattr(p, "__index__"):
            raise TypeError(
                f"{op}: pad must be a tuple of ints, but found element of type "
                f"{type(p).__name__} at pos {i}"
            )
        out.append(operator.index(p))
    return tuple(out)


def _check_non_constant(
    op: str, mode: str, shape: tuple[int, ...], pairs: list[tuple[int, int]]
) -> None:
    """PyTorch's checks of reflect / replicate / circular padding of the last ``k`` dims."""
    nd, k = len(shape), len(pairs)
    if k not in (1, 2, 3) or nd not in (k + 1, k + 2):
        raise _PadNotSupported(
            f"{op}: padding size {2 * k} is not supported for {nd}D input tensor (shape "
            f"{shape}) in {mode!r} mode, which pads the last 1, 2 or 3 dimensions of a 2D-3D, "
            "3D-4D or 4D-5D input respectively (only 'constant' padding takes any input)"
        )
    spatial = shape[nd - k :]
    if mode == "circular":
        for d, (n, (lo, hi)) in enumerate(zip(spatial, pairs), start=nd - k):
            kept = n - max(-lo, 0) - max(-hi, 0)  # what is left after the negative amounts crop
            if kept < 0 or n + lo + hi < 0:
                raise ShapeError(
                    f"{op}: negative padding ({lo}, {hi}) is resulting in an empty dimension: "
                    f"dimension {d} of the input (shape {shape}) has size {n}"
                )
            if lo > kept or hi > kept:
                raise ShapeError(
                    f"{op}: circular padding ({lo}, {hi}) causes wrapping around more than once "
                    f"on dimension {d} of the input (shape {shape}), which keeps {kept} "
                    "element(s) after cropping"
                )
        return
    # reflection and replication read the edges: every dimension but the batch is non-empty
    if 0 in shape[nd - k - 1 :]:
        raise ShapeError(
            f"{op}: expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size "
            f"and other non-zero dimensions for input, but got shape {shape}"
        )
    if mode == "reflect":
        for d, (n, (lo, hi)) in enumerate(zip(spatial, pairs), start=nd - k):
            if lo >= n or hi >= n:
                raise ShapeError(
                    f"{op}: padding size should be less than the corresponding input dimension, "
                    f"but got padding ({lo}, {hi}) at dimension {d} of input {shape}"
                )
    # PyTorch's rule: no negative size, and at least one non-empty padded dimension
    out = tuple(n + lo + hi for n, (lo, hi) in zip(spatial, pairs))
    if min(out) < 0 or max(out) < 1:
        raise ShapeError(
            f"{op}: input of shape {shape} is too small: the padding {pairs} of its last {k} "
            f"dimension(s) gives output size(s) {out}; none may be negative and one at least "
            "must be positive"
        )


def _pad(input: Tensor, pad: Any, mode: str, value: Any, op: Any) -> Tensor:  # noqa: A002
    """:func:`pad`, naming ``op`` (a function name or a layer) in its errors."""
    who = _who(op)
    if not isinstance(input, Tensor):
        raise TypeError(f"{who}: expected input to be a Tensor, got {type(input).__name__}")
    if not isinstance(mode, str):
        raise TypeError(f"{who}: mode must be a str, not {type(mode).__name__}")
    amounts = _amounts(who, pad)
    shape, nd = tuple(input.shape), input.ndim
    if len(amounts) % 2:
        raise ShapeError(f"{who}: padding length must be divisible by 2, got pad {amounts}")
    if len(amounts) > 2 * nd:
        raise ShapeError(
            f"{who}: padding length should be less than or equal to two times the input "
            f"dimension but got padding length {len(amounts)} and input of dimension {nd} "
            f"(shape {shape})"
        )
    if mode == "constant":
        k = len(amounts) // 2
        pairs = [(amounts[2 * j], amounts[2 * j + 1]) for j in range(k)][::-1]
        for d, (n, (lo, hi)) in enumerate(zip(shape[nd - k :], pairs), start=nd - k):
            if n + lo + hi < 0:
                raise ShapeError(
                    f"{who}: the size {n} of dimension {d} of the input (shape {shape}), plus "
                    f"the negative padding ({lo}, {hi}), gives a negative output size"
                )
        if value is not None:
            _check_scalar_fits(who, "value", value, input.dtype)
        return npgrad.pad(input, amounts, "constant", value)
    if mode not in _MODES:
        raise _PadNotSupported(
            f"{who}: unrecognised padding mode {mode!r}; expected one of "
            f"{', '.join(map(repr, _MODES))}"
        )
    # PyTorch accepts value=0 with every mode: it is the fill value nothing is filled with
    if value is not None and value != 0:
        raise _PadValueError(f"{who}: padding mode {mode!r} doesn't take in value argument")
    k = len(amounts) // 2
    pairs = [(amounts[2 * j], amounts[2 * j + 1]) for j in range(k)][::-1]
    _check_non_constant(who, mode, shape, pairs)
    return npgrad.pad(input, amounts, mode)


def pad(
    input: Tensor,  # noqa: A002
    pad: Sequence[int],
    mode: str = "constant",
    value: float | None = None,
) -> Tensor:
    """Pad ``input``; ``pad`` lists ``(before, after)`` amounts starting from the LAST dimension.

    ``(left, right)`` pads the last dimension, ``(left, right, top, bottom)`` the last two,
    and so on: ``len(pad) // 2`` dimensions are padded.

    Parameters
    ----------
    input : Tensor
        Any shape for ``'constant'``; for the other modes, padding the last 1, 2 or 3
        dimensions needs a 2-D or 3-D, 3-D or 4-D, 4-D or 5-D input respectively.
    pad : tuple of int
        An even number of amounts, at most ``2 * input.ndim``. Negative amounts crop
        (``'constant'``, ``'reflect'``, ``'replicate'`` and ``'circular'`` alike).
    mode : {'constant', 'reflect', 'replicate', 'circular'}
        Fill with ``value``; mirror without repeating the edge (each amount must be smaller
        than its dimension); repeat the edge; wrap around (at most once).
    value : float, optional
        The fill value of ``'constant'`` padding (default 0); the other modes take none.

    Returns
    -------
    Tensor
        ``input`` padded; differentiable to any order.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> x = npgrad.tensor([[[1.0, 2.0, 3.0]]])
    >>> F.pad(x, (1, 2), value=9.0)
    tensor([[[9., 1., 2., 3., 9., 9.]]])
    >>> F.pad(x, (2, 1), mode="reflect")
    tensor([[[3., 2., 1., 2., 3., 2.]]])
    >>> F.pad(x, (1, -1), mode="circular")
    tensor([[[2., 1., 2.]]])
    """
    return _pad(input, pad, mode, value, "pad")
