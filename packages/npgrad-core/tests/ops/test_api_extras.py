"""The PyTorch conveniences of ``npgrad.ops.extras`` and ``npgrad.ops.other`` (the dimension
helpers and stacks, ``repeat_interleave``, ``diff``) and the matching Tensor methods
(``new_*``, ``stride``, ``nelement``, ``fmod``, ``addcmul_``...): forward against NumPy in
float32 and float64, gradients (first and second order), errors, and PyTorch parity.
"""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck

FLOATS = [np.float32, np.float64]


def _arr(shape, dtype, seed=0, low=-3.0, high=3.0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def _leaf(a):
    return npgrad.tensor(a, requires_grad=True)


def _close(actual, expected, dtype):
    assert isinstance(actual, npgrad.Tensor)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape
    assert actual.dtype == np.dtype(dtype)
    tol = 1e-5 if np.dtype(dtype) == np.float32 else 1e-12
    np.testing.assert_allclose(actual.numpy(), expected, rtol=tol, atol=tol)


# ---- forward against NumPy, dtype preserved ---------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_elementwise_binaries_match_numpy(dtype):
    a, b = _arr((3, 4), dtype), _arr((4,), dtype, seed=1, low=0.5, high=2.0)
    ta, tb = npgrad.tensor(a), npgrad.tensor(b)
    _close(npgrad.fmod(ta, tb), np.fmod(a, b), dtype)
    _close(ta.fmod(2.5), np.fmod(a, dtype(2.5)), dtype)  # a Python scalar never widens
    _close(npgrad.hypot(ta, tb), np.hypot(a, b), dtype)
    _close(ta.logaddexp(tb), np.logaddexp(a, b), dtype)
    _close(npgrad.deg2rad(ta), np.deg2rad(a), dtype)
    _close(ta.rad2deg(), np.rad2deg(a), dtype)
    _close(npgrad.clamp_min(ta, 0.5), np.maximum(a, dtype(0.5)), dtype)
    _close(ta.clamp_max(tb), np.minimum(a, b), dtype)


def test_fmod_has_the_dividends_sign_unlike_remainder():
    a = npgrad.tensor([-7, -1, 1, 7])
    assert npgrad.fmod(a, 3).tolist() == [-1, -1, 1, 1]
    assert npgrad.remainder(a, 3).tolist() == [2, 2, 1, 1]
    assert npgrad.fmod(a, 3).dtype == np.int64
    with pytest.raises(ZeroDivisionError, match="fmod"):
        npgrad.fmod(a, 0)
    assert np.isnan(npgrad.fmod(npgrad.tensor([1.0]), 0.0).item())


def test_logaddexp_is_stable_and_hypot_does_not_overflow():
    out = npgrad.logaddexp(npgrad.tensor([1000.0, -1000.0]), npgrad.tensor([1000.0, -1000.0]))
    np.testing.assert_allclose(out.numpy(), [1000 + np.log(2), -1000 + np.log(2)], rtol=1e-6)
    assert npgrad.hypot(npgrad.tensor([3e30]), npgrad.tensor([4e30])).item() == pytest.approx(5e30)


def test_integer_inputs():
    assert npgrad.deg2rad(npgrad.tensor([180])).dtype == np.float32  # the default float dtype
    for fn in (npgrad.hypot, npgrad.logaddexp):
        with pytest.raises(TypeError, match="floating point"):
            fn(npgrad.tensor([1]), npgrad.tensor([2]))
    # bools convert like integers, as in PyTorch
    assert npgrad.deg2rad(npgrad.tensor([True])).dtype == np.float32


@pytest.mark.parametrize("dtype", FLOATS)
def test_fused_multiply_adds_match_numpy(dtype):
    c, m1, m2 = _arr((3,), dtype), _arr((2, 4), dtype, 1), _arr((4, 3), dtype, 2)
    v = _arr((4,), dtype, 3)
    tc, t1, t2, tv = (npgrad.tensor(x) for x in (c, m1, m2, v))
    _close(npgrad.addmm(tc, t1, t2, beta=0.5, alpha=2), 0.5 * c + 2 * (m1 @ m2), dtype)
    _close(tc.addmm(t1, t2), c + m1 @ m2, dtype)
    _close(npgrad.addmv(tc[:2], t1, tv, alpha=3), c[:2] + 3 * (m1 @ v), dtype)
    d = _arr((2, 3), dtype, 4, low=0.5, high=2.0)
    _close(
        npgrad.addcmul(tc, t1[:, :3], npgrad.tensor(d), value=0.5), c + 0.5 * m1[:, :3] * d, dtype
    )
    _close(tc.addcdiv(t1[:, :3], npgrad.tensor(d), value=2), c + 2 * m1[:, :3] / d, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_baddbmm_matches_numpy(dtype):
    c, b1, b2 = _arr((1, 3), dtype), _arr((2, 2, 4), dtype, 1), _arr((2, 4, 3), dtype, 2)
    out = npgrad.baddbmm(npgrad.tensor(c), npgrad.tensor(b1), npgrad.tensor(b2), beta=2, alpha=0.5)
    _close(out, 2 * c + 0.5 * (b1 @ b2), dtype)
    x = npgrad.zeros(2, 2, 3, dtype=dtype)
    assert x.baddbmm_(npgrad.tensor(b1), npgrad.tensor(b2)) is x
    _close(x, b1 @ b2, dtype)
    with pytest.raises((ValueError, RuntimeError)):
        npgrad.baddbmm(npgrad.tensor(c), npgrad.tensor(b1[0]), npgrad.tensor(b2[0]))


@pytest.mark.parametrize("dtype", [*FLOATS, np.int64])
@pytest.mark.parametrize(
    ("n", "dim", "pre", "app"),
    [
        (1, -1, None, None),
        (2, 1, None, None),
        (1, 0, (1, 4), None),
        (3, 1, (3, 2), (3, 1)),
        (0, 0, None, None),
        (9, 1, None, None),
    ],
)
def test_diff_matches_numpy(dtype, n, dim, pre, app):
    a = _arr((3, 4), dtype) if np.dtype(dtype).kind == "f" else np.arange(12).reshape(3, 4) ** 2
    kw = {}
    if pre is not None:
        kw["prepend"] = _arr(pre, dtype, 1).astype(dtype)
    if app is not None:
        kw["append"] = _arr(app, dtype, 2).astype(dtype)
    out = npgrad.diff(npgrad.tensor(a), n, dim, **{k: npgrad.tensor(v) for k, v in kw.items()})
    expected = np.diff(a, n, axis=dim, **kw)
    assert out.dtype == np.dtype(dtype) and out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


def test_diff_of_bools_and_errors():
    assert npgrad.tensor([True, False, False]).diff().tolist() == [True, False]
    with pytest.raises(ValueError, match="at least one dimension"):
        npgrad.diff(npgrad.tensor(1.0))
    with pytest.raises(ValueError, match="non-negative"):
        npgrad.diff(npgrad.zeros(3), -1)
    x = _leaf(_arr((5,), np.float64))
    assert gradcheck(lambda t: npgrad.diff(t, 3), (x,))
    assert gradgradcheck(lambda t: npgrad.diff(t * t, 2), (x,))


def test_addmm_with_beta_zero_ignores_nan_in_input():
    out = npgrad.addmm(npgrad.tensor([float("nan")] * 2), npgrad.eye(2), npgrad.ones(2, 2), beta=0)
    assert out.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    with pytest.raises(ValueError, match="broadcast"):
        npgrad.addmm(npgrad.zeros(3), npgrad.eye(2), npgrad.ones(2, 2), beta=0)


def test_addcdiv_refuses_integer_division():
    with pytest.raises(TypeError, match="integer division"):
        npgrad.addcdiv(npgrad.zeros(2), npgrad.tensor([1, 2]), npgrad.tensor([3, 4]))


def test_inplace_addcmul_and_addcdiv_like_optimizers_use_them():
    p = npgrad.tensor([1.0, 2.0])
    v0 = p._version
    assert p.addcmul_(npgrad.tensor([1.0, 2.0]), npgrad.tensor([3.0, 4.0]), value=-1) is p
    assert p.tolist() == [-2.0, -6.0] and p._version > v0
    p.addcdiv_(npgrad.tensor([4.0, 4.0]), npgrad.tensor([2.0, 4.0]), value=0.5)
    assert p.tolist() == [-1.0, -5.5]
    q = npgrad.tensor([1.0, 5.0])
    q.clamp_min_(2.0).clamp_max_(4.0)
    assert q.tolist() == [2.0, 4.0]
    r = npgrad.tensor([5.0, -5.0])
    r.fmod_(3.0)
    assert r.tolist() == [2.0, -2.0]
    # through the graph: gradient of an in-place addcmul_ on a non-leaf
    x = _leaf(np.array([1.0, 2.0]))
    y = x * 1.0
    y.addcmul_(x, x, value=2.0)  # y = x + 2x²
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1 + 4 * np.array([1.0, 2.0]))


# ---- dimension helpers and stacking -------------------------------------------------------
SHAPES = [(), (3,), (2, 3), (2, 3, 4)]


@pytest.mark.parametrize("shape", SHAPES)
def test_atleast_match_numpy(shape):
    a = _arr(shape, np.float64)
    for ours, theirs in (
        (npgrad.atleast_1d, np.atleast_1d),
        (npgrad.atleast_2d, np.atleast_2d),
        (npgrad.atleast_3d, np.atleast_3d),
    ):
        out = ours(npgrad.tensor(a))
        assert isinstance(out, npgrad.Tensor)
        np.testing.assert_array_equal(out.numpy(), theirs(a))
        pair = ours(npgrad.tensor(a), npgrad.tensor(a))
        assert isinstance(pair, tuple) and len(pair) == 2
        assert isinstance(ours([npgrad.tensor(a)]), tuple)


@pytest.mark.parametrize(
    "shapes",
    [[(3,), (2,)], [(2, 3), (2, 1)], [(2, 3, 1), (2, 2, 1)], [(), ()]],
)
def test_hstack_matches_numpy(shapes):
    arrays = [_arr(s, np.float32, k) for k, s in enumerate(shapes)]
    out = npgrad.hstack([npgrad.tensor(a) for a in arrays])
    np.testing.assert_array_equal(out.numpy(), np.hstack(arrays))
    assert out.dtype == np.float32


@pytest.mark.parametrize(
    ("ours", "theirs", "shapes"),
    [
        (npgrad.vstack, np.vstack, [(3,), (3,)]),
        (npgrad.vstack, np.vstack, [(3,), (2, 3)]),
        (npgrad.dstack, np.dstack, [(3,), (3,)]),
        (npgrad.dstack, np.dstack, [(2, 3), (2, 3, 2)]),
        (npgrad.column_stack, np.column_stack, [(3,), (3, 2), ()][:2]),
        (npgrad.column_stack, np.column_stack, [(), ()]),
    ],
)
def test_stacks_match_numpy(ours, theirs, shapes):
    arrays = [
        np.arange(np.prod(s), dtype=np.int64).reshape(s) + 10 * k for k, s in enumerate(shapes)
    ]
    out = ours([npgrad.tensor(a) for a in arrays])
    np.testing.assert_array_equal(out.numpy(), theirs(arrays))
    assert out.dtype == np.int64


def test_stacks_refuse_empty_and_non_sequences():
    for fn in (npgrad.hstack, npgrad.vstack, npgrad.dstack, npgrad.column_stack):
        with pytest.raises(ValueError, match="non-empty"):
            fn([])
        with pytest.raises(TypeError, match="sequence"):
            fn(npgrad.zeros(2))


def test_stack_gradients():
    a, b = _leaf(_arr((2, 3), np.float64)), _leaf(_arr((3,), np.float64, 1))
    c, d = _leaf(_arr((3,), np.float64, 2)), _leaf(_arr((3, 2), np.float64, 3))
    cases = (
        (npgrad.vstack, (a, b)),
        (npgrad.hstack, (c, b)),
        (npgrad.dstack, (c, b)),
        (npgrad.column_stack, (d, b)),
    )
    for fn, args in cases:
        assert gradcheck(lambda x, y, fn=fn: fn([x, y]), args)
        assert gradgradcheck(lambda x, y, fn=fn: fn([x, y]), args)


# ---- repeat_interleave ----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [*FLOATS, np.int64])
@pytest.mark.parametrize(
    ("repeats", "dim"), [(2, None), (0, None), (3, 1), ([1, 0, 2], 1), ([2, 1], 0), ([1], -1)]
)
def test_repeat_interleave_matches_numpy(dtype, repeats, dim):
    a = np.arange(6).reshape(2, 3).astype(dtype)
    r = npgrad.tensor(repeats) if isinstance(repeats, list) else repeats
    out = npgrad.repeat_interleave(npgrad.tensor(a), r, dim)
    expected = np.repeat(a, np.asarray(repeats) if isinstance(repeats, list) else repeats, dim)
    np.testing.assert_array_equal(out.numpy(), expected)
    assert out.dtype == np.dtype(dtype)


def test_repeat_interleave_index_form_and_method():
    assert npgrad.repeat_interleave(npgrad.tensor([1, 0, 3])).tolist() == [0, 2, 2, 2]
    assert npgrad.tensor([2, 1]).repeat_interleave().tolist() == [0, 0, 1]
    assert npgrad.tensor(5.0).repeat_interleave(3).tolist() == [5.0, 5.0, 5.0]
    assert npgrad.tensor(5.0).repeat_interleave(2, dim=0).tolist() == [5.0, 5.0]


def test_repeat_interleave_errors():
    x = npgrad.zeros(2, 3)
    with pytest.raises(ValueError, match="negative"):
        npgrad.repeat_interleave(x, -1)
    with pytest.raises(ValueError, match="same size"):
        npgrad.repeat_interleave(x, npgrad.tensor([1, 2]), dim=1)
    with pytest.raises(TypeError, match="integer"):
        npgrad.repeat_interleave(x, npgrad.tensor([1.0, 2.0]), dim=0)
    with pytest.raises(ValueError, match="output_size"):
        npgrad.repeat_interleave(x, 2, dim=0, output_size=3)
    with pytest.raises(IndexError):
        npgrad.repeat_interleave(x, 2, dim=2)


def test_repeat_interleave_gradient_sums_the_copies():
    x = _leaf(_arr((2, 3), np.float64))
    r = npgrad.tensor([2, 0, 3])
    assert gradcheck(lambda t: npgrad.repeat_interleave(t, r, dim=1), (x,))
    assert gradgradcheck(lambda t: npgrad.repeat_interleave(t, 2), (x,))
    npgrad.repeat_interleave(x, r, dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.tile([2.0, 0.0, 3.0], (2, 1)))


# ---- reductions -------------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1), -1])
def test_count_nonzero_matches_numpy(dim):
    a = np.array([[0, 1, 2], [0, 0, 3]])
    for x in (a, a.astype(np.float32), a.astype(bool)):
        out = npgrad.count_nonzero(npgrad.tensor(x), dim)
        axis = tuple(dim) if isinstance(dim, tuple) else dim
        np.testing.assert_array_equal(out.numpy(), np.count_nonzero(x, axis=axis))
        assert out.dtype == np.int64
    assert npgrad.tensor(a).count_nonzero(dim=0).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="multiple"):
        npgrad.count_nonzero(npgrad.tensor(a), (1, 1))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("dim", [None, 0, 1])
