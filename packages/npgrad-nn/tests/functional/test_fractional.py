"""nn.functional fractional max pooling (2-D, 3-D) and the ``*_with_indices`` spellings.

The forward is checked against a loop-per-window reference written from the definition
(window starts ``floor((i + u)·alpha) - floor(u·alpha)`` computed element by element in the
input's dtype, last window at ``n - k``; PyTorch's scan: first maximum in row-major order, a
NaN wins), gradients by central differences and as a scatter-add at the indices, and values,
indices and gradients against PyTorch with the same ``_random_samples``."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn import functional as F

RNG = np.random.default_rng(7)


def _starts_ref(u, n, o, k):
    """Window starts along one dimension, one scalar at a time in ``u``'s dtype."""
    dt = type(u)
    out = []
    for i in range(o - 1):
        alpha = dt(n - k) / dt(o - 1)
        out.append(int((dt(i) + u) * alpha) - int(u * alpha))
    return out + [n - k] if o > 0 else []


def ref_fractional(x, k, o, u):
    """Per window of every plane: PyTorch's scan (max starts at -inf, index at the window's
    first element; take ``v`` when ``v > max`` or ``v`` is NaN)."""
    nd = len(k)
    sizes = x.shape[2:]
    out = np.empty(x.shape[:2] + tuple(o), x.dtype)
    idx = np.empty(out.shape, np.int64)
    for b, c in np.ndindex(*x.shape[:2]):
        # 2-D: sample 0 drives the width, sample 1 the height; 3-D: sample t drives dim t
        cols = [1, 0] if nd == 2 else [0, 1, 2]
        starts = [_starts_ref(u[b, c, cols[t]], sizes[t], o[t], k[t]) for t in range(nd)]
        for pos in np.ndindex(*o):
            lo = [starts[t][pos[t]] for t in range(nd)]
            best, arg = -np.inf, np.ravel_multi_index(lo, sizes)
            for tap in np.ndindex(*k):
                coords = [a + t for a, t in zip(lo, tap)]
                v = x[(b, c, *coords)]
                if v > best or np.isnan(v):
                    best, arg = v, np.ravel_multi_index(coords, sizes)
            out[(b, c, *pos)], idx[(b, c, *pos)] = best, arg
    return out, idx


def _samples(n, c, nd, dtype):
    return npgrad.tensor(RNG.random((n, c, nd)).astype(dtype))


def _pool(nd):
    return F.fractional_max_pool2d if nd == 2 else F.fractional_max_pool3d


# ---- forward ----------------------------------------------------------------------------------
CASES = [
    # nd, shape, kernel, output_size
    (2, (2, 3, 9, 11), (2, 2), (5, 6)),
    (2, (1, 2, 7, 7), (3, 3), (5, 5)),  # the largest output the kernel allows
    (2, (2, 1, 10, 6), (3, 2), (4, 3)),
    (2, (1, 2, 13, 9), (1, 1), (13, 9)),  # windows of one element: the identity
    (2, (1, 1, 8, 8), (2, 3), (1, 1)),  # one window: starts at n - k
    (3, (1, 2, 6, 7, 5), (2, 2, 2), (3, 4, 2)),
    (3, (2, 1, 5, 5, 6), (2, 3, 1), (4, 2, 3)),
    (3, (1, 2, 4, 5, 3), (2, 1, 3), (3, 5, 1)),  # o + k - 1 = n (PyTorch 3-D refuses it)
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("nd", "shape", "k", "o"), CASES)
def test_forward_matches_reference(nd, shape, k, o, dtype):
    x0 = RNG.standard_normal(shape).astype(dtype)
    u = _samples(shape[0], shape[1], nd, dtype)
    y, i = _pool(nd)(npgrad.tensor(x0), k, o, return_indices=True, _random_samples=u)
    ry, ri = ref_fractional(x0, k, o, u.numpy())
    assert y.shape == ry.shape and y.dtype == dtype and i.dtype == np.int64
    np.testing.assert_array_equal(y.numpy(), ry)
    np.testing.assert_array_equal(i.numpy(), ri)


