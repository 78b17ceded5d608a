"""RNN, LSTM, GRU and their cells: parameters and init as torch, forward vs a NumPy reference,
BPTT vs finite differences (and second order), packed sequences, errors, torch parity."""

from __future__ import annotations

import doctest
import math
import warnings

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn.functional import _rnn as FR
from npgrad.nn.modules import _rnn_cells
from npgrad.nn.modules import rnn as rnn_module
from npgrad.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence
from npgrad.testing import assert_close

RNG = np.random.default_rng(8)
MODES = {"LSTM": nn.LSTM, "GRU": nn.GRU, "RNN_TANH": nn.RNN, "RNN_RELU": nn.RNN}


def _make(mode, *args, **kwargs):
    if mode == "RNN_RELU":
        kwargs["nonlinearity"] = "relu"
    return MODES[mode](*args, **kwargs)


def _sig(a):
    return 1 / (1 + np.exp(-a))


def _np_cell(mode, x, h, c, p):
    """One step in plain NumPy; ``p = (w_ih, w_hh, b_ih, b_hh, w_hr)``."""
    w_ih, w_hh, b_ih, b_hh, w_hr = p
    gi = x @ w_ih.T + (0 if b_ih is None else b_ih)
    gh = h @ w_hh.T + (0 if b_hh is None else b_hh)
    if mode == "LSTM":
        i, f, g, o = np.split(gi + gh, 4, axis=1)
        c = _sig(f) * c + _sig(i) * np.tanh(g)
        h = _sig(o) * np.tanh(c)
        return (h if w_hr is None else h @ w_hr.T), c
    if mode == "GRU":
        ir, iz, inn = np.split(gi, 3, axis=1)
        hr, hz, hn = np.split(gh, 3, axis=1)
        r, z = _sig(ir + hr), _sig(iz + hz)
        n = np.tanh(inn + r * hn)
        return (1 - z) * n + z * h, None
    a = gi + gh
    return (np.maximum(a, 0) if mode == "RNN_RELU" else np.tanh(a)), None


