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
# targets from the issues: npgrad / reference at most this (reference = "numpy" or "torch");
# a list when a workload has several (run.py reads both forms)
TARGETS: dict[str, tuple[str, float] | list[tuple[str, float]]] = {
    "overhead": ("torch", 0.5),
    "mlp": [("torch", 1.0), ("numpy", 1.15)],
    "matmul": ("numpy", 1.03),
}


# ---- convolution and pooling (issue 7) ------------------------------------------------------
# Hand-written NumPy references: im2col with sliding_window_view + one einsum per group.
def _np_conv2d(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, pad: int, groups: int
) -> tuple[np.ndarray, Any]:
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    k = w.shape[2]
    win = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(2, 3))[
        :, :, ::stride, ::stride
    ]
    cg, og = w.shape[1], w.shape[0] // groups
    ys = [
        np.einsum(
            "nchwij,ocij->nohw",
            win[:, g * cg : (g + 1) * cg],
            w[g * og : (g + 1) * og],
            optimize=True,
        )
        for g in range(groups)
    ]
    y = np.concatenate(ys, axis=1) + b[:, None, None]
    return y, (xp.shape, win, w, stride, pad, groups)


def _np_conv2d_backward(gy: np.ndarray, cache: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xp_shape, win, w, stride, pad, groups = cache
    k, cg, og = w.shape[2], w.shape[1], w.shape[0] // groups
    ho, wo = gy.shape[2:]
    gw = np.concatenate(
        [
            np.einsum(
                "nohw,nchwij->ocij",
                gy[:, g * og : (g + 1) * og],
                win[:, g * cg : (g + 1) * cg],
                optimize=True,
            )
            for g in range(groups)
        ]
    )
    gwin = np.concatenate(
        [
            np.einsum(
                "nohw,ocij->nchwij",
                gy[:, g * og : (g + 1) * og],
                w[g * og : (g + 1) * og],
                optimize=True,
            )
            for g in range(groups)
        ],
        axis=1,
    )
    gxp = np.zeros(xp_shape, gy.dtype)
    for i in range(k):
        for j in range(k):
            gxp[:, :, i : i + stride * ho : stride, j : j + stride * wo : stride] += gwin[..., i, j]
    gx = gxp[:, :, pad : xp_shape[2] - pad, pad : xp_shape[3] - pad]
    return gx, gw, gy.sum(axis=(0, 2, 3))


def _np_max_pool2d(x: np.ndarray, k: int, s: int, pad: int) -> tuple[np.ndarray, Any]:
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=-np.inf)
    win = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(2, 3))[:, :, ::s, ::s]
    flat = win.reshape(win.shape[:4] + (k * k,))
    arg = flat.argmax(axis=-1)
    return np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0], (xp.shape, arg, k, s, pad)


def _np_max_pool2d_backward(gy: np.ndarray, cache: Any) -> np.ndarray:
    xp_shape, arg, k, s, pad = cache
    gxp = np.zeros(xp_shape, gy.dtype)
    n, c, ho, wo = gy.shape
    rows = (np.arange(ho) * s)[:, None] + arg // k
    cols = (np.arange(wo) * s)[None, :] + arg % k
    np.add.at(
        gxp, (np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None], rows, cols), gy
    )
    return gxp[:, :, pad : xp_shape[2] - pad, pad : xp_shape[3] - pad]


