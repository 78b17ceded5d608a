"""More PyTorch conveniences of ``npgrad.ops.extras``, ``npgrad.ops.other`` and
``npgrad.ops.scan`` -- ``isclose``, ``meshgrid``, ``diag``, ``diag_embed``, ``cross``, ``kron``,
``rot90``, ``tensor_split``, ``select`` (``other``), ``copysign``, ``frac``,
``var_mean``/``std_mean``, ``cummax``/``cummin``, ``logcumsumexp`` (``scan``), ``bincount`` --
the in-place Tensor methods added with them (``cos_``, ``t_``, ``fill_diagonal_``...),
``hypot``/``logaddexp`` promotion and ``Tensor.split(split_size=...)``: forward against NumPy
in float32 and float64, gradients (first and second order), errors, and PyTorch parity.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

FLOATS = [np.float32, np.float64]


def _arr(shape, dtype=np.float64, seed=0, low=-3.0, high=3.0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def _leaf(shape, seed=0, low=-2.0, high=2.0):
    return npgrad.tensor(_arr(shape, np.float64, seed, low, high), requires_grad=True)


def _close(actual, expected, dtype):
    assert isinstance(actual, npgrad.Tensor)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape
    assert actual.dtype == np.dtype(dtype)
    tol = 1e-5 if np.dtype(dtype) == np.float32 else 1e-12
    np.testing.assert_allclose(actual.numpy(), expected, rtol=tol, atol=tol)


# ---- forward against NumPy, dtype preserved ---------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_isclose_matches_numpy(dtype):
    a = np.array([1.0, 2.0, np.nan, np.inf, -np.inf, 0.0, 1e-9], dtype)
    b = np.array([1.0 + 1e-6, 2.1, np.nan, np.inf, np.inf, 1e-9, 0.0], dtype)
    ta, tb = npgrad.tensor(a), npgrad.tensor(b)
    for kw in ({}, {"equal_nan": True}, {"rtol": 0.1, "atol": 0.0}, {"atol": 1e-8}):
        out = npgrad.isclose(ta, tb, **kw)
        assert out.dtype == np.bool_ and out.shape == a.shape
        np.testing.assert_array_equal(out.numpy(), np.isclose(a, b, **kw))
    assert (
        ta.isclose(tb, equal_nan=True).tolist() == npgrad.isclose(ta, tb, equal_nan=True).tolist()
    )
    # broadcasting, integers
    col = npgrad.tensor([[1.0], [2.0]], dtype=dtype)
    assert npgrad.isclose(npgrad.tensor([1.0], dtype=dtype), col).tolist() == [[True], [False]]
    ints = npgrad.isclose(npgrad.tensor([10, 20]), npgrad.tensor([11, 20]), rtol=0.1, atol=0)
    assert ints.tolist() == [True, True]


def test_isclose_errors():
    with pytest.raises(TypeError, match="isclose"):
        npgrad.isclose(npgrad.tensor([1.0]), npgrad.tensor([1.0], dtype=npgrad.float64))
    with pytest.raises(ValueError, match="isclose"):
        npgrad.isclose(npgrad.tensor([1.0]), npgrad.tensor([1.0]), rtol=-1.0)
    with pytest.raises(ValueError, match="isclose"):
        npgrad.isclose(npgrad.zeros(2), npgrad.zeros(3))
    with pytest.raises(TypeError, match="isclose"):
        npgrad.isclose(npgrad.zeros(2), 1.0)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_matches_numpy(dtype, indexing):
    a, b, c = _arr((3,), dtype), _arr((2,), dtype, 1), _arr((4,), dtype, 2)
    ours = npgrad.meshgrid(npgrad.tensor(a), npgrad.tensor(b), npgrad.tensor(c), indexing=indexing)
    theirs = np.meshgrid(a, b, c, indexing=indexing)
    assert isinstance(ours, tuple) and len(ours) == 3
    for o, t in zip(ours, theirs):
        _close(o, t, dtype)
    # a list works too, and a 0-d tensor counts as one element
    grid = npgrad.meshgrid([npgrad.tensor(a), npgrad.tensor(dtype(2.0))], indexing=indexing)
    assert grid[0].shape == ((3, 1) if indexing == "ij" else (1, 3))


def test_meshgrid_warns_without_indexing_and_uses_ij():
    a, b = npgrad.tensor([1, 2, 3]), npgrad.tensor([4, 5])
    with pytest.warns(UserWarning, match="indexing"):
        x, y = npgrad.meshgrid(a, b)
    assert x.shape == y.shape == (3, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        npgrad.meshgrid(a, b, indexing="ij")  # no warning when it is given


def test_meshgrid_errors():
    with pytest.raises(ValueError, match="meshgrid"):
        npgrad.meshgrid(npgrad.zeros(2), indexing="ab")
    with pytest.raises(ValueError, match="meshgrid"):
        npgrad.meshgrid(npgrad.zeros(2, 2), indexing="ij")
    with pytest.raises(TypeError, match="meshgrid"):
        npgrad.meshgrid(npgrad.zeros(2), npgrad.tensor([1, 2]), indexing="ij")
    with pytest.raises(ValueError, match="meshgrid"):
        npgrad.meshgrid(indexing="ij")


@pytest.mark.parametrize("dtype", [*FLOATS, np.int64])
@pytest.mark.parametrize("k", [0, 1, -2])
def test_diag_matches_numpy(dtype, k):
    v = _arr((3,), dtype)
    m = _arr((3, 4), dtype, 1)
    _close(npgrad.diag(npgrad.tensor(v), k), np.diag(v, k), dtype)
    _close(npgrad.tensor(m).diag(k), np.diag(m, k), dtype)
    d = npgrad.tensor(m).diag(k)
    d.add_(1)  # a copy, as in PyTorch: the matrix is unchanged
    assert not np.shares_memory(d.numpy(), m)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(("offset", "dim1", "dim2"), [(0, -2, -1), (1, 0, 2), (-1, 2, 0)])
def test_diag_embed_is_the_inverse_of_diagonal(dtype, offset, dim1, dim2):
    a = _arr((2, 3), dtype)
    out = npgrad.diag_embed(npgrad.tensor(a), offset, dim1, dim2)
    assert out.dtype == np.dtype(dtype) and out.ndim == 3
    _close(out.diagonal(offset, dim1, dim2), a, dtype)
    # every element off that diagonal is zero
    assert np.count_nonzero(out.numpy()) == np.count_nonzero(a)
    if (offset, dim1, dim2) == (0, -2, -1):
        expected = np.stack([np.diag(row) for row in a])
        _close(npgrad.tensor(a).diag_embed(), expected, dtype)


def test_diag_and_diag_embed_errors():
    with pytest.raises(ValueError, match="diag"):
        npgrad.diag(npgrad.zeros(2, 2, 2))
    with pytest.raises(ValueError, match="diag"):
        npgrad.diag(npgrad.tensor(1.0))
    with pytest.raises(ValueError, match="diag_embed"):
        npgrad.diag_embed(npgrad.zeros(2), 0, 0, 0)
    with pytest.raises(IndexError, match="diag_embed"):
        npgrad.diag_embed(npgrad.zeros(2), 0, 0, 3)


@pytest.mark.parametrize("dtype", [*FLOATS, np.int64])
def test_cross_matches_numpy(dtype):
    a = _arr((4, 3), dtype)
    b = _arr((1, 3), dtype, 1)
    _close(npgrad.cross(npgrad.tensor(a), npgrad.tensor(b), dim=1), np.cross(a, b), dtype)
    _close(npgrad.tensor(a.T).cross(npgrad.tensor(b.T), dim=0), np.cross(a, b).T, dtype)
    _close(npgrad.cross(npgrad.tensor(a[0]), npgrad.tensor(a[1]), -1), np.cross(a[0], a[1]), dtype)


def test_cross_without_dim_warns_and_takes_the_first_size_3_dim_of_input():
    a, b = _arr((1, 3)), _arr((3, 3), seed=1)
    with pytest.warns(UserWarning, match="dim"):
        out = npgrad.cross(npgrad.tensor(a), npgrad.tensor(b))
    np.testing.assert_allclose(out.numpy(), np.cross(np.broadcast_to(a, (3, 3)), b, axis=1))
    with pytest.warns(UserWarning, match="dim"), pytest.raises(ValueError, match="cross"):
        npgrad.cross(npgrad.zeros(2, 4), npgrad.zeros(2, 4))


def test_cross_errors():
    with pytest.raises(ValueError, match="cross"):
        npgrad.cross(npgrad.zeros(2, 4), npgrad.zeros(2, 4), dim=1)
    with pytest.raises(IndexError, match="cross"):
        npgrad.cross(npgrad.zeros(3, 2), npgrad.zeros(3, 2), dim=5)
    with pytest.raises(TypeError, match="cross"):
        npgrad.cross(npgrad.zeros(3), npgrad.zeros(3, dtype=npgrad.float64), dim=0)
    with pytest.raises(ValueError, match="cross"):
        npgrad.cross(npgrad.zeros(3, 2), npgrad.zeros(3, 3), dim=0)


@pytest.mark.parametrize("dtype", [*FLOATS, np.int64])
@pytest.mark.parametrize(
    ("sa", "sb"), [((2, 3), (4,)), ((2, 1, 2), (3, 2)), ((), (3,)), ((2,), (3,))]
)
def test_kron_matches_numpy(dtype, sa, sb):
    a, b = _arr(sa, dtype), _arr(sb, dtype, 1)
    _close(npgrad.kron(npgrad.tensor(a), npgrad.tensor(b)), np.kron(a, b), dtype)
    _close(npgrad.tensor(a).kron(npgrad.tensor(b)), np.kron(a, b), dtype)


def test_kron_promotes_like_pytorch():
    out = npgrad.kron(npgrad.tensor([1, 2]), npgrad.tensor([1.0, 1.0]))
    assert out.dtype == np.float32 and out.tolist() == [1.0, 1.0, 2.0, 2.0]


@pytest.mark.parametrize("dtype", [*FLOATS, np.int64])
@pytest.mark.parametrize("k", [-1, 0, 1, 2, 3, 4, 5])
@pytest.mark.parametrize("dims", [(0, 1), (1, 0), (2, 0), (-1, -2)])
def test_rot90_matches_numpy(dtype, k, dims):
    a = _arr((2, 3, 4), dtype)
    out = npgrad.rot90(npgrad.tensor(a), k, dims)
    _close(out, np.rot90(a, k, dims), dtype)
    assert not np.shares_memory(out.numpy(), a)  # a copy, always
    _close(npgrad.tensor(a).rot90(k, dims), np.rot90(a, k, dims), dtype)


def test_rot90_errors():
    x = npgrad.zeros(2, 3)
    with pytest.raises(ValueError, match="rot90"):
        npgrad.rot90(x, 1, [0])
    with pytest.raises(ValueError, match="rot90"):
        npgrad.rot90(x, 1, [0, 0])
    with pytest.raises(IndexError, match="rot90"):
        npgrad.rot90(x, 1, [0, 5])
    with pytest.raises(ValueError, match="rot90"):
        npgrad.rot90(npgrad.zeros(3))


@pytest.mark.parametrize("dtype", [*FLOATS, np.int64])
@pytest.mark.parametrize(
    "ios", [3, 1, 10, [1, 6, 3], [-2, 10], (4,), [], [0, 0, 7]], ids=lambda v: repr(v)
)
def test_tensor_split_matches_numpy_array_split(dtype, ios):
    a = _arr((2, 7), dtype)
    ours = npgrad.tensor_split(npgrad.tensor(a), ios, dim=1)
    theirs = np.array_split(a, ios, axis=1)
    assert isinstance(ours, tuple) and len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        _close(o, t, dtype)
        assert o.numel() == 0 or np.shares_memory(o.numpy(), ours[0]._base.numpy())


def test_tensor_split_takes_tensors_and_is_a_method():
    x = npgrad.arange(7)
    assert [t.tolist() for t in x.tensor_split(npgrad.tensor(2))] == [[0, 1, 2, 3], [4, 5, 6]]
    assert [t.tolist() for t in x.tensor_split(npgrad.tensor([2]))] == [[0, 1], [2, 3, 4, 5, 6]]
    assert [t.shape for t in npgrad.zeros(2, 6).tensor_split(2, 1)] == [(2, 3), (2, 3)]


def test_tensor_split_errors():
    x = npgrad.arange(7)
    with pytest.raises(ValueError, match="tensor_split"):
        npgrad.tensor_split(x, 0)
    with pytest.raises(ValueError, match="tensor_split"):
        npgrad.tensor_split(npgrad.tensor(1.0), 2)
    with pytest.raises(ValueError, match="tensor_split"):
        npgrad.tensor_split(x, npgrad.tensor([[1]]))
    with pytest.raises(TypeError, match="tensor_split"):
        npgrad.tensor_split(x, npgrad.tensor([1.0]))
    with pytest.raises(TypeError):
        npgrad.tensor_split(x, 2.5)
    with pytest.raises(IndexError, match="tensor_split"):
        npgrad.tensor_split(x, 2, dim=1)


@pytest.mark.parametrize("dtype", [*FLOATS, np.int64])
def test_select_matches_numpy_indexing(dtype):
    a = _arr((2, 3, 4), dtype)
    x = npgrad.tensor(a)
    _close(npgrad.select(x, 1, -1), a[:, -1], dtype)
    _close(x.select(2, 0), a[:, :, 0], dtype)
    _close(x.select(0, 1), a[1], dtype)
    assert np.shares_memory(x.select(1, 2).numpy(), x.numpy())  # a view


def test_select_errors():
    x = npgrad.zeros(2, 3)
    with pytest.raises(IndexError, match="select"):
        npgrad.select(x, 2, 0)
    with pytest.raises(IndexError, match="select"):
        npgrad.select(x, 0, 5)
    with pytest.raises(IndexError, match="select"):
        npgrad.select(x, 1, -4)
    with pytest.raises(IndexError, match="select"):
        npgrad.select(npgrad.tensor(1.0), 0, 0)


@pytest.mark.parametrize("dtype", FLOATS)
def test_copysign_and_frac_match_numpy(dtype):
    a, b = _arr((3, 4), dtype), _arr((4,), dtype, 1)
    b[0] = -0.0
    ta, tb = npgrad.tensor(a), npgrad.tensor(b)
    _close(npgrad.copysign(ta, tb), np.copysign(a, b), dtype)
    _close(ta.copysign(-1.5), np.copysign(a, dtype(-1.5)), dtype)
    _close(ta.copysign(2), np.abs(a), dtype)  # an int scalar never widens
    _close(npgrad.frac(ta), a - np.trunc(a), dtype)
    _close(ta.frac(), np.modf(a)[0], dtype)


def test_copysign_dtypes_follow_pytorch():
    assert npgrad.copysign(npgrad.tensor([1, -2]), npgrad.tensor([-1, 1])).tolist() == [-1.0, 2.0]
    assert npgrad.copysign(npgrad.tensor([1, 2]), 2).dtype == np.float32  # default float dtype
    a64 = npgrad.tensor([1.0], dtype=npgrad.float64)
    assert npgrad.copysign(a64, npgrad.tensor([-1.0])).dtype == np.float64
    assert npgrad.copysign(npgrad.tensor([True]), -1.0).tolist() == [-1.0]


def test_frac_refuses_integers():
    with pytest.raises(TypeError, match="frac"):
        npgrad.frac(npgrad.tensor([1, 2]))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"dim": 1}, {"dim": 0, "keepdim": True}, {"dim": (0, 1), "correction": 0}],
    ids=["all", "dim1", "keepdim", "correction0"],
)
def test_var_mean_and_std_mean_match_numpy(dtype, kwargs):
    a = _arr((3, 4), dtype)
    x = npgrad.tensor(a)
    axis = kwargs.get("dim")
    ddof = kwargs.get("correction", 1)
    keep = kwargs.get("keepdim", False)
    var, mean = npgrad.var_mean(x, **kwargs)
    _close(var, np.var(a, axis=axis, ddof=ddof, keepdims=keep), dtype)
    _close(mean, np.mean(a, axis=axis, keepdims=keep), dtype)
    std, mean2 = npgrad.std_mean(x, **kwargs)
    _close(std, np.std(a, axis=axis, ddof=ddof, keepdims=keep), dtype)
    _close(mean2, np.mean(a, axis=axis, keepdims=keep), dtype)


def test_var_mean_overloads_and_aliases():
    a = _arr((3, 4))
    x = npgrad.tensor(a)
    var, _ = npgrad.var_mean(x, False)  # PyTorch's overload: unbiased first
    np.testing.assert_allclose(var.numpy(), np.var(a))
    var, _ = npgrad.var_mean(x, 1, False)
    np.testing.assert_allclose(var.numpy(), np.var(a, axis=1))
    std, mean = npgrad.std_mean(x, axis=0, keepdims=True, unbiased=False)
    np.testing.assert_allclose(std.numpy(), np.std(a, axis=0, keepdims=True))
    assert type(npgrad.var_mean(x)) is tuple


def test_var_mean_errors():
    with pytest.raises(RuntimeError, match="var_mean"):
        npgrad.var_mean(npgrad.tensor([1, 2]))
    with pytest.raises(IndexError, match="std_mean"):
        npgrad.std_mean(npgrad.zeros(2), dim=1)
    with pytest.raises(TypeError, match="std_mean"):
        npgrad.std_mean(npgrad.zeros(2), unbiased=True, correction=1)
    with pytest.warns(UserWarning, match="var_mean"):
        npgrad.var_mean(npgrad.zeros(1))


def _cum_ref(a, axis, largest):
    """cummax / cummin values and indices by a plain loop, with PyTorch's rules."""
    a = np.moveaxis(a, axis, -1)
    vals, idx = np.empty_like(a), np.zeros(a.shape, np.int64)
    for pos in np.ndindex(a.shape[:-1]):
        best, at = a[pos][0], 0
        for i, v in enumerate(a[pos]):
            better = v >= best if largest else v <= best
            if better or np.isnan(v) if a.dtype.kind == "f" else better:
                best, at = v, i
            vals[pos][i], idx[pos][i] = best, at
    return np.moveaxis(vals, -1, axis), np.moveaxis(idx, -1, axis)


