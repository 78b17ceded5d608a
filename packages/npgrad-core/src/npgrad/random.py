"""Random numbers: generators, seeding and sampling, with PyTorch's signatures.

A :class:`Generator` wraps a NumPy ``np.random.Generator`` over the PCG64 bit generator.
Every sampling function takes ``generator=``; without one it draws from the module-level
``default_generator``. As in PyTorch, the default generator is seeded from OS entropy at
import (``manual_seed`` makes runs reproducible), while a fresh ``Generator()`` starts from
PyTorch's fixed default seed 67280421310721. The streams differ from PyTorch's (a different
algorithm): the same seed gives reproducible, not torch-identical, numbers.

Floating samples are drawn directly in float32 or float64 (NumPy's ``random`` and
``standard_normal`` take a ``dtype``), never drawn in float64 and rounded; the default is
the default float dtype (see :func:`npgrad.set_default_dtype`).
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from npgrad import _memory_format, dtypes
from npgrad._device import parse_device
from npgrad._generator import (
    Generator,
    _generator_from_state,  # noqa: F401 - where pickles of a Generator made before look
    _rng,
    default_generator,
    fork_rng,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from npgrad._random_more import binomial, poisson
from npgrad.autograd.function import Function
from npgrad.creation import _new, _size, as_tensor
from npgrad.tensor import Tensor

__all__ = [
    "Generator",
    "bernoulli",
    "binomial",
    "default_generator",
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "multinomial",
    "normal",
    "normal_",
    "poisson",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "seed",
    "set_rng_state",
    "uniform",
    "uniform_",
]


# ---- helpers -------------------------------------------------------------------------------
def _float_dtype(op: str, dtype: Any) -> np.dtype:
    d = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"{op}: expected a floating dtype, got {d}")
    return d


def _shape(op: str, shape: tuple[Any, ...], size: Any) -> tuple[int, ...]:
    if size is not None:
        if shape:
            raise TypeError(f"{op}: give the size either positionally or as size=, not both")
        shape = (size,)
    return _size(op, shape)


def _uniform01(rng: np.random.Generator, shape: tuple[int, ...], d: np.dtype) -> np.ndarray:
    if d == dtypes.float16:
        # 11 random bits scaled by 2**-11 are exact in float16 and stay below 1 (rounding a
        # float32 sample to float16 could give exactly 1.0)
        k = rng.integers(0, 1 << 11, shape, dtype=np.int16).astype(np.float16)
        return k * np.float16(2.0**-11)
    return rng.random(shape, dtype=d)


def _std_normal(rng: np.random.Generator, shape: tuple[int, ...], d: np.dtype) -> np.ndarray:
    if d == dtypes.float16:
        return rng.standard_normal(shape, dtype=np.float32).astype(np.float16)
    return rng.standard_normal(shape, dtype=d)


def _number(op: str, name: str, value: Any) -> float:
    if isinstance(value, Tensor) and value.numel() == 1:
        return float(value.item())
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{op}: {name} must be a number, got {type(value).__name__}")
    return float(value)


def _uniform_array(
    op: str, rng: np.random.Generator, shape: tuple[int, ...], d: np.dtype, low: float, high: float
) -> np.ndarray:
    if not low <= high:
        raise ValueError(
            f"{op}: expected low <= high for the range [low, high), got low={low}, high={high}"
        )
    if low == 0.0 and high == 1.0:
        return _uniform01(rng, shape, d)
    w = np.float32 if d == dtypes.float16 else d.type  # float16 arithmetic is done in float32
    out = w(low) + (w(high) - w(low)) * _uniform01(rng, shape, np.dtype(w))
    # rounding can land exactly on high; keep the documented half-open range
    top = np.nextafter(d.type(high), d.type(low)) if high > low else d.type(high)
    return np.minimum(out.astype(d, copy=False), top)


# ---- sampling ------------------------------------------------------------------------------
def rand(
    *shape: Any,
    size: Any = None,
    generator: Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Uniform samples from ``[0, 1)`` (default float dtype).

    Examples
    --------
    >>> import npgrad.random as ntr
    >>> x = ntr.rand(2, 3, generator=ntr.Generator().manual_seed(0))
    >>> x.shape, all(0 <= v < 1 for row in x.tolist() for v in row)
    (npgrad.Size([2, 3]), True)
    """
    parse_device("rand", device)
    d = _float_dtype("rand", dtype)
    arr = _uniform01(_rng("rand", generator), _shape("rand", shape, size), d)
    return _new(arr, requires_grad)


