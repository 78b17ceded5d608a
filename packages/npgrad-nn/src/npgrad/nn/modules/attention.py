"""``MultiheadAttention`` (and the ``NonDynamicallyQuantizableLinear`` its ``out_proj`` is).

Parameter names, shapes and initialisation are PyTorch's: ``in_proj_weight`` ``(3E, E)``
(xavier-uniform) when query, key and value share the embedding size, otherwise
``q_proj_weight`` ``(E, E)``, ``k_proj_weight`` ``(E, kdim)``, ``v_proj_weight`` ``(E, vdim)``;
``in_proj_bias`` ``(3E,)`` and ``out_proj.bias`` zero; ``bias_k``/``bias_v`` ``(1, 1, E)``
(xavier-normal) with ``add_bias_kv``. A PyTorch state_dict loads unchanged.
"""

from __future__ import annotations

from typing import Any

import npgrad
from npgrad import Tensor
from npgrad.nn import init
from npgrad.nn._factory import factory_kwargs
from npgrad.nn.functional import _attention as FA
from npgrad.nn.modules.linear import Linear
from npgrad.nn.modules.module import Module
from npgrad.nn.parameter import Parameter
from npgrad.ops._shape_util import ShapeError

__all__ = ["MultiheadAttention", "NonDynamicallyQuantizableLinear"]


class NonDynamicallyQuantizableLinear(Linear):
    """A :class:`Linear` under the name PyTorch gives ``MultiheadAttention.out_proj`` (so the
    repr matches); it behaves exactly like ``Linear``."""


class MultiheadAttention(Module):
    """Multi-head attention: ``concat(head_1..head_h) W_o`` with
    ``head_i = softmax(Q W_q^i (K W_k^i)^T / sqrt(d)) V W_v^i``.

    Parameters
    ----------
    embed_dim, num_heads : int
        Model width ``E`` (divisible by ``num_heads``) and number of heads.
    dropout : float
        Dropout on the attention weights, in training mode.
    bias : bool
        Input and output projection biases.
    add_bias_kv, add_zero_attn : bool
        Append a learned (resp. zero) key/value position.
    kdim, vdim : int, optional
        Feature sizes of key and value (default ``E``).
    batch_first : bool
        Inputs and output as ``(N, L, E)`` instead of ``(L, N, E)``.

    Notes
    -----
    Call ``mha(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False)``: bool masks mark positions to *ignore*,
    float masks are added to the scores. Returns ``(attn_output, attn_weights)``; the weights
    are averaged over heads unless ``average_attn_weights=False``, and None without
    ``need_weights``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> mha = nn.MultiheadAttention(16, 4, batch_first=True)
    >>> x = npgrad.randn(2, 5, 16)
    >>> out, w = mha(x, x, x)
    >>> out.shape, w.shape
    (npgrad.Size([2, 5, 16]), npgrad.Size([2, 5, 5]))
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        fk = factory_kwargs(type(self).__name__, device, dtype)
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                f"num_heads={num_heads} instead"
            )
        if embed_dim % num_heads:
            raise ValueError(
                f"embed_dim must be divisible by num_heads (got embed_dim={embed_dim}, "
                f"num_heads={num_heads})"
            )
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads, self.dropout, self.batch_first = num_heads, dropout, batch_first
        self.head_dim = embed_dim // num_heads
        e = embed_dim
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(npgrad.empty((e, e), **fk))
            self.k_proj_weight = Parameter(npgrad.empty((e, self.kdim), **fk))
            self.v_proj_weight = Parameter(npgrad.empty((e, self.vdim), **fk))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(npgrad.empty((3 * e, e), **fk))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(npgrad.empty(3 * e, **fk))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(e, e, bias=bias, **fk)
        if add_bias_kv:
            self.bias_k = Parameter(npgrad.empty((1, 1, e), **fk))
            self.bias_v = Parameter(npgrad.empty((1, 1, e), **fk))
        else:
            self.bias_k = self.bias_v = None  # type: ignore[assignment]
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """PyTorch's scheme: xavier-uniform projections, zero biases, xavier-normal bias_k/v."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        for name, t in (("query", query), ("key", key), ("value", value)):
            if not isinstance(t, Tensor):
                raise TypeError(f"{self!r}: expected {name} to be a Tensor, got {type(t).__name__}")
        expected = (
            ("query", query, self.embed_dim),
            ("key", key, self.kdim),
            ("value", value, self.vdim),
        )
        for name, t, size in expected:
            if t.ndim not in (2, 3) or t.shape[-1] != size:
                raise ShapeError(
                    f"{self._get_name()}(embed_dim={self.embed_dim}, num_heads={self.num_heads}): "
                    f"expected {name} of shape ({'N, L' if self.batch_first else 'L, N'}, {size}) "
                    f"or (L, {size}), got shape {t.shape}"
                )
        if query.dtype != self.out_proj.weight.dtype:
            raise ValueError(
                f"{self._get_name()}: expected query of dtype {self.out_proj.weight.dtype}, got {query.dtype}"
            )
        is_batched = query.ndim == 3
        if self.batch_first and is_batched:
            # keep the identities (query is key is value) that select the fused projection
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = query.transpose(1, 0), key.transpose(1, 0)
                    value = key
            else:
                query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        out, weights = FA.multi_head_attention_forward(
            query,
            key,
            value,
            self.embed_dim,
            self.num_heads,
            self.in_proj_weight,
            self.in_proj_bias,
            self.bias_k,
            self.bias_v,
            self.add_zero_attn,
            self.dropout,
            self.out_proj.weight,
            self.out_proj.bias,
            training=self.training,
            key_padding_mask=key_padding_mask,
            need_weights=need_weights,
            attn_mask=attn_mask,
            use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights,
            is_causal=is_causal,
            _who=f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads})",
        )
        if self.batch_first and is_batched:
            return out.transpose(1, 0), weights
        return out, weights
