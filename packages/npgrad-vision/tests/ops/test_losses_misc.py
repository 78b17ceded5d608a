"""Focal and GIoU losses, stochastic depth, DropBlock and the building-block modules."""

from __future__ import annotations

import math

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.vision import ops

RNG = np.random.default_rng(2)


def focal_ref(x, t, alpha, gamma):
    out = np.zeros_like(x, dtype=np.float64)
    for i, (xi, ti) in enumerate(zip(x.ravel().tolist(), t.ravel().tolist())):
        p = 1 / (1 + math.exp(-xi))
        ce = -(ti * math.log(p) + (1 - ti) * math.log(1 - p))
        pt = p * ti + (1 - p) * (1 - ti)
        loss = ce * (1 - pt) ** gamma
        if alpha >= 0:
            loss *= alpha * ti + (1 - alpha) * (1 - ti)
        out.ravel()[i] = loss
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("alpha", "gamma"), [(0.25, 2), (-1, 0), (0.5, 1.5)])
def test_sigmoid_focal_loss(dtype, alpha, gamma) -> None:
    x = RNG.standard_normal((3, 4)).astype(dtype)
    t = (RNG.random((3, 4)) < 0.5).astype(dtype)
    want = focal_ref(x, t, alpha, gamma)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for reduction, ref in (("none", want), ("sum", want.sum()), ("mean", want.mean())):
        got = ops.sigmoid_focal_loss(npgrad.tensor(x), npgrad.tensor(t), alpha, gamma, reduction)
        assert got.dtype == dtype and got.shape == np.shape(ref)
        np.testing.assert_allclose(got.numpy(), ref, rtol=tol, atol=tol)


def test_sigmoid_focal_loss_gradients_and_errors() -> None:
    x = npgrad.tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    t = npgrad.tensor((RNG.random((2, 3)) < 0.5).astype(np.float64))
    assert gradcheck(lambda a: ops.sigmoid_focal_loss(a, t, reduction="mean"), (x,))
    assert gradgradcheck(lambda a: ops.sigmoid_focal_loss(a, t), (x,))
    with pytest.raises(ValueError, match="invalid reduction 'avg'"):
        ops.sigmoid_focal_loss(x, t, reduction="avg")
    with pytest.raises(ValueError, match=r"targets shape \(3,\) must equal inputs shape \(2, 3\)"):
        ops.sigmoid_focal_loss(x, npgrad.zeros(3))


def giou_loss_ref(b1, b2, eps=1e-7):
    out = []
    for (x1, y1, x2, y2), (a1, c1, a2, c2) in zip(b1.tolist(), b2.tolist()):
        iw, ih = min(x2, a2) - max(x1, a1), min(y2, c2) - max(y1, c1)
        inter = iw * ih if iw > 0 and ih > 0 else 0.0
        union = (x2 - x1) * (y2 - y1) + (a2 - a1) * (c2 - c1) - inter
        area_c = (max(x2, a2) - min(x1, a1)) * (max(y2, c2) - min(y1, c1))
        out.append(1 - (inter / (union + eps) - (area_c - union) / (area_c + eps)))
    return np.array(out)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_generalized_box_iou_loss(dtype) -> None:
    xy = RNG.uniform(0, 5, (6, 2))
    b1 = np.concatenate([xy, xy + RNG.uniform(0.5, 3, (6, 2))], 1).astype(dtype)
    xy = RNG.uniform(0, 5, (6, 2))
    b2 = np.concatenate([xy, xy + RNG.uniform(0.5, 3, (6, 2))], 1).astype(dtype)
    want = giou_loss_ref(b1.astype(np.float64), b2.astype(np.float64))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for reduction, ref in (("none", want), ("sum", want.sum()), ("mean", want.mean())):
        got = ops.generalized_box_iou_loss(npgrad.tensor(b1), npgrad.tensor(b2), reduction)
        assert got.dtype == dtype and got.shape == np.shape(ref)
        np.testing.assert_allclose(got.numpy(), ref, rtol=tol, atol=tol)
    a = npgrad.tensor(b1.astype(np.float64), requires_grad=True)
    b = npgrad.tensor(b2.astype(np.float64), requires_grad=True)
    assert gradcheck(lambda p, q: ops.generalized_box_iou_loss(p, q), (a, b))
    assert gradgradcheck(lambda p, q: ops.generalized_box_iou_loss(p, q), (a, b))
    empty = ops.generalized_box_iou_loss(npgrad.zeros(0, 4), npgrad.zeros(0, 4), "mean")
    assert empty.item() == 0.0
    with pytest.raises(ValueError, match="must have the same shape"):
        ops.generalized_box_iou_loss(npgrad.zeros(2, 4), npgrad.zeros(3, 4))


