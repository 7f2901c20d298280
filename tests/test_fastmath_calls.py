"""``kernels.cpu.fastmath_calls``: the fast-math functions typed once and inlined by LLVM must
compute what the Numba-inlined ones compute, bit for bit, and leave no call behind."""

import re

import numpy as np
import pytest
from numba import njit

from jitgrad.kernels.cpu import fastmath, fastmath_calls


def _loop(mod, name):
    fn = getattr(mod, name)

    @njit(error_model="numpy")
    def loop(x, out):
        for i in range(x.size):
            out[i] = fn(x[i])

    return loop


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_same_bits_as_the_numba_inlined_functions(dtype):
    rng = np.random.default_rng(0)
    x = rng.uniform(-60, 60, 20000).astype(dtype)
    x[:9] = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e6, -2e7, 1e-40, 700.0]
    bits = np.uint32 if dtype == "float32" else np.uint64
    suffix = "32" if dtype == "float32" else "64"
    for base in ("exp", "tanh", "sin", "cos"):
        name = base + suffix
        got, want = np.empty_like(x), np.empty_like(x)
        _loop(fastmath_calls, name)(x, got)
        _loop(fastmath, name)(x, want)
        assert np.array_equal(got.view(bits), want.view(bits)), name


def test_the_call_is_inlined_by_llvm():
    loop = _loop(fastmath_calls, "tanh32")
    loop(np.zeros(4, np.float32), np.zeros(4, np.float32))
    asm = loop.inspect_asm(loop.signatures[0])
    called = re.findall(r"call\w*\s+\*?(\S+)", asm) + re.findall(r"movabsq\s+\$(\w+)", asm)
    assert not [c for c in called if "tanh32" in c], "the subroutine is still called"
