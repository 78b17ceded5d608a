"""PyTorch's remaining samplers (re-exported by :mod:`npgrad.random`): ``poisson`` and
``binomial``, and the in-place fills behind ``Tensor.bernoulli_``, ``cauchy_``,
``exponential_``, ``geometric_``, ``log_normal_`` and ``random_``.

The fills write samples straight into the tensor (constants: no graph is recorded, any
backward that saved the old values fails on the version bump), with PyTorch's argument
checks and dtype rules. Samples come from NumPy's generators, so the streams differ from
PyTorch's; their laws are the same.
"""

from __future__ import annotations

import operator
import warnings
from typing import Any

import numpy as np

from npgrad._generator import Generator, _rng
from npgrad.creation import _new
from npgrad.tensor import Tensor

__all__ = ["binomial", "poisson"]


def _tensor(op: str, x: Any) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    return x


def _float(op: str, x: Tensor) -> np.dtype:
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expects a floating point tensor, got dtype {x.dtype}")
    return x.dtype


def _num(op: str, name: str, v: Any) -> float:
    if isinstance(v, Tensor):
        v = v.item()
    if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
        raise TypeError(f"{op}: {name} must be a number, got {type(v).__name__}")
    return float(v)


def _write(op: str, x: Tensor, arr: np.ndarray) -> Tensor:
    x._check_inplace(op)  # type: ignore[attr-defined]
    x._data[...] = arr
    return x._mark_modified(None)  # type: ignore[attr-defined,no-any-return]


def poisson(input: Tensor, generator: Generator | None = None) -> Tensor:  # noqa: A002
    """Samples from Poisson laws of rates ``input`` (non-negative, floating), of
    ``input``'s dtype. A new leaf: PyTorch defines its gradient to be zero.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.poisson(npgrad.tensor([0.0, 0.0]))
    tensor([0., 0.])
    """
    x = _tensor("poisson", input)
    d = _float("poisson", x)
    rates = x._data
    if rates.size and not (rates >= 0).all():
        raise ValueError("poisson: invalid Poisson rate, expected rates to be non-negative")
    out = _rng("poisson", generator).poisson(rates.astype(np.float64))
    return _new(out.astype(d), False)


def binomial(count: Tensor, prob: Tensor, generator: Generator | None = None) -> Tensor:
    """Samples from binomial laws of ``count`` trials (floating, non-negative integral
    values) with success probabilities ``prob`` in [0, 1] (the two broadcast), of the
    promoted floating dtype. A new leaf: no gradient, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.binomial(npgrad.tensor([3.0, 5.0]), npgrad.tensor([1.0, 0.0]))
    tensor([3., 0.])
    """
    n, p = _tensor("binomial", count), _tensor("binomial", prob)
    if n.dtype.kind != "f" or p.dtype.kind != "f":
        raise TypeError(
            f"binomial: only floating point count and prob are supported, got {n.dtype} and "
            f"{p.dtype}"
        )
    c, q = np.broadcast_arrays(n._data.astype(np.float64), p._data.astype(np.float64))
    if c.size and not ((c >= 0) & (c == np.floor(c))).all():
        raise ValueError("binomial: count must hold non-negative integers")
    if q.size and not ((q >= 0) & (q <= 1)).all():
        raise ValueError("binomial: prob must be in [0, 1]")
    out = _rng("binomial", generator).binomial(c.astype(np.int64), q)
    return _new(out.astype(np.promote_types(n.dtype, p.dtype)), False)


def bernoulli_(x: Tensor, p: Any = 0.5, generator: Generator | None = None) -> Tensor:
    """Fill ``x`` (any dtype) with 0/1 samples, 1 with probability ``p`` (a number in
    [0, 1] or a tensor of probabilities broadcasting to ``x``)."""
    rng = _rng("bernoulli_", generator)
    pa: Any
    if isinstance(p, Tensor):
        if p.dtype.kind != "f":
            raise TypeError(f"bernoulli_: p must be a floating point tensor, got {p.dtype}")
        try:
            ok = np.broadcast_shapes(p.shape, x.shape) == x.shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"bernoulli_: p of shape {p.shape} does not broadcast to {x.shape}")
        pa = p._data
        if pa.size and not ((pa >= 0) & (pa <= 1)).all():
            raise ValueError("bernoulli_: all probabilities in p must be in [0, 1]")
    else:
        pa = _num("bernoulli_", "p", p)
        if not 0.0 <= pa <= 1.0:
            raise ValueError(f"bernoulli_: expects p to be in [0, 1], got p={pa}")
    return _write("bernoulli_", x, rng.random(x.shape) < pa)


