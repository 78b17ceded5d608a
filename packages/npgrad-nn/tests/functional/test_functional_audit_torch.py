"""Regression tests from a differential audit of ``npgrad.nn.functional`` against PyTorch 2.13:
each test pins a behaviour that used to differ (a result dtype or shape, an accepted argument
form, a warning, the type of an error). The expectations are written out (NumPy or literal
values), so the tests run without torch; the ``torch``-marked twins compare with PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import npgrad
import npgrad.nn.functional as F
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.ops._shape_util import ShapeError
from npgrad.testing import assert_close

RNG = np.random.default_rng(2013)


def _t(a, grad=False, dtype=None):
    a = np.asarray(a) if dtype is None else np.asarray(a, dtype=dtype)
    return npgrad.tensor(a, requires_grad=grad)


def _randn(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


# ---- threshold on integer tensors --------------------------------------------------------------
def test_threshold_keeps_an_integer_dtype_and_truncates_threshold_and_value():
    x = npgrad.arange(-3, 4)
    y = F.threshold(x, -1.5, 2.7)
    assert y.dtype == np.int64
    # threshold -1.5 -> -1 and value 2.7 -> 2: x <= -1 becomes 2
    np.testing.assert_array_equal(y.numpy(), [2, 2, 2, 0, 1, 2, 3])
    y = F.threshold(x.to(npgrad.int32), 0.5, -2.9)
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y.numpy(), [-2, -2, -2, -2, 1, 2, 3])


def test_threshold_in_place_on_an_integer_tensor():
    x = npgrad.arange(-3, 4)
    assert F.threshold_(x, 0, 7.9) is x
    np.testing.assert_array_equal(x.numpy(), [7, 7, 7, 7, 1, 2, 3])
    x = npgrad.arange(-3, 4)
    assert F.threshold(x, 1, -1, inplace=True) is x
    np.testing.assert_array_equal(x.numpy(), [-1, -1, -1, -1, -1, 2, 3])


@pytest.mark.parametrize(
    ("dtype", "threshold", "value", "bad"),
    [
        (np.int64, 1e30, 1, "threshold=1e\\+30"),
        (np.int64, 1, float("inf"), "value=inf"),
        (np.int64, float("nan"), 1, "threshold=nan"),
        (np.uint8, 1.5, -2.7, "value=-2.7"),
        (np.uint8, 300, 1, "threshold=300"),
    ],
)
def test_threshold_refuses_numbers_the_integer_dtype_cannot_hold(dtype, threshold, value, bad):
    x = npgrad.tensor(np.arange(5), dtype=dtype)
    with pytest.raises(RuntimeError, match=f"threshold: {bad} cannot be converted to type") as e:
        F.threshold(x, threshold, value)
    assert isinstance(e.value, ValueError)


def test_threshold_refuses_bool_tensors():
    with pytest.raises(TypeError, match="threshold: not implemented for bool"):
        F.threshold(npgrad.tensor([True, False]), 0.5, 0.0)


def test_threshold_on_floats_is_unchanged_and_differentiable():
    x = _t(_randn(3, 4), grad=True)
    y = F.threshold(x, 0.1, -2.0)
    a = x.detach().numpy()
    assert_close(y, np.where(a <= 0.1, -2.0, a))
    assert gradcheck(lambda v: F.threshold(v, 0.1, -2.0), (x,))
    assert gradgradcheck(lambda v: F.threshold(v, 0.1, -2.0), (x,))


@pytest.mark.torch
def test_threshold_integer_matches_torch():
    torch = pytest.importorskip("torch")
    a = np.arange(-4, 5)
    for dt, tdt in ((np.int64, torch.int64), (np.int32, torch.int32), (np.uint8, torch.uint8)):
        ours = F.threshold(npgrad.tensor(a.astype(dt)), 1.5, 2.7)
        theirs = torch.nn.functional.threshold(torch.tensor(a.astype(dt)), 1.5, 2.7)
        assert theirs.dtype == tdt
        assert ours.dtype == dt
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    with pytest.raises(RuntimeError):
        torch.nn.functional.threshold(torch.tensor(a.astype(np.uint8)), 1.5, -2.7)


@pytest.mark.parametrize(
    ("dtype", "threshold", "value", "bad"),
    [
        (np.float32, 0.0, 1e40, "value=1e\\+40"),
        (np.float32, -1e39, 0.0, "threshold=-1e\\+39"),
        (np.float16, 0.0, 7e4, "value=70000.0"),
        (np.int8, -128.5, 1, "threshold=-128.5"),
    ],
)
def test_threshold_numbers_must_fit_the_dtype(dtype, threshold, value, bad):
    x = npgrad.zeros(3, dtype=dtype)
    with pytest.raises(RuntimeError, match=f"threshold: {bad} cannot be converted"):
        F.threshold(x, threshold, value)
    assert F.threshold(npgrad.zeros(2, dtype=np.float16), 0.0, float("inf")).numpy()[0] == np.inf


# ---- pad: the constant must fit the dtype ------------------------------------------------------
@pytest.mark.parametrize(
    ("dtype", "value"),
    [(np.float32, 1e40), (np.float16, 7e4), (np.int64, 1e30), (np.int64, float("nan"))]
    + [(np.uint8, -1), (np.uint8, 255.5), (np.int32, 3e9), (np.int8, -128.7)],
)
def test_pad_value_must_fit_the_dtype(dtype, value):
    x = npgrad.zeros(1, 2, dtype=dtype)
    with pytest.raises(RuntimeError, match="pad: value=.* cannot be converted to type") as info:
        F.pad(x, (1, 1), value=value)
    assert isinstance(info.value, ValueError)


def test_pad_value_that_fits_is_used():
    assert F.pad(npgrad.zeros(2, dtype=np.uint8), (1, 1), value=255.0).numpy().tolist() == [
        255,
        0,
        0,
        255,
    ]
    assert F.pad(npgrad.zeros(2, dtype=np.int64), (1, 0), value=-2.7).numpy().tolist() == [-2, 0, 0]
    assert F.pad(npgrad.zeros(1, dtype=np.float16), (1, 0), value=-np.inf).numpy()[0] == -np.inf
    assert F.pad(npgrad.zeros(1, dtype=bool), (1, 0), value=2).numpy().tolist() == [True, False]


@pytest.mark.torch
def test_pad_and_threshold_overflow_match_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    for dtype, value in ((torch.float32, 1e40), (torch.uint8, 255.5), (torch.int64, float("nan"))):
        with pytest.raises(RuntimeError, match="without overflow"):
            tf.pad(torch.zeros(1, 2, dtype=dtype), (1, 1), value=value)
    with pytest.raises(RuntimeError, match="without overflow"):
        tf.threshold(torch.zeros(3), 0.0, 1e40)
    assert tf.pad(torch.zeros(2, dtype=torch.int64), (1, 0), value=-2.7).tolist() == [-2, 0, 0]


# ---- softshrink at NaN -------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_softshrink_passes_the_gradient_of_a_nan_input():
    x = _t([np.nan, -np.inf, -2.0, -0.5, -0.2, 0.0, 0.3, 1.5, np.inf], grad=True)
    y = F.softshrink(x, 0.5)
    expected = [np.nan, -np.inf, -1.5, -0.0, -0.0, 0.0, 0.0, 1.0, np.inf]
    np.testing.assert_array_equal(y.detach().numpy(), expected)
    assert np.signbit(y.detach().numpy()[4])  # -0.2 gives -0., as PyTorch's kernel
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1, 1, 1, 0, 0, 0, 0, 1, 1])
    v = _t([-1.3, -0.7, 0.2, 0.9, 2.0], grad=True)
    assert gradcheck(lambda t: F.softshrink(t, 0.5), (v,))
    assert gradgradcheck(lambda t: F.softshrink(t, 0.5), (v,))


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_softshrink_nan_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    a = np.array([np.nan, -np.inf, -2.0, -0.5, -0.2, 0.0, 0.3, 1.5, np.inf], np.float32)
    ours = _t(a, grad=True)
    theirs = torch.tensor(a, requires_grad=True)
    F.softshrink(ours, 0.5).sum().backward()
    torch.nn.functional.softshrink(theirs, 0.5).sum().backward()
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
    h = _randn(500).astype(np.float16)
    np.testing.assert_array_equal(
        F.softshrink(_t(h), 0.3).numpy(), torch.nn.functional.softshrink(torch.tensor(h), 0.3)
    )


def test_softshrink_float16_rounds_once_from_float32():
    h = _randn(500).astype(np.float16)
    f = h.astype(np.float32)
    expected = np.where(np.abs(f) <= np.float32(0.3), f * 0, f - np.float32(0.3) * np.sign(f))
    out = F.softshrink(_t(h), 0.3)
    assert out.dtype == np.float16
    np.testing.assert_array_equal(out.numpy(), expected.astype(np.float16))


# ---- adaptive average pooling keeps NaN and inf in their windows --------------------------------
def _adaptive_avg_reference(x, out):
    """Loop over PyTorch's adaptive windows: [floor(i n / o), ceil((i + 1) n / o))."""
    (n_h, n_w), (o_h, o_w) = x.shape[-2:], out
    y = np.empty(x.shape[:-2] + out)
    for i in range(o_h):
        hs, he = (i * n_h) // o_h, -((-(i + 1) * n_h) // o_h)
        for j in range(o_w):
            ws, we = (j * n_w) // o_w, -((-(j + 1) * n_w) // o_w)
            y[..., i, j] = x[..., hs:he, ws:we].mean((-2, -1))
    return y


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_adaptive_avg_pool_keeps_nan_and_inf_in_their_own_windows():
    x = _randn(1, 2, 5, 7)
    x[0, 0, 1, 1], x[0, 1, 3, 6], x[0, 1, 0, 0] = np.nan, np.inf, -np.inf
    xt = _t(x, grad=True)
    y = F.adaptive_avg_pool2d(xt, (3, 4))
    expected = _adaptive_avg_reference(x, (3, 4))
    assert np.isfinite(expected).sum() > 10  # most windows are finite
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(
        F.interpolate(xt, size=(3, 4), mode="area").detach().numpy(), expected, equal_nan=True
    )
    # the gradient of an average does not depend on the values: as for a finite input
    c = _randn(1, 2, 3, 4)
    (g,) = npgrad.autograd.grad(y, xt, grad_outputs=_t(c))
    finite = _t(np.nan_to_num(x, posinf=1.0, neginf=-1.0, nan=0.0), grad=True)
    (g_ref,) = npgrad.autograd.grad(F.adaptive_avg_pool2d(finite, (3, 4)), finite, _t(c))
    assert_close(g, g_ref.numpy())


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_adaptive_avg_pool_with_nan_is_differentiable_twice():
    x = _randn(2, 6)
    x[0, 2] = np.nan
    xt = _t(x, grad=True)
    c = _t(_randn(2, 4), grad=True)
    y = F.adaptive_avg_pool1d(xt[None], 4)[0]
    (g,) = npgrad.autograd.grad(y, xt, grad_outputs=c, create_graph=True)
    # g = c @ M, linear in c: d(sum(g * u))/dc = u @ M.T, the pooling of u
    u = _randn(2, 6)
    (gc,) = npgrad.autograd.grad((g * _t(u)).sum(), c)
    assert_close(gc, F.adaptive_avg_pool1d(_t(u)[None], 4)[0].numpy())


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_adaptive_avg_pool_nonfinite_matches_torch():
    torch = pytest.importorskip("torch")
    x = _randn(1, 2, 5, 7)
    x[0, 0, 1, 1], x[0, 1, 3, 6], x[0, 1, 0, 0] = np.nan, np.inf, -np.inf
    for size in ((3, 4), (2, 5)):
        ours = F.adaptive_avg_pool2d(_t(x), size)
        theirs = torch.nn.functional.adaptive_avg_pool2d(torch.tensor(x), size)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, equal_nan=True)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_antialiased_interpolation_keeps_nan_and_inf_in_their_windows(mode):
    x = _randn(1, 1, 12, 12)
    clean = F.interpolate(_t(x), size=(6, 6), mode=mode, antialias=True).numpy()
    x[0, 0, 0, 0], x[0, 0, 11, 11] = np.nan, np.inf
    out = F.interpolate(_t(x), size=(6, 6), mode=mode, antialias=True).numpy()
    bad = ~np.isfinite(out)
    # the corners' windows hold them; the windows of the middle outputs (inputs 1 to 9 for
    # output 2 at most: centre 5, support 4) do not
    assert bad[0, 0, 0, 0] and bad[0, 0, -1, -1]
    assert not bad[0, 0, 2:4, 2:4].any()
    np.testing.assert_allclose(out[0, 0, 2:4, 2:4], clean[0, 0, 2:4, 2:4], rtol=1e-12)


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_antialiased_interpolation_with_nan_matches_torch():
    torch = pytest.importorskip("torch")
    x = _randn(1, 2, 8, 9)
    x[0, 0, 1, 1], x[0, 1, 2, 3], x[0, 1, 0, 0] = np.nan, np.inf, -np.inf
    for mode in ("bilinear", "bicubic"):
        ours = F.interpolate(_t(x), size=(3, 4), mode=mode, antialias=True)
        theirs = torch.nn.functional.interpolate(
            torch.tensor(x), size=(3, 4), mode=mode, antialias=True
        )
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, equal_nan=True)


