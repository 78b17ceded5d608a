"""CorrCholeskyTransform, CatTransform, StackTransform and the cat / stack /
MixtureSameFamily constraints."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import distributions as D
from npgrad.distributions import constraints as C
from npgrad.distributions import transforms as T


def t(a) -> npgrad.Tensor:
    return npgrad.tensor(np.asarray(a, dtype=np.float64))


# ---- CorrCholeskyTransform -------------------------------------------------------------------
@pytest.mark.parametrize("d", [2, 3, 4])
def test_corr_cholesky_gives_correlation_factors_and_inverts(d):
    x = t(np.random.default_rng(d).standard_normal((5, d * (d - 1) // 2)) * 2)
    tr = T.CorrCholeskyTransform()
    L = tr(x)
    assert L.shape == (5, d, d) and tr.forward_shape(x.shape) == (5, d, d)
    a = L.numpy()
    np.testing.assert_array_equal(np.triu(a, 1), 0)
    assert (np.diagonal(a, 0, -2, -1) > 0).all()
    np.testing.assert_allclose((a**2).sum(-1), 1.0, atol=1e-12)
    assert C.corr_cholesky.check(L).all()
    np.testing.assert_allclose(tr.inv(L).numpy(), x.numpy(), atol=1e-9)
    assert tr.inverse_shape(L.shape) == tuple(x.shape)


def test_corr_cholesky_log_det_equals_the_jacobian_determinant():
    d = 4
    x0 = np.random.default_rng(0).standard_normal(d * (d - 1) // 2)
    tr = T.CorrCholeskyTransform()
    rows, cols = np.tril_indices(d, -1)

    def f(v):  # the map onto the strictly lower triangle: a square Jacobian
        return tr(t(v)).numpy()[rows, cols]

    h = 1e-6
    jac = np.stack([(f(x0 + h * e) - f(x0 - h * e)) / (2 * h) for e in np.eye(x0.size)], axis=1)
    want = np.log(abs(np.linalg.det(jac)))
    got = tr.log_abs_det_jacobian(t(x0), tr(t(x0))).item()
    assert got == pytest.approx(want, rel=1e-6)


def test_corr_cholesky_bad_shapes():
    tr = T.CorrCholeskyTransform()
    with pytest.raises(ValueError, match="CorrCholeskyTransform: a vector of 4 values"):
        tr(npgrad.zeros(4))
    with pytest.raises(ValueError, match="expected square matrices"):
        tr.inv(npgrad.zeros(2, 3))
    assert D.biject_to(C.corr_cholesky) == tr
    assert D.transform_to(C.corr_cholesky) == tr


def test_corr_cholesky_is_differentiable():
    x = t([0.3, -0.7, 1.2]).requires_grad_()
    assert npgrad.autograd.gradcheck(lambda v: T.CorrCholeskyTransform()(v), (x,))


# ---- CatTransform and StackTransform ---------------------------------------------------------
def test_cat_transform_applies_each_transform_to_its_slice():
    x = t(np.random.default_rng(1).standard_normal((3, 4)))
    tr = T.CatTransform([T.ExpTransform(), T.SigmoidTransform()], dim=1, lengths=[1, 3])
    y = tr(x)
    np.testing.assert_allclose(y[:, :1].numpy(), np.exp(x[:, :1].numpy()))
    np.testing.assert_allclose(y[:, 1:].numpy(), 1 / (1 + np.exp(-x[:, 1:].numpy())))
    np.testing.assert_allclose(tr.inv(y).numpy(), x.numpy(), atol=1e-12)
    # a batch dimension: each slice keeps its elementwise log-Jacobian
    want = np.concatenate(
        [
            T.ExpTransform().log_abs_det_jacobian(x[:, :1], y[:, :1]).numpy(),
            T.SigmoidTransform().log_abs_det_jacobian(x[:, 1:], y[:, 1:]).numpy(),
        ],
        1,
    )
    np.testing.assert_allclose(tr.log_abs_det_jacobian(x, y).numpy(), want)
    assert tr.bijective and tr.length == 4 and tr.event_dim == 0
    assert tr.domain.check(x).all() and bool(tr.codomain.check(y).all())


def test_cat_transform_sums_the_log_jacobians_of_slices_of_an_event():
    x = t(np.random.default_rng(2).standard_normal((3, 5)))
    parts = [
        T.IndependentTransform(T.ExpTransform(), 1),
        T.IndependentTransform(T.TanhTransform(), 1),
    ]
    tr = T.CatTransform(parts, dim=-1, lengths=[2, 3])
    y = tr(x)
    want = parts[0].log_abs_det_jacobian(x[:, :2], y[:, :2]) + parts[1].log_abs_det_jacobian(
        x[:, 2:], y[:, 2:]
    )
    assert tr.event_dim == 1
    np.testing.assert_allclose(tr.log_abs_det_jacobian(x, y).numpy(), want.numpy())


def test_stack_transform():
    x = t(np.random.default_rng(3).standard_normal((4, 2)))
    tr = T.StackTransform([T.ExpTransform(), T.AffineTransform(1.0, 2.0)], dim=1)
    y = tr(x)
    np.testing.assert_allclose(y[:, 0].numpy(), np.exp(x[:, 0].numpy()))
    np.testing.assert_allclose(y[:, 1].numpy(), 1 + 2 * x[:, 1].numpy())
    np.testing.assert_allclose(tr.inv(y).numpy(), x.numpy(), atol=1e-12)
    ldj = tr.log_abs_det_jacobian(x, y).numpy()
    np.testing.assert_allclose(ldj[:, 0], x[:, 0].numpy())
    np.testing.assert_allclose(ldj[:, 1], np.log(2.0))


def test_join_transforms_refuse_bad_input():
    with pytest.raises(TypeError, match="CatTransform: every element of tseq must be a Transform"):
        T.CatTransform([T.ExpTransform(), "exp"])
    with pytest.raises(ValueError, match="CatTransform: 1 lengths for 2 transforms"):
        T.CatTransform([T.ExpTransform(), T.ExpTransform()], lengths=[2])
    tr = T.CatTransform([T.ExpTransform(), T.ExpTransform()], dim=0, lengths=[1, 2])
    with pytest.raises(ValueError, match=r"has 4 elements along dim 0, the lengths \[1, 2\]"):
        tr(npgrad.zeros(4))
    with pytest.raises(IndexError, match="CatTransform: dim 0 is out of range"):
        tr(npgrad.tensor(1.0))
    st = T.StackTransform([T.ExpTransform(), T.ExpTransform()], dim=0)
    with pytest.raises(ValueError, match="StackTransform: input of shape \\(3,\\) has 3 slices"):
        st(npgrad.zeros(3))


# ---- constraints -----------------------------------------------------------------------------
def test_cat_and_stack_constraints():
    v = t([[1.0, -1.0, 0.5], [-2.0, 3.0, 2.0]])
    cat = C.cat([C.positive, C.unit_interval], dim=1, lengths=[1, 2])
    assert cat.check(v).tolist() == [[True, False, True], [False, False, False]]
    stack = C.stack([C.positive, C.real, C.unit_interval], dim=1)
    assert stack.check(v).tolist() == [[True, True, True], [False, True, False]]
    assert cat.event_dim == 0 and stack.event_dim == 0
    assert C.stack([C.real_vector, C.simplex], dim=-1).event_dim == 1
    assert C.stack([C.real_vector, C.simplex], dim=-2).event_dim == 2  # PyTorch's rule
    with pytest.raises(TypeError, match="cat: every element of cseq must be a Constraint"):
        C.cat([C.positive, 3])
    with pytest.raises(ValueError, match="stack: a value of shape \\(2, 3\\) has 3 slices"):
        C.stack([C.real, C.real], dim=1).check(v)
    bij = D.biject_to(cat)
    assert isinstance(bij, T.CatTransform) and bool(cat.check(bij(npgrad.zeros(2, 3))).all())
    assert isinstance(D.transform_to(stack), T.StackTransform)


def test_mixture_same_family_support():
    mix = D.MixtureSameFamily(
        D.Categorical(probs=t([0.3, 0.7])), D.Gamma(t([1.0, 2.0]), t([1.0, 1.0]))
    )
    support = mix.support
    assert isinstance(support, C.MixtureSameFamilyConstraint)
    assert support.check(t([0.5, -1.0, 2.0])).tolist() == [True, False, True]
    mvn = D.MixtureSameFamily(
        D.Categorical(probs=t([0.5, 0.5])), D.Dirichlet(t([[1.0, 2.0], [3.0, 1.0]]))
    )
    assert mvn.support.event_dim == 1
    assert mvn.support.check(t([[0.3, 0.7], [0.6, 0.6]])).tolist() == [True, False]


@pytest.mark.torch
def test_match_pytorch():
    torch = pytest.importorskip("torch")
    tt = torch.distributions.transforms
    x = np.random.default_rng(4).standard_normal((3, 6))
    ours, theirs = T.CorrCholeskyTransform(), tt.CorrCholeskyTransform()
    y, yt = ours(t(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(y.numpy(), yt.numpy(), atol=1e-12)
    np.testing.assert_allclose(
        ours.log_abs_det_jacobian(t(x), y).numpy(),
        theirs.log_abs_det_jacobian(torch.tensor(x), yt).numpy(),
        atol=1e-12,
    )
    cat = T.CatTransform([T.ExpTransform(), T.SigmoidTransform()], dim=1, lengths=[2, 4])
    cat_t = tt.CatTransform([tt.ExpTransform(), tt.SigmoidTransform()], dim=1, lengths=[2, 4])
    y, yt = cat(t(x)), cat_t(torch.tensor(x))
    np.testing.assert_allclose(
        cat.log_abs_det_jacobian(t(x), y).numpy(),
        cat_t.log_abs_det_jacobian(torch.tensor(x), yt).numpy(),
    )
    v = np.random.default_rng(5).standard_normal((4, 3))
    ours_c = C.stack([C.positive, C.real, C.unit_interval], 1).check(t(v)).numpy()
    theirs_c = torch.distributions.constraints.stack(
        [
            torch.distributions.constraints.positive,
            torch.distributions.constraints.real,
            torch.distributions.constraints.unit_interval,
        ],
        1,
    ).check(torch.tensor(v))
    np.testing.assert_array_equal(ours_c, theirs_c.numpy())
