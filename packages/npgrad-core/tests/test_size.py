"""``npgrad.Size``: the type of ``Tensor.shape`` and ``Tensor.size()``."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import npgrad


def test_shape_and_size_are_sizes():
    x = npgrad.zeros(2, 3, 4)
    for s in (x.shape, x.size()):
        assert type(s) is npgrad.Size
        assert s == (2, 3, 4) and s[-1] == 4 and len(s) == 3
        assert s.numel() == 24 == x.numel()
    assert x.size(1) == 3 and type(x.size(1)) is int
    assert npgrad.tensor(1.0).shape == npgrad.Size() and npgrad.tensor(1.0).shape.numel() == 1
    assert npgrad.zeros(0, 5).shape.numel() == 0


def test_repr_str_and_format():
    s = npgrad.zeros(2, 3).shape
    assert repr(s) == str(s) == "npgrad.Size([2, 3])"
    assert repr(npgrad.Size([7])) == "npgrad.Size([7])" and repr(npgrad.Size()) == "npgrad.Size([])"
    # f-strings give the plain tuple, the form npgrad's error messages use
    assert f"shape {s}" == "shape (2, 3)" and "{}".format(s) == "(2, 3)"  # noqa: UP032


def test_constructor_checks_its_items():
    assert npgrad.Size([np.int64(2), 3]) == (2, 3)
    assert all(type(d) is int for d in npgrad.Size([np.int64(2), 3]))
    with pytest.raises(
        TypeError, match="Size: expected a sequence of ints, got an element of type float"
    ):
        npgrad.Size([2.0, 3])
    with pytest.raises(TypeError):
        npgrad.Size(5)


def test_a_size_is_a_tuple_everywhere():
    s = npgrad.zeros(2, 3).shape
    assert isinstance(s, tuple) and hash(s) == hash((2, 3))
    assert np.zeros(s).shape == (2, 3)
    assert npgrad.ones(s).shape == s and npgrad.arange(6).view(s).shape == s
    assert s[1:] == (3,) and s + (4,) == (2, 3, 4)
    assert pickle.loads(pickle.dumps(s)) == s and type(pickle.loads(pickle.dumps(s))) is npgrad.Size
    assert type(copy.deepcopy(s)) is npgrad.Size


@pytest.mark.torch
def test_parity_with_torch_size():
    torch = pytest.importorskip("torch")
    for dims in ([], [0], [2, 3], [1, 4, 1]):
        ours, theirs = npgrad.zeros(dims).shape, torch.zeros(dims).shape
        assert ours == theirs and ours.numel() == theirs.numel()
        assert repr(ours).replace("npgrad", "torch") == repr(theirs)
