"""Autograd API edge cases where npgrad once differed from PyTorch 2.13 (value parity)."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

import npgrad
from npgrad.autograd.functional import hvp, vhp
from npgrad.func import vmap

# -- grad-mode decorators -----------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: npgrad.no_grad(),
        lambda: npgrad.inference_mode(),
        lambda: npgrad.set_grad_enabled(False),
    ],
    ids=["no_grad", "inference_mode", "set_grad_enabled"],
)
def test_decorated_generator_runs_each_step_in_the_mode(make):
    @make()
    def gen():
        got = yield npgrad.is_grad_enabled()
        try:
            yield (got, npgrad.is_grad_enabled())
        except ValueError:
            yield ("thrown", npgrad.is_grad_enabled())
        return "done"

    assert npgrad.is_grad_enabled()
    g = gen()
    assert next(g) is False
    assert npgrad.is_grad_enabled()  # restored between steps
    assert g.send(3) == (3, False)
    assert g.throw(ValueError()) == ("thrown", False)
    with pytest.raises(StopIteration) as stop:
        next(g)
    assert stop.value.value == "done"
    assert npgrad.is_grad_enabled()


def test_enable_grad_generator_inside_no_grad():
    @npgrad.enable_grad()
    def gen():
        yield npgrad.is_grad_enabled()

    with npgrad.no_grad():
        assert list(gen()) == [True]
        assert not npgrad.is_grad_enabled()


def test_decorators_without_parentheses():
    @npgrad.no_grad
    def off():
        return npgrad.is_grad_enabled()

    @npgrad.enable_grad
    def on():
        return npgrad.is_grad_enabled()

    @npgrad.inference_mode
    def infer():
        return npgrad.is_grad_enabled(), npgrad.is_inference_mode_enabled()

    assert off() is False
    with npgrad.no_grad():
        assert on() is True
    assert infer() == (False, True)
    assert npgrad.is_grad_enabled() and not npgrad.is_inference_mode_enabled()
    # with parentheses they are still context managers
    assert isinstance(npgrad.no_grad(), npgrad.no_grad)
    assert isinstance(npgrad.inference_mode(False), npgrad.inference_mode)


def test_decorated_coroutine_still_a_coroutine_function():
    @npgrad.no_grad()
    async def f():
        return 1

    assert asyncio.run(f()) == 1


# -- autograd.functional: strict ------------------------------------------------------------


@pytest.mark.parametrize("op", [vhp, hvp])
def test_vhp_strict_refuses_a_linear_function(op):
    x, v = npgrad.tensor([1.0, 2.0]), npgrad.tensor([1.0, 1.0])
    with pytest.raises(RuntimeError, match="independent"):
        op(lambda t: (t * 2).sum(), x, v, strict=True)
    # not strict: zeros, as before
    out, hv = op(lambda t: (t * 2).sum(), x, v)
    assert out.item() == 6.0
    np.testing.assert_array_equal(hv.numpy(), [0.0, 0.0])


def test_vhp_strict_still_works_for_a_curved_function():
    _, hv = vhp(
        lambda t: (t**3).sum(), npgrad.tensor([1.0, 2.0]), npgrad.tensor([1.0, 1.0]), strict=True
    )
    np.testing.assert_array_equal(hv.numpy(), [6.0, 12.0])


# -- func.vmap ------------------------------------------------------------------------------


def test_vmap_over_a_size_zero_batch():
    out = vmap(lambda x: x * 2)(npgrad.zeros(0, 3, dtype=npgrad.float64))
    assert out.shape == (0, 3) and out.dtype == np.float64
    r = vmap(lambda x: x.sum())(npgrad.zeros(0, 3, requires_grad=True))
    assert r.shape == (0,) and r.requires_grad
    a, b = vmap(lambda x: (x * 2, x[0]), in_dims=1, out_dims=(1, 0))(npgrad.zeros(3, 0))
    assert a.shape == (3, 0) and b.shape == (0,)
    i = vmap(lambda x: x + 1)(npgrad.zeros(0, 3, dtype=npgrad.int32))
    assert i.shape == (0, 3) and i.dtype == np.int32


def test_vmap_out_dims_none_returns_the_unbatched_output():
    x = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    a, c = vmap(lambda t: (t * 2, npgrad.tensor(1.0)), out_dims=(0, None))(x)
    np.testing.assert_array_equal(a.numpy(), [[2.0, 4.0], [6.0, 8.0]])
    assert c.shape == () and c.item() == 1.0
    with pytest.raises(ValueError, match="out_dims=None"):
        vmap(lambda t: (t * 2, t.sum()), out_dims=(0, None))(x)


def test_func_grad_of_an_integer_input_is_a_runtime_error():
    with pytest.raises(RuntimeError, match="floating point"):
        npgrad.func.grad(lambda x: (x * 2).sum())(npgrad.tensor([1, 2]))


# -- PyTorch parity twins ---------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.filterwarnings(r"ignore:Using backward\(\) with create_graph=True")
@pytest.mark.parametrize("name", ["torch", "npgrad"])
def test_torch_parity_decorators_and_vmap(name):
    lib = pytest.importorskip(name)

    @lib.no_grad
    def gen():
        yield lib.is_grad_enabled()

    @lib.inference_mode
    def infer():
        return lib.is_grad_enabled()

    assert list(gen()) == [False] and infer() is False
    x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    g0 = x.grad
    (x**2).sum().backward()
    assert x.grad is g0 and g0.requires_grad
    z = lib.func.vmap(lambda x: x * 2)(lib.zeros(0, 3))
    assert tuple(z.shape) == (0, 3)
    one = lib.tensor(1.0)
    _, c = lib.func.vmap(lambda t: (t, one), out_dims=(0, None))(lib.ones(2, 2))
    assert c.item() == 1.0
    with pytest.raises(RuntimeError):
        lib.autograd.functional.vhp(lambda t: (t * 2).sum(), lib.ones(2), lib.ones(2), strict=True)
    with pytest.raises(RuntimeError):
        lib.func.grad(lambda x: (x * 2).sum())(lib.tensor([1, 2]))
    with pytest.raises(RuntimeError):
        lib.func.grad(lambda x: x**2)(lib.tensor([3.0]))


# -- .grad accumulation -------------------------------------------------------------------------


def test_first_order_backward_adds_in_place_into_a_grad_that_carries_a_graph():
    x = npgrad.tensor([1.0, 2.0], dtype=npgrad.float64, requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    g0 = x.grad
    v = g0._version
    (x**2).sum().backward()
    assert x.grad is g0 and g0.requires_grad and g0._version == v + 1
    np.testing.assert_array_equal(g0.detach().numpy(), [5.0, 16.0])


def test_func_grad_needs_a_0d_output():
    with pytest.raises(RuntimeError, match="scalar"):
        npgrad.func.grad(lambda x: x**2)(npgrad.tensor([3.0]))
    g = npgrad.func.grad(lambda x: (x**2).sum())(npgrad.tensor([3.0]))
    np.testing.assert_array_equal(g.numpy(), [6.0])
