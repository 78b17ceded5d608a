"""Reductions and scans: forward vs NumPy, gradients (first and second order), PyTorch's
conventions at ties, zeros and empty dims, errors, and parity with PyTorch."""

from __future__ import annotations

import math
import pickle
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

F32, F64 = npgrad.float32, npgrad.float64
INF = math.inf


def t(data, dtype=F64, requires_grad=False):
    return npgrad.tensor(data, dtype=dtype, requires_grad=requires_grad)


def np_axis(dim, ndim):
    """The NumPy ``axis`` for an npgrad ``dim`` (None, int or tuple; 0-d accepts 0 and -1)."""
    if dim is None or ndim == 0:
        return None
    if isinstance(dim, int):
        return dim % ndim
    return tuple(d % ndim for d in dim) or None


@st.composite
def case(draw, max_dims=3, max_side=4, min_side=1, dims="any"):
    """(shape, dim, keepdim, seed): dim is None, an int or a tuple of distinct dims."""
    shape = draw(
        hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=min_side, max_side=max_side)
    )
    nd = len(shape)
    kinds = ["none", "int", "tuple"] if dims == "any" else [dims]
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        dim = None
    elif kind == "int":
        dim = draw(st.integers(-max(nd, 1), max(nd, 1) - 1))
    else:
        if nd == 0:
            dim = None
        else:
            axes = draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
            dim = tuple(a - nd if draw(st.booleans()) else a for a in axes)
    return shape, dim, draw(st.booleans()), draw(st.integers(0, 2**16))


