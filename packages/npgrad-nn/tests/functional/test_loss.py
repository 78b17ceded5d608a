"""nn.functional losses: values vs NumPy formulas, reductions (and the legacy size_average /
reduce), weighted means with ignore_index, stability, gradcheck / gradgradcheck, errors, and
PyTorch parity."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
import npgrad.nn.functional as F
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

RNG = np.random.default_rng(7)


def t(a, requires_grad=False):
    return npgrad.tensor(np.asarray(a), requires_grad=requires_grad)


def randn(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


def log_softmax(x, axis=1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def reduce_(v, reduction):
    return {"none": v, "mean": v.mean(), "sum": v.sum()}[reduction]


X, Y = randn(4, 5), randn(4, 5)
P = RNG.uniform(0.05, 0.95, (4, 5))
T01 = RNG.uniform(0, 1, (4, 5))
SIGN = np.sign(randn(4, 5))
SIGN4 = np.sign(randn(4))

# name -> (our call, NumPy reference), each taking the reduction
POINTWISE = {
    "l1": (lambda r: F.l1_loss(t(X), t(Y), reduction=r), lambda r: reduce_(np.abs(X - Y), r)),
    "mse": (lambda r: F.mse_loss(t(X), t(Y), reduction=r), lambda r: reduce_((X - Y) ** 2, r)),
    "smooth_l1": (
        lambda r: F.smooth_l1_loss(t(X), t(Y), reduction=r, beta=0.8),
        lambda r: reduce_(
            np.where(np.abs(X - Y) < 0.8, 0.5 * (X - Y) ** 2 / 0.8, np.abs(X - Y) - 0.4), r
        ),
    ),
    "huber": (
        lambda r: F.huber_loss(t(X), t(Y), reduction=r, delta=0.8),
        lambda r: reduce_(
            np.where(np.abs(X - Y) < 0.8, 0.5 * (X - Y) ** 2, 0.8 * (np.abs(X - Y) - 0.4)), r
        ),
    ),
    "bce": (
        lambda r: F.binary_cross_entropy(t(P), t(T01), reduction=r),
        lambda r: reduce_(-(T01 * np.log(P) + (1 - T01) * np.log(1 - P)), r),
    ),
    "bce_logits": (
        lambda r: F.binary_cross_entropy_with_logits(
            t(X), t(T01), reduction=r, pos_weight=t(np.arange(1.0, 6.0))
        ),
        lambda r: reduce_(
            -(
                np.arange(1.0, 6.0) * T01 * np.log(1 / (1 + np.exp(-X)))
                + (1 - T01) * np.log(1 - 1 / (1 + np.exp(-X)))
            ),
            r,
        ),
    ),
    "kl_div": (
        lambda r: F.kl_div(t(np.log(P)), t(T01), reduction=r),
        lambda r: reduce_(T01 * (np.log(T01) - np.log(P)), r),
    ),
    "kl_div_log_target": (
        lambda r: F.kl_div(t(np.log(P)), t(np.log(T01)), reduction=r, log_target=True),
        lambda r: reduce_(T01 * (np.log(T01) - np.log(P)), r),
    ),
    "poisson": (
        lambda r: F.poisson_nll_loss(t(X), t(np.abs(Y) * 3), reduction=r),
        lambda r: reduce_(np.exp(X) - np.abs(Y) * 3 * X, r),
    ),
    "gaussian": (
        lambda r: F.gaussian_nll_loss(t(X), t(Y), t(P), reduction=r, full=True),
        lambda r: reduce_(0.5 * (np.log(P) + (X - Y) ** 2 / P) + 0.5 * math.log(2 * math.pi), r),
    ),
    "hinge": (
        lambda r: F.hinge_embedding_loss(t(X), t(SIGN), margin=0.5, reduction=r),
        lambda r: reduce_(np.where(SIGN == 1, X, np.maximum(0, 0.5 - X)), r),
    ),
    "soft_margin": (
        lambda r: F.soft_margin_loss(t(X), t(SIGN), reduction=r),
        lambda r: reduce_(np.log1p(np.exp(-X * SIGN)), r),
    ),
    "margin_ranking": (
        lambda r: F.margin_ranking_loss(t(X[:, 0]), t(Y[:, 0]), t(SIGN4), margin=0.3, reduction=r),
        lambda r: reduce_(np.maximum(0, -SIGN4 * (X[:, 0] - Y[:, 0]) + 0.3), r),
    ),
    "cosine_embedding": (
        lambda r: F.cosine_embedding_loss(t(X), t(Y), t(SIGN4), margin=0.1, reduction=r),
        lambda r: reduce_(
            np.where(
                SIGN4 == 1,
                1 - (X * Y).sum(1) / np.sqrt((X * X).sum(1) * (Y * Y).sum(1)),
                np.maximum(0, (X * Y).sum(1) / np.sqrt((X * X).sum(1) * (Y * Y).sum(1)) - 0.1),
            ),
            r,
        ),
    ),
    "triplet": (
        lambda r: F.triplet_margin_loss(t(X), t(Y), t(P), margin=2.0, eps=0.0, reduction=r),
        lambda r: reduce_(
            np.maximum(0, np.linalg.norm(X - Y, axis=1) - np.linalg.norm(X - P, axis=1) + 2.0), r
        ),
    ),
    "multilabel_soft_margin": (
        lambda r: F.multilabel_soft_margin_loss(t(X), t((Y > 0) * 1.0), reduction=r),
        lambda r: reduce_(
            -((Y > 0) * np.log(1 / (1 + np.exp(-X))) + (Y <= 0) * np.log(1 / (1 + np.exp(X)))).mean(
                1
            ),
            r,
        ),
    ),
}


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss")
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("name", sorted(POINTWISE))
def test_values_match_numpy_formulas(name, reduction):
    ours, ref = POINTWISE[name]
    out = ours(reduction)
    expected = np.asarray(ref(reduction))
    assert out.shape == expected.shape
    assert_close(out, expected, rtol=1e-10, atol=1e-12)


def test_kl_div_batchmean_mean_warning_and_zero_targets():
    target = np.where(T01 > 0.5, T01, 0.0)
    out = F.kl_div(t(np.log(P)), t(target), reduction="batchmean")
    expected = (
        np.where(
            target > 0, target * (np.log(np.where(target > 0, target, 1)) - np.log(P)), 0
        ).sum()
        / 4
    )
    assert_close(out, expected)
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(t(np.log(P)), t(target))


def test_weighted_pointwise_losses_like_torch():
    w = np.abs(randn(4, 5))
    assert_close(F.mse_loss(t(X), t(Y), weight=t(w)), ((X - Y) ** 2 * w).sum() / w.sum())
    assert_close(F.l1_loss(t(X), t(Y), weight=t(w), reduction="sum"), (np.abs(X - Y) * w).sum())
    huber = np.where(np.abs(X - Y) < 1, 0.5 * (X - Y) ** 2, np.abs(X - Y) - 0.5)
    assert_close(F.huber_loss(t(X), t(Y), weight=t(w)), (huber * w).mean())  # not / sum(w)
    with pytest.raises(ValueError, match="weights and input must have the same size"):
        F.mse_loss(t(X), t(Y), weight=t(w[0]))


def test_multi_margin_loss_matches_numpy():
    target = RNG.integers(0, 5, 4)
    w = np.abs(randn(5))
    for p in (1, 2):
        out = F.multi_margin_loss(t(X), t(target), p=p, margin=0.7, weight=t(w), reduction="none")
        expected = np.zeros(4)
        for i in range(4):
            for c in range(5):
                if c != target[i]:
                    expected[i] += w[target[i]] * max(0.0, 0.7 - X[i, target[i]] + X[i, c]) ** p
        assert_close(out, expected / 5)


def test_poisson_full_and_non_log_input():
    rate, target = np.abs(X) + 0.1, np.floor(np.abs(Y) * 4)
    out = F.poisson_nll_loss(t(rate), t(target), log_input=False, full=True, reduction="none")
    stirling = np.where(
        target > 1,
        target * np.log(np.maximum(target, 1))
        - target
        + 0.5 * np.log(2 * np.pi * np.maximum(target, 1)),
        0,
    )
    assert_close(out, rate - target * np.log(rate + 1e-8) + stirling)


def test_gaussian_nll_homoscedastic_var_and_clamp():
    var = np.abs(randn(4))
    out = F.gaussian_nll_loss(t(X), t(Y), t(var), reduction="none")
    assert_close(out, 0.5 * (np.log(var[:, None]) + (X - Y) ** 2 / var[:, None]))
    v = t(np.array([1e-9, 2.0]), requires_grad=True)
    F.gaussian_nll_loss(t([0.0, 0.0]), t([1.0, 1.0]), v, eps=1e-3, reduction="sum").backward()
    # the clamp changes the value but the gradient passes as if it were the identity
    assert_close(v.grad, 0.5 * (1 / np.array([1e-3, 2.0]) - 1 / np.array([1e-3, 2.0]) ** 2))
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(t(X), t(Y), t(np.ones(3)))
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(t(X), t(Y), -1.0)


# ---- class-index losses ----------------------------------------------------------------------
LOGITS = randn(6, 4)
TARGET = np.array([0, 3, 1, -100, 2, 3])
WEIGHT = np.array([0.5, 2.0, 1.0, 3.0])


def nll_ref(logp, target, weight, ignore_index, reduction):
    valid = target != ignore_index
    safe = np.where(valid, target, 0)
    w = (weight[safe] if weight is not None else np.ones(len(target))) * valid
    losses = -np.take_along_axis(logp, safe[:, None], 1)[:, 0] * w
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.sum() / w.sum()


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_and_cross_entropy_weighted_mean_with_ignore_index(weighted, reduction):
    w = WEIGHT if weighted else None
    lp = log_softmax(LOGITS)
    expected = nll_ref(lp, TARGET, w, -100, reduction)
    kw = {"weight": t(w) if weighted else None, "reduction": reduction}
    assert_close(F.nll_loss(t(lp), t(TARGET), **kw), expected)
    assert_close(F.cross_entropy(t(LOGITS), t(TARGET), **kw), expected)


def test_cross_entropy_label_smoothing_formula():
    eps, lp = 0.2, log_softmax(LOGITS)
    valid = TARGET != -100
    safe = np.where(valid, TARGET, 0)
    nll = -np.take_along_axis(lp, safe[:, None], 1)[:, 0] * WEIGHT[safe] * valid
    smooth = -(lp * WEIGHT).sum(1) * valid
    out = F.cross_entropy(
        t(LOGITS), t(TARGET), weight=t(WEIGHT), label_smoothing=eps, reduction="none"
    )
    assert_close(out, (1 - eps) * nll + eps / 4 * smooth)
    mean = F.cross_entropy(t(LOGITS), t(TARGET), weight=t(WEIGHT), label_smoothing=eps)
    assert_close(
        mean, ((1 - eps) * nll.sum() + eps / 4 * smooth.sum()) / (WEIGHT[safe] * valid).sum()
    )


def test_cross_entropy_nd_and_unbatched():
    x, target = randn(2, 3, 4, 5), RNG.integers(0, 3, (2, 4, 5))
    lp = log_softmax(x)
    expected = -np.take_along_axis(lp, target[:, None], 1)[:, 0]
    assert_close(F.cross_entropy(t(x), t(target), reduction="none"), expected)
    assert_close(F.nll_loss(t(lp), t(target)), expected.mean())
    out = F.cross_entropy(t(x[0, :, 0, 0]), t(np.array(2)), reduction="none")
    assert out.shape == () and abs(out.item() - (-lp[0, 2, 0, 0])) < 1e-12


def test_cross_entropy_probability_targets():
    probs = RNG.dirichlet(np.ones(4), 6)
    lp = log_softmax(LOGITS)
    out = F.cross_entropy(
        t(LOGITS), t(probs), weight=t(WEIGHT), label_smoothing=0.1, reduction="none"
    )
    smoothed = probs * 0.9 + 0.1 / 4
    assert_close(out, -(lp * smoothed * WEIGHT).sum(1))
    assert_close(F.cross_entropy(t(LOGITS), t(probs)), -(lp * probs).sum(1).mean())


def test_all_targets_ignored_gives_nan_mean_and_zero_sum():
    ignored = np.full(6, -100)
    assert math.isnan(F.nll_loss(t(LOGITS), t(ignored)).item())
    assert math.isnan(F.cross_entropy(t(LOGITS), t(ignored), label_smoothing=0.1).item())
    assert F.cross_entropy(t(LOGITS), t(ignored), reduction="sum").item() == 0.0


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize(
    "kw",
    [{}, {"label_smoothing": 0.2}, {"weight": WEIGHT}, {"weight": WEIGHT, "label_smoothing": 0.2}],
)
@pytest.mark.parametrize("shape", [(6, 4), (2, 4, 3, 2), (4,)])
@pytest.mark.parametrize("loss", ["nll_loss", "cross_entropy"])
def test_all_targets_ignored_mean_gives_zero_gradient(loss, shape, kw, create_graph):
    # PyTorch: the 'mean' is 0 / 0 = nan, but ignored entries contribute exactly 0 to the
    # gradient, so it is all zeros (not nan)
    x = t(randn(*shape), requires_grad=True)
    target = t(np.full((shape[0], *shape[2:]) if len(shape) > 1 else (), -100))
    kw = {k: t(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    if loss == "nll_loss":
        kw.pop("label_smoothing", None)
    out = getattr(F, loss)(x, target, **kw)
    assert math.isnan(out.item())
    (g,) = npgrad.autograd.grad(out, x, create_graph=create_graph)
    assert np.array_equal(g.numpy(), np.zeros(shape))


@pytest.mark.parametrize("module", ["NLLLoss", "CrossEntropyLoss"])
def test_all_targets_ignored_loss_modules_give_zero_gradient(module):
    x = t(LOGITS, requires_grad=True)
    getattr(npgrad.nn, module)(ignore_index=3)(x, t(np.full(6, 3))).backward()
    assert np.array_equal(x.grad.numpy(), np.zeros_like(LOGITS))


def test_zero_total_class_weight_gives_nan_gradient_of_the_counted_entries_only():
    # PyTorch: entries whose class weight is 0 get 0 / 0 = nan, ignored entries exactly 0
    w = t(np.array([0.0, 1.0, 0.0, 1.0]))
    target = t(np.array([0, -100, 2, 0, 2, -100]))
    x = t(LOGITS, requires_grad=True)
    F.nll_loss(x, target, weight=w).backward()
    expected = np.zeros_like(LOGITS)
    expected[[0, 2, 3, 4], [0, 2, 0, 2]] = np.nan
    np.testing.assert_array_equal(x.grad.numpy(), expected)
    for kw in ({}, {"label_smoothing": 0.2}):
        x = t(LOGITS, requires_grad=True)
        F.cross_entropy(x, target, weight=w, **kw).backward()
        rows = np.isnan(x.grad.numpy()).all(1)
        assert rows.tolist() == [True, False, True, True, True, False]
        assert np.array_equal(x.grad.numpy()[[1, 5]], np.zeros((2, 4)))


@pytest.mark.torch
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weight", [None, [0.0, 1.0, 0.0, 1.0]])
@pytest.mark.parametrize("target", [[-100, -100, -100], [0, -100, 2], [0, 2, 2]])
def test_ignored_and_zero_weight_gradients_like_torch(target, weight, smoothing, create_graph):
    torch = pytest.importorskip("torch")
    x = randn(3, 4)
    for fname in ("nll_loss", "cross_entropy"):
        kw = {"label_smoothing": smoothing} if fname == "cross_entropy" else {}
        ours, theirs = t(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        w = None if weight is None else np.array(weight)
        y = getattr(F, fname)(ours, t(np.array(target)), weight=w if w is None else t(w), **kw)
        ty = getattr(torch.nn.functional, fname)(
            theirs, torch.tensor(target), weight=w if w is None else torch.tensor(w), **kw
        )
        (g,) = npgrad.autograd.grad(y, ours, create_graph=create_graph)
        (tg,) = torch.autograd.grad(ty, theirs, create_graph=create_graph)
        np.testing.assert_allclose(y.item(), ty.item(), equal_nan=True)
        np.testing.assert_allclose(g.numpy(), tg.detach().numpy(), rtol=1e-10, equal_nan=True)


def test_nll_ignores_entries_even_where_the_input_is_infinite():
    lp = log_softmax(LOGITS)
    lp[3, 0] = -np.inf
    assert np.isfinite(F.nll_loss(t(lp), t(TARGET)).item())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stability_with_huge_logits(dtype):
    logits = t(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], dtype), requires_grad=True)
    loss = F.cross_entropy(logits, t(np.array([1, 0])), label_smoothing=0.1)
    loss.backward()
    assert (
        loss.dtype == dtype and np.isfinite(loss.item()) and np.isfinite(logits.grad.numpy()).all()
    )
    assert (
        abs(F.cross_entropy(logits, t(np.array([0, 1])), reduction="none")[1].item() - math.log(2))
        < 1e-6
    )
    z = t(np.array([1e4, -1e4, 1e4, -1e4], dtype), requires_grad=True)
    target = t(np.array([1.0, 1.0, 0.0, 0.0], dtype))
    bce = F.binary_cross_entropy_with_logits(
        z, target, reduction="none", pos_weight=t(np.full(4, 2.0, dtype))
    )
    bce.sum().backward()
    assert_close(bce, np.array([0.0, 2e4, 1e4, 0.0], dtype))
    assert_close(z.grad, np.array([0.0, -2.0, 1.0, 0.0], dtype))
    p = t(np.array([0.0, 1.0], dtype), requires_grad=True)
    b = F.binary_cross_entropy(p, t(np.array([1.0, 0.0], dtype)), reduction="none")
    b.sum().backward()
    assert_close(b, np.array([100.0, 100.0], dtype))  # log clamped at -100, like PyTorch
    assert np.isfinite(p.grad.numpy()).all()


def test_float32_in_float32_out():
    x32 = t(randn(4, 5, dtype=np.float32), requires_grad=True)
    for out in (
        F.mse_loss(x32, t(Y.astype(np.float32))),
        F.cross_entropy(x32, t(np.array([0, 1, 2, 3]))),
        F.binary_cross_entropy_with_logits(x32, t(T01.astype(np.float32))),
        F.nll_loss(x32, t(np.array([0, 1, 2, 3])), weight=t(np.ones(5))),
    ):
        assert out.dtype == np.float32
        out.backward()
        assert x32.grad.dtype == np.float32
        x32.grad = None


# loss -> (call on input and target, PyTorch's loss dtype for (float32, float64) and
# (float64, float32): "promote", "input" or "target")
DTYPE_CASES = {
    "mse_loss": (lambda F, a, b: F.mse_loss(a, b), "promote"),
    "l1_loss": (lambda F, a, b: F.l1_loss(a, b), "promote"),
    "smooth_l1_loss": (lambda F, a, b: F.smooth_l1_loss(a, b, beta=0.5), "promote"),
    "kl_div": (lambda F, a, b: F.kl_div(a, b, reduction="batchmean"), "promote"),
    "kl_div_log_target": (
        lambda F, a, b: F.kl_div(a, b, reduction="sum", log_target=True),
        "promote",
    ),
    "poisson_nll_loss": (lambda F, a, b: F.poisson_nll_loss(a, b), "promote"),
    "poisson_full": (lambda F, a, b: F.poisson_nll_loss(a, b * 3, False, True), "promote"),
    "multilabel_soft_margin_loss": (
        lambda F, a, b: F.multilabel_soft_margin_loss(a, b),
        "promote",
    ),
    "cross_entropy_probs": (
        lambda F, a, b: F.cross_entropy(a, b, label_smoothing=0.1),
        "promote",
    ),
    "gaussian_nll_loss": (lambda F, a, b: F.gaussian_nll_loss(a, b, b.detach()), "promote"),
    "bce_with_logits": (lambda F, a, b: F.binary_cross_entropy_with_logits(a, b), "target"),
    "hinge_embedding_loss": (lambda F, a, b: F.hinge_embedding_loss(a, b.detach()), "input"),
    "margin_ranking_loss": (lambda F, a, b: F.margin_ranking_loss(a, a.detach() / 2, b), "promote"),
    "multilabel_soft_margin_weight": (
        lambda F, a, b: F.multilabel_soft_margin_loss(a, a.detach() * 0 + 1, weight=b),
        "promote",
    ),
}


@pytest.mark.parametrize("dtypes", [(np.float32, np.float64), (np.float64, np.float32)])
@pytest.mark.parametrize("name", sorted(DTYPE_CASES))
def test_mixed_dtypes_promote_like_torch_with_gradients_in_their_own_dtypes(name, dtypes):
    fn, rule = DTYPE_CASES[name]
    a = t(P.astype(dtypes[0]), requires_grad=True)
    b = t(T01.astype(dtypes[1]), requires_grad=True)
    out = fn(F, a, b)
    expected = {"promote": np.float64, "input": dtypes[0], "target": dtypes[1]}[rule]
    assert out.dtype == expected
    out.backward()
    assert a.grad.dtype == dtypes[0]
    assert b.grad is None or b.grad.dtype == dtypes[1]


def test_binary_cross_entropy_needs_the_input_dtype_and_huber_keeps_it():
    # PyTorch: binary_cross_entropy raises for any other target dtype; huber_loss's forward
    # casts the target to the input's dtype
    with pytest.raises(TypeError, match=r"binary_cross_entropy: .*float32, got float64"):
        F.binary_cross_entropy(t(P.astype(np.float32)), t(T01))
    with pytest.raises(RuntimeError, match="binary_cross_entropy"):
        F.binary_cross_entropy(t(P), t(np.ones((4, 5), np.int64)))
    with pytest.raises(TypeError, match="binary_cross_entropy_with_logits: expected a floating"):
        F.binary_cross_entropy_with_logits(t(P), t(np.ones((4, 5), np.int64)))
    x = t(P.astype(np.float32), requires_grad=True)
    out = F.huber_loss(x, t(T01))
    assert out.dtype == np.float32
    out.backward()
    assert x.grad.dtype == np.float32
    assert F.mse_loss(x, t(np.ones((4, 5), np.int64))).dtype == np.float32


@pytest.mark.torch
@pytest.mark.parametrize("dtypes", [(np.float32, np.float64), (np.float64, np.float32)])
@pytest.mark.parametrize("name", sorted(DTYPE_CASES))
def test_mixed_dtype_losses_match_torch(name, dtypes):
    torch = pytest.importorskip("torch")
    fn = DTYPE_CASES[name][0]
    a0, b0 = P.astype(dtypes[0]), T01.astype(dtypes[1])
    a, b = t(a0, requires_grad=True), t(b0, requires_grad=True)
    ta, tb = torch.tensor(a0, requires_grad=True), torch.tensor(b0, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out, tout = fn(F, a, b), fn(torch.nn.functional, ta, tb)
    assert out.dtype == tout.detach().numpy().dtype
    assert_close(out.detach(), tout.detach().numpy(), rtol=1e-5, atol=1e-6)
    out.backward()
    tout.backward()
    for ours, theirs in ((a, ta), (b, tb)):
        assert (ours.grad is None) == (theirs.grad is None)
        if theirs.grad is not None:
            assert ours.grad.dtype == theirs.grad.numpy().dtype
            assert_close(ours.grad, theirs.grad.numpy(), rtol=1e-5, atol=1e-6)


# ---- gradients -------------------------------------------------------------------------------
def _x(a):
    return t(np.array(a, dtype=np.float64), requires_grad=True)


GRAD_CASES = {
    "l1": (lambda a, b: F.l1_loss(a, b), [X, Y]),
    "mse": (lambda a, b: F.mse_loss(a, b, reduction="sum"), [X, Y]),
    "smooth_l1": (lambda a, b: F.smooth_l1_loss(a, b, beta=0.5), [X, Y]),
    "huber": (lambda a, b: F.huber_loss(a, b, reduction="none", delta=0.7), [X, Y]),
    "bce": (lambda a, b: F.binary_cross_entropy(a, b, weight=t(np.arange(5.0))), [P, T01]),
    "bce_logits": (
        lambda a, b: F.binary_cross_entropy_with_logits(
            a, b, t(np.ones(5)), pos_weight=t(np.arange(5.0))
        ),
        [X, T01],
    ),
    "kl_div": (lambda a, b: F.kl_div(a, b, reduction="batchmean"), [np.log(P), T01]),
    "kl_div_log": (
        lambda a, b: F.kl_div(a, b, reduction="sum", log_target=True),
        [np.log(P), np.log(T01)],
    ),
    "poisson": (lambda a, b: F.poisson_nll_loss(a, b, full=True), [X, np.abs(Y) * 3]),
    "gaussian": (lambda a, b, v: F.gaussian_nll_loss(a, b, v), [X, Y, P]),
    "margin_ranking": (
        lambda a, b: F.margin_ranking_loss(a, b, t(SIGN4), margin=0.1),
        [X[:, 0], Y[:, 0]],
    ),
    "hinge": (lambda a: F.hinge_embedding_loss(a, t(SIGN)), [X]),
    "soft_margin": (lambda a: F.soft_margin_loss(a, t(SIGN), reduction="sum"), [X]),
    "multilabel": (
        lambda a, b: F.multilabel_soft_margin_loss(a, b, weight=t(np.arange(5.0))),
        [X, T01],
    ),
    "cosine": (lambda a, b: F.cosine_embedding_loss(a, b, t(SIGN4), margin=-0.5), [X, Y]),
    "triplet": (lambda a, b, c: F.triplet_margin_loss(a, b, c, margin=3.0, swap=True), [X, Y, P]),
    "triplet_p1": (lambda a, b, c: F.triplet_margin_loss(a, b, c, margin=3.0, p=1), [X, Y, P]),
    "multi_margin": (
        lambda a: F.multi_margin_loss(
            a, t(np.array([0, 4, 2, 1])), p=2, weight=t(np.arange(1.0, 6.0))
        ),
        [X],
    ),
    "nll": (lambda a: F.nll_loss(a, t(TARGET), weight=t(WEIGHT)), [log_softmax(LOGITS)]),
    "nll_none_nd": (
        lambda a: F.nll_loss(a, t(np.array([[0, 2], [1, -100]])), reduction="none"),
        [randn(2, 3, 2)],
    ),
    "ce": (lambda a: F.cross_entropy(a, t(TARGET), weight=t(WEIGHT)), [LOGITS]),
    "ce_smooth_none": (
        lambda a: F.cross_entropy(
            a, t(TARGET), weight=t(WEIGHT), label_smoothing=0.3, reduction="none"
        ),
        [LOGITS],
    ),
    "ce_nd_smooth": (
        lambda a: F.cross_entropy(
            a, t(np.array([[0, 2], [1, -100]])), label_smoothing=0.2, reduction="sum"
        ),
        [randn(2, 3, 2)],
    ),
    "ce_unbatched": (lambda a: F.cross_entropy(a, t(np.array(1)), label_smoothing=0.1), [randn(4)]),
    "ce_probs": (
        lambda a, b: F.cross_entropy(a, b, weight=t(WEIGHT), label_smoothing=0.1),
        [LOGITS, RNG.dirichlet(np.ones(4), 6)],
    ),
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_gradcheck(name):
    fn, arrays = GRAD_CASES[name]
    assert gradcheck(fn, tuple(_x(a) for a in arrays))


@pytest.mark.parametrize(
    "name", sorted(set(GRAD_CASES) - {"l1", "margin_ranking", "hinge", "triplet_p1"})
)
def test_gradgradcheck(name):
    # (the piecewise-linear losses have a zero second derivative that finite differences
    # across their kinks would not see as zero)
    fn, arrays = GRAD_CASES[name]
    assert gradgradcheck(fn, tuple(_x(a) for a in arrays))


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"weight": t(WEIGHT), "label_smoothing": 0.25},
        {"reduction": "none"},
        {"reduction": "sum", "label_smoothing": 0.1},
    ],
)
def test_cross_entropy_numpy_backward_equals_graph_backward(kw):
    x = _x(LOGITS)
    out = F.cross_entropy(x, t(TARGET), **kw)
    g = t(randn(*out.shape))
    (plain,) = npgrad.autograd.grad(F.cross_entropy(x, t(TARGET), **kw), x, g)
    (graph,) = npgrad.autograd.grad(out, x, g, create_graph=True)
    assert graph.requires_grad
    assert_close(plain, graph.detach(), rtol=1e-12, atol=1e-14)


# ---- reductions and errors -------------------------------------------------------------------
def test_legacy_size_average_and_reduce_map_to_reduction():
    with pytest.warns(UserWarning, match="reduction='sum'"):
        s = F.mse_loss(t(X), t(Y), size_average=False)
    assert_close(s, ((X - Y) ** 2).sum())
    with pytest.warns(UserWarning, match="reduction='none'"):
        n = F.cross_entropy(t(LOGITS), t(TARGET), reduce=False)
    assert n.shape == (6,)
    with pytest.raises(
        ValueError, match="'avg' is not a valid value for reduction|avg is not a valid"
    ):
        F.l1_loss(t(X), t(Y), reduction="avg")


def test_target_out_of_bounds_names_the_value():
    with pytest.raises(IndexError, match=r"^Target 7 is out of bounds\."):
        F.cross_entropy(t(LOGITS[:3]), t(np.array([0, 7, 1])))
    with pytest.raises(IndexError, match=r"^Target -2 is out of bounds\."):
        F.nll_loss(t(LOGITS[:3]), t(np.array([0, -2, 1])))
    with pytest.raises(IndexError, match=r"Target 4 is out of bounds"):
        F.multi_margin_loss(t(LOGITS[:2]), t(np.array([4, 0])))


def test_shape_errors_name_the_loss_and_both_shapes():
    with pytest.raises(
        ValueError,
        match=r"cross_entropy: expected target of shape \(6,\) for input of shape \(6, 4\), got target of shape \(5,\)",
    ):
        F.cross_entropy(t(LOGITS), t(TARGET[:5]))
    with pytest.raises(
        ValueError,
        match=r"nll_loss: expected target of shape \(2, 4\) .* got target of shape \(2, 5\)",
    ):
        F.nll_loss(t(randn(2, 3, 4)), t(np.zeros((2, 5), np.int64)))
    with pytest.raises(
        ValueError, match=r"mse_loss: input of shape \(4, 5\) and target of shape \(3,\)"
    ):
        F.mse_loss(t(X), t(np.zeros(3)))
    with pytest.raises(
        ValueError, match=r"binary_cross_entropy: .*target size \(4,\) .* input size \(4, 5\)"
    ):
        F.binary_cross_entropy(t(P), t(np.zeros(4)))
    with pytest.raises(
        ValueError,
        match=r"binary_cross_entropy_with_logits: target size \(5,\) must be the same as input size \(4, 5\)",
    ):
        F.binary_cross_entropy_with_logits(t(X), t(np.zeros(5)))
    with pytest.raises(
        ValueError, match=r"weight tensor should be defined either for all 4 classes"
    ):
        F.cross_entropy(t(LOGITS), t(TARGET), weight=t(np.ones(3)))
    with pytest.raises(ValueError, match=r"same number of dimensions"):
        F.triplet_margin_loss(t(X), t(Y), t(X[0]))
    with pytest.raises(ValueError, match=r"cosine_embedding_loss"):
        F.cosine_embedding_loss(t(X), t(Y[:3]), t(SIGN4))
    with pytest.warns(
        UserWarning, match=r"target size \(5,\) that is different to the input size \(4, 5\)"
    ):
        F.l1_loss(t(X), t(Y[0]))


def test_value_and_type_errors():
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(t(X), t(T01))
    with pytest.raises(ValueError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(t(LOGITS), t(np.zeros(6, np.int64)), label_smoothing=1.5)
    with pytest.raises(TypeError, match="integer dtype, got float64"):
        F.cross_entropy(t(LOGITS), t(np.zeros(6)))
    with pytest.raises(TypeError, match="floating point target for class probabilities"):
        F.cross_entropy(t(LOGITS), t(np.zeros((6, 4), np.int64)))
    with pytest.raises(ValueError, match="ignore_index is not supported"):
        F.cross_entropy(t(LOGITS), t(np.zeros((6, 4))), ignore_index=1)
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        F.triplet_margin_loss(t(X), t(Y), t(P), margin=0.0)
    with pytest.raises(ValueError, match="negative values for beta"):
        F.smooth_l1_loss(t(X), t(Y), beta=-1.0)
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        F.multi_margin_loss(t(X), t(np.zeros(4, np.int64)), p=3)
    with pytest.raises(TypeError, match="expected input to be a Tensor"):
        F.mse_loss([1.0], t([1.0]))
    with pytest.raises(RuntimeError):  # the same errors are RuntimeErrors, as in PyTorch
        F.binary_cross_entropy(t(X), t(T01))


# ---- PyTorch parity --------------------------------------------------------------------------
PARITY = {
    # name: (args as arrays, index of args needing grad, kwargs) - same call on both sides
    "l1_loss": ([X, Y], [0, 1], {}),
    "mse_loss": ([X, Y], [0, 1], {}),
    "smooth_l1_loss": ([X, Y], [0, 1], {"beta": 0.6}),
    "huber_loss": ([X, Y], [0, 1], {"delta": 0.6}),
    "binary_cross_entropy": ([P, T01], [0, 1], {}),
    "binary_cross_entropy_with_logits": ([X * 4, T01], [0, 1], {}),
    "kl_div": ([np.log(P), T01], [0, 1], {}),
    "poisson_nll_loss": ([X, np.abs(Y) * 3], [0, 1], {"full": True}),
    "gaussian_nll_loss": ([X, Y, P], [0, 1, 2], {"full": True}),
    "margin_ranking_loss": ([X[:, 0], Y[:, 0], SIGN4], [0, 1], {"margin": 0.2}),
    "hinge_embedding_loss": ([X, SIGN], [0], {"margin": 0.4}),
    "soft_margin_loss": ([X, SIGN], [0], {}),
    "multilabel_soft_margin_loss": ([X, T01 > 0.5], [0, 1], {}),
    "cosine_embedding_loss": ([X, Y, SIGN4], [0, 1], {"margin": 0.1}),
    "triplet_margin_loss": ([X, Y, P], [0, 1, 2], {"margin": 2.0, "swap": True}),
    "multi_margin_loss": ([X, np.array([0, 4, 2, 1])], [0], {"p": 2, "margin": 0.5}),
    "nll_loss": ([log_softmax(LOGITS), TARGET], [0], {}),
    "cross_entropy": ([LOGITS, TARGET], [0], {"label_smoothing": 0.15}),
    "cross_entropy_nd": ([randn(2, 4, 3, 2), RNG.integers(0, 4, (2, 3, 2))], [0], {}),
    "cross_entropy_probs": (
        [LOGITS, RNG.dirichlet(np.ones(4), 6)],
        [0, 1],
        {"label_smoothing": 0.1},
    ),
}


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("name", sorted(PARITY))
def test_parity_with_torch(name, reduction, dtype):
    torch = pytest.importorskip("torch")
    args, grad_idx, kw = PARITY[name]
    fname = name.replace("_nd", "").replace("_probs", "")
    kw = dict(kw, reduction=reduction)
    if fname in ("nll_loss", "cross_entropy", "multi_margin_loss") and "probs" not in name:
        kw["weight"] = np.abs(randn(args[0].shape[1 if args[0].ndim > 1 else 0])) + 0.1
    if fname == "binary_cross_entropy_with_logits":
        kw["pos_weight"] = np.abs(randn(5)) + 0.1
    ours, theirs = [], []
    for i, a in enumerate(args):
        a = np.asarray(a)
        a = a.astype(dtype) if a.dtype.kind in "fb" else a.astype(np.int64)
        ours.append(t(a, requires_grad=i in grad_idx))
        theirs.append(torch.tensor(a, requires_grad=i in grad_idx))
    okw = {k: t(np.asarray(v, dtype)) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    tkw = {
        k: torch.tensor(np.asarray(v, dtype)) if isinstance(v, np.ndarray) else v
        for k, v in kw.items()
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = getattr(F, fname)(*ours, **okw)
        ty = getattr(torch.nn.functional, fname)(*theirs, **tkw)
    g = randn(*ty.shape, dtype=dtype)
    y.backward(t(g))
    ty.backward(torch.tensor(g))
    tol = {"rtol": 2e-5, "atol": 2e-6} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    assert y.dtype == dtype
    assert_close(y.detach(), ty.detach().numpy(), **tol)
    for i in grad_idx:
        assert_close(ours[i].grad, theirs[i].grad.numpy(), msg=f"grad {i}", **tol)


def test_second_backward_without_retain_graph_raises():
    for loss in (F.cross_entropy, F.nll_loss):
        x = t(LOGITS, requires_grad=True)
        out = loss(x, t(TARGET))
        out.backward(retain_graph=True)
        out.backward()  # retained: the gradient accumulates
        assert_close(x.grad, 2 * npgrad.autograd.grad(loss(x, t(TARGET)), x)[0])
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            out.backward()


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 5),
    c=st.integers(1, 5),
    spatial=st.lists(st.integers(1, 3), max_size=2),
    smoothing=st.sampled_from([0.0, 0.3]),
    weighted=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_cross_entropy_random_shapes_match_numpy(n, c, spatial, smoothing, weighted, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, *spatial)) * 3
    target = rng.integers(-1, c, (n, *spatial))  # -1 is ignored below
    w = rng.uniform(0.5, 2.0, c) if weighted else np.ones(c)
    lp = log_softmax(x)
    valid = target != -1
    safe = np.where(valid, target, 0)
    nll = -np.take_along_axis(lp, safe[:, None], 1)[:, 0] * w[safe] * valid
    smooth = -(lp * w.reshape((1, c) + (1,) * len(spatial))).sum(1) * valid
    per_entry = (1 - smoothing) * nll + smoothing / c * smooth
    kw = {"weight": t(w) if weighted else None, "ignore_index": -1, "label_smoothing": smoothing}
    out = F.cross_entropy(t(x), t(target), reduction="none", **kw)
    assert_close(out, per_entry, rtol=1e-10, atol=1e-12)
    denom = (w[safe] * valid).sum()
    mean = F.cross_entropy(t(x), t(target), **kw).item()
    if denom:
        assert abs(mean - per_entry.sum() / denom) < 1e-10
    else:
        assert math.isnan(mean)
