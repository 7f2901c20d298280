"""``F.adaptive_max_pool2d``, ``F.dropout2d``, ``F.embedding_bag`` and ``F.bilinear``.

The pooling and the bag reductions are one recorded node each with PyTorch's name (the
pooling's backward is itself a recorded node; the bags' is Tensor ops: both are
differentiable again); ``dropout2d`` multiplies by a per-channel
mask (PyTorch's graph shows ``MulBackward0`` too); ``bilinear`` is an einsum plus bias.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..frontend.creation import zeros
from ..frontend.einsum import einsum
from ..frontend.gather_scatter import index_select
from ..frontend.index_extra import index_add
from ..frontend.recording import record, record_multi, renamed
from ..frontend.tensor import Tensor, _make
from ..helpers import warn as warn_user
from ._functional_extra import apply_dropout_mask
from ._functional_pool import _max_pool_grad


def _bounds(n_in: int, n_out: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive windows: ``[floor(i*in/out), ceil((i+1)*in/out))``."""
    return [((i * n_in) // n_out, -((-(i + 1) * n_in) // n_out)) for i in range(n_out)]


def adaptive_max_pool2d_size(input: Tensor, output_size: Any) -> tuple[int, int]:  # noqa: A002
    """adaptive_max_pool2d's check and output size (the device op's too)."""
    if input.dim() not in (3, 4):
        raise RuntimeError(
            f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: {list(input.shape)}"
        )
    h_in, w_in = input.shape[-2:]
    size = (output_size, output_size) if isinstance(output_size, int) else output_size
    h_out = h_in if size[0] is None else int(size[0])
    w_out = w_in if size[1] is None else int(size[1])
    return h_out, w_out


def adaptive_max_pool2d(
    input: Tensor,  # noqa: A002
    output_size: int | tuple[int | None, int | None],
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """Max over adaptive windows; ``indices`` are flat ``h * W + w`` positions per plane."""
    h_out, w_out = adaptive_max_pool2d_size(input, output_size)
    h_in, w_in = input.shape[-2:]
    x = input._value
    lead = x.shape[:-2]
    vals = np.empty((*lead, h_out, w_out), x.dtype)
    idx = np.empty((*lead, h_out, w_out), np.int64)
    for i, (h0, h1) in enumerate(_bounds(h_in, h_out)):
        for j, (w0, w1) in enumerate(_bounds(w_in, w_out)):
            win = x[..., h0:h1, w0:w1].reshape(*lead, -1)
            k = np.argmax(win, axis=-1)  # first maximum, as PyTorch (its last NaN wins)
            nan = np.isnan(win)
            if nan.any():
                last = win.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
                k = np.where(nan.any(-1), last, k)
            vals[..., i, j] = np.take_along_axis(win, k[..., None], -1)[..., 0]
            idx[..., i, j] = (h0 + k // (w1 - w0)) * w_in + w0 + k % (w1 - w0)

    flat_idx = idx.reshape(-1, h_out * w_out)

    def backward(g: Tensor, _unused: Tensor | None = None) -> tuple[Tensor]:
        return (_max_pool_grad(g, flat_idx, input, 2, "AdaptiveMaxPool2DBackwardBackward0"),)

    out, ind = record_multi(
        "AdaptiveMaxPool2DBackward0", [vals, idx], [input._dtype, D.int64], (input,), backward
    )
    return (out, ind) if return_indices else out


def dropout2d(
    input: Tensor,  # noqa: A002
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
) -> Tensor:
    """Zero whole channels (dim 1) with probability ``p``; like PyTorch, a 3-D input is read as
    ``(N, C, L)`` (with a warning), not as an unbatched ``(C, H, W)``."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.dim() not in (3, 4):
        warn_user(
            f"dropout2d: Received a {input.dim()}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior and "
            "silence this warning, please use dropout instead. Note that dropout2d exists to "
            "provide channel-wise dropout on inputs with 2 spatial dimensions, a channel "
            "dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    if input.dim() == 3:
        warn_user(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return dropout2d_mask(input, p, training, inplace)


def dropout2d_mask(input: Tensor, p: float, training: bool, inplace: bool) -> Tensor:  # noqa: A002
    """PyTorch's feature dropout: one keep/drop draw per ``(n, c)``, scaled by ``1/(1-p)``."""
    if not training or p == 0.0:
        return input
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    return apply_dropout_mask(input, shape, p, inplace)


def dropout3d(
    input: Tensor,  # noqa: A002
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
) -> Tensor:
    """Zero whole channels of ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)`` input with
    probability ``p`` (the unbatched one is batchified, so it draws what PyTorch draws)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.dim() not in (4, 5):
        warn_user(
            f"dropout3d: Received a {input.dim()}-D input to dropout3d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior and "
            "silence this warning, please use dropout instead. Note that dropout3d exists to "
            "provide channel-wise dropout on inputs with 3 spatial dimensions, a channel "
            "dimension, and an optional batch dimension (i.e. 4D or 5D inputs).",
            stacklevel=2,
        )
    if input.dim() == 5:
        return dropout2d_mask(input, p, training, inplace)
    if inplace:
        return dropout2d_mask(input.unsqueeze_(0), p, training, True).squeeze_(0)
    return dropout2d_mask(input.unsqueeze(0), p, training, False).squeeze(0)


def adaptive_max_pool1d(
    input: Tensor,  # noqa: A002
    output_size: int,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """``adaptive_max_pool2d`` over ``(..., 1, L)``, as PyTorch computes it."""
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"adaptive_max_pool1d(): Expected 2D or 3D tensor, but got: {list(input.shape)}"
        )
    size = output_size[0] if isinstance(output_size, list | tuple) else output_size
    out, idx = adaptive_max_pool2d(input.unsqueeze(-2), (1, size), True)
    return (out.squeeze(-2), idx.squeeze(-2)) if return_indices else out.squeeze(-2)


def dropout1d(
    input: Tensor,  # noqa: A002
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
) -> Tensor:
    """Zero whole channels of ``(N, C, L)`` (or unbatched ``(C, L)``) with probability ``p``."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note "
            "that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs)."
        )
    if input.dim() == 3:
        return dropout2d_mask(input, p, training, inplace)
    return dropout2d_mask(input.unsqueeze(0), p, training, inplace).squeeze(0)


def _bags(input: Tensor, offsets: Tensor | None, include_last: bool) -> tuple[np.ndarray, list]:
    """Flat indices and the (start, end) of every bag."""
    idx = input._value.astype(np.int64)
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is "
                             "a mini-batch of fixed length sequences. However, found offsets of "
                             f"type {type(offsets)}")  # fmt: skip
        n = idx.shape[1]
        return idx.reshape(-1), [(b * n, (b + 1) * n) for b in range(idx.shape[0])]
    if input.dim() != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")  # fmt: skip
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    starts = [int(o) for o in offsets._value]
    ends = starts[1:] + [len(idx)]
    if include_last:  # the last offset closes the bags; PyTorch's last bag still runs to the end
        starts, ends = starts[:-1], (ends[:-2] + [len(idx)]) if len(starts) > 1 else []
    return idx, list(zip(starts, ends, strict=True))


def _check_bag_options(
    max_norm: float | None,
    scale_grad_by_freq: bool,
    mode: str,
    per_sample_weights: Tensor | None,
) -> None:
    """``embedding_bag``'s option checks, in PyTorch's words (and what jitgrad lacks)."""
    if max_norm is not None or scale_grad_by_freq:
        raise NotImplementedError(
            "embedding_bag with max_norm or scale_grad_by_freq=True is not implemented in jitgrad"
        )
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub."
        )


def _bag_forward(
    w: np.ndarray,
    idx: np.ndarray,
    bags: list[tuple[int, int]],
    keep: np.ndarray,
    psw: np.ndarray | None,
    mode: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each bag's sum, mean or max of its kept rows of ``w`` (an empty bag gives zeros),
    with what the backward needs: the row each max came from (-1: none) and the counts."""
    out = np.zeros((len(bags), w.shape[1]), w.dtype)
    arg = np.full((len(bags), w.shape[1]), -1, np.int64)
    counts = np.zeros(len(bags), w.dtype)
    for b, (s, e) in enumerate(bags):
        sel = np.arange(s, e)[keep[s:e]]
        counts[b] = len(sel)
        if len(sel) == 0:
            continue
        rows = w[idx[sel]]
        if mode == "max":
            k = rows.argmax(0)
            out[b], arg[b] = rows[k, np.arange(w.shape[1])], idx[sel][k]
        else:
            rows = rows * psw[sel, None] if psw is not None else rows
            out[b] = rows.sum(0)
            if mode == "mean":
                out[b] /= counts[b]
    return out, arg, counts


def embedding_bag(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """Sum, mean or max of the embeddings of each bag (``padding_idx`` entries left out)."""
    _check_bag_options(max_norm, scale_grad_by_freq, mode, per_sample_weights)
    idx, bags = _bags(input, offsets, include_last_offset)
    w = weight._value
    psw = None if per_sample_weights is None else per_sample_weights._value.reshape(-1)
    keep = np.ones(len(idx), bool) if padding_idx is None else idx != padding_idx
    out, arg, counts = _bag_forward(w, idx, bags, keep, psw, mode)

    def backward(g: Tensor) -> tuple[Tensor, ...]:
        return _bag_grads(g, weight, per_sample_weights, idx, bags, keep, counts, arg, mode)

    inputs = (weight,) if per_sample_weights is None else (weight, per_sample_weights)
    return record("EmbeddingBagBackward0", out, weight._dtype, inputs, backward)


def _bag_grads(g, weight, psw, idx, bags, keep, counts, arg, mode) -> tuple[Tensor, ...]:
    """The gradients of ``weight`` (and ``per_sample_weights``) in Tensor ops: each kept
    entry's bag gradient added into its row (scaled by 1/count for mean, by its weight), the
    max's into the row it came from. So a gradient of the gradient goes through them (PyTorch
    raises "the derivative for '_embedding_bag_backward' is not implemented" there)."""
    dt, n_rows, width = weight._dtype, weight.shape[0], weight.shape[1]
    zero = zeros((n_rows * width,) if mode == "max" else tuple(weight.shape), dtype=dt)
    if mode == "max":
        bag, col = np.nonzero(arg >= 0)
        picked = index_select(g.reshape(-1), 0, _make(bag * width + col, D.int64))
        gw = index_add(zero, 0, _make(arg[bag, col] * width + col, D.int64), picked)
        return (renamed(gw.reshape(tuple(weight.shape)), "EmbeddingBagBackwardBackward0"),)
    owner = np.full(len(idx), -1, np.int64)
    for b, (s, e) in enumerate(bags):
        owner[s:e] = b
    sel = np.nonzero(keep & (owner >= 0))[0]
    bag_of = owner[sel]
    scale = 1 / np.maximum(counts, 1) if mode == "mean" else np.ones(len(bags))
    per_entry = index_select(g, 0, _make(bag_of, D.int64))
    rows = _make(idx[sel], D.int64)
    contrib = per_entry * _make(scale[bag_of, None].astype(dt.np), dt)
    if psw is not None:
        flat = psw.reshape(-1)
        contrib = contrib * index_select(flat, 0, _make(sel, D.int64)).unsqueeze(1)
    gw = renamed(index_add(zero, 0, rows, contrib), "EmbeddingBagBackwardBackward0")
    if psw is None:
        return (gw,)
    gp = (index_select(weight, 0, rows) * per_entry).sum(1)
    gp = index_add(zeros((flat.shape[0],), dtype=psw.dtype), 0, _make(sel, D.int64), gp)
    return gw, gp.reshape(tuple(psw.shape))


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y_k = x1^T W_k x2 + b_k`` over any leading dims."""
    for d, (a, b) in enumerate(zip(input1.shape[:-1], input2.shape[:-1], strict=False)):
        if a != b:
            raise RuntimeError(
                f"bilinear(): input batch dimensions do not match at dim {d}: got {a} and {b}"
            )
    out = einsum("...i,oij,...j->...o", input1, weight, input2)
    return out if bias is None else out + bias


__all__ = [
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "bilinear",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "embedding_bag",
]
