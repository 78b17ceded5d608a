"""Normalization: ``batch_norm``, ``instance_norm``, ``layer_norm``, ``group_norm``,
``rms_norm`` and ``local_response_norm``.

The first four are one fused Function, :class:`_Normalize` (in
:mod:`npgrad.nn.functional._normalization_ops` with its helpers; this module holds the argument
checks and the public functions): each views its input so that the statistics are taken over some
axes of the view and the affine ``weight``/``bias`` broadcast over it (batch norm: ``(N, C, L)``
over ``(0, 2)``; group norm: ``(N, G, C/G, L)`` over ``(2, 3)``; layer norm: ``(B, M)`` over
``1``). Forward is NumPy. Backward is the closed-form gradient: in NumPy when no graph is being
built (the usual ``loss.backward()``), and the same formula in npgrad ops under
``create_graph=True``, recomputing the statistics from the input so that second-order gradients see
their dependence on it. Measured on ``(64, 32, 12, 12)`` float32 batch norm, forward + backward
takes 0.7-0.8x the time of a hand-written NumPy forward + backward (it allocates fewer
activation-sized arrays), against 2-6x for the same computation composed of core ops.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from npgrad import Tensor
from npgrad.nn.functional._errors import _ValueRuntimeError
from npgrad.nn.functional._normalization_ops import _Normalize, _Plan
from npgrad.ops._shape_util import ShapeError
from npgrad.ops.elementwise import rsqrt
from npgrad.ops.indexing import pad

__all__ = [
    "batch_norm",
    "group_norm",
    "instance_norm",
    "layer_norm",
    "local_response_norm",
    "rms_norm",
]


# ---- argument checks -------------------------------------------------------------------------
def _float_tensor(op: str, x: Any, what: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected {what} to be a Tensor, got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating point {what}, got dtype {x.dtype}")
    return x


def _check_affine(op: str, x: Tensor, t: Any, name: str, shape: tuple[int, ...]) -> None:
    if t is None:
        return
    _float_tensor(op, t, name)
    if t.dtype != x.dtype:
        raise TypeError(
            f"{op}: input dtype ({x.dtype}) and {name} dtype ({t.dtype}) must be the same"
        )
    if t.numel() != int(np.prod(shape)):
        raise ShapeError(
            f"{op}: expected {name} with {int(np.prod(shape))} elements (shape {shape}), "
            f"got shape {tuple(t.shape)}"
        )


def _running(op: str, running_mean: Any, running_var: Any, momentum: Any) -> Any:
    """The running statistics to update while normalising with the input's (None when no
    buffers are given): both buffers or neither, as PyTorch requires (one alone would
    silently go un-updated)."""
    if running_mean is None and running_var is None:
        return None
    if running_mean is None or running_var is None:
        raise ValueError(
            f"{op}: running_mean and running_var must either both be None or neither be "
            f"None, got running_mean={'None' if running_mean is None else 'a Tensor'} and "
            f"running_var={'None' if running_var is None else 'a Tensor'}"
        )
    return (running_mean._data, running_var._data, _momentum(op, momentum))


def _momentum(op: str, momentum: Any) -> float:
    try:
        return float(momentum)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: momentum must be a number, got {type(momentum).__name__}") from None


def _check_eps(op: str, eps: float, training: bool) -> float:
    eps = float(eps)
    if training and eps <= 0.0:
        raise ValueError(f"{op}: eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"{op}: eps must be non-negative, but got {eps}")
    return eps


def _running_arrays(op: str, x: Tensor, rm: Any, rv: Any, c: int) -> None:
    for name, t in (("running_mean", rm), ("running_var", rv)):
        if t is None:
            continue
        _float_tensor(op, t, name)
        if t.numel() != c:
            raise ShapeError(
                f"{op}: {name} should contain {c} elements not {t.numel()} "
                f"(input of shape {tuple(x.shape)})"
            )


def _bump(*tensors: Any) -> None:
    for t in tensors:
        if t is not None:
            t._version += 1


# ---- public API ------------------------------------------------------------------------------
def batch_norm(
    input: Tensor,  # noqa: A002
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalization over dim 1 of an ``(N, C, *)`` input.

    In training, normalizes with the batch statistics (biased variance) and, when given,
    updates ``running_mean`` / ``running_var`` in place:
    ``running = (1 - momentum) * running + momentum * batch`` with the *unbiased* batch
    variance. Otherwise normalizes with the running statistics.

    Parameters
    ----------
    input : Tensor
        ``(N, C)`` or ``(N, C, *)``.
    running_mean, running_var : Tensor or None
        ``(C,)`` buffers; required when ``training`` is False.
    weight, bias : Tensor, optional
        ``(C,)`` affine parameters.
    training : bool
        Use (and record) the batch statistics.
    momentum : float
        The running-average factor.
    eps : float
        Added to the variance.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> x = npgrad.tensor([[1.0, 2.0], [3.0, 6.0]])
    >>> rm, rv = npgrad.zeros(2), npgrad.ones(2)
    >>> F.batch_norm(x, rm, rv, training=True)
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]])
    >>> rm
    tensor([0.2000, 0.4000])
    """
    op = "batch_norm"
    x = _float_tensor(op, input)
    if x.ndim < 2:
        raise ShapeError(
            f"{op}: expected input of shape (N, C, *) with at least 2 dims, got shape {tuple(x.shape)}"
        )
    c = x.shape[1]
    _running_arrays(op, x, running_mean, running_var, c)
    _check_affine(op, x, weight, "weight", (c,))
    _check_affine(op, x, bias, "bias", (c,))
    training = bool(training)
    eps = _check_eps(op, eps, training)
    n, rest = x.shape[0], int(np.prod(x.shape[2:], dtype=np.int64))
    if training and n * rest == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {tuple(x.shape)}"
        )
    plan = _Plan((n, c, rest), (0, 2), (1, c, 1), (0, 2), n * rest, False, half_stats=True)
    stats = running = None
    if not training:
        if running_mean is None or running_var is None:
            raise _ValueRuntimeError(
                f"{op}: running_mean and running_var must be given when training=False "
                "(evaluation uses the running statistics)"
            )
        stats = (_stat(running_mean, x, (1, c, 1)), _stat(running_var, x, (1, c, 1)))
    else:
        running = _running(op, running_mean, running_var, momentum)
    if n * rest == 0:
        # PyTorch: an empty batch gives an empty output (still in the graph of weight and
        # bias, whose gradients are then zeros) and leaves the running statistics unchanged
        affine = (1, c) + (1,) * (x.ndim - 2)
        out = x.clone()
        if weight is not None:
            out = out * weight.reshape(affine)
        if bias is not None:
            out = out + bias.reshape(affine)
        return out
    out = _Normalize.apply(x, weight, bias, plan, eps, stats, running)
    if running is not None:
        _bump(running_mean, running_var)
    return out  # type: ignore[no-any-return]


