"""npgrad.linalg, part 3: diagonal and cross with torch.linalg's defaults, vander,
tensorinv and tensorsolve."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import linalg as LA
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

DTYPES = [np.float32, np.float64]


def _arr(shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(dtype)


def _leaf(a):
    return npgrad.tensor(a, requires_grad=True)


def test_diagonal_and_cross_use_the_last_dimensions():
    a = _arr((2, 3, 3))
    assert_close(LA.diagonal(npgrad.tensor(a)), np.diagonal(a, 0, -2, -1))
    assert_close(LA.diagonal(npgrad.tensor(a), offset=1, dim1=0, dim2=2), np.diagonal(a, 1, 0, 2))
    x, y = _arr((3, 4, 3), seed=1), _arr((1, 4, 3), seed=2)
    assert_close(LA.cross(npgrad.tensor(x), npgrad.tensor(y)), np.cross(x, y))
    assert_close(LA.cross(npgrad.tensor(x), npgrad.tensor(x), dim=0), np.cross(x, x, axis=0))
    with pytest.raises(ValueError, match="must have length 3"):
        LA.cross(npgrad.ones(3, 2), npgrad.ones(3, 2))
    with pytest.raises(RuntimeError, match="inputs must have the same number of dimensions"):
        LA.cross(npgrad.ones(2, 3), npgrad.ones(3))


@pytest.mark.parametrize("dtype", [*DTYPES, np.int64])
def test_vander_matches_numpy(dtype):
    x = (_arr((2, 4), np.float64, 3) * 3).astype(dtype)
    out = LA.vander(npgrad.tensor(x))
    expected = np.stack([np.vander(row, increasing=True) for row in x]).astype(dtype)
    assert out.dtype == np.dtype(dtype) and out.shape == (2, 4, 4)
    assert_close(out, expected)
    assert_close(LA.vander(npgrad.tensor(x), N=2), expected[..., :2])
    assert_close(
        LA.vander(npgrad.tensor(x[0]), N=6), np.vander(x[0], 6, increasing=True).astype(dtype)
    )


def test_vander_gradients_and_errors():
    x = _leaf(_arr((2, 3), seed=4))
    fn = lambda t: LA.vander(t, N=4)  # noqa: E731
    assert gradcheck(fn, (x,)) and gradgradcheck(fn, (x,))
    with pytest.raises(RuntimeError, match="N must be greater than 1"):
        LA.vander(npgrad.ones(2), N=1)
    with pytest.raises(RuntimeError, match="got a 0-d tensor"):
        LA.vander(npgrad.tensor(2.0))
    with pytest.raises(RuntimeError, match="but got bool"):
        LA.vander(npgrad.tensor([True]))


@pytest.mark.parametrize("dtype", DTYPES)
def test_tensorinv_matches_numpy(dtype):
    a = (_arr((4, 2, 2), np.float64, 5) + np.eye(4).reshape(4, 2, 2) * 3).astype(dtype)
    out = LA.tensorinv(npgrad.tensor(a), ind=1)
    assert out.dtype == np.dtype(dtype) and out.shape == (2, 2, 4)
    assert_close(out, np.linalg.tensorinv(a, ind=1))
    b = (_arr((2, 3, 6), np.float64, 6) + np.eye(6).reshape(2, 3, 6) * 3).astype(dtype)
    assert_close(LA.tensorinv(npgrad.tensor(b)), np.linalg.tensorinv(b, ind=2))
    x = _leaf(a.astype(np.float64))
    fn = lambda t: LA.tensorinv(t, ind=1)  # noqa: E731
    assert gradcheck(fn, (x,)) and gradgradcheck(fn, (x,))
    with pytest.raises(RuntimeError, match="strictly positive integer for 'ind'"):
        LA.tensorinv(npgrad.tensor(a), ind=0)
    with pytest.raises(RuntimeError, match="but got 6 != 4"):
        LA.tensorinv(npgrad.ones(4, 6), ind=1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_tensorsolve_matches_numpy(dtype):
    a = (_arr((2, 3, 6), np.float64, 7) + np.eye(6).reshape(2, 3, 6) * 3).astype(dtype)
    b = _arr((2, 3), dtype, 8)
    out = LA.tensorsolve(npgrad.tensor(a), npgrad.tensor(b))
    assert out.dtype == np.dtype(dtype) and out.shape == (6,)
    assert_close(out, np.linalg.tensorsolve(a, b))
    c = np.ascontiguousarray(np.moveaxis(a, -1, 0))  # (6, 2, 3): dims=(0,) moves 6 back
    assert_close(
        LA.tensorsolve(npgrad.tensor(c), npgrad.tensor(b), dims=(0,)),
        np.linalg.tensorsolve(c, b, axes=(0,)),
    )
    x, y = _leaf(a.astype(np.float64)), _leaf(b.astype(np.float64))
    assert gradcheck(LA.tensorsolve, (x, y)) and gradgradcheck(LA.tensorsolve, (x, y))
    with pytest.raises(RuntimeError, match="prod\\(self.shape\\[other.ndim:\\]\\)"):
        LA.tensorsolve(npgrad.ones(2, 3, 5), npgrad.ones(2, 3))


@pytest.mark.torch
def test_parity_with_pytorch():
    torch = pytest.importorskip("torch")
    x = _arr((2, 3), seed=9)
    a = _arr((2, 3, 6), seed=10) + np.eye(6).reshape(2, 3, 6) * 3
    b = _arr((2, 3), seed=11)
    cases = [
        (lambda m, t: m.linalg.vander(t, N=4), [x]),
        (lambda m, t: m.linalg.diagonal(t, offset=1), [a]),
        (lambda m, s, t: m.linalg.cross(s, t), [a[..., :3], _arr((1, 3, 3), seed=12)]),
        (lambda m, s: m.linalg.tensorinv(s.reshape(6, 2, 3), ind=1), [a]),
        (lambda m, s, t: m.linalg.tensorsolve(s, t), [a, b]),
    ]
    for fn, arrays in cases:
        ours = [_leaf(np.ascontiguousarray(v)) for v in arrays]
        theirs = [torch.tensor(np.ascontiguousarray(v), requires_grad=True) for v in arrays]
        out, ref = fn(npgrad, *ours), fn(torch, *theirs)
        assert_close(out, ref.detach().numpy())
        w = _arr(ref.shape, seed=13)
        (out * npgrad.tensor(w)).sum().backward()
        (ref * torch.tensor(w)).sum().backward()
        for o, t in zip(ours, theirs):
            assert_close(o.grad, t.grad.numpy())


# ---- LU ---------------------------------------------------------------------------------
LU_SHAPES = [(3, 3), (2, 4, 4), (3, 5), (5, 3), (2, 1, 4, 2)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", LU_SHAPES)
def test_lu_reconstructs_the_input_with_lapack_pivoting(shape, dtype):
    a = _arr(shape, dtype, 30)
    P, L, U = LA.lu(npgrad.tensor(a))
    m, n = shape[-2:]
    k = min(m, n)
    assert P.shape == shape[:-2] + (m, m) and L.shape == shape[:-2] + (m, k)
    assert U.shape == shape[:-2] + (k, n) and L.dtype == np.dtype(dtype)
    assert_close(P @ L @ U, a, atol=1e-5, rtol=1e-5)
    assert_close(L, np.tril(L.numpy()))
    assert_close(U, np.triu(U.numpy()))
    assert_close(np.diagonal(L.numpy(), 0, -2, -1), np.ones(shape[:-2] + (k,), dtype))
    # partial pivoting: every multiplier is at most 1 in absolute value
    assert np.abs(L.numpy()).max() <= 1.0
    LU, pivots = LA.lu_factor(npgrad.tensor(a))
    assert pivots.dtype == np.int32 and pivots.shape == shape[:-2] + (k,)
    assert pivots.numpy().min() >= 1
    P2, L2, U2 = npgrad.lu_unpack(LU, pivots)
    assert_close(P2, P.numpy()) and assert_close(L2, L.numpy()) and assert_close(U2, U.numpy())


@pytest.mark.parametrize("shape", [(3, 3), (3, 5), (5, 3), (2, 3, 3)])
def test_lu_gradients_first_and_second_order(shape):
    x = _leaf(_arr(shape, seed=31))
    fn = lambda t: tuple(LA.lu(t))[1:]  # noqa: E731
    assert gradcheck(fn, (x,)) and gradgradcheck(fn, (x,))
    assert gradcheck(lambda t: LA.lu_factor(t).LU, (x,))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("left", "adjoint"), [(True, False), (False, False), (True, True), (False, True)]
)
def test_lu_solve_matches_numpy(left, adjoint, dtype):
    a = (_arr((2, 3, 3), np.float64, 32) + 3 * np.eye(3)).astype(dtype)
    b = _arr((3, 2) if left else (2, 3), dtype, 33)
    op = np.swapaxes(a, -1, -2) if adjoint else a
    if left:
        expected = np.linalg.solve(op, np.broadcast_to(b, (2, 3, 2)))
    else:
        expected = np.swapaxes(
            np.linalg.solve(np.swapaxes(op, -1, -2), np.broadcast_to(b.T, (2, 3, 2))), -1, -2
        )
    LU, piv = LA.lu_factor(npgrad.tensor(a))
    out = LA.lu_solve(LU, piv, npgrad.tensor(b), left=left, adjoint=adjoint)
    assert out.dtype == np.dtype(dtype) and out.shape == expected.shape
    assert_close(out, expected, rtol=1e-4 if dtype == np.float32 else None)
    x, y = _leaf(a.astype(np.float64)), _leaf(b.astype(np.float64))

    def fn(s, t):
        lu_data, pivots = LA.lu_factor(s)
        return LA.lu_solve(lu_data, pivots, t, left=left, adjoint=adjoint)

    assert gradcheck(fn, (x, y)) and gradgradcheck(fn, (x, y))


def test_lu_errors_follow_pytorch():
    with pytest.raises(LA.LinAlgError, match=r"U\[2,2\] is zero"):
        LA.lu_factor(npgrad.tensor([[1.0, 2.0], [2.0, 4.0]]))
    singular = np.stack([np.eye(3), [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 1.0, 1.0]]])
    res = LA.lu_factor_ex(npgrad.tensor(singular))
    assert res.info.dtype == np.int32 and res.info.tolist() == [0, 3]
    assert res.pivots.tolist() == [[1, 2, 3], [2, 3, 3]]
    assert_close(res.LU[1], np.array([[2.0, 4.0, 6.0], [0.5, -1.0, -2.0], [0.5, 0.0, 0.0]]))
    with pytest.raises(
        LA.LinAlgError, match=r"^torch.linalg.lu_factor_ex: \(Batch element 1\): U\[3,3\]"
    ):
        LA.lu_factor_ex(npgrad.tensor(singular), check_errors=True)
    P, L, U = LA.lu(npgrad.tensor([[1.0, 2.0], [2.0, 4.0]]))  # singular is fine here
    assert_close(U, np.array([[2.0, 4.0], [0.0, 0.0]], np.float32))
    with pytest.raises(ValueError, match="Expected tensor with 2 or more dimensions"):
        LA.lu_factor(npgrad.ones(3))
    with pytest.raises(TypeError, match="Expected a floating point"):
        LA.lu(npgrad.ones(2, 2, dtype=npgrad.int64))
    with pytest.raises(ValueError, match="LU without pivoting is not implemented"):
        LA.lu(npgrad.eye(2), pivot=False)
    LU, piv = LA.lu_factor(npgrad.eye(3))
    with pytest.raises(ValueError, match="The input tensor B must have at least 2 dimensions"):
        LA.lu_solve(LU, piv, npgrad.ones(3))
    with pytest.raises(ValueError, match=r"equation XA = B \(3x3 and 3x2\)"):
        LA.lu_solve(LU, piv, npgrad.ones(3, 2), left=False)


@pytest.mark.torch
@pytest.mark.parametrize("shape", [(2, 4, 4), (3, 5), (5, 3)])
def test_lu_parity_with_pytorch(shape):
    torch = pytest.importorskip("torch")
    a = _arr(shape, seed=34)
    x, t = _leaf(a), torch.tensor(a, requires_grad=True)
    ours, theirs = LA.lu(x), torch.linalg.lu(t)
    for o, r in zip(ours, theirs):
        assert_close(o, r.detach().numpy())
    w1, w2 = _arr(ours.L.shape, seed=35), _arr(ours.U.shape, seed=36)
    ((ours.L * npgrad.tensor(w1)).sum() + (ours.U * npgrad.tensor(w2)).sum()).backward()
    ((theirs.L * torch.tensor(w1)).sum() + (theirs.U * torch.tensor(w2)).sum()).backward()
    assert_close(x.grad, t.grad.numpy())
    lu_o, piv_o = LA.lu_factor(npgrad.tensor(a))
    lu_t, piv_t = torch.linalg.lu_factor(torch.tensor(a))
    assert_close(lu_o, lu_t.numpy())
    assert piv_o.tolist() == piv_t.tolist()
    if shape[-1] == shape[-2]:
        b = _arr(shape[:-1] + (2,), seed=37)
        out = LA.lu_solve(lu_o, piv_o, npgrad.tensor(b), adjoint=True)
        ref = torch.linalg.lu_solve(lu_t, piv_t, torch.tensor(b), adjoint=True)
        assert_close(out, ref.numpy())


@pytest.mark.torch
def test_lu_factor_ex_and_its_errors_match_pytorch():
    torch = pytest.importorskip("torch")
    singular = np.stack([np.eye(3), [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 1.0, 1.0]]])
    ours = LA.lu_factor_ex(npgrad.tensor(singular))
    theirs = torch.linalg.lu_factor_ex(torch.tensor(singular))
    for o, t in zip(ours, theirs):
        assert o.tolist() == t.tolist()
    for fn in ("lu_factor", "lu_factor_ex"):
        kwargs = {"check_errors": True} if fn == "lu_factor_ex" else {}
        with pytest.raises(RuntimeError) as ref:
            getattr(torch.linalg, fn)(torch.tensor(singular), **kwargs)
        with pytest.raises(RuntimeError) as got:
            getattr(LA, fn)(npgrad.tensor(singular), **kwargs)
        assert str(got.value) == str(ref.value)


# ---- householder_product ----------------------------------------------------------------
def _raw_qr(a):
    """LAPACK's geqrf output through NumPy (reflectors below the diagonal, and tau)."""
    hs, taus = zip(*(np.linalg.qr(m, mode="raw") for m in a.reshape((-1,) + a.shape[-2:])))
    h = np.stack([x.T for x in hs]).reshape(a.shape)
    return np.ascontiguousarray(h), np.stack(taus).reshape(a.shape[:-2] + (-1,))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (2, 4, 2)])
