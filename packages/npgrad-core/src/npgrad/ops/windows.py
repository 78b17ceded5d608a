"""Window functions (``hann_window`` & co., as ``torch.*_window``): new leaf tensors built from
sizes, computed in float64 and rounded once to the requested floating dtype.

A *periodic* window of length ``N`` is the symmetric window of length ``N + 1`` without its
last point (the form spectral analysis wants); ``N == 1`` gives ``[1.]`` and ``N == 0`` an
empty tensor, as in PyTorch. The formulas are the standard ones (Harris, "On the use of
windows for harmonic analysis with the discrete Fourier transform", Proc. IEEE 66(1), 1978;
Kaiser & Schafer, IEEE Trans. ASSP 28(1), 1980 for the Kaiser window).
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad._device import parse_device
from npgrad.tensor import Tensor

__all__ = [
    "bartlett_window",
    "blackman_window",
    "hamming_window",
    "hann_window",
    "kaiser_window",
]


def _window(
    op: str, n: Any, periodic: bool, dtype: Any, requires_grad: bool, fn: Any, device: Any
) -> Tensor:
    parse_device(op, device)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{op}: window_length must be an int, got {type(n).__name__}")
    n = operator.index(n)
    if n < 0:
        raise ValueError(f"{op}: requires non-negative window_length, got window_length={n}")
    d = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"{op}: expects a floating point dtype, got {d}")
    if n <= 1:
        arr = np.ones(n, dtype=d)
    else:
        m = n + 1 if periodic else n
        k = np.arange(m, dtype=np.float64)
        arr = fn(k, m - 1)[:n].astype(d)
    return Tensor._make(arr, requires_grad, None)


def _cosine_sum(*coeffs: float) -> Any:
    """``sum_j (-1)^j a_j cos(2 pi j k / M)``: the generalized cosine windows."""

    def fn(k: np.ndarray, m: int) -> np.ndarray:
        out = np.full(k.shape, coeffs[0])
        for j, a in enumerate(coeffs[1:], start=1):
            out += (-1) ** j * a * np.cos(2.0 * np.pi * j * k / m)
        return out

    return fn


def hann_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """The Hann window ``0.5 - 0.5 cos(2 pi k / (N - 1))``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.hann_window(4)
    tensor([0.0000, 0.5000, 1.0000, 0.5000])
    """
    fn = _cosine_sum(0.5, 0.5)
    return _window("hann_window", window_length, periodic, dtype, requires_grad, fn, device)


def hamming_window(
    window_length: int,
    periodic: bool = True,
    alpha: float = 0.54,
    beta: float = 0.46,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """The (generalized) Hamming window ``alpha - beta cos(2 pi k / (N - 1))``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.hamming_window(4, periodic=False, dtype=npgrad.float64)
    tensor([0.0800, 0.7700, 0.7700, 0.0800], dtype=npgrad.float64)
    """
    fn = _cosine_sum(float(alpha), float(beta))
    return _window("hamming_window", window_length, periodic, dtype, requires_grad, fn, device)


def blackman_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """The Blackman window ``0.42 - 0.5 cos(2 pi k / (N - 1)) + 0.08 cos(4 pi k / (N - 1))``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.blackman_window(5, periodic=False).clamp(min=0)  # the ends are 0 up to rounding
    tensor([0.0000, 0.3400, 1.0000, 0.3400, 0.0000])
    """
    fn = _cosine_sum(0.42, 0.5, 0.08)
    return _window("blackman_window", window_length, periodic, dtype, requires_grad, fn, device)


def bartlett_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """The Bartlett (triangular) window ``1 - |2k / (N - 1) - 1|``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.bartlett_window(4)
    tensor([0.0000, 0.5000, 1.0000, 0.5000])
    """

    def fn(k: np.ndarray, m: int) -> np.ndarray:
        return 1.0 - np.abs(2.0 * k / m - 1.0)  # type: ignore[no-any-return]

    return _window("bartlett_window", window_length, periodic, dtype, requires_grad, fn, device)


def kaiser_window(
    window_length: int,
    periodic: bool = True,
    beta: float = 12.0,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """The Kaiser window ``I0(beta sqrt(1 - (2k / (N - 1) - 1)^2)) / I0(beta)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.kaiser_window(3, periodic=False, beta=0.0)
    tensor([1., 1., 1.])
    """
    b = float(beta)

    def fn(k: np.ndarray, m: int) -> np.ndarray:
        r = 2.0 * k / m - 1.0
        return np.i0(b * np.sqrt(np.clip(1.0 - r * r, 0.0, None))) / np.i0(b)  # type: ignore[no-any-return]

    return _window("kaiser_window", window_length, periodic, dtype, requires_grad, fn, device)
