"""Normalization layers: ``BatchNorm1d/2d/3d``, ``InstanceNorm1d/2d/3d``, ``LayerNorm``,
``GroupNorm``, ``RMSNorm``, ``LocalResponseNorm`` and ``CrossMapLRN2d`` (in ``_cross_map_lrn``).

Parameter and buffer names, shapes, defaults and ``repr`` are PyTorch's (``weight``, ``bias``,
``running_mean``, ``running_var``, ``num_batches_tracked``), so a PyTorch ``state_dict`` loads
unchanged. Each layer checks its input against its settings before touching its state, and
names itself (its repr) in the error.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import npgrad
from npgrad import Tensor
from npgrad.nn import functional as F
from npgrad.nn._factory import factory_kwargs
from npgrad.nn.modules._cross_map_lrn import CrossMapLRN2d
from npgrad.nn.modules.module import Module, _check_sizes
from npgrad.nn.parameter import Parameter

__all__ = [
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "CrossMapLRN2d",
    "GroupNorm",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LayerNorm",
    "LocalResponseNorm",
    "RMSNorm",
]


class _NormBase(Module):
    """State shared by batch and instance norm: the affine parameters and running stats."""

    _version = 2  # PyTorch's numbering: version 2 added the num_batches_tracked buffer

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        dt = factory_kwargs(type(self).__name__, device, dtype, parameters=affine)["dtype"]
        _check_sizes(type(self).__name__, num_features=num_features)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(npgrad.empty(num_features, dtype=dt))
            if bias:
                self.bias = Parameter(npgrad.empty(num_features, dtype=dt))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", npgrad.zeros(num_features, dtype=dt))
            self.register_buffer("running_var", npgrad.ones(num_features, dtype=dt))
            self.register_buffer("num_batches_tracked", npgrad.tensor(0, dtype=npgrad.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def _upgrade_state_dict(
        self, state_dict: dict[str, Any], prefix: str, local_metadata: dict[str, Any]
    ) -> None:
        # PyTorch's _NormBase._load_from_state_dict: a state_dict of version < 2, or without
        # version metadata (a plain dict), may lack num_batches_tracked; the module keeps its own
        version = local_metadata.get("version")
        key = prefix + "num_batches_tracked"
        old = (version is None or version < 2) and self.track_running_stats
        if old and key not in state_dict and self.num_batches_tracked is not None:
            state_dict[key] = self.num_batches_tracked

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches tracked."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1.0)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """PyTorch's initialisation: weight 1, bias 0 (and fresh running statistics)."""
        self.reset_running_stats()
        with npgrad.no_grad():
            if self.weight is not None:
                self.weight.fill_(1.0)
            if self.bias is not None:
                self.bias.zero_()

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )

    def _input(self, input: Any) -> Tensor:  # noqa: A002
        if not isinstance(input, Tensor):
            raise TypeError(f"{self!r}: expected input to be a Tensor, got {type(input).__name__}")
        return input


class _BatchNorm(_NormBase):
    _dims: tuple[int, ...]  # the accepted input ranks

    def _check_input_dim(self, x: Tensor) -> None:
        if x.ndim not in self._dims:
            ranks = " or ".join(f"{d}D" for d in self._dims)
            raise ValueError(
                f"{self!r}: expected {ranks} input (got {x.ndim}D input of shape {tuple(x.shape)})"
            )
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"{self!r}: expected input with {self.num_features} channels (dim 1), got input "
                f"of shape {tuple(x.shape)}"
            )

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        x = self._input(input)
        self._check_input_dim(x)
        per_channel = x.shape[0] * math.prod(x.shape[2:])
        if self.training and per_channel == 1:  # checked before any state changes
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {tuple(x.shape)}"
            )
        factor = 0.0 if self.momentum is None else self.momentum
        count = self.training and self.track_running_stats and self.num_batches_tracked is not None
        if count and self.momentum is None:  # cumulative moving average: the mean of all batches
            factor = 1.0 / (float(self.num_batches_tracked.item()) + 1.0)  # type: ignore[union-attr]
        # batch statistics in training, and in evaluation when there are no running ones
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        out = F.batch_norm(
            x,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch,
            factor,
            self.eps,
        )
        if count:  # only once F.batch_norm accepted the input: a refused batch changes nothing
            self.num_batches_tracked.add_(1)  # type: ignore[union-attr]
        return out


