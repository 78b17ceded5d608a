"""NumPy kernels of the gamma family and the incomplete gamma functions (NumPy has none); the
Bessel functions' are in :mod:`npgrad.ops._special_bessel`.

Every kernel takes and returns float64 arrays; the ops cast to and from the input's dtype.
Accuracy in float64, measured against 40-digit references (and checked in the tests against
``math.lgamma``, closed forms and exact series):

* ``zeta_array`` (Hurwitz): Euler-Maclaurin summation -- direct terms until ``q + N`` is at
  least ``max(10, s)``, then the integral, half-term and 12 Bernoulli corrections (the
  remainder of the 12th is below 1e-17 relative there). Relative error below 1e-15.
* ``lgamma_array``: ``(0, 2.5]`` through the Taylor series of ``lgamma(2 + e)``, whose
  coefficients are ``(-1)^k (zeta(k) - 1) / k`` (Abramowitz & Stegun 6.1.33), so it stays
  accurate near the zeros at 1 and 2; ``(2.5, 10)`` by the recurrence down into that range;
  ``[10, inf)`` by Stirling's series (A&S 6.1.41); ``x < 0`` by reflection (A&S 6.1.17).
  Relative error below 6e-16 for x > 0.
* ``digamma_array``: the recurrence up to ``x >= 10``, then the asymptotic series (A&S 6.3.18),
  a Taylor series around psi's positive zero, and the reflection formula (A&S 6.3.7) for
  ``x < 0``; relative error below 4e-15 for x > 0.
* ``gammainc_arrays``: series or continued fraction (A&S 6.5.29, 6.5.31), and for small ``a``
  a form of Q without 1 - P's cancellation; relative error below 2e-14 for values above
  1e-10, 2e-13 in the far tails.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "digamma_array",
    "gammainc_arrays",
    "lgamma_array",
    "zeta_array",
]

_F64 = np.float64
# B_2, B_4, ... B_24 divided by (2j)!: the Euler-Maclaurin and Stirling coefficients
_BERNOULLI = [
    1 / 6,
    -1 / 30,
    1 / 42,
    -1 / 30,
    5 / 66,
    -691 / 2730,
    7 / 6,
    -3617 / 510,
    43867 / 798,
    -174611 / 330,
    854513 / 138,
    -236364091 / 2730,
]
_B_OVER_FACT = [b / math.factorial(2 * j + 2) for j, b in enumerate(_BERNOULLI)]


def _is_int(x: np.ndarray) -> np.ndarray:
    return np.floor(x) == x  # type: ignore[no-any-return]


# ---- Hurwitz zeta -------------------------------------------------------------------------
def zeta_array(s: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Hurwitz ``zeta(s, q) = sum_k (q + k)^-s`` for real ``s >= 1``; broadcast, float64.

    Like PyTorch: ``s == 1`` or a pole ``q`` in 0, -1, -2... gives inf, ``s < 1`` nan, and
    ``q < 0`` needs an integer ``s`` (nan otherwise)."""
    s, q = np.broadcast_arrays(np.asarray(s, _F64), np.asarray(q, _F64))
    shape = s.shape
    s, q = s.ravel(), q.ravel()
    out = np.full(s.shape, np.nan)
    with np.errstate(all="ignore"):
        pole = (s == 1) | ((q <= 0) & _is_int(q))
        out[pole & (s >= 1)] = np.inf
        ok = (s > 1) & ~pole & np.isfinite(q) & ((q > 0) | _is_int(s)) & (s < np.inf)
        big = (s == np.inf) & ~np.isnan(q)  # q^-inf: 1 at q = 1, inf below
        out[big & (q == 1)] = 1.0
        out[big & (q < 1)] = np.inf
        if ok.any():
            out[ok] = _zeta_regular(s[ok], q[ok])
    return out.reshape(shape)


def _zeta_regular(s: np.ndarray, q: np.ndarray) -> np.ndarray:
    # shift to a = q + n >= max(10, s): there the 12 Bernoulli corrections converge well past
    # double precision (each is about ((s + 2j) / (2 pi a))^2 times the one before)
    n = np.ceil(np.maximum(np.maximum(10.0, s) - q, 0.0))
    total = np.zeros_like(s)
    steps = int(n.max()) if n.size else 0
    for k in range(steps):
        m = k < n
        total += np.where(m, np.power(q + k, -s), 0.0)
    a = q + n
    a_s = np.power(a, -s)
    total += a * a_s / (s - 1.0) + 0.5 * a_s
    fac = s * a_s / a  # s (s+1) ... (s + 2j - 2) a^(-s-2j+1), for j = 1
    inv_a2 = 1.0 / (a * a)
    for j, c in enumerate(_B_OVER_FACT):
        total += c * fac
        fac = fac * (s + 2 * j + 1) * (s + 2 * j + 2) * inv_a2
    return total


