"""``max_unpool3d`` and ``lp_pool3d``: the 3-d forms of the unpooling and power-average pools
(the 1-d and 2-d ones live in ``_functional_unpool``, whose scatter and formula these share).
"""

from __future__ import annotations

from typing import Any

from ..frontend.tensor import Tensor
from ._functional_pool3d import avg_pool3d, max_pool3d
from ._functional_unpool import _tuple, _unpool_size, check_unpool, lp_pool, unpool_scatter

__all__ = ["lp_pool3d", "max_unpool3d"]


def max_unpool3d(
    input: Tensor,  # noqa: A002
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """The partial inverse of ``max_pool3d``: each value goes to its flat ``indices`` position
    in a zero ``D*H*W`` volume (one ``MaxUnpool3DBackward0`` node; its backward gathers).

    The expected output rank follows ``kernel_size``'s length, as in PyTorch's Python side."""
    k = _tuple(kernel_size, 3)
    s = k if stride is None else _tuple(stride, 3)
    size = _unpool_size(input, k, s, _tuple(padding, 3), output_size, len(k))
    check_unpool(input, indices, 3, s, (size, s, _tuple(padding, 3)))
    return unpool_scatter(input, indices, size, 3)


def lp_pool3d(
    input: Tensor,  # noqa: A002
    norm_type: float,
    kernel_size: Any,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    """Power-average pooling over ``(N, C, D, H, W)`` (see ``_functional_unpool.lp_pool``)."""
    t = tuple(kernel_size) if isinstance(kernel_size, list | tuple) else (kernel_size,) * 3
    kd, kh, kw = t  # a wrong length fails here, as PyTorch's ``_triple`` unpacking does
    pools = (max_pool3d, avg_pool3d)
    return lp_pool(input, norm_type, kernel_size, stride, ceil_mode, pools, kd * kh * kw)
