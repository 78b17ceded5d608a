"""Module's state-dict hooks, extra state and set_submodule, as PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.testing import assert_close


class Counter(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(2, 2)
        self.count = 0

    def get_extra_state(self):
        return {"count": self.count}

    def set_extra_state(self, state):
        self.count = state["count"]


def test_extra_state_round_trip_and_missing_key() -> None:
    a = Counter()
    a.count = 7
    sd = a.state_dict()
    assert list(sd) == ["_extra_state", "lin.weight", "lin.bias"]  # as PyTorch orders them
    b = Counter()
    b.load_state_dict(sd)
    assert b.count == 7
    assert_close(b.lin.weight, a.lin.weight)
    del sd["_extra_state"]
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "_extra_state"'):
        b.load_state_dict(sd)
    assert b.load_state_dict(sd, strict=False).missing_keys == ["_extra_state"]
    with pytest.raises(RuntimeError, match="get_extra_state"):
        nn.Linear(1, 1).get_extra_state()


def test_state_dict_hooks_order_and_in_place_changes() -> None:
    m = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    calls = []
    m.register_state_dict_pre_hook(lambda mod, prefix, keep: calls.append(("pre", prefix)))
    m[0].register_state_dict_pre_hook(lambda mod, prefix, keep: calls.append(("pre", prefix)))

    def post(mod, sd, prefix, local):
        calls.append(("post", prefix))
        sd[prefix + "note"] = npgrad.tensor(1.0)

    h = m[1].register_state_dict_post_hook(post)
    sd = m.state_dict(prefix="net.")
    assert calls == [("pre", "net."), ("pre", "net.0."), ("post", "net.1.")]
    assert "net.1.note" in sd
    h.remove()
    assert "1.note" not in m.state_dict()


def test_load_hooks_rename_and_forgive() -> None:
    m = nn.Linear(2, 1)
    old = {"w": m.weight.detach().clone() + 1, "bias": m.bias.detach().clone()}

    def rename(mod, sd, prefix, local, strict, missing, unexpected, errors):
        if prefix + "w" in sd:
            sd[prefix + "weight"] = sd.pop(prefix + "w")

    m.register_load_state_dict_pre_hook(rename)
    m.load_state_dict(old)
    assert_close(m.weight, old["w"])
    n = nn.Linear(2, 1)
    seen = []

    def forgive(mod, incompatible):
        seen.append(list(incompatible.missing_keys))
        incompatible.missing_keys.remove("bias")

    n.register_load_state_dict_post_hook(forgive)
    n.load_state_dict({"weight": old["w"]})  # strict, but the hook forgives the bias
    assert seen == [["bias"]]
    assert_close(n.weight, old["w"])


def test_a_failed_strict_load_after_post_hooks_changes_nothing() -> None:
    m = nn.Linear(2, 1)
    before = m.weight.detach().clone()
    m.register_load_state_dict_post_hook(lambda mod, inc: None)
    with pytest.raises(RuntimeError, match="Missing key"):
        m.load_state_dict({"weight": npgrad.zeros(1, 2)})
    assert_close(m.weight, before)


def test_set_submodule() -> None:
    m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU(), nn.Linear(2, 1)))
    m.set_submodule("1.0", nn.Tanh())
    assert isinstance(m[1][0], nn.Tanh)
    m.set_submodule("1.extra", nn.ReLU())
    with pytest.raises(AttributeError, match="has no attribute"):
        m.set_submodule("1.missing", nn.ReLU(), strict=True)
    with pytest.raises(ValueError, match="not an nn.Module"):
        m.set_submodule("0", "relu")


@pytest.mark.torch
def test_against_torch() -> None:
    torch = pytest.importorskip("torch")
    logs = []
    for lib in (npgrad, torch):
        net = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Linear(2, 1))
        log = []
        for i, sub in enumerate((net, net[0], net[1])):
            sub.register_state_dict_pre_hook(
                lambda m, p, k, i=i, log=log: log.append(("pre", i, p))
            )
            sub.register_state_dict_post_hook(
                lambda m, sd, p, md, i=i, log=log: log.append(("post", i, p))
            )
            sub.register_load_state_dict_post_hook(
                lambda m, inc, i=i, log=log: log.append(("load", i, sorted(inc.missing_keys)))
            )
        sd = net.state_dict()
        net.load_state_dict({k: v for k, v in sd.items() if k != "1.bias"}, strict=False)
        logs.append(log)
    assert logs[0] == logs[1]
    np.testing.assert_equal(len(logs[0]), 9)
