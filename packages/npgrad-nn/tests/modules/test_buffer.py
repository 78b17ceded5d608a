"""``nn.Buffer``: assigning one to a module registers a buffer (persistent or not), as
PyTorch >= 2.5; and ``nn.UninitializedBuffer``, the lazy modules' buffer without a shape."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.nn.parameter import is_lazy


def test_assigning_a_buffer_registers_it() -> None:
    m = nn.Module()
    m.steps = nn.Buffer(npgrad.zeros(2))
    m.scratch = nn.Buffer(npgrad.ones(3), persistent=False)
    assert [n for n, _ in m.named_buffers()] == ["steps", "scratch"]
    assert list(m.state_dict()) == ["steps"]
    assert "steps" not in m.__dict__ and not list(m.parameters())
    np.testing.assert_array_equal(m.scratch.numpy(), [1.0, 1.0, 1.0])


def test_persistence_follows_pytorchs_rules() -> None:
    m = nn.Module()
    m.b = nn.Buffer(npgrad.ones(2), persistent=False)
    m.b = npgrad.zeros(2)  # a plain Tensor keeps the buffer's persistence
    assert list(m.state_dict()) == []
    m.b = nn.Buffer(npgrad.zeros(2))  # a Buffer brings its own
    assert list(m.state_dict()) == ["b"]
    m.register_buffer("c", nn.Buffer(npgrad.ones(1), persistent=False))  # the argument wins
    assert list(m.state_dict()) == ["b", "c"]


@pytest.mark.torch
def test_registration_and_persistence_match_torch() -> None:
    torch = pytest.importorskip("torch")

    def run(lib: Any, lib_nn: Any) -> list[Any]:
        m = lib_nn.Module()
        out = []
        m.a = lib_nn.Buffer(lib.ones(2), persistent=False)
        out.append(sorted(m.state_dict()))
        m.a = lib.zeros(2)
        out.append(sorted(m.state_dict()))
        m.a = lib_nn.Buffer(lib.zeros(2))
        m.b = lib_nn.Buffer()
        out.append(sorted(m.state_dict()))
        m.register_buffer("c", lib_nn.Buffer(lib.ones(1), persistent=False))
        m.a = None
        out.append(sorted(m.state_dict()))
        out.append([(n, tuple(b.shape)) for n, b in m.named_buffers()])
        m.a = lib_nn.Buffer(lib.ones(1), persistent=False)
        out.append(sorted(m.state_dict()))
        return out

    assert run(npgrad, nn) == run(torch, torch.nn)


def test_buffer_aliases_its_data_outside_the_graph() -> None:
    x = npgrad.ones(3)
    b = nn.Buffer(x)
    assert b is not x and b.persistent is True
    b.add_(1.0)  # shares memory and the version counter (detach)
    np.testing.assert_array_equal(x.numpy(), [2.0, 2.0, 2.0])
    assert x._version == b._version == 1
    w = npgrad.ones(2, requires_grad=True)
    y = w * 2
    bw = nn.Buffer(y)
    assert bw.grad_fn is None and bw.is_leaf and bw.requires_grad  # keeps requires_grad
    assert nn.Buffer(w.detach()).requires_grad is False


def test_default_and_array_data() -> None:
    b = nn.Buffer()
    assert b.shape == (0,) and b.dtype == npgrad.float32
    with _default(npgrad.float64):
        assert nn.Buffer().dtype == npgrad.float64
    a = nn.Buffer([1, 2])
    assert a.dtype == npgrad.int64 and a.tolist() == [1, 2]
    assert isinstance(a, npgrad.Tensor) and isinstance(a, nn.Buffer)
    assert repr(nn.Buffer(npgrad.tensor([1.0, 2.0]))) == "tensor([1., 2.])"


class _default:
    def __init__(self, dtype: Any) -> None:
        self.dtype = dtype

    def __enter__(self) -> None:
        self.old = npgrad.get_default_dtype()
        npgrad.set_default_dtype(self.dtype)

    def __exit__(self, *exc: object) -> None:
        npgrad.set_default_dtype(self.old)


def test_assignment_errors_match_torch() -> None:
    m = nn.Module()
    m.w = nn.Parameter(npgrad.ones(1))
    with pytest.raises(TypeError, match="as parameter 'w'"):
        m.w = nn.Buffer(npgrad.ones(1))
    m.sub = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="as child module 'sub'"):
        m.sub = nn.Buffer(npgrad.ones(1))
    m.plain = 3
    with pytest.raises(KeyError, match="already exists"):
        m.plain = nn.Buffer(npgrad.ones(1))
    with pytest.raises(TypeError):
        nn.Buffer(npgrad.ones(1), False)  # type: ignore[misc]  # persistent is keyword-only
    assert list(m.named_buffers()) == [] and m.plain == 3


def test_assigning_before_module_init_raises() -> None:
    class Early(nn.Module):
        def __init__(self) -> None:
            self.b = nn.Buffer(npgrad.ones(1))
            super().__init__()

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()


def test_to_state_dict_pickle_and_deepcopy_keep_buffers() -> None:
    m = nn.Module()
    m.keep = nn.Buffer(npgrad.ones(2))
    m.skip = nn.Buffer(npgrad.ones(2), persistent=False)
    m.double()
    assert m.keep.dtype == m.skip.dtype == npgrad.float64
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert isinstance(clone.keep, nn.Buffer) and clone.skip.persistent is False
        assert list(clone.state_dict()) == ["keep"]
        clone.keep.zero_()
        assert m.keep.tolist() == [1.0, 1.0]  # copies, not aliases
    fresh = nn.Module()
    fresh.keep = nn.Buffer(npgrad.zeros(2, dtype=npgrad.float64))
    fresh.load_state_dict(m.state_dict())
    assert fresh.keep.tolist() == [1.0, 1.0]


def test_uninitialized_buffer() -> None:
    b = nn.UninitializedBuffer(persistent=False)
    assert repr(b) == "<UninitializedBuffer>" and is_lazy(b)
    assert isinstance(b, nn.Buffer) and b.requires_grad is False and b.dtype == npgrad.float32
    with pytest.raises(RuntimeError, match="shape of an uninitialized"):
        _ = b.shape
    with pytest.raises(ValueError, match="uninitialized buffer"):
        b + 1
    m = nn.Module()
    m.stats = b  # registered as a buffer, with its persistence
    assert list(m.named_buffers())[0][1] is b and list(m.state_dict()) == []
    b.materialize((2, 3), dtype=npgrad.float64)
    assert type(b) is nn.Buffer and m.stats is b and not is_lazy(b)
    assert b.shape == (2, 3) and b.dtype == npgrad.float64 and b.persistent is False
    np.testing.assert_array_equal(b.numpy(), np.zeros((2, 3)))


def test_uninitialized_buffer_errors() -> None:
    with pytest.raises(RuntimeError, match="CPU only"):
        nn.UninitializedBuffer(device="cuda")
    with pytest.raises(RuntimeError, match="floating point"):
        nn.UninitializedBuffer(requires_grad=True, dtype=npgrad.int64)
    b = nn.UninitializedBuffer(dtype=npgrad.int64)
    with pytest.raises(ValueError, match="non-negative integers"):
        b.materialize((2, -1))
    assert is_lazy(b)  # unchanged by the failed call
    b.materialize(4)
    assert b.shape == (4,) and b.dtype == npgrad.int64


def test_uninitialized_buffer_copies() -> None:
    b = nn.UninitializedBuffer(dtype=npgrad.float64, persistent=False)
    for c in (copy.deepcopy(b), pickle.loads(pickle.dumps(b))):
        assert type(c) is nn.UninitializedBuffer and c is not b
        assert c.dtype == npgrad.float64 and c.persistent is False


@pytest.mark.torch
def test_uninitialized_buffer_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    for lib_nn in (nn, torch.nn):
        b = lib_nn.UninitializedBuffer()
        assert repr(b) == "<UninitializedBuffer>"
        assert isinstance(b, lib_nn.Buffer) and not b.requires_grad
        with pytest.raises(RuntimeError, match="shape of an uninitialized"):
            _ = b.shape
        with pytest.raises(ValueError, match="uninitialized"):
            b.sum()
        b.materialize((2,))
        assert tuple(b.shape) == (2,) and not isinstance(b, lib_nn.UninitializedBuffer)
