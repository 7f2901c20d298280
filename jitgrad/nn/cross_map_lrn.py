"""``nn.CrossMapLRN2d``: the legacy (Lua Torch) local response norm across channels.

Its channel windows are not ``LocalResponseNorm``'s: they come from a running sum that
adds the channel ``c + pre_pad - 1`` and drops ``c - pre_pad`` only once ``c > pre_pad``
(``pre_pad = (size - 1) // 2 + 1``), so the windows near the first channels are wider.
:func:`_windows` builds those windows as a 0/1 matrix, and the forward is
``x * (k + alpha / size * squares summed over each window) ** -beta`` in tensor ops (its
gradient is autograd's), under PyTorch's node name ``CrossMapLRN2dBackward``.
"""

from __future__ import annotations

import numpy as np

from ..frontend.copy_ops import under_node
from ..frontend.creation import tensor
from ..frontend.tensor import Tensor
from .module import Module


def _windows(channels: int, size: int) -> np.ndarray:
    """Row ``c``: which channels' squares the running sum holds at channel ``c``."""
    pre_pad = int((size - 1) / 2 + 1)
    rows = np.zeros((channels, channels))
    rows[0, : min(pre_pad, channels)] = 1
    for c in range(1, channels):
        rows[c] = rows[c - 1]
        if c < channels - pre_pad + 1:
            rows[c, c + pre_pad - 1] += 1
        if c > pre_pad:
            rows[c, c - pre_pad] -= 1
    return rows


class CrossMapLRN2d(Module):
    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
        windows = tensor(_windows(input.shape[1], self.size), dtype=input.dtype)
        sums = (input * input).movedim(1, -1) @ windows.T
        scale = sums.movedim(-1, 1) * (self.alpha / self.size) + self.k
        return under_node(input * scale.pow(-self.beta), "CrossMapLRN2dBackward", copy=False)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
