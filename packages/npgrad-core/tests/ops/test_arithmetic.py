"""Arithmetic: + - * / // % ** and negation; dtype promotion; in-place forms; errors."""

from __future__ import annotations

import operator
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

BINARY = {
    "add": (npgrad.add, np.add),
    "sub": (npgrad.sub, np.subtract),
    "mul": (npgrad.mul, np.multiply),
    "div": (npgrad.div, np.true_divide),
    "pow": (npgrad.pow, np.power),
    "remainder": (npgrad.remainder, np.remainder),
    "floor_divide": (npgrad.floor_divide, np.floor_divide),
}
SHAPES = hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)


def _uniform(low, high, shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def _operands(name, sa, sb, dtype, seed=0):
    """Inputs away from each op's singularities and discontinuities."""
    rng = np.random.default_rng(seed)
    if name in ("pow", "div"):
        a = rng.uniform(0.5, 2.0, sa)
        b = rng.uniform(0.5, 2.0, sb) * (1 if name == "pow" else rng.choice([-1, 1], sb))
    elif name in ("remainder", "floor_divide"):
        # a = (q + frac) * b with frac in [0.2, 0.8]: floor(a / b) = q, robustly
        b = rng.uniform(1.0, 2.0, sb) * rng.choice([-1, 1], sb)
        q = rng.integers(-2, 3, np.broadcast_shapes(sa, sb))
        a_full = (q + rng.uniform(0.2, 0.8, q.shape)) * b
        a = a_full[(0,) * (a_full.ndim - len(sa)) + tuple(slice(0, n) for n in sa)]
        if a.shape != sa:  # sa broadcasts: pick values consistent with every b it meets
            a = rng.uniform(0.3, 0.7, sa)
            b = rng.uniform(1.0, 2.0, sb)
    else:
        a, b = rng.uniform(-2.0, 2.0, sa), rng.uniform(-2.0, 2.0, sb)
    return a.astype(dtype), b.astype(dtype)


def _leaf(a):
    return npgrad.tensor(a, requires_grad=True)


def _ones(t):
    return npgrad.ones(t.shape, dtype=t.dtype)


# ---- forward, backward, second order -------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(sorted(BINARY)),
    dtype=st.sampled_from([np.float32, np.float64]),
    shapes=SHAPES,
)
def test_binary_forward_matches_numpy(name, dtype, shapes):
    fn, ref = BINARY[name]
    a, b = _operands(name, *shapes.input_shapes, dtype)
    out = fn(npgrad.tensor(a), npgrad.tensor(b))
    assert out.shape == shapes.result_shape and out.dtype == np.dtype(dtype)
    assert_close(out, np.asarray(ref(a, b)), msg=name)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow", "remainder"])
@settings(max_examples=15, deadline=None)
@given(shapes=SHAPES)
def test_binary_gradcheck_and_gradgradcheck_with_broadcasting(name, shapes):
    a, b = (_leaf(v) for v in _operands(name, *shapes.input_shapes, np.float64, seed=1))
    fn = BINARY[name][0]
    assert gradcheck(fn, (a, b))
    assert gradgradcheck(fn, (a, b))


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow"])
def test_binary_with_python_scalars_on_either_side(name):
    fn = BINARY[name][0]
    x = _leaf(_uniform(0.5, 2.0, (2, 3)))
    assert gradcheck(lambda t: fn(t, 1.7), (x,))
    assert gradgradcheck(lambda t: fn(t, 1.7), (x,))
    assert gradcheck(lambda t: fn(1.7, t), (x,))
    assert gradgradcheck(lambda t: fn(1.7, t), (x,))
    assert_close(fn(1.7, x).detach(), BINARY[name][1](1.7, x.numpy()))


@pytest.mark.parametrize("name", ["div", "pow", "mul", "sub"])
def test_second_order_is_right_for_0d_tensors(name):
    # NumPy returns a scalar, not an array, for 0-d operands; the op's saved output must
    # still be recognised as its output (it used to become a constant: wrong second order)
    a = npgrad.tensor(1.5, dtype=npgrad.float64, requires_grad=True)
    b = npgrad.tensor(0.7, dtype=npgrad.float64, requires_grad=True)
    assert gradgradcheck(BINARY[name][0], (a, b))


def test_operators_are_the_functions():
    a, b = npgrad.tensor([3.0, -7.5]), npgrad.tensor([2.0, 2.0])
    for op, fn in [
        (operator.add, npgrad.add),
        (operator.sub, npgrad.sub),
        (operator.mul, npgrad.mul),
        (operator.truediv, npgrad.div),
        (operator.floordiv, npgrad.floor_divide),
        (operator.mod, npgrad.remainder),
        (operator.pow, npgrad.pow),
    ]:
        assert_close(op(a, b), fn(a, b))
    assert_close(-a, npgrad.neg(a))
    assert +a is a
    assert npgrad.true_divide is npgrad.div
    assert a.multiply(b).tolist() == a.mul(b).tolist() == [6.0, -15.0]


def test_grad_fn_names():
    x = _leaf(np.array([1.0, 2.0]))
    names = {
        "AddBackward": x + 1,
        "SubBackward": x - 1,
        "MulBackward": x * 2,
        "DivBackward": x / 2,
        "PowBackward": x**2,
        "NegBackward": -x,
        "RemainderBackward": x % 2,
    }
    for name, y in names.items():
        assert y.grad_fn.name() == name


