"""``as_strided``: a view of a tensor's memory with any sizes and element strides, and its
gradient (re-exported by :mod:`npgrad.ops.assembly`).

The view is taken over the tensor's own elements, which must be contiguous: position
``storage_offset + sum_k i_k * stride_k`` of the flattened tensor. The gradient adds each
output element's gradient back at its position, so overlapping strides (several outputs
reading one element) are exact: their gradients add up, as in PyTorch. The gradient's own
gradient is ``as_strided`` again.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided as _np_as_strided

from npgrad.autograd._views import ViewFunction
from npgrad.autograd.function import Function
from npgrad.ops._promote import tensor_arg
from npgrad.tensor import Tensor


def _positions(size: tuple[int, ...], stride: tuple[int, ...], offset: int) -> np.ndarray:
    pos = np.full(size, offset, dtype=np.int64)
    for k, (n, s) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[k] = n
        pos = pos + (np.arange(n, dtype=np.int64) * s).reshape(shape)
    return pos


class AsStrided(ViewFunction):
    @staticmethod
    def forward(
        ctx: Any, a: np.ndarray, size: tuple[int, ...], stride: tuple[int, ...], offset: int
    ) -> np.ndarray:
        ctx.in_shape, ctx.args = a.shape, (size, stride, offset)
        if not a.flags.c_contiguous:  # a gradient may be (an expanded one); a copy then
            a = np.ascontiguousarray(a)
        flat = a.reshape(-1)
        item = flat.itemsize
        return _np_as_strided(
            flat[offset:],
            size,
            tuple(s * item for s in stride),
            writeable=a.flags.writeable,
        )

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        return AsStridedScatter.apply(grad, ctx.in_shape, ctx.args), None, None, None


class AsStridedScatter(Function):
    """Zeros of the input's shape with each gradient element added at the position its
    output element was read from (overlaps add up)."""

    @staticmethod
    def forward(
        ctx: Any, g: np.ndarray, in_shape: tuple[int, ...], args: tuple[Any, ...]
    ) -> np.ndarray:
        ctx.args = args
        out = np.zeros(int(np.prod(in_shape, dtype=np.int64)), g.dtype)
        np.add.at(out, _positions(*args).reshape(-1), g.reshape(-1))
        return out.reshape(in_shape)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        return AsStrided.apply(grad, *ctx.args), None, None


def as_strided(
    input: Any,  # noqa: A002
    size: Any,
    stride: Any,
    storage_offset: int | None = None,
) -> Tensor:
    """A view of ``input``'s elements with sizes ``size`` and element strides ``stride``,
    starting ``storage_offset`` elements in: element ``i`` of the view is element
    ``storage_offset + sum_k i_k * stride[k]`` of ``input`` flattened. ``input`` must be
    contiguous, and the view must stay inside its elements. Differentiable: where strides
    overlap, the gradients of the elements read twice add up.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.as_strided(npgrad.arange(4.0), (3, 2), (1, 1))
    tensor([[0., 1.],
            [1., 2.],
            [2., 3.]])
    """
    x = tensor_arg("as_strided", input)
    try:
        shape = tuple(operator.index(s) for s in size)
        steps = tuple(operator.index(s) for s in stride)
        offset = 0 if storage_offset is None else operator.index(storage_offset)
    except TypeError:
        raise TypeError(
            f"as_strided: size, stride and storage_offset must be ints, got {size!r}, "
            f"{stride!r}, {storage_offset!r}"
        ) from None
    if len(shape) != len(steps):
        raise ValueError(
            f"as_strided: mismatch in length of strides and shape: size {shape}, stride {steps}"
        )
    if any(s < 0 for s in shape) or any(s < 0 for s in steps) or offset < 0:
        raise ValueError(
            f"as_strided: sizes, strides and storage_offset must be non-negative, got size "
            f"{shape}, stride {steps}, storage_offset {offset}"
        )
    if not x._data.flags.c_contiguous:
        raise RuntimeError(
            "as_strided: npgrad takes the view over the tensor's own elements, which must be "
            f"contiguous (this one, of shape {x.shape}, is not); call .contiguous() first"
        )
    n = x.numel()
    need = offset + (0 if 0 in shape else sum((k - 1) * s for k, s in zip(shape, steps)) + 1)
    if 0 not in shape and need > n:
        raise RuntimeError(
            f"as_strided: size {shape}, stride {steps} and storage offset {offset} need "
            f"{need} elements, but the tensor has {n}"
        )
    return AsStrided.apply(x, shape, steps, offset)  # type: ignore[no-any-return]
