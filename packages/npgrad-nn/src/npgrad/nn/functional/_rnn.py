"""Recurrent layers as autograd Functions: one fused op per layer and direction.

``_RecurrentLayer`` runs a whole sequence in NumPy (:mod:`._rnn_kernels`): the forward does one
GEMM per step, the backward the time loop plus single GEMMs for ``dW`` and ``dx``. That raw-NumPy
backward is the fast path of every ``loss.backward()``.

Second order. When the backward itself must be differentiable (``create_graph=True``: a
gradient penalty, ``gradgradcheck``), the gradient is instead computed by :class:`_Recompute`:
the layer is re-run step by step with composed npgrad ops (the cell functions below) on fresh
leaves, differentiated there, and that vector-Jacobian product is itself a ``_Recompute`` node
over the original inputs -- so gradients of every order are exact, at the price of recomputing
only when they are asked for. (Differentiating the recomputation with respect to the original
input Tensors directly would be wrong when one input depends on another, e.g. ``h0 = f(x)``:
the nested ``autograd.grad`` would follow ``h0`` back into ``x`` and count that path twice.)

The cell functions (``lstm_cell``, ``gru_cell``, ``rnn_tanh_cell``, ``rnn_relu_cell``) are also
what ``RNNCell``, ``LSTMCell`` and ``GRUCell`` run: one step, composed of npgrad ops.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.autograd.function import BackwardNode, Function
from npgrad.nn.functional import _rnn_kernels as K

__all__: list[str] = []


# ---- one step, in npgrad ops ----------------------------------------------------------------
def _affine(x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
    y = x.matmul(w.mT)
    return y if b is None else y + b


def rnn_tanh_cell(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> Tensor:
    """``tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` for ``x`` (B, I) and ``h`` (B, H)."""
    return (_affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh)).tanh()


def rnn_relu_cell(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> Tensor:
    """``relu(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""
    return (_affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh)).relu()


def lstm_cell(
    x: Tensor,
    h: Tensor,
    c: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    w_hr: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """One LSTM step (torch's gate order i, f, g, o); ``w_hr`` projects ``h`` (proj_size)."""
    gates = _affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, 1)
    c1 = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h1 = o.sigmoid() * c1.tanh()
    if w_hr is not None:
        h1 = h1.matmul(w_hr.mT)
    return h1, c1


def gru_cell(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> Tensor:
    """One GRU step (gate order r, z, n; ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``)."""
    ir, iz, in_ = _affine(x, w_ih, b_ih).chunk(3, 1)
    hr, hz, hn = _affine(h, w_hh, b_hh).chunk(3, 1)
    r = (ir + hr).sigmoid()
    z = (iz + hz).sigmoid()
    n = (in_ + r * hn).tanh()
    return n + z * (h - n)


# ---- the whole layer in npgrad ops (for higher-order gradients) -------------------------------
def _reference_layer(
    mode: str,
    plan: K.Plan,
    x: Tensor,
    h0: Tensor,
    c0: Tensor | None,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None,
    b_hh: Tensor | None,
    w_hr: Tensor | None,
) -> tuple[Tensor, ...]:
    """What :class:`_RecurrentLayer` computes, step by step with differentiable ops."""
    if plan.fixed:
        xs = x.transpose(0, 1) if plan.batch_first else x
    h: Tensor = h0
    c: Any = c0
    outs: list[Any] = [None] * plan.T
    for t, bs in zip(plan.times, plan.sizes):
        xt = xs[t] if plan.fixed else x[plan.offsets[t] : plan.offsets[t] + bs]
        full = bs == h.shape[0]
        ha = h if full else h[:bs]
        if mode == "LSTM":
            h1, c1 = lstm_cell(xt, ha, c if full else c[:bs], w_ih, w_hh, b_ih, b_hh, w_hr)
            c = c1 if full else npgrad.cat([c1, c[bs:]])
        elif mode == "GRU":
            h1 = gru_cell(xt, ha, w_ih, w_hh, b_ih, b_hh)
        else:
            cell = rnn_relu_cell if mode == "RNN_RELU" else rnn_tanh_cell
            h1 = cell(xt, ha, w_ih, w_hh, b_ih, b_hh)
        h = h1 if full else npgrad.cat([h1, h[bs:]])
        outs[t] = h1
    if plan.fixed:
        out = npgrad.stack(outs, dim=1 if plan.batch_first else 0)
    else:
        out = npgrad.cat(outs)
    if mode == "LSTM":
        return out, h, c
    return out, h


class _VJP:
    """``(*inputs, *output_grads) -> grads of inputs[idx]``, by autograd on a recomputation."""

    def __init__(self, fn: Callable[..., Sequence[Tensor]], n_inputs: int, idx: list[int]) -> None:
        self.fn, self.n, self.idx = fn, n_inputs, idx

    def __call__(self, *args: Any) -> tuple[Tensor, ...]:
        ins, gs = args[: self.n], args[self.n :]
        outs = self.fn(*ins)
        pairs = [(o, g) for o, g in zip(outs, gs) if g is not None and o.requires_grad]
        targets = [ins[i] for i in self.idx]
        res: Sequence[Tensor | None] = [None] * len(targets)
        if pairs:
            res = npgrad.autograd.grad(
                [o for o, _ in pairs],
                targets,
                [g for _, g in pairs],
                create_graph=True,
                allow_unused=True,
            )
        return tuple(npgrad.zeros_like(t) if r is None else r for r, t in zip(res, targets))


class _Recompute(Function):
    """The outputs of ``fn(*inputs)`` (npgrad ops), recomputed on fresh leaves; its backward is
    again a ``_Recompute`` (of the vector-Jacobian product), so every order is exact."""

    @staticmethod
    def forward(
        ctx: Any, fn: Callable[..., Sequence[Tensor]], *arrays: Any
    ) -> tuple[np.ndarray, ...]:
        leaves = [None if a is None else Tensor._make(a, a.dtype.kind == "f", None) for a in arrays]
        with npgrad.enable_grad():
            outs = fn(*leaves)
        ctx.fn = fn
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(*arrays)
        return tuple(o._data for o in outs)

    @staticmethod
    def backward(ctx: Any, *grads: Tensor | None) -> tuple[Tensor | None, ...]:
        inputs = ctx.saved_tensors
        idx = [i for i, need in enumerate(ctx.needs_input_grad[1:]) if need]
        vjp = _VJP(ctx.fn, len(inputs), idx)
        return (None, *_scatter(len(inputs), idx, _run_vjp(vjp, inputs, grads)))


def _run_vjp(vjp: _VJP, inputs: Sequence[Any], grads: Sequence[Any]) -> Sequence[Tensor]:
    if not vjp.idx:
        return ()
    if npgrad.is_grad_enabled():  # this gradient will be differentiated again
        return _Recompute.apply(vjp, *inputs, *grads)  # type: ignore[no-any-return]
    leaves = [
        None if t is None else Tensor._make(t._data, t.dtype.kind == "f", None)
        for t in (*inputs, *grads)
    ]
    with npgrad.enable_grad():
        res = vjp(*leaves)
    return [r.detach() for r in res]


def _scatter(n: int, idx: list[int], values: Sequence[Any]) -> list[Any]:
    out: list[Any] = [None] * n
    for i, v in zip(idx, values):
        out[i] = v
    return out


# ---- the fused layer ---------------------------------------------------------------------------
class _RecurrentLayer(Function):
    """One direction of one layer over a whole (padded or packed) sequence.

    Inputs ``x, h0 (B, P), c0 (B, H) or None, w_ih, w_hh, b_ih, b_hh, w_hr`` (None where absent);
    outputs ``(out, h_n)`` or, for LSTM, ``(out, h_n, c_n)``.
    """

    @staticmethod
    def forward(
        ctx: Any,
        x: np.ndarray,
        h0: np.ndarray,
        c0: Any,
        w_ih: np.ndarray,
        w_hh: np.ndarray,
        b_ih: Any,
        b_hh: Any,
        w_hr: Any,
        mode: str,
        plan: K.Plan,
    ) -> tuple[np.ndarray, ...]:
        out, h_n, c_n, saved = K.forward(mode, plan, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)
        if isinstance(ctx, BackwardNode):
            ctx.mode, ctx.plan = mode, plan  # type: ignore[attr-defined]
            ctx.set_materialize_grads(False)
            ctx.save_for_backward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, saved)
        return (out, h_n, c_n) if mode == "LSTM" else (out, h_n)

    @staticmethod
    def backward(
        ctx: Any, gout: Tensor | None, ghn: Tensor | None, gcn: Tensor | None = None
    ) -> tuple[Tensor | None, ...]:
        *inputs, saved = ctx.saved_tensors
        needs = ctx.needs_input_grad
        if npgrad.is_grad_enabled():
            # create_graph=True: a gradient that is itself differentiable (see module docstring)
            mode, plan = ctx.mode, ctx.plan

            def layer(*args: Any) -> tuple[Tensor, ...]:
                return _reference_layer(mode, plan, *args)

            idx = [i for i, need in enumerate(needs) if need]
            grads = (gout, ghn, gcn) if mode == "LSTM" else (gout, ghn)
            vjp = _VJP(layer, len(inputs), idx)
            return tuple(_scatter(len(inputs), idx, _run_vjp(vjp, inputs, grads)))
        x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr = inputs
        arrays = K.backward(
            ctx.mode,
            ctx.plan,
            saved,
            None if gout is None else gout._data,
            None if ghn is None else ghn._data,
            None if gcn is None else gcn._data,
            w_ih._data,
            w_hh._data,
            None if w_hr is None else w_hr._data,
            needs,
        )
        return tuple(
            None if a is None or not need else Tensor._make(a, False, None)
            for a, need in zip(arrays, needs)
        )


def recurrent_layer(
    mode: str,
    x: Tensor,
    h0: Tensor,
    c0: Tensor | None,
    weights: Sequence[Tensor | None],
    batch_sizes: np.ndarray | None,
    reverse: bool,
    batch_first: bool,
) -> tuple[Tensor, ...]:
    """Run one direction of one layer: ``weights = (w_ih, w_hh, b_ih, b_hh, w_hr)``.

    ``x`` is ``(T, B, I)`` (``(B, T, I)`` with ``batch_first``) or, with ``batch_sizes``, the
    packed ``(N, I)`` data.
    """
    if batch_sizes is None:
        t_len, b = (x.shape[1], x.shape[0]) if batch_first else (x.shape[0], x.shape[1])
    else:
        t_len, b = len(batch_sizes), int(batch_sizes[0])
    plan = K.Plan(t_len, b, batch_sizes, reverse, batch_first)
    return _RecurrentLayer.apply(x, h0, c0, *weights, mode=mode, plan=plan)  # type: ignore[no-any-return]


def recurrent(
    mode: str,
    x: Tensor,
    batch_sizes: np.ndarray | None,
    h0: Tensor,
    c0: Tensor | None,
    weights: Sequence[Sequence[Tensor | None]],
    num_layers: int,
    bidirectional: bool,
    dropout: float,
    training: bool,
    batch_first: bool,
) -> tuple[Tensor, ...]:
    """A stacked (and optionally bidirectional) recurrent network, torch's ``_VF.lstm`` & co.

    ``h0``/``c0`` are ``(num_layers * num_directions, B, *)``; ``weights[l * D + d]`` holds the
    parameters of layer ``l``, direction ``d``. Dropout is applied to the output of every
    layer but the last, in training mode. Returns ``(output, h_n)`` or ``(output, h_n, c_n)``.
    """
    from npgrad.nn.functional._dropout import dropout as _dropout

    dirs = 2 if bidirectional else 1
    h_n: list[Tensor] = []
    c_n: list[Tensor] = []
    layer_in = x
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            res = recurrent_layer(
                mode,
                layer_in,
                h0[k],
                None if c0 is None else c0[k],
                weights[k],
                batch_sizes,
                reverse=d == 1,
                batch_first=batch_first,
            )
            outs.append(res[0])
            h_n.append(res[1])
            if mode == "LSTM":
                c_n.append(res[2])
        layer_in = outs[0] if dirs == 1 else npgrad.cat(outs, dim=-1)
        if dropout > 0 and training and layer < num_layers - 1:
            layer_in = _dropout(layer_in, dropout, True)
    hn = npgrad.stack(h_n)
    if mode == "LSTM":
        return layer_in, hn, npgrad.stack(c_n)
    return layer_in, hn
