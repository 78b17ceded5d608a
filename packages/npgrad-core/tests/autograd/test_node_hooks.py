"""grad_fn.register_prehook / register_hook: PyTorch's hooks on a graph node."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.testing import assert_close


def test_prehook_replaces_the_gradients_and_is_removable() -> None:
    a = npgrad.tensor([0.0, 0.0, 0.0], requires_grad=True)
    b = a.clone()
    handle = b.grad_fn.register_prehook(lambda g: (g[0] * 2,))
    b.sum().backward(retain_graph=True)
    assert_close(a.grad, npgrad.tensor([2.0, 2.0, 2.0]))
    handle.remove()
    a.grad = None
    b.sum().backward()
    assert_close(a.grad, npgrad.tensor([1.0, 1.0, 1.0]))


def test_post_hook_sees_inputs_and_outputs_and_replaces_grad_inputs() -> None:
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    w = npgrad.tensor([3.0, 4.0], requires_grad=True)
    y = x * w
    seen = []

    def hook(grad_inputs, grad_outputs):
        seen.append((tuple(g.tolist() for g in grad_inputs), grad_outputs[0].tolist()))
        return (grad_inputs[0] * 10, None)

    y.grad_fn.register_hook(hook)
    y.backward(npgrad.tensor([1.0, -1.0]))
    assert seen == [(([3.0, -4.0], [1.0, -2.0]), [1.0, -1.0])]
    assert_close(x.grad, npgrad.tensor([30.0, -40.0]))
    assert w.grad is None  # the hook dropped w's gradient


def test_order_tensor_hook_then_retain_grad_then_node_prehook() -> None:
    a = npgrad.tensor([1.0], requires_grad=True)
    b = a * 2
    calls = []
    b.grad_fn.register_prehook(lambda g: calls.append("node") or (g[0] * 3,))
    b.register_hook(lambda g: calls.append("tensor") or g * 5)
    b.retain_grad()
    (b * 1).sum().backward()
    assert calls == ["tensor", "node"]
    assert_close(b.grad, npgrad.tensor([5.0]))  # retained after the tensor hook, before the node's
    assert_close(a.grad, npgrad.tensor([30.0]))


def test_hooks_under_create_graph_are_differentiable() -> None:
    x = npgrad.tensor([1.5], requires_grad=True, dtype=npgrad.float64)
    y = x**3
    y.grad_fn.register_prehook(lambda g: (g[0] * x,))  # the gradient now depends on x again
    (g,) = npgrad.autograd.grad(y, x, npgrad.ones_like(y), create_graph=True)
    assert_close(g, 3 * x.detach() ** 3)  # x * 3x^2
    (gg,) = npgrad.autograd.grad(g, x)
    assert_close(gg, 9 * x.detach() ** 2)


def test_wrong_number_of_values_raises() -> None:
    a = npgrad.tensor([1.0], requires_grad=True)
    b = a * 2
    b.grad_fn.register_hook(lambda gi, go: (gi[0],))  # Mul has two inputs
    with pytest.raises(RuntimeError, match="incorrect number of values"):
        b.backward(npgrad.ones(1))


@pytest.mark.torch
def test_against_torch() -> None:
    torch = pytest.importorskip("torch")
    data = np.array([[0.5, -1.0], [2.0, 0.25]])
    results = []
    for lib in (npgrad, torch):
        x = lib.tensor(data, requires_grad=True)
        y = (x.exp() * x).sum(1)
        log = []
        y.grad_fn.register_prehook(lambda g, log=log: log.append(g[0].tolist()) or (g[0] * 2,))
        y.grad_fn.next_functions[0][0].register_hook(
            lambda gi, go, log=log: log.append([g is None for g in gi]) or None
        )
        y.backward(lib.tensor([1.0, -3.0], dtype=lib.float64))
        results.append((log, x.grad.numpy()))
    assert results[0][0] == results[1][0]
    np.testing.assert_allclose(results[0][1], results[1][1])
