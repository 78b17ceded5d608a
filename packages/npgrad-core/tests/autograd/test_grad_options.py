"""autograd.grad's is_grads_batched / only_inputs, and jacobian/hessian's strategy arguments."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.autograd.functional import hessian, jacobian
from npgrad.testing import assert_close


def test_batched_grads_are_one_vjp_per_entry() -> None:
    x = npgrad.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True, dtype=npgrad.float64)
    y = (x * x).sum(1) * x[:, 0]  # shape (2,)
    v = npgrad.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, -1.0]], dtype=npgrad.float64)
    (batched,) = npgrad.autograd.grad(y, x, v, retain_graph=True, is_grads_batched=True)
    assert batched.shape == (3, 2, 2)
    for b in range(3):
        (one,) = npgrad.autograd.grad(y, x, v[b], retain_graph=True)
        assert_close(batched[b], one)
    assert y.grad_fn is not None and x.grad is None


def test_batched_grads_unused_inputs_and_create_graph() -> None:
    x = npgrad.tensor([1.0, 2.0], requires_grad=True, dtype=npgrad.float64)
    z = npgrad.tensor(2.0, requires_grad=True, dtype=npgrad.float64)
    eye = npgrad.eye(2, dtype=npgrad.float64)
    gx, gz = npgrad.autograd.grad(x**3, [x, z], eye, is_grads_batched=True, allow_unused=True)
    assert gz is None
    assert_close(gx, npgrad.diag(3 * x.detach() ** 2))
    _, gz = npgrad.autograd.grad(x**3, [x, z], eye, is_grads_batched=True, materialize_grads=True)
    assert_close(gz, npgrad.zeros(2, dtype=npgrad.float64))
    with pytest.raises(RuntimeError, match="not have been used"):
        npgrad.autograd.grad(x**3, [x, z], eye, is_grads_batched=True)
    (gx,) = npgrad.autograd.grad(x**3, x, eye, create_graph=True, is_grads_batched=True)
    (ggx,) = npgrad.autograd.grad(gx.sum(), x)  # d/dx of sum(diag(3x^2)) = 6x
    assert_close(ggx, 6 * x.detach())


def test_batched_grads_need_matching_batched_grad_outputs() -> None:
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="needs a batched gradient"):
        npgrad.autograd.grad(x * 2, x, is_grads_batched=True)
    with pytest.raises(RuntimeError, match="same batch size"):
        npgrad.autograd.grad(
            [x * 2, x * 3], x, [npgrad.ones(3, 2), npgrad.ones(2, 2)], is_grads_batched=True
        )


def test_only_inputs_is_deprecated_and_ignored() -> None:
    x = npgrad.tensor([1.0], requires_grad=True)
    with pytest.warns(FutureWarning, match="only_inputs argument is deprecated"):
        (g,) = npgrad.autograd.grad((x * 2).sum(), x, only_inputs=False)
    assert_close(g, npgrad.tensor([2.0]))


def test_jacobian_strategies_agree_and_check_arguments() -> None:
    f = lambda t: t * t.sum()  # noqa: E731
    x = npgrad.tensor([1.0, 3.0], dtype=npgrad.float64)
    rev = jacobian(f, x)
    fwd = jacobian(f, x, vectorize=True, strategy="forward-mode")
    assert_close(rev, fwd)
    assert_close(rev, npgrad.tensor([[5.0, 1.0], [3.0, 7.0]], dtype=npgrad.float64))
    with pytest.raises(ValueError, match="forward-mode"):
        jacobian(f, x, strategy="sideways")
    with pytest.raises(NotImplementedError, match="vectorize=True"):
        jacobian(f, x, strategy="forward-mode")
    with pytest.raises(RuntimeError, match="not supported together"):
        jacobian(f, x, strict=True, vectorize=True)
    h = hessian(lambda t: (t**3).sum(), x, vectorize=True, outer_jacobian_strategy="forward-mode")
    assert_close(h, npgrad.diag(6 * x))


@pytest.mark.torch
def test_batched_grads_match_torch() -> None:
    torch = pytest.importorskip("torch")
    data = np.array([[0.3, -1.2, 2.0], [1.0, 0.5, -0.7]])
    v = np.random.default_rng(0).standard_normal((4, 2))
    results = []
    for lib in (npgrad, torch):
        x = lib.tensor(data, requires_grad=True)
        y = (x.exp() * x).sum(1)
        (g,) = lib.autograd.grad(y, x, lib.tensor(v), is_grads_batched=True)
        results.append(g.detach().numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)
