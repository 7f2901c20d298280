"""``F.interpolate`` (and its ``upsample`` alias) on device tensors.

This ran through the host fallback. The CPU op plans it (:func:`jitgrad.nn.upsample.
interpolation`: its checks, output sizes and one ``(out, in)`` weight matrix per spatial dim,
the node's name); here the device applies those matrices with one kernel per dim
(:func:`jitgrad.kernels.cuda.resample.apply_rows`, each matrix in compressed rows: at most
four taps an output), last dim first as the CPU's matmuls do, and records the CPU's node
(``UpsampleBilinear2DBackward0`` ...). Its backward is the same kernel over the transposed
matrices, a gather with no atomics (deterministic, where PyTorch's CUDA scatter is not), and
is recorded again under the same name, so ``create_graph`` works as on the CPU. ``area`` is an
adaptive average pool, which reaches the device pools.

Values equal the CPU's to float rounding (the CPU's dense matmul adds the zero weights too,
so a NaN or inf input spreads along its whole row there; here, as in PyTorch, only to the
outputs that read it). float16/bfloat16 compute in float32, as the CPU's matrices do.
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


def _rows(m: np.ndarray) -> tuple:
    """The device's compressed rows of the host matrix ``m`` (cached by value: a training
    loop resizes the same shapes every step, one host-to-device copy each, once)."""
    r, c = np.nonzero(m)  # (row-major: columns ascending within a row)
    ptr = np.searchsorted(r, np.arange(m.shape[0] + 1))
    weights = m[r, c]
    return (
        _on_device(ptr, np.int64),
        _on_device(c, np.int64),
        _on_device(weights, m.dtype),
        m.dtype.type(0),
    )


def resample(x: Tensor, mats: list[np.ndarray], name: str) -> Tensor:
    """``mats[k]`` (out x in) applied along spatial dim k (the trailing dims) as one node
    named ``name`` (the device's :func:`jitgrad.nn._functional_pool3d.resample`)."""
    shape = list(x.shape)
    v = runtime.contiguous(x._value)
    first = len(shape) - len(mats)
    for k in reversed(range(len(mats))):
        axis, m = first + k, mats[k]
        outer, inner = math.prod(shape[:axis]), math.prod(shape[axis + 1 :])
        v = K.apply_rows(view(v, outer, shape[axis], inner), _rows(m), m.shape[0])
        shape[axis] = m.shape[0]
    back = [np.ascontiguousarray(m.T) for m in mats]
    return record(name, view(v, *shape), x._dtype, (x,), lambda g: (resample(g, back, name),))


native.NATIVE.update(  # (read when the host fallback wraps the ops: after this import)
    {
        "interpolate": interpolate,
        # the deprecated alias as it is: it calls interpolate, which reaches the device op
        "upsample": UP.upsample,
    }
)
