"""Module: registration, traversal, modes, state_dict, hooks, repr."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.testing import assert_close


class Affine(nn.Module):
    def __init__(self, n: int = 2) -> None:
        super().__init__()
        self.weight = nn.Parameter(npgrad.ones(n))
        self.bias = nn.Parameter(npgrad.zeros(n))
        self.register_buffer("running", npgrad.zeros(n))
        self.register_buffer("scratch", npgrad.zeros(n), persistent=False)

    def forward(self, x):
        return x * self.weight + self.bias

    def extra_repr(self) -> str:
        return f"n={self.weight.shape[0]}"


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.first = Affine()
        self.blocks = nn.ModuleList([Affine(), Affine()])
        self.head = nn.Sequential(Affine())

    def forward(self, x):
        x = self.first(x)
        for b in self.blocks:
            x = b(x)
        return self.head(x)


def test_registration_and_traversal_names():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == [
        "first.weight",
        "first.bias",
        "blocks.0.weight",
        "blocks.0.bias",
        "blocks.1.weight",
        "blocks.1.bias",
        "head.0.weight",
        "head.0.bias",
    ]
    assert [n for n, _ in net.named_buffers()] == [
        "first.running",
        "first.scratch",
        "blocks.0.running",
        "blocks.0.scratch",
        "blocks.1.running",
        "blocks.1.scratch",
        "head.0.running",
        "head.0.scratch",
    ]
    assert [n for n, _ in net.named_modules()] == [
        "",
        "first",
        "blocks",
        "blocks.0",
        "blocks.1",
        "head",
        "head.0",
    ]
    assert [n for n, _ in net.named_children()] == ["first", "blocks", "head"]
    assert net.get_parameter("blocks.1.bias") is net.blocks[1].bias


def test_shared_parameters_are_listed_once():
    net = Net()
    net.head[0].weight = net.first.weight
    assert len(list(net.parameters())) == 7
    assert len(net.state_dict()) == 12  # state_dict keeps every name, as torch


def test_state_dict_is_detached_copies_with_persistent_buffers_only():
    net = Affine()
    sd = net.state_dict()
    assert list(sd) == ["weight", "bias", "running"]
    assert not sd["weight"].requires_grad
    sd["weight"].numpy()[0] = 5.0
    assert net.weight[0].item() == 1.0
    assert net.state_dict(keep_vars=True)["weight"] is net.weight


def test_load_state_dict_round_trip_and_values_are_copied_in_place():
    a, b = Net(), Net()
    with npgrad.no_grad():
        for p in a.parameters():
            p.add_(
                npgrad.tensor(np.random.default_rng(0).standard_normal(p.shape).astype(np.float32))
            )
    w = b.first.weight
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert b.first.weight is w  # parameters keep their identity (optimizers hold them)
    x = npgrad.tensor([0.5, -1.0])
    assert_close(a(x), b(x))


def test_load_state_dict_reports_every_bad_key_and_leaves_module_unchanged():
    net = Affine()
    before = {k: v.numpy().copy() for k, v in net.state_dict().items()}
    bad = {"weight": npgrad.ones(3), "bias": npgrad.full((2,), 7.0), "extra": npgrad.ones(1)}
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(bad)
    msg = str(info.value)
    assert 'Unexpected key(s) in state_dict: "extra"' in msg
    assert 'Missing key(s) in state_dict: "running"' in msg
    assert "size mismatch for weight: copying a param with shape (3,)" in msg
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])
    result = net.load_state_dict({"weight": npgrad.full((2,), 3.0)}, strict=False)
    assert result.missing_keys == ["bias", "running"] and net.weight.tolist() == [3.0, 3.0]


def test_save_and_load_state_dict_through_a_file(tmp_path):
    a, b = Affine(), Affine()
    with npgrad.no_grad():
        a.weight.fill_(2.5)
    a.save_state_dict(tmp_path / "a.safetensors")
    b.load_state_dict(tmp_path / "a.safetensors")
    assert b.weight.tolist() == [2.5, 2.5]


def test_train_eval_and_requires_grad_and_zero_grad():
    net = Net()
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net(npgrad.ones(2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_to_double_keeps_parameter_identity():
    net = Affine()
    w = net.weight
    net.double()
    assert net.weight is w and w.dtype == npgrad.float64 and net.running.dtype == npgrad.float64
    with pytest.raises(TypeError, match="floating point"):
        net.to(npgrad.int64)


def test_attribute_rules():
    net = Affine()
    with pytest.raises(TypeError, match="nn.Parameter or None"):
        net.weight = npgrad.ones(2)
    net.weight = None
    assert "weight" in net._parameters and net.weight is None
    with pytest.raises(KeyError, match='contain ".", got'):
        net.register_parameter("a.b", None)
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        net.missing  # noqa: B018
    del net.bias
    assert "bias" not in dict(net.named_parameters())


def test_forward_hooks_and_removal():
    net = Affine()
    calls = []
    h1 = net.register_forward_pre_hook(lambda m, args: (args[0] * 2.0,))
    h2 = net.register_forward_hook(lambda m, args, out: calls.append(out.tolist()))
    out = net(npgrad.tensor([1.0, 1.0]))
    assert out.tolist() == [2.0, 2.0] and calls == [[2.0, 2.0]]
    h1.remove()
    h2.remove()
    assert net(npgrad.tensor([1.0, 1.0])).tolist() == [1.0, 1.0] and len(calls) == 1


def test_deepcopy_gives_independent_parameters():
    net = Net()
    twin = copy.deepcopy(net)
    with npgrad.no_grad():
        twin.first.weight.fill_(9.0)
    assert net.first.weight.tolist() == [1.0, 1.0]
    assert isinstance(twin.first.weight, nn.Parameter)


def test_repr_nests_like_torch():
    assert repr(Net()) == (
        "Net(\n"
        "  (first): Affine(n=2)\n"
        "  (blocks): ModuleList(\n"
        "    (0-1): 2 x Affine(n=2)\n"
        "  )\n"
        "  (head): Sequential(\n"
        "    (0): Affine(n=2)\n"
        "  )\n"
        ")"
    )


def test_missing_forward_is_reported():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(npgrad.ones(1))


def test_parameter_repr_and_int_parameter_error():
    assert (
        repr(nn.Parameter(npgrad.ones(2)))
        == "Parameter containing:\ntensor([1., 1.], requires_grad=True)"
    )
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(npgrad.tensor([1, 2]))
