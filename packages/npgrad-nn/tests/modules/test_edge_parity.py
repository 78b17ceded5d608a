"""Edge cases of the Module API, the containers and nn.utils where npgrad once differed from
PyTorch: each test pins PyTorch's result; the ``torch``-marked twins compare with it directly."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.nn.utils import clip_grad_value_


def _names(seq):
    return [type(m).__name__ for m in seq]


# ---- Sequential.insert with a negative index ---------------------------------------------------


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (-1, ["ReLU", "Tanh", "Identity", "Sigmoid"]),
        (-3, ["Identity", "ReLU", "Tanh", "Sigmoid"]),
        (3, ["ReLU", "Tanh", "Sigmoid", "Identity"]),
        (1, ["ReLU", "Identity", "Tanh", "Sigmoid"]),
    ],
)
def test_sequential_insert_counts_a_negative_index_like_list_insert(index, expected) -> None:
    s = nn.Sequential(nn.ReLU(), nn.Tanh(), nn.Sigmoid())
    s.insert(index, nn.Identity())
    assert _names(s) == expected
    assert list(s._modules) == ["0", "1", "2", "3"]


@pytest.mark.torch
@pytest.mark.parametrize("index", [-3, -2, -1, 0, 2, 3])
def test_sequential_insert_matches_torch(index) -> None:
    torch = pytest.importorskip("torch")
    out = []
    for lib in (torch.nn, nn):
        s = lib.Sequential(lib.ReLU(), lib.Tanh(), lib.Sigmoid())
        s.insert(index, lib.Identity())
        out.append(_names(s))
    assert out[0] == out[1]


# ---- ModuleDict.update with a ModuleDict -------------------------------------------------------


def test_module_dict_update_takes_a_module_dict() -> None:
    d = nn.ModuleDict({"a": nn.ReLU()})
    d.update(nn.ModuleDict({"y": nn.Tanh(), "x": nn.Sigmoid()}))
    assert list(d.keys()) == ["a", "y", "x"]
    assert isinstance(d["x"], nn.Sigmoid)


# ---- ParameterList / ParameterDict reprs -------------------------------------------------------


def test_parameter_list_and_dict_reprs_indent_like_torch() -> None:
    pl = nn.ParameterList([nn.Parameter(npgrad.zeros(2, 3)), 3])
    assert str(pl) == (
        "ParameterList(\n"
        "    (0): Parameter containing: [npgrad.float32 of size 2x3]\n"
        "    (1): Object of type: int\n"
        ")"
    )
    pd = nn.ParameterDict({"t": npgrad.zeros(2)})
    assert str(pd) == "ParameterDict(  (t): Parameter containing: [npgrad.float32 of size 2])"


@pytest.mark.torch
def test_parameter_list_repr_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    out = []
    for lib, mod in ((torch.nn, torch), (nn, npgrad)):
        pl = lib.ParameterList([lib.Parameter(mod.zeros(2, 3)), lib.Parameter(mod.zeros(4))])
        pl.append(lib.Linear(1, 1))
        one = lib.ParameterList([mod.zeros(1)])
        out.append((str(pl) + str(one)).replace("torch", "npgrad"))
    assert out[0] == out[1]


# ---- ParameterDict's dict methods --------------------------------------------------------------


def _pd():
    return nn.ParameterDict({"b": npgrad.zeros(2), "a": npgrad.zeros(3)})


def test_parameter_dict_has_the_dict_methods() -> None:
    d = _pd()  # a plain dict is taken in sorted key order
    assert list(d.keys()) == ["a", "b"]
    assert list(reversed(d)) == ["b", "a"]
    assert d.get("a").shape == (3,)
    assert d.get("zz", "dflt") == "dflt"
    assert d.get("zz") is None
    q = d.setdefault("q", npgrad.ones(1))
    assert isinstance(q, nn.Parameter) and d.setdefault("q") is q
    assert d.setdefault("n") is None and "n" in d
    k, v = d.popitem()
    assert k == "n" and v is None and list(d.keys()) == ["a", "b", "q"]
    c = d.copy()
    assert isinstance(c, nn.ParameterDict) and list(c.keys()) == ["a", "b", "q"]
    assert c["a"] is d["a"]
    f = d.fromkeys(["y", "x"])
    assert list(f.keys()) == ["y", "x"] and f["y"] is None
    g = d | {"z": npgrad.ones(1)}
    assert isinstance(g, nn.ParameterDict) and list(g.keys()) == ["a", "b", "q", "z"]
    assert "z" not in d
    h = {"z": npgrad.ones(1)} | d
    assert type(h) is dict and list(h.keys()) == ["z", "a", "b", "q"]
    d |= {"w": npgrad.ones(1)}
    assert list(d.keys()) == ["a", "b", "q", "w"]
    assert [n for n, _ in d.named_parameters()] == ["a", "b", "q", "w"]
    d.clear()
    assert len(d) == 0 and list(d.state_dict()) == [] and not hasattr(d, "a")


@pytest.mark.torch
def test_parameter_dict_methods_match_torch() -> None:
    torch = pytest.importorskip("torch")
    out = []
    for lib, mod in ((torch.nn, torch), (nn, npgrad)):
        d = lib.ParameterDict({"b": mod.zeros(2), "a": mod.zeros(3)})
        d.setdefault("q", mod.ones(1))
        k, _ = d.popitem()
        g = d | {"z": mod.ones(1)}
        h = {"y": mod.ones(1)} | d
        d |= OrderedDict([("w", mod.ones(1)), ("c", mod.ones(1))])
        out.append(
            (k, list(reversed(d)), list(g), type(g).__name__, list(h), type(h).__name__,
             list(d.fromkeys(["s", "r"])), list(d.copy()), d.get("nope", 1))
        )  # fmt: skip
    assert out[0] == out[1]


# ---- load_state_dict's result and key order ----------------------------------------------------


def test_load_state_dict_result_repr_when_all_keys_match() -> None:
    m = nn.Linear(2, 2)
    r = m.load_state_dict(m.state_dict())
    assert repr(r) == str(r) == "<All keys matched successfully>"
    assert r == ([], []) and r.missing_keys == [] and r.unexpected_keys == []
    r = m.load_state_dict({"weight": npgrad.zeros(2, 2)}, strict=False)
    assert repr(r) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])"


class _Extra(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.l = nn.Linear(1, 1)

    def get_extra_state(self):
        return 1

    def set_extra_state(self, state) -> None:
        self.got = state


def test_load_state_dict_key_order_is_torchs_module_walk() -> None:
    # each module in turn: its missing tensors, its _extra_state, then its unexpected keys
    s = nn.Sequential(_Extra(), _Extra())
    r = s.load_state_dict({}, strict=False)
    assert r.missing_keys == [
        "0._extra_state", "0.l.weight", "0.l.bias", "1._extra_state", "1.l.weight", "1.l.bias"
    ]  # fmt: skip
    s = nn.Sequential(nn.Linear(1, 1))
    sd = {
        "0.weight": npgrad.ones(1, 1),
        "0.bias": npgrad.ones(1),
        "0.zz": npgrad.ones(1),
        "1.w": npgrad.ones(1),
        "0": npgrad.ones(1),
        "0._extra_state": 1,
        "_extra_state": 2,
    }
    r = s.load_state_dict(sd, strict=False)
    assert r.unexpected_keys == ["_extra_state", "1.w", "0", "0._extra_state", "0.zz"]


def test_load_state_dict_ignores_keys_under_an_empty_child_slot() -> None:
    m = nn.Linear(1, 1)
    m.add_module("sub", None)
    r = m.load_state_dict(
        {"weight": npgrad.ones(1, 1), "bias": npgrad.ones(1), "sub.w": npgrad.ones(1)}
    )
    assert r == ([], [])


def test_load_state_dict_pre_hooks_get_strict_true() -> None:
    seen = []
    m = nn.Linear(1, 1)
    m.register_load_state_dict_pre_hook(lambda mod, sd, prefix, *rest: seen.append(rest[1]))
    m.load_state_dict({}, strict=False)
    assert seen == [True]


@pytest.mark.torch
def test_load_state_dict_keys_match_torch() -> None:
    torch = pytest.importorskip("torch")
    out = []
    for lib, mod in ((torch.nn, torch), (nn, npgrad)):

        class E(lib.Module):
            def __init__(self, lib=lib) -> None:
                super().__init__()
                self.l = lib.Linear(1, 1)

            def get_extra_state(self):
                return 1

            def set_extra_state(self, state) -> None:
                pass

        s = lib.Sequential(E(), lib.Linear(1, 1), lib.Sequential(lib.BatchNorm1d(1)))
        s.add_module("none", None)
        sd = {"2.0.x": mod.ones(1), "1.weight": mod.ones(1, 1), "3": mod.ones(1),
              "none.a": mod.ones(1), "1._extra_state": 0, "0.l.q.r": mod.ones(1)}  # fmt: skip
        r = s.load_state_dict(sd, strict=False)
        out.append((r.missing_keys, r.unexpected_keys, repr(s.load_state_dict(s.state_dict()))))
    assert out[0] == out[1]


# ---- get_buffer of a buffer slot holding None --------------------------------------------------


def test_get_buffer_returns_a_none_buffer() -> None:
    m = nn.Sequential(nn.Linear(1, 1))
    m[0].register_buffer("nb", None)
    assert m.get_buffer("0.nb") is None
    with pytest.raises(AttributeError):
        m.get_buffer("0.weight")


# ---- clip_grad_value_ keeps the sign of a zero bound -------------------------------------------


@pytest.mark.parametrize(
    ("clip", "expected"),
    [
        (0.0, [-0.0, -0.0, 0.0, 0.0, np.nan, -0.0, 0.0]),
        (-0.0, [0.0, -0.0, 0.0, -0.0, np.nan, 0.0, -0.0]),
        (1.0, [-1.0, -0.0, 0.0, 1.0, np.nan, -1.0, 1.0]),
        (-1.0, [-1.0, -1.0, -1.0, -1.0, np.nan, -1.0, -1.0]),
    ],
)
def test_clip_grad_value_signed_zeros(clip, expected) -> None:
    g = np.array([-2.0, -0.0, 0.0, 3.0, np.nan, -np.inf, np.inf])
    p = nn.Parameter(npgrad.zeros(7, dtype=npgrad.float64))
    p.grad = npgrad.tensor(g)
    clip_grad_value_([p], clip)
    got = np.asarray(p.grad)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))


@pytest.mark.torch
@pytest.mark.parametrize("clip", [0.0, -0.0, 0.5, -0.5, 2.0])
def test_clip_grad_value_matches_torch(clip) -> None:
    torch = pytest.importorskip("torch")
    g = np.array([-2.0, -0.0, 0.0, 0.5, 3.0, np.nan, -np.inf, np.inf])
    tp = torch.nn.Parameter(torch.zeros(8, dtype=torch.float64))
    tp.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_value_([tp], clip)
    p = nn.Parameter(npgrad.zeros(8, dtype=npgrad.float64))
    p.grad = npgrad.tensor(g)
    clip_grad_value_([p], clip)
    want, got = tp.grad.numpy(), np.asarray(p.grad)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
