"""torch.special's orthogonal polynomials (npgrad.ops._special_polynomials): closed forms,
n handling, dtypes, and torch parity."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.testing import assert_close

sp = npgrad.special
NAMES = [
    "chebyshev_polynomial_t",
    "chebyshev_polynomial_u",
    "chebyshev_polynomial_v",
    "chebyshev_polynomial_w",
    "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w",
    "hermite_polynomial_h",
    "hermite_polynomial_he",
    "laguerre_polynomial_l",
    "legendre_polynomial_p",
]


def _t(values, dtype=npgrad.float64):
    return npgrad.tensor(np.asarray(values, dtype=dtype))


def test_chebyshev_trigonometric_forms():
    theta = np.linspace(0.1, 3.0, 9)
    x = np.cos(theta)
    for n in (0, 1, 2, 5, 12):
        h = n + 0.5
        refs = {
            "t": np.cos(n * theta),
            "u": np.sin((n + 1) * theta) / np.sin(theta),
            "v": np.cos(h * theta) / np.cos(theta / 2),
            "w": np.sin(h * theta) / np.sin(theta / 2),
        }
        for kind, ref in refs.items():
            got = getattr(sp, f"chebyshev_polynomial_{kind}")(_t(x), n)
            assert_close(got, _t(ref), rtol=1e-12, atol=1e-12)
            # the shifted ones on [0, 1]: T*_n(x) = T_n(2x - 1)
            shifted = getattr(sp, f"shifted_chebyshev_polynomial_{kind}")(_t((x + 1) / 2), n)
            assert_close(shifted, _t(ref), rtol=1e-12, atol=1e-12)


def test_explicit_low_degrees():
    x = np.array([-2.0, -0.3, 0.0, 0.7, 3.0])
    cases = {
        "hermite_polynomial_h": 8 * x**3 - 12 * x,
        "hermite_polynomial_he": x**3 - 3 * x,
        "laguerre_polynomial_l": (-(x**3) + 9 * x**2 - 18 * x + 6) / 6,
        "legendre_polynomial_p": (5 * x**3 - 3 * x) / 2,
        "chebyshev_polynomial_t": 4 * x**3 - 3 * x,
    }
    for name, ref in cases.items():
        assert_close(getattr(sp, name)(_t(x), 3), _t(ref), rtol=1e-14, atol=1e-14)
    # Legendre P_n(1) = 1, P_n(-1) = (-1)^n; Hermite H_4(0) = 12
    assert sp.legendre_polynomial_p(_t([1.0, -1.0]), 7).tolist() == [1.0, -1.0]
    assert sp.hermite_polynomial_h(_t([0.0]), 4).tolist() == [12.0]


@pytest.mark.parametrize("name", NAMES)
def test_n_truncation_negative_n_broadcasting_and_dtypes(name):
    fn = getattr(sp, name)
    x = _t([[0.2], [0.9]])
    n = _t([-1.0, 0.0, 1.0, 2.7, 6.0])
    y = fn(x, n)
    assert y.shape == (2, 5) and y.dtype == npgrad.float64
    assert y.numpy()[:, 0].tolist() == [0.0, 0.0] and y.numpy()[:, 1].tolist() == [1.0, 1.0]
    assert_close(y[:, 3], fn(x[:, 0], 2))  # n = 2.7 is degree 2
    assert not y.requires_grad and y.grad_fn is None
    assert fn(npgrad.tensor([1, 2]), npgrad.tensor([2, 3])).dtype == npgrad.float32
    assert fn(npgrad.tensor([0.5]), 3).dtype == npgrad.float32
    assert fn(0.5, npgrad.tensor([3])).dtype == npgrad.float32
    assert fn(_t([np.nan]), 3).numpy()[0] != fn(_t([np.nan]), 3).numpy()[0]  # nan stays nan
    with pytest.raises(ValueError, match=name):
        fn(_t([0.1, 0.2]), _t([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match=name):
        fn([0.1], 2)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_matches_torch(name, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    # no nan: PyTorch returns unspecified values for a nan input in some families
    x = np.concatenate([rng.uniform(-1.3, 1.3, 20), [-1.0, 0.0, 1.0, 2.0]]).astype(dtype)
    n = np.arange(-1, 16).astype(dtype)[:, None]
    got = getattr(sp, name)(npgrad.tensor(x), npgrad.tensor(n))
    ref = getattr(torch.special, name)(torch.tensor(x), torch.tensor(n)).numpy()
    assert got.dtype == dtype
    tol = 1e-4 if dtype == np.float32 else 1e-12
    # per degree, relative to the polynomial's size on these points (values near its zeros
    # carry the recurrence's absolute rounding)
    scale = np.maximum(np.abs(ref).max(axis=1, keepdims=True), 1.0)
    assert (np.abs(got.numpy() - ref) <= tol * scale).all()
