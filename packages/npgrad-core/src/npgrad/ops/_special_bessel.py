"""NumPy kernels of the Bessel and Airy functions (NumPy has none), in float64. Accuracy in float64,
measured against 40-digit references (and checked in the tests against exact series,
Wronskians and tabulated values):

* ``i0_array``... ``i1e_array`` (modified, first kind): the power series (Abramowitz & Stegun
  9.6.10) below 30, the asymptotic expansion (A&S 9.7.1) above; relative error below 2e-15.
* ``bessel_j_array``, ``bessel_y_array``: power series (A&S 9.1.10, 9.1.11, 9.1.13) below 2,
  Miller's backward recurrence (with Neumann's series for Y) up to 25, Hankel's expansion
  (A&S 9.2.5-9.2.10) above; absolute error below 3e-15 times ``max(|f|, sqrt(2 / (pi x)))``.
* ``airy_ai_array``: a table of Taylor steps of ``y'' = x y`` on ``[-10, 0.8]`` (computed in
  40-digit decimals on first use), ``K_(1/3)`` above, A&S 10.4.60 below, the phase
  ``2/3 |x|^(3/2)`` carried in two doubles; error below 5e-16 times the envelope
  ``max(|Ai|, |x|^(-1/4) / sqrt(pi))`` for x < 0.8, relative error below 1.2e-15 above.
* ``k_scaled_array`` (modified, second kind): series (A&S 9.6.11, 9.6.13) below 2, the
  trapezoidal rule on A&S 9.6.24 up to 30, the asymptotic expansion (A&S 9.7.2) above;
  relative error below 4e-15.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "airy_ai_array",
    "bessel_j_array",
    "bessel_y_array",
    "i0_array",
    "i0e_array",
    "i1_array",
    "i1e_array",
    "k_scaled_array",
]

_F64 = np.float64
_EULER = 0.57721566490153286061


# ---- modified Bessel functions of the first kind, scaled by exp(-|x|) ----------------------
_BESSEL_SWITCH = 30.0


def _bessel_series(ax: np.ndarray, nu: int, scaled: bool) -> np.ndarray:
    # I_nu(x) = (x/2)^nu sum_k (x^2/4)^k / (k! (k + nu)!): positive terms only
    z = 0.25 * ax * ax
    term = np.ones_like(ax) if nu == 0 else 0.5 * ax
    total = term.copy()
    for k in range(1, 200):
        term = term * z / (k * (k + nu))
        total += term
        if not (term > 1e-17 * total).any():
            break
    return total * np.exp(-ax) if scaled else total  # type: ignore[no-any-return]


def _bessel_asymptotic(ax: np.ndarray, nu: int) -> np.ndarray:
    # I_nu(x) exp(-x) sqrt(2 pi x) ~ sum_k (-1)^k prod_{j<=k} (4 nu^2 - (2j - 1)^2) / (k! (8x)^k)
    mu = 4.0 * nu * nu
    with np.errstate(divide="ignore", invalid="ignore"):
        inv8x = 1.0 / (8.0 * ax)
        term = np.ones_like(ax)
        total = term.copy()
        for k in range(1, 40):
            term = term * -(mu - (2 * k - 1) ** 2) * inv8x / k
            total += term
            if not (np.abs(term) > 1e-17 * np.abs(total)).any():
                break
        return total / np.sqrt(2.0 * np.pi * ax)  # type: ignore[no-any-return]


def _bessel_i(x: np.ndarray, nu: int, scaled: bool) -> np.ndarray:
    x = np.asarray(x, _F64)
    flat = x.ravel()
    ax = np.abs(flat)
    out = np.empty_like(ax)
    small = ax < _BESSEL_SWITCH
    out[small] = _bessel_series(ax[small], nu, scaled)
    large = ~small & ~np.isnan(ax)
    big = _bessel_asymptotic(ax[large], nu)
    if not scaled:
        with np.errstate(over="ignore", invalid="ignore"):  # inf * 0 = nan at +-inf, as PyTorch
            big = big * np.exp(ax[large])
    out[large] = big
    out[np.isnan(ax)] = np.nan
    if scaled:
        out[ax == np.inf] = 0.0
    if nu == 1:
        out = np.copysign(out, flat)  # I1 is odd
    return out.reshape(x.shape)


def i0_array(x: np.ndarray) -> np.ndarray:
    """I0(x), float64 (nan at +-inf, like PyTorch)."""
    return _bessel_i(x, 0, False)


def i1_array(x: np.ndarray) -> np.ndarray:
    """I1(x), float64 (nan at +-inf, like PyTorch)."""
    return _bessel_i(x, 1, False)


def i0e_array(x: np.ndarray) -> np.ndarray:
    """exp(-|x|) I0(x), float64."""
    return _bessel_i(x, 0, True)


def i1e_array(x: np.ndarray) -> np.ndarray:
    """exp(-|x|) I1(x), float64."""
    return _bessel_i(x, 1, True)


# ---- Bessel functions of the first kind J0, J1 --------------------------------------------------
_J_SERIES_MAX = 2.0  # below: the power series (A&S 9.1.10), terms < 1 in size, no cancellation
_J_ASYMPTOTIC_MIN = 25.0  # above: Hankel's expansion (A&S 9.2.5, 9.2.9); between: Miller's


def _j_series(x: np.ndarray, nu: int) -> np.ndarray:
    z = -0.25 * x * x
    term = np.ones_like(x) if nu == 0 else 0.5 * x
    total = term.copy()
    for k in range(1, 30):
        term = term * z / (k * (k + nu))
        total += term
    return total


def _j_miller(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """J0 and J1 by Miller's backward recurrence ``J_(n-1) = 2n/x J_n - J_(n+1)``, normalised
    by ``J0 + 2 (J2 + J4 + ...) = 1`` (A&S 9.1.27 and 9.1.46), for 2 <= x < 25: starting at
    n = 80, ``J_80(x)`` is below 1e-25 relative to the functions' size there."""
    top = 80
    j_next = np.zeros_like(x)  # J_(n+1)
    j_cur = np.full_like(x, 1e-30)  # J_n, up to the normalisation
    norm = np.zeros_like(x)
    inv = 2.0 / x
    j1 = np.zeros_like(x)
    for n in range(top, 0, -1):
        j_prev = n * inv * j_cur - j_next
        j_next, j_cur = j_cur, j_prev  # now j_cur is J_(n-1)
        if (n - 1) % 2 == 0 and n - 1 > 0:
            norm += 2.0 * j_cur
        if n - 1 == 1:
            j1 = j_cur.copy()
    norm += j_cur  # J0
    return j_cur / norm, j1 / norm


