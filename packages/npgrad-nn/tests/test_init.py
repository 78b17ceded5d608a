"""nn.init: gains and fans as torch computes them, in-place no-grad fills with version bumps,
generators, and the statistics of every scheme on large tensors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.nn import init


# ---- gains and fans ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "param", "expected"),
    [
        ("linear", None, 1),
        ("conv2d", None, 1),
        ("conv_transpose3d", None, 1),
        ("sigmoid", None, 1),
        ("tanh", None, 5 / 3),
        ("relu", None, math.sqrt(2)),
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
        ("leaky_relu", 1, 1.0),
        ("leaky_relu", math.sqrt(5), math.sqrt(1 / 3)),
        ("selu", None, 0.75),
    ],
)
def test_calculate_gain(name, param, expected):
    assert init.calculate_gain(name, param) == pytest.approx(expected, rel=1e-15)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        init.calculate_gain("leaky_relu", True)
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "0.1")


def test_fans_like_torch():
    assert init._calculate_fan_in_and_fan_out(npgrad.empty(3, 5)) == (5, 3)
    assert init._calculate_fan_in_and_fan_out(npgrad.empty(8, 4, 3, 3)) == (36, 72)
    assert init._calculate_fan_in_and_fan_out(npgrad.empty(2, 3, 4, 5, 6)) == (360, 240)
    for shape in [(5,), ()]:
        with pytest.raises(ValueError, match="fewer than 2 dimensions"):
            init._calculate_fan_in_and_fan_out(npgrad.empty(*shape))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(npgrad.empty(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(npgrad.empty(3, 3), mode="fan_avg")


# ---- the in-place contract ----------------------------------------------------------------------
FILLS = [
    lambda t: init.uniform_(t, -1, 1),
    lambda t: init.normal_(t, 0, 1),
    lambda t: init.trunc_normal_(t),
    lambda t: init.constant_(t, 0.5),
    init.ones_,
    init.zeros_,
    init.eye_,
    init.xavier_uniform_,
    init.xavier_normal_,
    init.kaiming_uniform_,
    init.kaiming_normal_,
    init.orthogonal_,
    lambda t: init.sparse_(t, 0.5),
]


@pytest.mark.parametrize("fill", FILLS)
def test_fills_in_place_without_graph_and_bumps_the_version(fill):
    p = nn.Parameter(npgrad.zeros(6, 4))
    arr, version = p._data, p._version
    view = p.detach()  # shares memory: must see the new values
    out = fill(p)
    assert out is p and p._data is arr
    assert p._version > version
    assert p.grad_fn is None and p.requires_grad
    assert np.array_equal(view._data, p._data)
    assert p.dtype == np.float32


def test_fill_while_grad_enabled_does_not_record_and_breaks_stale_backward():
    w = nn.Parameter(npgrad.ones(3, 3))
    y = (w * w).sum()  # saves w
    init.normal_(w)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


@pytest.mark.parametrize(
    "fill",
    [
        lambda t, g: init.uniform_(t, generator=g),
        lambda t, g: init.normal_(t, generator=g),
        lambda t, g: init.trunc_normal_(t, generator=g),
        lambda t, g: init.xavier_uniform_(t, generator=g),
        lambda t, g: init.xavier_normal_(t, generator=g),
        lambda t, g: init.kaiming_uniform_(t, generator=g),
        lambda t, g: init.kaiming_normal_(t, generator=g),
        lambda t, g: init.orthogonal_(t, generator=g),
        lambda t, g: init.sparse_(t, 0.3, generator=g),
    ],
)
def test_generator_makes_fills_reproducible(fill):
    a = fill(npgrad.empty(5, 7), npgrad.Generator().manual_seed(3))
    b = fill(npgrad.empty(5, 7), npgrad.Generator().manual_seed(3))
    c = fill(npgrad.empty(5, 7), npgrad.Generator().manual_seed(4))
    assert a.tolist() == b.tolist() and a.tolist() != c.tolist()


def test_default_generator_is_used_by_manual_seed():
    npgrad.manual_seed(11)
    a = init.kaiming_uniform_(npgrad.empty(4, 4))
    npgrad.manual_seed(11)
    assert init.kaiming_uniform_(npgrad.empty(4, 4)).tolist() == a.tolist()


# ---- statistics -------------------------------------------------------------------------------
def _std_ok(x, expected, rel=0.03):
    return abs(float(np.std(x._data, dtype=np.float64)) / expected - 1) < rel


def test_uniform_and_normal_statistics():
    npgrad.manual_seed(0)
    u = init.uniform_(npgrad.empty(200, 500), -2.0, 3.0)
    assert u._data.min() >= -2.0 and u._data.max() < 3.0
    assert abs(u._data.mean() - 0.5) < 0.02 and _std_ok(u, 5 / math.sqrt(12))
    n = init.normal_(npgrad.empty(200, 500), 1.5, 0.2)
    assert abs(n._data.mean() - 1.5) < 0.002 and _std_ok(n, 0.2)


@pytest.mark.parametrize("shape", [(300, 200), (64, 32, 3, 3)])
def test_xavier_statistics(shape):
    npgrad.manual_seed(1)
    t = npgrad.empty(*shape)
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(t)
    std = 2.0 * math.sqrt(2.0 / (fan_in + fan_out))
    init.xavier_uniform_(t, gain=2.0)
    assert np.abs(t._data).max() <= math.sqrt(3) * std and _std_ok(t, std)
    init.xavier_normal_(t, gain=2.0)
    assert _std_ok(t, std)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize(("nonlinearity", "a"), [("relu", 0), ("leaky_relu", 0.3), ("tanh", 0)])
def test_kaiming_statistics(mode, nonlinearity, a):
    npgrad.manual_seed(2)
    t = npgrad.empty(128, 64, 3, 3)
    fan = 64 * 9 if mode == "fan_in" else 128 * 9
    std = init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    init.kaiming_uniform_(t, a=a, mode=mode, nonlinearity=nonlinearity)
    assert np.abs(t._data).max() <= math.sqrt(3) * std and _std_ok(t, std)
    init.kaiming_normal_(t, a=a, mode=mode, nonlinearity=nonlinearity)
    assert _std_ok(t, std)


def test_kaiming_on_zero_element_tensor_warns_and_does_nothing():
    t = npgrad.empty(0, 3)
    with pytest.warns(UserWarning, match="zero-element"):
        assert init.kaiming_uniform_(t) is t
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_normal_(t)


@pytest.mark.parametrize(("a", "b"), [(-2.0, 2.0), (-0.5, 0.5), (1.0, 3.0), (1.8, 4.0)])
def test_trunc_normal_bounds_and_moments(a, b):
    # both of PyTorch's regimes: redraw (mass > 0.3) and uniform rejection (mass <= 0.3)
    npgrad.manual_seed(3)
    t = init.trunc_normal_(npgrad.empty(100_000, dtype=npgrad.float64), 0.0, 1.0, a, b)
    x = t._data
    assert x.min() >= a and x.max() <= b
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: (1 + math.erf(z / math.sqrt(2))) / 2  # noqa: E731
    mass = cdf(b) - cdf(a)
    mean = (phi(a) - phi(b)) / mass
    var = 1 + (a * phi(a) - b * phi(b)) / mass - mean**2
    assert abs(x.mean() - mean) < 0.01
    assert abs(x.var() / var - 1) < 0.03


def test_trunc_normal_warns_when_mean_is_far_from_the_interval():
    with pytest.warns(UserWarning, match="mean is more than 2 std"):
        init.trunc_normal_(npgrad.empty(10), mean=10.0, std=1.0, a=-1.0, b=1.0)


@pytest.mark.parametrize("shape", [(20, 6), (6, 20), (8, 3, 2, 2)])
def test_orthogonal_is_orthonormal_and_scaled(shape):
    t = init.orthogonal_(npgrad.empty(*shape, dtype=npgrad.float64), gain=1.5)
    m = t._data.reshape(shape[0], -1)
    small = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    assert np.allclose(small, 2.25 * np.eye(small.shape[0]), atol=1e-12)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(npgrad.empty(3))


def test_orthogonal_is_sign_symmetric():
    # with the sign correction Q is Haar-distributed: each entry is symmetric about 0
    npgrad.manual_seed(4)
    first = np.array(
        [
            init.orthogonal_(npgrad.empty(3, 3, dtype=npgrad.float64))._data[:, 0]
            for _ in range(1000)
        ]
    )
    assert np.abs(first.mean(0)).max() < 0.1
    assert abs((first[:, 0] > 0).mean() - 0.5) < 0.06


def test_eye_dirac_constant():
    assert init.eye_(npgrad.empty(2, 3)).tolist() == [[1, 0, 0], [0, 1, 0]]
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.eye_(npgrad.empty(2, 2, 2))
    w = init.dirac_(npgrad.empty(4, 2, 3, 3))
    assert w._data.sum() == 2 and w[0, 0, 1, 1].item() == 1 and w[1, 1, 1, 1].item() == 1
    g = init.dirac_(npgrad.empty(4, 2, 3), groups=2)
    assert [(i, j) for i, j, _ in np.argwhere(g._data)] == [(0, 0), (1, 1), (2, 0), (3, 1)]
    with pytest.raises(ValueError, match="divisible by groups"):
        init.dirac_(npgrad.empty(3, 2, 3), groups=2)
    with pytest.raises(ValueError, match="3, 4, or 5 dimensions"):
        init.dirac_(npgrad.empty(3, 2))
    assert init.constant_(npgrad.empty(2, dtype=npgrad.int64), 3).tolist() == [3, 3]
    assert init.zeros_(npgrad.ones(2)).tolist() == [0, 0]
    assert init.ones_(npgrad.zeros(2)).tolist() == [1, 1]


def test_sparse_zeroes_a_fraction_of_every_column():
    npgrad.manual_seed(5)
    w = init.sparse_(npgrad.empty(40, 30), sparsity=0.25, std=0.5)
    assert ((w._data == 0).sum(0) == 10).all()
    nonzero = w._data[w._data != 0]
    assert abs(nonzero.std() / 0.5 - 1) < 0.05
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.sparse_(npgrad.empty(3), 0.1)


def test_type_errors_and_deprecated_aliases():
    with pytest.raises(TypeError, match="expected a Tensor"):
        init.normal_(np.zeros(3))
    with pytest.warns(FutureWarning, match="nn.init.normal_"):
        init.normal(npgrad.empty(3))
    with pytest.warns(FutureWarning, match="nn.init.kaiming_uniform_"):
        init.kaiming_uniform(npgrad.empty(3, 3))


@pytest.mark.torch
def test_init_names_and_signatures_match_torch():
    torch = pytest.importorskip("torch")
    import inspect

    for name in torch.nn.init.__all__:
        ours = getattr(init, name)
        theirs = getattr(torch.nn.init, name)
        if name.endswith("_") or name == "calculate_gain":
            assert list(inspect.signature(ours).parameters) == list(
                inspect.signature(theirs).parameters
            ), name