@pytest.mark.parametrize("nd", [2, 3])
def test_unbatched_input_uses_a_batch_of_one(nd):
    shape = (3,) + (7,) * nd
    x0 = RNG.standard_normal(shape)
    u = _samples(1, 3, nd, np.float64)
    y, i = _pool(nd)(npgrad.tensor(x0), 2, 4, return_indices=True, _random_samples=u)
    ry, ri = ref_fractional(x0[None], (2,) * nd, (4,) * nd, u.numpy())
    assert y.shape == (3,) + (4,) * nd
    np.testing.assert_array_equal(y.numpy(), ry[0])
    np.testing.assert_array_equal(i.numpy(), ri[0])


def test_starts_are_computed_in_the_input_dtype():
    # n=58, k=4, o=23 with this u: floor((i + u)·alpha) differs between float32 and float64
    u32 = np.float32(0.5555546283721924)
    s32 = _starts_ref(u32, 58, 23, 4)
    assert s32 != _starts_ref(np.float64(u32), 58, 23, 4)
    x0 = np.tile(np.arange(58.0), (1, 1, 58, 1))  # the max of a window is its last column
    for dtype, want in ((np.float32, s32), (np.float64, _starts_ref(np.float64(u32), 58, 23, 4))):
        u = npgrad.tensor(np.full((1, 1, 2), u32).astype(dtype))
        y = F.fractional_max_pool2d(npgrad.tensor(x0.astype(dtype)), 4, 23, _random_samples=u)
        np.testing.assert_array_equal(y.numpy()[0, 0, 0], np.array(want) + 3)


def test_windows_follow_grahams_sequence():
    # the start steps are floor(alpha) or ceil(alpha), the first is 0 and the last n - k
    n, k, o = 50, 3, 20
    alpha = (n - k) / (o - 1)
    for u in (0.0, 0.3, 0.999):
        s = _starts_ref(np.float64(u), n, o, k)
        assert s[0] == 0 and s[-1] == n - k
        assert set(np.diff(s)) <= {math.floor(alpha), math.ceil(alpha)}
        x = npgrad.tensor(np.broadcast_to(np.arange(float(n)), (1, 1, k, n)).copy())
        samples = npgrad.tensor([[[u, 0.5]]], dtype=npgrad.float64)
        y = F.fractional_max_pool2d(x, k, (1, o), _random_samples=samples)
        np.testing.assert_array_equal(y.numpy()[0, 0, 0], np.array(s, float) + k - 1)


def test_ties_nan_and_minus_inf_follow_pytorchs_scan():
    x0 = np.array(
        [
            [1.0, 1.0, 0.0, 2.0, 2.0, 0.0],  # ties: the first maximum in row-major order
            [1.0, 1.0, 0.0, 2.0, 2.0, 0.0],
            [np.nan, 0.0, np.nan, 5.0, -np.inf, -np.inf],  # NaNs: the last one wins
            [9.0, np.nan, 1.0, 0.0, -np.inf, -np.inf],  # all -inf: the window's first element
        ]
    ).reshape(1, 1, 4, 6)
    u = npgrad.zeros(1, 1, 2, dtype=npgrad.float64)
    y, i = F.fractional_max_pool2d(npgrad.tensor(x0), 2, (2, 3), None, True, u)
    ry, ri = ref_fractional(x0, (2, 2), (2, 3), u.numpy())
    np.testing.assert_array_equal(i.numpy(), ri)
    np.testing.assert_array_equal(y.numpy(), ry)
    np.testing.assert_array_equal(ri[0, 0], [[0, 3, 4], [19, 14, 16]])


def test_output_ratio_gives_floor_of_size_times_ratio():
    x = npgrad.randn(2, 3, 11, 9)
    assert F.fractional_max_pool2d(x, 2, output_ratio=0.5).shape == (2, 3, 5, 4)
    assert F.fractional_max_pool2d(x, 2, output_ratio=(0.7, 0.34)).shape == (2, 3, 7, 3)
    assert F.fractional_max_pool2d(x, 1, output_ratio=[0.99]).shape == (2, 3, 10, 8)
    x3 = npgrad.randn(1, 2, 10, 7, 9)
    assert F.fractional_max_pool3d(x3, 2, output_ratio=(0.5, 0.6, 0.25)).shape == (1, 2, 5, 4, 2)


