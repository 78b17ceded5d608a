"""nn.functional dropout family: inverted-dropout masks, identity in eval, validation,
reproducibility through npgrad.random, gradients, in-place, channel-wise and alpha variants."""

from __future__ import annotations

import math

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn import functional as F
from npgrad.testing import assert_close


def test_eval_and_p_zero_return_the_input_itself():
    x = npgrad.randn(5, requires_grad=True)
    cases = [
        (F.dropout, (5,)),
        (F.alpha_dropout, (5,)),
        (F.dropout1d, (2, 5)),
        (F.dropout2d, (1, 2, 5, 5)),
        (F.dropout3d, (1, 2, 5, 5, 5)),
        (F.feature_alpha_dropout, (2, 5)),
    ]
    for fn, shape in cases:
        t = npgrad.randn(*shape)
        assert fn(t, 0.5, training=False) is t
        assert fn(t, 0.0, training=True) is t
    assert F.dropout(x, 0.0, training=True) is x
    assert F.alpha_dropout(x, 0.5) is x  # alpha_dropout's training defaults to False


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mask_values_and_keep_rate(p, dtype):
    npgrad.manual_seed(0)
    n = 200_000
    x = npgrad.ones(n, dtype=dtype)
    y = F.dropout(x, p)
    assert y.dtype == dtype
    values = set(np.unique(y._data).tolist())
    scale = float(dtype(1.0) / dtype(1 - p))
    assert values == {0.0, scale}
    kept = (y._data != 0).mean()
    assert abs(kept - (1 - p)) < 5 * math.sqrt(p * (1 - p) / n)
    assert abs(float(y._data.astype(np.float64).mean()) - 1.0) < 0.02  # expectation preserved


def test_p_one_gives_zeros_and_zero_gradient():
    x = npgrad.randn(4, 3, requires_grad=True)
    y = F.dropout(x, 1.0)
    assert y.tolist() == np.zeros((4, 3)).tolist()
    y.sum().backward()
    assert x.grad.tolist() == np.zeros((4, 3)).tolist()


@pytest.mark.parametrize("p", [-0.1, 1.1, float("nan")])
def test_invalid_p_raises_value_error(p):
    for fn in (F.dropout, F.alpha_dropout, F.dropout2d):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            fn(npgrad.ones(2, 2, 2), p)


def test_masks_follow_npgrad_random():
    x = npgrad.ones(1000)
    npgrad.manual_seed(42)
    a = F.dropout(x, 0.5)
    b = F.dropout(x, 0.5)
    npgrad.manual_seed(42)
    assert F.dropout(x, 0.5).tolist() == a.tolist()
    assert a.tolist() != b.tolist()


def test_gradient_is_the_scaled_mask():
    npgrad.manual_seed(3)
    x = npgrad.randn(50, 20, requires_grad=True)
    y = F.dropout(x, 0.3)
    y.sum().backward()
    mask = (y._data != 0).astype(np.float32) / np.float32(0.7)
    assert_close(x.grad, mask)


def test_gradcheck_and_gradgradcheck_with_a_fixed_mask():
    def fn(t):
        npgrad.manual_seed(7)  # the same mask on every call of the finite differences
        return F.dropout(t, 0.4) * t

    x = npgrad.randn(4, 5, dtype=npgrad.float64, requires_grad=True)
    assert gradcheck(fn, (x,)) and gradgradcheck(fn, (x,))


def test_inplace_overwrites_the_input():
    npgrad.manual_seed(1)
    leaf = npgrad.randn(100, requires_grad=True)
    x = leaf * 1.0
    version = x._version
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x and x._version > version
    assert set(np.unique(np.round(x._data / leaf._data, 5)).tolist()) <= {0.0, 2.0}
    y.sum().backward()
    assert_close(leaf.grad, (x._data != 0) * np.float32(2.0))
    with pytest.raises(RuntimeError, match="leaf"):
        F.dropout(leaf, 0.5, inplace=True)


@pytest.mark.parametrize(
    ("fn", "shape", "channel_axes"),
    [
        (F.dropout1d, (4, 6, 10), 2),
        (F.dropout1d, (6, 10), 1),  # unbatched
        (F.dropout2d, (4, 6, 5, 5), 2),
        (F.dropout3d, (3, 4, 2, 3, 3), 2),
        (F.dropout3d, (4, 2, 3, 3), 1),  # unbatched
    ],
)
def test_channel_dropout_zeroes_whole_channels(fn, shape, channel_axes):
    npgrad.manual_seed(0)
    y = fn(npgrad.ones(*shape), 0.5)._data
    per_channel = y.reshape(shape[:channel_axes] + (-1,))
    assert (per_channel.min(-1) == per_channel.max(-1)).all()  # one value per channel
    assert set(np.unique(per_channel).tolist()) == {0.0, 2.0}


def test_channel_dropout_rank_checks_and_warnings():
    with pytest.raises(ValueError, match="Expected 2D or 3D input"):
        F.dropout1d(npgrad.ones(2, 3, 4, 5))
    with pytest.warns(UserWarning, match="assuming that channel-wise 1D dropout"):
        F.dropout2d(npgrad.ones(2, 3, 4))
    with pytest.warns(UserWarning, match="Received a 5-D input to dropout2d"):
        F.dropout2d(npgrad.ones(2, 3, 4, 4, 4))
    with pytest.warns(UserWarning, match="Received a 3-D input to dropout3d"):
        F.dropout3d(npgrad.ones(2, 3, 4))


def test_alpha_dropout_formula_and_statistics():
    npgrad.manual_seed(0)
    p = 0.2
    x = npgrad.randn(200_000, dtype=npgrad.float64)
    y = F.alpha_dropout(x, p, training=True)._data
    alpha = 1.7580993408473766
    a = 1 / math.sqrt((alpha**2 * p + 1) * (1 - p))
    dropped_value = -alpha * a + alpha * a * p
    dropped = np.isclose(y, dropped_value, rtol=0, atol=1e-12)
    assert abs(dropped.mean() - p) < 0.005
    assert_close(y[~dropped], a * x._data[~dropped] + alpha * a * p)
    assert abs(y.mean()) < 0.01 and abs(y.std() - 1) < 0.01  # self-normalising


def test_feature_alpha_dropout_masks_channels():
    npgrad.manual_seed(0)
    y = F.feature_alpha_dropout(npgrad.zeros(8, 6, 4), 0.5, training=True)._data
    assert (y.min(-1) == y.max(-1)).all()
    assert len(np.unique(y)) == 2
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        F.feature_alpha_dropout(npgrad.zeros(4), 0.5, training=True)


@pytest.mark.torch
def test_expected_value_and_p_one_match_torch_semantics():
    torch = pytest.importorskip("torch")
    x = np.array([np.nan, 1.0, -2.0], np.float32)
    # p = 1 multiplies by zero (so NaN stays NaN), as torch does
    expected = torch.nn.functional.dropout(torch.tensor(x), 1.0).numpy()
    assert_close(F.dropout(npgrad.tensor(x), 1.0), expected, equal_nan=True)
    t = torch.ones(3)
    assert torch.nn.functional.dropout(t, 0.5, training=False) is t  # the identity we mirror