# ---- alpha, rounding modes, floor division, remainder, pow ---------------------------------
def test_add_sub_alpha():
    x, y = _leaf(np.array([1.0, 2.0])), _leaf(np.array([10.0, 20.0]))
    out = npgrad.add(x, y, alpha=0.5)
    assert out.tolist() == [6.0, 12.0]
    gx, gy = npgrad.autograd.grad(out, (x, y), _ones(out))
    assert gx.tolist() == [1.0, 1.0] and gy.tolist() == [0.5, 0.5]
    out = npgrad.sub(x, y, alpha=2)
    assert out.tolist() == [-19.0, -38.0]
    gx, gy = npgrad.autograd.grad(out, (x, y), _ones(out))
    assert gy.tolist() == [-2.0, -2.0]
    assert x.sub(y, alpha=-1).tolist() == [11.0, 22.0]


def test_add_alpha_with_a_python_number_other():
    # regression: ``other * alpha`` of two numbers used to raise "at least one operand must be
    # a Tensor"
    assert npgrad.add(npgrad.tensor([1, 2]), 2, alpha=3).tolist() == [7, 8]
    assert npgrad.sub(npgrad.tensor([1.0, 2.0]), 2, alpha=0.5).tolist() == [0.0, 1.0]


INT_PAIRS = (np.array([-7, 7, -7, 7, 6, -6]), np.array([2, 2, -2, -2, 3, 3]))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float32, np.float64])
def test_div_rounding_modes(dtype):
    a, b = (v.astype(dtype) for v in INT_PAIRS)
    trunc = npgrad.div(npgrad.tensor(a), npgrad.tensor(b), rounding_mode="trunc")
    floor = npgrad.div(npgrad.tensor(a), npgrad.tensor(b), rounding_mode="floor")
    assert trunc.dtype == dtype and floor.dtype == dtype
    assert trunc.tolist() == [-3, 3, 3, -3, 2, -2]
    assert floor.tolist() == [-4, 3, 3, -4, 2, -2]
    assert npgrad.tensor(a).div(2.0, rounding_mode="floor").dtype == (
        dtype if np.dtype(dtype).kind == "f" else npgrad.float32
    )


def test_int64_trunc_division_is_exact_for_large_values():
    big = npgrad.tensor([2**62 + 1, -(2**62) - 1])
    out = npgrad.div(big, npgrad.tensor([3, 3]), rounding_mode="trunc")
    assert out.tolist() == [(2**62 + 1) // 3, -((2**62 + 1) // 3)]


def test_rounded_division_has_zero_gradient_and_bad_mode_raises():
    x, y = _leaf(np.array([3.5, -3.5])), _leaf(np.array([2.0, 2.0]))
    for mode in ("trunc", "floor"):
        out = npgrad.div(x, y, rounding_mode=mode)
        gx, gy = npgrad.autograd.grad(out, (x, y), _ones(out))
        assert gx.tolist() == [0.0, 0.0] and gy.tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="div.*rounding_mode"):
        npgrad.div(x, y, rounding_mode="round")


