"""Flatten and Unflatten."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import nn


@pytest.mark.parametrize(
    ("args", "shape", "expected"),
    [
        ((), (32, 1, 5, 5), (32, 25)),
        ((0, 2), (32, 1, 5, 5), (160, 5)),
        ((1, 2), (2, 3, 4, 5), (2, 12, 5)),
        ((-2,), (2, 3, 4), (2, 12)),
    ],
)
def test_flatten_shapes_and_values(args, shape, expected):
    x = npgrad.tensor(
        np.arange(np.prod(shape), dtype=np.float32).reshape(shape), requires_grad=True
    )
    y = nn.Flatten(*args)(x)
    assert y.shape == expected and y._data.ravel().tolist() == x._data.ravel().tolist()
    y.sum().backward()
    assert x.grad.shape == shape


@pytest.mark.parametrize(
    ("dim", "size", "shape", "expected"),
    [
        (1, (2, 5, 5), (2, 50), (2, 2, 5, 5)),
        (-1, [5, -1], (3, 10), (3, 5, 2)),
        (0, (2, 2), (4,), (2, 2)),
    ],
)
def test_unflatten_shapes(dim, size, shape, expected):
    x = npgrad.randn(*shape, requires_grad=True)
    y = nn.Unflatten(dim, size)(x)
    assert y.shape == expected
    y.sum().backward()
    assert x.grad.shape == shape


def test_unflatten_validates_the_size():
    with pytest.raises(TypeError, match="found element of type float at pos 1"):
        nn.Unflatten(1, (2, 5.0))
    with pytest.raises(TypeError, match="must be a tuple of ints, but found type int"):
        nn.Unflatten(1, 5)
    with pytest.raises(ValueError, match="unflatten"):
        nn.Unflatten(1, (3, 3))(npgrad.zeros(2, 10))


def test_non_tensor_input_names_the_layer():
    with pytest.raises(TypeError, match=r"Flatten\(start_dim=1, end_dim=-1\)"):
        nn.Flatten()([1, 2])


@pytest.mark.torch
@pytest.mark.parametrize(
    "module",
    [
        ("Flatten", ()),
        ("Flatten", (0, 2)),
        ("Unflatten", (1, (2, 5, 5))),
        ("Unflatten", (-1, [5, -1])),
    ],
)
def test_repr_and_output_match_torch(module):
    torch = pytest.importorskip("torch")
    name, args = module
    theirs, ours = getattr(torch.nn, name)(*args), getattr(nn, name)(*args)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal((2, 50, 10))
    assert ours(npgrad.tensor(x)).tolist() == theirs(torch.tensor(x)).tolist()
