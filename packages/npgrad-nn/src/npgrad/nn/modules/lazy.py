"""Lazy modules: layers whose input size (and so their parameters' shapes) is inferred from the
first input, as PyTorch's ``LazyLinear``, ``LazyConv2d``...

Until its first call a lazy module holds :class:`~npgrad.nn.UninitializedParameter` (and
``UninitializedBuffer``) objects; a forward pre-hook registered by :class:`LazyModuleMixin`
reads the input's size, materializes them, initialises them as the non-lazy layer does, and
turns the module into that layer (``cls_to_become``): after ``nn.LazyLinear(3)(x)`` the module
is an ``nn.Linear``. The parameters keep their identity, so an optimizer built before the
first call sees the materialized ones.
"""

from __future__ import annotations

from typing import Any

import npgrad
from npgrad import Tensor
from npgrad.nn._factory import factory_kwargs
from npgrad.nn.modules._lazy_mixin import LazyModuleMixin, _input
from npgrad.nn.modules.conv import (
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose1d,
    ConvTranspose2d,
    ConvTranspose3d,
)
from npgrad.nn.modules.linear import Linear
from npgrad.nn.modules.normalization import (
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
    _BatchNorm,
    _InstanceNorm,
    _NormBase,
)
from npgrad.nn.parameter import UninitializedBuffer, UninitializedParameter, is_lazy
from npgrad.ops._shape_util import ShapeError

__all__ = [
    "LazyBatchNorm1d",
    "LazyBatchNorm2d",
    "LazyBatchNorm3d",
    "LazyConv1d",
    "LazyConv2d",
    "LazyConv3d",
    "LazyConvTranspose1d",
    "LazyConvTranspose2d",
    "LazyConvTranspose3d",
    "LazyInstanceNorm1d",
    "LazyInstanceNorm2d",
    "LazyInstanceNorm3d",
    "LazyLinear",
    "LazyModuleMixin",
]


