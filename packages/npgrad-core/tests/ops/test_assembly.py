"""``npgrad.ops.assembly``: block_diag, cartesian_prod, combinations, tril/triu_indices,
vander, diagflat, the slice/select/diagonal scatters, split_with_sizes, h/v/dsplit,
fliplr/flipud, unravel_index and ``Tensor.unfold`` -- values against NumPy in float32 and
float64, gradients (first and second order), views, errors and PyTorch parity."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck

FLOATS = [np.float32, np.float64]


def _arr(shape, dtype=np.float64, seed=0, low=-3.0, high=3.0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def _leaf(shape, seed=0):
    return npgrad.tensor(_arr(shape, np.float64, seed), requires_grad=True)


def _same(actual, expected, dtype=None):
    assert isinstance(actual, npgrad.Tensor)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape
    assert actual.dtype == (expected.dtype if dtype is None else np.dtype(dtype))
    np.testing.assert_array_equal(actual.numpy(), expected)


@pytest.mark.parametrize("dtype", FLOATS)
def test_block_diag_cartesian_prod_combinations(dtype):
    a, b, c = _arr((2, 3), dtype, 0), _arr(2, dtype, 1), np.array(5.0, dtype)
    out = npgrad.block_diag(npgrad.tensor(a), npgrad.tensor(b), npgrad.tensor(c))
    ref = np.zeros((4, 6), dtype)
    ref[:2, :3], ref[2, 3:5], ref[3, 5] = a, b, c
    _same(out, ref)
    assert npgrad.block_diag().shape == (1, 0)
    assert npgrad.block_diag(npgrad.tensor([1]), npgrad.tensor([2.0])).dtype == np.float32
    x, y = _arr(3, dtype, 2), _arr(2, dtype, 3)
    _same(
        npgrad.cartesian_prod(npgrad.tensor(x), npgrad.tensor(y)),
        np.array(list(itertools.product(x, y)), dtype),
    )
    _same(npgrad.cartesian_prod(npgrad.tensor(x)), x)
    for r, rep in ((2, False), (3, False), (2, True), (5, False)):
        gen = itertools.combinations_with_replacement if rep else itertools.combinations
        ref = np.array(list(gen(x, r)), dtype).reshape(-1, r)
        _same(npgrad.combinations(npgrad.tensor(x), r, rep), ref)
    _same(npgrad.combinations(npgrad.tensor(x), 0), np.empty(0, dtype))


def test_index_triangles_vander_diagflat():
    for row, col, off in ((3, 3, 0), (3, 5, 1), (4, 2, -1), (0, 3, 0), (3, 4, 10)):
        _same(
            npgrad.tril_indices(row, col, off),
            np.stack(np.tril_indices(row, off, col)).astype(np.int64).reshape(2, -1),
        )
        _same(
            npgrad.triu_indices(row, col, off),
            np.stack(np.triu_indices(row, off, col)).astype(np.int64).reshape(2, -1),
        )
    assert npgrad.tril_indices(3, 3, dtype=npgrad.int32).dtype == np.int32
    x = np.array([0.0, 2.0, -1.5])
    for n in (None, 1, 4):
        _same(npgrad.vander(npgrad.tensor(x), n), np.vander(x, n))
        _same(npgrad.vander(npgrad.tensor(x), n, increasing=True), np.vander(x, n, increasing=True))
    assert npgrad.vander(npgrad.tensor(x), 0).shape == (3, 0)
    _same(
        npgrad.vander(npgrad.tensor([1, 2], dtype=npgrad.int8)),
        np.vander(np.array([1, 2])).astype(np.int64),
    )
    m = np.array([[1, 2], [3, 4]])
    for off in (0, 2, -1):
        _same(npgrad.diagflat(npgrad.tensor(m), off), np.diagflat(m, off))


@pytest.mark.parametrize("dtype", FLOATS)
def test_scatters(dtype):
    a = _arr((3, 5), dtype, 0)
    t = npgrad.tensor(a)
    src = _arr((3, 2), dtype, 1)
    ref = a.copy()
    ref[:, 1:5:2] = src
    _same(npgrad.slice_scatter(t, npgrad.tensor(src), 1, 1, 5, 2), ref)
    ref = a.copy()
    ref[1:] = a[:2]
    _same(npgrad.slice_scatter(t, npgrad.tensor(a[:2]), start=1), ref)
    ref = a.copy()
    ref[:, -2] = src[:, 0]
    _same(npgrad.select_scatter(t, npgrad.tensor(src[:, 0]), 1, -2), ref)
    d = _arr(3, dtype, 2)
    ref = a.copy()
    ref[[0, 1, 2], [1, 2, 3]] = d
    _same(npgrad.diagonal_scatter(t, npgrad.tensor(d), 1), ref)
    ref = a.copy()
    ref[[1, 2], [0, 1]] = d[:2]
    _same(t.diagonal_scatter(npgrad.tensor(d[:2]), -1), ref)
    np.testing.assert_array_equal(t.numpy(), a)  # the input is not modified


def test_scatter_gradients():
    a = _leaf((3, 4))
    s1, s2, s3 = _leaf((3, 2), 1), _leaf((4,), 2), _leaf((3,), 3)
    for fn, src in (
        (lambda x, s: npgrad.slice_scatter(x, s, 1, 0, 4, 2), s1),
        (lambda x, s: npgrad.select_scatter(x, s, 0, 1), s2),
        (lambda x, s: npgrad.diagonal_scatter(x, s, 1), s3),
    ):
        assert gradcheck(fn, (a, src))
        assert gradgradcheck(lambda x, s, f=fn: f(x * x, s * s), (a, src))
    b = _leaf((2, 3))
    for fn in (
        lambda x: npgrad.block_diag(x, x[0], x[1, 1]),
        lambda x: npgrad.cartesian_prod(x[0], x[1]),
        lambda x: npgrad.combinations(x[0], 2, True),
        lambda x: npgrad.vander(x[0], 4),
        lambda x: npgrad.diagflat(x, 1),
        lambda x: npgrad.fliplr(x) * npgrad.flipud(x),
    ):
        assert gradcheck(fn, (b,))
        assert gradgradcheck(fn, (b,))
    z = npgrad.tensor([0.0, 1.0], requires_grad=True)
    npgrad.vander(z, 3).sum().backward()  # d/dx (x^2 + x + 1) at 0 is 1: no nan at zero
    np.testing.assert_array_equal(z.grad.numpy(), [1.0, 3.0])


def test_splits_and_flips():
    a = np.arange(24).reshape(2, 3, 4)
    t = npgrad.tensor(a)
    for ours, ref in (
        (npgrad.split_with_sizes(t, [1, 3], 2), np.split(a, [1], 2)),
        (npgrad.hsplit(t, 3), np.hsplit(a, 3)),
        (npgrad.hsplit(npgrad.tensor(a[0, 0]), [1, 3]), np.hsplit(a[0, 0], [1, 3])),
        (npgrad.vsplit(t, [1]), np.vsplit(a, [1])),
        (npgrad.dsplit(t, 2), np.dsplit(a, 2)),
        (t.dsplit([1, 2]), np.dsplit(a, [1, 2])),
    ):
        assert len(ours) == len(ref)
        for o, r in zip(ours, ref):
            _same(o, r)
    parts = npgrad.split_with_sizes(t, [1, 2], 1)
    assert np.shares_memory(parts[1].numpy(), t.numpy())  # views, as split's
    _same(npgrad.fliplr(t), np.fliplr(a))
    _same(npgrad.flipud(t), np.flipud(a))
    _same(t.fliplr(), np.fliplr(a))


def test_unravel_index():
    idx = np.array([[0, 5], [11, -1]])
    ours = npgrad.unravel_index(npgrad.tensor(idx), (3, 4))
    ref = np.unravel_index(idx % 12, (3, 4))
    for o, r in zip(ours, ref):
        _same(o, r.astype(np.int64))
    assert [o.item() for o in npgrad.unravel_index(7, (2, 2, 2))] == [1, 1, 1]
    with pytest.raises(ValueError, match="out of range"):
        npgrad.unravel_index(npgrad.tensor([12]), (3, 4))
    with pytest.raises(TypeError, match="integer"):
        npgrad.unravel_index(npgrad.tensor([1.0]), (3, 4))


# ---- unfold ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_unfold_values_and_view(dtype):
    a = _arr((3, 7, 2), dtype)
    t = npgrad.tensor(a)
    for dim, size, step in ((1, 3, 1), (1, 2, 3), (0, 3, 2), (2, 1, 1), (1, 7, 5), (1, 0, 2)):
        out = t.unfold(dim, size, step)
        n = (a.shape[dim] - size) // step + 1
        ref = np.stack(
            [np.take(a, range(i * step, i * step + size), axis=dim) for i in range(n)], dim
        )
        ref = np.moveaxis(ref, dim + 1, -1)
        _same(out, ref)
        if out.numel():
            assert np.shares_memory(out.numpy(), t.numpy())
    assert npgrad.tensor(5.0).unfold(0, 1, 1).shape == (1,)
    assert npgrad.tensor(5.0).unfold(0, 0, 1).shape == (0,)
    for size, expected in ((1, 2.0), (0, 0.0)):
        s = npgrad.tensor(5.0, requires_grad=True)
        (s.unfold(0, size, 3) * 2.0).sum().backward()
        assert s.grad.item() == expected


def test_unfold_gradients_accumulate_over_windows():
    x = npgrad.tensor(np.arange(6.0), requires_grad=True)
    x.unfold(0, 3, 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1, 2, 3, 3, 2, 1])
    x.grad = None
    x.unfold(0, 2, 3).sum().backward()  # windows with gaps: the gap gets no gradient
    np.testing.assert_array_equal(x.grad.numpy(), [1, 1, 0, 1, 1, 0])
    y = _leaf((3, 5))
    assert gradcheck(lambda t: t.unfold(1, 2, 1) * t.unfold(1, 2, 1), (y,))
    assert gradgradcheck(lambda t: (t * t).unfold(0, 2, 1), (y,))


def test_unfold_follows_writes_to_its_base():
    x = npgrad.tensor(np.arange(6.0), requires_grad=True)
    y = x * 1.0
    u = y.unfold(0, 2, 1)
    y.mul_(2.0)  # the view sees the new values, and its gradient goes through the write
    np.testing.assert_array_equal(u.numpy()[:, 0], np.arange(5.0) * 2)
    (u * npgrad.arange(10.0).reshape(5, 2)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 6.0, 14.0, 22.0, 30.0, 18.0])
    x2 = npgrad.tensor(np.arange(6.0), requires_grad=True)
    y2 = x2 * 1.0
    y2.unfold(0, 2, 2).mul_(3.0)  # a write through the view reaches the base's graph
    y2.sum().backward()
    np.testing.assert_array_equal(x2.grad.numpy(), np.full(6, 3.0))


def test_errors():
    x = npgrad.zeros(3, 4)
    with pytest.raises(ValueError, match="block_diag: input tensors must have 2 or fewer"):
        npgrad.block_diag(npgrad.zeros(1, 1, 1))
    with pytest.raises(ValueError, match="cartesian_prod: expected 1-D"):
        npgrad.cartesian_prod(x)
    with pytest.raises(ValueError, match="combinations: expected a 1-D"):
        npgrad.combinations(x)
    with pytest.raises(ValueError, match="r must be a non-negative"):
        npgrad.combinations(x[0], -1)
    with pytest.raises(ValueError, match="row and col must be non-negative"):
        npgrad.tril_indices(-1, 2)
    with pytest.raises(TypeError, match="integer type"):
        npgrad.triu_indices(2, 2, dtype=npgrad.float32)
    with pytest.raises(ValueError, match="vander: x must be a 1-D"):
        npgrad.vander(x)
    with pytest.raises(ValueError, match=r"src size = \[3\], slice size = \[2\]"):
        npgrad.slice_scatter(npgrad.zeros(4), npgrad.ones(3), start=0, end=2)
    with pytest.raises(IndexError, match="select_scatter: index 5 out of range"):
        npgrad.select_scatter(x, npgrad.ones(4), 0, 5)
    with pytest.raises(IndexError, match="slice_scatter"):
        npgrad.slice_scatter(x, x, 3)
    with pytest.raises(ValueError, match="dim1 and dim2 cannot be equal"):
        npgrad.diagonal_scatter(x, npgrad.ones(3), 0, 1, 1)
    with pytest.raises(ValueError, match="sum exactly to 3"):
        npgrad.split_with_sizes(x, [1, 1])
    with pytest.raises(ValueError, match="not divisible by the split_size 3"):
        npgrad.hsplit(x, 3)
    with pytest.raises(ValueError, match="at least 3 dimension"):
        npgrad.dsplit(x, 2)
    with pytest.raises(ValueError, match="fliplr: input must be at least 2-D"):
        npgrad.fliplr(npgrad.zeros(3))
    with pytest.raises(
        ValueError, match="maximum size for tensor at dimension 1 is 4 but size is 5"
    ):
        x.unfold(1, 5, 1)
    with pytest.raises(ValueError, match="step is 0"):
        x.unfold(1, 2, 0)
    with pytest.raises(IndexError, match="unfold"):
        x.unfold(2, 1, 1)


# ---- PyTorch parity -------------------------------------------------------------------------
PARITY = {
    "block_diag": (lambda m, x, y: m.block_diag(x, y[0], y), [(2, 3), (2, 2)]),
    "cartesian_prod": (lambda m, x, y: m.cartesian_prod(x, y, x), [(3,), (2,)]),
    "combinations": (lambda m, x: m.combinations(x, 3, with_replacement=True), [(4,)]),
    # (torch 2.13's vander backward fails -- "modified by an inplace operation" -- so the
    # same matrix is built from products on torch's side)
    "vander": (
        lambda m, x: m.vander(x, 4) if m is npgrad else m.stack([x * x * x, x * x, x, x**0], 1),
        [(3,)],
    ),
    "vander_inc": (
        lambda m, x: m.vander(x, 3, True) if m is npgrad else m.stack([x**0, x, x * x], 1),
        [(4,)],
    ),
    "diagflat": (lambda m, x: m.diagflat(x, -2), [(2, 2)]),
    "slice_scatter": (lambda m, x, s: m.slice_scatter(x, s, 1, 1, None, 2), [(3, 5), (3, 2)]),
    "select_scatter": (lambda m, x, s: m.select_scatter(x, s, 1, -1), [(3, 5), (3,)]),
    "diagonal_scatter": (lambda m, x, s: m.diagonal_scatter(x, s, 1, 1, 0), [(4, 3), (3,)]),
    "hsplit": (lambda m, x: m.hsplit(x, [1, 3]), [(2, 5)]),
    "vsplit": (lambda m, x: m.vsplit(x, 2), [(4, 2)]),
    "split_with_sizes": (lambda m, x: m.split_with_sizes(x, [2, 1, 2], 1), [(2, 5)]),
    "fliplr": (lambda m, x: m.fliplr(x), [(2, 3)]),
    "flipud": (lambda m, x: m.flipud(x), [(2, 3)]),
    "unfold": (lambda m, x: x.unfold(1, 3, 2), [(2, 7)]),
    "unfold_overlap": (lambda m, x: x.unfold(0, 3, 1), [(5, 2)]),
}


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(PARITY))
def test_matches_torch_values_and_gradients(name, dtype):
    torch = pytest.importorskip("torch")
    fn, shapes = PARITY[name]
    arrays = [_arr(s, dtype, k) for k, s in enumerate(shapes)]
    ours = [npgrad.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    outs, refs = fn(npgrad, *ours), fn(torch, *theirs)
    outs = tuple(outs) if isinstance(outs, tuple) else (outs,)
    refs = tuple(refs) if isinstance(refs, tuple) else (refs,)
    assert len(outs) == len(refs)
    loss_ours, loss_theirs = 0, 0
    for k, (o, r) in enumerate(zip(outs, refs)):
        assert o.shape == tuple(r.shape) and str(o.dtype) == dtype
        np.testing.assert_array_equal(o.detach().numpy(), r.detach().numpy())
        w = _arr(tuple(r.shape), dtype, 10 + k)
        loss_ours = loss_ours + (o * npgrad.tensor(w)).sum()
        loss_theirs = loss_theirs + (r * torch.tensor(w)).sum()
    loss_ours.backward()
    loss_theirs.backward()
    tol = 1e-5 if dtype == "float32" else 1e-12
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.torch
def test_index_functions_match_torch():
    torch = pytest.importorskip("torch")
    for args in ((3, 3), (3, 5, 1), (4, 2, -1), (5, 4, -10)):
        np.testing.assert_array_equal(
            npgrad.tril_indices(*args).numpy(), torch.tril_indices(*args).numpy()
        )
        np.testing.assert_array_equal(
            npgrad.triu_indices(*args).numpy(), torch.triu_indices(*args).numpy()
        )
    idx = np.array([[0, 5], [11, 3]])
    for o, r in zip(
        npgrad.unravel_index(npgrad.tensor(idx), (3, 4)),
        torch.unravel_index(torch.tensor(idx), (3, 4)),
    ):
        np.testing.assert_array_equal(o.numpy(), r.numpy())
    x = np.array([1, 2, 3])
    np.testing.assert_array_equal(
        npgrad.vander(npgrad.tensor(x)).numpy(), torch.vander(torch.tensor(x)).numpy()
    )
    np.testing.assert_array_equal(
        npgrad.combinations(npgrad.tensor(x), 0).numpy(),
        torch.combinations(torch.tensor(x), 0).numpy(),
    )