def test_default_samples_come_from_the_global_generator():
    x = npgrad.randn(2, 3, 20, 17)
    npgrad.manual_seed(123)
    y1, i1 = F.fractional_max_pool2d(x, 3, output_ratio=0.5, return_indices=True)
    npgrad.manual_seed(123)
    u = npgrad.rand(2, 3, 2)
    y2, i2 = F.fractional_max_pool2d(x, 3, output_ratio=0.5, return_indices=True, _random_samples=u)
    np.testing.assert_array_equal(i1.numpy(), i2.numpy())
    np.testing.assert_array_equal(y1.numpy(), y2.numpy())
    # a new draw per call: across 6 planes of 10 windows, the windows move
    _, i3 = F.fractional_max_pool2d(x, 3, output_ratio=0.5, return_indices=True)
    assert not np.array_equal(i1.numpy(), i3.numpy())


def test_default_samples_unbatched_and_float64_dtype():
    x = npgrad.randn(3, 6, 6, 6, dtype=npgrad.float64)
    npgrad.manual_seed(5)
    y1 = F.fractional_max_pool3d(x, 2, 3)
    npgrad.manual_seed(5)
    u = npgrad.rand(1, 3, 3, dtype=npgrad.float64)
    y2 = F.fractional_max_pool3d(x, 2, 3, _random_samples=u)
    assert y1.dtype == np.float64 and y1.shape == (3, 3, 3, 3)
    np.testing.assert_array_equal(y1.numpy(), y2.numpy())


def test_extra_samples_beyond_the_batch_are_ignored():
    x0 = RNG.standard_normal((2, 2, 8, 8))
    u = _samples(5, 2, 2, np.float64)
    y = F.fractional_max_pool2d(npgrad.tensor(x0), 2, 4, _random_samples=u)
    np.testing.assert_array_equal(y.numpy(), ref_fractional(x0, (2, 2), (4, 4), u.numpy()[:2])[0])


def test_empty_batch_and_empty_output():
    y, i = F.fractional_max_pool2d(npgrad.randn(0, 3, 6, 6), 2, 3, return_indices=True)
    assert y.shape == (0, 3, 3, 3) and i.shape == (0, 3, 3, 3)
    assert F.fractional_max_pool2d(npgrad.randn(2, 3, 6, 6), 2, (0, 3)).shape == (2, 3, 0, 3)


def test_float16_stays_float16():
    x = npgrad.randn(1, 2, 9, 9).to(npgrad.float16)
    y, i = F.fractional_max_pool2d(x, 2, 4, return_indices=True)
    assert y.dtype == np.float16 and i.dtype == np.int64
    picked = np.take_along_axis(x.numpy().reshape(2, 81), i.numpy().reshape(2, 16), 1)
    np.testing.assert_array_equal(y.numpy(), picked.reshape(y.shape))


# ---- backward ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("nd", "shape", "k", "o"),
    [
        (2, (2, 2, 7, 6), (3, 2), (4, 4)),  # windows overlap: gradients add up
        (2, (2, 5, 5), 2, (3, 2)),  # unbatched
        (3, (1, 2, 4, 5, 4), (2, 2, 2), (3, 3, 2)),
    ],
)
def test_gradcheck_and_gradgradcheck(nd, shape, k, o):
    x = npgrad.tensor(RNG.standard_normal(shape), requires_grad=True)
    c = shape[-nd - 1]
    u = _samples(1 if len(shape) == nd + 1 else shape[0], c, nd, np.float64)

    def f(t):
        return _pool(nd)(t, k, o, _random_samples=u)

    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