@pytest.mark.parametrize("dtype", [*FLOATS, np.int64])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("op", ["cummax", "cummin"])
def test_cummax_cummin_match_a_loop(dtype, dim, op):
    a = np.random.default_rng(0).integers(-3, 4, (4, 6)).astype(dtype)  # many ties
    if np.dtype(dtype).kind == "f":
        a[1, 2] = a[2, 4] = a[2, 5] = np.nan
    out = getattr(npgrad, op)(npgrad.tensor(a), dim)
    values, indices = _cum_ref(a, dim, op == "cummax")
    assert out.values.dtype == np.dtype(dtype) and out.indices.dtype == np.int64
    np.testing.assert_array_equal(out.values.numpy(), values)
    np.testing.assert_array_equal(out.indices.numpy(), indices)
    method = getattr(npgrad.tensor(a), op)(dim)
    np.testing.assert_array_equal(method.indices.numpy(), indices)
    assert out.values is out[0] and out.indices is out[1]


def test_cummax_of_0d_bool_and_empty():
    out = npgrad.cummax(npgrad.tensor(2.0), 0)
    assert out.values.item() == 2.0 and out.indices.item() == 0 and out.indices.shape == ()
    out = npgrad.cummax(npgrad.tensor([True, False, True]), 0)
    assert out.values.tolist() == [True, True, True] and out.indices.tolist() == [0, 0, 2]
    out = npgrad.cummin(npgrad.zeros(2, 0), 1)
    assert out.values.shape == out.indices.shape == (2, 0)
    assert "cummin(" in repr(npgrad.cummin(npgrad.tensor([1.0]), 0))
    with pytest.raises(IndexError, match="cummax"):
        npgrad.cummax(npgrad.zeros(2), 1)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("dim", [0, 1])
