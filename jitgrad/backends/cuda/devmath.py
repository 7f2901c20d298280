"""CUDA device functions with the names generated elementwise code calls (``_fm.exp32``,
``_k.maximum``, ``_k.digamma``): the CUDA renderer binds ``_fm`` and ``_k`` to this module,
so the kernel descriptions (:class:`jitgrad.fusion.codegen.KernelSpec`) stay
backend-neutral. Only the transcendental ``_fm`` functions differ from the CPU's (which are
vectorizable polynomial versions); the rest are the CPU helpers compiled for the device.

The ``*32`` functions round back to float32 (CUDA's ``expf``; in the simulator ``math``
returns a Python float, and the cast keeps the simulator's values float32 too).
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda

from ...kernels.cpu import scalar as _scalar


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


def _device(fn):
    """The CPU scalar helper ``fn`` (an ``@njit`` function) compiled from the same Python
    source as a CUDA device function: one definition serves both targets."""
    return cuda.jit(device=True)(fn.py_func)


# NaN-propagating max/min (torch.maximum/minimum) and the special functions that generated
# kernels call as ``_k.<name>``: jitgrad.kernels.cpu.scalar's, compiled for the device.
maximum = _device(_scalar.maximum)
minimum = _device(_scalar.minimum)
for _name in _scalar.SPECIAL:
    globals()[_name] = _device(getattr(_scalar, _name))
