"""The connectionist temporal classification loss (``ctc_loss``), PyTorch's CPU algorithm.

The loss of one sequence is ``-log p(target | log_probs)``, summed over every alignment of the
target to the input frames (Graves et al., 2006). It is computed with the forward (alpha)
recursion in log space over the extended target ``blank, l1, blank, l2, ..., blank``; the
gradient uses the backward (beta) recursion as well. Both recursions are vectorised over the
batch and the label positions: the only Python loop runs over time steps.

The backward is raw NumPy (``@once_differentiable``): the second derivative of the
forward-backward sums has no practical closed form, and PyTorch refuses it too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.autograd.function import Function, once_differentiable
from npgrad.nn.functional._loss_class import (
    _const,
    _float,
    _LossValueError,
    _reduction,
    _tensor,
)
from npgrad.ops._shape_util import ShapeError

__all__ = ["ctc_loss"]

_OP = "ctc_loss"


def _lse3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``log(exp(a) + exp(b) + exp(c))`` as PyTorch's kernel computes it: shifted by the
    maximum, with a maximum of -inf (an impossible state) shifted by 0 instead."""
    m = np.maximum(np.maximum(a, b), c)
    m[m == -np.inf] = 0
    return np.log(np.exp(a - m) + np.exp(b - m) + np.exp(c - m)) + m  # type: ignore[no-any-return]


def _shifted(a: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
    """``a`` moved ``k`` label positions right (left for a negative ``k``), -inf filled;
    ``mask`` (of the result's positions) keeps only the allowed moves."""
    out = np.full_like(a, -np.inf)
    if k > 0:
        out[:, k:] = a[:, :-k]
    else:
        out[:, :k] = a[:, -k:]
    if mask is not None:
        out[~mask] = -np.inf
    return out


def _emissions(lp: np.ndarray, ext: np.ndarray) -> np.ndarray:
    """``lp[t, n, ext[n, s]]``: each frame's log-probability of each extended label, (T, N, S)."""
    return lp[:, np.arange(lp.shape[1])[:, None], ext]  # type: ignore[no-any-return]


class _CTCLoss(Function):
    """The unreduced loss of ``(T, N, C)`` log-probabilities: one negative log likelihood per
    sequence. ``ext`` (N, S) is each extended target (blank-padded to S = 2 max(lengths) + 1)
    and ``skip`` (N, S) marks the positions reachable from two positions back (a label that
    differs from the previous one)."""

    _node_name = "CtcLoss"
    _one_tensor = True

    @staticmethod
    def forward(
        ctx: Any,
        lp: np.ndarray,
        ext: np.ndarray,
        skip: np.ndarray,
        il: np.ndarray,
        tl: np.ndarray,
        zero_infinity: bool,
    ) -> np.ndarray:
        n = lp.shape[1]
        rows = np.arange(n)
        emit = _emissions(lp, ext)
        alpha = np.full(emit.shape, -np.inf, lp.dtype)
        steps = int(il.max()) if n else 0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if steps:
                # a path starts in the leading blank or in the first label
                alpha[0, :, 0] = emit[0, :, 0]
                first = tl > 0
                if first.any():
                    alpha[0, first, 1] = emit[0, first, 1]
            for t in range(1, steps):
                prev = alpha[t - 1]
                alpha[t] = _lse3(prev, _shifted(prev, 1), _shifted(prev, 2, skip)) + emit[t]
            # a path ends in the last label or in the trailing blank
            last = alpha[np.maximum(il - 1, 0), rows]
            end = 2 * tl
            l1 = last[rows, end]
            l2 = np.where(tl > 0, last[rows, np.maximum(end - 1, 0)], lp.dtype.type(-np.inf))
            m = np.maximum(l1, l2)
            m[m == -np.inf] = 0
            ll = np.log(np.exp(l1 - m) + np.exp(l2 - m)) + m
        # no frames: only the empty target is possible (with likelihood 1, so a loss of -0.0)
        ll = np.where(il == 0, np.where(tl == 0, 0.0, -np.inf), ll).astype(lp.dtype, copy=False)
        nll = -ll
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(lp)
            ctx.alpha, ctx.nll, ctx.ext, ctx.skip = alpha, nll, ext, skip
            ctx.il, ctx.tl, ctx.zero_infinity = il, tl, zero_infinity
        return nll

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None, None, None]:
        (lp_t,) = ctx.saved_tensors
        lp = lp_t._data
        alpha, nll, ext, skip, il, tl = ctx.alpha, ctx.nll, ctx.ext, ctx.skip, ctx.il, ctx.tl
        steps, n, c = lp.shape
        rows = np.arange(n)
        emit = _emissions(lp, ext)
        s_len = ext.shape[1]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # beta[t, s]: the log-probability of the frames t.. given state s at t, frame t's
            # emission included (PyTorch's convention, so alpha + beta counts it twice)
            beta = np.full(emit.shape, -np.inf, lp.dtype)
            start = np.full((n, s_len), -np.inf, lp.dtype)
            at_end = emit[np.maximum(il - 1, 0), rows]  # (N, S): each sequence's last frame
            end = 2 * tl
            start[rows, end] = at_end[rows, end]
            has = tl > 0
            start[rows[has], end[has] - 1] = at_end[rows[has], end[has] - 1]
            skip_back = np.zeros_like(skip)  # s may move to s + 2
            skip_back[:, :-2] = skip[:, 2:]
            nxt = np.full((n, s_len), -np.inf, lp.dtype)
            for t in range(int(il.max()) - 1 if n else -1, -1, -1):
                cur = _lse3(nxt, _shifted(nxt, -1), _shifted(nxt, -2, skip_back)) + emit[t]
                cur[il - 1 == t] = start[il - 1 == t]
                beta[t] = nxt = cur
            # the posterior of each state, exp(alpha + beta - emission + nll), summed per class:
            # normalised by its own emission it stays in [0, 1] (no overflow, no lost terms)
            ab = alpha + beta
            log_post = np.where(ab == -np.inf, -np.inf, ab - emit + nll[:, None])
            post = np.exp(log_post)
            onehot = np.zeros((n, s_len, c), lp.dtype)
            onehot[rows[:, None], np.arange(s_len), ext] = 1
            collected = np.matmul(post.transpose(1, 0, 2), onehot).transpose(1, 0, 2)
            # PyTorch's gradient: exp(lp) - posterior, the gradient with respect to the logits
            # of a log_softmax (exp(lp) sums to 1 per frame, so log_softmax's backward removes
            # it)
            dx = np.exp(lp) - collected
        frame = np.arange(steps)[:, None]
        infinite = nll == np.inf
        dx[(frame < il) & infinite] = np.nan  # an impossible target: nan, as in PyTorch
        dx *= grad._data.astype(lp.dtype, copy=False)[:, None]
        dx[frame >= il] = 0  # frames past a sequence's length take no part
        if ctx.zero_infinity:
            dx[:, infinite] = 0
        return _const(dx), None, None, None, None, None


