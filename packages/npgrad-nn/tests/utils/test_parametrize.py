"""nn.utils.parametrize, nn.utils.parametrizations (weight_norm, spectral_norm) and the older
hook-based nn.utils.weight_norm / spectral_norm: values, gradients, state_dict keys,
removal, errors, and PyTorch parity (a torch state_dict loads and gives the same outputs)."""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn.utils import parametrizations, parametrize
from npgrad.testing import assert_close

RNG = np.random.default_rng(3)


class Symmetric(nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).transpose(0, 1)

    def right_inverse(self, a):
        return a.triu()


class Scale(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.s = s

    def forward(self, x):
        return x * self.s

    def right_inverse(self, y):
        return y / self.s


def _linear(n=3, m=3, dtype=npgrad.float64):
    lin = nn.Linear(n, m).to(dtype)
    with npgrad.no_grad():
        lin.weight.copy_(npgrad.tensor(RNG.standard_normal((m, n)), dtype=dtype))
    return lin


def _old(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return fn(*args, **kwargs)


# ---- parametrize ---------------------------------------------------------------------------------
def test_register_computes_on_read_and_trains_the_original():
    m = _linear()
    w0 = m.weight
    parametrize.register_parametrization(m, "weight", Symmetric())
    assert type(m).__name__ == "ParametrizedLinear" and isinstance(m, nn.Linear)
    assert parametrize.is_parametrized(m) and parametrize.is_parametrized(m, "weight")
    assert not parametrize.is_parametrized(m, "bias")
    original = m.parametrizations.weight.original
    assert original is w0  # the same Parameter: an optimizer built earlier keeps working
    assert_close(original, np.triu(original.detach().numpy()))  # set by right_inverse
    w = m.weight.detach().numpy()
    assert_close(w, w.T)
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert [n for n, _ in m.named_parameters()] == ["bias", "parametrizations.weight.original"]
    x = npgrad.tensor(RNG.standard_normal((2, 3)))
    m(x).sum().backward()
    # d/dA of sum(x @ (triu A + triu(A, 1)^T)^T): the gradient reaches the original
    # A[i, j] (i < j) is both W[i, j] and W[j, i]; d sum / d W[i, j] = sum_n x[n, j]
    g = np.broadcast_to(x.numpy().sum(0), (3, 3))
    assert_close(original.grad, np.triu(g + g.T) - np.diag(np.diag(g)))


def test_assignment_goes_through_right_inverse_and_chains_apply_in_order():
    m = _linear()
    parametrize.register_parametrization(m, "weight", Scale(2.0))
    parametrize.register_parametrization(m, "weight", Scale(5.0))
    assert len(m.parametrizations.weight) == 2
    target = RNG.standard_normal((3, 3))
    m.weight = npgrad.tensor(target)
    assert_close(m.weight, target)
    assert_close(m.parametrizations.weight.original, target / 10)
    with pytest.raises(KeyError, match="already exists"):
        m.weight = nn.Parameter(npgrad.zeros(3, 3))


def test_remove_leaves_the_parametrized_or_the_original_value():
    m = _linear()
    orig = m.weight
    parametrize.register_parametrization(m, "weight", Scale(3.0))
    value = m.weight.detach().numpy().copy()
    parametrize.remove_parametrizations(m, "weight")
    assert type(m) is nn.Linear and not hasattr(m, "parametrizations")
    assert m.weight is orig and isinstance(m.weight, nn.Parameter)
    assert_close(m.weight, value)
    parametrize.register_parametrization(m, "weight", Scale(3.0))
    parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)
    assert_close(m.weight, value / 3)  # the original, which right_inverse set
    assert list(m.state_dict()) == ["bias", "weight"]  # re-registered last, as PyTorch


def test_buffers_can_be_parametrized_and_stay_buffers():
    m = nn.BatchNorm1d(3)
    parametrize.register_parametrization(m, "running_var", Scale(2.0))
    assert_close(m.running_var, np.ones(3, np.float32))
    buffers = dict(m.named_buffers())
    assert_close(buffers["parametrizations.running_var.original"], np.full(3, 0.5, np.float32))
    parametrize.remove_parametrizations(m, "running_var")
    assert "running_var" in dict(m.named_buffers())


def test_cached_reuses_one_computation():
    m = parametrize.register_parametrization(_linear(), "weight", Scale(2.0))
    with parametrize.cached():
        with parametrize.cached():
            a = m.weight
        assert m.weight is a
    assert m.weight is not a


def test_deepcopy_works_and_pickle_is_refused():
    m = parametrize.register_parametrization(_linear(), "weight", Scale(2.0))
    c = copy.deepcopy(m)
    assert_close(c.weight, m.weight)
    assert c.parametrizations.weight.original is not m.parametrizations.weight.original
    with pytest.raises(RuntimeError, match="state_dict"):
        pickle.dumps(m)


def test_parametrize_errors():
    m = _linear()
    with pytest.raises(ValueError, match="does not have a parameter"):
        parametrize.register_parametrization(m, "nope", Scale(2.0))

    class Shrink(nn.Module):
        def forward(self, x):
            return x[0]

    with pytest.raises(ValueError, match="shape"):
        parametrize.register_parametrization(m, "weight", Shrink())
    assert not parametrize.is_parametrized(m)  # nothing changed
    parametrize.register_parametrization(m, "weight", Shrink(), unsafe=True)
    assert m.weight.shape == (3,)
    with pytest.raises(RuntimeError, match="right_inverse"):
        m.weight = npgrad.zeros(3)
    with pytest.raises(ValueError, match="does not have a parametrization"):
        parametrize.remove_parametrizations(m, "bias")
    with pytest.raises(TypeError, match="Module"):
        parametrize.register_parametrization(m, "bias", lambda x: x)
    wn = parametrizations.weight_norm(_linear())
    with pytest.raises(ValueError, match="sequence of tensors"):
        parametrize.remove_parametrizations(wn, "weight", leave_parametrized=False)


# ---- weight_norm / spectral_norm ---------------------------------------------------------------
def test_weight_norm_value_keys_and_gradients():
    m = _linear(4, 3)
    w = m.weight.detach().numpy().copy()
    parametrizations.weight_norm(m)
    g = m.parametrizations.weight.original0
    assert g.shape == (3, 1) and list(m.state_dict())[1:] == [
        "parametrizations.weight.original0",
        "parametrizations.weight.original1",
    ]
    assert_close(g, np.linalg.norm(w, axis=1, keepdims=True))
    assert_close(m.weight, w)
    with npgrad.no_grad():
        g.mul_(2)
    assert_close(m.weight, 2 * w)
    v = npgrad.tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    gg = npgrad.tensor(RNG.standard_normal((1, 4)), requires_grad=True)
    f = lambda a, b: m.parametrizations.weight[0](b, a)  # noqa: E731
    m.parametrizations.weight[0].dim = 1
    assert gradcheck(f, (v, gg)) and gradgradcheck(f, (v, gg))
    whole = parametrizations.weight_norm(_linear(4, 3), dim=None)
    assert whole.parametrizations.weight.original0.shape == ()


def test_weight_norm_removal_keeps_the_weight():
    m = parametrizations.weight_norm(_linear(4, 3))
    before = m.weight.detach().numpy().copy()
    parametrize.remove_parametrizations(m, "weight")
    assert type(m) is nn.Linear and isinstance(m.weight, nn.Parameter)
    assert_close(m.weight, before)


def test_old_weight_norm_checkpoint_loads_into_the_new_one():
    old = _old(nn.utils.weight_norm, _linear(4, 3))
    assert list(old.state_dict()) == ["bias", "weight_g", "weight_v"]
    new = parametrizations.weight_norm(_linear(4, 3))
    new.load_state_dict(old.state_dict())
    x = npgrad.tensor(RNG.standard_normal((2, 4)))
    assert_close(new(x), old(x))


def test_old_weight_norm_hook_recomputes_and_removes():
    with pytest.warns(FutureWarning, match="deprecated"):
        m = nn.utils.weight_norm(_linear(4, 3), dim=None)
    assert m.weight_g.shape == ()
    with npgrad.no_grad():
        m.weight_g.mul_(0.5)
    x = npgrad.tensor(RNG.standard_normal((2, 4)))
    y = m(x)
    v = m.weight_v.detach().numpy()
    w = 0.5 * np.linalg.norm(v) * v / np.linalg.norm(v)
    assert_close(y, x.numpy() @ w.T + m.bias.detach().numpy())
    y.sum().backward()
    assert m.weight_g.grad is not None and m.weight_v.grad is not None
    with pytest.raises(RuntimeError, match="two weight_norm"):
        _old(nn.utils.weight_norm, m, dim=None)
    nn.utils.remove_weight_norm(m)
    assert [n for n, _ in m.named_parameters()] == ["bias", "weight"]
    assert_close(m.weight, w)
    with pytest.raises(ValueError, match="not found"):
        nn.utils.remove_weight_norm(m)


def _sigma_max(w):
    return np.linalg.svd(w.reshape(w.shape[0], -1), compute_uv=False)[0]


def test_spectral_norm_parametrization_normalises_and_iterates_only_in_training():
    m = parametrizations.spectral_norm(_linear(5, 4))
    w = m.parametrizations.weight.original.detach().numpy()
    assert_close(m.weight, w / _sigma_max(w), rtol=1e-6, atol=1e-8)  # 15 warm-up steps
    sn = m.parametrizations.weight[0]
    u0, v0 = RNG.standard_normal(4), RNG.standard_normal(5)
    sn._u.numpy()[...], sn._v.numpy()[...] = u0, v0
    m.eval()
    assert_close(m.weight, w / (u0 @ w @ v0))  # eval: u and v used as they are
    assert_close(sn._u, u0)
    m.train()
    y = m.weight  # one step: u = W v / |W v|, then v = W^T u / |W^T u|
    u1 = w @ v0 / np.linalg.norm(w @ v0)
    v1 = w.T @ u1 / np.linalg.norm(w.T @ u1)
    assert_close(sn._u, u1)
    assert_close(sn._v, v1)
    assert_close(y, w / (u1 @ w @ v1))
    conv_t = parametrizations.spectral_norm(nn.ConvTranspose2d(2, 3, 2).double())
    assert conv_t.parametrizations.weight[0]._u.shape == (3,)  # dim 1 for transposed convs
    with pytest.raises(ValueError, match="positive"):
        parametrizations.spectral_norm(_linear(), n_power_iterations=0)
    with pytest.raises(IndexError, match="out of range"):
        parametrizations.spectral_norm(_linear(), dim=2)
    with pytest.raises(ValueError, match="no parameter or buffer"):
        parametrizations.spectral_norm(_linear(), name="nope")


def test_spectral_norm_gradient_treats_u_v_as_constants():
    m = parametrizations.spectral_norm(_linear(3, 2)).eval()
    sn = m.parametrizations.weight[0]
    w = npgrad.tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    assert gradcheck(sn, (w,)) and gradgradcheck(sn, (w,))


def test_old_spectral_norm_keys_iteration_and_removal():
    m = nn.utils.spectral_norm(_linear(5, 4))
    assert list(m.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    w = m.weight_orig.detach().numpy()
    for _ in range(30):  # each training call is one power-iteration step
        m(npgrad.zeros(1, 5, dtype=npgrad.float64))
    assert_close(m.weight, w / _sigma_max(w), rtol=1e-6, atol=1e-8)
    m.weight.sum().backward()
    assert m.weight_orig.grad is not None
    with pytest.raises(RuntimeError, match="two spectral_norm"):
        nn.utils.spectral_norm(m)
    nn.utils.remove_spectral_norm(m)
    assert list(m.state_dict()) == ["bias", "weight"]
    assert_close(m.weight, w / _sigma_max(w), rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="not found"):
        nn.utils.remove_spectral_norm(m)


# ---- PyTorch parity ------------------------------------------------------------------------------
def _load_from_torch(torch, ours, theirs):
    ours.load_state_dict(
        {k: npgrad.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    )


@pytest.mark.torch
@pytest.mark.parametrize("kind", ["weight_norm", "spectral_norm"])
@pytest.mark.parametrize("training", [False, True])
def test_parametrizations_torch_state_dict_loads_and_matches(kind, training):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    tp = getattr(torch.nn.utils.parametrizations, kind)
    theirs = tp(torch.nn.Conv2d(3, 4, 3).double())
    ours = getattr(parametrizations, kind)(nn.Conv2d(3, 4, 3).double())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _load_from_torch(torch, ours, theirs)
    theirs.train(training)
    ours.train(training)
    x = RNG.standard_normal((2, 3, 5, 5))
    xt = torch.tensor(x)
    yt = theirs(xt)
    y = ours(npgrad.tensor(x))
    assert_close(y, yt.detach().numpy(), rtol=1e-9, atol=1e-10)
    (yt**2).sum().backward()
    (y**2).sum().backward()
    for (name, p), (tname, tp_) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname
        assert_close(p.grad, tp_.grad.numpy(), rtol=1e-8, atol=1e-10)
    for (name, b), (_, tb) in zip(ours.named_buffers(), theirs.named_buffers()):
        assert_close(b, tb.numpy(), rtol=1e-9, atol=1e-10, msg=name)


@pytest.mark.torch
@pytest.mark.parametrize("kind", ["weight_norm", "spectral_norm"])
def test_old_hooks_torch_state_dict_loads_and_matches(kind):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        theirs = getattr(torch.nn.utils, kind)(torch.nn.Linear(4, 3))
        ours = getattr(nn.utils, kind)(nn.Linear(4, 3))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _load_from_torch(torch, ours, theirs)
    x = RNG.standard_normal((2, 4)).astype(np.float32)
    for _ in range(2):  # training mode: the power iteration runs on both
        yt = theirs(torch.tensor(x))
        y = ours(npgrad.tensor(x))
        assert_close(y, yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    yt.sum().backward()
    y.sum().backward()
    for (name, p), (tname, tp_) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname
        assert_close(p.grad, tp_.grad.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.torch
def test_old_torch_weight_norm_checkpoint_loads_into_new_weight_norm():
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        theirs = torch.nn.utils.weight_norm(torch.nn.Linear(4, 3))
    ours = parametrizations.weight_norm(nn.Linear(4, 3))
    _load_from_torch(torch, ours, theirs)
    x = RNG.standard_normal((2, 4)).astype(np.float32)
    assert_close(
        ours(npgrad.tensor(x)), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6
    )


# ---- orthogonal ------------------------------------------------------------------------------------
ORTH_CASES = [
    ((4, 4), "matrix_exp", True),
    ((3, 5), "cayley", True),
    ((5, 3), "matrix_exp", True),
    ((4, 4), "householder", True),
    ((5, 3), "householder", False),
    ((3, 5), "householder", False),
]


def _orthonormal_error(w):
    g = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    return np.abs(g - np.eye(min(w.shape))).max()


@pytest.mark.parametrize(("shape", "omap", "triv"), ORTH_CASES)
def test_orthogonal_weight_is_orthonormal_and_trains(shape, omap, triv):
    m = parametrizations.orthogonal(
        _linear(shape[1], shape[0]), orthogonal_map=omap, use_trivialization=triv
    )
    original = m.parametrizations.weight.original
    assert _orthonormal_error(m.weight.detach().numpy()) < 1e-12
    with npgrad.no_grad():  # off the diagonal (householder keeps its signs there)
        original.add_(npgrad.tensor(np.tril(RNG.standard_normal(shape), -1) * 0.5))
    w = m.weight
    assert _orthonormal_error(w.detach().numpy()) < 1e-12
    (w[0] ** 3).sum().backward()
    assert original.grad is not None and np.abs(original.grad.numpy()).sum() > 0


def test_orthogonal_square_start_is_the_q_of_the_weight():
    m = _linear(4, 4)
    w = m.weight.detach().numpy().copy()
    parametrizations.orthogonal(m)
    q, r = np.linalg.qr(w)
    assert_close(m.weight, q * np.sign(np.diag(r)), rtol=1e-10, atol=1e-12)
    target = np.linalg.qr(RNG.standard_normal((4, 4)))[0]
    m.weight = npgrad.tensor(target)  # an orthogonal matrix is kept as it is
    assert_close(m.weight, target, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("omap", ["matrix_exp", "cayley", "householder"])
def test_orthogonal_maps_gradcheck(omap):
    orth = parametrizations.orthogonal(
        _linear(3, 4), orthogonal_map=omap, use_trivialization=omap != "householder"
    ).parametrizations.weight[0]
    # householder reads signs off the diagonal, truncated: -1.5 stays -1 under perturbation
    x = npgrad.tensor(
        np.tril(RNG.standard_normal((4, 3)), -1) - 1.5 * np.eye(4, 3), requires_grad=True
    )
    assert gradcheck(orth, (x,))
    if omap != "matrix_exp":  # (matrix_exp's own second order is tested in core)
        assert gradgradcheck(orth, (x,))


def test_orthogonal_errors():
    with pytest.raises(ValueError, match="matrix or batch"):
        parametrizations.orthogonal(nn.Linear(2, 2), "bias")
    with pytest.raises(ValueError, match="orthogonal_map"):
        parametrizations.orthogonal(nn.Linear(2, 2), orthogonal_map="qr")
    with pytest.raises(ValueError, match="use_trivialization"):
        parametrizations.orthogonal(nn.Linear(2, 2), use_trivialization=False)
    m = parametrizations.orthogonal(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="shape"):
        m.weight = npgrad.zeros(3, 3)


@pytest.mark.torch
@pytest.mark.parametrize(("shape", "omap", "triv"), ORTH_CASES)
def test_orthogonal_torch_state_dict_loads_and_matches(shape, omap, triv):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.utils.parametrizations.orthogonal(
        torch.nn.Linear(shape[1], shape[0]).double(), orthogonal_map=omap, use_trivialization=triv
    )
    ours = parametrizations.orthogonal(
        _linear(shape[1], shape[0]), orthogonal_map=omap, use_trivialization=triv
    )
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    _load_from_torch(torch, ours, theirs)
    step = RNG.standard_normal(shape) * 0.3
    with torch.no_grad():
        theirs.parametrizations.weight.original.add_(torch.tensor(step))
    with npgrad.no_grad():
        ours.parametrizations.weight.original.add_(npgrad.tensor(step))
    x = RNG.standard_normal((2, shape[1]))
    yt, y = theirs(torch.tensor(x)), ours(npgrad.tensor(x))
    assert_close(y, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    (yt**2).sum().backward()
    (y**2).sum().backward()
    assert_close(
        ours.parametrizations.weight.original.grad,
        theirs.parametrizations.weight.original.grad.numpy(),
        rtol=1e-9,
        atol=1e-12,
    )
