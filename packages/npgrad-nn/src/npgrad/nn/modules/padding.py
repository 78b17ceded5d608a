"""Padding layers: ``ZeroPad1d/2d/3d``, ``ConstantPad1d/2d/3d``, ``ReflectionPad1d/2d/3d``,
``ReplicationPad1d/2d/3d`` and ``CircularPad1d/2d/3d``.

Each stores ``padding`` as PyTorch does — an int repeated to 2, 4 or 6 amounts in
:func:`npgrad.nn.functional.pad`'s order ``(left, right, top, bottom, front, back)``, any
other iterable taken as it is — and its ``forward`` is ``F.pad`` with its mode, so the layers
accept and reject the same inputs as PyTorch's and name themselves in their errors. The
circular layers also check the input's rank first, as PyTorch's do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from npgrad import Tensor
from npgrad.nn.functional._padding import _pad
from npgrad.nn.modules.module import Module

__all__ = [
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
]


def _expand(padding: Any, n: int) -> tuple[Any, ...]:
    """PyTorch's ``_ntuple(n)``: an iterable as a tuple (its length unchecked), else ``n`` copies."""
    if isinstance(padding, Iterable):
        return tuple(padding)
    return (padding,) * n


class _PadNd(Module):
    """``F.pad(input, self.padding, self._mode)``; subclasses set ``_nd`` and ``_mode``."""

    _nd: int
    _mode: str

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _expand(padding, 2 * self._nd)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return _pad(input, self.padding, self._mode, None, self)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _CircularPadNd(_PadNd):
    _mode = "circular"

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        nd = self._nd
        if isinstance(input, Tensor) and input.ndim not in (nd + 1, nd + 2):
            raise ValueError(
                f"{self!r}: expected {nd + 1}D or {nd + 2}D input (got {input.ndim}D input of "
                f"shape {tuple(input.shape)})"
            )
        return super().forward(input)


class _ConstantPadNd(_PadNd):
    _mode = "constant"

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return _pad(input, self.padding, "constant", self.value, self)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ReflectionPadNd(_PadNd):
    _mode = "reflect"


class _ReplicationPadNd(_PadNd):
    _mode = "replicate"


class CircularPad1d(_CircularPadNd):
    """Pad the last dimension of a ``(C, W)`` or ``(N, C, W)`` input by wrapping around:
    the end of the dimension pads its beginning and the beginning its end.

    ``padding`` is an int or ``(left, right)``; each amount at most the dimension's size.
    Negative amounts crop.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.CircularPad1d((3, 1))
    >>> m
    CircularPad1d((3, 1))
    >>> m(npgrad.arange(4.0).reshape(1, 1, 4))
    tensor([[[1., 2., 3., 0., 1., 2., 3., 0.]]])
    """

    _nd = 1


class CircularPad2d(_CircularPadNd):
    """Pad the last two dimensions of a ``(C, H, W)`` or ``(N, C, H, W)`` input by wrapping
    around; ``padding`` is an int or ``(left, right, top, bottom)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.CircularPad2d(1)
    >>> m
    CircularPad2d((1, 1, 1, 1))
    >>> m(npgrad.arange(4.0).reshape(1, 2, 2))
    tensor([[[3., 2., 3., 2.],
             [1., 0., 1., 0.],
             [3., 2., 3., 2.],
             [1., 0., 1., 0.]]])
    """

    _nd = 2


