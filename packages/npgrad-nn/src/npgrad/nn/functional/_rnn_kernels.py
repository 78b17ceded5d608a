"""NumPy kernels of one direction of one recurrent layer (RNN, LSTM, GRU): forward and BPTT.

Layout. Per-step quantities are *feature-major*, ``(features, batch)``: a gate is a contiguous
block of rows, so the ~10 elementwise ops of a step run on contiguous memory (strided gate
slices of a ``(batch, 4H)`` array measured 2-3x slower per op). Quantities that enter the big
GEMMs live in *step columns*: one ``(features, N)`` matrix whose columns ``starts[k] ...`` belong
to step ``k`` (``N`` = all valid (step, sequence) pairs); BLAS reads such a block in place.

GEMMs. ``xh = [x; 1; h]`` holds, per step, the input, a row of ones (for the biases) and the
previous hidden state. The input projections of ALL steps are one GEMM, ``[W_ih | b] @ [x; 1]``,
before the recurrence; each step then does one GEMM, ``W_hh @ h``, plus the fused gate math.
Exception, measured: when the whole ``W = [W_ih | b | W_hh]`` of an LSTM/RNN fits in about an
L2 cache (``FUSE_MAX_BYTES``), each step instead does the one GEMM ``W @ [x; 1; h]``: same
flops, but the ``4H x N`` input projections are never written out and read back per step
(a strided, cache-missing read that cost ~17 us of a ~65 us step; 35 steps of the ``lstm``
benchmark: 2.6 ms fused vs 0.7 + 2.4 ms). GRU always projects up front (its ``n`` gate needs
the input and hidden parts apart). Because every step's ``h`` is written into ``xh``,
the backward gets the weight and bias gradients of all steps as ONE GEMM, ``dG @ xh^T``, and
``dx`` as one more, after the time loop.

Sigmoid through tanh. ``sigmoid(a) = (1 + tanh(a / 2)) / 2``; the weight rows that feed sigmoid
gates are pre-scaled by 1/2, so one ``tanh`` call covers all four LSTM gates. Internal row
orders put those rows together: LSTM ``o, i, f, g`` (sigmoid rows first, then ``i, f, g``
contiguous for the cell-state gradient); GRU ``n_x, r, z, n_h`` with ``n_x = W_in x + b_in``
from the input projection and ``r, z, n_h`` from the step's GEMM (torch's
``n = tanh(n_x + r * (W_hn h + b_hn))``).

Variable lengths (packed input). Step ``t`` touches the first ``batch_sizes[t]`` sequences
(sorted longest first). The hidden state is a full ``(H, B)`` matrix whose trailing columns stay
put while their sequence is not running: the forward direction thus ends each sequence's ``h_n``
at its last valid step, and the reverse direction starts each sequence from ``h0`` at its last
step. The backward runs the same bookkeeping in reverse.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["FUSE_MAX_BYTES", "Plan", "backward", "forward"]

# Up to this size (about an L2 cache) the concatenated weight [W_ih | b | W_hh] of an LSTM or RNN
# is applied per step to [x; 1; h] instead of projecting all inputs first (module docstring).
FUSE_MAX_BYTES = 512 * 1024

_mm, _tanh, _mul, _sub = np.matmul, np.tanh, np.multiply, np.subtract
_LSTM_ORDER = [3, 0, 1, 2]  # internal gate block j is torch's block _LSTM_ORDER[j]
_LSTM_INVERSE = [1, 2, 3, 0]


class Plan:
    """The time-step geometry of one direction.

    ``batch_sizes`` None means a padded ``(T, B, I)`` input (``(B, T, I)`` with
    ``batch_first``); otherwise the input is packed ``(N, I)``. Step ``k`` processes time
    ``times[k]`` for ``sizes[k]`` sequences, in step columns ``starts[k]:starts[k] + sizes[k]``;
    ``offsets[t]`` is the first packed row of time ``t``.
    """

    __slots__ = (
        "fixed",
        "T",
        "B",
        "N",
        "times",
        "sizes",
        "starts",
        "offsets",
        "reverse",
        "batch_first",
    )

    def __init__(
        self, T: int, B: int, batch_sizes: np.ndarray | None, reverse: bool, batch_first: bool
    ) -> None:
        self.fixed = batch_sizes is None
        self.T, self.B, self.reverse, self.batch_first = T, B, reverse, batch_first
        bs = [B] * T if batch_sizes is None else [int(b) for b in batch_sizes]
        self.offsets = np.concatenate([[0], np.cumsum(bs)]).astype(np.int64).tolist()
        self.times = list(range(T - 1, -1, -1)) if reverse else list(range(T))
        self.sizes = [bs[t] for t in self.times]
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)]).astype(np.int64).tolist()
        self.N = self.starts[-1]


# ---- layout conversions ------------------------------------------------------------------------
def _fill_x(plan: Plan, x: np.ndarray, xh: np.ndarray, n_in: int) -> None:
    """Write the inputs into the x rows of the step columns of ``xh``."""
    if plan.fixed:
        xh3 = xh.reshape(xh.shape[0], plan.T + 1, plan.B)  # a view: xh is contiguous
        xt = x.transpose(2, 1, 0) if plan.batch_first else x.transpose(2, 0, 1)  # (I, T, B)
        xh3[:n_in, : plan.T] = xt[:, ::-1] if plan.reverse else xt
    elif not plan.reverse:
        xh[:n_in, : plan.N] = x.T
    else:
        for t, bs, s in zip(plan.times, plan.sizes, plan.starts):
            xh[:n_in, s : s + bs] = x[plan.offsets[t] : plan.offsets[t] + bs].T


def _cols_to_layout(plan: Plan, m: np.ndarray) -> np.ndarray:
    """``(r, N)`` step columns -> the input's layout ``(T, B, r)``, ``(B, T, r)`` or ``(N, r)``."""
    if plan.fixed:
        m3 = m.reshape(m.shape[0], plan.T, plan.B)
        if plan.reverse:
            m3 = m3[:, ::-1]
        return np.ascontiguousarray(
            m3.transpose(2, 1, 0) if plan.batch_first else m3.transpose(1, 2, 0)
        )
    return _rows_to_layout(plan, m.T)