def test_logcumsumexp_matches_numpy(dtype, dim):
    a = _arr((3, 5), dtype, low=-5, high=5)
    expected = np.log(np.cumsum(np.exp(a.astype(np.float64)), axis=dim))
    _close(npgrad.logcumsumexp(npgrad.tensor(a), dim), expected.astype(dtype), dtype)
    _close(npgrad.tensor(a).logcumsumexp(dim), expected.astype(dtype), dtype)


def test_logcumsumexp_is_stable_and_handles_minus_inf():
    out = npgrad.logcumsumexp(npgrad.tensor([1000.0, 1000.0, -1000.0]), 0)
    np.testing.assert_allclose(out.numpy(), [1000.0, 1000.0 + np.log(2), 1000.0 + np.log(2)])
    out = npgrad.logcumsumexp(npgrad.tensor([-np.inf, 0.0, -np.inf]), 0)
    assert out.tolist() == [-np.inf, 0.0, 0.0]
    assert npgrad.logcumsumexp(npgrad.tensor(2.0), 0).item() == 2.0
    x = npgrad.tensor([800.0, -800.0, 700.0], dtype=npgrad.float64, requires_grad=True)
    npgrad.logcumsumexp(x, 0).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


def test_logcumsumexp_errors():
    with pytest.raises(TypeError, match="logcumsumexp"):
        npgrad.logcumsumexp(npgrad.tensor([1, 2]), 0)
    with pytest.raises(IndexError, match="logcumsumexp"):
        npgrad.logcumsumexp(npgrad.zeros(2), 1)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_bincount_matches_numpy(dtype):
    x = np.array([1, 1, 3, 0, 7], dtype)
    out = npgrad.bincount(npgrad.tensor(x))
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), np.bincount(x))
    np.testing.assert_array_equal(
        npgrad.tensor(x).bincount(minlength=10).numpy(), np.bincount(x, minlength=10)
    )
    w32 = _arr((5,), np.float32)
    out = npgrad.bincount(npgrad.tensor(x), npgrad.tensor(w32))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), np.bincount(x, w32), rtol=1e-6)
    for w in (np.arange(5), _arr((5,), np.float64)):  # any other weight dtype: float64
        out = npgrad.bincount(npgrad.tensor(x), weights=npgrad.tensor(w))
        assert out.dtype == np.float64
        np.testing.assert_allclose(out.numpy(), np.bincount(x, w))
    empty = npgrad.tensor(np.array([], np.int64))
    assert npgrad.bincount(empty).shape == (0,) and npgrad.bincount(
        empty, minlength=2
    ).tolist() == [0, 0]