# ---- glu in float16 ---------------------------------------------------------------------------
def test_glu_float16_rounds_once_from_float32():
    x = _randn(64, 8).astype(np.float16)
    y = F.glu(npgrad.tensor(x))
    a, b = x[:, :4].astype(np.float32), x[:, 4:].astype(np.float32)
    expected = (a / (1 + np.exp(-b))).astype(np.float16)
    assert y.dtype == np.float16
    np.testing.assert_array_equal(y.numpy(), expected)


def test_glu_float16_gradient_stays_float16():
    x = npgrad.tensor(_randn(3, 4).astype(np.float16), requires_grad=True)
    F.glu(x).sum().backward()
    assert x.grad.dtype == np.float16


@pytest.mark.torch
def test_glu_float16_matches_torch():
    torch = pytest.importorskip("torch")
    x = _randn(64, 8).astype(np.float16)
    for dim in (0, 1):
        ours = F.glu(npgrad.tensor(x), dim)
        theirs = torch.nn.functional.glu(torch.tensor(x), dim)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# ---- multi_margin_loss: the unbatched loss has the target's shape -----------------------------
def test_multi_margin_loss_unbatched_keeps_a_one_element_target_shape():
    x = _t([0.1, 0.2, 0.4, 0.8])
    expected = (np.maximum(0, 1 - 0.4 + np.array([0.1, 0.2, 0.8]))).sum() / 4
    loss = F.multi_margin_loss(x, _t([2]), reduction="none")
    assert loss.shape == (1,)
    assert_close(loss, np.array([expected]))
    loss = F.multi_margin_loss(x, _t(2), reduction="none")
    assert loss.shape == ()
    assert_close(loss, np.array(expected))
    assert F.multi_margin_loss(x, _t([2])).shape == ()


@pytest.mark.torch
def test_multi_margin_loss_unbatched_shape_matches_torch():
    torch = pytest.importorskip("torch")
    x = _randn(5)
    for target in ([2], 2):
        for reduction in ("none", "mean", "sum"):
            ours = F.multi_margin_loss(_t(x), _t(target), reduction=reduction)
            theirs = torch.nn.functional.multi_margin_loss(
                torch.tensor(x), torch.tensor(target), reduction=reduction
            )
            assert tuple(ours.shape) == tuple(theirs.shape)
            assert_close(ours, theirs.numpy())