@pytest.mark.torch
def test_focal_loss_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((4, 5))
    t = (RNG.random((4, 5)) < 0.3).astype(np.float64)
    tx = torch.tensor(x, requires_grad=True)
    tt = torch.tensor(t)
    p = torch.sigmoid(tx)
    ce = torch.nn.functional.binary_cross_entropy_with_logits(tx, tt, reduction="none")
    p_t = p * tt + (1 - p) * (1 - tt)
    want = (0.25 * tt + 0.75 * (1 - tt)) * ce * (1 - p_t) ** 2
    want.mean().backward()
    nx = npgrad.tensor(x, requires_grad=True)
    got = ops.sigmoid_focal_loss(nx, npgrad.tensor(t), reduction="mean")
    got.backward()
    np.testing.assert_allclose(got.item(), want.mean().item(), rtol=1e-12)
    np.testing.assert_allclose(nx.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-14)


# ---- stochastic depth and DropBlock --------------------------------------------------------
def test_stochastic_depth() -> None:
    x = npgrad.ones(200, 3, dtype=npgrad.float32)
    npgrad.manual_seed(0)
    out = ops.stochastic_depth(x, 0.25, "row").numpy()
    assert out.dtype == np.float32
    rows = out[:, 0]
    assert set(np.unique(out).tolist()) <= {0.0, np.float32(1 / 0.75)}
    assert (out == rows[:, None]).all()  # whole rows
    assert 0.1 < (rows == 0).mean() < 0.4
    batch = ops.stochastic_depth(x, 0.5, "batch").numpy()
    assert len(np.unique(batch)) == 1
    assert ops.stochastic_depth(x, 0.5, "row", training=False) is x
    assert (ops.stochastic_depth(x, 1.0, "row").numpy() == 0).all()
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        ops.stochastic_depth(x, 1.5, "row")
    with pytest.raises(ValueError, match="mode has to be either 'batch' or 'row'"):
        ops.stochastic_depth(x, 0.5, "col")
    m = ops.StochasticDepth(0.5, "row").eval()
    assert m(x) is x


def test_drop_block2d() -> None:
    npgrad.manual_seed(3)
    x = npgrad.ones(2, 3, 9, 9)
    out = ops.drop_block2d(x, 0.2, 3).numpy()
    dropped = out == 0
    assert dropped.any() and not dropped.all()
    # kept pixels are scaled by numel / kept
    np.testing.assert_allclose(out[~dropped], dropped.size / (~dropped).sum(), rtol=1e-6)
    # every dropped pixel lies in a fully dropped 3x3 square
    for n, c, i, j in zip(*np.nonzero(dropped)):
        assert any(
            dropped[n, c, a : a + 3, b : b + 3].all() and a <= i < a + 3 and b <= j < b + 3
            for a in range(max(i - 2, 0), min(i, 6) + 1)
            for b in range(max(j - 2, 0), min(j, 6) + 1)
        )
    y = npgrad.randn(1, 2, 5, 5, requires_grad=True)
    assert ops.DropBlock2d(0.3, 3).eval()(y) is y
    npgrad.manual_seed(1)
    z = ops.drop_block2d(y, 0.3, 3)
    z.sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), (z / y).detach().numpy(), rtol=1e-5)
    with pytest.raises(ValueError, match="input should be 4 dimensional"):
        ops.drop_block2d(npgrad.ones(3, 3), 0.1, 3)


