"""``CrossMapLRN2d``: PyTorch's older, 4-D only local response normalization across channels
(re-exported by :mod:`npgrad.nn.modules.normalization`, where PyTorch has it).

Its window is not :class:`~npgrad.nn.LocalResponseNorm`'s. PyTorch computes it as a running
sum over the channels that adds the channel entering the window and subtracts the one leaving
it, but never subtracts channel 0; the result, reproduced here exactly, is

    scale[c] = k + alpha / size * sum of x[j]**2 over j in [c - h, c + h] (clipped) or j = 0
    output[c] = x[c] * scale[c] ** -beta,        h = (size - 1) // 2

so an even ``size`` sums ``size - 1`` channels and every channel past ``h`` also counts
channel 0. It is composed of npgrad ops, so its gradient is the exact gradient of that forward
(PyTorch's hand-written backward assumes another window) and works to any order.
"""

from __future__ import annotations

import operator

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.nn.modules.module import Module
from npgrad.ops._shape_util import ShapeError

__all__ = ["CrossMapLRN2d"]


def _cross_map_lrn2d(x: Tensor, size: int, alpha: float, beta: float, k: float) -> Tensor:
    op = "CrossMapLRN2d"
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor input, got {type(x).__name__}")
    if x.ndim != 4:
        raise ShapeError(
            f"{op}: Expected input to be 4D, got {x.ndim}D instead (shape {tuple(x.shape)})"
        )
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating point input, got dtype {x.dtype}")
    try:
        n = operator.index(size)
    except TypeError:
        raise TypeError(f"{op}: size must be an int, got {type(size).__name__}") from None
    if n < 1:
        raise ValueError(f"{op}: size must be a positive integer, got {n}")
    channels = x.shape[1]
    h = (n - 1) // 2
    sq = x * x
    padded = npgrad.pad(sq, (0, 0, 0, 0, h, h))
    window = padded[:, 0:channels]
    for s in range(1, 2 * h + 1):
        window = window + padded[:, s : s + channels]
    if channels > h + 1:  # channel 0 stays in the running sum of PyTorch's kernel
        past = np.zeros((1, channels, 1, 1), dtype=x.dtype)
        past[:, h + 1 :] = 1
        window = window + sq[:, 0:1] * Tensor._make(past, False, None)
    scale = window * (float(alpha) / n) + float(k)
    return x * scale ** (-float(beta))


class CrossMapLRN2d(Module):
    """Local response normalization across the channels of a ``(N, C, H, W)`` input, as
    PyTorch's ``CrossMapLRN2d`` (a port of Lua Torch's layer):
    ``x[c] * (k + alpha / size * sum of x**2 over the window of c) ** -beta``.

    The window of channel ``c`` is ``c - h .. c + h`` with ``h = (size - 1) // 2`` (so an even
    ``size`` covers ``size - 1`` channels) and, past the first ``h + 1`` channels, channel 0
    as well: PyTorch's running sum never drops it, and npgrad gives the same values. Use
    :class:`LocalResponseNorm` for the usual window. The gradient is the exact gradient of
    this forward.

    Parameters
    ----------
    size : int
        The window parameter (at least 1).
    alpha, beta, k : float
        The scale, exponent and additive constant (defaults ``1e-4``, ``0.75``, ``1``).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> lrn = nn.CrossMapLRN2d(3, alpha=1.0, beta=1.0)
    >>> lrn
    CrossMapLRN2d(3, alpha=1.0, beta=1.0, k=1)
    >>> lrn(npgrad.ones(1, 4, 1, 1)).flatten()
    tensor([0.6000, 0.5000, 0.4286, 0.5000])
    """

    size: int
    alpha: float
    beta: float
    k: float

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return _cross_map_lrn2d(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