# ---- multi_margin_loss / multilabel_margin_loss with inf and NaN scores ----------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_multi_margin_loss_skips_terms_as_pytorchs_kernel_does():
    inf, nan = np.inf, np.nan
    x = _t([[inf, 0.0, 1.0], [0.0, inf, 1.0], [-inf, 0.0, 1.0], [0.5, nan, 0.2]], grad=True)
    loss = F.multi_margin_loss(x, _t([0, 0, 0, 0]), reduction="none")
    # row 0: every z = 1 - inf + x_c is -inf (skipped); rows 1, 2: an infinite term;
    # row 3: the NaN term fails z > 0 and is skipped, the other gives 1 - 0.5 + 0.2
    np.testing.assert_array_equal(loss.detach().numpy(), [0.0, inf, inf, 0.7 / 3])
    F.multi_margin_loss(x[3:], _t([0]), reduction="sum").backward()
    np.testing.assert_allclose(x.grad.numpy()[3], [-1 / 3, 0.0, 1 / 3])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_multilabel_margin_loss_skips_nan_terms_as_pytorchs_kernel_does():
    x = _t([[0.5, np.nan, 0.2, 0.0]])
    loss = F.multilabel_margin_loss(x, _t([[0, -1, 0, 0]]), reduction="none")
    # target class 0 against 1 (NaN, skipped), 2 and 3
    assert_close(loss, np.array([((1 - 0.5 + 0.2) + (1 - 0.5 + 0.0)) / 4]))


def test_multi_margin_losses_are_still_differentiable_twice():
    x = _t(_randn(3, 4), grad=True)
    t = _t([0, 3, 1])
    w = _t(RNG.random(4))
    assert gradcheck(lambda v: F.multi_margin_loss(v, t, p=2, weight=w), (x,))
    assert gradgradcheck(lambda v: F.multi_margin_loss(v, t, p=2, weight=w), (x,))
    tm = _t([[3, 0, -1, 1], [1, 2, 3, -1], [0, -1, 0, 0]])
    assert gradcheck(lambda v: F.multilabel_margin_loss(v, tm), (x,))


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_margin_losses_with_nonfinite_scores_match_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x = _randn(4, 5)
    x[0, 0], x[1, 3], x[2, 2], x[3, 1] = np.inf, -np.inf, np.nan, np.inf
    t = np.array([0, 1, 2, 0])
    tm = np.array([[0, 1, -1, 0, 0], [3, -1, 0, 0, 0], [1, 4, -1, 0, 0], [2, -1, 0, 0, 0]])
    for p in (1, 2):
        ours = F.multi_margin_loss(_t(x), _t(t), p=p, reduction="none")
        theirs = tf.multi_margin_loss(torch.tensor(x), torch.tensor(t), p=p, reduction="none")
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), equal_nan=True)
    ours = F.multilabel_margin_loss(_t(x), _t(tm), reduction="none")
    theirs = tf.multilabel_margin_loss(torch.tensor(x), torch.tensor(tm), reduction="none")
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), equal_nan=True)


# ---- margin losses promote integer inputs ----------------------------------------------------
def test_margin_ranking_loss_promotes_integer_inputs():
    x1 = _t([1.0, 2.0, 3.0], dtype=np.float32)
    x2 = _t([2, 2, 2])
    target = _t([1, -1, 1])
    loss = F.margin_ranking_loss(x1, x2, target, margin=0.5, reduction="none")
    assert loss.dtype == np.float32
    assert_close(loss, np.array([1.5, 0.5, 0.0], np.float32))
    both_int = F.margin_ranking_loss(_t([1, 2]), _t([2, 2]), _t([1, 1]))
    assert both_int.dtype == npgrad.get_default_dtype()
    assert_close(both_int, np.float32(0.5))


def test_cosine_embedding_loss_promotes_integer_and_bool_inputs():
    x1 = _t([[1.0, 0.0], [1.0, 1.0]], dtype=np.float32)
    loss = F.cosine_embedding_loss(x1, _t([[1, 0], [0, 1]]), _t([1, -1]), reduction="none")
    assert loss.dtype == np.float32
    assert_close(loss, np.array([0.0, 1 / np.sqrt(2)], np.float32), atol=1e-6)
    loss = F.cosine_embedding_loss(x1, _t([[True, False], [False, True]]), _t([1, -1]))
    assert loss.dtype == np.float32
    loss = F.cosine_embedding_loss(_t([[1, 0]]), _t([[0, 1]]), _t([1]))
    assert loss.dtype == np.float32
    assert_close(loss, np.float32(1.0))


def test_triplet_margin_loss_promotes_integer_inputs_and_keeps_gradients():
    a = _t(_randn(3, 4), grad=True)
    p, n = _t(RNG.integers(-2, 3, (3, 4))), _t(RNG.integers(-2, 3, (3, 4)))
    loss = F.triplet_margin_loss(a, p, n, reduction="none")
    assert loss.dtype == np.float64
    ad, pd, nd = a.detach().numpy(), p.numpy(), n.numpy()
    d_ap = np.linalg.norm(ad - pd + 1e-6, axis=1)
    d_an = np.linalg.norm(ad - nd + 1e-6, axis=1)
    assert_close(loss, np.maximum(d_ap - d_an + 1.0, 0.0))
    assert gradcheck(lambda v: F.triplet_margin_loss(v, p, n), (a,))
    ints = F.triplet_margin_loss(_t([[0, 0]]), _t([[3, 4]]), _t([[0, 1]]), eps=0.0)
    assert ints.dtype == np.float32
    assert_close(ints, np.float32(5.0))


def test_margin_losses_refuse_bool_inputs_as_pytorchs_subtraction_does():
    with pytest.raises(TypeError, match="margin_ranking_loss: expected a numeric input2, got"):
        F.margin_ranking_loss(_t([1.0]), npgrad.tensor([True]), _t([1.0]))
    with pytest.raises(TypeError, match="triplet_margin_loss: expected a numeric positive, got"):
        F.triplet_margin_loss(_t([[1.0]]), npgrad.tensor([[True]]), _t([[1.0]]))


@pytest.mark.torch
def test_margin_losses_with_integer_inputs_match_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    a = _randn(3, 4).astype(np.float32)
    i = RNG.integers(-2, 3, (3, 4))
    s = np.array([1, -1, 1])
    for a1, a2 in ((a, i), (i, a), (i, i), (a, a.astype(np.float64))):
        ours = F.margin_ranking_loss(_t(a1[:, 0]), _t(a2[:, 0]), _t(s), margin=0.3)
        theirs = tf.margin_ranking_loss(
            torch.tensor(a1[:, 0]), torch.tensor(a2[:, 0]), torch.tensor(s), margin=0.3
        )
        assert str(ours.dtype) == str(theirs.dtype).split(".")[1]
        assert_close(ours, theirs.numpy(), atol=1e-6)
        ours = F.cosine_embedding_loss(_t(a1), _t(a2), _t(s))
        theirs = tf.cosine_embedding_loss(torch.tensor(a1), torch.tensor(a2), torch.tensor(s))
        assert str(ours.dtype) == str(theirs.dtype).split(".")[1]
        assert_close(ours, theirs.numpy(), atol=1e-6)
        ours = F.triplet_margin_loss(_t(a1), _t(a2), _t(a))
        theirs = tf.triplet_margin_loss(torch.tensor(a1), torch.tensor(a2), torch.tensor(a))
        assert str(ours.dtype) == str(theirs.dtype).split(".")[1]
        assert_close(ours, theirs.numpy(), atol=1e-5)


# ---- loss weights ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "huber_loss"])
@pytest.mark.parametrize("wdtype", [np.int64, np.bool_])
def test_elementwise_loss_weight_may_be_integer_or_bool(name, wdtype):
    x, y = _randn(3, 4).astype(np.float32), _randn(3, 4).astype(np.float32)
    w = RNG.integers(0, 3, (3, 4)).astype(wdtype)
    w[0, 0] = 1
    plain = getattr(F, name)(_t(x), _t(y), reduction="none").numpy()
    ours = getattr(F, name)(_t(x), _t(y), weight=_t(w), reduction="none")
    assert ours.dtype == np.float32
    assert_close(ours, (plain * w).astype(np.float32))
    mean = getattr(F, name)(_t(x), _t(y), weight=_t(w))
    assert mean.dtype == np.float32
    # l1 and mse divide by the weights' sum, huber by the element count (as PyTorch)
    denom = w.size if name == "huber_loss" else w.sum()
    assert_close(mean, np.float32((plain * w).sum() / denom), rtol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "huber_loss"])
