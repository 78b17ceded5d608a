"""The gamma family (``lgamma``, ``digamma``, ``polygamma``, ``mvlgamma``, Hurwitz ``zeta``),
the regularized incomplete gamma functions (``gammainc``, ``gammaincc``), the modified Bessel
functions ``i0``, ``i0e``, ``i1``, ``i1e`` and the Bessel functions without a gradient in
PyTorch (``bessel_j0``, ``bessel_j1``, ``modified_bessel_i0``/``i1``, ``spherical_bessel_j0``),
with kernels in :mod:`npgrad.ops._special_kernels` and :mod:`npgrad.ops._special_bessel`. Public through :mod:`npgrad.ops.special`
and :mod:`npgrad.special`. Derivatives are PyTorch's formulas in npgrad ops (differentiable
again); like PyTorch, ``zeta`` and ``gammainc``/``gammaincc`` have no derivative with respect to
their first argument.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgrad.autograd.function import Function
from npgrad.ops._broadcast import sum_to
from npgrad.ops._promote import binary, const
from npgrad.ops._special_bessel import (
    airy_ai_array,
    bessel_j_array,
    bessel_y_array,
    i0_array,
    i0e_array,
    i1_array,
    i1e_array,
    k_scaled_array,
)
from npgrad.ops._special_elementary import _float_operands
from npgrad.ops._special_kernels import (
    digamma_array,
    gammainc_arrays,
    lgamma_array,
    zeta_array,
)
from npgrad.ops.comparison import where
from npgrad.ops.elementwise import _float_arg, _unary, exp, log, sign
from npgrad.tensor import Tensor

__all__ = [
    "airy_ai",
    "bessel_j0",
    "bessel_j1",
    "bessel_y0",
    "bessel_y1",
    "digamma",
    "gammainc",
    "gammaincc",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "lgamma",
    "modified_bessel_i0",
    "modified_bessel_i1",
    "modified_bessel_k0",
    "modified_bessel_k1",
    "mvlgamma",
    "polygamma",
    "scaled_modified_bessel_k0",
    "scaled_modified_bessel_k1",
    "spherical_bessel_j0",
    "zeta",
]


def _in_dtype(kernel: Any) -> Any:
    # the float64 kernel's result in the input's dtype (float32 in, float32 out)
    return lambda a: kernel(a).astype(a.dtype, copy=False)


_i0, _i1 = _in_dtype(i0_array), _in_dtype(i1_array)


def _safe_x(x: Tensor) -> tuple[Tensor, Tensor]:
    # (x with 1 in place of 0, the mask of zeros): keeps 0/0 out of the graph
    zero = const(x._data == 0)
    return where(zero, 1.0, x), zero


def _i1_grad(g: Tensor, x: Tensor, out: Tensor) -> Tensor:
    # I1'(x) = I0(x) - I1(x) / x, and 1/2 at 0
    xs, zero = _safe_x(x)
    return g * where(zero, 0.5, i0(x) - out / xs)


def _i1e_grad(g: Tensor, x: Tensor, out: Tensor) -> Tensor:
    # (exp(-|x|) I1)' = i0e(x) - i1e(x) (sgn(x) + 1/x), and 1/2 at 0
    xs, zero = _safe_x(x)
    return g * where(zero, 0.5, i0e(x) - out * (sign(x) + 1.0 / xs))


Lgamma = _unary("Lgamma", _in_dtype(lgamma_array), "x", lambda g, x: g * digamma(x))
Digamma = _unary("Digamma", _in_dtype(digamma_array), "x", lambda g, x: g * polygamma(1, x))
I0 = _unary("I0", _i0, "x", lambda g, x: g * i1(x))
I0e = _unary("I0e", _in_dtype(i0e_array), "x", lambda g, x: g * (i1e(x) - sign(x) * i0e(x)))


class _WithOutput(Function):
    """``y = f(x)`` whose gradient needs both ``x`` and ``y``."""

    _np: Any
    _grad: Any

    @classmethod
    def forward(cls, ctx: Any, a: np.ndarray) -> np.ndarray:
        out = np.asarray(cls._np(a))
        ctx.save_for_backward(a, out)
        return out

    @classmethod
    def backward(cls, ctx: Any, grad: Tensor) -> Tensor:
        x, out = ctx.saved_tensors
        return cls._grad(grad, x, out)  # type: ignore[no-any-return]


class I1(_WithOutput):
    _np = staticmethod(_i1)
    _grad = staticmethod(_i1_grad)


class I1e(_WithOutput):
    _np = staticmethod(_in_dtype(i1e_array))
    _grad = staticmethod(_i1e_grad)


def _polygamma_array(a: np.ndarray, n: int) -> np.ndarray:
    x = a.astype(np.float64)
    if n == 0:
        out = digamma_array(x)
    else:
        # psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x)
        fact = float(math.factorial(n)) if n <= 170 else math.inf
        with np.errstate(invalid="ignore", over="ignore"):
            out = zeta_array(np.float64(n + 1), x) * ((-1) ** (n + 1) * fact)
        if n == 1:  # PyTorch's trigamma has its own kernel: 0 at inf, nan at -inf
            out = np.where(x == np.inf, 0.0, np.where(x == -np.inf, np.nan, out))
    return out.astype(a.dtype)  # type: ignore[no-any-return]


class Polygamma(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, n: int) -> np.ndarray:
        ctx.n = n
        ctx.save_for_backward(a)
        return np.asarray(_polygamma_array(a, n))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (x,) = ctx.saved_tensors
        return grad * polygamma(ctx.n + 1, x), None


class Zeta(Function):
    @staticmethod
    def forward(ctx: Any, s: np.ndarray, q: np.ndarray) -> np.ndarray:
        ctx.shapes = (np.shape(s), np.shape(q))
        if ctx.needs_input_grad[1]:
            ctx.save_for_backward(s, q)
        dtype = np.result_type(s, q)
        with np.errstate(invalid="ignore", over="ignore"):
            return np.asarray(zeta_array(s, q).astype(dtype))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[None, Tensor | None]:
        if ctx.needs_input_grad[0]:
            # PyTorch has no derivative in s either, and raises the same way
            raise NotImplementedError(
                "the derivative for 'zeta' with respect to x is not implemented"
            )
        s, q = ctx.saved_tensors
        # d/dq zeta(s, q) = -s zeta(s + 1, q)
        return None, sum_to(grad * -s * zeta(s + 1, q), ctx.shapes[1])


class Gammainc(Function):
    _upper = False

    @classmethod
    def forward(cls, ctx: Any, a: np.ndarray, x: np.ndarray) -> np.ndarray:
        ctx.shapes = (np.shape(a), np.shape(x))
        if ctx.needs_input_grad[1]:
            ctx.save_for_backward(a, x)
        p, q = gammainc_arrays(a, x)
        return np.asarray((q if cls._upper else p).astype(np.result_type(a, x)))

    @classmethod
    def backward(cls, ctx: Any, grad: Tensor) -> tuple[None, Tensor | None]:
        name = "igammac" if cls._upper else "igamma"
        if ctx.needs_input_grad[0]:
            # PyTorch has no derivative in a either, and raises the same way
            raise NotImplementedError(f"the derivative for '{name}: input' is not implemented")
        a, x = ctx.saved_tensors
        if not isinstance(a, Tensor):
            a = const(np.asarray(a))
        # d/dx P(a, x) = x^(a-1) e^-x / Gamma(a) (PyTorch's formula); Q's is its negative
        d = exp((a - 1) * log(x) - x - lgamma(a))
        return None, sum_to(-grad * d if cls._upper else grad * d, ctx.shapes[1])


class Gammaincc(Gammainc):
    _upper = True


# ---- public functions -----------------------------------------------------------------------
def lgamma(input: Any) -> Tensor:  # noqa: A002
    """``log|Gamma(input)|``; ``inf`` at 0, the negative integers and ``+-inf``. Relative error
    below 6e-16 in float64 for positive inputs, and for negative ones away from lgamma's zeros
    (near them the reflection formula leaves an absolute error of about 1e-16 times the
    terms' size); float32 is computed in float64.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.lgamma(npgrad.tensor([0.5, 1.0, 10.0, 0.0]))
    tensor([ 0.5724,  0.0000, 12.8018,     inf])
    """
    return Lgamma.apply(_float_arg("lgamma", input))  # type: ignore[no-any-return]


def digamma(input: Any) -> Tensor:  # noqa: A002
    """The digamma function ``psi = d/dx lgamma``. Like PyTorch: ``-inf`` at ``+0``, ``+inf``
    at ``-0``, ``nan`` at the negative integers. Relative error below 4e-15 in float64 for
    positive inputs (a Taylor series around psi's zero keeps it relative there), below 1e-13
    for negative ones away from their zeros.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.digamma(npgrad.tensor([1.0, 0.5, 10.0]))
    tensor([-0.5772, -1.9635,  2.2518])
    """
    return Digamma.apply(_float_arg("digamma", input))  # type: ignore[no-any-return]


def polygamma(n: int, input: Any) -> Tensor:  # noqa: A002
    """The ``n``-th derivative of :func:`digamma`, ``(-1)^(n+1) n! zeta(n + 1, input)`` for
    ``n >= 1``; relative error below 2e-15 in float64.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.polygamma(1, npgrad.tensor([1.0, 0.5]))
    tensor([1.6449, 4.9348])
    >>> npgrad.polygamma(2, npgrad.tensor([1.0]))
    tensor([-2.4041])
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"polygamma: n must be an int, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"polygamma: n must be non-negative, got {n}")
    return Polygamma.apply(_float_arg("polygamma", input), int(n))  # type: ignore[no-any-return]


def mvlgamma(input: Any, p: int) -> Tensor:  # noqa: A002
    """The multivariate log-gamma of dimension ``p``:
    ``p (p - 1) / 4 log(pi) + sum_(j < p) lgamma(input - j / 2)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.mvlgamma(npgrad.tensor([2.5, 3.0]), 2)
    tensor([0.8570, 1.5502])
    """
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
        raise TypeError(f"mvlgamma: p must be an int, got {type(p).__name__}")
    if p < 1:
        raise ValueError(f"mvlgamma: p has to be greater than or equal to 1, got {p}")
    x = _float_arg("mvlgamma", input)
    shifts = const((np.arange(p) * -0.5).astype(x.dtype))
    terms = lgamma(x.unsqueeze(-1) + shifts)
    return terms.sum(-1) + p * (p - 1) / 4 * math.log(math.pi)  # type: ignore[no-any-return]


def zeta(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The Hurwitz zeta function ``sum_(k >= 0) (other + k)^-input`` (``input > 1``; the
    Riemann zeta at ``other = 1``), broadcasting; either argument may be a number. Like
    PyTorch: ``inf`` at ``input = 1`` and at poles ``other = 0, -1...``, ``nan`` for
    ``input < 1`` or a negative ``other`` with a non-integer ``input``; differentiable in
    ``other`` only. Relative error below 1e-15 in float64 for ``other > 0``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.zeta(npgrad.tensor([2.0, 3.0]), 1.0)
    tensor([1.6449, 1.2021])
    """
    a, b = _float_operands("zeta", input, other)
    return binary(Zeta, "zeta", a, b)


def i0(input: Any) -> Tensor:  # noqa: A002
    """The modified Bessel function of the first kind of order 0 (series below 30, asymptotic
    expansion above; relative error below 2e-15 in float64). ``nan`` at ``+-inf``, like PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.i0(npgrad.tensor([0.0, 1.0, -2.0]))
    tensor([1.0000, 1.2661, 2.2796])
    """
    return I0.apply(_float_arg("i0", input))  # type: ignore[no-any-return]


def i0e(input: Any) -> Tensor:  # noqa: A002
    """``exp(-|input|) * i0(input)``, which does not overflow.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.i0e(npgrad.tensor([0.0, 1.0, 1000.0]))
    tensor([1.0000, 0.4658, 0.0126])
    """
    return I0e.apply(_float_arg("i0e", input))  # type: ignore[no-any-return]


def i1(input: Any) -> Tensor:  # noqa: A002
    """The modified Bessel function of the first kind of order 1 (odd). ``nan`` at ``+-inf``,
    like PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.i1(npgrad.tensor([0.0, 1.0, -2.0]))
    tensor([ 0.0000,  0.5652, -1.5906])
    """
    return I1.apply(_float_arg("i1", input))  # type: ignore[no-any-return]


def i1e(input: Any) -> Tensor:  # noqa: A002
    """``exp(-|input|) * i1(input)``, which does not overflow.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.i1e(npgrad.tensor([0.0, 1.0, -1000.0]))
    tensor([ 0.0000,  0.2079, -0.0126])
    """
    return I1e.apply(_float_arg("i1e", input))  # type: ignore[no-any-return]


def gammainc(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The regularized lower incomplete gamma function
    ``P(a, x) = 1/Gamma(a) integral_0^x t^(a-1) e^-t dt`` of ``a = input >= 0`` and
    ``x = other >= 0``, broadcasting (nan for negative arguments, like PyTorch). The series
    (``x < a + 1``) or Legendre's continued fraction: relative error below 2e-14 in float64 for
    values above 1e-10, growing to 2e-13 in the far tails (values near 1e-300); the series'
    cost grows like ``sqrt(a)`` near ``x = a``. Differentiable in ``other`` only, as
    in PyTorch. ``npgrad.igamma`` is the same function.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.gammainc(npgrad.tensor([1.0, 2.0, 0.5]), npgrad.tensor([1.0, 1.0, 2.0]))
    tensor([0.6321, 0.2642, 0.9545])
    """
    a, b = _float_operands("gammainc", input, other)
    return binary(Gammainc, "gammainc", a, b)


def gammaincc(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The regularized upper incomplete gamma function ``Q(a, x) = 1 - P(a, x)`` (see
    :func:`gammainc`), computed directly where it is the smaller of the two.
    ``npgrad.igammac`` is the same function.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.gammaincc(npgrad.tensor([1.0, 2.0]), npgrad.tensor([1.0, 30.0]))
    tensor([3.6788e-01, 2.9009e-12])
    """
    a, b = _float_operands("gammaincc", input, other)
    return binary(Gammaincc, "gammaincc", a, b)


def _no_graph(op: str, input: Any, kernel: Any) -> Tensor:
    # torch.special's bessel_*, modified_bessel_* and spherical_bessel_j0 have no derivative:
    # their results never require grad
    x = _float_arg(op, input)
    out = np.asarray(kernel(x._data)).astype(x.dtype, copy=False)
    return Tensor._make(out, False, None)


def _bessel_j(op: str, input: Any, nu: int) -> Tensor:
    return _no_graph(op, input, lambda a: bessel_j_array(a, nu))


def _k(a: np.ndarray, nu: int, scaled: bool) -> np.ndarray:
    x = a.astype(np.float64)
    out = k_scaled_array(x, nu)
    if scaled:
        return out
    with np.errstate(under="ignore", invalid="ignore"):
        return np.where(x == np.inf, 0.0, out * np.exp(-x))  # type: ignore[no-any-return]


def _spherical_j0(a: np.ndarray) -> np.ndarray:
    x = a.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.sin(x) / x
    out = np.where(x == 0, 1.0, out)
    return np.where(np.isinf(x), 0.0, out)  # type: ignore[no-any-return]


def bessel_j0(input: Any) -> Tensor:  # noqa: A002
    """The Bessel function of the first kind of order 0: the power series below 2, Miller's
    backward recurrence up to 25, Hankel's expansion above; absolute error below 3e-15 times
    ``min(1, sqrt(2 / (pi |x|)))`` in float64. Not differentiable (as in PyTorch: the result
    never requires grad); ``nan`` at ``+-inf``, like PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.bessel_j0(npgrad.tensor([0.0, 1.0, 2.5]))
    tensor([ 1.0000,  0.7652, -0.0484])
    """
    return _bessel_j("bessel_j0", input, 0)


def bessel_j1(input: Any) -> Tensor:  # noqa: A002
    """The Bessel function of the first kind of order 1 (odd); as :func:`bessel_j0`.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.bessel_j1(npgrad.tensor([0.0, 1.0, -1.0]))
    tensor([ 0.0000,  0.4401, -0.4401])
    """
    return _bessel_j("bessel_j1", input, 1)


def modified_bessel_i0(input: Any) -> Tensor:  # noqa: A002
    """The values of :func:`i0`, without a gradient (PyTorch's ``modified_bessel_i0`` has
    none: the result never requires grad).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.modified_bessel_i0(npgrad.tensor([0.0, 1.0, -2.0]))
    tensor([1.0000, 1.2661, 2.2796])
    """
    return _no_graph("modified_bessel_i0", input, _i0)


def modified_bessel_i1(input: Any) -> Tensor:  # noqa: A002
    """The values of :func:`i1`, without a gradient (as PyTorch's ``modified_bessel_i1``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.modified_bessel_i1(npgrad.tensor([0.0, 1.0, -2.0]))
    tensor([ 0.0000,  0.5652, -1.5906])
    """
    return _no_graph("modified_bessel_i1", input, _i1)


def spherical_bessel_j0(input: Any) -> Tensor:  # noqa: A002
    """The spherical Bessel function of the first kind of order 0, ``sin(x) / x`` (1 at 0, 0 at
    ``+-inf`` like PyTorch), without a gradient (PyTorch has none).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.spherical_bessel_j0(npgrad.tensor([0.0, 1.0, 3.0]))
    tensor([1.0000, 0.8415, 0.0470])
    """
    return _no_graph("spherical_bessel_j0", input, _spherical_j0)


def bessel_y0(input: Any) -> Tensor:  # noqa: A002
    """The Bessel function of the second kind of order 0: series below 2, Neumann's series over
    Miller's J_n up to 25, Hankel's expansion above; absolute error below 3e-15 times
    ``max(|Y0|, sqrt(2 / (pi x)))`` in float64. Like PyTorch: ``-inf`` at 0, ``nan`` for
    negative inputs and at ``inf``; no gradient.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.bessel_y0(npgrad.tensor([0.0, 1.0, 5.0]))
    tensor([   -inf,  0.0883, -0.3085])
    """
    return _bessel_y("bessel_y0", input, 0)


def bessel_y1(input: Any) -> Tensor:  # noqa: A002
    """The Bessel function of the second kind of order 1; as :func:`bessel_y0`.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.bessel_y1(npgrad.tensor([0.0, 1.0, 5.0]))
    tensor([   -inf, -0.7812,  0.1479])
    """
    return _bessel_y("bessel_y1", input, 1)


def _bessel_y(op: str, input: Any, nu: int) -> Tensor:
    return _no_graph(op, input, lambda a: bessel_y_array(a, nu))


def modified_bessel_k0(input: Any) -> Tensor:  # noqa: A002
    """The modified Bessel function of the second kind of order 0: series below 2, the
    trapezoidal rule on ``integral exp(-x cosh t) dt`` up to 30, the asymptotic expansion
    above; relative error below 4e-15 in float64. Like PyTorch: ``inf`` at 0, ``nan`` for
    negative inputs; no gradient.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.modified_bessel_k0(npgrad.tensor([0.0, 1.0, 5.0]))
    tensor([   inf, 0.4210, 0.0037])
    """
    return _no_graph("modified_bessel_k0", input, lambda a: _k(a, 0, False))


def modified_bessel_k1(input: Any) -> Tensor:  # noqa: A002
    """The modified Bessel function of the second kind of order 1; as
    :func:`modified_bessel_k0`.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.modified_bessel_k1(npgrad.tensor([0.0, 1.0, 5.0]))
    tensor([   inf, 0.6019, 0.0040])
    """
    return _no_graph("modified_bessel_k1", input, lambda a: _k(a, 1, False))


def scaled_modified_bessel_k0(input: Any) -> Tensor:  # noqa: A002
    """``exp(input) * modified_bessel_k0(input)``, which does not underflow.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.scaled_modified_bessel_k0(npgrad.tensor([1.0, 1000.0]))
    tensor([1.1445, 0.0396])
    """
    return _no_graph("scaled_modified_bessel_k0", input, lambda a: _k(a, 0, True))


def scaled_modified_bessel_k1(input: Any) -> Tensor:  # noqa: A002
    """``exp(input) * modified_bessel_k1(input)``, which does not underflow.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.scaled_modified_bessel_k1(npgrad.tensor([1.0, 1000.0]))
    tensor([1.6362, 0.0396])
    """
    return _no_graph("scaled_modified_bessel_k1", input, lambda a: _k(a, 1, True))


def airy_ai(input: Any) -> Tensor:  # noqa: A002
    """The Airy function ``Ai``: Taylor steps of ``y'' = x y`` tabulated on ``[-10, 0.8]``,
    ``K_(1/3)`` above, the asymptotic expansion below (its phase ``2/3 |x|^(3/2)`` carried in
    two doubles). In float64 the error is below 5e-16 times ``max(|Ai|, |x|^(-1/4) / sqrt(pi))``
    for ``x < 0.8`` (beyond ``x = -1e10`` the phase's own error, about ``|x|^(3/2)`` times
    1e-32, takes over) and below 1.2e-15 relative above. ``nan`` at ``+-inf`` like PyTorch
    (and below -1e205, where the phase overflows); no gradient (PyTorch has none).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.airy_ai(npgrad.tensor([-1.0, 0.0, 1.0, 10.0]))
    tensor([5.3556e-01, 3.5503e-01, 1.3529e-01, 1.1048e-10])
    """
    return _no_graph("airy_ai", input, airy_ai_array)
