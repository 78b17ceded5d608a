"""PyTorch's other names for npgrad ops (``multiply``, ``greater``...), their in-place
forms, ``rsub``, the in-place comparisons and logic ops, and the predicates ``ndimension``,
``is_signed``, ``is_complex``, ``is_same_size``."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck

ALIASES = {
    "multiply": "mul",
    "divide": "div",
    "true_divide": "div",
    "subtract": "sub",
    "greater": "gt",
    "greater_equal": "ge",
    "less": "lt",
    "less_equal": "le",
    "not_equal": "ne",
}


def _pair(dtype=np.float64):
    rng = np.random.default_rng(0)
    a = rng.integers(-3, 4, (3, 4)).astype(dtype)
    b = rng.integers(1, 4, (4,)).astype(dtype)
    return npgrad.tensor(a), npgrad.tensor(b)


@pytest.mark.parametrize("alias", sorted(ALIASES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_function_and_method_aliases(alias, dtype):
    a, b = _pair(dtype)
    ref = getattr(npgrad, ALIASES[alias])(a, b)
    for out in (getattr(npgrad, alias)(a, b), getattr(a, alias)(b)):
        assert out.dtype == ref.dtype and out.shape == ref.shape
        np.testing.assert_array_equal(out.numpy(), ref.numpy())


@pytest.mark.parametrize(
    "alias", ["multiply_", "divide_", "true_divide_", "subtract_", "greater_", "less_equal_"]
)
def test_inplace_aliases(alias):
    a, b = _pair()
    ref = getattr(npgrad, ALIASES[alias[:-1]])(a, b).to(a.dtype)
    c = a.clone()
    assert getattr(c, alias)(b) is c
    np.testing.assert_array_equal(c.numpy(), ref.numpy())


def test_rsub():
    a, b = _pair()
    np.testing.assert_array_equal(npgrad.rsub(a, b).numpy(), (b - a).numpy())
    np.testing.assert_array_equal(npgrad.rsub(a, 2.0, alpha=3).numpy(), (2.0 - 3 * a).numpy())
    x = npgrad.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = npgrad.tensor(np.array([0.5, -1.0]), requires_grad=True)
    assert gradcheck(lambda u, v: npgrad.rsub(u, v, alpha=2.0), (x, y))
    with pytest.raises(TypeError, match="sub"):
        npgrad.rsub(npgrad.tensor([True]), npgrad.tensor([False]))


@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_inplace_comparisons(name):
    a, b = _pair()
    c = a.clone()
    assert getattr(c, name + "_")(b) is c
    assert c.dtype == a.dtype
    np.testing.assert_array_equal(c.numpy(), getattr(npgrad, name)(a, b).numpy().astype(np.float64))


def test_inplace_logic():
    m = npgrad.tensor([True, False, True])
    n = npgrad.tensor([True, True, False])
    for name, ref in (
        ("logical_and_", [True, False, False]),
        ("logical_or_", [True, True, True]),
        ("logical_xor_", [False, True, True]),
    ):
        c = m.clone()
        getattr(c, name)(n)
        np.testing.assert_array_equal(c.numpy(), ref)
    c = npgrad.tensor([0.0, 2.0])
    c.logical_not_()
    np.testing.assert_array_equal(c.numpy(), [1.0, 0.0])


def test_predicates():
    x = npgrad.zeros(2, 3)
    assert x.ndimension() == 2 and npgrad.tensor(1.0).ndimension() == 0
    assert not x.is_complex() and not npgrad.is_complex(x)
    assert x.is_signed() and npgrad.tensor([1]).is_signed()
    assert not npgrad.tensor([1], dtype=npgrad.uint8).is_signed()
    assert not npgrad.is_signed(npgrad.tensor([True]))
    assert x.is_same_size(npgrad.ones(2, 3)) and not npgrad.is_same_size(x, npgrad.ones(3, 2))
    assert npgrad.is_nonzero(npgrad.tensor([2.0]))
    with pytest.raises(TypeError, match="is_same_size"):
        npgrad.is_same_size(x, [1, 2])
    with pytest.raises(TypeError, match="is_signed"):
        npgrad.is_signed(3)


def test_aliases_are_exported():
    for name in [*ALIASES, "rsub", "is_complex", "is_signed", "is_same_size", "isin"]:
        assert name in npgrad.__all__, name


@pytest.mark.torch
def test_matches_torch():
    torch = pytest.importorskip("torch")
    a, b = _pair()
    ta, tb = torch.tensor(a.numpy()), torch.tensor(b.numpy())
    for alias in ALIASES:
        np.testing.assert_array_equal(
            getattr(npgrad, alias)(a, b).numpy(), getattr(torch, alias)(ta, tb).numpy()
        )
        np.testing.assert_array_equal(getattr(a, alias)(b).numpy(), getattr(ta, alias)(tb).numpy())
    np.testing.assert_array_equal(
        npgrad.rsub(a, b, alpha=2).numpy(), torch.rsub(ta, tb, alpha=2).numpy()
    )
    for name in ("eq_", "ge_", "multiply_", "subtract_", "divide_"):
        c, tc = a.clone(), ta.clone()
        getattr(c, name)(b)
        getattr(tc, name)(tb)
        np.testing.assert_array_equal(c.numpy(), tc.numpy())
    for dt in ("uint8", "int8", "float16", "bool"):
        assert (
            npgrad.zeros(1, dtype=getattr(npgrad, dt)).is_signed()
            == torch.zeros(1, dtype=getattr(torch, dt)).is_signed()
        )
    assert npgrad.is_same_size(a, b) == torch.is_same_size(ta, tb)
