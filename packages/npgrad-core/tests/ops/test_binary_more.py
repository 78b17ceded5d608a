"""``fmax``, ``fmin``, ``logaddexp2``, ``ldexp``, ``float_power``, ``heaviside``,
``nextafter``, ``frexp`` (``npgrad.ops.binary``) and ``isin``, ``isposinf``, ``isneginf``,
``isreal`` (``npgrad.ops.comparison``): forward against NumPy in float32 and float64,
gradients (first and second order), errors and PyTorch parity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck

FLOATS = [np.float32, np.float64]


def _arr(shape, dtype=np.float64, seed=0, low=-3.0, high=3.0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def _leaf(shape, seed=0, low=-2.0, high=2.0):
    return npgrad.tensor(_arr(shape, np.float64, seed, low, high), requires_grad=True)


def _close(actual, expected, dtype, tol=None):
    assert isinstance(actual, npgrad.Tensor)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape
    assert actual.dtype == np.dtype(dtype)
    if tol is None:
        tol = 1e-6 if np.dtype(dtype) == np.float32 else 1e-13
    np.testing.assert_allclose(actual.numpy(), expected, rtol=tol, atol=tol, equal_nan=True)


@pytest.mark.parametrize("dtype", FLOATS)
def test_forward_matches_numpy(dtype):
    a, b = _arr((3, 4), dtype, 0), _arr((4,), dtype, 1)
    a[0, 0], b[1], a[2, 1] = np.nan, np.nan, np.nan
    ta, tb = npgrad.tensor(a), npgrad.tensor(b)
    _close(npgrad.fmax(ta, tb), np.fmax(a, b), dtype)
    _close(npgrad.fmin(ta, tb), np.fmin(a, b), dtype)
    with np.errstate(invalid="ignore"):
        _close(npgrad.logaddexp2(ta, tb), np.logaddexp2(a, b), dtype)
    e = np.array([3, -2, 0, 10])
    _close(npgrad.ldexp(ta, npgrad.tensor(e)), np.ldexp(a, e), dtype)
    _close(npgrad.nextafter(ta, tb), np.nextafter(a, b), dtype, tol=0)
    m, ex = npgrad.frexp(ta)
    rm, rex = np.frexp(a)
    _close(m, rm, dtype)
    assert ex.dtype == np.int32
    np.testing.assert_array_equal(ex.numpy(), rex)
    pos = np.abs(a)
    _close(
        npgrad.float_power(npgrad.tensor(pos), tb), np.power(pos.astype(np.float64), b), np.float64
    )
    v = np.array([0.5], dtype)
    x = np.array([-1.5, 0.0, 2.0, np.nan], dtype)
    _close(npgrad.heaviside(npgrad.tensor(x), npgrad.tensor(v)), [0.0, 0.5, 1.0, 0.0], dtype)


def test_integer_operands():
    _close(npgrad.fmax(npgrad.tensor([1, 5]), npgrad.tensor([2.5, 1.0])), [2.5, 5.0], np.float32)
    assert npgrad.fmin(npgrad.tensor([1, 5]), 2).dtype == np.int64
    _close(npgrad.ldexp(npgrad.tensor([1, 2]), npgrad.tensor([3, 4])), [8.0, 32.0], np.float32)
    half = npgrad.tensor([1.0], dtype=npgrad.float16)
    assert npgrad.ldexp(half, npgrad.tensor([3])).dtype == np.float16
    _close(npgrad.logaddexp2(npgrad.tensor([1]), 1), [2.0], np.float32)
    _close(npgrad.float_power(npgrad.tensor([2]), 2), [4.0], np.float64)
    _close(npgrad.float_power(2, npgrad.tensor([0.5])), [np.sqrt(2.0)], np.float64)
    _close(npgrad.heaviside(npgrad.tensor([-1, 0, 3]), npgrad.tensor([7])), [0, 7, 1], np.int64)


def test_gradients():
    a, b = _leaf((3, 4), 0), _leaf((4,), 1)
    for fn in (npgrad.fmax, npgrad.fmin, npgrad.logaddexp2, npgrad.ldexp):
        assert gradcheck(fn, (a, b))
        assert gradgradcheck(fn, (a, b))
    pos = npgrad.tensor(_arr((3, 4), low=0.5, high=2.0), requires_grad=True)
    f32 = npgrad.tensor(_arr(4, np.float32, 2), requires_grad=True)
    assert gradgradcheck(npgrad.float_power, (pos, b))
    npgrad.float_power(pos.detach(), f32).sum().backward()
    assert f32.grad.dtype == np.float32  # the gradient comes back in the operand's dtype
    assert gradgradcheck(lambda t: npgrad.frexp(t * 3.0).mantissa, (a,))


BROADCASTING = {
    "fmax": np.fmax,
    "fmin": np.fmin,
    "logaddexp2": np.logaddexp2,
    "ldexp": lambda a, b: a * np.exp2(b),
}


@pytest.mark.parametrize("name", sorted(BROADCASTING))
@settings(max_examples=10, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_broadcasting_forward_and_gradients(name, shapes):
    sa, sb = shapes.input_shapes
    a, b = _leaf(sa, 0), _leaf(sb, 1)
    fn = getattr(npgrad, name)
    out = fn(a, b)
    assert out.shape == shapes.result_shape
    np.testing.assert_allclose(out.detach().numpy(), BROADCASTING[name](a.numpy(), b.numpy()))
    assert gradcheck(fn, (a, b))
    assert gradgradcheck(fn, (a, b))


def test_fmax_fmin_gradient_at_ties_and_nan_follows_pytorch():
    nan = float("nan")
    x = npgrad.tensor([1.0, 2.0, nan, 3.0], requires_grad=True)
    y = npgrad.tensor([1.0, 1.0, 1.0, nan], requires_grad=True)
    npgrad.fmax(x, y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0, 0.0, 1.0])
    np.testing.assert_array_equal(y.grad.numpy(), [0.0, 0.0, 1.0, 0.0])
    x.grad = y.grad = None
    npgrad.fmin(x, y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0, 0.0, 1.0])
    np.testing.assert_array_equal(y.grad.numpy(), [0.0, 1.0, 1.0, 0.0])


def test_non_differentiable_results():
    x = npgrad.tensor([1.0, -1.0], requires_grad=True)
    assert not npgrad.heaviside(x, npgrad.tensor([0.5])).requires_grad
    assert not npgrad.nextafter(x, npgrad.tensor([2.0, 2.0])).requires_grad
    m, e = npgrad.frexp(x)
    assert m.requires_grad and not e.requires_grad


def test_errors():
    f, i = npgrad.tensor([1.0]), npgrad.tensor([1])
    with pytest.raises(RuntimeError, match="heaviside: input and values must have the same dtype"):
        npgrad.heaviside(f, i)
    with pytest.raises(NotImplementedError, match="nextafter"):
        npgrad.nextafter(i, i)
    with pytest.raises(TypeError, match="frexp: only floating point"):
        npgrad.frexp(i)
    with pytest.raises(ValueError, match=r"fmax: the shapes \(2,\) and \(3,\)"):
        npgrad.fmax(npgrad.ones(2), npgrad.ones(3))
    with pytest.raises(ValueError, match="ldexp"):
        npgrad.ldexp(npgrad.ones(2), npgrad.ones(3))
    with pytest.raises(TypeError, match="float_power: at least one"):
        npgrad.float_power(2, 3)
    with pytest.raises(RuntimeError, match="float_power_: the tensor has dtype float32"):
        npgrad.ones(2).float_power_(2)


def test_methods_and_inplace():
    x = npgrad.tensor([1.0, 4.0, -2.0])
    y = npgrad.tensor([2.0, 3.0, -2.0])
    for name in ("fmax", "fmin", "logaddexp2", "ldexp", "nextafter", "heaviside", "float_power"):
        ref = getattr(npgrad, name)(x, y)
        assert npgrad.equal(getattr(x, name)(y), ref)
    for name in ("ldexp", "nextafter", "heaviside"):
        z = x.clone()
        assert getattr(z, name + "_")(y) is z
        assert npgrad.equal(z, getattr(npgrad, name)(x, y))
    d = x.double()
    d.float_power_(2)
    assert npgrad.equal(d, npgrad.float_power(x, 2))
    assert npgrad.equal(x.frexp().exponent, npgrad.frexp(x).exponent)
    assert repr(npgrad.frexp(x)).startswith("npgrad.return_types.frexp(\nmantissa=tensor(")


# ---- isin and the float predicates ----------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_predicates(dtype):
    a = np.array([1.0, np.inf, -np.inf, np.nan, 0.0], dtype)
    t = npgrad.tensor(a)
    np.testing.assert_array_equal(npgrad.isposinf(t).numpy(), np.isposinf(a))
    np.testing.assert_array_equal(npgrad.isneginf(t).numpy(), np.isneginf(a))
    np.testing.assert_array_equal(t.isreal().numpy(), np.ones(5, bool))
    np.testing.assert_array_equal(npgrad.isposinf(npgrad.tensor([1, 2])).numpy(), [False, False])
    assert t.isposinf().dtype == np.bool_ and t.isneginf().shape == (5,)


def test_isin():
    a = np.array([[1, 2, 3], [4, 5, 6]])
    t = npgrad.tensor(a)
    np.testing.assert_array_equal(
        npgrad.isin(t, npgrad.tensor([2, 6, 9])).numpy(), np.isin(a, [2, 6, 9])
    )
    np.testing.assert_array_equal(npgrad.isin(t, 5, invert=True).numpy(), ~(a == 5))
    assert npgrad.isin(3, t).item() is True
    out = npgrad.isin(npgrad.tensor([1.0, float("nan")]), npgrad.tensor([float("nan"), 1.0]))
    np.testing.assert_array_equal(out.numpy(), [True, False])
    # promotion: an int tensor against floats compares as floats
    np.testing.assert_array_equal(
        npgrad.isin(npgrad.tensor([1, 2]), npgrad.tensor([2.0, 3.5])).numpy(), [False, True]
    )
    u = npgrad.tensor([1, 2, 3])
    assert npgrad.equal(npgrad.isin(u, u, assume_unique=True), npgrad.ones(3, dtype=npgrad.bool))
    with pytest.raises(TypeError, match="isin"):
        npgrad.isin([1, 2], [1])


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matches_torch(dtype):
    torch = pytest.importorskip("torch")
    a, b = _arr((3, 4), dtype, 0), _arr((4,), dtype, 1)
    a[0, 0], b[1], a[2, 1] = np.nan, np.nan, b[1]
    tol = 1e-6 if dtype == "float32" else 1e-13
    for name in ("fmax", "fmin", "logaddexp2", "ldexp", "float_power"):
        x, y = (np.abs(a), b) if name == "float_power" else (a, b)
        if name != "fmax" and name != "fmin":
            x, y = np.nan_to_num(x, nan=1.0), np.nan_to_num(y, nan=1.0)
        ours = [npgrad.tensor(v, requires_grad=True) for v in (x, y)]
        theirs = [torch.tensor(v, requires_grad=True) for v in (x, y)]
        o, r = getattr(npgrad, name)(*ours), getattr(torch, name)(*theirs)
        assert str(o.dtype) == str(r.dtype).split(".")[1]
        np.testing.assert_allclose(
            o.detach().numpy(), r.detach().numpy(), rtol=tol, atol=tol, equal_nan=True
        )
        (o * 1.5).sum().backward()
        (r * 1.5).sum().backward()
        for u, v in zip(ours, theirs):
            np.testing.assert_allclose(
                u.grad.numpy(), v.grad.numpy(), rtol=tol * 10, atol=tol * 10, err_msg=name
            )
    for name in ("nextafter",):
        np.testing.assert_array_equal(
            getattr(npgrad, name)(npgrad.tensor(a), npgrad.tensor(b)).numpy(),
            getattr(torch, name)(torch.tensor(a), torch.tensor(b)).numpy(),
        )
    x = np.array([-1.0, 0.0, 2.0, np.nan, 0.0], dtype)
    np.testing.assert_array_equal(
        npgrad.heaviside(npgrad.tensor(x), npgrad.tensor(np.array([0.25], dtype))).numpy(),
        torch.heaviside(torch.tensor(x), torch.tensor(np.array([0.25], dtype))).numpy(),
    )
    f = np.array([8.0, 0.0, -3.0, np.inf, 1e-30, 0.7], dtype)
    ours, ref = npgrad.frexp(npgrad.tensor(f)), torch.frexp(torch.tensor(f))
    np.testing.assert_array_equal(ours.mantissa.numpy(), ref.mantissa.numpy())
    np.testing.assert_array_equal(ours.exponent.numpy(), ref.exponent.numpy())
    tf = torch.tensor(f[[0, 2, 4, 5]], requires_grad=True)
    of = npgrad.tensor(f[[0, 2, 4, 5]], requires_grad=True)
    torch.frexp(tf).mantissa.sum().backward()
    npgrad.frexp(of).mantissa.sum().backward()
    np.testing.assert_allclose(of.grad.numpy(), tf.grad.numpy(), rtol=tol)
    el, te = np.array([[1, 2], [3, 4]]), np.array([2, 3, 7])
    for inv in (False, True):
        np.testing.assert_array_equal(
            npgrad.isin(npgrad.tensor(el), npgrad.tensor(te), invert=inv).numpy(),
            torch.isin(torch.tensor(el), torch.tensor(te), invert=inv).numpy(),
        )
    p = np.array([1.0, np.inf, -np.inf, np.nan], dtype)
    for name in ("isposinf", "isneginf", "isreal"):
        np.testing.assert_array_equal(
            getattr(npgrad, name)(npgrad.tensor(p)).numpy(),
            getattr(torch, name)(torch.tensor(p)).numpy(),
        )
