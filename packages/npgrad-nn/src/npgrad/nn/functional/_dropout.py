"""Dropout: ``dropout``, ``dropout1d/2d/3d`` (whole channels), ``alpha_dropout`` and
``feature_alpha_dropout``.

Inverted dropout, as in PyTorch: in training each element (or channel) is kept with
probability ``1 - p`` and scaled by ``1 / (1 - p)``, so evaluation is the identity and
returns the input itself. The mask is drawn from :mod:`npgrad.random`'s default generator
(``npgrad.manual_seed`` makes it reproducible) and enters the graph as a constant factor:
``input * mask`` is an ordinary ``mul``, differentiable to any order.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.ops._shape_util import ShapeError

__all__ = [
    "alpha_dropout",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "feature_alpha_dropout",
]

# SELU's negative saturation value scale * alpha (Klambauer et al., 2017), PyTorch's constant
_ALPHA = 1.7580993408473766


def _check(op: str, input: Any, p: Any) -> Tensor:  # noqa: A002
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected input to be a Tensor, got {type(input).__name__}")
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise TypeError(f"{op}: p must be a number, got {type(p).__name__}")
    if p < 0.0 or p > 1.0 or math.isnan(p):
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return input


def _dropout_impl(
    op: str, x: Tensor, p: float, train: bool, inplace: bool, lead: int | None, alpha: bool
) -> Tensor:
    """PyTorch's ``_dropout_impl``: ``lead`` is None for elementwise noise, else the number
    of leading dims (batch, channel) the noise varies over — it is broadcast over the rest."""
    if p == 0 or not train or x.numel() == 0:
        return x
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating point input, got {x.dtype}")
    if p == 1:
        # multiplied, not filled, like PyTorch: the zero gradient flows through the graph
        return x.mul_(0.0) if inplace else x * 0.0
    shape = x.shape if lead is None else x.shape[:lead] + (1,) * (x.ndim - lead)
    d = x.dtype
    noise = npgrad.random.bernoulli(npgrad.empty(shape, dtype=d), 1.0 - p)._data
    if alpha:
        a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
        b = (noise - 1) * (_ALPHA * a) + _ALPHA * a * p  # dropped units go to -alpha'
        noise *= a
        bt = Tensor._make(b.astype(d, copy=False), False, None)
    else:
        noise /= 1.0 - p
    nt = Tensor._make(noise.astype(d, copy=False), False, None)
    if not alpha:
        return x.mul_(nt) if inplace else x * nt
    return x.mul_(nt).add_(bt) if inplace else x * nt + bt


def dropout(
    input: Tensor,  # noqa: A002
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.

    Without ``training`` (or with ``p == 0``) the input itself is returned. ``p == 1``
    gives zeros (``input * 0``). ``inplace`` overwrites ``input``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> _ = npgrad.manual_seed(0)
    >>> y = F.dropout(npgrad.ones(1000), p=0.2)
    >>> sorted(set(y.tolist()))
    [0.0, 1.25]
    >>> x = npgrad.ones(3)
    >>> F.dropout(x, training=False) is x
    True
    """
    x = _check("dropout", input, p)
    return _dropout_impl("dropout", x, float(p), bool(training), inplace, None, False)


def alpha_dropout(
    input: Tensor,  # noqa: A002
    p: float = 0.5,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """Dropout for SELU networks: dropped units are set to SELU's negative saturation
    value and the result is scaled and shifted to keep zero mean and unit variance.

    Note that ``training`` defaults to False, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> _ = npgrad.manual_seed(0)
    >>> y = F.alpha_dropout(npgrad.randn(100_000), p=0.2, training=True)
    >>> abs(float(y.mean())) < 0.02, abs(float(y.std()) - 1) < 0.02
    (True, True)
    """
    x = _check("alpha_dropout", input, p)
    return _dropout_impl("alpha_dropout", x, float(p), bool(training), inplace, None, True)


def feature_alpha_dropout(
    input: Tensor,  # noqa: A002
    p: float = 0.5,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """:func:`alpha_dropout` of whole channels of an ``(N, C, *)`` input.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> y = F.feature_alpha_dropout(npgrad.ones(2, 3, 4), 0.5, training=True)
    >>> all(len(set(row)) == 1 for plane in y.tolist() for row in plane)
    True
    """
    x = _check("feature_alpha_dropout", input, p)
    if x.ndim < 2:
        raise ShapeError(
            "feature_alpha_dropout: Feature dropout requires at least 2 dimensions in the "
            f"input, got shape {x.shape}"
        )
    return _dropout_impl("feature_alpha_dropout", x, float(p), bool(training), inplace, 2, True)


def dropout1d(
    input: Tensor,  # noqa: A002
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
) -> Tensor:
    """Zero whole channels of an ``(N, C, L)`` or unbatched ``(C, L)`` input.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> y = F.dropout1d(npgrad.ones(2, 3, 4), 0.5)
    >>> all(len(set(row)) == 1 for plane in y.tolist() for row in plane)
    True
    """
    x = _check("dropout1d", input, p)
    if x.ndim not in (2, 3):
        raise ShapeError(
            f"dropout1d: Expected 2D or 3D input, but received a {x.ndim}D input (shape "
            f"{x.shape}). Note that dropout1d exists to provide channel-wise dropout on inputs "
            "with 1 spatial dimension, a channel dimension, and an optional batch dimension "
            "(i.e. 2D or 3D inputs)."
        )
    lead = 2 if x.ndim == 3 else 1
    return _dropout_impl("dropout1d", x, float(p), bool(training), inplace, lead, False)


def dropout2d(
    input: Tensor,  # noqa: A002
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
) -> Tensor:
    """Zero whole channels of an ``(N, C, H, W)`` input.

    As in PyTorch, a 3-D input is read as ``(N, C, L)`` (channel-wise 1-D dropout) with a
    warning, and other ranks are accepted with a deprecation warning.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> y = F.dropout2d(npgrad.ones(2, 3, 4, 4), 0.5)
    >>> all(len(set(sum(ch, []))) == 1 for sample in y.tolist() for ch in sample)
    True
    """
    x = _check("dropout2d", input, p)
    if x.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {x.ndim}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout2d "
            "exists to provide channel-wise dropout on inputs with 2 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    if x.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    if x.ndim < 2:
        raise ShapeError(
            f"dropout2d: Feature dropout requires at least 2 dimensions in the input, got "
            f"shape {x.shape}"
        )
    return _dropout_impl("dropout2d", x, float(p), bool(training), inplace, 2, False)


def dropout3d(
    input: Tensor,  # noqa: A002
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
) -> Tensor:
    """Zero whole channels of an ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)`` input.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.dropout3d(npgrad.ones(2, 3, 2, 2, 2), 0.5).shape
    npgrad.Size([2, 3, 2, 2, 2])
    """
    x = _check("dropout3d", input, p)
    if x.ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {x.ndim}-D input to dropout3d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout3d "
            "exists to provide channel-wise dropout on inputs with 3 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).",
            stacklevel=2,
        )
    # anything but 5-D is treated as unbatched (PyTorch unsqueezes a batch dim): channels
    # are then the first dimension
    lead = 2 if x.ndim == 5 else 1
    if x.ndim == 0:
        raise ShapeError("dropout3d: Feature dropout requires at least 1 dimension in the input")
    return _dropout_impl("dropout3d", x, float(p), bool(training), inplace, lead, False)
