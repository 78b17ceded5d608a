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


# ---- GradientEdge / get_gradient_edge ------------------------------------------------------
def test_grad_with_respect_to_an_edge_is_the_grad_with_respect_to_its_tensor():
    from npgrad.autograd.graph import GradientEdge, get_gradient_edge

    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    z = (y * y).sum()
    for t in (x, y):
        edge = get_gradient_edge(t)
        assert isinstance(edge, GradientEdge) and edge.output_nr == 0
        (by_edge,) = npgrad.autograd.grad(z, edge, retain_graph=True)
        (by_tensor,) = npgrad.autograd.grad(z, t, retain_graph=True)
        assert by_edge.tolist() == by_tensor.tolist()
    assert get_gradient_edge(x).node is x and get_gradient_edge(y).node is y.grad_fn


def test_an_edge_keeps_naming_the_value_after_an_in_place_change():
    from npgrad.autograd.graph import get_gradient_edge

    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    edge = get_gradient_edge(y)
    y.mul_(2)
    assert npgrad.autograd.grad((y * y).sum(), edge)[0].tolist() == [24.0, 48.0]


def test_edges_of_a_multi_output_node_and_materialized_zeros():
    from npgrad.autograd.graph import get_gradient_edge

    x = npgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a, b, c = x.split(1)
    out = (a * 2 + b * 5).sum()
    ga, gb, gc = npgrad.autograd.grad(
        out, [get_gradient_edge(t) for t in (a, b, c)], materialize_grads=True
    )
    assert (ga.tolist(), gb.tolist(), gc.tolist()) == ([2.0], [5.0], [0.0])
    w = npgrad.tensor([1.0, 1.0], requires_grad=True)
    (gw,) = npgrad.autograd.grad((x * 2).sum(), get_gradient_edge(w), materialize_grads=True)
    assert gw.tolist() == [0.0, 0.0]
    unused = get_gradient_edge(w * 2)  # one output: npgrad does not keep its shape
    with pytest.raises(RuntimeError, match="materialize_grads needs the shape"):
        npgrad.autograd.grad((x * 2).sum(), unused, materialize_grads=True)
    with pytest.raises(RuntimeError, match="GradientEdge of output 0 of MulBackward"):
        npgrad.autograd.grad((x * 2).sum(), unused)
    assert npgrad.autograd.grad((x * 2).sum(), unused, allow_unused=True) == (None,)


def test_backward_with_edges_accumulates_into_leaves_only():
    from npgrad.autograd.graph import get_gradient_edge

    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    z = (y * y).sum()
    z.backward(inputs=[get_gradient_edge(y)], retain_graph=True)
    assert x.grad is None and y.grad is None
    z.backward(inputs=[get_gradient_edge(x)])
    assert x.grad.tolist() == [18.0, 36.0]


def test_get_gradient_edge_needs_a_tensor_that_requires_grad():
    from npgrad.autograd.graph import get_gradient_edge

    with pytest.raises(RuntimeError, match="does not require gradients"):
        get_gradient_edge(npgrad.ones(2))


@pytest.mark.torch
def test_gradient_edges_match_torch():
    torch = pytest.importorskip("torch")
    from npgrad.autograd.graph import get_gradient_edge

    def run(lib, edge_of):
        x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        h = x.exp()
        p, q = h.split([1, 2])
        h2 = h * 1.0
        edges = [edge_of(t) for t in (x, h, p, q, h2)]
        h2.mul_(3)
        loss = (p * q.sum() + h2.sin().sum()).sum()
        return [g.detach().numpy() for g in lib.autograd.grad(loss, edges)]

    ours = run(npgrad, get_gradient_edge)
    theirs = run(torch, torch.autograd.graph.get_gradient_edge)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-6)
