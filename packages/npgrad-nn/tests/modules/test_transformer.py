"""MultiheadAttention and the Transformer modules: parameter names and init as torch, repr,
forward semantics, gradients, errors, torch parity (outputs and gradients, train and eval)."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn.modules import attention as attention_module
from npgrad.nn.modules import transformer as transformer_module
from npgrad.nn.modules.attention import MultiheadAttention, NonDynamicallyQuantizableLinear
from npgrad.testing import assert_close

RNG = np.random.default_rng(9)


def _x(*shape, grad=False, dtype=np.float64):
    return npgrad.tensor(RNG.standard_normal(shape).astype(dtype), requires_grad=grad)


def test_docstring_examples_run():
    assert doctest.testmod(transformer_module).failed == 0
    if not hasattr(nn, "MultiheadAttention"):
        pytest.skip("nn does not export MultiheadAttention yet (modules/__init__.py)")
    result = doctest.testmod(attention_module)
    assert result.attempted > 0 and result.failed == 0


# ---- MultiheadAttention -------------------------------------------------------------------------
def test_mha_parameters_and_default_init():
    npgrad.manual_seed(0)
    m = MultiheadAttention(256, 4)
    assert [(n, p.shape) for n, p in m.named_parameters()] == [
        ("in_proj_weight", (768, 256)),
        ("in_proj_bias", (768,)),
        ("out_proj.weight", (256, 256)),
        ("out_proj.bias", (256,)),
    ]
    bound = math.sqrt(6 / (256 + 768))  # xavier_uniform_ of the stacked (3E, E) weight
    w = m.in_proj_weight._data
    assert np.abs(w).max() <= np.float32(bound) and np.abs(w).max() > 0.98 * bound
    assert abs(w.std() / (bound / math.sqrt(3)) - 1) < 0.05
    assert (m.in_proj_bias._data == 0).all() and (m.out_proj.bias._data == 0).all()
    assert isinstance(m.out_proj, NonDynamicallyQuantizableLinear) and isinstance(
        m.out_proj, nn.Linear
    )
    sep = MultiheadAttention(8, 2, kdim=5, vdim=3, add_bias_kv=True, bias=False)
    assert [(n, p.shape) for n, p in sep.named_parameters()] == [
        ("q_proj_weight", (8, 8)),
        ("k_proj_weight", (8, 5)),
        ("v_proj_weight", (8, 3)),
        ("bias_k", (1, 1, 8)),
        ("bias_v", (1, 1, 8)),
        ("out_proj.weight", (8, 8)),
    ]
    assert sep.in_proj_weight is None and sep.in_proj_bias is None
    assert repr(m) == (
        "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=256, "
        "out_features=256, bias=True)\n)"
    )


def test_mha_constructor_errors():
    with pytest.raises(ValueError, match="embed_dim and num_heads must be greater than 0"):
        MultiheadAttention(0, 2)
    with pytest.raises(ValueError, match="embed_dim must be divisible by num_heads"):
        MultiheadAttention(10, 3)


@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_self_attention_batch_first_and_unbatched(batch_first):
    m = MultiheadAttention(8, 2, batch_first=batch_first).double()
    x = _x(3, 5, 8)  # (N, L, E) with batch_first, else (L, N, E)
    out, w = m(x, x, x)
    assert out.shape == (3, 5, 8)
    assert w.shape == ((3, 5, 5) if batch_first else (5, 3, 3))
    # each batch element alone, unbatched (L, E), gives the same rows
    for b in range(x.shape[0 if batch_first else 1]):
        xb = x[b] if batch_first else x[:, b]
        single, ws = m(xb, xb, xb, average_attn_weights=False)
        assert single.shape == xb.shape and ws.shape == (2, xb.shape[0], xb.shape[0])
        assert_close(single, out[b] if batch_first else out[:, b])
        assert_close(ws.mean(0), w[b])


def test_mha_gradients_first_and_second_order():
    m = MultiheadAttention(4, 2, kdim=3, vdim=2).double()
    q, k, v = _x(2, 1, 4, grad=True), _x(3, 1, 3, grad=True), _x(3, 1, 2, grad=True)
    f = lambda a, b, c: m(a, b, c, need_weights=False)[0]  # noqa: E731
    assert gradcheck(f, (q, k, v))
    assert gradgradcheck(f, (q, k, v))
    g = lambda a: m(a, k, v, need_weights=True)[1]  # noqa: E731
    assert gradcheck(g, (q,))


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize(("shape", "weights"), [((0, 3, 4), (0, 3, 3)), ((2, 0, 4), (2, 0, 0))])
def test_mha_and_encoder_layer_on_an_empty_batch_or_sequence(shape, weights, need_weights):
    # PyTorch: empty outputs (and attention weights) of the right shapes, zero gradients
    mha = MultiheadAttention(4, 2, batch_first=True)
    x = npgrad.zeros(*shape, requires_grad=True)
    out, attn = mha(x, x, x, need_weights=need_weights)
    assert out.shape == shape
    assert (attn.shape == weights) if need_weights else attn is None
    out.sum().backward()
    assert x.grad.shape == shape and not mha.in_proj_weight.grad.numpy().any()
    layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True)
    x = npgrad.zeros(*shape, requires_grad=True)
    out = layer(x)
    assert out.shape == shape
    out.sum().backward()
    assert x.grad.shape == shape


def test_mha_input_errors_name_the_layer():
    m = MultiheadAttention(8, 2)
    x, x64 = npgrad.zeros(5, 3, 8), npgrad.zeros(5, 3, 8, dtype=npgrad.float64)
    with pytest.raises(
        ValueError,
        match=r"MultiheadAttention\(embed_dim=8, num_heads=2\): expected query of shape \(L, N, 8\) or \(L, 8\), got shape \(5, 3, 7\)",
    ):
        m(npgrad.zeros(5, 3, 7), npgrad.zeros(5, 3, 8), npgrad.zeros(5, 3, 8))
    with pytest.raises(
        ValueError,
        match=r"MultiheadAttention\(embed_dim=8, num_heads=2\): The shape of the 2D attn_mask is \(5, 4\)",
    ):
        m(x, x, x, attn_mask=npgrad.zeros(5, 4))
    with pytest.raises(ValueError, match="expected query of dtype float32, got float64"):
        m(x64, x64, x64)


# ---- encoder / decoder layers -------------------------------------------------------------------
def test_encoder_layer_structure_and_activation():
    layer = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.2)
    assert [n for n, _ in layer.named_children()] == [
        "self_attn",
        "linear1",
        "dropout",
        "linear2",
        "norm1",
        "norm2",
        "dropout1",
        "dropout2",
    ]
    assert layer.activation is nn.functional.relu and layer.activation_relu_or_gelu == 1
    assert nn.TransformerEncoderLayer(16, 4, activation="gelu").activation_relu_or_gelu == 2
    custom = nn.TransformerEncoderLayer(16, 4, activation=nn.Tanh())
    assert custom.activation_relu_or_gelu == 0 and "(activation): Tanh()" in repr(custom)
    with pytest.raises(ValueError, match="activation should be relu/gelu, not swish"):
        nn.TransformerEncoderLayer(16, 4, activation="swish")
    assert nn.TransformerEncoderLayer(16, 4, bias=False).linear1.bias is None


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_matches_its_definition(norm_first):
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, norm_first=norm_first).double()
    x = _x(5, 2, 8)
    mask = nn.Transformer.generate_square_subsequent_mask(5, dtype=npgrad.float64)
    sa = lambda t: layer.self_attn(t, t, t, attn_mask=mask, need_weights=False)[0]  # noqa: E731
    ff = lambda t: layer.linear2(nn.functional.relu(layer.linear1(t)))  # noqa: E731
    if norm_first:
        h = x + sa(layer.norm1(x))
        ref = h + ff(layer.norm2(h))
    else:
        h = layer.norm1(x + sa(x))
        ref = layer.norm2(h + ff(h))
    assert_close(layer(x, src_mask=mask), ref)
    assert_close(layer(x, src_mask=mask, is_causal=True), ref)


def test_encoder_deep_copies_layers_and_applies_norm():
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0).double()
    enc = nn.TransformerEncoder(layer, num_layers=2, norm=nn.LayerNorm(8).double())
    assert (
        enc.layers[0] is not layer
        and enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight
    )
    assert_close(enc.layers[1].linear1.weight, layer.linear1.weight)
    with npgrad.no_grad():
        enc.layers[1].linear1.weight.mul_(2.0)
    x = _x(4, 3, 8)
    assert_close(enc(x), enc.norm(enc.layers[1](enc.layers[0](x))))
    assert len(list(enc.parameters())) == 2 * len(list(layer.parameters())) + 2


def test_decoder_and_transformer_shapes_and_errors():
    model = nn.Transformer(16, 4, 1, 2, 32, dropout=0.0, batch_first=True)
    assert [n for n, _ in model.decoder.layers[0].named_children()] == [
        "self_attn",
        "multihead_attn",
        "linear1",
        "dropout",
        "linear2",
        "norm1",
        "norm2",
        "norm3",
        "dropout1",
        "dropout2",
        "dropout3",
    ]
    src, tgt = npgrad.randn(2, 7, 16), npgrad.randn(2, 5, 16)
    mask = model.generate_square_subsequent_mask(5)
    assert mask.shape == (5, 5) and mask.dtype == np.float32
    assert np.isneginf(mask._data[0, 1]) and mask._data[1, 0] == 0
    assert model(src, tgt, tgt_mask=mask).shape == (2, 5, 16)
    with pytest.raises(ValueError, match="the batch number of src and tgt must be equal"):
        model(src, npgrad.randn(3, 5, 16))
    with pytest.raises(ValueError, match="feature number of src and tgt must be equal to d_model"):
        model(src, npgrad.randn(2, 5, 8))
    # xavier-uniform re-initialisation of every matrix
    w = np.abs(model.encoder.layers[0].linear1.weight._data)  # (32, 16)
    # inside xavier's bound sqrt(6 / 48) = 0.354, and beyond Linear's default 1 / sqrt(16)
    assert 0.3 < w.max() <= math.sqrt(6 / 48)


# ---- torch parity -------------------------------------------------------------------------------
def _load(ours, theirs):
    ours.load_state_dict(
        {k: npgrad.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}, strict=True
    )


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"batch_first": True, "add_zero_attn": True},
        {"kdim": 5, "vdim": 3},
        {"add_bias_kv": True, "bias": False},
    ],
)
def test_mha_parity(kw):
    torch = pytest.importorskip("torch")
    t = torch.nn.MultiheadAttention(8, 2, **kw).double()
    m = MultiheadAttention(8, 2, **kw).double()
    _load(m, t)
    assert repr(m) == repr(t) and list(m.state_dict()) == list(t.state_dict())
    bf = kw.get("batch_first", False)
    shape = (lambda n, d: (3, n, d)) if bf else (lambda n, d: (n, 3, d))
    arrays = [
        RNG.standard_normal(shape(4, 8)),
        RNG.standard_normal(shape(6, kw.get("kdim", 8))),
        RNG.standard_normal(shape(6, kw.get("vdim", 8))),
    ]
    kpm = np.zeros((3, 6), bool)
    kpm[2, :3] = True
    am = RNG.standard_normal((4, 6))
    for nw, avg in ((True, True), (True, False), (False, True)):
        ours = [npgrad.tensor(a, requires_grad=True) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        o, w = m(
            *ours,
            key_padding_mask=npgrad.tensor(kpm),
            attn_mask=npgrad.tensor(am),
            need_weights=nw,
            average_attn_weights=avg,
        )
        p, v = t(
            *theirs,
            key_padding_mask=torch.tensor(np.where(kpm, -np.inf, 0.0)),
            attn_mask=torch.tensor(am),
            need_weights=nw,
            average_attn_weights=avg,
        )
        assert_close(o, p.detach().numpy())
        if nw:
            assert_close(w, v.detach().numpy())
        g = RNG.standard_normal(o.shape)
        (o * npgrad.tensor(g)).sum().backward()
        (p * torch.tensor(g)).sum().backward()
        for a, b in zip(ours, theirs):
            assert_close(a.grad, b.grad.numpy())
        for (name, a), (_, b) in zip(m.named_parameters(), t.named_parameters()):
            assert_close(a.grad, b.grad.numpy(), msg=name)
            a.grad, b.grad = None, None


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize(
    "kw", [{}, {"norm_first": True, "activation": "gelu", "batch_first": True}]
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_encoder_layer_parity_train_and_eval(kw, dtype):
    torch = pytest.importorskip("torch")
    tol = {"rtol": 2e-4, "atol": 2e-5} if dtype == "float32" else {}
    t = torch.nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, **kw).to(getattr(torch, dtype))
    m = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, **kw).to(dtype)
    _load(m, t)
    assert repr(m) == repr(t)
    x = RNG.standard_normal((3, 5, 16)).astype(dtype)
    kpm = np.zeros((3, 5) if kw else (5, 3), bool)  # (N, S)
    kpm[1, -1] = True
    mask = torch.nn.Transformer.generate_square_subsequent_mask(
        5 if kw else 3, dtype=getattr(torch, dtype)
    )
    xt, xn = torch.tensor(x, requires_grad=True), npgrad.tensor(x, requires_grad=True)
    a = t(xt, src_mask=mask, src_key_padding_mask=torch.tensor(kpm))
    b = m(xn, src_mask=npgrad.tensor(mask.numpy()), src_key_padding_mask=npgrad.tensor(kpm))
    assert_close(b, a.detach().numpy(), **tol)
    g = RNG.standard_normal(a.shape).astype(dtype)
    (a * torch.tensor(g)).sum().backward()
    (b * npgrad.tensor(g)).sum().backward()
    assert_close(xn.grad, xt.grad.numpy(), **tol)
    for (name, p), (_, q) in zip(m.named_parameters(), t.named_parameters()):
        assert_close(p.grad, q.grad.numpy(), **tol, msg=name)
    t.eval()
    m.eval()
    with torch.no_grad():  # torch's fused inference path
        a = t(torch.tensor(x), src_mask=mask)
    assert_close(m(npgrad.tensor(x), src_mask=npgrad.tensor(mask.numpy())), a.numpy(), **tol)


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
def test_encoder_and_transformer_parity():
    torch = pytest.importorskip("torch")
    t = torch.nn.Transformer(16, 4, 2, 2, 32, dropout=0.1).double()
    m = nn.Transformer(16, 4, 2, 2, 32, dropout=0.1).double()
    _load(m, t)
    assert repr(m) == repr(t)
    t.eval()
    m.eval()
    src, tgt = RNG.standard_normal((6, 2, 16)), RNG.standard_normal((4, 2, 16))
    tm = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    kpm = np.zeros((2, 6), bool)
    kpm[0, -2:] = True
    a = t(
        torch.tensor(src), torch.tensor(tgt), tgt_mask=tm, memory_key_padding_mask=torch.tensor(kpm)
    )
    b = m(
        npgrad.tensor(src),
        npgrad.tensor(tgt),
        tgt_mask=npgrad.tensor(tm.numpy()),
        memory_key_padding_mask=npgrad.tensor(kpm),
    )
    assert_close(b, a.detach().numpy())
    a2 = t.encoder(torch.tensor(src))
    assert_close(m.encoder(npgrad.tensor(src)), a2.detach().numpy())