def _conv_workload(
    xs: tuple[int, ...], ws: tuple[int, ...], stride: int, pad: int, groups: int
) -> Callable[[str, np.random.Generator], Workload]:
    """conv2d forward + backward (input, weight and bias gradients) for one shape."""

    def make(fw: str, rng: np.random.Generator) -> Workload:
        x0 = rng.standard_normal(xs).astype(np.float32)
        w0 = (rng.standard_normal(ws) / np.sqrt(np.prod(ws[1:]))).astype(np.float32)
        b0 = rng.standard_normal(ws[0]).astype(np.float32)
        ho = (xs[2] + 2 * pad - ws[2]) // stride + 1
        wo = (xs[3] + 2 * pad - ws[3]) // stride + 1
        # scaled so the weight and bias gradients (sums over batch and positions) are O(1)
        g0 = (rng.standard_normal((xs[0], ws[0], ho, wo)) / np.sqrt(xs[0] * ho * wo)).astype(
            np.float32
        )
        out: dict[str, Any] = {}
        if fw == "numpy":

            def step() -> None:
                y, cache = _np_conv2d(x0, w0, b0, stride, pad, groups)
                out["r"] = [y, *_np_conv2d_backward(g0, cache)]

            return step, lambda: out["r"]
        if fw == "npgrad":
            import npgrad
            import npgrad.nn.functional as F

            x, w, b = (npgrad.tensor(a, requires_grad=True) for a in (x0, w0, b0))
            g = npgrad.tensor(g0)

            def step() -> None:
                x.grad = w.grad = b.grad = None
                y = F.conv2d(x, w, b, stride=stride, padding=pad, groups=groups)
                y.backward(g)
                out["r"] = [y.detach().numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy()]

            return step, lambda: out["r"]
        import torch

        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x0, w0, b0))
        gt = torch.tensor(g0)

        def step() -> None:
            xt.grad = wt.grad = bt.grad = None
            y = torch.nn.functional.conv2d(xt, wt, bt, stride=stride, padding=pad, groups=groups)
            y.backward(gt)
            out["r"] = [y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()]

        return step, lambda: out["r"]

    return make


