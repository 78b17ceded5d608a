"""npgrad.linalg, part 1: inv, det, slogdet/logdet, solve, solve_triangular, matrix_power,
multi_dot, vecdot, cholesky (+ cholesky_solve/inverse) and matrix_exp."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
from npgrad import linalg as LA
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

DTYPES = [np.float32, np.float64]


def _rng(seed):
    return np.random.default_rng(seed)


def _well(shape, dtype=np.float64, seed=0):
    """Well-conditioned square matrices: random plus n times the identity."""
    n = shape[-1]
    return (_rng(seed).uniform(-1, 1, shape) + n * np.eye(n)).astype(dtype)


def _spd(shape, dtype=np.float64, seed=0):
    x = _rng(seed).uniform(-1, 1, shape)
    return (x @ np.swapaxes(x, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def _arr(shape, dtype=np.float64, seed=0):
    return _rng(seed).uniform(-1, 1, shape).astype(dtype)


def _leaf(a):
    return npgrad.tensor(a, requires_grad=True)


def _sym(t):
    """A symmetric matrix from any square one: gradchecks of ops that read one triangle."""
    return 0.5 * (t + t.mT)


# ---- inv --------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (2, 1, 2, 2)])
def test_inv_matches_numpy(shape, dtype):
    a = _well(shape, dtype)
    out = LA.inv(npgrad.tensor(a))
    assert out.dtype == np.dtype(dtype) and out.shape == shape
    assert_close(out, np.linalg.inv(a))
    assert_close(npgrad.inverse(npgrad.tensor(a)), np.linalg.inv(a))
    assert_close(npgrad.tensor(a).inverse(), np.linalg.inv(a))


def test_inv_gradients_first_and_second_order():
    a = _leaf(_well((2, 3, 3)))
    assert gradcheck(LA.inv, (a,))
    assert gradgradcheck(LA.inv, (a,))


def test_inv_of_a_singular_matrix_raises_linalg_error_naming_the_batch_element():
    a = np.stack([np.eye(2), np.zeros((2, 2))])
    with pytest.raises(LA.LinAlgError, match=r"linalg.inv: \(Batch element 1\).*singular"):
        LA.inv(npgrad.tensor(a))
    assert issubclass(LA.LinAlgError, RuntimeError)
    with pytest.raises(LA.LinAlgError, match=r"^linalg.inv: The diagonal element 1 is zero"):
        LA.inv(npgrad.zeros(2, 2))


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (
            npgrad.ones(3, 3, dtype=npgrad.int64),
            "Expected a floating point or complex tensor as input. Got Long",
        ),
        (npgrad.ones(3, 3, dtype=npgrad.float16), "Low precision dtypes not supported. Got Half"),
        (npgrad.ones(3), "The input tensor A must have at least 2 dimensions"),
        (npgrad.ones(2, 3), "A must be batches of square matrices, but they are 2 by 3 matrices"),
    ],
)
def test_linalg_input_checks_follow_pytorch(value, match):
    for fn, name in [
        (LA.inv, "linalg.inv"),
        (LA.det, "linalg.det"),
        (LA.cholesky, "linalg.cholesky"),
    ]:
        with pytest.raises(RuntimeError, match=f"{name}: {match}"):
            fn(value)
    with pytest.raises(TypeError, match="linalg.inv: expected a Tensor"):
        LA.inv([[1.0]])


def test_linalg_errors_are_npgrad_and_pytorch_types_at_once():
    # npgrad's convention (TypeError / ValueError) and PyTorch's RuntimeError, both catchable
    with pytest.raises(TypeError):
        LA.inv(npgrad.ones(2, 2, dtype=npgrad.int64))
    with pytest.raises(ValueError, match="square matrices"):
        LA.inv(npgrad.ones(2, 3))
    with pytest.raises(ValueError, match="Order 3 not supported"):
        LA.matrix_norm(npgrad.ones(2, 2), 3)
    with pytest.raises(LA.LinAlgError) as info:
        LA.inv(npgrad.zeros(2, 2))
    assert not isinstance(info.value, ValueError)


# ---- det, slogdet, logdet ---------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3), (1, 1)])
def test_det_and_slogdet_match_numpy(shape, dtype):
    a = _arr(shape, dtype, 3)
    d = LA.det(npgrad.tensor(a))
    assert d.dtype == np.dtype(dtype) and d.shape == shape[:-2]
    assert_close(d, np.asarray(np.linalg.det(a)))
    sign, logabs = np.linalg.slogdet(a)
    res = LA.slogdet(npgrad.tensor(a))
    assert res.sign.dtype == np.dtype(dtype) and res.logabsdet.shape == shape[:-2]
    assert_close(res.sign, np.asarray(sign))
    assert_close(res.logabsdet, np.asarray(logabs))
    assert_close(npgrad.tensor(a).det(), np.asarray(np.linalg.det(a)))
    with np.errstate(invalid="ignore"):
        expected = np.where(sign < 0, np.nan, logabs)
    assert_close(npgrad.logdet(npgrad.tensor(a)), np.asarray(expected, dtype), equal_nan=True)


def test_slogdet_is_a_named_tuple_with_a_non_differentiable_sign():
    a = _leaf(_well((3, 3)))
    sign, logabs = npgrad.slogdet(a)
    assert not sign.requires_grad and logabs.requires_grad
    assert repr(LA.slogdet(npgrad.eye(2))).startswith("npgrad.return_types.slogdet(\nsign=")
    logabs.backward()
    assert_close(a.grad, np.linalg.inv(a.numpy()).T)


def test_det_slogdet_logdet_gradients_first_and_second_order():
    a = _leaf(_well((2, 3, 3), seed=5))
    for fn in (LA.det, lambda t: LA.slogdet(t).logabsdet, npgrad.logdet):
        assert gradcheck(fn, (a,))
        assert gradgradcheck(fn, (a,))


def test_det_gradient_at_a_singular_matrix_is_the_cofactor_matrix():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    x = _leaf(np.stack([a, np.eye(2)]))
    LA.det(x).sum().backward()
    # the cofactor matrix of [[a, b], [c, d]] is [[d, -c], [-b, a]]
    assert_close(x.grad[0], np.array([[4.0, -2.0], [-2.0, 1.0]]))
    assert_close(x.grad[1], np.eye(2))
    x3 = _leaf(np.diag([0.0, 2.0, 3.0]))
    LA.det(x3).backward()
    assert_close(x3.grad, np.diag([6.0, 0.0, 0.0]))
    y = _leaf(a)
    (g,) = npgrad.autograd.grad(LA.det(y), y, create_graph=True)
    assert_close(g, np.array([[4.0, -2.0], [-2.0, 1.0]]))
    with pytest.raises(RuntimeError, match="second-order gradients at a singular matrix"):
        g.sum().backward()


# ---- solve ------------------------------------------------------------------------------
SOLVE_FORMS = {
    "vector": ((3, 3), (3,)),
    "matrix": ((3, 3), (3, 2)),
    "batched vectors": ((2, 3, 3), (2, 3)),
    "vector broadcast over a batch": ((2, 3, 3), (3,)),
    "matrix broadcast over a batch": ((2, 3, 3), (3, 4)),
    "broadcast batches": ((2, 1, 3, 3), (4, 3, 1)),
}


def _np_solve(a, b, vector):
    if vector:
        b = b[..., None]
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    x = np.linalg.solve(
        np.broadcast_to(a, batch + a.shape[-2:]), np.broadcast_to(b, batch + b.shape[-2:])
    )
    return x[..., 0] if vector else x


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("form", sorted(SOLVE_FORMS))
def test_solve_matches_numpy(form, dtype):
    sa, sb = SOLVE_FORMS[form]
    a, b = _well(sa, dtype, 1), _arr(sb, dtype, 2)
    vector = len(sb) == 1 or sb == sa[:-1]
    out = LA.solve(npgrad.tensor(a), npgrad.tensor(b))
    expected = _np_solve(a, b, vector)
    assert out.dtype == np.dtype(dtype) and out.shape == expected.shape
    assert_close(out, expected)


@pytest.mark.parametrize("form", sorted(SOLVE_FORMS))
def test_solve_gradients_first_and_second_order(form):
    sa, sb = SOLVE_FORMS[form]
    a, b = _leaf(_well(sa, seed=1)), _leaf(_arr(sb, seed=2))
    assert gradcheck(LA.solve, (a, b))
    assert gradgradcheck(LA.solve, (a, b))


@settings(max_examples=20, deadline=None)
@given(
    batch_a=st.lists(st.integers(1, 3), max_size=2),
    batch_b=st.lists(st.integers(1, 3), max_size=2),
    n=st.integers(1, 3),
    k=st.integers(1, 2),
    seed=st.integers(0, 100),
)
def test_solve_broadcasts_batch_dimensions_like_numpy(batch_a, batch_b, n, k, seed):
    batch_b = [1 if (i % 2) else d for i, d in enumerate(batch_b)]
    try:
        np.broadcast_shapes(tuple(batch_a), tuple(batch_b))
    except ValueError:
        return
    a, b = _well((*batch_a, n, n), seed=seed), _arr((*batch_b, n, k), seed=seed + 1)
    ta, tb = _leaf(a), _leaf(b)
    out = LA.solve(ta, tb)
    if b.shape == a.shape[:-1]:  # PyTorch's rule makes this B a batch of vectors
        assert_close(out, _np_solve(a, b, True))
        return
    assert_close(out, _np_solve(a, b, False))
    out.sum().backward()
    assert ta.grad.shape == a.shape and tb.grad.shape == b.shape
    # the gradient of sum(X) for B is A^-T 1, summed over the batch B was broadcast over
    ones = np.ones(out.shape)
    gb = _np_solve(np.swapaxes(a, -1, -2), ones, False)
    lead = gb.ndim - b.ndim
    gb = gb.sum(axis=tuple(range(lead)))
    gb = gb.sum(axis=tuple(i for i, d in enumerate(b.shape[:-2]) if d == 1), keepdims=True)
    assert_close(tb.grad, gb)


def test_solve_on_the_right():
    a, b = _well((2, 3, 3), seed=3), _arr((4, 1, 2, 3), seed=4)
    out = LA.solve(npgrad.tensor(a), npgrad.tensor(b), left=False)
    expected = np.swapaxes(np.linalg.solve(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)
    assert out.shape == (4, 2, 2, 3)
    assert_close(out, expected)
    ta, tb = _leaf(a), _leaf(b[0])
    assert gradcheck(lambda x, y: LA.solve(x, y, left=False), (ta, tb))


def test_solve_errors_follow_pytorch():
    a = npgrad.tensor(_well((2, 3, 3)))
    with pytest.raises(RuntimeError, match=r"equation AX = B \(3x3 and 2x4\)"):
        LA.solve(a, npgrad.ones(2, 4, dtype=npgrad.float64))
    with pytest.raises(RuntimeError, match=r"equation XA = B \(3x3 and 3x2\)"):
        LA.solve(a, npgrad.ones(3, 3, 2, dtype=npgrad.float64), left=False)
    with pytest.raises(RuntimeError, match="found A of type Float and B of type Double"):
        LA.solve(a.float(), npgrad.ones(3, dtype=npgrad.float64))
    with pytest.raises(LA.LinAlgError, match="input matrix is singular"):
        LA.solve(npgrad.zeros(3, 3), npgrad.ones(3))
    with pytest.raises(RuntimeError, match="cannot be broadcast"):
        LA.solve(a, npgrad.ones(4, 3, 1, dtype=npgrad.float64))


# ---- solve_triangular -------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("unit", [True, False])
def test_solve_triangular_reads_only_its_triangle(upper, unit, dtype):
    a, b = _well((2, 3, 3), dtype, 5), _arr((3, 2), dtype, 6)
    t = np.triu(a) if upper else np.tril(a)
    if unit:
        t = (t - np.einsum("...ii->...i", t)[..., None] * np.eye(3) + np.eye(3)).astype(dtype)
    out = LA.solve_triangular(npgrad.tensor(a), npgrad.tensor(b), upper=upper, unitriangular=unit)
    assert out.dtype == np.dtype(dtype) and out.shape == (2, 3, 2)
    assert_close(out, np.linalg.solve(t, np.broadcast_to(b, (2, 3, 2))))
    right = LA.solve_triangular(
        npgrad.tensor(a), npgrad.tensor(b.T), upper=upper, left=False, unitriangular=unit
    )
    expected = np.linalg.solve(np.swapaxes(t, -1, -2), np.broadcast_to(b, (2, 3, 2)))
    assert_close(right, np.swapaxes(expected, -1, -2))


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize(("left", "unit"), [(True, False), (False, False), (True, True)])
def test_solve_triangular_gradients(upper, left, unit):
    a, b = _leaf(_well((2, 3, 3), seed=7)), _leaf(_arr((3, 3), seed=8))

    def fn(x, y):
        return LA.solve_triangular(x, y, upper=upper, left=left, unitriangular=unit)

    assert gradcheck(fn, (a, b))
    assert gradgradcheck(fn, (a, b))


def test_solve_triangular_with_a_zero_pivot_gives_infinities_like_pytorch():
    out = LA.solve_triangular(
        npgrad.tensor([[1.0, 2.0], [0.0, 0.0]]), npgrad.ones(2, 1), upper=True
    )
    assert out[0, 0].item() == -math.inf and out[1, 0].item() == math.inf
    with pytest.raises(RuntimeError, match="The input tensor B must have at least 2 dimensions"):
        LA.solve_triangular(npgrad.eye(3), npgrad.ones(3), upper=True)
    with pytest.raises(TypeError):
        LA.solve_triangular(npgrad.eye(3), npgrad.ones(3, 1))  # upper is required


# ---- matrix_power, multi_dot, vecdot ----------------------------------------------------
@pytest.mark.parametrize("n", [-3, -1, 0, 1, 2, 5])
def test_matrix_power_matches_numpy(n):
    for dtype in DTYPES:
        a = _well((2, 3, 3), dtype, 9) / 3
        out = LA.matrix_power(npgrad.tensor(a), n)
        assert out.dtype == np.dtype(dtype) and out.shape == (2, 3, 3)
        assert_close(out, np.linalg.matrix_power(a, n), rtol=1e-4 if dtype == np.float32 else None)
    assert_close(npgrad.tensor(a).matrix_power(n), np.linalg.matrix_power(a, n))
    x = _leaf(_well((3, 3), seed=10) / 3)
    assert gradcheck(lambda t: npgrad.matrix_power(t, n), (x,))
    assert gradgradcheck(lambda t: npgrad.matrix_power(t, n), (x,))


def test_matrix_power_of_integers_and_its_errors():
    a = npgrad.tensor([[1, 1], [0, 1]])
    out = LA.matrix_power(a, 3)
    assert out.dtype == np.int64 and out.tolist() == [[1, 3], [0, 1]]
    assert LA.matrix_power(a, 0).tolist() == [[1, 0], [0, 1]]
    with pytest.raises(RuntimeError, match="linalg.inv: Expected a floating point"):
        LA.matrix_power(a, -1)
    with pytest.raises(TypeError, match="must be int, not float"):
        LA.matrix_power(a, 1.5)
    with pytest.raises(RuntimeError, match="square matrices"):
        LA.matrix_power(npgrad.ones(2, 3), 2)


@pytest.mark.parametrize(
    "shapes",
    [
        [(3,), (3, 4)],
        [(2, 3), (3, 4), (4, 5)],
        [(3,), (3, 5), (5, 2), (2,)],
        [(6, 2), (2, 7), (7, 3), (3, 1)],
    ],
)
def test_multi_dot_matches_chained_matmul(shapes):
    arrays = [_arr(s, seed=k) for k, s in enumerate(shapes)]
    expected = np.linalg.multi_dot(arrays)
    out = LA.multi_dot([npgrad.tensor(a) for a in arrays])
    assert out.shape == expected.shape
    assert_close(out, expected)
    leaves = [_leaf(a) for a in arrays]
    assert gradcheck(lambda *ts: LA.multi_dot(ts), leaves)
    assert gradgradcheck(lambda *ts: LA.multi_dot(ts), leaves)


def test_multi_dot_errors_follow_pytorch():
    with pytest.raises(RuntimeError, match="expected at least 2 tensors but got 1"):
        LA.multi_dot([npgrad.ones(3)])
    with pytest.raises(RuntimeError, match="the first tensor must be 1D or 2D but got 3D"):
        LA.multi_dot([npgrad.ones(2, 3, 4), npgrad.ones(4)])
    with pytest.raises(RuntimeError, match="tensor 1 must be 2D but got 1D"):
        LA.multi_dot([npgrad.ones(3), npgrad.ones(3), npgrad.ones(3)])
    with pytest.raises(RuntimeError, match=r"tensors 0 and 1 with shapes \[3\] and \[4, 2\]"):
        LA.multi_dot([npgrad.ones(3), npgrad.ones(4, 2)])
    with pytest.raises(RuntimeError, match="same dtype"):
        LA.multi_dot([npgrad.ones(3), npgrad.ones(3, 2, dtype=npgrad.float64)])


@pytest.mark.parametrize("dtype", DTYPES)
def test_vecdot_matches_numpy_with_broadcasting(dtype):
    x, y = _arr((2, 3, 4), dtype, 1), _arr((3, 4), dtype, 2)
    out = LA.vecdot(npgrad.tensor(x), npgrad.tensor(y))
    assert out.dtype == np.dtype(dtype) and out.shape == (2, 3)
    assert_close(out, (x * y).sum(-1))
    assert_close(LA.vecdot(npgrad.tensor(x), npgrad.tensor(y[:, :1]), dim=1), (x * y[:, :1]).sum(1))
    tx, ty = _leaf(x.astype(np.float64)), _leaf(y.astype(np.float64))
    assert gradcheck(LA.vecdot, (tx, ty)) and gradgradcheck(LA.vecdot, (tx, ty))
    with pytest.raises(RuntimeError, match="linalg.vecdot: Expected a floating point"):
        LA.vecdot(npgrad.ones(3, dtype=npgrad.int64), npgrad.ones(3, dtype=npgrad.int64))


# ---- Cholesky ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)])
def test_cholesky_matches_numpy(shape, dtype):
    a = _spd(shape, dtype, 11)
    low = np.linalg.cholesky(a)
    out = LA.cholesky(npgrad.tensor(a))
    assert out.dtype == np.dtype(dtype) and out.shape == shape
    assert_close(out, low)
    assert_close(LA.cholesky(npgrad.tensor(a), upper=True), np.swapaxes(low, -1, -2))
    assert_close(npgrad.cholesky(npgrad.tensor(a), True), np.swapaxes(low, -1, -2))
    assert_close(npgrad.tensor(a).cholesky(), low)
    # only the lower (upper) triangle is read
    junk = np.triu(np.full(shape, 100.0, dtype), 1)
    assert_close(LA.cholesky(npgrad.tensor(np.tril(a) + junk)), low)
    assert_close(
        LA.cholesky(npgrad.tensor(np.triu(a) + np.swapaxes(junk, -1, -2)), upper=True),
        np.swapaxes(low, -1, -2),
    )


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_gradients_first_and_second_order(upper):
    a = _leaf(_spd((2, 3, 3), seed=12))

    def fn(t):
        return LA.cholesky(_sym(t), upper=upper)

    assert gradcheck(fn, (a,))
    assert gradgradcheck(fn, (a,))
    a.grad = None
    fn(a).sum().backward()
    g = LA.cholesky(npgrad.tensor(a.numpy())).sum()  # (the value is irrelevant; a warm-up)
    assert g.requires_grad is False
    assert_close(a.grad, np.swapaxes(a.grad.numpy(), -1, -2))  # symmetric


def test_cholesky_of_a_matrix_that_is_not_positive_definite_raises():
    with pytest.raises(LA.LinAlgError, match=r"^linalg.cholesky: The factorization .*order 1 is"):
        LA.cholesky(-npgrad.eye(3))
    bad = np.stack([np.eye(3), np.diag([1.0, 1.0, -1.0])])
    with pytest.raises(LA.LinAlgError, match=r"\(Batch element 1\).*leading minor of order 3"):
        LA.cholesky(npgrad.tensor(bad))


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_solve_and_inverse(upper):
    a = _spd((2, 3, 3), seed=13)
    b = _arr((3, 2), seed=14)
    factor = np.linalg.cholesky(a)
    if upper:
        factor = np.swapaxes(factor, -1, -2)
    x = npgrad.cholesky_solve(npgrad.tensor(b), npgrad.tensor(factor), upper)
    assert x.shape == (2, 3, 2)
    assert_close(x, np.linalg.solve(a, np.broadcast_to(b, (2, 3, 2))))
    assert_close(npgrad.tensor(b).cholesky_solve(npgrad.tensor(factor), upper), x)
    inv = npgrad.cholesky_inverse(npgrad.tensor(factor), upper)
    assert_close(inv, np.linalg.inv(a))
    assert_close(npgrad.tensor(factor).cholesky_inverse(upper), np.linalg.inv(a))
    fl, bl = _leaf(np.ascontiguousarray(factor)), _leaf(b)
    assert gradcheck(lambda f, y: npgrad.cholesky_solve(y, f, upper), (fl, bl))
    assert gradgradcheck(lambda f: npgrad.cholesky_inverse(f, upper), (fl,))


# ---- matrix_exp -------------------------------------------------------------------------
def _expm_reference(a):
    """exp(A) from the eigendecomposition of a diagonalisable matrix (float64)."""
    w, v = np.linalg.eig(a.astype(np.float64))
    return (v * np.exp(w)[..., None, :] @ np.linalg.inv(v)).real


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [0.1, 1.0, 30.0])
def test_matrix_exp_matches_the_eigendecomposition(scale, dtype):
    a = (_arr((2, 4, 4), np.float64, 15) * scale).astype(dtype)
    out = LA.matrix_exp(npgrad.tensor(a))
    assert out.dtype == np.dtype(dtype) and out.shape == (2, 4, 4)
    ref = _expm_reference(a)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(out.numpy(), ref, rtol=tol, atol=tol * np.abs(ref).max())
    assert_close(npgrad.matrix_exp(npgrad.tensor(a)), out)
    assert_close(npgrad.tensor(a).matrix_exp(), out)


def test_matrix_exp_of_special_matrices():
    assert_close(LA.matrix_exp(npgrad.zeros(3, 3)), np.eye(3, dtype=np.float32))
    rot = LA.matrix_exp(
        npgrad.tensor([[0.0, -math.pi / 2], [math.pi / 2, 0.0]], dtype=npgrad.float64)
    )
    assert_close(rot, np.array([[0.0, -1.0], [1.0, 0.0]]), atol=1e-12, rtol=0)
    nil = LA.matrix_exp(npgrad.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]))
    assert_close(nil, np.array([[1.0, 1.0, 0.5], [0.0, 1.0, 1.0], [0.0, 0.0, 1.0]], np.float32))


def test_matrix_exp_gradients_first_and_second_order():
    a = _leaf(_arr((2, 3, 3), seed=16) * 2)
    assert gradcheck(LA.matrix_exp, (a,))
    assert gradgradcheck(LA.matrix_exp, (a,))


# ---- namespace, pickling ----------------------------------------------------------------
def test_linalg_namespace_lists_torch_linalg_names():
    for name in [
        "inv",
        "det",
        "slogdet",
        "solve",
        "matrix_power",
        "multi_dot",
        "vecdot",
        "cholesky",
        "solve_triangular",
        "matrix_exp",
        "matmul",
        "cross",
        "diagonal",
    ]:
        assert name in LA.__all__ and callable(getattr(LA, name))
    for name in [
        "det",
        "inverse",
        "slogdet",
        "logdet",
        "matrix_power",
        "cholesky",
        "cholesky_solve",
        "cholesky_inverse",
        "matrix_exp",
    ]:
        assert name in npgrad.__all__
    assert "solve_triangular" not in npgrad.__all__ and not hasattr(npgrad, "inv")
    res = pickle.loads(pickle.dumps(LA.slogdet(npgrad.eye(2))))
    assert res.logabsdet.item() == 0.0


# ---- PyTorch parity ---------------------------------------------------------------------
PARITY = {
    "inv": (lambda m, a: m.linalg.inv(a), [(2, 3, 3)]),
    "det": (lambda m, a: m.linalg.det(a), [(2, 3, 3)]),
    "slogdet": (lambda m, a: m.linalg.slogdet(a)[1], [(2, 3, 3)]),
    "logdet": (lambda m, a: m.logdet(a), [(3, 3)]),
    "solve": (lambda m, a, b: m.linalg.solve(a, b), [(2, 3, 3), (3,)]),
    "solve right": (lambda m, a, b: m.linalg.solve(a, b, left=False), [(2, 3, 3), (2, 4, 3)]),
    "solve_triangular": (
        lambda m, a, b: m.linalg.solve_triangular(a, b, upper=True, unitriangular=True),
        [(2, 3, 3), (3, 2)],
    ),
    "matrix_power": (lambda m, a: m.linalg.matrix_power(a, -2), [(3, 3)]),
    "multi_dot": (lambda m, a, b, c: m.linalg.multi_dot([a, b, c]), [(3,), (3, 4), (4, 2)]),
    "vecdot": (lambda m, a, b: m.linalg.vecdot(a, b, dim=0), [(3, 2), (3, 1)]),
    "cholesky": (lambda m, a: m.linalg.cholesky(a @ a.mT + 3 * m.eye(3, dtype=a.dtype)), [(3, 3)]),
    "cholesky upper": (
        lambda m, a: m.linalg.cholesky(a @ a.mT + 3 * m.eye(3, dtype=a.dtype), upper=True),
        [(2, 3, 3)],
    ),
    "cholesky_solve": (
        lambda m, b, f: m.cholesky_solve(b, f.tril() + 3 * m.eye(3, dtype=f.dtype)),
        [(3, 2), (3, 3)],
    ),
    "cholesky_inverse": (
        lambda m, f: m.cholesky_inverse(f.triu() + 3 * m.eye(3, dtype=f.dtype), True),
        [(3, 3)],
    ),
    "matrix_exp": (lambda m, a: m.linalg.matrix_exp(a), [(2, 3, 3)]),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(PARITY))
def test_parity_with_pytorch(name):
    torch = pytest.importorskip("torch")
    fn, shapes = PARITY[name]
    arrays = [
        (_well(s, seed=k) if len(s) >= 2 and s[-1] == s[-2] else _arr(s, seed=k))
        for k, s in enumerate(shapes)
    ]
    ours = [_leaf(a) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = fn(npgrad, *ours), fn(torch, *theirs)
    assert_close(out, ref.detach().numpy())
    w = _arr(ref.shape, seed=99)
    (out * npgrad.tensor(w)).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    for o, t in zip(ours, theirs):
        assert_close(o.grad, t.grad.numpy())


@pytest.mark.torch
def test_error_messages_match_pytorch():
    torch = pytest.importorskip("torch")
    cases = [
        ("inv", np.stack([np.eye(3), np.diag([1.0, 0.0, 1.0])])),
        ("inv", np.array([[1.0, 2.0], [2.0, 4.0]])),
        ("inv", np.ones((2, 3))),
        ("det", np.ones(3)),
        ("cholesky", np.stack([np.eye(3), np.diag([1.0, 1.0, -1.0])])),
        ("cholesky", -np.eye(2)),
    ]
    for name, a in cases:
        with pytest.raises(RuntimeError) as theirs:
            getattr(torch.linalg, name)(torch.tensor(a))
        with pytest.raises(RuntimeError) as ours:
            getattr(LA, name)(npgrad.tensor(a))
        assert str(ours.value) == str(theirs.value)
