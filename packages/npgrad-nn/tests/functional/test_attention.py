"""F.scaled_dot_product_attention and F.multi_head_attention_forward: NumPy reference, mask
semantics (bool/float, causal, fully masked rows), gradients of first and second order,
dropout, errors, torch parity."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn import functional as F
from npgrad.nn.functional import _attention
from npgrad.testing import assert_close

RNG = np.random.default_rng(5)


def _t(*shape, grad=False, dtype=np.float64):
    return npgrad.tensor(RNG.standard_normal(shape).astype(dtype), requires_grad=grad)


def _np_sdpa(q, k, v, bias=None, scale=None):
    s = q @ np.swapaxes(k, -1, -2) * (1 / np.sqrt(q.shape[-1]) if scale is None else scale)
    if bias is not None:
        s = s + bias
    m = s.max(-1, keepdims=True)
    e = np.exp(s - np.where(np.isfinite(m), m, 0))
    z = e.sum(-1, keepdims=True)
    p = np.divide(e, z, out=np.zeros_like(e), where=z > 0)
    return p @ v


def test_docstring_examples_run():
    result = doctest.testmod(_attention, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sdpa_matches_numpy(dtype):
    q, k, v = _t(2, 3, 4, 5, dtype=dtype), _t(2, 3, 6, 5, dtype=dtype), _t(2, 3, 6, 7, dtype=dtype)
    out = F.scaled_dot_product_attention(q, k, v)
    assert out.shape == (2, 3, 4, 7) and out.dtype == dtype
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {}
    assert_close(out, _np_sdpa(q._data, k._data, v._data).astype(dtype), **tol)
    assert_close(
        F.scaled_dot_product_attention(q, k, v, scale=0.3),
        _np_sdpa(q._data, k._data, v._data, scale=0.3).astype(dtype),
        **tol,
    )


def test_sdpa_mask_semantics():
    q, k, v = _t(2, 4, 3), _t(2, 5, 3), _t(2, 5, 2)
    keep = RNG.random((4, 5)) > 0.3
    keep[:, 0] = True
    bias = np.where(keep, 0.0, -np.inf)
    ref = _np_sdpa(q._data, k._data, v._data, bias)
    # bool: True takes part; the equivalent float mask is added
    assert_close(F.scaled_dot_product_attention(q, k, v, attn_mask=npgrad.tensor(keep)), ref)
    assert_close(F.scaled_dot_product_attention(q, k, v, attn_mask=npgrad.tensor(bias)), ref)
    soft = RNG.standard_normal((2, 1, 5))  # broadcasts over queries
    assert_close(
        F.scaled_dot_product_attention(q, k, v, attn_mask=npgrad.tensor(soft)),
        _np_sdpa(q._data, k._data, v._data, soft),
    )
    causal = np.where(np.tril(np.ones((4, 5), bool)), 0.0, -np.inf)
    assert_close(
        F.scaled_dot_product_attention(q, k, v, is_causal=True),
        _np_sdpa(q._data, k._data, v._data, causal),
    )


def test_sdpa_fully_masked_row_gives_zeros_and_zero_gradient():
    q, k, v = _t(3, 2, grad=True), _t(4, 2, grad=True), _t(4, 2, grad=True)
    keep = np.ones((3, 4), bool)
    keep[1] = False
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=npgrad.tensor(keep))
    assert (out._data[1] == 0).all() and np.isfinite(out._data).all()
    out.sum().backward()
    assert (q.grad._data[1] == 0).all() and np.isfinite(k.grad._data).all()


def test_sdpa_gradients_first_and_second_order():
    q, k, v = _t(2, 3, 2, grad=True), _t(2, 4, 2, grad=True), _t(2, 4, 3, grad=True)
    m = _t(3, 4, grad=True)
    f = lambda a, b, c, d: F.scaled_dot_product_attention(a, b, c, attn_mask=d)  # noqa: E731
    assert gradcheck(f, (q, k, v, m))
    assert gradgradcheck(f, (q, k, v, m))
    g = lambda a, b, c: F.scaled_dot_product_attention(a, b, c, is_causal=True)  # noqa: E731
    assert gradgradcheck(g, (q, k, v))


def test_sdpa_grouped_query_attention():
    q, k, v = _t(1, 4, 3, 2), _t(1, 2, 5, 2), _t(1, 2, 5, 3)
    out = F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
    rep = np.repeat(np.arange(2), 2)
    assert_close(out, _np_sdpa(q._data, k._data[:, rep], v._data[:, rep]))
    with pytest.raises(ValueError, match=r"query heads \(4\) must be a multiple"):
        F.scaled_dot_product_attention(q, _t(1, 3, 5, 2), _t(1, 3, 5, 3), enable_gqa=True)


def test_sdpa_dropout():
    q, k, v = _t(2, 8, 4), _t(2, 8, 4), _t(2, 8, 4)
    npgrad.manual_seed(4)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    npgrad.manual_seed(4)
    assert_close(F.scaled_dot_product_attention(q, k, v, dropout_p=0.5), a)
    assert not np.allclose(a._data, F.scaled_dot_product_attention(q, k, v)._data)
    assert (F.scaled_dot_product_attention(q, k, v, dropout_p=1.0)._data == 0).all()


def test_sdpa_errors():
    q, k, v = _t(2, 3, 4), _t(2, 5, 4), _t(2, 5, 6)
    with pytest.raises(
        ValueError, match="Explicit attn_mask should not be set when is_causal=True"
    ):
        F.scaled_dot_product_attention(q, k, v, attn_mask=npgrad.ones(3, 5), is_causal=True)
    with pytest.raises(
        ValueError, match=r"attn_mask of shape \(4, 5\) does not broadcast.*\(2, 3, 5\)"
    ):
        F.scaled_dot_product_attention(q, k, v, attn_mask=npgrad.ones(4, 5))
    with pytest.raises(ValueError, match="same embedding size"):
        F.scaled_dot_product_attention(q, _t(2, 5, 3), v)
    with pytest.raises(ValueError, match="same sequence length"):
        F.scaled_dot_product_attention(q, k, _t(2, 4, 6))
    with pytest.raises(TypeError, match="same dtype"):
        F.scaled_dot_product_attention(q, k, _t(2, 5, 6, dtype=np.float32))
    with pytest.raises(TypeError, match="bool or floating point"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=npgrad.ones(3, 5, dtype=npgrad.int64))
    with pytest.raises(TypeError, match="expected query to be a Tensor"):
        F.scaled_dot_product_attention(q._data, k, v)


def _mha_inputs(e=8, heads=2, length=4, src=6, batch=3):
    return {
        "q": _t(length, batch, e),
        "kv": _t(src, batch, e),
        "w": _t(3 * e, e),
        "b": _t(3 * e),
        "wo": _t(e, e),
        "bo": _t(e),
    }


def test_mha_forward_matches_a_numpy_reference():
    d = _mha_inputs()
    q, kv = d["q"], d["kv"]
    out, attn = F.multi_head_attention_forward(
        q,
        kv,
        kv,
        8,
        2,
        d["w"],
        d["b"],
        None,
        None,
        False,
        0.0,
        d["wo"],
        d["bo"],
        average_attn_weights=False,
    )
    w, b = d["w"]._data, d["b"]._data
    qp = q._data @ w[:8].T + b[:8]
    kp = kv._data @ w[8:16].T + b[8:16]
    vp = kv._data @ w[16:].T + b[16:]
    heads = lambda a: a.reshape(a.shape[0], 3, 2, 4).transpose(1, 2, 0, 3)  # noqa: E731
    o = _np_sdpa(heads(qp), heads(kp), heads(vp))  # (N, H, L, hd)
    o = o.transpose(2, 0, 1, 3).reshape(4, 3, 8) @ d["wo"]._data.T + d["bo"]._data
    assert_close(out, o)
    assert attn.shape == (3, 2, 4, 6)
    assert_close(attn.sum(-1), np.ones((3, 2, 4)))


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")
def test_mha_need_weights_paths_agree_and_masks_combine():
    d = _mha_inputs()
    q, kv = d["q"], d["kv"]
    kpm = np.zeros((3, 6), bool)
    kpm[0, -2:] = True
    am = RNG.standard_normal((4, 6))
    res = [
        F.multi_head_attention_forward(
            q,
            kv,
            kv,
            8,
            2,
            d["w"],
            d["b"],
            None,
            None,
            False,
            0.0,
            d["wo"],
            d["bo"],
            key_padding_mask=npgrad.tensor(kpm),
            attn_mask=npgrad.tensor(am),
            need_weights=nw,
        )
        for nw in (True, False)
    ]
    assert_close(res[0][0], res[1][0])
    assert res[1][1] is None
    assert (res[0][1]._data[0, :, -2:] == 0).all()  # padded keys get no weight
    float_kpm = np.where(kpm, -np.inf, 0.0)
    again = F.multi_head_attention_forward(
        q,
        kv,
        kv,
        8,
        2,
        d["w"],
        d["b"],
        None,
        None,
        False,
        0.0,
        d["wo"],
        d["bo"],
        key_padding_mask=npgrad.tensor(float_kpm),
        attn_mask=npgrad.tensor(am),
    )
    assert_close(again[0], res[0][0])


def test_mha_errors():
    d = _mha_inputs()
    q, kv = d["q"], d["kv"]
    args = (8, 2, d["w"], d["b"], None, None, False, 0.0, d["wo"], d["bo"])
    with pytest.raises(
        ValueError, match=r"The shape of the 2D attn_mask is \(4, 5\), but should be \(4, 6\)"
    ):
        F.multi_head_attention_forward(q, kv, kv, *args, attn_mask=npgrad.zeros(4, 5))
    with pytest.raises(ValueError, match=r"3D attn_mask is \(2, 4, 6\), but should be \(6, 4, 6\)"):
        F.multi_head_attention_forward(q, kv, kv, *args, attn_mask=npgrad.zeros(2, 4, 6))
    with pytest.raises(
        ValueError, match=r"expecting key_padding_mask shape of \(3, 6\), but got \(3, 5\)"
    ):
        F.multi_head_attention_forward(q, kv, kv, *args, key_padding_mask=npgrad.zeros(3, 5))
    with pytest.raises(ValueError, match="expected `key_padding_mask` to be `None` or 2-D"):
        F.multi_head_attention_forward(q, kv, kv, *args, key_padding_mask=npgrad.zeros(6))
    with pytest.raises(ValueError, match="expected `key` and `value` to be 3-D"):
        F.multi_head_attention_forward(q, kv[0], kv[0], *args)
    with pytest.raises(ValueError, match="Need attn_mask if specifying the is_causal hint"):
        F.multi_head_attention_forward(q, kv, kv, *args, is_causal=True)
    with pytest.raises(TypeError, match="only bool and floating types of attn_mask"):
        F.multi_head_attention_forward(
            q, kv, kv, *args, attn_mask=npgrad.zeros(4, 6, dtype=npgrad.int64)
        )
    with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
        F.multi_head_attention_forward(
            q,
            kv,
            kv,
            *args,
            attn_mask=npgrad.zeros(4, 6, dtype=npgrad.float64),
            key_padding_mask=npgrad.zeros(3, 6, dtype=npgrad.bool),
        )


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sdpa_parity_with_torch(dtype):
    torch = pytest.importorskip("torch")
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {}
    arrays = [
        RNG.standard_normal(s).astype(dtype) for s in ((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3))
    ]
    keep = RNG.random((3, 5)) > 0.4
    keep[2] = False  # a fully masked query row
    for kwargs in (
        {"attn_mask": keep},
        {"attn_mask": RNG.standard_normal((2, 1, 3, 5)).astype(dtype)},
        {"is_causal": True, "scale": 0.7},
    ):
        ours = [npgrad.tensor(a, requires_grad=True) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        nk = {k: npgrad.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        tk = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        a = F.scaled_dot_product_attention(*ours, **nk)
        b = torch.nn.functional.scaled_dot_product_attention(*theirs, **tk)
        assert_close(a, b.detach().numpy(), **tol)
        g = RNG.standard_normal(a.shape).astype(dtype)
        (a * npgrad.tensor(g)).sum().backward()
        (b * torch.tensor(g)).sum().backward()
        for x, y in zip(ours, theirs):
            assert_close(x.grad, y.grad.numpy(), **tol)


@pytest.mark.torch
def test_multi_head_attention_forward_parity_with_torch():
    torch = pytest.importorskip("torch")
    d = _mha_inputs()
    t = {k: torch.tensor(v._data) for k, v in d.items()}
    am = RNG.random((6, 4, 6)) > 0.7  # 3-D bool mask, True = masked out
    am[..., 0] = False
    for nw in (True, False):
        ours = F.multi_head_attention_forward(
            d["q"],
            d["kv"],
            d["kv"],
            8,
            2,
            d["w"],
            d["b"],
            None,
            None,
            True,
            0.0,
            d["wo"],
            d["bo"],
            attn_mask=npgrad.tensor(am),
            need_weights=nw,
        )
        theirs = torch.nn.functional.multi_head_attention_forward(
            t["q"],
            t["kv"],
            t["kv"],
            8,
            2,
            t["w"],
            t["b"],
            None,
            None,
            True,
            0.0,
            t["wo"],
            t["bo"],
            attn_mask=torch.tensor(am),
            need_weights=nw,
        )
        assert_close(ours[0], theirs[0].numpy())
        if nw:
            assert_close(ours[1], theirs[1].numpy())


# ---- npgrad.nn.attention: backend selection ------------------------------------------------
def test_sdpa_kernel_selects_the_backends_npgrad_serves():
    from npgrad.nn.attention import SDPBackend, sdpa_kernel

    q = npgrad.ones(1, 2, 3, 4)
    want = F.scaled_dot_product_attention(q, q, q).numpy()
    for backends in (
        SDPBackend.MATH,
        SDPBackend.FLASH_ATTENTION,
        [SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH],
    ):
        with sdpa_kernel(backends, set_priority=True):
            np.testing.assert_array_equal(F.scaled_dot_product_attention(q, q, q).numpy(), want)
    for backends in (SDPBackend.EFFICIENT_ATTENTION, [SDPBackend.CUDNN_ATTENTION], []):
        with sdpa_kernel(backends), pytest.raises(RuntimeError, match="No viable backend"):
            F.scaled_dot_product_attention(q, q, q)
    F.scaled_dot_product_attention(q, q, q)  # restored on exit
    with pytest.raises(TypeError, match="Backend must be an instance of SDPBackend"):
        sdpa_kernel(3).__enter__()


@pytest.mark.torch
def test_sdpa_kernel_agrees_with_pytorch_on_a_cpu():
    torch = pytest.importorskip("torch")
    from torch.nn.attention import SDPBackend as TB
    from torch.nn.attention import sdpa_kernel as tk

    from npgrad.nn.attention import SDPBackend, sdpa_kernel

    assert {k: int(v) for k, v in SDPBackend.__members__.items()} == {
        k: int(v) for k, v in TB.__members__.items()
    }
    q, qt = npgrad.ones(1, 2, 3, 4), torch.ones(1, 2, 3, 4)
    for name in SDPBackend.__members__:
        if name == "ERROR":
            continue
        ours = theirs = True
        with sdpa_kernel(SDPBackend[name]):
            try:
                F.scaled_dot_product_attention(q, q, q)
            except RuntimeError:
                ours = False
        with tk(getattr(TB, name)):
            try:
                torch.nn.functional.scaled_dot_product_attention(qt, qt, qt)
            except RuntimeError:
                theirs = False
        assert ours == theirs, name
