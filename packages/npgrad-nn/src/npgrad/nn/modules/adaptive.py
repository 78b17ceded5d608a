"""``AdaptiveLogSoftmaxWithLoss``: the efficient softmax of Grave et al. (2017).

The classes are split by ``cutoffs`` into a frequent *shortlist* and rarer *clusters*. A
``head`` layer scores the shortlist classes plus one entry per cluster; the class ``c`` of
cluster ``k`` then has ``log p(c) = log p_head(k) + log p_k(c)``, where ``p_k`` comes from the
cluster's small two-layer ``tail`` (its hidden size shrinks by ``div_value`` per cluster).
A batch only runs the tails of the clusters its targets fall in, which is what makes the
method cheap for very large vocabularies. Everything is composed of differentiable npgrad
ops, so gradients of any order are available.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.nn import functional as F
from npgrad.nn._factory import factory_kwargs
from npgrad.nn.functional._loss_class import _LossValueError, _TargetTypeError
from npgrad.nn.modules.container import ModuleList, Sequential
from npgrad.nn.modules.linear import Linear
from npgrad.nn.modules.module import Module
from npgrad.ops._shape_util import ShapeError

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_NAME = "AdaptiveLogSoftmaxWithLoss"


class _ASMoutput(NamedTuple):
    """What :meth:`AdaptiveLogSoftmaxWithLoss.forward` returns (torch's ``_ASMoutput``)."""

    output: Tensor
    loss: Tensor


def _check_cutoffs(cutoffs: Any, n_classes: int) -> list[int]:
    try:
        values = list(cutoffs)
    except TypeError:
        raise TypeError(
            f"{_NAME}: cutoffs must be a sequence of integers, got {type(cutoffs).__name__}"
        ) from None
    if not values:
        raise ValueError("cutoffs should be a sequence of length larger than 0")
    ints: list[int] = []
    for c in values:
        if isinstance(c, (bool, np.bool_)):
            break
        if isinstance(c, numbers.Integral):
            ints.append(operator.index(c))
        elif isinstance(c, numbers.Real) and float(c).is_integer():  # 3.0 is fine, as in torch
            ints.append(int(float(c)))
        else:
            break
    if (
        len(ints) != len(values)
        or ints != sorted(ints)
        or len(set(ints)) != len(ints)
        or ints[0] <= 0
        or ints[-1] > n_classes - 1
    ):
        raise ValueError(
            "cutoffs should be a sequence of unique, positive integers sorted in an increasing "
            "order, where each value is between 1 and n_classes-1; got cutoffs="
            f"{values!r} with n_classes={n_classes}"
        )
    return ints


class AdaptiveLogSoftmaxWithLoss(Module):
    """Efficient softmax approximation for many classes (Grave et al., 2017), as
    ``torch.nn.AdaptiveLogSoftmaxWithLoss``.

    Classes should be ordered by decreasing frequency: ``[0, cutoffs[0])`` is the shortlist,
    scored directly by the head; ``[cutoffs[i], cutoffs[i + 1])`` (the last one ending at
    ``n_classes``) is cluster ``i``, scored by the head as one entry and within the cluster by
    ``tail[i]``.

    Parameters
    ----------
    in_features : int
        Number of features of each input sample.
    n_classes : int
        Number of classes.
    cutoffs : sequence of int
        Unique, increasing, between 1 and ``n_classes - 1``.
    div_value : float, default 4.0
        Cluster ``i``'s hidden size is ``in_features // div_value ** (i + 1)``.
    head_bias : bool, default False
        Whether the head has a bias.
    device, dtype : optional
        ``device`` must be the CPU; ``dtype`` is the parameters' floating dtype (default:
        the default float dtype).

    Attributes
    ----------
    head : Linear
        ``in_features -> shortlist_size + n_clusters``.
    tail : ModuleList
        One ``Sequential(Linear(in_features, hidden, bias=False), Linear(hidden, size,
        bias=False))`` per cluster; names and shapes are torch's, so a torch ``state_dict``
        loads with ``strict=True``.
    cutoffs : list of int
        The cutoffs followed by ``n_classes``.

    Notes
    -----
    :meth:`forward` returns ``(output, loss)``: ``output[i]`` is the log-probability of
    ``target[i]`` given ``input[i]`` and ``loss`` is the mean of ``-output``. An input of
    shape ``(N, in_features)`` takes a target of shape ``(N,)``; an unbatched
    ``(in_features,)`` input a 0-d target. :meth:`log_prob` gives all ``n_classes``
    log-probabilities and :meth:`predict` the most likely class.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> asm = nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=[4, 7], div_value=2.0)
    >>> [p.shape for p in asm.parameters()]
    [npgrad.Size([6, 8]), npgrad.Size([4, 8]), npgrad.Size([3, 4]), npgrad.Size([2, 8]), npgrad.Size([3, 2])]
    >>> out, loss = asm(npgrad.randn(5, 8), npgrad.tensor([0, 3, 4, 8, 9]))
    >>> out.shape, loss.shape
    (npgrad.Size([5]), npgrad.Size([]))
    >>> asm.log_prob(npgrad.randn(5, 8)).exp().sum(dim=1).allclose(npgrad.ones(5))
    True
    """

    in_features: int
    n_classes: int
    cutoffs: list[int]
    div_value: float
    head_bias: bool
    shortlist_size: int
    n_clusters: int
    head_size: int
    head: Linear
    tail: ModuleList

    def __init__(
        self,
        in_features: int,
        n_classes: int,
        cutoffs: Sequence[int],
        div_value: float = 4.0,
        head_bias: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        fk = factory_kwargs(type(self).__name__, device, dtype)
        cuts = _check_cutoffs(cutoffs, n_classes)
        if not (isinstance(div_value, numbers.Real) and div_value > 0):
            raise ValueError(f"{_NAME}: div_value must be a positive number, got {div_value!r}")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = [*cuts, n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters

        self.head = Linear(in_features, self.head_size, bias=head_bias, **fk)
        tails = []
        for i in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            tails.append(
                Sequential(
                    Linear(in_features, hidden, bias=False, **fk),
                    Linear(hidden, size, bias=False, **fk),
                )
            )
        self.tail = ModuleList(tails)

    def reset_parameters(self) -> None:
        """Redraw every layer's parameters with :class:`Linear`'s default initialisation."""
        self.head.reset_parameters()
        for layer in self.tail.modules():  # in order: each cluster's two layers
            if isinstance(layer, Linear):
                layer.reset_parameters()

    # ---- checks ----------------------------------------------------------------------------
    def _input(self, input: Any, method: str) -> tuple[Tensor, bool]:  # noqa: A002
        """The input as a 2-D batch, and whether it was batched."""
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{_NAME}.{method}: expected input to be a Tensor, got {type(input).__name__}"
            )
        if input.ndim not in (1, 2) or input.shape[-1] != self.in_features:
            raise ShapeError(
                f"{_NAME}.{method}: expected input of shape (N, {self.in_features}) or "
                f"({self.in_features},), got shape {input.shape}"
            )
        return (input, True) if input.ndim == 2 else (input.unsqueeze(0), False)

    def _target(self, input: Tensor, target: Any) -> np.ndarray:  # noqa: A002
        if isinstance(target, Tensor):
            t = target.numpy()
        elif isinstance(target, np.ndarray):
            t = target
        else:
            raise TypeError(
                f"{_NAME}: expected target to be a Tensor of class indices, got "
                f"{type(target).__name__}"
            )
        if t.dtype.kind not in "iu":
            raise _TargetTypeError(
                f"{_NAME}: expected an integer target (class indices), got dtype {t.dtype}"
            )
        if t.ndim == 1:
            if input.ndim != 2:
                raise ShapeError(
                    f"{_NAME}: a 1-D target expects a 2-D input, got input of shape {input.shape}"
                )
            if input.shape[0] != t.shape[0]:
                raise ShapeError(
                    f"{_NAME}: input and target should have the same size in the batch "
                    f"dimension, got input of shape {input.shape} and target of shape {t.shape}"
                )
        elif t.ndim == 0:
            if input.ndim != 1:
                raise ShapeError(
                    f"{_NAME}: a 0-D target expects a 1-D input, got input of shape {input.shape}"
                )
        else:
            raise ShapeError(
                f"{_NAME}: 0-D or 1-D target expected, multi-target not supported "
                f"(got target of shape {t.shape})"
            )
        t = t.reshape(-1).astype(np.int64, copy=False)
        if t.size and (t.min() < 0 or t.max() >= self.n_classes):
            raise _LossValueError(
                f"{_NAME}: target values should be in [0, {self.n_classes - 1}], but values "
                f"in range [{t.min()}, {t.max()}] were found"
            )
        return t

    # ---- computation -----------------------------------------------------------------------
    def forward(self, input: Tensor, target: Tensor) -> _ASMoutput:  # noqa: A002
        """``(output, loss)``: the log-probability of each target and their negated mean.

        Parameters
        ----------
        input : Tensor
            ``(N, in_features)`` or ``(in_features,)``.
        target : Tensor
            Integer class indices in ``[0, n_classes)``, ``(N,)`` or 0-d respectively.

        Returns
        -------
        _ASMoutput
            Named tuple ``(output, loss)``: ``output`` of the target's shape, ``loss`` 0-d
            (NaN for an empty batch, as in PyTorch).
        """
        if not isinstance(input, Tensor):
            raise TypeError(f"{_NAME}: expected input to be a Tensor, got {type(input).__name__}")
        t = self._target(input, target)
        x, batched = self._input(input, "forward")
        # bucket 0 is the shortlist, bucket k > 0 is the cluster tail[k - 1]
        bucket = np.searchsorted(np.asarray(self.cutoffs[:-1]), t, side="right")
        head_index = np.where(bucket == 0, t, self.shortlist_size + bucket - 1)
        head_lp = F.log_softmax(self.head(x), dim=1)
        output = head_lp.gather(1, Tensor._make(head_index[:, None], False, None)).squeeze(1)
        for k in range(1, self.n_clusters + 1):
            rows = np.flatnonzero(bucket == k)
            if rows.size == 0:
                continue  # like torch, a cluster without targets is not run
            index = Tensor._make(rows, False, None)
            tail_lp = F.log_softmax(self._tail(k - 1, x.index_select(0, index)), dim=1)
            local = Tensor._make(t[rows, None] - self.cutoffs[k - 1], False, None)
            output = output.index_add(0, index, tail_lp.gather(1, local).squeeze(1))
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _tail(self, i: int, x: Tensor) -> Tensor:
        return self.tail[i](x)  # type: ignore[no-any-return]

    def _full_log_prob(self, x: Tensor, head_output: Tensor) -> Tensor:
        head_lp = F.log_softmax(head_output, dim=1)
        parts = [head_lp[:, : self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster = head_lp[:, self.shortlist_size + i : self.shortlist_size + i + 1]
            parts.append(F.log_softmax(self._tail(i, x), dim=1) + cluster)
        return npgrad.cat(parts, dim=1)

    def log_prob(self, input: Tensor) -> Tensor:  # noqa: A002
        """The log-probabilities of all classes.

        Parameters
        ----------
        input : Tensor
            ``(N, in_features)`` or ``(in_features,)``.

        Returns
        -------
        Tensor
            ``(N, n_classes)`` or ``(n_classes,)``.
        """
        x, batched = self._input(input, "log_prob")
        out = self._full_log_prob(x, self.head(x))
        return out if batched else out.squeeze(0)

    def predict(self, input: Tensor) -> Tensor:  # noqa: A002
        """The most likely class of each sample (int64), the same as
        ``log_prob(input).argmax(dim=-1)`` but cheaper: the tails are evaluated only for the
        rows whose best head entry is a cluster.

        Parameters
        ----------
        input : Tensor
            ``(N, in_features)`` or ``(in_features,)``.

        Returns
        -------
        Tensor
            ``(N,)`` or 0-d.
        """
        x, batched = self._input(input, "predict")
        with npgrad.no_grad():
            head_output = self.head(x)
            best = head_output.numpy().argmax(axis=1).astype(np.int64)
            # a class of a cluster can only win where the cluster's head entry does
            rows = np.flatnonzero(best >= self.shortlist_size)
            if rows.size:
                index = Tensor._make(rows, False, None)
                full = self._full_log_prob(
                    x.index_select(0, index), head_output.index_select(0, index)
                )
                best[rows] = full.numpy().argmax(axis=1)
        out = Tensor._make(best, False, None)
        return out if batched else out.squeeze(0)