def _stat(t: Tensor, x: Tensor, shape: tuple[int, ...]) -> np.ndarray:
    return t._data.reshape(shape).astype(x.dtype, copy=False)


def instance_norm(
    input: Tensor,  # noqa: A002
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Instance normalization: each ``(sample, channel)`` slice of an ``(N, C, *)`` input
    normalized over its own spatial elements.

    With ``use_input_stats`` and running buffers given, these are updated with the batch
    average of the per-instance statistics; ``use_input_stats=False`` normalizes with them.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.instance_norm(npgrad.tensor([[[1.0, 3.0], [0.0, 4.0]]]))
    tensor([[[-1.0000,  1.0000],
             [-1.0000,  1.0000]]])
    """
    op = "instance_norm"
    x = _float_tensor(op, input)
    if x.ndim < 3:
        raise ShapeError(
            f"{op}: expected input of shape (N, C, *) with at least 3 dims, got shape {tuple(x.shape)}"
        )
    n, c = x.shape[:2]
    rest = int(np.prod(x.shape[2:], dtype=np.int64))
    _running_arrays(op, x, running_mean, running_var, c)
    _check_affine(op, x, weight, "weight", (c,))
    _check_affine(op, x, bias, "bias", (c,))
    eps = _check_eps(op, eps, False)  # PyTorch refuses eps <= 0 in training for batch_norm only
    if use_input_stats and rest == 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {tuple(x.shape)}"
        )
    plan = _Plan((n, c, rest), (2,), (1, c, 1), (0, 2), rest, True, half_stats=True)
    stats = running = None
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise _ValueRuntimeError(
                f"{op}: running_mean and running_var must be given when use_input_stats=False"
            )
        stats = (_stat(running_mean, x, (1, c, 1)), _stat(running_var, x, (1, c, 1)))
    else:
        running = _running(op, running_mean, running_var, momentum)
    out = _Normalize.apply(x, weight, bias, plan, eps, stats, running)
    if running is not None:
        _bump(running_mean, running_var)
    return out  # type: ignore[no-any-return]


def layer_norm(
    input: Tensor,  # noqa: A002
    normalized_shape: int | tuple[int, ...] | list[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalization over the trailing ``normalized_shape`` dimensions, with an
    elementwise affine ``weight`` / ``bias`` of that shape.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.layer_norm(npgrad.tensor([[1.0, 3.0], [2.0, 2.0]]), (2,))
    tensor([[-1.0000,  1.0000],
            [ 0.0000,  0.0000]])
    """
    op = "layer_norm"
    x = _float_tensor(op, input)
    shape = _normalized_shape(op, normalized_shape)
    k = len(shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k :]) != shape:
        raise ShapeError(
            f"{op}: given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size {tuple(x.shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        _check_affine(op, x, t, name, shape)
        if t is not None and tuple(t.shape) != shape:
            raise ShapeError(f"{op}: expected {name} of shape {shape}, got {tuple(t.shape)}")
    m = int(np.prod(shape, dtype=np.int64))
    b = int(np.prod(x.shape[: x.ndim - k], dtype=np.int64))
    plan = _Plan((b, m), (1,), (1, m), (0,), m, False)
    return _Normalize.apply(x, weight, bias, plan, _check_eps(op, eps, False), None, None)  # type: ignore[no-any-return]


def rms_norm(
    input: Tensor,  # noqa: A002
    normalized_shape: int | tuple[int, ...] | list[int],
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """Root-mean-square normalization over the trailing ``normalized_shape`` dimensions:
    ``input / sqrt(mean(input**2) + eps) * weight``.

    ``eps=None`` is the machine epsilon of the computation's dtype, as in PyTorch, which
    computes ``float16`` inputs in ``float32`` (so their default ``eps`` is ``float32``'s) and
    returns the input's dtype. A composition of core ops: differentiable to any order.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.rms_norm(npgrad.tensor([[3.0, -4.0], [1.0, 1.0]]), (2,))
    tensor([[ 0.8485, -1.1314],
            [ 1.0000,  1.0000]])
    """
    op = "rms_norm"
    x = _float_tensor(op, input)
    shape = _normalized_shape(op, normalized_shape)
    k = len(shape)
    if k == 0:
        raise ShapeError(
            f"{op}: expected normalized_shape to be at least 1-dimensional, i.e., containing at "
            f"least one element, but got normalized_shape = {list(shape)}"
        )
    if weight is not None:
        _float_tensor(op, weight, "weight")
        if tuple(weight.shape) != shape:
            raise ShapeError(
                f"{op}: expected weight to be of same shape as normalized_shape, but got weight "
                f"of shape {tuple(weight.shape)} and normalized_shape = {list(shape)}"
            )
    if x.ndim < k or tuple(x.shape[x.ndim - k :]) != shape:
        raise ShapeError(
            f"{op}: given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size {tuple(x.shape)}"
        )
    # PyTorch's "opmath" type: half precision is computed in float32, eps included
    compute = np.dtype(np.float32) if x.dtype == np.float16 else x.dtype
    eps = float(np.finfo(compute).eps) if eps is None else float(eps)
    xc = x if compute == x.dtype else x.to(compute)
    dims = tuple(range(x.ndim - k, x.ndim))
    y = xc * rsqrt((xc * xc).mean(dims, keepdim=True) + eps)
    if weight is not None:
        y = y * weight
    return y if y.dtype == x.dtype else y.to(x.dtype)


def _normalized_shape(op: str, shape: Any) -> tuple[int, ...]:
    if isinstance(shape, numbers.Integral):
        return (int(shape),)
    try:
        return tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(
            f"{op}: normalized_shape must be an int or a sequence of ints, got {shape!r}"
        ) from None


def group_norm(
    input: Tensor,  # noqa: A002
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Group normalization: the channels of an ``(N, C, *)`` input split into ``num_groups``
    groups, each normalized over its channels and spatial elements; per-channel affine.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.group_norm(npgrad.tensor([[1.0, 3.0, 0.0, 4.0]]), 2)
    tensor([[-1.0000,  1.0000, -1.0000,  1.0000]])
    """
    op = "group_norm"
    x = _float_tensor(op, input)
    if x.ndim < 2:
        raise ShapeError(
            f"{op}: expected at least 2 dimensions for input tensor but received {x.ndim}"
        )
    g = int(num_groups)
    n, c = x.shape[:2]
    if g <= 0 or c % g:
        raise ShapeError(
            f"{op}: expected number of channels in input to be divisible by num_groups, "
            f"but got input of shape {tuple(x.shape)} and num_groups={num_groups}"
        )
    _check_affine(op, x, weight, "weight", (c,))
    _check_affine(op, x, bias, "bias", (c,))
    rest = int(np.prod(x.shape[2:], dtype=np.int64))
    if n * (c // g) * rest == 1:  # PyTorch's check, on its (N * C / G, G, *) view
        raise ValueError(
            "Expected more than 1 value per channel when training, got input size "
            f"{(n * c // g, g, *x.shape[2:])}"
        )
    plan = _Plan((n, g, c // g, rest), (2, 3), (1, g, c // g, 1), (0, 3), (c // g) * rest, False)
    return _Normalize.apply(x, weight, bias, plan, _check_eps(op, eps, False), None, None)  # type: ignore[no-any-return]


def local_response_norm(
    input: Tensor,  # noqa: A002
    size: int,
    alpha: float = 1e-4,
    beta: float = 0.75,
    k: float = 1.0,
) -> Tensor:
    """Local response normalization across channels (dim 1):
    ``x / (k + alpha / size * sum of x**2 over size neighbouring channels) ** beta``.

    A composition of core ops (the window sum is ``size`` shifted slices of the padded
    squares), so it is differentiable to any order.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.nn.functional as F
    >>> F.local_response_norm(npgrad.ones(1, 3, 1), size=2, alpha=1.0, beta=1.0, k=0.0)
    tensor([[[2.],
             [1.],
             [1.]]])
    """
    op = "local_response_norm"
    x = _float_tensor(op, input)
    if x.ndim < 3:
        raise ShapeError(
            f"{op}: expected 3D or higher dimensionality input (got {x.ndim} dimensions)"
        )
    size = int(size)
    if size < 1:
        raise ValueError(f"{op}: size must be a positive integer, got {size}")
    if x.numel() == 0:
        return x
    c = x.shape[1]
    sq = x * x
    # pad dim 1 by size // 2 before and (size - 1) // 2 after, as PyTorch's average pool does
    widths = [0, 0] * (x.ndim - 2) + [size // 2, (size - 1) // 2]
    padded = pad(sq, widths)
    window = padded[:, 0:c]
    for s in range(1, size):
        window = window + padded[:, s : s + c]
    div = (window * (float(alpha) / size) + float(k)) ** float(beta)
    return x / div
