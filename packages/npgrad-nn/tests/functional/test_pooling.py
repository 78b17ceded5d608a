"""nn.functional pooling: max/avg/lp pools, adaptive pools, max_unpool (1-D to 3-D).

Forward against loop-per-window NumPy references written from PyTorch's definitions
(window bounds, divisors, first-maximum rule), gradients by central differences, PyTorch
parity over hypothesis-drawn (batch, channels, size, kernel, stride, padding, dilation,
ceil_mode) grids, tie / NaN / -inf behaviour, bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn import functional as F
from npgrad.testing import assert_close

RNG = np.random.default_rng(11)


def _t(*shape, dtype=np.float64, grad=True):
    return npgrad.tensor(RNG.standard_normal(shape).astype(dtype), requires_grad=grad)


def _out_len(n, k, s, p, d, ceil):
    span = n + 2 * p - d * (k - 1) - 1
    o = (span + (s - 1 if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= n + p:
        o -= 1
    return o


def ref_max_pool(x, k, s, p, d, ceil):
    """Per window: the first maximum in row-major order (PyTorch's scan), flat index."""
    nd = len(k)
    sizes = x.shape[2:]
    outs = [_out_len(n, *a, ceil) for n, *a in zip(sizes, k, s, p, d)]
    out = np.empty(x.shape[:2] + tuple(outs))
    idx = np.empty(out.shape, np.int64)
    for pos in np.ndindex(*outs):
        best = np.full(x.shape[:2], -np.inf)
        arg = np.full(x.shape[:2], -1)
        for tap in np.ndindex(*k):
            coords = [o * st_ - pp + t * dd for o, st_, pp, t, dd in zip(pos, s, p, tap, d)]
            if not all(0 <= c < n for c, n in zip(coords, sizes)):
                continue
            v = x[(Ellipsis, *coords)]
            flat = np.ravel_multi_index(coords, sizes)
            take = (v > best) | (arg < 0)
            best, arg = np.where(take, v, best), np.where(take, flat, arg)
        out[(Ellipsis, *pos)], idx[(Ellipsis, *pos)] = best, arg
    assert nd == len(sizes)
    return out, idx


def ref_avg_pool(x, k, s, p, ceil, count_include_pad, divisor=None):
    sizes = x.shape[2:]
    outs = [_out_len(n, kk, ss, pp, 1, ceil) for n, kk, ss, pp in zip(sizes, k, s, p)]
    out = np.empty(x.shape[:2] + tuple(outs))
    for pos in np.ndindex(*outs):
        lo = [o * ss - pp for o, ss, pp in zip(pos, s, p)]
        hi = [min(a + kk, n + pp) for a, kk, n, pp in zip(lo, k, sizes, p)]
        pool = np.prod([b - a for a, b in zip(lo, hi)])
        lo_c, hi_c = [max(a, 0) for a in lo], [min(b, n) for b, n in zip(hi, sizes)]
        win = x[(Ellipsis, *(slice(a, b) for a, b in zip(lo_c, hi_c)))]
        total = win.reshape(x.shape[:2] + (-1,)).sum(-1)
        div = divisor or (
            pool if count_include_pad else np.prod([b - a for a, b in zip(lo_c, hi_c)])
        )
        out[(Ellipsis, *pos)] = total / div
    return out


def _bounds(n, o):
    return [((i * n) // o, -((-(i + 1) * n) // o)) for i in range(o)]


def ref_adaptive(x, out_size, reduce):
    sizes = x.shape[2:]
    out = np.empty(x.shape[:2] + tuple(out_size))
    for pos in itertools.product(*(range(o) for o in out_size)):
        win = x[(Ellipsis, *(slice(*_bounds(n, o)[i]) for n, o, i in zip(sizes, out_size, pos)))]
        out[(Ellipsis, *pos)] = reduce(win.reshape(x.shape[:2] + (-1,)), axis=-1)
    return out


# ---- forward vs NumPy ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("shape", "args"),
    [
        ((2, 3, 8, 8), ((2, 2), (2, 2), (0, 0), (1, 1), False)),
        ((2, 2, 7, 9), ((3, 3), (2, 2), (1, 1), (1, 1), True)),
        ((1, 2, 9, 7), ((3, 2), (2, 1), (1, 1), (2, 1), True)),
        ((1, 3, 11), ((4,), (3,), (2,), (2,), False)),
        ((1, 2, 6, 5), ((3, 3), (1, 1), (1, 1), (1, 1), False)),
        ((1, 2, 5, 6, 4), ((2, 3, 2), (2, 1, 2), (1, 1, 0), (1, 1, 1), True)),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool_matches_reference(shape, args, dtype):
    x = _t(*shape, dtype=dtype)
    k, s, p, d, ceil = args
    fn = {3: F.max_pool1d, 4: F.max_pool2d, 5: F.max_pool3d}[len(shape)]
    out, idx = fn(x, k, s, p, d, ceil_mode=ceil, return_indices=True)
    ref, ref_idx = ref_max_pool(x._data, k, s, p, d, ceil)
    assert out.dtype == dtype and idx.dtype == np.int64
    assert_close(out, ref.astype(dtype))
    np.testing.assert_array_equal(idx.numpy(), ref_idx)
    assert out.numpy().flags.c_contiguous


@pytest.mark.parametrize(
    ("shape", "args"),
    [
        ((2, 3, 8, 8), ((2, 2), (2, 2), (0, 0), False, True, None)),
        ((2, 2, 7, 9), ((3, 3), (2, 2), (1, 1), True, True, None)),
        ((1, 2, 7, 9), ((3, 3), (2, 2), (1, 1), True, False, None)),
        ((1, 2, 6, 7), ((3, 2), (2, 3), (1, 1), True, True, 4)),
        ((1, 3, 10), ((3,), (2,), (1,), True, False, None)),
        ((1, 2, 5, 6, 4), ((3, 2, 2), (2, 2, 1), (1, 1, 0), False, False, None)),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_avg_pool_matches_reference(shape, args, dtype):
    x = _t(*shape, dtype=dtype)
    k, s, p, ceil, cip, div = args
    if len(shape) == 3:
        out = F.avg_pool1d(x, k, s, p, ceil, cip)
    else:
        out = (F.avg_pool2d if len(shape) == 4 else F.avg_pool3d)(x, k, s, p, ceil, cip, div)
    assert out.dtype == dtype
    assert_close(out, ref_avg_pool(x._data, k, s, p, ceil, cip, div).astype(dtype), rtol=1e-5)


@pytest.mark.parametrize(
    ("shape", "out_size"),
    [
        ((2, 3, 7, 9), (3, 4)),
        ((1, 2, 8, 8), (4, 4)),
        ((1, 2, 5, 6, 7), (2, 4, 3)),
        ((2, 3, 10), (4,)),
    ],
)
def test_adaptive_pools_match_reference(shape, out_size):
    x = _t(*shape)
    nd = len(out_size)
    avg = getattr(F, f"adaptive_avg_pool{nd}d")(x, out_size)
    mx, idx = getattr(F, f"adaptive_max_pool{nd}d")(x, out_size, return_indices=True)
    assert_close(avg, ref_adaptive(x._data, out_size, np.mean))
    assert_close(mx, ref_adaptive(x._data, out_size, np.max))
    flat = x._data.reshape(x.shape[:2] + (-1,))
    assert_close(
        np.take_along_axis(flat, idx.numpy().reshape(x.shape[:2] + (-1,)), -1),
        mx.numpy().reshape(x.shape[:2] + (-1,)),
    )


def test_adaptive_output_size_none_keeps_input_size():
    x = _t(1, 2, 6, 5)
    assert F.adaptive_avg_pool2d(x, (3, None)).shape == (1, 2, 3, 5)
    assert F.adaptive_max_pool2d(x, (None, 2)).shape == (1, 2, 6, 2)


def test_unbatched_pooling():
    x = _t(3, 6, 6)
    assert_close(F.max_pool2d(x, 2), F.max_pool2d(x.unsqueeze(0), 2)[0])
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    assert out.shape == idx.shape == (3, 3, 3)
    assert F.avg_pool1d(_t(2, 7), 3).shape == (2, 2)
    assert F.adaptive_max_pool2d(x, 2, return_indices=True)[1].shape == (3, 2, 2)


# ---- ties, NaN, -inf: PyTorch's rules ---------------------------------------------------------------
def test_max_pool_ties_send_the_gradient_to_the_first_maximum():
    x = npgrad.ones(1, 1, 4, 4, dtype=npgrad.float64, requires_grad=True)
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    out.sum().backward()
    np.testing.assert_array_equal(idx.numpy()[0, 0], [[0, 2], [8, 10]])
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 1
    assert_close(x.grad[0, 0], expected)
    y = npgrad.ones(1, 1, 5, dtype=npgrad.float64, requires_grad=True)
    F.max_pool1d(y, 3, stride=1).sum().backward()  # overlapping windows all pick their first
    assert_close(y.grad[0, 0], np.array([1.0, 1.0, 1.0, 0.0, 0.0]))


def test_max_pool_nan_wins_and_the_last_nan_is_reported():
    x = npgrad.tensor([[[1.0, np.nan, 2.0, np.nan, 0.0, 5.0]]], requires_grad=True)
    out, idx = F.max_pool1d(x, 5, stride=1, return_indices=True)
    assert np.isnan(out.numpy()).all()
    np.testing.assert_array_equal(idx.numpy()[0, 0], [3, 3])
    a_out, a_idx = F.adaptive_max_pool1d(x, 2, return_indices=True)
    assert np.isnan(a_out.numpy()).all()
    np.testing.assert_array_equal(a_idx.numpy()[0, 0], [1, 3])


def test_window_entirely_in_the_padding_gives_neg_inf_and_no_gradient():
    # kernel 2 with dilation 2 and padding 1 over a single element: taps at -1 and +1
    x = npgrad.tensor([[[0.5], [0.25]]], dtype=npgrad.float64, requires_grad=True)
    out, idx = F.max_pool1d(x, 2, 1, 1, 2, return_indices=True)
    assert (out.numpy() == -np.inf).all()
    np.testing.assert_array_equal(idx.numpy(), [[[1], [1]]])  # PyTorch's (out-of-plane) index
    out.sum().backward()
    assert_close(x.grad, np.zeros((1, 2, 1)))  # (PyTorch writes it into the next plane)


def test_window_of_only_neg_inf_reports_its_first_element_inside_the_input():
    x = npgrad.full((1, 1, 3, 3), -np.inf)
    out, idx = F.max_pool2d(x, 3, 2, 1, return_indices=True)
    assert (out.numpy() == -np.inf).all()
    np.testing.assert_array_equal(idx.numpy()[0, 0], [[0, 1], [3, 4]])


# ---- gradients by central differences ------------------------------------------------------------
def _distinct(*shape):
    # distinct values a fair distance apart: the maxima do not switch under the perturbation
    return npgrad.tensor(RNG.permutation(np.prod(shape)).reshape(shape) / 7.0, requires_grad=True)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True),
        lambda x: F.max_pool2d(x, (2, 3), 1, (1, 0), dilation=(2, 1)),
        lambda x: F.max_pool1d(x.flatten(2), 4, 3, 2),
        lambda x: F.adaptive_max_pool2d(x, (3, 2)),
        lambda x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2),
        lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        lambda x: F.avg_pool2d(x, (2, 3), (1, 2), (1, 1), divisor_override=5),
        lambda x: F.adaptive_avg_pool2d(x, (3, 4)),
        lambda x: F.lp_pool2d(x * x + 1, 3, 2),
    ],
)
def test_pool_gradcheck_and_gradgradcheck(fn):
    x = _distinct(1, 2, 5, 6)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_max_pool3d_and_adaptive_3d_gradcheck():
    x = _distinct(1, 1, 3, 4, 3)
    assert gradcheck(lambda x: F.max_pool3d(x, 2, 1, 1), (x,))
    assert gradcheck(lambda x: F.adaptive_avg_pool3d(x, (2, 3, 2)), (x,))
    assert gradgradcheck(lambda x: F.adaptive_max_pool3d(x, (2, 3, 2)), (x,))


# ---- PyTorch parity over a drawn grid ----------------------------------------------------------
@st.composite
def pool_cases(draw, nd, avg=False):
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = (1,) * nd if avg else tuple(draw(st.integers(1, 2)) for _ in range(nd))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    size = tuple(
        draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 9))
        for k, d, p in zip(kernel, dilation, padding)
    )
    ceil = draw(st.booleans())
    # With dilation a window can fall entirely into the padding; PyTorch then writes its
    # gradient outside the input plane (into the next one), which is not worth mirroring.
    for n, k, st_, p, d in zip(size, kernel, stride, padding, dilation):
        for o in range(_out_len(n, k, st_, p, d, ceil)):
            assume(any(0 <= o * st_ - p + t * d < n for t in range(k)))
    extra = (draw(st.booleans()), draw(st.sampled_from([None, 2]))) if avg else ()
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), *size)
    dtype = draw(st.sampled_from(["float32", "float64"]))
    return shape, kernel, stride, padding, dilation, ceil, extra, dtype