def test_bincount_has_no_gradient_and_errors():
    w = npgrad.tensor([0.5, 1.5], requires_grad=True)
    assert not npgrad.bincount(npgrad.tensor([0, 2]), w).requires_grad
    with pytest.raises(TypeError, match="bincount"):
        npgrad.bincount(npgrad.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="bincount"):
        npgrad.bincount(npgrad.tensor([True, False]))
    with pytest.raises(ValueError, match="bincount"):
        npgrad.bincount(npgrad.tensor([-1, 2]))
    with pytest.raises(ValueError, match="bincount"):
        npgrad.bincount(npgrad.tensor([[1]]))
    with pytest.raises(ValueError, match="bincount"):
        npgrad.bincount(npgrad.tensor([1, 1, 3]), npgrad.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="bincount"):
        npgrad.bincount(npgrad.tensor([1]), minlength=-1)


# ---- hypot / logaddexp promotion ---------------------------------------------------------------
@pytest.mark.parametrize("fn", [npgrad.hypot, npgrad.logaddexp], ids=["hypot", "logaddexp"])
def test_hypot_logaddexp_promote_integers_to_the_float_operand(fn):
    ref = np.hypot if fn is npgrad.hypot else np.logaddexp
    f32, f64 = npgrad.tensor([1.5, 2.0]), npgrad.tensor([1.5, 2.0], dtype=npgrad.float64)
    i64, i32 = npgrad.tensor([1, 2]), npgrad.tensor([3, 4], dtype=npgrad.int32)
    for a, b, dtype in (
        (f32, i64, np.float32),
        (i64, f32, np.float32),
        (f64, i32, np.float64),
        (f32, 2, np.float32),
        (i64, 2.5, np.float32),  # an int tensor with a float scalar: the default float dtype
        (npgrad.tensor([True, False]), f32, np.float32),
    ):
        out = fn(a, b)
        assert out.dtype == dtype
        an, bn = (
            np.asarray(v.numpy() if isinstance(v, npgrad.Tensor) else v, np.float64) for v in (a, b)
        )
        np.testing.assert_allclose(out.numpy(), ref(an, bn), rtol=1e-6)
    x = npgrad.tensor([1.0, 2.0], dtype=npgrad.float64, requires_grad=True)
    fn(x, i64).sum().backward()  # the float operand still gets its gradient
    assert x.grad is not None and x.grad.dtype == np.float64