def test_nansum_nanmean_match_numpy(dtype, dim):
    a = _arr((3, 4), dtype)
    a[0, 1] = a[2, 3] = np.nan
    _close(npgrad.nansum(npgrad.tensor(a), dim), np.nansum(a, axis=dim), dtype)
    _close(
        npgrad.tensor(a).nanmean(dim, keepdim=True), np.nanmean(a, axis=dim, keepdims=True), dtype
    )
    x = _leaf(a)
    npgrad.nansum(x, dim).sum().backward()
    assert x.grad.numpy()[0, 1] == 0 and x.grad.numpy()[1, 1] == 1


def test_nanmean_of_all_nan_is_nan_without_warning_and_needs_floats():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(npgrad.nanmean(npgrad.tensor([float("nan")])).item())
    with pytest.raises(TypeError, match="floating point"):
        npgrad.nanmean(npgrad.tensor([1, 2]))
    assert npgrad.nansum(npgrad.tensor([1, 2])).item() == 3


# ---- queries, new_*, stride ---------------------------------------------------------------------
def test_queries():
    assert npgrad.numel(npgrad.zeros(2, 3)) == 6
    assert npgrad.is_tensor(npgrad.zeros(1)) and not npgrad.is_tensor(np.zeros(1))
    assert npgrad.is_nonzero(npgrad.tensor([[2]])) and not npgrad.tensor(0.0).is_nonzero()
    with pytest.raises(RuntimeError, match="more than one value"):
        npgrad.is_nonzero(npgrad.zeros(2))
    with pytest.raises(RuntimeError, match="no values"):
        npgrad.is_nonzero(npgrad.zeros(0))
    assert npgrad.zeros(4, 5).nelement() == 20


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_])
def test_new_factories_keep_dtype(dtype):
    x = npgrad.tensor(np.zeros(2, dtype=dtype))
    for t, value in (
        (x.new_zeros(2, 3), 0),
        (x.new_zeros((2, 3)), 0),
        (x.new_ones([2, 3]), 1),
        (x.new_full((2, 3), 1), 1),
    ):
        assert t.shape == (2, 3) and t.dtype == np.dtype(dtype)
        assert (t.numpy() == value).all()
    assert x.new_empty(4).shape == (4,) and x.new_empty(4).dtype == np.dtype(dtype)
    assert x.new_tensor([1, 0]).dtype == np.dtype(dtype)
    assert x.new_zeros(2, dtype=npgrad.float64).dtype == np.float64


