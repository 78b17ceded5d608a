"""nn.functional activations: torch signatures, in-place variants, the nn-only compositions
(prelu, threshold, glu, rrelu, hardshrink, softshrink) and torch parity of every one."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn import functional as F
from npgrad.testing import assert_close

RNG = np.random.default_rng(0)


def _away_from(x: np.ndarray, points: tuple[float, ...], gap: float = 0.05) -> np.ndarray:
    # keep finite-difference samples off the kinks
    for p in points:
        near = np.abs(x - p) < gap
        x = np.where(near, p + np.sign(x - p + 1e-12) * gap * 2, x)
    return x


def _inp(shape=(3, 4), dtype=np.float64, kinks=(0.0,), scale=3.0):
    x = _away_from(RNG.uniform(-scale, scale, shape), kinks)
    return npgrad.tensor(x.astype(dtype), requires_grad=True)


# name -> (kwargs, NumPy reference, kinks to avoid)
SPECS = {
    "relu": ({}, lambda x: np.maximum(x, 0), (0.0,)),
    "relu6": ({}, lambda x: np.clip(x, 0, 6), (0.0, 6.0)),
    "leaky_relu": ({"negative_slope": 0.2}, lambda x: np.where(x > 0, x, 0.2 * x), (0.0,)),
    "hardtanh": ({"min_val": -0.5, "max_val": 2.0}, lambda x: np.clip(x, -0.5, 2.0), (-0.5, 2.0)),
    "elu": ({"alpha": 0.7}, lambda x: np.where(x > 0, x, 0.7 * np.expm1(x)), (0.0,)),
    "celu": (
        {"alpha": 1.5},
        lambda x: np.maximum(x, 0) + np.minimum(0, 1.5 * np.expm1(x / 1.5)),
        (0.0,),
    ),
    "selu": (
        {},
        lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
        (0.0,),
    ),
    "silu": ({}, lambda x: x / (1 + np.exp(-x)), ()),
    "mish": ({}, lambda x: x * np.tanh(np.log1p(np.exp(x))), ()),
    "hardsigmoid": ({}, lambda x: np.clip(x + 3, 0, 6) / 6, (-3.0, 3.0)),
    "hardswish": ({}, lambda x: x * np.clip(x + 3, 0, 6) / 6, (-3.0, 3.0)),
    "softplus": (
        {"beta": 2.0, "threshold": 5.0},
        lambda x: np.where(2 * x > 5, x, np.log1p(np.exp(2 * x)) / 2),
        (2.5,),
    ),
    "sigmoid": ({}, lambda x: 1 / (1 + np.exp(-x)), ()),
    "tanh": ({}, np.tanh, ()),
    "logsigmoid": ({}, lambda x: -np.log1p(np.exp(-x)), ()),
    "softsign": ({}, lambda x: x / (1 + np.abs(x)), (0.0,)),
    "tanhshrink": ({}, lambda x: x - np.tanh(x), ()),
    "hardshrink": ({"lambd": 0.7}, lambda x: np.where(np.abs(x) > 0.7, x, 0), (-0.7, 0.7)),
    "softshrink": (
        {"lambd": 0.7},
        lambda x: np.where(x > 0.7, x - 0.7, np.where(x < -0.7, x + 0.7, 0)),
        (-0.7, 0.7),
    ),
    "threshold": ({"threshold": 0.5, "value": -2.0}, lambda x: np.where(x > 0.5, x, -2.0), (0.5,)),
    "gelu": (
        {"approximate": "tanh"},
        lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
        (),
    ),
    "softmax": ({"dim": 1}, lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True), ()),
    "log_softmax": ({"dim": 0}, lambda x: x - np.log(np.exp(x).sum(0, keepdims=True)), ()),
    "softmin": ({"dim": -1}, lambda x: np.exp(-x) / np.exp(-x).sum(-1, keepdims=True), ()),
    "glu": ({"dim": 1}, lambda x: x[:, :2] / (1 + np.exp(-x[:, 2:])), ()),
    "rrelu": ({"lower": 0.1, "upper": 0.3}, lambda x: np.where(x > 0, x, 0.2 * x), (0.0,)),
}
NAMES = sorted(SPECS)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_matches_numpy_and_keeps_dtype(name, dtype):
    kwargs, ref, kinks = SPECS[name]
    x = _inp(dtype=dtype, kinks=kinks)
    out = getattr(F, name)(x, **kwargs)
    assert out.dtype == dtype
    expected = ref(x._data.astype(np.float64)).astype(dtype)
    assert_close(
        out,
        expected,
        rtol=1e-5 if dtype == np.float32 else 1e-12,
        atol=1e-6 if dtype == np.float32 else 1e-12,
    )


@pytest.mark.parametrize("name", NAMES)
def test_gradcheck_and_gradgradcheck(name):
    kwargs, _, kinks = SPECS[name]
    x = _inp((2, 4), kinks=kinks)
    fn = lambda t: getattr(F, name)(t, **kwargs)  # noqa: E731
    assert gradcheck(fn, (x,))
    if name not in (
        "relu",
        "relu6",
        "hardtanh",
        "hardsigmoid",
        "threshold",
        "hardshrink",
        "softshrink",
        "leaky_relu",
        "rrelu",
    ):
        assert gradgradcheck(fn, (x,))  # piecewise-linear ones have a zero second derivative


INPLACE = [
    "relu",
    "relu6",
    "leaky_relu",
    "hardtanh",
    "elu",
    "celu",
    "selu",
    "silu",
    "mish",
    "hardsigmoid",
    "hardswish",
    "threshold",
    "rrelu",
]


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_flag_overwrites_the_input_and_keeps_the_gradient(name):
    kwargs, ref, kinks = SPECS[name]
    leaf = _inp(kinks=kinks)
    x = leaf * 1.0  # a non-leaf may be modified in place
    version = x._version
    y = getattr(F, name)(x, **kwargs, inplace=True)
    assert y is x and x._version > version
    assert_close(x, ref(leaf._data))
    y.sum().backward()
    expected = npgrad.tensor(leaf._data, requires_grad=True)
    getattr(F, name)(expected, **kwargs).sum().backward()
    assert_close(leaf.grad, expected.grad)


@pytest.mark.parametrize(
    "name", ["relu_", "elu_", "leaky_relu_", "hardtanh_", "selu_", "celu_", "rrelu_"]
)
def test_underscore_variants_work_in_place(name):
    x = npgrad.tensor([-1.0, 0.5, 2.0])
    expected = getattr(F, name[:-1])(x)
    assert getattr(F, name)(x) is x
    assert_close(x, expected)
    x = npgrad.tensor([-1.0, 2.0])
    assert F.threshold_(x, 0.0, 7.0) is x and x.tolist() == [7.0, 2.0]


def test_inplace_on_a_leaf_that_requires_grad_raises():
    x = npgrad.tensor([1.0, -1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        F.relu(x, inplace=True)
    with pytest.raises(RuntimeError, match="leaf"):
        F.elu(x, inplace=True)


def test_softmax_without_dim_warns_and_uses_the_legacy_dim():
    x = npgrad.tensor(RNG.standard_normal((2, 3)))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax") as rec:
        y = F.softmax(x)
    assert rec[0].filename == __file__  # _stacklevel points at the caller
    assert_close(y, F.softmax(x, 1))
    x3 = npgrad.tensor(RNG.standard_normal((2, 3, 4)))
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        assert_close(F.log_softmax(x3), F.log_softmax(x3, 0))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        assert_close(F.softmin(x3), F.softmin(x3, 0))


def test_softmax_dtype_argument_casts_first():
    x = npgrad.tensor([[1.0, 2.0]], dtype=npgrad.float32)
    assert F.softmax(x, 1, dtype=npgrad.float64).dtype == np.float64
    assert F.log_softmax(x, dim=1, dtype=npgrad.float64).dtype == np.float64


def test_large_logits_stay_finite():
    x = npgrad.tensor([[1e4, -1e4, 0.0]], requires_grad=True)
    for fn in (
        lambda t: F.log_softmax(t, 1),
        lambda t: F.softplus(t),
        F.logsigmoid,
        lambda t: F.softmax(t, 1),
    ):
        x.grad = None
        y = fn(x)
        y.sum().backward()
        assert np.isfinite(y._data).all() and np.isfinite(x.grad._data).all()


# ---- prelu, glu, rrelu --------------------------------------------------------------------------
def test_prelu_per_channel_and_shared():
    x = _inp((2, 3, 4))
    w = npgrad.tensor([0.1, 0.2, 0.3], dtype=npgrad.float64, requires_grad=True)
    expected = np.where(x._data > 0, x._data, x._data * w._data[None, :, None])
    assert_close(F.prelu(x, w), expected)
    assert gradcheck(F.prelu, (x, w)) and gradgradcheck(F.prelu, (x, w))
    w1 = npgrad.tensor([0.25], requires_grad=True)
    s = npgrad.tensor(-2.0, dtype=npgrad.float64)
    assert F.prelu(s, w1.double()).shape == ()  # a single slope keeps a 0-d input 0-d
    assert gradcheck(
        F.prelu, (_inp((5,)), npgrad.tensor([0.3], requires_grad=True, dtype=npgrad.float64))
    )


def test_prelu_slope_applies_at_zero_like_torch():
    x = npgrad.tensor([0.0], requires_grad=True)
    F.prelu(x, npgrad.tensor([0.25])).sum().backward()
    assert x.grad.tolist() == [0.25]


def test_prelu_errors():
    with pytest.raises(ValueError, match="parameter numbers = 3 and channel size = 5"):
        F.prelu(npgrad.zeros(2, 5), npgrad.zeros(3))
    with pytest.raises(ValueError, match="channel size = 1"):
        F.prelu(npgrad.zeros(5), npgrad.zeros(5))
    with pytest.raises(ValueError, match="ndim = 2"):
        F.prelu(npgrad.zeros(2, 5), npgrad.zeros(5, 1))


def test_glu_errors():
    with pytest.raises(
        ValueError, match="Halving dimension must be even, but dimension 1 is size 5"
    ):
        F.glu(npgrad.zeros(3, 5))
    with pytest.raises(RuntimeError):  # also PyTorch's error type
        F.glu(npgrad.zeros(3, 5))
    with pytest.raises(ValueError, match="scalars"):
        F.glu(npgrad.tensor(1.0))
    with pytest.raises(IndexError):
        F.glu(npgrad.zeros(2, 2), dim=2)


def test_rrelu_training_draws_slopes_in_range_and_uses_them_in_backward():
    npgrad.manual_seed(0)
    x = npgrad.tensor(-np.ones(10_000), requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = -y._data
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.005 and slopes.std() > 0.05
    y.sum().backward()
    assert_close(x.grad, slopes)  # gradient = the sampled slope
    pos = npgrad.tensor([1.0, 2.0])
    assert F.rrelu(pos, training=True).tolist() == [1.0, 2.0]
    npgrad.manual_seed(5)
    a = F.rrelu(x.detach(), training=True)
    npgrad.manual_seed(5)
    assert a.tolist() == F.rrelu(x.detach(), training=True).tolist()
    with pytest.raises(ValueError, match="Lower bound"):
        F.rrelu(x, 0.5, 0.1)


def test_softshrink_rejects_negative_lambda():
    with pytest.raises(ValueError, match="lambda must be greater or equal to 0"):
        F.softshrink(npgrad.zeros(2), -1.0)


def test_non_tensor_input_is_a_type_error():
    with pytest.raises(TypeError, match="relu"):
        F.relu([1.0, 2.0])
    with pytest.raises(TypeError):
        F.softmax(np.zeros(3), 0)


# ---- torch parity --------------------------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matches_torch_values_and_gradients(name, dtype):
    torch = pytest.importorskip("torch")
    kwargs, _, kinks = SPECS[name]
    x = _inp((3, 4), dtype=getattr(np, dtype), kinks=kinks)
    tx = torch.tensor(x._data, requires_grad=True)
    tf = getattr(torch.nn.functional, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ty = tf(tx, **kwargs)
    y = getattr(F, name)(x, **kwargs)
    g = RNG.standard_normal(y.shape).astype(dtype)
    ty.backward(torch.tensor(g))
    y.backward(npgrad.tensor(g))
    tol = {"rtol": 2e-6, "atol": 2e-6} if dtype == "float32" else {"rtol": 1e-12, "atol": 1e-12}
    if name == "hardsigmoid" and dtype == "float64":
        # torch's double kernel multiplies by the float literal 1.0f / 6.0f (3e-8 relative
        # error); npgrad divides by 6 exactly
        tol = {"rtol": 1e-7, "atol": 1e-12}
    assert_close(y, ty.detach().numpy(), **tol)
    assert_close(x.grad, tx.grad.numpy(), **tol)


@pytest.mark.torch
def test_prelu_matches_torch_including_the_weight_gradient():
    torch = pytest.importorskip("torch")
    x = _inp((2, 3, 4))
    w = npgrad.tensor([0.1, -0.2, 0.3], dtype=npgrad.float64, requires_grad=True)
    tx, tw = torch.tensor(x._data, requires_grad=True), torch.tensor(w._data, requires_grad=True)
    torch.nn.functional.prelu(tx, tw).pow(2).sum().backward()
    (F.prelu(x, w) ** 2).sum().backward()
    assert_close(x.grad, tx.grad.numpy())
    assert_close(w.grad, tw.grad.numpy())


@pytest.mark.torch
def test_rrelu_eval_matches_torch():
    torch = pytest.importorskip("torch")
    x = _inp()
    expected = torch.nn.functional.rrelu(torch.tensor(x._data), 0.2, 0.4, training=False)
    assert_close(F.rrelu(x, 0.2, 0.4), expected.numpy())