def test_elementwise_loss_integer_weight_matches_torch(name):
    torch = pytest.importorskip("torch")
    x, y = _randn(3, 4).astype(np.float32), _randn(3, 4).astype(np.float32)
    w = RNG.integers(1, 3, (3, 4))
    for reduction in ("none", "mean", "sum"):
        ours = getattr(F, name)(_t(x), _t(y), weight=_t(w), reduction=reduction)
        theirs = getattr(torch.nn.functional, name)(
            torch.tensor(x), torch.tensor(y), weight=torch.tensor(w), reduction=reduction
        )
        assert str(theirs.dtype) == "torch." + str(ours.dtype)
        assert_close(ours, theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (
            lambda w: F.binary_cross_entropy(_t([[0.5, 0.25]]), _t([[1.0, 0.0]]), weight=w),
            "weight",
        ),
        (
            lambda w: F.binary_cross_entropy_with_logits(_t([[0.5, 0.2]]), _t([[1.0, 0.0]]), w),
            "weight",
        ),
        (
            lambda w: F.binary_cross_entropy_with_logits(
                _t([[0.5, 0.2]]), _t([[1.0, 0.0]]), pos_weight=w
            ),
            "pos_weight",
        ),
    ],
)
def test_binary_cross_entropy_weights_must_not_grow_the_input_shape(call, name):
    with pytest.raises(ShapeError, match=rf"{name} of shape \(3, 1, 2\) cannot be broadcast"):
        call(_t(np.ones((3, 1, 2))))
    assert call(_t(np.ones((1, 2)))).shape == ()  # broadcasting to the input is fine


def test_multilabel_soft_margin_loss_sums_the_input_class_dim_under_a_larger_weight():
    x, y, w = _randn(3, 4), RNG.random((3, 4)), RNG.random((2, 3, 4))
    loss = F.multilabel_soft_margin_loss(_t(x), _t(y), weight=_t(w), reduction="none")
    per = -(y * -np.logaddexp(0, -x) + (1 - y) * -np.logaddexp(0, x)) * w  # (2, 3, 4)
    assert loss.shape == (2, 4)
    assert_close(loss, per.sum(1) / 4)


@pytest.mark.torch
def test_binary_cross_entropy_weight_shapes_match_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x, y = torch.rand(3, 4), torch.rand(3, 4)
    with pytest.raises(RuntimeError):
        tf.binary_cross_entropy(x, y, weight=torch.ones(2, 3, 4))
    with pytest.raises(RuntimeError):
        tf.binary_cross_entropy_with_logits(x, y, pos_weight=torch.ones(2, 3, 4))
    xn, yn, w = _randn(3, 4), RNG.random((3, 4)), RNG.random((2, 3, 4))
    for reduction in ("none", "mean"):
        ours = F.multilabel_soft_margin_loss(_t(xn), _t(yn), weight=_t(w), reduction=reduction)
        theirs = tf.multilabel_soft_margin_loss(
            torch.tensor(xn), torch.tensor(yn), weight=torch.tensor(w), reduction=reduction
        )
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert_close(ours, theirs.numpy())


# ---- batch_norm / instance_norm given one running buffer -----------------------------------------
@pytest.mark.parametrize("which", ["running_mean", "running_var"])
def test_batch_norm_refuses_a_single_running_buffer_in_training(which):
    buf = npgrad.zeros(3, dtype=npgrad.float64)
    kw = {"running_mean": None, "running_var": None, which: buf}
    x = _t(_randn(4, 3))
    with pytest.raises(ValueError, match="must either both be None or neither be None"):
        F.batch_norm(x, kw["running_mean"], kw["running_var"], training=True)
    with pytest.raises(ValueError, match="must either both be None or neither be None"):
        F.instance_norm(_t(_randn(2, 3, 4)), kw["running_mean"], kw["running_var"])
    np.testing.assert_array_equal(buf.numpy(), np.zeros(3))
    with pytest.raises(RuntimeError, match="must be given when training=False"):
        F.batch_norm(x, kw["running_mean"], kw["running_var"], training=False)


@pytest.mark.torch
def test_batch_norm_single_running_buffer_matches_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    with pytest.raises(ValueError, match="must either both be None or neither be None"):
        tf.batch_norm(torch.zeros(4, 3), torch.zeros(3), None, training=True)
    with pytest.raises(ValueError, match="must either both be None or neither be None"):
        tf.instance_norm(torch.zeros(2, 3, 4), None, torch.ones(3))


def test_instance_norm_accepts_eps_zero_with_input_statistics():
    x = _randn(2, 3, 5)
    out = F.instance_norm(_t(x), eps=0.0)
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    assert_close(out, (x - mean) / np.sqrt(var))
    with pytest.raises(ValueError, match="instance_norm: eps must be non-negative, but got -1.0"):
        F.instance_norm(_t(x), eps=-1.0)


@pytest.mark.torch
def test_instance_norm_eps_zero_matches_torch():
    torch = pytest.importorskip("torch")
    x = _randn(2, 3, 5)
    theirs = torch.nn.functional.instance_norm(torch.tensor(x), eps=0.0)
    assert_close(F.instance_norm(_t(x), eps=0.0), theirs.numpy())


# ---- reduction='elementwise_mean' ------------------------------------------------------------
_LEGACY_MEAN = {
    "l1_loss": lambda r: F.l1_loss(_t([1.0, 3.0]), _t([0.0, 0.0]), reduction=r),
    "mse_loss": lambda r: F.mse_loss(_t([1.0, 3.0]), _t([0.0, 0.0]), reduction=r),
    "smooth_l1_loss": lambda r: F.smooth_l1_loss(_t([1.0, 3.0]), _t([0.0, 0.0]), reduction=r),
    "huber_loss": lambda r: F.huber_loss(_t([1.0, 3.0]), _t([0.0, 0.0]), reduction=r),
    "cross_entropy": lambda r: F.cross_entropy(
        _t([[1.0, 2.0], [0.0, 1.0]]), _t([0, 1]), reduction=r
    ),
    "nll_loss": lambda r: F.nll_loss(_t([[1.0, 2.0], [0.0, 1.0]]), _t([0, 1]), reduction=r),
    "kl_div": lambda r: F.kl_div(_t([-1.0, -2.0]), _t([0.5, 0.5]), reduction=r),
    "binary_cross_entropy": lambda r: F.binary_cross_entropy(
        _t([0.25, 0.5]), _t([1.0, 0.0]), reduction=r
    ),
    "hinge_embedding_loss": lambda r: F.hinge_embedding_loss(
        _t([0.3, 0.4]), _t([1.0, -1.0]), reduction=r
    ),
    "ctc_loss": lambda r: F.ctc_loss(
        npgrad.log_softmax(_t(np.zeros((3, 1, 3))), -1), _t([[1]]), _t([3]), _t([1]), reduction=r
    ),
}


@pytest.mark.parametrize("name", sorted(_LEGACY_MEAN))
def test_elementwise_mean_is_pytorchs_deprecated_name_for_mean(name):
    with pytest.warns(UserWarning, match="reduction='elementwise_mean' is deprecated"):
        legacy = _LEGACY_MEAN[name]("elementwise_mean")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div's 'mean' warns that it is not 'batchmean'
        assert_close(legacy, _LEGACY_MEAN[name]("mean"))


@pytest.mark.parametrize(
    "call",
    [
        lambda: F.poisson_nll_loss(_t([1.0]), _t([1.0]), reduction="elementwise_mean"),
        lambda: F.gaussian_nll_loss(_t([1.0]), _t([1.0]), _t([1.0]), reduction="elementwise_mean"),
        lambda: F.multilabel_soft_margin_loss(
            _t([[1.0]]), _t([[1.0]]), reduction="elementwise_mean"
        ),
        lambda: F.triplet_margin_with_distance_loss(
            _t([[1.0]]), _t([[1.0]]), _t([[1.0]]), reduction="elementwise_mean"
        ),
    ],
)
def test_elementwise_mean_is_refused_where_pytorch_refuses_it(call):
    with pytest.raises(ValueError, match="elementwise_mean is not a valid value for reduction"):
        call()