@pytest.mark.parametrize("fn", [npgrad.hypot, npgrad.logaddexp], ids=["hypot", "logaddexp"])
def test_hypot_logaddexp_refuse_only_integral_operands(fn):
    name = fn.__name__
    for a, b in ((npgrad.tensor([1]), npgrad.tensor([2])), (npgrad.tensor([1]), 2)):
        with pytest.raises(TypeError, match=f"{name}.*floating point"):
            fn(a, b)


# ---- Tensor.split keywords -----------------------------------------------------------------------
def test_split_keywords_are_pytorchs():
    x = npgrad.arange(5)
    assert [t.tolist() for t in x.split(split_size=2)] == [[0, 1], [2, 3], [4]]
    assert [t.tolist() for t in x.split(split_size=[1, 4], dim=0)] == [[0], [1, 2, 3, 4]]
    assert [t.tolist() for t in npgrad.split(x, split_size_or_sections=2)] == [[0, 1], [2, 3], [4]]
    assert [t.tolist() for t in npgrad.split(tensor=x, split_size_or_sections=[2, 3])] == [
        [0, 1],
        [2, 3, 4],
    ]
    with pytest.raises(TypeError):
        x.split(split_size_or_sections=2)  # not the method's name in PyTorch either


# ---- gradients ---------------------------------------------------------------------------------
GRADS = {
    "meshgrid": ([(3,), (2,)], lambda a, b: npgrad.meshgrid(a, b, indexing="xy")),
    "meshgrid_ij_0d": ([(3,), ()], lambda a, b: npgrad.meshgrid([a, b], indexing="ij")),
    "diag_vector": ([(3,)], lambda a: npgrad.diag(a, -1)),
    "diag_matrix": ([(3, 4)], lambda a: npgrad.diag(a, 1)),
    "diag_embed": ([(2, 3)], lambda a: npgrad.diag_embed(a, 1, 0, 2)),
    "cross": ([(4, 3), (1, 3)], lambda a, b: npgrad.cross(a, b, dim=1)),
    "kron": ([(2, 3), (3, 1, 2)], lambda a, b: npgrad.kron(a, b)),
    "rot90": ([(2, 3, 4)], lambda a: npgrad.rot90(a, 3, (2, 0)) * npgrad.rot90(a, 1, (2, 0))),
    "tensor_split": ([(2, 7)], lambda a: npgrad.tensor_split(a, [1, 6, 3], 1)),
    "tensor_split_sections": ([(5, 2)], lambda a: npgrad.tensor_split(a, 3)),
    "select": ([(2, 3, 4)], lambda a: npgrad.select(a, 1, -1) * npgrad.select(a, 1, 0)),
    "copysign": ([(2, 3), (3,)], lambda a, b: npgrad.copysign(a, b) * a),
    "frac": ([(2, 3)], lambda a: npgrad.frac(a * 3.7) * a),
    "var_mean": ([(3, 4)], lambda a: npgrad.var_mean(a, 1)),
    "std_mean": ([(3, 4)], lambda a: npgrad.std_mean(a, 0, keepdim=True, correction=0)),
    "cummax": ([(3, 5)], lambda a: npgrad.cummax(a, 1).values * a),
    "cummin": ([(3, 5)], lambda a: npgrad.cummin(a, 0).values),
    "logcumsumexp": ([(3, 5)], lambda a: npgrad.logcumsumexp(a, 1)),
    "logcumsumexp_dim0": ([(4, 2)], lambda a: npgrad.logcumsumexp(a * 30.0, 0)),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_gradcheck_and_gradgradcheck(name):
    shapes, fn = GRADS[name]
    inputs = tuple(_leaf(s, seed=k) for k, s in enumerate(shapes))
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def test_copysign_gradient_is_zero_at_zero_and_for_other():
    a = npgrad.tensor([0.0, -2.0, 3.0], requires_grad=True)
    b = npgrad.tensor([-1.0, -1.0, 1.0], requires_grad=True)
    npgrad.copysign(a, b).sum().backward()
    assert a.grad.tolist() == [0.0, 1.0, 1.0]
    assert b.grad.tolist() == [0.0, 0.0, 0.0]


def test_cummax_gradient_goes_to_the_indexed_elements():
    x = npgrad.tensor([1.0, 3.0, 2.0, 3.0], requires_grad=True)
    npgrad.cummax(x, 0).values.sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 0.0, 1.0]