def test_new_tensor_copies_and_makes_a_leaf():
    src = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = src.new_tensor(src * 2)
    assert y.grad_fn is None and not y.requires_grad and y.tolist() == [2.0, 4.0]
    a = np.array([1.0, 2.0], dtype=np.float32)
    z = src.new_tensor(a, requires_grad=True)
    a[0] = 9
    assert z.requires_grad and z.tolist() == [1.0, 2.0]


def test_stride_is_in_elements():
    x = npgrad.zeros(2, 3, 4)
    assert x.stride() == (12, 4, 1)
    assert x.stride(0) == 12 and x.stride(-1) == 1
    assert x.permute(2, 0, 1).stride() == (1, 12, 4)
    assert x[:, ::2].stride() == (12, 8, 1)
    assert npgrad.zeros(3, 1).expand(3, 5).stride() == (1, 0)
    assert npgrad.tensor(1.0).stride() == ()
    with pytest.raises(IndexError):
        x.stride(3)


@pytest.mark.parametrize(
    ("shape", "strides"),
    [
        ((2, 0, 3), (3, 3, 1)),
        ((0,), (1,)),
        ((0, 4), (4, 1)),
        ((3, 0), (1, 1)),
        ((2, 1, 0), (1, 1, 1)),
    ],
)
def test_an_empty_tensor_has_contiguous_strides(shape, strides):
    # NumPy zeroes the strides of a new empty array; PyTorch's are contiguous ones
    assert npgrad.empty(shape).stride() == strides
    assert npgrad.zeros(4, 3)[:, :0].stride() == (3, 1)  # a view keeps its base's


