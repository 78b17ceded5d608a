"""Convolutions: ``conv1d/2d/3d``, ``conv_transpose1d/2d/3d`` and the public im2col,
``unfold`` / ``fold``.

Arguments follow ``torch.nn.functional``: ``stride``, ``padding`` (int, tuple, ``'same'``
or ``'valid'``), ``dilation`` (1 = none, PyTorch's meaning) and ``groups``; inputs are
``(N, C, *spatial)`` or unbatched ``(C, *spatial)``. The kernels are im2col + GEMM Functions
in :mod:`._conv_ops` whose backward is itself differentiable (second order works).
"""

from __future__ import annotations

import math
import operator
from typing import Any

from npgrad import Tensor
from npgrad.nn.functional._conv_ops import ConvNd, ConvTransposeNd
from npgrad.nn.functional._errors import _ValueRuntimeError
from npgrad.nn.functional._im2col import (
    Fold,
    Unfold,
    _check_input,
    _Geom,
    _ntuple,
    _out_size,
    _who,
)
from npgrad.ops._shape_util import ShapeError

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_tbc",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "fold",
    "unfold",
]

_SPATIAL = {1: "(L,)", 2: "(H, W)", 3: "(D, H, W)"}


def _check_params(
    op: Any, x: Tensor, weight: Any, bias: Any, groups: int, nd: int, transposed: bool
) -> int:
    """Types, ranks, dtypes and channel counts of a convolution; returns ``groups``."""
    x = _check_input(x, nd, op)
    if not isinstance(weight, Tensor):
        raise TypeError(f"{_who(op)}: expected weight to be a Tensor, got {type(weight).__name__}")
    if weight.ndim != nd + 2:
        raise ShapeError(
            f"{_who(op)}: expected a {nd + 2}-D weight, got weight of shape {tuple(weight.shape)}"
        )
    if weight.dtype != x.dtype:
        raise TypeError(
            f"{_who(op)}: input dtype ({x.dtype}) and weight dtype ({weight.dtype}) must be the same"
        )
    groups = int(groups)
    if groups < 1:
        raise _ValueRuntimeError(f"{_who(op)}: groups must be a positive integer, got {groups}")
    c = x.shape[-nd - 1]
    if transposed:
        want, out_ch = weight.shape[0], weight.shape[1] * groups
        wrong_w = weight.shape[0] % groups
        expect = f"{want} channels (= weight.shape[0])"
    else:
        want, out_ch = weight.shape[1] * groups, weight.shape[0]
        wrong_w = weight.shape[0] % groups
        expect = f"{want} channels (= weight.shape[1] {weight.shape[1]} * groups {groups})"
    if wrong_w:
        raise ShapeError(
            f"{_who(op)}: weight of shape {tuple(weight.shape)} has dimension 0 not divisible "
            f"by groups={groups}"
        )
    if c != want:
        raise ShapeError(
            f"{_who(op)}: expected input with {expect}, got input of shape {tuple(x.shape)} "
            f"({c} channels; weight of shape {tuple(weight.shape)}, groups={groups})"
        )
    if bias is not None:
        if not isinstance(bias, Tensor):
            raise TypeError(f"{_who(op)}: expected bias to be a Tensor, got {type(bias).__name__}")
        if tuple(bias.shape) != (out_ch,):
            raise ShapeError(
                f"{_who(op)}: expected bias of shape ({out_ch},), got shape {tuple(bias.shape)}"
            )
        if bias.dtype != x.dtype:
            raise TypeError(
                f"{_who(op)}: input dtype ({x.dtype}) and bias dtype ({bias.dtype}) must be the same"
            )
    return groups


