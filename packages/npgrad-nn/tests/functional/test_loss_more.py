"""multilabel_margin_loss / nn.MultiLabelMarginLoss, triplet_margin_with_distance_loss /
nn.TripletMarginWithDistanceLoss, and two small functional additions: gumbel_softmax and the
``*_with_indices`` pooling spellings. Values vs NumPy, gradients, errors, PyTorch parity."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
import npgrad.nn.functional as F
from npgrad import nn
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

RNG = np.random.default_rng(6)


def _t(a, grad=False):
    return npgrad.tensor(np.asarray(a), requires_grad=grad)


# ---- multilabel_margin_loss ---------------------------------------------------------------------
def _mlm_ref(x, y):
    out = []
    for xr, yr in zip(np.atleast_2d(x), np.atleast_2d(y)):
        listed = []
        for v in yr:
            if v < 0:
                break
            listed.append(v)
        others = [i for i in range(len(xr)) if i not in listed]
        out.append(sum(max(0.0, 1 - (xr[j] - xr[i])) for j in listed for i in others) / len(xr))
    return np.array(out)


X = RNG.standard_normal((4, 5))
Y = np.array([[3, 0, -1, 1, 2], [1, 1, 4, -1, -1], [-1, 2, 2, 2, 2], [0, 1, 2, 3, 4]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_multilabel_margin_loss_matches_reference(dtype):
    x = X.astype(dtype)
    ref = _mlm_ref(X, Y)  # a repeated target counts twice; all classes listed: 0
    none = F.multilabel_margin_loss(_t(x), _t(Y), reduction="none")
    assert none.dtype == dtype and none.shape == (4,)
    tol = 1e-6 if dtype == np.float32 else 1e-12
    assert_close(none, ref.astype(dtype), rtol=tol, atol=tol)
    assert_close(
        F.multilabel_margin_loss(_t(x), _t(Y)), np.asarray(ref.mean(), dtype), rtol=tol, atol=tol
    )
    assert_close(
        nn.MultiLabelMarginLoss(reduction="sum")(_t(x), _t(Y)),
        np.asarray(ref.sum(), dtype),
        rtol=tol,
        atol=tol,
    )
    one = F.multilabel_margin_loss(_t(x[0]), _t(Y[0]), reduction="none")
    assert one.shape == () and np.isclose(float(one), ref[0], rtol=tol)


def test_multilabel_margin_loss_gradients():
    x = _t(X, True)
    f = lambda a: F.multilabel_margin_loss(a, _t(Y))  # noqa: E731
    assert gradcheck(f, (x,)) and gradgradcheck(f, (x,))


def test_multilabel_margin_loss_errors():
    with pytest.raises(TypeError, match="integer"):
        F.multilabel_margin_loss(_t(X), _t(Y.astype(float)))
    with pytest.raises(ValueError, match="same shape"):
        F.multilabel_margin_loss(_t(X), _t(Y[:, :3]))
    with pytest.raises(ValueError, match=r"\[0, 5\)"):
        F.multilabel_margin_loss(_t(X), _t(np.full((4, 5), 5)))
    with pytest.raises(ValueError, match="reduction"):
        F.multilabel_margin_loss(_t(X), _t(Y), reduction="avg")


# ---- triplet_margin_with_distance_loss -----------------------------------------------------------
A, P, N = (RNG.standard_normal((6, 3)) for _ in range(3))


def test_triplet_with_distance_default_is_triplet_margin_loss():
    for swap in (False, True):
        got = F.triplet_margin_with_distance_loss(_t(A), _t(P), _t(N), swap=swap, margin=0.7)
        assert_close(got, F.triplet_margin_loss(_t(A), _t(P), _t(N), swap=swap, margin=0.7))


def test_triplet_with_custom_distance_and_module():
    def cos_dist(u, v):
        return 1 - F.cosine_similarity(u, v)

    def d(u, v):
        return 1 - (u * v).sum(1) / np.linalg.norm(u, axis=1) / np.linalg.norm(v, axis=1)

    ref = np.maximum(0.5 + d(A, P) - np.minimum(d(A, N), d(P, N)), 0)
    loss = nn.TripletMarginWithDistanceLoss(
        distance_function=cos_dist, margin=0.5, swap=True, reduction="none"
    )
    assert_close(loss(_t(A), _t(P), _t(N)), ref)
    x32 = [_t(v.astype(np.float32)) for v in (A, P, N)]
    assert F.triplet_margin_with_distance_loss(*x32).dtype == np.float32
    a, p, n = (_t(v, True) for v in (A, P, N))
    f = lambda *v: F.triplet_margin_with_distance_loss(*v, distance_function=cos_dist)  # noqa: E731
    assert gradcheck(f, (a, p, n)) and gradgradcheck(f, (a, p, n))


def test_triplet_with_distance_errors():
    with pytest.raises(ValueError, match="margin"):
        F.triplet_margin_with_distance_loss(_t(A), _t(P), _t(N), margin=0)
    with pytest.raises(ValueError, match="margin"):
        nn.TripletMarginWithDistanceLoss(margin=-1.0)
    with pytest.raises(ValueError, match="same number of dimensions"):
        F.triplet_margin_with_distance_loss(_t(A), _t(P[0]), _t(N))
    with pytest.raises(TypeError, match="callable"):
        F.triplet_margin_with_distance_loss(_t(A), _t(P), _t(N), distance_function=3)


# ---- gumbel_softmax -----------------------------------------------------------------------------
def _gumbel_noise(shape, seed):
    npgrad.manual_seed(seed)
    u = npgrad.rand(*shape, dtype=npgrad.float64).numpy()
    return -np.log(-np.log1p(-u))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gumbel_softmax_is_softmax_of_noisy_logits(dtype):
    x = RNG.standard_normal((3, 4)).astype(dtype)
    g = _gumbel_noise(x.shape, 5).astype(dtype)
    npgrad.manual_seed(5)
    y = F.gumbel_softmax(_t(x), tau=0.7, dim=0)
    z = (x + g) / dtype(0.7)
    e = np.exp(z - z.max(0))
    assert y.dtype == dtype
    assert_close(y, (e / e.sum(0)).astype(dtype), rtol=1e-5, atol=1e-6)


def test_gumbel_softmax_hard_is_one_hot_with_the_soft_gradient():
    x = _t(RNG.standard_normal((5, 4)), True)
    w = _t(RNG.standard_normal((5, 4)))
    npgrad.manual_seed(1)
    y = F.gumbel_softmax(x, hard=True)
    assert_close(y.sum(-1), np.ones(5))
    assert set(np.unique(y.numpy())) <= {0.0, 1.0}
    (y * w).sum().backward()
    xs = _t(x.numpy(), True)
    npgrad.manual_seed(1)
    (F.gumbel_softmax(xs) * w).sum().backward()
    assert_close(x.grad, xs.grad)
    npgrad.manual_seed(1)
    soft = F.gumbel_softmax(x.detach())
    assert_close(y, (soft.numpy() == soft.numpy().max(-1, keepdims=True)).astype(float))


def test_gumbel_max_frequencies_follow_the_probabilities():
    p = np.array([0.1, 0.2, 0.7])
    npgrad.manual_seed(0)
    y = F.gumbel_softmax(_t(np.log(np.tile(p, (4000, 1)))), tau=0.1, hard=True)
    assert_close(y.numpy().mean(0), p, atol=0.03, rtol=0)


def test_gumbel_softmax_errors():
    with pytest.raises(TypeError, match="floating"):
        F.gumbel_softmax(npgrad.arange(3))
    with pytest.raises(IndexError, match="out of range"):
        F.gumbel_softmax(npgrad.zeros(2, 3), dim=2)
    with pytest.warns(UserWarning, match="deprecated"):
        F.gumbel_softmax(npgrad.zeros(2, 3), eps=1e-3)


# ---- *_with_indices --------------------------------------------------------------------------------
def test_with_indices_spellings_return_values_and_indices():
    x = _t(RNG.standard_normal((2, 3, 6, 6)))
    v, i = F.max_pool2d_with_indices(x, 2, 2)
    v2, i2 = F.max_pool2d(x, 2, 2, return_indices=True)
    assert_close(v, v2) and assert_close(i, i2) is None
    v, i = F.max_pool1d_with_indices(x[:, :, 0], 3, return_indices=False)
    assert_close(i, F.max_pool1d(x[:, :, 0], 3, return_indices=True)[1])
    v, i = F.adaptive_max_pool2d_with_indices(x, (2, 3))
    assert_close(i, F.adaptive_max_pool2d(x, (2, 3), return_indices=True)[1])
    v, i = F.adaptive_max_pool1d_with_indices(x[:, :, 0], 4)
    assert_close(v, F.adaptive_max_pool1d(x[:, :, 0], 4))


# ---- PyTorch parity -----------------------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_multilabel_margin_loss_torch_parity(reduction):
    torch = pytest.importorskip("torch")
    x = X.astype(np.float32)
    ours, theirs = _t(x, True), torch.tensor(x, requires_grad=True)
    y = nn.MultiLabelMarginLoss(reduction=reduction)(ours, _t(Y))
    yt = torch.nn.MultiLabelMarginLoss(reduction=reduction)(theirs, torch.tensor(Y))
    assert_close(y, yt.detach().numpy(), rtol=1e-6, atol=1e-6)
    y.sum().backward()
    yt.sum().backward()
    assert_close(ours.grad, theirs.grad.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_with_distance_torch_parity(swap):
    torch = pytest.importorskip("torch")
    ours = [_t(v.astype(np.float32), True) for v in (A, P, N)]
    theirs = [torch.tensor(v.astype(np.float32), requires_grad=True) for v in (A, P, N)]
    y = nn.TripletMarginWithDistanceLoss(margin=1.5, swap=swap)(*ours)
    yt = torch.nn.TripletMarginWithDistanceLoss(margin=1.5, swap=swap)(*theirs)
    assert_close(y, yt.detach().numpy(), rtol=1e-6, atol=1e-6)
    y.backward()
    yt.backward()
    for o, t in zip(ours, theirs):
        assert_close(o.grad, t.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert repr(nn.TripletMarginWithDistanceLoss()) == repr(
        torch.nn.TripletMarginWithDistanceLoss()
    )


@pytest.mark.torch
def test_with_indices_torch_parity():
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((1, 2, 5, 5)).astype(np.float32)
    for name, args in [
        ("max_pool2d_with_indices", (2,)),
        ("adaptive_max_pool2d_with_indices", ((2, 3),)),
    ]:
        v, i = getattr(F, name)(_t(x), *args)
        vt, it = getattr(torch.nn.functional, name)(torch.tensor(x), *args)
        assert_close(v, vt.numpy())
        assert_close(i, it.numpy())
