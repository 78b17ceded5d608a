"""PyTorch's remaining everyday names (ops): ``ger``/``inner``/``vdot``/``addr``/``addbmm``/
``chain_matmul``/``frobenius_norm``/``nuclear_norm``, ``ravel``/``unsafe_*``/``detach``/
``fill``/``zero_``, ``put``/``index_reduce``, ``as_strided``, ``hardshrink``/``prelu`` and the
Tensor methods of the same names (with their in-place forms, ``sum_to_size``, ``new``,
``resize_``, ``apply_``...): forward against NumPy in float32 and float64, gradients (first
and second order), errors, and PyTorch parity.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck

FLOATS = [np.float32, np.float64]


def _arr(shape, dtype, seed=0, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def _close(actual, expected, dtype):
    assert isinstance(actual, npgrad.Tensor)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape
    assert actual.dtype == np.dtype(dtype)
    tol = 1e-5 if np.dtype(dtype) == np.float32 else 1e-12
    np.testing.assert_allclose(actual.numpy(), expected, rtol=tol, atol=tol)


def _leaves(*arrays):
    return tuple(npgrad.tensor(a, requires_grad=True) for a in arrays)


# ---- products ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_products_match_numpy(dtype):
    a, b = _arr((2, 3), dtype), _arr((4, 3), dtype, seed=1)
    u, v = _arr((2,), dtype, seed=2), _arr((3,), dtype, seed=3)
    ta, tb, tu, tv = (npgrad.tensor(x) for x in (a, b, u, v))
    _close(npgrad.inner(ta, tb), np.inner(a, b), dtype)
    _close(ta.inner(tv), a @ v, dtype)
    _close(npgrad.inner(npgrad.tensor(dtype(2.0)), ta), 2 * a, dtype)
    _close(npgrad.ger(tu, tv), np.outer(u, v), dtype)
    _close(tu.ger(tu), np.outer(u, u), dtype)
    _close(npgrad.vdot(tv, tv), np.vdot(v, v), dtype)
    c = _arr((2, 3), dtype, seed=4)
    _close(
        npgrad.addr(npgrad.tensor(c), tu, tv, beta=2, alpha=0.5),
        2 * c + 0.5 * np.outer(u, v),
        dtype,
    )
    _close(npgrad.tensor(c).addr(tu, tv), c + np.outer(u, v), dtype)
    b1, b2 = _arr((4, 2, 5), dtype, seed=5), _arr((4, 5, 3), dtype, seed=6)
    expected = 0.5 * c + 2 * np.einsum("bij,bjk->ik", b1, b2)
    got = npgrad.addbmm(npgrad.tensor(c), npgrad.tensor(b1), npgrad.tensor(b2), beta=0.5, alpha=2)
    _close(got, expected, dtype)
    _close(
        npgrad.tensor(c).addbmm(npgrad.tensor(b1), npgrad.tensor(b2)),
        c + np.einsum("bij,bjk->ik", b1, b2),
        dtype,
    )
    x3 = _arr((2, 3, 4), dtype, seed=7)
    _close(
        npgrad.frobenius_norm(npgrad.tensor(x3), (0, 2)),
        np.sqrt((x3.astype(np.float64) ** 2).sum(axis=(0, 2))),
        dtype,
    )
    m = _arr((3, 4), dtype, seed=8)
    nuc = np.linalg.svd(m.astype(np.float64), compute_uv=False).sum()
    _close(npgrad.nuclear_norm(npgrad.tensor(m)), nuc, dtype)
    _close(npgrad.nuclear_norm(npgrad.tensor(m), True), np.full((1, 1), nuc), dtype)


def test_chain_matmul_warns_and_multiplies():
    a, b, c = _arr((2, 3), np.float64), _arr((3, 4), np.float64, 1), _arr((4, 2), np.float64, 2)
    with pytest.warns(UserWarning, match="deprecated"):
        out = npgrad.chain_matmul(npgrad.tensor(a), npgrad.tensor(b), npgrad.tensor(c))
    _close(out, a @ b @ c, np.float64)
    with pytest.warns(UserWarning, match="multi_dot"):
        assert npgrad.chain_matmul(npgrad.tensor(a)).shape == (2, 3)
    with pytest.warns(UserWarning, match="deprecated"), pytest.raises(ValueError, match="2-D"):
        npgrad.chain_matmul(npgrad.ones(3), npgrad.ones(3, 3))


def test_product_errors():
    with pytest.raises(ValueError, match=r"inner.*\(2,\) and \(3,\)"):
        npgrad.inner(npgrad.ones(2), npgrad.ones(3))
    with pytest.raises(RuntimeError, match="vdot.*same dtype"):
        npgrad.vdot(npgrad.ones(2), npgrad.ones(2, dtype=npgrad.float64))
    with pytest.raises(ValueError, match="1-D"):
        npgrad.ger(npgrad.ones(2, 2), npgrad.ones(2))
    with pytest.raises(ValueError, match="one or two dims"):
        npgrad.frobenius_norm(npgrad.ones(2, 2, 2), (0, 1, 2))
    with pytest.raises(ValueError, match="two dims"):
        npgrad.nuclear_norm(npgrad.ones(2, 2), (0,))
    with pytest.raises(TypeError):
        npgrad.inner([1.0], npgrad.ones(1))


def test_beta_zero_ignores_nan_input():
    out = npgrad.addr(npgrad.full((2, 2), float("nan")), npgrad.ones(2), npgrad.ones(2), beta=0)
    assert out.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_product_gradients_first_and_second_order():
    c, u, v = _leaves(
        _arr((2, 3), np.float64), _arr((2,), np.float64, 1), _arr((3,), np.float64, 2)
    )
    for fn, args in [
        (lambda c, u, v: npgrad.addr(c, u, v, beta=0.5, alpha=2.0), (c, u, v)),
        (lambda u, v: npgrad.ger(u, v) ** 2, (u, v)),
        (lambda c, v: npgrad.inner(c, c * v), (c, v)),
        (lambda v: npgrad.vdot(v, v * v), (v,)),
        (lambda c: npgrad.nuclear_norm(c), (c,)),
        (lambda c: npgrad.frobenius_norm(c, 1, keepdim=True), (c,)),
    ]:
        assert gradcheck(fn, args)
        assert gradgradcheck(fn, args)


# ---- shape and state functions ----------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_ravel_and_unsafe_splits_match_numpy(dtype):
    a = _arr((3, 4), dtype)
    t = npgrad.tensor(a)
    _close(npgrad.ravel(t.t()), a.T.ravel(), dtype)
    _close(t.ravel(), a.ravel(), dtype)
    for got, want in zip(npgrad.unsafe_chunk(t, 2, 1), np.split(a, 2, axis=1)):
        _close(got, want, dtype)
    for got, want in zip(t.unsafe_split(3, 1), [a[:, :3], a[:, 3:]]):
        _close(got, want, dtype)
    for got, want in zip(t.unsafe_split_with_sizes([1, 2]), [a[:1], a[1:]]):
        _close(got, want, dtype)


def test_ravel_of_a_contiguous_tensor_is_a_view():
    t = npgrad.zeros(2, 3)
    r = npgrad.ravel(t)
    r[0] = 5.0
    assert t[0, 0].item() == 5.0


def test_detach_fill_and_zero_functions():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    d = npgrad.detach(x)
    assert not d.requires_grad and np.shares_memory(d.numpy(), x.numpy())
    f = npgrad.fill(x, 3.0)
    assert f.tolist() == [3.0, 3.0] and x.tolist() == [1.0, 2.0]
    (f * x).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]  # only through the product: fill's own is zero
    v = npgrad.tensor(2.0, dtype=npgrad.float64, requires_grad=True)
    npgrad.fill(npgrad.zeros(3, dtype=npgrad.float64), v).sum().backward()
    assert v.grad.item() == 3.0
    z = npgrad.ones(2, dtype=npgrad.int64)
    assert npgrad.zero_(z) is z and z.tolist() == [0, 0]
    with pytest.raises(RuntimeError):
        npgrad.zero_(npgrad.ones(2, requires_grad=True))  # a leaf that requires grad


def test_sum_to_size():
    a = _arr((2, 3), np.float32)
    t = npgrad.tensor(a)
    _close(t.sum_to_size(3), a.sum(0), np.float32)
    _close(t.sum_to_size(2, 1), a.sum(1, keepdims=True), np.float32)
    _close(t.sum_to_size((1, 1)), a.sum(keepdims=True), np.float32)
    assert t.sum_to_size(2, 3) is t
    with pytest.raises(ValueError, match="not expandable"):
        t.sum_to_size(2)
    with pytest.raises(ValueError, match="not expandable"):
        t.sum_to_size(1, 2, 3)
    (x,) = _leaves(_arr((2, 3), np.float64))
    assert gradgradcheck(lambda x: (x * x).sum_to_size(1, 3), (x,))


def test_inplace_scans_and_floor_divide():
    a = _arr((2, 3), np.float64)
    t = npgrad.tensor(a)
    assert t.cumsum_(1) is t
    _close(t, np.cumsum(a, 1), np.float64)
    t = npgrad.tensor(a)
    _close(t.cumprod_(dim=0), np.cumprod(a, 0), np.float64)
    t = npgrad.tensor([7, -7])
    t.floor_divide_(2)
    assert t.tolist() == [3, -4]
    x = npgrad.tensor(a, requires_grad=True)
    with pytest.raises(RuntimeError):
        x.cumsum_(0)  # a leaf that requires grad, as in PyTorch
    y = x * 1.0
    y.cumsum_(1)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[3.0, 2.0, 1.0]] * 2)


def test_inplace_products():
    c = npgrad.zeros(2, 2)
    c.addr_(npgrad.tensor([1.0, 2.0]), npgrad.tensor([1.0, 3.0]))
    assert c.tolist() == [[1.0, 3.0], [2.0, 6.0]]
    c.addbmm_(npgrad.ones(2, 2, 1), npgrad.ones(2, 1, 2), beta=0.0)
    assert c.tolist() == [[2.0, 2.0], [2.0, 2.0]]


# ---- put, index_reduce --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_put_matches_numpy(dtype):
    a, s = _arr((2, 3), dtype), _arr((3,), dtype, 1)
    idx = np.array([0, 4, -1])
    want = a.copy().ravel()
    want[idx] = s
    _close(
        npgrad.put(npgrad.tensor(a), npgrad.tensor(idx), npgrad.tensor(s)),
        want.reshape(2, 3),
        dtype,
    )
    want = a.copy().ravel()
    np.add.at(want, [1, 1, 0], s)
    got = npgrad.tensor(a).put(npgrad.tensor([1, 1, 0]), npgrad.tensor(s), accumulate=True)
    _close(got, want.reshape(2, 3), dtype)
    t = npgrad.tensor(a)
    assert t.put_(npgrad.tensor([[0]]), npgrad.tensor([[9.0]], dtype=dtype)) is t
    assert t[0, 0].item() == 9.0


def test_put_errors():
    x = npgrad.zeros(2, 2)
    with pytest.raises(ValueError, match="same number of elements"):
        x.put(npgrad.tensor([0, 1]), npgrad.tensor([1.0]))
    with pytest.raises(IndexError, match="out of range"):
        x.put(npgrad.tensor([4]), npgrad.tensor([1.0]))
    with pytest.raises(TypeError, match="integer"):
        x.put(npgrad.tensor([0.0]), npgrad.tensor([1.0]))


def _index_reduce_ref(x, dim, idx, src, reduce, include_self):
    x = np.moveaxis(x.astype(np.float64), dim, 0).copy()
    src = np.moveaxis(src.astype(np.float64), dim, 0)
    groups = {}
    for k, i in enumerate(idx):
        groups.setdefault(int(i), []).append(src[k])
    for i, vals in groups.items():
        vals = ([x[i]] if include_self else []) + vals
        stack = np.stack(vals)
        x[i] = {
            "prod": np.prod(stack, 0),
            "mean": np.mean(stack, 0),
            "amax": np.max(stack, 0),
            "amin": np.min(stack, 0),
        }[reduce]
    return np.moveaxis(x, 0, dim)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce_matches_a_reference(dtype, reduce, include_self):
    x, src = _arr((3, 4), dtype), _arr((3, 3), dtype, 1)
    idx = np.array([0, 3, 0])
    got = npgrad.tensor(x).index_reduce(
        1, npgrad.tensor(idx), npgrad.tensor(src), reduce, include_self=include_self
    )
    _close(got, _index_reduce_ref(x, 1, idx, src, reduce, include_self).astype(dtype), dtype)
    t = npgrad.tensor(x)
    t.index_reduce_(1, npgrad.tensor(idx), npgrad.tensor(src), reduce, include_self=include_self)
    _close(t, got.numpy(), dtype)


def test_inplace_put_and_index_reduce_are_differentiable():
    a, s = _leaves(_arr((2, 3), np.float64), _arr((2, 2), np.float64, 1))

    def put_(a, s):
        y = a * 1.0
        return y.put_(npgrad.tensor([5, 0, 5, 1]), s * s, accumulate=True)

    def reduce_(a, s):
        y = a * a
        return y.index_reduce_(1, npgrad.tensor([2, 0]), s, "prod", include_self=False)

    for fn in (put_, reduce_):
        assert gradcheck(fn, (a, s))
        assert gradgradcheck(fn, (a, s))


def test_index_reduce_errors():
    x = npgrad.zeros(2, 3)
    with pytest.raises(ValueError, match="reduce must be one of"):
        x.index_reduce(1, npgrad.tensor([0]), npgrad.ones(2, 1), "sum")
    with pytest.raises(ValueError, match="source of shape"):
        x.index_reduce(1, npgrad.tensor([0]), npgrad.ones(2, 2), "prod")
    with pytest.raises(IndexError, match="out of range"):
        x.index_reduce(1, npgrad.tensor([3]), npgrad.ones(2, 1), "prod")
    with pytest.raises(IndexError):
        x.index_reduce(2, npgrad.tensor([0]), npgrad.ones(2, 1), "prod")


# ---- as_strided ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_as_strided_matches_numpy_and_is_a_view(dtype):
    a = _arr((8,), dtype)
    t = npgrad.tensor(a)
    want = np.lib.stride_tricks.as_strided(a[1:], (3, 2), (2 * a.itemsize, 3 * a.itemsize))
    v = t.as_strided((3, 2), (2, 3), 0)
    want = np.lib.stride_tricks.as_strided(a, (3, 2), (2 * a.itemsize, 3 * a.itemsize))
    _close(v, want, dtype)
    _close(t.as_strided((2, 2), (3, 1), 2), [[a[2], a[3]], [a[5], a[6]]], dtype)
    v[0, 1] = 100.0
    assert t[3].item() == 100.0
    assert npgrad.as_strided(t, (0, 5), (1, 1)).shape == (0, 5)


def test_as_strided_gradient_adds_overlaps():
    x = npgrad.arange(5.0, dtype=npgrad.float64).requires_grad_()
    y = x.as_strided((3, 3), (1, 1))  # sliding windows: middle elements are read 3 times
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 3.0, 2.0, 1.0]
    (w,) = _leaves(_arr((6,), np.float64))
    assert gradcheck(lambda w: (w * w).as_strided((2, 2), (2, 1), 1), (w,))
    assert gradgradcheck(lambda w: (w * w).as_strided((2, 3), (1, 2)) ** 2, (w,))


def test_as_strided_in_place_narrow_copy_and_row_stack():
    x = npgrad.arange(6.0)
    assert x.as_strided_((2, 2), (1, 1)) is x
    assert x.tolist() == [[0.0, 1.0], [1.0, 2.0]]
    a = npgrad.arange(12).reshape(3, 4)
    c = npgrad.narrow_copy(a, 1, 1, 2)
    assert c.tolist() == [[1, 2], [5, 6], [9, 10]]
    c[0, 0] = 100
    assert a[0, 1].item() == 1  # a copy
    assert a.narrow_copy(0, 2, 1).tolist() == [[8, 9, 10, 11]]
    r = npgrad.row_stack([npgrad.tensor([1.0, 2.0]), npgrad.tensor([[3.0, 4.0]])])
    assert r.tolist() == [[1.0, 2.0], [3.0, 4.0]] and r.dtype == npgrad.float32
    with pytest.raises(IndexError):
        npgrad.narrow_copy(a, 2, 0, 1)


def test_as_strided_errors():
    x = npgrad.zeros(4)
    with pytest.raises(RuntimeError, match="need 5 elements"):
        x.as_strided((2, 2), (2, 1), 1)
    with pytest.raises(ValueError, match="mismatch"):
        x.as_strided((2, 2), (1,))
    with pytest.raises(ValueError, match="non-negative"):
        x.as_strided((2,), (-1,))
    with pytest.raises(RuntimeError, match="contiguous"):
        npgrad.zeros(2, 3).t().as_strided((2,), (1,))


# ---- gradient --------------------------------------------------------------------------------
def _np_gradient(a, spacing, axis, edge_order):
    # NumPy's gradient takes the same spacing forms (scalar or coordinate arrays)
    return np.gradient(a, spacing, axis=axis, edge_order=edge_order)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_matches_numpy(dtype, edge_order):
    a = _arr((3, 5), dtype)
    t = npgrad.tensor(a)
    for got, axis in zip(npgrad.gradient(t, edge_order=edge_order), (0, 1)):
        _close(got, _np_gradient(a, 1.0, axis, edge_order), dtype)
    (g1,) = npgrad.gradient(t, spacing=0.5, dim=1, edge_order=edge_order)
    _close(g1, _np_gradient(a, 0.5, 1, edge_order), dtype)
    coords = np.array([0.0, 0.5, 2.0, 2.5, 4.0], dtype)
    (g2,) = npgrad.gradient(t, spacing=[npgrad.tensor(coords)], dim=[1], edge_order=edge_order)
    _close(g2, _np_gradient(a, coords, 1, edge_order), dtype)
    g3, g4 = npgrad.gradient(t, spacing=[2.0, 3.0], edge_order=edge_order)
    _close(g3, _np_gradient(a, 2.0, 0, edge_order), dtype)
    _close(g4, _np_gradient(a, 3.0, 1, edge_order), dtype)


def test_gradient_special_inputs_and_errors():
    g = npgrad.gradient(npgrad.tensor([1, 2, 4]))
    assert g[0].dtype == npgrad.float32 and g[0].tolist() == [1.0, 1.5, 2.0]
    assert npgrad.gradient(npgrad.tensor(1.0)) == ()
    x = npgrad.zeros(3, 4)
    with pytest.raises(ValueError, match="edge_order"):
        npgrad.gradient(x, edge_order=3)
    with pytest.raises(ValueError, match="at least"):
        npgrad.gradient(npgrad.zeros(2), edge_order=2)
    with pytest.raises(ValueError, match="list of length 2"):
        npgrad.gradient(x, spacing=[1.0])
    with pytest.raises(ValueError, match="multiple times"):
        npgrad.gradient(x, dim=(0, 0))
    with pytest.raises(ValueError, match="1-D"):
        npgrad.gradient(x, spacing=[npgrad.tensor(1.0), 1.0])
    with pytest.raises(ValueError, match="has size 3"):
        npgrad.gradient(x, spacing=[npgrad.zeros(2), 1.0])
    with pytest.raises(IndexError):
        npgrad.gradient(x, dim=2)


def test_gradient_is_differentiable_in_values_and_coordinates():
    a, c = _leaves(_arr((3, 4), np.float64), _arr((4,), np.float64, 1, -0.3, 0.3))

    def fn(a, c):
        coords = npgrad.tensor([0.0, 1.0, 2.0, 3.0], dtype=npgrad.float64) + c
        return npgrad.gradient(a * a, spacing=[coords], dim=1, edge_order=2)[0]

    assert gradcheck(fn, (a, c))
    assert gradgradcheck(fn, (a, c))


# ---- histogramdd --------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_histogramdd_matches_numpy(dtype):
    pts = _arr((40, 3), dtype, low=-1.0, high=1.0)
    w = _arr((40,), dtype, 1, 0.0, 1.0)
    rng = [-0.5, 0.5, -1.0, 1.0, 0.0, 1.0]
    h = npgrad.histogramdd(npgrad.tensor(pts), bins=[2, 3, 4], range=rng, weight=npgrad.tensor(w))
    want, want_edges = np.histogramdd(
        pts, bins=[2, 3, 4], range=[rng[0:2], rng[2:4], rng[4:6]], weights=w
    )
    _close(h.hist, want.astype(dtype), dtype)
    for got, e in zip(h.bin_edges, want_edges):
        _close(got, e.astype(dtype), dtype)
    d = npgrad.histogramdd(npgrad.tensor(pts.reshape(8, 5, 3)), bins=3, density=True)
    want, edges = np.histogramdd(pts, bins=3, density=True)
    _close(d.hist, want.astype(dtype), dtype)
    e = npgrad.histogramdd(
        npgrad.tensor(pts[:, :2]), bins=[npgrad.tensor([-1.0, 0.0, 1.0]), npgrad.tensor([0.0, 1.0])]
    )
    want, _ = np.histogramdd(pts[:, :2], bins=[[-1.0, 0.0, 1.0], [0.0, 1.0]])
    _close(e.hist, want.astype(dtype), dtype)


def test_histogramdd_errors():
    pts = npgrad.zeros(4, 2)
    with pytest.raises(ValueError, match="innermost"):
        npgrad.histogramdd(pts, bins=[2])
    with pytest.raises(ValueError, match="2 \\* 2"):
        npgrad.histogramdd(pts, bins=2, range=[0.0, 1.0])
    with pytest.raises(ValueError, match="positive"):
        npgrad.histogramdd(pts, bins=0)
    with pytest.raises(TypeError, match="floating"):
        npgrad.histogramdd(npgrad.zeros(4, 2, dtype=npgrad.int64))
    with pytest.raises(ValueError, match="weight"):
        npgrad.histogramdd(pts, weight=npgrad.ones(3))


@pytest.mark.torch
def test_torch_parity_histogramdd():
    torch = pytest.importorskip("torch")
    pts = _arr((30, 2), np.float32, low=-1.0, high=1.0)
    for kw in ({"bins": 3}, {"bins": [2, 5], "range": [-1.0, 0.0, -1.0, 1.0], "density": True}):
        got = npgrad.histogramdd(npgrad.tensor(pts), **kw)
        want = torch.histogramdd(torch.tensor(pts), **kw)
        np.testing.assert_allclose(got.hist.numpy(), want.hist.numpy(), rtol=1e-6)
        for g, w in zip(got.bin_edges, want.bin_edges):
            np.testing.assert_array_equal(g.numpy(), w.numpy())


# ---- activations ------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_hardshrink_and_prelu_match_numpy(dtype):
    a = _arr((2, 3, 2), dtype)
    w = _arr((3,), dtype, 1, 0.0, 1.0)
    t = npgrad.tensor(a)
    _close(npgrad.hardshrink(t, 0.7), np.where(np.abs(a) > dtype(0.7), a, 0), dtype)
    _close(t.hardshrink(), np.where(np.abs(a) > dtype(0.5), a, 0), dtype)
    _close(t.prelu(npgrad.tensor(w)), np.where(a > 0, a, w[None, :, None] * a), dtype)
    _close(npgrad.prelu(t, npgrad.tensor(w[:1])), np.where(a > 0, a, w[0] * a), dtype)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_hardshrink_refuses_integer_tensors(dtype):
    # PyTorch has no integer kernel (NotImplementedError); it used to return float32 here
    with pytest.raises(TypeError, match="hardshrink: not implemented for"):
        npgrad.hardshrink(npgrad.tensor(np.array([1, 0, 1]).astype(dtype)))


def test_nn_functional_uses_the_core_ops():
    nnf = pytest.importorskip("npgrad.nn.functional")
    assert nnf.hardshrink is npgrad.hardshrink
    assert nnf.prelu is npgrad.prelu


def test_prelu_errors():
    with pytest.raises(ValueError, match="Mismatch"):
        npgrad.prelu(npgrad.ones(2, 3), npgrad.ones(2))
    with pytest.raises(TypeError, match="weight"):
        npgrad.prelu(npgrad.ones(2, 3), 0.5)
    with pytest.raises(ValueError, match="1D"):
        npgrad.prelu(npgrad.ones(2, 3), npgrad.ones(3, 1))


# ---- legacy constructors, resize_, Python callables --------------------------------------------
def test_new_legacy_constructor():
    x = npgrad.zeros(1, dtype=npgrad.float64)
    assert x.new([1, 2]).dtype == np.float64 and x.new([1, 2]).tolist() == [1.0, 2.0]
    assert x.new((2, 3)).tolist() == [2.0, 3.0]  # a tuple is data, as in PyTorch
    assert x.new(2, 3).shape == (2, 3) and x.new(2, 3).dtype == np.float64
    assert x.new().shape == (0,)
    y = npgrad.ones(2, dtype=npgrad.float64, requires_grad=True)
    alias = x.new(y)
    assert not alias.requires_grad and np.shares_memory(alias.numpy(), y.numpy())
    with pytest.raises(TypeError, match="dtype"):
        x.new(npgrad.ones(2))
    e = x.new_empty_strided((2, 3), (1, 2))
    assert e.stride() == (1, 2) and e.dtype == np.float64


def test_output_nr():
    x = npgrad.ones(4, requires_grad=True)
    assert x.output_nr == 0
    assert [p.output_nr for p in x.split(1)] == [0, 1, 2, 3]


def test_resize_():
    t = npgrad.arange(6)
    v0 = t._version
    assert t.resize_(2, 2) is t
    assert t.tolist() == [[0, 1], [2, 3]] and t._version > v0
    t.resize_(3, 3)
    assert t.shape == (3, 3) and t.reshape(-1)[:4].tolist() == [0, 1, 2, 3]
    t.resize_as_(npgrad.zeros(9))
    assert t.shape == (9,)
    with pytest.raises(RuntimeError, match="requires grad"):
        npgrad.ones(2, requires_grad=True).resize_(4)
    with pytest.raises(ValueError, match="negative"):
        t.resize_(-1)
    base = npgrad.zeros(4)
    with pytest.raises(RuntimeError, match="view"):
        base[:2].resize_(3)
    assert base.shape == (4,)


def test_apply_map_map2():
    t = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.apply_(lambda v: v * v) is t
    assert t.tolist() == [[1.0, 4.0], [9.0, 16.0]]
    t.map_(npgrad.tensor([1.0, -1.0]), lambda a, b: a * b)
    assert t.tolist() == [[1.0, -4.0], [9.0, -16.0]]
    t.map2_(npgrad.tensor(2.0), npgrad.tensor([[0.0], [1.0]]), lambda a, b, c: a + b + c)
    assert t.tolist() == [[3.0, -2.0], [12.0, -13.0]]
    with pytest.raises(RuntimeError, match="requires grad"):
        npgrad.ones(2, requires_grad=True).apply_(abs)
    with pytest.raises(TypeError, match="callable"):
        t.apply_(3)


# ---- the complex-number API on real tensors ----------------------------------------------------
def test_conjugation_api_on_real_tensors():
    x = npgrad.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], requires_grad=True)
    for fn in (npgrad.conj, npgrad.conj_physical, npgrad.resolve_conj, npgrad.resolve_neg):
        assert fn(x) is x
    for meth in ("conj", "conj_physical", "resolve_conj", "resolve_neg"):
        assert getattr(x, meth)() is x
    assert npgrad.real(x) is x and x.real is x
    assert npgrad.is_conj(x) is False and x.is_neg() is False
    with pytest.raises(RuntimeError, match="non-complex"):
        npgrad.imag(x)
    np.testing.assert_array_equal(npgrad.adjoint(x).numpy(), x.detach().numpy().T)
    np.testing.assert_array_equal(x.H.numpy(), x.detach().numpy().T)
    b = npgrad.tensor(_arr((2, 3, 4), np.float32))
    np.testing.assert_array_equal(b.mH.numpy(), np.swapaxes(b.numpy(), -1, -2))
    np.testing.assert_array_equal(b.adjoint().numpy(), np.swapaxes(b.numpy(), -1, -2))
    s = npgrad.tensor(2.0)
    assert s.H is s and s.mH is s
    x.H.sum().backward()
    assert x.grad.tolist() == [[1.0] * 3] * 2
    with pytest.raises(ValueError, match="2-D"):
        _ = b.H
    with pytest.raises(RuntimeError, match="matrices"):
        _ = npgrad.ones(3).mH
    with pytest.raises(ValueError, match="matrices"):
        npgrad.adjoint(npgrad.ones(3))
    with pytest.raises(TypeError):
        npgrad.conj([1.0])


@pytest.mark.torch
def test_torch_parity_conjugation():
    torch = pytest.importorskip("torch")
    a = _arr((2, 3), np.float64)
    t, tt = npgrad.tensor(a), torch.tensor(a)
    assert (torch.conj(tt) is tt) == (npgrad.conj(t) is t)
    assert torch.is_conj(tt) == npgrad.is_conj(t) and torch.is_neg(tt) == npgrad.is_neg(t)
    np.testing.assert_array_equal(t.mH.numpy(), tt.mH.numpy())
    np.testing.assert_array_equal(npgrad.adjoint(t).numpy(), torch.adjoint(tt).numpy())
    with pytest.raises(RuntimeError):
        torch.imag(tt)
    with pytest.raises(RuntimeError):
        _ = torch.ones(3).mH
    with pytest.raises(RuntimeError):
        _ = npgrad.ones(3).mH  # ShapeError is also PyTorch's RuntimeError


# ---- PyTorch parity ----------------------------------------------------------------------------
def _grads(lib, fn, arrays):
    ts = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = fn(lib, *ts)
    outs = out if isinstance(out, tuple) else (out,)
    total = sum((o * o).sum() for o in outs)
    total.backward()
    return [np.asarray(o.detach().numpy()) for o in outs], [np.asarray(t.grad.numpy()) for t in ts]


PARITY = {
    "gradient": (
        lambda L, a, c: L.gradient(
            a * a,
            spacing=[
                L.tensor([0.0, 1.5, 2.0], dtype=a.dtype),
                L.tensor([0.0, 1.0, 3.0, 4.0], dtype=a.dtype) + 0.1 * c,
            ],
        ),
        [(3, 4), (4,)],
    ),
    "gradient_order2": (
        lambda L, a: L.gradient(a, spacing=0.5, dim=0, edge_order=2),
        [(4, 3)],
    ),
    "inner": (lambda L, a, b: L.inner(a, b), [(2, 3), (4, 3)]),
    "ger": (lambda L, a, b: L.ger(a, b), [(2,), (3,)]),
    "vdot": (lambda L, a, b: L.vdot(a, b), [(3,), (3,)]),
    "addr": (lambda L, c, a, b: L.addr(c, a, b, beta=0.5, alpha=2.0), [(2, 3), (2,), (3,)]),
    "addbmm": (lambda L, c, a, b: L.addbmm(c, a, b, alpha=0.5), [(3,), (2, 2, 4), (2, 4, 3)]),
    "frobenius_norm": (lambda L, a: L.frobenius_norm(a, (0, 2), True), [(2, 3, 2)]),
    "nuclear_norm": (lambda L, a: L.nuclear_norm(a, (1, 2)), [(2, 3, 2)]),
    "ravel": (lambda L, a: L.ravel(a.t()), [(2, 3)]),
    "narrow_copy": (lambda L, a: L.narrow_copy(a * 1, 1, 1, 2), [(2, 4)]),
    "row_stack": (lambda L, a, b: L.row_stack([a, b]), [(3,), (2, 3)]),
    "unsafe_chunk": (lambda L, a: L.unsafe_chunk(a, 2, 1), [(2, 4)]),
    "unsafe_split": (lambda L, a: L.unsafe_split(a, 3, 1), [(2, 4)]),
    "fill": (lambda L, a, v: L.fill(a, v.sum()) * a, [(2, 3), (2,)]),
    "hardshrink": (lambda L, a: L.hardshrink(a, 0.6), [(2, 3)]),
    "prelu": (lambda L, a, w: L.prelu(a, w), [(2, 3, 2), (3,)]),
    "sum_to_size": (lambda L, a: a.sum_to_size(2, 1), [(2, 3)]),
    "put": (lambda L, a, s: a.put(L.tensor([0, 4, 0]), s, accumulate=True), [(2, 3), (3,)]),
    "as_strided": (lambda L, a: (a * 1).as_strided((3, 3), (1, 1), 1), [(6,)]),
    "index_reduce": (
        lambda L, a, s: tuple(
            a.index_reduce(1, L.tensor([0, 2, 0]), s, r, include_self=inc)
            for r, inc in (("prod", True), ("mean", False), ("amax", True), ("amin", False))
        ),
        [(2, 3), (2, 3)],
    ),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(PARITY))
def test_torch_parity_values_and_gradients(name):
    torch = pytest.importorskip("torch")
    fn, shapes = PARITY[name]
    arrays = [_arr(s, np.float64, seed=k) for k, s in enumerate(shapes)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got_out, got_grad = _grads(npgrad, fn, arrays)
        want_out, want_grad = _grads(torch, fn, arrays)
    for g, w in zip(got_out + got_grad, want_out + want_grad):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


@pytest.mark.torch
def test_torch_parity_float32_dtypes_and_new():
    torch = pytest.importorskip("torch")
    a = _arr((2, 3), np.float32)
    t, tt = npgrad.tensor(a), torch.tensor(a)
    for got, want in [
        (npgrad.inner(t, t), torch.inner(tt, tt)),
        (t.hardshrink(), tt.hardshrink()),
        (t.ravel(), tt.ravel()),
        (t.new([1, 2]), tt.new([1, 2])),
        (t.sum_to_size(3), tt.sum_to_size(3)),
    ]:
        assert str(got.dtype) == str(want.dtype).replace("torch.", "")
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    assert t.new(2, 3).shape == tuple(tt.new(2, 3).shape)
    assert t.new((2, 3)).tolist() == tt.new((2, 3)).tolist()
    r, tr = npgrad.arange(6).resize_(2, 2), torch.arange(6).resize_(2, 2)
    assert r.tolist() == tr.tolist()
    s, ts = npgrad.tensor([1, 2]), torch.tensor([1, 2])
    assert s.apply_(lambda v: v * 3).tolist() == ts.apply_(lambda v: v * 3).tolist()