def _conv_nd(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
    nd: int,
    op: Any,
) -> Tensor:
    """Shared body of ``conv1d/2d/3d`` and the Conv layers (``op`` names the caller)."""
    groups = _check_params(op, input, weight, bias, groups, nd, transposed=False)
    stride = _ntuple(stride, nd, "stride", op, minimum=1)
    dilation = _ntuple(dilation, nd, "dilation", op, minimum=1)
    kernel = tuple(weight.shape[2:])
    spatial = tuple(input.shape[-nd:])
    if isinstance(padding, str):
        if padding == "valid":
            lo = hi = (0,) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise _ValueRuntimeError(
                    f"{_who(op)}: padding='same' is not supported for strided convolutions "
                    f"(stride={stride})"
                )
            # PyTorch puts the odd extra element of the total padding on the high side
            total = [d * (k - 1) for d, k in zip(dilation, kernel)]
            lo = tuple(t // 2 for t in total)
            hi = tuple(t - t // 2 for t in total)
        else:
            raise _ValueRuntimeError(
                f"{_who(op)}: invalid padding string {padding!r}, should be one of 'valid', 'same'"
            )
    else:
        lo = hi = _ntuple(padding, nd, "padding", op)
    out = tuple(
        _out_size(n, k, s, a, b, d)
        for n, k, s, a, b, d in zip(spatial, kernel, stride, lo, hi, dilation)
    )
    if min(out) <= 0:
        eff = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel))
        padded = tuple(n + a + b for n, a, b in zip(spatial, lo, hi))
        raise ShapeError(
            f"{_who(op)}: the kernel (size {kernel}, dilation {dilation}: effective size {eff}) is "
            f"larger than the padded input {padded} (input of shape {tuple(input.shape)}, padding "
            f"{lo if lo == hi else (lo, hi)}); the computed output size {out} must be positive"
        )
    geom = _Geom(spatial, out, kernel, stride, lo, dilation)
    if input.ndim == nd + 1:
        return ConvNd.apply(input.unsqueeze(0), weight, bias, geom, groups).squeeze(0)  # type: ignore[no-any-return]
    return ConvNd.apply(input, weight, bias, geom, groups)  # type: ignore[no-any-return]


def _conv_transpose_nd(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    output_padding: Any,
    groups: int,
    dilation: Any,
    nd: int,
    op: Any,
) -> Tensor:
    """Shared body of ``conv_transpose1d/2d/3d`` and the ConvTranspose layers."""
    groups = _check_params(op, input, weight, bias, groups, nd, transposed=True)
    stride = _ntuple(stride, nd, "stride", op, minimum=1)
    dilation = _ntuple(dilation, nd, "dilation", op, minimum=1)
    if isinstance(padding, str):  # PyTorch's argument parser refuses it: a TypeError
        raise TypeError(
            f"{_who(op)}: padding must be an int or a tuple of {nd} ints, got {padding!r}"
        )
    pad = _ntuple(padding, nd, "padding", op)
    out_pad = _ntuple(output_padding, nd, "output_padding", op)
    if any(p >= s and p >= d for p, s, d in zip(out_pad, stride, dilation)):
        raise _ValueRuntimeError(
            f"{_who(op)}: output_padding must be smaller than either stride or dilation, got "
            f"output_padding={out_pad}, stride={stride}, dilation={dilation}"
        )
    kernel = tuple(weight.shape[2:])
    spatial = tuple(input.shape[-nd:])
    size = tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + q + 1
        for n, s, p, d, k, q in zip(spatial, stride, pad, dilation, kernel, out_pad)
    )
    if min(size) <= 0:
        raise ShapeError(
            f"{_who(op)}: input of shape {tuple(input.shape)} with kernel {kernel}, stride "
            f"{stride}, padding {pad}, dilation {dilation} and output_padding {out_pad} gives "
            f"the output size {size}, which must be positive"
        )
    # the geometry of the convolution this op transposes: it maps `size` back to `spatial`
    geom = _Geom(size, spatial, kernel, stride, pad, dilation)
    if input.ndim == nd + 1:
        return ConvTransposeNd.apply(input.unsqueeze(0), weight, bias, geom, groups).squeeze(0)  # type: ignore[no-any-return]
    return ConvTransposeNd.apply(input, weight, bias, geom, groups)  # type: ignore[no-any-return]


