"""Elementwise ops: unary math, rounding, clamp, maximum/minimum, atan2, lerp, where, logic."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

# name -> (NumPy reference, low, high): the domain keeps away from singularities
UNARY = {
    "exp": (np.exp, -2.0, 2.0),
    "expm1": (np.expm1, -2.0, 2.0),
    "log": (np.log, 0.2, 3.0),
    "log2": (np.log2, 0.2, 3.0),
    "log10": (np.log10, 0.2, 3.0),
    "log1p": (np.log1p, -0.8, 3.0),
    "sqrt": (np.sqrt, 0.2, 3.0),
    "rsqrt": (lambda a: 1 / np.sqrt(a), 0.2, 3.0),
    "square": (np.square, -2.0, 2.0),
    "reciprocal": (np.reciprocal, 0.3, 3.0),
    "sin": (np.sin, -3.0, 3.0),
    "cos": (np.cos, -3.0, 3.0),
    "tan": (np.tan, -1.2, 1.2),
    "asin": (np.arcsin, -0.9, 0.9),
    "acos": (np.arccos, -0.9, 0.9),
    "atan": (np.arctan, -3.0, 3.0),
    "sinh": (np.sinh, -2.0, 2.0),
    "cosh": (np.cosh, -2.0, 2.0),
    "tanh": (np.tanh, -2.0, 2.0),
    "sigmoid": (lambda a: (1 / (1 + np.exp(-a.astype(np.float64)))).astype(a.dtype), -6.0, 6.0),
    "abs": (np.abs, -2.0, 2.0),
    "relu": (lambda a: np.maximum(a, 0).astype(a.dtype), -2.0, 2.0),
}
# ops whose integer input gives the default float dtype
FLOAT_ONLY = sorted(set(UNARY) - {"square", "abs", "relu"})
ROUNDING = ["floor", "ceil", "trunc", "round", "sign"]
ROUNDING_NP = {"floor": np.floor, "ceil": np.ceil, "trunc": np.trunc, "round": np.rint}


def _values(low, high, shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.uniform(low, high, shape)
    if low < 0 < high:  # keep away from 0, where abs and relu have a kink (no ties made)
        a = np.where(np.abs(a) < 0.1, a + np.where(a < 0, -0.2, 0.2), a)
    return a.astype(dtype)


def _leaf(a, requires_grad=True):
    return npgrad.tensor(a, requires_grad=requires_grad)


def _grads(fn, arrays, grad_out, torch_mod=None):
    """(output, input gradients) of ``fn`` for npgrad (or torch when ``torch_mod`` is given)."""
    if torch_mod is None:
        xs = [_leaf(a) for a in arrays]
        y = fn(*xs)
        y.backward(npgrad.tensor(grad_out))
        return y.numpy(), [
            np.zeros_like(a) if x.grad is None else x.grad.numpy() for x, a in zip(xs, arrays)
        ]
    xs = [torch_mod.tensor(a, requires_grad=True) for a in arrays]
    y = fn(*xs)
    y.backward(torch_mod.tensor(grad_out))
    return y.detach().numpy(), [
        np.zeros_like(a) if x.grad is None else x.grad.numpy() for x, a in zip(xs, arrays)
    ]


# ---- unary math ----------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(sorted(UNARY)),
    dtype=st.sampled_from([np.float32, np.float64]),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
)
def test_unary_forward_matches_numpy(name, dtype, shape):
    ref, low, high = UNARY[name]
    a = _values(low, high, shape, dtype)
    out = getattr(npgrad, name)(npgrad.tensor(a))
    assert out.shape == shape and out.dtype == np.dtype(dtype)
    assert_close(out, np.asarray(ref(a)).astype(dtype), msg=name)  # NumPy 1 may widen 0-d refs


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_gradcheck_and_gradgradcheck(name):
    _, low, high = UNARY[name]
    x = _leaf(_values(low, high, (2, 3), np.float64))
    fn = getattr(npgrad, name)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("name", ["exp", "sqrt", "tanh", "sigmoid", "reciprocal", "relu"])
def test_unary_second_order_on_0d_tensor(name):
    # ops that save their output: NumPy returns a scalar for 0-d input, which must still be
    # recognised as the output (else second order silently treats it as a constant)
    x = npgrad.tensor(0.7, dtype=npgrad.float64, requires_grad=True)
    assert gradgradcheck(getattr(npgrad, name), (x,))


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_method_is_the_function_and_records_named_node(name):
    _, low, high = UNARY[name]
    x = _leaf(_values(low, high, (3,), np.float32))
    y = getattr(x, name)()
    assert_close(y, getattr(npgrad, name)(x))
    expected = {"relu": "ReluBackward"}.get(name, name.capitalize() + "Backward")
    assert y.grad_fn.name() == expected


@pytest.mark.parametrize("name", FLOAT_ONLY)
@pytest.mark.parametrize("dtype", [npgrad.int64, npgrad.int32, npgrad.uint8, npgrad.bool])
def test_unary_integer_and_bool_inputs_give_default_float(name, dtype):
    a = np.array([1, 0, 1]).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # log(0) & co.
        out = getattr(npgrad, name)(npgrad.tensor(a))
        ref = np.asarray(UNARY[name][0](a.astype(np.float32)))
    assert out.dtype == npgrad.float32
    assert_close(out, ref, equal_nan=True)


def test_unary_integer_input_follows_default_dtype():
    npgrad.set_default_dtype(npgrad.float64)
    try:
        assert npgrad.exp(npgrad.tensor([1, 2])).dtype == npgrad.float64
    finally:
        npgrad.set_default_dtype(npgrad.float32)


@pytest.mark.parametrize("name", sorted(UNARY) + ROUNDING)
def test_unary_float16_stays_float16(name):
    out = getattr(npgrad, name)(npgrad.tensor([0.25, 0.5], dtype=npgrad.float16))
    assert out.dtype == npgrad.float16


@pytest.mark.parametrize(
    "name", ["abs", "relu", "square", "floor", "ceil", "trunc", "round", "sign"]
)
@pytest.mark.parametrize("dtype", [npgrad.int64, npgrad.int8, npgrad.uint8])
def test_integer_preserving_ops_keep_integer_dtype(name, dtype):
    a = np.array([3, 0, 2] if dtype == npgrad.uint8 else [-3, 0, 2]).astype(dtype)
    out = getattr(npgrad, name)(npgrad.tensor(a))
    ref = {"abs": np.abs, "relu": lambda v: np.maximum(v, 0), "square": np.square}.get(
        name, np.sign if name == "sign" else (lambda v: v)
    )
    assert out.dtype == dtype
    assert_close(out, ref(a).astype(dtype))


def test_relu_of_a_0d_integer_tensor_keeps_its_dtype():
    # NumPy 1 promoted np.maximum(int32 0-d, 0) to int64 (value-based casting)
    for dt in (npgrad.int32, npgrad.uint8, npgrad.int8):
        out = npgrad.relu(npgrad.tensor(3, dtype=dt))
        assert out.dtype == dt and out.item() == 3


@pytest.mark.parametrize("name", ["abs", "relu", "floor", "ceil", "trunc", "round"])
def test_bool_input_refused_where_pytorch_refuses(name):
    with pytest.raises(TypeError, match=name):
        getattr(npgrad, name)(npgrad.tensor([True, False]))


def test_bool_inputs_of_sign_and_square():
    b = npgrad.tensor([True, False])
    assert npgrad.sign(b).dtype == npgrad.bool and npgrad.sign(b).tolist() == [True, False]
    sq = npgrad.square(b)
    assert sq.dtype == npgrad.int64 and sq.tolist() == [1, 0]


@pytest.mark.parametrize("name", ["exp", "abs", "floor", "round", "sigmoid"])
def test_unary_refuses_python_numbers_and_accepts_arrays(name):
    with pytest.raises(TypeError, match=name):
        getattr(npgrad, name)(1.5)
    out = getattr(npgrad, name)(np.array([0.5, 1.5], dtype=np.float32))
    assert isinstance(out, npgrad.Tensor) and out.dtype == npgrad.float32


def test_abs_and_relu_have_zero_gradient_at_zero():
    for name in ("abs", "relu"):
        x = _leaf(np.array([-1.0, 0.0, 2.0]))
        getattr(npgrad, name)(x).backward(npgrad.ones(3))
        expected = [-1.0, 0.0, 1.0] if name == "abs" else [0.0, 0.0, 1.0]
        assert x.grad.tolist() == expected, name


def test_sigmoid_is_stable_for_large_inputs():
    for dtype in (npgrad.float16, npgrad.float32, npgrad.float64):
        x = npgrad.tensor([-1000.0, -80.0, 0.0, 80.0, 1000.0], dtype=dtype, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no overflow warning
            y = npgrad.sigmoid(x)
            y.backward(npgrad.ones(5, dtype=dtype))
        assert y.dtype == dtype
        assert y.numpy()[0] == 0.0 and y.numpy()[2] == 0.5 and y.numpy()[4] == 1.0
        assert not np.isnan(x.grad.numpy()).any()
        assert x.grad.numpy()[0] == 0.0 and x.grad.numpy()[2] == 0.25
    tiny = npgrad.sigmoid(npgrad.tensor([-30.0], dtype=npgrad.float64)).item()
    assert tiny == pytest.approx(np.exp(-30.0) / (1 + np.exp(-30.0)), rel=1e-14)


def test_singular_points_give_inf_gradients_like_pytorch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for name, v, g in [("sqrt", 0.0, np.inf), ("log", 0.0, np.inf), ("asin", 1.0, np.inf)]:
            x = _leaf(np.array([v]))
            getattr(npgrad, name)(x).backward(npgrad.ones(1, dtype=npgrad.float64))
            assert x.grad.item() == g, name


# ---- rounding and sign ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ROUNDING)
def test_rounding_ops_have_zero_gradient(name):
    x = _leaf(np.array([-1.5, 0.3, 2.5, 7.0]))
    y = getattr(npgrad, name)(x)
    assert y.requires_grad and y.grad_fn.name() == name.capitalize() + "Backward"
    y.backward(npgrad.tensor([1.0, 2.0, np.inf, -3.0], dtype=npgrad.float64))
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 0.0]  # zeros even for an infinite upstream grad
    assert gradgradcheck(getattr(npgrad, name), (_leaf(np.array([0.3, 1.7])),))


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "round"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rounding_forward_matches_numpy(name, dtype):
    a = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -0.7, 0.7, 3.2], dtype=dtype)
    out = getattr(npgrad, name)(npgrad.tensor(a))
    assert out.dtype == dtype
    assert_close(out, ROUNDING_NP[name](a))


def test_round_halves_to_even_and_decimals():
    assert npgrad.round(npgrad.tensor([0.5, 1.5, 2.5, -0.5])).tolist() == [0.0, 2.0, 2.0, -0.0]
    a = np.array([1.25, 2.35, -0.55, 12345.678, 0.049], dtype=np.float64)
    assert_close(npgrad.round(npgrad.tensor(a), decimals=1), np.round(a, 1))
    assert_close(npgrad.round(npgrad.tensor(a), decimals=-2), np.round(a, -2))
    with pytest.raises(TypeError, match="round"):
        npgrad.round(npgrad.tensor([1, 2]), decimals=1)
    assert npgrad.round(npgrad.tensor([1, 2]), decimals=0).tolist() == [1, 2]


def test_round_decimals_float16_does_not_overflow_the_scaled_value():
    x = npgrad.tensor([12345.0, 1.25], dtype=npgrad.float16)
    out = npgrad.round(x, decimals=1)
    assert out.dtype == npgrad.float16
    assert out.tolist() == [12344.0, np.float16(1.2)]


def test_sign_of_nan_is_zero_like_pytorch():
    out = npgrad.sign(npgrad.tensor([np.nan, -2.0, 0.0, 3.0]))
    assert out.tolist() == [0.0, -1.0, 0.0, 1.0]


# ---- clamp ---------------------------------------------------------------------------------
def test_clamp_scalar_bounds_values_and_gradient_at_the_boundaries():
    x = _leaf(np.array([-1.0, 0.0, 0.5, 1.0, 2.0]))
    y = npgrad.clamp(x, 0.0, 1.0)
    assert y.tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
    y.backward(npgrad.ones(5, dtype=npgrad.float64))
    # PyTorch: the gradient passes where min <= x <= max, boundaries included
    assert x.grad.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]


def test_clamp_one_bound_only():
    x = _leaf(np.array([-1.0, 0.0, 0.5]))
    lo = npgrad.clamp(x, min=0.0)
    assert lo.tolist() == [0.0, 0.0, 0.5]
    hi = npgrad.clamp(x, max=0.0)
    assert hi.tolist() == [-1.0, 0.0, 0.0]
    (gx,) = npgrad.autograd.grad(lo, x, npgrad.ones(3, dtype=npgrad.float64))
    assert gx.tolist() == [0.0, 1.0, 1.0]
    (gx,) = npgrad.autograd.grad(hi, x, npgrad.ones(3, dtype=npgrad.float64))
    assert gx.tolist() == [1.0, 1.0, 0.0]


def test_clamp_tensor_bounds_gradients_follow_pytorch():
    x = _leaf(np.array([-1.0, 0.0, 0.5, 1.0, 2.0]))
    lo, hi = _leaf(np.zeros(5)), _leaf(np.ones(5))
    y = npgrad.clamp(x, lo, hi)
    gx, glo, ghi = npgrad.autograd.grad(y, (x, lo, hi), npgrad.ones(5, dtype=npgrad.float64))
    assert gx.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]
    assert glo.tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert ghi.tolist() == [0.0, 0.0, 0.0, 0.0, 1.0]


def test_clamp_min_greater_than_max_gives_max():
    x = _leaf(np.array([-1.0, 0.5, 2.0]))
    assert npgrad.clamp(x, 1.0, 0.0).tolist() == [0.0, 0.0, 0.0]
    lo, hi = _leaf(np.ones(3)), _leaf(np.zeros(3))
    y = npgrad.clamp(x, lo, hi)
    assert y.tolist() == [0.0, 0.0, 0.0]
    gx, glo, ghi = npgrad.autograd.grad(y, (x, lo, hi), npgrad.ones(3, dtype=npgrad.float64))
    assert gx.tolist() == [0.0, 0.0, 0.0]
    assert glo.tolist() == [0.0, 0.0, 0.0]
    assert ghi.tolist() == [1.0, 1.0, 1.0]


def test_clamp_nan_propagates_with_zero_gradient():
    x = _leaf(np.array([np.nan, 0.5]))
    y = npgrad.clamp(x, 0.0, 1.0)
    assert np.isnan(y.numpy()[0]) and y.numpy()[1] == 0.5
    y.backward(npgrad.ones(2, dtype=npgrad.float64))
    assert x.grad.tolist() == [0.0, 1.0]


@settings(max_examples=20, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
def test_clamp_tensor_bounds_broadcast_gradcheck(shapes):
    sx, slo, shi = shapes.input_shapes
    x = _leaf(_values(-2, 2, sx, np.float64, seed=1))
    lo = _leaf(_values(-1.5, -0.5, slo, np.float64, seed=2))
    hi = _leaf(_values(0.5, 1.5, shi, np.float64, seed=3))
    out = npgrad.clamp(x, lo, hi)
    assert out.shape == shapes.result_shape
    assert_close(out, np.minimum(np.maximum(x.numpy(), lo.numpy()), hi.numpy()))
    assert gradcheck(npgrad.clamp, (x, lo, hi))
    assert gradgradcheck(npgrad.clamp, (x, lo, hi))


def test_clamp_dtype_promotion():
    i = npgrad.tensor([-2, 0, 3])
    assert npgrad.clamp(i, 0).dtype == npgrad.int64
    assert npgrad.clamp(i, 0).tolist() == [0, 0, 3]
    out = npgrad.clamp(i, min=0.5)
    assert out.dtype == npgrad.float32 and out.tolist() == [0.5, 0.5, 3.0]
    f = npgrad.tensor([1.0, 2.0])
    assert npgrad.clamp(f, 0, 1).dtype == npgrad.float32
    bound = npgrad.tensor([1.5, 1.5], dtype=npgrad.float64)
    assert npgrad.clamp(f, max=bound).dtype == npgrad.float64
    assert npgrad.clamp(npgrad.tensor([True, False]), 0, 1).dtype == npgrad.int64


def test_clamp_errors():
    x = npgrad.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="clamp.*min.*max"):
        npgrad.clamp(x)
    with pytest.raises(ValueError, match=r"clamp.*\(2,\).*\(3,\)"):
        npgrad.clamp(x, npgrad.zeros(3))
    with pytest.raises(TypeError, match="clamp: min"):
        npgrad.clamp(x, [0.0, 1.0])


def test_clip_and_method_forms():
    x = npgrad.tensor([-2.0, 0.5, 3.0])
    assert npgrad.clip is npgrad.clamp
    assert x.clamp(-1.0, 1.0).tolist() == [-1.0, 0.5, 1.0]
    assert x.clip(max=0.0).tolist() == [-2.0, 0.0, 0.0]


# ---- maximum, minimum ----------------------------------------------------------------------
def test_maximum_minimum_split_ties_evenly():
    a, b = _leaf(np.array([1.0, 2.0, 3.0])), _leaf(np.array([1.0, 1.0, 4.0]))
    ones = npgrad.ones(3, dtype=npgrad.float64)
    ga, gb = npgrad.autograd.grad(npgrad.maximum(a, b), (a, b), ones)
    assert ga.tolist() == [0.5, 1.0, 0.0] and gb.tolist() == [0.5, 0.0, 1.0]
    ga, gb = npgrad.autograd.grad(npgrad.minimum(a, b), (a, b), ones)
    assert ga.tolist() == [0.5, 0.0, 1.0] and gb.tolist() == [0.5, 1.0, 0.0]


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@settings(max_examples=20, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_maximum_minimum_broadcast_forward_and_gradcheck(name, shapes):
    sa, sb = shapes.input_shapes
    a, b = _leaf(_values(-2, 2, sa, np.float64, 4)), _leaf(_values(-2, 2, sb, np.float64, 5))
    fn = getattr(npgrad, name)
    out = fn(a, b)
    assert out.shape == shapes.result_shape
    assert_close(out, getattr(np, name)(a.numpy(), b.numpy()))
    assert gradcheck(fn, (a, b))
    assert gradgradcheck(fn, (a, b))


def test_maximum_minimum_dtypes_nan_and_scalars():
    i = npgrad.tensor([1, 5])
    assert npgrad.maximum(i, npgrad.tensor([2, 3])).tolist() == [2, 5]
    out = npgrad.maximum(i, npgrad.tensor([2.5, 0.0]))
    assert out.dtype == npgrad.float32 and out.tolist() == [2.5, 5.0]
    assert npgrad.minimum(npgrad.tensor([1.0, 3.0]), 2.0).tolist() == [1.0, 2.0]
    assert npgrad.maximum(0.0, npgrad.tensor([-1.0, 3.0])).tolist() == [0.0, 3.0]
    m = npgrad.maximum(npgrad.tensor([np.nan, 1.0]), npgrad.tensor([0.0, np.nan]))
    assert np.isnan(m.numpy()).all()
    with pytest.raises(ValueError, match=r"maximum.*\(2,\).*\(3,\)"):
        npgrad.maximum(npgrad.ones(2), npgrad.ones(3))
    x = _leaf(np.array([-1.0, 2.0]))
    (g,) = npgrad.autograd.grad(npgrad.maximum(x, 0.0), x, npgrad.ones(2, dtype=npgrad.float64))
    assert g.tolist() == [0.0, 1.0]


# ---- atan2 ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_atan2_forward(dtype):
    a = np.array([1.0, 1.0, -1.0, -1.0, 0.0], dtype=dtype)
    b = np.array([1.0, -1.0, 1.0, -1.0, -2.0], dtype=dtype)
    out = npgrad.atan2(npgrad.tensor(a), npgrad.tensor(b))
    assert out.dtype == dtype
    assert_close(out, np.arctan2(a, b))
    assert npgrad.arctan2 is npgrad.atan2
    assert npgrad.atan2(npgrad.tensor([1]), npgrad.tensor([1])).dtype == npgrad.float32


@settings(max_examples=20, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_atan2_broadcast_gradcheck(shapes):
    sa, sb = shapes.input_shapes
    a, b = _leaf(_values(-2, 2, sa, np.float64, 6)), _leaf(_values(-2, 2, sb, np.float64, 7))
    assert gradcheck(npgrad.atan2, (a, b))
    assert gradgradcheck(npgrad.atan2, (a, b))


def test_atan2_gradient_is_zero_at_the_origin_and_scalars_work():
    a, b = _leaf(np.array([0.0, 1.0])), _leaf(np.array([0.0, 0.0]))
    ga, gb = npgrad.autograd.grad(npgrad.atan2(a, b), (a, b), npgrad.ones(2, dtype=npgrad.float64))
    assert ga.tolist() == [0.0, 0.0] and gb.tolist() == [0.0, -1.0]
    x = _leaf(np.array([0.5, 2.0]))
    assert gradcheck(lambda t: npgrad.atan2(1.5, t), (x,))
    assert gradgradcheck(lambda t: npgrad.atan2(t, -1.0), (x,))


# ---- lerp ----------------------------------------------------------------------------------
def test_lerp_values_scalar_and_tensor_weight():
    s, e = npgrad.tensor([1.0, 2.0]), npgrad.tensor([3.0, 5.0])
    assert npgrad.lerp(s, e, 0.25).tolist() == [1.5, 2.75]
    assert npgrad.lerp(s, e, npgrad.tensor([0.25, 0.75])).tolist() == [1.5, 4.25]
    assert s.lerp(e, 1.0).tolist() == [3.0, 5.0]
    # exact at weight 1 even where start + (end - start) would round
    big = npgrad.tensor([1e8], dtype=npgrad.float32)
    assert npgrad.lerp(big, npgrad.tensor([0.1]), 1.0).tolist() == [np.float32(0.1)]


def test_lerp_gradients():
    s, e, w = (
        _leaf(np.array([1.0, 2.0])),
        _leaf(np.array([3.0, 5.0])),
        _leaf(np.array([0.25, 0.75])),
    )
    gs, ge, gw = npgrad.autograd.grad(
        npgrad.lerp(s, e, w), (s, e, w), npgrad.ones(2, dtype=npgrad.float64)
    )
    assert gs.tolist() == [0.75, 0.25] and ge.tolist() == [0.25, 0.75] and gw.tolist() == [2.0, 3.0]


@settings(max_examples=20, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
def test_lerp_broadcast_gradcheck(shapes):
    ss, se, sw = shapes.input_shapes
    s, e = _leaf(_values(-2, 2, ss, np.float64, 8)), _leaf(_values(-2, 2, se, np.float64, 9))
    w = _leaf(_values(0.0, 1.0, sw, np.float64, 10))
    out = npgrad.lerp(s, e, w)
    assert out.shape == shapes.result_shape
    assert_close(out, s.numpy() + w.numpy() * (e.numpy() - s.numpy()))
    assert gradcheck(npgrad.lerp, (s, e, w))
    assert gradgradcheck(npgrad.lerp, (s, e, w))
    assert gradgradcheck(lambda a, b: npgrad.lerp(a, b, 0.3), (s, e))


def test_lerp_dtypes_and_errors():
    s = npgrad.tensor([0.0, 1.0])
    assert (
        npgrad.lerp(s, npgrad.tensor([1.0, 2.0]), npgrad.tensor(0.5, dtype=npgrad.float64)).dtype
        == npgrad.float32
    )
    with pytest.raises(TypeError, match="lerp"):
        npgrad.lerp(npgrad.tensor([0, 1]), npgrad.tensor([2, 3]), 1)
    with pytest.raises(ValueError, match=r"lerp.*\(2,\).*\(3,\)"):
        npgrad.lerp(s, npgrad.ones(3), 0.5)


# ---- where ---------------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
def test_where_broadcast_forward_and_gradcheck(shapes):
    sc, sa, sb = shapes.input_shapes
    cond = npgrad.tensor(np.random.default_rng(11).random(sc) < 0.5)
    a, b = _leaf(_values(-2, 2, sa, np.float64, 12)), _leaf(_values(-2, 2, sb, np.float64, 13))
    out = npgrad.where(cond, a, b)
    assert out.shape == shapes.result_shape
    assert_close(out, np.where(cond.numpy(), a.numpy(), b.numpy()))
    fn = lambda x, y: npgrad.where(cond, x, y)  # noqa: E731
    assert gradcheck(fn, (a, b))
    assert gradgradcheck(fn, (a, b))


def test_where_scalars_dtypes_and_single_argument_form():
    c = npgrad.tensor([True, False])
    assert npgrad.where(c, 1.0, 0).dtype == npgrad.float32
    assert npgrad.where(c, 1, 0).tolist() == [1, 0] and npgrad.where(c, 1, 0).dtype == npgrad.int64
    assert npgrad.where(c, npgrad.tensor([1, 2]), 0.5).dtype == npgrad.float32
    x = npgrad.tensor([1.0, 2.0])
    assert x.where(c, -1.0).tolist() == [1.0, -1.0]
    idx = npgrad.where(npgrad.tensor([[True, False], [False, True]]))
    assert len(idx) == 2 and [i.tolist() for i in idx] == [[0, 1], [0, 1]]
    assert idx[0].dtype == npgrad.int64


def test_where_errors():
    x = npgrad.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="where.*bool"):
        npgrad.where(npgrad.tensor([1.0, 0.0]), x, 0.0)
    with pytest.raises(ValueError, match=r"where.*\(3,\).*\(2,\)"):
        npgrad.where(npgrad.tensor([True, False, True]), x, 0.0)
    with pytest.raises(TypeError, match="where"):
        npgrad.where(npgrad.tensor([True, False]), x)


# ---- casts, comparisons, logic -------------------------------------------------------------
def test_cast_gradient_returns_to_the_input_dtype():
    x = npgrad.tensor([1.0, 2.0], dtype=npgrad.float16, requires_grad=True)
    y = x.to(npgrad.float64) * 3.0
    y.backward(npgrad.ones(2, dtype=npgrad.float64))
    assert x.grad.dtype == npgrad.float16 and x.grad.tolist() == [3.0, 3.0]
    assert npgrad.ops.elementwise.cast(x, npgrad.float16) is x
    assert not x.to(npgrad.int64).requires_grad


def test_comparisons_promote_and_return_bool():
    i = npgrad.tensor([1, 2, 3])
    for name, ref in [
        ("eq", np.equal),
        ("ne", np.not_equal),
        ("lt", np.less),
        ("le", np.less_equal),
        ("gt", np.greater),
        ("ge", np.greater_equal),
    ]:
        out = getattr(npgrad, name)(i, 2.5)
        assert out.dtype == npgrad.bool and not out.requires_grad
        assert out.tolist() == ref(np.array([1, 2, 3]), 2.5).tolist(), name
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    assert (x > 1.5).tolist() == [False, True] and not (x > 1.5).requires_grad
    assert (2 < npgrad.tensor([1, 3])).tolist() == [False, True]  # noqa: SIM300 (reflected)
    with pytest.raises(ValueError, match=r"lt.*\(2,\).*\(3,\)"):
        npgrad.lt(npgrad.ones(2), npgrad.ones(3))


def test_logic_bitwise_and_float_predicates():
    a, b = npgrad.tensor([True, False, True]), npgrad.tensor([True, True, False])
    assert npgrad.logical_and(a, b).tolist() == [True, False, False]
    assert npgrad.logical_or(a, b).tolist() == [True, True, True]
    assert npgrad.logical_xor(a, b).tolist() == [False, True, True]
    assert npgrad.logical_not(a).tolist() == [False, True, False]
    assert (a & b).tolist() == [True, False, False] and (~a).tolist() == [False, True, False]
    assert (npgrad.tensor([6, 3]) ^ 5).tolist() == [3, 6]
    assert (npgrad.tensor([True, False]) | 2).dtype == npgrad.int64
    with pytest.raises(TypeError, match="bitwise_and"):
        npgrad.tensor([1.0]) & npgrad.tensor([1.0])
    with pytest.raises(TypeError, match="bitwise_not"):
        ~npgrad.tensor([1.0])
    f = npgrad.tensor([np.nan, np.inf, -np.inf, 1.0])
    assert npgrad.isnan(f).tolist() == [True, False, False, False]
    assert npgrad.isinf(f).tolist() == [False, True, True, False]
    assert npgrad.isfinite(f).tolist() == [False, False, False, True]
    assert npgrad.isnan(npgrad.tensor([1, 2])).tolist() == [False, False]


def test_equal_and_allclose():
    assert npgrad.equal(npgrad.tensor([1.0, 2.0]), npgrad.tensor([1.0, 2.0]))
    assert not npgrad.equal(npgrad.tensor([1.0, 2.0]), npgrad.tensor([1.0, 2.5]))
    assert not npgrad.equal(npgrad.tensor([1.0]), npgrad.tensor([1.0, 1.0]))
    assert npgrad.allclose(npgrad.tensor([1.0]), npgrad.tensor([1.0 + 1e-9]))
    assert not npgrad.allclose(npgrad.tensor([1.0]), npgrad.tensor([1.1]))
    assert npgrad.tensor([np.nan]).allclose(npgrad.tensor([np.nan]), equal_nan=True)


def test_aliases_and_exports():
    assert npgrad.absolute is npgrad.abs and npgrad.arcsin is npgrad.asin
    assert npgrad.arccos is npgrad.acos and npgrad.arctan is npgrad.atan
    for module in (npgrad.ops.elementwise, npgrad.ops.comparison, npgrad.ops.binary):
        for name in module.__all__:
            assert getattr(npgrad, name) is getattr(module, name), name


# ---- in place ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "args", "ref"),
    [
        ("exp_", (), np.exp),
        ("log_", (), np.log),
        ("sqrt_", (), np.sqrt),
        ("tanh_", (), np.tanh),
        ("sigmoid_", (), lambda a: 1 / (1 + np.exp(-a))),
        ("relu_", (), lambda a: np.maximum(a, 0)),
        ("abs_", (), np.abs),
        ("clamp_", (0.5, 1.0), lambda a: np.clip(a, 0.5, 1.0)),
        ("clip_", (None, 1.0), lambda a: np.minimum(a, 1.0)),
        ("lerp_", (3.0, 0.5), lambda a: a + 0.5 * (3.0 - a)),
    ],
)
def test_inplace_unary_values_version_and_gradient(method, args, ref):
    a = np.array([0.3, 0.9, 1.7])
    x = _leaf(a)
    y = x * 1.0
    alias = y.detach()  # shares memory: sees the in-place write
    v = y._version
    assert getattr(y, method)(*args) is y
    assert y._version == v + 1
    assert_close(y, ref(a))
    assert_close(alias, ref(a))
    y.backward(npgrad.ones(3, dtype=npgrad.float64))
    # the in-place form has the out-of-place form's gradient
    fn = npgrad.clamp if method == "clip_" else getattr(npgrad, method[:-1])
    x2 = _leaf(a)
    (expected,) = npgrad.autograd.grad(fn(x2, *args), x2, npgrad.ones(3, dtype=npgrad.float64))
    assert_close(x.grad, expected)


def test_inplace_on_leaf_that_requires_grad_raises_and_no_grad_allows_it():
    x = _leaf(np.array([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="exp_.*leaf"):
        x.exp_()
    with npgrad.no_grad():
        x.clamp_(max=1.5)
    assert x.tolist() == [1.0, 1.5] and x.requires_grad


def test_inplace_clamp_of_int_tensor_with_float_bound_raises():
    with pytest.raises(RuntimeError, match="clamp_"):
        npgrad.tensor([1, 2]).clamp_(0.5)


# ---- PyTorch parity ------------------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(UNARY) + ROUNDING)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unary_matches_torch_values_and_gradients(name, dtype):
    torch = pytest.importorskip("torch")
    low, high = UNARY[name][1:] if name in UNARY else (-3.0, 3.0)
    a = _values(low, high, (3, 4), dtype, seed=20)
    g = _values(-1, 1, (3, 4), dtype, seed=21)
    y, (gx,) = _grads(getattr(npgrad, name), [a], g)
    ty, (tgx,) = _grads(getattr(torch, name), [a], g, torch)
    assert y.dtype == ty.dtype and gx.dtype == tgx.dtype
    assert_close(y, ty, msg=name)
    assert_close(gx, tgx, msg=name)


@pytest.mark.torch
def test_special_points_match_torch():
    torch = pytest.importorskip("torch")
    a = np.array([-1000.0, -1.0, 0.0, 2.0, 1000.0, np.nan])
    g = np.ones_like(a)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for name in [
            "abs",
            "relu",
            "sign",
            "sigmoid",
            "tanh",
            "sqrt",
            "log",
            "rsqrt",
            "exp",
            "reciprocal",
            "asin",
            "acos",
        ]:
            y, (gx,) = _grads(getattr(npgrad, name), [a], g)
            ty, (tgx,) = _grads(getattr(torch, name), [a], g, torch)
            assert_close(y, ty, equal_nan=True, msg=name)
            assert_close(gx, tgx, equal_nan=True, msg=name)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("decimals", [0, 1, 2, -1, -2])
def test_round_decimals_matches_torch(dtype, decimals):
    torch = pytest.importorskip("torch")
    a = np.array([1.25, 2.35, -0.55, 123.456, 0.049, -1234.5, 2.5, 0.125], dtype=dtype)
    out = npgrad.round(npgrad.tensor(a), decimals=decimals)
    ref = torch.round(torch.tensor(a), decimals=decimals).numpy()
    assert out.dtype == ref.dtype
    np.testing.assert_array_equal(out.numpy(), ref)


@pytest.mark.torch
def test_clamp_maximum_minimum_lerp_atan2_match_torch():
    torch = pytest.importorskip("torch")
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, np.nan])
    lo = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    hi = np.array([1.0, 1.0, -1.0, 1.0, 1.0, 1.0])  # one min > max
    g = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    cases = [
        (lambda x, lo, hi: npgrad.clamp(x, lo, hi), lambda x, lo, hi: torch.clamp(x, lo, hi)),
        (
            lambda x, lo, hi: npgrad.clamp(x, min=lo) * hi,
            lambda x, lo, hi: torch.clamp(x, min=lo) * hi,
        ),
        (
            lambda x, lo, hi: npgrad.clamp(x, max=hi) + lo,
            lambda x, lo, hi: torch.clamp(x, max=hi) + lo,
        ),
        (
            lambda x, lo, hi: npgrad.clamp(x, 0.0, 1.0) * lo,
            lambda x, lo, hi: torch.clamp(x, 0.0, 1.0) * lo,
        ),
        (lambda x, lo, hi: npgrad.maximum(x, lo) * hi, lambda x, lo, hi: torch.maximum(x, lo) * hi),
        (lambda x, lo, hi: npgrad.minimum(x, hi) * lo, lambda x, lo, hi: torch.minimum(x, hi) * lo),
        (lambda x, lo, hi: npgrad.lerp(x, lo, hi), lambda x, lo, hi: torch.lerp(x, lo, hi)),
        (lambda x, lo, hi: npgrad.atan2(x, lo) + hi, lambda x, lo, hi: torch.atan2(x, lo) + hi),
    ]
    for k, (f, tf) in enumerate(cases):
        y, grads = _grads(f, [x, lo, hi], g)
        ty, tgrads = _grads(tf, [x, lo, hi], g, torch)
        assert_close(y, ty, equal_nan=True, msg=f"case {k}")
        for i, (a, b) in enumerate(zip(grads, tgrads)):
            assert_close(a, b, equal_nan=True, msg=f"case {k}, input {i}")


@pytest.mark.torch
def test_dtype_rules_match_torch():
    torch = pytest.importorskip("torch")
    tdt = {
        np.dtype(k): v
        for k, v in [
            ("int64", torch.int64),
            ("int32", torch.int32),
            ("uint8", torch.uint8),
            ("bool", torch.bool),
            ("float16", torch.float16),
            ("float64", torch.float64),
        ]
    }
    for d, td in tdt.items():
        a = np.array([1, 3, 2]).astype(d)
        for name in ["exp", "sigmoid", "sqrt", "square", "reciprocal", "sign", "atan"]:
            ours = getattr(npgrad, name)(npgrad.tensor(a)).dtype
            theirs = getattr(torch, name)(torch.tensor(a, dtype=td)).dtype
            assert str(theirs) == f"torch.{ours}", (name, d)
        if d.kind != "b":
            for name in ["abs", "relu", "floor", "ceil", "trunc", "round"]:
                ours = getattr(npgrad, name)(npgrad.tensor(a)).dtype
                theirs = getattr(torch, name)(torch.tensor(a, dtype=td)).dtype
                assert str(theirs) == f"torch.{ours}", (name, d)
        for bound in (0, 0.5):
            ours = npgrad.clamp(npgrad.tensor(a), bound).dtype
            theirs = torch.clamp(torch.tensor(a, dtype=td), bound).dtype
            assert str(theirs) == f"torch.{ours}", ("clamp", d, bound)


@pytest.mark.parametrize(
    "fn", [npgrad.isnan, npgrad.isinf, npgrad.isfinite, npgrad.logical_not, npgrad.bitwise_not]
)
def test_predicates_of_a_non_tensor_raise_a_type_error_naming_the_op(fn):
    with pytest.raises(TypeError, match=f"{fn.__name__}: expected a Tensor, got list"):
        fn([1.0])
    assert fn(np.array([1, 0])).shape == (2,)  # arrays are accepted, as by the other ops