def _pool_parity(torch, nd, case, avg):
    shape, kernel, stride, padding, dilation, ceil, extra, dtype = case
    x0 = np.round(RNG.standard_normal(shape) * 2).astype(dtype) / 2  # plenty of ties
    tx, nx = torch.tensor(x0, requires_grad=True), npgrad.tensor(x0, requires_grad=True)
    if avg:
        cip, div = extra
        targs = (kernel, stride, padding, ceil, cip) + ((div,) if nd > 1 else ())
        ty = getattr(torch.nn.functional, f"avg_pool{nd}d")(tx, *targs)
        ny = getattr(F, f"avg_pool{nd}d")(nx, *targs)
    else:
        ty, ti = getattr(torch.nn.functional, f"max_pool{nd}d")(
            tx, kernel, stride, padding, dilation, ceil, True
        )
        ny, ni = getattr(F, f"max_pool{nd}d")(nx, kernel, stride, padding, dilation, ceil, True)
        np.testing.assert_array_equal(ni.numpy(), ti.numpy())
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {"rtol": 1e-12, "atol": 1e-12}
    assert_close(ny, ty.detach().numpy(), **tol)
    g0 = RNG.standard_normal(ny.shape).astype(dtype)
    ty.backward(torch.tensor(g0))
    ny.backward(npgrad.tensor(g0))
    assert_close(nx.grad, tx.grad.numpy(), **tol)