# ---- in-place methods ---------------------------------------------------------------------------
# name -> (args, out-of-place reference, input range)
INPLACE = {
    "cos_": ((), lambda x: x.cos(), (-2, 2)),
    "sin_": ((), lambda x: x.sin(), (-2, 2)),
    "tan_": ((), lambda x: x.tan(), (-1, 1)),
    "floor_": ((), lambda x: x.floor(), (-2, 2)),
    "ceil_": ((), lambda x: x.ceil(), (-2, 2)),
    "round_": ((), lambda x: x.round(), (-2, 2)),
    "trunc_": ((), lambda x: x.trunc(), (-2, 2)),
    "frac_": ((), lambda x: x.frac(), (-2, 2)),
    "sign_": ((), lambda x: x.sign(), (-2, 2)),
    "abs_": ((), lambda x: x.abs(), (-2, 2)),
    "neg_": ((), lambda x: x.neg(), (-2, 2)),
    "reciprocal_": ((), lambda x: x.reciprocal(), (0.5, 2)),
    "sqrt_": ((), lambda x: x.sqrt(), (0.5, 2)),
    "rsqrt_": ((), lambda x: x.rsqrt(), (0.5, 2)),
    "exp_": ((), lambda x: x.exp(), (-2, 2)),
    "log_": ((), lambda x: x.log(), (0.5, 2)),
    "sigmoid_": ((), lambda x: x.sigmoid(), (-2, 2)),
    "tanh_": ((), lambda x: x.tanh(), (-2, 2)),
    "relu_": ((), lambda x: x.relu(), (-2, 2)),
    "clamp_": ((-0.5, 0.5), lambda x: x.clamp(-0.5, 0.5), (-2, 2)),
    "clamp_min_": ((0.1,), lambda x: x.clamp_min(0.1), (-2, 2)),
    "clamp_max_": ((0.1,), lambda x: x.clamp_max(0.1), (-2, 2)),
    "clip_": ((-0.5, 0.5), lambda x: x.clip(-0.5, 0.5), (-2, 2)),
    "remainder_": ((0.7,), lambda x: x.remainder(0.7), (-2, 2)),
    "fmod_": ((0.7,), lambda x: x.fmod(0.7), (-2, 2)),
    "lerp_": ((npgrad.ones(3, 4, dtype=npgrad.float64), 0.3), None, (-2, 2)),
    "copysign_": ((-1.0,), lambda x: x.copysign(-1.0), (-2, 2)),
    "triu_": ((1,), lambda x: x.triu(1), (-2, 2)),
    "tril_": ((-1,), lambda x: x.tril(-1), (-2, 2)),
    "masked_fill_": ((npgrad.tensor([True, False, True, False]), 0.5), None, (-2, 2)),
    "index_fill_": (
        (1, npgrad.tensor([0, 2]), -1.0),
        lambda x: x.index_fill(1, npgrad.tensor([0, 2]), -1.0),
        (-2, 2),
    ),
    "fill_diagonal_": ((0.25,), None, (-2, 2)),
}


def _reference(name, x):
    args, ref, _ = INPLACE[name]
    if ref is not None:
        return ref(x)
    if name == "lerp_":
        return x.lerp(*args)
    if name == "masked_fill_":
        return x.masked_fill(*args)
    mask = np.zeros(x.shape, bool)
    np.fill_diagonal(mask, True)
    return npgrad.where(npgrad.tensor(mask), 0.25, x)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_equals_out_of_place_and_bumps_the_version(name, dtype):
    args, _, (low, high) = INPLACE[name]
    a = _arr((3, 4), dtype, low=low, high=high)
    x = npgrad.tensor(a.copy())
    alias = x.detach()
    before = x._version
    out = getattr(x, name)(*args)
    assert out is x
    assert x._version == before + 1
    expected = _reference(name, npgrad.tensor(a))
    assert_close(x, expected.to(dtype))
    assert alias.numpy() is x.numpy() or np.shares_memory(alias.numpy(), x.numpy())
    assert_close(alias, expected.to(dtype))  # the memory itself was written


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_gradient_through_a_non_leaf(name):
    args, _, (low, high) = INPLACE[name]
    a = _arr((3, 4), low=low, high=high)

    def via_inplace(leaf):
        y = leaf * 1.0  # a non-leaf: in-place is allowed
        return getattr(y, name)(*args)

    def via_out_of_place(leaf):
        return _reference(name, leaf * 1.0)

    x1 = npgrad.tensor(a, requires_grad=True)
    out = via_inplace(x1)
    assert out.grad_fn is not None or not out.requires_grad
    g = npgrad.tensor(_arr((3, 4), seed=5))
    if out.requires_grad:
        out.backward(g)
    x2 = npgrad.tensor(a, requires_grad=True)
    ref = via_out_of_place(x2)
    if ref.requires_grad:
        ref.backward(g)
    if x2.grad is None:
        assert x1.grad is None or not x1.grad.numpy().any()
    else:
        assert_close(x1.grad, x2.grad)
        assert gradcheck(via_inplace, (npgrad.tensor(a, requires_grad=True),))


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_on_a_leaf_that_requires_grad_raises(name):
    args, _, (low, high) = INPLACE[name]
    x = npgrad.tensor(_arr((3, 4), low=low, high=high), requires_grad=True)
    reported = "clamp_" if name == "clip_" else name  # clip_ is clamp_ (as in PyTorch)
    with pytest.raises(RuntimeError, match=f"{reported}.*leaf"):
        getattr(x, name)(*args)
    with npgrad.no_grad():
        getattr(x, name)(*args)  # allowed outside the graph, as in PyTorch


def test_inplace_version_check_catches_a_saved_input():
    x = npgrad.tensor(_arr((3,)), requires_grad=True)
    y = x * 1.0
    z = y * y  # saves y
    y.cos_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_inplace_refuses_a_result_it_cannot_hold():
    x = npgrad.tensor([1, 2])
    with pytest.raises(RuntimeError, match="cos_"):
        x.cos_()
    assert x.tolist() == [1, 2]  # left unchanged
    y = npgrad.tensor([1, -2])
    assert y.sign_().tolist() == [1, -1] and y.abs_().tolist() == [1, 1]
    z = npgrad.tensor([1.26, 2.5])
    assert_close(z.round_(decimals=1), npgrad.tensor([1.3, 2.5]))
    assert npgrad.tensor([5, 7]).remainder_(3).tolist() == [2, 1]


def test_fill_diagonal_matches_numpy_with_wrap_and_cubes():
    for shape, wrap in (((7, 3), True), ((7, 3), False), ((3, 5), False), ((3, 3, 3), False)):
        a = np.zeros(shape)
        np.fill_diagonal(a, 5.0, wrap=wrap)
        x = npgrad.zeros(*shape, dtype=npgrad.float64)
        assert x.fill_diagonal_(5.0, wrap=wrap) is x
        np.testing.assert_array_equal(x.numpy(), a)
    with pytest.raises(ValueError, match="fill_diagonal_"):
        npgrad.zeros(3).fill_diagonal_(1.0)
    with pytest.raises(ValueError, match="fill_diagonal_"):
        npgrad.zeros(2, 3, 2).fill_diagonal_(1.0)


