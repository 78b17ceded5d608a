"""Gradient clipping: ``clip_grad_norm_``, ``clip_grad_value_`` and their parts
``get_total_norm`` / ``clip_grads_with_norm_`` (PyTorch 2.x's API).

Gradients are changed in place (their version counters bumped, like any in-place op); nothing
here records a graph. ``foreach`` is accepted for compatibility and ignored: the NumPy loops are
the only implementation.
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor

__all__ = [
    "clip_grad_norm",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "get_total_norm",
]


def _as_list(op: str, tensors: Any) -> list[Tensor]:
    if isinstance(tensors, Tensor):
        return [tensors]
    try:
        out = list(tensors)
    except TypeError:
        raise TypeError(
            f"{op}: expected a Tensor or an iterable of Tensors, got {type(tensors).__name__}"
        ) from None
    for t in out:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected an iterable of Tensors, found a {type(t).__name__}")
    return out


def _vector_norm(a: np.ndarray, p: float) -> Any:
    """``torch.linalg.vector_norm(a, p)`` of a flattened array, in its dtype."""
    a = a.reshape(-1)
    if p == 2.0:
        return np.sqrt(np.dot(a, a)) if a.dtype.kind == "f" else np.linalg.norm(a)
    w = np.abs(a)
    if p == math.inf:
        return w.max() if w.size else w.dtype.type(0)
    if p == -math.inf:
        return w.min() if w.size else w.dtype.type(math.inf)
    if p == 0.0:
        return w.dtype.type(np.count_nonzero(w))
    if p == 1.0:
        return w.sum()
    return (w**p).sum() ** (1.0 / p)


def get_total_norm(
    tensors: Tensor | Iterable[Tensor],
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The ``norm_type``-norm of all ``tensors`` together, as if concatenated into one vector
    (``inf`` for the max-norm). A 0-d Tensor; ``tensor(0.)`` when there are none.

    Raises RuntimeError with ``error_if_nonfinite`` when the norm is nan or infinite.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn.utils import get_total_norm
    >>> get_total_norm([npgrad.tensor([3.0, 0.0]), npgrad.tensor([4.0])])
    tensor(5.)
    >>> get_total_norm([npgrad.tensor([3.0, 0.0]), npgrad.tensor([4.0])], float("inf"))
    tensor(4.)
    """
    ts = _as_list("get_total_norm", tensors)
    p = float(norm_type)
    if not ts:
        return npgrad.tensor(0.0)
    dtype = np.result_type(*(t.dtype for t in ts))
    norms = np.array([_vector_norm(t._data, p) for t in ts], dtype=dtype)
    total = np.asarray(_vector_norm(norms, p), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {p} for gradients from `parameters` is non-finite, so it "
            "cannot be clipped. To disable this error and scale the gradients by the non-finite "
            "norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor._make(total, False, None)


def clip_grads_with_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    total_norm: Tensor | float,
    foreach: bool | None = None,
) -> None:
    """Scale the gradients of ``parameters`` in place by ``min(max_norm / (total_norm +
    1e-6), 1)``: only ever down, never up.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn.utils import clip_grads_with_norm_
    >>> p = npgrad.zeros(2, requires_grad=True)
    >>> p.grad = npgrad.tensor([3.0, 4.0])
    >>> clip_grads_with_norm_([p], 1.0, npgrad.tensor(5.0))
    >>> p.grad
    tensor([0.6000, 0.8000])
    """
    params = _as_list("clip_grads_with_norm_", parameters)
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    norm = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(float(total_norm))
    with np.errstate(divide="ignore", invalid="ignore"):  # a non-finite norm scales to nan / 0
        coef = np.minimum(float(max_norm) / (norm + 1e-6), 1.0)
        for g in grads:
            np.multiply(g._data, coef, out=g._data, casting="unsafe")
            g._version += 1


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale the gradients of ``parameters`` in place so that their total ``norm_type``-norm
    is at most ``max_norm``; returns the total norm before clipping (a 0-d Tensor).

    Same as :func:`get_total_norm` followed by :func:`clip_grads_with_norm_`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn.utils import clip_grad_norm_
    >>> p = npgrad.zeros(2, requires_grad=True)
    >>> p.grad = npgrad.tensor([3.0, 4.0])
    >>> clip_grad_norm_([p], max_norm=1.0)
    tensor(5.)
    >>> p.grad
    tensor([0.6000, 0.8000])
    """
    if isinstance(parameters, Tensor):
        params = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        params = _as_list("clip_grad_norm_", parameters)
        if is_generator and not params:
            warnings.warn(
                "`parameters` is an empty generator, no gradient clipping will occur.",
                UserWarning,
                stacklevel=2,
            )
    grads = [p.grad for p in params if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(params, max_norm, total, foreach)
    return total


def clip_grad_norm(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Deprecated alias of :func:`clip_grad_norm_` (warns, like PyTorch).

    Examples
    --------
    >>> import warnings
    >>> import npgrad
    >>> from npgrad.nn.utils import clip_grad_norm
    >>> p = npgrad.zeros(1, requires_grad=True)
    >>> p.grad = npgrad.tensor([2.0])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     clip_grad_norm([p], 1.0)
    tensor(2.)
    """
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
        "`torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(
    parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp every gradient of ``parameters`` in place to ``[-clip_value, clip_value]``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn.utils import clip_grad_value_
    >>> p = npgrad.zeros(3, requires_grad=True)
    >>> p.grad = npgrad.tensor([-3.0, 0.5, 2.0])
    >>> clip_grad_value_([p], 1.0)
    >>> p.grad
    tensor([-1.0000,  0.5000,  1.0000])
    """
    params = _as_list("clip_grad_value_", parameters)
    v = float(clip_value)
    for p in params:
        g = p.grad
        if g is None:
            continue
        # PyTorch's clamp_: g < -v ? -v : g, then v < g ? v : g — a negative clip_value gives
        # all v, NaN stays, and the sign of a zero bound is kept (-0.0 for clip_value=0)
        np.copyto(g._data, -v, where=g._data < -v, casting="unsafe")
        np.copyto(g._data, v, where=g._data > v, casting="unsafe")
        g._version += 1
