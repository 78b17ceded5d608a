"""NumPy kernels of one direction of one recurrent layer (RNN, LSTM, GRU): forward and BPTT.

Layout. Every per-step quantity is stored *feature-major*, ``(features, batch)``: a gate is then
a contiguous block of rows, so each elementwise op runs on contiguous memory (strided gate
slices of a ``(batch, 4H)`` array measured 2-3x slower per op, and a step is ~10 such ops).

One GEMM per step. Step ``k`` multiplies the concatenated weight ``W = [W_ih | W_hh | b]`` by
the column block ``xh_k = [x_t; h_{k-1}; 1]``: the input projection, the recurrent projection
and both biases in one call whose result is written straight into the gate buffer. ``xh``
blocks are kept, so the backward does the weight gradients of all steps as ONE GEMM
``dW = sum_k dG_k xh_k^T`` (and ``dx`` as one GEMM) after the time loop.

Sigmoid through tanh. ``sigmoid(a) = (1 + tanh(a / 2)) / 2``; the rows of ``W`` feeding
sigmoid gates are pre-scaled by 1/2, so one ``tanh`` call covers all four LSTM gates. Internal
row orders put those rows together: LSTM ``o, i, f, g`` (sigmoid rows first, then ``i, f, g``
contiguous for the cell-state gradient), GRU ``n_x, r, z, n_h`` where ``n_x = W_in x + b_in``
and ``n_h = W_hn h + b_hn`` (torch's ``n = tanh(n_x + r * n_h)``; the zero blocks of ``W``
cost a quarter more flops per step, on a GEMM that is not the bottleneck).

Variable lengths (packed input). Step ``t`` touches the first ``batch_sizes[t]`` sequences
(sorted longest first). The hidden state is a full ``(H, B)`` matrix whose trailing columns
simply stay put while their sequence is not running: the forward direction thus ends each
sequence's ``h_n`` at its last valid step, and the reverse direction starts each sequence from
``h0`` at its last step. The backward runs the same bookkeeping in reverse.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Plan", "backward", "forward"]

_mm, _tanh, _mul, _sub = np.matmul, np.tanh, np.multiply, np.subtract


class Plan:
    """The time-step geometry of one direction: which rows step ``k`` processes.

    ``batch_sizes`` None means a padded ``(T, B, I)`` input (``(B, T, I)`` with
    ``batch_first``); otherwise the input is packed ``(N, I)``.
    """

    __slots__ = ("fixed", "T", "B", "times", "sizes", "offsets", "reverse", "batch_first")

    def __init__(
        self, T: int, B: int, batch_sizes: np.ndarray | None, reverse: bool, batch_first: bool
    ) -> None:
        self.fixed = batch_sizes is None
        self.T, self.B, self.reverse, self.batch_first = T, B, reverse, batch_first
        bs = [B] * T if batch_sizes is None else [int(b) for b in batch_sizes]
        self.offsets = np.concatenate([[0], np.cumsum(bs)]).astype(np.int64).tolist()
        self.times = list(range(T - 1, -1, -1)) if reverse else list(range(T))
        self.sizes = [bs[t] for t in self.times]


# ---- weights in kernel layout ------------------------------------------------------------------
def _lstm_perm(h: int) -> np.ndarray:
    # torch's rows i, f, g, o -> o, i, f, g
    return np.r_[3 * h : 4 * h, 0 : 2 * h, 2 * h : 3 * h]


def _concat_weight(mode: str, w_ih: np.ndarray, w_hh: np.ndarray, b_ih: Any, b_hh: Any) -> np.ndarray:
    """``W = [W_ih | W_hh | b]`` in internal row order, sigmoid rows scaled by 1/2."""
    rows, n_in = w_ih.shape
    n_h = w_hh.shape[1]
    k = n_in + n_h + (b_ih is not None)
    if mode == "GRU":
        h = rows // 3
        w = np.zeros((4 * h, k), w_ih.dtype)
        w[:h, :n_in] = w_ih[2 * h :]
        w[h : 3 * h, :n_in] = w_ih[: 2 * h]
        w[h : 3 * h, n_in : n_in + n_h] = w_hh[: 2 * h]
        w[3 * h :, n_in : n_in + n_h] = w_hh[2 * h :]
        if b_ih is not None:
            w[:h, -1] = b_ih[2 * h :]
            w[h : 3 * h, -1] = b_ih[: 2 * h] + b_hh[: 2 * h]
            w[3 * h :, -1] = b_hh[2 * h :]
        w[h : 3 * h] *= 0.5
        return w
    w = np.empty((rows, k), w_ih.dtype)
    perm = _lstm_perm(rows // 4) if mode == "LSTM" else slice(None)
    w[:, :n_in] = w_ih[perm]
    w[:, n_in : n_in + n_h] = w_hh[perm]
    if b_ih is not None:
        w[:, -1] = (b_ih + b_hh)[perm]
    if mode == "LSTM":
        w[: 3 * rows // 4] *= 0.5
    return w


# ---- step functions (all arguments feature-major; outputs written through ``out=``) -----------
def _lstm_step(w: np.ndarray, xh: np.ndarray, g: np.ndarray, cp: np.ndarray, c: np.ndarray,
               tc: np.ndarray, hout: np.ndarray, tmp: np.ndarray, w_hr: Any, r: Any) -> None:
    h = c.shape[0]
    _mm(w, xh, out=g)
    _tanh(g, out=g)
    s = g[: 3 * h]
    s *= 0.5
    s += 0.5  # o, i, f are now sigmoids; g[3h:] is tanh
    _mul(g[2 * h : 3 * h], cp, out=c)
    _mul(g[h : 2 * h], g[3 * h :], out=tmp)
    c += tmp
    _tanh(c, out=tc)
    if w_hr is None:
        _mul(g[:h], tc, out=hout)
    else:
        _mul(g[:h], tc, out=r)
        _mm(w_hr, r, out=hout)


def _lstm_step_back(g: np.ndarray, tc: np.ndarray, cp: np.ndarray, dr: np.ndarray,
                    dc: np.ndarray, d: np.ndarray, t1: np.ndarray, t3: np.ndarray) -> None:
    """Gate gradients ``d`` of one step from ``dr`` (d loss / d(o * tanh c)) and the incoming
    ``dc``; ``dc`` becomes the gradient of the previous cell state."""
    h = tc.shape[0]
    _mul(dr, tc, out=d[:h])
    _mul(tc, tc, out=t1)
    _sub(1.0, t1, out=t1)
    t1 *= g[:h]
    t1 *= dr
    dc += t1  # dc_t = dc_{t+1} * f_{t+1} + dr * o * (1 - tanh(c)^2)
    _mul(dc, g[3 * h :], out=d[h : 2 * h])
    _mul(dc, cp, out=d[2 * h : 3 * h])
    dg = d[3 * h :]
    _mul(dc, g[h : 2 * h], out=dg)
    s = g[: 3 * h]
    _sub(1.0, s, out=t3)
    t3 *= s
    d[: 3 * h] *= t3  # sigmoid' = s (1 - s)
    gg = g[3 * h :]
    _mul(gg, gg, out=t1)
    _sub(1.0, t1, out=t1)
    dg *= t1  # tanh' = 1 - g^2
    dc *= g[2 * h : 3 * h]


def _gru_step(w: np.ndarray, xh: np.ndarray, hp: np.ndarray, g: np.ndarray, n: np.ndarray,
              hout: np.ndarray, tmp: np.ndarray) -> None:
    h = n.shape[0]
    _mm(w, xh, out=g)
    s = g[h : 3 * h]
    _tanh(s, out=s)
    s *= 0.5
    s += 0.5  # r, z
    _mul(g[h : 2 * h], g[3 * h :], out=n)
    n += g[:h]
    _tanh(n, out=n)  # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
    _sub(hp, n, out=tmp)
    tmp *= g[2 * h : 3 * h]
    np.add(n, tmp, out=hout)  # h' = (1 - z) n + z h = n + z (h - n)


def _gru_step_back(g: np.ndarray, n: np.ndarray, hp: np.ndarray, dh: np.ndarray,
                   d: np.ndarray, t1: np.ndarray, t2: np.ndarray) -> None:
    h = n.shape[0]
    dz = d[2 * h : 3 * h]
    _sub(hp, n, out=dz)
    dz *= dh
    dn = d[:h]
    _sub(1.0, g[2 * h : 3 * h], out=dn)
    dn *= dh
    _mul(n, n, out=t1)
    _sub(1.0, t1, out=t1)
    dn *= t1  # d n_x = dh (1 - z) (1 - n^2)
    _mul(dn, g[h : 2 * h], out=d[3 * h :])  # d n_h = d n_x * r
    _mul(dn, g[3 * h :], out=d[h : 2 * h])  # d r (before sigmoid')
    s = g[h : 3 * h]
    _sub(1.0, s, out=t2)
    t2 *= s
    d[h : 3 * h] *= t2


# ---- forward ---------------------------------------------------------------------------------
def _step_inputs(plan: Plan, x: np.ndarray, k_cols: int, n_in: int, bias: bool) -> Any:
    """The ``[x_t; h; 1]`` blocks with the x rows and the ones row filled, one per step."""
    dt = x.dtype
    if plan.fixed:
        xh = np.empty((plan.T + 1, k_cols, plan.B), dt)
        xt = x.transpose(1, 2, 0) if plan.batch_first else x.transpose(0, 2, 1)
        xh[: plan.T, :n_in] = xt[::-1] if plan.reverse else xt
        if bias:
            xh[:, -1] = 1
        return xh
    blocks = []
    for t, bs in zip(plan.times, plan.sizes):
        blk = np.empty((k_cols, bs), dt)
        off = plan.offsets[t]
        blk[:n_in] = x[off : off + bs].T
        if bias:
            blk[-1] = 1
        blocks.append(blk)
    return blocks


def forward(mode: str, plan: Plan, x: np.ndarray, h0: np.ndarray, c0: Any, w_ih: np.ndarray,
            w_hh: np.ndarray, b_ih: Any, b_hh: Any, w_hr: Any) -> tuple[Any, ...]:
    """Run one direction. Returns ``(out, h_n, c_n, saved)``; ``out`` is in the input's layout
    (``(T, B, P)``, ``(B, T, P)`` or packed ``(N, P)``), ``h_n`` ``(B, P)``, ``c_n`` ``(B, H)``
    (None unless LSTM) and ``saved`` what :func:`backward` needs."""
    dt = x.dtype
    n_in, p = w_ih.shape[1], w_hh.shape[1]
    hid = w_hh.shape[0] // {"LSTM": 4, "GRU": 3}.get(mode, 1)
    w = _concat_weight(mode, w_ih, w_hh, b_ih, b_hh)
    k_cols = w.shape[1]
    rows = w.shape[0]
    xh = _step_inputs(plan, x, k_cols, n_in, b_ih is not None)
    T, B, fixed = plan.T, plan.B, plan.fixed
    lstm, gru = mode == "LSTM", mode == "GRU"
    relu = mode == "RNN_RELU"
    hs = np.ascontiguousarray(h0.T)  # the running state (P, B)
    cs = np.ascontiguousarray(c0.T) if lstm else None
    if fixed:
        xh[0, n_in : n_in + p] = hs
        gates = np.empty((T, rows, B), dt) if lstm or gru else None
        cells = np.empty((T + 1, hid, B), dt) if lstm else None
        if lstm:
            cells[0] = cs
        aux = np.empty((T, hid, B), dt) if lstm or gru else None  # tanh(c) / n
        proj = np.empty((T, hid, B), dt) if w_hr is not None else None
        tmp = np.empty((hid, B), dt)
        for k in range(T):
            blk, hout = xh[k], xh[k + 1, n_in : n_in + p]
            if lstm:
                _lstm_step(w, blk, gates[k], cells[k], cells[k + 1], aux[k], hout, tmp, w_hr,
                           None if proj is None else proj[k])
            elif gru:
                _gru_step(w, blk, blk[n_in : n_in + p], gates[k], aux[k], hout, tmp)
            else:
                _mm(w, blk, out=hout)
                np.maximum(hout, 0, out=hout) if relu else _tanh(hout, out=hout)
        seq = xh[1:, n_in : n_in + p]  # (T, P, B), step order
        if plan.reverse:
            seq = seq[::-1]
        out = np.ascontiguousarray(seq.transpose(2, 0, 1) if plan.batch_first else seq.transpose(0, 2, 1))
        h_n = np.ascontiguousarray(xh[T, n_in : n_in + p].T)
        c_n = np.ascontiguousarray(cells[T].T) if lstm else None
        return out, h_n, c_n, (w, xh, gates, cells, aux, proj)
    gates_l, cp_l, aux_l, proj_l, h_l = [], [], [], [], []
    for k, bs in enumerate(plan.sizes):
        blk = xh[k]
        blk[n_in : n_in + p] = hs[:, :bs]
        hout = np.empty((p, bs), dt)
        if lstm:
            g, cp = np.empty((rows, bs), dt), cs[:, :bs].copy()
            c, tc, tmp = np.empty((hid, bs), dt), np.empty((hid, bs), dt), np.empty((hid, bs), dt)
            r = None if w_hr is None else np.empty((hid, bs), dt)
            _lstm_step(w, blk, g, cp, c, tc, hout, tmp, w_hr, r)
            cs[:, :bs] = c
            gates_l.append(g), cp_l.append(cp), aux_l.append(tc), proj_l.append(r)
        elif gru:
            g, n, tmp = np.empty((rows, bs), dt), np.empty((hid, bs), dt), np.empty((hid, bs), dt)
            _gru_step(w, blk, blk[n_in : n_in + p], g, n, hout, tmp)
            gates_l.append(g), aux_l.append(n)
        else:
            _mm(w, blk, out=hout)
            np.maximum(hout, 0, out=hout) if relu else _tanh(hout, out=hout)
        hs[:, :bs] = hout
        h_l.append(hout)
    by_time = h_l[::-1] if plan.reverse else h_l
    out = np.concatenate([h.T for h in by_time])
    c_n = np.ascontiguousarray(cs.T) if lstm else None
    return out, np.ascontiguousarray(hs.T), c_n, (w, xh, gates_l, cp_l, aux_l, proj_l, h_l)


# ---- backward --------------------------------------------------------------------------------
def _grad_steps(plan: Plan, gout: Any, p: int) -> Any:
    """The output gradient per step, feature-major: ``(T, P, B)`` in step order, or the packed
    ``(P, N)`` (step ``k`` reads columns ``offsets[t]:offsets[t] + bs``)."""
    if gout is None:
        return None
    if plan.fixed:
        g = gout.transpose(1, 2, 0) if plan.batch_first else gout.transpose(0, 2, 1)
        return np.ascontiguousarray(g[::-1] if plan.reverse else g)
    return np.ascontiguousarray(gout.T)


def backward(mode: str, plan: Plan, saved: tuple[Any, ...], gout: Any, ghn: Any, gcn: Any,
             w_ih: np.ndarray, w_hh: np.ndarray, w_hr: Any, needs: tuple[bool, ...]) -> list[Any]:
    """Backpropagation through time. ``needs`` flags (x, h0, c0, w_ih, w_hh, b_ih, b_hh,
    w_hr); returns their gradients in that order (None where not needed)."""
    lstm, gru = mode == "LSTM", mode == "GRU"
    w, xh = saved[0], saved[1]
    dt = w.dtype
    n_in, p = w_ih.shape[1], w_hh.shape[1]
    rows = w.shape[0]
    hid = rows // 4 if lstm or gru else rows
    T, B, fixed = plan.T, plan.B, plan.fixed
    if lstm:
        w_hT = np.ascontiguousarray(w_hh[_lstm_perm(hid)].T)  # (P, 4H), unscaled
        w_hrT = None if w_hr is None else np.ascontiguousarray(w_hr.T)
    else:
        w_hT = np.ascontiguousarray(w_hh.T)  # RNN (H, H); GRU (H, 3H) = rows r, z, n_h
    dhs = np.zeros((p, B), dt) if ghn is None else np.ascontiguousarray(ghn.T)
    dcs = None
    if lstm:
        dcs = np.zeros((hid, B), dt) if gcn is None else np.ascontiguousarray(gcn.T)
    dout = _grad_steps(plan, gout, p)
    relu = mode == "RNN_RELU"
    if fixed:
        _, _, gates, cells, aux, proj = saved
        dgates = np.empty((T, rows, B), dt)
        dproj = np.empty((T, p, B), dt) if proj is not None else None
    else:
        _, _, gates, cells, aux, proj, h_l = saved
        dgates = [None] * T
        dproj = [None] * T if w_hr is not None else None
    for k in range(T - 1, -1, -1):
        bs = plan.sizes[k]
        if fixed:
            dh, dc = dhs, dcs
            if dout is not None:
                dh += dout[k]
            d = dgates[k]
        else:
            dh = dhs[:, :bs]
            dc = None if dcs is None else dcs[:, :bs]
            if dout is not None:
                off = plan.offsets[plan.times[k]]
                dh += dout[:, off : off + bs]
            d = np.empty((rows, bs), dt)
            dgates[k] = d
        if lstm:
            dr = dh
            if w_hr is not None:
                if fixed:
                    dproj[k] = dh  # into the preallocated block
                else:
                    dproj[k] = dh.copy()
                dr = w_hrT @ dh
            t1, t3 = np.empty((hid, bs), dt), np.empty((3 * hid, bs), dt)
            _lstm_step_back(gates[k], aux[k], cells[k], dr, dc, d, t1, t3)
            if fixed:
                _mm(w_hT, d, out=dhs)
            else:
                dh[...] = w_hT @ d
        elif gru:
            t1, t2 = np.empty((hid, bs), dt), np.empty((2 * hid, bs), dt)
            blk = xh[k]
            _gru_step_back(gates[k], aux[k], blk[n_in : n_in + p], dh, d, t1, t2)
            _mul(dh, gates[k][2 * hid : 3 * hid], out=t1)  # the direct path h' <- z h
            if fixed:
                _mm(w_hT, d[hid:], out=dhs)
                dhs += t1
            else:
                np.add(w_hT @ d[hid:], t1, out=dh)
        else:
            hk = xh[k + 1, n_in : n_in + p] if fixed else h_l[k]
            if relu:
                _mul(dh, hk > 0, out=d)  # relu'(0) = 0, as torch
            else:
                _mul(hk, hk, out=d)
                _sub(1.0, d, out=d)
                d *= dh
            if fixed:
                _mm(w_hT, d, out=dhs)
            else:
                dh[...] = w_hT @ d
    return _param_grads(mode, plan, saved, dgates, dproj, dhs, dcs, w_ih, w_hr, needs)


def _param_grads(mode: str, plan: Plan, saved: tuple[Any, ...], dgates: Any, dproj: Any,
                 dhs: np.ndarray, dcs: Any, w_ih: np.ndarray, w_hr: Any,
                 needs: tuple[bool, ...]) -> list[Any]:
    """The gradients of x and the weights from all steps' gate gradients: single GEMMs."""
    lstm, gru = mode == "LSTM", mode == "GRU"
    xh = saved[1]
    n_in = w_ih.shape[1]
    rows, k_cols = saved[0].shape
    hid = rows // 4 if lstm or gru else rows
    p = dhs.shape[0]
    bias = k_cols == n_in + p + 1
    T, B = plan.T, plan.B
    out: list[Any] = [None] * 8
    # step-ordered (rows, features) matrices: row order is irrelevant to the weight gradient
    if plan.fixed:
        dg_rows = dgates.transpose(0, 2, 1).reshape(T * B, rows)
    else:
        dg_rows = np.concatenate([d.T for d in dgates])
    if any(needs[3:7]):
        xh_rows = (
            xh[:T].transpose(0, 2, 1).reshape(T * B, k_cols)
            if plan.fixed
            else np.concatenate([b.T for b in xh])
        )
        dw = dg_rows.T @ xh_rows  # (rows, K): [dW_ih | dW_hh | db] in internal order
        if lstm:
            inv = np.argsort(_lstm_perm(hid))
            dw = dw[inv]
            d_ih, d_hh = dw[:, :n_in], dw[:, n_in : n_in + p]
            db_ih = db_hh = dw[:, -1] if bias else None
        elif gru:
            d_ih = np.concatenate([dw[hid : 3 * hid, :n_in], dw[:hid, :n_in]])
            d_hh = dw[hid:, n_in : n_in + p]
            db_ih = np.concatenate([dw[hid : 3 * hid, -1], dw[:hid, -1]]) if bias else None
            db_hh = dw[hid:, -1] if bias else None
        else:
            d_ih, d_hh = dw[:, :n_in], dw[:, n_in : n_in + p]
            db_ih = db_hh = dw[:, -1] if bias else None
        out[3], out[4] = np.ascontiguousarray(d_ih), np.ascontiguousarray(d_hh)
        if bias:
            out[5], out[6] = np.ascontiguousarray(db_ih), np.array(db_hh)
    if needs[7] and w_hr is not None:
        proj = saved[5]
        if plan.fixed:
            dp = dproj.transpose(1, 0, 2).reshape(-1, T * B)
            r = proj.transpose(0, 2, 1).reshape(T * B, hid)
        else:
            dp = np.concatenate(dproj, axis=1)
            r = np.concatenate([q.T for q in proj])
        out[7] = dp @ r
    if needs[0]:
        if lstm:
            w_x = w_ih[_lstm_perm(hid)]
        elif gru:
            w_x = np.concatenate([w_ih[2 * hid :], w_ih[: 2 * hid]])  # rows n_x, r, z
            dg_rows = dg_rows[:, : 3 * hid]
        else:
            w_x = w_ih
        dx_rows = dg_rows @ w_x  # step order
        if plan.fixed:
            dx = dx_rows.reshape(T, B, n_in)
            if plan.reverse:
                dx = dx[::-1]
            out[0] = np.ascontiguousarray(dx.transpose(1, 0, 2) if plan.batch_first else dx)
        else:
            dx = np.empty_like(dx_rows)
            start = 0
            for t, bs in zip(plan.times, plan.sizes):
                dx[plan.offsets[t] : plan.offsets[t] + bs] = dx_rows[start : start + bs]
                start += bs
            out[0] = dx
    if needs[1]:
        out[1] = np.ascontiguousarray(dhs.T)
    if needs[2] and dcs is not None:
        out[2] = np.ascontiguousarray(dcs.T)
    return out
