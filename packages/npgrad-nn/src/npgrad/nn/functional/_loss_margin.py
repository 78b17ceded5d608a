"""Margin and embedding losses (``margin_ranking_loss``, ``hinge_embedding_loss``,
``soft_margin_loss``, ``multilabel_soft_margin_loss``, ``cosine_embedding_loss``,
``triplet_margin_loss``), with ``torch.nn.functional``'s signatures and formulas: compositions
of core ops, so differentiable to any order. The class-index margin losses
(``multi_margin_loss``, ``multilabel_margin_loss``) and ``triplet_margin_with_distance_loss``
are in :mod:`._loss_class`.
"""

from __future__ import annotations

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.nn.functional._loss import _EPSILON, _broadcast_weight, _pair
from npgrad.nn.functional._loss_class import _reduce, _reduction, _tensor
from npgrad.ops._shape_util import ShapeError

__all__ = [
    "cosine_embedding_loss",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "multilabel_soft_margin_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
]


# ---- margin and embedding losses -------------------------------------------------------------
def _float_inputs(op: str, allow_bool: bool, **inputs: object) -> list[Tensor]:
    """The inputs cast (differentiably) to their promoted dtype. PyTorch computes these losses
    with promoting arithmetic, so an integer input is accepted and promotes with the others,
    and all-integer inputs give the default float dtype. Bool inputs are refused where
    PyTorch's subtraction refuses them."""
    ts = [_tensor(op, v, name) for name, v in inputs.items()]
    for name, t in zip(inputs, ts):
        if t.dtype.kind == "b" and not allow_bool:
            raise TypeError(f"{op}: expected a numeric {name}, got dtype bool")
    dt = ts[0].dtype
    for t in ts[1:]:
        dt = npgrad.promote_types(dt, t.dtype)
    if dt.kind != "f":
        dt = npgrad.get_default_dtype()
    return [t if t.dtype == dt else t.to(dt) for t in ts]


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)`` for targets of 1 or -1.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.margin_ranking_loss(npgrad.tensor([1.0, 1.0]), npgrad.tensor([0.0, 2.0]), npgrad.tensor([1.0, 1.0]), reduction="none")
    tensor([0., 1.])
    """
    op = "margin_ranking_loss"
    red = _reduction(size_average, reduce, reduction)
    x1, x2 = _float_inputs(op, False, input1=input1, input2=input2)
    t = _tensor(op, target, "target")
    if not x1.ndim == x2.ndim == t.ndim:
        raise ShapeError(
            f"{op}: all input tensors should have the same dimension but got sizes: input1: "
            f"{tuple(x1.shape)}, input2: {tuple(x2.shape)}, target: {tuple(t.shape)}"
        )
    try:
        np.broadcast_shapes(x1.shape, x2.shape, t.shape)
    except ValueError:
        raise ShapeError(
            f"{op}: input1 {tuple(x1.shape)}, input2 {tuple(x2.shape)} and target "
            f"{tuple(t.shape)} must have broadcastable shapes"
        ) from None
    if t.dtype.kind != "f":  # a floating target promotes with the inputs, as in PyTorch
        t = t.to(np.result_type(x1.dtype, x2.dtype))
    return _reduce((-t * (x1 - x2) + float(margin)).clamp(min=0.0), red)


def hinge_embedding_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    margin: float = 1.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``input`` where ``target == 1`` and ``max(0, margin - input)`` where ``target == -1``
    (``input`` is typically a distance).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.hinge_embedding_loss(npgrad.tensor([0.3, 0.4]), npgrad.tensor([1.0, -1.0]), reduction="none")
    tensor([0.3000, 0.6000])
    """
    op = "hinge_embedding_loss"
    red = _reduction(size_average, reduce, reduction)
    x, t = _pair(op, input, target, promote=False)
    # PyTorch's kernel: both terms where the target is neither 1 nor -1
    margin_term = npgrad.where(t != 1, (float(margin) - x).clamp(min=0.0), 0.0)
    return _reduce(margin_term + npgrad.where(t != -1, x, 0.0), red)


