"""``F.multi_head_attention_forward``: the computation behind ``nn.MultiheadAttention``,
callable with any weights (OpenAI's CLIP calls it directly, with separate q/k/v projection
weights and a concatenated bias); the module passes its own parameters.

It follows PyTorch's slow path: inputs in (time, batch, embed) layout (or unbatched),
an additive float mask built from ``attn_mask`` and ``key_padding_mask``, scores
``(q * sqrt(1 / head_dim)) @ k^T``, softmax, dropout in training, ``out_proj``.
"""

from __future__ import annotations

import math
from typing import Any

from ..frontend import creation
from ..frontend.tensor import Tensor
from ._functional_extra import dropout
from ._functional_linear import linear


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


def in_projection(
    query: Tensor, key: Tensor, value: Tensor, w: Tensor | None, b: Tensor | None,
    separate: tuple[Tensor, Tensor, Tensor] | None,
) -> tuple[Tensor, ...]:  # fmt: skip
    """Q, K, V: one matmul for self-attention with the packed weight ``w`` (as PyTorch), two
    when key is value, else three (slices of ``w``, or the ``separate`` q/k/v weights)."""
    e = query.shape[-1]
    if separate is None and key is value:
        if query is key:
            return linear(query, w, b).chunk(3, -1)
        kv = linear(key, w[e:], None if b is None else b[e:]).chunk(2, -1)
        return (linear(query, w[:e], None if b is None else b[:e]), *kv)
    bq, bk, bv = (None, None, None) if b is None else (b[:e], b[e : 2 * e], b[2 * e :])
    wq, wk, wv = separate if separate is not None else (w[:e], w[e : 2 * e], w[2 * e :])
    return linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)


def _check_query(query: Tensor, embed_dim_to_check: int, attn_mask: Any, causal: bool) -> None:
    """The checks, in PyTorch's order and words: ``is_causal`` is only a hint (a mask is
    still needed), and the query's embedding size must be the expected one."""
    if causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    _, _, embed_dim = query.shape  # (a query of another rank fails here, as in PyTorch)
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )


def _unsupported(bias_k: Any, bias_v: Any, add_zero_attn: bool, static_k: Any, static_v: Any):
    if bias_k is not None or bias_v is not None or add_zero_attn:
        raise NotImplementedError(
            "multi_head_attention_forward with bias_k / bias_v / add_zero_attn is not "
            "implemented in jitgrad"
        )
    if static_k is not None or static_v is not None:
        raise NotImplementedError(
            "multi_head_attention_forward(static_k=, static_v=) is not implemented in jitgrad"
        )


def multi_head_attention_forward(  # noqa: PLR0913 - PyTorch's signature
    query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
    in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
    bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
    out_proj_bias: Tensor | None, training: bool = True, key_padding_mask: Tensor | None = None,
    need_weights: bool = True, attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False, q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None, v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None, static_v: Tensor | None = None,
    average_attn_weights: bool = True, is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:  # fmt: skip
    """Attention of ``query`` (time, batch, embed) over ``key``/``value``; unbatched inputs
    (time, embed) get a batch of one. Returns the output and, with ``need_weights``, the
    weights (averaged over the heads unless ``average_attn_weights=False``)."""
    _unsupported(bias_k, bias_v, add_zero_attn, static_k, static_v)
    batched = query.dim() == 3
    if not batched:
        query, key, value = (t.unsqueeze(1) for t in (query, key, value))
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    _check_query(query, embed_dim_to_check, attn_mask, is_causal)
    tgt_len, bsz, embed_dim = query.shape
    src_len, heads = key.shape[0], num_heads
    hd = embed_dim // heads
    separate = (q_proj_weight, k_proj_weight, v_proj_weight) if use_separate_proj_weight else None
    q, k, v = in_projection(query, key, value, in_proj_weight, in_proj_bias, separate)
    mask = _attn_mask(attn_mask, q.dtype, bsz * heads, tgt_len, src_len)
    q = q.reshape(tgt_len, bsz * heads, hd).transpose(0, 1)
    k = k.reshape(src_len, bsz * heads, hd).transpose(0, 1)
    v = v.reshape(src_len, bsz * heads, hd).transpose(0, 1)
    mask = _add_padding_mask(mask, key_padding_mask, q.dtype, bsz, heads, src_len)
    scores = (q * math.sqrt(1.0 / float(hd))).bmm(k.transpose(-2, -1))
    if mask is not None:
        scores = mask + scores
    weights = scores.softmax(-1)
    if training and dropout_p > 0.0:
        weights = dropout(weights, p=dropout_p)
    out = weights.bmm(v).transpose(0, 1).contiguous().reshape(tgt_len * bsz, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)  # (its width may differ: CLIP's pool)
    out = out.reshape(tgt_len, bsz, out.shape[-1])
    avg = None
    if need_weights:  # (bsz, heads, tgt, src), averaged over the heads by default
        avg = weights.reshape(bsz, heads, tgt_len, src_len)
        avg = avg.mean(dim=1) if average_attn_weights else avg
        avg = avg if batched else avg.squeeze(0)
    return (out if batched else out.squeeze(1)), avg


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


__all__ = ["multi_head_attention_forward"]
