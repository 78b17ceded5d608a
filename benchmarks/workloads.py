"""The benchmark workloads, each written three times: npgrad, hand-written NumPy (forward and
backward), and PyTorch. ``make(name, framework, rng)`` returns ``(step, result)``: ``step()``
runs one forward + backward, ``result()`` returns arrays to compare across frameworks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Workload = tuple[Callable[[], Any], Callable[[], list[np.ndarray]]]


# ---- overhead: 1000 chained tiny ops --------------------------------------------------------
def overhead(fw: str, rng: np.random.Generator) -> Workload:
    x0 = rng.standard_normal(16).astype(np.float32)
    n = 1000
    out: dict[str, Any] = {}
    if fw == "numpy":
        a, b = np.float32(1.0001), np.float32(0.0001)

        def step() -> None:
            y = x0
            for _ in range(n):
                y = y * a + b
            g = np.ones_like(x0)
            for _ in range(n):
                g = g * a
            out["y"], out["g"] = y, g

        return step, lambda: [out["y"], out["g"]]
    if fw == "npgrad":
        import npgrad

        def step() -> None:
            x = npgrad.tensor(x0, requires_grad=True)
            y = x
            for _ in range(n):
                y = y * 1.0001 + 0.0001
            y.backward(npgrad.ones(16))
            out["y"], out["g"] = y.detach().numpy(), x.grad.numpy()

        return step, lambda: [out["y"], out["g"]]
    import torch

    def step() -> None:
        x = torch.tensor(x0, requires_grad=True)
        y = x
        for _ in range(n):
            y = y * 1.0001 + 0.0001
        y.backward(torch.ones(16))
        out["y"], out["g"] = y.detach().numpy(), x.grad.numpy()

    return step, lambda: [out["y"], out["g"]]


# ---- mlp: 784-256-128-10 ReLU, batch 128, softmax cross-entropy ------------------------------
def mlp(fw: str, rng: np.random.Generator) -> Workload:
    sizes = [784, 256, 128, 10]
    ws = [
        (rng.standard_normal((i, o)) / np.sqrt(i)).astype(np.float32)
        for i, o in zip(sizes, sizes[1:])
    ]
    bs = [np.zeros(o, np.float32) for o in sizes[1:]]
    x = rng.standard_normal((128, 784)).astype(np.float32)
    y = rng.integers(0, 10, 128)
    out: dict[str, Any] = {}
    if fw == "numpy":

        def step() -> None:
            acts = [x]
            h = x
            for i, (w, b) in enumerate(zip(ws, bs)):
                h = h @ w + b
                if i < 2:
                    h = np.maximum(h, 0)
                acts.append(h)
            m = h.max(axis=1, keepdims=True)
            e = np.exp(h - m)
            s = e.sum(axis=1, keepdims=True)
            logp = h - m - np.log(s)
            loss = -logp[np.arange(128), y].mean()
            g = e / s
            g[np.arange(128), y] -= 1
            g /= 128
            grads = []
            for i in (2, 1, 0):
                grads.append((acts[i].T @ g, g.sum(axis=0)))
                if i > 0:
                    g = (g @ ws[i].T) * (acts[i] > 0)
            out["loss"], out["grads"] = np.float32(loss), grads[::-1]

        return step, lambda: [out["loss"]] + [a for pair in out["grads"] for a in pair]
    if fw == "npgrad":
        import npgrad

        params = [
            (npgrad.tensor(w, requires_grad=True), npgrad.tensor(b, requires_grad=True))
            for w, b in zip(ws, bs)
        ]
        xt, yt = npgrad.tensor(x), npgrad.tensor(y)

        def step() -> None:
            h = xt
            for i, (w, b) in enumerate(params):
                w.grad = b.grad = None
                h = h @ w + b
                if i < 2:
                    h = h.relu()
            logp = h.log_softmax(dim=1)
            loss = -logp[npgrad.arange(128), yt].mean()
            loss.backward()
            out["loss"] = loss.detach().numpy()

        return step, lambda: [out["loss"]] + [t.grad.numpy() for pair in params for t in pair]
    import torch

    params_t = [
        (torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True))
        for w, b in zip(ws, bs)
    ]
    xt_, yt_ = torch.tensor(x), torch.tensor(y)

    def step() -> None:
        h = xt_
        for i, (w, b) in enumerate(params_t):
            w.grad = b.grad = None
            h = h @ w + b
            if i < 2:
                h = h.relu()
        logp = h.log_softmax(dim=1)
        loss = -logp[torch.arange(128), yt_].mean()
        loss.backward()
        out["loss"] = loss.detach().numpy()

    return step, lambda: [out["loss"]] + [t.grad.numpy() for pair in params_t for t in pair]


# ---- matmul: 1024² @ 1024² and backward ------------------------------------------------------
def matmul(fw: str, rng: np.random.Generator) -> Workload:
    a0 = rng.standard_normal((1024, 1024)).astype(np.float32)
    b0 = rng.standard_normal((1024, 1024)).astype(np.float32)
    g0 = rng.standard_normal((1024, 1024)).astype(np.float32)
    out: dict[str, Any] = {}
    if fw == "numpy":

        def step() -> None:
            c = a0 @ b0
            out["r"] = [c, g0 @ b0.T, a0.T @ g0]

        return step, lambda: out["r"]
    if fw == "npgrad":
        import npgrad

        a, b, g = (
            npgrad.tensor(a0, requires_grad=True),
            npgrad.tensor(b0, requires_grad=True),
            npgrad.tensor(g0),
        )

        def step() -> None:
            a.grad = b.grad = None
            c = a @ b
            c.backward(g)
            out["r"] = [c.detach().numpy(), a.grad.numpy(), b.grad.numpy()]

        return step, lambda: out["r"]
    import torch

    at, bt, gt = (
        torch.tensor(a0, requires_grad=True),
        torch.tensor(b0, requires_grad=True),
        torch.tensor(g0),
    )

    def step() -> None:
        at.grad = bt.grad = None
        c = at @ bt
        c.backward(gt)
        out["r"] = [c.detach().numpy(), at.grad.numpy(), bt.grad.numpy()]

    return step, lambda: out["r"]


WORKLOADS: dict[str, Callable[[str, np.random.Generator], Workload]] = {
    "overhead": overhead,
    "mlp": mlp,
    "matmul": matmul,
}
# targets from the issues: npgrad / reference at most this (reference = "numpy" or "torch")
TARGETS = {"overhead": ("torch", 0.5), "mlp": ("numpy", 1.15), "matmul": ("numpy", 1.03)}