def test_gradient_is_scattered_to_the_indices_and_adds_up():
    x0 = np.zeros((1, 1, 6, 6))
    x0[0, 0, 2, 2] = 5.0  # inside several overlapping windows
    x = npgrad.tensor(x0 + RNG.random((1, 1, 6, 6)) * 0.1, requires_grad=True)
    u = npgrad.full((1, 1, 2), 0.5, dtype=npgrad.float64)
    y, i = F.fractional_max_pool2d(x, 3, 4, return_indices=True, _random_samples=u)
    g0 = RNG.standard_normal(y.shape)
    y.backward(npgrad.tensor(g0))
    want = np.zeros(36)
    np.add.at(want, i.numpy().ravel(), g0.ravel())
    assert (i.numpy() == 14).sum() > 1  # the test's point: a shared maximum
    np.testing.assert_allclose(x.grad.numpy().ravel(), want, rtol=1e-12, atol=1e-12)


def test_second_order_grad_is_the_gather_of_the_double_gradient():
    x = npgrad.tensor(RNG.standard_normal((1, 2, 6, 6)), requires_grad=True)
    g = npgrad.tensor(RNG.standard_normal((1, 2, 3, 3)), requires_grad=True)
    u = _samples(1, 2, 2, np.float64)
    y, i = F.fractional_max_pool2d(x, 2, 3, return_indices=True, _random_samples=u)
    (gx,) = npgrad.autograd.grad(y, x, g, create_graph=True)
    w = RNG.standard_normal((1, 2, 6, 6))
    (gg,) = npgrad.autograd.grad((gx * npgrad.tensor(w)).sum(), g)
    want = np.take_along_axis(w.reshape(2, 36), i.numpy().reshape(2, 9), 1).reshape(g.shape)
    np.testing.assert_allclose(gg.numpy(), want, rtol=1e-12)


# ---- errors -----------------------------------------------------------------------------------
def _x(*shape):
    return npgrad.randn(*shape)


