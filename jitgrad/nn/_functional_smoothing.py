"""Label smoothing for ``cross_entropy`` with class-index targets, composed as PyTorch does.

PyTorch mixes the (weighted) negative log-likelihood with a smoothed term that spreads
``label_smoothing`` evenly over the classes: ``(1 - eps) * nll + eps / C * smooth`` where
``smooth`` is ``-sum_c w[c] * logp[:, c]`` per row, zero on ignored rows, and under
``reduction="mean"`` divided by the same total weight as the NLL term. The last node is
``AddBackward0``, as PyTorch records.
"""

from __future__ import annotations

from ..frontend.tensor import Tensor


def smoothed_nll(
    nll: Tensor,
    logp: Tensor,
    target: Tensor,
    weight: Tensor | None,
    ignore_index: int,
    reduction: str,
    label_smoothing: float,
) -> Tensor:
    """``(1 - eps) * nll + eps / C * smooth`` for ``nll = nll_loss(logp, target, weight)``."""
    cdim = 1 if logp.dim() > 1 else 0
    n_classes = logp.shape[cdim]
    if weight is not None:
        logp = logp * weight.reshape((-1,) + (1,) * (logp.dim() - 1 - cdim))
    kept = target != ignore_index
    smooth = (-logp.sum(cdim)).masked_fill(~kept, 0.0)
    if reduction == "mean":
        picked = target[kept]
        total = kept.sum() if weight is None else weight[picked].sum()
        smooth = smooth.sum() / total
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)
