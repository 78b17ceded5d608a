"""Attention: ``scaled_dot_product_attention`` and ``multi_head_attention_forward``.

Both are compositions of npgrad ops (batched matmul, softmax, dropout), so gradients of every
order come for free; the work is in a few batched GEMMs over ``(batch, heads, L, S)`` scores,
next to which the per-op overhead of the composition is negligible.

Mask conventions are PyTorch's, and they differ between the two functions on purpose:

* ``scaled_dot_product_attention``: a **bool** mask says which positions *take part*
  (True = attend); a float mask is *added* to the scores. A query row whose every key is masked
  out gets a zero output (torch's "safe softmax"), not NaN.
* ``multi_head_attention_forward`` / ``nn.MultiheadAttention``: a bool ``attn_mask`` or
  ``key_padding_mask`` says which positions are *masked out* (True = ignore); float masks are
  added. With ``need_weights=True`` the explicit softmax path is used, as in torch, and a fully
  masked row gives NaN there (zero with ``need_weights=False``).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.autograd.function import Function
from npgrad.nn.attention import _check_backend
from npgrad.nn.functional._errors import (
    _ShapeAssertionError,
    _TypeAssertionError,
    _TypeRuntimeError,
    _ValueAssertionError,
    _ValueRuntimeError,
)
from npgrad.ops._shape_util import ShapeError

__all__ = ["multi_head_attention_forward", "scaled_dot_product_attention"]


class _SafeSoftmax(Function):
    """Softmax over the last dim; a row that is entirely ``-inf`` gives zeros (torch's
    ``_safe_softmax``, used by ``scaled_dot_product_attention``)."""

    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        if a.size == 0:  # an empty batch or sequence: nothing to normalise (and no maximum)
            out = a.copy()
            ctx.save_for_backward(out)
            return out
        m = a.max(axis=-1, keepdims=True)
        dead = np.isneginf(m)
        out = np.subtract(a, np.where(dead, 0, m).astype(a.dtype, copy=False))
        np.exp(out, out=out)
        s = out.sum(axis=-1, keepdims=True)
        s[dead] = 1  # exp(-inf) = 0 everywhere on a dead row: 0 / 1
        out /= s
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        gy = grad * y
        return gy - y * gy.sum(-1, keepdim=True)


def _tensor(op: str, name: str, x: Any) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected {name} to be a Tensor, got {type(x).__name__}")
    return x


def _bool_to_bias(mask: Tensor, dtype: Any, masked_value_where: bool) -> Tensor:
    """A float mask with ``-inf`` where ``mask == masked_value_where`` and 0 elsewhere."""
    arr = np.where(mask._data == masked_value_where, -np.inf, 0.0).astype(dtype)
    return Tensor._make(arr, False, None)


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """``softmax(query @ key^T * scale + mask) @ value``, with dropout on the weights.

    Parameters
    ----------
    query : Tensor
        ``(..., Hq, L, E)``.
    key, value : Tensor
        ``(..., H, S, E)`` and ``(..., H, S, Ev)``; leading dims broadcast with ``query``'s.
    attn_mask : Tensor, optional
        Broadcastable to ``(..., L, S)``: bool (True = take part) or float (added).
    dropout_p : float
        Dropout probability on the attention weights (always applied when > 0: pass 0 in
        evaluation, as ``nn.MultiheadAttention`` does).
    is_causal : bool
        Query ``i`` attends to keys ``j <= i`` (upper-left aligned); excludes ``attn_mask``.
    scale : float, optional
        Default ``1 / sqrt(E)``.
    enable_gqa : bool
        Grouped-query attention: ``Hq`` a multiple of ``H``; each key/value head serves
        ``Hq / H`` consecutive query heads.

    Returns
    -------
    Tensor
        ``(..., Hq, L, Ev)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> q = k = v = npgrad.ones(2, 4, 3, 8)
    >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
    npgrad.Size([2, 4, 3, 8])
    """
    op = "scaled_dot_product_attention"
    _check_backend(op)
    for name, t in (("query", query), ("key", key), ("value", value)):
        _tensor(op, name, t)
        if t.ndim < 2:
            raise ShapeError(
                f"{op}: expected {name} of at least 2 dimensions (..., L, E), got shape {t.shape}"
            )
    if query.dtype != key.dtype or query.dtype != value.dtype:
        raise TypeError(
            f"{op}: expected query, key and value to have the same dtype, but got query.dtype: "
            f"{query.dtype}, key.dtype: {key.dtype} and value.dtype: {value.dtype} instead."
        )
    if query.dtype.kind != "f":
        raise TypeError(
            f"{op}: expected floating point query, key and value, got dtype {query.dtype}"
        )
    if query.shape[-1] != key.shape[-1]:
        raise ShapeError(
            f"{op}: query and key must have the same embedding size: query shape {query.shape}, "
            f"key shape {key.shape}"
        )
    if key.shape[-2] != value.shape[-2]:
        raise ShapeError(
            f"{op}: key and value must have the same sequence length: key shape {key.shape}, "
            f"value shape {value.shape}"
        )
    if is_causal and attn_mask is not None:
        raise _ValueRuntimeError(f"{op}: Explicit attn_mask should not be set when is_causal=True")
    if enable_gqa and query.ndim >= 3 and key.ndim >= 3:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hq % hk or hq % hv:
            raise ShapeError(
                f"{op}: with enable_gqa, the number of query heads ({hq}) must be a multiple of "
                f"the key ({hk}) and value ({hv}) heads"
            )
        key = key[..., np.repeat(np.arange(hk), hq // hk), :, :]
        value = value[..., np.repeat(np.arange(hv), hq // hv), :, :]
    length, src = query.shape[-2], key.shape[-2]
    if scale is None:
        # an empty embedding gives all-zero scores whatever the scale (PyTorch's 1/sqrt(0) is
        # inf and its kernels still give zeros): every key is then weighted equally
        e = query.shape[-1]
        scale_factor = 1.0 / math.sqrt(e) if e else 1.0
    else:
        scale_factor = float(scale)
    scores = npgrad.matmul(query, key.mT) * scale_factor
    bias = None
    if is_causal:
        causal = np.tril(np.ones((length, src), dtype=bool))
        bias = _bool_to_bias(Tensor._make(causal, False, None), query.dtype, False)
    elif attn_mask is not None:
        _tensor(op, "attn_mask", attn_mask)
        try:
            grown = np.broadcast_shapes(attn_mask.shape, scores.shape) != tuple(scores.shape)
        except ValueError:
            grown = True
        if grown:  # the mask is added to the scores in place in PyTorch: it must not grow them
            raise ShapeError(
                f"{op}: attn_mask of shape {attn_mask.shape} does not broadcast to the attention "
                f"scores of shape {scores.shape} (query {query.shape}, key {key.shape})"
            )
        if attn_mask.dtype.kind == "b":
            bias = _bool_to_bias(attn_mask, query.dtype, False)
        elif attn_mask.dtype == query.dtype:
            bias = attn_mask
        elif attn_mask.dtype == np.float32:
            # PyTorch takes a float32 mask for any query dtype, computing in the query's
            bias = attn_mask.to(query.dtype)
        else:
            raise _TypeRuntimeError(
                f"{op}: attn_mask must be bool or floating point (float32 or the query's dtype "
                f"{query.dtype}), got {attn_mask.dtype}"
            )
    if bias is not None:
        scores = scores + bias
    weights = _SafeSoftmax.apply(scores)
    if dropout_p > 0.0:
        from npgrad.nn.functional._dropout import dropout

        weights = dropout(weights, dropout_p, True)
    return npgrad.matmul(weights, value)


# ---- multi-head attention ---------------------------------------------------------------------
def _canonical_mask(
    mask: Tensor | None,
    mask_name: str,
    other_type: Any,
    other_name: str,
    target_type: Any,
    check_other: bool = True,
) -> Tensor | None:
    """torch's ``F._canonical_mask``: a bool mask (True = masked out) becomes a float mask of
    ``-inf``/0 in ``target_type``; a float mask is returned unchanged."""
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        raise TypeError(f"{mask_name} must be a Tensor, got {type(mask).__name__}")
    kind = mask.dtype.kind
    if kind != "b" and kind != "f":
        raise _TypeAssertionError(
            f"only bool and floating types of {mask_name} are supported (got {mask.dtype})"
        )
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(
            f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type "
            "for both instead.",
            stacklevel=3,
        )
    if kind == "b":
        return _bool_to_bias(mask, target_type, True)
    return mask


def _mha_shape_check(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    key_padding_mask: Any,
    attn_mask: Any,
    num_heads: int,
    who: str,
) -> bool:
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise _ShapeAssertionError(
                f"{who}: For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                f"{key.ndim}-D and {value.ndim}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise _ShapeAssertionError(
                f"{who}: For batched (3-D) `query`, expected `key_padding_mask` to be `None` or "
                f"2-D but found {key_padding_mask.ndim}-D tensor instead"
            )
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise _ShapeAssertionError(
                f"{who}: For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or "
                f"3-D but found {attn_mask.ndim}-D tensor instead"
            )
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise _ShapeAssertionError(
                f"{who}: For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but "
                f"found {key.ndim}-D and {value.ndim}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise _ShapeAssertionError(
                f"{who}: For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` "
                f"or 1-D but found {key_padding_mask.ndim}-D tensor instead"
            )
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise _ShapeAssertionError(
                    f"{who}: For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D "
                    f"or 3-D but found {attn_mask.ndim}-D tensor instead"
                )
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
                raise _ShapeAssertionError(
                    f"{who}: Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}"
                )
        return False
    raise _ShapeAssertionError(
        f"{who}: query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D "
        f"query tensor (shape {query.shape})"
    )


def _linear(x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
    from npgrad.nn.functional._linear import linear

    return linear(x, w, b)


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
    _who: str = "multi_head_attention_forward",
) -> tuple[Tensor, Tensor | None]:
    """The computation of ``nn.MultiheadAttention`` on sequence-first inputs.

    ``query`` is ``(L, N, E)`` (or unbatched ``(L, E)``), ``key``/``value`` ``(S, N, kdim/vdim)``.
    Returns ``(attn_output (L, N, E), attn_weights)`` with weights ``(N, L, S)`` averaged
    over heads (``(N, num_heads, L, S)`` with ``average_attn_weights=False``), or None unless
    ``need_weights``. Masks follow ``nn.MultiheadAttention`` (bool True = masked out).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import functional as F
    >>> x = npgrad.randn(5, 2, 8)
    >>> w, b = npgrad.randn(24, 8), npgrad.zeros(24)
    >>> out, attn = F.multi_head_attention_forward(
    ...     x, x, x, 8, 2, w, b, None, None, False, 0.0, npgrad.randn(8, 8), None)
    >>> out.shape, attn.shape
    (npgrad.Size([5, 2, 8]), npgrad.Size([2, 5, 5]))
    """
    who = _who
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads, who)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(
        key_padding_mask,
        "key_padding_mask",
        None if attn_mask is None else attn_mask.dtype,
        "attn_mask",
        query.dtype,
    )
    if is_causal and attn_mask is None:
        raise _ValueRuntimeError(
            f"{who}: Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the causal structure is handled by scaled_dot_product_attention
    else:
        attn_mask = _canonical_mask(
            attn_mask, "attn_mask", None, "", query.dtype, check_other=False
        )
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise _ShapeAssertionError(
            f"{who}: was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim} (query shape {query.shape})"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise _ShapeAssertionError(
            f"{who}: embed_dim {embed_dim} not divisible by num_heads {num_heads}"
        )
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise _ShapeAssertionError(
                f"{who}: key's sequence and batch dims {key.shape[:2]} do not match value's {value.shape[:2]}"
            )
    elif key.shape != value.shape:
        raise _ShapeAssertionError(
            f"{who}: key shape {key.shape} does not match value shape {value.shape}"
        )
    if key.shape[1] != bsz:
        raise ShapeError(
            f"{who}: query batch size {bsz} does not match key batch size {key.shape[1]} (query {query.shape}, key {key.shape})"
        )

    # ---- input projections
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise _ValueAssertionError(
                f"{who}: use_separate_proj_weight is False but in_proj_weight is None"
            )
        if query is key and key is value:  # self-attention: one GEMM for q, k and v
            q, k, v = (
                _linear(query, in_proj_weight, in_proj_bias)
                .unflatten(-1, (3, embed_dim))
                .unbind(-2)
            )
        else:
            w_q, w_k, w_v = in_proj_weight.chunk(3)
            b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
            q, k, v = _linear(query, w_q, b_q), _linear(key, w_k, b_k), _linear(value, w_v, b_v)
    else:
        if q_proj_weight is None or k_proj_weight is None or v_proj_weight is None:
            raise _ValueAssertionError(
                f"{who}: use_separate_proj_weight is True but q/k/v_proj_weight is None"
            )
        expected = {
            "query": (q_proj_weight, (embed_dim, embed_dim)),
            "key": (k_proj_weight, (embed_dim, key.shape[-1])),
            "value": (v_proj_weight, (embed_dim, value.shape[-1])),
        }
        for name, (w, shape) in expected.items():
            if tuple(w.shape) != shape:
                raise _ShapeAssertionError(
                    f"{who}: expecting {name} weights shape of {shape}, but got {tuple(w.shape)}"
                )
        if in_proj_bias is not None and tuple(in_proj_bias.shape) != (3 * embed_dim,):
            raise _ShapeAssertionError(
                f"{who}: expecting in_proj_bias of shape {(3 * embed_dim,)}, but got "
                f"{tuple(in_proj_bias.shape)}"
            )
        b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = (
            _linear(query, q_proj_weight, b_q),
            _linear(key, k_proj_weight, b_k),
            _linear(value, v_proj_weight, b_v),
        )

    # ---- masks
    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise ShapeError(
                    f"{who}: The shape of the 2D attn_mask is {attn_mask.shape}, but should be {(tgt_len, src_len)}."
                )
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.ndim == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise ShapeError(
                    f"{who}: The shape of the 3D attn_mask is {attn_mask.shape}, but should be {(bsz * num_heads, tgt_len, src_len)}."
                )
        else:
            raise ShapeError(f"{who}: attn_mask's dimension {attn_mask.ndim} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise _ValueAssertionError(f"{who}: bias cannot be added to static key/value.")
        k = npgrad.cat([k, bias_k.expand(1, bsz, embed_dim)])
        v = npgrad.cat([v, bias_v.expand(1, bsz, embed_dim)])
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    elif bias_k is not None or bias_v is not None:
        raise _ValueAssertionError(f"{who}: bias_k and bias_v must both be given or both be None")

    # ---- heads: (L, N, E) -> (N * heads, L, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = _heads(who, "static_k", k, static_k, bsz * num_heads, head_dim)
    v = _heads(who, "static_v", v, static_v, bsz * num_heads, head_dim)
    if add_zero_attn:
        zeros = npgrad.zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype)
        k, v = npgrad.cat([k, zeros], dim=1), npgrad.cat([v, zeros], dim=1)
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise _ShapeAssertionError(
                f"{who}: expecting key_padding_mask shape of {(bsz, src_len)}, but got {key_padding_mask.shape}"
            )
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, num_heads, 1, src_len)
        kpm = kpm.reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0
    out_dim = out_proj_weight.shape[0]  # explicit sizes below: a batch or sequence may be empty

    if need_weights:
        scores = npgrad.matmul(q * math.sqrt(1.0 / head_dim), k.mT)
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = npgrad.softmax(scores, dim=-1)  # a fully masked row is NaN here, as in torch
        if dropout_p > 0.0:
            from npgrad.nn.functional._dropout import dropout

            weights = dropout(weights, dropout_p, True)
        out = npgrad.matmul(weights, v)  # (N * heads, L, head_dim)
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = _linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, out_dim)
        attn = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            attn = attn.mean(dim=1)
        if not is_batched:
            out, attn = out.squeeze(1), attn.squeeze(0)
        return out, attn
    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.ndim == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, attn_mask.shape[-2], src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = _linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, out_dim)
    if not is_batched:
        out = out.squeeze(1)
    return out, None


def _pad_last(mask: Tensor | None) -> Tensor | None:
    """Append one unmasked (0) position to the last dim of a float mask."""
    if mask is None:
        return None
    return npgrad.cat([mask, npgrad.zeros((*mask.shape[:-1], 1), dtype=mask.dtype)], dim=-1)


def _heads(who: str, name: str, x: Tensor, static: Tensor | None, n: int, head_dim: int) -> Tensor:
    if static is None:
        return x.reshape(x.shape[0], n, head_dim).transpose(0, 1)
    if static.shape[0] != n or static.shape[2] != head_dim:
        raise _ShapeAssertionError(
            f"{who}: expecting {name}.size(0) of {n} and size(2) of {head_dim}, but got shape {static.shape}"
        )
    return static