def _pool_workload(
    xs: tuple[int, ...], k: int, s: int, pad: int
) -> Callable[[str, np.random.Generator], Workload]:
    """max_pool2d forward + backward for one shape."""

    def make(fw: str, rng: np.random.Generator) -> Workload:
        x0 = rng.standard_normal(xs).astype(np.float32)
        ho, wo = ((n + 2 * pad - k) // s + 1 for n in xs[2:])
        g0 = rng.standard_normal(xs[:2] + (ho, wo)).astype(np.float32)
        out: dict[str, Any] = {}
        if fw == "numpy":

            def step() -> None:
                y, cache = _np_max_pool2d(x0, k, s, pad)
                out["r"] = [y, _np_max_pool2d_backward(g0, cache)]

            return step, lambda: out["r"]
        if fw == "npgrad":
            import npgrad
            import npgrad.nn.functional as F

            x, g = npgrad.tensor(x0, requires_grad=True), npgrad.tensor(g0)

            def step() -> None:
                x.grad = None
                y = F.max_pool2d(x, k, s, pad)
                y.backward(g)
                out["r"] = [y.detach().numpy(), x.grad.numpy()]

            return step, lambda: out["r"]
        import torch

        xt, gt = torch.tensor(x0, requires_grad=True), torch.tensor(g0)

        def step() -> None:
            xt.grad = None
            y = torch.nn.functional.max_pool2d(xt, k, s, pad)
            y.backward(gt)
            out["r"] = [y.detach().numpy(), xt.grad.numpy()]

        return step, lambda: out["r"]

    return make


# ---- cnn: the seed README's CNN, one SGD-momentum training step ------------------------------
def cnn(fw: str, rng: np.random.Generator) -> Workload:
    """Conv(1,16,3,p1)-MaxPool2-ReLU-Conv(16,32)-MaxPool2-ReLU-Conv(32,64)-MaxPool2-ReLU-
    Linear(576,128)-ReLU-Linear(128,64)-ReLU-Linear(64,10), batch (64,1,24,24), cross-entropy,
    SGD(lr=0.01, momentum=0.9). Results: the loss and every gradient of the first step."""
    conv_shapes = [(16, 1, 3, 3), (32, 16, 3, 3), (64, 32, 3, 3)]
    lin_shapes = [(128, 576), (64, 128), (10, 64)]

    def uniform(shape: tuple[int, ...], fan_in: int) -> np.ndarray:
        return rng.uniform(-1, 1, shape).astype(np.float32) / np.float32(np.sqrt(fan_in))

    params0 = []
    for s in conv_shapes + lin_shapes:
        fan_in = int(np.prod(s[1:]))
        params0 += [uniform(s, fan_in), uniform(s[:1], fan_in)]
    x0 = rng.standard_normal((64, 1, 24, 24)).astype(np.float32)
    y0 = rng.integers(0, 10, 64)
    lr, momentum = 0.01, 0.9
    out: dict[str, Any] = {}

    if fw == "numpy":
        params = [p.copy() for p in params0]
        bufs: list[np.ndarray | None] = [None] * len(params)

        def step() -> None:
            h, caches = x0, []
            for i in range(3):
                h, cc = _np_conv2d(h, params[2 * i], params[2 * i + 1], 1, 1, 1)
                n, c, hh, ww = h.shape
                blocks = h.reshape(n, c, hh // 2, 2, ww // 2, 2)
                pooled = blocks.max(axis=(3, 5))
                first = (blocks == pooled[:, :, :, None, :, None]).reshape(
                    n, c, hh // 2, 2, ww // 2, 2
                )
                first = first.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, hh // 2, ww // 2, 4)
                win = first.argmax(axis=-1)  # first maximum of each window, as PyTorch
                h = np.maximum(pooled, 0)
                caches.append((cc, win, h > 0, (n, c, hh, ww)))
            flat = h.reshape(64, -1)
            acts = [flat]
            for j in range(3):
                w, b = params[6 + 2 * j], params[7 + 2 * j]
                flat = flat @ w.T + b
                if j < 2:
                    flat = np.maximum(flat, 0)
                acts.append(flat)
            m = flat.max(axis=1, keepdims=True)
            e = np.exp(flat - m)
            s = e.sum(axis=1, keepdims=True)
            loss = -(flat - m - np.log(s))[np.arange(64), y0].mean()
            g = e / s
            g[np.arange(64), y0] -= 1
            g /= 64
            grads: list[np.ndarray] = [np.empty(0)] * len(params)
            for j in (2, 1, 0):
                grads[6 + 2 * j], grads[7 + 2 * j] = g.T @ acts[j], g.sum(axis=0)
                g = g @ params[6 + 2 * j]
                if j > 0:
                    g = g * (acts[j] > 0)
            g = g.reshape(h.shape)
            for i in (2, 1, 0):
                cc, win, relu_mask, (n, c, hh, ww) = caches[i]
                g = g * relu_mask
                gfull = np.zeros((n, c, hh // 2, ww // 2, 4), g.dtype)
                np.put_along_axis(gfull, win[..., None], g[..., None], axis=-1)
                g = (
                    gfull.reshape(n, c, hh // 2, ww // 2, 2, 2)
                    .transpose(0, 1, 2, 4, 3, 5)
                    .reshape(n, c, hh, ww)
                )
                g, grads[2 * i], grads[2 * i + 1] = _np_conv2d_backward(g, cc)
            for k, (p, gr) in enumerate(zip(params, grads)):
                bufs[k] = gr.copy() if bufs[k] is None else bufs[k] * momentum + gr
                p -= lr * bufs[k]
            out["r"] = [np.float32(loss), *grads]

        return step, lambda: out["r"]

    if fw == "npgrad":
        import npgrad
        import npgrad.nn.functional as F

        ps = [npgrad.tensor(p, requires_grad=True) for p in params0]
        xt, yt = npgrad.tensor(x0), npgrad.tensor(y0)
        nbufs: list[np.ndarray | None] = [None] * len(ps)
        rows = npgrad.arange(64)

        def step() -> None:
            for p in ps:
                p.grad = None
            h = xt
            for i in range(3):
                h = F.max_pool2d(F.conv2d(h, ps[2 * i], ps[2 * i + 1], padding=1), 2).relu()
            h = h.reshape(64, -1)
            for j in range(3):
                h = h @ ps[6 + 2 * j].T + ps[7 + 2 * j]
                if j < 2:
                    h = h.relu()
            loss = -h.log_softmax(dim=1)[rows, yt].mean()
            loss.backward()
            with npgrad.no_grad():  # SGD with momentum on the arrays, as npgrad.optim does
                for k, p in enumerate(ps):
                    gr = p.grad.numpy()
                    nbufs[k] = gr.copy() if nbufs[k] is None else nbufs[k] * momentum + gr
                    p.numpy()[...] -= lr * nbufs[k]
            out["loss"] = loss.detach().numpy()

        return step, lambda: [out["loss"]] + [p.grad.numpy() for p in ps]

    import torch

    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.MaxPool2d(2), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.MaxPool2d(2), torch.nn.ReLU(),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.MaxPool2d(2), torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(576, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, 10),
    )  # fmt: skip
    tparams = list(net.parameters())
    with torch.no_grad():
        for p, p0 in zip(tparams, params0):
            p.copy_(torch.from_numpy(p0))
    opt = torch.optim.SGD(tparams, lr=lr, momentum=momentum)
    xt_, yt_ = torch.tensor(x0), torch.tensor(y0)

    def step() -> None:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(xt_), yt_)
        loss.backward()
        opt.step()
        out["loss"] = loss.detach().numpy()

    return step, lambda: [out["loss"]] + [p.grad.numpy() for p in tparams]


WORKLOADS.update(
    {
        "cnn": cnn,
        "conv2d_3x3": _conv_workload((32, 32, 32, 32), (64, 32, 3, 3), 1, 1, 1),
        "conv2d_5x5": _conv_workload((32, 16, 32, 32), (32, 16, 5, 5), 1, 2, 1),
        "conv2d_stride2": _conv_workload((32, 32, 32, 32), (64, 32, 3, 3), 2, 1, 1),
        "conv2d_groups4": _conv_workload((32, 64, 32, 32), (64, 16, 3, 3), 1, 1, 4),
        "conv2d_depthwise": _conv_workload((32, 64, 32, 32), (64, 1, 3, 3), 1, 1, 64),
        "conv2d_1x1": _conv_workload((32, 64, 32, 32), (128, 64, 1, 1), 1, 0, 1),
        "max_pool2d_2x2": _pool_workload((32, 64, 32, 32), 2, 2, 0),
        "max_pool2d_3x3s2": _pool_workload((32, 64, 32, 32), 3, 2, 1),
    }
)
TARGETS.update(
    {
        "cnn": ("torch", 1.0),
        **{
            name: ("torch", 1.5)
            for name in WORKLOADS
            if name.startswith(("conv2d_", "max_pool2d_"))
        },
    }
)


# ---- lstm: one LSTM layer (input 64, hidden 128), sequence 35, batch 32 -----------------------
def _np_sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def lstm(fw: str, rng: np.random.Generator) -> Workload:
    """Forward + backward of ``output.sum()`` (issue 8); the input needs no gradient."""
    T, B, I, H = 35, 32, 64, 128
    k = 1 / np.sqrt(H)
    w_ih = rng.uniform(-k, k, (4 * H, I)).astype(np.float32)
    w_hh = rng.uniform(-k, k, (4 * H, H)).astype(np.float32)
    b_ih = rng.uniform(-k, k, 4 * H).astype(np.float32)
    b_hh = rng.uniform(-k, k, 4 * H).astype(np.float32)
    x = rng.standard_normal((T, B, I)).astype(np.float32)
    out: dict[str, Any] = {}
    if fw == "numpy":

        def step() -> None:
            # the textbook vectorised LSTM: input projection of all steps in one GEMM, one GEMM
            # per step, BPTT with the weight gradients as single GEMMs after the loop
            xp = (x.reshape(T * B, I) @ w_ih.T + (b_ih + b_hh)).reshape(T, B, 4 * H)
            hs = np.zeros((T + 1, B, H), np.float32)
            cs = np.zeros((T + 1, B, H), np.float32)
            acts = np.empty((T, B, 4 * H), np.float32)
            for t in range(T):
                g = xp[t] + hs[t] @ w_hh.T
                a = acts[t]
                a[:, : 2 * H] = _np_sigmoid(g[:, : 2 * H])
                a[:, 2 * H : 3 * H] = np.tanh(g[:, 2 * H : 3 * H])
                a[:, 3 * H :] = _np_sigmoid(g[:, 3 * H :])
                cs[t + 1] = a[:, H : 2 * H] * cs[t] + a[:, :H] * a[:, 2 * H : 3 * H]
                hs[t + 1] = a[:, 3 * H :] * np.tanh(cs[t + 1])
            dgates = np.empty((T, B, 4 * H), np.float32)
            dh = np.zeros((B, H), np.float32)
            dc = np.zeros((B, H), np.float32)
            for t in range(T - 1, -1, -1):
                a = acts[t]
                i, f, g, o = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
                dh = dh + 1.0
                tc = np.tanh(cs[t + 1])
                dc = dc + dh * o * (1 - tc * tc)
                d = dgates[t]
                d[:, :H] = dc * g * i * (1 - i)
                d[:, H : 2 * H] = dc * cs[t] * f * (1 - f)
                d[:, 2 * H : 3 * H] = dc * i * (1 - g * g)
                d[:, 3 * H :] = dh * tc * o * (1 - o)
                dc = dc * f
                dh = d @ w_hh
            dg = dgates.reshape(T * B, 4 * H)
            out["r"] = [
                hs[1:],
                dg.T @ x.reshape(T * B, I),
                dg.T @ hs[:-1].reshape(T * B, H),
                dg.sum(0),
            ]

        return step, lambda: out["r"]
    if fw == "npgrad":
        import npgrad
        from npgrad import nn

        m = nn.LSTM(I, H)
        m.load_state_dict(
            {"weight_ih_l0": w_ih, "weight_hh_l0": w_hh, "bias_ih_l0": b_ih, "bias_hh_l0": b_hh}
        )
        xt = npgrad.tensor(x)

        def step() -> None:
            m.zero_grad()
            y, _ = m(xt)
            y.sum().backward()
            out["y"] = y.detach().numpy()

        return step, lambda: [
            out["y"],
            m.weight_ih_l0.grad.numpy(),
            m.weight_hh_l0.grad.numpy(),
            m.bias_ih_l0.grad.numpy(),
        ]
    import torch

    tm = torch.nn.LSTM(I, H)
    with torch.no_grad():
        for name, a in (
            ("weight_ih_l0", w_ih),
            ("weight_hh_l0", w_hh),
            ("bias_ih_l0", b_ih),
            ("bias_hh_l0", b_hh),
        ):
            getattr(tm, name).copy_(torch.tensor(a))
    xt_ = torch.tensor(x)

    def step() -> None:
        tm.zero_grad()
        y, _ = tm(xt_)
        y.sum().backward()
        out["y"] = y.detach().numpy()

    return step, lambda: [
        out["y"],
        tm.weight_ih_l0.grad.numpy(),
        tm.weight_hh_l0.grad.numpy(),
        tm.bias_ih_l0.grad.numpy(),
    ]


# ---- attention: one TransformerEncoderLayer (d_model 128, 4 heads), seq 64, batch 16 ---------
def _np_layer_norm(x: np.ndarray, eps: float = 1e-5) -> tuple[np.ndarray, np.ndarray]:
    mu = x.mean(-1, keepdims=True)
    xc = x - mu
    rstd = 1.0 / np.sqrt((xc * xc).mean(-1, keepdims=True) + eps)
    return xc * rstd, rstd


def _np_layer_norm_backward(gy: np.ndarray, xhat: np.ndarray, rstd: np.ndarray) -> np.ndarray:
    # weight 1 and bias 0 (the layer's init), so only the input gradient is needed here
    return rstd * (gy - gy.mean(-1, keepdims=True) - xhat * (gy * xhat).mean(-1, keepdims=True))


def attention(fw: str, rng: np.random.Generator) -> Workload:
    """Forward + backward of ``(layer(x) * g).sum()`` for a post-norm TransformerEncoderLayer
    (batch_first, dim_feedforward 512, dropout 0); the input needs no gradient."""
    N, L, D, NH, F = 16, 64, 128, 4, 512
    hd = D // NH
    w_in = (rng.standard_normal((3 * D, D)) * np.sqrt(2 / (4 * D))).astype(np.float32)
    w_o = (rng.standard_normal((D, D)) / np.sqrt(D)).astype(np.float32)
    w_1 = (rng.standard_normal((F, D)) / np.sqrt(D)).astype(np.float32)
    w_2 = (rng.standard_normal((D, F)) / np.sqrt(F)).astype(np.float32)
    b_in, b_o = np.zeros(3 * D, np.float32), np.zeros(D, np.float32)
    b_1 = (rng.standard_normal(F) * 0.1).astype(np.float32)
    b_2 = (rng.standard_normal(D) * 0.1).astype(np.float32)
    x = rng.standard_normal((N, L, D)).astype(np.float32)
    g = rng.standard_normal((N, L, D)).astype(np.float32)
    out: dict[str, Any] = {}
    state = {
        "self_attn.in_proj_weight": w_in,
        "self_attn.in_proj_bias": b_in,
        "self_attn.out_proj.weight": w_o,
        "self_attn.out_proj.bias": b_o,
        "linear1.weight": w_1,
        "linear1.bias": b_1,
        "linear2.weight": w_2,
        "linear2.bias": b_2,
        "norm1.weight": np.ones(D, np.float32),
        "norm1.bias": np.zeros(D, np.float32),
        "norm2.weight": np.ones(D, np.float32),
        "norm2.bias": np.zeros(D, np.float32),
    }
    names = [
        "self_attn.in_proj_weight",
        "self_attn.out_proj.weight",
        "linear1.weight",
        "linear2.weight",
    ]
    if fw == "numpy":
        scale = np.float32(1 / np.sqrt(hd))

        def heads(a: np.ndarray) -> np.ndarray:
            return a.reshape(N, L, NH, hd).transpose(0, 2, 1, 3)

        def step() -> None:
            xf = x.reshape(N * L, D)
            qkv = xf @ w_in.T + b_in
            q, k, v = (heads(qkv[:, i * D : (i + 1) * D]) for i in range(3))
            s = (q @ k.transpose(0, 1, 3, 2)) * scale
            p = np.exp(s - s.max(-1, keepdims=True))
            p /= p.sum(-1, keepdims=True)
            a = (p @ v).transpose(0, 2, 1, 3).reshape(N * L, D)
            h1 = xf + a @ w_o.T + b_o
            y1, r1 = _np_layer_norm(h1)
            z = y1 @ w_1.T + b_1
            f = np.maximum(z, 0)
            h2 = y1 + f @ w_2.T + b_2
            y2, r2 = _np_layer_norm(h2)
            # backward
            gh2 = _np_layer_norm_backward(g.reshape(N * L, D), y2, r2)
            gw2 = gh2.T @ f
            gz = (gh2 @ w_2) * (z > 0)
            gw1 = gz.T @ y1
            gh1 = _np_layer_norm_backward(gh2 + gz @ w_1, y1, r1)
            gwo = gh1.T @ a
            ga = heads(gh1 @ w_o)
            gp = ga @ v.transpose(0, 1, 3, 2)
            gv = p.transpose(0, 1, 3, 2) @ ga
            gs = p * (gp - (gp * p).sum(-1, keepdims=True)) * scale
            gq, gk = gs @ k, gs.transpose(0, 1, 3, 2) @ q
            gqkv = np.concatenate(
                [t.transpose(0, 2, 1, 3).reshape(N * L, D) for t in (gq, gk, gv)], 1
            )
            out["r"] = [y2.reshape(N, L, D), gqkv.T @ xf, gwo, gw1, gw2]

        return step, lambda: out["r"]
    if fw == "npgrad":
        import npgrad
        from npgrad import nn

        layer = nn.TransformerEncoderLayer(D, NH, F, dropout=0.0, batch_first=True)
        layer.load_state_dict(state)
        xt, gt = npgrad.tensor(x), npgrad.tensor(g)
        params = dict(layer.named_parameters())

        def step() -> None:
            layer.zero_grad()
            y = layer(xt)
            (y * gt).sum().backward()
            out["y"] = y.detach().numpy()

        return step, lambda: [out["y"]] + [params[n].grad.numpy() for n in names]
    import torch

    tl = torch.nn.TransformerEncoderLayer(D, NH, F, dropout=0.0, batch_first=True)
    tl.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    xt_, gt_ = torch.tensor(x), torch.tensor(g)
    tparams = dict(tl.named_parameters())

    def step() -> None:
        tl.zero_grad()
        y = tl(xt_)
        (y * gt_).sum().backward()
        out["y"] = y.detach().numpy()

    return step, lambda: [out["y"]] + [tparams[n].grad.numpy() for n in names]


WORKLOADS.update({"lstm": lstm, "attention": attention})
TARGETS.update({"lstm": ("torch", 1.0), "attention": ("torch", 1.2)})
