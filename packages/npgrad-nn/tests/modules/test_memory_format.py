"""``Module.to(memory_format=...)`` and ``nn.utils.convert_conv2d_weight_memory_format``."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import npgrad
from npgrad import nn


def _model():
    npgrad.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 4, 5, padding=2, groups=4),
        nn.ConvTranspose2d(4, 2, 3, stride=2),
        nn.AdaptiveAvgPool2d(3),
        nn.Flatten(),
        nn.Linear(18, 5),
    )


def test_module_to_channels_last_converts_4d_tensors_only_and_keeps_results():
    model = _model()
    cl = copy.deepcopy(model)
    weight = cl[0].weight
    assert cl.to(memory_format=npgrad.channels_last) is cl
    assert cl[0].weight is weight  # parameters keep their identity
    for name, p in cl.named_parameters():
        assert p.is_contiguous(npgrad.channels_last) == (p.ndim == 4), name
        np.testing.assert_array_equal(p.numpy(), dict(model.named_parameters())[name].numpy())
    x = np.random.default_rng(0).standard_normal((2, 3, 12, 12)).astype(np.float32)
    outs = []
    for m in (model, cl):
        inp = npgrad.tensor(x, requires_grad=True)
        out = m(inp)
        out.sum().backward()
        outs.append((out.numpy(), inp.grad.numpy(), m[0].weight.grad.numpy()))
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    cl.to(memory_format=npgrad.contiguous_format)
    assert all(p.is_contiguous() for p in cl.parameters())


def test_module_to_with_dtype_and_memory_format():
    m = nn.Conv2d(2, 3, 3).to(npgrad.float64, memory_format=npgrad.channels_last)
    assert m.weight.dtype == npgrad.float64 and m.weight.is_contiguous(npgrad.channels_last)


def test_convert_conv2d_weight_memory_format():
    model = _model()
    out = nn.utils.convert_conv2d_weight_memory_format(model, npgrad.channels_last)
    assert out is model
    for m in (model[0], model[4], model[5]):
        assert m.weight.is_contiguous(npgrad.channels_last)
    assert model[8].weight.is_contiguous()  # Linear: untouched
    conv3 = nn.Conv3d(2, 3, 3)
    nn.utils.convert_conv3d_weight_memory_format(conv3, npgrad.channels_last_3d)
    assert conv3.weight.is_contiguous(npgrad.channels_last_3d)


def test_bad_memory_format():
    with pytest.raises(
        TypeError, match="Module.to: memory_format must be npgrad.contiguous_format"
    ):
        nn.Linear(2, 2).to(memory_format="channels_last")
    with pytest.raises(TypeError, match="Module.to: memory_format must be"):
        nn.Linear(2, 2).to(memory_format=npgrad.preserve_format)
    with pytest.raises(
        TypeError, match="convert_conv2d_weight_memory_format: expected an nn.Module"
    ):
        nn.utils.convert_conv2d_weight_memory_format([1], npgrad.channels_last)


@pytest.mark.torch
def test_parity_with_torch_strides():
    torch = pytest.importorskip("torch")
    ours = nn.Conv2d(3, 4, 3).to(memory_format=npgrad.channels_last)
    theirs = torch.nn.Conv2d(3, 4, 3).to(memory_format=torch.channels_last)
    assert ours.weight.stride() == theirs.weight.stride()
    assert ours.bias.stride() == theirs.bias.stride()