@pytest.mark.torch
def test_empty_strides_match_torch():
    torch = pytest.importorskip("torch")
    for shape in [(2, 0, 3), (0,), (0, 4), (3, 0), (2, 1, 0), (0, 0), (1, 0, 1)]:
        assert npgrad.empty(shape).stride() == torch.empty(shape).stride(), shape


# ---- gradients of the Functions ------------------------------------------------------------------
def test_fmod_gradients_follow_pytorchs_formula():
    a = _leaf(np.array([5.5, -5.5, 1.0]))
    b = _leaf(np.array([2.0, 2.0, 3.0]))
    npgrad.fmod(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), -np.trunc(np.array([5.5, -5.5, 1.0]) / [2, 2, 3]))
    x = _leaf(_arr((2, 3), np.float64))
    assert gradcheck(lambda t: npgrad.fmod(t, 1.7), (x,))
    assert gradgradcheck(lambda t: npgrad.fmod(t, 1.7) * t, (x,))


def test_logaddexp_and_hypot_second_order_with_broadcast():
    a, b = _leaf(_arr((2, 3), np.float64)), _leaf(_arr((1, 3), np.float64, 1, 0.5, 2.0))
    for fn in (npgrad.logaddexp, npgrad.hypot):
        assert gradcheck(fn, (a, b))
        assert gradgradcheck(fn, (a, b))