def test_floor_divide_and_remainder_follow_python_signs():
    a, b = npgrad.tensor([-7, 7, -7, 7]), npgrad.tensor([3, 3, -3, -3])
    assert (a // b).tolist() == [-3, 2, 2, -3]
    assert (a % b).tolist() == [2, 1, -1, -2]
    af, bf = a.double(), b.double()
    assert (af // bf).tolist() == [-3.0, 2.0, 2.0, -3.0]
    assert (af % bf).tolist() == [2.0, 1.0, -1.0, -2.0]
    assert (npgrad.tensor([5.5]) % 2).tolist() == [1.5]
    assert (7 % npgrad.tensor([3, -3])).tolist() == [1, -2]


def test_floor_divide_gradient_is_zero():
    # a deliberate difference: PyTorch raises "derivative for floor_divide is not implemented"
    x, y = _leaf(np.array([3.5, -3.5])), _leaf(np.array([2.0, 2.0]))
    out = npgrad.floor_divide(x, y)
    gx, gy = npgrad.autograd.grad(out, (x, y), _ones(out))
    assert gx.tolist() == [0.0, 0.0] and gy.tolist() == [0.0, 0.0]


def test_remainder_gradients():
    x, y = _leaf(np.array([-7.0, 7.0, -7.0, 7.5])), _leaf(np.array([3.0, 3.0, -3.0, -2.0]))
    gx, gy = npgrad.autograd.grad(x % y, (x, y), npgrad.ones(4, dtype=npgrad.float64))
    assert gx.tolist() == [1.0, 1.0, 1.0, 1.0]
    assert gy.tolist() == [3.0, -2.0, -2.0, 4.0]  # -floor(x / y)


def test_pow_forms_and_dtypes():
    i = npgrad.tensor([1, 2, 3])
    assert (i**2).tolist() == [1, 4, 9] and (i**2).dtype == npgrad.int64
    assert (i**2.5).dtype == npgrad.float32
    assert (2**i).tolist() == [2, 4, 8] and (2**i).dtype == npgrad.int64
    assert (2.5**i).dtype == npgrad.float32
    h = npgrad.tensor([1.5], dtype=npgrad.float16)
    assert (h**2).dtype == npgrad.float16
    with pytest.raises(RuntimeError, match="negative integer powers"):
        i**-1  # noqa: B018
    assert (npgrad.tensor([2.0]) ** -1).tolist() == [0.5]


def test_integer_tensor_to_negative_integer_tensor_powers_are_computed_like_torch():
    # PyTorch refuses only a negative *scalar* exponent; element-wise, 1 ** -n = 1,
    # (-1) ** -n = +-1 and every other base gives 0 (the integer part of 1 / a**n)
    a = npgrad.tensor([0, 1, -1, 2, -2, 0, 1, -1, 3, 2])
    b = npgrad.tensor([-1, -1, -1, -1, -1, -2, -2, -2, -2, 3])
    out = a**b
    assert out.dtype == npgrad.int64
    assert out.tolist() == [0, 1, -1, 0, 0, 0, 1, 1, 0, 8]
    assert (npgrad.tensor(2) ** npgrad.tensor([-1, 2])).tolist() == [0, 4]
    assert (2 ** npgrad.tensor([-1, 2])).tolist() == [0, 4]
    u = npgrad.tensor([1, 2], dtype=npgrad.int32) ** npgrad.tensor([-3, -1], dtype=npgrad.int32)
    assert u.dtype == npgrad.int32 and u.tolist() == [1, 0]
    with pytest.raises(RuntimeError, match="negative integer powers"):
        npgrad.tensor([2], dtype=npgrad.uint8) ** -1  # noqa: B018 - not 2 ** 255


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: a // b,
        lambda a, b: a % b,
        lambda a, b: npgrad.div(a, b, rounding_mode="trunc"),
        lambda a, b: npgrad.div(a, b, rounding_mode="floor"),
    ],
)
@pytest.mark.parametrize("divisor", [0, npgrad.tensor([1, 0])])
def test_integer_division_by_zero_raises_like_torch(fn, divisor):
    # NumPy returns 0 with a RuntimeWarning; PyTorch raises (a RuntimeError)
    with pytest.raises(ZeroDivisionError, match="division by zero") as info:
        fn(npgrad.tensor([5, 7]), divisor)
    assert isinstance(info.value, RuntimeError)
    u8 = npgrad.tensor([5], dtype=npgrad.uint8)
    with pytest.raises(ZeroDivisionError):
        fn(u8, npgrad.tensor([0], dtype=npgrad.uint8))
    # floats divide by zero to inf / nan, as in PyTorch
    assert (npgrad.tensor([5.0]) // 0).tolist() == [float("inf")]
    # nothing is divided when the result is empty
    assert fn(npgrad.zeros(0, 2, dtype=npgrad.int64), npgrad.tensor([1, 0])).shape == (0, 2)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (npgrad.tensor([True, False]), npgrad.tensor([True, True])),
        (npgrad.tensor([1, 2]), npgrad.tensor([True, False])),
        (npgrad.tensor([True, False]), 1),
        (npgrad.tensor([1.0, 2.0]), True),
        (1.5, npgrad.tensor([True, False])),
    ],
)
def test_subtraction_with_a_bool_operand_raises_like_torch(a, b):
    with pytest.raises(TypeError, match="sub: subtraction, the `-` operator, with .*bool"):
        a - b  # noqa: B018
    with pytest.raises(TypeError, match="sub: subtraction"):
        npgrad.sub(a, b)


def test_pow_of_scalar_zero_base_exponent_gradient_follows_torch():
    # d(0 ** b)/db = 0 ** b * log(0): PyTorch takes 0 where b >= 0, and the product
    # (+-inf) where b < 0
    b = _leaf(np.array([-1.0, 0.0, 2.0]))
    (g,) = npgrad.autograd.grad(0.0**b, b, npgrad.tensor([1.0, 1.0, 1.0], dtype=npgrad.float64))
    assert g.tolist() == [float("-inf"), 0.0, 0.0]


