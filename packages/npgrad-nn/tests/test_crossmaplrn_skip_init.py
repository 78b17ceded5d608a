"""``nn.CrossMapLRN2d`` (PyTorch's window, including channel 0's quirk; exact gradients),
``nn.utils.skip_init`` and ``Module.to_empty``: values vs NumPy, gradcheck/gradgradcheck,
bad input, and PyTorch parity."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn.modules.normalization import CrossMapLRN2d

RNG = np.random.default_rng(2013)


def lrn_reference(x: np.ndarray, size: int, alpha: float, beta: float, k: float) -> np.ndarray:
    """PyTorch's running sum over the channels, written as a loop in float64."""
    out = np.empty(x.shape, dtype=np.float64)
    channels, h = x.shape[1], (size - 1) // 2
    sq = x.astype(np.float64) ** 2
    for c in range(channels):
        window = set(range(max(0, c - h), min(channels, c + h + 1))) | {0}
        scale = k + alpha / size * sum(sq[:, j] for j in sorted(window))
        out[:, c] = x[:, c] * scale**-beta
    return out


# ---- CrossMapLRN2d: forward ---------------------------------------------------------------------
@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 8])
@pytest.mark.parametrize("channels", [1, 2, 3, 6, 9])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_map_lrn2d_matches_the_running_sum(size, channels, dtype):
    x = RNG.standard_normal((2, channels, 3, 2)).astype(dtype)
    out = nn.CrossMapLRN2d(size, alpha=0.5, beta=0.75, k=1.5)(npgrad.tensor(x))
    assert out.dtype == dtype and out.shape == x.shape
    tol = 1e-12 if dtype == np.float64 else 2e-6
    np.testing.assert_allclose(out.numpy(), lrn_reference(x, size, 0.5, 0.75, 1.5), rtol=tol)


def test_cross_map_lrn2d_window_keeps_channel_zero_and_even_sizes_cover_size_minus_one():
    # ones: each scale is k + alpha/size * (number of channels counted)
    out = nn.CrossMapLRN2d(2, alpha=2.0, beta=1.0, k=0.0)(npgrad.ones(1, 4, 1, 1)).flatten()
    # size 2 -> h = 0: channel c alone, plus channel 0 for c >= 1
    np.testing.assert_allclose(out.numpy(), [1.0, 0.5, 0.5, 0.5])
    out = nn.CrossMapLRN2d(3, alpha=3.0, beta=1.0, k=0.0)(npgrad.ones(1, 5, 1, 1)).flatten()
    # h = 1: counts 2, 3, 3 + channel 0, 3 + channel 0, 2 + channel 0
    np.testing.assert_allclose(out.numpy(), [1 / 2, 1 / 3, 1 / 4, 1 / 4, 1 / 3])


def test_cross_map_lrn2d_differs_from_local_response_norm_past_the_first_window():
    x = npgrad.tensor(RNG.standard_normal((1, 6, 2, 2)))
    a = nn.CrossMapLRN2d(3, alpha=1.0)(x)
    b = nn.LocalResponseNorm(3, alpha=1.0)(x)
    np.testing.assert_allclose(a[:, :2].numpy(), b[:, :2].numpy(), rtol=1e-12)
    assert not np.allclose(a[:, 2:].numpy(), b[:, 2:].numpy())


def test_cross_map_lrn2d_defaults_repr_and_pickle():
    m = nn.CrossMapLRN2d(5)
    assert (m.size, m.alpha, m.beta, m.k) == (5, 1e-4, 0.75, 1)
    assert repr(m) == "CrossMapLRN2d(5, alpha=0.0001, beta=0.75, k=1)"
    assert (
        repr(nn.CrossMapLRN2d(3, 2e-4, 0.5, 2.0))
        == "CrossMapLRN2d(3, alpha=0.0002, beta=0.5, k=2.0)"
    )
    assert list(m.state_dict()) == []
    assert nn.CrossMapLRN2d is CrossMapLRN2d
    copy = pickle.loads(pickle.dumps(m))
    x = npgrad.randn(2, 7, 3, 3)
    np.testing.assert_array_equal(copy(x).numpy(), m(x).numpy())