# ---- PyTorch parity ----------------------------------------------------------------------------
PARITY = {
    "fmod": (lambda m, a, b: m.fmod(a, b), [(2, 3), (3,)]),
    "hypot": (lambda m, a, b: m.hypot(a, b), [(2, 3), (3,)]),
    "logaddexp": (lambda m, a, b: m.logaddexp(a, b), [(2, 3), (2, 1)]),
    "deg2rad": (lambda m, a: m.deg2rad(a), [(2, 3)]),
    "rad2deg": (lambda m, a: m.rad2deg(a), [(2, 3)]),
    "clamp_min": (lambda m, a, b: m.clamp_min(a, b), [(2, 3), (3,)]),
    "clamp_max": (lambda m, a: m.clamp_max(a, 0.25), [(2, 3)]),
    "addmm": (lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2.0), [(3,), (2, 4), (4, 3)]),
    "addmv": (lambda m, c, a, v: m.addmv(c, a, v, beta=2.0, alpha=0.5), [(2,), (2, 4), (4,)]),
    "baddbmm": (
        lambda m, c, a, b: m.baddbmm(c, a, b, beta=0.5, alpha=2.0),
        [(1, 3), (2, 2, 4), (2, 4, 3)],
    ),
    "diff": (lambda m, a, p: m.diff(a, 2, 0, prepend=p), [(3, 4), (1, 4)]),
    "addcmul": (lambda m, c, a, b: m.addcmul(c, a, b, value=0.5), [(2, 3), (3,), (2, 3)]),
    "addcdiv": (lambda m, c, a, b: m.addcdiv(c, a, b, value=2.0), [(2, 3), (3,), (2, 3)]),
    "hstack": (lambda m, a, b: m.hstack([a, b]), [(2, 3), (2, 2)]),
    "vstack": (lambda m, a, b: m.vstack([a, b]), [(3,), (2, 3)]),
    "dstack": (lambda m, a, b: m.dstack([a, b]), [(3,), (3,)]),
    "column_stack": (lambda m, a, b: m.column_stack([a, b]), [(2,), (2, 3)]),
    "atleast_3d": (lambda m, a: m.atleast_3d(a), [(2, 3)]),
    "repeat_interleave": (
        lambda m, a: m.repeat_interleave(a, m.tensor([2, 0, 1]), dim=1),
        [(2, 3)],
    ),
    "repeat_interleave_flat": (lambda m, a: m.repeat_interleave(a, 2), [(2, 3)]),
    "nansum": (lambda m, a: m.nansum(m.where(a > 1.0, float("nan"), a), 1), [(3, 4)]),
    "nanmean": (lambda m, a: m.nanmean(m.where(a > 1.0, float("nan"), a), 0), [(3, 4)]),
}


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(PARITY))
def test_matches_torch_values_and_gradients(name, dtype):
    torch = pytest.importorskip("torch")
    fn, shapes = PARITY[name]
    arrays = [
        _arr(s, dtype, k, 0.5 if name in ("fmod", "addcdiv") and k else -3.0)
        for k, s in enumerate(shapes)
    ]
    if name == "fmod":
        arrays[1] = np.abs(arrays[1]) + 0.5
    if name == "addcdiv":
        arrays[2] = np.abs(arrays[2]) + 0.5
    ours = [npgrad.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = fn(npgrad, *ours), fn(torch, *theirs)
    tol = 1e-5 if dtype == "float32" else 1e-12
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=tol, atol=tol)
    g = _arr(out.shape, dtype, 99)
    out.backward(npgrad.tensor(g))
    ref.backward(torch.tensor(g))
    for x, t in zip(ours, theirs):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.torch