def _hankel(x: np.ndarray, nu: int) -> tuple[np.ndarray, ...]:
    """Hankel's asymptotic expansion for J_nu and Y_nu (nu = 0 or 1) at large x:
    ``(sqrt(2/(pi x)), P, Q, cos(chi), sin(chi))`` with chi = x - (nu/2 + 1/4) pi. cos and sin
    of chi come from those of x itself, which NumPy reduces exactly (x - pi/4 would not be
    exact)."""
    mu = 4.0 * nu * nu
    inv8x = 1.0 / (8.0 * x)
    p = np.ones_like(x)
    q = np.zeros_like(x)
    term = np.ones_like(x)
    for k in range(1, 60):
        term = term * (mu - (2 * k - 1) ** 2) * inv8x / k
        if k % 2:
            q += term if k % 4 == 1 else -term
        else:
            p += -term if k % 4 == 2 else term
    c, s = np.cos(x), np.sin(x)
    r = math.sqrt(0.5)
    if nu == 0:  # chi = x - pi/4
        cos_chi, sin_chi = (c + s) * r, (s - c) * r
    else:  # chi = x - 3 pi/4
        cos_chi, sin_chi = (s - c) * r, -(c + s) * r
    return np.sqrt(2.0 / (np.pi * x)), p, q, cos_chi, sin_chi


def _j_hankel(x: np.ndarray, nu: int) -> np.ndarray:
    # J_nu(x) = sqrt(2/(pi x)) (P cos(chi) - Q sin(chi))
    amp, p, q, cos_chi, sin_chi = _hankel(x, nu)
    return amp * (p * cos_chi - q * sin_chi)  # type: ignore[no-any-return]


