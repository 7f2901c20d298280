"""float16 and bfloat16 values held in float32 buffers: the rounding and the bit conversions.

A half or bfloat16 tensor stores its elements in a float32 array whose every value is exactly
representable in the narrow type. PyTorch's CPU kernels compute a reduced-precision op in
float32 ("opmath") and round the result to the storage type after each op; keeping the values
in float32 lets every existing float32 kernel serve as that opmath computation, and
:func:`round_float16` / :func:`round_bfloat16` are the rounding (round to nearest, ties to
even, as ``c10::Half`` and ``c10::BFloat16`` convert). The bit forms (``numpy.float16``, the
raw ``uint16`` of a bfloat16) are what leaves jitgrad: ``.numpy()``, saved files.

This module imports nothing from jitgrad, so :mod:`jitgrad.dtypes` can hold its functions.
"""

from __future__ import annotations

import numpy as np

_BF16_NAN = np.uint32(0x7FC00000)  # c10::BFloat16's NaN (positive, quiet) as float32 bits
#: The rounding of a device array, ``fn(array, "float16" | "bfloat16")`` (in place, returns
#: the array): the CUDA backend sets it when it activates, so a device op's result is rounded
#: where the CPU's is, in ``_make`` (reductions, matmul, softmax, norms: kernels that compute
#: in float32 and store the float32 value). None: other values pass through.
DEVICE: list = [None]


def round_float16(a: np.ndarray) -> np.ndarray:
    """``a`` (float32) with each element rounded to the nearest float16, in place where
    ``a`` is writeable (a broadcast view is not, and holds rounded values already)."""
    if type(a) is not np.ndarray:  # a pending value: rounded where it is made
        return a if DEVICE[0] is None else DEVICE[0](a, "float16")
    if a.dtype != np.float32:
        a = a.astype(np.float32)
    with np.errstate(over="ignore"):  # overflow to inf is the rounding's answer
        r = a.astype(np.float16)
    if not a.flags.writeable:
        return r.astype(np.float32)
    np.copyto(a, r)
    return a


def round_bfloat16(a: np.ndarray) -> np.ndarray:
    """``a`` (float32) with each element rounded to the nearest bfloat16 (the upper 16 bits
    of a float32, round half to even on the lower 16; NaN becomes c10's quiet NaN)."""
    if type(a) is not np.ndarray:
        return a if DEVICE[0] is None else DEVICE[0](a, "bfloat16")
    if a.dtype != np.float32:
        a = a.astype(np.float32)
    if not a.flags.writeable:
        a = a.copy()
    bits = a.view(np.uint32)
    nan = np.isnan(a)
    rounded = (bits + (np.uint32(0x7FFF) + ((bits >> 16) & np.uint32(1)))) & np.uint32(0xFFFF0000)
    np.copyto(bits, np.where(nan, _BF16_NAN, rounded))
    return a


def bfloat16_bits(a: np.ndarray) -> np.ndarray:
    """The ``uint16`` bit patterns of float32 ``a``'s values rounded to bfloat16."""
    return (round_bfloat16(np.array(a, np.float32)).view(np.uint32) >> 16).astype(np.uint16)


def from_bfloat16_bits(bits: np.ndarray) -> np.ndarray:
    """float32 values of bfloat16 bit patterns (exact: the patterns' upper half)."""
    return (np.asarray(bits).astype(np.uint32) << 16).view(np.float32)