@pytest.mark.torch
def test_elementwise_mean_matches_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x, y = _randn(3, 4), _randn(3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "soft_margin_loss"):
            ours = getattr(F, name)(_t(x), _t(np.sign(y)), reduction="elementwise_mean")
            theirs = getattr(tf, name)(
                torch.tensor(x), torch.tensor(np.sign(y)), reduction="elementwise_mean"
            )
            assert_close(ours, theirs.numpy())
        with pytest.raises(ValueError, match="elementwise_mean"):
            tf.poisson_nll_loss(torch.tensor(x), torch.tensor(y), reduction="elementwise_mean")


# ---- scaled_dot_product_attention with an empty embedding -------------------------------------
def test_sdpa_with_an_empty_embedding_weights_every_key_equally():
    q = npgrad.zeros(2, 3, 0, dtype=npgrad.float64, requires_grad=True)
    k = npgrad.zeros(2, 4, 0, dtype=npgrad.float64)
    v = _t(_randn(2, 4, 5))
    out = F.scaled_dot_product_attention(q, k, v)
    expected = np.broadcast_to(v.numpy().mean(1, keepdims=True), (2, 3, 5))
    assert_close(out, expected)
    out.sum().backward()
    assert q.grad.shape == (2, 3, 0)
    assert_close(F.scaled_dot_product_attention(q, k, v, is_causal=True)[:, 0], v.numpy()[:, 0])


@pytest.mark.torch
def test_sdpa_with_an_empty_embedding_matches_torch():
    torch = pytest.importorskip("torch")
    v = _randn(2, 4, 5).astype(np.float32)
    for kw in ({}, {"is_causal": True}, {"scale": 0.5}):
        ours = F.scaled_dot_product_attention(
            npgrad.zeros(2, 3, 0), npgrad.zeros(2, 4, 0), _t(v), **kw
        )
        theirs = torch.nn.functional.scaled_dot_product_attention(
            torch.zeros(2, 3, 0), torch.zeros(2, 4, 0), torch.tensor(v), **kw
        )
        assert_close(ours, theirs.numpy())


# ---- scaled_dot_product_attention: mask dtype and shape --------------------------------------
def test_sdpa_float32_mask_is_computed_in_the_query_dtype():
    q = _randn(2, 3, 4)
    mask = _randn(3, 3).astype(np.float32)
    for dtype in (np.float16, np.float64):
        qt = npgrad.tensor(q.astype(dtype))
        out = F.scaled_dot_product_attention(qt, qt, qt, attn_mask=npgrad.tensor(mask))
        assert out.dtype == dtype
        expected = F.scaled_dot_product_attention(
            qt, qt, qt, attn_mask=npgrad.tensor(mask.astype(dtype))
        )
        np.testing.assert_array_equal(out.numpy(), expected.numpy())


def test_sdpa_float32_mask_gradient_comes_back_in_float32():
    q = _t(_randn(2, 3, 4), grad=True)
    mask = npgrad.tensor(_randn(3, 3).astype(np.float32), requires_grad=True)
    F.scaled_dot_product_attention(q, q, q, attn_mask=mask).sum().backward()
    assert mask.grad.dtype == np.float32
    assert q.grad.dtype == np.float64


@pytest.mark.parametrize(("qdtype", "mdtype"), [(np.float32, np.float64), (np.float32, np.float16)])
def test_sdpa_refuses_a_float_mask_of_another_dtype(qdtype, mdtype):
    q = npgrad.tensor(_randn(2, 3, 4).astype(qdtype))
    mask = npgrad.tensor(_randn(3, 3).astype(mdtype))
    with pytest.raises(TypeError, match="attn_mask must be bool or floating point") as info:
        F.scaled_dot_product_attention(q, q, q, attn_mask=mask)
    assert isinstance(info.value, RuntimeError)


def test_sdpa_mask_must_not_grow_the_scores():
    q = _t(_randn(3, 4))
    with pytest.raises(ShapeError, match=r"attn_mask of shape \(2, 3, 3\) does not broadcast"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=npgrad.zeros(2, 3, 3))


@pytest.mark.torch
def test_sdpa_mask_dtype_rules_match_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    q = _randn(2, 3, 4)
    mask = _randn(3, 3)
    for qd, md in ((np.float16, np.float32), (np.float64, np.float32), (np.float32, np.float64)):
        qt, mt = torch.tensor(q.astype(qd)), torch.tensor(mask.astype(md))
        qn, mn = npgrad.tensor(q.astype(qd)), npgrad.tensor(mask.astype(md))
        if md == np.float32 or md == qd:
            theirs = tf.scaled_dot_product_attention(qt, qt, qt, attn_mask=mt)
            ours = F.scaled_dot_product_attention(qn, qn, qn, attn_mask=mn)
            assert str(theirs.dtype) == "torch." + str(ours.dtype)
            assert_close(ours, theirs.numpy(), atol=2e-3 if qd == np.float16 else 1e-6)
        else:
            with pytest.raises(RuntimeError):
                tf.scaled_dot_product_attention(qt, qt, qt, attn_mask=mt)
    qt = torch.tensor(q[0])
    with pytest.raises(RuntimeError):
        tf.scaled_dot_product_attention(qt, qt, qt, attn_mask=torch.zeros(2, 3, 3))


# ---- native_channel_shuffle -------------------------------------------------------------------
def test_native_channel_shuffle_is_channel_shuffle():
    x = _t(np.arange(12.0).reshape(1, 6, 2), grad=True)
    out = F.native_channel_shuffle(x, 3)
    expected = x.detach().numpy().reshape(1, 3, 2, 2).transpose(0, 2, 1, 3).reshape(1, 6, 2)
    assert_close(out, expected)
    assert gradcheck(lambda v: F.native_channel_shuffle(v, 2), (x,))
    assert "native_channel_shuffle" in F.__all__


@pytest.mark.torch
def test_native_channel_shuffle_matches_torch():
    torch = pytest.importorskip("torch")
    x = _randn(2, 6, 3, 2)
    ours = F.native_channel_shuffle(_t(x), 2)
    theirs = torch.nn.functional.native_channel_shuffle(torch.tensor(x), 2)
    assert_close(ours, theirs.numpy())


# ---- conv_tbc ----------------------------------------------------------------------------------
def _conv_tbc_reference(x, w, b, pad):
    t, k = x.shape[0], w.shape[0]
    if pad >= 0:
        xp = np.pad(x, ((pad, pad), (0, 0), (0, 0)))
    else:
        xp = x[-pad : t + pad]
    length = xp.shape[0] - k + 1
    return np.stack([np.einsum("kbc,kco->bo", xp[i : i + k], w) for i in range(length)]) + b


@pytest.mark.parametrize("pad", [0, 1, 2, -1])
def test_conv_tbc_matches_a_numpy_reference(pad):
    x, w, b = _randn(7, 2, 3), _randn(3, 3, 4), _randn(4)
    out = F.conv_tbc(_t(x), _t(w), _t(b), pad)
    assert out.shape == (7 + 2 * pad - 3 + 1, 2, 4)
    assert_close(out, _conv_tbc_reference(x, w, b, pad))
    x32 = F.conv_tbc(*(_t(a.astype(np.float32)) for a in (x, w, b)), pad)
    assert x32.dtype == np.float32


def test_conv_tbc_gradients():
    args = (
        _t(_randn(5, 2, 3), grad=True),
        _t(_randn(2, 3, 4), grad=True),
        _t(_randn(4), grad=True),
    )
    assert gradcheck(lambda x, w, b: F.conv_tbc(x, w, b, 1), args)
    assert gradgradcheck(lambda x, w, b: F.conv_tbc(x, w, b, 1), args)
    assert gradcheck(lambda x, w, b: F.conv_tbc(x, w, b, -1), args)


