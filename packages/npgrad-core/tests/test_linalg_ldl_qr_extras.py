"""LAPACK-style factorizations: ``linalg.ldl_factor(_ex)``/``ldl_solve`` (Bunch-Kaufman),
``geqrf``/``orgqr``/``ormqr`` (Householder QR), and PyTorch's deprecated ``triangular_solve``,
``lu`` and ``lu_solve``."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import npgrad
from npgrad import linalg as LA
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

DTYPES = [np.float32, np.float64]


def _rng(seed):
    return np.random.default_rng(seed)


def _sym(n, seed, kind="indefinite", batch=()):
    rng = _rng(seed)
    m = rng.standard_normal(batch + (n, n))
    if kind == "indefinite":
        return m + np.swapaxes(m, -1, -2)
    if kind == "spd":
        return m @ np.swapaxes(m, -1, -2) + n * np.eye(n)
    if kind == "zero_diagonal":  # every 1x1 pivot fails: 2x2 blocks are forced
        a = np.triu(m, 1)
        return a + np.swapaxes(a, -1, -2)
    if kind == "singular":  # rank n - 2, indefinite
        u = rng.standard_normal(batch + (n, n - 2))
        s = np.where(np.arange(n - 2) % 2 == 0, 1.0, -1.0)
        return (u * s) @ np.swapaxes(u, -1, -2)
    raise ValueError(kind)


def _ldl_parts(ld, piv):
    """P-folded L and block-diagonal D with A = L D L^T, from LAPACK's lower compact form:
    L = P(1) L(1) P(2) L(2) ... (each P(k) one interchange, each L(k) unit lower with the
    multipliers of block k)."""
    n = ld.shape[0]
    low, d = np.eye(n), np.zeros((n, n))
    k = 0
    while k < n:
        s = 1 if piv[k] > 0 else 2
        p = abs(int(piv[k])) - 1
        perm = np.eye(n)
        perm[[k + s - 1, p]] = perm[[p, k + s - 1]]
        step = np.eye(n)
        step[k + s :, k : k + s] = ld[k + s :, k : k + s]
        low = low @ perm @ step
        d[k : k + s, k : k + s] = ld[k : k + s, k : k + s]
        if s == 2:
            d[k, k + 1] = ld[k + 1, k]
        k += s
    return low, d


def _check_ldl(a, ld, piv, info, dtype):
    ld, piv = ld.numpy().astype(np.float64), piv.numpy()
    assert np.array_equal(ld, np.tril(ld))  # the upper triangle is zero
    tol = 1e-4 if dtype == np.float32 else 1e-10
    for idx in np.ndindex(a.shape[:-2]):
        low, d = _ldl_parts(ld[idx], piv[idx])
        assert_close(low @ d @ low.T, a[idx].astype(np.float64), atol=tol * 10, rtol=tol)
    assert np.all(info.numpy() == 0)


# ---- LDL^T ------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["indefinite", "spd", "zero_diagonal"])
def test_ldl_factor_reconstructs_the_matrix(kind, dtype):
    a = _sym(7, 1, kind, (2, 3)).astype(dtype)
    ld, piv, info = LA.ldl_factor_ex(npgrad.tensor(a))
    assert ld.dtype == np.dtype(dtype) and ld.shape == (2, 3, 7, 7)
    assert piv.dtype == np.int32 and piv.shape == (2, 3, 7)
    assert info.dtype == np.int32 and info.shape == (2, 3)
    _check_ldl(a, ld, piv, info, dtype)
    if kind == "spd":  # positive-definite: no interchange, D = diag of the Cholesky pivots
        assert np.array_equal(piv.numpy(), np.broadcast_to(np.arange(1, 8), (2, 3, 7)))
    if kind == "zero_diagonal":
        assert (piv.numpy()[..., 0] < 0).all()  # the first pivot is a 2x2 block
    out = LA.ldl_factor(npgrad.tensor(a))
    assert np.array_equal(out.LD.numpy(), ld.numpy())
    assert np.array_equal(out.pivots.numpy(), piv.numpy())


def test_ldl_factor_by_hand():
    # a zero diagonal forces the 2x2 block, whose second row is swapped with itself: -2, -2
    ld, piv, info = LA.ldl_factor_ex(npgrad.tensor([[0.0, 1.0], [1.0, 0.0]]))
    assert ld.tolist() == [[0.0, 0.0], [1.0, 0.0]] and piv.tolist() == [-2, -2]
    assert info.item() == 0
    # |a11| = 1 < alpha * 2 and |a22| = 4 >= alpha * 2: rows 1 and 2 swap (1x1 pivot 4)
    a = npgrad.tensor([[1.0, 2.0, 0.0], [2.0, 4.0, 0.0], [0.0, 0.0, 3.0]], dtype=npgrad.float64)
    ld, piv, info = LA.ldl_factor_ex(a)
    assert piv.tolist() == [2, 2, 3] and info.item() == 2  # D[2, 2] = 1 - 2 * 2 / 4 = 0
    assert ld.tolist() == [[4.0, 0.0, 0.0], [0.5, 0.0, 0.0], [0.0, 0.0, 3.0]]
    # only the lower triangle is read
    upper_garbage = np.array([[2.0, 99.0], [1.0, 3.0]])
    ld, piv = LA.ldl_factor(npgrad.tensor(upper_garbage))
    assert_close(ld, np.array([[2.0, 0.0], [0.5, 2.5]]))


def test_ldl_factor_reports_singular_matrices():
    a = np.stack([np.eye(3), np.zeros((3, 3)), _sym(3, 2, "singular")[None][0]])
    ld, piv, info = LA.ldl_factor_ex(npgrad.tensor(a))
    assert info[0].item() == 0 and info[1].item() == 1 and info[2].item() > 0
    assert piv[1].tolist() == [1, 2, 3] and not ld[1].numpy().any()
    with pytest.raises(LA.LinAlgError, match=r"ldl_factor_ex: \(Batch element 1\): .*D\[1,1\]"):
        LA.ldl_factor_ex(npgrad.tensor(a), check_errors=True)
    with pytest.raises(LA.LinAlgError, match=r"linalg.ldl_factor: The factorization .*D\[1,1\]"):
        LA.ldl_factor(npgrad.zeros(2, 2))
    with pytest.raises(RuntimeError, match="singular"):  # a LinAlgError is a RuntimeError
        LA.ldl_factor(npgrad.tensor(a))


def test_ldl_factor_empty_and_one_by_one():
    out = LA.ldl_factor_ex(npgrad.zeros(2, 0, 0))
    assert out.LD.shape == (2, 0, 0) and out.pivots.shape == (2, 0) and out.info.shape == (2,)
    ld, piv = LA.ldl_factor(npgrad.tensor([[-3.0]]), hermitian=True)
    assert ld.tolist() == [[-3.0]] and piv.tolist() == [1]


@pytest.mark.parametrize("dtype", DTYPES)
def test_ldl_solve_matches_numpy(dtype):
    a = _sym(6, 3, "zero_diagonal", (2,)) + _sym(6, 4, "indefinite", (2,)) * 0.1
    b = _rng(5).standard_normal((2, 6, 3))
    ld, piv = LA.ldl_factor(npgrad.tensor(a.astype(dtype)))
    x = LA.ldl_solve(ld, piv, npgrad.tensor(b.astype(dtype)))
    assert x.dtype == np.dtype(dtype) and x.shape == (2, 6, 3)
    tol = 1e-3 if dtype == np.float32 else 1e-10
    assert_close(x, np.linalg.solve(a, b).astype(dtype), rtol=tol, atol=tol)
    # B's batch dimensions broadcast against LD's; int64 pivots are accepted too
    x1 = LA.ldl_solve(ld[0], piv[0].long(), npgrad.tensor(b.astype(dtype)))
    assert_close(x1, np.linalg.solve(a[0], b).astype(dtype), rtol=tol, atol=tol)


def test_ldl_is_not_differentiable_as_in_pytorch():
    a = npgrad.tensor(_sym(3, 6), requires_grad=True)
    ld, piv, info = LA.ldl_factor_ex(a)
    assert ld.requires_grad and not piv.requires_grad and not info.requires_grad
    with pytest.raises(RuntimeError, match="derivative for linalg.ldl_factor_ex is not impl"):
        ld.sum().backward()
    b = npgrad.ones(3, 1, dtype=npgrad.float64, requires_grad=True)
    x = LA.ldl_solve(*LA.ldl_factor(a.detach()), b)
    assert x.requires_grad
    with pytest.raises(RuntimeError, match="derivative for linalg.ldl_solve is not implemented"):
        x.sum().backward()


def test_ldl_bad_input():
    with pytest.raises(ValueError, match="A must be batches of square matrices, but they are 3"):
        LA.ldl_factor(npgrad.zeros(3, 4))
    with pytest.raises(ValueError, match="must have at least 2 dimensions"):
        LA.ldl_factor_ex(npgrad.zeros(3))
    with pytest.raises(TypeError, match="ldl_factor: Expected a floating point .* Got Long"):
        LA.ldl_factor(npgrad.zeros(3, 3, dtype=npgrad.int64))
    with pytest.raises(TypeError, match="Low precision"):
        LA.ldl_factor(npgrad.zeros(3, 3, dtype=npgrad.float16))
    ld, piv = LA.ldl_factor(npgrad.eye(3))
    with pytest.raises(TypeError, match="Expected pivots to be integers. Got Float"):
        LA.ldl_solve(ld, piv.float(), npgrad.ones(3, 1))
    with pytest.raises(ValueError, match=r"LD.shape\[:-1\] and pivots.shape .* \[2\]"):
        LA.ldl_solve(ld, piv[:2], npgrad.ones(3, 1))
    with pytest.raises(ValueError, match="B must have at least 2 dimensions, got shape \\[3\\]"):
        LA.ldl_solve(ld, piv, npgrad.ones(3))
    with pytest.raises(TypeError, match="found B of type Double and LD of type Float"):
        LA.ldl_solve(ld, piv, npgrad.ones(3, 1, dtype=npgrad.float64))
    with pytest.raises(ValueError, match="each LD matrix is 3 by 3 but each B matrix is 4 by 1"):
        LA.ldl_solve(ld, piv, npgrad.ones(4, 1))
    with pytest.raises(ValueError, match="batch dimensions of LD"):
        LA.ldl_solve(ld.expand(2, 3, 3), piv.expand(2, 3), npgrad.ones(4, 3, 1))
    with pytest.raises(ValueError, match=r"1 <= \|pivot\| <= 3"):
        LA.ldl_solve(ld, npgrad.tensor([5, 2, 3], dtype=npgrad.int32), npgrad.ones(3, 1))
    with pytest.raises(ValueError, match=r"1 <= \|pivot\| <= 3"):
        LA.ldl_solve(ld, npgrad.tensor([0, 2, 3], dtype=npgrad.int32), npgrad.ones(3, 1))


LDL_CASES = [
    (n, kind, seed)
    for seed, (n, kind) in enumerate(
        [(1, "indefinite"), (2, "zero_diagonal"), (5, "indefinite"), (8, "spd")]
        + [(9, "zero_diagonal"), (12, "singular"), (20, "indefinite"), (33, "zero_diagonal")]
        + [(40, "singular"), (64, "indefinite")]
    )
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_ldl_parity_with_pytorch(dtype):
    torch = pytest.importorskip("torch")
    for n, kind, seed in LDL_CASES:
        a = _sym(n, 10 + seed, kind, (2,)).astype(dtype)
        if kind == "indefinite":
            a = np.round(a * 2) / 2  # ties between candidate pivots: the first one wins
        ours = LA.ldl_factor_ex(npgrad.tensor(a))
        ref = torch.linalg.ldl_factor_ex(torch.from_numpy(a))
        assert np.array_equal(ours.pivots.numpy(), ref.pivots.numpy()), (n, kind)
        assert np.array_equal(ours.info.numpy(), ref.info.numpy()), (n, kind)
        assert ours.LD.dtype == np.dtype(dtype) and ours.pivots.dtype == np.int32
        tol = 1e-4 if dtype == np.float32 else 1e-12
        assert_close(ours.LD, ref.LD.numpy(), rtol=tol, atol=tol)
        if kind != "singular":
            b = _rng(seed).standard_normal((2, n, 2)).astype(dtype)
            x = LA.ldl_solve(ours.LD, ours.pivots, npgrad.tensor(b))
            xr = torch.linalg.ldl_solve(ref.LD, ref.pivots, torch.from_numpy(b))
            assert_close(x, xr.numpy(), rtol=tol * 100, atol=tol * 100)


@pytest.mark.torch
def test_ldl_autograd_parity_with_pytorch():
    torch = pytest.importorskip("torch")
    a = _sym(3, 7)
    t = torch.tensor(a, requires_grad=True)
    ld, piv, info = torch.linalg.ldl_factor_ex(t)
    ours = LA.ldl_factor_ex(npgrad.tensor(a, requires_grad=True))
    assert [x.requires_grad for x in ours] == [ld.requires_grad, piv.requires_grad, False]
    with pytest.raises(RuntimeError, match="not implemented"):
        ld.sum().backward()


# ---- geqrf, orgqr, ormqr ----------------------------------------------------------------------
def _explicit_q(a, tau):
    """The full m x m Q = H_1 ... H_k of LAPACK's compact QR, in NumPy."""
    m, k = a.shape[-2], tau.shape[-1]
    q = np.broadcast_to(np.eye(m), a.shape[:-2] + (m, m)).copy()
    for i in range(k):
        v = np.zeros(a.shape[:-2] + (m, 1))
        v[..., i, 0] = 1
        v[..., i + 1 :, 0] = a[..., i + 1 :, i]
        h = np.eye(m) - tau[..., i, None, None] * v * np.swapaxes(v, -1, -2)
        q = q @ h
    return q


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (4, 4), (2, 6, 3), (0, 3), (2, 0, 2)])
def test_geqrf_is_a_householder_qr(shape, dtype):
    x = _rng(20).standard_normal(shape).astype(dtype)
    a, tau = npgrad.geqrf(npgrad.tensor(x))
    k = min(shape[-2:])
    assert a.dtype == np.dtype(dtype) and a.shape == shape
    assert tau.dtype == np.dtype(dtype) and tau.shape == shape[:-2] + (k,)
    q = _explicit_q(a.numpy().astype(np.float64), tau.numpy().astype(np.float64))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert_close(q @ np.triu(a.numpy()), x.astype(np.float64), rtol=tol, atol=tol)
    assert_close(q @ np.swapaxes(q, -1, -2), np.broadcast_to(np.eye(shape[-2]), q.shape), atol=tol)
    # LAPACK's convention: tau in [1, 2] for each reflector (0 for a trivial one)
    t = tau.numpy()
    assert np.all(((t >= 1 - tol) & (t <= 2 + tol)) | (t == 0))


