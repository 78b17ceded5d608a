"""The classical orthogonal polynomials of ``torch.special``: Chebyshev T, U, V, W (and their
shifted forms on ``[0, 1]``), Hermite H and He, Laguerre L and Legendre P, each evaluated by its
three-term recurrence (Abramowitz & Stegun 22.7; V and W: Mason & Handscomb, "Chebyshev
Polynomials", 2003, 1.2.3). Public through :mod:`npgrad.special`.

As in PyTorch: ``n`` is a tensor or a number, truncated to an integer, broadcast against the
input; ``n < 0`` gives 0; the results have no gradient (they never require grad).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad.ops._special_elementary import _float_operands
from npgrad.tensor import Tensor

__all__ = [
    "chebyshev_polynomial_t",
    "chebyshev_polynomial_u",
    "chebyshev_polynomial_v",
    "chebyshev_polynomial_w",
    "hermite_polynomial_h",
    "hermite_polynomial_he",
    "laguerre_polynomial_l",
    "legendre_polynomial_p",
    "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w",
]


def _chebyshev(first: Any) -> Any:
    # p_0 = 1, p_1 = first(x), p_(k+1) = 2x p_k - p_(k-1): T, U, V, W differ only in p_1
    def step(x: np.ndarray, k: int, prev: np.ndarray, cur: np.ndarray) -> np.ndarray:
        return (x + x) * cur - prev  # type: ignore[no-any-return]

    return first, step


# name -> (p_1 as a function of x, the step from (p_(k-1), p_k) to p_(k+1))
_FAMILIES: dict[str, tuple[Any, Any]] = {
    "t": _chebyshev(lambda x: x),
    "u": _chebyshev(lambda x: x + x),
    "v": _chebyshev(lambda x: x + x - 1.0),
    "w": _chebyshev(lambda x: x + x + 1.0),
    "h": (lambda x: x + x, lambda x, k, prev, cur: (x + x) * cur - (2.0 * k) * prev),
    "he": (lambda x: x, lambda x, k, prev, cur: x * cur - k * prev),
    "l": (
        lambda x: 1.0 - x,
        lambda x, k, prev, cur: ((2.0 * k + 1.0 - x) * cur - k * prev) / (k + 1.0),
    ),
    "p": (lambda x: x, lambda x, k, prev, cur: ((2.0 * k + 1.0) * x * cur - k * prev) / (k + 1.0)),
}


def _evaluate(family: str, x: np.ndarray, n: np.ndarray) -> np.ndarray:
    first, step = _FAMILIES[family]
    x, n = np.broadcast_arrays(x, n)
    with np.errstate(invalid="ignore"):
        deg = np.trunc(n)
    deg = np.where(np.isfinite(deg), deg, -1.0)  # nan or infinite n: no polynomial, 0
    out = np.zeros(x.shape, x.dtype)
    out[deg == 0] = 1.0
    top = int(deg.max()) if deg.size else 0
    if top >= 1:
        prev = np.ones_like(x)
        with np.errstate(over="ignore", invalid="ignore"):
            cur = np.asarray(first(x), x.dtype)
            out = np.where(deg == 1, cur, out)
            for k in range(1, top):
                prev, cur = cur, np.asarray(step(x, k, prev, cur), x.dtype)
                out = np.where(deg == k + 1, cur, out)
    return out


def _polynomial(op: str, family: str, shifted: bool, input: Any, n: Any) -> Tensor:  # noqa: A002
    x, m = _float_operands(op, input, n)
    dtype = (x if isinstance(x, Tensor) else m).dtype
    xa = np.asarray(x._data if isinstance(x, Tensor) else x, dtype)
    na = np.asarray(m._data if isinstance(m, Tensor) else m, dtype)
    if shifted:  # T*_n(x) = T_n(2x - 1)
        xa = xa + xa - xa.dtype.type(1)
    try:
        out = _evaluate(family, xa, na)
    except ValueError:
        raise ValueError(
            f"{op}: the shapes {xa.shape} and {na.shape} cannot be broadcast together"
        ) from None
    return Tensor._make(np.asarray(out), False, None)


def chebyshev_polynomial_t(input: Any, n: Any) -> Tensor:  # noqa: A002
    """Chebyshev polynomial of the first kind ``T_n(input)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.chebyshev_polynomial_t(npgrad.tensor([0.5, 2.0]), 3)
    tensor([-1., 26.])
    """
    return _polynomial("chebyshev_polynomial_t", "t", False, input, n)


def chebyshev_polynomial_u(input: Any, n: Any) -> Tensor:  # noqa: A002
    """Chebyshev polynomial of the second kind ``U_n(input)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.chebyshev_polynomial_u(npgrad.tensor([0.5, 2.0]), 3)
    tensor([-1., 56.])
    """
    return _polynomial("chebyshev_polynomial_u", "u", False, input, n)


def chebyshev_polynomial_v(input: Any, n: Any) -> Tensor:  # noqa: A002
    """Chebyshev polynomial of the third kind ``V_n(input)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.chebyshev_polynomial_v(npgrad.tensor([0.5, 2.0]), 3)
    tensor([-1., 41.])
    """
    return _polynomial("chebyshev_polynomial_v", "v", False, input, n)


def chebyshev_polynomial_w(input: Any, n: Any) -> Tensor:  # noqa: A002
    """Chebyshev polynomial of the fourth kind ``W_n(input)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.chebyshev_polynomial_w(npgrad.tensor([0.5, 2.0]), 3)
    tensor([-1., 71.])
    """
    return _polynomial("chebyshev_polynomial_w", "w", False, input, n)


def shifted_chebyshev_polynomial_t(input: Any, n: Any) -> Tensor:  # noqa: A002
    """Shifted Chebyshev polynomial of the first kind ``T*_n(x) = T_n(2x - 1)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.shifted_chebyshev_polynomial_t(npgrad.tensor([0.25, 1.0]), 3)
    tensor([1., 1.])
    """
    return _polynomial("shifted_chebyshev_polynomial_t", "t", True, input, n)


def shifted_chebyshev_polynomial_u(input: Any, n: Any) -> Tensor:  # noqa: A002
    """Shifted Chebyshev polynomial of the second kind ``U*_n(x) = U_n(2x - 1)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.shifted_chebyshev_polynomial_u(npgrad.tensor([0.25, 1.0]), 3)
    tensor([1., 4.])
    """
    return _polynomial("shifted_chebyshev_polynomial_u", "u", True, input, n)


def shifted_chebyshev_polynomial_v(input: Any, n: Any) -> Tensor:  # noqa: A002
    """Shifted Chebyshev polynomial of the third kind ``V*_n(x) = V_n(2x - 1)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.shifted_chebyshev_polynomial_v(npgrad.tensor([0.25, 1.0]), 3)
    tensor([1., 1.])
    """
    return _polynomial("shifted_chebyshev_polynomial_v", "v", True, input, n)


def shifted_chebyshev_polynomial_w(input: Any, n: Any) -> Tensor:  # noqa: A002
    """Shifted Chebyshev polynomial of the fourth kind ``W*_n(x) = W_n(2x - 1)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.shifted_chebyshev_polynomial_w(npgrad.tensor([0.25, 1.0]), 3)
    tensor([1., 7.])
    """
    return _polynomial("shifted_chebyshev_polynomial_w", "w", True, input, n)


def hermite_polynomial_h(input: Any, n: Any) -> Tensor:  # noqa: A002
    """Physicists' Hermite polynomial ``H_n(input)`` (``H_(k+1) = 2x H_k - 2k H_(k-1)``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.hermite_polynomial_h(npgrad.tensor([0.5, 2.0]), 3)
    tensor([-5., 40.])
    """
    return _polynomial("hermite_polynomial_h", "h", False, input, n)


def hermite_polynomial_he(input: Any, n: Any) -> Tensor:  # noqa: A002
    """Probabilists' Hermite polynomial ``He_n(input)`` (``He_(k+1) = x He_k - k He_(k-1)``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.hermite_polynomial_he(npgrad.tensor([0.5, 2.0]), 3)
    tensor([-1.3750,  2.0000])
    """
    return _polynomial("hermite_polynomial_he", "he", False, input, n)


def laguerre_polynomial_l(input: Any, n: Any) -> Tensor:  # noqa: A002
    """Laguerre polynomial ``L_n(input)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.laguerre_polynomial_l(npgrad.tensor([0.5, 2.0]), 3)
    tensor([-0.1458, -0.3333])
    """
    return _polynomial("laguerre_polynomial_l", "l", False, input, n)


def legendre_polynomial_p(input: Any, n: Any) -> Tensor:  # noqa: A002
    """Legendre polynomial ``P_n(input)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.special.legendre_polynomial_p(npgrad.tensor([0.5, 2.0]), 3)
    tensor([-0.4375, 17.0000])
    """
    return _polynomial("legendre_polynomial_p", "p", False, input, n)
