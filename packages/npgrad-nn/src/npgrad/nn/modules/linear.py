"""Dense layers: ``Identity``, ``Linear``, ``Bilinear``.

Parameter names, shapes and default initialisation are PyTorch's: ``Linear.weight`` is
``(out_features, in_features)`` drawn from ``kaiming_uniform_(a=sqrt(5))``, i.e.
``U(-1/sqrt(in_features), 1/sqrt(in_features))``, and the bias from the same interval.
"""

from __future__ import annotations

import math
from typing import Any

import npgrad
from npgrad import Tensor
from npgrad.nn import functional as F
from npgrad.nn import init
from npgrad.nn._factory import factory_kwargs
from npgrad.nn.modules.module import Module, _check_sizes
from npgrad.nn.parameter import Parameter
from npgrad.ops._shape_util import ShapeError

__all__ = ["Bilinear", "Identity", "Linear"]


def _check_last_dim(layer: Module, x: Any, expected: int, what: str = "input") -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{layer!r}: expected {what} to be a Tensor, got {type(x).__name__}")
    if not x.shape or x.shape[-1] != expected:
        raise ShapeError(
            f"{layer!r}: expected {what} with last dimension {expected}, got shape {x.shape}"
        )


class Identity(Module):
    """Returns its input unchanged; any constructor arguments are ignored.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> x = npgrad.ones(2)
    >>> nn.Identity(54, unused="argument")(x) is x
    True
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input


class Linear(Module):
    """``y = x @ weight.T + bias``.

    Parameters
    ----------
    in_features, out_features : int
        Sizes of each input and output sample.
    bias : bool
        Whether to learn an additive bias (default True).
    device, dtype : optional
        ``device`` must be the CPU (None, ``"cpu"``, a CPU device); ``dtype`` is the
        parameters' floating dtype (default: the default float dtype).

    Attributes
    ----------
    weight : Parameter
        ``(out_features, in_features)``, initialised ``U(-k, k)`` with
        ``k = 1 / sqrt(in_features)``.
    bias : Parameter or None
        ``(out_features,)``, initialised ``U(-k, k)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.Linear(20, 30)
    >>> m(npgrad.randn(128, 20)).shape
    npgrad.Size([128, 30])
    >>> m
    Linear(in_features=20, out_features=30, bias=True)
    """

    in_features: int
    out_features: int

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        fk = factory_kwargs(type(self).__name__, device, dtype)
        _check_sizes("Linear", in_features=in_features, out_features=out_features)
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(npgrad.empty((out_features, in_features), **fk))
        if bias:
            self.bias = Parameter(npgrad.empty(out_features, **fk))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: weight ``kaiming_uniform_(a=sqrt(5))`` = ``U(-k, k)`` and bias
        ``U(-k, k)``, ``k = 1 / sqrt(in_features)``."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        shape = getattr(input, "shape", None)
        if not shape or shape[-1] != self.in_features:
            _check_last_dim(self, input, self.in_features)
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Bilinear(Module):
    """``y = x1^T A x2 + b`` for each output feature.

    Parameters
    ----------
    in1_features, in2_features, out_features : int
        Sizes of the two inputs and of the output.
    bias : bool
        Whether to learn an additive bias (default True).
    device, dtype : optional
        ``device`` must be the CPU; ``dtype`` is the parameters' floating dtype.

    Attributes
    ----------
    weight : Parameter
        ``(out_features, in1_features, in2_features)``, initialised ``U(-k, k)`` with
        ``k = 1 / sqrt(in1_features)``.
    bias : Parameter or None
        ``(out_features,)``, initialised ``U(-k, k)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.Bilinear(20, 30, 40)
    >>> m(npgrad.randn(128, 20), npgrad.randn(128, 30)).shape
    npgrad.Size([128, 40])
    """

    in1_features: int
    in2_features: int
    out_features: int

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        fk = factory_kwargs(type(self).__name__, device, dtype)
        _check_sizes(
            "Bilinear",
            in1_features=in1_features,
            in2_features=in2_features,
            out_features=out_features,
        )
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(npgrad.empty((out_features, in1_features, in2_features), **fk))
        if bias:
            self.bias = Parameter(npgrad.empty(out_features, **fk))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: weight and bias ``U(-k, k)``, ``k = 1 / sqrt(in1_features)``."""
        if self.in1_features <= 0:
            raise ValueError(
                f"in1_features must be > 0, but got (in1_features={self.in1_features})"
            )
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        _check_last_dim(self, input1, self.in1_features, "input1")
        _check_last_dim(self, input2, self.in2_features, "input2")
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )
