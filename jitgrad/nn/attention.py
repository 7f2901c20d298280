"""``nn.MultiheadAttention``: PyTorch's slow-path computation (``multi_head_attention_forward``).

PyTorch's fast path (``_native_multi_head_attention``) gives the same numbers in eval mode, so
one computation serves both. Parameters carry PyTorch's names and registration order
(``in_proj_weight`` or ``q/k/v_proj_weight``, ``in_proj_bias``, ``out_proj``), so a state_dict
saved by PyTorch loads unchanged. Masks follow MultiheadAttention's convention: a boolean
``True`` marks a position that may NOT be attended (the opposite of
``scaled_dot_product_attention``); float masks are added to the scores.
"""

from __future__ import annotations

import math
from typing import Any

from ..frontend import creation
from ..frontend.tensor import Tensor
from . import functional as F
from . import init
from .linear import Linear
from .module import Module
from .parameter import Parameter
from .sdpa_backends import SDPBackend, sdpa_kernel  # torch.nn.attention's kernel choice


class NonDynamicallyQuantizableLinear(Linear):
    """PyTorch's name for ``MultiheadAttention.out_proj`` (it shows in the module's repr)."""


def canonical_mask(mask: Tensor | None, name: str, dtype: Any) -> Tensor | None:
    """A boolean mask as a float one (``-inf`` where True), a float mask unchanged: the form
    ``MultiheadAttention`` adds to the attention scores (PyTorch's ``F._canonical_mask``)."""
    if mask is None:
        return None
    if mask.dtype.name == "bool":
        return creation.zeros(*mask.shape, dtype=dtype).masked_fill(mask, float("-inf"))
    if not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask


