"""Loss functions, with ``torch.nn.functional``'s signatures and formulas.

Every loss takes ``reduction='none' | 'mean' | 'sum'``; the deprecated ``size_average`` /
``reduce`` pair is mapped to it as PyTorch does (with its warning). The class-index losses
(``nll_loss``, ``cross_entropy``) are fused Functions from :mod:`._loss_class`; the others are
compositions of core ops, so they are differentiable to any order. Dtypes follow PyTorch loss
by loss: most promote a floating target of another dtype with the input (float32 input and
float64 target give a float64 loss), an integer target takes the input's dtype, and each
gradient comes back in its own input's dtype; the exceptions are noted in their docstrings.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.autograd.function import Function
from npgrad.nn.functional._errors import _ValueRuntimeError
from npgrad.nn.functional._loss_class import (
    _float,
    _LossValueError,
    _reduce,
    _reduction,
    _TargetTypeError,
    _tensor,
    cross_entropy,
    multi_margin_loss,
    multilabel_margin_loss,
    nll_loss,
    triplet_margin_with_distance_loss,
)
from npgrad.ops._shape_util import ShapeError

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "gaussian_nll_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "mse_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "nll_loss",
    "poisson_nll_loss",
    "smooth_l1_loss",
    "triplet_margin_with_distance_loss",
]


# ---- helpers ---------------------------------------------------------------------------------
def _promoted(*tensors: Tensor) -> tuple[Tensor, ...]:
    """The tensors cast to their promoted dtype (differentiably: each gradient comes back in
    its own tensor's dtype)."""
    dt = np.result_type(*(t.dtype for t in tensors))
    return tuple(t if t.dtype == dt else t.to(dt) for t in tensors)


def _pair(
    op: str,
    input: Any,  # noqa: A002
    target: Any,
    exact: bool = False,
    promote: bool = True,
) -> tuple[Tensor, Tensor]:
    """A floating input and target of one dtype; a shape mismatch warns when the two
    broadcast (PyTorch's behaviour) and raises when they don't or when ``exact``.

    With ``promote`` (PyTorch's elementwise losses) a floating target of another dtype is
    promoted with the input; otherwise, and for a non-floating target, the target is cast
    to the input's dtype."""
    x = _float(op, input)
    t = _tensor(op, target, "target")
    if t.dtype != x.dtype:
        if promote and t.dtype.kind == "f":
            x, t = _promoted(x, t)
        else:
            t = t.to(x.dtype)
    if t.shape != x.shape:
        try:
            np.broadcast_shapes(x.shape, t.shape)
        except ValueError:
            exact = True
        if exact:
            raise ShapeError(
                f"{op}: input of shape {tuple(x.shape)} and target of shape {tuple(t.shape)} "
                "must have the same shape"
            )
        warnings.warn(
            f"{op}: using a target size {tuple(t.shape)} that is different to the input size "
            f"{tuple(x.shape)}. This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )
    return x, t


def _weighted(
    op: str, loss: Tensor, x: Tensor, weight: Any, reduction: str, mean_by_weight: bool = True
) -> Tensor:
    """PyTorch's optional elementwise ``weight`` of l1/mse/huber: 'mean' divides by the sum
    of the weights (l1, mse) or by the element count (huber)."""
    if weight is None:
        return _reduce(loss, reduction)
    # any dtype, as in PyTorch: the product promotes (an integer or bool weight keeps the
    # loss's dtype, a wider float widens it)
    w = _tensor(op, weight, "weight")
    if w.shape != x.shape:
        raise ShapeError(
            f"{op}: weights and input must have the same size, got weight of shape "
            f"{tuple(w.shape)} and input of shape {tuple(x.shape)}"
        )
    loss = loss * w
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / w.sum()
    return _reduce(loss, reduction)


# ---- regression losses -----------------------------------------------------------------------
def l1_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean absolute error ``|input - target|`` (gradient 0 where they are equal).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.l1_loss(npgrad.tensor([1.0, 2.0]), npgrad.tensor([2.0, 4.0]))
    tensor(1.5000)
    """
    red = _reduction(size_average, reduce, reduction)
    x, t = _pair("l1_loss", input, target)
    return _weighted("l1_loss", (x - t).abs(), x, weight, red)


def mse_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean squared error ``(input - target) ** 2``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.mse_loss(npgrad.tensor([1.0, 2.0]), npgrad.tensor([2.0, 4.0]))
    tensor(2.5000)
    """
    red = _reduction(size_average, reduce, reduction)
    x, t = _pair("mse_loss", input, target)
    return _weighted("mse_loss", (x - t).square(), x, weight, red)


def smooth_l1_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """``0.5 * d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 * beta`` (``d = input -
    target``); ``beta=0`` is the L1 loss.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.smooth_l1_loss(npgrad.tensor([0.5, 3.0]), npgrad.zeros(2), reduction="none")
    tensor([0.1250, 2.5000])
    """
    red = _reduction(size_average, reduce, reduction)
    x, t = _pair("smooth_l1_loss", input, target)
    beta = float(beta)
    if beta < 0:
        raise _ValueRuntimeError(
            f"smooth_l1_loss does not support negative values for beta, got {beta}"
        )
    d = x - t
    ad = d.abs()
    if beta == 0.0:
        return _reduce(ad, red)
    big = ad >= beta
    # the quadratic branch squares only the small differences (and NaN): an infinite one would
    # give it a 0 * inf = NaN gradient, where PyTorch's gradient is sign(d)
    dq = npgrad.where(big, 0.0, d)
    return _reduce(npgrad.where(big, ad - 0.5 * beta, dq.square() * (0.5 / beta)), red)


def huber_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """``0.5 * d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``.

    The loss has the input's dtype (the target is cast to it), as PyTorch's forward.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.huber_loss(npgrad.tensor([0.5, 3.0]), npgrad.zeros(2), reduction="none", delta=2.0)
    tensor([0.1250, 4.0000])
    """
    red = _reduction(None, None, reduction)
    x, t = _pair("huber_loss", input, target, promote=False)
    delta = float(delta)
    if delta <= 0:
        raise _ValueRuntimeError(
            f"huber_loss does not support non-positive values for delta, got {delta}"
        )
    d = x - t
    ad = d.abs()
    big = ad >= delta
    dq = npgrad.where(big, 0.0, d)  # finite gradient for an infinite d, as in smooth_l1_loss
    loss = npgrad.where(big, (ad - 0.5 * delta) * delta, dq.square() * 0.5)
    return _weighted("huber_loss", loss, x, weight, red, mean_by_weight=False)


# ---- binary classification -------------------------------------------------------------------
# PyTorch's loss kernels (Loss.cpp) add or clamp at ``constexpr float EPSILON = 1e-12``: the
# float32 value, 1e-12 * (1 - 4.0e-9), also in float64 arithmetic
_EPSILON = float(np.float32(1e-12))


class _BinaryCrossEntropy(Function):
    """The unreduced BCE with PyTorch's kernel: logs clamped at -100, and PyTorch's gradient
    ``(x - t) / max(x (1 - x), 1e-12)``, finite at x = 0 and 1 where the clamped log's is not
    (PyTorch's 1e-12 is a C++ ``float``: ``_EPSILON``)."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x, t)
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100.0)
            log_1mx = np.maximum(np.log1p(-x), -100.0)
        return (t - 1) * log_1mx - t * log_x  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, t = ctx.saved_tensors
        gx = gt = None
        if ctx.needs_input_grad[0]:
            gx = grad * (x - t) / npgrad.maximum((1.0 - x) * x, _EPSILON)
        if ctx.needs_input_grad[1]:  # -logit(x), unclamped like PyTorch's
            gt = grad * ((-x).log1p() - x.log())
        return gx, gt


def binary_cross_entropy(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``-weight * (target * log(input) + (1 - target) * log(1 - input))`` for probabilities
    ``input`` in [0, 1]; each log is clamped at -100 like PyTorch's, so the loss is finite.
    As in PyTorch, the target must have the input's dtype.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.binary_cross_entropy(npgrad.tensor([0.5, 1.0]), npgrad.tensor([1.0, 0.0]), reduction="none")
    tensor([  0.6931, 100.0000])
    """
    op = "binary_cross_entropy"
    red = _reduction(size_average, reduce, reduction)
    x = _float(op, input)
    t = _tensor(op, target, "target")
    if t.shape != x.shape:
        raise ShapeError(
            f"{op}: using a target size {tuple(t.shape)} that is different to the input size "
            f"{tuple(x.shape)} is deprecated. Please ensure they have the same size."
        )
    if t.dtype != x.dtype:
        raise _TargetTypeError(
            f"{op}: expected a target of the input's dtype {x.dtype}, got {t.dtype} (PyTorch "
            "does not promote here; cast the target with .to(input.dtype))"
        )
    xd = x._data
    if xd.size and not ((xd >= 0) & (xd <= 1)).all():
        raise _LossValueError(f"{op}: all elements of input should be between 0 and 1")
    td = t._data
    if td.size and not ((td >= 0) & (td <= 1)).all():
        raise _LossValueError(f"{op}: all elements of target should be between 0 and 1")
    loss = _BinaryCrossEntropy.apply(x, t)
    if weight is not None:
        loss = loss * _broadcast_weight(op, weight, x)
    return _reduce(loss, red)


def _broadcast_weight(
    op: str, weight: Any, x: Tensor, name: str = "weight", promote: bool = False
) -> Tensor:
    """A floating weight that broadcasts to ``x``'s shape: cast to its dtype. With
    ``promote`` (PyTorch's out-of-place ``loss * weight``) it is kept in its own dtype, to be
    promoted with it, and may broadcast ``x`` to a larger shape."""
    w = _float(op, weight, name)
    try:
        shape = np.broadcast_shapes(w.shape, x.shape)
    except ValueError:
        shape = None
    if shape is None or (shape != tuple(x.shape) and not promote):
        # PyTorch multiplies in place here: the weight must not grow the loss's shape
        raise ShapeError(
            f"{op}: {name} of shape {tuple(w.shape)} cannot be broadcast to the input shape "
            f"{tuple(x.shape)}"
        )
    return w if w.dtype == x.dtype or promote else w.to(x.dtype)


def binary_cross_entropy_with_logits(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross entropy of ``sigmoid(input)``, computed stably from the logits as
    ``(1 - t) * x - (1 + (pos_weight - 1) * t) * logsigmoid(x)``.

    ``pos_weight`` weighs the positive term, broadcast along the last (class) dimension.
    Finite for any logit, with the gradient ``sigmoid(x) - t`` (unweighted). The target must be
    floating, and the loss has its dtype (as PyTorch's kernel, which computes in the target's
    dtype: a float64 input with a float32 target gives a float32 loss).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> x = npgrad.tensor([1e4, -1e4, 0.0])
    >>> F.binary_cross_entropy_with_logits(x, npgrad.tensor([1.0, 1.0, 0.0]), reduction="none")
    tensor([0.0000e+00, 1.0000e+04, 6.9315e-01])
    """
    op = "binary_cross_entropy_with_logits"
    red = _reduction(size_average, reduce, reduction)
    x = _float(op, input)
    t = _tensor(op, target, "target")
    if t.shape != x.shape:
        raise ShapeError(
            f"{op}: target size {tuple(t.shape)} must be the same as input size {tuple(x.shape)}"
        )
    if t.dtype.kind != "f":
        raise _TargetTypeError(
            f"{op}: expected a floating point target, got dtype {t.dtype} (the loss is computed "
            "in the target's dtype, as in PyTorch)"
        )
    x = x if x.dtype == t.dtype else x.to(t.dtype)
    log_sig = npgrad.logsigmoid(x)
    if pos_weight is not None:
        pw = _broadcast_weight(op, pos_weight, x, "pos_weight")
        loss = (1.0 - t) * x - ((pw - 1.0) * t + 1.0) * log_sig
    else:
        loss = (1.0 - t) * x - log_sig
    if weight is not None:
        loss = loss * _broadcast_weight(op, weight, x)
    return _reduce(loss, red)


# ---- distribution losses ---------------------------------------------------------------------
def kl_div(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """Kullback-Leibler divergence ``target * (log(target) - input)`` for log-probabilities
    ``input`` (``exp(target) * (target - input)`` with ``log_target``); 0 where target is 0.

    ``reduction='batchmean'`` divides the sum by the batch size (the mathematical KL
    divergence); ``'mean'`` divides by the element count and warns, like PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> p = npgrad.tensor([[0.5, 0.5]])
    >>> F.kl_div(npgrad.tensor([[0.25, 0.75]]).log(), p, reduction="batchmean")
    tensor(0.1438)
    """
    op = "kl_div"
    if size_average is not None or reduce is not None:
        red = _reduction(size_average, reduce, "mean")
    else:
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the "
                "support size. 'batchmean' divides only by the batch size, and aligns with the "
                "KL div math definition. 'mean' will be changed to behave the same as "
                "'batchmean' in the next major release.",
                UserWarning,
                stacklevel=2,
            )
        red = reduction if reduction == "batchmean" else _reduction(None, None, reduction)
    x, t = _pair(op, input, target)
    if log_target:
        loss = t.exp() * (t - x)
    else:
        zero = t == 0  # xlogy: 0 * log(0) is 0; the inner where keeps that branch finite
        loss = npgrad.where(zero, 0.0, t * npgrad.where(zero, 1.0, t).log()) - t * x
    if red == "batchmean":
        total = loss.sum()
        return total / x.shape[0] if x.ndim else total
    return _reduce(loss, red)


def poisson_nll_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: bool | None = None,
    eps: float = 1e-8,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Poisson negative log likelihood: ``exp(input) - target * input`` for log-rates
    (``log_input``), else ``input - target * log(input + eps)``; ``full`` adds the Stirling
    term ``t log t - t + 0.5 log(2 pi t)`` where ``target > 1``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.poisson_nll_loss(npgrad.tensor([0.0, 1.0]), npgrad.tensor([1.0, 2.0]), reduction="none")
    tensor([1.0000, 0.7183])
    """
    op = "poisson_nll_loss"
    red = _reduction(size_average, reduce, reduction, legacy_mean=False)
    x, t = _pair(op, input, target)
    loss = x.exp() - t * x if log_input else x - t * (x + float(eps)).log()
    if full:
        big = t > 1
        ts = npgrad.where(big, t, 2.0)  # keeps the unused branch finite (and its gradient)
        stirling = ts * ts.log() - ts + 0.5 * (ts * (2 * math.pi)).log()
        loss = loss + npgrad.where(big, stirling, 0.0)
    return _reduce(loss, red)


def gaussian_nll_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """Gaussian negative log likelihood ``0.5 * (log(var) + (input - target)**2 / var)``
    (``+ 0.5 log(2 pi)`` with ``full``); ``var`` is clamped at ``eps`` without affecting its
    gradient, and may have one dimension fewer than ``input`` or a single mismatched size 1
    (homoscedastic), as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.gaussian_nll_loss(npgrad.tensor([1.0]), npgrad.tensor([3.0]), npgrad.tensor([2.0]))
    tensor(1.3466)
    """
    op = "gaussian_nll_loss"
    x, t = _pair(op, input, target)
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError(f"{op}: var has negative entry/entries")
        v = npgrad.full(x.shape, float(var), dtype=x.dtype)
    else:
        v = _float(op, var, "var")
        if (v._data < 0).any():
            raise ValueError(f"{op}: var has negative entry/entries")
        if v.shape != x.shape:
            if tuple(x.shape[:-1]) == tuple(v.shape):
                v = v.unsqueeze(-1)
            elif not (v.ndim == x.ndim and sum(b for a, b in zip(x.shape, v.shape) if a != b) == 1):
                raise ShapeError(
                    f"{op}: var is of incorrect size {tuple(v.shape)} for input of shape "
                    f"{tuple(x.shape)}"
                )
        x, t, v = _promoted(x, t, v)
    red = _reduction(None, None, reduction, legacy_mean=False)
    v = v.clone()
    with npgrad.no_grad():  # PyTorch's clamp: the value changes, the gradient passes through
        v.clamp_(min=float(eps))
    loss = 0.5 * (v.log() + (x - t).square() / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, red)
