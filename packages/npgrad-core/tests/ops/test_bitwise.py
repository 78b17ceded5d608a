"""``npgrad.ops.bitwise``: and/or/xor/not, left and right shifts, gcd and lcm -- values
against NumPy for every integer dtype, PyTorch's dtype rules and out-of-range shifts, the
operators and in-place forms, errors, and PyTorch parity."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.ops.bitwise import DtypeNotImplementedError

INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8]


def _ints(shape, dtype, seed=0, low=None, high=None):
    info = np.iinfo(dtype)
    low = info.min if low is None else low
    high = info.max if high is None else high
    return np.random.default_rng(seed).integers(low, high, shape, endpoint=True).astype(dtype)


def _same(actual, expected):
    assert isinstance(actual, npgrad.Tensor)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape and actual.dtype == expected.dtype
    np.testing.assert_array_equal(actual.numpy(), expected)


@pytest.mark.parametrize("dtype", INTS)
def test_and_or_xor_not_match_numpy(dtype):
    a, b = _ints((3, 4), dtype, 0), _ints((4,), dtype, 1)
    ta, tb = npgrad.tensor(a), npgrad.tensor(b)
    _same(npgrad.bitwise_and(ta, tb), a & b)
    _same(ta | tb, a | b)
    _same(ta ^ tb, a ^ b)
    _same(~ta, ~a)
    _same(npgrad.bitwise_not(ta), np.invert(a))
    m = np.array([True, False, True])
    _same(npgrad.tensor(m) & npgrad.tensor([True, True, False]), m & [True, True, False])


@pytest.mark.parametrize("dtype", INTS)
def test_shifts_match_numpy_in_range(dtype):
    bits = np.dtype(dtype).itemsize * 8
    a, s = _ints((5, 6), dtype, 0), _ints((6,), dtype, 1, 0, bits - 1)
    ta, ts = npgrad.tensor(a), npgrad.tensor(s)
    _same(npgrad.bitwise_left_shift(ta, ts), np.left_shift(a, s))
    _same(ta >> ts, np.right_shift(a, s))
    _same(ta << 1, np.left_shift(a, dtype(1)))


@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.uint8])
def test_shifts_out_of_range_follow_pytorch(dtype):
    bits = np.dtype(dtype).itemsize * 8
    vals = np.array([5, -5, 1, -1] if dtype != np.uint8 else [5, 250, 1, 255], dtype)
    t = npgrad.tensor(vals)
    for s in (bits, bits + 3, -1):
        if dtype == np.uint8 and s < 0:
            continue
        amount = npgrad.tensor(np.full(4, s, dtype))
        _same(t << amount, np.zeros(4, dtype))
        sign = np.where(vals < 0, -1, 0).astype(dtype)
        _same(t >> amount, sign)
    _same(npgrad.tensor(np.array([3], dtype)) << (bits - 1), np.array([1], dtype) << (bits - 1))


def test_shift_promotion_and_reflected_operators():
    _same(2 << npgrad.tensor([1, 2]), np.array([4, 8]))
    _same(64 >> npgrad.tensor([1, 2]), np.array([32, 16]))
    _same(npgrad.tensor([True, False]) << 1, np.array([2, 0]))
    i8 = npgrad.tensor([1, 2], dtype=npgrad.int8)
    _same(
        npgrad.bitwise_left_shift(i8, npgrad.tensor([1, 1], dtype=npgrad.int32)),
        np.array([2, 4], np.int32),
    )
    _same(i8 << 3, np.array([8, 16], np.int8))


@pytest.mark.parametrize("dtype", INTS)
def test_gcd_lcm_match_numpy(dtype):
    a, b = _ints((4, 5), dtype, 0, 0, 60), _ints((5,), dtype, 1, 0, 60)
    if dtype != np.uint8:
        a = (a - 30).astype(dtype)
    ta, tb = npgrad.tensor(a), npgrad.tensor(b)
    _same(npgrad.gcd(ta, tb), np.gcd(a, b))
    _same(npgrad.lcm(ta, tb), np.lcm(a, b))
    _same(
        npgrad.gcd(npgrad.tensor(np.array([0], dtype)), npgrad.tensor(np.array([0], dtype))),
        np.zeros(1, dtype),
    )


def test_inplace_forms_and_methods():
    x = npgrad.tensor([12, 10, 7])
    y = x.clone()
    assert y.bitwise_and_(6) is y
    _same(y, np.array([4, 2, 6]))
    for name, op in (
        ("bitwise_or", np.bitwise_or),
        ("bitwise_xor", np.bitwise_xor),
        ("bitwise_left_shift", np.left_shift),
        ("bitwise_right_shift", np.right_shift),
        ("gcd", np.gcd),
        ("lcm", np.lcm),
    ):
        ref = op(np.array([12, 10, 7]), np.array([3, 2, 1]))
        _same(getattr(x, name)(npgrad.tensor([3, 2, 1])), ref)
        z = x.clone()
        getattr(z, name + "_")(npgrad.tensor([3, 2, 1]))
        _same(z, ref)
    z = x.clone()
    z.bitwise_not_()
    _same(z, ~np.array([12, 10, 7]))
    z = x.clone()
    z <<= 2
    z >>= 1
    z &= 0xFF
    z |= 1
    z ^= 3
    _same(z, ((((np.array([12, 10, 7]) << 2) >> 1) & 0xFF) | 1) ^ 3)
    _same(x.bitwise_not(), ~np.array([12, 10, 7]))
    b = npgrad.tensor([True, False])
    b &= npgrad.tensor([True, True])
    _same(b, np.array([True, False]))


def test_dtype_errors():
    f = npgrad.tensor([1.0, 2.0])
    for fn in (npgrad.bitwise_and, npgrad.bitwise_or, npgrad.bitwise_xor):
        with pytest.raises(TypeError, match=fn.__name__ + ": only integer and bool"):
            fn(f, 1)
    with pytest.raises(NotImplementedError, match="bitwise_not"):
        npgrad.bitwise_not(f)
    for fn in (npgrad.bitwise_left_shift, npgrad.bitwise_right_shift, npgrad.gcd, npgrad.lcm):
        with pytest.raises(DtypeNotImplementedError, match=fn.__name__ + ": only integer tensors"):
            fn(f, f)
        with pytest.raises(TypeError, match="bool"):
            fn(npgrad.tensor([True]), npgrad.tensor([True]))
    with pytest.raises(TypeError, match="float32"):
        npgrad.tensor([1]) << 1.5
    with pytest.raises(ValueError, match=r"gcd: the shapes \(2,\) and \(3,\)"):
        npgrad.gcd(npgrad.tensor([1, 2]), npgrad.tensor([1, 2, 3]))
    x = npgrad.tensor([1, 2])
    with pytest.raises(RuntimeError, match="bitwise_and_"):
        x.bitwise_and_(npgrad.tensor([[1, 2], [3, 4]]))
    np.testing.assert_array_equal(x.numpy(), [1, 2])


def test_no_gradient():
    assert not (npgrad.tensor([1, 2]) << 1).requires_grad


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8"])
def test_matches_torch(dtype):
    torch = pytest.importorskip("torch")
    bits = np.dtype(dtype).itemsize * 8
    a = _ints((6, 7), np.dtype(dtype).type, 0)
    s = (
        np.random.default_rng(1)
        .integers(-3 if dtype != "uint8" else 0, bits + 3, (7,))
        .astype(dtype)
    )
    g = _ints((6, 7), np.dtype(dtype).type, 2, 0, 100)
    for name in ("bitwise_left_shift", "bitwise_right_shift", "bitwise_and", "bitwise_xor"):
        ours = getattr(npgrad, name)(npgrad.tensor(a), npgrad.tensor(s))
        ref = getattr(torch, name)(torch.tensor(a), torch.tensor(s))
        assert str(ours.dtype) == str(ref.dtype).split(".")[1]
        np.testing.assert_array_equal(ours.numpy(), ref.numpy(), err_msg=name)
    # (the dtype's minimum left out: |min| overflows, and PyTorch's result then depends on
    # its loop's order of operations)
    a = np.maximum(a, np.iinfo(dtype).min + 1).astype(dtype)
    for name in ("gcd", "lcm"):
        ours = getattr(npgrad, name)(npgrad.tensor(a), npgrad.tensor(g))
        ref = getattr(torch, name)(torch.tensor(a), torch.tensor(g))
        np.testing.assert_array_equal(ours.numpy(), ref.numpy(), err_msg=name)
    np.testing.assert_array_equal(
        (3 << npgrad.tensor(s[s >= 0])).numpy(), (3 << torch.tensor(s[s >= 0])).numpy()
    )