class CircularPad3d(_CircularPadNd):
    """Pad the last three dimensions of a ``(C, D, H, W)`` or ``(N, C, D, H, W)`` input by
    wrapping around; ``padding`` is an int or ``(left, right, top, bottom, front, back)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.CircularPad3d((1, 0, 0, 0, 0, 1))
    >>> m
    CircularPad3d((1, 0, 0, 0, 0, 1))
    >>> m(npgrad.ones(1, 2, 3, 4)).shape
    npgrad.Size([1, 3, 3, 5])
    """

    _nd = 3


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dimension with ``value``; ``padding`` is an int or ``(left, right)``.

    Negative amounts crop.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.ConstantPad1d((1, 2), 3.5)
    >>> m
    ConstantPad1d(padding=(1, 2), value=3.5)
    >>> m(npgrad.tensor([[1.0, 2.0]]))
    tensor([[3.5000, 1.0000, 2.0000, 3.5000, 3.5000]])
    """

    _nd = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dimensions with ``value``; ``padding`` is an int or
    ``(left, right, top, bottom)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.ConstantPad2d((1, 0, 0, 1), -1.0)
    >>> m
    ConstantPad2d(padding=(1, 0, 0, 1), value=-1.0)
    >>> m(npgrad.tensor([[1.0, 2.0]]))
    tensor([[-1.,  1.,  2.],
            [-1., -1., -1.]])
    """

    _nd = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dimensions with ``value``; ``padding`` is an int or
    ``(left, right, top, bottom, front, back)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.ConstantPad3d(1, 0.5)
    >>> m
    ConstantPad3d(padding=(1, 1, 1, 1, 1, 1), value=0.5)
    >>> m(npgrad.ones(2, 1, 2, 3)).shape
    npgrad.Size([2, 3, 4, 5])
    """

    _nd = 3


class ReflectionPad1d(_ReflectionPadNd):
    """Pad the last dimension of a ``(C, W)`` or ``(N, C, W)`` input with its reflection at
    the edges (the edge itself is not repeated).

    ``padding`` is an int or ``(left, right)``; each amount must be smaller than the
    dimension's size. Negative amounts crop.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.ReflectionPad1d((3, 1))
    >>> m
    ReflectionPad1d((3, 1))
    >>> m(npgrad.arange(4.0).reshape(1, 1, 4))
    tensor([[[3., 2., 1., 0., 1., 2., 3., 2.]]])
    """

    _nd = 1


class ReflectionPad2d(_ReflectionPadNd):
    """Pad the last two dimensions of a ``(C, H, W)`` or ``(N, C, H, W)`` input with their
    reflection; ``padding`` is an int or ``(left, right, top, bottom)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.ReflectionPad2d((1, 1, 1, 0))
    >>> m
    ReflectionPad2d((1, 1, 1, 0))
    >>> m(npgrad.arange(4.0).reshape(1, 2, 2))
    tensor([[[3., 2., 3., 2.],
             [1., 0., 1., 0.],
             [3., 2., 3., 2.]]])
    """

    _nd = 2


class ReflectionPad3d(_ReflectionPadNd):
    """Pad the last three dimensions of a ``(C, D, H, W)`` or ``(N, C, D, H, W)`` input with
    their reflection; ``padding`` is an int or ``(left, right, top, bottom, front, back)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.ReflectionPad3d(1)
    >>> m
    ReflectionPad3d((1, 1, 1, 1, 1, 1))
    >>> m(npgrad.ones(1, 2, 2, 2)).shape
    npgrad.Size([1, 4, 4, 4])
    """

    _nd = 3


class ReplicationPad1d(_ReplicationPadNd):
    """Pad the last dimension of a ``(C, W)`` or ``(N, C, W)`` input by repeating its edge
    values; ``padding`` is an int or ``(left, right)``. Negative amounts crop.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.ReplicationPad1d((2, 1))
    >>> m
    ReplicationPad1d((2, 1))
    >>> m(npgrad.tensor([[1.0, 2.0, 3.0]]))
    tensor([[1., 1., 1., 2., 3., 3.]])
    """

    _nd = 1


class ReplicationPad2d(_ReplicationPadNd):
    """Pad the last two dimensions of a ``(C, H, W)`` or ``(N, C, H, W)`` input by repeating
    their edge values; ``padding`` is an int or ``(left, right, top, bottom)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.ReplicationPad2d((1, 0, 0, 1))
    >>> m
    ReplicationPad2d((1, 0, 0, 1))
    >>> m(npgrad.tensor([[[1.0, 2.0]]]))
    tensor([[[1., 1., 2.],
             [1., 1., 2.]]])
    """

    _nd = 2


class ReplicationPad3d(_ReplicationPadNd):
    """Pad the last three dimensions of a ``(C, D, H, W)`` or ``(N, C, D, H, W)`` input by
    repeating their edge values; ``padding`` is an int or
    ``(left, right, top, bottom, front, back)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.ReplicationPad3d((0, 1, 0, 1, 0, 1))
    >>> m
    ReplicationPad3d((0, 1, 0, 1, 0, 1))
    >>> m(npgrad.ones(1, 1, 1, 1)).shape
    npgrad.Size([1, 2, 2, 2])
    """

    _nd = 3


class ZeroPad1d(ConstantPad1d):
    """Pad the last dimension with zeros; ``padding`` is an int or ``(left, right)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.ZeroPad1d((1, 2))
    >>> m
    ZeroPad1d((1, 2))
    >>> m(npgrad.tensor([[1.0, 2.0]]))
    tensor([[0., 1., 2., 0., 0.]])
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dimensions with zeros; ``padding`` is an int or
    ``(left, right, top, bottom)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.ZeroPad2d((1, 0, 1, 0))
    >>> m
    ZeroPad2d((1, 0, 1, 0))
    >>> m(npgrad.tensor([[1.0, 2.0]]))
    tensor([[0., 0., 0.],
            [0., 1., 2.]])
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last three dimensions with zeros; ``padding`` is an int or
    ``(left, right, top, bottom, front, back)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.ZeroPad3d(1)
    >>> m
    ZeroPad3d((1, 1, 1, 1, 1, 1))
    >>> m(npgrad.ones(1, 1, 1, 1)).shape
    npgrad.Size([1, 3, 3, 3])
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"
