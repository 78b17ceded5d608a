"""``svd_lowrank`` and ``pca_lowrank``: exact on matrices of rank <= q, PyTorch's shapes and
argument rules, differentiable."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck


def _low_rank(shape, rank, seed=0):
    rng = np.random.default_rng(seed)
    *batch, m, n = shape
    return rng.standard_normal((*batch, m, rank)) @ rng.standard_normal((*batch, rank, n))


@pytest.mark.parametrize("shape", [(9, 5), (5, 9), (3, 8, 6), (2, 2, 4, 7)])
@pytest.mark.parametrize("niter", [0, 2])
def test_svd_lowrank_is_exact_on_low_rank_matrices(shape, niter):
    npgrad.manual_seed(1)
    a = _low_rank(shape, 3)
    U, S, V = npgrad.svd_lowrank(npgrad.tensor(a), q=4, niter=niter)
    *batch, m, n = shape
    assert U.shape == (*batch, m, 4) and S.shape == (*batch, 4) and V.shape == (*batch, n, 4)
    np.testing.assert_allclose(S.numpy()[..., :3], np.linalg.svd(a, compute_uv=False)[..., :3])
    recon = U.numpy() @ (S.numpy()[..., None] * np.swapaxes(V.numpy(), -1, -2))
    np.testing.assert_allclose(recon, a, atol=1e-10)
    eye = np.eye(4)
    np.testing.assert_allclose(
        np.swapaxes(U.numpy(), -1, -2) @ U.numpy(), np.broadcast_to(eye, (*batch, 4, 4)), atol=1e-10
    )
    np.testing.assert_allclose(
        np.swapaxes(V.numpy(), -1, -2) @ V.numpy(), np.broadcast_to(eye, (*batch, 4, 4)), atol=1e-10
    )


def test_svd_lowrank_approximates_the_leading_singular_values():
    npgrad.manual_seed(0)
    rng = np.random.default_rng(3)
    u, _ = np.linalg.qr(rng.standard_normal((60, 40)))
    v, _ = np.linalg.qr(rng.standard_normal((40, 40)))
    s = 0.5 ** np.arange(40)  # fast decay: a few power iterations suffice
    a = (u * s) @ v.T
    S = npgrad.svd_lowrank(npgrad.tensor(a), q=10, niter=4)[1]
    np.testing.assert_allclose(S.numpy()[:5], s[:5], rtol=1e-8)


def test_svd_lowrank_q_is_clipped_and_can_be_zero():
    a = npgrad.tensor(_low_rank((8, 5), 2))
    assert [t.shape for t in npgrad.svd_lowrank(a)] == [(8, 5), (5,), (5, 5)]
    assert [t.shape for t in npgrad.svd_lowrank(a, q=0)] == [(8, 0), (0,), (5, 0)]


def test_svd_lowrank_with_M_is_the_svd_of_the_difference():
    a = _low_rank((10, 6), 2)
    m = a.mean(axis=0, keepdims=True)
    S = npgrad.svd_lowrank(npgrad.tensor(a), q=4, M=npgrad.tensor(m))[1]
    np.testing.assert_allclose(
        S.numpy()[:3], np.linalg.svd(a - m, compute_uv=False)[:3], atol=1e-10
    )


def test_svd_lowrank_keeps_float32():
    a = npgrad.tensor(_low_rank((6, 4), 2).astype(np.float32))
    assert all(t.dtype == npgrad.float32 for t in npgrad.svd_lowrank(a, q=2))


def test_svd_lowrank_is_repeatable_per_seed():
    a = npgrad.tensor(_low_rank((7, 5), 4) + 0.1 * np.random.default_rng(1).standard_normal((7, 5)))
    npgrad.manual_seed(5)
    first = npgrad.svd_lowrank(a, q=2, niter=0)[0]
    npgrad.manual_seed(5)
    second = npgrad.svd_lowrank(a, q=2, niter=0)[0]
    np.testing.assert_array_equal(first.numpy(), second.numpy())


def test_svd_lowrank_gradient():
    a0 = np.random.default_rng(7).standard_normal((6, 4))  # distinct singular values

    def singular_values(a):
        npgrad.manual_seed(0)  # the same random projection at every evaluation
        return npgrad.svd_lowrank(a, q=4, niter=1)[1]

    assert gradcheck(singular_values, (npgrad.tensor(a0, requires_grad=True),))


def test_pca_lowrank_centres_and_finds_the_principal_direction():
    npgrad.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((500, 1)) * np.array([[3.0, 1.0]]) + 5.0
    x = x + 0.01 * rng.standard_normal((500, 2))
    U, S, V = npgrad.pca_lowrank(npgrad.tensor(x), q=2)
    direction = np.array([3.0, 1.0]) / np.sqrt(10.0)
    assert abs(abs(V.numpy()[:, 0] @ direction) - 1) < 1e-4
    centred = x - x.mean(axis=0)
    np.testing.assert_allclose(S.numpy(), np.linalg.svd(centred, compute_uv=False), rtol=1e-10)
    # without centring the mean dominates
    S_raw = npgrad.pca_lowrank(npgrad.tensor(x), q=2, center=False)[1]
    np.testing.assert_allclose(S_raw.numpy(), np.linalg.svd(x, compute_uv=False), rtol=1e-10)


def test_pca_lowrank_default_q_and_batches():
    a = npgrad.tensor(np.random.default_rng(0).standard_normal((2, 7, 4)))
    assert [t.shape for t in npgrad.pca_lowrank(a)] == [(2, 7, 4), (2, 4), (2, 4, 4)]
    b = npgrad.tensor(np.random.default_rng(0).standard_normal((20, 10)))
    assert npgrad.pca_lowrank(b)[1].shape == (6,)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda a: npgrad.pca_lowrank(a, q=9),
            ValueError,
            r"pca_lowrank: q \(=9\) must not be greater than min\(m, n\) = 5",
        ),
        (
            lambda a: npgrad.svd_lowrank(a, q=-1),
            ValueError,
            "svd_lowrank: q must be a non-negative int, got -1",
        ),
        (
            lambda a: npgrad.svd_lowrank(a, niter=-1),
            ValueError,
            "svd_lowrank: niter must be a non-negative int",
        ),
        (
            lambda a: npgrad.svd_lowrank(a, q=2.5),
            TypeError,
            "svd_lowrank: q must be an int, got float",
        ),
        (
            lambda a: npgrad.svd_lowrank(a[0]),
            ValueError,
            "svd_lowrank: The input tensor A must have at least 2 dimensions",
        ),
        (lambda a: npgrad.svd_lowrank(a.long()), TypeError, "svd_lowrank"),
        (
            lambda a: npgrad.pca_lowrank(a, center=1),
            TypeError,
            "pca_lowrank: center must be a bool",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call(npgrad.tensor(_low_rank((8, 5), 2)))


@pytest.mark.torch
def test_parity_with_torch_on_low_rank_input():
    torch = pytest.importorskip("torch")
    a = _low_rank((3, 9, 6), 2)
    for fn in ("svd_lowrank", "pca_lowrank"):
        ours = getattr(npgrad, fn)(npgrad.tensor(a), q=3)
        theirs = getattr(torch, fn)(torch.from_numpy(a), q=3)
        assert [tuple(t.shape) for t in ours] == [tuple(t.shape) for t in theirs]
        np.testing.assert_allclose(ours[1].numpy()[..., :2], theirs[1].numpy()[..., :2], rtol=1e-10)
