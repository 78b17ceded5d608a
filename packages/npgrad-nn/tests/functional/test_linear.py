"""nn.functional linear, bilinear, one_hot, normalize."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn import functional as F
from npgrad.testing import assert_close

RNG = np.random.default_rng(1)


def _t(*shape, dtype=np.float64, grad=True):
    return npgrad.tensor(RNG.standard_normal(shape).astype(dtype), requires_grad=grad)


# ---- linear ---------------------------------------------------------------------------------
@pytest.mark.parametrize("xshape", [(5,), (4, 5), (2, 3, 5), (0, 5)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_forward_matches_numpy(xshape, dtype, with_bias):
    x, w, b = _t(*xshape, dtype=dtype), _t(3, 5, dtype=dtype), _t(3, dtype=dtype)
    out = F.linear(x, w, b if with_bias else None)
    expected = x._data @ w._data.T + (b._data if with_bias else 0)
    assert out.shape == xshape[:-1] + (3,) and out.dtype == dtype
    assert_close(out, expected.astype(dtype), rtol=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("xshape", [(5,), (4, 5), (2, 3, 5)])
def test_linear_gradcheck_and_gradgradcheck(xshape):
    x, w, b = _t(*xshape), _t(3, 5), _t(3)
    assert gradcheck(F.linear, (x, w, b))
    assert gradgradcheck(F.linear, (x, w, b))
    assert gradcheck(lambda a, c: F.linear(a, c), (x, w))


@settings(max_examples=25, deadline=None)
@given(
    lead=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
    n_in=st.integers(1, 5),
    n_out=st.integers(1, 4),
)
def test_linear_any_leading_shape(lead, n_in, n_out):
    x, w, b = _t(*lead, n_in), _t(n_out, n_in), _t(n_out)
    out = F.linear(x, w, b)
    assert out.shape == lead + (n_out,)
    assert_close(out, x._data @ w._data.T + b._data)
    out.sum().backward()
    assert_close(b.grad, np.full(n_out, float(np.prod(lead))))
    assert_close(w.grad, np.ones((n_out, 1)) * x._data.reshape(-1, n_in).sum(0))


def test_linear_bias_broadcasts_and_one_d_weight():
    x, w = _t(4, 5), _t(3, 5)
    assert_close(
        F.linear(x, w, npgrad.tensor(0.5, dtype=npgrad.float64)), x._data @ w._data.T + 0.5
    )
    v = _t(5)
    assert_close(F.linear(x, v), x._data @ v._data)  # PyTorch's 1-D weight: dot products
    assert gradcheck(lambda a, c: F.linear(a, c, npgrad.tensor(1.0, dtype=npgrad.float64)), (x, v))


def test_linear_does_not_copy_the_weight():
    # a weight much bigger than input and output: a copy (or a contiguous transpose) of it
    # would show in the peak allocation of the forward
    w = npgrad.tensor(np.ones((1500, 2000)), requires_grad=True)  # 24 MB
    x = npgrad.tensor(np.ones((2, 2000)), requires_grad=True)
    F.linear(x, w)
    tracemalloc.start()
    try:
        out = F.linear(x, w)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.shape == (2, 1500)
    assert peak < w._data.nbytes / 10


def test_linear_errors():
    with pytest.raises(ValueError, match=r"input shape \(4, 5\) and weight shape \(2, 3\)"):
        F.linear(npgrad.zeros(4, 5), npgrad.zeros(2, 3))
    with pytest.raises(RuntimeError):  # PyTorch's type for the same error
        F.linear(npgrad.zeros(4, 5), npgrad.zeros(2, 3))
    with pytest.raises(ValueError, match="at least 1 dimension"):
        F.linear(npgrad.tensor(1.0), npgrad.zeros(2, 1))
    with pytest.raises(ValueError, match="1-D or 2-D weight"):
        F.linear(npgrad.zeros(2), npgrad.zeros(1, 2, 2))
    with pytest.raises(ValueError, match="bias of shape"):
        F.linear(npgrad.zeros(3, 5), npgrad.zeros(2, 5), npgrad.zeros(3))
    with pytest.raises(TypeError, match="same dtype"):
        F.linear(npgrad.zeros(3, 5, dtype=npgrad.float64), npgrad.zeros(2, 5))
    with pytest.raises(TypeError, match="input to be a Tensor"):
        F.linear(np.zeros((3, 5)), npgrad.zeros(2, 5))


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_linear_matches_torch(dtype):
    torch = pytest.importorskip("torch")
    x, w, b = _t(2, 3, 5, dtype=dtype), _t(4, 5, dtype=dtype), _t(4, dtype=dtype)
    tx, tw, tb = (torch.tensor(t._data, requires_grad=True) for t in (x, w, b))
    g = RNG.standard_normal((2, 3, 4)).astype(dtype)
    torch.nn.functional.linear(tx, tw, tb).backward(torch.tensor(g))
    out = F.linear(x, w, b)
    out.backward(npgrad.tensor(g))
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == "float32" else {}
    assert_close(out, torch.nn.functional.linear(tx, tw, tb).detach().numpy(), **tol)
    for ours, theirs in ((x, tx), (w, tw), (b, tb)):
        assert_close(ours.grad, theirs.grad.numpy(), **tol)


# ---- bilinear ---------------------------------------------------------------------------------
def _bilinear_ref(x1, x2, w, b=None):
    out = np.einsum("...i,oij,...j->...o", x1, w, x2)
    return out if b is None else out + b


@pytest.mark.parametrize("batch", [(), (4,), (2, 3), (0,)])
def test_bilinear_forward_matches_numpy(batch):
    x1, x2, w, b = _t(*batch, 2), _t(*batch, 3), _t(4, 2, 3), _t(4)
    assert_close(F.bilinear(x1, x2, w, b), _bilinear_ref(x1._data, x2._data, w._data, b._data))
    assert_close(F.bilinear(x1, x2, w), _bilinear_ref(x1._data, x2._data, w._data))


def test_bilinear_gradcheck_and_gradgradcheck():
    x1, x2, w, b = _t(3, 2), _t(3, 3), _t(2, 2, 3), _t(2)
    assert gradcheck(F.bilinear, (x1, x2, w, b))
    assert gradgradcheck(F.bilinear, (x1, x2, w, b))


def test_bilinear_float32_stays_float32():
    x1, x2, w = (
        _t(3, 2, dtype=np.float32),
        _t(3, 3, dtype=np.float32),
        _t(2, 2, 3, dtype=np.float32),
    )
    assert F.bilinear(x1, x2, w).dtype == np.float32


def test_bilinear_errors():
    w = npgrad.zeros(5, 2, 4)
    with pytest.raises(ValueError, match="batch dimensions do not match"):
        F.bilinear(npgrad.zeros(3, 2), npgrad.zeros(2, 4), w)
    with pytest.raises(
        ValueError, match="input1 size does not match weight size: got 3 but expected 2"
    ):
        F.bilinear(npgrad.zeros(3, 3), npgrad.zeros(3, 4), w)
    with pytest.raises(ValueError, match="input2 size"):
        F.bilinear(npgrad.zeros(3, 2), npgrad.zeros(3, 5), w)
    with pytest.raises(ValueError, match="input dimensions do not match"):
        F.bilinear(npgrad.zeros(3, 2), npgrad.zeros(4), w)
    with pytest.raises(ValueError, match="weight must be 3-D"):
        F.bilinear(npgrad.zeros(3, 2), npgrad.zeros(3, 4), npgrad.zeros(2, 4))
    with pytest.raises(ValueError, match="bias size"):
        F.bilinear(npgrad.zeros(3, 2), npgrad.zeros(3, 4), w, npgrad.zeros(4))


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bilinear_matches_torch(dtype):
    torch = pytest.importorskip("torch")
    ts = [
        _t(2, 3, 2, dtype=dtype),
        _t(2, 3, 3, dtype=dtype),
        _t(4, 2, 3, dtype=dtype),
        _t(4, dtype=dtype),
    ]
    tt = [torch.tensor(t._data, requires_grad=True) for t in ts]
    out, tout = F.bilinear(*ts), torch.nn.functional.bilinear(*tt)
    g = RNG.standard_normal(out.shape).astype(dtype)
    out.backward(npgrad.tensor(g))
    tout.backward(torch.tensor(g))
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == "float32" else {}
    assert_close(out, tout.detach().numpy(), **tol)
    for a, b in zip(ts, tt):
        assert_close(a.grad, b.grad.numpy(), **tol)


# ---- one_hot ----------------------------------------------------------------------------------
def test_one_hot_values_shape_and_dtype():
    idx = npgrad.tensor([[0, 2], [1, 1]])
    out = F.one_hot(idx)
    assert out.dtype == np.int64 and out.shape == (2, 2, 3)
    assert out.tolist() == [[[1, 0, 0], [0, 0, 1]], [[0, 1, 0], [0, 1, 0]]]
    assert F.one_hot(idx, 5).shape == (2, 2, 5)
    assert F.one_hot(npgrad.tensor(2), 4).tolist() == [0, 0, 1, 0]
    assert F.one_hot(npgrad.tensor([], dtype=npgrad.int64), 4).shape == (0, 4)


def test_one_hot_errors():
    with pytest.raises(TypeError, match="LongTensor"):
        F.one_hot(npgrad.tensor([0, 1], dtype=npgrad.int32))
    with pytest.raises(TypeError, match="LongTensor"):
        F.one_hot(npgrad.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="non-negative, got -2"):
        F.one_hot(npgrad.tensor([0, -2]))
    with pytest.raises(ValueError, match=r"smaller than num_classes \(3\), got 5"):
        F.one_hot(npgrad.tensor([0, 5]), 3)
    with pytest.raises(ValueError, match="Can not infer"):
        F.one_hot(npgrad.tensor([], dtype=npgrad.int64))


@pytest.mark.torch
def test_one_hot_matches_torch():
    torch = pytest.importorskip("torch")
    idx = RNG.integers(0, 6, (3, 4))
    assert (
        F.one_hot(npgrad.tensor(idx)).tolist()
        == torch.nn.functional.one_hot(torch.tensor(idx)).tolist()
    )
    assert (
        F.one_hot(npgrad.tensor(idx), 9).tolist()
        == torch.nn.functional.one_hot(torch.tensor(idx), 9).tolist()
    )


# ---- normalize ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("p", "dim"), [(2.0, 1), (1.0, 0), (3.0, -1), (float("inf"), 1)])
def test_normalize_matches_numpy(p, dim):
    x = _t(3, 4)
    n = (
        np.linalg.norm(x._data, ord=p, axis=dim, keepdims=True)
        if p != 3.0
        else (np.abs(x._data) ** 3).sum(dim, keepdims=True) ** (1 / 3)
    )
    assert_close(F.normalize(x, p, dim), x._data / np.maximum(n, 1e-12))


def test_normalize_zero_rows_and_gradients():
    x = npgrad.tensor([[0.0, 0.0], [3.0, 4.0]], dtype=npgrad.float64, requires_grad=True)
    out = F.normalize(x)
    assert out.tolist() == [[0.0, 0.0], [0.6, 0.8]]
    out.sum().backward()
    assert np.isfinite(x.grad._data).all()
    y = _t(3, 4)
    assert gradcheck(F.normalize, (y,)) and gradgradcheck(F.normalize, (y,))


def test_normalize_out_argument():
    x = _t(2, 3, grad=False)
    out = npgrad.empty(2, 3, dtype=npgrad.float64)
    assert F.normalize(x, out=out) is out
    assert_close(out, F.normalize(x))


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normalize_matches_torch(dtype):
    torch = pytest.importorskip("torch")
    x = _t(3, 4, dtype=dtype)
    x._data[0] = 0.0  # a zero row: the eps clamp
    tx = torch.tensor(x._data, requires_grad=True)
    g = RNG.standard_normal((3, 4)).astype(dtype)
    tout = torch.nn.functional.normalize(tx, dim=1)
    tout.backward(torch.tensor(g))
    out = F.normalize(x, dim=1)
    out.backward(npgrad.tensor(g))
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {}
    assert_close(out, tout.detach().numpy(), **tol)
    assert_close(x.grad, tx.grad.numpy(), **tol)
