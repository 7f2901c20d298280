"""``F.ctc_loss`` / ``nn.CTCLoss``: the connectionist temporal classification loss (Graves et
al. 2006), as PyTorch computes it.

Per sample, the target is extended with blanks between and around its labels; the forward
variables ``alpha`` (log-space, over time and extended positions) sum the probabilities of all
alignments, the loss is minus their log. The gradient is PyTorch's: with ``beta`` the
backward variables (both include the emission at ``t``), the gradient with respect to
``log_probs[t, c]`` is ``exp(lp) - exp(logsumexp_{s: l'_s = c}(alpha + beta) + nll - lp)``, the
gradient through a ``log_softmax`` that produced ``log_probs`` (PyTorch documents this); time
steps past a sample's input length get zero. One ``CtcLossBackward0`` node; ``mean`` divides
each loss by its target length before averaging, as PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..frontend.creation import zeros_like
from ..frontend.functions import where
from ..frontend.recording import record
from ..frontend.tensor import Tensor, _make
from .module import Module

_NEG_INF = -np.inf


def _lse(*xs: np.ndarray) -> np.ndarray:
    out = xs[0]
    for x in xs[1:]:
        out = np.logaddexp(out, x)
    return out


def _extended(target: np.ndarray, blank: int) -> tuple[np.ndarray, np.ndarray]:
    """The blank-extended labels and where the skip transition ``s-2 -> s`` is allowed."""
    ext = np.full(2 * len(target) + 1, blank, np.int64)
    ext[1::2] = target
    skip = np.zeros(len(ext), bool)
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    return ext, skip


def _shift(a: np.ndarray, k: int) -> np.ndarray:
    """``a`` moved ``k`` places right (``-inf`` fills), or left for negative ``k``."""
    out = np.full_like(a, _NEG_INF)
    if k > 0:
        out[k:] = a[:-k]
    else:
        out[:k] = a[-k:]
    return out


def _sample(lp: np.ndarray, target: np.ndarray, blank: int) -> tuple[float, np.ndarray]:
    """The negative log-likelihood of one sample and the gradient of it w.r.t. ``lp``
    ``(T, C)`` (PyTorch's formula)."""
    t_len = lp.shape[0]
    ext, skip = _extended(target, blank)
    s_len = len(ext)
    emit = lp[:, ext]  # (T, S')
    alpha = np.full((t_len, s_len), _NEG_INF)
    alpha[0, 0] = emit[0, 0]
    if s_len > 1:
        alpha[0, 1] = emit[0, 1]
    for t in range(1, t_len):
        prev = alpha[t - 1]
        skipped = np.where(skip, _shift(prev, 2), _NEG_INF)
        alpha[t] = emit[t] + _lse(prev, _shift(prev, 1), skipped)
    ends = alpha[-1, -1] if s_len == 1 else np.logaddexp(alpha[-1, -1], alpha[-1, -2])
    nll = -float(ends)
    beta = np.full((t_len, s_len), _NEG_INF)
    beta[-1, -1] = emit[-1, -1]
    if s_len > 1:
        beta[-1, -2] = emit[-1, -2]
    skip_from = np.zeros(s_len, bool)  # s -> s+2 allowed where s+2 may be skipped to
    skip_from[:-2] = skip[2:]
    for t in range(t_len - 2, -1, -1):
        nxt = beta[t + 1]
        skipped = np.where(skip_from, _shift(nxt, -2), _NEG_INF)
        beta[t] = emit[t] + _lse(nxt, _shift(nxt, -1), skipped)
    ab = alpha + beta
    lcab = np.full(lp.shape, _NEG_INF)
    for s in range(s_len):
        lcab[:, ext[s]] = np.logaddexp(lcab[:, ext[s]], ab[:, s])
    with np.errstate(over="ignore", invalid="ignore"):
        grad = np.exp(lp) - np.exp(lcab + nll - lp)
    return nll, grad


def _lengths(v: Any) -> np.ndarray:
    arr = v._value if isinstance(v, Tensor) else np.asarray(v)
    return np.asarray(arr, np.int64).reshape(-1)


def _check_lengths(in_len: np.ndarray, tg_len: np.ndarray, tg: np.ndarray, t_max: int) -> None:
    """The lengths' checks PyTorch makes before allocating (``ctc_loss_allocate_outputs``):
    no input longer than the time axis, padded targets at least as wide as the longest."""
    for v in in_len:
        if v > t_max:
            raise RuntimeError(
                f"Expected input_lengths to have value at most {t_max}, but got value {v} "
                "(while checking arguments for ctc_loss_allocate_outputs)"
            )
    if tg.ndim == 2 and tg_len.size and tg.shape[-1] < tg_len.max():
        raise RuntimeError(
            f"Expected tensor to have size at least {tg_len.max()} at dimension 1, but got "
            f"size {tg.shape[-1]} for argument #2 'targets' (while checking arguments for "
            "ctc_loss_allocate_outputs)"
        )


def _samples(
    lp_all: np.ndarray,
    tg: np.ndarray,
    in_len: np.ndarray,
    tg_len: np.ndarray,
    blank: int,
    zero_infinity: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Each sample's loss and its gradient w.r.t. ``log_probs`` (``(T, N, C)``), computed in
    float64 and stored in the input's dtype; the targets are padded ``(N, S)`` rows or one
    concatenated run (an unbatched 1-D target reads the same way). ``zero_infinity`` zeroes an
    impossible alignment's infinite loss and its gradient."""
    n = lp_all.shape[1]
    padded = tg.ndim == 2
    losses = np.zeros(n, lp_all.dtype)
    grads = np.zeros(lp_all.shape, lp_all.dtype)
    offset = 0
    for b in range(n):
        if padded:
            target = tg.reshape(n, -1)[b, : tg_len[b]]
        else:
            target = tg.reshape(-1)[offset : offset + tg_len[b]]
            offset += tg_len[b]
        lp = lp_all[: in_len[b], b].astype(np.float64)
        nll, g = _sample(lp, target, blank)
        if zero_infinity and np.isinf(nll):
            nll, g = 0.0, np.zeros_like(g)
        losses[b] = nll
        grads[: in_len[b], b] = g
    return losses, grads


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """CTC loss of ``log_probs`` ``(T, N, C)`` (or ``(T, C)``) against padded ``(N, S)`` or
    concatenated targets."""
    unbatched = log_probs.dim() == 2
    lp_all = log_probs._value[:, None] if unbatched else log_probs._value
    t_max, n, _ = lp_all.shape
    in_len = _lengths(input_lengths)
    tg_len = _lengths(target_lengths)
    tg = targets._value.astype(np.int64)
    _check_lengths(in_len, tg_len, tg, t_max)
    losses, grads = _samples(lp_all, tg, in_len, tg_len, blank, zero_infinity)
    if unbatched:
        losses, grads = losses[0], grads[:, 0]
    grad_t = _make(np.ascontiguousarray(grads), log_probs._dtype)

    def backward(g: Tensor) -> tuple:
        scale = g if unbatched else g.reshape(1, n, 1)
        return (grad_t * scale, None, None, None)

    ins = (log_probs, targets) + tuple(
        v if isinstance(v, Tensor) else None for v in (input_lengths, target_lengths)
    )
    out = record("CtcLossBackward0", np.asarray(losses), log_probs._dtype, ins, backward)
    if zero_infinity:  # already zeroed above; PyTorch's graph shows this where
        out = where(out == np.inf, zeros_like(out), out)
    if reduction == "none":
        return out
    if reduction == "sum":
        return out.sum()
    if reduction == "mean":
        divisor = _make(np.maximum(tg_len, 1).astype(lp_all.dtype), log_probs._dtype)
        return (out / (divisor if not unbatched else divisor[0])).mean()
    raise ValueError(f"{reduction} is not a valid value for reduction")


class CTCLoss(Module):
    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False):
        super().__init__()
        self.blank = blank
        self.reduction = reduction
        self.zero_infinity = zero_infinity

    def forward(
        self, log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any
    ) -> Tensor:
        return ctc_loss(
            log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction,
            self.zero_infinity,
        )  # fmt: skip


__all__ = ["CTCLoss", "ctc_loss"]
