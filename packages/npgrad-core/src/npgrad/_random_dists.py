"""PyTorch's distribution samplers (re-exported by :mod:`npgrad.random`): ``normal`` (a
Function: its gradient is zero, as PyTorch's), ``uniform``, ``bernoulli`` (a Function too) and
``multinomial``, on the sampling helpers of :mod:`npgrad._random_util`.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad._device import parse_device
from npgrad._generator import Generator, _rng
from npgrad._random_util import _float_dtype, _number, _std_normal, _uniform01, _uniform_array
from npgrad.autograd.function import Function
from npgrad.creation import _new, _size, as_tensor
from npgrad.tensor import Tensor


# ---- distributions: normal, uniform, bernoulli, multinomial --------------------------------
def _working(d: np.dtype) -> np.dtype:
    # float16 samples are computed in float32 and rounded once at the end
    return np.dtype(np.float32) if d == dtypes.float16 else d


def _normal_array(
    rng: np.random.Generator, mean: Any, std: Any, shape: tuple[int, ...], d: np.dtype
) -> np.ndarray:
    w = _working(d)
    m = mean.astype(w, copy=False) if isinstance(mean, np.ndarray) else w.type(mean)
    s = std.astype(w, copy=False) if isinstance(std, np.ndarray) else w.type(std)
    return np.asarray(m + s * _std_normal(rng, shape, w)).astype(d, copy=False)


class Normal(Function):
    # PyTorch's rule: the sample does not depend differentiably on mean or std (its
    # derivatives.yaml gives zeros); reparameterise as mean + std * randn(...) for pathwise grads
    @staticmethod
    def forward(
        ctx: Any, mean: Any, std: Any, *, rng: np.random.Generator, dtype: np.dtype
    ) -> np.ndarray:
        ctx.meta = (np.shape(mean), np.shape(std), dtype)
        shape = np.broadcast_shapes(np.shape(mean), np.shape(std))
        return _normal_array(rng, mean, std, shape, dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        shape_m, shape_s, d = ctx.meta
        gm = _new(np.zeros(shape_m, d), False) if ctx.needs_input_grad[0] else None
        gs = _new(np.zeros(shape_s, d), False) if ctx.needs_input_grad[1] else None
        return gm, gs


def normal(
    mean: Any = 0.0,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Normal samples with the given mean and standard deviation.

    PyTorch's forms: ``normal(mean_tensor, std_tensor)`` (broadcast together),
    ``normal(mean_tensor, std=1.0)``, ``normal(mean=0.0, std=std_tensor)``, and
    ``normal(mean, std, size)`` with numbers (``dtype`` and ``requires_grad`` apply to this
    form only). As in PyTorch, the gradient with respect to tensor ``mean``/``std`` is zero.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.random as ntr
    >>> ntr.normal(mean=0.0, std=1.0, size=(3, 4)).shape
    npgrad.Size([3, 4])
    >>> ntr.normal(npgrad.zeros(2, 1), npgrad.ones(3)).shape
    npgrad.Size([2, 3])
    """
    parse_device("normal", device)
    rng = _rng("normal", generator)
    if not isinstance(mean, (Tensor, np.ndarray)) and not isinstance(std, (Tensor, np.ndarray)):
        if size is None:
            raise TypeError("normal: size is required when mean and std are both numbers")
        m, s = _number("normal", "mean", mean), _number("normal", "std", std)
        if not s >= 0:
            raise ValueError(f"normal: expected std >= 0, got std={s}")
        d = _float_dtype("normal", dtype)
        return _new(_normal_array(rng, m, s, _size("normal", (size,)), d), requires_grad)
    if size is not None or dtype is not None or requires_grad:
        raise TypeError(
            "normal: size, dtype and requires_grad can only be given when mean and std are numbers"
        )
    mean = as_tensor(mean) if isinstance(mean, np.ndarray) else mean
    std = as_tensor(std) if isinstance(std, np.ndarray) else std
    ds = [t.dtype for t in (mean, std) if isinstance(t, Tensor)]
    if any(d.kind != "f" for d in ds):
        raise TypeError(f"normal: mean and std tensors must be floating point, got {ds}")
    d = dtypes.promote_types(ds[0], ds[-1])
    if not isinstance(mean, Tensor):
        mean = _number("normal", "mean", mean)
    if not isinstance(std, Tensor):
        std = _number("normal", "std", std)
    sd = np.asarray(getattr(std, "_data", std))
    if sd.size and not (sd >= 0).all():
        raise ValueError(f"normal: expected all elements of std >= 0, got min {sd.min()}")
    sm = np.shape(getattr(mean, "_data", mean))
    try:
        np.broadcast_shapes(sm, sd.shape)
    except ValueError:
        raise ValueError(
            f"normal: the shapes of mean {sm} and std {sd.shape} cannot be broadcast together"
        ) from None
    return Normal.apply(mean, std, rng=rng, dtype=d)  # type: ignore[no-any-return]