def _np_rnn(mode, m, x, h0, c0):
    """The whole (time-major, padded) network in NumPy from module ``m``'s parameters."""
    dirs = 2 if m.bidirectional else 1
    layer_in, hn, cn = x, [], []
    for layer in range(m.num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            p = [None if t is None else t._data for t in m._weights(k)]
            h, c = h0[k], None if c0 is None else c0[k]
            seq = [None] * len(layer_in)
            for t in range(len(layer_in))[:: -1 if d else 1]:
                h, c = _np_cell(mode, layer_in[t], h, c, p)
                seq[t] = h
            outs.append(np.stack(seq))
            hn.append(h)
            cn.append(c)
        layer_in = np.concatenate(outs, axis=-1)
    return layer_in, np.stack(hn), (np.stack(cn) if mode == "LSTM" else None)


def _uniform_ok(a, bound):
    a = np.asarray(a, dtype=np.float64)
    return (
        np.abs(a).max() <= np.float32(bound)
        and np.abs(a).max() > 0.98 * bound
        and abs(a.std() / (bound / math.sqrt(3)) - 1) < 0.05
    )


def test_docstring_examples_run():
    for mod in (rnn_module, _rnn_cells, FR):
        result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0
    assert doctest.testmod(rnn_module).attempted > 0 and doctest.testmod(_rnn_cells).attempted > 0


# ---- construction -------------------------------------------------------------------------------
def test_parameter_names_shapes_and_order():
    m = nn.LSTM(3, 8, num_layers=2, bidirectional=True, proj_size=5)
    names = [(n, p.shape) for n, p in m.named_parameters()]
    expected = []
    for layer, n_in in ((0, 3), (1, 10)):
        for sfx in ("", "_reverse"):
            expected += [
                (f"weight_ih_l{layer}{sfx}", (32, n_in)),
                (f"weight_hh_l{layer}{sfx}", (32, 5)),
                (f"bias_ih_l{layer}{sfx}", (32,)),
                (f"bias_hh_l{layer}{sfx}", (32,)),
                (f"weight_hr_l{layer}{sfx}", (5, 8)),
            ]
    assert names == expected
    g = nn.GRU(3, 4, bias=False)
    assert [(n, p.shape) for n, p in g.named_parameters()] == [
        ("weight_ih_l0", (12, 3)),
        ("weight_hh_l0", (12, 4)),
    ]
    assert nn.RNN(3, 4, dtype=npgrad.float64).weight_ih_l0.dtype == np.float64
    assert len(m.all_weights) == 4 and m.all_weights[1][0] is m.weight_ih_l0_reverse
    assert m._flat_weights[0] is m.weight_ih_l0
    m.flatten_parameters()  # a no-op, for code written for torch


def test_default_init_is_uniform_one_over_sqrt_hidden():
    npgrad.manual_seed(1)
    m = nn.LSTM(300, 100)
    for p in m.parameters():
        assert _uniform_ok(p._data, 1 / math.sqrt(100))
    cell = nn.GRUCell(400, 64)
    assert _uniform_ok(cell.weight_ih._data, 1 / 8)
    old = m.weight_hh_l0.tolist()
    w = m.weight_hh_l0
    m.reset_parameters()
    assert m.weight_hh_l0 is w and w.tolist() != old


def test_constructor_errors_and_warning():
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.LSTM(2, 3, dropout=1.5)
    with pytest.raises(ValueError, match="dropout should be a number"):
        nn.LSTM(2, 3, dropout=True)
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.GRU(2, 3, dropout=0.2)
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        nn.RNN(2, 0)
    with pytest.raises(ValueError, match="num_layers must be greater than zero"):
        nn.RNN(2, 3, 0)
    with pytest.raises(TypeError, match="hidden_size should be of type int, got: float"):
        nn.RNN(2, 3.0)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(2, 3, proj_size=3)
    with pytest.raises(ValueError, match="proj_size should be a positive integer"):
        nn.LSTM(2, 3, proj_size=-1)
    with pytest.raises(ValueError, match="only supported for LSTM"):
        nn.GRU(2, 3, proj_size=1)
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        nn.RNN(2, 3, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="Unknown nonlinearity"):
        nn.RNNCell(2, 3, nonlinearity="gelu")
    with pytest.raises(TypeError, match="at most"):
        nn.GRU(1, 2, 1, True, False, 0.0, False, None, None, "extra")


def test_repr():
    assert repr(nn.LSTM(10, 20)) == "LSTM(10, 20)"
    assert repr(
        nn.LSTM(10, 20, 2, bias=False, batch_first=True, bidirectional=True, proj_size=5)
    ) == (
        "LSTM(10, 20, proj_size=5, num_layers=2, bias=False, batch_first=True, bidirectional=True)"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert repr(nn.GRU(3, 4, dropout=0.5)) == "GRU(3, 4, dropout=0.5)"
    assert repr(nn.RNN(3, 4, nonlinearity="relu")) == "RNN(3, 4)"
    assert repr(nn.RNNCell(3, 4, bias=False, nonlinearity="relu")) == (
        "RNNCell(3, 4, bias=False, nonlinearity=relu)"
    )
    assert repr(nn.LSTMCell(3, 4)) == "LSTMCell(3, 4)"


# ---- forward vs NumPy ---------------------------------------------------------------------------
@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_matches_numpy(mode, dtype):
    npgrad.manual_seed(2)
    m = _make(mode, 3, 5, num_layers=2, bidirectional=True).to(dtype)
    x = RNG.standard_normal((6, 2, 3)).astype(dtype)
    h0 = RNG.standard_normal((4, 2, 5)).astype(dtype)
    c0 = RNG.standard_normal((4, 2, 5)).astype(dtype)
    hx = (npgrad.tensor(h0), npgrad.tensor(c0)) if mode == "LSTM" else npgrad.tensor(h0)
    out, hn = m(npgrad.tensor(x), hx)
    ref_out, ref_h, ref_c = _np_rnn(
        mode, m, x.astype(np.float64), h0, c0 if mode == "LSTM" else None
    )
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {}
    assert out.dtype == dtype and out.shape == (6, 2, 10)
    assert_close(out, ref_out.astype(dtype), **tol)
    if mode == "LSTM":
        assert_close(hn[0], ref_h.astype(dtype), **tol)
        assert_close(hn[1], ref_c.astype(dtype), **tol)
    else:
        assert_close(hn, ref_h.astype(dtype), **tol)


def test_lstm_projection_matches_numpy_and_zero_default_state():
    m = nn.LSTM(3, 6, proj_size=2, batch_first=True).double()
    x = RNG.standard_normal((2, 4, 3))
    out, (h, c) = m(npgrad.tensor(x))
    ref_out, ref_h, ref_c = _np_rnn(
        "LSTM", m, x.transpose(1, 0, 2), np.zeros((1, 2, 2)), np.zeros((1, 2, 6))
    )
    assert out.shape == (2, 4, 2) and h.shape == (1, 2, 2) and c.shape == (1, 2, 6)
    assert_close(out, ref_out.transpose(1, 0, 2))
    assert_close(h, ref_h)
    assert_close(c, ref_c)


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_unbatched_input(mode):
    m = _make(mode, 3, 4, num_layers=2).double()
    x = npgrad.tensor(RNG.standard_normal((5, 3)))
    out, hn = m(x)
    full, hfull = m(x.unsqueeze(1))
    assert out.shape == (5, 4)
    assert_close(out, full[:, 0])
    if mode == "LSTM":
        assert hn[0].shape == (2, 4) and hn[1].shape == (2, 4)
        assert_close(hn[1], hfull[1][:, 0])
        h0 = (npgrad.zeros(2, 4, dtype=npgrad.float64), npgrad.zeros(2, 4, dtype=npgrad.float64))
    else:
        assert hn.shape == (2, 4)
        h0 = npgrad.zeros(2, 4, dtype=npgrad.float64)
    assert_close(m(x, h0)[0], out)


# ---- gradients ----------------------------------------------------------------------------------
def _tiny_layer_fn(mode, batch_sizes, reverse, batch_first=False, proj=False):
    def f(x, h0, *rest):
        if mode == "LSTM":
            c0, *w = rest
        else:
            c0, w = None, list(rest)
        w_hr = w.pop() if proj else None
        return FR.recurrent_layer(mode, x, h0, c0, [*w, w_hr], batch_sizes, reverse, batch_first)

    return f


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("packed", [False, True])
def test_fused_layer_gradcheck_and_second_order(mode, packed):
    g = {"LSTM": 4, "GRU": 3}.get(mode, 1)
    hid, n_in = 2, 2
    bs = np.array([2, 2, 1]) if packed else None
    x = RNG.standard_normal((5, n_in) if packed else (2, 2, n_in))  # (B, T, I) when padded
    args = [
        npgrad.tensor(x, requires_grad=True),
        npgrad.tensor(RNG.standard_normal((2, hid)) * 0.5, requires_grad=True),
    ]
    if mode == "LSTM":
        args.append(npgrad.tensor(RNG.standard_normal((2, hid)) * 0.5, requires_grad=True))
    for shape in ((g * hid, n_in), (g * hid, hid), (g * hid,), (g * hid,)):
        args.append(npgrad.tensor(RNG.standard_normal(shape) * 0.6, requires_grad=True))
    f = _tiny_layer_fn(mode, bs, reverse=packed, batch_first=not packed)
    assert gradcheck(f, args)
    # second order (the recompute path) w.r.t. x, h0 and W_hh; the rest held constant
    rest = [a.detach() for a in args]

    def f2(x, h0, w_hh):
        full = [x, h0, *rest[2:]]
        full[-3] = w_hh
        return f(*full)

    assert gradgradcheck(f2, (args[0], args[1], args[-3]))


def test_lstm_projection_gradcheck():
    hid, proj = 3, 1
    args = [
        npgrad.tensor(RNG.standard_normal(s) * 0.5, requires_grad=True)
        for s in ((2, 2, 1), (2, proj), (2, hid), (12, 1), (12, proj), (12,), (12,), (proj, hid))
    ]
    f = _tiny_layer_fn("LSTM", None, reverse=True, proj=True)
    assert gradcheck(f, args)
    assert gradgradcheck(f, args)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("packed", [False, True])
@pytest.mark.parametrize("fuse_limit", [0, 1 << 30])
def test_fused_layer_equals_the_composed_reference(mode, packed, fuse_limit, monkeypatch):
    """The NumPy kernel and the npgrad-op reference (used for higher-order gradients) agree,
    values and gradients, on a reversed sequence with every input used -- with the input
    projection done up front (limit 0) and inside each step's GEMM."""
    monkeypatch.setattr(FR.K, "FUSE_MAX_BYTES", fuse_limit)
    g = {"LSTM": 4, "GRU": 3}.get(mode, 1)
    bs = np.array([4, 3, 3, 1]) if packed else None
    plan = FR.K.Plan(4, 4, bs, True, False)
    mk = lambda *s: npgrad.tensor(RNG.standard_normal(s), requires_grad=True)  # noqa: E731
    ins = [
        mk(11, 3) if packed else mk(4, 4, 3),
        mk(4, 5),
        mk(4, 5) if mode == "LSTM" else None,
        mk(g * 5, 3),
        mk(g * 5, 5),
        mk(g * 5),
        mk(g * 5),
        None,
    ]
    fused = FR._RecurrentLayer.apply(*ins, mode=mode, plan=plan)
    ref = FR._reference_layer(mode, plan, *ins)
    weights = [RNG.standard_normal(o.shape) for o in fused]
    grads = []
    for outs in (fused, ref):
        live = [t for t in ins if t is not None]
        loss = sum((o * npgrad.tensor(w)).sum() for o, w in zip(outs, weights))
        grads.append(npgrad.autograd.grad(loss, live))
    for a, b in zip(fused, ref):
        assert_close(a, b)
    for a, b in zip(*grads):
        assert_close(a, b)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("packed", [False, True])
def test_gradients_do_not_depend_on_whether_h0_needs_one(mode, packed):
    """Without an h0 that requires grad the BPTT skips its last GEMM (the one giving only
    h0's gradient): every other gradient must be the same as with it."""
    m = _make(mode, 3, 4, bidirectional=True).double()
    x0 = RNG.standard_normal((5, 2, 3))
    h00 = RNG.standard_normal((2, 2, 4))
    w_out = RNG.standard_normal((8, 8) if packed else (5, 2, 8))
    grads = []
    for h0_grad in (False, True):
        m.zero_grad()
        x = npgrad.tensor(x0, requires_grad=True)
        h0 = npgrad.tensor(h00, requires_grad=h0_grad)
        inp = pack_padded_sequence(x, [5, 3]) if packed else x
        state = (h0, npgrad.tensor(h00)) if mode == "LSTM" else h0
        out = m(inp, state)[0]
        out = out.data if packed else out
        (out * npgrad.tensor(w_out)).sum().backward()
        assert (h0.grad is not None) == h0_grad
        grads.append([x.grad._data.copy()] + [p.grad._data.copy() for p in m.parameters()])
    for a, b in zip(*grads):
        assert_close(a, b, rtol=0, atol=0)


@pytest.mark.parametrize("packed", [False, True])
def test_broadcast_output_gradient_equals_a_materialised_one(packed):
    """``out.sum()`` sends a zero-stride gradient, which the kernel adds as a scalar."""
    m = nn.LSTM(3, 4, bidirectional=True).double()
    x = npgrad.tensor(RNG.standard_normal((5, 2, 3)))
    inp = pack_padded_sequence(x, [5, 3]) if packed else x
    grads = []
    for explicit in (False, True):
        m.zero_grad()
        out = m(inp)[0]
        out = out.data if packed else out
        (out * npgrad.tensor(np.ones(out.shape)) if explicit else out).sum().backward()
        grads.append([p.grad._data.copy() for p in m.parameters()])
    for a, b in zip(*grads):
        assert_close(a, b)


def test_long_sequence_backprops_without_recursion():
    m = nn.LSTM(2, 3)
    x = npgrad.randn(1000, 1, 2, requires_grad=True)
    out, (h, c) = m(x)
    (out.sum() + c.sum()).backward()
    assert x.grad.shape == (1000, 1, 2) and np.isfinite(x.grad._data).all()
    cell = nn.GRUCell(2, 3)
    h = None
    for t in range(1000):
        h = cell(x[t], h)
    h.sum().backward()
    assert np.isfinite(cell.weight_hh.grad._data).all()


def test_dropout_between_layers_only_in_training():
    m = nn.GRU(3, 4, num_layers=2, dropout=1.0)  # every unit of layer 0's output dropped
    x = npgrad.randn(5, 2, 3)
    out, h = m(x)
    # layer 1 then sees zeros: its output equals a fresh run on a zero input
    top = nn.GRU(4, 4)
    top.load_state_dict(
        {k.replace("_l1", "_l0"): v for k, v in m.state_dict().items() if "_l1" in k}
    )
    assert_close(out, top(npgrad.zeros(5, 2, 4))[0])
    m.eval()
    out_eval, _ = m(x)
    assert not np.allclose(out_eval._data, out._data)
    m.train()
    m.dropout = 0.5
    npgrad.manual_seed(3)
    a = m(x)[0]
    npgrad.manual_seed(3)
    assert_close(m(x)[0], a)  # the dropout masks come from npgrad.random


# ---- packed sequences ---------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN_TANH"])
def test_packed_input_equals_running_each_sequence_alone(mode):
    m = _make(mode, 3, 4, num_layers=2, bidirectional=True).double()
    lengths = [2, 5, 3]
    padded = npgrad.tensor(RNG.standard_normal((5, 3, 3)))
    packed = pack_padded_sequence(padded, lengths, enforce_sorted=False)
    out, hn = m(packed)
    assert isinstance(out, PackedSequence) and out.sorted_indices is packed.sorted_indices
    assert out.batch_sizes is packed.batch_sizes
    unpacked, lens = pad_packed_sequence(out)
    assert lens.tolist() == lengths
    for b, n in enumerate(lengths):
        alone, h_alone = m(padded[:n, b : b + 1])
        assert_close(unpacked[:n, b : b + 1], alone)
        assert (unpacked._data[n:, b] == 0).all()
        if mode == "LSTM":
            assert_close(hn[0][:, b : b + 1], h_alone[0])
            assert_close(hn[1][:, b : b + 1], h_alone[1])
        else:
            assert_close(hn[:, b : b + 1], h_alone)


def test_packed_input_with_initial_state_in_original_order():
    m = nn.GRU(2, 3).double()
    padded = npgrad.tensor(RNG.standard_normal((4, 3, 2)))
    h0 = npgrad.tensor(RNG.standard_normal((1, 3, 3)))
    lengths = [1, 4, 2]
    out, hn = m(pack_padded_sequence(padded, lengths, enforce_sorted=False), h0)
    for b, n in enumerate(lengths):
        alone, h_alone = m(padded[:n, b : b + 1], h0[:, b : b + 1])
        assert_close(hn[:, b : b + 1], h_alone)


# ---- errors -------------------------------------------------------------------------------------
def test_input_errors_name_the_layer_and_shapes():
    m = nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(
        ValueError,
        match=r"^LSTM\(3, 4, num_layers=2\): input.size\(-1\) must be equal to input_size. Expected 3, got 5",
    ) as info:
        m(npgrad.zeros(2, 1, 5))
    assert isinstance(info.value, RuntimeError)
    with pytest.raises(
        ValueError, match=r"LSTM\(3, 4, num_layers=2\): Expected input to be 2D or 3D, got 4D"
    ):
        m(npgrad.zeros(2, 1, 1, 3))
    with pytest.raises(ValueError, match=r"Expected hidden\[0\] size \(2, 1, 4\), got \[1, 1, 4\]"):
        m(npgrad.zeros(2, 1, 3), (npgrad.zeros(1, 1, 4), npgrad.zeros(2, 1, 4)))
    with pytest.raises(ValueError, match=r"Expected hidden\[1\] size \(2, 1, 4\), got \[2, 1, 3\]"):
        m(npgrad.zeros(2, 1, 3), (npgrad.zeros(2, 1, 4), npgrad.zeros(2, 1, 3)))
    with pytest.raises(
        ValueError,
        match=r"For batched 3-D input, hx and cx should also be 3-D but got \(2-D, 3-D\)",
    ):
        m(npgrad.zeros(2, 1, 3), (npgrad.zeros(2, 4), npgrad.zeros(2, 1, 4)))
    with pytest.raises(TypeError, match=r"hx must be a tuple \(h_0, c_0\)"):
        m(npgrad.zeros(2, 1, 3), npgrad.zeros(2, 1, 4))
    with pytest.raises(ValueError, match="input must have the type float32, got type float64"):
        m(npgrad.zeros(2, 1, 3, dtype=npgrad.float64))
    with pytest.raises(ValueError, match="sequence length to be larger than 0"):
        m(npgrad.zeros(0, 1, 3))
    g = nn.GRU(3, 4)
    with pytest.raises(
        ValueError, match=r"GRU\(3, 4\): Expected hidden size \(1, 2, 4\), got \[1, 3, 4\]"
    ):
        g(npgrad.zeros(5, 2, 3), npgrad.zeros(1, 3, 4))
    with pytest.raises(
        ValueError, match="For unbatched 2-D input, hx should also be 2-D but got 3-D"
    ):
        g(npgrad.zeros(5, 3), npgrad.zeros(1, 1, 4))
    with pytest.raises(TypeError, match="Tensor or PackedSequence"):
        g([[1.0, 2.0, 3.0]])


def test_cell_errors():
    cell = nn.LSTMCell(3, 4)
    with pytest.raises(ValueError, match="LSTMCell: Expected input to be 1D or 2D, got 3D"):
        cell(npgrad.zeros(1, 2, 3))
    with pytest.raises(
        ValueError, match=r"LSTMCell\(3, 4\): input has inconsistent input_size: got 2, expected 3"
    ):
        cell(npgrad.zeros(5, 2))
    with pytest.raises(ValueError, match="Input batch size 5 doesn't match hidden0 batch size 4"):
        cell(npgrad.zeros(5, 3), (npgrad.zeros(4, 4), npgrad.zeros(5, 4)))
    with pytest.raises(ValueError, match="hidden1 has inconsistent hidden_size: got 3, expected 4"):
        cell(npgrad.zeros(5, 3), (npgrad.zeros(5, 4), npgrad.zeros(5, 3)))
    with pytest.raises(TypeError, match="hx must be a tuple"):
        cell(npgrad.zeros(5, 3), npgrad.zeros(5, 4))
    with pytest.raises(ValueError, match="GRUCell: Expected hidden to be 1D or 2D, got 3D"):
        nn.GRUCell(3, 4)(npgrad.zeros(5, 3), npgrad.zeros(1, 5, 4))


# ---- cells --------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [nn.RNNCell, nn.LSTMCell, nn.GRUCell])
def test_cells_match_numpy_and_gradcheck(cls):
    cell = cls(3, 4).double()
    x = npgrad.tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    h = npgrad.tensor(RNG.standard_normal((2, 4)), requires_grad=True)
    c = npgrad.tensor(RNG.standard_normal((2, 4)), requires_grad=True)
    p = [cell.weight_ih._data, cell.weight_hh._data, cell.bias_ih._data, cell.bias_hh._data, None]
    mode = {nn.RNNCell: "RNN_TANH", nn.LSTMCell: "LSTM", nn.GRUCell: "GRU"}[cls]
    ref_h, ref_c = _np_cell(mode, x._data, h._data, c._data, p)
    if cls is nn.LSTMCell:
        h1, c1 = cell(x, (h, c))
        assert_close(h1, ref_h)
        assert_close(c1, ref_c)
        f = lambda *a: cell(a[0], (a[1], a[2]))  # noqa: E731
        args = (x, h, c)
        hu, cu = cell(x[0], (h[0], c[0]))
        assert hu.shape == (4,) and cu.shape == (4,)
    else:
        assert_close(cell(x, h), ref_h)
        f = lambda *a: cell(a[0], a[1])  # noqa: E731
        args = (x, h)
        assert cell(x[0]).shape == (4,)
        assert_close(cell(x), cell(x, npgrad.zeros(2, 4, dtype=npgrad.float64)))
    assert gradcheck(f, args)
    assert gradgradcheck(f, args)


# ---- torch parity -------------------------------------------------------------------------------
def _torch_state(m):
    return {k: npgrad.tensor(v.detach().numpy()) for k, v in m.state_dict().items()}


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize(
    ("layers", "bidir", "batch_first", "packed"),
    [
        (1, False, False, False),
        (2, True, True, False),
        (2, False, False, True),
        (1, True, True, True),
        (2, True, False, True),
    ],
)
def test_parity_outputs_and_gradients(mode, layers, bidir, batch_first, packed):
    torch = pytest.importorskip("torch")
    tcls = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}.get(mode, torch.nn.RNN)
    kw = {"num_layers": layers, "bidirectional": bidir, "batch_first": batch_first}
    if mode == "RNN_RELU":
        kw["nonlinearity"] = "relu"
    if mode == "LSTM" and layers == 2 and bidir:
        kw["proj_size"] = 2
    if layers == 1 and bidir and packed:
        kw["bias"] = False
    for dtype, tdtype, tol in (
        (np.float64, torch.float64, {}),
        (np.float32, torch.float32, {"rtol": 2e-4, "atol": 2e-5}),
    ):
        t = tcls(3, 4, **kw).to(tdtype)
        m = _make(mode, 3, 4, **{k: v for k, v in kw.items() if k != "nonlinearity"}).to(dtype)
        m.load_state_dict(_torch_state(t), strict=True)
        assert repr(m) == repr(t)
        p = kw.get("proj_size", 4)
        n_state = layers * (2 if bidir else 1)
        lengths = [5, 2, 4]
        x = RNG.standard_normal((3, 5, 3) if batch_first else (5, 3, 3)).astype(dtype)
        h0 = RNG.standard_normal((n_state, 3, p)).astype(dtype)
        c0 = RNG.standard_normal((n_state, 3, 4)).astype(dtype)
        xt, h0t, c0t = (torch.tensor(a, requires_grad=True) for a in (x, h0, c0))
        xn, h0n, c0n = (npgrad.tensor(a, requires_grad=True) for a in (x, h0, c0))
        if packed:
            tin = torch.nn.utils.rnn.pack_padded_sequence(
                xt, lengths, batch_first, enforce_sorted=False
            )
            nin = pack_padded_sequence(xn, lengths, batch_first, enforce_sorted=False)
        else:
            tin, nin = xt, xn
        if mode == "LSTM":
            to, (th, tc) = t(tin, (h0t, c0t))
            no, (nh, nc) = m(nin, (h0n, c0n))
            touts, nouts = [th, tc], [nh, nc]
        else:
            to, th = t(tin, h0t)
            no, nh = m(nin, h0n)
            touts, nouts = [th], [nh]
        if packed:
            to, no = to.data, no.data
        touts, nouts = [to, *touts], [no, *nouts]
        weights = [RNG.standard_normal(tuple(o.shape)).astype(dtype) for o in touts]
        sum(((o * torch.tensor(w)).sum() for o, w in zip(touts, weights))).backward()
        sum(((o * npgrad.tensor(w)).sum() for o, w in zip(nouts, weights))).backward()
        for a, b in zip(nouts, touts):
            assert a.dtype == dtype
            assert_close(a, b.detach().numpy(), **tol)
        assert_close(xn.grad, xt.grad.numpy(), **tol)
        assert_close(h0n.grad, h0t.grad.numpy(), **tol)
        if mode == "LSTM":
            assert_close(c0n.grad, c0t.grad.numpy(), **tol)
        for (name, a), (_, b) in zip(m.named_parameters(), t.named_parameters()):
            assert_close(a.grad, b.grad.numpy(), **tol, msg=name)


@pytest.mark.torch
@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_parity_eval_mode_with_dropout_and_unbatched(mode):
    torch = pytest.importorskip("torch")
    tcls = torch.nn.LSTM if mode == "LSTM" else torch.nn.GRU
    t = tcls(3, 5, num_layers=3, dropout=0.4).double().eval()
    m = _make(mode, 3, 5, num_layers=3, dropout=0.4).double().eval()
    m.load_state_dict(_torch_state(t), strict=True)
    x = RNG.standard_normal((4, 3))
    to, th = t(torch.tensor(x))
    no, nh = m(npgrad.tensor(x))
    assert_close(no, to.detach().numpy())
    if mode == "LSTM":
        assert_close(nh[1], th[1].detach().numpy())
    else:
        assert_close(nh, th.detach().numpy())


@pytest.mark.torch
@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_parity(cls):
    torch = pytest.importorskip("torch")
    t = getattr(torch.nn, cls)(3, 4, bias=False).double()
    m = getattr(nn, cls)(3, 4, bias=False).double()
    assert repr(m) == repr(t)
    m.load_state_dict(_torch_state(t), strict=True)
    x = RNG.standard_normal((2, 3))
    xt, xn = torch.tensor(x, requires_grad=True), npgrad.tensor(x, requires_grad=True)
    to, no = t(xt), m(xn)
    if cls == "LSTMCell":
        to, no = to[0] * 2 + to[1], no[0] * 2 + no[1]
    to.sum().backward()
    no.sum().backward()
    assert_close(no, to.detach().numpy())
    assert_close(xn.grad, xt.grad.numpy())
    assert_close(m.weight_hh.grad, t.weight_hh.grad.numpy())