# ---- lgamma ------------------------------------------------------------------------------
# lgamma(2 + e) = (1 - euler) e + sum_{k >= 2} (-1)^k (zeta(k) - 1) / k e^k  (A&S 6.1.33), for
# |e| <= 1/2: the terms fall like 4^-k, so 28 of them reach 1e-18
_EULER = 0.57721566490153286061
_LG2_COEF = [1.0 - _EULER] + [
    (-1) ** k * float(zeta_array(np.float64(k), np.float64(2.0))) / k for k in range(2, 30)
]
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _lgamma_near2(e: np.ndarray) -> np.ndarray:
    """lgamma(2 + e) for |e| <= 1/2."""
    p = np.full_like(e, _LG2_COEF[-1])
    for c in _LG2_COEF[-2::-1]:
        p = p * e + c
    return p * e  # type: ignore[no-any-return]


def _lgamma_positive(x: np.ndarray) -> np.ndarray:
    """lgamma of x > 0 (inf at inf)."""
    out = np.empty_like(x)
    small = x <= 0.5  # lgamma(x) = lgamma(2 + x) - log(x (1 + x)), with e = x exact
    xs = x[small]
    out[small] = _lgamma_near2(xs) - np.log1p(xs) - np.log(xs)
    mid = (x > 0.5) & (x <= 1.5)  # lgamma(x) = lgamma(2 + e) - log1p(e), e = x - 1 exact
    e = x[mid] - 1.0
    out[mid] = _lgamma_near2(e) - np.log1p(e)
    near2 = (x > 1.5) & (x <= 2.5)
    out[near2] = _lgamma_near2(x[near2] - 2.0)
    up = (x > 2.5) & (x < 10.0)
    if up.any():  # lgamma(x) = log((x-1)(x-2)...(r)) + lgamma(r), r in (1.5, 2.5]; r - 1 exact
        r = x[up]
        prod = np.ones_like(r)
        while True:
            m = r > 2.5
            if not m.any():
                break
            r = np.where(m, r - 1.0, r)
            prod = np.where(m, prod * r, prod)
        out[up] = np.log(prod) + _lgamma_near2(r - 2.0)
    big = x >= 10.0
    out[big] = _stirling(x[big])
    return out


def _stirling(x: np.ndarray) -> np.ndarray:
    # lgamma(x) = (x - 1/2) log x - x + log(2 pi)/2 + sum B_2j / (2j (2j-1) x^(2j-1)), 8 terms:
    # below 1e-17 relative from x = 10 (A&S 6.1.41)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        inv = 1.0 / x
        inv2 = inv * inv
        series = np.zeros_like(x)
        for j in range(8, 0, -1):
            b = _BERNOULLI[j - 1] / (2 * j * (2 * j - 1))
            series = series * inv2 + b
        lx = np.log(x)
        # x (log x - 1) - log(x) / 2: no overflow below lgamma's own overflow (x ~ 2.5e305)
        out = x * (lx - 1.0) - 0.5 * lx + _HALF_LOG_2PI + series * inv
    return np.where(x == np.inf, np.inf, out)


def _sinpi_abs(x: np.ndarray) -> np.ndarray:
    # |sin(pi x)| with the argument reduced exactly (x - rint(x) loses nothing)
    return np.abs(np.sin(np.pi * (x - np.rint(x))))  # type: ignore[no-any-return]


def lgamma_array(x: np.ndarray) -> np.ndarray:
    """log|Gamma(x)|, float64: inf at 0, the negative integers and +-inf, like PyTorch."""
    x = np.asarray(x, _F64)
    flat = x.ravel()
    out = np.full(flat.shape, np.inf)
    out[np.isnan(flat)] = np.nan
    pos = flat > 0
    out[pos] = _lgamma_positive(flat[pos])
    neg = (flat < 0) & np.isfinite(flat) & ~_is_int(flat)
    if neg.any():
        # reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x)
        xn = flat[neg]
        with np.errstate(divide="ignore"):
            out[neg] = math.log(math.pi) - np.log(_sinpi_abs(xn)) - _lgamma_positive(1.0 - xn)
    return out.reshape(x.shape)


# ---- digamma ------------------------------------------------------------------------------
def _digamma_positive(x: np.ndarray) -> np.ndarray:
    r = x.copy()
    acc = np.zeros_like(x)
    while True:  # psi(x) = psi(x + 1) - 1/x, up to x >= 10
        m = r < 10.0
        if not m.any():
            break
        acc -= np.where(m, 1.0 / r, 0.0)
        r = np.where(m, r + 1.0, r)
    with np.errstate(over="ignore"):
        inv2 = 1.0 / (r * r)
    series = np.zeros_like(x)
    for j in range(7, 0, -1):  # sum B_2j / (2j x^2j) (A&S 6.3.18)
        series = series * inv2 + _BERNOULLI[j - 1] / (2 * j)
    return acc + np.log(r) - 0.5 / r - series * inv2  # type: ignore[no-any-return]


