"""``linalg.cholesky_ex``, ``linalg.inv_ex`` and ``linalg.solve_ex``: the plain ops' results and
gradients where the factorization succeeds, LAPACK's ``info`` codes and NaN where it fails."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck

LA = npgrad.linalg

PD = np.array([[4.0, 2.0, 0.4], [2.0, 5.0, 1.0], [0.4, 1.0, 3.0]])
NOT_PD_2 = np.array([[1.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # minor of order 2 fails
NOT_PD_3 = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]])
SINGULAR_2 = np.array([[1.0, 2.0, 0.0], [2.0, 4.0, 0.0], [0.0, 0.0, 1.0]])  # U[2,2] = 0
SINGULAR_3 = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
INVERTIBLE = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_ex_equals_cholesky_on_success(dtype, upper):
    a = npgrad.tensor(np.stack([PD, PD * 2 + np.eye(3)]).astype(dtype))
    L, info = LA.cholesky_ex(a, upper=upper)
    np.testing.assert_array_equal(L.numpy(), LA.cholesky(a, upper=upper).numpy())
    assert L.dtype == dtype and info.dtype == npgrad.int32 and info.tolist() == [0, 0]


def test_cholesky_ex_reports_the_failing_minor_and_fills_nan():
    a = npgrad.tensor(np.stack([PD, NOT_PD_2, NOT_PD_3, -PD]))
    L, info = LA.cholesky_ex(a)
    assert info.tolist() == [0, 2, 3, 1]
    np.testing.assert_allclose(L[0].numpy(), np.linalg.cholesky(PD))
    assert np.isnan(L[1:].numpy()).all()


def test_cholesky_ex_gradients_of_the_successful_matrices():
    a = npgrad.tensor(np.stack([PD, NOT_PD_2]), requires_grad=True)
    L, _ = LA.cholesky_ex(a)
    L[0].sum().backward()
    b = npgrad.tensor(PD, requires_grad=True)
    LA.cholesky(b).sum().backward()
    np.testing.assert_allclose(a.grad[0].numpy(), b.grad.numpy())
    np.testing.assert_array_equal(a.grad[1].numpy(), np.zeros((3, 3)))


def test_ex_forms_are_twice_differentiable_where_they_succeed():
    def sym(x):
        return x @ x.mT + 3 * npgrad.eye(3, dtype=npgrad.float64)

    x = npgrad.tensor(np.random.default_rng(0).standard_normal((2, 3, 3)), requires_grad=True)
    b = npgrad.tensor(np.random.default_rng(1).standard_normal((2, 3)), requires_grad=True)
    assert gradcheck(lambda t: LA.cholesky_ex(sym(t)).L, (x,))
    assert gradgradcheck(lambda t: LA.cholesky_ex(sym(t)).L, (x,))
    assert gradcheck(lambda t: LA.inv_ex(sym(t)).inverse, (x,))
    assert gradgradcheck(lambda t: LA.inv_ex(sym(t)).inverse, (x,))
    assert gradcheck(lambda t, v: LA.solve_ex(sym(t), v).result, (x, b))
    assert gradgradcheck(lambda t, v: LA.solve_ex(sym(t), v).result, (x, b))


def test_inv_ex_reports_the_zero_pivot():
    a = npgrad.tensor(np.stack([INVERTIBLE, SINGULAR_2, SINGULAR_3]).astype(np.float32))
    inverse, info = LA.inv_ex(a)
    assert info.tolist() == [0, 2, 3] and info.dtype == npgrad.int32
    np.testing.assert_allclose(inverse[0].numpy(), np.linalg.inv(INVERTIBLE), rtol=1e-5)
    assert np.isnan(inverse[1:].numpy()).all()
    ok = LA.inv_ex(npgrad.tensor(INVERTIBLE))
    assert ok.info.shape == () and ok.info.item() == 0
    np.testing.assert_allclose(ok.inverse.numpy(), np.linalg.inv(INVERTIBLE))


@pytest.mark.parametrize("left", [True, False])
def test_solve_ex_matrices_and_vectors(left):
    a = npgrad.tensor(np.stack([INVERTIBLE, SINGULAR_2]))
    bm = npgrad.tensor(np.arange(18.0).reshape(2, 3, 3))
    result, info = LA.solve_ex(a, bm, left=left)
    assert info.tolist() == [0, 2]
    want = LA.solve(npgrad.tensor(INVERTIBLE), bm[0], left=left).numpy()
    np.testing.assert_allclose(result[0].numpy(), want)
    assert np.isnan(result[1].numpy()).all()
    if left:  # a batch of vectors: B's shape is A's without the last dimension
        bv = npgrad.tensor(np.ones((2, 3)))
        rv, iv = LA.solve_ex(a, bv)
        assert rv.shape == (2, 3) and iv.tolist() == [0, 2]
        np.testing.assert_allclose(rv[0].numpy(), np.linalg.solve(INVERTIBLE, np.ones(3)))
        assert np.isnan(rv[1].numpy()).all()


def test_solve_ex_broadcasts_a_over_a_batch_of_b():
    a = npgrad.tensor(np.stack([INVERTIBLE, SINGULAR_2]))
    b = npgrad.tensor(np.ones((4, 2, 3, 1)))
    result, info = LA.solve_ex(a, b)
    assert result.shape == (4, 2, 3, 1) and info.tolist() == [0, 2]
    assert np.isnan(result[:, 1].numpy()).all() and not np.isnan(result[:, 0].numpy()).any()


def test_check_errors_raises_with_the_ex_name():
    with pytest.raises(LA.LinAlgError, match=r"^linalg\.cholesky_ex: .*leading minor of order 2"):
        LA.cholesky_ex(npgrad.tensor(NOT_PD_2), check_errors=True)
    with pytest.raises(LA.LinAlgError, match=r"^linalg\.inv_ex: .*singular"):
        LA.inv_ex(npgrad.tensor(SINGULAR_2), check_errors=True)
    with pytest.raises(LA.LinAlgError, match=r"linalg\.solve_ex: .*singular"):
        LA.solve_ex(
            npgrad.tensor(SINGULAR_2), npgrad.ones(3, dtype=npgrad.float64), check_errors=True
        )
    assert LA.inv_ex(npgrad.tensor(INVERTIBLE), check_errors=True).info.item() == 0


def test_bad_input_names_the_ex_function():
    with pytest.raises(ValueError, match="linalg.cholesky_ex: A must be batches of square"):
        LA.cholesky_ex(npgrad.ones(2, 3))
    with pytest.raises(ValueError, match="linalg.inv_ex"):
        LA.inv_ex(npgrad.ones(3))
    with pytest.raises(ValueError, match="linalg.solve_ex"):
        LA.solve_ex(npgrad.eye(3), npgrad.ones(2))
    with pytest.raises(TypeError, match="linalg.inv_ex"):
        LA.inv_ex(npgrad.ones(2, 2, dtype=npgrad.int64))


def test_empty_batches():
    assert LA.cholesky_ex(npgrad.zeros(0, 3, 3)).info.shape == (0,)
    assert LA.inv_ex(npgrad.zeros(0, 2, 2)).inverse.shape == (0, 2, 2)


@pytest.mark.torch
def test_info_and_results_match_pytorch():
    torch = pytest.importorskip("torch")
    chol = np.stack([PD, NOT_PD_2, NOT_PD_3, -PD])
    ours, theirs = LA.cholesky_ex(npgrad.tensor(chol)), torch.linalg.cholesky_ex(torch.tensor(chol))
    assert ours.info.tolist() == theirs.info.tolist()
    np.testing.assert_allclose(ours.L[0].numpy(), theirs.L[0].numpy())
    # SINGULAR_3 is left out: whether LAPACK meets an exact zero pivot on it depends on the
    # LAPACK build's rounding (NumPy's does, PyTorch's does not)
    mats = np.stack([INVERTIBLE, SINGULAR_2, SINGULAR_2.T])
    ours_i, theirs_i = LA.inv_ex(npgrad.tensor(mats)), torch.linalg.inv_ex(torch.tensor(mats))
    assert ours_i.info.tolist() == theirs_i.info.tolist()
    np.testing.assert_allclose(ours_i.inverse[0].numpy(), theirs_i.inverse[0].numpy())
    b = np.arange(9.0).reshape(3, 3)
    ours_s = LA.solve_ex(npgrad.tensor(mats), npgrad.tensor(b))
    theirs_s = torch.linalg.solve_ex(torch.tensor(mats), torch.tensor(b))
    assert ours_s.info.tolist() == theirs_s.info.tolist()
    np.testing.assert_allclose(ours_s.result[0].numpy(), theirs_s.result[0].numpy())


@pytest.mark.torch
def test_gradients_match_pytorch():
    torch = pytest.importorskip("torch")
    mats = np.stack([PD, NOT_PD_2])
    a = npgrad.tensor(mats, requires_grad=True)
    t = torch.tensor(mats, requires_grad=True)
    LA.cholesky_ex(a).L[0].sum().backward()
    torch.linalg.cholesky_ex(t).L[0].sum().backward()
    np.testing.assert_allclose(a.grad[0].numpy(), t.grad[0].numpy(), atol=1e-12)
    inv_mats = np.stack([INVERTIBLE, SINGULAR_2])
    a2 = npgrad.tensor(inv_mats, requires_grad=True)
    t2 = torch.tensor(inv_mats, requires_grad=True)
    LA.inv_ex(a2).inverse[0].sum().backward()
    torch.linalg.inv_ex(t2).inverse[0].sum().backward()
    # the singular matrix: 0 here, NaN in PyTorch (its undefined inverse is inf)
    np.testing.assert_allclose(a2.grad[0].numpy(), t2.grad[0].numpy(), atol=1e-12)
    np.testing.assert_array_equal(a2.grad[1].numpy(), np.zeros((3, 3)))