class BatchNorm1d(_BatchNorm):
    """Batch normalization over the channels of ``(N, C)`` or ``(N, C, L)`` input.

    Normalizes with the batch mean and biased variance in training, updating ``running_mean``
    and ``running_var`` (with the *unbiased* variance) by ``momentum`` (``None``: a cumulative
    average over ``num_batches_tracked`` batches); evaluation uses the running statistics
    (the batch's when ``track_running_stats=False``).

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
    device, dtype
        ``device`` must be the CPU; ``dtype`` of the parameters and buffers.
    bias : bool
        With ``affine``, learn a bias too.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> bn = nn.BatchNorm1d(2)
    >>> bn
    BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    >>> bn(npgrad.tensor([[1.0, 2.0], [3.0, 6.0]]))
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]], grad_fn=<_NormalizeBackward>)
    >>> bn.running_mean, bn.num_batches_tracked
    (tensor([0.2000, 0.4000]), tensor(1))
    """

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization over the channels of ``(N, C, H, W)`` input; see
    :class:`BatchNorm1d` for the arguments and the running statistics.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> bn = nn.BatchNorm2d(3).eval()
    >>> bn(npgrad.ones(2, 3, 4, 4)).shape
    npgrad.Size([2, 3, 4, 4])
    """

    _dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalization over the channels of ``(N, C, D, H, W)`` input; see
    :class:`BatchNorm1d` for the arguments and the running statistics.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.BatchNorm3d(3, momentum=None, affine=False)
    BatchNorm3d(3, eps=1e-05, momentum=None, affine=False, bias=False, track_running_stats=True)
    """

    _dims = (5,)