def cauchy_(
    x: Tensor, median: Any = 0.0, sigma: Any = 1.0, generator: Generator | None = None
) -> Tensor:
    """Fill the floating tensor ``x`` with samples from the Cauchy law
    ``median + sigma * tan(pi * (u - 1/2))``."""
    _float("cauchy_", x)
    m, s = _num("cauchy_", "median", median), _num("cauchy_", "sigma", sigma)
    if not s > 0:
        raise ValueError(f"cauchy_: expects sigma > 0.0, got sigma={s}")
    return _write("cauchy_", x, m + s * _rng("cauchy_", generator).standard_cauchy(x.shape))


def exponential_(x: Tensor, lambd: Any = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill the floating tensor ``x`` with samples from the exponential law of rate
    ``lambd``."""
    _float("exponential_", x)
    lam = _num("exponential_", "lambd", lambd)
    if not lam > 0:
        raise ValueError(f"exponential_: expects lambda > 0.0, got lambda={lam}")
    return _write(
        "exponential_", x, _rng("exponential_", generator).standard_exponential(x.shape) / lam
    )


def geometric_(x: Tensor, p: Any, generator: Generator | None = None) -> Tensor:
    """Fill ``x`` (integer or floating) with the number of Bernoulli(``p``) trials up to
    the first success (values 1, 2, ...)."""
    q = _num("geometric_", "p", p)
    if not 0.0 < q < 1.0:
        raise ValueError(f"geometric_: expects p to be in (0, 1), got p={q}")
    return _write("geometric_", x, _rng("geometric_", generator).geometric(q, x.shape))


def log_normal_(
    x: Tensor, mean: Any = 1.0, std: Any = 2.0, generator: Generator | None = None
) -> Tensor:
    """Fill the floating tensor ``x`` with ``exp`` of normal samples of ``mean`` and
    ``std``."""
    _float("log_normal_", x)
    m, s = _num("log_normal_", "mean", mean), _num("log_normal_", "std", std)
    if not s > 0:
        raise ValueError(f"log_normal_: expects std > 0.0, got std={s}")
    return _write("log_normal_", x, _rng("log_normal_", generator).lognormal(m, s, x.shape))


def _top(d: np.dtype) -> int:
    """The largest integer ``random_`` may draw for dtype ``d`` (PyTorch's rule: a float
    dtype's range is the integers it holds exactly, 2**mantissa bits)."""
    if d.kind == "b":
        return 1
    if d.kind == "f":
        return int(2 ** (np.finfo(d).nmant + 1))  # the implicit bit counts
    return int(np.iinfo(d).max)


def random_(
    x: Tensor, from_: Any = None, to: Any = None, generator: Generator | None = None
) -> Tensor:
    """Fill ``x`` with integers drawn uniformly from ``[from_, to - 1]``; ``random_(to)`` is
    ``[0, to - 1]`` and ``random_()`` ``[0, top]``, ``top`` being the dtype's largest exactly
    held integer (``2**24`` for float32, ``2**53`` for float64, 1 for bool). A float range
    beyond ``+-top`` warns, as in PyTorch; a range beyond the dtype is an error."""
    d = x.dtype
    if from_ is not None and to is None:
        from_, to = 0, from_
    lo = 0 if from_ is None else operator.index(from_)
    if to is None:
        hi = _top(d)
    else:
        hi = operator.index(to) - 1
        if lo > hi:
            raise ValueError(
                f"random_: expects 'from' to be less than 'to', got from={lo} >= to={hi + 1}"
            )
        if d.kind in "iub":
            info_lo = 0 if d.kind == "b" else int(np.iinfo(d).min)
            if lo < info_lo:
                raise ValueError(f"random_: from={lo} is out of bounds for {d}")
            if hi > _top(d):
                raise ValueError(f"random_: to - 1 = {hi} is out of bounds for {d}")
        else:
            big = float(np.finfo(d).max)
            if lo < -big or hi > big:
                raise ValueError(f"random_: the range [{lo}, {hi}] is out of bounds for {d}")
            if abs(lo) > _top(d) or abs(hi) > _top(d):
                warnings.warn(
                    f"random_: the range [{lo}, {hi}] goes beyond +-{_top(d)}, the integers "
                    f"{d} holds exactly: the draws are rounded to {d}",
                    UserWarning,
                    stacklevel=3,
                )
    if lo < -(2**63) or hi > 2**63 - 1:
        raise ValueError(f"random_: npgrad draws from int64: the range [{lo}, {hi}] is too wide")
    # endpoint=True keeps hi = 2**63 - 1 from overflowing
    vals = _rng("random_", generator).integers(lo, hi, size=x.shape, dtype=np.int64, endpoint=True)
    return _write("random_", x, vals.astype(d))