def test_geqrf_by_hand_and_method():
    x = npgrad.tensor([[3.0, 1.0], [4.0, 2.0]], dtype=npgrad.float64)
    a, tau = npgrad.geqrf(x)
    # v = (1, 0.5), tau = 1.6 maps (3, 4) to (-5, 0): R's diagonal gets -sign(a11) ||a1||
    assert_close(a, np.array([[-5.0, -2.2], [0.5, 0.4]]))
    assert_close(tau, np.array([1.6, 0.0]))
    out = x.geqrf()
    assert type(out).__name__ == "geqrf_result" and out._fields == ("a", "tau")
    assert_close(out.a, a.numpy())
    assert_close(npgrad.orgqr(a, tau), np.array([[-0.6, -0.8], [-0.8, 0.6]]))
    assert_close(a.orgqr(tau), npgrad.linalg.householder_product(a, tau).numpy())


def test_geqrf_is_not_differentiable_as_in_pytorch():
    x = npgrad.tensor(_rng(21).standard_normal((3, 2)), requires_grad=True)
    a, tau = npgrad.geqrf(x)
    assert a.requires_grad and tau.requires_grad
    with pytest.raises(NotImplementedError, match="the derivative for 'geqrf' is not impl"):
        (a.sum() + tau.sum()).backward()
    with pytest.raises(ValueError, match="geqrf: input must have at least 2 dimensions"):
        npgrad.geqrf(npgrad.ones(3))
    with pytest.raises(TypeError, match="geqrf: Expected a floating point .* Got Long"):
        npgrad.geqrf(npgrad.ones(3, 3, dtype=npgrad.int64))


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("transpose", [False, True])
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4)])
def test_ormqr_multiplies_by_q(shape, left, transpose):
    x = _rng(22).standard_normal(shape)
    a, tau = npgrad.geqrf(npgrad.tensor(x))
    m = shape[-2]
    c = _rng(23).standard_normal(shape[:-2] + ((m, 2) if left else (2, m)))
    q = _explicit_q(a.numpy(), tau.numpy())
    if transpose:
        q = np.swapaxes(q, -1, -2)
    out = npgrad.ormqr(a, tau, npgrad.tensor(c), left, transpose)
    assert out.shape == c.shape and out.dtype == np.float64
    assert_close(out, q @ c if left else c @ q, rtol=1e-10, atol=1e-12)
    assert_close(a.ormqr(tau, npgrad.tensor(c), left=left, transpose=transpose), out.numpy())


