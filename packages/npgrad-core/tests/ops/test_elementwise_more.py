"""PyTorch's other elementwise math (npgrad.ops.special's elementary part): acosh, asinh,
atanh, exp2, sinc, logit, xlogy, xlog1py, entr, nan_to_num, signbit, sgn, positive,
negative, fix; and the in-place Tensor methods of the existing elementwise ops."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

INF, NAN = math.inf, math.nan


def _t(values, dtype=npgrad.float64, requires_grad=False):
    return npgrad.tensor(np.asarray(values, dtype=dtype), requires_grad=requires_grad)


def _xlogy_np(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((x == 0) & ~np.isnan(y), 0.0, x * np.log(y)).astype(np.result_type(x, y))


def _entr_np(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(x > 0, -x * np.log(x), np.where(x == 0, 0.0, -np.inf))
    return out.astype(x.dtype)


# name -> (npgrad function, NumPy reference, low, high)
UNARY = {
    "acosh": (npgrad.acosh, np.arccosh, 1.1, 4.0),
    "asinh": (npgrad.asinh, np.arcsinh, -4.0, 4.0),
    "atanh": (npgrad.atanh, np.arctanh, -0.9, 0.9),
    "exp2": (npgrad.exp2, np.exp2, -3.0, 3.0),
    "sinc": (npgrad.sinc, np.sinc, -2.3, 2.3),
    "logit": (npgrad.logit, lambda a: np.log(a / (1 - a)), 0.05, 0.95),
    "entr": (npgrad.special.entr, _entr_np, 0.05, 3.0),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_forward_matches_numpy(name, dtype):
    fn, ref, lo, hi = UNARY[name]
    a = np.random.default_rng(0).uniform(lo, hi, (3, 5)).astype(dtype)
    y = fn(npgrad.tensor(a))
    assert y.dtype == dtype and y.shape == (3, 5)
    assert_close(y, npgrad.tensor(ref(a).astype(dtype)))


@pytest.mark.parametrize("name", sorted(UNARY))
def test_gradcheck_and_gradgradcheck(name):
    fn, _, lo, hi = UNARY[name]
    x = _t(np.random.default_rng(1).uniform(lo, hi, (2, 3)), requires_grad=True)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("name", sorted(UNARY))
def test_integer_input_gives_the_default_float_dtype(name):
    fn = UNARY[name][0]
    assert fn(npgrad.tensor([1, 2])).dtype == npgrad.float32
    assert fn(npgrad.tensor(1.5 if name != "logit" else 0.5)).shape == ()


def test_special_points_and_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = npgrad.acosh(_t([1.0, 0.5, INF])).numpy()
        assert got[0] == 0.0 and np.isnan(got[1]) and got[2] == INF
        np.testing.assert_array_equal(npgrad.atanh(_t([1.0, -1.0])).numpy(), [INF, -INF])
        assert np.isnan(npgrad.atanh(_t([1.5])).numpy()).all()
        assert npgrad.exp2(_t([2000.0, -2000.0])).tolist() == [INF, 0.0]
        assert npgrad.sinc(_t([0.0])).tolist() == [1.0]
        assert npgrad.sinc(npgrad.tensor([0.0, 0.5], dtype=npgrad.float16)).tolist() == [
            1.0,
            0.63671875,
        ]
        np.testing.assert_array_equal(npgrad.logit(_t([0.0, 1.0])).numpy(), [-INF, INF])
        assert np.isnan(npgrad.logit(_t([-0.5, 1.5])).numpy()).all()
        np.testing.assert_array_equal(npgrad.special.entr(_t([0.0, -1.0])).numpy(), [0.0, -INF])


def test_gradients_at_singular_points_follow_pytorch():
    x = _t([0.0, 1.0], requires_grad=True)
    (g,) = npgrad.autograd.grad(npgrad.sinc(x).sum(), x)
    assert g.tolist()[0] == 0.0 and g.tolist()[1] == pytest.approx(-1.0)
    x = _t([1.0], requires_grad=True)
    (g,) = npgrad.autograd.grad(npgrad.acosh(x).sum(), x)
    assert g.tolist() == [INF]
    x = _t([0.0], requires_grad=True)
    (g,) = npgrad.autograd.grad(npgrad.special.entr(x).sum(), x)
    assert g.tolist() == [INF]


def test_logit_eps_clamps_and_zeroes_the_gradient_outside():
    x = _t([0.0, 0.05, 0.5, 0.97, 1.0], requires_grad=True)
    y = npgrad.logit(x, eps=0.1)
    ref = np.log(
        np.clip(x.detach().numpy(), 0.1, 0.9) / (1 - np.clip(x.detach().numpy(), 0.1, 0.9))
    )
    assert_close(y, _t(ref))
    (g,) = npgrad.autograd.grad(y.sum(), x, create_graph=True)
    assert g.tolist() == [0.0, 0.0, 4.0, 0.0, 0.0]
    (gg,) = npgrad.autograd.grad(g.sum(), x)
    assert gg.tolist() == [0.0, 0.0, 0.0, 0.0, 0.0]  # 1/(x(1-x)) is flat at 1/2
    inner = _t([0.2, 0.7], requires_grad=True)
    assert gradgradcheck(lambda t: npgrad.logit(t, eps=0.1), (inner,))
    with pytest.raises(TypeError, match="logit"):
        npgrad.logit(x, eps="0.1")


# ---- xlogy / xlog1py --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_xlogy_forward_with_broadcasting(dtype):
    x = np.array([[0.0], [1.5], [-2.0]], dtype)
    y = np.array([0.0, 0.5, 3.0, NAN, -1.0], dtype)
    got = npgrad.xlogy(npgrad.tensor(x), npgrad.tensor(y))
    assert got.dtype == dtype and got.shape == (3, 5)
    assert_close(got, npgrad.tensor(_xlogy_np(x, y)), equal_nan=True)
    # x == 0 gives 0 even at y = 0 or y < 0, but nan at y = nan
    assert got.numpy()[0].tolist()[:3] == [0.0, 0.0, 0.0] and np.isnan(got.numpy()[0, 3])
    with np.errstate(divide="ignore", invalid="ignore"):
        ref1p = np.where((x == 0) & ~np.isnan(y), 0.0, x * np.log1p(y)).astype(dtype)
    assert_close(
        npgrad.special.xlog1py(npgrad.tensor(x), npgrad.tensor(y)),
        npgrad.tensor(ref1p),
        equal_nan=True,
    )


@settings(max_examples=20, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_binary_special_ops_broadcast_and_reduce_gradients(shapes):
    sa, sb = shapes.input_shapes
    rng = np.random.default_rng(0)
    a = rng.uniform(-1.0, 2.0, sa)
    b = rng.uniform(0.2, 3.0, sb)
    x, y = _t(a, requires_grad=True), _t(b, requires_grad=True)
    out = npgrad.xlogy(x, y)
    assert out.shape == shapes.result_shape
    assert_close(out, _t(np.broadcast_to(_xlogy_np(a, b), shapes.result_shape)))
    out.sum().backward()
    assert x.grad.shape == sa and y.grad.shape == sb
    ref_gy = np.broadcast_to(a / b, shapes.result_shape).sum(
        axis=tuple(range(len(shapes.result_shape) - len(sb)))
    )
    assert_close(
        y.grad,
        _t(
            ref_gy.sum(axis=tuple(i for i, n in enumerate(sb) if n == 1), keepdims=True).reshape(sb)
        ),
    )
    z = npgrad.special.zeta(y + 1.0, x.detach() + 2.0)
    g = npgrad.special.gammainc(y.detach(), x.detach().abs())
    assert z.shape == g.shape == shapes.result_shape


def test_xlogy_scalars_and_dtypes():
    assert_close(npgrad.xlogy(2, _t([3.0])), _t([2 * math.log(3)]))
    assert_close(npgrad.xlogy(_t([3.0]), 2.0), _t([3 * math.log(2)]))
    assert npgrad.xlogy(npgrad.tensor([2]), npgrad.tensor([3])).dtype == npgrad.float32
    assert npgrad.xlogy(npgrad.tensor([2.0]), 3).dtype == npgrad.float32
    assert npgrad.xlogy(_t([2.0]), npgrad.tensor([3], dtype=npgrad.float32)).dtype == npgrad.float64
    with pytest.raises(ValueError, match="xlogy"):
        npgrad.xlogy(_t([1.0, 2.0]), _t([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="xlogy"):
        npgrad.xlogy([1.0], [2.0])


@pytest.mark.parametrize("fn", [npgrad.xlogy, npgrad.special.xlog1py])
def test_xlogy_gradients(fn):
    x = _t([[0.5, -1.2, 2.0]], requires_grad=True)
    y = _t([[0.3], [1.7]], requires_grad=True)
    assert gradcheck(fn, (x, y))
    assert gradgradcheck(fn, (x, y))
    x0 = _t([0.0, 0.0, 0.0, 1.0], requires_grad=True)
    y0 = _t([0.0, -1.0, 3.0, 2.0], requires_grad=True)
    gx, gy = npgrad.autograd.grad(npgrad.xlogy(x0, y0).sum(), (x0, y0))
    # d/dx = log y, but 0 where x == 0 and y <= 0 (PyTorch's formula); d/dy = x / y
    assert gx.tolist() == pytest.approx([0.0, 0.0, math.log(3), math.log(2)], rel=1e-15)
    assert gy.tolist()[2:] == [0.0, 0.5]


# ---- nan_to_num, signbit, sgn, positive, negative, fix ----------------------------------------------
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_nan_to_num_matches_numpy(dtype):
    a = np.array([NAN, INF, -INF, 1.5, -0.0], dtype)
    for kwargs in ({}, {"nan": 2.0, "posinf": 9.0, "neginf": -9.0}, {"posinf": 1e300}):
        with np.errstate(over="ignore"):
            ref = np.nan_to_num(a, **kwargs)
        got = npgrad.nan_to_num(npgrad.tensor(a), **kwargs)
        assert got.dtype == dtype
        np.testing.assert_array_equal(got.numpy(), ref)


def test_nan_to_num_gradient_passes_where_finite():
    x = _t([NAN, 1.0, INF, -2.0], requires_grad=True)
    y = npgrad.nan_to_num(x, nan=0.5)
    (g,) = npgrad.autograd.grad((y * y).sum(), x, create_graph=True)
    assert g.tolist() == [0.0, 2.0, 0.0, -4.0]
    (gg,) = npgrad.autograd.grad(g.sum(), x)
    assert gg.tolist() == [0.0, 2.0, 0.0, 2.0]
    finite = _t([0.3, -1.0], requires_grad=True)
    assert gradcheck(npgrad.nan_to_num, (finite,)) and gradgradcheck(npgrad.nan_to_num, (finite,))
    ints = npgrad.tensor([1, 2])
    out = npgrad.nan_to_num(ints)
    assert out.tolist() == [1, 2] and out.dtype == npgrad.int64 and out is not ints
    with pytest.raises(TypeError, match="nan_to_num"):
        npgrad.nan_to_num(x, nan="0")


def test_signbit_sgn_positive_negative_fix():
    x = _t([-1.5, -0.0, 0.0, 2.5, -NAN])
    assert npgrad.signbit(x).tolist() == [True, True, False, False, True]
    assert npgrad.signbit(x).dtype == npgrad.bool
    assert npgrad.signbit(npgrad.tensor([-3, 0, 4])).tolist() == [True, False, False]
    assert npgrad.signbit(npgrad.tensor([True])).tolist() == [False]
    assert npgrad.signbit(npgrad.tensor([200], dtype=npgrad.uint8)).tolist() == [False]
    assert npgrad.sgn(npgrad.tensor([-3, 0, 4])).tolist() == [-1, 0, 1]
    assert npgrad.sgn(x[:4]).tolist() == [-1.0, 0.0, 0.0, 1.0]
    assert npgrad.positive(x) is x
    with pytest.raises(TypeError, match="positive"):
        npgrad.positive(npgrad.tensor([True]))
    assert npgrad.negative(_t([1.0, -2.0])).tolist() == [-1.0, 2.0]
    assert npgrad.fix(_t([-1.7, 1.7])).tolist() == [-1.0, 1.0]
    assert npgrad.fix(npgrad.tensor([3])).dtype == npgrad.int64
    w = _t([1.5, -0.5], requires_grad=True)
    (g,) = npgrad.autograd.grad((npgrad.negative(w) + npgrad.fix(w) + npgrad.sgn(w)).sum(), w)
    assert g.tolist() == [-1.0, -1.0]


# ---- Tensor methods and in-place variants -------------------------------------------------------
METHODS = [
    ("acosh", npgrad.acosh, 1.5),
    ("arccosh", npgrad.acosh, 1.5),
    ("asinh", npgrad.asinh, 0.3),
    ("arcsinh", npgrad.asinh, 0.3),
    ("atanh", npgrad.atanh, 0.3),
    ("arctanh", npgrad.atanh, 0.3),
    ("exp2", npgrad.exp2, 0.3),
    ("sinc", npgrad.sinc, 0.3),
    ("logit", npgrad.logit, 0.3),
    ("fix", npgrad.fix, 1.3),
    ("sgn", npgrad.sgn, -0.3),
    ("nan_to_num", npgrad.nan_to_num, 0.3),
    ("expm1", npgrad.expm1, 0.3),
    ("log2", npgrad.log2, 0.3),
    ("log10", npgrad.log10, 0.3),
    ("log1p", npgrad.log1p, 0.3),
    ("square", npgrad.square, 0.3),
    ("asin", npgrad.asin, 0.3),
    ("arcsin", npgrad.asin, 0.3),
    ("acos", npgrad.acos, 0.3),
    ("arccos", npgrad.acos, 0.3),
    ("atan", npgrad.atan, 0.3),
    ("arctan", npgrad.atan, 0.3),
    ("sinh", npgrad.sinh, 0.3),
    ("cosh", npgrad.cosh, 0.3),
    ("absolute", npgrad.abs, -0.3),
    ("negative", npgrad.neg, 0.3),
    ("deg2rad", npgrad.deg2rad, 30.0),
    ("rad2deg", npgrad.rad2deg, 0.3),
    ("erf", npgrad.erf, 0.3),
]


@pytest.mark.parametrize(("method", "fn", "value"), METHODS)
def test_methods_and_in_place_variants(method, fn, value):
    base = _t([value, value * 1.5])
    assert_close(getattr(base, method)(), fn(base))
    y = base.clone()
    v = y._version
    assert getattr(y, method + "_")() is y
    assert y._version > v
    assert_close(y, fn(base))
    # in place on a non-leaf: the gradient is that of the op
    w = _t([value, value * 1.5], requires_grad=True)
    z = w * 1.0
    getattr(z, method + "_")()
    z.sum().backward()
    ref = _t([value, value * 1.5], requires_grad=True)
    fn(ref).sum().backward()
    assert_close(w.grad, ref.grad)


def test_in_place_binary_and_argument_methods():
    x = _t([0.5, 2.0])
    y = x.clone()
    y.atan2_(_t([1.0, -1.0]))
    assert_close(y, npgrad.atan2(x, _t([1.0, -1.0])))
    y = x.clone()
    y.arctan2_(_t([1.0, -1.0]))
    assert_close(y, npgrad.atan2(x, _t([1.0, -1.0])))
    y = x.clone()
    y.xlogy_(3.0)
    assert_close(y, npgrad.xlogy(x, 3.0))
    assert_close(x.xlogy(3.0), npgrad.xlogy(x, 3.0))
    y = _t([0.0, 1.0])
    y.logit_(eps=0.25)
    assert_close(y, npgrad.logit(_t([0.0, 1.0]), eps=0.25))
    y = _t([NAN, 1.0])
    y.nan_to_num_(nan=3.0)
    assert y.tolist() == [3.0, 1.0]
    assert x.positive() is x and x.signbit().tolist() == [False, False]
    with pytest.raises(RuntimeError, match="exp2_"):
        npgrad.tensor([1, 2]).exp2_()  # float result into an integer tensor
    leaf = _t([0.5], requires_grad=True)
    with pytest.raises(RuntimeError):
        leaf.acosh_()


# ---- PyTorch parity ----------------------------------------------------------------------------
TORCH_UNARY = {
    "acosh": ("acosh", [1.0, 1.2, 3.0, 50.0]),
    "asinh": ("asinh", [-30.0, -0.2, 0.0, 1.5]),
    "atanh": ("atanh", [-0.99, -0.2, 0.0, 0.6]),
    "exp2": ("exp2", [-10.0, -0.5, 0.0, 3.3]),
    "sinc": ("sinc", [-2.5, -0.4, 0.0, 0.3, 1.0]),
    "logit": ("logit", [0.01, 0.3, 0.5, 0.99]),
    "entr": ("special.entr", [0.0, 0.1, 1.0, 4.0]),
    "sgn": ("sgn", [-2.0, 0.0, 3.0]),
    "fix": ("fix", [-2.5, 0.4, 3.7]),
    "nan_to_num": ("nan_to_num", [NAN, INF, -INF, 2.0]),
}


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(TORCH_UNARY))
def test_unary_matches_torch(name, dtype):
    torch = pytest.importorskip("torch")
    key, values = TORCH_UNARY[name]
    ours = getattr(npgrad.special, name, None) if name == "entr" else getattr(npgrad, name)
    mod, _, attr = key.rpartition(".")
    theirs = getattr(getattr(torch, mod) if mod else torch, attr)
    a = np.array(values, dtype)
    g = np.linspace(0.5, 1.5, a.size).astype(dtype)
    x = npgrad.tensor(a, requires_grad=True)
    y = ours(x)
    y.backward(npgrad.tensor(g))
    tx = torch.tensor(a, requires_grad=True)
    ty = theirs(tx)
    ty.backward(torch.tensor(g))
    tol = {"rtol": 1e-6, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-14, "atol": 1e-14}
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), **tol)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(force=True), **tol)


@pytest.mark.torch
@pytest.mark.parametrize("name", ["xlogy", "xlog1py"])
def test_xlogy_matches_torch(name):
    torch = pytest.importorskip("torch")
    ours = npgrad.xlogy if name == "xlogy" else npgrad.special.xlog1py
    theirs = torch.xlogy if name == "xlogy" else torch.special.xlog1py
    a = np.array([[0.0], [0.5], [-2.0]])
    b = np.array([0.0, 0.3, 2.5, -0.5])
    x, y = npgrad.tensor(a, requires_grad=True), npgrad.tensor(b, requires_grad=True)
    out = ours(x, y)
    out.sum().backward()
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    tout = theirs(tx, ty)
    tout.sum().backward()
    np.testing.assert_allclose(
        out.detach().numpy(), tout.detach().numpy(), rtol=1e-14, equal_nan=True
    )
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-14, equal_nan=True)
    np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy(), rtol=1e-14, equal_nan=True)
    assert ours(2, npgrad.tensor([3])).dtype == theirs(2, torch.tensor([3])).numpy().dtype


@pytest.mark.torch
def test_logit_eps_and_signbit_match_torch():
    torch = pytest.importorskip("torch")
    a = np.array([0.0, 0.05, 0.5, 0.97, 1.0, -1.0])
    x = npgrad.tensor(a, requires_grad=True)
    y = npgrad.logit(x, eps=0.1)
    y.sum().backward()
    tx = torch.tensor(a, requires_grad=True)
    ty = torch.logit(tx, eps=0.1)
    ty.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-14)
    s = np.array([-0.0, 0.0, -NAN, NAN, -1.0, INF])
    assert npgrad.signbit(npgrad.tensor(s)).tolist() == torch.signbit(torch.tensor(s)).tolist()