def randn(
    *shape: Any,
    size: Any = None,
    generator: Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Standard normal samples (default float dtype).

    Examples
    --------
    >>> import npgrad.random as ntr
    >>> ntr.randn(4, generator=ntr.Generator().manual_seed(0)).dtype
    dtype('float32')
    """
    parse_device("randn", device)
    d = _float_dtype("randn", dtype)
    arr = _std_normal(_rng("randn", generator), _shape("randn", shape, size), d)
    return _new(arr, requires_grad)


_MISSING: Any = object()


def _int_range(op: str, low: Any, high: Any, d: np.dtype) -> tuple[int, int]:
    try:
        lo, hi = operator.index(low), operator.index(high)
    except TypeError:
        raise TypeError(f"{op}: low and high must be integers, got {low!r} and {high!r}") from None
    if lo >= hi:
        raise ValueError(f"{op}: expected low < high, got low={lo}, high={hi}")
    if d.kind in "iub":
        info = (0, 1) if d.kind == "b" else (np.iinfo(d).min, np.iinfo(d).max)
        if lo < info[0] or hi - 1 > info[1]:
            raise ValueError(f"{op}: the range [{lo}, {hi}) does not fit in {d}")
    return lo, hi


def _sample_ints(
    rng: np.random.Generator, lo: int, hi: int, shape: tuple[int, ...], d: np.dtype
) -> np.ndarray:
    if d.kind in "iu":
        return rng.integers(lo, hi, shape, dtype=d)
    return rng.integers(lo, hi, shape, dtype=np.int64).astype(d)


def randint(
    low: Any = _MISSING,
    high: Any = None,
    size: Any = None,
    *,
    generator: Generator | None = None,
    dtype: Any = dtypes.int64,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Integers drawn uniformly from ``[low, high)``: ``randint(high, size)`` or
    ``randint(low, high, size)``; int64 unless ``dtype`` says otherwise.

    Examples
    --------
    >>> import npgrad.random as ntr
    >>> x = ntr.randint(10, (5,), generator=ntr.Generator().manual_seed(0))
    >>> x.dtype, all(0 <= v < 10 for v in x.tolist())
    (dtype('int64'), True)
    """
    parse_device("randint", device)
    if size is None and high is not None and not isinstance(high, (int, np.integer, Tensor)):
        size, high = high, None  # randint(high, size)
    if high is None:
        if low is _MISSING:
            raise TypeError("randint: missing the upper bound high")
        low, high = 0, low
    elif low is _MISSING:
        low = 0
    if size is None:
        raise TypeError("randint: missing the size argument (a tuple of ints)")
    d = dtypes.to_dtype(dtype)
    lo, hi = _int_range("randint", low, high, d)
    arr = _sample_ints(_rng("randint", generator), lo, hi, _size("randint", (size,)), d)
    return _new(arr, requires_grad)


def randperm(
    n: int,
    *,
    generator: Generator | None = None,
    dtype: Any = dtypes.int64,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """A random permutation of ``0 .. n-1``.

    Examples
    --------
    >>> import npgrad.random as ntr
    >>> p = ntr.randperm(5, generator=ntr.Generator().manual_seed(0))
    >>> sorted(p.tolist())
    [0, 1, 2, 3, 4]
    """
    parse_device("randperm", device)
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"randperm: n must be an integer, got {type(n).__name__}") from None
    if n < 0:
        raise ValueError(f"randperm: n must be non-negative, got {n}")
    d = dtypes.to_dtype(dtype)
    if d.kind == "b":
        raise TypeError("randperm: bool dtype is not supported")
    # every value must be exact in the dtype
    largest = np.iinfo(d).max + 1 if d.kind in "iu" else 2 ** (np.finfo(d).nmant + 1) + 1
    if n > largest:
        raise ValueError(f"randperm: n={n} is too large for dtype {d} (at most {largest})")
    arr = _rng("randperm", generator).permutation(n).astype(d, copy=False)
    return _new(arr, requires_grad)


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


# ---- *_like --------------------------------------------------------------------------------
def _like_dtype(op: str, input: Any, dtype: Any) -> tuple[tuple[int, ...], np.dtype]:  # noqa: A002
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    return input.shape, input.dtype if dtype is None else dtypes.to_dtype(dtype)


def _stored_like(op: str, input: Tensor, t: Tensor, memory_format: Any) -> Tensor:  # noqa: A002
    """``t`` (fresh samples in C order) stored in ``memory_format`` (default: ``input``'s
    order when ``input`` is dense); the samples keep their logical positions."""
    fmt = _memory_format.check(op, memory_format, input.ndim)
    a = _memory_format.empty_in(t.shape, t.dtype, fmt, input._data)
    if not a.flags.c_contiguous:
        a[...] = t._data
        t._data = a
    return t


def rand_like(
    input: Tensor,  # noqa: A002
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    generator: Generator | None = None,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """Like :func:`rand` with ``input``'s shape and dtype (stored in ``input``'s order
    unless ``memory_format`` says otherwise).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.zeros(2, 3, dtype=npgrad.float64)
    >>> y = npgrad.rand_like(x)
    >>> y.shape, y.dtype
    (npgrad.Size([2, 3]), dtype('float64'))
    """
    parse_device("rand_like", device)
    shape, d = _like_dtype("rand_like", input, dtype)
    out = rand(shape, generator=generator, dtype=d, requires_grad=requires_grad)
    return _stored_like("rand_like", input, out, memory_format)


def randn_like(
    input: Tensor,  # noqa: A002
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    generator: Generator | None = None,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """Like :func:`randn` with ``input``'s shape and dtype (stored in ``input``'s order
    unless ``memory_format`` says otherwise).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.randn_like(npgrad.zeros(4, dtype=npgrad.float16)).dtype
    dtype('float16')
    """
    parse_device("randn_like", device)
    shape, d = _like_dtype("randn_like", input, dtype)
    out = randn(shape, generator=generator, dtype=d, requires_grad=requires_grad)
    return _stored_like("randn_like", input, out, memory_format)


def randint_like(
    input: Tensor,  # noqa: A002
    low: Any = 0,
    high: Any = None,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    generator: Generator | None = None,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """Like :func:`randint` with ``input``'s shape and dtype: ``randint_like(x, high)`` or
    ``randint_like(x, low, high)`` (stored in ``input``'s order unless ``memory_format``
    says otherwise).

    Examples
    --------
    >>> import npgrad
    >>> y = npgrad.randint_like(npgrad.zeros(5, dtype=npgrad.int32), 3)
    >>> y.dtype, bool(((y >= 0) & (y < 3)).all())
    (dtype('int32'), True)
    """
    parse_device("randint_like", device)
    shape, d = _like_dtype("randint_like", input, dtype)
    if high is None:
        low, high = 0, low
    lo, hi = _int_range("randint_like", low, high, d)
    arr = _sample_ints(_rng("randint_like", generator), lo, hi, shape, d)
    return _stored_like("randint_like", input, _new(arr, requires_grad), memory_format)


# ---- in place (for nn.init) ----------------------------------------------------------------
def _fill(op: str, tensor: Any, arr: np.ndarray) -> Tensor:
    # written straight into the array: the samples are constants. The version bump makes any
    # backward that saved the old values fail loudly; a tensor in a graph stays in it, with
    # zero gradient for what it held (and a view passes the write on to its base's graph)
    tensor._data[...] = arr
    return tensor._mark_modified(None)  # type: ignore[no-any-return]


def _check_float_tensor(op: str, tensor: Any) -> np.dtype:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(tensor).__name__}")
    if tensor.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating point tensor, got {tensor.dtype}")
    return tensor.dtype


def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """Fill ``tensor`` in place with samples from ``[a, b)`` (no graph is recorded).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.random as ntr
    >>> w = ntr.uniform_(npgrad.empty(3), -0.5, 0.5)
    >>> all(-0.5 <= v < 0.5 for v in w.tolist()), w._version
    (True, 1)
    """
    d = _check_float_tensor("uniform_", tensor)
    lo, hi = _number("uniform_", "a", a), _number("uniform_", "b", b)
    arr = _uniform_array("uniform_", _rng("uniform_", generator), tensor.shape, d, lo, hi)
    return _fill("uniform_", tensor, arr)


def normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """Fill ``tensor`` in place with normal samples (no graph is recorded).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.random as ntr
    >>> ntr.normal_(npgrad.empty(2, 2), 0.0, 0.02).shape
    npgrad.Size([2, 2])
    """
    d = _check_float_tensor("normal_", tensor)
    m, s = _number("normal_", "mean", mean), _number("normal_", "std", std)
    if not s >= 0:
        raise ValueError(f"normal_: expected std >= 0, got std={s}")
    arr = _normal_array(_rng("normal_", generator), m, s, tensor.shape, d)
    return _fill("normal_", tensor, arr)