def test_ormqr_float32_and_empty():
    x = _rng(24).standard_normal((4, 3)).astype(np.float32)
    a, tau = npgrad.geqrf(npgrad.tensor(x))
    out = npgrad.ormqr(a, tau, a.triu()[:, :3])
    assert out.dtype == np.float32
    assert_close(out, x, rtol=1e-5, atol=1e-5)
    assert npgrad.ormqr(a, tau, npgrad.zeros(4, 0)).shape == (4, 0)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("transpose", [False, True])
def test_ormqr_gradients(left, transpose):
    a = npgrad.tensor(_rng(25).standard_normal((4, 3)), requires_grad=True)
    tau = npgrad.tensor(_rng(26).uniform(1, 2, 3), requires_grad=True)
    c = npgrad.tensor(_rng(27).standard_normal((4, 2) if left else (2, 4)), requires_grad=True)

    def fn(a, t, c):
        return npgrad.ormqr(a, t, c, left=left, transpose=transpose)

    assert gradcheck(fn, (a, tau, c))
    assert gradgradcheck(fn, (a, tau, c))
    fn(a, tau, c).sum().backward()
    assert not np.triu(a.grad.numpy()).any()  # only the reflectors below the diagonal are read


def test_ormqr_bad_input():
    a, tau = npgrad.geqrf(npgrad.ones(4, 3, dtype=npgrad.float64))
    c = npgrad.ones(4, 2, dtype=npgrad.float64)
    with pytest.raises(TypeError, match="input and other to have the same dtype.*Float"):
        npgrad.ormqr(a, tau, c.float())
    with pytest.raises(TypeError, match="input and tau to have the same dtype.*Float"):
        npgrad.ormqr(a, tau.float(), c)
    with pytest.raises(ValueError, match=r"other.shape\[-2\] must be equal to input.shape\[-2\]"):
        npgrad.ormqr(a, tau, npgrad.ones(5, 2, dtype=npgrad.float64))
    with pytest.raises(ValueError, match=r"other.shape\[-1\] must be equal to input.shape\[-2\]"):
        npgrad.ormqr(a, tau, npgrad.ones(2, 5, dtype=npgrad.float64), left=False)
    with pytest.raises(ValueError, match="other must have at least 2 dimensions"):
        npgrad.ormqr(a, tau, npgrad.ones(4, dtype=npgrad.float64))
    with pytest.raises(ValueError, match="input must have at least 2 dimensions"):
        npgrad.ormqr(a[0], tau, c)
    with pytest.raises(ValueError, match="tau to have one dimension less than input"):
        npgrad.ormqr(a, tau[None], c)
    with pytest.raises(ValueError, match=r"tau.shape\[-1\] must be equal to min.* = 3"):
        npgrad.ormqr(a, tau[:2], c)
    with pytest.raises(ValueError, match="other to have the same number of dimensions"):
        npgrad.ormqr(a, tau, c.expand(2, 4, 2))
    with pytest.raises(ValueError, match="batch dimensions of other .* \\[1\\]"):
        npgrad.ormqr(a.expand(2, 4, 3), tau.expand(2, 3), c.expand(1, 4, 2))
    with pytest.raises(ValueError, match="batch dimensions of tau .* \\[3\\]"):
        npgrad.ormqr(a.expand(2, 4, 3), npgrad.ones(3, 3, dtype=npgrad.float64), c.expand(2, 4, 2))


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_geqrf_parity_with_pytorch(dtype):
    torch = pytest.importorskip("torch")
    for shape in [(4, 3), (3, 5), (6, 6), (2, 7, 4), (30, 20), (0, 3)]:
        x = _rng(30).standard_normal(shape).astype(dtype)
        a, tau = npgrad.geqrf(npgrad.tensor(x))
        ra, rtau = torch.geqrf(torch.from_numpy(x))
        tol = 1e-5 if dtype == np.float32 else 1e-12
        assert a.dtype == np.dtype(dtype) and tau.dtype == np.dtype(dtype)
        assert_close(a, ra.numpy(), rtol=tol, atol=tol)  # the same signs
        assert_close(tau, rtau.numpy(), rtol=tol, atol=tol)