def test_tensor_methods_match_torch():
    torch = pytest.importorskip("torch")
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    x, t = npgrad.tensor(a), torch.tensor(a)
    assert x.stride() == t.stride()
    assert x.permute(2, 0, 1).stride() == t.permute(2, 0, 1).stride()
    assert x.nelement() == t.nelement()
    for method, args in (("new_zeros", (2, 3)), ("new_ones", ((2,),)), ("new_empty", (3,))):
        ours, ref = getattr(x, method)(*args), getattr(t, method)(*args)
        assert ours.shape == tuple(ref.shape) and str(ours.dtype) == str(ref.dtype).split(".")[1]
    assert x.new_full((2,), 7).tolist() == t.new_full((2,), 7).tolist()
    assert x.new_tensor([1, 2]).tolist() == t.new_tensor([1, 2]).tolist()
    ints = np.array([[0, 1, 2], [0, 0, 3]])
    for dim in (None, 0, 1):
        assert (
            npgrad.count_nonzero(npgrad.tensor(ints), dim).tolist()
            == torch.count_nonzero(torch.tensor(ints), dim).tolist()
        )
    assert (
        npgrad.fmod(npgrad.tensor([-7, 7]), -3).tolist()
        == torch.fmod(torch.tensor([-7, 7]), -3).tolist()
    )
    assert npgrad.repeat_interleave(npgrad.tensor([2, 0, 1])).tolist() == (
        torch.repeat_interleave(torch.tensor([2, 0, 1])).tolist()
    )


@pytest.mark.parametrize(
    ("value", "dtype", "expected"),
    [(-1, "uint8", 255), (300, "int8", 44), (-129, "int8", 127), (2**63, "int64", -(2**63))],
)
def test_out_of_range_python_ints_wrap_silently_in_ops(value, dtype, expected):
    # (NumPy 1 warned about converting an out-of-range int, NumPy 2 refuses it)
    import warnings

    t = npgrad.zeros(2, dtype=getattr(npgrad, dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (t + value).tolist() == [expected, expected]
