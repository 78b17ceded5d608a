"""Sorting and selection: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode, unique,
unique_consecutive, searchsorted, bucketize. Forward against NumPy oracles (float32, float64,
integers; shape and dtype exact), gradients of the selected values (finite differences, second
order, the scatter-through-indices oracle), errors, and PyTorch parity on drawn inputs.
"""

from __future__ import annotations

import collections
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import npgrad
from npgrad.autograd import grad as autograd_grad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.ops import sorting as so
from npgrad.testing import assert_close

HYP = settings(max_examples=25, deadline=None)
NAN = float("nan")


def _rand(shape, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(-3, 4, shape).astype(dtype)  # few values: ties on purpose


def _distinct(shape, seed=0):
    """Values all different (no ties anywhere), as float64."""
    n = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(n).reshape(shape).astype(np.float64) / 4 - 1


def _same(actual, expected):
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    np.testing.assert_array_equal(actual.numpy(), expected)


def _t(a, requires_grad=False):
    return npgrad.tensor(a, requires_grad=requires_grad)


# ---- forward ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int32])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_and_argsort_match_a_stable_numpy_sort(dtype, dim, descending):
    a = _rand((4, 5), dtype)
    key = -a.astype(np.float64) if descending else a
    order = np.argsort(key, axis=dim, kind="stable")  # ties keep their order either way
    values, indices = so.sort(_t(a), dim, descending=descending)
    _same(values, np.take_along_axis(a, order, dim))
    _same(indices, order.astype(np.int64))
    _same(so.argsort(_t(a), dim, descending), order.astype(np.int64))


def test_sort_puts_nan_last_ascending_and_first_descending_like_pytorch():
    a = np.array([2.0, NAN, -1.0, NAN, 0.5], np.float32)
    values, indices = so.sort(_t(a))
    _same(indices, np.array([2, 4, 0, 1, 3]))
    values, indices = so.sort(_t(a), descending=True)
    _same(indices, np.array([1, 3, 0, 4, 2]))
    assert np.isnan(values.numpy()[:2]).all() and values.dtype == np.float32


def test_sort_of_zero_dim_empty_and_bool_tensors():
    values, indices = so.sort(_t(3.0))
    _same(values, np.float32(3))
    _same(indices, np.int64(0))
    values, indices = so.sort(npgrad.zeros(2, 0), 1)
    assert values.shape == indices.shape == (2, 0)
    _same(so.sort(_t([True, False, True])).values, np.array([False, True, True]))
    _same(so.msort(_t(np.array([[3.0, 1.0], [2.0, 4.0]]))), np.array([[2.0, 1.0], [3.0, 4.0]]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("largest", [True, False])
def test_topk_and_kthvalue_match_numpy(dtype, largest):
    a = (_distinct((3, 6)) * 4).astype(dtype)
    for k in (0, 1, 4, 6):
        values, indices = so.topk(_t(a), k, dim=1, largest=largest)
        order = np.argsort(-a if largest else a, axis=1)[:, :k]
        _same(indices, order.astype(np.int64))
        _same(values, np.take_along_axis(a, order, 1))
    for k in (1, 2, 3):
        values, indices = so.kthvalue(_t(a), k, dim=0)
        order = np.argsort(a, axis=0)[k - 1]
        _same(values, np.sort(a, axis=0)[k - 1])
        _same(indices, order.astype(np.int64))
        kept = so.kthvalue(_t(a), k, dim=0, keepdim=True)
        assert kept.values.shape == kept.indices.shape == (1, 6)


def test_topk_counts_nan_as_largest():
    values, indices = so.topk(_t([3.0, NAN, 1.0, 2.0]), 2)
    _same(indices, np.array([1, 0]))
    values, indices = so.topk(_t([3.0, NAN, 1.0, 2.0]), 2, largest=False)
    _same(indices, np.array([2, 3]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_median_is_the_lower_middle_value(dtype):
    for n in (1, 4, 5):
        a = _rand((3, n), dtype, seed=n)
        _same(so.median(_t(a)), np.sort(a.ravel())[(a.size - 1) // 2])
        values, indices = so.median(_t(a), 1)
        expected = np.sort(a, axis=1)[:, (n - 1) // 2]
        _same(values, expected)
        picked = np.take_along_axis(a, indices.numpy()[:, None], 1)[:, 0]
        np.testing.assert_array_equal(picked, expected)  # the index points at the median
        kept = so.median(_t(a), 1, keepdim=True)
        assert kept.values.shape == (3, 1)


def test_median_propagates_nan_and_nanmedian_skips_it():
    a = np.array([[1.0, NAN, 3.0, NAN], [4.0, 2.0, 3.0, 1.0], [NAN] * 4, [1.0, 2.0, NAN, 4.0]])
    values, indices = so.median(_t(a), 1)
    assert np.isnan(values.numpy()[[0, 2, 3]]).all() and values.numpy()[1] == 2.0
    _same(indices, np.array([1, 1, 0, 2]))  # the first nan of a row with nans
    values, indices = so.nanmedian(_t(a), 1)
    np.testing.assert_array_equal(values.numpy(), np.array([1.0, 2.0, NAN, 2.0], np.float32))
    _same(indices[[0, 1, 3]], np.array([0, 1, 1]))
    assert np.isnan(so.median(_t(a)).item())
    assert so.nanmedian(_t(a)).item() == 2.0
    assert np.isnan(so.nanmedian(_t([NAN, NAN])).item())
    assert np.isnan(so.median(npgrad.zeros(0)).item())


def _ref_mode(row):
    counts = collections.Counter(row.tolist())
    best = min(counts, key=lambda v: (-counts[v], v))
    return best, max(i for i, v in enumerate(row.tolist()) if v == best)


@pytest.mark.parametrize("dtype", [np.float64, np.int64])
def test_mode_is_the_smallest_most_frequent_value_at_its_last_occurrence(dtype):
    a = _rand((4, 7), dtype, seed=3) if dtype == np.int64 else np.round(_rand((4, 7), seed=3))
    values, indices = so.mode(_t(a), 1)
    expected = [_ref_mode(row) for row in a]
    _same(values, np.array([v for v, _ in expected], dtype))
    _same(indices, np.array([i for _, i in expected]))
    values, indices = so.mode(_t(a), 0, keepdim=True)
    expected = [_ref_mode(col) for col in a.T]
    _same(indices, np.array([[i for _, i in expected]]))


def test_unique_matches_numpy_with_inverse_counts_and_dim():
    a = _rand((4, 5), np.int64, seed=2)
    values, inverse, counts = so.unique(_t(a), return_inverse=True, return_counts=True)
    ref, ref_inv, ref_counts = np.unique(a.ravel(), return_inverse=True, return_counts=True)
    _same(values, ref)
    _same(inverse, ref_inv.reshape(a.shape).astype(np.int64))
    _same(counts, ref_counts.astype(np.int64))
    _same(values[inverse], a)
    rows = np.array([[1, 2], [0, 5], [1, 2]])
    values, inverse = so.unique(_t(rows), dim=0, return_inverse=True)
    _same(values, np.array([[0, 5], [1, 2]]))
    _same(inverse, np.array([1, 0, 1]))
    # nans are all distinct, as in PyTorch
    _same(so.unique(_t([NAN, 1.0, NAN])), np.array([1.0, NAN, NAN], np.float32))


def test_unique_consecutive_matches_groupby():
    a = np.array([1, 1, 2, 2, 3, 1, 1, 2])
    values, inverse, counts = so.unique_consecutive(_t(a), return_inverse=True, return_counts=True)
    groups = [(k, len(list(g))) for k, g in itertools.groupby(a.tolist())]
    _same(values, np.array([k for k, _ in groups]))
    _same(counts, np.array([n for _, n in groups]))
    _same(inverse, np.repeat(np.arange(len(groups)), [n for _, n in groups]))
    m = np.array([[1, 1], [1, 1], [0, 1], [1, 1]])
    values, counts = so.unique_consecutive(_t(m), return_counts=True, dim=0)
    _same(values, np.array([[1, 1], [0, 1], [1, 1]]))
    _same(counts, np.array([2, 1, 1]))


def test_searchsorted_and_bucketize_match_numpy():
    seq = np.array([1.0, 3.0, 3.0, 5.0, 7.0])
    v = np.array([[3.0, 6.0], [0.0, 9.0]])
    for side in ("left", "right"):
        expected = np.searchsorted(seq, v, side=side).astype(np.int64)
        _same(so.searchsorted(_t(seq), _t(v), side=side), expected)
        _same(so.searchsorted(_t(seq), _t(v), right=side == "right"), expected)
        _same(so.bucketize(_t(v), _t(seq), right=side == "right"), expected)
    _same(so.searchsorted(_t(seq), 3.0, right=True), np.int64(3))
    _same(so.searchsorted(_t(seq), _t(v), out_int32=True), np.searchsorted(seq, v).astype(np.int32))
    rows = np.array([[1, 3, 5, 7], [2, 4, 6, 8]])
    _same(
        so.searchsorted(_t(rows), _t(np.array([[3, 6], [0, 9]])), side="right"),
        np.array([[2, 3], [0, 4]]),
    )
    shuffled = np.array([5.0, 1.0, 7.0, 3.0])
    _same(so.searchsorted(_t(shuffled), _t([4.0]), sorter=_t(np.argsort(shuffled))), np.array([2]))


# ---- gradients -------------------------------------------------------------------------------
GRAD_CASES = {
    "sort": lambda x: so.sort(x, 1, descending=True).values,
    "sort_dim0": lambda x: so.sort(x, 0).values,
    "msort": so.msort,
    "topk": lambda x: so.topk(x, 2, 0).values,
    "topk_smallest": lambda x: so.topk(x, 3, largest=False).values,
    "kthvalue": lambda x: so.kthvalue(x, 2, 1).values,
    "kthvalue_keepdim": lambda x: so.kthvalue(x, 3, 0, keepdim=True).values,
    "median_all": so.median,
    "median_dim": lambda x: so.median(x, 1).values,
    "nanmedian_all": so.nanmedian,
    "nanmedian_dim": lambda x: so.nanmedian(x, 0, keepdim=True).values,
    "mode": lambda x: so.mode(x, 1).values,
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_values_pass_gradcheck_and_gradgradcheck(name):
    x = npgrad.tensor(_distinct((3, 4)), requires_grad=True)
    assert gradcheck(GRAD_CASES[name], (x,))
    assert gradgradcheck(GRAD_CASES[name], (x,))


def test_indices_are_int64_and_not_differentiable():
    x = npgrad.tensor(_distinct((3, 4)), requires_grad=True)
    for result in (so.sort(x), so.topk(x, 2), so.kthvalue(x, 1), so.median(x, 0), so.mode(x)):
        assert result.values.requires_grad
        assert result.indices.dtype == np.int64 and not result.indices.requires_grad
    assert not so.argsort(x).requires_grad and not so.unique(x).requires_grad
    assert so.sort(x).values.grad_fn.name() == "SortBackward"


@given(data=st.data())
@HYP
def test_drawn_sort_gradient_is_scattered_back_through_the_indices(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    a = data.draw(hnp.arrays(np.float64, shape, elements=st.integers(-2, 2).map(float)))  # ties
    x = npgrad.tensor(a, requires_grad=True)
    values, indices = so.sort(x, dim, descending=data.draw(st.booleans()))
    v = _rand(shape, seed=1)
    (g,) = autograd_grad(values, x, npgrad.tensor(v))
    expected = np.zeros(shape)
    np.put_along_axis(expected, indices.numpy(), v, dim)  # a permutation: no repeats
    assert_close(g, expected)
    np.testing.assert_array_equal(np.take_along_axis(a, indices.numpy(), dim), values.numpy())


def test_median_without_dim_shares_the_gradient_among_ties():
    x = npgrad.tensor([1.0, 2.0, 2.0, 5.0, 2.0], requires_grad=True)
    so.median(x).backward()
    _same(x.grad, np.float32([0, 1, 1, 0, 1]) / np.float32(3))
    y = npgrad.tensor([1.0, NAN, 3.0, NAN], requires_grad=True)
    so.median(y).backward()
    _same(y.grad, np.float32([0, 0.5, 0, 0.5]))  # a nan median: the nans share it


def test_second_order_through_sort_is_scatter_and_back():
    x = npgrad.tensor([3.0, 1.0, 2.0], dtype=npgrad.float64, requires_grad=True)
    w = npgrad.tensor([1.0, 10.0, 100.0], dtype=npgrad.float64)
    loss = (so.sort(x).values ** 2 * w).sum()  # sorted: x1, x2, x0
    (g,) = autograd_grad(loss, x, create_graph=True)
    _same(g, np.array([2 * 3.0 * 100, 2 * 1.0 * 1, 2 * 2.0 * 10]))
    (h,) = autograd_grad(g.sum(), x)
    _same(h, np.array([200.0, 2.0, 20.0]))


# ---- errors ----------------------------------------------------------------------------------
x34 = npgrad.zeros(3, 4)
ERRORS = [
    (lambda: so.sort(x34, 2), IndexError, "dimension out of range"),
    (lambda: so.topk(x34, 5), ValueError, r"topk: k \(5\) out of range"),
    (lambda: so.kthvalue(x34, 0), ValueError, r"kthvalue: k \(0\) out of range"),
    (lambda: so.median(npgrad.zeros(2, 0), 1), IndexError, "non-zero size"),
    (lambda: so.mode(npgrad.zeros(0)), IndexError, "non-zero size"),
    (lambda: so.sort([1.0]), TypeError, "expected a Tensor"),
    (lambda: so.searchsorted(x34, npgrad.zeros(2, 4)), ValueError, "leading dimensions"),
    (lambda: so.searchsorted(x34[0], 1.0, right=True, side="left"), ValueError, "contradicts"),
    (lambda: so.searchsorted(x34[0], 1.0, side="middle"), ValueError, "side must be"),
    (lambda: so.bucketize(1.0, x34), ValueError, "boundaries must be 1-d"),
    (lambda: so.unique(npgrad.tensor(1.0), dim=0), IndexError, "0-d"),
]


@pytest.mark.parametrize(("call", "exc", "match"), ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---- PyTorch parity --------------------------------------------------------------------------
@st.composite
def shape_and_dim(draw, min_side=1):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=min_side, max_side=5))
    return shape, draw(st.integers(-len(shape), len(shape) - 1))


def _pair(torch, a):
    return npgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _check(torch, ours, theirs, x, tx, seed=0):
    assert_close(ours.values, theirs.values.detach().numpy(), equal_nan=True)
    _same(ours.indices, theirs.indices.numpy())
    v = np.random.default_rng(seed).standard_normal(ours.values.shape)
    (g,) = autograd_grad(ours.values, x, npgrad.tensor(v))
    (tg,) = torch.autograd.grad(theirs.values, tx, torch.tensor(v))
    assert_close(g, tg.numpy())


@pytest.mark.torch
@given(case=shape_and_dim(), descending=st.booleans(), seed=st.integers(0, 99))
@HYP
def test_sort_argsort_with_ties_match_torch_stable_sort(case, descending, seed):
    torch = pytest.importorskip("torch")
    (shape, dim) = case
    a = _rand(shape, seed=seed).round()  # ties
    a[np.random.default_rng(seed).random(shape) < 0.1] = NAN
    x, tx = _pair(torch, a)
    ours = so.sort(x, dim, descending=descending, stable=True)
    theirs = torch.sort(tx, dim=dim, descending=descending, stable=True)
    _check(torch, ours, theirs, x, tx)
    expected = torch.argsort(tx, dim=dim, descending=descending, stable=True).numpy()
    _same(so.argsort(x, dim, descending, stable=True), expected)


@pytest.mark.torch
@given(case=shape_and_dim(), data=st.data())
@HYP
def test_topk_kthvalue_median_match_torch_on_distinct_values(case, data):
    torch = pytest.importorskip("torch")
    (shape, dim) = case
    x, tx = _pair(torch, _distinct(shape, data.draw(st.integers(0, 99))))
    n = shape[dim]
    k = data.draw(st.integers(0, n))
    largest = data.draw(st.booleans())
    _check(torch, so.topk(x, k, dim, largest), torch.topk(tx, k, dim, largest), x, tx)
    k = data.draw(st.integers(1, n))
    keep = data.draw(st.booleans())
    _check(torch, so.kthvalue(x, k, dim, keep), torch.kthvalue(tx, k, dim, keep), x, tx)
    _check(torch, so.median(x, dim, keep), torch.median(tx, dim, keep), x, tx)
    _check(torch, so.nanmedian(x, dim, keep), torch.nanmedian(tx, dim, keep), x, tx)


@pytest.mark.torch
@given(case=shape_and_dim(), seed=st.integers(0, 99))
@HYP
def test_median_and_nanmedian_with_nans_and_ties_match_torch(case, seed):
    torch = pytest.importorskip("torch")
    (shape, dim) = case
    rng = np.random.default_rng(seed)
    a = rng.integers(-2, 3, shape).astype(np.float64)
    a[rng.random(shape) < 0.2] = NAN
    for ours_fn, torch_fn in ((so.median, torch.median), (so.nanmedian, torch.nanmedian)):
        x, tx = _pair(torch, a)
        ours, theirs = ours_fn(x), torch_fn(tx)  # over all elements: ties share the gradient
        assert_close(ours, theirs.detach().numpy(), equal_nan=True)
        ours.backward()
        theirs.backward()
        assert_close(x.grad, tx.grad.numpy())
        values, _ = ours_fn(x, dim)
        assert_close(values, torch_fn(tx, dim).values.detach().numpy(), equal_nan=True)
    x, tx = _pair(torch, a)
    ours, theirs = so.median(x, dim), torch.median(tx, dim)
    has_nan = np.isnan(a).any(axis=dim)
    # with a nan in the row both return its first nan; without, tied indices are unspecified
    np.testing.assert_array_equal(ours.indices.numpy()[has_nan], theirs.indices.numpy()[has_nan])


@pytest.mark.torch
@given(case=shape_and_dim(), seed=st.integers(0, 99))
@HYP
def test_mode_unique_unique_consecutive_match_torch(case, seed):
    torch = pytest.importorskip("torch")
    (shape, dim) = case
    a = np.random.default_rng(seed).integers(0, 3, shape)
    x, tx = npgrad.tensor(a), torch.tensor(a)
    ours, theirs = so.mode(x, dim), torch.mode(tx, dim)
    _same(ours.values, theirs.values.numpy())
    _same(ours.indices, theirs.indices.numpy())
    for d in (None, dim % len(shape)):
        for ours, theirs in (
            (so.unique(x, True, True, True, dim=d), torch.unique(tx, True, True, True, dim=d)),
            (
                so.unique_consecutive(x, True, True, dim=d),
                torch.unique_consecutive(tx, True, True, dim=d),
            ),
        ):
            for o, t in zip(ours, theirs, strict=True):
                _same(o, t.numpy())


@pytest.mark.torch
@given(data=st.data())
@HYP
def test_searchsorted_and_bucketize_match_torch(data):
    torch = pytest.importorskip("torch")
    rows = data.draw(st.integers(0, 2))
    n = data.draw(st.integers(1, 6))
    seq = np.sort(
        data.draw(hnp.arrays(np.int64, (rows, n) if rows else (n,), elements=st.integers(-3, 3))),
        -1,
    )
    vshape = (
        (rows, data.draw(st.integers(0, 4)))
        if rows
        else data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3))
    )
    v = data.draw(hnp.arrays(np.int64, vshape, elements=st.integers(-4, 4)))
    right = data.draw(st.booleans())
    _same(
        so.searchsorted(npgrad.tensor(seq), npgrad.tensor(v), right=right),
        torch.searchsorted(torch.tensor(seq), torch.tensor(v), right=right).numpy(),
    )
    if not rows:
        _same(
            so.bucketize(npgrad.tensor(v), npgrad.tensor(seq), right=right, out_int32=True),
            torch.bucketize(
                torch.tensor(v), torch.tensor(seq), right=right, out_int32=True
            ).numpy(),
        )


@pytest.mark.skipif(
    not hasattr(npgrad.Tensor, "topk"), reason="Tensor methods not wired in npgrad._methods yet"
)
def test_tensor_methods_are_the_same_code_path():
    x = npgrad.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]], requires_grad=True)
    _same(x.sort(1).indices, so.sort(x, 1).indices.numpy())
    _same(x.argsort(1, descending=True), np.array([[0, 2, 1], [1, 2, 0]]))
    _same(x.topk(2).values.detach(), np.float32([[3, 2], [5, 4]]))
    _same(x.kthvalue(1, 0).indices, np.array([1, 0, 0]))
    _same(x.median().detach(), np.float32(2))
    _same(x.median(1).values.detach(), np.float32([2, 4]))
    _same(x.mode(1).values.detach(), np.float32([1, 0]))
    _same(x.unique(), np.float32([0, 1, 2, 3, 4, 5]))
    x.topk(1).values.sum().backward()
    _same(x.grad, np.float32([[1, 0, 0], [0, 1, 0]]))