def bessel_j_array(x: np.ndarray, nu: int) -> np.ndarray:
    """J0 (``nu = 0``) or J1 of a float64 array; nan at +-inf and nan, like PyTorch."""
    x = np.asarray(x, _F64)
    flat = x.ravel()
    ax = np.abs(flat)
    out = np.full(flat.shape, np.nan)
    small = ax < _J_SERIES_MAX
    out[small] = _j_series(ax[small], nu)
    mid = (ax >= _J_SERIES_MAX) & (ax < _J_ASYMPTOTIC_MIN)
    if mid.any():
        out[mid] = _j_miller(ax[mid])[nu]
    big = (ax >= _J_ASYMPTOTIC_MIN) & (ax < np.inf)
    out[big] = _j_hankel(ax[big], nu)
    if nu == 1:
        out = np.where(flat < 0, -out, out)  # J1 is odd (and J1(-0) = -0)
        out = np.where(flat == 0, flat * 0.5, out)
    return out.reshape(x.shape)


# ---- Bessel functions of the second kind Y0, Y1 and modified K0, K1 ------------------------------
def _harmonic(k: int) -> float:
    return math.fsum(1.0 / j for j in range(1, k + 1))


def _y_series(x: np.ndarray, nu: int) -> np.ndarray:
    # A&S 9.1.13 (Y0) and 9.1.11 with n = 1 (Y1), for 0 < x < 2
    z = 0.25 * x * x
    log_half = np.log(0.5 * x)
    j = _j_series(x, nu)
    if nu == 0:
        term = np.ones_like(x)
        total = np.zeros_like(x)
        for k in range(1, 30):  # sum (-1)^(k+1) H_k (x^2/4)^k / (k!)^2
            term = term * -z / (k * k)
            total -= _harmonic(k) * term
        return (2.0 / np.pi) * ((log_half + _EULER) * j + total)  # type: ignore[no-any-return]
    term = 0.5 * x
    total = (-2.0 * _EULER + 1.0) * term  # k = 0: psi(1) + psi(2) = -2 euler + 1
    for k in range(1, 30):
        term = term * -z / (k * (k + 1))
        total += (2.0 * (_harmonic(k) - _EULER) + 1.0 / (k + 1)) * term
    return -2.0 / (np.pi * x) + (2.0 / np.pi) * log_half * j - total / np.pi  # type: ignore[no-any-return]


