"""Activation functions under ``torch.nn.functional``'s names and signatures.

The numerically careful kernels (``softmax``, ``gelu``, ``softplus``, ``elu``…) are
npgrad-core ops (:mod:`npgrad.ops.activation` and :mod:`npgrad.ops.elementwise`); this
module gives them PyTorch's functional signatures — ``inplace=`` flags, the ``*_`` in-place
variants, ``softmax``'s ``_stacklevel`` — and adds the ones core leaves to ``nn``
(``threshold``, ``glu``, ``rrelu``, ``softshrink``; ``prelu`` and ``hardshrink`` are core's) as
compositions of core ops, differentiable to any order.

``inplace=True`` writes the result into ``input`` with core's in-place mechanism (the
autograd history is rewired and the version counter bumped, as in PyTorch); a leaf that
requires grad cannot be modified in place, as in PyTorch.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.nn.functional._errors import _check_scalar_fits, _ValueRuntimeError
from npgrad.ops import activation as _act
from npgrad.ops import elementwise as _el
from npgrad.ops._shape_util import ShapeError
from npgrad.ops.activation import _float_input
from npgrad.ops.activation import hardshrink as hardshrink  # one implementation, in core
from npgrad.ops.activation import prelu as prelu

__all__ = [
    "celu",
    "celu_",
    "elu",
    "elu_",
    "gelu",
    "glu",
    "gumbel_softmax",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "leaky_relu",
    "leaky_relu_",
    "log_softmax",
    "logsigmoid",
    "mish",
    "prelu",
    "relu",
    "relu6",
    "relu_",
    "rrelu",
    "rrelu_",
    "selu",
    "selu_",
    "sigmoid",
    "silu",
    "softmax",
    "softmin",
    "softplus",
    "softshrink",
    "softsign",
    "tanh",
    "tanhshrink",
    "threshold",
    "threshold_",
]


def _tensor(op: str, x: Any) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected input to be a Tensor, got {type(x).__name__}")
    return x


def _apply(op: str, fn: Callable[..., Tensor], x: Any, inplace: bool, *args: Any) -> Tensor:
    x = _tensor(op, x)
    if inplace:
        return x._inplace(op + "_", fn, *args)
    return fn(x, *args)


# ---- rectifiers ------------------------------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``max(0, x)``; the gradient at 0 is 0.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.relu(npgrad.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    return _apply("relu", _el.relu, input, inplace)


def relu_(input: Tensor) -> Tensor:  # noqa: A002
    """In-place :func:`relu`."""
    return relu(input, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``min(max(0, x), 6)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.relu6(npgrad.tensor([-1.0, 7.0]))
    tensor([0., 6.])
    """
    return _apply("relu6", _act.relu6, input, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x`` for ``x > 0``, else ``negative_slope * x``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.leaky_relu(npgrad.tensor([-2.0, 2.0]), 0.1)
    tensor([-0.2000,  2.0000])
    """
    return _apply("leaky_relu", _act.leaky_relu, input, inplace, negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:  # noqa: A002
    """In-place :func:`leaky_relu`."""
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh(
    input: Tensor,  # noqa: A002
    min_val: float = -1.0,
    max_val: float = 1.0,
    inplace: bool = False,
) -> Tensor:
    """``x`` clamped to ``[min_val, max_val]`` (zero gradient outside and at the bounds).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.hardtanh(npgrad.tensor([-3.0, 0.5, 3.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError(f"min_val cannot be greater than max_val, got {min_val} > {max_val}")
    return _apply("hardtanh", _act.hardtanh, input, inplace, min_val, max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:  # noqa: A002
    """In-place :func:`hardtanh`."""
    return hardtanh(input, min_val, max_val, inplace=True)


def _threshold(x: Tensor, threshold: float, value: float) -> Tensor:
    # PyTorch's test is ``x <= threshold``: a NaN input is kept (and passes its gradient).
    # Both numbers must fit the input's dtype, and an integer input keeps its dtype: they are
    # then truncated to it first, as in PyTorch
    if x.dtype.kind == "b":
        raise TypeError("threshold: not implemented for bool tensors")
    _check_scalar_fits("threshold", "threshold", threshold, x.dtype)
    _check_scalar_fits("threshold", "value", value, x.dtype)
    if x.dtype.kind in "iu":
        threshold, value = math.trunc(threshold), math.trunc(value)
    return npgrad.where(x <= threshold, value, x)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:  # noqa: A002
    """``value`` where ``x <= threshold`` (zero gradient there), else ``x`` (NaN included).

    An integer input keeps its dtype (``threshold`` and ``value`` are truncated to it), and
    both numbers must fit the input's dtype, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.threshold(npgrad.tensor([0.5, 2.0]), 1.0, -1.0)
    tensor([-1.,  2.])
    """
    return _apply("threshold", _threshold, input, inplace, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:  # noqa: A002
    """In-place :func:`threshold`."""
    return _apply("threshold", _threshold, input, True, threshold, value)


def _rrelu_train(x: Tensor, lower: float, upper: float) -> Tensor:
    # PyTorch's rrelu_with_noise: each x <= 0 gets its own slope ~ U(lower, upper); the
    # noise is a constant factor, so the gradient is grad * noise
    if x.dtype.kind != "f":
        raise TypeError(f"rrelu: expected a floating point input, got {x.dtype}")
    slopes = npgrad.random.uniform(lower, upper, x.shape, dtype=x.dtype)._data
    noise = np.where(x._data > 0, x.dtype.type(1), slopes)
    return x * Tensor._make(noise, False, None)


def rrelu(
    input: Tensor,  # noqa: A002
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """Randomised leaky ReLU: in training, negative inputs are scaled by a slope drawn
    from ``U(lower, upper)`` per element (from :mod:`npgrad.random`); in evaluation by the
    fixed slope ``(lower + upper) / 2``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.rrelu(npgrad.tensor([-1.0, 2.0]), 0.1, 0.3)
    tensor([-0.2000,  2.0000])
    """
    if lower > upper:
        raise _ValueRuntimeError(
            f"rrelu: Lower bound should be less than or equal to the upper bound, got "
            f"lower={lower}, upper={upper}"
        )
    if training:
        return _apply("rrelu", _rrelu_train, input, inplace, float(lower), float(upper))
    return _apply("rrelu", _act.leaky_relu, input, inplace, (lower + upper) / 2)


def rrelu_(
    input: Tensor,  # noqa: A002
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
) -> Tensor:
    """In-place :func:`rrelu`."""
    return rrelu(input, lower, upper, training, inplace=True)


# ---- exponential family ------------------------------------------------------------------------
def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.elu(npgrad.tensor([-1.0, 1.0]))
    tensor([-0.6321,  1.0000])
    """
    return _apply("elu", _act.elu, input, inplace, alpha)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """In-place :func:`elu`."""
    return elu(input, alpha, inplace=True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``scale * elu(x, alpha)`` with the self-normalising constants.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.selu(npgrad.tensor([1.0]))
    tensor([1.0507])
    """
    return _apply("selu", _act.selu, input, inplace)


def selu_(input: Tensor) -> Tensor:  # noqa: A002
    """In-place :func:`selu`."""
    return selu(input, inplace=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.celu(npgrad.tensor([-1.0, 1.0]))
    tensor([-0.6321,  1.0000])
    """
    return _apply("celu", _act.celu, input, inplace, alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """In-place :func:`celu`."""
    return celu(input, alpha, inplace=True)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    """``x * Phi(x)`` (exact, via erf) or its ``approximate="tanh"`` form.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.gelu(npgrad.tensor([1.0]), approximate="tanh")
    tensor([0.8412])
    """
    return _act.gelu(_tensor("gelu", input), approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x * sigmoid(x)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.silu(npgrad.tensor([1.0]))
    tensor([0.7311])
    """
    return _apply("silu", _act.silu, input, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x * tanh(softplus(x))``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.mish(npgrad.tensor([1.0]))
    tensor([0.8651])
    """
    return _apply("mish", _act.mish, input, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``relu6(x + 3) / 6``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.hardsigmoid(npgrad.tensor([0.0]))
    tensor([0.5000])
    """
    return _apply("hardsigmoid", _act.hardsigmoid, input, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x * relu6(x + 3) / 6``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.hardswish(npgrad.tensor([1.0]))
    tensor([0.6667])
    """
    return _apply("hardswish", _act.hardswish, input, inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """``log(1 + exp(beta * x)) / beta``, linear where ``beta * x > threshold``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.softplus(npgrad.tensor([0.0]))
    tensor([0.6931])
    """
    return _act.softplus(_tensor("softplus", input), beta, threshold)


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """``1 / (1 + exp(-x))``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.sigmoid(npgrad.tensor([0.0]))
    tensor([0.5000])
    """
    return _el.sigmoid(_tensor("sigmoid", input))


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    """Hyperbolic tangent.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.tanh(npgrad.tensor([0.0]))
    tensor([0.])
    """
    return _el.tanh(_tensor("tanh", input))


def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """``log(sigmoid(x))``, stable for large ``|x|``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.logsigmoid(npgrad.tensor([0.0]))
    tensor([-0.6931])
    """
    return _act.logsigmoid(_tensor("logsigmoid", input))


def softsign(input: Tensor) -> Tensor:  # noqa: A002
    """``x / (1 + |x|)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.softsign(npgrad.tensor([1.0]))
    tensor([0.5000])
    """
    return _act.softsign(_tensor("softsign", input))


def tanhshrink(input: Tensor) -> Tensor:  # noqa: A002
    """``x - tanh(x)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.tanhshrink(npgrad.tensor([0.0]))
    tensor([0.])
    """
    return _act.tanhshrink(_tensor("tanhshrink", input))


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.softshrink(npgrad.tensor([-1.0, 0.2, 0.7]))
    tensor([-0.5000,  0.0000,  0.2000])
    """
    x = _float_input("softshrink", _tensor("softshrink", input))
    if lambd < 0:
        raise _ValueRuntimeError(
            f"softshrink: lambda must be greater or equal to 0, but found to be {lambd}."
        )
    # PyTorch's kernel: ``x * 0`` inside [-lambd, lambd] (so -0.2 gives -0.), ``x -+ lambd``
    # elsewhere, NaN included: NaN stays NaN and passes its gradient, as in PyTorch
    if x.dtype == np.float16:  # PyTorch's kernel computes in float32 and rounds once
        return softshrink(x.float(), lambd).half()
    inside = (x >= -lambd) & (x <= lambd)
    return npgrad.where(inside, x * 0.0, npgrad.where(x > 0, x - lambd, x + lambd))


def glu(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """Gated linear unit: ``a * sigmoid(b)`` where ``a, b`` are the two halves of ``input``
    along ``dim``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.glu(npgrad.tensor([[2.0, 0.0]]))
    tensor([[1.]])
    """
    x = _float_input("glu", _tensor("glu", input))
    if x.ndim == 0:
        raise ShapeError("glu does not support scalars because halving size must be even")
    d = dim + x.ndim if -x.ndim <= dim < 0 else dim
    if not 0 <= d < x.ndim:
        raise IndexError(
            f"glu: dimension out of range (expected to be in range of [{-x.ndim}, "
            f"{x.ndim - 1}], but got {dim})"
        )
    if x.shape[d] % 2:
        raise ShapeError(
            f"glu: Halving dimension must be even, but dimension {d} is size {x.shape[d]} "
            f"(input shape {x.shape})"
        )
    if x.dtype == np.float16:
        # PyTorch computes float16 in float32 and rounds once (two float16 roundings would be
        # an ulp off in places); the cast's gradient comes back in float16
        return glu(x.float(), d).half()
    a, b = x.chunk(2, d)
    return a * b.sigmoid()


# ---- softmax family --------------------------------------------------------------------------
def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    # PyTorch's legacy choice for a missing dim (and its deprecation warning)
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(
    input: Tensor,  # noqa: A002
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: Any = None,
) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``, stable for any input; ``dtype`` casts first.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.softmax(npgrad.tensor([[0.0, 0.0]]), dim=1)
    tensor([[0.5000, 0.5000]])
    """
    x = _tensor("softmax", input)
    if dim is None:
        dim = _softmax_dim("softmax", x.ndim, _stacklevel)
    return _act.softmax(x, dim, dtype=dtype)


def log_softmax(
    input: Tensor,  # noqa: A002
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: Any = None,
) -> Tensor:
    """``x - logsumexp(x)`` along ``dim``, stable for any input; ``dtype`` casts first.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.log_softmax(npgrad.tensor([[0.0, 0.0]]), dim=1)
    tensor([[-0.6931, -0.6931]])
    """
    x = _tensor("log_softmax", input)
    if dim is None:
        dim = _softmax_dim("log_softmax", x.ndim, _stacklevel)
    return _act.log_softmax(x, dim, dtype=dtype)


def softmin(
    input: Tensor,  # noqa: A002
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: Any = None,
) -> Tensor:
    """``softmax(-x)`` along ``dim``; ``dtype`` casts first.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.softmin(npgrad.tensor([[0.0, 0.0]]), dim=1)
    tensor([[0.5000, 0.5000]])
    """
    x = _tensor("softmin", input)
    if dim is None:
        dim = _softmax_dim("softmin", x.ndim, _stacklevel)
    return _act.softmin(x, dim, dtype=dtype)


def gumbel_softmax(
    logits: Tensor,
    tau: float = 1.0,
    hard: bool = False,
    eps: float = 1e-10,
    dim: int = -1,
) -> Tensor:
    """Sample from the Gumbel-softmax (Concrete) distribution: ``softmax((logits + g) / tau)``
    with ``g`` standard Gumbel noise drawn from npgrad's generator (``npgrad.manual_seed``).

    ``hard=True`` returns the one-hot of the sample's argmax in the forward pass, with the
    soft sample's gradient (straight-through: ``y_hard - y_soft.detach() + y_soft``).
    ``eps`` is unused (deprecated, as in PyTorch).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> _ = npgrad.manual_seed(0)
    >>> y = F.gumbel_softmax(npgrad.zeros(2, 3), tau=0.5, hard=True)
    >>> y.sum(-1)
    tensor([1., 1.])
    """
    op = "gumbel_softmax"
    x = _tensor(op, logits)
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected floating point logits, got {x.dtype}")
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    if not -max(x.ndim, 1) <= dim < max(x.ndim, 1):
        raise IndexError(
            f"{op}: Dimension out of range (expected to be in range of [{-max(x.ndim, 1)}, "
            f"{max(x.ndim, 1) - 1}], but got {dim})"
        )
    # Gumbel(0, 1) = -log(E), E ~ Exp(1) = -log(1 - U); drawn in float64 so that E > 0
    u = npgrad.rand(*x.shape, dtype=npgrad.float64)._data
    e = np.maximum(-np.log1p(-u), np.finfo(np.float64).tiny)
    g = npgrad.tensor((-np.log(e)).astype(x.dtype))
    y_soft = _act.softmax((x + g) / tau, dim)
    if not hard:
        return y_soft
    index = y_soft.detach().argmax(dim, keepdim=True)
    y_hard = npgrad.zeros_like(y_soft.detach()).scatter(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
