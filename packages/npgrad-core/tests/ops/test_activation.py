"""Activations and erf: values vs reference formulas, gradients, stability, PyTorch parity."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

_erf_ref = np.vectorize(math.erf, otypes=[np.float64])
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softplus(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.log1p(np.exp(beta * x)) / beta)


def _elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(x))


# name -> (npgrad function, float64 reference formula, torch name in torch.nn.functional)
ACTIVATIONS = {
    "gelu": (npgrad.gelu, lambda x: 0.5 * x * (1 + _erf_ref(x / math.sqrt(2))), "gelu"),
    "gelu_tanh": (
        lambda x: npgrad.gelu(x, approximate="tanh"),
        lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
        ("gelu", {"approximate": "tanh"}),
    ),
    "silu": (npgrad.silu, lambda x: x * _sigmoid(x), "silu"),
    "softplus": (npgrad.softplus, _softplus, "softplus"),
    "softplus_beta": (
        lambda x: npgrad.softplus(x, beta=2.0, threshold=3.0),
        lambda x: _softplus(x, 2.0, 3.0),
        ("softplus", {"beta": 2.0, "threshold": 3.0}),
    ),
    "elu": (npgrad.elu, _elu, "elu"),
    "elu_alpha": (
        lambda x: npgrad.elu(x, alpha=0.5),
        lambda x: _elu(x, 0.5),
        ("elu", {"alpha": 0.5}),
    ),
    "celu": (
        lambda x: npgrad.celu(x, alpha=2.0),
        lambda x: np.maximum(x, 0) + np.minimum(0, 2.0 * np.expm1(x / 2.0)),
        ("celu", {"alpha": 2.0}),
    ),
    "selu": (npgrad.selu, lambda x: SELU_SCALE * _elu(x, SELU_ALPHA), "selu"),
    "leaky_relu": (
        npgrad.leaky_relu,
        lambda x: np.where(x > 0, x, 0.01 * x),
        "leaky_relu",
    ),
    "leaky_relu_slope": (
        lambda x: npgrad.leaky_relu(x, 0.2),
        lambda x: np.where(x > 0, x, 0.2 * x),
        ("leaky_relu", {"negative_slope": 0.2}),
    ),
    "hardtanh": (npgrad.hardtanh, lambda x: np.clip(x, -1, 1), "hardtanh"),
    "hardtanh_bounds": (
        lambda x: npgrad.hardtanh(x, -0.5, 2.0),
        lambda x: np.clip(x, -0.5, 2.0),
        ("hardtanh", {"min_val": -0.5, "max_val": 2.0}),
    ),
    "relu6": (npgrad.relu6, lambda x: np.clip(x, 0, 6), "relu6"),
    "mish": (npgrad.mish, lambda x: x * np.tanh(np.log1p(np.exp(x))), "mish"),
    "hardsigmoid": (npgrad.hardsigmoid, lambda x: np.clip(x + 3, 0, 6) / 6, "hardsigmoid"),
    "hardswish": (npgrad.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6, "hardswish"),
    "logsigmoid": (npgrad.logsigmoid, lambda x: np.log(_sigmoid(x)), "logsigmoid"),
    "softsign": (npgrad.softsign, lambda x: x / (1 + np.abs(x)), "softsign"),
    "tanhshrink": (npgrad.tanhshrink, lambda x: x - np.tanh(x), "tanhshrink"),
    "erf": (npgrad.erf, _erf_ref, None),
}


def _points(dtype=np.float64, n=40, seed=0):
    """Values in [-8, 8] (every branch of every activation) away from the kinks
    (0, +-1, +-3, 6, the thresholds)."""
    x = np.random.default_rng(seed).uniform(-8.0, 8.0, n)
    kinks = np.array([0.0, 1.0, -1.0, 3.0, -3.0, 6.0, -0.5, 2.0, 1.5, 10.0])
    near = np.abs(x[:, None] - kinks[None, :]).min(axis=1) < 0.05
    x[near] += 0.1
    return x.astype(dtype)


def _leaf(a):
    return npgrad.tensor(a, requires_grad=True)


# ---- forward and gradients --------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_forward_matches_reference(name, dtype):
    fn, ref, _ = ACTIVATIONS[name]
    x = _points(dtype).reshape(4, 10)
    out = fn(npgrad.tensor(x))
    assert out.shape == x.shape and out.dtype == np.dtype(dtype)
    expected = ref(x.astype(np.float64))
    assert_close(out, expected.astype(dtype), atol=1e-6 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradcheck_and_gradgradcheck(name):
    fn = ACTIVATIONS[name][0]
    x = _leaf(_points(n=12).reshape(3, 4))
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_float32_gradient_stays_float32(name):
    fn = ACTIVATIONS[name][0]
    x = _leaf(_points(np.float32, n=6))
    fn(x).sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize(
    ("fn", "points", "expected"),
    [
        # each decision is PyTorch's: the value at a kink is the branch its kernel picks
        (npgrad.relu6, [0.0, 6.0, 3.0], [0.0, 0.0, 1.0]),
        (npgrad.hardtanh, [-1.0, 1.0, 0.0], [0.0, 0.0, 1.0]),
        (npgrad.leaky_relu, [0.0], [0.01]),
        (lambda t: npgrad.elu(t, alpha=0.5), [0.0], [0.5]),
        (lambda t: npgrad.celu(t, alpha=0.5), [0.0], [1.0]),
        (npgrad.selu, [0.0], [SELU_SCALE * SELU_ALPHA]),
        (npgrad.hardsigmoid, [-3.0, 3.0], [0.0, 0.0]),
        (npgrad.hardswish, [-3.0, 3.0], [0.0, 1.0]),
        (npgrad.softsign, [0.0], [1.0]),
    ],
)
def test_derivatives_at_non_differentiable_points_follow_torch(fn, points, expected):
    x = _leaf(np.array(points))
    fn(x).sum().backward()
    assert_close(x.grad, np.array(expected))


def test_erf_derivative_is_two_over_sqrt_pi_exp_minus_x_squared():
    x = _leaf(np.array([-1.5, 0.0, 0.3, 2.0]))
    npgrad.erf(x).sum().backward()
    assert_close(x.grad, 2 / math.sqrt(math.pi) * np.exp(-(x.numpy() ** 2)))


# ---- erf accuracy -----------------------------------------------------------------------------
def test_erf_float64_accuracy_against_math_erf_on_a_dense_grid():
    x = np.concatenate([np.linspace(-7.0, 7.0, 400_001), np.geomspace(1e-300, 7.0, 20_001)])
    x = np.concatenate([x, -x[-20_001:]])
    ours = npgrad.erf(npgrad.tensor(x)).numpy()
    ref = _erf_ref(x)
    # about one ulp of values near 1 (2**-53 = 1.1e-16); measured maximum: 1.1e-16
    assert np.max(np.abs(ours - ref)) <= 2.3e-16
    small = np.abs(x) < 0.5  # relative accuracy where erf is small, down to denormals
    rel = np.abs(ours[small] - ref[small]) / np.abs(ref[small])
    assert np.max(rel) < 1e-15


def test_erf_float32_is_correctly_rounded_within_an_ulp():
    x = np.linspace(-6.0, 6.0, 100_001).astype(np.float32)
    ours = npgrad.erf(npgrad.tensor(x))
    assert ours.dtype == np.float32
    ref = _erf_ref(x.astype(np.float64))
    ulp = np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    assert np.all(np.abs(ours.numpy() - ref) <= ulp)


def test_erf_special_values_and_integer_inputs():
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 6.5, -30.0, 5e-324])
    out = npgrad.erf(npgrad.tensor(x)).numpy()
    assert np.isnan(out[0])
    np.testing.assert_array_equal(out[1:7], [1.0, -1.0, 0.0, -0.0, 1.0, -1.0])
    assert np.signbit(out[4]) and not np.signbit(out[3])
    assert out[7] > 0
    i = npgrad.erf(npgrad.tensor([0, 1]))
    assert i.dtype == np.float32  # integers give the default float dtype, like torch
    assert_close(i, np.array([0.0, math.erf(1.0)], np.float32))
    assert npgrad.erf(npgrad.tensor(0.5, dtype=npgrad.float64)).shape == ()


# ---- softmax family ---------------------------------------------------------------------------
def _softmax_ref(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_log_softmax_softmin_match_reference(dim, dtype):
    x = _points(dtype, n=12).reshape(3, 4)
    x64 = x.astype(np.float64)
    for fn, expected in [
        (npgrad.softmax, _softmax_ref(x64, dim)),
        (npgrad.log_softmax, np.log(_softmax_ref(x64, dim))),
        (npgrad.softmin, _softmax_ref(-x64, dim)),
    ]:
        out = fn(npgrad.tensor(x), dim)
        assert out.dtype == np.dtype(dtype)
        assert_close(out, expected.astype(dtype), msg=fn.__name__)
    assert_close(npgrad.tensor(x).softmax(dim), _softmax_ref(x64, dim).astype(dtype))
    assert_close(npgrad.tensor(x).log_softmax(dim), np.log(_softmax_ref(x64, dim)).astype(dtype))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_family_gradcheck_and_gradgradcheck(dim):
    x = _leaf(_points(n=12).reshape(3, 4))
    for fn in (npgrad.softmax, npgrad.log_softmax, npgrad.softmin):
        assert gradcheck(lambda t, fn=fn: fn(t, dim), (x,))
        assert gradgradcheck(lambda t, fn=fn: fn(t, dim), (x,))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_is_stable_for_huge_inputs(dtype):
    x = np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4], [-1e4, -1e4, -1e4 + 1.0]], dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning either
        s = npgrad.softmax(npgrad.tensor(x), 1)
        ls = npgrad.log_softmax(npgrad.tensor(x), 1)
    assert np.all(np.isfinite(s.numpy())) and np.all(np.isfinite(ls.numpy()))
    assert_close(s, np.array([[1, 0, 0], [1 / 3] * 3, [0.2119416, 0.2119416, 0.5761169]], dtype))
    assert_close(ls.numpy()[0], np.array([0.0, -1e4, -2e4], dtype))
    assert_close(ls.numpy()[2, 2], np.log(np.array(0.5761169, dtype)), atol=1e-5)
    xt = _leaf(x.astype(np.float64))
    npgrad.log_softmax(xt, 1)[:, 0].sum().backward()
    assert np.all(np.isfinite(xt.grad.numpy()))


def test_softmax_with_minus_inf_masks_like_torch():
    x = npgrad.tensor([[0.0, -np.inf, 0.0], [-np.inf, 1.0, -np.inf]])
    assert_close(npgrad.softmax(x, 1), np.array([[0.5, 0.0, 0.5], [0.0, 1.0, 0.0]], np.float32))
    assert_close(npgrad.log_softmax(x, 1)[1], np.array([-np.inf, 0.0, -np.inf], np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # -inf - -inf: NaN, like torch
        all_masked = npgrad.softmax(npgrad.tensor([-np.inf, -np.inf]), 0)
    assert np.all(np.isnan(all_masked.numpy()))


def test_softmax_dtype_argument_casts_first():
    x = npgrad.tensor([1.0, 2.0, 3.0])
    out = npgrad.softmax(x, 0, dtype=npgrad.float64)
    assert out.dtype == np.float64
    assert_close(out, _softmax_ref(np.array([1.0, 2.0, 3.0]), 0))
    assert npgrad.log_softmax(npgrad.tensor([1, 2]), 0, dtype=npgrad.float64).dtype == np.float64
    assert npgrad.softmin(x, 0, dtype=npgrad.float64).dtype == np.float64
    xl = _leaf(np.array([1.0, 2.0], np.float32))
    npgrad.softmax(xl, 0, dtype=npgrad.float64)[0].backward()
    assert xl.grad.dtype == np.float32


def test_softmax_of_0d_and_empty_tensors():
    x = _leaf(np.array(2.5))
    out = npgrad.softmax(x, 0)
    assert out.shape == () and out.item() == 1.0
    out.backward()
    assert x.grad.item() == 0.0
    assert npgrad.log_softmax(npgrad.tensor(3.0), -1).item() == 0.0
    assert npgrad.softmax(npgrad.zeros(0, 3), 1).shape == (0, 3)


def test_softmax_dim_errors_and_implicit_dim_warning():
    with pytest.raises(IndexError, match="softmax.*out of range"):
        npgrad.softmax(npgrad.ones(2, 3), 2)
    with pytest.raises(TypeError, match="log_softmax.*int64"):
        npgrad.log_softmax(npgrad.tensor([1, 2]), 0)
    with pytest.raises(TypeError, match="dim must be an int"):
        npgrad.softmax(npgrad.ones(2), 0.5)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = npgrad.softmax(npgrad.ones(2, 4))
    assert_close(out, np.full((2, 4), 0.25, np.float32))  # dim 1 for 2-D, like torch


SOFTMAX_SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)


@settings(max_examples=20, deadline=None)
@given(shape=SOFTMAX_SHAPES, data=st.data())
def test_softmax_any_shape_and_dim_sums_to_one_and_gradchecks(shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = _leaf(np.random.default_rng(1).uniform(-3, 3, shape))
    out = npgrad.softmax(x, dim)
    assert_close(out.numpy().sum(axis=dim), np.ones(np.delete(shape, dim % len(shape))))
    assert_close(npgrad.log_softmax(x, dim).exp(), out.numpy())
    assert gradcheck(lambda t: npgrad.log_softmax(t, dim), (x,))


# ---- stability and errors of the other activations --------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations_are_finite_and_quiet_for_extreme_inputs(dtype):
    x = np.array([-1e4, -100.0, -30.0, 30.0, 100.0, 1e4], dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings
        for name, (fn, _, _) in ACTIVATIONS.items():
            out = fn(npgrad.tensor(x)).numpy()
            assert np.all(np.isfinite(out)), name
            xt = _leaf(x)
            fn(xt).sum().backward()
            assert np.all(np.isfinite(xt.grad.numpy())), name
    assert_close(npgrad.logsigmoid(npgrad.tensor(x)).numpy()[:2], np.array([-1e4, -100.0], dtype))
    assert_close(npgrad.softplus(npgrad.tensor(x)).numpy()[-1], np.array(1e4, dtype))
    assert_close(npgrad.silu(npgrad.tensor(x)).numpy()[0], np.array(0.0, dtype))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_of_a_0d_tensor_keeps_shape_dtype_and_gradient(name, dtype):
    # a 0-d input makes NumPy return scalars, which in-place ufuncs (out=...) reject
    fn, ref, _ = ACTIVATIONS[name]
    x = _leaf(np.array(-0.75, dtype))
    out = fn(x)
    assert out.shape == () and out.dtype == np.dtype(dtype)
    assert_close(out, ref(np.array(-0.75)).astype(dtype), atol=1e-3, rtol=1e-3)
    out.backward()
    assert x.grad.shape == () and x.grad.dtype == np.dtype(dtype)


def test_softsign_and_tanhshrink_of_integers_give_the_default_float_like_torch():
    for fn in (npgrad.softsign, npgrad.tanhshrink):
        out = fn(npgrad.tensor([-1, 3]))
        assert out.dtype == np.float32
        assert_close(out, fn(npgrad.tensor([-1.0, 3.0])))


def test_activation_input_errors():
    ints = npgrad.tensor([1, 2])
    for fn in (npgrad.gelu, npgrad.silu, npgrad.softplus, npgrad.elu, npgrad.leaky_relu):
        with pytest.raises(TypeError, match="floating point"):
            fn(ints)
    with pytest.raises(ValueError, match="approximate"):
        npgrad.gelu(npgrad.ones(2), approximate="sigmoid")
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        npgrad.hardtanh(npgrad.ones(2), 2.0, 1.0)
    with pytest.raises(ValueError, match="celu: alpha cannot be 0"):
        npgrad.celu(npgrad.ones(2), alpha=0.0)
    with pytest.raises(TypeError, match="expected a Tensor"):
        npgrad.silu([1.0])


def test_hardtanh_and_relu6_accept_integer_tensors_like_torch():
    out = npgrad.relu6(npgrad.tensor([-2, 3, 9]))
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), [0, 3, 6])
    u = npgrad.hardtanh(npgrad.tensor([0, 5, 200], dtype=npgrad.uint8))  # -1 clipped to 0
    assert u.dtype == np.uint8
    np.testing.assert_array_equal(u.numpy(), [0, 1, 1])


def test_parameters_never_upcast_float32():
    x = npgrad.tensor([-1.0, 0.5, 2.0])
    for out in (
        npgrad.softplus(x, beta=np.float64(2.0), threshold=np.float64(1.0)),
        npgrad.elu(x, alpha=np.float64(0.3)),
        npgrad.leaky_relu(x, np.float64(0.3)),
        npgrad.hardtanh(x, np.float64(-0.5), np.float64(0.5)),
    ):
        assert out.dtype == np.float32


# ---- PyTorch parity -------------------------------------------------------------------------
def _torch_fn(torch, spec):
    name, kwargs = spec if isinstance(spec, tuple) else (spec, {})
    f = getattr(torch.nn.functional, name)
    return lambda t: f(t, **kwargs)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_torch(name, dtype):
    torch = pytest.importorskip("torch")
    fn, _, spec = ACTIVATIONS[name]
    tfn = torch.erf if spec is None else _torch_fn(torch, spec)
    # the kinks are included on purpose: the gradient there must be torch's too
    x = np.concatenate([_points(dtype, n=30), [0.0, 1.0, -1.0, 3.0, -3.0, 6.0, 20.0, -20.0]])
    x = x.astype(dtype)
    ours, theirs = _leaf(x), torch.tensor(x, requires_grad=True)
    out, ref = fn(ours), tfn(theirs)
    g = np.random.default_rng(5).uniform(-1, 1, x.shape).astype(dtype)
    out.backward(npgrad.tensor(g))
    ref.backward(torch.tensor(g))
    assert_close(out, ref.detach().numpy())
    assert_close(ours.grad, theirs.grad.numpy())


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_softmax_family_matches_torch(name, dtype):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(3).uniform(-5, 5, (3, 4, 5)).astype(dtype)
    x[0, 0, 0] = 1e4  # stability
    g = np.random.default_rng(4).uniform(-1, 1, x.shape).astype(dtype)
    for dim in (0, 1, -1):
        ours, theirs = _leaf(x), torch.tensor(x, requires_grad=True)
        out = getattr(npgrad, name)(ours, dim)
        ref = getattr(torch.nn.functional, name)(theirs, dim)
        out.backward(npgrad.tensor(g))
        ref.backward(torch.tensor(g))
        assert_close(out, ref.detach().numpy(), msg=f"{name} dim={dim}")
        assert_close(ours.grad, theirs.grad.numpy(), msg=f"{name} grad dim={dim}")


PIECEWISE_LINEAR = {
    "hardsigmoid",
    "hardtanh",
    "hardtanh_bounds",
    "leaky_relu",
    "leaky_relu_slope",
    "relu6",
}


@pytest.mark.torch
def test_second_derivatives_match_torch():
    torch = pytest.importorskip("torch")
    x = _points(n=16)
    for name, (fn, _, spec) in sorted(ACTIVATIONS.items()):
        tfn = torch.erf if spec is None else _torch_fn(torch, spec)
        ours, theirs = _leaf(x), torch.tensor(x, requires_grad=True)
        (g,) = npgrad.autograd.grad(fn(ours).sum(), ours, create_graph=True)
        if name in PIECEWISE_LINEAR:  # the gradient is constant in x: no graph to go on
            assert not g.requires_grad, name
            continue
        (tg,) = torch.autograd.grad(tfn(theirs).sum(), theirs, create_graph=True)
        (t2,) = torch.autograd.grad(tg.sum(), theirs)
        expected = t2.numpy()
        g.sum().backward()
        assert_close(ours.grad, expected, msg=name, atol=1e-10)