def test_cross_map_lrn2d_empty_batch_and_empty_map():
    assert nn.CrossMapLRN2d(3)(npgrad.ones(0, 3, 4, 5)).shape == (0, 3, 4, 5)
    x = npgrad.ones(2, 3, 0, 5, requires_grad=True)
    nn.CrossMapLRN2d(3)(x).sum().backward()
    assert x.grad.shape == (2, 3, 0, 5)


# ---- CrossMapLRN2d: gradients --------------------------------------------------------------------
@pytest.mark.parametrize("size", [1, 2, 3, 4])
@pytest.mark.parametrize("channels", [1, 3, 6])
def test_cross_map_lrn2d_gradcheck(size, channels):
    x = npgrad.tensor(RNG.standard_normal((2, channels, 2, 2)), requires_grad=True)
    m = nn.CrossMapLRN2d(size, alpha=0.7, beta=0.75, k=1.0)
    assert gradcheck(m, (x,))


@pytest.mark.parametrize("size", [2, 3])
def test_cross_map_lrn2d_gradgradcheck(size):
    x = npgrad.tensor(RNG.standard_normal((1, 5, 2, 1)), requires_grad=True)
    assert gradgradcheck(nn.CrossMapLRN2d(size, alpha=0.7, beta=0.6, k=1.2), (x,))


def test_cross_map_lrn2d_gradient_reaches_channel_zero_from_every_channel():
    # channel 0 is in every later window, so the gradient of a far channel's output reaches it
    x = npgrad.tensor(RNG.standard_normal((1, 8, 1, 1)), requires_grad=True)
    nn.CrossMapLRN2d(3, alpha=1.0)(x)[0, 7].sum().backward()
    g = x.grad.flatten().numpy()
    assert g[0] != 0 and g[6] != 0 and g[7] != 0
    np.testing.assert_array_equal(g[1:6], 0.0)


# ---- CrossMapLRN2d: bad input ------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 3, 4, 5, 6), (3,)])
def test_cross_map_lrn2d_needs_4d_input(shape):
    with pytest.raises(ValueError, match=r"CrossMapLRN2d: Expected input to be 4D, got \dD"):
        nn.CrossMapLRN2d(3)(npgrad.ones(*shape))


def test_cross_map_lrn2d_bad_size_and_dtype():
    x = npgrad.ones(1, 3, 2, 2)
    with pytest.raises(ValueError, match="CrossMapLRN2d: size must be a positive integer, got 0"):
        nn.CrossMapLRN2d(0)(x)
    with pytest.raises(ValueError, match="got -2"):
        nn.CrossMapLRN2d(-2)(x)
    with pytest.raises(TypeError, match="CrossMapLRN2d: size must be an int, got float"):
        nn.CrossMapLRN2d(2.5)(x)
    with pytest.raises(
        TypeError, match="CrossMapLRN2d: expected a floating point input, got dtype int64"
    ):
        nn.CrossMapLRN2d(3)(npgrad.ones(1, 3, 2, 2, dtype=npgrad.int64))
    with pytest.raises(TypeError, match="CrossMapLRN2d: expected a Tensor input, got ndarray"):
        nn.CrossMapLRN2d(3)(np.ones((1, 3, 2, 2)))