def conv1d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-D cross-correlation of ``input`` (N, C_in, L) with ``weight`` (C_out, C_in/groups, k).

    See :class:`npgrad.nn.Conv1d`; ``padding`` may be an int, a 1-tuple, ``'valid'`` or
    ``'same'``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> x = npgrad.tensor([[[1.0, 2.0, 3.0, 4.0]]])
    >>> F.conv1d(x, npgrad.tensor([[[1.0, 0.0, -1.0]]]), padding=1)
    tensor([[[-2., -2., -2.,  3.]]])
    """
    return _conv_nd(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation of ``input`` (N, C_in, H, W) with ``weight``
    (C_out, C_in/groups, kH, kW), plus ``bias`` (C_out).

    See :class:`npgrad.nn.Conv2d` for the arguments and the output size.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> x = npgrad.arange(16.0).reshape(1, 1, 4, 4)
    >>> F.conv2d(x, npgrad.ones(1, 1, 2, 2), stride=2)
    tensor([[[[10., 18.],
              [42., 50.]]]])
    """
    return _conv_nd(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """3-D cross-correlation of ``input`` (N, C_in, D, H, W) with ``weight``
    (C_out, C_in/groups, kD, kH, kW).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.conv3d(npgrad.ones(1, 1, 3, 3, 3), npgrad.ones(2, 1, 2, 2, 2)).shape
    npgrad.Size([1, 2, 2, 2, 2])
    """
    return _conv_nd(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def conv_tbc(input: Tensor, weight: Tensor, bias: Tensor, pad: int = 0) -> Tensor:  # noqa: A002
    """1-D convolution of a sequence in the (time, batch, channels) layout: ``input``
    ``(T, N, C_in)``, ``weight`` ``(k, C_in, C_out)``, ``bias`` ``(C_out,)``, with ``pad``
    zero steps added at both ends (a negative ``pad`` crops). The result has shape
    ``(T + 2 pad - k + 1, N, C_out)``: :func:`conv1d` of the permuted tensors.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> x = npgrad.tensor([[[1.0]], [[2.0]], [[3.0]], [[4.0]]])  # T=4, N=1, C_in=1
    >>> F.conv_tbc(x, npgrad.tensor([[[1.0]], [[0.0]], [[-1.0]]]), npgrad.zeros(1), pad=1)[:, 0, 0]
    tensor([-2., -2., -2.,  3.])
    """
    op = "conv_tbc"
    for name, t in (("input", input), ("weight", weight), ("bias", bias)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected {name} to be a Tensor, got {type(t).__name__}")
    if input.ndim != 3:
        raise ShapeError(
            f"{op}: Input must have 3 dims: time, batch, in_channel, got shape {tuple(input.shape)}"
        )
    if weight.ndim != 3:
        raise ShapeError(
            f"{op}: Weight tensor must have 3 dims: kernel_width, in_channels, out_channels, got "
            f"shape {tuple(weight.shape)}"
        )
    if bias.ndim != 1:
        raise ShapeError(f"{op}: Bias must be 1-D, got shape {tuple(bias.shape)}")
    if input.shape[2] != weight.shape[1]:
        raise ShapeError(
            f"{op}: Input dim 2 (input channels) is not == dim 1 in the weight tensor: input "
            f"{tuple(input.shape)}, weight {tuple(weight.shape)}"
        )
    if bias.shape[0] != weight.shape[2]:
        raise ShapeError(
            f"{op}: Bias size must equal dim 2 in the weight tensor (output channels): bias "
            f"{tuple(bias.shape)}, weight {tuple(weight.shape)}"
        )
    pad = operator.index(pad)
    t, k = input.shape[0], weight.shape[0]
    length = t + 2 * pad - k + 1
    if length < 0:
        raise ShapeError(
            f"{op}: input of {t} steps with pad={pad} is shorter than the kernel ({k} steps)"
        )
    if bias.dtype != input.dtype and bias.dtype.kind == "f":
        bias = bias.to(input.dtype)  # PyTorch adds a bias of another float dtype
    if length == 0:
        # nothing to convolve: an empty result, still in the graph of all three arguments
        return (input[:0] @ weight[0]) + bias
    if pad < 0:  # cropping: conv1d pads only with zeros
        input, pad = input[-pad : t + pad], 0
    y = _conv_nd(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, 1, pad, 1, 1, 1, op)
    return y.permute(2, 0, 1)


def conv_transpose1d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """1-D transposed convolution (the gradient of :func:`conv1d` with respect to its input)
    of ``input`` (N, C_in, L) with ``weight`` (C_in, C_out/groups, k).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.conv_transpose1d(npgrad.tensor([[[1.0, 2.0]]]), npgrad.ones(1, 1, 3), stride=2)
    tensor([[[1., 1., 3., 2., 2.]]])
    """
    return _conv_transpose_nd(
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
        1,
        "conv_transpose1d",
    )


def conv_transpose2d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """2-D transposed convolution of ``input`` (N, C_in, H, W) with ``weight``
    (C_in, C_out/groups, kH, kW); output size
    ``(H - 1)·stride - 2·padding + dilation·(kH - 1) + output_padding + 1``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> x = npgrad.ones(1, 4, 5, 5)
    >>> F.conv_transpose2d(x, npgrad.ones(4, 2, 3, 3), stride=2, padding=1, output_padding=1).shape
    npgrad.Size([1, 2, 10, 10])
    """
    return _conv_transpose_nd(
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
        2,
        "conv_transpose2d",
    )


def conv_transpose3d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """3-D transposed convolution of ``input`` (N, C_in, D, H, W) with ``weight``
    (C_in, C_out/groups, kD, kH, kW).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.conv_transpose3d(npgrad.ones(1, 2, 2, 2, 2), npgrad.ones(2, 1, 2, 2, 2), stride=2).shape
    npgrad.Size([1, 1, 4, 4, 4])
    """
    return _conv_transpose_nd(
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
        3,
        "conv_transpose3d",
    )


# ---- im2col as a public op -----------------------------------------------------------------
def unfold(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """Extract sliding blocks: ``(N, C, H, W)`` -> ``(N, C·kH·kW, L)`` (im2col), with ``L``
    the number of block positions; ``(C, H, W)`` gives ``(C·kH·kW, L)``.

    Rows are ordered channel-major, then kernel row, then kernel column, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.unfold(npgrad.arange(9.0).reshape(1, 1, 3, 3), kernel_size=2)
    tensor([[[0., 1., 3., 4.],
             [1., 2., 4., 5.],
             [3., 4., 6., 7.],
             [4., 5., 7., 8.]]])
    """
    op = "unfold"
    x = _check_input(input, 2, op)
    kernel = _ntuple(kernel_size, 2, "kernel_size", op, minimum=1)
    dil = _ntuple(dilation, 2, "dilation", op, minimum=1)
    pad = _ntuple(padding, 2, "padding", op)
    st = _ntuple(stride, 2, "stride", op, minimum=1)
    spatial = tuple(x.shape[-2:])
    blocks = tuple(
        _out_size(n, k, s, p, p, d) for n, k, s, p, d in zip(spatial, kernel, st, pad, dil)
    )
    if min(blocks) <= 0:
        raise ShapeError(
            f"unfold: input of shape {tuple(x.shape)} with kernel_size {kernel}, dilation {dil}, "
            f"padding {pad} and stride {st} gives {blocks} sliding blocks; it must be positive"
        )
    geom = _Geom(spatial, blocks, kernel, st, pad, dil)
    if x.ndim == 3:
        return Unfold.apply(x.unsqueeze(0), geom).squeeze(0)  # type: ignore[no-any-return]
    return Unfold.apply(x, geom)  # type: ignore[no-any-return]


def fold(
    input: Tensor,  # noqa: A002
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """Combine sliding blocks into an image: ``(N, C·kH·kW, L)`` -> ``(N, C, *output_size)``,
    summing where blocks overlap (col2im, the adjoint of :func:`unfold`).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.fold(npgrad.ones(1, 4, 4), output_size=3, kernel_size=2)
    tensor([[[[1., 2., 1.],
              [2., 4., 2.],
              [1., 2., 1.]]]])
    """
    op = "fold"
    if not isinstance(input, Tensor):
        raise TypeError(f"fold: expected input to be a Tensor, got {type(input).__name__}")
    if input.ndim not in (2, 3):
        raise ShapeError(
            "fold: expected a floating 2-D (unbatched, (C·kH·kW, L)) or 3-D (batched, "
            f"(N, C·kH·kW, L)) input, got shape {tuple(input.shape)} and dtype {input.dtype}"
        )
    if input.dtype.kind != "f":
        raise TypeError(
            "fold: expected a floating 2-D (unbatched, (C·kH·kW, L)) or 3-D (batched, "
            f"(N, C·kH·kW, L)) input, got shape {tuple(input.shape)} and dtype {input.dtype}"
        )
    size = _ntuple(output_size, 2, "output_size", op, minimum=1)
    kernel = _ntuple(kernel_size, 2, "kernel_size", op, minimum=1)
    dil = _ntuple(dilation, 2, "dilation", op, minimum=1)
    pad = _ntuple(padding, 2, "padding", op)
    st = _ntuple(stride, 2, "stride", op, minimum=1)
    blocks = tuple(_out_size(n, k, s, p, p, d) for n, k, s, p, d in zip(size, kernel, st, pad, dil))
    ck, length = input.shape[-2:]
    if ck % math.prod(kernel):
        raise ShapeError(
            f"fold: expected size of input's dimension {input.ndim - 2} to be divisible by the "
            f"product of kernel_size {kernel}, got input of shape {tuple(input.shape)}"
        )
    if min(blocks) <= 0 or length != math.prod(blocks):
        raise ShapeError(
            f"fold: given output_size={size}, kernel_size={kernel}, dilation={dil}, padding={pad}, "
            f"stride={st}, expected input's last dimension to match the calculated number of "
            f"sliding blocks {' * '.join(map(str, blocks))} = {math.prod(blocks)}, got input of "
            f"shape {tuple(input.shape)}"
        )
    geom = _Geom(size, blocks, kernel, st, pad, dil)
    if input.ndim == 2:
        return Fold.apply(input.unsqueeze(0), geom).squeeze(0)  # type: ignore[no-any-return]
    return Fold.apply(input, geom)  # type: ignore[no-any-return]
