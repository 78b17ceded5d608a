"""nn.functional normalization: batch_norm, instance_norm, layer_norm, group_norm, rms_norm,
local_response_norm — values vs NumPy, running statistics, both backward paths, gradcheck and
gradgradcheck, errors, and PyTorch parity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
import npgrad.nn.functional as F
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

RNG = np.random.default_rng(1234)


def t(a, requires_grad=False, dtype=None):
    a = np.asarray(a)
    if dtype is not None:
        a = a.astype(dtype)
    return npgrad.tensor(a, requires_grad=requires_grad)


def randn(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


# ---- NumPy references ----------------------------------------------------------------------
def ref_norm(x, axes, eps, w=None, b=None, mean=None, var=None):
    if mean is None:
        mean = x.astype(np.float64).mean(axis=axes, keepdims=True)
        var = x.astype(np.float64).var(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + eps)
    if w is not None:
        y = y * w
    if b is not None:
        y = y + b
    return y.astype(x.dtype)


def chan(v, ndim):
    return v.reshape((1, -1) + (1,) * (ndim - 2))


# ---- forward values --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 6), (2, 3, 4, 5), (2, 3, 2, 2, 3)])
def test_batch_norm_training_matches_numpy_and_keeps_dtype(dtype, shape):
    x, w, b = randn(*shape, dtype=dtype), randn(3, dtype=dtype), randn(3, dtype=dtype)
    axes = (0,) + tuple(range(2, len(shape)))
    out = F.batch_norm(t(x), None, None, t(w), t(b), training=True, eps=1e-3)
    assert out.dtype == dtype and out.shape == shape
    expected = ref_norm(x, axes, 1e-3, chan(w, len(shape)), chan(b, len(shape)))
    assert_close(
        out,
        expected,
        rtol=1e-4 if dtype == np.float32 else 1e-10,
        atol=1e-5 if dtype == np.float32 else 1e-12,
    )


def test_batch_norm_updates_running_stats_with_unbiased_variance_in_place():
    x = randn(6, 3, 4)
    rm, rv = t(randn(3)), t(np.abs(randn(3)) + 0.5)
    rm0, rv0 = rm.numpy().copy(), rv.numpy().copy()
    data_before = rm._data
    v0 = rm._version
    F.batch_norm(t(x), rm, rv, training=True, momentum=0.25)
    n = 6 * 4
    mean = x.mean(axis=(0, 2))
    unbiased = x.var(axis=(0, 2)) * n / (n - 1)
    assert_close(rm, 0.75 * rm0 + 0.25 * mean)
    assert_close(rv, 0.75 * rv0 + 0.25 * unbiased)
    assert rm._data is data_before  # updated in place, like PyTorch's buffers
    assert rm._version > v0


def test_batch_norm_eval_uses_running_stats_and_leaves_them():
    x, w, b = randn(4, 3, 5), randn(3), randn(3)
    rm, rv = randn(3), np.abs(randn(3)) + 0.1
    rmt, rvt = t(rm), t(rv)
    out = F.batch_norm(t(x), rmt, rvt, t(w), t(b), training=False, eps=1e-5)
    assert_close(out, ref_norm(x, None, 1e-5, chan(w, 3), chan(b, 3), chan(rm, 3), chan(rv, 3)))
    assert_close(rmt, rm)
    assert_close(rvt, rv)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(0, 3), (0, 3, 5), (0, 3, 2, 2), (0, 3, 1, 1, 1)])
def test_batch_norm_of_an_empty_batch_is_empty_and_leaves_running_stats(shape, training):
    # PyTorch: an empty output, zero weight / bias gradients, running statistics unchanged
    x, w, b = t(np.zeros(shape), True), t(np.ones(3), True), t(np.zeros(3), True)
    rm, rv = t(np.full(3, 0.5)), t(np.full(3, 2.0))
    out = F.batch_norm(x, rm, rv, w, b, training=training)
    assert out.shape == shape and out.dtype == np.float64
    out.sum().backward()
    assert x.grad.shape == shape
    assert_close(w.grad, np.zeros(3))
    assert_close(b.grad, np.zeros(3))
    assert_close(rm, np.full(3, 0.5))
    assert_close(rv, np.full(3, 2.0))
    assert F.batch_norm(t(np.zeros(shape)), None, None, training=True).shape == shape
    bn = getattr(npgrad.nn, f"BatchNorm{max(len(shape) - 2, 1)}d")(3).train(training)
    x = t(np.zeros(shape, np.float32), True)
    bn(x).sum().backward()
    assert x.grad.shape == shape and not bn.weight.grad.numpy().any()
    assert bn.num_batches_tracked.item() == int(training)  # as PyTorch's module counts it
    assert_close(bn.running_var, np.ones(3, np.float32))


def test_instance_norm_matches_numpy_and_averages_running_stats_over_the_batch():
    x, w, b = randn(3, 2, 7), randn(2), randn(2)
    rm, rv = t(np.zeros(2)), t(np.ones(2))
    out = F.instance_norm(t(x), rm, rv, t(w), t(b), use_input_stats=True, momentum=0.5)
    assert_close(out, ref_norm(x, (2,), 1e-5, chan(w, 3), chan(b, 3)))
    assert_close(rm, 0.5 * x.mean(axis=2).mean(axis=0))
    assert_close(rv, 0.5 + 0.5 * x.var(axis=2, ddof=1).mean(axis=0))
    ev = F.instance_norm(t(x), rm, rv, use_input_stats=False)
    assert_close(ev, ref_norm(x, None, 1e-5, mean=chan(rm.numpy(), 3), var=chan(rv.numpy(), 3)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layer_norm_matches_numpy(dtype):
    x, w, b = randn(2, 3, 4, 5, dtype=dtype), randn(4, 5, dtype=dtype), randn(4, 5, dtype=dtype)
    out = F.layer_norm(t(x), (4, 5), t(w), t(b), eps=1e-6)
    assert out.dtype == dtype
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {}
    assert_close(out, ref_norm(x, (2, 3), 1e-6, w, b), **tol)
    assert_close(F.layer_norm(t(x), 5), ref_norm(x, (3,), 1e-5), **tol)  # an int shape


def ref_rms(x, axes, eps, w=None):
    y = x / np.sqrt((x.astype(np.float64) ** 2).mean(axis=axes, keepdims=True) + eps)
    return (y if w is None else y * w).astype(x.dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rms_norm_matches_numpy(dtype):
    x, w = randn(2, 3, 4, 5, dtype=dtype), randn(4, 5, dtype=dtype)
    out = F.rms_norm(t(x), (4, 5), t(w), eps=1e-6)
    assert out.dtype == dtype and out.shape == x.shape
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {}
    assert_close(out, ref_rms(x, (2, 3), 1e-6, w), **tol)
    # eps=None is the machine epsilon of the dtype; an int shape is one dimension
    assert_close(F.rms_norm(t(x), 5), ref_rms(x, (3,), np.finfo(dtype).eps), **tol)


def test_rms_norm_default_eps_decides_the_result_of_a_tiny_input():
    x = np.array([[1e-4, 0.0]])
    for dtype in (np.float32, np.float64):
        eps = np.finfo(dtype).eps
        expected = x / np.sqrt(x[0, 0] ** 2 / 2 + eps)
        assert_close(F.rms_norm(t(x, dtype=dtype), [2]), expected.astype(dtype), rtol=1e-5)
    # float16 is computed in float32, with float32's eps, as PyTorch does
    half = F.rms_norm(t(x, dtype=np.float16), [2])
    assert half.dtype == np.float16
    eps32 = np.finfo(np.float32).eps
    assert_close(half, (x / np.sqrt(1e-8 / 2 + eps32)).astype(np.float16), rtol=1e-3)


def test_rms_norm_output_dtype_is_the_inputs():
    x = t(randn(2, 3, dtype=np.float32))
    assert F.rms_norm(x, (3,), t(np.ones(3))).dtype == np.float32  # a float64 weight


def test_rms_norm_gradcheck_and_gradgradcheck():
    x = t(randn(2, 3, 4), requires_grad=True)
    w = t(randn(3, 4), requires_grad=True)
    assert gradcheck(lambda v, g: F.rms_norm(v, (3, 4), g, eps=1e-3), (x, w))
    assert gradcheck(lambda v: F.rms_norm(v, [4]), (x,))
    assert gradgradcheck(lambda v, g: F.rms_norm(v, (4,), g[0], eps=1e-3), (x, w))


def test_group_norm_matches_numpy():
    x, w, b = randn(2, 6, 3, 2), randn(6), randn(6)
    out = F.group_norm(t(x), 3, t(w), t(b))
    g = x.reshape(2, 3, -1)
    expected = ((g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + 1e-5)).reshape(
        x.shape
    )
    assert_close(out, expected * chan(w, 4) + chan(b, 4))


def test_local_response_norm_matches_a_loop_over_channels():
    x = randn(2, 5, 3)
    size, alpha, beta, k = 3, 0.3, 0.6, 1.5
    out = F.local_response_norm(t(x), size, alpha, beta, k)
    expected = np.empty_like(x)
    for c in range(5):
        lo, hi = max(0, c - size // 2), min(5, c + (size - 1) // 2 + 1)
        s = (x[:, lo:hi] ** 2).sum(axis=1)
        expected[:, c] = x[:, c] / (k + alpha / size * s) ** beta
    assert_close(out, expected)


def test_normalization_of_extreme_inputs_is_finite():
    x = t(np.array([[1e4, -1e4], [1e4 + 1, -1e4 - 1]], np.float32), requires_grad=True)
    out = F.batch_norm(x, None, None, training=True)
    out.sum().backward()
    assert np.isfinite(out.numpy()).all() and np.isfinite(x.grad.numpy()).all()


# ---- gradients -------------------------------------------------------------------------------
def _inputs(shape, c, affine=(True, True)):
    x = t(randn(*shape), requires_grad=True)
    w = t(randn(*c), requires_grad=True) if affine[0] else None
    b = t(randn(*c), requires_grad=True) if affine[1] else None
    return x, w, b


CASES = {
    "batch_train": ((4, 3, 2), (3,), lambda x, w, b: F.batch_norm(x, None, None, w, b, True)),
    "batch_2d": ((5, 3), (3,), lambda x, w, b: F.batch_norm(x, None, None, w, b, True, eps=1e-3)),
    "batch_eval": (
        (3, 3, 2),
        (3,),
        lambda x, w, b: F.batch_norm(x, t([0.1, -0.2, 0.3]), t([0.5, 1.5, 2.0]), w, b, False),
    ),
    "instance": ((2, 3, 4), (3,), lambda x, w, b: F.instance_norm(x, None, None, w, b)),
    "layer": ((3, 2, 3), (2, 3), lambda x, w, b: F.layer_norm(x, (2, 3), w, b)),
    "group": ((2, 4, 3), (4,), lambda x, w, b: F.group_norm(x, 2, w, b)),
}


@pytest.mark.parametrize("affine", [(True, True), (True, False), (False, True), (False, False)])
@pytest.mark.parametrize("case", sorted(CASES))
def test_gradcheck(case, affine):
    shape, c, fn = CASES[case]
    x, w, b = _inputs(shape, c, affine)
    assert gradcheck(fn, (x, w, b))


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradgradcheck(case):
    shape, c, fn = CASES[case]
    assert gradgradcheck(fn, _inputs(shape, c))


def test_local_response_norm_gradcheck_and_gradgradcheck():
    x = t(randn(2, 4, 3), requires_grad=True)
    assert gradcheck(lambda v: F.local_response_norm(v, 3, 0.5, 0.75, 1.0), (x,))
    assert gradgradcheck(lambda v: F.local_response_norm(v, 2, 0.5, 0.75, 1.0), (x,))


@pytest.mark.parametrize("case", sorted(CASES))
def test_numpy_backward_equals_graph_backward(case):
    # the fused op has two implementations of its gradient: NumPy for an ordinary backward
    # and npgrad ops under create_graph; they must agree
    shape, c, fn = CASES[case]
    x, w, b = _inputs(shape, c)
    g = t(randn(*shape))
    plain = npgrad.autograd.grad(fn(x, w, b), (x, w, b), g)
    graph = npgrad.autograd.grad(fn(x, w, b), (x, w, b), g, create_graph=True)
    assert graph[0].requires_grad and graph[1].requires_grad  # (the bias gradient is constant)
    for a, e in zip(plain, graph):
        assert_close(a, e.detach(), rtol=1e-10, atol=1e-12)


def test_gradient_wrt_input_of_batch_norm_sums_to_zero_per_channel():
    # normalizing removes the mean: dL/dx sums to 0 over each channel's batch
    x, w, b = _inputs((6, 3, 4), (3,))
    F.batch_norm(x, None, None, w, b, True).mul(t(randn(6, 3, 4))).sum().backward()
    assert_close(x.grad.numpy().sum(axis=(0, 2)), np.zeros(3), atol=1e-12)


def test_float32_gradients_stay_float32():
    x = t(randn(4, 3, 2, dtype=np.float32), requires_grad=True)
    w = t(np.ones(3, np.float32), requires_grad=True)
    F.batch_norm(x, None, None, w, None, True).sum().backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


# ---- errors ----------------------------------------------------------------------------------
def test_one_value_per_channel_in_training_raises():
    with pytest.raises(
        ValueError,
        match=r"Expected more than 1 value per channel when training, got input size \(1, 3\)",
    ):
        F.batch_norm(t(randn(1, 3)), None, None, training=True)
    F.batch_norm(t(randn(1, 3)), t(np.zeros(3)), t(np.ones(3)), training=False)  # fine in eval


def test_batch_norm_errors():
    x = t(randn(4, 3))
    with pytest.raises(ValueError, match=r"running_mean should contain 3 elements not 4"):
        F.batch_norm(x, t(np.zeros(4)), t(np.ones(4)))
    with pytest.raises(ValueError, match="must be given when training=False"):
        F.batch_norm(x, None, None, training=False)
    with pytest.raises(ValueError, match=r"expected weight with 3 elements .* got shape \(2,\)"):
        F.batch_norm(x, None, None, t(np.ones(2)), training=True)
    with pytest.raises(TypeError, match="weight dtype"):
        F.batch_norm(x, None, None, t(np.ones(3, np.float32)), training=True)
    with pytest.raises(ValueError, match="eps must be positive"):
        F.batch_norm(x, None, None, training=True, eps=0.0)
    with pytest.raises(TypeError, match="floating point"):
        F.batch_norm(t(np.ones((2, 3), np.int64)), None, None, training=True)
    with pytest.raises(ValueError, match=r"got shape \(3,\)"):
        F.batch_norm(t(randn(3)), None, None, training=True)


def test_other_norm_errors():
    with pytest.raises(ValueError, match=r"normalized_shape=\[4\].*got input of size \(2, 3\)"):
        F.layer_norm(t(randn(2, 3)), (4,))
    with pytest.raises(ValueError, match=r"expected weight of shape \(3,\)"):
        F.layer_norm(t(randn(2, 3)), (3,), t(np.ones((1, 3))))
    with pytest.raises(ValueError, match=r"normalized_shape=\[4\].*got input of size \(2, 3\)"):
        F.rms_norm(t(randn(2, 3)), (4,))
    with pytest.raises(ValueError, match=r"weight of shape \(1, 3\) and normalized_shape = \[3\]"):
        F.rms_norm(t(randn(2, 3)), (3,), t(np.ones((1, 3))))
    with pytest.raises(ValueError, match=r"at least 1-dimensional"):
        F.rms_norm(t(randn(2, 3)), ())
    with pytest.raises(TypeError, match="floating point"):
        F.rms_norm(t(np.ones((2, 3), np.int64)), (3,))
    with pytest.raises(ValueError, match=r"divisible by num_groups.*\(2, 3, 4\) and num_groups=2"):
        F.group_norm(t(randn(2, 3, 4)), 2)
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        F.instance_norm(t(randn(2, 3, 1)))
    with pytest.raises(ValueError, match="3D or higher"):
        F.local_response_norm(t(randn(2, 3)), 2)


def test_shape_errors_are_also_runtime_errors_like_pytorch():
    with pytest.raises(RuntimeError):
        F.layer_norm(t(randn(2, 3)), (4,))


# ---- PyTorch parity --------------------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "name", ["batch_train", "batch_eval", "instance_run", "layer", "group", "rms", "rms_eps", "lrn"]
)
def test_parity_with_torch(name, dtype):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x0, w0, b0 = randn(4, 6, 3, 2, dtype=dtype), randn(6, dtype=dtype), randn(6, dtype=dtype)
    rm0, rv0 = randn(6, dtype=dtype), (np.abs(randn(6)) + 0.5).astype(dtype)
    g0 = randn(4, 6, 3, 2, dtype=dtype)
    ours = [t(a, requires_grad=True) for a in (x0, w0, b0)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x0, w0, b0)]
    stats_ours, stats_theirs = (t(rm0), t(rv0)), (torch.tensor(rm0), torch.tensor(rv0))
    if name in ("layer", "rms", "rms_eps"):
        ours[1:] = [t(randn(3, 2, dtype=dtype), requires_grad=True) for _ in range(2)]
        theirs[1:] = [torch.tensor(a.numpy(), requires_grad=True) for a in ours[1:]]

    def run(fn, x, w, b, stats):
        return {
            "batch_train": lambda: fn.batch_norm(x, *stats, w, b, True, 0.3, 1e-4),
            "batch_eval": lambda: fn.batch_norm(x, *stats, w, b, False),
            "instance_run": lambda: fn.instance_norm(x, *stats, w, b, True, 0.2),
            "layer": lambda: fn.layer_norm(x, (3, 2), w, b),
            "rms": lambda: fn.rms_norm(x, [3, 2], w),
            "rms_eps": lambda: fn.rms_norm(x * 1e-3, [2], None, 1e-4) + b.sum(),
            "group": lambda: fn.group_norm(x, 3, w, b),
            "lrn": lambda: fn.local_response_norm(x * w.reshape(1, 6, 1, 1), 3, 0.1, 0.7, 2.0),
        }[name]()

    y = run(F, *ours, stats_ours)
    ty = run(tf, *theirs, stats_theirs)
    y.backward(t(g0))
    ty.backward(torch.tensor(g0))
    tol = {"rtol": 2e-4, "atol": 2e-5} if dtype == np.float32 else {"rtol": 1e-9, "atol": 1e-10}
    assert_close(y.detach(), ty.detach().numpy(), **tol)
    for a, e in zip(ours, theirs):
        if e.grad is not None:
            assert_close(a.grad, e.grad.numpy(), **tol)
    for a, e in zip(stats_ours, stats_theirs):
        assert_close(a, e.numpy(), **tol)


# ---- random shapes ---------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 4),
    groups=st.integers(1, 3),
    per_group=st.integers(1, 3),
    spatial=st.lists(st.integers(1, 3), max_size=2),
    seed=st.integers(0, 2**16),
)
def test_random_shapes_match_numpy(n, groups, per_group, spatial, seed):
    rng = np.random.default_rng(seed)
    c = groups * per_group
    shape = (n, c, *spatial)
    x, w, b = rng.standard_normal(shape), rng.standard_normal(c), rng.standard_normal(c)
    rest = int(np.prod(spatial, dtype=np.int64))
    nd = len(shape)
    if n * rest > 1:
        axes = (0,) + tuple(range(2, nd))
        out = F.batch_norm(t(x), None, None, t(w), t(b), training=True)
        assert_close(out, ref_norm(x, axes, 1e-5, chan(w, nd), chan(b, nd)), rtol=1e-9, atol=1e-9)
    if per_group * rest > 1:
        g = x.reshape(n, groups, -1)
        expected = (
            (g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + 1e-5)
        ).reshape(shape)
        assert_close(
            F.group_norm(t(x), groups, t(w), t(b)),
            expected * chan(w, nd) + chan(b, nd),
            rtol=1e-9,
            atol=1e-9,
        )
    trailing = shape[1:]
    lw = rng.standard_normal(trailing)
    expected = ref_norm(x, tuple(range(1, nd)), 1e-5, lw)
    assert_close(F.layer_norm(t(x), trailing, t(lw)), expected, rtol=1e-9, atol=1e-9)