@pytest.mark.torch
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("transpose", [False, True])
def test_ormqr_and_orgqr_parity_with_pytorch(left, transpose):
    torch = pytest.importorskip("torch")
    x = _rng(31).standard_normal((2, 5, 3))
    a, tau = (t.numpy() for t in npgrad.geqrf(npgrad.tensor(x)))
    c = _rng(32).standard_normal((2, 5, 2) if left else (2, 2, 5))
    ours = [npgrad.tensor(v, requires_grad=True) for v in (a, tau, c)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (a, tau, c)]
    out = npgrad.ormqr(*ours, left=left, transpose=transpose)
    ref = torch.ormqr(*theirs, left=left, transpose=transpose)
    assert_close(out, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = _rng(33).standard_normal(ref.shape)
    (out * npgrad.tensor(w)).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    for o, t in zip(ours, theirs):
        assert_close(o.grad, t.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert_close(npgrad.orgqr(ours[0], ours[1]), torch.orgqr(theirs[0], theirs[1]).detach().numpy())


# ---- deprecated: triangular_solve, lu, lu_solve -------------------------------------------------
def _solve(a, b):
    """np.linalg.solve for batches of matrices that broadcast (NumPy 1 reads a b whose
    batch shape differs from a's as a batch of vectors)."""
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return np.linalg.solve(
        np.broadcast_to(a, batch + a.shape[-2:]), np.broadcast_to(b, batch + b.shape[-2:])
    )


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _tri(n, seed, batch=()):
    """A well-conditioned matrix with both triangles filled (the solvers read only one)."""
    return _rng(seed).standard_normal(batch + (n, n)) + 3 * np.eye(n)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("upper", "transpose", "unit"), [(True, False, False), (False, True, False), (True, True, True)]
)
def test_triangular_solve_matches_numpy(upper, transpose, unit, dtype):
    a = _tri(4, 40, batch=(2, 1))
    b = _rng(41).standard_normal((3, 4, 2))
    t = np.triu(a) if upper else np.tril(a)
    if unit:
        t[..., range(4), range(4)] = 1
    if transpose:
        t = np.swapaxes(t, -1, -2)
    with pytest.warns(UserWarning, match="triangular_solve is deprecated"):
        out = npgrad.triangular_solve(
            npgrad.tensor(b.astype(dtype)), npgrad.tensor(a.astype(dtype)), upper, transpose, unit
        )
    assert type(out).__name__ == "triangular_solve_result"
    assert out._fields == ("solution", "cloned_coefficient")
    assert out.solution.shape == (2, 3, 4, 2) and out.solution.dtype == np.dtype(dtype)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    assert_close(out.solution, _solve(t, b).astype(dtype), rtol=tol, atol=tol)
    # the coefficient is all of A (both triangles), broadcast to the batch shape, a copy
    assert out.cloned_coefficient.shape == (2, 3, 4, 4)
    assert_close(out.cloned_coefficient, np.broadcast_to(a, (2, 3, 4, 4)).astype(dtype))
    method = _quiet(npgrad.tensor(b.astype(dtype)).triangular_solve, npgrad.tensor(a.astype(dtype)))
    assert_close(method.solution, _solve(np.triu(a), b).astype(dtype), rtol=tol, atol=tol)


def test_triangular_solve_gradients_and_errors():
    a = npgrad.tensor(_tri(3, 42), requires_grad=True)
    b = npgrad.tensor(_rng(43).standard_normal((3, 2)), requires_grad=True)

    def fn(b, a):
        out = _quiet(npgrad.triangular_solve, b, a, False, True)
        return out.solution, out.cloned_coefficient

    assert gradcheck(fn, (b, a)) and gradgradcheck(fn, (b, a))
    ones = npgrad.ones(3, 3)
    with pytest.raises(ValueError, match="Expected b to have at least 2 dimensions"):
        _quiet(npgrad.triangular_solve, npgrad.ones(3), ones)
    with pytest.raises(ValueError, match="each A matrix is 3 by 3 but each b matrix is 4 by 2"):
        _quiet(npgrad.triangular_solve, npgrad.ones(4, 2), ones)
    with pytest.raises(ValueError, match="A must be batches of square matrices"):
        _quiet(npgrad.triangular_solve, npgrad.ones(3, 2), npgrad.ones(3, 4))
    with pytest.raises(TypeError, match="found b of type Double and A of type Float"):
        _quiet(npgrad.triangular_solve, npgrad.ones(3, 2, dtype=npgrad.float64), ones)
    with pytest.raises(ValueError, match="cannot be broadcast"):
        _quiet(npgrad.triangular_solve, npgrad.ones(2, 3, 2), ones.expand(3, 3, 3))


def test_lu_is_linalg_lu_factor():
    a = _rng(44).standard_normal((2, 4, 3))
    with pytest.warns(UserWarning, match="npgrad.lu is deprecated"):
        out = npgrad.lu(npgrad.tensor(a))
    assert type(out) is tuple and len(out) == 2
    ref = LA.lu_factor(npgrad.tensor(a))
    assert_close(out[0], ref.LU.numpy())
    assert np.array_equal(out[1].numpy(), ref.pivots.numpy())
    # a singular matrix does not raise: info tells it
    singular = npgrad.tensor([[1.0, 2.0], [2.0, 4.0]])
    lu_data, pivots, info = _quiet(singular.lu, get_infos=True)
    assert info.item() == 2 and info.dtype == np.int32
    assert_close(lu_data, np.array([[2.0, 4.0], [0.5, 0.0]], np.float32))
    assert _quiet(npgrad.lu, singular, pivot=True, get_infos=True)._fields == (
        "LU",
        "pivots",
        "info",
    )
    with pytest.raises(ValueError, match="LU without pivoting is not implemented"):
        _quiet(npgrad.lu, singular, pivot=False)
    with pytest.raises(ValueError, match="Expected tensor with 2 or more dimensions"):
        _quiet(npgrad.lu, npgrad.ones(3))


def test_lu_and_lu_solve_gradients():
    a = npgrad.tensor(_tri(3, 45), requires_grad=True)
    b = npgrad.tensor(_rng(46).standard_normal((2, 3, 2)), requires_grad=True)

    def fn(b, a):
        lu_data, pivots = _quiet(npgrad.lu, a)
        return lu_data, _quiet(npgrad.lu_solve, b, lu_data, pivots)

    assert gradcheck(fn, (b, a)) and gradgradcheck(fn, (b, a))


def test_lu_solve_matches_numpy():
    a = _rng(47).standard_normal((2, 1, 4, 4))
    b = _rng(48).standard_normal((3, 4, 2)).astype(np.float32)
    lu_data, pivots = LA.lu_factor(npgrad.tensor(a.astype(np.float32)))
    with pytest.warns(UserWarning, match="lu_solve is deprecated"):
        x = npgrad.lu_solve(npgrad.tensor(b), lu_data, pivots)
    assert x.shape == (2, 3, 4, 2) and x.dtype == np.float32
    assert_close(x, _solve(a, b).astype(np.float32), rtol=1e-4, atol=1e-4)
    assert_close(_quiet(npgrad.tensor(b).lu_solve, lu_data, pivots), x.numpy())
    with pytest.raises(ValueError, match="B must have at least 2 dimensions"):
        _quiet(npgrad.lu_solve, npgrad.ones(4), lu_data, pivots)
    with pytest.raises(TypeError, match="same dtype"):
        _quiet(npgrad.lu_solve, npgrad.ones(4, 1, dtype=npgrad.float64), lu_data, pivots)


@pytest.mark.torch
def test_deprecated_solvers_parity_with_pytorch():
    torch = pytest.importorskip("torch")
    a, b = _tri(4, 50, batch=(2,)), _rng(51).standard_normal((2, 4, 3))
    for upper, transpose, unit in [(True, False, False), (False, True, True)]:
        ours = [npgrad.tensor(v, requires_grad=True) for v in (b, a)]
        theirs = [torch.tensor(v, requires_grad=True) for v in (b, a)]
        out = _quiet(npgrad.triangular_solve, *ours, upper, transpose, unit)
        ref = _quiet(torch.triangular_solve, *theirs, upper, transpose, unit)
        for o, r in zip(out, ref):
            assert_close(o, r.detach().numpy(), rtol=1e-12, atol=1e-12)
        (out.solution.sum() + (out.cloned_coefficient**2).sum()).backward()
        (ref.solution.sum() + (ref.cloned_coefficient**2).sum()).backward()
        for o, t in zip(ours, theirs):
            assert_close(o.grad, t.grad.numpy(), rtol=1e-10, atol=1e-12)
    ours = [npgrad.tensor(v, requires_grad=True) for v in (b, a)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (b, a)]
    lu_o, piv_o, info_o = _quiet(npgrad.lu, ours[1], get_infos=True)
    lu_t, piv_t, info_t = _quiet(torch.lu, theirs[1], get_infos=True)
    assert_close(lu_o, lu_t.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert np.array_equal(piv_o.numpy(), piv_t.numpy()) and piv_o.dtype == np.int32
    assert np.array_equal(info_o.numpy(), info_t.numpy())
    x_o = _quiet(npgrad.lu_solve, ours[0], lu_o, piv_o)
    x_t = _quiet(torch.lu_solve, theirs[0], lu_t, piv_t)
    assert_close(x_o, x_t.detach().numpy(), rtol=1e-12, atol=1e-12)
    (x_o.sum() + lu_o.sum()).backward()
    (x_t.sum() + lu_t.sum()).backward()
    for o, t in zip(ours, theirs):
        assert_close(o.grad, t.grad.numpy(), rtol=1e-10, atol=1e-10)


# ---- the function and method forms agree ----------------------------------------------------
@pytest.mark.parametrize("name", ["geqrf", "orgqr", "ormqr", "triangular_solve", "lu", "lu_solve"])
def test_function_and_method_signatures_agree(name):
    fn = list(inspect.signature(getattr(npgrad, name)).parameters.values())
    meth = list(inspect.signature(getattr(npgrad.Tensor, name)).parameters.values())
    assert [(p.name, p.kind, p.default) for p in fn[1:]] == [
        (p.name, p.kind, p.default) for p in meth[1:]
    ]


@pytest.mark.torch
def test_keyword_names_are_pytorchs():
    torch = pytest.importorskip("torch")
    a = _tri(3, 60)
    b = _rng(61).standard_normal((3, 2))
    h, tau = (t.numpy() for t in npgrad.geqrf(npgrad.tensor(a)))
    lu_data, pivots = (t.numpy() for t in LA.lu_factor(npgrad.tensor(a)))
    calls = {
        "geqrf": {"input": a},
        "orgqr": {"input": h, "input2": tau},
        "ormqr": {"input": h, "input2": tau, "input3": b, "left": True, "transpose": True},
        "triangular_solve": {"input": b, "A": a, "upper": False, "unitriangular": True},
        "lu_solve": {"input": b, "LU_data": lu_data, "LU_pivots": pivots},
    }
    for name, kwargs in calls.items():
        ours = _quiet(
            getattr(npgrad, name), **{k: _as(npgrad.tensor, v) for k, v in kwargs.items()}
        )
        ref = _quiet(
            getattr(torch, name), **{k: _as(torch.from_numpy, v) for k, v in kwargs.items()}
        )
        ours, ref = (ours[0], ref[0]) if isinstance(ref, tuple) else (ours, ref)
        assert_close(ours, ref.numpy(), rtol=1e-10, atol=1e-12)
    ld, piv = LA.ldl_factor(input=npgrad.tensor(a + a.T), hermitian=False)
    ref_ld = torch.linalg.ldl_factor_ex(input=torch.tensor(a + a.T), hermitian=False).LD
    assert_close(LA.ldl_factor_ex(input=npgrad.tensor(a + a.T)).LD, ref_ld.numpy())
    ref = torch.linalg.ldl_solve(
        LD=torch.from_numpy(ld.numpy()), pivots=torch.from_numpy(piv.numpy()), B=torch.tensor(b)
    )
    assert_close(LA.ldl_solve(LD=ld, pivots=piv, B=npgrad.tensor(b)), ref.numpy())


def _as(wrap, v):
    return wrap(v) if isinstance(v, np.ndarray) else v
