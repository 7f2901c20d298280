"""``max_unpool1d/2d``, the ``*_with_indices`` pools and ``lp_pool1d/2d``.

``max_unpool2d`` is one recorded scatter (``MaxUnpool2DBackward0``) whose backward is a
``gather``; ``max_unpool1d`` runs it over a width-1 image as PyTorch does; ``lp_pool`` is
PyTorch's formula over ``avg_pool`` of ``x**p``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes as D
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


def check_unpool(
    input: Tensor,  # noqa: A002
    indices: Tensor,
    nd: int,
    stride: tuple,
    lengths: tuple = (),
) -> None:
    """PyTorch's ``max_unpooling{2,3}d`` checks, in its order (after the output size's);
    ``lengths`` = (output_size, stride, padding), whose lengths the 3-d form checks."""
    op = f"max_unpooling{nd}d"
    if indices._dtype is not D.int64:
        got = f" but got: {D.scalar_name(indices._dtype)}" if nd == 2 else ""
        raise RuntimeError(f"elements in indices should be type int64{got}")
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Input to {op} should be a {nd + 1}d or {nd + 2}d Tensor, but got a tensor with "
            f"{input.dim()} dimensions."
        )
    for what, v in zip(("output_size", "stride", "padding"), lengths, strict=False):
        if len(v) != 3:
            sep = " " if what == "output_size" else ": "
            raise RuntimeError(
                f"There should be exactly three elements (depth, height, width) in {what}, but "
                f"got{sep}{len(v)} elements."
            )
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(
            f"Expected shape of indices to be same as that of the input tensor "
            f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}"
        )
    for i in range(1, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(
                f"{op}_forward_out_cpu(): Expected input to have non-zero size for non-batch "
                f"dimensions, but got {list(input.shape)} with dimension {i} being empty."
            )
    if nd == 3 and min(stride) <= 0:
        raise RuntimeError(f"strides should be greater than zero, but got stride: {list(stride)}")
    if not input._dtype.is_floating_point:
        raise NotImplementedError(
            f"\"max_unpool{nd}d\" not implemented for '{D.scalar_name(input._dtype)}'"
        )


def unpool_scatter(input: Tensor, indices: Tensor, size: tuple, nd: int) -> Tensor:  # noqa: A002
    """Each value of ``input`` put at its flat ``indices`` position in a zero volume of
    ``size`` (one ``MaxUnpool{nd}DBackward0`` node; its backward gathers). An index outside
    the volume raises with the last such index, as PyTorch's kernel does on one thread."""
    lead, plane = tuple(input.shape[:-nd]), math.prod(input.shape[-nd:])
    total = math.prod(size)
    idx = indices._value.reshape(-1, plane).astype(np.int64)
    bad = np.flatnonzero((idx < 0) | (idx >= total))
    if bad.size:
        raise RuntimeError(
            f"Found an invalid max index: {int(idx.ravel()[bad[-1]])} (output volumes are of "
            f"size {'x'.join(str(v) for v in size)})"
        )
    out = np.zeros((idx.shape[0], total), input._dtype.np)
    np.put_along_axis(out, idx, input._value.reshape(idx.shape), axis=1)
    index = _make(idx, indices._dtype)

    def backward(g: Tensor) -> tuple:
        flat = g.reshape(idx.shape[0], total).gather(1, index)
        return (flat.reshape(input.shape), None)

    out = out.reshape(*lead, *size)
    return record(f"MaxUnpool{nd}DBackward0", out, input._dtype, (input, indices), backward)


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
    size = _unpool_size(input, k, s, _tuple(padding, 2), output_size, 2)
    check_unpool(input, indices, 2, s)
    return unpool_scatter(input, indices, size, 2)


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


def lp_pool(
    input: Tensor,  # noqa: A002
    norm_type: float,
    kernel_size: Any,
    stride: Any,
    ceil_mode: bool,
    pools: tuple[Any, Any],
    area: int,
) -> Tensor:
    """PyTorch's ``lp_pool{1,2,3}d``: ``(sum over the window of x**p) ** (1/p)`` as an average
    pool of ``x**p`` times the window's ``area``; ``p = +-inf`` is the max pool of ``|x|`` (of
    ``-|x|``, negated). ``pools`` is the (max, avg) pool of the dimension."""
    max_pool, avg_pool = pools
    if isinstance(norm_type, int | float) and math.isinf(norm_type):
        if norm_type > 0:
            return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(area).pow(1.0 / norm_type)


def lp_pool1d(
    input: Tensor,  # noqa: A002
    norm_type: float,
    kernel_size: int,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    """Power-average pooling over ``(N, C, L)`` (see :func:`lp_pool`)."""
    pools = (max_pool1d, avg_pool1d)
    return lp_pool(input, norm_type, kernel_size, stride, ceil_mode, pools, _first(kernel_size))


def lp_pool2d(
    input: Tensor,  # noqa: A002
    norm_type: float,
    kernel_size: Any,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    """Power-average pooling over ``(N, C, H, W)`` (see :func:`lp_pool`)."""
    kh, kw = _tuple(kernel_size, 2)
    pools = (max_pool2d, avg_pool2d)
    return lp_pool(input, norm_type, kernel_size, stride, ceil_mode, pools, kh * kw)


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
