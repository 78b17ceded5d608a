"""nn.ChannelShuffle / F.channel_shuffle: the permutation vs NumPy, dtypes, gradients, errors,
repr, and PyTorch parity."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
import npgrad.nn.functional as F
from npgrad import nn
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

RNG = np.random.default_rng(2)


def _ref(x, g):
    n, c = x.shape[:2]
    return x.reshape(n, g, c // g, *x.shape[2:]).swapaxes(1, 2).reshape(x.shape)


@pytest.mark.parametrize(
    ("shape", "groups"), [((2, 6, 3), 1), ((2, 6, 3), 3), ((1, 12, 2, 3), 4), ((2, 4, 1, 2, 2), 2)]
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_channel_shuffle_matches_numpy(shape, groups, dtype):
    x = RNG.standard_normal(shape).astype(dtype)
    y = F.channel_shuffle(npgrad.tensor(x), groups)
    assert y.dtype == dtype and y.shape == shape
    assert_close(y, _ref(x, groups))
    assert_close(nn.ChannelShuffle(groups)(npgrad.tensor(x)), _ref(x, groups))


def test_channel_shuffle_channel_order_and_integer_input():
    y = F.channel_shuffle(npgrad.arange(6).reshape(1, 6, 1), 3)
    assert y.flatten().tolist() == [0, 2, 4, 1, 3, 5]


def test_channel_shuffle_gradients():
    x = npgrad.tensor(RNG.standard_normal((2, 6, 2)), requires_grad=True)
    assert gradcheck(lambda t: F.channel_shuffle(t, 3), (x,))
    assert gradgradcheck(lambda t: F.channel_shuffle(t, 3), (x,))


def test_channel_shuffle_errors_and_repr():
    x = npgrad.zeros(1, 6, 2)
    with pytest.raises(ValueError, match="divisible by groups. Got 6 channels and 4 groups"):
        F.channel_shuffle(x, 4)
    with pytest.raises(ValueError, match="positive"):
        F.channel_shuffle(x, 0)
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        F.channel_shuffle(npgrad.zeros(6, 2), 2)
    with pytest.raises(TypeError, match="int"):
        F.channel_shuffle(x, 2.0)
    with pytest.raises(TypeError, match="Tensor"):
        F.channel_shuffle(np.zeros((1, 6, 2)), 2)
    assert repr(nn.ChannelShuffle(3)) == "ChannelShuffle(groups=3)"


@pytest.mark.torch
def test_channel_shuffle_torch_parity():
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((2, 6, 3, 2)).astype(np.float32)
    w = RNG.standard_normal(x.shape).astype(np.float32)
    ours = npgrad.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    y, yt = nn.ChannelShuffle(2)(ours), torch.nn.ChannelShuffle(2)(theirs)
    assert_close(y, yt.detach().numpy())
    (y * npgrad.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    assert_close(ours.grad, theirs.grad.numpy())
    assert repr(nn.ChannelShuffle(2)) == repr(torch.nn.ChannelShuffle(2))
