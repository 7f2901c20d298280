"""``torch.nn.attention.SDPBackend`` and ``sdpa_kernel``: choosing the kernel behind
``F.scaled_dot_product_attention``.

PyTorch has several kernels (math, flash, memory-efficient, cuDNN) that compute the same
attention; programs pin one with ``with sdpa_kernel(SDPBackend.MATH):`` for reproducibility.
jitgrad has one computation (the math path, PyTorch's documented reference), so the context
manager records the choice, restores the previous one on exit, and changes no number.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from typing import Any


class SDPBackend(enum.Enum):
    """PyTorch's backend names and values (``<SDPBackend.MATH: 0>``)."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


_allowed: list[tuple[SDPBackend, ...]] = [tuple(SDPBackend)[1:]]


@contextlib.contextmanager
def sdpa_kernel(backends: Any, set_priority: bool = False) -> Iterator[None]:
    """Within the block only ``backends`` (one or a list) may serve attention."""
    chosen = (backends,) if isinstance(backends, SDPBackend) else tuple(backends)
    _allowed.append(chosen)
    try:
        yield
    finally:
        _allowed.pop()


__all__ = ["SDPBackend", "sdpa_kernel"]