# ---- in-place shape changes: unsqueeze_, squeeze_, transpose_, t_ --------------------------------
SHAPE_INPLACE = {
    "unsqueeze_": ((1,), lambda x: x.unsqueeze(1)),
    "squeeze_": ((1,), lambda x: x.squeeze(1)),
    "squeeze_all": ((), lambda x: x.squeeze()),
    "transpose_": ((0, 2), lambda x: x.transpose(0, 2)),
    "swapaxes_": ((2, 1), lambda x: x.swapaxes(2, 1)),
    "t_": ((), lambda x: x.t()),
}


def _shape_input(name):
    shape = (2, 3) if name == "t_" else (2, 1, 3)
    return _arr(shape)


def _method(name):
    return "squeeze_" if name == "squeeze_all" else name


@pytest.mark.parametrize("name", sorted(SHAPE_INPLACE))
def test_shape_inplace_changes_the_tensors_own_shape(name):
    args, ref = SHAPE_INPLACE[name]
    a = _shape_input(name)
    x = npgrad.tensor(a.copy())
    before = x._version
    assert getattr(x, _method(name))(*args) is x
    expected = ref(npgrad.tensor(a))
    assert x.shape == expected.shape and x.stride() == expected.stride()
    assert_close(x, expected)
    assert x._version == before + 1  # as PyTorch
    x.add_(1.0)  # still the same memory: writes reach the original array
    np.testing.assert_allclose(np.asarray(x.numpy()).sum(), a.sum() + a.size)


@pytest.mark.parametrize("name", sorted(SHAPE_INPLACE))
def test_shape_inplace_gradient_through_a_non_leaf(name):
    args, ref = SHAPE_INPLACE[name]
    a = _shape_input(name)

    def via_inplace(leaf):
        out = getattr(leaf * 2.0, _method(name))(*args)
        return out * out

    x = npgrad.tensor(a, requires_grad=True)
    y = x * 2.0
    getattr(y, _method(name))(*args)
    assert y.shape == ref(npgrad.tensor(a)).shape
    assert y.grad_fn is not None
    g = npgrad.tensor(_arr(y.shape, seed=3))
    y.backward(g)
    x2 = npgrad.tensor(a, requires_grad=True)
    ref(x2 * 2.0).backward(g)
    assert_close(x.grad, x2.grad)
    assert gradcheck(via_inplace, (npgrad.tensor(a, requires_grad=True),))
    assert gradgradcheck(
        lambda t: getattr(t * t, _method(name))(*args), (npgrad.tensor(a, requires_grad=True),)
    )


def test_shape_inplace_on_a_view_keeps_the_view_in_the_graph():
    x = npgrad.tensor(_arr((2, 3)), requires_grad=True)
    base = x * 1.0
    v = base[0]
    v.unsqueeze_(0)
    assert v.shape == (1, 3) and v._base is base
    (v * v).sum().backward()
    expected = np.zeros((2, 3))
    expected[0] = 2 * x.detach().numpy()[0]
    np.testing.assert_allclose(x.grad.numpy(), expected)
    # a write through the reshaped view still reaches the base and its graph
    x.grad = None
    base = x * 1.0
    v = base[1]
    v.unsqueeze_(1)
    v.mul_(3.0)
    base.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[1.0, 1.0, 1.0], [3.0, 3.0, 3.0]])


def test_shape_inplace_errors():
    leaf = npgrad.zeros(2, 1, requires_grad=True)
    for name, args in (("unsqueeze_", (0,)), ("squeeze_", ()), ("t_", ()), ("transpose_", (0, 1))):
        with pytest.raises(RuntimeError, match=f"{name}.*leaf"):
            getattr(leaf, name)(*args)
    # a tensor in the graph that may have views of its own: refused, not a wrong graph
    y = leaf * 1.0
    v = y[0]
    with pytest.raises(RuntimeError, match="t_.*out-of-place t"):
        y.t_()
    assert y.shape == (2, 1) and v.shape == (1,)
    with pytest.raises(IndexError, match="unsqueeze"):
        npgrad.zeros(2).unsqueeze_(3)
    with pytest.raises(ValueError, match="t"):
        npgrad.zeros(2, 2, 2).t_()
    # without grad, a tensor with views changes shape; its views keep theirs
    z = npgrad.zeros(2, 3)
    row = z[0]
    z.t_()
    row.fill_(1.0)
    assert z.shape == (3, 2) and z[:, 0].tolist() == [1.0, 1.0, 1.0]


def test_shape_inplace_bump_catches_a_saved_input():
    x = npgrad.tensor(_arr((2, 3)), requires_grad=True)
    y = x * 1.0
    z = y * y
    y.t_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


# ---- PyTorch parity ----------------------------------------------------------------------------
PARITY = {
    "meshgrid": (lambda m, a, b: m.meshgrid(a, b, indexing="xy"), [(3,), (2,)]),
    "diag": (lambda m, a: m.diag(a, 1) + m.diag(m.diag(a, -1), -1).sum(), [(3, 4)]),
    "diag_embed": (lambda m, a: m.diag_embed(a, -1, 2, 0), [(2, 3)]),
    "cross": (lambda m, a, b: m.cross(a, b, dim=0), [(3, 2), (3, 1)]),
    "kron": (lambda m, a, b: m.kron(a, b), [(2, 3), (3, 1, 2)]),
    "rot90": (lambda m, a: m.rot90(a, -3, [2, 1]), [(2, 3, 4)]),
    "tensor_split": (lambda m, a: m.tensor_split(a, [1, 5, 3], 1), [(2, 7)]),
    "tensor_split_sections": (lambda m, a: a.tensor_split(3), [(8, 2)]),
    "select": (lambda m, a: m.select(a, 1, -2), [(2, 3, 4)]),
    "copysign": (lambda m, a, b: m.copysign(a, b), [(2, 3), (3,)]),
    "frac": (lambda m, a: m.frac(a), [(2, 3)]),
    "var_mean": (lambda m, a: m.var_mean(a, 1, keepdim=True), [(3, 4)]),
    "std_mean": (lambda m, a: m.std_mean(a, 0, correction=0), [(3, 4)]),
    "cummax": (lambda m, a: m.cummax(a, 1).values, [(3, 5)]),
    "cummin": (lambda m, a: a.cummin(0).values, [(3, 5)]),
    "logcumsumexp": (lambda m, a: m.logcumsumexp(a, 1), [(3, 5)]),
    "hypot_int": (lambda m, a: m.hypot(a, m.tensor([1, 2, 3])), [(2, 3)]),
    "logaddexp_int": (lambda m, a: m.logaddexp(m.tensor([1, 2, 3]), a), [(2, 3)]),
}