def _rows_to_layout(plan: Plan, m: np.ndarray) -> np.ndarray:
    """``(N, r)`` rows in step order -> the input's layout."""
    if plan.fixed:
        m3 = m.reshape(plan.T, plan.B, m.shape[1])
        if plan.reverse:
            m3 = m3[::-1]
        return np.ascontiguousarray(m3.transpose(1, 0, 2) if plan.batch_first else m3)
    if not plan.reverse:  # step order is time order
        return np.ascontiguousarray(m)
    out = np.empty((plan.N, m.shape[1]), m.dtype)
    for t, bs, s in zip(plan.times, plan.sizes, plan.starts):
        out[plan.offsets[t] : plan.offsets[t] + bs] = m[s : s + bs]
    return out


def _layout_to_steps(plan: Plan, g: np.ndarray) -> Any:
    """An output gradient in the input's layout -> per-step blocks: ``(T, r, B)`` contiguous
    (fixed) or ``(r, N_packed)`` (packed; step ``k`` reads its time's packed columns). A
    gradient that is one value broadcast everywhere (that of ``out.sum()``) stays a scalar."""
    if g.size and not any(g.strides):
        return g.reshape(-1)[0]
    if plan.fixed:
        g3 = g.transpose(1, 2, 0) if plan.batch_first else g.transpose(0, 2, 1)  # (T, r, B)
        return np.ascontiguousarray(g3[::-1] if plan.reverse else g3)
    return np.ascontiguousarray(g.T)


# ---- weights in kernel layout ------------------------------------------------------------------
def _lstm_rows(a: np.ndarray, inverse: bool = False) -> np.ndarray:
    """Reorder the gate blocks of the rows of ``a``: torch -> internal (or back)."""
    h = a.shape[0] // 4
    order = _LSTM_INVERSE if inverse else _LSTM_ORDER
    return a.reshape(4, h, *a.shape[1:])[order].reshape(a.shape)


