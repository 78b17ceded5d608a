"""Activation modules: repr equal to torch's, forward/backward parity with torch in both
modes and dtypes, inplace flags, PReLU's parameter."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.testing import assert_close

RNG = np.random.default_rng(5)

# (class name, args, kwargs); every entry is built identically in npgrad and torch
CONFIGS = [
    ("ReLU", (), {}),
    ("ReLU", (), {"inplace": True}),
    ("ReLU6", (), {}),
    ("ReLU6", (True,), {}),
    ("LeakyReLU", (), {}),
    ("LeakyReLU", (0.2,), {"inplace": True}),
    ("ELU", (), {}),
    ("ELU", (0.5, True), {}),
    ("CELU", (2.0,), {}),
    ("SELU", (), {}),
    ("SELU", (True,), {}),
    ("GELU", (), {}),
    ("GELU", (), {"approximate": "tanh"}),
    ("SiLU", (), {}),
    ("SiLU", (), {"inplace": True}),
    ("Mish", (), {}),
    ("Sigmoid", (), {}),
    ("Tanh", (), {}),
    ("Softplus", (), {}),
    ("Softplus", (2, 10), {}),
    ("Softsign", (), {}),
    ("Tanhshrink", (), {}),
    ("LogSigmoid", (), {}),
    ("Softmax", (), {"dim": 1}),
    ("Softmax", (-1,), {}),
    ("LogSoftmax", (1,), {}),
    ("Softmin", (0,), {}),
    ("Hardtanh", (), {}),
    ("Hardtanh", (-2, 3), {"inplace": True}),
    ("Hardsigmoid", (), {}),
    ("Hardswish", (), {}),
    ("Hardshrink", (), {}),
    ("Softshrink", (0.3,), {}),
    ("Threshold", (0.1, 20), {}),
    ("Threshold", (0.1, 20.0, True), {}),
    ("RReLU", (), {}),
    ("RReLU", (0.1, 0.3), {}),
    ("PReLU", (), {}),
    ("PReLU", (3,), {"init": 0.1}),
    ("GLU", (), {}),
    ("GLU", (2,), {}),
    ("Softmax2d", (), {}),
]
IDS = [f"{c}{a}{k}" for c, a, k in CONFIGS]


def _pair(torch, name, args, kwargs, dtype):
    theirs = getattr(torch.nn, name)(*args, **kwargs).to(getattr(torch, dtype))
    ours = getattr(nn, name)(*args, **kwargs).to(getattr(npgrad, dtype))
    ours.load_state_dict(
        {k: npgrad.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    )
    return ours, theirs


@pytest.mark.torch
@pytest.mark.parametrize(("name", "args", "kwargs"), CONFIGS, ids=IDS)
def test_repr_matches_torch(name, args, kwargs):
    torch = pytest.importorskip("torch")
    assert repr(getattr(nn, name)(*args, **kwargs)) == repr(
        getattr(torch.nn, name)(*args, **kwargs)
    )


# RReLU's training mode draws random slopes: covered by test_rrelu_training_mode
MODES = [
    (c, m) for c in CONFIGS for m in ("train", "eval") if not (c[0] == "RReLU" and m == "train")
]


@pytest.mark.torch
@pytest.mark.parametrize(
    ("config", "mode"), MODES, ids=[f"{IDS[CONFIGS.index(c)]}-{m}" for c, m in MODES]
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_forward_and_backward_match_torch(config, mode, dtype):
    torch = pytest.importorskip("torch")
    name, args, kwargs = config
    ours, theirs = _pair(torch, name, args, kwargs, dtype)
    getattr(ours, mode)(), getattr(theirs, mode)()
    x = RNG.uniform(-4, 4, (2, 3, 4, 4)).astype(dtype)
    x[np.abs(x) < 0.05] = 0.5  # off the kinks
    leaf_t, leaf_n = torch.tensor(x, requires_grad=True), npgrad.tensor(x, requires_grad=True)
    # inplace modules need a non-leaf input, as in torch
    ty, ny = theirs(leaf_t * 1), ours(leaf_n * 1)
    g = RNG.standard_normal(ny.shape).astype(dtype)
    ty.backward(torch.tensor(g))
    ny.backward(npgrad.tensor(g))
    tol = (
        {"rtol": 2e-6, "atol": 2e-6}
        if dtype == "float32"
        else {"rtol": 1e-7 if name == "Hardsigmoid" else 1e-12, "atol": 1e-12}
    )
    assert_close(ny, ty.detach().numpy(), **tol)
    assert_close(leaf_n.grad, leaf_t.grad.numpy(), **tol)
    for pname, p in ours.named_parameters():
        assert_close(p.grad, dict(theirs.named_parameters())[pname].grad.numpy(), **tol)


def test_inplace_modules_modify_their_input():
    for m in (
        nn.ReLU(True),
        nn.LeakyReLU(0.1, True),
        nn.ELU(inplace=True),
        nn.Hardtanh(inplace=True),
        nn.SiLU(True),
        nn.Threshold(0.0, 1.0, True),
    ):
        x = npgrad.tensor([-2.0, 3.0])
        assert m(x) is x and x.tolist()[1] == pytest.approx(m(npgrad.tensor([3.0])).item())
    x = npgrad.tensor([-2.0, 3.0])
    assert nn.ReLU()(x) is not x and x.tolist() == [-2.0, 3.0]


def test_prelu_parameter_and_init():
    m = nn.PReLU(4, init=0.1)
    assert [(n, p.shape) for n, p in m.named_parameters()] == [("weight", (4,))]
    assert np.allclose(m.weight._data, 0.1) and m.weight.dtype == np.float32
    assert np.allclose(nn.PReLU().weight._data, 0.25)
    assert nn.PReLU(dtype=npgrad.float64).weight.dtype == np.float64
    with pytest.raises(ValueError, match="channel size"):
        m(npgrad.zeros(2, 3))


def test_rrelu_training_mode():
    m = nn.RReLU(0.1, 0.3)
    x = npgrad.tensor(-np.ones(1000))
    y = m(x)._data
    assert (y >= -0.3).all() and (y <= -0.1).all() and y.std() > 0.03
    assert np.allclose(m.eval()(x)._data, -0.2)


def test_softmax_module_without_dim_warns_at_the_call_site():
    with pytest.warns(UserWarning, match="Implicit dimension") as rec:
        nn.Softmax()(npgrad.zeros(2, 3))
    assert rec[0].filename == __file__


def test_constructor_validation():
    with pytest.raises(ValueError, match="must be greater than min_val"):
        nn.Hardtanh(1.0, 1.0)
    with pytest.warns(FutureWarning, match="min_value"):
        assert nn.Hardtanh(min_value=-2.0).min_val == -2.0
    with pytest.raises(ValueError, match="3D or 4D"):
        nn.Softmax2d()(npgrad.zeros(2, 3))


def test_state_dict_of_parameterless_activations_is_empty():
    for cls in (nn.ReLU, nn.GELU, nn.Softmax, nn.Tanh):
        assert dict(cls().state_dict()) == {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(nn.PReLU().state_dict()) == ["weight"]