def _y_neumann(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Y0 and Y1 for 2 <= x < 25 from the J_n of Miller's recurrence: Neumann's series
    Y0 = 2/pi ((log(x/2) + euler) J0 - 2 sum_k (-1)^k J_2k / k) (A&S 9.1.88), and Y1 = -Y0'
    term by term (J0' = -J1, J_n' = (J_(n-1) - J_(n+1)) / 2)."""
    top = 80
    js = [np.zeros_like(x)] * (top + 2)
    j_next = np.zeros_like(x)
    j_cur = np.full_like(x, 1e-30)
    js[top] = j_cur
    inv = 2.0 / x
    for n in range(top, 0, -1):
        j_next, j_cur = j_cur, n * inv * j_cur - j_next
        js[n - 1] = j_cur
    norm = js[0] + 2.0 * sum(js[2:top:2], np.zeros_like(x))
    js = [j / norm for j in js]
    lg = np.log(0.5 * x) + _EULER
    s0 = np.zeros_like(x)
    s1 = np.zeros_like(x)
    for k in range(1, top // 2):
        sign = -1.0 if k % 2 else 1.0
        s0 += sign * js[2 * k] / k
        s1 += sign * (js[2 * k - 1] - js[2 * k + 1]) / k
    y0 = (2.0 / np.pi) * (lg * js[0] - 2.0 * s0)
    y1 = -(2.0 / np.pi) * (js[0] / x - lg * js[1]) + (2.0 / np.pi) * s1
    return y0, y1


def _y_hankel(x: np.ndarray, nu: int) -> np.ndarray:
    # Y_nu(x) = sqrt(2/(pi x)) (P sin(chi) + Q cos(chi))
    amp, p, q, cos_chi, sin_chi = _hankel(x, nu)
    return amp * (p * sin_chi + q * cos_chi)  # type: ignore[no-any-return]


def bessel_y_array(x: np.ndarray, nu: int) -> np.ndarray:
    """Y0 (``nu = 0``) or Y1 of a float64 array: -inf at +-0, nan below 0, at +inf and nan
    (PyTorch's values)."""
    x = np.asarray(x, _F64)
    flat = x.ravel()
    out = np.full(flat.shape, np.nan)
    out[flat == 0] = -np.inf
    small = (flat > 0) & (flat < _J_SERIES_MAX)
    with np.errstate(over="ignore"):
        out[small] = _y_series(flat[small], nu)
    mid = (flat >= _J_SERIES_MAX) & (flat < _J_ASYMPTOTIC_MIN)
    if mid.any():
        out[mid] = _y_neumann(flat[mid])[nu]
    big = (flat >= _J_ASYMPTOTIC_MIN) & (flat < np.inf)
    out[big] = _y_hankel(flat[big], nu)
    return out.reshape(x.shape)


_K_QUADRATURE_MAX = 30.0
_K_STEP = 0.1
_K_NODES = np.arange(0.0, 6.0 + _K_STEP / 2, _K_STEP)


def _k_series(x: np.ndarray, nu: int) -> np.ndarray:
    # A&S 9.6.13 (K0) and 9.6.11 with n = 1 (K1), for 0 < x < 2
    z = 0.25 * x * x
    log_half = np.log(0.5 * x)
    i = _bessel_series(x, nu, False)
    if nu == 0:
        term = np.ones_like(x)
        total = np.zeros_like(x)
        for k in range(1, 30):  # sum H_k (x^2/4)^k / (k!)^2
            term = term * z / (k * k)
            total += _harmonic(k) * term
        return -(log_half + _EULER) * i + total  # type: ignore[no-any-return]
    term = 0.5 * x
    total = (-2.0 * _EULER + 1.0) * term
    for k in range(1, 30):
        term = term * z / (k * (k + 1))
        total += (2.0 * (_harmonic(k) - _EULER) + 1.0 / (k + 1)) * term
    return 1.0 / x + log_half * i - 0.5 * total  # type: ignore[no-any-return]


def _k_scaled_quadrature(x: np.ndarray, nu: int) -> np.ndarray:
    # exp(x) K_nu(x) = integral_0^inf exp(-x (cosh t - 1)) cosh(nu t) dt (A&S 9.6.24) by the
    # trapezoidal rule, which converges geometrically for such analytic integrands: with step
    # 0.1 its error is below exp(x/2 - 2 pi^2 / 0.3) relative (< 1e-20 for x < 30); beyond
    # t = 6 the integrand is below exp(-200 x) for x >= 2
    t = _K_NODES
    f = np.exp(-x[:, None] * (np.cosh(t) - 1.0))
    if nu == 1:
        f = f * np.cosh(t)
    return _K_STEP * (f.sum(axis=1) - 0.5 * f[:, 0])  # type: ignore[no-any-return]


def k_scaled_array(x: np.ndarray, nu: int) -> np.ndarray:
    """exp(x) K_nu(x) for nu = 0, 1 (float64): inf at +-0, nan below 0 and at nan, 0 at inf."""
    x = np.asarray(x, _F64)
    flat = x.ravel()
    out = np.full(flat.shape, np.nan)
    out[flat == 0] = np.inf
    out[flat == np.inf] = 0.0
    small = (flat > 0) & (flat < 2.0)
    with np.errstate(over="ignore"):
        out[small] = _k_series(flat[small], nu) * np.exp(flat[small])
    mid = (flat >= 2.0) & (flat < _K_QUADRATURE_MAX)
    out[mid] = _k_scaled_quadrature(flat[mid], nu)
    big = (flat >= _K_QUADRATURE_MAX) & (flat < np.inf)
    out[big] = _k_asymptotic(flat[big], nu)
    return out.reshape(x.shape)


def _k_asymptotic(x: np.ndarray, nu: float) -> np.ndarray:
    # exp(x) K_nu(x) ~ sqrt(pi/(2x)) sum_k prod_(j<=k) (4 nu^2 - (2j-1)^2) / (k! (8x)^k)
    # (A&S 9.7.2): I's expansion without its alternating sign; from x = 30 the terms fall
    # below 1e-17 long before they would start to grow (near k = 2x)
    mu = 4.0 * nu * nu
    inv8x = 1.0 / (8.0 * x)
    term = np.ones_like(x)
    total = term.copy()
    for k in range(1, 40):
        term = term * (mu - (2 * k - 1) ** 2) * inv8x / k
        total += term
        if not (np.abs(term) > 1e-17 * np.abs(total)).any():
            break
    return total * np.sqrt(np.pi / (2.0 * x))  # type: ignore[no-any-return]


# ---- the Airy function Ai ------------------------------------------------------------------------
_AIRY_LEFT = -10.0  # below: the asymptotic expansion (zeta >= 21: its terms reach 1e-18)
_AIRY_RIGHT = 0.8  # above: through K_(1/3)
_AIRY_STEP = 1.0 / 32.0


def _airy_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ai and Ai' at the centres -10, -10 + 1/32, ..., 0.8+: Taylor steps of the equation
    y'' = x y from x = 0 in 40-digit decimals (y(0), y'(0) from Gamma(2/3), Gamma(1/3): A&S
    10.4.4-5), so that the only float64 rounding is that of the initial values and of the
    table itself. On x < 0 both solutions oscillate, so those roundings stay ~1e-17."""
    import decimal

    ctx = decimal.Context(prec=40)
    d = ctx.create_decimal
    y0 = d(1.0 / (3.0 ** (2.0 / 3.0) * math.gamma(2.0 / 3.0)))
    y1 = d(-1.0 / (3.0 ** (1.0 / 3.0) * math.gamma(1.0 / 3.0)))

    def step(
        c: decimal.Decimal, a0: decimal.Decimal, a1: decimal.Decimal, h: decimal.Decimal
    ) -> Any:
        coef = [a0, a1]
        for n in range(0, 48):  # (n+2)(n+1) a_(n+2) = c a_n + a_(n-1)
            prev = coef[n - 1] if n >= 1 else d(0)
            coef.append(ctx.divide(ctx.add(ctx.multiply(c, coef[n]), prev), d((n + 2) * (n + 1))))
        value = d(0)
        slope = d(0)
        for n in range(len(coef) - 1, -1, -1):
            value = ctx.add(ctx.multiply(value, h), coef[n])
        for n in range(len(coef) - 1, 0, -1):
            slope = ctx.add(ctx.multiply(slope, h), ctx.multiply(coef[n], d(n)))
        return value, slope

    n_left = round(-_AIRY_LEFT / _AIRY_STEP)
    n_right = round(_AIRY_RIGHT / _AIRY_STEP) + 1
    h = d(_AIRY_STEP)
    values = {0: (y0, y1)}
    for direction, count in ((-1, n_left), (1, n_right)):
        a0, a1 = y0, y1
        for i in range(count):
            c = d(i * _AIRY_STEP * direction)
            a0, a1 = step(c, a0, a1, h * direction)
            values[(i + 1) * direction] = (a0, a1)
    keys = sorted(values)
    centres = np.array([k * _AIRY_STEP for k in keys])
    return (
        centres,
        np.array([float(values[k][0]) for k in keys]),
        np.array([float(values[k][1]) for k in keys]),
    )


_AIRY_TABLE: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None


def _airy_taylor(x: np.ndarray) -> np.ndarray:
    global _AIRY_TABLE
    if _AIRY_TABLE is None:  # built on first use (~20 ms): not at import
        _AIRY_TABLE = _airy_table()
    centres, ai, dai = _AIRY_TABLE
    k = np.rint((x - centres[0]) / _AIRY_STEP).astype(np.intp)
    c = centres[k]
    h = x - c
    # Taylor coefficients at c from y'' = x y; |h| <= 1/64, |c| <= 10: 14 terms reach 1e-25
    coef = [ai[k], dai[k]]
    for n in range(0, 12):
        prev = coef[n - 1] if n >= 1 else 0.0
        coef.append((c * coef[n] + prev) / ((n + 2) * (n + 1)))
    out = np.zeros_like(x)
    for a in reversed(coef):
        out = out * h + a
    return out


def _two_prod(a: np.ndarray, b: Any) -> tuple[np.ndarray, np.ndarray]:
    # a * b = p + e exactly (Dekker's product: Veltkamp's split into 26-bit halves)
    def split(v: Any) -> tuple[Any, Any]:
        c = 134217729.0 * v
        hi = c - (c - v)
        return hi, v - hi

    p = a * b
    ah, al = split(a)
    bh, bl = split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _zeta(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2/3 z^(3/2) as hi + lo: the phase of the asymptotic forms, where its rounding (a few
    ulps of a number as large as 2/3 |x|^(3/2)) would otherwise be the largest error."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _zeta_parts(z)


def _zeta_parts(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = np.sqrt(z)
    p, e = _two_prod(s, s)
    s_lo = ((z - p) - e) / (2.0 * s)  # sqrt(z) = s + s_lo
    t, t_lo = _two_prod(z, s)
    t_lo = t_lo + z * s_lo  # z^(3/2) = t + t_lo
    hi = (t + t) / 3.0
    p3, e3 = _two_prod(hi, 3.0)
    lo = (((t + t) - p3) - e3 + 2.0 * t_lo) / 3.0
    # beyond |x| ~ 1e200 the splitting overflows: no correction (the phase itself is then
    # meaningless, and past 1e205 it overflows: nan, as for x = -inf)
    return hi, np.where(np.isfinite(lo), lo, 0.0)


def _airy_left(x: np.ndarray) -> np.ndarray:
    # Ai(-z) ~ pi^(-1/2) z^(-1/4) (sin(zeta + pi/4) sum (-1)^k u_2k zeta^-2k
    #                              - cos(zeta + pi/4) sum (-1)^k u_(2k+1) zeta^-(2k+1)),
    # zeta = 2/3 z^(3/2), u_k = (2k+1)(2k+3)...(6k-1) / (216^k k!)  (A&S 10.4.58, 10.4.60)
    z = -x
    zeta, zeta_lo = _zeta(z)
    inv = 1.0 / zeta
    p = np.zeros_like(z)
    q = np.zeros_like(z)
    power = np.ones_like(z)
    for k in range(0, 30):
        u = math.prod(range(2 * k + 1, 6 * k, 2)) / (216.0**k * math.factorial(k))
        term = u * power
        if k % 2 == 0:
            p += term if k % 4 == 0 else -term
        else:
            q += term if k % 4 == 1 else -term
        power = power * inv
    # sin and cos of zeta + pi/4 from those of zeta = hi + lo
    s0, c0 = np.sin(zeta), np.cos(zeta)
    sl, cl = np.sin(zeta_lo), np.cos(zeta_lo)
    s, c = s0 * cl + c0 * sl, c0 * cl - s0 * sl
    r = math.sqrt(0.5)
    return (((s + c) * r) * p - ((c - s) * r) * q) / (math.sqrt(math.pi) * np.sqrt(np.sqrt(z)))  # type: ignore[no-any-return]


def _airy_right(x: np.ndarray) -> np.ndarray:
    # Ai(x) = sqrt(x / 3) / pi K_(1/3)(zeta), zeta = 2/3 x^(3/2) (A&S 10.4.14), with
    # exp(zeta) K_(1/3)(zeta) by the trapezoidal rule (zeta < 30) or A&S 9.7.2
    zeta, zeta_lo = _zeta(x)
    scaled = np.empty_like(x)
    quad = zeta < _K_QUADRATURE_MAX
    zq = zeta[quad]
    f = np.exp(-zq[:, None] * (np.cosh(_K_NODES) - 1.0)) * np.cosh(_K_NODES / 3.0)
    scaled[quad] = _K_STEP * (f.sum(axis=1) - 0.5 * f[:, 0])
    scaled[~quad] = _k_asymptotic(zeta[~quad], 1.0 / 3.0)
    with np.errstate(under="ignore"):
        return np.sqrt(x / 3.0) / math.pi * scaled * (np.exp(-zeta) * np.exp(-zeta_lo))  # type: ignore[no-any-return]


def airy_ai_array(x: np.ndarray) -> np.ndarray:
    """Ai(x), float64; nan at +-inf and nan (PyTorch's values)."""
    x = np.asarray(x, _F64)
    flat = x.ravel()
    out = np.full(flat.shape, np.nan)
    mid = (flat >= _AIRY_LEFT) & (flat < _AIRY_RIGHT)
    out[mid] = _airy_taylor(flat[mid])
    left = (flat < _AIRY_LEFT) & (flat > -np.inf)
    right = (flat >= _AIRY_RIGHT) & (flat < np.inf)
    with np.errstate(over="ignore", invalid="ignore"):  # (sin(inf) past -1e205: nan)
        out[left] = _airy_left(flat[left])
        out[right] = _airy_right(flat[right])
    return out.reshape(x.shape)
