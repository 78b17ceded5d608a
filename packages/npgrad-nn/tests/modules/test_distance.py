"""PairwiseDistance and CosineSimilarity modules."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.testing import assert_close

RNG = np.random.default_rng(7)


def test_attributes_like_torch():
    m = nn.PairwiseDistance(p=1.0, eps=1e-3, keepdim=True)
    assert (m.norm, m.eps, m.keepdim) == (1.0, 1e-3, True)
    c = nn.CosineSimilarity(dim=0, eps=1e-6)
    assert (c.dim, c.eps) == (0, 1e-6)
    assert repr(m) == "PairwiseDistance()" and repr(c) == "CosineSimilarity()"
    assert list(m.state_dict()) == [] and list(c.state_dict()) == []


def test_forward_shapes():
    a, b = npgrad.randn(10, 4), npgrad.randn(10, 4)
    assert nn.PairwiseDistance()(a, b).shape == (10,)
    assert nn.PairwiseDistance(keepdim=True)(a, b).shape == (10, 1)
    assert nn.CosineSimilarity()(a, b).shape == (10,)
    assert nn.CosineSimilarity(dim=0)(a, b).shape == (4,)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("PairwiseDistance", {}),
        ("PairwiseDistance", {"p": 3.0, "keepdim": True}),
        ("CosineSimilarity", {}),
        ("CosineSimilarity", {"dim": 0}),
    ],
)
def test_matches_torch(dtype, name, kwargs):
    torch = pytest.importorskip("torch")
    theirs, ours = getattr(torch.nn, name)(**kwargs), getattr(nn, name)(**kwargs)
    assert repr(ours) == repr(theirs)
    a, b = RNG.standard_normal((5, 6)).astype(dtype), RNG.standard_normal((5, 6)).astype(dtype)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    na, nb = npgrad.tensor(a, requires_grad=True), npgrad.tensor(b, requires_grad=True)
    ty, ny = theirs(ta, tb), ours(na, nb)
    ty.sum().backward()
    ny.sum().backward()
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {}
    assert_close(ny, ty.detach().numpy(), **tol)
    assert_close(na.grad, ta.grad.numpy(), **tol)
    assert_close(nb.grad, tb.grad.numpy(), **tol)
