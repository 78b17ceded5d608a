"""Pooling, unpooling, upsampling and pixel-shuffle layers: attributes and repr as torch,
forward/backward parity with torch's layers, errors naming the layer."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.testing import assert_close

RNG = np.random.default_rng(9)

CASES = [
    ("MaxPool1d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True}, (2, 3, 9)),
    ("MaxPool2d", (2,), {}, (2, 3, 8, 8)),
    (
        "MaxPool2d",
        ((3, 2),),
        {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2)},
        (1, 2, 7, 7),
    ),
    ("MaxPool3d", (2,), {"stride": 1, "padding": 1}, (1, 2, 3, 4, 3)),
    ("AvgPool1d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, (2, 3, 9)),
    (
        "AvgPool2d",
        (3,),
        {"stride": 2, "padding": 1, "ceil_mode": True, "divisor_override": 4},
        (1, 2, 7, 8),
    ),
    ("AvgPool3d", (2,), {"stride": (1, 2, 1)}, (1, 2, 3, 4, 3)),
    ("LPPool1d", (2, 3), {"stride": 2}, (2, 3, 9)),
    ("LPPool2d", (3, (2, 3)), {"ceil_mode": True}, (1, 2, 7, 8)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 9)),
    ("AdaptiveAvgPool2d", ((3, None),), {}, (1, 2, 7, 8)),
    ("AdaptiveAvgPool3d", (2,), {}, (1, 2, 3, 5, 4)),
    ("AdaptiveMaxPool1d", (4,), {}, (2, 3, 9)),
    ("AdaptiveMaxPool2d", ((3, 5),), {}, (1, 2, 7, 8)),
    ("AdaptiveMaxPool3d", ((2, 3, 2),), {}, (1, 2, 3, 5, 4)),
    ("Upsample", (), {"scale_factor": 2}, (1, 2, 3, 4)),
    ("Upsample", (), {"size": (5, 7), "mode": "bilinear", "align_corners": False}, (1, 2, 3, 4)),
    ("Upsample", (), {"scale_factor": (1.5, 2), "mode": "bicubic"}, (1, 2, 3, 4)),
    ("Upsample", (), {"scale_factor": 2.5, "mode": "linear"}, (2, 2, 4)),
    ("UpsamplingNearest2d", (), {"size": 5}, (1, 2, 3, 4)),
    ("UpsamplingBilinear2d", (), {"scale_factor": 2}, (1, 2, 3, 4)),
    ("PixelShuffle", (2,), {}, (1, 8, 3, 2)),
    ("PixelUnshuffle", (2,), {}, (1, 2, 4, 6)),
]


@pytest.mark.torch
@pytest.mark.parametrize(("name", "args", "kw", "shape"), CASES)
def test_repr_and_forward_backward_match_torch(name, args, kw, shape):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(ours) == repr(theirs)
    x0 = np.abs(RNG.standard_normal(shape)) + 0.1  # positive: LPPool's root stays real
    tx, nx = torch.tensor(x0, requires_grad=True), npgrad.tensor(x0, requires_grad=True)
    ty, ny = theirs(tx), ours(nx)
    assert_close(ny, ty.detach().numpy())
    g0 = RNG.standard_normal(ny.shape)
    ty.backward(torch.tensor(g0))
    ny.backward(npgrad.tensor(g0))
    assert_close(nx.grad, tx.grad.numpy())


@pytest.mark.torch
@pytest.mark.parametrize(
    ("pool", "unpool", "shape", "out_size"),
    [
        (("MaxPool1d", 2), ("MaxUnpool1d", 2), (2, 3, 8), None),
        (("MaxPool2d", 3, 2, 1), ("MaxUnpool2d", 3, 2, 1), (1, 2, 7, 8), (7, 8)),
        (("MaxPool3d", 2), ("MaxUnpool3d", 2), (1, 2, 4, 5, 4), (1, 2, 4, 5, 4)),
    ],
)
def test_max_pool_return_indices_and_unpool_match_torch(pool, unpool, shape, out_size):
    torch = pytest.importorskip("torch")
    x0 = RNG.standard_normal(shape)
    tp = getattr(torch.nn, pool[0])(*pool[1:], return_indices=True)
    npool = getattr(nn, pool[0])(*pool[1:], return_indices=True)
    tu, nu = getattr(torch.nn, unpool[0])(*unpool[1:]), getattr(nn, unpool[0])(*unpool[1:])
    assert repr(nu) == repr(tu)
    ty, ti = tp(torch.tensor(x0))
    ny, ni = npool(npgrad.tensor(x0))
    np.testing.assert_array_equal(ni.numpy(), ti.numpy())
    kw = {} if out_size is None else {"output_size": out_size}
    assert_close(nu(ny, ni, **kw), tu(ty, ti, **kw).numpy())


def test_pooling_layer_errors_name_the_layer():
    with pytest.raises(
        ValueError,
        match=r"^MaxPool2d\(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False\): input of shape \(1, 1, 2, 2\).*output size \(0, 0\)",
    ):
        nn.MaxPool2d(3)(npgrad.randn(1, 1, 2, 2))
    with pytest.raises(
        ValueError,
        match=r"^AvgPool1d\(kernel_size=\(2,\), stride=\(2,\), padding=\(0,\)\): expected 2-D",
    ):
        nn.AvgPool1d(2)(npgrad.randn(1, 1, 4, 4))
    with pytest.raises(
        ValueError, match=r"^AdaptiveAvgPool2d\(output_size=\(1, 2, 3\)\): output_size must have 2"
    ):
        nn.AdaptiveAvgPool2d((1, 2, 3))(npgrad.randn(1, 1, 4, 4))
    with pytest.raises(
        ValueError,
        match=r"^MaxUnpool2d\(kernel_size=\(2, 2\), stride=\(2, 2\), padding=\(0, 0\)\): found an invalid max index",
    ):
        nn.MaxUnpool2d(2)(npgrad.randn(1, 1, 2, 2), npgrad.tensor(np.full((1, 1, 2, 2), 99)))


def test_upsample_stores_scale_factor_as_float():
    assert nn.Upsample(scale_factor=2).scale_factor == 2.0
    assert nn.Upsample(scale_factor=(2, 3)).scale_factor == (2.0, 3.0)
    assert repr(nn.Upsample(size=4)) == "Upsample(size=4, mode='nearest')"
