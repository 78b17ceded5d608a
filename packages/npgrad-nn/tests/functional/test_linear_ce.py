"""``F.linear_cross_entropy``, ``LinearCrossEntropyOptions`` (the chunked form) and
``nn.LinearCrossEntropyLoss``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn import LinearCrossEntropyOptions as Options
from npgrad.nn import functional as F

N, IN, C = 23, 6, 40


def _data(dtype=np.float64, seed=0, ignore=True):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, IN)).astype(dtype)
    w = (rng.standard_normal((C, IN)) * 0.4).astype(dtype)
    b = (rng.standard_normal(C) * 0.1).astype(dtype)
    y = rng.integers(0, C, N)
    if ignore:
        y[[2, 9]] = -100
    return x, w, b, y, (rng.random(C) + 0.5).astype(dtype)


def _run(x, w, b, y, cw, **kw):
    ts = [npgrad.tensor(a, requires_grad=True) for a in (x, w, b)]
    weight = None if cw is None else npgrad.tensor(cw)
    loss = F.linear_cross_entropy(
        ts[0], ts[1], npgrad.tensor(y), linear_bias=ts[2], weight=weight, **kw
    )
    g = np.linspace(0.5, 1.5, loss.numel()).reshape(loss.shape) if loss.ndim else np.array(1.7)
    loss.backward(npgrad.tensor(g.astype(loss.dtype)))
    return [loss.detach().numpy()] + [t.grad.numpy() for t in ts]


def test_the_plain_form_is_linear_then_cross_entropy():
    x, w, b, y, cw = _data()
    got = F.linear_cross_entropy(
        npgrad.tensor(x),
        npgrad.tensor(w),
        npgrad.tensor(y),
        linear_bias=npgrad.tensor(b),
        weight=npgrad.tensor(cw),
        label_smoothing=0.1,
    )
    want = F.cross_entropy(
        F.linear(npgrad.tensor(x), npgrad.tensor(w), npgrad.tensor(b)),
        npgrad.tensor(y),
        weight=npgrad.tensor(cw),
        label_smoothing=0.1,
    )
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)


def test_k_dimensional_weights_and_probability_targets():
    rng = np.random.default_rng(1)
    x = npgrad.tensor(rng.standard_normal((4, 3)))
    w = npgrad.tensor(rng.standard_normal((5, 2, 3)))  # C = 5, out_features = (2,)
    y = npgrad.tensor(rng.integers(0, 5, (4, 2)))
    logits = (x @ w.reshape(10, 3).T).reshape(4, 5, 2)
    np.testing.assert_allclose(
        F.linear_cross_entropy(x, w, y).numpy(), F.cross_entropy(logits, y).numpy(), rtol=1e-12
    )
    probs = npgrad.softmax(npgrad.tensor(rng.standard_normal((4, 5, 2))), 1)
    np.testing.assert_allclose(
        F.linear_cross_entropy(x, w, probs).numpy(),
        F.cross_entropy(logits, probs).numpy(),
        rtol=1e-12,
    )
    with pytest.raises(ValueError, match="ignore_index cannot be specified"):
        F.linear_cross_entropy(x, w, probs, ignore_index=3)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("chunk", [1, 5, N, None])
@pytest.mark.parametrize("class_weights", [False, True])
def test_the_chunked_form_equals_the_plain_form(reduction, chunk, class_weights):
    x, w, b, y, cw = _data()
    cw = cw if class_weights else None
    plain = _run(x, w, b, y, cw, reduction=reduction)
    opts = Options() if chunk is None else Options(batch_chunk_size=chunk)
    chunked = _run(x, w, b, y, cw, reduction=reduction, options=opts)
    for a, c in zip(plain, chunked):
        np.testing.assert_allclose(c, a, rtol=1e-10, atol=1e-13)


def test_chunked_float32_unbatched_and_everything_ignored():
    x, w, b, y, _ = _data(np.float32)
    plain = _run(x, w, b, y, None)
    chunked = _run(x, w, b, y, None, options=Options(batch_chunk_size=4))
    assert chunked[0].dtype == np.float32 and chunked[2].dtype == np.float32
    for a, c in zip(plain, chunked):
        np.testing.assert_allclose(c, a, rtol=2e-5, atol=1e-6)
    one = F.linear_cross_entropy(
        npgrad.tensor(x[0]), npgrad.tensor(w), npgrad.tensor(3), options=Options()
    )
    ref = F.linear_cross_entropy(npgrad.tensor(x[0]), npgrad.tensor(w), npgrad.tensor(3))
    assert one.shape == () and one.item() == pytest.approx(ref.item(), rel=1e-5)
    xt = npgrad.tensor(x, requires_grad=True)
    lost = F.linear_cross_entropy(
        xt, npgrad.tensor(w), npgrad.full((N,), -100), options=Options(batch_chunk_size=8)
    )
    assert np.isnan(lost.item())  # 0 / 0, as cross_entropy
    lost.backward()
    np.testing.assert_array_equal(xt.grad.numpy(), 0.0)  # ignored rows get no gradient


def test_the_chunked_form_is_first_order():
    x, w, b, y, _ = _data(ignore=False)
    xt = npgrad.tensor(x, requires_grad=True)
    wt = npgrad.tensor(w, requires_grad=True)
    assert gradcheck(
        lambda a, v: F.linear_cross_entropy(
            a, v, npgrad.tensor(y), options=Options(batch_chunk_size=7)
        ),
        (xt, wt),
    )
    assert gradgradcheck(lambda a, v: F.linear_cross_entropy(a, v, npgrad.tensor(y)), (xt, wt))
    (g,) = npgrad.autograd.grad(
        F.linear_cross_entropy(xt, wt, npgrad.tensor(y), options=Options()), xt, create_graph=True
    )
    with pytest.raises(RuntimeError, match="differentiate twice"):
        g.sum().backward()


def test_options_are_validated_and_choose_the_chunk_size():
    with pytest.raises(ValueError, match="invalid acc_policy"):
        Options(acc_policy="fast")
    with pytest.raises(ValueError, match="invalid chunking_method"):
        Options(chunking_method="rows:4")
    with pytest.raises(ValueError, match="batch_chunk_size must be positive"):
        Options(batch_chunk_size=0)
    with pytest.raises(ValueError, match="acc_dtype must be None or a floating dtype"):
        Options(acc_dtype=npgrad.int64)
    f32 = np.dtype(np.float32)
    assert Options(batch_chunk_size=64)._chunk_size(1000, 16, 100, f32) == 64
    # aspect ratio: ceil(C / in) = 7 rows of logits per input row -> 1000 / 7 -> 143 -> 256
    assert Options(chunking_method="aspect_ratio")._chunk_size(1000, 16, 100, f32) == 256
    assert Options()._chunk_size(1000, 16, 100, f32) == 128  # 'auto': aspect_ratio:2
    assert Options()._chunk_size(10, 16, 100, f32) == 1
    with pytest.raises(ValueError, match="give different chunk sizes"):
        Options(batch_chunk_size=3, chunking_method="aspect_ratio")._chunk_size(1000, 16, 100, f32)


def test_unsupported_options_warn_and_take_the_plain_form():
    x, w, b, y, _ = _data()
    with pytest.warns(UserWarning, match="``options`` ignored"):
        got = F.linear_cross_entropy(
            npgrad.tensor(x),
            npgrad.tensor(w),
            npgrad.tensor(y),
            label_smoothing=0.1,
            options=Options(),
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        want = F.linear_cross_entropy(
            npgrad.tensor(x), npgrad.tensor(w), npgrad.tensor(y), label_smoothing=0.1
        )
    np.testing.assert_allclose(got.numpy(), want.numpy())


def test_bad_input():
    x, w = npgrad.ones(3, 4), npgrad.ones(5, 4)
    y = npgrad.tensor([0, 1, 2])
    with pytest.raises(ValueError, match="expected input with dimensionality 1 or 2, got 3"):
        F.linear_cross_entropy(npgrad.ones(2, 3, 4), w, y)
    with pytest.raises(ValueError, match="linear_weight with dimensionality at least 2"):
        F.linear_cross_entropy(x, npgrad.ones(4), y)
    with pytest.raises(ValueError, match="got 4 and 3, respectively"):
        F.linear_cross_entropy(x, npgrad.ones(5, 3), y)
    with pytest.raises(ValueError, match=r"expected linear_bias shape \(5,\), got \(4,\)"):
        F.linear_cross_entropy(x, w, y, linear_bias=npgrad.ones(4))
    with pytest.raises(ValueError, match="requires batched input"):
        F.linear_cross_entropy(npgrad.ones(4), npgrad.ones(5, 2, 4), npgrad.tensor(0))
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        F.linear_cross_entropy(x, w, npgrad.tensor([0, 7, 1]), options=Options())
    with pytest.raises(TypeError, match="options must be a LinearCrossEntropyOptions"):
        F.linear_cross_entropy(x, w, y, options={"batch_chunk_size": 2})


def test_the_module():
    _ = npgrad.manual_seed(0)
    m = nn.LinearCrossEntropyLoss(4, 3, out_features=(2,), bias=True, weight=npgrad.ones(3))
    assert list(m.state_dict()) == ["weight", "linear.weight", "linear.bias"]
    assert m.linear.weight.shape == (6, 4) and m.linear.bias.shape == (6,)
    x, y = npgrad.randn(5, 4), npgrad.randint(0, 3, (5, 2))
    want = F.cross_entropy((m.linear(x)).reshape(5, 3, 2), y)
    np.testing.assert_allclose(m(x, y).detach().numpy(), want.detach().numpy(), rtol=1e-6)
    assert "num_classes=3, out_features=(2,), bias=True" in repr(m)
    with pytest.raises(ValueError, match=r"expected weight shape to be \(3,\)"):
        nn.LinearCrossEntropyLoss(4, 3, weight=npgrad.ones(4))
    with pytest.raises(ValueError, match="label_smoothing to be in range"):
        nn.LinearCrossEntropyLoss(4, 3, label_smoothing=1.5)
    chunked = nn.LinearCrossEntropyLoss(4, 3, options=Options(batch_chunk_size=2))
    chunked.load_state_dict({"linear.weight": m.linear.weight.detach()[:3]})
    yy = npgrad.tensor([0, 2, 1, 1, 0])
    ref = F.cross_entropy(F.linear(x, m.linear.weight.detach()[:3]), yy)
    np.testing.assert_allclose(chunked(x, yy).detach().numpy(), ref.numpy(), rtol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("options", [None, {"batch_chunk_size": 5}, {}])
def test_matches_pytorch(reduction, options):
    torch = pytest.importorskip("torch")
    x, w, b, y, cw = _data()
    ours = _run(
        x, w, b, y, cw, reduction=reduction, options=None if options is None else Options(**options)
    )
    ts = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    loss = torch.nn.functional.linear_cross_entropy(
        ts[0],
        ts[1],
        torch.tensor(y),
        linear_bias=ts[2],
        weight=torch.tensor(cw),
        reduction=reduction,
        options=None if options is None else torch.nn.LinearCrossEntropyOptions(**options),
    )
    g = np.linspace(0.5, 1.5, loss.numel()).reshape(loss.shape) if loss.ndim else np.array(1.7)
    loss.backward(torch.tensor(g))
    theirs = [loss.detach().numpy()] + [t.grad.numpy() for t in ts]
    for a, c in zip(ours, theirs):
        np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-13)


@pytest.mark.torch
def test_chunk_sizes_and_the_module_match_pytorch():
    torch = pytest.importorskip("torch")
    for kw in ({}, {"chunking_method": "aspect_ratio"}, {"chunking_method": "aspect_ratio:4"}):
        for n, i, c in ((1000, 16, 100), (37, 8, 50), (5, 64, 10)):
            theirs = torch.nn.LinearCrossEntropyOptions(**kw)._adjust(n, i, c, torch.float32)
            assert (
                Options(**kw)._chunk_size(n, i, c, np.dtype(np.float32)) == theirs.batch_chunk_size
            )
    tm = torch.nn.LinearCrossEntropyLoss(4, 3, out_features=(2,), bias=True)
    m = nn.LinearCrossEntropyLoss(4, 3, out_features=(2,), bias=True)
    m.load_state_dict({k: npgrad.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    x = np.random.default_rng(2).standard_normal((5, 4)).astype(np.float32)
    y = np.random.default_rng(3).integers(0, 3, (5, 2))
    np.testing.assert_allclose(
        m(npgrad.tensor(x), npgrad.tensor(y)).detach().numpy(),
        tm(torch.tensor(x), torch.tensor(y)).detach().numpy(),
        rtol=1e-5,
    )
