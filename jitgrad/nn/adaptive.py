"""``AdaptiveLogSoftmaxWithLoss`` (Grave et al., "Efficient softmax approximation for GPUs")
and the deprecated ``NLLLoss2d``.

The frequent classes (below ``cutoffs[0]``) and one entry per rarer cluster share a head
softmax; a class in cluster ``i`` gets ``log p(cluster i) + log p(class | cluster i)``, the
second from that cluster's two-layer projection (hidden size ``in_features // div_value**(i+1)``).
The layers, their names and their initialisation are PyTorch's, so ``state_dict`` keys match;
only the rows whose target falls in a cluster go through that cluster's projection.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..frontend.creation import tensor, zeros
from ..frontend.movement import cat
from ..frontend.tensor import Tensor
from ..helpers import warn as warn_user
from .container import ModuleList, Sequential
from .linear import Linear
from .loss import NLLLoss
from .module import Module

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])  # noqa: PYI024 - PyTorch's type


class AdaptiveLogSoftmaxWithLoss(Module):
    def __init__(
        self,
        in_features: int,
        n_classes: int,
        cutoffs: Sequence[int],
        div_value: float = 4.0,
        head_bias: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        cutoffs = list(cutoffs)
        if not cutoffs:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (
            cutoffs != sorted(cutoffs)
            or min(cutoffs) <= 0
            or max(cutoffs) > n_classes - 1
            or len(set(cutoffs)) != len(cutoffs)
            or any(int(c) != c for c in cutoffs)
        ):
            raise ValueError(
                "cutoffs should be a sequence of unique, positive integers sorted in an "
                "increasing order, where each value is between 1 and n_classes-1"
            )
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = [*cutoffs, n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, dtype=dtype)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(
                Sequential(
                    Linear(in_features, hidden, bias=False, dtype=dtype),
                    Linear(hidden, size, bias=False, dtype=dtype),
                )
            )

    def reset_parameters(self) -> None:
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input_: Tensor, target_: Tensor) -> _ASMoutput:
        """Each row's log-probability of its target and the mean negative of them."""
        if target_.dim() == 1:
            if input_.shape[0] != target_.shape[0]:
                raise RuntimeError(
                    "Input and target should have the same size in the batch dimension."
                )
            if input_.dim() != 2:
                raise RuntimeError(
                    "1D target tensor expects 2D input tensors, but found inputs with size "
                    f"torch.Size({list(input_.shape)})"
                )
        elif target_.dim() == 0:
            if input_.dim() != 1:
                raise RuntimeError(
                    "0D target tensor expects 1D input tensors, but found inputs with size "
                    f"torch.Size({list(input_.shape)})"
                )
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = target_.dim() > 0
        x = input_ if batched else input_.unsqueeze(0)
        t = target_._value.reshape(-1).astype(np.int64)
        if t.size and (t.min() < 0 or t.max() >= self.n_classes):
            raise RuntimeError(
                f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                f"[{t.min()}, {t.max()}] were found. "
            )
        head_index = t.copy()
        output = zeros(t.size, dtype=x.dtype)
        for i in range(self.n_clusters):
            lo, hi = self.cutoffs[i], self.cutoffs[i + 1]
            rows = np.nonzero((t >= lo) & (t < hi))[0]
            if rows.size == 0:
                continue
            head_index[rows] = self.shortlist_size + i
            picked = tensor(rows)
            logprob = self.tail[i](x.index_select(0, picked)).log_softmax(1)
            local = logprob.gather(1, tensor(t[rows] - lo).unsqueeze(1)).squeeze(1)
            output = output.index_add(0, picked, local)
        head = self.head(x).log_softmax(1)
        output = output + head.gather(1, tensor(head_index).unsqueeze(1)).squeeze(1)
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _full_log_prob(self, x: Tensor, head_output: Tensor) -> Tensor:
        head = head_output.log_softmax(1)
        parts = [head[:, : self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster = self.tail[i](x).log_softmax(1)
            parts.append(cluster + head[:, self.shortlist_size + i].unsqueeze(1))
        return cat(parts, 1)

    def log_prob(self, input: Tensor) -> Tensor:  # noqa: A002
        """The log-probabilities of all ``n_classes`` classes, ``(N, n_classes)``."""
        return self._full_log_prob(input, self.head(input))

    def predict(self, input: Tensor) -> Tensor:  # noqa: A002
        """The most probable class of each row (``log_prob(input).argmax(1)``)."""
        return self.log_prob(input).argmax(1)


class NLLLoss2d(NLLLoss):
    """Deprecated: ``NLLLoss`` handles any number of dimensions."""

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: Any = None,
        ignore_index: int = -100,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        warn_user(
            "`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in "
            "replacement and see https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for "
            "more details.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__(weight, ignore_index, reduction)


__all__ = ["AdaptiveLogSoftmaxWithLoss", "NLLLoss2d"]
