"""``hardshrink`` and ``prelu`` (``torch.hardshrink``/``torch.prelu`` and the Tensor methods;
``npgrad.nn.functional`` re-exports them). Compositions of ``where`` and ``mul``: their
gradients, to any order, are those ops'. Re-exported by :mod:`npgrad.ops.activation`.
"""

from __future__ import annotations

from typing import Any

from npgrad.ops._promote import float_arg, tensor_arg
from npgrad.ops._shape_util import ShapeError
from npgrad.ops.comparison import where
from npgrad.tensor import Tensor


def hardshrink(input: Any, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """``x`` where ``|x| > lambd``, else 0.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.hardshrink(npgrad.tensor([-1.0, 0.2, 0.7]))
    tensor([-1.0000,  0.0000,  0.7000])
    """
    x = float_arg("hardshrink", input)
    # |x| = lambd is inside the dead zone (0 and zero gradient), as in PyTorch; the zone is
    # tested (not its complement) so that nan passes through, as in PyTorch
    return where((x >= -lambd) & (x <= lambd), 0.0, x)


def prelu(input: Any, weight: Any) -> Tensor:  # noqa: A002
    """``x`` for ``x > 0``, else ``weight * x``, with one learnable slope or one per channel
    (dimension 1 of the input).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.prelu(npgrad.tensor([[-1.0, -1.0], [2.0, -2.0]]), npgrad.tensor([0.1, 0.5]))
    tensor([[-0.1000, -0.5000],
            [ 2.0000, -1.0000]])
    """
    x = tensor_arg("prelu", input)
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu: expected weight to be a Tensor, got {type(weight).__name__}")
    if weight.ndim > 1:
        raise ShapeError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = "
            f"{weight.ndim} (shape {weight.shape})"
        )
    n = weight.numel()
    if n == 1:
        w = weight.reshape(())
    else:
        channels = x.shape[1] if x.ndim > 1 else 1
        if x.ndim == 0 or channels != n:
            raise ShapeError(
                f"prelu: Mismatch of parameter numbers and input channel size. Found parameter "
                f"numbers = {n} and channel size = {channels} (input shape {x.shape})."
            )
        w = weight.reshape((1, n) + (1,) * (x.ndim - 2))
    # x > 0 picks the identity, so the slope (and its gradient) applies at x = 0, as in PyTorch
    return where(x > 0, x, w * x)
