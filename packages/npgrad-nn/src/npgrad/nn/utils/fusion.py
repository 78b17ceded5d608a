"""``nn.utils.fusion``: fold an eval-mode batch norm into the convolution or linear layer
before it, as ``torch.nn.utils.fusion``: ``bn(conv(x)) == fused_conv(x)`` with

    w' = w * gamma / sqrt(running_var + eps)      (per output channel)
    b' = (b - running_mean) * gamma / sqrt(running_var + eps) + beta
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.nn.modules.module import Module
from npgrad.nn.parameter import Parameter
from npgrad.ops._shape_util import ShapeError

__all__ = [
    "fuse_conv_bn_eval",
    "fuse_conv_bn_weights",
    "fuse_linear_bn_eval",
    "fuse_linear_bn_weights",
]


class FusionError(ValueError, AssertionError):
    """Modules that cannot be fused. A ValueError by npgrad's convention, and also the
    AssertionError PyTorch raises."""


def _arr(t: Tensor | None, like: np.ndarray, fill: float) -> np.ndarray:
    return np.full_like(like, fill) if t is None else t._data


def _fused(
    w: Tensor,
    b: Tensor | None,
    rm: Tensor,
    rv: Tensor,
    eps: float,
    bw: Any,
    bb: Any,
    shape: Any,
    op: str,
) -> tuple[Parameter, Parameter]:
    # Checked before any arithmetic: a mismatch would otherwise surface as NumPy's broadcast
    # error (PyTorch: a RuntimeError from its own broadcast).
    channels = w.shape[list(shape).index(-1)]
    for name, t in (("running_mean", rm), ("running_var", rv), ("weight", bw), ("bias", bb)):
        if t is not None and t.shape not in ((channels,), (1,)):
            raise ShapeError(
                f"{op}: the batch norm's {name} has shape {tuple(t.shape)}, expected "
                f"({channels},) for the {channels} output channels of the weight of shape "
                f"{tuple(w.shape)}"
            )
    rm_a = rm._data
    scale = _arr(bw, rm_a, 1.0) / np.sqrt(rv._data + eps)
    b_dtype = w.dtype if b is None else b.dtype
    fw = (w._data * scale.reshape(shape)).astype(w.dtype, copy=False)
    fb = ((_arr(b, rm_a, 0.0) - rm_a) * scale + _arr(bb, rm_a, 0.0)).astype(b_dtype, copy=False)
    b_grad = False if b is None else b.requires_grad
    return (
        Parameter(npgrad.from_numpy(fw), w.requires_grad),
        Parameter(npgrad.from_numpy(fb), b_grad),
    )


def fuse_conv_bn_weights(
    conv_w: Tensor,
    conv_b: Tensor | None,
    bn_rm: Tensor,
    bn_rv: Tensor,
    bn_eps: float,
    bn_w: Tensor | None,
    bn_b: Tensor | None,
    transpose: bool = False,
) -> tuple[Parameter, Parameter]:
    """The fused ``(weight, bias)`` Parameters of a convolution followed by a batch norm
    (``transpose=True``: a transposed convolution, whose output channels are dim 1).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn.utils import fuse_conv_bn_weights
    >>> w, b = fuse_conv_bn_weights(
    ...     npgrad.ones(2, 1, 1, 1), None, npgrad.tensor([1.0, 2.0]), npgrad.tensor([3.0, 8.0]),
    ...     1.0, None, None)
    >>> w.flatten(), b
    (tensor([0.5000, 0.3333]), Parameter containing:
    tensor([-0.5000, -0.6667]))
    """
    lead = [1, -1] if transpose else [-1, 1]
    shape = lead + [1] * (conv_w.ndim - 2)
    return _fused(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, shape, "fuse_conv_bn_weights")


def fuse_linear_bn_weights(
    linear_w: Tensor,
    linear_b: Tensor | None,
    bn_rm: Tensor,
    bn_rv: Tensor,
    bn_eps: float,
    bn_w: Tensor | None,
    bn_b: Tensor | None,
) -> tuple[Parameter, Parameter]:
    """The fused ``(weight, bias)`` Parameters of a linear layer followed by a batch norm.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn.utils import fuse_linear_bn_weights
    >>> w, b = fuse_linear_bn_weights(
    ...     npgrad.ones(2, 1), npgrad.zeros(2), npgrad.zeros(2), npgrad.tensor([3.0, 8.0]), 1.0,
    ...     npgrad.tensor([2.0, 3.0]), npgrad.tensor([0.5, 0.5]))
    >>> w.flatten(), b.detach()
    (tensor([1., 1.]), tensor([0.5000, 0.5000]))
    """
    return _fused(
        linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, (-1, 1), "fuse_linear_bn_weights"
    )


def _check_eval(mod: Module, bn: Module, op: str) -> None:
    if mod.training or bn.training:
        raise FusionError(f"{op}: Fusion only for eval!")
    if getattr(bn, "running_mean", None) is None or getattr(bn, "running_var", None) is None:
        raise FusionError(f"{op}: the batch norm must track running statistics")


def fuse_conv_bn_eval(conv: Module, bn: Module, transpose: bool = False) -> Module:
    """A copy of the eval-mode ``conv`` that computes ``bn(conv(x))``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> conv, bn = nn.Conv2d(2, 3, 3).eval(), nn.BatchNorm2d(3).eval()
    >>> fused = nn.utils.fuse_conv_bn_eval(conv, bn)
    >>> x = npgrad.randn(1, 2, 5, 5)
    >>> bool(npgrad.allclose(fused(x), bn(conv(x)), atol=1e-6))
    True
    """
    _check_eval(conv, bn, "fuse_conv_bn_eval")
    out: Any = copy.deepcopy(conv)
    b: Any = bn
    out.weight, out.bias = fuse_conv_bn_weights(
        out.weight, out.bias, b.running_mean, b.running_var, b.eps, b.weight, b.bias, transpose
    )
    return out  # type: ignore[no-any-return]


def fuse_linear_bn_eval(linear: Module, bn: Module) -> Module:
    """A copy of the eval-mode ``linear`` that computes ``bn(linear(x))``; ``bn`` has
    ``linear.out_features`` features, or 1.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> lin, bn = nn.Linear(4, 3).eval(), nn.BatchNorm1d(3).eval()
    >>> fused = nn.utils.fuse_linear_bn_eval(lin, bn)
    >>> x = npgrad.randn(2, 4)
    >>> bool(npgrad.allclose(fused(x), bn(lin(x)), atol=1e-6))
    True
    """
    _check_eval(linear, bn, "fuse_linear_bn_eval")
    lin: Any = linear
    b: Any = bn
    if not (lin.out_features == b.num_features or b.num_features == 1):
        raise FusionError(
            "To fuse, linear.out_features == bn.num_features or bn.num_features == 1, got "
            f"out_features={lin.out_features} and num_features={b.num_features}"
        )
    out: Any = copy.deepcopy(linear)
    out.weight, out.bias = fuse_linear_bn_weights(
        out.weight, out.bias, b.running_mean, b.running_var, b.eps, b.weight, b.bias
    )
    return out  # type: ignore[no-any-return]
