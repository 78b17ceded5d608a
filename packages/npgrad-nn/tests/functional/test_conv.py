"""nn.functional convolutions: conv1d/2d/3d, conv_transpose1d/2d/3d, unfold/fold.

Forward against a NumPy reference written with plain per-tap loops, gradients by central
differences (gradcheck / gradgradcheck), PyTorch parity over a hypothesis-drawn grid of
(batch, channels, size, kernel, stride, padding, dilation, groups), every internal code
path (im2col + GEMM, 1×1, depthwise, wide-map transposed), second order, bad input."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn import functional as F
from npgrad.nn.functional import _workspace
from npgrad.testing import assert_close

RNG = np.random.default_rng(7)


def _t(*shape, dtype=np.float64, grad=True):
    return npgrad.tensor(RNG.standard_normal(shape).astype(dtype), requires_grad=grad)


def ref_conv(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """Cross-correlation by explicit loops over groups and kernel taps (NumPy only)."""
    nd = x.ndim - 2
    st_, dl = (
        (stride,) * nd if np.isscalar(stride) else stride,
        (dilation,) * nd if np.isscalar(dilation) else dilation,
    )
    if padding == "same":
        tot = [d * (k - 1) for d, k in zip(dl, w.shape[2:])]
        pads = [(t // 2, t - t // 2) for t in tot]
    else:
        pads = [(p, p) for p in ((padding,) * nd if np.isscalar(padding) else padding)]
    xp = np.pad(x, [(0, 0), (0, 0), *pads])
    out_size = [
        (n - d * (k - 1) - 1) // s + 1 for n, d, k, s in zip(xp.shape[2:], dl, w.shape[2:], st_)
    ]
    cg, og = w.shape[1], w.shape[0] // groups
    out = np.zeros((x.shape[0], w.shape[0], *out_size))
    for g in range(groups):
        for tap in np.ndindex(*w.shape[2:]):
            sl = tuple(
                slice(k * d, k * d + (o - 1) * s + 1, s)
                for k, d, o, s in zip(tap, dl, out_size, st_)
            )
            patch = xp[:, g * cg : (g + 1) * cg][(Ellipsis, *sl)]
            out[:, g * og : (g + 1) * og] += np.einsum(
                "nc...,oc->no...", patch, w[(slice(g * og, (g + 1) * og), slice(None), *tap)]
            )
    if b is not None:
        out += b.reshape((1, -1) + (1,) * nd)
    return out


# ---- forward vs NumPy ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("xshape", "wshape", "kw"),
    [
        ((2, 3, 9), (4, 3, 3), {}),
        ((2, 4, 10), (6, 2, 4), {"stride": 3, "padding": 2, "dilation": 2, "groups": 2}),
        ((1, 2, 7), (3, 2, 2), {"padding": "same"}),
        ((2, 3, 8, 7), (5, 3, 3, 3), {"padding": 1}),
        (
            (2, 4, 9, 8),
            (6, 2, 3, 2),
            {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2), "groups": 2},
        ),
        ((1, 3, 6, 6), (3, 1, 3, 3), {"padding": 1, "groups": 3}),  # depthwise path
        ((1, 3, 6, 6), (6, 1, 3, 3), {"padding": 1, "groups": 3}),  # channel multiplier 2
        ((2, 4, 5, 6), (3, 4, 1, 1), {}),  # 1×1 path: the input is its own columns
        ((1, 2, 7, 6), (2, 2, 4, 3), {"padding": "same", "dilation": (1, 2)}),  # odd total padding
        ((1, 2, 5, 6, 4), (3, 2, 2, 3, 2), {"stride": (1, 2, 1), "padding": 1}),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_forward_matches_numpy(xshape, wshape, kw, dtype):
    x, w, b = _t(*xshape, dtype=dtype), _t(*wshape, dtype=dtype), _t(wshape[0], dtype=dtype)
    fn = {3: F.conv1d, 4: F.conv2d, 5: F.conv3d}[len(xshape)]
    out = fn(x, w, b, **kw)
    expected = ref_conv(x._data.astype(np.float64), w._data.astype(np.float64), b._data, **kw)
    assert out.dtype == dtype and out.shape == expected.shape
    assert out.numpy().flags.c_contiguous  # view() after a conv works, as in PyTorch
    assert_close(
        out, expected.astype(dtype), rtol=1e-4 if dtype == np.float32 else 1e-10, atol=1e-5
    )


def test_conv_unbatched_and_non_contiguous_inputs():
    x, w = _t(3, 6, 5), _t(4, 3, 2, 2)
    out = F.conv2d(x, w, padding=1)
    assert_close(out, ref_conv(x._data[None], w._data, padding=1)[0])
    xt = _t(2, 5, 6, 3).permute(0, 3, 2, 1)  # (2, 3, 6, 5) with transposed strides
    assert_close(F.conv2d(xt, w), ref_conv(xt._data, w._data))
    assert F.conv1d(_t(2, 7), _t(3, 2, 3)).shape == (3, 5)


@pytest.mark.parametrize("groups", [1, 3])
def test_conv_gradients_when_only_some_inputs_require_grad(groups):
    x0, w0 = RNG.standard_normal((2, 3, 6, 5)), RNG.standard_normal((3, 3 // groups, 3, 3))
    full = [npgrad.tensor(a, requires_grad=True) for a in (x0, w0)]
    F.conv2d(*full, padding=1, groups=groups).sum().backward()
    for i in range(2):  # the weight's columns are kept only when the weight needs a gradient
        part = [npgrad.tensor(a, requires_grad=j == i) for j, a in enumerate((x0, w0))]
        F.conv2d(*part, padding=1, groups=groups).sum().backward()
        assert_close(part[i].grad, full[i].grad)
    with npgrad.no_grad():
        assert_close(
            F.conv2d(*full, padding=1, groups=groups), ref_conv(x0, w0, padding=1, groups=groups)
        )


def test_conv_float32_stays_float32_and_bias_optional():
    x, w = _t(1, 2, 5, 5, dtype=np.float32), _t(3, 2, 3, 3, dtype=np.float32)
    out = F.conv2d(x, w)
    out.sum().backward()
    assert out.dtype == x.grad.dtype == w.grad.dtype == np.float32


# ---- gradients by central differences -------------------------------------------------------------
@pytest.mark.parametrize(
    ("fn", "xshape", "wshape", "kw"),
    [
        (F.conv1d, (2, 4, 7), (4, 2, 3), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}),
        (F.conv2d, (2, 2, 5, 4), (3, 2, 3, 2), {"stride": (2, 1), "padding": (1, 2)}),
        (
            F.conv2d,
            (1, 4, 5, 5),
            (4, 2, 2, 3),
            {"padding": "same", "dilation": (2, 1), "groups": 2},
        ),
        (F.conv2d, (1, 3, 4, 5), (3, 1, 3, 3), {"padding": 1, "groups": 3}),  # depthwise
        (F.conv2d, (2, 3, 3, 4), (2, 3, 1, 1), {"stride": 2}),
        (F.conv3d, (1, 2, 3, 4, 3), (2, 1, 2, 2, 2), {"padding": 1, "groups": 2}),
        (
            F.conv_transpose1d,
            (2, 4, 4),
            (4, 3, 3),
            {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2},
        ),
        (
            F.conv_transpose2d,
            (1, 2, 3, 4),
            (2, 3, 3, 2),
            {"stride": (2, 1), "dilation": (1, 2), "output_padding": (1, 0)},
        ),
        (F.conv_transpose2d, (1, 3, 4, 3), (3, 1, 3, 3), {"padding": 1, "groups": 3}),
        (F.conv_transpose3d, (1, 2, 2, 3, 2), (2, 2, 2, 2, 2), {"stride": 2}),
    ],
)
def test_conv_gradcheck_and_gradgradcheck(fn, xshape, wshape, kw):
    out_ch = wshape[1] * kw.get("groups", 1) if "transpose" in fn.__name__ else wshape[0]
    x, w, b = _t(*xshape), _t(*wshape), _t(out_ch)
    f = lambda x, w, b: fn(x, w, b, **kw)  # noqa: E731
    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))


def test_wide_map_transposed_path_gradcheck():
    # maps at least 8x wider than the kernel span take the flattened-rows col2im
    x, w = _t(1, 2, 3, 17), _t(3, 2, 2, 2)
    assert gradcheck(lambda x, w: F.conv2d(x, w, padding=(1, 0)), (x, w))
    y = _t(1, 3, 4, 17)
    assert gradgradcheck(lambda y, w: F.conv_transpose2d(y, w, padding=1), (y, w))


def test_gradient_penalty_second_order_through_conv():
    """d/dw of ||d(sum conv(x, w)^2)/dx||^2, checked against finite differences."""
    x, w = _t(1, 2, 4, 4), _t(3, 2, 3, 3)

    def penalty(x, w):
        y = F.conv2d(x, w, padding=1)
        (gx,) = npgrad.autograd.grad((y * y).sum(), x, create_graph=True)
        return (gx * gx).sum()

    assert gradcheck(penalty, (x, w))


# ---- PyTorch parity over a drawn grid ----------------------------------------------------------
@st.composite
def conv_cases(draw, nd, transposed=False):
    """Valid argument sets, built so that every drawn case has a positive output size."""
    groups = draw(st.integers(1, 3))
    cin, cout = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    span = [d * (k - 1) for d, k in zip(dilation, kernel)]
    kinds = ["int"] if transposed else ["int", "int", "same", "valid"]
    kind = draw(st.sampled_from(kinds))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd)) if kind != "same" else (1,) * nd
    if kind == "int":
        # transposed: padding <= span / 2 keeps the output size positive
        padding = tuple(draw(st.integers(0, sp // 2 if transposed else 2)) for sp in span)
    else:
        padding = kind
    pads = padding if kind == "int" else (0,) * nd
    low = [
        1 if transposed or kind == "same" else max(1, sp + 1 - 2 * p) for sp, p in zip(span, pads)
    ]
    size = tuple(draw(st.integers(lo, lo + 6)) for lo in low)
    batch = draw(st.integers(1, 3))
    dtype = draw(st.sampled_from(["float32", "float64"]))
    return batch, cin, cout, groups, size, kernel, stride, padding, dilation, dtype


def _tol(dtype):
    return {"rtol": 1e-4, "atol": 1e-4} if dtype == "float32" else {"rtol": 1e-9, "atol": 1e-11}


def _torch_conv_parity(torch, nd, case, transposed=False):
    batch, cin, cout, groups, size, kernel, stride, padding, dilation, dtype = case
    tf = getattr(torch.nn.functional, f"conv{'_transpose' if transposed else ''}{nd}d")
    nf = getattr(F, f"conv{'_transpose' if transposed else ''}{nd}d")
    wshape = (cin, cout // groups, *kernel) if transposed else (cout, cin // groups, *kernel)
    x0 = RNG.standard_normal((batch, cin, *size)).astype(dtype)
    w0 = RNG.standard_normal(wshape).astype(dtype)
    b0 = RNG.standard_normal(cout).astype(dtype)
    kw = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    if transposed:
        kw["output_padding"] = tuple(min(s, d) - 1 for s, d in zip(stride, dilation))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x0, w0, b0))
    ty = tf(tx, tw, tb, **kw)
    nx, nw, nb = (npgrad.tensor(a, requires_grad=True) for a in (x0, w0, b0))
    ny = nf(nx, nw, nb, **kw)
    assert ny.shape == tuple(ty.shape) and ny.dtype == np.dtype(dtype)
    g0 = RNG.standard_normal(ny.shape).astype(dtype)
    ty.backward(torch.tensor(g0))
    ny.backward(npgrad.tensor(g0))
    tol = _tol(dtype)
    assert_close(ny, ty.detach().numpy(), **tol)
    for n, t in ((nx, tx), (nw, tw), (nb, tb)):
        assert_close(n.grad, t.grad.numpy(), **tol)


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=25, deadline=None)
@given(case=conv_cases(2))
def test_conv2d_matches_torch(case):
    _torch_conv_parity(pytest.importorskip("torch"), 2, case)


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=25, deadline=None)
@given(case=conv_cases(1))
def test_conv1d_matches_torch(case):
    _torch_conv_parity(pytest.importorskip("torch"), 1, case)


@pytest.mark.torch
@settings(max_examples=25, deadline=None)
@given(case=conv_cases(2, transposed=True))
def test_conv_transpose2d_matches_torch(case):
    _torch_conv_parity(pytest.importorskip("torch"), 2, case, transposed=True)


@pytest.mark.torch
@settings(max_examples=25, deadline=None)
@given(case=conv_cases(1, transposed=True))
def test_conv_transpose1d_matches_torch(case):
    _torch_conv_parity(pytest.importorskip("torch"), 1, case, transposed=True)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "case",
    [
        # (batch, cin, cout, groups, size, kernel, stride, padding, dilation): internal paths
        (2, 8, 8, 8, (9, 20), (3, 3), (1, 1), (1, 1), (1, 1)),  # depthwise, wide map
        (2, 4, 4, 4, (5, 6), (3, 2), (1, 1), "same", (2, 1)),  # depthwise, dilated
        (2, 6, 5, 1, (4, 24), (3, 3), (1, 1), (1, 1), (1, 1)),  # wide map: flattened col2im
        (3, 6, 4, 2, (5, 7), (1, 1), (1, 1), (0, 0), (1, 1)),  # 1x1: no columns
        (2, 3, 4, 1, (6, 7), (1, 1), (2, 3), (0, 1), (1, 1)),  # strided 1x1
        (1, 2, 3, 1, (3, 3, 4), (2, 2, 3), (1, 2, 1), (1, 0, 1), (1, 1, 2)),  # 3-D
    ],
)
def test_conv_internal_paths_match_torch(case, dtype):
    torch = pytest.importorskip("torch")
    nd = len(case[4])
    _torch_conv_parity(torch, nd, (*case, dtype))
    if case[7] != "same":
        _torch_conv_parity(torch, nd, (*case, dtype), transposed=True)


@pytest.mark.torch
def test_gradient_penalty_matches_torch():
    torch = pytest.importorskip("torch")
    x0, w0, b0 = (
        RNG.standard_normal((2, 3, 6, 6)),
        RNG.standard_normal((4, 3, 3, 3)),
        RNG.standard_normal(4),
    )

    def run(lib, conv, x0, w0, b0):
        x, w, b = (lib.tensor(a, requires_grad=True) for a in (x0, w0, b0))
        y = conv(x, w, b, stride=2, padding=1).tanh()
        (gx,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        ((gx * gx).sum()).backward()
        return w.grad, b.grad, x.grad

    ours = run(npgrad, F.conv2d, x0, w0, b0)
    theirs = run(torch, torch.nn.functional.conv2d, x0, w0, b0)
    for o, t in zip(ours, theirs):
        assert_close(o, t.numpy(), rtol=1e-9, atol=1e-11)


# ---- unfold / fold ------------------------------------------------------------------------------
def test_unfold_is_im2col_and_fold_its_adjoint():
    x, c = _t(2, 3, 5, 6), _t(2, 3 * 2 * 3, 12)
    kw = {"kernel_size": (2, 3), "dilation": (1, 2), "padding": 1, "stride": (2, 1)}
    u = F.unfold(x, **kw)
    assert u.shape == (2, 18, 12)
    # <unfold(x), c> == <x, fold(c)>: fold is the adjoint of unfold
    lhs = (u * c).sum().item()
    rhs = (x * F.fold(c, (5, 6), **kw)).sum().item()
    assert lhs == pytest.approx(rhs, rel=1e-12)
    assert gradcheck(lambda x: F.unfold(x, **kw), (x,))
    assert gradgradcheck(lambda c: F.fold(c, (5, 6), **kw), (c,))


def test_unfold_of_pointwise_geometry_is_a_copy():
    x = _t(1, 2, 3, 3, grad=False)
    u = F.unfold(x, 1)
    u.numpy()[...] = 0
    assert np.abs(x.numpy()).sum() > 0


@pytest.mark.torch
@pytest.mark.parametrize("unbatched", [False, True])
def test_fold_unfold_match_torch(unbatched):
    torch = pytest.importorskip("torch")
    x0 = RNG.standard_normal((2, 3, 7, 8))[0 if unbatched else slice(None)]
    kw = {"kernel_size": (3, 2), "dilation": (2, 1), "padding": (1, 0), "stride": (1, 2)}
    tu = torch.nn.functional.unfold(torch.tensor(x0), **kw)
    assert_close(F.unfold(npgrad.tensor(x0), **kw), tu.numpy())
    c0 = RNG.standard_normal(tuple(tu.shape))
    tf = torch.nn.functional.fold(torch.tensor(c0), (7, 8), **kw)
    assert_close(F.fold(npgrad.tensor(c0), (7, 8), **kw), tf.numpy())


# ---- the scratch-buffer cache -------------------------------------------------------------------
def test_workspace_reuses_buffers_and_ignores_foreign_arrays():
    a = _workspace.take((1 << 19,), np.float32)  # 2 MB: cached size
    base = a.base
    _workspace.give(a)
    b = _workspace.take((1 << 18,), np.float64)
    assert b.base is base  # same bytes reused
    _workspace.give(np.empty(1 << 21, np.uint8)[:])  # not lent: ignored
    _workspace.give(b)
    small = _workspace.take((4,), np.float32)
    assert small.base is None  # small arrays are plain allocations
    owned = _workspace.take_owned((1 << 19,), np.float32)
    base = owned.base
    del owned
    gc.collect()
    assert _workspace.take((1 << 19,), np.float32).base is base
    _workspace.clear()


def test_cached_columns_are_not_overwritten_by_later_convolutions():
    """The forward's columns live in a cached buffer until backward: later convolutions
    (which take and give back buffers of the same size) must not corrupt them."""
    x0, w0 = RNG.standard_normal((4, 8, 24, 24)), RNG.standard_normal((8, 8, 3, 3))
    x, w = npgrad.tensor(x0), npgrad.tensor(w0, requires_grad=True)
    y1 = F.conv2d(x, w, padding=1)
    for _ in range(3):  # each graph is dropped at once: its columns go back to the cache
        F.conv2d(npgrad.tensor(RNG.standard_normal((4, 8, 24, 24))), w, padding=1)
    y1.sum().backward()
    w2 = npgrad.tensor(w0, requires_grad=True)
    F.conv2d(x, w2, padding=1).sum().backward()
    assert_close(w.grad, w2.grad)


# ---- bad input ----------------------------------------------------------------------------------
def test_conv_errors_name_the_op_and_shapes():
    x, w = _t(2, 3, 8, 8), _t(4, 3, 3, 3)
    with pytest.raises(ValueError, match=r"conv2d: expected input with 3 channels.*\(2, 4, 8, 8\)"):
        F.conv2d(_t(2, 4, 8, 8), w)
    with pytest.raises(
        ValueError, match=r"kernel .*larger than the padded input \(2, 2\).*output size \(0, 0\)"
    ):
        F.conv2d(_t(1, 3, 2, 2), w)
    with pytest.raises(ValueError, match=r"expected 3-D .*or 4-D .*got input of shape \(8, 8\)"):
        F.conv2d(_t(8, 8), w)
    with pytest.raises(ValueError, match="4-D weight"):
        F.conv2d(x, _t(4, 3, 3))
    with pytest.raises(ValueError, match=r"bias of shape \(4,\)"):
        F.conv2d(x, w, _t(3))
    with pytest.raises(ValueError, match="not supported for strided"):
        F.conv2d(x, w, stride=2, padding="same")
    with pytest.raises(ValueError, match="invalid padding string"):
        F.conv2d(x, w, padding="full")
    with pytest.raises(ValueError, match="not divisible by groups=3"):
        F.conv2d(_t(1, 3, 5, 5), _t(4, 1, 3, 3), groups=3)
    with pytest.raises(ValueError, match="stride must be positive"):
        F.conv2d(x, w, stride=0)
    with pytest.raises(ValueError, match="tuple of 2 ints"):
        F.conv2d(x, w, padding=(1, 1, 1))
    with pytest.raises(TypeError, match="dtype"):
        F.conv2d(x, _t(4, 3, 3, 3, dtype=np.float32))
    with pytest.raises(TypeError, match="floating point"):
        F.conv2d(npgrad.tensor(np.ones((1, 3, 4, 4), np.int64)), w)
    with pytest.raises(TypeError, match="Tensor"):
        F.conv2d(np.ones((1, 3, 4, 4)), w)


def test_conv_transpose_errors():
    with pytest.raises(
        ValueError, match="output_padding must be smaller than either stride or dilation"
    ):
        F.conv_transpose2d(_t(1, 2, 3, 3), _t(2, 2, 3, 3), stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"output size \(-2, -2\)"):
        F.conv_transpose2d(_t(1, 2, 1, 1), _t(2, 2, 2, 2), padding=2)
    with pytest.raises(ValueError, match=r"expected input with 4 channels"):
        F.conv_transpose2d(_t(1, 2, 3, 3), _t(4, 2, 3, 3))


def test_fold_unfold_errors():
    with pytest.raises(ValueError, match="sliding blocks 3 \\* 4 = 12"):
        F.fold(_t(1, 4, 10), (4, 5), 2)
    with pytest.raises(ValueError, match="divisible by the product of kernel_size"):
        F.fold(_t(1, 5, 12), (4, 5), 2)
    with pytest.raises(ValueError, match="sliding blocks"):
        F.unfold(_t(1, 1, 2, 2), 3)