@pytest.mark.torch
@settings(max_examples=25, deadline=None)
@given(case=pool_cases(2))
def test_max_pool2d_matches_torch(case):
    _pool_parity(pytest.importorskip("torch"), 2, case, avg=False)


@pytest.mark.torch
@settings(max_examples=25, deadline=None)
@given(case=pool_cases(1))
def test_max_pool1d_matches_torch(case):
    _pool_parity(pytest.importorskip("torch"), 1, case, avg=False)


@pytest.mark.torch
@settings(max_examples=25, deadline=None)
@given(case=pool_cases(2, avg=True))
def test_avg_pool2d_matches_torch(case):
    _pool_parity(pytest.importorskip("torch"), 2, case, avg=True)


@pytest.mark.torch
@settings(max_examples=25, deadline=None)
@given(case=pool_cases(1, avg=True))
def test_avg_pool1d_matches_torch(case):
    _pool_parity(pytest.importorskip("torch"), 1, case, avg=True)


@pytest.mark.torch
@settings(max_examples=25, deadline=None)
@given(
    size=st.tuples(st.integers(1, 9), st.integers(1, 9)),
    out=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    dtype=st.sampled_from(["float32", "float64"]),
)
def test_adaptive_pools_match_torch(size, out, dtype):
    torch = pytest.importorskip("torch")
    x0 = np.round(RNG.standard_normal((2, 3, *size)) * 2).astype(dtype) / 2
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {"rtol": 1e-12, "atol": 1e-12}
    for name in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
        tx, nx = torch.tensor(x0, requires_grad=True), npgrad.tensor(x0, requires_grad=True)
        ty, ny = getattr(torch.nn.functional, name)(tx, out), getattr(F, name)(nx, out)
        assert_close(ny, ty.detach().numpy(), **tol)
        g0 = RNG.standard_normal(ny.shape).astype(dtype)
        ty.backward(torch.tensor(g0))
        ny.backward(npgrad.tensor(g0))
        assert_close(nx.grad, tx.grad.numpy(), **tol)
    ti = torch.nn.functional.adaptive_max_pool2d(torch.tensor(x0), out, return_indices=True)[1]
    np.testing.assert_array_equal(
        F.adaptive_max_pool2d(npgrad.tensor(x0), out, True)[1].numpy(), ti.numpy()
    )


