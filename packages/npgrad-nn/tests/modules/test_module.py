"""Module: registration, traversal, modes, state_dict, hooks, repr."""

from __future__ import annotations

import copy
from collections import OrderedDict

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


def test_apply_visits_children_first_left_to_right_and_shared_modules_each_time():
    # PyTorch: for child in children(): child.apply(fn); then fn(self)
    shared = nn.Linear(2, 2)
    net = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Sequential(shared, nn.Tanh()), shared)
    seen = []
    assert net.apply(seen.append) is net
    names = [type(m).__name__ for m in seen]
    assert names == ["Linear", "ReLU", "Linear", "Tanh", "Sequential", "Linear", "Sequential"]
    assert seen[2] is shared and seen[5] is shared and seen[-1] is net
    twice = nn.Module()
    twice.a = twice.b = shared  # children() lists a module once per parent
    seen.clear()
    twice.apply(seen.append)
    assert seen == [shared, twice]


def test_apply_on_a_deep_chain_has_no_recursion_limit():
    net = nn.Identity()
    for _ in range(3000):
        outer = nn.Sequential()
        outer.inner = net
        net = outer
    count = []
    net.apply(lambda m: count.append(1))
    assert len(count) == 3001


@pytest.mark.torch
def test_apply_order_matches_torch():
    torch = pytest.importorskip("torch")

    def build(lib):
        shared = lib.Linear(2, 2)
        inner = lib.Sequential(lib.ReLU(), shared, lib.Sequential(shared, lib.Tanh()))
        return lib.Sequential(lib.Linear(2, 2), inner, shared, inner)

    ours, theirs = [], []
    build(nn).apply(lambda m: ours.append(type(m).__name__))
    build(torch.nn).apply(lambda m: theirs.append(type(m).__name__))
    assert ours == theirs


def test_parameter_dict_sorts_the_keys_of_a_plain_mapping_only():
    # PyTorch's ParameterDict.update: a plain Mapping in sorted key order; an OrderedDict, a
    # ParameterDict or an iterable of pairs in its own order
    def p(n):
        return nn.Parameter(npgrad.ones(n))

    assert list(nn.ParameterDict({"b": p(1), "a": p(2)})) == ["a", "b"]
    assert list(nn.ParameterDict({"b": p(1), "a": p(2)}).state_dict()) == ["a", "b"]
    pd = nn.ParameterDict(OrderedDict([("z", p(1)), ("c", p(1))]))
    assert list(pd) == ["z", "c"]
    pd.update({"y": p(1), "x": p(1)})
    assert list(pd) == ["z", "c", "x", "y"]
    pd.update([("b", p(1)), ("a", p(1))])
    assert list(pd) == ["z", "c", "x", "y", "b", "a"]
    assert list(nn.ParameterDict(pd)) == list(pd)
    # ModuleDict keeps every mapping's order, as PyTorch's does
    md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Tanh()})
    md.update({"d": nn.ReLU(), "c": nn.ReLU()})
    assert list(md) == ["b", "a", "d", "c"]


@pytest.mark.torch
def test_parameter_dict_and_module_dict_orders_match_torch():
    torch = pytest.importorskip("torch")

    def orders(lib, L):
        pd = L.ParameterDict({"b": L.Parameter(lib.ones(1)), "a": L.Parameter(lib.ones(1))})
        pd.update({"d": L.Parameter(lib.ones(1)), "c": L.Parameter(lib.ones(1))})
        pd.update(OrderedDict([("f", L.Parameter(lib.ones(1))), ("e", L.Parameter(lib.ones(1)))]))
        md = L.ModuleDict({"b": L.ReLU(), "a": L.ReLU()})
        md.update({"d": L.ReLU(), "c": L.ReLU()})
        return list(pd), list(md)

    assert orders(npgrad, nn) == orders(torch, torch.nn)


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


