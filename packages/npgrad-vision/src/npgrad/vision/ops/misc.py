"""Regularisers and building blocks of torchvision's models (``torchvision.ops``):
:func:`stochastic_depth`, :func:`drop_block2d`, :class:`Conv2dNormActivation`, :class:`MLP`,
:class:`SqueezeExcitation`, :class:`Permute` and :class:`FrozenBatchNorm2d`, with torchvision's
module and parameter names."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor, nn

__all__ = [
    "MLP",
    "Conv2dNormActivation",
    "DropBlock2d",
    "FrozenBatchNorm2d",
    "Permute",
    "SqueezeExcitation",
    "StochasticDepth",
    "drop_block2d",
    "stochastic_depth",
]


def _check_p(op: str, p: float) -> None:
    if not isinstance(p, numbers.Real):
        raise TypeError(f"{op}: drop probability must be a number, got {p!r}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: drop probability has to be between 0 and 1, but got {p}")


def stochastic_depth(input: Tensor, p: float, mode: str, training: bool = True) -> Tensor:  # noqa: A002
    """Stochastic depth (Huang et al., 2016): zero whole samples (``mode="row"``) or the whole
    batch (``mode="batch"``) of a residual branch with probability ``p``, scaling the survivors
    by ``1 / (1 - p)``.

    Parameters
    ----------
    input : Tensor
        ``(N, ...)`` output of the residual branch.
    p : float
        Probability of dropping.
    mode : {"row", "batch"}
        Drop per sample or for the whole batch.
    training : bool, optional
        Identity when False.

    Returns
    -------
    Tensor
        Same shape as ``input``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import stochastic_depth
    >>> _ = npgrad.manual_seed(0)
    >>> out = stochastic_depth(npgrad.ones(6, 2), 0.5, "row")
    >>> sorted(set(out.flatten().tolist()) - {0.0})
    [2.0]
    """
    _check_p("stochastic_depth", p)
    if mode not in ("batch", "row"):
        raise ValueError(
            f"stochastic_depth: mode has to be either 'batch' or 'row', but got {mode}"
        )
    if not training or p == 0.0:
        return input
    survival = 1.0 - p
    size = [input.shape[0]] + [1] * (input.ndim - 1) if mode == "row" else [1] * input.ndim
    keep = (npgrad.rand(*size) < survival).to(input.dtype)
    if survival > 0.0:
        keep = keep / survival
    return input * keep


class StochasticDepth(nn.Module):
    """:func:`stochastic_depth` as a module (active in training mode).

    Examples
    --------
    >>> from npgrad.vision.ops import StochasticDepth
    >>> StochasticDepth(0.2, "row")
    StochasticDepth(p=0.2, mode=row)
    """

    def __init__(self, p: float, mode: str) -> None:
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return stochastic_depth(input, self.p, self.mode, self.training)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p}, mode={self.mode})"


def drop_block2d(
    input: Tensor,  # noqa: A002
    p: float,
    block_size: int,
    inplace: bool = False,
    eps: float = 1e-6,
    training: bool = True,
) -> Tensor:
    """DropBlock (Ghiasi et al., 2018): zero contiguous ``block_size × block_size`` squares of
    each feature map and rescale by ``numel / number kept``.

    Block seeds are drawn with probability
    ``gamma = p * H * W / (block_size² (H - block_size + 1) (W - block_size + 1))`` on the
    positions where a whole block fits; a seed at ``(i, j)`` drops ``[i, i + block_size) ×
    [j, j + block_size)`` (``block_size`` is capped at the map size).

    Parameters
    ----------
    input : Tensor
        ``(N, C, H, W)``.
    p : float
        Probability of a pixel being dropped.
    block_size : int
        Side of the dropped squares.
    inplace : bool, optional
        Multiply ``input`` in place.
    eps : float, optional
        Guards the rescaling when everything is dropped.
    training : bool, optional
        Identity when False.

    Returns
    -------
    Tensor
        Same shape as ``input``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import drop_block2d
    >>> _ = npgrad.manual_seed(0)
    >>> out = drop_block2d(npgrad.ones(1, 1, 6, 6), 0.3, 3)
    >>> out.shape, bool(((out == 0) | (out > 1)).all())
    (npgrad.Size([1, 1, 6, 6]), True)
    """
    _check_p("drop_block2d", p)
    if not isinstance(input, Tensor) or input.ndim != 4:
        shape = tuple(input.shape) if isinstance(input, Tensor) else type(input).__name__
        raise ValueError(f"drop_block2d: input should be 4 dimensional, got {shape}")
    if not isinstance(block_size, int) or block_size < 1:
        raise ValueError(f"drop_block2d: block_size must be a positive int, got {block_size!r}")
    if not training or p == 0.0:
        return input
    n, c, h, w = input.shape
    block_size = min(block_size, w, h)
    gamma = (p * h * w) / ((block_size**2) * ((h - block_size + 1) * (w - block_size + 1)))
    seeds = npgrad.rand(n, c, h - block_size + 1, w - block_size + 1).numpy() < gamma
    # a seed at (i, j) covers (i..i+b-1, j..j+b-1): pixel (y, x) is dropped when any seed in
    # the b × b window ending at it is set, a sliding max over the seeds padded by b - 1
    padded = np.pad(seeds, ((0, 0), (0, 0), (block_size - 1, 0), (block_size - 1, 0)))
    padded = np.pad(padded, ((0, 0), (0, 0), (0, block_size - 1), (0, block_size - 1)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (block_size, block_size), (2, 3))
    dropped: np.ndarray = np.any(windows, axis=(-2, -1))
    dropped = dropped[:, :, :h, :w]
    keep = (~dropped).astype(input.dtype)
    scale = keep.size / (eps + keep.sum())
    mask = npgrad.from_numpy((keep * scale).astype(input.dtype))
    if inplace:
        return input.mul_(mask)
    return input * mask


class DropBlock2d(nn.Module):
    """:func:`drop_block2d` as a module (active in training mode).

    Examples
    --------
    >>> from npgrad.vision.ops import DropBlock2d
    >>> DropBlock2d(0.1, 3)
    DropBlock2d(p=0.1, block_size=3, inplace=False)
    """

    def __init__(self, p: float, block_size: int, inplace: bool = False, eps: float = 1e-6) -> None:
        super().__init__()
        self.p = p
        self.block_size = block_size
        self.inplace = inplace
        self.eps = eps

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return drop_block2d(input, self.p, self.block_size, self.inplace, self.eps, self.training)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(p={self.p}, block_size={self.block_size}, "
            f"inplace={self.inplace})"
        )


class Conv2dNormActivation(nn.Sequential):
    """``Conv2d`` → normalisation → activation, as one ``Sequential`` (children ``0``, ``1``,
    ``2``, torchvision's names).

    Parameters
    ----------
    in_channels, out_channels : int
        Channels in and out.
    kernel_size, stride : int or (int, int), optional
        Of the convolution.
    padding : int or tuple, optional
        ``None``: ``(kernel_size - 1) // 2 * dilation`` per axis ("same" for odd kernels).
    groups, dilation : int, optional
        Of the convolution.
    norm_layer : callable or None, optional
        Factory of the normalisation (``nn.BatchNorm2d``); None for none.
    activation_layer : callable or None, optional
        Factory of the activation (``nn.ReLU``); None for none.
    inplace : bool or None, optional
        Passed to the activation (None: not passed).
    bias : bool or None, optional
        Convolution bias; None: only when there is no normalisation.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import Conv2dNormActivation
    >>> block = Conv2dNormActivation(3, 8, stride=2)
    >>> block(npgrad.randn(1, 3, 8, 8)).shape
    npgrad.Size([1, 8, 4, 4])
    >>> list(block.state_dict())[:3]
    ['0.weight', '1.weight', '1.bias']
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int] = 3,
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, ...] | None = None,
        groups: int = 1,
        norm_layer: Callable[..., nn.Module] | None = nn.BatchNorm2d,
        activation_layer: Callable[..., nn.Module] | None = nn.ReLU,
        dilation: int | tuple[int, int] = 1,
        inplace: bool | None = True,
        bias: bool | None = None,
    ) -> None:
        if padding is None:
            if isinstance(kernel_size, int) and isinstance(dilation, int):
                padding = (kernel_size - 1) // 2 * dilation
            else:
                ks = (kernel_size,) * 2 if isinstance(kernel_size, int) else tuple(kernel_size)
                dl = (dilation,) * 2 if isinstance(dilation, int) else tuple(dilation)
                padding = tuple((k - 1) // 2 * d for k, d in zip(ks, dl))
        if bias is None:
            bias = norm_layer is None
        layers: list[nn.Module] = [
            nn.Conv2d(
                in_channels,
                out_channels,
                kernel_size,
                stride,
                padding,
                dilation=dilation,
                groups=groups,
                bias=bias,
            )
        ]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            params = {} if inplace is None else {"inplace": inplace}
            layers.append(activation_layer(**params))
        super().__init__(*layers)
        self.out_channels = out_channels


class MLP(nn.Sequential):
    """Multi-layer perceptron: ``Linear`` (→ norm) → activation → ``Dropout`` per hidden
    layer, then ``Linear`` → ``Dropout``; torchvision's child numbering.

    Parameters
    ----------
    in_channels : int
        Input features.
    hidden_channels : sequence of int
        Width of each layer; the last is the output size.
    norm_layer : callable or None, optional
        Normalisation after each hidden ``Linear`` (e.g. ``nn.LayerNorm``).
    activation_layer : callable or None, optional
        Activation factory (``nn.ReLU``).
    inplace : bool or None, optional
        Passed to the activation and dropout (None: not passed).
    bias : bool, optional
        Biases of the ``Linear`` layers.
    dropout : float, optional
        Dropout probability.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import MLP
    >>> mlp = MLP(4, [8, 2], dropout=0.1)
    >>> mlp(npgrad.randn(3, 4)).shape
    npgrad.Size([3, 2])
    >>> [k for k in mlp.state_dict()]
    ['0.weight', '0.bias', '3.weight', '3.bias']
    """

    def __init__(
        self,
        in_channels: int,
        hidden_channels: Sequence[int],
        norm_layer: Callable[..., nn.Module] | None = None,
        activation_layer: Callable[..., nn.Module] | None = nn.ReLU,
        inplace: bool | None = None,
        bias: bool = True,
        dropout: float = 0.0,
    ) -> None:
        if not hidden_channels:
            raise ValueError("MLP: hidden_channels must list at least one layer width")
        params = {} if inplace is None else {"inplace": inplace}
        layers: list[nn.Module] = []
        in_dim = in_channels
        for hidden_dim in hidden_channels[:-1]:
            layers.append(nn.Linear(in_dim, hidden_dim, bias=bias))
            if norm_layer is not None:
                layers.append(norm_layer(hidden_dim))
            if activation_layer is not None:
                layers.append(activation_layer(**params))
            layers.append(nn.Dropout(dropout, **params))
            in_dim = hidden_dim
        layers.append(nn.Linear(in_dim, hidden_channels[-1], bias=bias))
        layers.append(nn.Dropout(dropout, **params))
        super().__init__(*layers)


class SqueezeExcitation(nn.Module):
    """Squeeze-and-excitation (Hu et al., 2018): ``input * scale_activation(fc2(activation(
    fc1(avgpool(input)))))`` with 1 × 1 convolutions ``fc1``, ``fc2``.

    Parameters
    ----------
    input_channels : int
        Channels of the input.
    squeeze_channels : int
        Channels of the bottleneck.
    activation, scale_activation : callable, optional
        ``nn.ReLU`` and ``nn.Sigmoid`` factories.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import SqueezeExcitation
    >>> se = SqueezeExcitation(8, 2)
    >>> se(npgrad.randn(2, 8, 5, 5)).shape, sorted(se.state_dict())
    (npgrad.Size([2, 8, 5, 5]), ['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight'])
    """

    def __init__(
        self,
        input_channels: int,
        squeeze_channels: int,
        activation: Callable[..., nn.Module] = nn.ReLU,
        scale_activation: Callable[..., nn.Module] = nn.Sigmoid,
    ) -> None:
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = activation()
        self.scale_activation = scale_activation()

    def _scale(self, input: Tensor) -> Tensor:  # noqa: A002
        scale = self.activation(self.fc1(self.avgpool(input)))
        return self.scale_activation(self.fc2(scale))

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return self._scale(input) * input


class Permute(nn.Module):
    """``input.permute(dims)`` as a module.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import Permute
    >>> Permute([0, 2, 3, 1])(npgrad.zeros(1, 3, 4, 5)).shape
    npgrad.Size([1, 4, 5, 3])
    """

    def __init__(self, dims: Sequence[int]) -> None:
        super().__init__()
        self.dims = list(dims)

    def forward(self, x: Tensor) -> Tensor:
        return x.permute(*self.dims)


class FrozenBatchNorm2d(nn.Module):
    """BatchNorm2d with fixed statistics and affine parameters (all buffers, no parameters):
    ``(x - running_mean) / sqrt(running_var + eps) * weight + bias``.

    A BatchNorm2d ``state_dict`` loads into it (its ``num_batches_tracked`` is dropped).

    Parameters
    ----------
    num_features : int
        Channels.
    eps : float, optional
        Added to the variance.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import FrozenBatchNorm2d
    >>> bn = FrozenBatchNorm2d(2)
    >>> bn(npgrad.ones(1, 2, 1, 1)).flatten()
    tensor([1.0000, 1.0000])
    >>> FrozenBatchNorm2d(4, eps=1e-3)
    FrozenBatchNorm2d(4, eps=0.001)
    """

    def __init__(self, num_features: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.num_features = num_features
        self.register_buffer("weight", npgrad.ones(num_features))
        self.register_buffer("bias", npgrad.zeros(num_features))
        self.register_buffer("running_mean", npgrad.zeros(num_features))
        self.register_buffer("running_var", npgrad.ones(num_features))

    def _upgrade_state_dict(
        self, state_dict: dict[str, Any], prefix: str, local_metadata: dict[str, Any]
    ) -> None:
        state_dict.pop(prefix + "num_batches_tracked", None)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4 or x.shape[1] != self.num_features:
            raise ValueError(
                f"FrozenBatchNorm2d: expected input of shape (N, {self.num_features}, H, W), "
                f"got {tuple(x.shape)}"
            )
        w = self.weight.reshape(1, -1, 1, 1)
        b = self.bias.reshape(1, -1, 1, 1)
        rv = self.running_var.reshape(1, -1, 1, 1)
        rm = self.running_mean.reshape(1, -1, 1, 1)
        scale = w * (rv + self.eps).rsqrt()
        return x * scale + (b - rm * scale)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.num_features}, eps={self.eps})"