def test_householder_product_rebuilds_q_of_a_qr(shape, dtype):
    a = _arr(shape, np.float64, 40)
    h, tau = _raw_qr(a)
    q = LA.householder_product(npgrad.tensor(h.astype(dtype)), npgrad.tensor(tau.astype(dtype)))
    expected = np.linalg.qr(a)[0].astype(dtype)
    assert q.dtype == np.dtype(dtype) and q.shape == expected.shape
    assert_close(q, expected, atol=1e-5, rtol=1e-4)
    # fewer reflectors than columns: the product of the first ones only
    q1 = LA.householder_product(npgrad.tensor(h), npgrad.tensor(tau[..., :1]))
    v = np.tril(h, -1)[..., :, :1] + np.eye(shape[-2], 1)
    h1 = np.eye(shape[-2]) - tau[..., :1, None] * v * np.swapaxes(v, -1, -2)
    assert_close(q1, h1[..., :, : shape[-1]])


def test_householder_product_gradients_and_errors():
    h, tau = _leaf(_arr((4, 3), seed=41)), _leaf(_arr((2,), seed=42))
    assert gradcheck(LA.householder_product, (h, tau))
    assert gradgradcheck(LA.householder_product, (h, tau))
    with pytest.raises(ValueError, match=r"input.shape\[-2\] must be greater than or equal"):
        LA.householder_product(npgrad.ones(2, 3), npgrad.ones(2))
    with pytest.raises(ValueError, match=r"input.shape\[-1\] must be greater than or equal"):
        LA.householder_product(npgrad.ones(3, 2), npgrad.ones(3))
    with pytest.raises(ValueError, match="Expected batch dimensions of tau"):
        LA.householder_product(npgrad.ones(2, 3, 2), npgrad.ones(3, 2))
    with pytest.raises(TypeError, match="tau dtype Double does not match input dtype Float"):
        LA.householder_product(npgrad.ones(3, 2), npgrad.ones(2, dtype=npgrad.float64))


@pytest.mark.torch
def test_householder_product_parity_with_pytorch():
    torch = pytest.importorskip("torch")
    h, tau = _arr((2, 5, 3), seed=43), _arr((2, 2), seed=44)
    ours = [_leaf(h), _leaf(tau)]
    theirs = [torch.tensor(h, requires_grad=True), torch.tensor(tau, requires_grad=True)]
    out, ref = LA.householder_product(*ours), torch.linalg.householder_product(*theirs)
    assert_close(out, ref.detach().numpy())
    w = _arr(ref.shape, seed=45)
    (out * npgrad.tensor(w)).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    for o, t in zip(ours, theirs):
        assert_close(o.grad, t.grad.numpy())
