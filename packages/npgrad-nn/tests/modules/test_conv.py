"""Conv1d/2d/3d, ConvTranspose1d/2d/3d, Fold/Unfold layers: parameters and default init as
torch, repr, torch parity through state_dict (outputs and every gradient), padding modes,
errors naming the layer."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
from npgrad import nn
from npgrad.testing import assert_close

RNG = np.random.default_rng(3)


def _load_from_torch(ours, theirs):
    ours.load_state_dict(
        {k: npgrad.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    )


# ---- parameters and init -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cls", "args", "kw", "wshape"),
    [
        (nn.Conv1d, (4, 6, 3), {}, (6, 4, 3)),
        (nn.Conv2d, (4, 6, (3, 2)), {"groups": 2}, (6, 2, 3, 2)),
        (nn.Conv3d, (2, 4, 2), {}, (4, 2, 2, 2, 2)),
        (nn.ConvTranspose1d, (4, 6, 3), {"groups": 2}, (4, 3, 3)),
        (nn.ConvTranspose2d, (4, 6, (3, 2)), {}, (4, 6, 3, 2)),
        (nn.ConvTranspose3d, (2, 4, 2), {}, (2, 4, 2, 2, 2)),
    ],
)
def test_parameter_names_and_shapes(cls, args, kw, wshape):
    m = cls(*args, **kw)
    assert [(n, p.shape) for n, p in m.named_parameters()] == [
        ("weight", wshape),
        ("bias", (args[1],)),
    ]
    assert m.weight.dtype == np.float32
    nb = cls(*args, **kw, bias=False, dtype=npgrad.float64)
    assert nb.bias is None and list(nb.state_dict()) == ["weight"] and nb.weight.dtype == np.float64


@pytest.mark.parametrize(
    ("m", "fan_in"),
    [
        (nn.Conv2d(64, 96, 5, groups=2), 32 * 25),
        (nn.ConvTranspose2d(96, 64, 5, groups=2), 32 * 25),
        (nn.Conv1d(40, 400, 7), 280),
    ],
)
def test_default_init_is_torch_scheme(m, fan_in):
    # kaiming_uniform_(a=sqrt(5)) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)); the bias uses the same bound
    bound = 1 / math.sqrt(fan_in)
    w, b = m.weight.numpy(), m.bias.numpy()
    # float32 weights: a sample just below the bound may round to float32(bound), above it
    assert np.abs(w).max() <= np.float32(bound) and np.abs(w).max() > 0.99 * bound
    assert abs(w.mean()) < 0.02 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    assert np.abs(b).max() <= np.float32(bound) and b.std() == pytest.approx(
        bound / math.sqrt(3), rel=0.3
    )


@pytest.mark.torch
def test_default_init_bounds_equal_torchs():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    npgrad.random.manual_seed(0)
    for ours, theirs in [
        (nn.Conv2d(32, 64, 3, groups=4), torch.nn.Conv2d(32, 64, 3, groups=4)),
        (nn.ConvTranspose2d(32, 64, 3, groups=4), torch.nn.ConvTranspose2d(32, 64, 3, groups=4)),
    ]:
        assert ours.weight.shape == tuple(theirs.weight.shape)
        a, b = ours.weight.numpy(), theirs.weight.detach().numpy()
        assert np.abs(a).max() == pytest.approx(np.abs(b).max(), rel=0.01)  # both ~ the bound
        assert a.std() == pytest.approx(b.std(), rel=0.05)
        bound = np.abs(b).max() * 1.001
        assert np.abs(ours.bias.numpy()).max() <= np.float32(bound) and np.abs(
            theirs.bias.detach().numpy()
        ).max() <= np.float32(bound)


# ---- repr ---------------------------------------------------------------------------------------
REPR_CASES = [
    ("Conv1d", (16, 33, 3), {"stride": 2}),
    ("Conv2d", (16, 33, (3, 5)), {"stride": (2, 1), "padding": (4, 2), "dilation": (3, 1)}),
    (
        "Conv2d",
        (4, 8, 3),
        {"padding": "same", "groups": 2, "bias": False, "padding_mode": "reflect"},
    ),
    ("Conv2d", (4, 8, 3), {"padding": "valid"}),
    ("Conv2d", (4, 4, 1), {"padding_mode": "circular", "padding": 1}),
    ("Conv3d", (2, 4, (1, 2, 3)), {"padding": 1}),
    ("ConvTranspose1d", (4, 2, 3), {"stride": 2, "output_padding": 1}),
    (
        "ConvTranspose2d",
        (4, 2, 3),
        {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2, "dilation": 2, "bias": False},
    ),
    ("ConvTranspose3d", (2, 2, 2), {}),
    ("Fold", ((4, 5), (2, 2)), {}),
    ("Unfold", ((2, 3),), {"dilation": 2, "padding": 1, "stride": (1, 2)}),
]


@pytest.mark.torch
@pytest.mark.parametrize(("name", "args", "kw"), REPR_CASES)
def test_repr_matches_torch(name, args, kw):
    torch = pytest.importorskip("torch")
    assert repr(getattr(nn, name)(*args, **kw)) == repr(getattr(torch.nn, name)(*args, **kw))


# ---- torch parity ---------------------------------------------------------------------------------
def _parity(torch, name, args, kw, xshape, dtype, train, fwd_kw=None):
    theirs = getattr(torch.nn, name)(*args, **kw).to(getattr(torch, dtype))
    ours = getattr(nn, name)(*args, **kw, dtype=getattr(npgrad, dtype))
    _load_from_torch(ours, theirs)
    ours.train(train)
    theirs.train(train)
    x0 = RNG.standard_normal(xshape).astype(dtype)
    tx, nx = torch.tensor(x0, requires_grad=True), npgrad.tensor(x0, requires_grad=True)
    ty, ny = theirs(tx, **(fwd_kw or {})), ours(nx, **(fwd_kw or {}))
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == "float32" else {"rtol": 1e-10, "atol": 1e-12}
    assert ny.dtype == np.dtype(dtype)
    assert_close(ny, ty.detach().numpy(), **tol)
    g0 = RNG.standard_normal(ny.shape).astype(dtype)
    ty.backward(torch.tensor(g0))
    ny.backward(npgrad.tensor(g0))
    assert_close(nx.grad, tx.grad.numpy(), **tol)
    for (n, p), (tn, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert n == tn
        assert_close(p.grad, tp.grad.numpy(), **tol)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize(
    ("name", "args", "kw", "xshape", "fwd_kw"),
    [
        ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 1, "groups": 2}, (2, 4, 9), None),
        ("Conv2d", (3, 5, (3, 2)), {"padding": (1, 0), "dilation": (2, 1)}, (2, 3, 7, 6), None),
        ("Conv2d", (4, 4, 3), {"padding": 1, "groups": 4, "bias": False}, (2, 4, 9, 18), None),
        ("Conv2d", (3, 4, 3), {"padding": "same", "padding_mode": "reflect"}, (1, 3, 6, 5), None),
        (
            "Conv2d",
            (3, 4, (3, 2)),
            {"padding": (2, 1), "padding_mode": "circular", "stride": 2},
            (2, 3, 6, 5),
            None,
        ),
        ("Conv1d", (2, 3, 4), {"padding": 2, "padding_mode": "replicate"}, (2, 2, 5), None),
        ("Conv3d", (2, 3, 2), {"padding": (1, 0, 1), "stride": (1, 2, 1)}, (1, 2, 3, 5, 4), None),
        ("Conv2d", (3, 4, 3), {}, (3, 7, 7), None),  # unbatched
        ("ConvTranspose1d", (4, 2, 3), {"stride": 2, "output_padding": 1}, (2, 4, 5), None),
        (
            "ConvTranspose2d",
            (4, 6, 3),
            {"stride": 2, "padding": 1, "groups": 2},
            (1, 4, 4, 5),
            {"output_size": (8, 10)},
        ),
        ("ConvTranspose3d", (2, 2, 2), {"stride": 2}, (1, 2, 2, 3, 2), None),
    ],
)
def test_layers_match_torch(name, args, kw, xshape, fwd_kw, dtype, train):
    _parity(pytest.importorskip("torch"), name, args, kw, xshape, dtype, train, fwd_kw)


@pytest.mark.torch
@settings(max_examples=25, deadline=None)
@given(
    groups=st.integers(1, 2),
    k=st.integers(1, 4),
    stride=st.integers(1, 2),
    dilation=st.integers(1, 2),
    mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    pad=st.integers(0, 2),
    size=st.integers(7, 9),  # >= the dilated kernel (7) even without padding
    dtype=st.sampled_from(["float32", "float64"]),
)
def test_conv2d_layer_padding_modes_match_torch(
    groups, k, stride, dilation, mode, pad, size, dtype
):
    _parity(
        pytest.importorskip("torch"), "Conv2d", (2 * groups, 3 * groups, k),
        {"stride": stride, "dilation": dilation, "padding": pad, "padding_mode": mode, "groups": groups},
        (2, 2 * groups, size, size + 1), dtype, True,
    )  # fmt: skip


@pytest.mark.torch
def test_fold_unfold_layers_match_torch():
    torch = pytest.importorskip("torch")
    x0 = RNG.standard_normal((2, 3, 6, 7))
    u = nn.Unfold((2, 3), padding=1, stride=(2, 1))
    tu = torch.nn.Unfold((2, 3), padding=1, stride=(2, 1))(torch.tensor(x0))
    assert_close(u(npgrad.tensor(x0)), tu.numpy())
    f = nn.Fold((6, 7), (2, 3), padding=1, stride=(2, 1))
    assert_close(
        f(npgrad.tensor(tu.numpy())),
        torch.nn.Fold((6, 7), (2, 3), padding=1, stride=(2, 1))(tu).numpy(),
    )


def test_conv_transpose_inverts_the_shape_of_a_strided_conv():
    down, up = (
        nn.Conv2d(3, 3, 3, stride=2, padding=1),
        nn.ConvTranspose2d(3, 3, 3, stride=2, padding=1),
    )
    for size in (8, 9):
        x = npgrad.randn(1, 3, size, size)
        assert up(down(x), output_size=x.shape).shape == x.shape


EMPTY_BATCH_CASES = [
    ("Conv1d", (4, 6, 3), {"groups": 2}, (4, 9)),
    ("Conv2d", (3, 2, 3), {"stride": 2, "padding": 1}, (3, 5, 6)),
    ("Conv2d", (3, 2, 3), {"padding_mode": "reflect", "padding": 1}, (3, 5, 6)),
    ("Conv2d", (4, 8, 1), {}, (4, 3, 3)),
    ("Conv3d", (2, 3, 2), {}, (2, 3, 4, 4)),
    ("ConvTranspose1d", (4, 2, 3), {"stride": 2}, (4, 5)),
    ("ConvTranspose2d", (3, 2, 3), {}, (3, 5, 5)),
    ("ConvTranspose2d", (4, 4, 3), {"groups": 2, "stride": 2, "output_padding": 1}, (4, 5, 5)),
    ("ConvTranspose3d", (2, 3, 2), {}, (2, 3, 3, 3)),
    ("Unfold", ((2, 3),), {"padding": 1}, (3, 4, 5)),
    ("Fold", ((4, 5), (2, 2)), {}, (12, 12)),
]


@pytest.mark.parametrize(("name", "args", "kw", "shape"), EMPTY_BATCH_CASES)
def test_empty_batch_gives_empty_output_and_zero_gradients(name, args, kw, shape):
    # PyTorch: a batch of 0 samples gives an empty output of the right shape, an empty input
    # gradient and zero parameter gradients
    layer = getattr(nn, name)(*args, **kw)
    one = layer(npgrad.zeros(1, *shape))
    x = npgrad.zeros(0, *shape, requires_grad=True)
    out = layer(x)
    assert out.shape == (0, *one.shape[1:]) and out.dtype == np.float32
    out.sum().backward()
    assert x.grad.shape == x.shape
    for p in layer.parameters():
        assert p.grad is not None and p.grad.shape == p.shape and not p.grad.numpy().any()


@pytest.mark.torch
@pytest.mark.parametrize(("name", "args", "kw", "shape"), EMPTY_BATCH_CASES)
def test_empty_batch_shapes_match_torch(name, args, kw, shape):
    torch = pytest.importorskip("torch")
    ours = getattr(nn, name)(*args, **kw)
    theirs = getattr(torch.nn, name)(*args, **kw)
    x, tx = npgrad.zeros(0, *shape, requires_grad=True), torch.zeros(0, *shape, requires_grad=True)
    out, tout = ours(x), theirs(tx)
    assert out.shape == tuple(tout.shape)
    tgrads = torch.autograd.grad(tout.sum(), [tx, *theirs.parameters()])
    (gx, *gps) = npgrad.autograd.grad(out.sum(), [x, *ours.parameters()])
    assert gx.shape == tuple(tgrads[0].shape)
    for g, tg in zip(gps, tgrads[1:]):
        assert_close(g, tg.numpy())


# ---- errors name the layer ------------------------------------------------------------------------
def test_forward_errors_name_the_layer_and_shapes():
    m = nn.Conv2d(3, 8, 3)
    with pytest.raises(
        ValueError,
        match=r"^Conv2d\(3, 8, kernel_size=\(3, 3\), stride=\(1, 1\)\): expected input with 3 channels.*\(2, 4, 8, 8\)",
    ):
        m(npgrad.randn(2, 4, 8, 8))
    with pytest.raises(
        ValueError, match=r"^Conv2d\(3, 8.*larger than the padded input \(2, 2\).*\(0, 0\)"
    ):
        m(npgrad.randn(1, 3, 2, 2))
    with pytest.raises(ValueError, match=r"^Conv2d\(3, 8.*expected 3-D .*4-D .*shape \(3, 8\)"):
        m(npgrad.randn(3, 8))
    with pytest.raises(
        ValueError,
        match=r"^Conv1d\(2, 2, kernel_size=\(3,\), stride=\(1,\), padding=\(1,\), padding_mode=reflect\): expected",
    ):
        nn.Conv1d(2, 2, 3, padding=1, padding_mode="reflect")(npgrad.randn(1, 2, 3, 3))
    up = nn.ConvTranspose2d(2, 2, 3, stride=2)
    with pytest.raises(
        ValueError,
        match=r"^ConvTranspose2d\(2, 2.*requested an output size of \[4, 4\], but valid sizes range from \[7, 7\] to \[8, 8\]",
    ):
        up(npgrad.randn(1, 2, 3, 3), output_size=(4, 4))


def test_constructor_errors():
    with pytest.raises(ValueError, match="in_channels \\(3\\) must be divisible by groups \\(2\\)"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(
        ValueError, match="out_channels \\(3\\) must be divisible by groups \\(2\\)"
    ):
        nn.Conv2d(4, 3, 3, groups=2)
    with pytest.raises(ValueError, match="groups must be a positive integer"):
        nn.Conv2d(4, 4, 3, groups=0)
    with pytest.raises(ValueError, match="invalid padding string 'full'"):
        nn.Conv2d(4, 4, 3, padding="full")
    with pytest.raises(ValueError, match="not supported for strided convolutions"):
        nn.Conv2d(4, 4, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(4, 4, 3, padding_mode="mirror")
    with pytest.raises(
        ValueError, match='Only "zeros" padding mode is supported for ConvTranspose2d'
    ):
        nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="kernel_size must be positive"):
        nn.Conv1d(4, 4, 0)