@pytest.mark.torch
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_unpool_and_lp_pool_match_torch(nd):
    torch = pytest.importorskip("torch")
    x0 = RNG.standard_normal((2, 3) + (7, 6, 5)[:nd])
    tf, nf = torch.nn.functional, F
    ty, ti = getattr(tf, f"max_pool{nd}d")(torch.tensor(x0), 3, 2, 1, return_indices=True)
    size = x0.shape[2:]
    tu = getattr(tf, f"max_unpool{nd}d")(ty, ti, 3, 2, 1, output_size=size)
    nu = getattr(nf, f"max_unpool{nd}d")(
        npgrad.tensor(ty.numpy()), npgrad.tensor(ti.numpy()), 3, 2, 1, output_size=size
    )
    assert_close(nu, tu.numpy())
    a = np.abs(x0) + 0.5
    tl = getattr(tf, f"lp_pool{nd}d")(torch.tensor(a), 2.5, 3, 2, True)
    assert_close(getattr(nf, f"lp_pool{nd}d")(npgrad.tensor(a), 2.5, 3, 2, True), tl.numpy())
    tm, nm = getattr(torch.nn, f"LPPool{nd}d")(2, 2), getattr(npgrad.nn, f"LPPool{nd}d")(2, 2)
    assert repr(nm) == repr(tm)
    assert_close(nm(npgrad.tensor(a)), tm(torch.tensor(a)).numpy())


