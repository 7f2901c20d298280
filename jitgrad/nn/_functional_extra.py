"""``nn.functional.dropout``, ``pad`` and ``scaled_dot_product_attention``.

``pad`` is one node (``ConstantPadNdBackward0``) whose backward is the opposite pad (negative
pads crop). ``scaled_dot_product_attention`` is PyTorch's documented reference computation
(matmul, scale, mask, softmax, dropout, matmul); PyTorch's CPU kernel fuses it into one node,
so the graph shows the steps instead, with the same values up to rounding.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes as D
from ..frontend.creation import generator, ones, zeros
from ..frontend.linalg import matmul
from ..frontend.recording import closure, record, saved_attributes
from ..frontend.tensor import Tensor, _make
from ._functional_pad import check_mode, pad_gather
from ._loss_checks import refuse_cast


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero each element with probability ``p`` and scale the rest by ``1/(1-p)``."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    return apply_dropout_mask(input, input._value.shape, p, inplace)


def apply_dropout_mask(
    input: Tensor,  # noqa: A002
    shape: tuple[int, ...],
    p: float,
    inplace: bool,
) -> Tensor:
    """``input`` times a keep mask of ``shape`` (broadcast) drawn with keep probability
    ``1 - p`` and scaled by ``1/(1-p)``: the draw ``dropout`` and ``dropout2d`` share. An
    integer or bool input is refused in PyTorch's words (its float mask cannot be written into
    the input's type)."""
    refuse_cast(D.get_default_dtype(), input._dtype)
    m = _make(dropout_mask(shape, p, input._dtype.np), input._dtype)
    return input.mul_(m) if inplace else input * m


def dropout_mask(shape: tuple[int, ...], p: float, dtype: np.dtype) -> np.ndarray:
    """The scaled keep mask: one draw of ``shape`` uniforms from the default generator (none
    when ``p == 1``). A captured training step draws its dropout masks here at each replay
    (:mod:`jitgrad.capture.record_norm`), so the generator advances as eager's does."""
    if p == 1.0:
        return np.zeros(shape, dtype)
    keep = generator().random(shape) >= p
    return keep.astype(dtype) * dtype.type(1.0 / (1.0 - p))


def pad(
    input: Tensor,  # noqa: A002
    pad: Any,
    mode: str = "constant",
    value: float | None = None,
) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions: ``(left, right, top, bottom, ...)``, the
    last dimension first; negative amounts crop."""
    pads = [int(p) for p in pad]
    if len(pads) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    check_mode(mode)
    if mode != "constant":
        return pad_gather(input, pads, mode, value)
    if len(pads) // 2 > input.dim():
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pads)} and input of dimension {input.dim()}"
        )
    shape = list(input.shape)
    src = [slice(None)] * len(shape)
    dst = [slice(None)] * len(shape)
    for i in range(len(pads) // 2):
        d = len(shape) - 1 - i
        lo, hi = pads[2 * i], pads[2 * i + 1]
        n = shape[d]
        new = n + lo + hi
        if new < 0:
            raise RuntimeError(
                f"The input size {n}, plus negative padding {lo} and {hi} resulted in a negative "
                f"output size, which is invalid. Check dimension {d} of your input."
            )
        src[d] = slice(max(-lo, 0), n - max(-hi, 0))
        dst[d] = slice(max(lo, 0), new - max(hi, 0))
        shape[d] = new
    out = np.full(shape, 0 if value is None else value, input._dtype.np)
    out[tuple(dst)] = input._value[tuple(src)]
    back = [-p for p in pads]
    return record("ConstantPadNdBackward0", out, input._dtype, (input,), lambda g: (_pad(g, back),))


saved_attributes(  # (read from the backward's ``back``: the pads negated)
    "ConstantPadNdBackward0", pad=lambda s: tuple(-p for p in closure(s.fn)["back"])
)


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
    """``softmax(q k^T * scale + mask) v`` (boolean masks keep True positions)."""
    n_q, n_k = query.shape[-2], key.shape[-2]
    factor = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    # made on the query's device: with device kernels for every op, a device step stays there
    bias = zeros(n_q, n_k, dtype=query.dtype, device=query.device)
    if is_causal:
        keep = ones(n_q, n_k, dtype=query.dtype, device=query.device).tril(0) > 0
        bias = bias.masked_fill(~keep, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype.name == "bool":
            bias = bias.masked_fill(~attn_mask, float("-inf"))
        else:
            bias = attn_mask + bias
    if enable_gqa and key.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        rep = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(rep, -3)
        value = value.repeat_interleave(rep, -3)
    weights = matmul(query, key.transpose(-2, -1)) * factor + bias
    weights = weights.softmax(-1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True)
    return matmul(weights, value)


_pad = pad  # the name ``pad`` is also pad()'s argument

__all__ = ["dropout", "pad", "scaled_dot_product_attention"]
