"""npgrad.autograd.graph: Node, saved_tensors_hooks & co., register_multi_grad_hook,
increment_version."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.autograd.engine import queue_callback
from npgrad.autograd.graph import (
    Node,
    disable_saved_tensors_hooks,
    increment_version,
    register_multi_grad_hook,
    save_on_cpu,
    saved_tensors_hooks,
)
from npgrad.testing import assert_close


def test_every_grad_fn_is_a_node_with_metadata() -> None:
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2).sum()
    assert isinstance(y.grad_fn, Node)
    assert not isinstance(x, Node)
    y.grad_fn.metadata["tag"] = 7
    assert y.grad_fn.metadata == {"tag": 7}
    assert (x * 2).grad_fn.metadata == {}


def test_pack_and_unpack_see_the_saved_tensors() -> None:
    x = npgrad.tensor([1.0, 2.0, 3.0], requires_grad=True, dtype=npgrad.float64)
    packed, unpacked = [], []

    def pack(t):
        packed.append(t)
        return ("box", len(packed) - 1)

    def unpack(key):
        unpacked.append(key)
        return packed[key[1]]

    with saved_tensors_hooks(pack, unpack):
        y = x.exp()  # saves its output
        z = (y * x).sum()  # saves both inputs
    assert len(packed) == 3
    assert any(p is x for p in packed)
    z.backward()
    assert len(unpacked) == 3
    assert_close(x.grad, (x.detach().exp() * (x.detach() + 1)))
    # outside the context nothing is packed
    w = (x * x).sum()
    w.backward()
    assert len(packed) == 3


def test_hooks_that_copy_give_the_same_gradients_to_second_order() -> None:
    x = npgrad.tensor([0.5, -1.5], requires_grad=True, dtype=npgrad.float64)
    with saved_tensors_hooks(lambda t: t, lambda t: t):
        y = (x.sin() * x).sum()
    (g,) = npgrad.autograd.grad(y, x, create_graph=True)
    xd = x.detach()
    assert_close(g, xd.cos() * xd + xd.sin())
    (gg,) = npgrad.autograd.grad(g.sum(), x)
    assert_close(gg, -xd.sin() * xd + 2 * xd.cos())


def test_innermost_context_applies_and_bad_unpack_raises() -> None:
    x = npgrad.tensor([1.0], requires_grad=True)
    calls = []
    with (
        saved_tensors_hooks(lambda t: calls.append("outer") or t, lambda t: t),
        saved_tensors_hooks(lambda t: calls.append("inner") or 42, lambda k: k),
    ):
        y = x * x
    assert calls == ["inner", "inner"]
    with pytest.raises(TypeError, match="must return a Tensor"):
        y.backward(npgrad.ones(1))


def test_disable_and_save_on_cpu() -> None:
    with (
        disable_saved_tensors_hooks("saved tensor hooks are off here"),
        pytest.raises(RuntimeError, match="are off here"),
        save_on_cpu(pin_memory=True),
    ):
        pass
    x = npgrad.tensor([2.0], requires_grad=True)
    with save_on_cpu():
        y = x**3
    y.backward(npgrad.ones(1))
    assert_close(x.grad, npgrad.tensor([12.0]))


def test_multi_grad_hook_all_and_any() -> None:
    a = npgrad.tensor([1.0], requires_grad=True)
    b = npgrad.tensor([2.0], requires_grad=True)
    seen = []
    h = register_multi_grad_hook((a, b), lambda grads: seen.append([g is not None for g in grads]))
    (a * b).sum().backward()
    (a * 3).sum().backward()
    assert seen == [[True, True], [True, False]]
    h.remove()
    (a * b).sum().backward()
    assert len(seen) == 2
    firsts = []
    register_multi_grad_hook((a, b), lambda g: firsts.append(g.item()), mode="any")
    (a * 5 + b * 7).sum().backward()
    (b * 4).sum().backward()
    assert len(firsts) == 2 and firsts[1] == 4.0
    with pytest.raises(ValueError, match="mode"):
        register_multi_grad_hook((a,), print, mode="some")


def test_increment_version_makes_backward_refuse() -> None:
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = (y * y).sum()
    increment_version(y)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def test_queue_callback_needs_a_running_backward() -> None:
    with pytest.raises(RuntimeError, match="no backward pass is running"):
        queue_callback(lambda: None)
    x = npgrad.tensor([1.0], requires_grad=True)
    order = []
    x.register_hook(lambda g: queue_callback(lambda: order.append("callback")) or None)
    (x * 2).sum().backward()
    assert order == ["callback"]


@pytest.mark.torch
def test_multi_grad_hook_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    out = []
    for lib in (npgrad, torch):
        a = lib.tensor([1.0, -2.0], requires_grad=True)
        b = lib.tensor([0.5], requires_grad=True)
        c = lib.tensor([3.0], requires_grad=True)
        got = []

        def hook(grads, got=got):
            got.append([None if g is None else g.tolist() for g in grads])

        torch_mod = lib.autograd.graph
        torch_mod.register_multi_grad_hook((a, b, c), hook)
        ((a * b).sum() * 2).backward()
        out.append(got)
    assert out[0] == out[1]
    np.testing.assert_equal(len(out[0]), 1)