def _weights(
    mode: str, w_ih: np.ndarray, w_hh: np.ndarray, b_ih: Any, b_hh: Any
) -> tuple[np.ndarray, np.ndarray]:
    """``(w_x, w_h)`` in internal row order, sigmoid rows scaled by 1/2: ``w_x = [W_ih | b]``
    multiplies ``[x; 1]`` and ``w_h`` multiplies ``h``. GRU: ``w_x`` rows ``n_x, r, z`` (bias
    ``b_in``, ``b_ir + b_hr``, ``b_iz + b_hz``) and ``w_h`` rows ``r, z, n_h`` (plus a bias
    column ``b_hn`` on the ``n_h`` rows only, carried in ``w_h``'s last column)."""
    rows, n_in = w_ih.shape
    bias = b_ih is not None
    dt = w_ih.dtype
    if mode == "GRU":
        h = rows // 3
        w_x = np.empty((3 * h, n_in + bias), dt)
        w_x[:h, :n_in] = w_ih[2 * h :]
        w_x[h:, :n_in] = w_ih[: 2 * h]
        w_h = np.array(w_hh)
        if bias:
            w_x[:h, -1] = b_ih[2 * h :]
            np.add(b_ih[: 2 * h], b_hh[: 2 * h], out=w_x[h:, -1])
        w_x[h:] *= 0.5
        w_h[: 2 * h] *= 0.5
        return w_x, w_h
    w_x = np.empty((rows, n_in + bias), dt)
    if mode == "LSTM":
        w_x[:, :n_in] = _lstm_rows(w_ih)
        w_h = _lstm_rows(w_hh)
        if bias:
            w_x[:, -1] = _lstm_rows(b_ih + b_hh)
        w_x[: 3 * rows // 4] *= 0.5
        w_h[: 3 * rows // 4] *= 0.5
        return w_x, w_h
    w_x[:, :n_in] = w_ih
    if bias:
        np.add(b_ih, b_hh, out=w_x[:, -1])
    return w_x, np.ascontiguousarray(w_hh)


# ---- step functions (feature-major; outputs written through ``out=``) --------------------------
def _lstm_step(
    w: np.ndarray,
    src: np.ndarray,
    gin: Any,
    g: np.ndarray,
    cp: np.ndarray,
    c: np.ndarray,
    tc: np.ndarray,
    hout: np.ndarray,
    tmp: np.ndarray,
    w_hr: Any,
    r: Any,
) -> None:
    h = c.shape[0]
    _mm(w, src, out=g)
    if gin is not None:
        g += gin
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


def _lstm_step_back(
    g: np.ndarray,
    tc: np.ndarray,
    cp: np.ndarray,
    dr: np.ndarray,
    dc: np.ndarray,
    d: np.ndarray,
    t1: np.ndarray,
    t3: np.ndarray,
) -> None:
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


def _gru_step(
    w_h: np.ndarray,
    b_hn: Any,
    hp: np.ndarray,
    gin: np.ndarray,
    g: np.ndarray,
    n: np.ndarray,
    hout: np.ndarray,
    tmp: np.ndarray,
) -> None:
    """``g`` receives rows ``r, z, n_h``; ``gin`` holds rows ``n_x, r, z`` of the input side."""
    h = n.shape[0]
    _mm(w_h, hp, out=g)
    if b_hn is not None:
        g[2 * h :] += b_hn
    s = g[: 2 * h]
    s += gin[h:]
    _tanh(s, out=s)
    s *= 0.5
    s += 0.5  # r, z
    _mul(g[:h], g[2 * h :], out=n)
    n += gin[:h]
    _tanh(n, out=n)  # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
    _sub(hp, n, out=tmp)
    tmp *= g[h : 2 * h]
    np.add(n, tmp, out=hout)  # h' = (1 - z) n + z h = n + z (h - n)


def _gru_step_back(
    g: np.ndarray,
    n: np.ndarray,
    hp: np.ndarray,
    dh: np.ndarray,
    d: np.ndarray,
    t1: np.ndarray,
    t2: np.ndarray,
) -> None:
    """``d`` rows ``n_x, r, z, n_h`` (pre-activation gradients)."""
    h = n.shape[0]
    dz = d[2 * h : 3 * h]
    _sub(hp, n, out=dz)
    dz *= dh
    dn = d[:h]
    _sub(1.0, g[h : 2 * h], out=dn)
    dn *= dh
    _mul(n, n, out=t1)
    _sub(1.0, t1, out=t1)
    dn *= t1  # d n_x = dh (1 - z) (1 - n^2)
    _mul(dn, g[:h], out=d[3 * h :])  # d n_h = d n_x * r
    _mul(dn, g[2 * h :], out=d[h : 2 * h])  # d r (before sigmoid')
    s = g[: 2 * h]
    _sub(1.0, s, out=t2)
    t2 *= s
    d[h : 3 * h] *= t2


# ---- forward ---------------------------------------------------------------------------------
def forward(
    mode: str,
    plan: Plan,
    x: np.ndarray,
    h0: np.ndarray,
    c0: Any,
    w_ih: np.ndarray,
    w_hh: np.ndarray,
    b_ih: Any,
    b_hh: Any,
    w_hr: Any,
) -> tuple[Any, ...]:
    """Run one direction. Returns ``(out, h_n, c_n, saved)``: ``out`` in the input's layout
    (``(T, B, P)``, ``(B, T, P)`` or packed ``(N, P)``), ``h_n`` ``(B, P)``, ``c_n`` ``(B, H)``
    (None unless LSTM) and what :func:`backward` needs."""
    dt = x.dtype
    n_in, p = w_ih.shape[1], w_hh.shape[1]
    lstm, gru, relu = mode == "LSTM", mode == "GRU", mode == "RNN_RELU"
    hid = w_hh.shape[0] // (4 if lstm else 3 if gru else 1)
    bias = b_ih is not None
    a = n_in + bias  # first h row of xh
    T, B, N, fixed = plan.T, plan.B, plan.N, plan.fixed
    w_x, w_h = _weights(mode, w_ih, w_hh, b_ih, b_hh)
    b_hn = b_hh[2 * hid :, None] if gru and bias else None
    hr = slice(a, a + p)
    # step columns [x; 1; h]; fixed: one extra block, into which the last step writes h_n
    xh = np.empty((a + p, N + B if fixed else N), dt)
    _fill_x(plan, x, xh, n_in)
    if bias:
        xh[n_in] = 1
    rows = w_h.shape[0]
    fuse = not gru and w_x.nbytes + w_h.nbytes <= FUSE_MAX_BYTES
    if fuse:  # narrow input: x rides along in every step's GEMM (see the module docstring)
        gin: Any = None
        w_step = np.concatenate([w_x, w_h], axis=1)
    else:  # the input projections of all steps: one GEMM before the recurrence
        w_step, gin = w_h, w_x @ xh[:a, :N]
    proj: Any = np.empty((hid, N), dt) if w_hr is not None else None  # o * tanh(c), before W_hr
    if fixed:
        xh[hr, :B] = h0.T
        gates: Any = np.empty((T, rows, B), dt) if lstm or gru else None
        aux: Any = np.empty((T, hid, B), dt) if lstm or gru else None  # tanh(c) / n
        cells: Any = np.empty((T + 1, hid, B), dt) if lstm else None
        if lstm:
            cells[0] = c0.T
        tmp = np.empty((hid, B), dt)
        for k in range(T):
            s = k * B
            hp, hout = xh[hr, s : s + B], xh[hr, s + B : s + 2 * B]
            src, gk = (xh[:, s : s + B], None) if fuse else (hp, gin[:, s : s + B])
            if lstm:
                r = None if proj is None else proj[:, s : s + B]
                _lstm_step(
                    w_step, src, gk, gates[k], cells[k], cells[k + 1], aux[k], hout, tmp, w_hr, r
                )
            elif gru:
                _gru_step(w_h, b_hn, hp, gk, gates[k], aux[k], hout, tmp)  # type: ignore[arg-type]
            else:
                _mm(w_step, src, out=hout)
                if gk is not None:
                    hout += gk
                np.maximum(hout, 0, out=hout) if relu else _tanh(hout, out=hout)
        out = _cols_to_layout(plan, xh[hr, B:])
        h_n = np.ascontiguousarray(xh[hr, N:].T)
        c_n = np.ascontiguousarray(cells[T].T) if lstm else None
        return out, h_n, c_n, (xh, gates, aux, cells, proj, None)
    hs = np.ascontiguousarray(h0.T)  # running state (P, B)
    cs: Any = np.ascontiguousarray(c0.T) if lstm else None
    houts = np.empty((p, N), dt)
    gates_l: list[Any] = []
    aux_l: list[Any] = []
    cells_l: list[Any] = []  # LSTM: the cell state entering each step
    for k, bs in enumerate(plan.sizes):
        s = plan.starts[k]
        hp, hout = xh[hr, s : s + bs], houts[:, s : s + bs]
        src, gk = (xh[:, s : s + bs], None) if fuse else (hp, gin[:, s : s + bs])
        hp[...] = hs[:, :bs]
        if lstm:
            g, cp = np.empty((rows, bs), dt), cs[:, :bs].copy()
            c, tc, tmp = np.empty((hid, bs), dt), np.empty((hid, bs), dt), np.empty((hid, bs), dt)
            r = None if proj is None else proj[:, s : s + bs]
            _lstm_step(w_step, src, gk, g, cp, c, tc, hout, tmp, w_hr, r)
            cs[:, :bs] = c
            gates_l.append(g)
            aux_l.append(tc)
            cells_l.append(cp)
        elif gru:
            g, n, tmp = np.empty((rows, bs), dt), np.empty((hid, bs), dt), np.empty((hid, bs), dt)
            _gru_step(w_h, b_hn, hp, gk, g, n, hout, tmp)  # type: ignore[arg-type]
            gates_l.append(g)
            aux_l.append(n)
        else:
            _mm(w_step, src, out=hout)
            if gk is not None:
                hout += gk
            np.maximum(hout, 0, out=hout) if relu else _tanh(hout, out=hout)
        hs[:, :bs] = hout
    out = _cols_to_layout(plan, houts)
    c_n = np.ascontiguousarray(cs.T) if lstm else None
    return out, np.ascontiguousarray(hs.T), c_n, (xh, gates_l, aux_l, cells_l, proj, houts)


# ---- backward --------------------------------------------------------------------------------
def backward(
    mode: str,
    plan: Plan,
    saved: tuple[Any, ...],
    gout: Any,
    ghn: Any,
    gcn: Any,
    w_ih: np.ndarray,
    w_hh: np.ndarray,
    w_hr: Any,
    needs: tuple[bool, ...],
) -> list[Any]:
    """Backpropagation through time. ``needs`` flags (x, h0, c0, w_ih, w_hh, b_ih, b_hh,
    w_hr); returns their gradients in that order (None where not needed)."""
    lstm, gru, relu = mode == "LSTM", mode == "GRU", mode == "RNN_RELU"
    xh, gates, aux, cells, proj, houts = saved
    dt = xh.dtype
    p = w_hh.shape[1]
    hid = w_hh.shape[0] // (4 if lstm else 3 if gru else 1)
    rows = 4 * hid if lstm or gru else hid  # GRU: n_x, r, z, n_h
    a = xh.shape[0] - p
    T, B, N, fixed = plan.T, plan.B, plan.N, plan.fixed
    hr = slice(a, a + p)
    # the recurrent weight, transposed, unscaled, in internal row order (GRU: rows r, z, n_h)
    w_hT = np.ascontiguousarray((_lstm_rows(w_hh) if lstm else w_hh).T)
    w_hrT = None if w_hr is None else np.ascontiguousarray(w_hr.T)
    dhs = np.zeros((p, B), dt) if ghn is None else np.ascontiguousarray(ghn.T)
    dcs: Any = None
    if lstm:
        dcs = np.zeros((hid, B), dt) if gcn is None else np.ascontiguousarray(gcn.T)
    dout = None if gout is None else _layout_to_steps(plan, gout)
    scalar_dout = dout is not None and not isinstance(dout, np.ndarray)
    # every step writes its gate gradients ``d`` straight into its columns of ``dg_cols`` (a
    # strided view: copying a contiguous ``d`` there cost more than the strided writes)
    dg_cols = np.empty((rows, N), dt)
    dproj = np.empty((p, N), dt) if proj is not None else None
    if fixed:
        t1, t2 = np.empty((hid, B), dt), np.empty((3 * hid, B), dt)
    for k in range(T - 1, -1, -1):
        bs, s = plan.sizes[k], plan.starts[k]
        d = dg_cols[:, s : s + bs]
        # the last GEMM of the loop gives only the gradient of h0: skipped when not wanted
        carry = k > 0 or needs[1]
        if fixed:
            dh, dc = dhs, dcs
            if scalar_dout:
                dh += dout
            elif dout is not None:
                dh += dout[k]
        else:
            dh = dhs[:, :bs]
            dc = None if dcs is None else dcs[:, :bs]
            if scalar_dout:
                dh += dout
            elif dout is not None:
                off = plan.offsets[plan.times[k]]
                dh += dout[:, off : off + bs]
            t1, t2 = np.empty((hid, bs), dt), np.empty((3 * hid, bs), dt)
        if lstm:
            dr = dh
            if dproj is not None:
                dproj[:, s : s + bs] = dh
                dr = w_hrT @ dh
            _lstm_step_back(gates[k], aux[k], cells[k], dr, dc, d, t1, t2)
            if carry and fixed:
                _mm(w_hT, d, out=dhs)
            elif carry:
                dh[...] = w_hT @ d
        elif gru:
            _gru_step_back(gates[k], aux[k], xh[hr, s : s + bs], dh, d, t1, t2[: 2 * hid])
            if carry:
                _mul(dh, gates[k][hid : 2 * hid], out=t1)  # the direct path h' <- z h
                if fixed:
                    _mm(w_hT, d[hid:], out=dhs)
                    dhs += t1
                else:
                    np.add(w_hT @ d[hid:], t1, out=dh)
        else:
            hk = xh[hr, s + B : s + 2 * B] if fixed else houts[:, s : s + bs]
            if relu:
                _mul(dh, hk > 0, out=d)  # relu'(0) = 0, as torch
            else:
                _mul(hk, hk, out=d)
                _sub(1.0, d, out=d)
                d *= dh
            if carry and fixed:
                _mm(w_hT, d, out=dhs)
            elif carry:
                dh[...] = w_hT @ d
    return _param_grads(mode, plan, xh, proj, dg_cols, dproj, dhs, dcs, w_ih, w_hr, needs)


def _param_grads(
    mode: str,
    plan: Plan,
    xh: np.ndarray,
    proj: Any,
    dg_cols: np.ndarray,
    dproj: Any,
    dhs: np.ndarray,
    dcs: Any,
    w_ih: np.ndarray,
    w_hr: Any,
    needs: tuple[bool, ...],
) -> list[Any]:
    """The gradients of x and of the weights from every step's gate gradients: single GEMMs."""
    lstm, gru = mode == "LSTM", mode == "GRU"
    n_in, p = w_ih.shape[1], dhs.shape[0]
    hid = w_ih.shape[0] // (4 if lstm else 3 if gru else 1)
    a = xh.shape[0] - p
    bias = a == n_in + 1
    cols = xh[:, : plan.N]
    out: list[Any] = [None] * 8
    if any(needs[3:7]):
        if gru:  # input side: rows n_x, r, z against [x; 1]; hidden side: r, z, n_h against h
            dwx = dg_cols[: 3 * hid] @ cols[:a].T
            dwh = dg_cols[hid:] @ cols[a:].T
            out[3] = np.concatenate([dwx[hid:, :n_in], dwx[:hid, :n_in]])
            out[4] = dwh
            if bias:
                out[5] = np.concatenate([dwx[hid:, -1], dwx[:hid, -1]])
                out[6] = dg_cols[hid:].sum(axis=1)
        else:
            dw = dg_cols @ cols.T  # (rows, K): [dW_ih | db | dW_hh], internal rows
            if lstm:
                dw = _lstm_rows(dw, inverse=True)
            out[3], out[4] = np.ascontiguousarray(dw[:, :n_in]), np.ascontiguousarray(dw[:, a:])
            if bias:
                out[5], out[6] = dw[:, n_in].copy(), dw[:, n_in].copy()
    if needs[7] and dproj is not None:
        out[7] = dproj @ proj.T
    if needs[0]:
        if lstm:
            w_x, dg = _lstm_rows(w_ih), dg_cols
        elif gru:  # rows n_x, r, z
            w_x, dg = np.concatenate([w_ih[2 * hid :], w_ih[: 2 * hid]]), dg_cols[: 3 * hid]
        else:
            w_x, dg = w_ih, dg_cols
        out[0] = _rows_to_layout(plan, dg.T @ w_x)
    if needs[1]:
        out[1] = np.ascontiguousarray(dhs.T)
    if needs[2] and dcs is not None:
        out[2] = np.ascontiguousarray(dcs.T)
    return out