class MultiheadAttention(Module):
    """``softmax(Q K^T / sqrt(head_dim) + mask) V`` over ``num_heads`` heads, then ``out_proj``."""

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
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} "
                f"and num_heads={num_heads} instead"
            )
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError(
                "MultiheadAttention(add_bias_kv=True / add_zero_attn=True) is not implemented "
                "in jitgrad"
            )
        self._add_in_projection(embed_dim, bias, dtype)
        self.out_proj = NonDynamicallyQuantizableLinear(
            embed_dim, embed_dim, bias=bias, dtype=dtype
        )
        self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _add_in_projection(self, embed_dim: int, bias: bool, dtype: Any) -> None:
        """The input projection's parameters, registered in PyTorch's order (so
        ``state_dict`` keys and the initializer's draws match): one packed ``in_proj_weight``
        when query, key and value share ``embed_dim``, else three; the absent ones as None."""
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(creation.empty(embed_dim, embed_dim, dtype=dtype))
            self.k_proj_weight = Parameter(creation.empty(embed_dim, self.kdim, dtype=dtype))
            self.v_proj_weight = Parameter(creation.empty(embed_dim, self.vdim, dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(creation.empty(3 * embed_dim, embed_dim, dtype=dtype))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(creation.empty(3 * embed_dim, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)

    def _project(self, query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, ...]:
        """Q, K, V: one matmul for self-attention (the packed weight, as PyTorch), two when key
        is value, else three (split weights or the separate q/k/v weights)."""
        e = self.embed_dim
        b = self.in_proj_bias
        if self._qkv_same_embed_dim and key is value:
            w = self.in_proj_weight
            if query is key:
                return F.linear(query, w, b).chunk(3, -1)
            kv = F.linear(key, w[e:], None if b is None else b[e:]).chunk(2, -1)
            return (F.linear(query, w[:e], None if b is None else b[:e]), *kv)
        bq, bk, bv = (None, None, None) if b is None else (b[:e], b[e : 2 * e], b[2 * e :])
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            wq, wk, wv = w[:e], w[e : 2 * e], w[2 * e :]
        else:
            wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        return F.linear(query, wq, bq), F.linear(key, wk, bk), F.linear(value, wv, bv)

    def _check_query(self, query: Tensor, attn_mask: Tensor | None, is_causal: bool) -> None:
        """``forward``'s checks, in PyTorch's order and words: ``is_causal`` is only a hint
        (a mask is still needed), and the query's embedding size must be the module's."""
        if is_causal and attn_mask is None:
            raise RuntimeError(
                "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
                "module method `generate_square_subsequent_mask` to create this mask."
            )
        _, _, embed_dim = query.shape  # (a query of another rank fails here, as in PyTorch)
        if embed_dim != self.embed_dim:
            raise AssertionError(
                f"was expecting embedding dimension of {self.embed_dim}, but got {embed_dim}"
            )

    def _time_first(
        self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None,
        batched: bool,
    ) -> tuple[Tensor, Tensor, Tensor, Tensor | None]:  # fmt: skip
        """The inputs in the (time, batch, embed) layout the computation uses: transposed
        from ``batch_first``, or given a batch of one when unbatched (the padding mask too)."""
        if self.batch_first and batched:
            query, key, value = (t.transpose(1, 0) for t in (query, key, value))
        if not batched:
            query, key, value = (t.unsqueeze(1) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        return query, key, value, key_padding_mask

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
        batched = query.dim() == 3
        query, key, value, key_padding_mask = self._time_first(
            query, key, value, key_padding_mask, batched
        )
        self._check_query(query, attn_mask, is_causal)
        tgt_len, bsz, embed_dim = query.shape
        src_len = key.shape[0]
        heads, hd = self.num_heads, self.head_dim
        q, k, v = self._project(query, key, value)
        mask = _attn_mask(attn_mask, q.dtype, bsz * heads, tgt_len, src_len)
        q = q.reshape(tgt_len, bsz * heads, hd).transpose(0, 1)
        k = k.reshape(src_len, bsz * heads, hd).transpose(0, 1)
        v = v.reshape(src_len, bsz * heads, hd).transpose(0, 1)
        mask = _add_padding_mask(mask, key_padding_mask, q.dtype, bsz, heads, src_len)
        scores = (q * math.sqrt(1.0 / float(hd))).bmm(k.transpose(-2, -1))
        if mask is not None:
            scores = mask + scores
        weights = scores.softmax(-1)
        if self.training and self.dropout > 0.0:
            weights = F.dropout(weights, p=self.dropout)
        out = weights.bmm(v).transpose(0, 1).contiguous().reshape(tgt_len * bsz, embed_dim)
        out = F.linear(out, self.out_proj.weight, self.out_proj.bias)
        out = out.reshape(tgt_len, bsz, embed_dim)
        avg = None
        if need_weights:  # (bsz, heads, tgt, src), averaged over the heads by default
            avg = weights.reshape(bsz, heads, tgt_len, src_len)
            avg = avg.mean(dim=1) if average_attn_weights else avg
            avg = avg if batched else avg.squeeze(0)
        if not batched:
            out = out.squeeze(1)
        elif self.batch_first:
            out = out.transpose(1, 0)
        return out, avg


__all__ = ["MultiheadAttention", "NonDynamicallyQuantizableLinear", "SDPBackend", "sdpa_kernel"]


def _attn_mask(
    attn_mask: Tensor | None, dtype: Any, batch_heads: int, tgt_len: int, src_len: int
) -> Tensor | None:
    """``attn_mask`` as an additive float mask (:func:`canonical_mask`) of shape
    (1 or batch*heads, tgt, src), its shape checked in PyTorch's words."""
    mask = canonical_mask(attn_mask, "attn_mask", dtype)
    if mask is not None and mask.dim() == 2:
        if tuple(mask.shape) != (tgt_len, src_len):
            raise RuntimeError(
                f"The shape of the 2D attn_mask is torch.Size({list(mask.shape)}), "
                f"but should be {(tgt_len, src_len)}."
            )
        mask = mask.unsqueeze(0)
    elif mask is not None and tuple(mask.shape) != (batch_heads, tgt_len, src_len):
        raise RuntimeError(
            f"The shape of the 3D attn_mask is torch.Size({list(mask.shape)}), "
            f"but should be {(batch_heads, tgt_len, src_len)}."
        )
    return mask


def _add_padding_mask(
    mask: Tensor | None,
    key_padding_mask: Tensor | None,
    dtype: Any,
    bsz: int,
    heads: int,
    src_len: int,
) -> Tensor | None:
    """``mask`` with the key padding mask added (as an additive float mask spread over the
    heads, (batch*heads, 1, src)), as PyTorch merges the two before the softmax."""
    kpm = canonical_mask(key_padding_mask, "key_padding_mask", dtype)
    if kpm is not None:
        kpm = kpm.reshape(bsz, 1, 1, src_len).expand(-1, heads, -1, -1)
        kpm = kpm.reshape(bsz * heads, 1, src_len)
        mask = kpm if mask is None else mask + kpm
    return mask
