"""Dense maps and vector utilities: ``linear``, ``bilinear``, ``one_hot``, ``normalize``.

``linear`` is one fused Function: its forward is a single GEMM against the weight's
transposed *view* (no copy of the weight) with the bias added in place, so a Linear layer
costs what ``x @ w.T + b`` costs in NumPy (less: no temporary for the sum). Its backward is
written with npgrad ops (two matmuls and a sum), so it is differentiable again.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.autograd.function import Function
from npgrad.nn.functional._errors import _ValueRuntimeError
from npgrad.ops._broadcast import sum_to
from npgrad.ops._shape_util import ShapeError

__all__ = ["bilinear", "linear", "normalize", "one_hot"]


def _tensor(op: str, name: str, x: Any) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected {name} to be a Tensor, got {type(x).__name__}")
    return x


def _same_dtype(op: str, **tensors: Tensor | None) -> None:
    items = [(k, t.dtype) for k, t in tensors.items() if t is not None]
    if any(d != items[0][1] for _, d in items):
        listing = ", ".join(f"{k} {d}" for k, d in items)
        raise TypeError(
            f"{op}: expected all arguments to have the same dtype, got {listing}; cast with .to()"
        )


# ---- linear ---------------------------------------------------------------------------------
class Linear(Function):
    """``x @ w.T + b`` for ``x`` of shape ``(*, in)``, ``w`` of shape ``(out, in)``."""

    # backward: ``@``, reshape, swapaxes and sum_to, the same on Tensors and NumPy arrays
    _array_backward = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
        need_x, need_w, _ = ctx.needs_input_grad
        ctx.save_for_backward(x if need_w else None, w if need_x else None)
        ctx.bias_shape = None if b is None else b.shape
        if x.ndim == 2:
            out = np.matmul(x, w.T)  # w.T is a view: BLAS reads it transposed, nothing copied
        else:
            # fold the leading dims into one GEMM (NumPy would loop over a stack of matrices)
            rows = math.prod(x.shape[:-1])
            out = np.matmul(x.reshape(rows, x.shape[-1]), w.T).reshape(x.shape[:-1] + (w.shape[0],))
        if b is not None:
            out += b  # in place: no second output-sized temporary
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        gx = gw = gb = None
        # the leading dims folded into one (not reshape(-1, ...): a size may be 0)
        rows, n_out = math.prod(grad.shape[:-1]), grad.shape[-1]
        if need_x:
            # one GEMM over all leading dims: (rows, out) @ (out, in)
            gx = (grad.reshape(rows, n_out) @ w).reshape(grad.shape[:-1] + (w.shape[-1],))
        if need_w:
            # one GEMM over all leading dims: (out, rows) @ (rows, in)
            gw = grad.reshape(rows, n_out).swapaxes(-1, -2) @ x.reshape(rows, x.shape[-1])
        if need_b:
            gb = sum_to(grad, ctx.bias_shape)
        return gx, gw, gb


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """``input @ weight.T + bias``: the affine map of ``nn.Linear``.

    Parameters
    ----------
    input : Tensor
        Shape ``(*, in_features)`` (any number of leading dimensions, or none).
    weight : Tensor
        Shape ``(out_features, in_features)`` (PyTorch's layout); a 1-D weight gives the
        ``input @ weight`` dot products, as in PyTorch.
    bias : Tensor, optional
        Broadcastable to the output, usually shape ``(out_features,)``.

    Returns
    -------
    Tensor
        Shape ``(*, out_features)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> x = npgrad.tensor([[1.0, 2.0]])
    >>> w = npgrad.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
    >>> F.linear(x, w, npgrad.tensor([0.5, 0.5, 0.5]))
    tensor([[1.5000, 3.5000, 4.5000]])
    """
    # the common case is checked with a few attribute reads (this runs on every Linear call);
    # anything unusual goes through the full checks below for a precise message
    if not (
        isinstance(input, Tensor)
        and isinstance(weight, Tensor)
        and (bias is None or isinstance(bias, Tensor))
        and weight.ndim == 2
        and input.ndim
        and input.shape[-1] == weight.shape[1]
        and input.dtype == weight.dtype
        and (bias is None or (bias.shape == weight.shape[:1] and bias.dtype == weight.dtype))
    ):
        out = _linear_slow_path(input, weight, bias)
        if out is not None:
            return out
    return Linear.apply(input, weight, bias)  # type: ignore[no-any-return]


def _linear_slow_path(input: Any, weight: Any, bias: Any) -> Tensor | None:  # noqa: A002
    """Full argument checks of :func:`linear`; returns the result of the rare 1-D weight form,
    None when the fused Function applies."""
    _tensor("linear", "input", input)
    _tensor("linear", "weight", weight)
    if bias is not None:
        _tensor("linear", "bias", bias)
    _same_dtype("linear", input=input, weight=weight, bias=bias)
    xs, ws = input.shape, weight.shape
    if not xs or weight.ndim not in (1, 2):
        raise ShapeError(
            f"linear: expected input of at least 1 dimension and a 1-D or 2-D weight, got "
            f"input shape {xs} and weight shape {ws}"
        )
    if xs[-1] != ws[-1]:
        raise ShapeError(
            f"linear: input shape {xs} and weight shape {ws} cannot be multiplied "
            f"(input's last dimension {xs[-1]} != in_features {ws[-1]})"
        )
    if bias is not None:
        out_shape = xs[:-1] + ws[:-1]
        try:
            ok = np.broadcast_shapes(bias.shape, out_shape) == out_shape
        except ValueError:
            ok = False
        if not ok:
            raise ShapeError(
                f"linear: bias of shape {bias.shape} does not broadcast to the output shape "
                f"{out_shape}"
            )
    if weight.ndim == 1:  # rare: plain dot products over the last dimension
        out = npgrad.matmul(input, weight)
        return out if bias is None else out + bias
    return None


# ---- bilinear --------------------------------------------------------------------------------
def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]``.

    ``input1`` is ``(*, in1)``, ``input2`` is ``(*, in2)`` with the same leading dimensions,
    ``weight`` is ``(out, in1, in2)``. Computed as one batched product over ``out`` (no copy
    of the weight) and a contraction with ``input2``; differentiable to any order.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> w = npgrad.ones(1, 2, 2)
    >>> F.bilinear(npgrad.tensor([[1.0, 2.0]]), npgrad.tensor([[3.0, 4.0]]), w)
    tensor([[21.]])
    """
    for name, t in (("input1", input1), ("input2", input2), ("weight", weight)):
        _tensor("bilinear", name, t)
    if bias is not None:
        _tensor("bilinear", "bias", bias)
    _same_dtype("bilinear", input1=input1, input2=input2, weight=weight, bias=bias)
    s1, s2, sw = input1.shape, input2.shape, weight.shape
    if len(sw) != 3:
        raise ShapeError(f"bilinear(): weight must be 3-D (out, in1, in2), got shape {sw}")
    if len(s1) != len(s2) or not s1:
        raise ShapeError(
            f"bilinear(): input dimensions do not match: got shapes {s1} and {s2} (both need "
            "the same number of dimensions, at least 1)"
        )
    if s1[:-1] != s2[:-1]:
        raise ShapeError(
            f"bilinear(): input batch dimensions do not match: got shapes {s1} and {s2}"
        )
    if s1[-1] != sw[1]:
        raise ShapeError(
            f"bilinear(): input1 size does not match weight size: got {s1[-1]} but expected "
            f"{sw[1]} (input1 shape {s1}, weight shape {sw})"
        )
    if s2[-1] != sw[2]:
        raise ShapeError(
            f"bilinear(): input2 size does not match weight size: got {s2[-1]} but expected "
            f"{sw[2]} (input2 shape {s2}, weight shape {sw})"
        )
    if bias is not None and bias.shape not in ((sw[0],), (1,), ()):
        raise ShapeError(
            f"bilinear(): bias size does not match weight size: got shape {bias.shape} but "
            f"expected ({sw[0]},)"
        )
    batch = s1[:-1]
    x1 = input1.reshape(-1, s1[-1])
    x2 = input2.reshape(-1, s2[-1])
    # (N, in1) @ (out, in1, in2) -> (out, N, in2): one GEMM per output feature
    t = npgrad.matmul(x1, weight)
    y = (t * x2).sum(-1).mT  # (N, out)
    if bias is not None:
        y = y + bias
    return y.reshape(batch + (sw[0],))


# ---- one_hot, normalize ----------------------------------------------------------------------
def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices ``(*)`` to int64 one-hot vectors ``(*, num_classes)``.

    ``num_classes=-1`` infers ``max + 1``. The input must be an int64 tensor of
    non-negative values below ``num_classes``, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.one_hot(npgrad.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    t = _tensor("one_hot", "tensor", tensor)
    if t.dtype != np.int64:
        raise TypeError(
            f"one_hot is only applicable to index tensor of type LongTensor (int64), got {t.dtype}"
        )
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"one_hot: num_classes must be an int, got {type(num_classes).__name__}")
    num_classes = int(num_classes)
    if num_classes < -1:
        raise _ValueRuntimeError(
            f"one_hot: num_classes must be -1 (infer) or >= 0, got {num_classes}"
        )
    a = t._data
    if a.size == 0:
        if num_classes == -1:
            raise _ValueRuntimeError(
                "one_hot: Can not infer total number of classes from empty tensor."
            )
    else:
        lo, hi = int(a.min()), int(a.max())
        if lo < 0:
            raise _ValueRuntimeError(f"one_hot: Class values must be non-negative, got {lo}.")
        if num_classes == -1:
            num_classes = hi + 1
        elif hi >= num_classes:
            raise _ValueRuntimeError(
                f"one_hot: Class values must be smaller than num_classes ({num_classes}), got {hi}."
            )
    out = (a[..., None] == np.arange(num_classes)).astype(np.int64)
    return Tensor._make(out, False, None)


def normalize(
    input: Tensor,  # noqa: A002
    p: float = 2.0,
    dim: int = 1,
    eps: float = 1e-12,
    out: Tensor | None = None,
) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim`` (differentiable, the norm included).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> F.normalize(npgrad.tensor([[3.0, 4.0], [0.0, 0.0]]))
    tensor([[0.6000, 0.8000],
            [0.0000, 0.0000]])
    """
    x = _tensor("normalize", "input", input)
    denom = npgrad.clamp(npgrad.norm(x, p, dim, keepdim=True), min=eps)
    result = x / denom
    if out is not None:
        with npgrad.no_grad():
            out.copy_(result)
        return out
    return result