# psi's positive zero x0 = 1.46163214496836234126... (A&S 6.3.19 gives its first digits) as a
# double and the remainder, and psi's Taylor coefficients there, psi^(k)(x0) / k! =
# (-1)^(k+1) zeta(k + 1, x0): near x0 the recurrence would leave an absolute, not relative,
# error; the series keeps psi(x) relatively accurate (|x - x0| <= 1/4, 24 terms: < 1e-18)
_PSI_ROOT_HI = 1.4616321449683622
_PSI_ROOT_LO = 9.549995429965697e-17
_PSI_ROOT_COEF = [
    (-1) ** (k + 1) * float(zeta_array(np.float64(k + 1), np.float64(_PSI_ROOT_HI)))
    for k in range(1, 25)
]


def _digamma_near_root(x: np.ndarray) -> np.ndarray:
    d = (x - _PSI_ROOT_HI) - _PSI_ROOT_LO  # x - hi is exact here
    p = np.full_like(d, _PSI_ROOT_COEF[-1])
    for c in _PSI_ROOT_COEF[-2::-1]:
        p = p * d + c
    return p * d  # type: ignore[no-any-return]


def digamma_array(x: np.ndarray) -> np.ndarray:
    """psi(x) = d/dx lgamma(x), float64. Like PyTorch: -inf at +0, +inf at -0, nan at the
    negative integers and -inf."""
    x = np.asarray(x, _F64)
    flat = x.ravel()
    out = np.full(flat.shape, np.nan)
    pos = flat > 0
    out[pos] = _digamma_positive(flat[pos])
    root = np.abs(flat - _PSI_ROOT_HI) <= 0.25
    out[root] = _digamma_near_root(flat[root])
    zero = flat == 0
    out[zero] = -np.copysign(np.inf, flat[zero])
    neg = (flat < 0) & ~_is_int(flat)
    if neg.any():
        # reflection: psi(1 - x) - psi(x) = pi / tan(pi x), with tan's argument reduced exactly
        xn = flat[neg]
        out[neg] = _digamma_positive(1.0 - xn) - np.pi / np.tan(np.pi * (xn - np.rint(xn)))
    return out.reshape(x.shape)