@pytest.mark.parametrize(
    ("call", "err", "match"),
    [
        (lambda: F.fractional_max_pool2d(_x(1, 1, 8, 8), 2), ValueError, "either an output_size"),
        (
            lambda: F.fractional_max_pool2d(_x(1, 1, 8, 8), 2, 3, 0.5),
            ValueError,
            "only one of output_size and output_ratio",
        ),
        (
            lambda: F.fractional_max_pool3d(_x(1, 1, 8, 8, 8), 2, output_ratio=1.0),
            ValueError,
            r"fractional_max_pool3d: output_ratio must be between 0 and 1 \(got 1.0\)",
        ),
        (
            lambda: F.fractional_max_pool2d(_x(1, 1, 8, 8), 2, output_ratio=(0.5, 0.0)),
            ValueError,
            "between 0 and 1",
        ),
        (
            lambda: F.fractional_max_pool2d(_x(1, 1, 8, 8), 2, output_ratio=-0.5),
            ValueError,
            "between 0 and 1",
        ),
        (
            lambda: F.fractional_max_pool2d(_x(1, 1, 8, 8), 2, output_ratio=(0.5, 0.5, 0.5)),
            TypeError,
            "output_ratio must be a number or a tuple of 2",
        ),
        (
            lambda: F.fractional_max_pool2d(_x(1, 1, 8, 9), 3, (7, 7)),
            ValueError,
            r"fractional_max_pool2d: pool height 3 too large relative to input height 8 for "
            r"output height 7.*\(1, 1, 8, 9\)",
        ),
        (
            lambda: F.fractional_max_pool3d(_x(1, 1, 8, 8, 5), (1, 1, 2), (8, 8, 5)),
            ValueError,
            "pool width 2 too large relative to input width 5",
        ),
        (
            lambda: F.fractional_max_pool2d(_x(8, 8), 2, 3),
            ValueError,
            r"fractional_max_pool2d: expected 3-D .* got input of shape \(8, 8\)",
        ),
        (
            lambda: F.fractional_max_pool2d(_x(1, 1, 1, 8, 8), 2, 3),
            ValueError,
            "expected 3-D",
        ),
        (
            lambda: F.fractional_max_pool3d(_x(1, 8, 8), 2, 3),
            ValueError,
            "fractional_max_pool3d: expected 4-D",
        ),
        (
            lambda: F.fractional_max_pool2d(_x(2, 3, 8, 8), 2, 3, _random_samples=_x(2, 3, 3)),
            ValueError,
            r"_random_samples of shape \(N, C, 2\) = \(2, 3, 2\).* got \(2, 3, 3\)",
        ),
        (
            lambda: F.fractional_max_pool2d(_x(2, 3, 8, 8), 2, 3, _random_samples=_x(1, 3, 2)),
            ValueError,
            r"got \(1, 3, 2\)",
        ),
        (
            lambda: F.fractional_max_pool2d(_x(2, 3, 8, 8), 2, 3, _random_samples=_x(2, 4, 2)),
            ValueError,
            r"got \(2, 4, 2\)",
        ),
        (
            lambda: F.fractional_max_pool2d(_x(3, 8, 8), 2, 3, _random_samples=_x(3, 2)),
            ValueError,
            r"got \(3, 2\)",
        ),
        (
            lambda: F.fractional_max_pool3d(_x(2, 8, 8, 8), 2, 3, _random_samples=_x(1, 2, 2)),
            ValueError,
            r"\(N, C, 3\) = \(1, 2, 3\)",
        ),
        (
            lambda: F.fractional_max_pool2d(
                _x(1, 1, 8, 8), 2, 3, _random_samples=npgrad.rand(1, 1, 2, dtype=npgrad.float64)
            ),
            TypeError,
            "_random_samples to have the input's dtype float32, got float64",
        ),
        (
            lambda: F.fractional_max_pool2d(
                _x(1, 1, 8, 8), 2, 3, _random_samples=npgrad.full((1, 1, 2), 1.5)
            ),
            ValueError,
            r"must lie in \[0, 1\]",
        ),
        (
            lambda: F.fractional_max_pool2d(
                _x(1, 1, 8, 8), 2, 3, _random_samples=npgrad.full((1, 1, 2), float("nan"))
            ),
            ValueError,
            r"must lie in \[0, 1\]",
        ),
        (
            lambda: F.fractional_max_pool2d(_x(1, 1, 8, 8), 2, 3, _random_samples=[[[0.5, 0.5]]]),
            TypeError,
            "expected _random_samples to be a Tensor",
        ),
        (
            lambda: F.fractional_max_pool2d(_x(1, 0, 8, 8), 2, 3),
            ValueError,
            r"non-empty channel and spatial dimensions.*\(1, 0, 8, 8\)",
        ),
        (
            lambda: F.fractional_max_pool2d(npgrad.ones(1, 1, 8, 8, dtype=npgrad.int64), 2, 3),
            TypeError,
            "floating point input",
        ),
        (lambda: F.fractional_max_pool2d(np.ones((1, 1, 8, 8)), 2, 3), TypeError, "a Tensor"),
        (lambda: F.fractional_max_pool2d(_x(1, 1, 8, 8), 0, 3), ValueError, "kernel_size"),
        (lambda: F.fractional_max_pool2d(_x(1, 1, 8, 8), 2, (3, 3, 3)), ValueError, "output_size"),
        (lambda: F.fractional_max_pool2d(_x(1, 1, 8, 8), 2, -1), ValueError, "output_size"),
        (lambda: F.fractional_max_pool2d(_x(1, 1, 8, 8), 2.5, 3), TypeError, "kernel_size"),
    ],
)
def test_bad_arguments_raise(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_errors_are_raised_before_drawing_samples():
    x = _x(1, 1, 4, 4)
    npgrad.manual_seed(3)
    want = npgrad.rand(4).numpy()
    npgrad.manual_seed(3)
    with pytest.raises(ValueError, match="too large"):
        F.fractional_max_pool2d(x, 3, 3)
    np.testing.assert_array_equal(npgrad.rand(4).numpy(), want)


# ---- the *_with_indices spellings -------------------------------------------------------------
def test_with_indices_functions_always_return_indices():
    x = npgrad.randn(2, 3, 9, 9)
    u = npgrad.rand(2, 3, 2)
    y, i = F.fractional_max_pool2d(x, 2, 4, return_indices=True, _random_samples=u)
    y2, i2 = F.fractional_max_pool2d_with_indices(x, 2, 4, _random_samples=u)
    np.testing.assert_array_equal(y.numpy(), y2.numpy())
    np.testing.assert_array_equal(i.numpy(), i2.numpy())
    x3, u3 = npgrad.randn(1, 2, 6, 6, 6), npgrad.rand(1, 2, 3)
    y, i = F.fractional_max_pool3d(x3, 2, 3, return_indices=True, _random_samples=u3)
    y2, i2 = F.fractional_max_pool3d_with_indices(x3, 2, 3, None, False, _random_samples=u3)
    np.testing.assert_array_equal(y.numpy(), y2.numpy())
    np.testing.assert_array_equal(i.numpy(), i2.numpy())


def test_max_pool3d_and_adaptive_max_pool3d_with_indices():
    x = npgrad.tensor(RNG.standard_normal((2, 2, 5, 6, 4)))
    y, i = F.max_pool3d(x, 2, stride=(1, 2, 1), padding=1, return_indices=True)
    y2, i2 = F.max_pool3d_with_indices(x, 2, (1, 2, 1), 1)
    assert y2.shape == (2, 2, 6, 4, 5)
    np.testing.assert_array_equal(y.numpy(), y2.numpy())
    np.testing.assert_array_equal(i.numpy(), i2.numpy())
    y, i = F.adaptive_max_pool3d(x, (2, 3, 2), return_indices=True)
    y2, i2 = F.adaptive_max_pool3d_with_indices(x, (2, 3, 2))
    np.testing.assert_array_equal(y.numpy(), y2.numpy())
    np.testing.assert_array_equal(i.numpy(), i2.numpy())
    assert i2.shape == (2, 2, 2, 3, 2) and i2.dtype == np.int64


# ---- PyTorch parity ---------------------------------------------------------------------------
TORCH_CASES = [
    # nd, shape, kernel, output_size, output_ratio
    (2, (2, 3, 17, 13), 3, (7, 6), None),
    (2, (1, 4, 32, 32), 2, None, 0.5),
    (2, (3, 2, 20, 11), (2, 3), None, (0.7, 0.4)),
    (2, (2, 31, 9), (4, 1), (28, 9), None),  # unbatched; kernel 1: o = n
    (2, (2, 2, 58, 58), 4, 23, None),  # float32 rounding moves some starts
    (2, (1, 1, 50, 32), 3, (13, 12), None),
    (3, (2, 2, 9, 8, 7), 2, (4, 5, 3), None),
    (3, (1, 3, 12, 10, 11), (3, 2, 2), None, (0.5, 0.6, 0.4)),
    (3, (2, 6, 7, 8), 2, 3, None),  # unbatched
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("nd", "shape", "k", "o", "r"), TORCH_CASES)
def test_matches_torch(nd, shape, k, o, r, dtype):
    torch = pytest.importorskip("torch")
    x0 = RNG.standard_normal(shape).astype(dtype)
    x0[..., ::3, 1::4] = np.round(x0[..., ::3, 1::4])  # some ties
    n = shape[0] if len(shape) == nd + 2 else 1
    u0 = RNG.random((n, shape[-nd - 1], nd)).astype(dtype)
    if shape[-1] == 58:
        u0[...] = np.float32(0.5555546283721924)  # the case of test_starts_are_computed_in...
    tx = torch.tensor(x0, requires_grad=True)
    tfn = getattr(torch.nn.functional, f"fractional_max_pool{nd}d")
    # PyTorch's fractional_max_pool2d fails on a scalar output_ratio (len() of a float)
    r_t = (r,) * nd if isinstance(r, float) else r
    ty, ti = tfn(tx, k, o, r_t, return_indices=True, _random_samples=torch.tensor(u0))
    x = npgrad.tensor(x0, requires_grad=True)
    y, i = _pool(nd)(x, k, o, r, return_indices=True, _random_samples=npgrad.tensor(u0))
    assert y.shape == tuple(ty.shape) and y.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    g0 = RNG.standard_normal(y.shape).astype(dtype)
    ty.backward(torch.tensor(g0))
    y.backward(npgrad.tensor(g0))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6, atol=1e-6)
    assert x.grad.dtype == np.dtype(dtype)


