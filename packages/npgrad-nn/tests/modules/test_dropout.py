"""Dropout modules: repr, validation, train/eval behaviour, reproducibility, in-place."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.testing import assert_close

CLASSES = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]
SHAPES = {
    "Dropout": (4, 6),
    "Dropout1d": (4, 6, 5),
    "Dropout2d": (4, 6, 5, 5),
    "Dropout3d": (2, 6, 3, 3, 3),
    "AlphaDropout": (4, 6),
    "FeatureAlphaDropout": (4, 6, 5),
}


@pytest.mark.parametrize("name", CLASSES)
def test_eval_mode_is_the_identity(name):
    m = getattr(nn, name)(0.5).eval()
    x = npgrad.randn(*SHAPES[name], requires_grad=True)
    assert m(x) is x


@pytest.mark.parametrize("name", CLASSES)
def test_train_mode_drops_and_is_reproducible(name):
    m = getattr(nn, name)(0.5)
    assert m.training
    x = npgrad.randn(*SHAPES[name])
    npgrad.manual_seed(0)
    a = m(x)
    npgrad.manual_seed(0)
    b = m(x)
    assert a.tolist() == b.tolist() and a.tolist() != x.tolist()


@pytest.mark.parametrize("name", CLASSES)
def test_probability_is_validated(name):
    for p in (-0.5, 1.5):
        with pytest.raises(ValueError, match=f"between 0 and 1, but got {p}"):
            getattr(nn, name)(p)


def test_dropout_scales_kept_units_and_backpropagates_the_mask():
    npgrad.manual_seed(1)
    x = npgrad.ones(10_000, requires_grad=True)
    y = nn.Dropout(0.25)(x)
    assert set(np.unique(y._data).tolist()) == {0.0, np.float32(1 / 0.75).item()}
    y.sum().backward()
    assert_close(x.grad, y._data)


def test_inplace_dropout_overwrites_its_input():
    x = npgrad.ones(100)
    y = nn.Dropout(0.5, inplace=True)(x)
    assert y is x and set(np.unique(x._data).tolist()) == {0.0, 2.0}


def test_alpha_dropout_ignores_inplace_like_torch():
    x = npgrad.ones(100)
    y = nn.AlphaDropout(0.5, inplace=True)(x)
    assert y is not x and x.tolist() == [1.0] * 100


@pytest.mark.torch
@pytest.mark.parametrize("name", CLASSES)
@pytest.mark.parametrize(("p", "inplace"), [(0.5, False), (0.2, True), (1, False), (0.0, False)])
def test_repr_matches_torch(name, p, inplace):
    torch = pytest.importorskip("torch")
    assert repr(getattr(nn, name)(p, inplace)) == repr(getattr(torch.nn, name)(p, inplace))


@pytest.mark.torch
def test_eval_output_matches_torch_inside_a_model():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Dropout(0.5)).double().eval()
    ours = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.5)).double().eval()
    ours.load_state_dict(
        {k: npgrad.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    )
    x = np.random.default_rng(0).standard_normal((5, 4))
    assert_close(ours(npgrad.tensor(x)), theirs(torch.tensor(x)).detach().numpy())
