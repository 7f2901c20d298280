"""Channels-last layouts: ``x.to(memory_format=torch.channels_last)``,
``x.contiguous(memory_format=...)``, ``x.clone(memory_format=...)``,
``torch.empty(..., memory_format=...)`` and ``Module.to(memory_format=...)`` give PyTorch's
strides, and a convolution of a channels-last input or weight gives a channels-last output
(PyTorch's CPU backends do).

A NumPy array holds a channels-last layout as it is: the NHWC-contiguous copy seen through
the permutation back to NCHW, whose strides are PyTorch's ``(C*H*W, 1, W*C, C)``; every op
reads such an array as it reads any strided one (a transpose, a slice). What jitgrad does
not do is the rest of PyTorch's propagation of the layout: PyTorch's TensorIterator
(elementwise ops), batch norm, pooling, ``clone()``/``to(dtype)`` (``preserve_format``) and
the ``*_like`` factories give their results the layout of their input, and a channels-last
leaf its gradient; jitgrad's are row-major whatever the input's layout (as for ``x.t() + 1``,
which PyTorch keeps transposed). The values are the same; ``stride()`` and
``is_contiguous()`` of those results differ from PyTorch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .recording import record
from .tensor import Tensor

#: PyTorch's channels-last layouts: the rank each applies to and its dims, fastest first
CHANNELS_LAST = {"channels_last": (4, (1, 3, 2, 0)), "channels_last_3d": (5, (1, 4, 3, 2, 0))}


def is_dense_in(t: Tensor, fmt: Any) -> bool:
    """Whether ``t`` is laid out densely in the channels-last format ``fmt`` as PyTorch
    computes it (dims of size 1 skipped; another rank: False)."""
    rank, order = CHANNELS_LAST[fmt.name]
    if t.ndim != rank:
        return False
    expected, sizes, strides = 1, t.shape, t.stride()
    for d in order:
        if sizes[d] != 1:
            if strides[d] != expected:
                return False
            expected *= sizes[d]
    return True


def _like_channels_last(sizes: tuple, strides: tuple, order: tuple) -> bool:
    """c10's ``is_channels_last_strides_2d_s4``/``_3d_s5``: strides that suggest the layout
    (ambiguous ones, such as size-1 channels, read as row-major)."""
    if strides[1] == 0:
        return False
    least = 0
    for d in order:
        if sizes[d] == 0 or strides[d] < least or (d == 0 and least == strides[1]):
            return False
        least = strides[d] * (sizes[d] if sizes[d] > 1 else 1)
    return True


def suggested(t: Tensor) -> str:
    """PyTorch's ``suggest_memory_format()`` name for ``t``."""
    for name, (rank, order) in CHANNELS_LAST.items():
        if t.ndim == rank and _like_channels_last(t.shape, t.stride(), order):
            return name
    return "contiguous_format"


def in_format(t: Tensor, fmt: Any, node: str, alias: str) -> Tensor:
    """``t`` laid out in memory format ``fmt`` (None or ``preserve_format``: ``t``), as a
    copy recorded as ``node`` (``CloneBackward0`` for ``contiguous``/``clone``,
    ``ToCopyBackward0`` for ``to``), or ``t`` itself where ``alias`` allows: ``"dense"``
    (``contiguous``: ``t`` is already laid out so), ``"suggested"`` (``to``: ``t``'s
    strides suggest that format, PyTorch's ``to_will_alias``), ``"never"`` (``clone``).
    A device tensor keeps its layout (channels-last is modelled on the CPU only)."""
    name = getattr(fmt, "name", None)
    if name is None or name == "preserve_format":
        return t
    value = t._value
    if name in CHANNELS_LAST and t.ndim != CHANNELS_LAST[name][0]:
        raise RuntimeError(f"required rank {CHANNELS_LAST[name][0]} tensor to use {name} format")
    if alias == "suggested":
        keep = suggested(t) == name
    elif alias == "dense":
        keep = is_dense_in(t, fmt) if name in CHANNELS_LAST else value.flags.c_contiguous
    else:
        keep = False
    if keep or not isinstance(value, np.ndarray):
        return t
    if name not in CHANNELS_LAST:  # contiguous_format
        return record(node, np.array(value, order="C"), t._dtype, (t,), _same)
    return record(node, _channels_last_copy(value, name), t._dtype, (t,), _same)


def allocated_in(t: Tensor, fmt: Any) -> Tensor:
    """A tensor just allocated (``torch.empty(..., memory_format=)``) laid out in ``fmt``;
    its buffer is its own, so it is replaced, not recorded."""
    name = getattr(fmt, "name", None)
    if name in CHANNELS_LAST:
        rank = CHANNELS_LAST[name][0]
        if t.ndim != rank:
            raise RuntimeError(f"required rank {rank} tensor to use {name} format")
        if isinstance(t._value, np.ndarray):
            t._value = _channels_last_copy(t._value, name)
    return t


def like_operands(value: np.ndarray, *operands: Tensor) -> np.ndarray:
    """``value`` (a new row-major result) in the channels-last layout of the first operand
    whose strides suggest one, as PyTorch's CPU convolutions give their output; else as it
    is. (A row-major operand has its channels' stride above its last one: the common case
    reads two strides.)"""
    for t in operands:
        v = t._value
        if isinstance(v, np.ndarray) and v.ndim in (4, 5) and v.strides[1] <= v.strides[-1]:
            name = suggested(t)
            if name != "contiguous_format" and value.ndim == CHANNELS_LAST[name][0]:
                return _channels_last_copy(value, name)
    return value


def _channels_last_copy(value: np.ndarray, name: str) -> np.ndarray:
    """``value``'s elements in NHWC (NDHWC) order, seen as NCHW with the strides c10's
    ``get_channels_last_strides_2d``/``_3d`` give (size-1 dims included, as PyTorch's)."""
    rank, order = CHANNELS_LAST[name]
    last = (0, *range(2, rank), 1)  # N, spatial..., C: the order in memory
    flat = np.ascontiguousarray(value.transpose(last)).reshape(-1)
    strides, step = [0] * rank, 1
    for d in order:
        strides[d] = step * value.itemsize
        step *= value.shape[d]
    return np.ndarray(value.shape, value.dtype, flat, 0, tuple(strides))  # (base: flat)


def _same(g: Any) -> Any:
    return g