# ---- regularized incomplete gamma functions ---------------------------------------------------
def _log_ratio_minus(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    """log(x/a) - (x - a)/a, i.e. log1p(d) - d for d = (x - a)/a, without cancellation: the
    series -d^2/2 + d^3/3 - ... near d = 0, log(x / a) (not log1p(d): d's rounding would be
    magnified as x/a -> 0) elsewhere."""
    d = (x - a) / a
    small = np.abs(d) < 0.5
    ds = np.where(small, d, 0.0)
    s = np.zeros_like(d)
    for k in range(60, 1, -1):  # 0.5^k / k < 1e-19 from k = 60
        s = s * ds + (-1.0) ** (k + 1) / k
    with np.errstate(divide="ignore", invalid="ignore"):
        direct = np.log(x / a) - d
    return np.where(small, s * ds * ds, direct)  # type: ignore[no-any-return]


def _gamma_prefactor(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """x^a exp(-x) / Gamma(a). For large a, a log x - x - lgamma(a) would cancel (each term
    ~a); it is a (log(x/a) - (x-a)/a) + log(a / (2 pi)) / 2 - (Stirling's series of a) instead."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        direct = np.exp(a * np.log(x) - x - lgamma_array(a))
        large = a >= 10.0
        if not large.any():
            return direct  # type: ignore[no-any-return]
        al = np.where(large, a, 10.0)
        inv2 = 1.0 / (al * al)
        stirling = np.zeros_like(al)
        for j in range(8, 0, -1):
            stirling = stirling * inv2 + _BERNOULLI[j - 1] / (2 * j * (2 * j - 1))
        stirling = stirling / al
        uniform = np.exp(al * _log_ratio_minus(x, al) - stirling) * np.sqrt(al / (2.0 * np.pi))
    return np.where(large, uniform, direct)  # type: ignore[no-any-return]


_GAMMAINC_MAX_ITER = 100_000


def _gammainc_series(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    # P(a, x) = x^a e^-x / Gamma(a + 1) sum_n x^n / ((a+1)...(a+n))  (A&S 6.5.29). Near x ~ a
    # it takes ~10 sqrt(a) terms: they are made in blocks (a cumulative product per block,
    # blocks doubling up to 4096 terms), so that a huge a costs NumPy work, not Python loops
    total = np.ones_like(a)
    term = np.ones_like(a)
    idx = np.arange(a.size)
    aa, xx = a, x
    start, block = 1, 16
    while idx.size:
        n = np.arange(start, start + block, dtype=np.float64)
        terms = np.cumprod(xx[:, None] / (aa[:, None] + n), axis=1) * term[:, None]
        total[idx] += terms.sum(axis=1)
        term = terms[:, -1]
        going = term > 1e-17 * total[idx]
        idx, term, aa, xx = idx[going], term[going], aa[going], xx[going]
        start += block
        block = min(2 * block, 4096)
    return total * _gamma_prefactor(a, x) / a  # type: ignore[no-any-return]


def _gammaincc_fraction(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    # Q(a, x) = x^a e^-x / Gamma(a) / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / ...)),
    # evaluated by the modified Lentz method (A&S 6.5.31; Numerical Recipes' formulation)
    tiny = 1e-300
    b = x + 1.0 - a
    c = np.full_like(a, 1.0 / tiny)
    d = 1.0 / b
    h = d.copy()
    idx = np.arange(a.size)
    aa, xx = a.copy(), x.copy()
    for n in range(1, _GAMMAINC_MAX_ITER):
        an = -n * (n - aa)
        b = b + 2.0
        d = an * d + b
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1.0 / d
        delta = d * c
        h[idx] *= delta
        going = np.abs(delta - 1.0) > 1e-16
        if not going.all():
            idx, aa, xx = idx[going], aa[going], xx[going]
            b, c, d = b[going], c[going], d[going]
            if idx.size == 0:
                break
    return h * _gamma_prefactor(a, x)  # type: ignore[no-any-return]


def _gammaincc_small_a(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    # Q(a, x) for 0 < a < 1/2, 0 < x < 3/2 without 1 - P's cancellation: from the series
    # P = x^a / Gamma(a + 1) sum_(n >= 0) a (-x)^n / ((a + n) n!)  (A&S 6.5.29 with 6.5.4),
    # Q = (1 - x^a / Gamma(a+1)) + x^a / Gamma(a+1) sum_(n >= 1) (-1)^(n+1) a x^n / ((a+n) n!),
    # the first term by expm1, with lgamma(1 + a) = lgamma(2 + a) - log1p(a), a exact
    log_u = a * np.log(x) - (_lgamma_near2(a) - np.log1p(a))
    total = np.zeros_like(a)
    term = np.ones_like(a)
    for n in range(1, 40):  # x < 2: 2^40 / 40! < 1e-35
        term = term * -x / n
        total -= term * a / (a + n)
    return -np.expm1(log_u) + np.exp(log_u) * total  # type: ignore[no-any-return]


def gammainc_arrays(a: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The regularized lower and upper incomplete gamma functions P(a, x) and Q(a, x) of
    float64 arrays (broadcast), with PyTorch's values at the edges: P(0, x > 0) = 1,
    P(a > 0, 0) = 0, nan for negative or nan arguments, for P(0, 0) and P(inf, inf)."""
    a, x = np.broadcast_arrays(np.asarray(a, _F64), np.asarray(x, _F64))
    shape = a.shape
    a, x = a.ravel(), x.ravel()
    p = np.full(a.shape, np.nan)
    q = np.full(a.shape, np.nan)
    valid = (a >= 0) & (x >= 0)  # (no nan)
    edge_p = [
        ((a == 0) & (x > 0), 1.0),
        ((x == 0) & (a > 0), 0.0),
        ((x == np.inf) & (a < np.inf) & valid, 1.0),
        ((a == np.inf) & (x < np.inf) & valid, 0.0),
    ]
    done = ~valid | ((a == 0) & (x == 0)) | ((a == np.inf) & (x == np.inf))
    for m, v in edge_p:
        p[m], q[m] = v, 1.0 - v
        done |= m
    rest = ~done
    series = rest & (x < a + 1.0)
    if series.any():
        ps = np.minimum(_gammainc_series(a[series], x[series]), 1.0)
        p[series], q[series] = ps, 1.0 - ps
        # for small a, Q may be small: 1 - P would lose its digits (from a = 1/2 on, Q > 0.08
        # in this range: 1 - P is accurate)
        small = series & (a < 0.5)
        if small.any():
            q[small] = _gammaincc_small_a(a[small], x[small])
    frac = rest & ~series
    if frac.any():
        qs = np.minimum(_gammaincc_fraction(a[frac], x[frac]), 1.0)
        p[frac], q[frac] = 1.0 - qs, qs
    return p.reshape(shape), q.reshape(shape)
