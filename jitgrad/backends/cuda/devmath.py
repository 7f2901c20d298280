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
import types

import numpy as np
from numba import cuda
from numba.cuda import libdevice as _ld  # (importable in the simulator too)

from ... import lowp
from ...kernels.cpu import complex_inverse as _complex_inverse
from ...kernels.cpu import scalar as _scalar
from ...kernels.cuda import optim as _cuda_optim
from .devcomplex import (  # noqa: F401 - generated kernels call them as _k.<name>_complex64
    cos_complex64,
    cosh_complex64,
    exp_complex64,
    log_complex64,
    pow_complex64,
    pow_complex128,
    sgn_complex64,
    sin_complex64,
    sinh_complex64,
    sqrt_complex64,
    tanh_complex64,
)
from .pool import SIMULATOR

# complex acos (complex128), acosh, atan, atanh: the CPU's functions compiled for the device
# (jitgrad.kernels.cpu.complex_inverse; Numba's cmath on the CUDA target, computing in float64
# for complex64 too: no float32 versions written yet)
_inverse = {n: cuda.jit(device=True)(f) for n, f in _complex_inverse.FUNCTIONS.items()}
globals().update(_inverse)  # asin_complex64 ... atanh_complex128: the names kernels call

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
fma = _cuda_optim._fma  # cuda.fma (one rounding, as the CPU's llvm.fma)
minimum = _device(_scalar.minimum)
sgn = _device(_scalar.sgn)
_cdiv = _device(_scalar._cdiv)


def _device_calling(fn, **callees):
    """``_device(fn)`` for a helper that calls other helpers: its Python source bound to
    their device versions (its own globals name the CPU's ``@njit`` ones)."""
    py = fn.py_func
    env = {**py.__globals__, **callees}
    return cuda.jit(device=True)(types.FunctionType(py.__code__, env, py.__name__))


# complex division as numpy and c10::complex (a zero divisor gives inf/nan, never raises)
cdiv_complex64 = _device_calling(_scalar.cdiv_complex64, _cdiv=_cdiv)
cdiv_complex128 = _device_calling(_scalar.cdiv_complex128, _cdiv=_cdiv)
for _name in _scalar.SPECIAL:
    globals()[_name] = _device(getattr(_scalar, _name))


# ---- the numpy ufuncs the CUDA targets do not lower -------------------------------------------
# The shared statement vocabulary calls numpy ufuncs on scalars (``np.sqrt(x_)``). Neither CUDA
# target compiles these in a kernel: numba 0.68's fails them with "Use of unsupported NumPy
# function 'numpy.sqrt'", numba-cuda 0.30's with "KeyError: <ufunc 'sqrt'>" (its ufunc table
# covers trig, logs and comparisons only; measured by compiling every kernel the device tests
# launch, tests/cuda_sim/ptx_generated.py). The simulator runs kernels as Python and never
# noticed. The renderer (:func:`.render.device_stmts`) calls ``_k.<name>32`` / ``_k.<name>64``
# instead: libdevice's float and double versions, named per width because a device function
# cannot pick a typed constant or an overload by its argument's type. In the simulator they
# are numpy's ufuncs.
UFUNCS = "sqrt trunc floor ceil round expm1 log1p exp2 fmod isnan isinf isfinite sign".split()

if SIMULATOR:
    for _name in UFUNCS:
        _ufunc = getattr(np, "rint" if _name == "round" else _name)
        globals()[_name + "32"] = globals()[_name + "64"] = _ufunc

    def _torch_sign(x):  # PyTorch's sign: 0 for NaN and for -0.0 (np.sign passes both on)
        a = np.asarray(x)
        return ((a > 0).astype(a.dtype) - (a < 0).astype(a.dtype))[()]

    sign32 = sign64 = _torch_sign
else:

    def _unary(f32, f64):
        return cuda.jit(device=True)(lambda x: f32(x)), cuda.jit(device=True)(lambda x: f64(x))

    sqrt32, sqrt64 = _unary(_ld.sqrtf, _ld.sqrt)
    trunc32, trunc64 = _unary(_ld.truncf, _ld.trunc)
    floor32, floor64 = _unary(_ld.floorf, _ld.floor)
    ceil32, ceil64 = _unary(_ld.ceilf, _ld.ceil)
    round32, round64 = _unary(_ld.rintf, _ld.rint)  # np.round: halves to even, as rint
    expm132, expm164 = _unary(_ld.expm1f, _ld.expm1)
    log1p32, log1p64 = _unary(_ld.log1pf, _ld.log1p)
    exp232, exp264 = _unary(_ld.exp2f, _ld.exp2)

    @cuda.jit(device=True)
    def fmod32(x, y):
        return _ld.fmodf(x, y)

    @cuda.jit(device=True)
    def fmod64(x, y):
        return _ld.fmod(x, y)

    @cuda.jit(device=True)
    def isnan32(x):  # (numba-cuda lowers np.isnan, numba's own CUDA target does not)
        return _ld.isnanf(x) != 0

    @cuda.jit(device=True)
    def isnan64(x):
        return _ld.isnand(x) != 0

    @cuda.jit(device=True)
    def isinf32(x):
        return _ld.isinff(x) != 0

    @cuda.jit(device=True)
    def isinf64(x):
        return _ld.isinfd(x) != 0

    @cuda.jit(device=True)
    def isfinite32(x):
        return _ld.finitef(x) != 0

    @cuda.jit(device=True)
    def isfinite64(x):
        return _ld.isfinited(x) != 0

    @cuda.jit(device=True)
    def sign32(x):  # PyTorch's sign: +-1, and +0 for a zero of either sign and for NaN
        if x > 0:
            return np.float32(1)
        if x < 0:
            return np.float32(-1)
        return np.float32(0)

    @cuda.jit(device=True)
    def sign64(x):
        if x > 0:
            return np.float64(1)
        if x < 0:
            return np.float64(-1)
        return np.float64(0)


# float16/bfloat16 values are float32 values the type can hold (jitgrad.lowp); a fused device
# chain computes each op in float32 and rounds its result with these, as the CPU rounds each
# eager op's result (round to nearest, ties to even; bfloat16's NaN is c10's quiet NaN).
if SIMULATOR:

    def round_bfloat16(x):
        return lowp.round_bfloat16(np.array([x], np.float32))[0]

    def round_float16(x):
        with np.errstate(over="ignore"):  # overflow to inf is the rounding's answer
            return np.float32(np.float16(np.float32(x)))
else:

    @cuda.jit(device=True)
    def round_bfloat16(x):
        if _ld.isnanf(x) != 0:
            return _ld.int_as_float(np.int32(0x7FC00000))
        bits = np.uint32(_ld.float_as_int(x))
        bits = (bits + np.uint32(0x7FFF) + ((bits >> 16) & np.uint32(1))) & np.uint32(0xFFFF0000)
        return _ld.int_as_float(np.int32(bits))

    @cuda.jit(device=True)
    def round_float16(x):
        return _ld.half2float(_ld.float2half_rn(x))
