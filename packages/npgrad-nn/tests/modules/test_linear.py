"""Identity, Linear, Bilinear: parameters and default init as torch, forward, errors naming
the layer, torch parity (state_dict, outputs, gradients)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

RNG = np.random.default_rng(4)


def _load_from_torch(ours, theirs):
    ours.load_state_dict(
        {k: npgrad.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    )


def _uniform_ok(x, bound):
    a = x._data.astype(np.float64)
    # U(-b, b): inside the bounds, filling them, std b / sqrt(3)
    return (
        np.abs(a).max() <= np.float32(bound)
        and np.abs(a).max() > 0.98 * bound
        and abs(a.std() / (bound / math.sqrt(3)) - 1) < 0.05
    )


def test_identity_ignores_arguments_and_returns_the_input():
    x = npgrad.randn(3)
    assert nn.Identity(3, foo="bar")(x) is x
    assert repr(nn.Identity()) == "Identity()"


def test_linear_parameters_and_default_init():
    npgrad.manual_seed(0)
    m = nn.Linear(400, 300)
    assert [(n, p.shape) for n, p in m.named_parameters()] == [
        ("weight", (300, 400)),
        ("bias", (300,)),
    ]
    assert m.weight.dtype == np.float32 and m.weight.requires_grad
    assert _uniform_ok(m.weight, 1 / math.sqrt(400))
    big_bias = nn.Linear(400, 20_000).bias
    assert _uniform_ok(big_bias, 1 / math.sqrt(400))
    assert nn.Linear(3, 2, bias=False).bias is None
    assert list(nn.Linear(3, 2, bias=False).state_dict()) == ["weight"]
    assert nn.Linear(3, 2, dtype=npgrad.float64).weight.dtype == np.float64


def test_linear_reset_parameters_redraws_in_place():
    m = nn.Linear(5, 4)
    w = m.weight
    old = w.tolist()
    m.reset_parameters()
    assert m.weight is w and w.tolist() != old


def test_linear_forward_and_gradients():
    m = nn.Linear(5, 3).double()
    x = npgrad.tensor(RNG.standard_normal((2, 4, 5)), requires_grad=True)
    assert_close(m(x), x._data @ m.weight._data.T + m.bias._data)
    assert gradcheck(lambda t, w, b: nn.functional.linear(t, w, b), (x, m.weight, m.bias))
    assert gradgradcheck(lambda t: m(t), (x,))
    assert m(npgrad.randn(5, dtype=npgrad.float64)).shape == (3,)


def test_linear_wrong_feature_size_names_the_layer():
    m = nn.Linear(3, 2)
    with pytest.raises(ValueError, match="expected input with last dimension 3") as info:
        m(npgrad.zeros(4, 5))
    assert str(info.value) == (
        "Linear(in_features=3, out_features=2, bias=True): expected input with last dimension 3, "
        "got shape (4, 5)"
    )
    with pytest.raises(ValueError, match=r"got shape \(\)"):
        m(npgrad.tensor(1.0))
    with pytest.raises(TypeError, match=r"Linear\(in_features=3.*Tensor, got list"):
        m([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="same dtype"):
        m(npgrad.zeros(2, 3, dtype=npgrad.float64))


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(dtype, bias):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Linear(6, 4, bias=bias).to(getattr(torch, dtype))
    ours = nn.Linear(6, 4, bias=bias).to(getattr(npgrad, dtype))
    _load_from_torch(ours, theirs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = RNG.standard_normal((2, 3, 6)).astype(dtype)
    tx, nx = torch.tensor(x, requires_grad=True), npgrad.tensor(x, requires_grad=True)
    for mode in ("train", "eval"):
        getattr(theirs, mode)(), getattr(ours, mode)()
        ty, ny = theirs(tx), ours(nx)
        tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {}
        assert_close(ny, ty.detach().numpy(), **tol)
    g = RNG.standard_normal((2, 3, 4)).astype(dtype)
    ty.backward(torch.tensor(g))
    ny.backward(npgrad.tensor(g))
    assert_close(nx.grad, tx.grad.numpy(), **tol)
    for name, p in ours.named_parameters():
        assert_close(p.grad, dict(theirs.named_parameters())[name].grad.numpy(), **tol)


@pytest.mark.torch
def test_linear_default_init_matches_torch_scheme():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.Linear(500, 400)
    ours = nn.Linear(500, 400)
    for name in ("weight", "bias"):
        t = getattr(theirs, name).detach().numpy()
        o = getattr(ours, name)._data
        assert abs(np.abs(o).max() - np.abs(t).max()) < 2e-3
        assert abs(o.std() / t.std() - 1) < (0.02 if name == "weight" else 0.2)


# ---- Bilinear --------------------------------------------------------------------------------
def test_bilinear_parameters_init_and_forward():
    npgrad.manual_seed(1)
    m = nn.Bilinear(50, 30, 40)
    assert [(n, p.shape) for n, p in m.named_parameters()] == [
        ("weight", (40, 50, 30)),
        ("bias", (40,)),
    ]
    assert _uniform_ok(m.weight, 1 / math.sqrt(50))
    assert np.abs(m.bias._data).max() <= 1 / math.sqrt(50)
    x1, x2 = npgrad.randn(7, 50), npgrad.randn(7, 30)
    expected = np.einsum("ni,oij,nj->no", x1._data, m.weight._data, x2._data) + m.bias._data
    assert_close(m(x1, x2), expected, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="in1_features must be > 0"):
        nn.Bilinear(0, 2, 3)


def test_bilinear_wrong_sizes_name_the_layer():
    m = nn.Bilinear(2, 3, 4)
    with pytest.raises(
        ValueError,
        match=r"Bilinear\(in1_features=2, in2_features=3, out_features=4, bias=True\): expected input2 with last dimension 3, got shape \(5, 4\)",
    ):
        m(npgrad.zeros(5, 2), npgrad.zeros(5, 4))


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bilinear_matches_torch(dtype):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Bilinear(3, 4, 5).to(getattr(torch, dtype))
    ours = nn.Bilinear(3, 4, 5).to(getattr(npgrad, dtype))
    _load_from_torch(ours, theirs)
    assert repr(ours) == repr(theirs) and repr(nn.Bilinear(3, 4, 5, bias=False)) == repr(
        torch.nn.Bilinear(3, 4, 5, bias=False)
    )
    a, b = RNG.standard_normal((6, 3)).astype(dtype), RNG.standard_normal((6, 4)).astype(dtype)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    na, nb = npgrad.tensor(a, requires_grad=True), npgrad.tensor(b, requires_grad=True)
    ty, ny = theirs(ta, tb), ours(na, nb)
    (ty**2).sum().backward()
    (ny**2).sum().backward()
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == "float32" else {}
    assert_close(ny, ty.detach().numpy(), **tol)
    assert_close(na.grad, ta.grad.numpy(), **tol)
    assert_close(nb.grad, tb.grad.numpy(), **tol)
    assert_close(ours.weight.grad, theirs.weight.grad.numpy(), **tol)
    assert_close(ours.bias.grad, theirs.bias.grad.numpy(), **tol)


@pytest.mark.parametrize("shape", [(4, 0), (0, 3)])
def test_linear_with_an_empty_side_backpropagates(shape):
    layer = nn.Linear(*shape)
    x = npgrad.randn(2, 5, shape[0], requires_grad=True)
    layer(x).sum().backward()
    assert x.grad.shape == x.shape and not x.grad.detach().numpy().any()
    assert layer.weight.grad.shape == (shape[1], shape[0])
    assert layer.bias.grad.tolist() == [10.0] * shape[1]  # one per row of the 2 x 5 batch