# ---- Module.to_empty ---------------------------------------------------------------------------
def test_to_empty_replaces_memory_keeps_parameters_shapes_dtypes():
    m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).double()
    params = list(m.parameters())
    arrays = [p._data for p in params]
    m[0].weight.grad = npgrad.ones(4, 3, dtype=npgrad.float64)
    assert m.to_empty(device="cpu") is m
    assert list(m.parameters()) == params  # the same Parameter objects (optimizers hold them)
    for p, a in zip(params, arrays):
        assert p._data is not a and not np.shares_memory(p._data, a)
        assert p.shape == a.shape and p.dtype == np.float64 and p.requires_grad
    assert m[0].weight.grad.shape == (4, 3)
    assert m[1].num_batches_tracked.dtype == np.int64 and m[1].running_mean.dtype == np.float64


def test_to_empty_recurse_false_leaves_submodules():
    m = nn.Sequential(nn.Linear(2, 2))
    m.register_buffer("scale", npgrad.ones(2))
    before_scale, before_weight = m.scale._data, m[0].weight._data
    m.to_empty(device=None, recurse=False)
    assert m.scale._data is not before_scale
    assert m[0].weight._data is before_weight


def test_to_empty_refuses_other_devices_and_needs_device_keyword():
    m = nn.Linear(2, 2)
    with pytest.raises(RuntimeError, match="Module.to_empty: npgrad computes on the CPU only"):
        m.to_empty(device="cuda")
    with pytest.raises(TypeError):
        m.to_empty()  # type: ignore[call-arg]


# ---- skip_init ---------------------------------------------------------------------------------
def test_skip_init_builds_the_module_without_touching_the_generator():
    npgrad.manual_seed(7)
    expected = npgrad.rand(3).numpy()
    npgrad.manual_seed(7)
    m = nn.utils.skip_init(nn.Linear, 5, 2, bias=False, dtype=npgrad.float64)
    np.testing.assert_array_equal(npgrad.rand(3).numpy(), expected)
    assert type(m) is nn.Linear and m.bias is None
    assert type(m.weight) is nn.Parameter and m.weight.requires_grad
    assert m.weight.shape == (2, 5) and m.weight.dtype == np.float64
    assert repr(m) == "Linear(in_features=5, out_features=2, bias=False)"


def test_skip_init_gives_fresh_memory_not_the_initialised_values():
    m = nn.utils.skip_init(nn.Conv2d, 2, 3, kernel_size=3, device="cpu")
    assert m.weight.shape == (3, 2, 3, 3) and m.bias.shape == (3,)
    bn = nn.utils.skip_init(nn.BatchNorm2d, 4)
    assert bn.running_var.shape == (4,) and bn.num_batches_tracked.dtype == np.int64
    # the module is usable once initialised by hand
    with npgrad.no_grad():
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)
    out = m(npgrad.ones(1, 2, 3, 3))
    np.testing.assert_allclose(out.numpy(), np.full((1, 3, 1, 1), 18.0))


def test_skip_init_requires_a_module_class_with_a_device_argument():
    class NoDevice(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.w = nn.Parameter(npgrad.ones(n))

    with pytest.raises(
        RuntimeError, match="Module must support a 'device' arg to skip initialization"
    ):
        nn.utils.skip_init(NoDevice, 3)
    with pytest.raises(RuntimeError, match="Expected a Module; got <class 'int'>"):
        nn.utils.skip_init(int)
    with pytest.raises(TypeError, match="skip_init: expected a Module class, got 3"):
        nn.utils.skip_init(3)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="npgrad computes on the CPU only"):
        nn.utils.skip_init(nn.Linear, 2, 2, device="cuda")


def test_skip_init_passes_device_to_a_custom_module():
    seen = []

    class WithDevice(nn.Module):
        def __init__(self, n, device=None):
            super().__init__()
            seen.append(device)
            self.w = nn.Parameter(npgrad.randn(n))

    m = nn.utils.skip_init(WithDevice, 4)
    assert seen == ["cpu"] and m.w.shape == (4,)
    assert nn.utils.skip_init is npgrad.nn.utils.init.skip_init