# ---- bad input ----------------------------------------------------------------------------------
def test_pooling_errors_name_the_op_and_shapes():
    with pytest.raises(
        ValueError, match=r"max_pool2d: input of shape \(1, 1, 1, 1\).*output size \(0, 0\)"
    ):
        F.max_pool2d(_t(1, 1, 1, 1), 2)
    with pytest.raises(ValueError, match="pad should be at most half of kernel size"):
        F.max_pool2d(_t(1, 1, 9, 9), 3, padding=2, dilation=2)
    with pytest.raises(ValueError, match="pad should be at most half of kernel size"):
        F.avg_pool2d(_t(1, 1, 5, 5), 2, padding=2)
    with pytest.raises(ValueError, match=r"max_pool2d: expected 3-D .*got input of shape \(5, 5\)"):
        F.max_pool2d(_t(5, 5), 2)
    with pytest.raises(ValueError, match="kernel_size must be positive"):
        F.avg_pool1d(_t(1, 1, 5), 0)
    with pytest.raises(ValueError, match="divisor_override"):
        F.avg_pool2d(_t(1, 1, 4, 4), 2, divisor_override=0)
    with pytest.raises(ValueError, match="output_size must have 2 elements"):
        F.adaptive_avg_pool2d(_t(1, 1, 4, 4), (1, 2, 3))
    with pytest.raises(ValueError, match="output_size must be positive"):
        F.adaptive_max_pool2d(_t(1, 1, 4, 4), 0)
    with pytest.raises(TypeError, match="floating point"):
        F.max_pool2d(npgrad.tensor(np.ones((1, 1, 4, 4), np.int64)), 2)


def test_max_unpool_errors():
    out, idx = F.max_pool2d(_t(1, 1, 4, 4), 2, return_indices=True)
    with pytest.raises(ValueError, match="invalid max index 16"):
        F.max_unpool2d(out, npgrad.tensor(np.full((1, 1, 2, 2), 16)), 2)
    with pytest.raises(ValueError, match='invalid output_size "\\(7, 7\\)"'):
        F.max_unpool2d(out, idx, 2, output_size=(7, 7))
    with pytest.raises(ValueError, match="same shape as the input"):
        F.max_unpool2d(out, idx[..., :1], 2)
    with pytest.raises(TypeError, match="integer Tensor"):
        F.max_unpool2d(out, out, 2)


