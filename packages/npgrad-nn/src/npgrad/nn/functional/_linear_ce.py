"""``linear_cross_entropy``: the cross entropy of the logits ``input @ linear_weight.T +
linear_bias`` (PyTorch 2.13's ``F.linear_cross_entropy``), and
:class:`LinearCrossEntropyOptions`, which selects its chunked form.

Without options it is :func:`linear` followed by :func:`cross_entropy`. With options, the
batch is processed in chunks of ``batch_chunk_size`` rows, so the ``(N, C)`` logits — large
for a language model's vocabulary head — never exist at once: each chunk's logits give its
losses and, right away (reductions 'mean' and 'sum'), its share of the three gradients
``dX = P W``, ``dW += Pᵀ X``, ``db += Σ P`` with ``P = softmax - onehot`` scaled per row. The
backward then only scales them by the incoming gradient. With ``reduction='none'`` the
incoming gradient differs per row, so the backward recomputes each chunk's logits instead.
The chunked form is first-order: its backward is raw NumPy (``@once_differentiable``), since
it only scales gradients the forward already gathered — a differentiable one would have to
keep every chunk's logits, which is what the chunking avoids.

How the chunk size is chosen (PyTorch's rule): an explicit ``batch_chunk_size``, else
``chunking_method='aspect_ratio:k'`` — the batch divided by ``ceil(C / in_features)``,
rounded up to a power of two, divided by ``k`` — with ``'auto'`` meaning ``aspect_ratio:2``
(``aspect_ratio`` for float16). Products run in ``acc_dtype`` (default the input's dtype,
float32 for float16 input); ``acc_policy`` is validated and kept, and changes nothing here.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.autograd.function import Function, once_differentiable
from npgrad.nn.functional._linear import linear
from npgrad.nn.functional._loss_class import (
    _class_target,
    _const,
    _entry_scale,
    _rows,
    cross_entropy,
)
from npgrad.ops._shape_util import ShapeError

__all__ = ["LinearCrossEntropyOptions", "linear_cross_entropy"]

_ACC_POLICIES = ("auto", "accurate", "balanced", "compact")


@dataclasses.dataclass
class LinearCrossEntropyOptions:
    """How :func:`linear_cross_entropy` chunks the batch (see the module docstring); passing
    an instance selects the chunked form.

    Parameters
    ----------
    allow_retain_graph : bool
        Accepted (npgrad's chunked backward keeps what it needs, so a second backward with
        ``retain_graph=True`` works either way).
    batch_chunk_size : int, optional
        Rows per chunk.
    chunking_method : str, optional
        ``'auto'``, ``'aspect_ratio'`` or ``'aspect_ratio:k'``; None with a ``batch_chunk_size``.
    acc_policy : str
        ``'auto'``, ``'accurate'``, ``'balanced'`` or ``'compact'``.
    acc_dtype : dtype, optional
        The dtype of the products and sums.

    Examples
    --------
    >>> from npgrad.nn import LinearCrossEntropyOptions
    >>> LinearCrossEntropyOptions(batch_chunk_size=256).batch_chunk_size
    256
    """

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: str = "auto"
    acc_dtype: Any = None

    def __post_init__(self) -> None:
        if self.acc_policy not in _ACC_POLICIES:
            raise ValueError(f"invalid acc_policy: {self.acc_policy!r}")
        if self.chunking_method not in (None, "auto"):
            name, sep, factor = str(self.chunking_method).partition(":")
            if not (name == "aspect_ratio" and (not sep or (factor.isdigit() and int(factor)))):
                raise ValueError(f"invalid chunking_method: {self.chunking_method!r}")
        n = self.batch_chunk_size
        if not (n is None or (isinstance(n, int) and not isinstance(n, bool) and n > 0)):
            raise ValueError(f"batch_chunk_size must be positive int or None, got {n!r}")
        if self.acc_dtype is not None:
            d = npgrad.dtypes.to_dtype(self.acc_dtype, "LinearCrossEntropyOptions")
            if d.kind != "f":
                raise ValueError(
                    f"acc_dtype must be None or a floating dtype, got {self.acc_dtype!r}"
                )

    def _chunk_size(self, n: int, in_features: int, num_classes: int, dtype: np.dtype) -> int:
        method = self.chunking_method
        if method == "auto":
            if self.batch_chunk_size is not None:
                return min(self.batch_chunk_size, n)
            method = "aspect_ratio" if dtype == np.float16 else "aspect_ratio:2"
        if method is None:
            return max(1, min(self.batch_chunk_size or n, n))
        factor = int(method.partition(":")[2] or 1)
        per_row = -(-num_classes // max(in_features, 1))  # ceil(C / in_features)
        target = -(-n // per_row)
        size = max(1, min((1 << max(target - 1, 0).bit_length()) // factor, n))
        if self.batch_chunk_size is not None and self.batch_chunk_size != size:
            raise ValueError(
                f"batch_chunk_size (={self.batch_chunk_size}) and chunking_method ('{method}') "
                f"give different chunk sizes ({self.batch_chunk_size} vs {size}); pass only one."
            )
        return size

    def _acc_dtype(self, dtype: np.dtype) -> np.dtype:
        if self.acc_dtype is not None:
            return npgrad.dtypes.to_dtype(self.acc_dtype)
        return np.dtype(np.float32) if dtype == np.float16 else dtype


class _ChunkedLinearCE(Function):
    """The chunked loss of ``(x (N, in), w (C, in), b (C,) or None)`` against class indices."""

    @staticmethod
    def forward(
        ctx: Any,
        x: np.ndarray,
        w: np.ndarray,
        b: Any,
        targets: Any,
        reduction: str,
        chunk: int,
        acc: np.dtype,
    ) -> np.ndarray:
        n = x.shape[0]
        wa, ba = w.astype(acc, copy=False), None if b is None else b.astype(acc, copy=False)
        losses = np.empty(n, acc)
        denom = targets.count if reduction == "mean" else 1.0
        sums, factor = None, np.empty(0, acc)
        if reduction != "none" and any(ctx.needs_input_grad[:3]):
            sums = _Sums(x, wa, ba, ctx.needs_input_grad[:3], acc)
            # each row's factor in the gradient of the reduced loss (cross_entropy's rule)
            factor = _row_factor(targets, denom, n, acc)
        for lo in range(0, n, chunk):
            hi = min(lo + chunk, n)
            xc = x[lo:hi].astype(acc, copy=False)
            p, picked, lse = _softmax(xc, wa, ba, targets.t[lo:hi])
            losses[lo:hi] = lse - picked
            if sums is not None:
                p[_rows(hi - lo), targets.t[lo:hi]] -= 1.0
                p *= factor[lo:hi, None]
                sums.add(lo, hi, xc, p)
        if targets.wt is not None:
            losses *= targets.wt
        ctx.reduction = reduction
        if sums is not None:
            ctx.grads = sums.result(w.dtype)
        else:
            ctx.recompute = (x, wa, ba, targets, chunk, acc)
        if reduction == "none":
            return losses.astype(x.dtype, copy=False)
        total = losses.sum()
        if reduction == "mean":
            total = total / denom if denom else np.nan  # all ignored: 0 / 0, as cross_entropy
        return np.asarray(total, x.dtype)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        g = grad._data
        if ctx.reduction != "none":
            out = [None if a is None else _const(a * a.dtype.type(g)) for a in ctx.grads]
            return (*out, None, None, None, None)
        x, wa, ba, targets, chunk, acc = ctx.recompute
        sums = _Sums(x, wa, ba, ctx.needs_input_grad[:3], acc)
        factor = g.astype(acc, copy=False)
        if targets.wt is not None:
            factor = factor * targets.wt
        for lo in range(0, x.shape[0], chunk):
            hi = min(lo + chunk, x.shape[0])
            xc = x[lo:hi].astype(acc, copy=False)
            p, _, _ = _softmax(xc, wa, ba, targets.t[lo:hi])
            p[_rows(hi - lo), targets.t[lo:hi]] -= 1.0
            p *= factor[lo:hi, None]
            sums.add(lo, hi, xc, p)
        out = [None if a is None else _const(a) for a in sums.result(wa.dtype)]
        return (*out, None, None, None, None)


class _Sums:
    """The three gradients, gathered chunk by chunk from ``P`` (a chunk's ``dloss/dlogits``):
    ``dX[rows] = P W``, ``dW += Pᵀ X``, ``db += Σ P``."""

    def __init__(self, x: np.ndarray, wa: np.ndarray, ba: Any, needs: Any, acc: np.dtype) -> None:
        self.wa = wa
        self.dx = np.empty(x.shape, x.dtype) if needs[0] else None
        self.dw = np.zeros(wa.shape, acc) if needs[1] else None
        self.db = np.zeros(wa.shape[0], acc) if ba is not None and needs[2] else None
        self.x_dtype = x.dtype

    def add(self, lo: int, hi: int, xc: np.ndarray, p: np.ndarray) -> None:
        if self.dx is not None:
            self.dx[lo:hi] = p @ self.wa
        if self.dw is not None:
            self.dw += p.T @ xc
        if self.db is not None:
            self.db += p.sum(axis=0)

    def result(self, w_dtype: np.dtype) -> tuple[Any, Any, Any]:
        dw = None if self.dw is None else self.dw.astype(w_dtype, copy=False)
        db = None if self.db is None else self.db.astype(w_dtype, copy=False)
        return self.dx, dw, db


def _row_factor(targets: Any, denom: Any, n: int, acc: np.dtype) -> np.ndarray:
    """Each row's weight in the reduced loss's gradient: its class weight over ``denom``, 0
    for an ignored row (also when everything is ignored and the mean is 0 / 0)."""
    base = _entry_scale(targets.valid, denom)
    wt = 1.0 if targets.wt is None else targets.wt
    return np.broadcast_to(np.asarray(wt * base, acc), (n,))


def _softmax(
    xc: np.ndarray, wa: np.ndarray, ba: Any, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A chunk's softmax (a new array), its target classes' logits and its log-sum-exp."""
    logits = xc @ wa.T
    if ba is not None:
        logits += ba
    picked = logits[_rows(logits.shape[0]), t]
    m = logits.max(axis=1, keepdims=True)
    logits -= m
    np.exp(logits, out=logits)
    s = logits.sum(axis=1, keepdims=True)
    logits /= s
    return logits, picked, (m + np.log(s))[:, 0]


def linear_cross_entropy(
    input: Tensor,  # noqa: A002
    linear_weight: Tensor,
    target: Tensor,
    *,
    linear_bias: Tensor | None = None,
    weight: Tensor | None = None,
    reduction: str = "mean",
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    options: LinearCrossEntropyOptions | None = None,
) -> Tensor:
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)``, with
    ``linear_weight`` of shape ``(C, in_features)`` — or ``(C, d1, ..., dK, in_features)``
    for a K-dimensional loss — and ``ignore_index`` None meaning -100 for class indices.
    ``options`` (:class:`LinearCrossEntropyOptions`) selects the chunked form, which never
    holds the whole ``(N, C)`` logits; it supports class-index targets (int64),
    ``reduction`` 'mean', 'sum' or 'none' and no label smoothing or K dimensions, and other
    calls warn and take the plain form, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> x, w = npgrad.ones(4, 3), npgrad.zeros(5, 3)
    >>> F.linear_cross_entropy(x, w, npgrad.tensor([0, 1, 2, 3]))  # uniform over 5 classes
    tensor(1.6094)
    """
    op = "linear_cross_entropy"
    for name, t in (("input", input), ("linear_weight", linear_weight), ("target", target)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected {name} to be a Tensor, got {type(t).__name__}")
    if input.ndim not in (1, 2):
        raise ShapeError(f"{op}: expected input with dimensionality 1 or 2, got {input.ndim}")
    if linear_weight.ndim < 2:
        raise ShapeError(
            f"{op}: expected linear_weight with dimensionality at least 2, got {linear_weight.ndim}"
        )
    in_features = input.shape[-1]
    if linear_weight.shape[-1] != in_features:
        raise ShapeError(
            f"{op}: expected equal input and linear_weight last dimensions (in_features), got "
            f"{in_features} and {linear_weight.shape[-1]}, respectively"
        )
    num_classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (num_classes, *out_features):
        raise ShapeError(
            f"{op}: expected linear_bias shape {(num_classes, *out_features)}, got "
            f"{tuple(linear_bias.shape)}"
        )
    if out_features and input.ndim == 1:
        raise ShapeError(
            f"{op}: K-dimensional loss defined by linear_weight shape "
            f"{tuple(linear_weight.shape)} requires batched input, (N, {in_features}), got "
            f"unbatched input with shape {tuple(input.shape)}"
        )
    logits_shape = (*input.shape[:-1], num_classes, *out_features)
    probabilities = tuple(target.shape) == logits_shape
    if probabilities and ignore_index is not None:
        raise ValueError(
            f"{op}: ignore_index cannot be specified when target contains probabilities"
        )
    ignore = -100 if ignore_index is None else int(ignore_index)
    if options is not None:
        if not isinstance(options, LinearCrossEntropyOptions):
            raise TypeError(
                f"{op}: options must be a LinearCrossEntropyOptions or None, got "
                f"{type(options).__name__}"
            )
        chunkable = (
            reduction in ("mean", "sum", "none")
            and label_smoothing == 0.0
            and target.dtype == np.int64
            and not out_features
        )
        if chunkable:
            return _chunked(
                op, input, linear_weight, target, linear_bias, weight, reduction, ignore, options
            )
        warnings.warn(
            f"{op}: ``options`` ignored; the chunked form needs reduction in "
            "{'mean', 'sum', 'none'}, label_smoothing == 0, an int64 target and no "
            f"out_features; got reduction={reduction!r}, label_smoothing={label_smoothing}, "
            f"target.dtype={target.dtype}, out_features={out_features}",
            UserWarning,
            stacklevel=2,
        )
    w2 = linear_weight.reshape(math.prod(out_features, start=num_classes), in_features)
    b2 = None if linear_bias is None else linear_bias.reshape(w2.shape[0])
    logits = linear(input, w2, b2).reshape(logits_shape)
    return cross_entropy(
        logits,
        target,
        weight=weight,
        reduction=reduction,
        ignore_index=ignore,
        label_smoothing=label_smoothing,
    )


def _chunked(
    op: str,
    input: Tensor,  # noqa: A002
    linear_weight: Tensor,
    target: Tensor,
    linear_bias: Tensor | None,
    weight: Tensor | None,
    reduction: str,
    ignore: int,
    options: LinearCrossEntropyOptions,
) -> Tensor:
    unbatched = input.ndim == 1
    x = input.unsqueeze(0) if unbatched else input
    t = target.reshape(1) if unbatched and target.ndim == 0 else target
    if x.dtype.kind != "f" or linear_weight.dtype != x.dtype:
        raise TypeError(
            f"{op}: expected floating input and linear_weight of one dtype, got {x.dtype} and "
            f"{linear_weight.dtype}"
        )
    n, c = x.shape[0], linear_weight.shape[0]
    # the target checks of cross_entropy, against a (N, C) shape that holds no memory
    shape_only = _const(np.broadcast_to(np.zeros((), x.dtype), (n, c)))
    targets = _class_target(op, shape_only, t, weight, ignore)
    chunk = options._chunk_size(n, x.shape[1], c, x.dtype)
    acc = options._acc_dtype(x.dtype)
    out = _ChunkedLinearCE.apply(x, linear_weight, linear_bias, targets, reduction, chunk, acc)
    return out.reshape(()) if unbatched and reduction == "none" else out
