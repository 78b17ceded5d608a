"""The repr of a nested model built from the dense, activation, dropout, embedding, distance
and reshaping layers plus Sequential/ModuleList equals torch's string; its state_dict loads
from torch's and gives the same outputs."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.testing import assert_close


def _build(lib):
    class Net(lib.Module):
        def __init__(self):
            super().__init__()
            self.embed = lib.Embedding(20, 8, padding_idx=0, max_norm=3.0)
            self.encoder = lib.Sequential(
                lib.Flatten(),
                lib.Linear(24, 16),
                lib.LeakyReLU(0.2, inplace=True),
                lib.Dropout(0.1),
                lib.Sequential(
                    OrderedDict(
                        [
                            ("fc", lib.Linear(16, 16, bias=False)),
                            ("act", lib.GELU(approximate="tanh")),
                            ("drop", lib.AlphaDropout(0.2)),
                        ]
                    )
                ),
            )
            self.heads = lib.ModuleList(
                [
                    lib.Sequential(lib.Linear(16, 4), lib.Softmax(dim=-1)),
                    lib.Sequential(lib.Linear(16, 6), lib.PReLU(), lib.Unflatten(1, (2, 3))),
                    lib.Identity(),
                ]
            )
            self.pair = lib.Bilinear(16, 16, 2)
            self.acts = lib.ModuleList(
                [
                    lib.ReLU(),
                    lib.ReLU6(True),
                    lib.ELU(0.5),
                    lib.Hardtanh(-2.0, 2.0),
                    lib.Threshold(0.1, 20.0),
                    lib.Softplus(beta=2.0),
                    lib.SiLU(),
                    lib.Tanh(),
                    lib.Sigmoid(),
                    lib.LogSoftmax(1),
                    lib.GLU(),
                    lib.RReLU(0.1, 0.3),
                    lib.Hardswish(),
                    lib.Mish(),
                ]
            )
            self.dist = lib.PairwiseDistance(p=1.0)
            self.cos = lib.CosineSimilarity(dim=1)
            self.empty = lib.Sequential()

        def forward(self, idx):
            h = self.encoder(self.embed(idx))
            return (
                self.heads[0][1](self.heads[0][0](h)),
                self.heads[1](h),
                self.pair(h, h),
                self.dist(h, h * 2),
                self.cos(h, h + 1),
            )

    return Net()


@pytest.mark.torch
def test_nested_model_repr_equals_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _build(nn), _build(torch.nn)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)


@pytest.mark.torch
def test_nested_model_state_dict_loads_and_outputs_match():
    torch = pytest.importorskip("torch")
    ours, theirs = _build(nn).double().eval(), _build(torch.nn).double().eval()
    state = theirs.state_dict()
    assert list(ours.state_dict()) == list(state)
    result = ours.load_state_dict(
        {k: npgrad.tensor(v.detach().numpy().copy()) for k, v in state.items()}, strict=True
    )
    assert result.missing_keys == [] and result.unexpected_keys == []
    idx = np.random.default_rng(0).integers(0, 20, (5, 3))
    for n, t in zip(ours(npgrad.tensor(idx)), theirs(torch.tensor(idx))):
        assert_close(n, t.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert_close(ours.embed.weight, theirs.embed.weight.detach().numpy())  # same max_norm edits
