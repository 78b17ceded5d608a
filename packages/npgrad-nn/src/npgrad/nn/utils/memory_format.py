"""``nn.utils.convert_conv2d_weight_memory_format`` and its 3-D twin, as in
``torch.nn.utils.memory_format``: store the weights of every (transposed) convolution of a
model in a memory format, such as ``npgrad.channels_last``."""

from __future__ import annotations

from typing import Any

from npgrad.nn.modules.conv import Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d
from npgrad.nn.modules.module import Module

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def _convert(op: str, module: Module, memory_format: Any, types: tuple[type, ...]) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{op}: expected an nn.Module, got {type(module).__name__}")
    for m in module.modules():
        if isinstance(m, types):
            m._to_memory_format(op, memory_format)
    return module


def convert_conv2d_weight_memory_format(module: Module, memory_format: Any) -> Module:
    """Store the weight of every ``Conv2d`` and ``ConvTranspose2d`` in ``module`` (itself
    included) in ``memory_format``; returns ``module``. Values and shapes do not change.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())
    >>> _ = nn.utils.convert_conv2d_weight_memory_format(model, npgrad.channels_last)
    >>> model[0].weight.is_contiguous(memory_format=npgrad.channels_last)
    True
    """
    return _convert(
        "convert_conv2d_weight_memory_format", module, memory_format, (Conv2d, ConvTranspose2d)
    )


def convert_conv3d_weight_memory_format(module: Module, memory_format: Any) -> Module:
    """Store the weight of every ``Conv3d`` and ``ConvTranspose3d`` in ``module`` (itself
    included) in ``memory_format`` (``channels_last_3d`` for NDHWC order); returns ``module``."""
    return _convert(
        "convert_conv3d_weight_memory_format", module, memory_format, (Conv3d, ConvTranspose3d)
    )