def test_conv_tbc_edge_shapes():
    w, b = _t(_randn(3, 3, 4), grad=True), _t(_randn(4), grad=True)
    empty = F.conv_tbc(_t(_randn(2, 2, 3)), w, b)  # 2 steps, kernel 3: no output step
    assert empty.shape == (0, 2, 4)
    empty.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.zeros((3, 3, 4)))
    assert F.conv_tbc(_t(_randn(4, 0, 3)), w, b).shape == (2, 0, 4)
    mixed = F.conv_tbc(_t(_randn(4, 1, 3)), w, _t(_randn(4).astype(np.float32)))
    assert mixed.dtype == np.float64


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (((7, 2, 3), (3, 2, 4), (4,)), "Input dim 2 \\(input channels\\) is not == dim 1"),
        (((7, 2, 3), (3, 3, 4), (3,)), "Bias size must equal dim 2 in the weight tensor"),
        (((2, 3), (3, 3, 4), (4,)), "Input must have 3 dims"),
        (((7, 2, 3), (3, 4), (4,)), "Weight tensor must have 3 dims"),
        (((7, 2, 3), (3, 3, 4), (1, 4)), "Bias must be 1-D"),
        (((1, 2, 3), (3, 3, 4), (4,)), "input of 1 steps with pad=0 is shorter than the kernel"),
    ],
)
def test_conv_tbc_shape_errors(args, message):
    x, w, b = (_t(_randn(*shape)) for shape in args)
    with pytest.raises(ShapeError, match=f"conv_tbc: {message}"):
        F.conv_tbc(x, w, b)


def test_conv_tbc_type_errors():
    x, w = _t(_randn(7, 2, 3)), _t(_randn(3, 3, 4))
    with pytest.raises(TypeError, match="conv_tbc: expected bias to be a Tensor, got NoneType"):
        F.conv_tbc(x, w, None)
    with pytest.raises(TypeError, match="conv_tbc: input dtype \\(float32\\) and weight dtype"):
        F.conv_tbc(x.float(), w, _t(_randn(4)))


@pytest.mark.torch
@pytest.mark.parametrize("pad", [0, 2, -1])
def test_conv_tbc_matches_torch(pad):
    torch = pytest.importorskip("torch")
    arrays = (_randn(7, 2, 3), _randn(3, 3, 4), _randn(4))
    ours = [_t(a, grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = F.conv_tbc(*ours, pad)
    ref = torch.nn.functional.conv_tbc(*theirs, pad)
    assert_close(out, ref.detach().numpy())
    c = _randn(*ref.shape)
    (out * _t(c)).sum().backward()
    (ref * torch.tensor(c)).sum().backward()
    for a, b in zip(ours, theirs):
        assert_close(a.grad, b.grad.numpy())


# ---- embedding_bag's old argument order ---------------------------------------------------------
def test_embedding_bag_accepts_the_old_argument_order_with_a_warning():
    w, i, off = _t(_randn(5, 2)), _t([1, 2, 3, 4]), _t([0, 2])
    with pytest.warns(UserWarning, match="Argument order of nn.functional.embedding_bag"):
        old = F.embedding_bag(w, i, off)
    assert_close(old, F.embedding_bag(i, w, off).numpy())


@pytest.mark.torch
def test_embedding_bag_old_argument_order_matches_torch():
    torch = pytest.importorskip("torch")
    w, i = _randn(5, 2), np.array([1, 2, 3, 4])
    with pytest.warns(UserWarning, match="Argument order"):
        theirs = torch.nn.functional.embedding_bag(
            torch.tensor(w), torch.tensor(i), torch.tensor([0, 2])
        )
    with pytest.warns(UserWarning, match="Argument order"):
        ours = F.embedding_bag(_t(w), _t(i), _t([0, 2]))
    assert_close(ours, theirs.numpy())


# ---- lp_pool with an infinite norm_type --------------------------------------------------------
def test_lp_pool_infinite_norm_is_max_or_min_of_the_magnitudes():
    x = _t([[[0.5, -2.0, 0.3, 0.1, 3.0, -0.2]]], grad=True)
    assert_close(F.lp_pool1d(x, float("inf"), 2), np.array([[[2.0, 0.3, 3.0]]]))
    assert_close(F.lp_pool1d(x, float("-inf"), 2), np.array([[[0.5, 0.1, 0.2]]]))
    F.lp_pool1d(x, float("inf"), 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[0, -1, 1, 0, 1, 0]]])
    y = _t(_randn(1, 2, 5, 5))
    expected = F.max_pool2d(y.abs(), 2, ceil_mode=True)
    assert_close(F.lp_pool2d(y, float("inf"), 2, ceil_mode=True), expected.numpy())


@pytest.mark.torch
@pytest.mark.parametrize("p", [float("inf"), float("-inf")])
def test_lp_pool_infinite_norm_matches_torch(p):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    for nd, shape in ((1, (1, 2, 7)), (2, (1, 2, 5, 6)), (3, (1, 1, 4, 5, 4))):
        x = _randn(*shape)
        ours = getattr(F, f"lp_pool{nd}d")(_t(x), p, 2, ceil_mode=True)
        theirs = getattr(tf, f"lp_pool{nd}d")(torch.tensor(x), p, 2, ceil_mode=True)
        assert_close(ours, theirs.numpy())


# ---- max_unpool error types ---------------------------------------------------------------------
def test_max_unpool_errors_are_pytorchs_runtime_errors():
    x, idx = _t(_randn(1, 1, 2, 2)), _t(np.array([[[[0, 3], [9, 115]]]]))
    with pytest.raises(RuntimeError, match="max_unpool2d: found an invalid max index 115") as e:
        F.max_unpool2d(x, idx, 2)
    assert isinstance(e.value, ValueError)
    with pytest.raises(ShapeError, match="max_unpool2d: expected indices of the same shape"):
        F.max_unpool2d(x, idx[..., :1], 2)


# ---- interpolate: a size must be integers --------------------------------------------------------
@pytest.mark.parametrize("size", [3.0, 3.5, (3.0,), np.float32(3), True])
def test_interpolate_refuses_a_non_integer_size(size):
    with pytest.raises(TypeError, match="interpolate: expected size to be one of int"):
        F.interpolate(_t(_randn(1, 1, 4)), size=size)


def test_interpolate_accepts_integer_sizes_of_any_integer_type():
    x = _t(_randn(1, 1, 4))
    for size in (3, np.int64(3), npgrad.tensor(3), [3], (np.int32(3),)):
        assert F.interpolate(x, size=size).shape == (1, 1, 3)


@pytest.mark.torch
def test_interpolate_non_integer_size_is_a_type_error_in_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        torch.nn.functional.interpolate(torch.zeros(1, 1, 4), size=3.5)


# ---- deprecated upsample aliases warn ---------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [("upsample", {}), ("upsample_nearest", {}), ("upsample_bilinear", {})],
)
def test_upsample_aliases_warn_that_they_are_deprecated(name, kwargs):
    x = _t(_randn(1, 1, 2, 3))
    with pytest.warns(UserWarning, match=f"`nn.functional.{name}` is deprecated"):
        out = getattr(F, name)(x, scale_factor=2, **kwargs)
    mode = "bilinear" if name == "upsample_bilinear" else "nearest"
    ac = True if name == "upsample_bilinear" else None
    assert_close(out, F.interpolate(x, scale_factor=2, mode=mode, align_corners=ac))


@pytest.mark.parametrize("factor", [2.0, True, "2"])
def test_pixel_shuffle_factor_of_another_type_is_a_type_error(factor):
    with pytest.raises(TypeError, match="pixel_shuffle: upscale_factor must be an int, got"):
        F.pixel_shuffle(_t(_randn(1, 4, 2, 2)), factor)
    with pytest.raises(TypeError, match="pixel_unshuffle: downscale_factor must be an int, got"):
        F.pixel_unshuffle(_t(_randn(1, 1, 4, 4)), factor)


