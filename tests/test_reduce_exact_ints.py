"""Integer sum/prod/cumsum of one wrapping dtype run by NumPy (``exact_in_numpy``): the same
bits as the kernels' own loops, and no compile of them. The reference is each kernel's Python
source (``py_func``) run on the same arrays: its NumPy scalars wrap as the compiled code's do,
so the check costs no compile (perf/RESULTS.md, Run porttime18)."""

from __future__ import annotations

import numpy as np
import pytest
from fresh_process import run_fresh

import jitgrad
from jitgrad.kernels.cpu import reduce_softmax as RS
from jitgrad.kernels.cpu import reduce_sum as RSUM
from jitgrad.kernels.cpu.reduce_leaves import exact_in_numpy

RNG = np.random.default_rng(18)


#: narrow dtypes wrap the most; int64 is checked against the compiled kernels by
#: perf/reduce_bits.py (each dtype here compiles the loops' njit helpers: ~1 CPU s)
@pytest.mark.parametrize("dtype", ["uint8", "int16"])
def test_integer_sum_prod_cumsum_match_the_kernels_loops(dtype: str) -> None:
    info = np.iinfo(dtype)
    x3 = RNG.integers(info.min, info.max, (2, 9, 3), dtype=dtype, endpoint=True)  # wraps
    for numpy_way, loop, shape in (
        (RSUM.sum_fwd, lambda x, o: RSUM.sum_sq_fwd.py_func(x, o, RSUM._NO, o), (2, 3)),
        (RSUM.prod_fwd, RSUM._prod_rows.py_func, (2, 3)),
        (RS.cumsum_fwd, lambda x, o: RS.cumsum_dir.py_func(x, RS._NO, o), x3.shape),
    ):
        got, want = np.empty(shape, dtype), np.empty(shape, dtype)
        numpy_way(x3, got)
        with np.errstate(over="ignore"):
            loop(x3, want)
        assert got.tobytes() == want.tobytes(), numpy_way


def test_exact_in_numpy_takes_integers_only() -> None:
    dt = np.dtype
    assert exact_in_numpy(dt("uint8"), dt("uint8")) and exact_in_numpy(dt("bool"), dt("int64"))
    assert not exact_in_numpy(dt("float32"), dt("float32"))
    assert not exact_in_numpy(dt("uint64"), dt("int64"))  # not exact: the kernel's path
    assert not exact_in_numpy(dt("int64"), dt("uint8"))


def test_narrow_integer_reductions_compile_no_kernel() -> None:
    run_fresh("test_reduce_exact_ints", "narrow_integer_reductions")


def narrow_integer_reductions() -> None:
    """(in a fresh process: other tests call these kernels with integers on purpose)"""
    x = jitgrad.tensor([[255, 2, 1], [5, 3, 6]], dtype=jitgrad.uint8)
    assert x.sum(0, dtype=jitgrad.uint8).tolist() == [4, 5, 7]  # PyTorch's wrapped values
    assert x.prod(1, dtype=jitgrad.uint8).tolist() == [254, 90]
    assert x.prod(dtype=jitgrad.uint8).item() == (255 * 2 * 5 * 3 * 6) % 256
    assert jitgrad.cumsum(x, 1, dtype=jitgrad.int16).tolist() == [[255, 257, 258], [5, 8, 14]]
    for kernel in (RSUM.sum_sq_fwd, RSUM._prod_rows, RS.cumsum_dir):
        assert not [s for s in kernel.overloads if "int" in str(s[0])], kernel