def _outputs(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(PARITY))
def test_matches_torch_values_and_gradients(name, dtype):
    torch = pytest.importorskip("torch")
    fn, shapes = PARITY[name]
    arrays = [_arr(s, dtype, k) for k, s in enumerate(shapes)]
    ours = [npgrad.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    outs, refs = _outputs(fn(npgrad, *ours)), _outputs(fn(torch, *theirs))
    assert len(outs) == len(refs)
    tol = 1e-5 if dtype == "float32" else 1e-12
    loss_ours, loss_theirs = 0, 0
    for k, (o, r) in enumerate(zip(outs, refs)):
        assert o.shape == tuple(r.shape)
        assert str(o.dtype) == str(r.dtype).split(".")[1]
        np.testing.assert_allclose(o.detach().numpy(), r.detach().numpy(), rtol=tol, atol=tol)
        g = _arr(o.shape, dtype, 99 + k)
        loss_ours = loss_ours + (o * npgrad.tensor(g)).sum()
        loss_theirs = loss_theirs + (r * torch.tensor(g)).sum()
    loss_ours.backward()
    loss_theirs.backward()
    for x, t in zip(ours, theirs):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.torch
def test_non_differentiable_results_match_torch():
    torch = pytest.importorskip("torch")
    v = np.array([1.0, 3.0, 3.0, 2.0, np.nan, 5.0, np.nan, 1.0], np.float32)
    for op in ("cummax", "cummin"):
        ours, ref = getattr(npgrad, op)(npgrad.tensor(v), 0), getattr(torch, op)(torch.tensor(v), 0)
        np.testing.assert_array_equal(ours.values.numpy(), ref.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), ref.indices.numpy())
    ints = np.random.default_rng(0).integers(-2, 3, (4, 6))
    for op in ("cummax", "cummin"):
        for dim in (0, 1):
            ours, ref = (
                getattr(npgrad, op)(npgrad.tensor(ints), dim),
                getattr(torch, op)(torch.tensor(ints), dim),
            )
            np.testing.assert_array_equal(ours.indices.numpy(), ref.indices.numpy())
    a = np.array([1.0, 2.0, np.nan, np.inf, -np.inf, 0.0], np.float32)
    b = np.array([1.0 + 1e-6, 2.1, np.nan, np.inf, np.inf, 1e-9], np.float32)
    for kw in ({}, {"equal_nan": True}, {"rtol": 0.1, "atol": 0.0}):
        np.testing.assert_array_equal(
            npgrad.isclose(npgrad.tensor(a), npgrad.tensor(b), **kw).numpy(),
            torch.isclose(torch.tensor(a), torch.tensor(b), **kw).numpy(),
        )
    x = np.array([1, 1, 3, 0, 7])
    w = _arr((5,), np.float32)
    np.testing.assert_array_equal(
        npgrad.bincount(npgrad.tensor(x), minlength=9).numpy(),
        torch.bincount(torch.tensor(x), minlength=9).numpy(),
    )
    ours, ref = (
        npgrad.bincount(npgrad.tensor(x), npgrad.tensor(w)),
        torch.bincount(torch.tensor(x), torch.tensor(w)),
    )
    assert str(ours.dtype) == str(ref.dtype).split(".")[1]
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = _arr((1, 3)), _arr((3, 3), seed=1)
        np.testing.assert_allclose(
            npgrad.cross(npgrad.tensor(a), npgrad.tensor(b)).numpy(),
            torch.cross(torch.tensor(a), torch.tensor(b)).numpy(),
        )


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_methods_match_torch(name):
    torch = pytest.importorskip("torch")
    args, _, (low, high) = INPLACE[name]
    a = _arr((3, 4), low=low, high=high)
    t_args = [torch.tensor(v.numpy()) if isinstance(v, npgrad.Tensor) else v for v in args]
    x, t = npgrad.tensor(a.copy()), torch.tensor(a.copy())
    getattr(x, name)(*args)
    getattr(t, name)(*t_args)
    np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(SHAPE_INPLACE))
def test_shape_inplace_methods_match_torch(name):
    torch = pytest.importorskip("torch")
    args, _ = SHAPE_INPLACE[name]
    a = _shape_input(name)
    x, t = npgrad.tensor(a.copy()), torch.tensor(a.copy())
    getattr(x, _method(name))(*args)
    getattr(t, _method(name))(*args)
    assert x.shape == tuple(t.shape) and x.stride() == t.stride() and x._version == t._version
    np.testing.assert_array_equal(x.numpy(), t.numpy())


def test_shape_changing_in_place_ops_chain_on_a_non_leaf():
    x = npgrad.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = x * 2
    y.unsqueeze_(0)
    y.transpose_(0, 2)  # a second in-place shape change: still no views of y, so allowed
    assert y.shape == (3, 2, 1)
    (y * y).sum().backward()
    assert x.grad.tolist() == [[8.0, 16.0, 24.0], [32.0, 40.0, 48.0]]
    z = x * 1
    _ = z[0]  # a view of z: z's shape can no longer change in place
    with pytest.raises(RuntimeError, match="squeeze_: can't change in place the shape"):
        z.squeeze_()


def test_hypot_does_not_save_an_operand_that_needs_no_gradient():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    c = npgrad.tensor([3.0, 4.0])
    y = npgrad.hypot(x, c)
    c.add_(1.0)  # PyTorch computes the gradient from x and the output; so does npgrad
    y.sum().backward()
    assert_close(x.grad, np.array([1 / np.sqrt(10), 2 / np.sqrt(20)], np.float32))