# ---- error types: PyTorch's RuntimeError (or AssertionError) as well as npgrad's ValueError ---
_VALUE_ERRORS = {
    "smooth_l1_loss beta": (
        lambda: F.smooth_l1_loss(_t([1.0]), _t([1.0]), beta=-1.0),
        "smooth_l1_loss does not support negative values for beta",
    ),
    "huber_loss delta": (
        lambda: F.huber_loss(_t([1.0]), _t([1.0]), delta=0.0),
        "huber_loss does not support non-positive values for delta",
    ),
    "softshrink lambd": (lambda: F.softshrink(_t([1.0]), -0.5), "softshrink: lambda must be"),
    "rrelu bounds": (lambda: F.rrelu(_t([1.0]), 0.5, 0.1), "rrelu: Lower bound should be"),
    "one_hot negative": (lambda: F.one_hot(_t([0, -2])), "one_hot: Class values must be non-neg"),
    "one_hot too large": (
        lambda: F.one_hot(_t([0, 7]), 3),
        r"one_hot: Class values must be smaller than num_classes \(3\), got 7",
    ),
    "one_hot empty": (
        lambda: F.one_hot(npgrad.zeros(0, dtype=npgrad.int64)),
        "one_hot: Can not infer total number of classes from empty tensor",
    ),
    "one_hot num_classes": (lambda: F.one_hot(_t([0]), -2), "one_hot: num_classes must be -1"),
    "batch_norm eval without stats": (
        lambda: F.batch_norm(_t(_randn(4, 3)), None, None, training=False),
        "batch_norm: running_mean and running_var must be given",
    ),
    "instance_norm without stats": (
        lambda: F.instance_norm(_t(_randn(2, 3, 4)), use_input_stats=False),
        "instance_norm: running_mean and running_var must be given",
    ),
    "pixel_shuffle factor": (
        lambda: F.pixel_shuffle(_t(_randn(1, 4, 2, 2)), 0),
        "pixel_shuffle: upscale_factor must be a positive integer, got 0",
    ),
    "pixel_unshuffle factor": (
        lambda: F.pixel_unshuffle(_t(_randn(1, 4, 2, 2)), 0),
        "pixel_unshuffle: downscale_factor must be a positive integer, got 0",
    ),
    "channel_shuffle groups": (
        lambda: F.channel_shuffle(_t(_randn(1, 4, 2)), 0),
        "channel_shuffle: Number of groups to divide channels in must be positive",
    ),
    "pdist p": (lambda: F.pdist(_t(_randn(3, 2)), -1.0), "pdist only supports non-negative p"),
    "sdpa mask and causal": (
        lambda: F.scaled_dot_product_attention(
            _t(_randn(1, 2, 3)),
            _t(_randn(1, 2, 3)),
            _t(_randn(1, 2, 3)),
            attn_mask=npgrad.ones(2, 2, dtype=npgrad.bool),
            is_causal=True,
        ),
        "Explicit attn_mask should not be set when is_causal=True",
    ),
    "grid_sample bicubic 3-D": (
        lambda: F.grid_sample(_t(_randn(1, 1, 2, 2, 2)), _t(_randn(1, 1, 1, 1, 3)), mode="bicubic"),
        "grid_sample: bicubic interpolation only supports 4D input",
    ),
    "embedding_bag offsets": (
        lambda: F.embedding_bag(_t([1, 2, 3]), _t(_randn(5, 2)), _t([1])),
        "embedding_bag: offsets must start at 0",
    ),
    "embedding_bag padding_idx": (
        lambda: F.embedding_bag(_t([1, 2]), _t(_randn(5, 2)), _t([0]), padding_idx=7),
        r"embedding_bag: padding_idx must be within num_embeddings \(5\), got 7",
    ),
    "conv same stride": (
        lambda: F.conv1d(_t(_randn(1, 1, 5)), _t(_randn(1, 1, 2)), stride=2, padding="same"),
        "conv1d: padding='same' is not supported for strided convolutions",
    ),
    "conv padding string": (
        lambda: F.conv2d(_t(_randn(1, 1, 3, 3)), _t(_randn(1, 1, 2, 2)), padding="full"),
        "conv2d: invalid padding string 'full'",
    ),
    "conv_transpose output_padding": (
        lambda: F.conv_transpose1d(_t(_randn(1, 1, 3)), _t(_randn(1, 1, 2)), output_padding=1),
        "conv_transpose1d: output_padding must be smaller than either stride or dilation",
    ),
    "pool padding": (
        lambda: F.max_pool2d(_t(_randn(1, 1, 4, 4)), 2, padding=2),
        "max_pool2d: pad should be at most half of kernel size",
    ),
    "conv groups": (
        lambda: F.conv2d(_t(_randn(1, 2, 4, 4)), _t(_randn(2, 2, 2, 2)), groups=0),
        "conv2d: groups must be a positive integer, got 0",
    ),
    "avg_pool divisor_override": (
        lambda: F.avg_pool2d(_t(_randn(1, 1, 4, 4)), 2, divisor_override=0),
        "avg_pool2d: divisor_override must be non-zero",
    ),
    "adaptive output_size length": (
        lambda: F.adaptive_avg_pool2d(_t(_randn(1, 1, 4, 4)), (2, 2, 2)),
        "adaptive_avg_pool2d: output_size must have 2 elements",
    ),
}


@pytest.mark.parametrize("case", sorted(_VALUE_ERRORS))
def test_value_errors_are_also_pytorchs_runtime_error(case):
    call, message = _VALUE_ERRORS[case]
    with pytest.raises(RuntimeError, match=message) as info:
        call()
    assert isinstance(info.value, ValueError)


def test_mha_is_causal_without_a_mask_is_also_a_runtime_error():
    e = 4
    q = _t(_randn(3, 1, e))
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        F.multi_head_attention_forward(
            q, q, q, e, 2, _t(_randn(3 * e, e)), None, None, None, False, 0.0,
            _t(_randn(e, e)), None, is_causal=True,
        )  # fmt: skip


_E = 6


def _mha(q, k, v, heads=2, ipw=True, bias_k=None, **kw):
    rng = np.random.default_rng(0)
    w = _t(rng.standard_normal((3 * _E, _E))) if ipw else None
    out_w = _t(rng.standard_normal((_E, _E)))
    return F.multi_head_attention_forward(
        q, k, v, _E, heads, w, None, bias_k, None, False, 0.0, out_w, None, **kw
    )


_Q, _K = _t(_randn(3, 2, _E)), _t(_randn(4, 2, _E))
_MHA_ASSERTIONS = {
    "4-D query": (lambda: _mha(_t(_randn(1, 3, 2, _E)), _K, _K), ShapeError, "query should be"),
    "2-D key": (lambda: _mha(_Q, _t(_randn(4, _E)), _t(_randn(4, _E))), ShapeError, "key` and"),
    "3-D key_padding_mask": (
        lambda: _mha(_Q, _K, _K, key_padding_mask=npgrad.zeros(2, 4, 1, dtype=npgrad.bool)),
        ShapeError,
        "expected `key_padding_mask` to be `None` or 2-D",
    ),
    "embed_dim": (
        lambda: _mha(_t(_randn(3, 2, 5)), _K, _K),
        ShapeError,
        "was expecting embedding dimension of 6, but got 5",
    ),
    "num_heads": (lambda: _mha(_Q, _K, _K, heads=4), ShapeError, "embed_dim 6 not divisible by"),
    "key/value shapes": (
        lambda: _mha(_Q, _K, _t(_randn(5, 2, _E))),
        ShapeError,
        "does not match value shape",
    ),
    "key_padding_mask shape": (
        lambda: _mha(_Q, _K, _K, key_padding_mask=npgrad.zeros(2, 5, dtype=npgrad.bool)),
        ShapeError,
        "key_padding_mask",
    ),
    "in_proj_weight None": (
        lambda: _mha(_Q, _K, _K, ipw=False),
        ValueError,
        "in_proj_weight is None",
    ),
    "bias_k alone": (
        lambda: _mha(_Q, _K, _K, bias_k=_t(_randn(1, 1, _E))),
        ValueError,
        "bias_k and bias_v must both be given",
    ),
    "integer attn_mask": (
        lambda: _mha(_Q, _K, _K, attn_mask=npgrad.zeros(3, 4, dtype=npgrad.int64)),
        TypeError,
        "only bool and floating types of attn_mask are supported",
    ),
    "separate key weight shape": (
        lambda: _mha(
            _Q,
            _K,
            _K,
            ipw=False,
            use_separate_proj_weight=True,
            q_proj_weight=_t(_randn(_E, _E)),
            k_proj_weight=_t(_randn(_E + 1, _E)),
            v_proj_weight=_t(_randn(_E, _E)),
        ),
        ShapeError,
        r"expecting key weights shape of \(6, 6\), but got \(7, 6\)",
    ),
}


