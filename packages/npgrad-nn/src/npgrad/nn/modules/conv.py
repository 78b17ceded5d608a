"""Convolution layers: ``Conv1d/2d/3d`` and ``ConvTranspose1d/2d/3d`` (plus ``Fold`` /
``Unfold``, re-exported from :mod:`.fold`).

Parameters, their names, shapes and default initialisation are PyTorch's: ``weight`` is
``(out_channels, in_channels / groups, *kernel_size)`` — ``(in_channels, out_channels /
groups, *kernel_size)`` for the transposed layers — and ``bias`` is ``(out_channels,)``, both
drawn from ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` (``kaiming_uniform_(a=sqrt(5))``), so a
PyTorch ``state_dict`` loads unchanged and gives the same outputs.
"""

from __future__ import annotations

import math
from typing import Any

import npgrad
from npgrad import Tensor
from npgrad.nn import init
from npgrad.nn._factory import factory_kwargs
from npgrad.nn.functional._conv import _conv_nd, _conv_transpose_nd
from npgrad.nn.functional._im2col import _check_input, _ntuple, _who
from npgrad.nn.functional._padding import _pad
from npgrad.nn.modules.fold import Fold, Unfold
from npgrad.nn.modules.module import Module, _check_sizes
from npgrad.nn.parameter import Parameter

