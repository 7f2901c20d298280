"""``F.interpolate`` (and its ``upsample`` alias) on device tensors.

This ran through the host fallback. The CPU op plans it (:func:`jitgrad.nn.upsample.
interpolation`: its checks, output sizes and one :class:`~jitgrad.nn.upsample.Taps` per
spatial dim, compressed rows of at most four taps an output, the node's name); here the device
applies those taps with one kernel per dim (:func:`jitgrad.kernels.cuda.resample.apply_rows`),
last dim first as the CPU's kernel does, and records the CPU's node
(``UpsampleBilinear2DBackward0`` ...). Its backward is the same kernel over the transposed
taps (:func:`jitgrad.nn.upsample.transposed`), a gather with no atomics (deterministic, where
PyTorch's CUDA scatter is not), and is recorded again under the same name, so
``create_graph`` works as on the CPU. ``area`` is an adaptive average pool, which reaches the
device pools.

Values equal the CPU's to float rounding, NaN and inf included: both read the same taps
(zero weights too, as PyTorch does). float16/bfloat16 compute in float32, as the CPU does.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...frontend.recording import record
from ...frontend.tensor import Tensor
from ...kernels.cuda import resample as K
from ...kernels.cuda.common import view
from ...nn import upsample as UP
from . import native, runtime
from .elementwise import on_device
from .nn_windows import _on_device


def interpolate(
    input: Any,  # noqa: A002
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Any:
    if not isinstance(input, Tensor) or not on_device(input):
        return NotImplemented
    plan = UP.interpolation(input, size, scale_factor, mode, align_corners, recompute_scale_factor)
    return plan if isinstance(plan, Tensor) else resample(input, *plan)


def _rows(t: UP.Taps) -> tuple:
    """The device's copies of the taps ``t`` (cached by value: a training loop resizes the
    same shapes every step, one host-to-device copy each, once)."""
    dt = t.weights.dtype
    return (
        _on_device(t.ptr, np.int64),
        _on_device(t.cols, np.int64),
        _on_device(t.weights, dt),
        dt.type(0),
    )


def resample(x: Tensor, taps: list[UP.Taps], name: str) -> Tensor:
    """``taps[k]`` applied along spatial dim k (the trailing dims) as one node named
    ``name`` (the device's :func:`jitgrad.nn.upsample.resample_taps`)."""
    shape = list(x.shape)
    v = runtime.contiguous(x._value)
    first = len(shape) - len(taps)
    for k in reversed(range(len(taps))):
        axis, t = first + k, taps[k]
        outer, inner = math.prod(shape[:axis]), math.prod(shape[axis + 1 :])
        v = K.apply_rows(view(v, outer, shape[axis], inner), _rows(t), t.n_out)
        shape[axis] = t.n_out
    back = [UP.transposed(t) for t in taps]
    return record(name, view(v, *shape), x._dtype, (x,), lambda g: (resample(g, back, name),))


native.NATIVE.update(  # (read when the host fallback wraps the ops: after this import)
    {
        "interpolate": interpolate,
        # the deprecated alias as it is: it calls interpolate, which reaches the device op
        "upsample": UP.upsample,
    }
)
