"""Regression tests for the differences from PyTorch 2.13 found by the core-ops audit.

Each test asserts the expected value, dtype or error directly (so it runs without torch); the
``@pytest.mark.torch`` twins check the same calls against PyTorch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import npgrad

HALF_OVER = [1e5, -1e5, 65504.5, 1e39]  # finite numbers float16 cannot hold


def _outcome(fn):
    try:
        out = fn()
    except Exception as e:  # noqa: BLE001 -- the error type is what is compared
        return type(e)
    return out


# ---- numbers written into a tensor: out of the dtype's range raises -------------------------
SCALAR_WRITES = {
    "fill_": lambda lib, x, v: x.fill_(v),
    "masked_fill": lambda lib, x, v: x.masked_fill(lib.tensor([True, False, True]), v),
    "masked_fill_": lambda lib, x, v: x.masked_fill_(lib.tensor([True, False, True]), v),
    "index_fill": lambda lib, x, v: x.index_fill(0, lib.tensor([0, 2]), v),
    "scatter": lambda lib, x, v: x.scatter(0, lib.tensor([0, 2]), v),
    "clamp_max": lambda lib, x, v: lib.clamp(x, max=v),
    "clamp_min_": lambda lib, x, v: x.clamp_(min=-v),
}


@pytest.mark.parametrize("op", sorted(SCALAR_WRITES))
@pytest.mark.parametrize("value", HALF_OVER)
def test_number_too_large_for_float16_raises(op, value):
    x = npgrad.zeros(3, dtype=npgrad.float16)
    with pytest.raises(RuntimeError, match=r"value .* cannot be converted to type float16"):
        SCALAR_WRITES[op](npgrad, x, value)
    assert x.tolist() == [0.0, 0.0, 0.0]  # nothing written before the error


@pytest.mark.parametrize("op", sorted(SCALAR_WRITES))
def test_number_too_large_for_float32_raises(op):
    with pytest.raises(RuntimeError, match="value -?1e\\+39 cannot be converted to type float32"):
        SCALAR_WRITES[op](npgrad, npgrad.zeros(3), 1e39)


@pytest.mark.parametrize("op", sorted(SCALAR_WRITES))
def test_float16_limits_inf_and_nan_are_written(op):
    for value in (65504.0, math.inf, math.nan):
        out = SCALAR_WRITES[op](npgrad, npgrad.zeros(3, dtype=npgrad.float16), value)
        assert out.dtype == npgrad.float16
        got = out.numpy().astype(np.float64)
        if op == "clamp_min_":
            np.testing.assert_array_equal(got, np.full(3, np.maximum(0.0, -value)))
        elif op == "clamp_max":
            np.testing.assert_array_equal(got, np.full(3, np.minimum(0.0, value)))
        else:
            assert np.isnan(got[0]) if math.isnan(value) else got[0] == value


def test_fill_seed_bug_float16():
    with pytest.raises(RuntimeError, match="fill_: value 100000.0 cannot be converted"):
        npgrad.zeros(3, dtype=npgrad.float16).fill_(1e5)
    # a float64 tensor takes the number, and binary arithmetic still overflows to inf
    assert npgrad.zeros(2, dtype=npgrad.float64).fill_(1e39).tolist() == [1e39, 1e39]
    x = npgrad.zeros(2, dtype=npgrad.float16)
    assert np.isinf((x + 1e5).numpy()).all() and (x + 1e5).dtype == npgrad.float16


def test_clamp_bounds_are_checked_against_the_result_dtype():
    # an integer tensor with a float bound computes in float32: 1e39 does not fit it
    with pytest.raises(RuntimeError, match="clamp: value 1e\\+39 cannot be converted"):
        npgrad.clamp(npgrad.tensor([1, 2], dtype=npgrad.int8), max=1e39)
    out = npgrad.clamp(npgrad.tensor([1, 2], dtype=npgrad.int8), max=1e5)
    assert out.dtype == npgrad.float32 and out.tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match="clamp: value 300 cannot be converted to type int8"):
        npgrad.clamp(npgrad.tensor([1, 2], dtype=npgrad.int8), max=300)


def test_where_checks_numbers_except_for_float16():
    cond = npgrad.tensor([True, False])
    with pytest.raises(RuntimeError, match="where: value 1e\\+39 cannot be converted"):
        npgrad.where(cond, npgrad.zeros(2), 1e39)
    with pytest.raises(RuntimeError, match="where: value 1e\\+39 cannot be converted"):
        npgrad.where(cond, 1e39, npgrad.zeros(2, dtype=npgrad.int8))
    # PyTorch lets a float16 result overflow to inf here
    out = npgrad.where(cond, npgrad.zeros(2, dtype=npgrad.float16), 1e5)
    assert out.dtype == npgrad.float16 and out.numpy()[0] == 0 and np.isinf(out.numpy()[1])
    assert npgrad.where(cond, npgrad.zeros(2, dtype=npgrad.float64), 1e39).tolist() == [0, 1e39]


def test_setitem_checks_numbers_except_for_float16():
    x = npgrad.zeros(3)
    with pytest.raises(RuntimeError, match="setitem: value 1e\\+39 cannot be converted"):
        x[0] = 1e39
    h = npgrad.zeros(3, dtype=npgrad.float16)
    h[1:] = 1e5  # PyTorch writes inf here (but fill_ raises)
    assert h.numpy()[0] == 0 and np.isinf(h.numpy()[1:]).all()
    x[1] = 1e5
    assert x.tolist() == [0.0, 1e5, 0.0]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8"])
@pytest.mark.parametrize("value", [1e5, 1e39, -65504.5, 300, math.inf])
def test_setitem_numbers_match_torch(dtype, value):
    torch = pytest.importorskip("torch")

    def make(lib):
        x = lib.zeros(3, dtype=getattr(lib, dtype))
        x[1:] = value
        return x

    _same_outcome(torch, make)


def test_tensor_fill_value_must_fit_the_dtype():
    x = npgrad.zeros(3, dtype=npgrad.uint8)
    mask = npgrad.tensor([True, False, True])
    with pytest.raises(RuntimeError, match="masked_fill: value -1.5 cannot be converted"):
        x.masked_fill(mask, npgrad.tensor(-1.5, dtype=npgrad.float64))
    with pytest.raises(RuntimeError, match="index_fill: value 300 cannot be converted"):
        x.index_fill(0, npgrad.tensor([1]), npgrad.tensor(300))
    assert x.masked_fill(mask, npgrad.tensor(3.7)).tolist() == [3, 0, 3]
    with pytest.raises(RuntimeError, match="cannot be converted to type float16"):
        npgrad.zeros(3, dtype=npgrad.float16).masked_fill(mask, npgrad.tensor(1e5))


# ---- Python ints beyond int64/uint64 ---------------------------------------------------------
@pytest.mark.parametrize("value", [2**64, -(2**63) - 1])
@pytest.mark.parametrize("dtype", ["float16", "float32", "int8", "int64", "uint8"])
def test_int_too_large_for_a_scalar_raises_overflow_error(value, dtype):
    d = getattr(npgrad, dtype)
    x = npgrad.zeros(2, dtype=d)
    for fn in (
        lambda: x + value,
        lambda: value * x,
        lambda: npgrad.eq(x, value),
        lambda: x.fill_(value),
        lambda: x.masked_fill(npgrad.tensor([True, False]), value),
        lambda: npgrad.where(npgrad.tensor([True, False]), x, value),
    ):
        with pytest.raises(OverflowError, match=f"integer {value} is too large"):
            fn()


def test_ints_that_fit_uint64_still_work_with_float_tensors():
    out = npgrad.zeros(2, dtype=npgrad.float32) + 2**63
    assert out.dtype == npgrad.float32 and out.tolist() == [2.0**63, 2.0**63]


# ---- rounding divisions of two bools ----------------------------------------------------------
BOOL_DIVISIONS = {
    "floor_divide": lambda lib, a, b: a // b,
    "remainder": lambda lib, a, b: a % b,
    "fmod": lambda lib, a, b: lib.fmod(a, b),
    "div_trunc": lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"),
    "div_floor": lambda lib, a, b: lib.div(a, b, rounding_mode="floor"),
}


@pytest.mark.parametrize("op", sorted(BOOL_DIVISIONS))
def test_rounding_division_of_bools_is_not_implemented(op):
    b = npgrad.tensor([True, True])
    for other in (b, True):
        with pytest.raises(NotImplementedError, match="two bool operands"):
            BOOL_DIVISIONS[op](npgrad, b, other)
        with pytest.raises(TypeError, match="two bool operands"):
            BOOL_DIVISIONS[op](npgrad, b, other)
    # one integer operand is fine: the result is an integer tensor, as in PyTorch
    out = BOOL_DIVISIONS[op](npgrad, b, npgrad.tensor([1, 2]))
    assert out.dtype == npgrad.int64


# ---- amax / amin / aminmax over empty tensors -------------------------------------------------
def test_aminmax_reduces_dims_of_an_empty_tensor_with_a_nonempty_reduced_dim():
    lo, hi = npgrad.aminmax(npgrad.zeros(2, 0), dim=0)
    assert lo.shape == hi.shape == (0,) and lo.dtype == npgrad.float32
    lo, hi = npgrad.aminmax(npgrad.zeros(0, 3, dtype=npgrad.int32), dim=1, keepdim=True)
    assert lo.shape == (0, 1) and hi.dtype == npgrad.int32
    with pytest.raises(IndexError, match="aminmax: expected reduction dim 1 to have non-zero"):
        npgrad.aminmax(npgrad.zeros(2, 0), dim=-1)
    with pytest.raises(RuntimeError, match="aminmax: cannot compute aminmax over an empty"):
        npgrad.aminmax(npgrad.zeros(0))


@pytest.mark.parametrize("op", ["amax", "amin"])
def test_amax_names_an_empty_dim_with_index_error(op):
    fn = getattr(npgrad, op)
    with pytest.raises(IndexError, match=f"{op}: expected reduction dim 0 to have non-zero"):
        fn(npgrad.zeros(0), 0)
    with pytest.raises(IndexError, match=f"{op}: expected reduction dim 1 to have non-zero"):
        fn(npgrad.zeros(2, 0), (0, 1))
    with pytest.raises(RuntimeError, match="reduction dim to be specified"):
        fn(npgrad.zeros(0))
    assert fn(npgrad.zeros(2, 0), 0).shape == (0,)


# ---- PyTorch parity twins -------------------------------------------------------------------
def _same_outcome(torch, make):
    got, expected = _outcome(lambda: make(npgrad)), _outcome(lambda: make(torch))
    if isinstance(expected, type):
        assert isinstance(got, type), f"npgrad returned {got!r}, torch raised {expected}"
        if issubclass(expected, RuntimeError):
            # npgrad's documented error types: RuntimeError or a TypeError for dtypes
            assert issubclass(got, (RuntimeError, TypeError, IndexError)), got
        else:
            assert issubclass(got, expected), (got, expected)
        return
    assert not isinstance(got, type), f"npgrad raised {got}, torch returned {expected!r}"
    for g, e in zip(
        got if isinstance(got, tuple) else (got,),
        expected if isinstance(expected, tuple) else (expected,),
    ):
        assert str(g.dtype) == str(e.dtype).replace("torch.", "")
        assert tuple(g.shape) == tuple(e.shape)
        np.testing.assert_array_equal(g.numpy(), e.numpy())


@pytest.mark.torch
@pytest.mark.parametrize("op", sorted(SCALAR_WRITES))
@pytest.mark.parametrize("dtype", ["float16", "float32", "int8", "uint8"])
@pytest.mark.parametrize("value", [1e5, 1e39, 65504.5, 300, -1, 2.5, math.inf, 2**64])
def test_scalar_writes_match_torch(op, dtype, value):
    torch = pytest.importorskip("torch")

    def make(lib):
        return SCALAR_WRITES[op](lib, lib.zeros(3, dtype=getattr(lib, dtype)), value)

    _same_outcome(torch, make)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "int64"])
@pytest.mark.parametrize("value", [1e5, 1e39, 300, 2**63, -(2**63) - 1])
def test_where_and_binary_scalars_match_torch(dtype, value):
    torch = pytest.importorskip("torch")

    def where(lib):
        return lib.where(lib.tensor([True, False]), lib.zeros(2, dtype=getattr(lib, dtype)), value)

    def add(lib):
        return lib.zeros(2, dtype=getattr(lib, dtype)) + value

    _same_outcome(torch, where)
    _same_outcome(torch, add)


@pytest.mark.torch
@pytest.mark.parametrize("op", sorted(BOOL_DIVISIONS))
def test_bool_divisions_match_torch(op):
    torch = pytest.importorskip("torch")
    for other in ([True, True], [1, 2]):

        def make(lib, other=other):
            return BOOL_DIVISIONS[op](lib, lib.tensor([True, False]), lib.tensor(other))

        _same_outcome(torch, make)


@pytest.mark.torch
@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3)])
@pytest.mark.parametrize("dim", [None, 0, -1])
def test_empty_extrema_match_torch(shape, dim):
    torch = pytest.importorskip("torch")
    kw = {} if dim is None else {"dim": dim}
    _same_outcome(torch, lambda lib: tuple(lib.aminmax(lib.zeros(shape), **kw)))
    _same_outcome(torch, lambda lib: lib.amax(lib.zeros(shape), **kw))
    _same_outcome(torch, lambda lib: lib.amin(lib.zeros(shape), **kw))
    got = _outcome(lambda: npgrad.amax(npgrad.zeros(shape), **kw))
    expected = _outcome(lambda: torch.amax(torch.zeros(shape), **kw))
    if isinstance(expected, type):  # the error types agree exactly here
        assert got is expected


@pytest.mark.torch
def test_tensor_fill_values_match_torch():
    torch = pytest.importorskip("torch")
    for dtype, value in (("uint8", -1.5), ("int8", 300.0), ("float16", 1e5), ("uint8", 3.7)):

        def make(lib, dtype=dtype, value=value):
            x = lib.zeros(3, dtype=getattr(lib, dtype))
            return x.masked_fill(lib.tensor([True, False, True]), lib.tensor(value))

        _same_outcome(torch, make)


# ---- gradients at PyTorch's chosen subgradients (checked, not changed, by the audit) ----------
EDGE_GRADS = {
    "abs_at_0": (lambda L, x: L.abs(x), [[0.0, -1.0, 2.0]]),
    "sqrt_at_0": (lambda L, x: L.sqrt(x), [[0.0, 4.0]]),
    "clamp_at_bounds": (lambda L, x: L.clamp(x, -1.0, 1.0), [[-1.0, 1.0, 0.5, 2.0]]),
    "amax_ties": (lambda L, x: L.amax(x, dim=1), [[[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]]),
    "max_dim_ties": (lambda L, x: L.max(x, dim=1)[0], [[[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]]),
    "maximum_ties": (lambda L, x, y: L.maximum(x, y), [[1.0, 2.0], [1.0, 1.0]]),
    "norm_at_0": (lambda L, x: L.norm(x), [[0.0, 0.0]]),
    "pow_zero_base": (lambda L, x, y: L.pow(x, y), [[0.0, 0.0, 0.0], [2.0, 0.0, 0.5]]),
    "where_nan_branch": (lambda L, x: L.where(x > 0, x, L.log(x)), [[1.0, -1.0, 0.0]]),
    "prod_two_zeros": (lambda L, x: L.prod(x, dim=1), [[[2.0, 0.0, 3.0], [0.0, 0.0, 1.0]]]),
    "cumprod_zeros": (lambda L, x: L.cumprod(x, 0), [[2.0, 0.0, 3.0, 0.0, 4.0]]),
    "std_one_element": (lambda L, x: L.std(x), [[2.0]]),
    "logsumexp_neg_inf": (lambda L, x: L.logsumexp(x, 0), [[-math.inf, -math.inf]]),
    "atan2_origin": (lambda L, x, y: L.atan2(x, y), [[0.0, 1.0], [0.0, 0.0]]),
}


def _edge_grads(lib, fn, arrays):
    xs = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays]
    out = fn(lib, *xs)
    weights = np.arange(1.0, out.numel() + 1.0).reshape(tuple(out.shape))
    out.backward(lib.tensor(weights, dtype=lib.float64))
    return [x.grad.numpy() for x in xs]


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(EDGE_GRADS))
def test_edge_point_gradients_match_torch(case):
    torch = pytest.importorskip("torch")
    fn, arrays = EDGE_GRADS[case]
    for g, e in zip(_edge_grads(npgrad, fn, arrays), _edge_grads(torch, fn, arrays)):
        np.testing.assert_allclose(g, e, equal_nan=True)


# ---- cov of one variable, index_add with a float alpha on integers ---------------------------
def test_cov_of_one_variable_is_0d_whatever_the_input_rank():
    for x in ([[1.0, 2.0, 4.0]], [1.0, 2.0, 4.0]):
        c = npgrad.cov(npgrad.tensor(x))
        assert c.shape == () and c.item() == pytest.approx(7.0 / 3.0)
        assert npgrad.corrcoef(npgrad.tensor(x)).shape == ()
    assert npgrad.cov(npgrad.tensor([[1.0, 2.0], [0.0, 1.0]])).shape == (2, 2)


def test_index_add_truncates_a_float_alpha_for_integer_tensors():
    x = npgrad.zeros(3, dtype=npgrad.int64)
    out = x.index_add(0, npgrad.tensor([0, 0]), npgrad.ones(2, dtype=npgrad.int64), alpha=1.5)
    assert out.dtype == npgrad.int64 and out.tolist() == [2, 0, 0]
    out = x.index_add(0, npgrad.tensor([1]), npgrad.ones(1, dtype=npgrad.int64), alpha=0.5)
    assert out.tolist() == [0, 0, 0]


@pytest.mark.torch
def test_cov_and_index_add_match_torch():
    torch = pytest.importorskip("torch")
    for x in ([[1.0, 2.0, 4.0]], [1.0, 2.0, 4.0], [[1.0, 2.0], [0.0, 3.0]]):
        _same_outcome(torch, lambda lib, x=x: lib.cov(lib.tensor(x)))
        _same_outcome(torch, lambda lib, x=x: lib.corrcoef(lib.tensor(x)))
    for alpha in (1.5, 0.5, -2.7, 3):

        def make(lib, alpha=alpha):
            x = lib.zeros(3, dtype=lib.int64)
            return x.index_add(0, lib.tensor([0, 2, 0]), lib.tensor([1, 2, 3]), alpha=alpha)

        _same_outcome(torch, make)


# ---- linalg norms take float16 (except the singular-value ones) -------------------------------
def test_linalg_norms_accept_float16():
    LA = npgrad.linalg
    x = npgrad.tensor([[3.0, 4.0], [1.0, 2.0]], dtype=npgrad.float16)
    expected = np.sqrt(30.0)
    for out in (LA.vector_norm(x), LA.matrix_norm(x), LA.norm(x), LA.norm(x, dim=(0, 1))):
        assert out.dtype == npgrad.float16
        assert float(out) == pytest.approx(expected, rel=1e-3)
    assert LA.vector_norm(x, 1, dim=1).tolist() == [7.0, 3.0]
    assert LA.matrix_norm(x, 1).item() == 6.0 and LA.matrix_norm(x, float("inf")).item() == 7.0
    assert LA.vector_norm(x, dtype=npgrad.float32).dtype == npgrad.float32
    for ord_ in ("nuc", 2, -2):
        with pytest.raises(TypeError, match="matrix_norm: Low precision dtypes not supported"):
            LA.matrix_norm(x, ord_)
    with pytest.raises(TypeError, match="vector_norm: Expected a floating point"):
        LA.vector_norm(npgrad.tensor([1, 2]))


@pytest.mark.torch
@pytest.mark.parametrize(
    "call",
    [
        lambda L, x: L.linalg.vector_norm(x),
        lambda L, x: L.linalg.vector_norm(x, 3, dim=0, keepdim=True),
        lambda L, x: L.linalg.vector_norm(x * 30000),
        lambda L, x: L.linalg.matrix_norm(x, -1),
        lambda L, x: L.linalg.norm(x),
        lambda L, x: L.linalg.norm(x, float("inf")),
        lambda L, x: L.linalg.matrix_norm(x, "nuc"),
    ],
)
def test_linalg_norms_float16_match_torch(call):
    torch = pytest.importorskip("torch")

    def make(lib):
        return call(lib, lib.tensor([[3.0, 4.0], [1.0, -2.0]], dtype=lib.float16))

    got, expected = _outcome(lambda: make(npgrad)), _outcome(lambda: make(torch))
    if isinstance(expected, type):
        assert isinstance(got, type) and issubclass(got, RuntimeError)
    else:
        assert str(got.dtype) == "float16" and str(expected.dtype) == "torch.float16"
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-3)


# ---- argmax / argmin refuse bool tensors ------------------------------------------------------
@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_argmax_refuses_bool(op):
    b = npgrad.tensor([False, True, True])
    for kw in ({}, {"dim": 0}, {"dim": 0, "keepdim": True}):
        with pytest.raises(TypeError, match=f"{op}: does not support bool input"):
            getattr(npgrad, op)(b, **kw)
        with pytest.raises(TypeError, match=f"{op}: does not support bool input"):
            getattr(b, op)(**kw)
    assert getattr(npgrad, op)(b.int()).item() == (1 if op == "argmax" else 0)
    assert npgrad.max(b, 0).indices.item() == 1  # max with a dim takes bools, as in PyTorch


@pytest.mark.torch
@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_argmax_bool_matches_torch(op):
    torch = pytest.importorskip("torch")
    _same_outcome(torch, lambda lib: getattr(lib, op)(lib.tensor([False, True])))
    _same_outcome(torch, lambda lib: tuple(lib.max(lib.tensor([False, True]), 0)))


# ---- number arguments of pow, add/sub alpha, where, scatter(reduce=) --------------------------
NUMBER_ARGS = {
    "pow_exponent": lambda lib, x, v: x**v,
    "pow_method": lambda lib, x, v: x.pow(v),
    "add_alpha": lambda lib, x, v: lib.add(x, x, alpha=v),
    "sub_alpha": lambda lib, x, v: lib.sub(x, 1, alpha=v),
    "scatter_reduce_value": lambda lib, x, v: x.scatter(0, lib.tensor([0]), v, reduce="add"),
}


@pytest.mark.parametrize("op", sorted(NUMBER_ARGS))
def test_number_arguments_must_fit_the_result_dtype(op):
    with pytest.raises(RuntimeError, match="value 100000.0 cannot be converted to type float16"):
        NUMBER_ARGS[op](npgrad, npgrad.ones(2, dtype=npgrad.float16), 1e5)
    with pytest.raises(RuntimeError, match="value 300 cannot be converted to type int8"):
        NUMBER_ARGS[op](npgrad, npgrad.ones(2, dtype=npgrad.int8), 300)
    out = NUMBER_ARGS[op](npgrad, npgrad.ones(2, dtype=npgrad.float32), 1e5)
    assert out.dtype == npgrad.float32 and np.isfinite(out.numpy()).all()


def test_number_base_of_pow_and_where_scalars():
    # a number base is not checked (PyTorch gives inf), two numbers in where are
    out = 1e5 ** npgrad.ones(2, dtype=npgrad.float16)
    assert out.dtype == npgrad.float16 and np.isinf(out.numpy()).all()
    assert (npgrad.ones(2) ** 1000).tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="where: value 1e\\+39 cannot be converted"):
        npgrad.where(npgrad.tensor([True, False]), 1e39, 0.0)
    assert npgrad.where(npgrad.tensor([True, False]), 300, 0).tolist() == [300, 0]


@pytest.mark.torch
@pytest.mark.parametrize("op", sorted(NUMBER_ARGS))
@pytest.mark.parametrize("dtype", ["float16", "float32", "int8", "uint8"])
@pytest.mark.parametrize("value", [1e5, 1e39, 300, 256, 3])
def test_number_arguments_match_torch(op, dtype, value):
    torch = pytest.importorskip("torch")

    def make(lib):
        return NUMBER_ARGS[op](lib, lib.ones(3, dtype=getattr(lib, dtype)), value)

    _same_outcome(torch, make)
