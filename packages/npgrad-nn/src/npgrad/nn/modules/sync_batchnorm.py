"""``SyncBatchNorm``: batch normalization whose statistics span every rank of a process group.

In training, with ``npgrad.distributed`` initialised on more than one rank, the mean and
variance of each channel are those of the union of all ranks' batches (which may differ in
size). Everywhere else (evaluation, no process group, a world of one rank) the layer is exactly
``BatchNorm*d``, as PyTorch's falls back to ``F.batch_norm``.

How the synchronised path communicates, and why:

* Forward: each rank computes its count, mean and centred sum of squares per channel (two
  passes, as ``F.batch_norm``), and one ``all_gather`` of these ``2C + 1`` numbers gives every
  rank every rank's moments. They are combined in float64 by the pairwise update of Chan,
  Golub & LeVeque ("Algorithms for computing the sample variance", The American Statistician
  37(3), 1983): ``M2 = sum M2_r + sum n_r (mean_r - mean)^2``. An all-reduce of sums and sums
  of squares would be one collective too, but ``E[x^2] - E[x]^2`` cancels when
  ``|mean| >> std`` (its relative error grows as ``(mean / std)^2``: about 1 % at a ratio of
  300 in float32); and every rank combining the same gathered numbers in the same order makes
  the statistics, hence the running buffers, bit-for-bit equal on all ranks.
* Backward: one fused :class:`~npgrad.autograd.Function` (NumPy, like ``F.batch_norm``'s),
  which all-reduces the per-channel ``sum(dy)`` and ``sum(dy * xhat)`` (one collective of
  ``2C`` numbers) and then forms the input gradient; the weight and bias gradients are the
  local sums, as in PyTorch: ``DistributedDataParallel`` averages them across ranks. The
  gradient is that of the sum of every rank's loss, which is what DDP's averaging expects.
* ``create_graph=True``: the same formula written in npgrad ops around a differentiable
  all-reduce (:class:`_AllReduceSum`, whose backward is again an all-reduce), with the
  statistics recomputed from the input in the graph, so that second-order gradients see
  their dependence on every rank's input. This costs three all-reduces instead of one.

Every rank must run the same layers in the same order (as with DDP) and call backward when
one does: the collectives of one rank wait for the others'.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad import distributed as dist
from npgrad.autograd.function import Function
from npgrad.autograd.grad_mode import is_grad_enabled_fast
from npgrad.nn.modules.module import Module
from npgrad.nn.modules.normalization import _BatchNorm

__all__ = ["SyncBatchNorm"]


def _check_process_group(process_group: Any, where: str) -> None:
    if process_group is not None:
        raise ValueError(
            f"{where}: npgrad.distributed has one process group (every rank of the job); "
            f"pass process_group=None, got {process_group!r}"
        )


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None)


class _AllReduceSum(Function):
    """The sum over ranks of a tensor, differentiable.

    With the objective the sum of every rank's loss, the gradient with respect to one rank's
    contribution is the sum of every rank's gradient of the result: an all-reduce again.
    """

    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        out = np.array(a, order="C", copy=True)  # the collective works in place: not on `a`
        dist.all_reduce(_const(out))
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return _AllReduceSum.apply(grad)  # type: ignore[no-any-return]


def _local_moments(xv: np.ndarray) -> np.ndarray:
    """``[n, mean_0..mean_C-1, M2_0..M2_C-1]`` (float64) of an ``(N, C, L)`` view: the count
    per channel, the means and the centred sums of squares of this rank's batch."""
    n, c, rest = xv.shape
    count = n * rest
    out = np.zeros(2 * c + 1, np.float64)
    out[0] = count
    if count:
        # The mean is accumulated in float64: the combination weighs each rank's mean by its
        # count, so its rounding would enter the variance. The centring uses the mean rounded
        # to the input's dtype (an exact subtraction, no float64 copy of the batch), and the
        # centred sum of squares is moved to the exact mean: M2 = M2' - n (mean' - mean)^2.
        mean = xv.sum(axis=0, dtype=np.float64).sum(axis=1) / count  # leading axis first
        near = mean.astype(xv.dtype)
        centred = xv - near.reshape(1, c, 1)
        m2 = np.einsum("ncl,ncl->c", centred, centred).astype(np.float64)
        out[1 : c + 1] = mean
        out[c + 1 :] = np.maximum(m2 - count * (near - mean) ** 2, 0.0)
    return out


