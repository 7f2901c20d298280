"""CUDA device functions with the names generated elementwise code calls (``_fm.exp32``,
``_k.maximum``): the CUDA renderer binds ``_fm`` and ``_k`` to this module, so the kernel
descriptions (:class:`jitgrad.fusion.codegen.KernelSpec`) stay backend-neutral.

The ``*32`` functions round back to float32 (CUDA's ``expf``; in the simulator ``math``
returns a Python float, and the cast keeps the simulator's values float32 too).
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda


@cuda.jit(device=True)
def exp32(x):
    return np.float32(math.exp(x))


@cuda.jit(device=True)
def exp64(x):
    return math.exp(x)


@cuda.jit(device=True)
def sin32(x):
    return np.float32(math.sin(x))


@cuda.jit(device=True)
def sin64(x):
    return math.sin(x)


@cuda.jit(device=True)
def cos32(x):
    return np.float32(math.cos(x))


@cuda.jit(device=True)
def cos64(x):
    return math.cos(x)


@cuda.jit(device=True)
def tanh32(x):
    return np.float32(math.tanh(x))


@cuda.jit(device=True)
def tanh64(x):
    return math.tanh(x)


@cuda.jit(device=True)
def maximum(a, b):  # NaN from either side propagates, like torch.maximum
    if a != a:
        return a
    if b != b:
        return b
    return a if a >= b else b


@cuda.jit(device=True)
def minimum(a, b):  # NaN from either side propagates, like torch.minimum
    if a != a:
        return a
    if b != b:
        return b
    return a if a <= b else b
