"""nn.functional pairwise_distance, cosine_similarity, pdist."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn import functional as F
from npgrad.testing import assert_close

RNG = np.random.default_rng(3)


def _t(*shape, dtype=np.float64):
    return npgrad.tensor(RNG.standard_normal(shape).astype(dtype), requires_grad=True)


def _pnorm(d, p, axis, keepdims=False):
    if p == float("inf"):
        return np.abs(d).max(axis, keepdims=keepdims)
    return (np.abs(d) ** p).sum(axis, keepdims=keepdims) ** (1 / p)


# ---- pairwise_distance ------------------------------------------------------------------------
@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, float("inf")])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance_adds_eps_to_the_difference(p, keepdim):
    a, b = _t(4, 5), _t(4, 5)
    expected = _pnorm(a._data - b._data + 1e-6, p, -1, keepdim)
    assert_close(F.pairwise_distance(a, b, p, keepdim=keepdim), expected)


def test_pairwise_distance_broadcasts_and_handles_vectors():
    a, b = _t(3, 5), _t(5)
    assert_close(F.pairwise_distance(a, b), _pnorm(a._data - b._data + 1e-6, 2, -1))
    v, w = _t(5), _t(5)
    out = F.pairwise_distance(v, w)
    assert out.shape == () and np.isclose(out.item(), _pnorm(v._data - w._data + 1e-6, 2, -1))
    assert F.pairwise_distance(_t(3, 2), _t(2), keepdim=True).shape == (3, 1)
    with pytest.raises(ValueError, match="cannot be broadcast"):
        F.pairwise_distance(_t(3, 2), _t(4, 2))


def test_pairwise_distance_gradients_and_equal_inputs():
    a, b = _t(3, 4), _t(3, 4)
    assert gradcheck(F.pairwise_distance, (a, b)) and gradgradcheck(F.pairwise_distance, (a, b))
    c = npgrad.tensor(a._data.copy(), requires_grad=True)
    F.pairwise_distance(a, c).sum().backward()
    assert np.isfinite(a.grad._data).all()  # eps keeps it finite at x1 == x2


def test_pairwise_distance_float32_and_integers():
    a = npgrad.tensor([[0.0, 0.0]], dtype=npgrad.float32)
    assert F.pairwise_distance(a, a).dtype == np.float32
    assert F.pairwise_distance(
        npgrad.tensor([[0, 0]]), npgrad.tensor([[3, 4]]), eps=0.0
    ).tolist() == [5.0]


@settings(max_examples=25, deadline=None)
@given(
    shapes=hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=1, max_dims=3, min_side=1, max_side=4
    )
)
def test_broadcasting_shapes(shapes):
    (s1, s2), out_shape = shapes
    a, b = _t(*s1), _t(*s2)
    x, y = np.broadcast_arrays(a._data, b._data)
    d = F.pairwise_distance(a, b)
    assert_close(d, _pnorm(x - y + 1e-6, 2, -1))
    c = F.cosine_similarity(a, b, dim=-1)
    nx, ny = np.linalg.norm(x, axis=-1), np.linalg.norm(y, axis=-1)
    assert_close(c, (x * y).sum(-1) / (np.maximum(nx, 1e-8) * np.maximum(ny, 1e-8)))
    (d.sum() + c.sum()).backward()
    assert a.grad.shape == s1 and b.grad.shape == s2


# ---- cosine_similarity ---------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cosine_similarity_matches_numpy(dim):
    a, b = _t(3, 4), _t(3, 4)
    x, y = a._data, b._data
    expected = (x * y).sum(dim) / (np.linalg.norm(x, axis=dim) * np.linalg.norm(y, axis=dim))
    assert_close(F.cosine_similarity(a, b, dim), expected)


def test_cosine_similarity_clamps_each_norm_separately_like_torch_2():
    # torch 2.x: x1 / max(|x1|, eps) . x2 / max(|x2|, eps) -> 0.1 here; the older
    # product clamp w12 / sqrt(max(w1 * w2, eps**2)) would give 1.0
    x1 = npgrad.tensor([[1e-9, 0.0]], dtype=npgrad.float64, requires_grad=True)
    x2 = npgrad.tensor([[100.0, 0.0]], dtype=npgrad.float64, requires_grad=True)
    out = F.cosine_similarity(x1, x2, eps=1e-8)
    assert np.isclose(out.item(), 0.1)
    out.sum().backward()
    # the clamp is outside autograd: the gradient flows through the unclamped norm
    assert_close(x1.grad, np.array([[9e7, 0.0]]))
    assert_close(x2.grad, np.array([[0.0, 0.0]]), atol=1e-12)


def test_cosine_similarity_broadcasts_stays_in_range_and_is_differentiable():
    a, b = _t(4, 3), _t(1, 3)
    out = F.cosine_similarity(a, b)
    assert out.shape == (4,) and (np.abs(out._data) <= 1).all()
    assert gradcheck(F.cosine_similarity, (a, b)) and gradgradcheck(F.cosine_similarity, (a, b))
    # integer inputs are refused, as in PyTorch; one floating input makes the common dtype float
    with pytest.raises(TypeError, match="cosine_similarity: expected common dtype"):
        F.cosine_similarity(npgrad.tensor([[1, 0]]), npgrad.tensor([[1, 1]]))
    assert F.cosine_similarity(npgrad.tensor([[1, 0]]), npgrad.tensor([[1.0, 1.0]])).dtype == (
        np.float32
    )


# ---- pdist ----------------------------------------------------------------------------------------
def test_pdist_upper_triangle_and_gradients():
    x = _t(5, 3)
    i, j = np.triu_indices(5, 1)
    assert_close(F.pdist(x), np.linalg.norm(x._data[i] - x._data[j], axis=1))
    assert_close(F.pdist(x, 1.0), np.abs(x._data[i] - x._data[j]).sum(1))
    assert gradcheck(F.pdist, (x,)) and gradgradcheck(F.pdist, (x,))
    with pytest.raises(ValueError, match="2D"):
        F.pdist(_t(3))


# ---- torch parity -----------------------------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("pairwise_distance", {}),
        ("pairwise_distance", {"p": 1.0, "keepdim": True}),
        ("pairwise_distance", {"p": float("inf"), "eps": 1e-3}),
        ("cosine_similarity", {}),
        ("cosine_similarity", {"dim": 0, "eps": 1e-4}),
    ],
)
def test_matches_torch(dtype, name, kwargs):
    torch = pytest.importorskip("torch")
    a, b = _t(4, 5, dtype=dtype), _t(4, 5, dtype=dtype)
    a._data[0] = b._data[0]  # an equal pair
    b._data[1] = 1e-6  # a tiny vector
    ta, tb = torch.tensor(a._data, requires_grad=True), torch.tensor(b._data, requires_grad=True)
    tout = getattr(torch.nn.functional, name)(ta, tb, **kwargs)
    out = getattr(F, name)(a, b, **kwargs)
    g = RNG.standard_normal(out.shape).astype(dtype)
    tout.backward(torch.tensor(g))
    out.backward(npgrad.tensor(g))
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == "float32" else {"rtol": 1e-9, "atol": 1e-9}
    assert_close(out, tout.detach().numpy(), **tol)
    assert_close(a.grad, ta.grad.numpy(), **tol)
    assert_close(b.grad, tb.grad.numpy(), **tol)


@pytest.mark.torch
def test_pdist_matches_torch():
    torch = pytest.importorskip("torch")
    x = _t(6, 3)
    tx = torch.tensor(x._data, requires_grad=True)
    torch.nn.functional.pdist(tx, 3.0).sum().backward()
    F.pdist(x, 3.0).sum().backward()
    assert_close(F.pdist(x, 3.0), torch.nn.functional.pdist(tx, 3.0).detach().numpy())
    assert_close(x.grad, tx.grad.numpy())
