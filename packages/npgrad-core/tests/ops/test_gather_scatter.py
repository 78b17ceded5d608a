"""Gather/scatter, index_*, masked_*, take, nonzero: forward against loop-based NumPy oracles
(float32 and float64, shape and dtype exact), backward against finite differences and exact
scatter oracles, second order, in-place use and version counters, errors, and PyTorch parity
over hypothesis-drawn indices (repeated indices, boolean masks).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import npgrad
from npgrad.autograd import grad as autograd_grad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.ops import shape as ops  # re-exports gather_scatter and selection
from npgrad.testing import assert_close

HYP = settings(max_examples=25, deadline=None)
FLOATS = [np.float32, np.float64]


def _rand(shape, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(-9, 10, shape).astype(dtype)


def _t(a, requires_grad=False):
    return npgrad.tensor(a, requires_grad=requires_grad)


def _same(actual, expected):
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    np.testing.assert_array_equal(actual.numpy(), expected)


def _positions(index, dim):
    """(position in index, position it addresses) pairs of a gather/scatter index."""
    for p in np.ndindex(*index.shape):
        q = list(p)
        q[dim] = index[p]
        yield p, tuple(q)


# ---- loop oracles ----------------------------------------------------------------------------
def _ref_gather(a, dim, index):
    out = np.empty(index.shape, a.dtype)
    for p, q in _positions(index, dim):
        out[p] = a[q]
    return out


def _ref_scatter_reduce(a, dim, index, src, reduce, include_self=True):
    groups = {}
    for p, q in _positions(index, dim):
        groups.setdefault(q, []).append(src[p])
    out = a.copy()
    for q, vals in groups.items():
        vals = ([a[q]] if include_self else []) + vals
        if reduce == "sum":
            out[q] = np.sum(vals)
        elif reduce == "prod":
            out[q] = np.prod(vals)
        elif reduce == "mean":
            out[q] = np.sum(vals) / len(vals) if a.dtype.kind == "f" else np.sum(vals) // len(vals)
        elif reduce == "amax":
            out[q] = np.max(vals)
        elif reduce == "amin":
            out[q] = np.min(vals)
        else:  # overwrite: the last write wins (indices are unique where this is used)
            out[q] = vals[-1]
    return out


def _ref_scatter_add_grad(shape, dim, index, v):
    g = np.zeros(shape)
    for p, q in _positions(index, dim):
        g[q] += v[p]
    return g


# ---- forward against the oracles -------------------------------------------------------------
@pytest.mark.parametrize("dtype", [*FLOATS, np.int64])
def test_gather_matches_oracle_with_smaller_index_and_repeats(dtype):
    a = _rand((3, 4, 2), dtype)
    idx = np.array([[[0, 2], [2, 2], [1, 0]], [[2, 1], [0, 0], [1, 1]]])  # (2, 3, 2), dim 0
    _same(ops.gather(_t(a), 0, _t(idx)), _ref_gather(a, 0, idx))
    idx1 = np.array([[[3], [0]], [[1], [1]]])  # dim 1, smaller in dims 0 and 2
    _same(ops.gather(_t(a), 1, idx1), _ref_gather(a, 1, idx1))
    _same(ops.gather(_t(a), -1, np.zeros((3, 4, 5), np.int64)), np.repeat(a[..., :1], 5, -1))


@pytest.mark.parametrize("dtype", [*FLOATS, np.int64])
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_matches_oracle(reduce, include_self, dtype):
    a = _rand((3, 4), dtype, seed=1)
    src = _rand((3, 5), dtype, seed=2)
    idx = np.array([[0, 1, 0, 0, 2], [0, 0, 2, 2, 2]])  # repeats; column 3 of the input untouched
    out = ops.scatter_reduce(_t(a), 1, _t(idx), _t(src), reduce, include_self=include_self)
    expected = _ref_scatter_reduce(a, 1, idx, src, reduce, include_self)
    assert out.dtype == np.dtype(dtype) and out.shape == a.shape
    if np.dtype(dtype).kind == "f":
        assert_close(out, expected)
    else:
        _same(out, expected)


@pytest.mark.parametrize("dtype", FLOATS)
def test_scatter_and_scatter_add_match_oracle(dtype):
    a = _rand((3, 4), dtype)
    src = _rand((4, 4), dtype, seed=3)
    unique = np.array([[2, 0, 1, 2], [0, 2, 0, 1]])  # each target at most once per column
    _same(ops.scatter(_t(a), 0, _t(unique), _t(src)), _ref_scatter_reduce(a, 0, unique, src, "set"))
    repeated = np.array([[2, 2, 1, 2], [2, 0, 1, 2]])
    assert_close(
        ops.scatter_add(_t(a), 0, _t(repeated), _t(src)),
        _ref_scatter_reduce(a, 0, repeated, src, "sum"),
    )
    filled = ops.scatter(_t(a), 0, _t(unique), 7.5)
    expected = a.copy()
    expected[unique, np.arange(4)] = 7.5
    _same(filled, expected)
    _same(ops.scatter(_t(a), 0, _t(unique), value=7.5), expected)


def test_scatter_reduce_argument_of_scatter_adds_and_multiplies():
    ones = npgrad.ones(3)
    idx = npgrad.tensor([0, 0, 2])
    _same(
        ops.scatter(ones, 0, idx, npgrad.tensor([2.0, 3.0, 4.0]), reduce="add"),
        np.float32([6, 1, 5]),
    )
    _same(ops.scatter(ones, 0, idx, 5.0, reduce="multiply"), np.float32([25, 1, 5]))


def test_integer_scatter_mean_rounds_down_like_pytorch():
    out = ops.scatter_reduce(
        _t(np.array([0, 0])), 0, _t(np.array([0, 0])), _t(np.array([-1, -1])), "mean"
    )
    _same(out, np.array([-1, 0]))


@pytest.mark.parametrize("dtype", [*FLOATS, np.int32])
def test_index_ops_match_numpy(dtype):
    a = _rand((3, 4), dtype)
    idx = np.array([3, 0, 3])
    _same(ops.index_select(_t(a), 1, _t(idx)), a[:, idx])
    src = _rand((3, 3), dtype, seed=4)
    expected = a.copy()
    np.add.at(expected, (slice(None), idx), src * 2)
    _same(ops.index_add(_t(a), 1, _t(idx), _t(src), alpha=2), expected)
    expected = a.copy()
    expected[:, [3, 0]] = src[:, :2]
    _same(ops.index_copy(_t(a), 1, _t(np.array([3, 0])), _t(src[:, :2])), expected)
    expected = a.copy()
    expected[[2, 0]] = 5
    _same(ops.index_fill(_t(a), 0, [2, 0, 2], 5), expected)


@pytest.mark.parametrize("dtype", [*FLOATS, np.int64])
def test_masked_ops_match_numpy(dtype):
    a = _rand((3, 4), dtype)
    mask = _rand((3, 4), np.float64, seed=5) > 0
    row = np.array([True, False, False, True])
    _same(ops.masked_fill(_t(a), _t(mask), 3), np.where(mask, np.asarray(3, dtype), a))
    _same(
        ops.masked_fill(_t(a), row, _t(np.asarray(2, dtype))),
        np.where(row, np.asarray(2, dtype), a),
    )
    col = np.array([[True], [False]])  # out of place, input and mask broadcast to (2, 4)
    _same(ops.masked_fill(_t(a[0]), col, 1), np.where(col, np.asarray(1, dtype), a[0]))
    _same(ops.masked_select(_t(a), _t(mask)), a[mask])
    _same(
        ops.masked_select(_t(a[0]), col),
        np.broadcast_to(a[0], (2, 4))[np.broadcast_to(col, (2, 4))],
    )
    src = _rand((2, 5), dtype, seed=6)
    expected = a.copy()
    expected[mask] = src.ravel()[: mask.sum()]
    _same(ops.masked_scatter(_t(a), _t(mask), _t(src)), expected)


@pytest.mark.parametrize("dtype", [*FLOATS, np.int64])
def test_take_take_along_dim_nonzero_match_numpy(dtype):
    a = _rand((3, 4), dtype)
    idx = np.array([[0, -1], [5, 5]])
    _same(ops.take(_t(a), _t(idx)), a.ravel()[idx])
    along = np.array([[0], [3], [-1]])
    _same(ops.take_along_dim(_t(a), _t(along), 1), np.take_along_axis(a, along % 4, 1))
    # broadcasting outside dim: indices (1, 2) against (3, 4) along dim 1
    _same(ops.take_along_dim(_t(a), _t(np.array([[1, 2]])), 1), a[:, [1, 2]])
    _same(ops.take_along_dim(_t(a), _t(np.array([[11, 0]]))), a.ravel()[[11, 0]])
    nz = np.where(np.abs(a) > 1, a, 0)
    _same(ops.nonzero(_t(nz)), np.argwhere(nz))
    _same(ops.argwhere(_t(nz)), np.argwhere(nz))
    for ours, expected in zip(ops.nonzero(_t(nz), as_tuple=True), np.nonzero(nz), strict=True):
        _same(ours, expected.astype(np.int64))


def test_zero_dim_inputs_follow_pytorch():
    x = npgrad.tensor(5.0, requires_grad=True)
    _same(ops.gather(x, 0, npgrad.tensor([0, 0])), np.float32([5, 5]))
    _same(ops.index_select(x, 0, npgrad.tensor([0])), np.float32(5))
    _same(ops.take(x, npgrad.tensor([[0]])), np.float32([[5]]))
    _same(ops.scatter_add(x, 0, npgrad.tensor(0), npgrad.tensor(2.0)), np.float32(7))
    assert ops.nonzero(x).shape == (1, 0)
    _same(ops.nonzero(x, as_tuple=True)[0], np.array([0]))
    ops.index_fill(x, 0, [0], 1.0).backward()
    _same(x.grad, np.float32(0))


# ---- backward --------------------------------------------------------------------------------
def _f64(shape, seed=0):
    return npgrad.tensor(_rand(shape, np.float64, seed), requires_grad=True)


IDX = np.array([[0, 2, 0, 1], [2, 2, 1, 0]])  # (2, 4) into (3, 4) along dim 0, repeated
UNIQUE = np.array([[2, 0, 1, 2], [0, 2, 0, 1]])
MASK = np.array(
    [[True, False, True, False], [False, False, True, True], [True, True, False, False]]
)
GRAD_CASES = {
    "gather": (lambda x: ops.gather(x, 0, IDX), [(3, 4)]),
    "gather_dim1": (lambda x: ops.gather(x, 1, IDX.T[:3, :2]), [(3, 4)]),
    "scatter": (lambda x, s: ops.scatter(x, 0, UNIQUE, s), [(3, 4), (3, 5)]),
    "scatter_value": (lambda x: ops.scatter(x, 0, UNIQUE, 1.5), [(3, 4)]),
    "scatter_add": (lambda x, s: ops.scatter_add(x, 0, IDX, s), [(3, 4), (2, 4)]),
    "index_select": (lambda x: ops.index_select(x, 1, [3, 0, 3]), [(3, 4)]),
    "index_add": (lambda x, s: ops.index_add(x, 1, [3, 0, 3], s, alpha=-2.0), [(3, 4), (3, 3)]),
    "index_copy": (lambda x, s: ops.index_copy(x, 0, [2, 0], s), [(3, 4), (2, 4)]),
    "index_fill": (lambda x, v: ops.index_fill(x, 1, [3, 0, 3], v), [(3, 4), ()]),
    "masked_fill": (lambda x, v: ops.masked_fill(x, MASK, v), [(3, 4), ()]),
    "masked_fill_broadcast": (lambda x, v: ops.masked_fill(x, MASK, v), [(4,), ()]),
    "masked_select": (lambda x: ops.masked_select(x, MASK), [(1, 4)]),
    "masked_scatter": (lambda x, s: ops.masked_scatter(x, MASK, s), [(3, 4), (2, 4)]),
    "take": (lambda x: ops.take(x, [[0, -1], [5, 5]]), [(3, 4)]),
    "take_along_dim": (lambda x: ops.take_along_dim(x, np.array([[1, 2, 2]]), 1), [(2, 4)]),
}
for _red, _inc in itertools.product(["sum", "prod", "mean", "amax", "amin"], [True, False]):
    GRAD_CASES[f"scatter_reduce_{_red}_{'self' if _inc else 'noself'}"] = (
        lambda x, s, r=_red, i=_inc: ops.scatter_reduce(x, 0, IDX, s, r, include_self=i),
        [(3, 4), (3, 4)],
    )


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_gradcheck_and_gradgradcheck(name):
    fn, shapes = GRAD_CASES[name]
    inputs = tuple(_f64(s, seed=k) for k, s in enumerate(shapes))
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_prod_gradient_is_exact_at_zeros(include_self):
    # one zero at position 0, two zeros at position 1, a zero in the input at position 2
    x = npgrad.tensor([2.0, 3.0, 0.0, 5.0], dtype=npgrad.float64, requires_grad=True)
    src = npgrad.tensor([0.0, 4.0, 0.0, 0.0, 7.0, 6.0], dtype=npgrad.float64, requires_grad=True)
    idx = [0, 0, 1, 1, 1, 2]
    f = lambda x, s: ops.scatter_reduce(x, 0, idx, s, "prod", include_self=include_self)  # noqa: E731
    assert gradcheck(f, (x, src))
    assert gradgradcheck(f, (x, src))
    gx, gsrc = autograd_grad(f(x, src).sum(), (x, src))
    base = [2.0, 3.0, 0.0] if include_self else [1.0, 1.0, 1.0]
    expected_src = [4.0 * base[0], 0.0 * base[0], 0.0, 0.0, 0.0, 1.0 * base[2]]
    assert_close(gsrc, np.array(expected_src))
    expected_x = [0.0, 0.0, 6.0, 1.0] if include_self else [0.0, 0.0, 0.0, 1.0]
    assert_close(gx, np.array(expected_x))


def test_scatter_amax_ties_share_the_gradient_evenly():
    x = npgrad.tensor([3.0, 1.0, 0.0], requires_grad=True)
    src = npgrad.tensor([3.0, 3.0, 2.0], requires_grad=True)
    ops.scatter_reduce(x, 0, [0, 0, 0], src, "amax").backward(npgrad.tensor([6.0, 1.0, 1.0]))
    _same(x.grad, np.float32([2, 1, 1]))
    _same(src.grad, np.float32([2, 2, 0]))
    # without self, only the scattered values share (PyTorch also counts the excluded self)
    x.grad = src.grad = None
    ops.scatter_reduce(x, 0, [0, 0, 0], src, "amax", include_self=False).backward(
        npgrad.tensor([6.0, 1.0, 1.0])
    )
    _same(x.grad, np.float32([0, 1, 1]))
    _same(src.grad, np.float32([3, 3, 0]))


@given(data=st.data())
@HYP
def test_drawn_gather_gradient_is_the_scatter_add_oracle(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    dim = data.draw(st.integers(0, len(shape) - 1))
    ishape = tuple(
        data.draw(st.integers(0, 5)) if d == dim else data.draw(st.integers(0, shape[d]))
        for d in range(len(shape))
    )
    idx = data.draw(hnp.arrays(np.int64, ishape, elements=st.integers(0, shape[dim] - 1)))
    x = npgrad.tensor(_rand(shape), requires_grad=True)
    out = ops.gather(x, dim, idx)
    _same(out, _ref_gather(x.numpy(), dim, idx))
    v = _rand(ishape, seed=1)
    (g,) = autograd_grad(out, x, npgrad.tensor(v))
    assert_close(g, _ref_scatter_add_grad(shape, dim, idx, v))


def test_second_order_through_gather_is_scatter_and_back():
    x = npgrad.tensor([1.0, 2.0, 3.0], dtype=npgrad.float64, requires_grad=True)
    y = ops.gather(x, 0, [2, 2, 0]) ** 2  # x2^2 twice and x0^2
    (g,) = autograd_grad(y.sum(), x, create_graph=True)
    _same(g, np.array([2.0, 0.0, 12.0]))
    (h,) = autograd_grad(g.sum(), x)
    _same(h, np.array([2.0, 0.0, 4.0]))


def test_index_fill_value_gradient_counts_each_position_once():
    v = npgrad.tensor(2.0, requires_grad=True)
    ops.index_fill(npgrad.zeros(2, 3), 1, [0, 0, 2], v).sum().backward()
    _same(v.grad, np.float32(4))  # 2 rows x 2 distinct columns, like PyTorch


def test_masked_fill_casts_value_to_input_dtype_and_grads_flow_to_both():
    x = npgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = npgrad.tensor(5.0, dtype=npgrad.float64, requires_grad=True)
    out = ops.masked_fill(x, x > 1.5, v)
    assert out.dtype == np.float32 and out.grad_fn.name() == "MaskedFillBackward"
    out.backward(npgrad.tensor([1.0, 10.0, 100.0]))
    _same(x.grad, np.float32([1, 0, 0]))
    _same(v.grad, np.float64(110))
    _same(ops.masked_fill(npgrad.tensor([1, 2]), [True, False], 2.7), np.array([2, 2]))


def test_index_outputs_are_not_differentiable_and_inputs_are_untouched():
    x = _f64((3, 4))
    before = x.numpy().copy()
    idx = npgrad.tensor(IDX)
    out = ops.scatter_add(x, 0, idx, _f64((2, 4), 1))
    assert out.requires_grad and not idx.requires_grad
    np.testing.assert_array_equal(x.numpy(), before)  # out of place
    nz = ops.nonzero(x)
    assert nz.dtype == np.int64 and not nz.requires_grad


# ---- in place and version counters -----------------------------------------------------------
def test_classic_modified_saved_output_raises_on_backward():
    x = npgrad.tensor([0.5, -1.0], requires_grad=True)
    y = x.sigmoid()
    y.mul_(2)
    with pytest.raises(RuntimeError, match=r"SigmoidBackward.*modified by an inplace operation"):
        y.sum().backward()


def test_inplace_scatter_on_a_saved_tensor_raises_and_otherwise_is_differentiable():
    x = npgrad.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x.exp()  # ExpBackward saves its output y
    y._inplace("scatter_", ops.scatter, 0, npgrad.tensor([1]), npgrad.tensor([9.0]))
    assert y._version == 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    # on a tensor no backward needs, the in-place op records itself: z's grad_fn is the scatter
    x.grad = None
    z = x * 1
    src = npgrad.tensor([3.0], requires_grad=True)
    z._inplace("scatter_add_", ops.scatter_add, 0, npgrad.tensor([1]), src)
    z._inplace("masked_fill_", ops.masked_fill, npgrad.tensor([True, False, False]), 0.0)
    assert z.grad_fn.name() == "MaskedFillBackward"
    z.backward(npgrad.tensor([1.0, 2.0, 4.0]))
    _same(x.grad, np.float32([0, 2, 4]))
    _same(src.grad, np.float32([2]))


def test_inplace_on_leaf_requiring_grad_raises():
    x = npgrad.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x._inplace("index_fill_", ops.index_fill, 0, [1], 2.0)
    with npgrad.no_grad():
        x._inplace("index_fill_", ops.index_fill, 0, [1], 2.0)
    _same(x.detach(), np.float32([0, 2, 0]))


# ---- errors ----------------------------------------------------------------------------------
x34 = npgrad.zeros(3, 4)
ERRORS = [
    (
        lambda: ops.gather(x34, 0, npgrad.tensor([[3]])),
        IndexError,
        r"gather: index 3 is out of bounds for dimension 0 with size 3",
    ),
    (lambda: ops.gather(x34, 0, npgrad.tensor([[-1]])), IndexError, "index -1 is out of bounds"),
    (lambda: ops.gather(x34, 0, npgrad.tensor([0])), ValueError, "as many dimensions"),
    (lambda: ops.gather(x34, 2, npgrad.tensor([[0]])), IndexError, "dimension out of range"),
    (lambda: ops.gather(x34, 0, npgrad.tensor([[0.0]])), TypeError, "integer index"),
    (
        lambda: ops.gather(x34, 0, npgrad.zeros(1, 5, dtype=npgrad.int64)),
        ValueError,
        "no larger than the input",
    ),
    (
        lambda: ops.scatter(x34, 1, npgrad.tensor([[0, 1, 0]]), npgrad.ones(1, 2)),
        ValueError,
        "no larger than src",
    ),
    (
        lambda: ops.scatter_add(
            x34, 0, npgrad.tensor([[0]]), npgrad.ones(1, 1, dtype=npgrad.float64)
        ),
        TypeError,
        "dtype",
    ),
    (lambda: ops.scatter(x34, 0, npgrad.tensor([[0]])), TypeError, "exactly one of src"),
    (lambda: ops.scatter(x34, 0, npgrad.tensor([[0]]), 1.0, reduce="max"), ValueError, "reduce"),
    (lambda: ops.scatter_reduce(x34, 0, npgrad.tensor([[0]]), x34, "max"), ValueError, "one of"),
    (lambda: ops.index_select(x34, 0, npgrad.tensor([[0]])), ValueError, "vector"),
    (lambda: ops.index_select(x34, 1, npgrad.tensor([4])), IndexError, "index 4 is out of bounds"),
    (
        lambda: ops.index_add(x34, 0, npgrad.tensor([0]), npgrad.ones(1, 3)),
        ValueError,
        "source of shape",
    ),
    (lambda: ops.index_fill(x34, 0, [0], npgrad.ones(2)), ValueError, "0-dimensional value"),
    (
        lambda: ops.masked_fill(x34, npgrad.tensor([1, 0, 1, 0], dtype=npgrad.uint8), 1.0),
        TypeError,
        "boolean masks",
    ),
    (
        lambda: ops.masked_fill(x34, npgrad.ones(3, dtype=npgrad.bool), 1.0),
        ValueError,
        "cannot be broadcast",
    ),
    (
        lambda: ops.masked_fill(x34, npgrad.ones(4, dtype=npgrad.bool), "a"),
        TypeError,
        "number or a 0-d",
    ),
    (
        lambda: ops.masked_scatter(x34, npgrad.ones(4, dtype=npgrad.bool), npgrad.ones(11)),
        ValueError,
        "fewer than the 12",
    ),
    (lambda: ops.take(x34, npgrad.tensor([12])), IndexError, "index 12 is out of bounds"),
    (
        lambda: ops.take_along_dim(x34, npgrad.tensor([0]), 1),
        ValueError,
        "same number of dimensions",
    ),
    (lambda: ops.gather([1.0], 0, [0]), TypeError, "expected a Tensor"),
]


@pytest.mark.parametrize(("call", "exc", "match"), ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---- PyTorch parity over drawn indices -------------------------------------------------------
@st.composite
def gather_cases(draw, src_larger=False):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    dim = draw(st.integers(0, len(shape) - 1))
    ishape = tuple(
        draw(st.integers(1, 5)) if d == dim else draw(st.integers(1, shape[d]))
        for d in range(len(shape))
    )
    # few distinct values: repeated indices are the rule, not the exception
    idx = draw(hnp.arrays(np.int64, ishape, elements=st.integers(0, shape[dim] - 1)))
    sshape = tuple(n + draw(st.integers(0, 1)) if src_larger else n for n in ishape)
    return shape, dim, idx, sshape


def _torch_pair(torch, a):
    return npgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _compare(torch, ours, theirs, inputs, tinputs, seed=0):
    assert_close(ours, theirs.detach().numpy())
    v = np.random.default_rng(seed).standard_normal(ours.shape)
    g = autograd_grad(ours, inputs, npgrad.tensor(v), allow_unused=True)
    tg = torch.autograd.grad(theirs, tinputs, torch.tensor(v), allow_unused=True)
    for a, b in zip(g, tg, strict=True):
        assert_close(a, np.zeros(1) if b is None else b.numpy())


@pytest.mark.torch
@given(case=gather_cases(src_larger=True))
@HYP
def test_gather_and_scatter_add_match_torch(case):
    torch = pytest.importorskip("torch")
    shape, dim, idx, sshape = case
    x, tx = _torch_pair(torch, _rand(shape))
    s, ts = _torch_pair(torch, _rand(sshape, seed=1))
    ti = torch.tensor(idx)
    if all(i <= n for d, (i, n) in enumerate(zip(idx.shape, shape)) if d != dim):
        _compare(torch, ops.gather(x, dim, idx), torch.gather(tx, dim, ti), (x,), (tx,))
    if sshape == idx.shape:  # PyTorch's backward requires src.shape == index.shape
        _compare(
            torch,
            ops.scatter_add(x, dim, idx, s),
            torch.scatter_add(tx, dim, ti, ts),
            (x, s),
            (tx, ts),
        )
    else:
        assert_close(
            ops.scatter_add(x, dim, idx, s), torch.scatter_add(tx, dim, ti, ts).detach().numpy()
        )


@pytest.mark.torch
@given(
    case=gather_cases(),
    reduce=st.sampled_from(["sum", "prod", "mean", "amax", "amin"]),
    include_self=st.booleans(),
)
@HYP
def test_scatter_reduce_matches_torch(case, reduce, include_self):
    torch = pytest.importorskip("torch")
    shape, dim, idx, sshape = case
    x, tx = _torch_pair(torch, _rand(shape))
    s, ts = _torch_pair(torch, _rand(sshape, seed=1))
    ours = ops.scatter_reduce(x, dim, idx, s, reduce, include_self=include_self)
    theirs = torch.scatter_reduce(tx, dim, torch.tensor(idx), ts, reduce, include_self=include_self)
    _compare(torch, ours, theirs, (x, s), (tx, ts))  # random values: no ties


@pytest.mark.torch
@given(case=gather_cases())
@HYP
def test_scatter_with_unique_indices_matches_torch(case):
    torch = pytest.importorskip("torch")
    shape, dim, idx, _ = case
    # one permutation per line along dim: each target written at most once
    perm = np.argsort(_rand((*idx.shape[:dim], shape[dim], *idx.shape[dim + 1 :])), axis=dim)
    idx = np.take(perm, np.arange(min(idx.shape[dim], shape[dim])), axis=dim)
    x, tx = _torch_pair(torch, _rand(shape))
    s, ts = _torch_pair(torch, _rand(idx.shape, seed=1))
    ti = torch.tensor(idx)
    _compare(torch, ops.scatter(x, dim, idx, s), torch.scatter(tx, dim, ti, ts), (x, s), (tx, ts))
    _compare(torch, ops.scatter(x, dim, idx, 2.5), torch.scatter(tx, dim, ti, 2.5), (x,), (tx,))


@st.composite
def index_cases(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    dim = draw(st.integers(0, len(shape) - 1))
    idx = draw(
        hnp.arrays(np.int64, draw(st.integers(0, 6)), elements=st.integers(0, shape[dim] - 1))
    )
    return shape, dim, idx


@pytest.mark.torch
@given(case=index_cases())
@HYP
def test_index_ops_match_torch(case):
    torch = pytest.importorskip("torch")
    shape, dim, idx = case
    x, tx = _torch_pair(torch, _rand(shape))
    ti = torch.tensor(idx)
    _compare(torch, ops.index_select(x, dim, idx), torch.index_select(tx, dim, ti), (x,), (tx,))
    sshape = shape[:dim] + (len(idx),) + shape[dim + 1 :]
    s, ts = _torch_pair(torch, _rand(sshape, seed=1))
    _compare(
        torch,
        ops.index_add(x, dim, idx, s, alpha=0.5),
        torch.index_add(tx, dim, ti, ts, alpha=0.5),
        (x, s),
        (tx, ts),
    )
    v, tv = _torch_pair(torch, np.float64(1.5))
    _compare(
        torch, ops.index_fill(x, dim, idx, v), torch.index_fill(tx, dim, ti, tv), (x, v), (tx, tv)
    )
    u = np.unique(idx)
    su, tsu = _torch_pair(torch, _rand(shape[:dim] + (len(u),) + shape[dim + 1 :], seed=2))
    _compare(
        torch,
        ops.index_copy(x, dim, u, su),
        torch.index_copy(tx, dim, torch.tensor(u), tsu),
        (x, su),
        (tx, tsu),
    )


@pytest.mark.torch
@given(data=st.data())
@HYP
def test_masked_ops_and_take_match_torch(data):
    torch = pytest.importorskip("torch")
    shape, mshape = data.draw(
        hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)
    ).input_shapes
    mask = data.draw(hnp.arrays(np.bool_, mshape))
    x, tx = _torch_pair(torch, _rand(shape))
    tm = torch.tensor(mask)
    v, tv = _torch_pair(torch, np.float64(-3.0))
    _compare(torch, ops.masked_fill(x, mask, v), torch.masked_fill(tx, tm, tv), (x, v), (tx, tv))
    _compare(torch, ops.masked_select(x, mask), torch.masked_select(tx, tm), (x,), (tx,))
    n = int(np.broadcast_to(mask, np.broadcast_shapes(shape, mshape)).sum())
    s, ts = _torch_pair(torch, _rand((n + 2,), seed=3))
    _compare(
        torch, ops.masked_scatter(x, mask, s), torch.masked_scatter(tx, tm, ts), (x, s), (tx, ts)
    )
    size = int(np.prod(shape))
    if size:
        idx = data.draw(
            hnp.arrays(
                np.int64, (data.draw(st.integers(0, 5)),), elements=st.integers(-size, size - 1)
            )
        )
        _compare(torch, ops.take(x, idx), torch.take(tx, torch.tensor(idx)), (x,), (tx,))
        flat = idx % size  # without dim, PyTorch takes no negative indices
        _compare(
            torch,
            ops.take_along_dim(x, flat),
            torch.take_along_dim(tx, torch.tensor(flat)),
            (x,),
            (tx,),
        )


@pytest.mark.torch
def test_nonzero_and_argwhere_match_torch():
    torch = pytest.importorskip("torch")
    for a in (np.array(0.0), np.array(2.0), np.zeros((2, 0)), _rand((3, 4)) > 0.3):
        t = torch.tensor(a)
        _same(ops.nonzero(_t(a)), torch.nonzero(t).numpy())
        _same(ops.argwhere(_t(a)), torch.argwhere(t).numpy())
        for ours, theirs in zip(
            ops.nonzero(_t(a), as_tuple=True), torch.nonzero(t, as_tuple=True), strict=True
        ):
            _same(ours, theirs.numpy())


@pytest.mark.skipif(
    not hasattr(npgrad.Tensor, "scatter_"), reason="Tensor methods not wired in npgrad._methods yet"
)
def test_tensor_methods_are_the_same_code_path():
    x = npgrad.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    idx = npgrad.tensor([[2, 0], [1, 1]])
    _same(x.gather(1, idx), ops.gather(x, 1, idx).numpy())
    _same(x.index_select(0, [1]), x.numpy()[[1]])
    _same(x.masked_select(x > 3), np.float32([4, 5, 6]))
    _same(x.take([0, -1]), np.float32([1, 6]))
    _same(x.nonzero(), np.argwhere(x.numpy()))
    _same(x.argwhere(), np.argwhere(x.numpy()))
    y = x.clone()
    assert y.scatter_(1, idx, npgrad.zeros(2, 2)) is y and y._version == 1
    _same(y, np.float32([[0, 2, 0], [4, 0, 6]]))
    y.scatter_add_(1, idx, npgrad.ones(2, 2)).masked_fill_(y > 5, -1.0)
    _same(y, np.float32([[1, 2, 1], [4, 2, -1]]))
    y.index_add_(0, [0], npgrad.ones(1, 3), alpha=2).index_fill_(1, [1], 0.0)
    _same(y, np.float32([[3, 0, 3], [4, 0, -1]]))
    w = npgrad.tensor([1.0, 2.0], requires_grad=True)
    z = x * 1
    z.masked_fill_(x > 5, w[1])  # differentiable in the value, through the in-place op
    z.sum().backward()
    _same(w.grad, np.float32([0, 1]))


def test_gather_and_masked_fill_use_the_index_of_the_forward():
    # the index and mask are copied: changing them in place later does not change the
    # gradient (PyTorch raises at backward instead)
    x = npgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    i = npgrad.tensor([0, 1])
    y = x.gather(0, i) ** 2
    i.zero_()
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 4.0, 0.0]
    x.grad = None
    m = npgrad.tensor([True, False, True])
    y = x.masked_fill(m, 0.0)
    m[...] = ~m
    y.backward(npgrad.tensor([1.0, 10.0, 100.0]))
    assert x.grad.tolist() == [0.0, 10.0, 0.0]
    x.grad = None
    j = np.array([2, 0])
    y = ops.index_select(x, 0, j)
    j[:] = 1
    y.backward(npgrad.tensor([1.0, 5.0]))
    assert x.grad.tolist() == [5.0, 0.0, 1.0]