@pytest.mark.torch
def test_matches_torch_on_random_geometries():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    for trial in range(60):
        nd = 2 + trial % 2
        dtype = (np.float32, np.float64)[trial // 2 % 2]
        sp = tuple(int(v) for v in rng.integers(2, 30 if nd == 2 else 10, size=nd))
        k = tuple(int(rng.integers(1, s)) for s in sp)
        # PyTorch's 3-D check is strict (o + k - 1 < n); stay inside both rules
        o = tuple(int(rng.integers(1, s - kk + (2 if nd == 2 else 1))) for s, kk in zip(sp, k))
        x0 = rng.standard_normal((2, 2) + sp).astype(dtype)
        u0 = rng.random((2, 2, nd)).astype(dtype)
        tfn = getattr(torch.nn.functional, f"fractional_max_pool{nd}d")
        ty, ti = tfn(torch.tensor(x0), k, o, return_indices=True, _random_samples=torch.tensor(u0))
        y, i = _pool(nd)(npgrad.tensor(x0), k, o, None, True, npgrad.tensor(u0))
        np.testing.assert_array_equal(i.numpy(), ti.numpy(), err_msg=f"{sp} {k} {o}")
        np.testing.assert_array_equal(y.numpy(), ty.numpy())


@pytest.mark.torch
def test_nan_and_inf_windows_match_torch():
    torch = pytest.importorskip("torch")
    x0 = RNG.standard_normal((2, 2, 9, 9))
    x0[0, 0, :4, :4] = -np.inf
    x0[0, 1, 1::3, ::2] = np.nan
    x0[1, :, ::2, 1::2] = 7.0
    u0 = RNG.random((2, 2, 2))
    for k, o in itertools.product((2, 3), (4, 6)):
        ty, ti = torch.nn.functional.fractional_max_pool2d(
            torch.tensor(x0), k, o, return_indices=True, _random_samples=torch.tensor(u0)
        )
        y, i = F.fractional_max_pool2d(npgrad.tensor(x0), k, o, None, True, npgrad.tensor(u0))
        np.testing.assert_array_equal(i.numpy(), ti.numpy())
        np.testing.assert_array_equal(y.numpy(), ty.numpy())


@pytest.mark.torch
def test_with_indices_aliases_match_torch():
    torch = pytest.importorskip("torch")
    x0 = RNG.standard_normal((2, 3, 6, 7, 5))
    ty, ti = torch.nn.functional.max_pool3d_with_indices(torch.tensor(x0), 3, 2, 1)
    y, i = F.max_pool3d_with_indices(npgrad.tensor(x0), 3, 2, 1)
    np.testing.assert_array_equal(y.numpy(), ty.numpy())
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    ty, ti = torch.nn.functional.adaptive_max_pool3d_with_indices(torch.tensor(x0), (4, 3, 2))
    y, i = F.adaptive_max_pool3d_with_indices(npgrad.tensor(x0), (4, 3, 2))
    np.testing.assert_array_equal(y.numpy(), ty.numpy())
    np.testing.assert_array_equal(i.numpy(), ti.numpy())


@pytest.mark.parametrize("nd", [2, 3])
def test_empty_output_has_a_zero_gradient(nd):
    # the per-plane gather/scatter must not infer a -1 size from an empty plane
    x = npgrad.randn(1, 2, *(5,) * nd, requires_grad=True)
    pool = F.fractional_max_pool2d if nd == 2 else F.fractional_max_pool3d
    out = pool(x, 2, output_size=(0,) + (2,) * (nd - 1), _random_samples=npgrad.rand(1, 2, nd))
    assert out.shape == (1, 2, 0) + (2,) * (nd - 1)
    out.sum().backward()
    assert x.grad.shape == x.shape and not x.grad.numpy().any()