__all__ = [
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "Fold",
    "Unfold",
]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """Shared construction, initialisation and repr of the convolution layers."""

    _nd: int
    _transposed = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any,
        padding: Any,
        dilation: Any,
        output_padding: Any,
        groups: int,
        bias: bool,
        padding_mode: str,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        nd, name = self._nd, type(self).__name__
        fk = factory_kwargs(name, device, dtype)
        _check_sizes(name, in_channels=in_channels, out_channels=out_channels)
        if groups <= 0:
            raise ValueError(f"{name}: groups must be a positive integer, got {groups}")
        if in_channels % groups:
            raise ValueError(
                f"{name}: in_channels ({in_channels}) must be divisible by groups ({groups})"
            )
        if out_channels % groups:
            raise ValueError(
                f"{name}: out_channels ({out_channels}) must be divisible by groups ({groups})"
            )
        kernel_size = _ntuple(kernel_size, nd, "kernel_size", name, minimum=1)
        stride = _ntuple(stride, nd, "stride", name, minimum=1)
        dilation = _ntuple(dilation, nd, "dilation", name, minimum=1)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(
                    f"{name}: invalid padding string {padding!r}, should be one of {{'same', 'valid'}}"
                )
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError(
                    f"{name}: padding='same' is not supported for strided convolutions"
                )
        else:
            padding = _ntuple(padding, nd, "padding", name)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"{name}: padding_mode must be one of {set(_PADDING_MODES)}, but got "
                f"padding_mode='{padding_mode}'"
            )
        if self._transposed and padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {name}')
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size, self.stride, self.padding, self.dilation = (
            kernel_size,
            stride,
            padding,
            dilation,
        )
        self.transposed = self._transposed
        self.output_padding = _ntuple(output_padding, nd, "output_padding", name)
        self.groups, self.padding_mode = int(groups), padding_mode
        # F.pad's order (last dimension first) of the explicit padding of the non-zero modes;
        # 'same' puts its odd extra element on the high side, as PyTorch does
        if isinstance(padding, str):
            pads = [0, 0] * nd
            if padding == "same":
                for d, k, i in zip(dilation, kernel_size, range(nd - 1, -1, -1)):
                    total = d * (k - 1)
                    pads[2 * i], pads[2 * i + 1] = total // 2, total - total // 2
        else:
            pads = [p for p in reversed(padding) for _ in range(2)]
        self._reversed_padding_repeated_twice = pads
        if self._transposed:
            shape = (in_channels, out_channels // groups, *kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *kernel_size)
        self.weight = Parameter(npgrad.empty(*shape, **fk))
        if bias:
            self.bias = Parameter(npgrad.empty(out_channels, **fk))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: ``kaiming_uniform_(weight, a=sqrt(5))`` — which is
        ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` — and the same bound for the bias, where
        ``fan_in = weight.shape[1] * prod(kernel_size)``."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    def __init__(
        self,
        in_channels: int,
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
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            0,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
        )

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        nd = self._nd
        if self.padding_mode == "zeros":
            return _conv_nd(
                input,
                self.weight,
                self.bias,
                self.stride,
                self.padding,
                self.dilation,
                self.groups,
                nd,
                self,
            )
        x = _check_input(input, nd, self)
        x = _pad(x, self._reversed_padding_repeated_twice, self.padding_mode, None, self)
        return _conv_nd(
            x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups, nd, self
        )


class Conv1d(_Conv):
    """1-D convolution over ``(N, C_in, L)`` (or ``(C_in, L)``) inputs.

    ``L_out = floor((L + 2·padding - dilation·(kernel_size - 1) - 1) / stride + 1)``;
    ``padding`` is an int, a 1-tuple, ``'valid'`` or ``'same'``; ``padding_mode`` is
    ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.Conv1d(16, 33, 3, stride=2)
    >>> m
    Conv1d(16, 33, kernel_size=(3,), stride=(2,))
    >>> m(npgrad.randn(20, 16, 50)).shape
    npgrad.Size([20, 33, 24])
    """

    _nd = 1


class Conv2d(_Conv):
    """2-D convolution over ``(N, C_in, H, W)`` (or ``(C_in, H, W)``) inputs.

    ``H_out = floor((H + 2·padding[0] - dilation[0]·(kernel_size[0] - 1) - 1) / stride[0] + 1)``
    (likewise for W). ``groups`` splits the channels into independent groups
    (``groups == in_channels`` is a depthwise convolution); ``dilation`` spaces the kernel
    taps (1 = none).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2), dilation=(3, 1))
    >>> m
    Conv2d(16, 33, kernel_size=(3, 5), stride=(2, 1), padding=(4, 2), dilation=(3, 1))
    >>> m(npgrad.randn(2, 16, 50, 100)).shape
    npgrad.Size([2, 33, 26, 100])
    """

    _nd = 2


class Conv3d(_Conv):
    """3-D convolution over ``(N, C_in, D, H, W)`` (or ``(C_in, D, H, W)``) inputs.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.Conv3d(2, 4, 3, padding=1)(npgrad.randn(1, 2, 4, 5, 6)).shape
    npgrad.Size([1, 4, 4, 5, 6])
    """

    _nd = 3


class _ConvTranspose(_ConvNd):
    _transposed = True

    def __init__(
        self,
        in_channels: int,
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
        if isinstance(padding, str):
            raise ValueError(
                f"{type(self).__name__}: padding must be an int or a tuple, got {padding!r}"
            )
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            output_padding,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
        )

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple[int, ...]:  # noqa: A002
        """``output_padding``, or the one that gives the requested ``output_size``."""
        if output_size is None:
            return self.output_padding  # type: ignore[no-any-return]
        nd = self._nd
        size = [int(s) for s in output_size]
        if len(size) == input.ndim:
            size = size[-nd:]
        if len(size) != nd:
            raise ValueError(
                f"{_who(self)}: for {input.ndim}D input, output_size must have {nd} or {input.ndim} "
                f"elements (got {len(output_size)})"
            )
        lo = [
            (n - 1) * s - 2 * p + d * (k - 1) + 1
            for n, s, p, d, k in zip(
                input.shape[-nd:], self.stride, self.padding, self.dilation, self.kernel_size
            )
        ]
        hi = [m + s - 1 for m, s in zip(lo, self.stride)]
        if any(not a <= n <= b for n, a, b in zip(size, lo, hi)):
            raise ValueError(
                f"{_who(self)}: requested an output size of {size}, but valid sizes range from "
                f"{lo} to {hi} (for an input of shape {tuple(input.shape)})"
            )
        return tuple(n - a for n, a in zip(size, lo))

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        x = _check_input(input, self._nd, self)
        return _conv_transpose_nd(
            x,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self._output_padding(x, output_size),
            self.groups,
            self.dilation,
            self._nd,
            self,
        )


class ConvTranspose1d(_ConvTranspose):
    """1-D transposed convolution (the gradient of :class:`Conv1d` with respect to its input).

    ``L_out = (L - 1)·stride - 2·padding + dilation·(kernel_size - 1) + output_padding + 1``;
    ``forward(input, output_size)`` may instead name the wanted output size.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.ConvTranspose1d(4, 2, 3, stride=2)
    >>> m
    ConvTranspose1d(4, 2, kernel_size=(3,), stride=(2,))
    >>> m(npgrad.randn(1, 4, 5)).shape
    npgrad.Size([1, 2, 11])
    """

    _nd = 1


class ConvTranspose2d(_ConvTranspose):
    """2-D transposed convolution ("deconvolution") over ``(N, C_in, H, W)`` inputs.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> down = nn.Conv2d(16, 16, 3, stride=2, padding=1)
    >>> up = nn.ConvTranspose2d(16, 16, 3, stride=2, padding=1)
    >>> x = npgrad.randn(1, 16, 12, 12)
    >>> h = down(x)
    >>> h.shape
    npgrad.Size([1, 16, 6, 6])
    >>> up(h, output_size=x.shape).shape
    npgrad.Size([1, 16, 12, 12])
    """

    _nd = 2


class ConvTranspose3d(_ConvTranspose):
    """3-D transposed convolution over ``(N, C_in, D, H, W)`` inputs.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.ConvTranspose3d(2, 3, 2, stride=2)(npgrad.randn(1, 2, 2, 3, 4)).shape
    npgrad.Size([1, 3, 4, 6, 8])
    """

    _nd = 3
