"""``max_unpool1d/2d``, the ``*_with_indices`` pools and ``lp_pool1d/2d``.

``max_unpool2d`` is one recorded scatter (``MaxUnpool2DBackward0``) whose backward is a
``gather``; ``max_unpool1d`` runs it over a width-1 image as PyTorch does; ``lp_pool`` is
PyTorch's formula over ``avg_pool`` of ``x**p``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..frontend.recording import record
from ..frontend.tensor import Tensor, _make
from ._functional_more import adaptive_max_pool1d, adaptive_max_pool2d
from ._functional_pool import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d


def _first(v: Any) -> int:
    return int(v[0]) if isinstance(v, list | tuple) else int(v)


def _unpool_size(
    x: Tensor, k: tuple, s: tuple, p: tuple, output_size: Any, nd: int
) -> tuple[int, ...]:
    """PyTorch's ``_unpool_output_size``: the default size, or a checked ``output_size``."""
    default = tuple((x.shape[-nd + i] - 1) * s[i] - 2 * p[i] + k[i] for i in range(nd))
    if output_size is None:
        return default
    size = output_size[2:] if len(output_size) == nd + 2 else output_size
    if len(size) != nd:
        raise ValueError(
            f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has "
            f"a length of '{len(size)}'"
        )
    for i in range(nd):
        lo, hi = default[i] - s[i], default[i] + s[i]
        if not lo < size[i] < hi:
            raise ValueError(
                f'invalid output_size "{size}" (dim {i} must be between {lo} and {hi})'
            )
    return tuple(int(v) for v in size)


def _tuple(v: Any, n: int) -> tuple:
    return tuple(int(a) for a in v) if isinstance(v, list | tuple) else (int(v),) * n


def max_unpool2d(
    input: Tensor,  # noqa: A002
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """The partial inverse of ``max_pool2d``: each value goes to its flat ``indices`` position
    in a zero plane (one ``MaxUnpool2DBackward0`` node; its backward gathers)."""
    k = _tuple(kernel_size, 2)
    s = k if stride is None else _tuple(stride, 2)
    oh, ow = _unpool_size(input, k, s, _tuple(padding, 2), output_size, 2)
    if input.dim() not in (3, 4):
        raise RuntimeError(
            f"Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with "
            f"{input.dim()} dimensions."
        )
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(
            f"Expected shape of indices to be same as that of the input tensor "
            f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}"
        )
    lead = tuple(input.shape[:-2])
    idx = indices._value.reshape(-1, input.shape[-2] * input.shape[-1]).astype(np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= oh * ow):
        bad = int(idx.max() if idx.max() >= oh * ow else idx.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{oh}x{ow}")  # fmt: skip
    out = np.zeros((idx.shape[0], oh * ow), input._dtype.np)
    np.put_along_axis(out, idx, input._value.reshape(idx.shape), axis=1)
    index = _make(idx, indices._dtype)

    def backward(g: Tensor) -> tuple:
        flat = g.reshape(idx.shape[0], oh * ow).gather(1, index)
        return (flat.reshape(input.shape), None)

    out = out.reshape(*lead, oh, ow)
    return record("MaxUnpool2DBackward0", out, input._dtype, (input, indices), backward)


def max_unpool1d(
    input: Tensor,  # noqa: A002
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """``max_unpool2d`` over a width-1 image, as PyTorch computes it."""
    k = (_first(kernel_size),)
    s = k if stride is None else (_first(stride),)
    (length,) = _unpool_size(input, k, s, (_first(padding),), output_size, 1)
    out = max_unpool2d(
        input.unsqueeze(-1), indices.unsqueeze(-1), (k[0], 1), (s[0], 1), 0, (length, 1)
    )
    return out.squeeze(-1)


def max_pool1d_with_indices(input: Tensor, *args: Any, **kwargs: Any) -> tuple[Tensor, Tensor]:  # noqa: A002
    kwargs["return_indices"] = True
    return max_pool1d(input, *args, **kwargs)


def max_pool2d_with_indices(input: Tensor, *args: Any, **kwargs: Any) -> tuple[Tensor, Tensor]:  # noqa: A002
    kwargs["return_indices"] = True
    return max_pool2d(input, *args, **kwargs)


def adaptive_max_pool1d_with_indices(
    input: Tensor,  # noqa: A002
    output_size: Any,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(
    input: Tensor,  # noqa: A002
    output_size: Any,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    return adaptive_max_pool2d(input, output_size, True)


def _lp_finish(out: Tensor, area: int, norm_type: float) -> Tensor:
    return (out.sign() * out.abs().relu()).mul(area).pow(1.0 / norm_type)


def lp_pool1d(
    input: Tensor,  # noqa: A002
    norm_type: float,
    kernel_size: int,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    """``(sum over the window of x**p) ** (1/p)``: an average pool of ``x**p`` times the
    window size, as PyTorch computes it."""
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, _first(kernel_size), norm_type)


def lp_pool2d(
    input: Tensor,  # noqa: A002
    norm_type: float,
    kernel_size: Any,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    kh, kw = _tuple(kernel_size, 2)
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, kh * kw, norm_type)


__all__ = [
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "lp_pool1d",
    "lp_pool2d",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
]
