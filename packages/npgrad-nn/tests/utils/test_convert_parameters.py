"""parameters_to_vector / vector_to_parameters: order, shapes, memory sharing, gradients and
errors."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.nn.utils import parameters_to_vector, vector_to_parameters
from npgrad.testing import assert_close


def model():
    return nn.Sequential(nn.BatchNorm1d(3), nn.LayerNorm((2, 3)))


def test_round_trip_in_parameter_order():
    m = model()
    for i, p in enumerate(m.parameters()):
        with npgrad.no_grad():
            p.copy_(npgrad.arange(p.numel(), dtype=npgrad.float32).reshape(p.shape) + 100 * i)
    vec = parameters_to_vector(m.parameters())
    assert vec.shape == (3 + 3 + 6 + 6,) and vec.dtype == np.float32
    expected = np.concatenate([p.numpy().ravel() for p in m.parameters()])
    assert_close(vec, expected)
    fresh = model()
    vector_to_parameters(vec * 2, fresh.parameters())
    for a, b in zip(fresh.parameters(), m.parameters()):
        assert a.shape == b.shape
        assert_close(a, b.detach() * 2)


def test_parameters_share_the_vector_memory_like_pytorch():
    w = nn.Parameter(npgrad.zeros(2, 2))
    vec = npgrad.arange(4.0)
    vector_to_parameters(vec, [w])
    vec.add_(1.0)
    assert_close(w.detach(), np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    assert isinstance(w, nn.Parameter) and w.requires_grad


def test_parameters_to_vector_is_differentiable():
    a = nn.Parameter(npgrad.ones(2, 2))
    b = nn.Parameter(npgrad.ones(3))
    (parameters_to_vector([a, b]) * npgrad.arange(7.0)).sum().backward()
    assert_close(a.grad, np.array([[0.0, 1.0], [2.0, 3.0]], np.float32))
    assert_close(b.grad, np.array([4.0, 5.0, 6.0], np.float32))


def test_errors():
    w = nn.Parameter(npgrad.zeros(3))
    with pytest.raises(TypeError, match="expected npgrad.Tensor, but got: list"):
        vector_to_parameters([1.0, 2.0, 3.0], [w])
    with pytest.raises(ValueError, match="the vector has 2 elements but the parameters need 3"):
        vector_to_parameters(npgrad.zeros(2), [w])
    assert_close(w.detach(), np.zeros(3, np.float32))  # unchanged
    with pytest.raises(ValueError, match="1-D vector"):
        vector_to_parameters(npgrad.zeros(3, 1), [w])
    with pytest.raises(ValueError, match="at least one parameter"):
        parameters_to_vector([])
    with pytest.raises(TypeError, match="iterable of Tensors"):
        parameters_to_vector([np.zeros(3)])


@pytest.mark.torch
def test_parity_with_torch():
    torch = pytest.importorskip("torch")
    tm = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2))
    ours = [nn.Parameter(npgrad.tensor(p.detach().numpy().copy())) for p in tm.parameters()]
    assert_close(
        parameters_to_vector(ours),
        torch.nn.utils.parameters_to_vector(tm.parameters()).detach().numpy(),
    )
    vec = np.linspace(-1, 1, 12).astype(np.float32)
    torch.nn.utils.vector_to_parameters(torch.tensor(vec), tm.parameters())
    vector_to_parameters(npgrad.tensor(vec), ours)
    for a, b in zip(ours, tm.parameters()):
        assert_close(a.detach(), b.detach().numpy())
