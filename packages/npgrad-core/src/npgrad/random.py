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

This module holds seeding, ``rand``/``randn``/``randint``/``randperm``, the ``*_like`` samplers
and the in-place fills for ``nn.init``; it re-exports the distribution samplers (``normal``,
``uniform``, ``bernoulli``, ``multinomial``) from :mod:`npgrad._random_dists`, ``poisson`` and
``binomial`` from :mod:`npgrad._random_more`; the shared helpers are in
:mod:`npgrad._random_util`.
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
from npgrad._random_dists import Bernoulli as Bernoulli  # rendered in the API reference
from npgrad._random_dists import Normal as Normal
from npgrad._random_dists import _normal_array, bernoulli, multinomial, normal, uniform
from npgrad._random_more import binomial, poisson
from npgrad._random_util import (
    _float_dtype,
    _number,
    _shape,
    _std_normal,
    _uniform01,
    _uniform_array,
)
from npgrad.creation import _new, _size
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