# ---- the 2×2 / stride-2 tiled fast path -----------------------------------------------------------
def _special_input(shape, dtype, kind):
    values = {
        "rand": None,
        "ties": [0.0, 1.0, 2.0],
        "zeros": [0.0, -0.0, -1.0],
        "nan": [np.nan, 1.0, -np.inf, np.inf, 0.5],
        "ninf": [-np.inf, -np.inf, -np.inf, 1.0],
    }[kind]
    if values is None:
        return RNG.standard_normal(shape).astype(dtype)
    return RNG.choice(np.array(values, dtype), shape)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", ["rand", "ties", "zeros", "nan", "ninf"])
@pytest.mark.parametrize("shape", [(3, 4, 6, 8), (2, 3, 2, 2), (1, 2, 4, 10)])
def test_max_pool_2x2_fast_path_matches_general_path(monkeypatch, shape, dtype, kind):
    from npgrad.nn.functional import _pool_ops
    from npgrad.nn.functional._im2col import _Geom

    x = _special_input(shape, dtype, kind)
    g = _Geom(shape[2:], (shape[2] // 2, shape[3] // 2), (2, 2), (2, 2), (0, 0), (1, 1))
    assert _pool_ops._tiles_2x2(g)
    out, arg = _pool_ops._max_pool_forward(x, g)
    monkeypatch.setattr(_pool_ops, "_tiles_2x2", lambda g: False)
    out0, arg0 = _pool_ops._max_pool_forward(x, g)
    assert out.dtype == out0.dtype and arg.dtype == arg0.dtype and out.flags.c_contiguous
    np.testing.assert_array_equal(arg, arg0)
    np.testing.assert_array_equal(out.view(np.uint8), out0.view(np.uint8))  # bit-identical


def test_max_pool_2x2_fast_path_only_for_exact_tiles():
    from npgrad.nn.functional._im2col import _Geom
    from npgrad.nn.functional._pool_ops import _tiles_2x2

    assert not _tiles_2x2(_Geom((5, 4), (2, 2), (2, 2), (2, 2), (0, 0), (1, 1)))
    assert not _tiles_2x2(_Geom((4, 4), (2, 2), (2, 2), (2, 2), (1, 1), (1, 1)))
    assert not _tiles_2x2(_Geom((6, 6), (3, 3), (2, 2), (2, 2), (0, 0), (2, 2)))
    assert not _tiles_2x2(_Geom((4, 4), (3, 3), (2, 2), (1, 1), (0, 0), (1, 1)))
    assert not _tiles_2x2(_Geom((6, 6), (2, 2), (3, 3), (3, 3), (0, 0), (1, 1)))


def test_max_pool_2x2_fast_path_gradcheck_and_gradgradcheck():
    for shape in [(1, 2, 4, 6), (2, 1, 2, 2)]:
        x = _distinct(*shape)
        assert gradcheck(lambda x: F.max_pool2d(x, 2), (x,))
        assert gradgradcheck(lambda x: F.max_pool2d(x, 2), (x,))
        assert gradgradcheck(lambda x: F.max_pool2d(x, 2).relu(), (x,))


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", ["rand", "ties", "zeros", "nan", "ninf"])
def test_max_pool_2x2_fast_path_matches_torch(dtype, kind):
    torch = pytest.importorskip("torch")
    x0 = _special_input((3, 4, 6, 8), np.dtype(dtype), kind)
    tx, nx = torch.tensor(x0, requires_grad=True), npgrad.tensor(x0, requires_grad=True)
    ty, ti = torch.nn.functional.max_pool2d(tx, 2, return_indices=True)
    ny, ni = F.max_pool2d(nx, 2, return_indices=True)
    np.testing.assert_array_equal(ny.detach().numpy(), ty.detach().numpy())
    np.testing.assert_array_equal(ni.numpy(), ti.numpy())
    g0 = RNG.standard_normal(ny.shape).astype(dtype)
    ty.backward(torch.tensor(g0))
    ny.backward(npgrad.tensor(g0))
    np.testing.assert_array_equal(nx.grad.numpy(), tx.grad.numpy())
    unbatched = F.max_pool2d(npgrad.tensor(x0[0]), 2)
    np.testing.assert_array_equal(unbatched.numpy(), ty.detach().numpy()[0])
