"""npgrad.linalg, part 2: svd/svdvals, eigh/eigvalsh, qr, pinv, lstsq, the norms, cond and
matrix_rank."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

import npgrad
from npgrad import linalg as LA
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

DTYPES = [np.float32, np.float64]
INF = math.inf


def _arr(shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(dtype)


def _leaf(a):
    return npgrad.tensor(a, requires_grad=True)


def _sym(t):
    return 0.5 * (t + t.mT)


# ---- SVD --------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 2), (2, 5)])
@pytest.mark.parametrize("full", [True, False])
def test_svd_matches_numpy(shape, full, dtype):
    a = _arr(shape, dtype, 1)
    u, s, vh = np.linalg.svd(a, full_matrices=full)
    res = LA.svd(npgrad.tensor(a), full_matrices=full)
    for ours, ref in zip(res, (u, s, vh)):
        assert ours.dtype == np.dtype(dtype) and ours.shape == ref.shape
        assert_close(ours, ref)
    assert_close(LA.svdvals(npgrad.tensor(a)), s)
    U, S, V = npgrad.svd(npgrad.tensor(a), some=not full)
    assert_close(V, np.swapaxes(vh, -1, -2))
    assert_close(npgrad.tensor(a).svd()[1], np.linalg.svd(a, compute_uv=False))
    U0, S0, V0 = npgrad.svd(npgrad.tensor(a), compute_uv=False)
    assert float(U0.abs().sum()) == 0.0 and float(V0.abs().sum()) == 0.0
    assert U0.shape == shape[:-1] + shape[-2:-1] and V0.shape == shape[:-2] + shape[-1:] * 2
    assert_close(S0, np.linalg.svd(a, compute_uv=False))


def _svd_invariant(full):
    # functions of the SVD that do not depend on the singular vectors' signs
    def fn(t):
        u, s, vh = LA.svd(t, full_matrices=full)
        k = s.shape[-1]
        return (u[..., :k] * (s**3).unsqueeze(-2)) @ vh[..., :k, :], s

    return fn


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 2, 4)])
@pytest.mark.parametrize("full", [True, False])
def test_svd_gradients_first_and_second_order(shape, full):
    a = _leaf(_arr(shape, seed=2))
    assert gradcheck(_svd_invariant(full), (a,))
    assert gradgradcheck(_svd_invariant(full), (a,))
    assert gradcheck(LA.svdvals, (a,)) and gradgradcheck(LA.svdvals, (a,))


def test_svdvals_gradient_with_repeated_singular_values_is_finite():
    x = _leaf(np.eye(3))
    LA.svdvals(x).sum().backward()
    assert_close(x.grad, np.eye(3))


def test_svd_results_are_named_tuples_that_print_and_pickle():
    res = LA.svd(npgrad.eye(2))
    assert repr(res).startswith("npgrad.return_types.linalg_svd(\nU=")
    back = pickle.loads(pickle.dumps(res))
    assert_close(back.S, np.ones(2, np.float32))
    assert npgrad.svd(npgrad.eye(2))._fields == ("U", "S", "V")
    with pytest.raises(RuntimeError, match="linalg.svd: The input tensor A must have at least 2"):
        LA.svd(npgrad.ones(3))


# ---- eigh -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_matches_numpy_and_reads_one_triangle(uplo, dtype):
    a = _arr((2, 4, 4), dtype, 3)
    a = a + np.swapaxes(a, -1, -2)
    w, v = np.linalg.eigh(a, UPLO=uplo)
    junk = (np.triu if uplo == "L" else np.tril)(
        np.full(a.shape, 50.0, dtype), 1 if uplo == "L" else -1
    )
    masked = (np.tril if uplo == "L" else np.triu)(a) + junk
    res = LA.eigh(npgrad.tensor(masked), UPLO=uplo)
    assert res.eigenvalues.dtype == np.dtype(dtype) and res.eigenvectors.shape == (2, 4, 4)
    assert_close(res.eigenvalues, w)
    assert_close(res.eigenvectors.abs(), np.abs(v), atol=1e-4 if dtype == np.float32 else None)
    assert_close(LA.eigvalsh(npgrad.tensor(masked), UPLO=uplo), w)
    with pytest.raises(RuntimeError, match="Expected UPLO argument to be 'L' or 'U'"):
        LA.eigh(npgrad.tensor(a), UPLO="X")


def test_eigh_gradients_first_and_second_order():
    a = _leaf(_arr((2, 3, 3), seed=4))

    def fn(t):
        w, v = LA.eigh(_sym(t))
        return (v * w.unsqueeze(-2) ** 3) @ v.mT, w  # invariant to eigenvector signs

    assert gradcheck(fn, (a,)) and gradgradcheck(fn, (a,))
    assert gradcheck(lambda t: LA.eigvalsh(_sym(t)), (a,))
    assert gradgradcheck(lambda t: LA.eigvalsh(_sym(t)), (a,))


# ---- QR ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 2), (2, 4)])
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr_matches_numpy(shape, mode, dtype):
    a = _arr(shape, dtype, 5)
    q, r = LA.qr(npgrad.tensor(a), mode=mode)
    ref_r = np.linalg.qr(a, mode="r" if mode == "r" else mode)
    ref_r = ref_r if mode == "r" else ref_r[1]
    assert r.dtype == np.dtype(dtype)
    assert_close(r, ref_r)
    if mode == "r":
        assert q.shape == (0,)
    else:
        assert_close(q, np.linalg.qr(a, mode=mode)[0])
    Q, R = npgrad.qr(npgrad.tensor(a), some=mode != "complete")
    assert_close(Q @ R, a, atol=1e-5, rtol=1e-5)
    assert_close(npgrad.tensor(a).qr()[1], np.linalg.qr(a)[1])


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 2, 4)])
def test_qr_gradients_first_and_second_order(shape):
    a = _leaf(_arr(shape, seed=6))
    assert gradcheck(lambda t: tuple(LA.qr(t)), (a,))
    assert gradgradcheck(lambda t: tuple(LA.qr(t)), (a,))


def test_qr_errors():
    with pytest.raises(RuntimeError, match="unrecognized mode 'full'"):
        LA.qr(npgrad.eye(2), mode="full")
    x = _leaf(_arr((4, 2), seed=7))
    q, r = LA.qr(x, mode="complete")
    with pytest.raises(RuntimeError, match="not differentiable when mode='complete' and nrows"):
        q.sum().backward()


# ---- pinv, lstsq, matrix_rank -----------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 2), (2, 5)])
def test_pinv_matches_numpy(shape, dtype):
    a = _arr(shape, dtype, 8)
    out = LA.pinv(npgrad.tensor(a))
    assert out.dtype == np.dtype(dtype) and out.shape == shape[:-2] + shape[-1:] + shape[-2:-1]
    assert_close(out, np.linalg.pinv(a), rtol=1e-4 if dtype == np.float32 else None)
    assert_close(npgrad.pinverse(npgrad.tensor(a)), np.linalg.pinv(a, rcond=1e-15), rtol=1e-4)
    assert_close(npgrad.tensor(a).pinverse(), np.linalg.pinv(a, rcond=1e-15), rtol=1e-4)


def test_pinv_of_rank_deficient_and_hermitian_matrices():
    a = np.array([[1.0, 2.0], [2.0, 4.0], [0.0, 0.0]])
    assert_close(LA.pinv(npgrad.tensor(a)), np.linalg.pinv(a))
    s = np.array([[2.0, 1.0], [1.0, -3.0]])
    assert_close(LA.pinv(npgrad.tensor(s), hermitian=True), np.linalg.inv(s))
    # atol given: rtol defaults to 0
    d = np.diag([1.0, 1e-3])
    assert_close(LA.pinv(npgrad.tensor(d), atol=1e-2), np.diag([1.0, 0.0]))
    assert_close(LA.pinv(npgrad.tensor(d), rtol=1e-2), np.diag([1.0, 0.0]))
    assert_close(LA.pinv(npgrad.tensor(d)), np.diag([1.0, 1e3]))


def test_pinv_gradients_first_and_second_order():
    for shape in [(3, 3), (2, 4, 2), (2, 5)]:
        x = _leaf(_arr(shape, seed=9))
        assert gradcheck(LA.pinv, (x,)) and gradgradcheck(LA.pinv, (x,))


def test_matrix_rank():
    a = np.stack([np.eye(3), np.diag([1.0, 1.0, 0.0]), np.diag([1.0, 1e-20, 0.0])])
    rank = LA.matrix_rank(npgrad.tensor(a))
    assert rank.dtype == np.int64 and rank.tolist() == [3, 2, 1]
    assert LA.matrix_rank(npgrad.tensor(a), hermitian=True).tolist() == [3, 2, 1]
    assert LA.matrix_rank(npgrad.tensor(np.diag([1.0, 0.1])), atol=0.5).item() == 1
    assert LA.matrix_rank(npgrad.tensor(np.diag([1.0, 0.1])), rtol=0.5).item() == 1


@pytest.mark.parametrize("dtype", DTYPES)
def test_lstsq_matches_numpy(dtype):
    a, b = _arr((2, 5, 3), dtype, 10), _arr((2, 5, 2), dtype, 11)
    res = LA.lstsq(npgrad.tensor(a), npgrad.tensor(b))
    expected = np.stack([np.linalg.lstsq(a[k], b[k], rcond=None)[0] for k in range(2)])
    assert res.solution.dtype == np.dtype(dtype) and res.solution.shape == (2, 3, 2)
    assert_close(res.solution, expected, rtol=1e-4 if dtype == np.float32 else None)
    assert res.rank.tolist() == [3, 3] and res.residuals.shape == (0,)
    assert res.singular_values.shape == (0,)
    vec = LA.lstsq(npgrad.tensor(a), npgrad.tensor(b[..., 0])).solution
    assert_close(vec, expected[..., 0], rtol=1e-4 if dtype == np.float32 else None)
    # rank-deficient: the minimum-norm solution
    d = np.array([[1.0, 1.0], [1.0, 1.0]])
    assert_close(
        LA.lstsq(npgrad.tensor(d), npgrad.tensor([[2.0], [2.0]], dtype=npgrad.float64)).solution,
        np.ones((2, 1)),
    )
    x, y = _leaf(a.astype(np.float64)), _leaf(b.astype(np.float64))
    fn = lambda s, t: LA.lstsq(s, t).solution  # noqa: E731
    assert gradcheck(fn, (x, y)) and gradgradcheck(fn, (x, y))
    with pytest.raises(RuntimeError, match="input.dim\\(\\) must be greater or equal"):
        LA.lstsq(npgrad.tensor(a), npgrad.tensor(a[0, 0]))
    with pytest.raises(RuntimeError, match="should match other.size\\(-2\\)"):
        LA.lstsq(npgrad.tensor(a), npgrad.tensor(b[:, :4]))


# ---- norms, cond ------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, INF, -INF])
def test_matrix_norm_matches_numpy(ord, dtype):
    a = _arr((2, 3, 4), dtype, 12)
    out = LA.matrix_norm(npgrad.tensor(a), ord)
    expected = np.linalg.norm(a, ord, axis=(-2, -1))
    assert out.dtype == np.dtype(dtype) and out.shape == (2,)
    assert_close(out, expected)
    kept = LA.matrix_norm(npgrad.tensor(a), ord, dim=(0, 2), keepdim=True)
    assert kept.shape == (1, 3, 1)
    assert_close(kept, np.linalg.norm(a, ord, axis=(0, 2), keepdims=True))
    assert_close(LA.norm(npgrad.tensor(a[0]), ord), np.asarray(np.linalg.norm(a[0], ord)))
    x = _leaf(_arr((2, 3, 3), seed=13))
    assert gradcheck(lambda t: LA.matrix_norm(t, ord), (x,))
    assert gradgradcheck(lambda t: LA.matrix_norm(t, ord), (x,))


@pytest.mark.parametrize("ord", [2, 1, 0, 3.5, INF, -INF, -1])
def test_vector_norm_and_norm_on_vectors(ord):
    a = _arr((3, 4), np.float32, 14)
    flat = np.linalg.norm(a.ravel(), ord)
    assert_close(LA.vector_norm(npgrad.tensor(a), ord), np.asarray(flat, np.float32))
    assert_close(LA.vector_norm(npgrad.tensor(a), ord, dim=1), np.linalg.norm(a, ord, axis=1))
    assert_close(LA.norm(npgrad.tensor(a), ord, dim=1), np.linalg.norm(a, ord, axis=1))
    assert_close(LA.norm(npgrad.tensor(a[0]), ord), np.asarray(np.linalg.norm(a[0], ord)))
    out = LA.vector_norm(npgrad.tensor(a), ord, dtype=npgrad.float64)
    assert out.dtype == np.float64


def test_linalg_norm_defaults_and_errors():
    a = _arr((2, 3, 4), np.float32, 15)
    assert_close(LA.norm(npgrad.tensor(a)), np.asarray(np.linalg.norm(a.ravel()), np.float32))
    assert_close(LA.norm(npgrad.tensor(a), dim=(1, 2)), np.linalg.norm(a, axis=(1, 2)))
    with pytest.raises(RuntimeError, match="the input must be 1D or 2D. Got 3D"):
        LA.norm(npgrad.tensor(a), 2)
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: Order 3 not supported"):
        LA.matrix_norm(npgrad.tensor(a), 3)
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: The input tensor A must have"):
        LA.matrix_norm(npgrad.ones(3))
    with pytest.raises(RuntimeError, match="linalg.vector_norm: Expected a floating point"):
        LA.vector_norm(npgrad.ones(3, dtype=npgrad.int64))
    with pytest.raises(IndexError, match="Dimension out of range"):
        LA.matrix_norm(npgrad.tensor(a), dim=(0, 3))


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", 1, -1, INF, -INF])
def test_cond_matches_numpy(p):
    a = _arr((2, 3, 3), np.float64, 16) + 2 * np.eye(3)
    out = LA.cond(npgrad.tensor(a), p)
    assert out.shape == (2,)
    assert_close(out, np.linalg.cond(a, p))
    x = _leaf(a)
    assert gradcheck(lambda t: LA.cond(t, p), (x,))


def test_cond_of_singular_matrices_is_infinite():
    assert LA.cond(npgrad.zeros(2, 2), 1).item() == INF
    assert math.isnan(LA.cond(npgrad.zeros(2, 2)).item())
    out = LA.cond(npgrad.tensor(np.stack([np.eye(2), np.diag([1.0, 0.0])])), "fro")
    assert_close(out, np.array([2.0, INF]))
    with pytest.raises(RuntimeError, match=r"linalg.cond\(ord=1\): A must be batches of square"):
        LA.cond(npgrad.ones(2, 3), 1)


# ---- PyTorch parity ---------------------------------------------------------------------
def _sym_t(m, a):
    return 0.5 * (a + a.mT)


def _svd_loss(m, a, full):
    u, s, vh = m.linalg.svd(a, full_matrices=full)
    k = s.shape[-1]
    return (u[..., :k] * (s**2).unsqueeze(-2)) @ vh[..., :k, :] + s.sum(-1)[..., None, None]


def _eigh_loss(m, a):
    w, v = m.linalg.eigh(_sym_t(m, a))
    return (v * w.unsqueeze(-2) ** 2) @ v.mT + w.sum(-1)[..., None, None]


PARITY = {
    "svd": (lambda m, a: _svd_loss(m, a, False), (2, 4, 3)),
    "svd full": (lambda m, a: _svd_loss(m, a, True), (2, 3, 4)),
    "svdvals": (lambda m, a: m.linalg.svdvals(a), (2, 3, 4)),
    "eigh": (_eigh_loss, (2, 3, 3)),
    "eigh raw": (lambda m, a: m.linalg.eigh(a).eigenvalues, (3, 3)),
    "eigvalsh": (lambda m, a: m.linalg.eigvalsh(a, UPLO="U"), (2, 3, 3)),
    "qr": (lambda m, a: m.cat(list(m.linalg.qr(a)), -2), (2, 4, 3)),
    "qr wide": (lambda m, a: m.cat(list(m.linalg.qr(a)), -1), (3, 5)),
    "pinv": (lambda m, a: m.linalg.pinv(a), (2, 4, 3)),
    "pinv hermitian": (lambda m, a: m.linalg.pinv(_sym_t(m, a), hermitian=True), (3, 3)),
    "lstsq": (lambda m, a: m.linalg.lstsq(a, a[..., :2] ** 2).solution, (5, 3)),
    "matrix_norm nuc": (lambda m, a: m.linalg.matrix_norm(a, "nuc"), (2, 3, 4)),
    "matrix_norm 2": (lambda m, a: m.linalg.matrix_norm(a, 2, dim=(0, 2)), (2, 3, 4)),
    "matrix_norm inf": (lambda m, a: m.linalg.matrix_norm(a, -math.inf), (2, 3, 4)),
    "norm": (lambda m, a: m.linalg.norm(a, 1), (3, 4)),
    "vector_norm": (lambda m, a: m.linalg.vector_norm(a, 3, dim=(0, 1)), (2, 3, 4)),
    "cond": (lambda m, a: m.linalg.cond(a), (2, 3, 3)),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(PARITY))
def test_parity_with_pytorch(name):
    torch = pytest.importorskip("torch")
    fn, shape = PARITY[name]
    a = _arr(shape, seed=20)
    ours, theirs = _leaf(a), torch.tensor(a, requires_grad=True)
    out, ref = fn(npgrad, ours), fn(torch, theirs)
    assert_close(out, ref.detach().numpy())
    w = _arr(ref.shape, seed=21)
    (out * npgrad.tensor(w)).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    assert_close(ours.grad, theirs.grad.numpy())


@pytest.mark.torch
@pytest.mark.parametrize("p", ["fro", "nuc", 1, -1, INF, -INF])
def test_parity_of_cond_values(p):
    # (values only: torch 2.13's backward of cond with these orders fails, its inverse having
    # been modified in place)
    torch = pytest.importorskip("torch")
    a = _arr((2, 3, 3), seed=22)
    assert_close(LA.cond(npgrad.tensor(a), p), torch.linalg.cond(torch.tensor(a), p).numpy())


def test_lstsq_drivers_fill_the_result_like_pytorch():
    a, b = _arr((2, 5, 3), seed=17), _arr((2, 5, 2), seed=18)
    ta, tb = npgrad.tensor(a), npgrad.tensor(b)
    sol = np.stack([np.linalg.lstsq(a[k], b[k], rcond=None)[0] for k in range(2)])
    residuals = ((a @ sol - b) ** 2).sum(-2)
    for driver in ["gels", "gelsd", "gelss"]:
        res = LA.lstsq(ta, tb, driver=driver)
        assert_close(res.solution, sol)
        assert_close(res.residuals, residuals)
    assert LA.lstsq(ta, tb, driver="gels").rank.shape == (0,)
    sv = LA.lstsq(ta, tb, driver="gelsd").singular_values
    assert_close(sv, np.linalg.svd(a, compute_uv=False))
    assert LA.lstsq(ta, tb[..., 0], driver="gelss").residuals.shape == (2, 1)
    # m <= n or rank-deficient: no residuals
    assert LA.lstsq(ta.mT, tb[:, :3], driver="gelsd").residuals.shape == (0,)
    deficient = a.copy()
    deficient[1, :, 2] = deficient[1, :, 1]
    res = LA.lstsq(npgrad.tensor(deficient), tb, driver="gelsd")
    assert res.residuals.shape == (0,) and res.rank.tolist() == [3, 2]
    with pytest.raises(LA.LinAlgError, match=r"\(Batch element 1\).*does not have full rank"):
        LA.lstsq(npgrad.tensor(deficient), tb, driver="gels")
    with pytest.raises(RuntimeError, match="parameter `driver` should be one of"):
        LA.lstsq(ta, tb, driver="foo")
    x = _leaf(a[0])
    assert gradcheck(lambda t: LA.lstsq(t, npgrad.tensor(b[0]), driver="gelsd").residuals, (x,))


@pytest.mark.torch
@pytest.mark.parametrize("driver", ["gels", "gelsy", "gelsd", "gelss"])
def test_parity_of_lstsq_drivers(driver):
    torch = pytest.importorskip("torch")
    a, b = _arr((2, 5, 3), seed=19), _arr((2, 5, 2), seed=20)
    ours = LA.lstsq(_leaf(a), npgrad.tensor(b), driver=driver)
    theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    for o, t in zip(ours, theirs):
        assert o.shape == tuple(t.shape)
        assert_close(o, t.numpy())


@pytest.mark.torch
def test_parity_of_lstsq_rank_and_matrix_rank():
    torch = pytest.importorskip("torch")
    a = np.stack([np.eye(3), np.diag([1.0, 1.0, 0.0])])
    b = np.ones((2, 3, 1))
    ours = LA.lstsq(npgrad.tensor(a), npgrad.tensor(b))
    theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b))
    assert ours.rank.tolist() == theirs.rank.tolist()
    assert_close(ours.solution, theirs.solution.numpy())
    assert (
        LA.matrix_rank(npgrad.tensor(a)).tolist()
        == torch.linalg.matrix_rank(torch.tensor(a)).tolist()
    )
