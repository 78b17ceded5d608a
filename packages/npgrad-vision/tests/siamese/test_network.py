"""ContrastiveLoss, SiameseNetwork, pair_distances and the TripletMarginLoss re-export."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.autograd import gradcheck
from npgrad.data import DataLoader
from npgrad.vision import siamese
from npgrad.vision.datasets import Digits
from npgrad.vision.siamese import (
    ContrastiveLoss,
    PairDataset,
    SiameseNetwork,
    TripletDataset,
    contrastive_loss,
    pair_distances,
)


# ---- ContrastiveLoss ---------------------------------------------------------------------------
def reference_loss(x1, x2, same, margin, eps=1e-6):
    d = np.sqrt(((x1 - x2 + eps) ** 2).sum(-1))
    return 0.5 * (same * d**2 + (1 - same) * np.maximum(margin - d, 0) ** 2)


def test_contrastive_hand_values() -> None:
    a = npgrad.tensor([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    b = npgrad.tensor([[3.0, 4.0], [0.3, 0.4], [3.0, 4.0], [1.0, 1.0]])
    same = npgrad.tensor([1, 0, 0, 1])
    # d = 5, 0.5, 5, 0 -> 12.5, (1 - 0.5)^2 / 2, 0 (beyond the margin), 0
    out = contrastive_loss(a, b, same, margin=1.0, reduction="none", eps=0.0)
    np.testing.assert_allclose(out.numpy(), [12.5, 0.125, 0.0, 0.0], rtol=1e-6)
    assert out.dtype == np.float32
    loss = ContrastiveLoss(margin=1.0, eps=0.0)
    assert loss(a, b, same).item() == pytest.approx(12.625 / 4)
    assert ContrastiveLoss(margin=1.0, reduction="sum", eps=0.0)(
        a, b, same
    ).item() == pytest.approx(12.625)
    # a larger margin makes the close mismatched pair cost more
    assert contrastive_loss(
        a, b, same, margin=2.0, reduction="sum", eps=0.0
    ).item() == pytest.approx(12.5 + 0.5 * 1.5**2)


def test_contrastive_matches_numpy_reference() -> None:
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=(2, 32, 5))
    same = rng.integers(0, 2, 32)
    out = contrastive_loss(
        npgrad.tensor(x1), npgrad.tensor(x2), same.astype(bool), margin=3.0, reduction="none"
    )
    np.testing.assert_allclose(out.numpy(), reference_loss(x1, x2, same, 3.0), rtol=1e-12)
    assert out.dtype == np.float64


def test_contrastive_gradcheck() -> None:
    rng = np.random.default_rng(1)
    x1 = npgrad.tensor(rng.normal(size=(6, 3)), requires_grad=True)
    x2 = npgrad.tensor(rng.normal(size=(6, 3)), requires_grad=True)
    same = np.array([1, 0, 1, 0, 0, 1])
    # margin 2: some mismatched pairs inside it, none exactly on the hinge
    assert gradcheck(lambda a, b: contrastive_loss(a, b, same, margin=2.0), (x1, x2))


def test_contrastive_gradient_values() -> None:
    # d/dx1 of 1/2 d^2 is (x1 - x2); of 1/2 (m - d)^2 is -(m - d) (x1 - x2) / d
    x1 = npgrad.tensor([[3.0, 4.0], [0.3, 0.4]], requires_grad=True)
    x2 = npgrad.zeros(2, 2)
    contrastive_loss(x1, x2, [1, 0], margin=1.0, reduction="sum", eps=0.0).backward()
    np.testing.assert_allclose(x1.grad.numpy(), [[3.0, 4.0], [-0.3, -0.4]], rtol=1e-5)


@pytest.mark.torch
def test_contrastive_matches_torch_formula() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x1, x2 = rng.normal(size=(2, 16, 4))
    same = rng.integers(0, 2, 16)
    t1 = torch.tensor(x1, requires_grad=True)
    t2 = torch.tensor(x2, requires_grad=True)
    d = torch.nn.functional.pairwise_distance(t1, t2)
    s = torch.tensor(same, dtype=torch.float64)
    ref = 0.5 * (s * d**2 + (1 - s) * torch.clamp(2.0 - d, min=0) ** 2)
    ref.mean().backward()
    n1 = npgrad.tensor(x1, requires_grad=True)
    n2 = npgrad.tensor(x2, requires_grad=True)
    out = ContrastiveLoss(margin=2.0)(n1, n2, npgrad.tensor(same))
    out.backward()
    np.testing.assert_allclose(out.item(), ref.mean().item(), rtol=1e-12)
    np.testing.assert_allclose(n1.grad.numpy(), t1.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(n2.grad.numpy(), t2.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_contrastive_errors_and_repr() -> None:
    a = npgrad.zeros(3, 2)
    with pytest.raises(ValueError, match=r"expected same of shape \(3,\)"):
        contrastive_loss(a, a, [1, 0])
    with pytest.raises(ValueError, match=r"same must be 0 or 1, got values \[2\]"):
        contrastive_loss(a, a, [1, 0, 2])
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        ContrastiveLoss(reduction="avg")
    with pytest.raises(ValueError, match="margin must be non-negative"):
        ContrastiveLoss(margin=-1.0)
    assert repr(ContrastiveLoss()) == "ContrastiveLoss(margin=1.0)"
    assert (
        repr(ContrastiveLoss(2, reduction="sum", p=1.0))
        == "ContrastiveLoss(margin=2.0, reduction='sum', p=1.0)"
    )


def test_triplet_margin_loss_is_reexported_and_trains_on_triplets() -> None:
    assert siamese.TripletMarginLoss is nn.TripletMarginLoss
    npgrad.manual_seed(0)
    net = SiameseNetwork(nn.Flatten(), head=nn.Linear(64, 8))
    a, p, n = next(iter(DataLoader(TripletDataset(Digits(train=False), seed=0), batch_size=64)))
    loss_fn = siamese.TripletMarginLoss(margin=1.0)
    loss = loss_fn(net.forward_once(a), net.forward_once(p), net.forward_once(n))
    loss.backward()
    assert loss.ndim == 0 and loss.item() > 0 and net.head.weight.grad is not None


# ---- SiameseNetwork ----------------------------------------------------------------------------
def make_net() -> SiameseNetwork:
    npgrad.manual_seed(0)
    return SiameseNetwork(
        nn.Sequential(nn.Flatten(), nn.Linear(64, 16), nn.ReLU()), head=nn.Linear(16, 4)
    )


def test_siamese_shares_weights() -> None:
    net = make_net()
    assert list(net.state_dict()) == [
        "backbone.1.weight",
        "backbone.1.bias",
        "head.weight",
        "head.bias",
    ]
    assert sum(p.numel() for p in net.parameters()) == 64 * 16 + 16 + 16 * 4 + 4
    x1, x2 = npgrad.randn(5, 1, 8, 8), npgrad.randn(5, 1, 8, 8)
    e1, e2 = net(x1, x2)
    expected = net.head(net.backbone(x1))
    np.testing.assert_array_equal(e1.numpy(), expected.numpy())
    np.testing.assert_array_equal(e2.numpy(), net.forward_once(x2).numpy())
    d = net.distance(x1, x2)
    np.testing.assert_allclose(
        d.numpy(), np.linalg.norm(e1.numpy() - e2.numpy() + 1e-6, axis=1), rtol=1e-5
    )


def test_siamese_gradient_sums_both_branches() -> None:
    net = make_net()
    x1, x2 = npgrad.randn(3, 1, 8, 8), npgrad.randn(3, 1, 8, 8)
    e1, e2 = net(x1, x2)
    (e1.sum() + 2 * e2.sum()).backward()
    both = net.head.weight.grad.numpy().copy()
    net.zero_grad()
    net.forward_once(x1).sum().backward()
    g1 = net.head.weight.grad.numpy().copy()
    net.zero_grad()
    net.forward_once(x2).sum().backward()
    g2 = net.head.weight.grad.numpy().copy()
    np.testing.assert_allclose(both, g1 + 2 * g2, rtol=1e-5, atol=1e-6)


def test_siamese_flattens_conv_features_before_head() -> None:
    class Features(nn.Module):
        def forward(self, x):
            return x * 2.0  # (N, 1, 8, 8) stays 4-D

    net = SiameseNetwork(Features(), head=nn.Linear(64, 3))
    assert net.forward_once(npgrad.zeros(2, 1, 8, 8)).shape == (2, 3)
    assert SiameseNetwork(Features()).forward_once(npgrad.zeros(2, 1, 8, 8)).shape == (2, 1, 8, 8)
    assert SiameseNetwork(Features()).distance(
        npgrad.zeros(2, 1, 8, 8), npgrad.ones(2, 1, 8, 8)
    ).shape == (2,)


def test_siamese_type_errors() -> None:
    with pytest.raises(TypeError, match="backbone must be an npgrad.nn.Module"):
        SiameseNetwork(lambda x: x)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="head must be"):
        SiameseNetwork(nn.Flatten(), head="linear")  # type: ignore[arg-type]


def test_pair_distances_over_a_loader() -> None:
    net = make_net()
    net.train()
    pairs = PairDataset(Digits(train=False), seed=0)
    d, same = pair_distances(net, DataLoader(pairs, batch_size=100))
    assert d.shape == same.shape == (450,) and same.tolist() == pairs.pairs[:, 2].tolist()
    x1 = npgrad.stack([pairs[i][0] for i in range(3)])
    x2 = npgrad.stack([pairs[i][1] for i in range(3)])
    np.testing.assert_allclose(d[:3], net.distance(x1, x2).numpy(), rtol=1e-5)
    assert net.training  # mode restored
    d2, _ = pair_distances(
        lambda a, b: (a - b).flatten(1).abs().sum(1), DataLoader(pairs, batch_size=450)
    )
    assert d2.shape == (450,)
