"""Edge-case value parity with PyTorch for the shape, indexing, assembly, linear-algebra and
creation ops: empty matrices, 0-d tensors, negative indices and arguments, integer dtypes.

Each behaviour is checked against hard NumPy-computed expectations (so it runs without torch)
and, where useful, against PyTorch itself (``@pytest.mark.torch``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import npgrad

LA = npgrad.linalg
INF = math.inf


def _leaf(a, dtype=np.float64):
    return npgrad.tensor(np.asarray(a, dtype), requires_grad=True)


# ---- dist: any p, negative ones included ------------------------------------------------------
DIST_A = np.array([1.0, -2.0, 3.0])
DIST_B = np.array([0.5, 0.0, 0.0])


@pytest.mark.parametrize("p", [-INF, -1.0, -0.5])
def test_dist_accepts_negative_p(p):
    a = _leaf(DIST_A)
    out = npgrad.dist(a, npgrad.tensor(DIST_B), p)
    d = np.abs(DIST_A - DIST_B)
    expected = d.min() if p == -INF else (d**p).sum() ** (1 / p)
    np.testing.assert_allclose(out.item(), expected, rtol=1e-12)
    out.backward()
    grad = (d == d.min()) * np.sign(DIST_A - DIST_B) if p == -INF else None
    if grad is not None:
        np.testing.assert_allclose(a.grad.numpy(), grad)


def test_dist_still_refuses_a_non_number_p():
    with pytest.raises(TypeError, match="p must be a number"):
        npgrad.dist(npgrad.zeros(2), npgrad.ones(2), "fro")


@pytest.mark.torch
@pytest.mark.parametrize("p", [-INF, -1.0, -0.5, -3])
def test_dist_negative_p_matches_torch(p):
    torch = pytest.importorskip("torch")
    a, ta = _leaf(DIST_A), torch.tensor(DIST_A, requires_grad=True)
    out, ref = npgrad.dist(a, npgrad.tensor(DIST_B), p), torch.dist(ta, torch.tensor(DIST_B), p)
    out.backward()
    ref.backward()
    np.testing.assert_allclose(out.item(), ref.item(), rtol=1e-12)
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)


# ---- LU of empty matrices ----------------------------------------------------------------------
EMPTY_MATRICES = [(0, 0), (2, 0, 0), (3, 0), (0, 3), (2, 3, 0), (2, 0, 3)]


@pytest.mark.parametrize("shape", EMPTY_MATRICES)
def test_lu_factor_of_empty_matrices(shape):
    a = npgrad.zeros(shape, dtype=npgrad.float64)
    k = min(shape[-2:])
    LU, pivots = LA.lu_factor(a)
    assert LU.shape == shape and LU.dtype == np.float64
    assert pivots.shape == shape[:-2] + (k,) and pivots.dtype == npgrad.int32
    _, _, info = LA.lu_factor_ex(a)
    assert info.shape == shape[:-2] and not info.numpy().any()
    P, L, U = LA.lu(a)
    m, n = shape[-2:]
    assert P.shape == shape[:-2] + (m, m)
    assert L.shape == shape[:-2] + (m, k) and U.shape == shape[:-2] + (k, n)
    np.testing.assert_array_equal(P.numpy(), np.broadcast_to(np.eye(m), P.shape))
    assert tuple(t.shape for t in npgrad.lu_unpack(LU, pivots)) == (P.shape, L.shape, U.shape)


@pytest.mark.parametrize("shape", [(0, 0), (2, 0, 0)])
def test_lu_solve_with_empty_matrices(shape):
    LU, pivots = LA.lu_factor(npgrad.zeros(shape, dtype=npgrad.float64))
    B = npgrad.ones(shape[:-1] + (2,), dtype=npgrad.float64)
    assert LA.lu_solve(LU, pivots, B).shape == B.shape
    assert LA.lu_solve(LU, pivots, B, adjoint=True).shape == B.shape


# ---- matrix norms and cond of empty matrices ----------------------------------------------------
# PyTorch: the max-type norms (1, inf, 2) of an empty matrix are 0, like fro and nuc; the
# min-type ones (-1, -inf, -2) raise where the reduction they take the minimum of is empty
EMPTY_NORMS = [
    ((0, 0), [1, 2, INF]),
    ((0, 2), [1, -1, 2, INF]),
    ((2, 0), [1, 2, INF, -INF]),
    ((3, 0, 2), [1, -1, 2, INF]),
]


@pytest.mark.parametrize(("shape", "ords"), EMPTY_NORMS)
def test_matrix_norm_of_empty_matrices_is_zero(shape, ords):
    a = npgrad.zeros(shape, dtype=npgrad.float64)
    for o in ords:
        out = LA.matrix_norm(a, o)
        assert out.shape == shape[:-2] and out.dtype == np.float64, o
        np.testing.assert_array_equal(out.numpy(), np.zeros(shape[:-2]))
        kept = LA.matrix_norm(a, o, keepdim=True)
        assert kept.shape == shape[:-2] + (1, 1)
    if len(shape) == 2:
        for o in ords:
            assert LA.norm(a, o).item() == 0.0


@pytest.mark.parametrize("shape", [(0, 0), (0, 2), (2, 0), (3, 0, 2)])
@pytest.mark.parametrize("p", [None, 1, -1, 2, -2, INF, -INF])
def test_cond_of_empty_matrices_is_zero(shape, p):
    out = LA.cond(npgrad.zeros(shape, dtype=npgrad.float32), p)
    assert out.shape == shape[:-2] and out.dtype == np.float32 and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), np.zeros(shape[:-2]))


def test_cond_with_a_string_norm_still_wants_square_empty_matrices():
    assert LA.cond(npgrad.zeros(0, 0), "fro").item() == 0.0
    with pytest.raises(ValueError, match="square"):
        LA.cond(npgrad.zeros(0, 2), "nuc")


@pytest.mark.torch
@pytest.mark.parametrize("shape", [(0, 0), (0, 2), (2, 0), (3, 0, 2)])
def test_empty_matrix_norms_and_cond_match_torch(shape):
    torch = pytest.importorskip("torch")
    x = np.zeros(shape)
    for o in ["fro", "nuc", 1, -1, 2, -2, INF, -INF]:
        try:
            ref = torch.linalg.matrix_norm(torch.tensor(x), o).numpy()
        except (RuntimeError, IndexError):  # the min-type norms of nothing
            continue
        np.testing.assert_array_equal(LA.matrix_norm(npgrad.tensor(x), o).numpy(), ref)
    for p in [None, 1, -1, 2, -2, INF, -INF, "fro", "nuc"]:
        try:
            ref = torch.linalg.cond(torch.tensor(x), p).numpy()
        except (RuntimeError, IndexError):  # the min-type norms of nothing
            continue
        np.testing.assert_array_equal(LA.cond(npgrad.tensor(x), p).numpy(), ref)


# ---- matrix_rank's NumPy-compatible tol ---------------------------------------------------------
def test_matrix_rank_tol_is_an_absolute_tolerance():
    a = npgrad.tensor(np.diag([3.0, 1.0, 0.5]))
    assert LA.matrix_rank(a, 0.7).item() == 2
    assert LA.matrix_rank(a, tol=2.0).item() == 1
    assert LA.matrix_rank(a, 0.7, True).item() == 2  # hermitian, positionally
    # tol means rtol = 0: a relative cut would leave only the largest value here
    assert LA.matrix_rank(npgrad.tensor(np.diag([1e3, 1.0])), tol=0.5).item() == 2
    with pytest.raises(TypeError, match="tol"):
        LA.matrix_rank(a, tol=1.0, atol=1.0)


@pytest.mark.torch
def test_matrix_rank_tol_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((4, 3, 3))
    for tol in [0.1, 1.0, 2.5]:
        ref = torch.linalg.matrix_rank(torch.tensor(x), tol=tol).numpy()
        np.testing.assert_array_equal(LA.matrix_rank(npgrad.tensor(x), tol=tol).numpy(), ref)


# ---- linspace / logspace with an integer dtype --------------------------------------------------
INT_LINSPACE = [
    # PyTorch converts the bounds to the integer dtype first, then steps in double (converting
    # the values instead gives [0, 1, 1, 2, 2], [0, 1, 1], [1, 1, 0])
    ((0.5, 2.5, 5), [0, 0, 1, 1, 2]),
    ((0.6, 2.6, 5), [0, 0, 1, 1, 2]),
    ((0.5, 1.5, 3), [0, 0, 1]),
    ((1.9, 0.1, 3), [1, 0, 0]),
]


@pytest.mark.parametrize(("args", "expected"), INT_LINSPACE)
@pytest.mark.parametrize("dtype", [npgrad.int64, npgrad.int32, npgrad.int16])
def test_linspace_integer_dtype_truncates_the_bounds_first(args, expected, dtype):
    out = npgrad.linspace(*args, dtype=dtype)
    assert out.dtype == dtype
    assert out.tolist() == expected


def test_linspace_unsigned_dtype_wraps_a_negative_bound():
    assert npgrad.linspace(-1, 1, 3, dtype=npgrad.uint8).tolist() == [255, 128, 1]


@pytest.mark.torch
@pytest.mark.parametrize("args", [a for a, _ in INT_LINSPACE] + [(-7.5, 7.9, 9), (3.5, -3, 7)])
def test_integer_linspace_and_logspace_match_torch(args):
    torch = pytest.importorskip("torch")
    for dt in ["int64", "int32"]:
        ours = npgrad.linspace(*args, dtype=getattr(npgrad, dt)).tolist()
        assert ours == torch.linspace(*args, dtype=getattr(torch, dt)).tolist()
        ours = npgrad.logspace(*args, base=2, dtype=getattr(npgrad, dt)).tolist()
        assert ours == torch.logspace(*args, base=2, dtype=getattr(torch, dt)).tolist()


# ---- tensor() of a list of tensors: PyTorch's promotion ----------------------------------------
TENSOR_LISTS = [
    # (elements as (value, dtype or None for a Python number), expected dtype)
    # (NumPy's promotion would give float64 in all three)
    ([(1.5, "float32"), (2, "int64")], "float32"),
    ([(1, "int64"), (2.5, None)], "float32"),
    ([(1.5, "float16"), (2, None)], "float16"),
]


def _elements(lib, spec):
    return [v if d is None else lib.tensor(v, dtype=getattr(lib, d)) for v, d in spec]


@pytest.mark.parametrize(("spec", "dtype"), TENSOR_LISTS)
def test_tensor_of_a_list_of_tensors_promotes_like_pytorch(spec, dtype):
    out = npgrad.tensor(_elements(npgrad, spec))
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out.numpy(), np.array([v for v, _ in spec], dtype))
    assert npgrad.as_tensor(_elements(npgrad, spec)).dtype == np.dtype(dtype)


def test_tensor_reads_one_element_tensors_in_a_list_as_numbers():
    out = npgrad.tensor([npgrad.tensor([1]), npgrad.tensor([[2.5]]), 4])
    assert out.shape == (3,) and out.dtype == npgrad.float32
    assert out.tolist() == [1.0, 2.5, 4.0]
    # whole tensors of several elements still stack
    assert npgrad.tensor([npgrad.ones(2), npgrad.zeros(2)]).shape == (2, 2)
    # nested lists too, with PyTorch's promotion
    nested = npgrad.tensor([[npgrad.tensor(1.5), 2], [3, npgrad.tensor([4])]])
    assert nested.dtype == npgrad.float32 and nested.tolist() == [[1.5, 2.0], [3.0, 4.0]]


@pytest.mark.torch
def test_one_element_tensors_in_a_list_match_torch():
    torch = pytest.importorskip("torch")
    for lib_list in [
        lambda m: [m.tensor([1]), m.tensor([[2.5]]), 4],
        lambda m: [m.tensor([[1]]), m.tensor([[2]])],
        lambda m: [[m.tensor([1.5])], [m.tensor(2)]],
        lambda m: [[m.tensor(1.5), 2], [3, m.tensor([4])]],
    ]:
        ref = torch.tensor(lib_list(torch))
        out = npgrad.tensor(lib_list(npgrad))
        assert out.shape == tuple(ref.shape) and out.tolist() == ref.tolist()


@pytest.mark.torch
@pytest.mark.parametrize(("spec", "dtype"), TENSOR_LISTS)
def test_tensor_of_a_list_of_tensors_matches_torch(spec, dtype):
    torch = pytest.importorskip("torch")
    ref = torch.tensor(_elements(torch, spec))
    assert str(ref.dtype) == f"torch.{npgrad.tensor(_elements(npgrad, spec)).dtype}"


# ---- mT of a 0-d tensor ------------------------------------------------------------------------
def test_mT_of_a_0d_tensor_is_the_identity():  # noqa: N802
    x = _leaf(2.0)
    y = x.mT
    assert y.shape == () and y.item() == 2.0
    (y * 3).backward()
    assert x.grad.item() == 3.0


# ---- linalg.vander of integer tensors ----------------------------------------------------------
@pytest.mark.parametrize("dtype", [npgrad.int8, npgrad.uint8, npgrad.int16, npgrad.int32])
def test_linalg_vander_of_integers_is_int64(dtype):
    out = LA.vander(npgrad.tensor([1, 2, 0, 100], dtype=dtype), N=4)
    assert out.dtype == npgrad.int64
    expected = np.array([1, 2, 0, 100], np.int64)[:, None] ** np.arange(4)
    np.testing.assert_array_equal(out.numpy(), expected)  # no wrapping in the small dtype


@pytest.mark.torch
def test_linalg_vander_of_integers_matches_torch():
    torch = pytest.importorskip("torch")
    for dt in ["int8", "uint8", "int32", "int64"]:
        x = [[1, 2, 3], [0, 5, 100]]
        ref = torch.linalg.vander(torch.tensor(x, dtype=getattr(torch, dt)))
        out = LA.vander(npgrad.tensor(x, dtype=getattr(npgrad, dt)))
        assert str(ref.dtype) == f"torch.{out.dtype}"
        assert out.tolist() == ref.tolist()


# ---- index_fill with negative indices ----------------------------------------------------------
@pytest.mark.parametrize(
    ("dim", "index", "rows"), [(0, [-1, 0], [0, 2]), (1, [-4], [0]), (0, -3, [0])]
)
def test_index_fill_wraps_negative_indices(dim, index, rows):
    x = np.arange(12.0).reshape(3, 4)
    v = _leaf(-1.0)
    out = npgrad.index_fill(npgrad.tensor(x), dim, npgrad.tensor(index), v)
    expected = x.copy()
    np.moveaxis(expected, dim, 0)[rows] = -1.0
    np.testing.assert_array_equal(out.numpy(), expected)
    out.sum().backward()  # the value's gradient counts each filled position once
    assert v.grad.item() == len(rows) * x.shape[1 - dim]


def test_index_fill_wraps_a_negative_index_naming_the_same_slice_once():
    v = _leaf(1.0)
    out = npgrad.index_fill(npgrad.zeros(3, 2, dtype=npgrad.float64), 0, npgrad.tensor([-1, 2]), v)
    out.sum().backward()
    assert out.numpy()[2].tolist() == [1.0, 1.0] and v.grad.item() == 2.0


def test_index_fill_refuses_indices_below_minus_size():
    with pytest.raises(IndexError, match="out of bounds"):
        npgrad.index_fill(npgrad.zeros(3, 4), 1, npgrad.tensor([-5]), 1.0)


@pytest.mark.torch
def test_index_fill_negative_indices_match_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((3, 4))
    for dim, index in [(0, [-1, 0]), (1, [-4, -1, 2]), (-1, [-2])]:
        ref = torch.index_fill(torch.tensor(x), dim, torch.tensor(index), 2.5).numpy()
        out = npgrad.index_fill(npgrad.tensor(x), dim, npgrad.tensor(index), 2.5).numpy()
        np.testing.assert_array_equal(out, ref)


# ---- deg2rad / rad2deg of bool tensors ---------------------------------------------------------
@pytest.mark.parametrize(
    ("fn", "scale"), [(npgrad.deg2rad, np.pi / 180), (npgrad.rad2deg, 180 / np.pi)]
)
def test_angle_conversions_of_bools_give_the_default_float_dtype(fn, scale):
    out = fn(npgrad.tensor([True, False]))
    assert out.dtype == npgrad.float32
    np.testing.assert_allclose(out.numpy(), np.array([scale, 0.0], np.float32), rtol=1e-6)


@pytest.mark.torch
def test_angle_conversions_of_bools_match_torch():
    torch = pytest.importorskip("torch")
    for name in ["deg2rad", "rad2deg"]:
        ref = getattr(torch, name)(torch.tensor([True, False])).numpy()
        out = getattr(npgrad, name)(npgrad.tensor([True, False])).numpy()
        assert out.dtype == ref.dtype
        np.testing.assert_allclose(out, ref, rtol=1e-6)


# ---- eigh: the eigenvectors' gradient is symmetric ---------------------------------------------
EIGH_A = np.array([[2.0, 0.3, -0.5], [0.3, 1.0, 0.2], [-0.5, 0.2, -1.5]])
EIGH_W = np.array([[0.3, -1.2, 0.5], [1.1, 0.4, -0.7], [-0.2, 0.9, 0.6]])
EIGH_C = np.array([0.5, -1.0, 2.0])


def _eigh_loss(lib, v, w):
    return (v * v * lib.tensor(EIGH_W)).sum() + (w * lib.tensor(EIGH_C)).sum()


def test_eigh_gradient_is_the_gradient_for_a_symmetric_matrix():
    a = _leaf(EIGH_A)
    w, v = LA.eigh(a)
    _eigh_loss(npgrad, v, w).backward()

    def f(m):  # the loss of the symmetric part: its gradient is the symmetric gradient
        w_, v_ = np.linalg.eigh((m + m.T) / 2)
        return (v_ * v_ * EIGH_W).sum() + (w_ * EIGH_C).sum()

    h = 1e-6
    expected = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            d = np.zeros((3, 3))
            d[i, j] = h
            expected[i, j] = (f(EIGH_A + d) - f(EIGH_A - d)) / (2 * h)
    np.testing.assert_allclose(a.grad.numpy(), expected, atol=1e-7)
    np.testing.assert_allclose(a.grad.numpy(), a.grad.numpy().T, atol=1e-12)


@pytest.mark.torch
def test_eigh_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).standard_normal((2, 4, 4))
    x = x + np.swapaxes(x, -1, -2)
    for uplo in ["L", "U"]:
        a, ta = _leaf(x), torch.tensor(x, requires_grad=True)
        w, v = LA.eigh(a, UPLO=uplo)
        tw, tv = torch.linalg.eigh(ta, UPLO=uplo)
        g = np.random.default_rng(3).standard_normal((4, 4))
        ((v * v * npgrad.tensor(g)).sum() + w.sum()).backward()
        ((tv * tv * torch.tensor(g)).sum() + tw.sum()).backward()
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-9, atol=1e-10)


# ---- histogramdd of no points ------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weighted", [False, True])
def test_histogramdd_of_no_points_bins_the_unit_interval(dtype, weighted):
    pts = npgrad.zeros(0, 2, dtype=dtype)
    weight = npgrad.zeros(0, dtype=dtype) if weighted else None
    hist, edges = npgrad.histogramdd(pts, bins=[2, 4], weight=weight)
    assert hist.shape == (2, 4) and not hist.numpy().any()
    np.testing.assert_allclose(edges[0].numpy(), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(edges[1].numpy(), [0.0, 0.25, 0.5, 0.75, 1.0])
    assert all(e.dtype == dtype for e in edges)
    # all points equal still widens the range by 0.5 on each side
    _, (e0,) = npgrad.histogramdd(npgrad.full((3, 1), 2.0, dtype=dtype), bins=2)
    np.testing.assert_allclose(e0.numpy(), [1.5, 2.0, 2.5])


@pytest.mark.torch
def test_histogramdd_of_no_points_matches_torch():
    torch = pytest.importorskip("torch")
    for bins in [3, [2, 5]]:
        ref = torch.histogramdd(torch.zeros(0, 2), bins=bins)
        out = npgrad.histogramdd(npgrad.zeros(0, 2), bins=bins)
        np.testing.assert_array_equal(out.hist.numpy(), ref.hist.numpy())
        for e, te in zip(out.bin_edges, ref.bin_edges):
            np.testing.assert_allclose(e.numpy(), te.numpy(), rtol=1e-6)


# ---- PyTorch's keyword names -------------------------------------------------------------------
KEYWORD_CALLS = {
    # name: (call with PyTorch's keywords, the same call positionally)
    "zeros": (lambda m, x: m.zeros(size=(2, 3)), lambda m, x: m.zeros(2, 3)),
    "ones": (lambda m, x: m.ones(size=[2]), lambda m, x: m.ones(2)),
    "empty": (lambda m, x: m.empty(size=(2, 0)).shape, lambda m, x: m.empty(2, 0).shape),
    "arange": (lambda m, x: m.arange(end=4), lambda m, x: m.arange(4)),
    "reshape": (lambda m, x: m.reshape(input=x, shape=(6, 4)), lambda m, x: m.reshape(x, 6, 4)),
    "flip": (lambda m, x: m.flip(input=x, dims=[0, 2]), lambda m, x: m.flip(x, 0, 2)),
    "permute": (
        lambda m, x: m.permute(input=x, dims=(2, 0, 1)),
        lambda m, x: m.permute(x, 2, 0, 1),
    ),
    "tile": (lambda m, x: m.tile(input=x, dims=(2,)), lambda m, x: m.tile(x, 2)),
    "broadcast_to": (
        lambda m, x: m.broadcast_to(input=x, size=(2, 2, 3, 4)),
        lambda m, x: m.broadcast_to(x, (2, 2, 3, 4)),
    ),
    "index_put": (
        lambda m, x: m.index_put(x, indices=(m.tensor([0]),), values=x[1, 2, 3], accumulate=True),
        lambda m, x: m.index_put(x, (m.tensor([0]),), x[1, 2, 3], True),
    ),
    "unsafe_split": (
        lambda m, x: m.unsafe_split(x, split_size=3, dim=2),
        lambda m, x: m.unsafe_split(x, 3, 2),
    ),
    "tensor_split_indices": (
        lambda m, x: m.tensor_split(x, indices=[1, 3], dim=2),
        lambda m, x: m.tensor_split(x, [1, 3], 2),
    ),
    "tensor_split_sections": (
        lambda m, x: m.tensor_split(x, sections=3, dim=2),
        lambda m, x: m.tensor_split(x, 3, 2),
    ),
    "tensor_split_tensor": (
        lambda m, x: m.tensor_split(x, tensor_indices_or_sections=m.tensor([1]), dim=1),
        lambda m, x: m.tensor_split(x, [1], 1),
    ),
    "Tensor.reshape": (lambda m, x: x.reshape(shape=(6, 4)), lambda m, x: x.reshape(6, 4)),
    "Tensor.view": (lambda m, x: x.view(size=(6, 4)), lambda m, x: x.view(6, 4)),
    "Tensor.permute": (lambda m, x: x.permute(dims=(2, 0, 1)), lambda m, x: x.permute(2, 0, 1)),
    "Tensor.flip": (lambda m, x: x.flip(dims=(0,)), lambda m, x: x.flip(0)),
    "Tensor.tile": (lambda m, x: x.tile(dims=(2,)), lambda m, x: x.tile(2)),
    "Tensor.expand": (lambda m, x: x.expand(size=(2, 2, 3, 4)), lambda m, x: x.expand(2, 2, 3, 4)),
    "Tensor.repeat": (lambda m, x: x.repeat(repeats=(1, 2, 1)), lambda m, x: x.repeat(1, 2, 1)),
    "Tensor.swapaxes": (lambda m, x: x.swapaxes(axis0=0, axis1=2), lambda m, x: x.swapaxes(0, 2)),
    "Tensor.new_zeros": (lambda m, x: x.new_zeros(size=(2,)), lambda m, x: x.new_zeros(2)),
    "Tensor.new_ones": (lambda m, x: x.new_ones(size=(2,)), lambda m, x: x.new_ones(2)),
    "Tensor.new_empty": (
        lambda m, x: x.new_empty(size=(2,)).shape,
        lambda m, x: x.new_empty(2).shape,
    ),
    "Tensor.mm": (lambda m, x: x[0].mm(mat2=x[0].t()), lambda m, x: x[0].mm(x[0].t())),
    "Tensor.bmm": (lambda m, x: x.bmm(mat2=x.mT), lambda m, x: x.bmm(x.mT)),
    "Tensor.mv": (lambda m, x: x[0].mv(vec=x[0, 0]), lambda m, x: x[0].mv(x[0, 0])),
    "Tensor.dot": (lambda m, x: x[0, 0].dot(tensor=x[0, 1]), lambda m, x: x[0, 0].dot(x[0, 1])),
    "Tensor.outer": (lambda m, x: x[0, 0].outer(vec2=x[0, 1]), lambda m, x: x[0, 0].outer(x[0, 1])),
}
KW_X = np.arange(24.0).reshape(2, 3, 4)  # exact products


def _plain(v):
    if isinstance(v, (tuple, list)):
        return [_plain(t) for t in v]
    return v.tolist() if hasattr(v, "tolist") else v


@pytest.mark.parametrize("name", sorted(KEYWORD_CALLS))
def test_pytorch_keyword_names_are_accepted(name):
    by_keyword, positional = KEYWORD_CALLS[name]
    x = npgrad.tensor(KW_X)
    assert _plain(by_keyword(npgrad, x)) == _plain(positional(npgrad, x))


def test_a_size_given_twice_is_an_error():
    with pytest.raises(TypeError, match="both"):
        npgrad.zeros(2, size=(2,))
    with pytest.raises(TypeError, match="both"):
        npgrad.zeros(2, 3).reshape(6, shape=(6,))
    with pytest.raises(TypeError, match="end"):
        npgrad.arange()
    with pytest.raises(TypeError, match="one of"):
        npgrad.tensor_split(npgrad.zeros(4), 2, sections=2)


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(KEYWORD_CALLS))
def test_pytorch_keyword_names_match_torch(name):
    torch = pytest.importorskip("torch")
    by_keyword, _ = KEYWORD_CALLS[name]
    ours = _plain(by_keyword(npgrad, npgrad.tensor(KW_X)))
    assert ours == _plain(by_keyword(torch, torch.tensor(KW_X)))


# ---- repeat_interleave's index form keeps int32 -------------------------------------------------
@pytest.mark.parametrize(
    ("dtype", "expected"), [(npgrad.int32, npgrad.int32), (npgrad.int64, npgrad.int64)]
)
def test_repeat_interleave_index_form_keeps_the_counts_dtype(dtype, expected):
    out = npgrad.repeat_interleave(npgrad.tensor([1, 0, 2], dtype=dtype))
    assert out.dtype == expected and out.tolist() == [0, 2, 2]


@pytest.mark.torch
def test_repeat_interleave_index_form_dtype_matches_torch():
    torch = pytest.importorskip("torch")
    for dt in ["int32", "int64"]:
        ref = torch.repeat_interleave(torch.tensor([3, 1, 0, 2], dtype=getattr(torch, dt)))
        out = npgrad.repeat_interleave(npgrad.tensor([3, 1, 0, 2], dtype=getattr(npgrad, dt)))
        assert str(ref.dtype) == f"torch.{out.dtype}" and out.tolist() == ref.tolist()


# ---- index_add of bools with alpha ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("alpha", "row1"), [(2, [True, True]), (-1, [True, True]), (0, [False, False])]
)
def test_index_add_of_bools_reads_alpha_as_a_bool(alpha, row1):
    x = npgrad.tensor([[True, False], [False, False]])
    out = npgrad.index_add(x, 0, npgrad.tensor([1]), npgrad.tensor([[True, True]]), alpha=alpha)
    assert out.dtype == npgrad.bool and out.tolist() == [[True, False], row1]


@pytest.mark.torch
def test_index_add_of_bools_with_alpha_matches_torch():
    torch = pytest.importorskip("torch")
    x, s = [[True, False], [False, False], [True, True]], [[True, True], [False, True]]
    for alpha in [2, 0, -1]:
        ref = torch.index_add(
            torch.tensor(x), 0, torch.tensor([1, 2]), torch.tensor(s), alpha=alpha
        )
        out = npgrad.index_add(
            npgrad.tensor(x), 0, npgrad.tensor([1, 2]), npgrad.tensor(s), alpha=alpha
        )
        assert out.tolist() == ref.tolist()