# ---- PyTorch parity ------------------------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7])
@pytest.mark.parametrize("channels", [1, 2, 4, 9])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_map_lrn2d_values_match_torch(size, channels, dtype):
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((2, channels, 3, 4)).astype(dtype)
    args = (size, 0.3, 0.6, 1.25)
    got = nn.CrossMapLRN2d(*args)(npgrad.tensor(x))
    want = torch.nn.CrossMapLRN2d(*args)(torch.from_numpy(x))
    assert str(want.dtype) == f"torch.{got.dtype}"
    tol = 1e-12 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=tol, atol=tol)
    assert repr(nn.CrossMapLRN2d(*args)) == repr(torch.nn.CrossMapLRN2d(*args))


@pytest.mark.torch
@pytest.mark.parametrize(("size", "channels"), [(2, 1), (3, 1), (4, 2), (5, 2), (6, 3), (7, 3)])
def test_cross_map_lrn2d_gradients_match_torch_where_its_backward_is_exact(size, channels):
    # PyTorch's hand-written backward assumes a window shifted by one channel and no channel 0
    # term (and fails for size 1); where every window spans all channels the two agree
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((2, channels, 3, 2))
    g = RNG.standard_normal(x.shape)
    ours = npgrad.tensor(x, requires_grad=True)
    nn.CrossMapLRN2d(size, 0.5, 0.75, 1.0)(ours).backward(npgrad.tensor(g))
    theirs = torch.tensor(x, requires_grad=True)
    torch.nn.CrossMapLRN2d(size, 0.5, 0.75, 1.0)(theirs).backward(torch.tensor(g))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.torch
def test_cross_map_lrn2d_gradients_are_torch_autograd_of_its_forward():
    # elsewhere the reference is torch's autograd through the same running-sum forward
    torch = pytest.importorskip("torch")
    size, x = 3, RNG.standard_normal((2, 6, 2, 3))
    g = RNG.standard_normal(x.shape)
    tx = torch.tensor(x, requires_grad=True)
    sq, h, outs = tx**2, (size - 1) // 2, []
    for c in range(6):
        idx = sorted(set(range(max(0, c - h), min(6, c + h + 1))) | {0})
        outs.append(tx[:, c] * (1.0 + 0.5 / size * sq[:, idx].sum(1)) ** -0.75)
    ty = torch.stack(outs, 1)
    np.testing.assert_allclose(
        ty.detach().numpy(), torch.nn.CrossMapLRN2d(size, 0.5)(tx).detach().numpy(), rtol=1e-12
    )
    ty.backward(torch.tensor(g))
    ours = npgrad.tensor(x, requires_grad=True)
    nn.CrossMapLRN2d(size, 0.5)(ours).backward(npgrad.tensor(g))
    np.testing.assert_allclose(ours.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.torch
def test_skip_init_matches_torch():
    torch = pytest.importorskip("torch")
    for cls_name, args, kwargs in [
        ("Linear", (5, 3), {"bias": False}),
        ("Conv1d", (2, 4, 3), {}),
        ("BatchNorm1d", (6,), {}),
        ("Embedding", (10, 4), {}),
    ]:
        ours = nn.utils.skip_init(getattr(nn, cls_name), *args, **kwargs)
        theirs = torch.nn.utils.skip_init(getattr(torch.nn, cls_name), *args, **kwargs)
        assert repr(ours) == repr(theirs)
        ours_state = {k: (tuple(v.shape), str(v.dtype)) for k, v in ours.state_dict().items()}
        theirs_state = {
            k: (tuple(v.shape), str(v.dtype).removeprefix("torch."))
            for k, v in theirs.state_dict().items()
        }
        assert ours_state == theirs_state
        assert [p.requires_grad for p in ours.parameters()] == [
            p.requires_grad for p in theirs.parameters()
        ]
    with pytest.raises(RuntimeError, match="Expected a Module"):
        torch.nn.utils.skip_init(int)
    with pytest.raises(RuntimeError, match="Expected a Module"):
        nn.utils.skip_init(int)
