"""npgrad.utils.checkpoint: recomputation instead of saved activations."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import npgrad
from npgrad.testing import assert_close
from npgrad.utils.checkpoint import CheckpointError, checkpoint, checkpoint_sequential

F64 = npgrad.float64


def _params():
    rng = np.random.default_rng(0)
    w1 = npgrad.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w2 = npgrad.tensor(rng.standard_normal((4, 2)), requires_grad=True)
    x = npgrad.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    return w1, w2, x


def _block(w1, w2):
    def f(x):
        return ((x @ w1).tanh() @ w2).exp().sum(1)

    return f


def test_gradients_equal_the_plain_run_including_parameters() -> None:
    w1, w2, x = _params()
    f = _block(w1, w2)
    f(x).sum().backward()
    expected = [t.grad.clone() for t in (w1, w2, x)]
    for t in (w1, w2, x):
        t.grad = None
    y = checkpoint(f, x, use_reentrant=False)
    y.sum().backward()
    for t, e in zip((w1, w2, x), expected):
        assert_close(t.grad, e)
    # the parameters get gradients even when no argument requires grad
    w1.grad = w2.grad = None
    checkpoint(f, x.detach(), use_reentrant=True).sum().backward()
    assert_close(w1.grad, expected[0])


def test_autograd_grad_and_kwargs() -> None:
    w1, w2, x = _params()
    f = _block(w1, w2)
    (g_plain,) = npgrad.autograd.grad(f(x).sum(), w2)
    y = checkpoint(lambda x, scale: f(x) * scale, x, scale=2.0, use_reentrant=False)
    (g_ckpt,) = npgrad.autograd.grad(y.sum(), w2)
    assert_close(g_ckpt, 2 * g_plain)


def test_intermediates_are_not_kept() -> None:
    kept: list[weakref.ref] = []

    def f(x):
        h = x.exp()
        kept.append(weakref.ref(h))
        return (h * h).sum()

    x = npgrad.tensor([1.0, 2.0], requires_grad=True, dtype=F64)
    y_plain = f(x)
    gc.collect()
    assert kept[-1]() is not None  # the plain graph keeps exp's output for the backward
    y = checkpoint(f, x, use_reentrant=False)
    gc.collect()
    assert kept[-1]() is None  # the checkpointed one does not
    y.backward()
    y_plain.backward()
    assert_close(x.grad, 2 * (2 * x.detach().exp() ** 2))  # two backwards of d/dx e^(2x)


def test_random_numbers_are_replayed_and_the_generator_moves_on_as_without() -> None:
    x = npgrad.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True, dtype=F64)

    def f(t):
        return (t * npgrad.rand(4, dtype=F64)).sum() * t.sum()

    npgrad.manual_seed(5)
    f(x).backward()
    expected = x.grad.clone()
    after_plain = npgrad.rand(3)
    x.grad = None
    npgrad.manual_seed(5)
    y = checkpoint(f, x, use_reentrant=False)
    y.backward()
    assert_close(x.grad, expected)
    assert_close(npgrad.rand(3), after_plain)  # the recomputation's draws don't count


def test_a_different_second_run_raises() -> None:
    calls = []

    def f(t):
        calls.append(1)
        return (t * t).sum() if len(calls) == 1 else (t[:1] * t[:1]).sum()

    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = checkpoint(f, x, use_reentrant=False)
    with pytest.raises(CheckpointError, match="shape"):
        y.backward()


def test_second_order_raises_and_no_grad_runs_plainly() -> None:
    x = npgrad.tensor([1.0, 2.0], requires_grad=True, dtype=F64)
    y = checkpoint(lambda t: (t**3).sum(), x, use_reentrant=False)
    with pytest.raises(RuntimeError, match="second-order"):
        npgrad.autograd.grad(y, x, create_graph=True)
    with npgrad.no_grad():
        z = checkpoint(lambda t: t * 2, x, use_reentrant=False)
    assert z.grad_fn is None


def test_argument_checks() -> None:
    x = npgrad.tensor([1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="use_reentrant"):
        checkpoint(lambda t: t * 2, x)
    with pytest.raises(ValueError, match="determinism_check"):
        checkpoint(lambda t: t, x, use_reentrant=False, determinism_check="strict")
    with pytest.raises(ValueError, match="segments"):
        checkpoint_sequential([lambda t: t], 0, x, use_reentrant=False)


@pytest.mark.parametrize("segments", [1, 2, 3, 7])
def test_checkpoint_sequential_equals_the_plain_chain(segments) -> None:
    fns = [lambda t: t * 2, lambda t: t.sin(), lambda t: t * t, lambda t: t.exp()]
    x = npgrad.tensor([0.5, -0.3], requires_grad=True, dtype=F64)
    plain = x
    for fn in fns:
        plain = fn(plain)
    (expected,) = npgrad.autograd.grad(plain.sum(), x)
    out = checkpoint_sequential(fns, segments, x, use_reentrant=False)
    assert_close(out, plain.detach())
    (got,) = npgrad.autograd.grad(out.sum(), x)
    assert_close(got, expected)


@pytest.mark.torch
def test_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    from torch.utils.checkpoint import checkpoint as torch_checkpoint

    rng = np.random.default_rng(1)
    data = [rng.standard_normal(s) for s in ((3, 4), (4, 2), (5, 3))]
    grads = []
    for lib, ckpt in ((npgrad, checkpoint), (torch, torch_checkpoint)):
        w1, w2, x = (lib.tensor(d, requires_grad=True) for d in data)
        y = ckpt(lambda t, w1=w1, w2=w2: ((t @ w1).tanh() @ w2).sigmoid(), x, use_reentrant=False)
        (y * y).sum().backward()
        grads.append([t.grad.numpy() for t in (w1, w2, x)])
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-12)