def test_pow_of_a_negative_scalar_base_is_quiet():
    b = _leaf(np.array([2.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = (-2.0) ** b
        (g,) = npgrad.autograd.grad(y, b, npgrad.ones(1, dtype=npgrad.float64))
    assert y.tolist() == [4.0] and np.isnan(g.item())  # log(-2) is nan, as in PyTorch


@pytest.mark.filterwarnings(
    "ignore:divide by zero:RuntimeWarning", "ignore:invalid value:RuntimeWarning"
)
def test_pow_zero_to_the_zero_has_zero_gradients():
    x = _leaf(np.array([0.0, 0.0, 2.0]))
    b = _leaf(np.array([0.0, 2.0, 0.0]))
    y = x**b
    assert y.tolist() == [1.0, 0.0, 1.0]
    gx, gb = npgrad.autograd.grad(y, (x, b), _ones(y))
    assert gx.tolist() == [0.0, 0.0, 0.0]
    assert_close(gb, npgrad.tensor([0.0, 0.0, np.log(2.0)], dtype=npgrad.float64))
    for exponent in (0, 0.0):
        x = _leaf(np.array([0.0, 3.0]))
        (g,) = npgrad.autograd.grad(x**exponent, x, npgrad.ones(2, dtype=npgrad.float64))
        assert g.tolist() == [0.0, 0.0]


def test_rpow_gradient():
    x = _leaf(np.array([0.0, -1.0, 2.0]))
    y = 2.0**x
    assert y.tolist() == [1.0, 0.5, 4.0]
    (g,) = npgrad.autograd.grad(y, x, _ones(y))
    assert_close(g, y.detach() * np.log(2.0))
    assert gradgradcheck(lambda t: 3.0**t, (x,))


def test_neg():
    x = _leaf(np.array([1.0, -2.0]))
    y = -x
    assert y.tolist() == [-1.0, 2.0]
    (g,) = npgrad.autograd.grad(y, x, _ones(y))
    assert g.tolist() == [-1.0, -1.0]
    assert x.negative().tolist() == [-1.0, 2.0]
    assert (-npgrad.tensor([1, -2], dtype=npgrad.int8)).tolist() == [-1, 2]
    with pytest.raises(TypeError, match="neg.*bool"):
        -npgrad.tensor([True])  # noqa: B018


# ---- dtype promotion -----------------------------------------------------------------------
PROMOTION = [
    # (lhs, rhs, op, expected)
    (lambda: npgrad.tensor([1, 2]), lambda: 2.5, operator.mul, npgrad.float32),
    (
        lambda: npgrad.tensor([1.0, 2.0]),
        lambda: npgrad.tensor(1.0, dtype=npgrad.float64),
        operator.add,
        npgrad.float32,
    ),
    (
        lambda: npgrad.tensor([1, 2]),
        lambda: npgrad.tensor([1.0, 2.0]),
        operator.add,
        npgrad.float32,
    ),
    (
        lambda: npgrad.tensor([1, 2], dtype=npgrad.uint8),
        lambda: npgrad.tensor([1, 2], dtype=npgrad.int8),
        operator.add,
        npgrad.int16,
    ),
    (lambda: npgrad.tensor([True, False]), lambda: 1, operator.add, npgrad.int64),
    (lambda: npgrad.tensor([True, False]), lambda: 2.5, operator.mul, npgrad.float32),
    (
        lambda: npgrad.tensor([1, 2]),
        lambda: npgrad.tensor([2, 2]),
        operator.truediv,
        npgrad.float32,
    ),
    (lambda: npgrad.tensor([1, 2]), lambda: 2, operator.truediv, npgrad.float32),
    (lambda: 2, lambda: npgrad.tensor([1, 2]), operator.truediv, npgrad.float32),
    (lambda: npgrad.tensor([1.0], dtype=npgrad.float16), lambda: 1e6, operator.mul, npgrad.float16),
    (
        lambda: npgrad.tensor([1], dtype=npgrad.int32),
        lambda: npgrad.tensor(1),
        operator.add,
        npgrad.int32,
    ),
    (
        lambda: npgrad.tensor([1], dtype=npgrad.int32),
        lambda: npgrad.tensor([1]),
        operator.add,
        npgrad.int64,
    ),
    (
        lambda: npgrad.tensor(1, dtype=npgrad.int32),
        lambda: npgrad.tensor(1.5, dtype=npgrad.float64),
        operator.add,
        npgrad.float64,
    ),
    (lambda: npgrad.tensor([True]), lambda: npgrad.tensor([True]), operator.add, npgrad.bool),
    (
        lambda: npgrad.tensor([1.0], dtype=npgrad.float16),
        lambda: npgrad.tensor([1.0]),
        operator.mul,
        npgrad.float32,
    ),
    (
        lambda: npgrad.tensor([1.0], dtype=npgrad.float64),
        lambda: np.float32(2.0),
        operator.mul,
        npgrad.float64,
    ),
    (lambda: npgrad.tensor([1.0]), lambda: np.float64(2.0), operator.mul, npgrad.float32),
    (lambda: npgrad.tensor([1], dtype=npgrad.int8), lambda: 1000, operator.add, npgrad.int8),
]


@pytest.mark.parametrize(("lhs", "rhs", "op", "expected"), PROMOTION)
def test_dtype_promotion(lhs, rhs, op, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # float16 * 1e6 overflows
        assert op(lhs(), rhs()).dtype == expected


def test_mixed_dtype_gradients_come_back_in_each_inputs_dtype():
    h = npgrad.tensor([1.0, 2.0], dtype=npgrad.float16, requires_grad=True)
    d = npgrad.tensor([3.0, 4.0], dtype=npgrad.float64, requires_grad=True)
    y = h * d
    assert y.dtype == npgrad.float64
    y.backward(npgrad.ones(2, dtype=npgrad.float64))
    assert h.grad.dtype == npgrad.float16 and h.grad.tolist() == [3.0, 4.0]
    assert d.grad.dtype == npgrad.float64 and d.grad.tolist() == [1.0, 2.0]


def test_float32_work_is_not_upcast_by_python_or_numpy_scalars():
    x = npgrad.tensor([1.0, 2.0])
    for y in (x * 2.5, x / 3.0, x + np.float64(0.1), x**0.5, 1.0 - x, x % 0.7):
        assert y.dtype == npgrad.float32


def test_float16_times_large_python_float_matches_pytorch_values():
    x = npgrad.tensor([1e-3], dtype=npgrad.float16)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert (x * 1e6).tolist() == [1000.5]


# ---- operand types and errors ---------------------------------------------------------------
def test_ndarray_on_the_left_gives_a_tensor():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    for y in (np.ones(2, dtype=np.float32) + x, np.float32(2.0) * x, np.ones(2) - x):
        assert isinstance(y, npgrad.Tensor) and y.requires_grad
    y = np.array([3.0, 4.0], dtype=np.float32) * x
    assert y.tolist() == [3.0, 8.0]
    y.backward(npgrad.ones(2))
    assert x.grad.tolist() == [3.0, 4.0]


@pytest.mark.parametrize(
    ("op", "name"),
    [
        (operator.add, "add"),
        (operator.sub, "sub"),
        (operator.mul, "mul"),
        (operator.truediv, "div"),
        (operator.pow, "pow"),
        (operator.floordiv, "floor_divide"),
        (operator.mod, "remainder"),
    ],
)
def test_unsupported_operands_and_broadcast_errors_name_the_op(op, name):
    x = npgrad.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match=f"{name}.*list"):
        op(x, [1.0, 2.0])
    with pytest.raises(TypeError, match=f"{name}.*str"):
        op(x, "a")
    with pytest.raises(ValueError, match=rf"{name}.*\(2, 3\).*\(4,\)"):
        op(npgrad.ones(2, 3), npgrad.ones(4))


def test_functions_need_a_tensor():
    with pytest.raises(TypeError, match="add"):
        npgrad.add(1, 2)


# ---- in place ------------------------------------------------------------------------------
INPLACE = [
    ("add_", (np.array([1.0, 2.0, 3.0]),), {}, lambda a: a + np.array([1.0, 2.0, 3.0])),
    ("add_", (2.0,), {"alpha": 3}, lambda a: a + 6.0),
    ("sub_", (0.5,), {}, lambda a: a - 0.5),
    ("sub_", (np.array([1.0, 1.0, 1.0]),), {"alpha": 2}, lambda a: a - 2.0),
    ("mul_", (np.array([2.0, 3.0, 4.0]),), {}, lambda a: a * np.array([2.0, 3.0, 4.0])),
    ("div_", (4.0,), {}, lambda a: a / 4.0),
    ("div_", (0.5,), {"rounding_mode": "floor"}, lambda a: np.floor(a / 0.5)),
    ("pow_", (2,), {}, lambda a: a**2),
    ("neg_", (), {}, lambda a: -a),
    ("exp_", (), {}, np.exp),
    ("clamp_", (0.5, 1.5), {}, lambda a: np.clip(a, 0.5, 1.5)),
]


@pytest.mark.parametrize(("method", "args", "kwargs", "ref"), INPLACE)
def test_inplace_values_identity_version_and_gradient(method, args, kwargs, ref):
    a = np.array([0.3, 1.1, 2.7])
    x = _leaf(a)
    y = x * 1.0
    view = y.detach()  # shares memory
    targs = tuple(npgrad.tensor(v) if isinstance(v, np.ndarray) else v for v in args)
    v0 = y._version
    assert getattr(y, method)(*targs, **kwargs) is y
    assert y._version == v0 + 1
    assert_close(y, ref(a))
    assert_close(view, ref(a))
    y.backward(npgrad.ones(3, dtype=npgrad.float64))
    # the gradient is the out-of-place op's
    x2 = _leaf(a)
    out_of_place = getattr(x2 * 1.0, method[:-1])(*targs, **kwargs)
    (expected,) = npgrad.autograd.grad(out_of_place, x2, npgrad.ones(3, dtype=npgrad.float64))
    assert_close(x.grad, expected)


def test_augmented_assignment_is_in_place():
    x = npgrad.tensor([1.0, 2.0])
    alias = x
    x += 1
    x *= 3
    x -= 1
    x /= 2
    x **= 2
    assert alias is x and x.tolist() == [6.25, 16.0]
    i = npgrad.tensor([7, -7])
    i //= 2
    assert i.tolist() == [3, -4]
    i %= 3
    assert i.tolist() == [0, 2]


def test_inplace_gradient_flows_to_the_other_operand():
    x = npgrad.tensor([1.0, 2.0])  # no grad
    w = _leaf(np.array([3.0, 4.0], dtype=np.float32))
    x.mul_(w)
    assert x.requires_grad and x.grad_fn.name() == "MulBackward"
    x.backward(npgrad.ones(2))
    assert w.grad.tolist() == [1.0, 2.0]


def test_inplace_dtype_and_shape_errors():
    with pytest.raises(RuntimeError, match="div_.*float32.*int64"):
        npgrad.tensor([1, 2]).div_(2)
    with pytest.raises(RuntimeError, match="add_.*shape"):
        npgrad.tensor([1.0, 2.0]).add_(npgrad.ones(3, 2))
    i = npgrad.tensor([1, 2])
    i.add_(3)
    assert i.tolist() == [4, 5] and i.dtype == npgrad.int64


@pytest.mark.parametrize("method", ["add_", "sub_", "mul_", "div_", "pow_", "exp_", "clamp_"])
def test_inplace_on_a_leaf_that_requires_grad_raises(method):
    x = _leaf(np.array([1.0, 2.0]))
    args = {"clamp_": (0.0, 1.0), "exp_": ()}.get(method, (2.0,))
    with pytest.raises(RuntimeError, match=f"{method}.*leaf"):
        getattr(x, method)(*args)
    with npgrad.no_grad():
        getattr(x, method)(*args)  # allowed: e.g. an optimizer step
    assert x.requires_grad and x.is_leaf


def _version_cases(lib):
    """In-place patterns after which PyTorch's backward does or doesn't raise."""

    def t(v):
        return lib.tensor(v, requires_grad=True)

    def c_exp_then_add():  # exp saves its output, which add_ overwrites: error
        x = t([1.0, 2.0])
        y = x.exp()
        y.add_(1)
        return x, y

    def c_mul_then_add():  # mul by a constant saves nothing of y: fine
        x = t([1.0, 2.0])
        y = x * 2
        y.add_(1)
        return x, y

    def c_square_then_modify_input():  # z saved y, then y changed: error
        x = t([1.0, 2.0])
        y = x * 2
        z = y * y
        y.add_(1)
        return x, z

    def c_exp_inplace():  # fine: the saved output is exp_'s own
        x = t([1.0, 2.0])
        y = x * 2
        y.exp_()
        return x, y

    def c_mul_by_itself():  # y.mul_(y) saves y, which it then overwrites: error
        x = t([1.0, 2.0])
        y = x * 2
        y.mul_(y)
        return x, y

    def c_pow_inplace():
        x = t([1.0, 2.0])
        y = x * 2
        y.pow_(2)
        return x, y

    def c_clamp_inplace():
        x = t([1.0, 2.0])
        y = x * 2
        y.clamp_(0, 3)
        return x, y

    def c_div_by_input():
        x = t([1.0, 2.0])
        y = x * 2
        y.div_(x)
        return x, y

    def c_sigmoid_then_mul():  # sigmoid saves its output: error
        x = t([1.0, 2.0])
        y = x.sigmoid()
        y.mul_(2)
        return x, y

    def c_tanh_then_sub():
        x = t([1.0, 2.0])
        y = x.tanh()
        y.sub_(1)
        return x, y

    def c_sqrt_then_add():
        x = t([1.0, 2.0])
        y = x.sqrt()
        y.add_(1)
        return x, y

    def c_input_of_mul_modified():  # mul saved x2 (the input): error
        x = t([1.0, 2.0])
        x2 = x * 1
        y = x2 * x2
        x2.mul_(3)
        return x, y

    # name -> (build, the gradient of x when backward works, or None where PyTorch 2.13 raises
    # "modified by an inplace operation"; checked with it, re-checked by the parity test)
    e2 = np.exp([2.0, 4.0])
    return {
        "exp_then_add": (c_exp_then_add, None),
        "mul_then_add": (c_mul_then_add, [2.0, 2.0]),
        "square_then_modify_input": (c_square_then_modify_input, None),
        "exp_inplace": (c_exp_inplace, list(2 * e2)),
        "mul_by_itself": (c_mul_by_itself, None),
        "pow_inplace": (c_pow_inplace, [8.0, 16.0]),
        "clamp_inplace": (c_clamp_inplace, [2.0, 0.0]),
        "div_by_input": (c_div_by_input, [0.0, 0.0]),
        "sigmoid_then_mul": (c_sigmoid_then_mul, None),
        "tanh_then_sub": (c_tanh_then_sub, None),
        "sqrt_then_add": (c_sqrt_then_add, None),
        "input_of_mul_modified": (c_input_of_mul_modified, None),
    }


VERSION_CASES = sorted(_version_cases(npgrad))


@pytest.mark.parametrize("name", VERSION_CASES)
def test_version_counter_errors(name):
    build, expected = _version_cases(npgrad)[name]
    x, y = build()
    if expected is None:
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward(npgrad.ones(y.shape, dtype=y.dtype))
    else:
        y.backward(npgrad.ones(y.shape, dtype=y.dtype))
        assert_close(x.grad, np.array(expected, dtype=np.float32))


@pytest.mark.torch
@pytest.mark.parametrize("name", VERSION_CASES)
def test_version_counter_errors_match_torch(name):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (npgrad, torch):
        x, y = _version_cases(lib)[name][0]()
        try:
            y.backward(lib.ones(y.shape, dtype=y.dtype))
            results.append(x.grad.numpy())
        except RuntimeError as e:
            results.append(str(e))
    ours, theirs = results
    assert type(ours) is type(theirs), (ours, theirs)
    if isinstance(ours, str):
        assert "modified by an inplace operation" in ours
        assert "modified by an inplace operation" in theirs
    else:
        assert_close(ours, theirs)


def test_inplace_twice_on_a_saved_output_still_gives_the_right_gradient():
    # PyTorch raises here (the second exp_ overwrites the output the first saved); npgrad
    # computes each in-place op out of place, so the saved value is intact: a documented
    # difference, never a wrong gradient
    x = _leaf(np.array([0.1, 0.2]))
    y = x * 2
    y.exp_()
    y.exp_()
    y.backward(npgrad.ones(2, dtype=npgrad.float64))
    a = x.numpy()
    assert_close(x.grad, np.exp(np.exp(2 * a)) * np.exp(2 * a) * 2)


# ---- PyTorch parity ------------------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow", "remainder"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_matches_torch_values_and_gradients(name, dtype):
    torch = pytest.importorskip("torch")
    a, b = _operands(name, (3, 1, 4), (2, 4), dtype, seed=5)
    g = _uniform(-1, 1, (3, 2, 4), dtype, seed=6)
    ours, theirs = [], []
    for lib, out in ((npgrad, ours), (torch, theirs)):
        x, y = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        z = getattr(lib, name)(x, y)
        z.backward(lib.tensor(g))
        out += [np.asarray(v.detach().numpy()) for v in (z, x.grad, y.grad)]
    for o, t in zip(ours, theirs):
        assert o.dtype == t.dtype
        assert_close(o, t, msg=name)


@pytest.mark.filterwarnings(
    "ignore:divide by zero:RuntimeWarning", "ignore:invalid value:RuntimeWarning"
)
@pytest.mark.torch
def test_special_cases_match_torch():
    torch = pytest.importorskip("torch")
    a = np.array([0.0, 0.0, 2.0, -3.5, 7.0])
    b = np.array([0.0, 2.0, 0.0, 2.0, -3.0])
    g = np.ones(5)
    for name in ["pow", "remainder", "div_trunc", "div_floor"]:
        res = []
        for lib in (npgrad, torch):
            divisor = b if name == "pow" else b + 1.0  # no division by zero
            x, y = lib.tensor(a, requires_grad=True), lib.tensor(divisor, requires_grad=True)
            if name.startswith("div_"):
                z = lib.div(x, y, rounding_mode=name[4:])
            else:
                z = getattr(lib, name)(x, y)
            z.backward(lib.tensor(g))
            res.append([z.detach().numpy(), x.grad.numpy(), y.grad.numpy()])
        for o, t in zip(*res):
            assert_close(o, t, equal_nan=True, msg=name)
    # scalar exponents (0 included) and scalar bases
    for fn in (lambda x: x**0.0, lambda x: x**2, lambda x: 2.0**x, lambda x: 0.5 - x):
        res = []
        for lib in (npgrad, torch):
            x = lib.tensor(a, requires_grad=True)
            z = fn(x)
            z.backward(lib.tensor(g))
            res.append([z.detach().numpy(), x.grad.numpy()])
        for o, t in zip(*res):
            assert_close(o, t)


@pytest.mark.torch
def test_promotion_matches_torch():
    torch = pytest.importorskip("torch")

    def to_torch(v):
        if isinstance(v, npgrad.Tensor):
            return torch.tensor(v.numpy())
        return v

    for lhs, rhs, op, expected in PROMOTION:
        if isinstance(rhs(), np.generic):
            continue  # torch treats NumPy scalars as 0-d tensors; npgrad as Python numbers
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            ours = op(lhs(), rhs()).dtype
        theirs = op(to_torch(lhs()), to_torch(rhs())).dtype
        assert str(theirs) == f"torch.{ours}" == f"torch.{expected}"


# ---- the tensor-and-scalar forms (AddScalar, MulScalar, DivScalar) ----------------------------
SCALAR_FORMS = {
    "x + c": (lambda x, c: x + c, lambda a, c: a + c, "AddBackward"),
    "c + x": (lambda x, c: c + x, lambda a, c: c + a, "AddBackward"),
    "x * c": (lambda x, c: x * c, lambda a, c: a * c, "MulBackward"),
    "c * x": (lambda x, c: c * x, lambda a, c: c * a, "MulBackward"),
    "x / c": (lambda x, c: x / c, lambda a, c: a / c, "DivBackward"),
}


@pytest.mark.parametrize("form", sorted(SCALAR_FORMS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_scalar_forms_forward_dtype_name_and_both_orders(form, dtype, shape):
    f, ref, node = SCALAR_FORMS[form]
    a = _uniform(-2, 2, shape, dtype)
    x = _leaf(a)
    y = f(x, 1.7)
    assert y.dtype == dtype and y.shape == shape
    assert y.grad_fn.name() == node
    np.testing.assert_array_equal(y.numpy(), np.asarray(ref(a, dtype(1.7))))
    y.sum().backward()
    expected = {"AddBackward": 1.0, "MulBackward": 1.7, "DivBackward": 1 / 1.7}[node]
    assert x.grad.dtype == dtype
    assert_close(x.grad, np.full(shape, expected, dtype), rtol=1e-6, atol=0)


@pytest.mark.parametrize("form", sorted(SCALAR_FORMS))
def test_scalar_forms_gradcheck_and_gradgradcheck(form):
    f = SCALAR_FORMS[form][0]
    x = _leaf(_uniform(-2, 2, (2, 3)))
    assert gradcheck(lambda t: f(t, -2.5), (x,))
    # the scalar form inside a product: its backward must keep the graph of x
    assert gradgradcheck(lambda t: f(t * t, -2.5), (x,))


def test_scalar_forms_on_integer_and_bool_tensors_keep_pytorch_dtypes():
    i = npgrad.tensor([1, 2, 3])
    assert (i * 2).dtype == npgrad.int64 and (i + 2).tolist() == [3, 4, 5]
    assert (i * 0.5).dtype == npgrad.float32 and (i * 0.5).tolist() == [0.5, 1.0, 1.5]
    assert (i / 2).tolist() == [0.5, 1.0, 1.5]
    b = npgrad.tensor([True, False])
    assert (b + True).dtype == npgrad.bool and (b * 3).tolist() == [3, 0]


def test_scalar_form_that_float16_cannot_hold_is_computed_in_float32():
    x = npgrad.tensor([1.0, 2.0], dtype=npgrad.float16, requires_grad=True)
    y = x * 1e-8  # 1e-8 rounds to 0 in float16; computed in float32 it stays 1e-8 * x
    assert y.dtype == npgrad.float16
    y.sum().backward()
    assert x.grad.dtype == npgrad.float16
    assert_close(x.grad, np.full(2, np.float16(1e-8)), rtol=0, atol=0)


def test_scalar_form_grad_of_grad_keeps_the_constant():
    x = _leaf(np.array([1.0, -2.0]))
    (g,) = npgrad.autograd.grad((x * x * 3.0).sum(), x, create_graph=True)
    assert_close(g, 6.0 * x.detach())
    (gg,) = npgrad.autograd.grad(g.sum(), x)
    assert_close(gg, np.full(2, 6.0))


def test_scalar_forms_keep_the_sign_of_zero_and_nan_constants():
    # the scalar forms reuse one 0-d array per value (see _promote.binary): -0.0 and 0.0,
    # equal as dict keys, must still give different signs, and NaN must stay NaN
    x = npgrad.tensor([1.0, -1.0])
    for _ in range(2):  # the second time from the cache, if anything is cached
        assert np.signbit((x * 0.0).numpy()).tolist() == [False, True]
        assert np.signbit((x * -0.0).numpy()).tolist() == [True, False]
        assert np.isnan((x + float("nan")).numpy()).all()
    assert_close(x * 2.5, np.array([2.5, -2.5], np.float32), rtol=0, atol=0)


def test_scalar_form_constants_are_shared_read_only_and_bounded():
    from npgrad.ops import _promote

    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3.25
    c = y.grad_fn.c
    assert c.shape == () and c.dtype == np.float32 and not c.flags.writeable
    assert (x * 3.25).grad_fn.c is c  # made once per value and dtype
    assert (x.double() * 3.25).grad_fn.c.dtype == np.float64
    for k in range(600):  # ever new values: the cache is cleared, not grown without end
        x + (k + 0.5)
    assert len(_promote._CONST32) <= 256
    y.sum().backward()  # the node kept its own constant
    assert_close(x.grad, np.full(2, 3.25, np.float32), rtol=0, atol=0)


def test_alpha_scales_after_type_promotion():
    half = npgrad.tensor([60000.0], dtype=npgrad.float16)
    assert npgrad.add(npgrad.zeros(1), half, alpha=2).tolist() == [120000.0]
    u8 = npgrad.tensor([254], dtype=npgrad.uint8)
    assert npgrad.add(npgrad.tensor([-5]), u8, alpha=3).tolist() == [757]
    i32 = npgrad.tensor([4], dtype=npgrad.int32)
    assert npgrad.add(i32, npgrad.tensor([True]), alpha=3).dtype == npgrad.int32
    r = npgrad.sub(npgrad.zeros(1, dtype=npgrad.float64), npgrad.tensor(0.1), alpha=3)
    assert r.item() == -3 * float(np.float32(0.1))  # scaled in float64
    assert npgrad.sub(3.0, npgrad.tensor([1.0, 2.0]), alpha=2).tolist() == [1.0, -1.0]
    with pytest.raises(RuntimeError, match="integral input tensors, argument alpha"):
        npgrad.add(npgrad.tensor([1]), npgrad.tensor([2]), alpha=1.5)
    with pytest.raises(RuntimeError, match="Boolean alpha"):
        npgrad.add(npgrad.tensor([1.0]), npgrad.tensor([2.0]), alpha=True)
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = npgrad.tensor([3.0, 4.0], dtype=npgrad.float64, requires_grad=True)
    npgrad.sub(x, y, alpha=3).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0] and y.grad.tolist() == [-3.0, -3.0]
    assert y.grad.dtype == npgrad.float64


def test_bool_powers_follow_pytorch():
    b = npgrad.tensor([True, False])
    assert (b**True).dtype == npgrad.bool and (b**True).tolist() == [True, False]
    assert (b**False).tolist() == [True, True]
    assert (b**2).dtype == npgrad.int64
    with pytest.raises(NotImplementedError, match="pow"):
        b**b
    with pytest.raises(NotImplementedError, match="pow"):
        True**b


def test_atan2_converts_integers_to_float_before_promoting():
    u8 = npgrad.tensor([0, 2], dtype=npgrad.uint8)
    assert_close(
        npgrad.atan2(u8, npgrad.tensor(-3)), np.arctan2([0.0, 2.0], -3.0).astype(np.float32)
    )
    i8 = npgrad.tensor([0, 1], dtype=npgrad.int8)
    assert_close(
        npgrad.atan2(i8, npgrad.tensor(200)), np.arctan2([0.0, 1.0], 200.0).astype(np.float32)
    )
    assert_close(npgrad.atan2(u8, -1), np.arctan2([0.0, 2.0], -1.0).astype(np.float32))


def test_out_of_range_numbers_for_integer_clamp_where_and_masked_fill_raise():
    i8 = npgrad.tensor([1, 100], dtype=npgrad.int8)
    u8 = npgrad.tensor([1, 100], dtype=npgrad.uint8)
    with pytest.raises(RuntimeError, match="clamp: value -200 cannot be converted to type int8"):
        npgrad.clamp(i8, min=-200)
    with pytest.raises(RuntimeError, match="clamp: value 300"):
        npgrad.clamp(u8, max=300)
    with pytest.raises(RuntimeError, match="where: value 300"):
        npgrad.where(npgrad.tensor([True, False]), i8, 300)
    with pytest.raises(RuntimeError, match="masked_fill: value 300"):
        i8.masked_fill(npgrad.tensor([True, False]), 300)
    # negative numbers wrap into unsigned types, as in PyTorch
    assert npgrad.clamp(u8, -1).tolist() == [255, 255]
    assert npgrad.where(npgrad.tensor([True, False]), u8, -1).tolist() == [1, 255]
    assert npgrad.clamp(npgrad.tensor([1, 5]), max=2.5).tolist() == [1.0, 2.5]
