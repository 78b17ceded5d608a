"""Random graphs against PyTorch: shared intermediates, several outputs of one op, in-place
writes through views, retained gradients. The engine runs nodes in decreasing recording order;
a node run before all its senders (or twice) shows up here as a wrong gradient or an error."""

from __future__ import annotations

import random

import numpy as np
import pytest

import npgrad


def _run(lib, seed, starts):
    rng = random.Random(seed)
    xs = [lib.tensor(x, requires_grad=True) for x in starts]
    pool = list(xs)
    retained = []
    for _ in range(rng.randint(5, 25)):
        op = rng.choice(
            ["add", "mul", "exp", "tanh", "split", "unbind", "max", "sum", "write", "cat", "keep"]
        )
        a, b = rng.choice(pool), rng.choice(pool)
        if op == "add":
            pool.append(a + b)
        elif op == "mul":
            pool.append(a * b * 0.5)
        elif op == "exp":
            pool.append((a * 0.1).exp())
        elif op == "tanh":
            pool.append(a.tanh() + pool[0])  # reuses the first input: edges to an old node
        elif op == "split":  # one node, two outputs used in swapped order
            p, q = a.split([2, 2], dim=1)
            pool.append(lib.cat([q, p], dim=1))
        elif op == "unbind":
            rows = a.unbind(0)
            pool.append(lib.stack([rows[-1], rows[0], *rows[1:-1]], 0))
        elif op == "max":
            values, _ = a.max(dim=1, keepdim=True)
            pool.append(a - values)
        elif op == "sum":
            pool.append(a.sum(dim=0, keepdim=True) * a)
        elif op == "write":  # in place through a view of a fresh intermediate
            c = a * 1.0
            c[0] += b[1]
            pool.append(c)
        elif op == "cat":
            pool.append(lib.cat([a[:, :2], b[:, 2:]], dim=1))
        else:
            c = a * 2.0
            c.retain_grad()
            retained.append(c)
            pool.append(c)
    outs = rng.sample(pool, k=min(3, len(pool)))
    sum((o * (k + 1)).sum() for k, o in enumerate(outs)).backward()
    return [x.grad for x in xs] + [r.grad for r in retained]


@pytest.mark.torch
@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_give_pytorchs_gradients(seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    starts = [rng.standard_normal((3, 4)) for _ in range(3)]
    theirs = _run(torch, seed, starts)
    ours = _run(npgrad, seed, starts)
    assert len(ours) == len(theirs)
    for a, b in zip(theirs, ours):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-10, atol=1e-12)