def uniform(
    low: float = 0.0,
    high: float = 1.0,
    size: Any = (),
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Uniform samples from ``[low, high)`` (npgrad's convenience; NumPy's argument order).

    Examples
    --------
    >>> import npgrad.random as ntr
    >>> x = ntr.uniform(-1.0, 1.0, (2, 2))
    >>> x.shape, all(-1 <= v < 1 for row in x.tolist() for v in row)
    (npgrad.Size([2, 2]), True)
    """
    parse_device("uniform", device)
    lo, hi = _number("uniform", "low", low), _number("uniform", "high", high)
    d = _float_dtype("uniform", dtype)
    shape = _size("uniform", (size,))
    return _new(
        _uniform_array("uniform", _rng("uniform", generator), shape, d, lo, hi), requires_grad
    )


class Bernoulli(Function):
    # PyTorch's rule: zero gradient with respect to the probabilities
    @staticmethod
    def forward(
        ctx: Any, probs: np.ndarray, *, rng: np.random.Generator, p: float | None
    ) -> np.ndarray:
        ctx.meta = (probs.shape, probs.dtype)
        w = np.dtype(np.float64) if probs.dtype == dtypes.float64 else np.dtype(np.float32)
        threshold = probs.astype(w, copy=False) if p is None else w.type(p)
        # u in [0, 1): u < 0 never holds and u < 1 always does, so p = 0 and p = 1 are exact
        return (_uniform01(rng, probs.shape, w) < threshold).astype(probs.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        shape, d = ctx.meta
        return _new(np.zeros(shape, d), False)


def bernoulli(input: Any, p: float | None = None, *, generator: Generator | None = None) -> Tensor:  # noqa: A002
    """0/1 samples, 1 with probability ``input`` (elementwise), or ``p`` for every element
    when given; the result has ``input``'s shape and floating dtype.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.random as ntr
    >>> ntr.bernoulli(npgrad.tensor([0.0, 1.0, 1.0]))
    tensor([0., 1., 1.])
    """
    t = input if isinstance(input, Tensor) else as_tensor(input)
    if t.dtype.kind != "f":
        raise TypeError(
            f"bernoulli: input must be a floating point tensor of probabilities, got {t.dtype}"
        )
    if p is None:
        a = t._data
        if a.size and not ((a >= 0) & (a <= 1)).all():
            raise ValueError(
                "bernoulli: all probabilities must be in [0, 1] (found values outside, or nan)"
            )
    else:
        p = _number("bernoulli", "p", p)
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"bernoulli: expected p in [0, 1], got p={p}")
    return Bernoulli.apply(t, rng=_rng("bernoulli", generator), p=p)  # type: ignore[no-any-return]


def multinomial(
    input: Tensor,  # noqa: A002
    num_samples: int,
    replacement: bool = False,
    *,
    generator: Generator | None = None,
) -> Tensor:
    """Indices sampled from the categories weighted by each row of ``input`` (1-D or 2-D,
    non-negative, not necessarily normalised). int64 of shape ``(num_samples,)`` or
    ``(rows, num_samples)``.

    Without replacement each category is drawn at most once; as in PyTorch, once the
    categories of positive weight are exhausted the zero-weight ones follow.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.random as ntr
    >>> ntr.multinomial(npgrad.tensor([0.0, 1.0, 0.0]), 2, replacement=True)
    tensor([1, 1])
    """
    t = input if isinstance(input, Tensor) else as_tensor(input)
    if t.dtype.kind != "f":
        raise TypeError(f"multinomial: input must be a floating point tensor, got {t.dtype}")
    if t.ndim not in (1, 2):
        raise ValueError(f"multinomial: input must be 1-D or 2-D, got shape {t.shape}")
    n = operator.index(num_samples)
    if n <= 0:
        raise ValueError(f"multinomial: num_samples must be positive, got {n}")
    w = t._data.reshape(-1, t.shape[-1]).astype(np.float64)
    k = w.shape[1]
    if not replacement and n > k:
        raise ValueError(
            f"multinomial: cannot draw {n} samples without replacement from {k} categories"
        )
    if not (np.isfinite(w) & (w >= 0)).all():
        raise ValueError(
            "multinomial: weights must be finite and non-negative (found inf, nan or < 0)"
        )
    total = w.sum(axis=1)
    if not (total > 0).all():
        raise ValueError("multinomial: every row of weights must have a positive sum")
    rng = _rng("multinomial", generator)
    if replacement:
        cdf = np.cumsum(w, axis=1)
        u = rng.random((w.shape[0], n)) * cdf[:, -1:]
        # the last category of positive weight bounds the index: u * total may round up to total
        last = k - 1 - np.argmax(w[:, ::-1] > 0, axis=1)
        out = np.stack([np.searchsorted(cdf[r], u[r], side="right") for r in range(w.shape[0])])
        out = np.minimum(out, last[:, None])
    else:
        # exponential race: the category with the smallest E/w wins, the next smallest comes
        # second, ... — the law of drawing one at a time without replacement
        with np.errstate(divide="ignore"):
            keys = rng.standard_exponential(w.shape) / w
        out = np.argsort(keys, axis=1, kind="stable")[:, :n]
    out = out.astype(np.int64, copy=False)
    return _new(out.reshape(n) if t.ndim == 1 else out, False)
