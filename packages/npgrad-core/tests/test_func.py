"""npgrad.func: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, vmap."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import func as nf
from npgrad.testing import assert_close

F64 = npgrad.float64
RNG = np.random.default_rng(0)
A = RNG.standard_normal((3,))
B = RNG.standard_normal((3,))
M = RNG.standard_normal((4, 3))


def t(a, **kw):
    return npgrad.tensor(a, dtype=F64, **kw)


def f_scalar(x, y):
    return (x.sin() * y).sum() + (x * x * y).sum()


def test_grad_argnums_has_aux_and_value() -> None:
    x, y = t(A), t(B)
    gx = nf.grad(f_scalar)(x, y)
    assert_close(gx, x.cos() * y + 2 * x * y)
    assert not gx.requires_grad and not x.requires_grad
    gx2, gy = nf.grad(f_scalar, argnums=(0, 1))(x, y)
    assert_close(gx2, gx)
    assert_close(gy, x.sin() + x * x)
    g, aux = nf.grad(lambda x: ((x**2).sum(), x.mean()), has_aux=True)(x)
    assert_close(g, 2 * x)
    assert_close(aux, x.mean())
    g, (value, aux) = nf.grad_and_value(lambda x: ((x**2).sum(), "aux"), has_aux=True)(x)
    assert value.item() == pytest.approx(float((A**2).sum())) and aux == "aux"
    # pytrees: a dict of tensors as the differentiated argument
    g = nf.grad(lambda p: (p["w"] * p["b"]).sum())({"w": x, "b": y})
    assert_close(g["w"], y)
    assert_close(g["b"], x)


def test_nested_grad_and_gradient_penalty() -> None:
    x = t(1.5)
    third = nf.grad(nf.grad(nf.grad(lambda x: x**4)))(x)
    assert_close(third, 24 * x)
    # when an argument requires grad the gradient stays differentiable
    w = t(A, requires_grad=True)
    g = nf.grad(lambda w: (w**3).sum())(w)
    g.sum().backward()
    assert_close(w.grad, 6 * w.detach())


def test_grad_errors() -> None:
    x = t(A)
    with pytest.raises(RuntimeError, match="one element"):
        nf.grad(lambda x: x * 2)(x)
    with pytest.raises(RuntimeError, match="floating point"):
        nf.grad(lambda x: x.sum())(npgrad.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="argnums"):
        nf.grad(f_scalar, argnums=2)(x, x)
    with pytest.raises(RuntimeError, match="has_aux"):
        nf.grad(lambda x: x.sum(), has_aux=True)(x)


def test_vjp_and_jvp() -> None:
    x = t(A)
    out, vjp_fn = nf.vjp(lambda x: x.exp() * 2, x)
    (v,) = vjp_fn(t(B))
    assert_close(v, 2 * x.exp() * t(B))
    assert_close(out, 2 * x.exp())
    with pytest.raises(RuntimeError, match="cotangents"):
        vjp_fn(t(M))
    out, jv = nf.jvp(lambda x, y: x * y.sin(), (x, t(B)), (t(B), t(A)))
    assert_close(jv, t(B) * t(B).sin() + x * t(B).cos() * t(A))
    with pytest.raises(RuntimeError, match="one tangent per primal"):
        nf.jvp(lambda x: x, (x,), ())


def test_jacobians_and_hessian() -> None:
    x = t(A)
    jr = nf.jacrev(lambda x: t(M) @ x.tanh())(x)
    assert_close(jr, t(M) * (1 - x.tanh() ** 2))
    assert_close(nf.jacfwd(lambda x: t(M) @ x.tanh())(x), jr)
    ja, jb = nf.jacrev(lambda a, b: a * b, argnums=(0, 1))(x, t(B))
    assert_close(ja, npgrad.diag(t(B)))
    assert_close(jb, npgrad.diag(x))
    h = nf.hessian(lambda x: (x**3).sum() + x[0] * x[1])(x)
    expected = npgrad.diag(6 * x)
    expected[0, 1] += 1
    expected[1, 0] += 1
    assert_close(h, expected)


def test_vmap_dims_pytrees_kwargs_and_errors() -> None:
    xs, ys = t(M), t(RNG.standard_normal((3, 4)))
    assert_close(nf.vmap(npgrad.dot, in_dims=(0, 1))(xs, ys), (xs * ys.T).sum(1))
    out = nf.vmap(lambda x, s: x * s, in_dims=(1, None))(xs, t(2.0))
    assert_close(out, 2 * xs.T)
    out = nf.vmap(lambda x: (x.sum(), x * 2), out_dims=(0, 1))(xs)
    assert_close(out[0], xs.sum(1))
    assert_close(out[1], 2 * xs.T)
    out = nf.vmap(lambda p, scale=1.0: p["a"] * scale, in_dims=({"a": 0},))({"a": xs}, scale=3.0)
    assert_close(out, 3 * xs)
    with pytest.raises(ValueError, match="at least one input"):
        nf.vmap(lambda x: x, in_dims=None)(xs)
    with pytest.raises(ValueError, match="different sizes"):
        nf.vmap(lambda a, b: a + b)(xs, t(A))
    with pytest.raises(ValueError, match="out of range"):
        nf.vmap(lambda a: a, in_dims=2)(xs)


def test_vmap_randomness_same() -> None:
    npgrad.manual_seed(0)
    out = nf.vmap(lambda x: x + npgrad.rand(2), randomness="same")(npgrad.zeros(3, 2))
    assert_close(out[0], out[1])
    assert_close(out[1], out[2])
    out = nf.vmap(lambda x: x + npgrad.rand(2), randomness="different")(npgrad.zeros(3, 2))
    assert not np.allclose(out[0].numpy(), out[1].numpy())


@pytest.mark.torch
def test_against_torch_func() -> None:
    torch = pytest.importorskip("torch")
    import torch.func as tf

    def loss(w, x, y):  # per-sample gradients of a tiny linear model
        return ((x @ w - y) ** 2).mean()

    w, xs, ys = RNG.standard_normal(3), RNG.standard_normal((5, 3)), RNG.standard_normal(5)
    results = []
    for lib, fn in ((npgrad, nf), (torch, tf)):
        W, X, Y = (lib.tensor(a) for a in (w, xs, ys))
        per_sample = fn.vmap(fn.grad(loss), in_dims=(None, 0, 0))(W, X, Y)
        jac = fn.jacrev(lambda w, X=X: (X @ w).tanh())(W)
        hes = fn.hessian(lambda w, X=X: (X @ w).sin().sum())(W)
        _, jv = fn.jvp(lambda w, X=X: (X @ w).exp(), (W,), (lib.tensor(ys[:3]),))
        results.append([r.numpy() for r in (per_sample, jac, hes, jv)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


# ---- linearize -------------------------------------------------------------------------------
def _two_outputs(a: npgrad.Tensor, b: npgrad.Tensor) -> tuple[npgrad.Tensor, npgrad.Tensor]:
    return (a.sin() * b, (a * b).exp().sum())


def test_linearize_equals_jvp_for_every_tangent_and_runs_func_once() -> None:
    rng = np.random.default_rng(0)
    a = npgrad.tensor(rng.standard_normal(3))
    b = npgrad.tensor(rng.standard_normal(3))
    calls = []

    def f(x: npgrad.Tensor, y: npgrad.Tensor) -> tuple[npgrad.Tensor, npgrad.Tensor]:
        calls.append(1)
        return _two_outputs(x, y)

    out, jvp_fn = nf.linearize(f, a, b)
    assert_close(out[0], a.sin() * b)
    assert not out[0].requires_grad
    for _ in range(3):
        ta, tb = npgrad.tensor(rng.standard_normal(3)), npgrad.tensor(rng.standard_normal(3))
        got = jvp_fn(ta, tb)
        _, want = nf.jvp(_two_outputs, (a, b), (ta, tb))
        assert_close(got[0], want[0])
        assert_close(got[1], want[1])
    assert len(calls) == 1


def test_linearize_of_a_function_independent_of_an_input() -> None:
    out, jvp_fn = nf.linearize(lambda x, y: x * 2, npgrad.ones(2), npgrad.ones(3))
    assert_close(jvp_fn(npgrad.tensor([1.0, 2.0]), npgrad.ones(3)), npgrad.tensor([2.0, 4.0]))


def test_linearize_checks_the_tangents() -> None:
    _, jvp_fn = nf.linearize(lambda x: x * 2, npgrad.ones(2))
    with pytest.raises(RuntimeError, match="linearize: expected one tangent per primal"):
        jvp_fn(npgrad.ones(2), npgrad.ones(2))
    with pytest.raises(RuntimeError, match="linearize: each tangent must be a Tensor"):
        jvp_fn(npgrad.ones(3))


@pytest.mark.torch
def test_linearize_matches_pytorch() -> None:
    torch = pytest.importorskip("torch")
    x = np.array([0.3, -1.2, 2.0])
    t = np.array([1.0, 0.5, -2.0])
    _, ours = nf.linearize(lambda v: (v.sin() * v).tanh(), npgrad.tensor(x))
    _, theirs = torch.func.linearize(lambda v: (v.sin() * v).tanh(), torch.tensor(x))
    np.testing.assert_allclose(ours(npgrad.tensor(t)).numpy(), theirs(torch.tensor(t)).numpy())