# ---- Linear ------------------------------------------------------------------------------
class LazyLinear(LazyModuleMixin, Linear):
    """A :class:`~npgrad.nn.Linear` whose ``in_features`` is the last dimension of its first
    input. Its weight and bias are then initialised as ``Linear``'s (seed for seed the same
    values as ``Linear(in_features, out_features)`` created at that point).

    Parameters
    ----------
    out_features : int
        Size of each output sample.
    bias : bool
        Whether to learn an additive bias (default True).
    dtype : optional
        Parameter dtype (default: the default float dtype). ``device`` is accepted and
        ignored.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.LazyLinear(4)
    >>> m(npgrad.randn(2, 3)).shape
    npgrad.Size([2, 4])
    >>> type(m).__name__, m.in_features
    ('Linear', 3)
    """

    cls_to_become = Linear

    def __init__(
        self, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        # no bias yet: a placeholder would be replaced at once
        super().__init__(0, 0, False, device, dtype)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        if not self.has_uninitialized_params():
            return
        x = _input(self, args)
        if x.ndim == 0:
            raise ShapeError(f"{self!r}: expected an input with at least 1 dimension, got 0-D")
        n = int(x.shape[-1])
        shapes = {"weight": (self.out_features, n), "bias": (self.out_features,)}
        self._check_loaded(shapes)
        self.in_features = n
        self._materialize(shapes)

    def _sync_sizes(self) -> None:
        if not is_lazy(self.weight):
            self.in_features = int(self.weight.shape[1])


# ---- convolutions ------------------------------------------------------------------------
class _LazyConvMixin(LazyModuleMixin):
    """``in_channels`` from the channel dimension of the first input (dim 0 unbatched, 1
    batched); the weight and bias are then those of the non-lazy convolution."""

    _nd: int
    in_channels: int
    out_channels: int
    groups: int
    kernel_size: tuple[int, ...]
    transposed: bool

    def _lazy_setup(self, out_channels: int, bias: bool, device: Any, dtype: Any) -> None:
        if out_channels % self.groups:
            raise ValueError(
                f"{type(self).__name__}: out_channels ({out_channels}) must be divisible by "
                f"groups ({self.groups})"
            )
        module: Any = self
        module.weight = UninitializedParameter(device=device, dtype=dtype)
        module.out_channels = int(out_channels)
        if bias:
            module.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()  # type: ignore[misc]

    def _weight_shape(self, in_channels: int) -> tuple[int, ...]:
        g, k = self.groups, self.kernel_size
        if self.transposed:
            return (in_channels, self.out_channels // g, *k)
        return (self.out_channels, in_channels // g, *k)

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        if not self.has_uninitialized_params():
            return
        x = _input(self, args)  # type: ignore[arg-type]
        nd = self._nd
        if x.ndim not in (nd + 1, nd + 2):
            raise ShapeError(
                f"{self!r}: expected a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input, "
                f"got input of shape {tuple(x.shape)}"
            )
        c = int(x.shape[1] if x.ndim == nd + 2 else x.shape[0])
        if c % self.groups:
            raise ValueError(
                f"{self!r}: in_channels ({c}, from the input of shape {tuple(x.shape)}) must be "
                f"divisible by groups ({self.groups})"
            )
        shapes = {"weight": self._weight_shape(c), "bias": (self.out_channels,)}
        self._check_loaded(shapes)
        self.in_channels = c
        self._materialize(shapes)

    def _sync_sizes(self) -> None:
        w: Any = self.__dict__["_parameters"]["weight"]
        if not is_lazy(w):
            self.in_channels = int(w.shape[0] if self.transposed else w.shape[1] * self.groups)


class _LazyConv(_LazyConvMixin):
    def __init__(
        self,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode, device, dtype
        )
        self._lazy_setup(out_channels, bias, device, dtype)


class _LazyConvTranspose(_LazyConvMixin):
    def __init__(
        self,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            0,
            0,
            kernel_size,
            stride,
            padding,
            output_padding,
            groups,
            False,
            dilation,
            padding_mode,
            device,
            dtype,
        )
        self._lazy_setup(out_channels, bias, device, dtype)


class LazyConv1d(_LazyConv, Conv1d):
    """A :class:`~npgrad.nn.Conv1d` whose ``in_channels`` is inferred from its first input;
    the other arguments are ``Conv1d``'s, without ``in_channels``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.LazyConv1d(8, 3)
    >>> m
    LazyConv1d(0, 8, kernel_size=(3,), stride=(1,))
    >>> m(npgrad.randn(2, 4, 10)).shape
    npgrad.Size([2, 8, 8])
    >>> m
    Conv1d(4, 8, kernel_size=(3,), stride=(1,))
    """

    cls_to_become = Conv1d


class LazyConv2d(_LazyConv, Conv2d):
    """A :class:`~npgrad.nn.Conv2d` whose ``in_channels`` is inferred from its first input;
    the other arguments are ``Conv2d``'s, without ``in_channels``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.LazyConv2d(8, 3, padding=1)
    >>> m(npgrad.randn(2, 3, 5, 5)).shape
    npgrad.Size([2, 8, 5, 5])
    >>> m.weight.shape
    npgrad.Size([8, 3, 3, 3])
    """

    cls_to_become = Conv2d


class LazyConv3d(_LazyConv, Conv3d):
    """A :class:`~npgrad.nn.Conv3d` whose ``in_channels`` is inferred from its first input;
    the other arguments are ``Conv3d``'s, without ``in_channels``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.LazyConv3d(4, 2)(npgrad.randn(1, 2, 3, 3, 3)).shape
    npgrad.Size([1, 4, 2, 2, 2])
    """

    cls_to_become = Conv3d


class LazyConvTranspose1d(_LazyConvTranspose, ConvTranspose1d):
    """A :class:`~npgrad.nn.ConvTranspose1d` whose ``in_channels`` is inferred from its first
    input; the other arguments are ``ConvTranspose1d``'s, without ``in_channels``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.LazyConvTranspose1d(2, 3, stride=2)
    >>> m(npgrad.randn(1, 4, 5)).shape
    npgrad.Size([1, 2, 11])
    >>> m.weight.shape
    npgrad.Size([4, 2, 3])
    """

    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTranspose, ConvTranspose2d):
    """A :class:`~npgrad.nn.ConvTranspose2d` whose ``in_channels`` is inferred from its first
    input; the other arguments are ``ConvTranspose2d``'s, without ``in_channels``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.LazyConvTranspose2d(3, 2, stride=2)(npgrad.randn(1, 4, 3, 3)).shape
    npgrad.Size([1, 3, 6, 6])
    """

    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTranspose, ConvTranspose3d):
    """A :class:`~npgrad.nn.ConvTranspose3d` whose ``in_channels`` is inferred from its first
    input; the other arguments are ``ConvTranspose3d``'s, without ``in_channels``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.LazyConvTranspose3d(3, 2, stride=2)(npgrad.randn(1, 2, 2, 2, 2)).shape
    npgrad.Size([1, 3, 4, 4, 4])
    """

    cls_to_become = ConvTranspose3d


# ---- batch and instance norm ---------------------------------------------------------------
class _LazyNormBase(LazyModuleMixin, _NormBase):
    """``num_features`` from the channel dimension of the first input; ``weight``/``bias``
    (``affine``) and ``running_mean``/``running_var`` (``track_running_stats``) are
    uninitialized until then. As PyTorch's, the lazy layers have no ``bias`` argument and
    default to ``affine=True, track_running_stats=True`` (the instance norms too)."""

    def __init__(
        self,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        factory_kwargs(type(self).__name__, device, dtype, parameters=affine)
        # no parameters or statistics yet: placeholders would be replaced at once
        super().__init__(0, eps, momentum, False, False, device, dtype)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = npgrad.tensor(0, dtype=npgrad.int64)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def _channel_dim(self, x: Tensor) -> int:
        module: Any = self
        if isinstance(self, _InstanceNorm):
            if x.ndim not in (module._batched - 1, module._batched):
                raise ValueError(
                    f"{self!r}: expected {module._batched - 1}D or {module._batched}D input "
                    f"(got {x.ndim}D input of shape {tuple(x.shape)})"
                )
            # an unbatched input's channels are its dim 0 (PyTorch takes dim 1 there too)
            return int(x.ndim - (module._batched - 1))
        if x.ndim not in module._dims:
            ranks = " or ".join(f"{d}D" for d in module._dims)
            raise ValueError(
                f"{self!r}: expected {ranks} input (got {x.ndim}D input of shape {tuple(x.shape)})"
            )
        return 1

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        # without affine parameters or running statistics nothing is lazy, but num_features
        # is still taken from the input (PyTorch leaves it 0 and warns at every call)
        if not self.has_uninitialized_params() and self.num_features != 0:
            return
        x = _input(self, args)
        c = int(x.shape[self._channel_dim(x)])
        shape: tuple[int, ...] = (c,)
        shapes = {"weight": shape, "bias": shape, "running_mean": shape, "running_var": shape}
        self._check_loaded(shapes)
        self.num_features = c
        self._materialize(shapes)

    def _sync_sizes(self) -> None:
        for name in ("weight", "running_mean"):
            t = getattr(self, name)
            if t is not None and not is_lazy(t):
                self.num_features = int(t.shape[0])
                return


class LazyBatchNorm1d(_LazyNormBase, _BatchNorm):
    """A :class:`~npgrad.nn.BatchNorm1d` whose ``num_features`` is the channel count of its
    first (``(N, C)`` or ``(N, C, L)``) input; the arguments are ``BatchNorm1d``'s without
    ``num_features`` (and ``bias``), ``affine`` and ``track_running_stats`` default True.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> bn = nn.LazyBatchNorm1d()
    >>> bn
    LazyBatchNorm1d(0, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    >>> bn(npgrad.tensor([[1.0, 2.0], [3.0, 6.0]]))
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]], grad_fn=<_NormalizeBackward>)
    >>> bn.running_mean
    tensor([0.2000, 0.4000])
    """

    cls_to_become = BatchNorm1d
    _dims = (2, 3)


class LazyBatchNorm2d(_LazyNormBase, _BatchNorm):
    """A :class:`~npgrad.nn.BatchNorm2d` whose ``num_features`` is the channel count of its
    first (``(N, C, H, W)``) input; the arguments are ``BatchNorm2d``'s without
    ``num_features`` (and ``bias``), ``affine`` and ``track_running_stats`` default True.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> bn = nn.LazyBatchNorm2d()
    >>> bn(npgrad.randn(2, 3, 4, 4)).shape, bn.weight.shape
    (npgrad.Size([2, 3, 4, 4]), npgrad.Size([3]))
    """

    cls_to_become = BatchNorm2d
    _dims = (4,)


class LazyBatchNorm3d(_LazyNormBase, _BatchNorm):
    """A :class:`~npgrad.nn.BatchNorm3d` whose ``num_features`` is the channel count of its
    first (``(N, C, D, H, W)``) input; the arguments are ``BatchNorm3d``'s without
    ``num_features`` (and ``bias``), ``affine`` and ``track_running_stats`` default True.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> bn = nn.LazyBatchNorm3d(affine=False)
    >>> _ = bn(npgrad.randn(2, 3, 2, 2, 2))
    >>> bn
    BatchNorm3d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=True)
    """

    cls_to_become = BatchNorm3d
    _dims = (5,)


class LazyInstanceNorm1d(_LazyNormBase, _InstanceNorm):
    """A :class:`~npgrad.nn.InstanceNorm1d` whose ``num_features`` is the channel count of its
    first (``(C, L)`` or ``(N, C, L)``) input; the arguments are ``InstanceNorm1d``'s without
    ``num_features`` (and ``bias``), ``affine`` and ``track_running_stats`` default True.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.LazyInstanceNorm1d()
    >>> m(npgrad.randn(2, 3, 5)).shape, m.running_var.shape
    (npgrad.Size([2, 3, 5]), npgrad.Size([3]))
    """

    cls_to_become = InstanceNorm1d
    _batched = 3


class LazyInstanceNorm2d(_LazyNormBase, _InstanceNorm):
    """A :class:`~npgrad.nn.InstanceNorm2d` whose ``num_features`` is the channel count of its
    first (``(C, H, W)`` or ``(N, C, H, W)``) input; the arguments are ``InstanceNorm2d``'s without
    ``num_features`` (and ``bias``), ``affine`` and ``track_running_stats`` default True.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.LazyInstanceNorm2d(track_running_stats=False)
    >>> m(npgrad.randn(3, 4, 4)).shape, m.weight.shape, m.running_mean
    (npgrad.Size([3, 4, 4]), npgrad.Size([3]), None)
    """

    cls_to_become = InstanceNorm2d
    _batched = 4


class LazyInstanceNorm3d(_LazyNormBase, _InstanceNorm):
    """A :class:`~npgrad.nn.InstanceNorm3d` whose ``num_features`` is the channel count of its
    first (``(C, D, H, W)`` or ``(N, C, D, H, W)``) input; the arguments are ``InstanceNorm3d``'s without
    ``num_features`` (and ``bias``), ``affine`` and ``track_running_stats`` default True.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.LazyInstanceNorm3d(affine=False)
    >>> m(npgrad.randn(1, 2, 3, 3, 3)).shape, m.num_features
    (npgrad.Size([1, 2, 3, 3, 3]), 2)
    """

    cls_to_become = InstanceNorm3d
    _batched = 5