@pytest.mark.parametrize("case", sorted(_MHA_ASSERTIONS))
def test_mha_errors_pytorch_asserts_are_also_assertion_errors(case):
    call, npgrad_type, message = _MHA_ASSERTIONS[case]
    with pytest.raises(AssertionError, match=message) as info:
        call()
    assert isinstance(info.value, npgrad_type)


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(_MHA_ASSERTIONS))
def test_mha_error_cases_are_assertion_errors_in_torch(case):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    r = torch.randn
    q, k = r(3, 2, _E), r(4, 2, _E)

    def mha(q, k, v, heads=2, ipw=True, bias_k=None, **kw):
        w = r(3 * _E, _E) if ipw else None
        return tf.multi_head_attention_forward(
            q, k, v, _E, heads, w, None, bias_k, None, False, 0.0, r(_E, _E), None, **kw
        )

    calls = {
        "4-D query": lambda: mha(r(1, 3, 2, _E), k, k),
        "2-D key": lambda: mha(q, r(4, _E), r(4, _E)),
        "3-D key_padding_mask": lambda: mha(
            q, k, k, key_padding_mask=torch.zeros(2, 4, 1, dtype=bool)
        ),
        "embed_dim": lambda: mha(r(3, 2, 5), k, k),
        "num_heads": lambda: mha(q, k, k, heads=4),
        "key/value shapes": lambda: mha(q, k, r(5, 2, _E)),
        "key_padding_mask shape": lambda: mha(
            q, k, k, key_padding_mask=torch.zeros(2, 5, dtype=bool)
        ),
        "in_proj_weight None": lambda: mha(q, k, k, ipw=False),
        "bias_k alone": lambda: mha(q, k, k, bias_k=r(1, 1, _E)),
        "integer attn_mask": lambda: mha(q, k, k, attn_mask=torch.zeros(3, 4, dtype=torch.int64)),
        "separate key weight shape": lambda: mha(
            q,
            k,
            k,
            ipw=False,
            use_separate_proj_weight=True,
            q_proj_weight=r(_E, _E),
            k_proj_weight=r(_E + 1, _E),
            v_proj_weight=r(_E, _E),
        ),
    }
    with pytest.raises(AssertionError):
        calls[case]()


def test_embedding_padding_idx_out_of_range_is_also_an_assertion_error():
    with pytest.raises(AssertionError, match=r"Padding_idx must be within num_embeddings \(6\)"):
        F.embedding(_t([0]), _t(_randn(6, 2)), padding_idx=-7)
    with pytest.raises(ValueError, match=r"Padding_idx must be within num_embeddings \(6\), got 6"):
        F.embedding(_t([0]), _t(_randn(6, 2)), padding_idx=6)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: F.conv1d(_t(_randn(1, 4, 5)), _t(_randn(3, 3, 2))),
            r"conv1d: expected input with 3 channels",
        ),
        (
            lambda: F.conv2d(_t(_randn(1, 1, 4, 4)), _t(_randn(3, 1, 2))),
            r"conv2d: expected a 4-D weight, got weight of shape \(3, 1, 2\)",
        ),
        (
            lambda: F.conv1d(_t(_randn(1, 2, 5)), _t(_randn(3, 1, 2)), groups=2),
            "has dimension 0 not divisible by groups=2",
        ),
        (
            lambda: F.conv1d(_t(_randn(1, 1, 5)), _t(_randn(3, 1, 2)), _t(_randn(2))),
            r"conv1d: expected bias of shape \(3,\), got shape \(2,\)",
        ),
        (
            lambda: F.pixel_shuffle(_t(_randn(8, 3)), 2),
            r"pixel_shuffle: expected an input of at least 3 dimensions",
        ),
        (
            lambda: F.fold(_t(_randn(1, 1, 4, 4)), (3, 3), 2),
            r"fold: expected a floating 2-D .* got shape \(1, 1, 4, 4\)",
        ),
    ],
)
def test_shape_errors_are_shape_errors(call, message):
    with pytest.raises(ShapeError, match=message):
        call()


def test_fold_of_an_integer_input_is_a_type_error():
    with pytest.raises(TypeError, match="fold: expected a floating 2-D .* and dtype int64"):
        F.fold(npgrad.ones(1, 4, 4, dtype=npgrad.int64), (3, 3), 2)


def test_conv_transpose_padding_string_is_a_type_error_as_in_pytorch():
    with pytest.raises(TypeError, match="conv_transpose2d: padding must be an int or a tuple"):
        F.conv_transpose2d(_t(_randn(1, 2, 4, 4)), _t(_randn(2, 2, 2, 2)), padding="same")


@pytest.mark.torch
def test_conv_transpose_padding_string_is_a_type_error_in_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        torch.nn.functional.conv_transpose2d(
            torch.zeros(1, 2, 4, 4), torch.zeros(2, 2, 2, 2), padding="same"
        )


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(_VALUE_ERRORS))
def test_value_error_cases_raise_runtime_error_in_torch_too(case):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    z = torch.zeros
    torch_calls = {
        "smooth_l1_loss beta": lambda: tf.smooth_l1_loss(z(1), z(1), beta=-1.0),
        "huber_loss delta": lambda: tf.huber_loss(z(1), z(1), delta=0.0),
        "softshrink lambd": lambda: tf.softshrink(z(1), -0.5),
        "rrelu bounds": lambda: tf.rrelu(z(1), 0.5, 0.1),
        "one_hot negative": lambda: tf.one_hot(torch.tensor([0, -2])),
        "one_hot too large": lambda: tf.one_hot(torch.tensor([0, 7]), 3),
        "one_hot empty": lambda: tf.one_hot(torch.zeros(0, dtype=torch.int64)),
        "one_hot num_classes": lambda: tf.one_hot(torch.tensor([0]), -2),
        "batch_norm eval without stats": lambda: tf.batch_norm(z(4, 3), None, None),
        "instance_norm without stats": lambda: tf.instance_norm(z(2, 3, 4), use_input_stats=False),
        "pixel_shuffle factor": lambda: tf.pixel_shuffle(z(1, 4, 2, 2), 0),
        "pixel_unshuffle factor": lambda: tf.pixel_unshuffle(z(1, 4, 2, 2), 0),
        "channel_shuffle groups": lambda: tf.channel_shuffle(z(1, 4, 2), 0),
        "pdist p": lambda: tf.pdist(z(3, 2), -1.0),
        "sdpa mask and causal": lambda: tf.scaled_dot_product_attention(
            z(1, 2, 3),
            z(1, 2, 3),
            z(1, 2, 3),
            attn_mask=torch.ones(2, 2, dtype=bool),
            is_causal=True,
        ),
        "grid_sample bicubic 3-D": lambda: tf.grid_sample(
            z(1, 1, 2, 2, 2), z(1, 1, 1, 1, 3), mode="bicubic", align_corners=False
        ),
        "embedding_bag offsets": lambda: tf.embedding_bag(
            torch.tensor([1, 2, 3]), z(5, 2), torch.tensor([1])
        ),
        "embedding_bag padding_idx": lambda: tf.embedding_bag(
            torch.tensor([1, 2]), z(5, 2), torch.tensor([0]), padding_idx=7
        ),
        "conv same stride": lambda: tf.conv1d(z(1, 1, 5), z(1, 1, 2), stride=2, padding="same"),
        "conv padding string": lambda: tf.conv2d(z(1, 1, 3, 3), z(1, 1, 2, 2), padding="full"),
        "conv_transpose output_padding": lambda: tf.conv_transpose1d(
            z(1, 1, 3), z(1, 1, 2), output_padding=1
        ),
        "pool padding": lambda: tf.max_pool2d(z(1, 1, 4, 4), 2, padding=2),
        "conv groups": lambda: tf.conv2d(z(1, 2, 4, 4), z(2, 2, 2, 2), groups=0),
        "avg_pool divisor_override": lambda: tf.avg_pool2d(z(1, 1, 4, 4), 2, divisor_override=0),
        "adaptive output_size length": lambda: tf.adaptive_avg_pool2d(z(1, 1, 4, 4), (2, 2, 2)),
    }
    with pytest.raises(RuntimeError):
        torch_calls[case]()