def distinct(shape, seed, dtype=np.float64):
    """Values at least 0.5 apart (no ties, no zeros), in random order."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    vals = (rng.permutation(n) - n / 2 + 0.25) * 0.7 + rng.uniform(0, 0.1, n)
    return vals.reshape(shape).astype(dtype)


# ---- forward vs NumPy, float32 and float64 ----------------------------------------------------
NUMPY_REDUCTIONS = {
    "sum": (lambda x, d, k: npgrad.sum(x, d, k), lambda a, ax, k: np.sum(a, ax, keepdims=k)),
    "mean": (lambda x, d, k: npgrad.mean(x, d, k), lambda a, ax, k: np.mean(a, ax, keepdims=k)),
    "amax": (
        lambda x, d, k: npgrad.amax(x, () if d is None else d, k),
        lambda a, ax, k: np.max(a, ax, keepdims=k),
    ),
    "amin": (
        lambda x, d, k: npgrad.amin(x, () if d is None else d, k),
        lambda a, ax, k: np.min(a, ax, keepdims=k),
    ),
    "var": (
        lambda x, d, k: npgrad.var(x, d, keepdim=k),
        lambda a, ax, k: np.var(a, ax, ddof=1, keepdims=k),
    ),
    "std_biased": (
        lambda x, d, k: npgrad.std(x, d, unbiased=False, keepdim=k),
        lambda a, ax, k: np.std(a, ax, keepdims=k),
    ),
    "logsumexp": (
        lambda x, d, k: npgrad.logsumexp(x, () if d is None else d, k),
        lambda a, ax, k: np.log(np.sum(np.exp(a.astype(np.float64)), ax, keepdims=k)).astype(
            a.dtype
        ),
    ),
    "norm2": (
        lambda x, d, k: npgrad.norm(x, dim=d, keepdim=k),
        lambda a, ax, k: np.sqrt(np.sum(a.astype(np.float64) ** 2, ax, keepdims=k)).astype(a.dtype),
    ),
    "norm3": (
        lambda x, d, k: npgrad.norm(x, 3, d, k),
        lambda a, ax, k: (
            np.sum(np.abs(a.astype(np.float64)) ** 3, ax, keepdims=k) ** (1 / 3)
        ).astype(a.dtype),
    ),
    "norm_inf": (
        lambda x, d, k: npgrad.norm(x, INF, d, k),
        lambda a, ax, k: np.max(np.abs(a), ax, keepdims=k),
    ),
    "norm1": (
        lambda x, d, k: npgrad.norm(x, 1, d, k),
        lambda a, ax, k: np.sum(np.abs(a), ax, keepdims=k),
    ),
    "norm0": (
        lambda x, d, k: npgrad.norm(x, 0, d, k),
        lambda a, ax, k: np.sum(a != 0, ax, keepdims=k).astype(a.dtype),
    ),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(NUMPY_REDUCTIONS))
@settings(max_examples=15, deadline=None)
@given(c=case())
def test_reduction_forward_matches_numpy(name, dtype, c):
    shape, dim, keepdim, seed = c
    ours, ref = NUMPY_REDUCTIONS[name]
    a = np.random.default_rng(seed).uniform(-2, 2, shape).astype(dtype)
    if name == "var" and a.size // max(np.prod(np.shape(np.sum(a, np_axis(dim, a.ndim)))), 1) <= 1:
        dim = None  # keep dof > 0: that case has its own tests
        if a.size <= 1:
            return
    out = ours(npgrad.tensor(a), dim, keepdim)
    expected = np.asarray(ref(a, np_axis(dim, a.ndim), keepdim))
    assert out.dtype == dtype
    assert out.shape == expected.shape
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert_close(out, expected, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@settings(max_examples=20, deadline=None)
@given(c=case(dims="int"))
def test_max_min_with_dim_match_numpy_values_and_first_index(dtype, c):
    shape, dim, keepdim, seed = c
    rng = np.random.default_rng(seed)
    a = rng.integers(-2, 3, shape).astype(dtype)  # small integers: plenty of ties
    ax = np_axis(dim, a.ndim)
    for fn, red, arg in ((npgrad.max, np.max, np.argmax), (npgrad.min, np.min, np.argmin)):
        values, indices = fn(npgrad.tensor(a), dim, keepdim)
        exp_idx = np.asarray(arg(a, ax, keepdims=keepdim) if ax is not None else 0)
        assert_close(values, np.asarray(red(a, ax, keepdims=keepdim)).astype(dtype))
        assert indices.dtype == npgrad.int64
        assert_close(indices, exp_idx.astype(np.int64))
        assert_close(
            npgrad.argmax(npgrad.tensor(a), dim, keepdim)
            if fn is npgrad.max
            else npgrad.argmin(npgrad.tensor(a), dim, keepdim),
            exp_idx.astype(np.int64),
        )


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.bool_])
@settings(max_examples=15, deadline=None)
@given(c=case(dims="int"))
def test_scans_match_numpy(dtype, c):
    shape, dim, _, seed = c
    rng = np.random.default_rng(seed)
    a = (
        rng.uniform(-1.5, 1.5, shape).astype(dtype)
        if dtype != np.bool_
        else rng.random(shape) < 0.5
    )
    out_dtype = np.int64 if dtype in (np.int32, np.bool_) else dtype
    ax = np_axis(dim, a.ndim)
    for fn, ref in ((npgrad.cumsum, np.cumsum), (npgrad.cumprod, np.cumprod)):
        out = fn(npgrad.tensor(a), dim)
        expected = ref(a, ax, dtype=out_dtype).reshape(a.shape) if a.ndim else a.astype(out_dtype)
        assert out.dtype == out_dtype
        assert_close(out, expected, rtol=1e-5 if dtype == np.float32 else 1e-12)


@settings(max_examples=20, deadline=None)
@given(c=case())
def test_any_all_argmax_flat_match_numpy(c):
    shape, dim, keepdim, seed = c
    a = np.random.default_rng(seed).integers(0, 3, shape).astype(np.float32)
    ax = np_axis(dim, a.ndim)
    assert_close(
        npgrad.any(npgrad.tensor(a), dim, keepdim), np.asarray(np.any(a, ax, keepdims=keepdim))
    )
    assert_close(
        npgrad.all(npgrad.tensor(a), dim, keepdim), np.asarray(np.all(a, ax, keepdims=keepdim))
    )
    flat = npgrad.argmax(npgrad.tensor(a), keepdim=keepdim)
    assert flat.shape == ((1,) * a.ndim if keepdim else ())
    assert flat.item() == np.argmax(a)


def test_sum_dtypes_follow_pytorch():
    assert npgrad.sum(npgrad.tensor([True, True, False])).dtype == npgrad.int64
    assert npgrad.sum(npgrad.tensor([1, 2], dtype=npgrad.int8)).dtype == npgrad.int64
    assert npgrad.sum(npgrad.tensor([1, 2], dtype=npgrad.uint8), dim=0).item() == 3
    # dtype= casts first: 1.5 + 2.5 as int64 is 1 + 2
    assert npgrad.sum(t([1.5, 2.5]), dtype=npgrad.int64).item() == 3
    assert npgrad.sum(npgrad.tensor([1, 2], dtype=npgrad.int8), dtype=F32).dtype == F32
    x = t([1.5, 2.5], F32, requires_grad=True)
    y = npgrad.sum(x, dtype=F64)
    y.backward()
    assert y.dtype == F64 and x.grad.dtype == F32
    assert npgrad.prod(npgrad.tensor([True, True])).dtype == npgrad.int64
    assert npgrad.cumsum(npgrad.tensor([1, 2], dtype=npgrad.int32), 0).dtype == npgrad.int64
    assert (
        npgrad.cumsum(npgrad.tensor([1, 2], dtype=npgrad.int32), 0, dtype=npgrad.int32).dtype
        == npgrad.int32
    )


def test_float16_accumulates_in_float32_and_stays_float16():
    h = npgrad.tensor([60000.0, 60000.0], dtype=npgrad.float16)
    assert npgrad.mean(h).dtype == npgrad.float16 and npgrad.mean(h).item() == 60000.0
    assert npgrad.var(h).item() == 0.0
    assert npgrad.logsumexp(h, 0).dtype == npgrad.float16
    many = npgrad.ones(4096, dtype=npgrad.float16)
    assert npgrad.sum(many).item() == 4096.0  # float16 accumulation alone would stop at 2048


def test_any_all_give_bool_and_uint8_for_uint8():
    assert npgrad.any(t([0.0, 1.0])).dtype == npgrad.bool
    assert npgrad.all(npgrad.tensor([1, 2], dtype=npgrad.uint8)).dtype == npgrad.uint8


def test_prod_of_a_0d_tensor_checks_dim_like_torch():
    x = npgrad.tensor(3.0)
    assert x.prod(0).item() == 3.0 and x.prod(-1, keepdim=True).shape == ()
    with pytest.raises(IndexError, match="prod: dimension out of range"):
        x.prod(1)


def test_any_all_with_an_empty_dim_tuple_reduce_nothing_like_torch():
    x = npgrad.tensor([[0.0, 2.0], [3.0, 0.0]])
    for fn in (npgrad.any, npgrad.all):
        out = fn(x, dim=())
        assert out.shape == (2, 2) and out.dtype == npgrad.bool
        assert out.tolist() == [[False, True], [True, False]]


def test_dim_conventions():
    x = t(np.arange(6.0).reshape(2, 3))
    assert npgrad.sum(x, ()).item() == 15.0  # () reduces every dim
    assert npgrad.sum(x, (0, -1)).item() == 15.0
    assert npgrad.sum(x, [0], keepdim=True).shape == (1, 3)
    assert npgrad.sum(x, npgrad.tensor(1)).shape == (2,)
    assert npgrad.sum(x, axis=1, keepdims=True).shape == (2, 1)  # NumPy aliases
    assert npgrad.amax(x, axis=0).shape == (3,)
    s = t(3.0)
    assert npgrad.sum(s, 0).shape == () and npgrad.sum(s, -1, keepdim=True).shape == ()
    assert npgrad.max(s, 0).indices.item() == 0
    assert npgrad.cumprod(s, 0).item() == 3.0
    assert npgrad.argmax(s, 0).item() == 0
    assert x.var(0, False).tolist() == [2.25, 2.25, 2.25]  # unbiased positional after dim
    assert x.var(False).item() == pytest.approx(np.var(np.arange(6.0)))  # PyTorch's bool overload
    assert npgrad.var(x, correction=0).item() == pytest.approx(np.var(np.arange(6.0)))


# ---- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fn",
    [
        lambda x: npgrad.sum(x, 2),
        lambda x: npgrad.mean(x, (0, -3)),
        lambda x: npgrad.var(x, 5),
        lambda x: npgrad.prod(x, -3),
        lambda x: npgrad.max(x, 2),
        lambda x: npgrad.amin(x, 2),
        lambda x: npgrad.argmax(x, 2),
        lambda x: npgrad.logsumexp(x, 2),
        lambda x: npgrad.norm(x, dim=2),
        lambda x: npgrad.cumsum(x, 2),
        lambda x: npgrad.any(x, -3),
    ],
)
def test_dim_out_of_range_is_an_index_error_naming_op_and_range(fn):
    with pytest.raises(IndexError, match=r"range of \[-2, 1\]"):
        fn(t([[1.0, 2.0], [3.0, 4.0]]))


def test_errors():
    x = t([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(IndexError, match=r"^sum: .*but got 2"):
        npgrad.sum(x, 2)
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times"):
        npgrad.sum(x, (0, -2))
    with pytest.raises(TypeError, match="sum: dim must be an int"):
        npgrad.sum(x, 1.0)
    with pytest.raises(TypeError, match="prod"):
        npgrad.prod(x, (0, 1))
    with pytest.raises(TypeError, match="cumsum.*dim"):
        npgrad.cumsum(x)
    with pytest.raises(TypeError, match="dim"):
        npgrad.sum(x, 0, axis=1)
    with pytest.raises(TypeError, match="both 'dim' and its alias 'axis'"):
        npgrad.sum(x, dim=0, axis=1)
    with pytest.raises(TypeError, match="expected a Tensor"):
        npgrad.sum([1.0, 2.0])
    ints = npgrad.tensor([1, 2])
    with pytest.raises(RuntimeError, match="mean.*floating"):
        npgrad.mean(ints)
    with pytest.raises(RuntimeError, match="mean.*floating"):
        npgrad.mean(x, dtype=npgrad.int64)
    assert npgrad.mean(ints, dtype=F64).item() == 1.5
    for fn in (npgrad.var, npgrad.std, npgrad.norm):
        with pytest.raises(RuntimeError, match="floating"):
            fn(ints)
    with pytest.raises(TypeError, match="not both"):
        npgrad.var(x, unbiased=True, correction=0)
    with pytest.raises(RuntimeError, match="nuclear norm needs a 2-D input"):
        npgrad.norm(npgrad.ones(2, 2, 2), "nuc")
    with pytest.raises(ValueError, match="abc"):
        npgrad.norm(x, "abc")


def test_empty_reductions_follow_pytorch():
    e = t(np.zeros((0, 3)))
    assert npgrad.sum(e).item() == 0.0 and npgrad.prod(e).item() == 1.0
    assert npgrad.sum(e, 0).tolist() == [0.0, 0.0, 0.0]
    assert math.isnan(npgrad.mean(e).item())
    assert npgrad.logsumexp(e, 0).tolist() == [-INF] * 3
    assert npgrad.norm(e).item() == 0.0
    assert npgrad.amax(e, 1).shape == (0,)
    assert not npgrad.any(e).item() and npgrad.all(e).item()
    with pytest.raises(RuntimeError, match=r"^max: expected reduction dim to be specified"):
        npgrad.max(e)
    with pytest.raises(RuntimeError, match=r"^amin: "):
        npgrad.amin(e)
    with pytest.raises(IndexError, match=r"^max: expected reduction dim 0 to have non-zero"):
        npgrad.max(e, 0)
    with pytest.raises(IndexError, match=r"^amax: .*dim 0"):
        npgrad.amax(e, 0)
    with pytest.raises(IndexError, match=r"^argmax: "):
        npgrad.argmax(e)
    with pytest.raises(IndexError, match=r"^argmin: .*dim 0"):
        npgrad.argmin(e, 0)
    with pytest.raises(RuntimeError, match="inf norm"):
        npgrad.norm(e, INF, 0)


# ---- gradients: first and second order, float64 --------------------------------------------
GRAD_OPS = {
    "sum": lambda x, d, k: x.sum(d, k),
    "mean": lambda x, d, k: x.mean(d, k),
    "var": lambda x, d, k: x.var(d, keepdim=k, correction=0),
    "std": lambda x, d, k: x.std(d, keepdim=k, correction=0),
    "prod": lambda x, d, k: x.prod(d if not isinstance(d, tuple) else d[0], k),
    "amax": lambda x, d, k: x.amax(() if d is None else d, k),
    "amin": lambda x, d, k: x.amin(() if d is None else d, k),
    "max": lambda x, d, k: (
        x.max() if d is None else x.max(d if isinstance(d, int) else d[0], k).values
    ),
    "min": lambda x, d, k: x.min() if d is None else x.min(d if isinstance(d, int) else d[0], k)[0],
    "logsumexp": lambda x, d, k: x.logsumexp(() if d is None else d, k),
    "norm2": lambda x, d, k: x.norm(2, d, k),
    "norm1": lambda x, d, k: x.norm(1, d, k),
    "norm_inf": lambda x, d, k: x.norm(INF, d, k),
    "norm_-inf": lambda x, d, k: x.norm(-INF, d, k),
    "norm3": lambda x, d, k: x.norm(3, d, k),
    "norm1.5": lambda x, d, k: x.norm(1.5, d, k),
    "norm0.5": lambda x, d, k: x.norm(0.5, d, k),
    "norm-2": lambda x, d, k: x.norm(-2, d, k),
    "cumsum": lambda x, d, k: x.cumsum(0 if d is None else d if isinstance(d, int) else d[0]),
    "cumprod": lambda x, d, k: x.cumprod(0 if d is None else d if isinstance(d, int) else d[0]),
}


@pytest.mark.parametrize("name", sorted(GRAD_OPS))
@settings(max_examples=15, deadline=None)
@given(c=case(max_dims=3, max_side=3))
def test_gradcheck_and_gradgradcheck(name, c):
    shape, dim, keepdim, seed = c
    if name in ("var", "std") and int(np.prod(shape)) < 2:
        shape = (2,) * max(len(shape), 1)  # a single element has std 0: not differentiable
    a = distinct(shape, seed)
    if name in ("prod", "cumprod"):  # magnitudes near 1: long products stay well scaled
        a = np.sign(a) * (0.5 + np.abs(a) / a.size)
    x = npgrad.tensor(a, requires_grad=True)
    fn = GRAD_OPS[name]
    assert gradcheck(lambda v: fn(v, dim, keepdim), (x,))
    assert gradgradcheck(lambda v: fn(v, dim, keepdim), (x,))


@pytest.mark.parametrize(
    "values",
    [
        [[2.0, 0.0, 3.0, 1.5], [0.5, 1.5, 2.0, -1.0]],  # one zero in a row
        [[2.0, 0.0, 3.0, 0.0], [0.0, 1.5, 0.0, 0.0]],  # several zeros per row
        [[0.0, 0.0, 0.0, 0.0], [0.0, -2.0, 0.0, 3.0]],
        [[0.0, 1.0, 2.0, 0.5], [1.5, 2.0, 0.5, 0.0]],  # zero first / last
    ],
)
@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.prod(),
        lambda x: x.prod(1),
        lambda x: x.prod(0, keepdim=True),
        lambda x: x.prod(keepdim=True),
        lambda x: x.cumprod(1),
        lambda x: x.cumprod(0),
        lambda x: x[0].prod(),
    ],
)
def test_prod_and_cumprod_with_zeros_are_right_to_second_order(values, fn):
    x = t(values, requires_grad=True)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_prod_gradient_with_zeros_exact_values():
    x = t([2.0, 0.0, 3.0], requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == [0.0, 6.0, 0.0]
    y = t([[2.0, 0.0, 0.0], [1.0, 2.0, 3.0]], requires_grad=True)
    y.prod(1).sum().backward()
    assert y.grad.tolist() == [[0.0, 0.0, 0.0], [6.0, 3.0, 2.0]]
    z = t([2.0, 0.0, 3.0, 0.0, 5.0], requires_grad=True)
    z.cumprod(0).sum().backward()  # first order needs no recursion: d/dx_k, k > first zero, is 0
    assert z.grad.tolist() == [1.0, 8.0, 0.0, 0.0, 0.0]
    assert np.isfinite(z.grad.numpy()).all()


def test_max_ties_share_gradient_evenly_but_dim_sends_it_to_the_index():
    x = t([1.0, 3.0, 3.0, 2.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5, 0.0]
    x.grad = None
    x.amin().backward()
    assert x.grad.tolist() == [1.0, 0.0, 0.0, 0.0]
    x.grad = None
    r = x.max(0)
    assert r.indices.item() == 1
    r.values.backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0, 0.0]
    m = t([[1.0, 5.0, 5.0], [2.0, 2.0, 2.0]], requires_grad=True)
    m.amax(1).sum().backward()
    assert_close(m.grad, t([[0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]]))
    n = t([1.0, -2.0, 2.0], requires_grad=True)
    n.norm(INF).backward()
    assert n.grad.tolist() == [0.0, -0.5, 0.5]


def test_norm_std_gradients_at_zero_are_zero():
    for p in (2, "fro", 1, 3, 1.5, 0.5, -1, INF):
        x = t([0.0, 0.0], requires_grad=True)
        x.norm(p).backward()
        assert x.grad.tolist() == [0.0, 0.0], p
    x = t([1.0, 0.0], requires_grad=True)
    x.norm(0.5).backward()
    assert x.grad.tolist() == [1.0, 0.0]
    x = t([2.0, 2.0], requires_grad=True)
    x.std().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    # second order through the masked branches stays finite (no 0 * inf from the where)
    for fn, rows in (
        (lambda v: v.norm(dim=1), [[0.0, 0.0], [1.0, 2.0]]),
        (lambda v: v.std(1), [[1.0, 1.0], [1.0, 2.0]]),
    ):
        x = t(rows, requires_grad=True)
        (g,) = npgrad.autograd.grad(fn(x).sum(), x, create_graph=True)
        (h,) = npgrad.autograd.grad((g * g).sum(), x)
        assert h.numpy()[0].tolist() == [0.0, 0.0] and np.isfinite(h.numpy()).all()
        assert gradgradcheck(fn, (t([rows[1]], requires_grad=True),))
    assert t([1.0, 2.0], requires_grad=True).norm(0).grad_fn is not None


def test_var_with_nonpositive_dof_warns_and_gives_inf_or_nan():
    with pytest.warns(UserWarning, match=r"var: degrees of freedom is <= 0"):
        v = npgrad.var(t([1.0, 2.0]), correction=2)
    assert v.item() == INF
    with pytest.warns(UserWarning, match="std"):
        assert math.isnan(npgrad.std(t([3.0])).item())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        npgrad.var(t([1.0, 2.0]))  # dof 1: no warning


def test_logsumexp_is_stable_and_its_gradient_is_softmax():
    x = t([1000.0, 1000.0, -1000.0], requires_grad=True)
    y = npgrad.logsumexp(x, 0)
    assert y.item() == pytest.approx(1000.0 + math.log(2.0))
    y.backward()
    assert_close(x.grad, t([0.5, 0.5, 0.0]))
    assert npgrad.logsumexp(t([-INF, -INF]), 0).item() == -INF
    assert npgrad.logsumexp(t([INF, 1.0]), 0).item() == INF
    assert npgrad.logsumexp(t([[1.0, 2.0]], F32), 1).dtype == F32
    assert npgrad.logsumexp(npgrad.tensor([1, 2]), 0).dtype == F32


def test_float32_stays_float32_forward_and_backward():
    x = npgrad.tensor(distinct((2, 3), 0, np.float32), requires_grad=True)
    outs = [
        x.sum(),
        x.mean(1),
        x.var(),
        x.std(0),
        x.prod(),
        x.amax(),
        x.max(1).values,
        x.logsumexp(1),
        x.norm(),
        x.norm(3, 1),
        x.cumsum(1),
        x.cumprod(0),
    ]
    for out in outs:
        assert out.dtype == F32, out.grad_fn
        x.grad = None
        out.sum().backward()
        assert x.grad.dtype == F32, out.grad_fn


def test_max_result_is_a_named_tuple():
    r = npgrad.max(t([[1.0, 5.0], [4.0, 2.0]], F32), 1, keepdim=True)
    values, indices = r
    assert values is r.values and indices is r.indices and r[1] is indices
    assert values.shape == (2, 1) and indices.tolist() == [[1], [0]]
    assert repr(r).startswith("npgrad.return_types.max(\nvalues=tensor([[5.],")
    assert repr(npgrad.min(t([1.0, 0.0], F32), 0)) == (
        "npgrad.return_types.min(\nvalues=tensor(0.),\nindices=tensor(1))"
    )
    back = pickle.loads(pickle.dumps(r))
    assert back.values.tolist() == [[5.0], [4.0]] and type(back) is type(r)
    assert_close(npgrad.max(t([1.0, 5.0]), t([3.0, 2.0])), t([3.0, 5.0]))  # elementwise form


def test_nan_propagates_like_pytorch():
    x = t([1.0, math.nan, 3.0])
    assert math.isnan(x.max().item()) and math.isnan(x.amin().item())
    assert x.max(0).indices.item() == 1 and x.argmin().item() == 1


# ---- parity with PyTorch ----------------------------------------------------------------------
PARITY = [
    ("sum", lambda m, x: m.sum(x, (0, 2), keepdim=True)),
    ("mean", lambda m, x: m.mean(x, -1)),
    ("var", lambda m, x: m.var(x, 1)),
    ("var_c0", lambda m, x: m.var(x, (0, 1), correction=0)),
    ("std", lambda m, x: m.std(x)),
    ("std_dim", lambda m, x: m.std(x, 2, keepdim=True)),
    ("prod", lambda m, x: m.prod(x)),
    ("prod_dim", lambda m, x: m.prod(x, 1)),
    ("amax", lambda m, x: m.amax(x, (1, 2))),
    ("amin", lambda m, x: m.amin(x)),
    ("max", lambda m, x: m.max(x)),
    ("max_dim", lambda m, x: m.max(x, 2).values),
    ("min_dim", lambda m, x: m.min(x, 0, keepdim=True)[0]),
    ("logsumexp", lambda m, x: m.logsumexp(x, (0, 2))),
    ("norm", lambda m, x: m.norm(x)),
    ("norm1", lambda m, x: m.norm(x, 1, 1)),
    ("norm_inf", lambda m, x: m.norm(x, INF, (0, 2))),
    ("norm_-inf", lambda m, x: m.norm(x, -INF, 2)),
    ("norm3", lambda m, x: m.norm(x, 3, 0)),
    ("norm1.5", lambda m, x: m.norm(x, 1.5)),
    ("norm0.5", lambda m, x: m.norm(x, 0.5, 1)),
    ("norm-1", lambda m, x: m.norm(x, -1, 2)),
    ("cumsum", lambda m, x: m.cumsum(x, 1)),
    ("cumprod", lambda m, x: m.cumprod(x, 2)),
    ("cumprod0", lambda m, x: m.cumprod(x, 0)),
]
PARITY_INPUTS = {
    "random": lambda: np.random.default_rng(1).uniform(-2, 2, (2, 3, 4)),
    "ties": lambda: np.random.default_rng(2).integers(-2, 3, (2, 3, 4)).astype(np.float64),
    "zeros": lambda: np.where(
        np.random.default_rng(3).random((2, 3, 4)) < 0.3,
        0.0,
        np.random.default_rng(4).uniform(-2, 2, (2, 3, 4)),
    ),
}


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("inputs", sorted(PARITY_INPUTS))
@pytest.mark.parametrize(("name", "fn"), PARITY, ids=[p[0] for p in PARITY])
def test_parity_with_torch(name, fn, inputs, dtype):
    torch = pytest.importorskip("torch")
    a = PARITY_INPUTS[inputs]().astype(dtype)
    if inputs == "ties" and name.startswith(("norm0.5", "norm-1", "norm1.5")):
        pytest.skip("the gradient of |x|^p for p < 2 at 0 is not finite")
    x = npgrad.tensor(a.copy(), requires_grad=True)
    tx = torch.tensor(a.copy(), requires_grad=True)
    y, ty = fn(npgrad, x), fn(torch, tx)
    g = np.random.default_rng(5).standard_normal(ty.shape).astype(dtype)
    y.backward(npgrad.tensor(g))
    ty.backward(torch.tensor(g))
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == "float32" else {"rtol": 1e-10, "atol": 1e-12}
    assert_close(y, ty.detach().numpy(), equal_nan=True, **tol)
    assert_close(x.grad, tx.grad.numpy(), equal_nan=True, **tol)


@pytest.mark.torch
@pytest.mark.parametrize(
    ("values", "call"),
    [
        ([1.0, 2.0], lambda m, x: m.var(x, correction=2)),
        ([1.0, 1.0], lambda m, x: m.var(x, correction=3)),
        ([1.0, 2.0], lambda m, x: m.var(x, 0, correction=2)),
        ([1.0, 2.0], lambda m, x: m.var(x, 0, correction=3)),
        ([1.0], lambda m, x: m.std(x)),
        ([1.0, 1.0], lambda m, x: m.std(x)),
        ([1.0, 2.0], lambda m, x: m.std(x, correction=2)),
        ([[1.0, 2.0], [3.0, 3.0]], lambda m, x: m.std(x, 1)),
        ([0.0, 0.0], lambda m, x: m.norm(x)),
        ([0.0, 1.0, -2.0], lambda m, x: m.norm(x, 1)),
        ([1.0, -1.0, 2.0], lambda m, x: m.norm(x, -INF)),
        ([1.0, 0.0], lambda m, x: m.norm(x, -1)),
        ([-INF, -INF], lambda m, x: m.logsumexp(x, 0)),
        ([INF, 1.0], lambda m, x: m.logsumexp(x, 0)),
        ([1.0, math.nan, math.nan], lambda m, x: m.max(x)),
        ([2.0, 0.0, 3.0, 0.0, 5.0], lambda m, x: m.cumprod(x, 0)),
        ([0.0, 0.0, 3.0], lambda m, x: m.prod(x)),
        ([[0.0, 2.0], [0.0, 0.0]], lambda m, x: m.prod(x, 1)),
    ],
)
def test_parity_with_torch_at_edge_cases(values, call):
    torch = pytest.importorskip("torch")
    x = npgrad.tensor(values, dtype=F64, requires_grad=True)
    tx = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    with warnings.catch_warnings():  # dof <= 0 warns; inf * 0 in backward warns in NumPy
        warnings.simplefilter("ignore")
        y, ty = call(npgrad, x), call(torch, tx)
        y.sum().backward()
        ty.sum().backward()
    assert_close(y, ty.detach().numpy(), equal_nan=True)
    assert_close(x.grad, tx.grad.numpy(), equal_nan=True)


@pytest.mark.torch
def test_parity_with_torch_second_order_with_zeros():
    torch = pytest.importorskip("torch")
    a = np.array([[2.0, 0.0, 3.0, 0.0], [1.5, -1.0, 0.0, 2.0]])
    for call in (lambda m, v: m.cumprod(v, 1), lambda m, v: m.prod(v, 1), lambda m, v: m.prod(v)):
        x = npgrad.tensor(a.copy(), requires_grad=True)
        tx = torch.tensor(a.copy(), requires_grad=True)
        (gx,) = npgrad.autograd.grad(call(npgrad, x).sum(), x, create_graph=True)
        (tgx,) = torch.autograd.grad(call(torch, tx).sum(), tx, create_graph=True)
        assert_close(gx, tgx.detach().numpy())
        (gx * gx).sum().backward()
        (tgx * tgx).sum().backward()
        assert_close(x.grad, tx.grad.numpy())


def test_prod_gradient_with_nan_and_zero_follows_pytorch():
    # the gradient is the product of the others, from exclusive products on both sides:
    # the element next to nothing but a zero gets 0 even when another element is nan
    x = t([float("nan"), 1.0, 0.0], requires_grad=True)
    x.prod().backward()
    g = x.grad.numpy()
    assert g[0] == 0.0 and np.isnan(g[1:]).all()
    y = t([[float("nan"), 1.0, 0.0], [2.0, 0.0, 3.0]], requires_grad=True)
    y.prod(1).sum().backward()
    assert y.grad.numpy()[1].tolist() == [0.0, 6.0, 0.0] and y.grad.numpy()[0, 0] == 0.0


def test_every_values_indices_result_prints_like_torch_and_pickles():
    x = t([[3.0, 1.0, 2.0]], F32)
    results = {
        "max": npgrad.max(x, 1),
        "sort": npgrad.sort(x, 1),
        "topk": npgrad.topk(x, 2),
        "kthvalue": npgrad.kthvalue(x, 1),
        "median": npgrad.median(x, 1),
        "mode": npgrad.mode(x, 1),
        "cummax": npgrad.cummax(x, 1),
        "cummin": npgrad.cummin(x, 1),
    }
    for name, r in results.items():
        assert repr(r).startswith(f"npgrad.return_types.{name}(\nvalues=")
        back = pickle.loads(pickle.dumps(r))  # the types are found by name, as pickle needs
        assert type(back) is type(r) and back.indices.tolist() == r.indices.tolist()


def test_norm_nuc_and_dtype_follow_pytorch():
    a = npgrad.tensor([[3.0, 0.0], [0.0, -4.0]], requires_grad=True, dtype=F64)
    assert npgrad.norm(a, "nuc").item() == pytest.approx(7.0)
    stack = npgrad.stack([a, 2 * a])
    assert_close(npgrad.norm(stack, "nuc", dim=(1, 2)), npgrad.tensor([7.0, 14.0], dtype=F64))
    npgrad.norm(a, "nuc").backward()
    assert_close(a.grad, npgrad.tensor([[1.0, 0.0], [0.0, -1.0]], dtype=F64))  # U V^T
    x = npgrad.tensor([3.0, 4.0])
    y = x.norm(dtype=F64)
    assert y.dtype == F64 and y.item() == 5.0
    assert npgrad.norm(x, 1, dtype=F64).dtype == F64
