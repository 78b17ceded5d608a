"""The pure update functions: in place, float32 through, inputs other than state untouched."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from npgrad.optim import _functional as F


def arrays(dtype: str, shape: tuple[int, ...] = (3,)) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=shape).astype(dtype), rng.normal(size=shape).astype(dtype)


def zeros_like(p: np.ndarray) -> np.ndarray:
    return np.zeros_like(p)


CALLS: dict[str, Any] = {
    "sgd": lambda p, g: F.sgd(
        p,
        g,
        None,
        lr=0.1,
        momentum=0.9,
        dampening=0.1,
        weight_decay=0.1,
        nesterov=False,
        maximize=True,
        l1_penalty=0.01,
    ),
    "adam": lambda p, g: F.adam(
        p,
        g,
        zeros_like(p),
        zeros_like(p),
        zeros_like(p),
        step=1.0,
        lr=0.1,
        beta1=0.9,
        beta2=0.999,
        eps=1e-8,
        weight_decay=0.1,
        amsgrad=True,
        maximize=True,
        decoupled_weight_decay=False,
    ),
    "rmsprop": lambda p, g: F.rmsprop(
        p,
        g,
        zeros_like(p),
        zeros_like(p),
        zeros_like(p),
        lr=0.1,
        alpha=0.3,
        eps=1e-8,
        weight_decay=0.1,
        momentum=0.9,
        centered=True,
        maximize=True,
    ),
    "adagrad": lambda p, g: F.adagrad(
        p,
        g,
        zeros_like(p),
        step=1.0,
        lr=0.1,
        lr_decay=0.1,
        weight_decay=0.1,
        eps=1e-10,
        maximize=True,
    ),
    "adadelta": lambda p, g: F.adadelta(
        p,
        g,
        zeros_like(p),
        zeros_like(p),
        lr=1.0,
        rho=0.9,
        eps=1e-6,
        weight_decay=0.1,
        maximize=True,
    ),
    "adamax": lambda p, g: F.adamax(
        p,
        g,
        zeros_like(p),
        zeros_like(p),
        step=1.0,
        lr=0.1,
        beta1=0.9,
        beta2=0.999,
        eps=1e-8,
        weight_decay=0.1,
        maximize=True,
    ),
    "nadam": lambda p, g: F.nadam(
        p,
        g,
        zeros_like(p),
        zeros_like(p),
        np.array(1.0, dtype=np.float32),
        step=1.0,
        lr=0.1,
        beta1=0.9,
        beta2=0.999,
        eps=1e-8,
        weight_decay=0.1,
        momentum_decay=4e-3,
        decoupled_weight_decay=True,
        maximize=True,
    ),
    "radam": lambda p, g: F.radam(
        p,
        g,
        zeros_like(p),
        zeros_like(p),
        step=7.0,
        lr=0.1,
        beta1=0.9,
        beta2=0.999,
        eps=1e-8,
        weight_decay=0.1,
        decoupled_weight_decay=False,
        maximize=True,
    ),
}


@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(3,), (), (2, 2)])
def test_updates_in_place_in_the_parameters_dtype(name: str, dtype: str, shape: Any) -> None:
    p, g = arrays(dtype, shape)
    p0, g0 = p.copy(), g.copy()
    CALLS[name](p, g)
    assert isinstance(p, np.ndarray) and p.dtype == np.dtype(dtype) and p.shape == shape
    assert not np.array_equal(p, p0)
    np.testing.assert_array_equal(g, g0)  # the gradient is never written to


def test_sgd_returns_a_new_momentum_buffer_first_and_reuses_it_after() -> None:
    p, g = np.array([1.0, 2.0]), np.array([1.0, -1.0])
    buf = F.sgd(
        p,
        g,
        None,
        lr=0.1,
        momentum=0.5,
        dampening=0.0,
        weight_decay=0.0,
        nesterov=False,
        maximize=False,
    )
    assert buf is not None and buf is not g
    again = F.sgd(
        p,
        g,
        buf,
        lr=0.1,
        momentum=0.5,
        dampening=0.0,
        weight_decay=0.0,
        nesterov=False,
        maximize=False,
    )
    assert again is buf
    np.testing.assert_allclose(buf, [1.5, -1.5])
    no_momentum = F.sgd(
        p,
        g,
        None,
        lr=0.1,
        momentum=0.0,
        dampening=0.0,
        weight_decay=0.0,
        nesterov=False,
        maximize=False,
    )
    assert no_momentum is None


@pytest.mark.parametrize("weight", [0.0, 0.1, 0.5, 0.7, 1.0])
def test_lerp_is_exact_at_both_ends(weight: float) -> None:
    start = np.array([0.1, -3.3, 7.7], dtype=np.float32)
    end = np.array([2.9, 0.3, -1e-3], dtype=np.float32)
    out = start.copy()
    F._lerp_(out, end, weight)
    if weight == 0.0:
        np.testing.assert_array_equal(out, start)
    elif weight == 1.0:
        np.testing.assert_array_equal(out, end)
    else:
        np.testing.assert_allclose(out, start + weight * (end - start), rtol=1e-6)
    assert out.dtype == np.float32


def test_nadam_keeps_the_momentum_product_in_its_own_dtype() -> None:
    p, g = arrays("float64")
    product = np.array(1.0, dtype=np.float32)
    F.nadam(
        p, g, zeros_like(p), zeros_like(p), product, step=1.0, lr=0.1, beta1=0.9, beta2=0.999,
        eps=1e-8, weight_decay=0.0, momentum_decay=4e-3, decoupled_weight_decay=False,
        maximize=False,
    )  # fmt: skip
    assert product.dtype == np.float32
    assert product == np.float32(0.9 * (1 - 0.5 * 0.96**4e-3))