def _combine(moments: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """Total count, mean and biased variance from every rank's ``_local_moments`` (rows)."""
    c = (moments.shape[1] - 1) // 2
    counts = moments[:, :1]
    total = float(counts.sum())
    if total == 0:
        return 0, np.zeros(c), np.zeros(c)
    means, m2 = moments[:, 1 : c + 1], moments[:, c + 1 :]
    mean = (counts * means).sum(axis=0) / total
    # Chan, Golub & LeVeque (1983): the pairwise combination of centred sums of squares
    var = (m2.sum(axis=0) + (counts * (means - mean) ** 2).sum(axis=0)) / total
    return int(total), mean, var


def _global_stats(xv: np.ndarray, world: int) -> tuple[int, np.ndarray, np.ndarray]:
    """Count, mean and biased variance per channel of the union of every rank's batch."""
    mine = _local_moments(xv)
    everyone = np.empty((world, mine.size), np.float64)
    dist.all_gather_into_tensor(_const(everyone), _const(mine))
    return _combine(everyone)


class _SyncBatchNormFn(Function):
    """``(x - mean) * invstd * weight + bias`` with statistics ``mean``/``invstd`` of the
    union of all ranks' batches (``count`` elements per channel), computed by the caller."""

    _node_name = "SyncBatchNorm"  # grad_fn=<SyncBatchNormBackward>, as PyTorch's

    @staticmethod
    def forward(
        ctx: Any,
        x: np.ndarray,
        weight: np.ndarray | None,
        bias: np.ndarray | None,
        mean: np.ndarray,
        invstd: np.ndarray,
        count: int,
        eps: float,
    ) -> np.ndarray:
        n, c = x.shape[:2]
        view = (n, c, math.prod(x.shape[2:]))
        result = np.empty(x.shape, x.dtype)
        out = result.reshape(view)
        np.subtract(x.reshape(view), mean.reshape(1, c, 1), out=out)
        scale = invstd if weight is None else invstd * weight
        out *= scale.reshape(1, c, 1)
        if bias is not None:
            out += bias.reshape(1, c, 1)
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(x, weight, bias)
            ctx.view, ctx.mean, ctx.invstd, ctx.count, ctx.eps = view, mean, invstd, count, eps
        return result

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, weight, bias = ctx.saved_tensors
        if is_grad_enabled_fast():  # create_graph: a differentiable gradient
            grads = _backward_graph(ctx, x, weight, grad)
        else:
            grads = _backward_numpy(ctx, x, weight, grad)
        return (*grads, None, None, None, None)


def _backward_numpy(
    ctx: Any, x: Tensor, weight: Tensor | None, grad: Tensor
) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
    need_x, need_w, need_b = ctx.needs_input_grad[:3]
    view, count = ctx.view, ctx.count
    c = view[1]
    mean, invstd = ctx.mean.reshape(1, c, 1), ctx.invstd.reshape(1, c, 1)
    g = grad._data.reshape(view)
    result = np.empty(x.shape, x.dtype)  # becomes the input's gradient: built in place
    xhat = result.reshape(view)
    np.subtract(x._data.reshape(view), mean, out=xhat)
    xhat *= invstd
    sums = np.empty(2 * c, x.dtype)  # [sum(dy), sum(dy * xhat)] per channel, then all ranks'
    sums[:c] = g.sum(axis=0).sum(axis=1)
    sums[c:] = np.einsum("ncl,ncl->c", g, xhat)
    gw = _const(sums[c:].copy()) if need_w else None  # local sums, as PyTorch (DDP averages)
    gb = _const(sums[:c].copy()) if need_b else None
    gx = None
    if need_x:
        dist.all_reduce(_const(sums))  # the one collective of backward
        dx = xhat
        dx *= (sums[c:] / count).reshape(1, c, 1)
        dx += (sums[:c] / count).reshape(1, c, 1)
        np.subtract(g, dx, out=dx)
        scale = ctx.invstd if weight is None else ctx.invstd * weight._data
        dx *= scale.reshape(1, c, 1)
        gx = _const(result)
    return gx, gw, gb


def _backward_graph(
    ctx: Any, x: Tensor, weight: Tensor | None, grad: Tensor
) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
    need_x, need_w, need_b = ctx.needs_input_grad[:3]
    view, count = ctx.view, ctx.count
    c = view[1]
    xv = x.reshape(view)
    if need_x:  # the statistics as functions of every rank's input: recomputed in the graph
        mean = _AllReduceSum.apply(xv.sum((0, 2))) / count
        centred = xv - mean.reshape(1, c, 1)
        var = _AllReduceSum.apply((centred * centred).sum((0, 2))) / count
        invstd = (var + ctx.eps).rsqrt().reshape(1, c, 1)
    else:  # constants for the weight's gradient: no collective needed
        centred = xv - _const(ctx.mean.reshape(1, c, 1))
        invstd = _const(ctx.invstd.reshape(1, c, 1))
    xhat = centred * invstd
    g = grad.reshape(view)
    gw = (g * xhat).sum((0, 2)) if need_w else None
    gb = g.sum((0, 2)) if need_b else None
    gx = None
    if need_x:
        gy = g if weight is None else g * weight.reshape(1, c, 1)
        sums = _AllReduceSum.apply(npgrad.cat([gy.sum((0, 2)), (gy * xhat).sum((0, 2))]))
        mean_gy = (sums[:c] / count).reshape(1, c, 1)
        mean_gyx = (sums[c:] / count).reshape(1, c, 1)
        gx = ((gy - mean_gy - xhat * mean_gyx) * invstd).reshape(x.shape)
    return gx, gw, gb


class SyncBatchNorm(_BatchNorm):
    """Batch normalization over the channels of ``(N, C, *)`` input, with the statistics of
    the union of the batches of every rank of ``npgrad.distributed``.

    In training, with a process group of more than one rank, each rank normalizes its batch
    with the mean and (biased) variance over all ranks' batches together (their sizes may
    differ), updates ``running_mean``/``running_var`` with them (the variance unbiased over
    the total count), and backward gives each rank's input the gradient with respect to these
    global statistics. The ``weight``/``bias`` gradients are each rank's own share, which
    :class:`~npgrad.nn.parallel.DistributedDataParallel` averages. Forward does one collective
    of ``2C + 1`` numbers per rank, backward one of ``2C``; every rank must take part.

    In evaluation, or without an initialised process group of more than one rank, it is
    exactly :class:`BatchNorm1d`/``2d``/``3d`` (as in PyTorch).

    Parameters
    ----------
    num_features : int
        ``C``.
    eps : float
        Added to the variance.
    momentum : float or None
        Running-average factor; ``None`` for the cumulative average.
    affine : bool
        Learn ``weight`` (init 1) and ``bias`` (init 0).
    track_running_stats : bool
        Keep running statistics.
    process_group : None
        npgrad has one process group, every rank of the job: the default, None.
    device, dtype
        ``device`` must be the CPU; ``dtype`` of the parameters and buffers.
    bias : bool
        With ``affine``, learn a bias too.

    Raises
    ------
    ValueError
        For a ``process_group`` other than None; in forward, for input of fewer than 2
        dimensions, with no channel or another number of channels than ``num_features``, or
        (in training) with a single value per channel over all ranks.
    TypeError
        For input that is not a floating Tensor of the parameters' dtype.

    Examples
    --------
    Without a process group it is a batch norm of the local batch:

    >>> import npgrad
    >>> from npgrad import nn
    >>> bn = nn.SyncBatchNorm(2)
    >>> bn
    SyncBatchNorm(2, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    >>> bn(npgrad.tensor([[1.0, 2.0], [3.0, 6.0]]))
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]], grad_fn=<_NormalizeBackward>)

    In a simulated world of two ranks (``backend="fake"``; the other rank holds the same
    batch) the statistics are those of both batches; under ``mpiexec`` each rank's differs:

    >>> import npgrad.distributed as dist
    >>> dist.init_process_group("fake", world_size=2, rank=0)
    >>> bn = nn.SyncBatchNorm(2)
    >>> bn(npgrad.tensor([[1.0, 2.0], [3.0, 6.0]]))
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]], grad_fn=<SyncBatchNormBackward>)
    >>> bn.running_var  # unbiased over the 4 values per channel: 0.9 + 0.1 * 4/3 * (1, 4)
    tensor([1.0333, 1.4333])
    >>> dist.destroy_process_group()
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        process_group: Any = None,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        _check_process_group(process_group, "SyncBatchNorm")
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias
        )
        self.process_group = process_group

    def _check_input_dim(self, x: Tensor) -> None:
        if x.ndim < 2:
            raise ValueError(
                f"{self!r}: expected at least 2D input (got {x.ndim}D input of shape "
                f"{tuple(x.shape)})"
            )
        if x.shape[1] == 0:
            raise ValueError(
                f"{self!r}: SyncBatchNorm number of input channels should be non-zero (input "
                f"of shape {tuple(x.shape)})"
            )
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"{self!r}: expected input with {self.num_features} channels (dim 1), got input "
                f"of shape {tuple(x.shape)}"
            )

    def _check_input(self, x: Tensor) -> None:
        """Everything ``forward`` would refuse, before it changes any state."""
        self._check_input_dim(x)
        if x.dtype.kind != "f":
            raise TypeError(f"{self!r}: expected a floating point input, got dtype {x.dtype}")
        for name in ("weight", "bias"):
            p = getattr(self, name)
            if p is not None and p.dtype != x.dtype:
                raise TypeError(
                    f"{self!r}: input dtype ({x.dtype}) and {name} dtype ({p.dtype}) must be "
                    "the same"
                )
        if self.training and not float(self.eps) > 0:
            raise ValueError(f"{self!r}: eps must be positive during training, got {self.eps}")

    def _sync_world_size(self) -> int:
        """The number of ranks to synchronise with: 1 unless training in a process group."""
        if not self.training or not dist.is_initialized():
            return 1
        return dist.get_world_size()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        x = self._input(input)
        self._check_input(x)
        world = self._sync_world_size()
        if world == 1:
            return super().forward(x)  # type: ignore[no-any-return]
        n, c = x.shape[:2]
        xv = x._data.reshape(n, c, math.prod(x.shape[2:]))
        count, mean64, var64 = _global_stats(xv, world)  # every rank learns the same numbers
        if count == 1:  # raised on every rank alike: all of them know the count
            raise ValueError(
                "Expected more than 1 value per channel when training, got 1 value per channel "
                f"over the {world} ranks (input size {tuple(x.shape)} on this rank)"
            )
        factor = 0.0 if self.momentum is None else float(self.momentum)
        if self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average: the plain mean of all batches
                factor = 1.0 / float(self.num_batches_tracked.item())
        if count == 0:
            # as F.batch_norm on an empty batch: an empty output (in the graph of weight and
            # bias) and the running statistics left as they are
            return self._empty(x)
        if self.track_running_stats and self.running_mean is not None:
            # PyTorch stores the variance unbiased over the total count, normalizes with the
            # biased one
            unbiased = var64 * (count / (count - 1))
            for buf, new in ((self.running_mean, mean64), (self.running_var, unbiased)):
                data = buf._data
                data *= 1.0 - factor
                data += (factor * new).astype(data.dtype, copy=False)
                buf._version += 1
        eps = float(self.eps)
        invstd = (1.0 / np.sqrt(var64 + eps)).astype(x.dtype)
        return _SyncBatchNormFn.apply(  # type: ignore[no-any-return]
            x, self.weight, self.bias, mean64.astype(x.dtype), invstd, count, eps
        )

    def _empty(self, x: Tensor) -> Tensor:
        affine = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        out = x.clone()
        if self.weight is not None:
            out = out * self.weight.reshape(affine)
        if self.bias is not None:
            out = out + self.bias.reshape(affine)
        return out

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """Replace every ``BatchNorm1d/2d/3d`` (and ``SyncBatchNorm``) in ``module``'s tree by a
        ``SyncBatchNorm`` that shares its parameters and buffers and keeps its training mode.

        Parameters
        ----------
        module : Module
            The model; its children are replaced in place.
        process_group : None
            The one process group of npgrad.distributed: None.

        Returns
        -------
        Module
            ``module`` itself with its batch norms converted, or a new ``SyncBatchNorm`` when
            ``module`` is a batch norm.

        Examples
        --------
        >>> from npgrad import nn
        >>> net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU())
        >>> bn = net[1]
        >>> net = nn.SyncBatchNorm.convert_sync_batchnorm(net)
        >>> net[1]
        SyncBatchNorm(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
        >>> net[1].weight is bn.weight and net[1].running_mean is bn.running_mean
        True
        """
        _check_process_group(process_group, "SyncBatchNorm.convert_sync_batchnorm")
        if not isinstance(module, Module):
            raise TypeError(
                "SyncBatchNorm.convert_sync_batchnorm: module must be an npgrad.nn.Module, got "
                f"{type(module).__name__}"
            )
        return _convert(cls, module)


def _convert(cls: type[SyncBatchNorm], module: Module) -> Module:
    out = module
    if isinstance(module, _BatchNorm):
        weight = module.weight
        out = cls(
            module.num_features,
            module.eps,
            module.momentum,
            module.affine,
            module.track_running_stats,
            bias=module.bias is not None,
            dtype=None if weight is None else weight.dtype,
        )
        if module.affine:
            # the same Parameter objects (PyTorch's too): an optimizer built on the old module
            # keeps training the converted one
            out.weight = module.weight
            out.bias = module.bias
        out.running_mean = module.running_mean
        out.running_var = module.running_var
        out.num_batches_tracked = module.num_batches_tracked
        out.training = module.training
    for name, child in module.named_children():
        out.add_module(name, _convert(cls, child))
    return out
