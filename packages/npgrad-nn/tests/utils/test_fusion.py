"""nn.utils.fusion: conv/linear + eval-mode batch norm folded into one layer gives the same
outputs (plain, grouped, transposed, without bias or affine), errors, and PyTorch parity."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.nn.utils import (
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
)
from npgrad.testing import assert_close

RNG = np.random.default_rng(8)


def _bn(cls, n, affine=True, dtype=npgrad.float64):
    bn = cls(n, affine=affine).to(dtype)
    bn.running_mean.numpy()[...] = RNG.standard_normal(n)
    bn.running_var.numpy()[...] = RNG.uniform(0.5, 2.0, n)
    if affine:
        with npgrad.no_grad():
            bn.weight.copy_(npgrad.tensor(RNG.standard_normal(n)))
            bn.bias.copy_(npgrad.tensor(RNG.standard_normal(n)))
    return bn.eval()


@pytest.mark.parametrize(
    ("conv", "bn", "transpose", "shape"),
    [
        (lambda: nn.Conv2d(3, 4, 3), lambda: _bn(nn.BatchNorm2d, 4), False, (2, 3, 6, 6)),
        (
            lambda: nn.Conv1d(4, 6, 2, groups=2, bias=False),
            lambda: _bn(nn.BatchNorm1d, 6),
            False,
            (2, 4, 7),
        ),
        (
            lambda: nn.Conv3d(2, 3, 2),
            lambda: _bn(nn.BatchNorm3d, 3, affine=False),
            False,
            (1, 2, 3, 4, 4),
        ),
        (lambda: nn.ConvTranspose2d(3, 5, 2), lambda: _bn(nn.BatchNorm2d, 5), True, (2, 3, 4, 4)),
    ],
)
def test_fused_conv_computes_bn_of_conv(conv, bn, transpose, shape):
    c, b = conv().double().eval(), bn()
    fused = fuse_conv_bn_eval(c, b, transpose=transpose)
    assert fused is not c and type(fused) is type(c)
    x = npgrad.tensor(RNG.standard_normal(shape))
    assert_close(fused(x), b(c(x)), rtol=1e-10, atol=1e-12)
    assert isinstance(fused.weight, nn.Parameter) and isinstance(fused.bias, nn.Parameter)
    assert fused.weight.requires_grad and fused.bias.requires_grad == (c.bias is not None)


def test_fused_weights_keep_float32_and_match_the_formula():
    w, b = npgrad.randn(4, 2, 3, 3), npgrad.randn(4)
    rm, rv = npgrad.randn(4), npgrad.rand(4) + 0.5
    gamma, beta = npgrad.randn(4), npgrad.randn(4)
    fw, fb = fuse_conv_bn_weights(w, b, rm, rv, 1e-5, gamma, beta)
    scale = gamma.numpy() / np.sqrt(rv.numpy() + 1e-5)
    assert fw.dtype == npgrad.float32 and fb.dtype == npgrad.float32
    assert_close(fw, w.numpy() * scale[:, None, None, None])
    assert_close(fb, (b.numpy() - rm.numpy()) * scale + beta.numpy())


@pytest.mark.parametrize("features", [3, 1])
def test_fused_linear_computes_bn_of_linear(features):
    lin = nn.Linear(4, 3).double().eval()
    b = _bn(nn.BatchNorm1d, features)
    fused = fuse_linear_bn_eval(lin, b)
    x = npgrad.tensor(RNG.standard_normal((5, 4)))
    expected = b(lin(x)) if features == 3 else b(lin(x)[:, None, :])[:, 0, :]
    assert_close(fused(x), expected, rtol=1e-10, atol=1e-12)
    fw, fb = fuse_linear_bn_weights(
        lin.weight, None, b.running_mean, b.running_var, b.eps, None, None
    )
    assert fw.shape == (3, 4) and not fb.requires_grad


def test_fusion_errors():
    conv, bn = nn.Conv2d(1, 2, 1), nn.BatchNorm2d(2)
    with pytest.raises(ValueError, match="only for eval"):
        fuse_conv_bn_eval(conv, bn.eval())
    with pytest.raises(AssertionError, match="only for eval"):  # PyTorch's error type too
        fuse_linear_bn_eval(nn.Linear(2, 2).eval(), nn.BatchNorm1d(2))
    with pytest.raises(ValueError, match="out_features"):
        fuse_linear_bn_eval(nn.Linear(2, 3).eval(), nn.BatchNorm1d(2).eval())
    with pytest.raises(ValueError, match="running statistics"):
        fuse_conv_bn_eval(conv.eval(), nn.BatchNorm2d(2, track_running_stats=False).eval())


@pytest.mark.torch
def test_fusion_torch_parity():
    torch = pytest.importorskip("torch")
    from torch.nn.utils import fusion as tf

    conv = nn.Conv2d(3, 4, 3).eval()
    bn = _bn(nn.BatchNorm2d, 4, dtype=npgrad.float32)
    tconv = torch.nn.Conv2d(3, 4, 3).eval()
    tbn = torch.nn.BatchNorm2d(4).eval()
    tconv.load_state_dict({k: torch.tensor(v.numpy()) for k, v in conv.state_dict().items()})
    tbn.load_state_dict({k: torch.tensor(v.numpy()) for k, v in bn.state_dict().items()})
    ours, theirs = fuse_conv_bn_eval(conv, bn), tf.fuse_conv_bn_eval(tconv, tbn)
    assert_close(ours.weight, theirs.weight.detach().numpy(), rtol=1e-6, atol=1e-7)
    assert_close(ours.bias, theirs.bias.detach().numpy(), rtol=1e-6, atol=1e-7)
    lin, tlin = nn.Linear(5, 4).eval(), torch.nn.Linear(5, 4).eval()
    tlin.load_state_dict({k: torch.tensor(v.numpy()) for k, v in lin.state_dict().items()})
    bn1, tbn1 = _bn(nn.BatchNorm1d, 4, dtype=npgrad.float32), torch.nn.BatchNorm1d(4).eval()
    tbn1.load_state_dict({k: torch.tensor(v.numpy()) for k, v in bn1.state_dict().items()})
    ours, theirs = fuse_linear_bn_eval(lin, bn1), tf.fuse_linear_bn_eval(tlin, tbn1)
    assert_close(ours.weight, theirs.weight.detach().numpy(), rtol=1e-6, atol=1e-7)
    assert_close(ours.bias, theirs.bias.detach().numpy(), rtol=1e-6, atol=1e-7)