class _InstanceNorm(_NormBase):
    _batched: int  # rank of a batched input

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias
        )

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        x = self._input(input)
        if x.ndim not in (self._batched - 1, self._batched):
            raise ValueError(
                f"{self!r}: expected {self._batched - 1}D or {self._batched}D input (got "
                f"{x.ndim}D input of shape {tuple(x.shape)})"
            )
        feature_dim = x.ndim - (self._batched - 1)
        if x.shape[feature_dim] != self.num_features:
            if self.affine or self.track_running_stats:
                raise ValueError(
                    f"{self!r}: expected input's size at dim={feature_dim} to match num_features "
                    f"({self.num_features}), but got input of shape {tuple(x.shape)}"
                )
            warnings.warn(
                f"input's size at dim={feature_dim} does not match num_features. You can silence "
                "this warning by not passing in num_features, which is not used because "
                "affine=False",
                UserWarning,
                stacklevel=2,
            )
        unbatched = x.ndim == self._batched - 1
        out = F.instance_norm(
            x.unsqueeze(0) if unbatched else x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            0.0 if self.momentum is None else self.momentum,
            self.eps,
        )
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization of ``(N, C, L)`` (or unbatched ``(C, L)``) input: each
    channel of each sample normalized over its own ``L`` elements.

    Defaults differ from batch norm as in PyTorch: ``affine=False``,
    ``track_running_stats=False`` (statistics of the input in evaluation too).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.InstanceNorm1d(2)
    >>> m
    InstanceNorm1d(2, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)
    >>> m(npgrad.tensor([[1.0, 3.0], [0.0, 4.0]]))
    tensor([[-1.0000,  1.0000],
            [-1.0000,  1.0000]])
    """

    _batched = 3


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of ``(N, C, H, W)`` (or ``(C, H, W)``) input; see
    :class:`InstanceNorm1d`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.InstanceNorm2d(3, affine=True)(npgrad.randn(2, 3, 4, 4)).shape
    npgrad.Size([2, 3, 4, 4])
    """

    _batched = 4


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization of ``(N, C, D, H, W)`` (or ``(C, D, H, W)``) input; see
    :class:`InstanceNorm1d`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.InstanceNorm3d(3)(npgrad.randn(3, 2, 2, 2)).shape
    npgrad.Size([3, 2, 2, 2])
    """

    _batched = 5


def _shape_of(owner: str, normalized_shape: int | tuple[int, ...] | list[int]) -> tuple[int, ...]:
    """``normalized_shape`` (an int or a sequence of ints) as a tuple of ints."""
    if isinstance(normalized_shape, numbers.Integral):
        shape: tuple[int, ...] = (int(normalized_shape),)
    else:
        shape = tuple(int(s) for s in normalized_shape)  # type: ignore[union-attr]
    for size in shape:
        _check_sizes(owner, normalized_shape=size)
    return shape


class LayerNorm(Module):
    """Layer normalization over the trailing ``normalized_shape`` dimensions, with an
    elementwise ``weight`` (init 1) and ``bias`` (init 0) of that shape.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> ln = nn.LayerNorm(2)
    >>> ln
    LayerNorm((2,), eps=1e-05, elementwise_affine=True, bias=True)
    >>> ln(npgrad.tensor([[1.0, 3.0]]))
    tensor([[-1.0000,  1.0000]], grad_fn=<_NormalizeBackward>)
    """

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...] | list[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        fk = factory_kwargs(type(self).__name__, device, dtype, parameters=elementwise_affine)
        self.normalized_shape = _shape_of("LayerNorm", normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(npgrad.empty(self.normalized_shape, **fk))
            if bias:
                self.bias = Parameter(npgrad.empty(self.normalized_shape, **fk))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's initialisation: weight 1, bias 0."""
        with npgrad.no_grad():
            if self.weight is not None:
                self.weight.fill_(1.0)
            if self.bias is not None:
                self.bias.zero_()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if not isinstance(input, Tensor):
            raise TypeError(f"{self!r}: expected input to be a Tensor, got {type(input).__name__}")
        k = len(self.normalized_shape)
        if input.ndim < k or tuple(input.shape[input.ndim - k :]) != self.normalized_shape:
            raise ValueError(
                f"{self!r}: expected input with trailing shape {self.normalized_shape} (shape "
                f"(*, {', '.join(map(str, self.normalized_shape))})), got input of shape "
                f"{tuple(input.shape)}"
            )
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class RMSNorm(Module):
    """Root-mean-square layer normalization over the trailing ``normalized_shape``
    dimensions, with an elementwise ``weight`` (init 1) of that shape.

    ``eps=None`` (the default) uses the machine epsilon of the input's dtype; see
    :func:`npgrad.nn.functional.rms_norm`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> rms = nn.RMSNorm(2)
    >>> rms
    RMSNorm((2,), eps=None, elementwise_affine=True)
    >>> rms(npgrad.tensor([[3.0, -4.0]]))
    tensor([[ 0.8485, -1.1314]], grad_fn=<MulBackward>)
    """

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...] | list[int],
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        fk = factory_kwargs(type(self).__name__, device, dtype, parameters=elementwise_affine)
        self.normalized_shape = _shape_of("RMSNorm", normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(npgrad.empty(self.normalized_shape, **fk))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's initialisation: weight 1."""
        if self.weight is not None:
            with npgrad.no_grad():
                self.weight.fill_(1.0)

    def forward(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor):
            raise TypeError(f"{self!r}: expected input to be a Tensor, got {type(x).__name__}")
        k = len(self.normalized_shape)
        if x.ndim < k or tuple(x.shape[x.ndim - k :]) != self.normalized_shape:
            raise ValueError(
                f"{self!r}: expected input with trailing shape {self.normalized_shape} (shape "
                f"(*, {', '.join(map(str, self.normalized_shape))})), got input of shape "
                f"{tuple(x.shape)}"
            )
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


class GroupNorm(Module):
    """Group normalization: the ``num_channels`` channels of ``(N, C, *)`` input split into
    ``num_groups`` groups, each normalized over its channels and positions; per-channel
    ``weight`` (init 1) and ``bias`` (init 0).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> gn = nn.GroupNorm(2, 4)
    >>> gn
    GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)
    >>> gn(npgrad.tensor([[1.0, 3.0, 0.0, 4.0]]))
    tensor([[-1.0000,  1.0000, -1.0000,  1.0000]], grad_fn=<_NormalizeBackward>)
    """

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        fk = factory_kwargs(type(self).__name__, device, dtype, parameters=affine)
        _check_sizes("GroupNorm", num_groups=num_groups, num_channels=num_channels)
        if num_groups <= 0 or num_channels % num_groups != 0:
            raise ValueError(
                f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})"
            )
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        if affine:
            self.weight = Parameter(npgrad.empty(num_channels, **fk))
            if bias:
                self.bias = Parameter(npgrad.empty(num_channels, **fk))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's initialisation: weight 1, bias 0."""
        with npgrad.no_grad():
            if self.weight is not None:
                self.weight.fill_(1.0)
            if self.bias is not None:
                self.bias.zero_()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if not isinstance(input, Tensor):
            raise TypeError(f"{self!r}: expected input to be a Tensor, got {type(input).__name__}")
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise ValueError(
                f"{self!r}: expected input of shape (N, {self.num_channels}, *), got input of "
                f"shape {tuple(input.shape)}"
            )
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


class LocalResponseNorm(Module):
    """Local response normalization across channels:
    ``x / (k + alpha / size * sum of x**2 over size neighbouring channels) ** beta``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> lrn = nn.LocalResponseNorm(2)
    >>> lrn
    LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)
    >>> lrn(npgrad.ones(1, 3, 2)).shape
    npgrad.Size([1, 3, 2])
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