def _lengths(x: Any, what: str, n: int) -> np.ndarray:
    """Lengths given as an integer Tensor (or array), list or tuple: int64 of size ``n``."""
    if isinstance(x, Tensor):
        a = x._data
    elif isinstance(x, np.ndarray):
        a = x
    elif isinstance(x, (list, tuple)):
        if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in x):
            raise TypeError(f"{_OP}: {what} must be a list or tuple of ints, got {x!r}")
        a = np.array(x, dtype=np.int64)
    else:
        raise TypeError(
            f"{_OP}: expected {what} to be a Tensor, list or tuple of ints, got {type(x).__name__}"
        )
    if a.dtype.kind not in "iu":
        raise TypeError(f"{_OP}: {what} must be integral, got dtype {a.dtype}")
    a = a.reshape(-1).astype(np.int64)
    if a.size != n:
        raise ShapeError(
            f"{_OP}: {what} must be of size batch_size ({n}), got {a.size} value(s) {a.tolist()}"
        )
    return a


def _labels(
    tg: Tensor, x_shape: tuple[int, ...], tl: np.ndarray, blank: int, batched: bool
) -> np.ndarray:
    """The targets as an ``(N, max(target_lengths))`` int64 array, blank past each length."""
    n, c = x_shape[1], x_shape[2]
    if tg.dtype.kind not in "biuf":
        raise TypeError(f"{_OP}: expected targets of class indices, got dtype {tg.dtype}")
    t = tg._data.astype(np.int64)  # PyTorch casts the targets to int64 (floats truncate)
    longest = int(tl.max()) if n else 0
    if t.ndim == 1:  # concatenated: sum(target_lengths) labels
        if t.shape[0] != int(tl.sum()):
            raise ShapeError(
                f"{_OP}: concatenated targets of shape {tuple(t.shape)} must hold "
                f"sum(target_lengths) = {int(tl.sum())} labels"
            )
        offsets = np.concatenate(([0], np.cumsum(tl)[:-1]))
        idx = offsets[:, None] + np.arange(longest)
        valid = np.arange(longest) < tl[:, None]
        lab = t[np.where(valid, idx, 0)] if t.size else np.zeros(valid.shape, np.int64)
    elif t.ndim == 2 and batched:  # padded: (N, S) with S >= max(target_lengths)
        if t.shape[0] != n or t.shape[1] < longest:
            raise ShapeError(
                f"{_OP}: padded targets of shape {tuple(t.shape)} must be of shape (N, S) with "
                f"N = {n} (log_probs of shape {x_shape}) and S >= max(target_lengths) = {longest}"
            )
        lab = t[:, :longest]
        valid = np.arange(longest) < tl[:, None]
    else:
        shape = "(N, S) or (sum(target_lengths),)" if batched else "(S,)"
        raise ShapeError(
            f"{_OP}: expected targets of shape {shape}, got shape {tuple(t.shape)}"
            + ("" if batched else " (unbatched (T, C) log_probs)")
        )
    bad = valid & ((lab < 0) | (lab >= c))
    if bad.any():
        raise IndexError(
            f"{_OP}: target index {int(lab[bad][0])} is out of bounds for log_probs of shape "
            f"{x_shape} (class indices must be in [0, {c}))"
        )
    if (valid & (lab == blank)).any():
        raise _LossValueError(
            f"{_OP}: a target index equals blank={blank}; the blank cannot be a label (only "
            "entries past each target length may hold it, as padding)"
        )
    return np.where(valid, lab, blank)


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """Connectionist temporal classification loss: ``-log p(target | log_probs)`` summed over
    every alignment of each target to its input frames.

    Parameters
    ----------
    log_probs : Tensor
        ``(T, N, C)`` (or unbatched ``(T, C)``) log-probabilities over ``C`` classes, the
        blank included, e.g. ``log_softmax(x, 2)``; float32 or float64.
    targets : Tensor
        Class indices, padded ``(N, S)`` or the targets concatenated, ``(sum(target_lengths),)``
        (``(S,)`` when unbatched). No label may equal ``blank``.
    input_lengths, target_lengths : Tensor, list or tuple of ints
        The length of each input (at most ``T``) and of each target, ``N`` values.
    blank : int
        The blank's class index.
    reduction : {'mean', 'sum', 'none'}
        ``'mean'`` divides each loss by its target length (at least 1), then averages over the
        batch.
    zero_infinity : bool
        Replace infinite losses (targets that no alignment fits: too long for their input,
        counting a blank between repeated labels) and their gradients by zeros.

    Returns
    -------
    Tensor
        The reduced loss, or one loss per sequence (``(N,)``, ``()`` unbatched) for
        ``'none'``.

    Notes
    -----
    As in PyTorch, the gradient with respect to ``log_probs`` is ``exp(log_probs) -
    posterior``: the gradient with respect to the logits of a ``log_softmax``, which is what
    passing through that ``log_softmax`` gives. Pass log-probabilities that sum to 1 per frame.
    An infinite loss has a nan gradient unless ``zero_infinity``. Second-order gradients
    raise RuntimeError, as in PyTorch. Unlike PyTorch, a label equal to ``blank`` or out of
    ``[0, C)`` raises instead of giving an undefined result, and an entry of ``log_probs``
    that is -inf (probability 0) gets the gradient 0 where PyTorch's kernel computes nan.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> log_probs = npgrad.full((3, 1, 2), 0.5).log()  # 3 frames, uniform over blank and "1"
    >>> F.ctc_loss(log_probs, npgrad.tensor([[1]]), [3], [1], reduction="none")  # 6 of 8 paths
    tensor([0.2877])
    >>> F.ctc_loss(log_probs, npgrad.tensor([[1, 1, 1]]), [3], [3], reduction="none")
    tensor([inf])
    >>> F.ctc_loss(log_probs, npgrad.tensor([[1, 1, 1]]), [3], [3], zero_infinity=True)
    tensor(0.)
    """
    red = _reduction(None, None, reduction)
    x = _float(_OP, log_probs, "log_probs")
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"{_OP}: expected float32 or float64 log_probs, got dtype {x.dtype}")
    if x.ndim not in (2, 3):
        raise ShapeError(
            f"{_OP}: expected log_probs of shape (T, N, C) or (T, C), got shape {tuple(x.shape)}"
        )
    batched = x.ndim == 3
    x3 = x if batched else x.unsqueeze(1)
    shape = tuple(x3.shape)
    if x3.numel() == 0:
        raise _LossValueError(f"{_OP}: log_probs tensor must not be empty, got shape {shape}")
    steps, n, c = shape
    blank = int(blank)
    if not 0 <= blank < c:
        raise _LossValueError(
            f"{_OP}: blank must be in label range [0, {c}) (log_probs of shape {shape}), "
            f"got {blank}"
        )
    il = _lengths(input_lengths, "input_lengths", n)
    tl = _lengths(target_lengths, "target_lengths", n)
    if (tl < 0).any():
        raise _LossValueError(f"{_OP}: target_lengths must be >= 0, got {tl.tolist()}")
    if ((il < 0) | (il > steps)).any():
        raise _LossValueError(
            f"{_OP}: input_lengths must be in [0, {steps}] (log_probs of shape {shape}), got "
            f"{il.tolist()}"
        )
    lab = _labels(_tensor(_OP, targets, "targets"), shape, tl, blank, batched)
    ext = np.full((n, 2 * lab.shape[1] + 1), blank, np.int64)
    ext[:, 1::2] = lab
    skip = np.zeros(ext.shape, bool)
    skip[:, 2:] = ext[:, 2:] != ext[:, :-2]  # no skip over the blank between repeated labels
    loss = _CTCLoss.apply(x3, ext, skip, il, tl, bool(zero_infinity))
    if zero_infinity:
        loss = npgrad.where(loss == np.inf, 0.0, loss)
    if red == "mean":
        return (loss / _const(np.maximum(tl, 1).astype(x.dtype))).mean()
    if red == "sum":
        return loss.sum()
    return loss if batched else loss.reshape(())