# ---- modules ---------------------------------------------------------------------------------
def test_conv2d_norm_activation() -> None:
    block = ops.Conv2dNormActivation(3, 8, kernel_size=3, stride=2)
    assert [type(m) for m in block] == [nn.Conv2d, nn.BatchNorm2d, nn.ReLU]
    assert block[0].bias is None and block[0].padding == (1, 1) and block.out_channels == 8
    assert block(npgrad.randn(2, 3, 9, 9)).shape == (2, 8, 5, 5)
    plain = ops.Conv2dNormActivation(3, 4, 5, norm_layer=None, activation_layer=None, dilation=2)
    assert len(plain) == 1 and plain[0].bias is not None and plain[0].padding == (4, 4)
    rect = ops.Conv2dNormActivation(2, 2, kernel_size=(3, 5), dilation=(1, 2))
    assert rect[0].padding == (1, 4)
    assert rect(npgrad.randn(2, 2, 6, 7)).shape == (2, 2, 6, 7)


def test_mlp() -> None:
    mlp = ops.MLP(4, [8, 6, 2], norm_layer=nn.LayerNorm, dropout=0.0)
    kinds = [type(m).__name__ for m in mlp]
    assert kinds == [
        "Linear", "LayerNorm", "ReLU", "Dropout", "Linear", "LayerNorm", "ReLU", "Dropout",
        "Linear", "Dropout",
    ]  # fmt: skip
    x = npgrad.randn(5, 4)
    out = mlp(x)
    assert out.shape == (5, 2)
    h = x
    for m in mlp:
        h = m(h)
    np.testing.assert_array_equal(out.numpy(), h.numpy())
    with pytest.raises(ValueError, match="hidden_channels"):
        ops.MLP(4, [])


def test_squeeze_excitation_matches_formula() -> None:
    se = ops.SqueezeExcitation(6, 3).double()
    x = npgrad.randn(2, 6, 4, 5, dtype=npgrad.float64)
    xs = x.numpy()
    pooled = xs.mean(axis=(2, 3))
    w1, b1 = se.fc1.weight.numpy()[:, :, 0, 0], se.fc1.bias.numpy()
    w2, b2 = se.fc2.weight.numpy()[:, :, 0, 0], se.fc2.bias.numpy()
    s = 1 / (1 + np.exp(-(np.maximum(pooled @ w1.T + b1, 0) @ w2.T + b2)))
    np.testing.assert_allclose(se(x).detach().numpy(), xs * s[:, :, None, None], rtol=1e-12)


def test_permute() -> None:
    x = npgrad.randn(2, 3, 4, 5)
    np.testing.assert_array_equal(
        ops.Permute([0, 2, 3, 1])(x).numpy(), x.numpy().transpose(0, 2, 3, 1)
    )


def test_frozen_batch_norm_matches_eval_batch_norm() -> None:
    bn = nn.BatchNorm2d(4).double()
    bn.weight.data = npgrad.tensor(RNG.standard_normal(4))
    bn.bias.data = npgrad.tensor(RNG.standard_normal(4))
    bn.running_mean.data = npgrad.tensor(RNG.standard_normal(4))
    bn.running_var.data = npgrad.tensor(RNG.uniform(0.5, 2, 4))
    bn.eval()
    frozen = ops.FrozenBatchNorm2d(4).double()
    frozen.load_state_dict(bn.state_dict())  # num_batches_tracked is dropped
    assert not list(frozen.parameters())
    x = npgrad.randn(2, 4, 3, 3, dtype=npgrad.float64)
    np.testing.assert_allclose(frozen(x).numpy(), bn(x).detach().numpy(), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 4, H, W\)"):
        frozen(npgrad.zeros(1, 3, 2, 2))