def soft_margin_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Two-class logistic loss ``log(1 + exp(-target * input))``, computed as a softplus so
    that it stays finite for any input.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.soft_margin_loss(npgrad.tensor([0.0, 2.0]), npgrad.tensor([1.0, -1.0]), reduction="none")
    tensor([0.6931, 2.1269])
    """
    red = _reduction(size_average, reduce, reduction)
    x, t = _pair("soft_margin_loss", input, target, promote=False)
    return _reduce(npgrad.softplus(-(x * t)), red)


def multilabel_soft_margin_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """One-versus-all logistic loss over the last (class) dimension, averaged over classes:
    ``-mean_c(t log sigmoid(x) + (1 - t) log sigmoid(-x))`` (times ``weight[c]``).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.multilabel_soft_margin_loss(npgrad.tensor([[0.0, 2.0]]), npgrad.tensor([[1.0, 0.0]]))
    tensor(1.4100)
    """
    op = "multilabel_soft_margin_loss"
    red = _reduction(size_average, reduce, reduction, legacy_mean=False)
    x, t = _pair(op, input, target)
    loss = -(t * npgrad.logsigmoid(x) + (1.0 - t) * npgrad.logsigmoid(-x))
    if weight is not None:
        loss = loss * _broadcast_weight(op, weight, x, promote=True)  # PyTorch promotes here
    c = x.shape[-1] if x.ndim else 1
    # PyTorch sums over the input's class dimension, counted from the front: a weight that
    # broadcasts the loss to more dimensions leaves the extra ones in front of it
    return _reduce(loss.sum(x.ndim - 1) / c if x.ndim else loss, red)


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``1 - cos(x1, x2)`` where ``target == 1`` and ``max(0, cos(x1, x2) - margin)`` where
    ``target == -1``; the cosine is taken along dim 1 of ``(N, D)`` inputs (or of ``(D,)``
    inputs with a 0-d target), with PyTorch's ``1e-12`` added to each squared norm.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> a = npgrad.tensor([[1.0, 0.0], [1.0, 0.0]])
    >>> b = npgrad.tensor([[0.0, 1.0], [1.0, 1.0]])
    >>> F.cosine_embedding_loss(a, b, npgrad.tensor([1.0, -1.0]), reduction="none")
    tensor([1.0000, 0.7071])
    """
    op = "cosine_embedding_loss"
    red = _reduction(size_average, reduce, reduction)
    x1, x2 = _float_inputs(op, True, input1=input1, input2=input2)
    t = _tensor(op, target, "target")
    if t.ndim not in (0, 1):
        raise ShapeError(
            f"{op}: 0D or 1D target tensor expected, multi-target not supported, got target of shape {tuple(t.shape)}"
        )
    want = t.ndim + 1
    if (
        x1.ndim != want
        or x2.ndim != want
        or x1.shape != x2.shape
        or (t.ndim and t.shape[0] != x1.shape[0])
    ):
        raise ShapeError(
            f"{op}: a {t.ndim}D target of shape {tuple(t.shape)} expects two {want}D inputs of "
            f"the same shape{' and batch size' if t.ndim else ''}, but found inputs with sizes "
            f"{tuple(x1.shape)} and {tuple(x2.shape)}"
        )
    d = t.ndim
    eps = _EPSILON  # PyTorch's float 1e-12
    cos = (x1 * x2).sum(d) / (((x1 * x1).sum(d) + eps) * ((x2 * x2).sum(d) + eps)).sqrt()
    pos = npgrad.where(t == 1, 1.0 - cos, 0.0)
    neg = npgrad.where(t == -1, (cos - float(margin)).clamp(min=0.0), 0.0)
    return _reduce(pos + neg, red)


def _pairwise_distance(x1: Tensor, x2: Tensor, p: float, eps: float) -> Tensor:
    # PyTorch's pairwise_distance: the p-norm of x1 - x2 + eps over the last dimension
    return npgrad.norm(x1 - x2 + eps, p, max(x1.ndim, x2.ndim) - 1)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, d(a, p) - d(a, n) + margin)`` with ``d`` the pairwise ``p``-norm distance
    (``eps`` added to the difference); ``swap`` uses ``min(d(a, n), d(p, n))``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> a, pos, neg = npgrad.tensor([[0.0, 0.0]]), npgrad.tensor([[3.0, 4.0]]), npgrad.tensor([[1.0, 0.0]])
    >>> F.triplet_margin_loss(a, pos, neg, eps=0.0)
    tensor(5.)
    """
    op = "triplet_margin_loss"
    red = _reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"{op}: margin must be greater than 0, got {margin}")
    a, pos, neg = _float_inputs(op, False, anchor=anchor, positive=positive, negative=negative)
    if not a.ndim == pos.ndim == neg.ndim:
        raise ShapeError(
            f"{op}: the anchor, positive, and negative tensors are expected to have the same "
            f"number of dimensions, but got: anchor {a.ndim}D, positive {pos.ndim}D, and "
            f"negative {neg.ndim}D inputs"
        )
    try:
        np.broadcast_shapes(a.shape, pos.shape, neg.shape)
    except ValueError:
        raise ShapeError(
            f"{op}: anchor {tuple(a.shape)}, positive {tuple(pos.shape)} and negative "
            f"{tuple(neg.shape)} must have broadcastable shapes"
        ) from None
    d_pos = _pairwise_distance(a, pos, p, eps)
    d_neg = _pairwise_distance(a, neg, p, eps)
    if swap:
        d_neg = npgrad.minimum(d_neg, _pairwise_distance(pos, neg, p, eps))
    return _reduce((d_pos - d_neg + float(margin)).clamp(min=0.0), red)
