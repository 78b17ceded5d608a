"""Embedding: default init, padding_idx, from_pretrained, repr, torch parity, errors."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.testing import assert_close

RNG = np.random.default_rng(6)


def test_parameters_and_default_init():
    npgrad.manual_seed(0)
    emb = nn.Embedding(2000, 64, padding_idx=3)
    assert [(n, p.shape) for n, p in emb.named_parameters()] == [("weight", (2000, 64))]
    w = emb.weight._data
    assert (w[3] == 0).all()
    rest = np.delete(w, 3, axis=0)
    assert abs(rest.mean()) < 0.01 and abs(rest.std() - 1) < 0.01  # N(0, 1)
    assert emb.weight.dtype == np.float32
    assert nn.Embedding(3, 2, dtype=npgrad.float64).weight.dtype == np.float64
    assert not nn.Embedding(3, 2, _freeze=True).weight.requires_grad


def test_negative_padding_idx_is_stored_positive():
    emb = nn.Embedding(10, 3, padding_idx=-1)
    assert emb.padding_idx == 9 and (emb.weight._data[9] == 0).all()
    for bad in (10, -11):
        with pytest.raises(ValueError, match="Padding_idx must be within num_embeddings"):
            nn.Embedding(10, 3, padding_idx=bad)


def test_lookup_any_shape_and_padding_gradient():
    emb = nn.Embedding(5, 2, padding_idx=0)
    idx = npgrad.tensor([[[0, 1], [4, 4]]])
    out = emb(idx)
    assert out.shape == (1, 2, 2, 2)
    out.sum().backward()
    assert emb.weight.grad.tolist() == [[0, 0], [1, 1], [0, 0], [0, 0], [2, 2]]
    assert emb(npgrad.tensor(3)).shape == (2,)


def test_from_pretrained_shares_memory_freezes_and_keeps_the_padding_row():
    weights = npgrad.tensor([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3]])
    emb = nn.Embedding.from_pretrained(weights, padding_idx=0)
    assert emb.weight._data is weights._data
    assert not emb.weight.requires_grad
    assert emb(npgrad.tensor([0])).tolist() == [[1.0, 2.299999952316284, 3.0]]
    assert repr(emb) == "Embedding(2, 3, padding_idx=0)"
    trainable = nn.Embedding.from_pretrained(weights, freeze=False)
    assert trainable.weight.requires_grad
    with pytest.raises(ValueError, match="expected to be 2-dimensional"):
        nn.Embedding.from_pretrained(npgrad.zeros(3))
    with pytest.raises(ValueError, match="Shape of weight does not match"):
        nn.Embedding(3, 3, _weight=weights)


def test_max_norm_renormalises_the_weight_during_forward():
    emb = nn.Embedding(4, 2, max_norm=1.0)
    with npgrad.no_grad():
        emb.weight.copy_(npgrad.tensor([[3.0, 4.0], [0.1, 0.0], [6.0, 8.0], [0.0, 5.0]]))
    emb(npgrad.tensor([0, 1]))
    assert np.linalg.norm(emb.weight._data[0]) == pytest.approx(1.0, rel=1e-6)
    assert emb.weight._data[2].tolist() == [6.0, 8.0]  # not looked up


def test_errors_name_the_layer():
    emb = nn.Embedding(10, 3)
    with pytest.raises(
        IndexError, match=r"^Embedding\(10, 3\): embedding: index 10 is out of range"
    ):
        emb(npgrad.tensor([1, 10]))
    with pytest.raises(TypeError, match="integer dtype"):
        emb(npgrad.tensor([1.0]))


@pytest.mark.torch
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"padding_idx": 2},
        {"padding_idx": -1},
        {"max_norm": 1.0},
        {"max_norm": 2.0, "norm_type": 1.0},
        {"scale_grad_by_freq": True},
        {"sparse": True},
        {"padding_idx": 0, "max_norm": 1.5, "norm_type": 3.0, "scale_grad_by_freq": True},
    ],
)
def test_repr_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    assert repr(nn.Embedding(10, 4, **kwargs)) == repr(torch.nn.Embedding(10, 4, **kwargs))


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"padding_idx": 1}, {"scale_grad_by_freq": True}, {"max_norm": 1.2, "padding_idx": 0}],
)
def test_matches_torch(dtype, kwargs):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Embedding(7, 5, **kwargs).to(getattr(torch, dtype))
    ours = nn.Embedding(7, 5, **kwargs).to(getattr(npgrad, dtype))
    ours.load_state_dict(
        {k: npgrad.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}, strict=True
    )
    idx = RNG.integers(0, 7, (4, 6))
    for mode in ("eval", "train"):
        getattr(theirs, mode)(), getattr(ours, mode)()
        ty, ny = theirs(torch.tensor(idx)), ours(npgrad.tensor(idx))
        assert_close(ny, ty.detach().numpy())
    g = RNG.standard_normal((4, 6, 5)).astype(dtype)
    ty.backward(torch.tensor(g))
    ny.backward(npgrad.tensor(g))
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {}
    assert_close(ours.weight, theirs.weight.detach().numpy(), **tol)  # max_norm edits included
    assert_close(ours.weight.grad, theirs.weight.grad.numpy(), **tol)


# ---- EmbeddingBag ------------------------------------------------------------------------------
def test_embedding_bag_module_parameters_and_forward():
    npgrad.manual_seed(0)
    bag = nn.EmbeddingBag(1000, 32, mode="sum", padding_idx=1)
    assert [(n, p.shape) for n, p in bag.named_parameters()] == [("weight", (1000, 32))]
    assert (bag.weight._data[1] == 0).all() and abs(bag.weight._data.std() - 1) < 0.02
    out = bag(npgrad.tensor([[0, 2], [3, 1]]))
    assert_close(out, np.stack([bag.weight._data[[0, 2]].sum(0), bag.weight._data[3]]))
    pre = nn.EmbeddingBag.from_pretrained(npgrad.tensor([[1.0, 2.0], [3.0, 4.0]]), mode="max")
    assert not pre.weight.requires_grad
    assert pre(npgrad.tensor([0, 1, 1]), npgrad.tensor([0, 1])).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    with pytest.raises(IndexError, match=r"^EmbeddingBag\(2, 2, mode='max'\): "):
        pre(npgrad.tensor([[5]]))


@pytest.mark.torch
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"mode": "sum"},
        {"mode": "max", "max_norm": 2.0},
        {"padding_idx": -1, "norm_type": 1.0, "max_norm": 1.5},
    ],
)
def test_embedding_bag_module_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.EmbeddingBag(9, 4, **kwargs).double()
    ours = nn.EmbeddingBag(9, 4, **kwargs).double()
    assert repr(ours) == repr(theirs)
    ours.load_state_dict(
        {k: npgrad.tensor(v.detach().numpy().copy()) for k, v in theirs.state_dict().items()}
    )
    idx = RNG.integers(0, 9, (5, 3))
    ty, ny = theirs(torch.tensor(idx)), ours(npgrad.tensor(idx))
    ty.sum().backward()
    ny.sum().backward()
    assert_close(ny, ty.detach().numpy())
    assert_close(ours.weight.grad, theirs.weight.grad.numpy())