class Scaled(nn.Module):
    def forward(self, x, scale=1.0):
        return x * scale


def test_forward_hooks_with_kwargs_see_and_replace_the_keyword_arguments():
    # PyTorch: hook(module, args, kwargs) returns None or (args, kwargs);
    # hook(module, args, kwargs, output) may replace the output
    m = Scaled()
    seen = []
    m.register_forward_pre_hook(lambda mod, args, kw: seen.append(dict(kw)), with_kwargs=True)
    h = m.register_forward_pre_hook(
        lambda mod, args, kwargs: ((args[0] + 1.0,), {**kwargs, "scale": 3.0}), with_kwargs=True
    )
    m.register_forward_hook(
        lambda mod, args, kwargs, out: seen.append((args[0].tolist(), kwargs, out.tolist())),
        with_kwargs=True,
    )
    m.register_forward_hook(lambda mod, args, out: out * 10.0)
    out = m(npgrad.tensor([1.0]), scale=2.0)
    assert out.tolist() == [60.0]
    assert seen == [{"scale": 2.0}, ([2.0], {"scale": 3.0}, [6.0])]
    h.remove()
    assert h.id not in m._forward_pre_hooks_with_kwargs
    assert m(npgrad.tensor([1.0])).tolist() == [10.0]
    m.register_forward_pre_hook(lambda mod, args, kwargs: args, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"must return None or a tuple of \(new_args, new_kw"):
        m(npgrad.tensor([1.0]))


class Failing(nn.Module):
    def forward(self, x):
        raise ValueError("bad input")


def test_always_call_forward_hooks_run_when_forward_raises():
    m = Failing()
    calls = []
    m.register_forward_hook(lambda mod, args, out: calls.append(("always", out)), always_call=True)
    m.register_forward_hook(lambda mod, args, out: calls.append(("normal", out)))
    m.register_forward_hook(
        lambda mod, args, kwargs, out: calls.append(("kw", kwargs)),
        with_kwargs=True,
        always_call=True,
    )

    def broken(mod, args, out):
        raise KeyError("hook")

    m.register_forward_hook(broken, always_call=True)
    with (
        pytest.warns(UserWarning, match="always_call=True.*silenced"),
        pytest.raises(ValueError, match="bad input"),
    ):
        m(npgrad.tensor([1.0]))
    assert calls == [("always", None), ("kw", {})]
    ok = Affine()
    ok.register_forward_hook(lambda mod, args, out: calls.append("once"), always_call=True)
    ok(npgrad.ones(2))
    assert calls[-1] == "once" and calls.count("once") == 1


@pytest.mark.torch
def test_forward_hook_options_match_torch():
    torch = pytest.importorskip("torch")

    def run(lib, L):
        log = []
        m = L.Linear(2, 2)
        m.register_forward_pre_hook(
            lambda mod, a, k: log.append(("pre", sorted(k))), with_kwargs=True
        )
        m.register_forward_hook(lambda *a: log.append("A"))
        m.register_forward_hook(lambda *a: log.append("B"), prepend=True)
        m.register_forward_hook(
            lambda mod, a, k, o: log.append(("kw", sorted(k))), with_kwargs=True
        )
        m.register_forward_hook(lambda mod, a, o: log.append("C"), always_call=True)
        m(lib.ones(1, 2))
        try:
            m(lib.ones(1, 3))
        except Exception:
            log.append("raised")
        return log

    assert run(npgrad, nn) == run(torch, torch.nn)


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


def test_type_casts_every_parameter_and_buffer_like_pytorch():
    bn = nn.BatchNorm1d(2)
    assert bn.type(npgrad.float64) is bn
    dtypes = {k: v.dtype for k, v in bn.state_dict().items()}
    assert set(dtypes.values()) == {np.dtype("float64")}  # num_batches_tracked too
    with pytest.raises(TypeError, match="Module.type: not a dtype"):
        bn.type("banana")
