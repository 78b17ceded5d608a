"""``FractionalMaxPool2d`` and ``FractionalMaxPool3d``.

As in PyTorch, the arguments are checked at construction, ``_random_samples`` (if given) is a
buffer used by every call, and the repr shows no arguments (``FractionalMaxPool2d()``). The
computation is :func:`npgrad.nn.functional.fractional_max_pool2d` / ``3d``.
"""

from __future__ import annotations

from typing import Any

from npgrad import Tensor
from npgrad.nn.functional import _fractional as Fr
from npgrad.nn.functional._im2col import _ntuple
from npgrad.nn.modules.module import Module

__all__ = ["FractionalMaxPool2d", "FractionalMaxPool3d"]


def _as_tuple(value: Any, nd: int) -> Any:
    """PyTorch's ``_pair`` / ``_triple``: a scalar repeated, a sequence kept."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * nd


class _FractionalMaxPoolNd(Module):
    _nd: int

    def __init__(
        self,
        kernel_size: Any,
        output_size: Any = None,
        output_ratio: Any = None,
        return_indices: bool = False,
        _random_samples: Tensor | None = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.kernel_size = _ntuple(kernel_size, self._nd, "kernel_size", name, minimum=1)
        Fr._check_sizes(output_size, output_ratio, self._nd, name)
        self.output_size = None if output_size is None else _as_tuple(output_size, self._nd)
        self.output_ratio = None if output_ratio is None else _as_tuple(output_ratio, self._nd)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return Fr._fractional_max_pool(
            input,
            self._nd,
            type(self).__name__,
            self.kernel_size,
            self.output_size,
            self.output_ratio,
            self.return_indices,
            self._random_samples,
        )


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """2-D fractional max pooling over ``(N, C, H, W)`` or ``(C, H, W)`` (Graham, 2014).

    ``kernel_size`` windows start at pseudo-random positions (new ones per call and per
    channel, from the global generator, unless ``_random_samples`` fixes them) so that the
    output is ``output_size``, or ``floor(input size · output_ratio)`` with ratios in
    ``(0, 1)``. ``return_indices=True`` also returns the flat index of each maximum in its
    input plane (for :class:`MaxUnpool2d`).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.5))
    >>> m
    FractionalMaxPool2d()
    >>> m(npgrad.randn(20, 16, 50, 32)).shape
    npgrad.Size([20, 16, 25, 16])
    >>> nn.FractionalMaxPool2d((3, 2), output_size=(13, 12))(npgrad.randn(16, 50, 32)).shape
    npgrad.Size([16, 13, 12])
    """

    _nd = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """3-D fractional max pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)`` (Graham, 2014).

    As :class:`FractionalMaxPool2d` with ``(kD, kH, kW)`` windows.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.FractionalMaxPool3d(3, output_size=(13, 12, 11))
    >>> m(npgrad.randn(2, 4, 50, 32, 16)).shape
    npgrad.Size([2, 4, 13, 12, 11])
    """

    _nd = 3
