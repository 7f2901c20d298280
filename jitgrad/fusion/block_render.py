"""A blocked reduction's per-block loop as a generated function of its own.

:func:`.codegen._blocked_reduction` runs a 1-D loop with a full reduction block by block. With
the element loop written inside the block loop, two things went wrong in the compiled code:

* the vectorized loop calls the masked libm fallback of ``sin32``/``cos32`` (see
  :mod:`jitgrad.kernels.cpu.fastmath_base`) in every iteration, and a call clobbers every vector
  register: the chain workload's loop spilled and reloaded ~35 vectors and rematerialized ~60
  constants around its two calls per 16 elements. Numba optimizes a function's final module
  once, and the vectorizer creates that call after the inliner has run, so it stays a call.
  A callee function is vectorized when its own library is finalized and optimized *again* in
  the caller's module, where the inliner inlines the variant: its "no lane out of range" test
  then sits in the loop and the libm calls in a cold branch. The chain joint kernel alone, one
  thread, 4M elements, CPU time: 20.9 -> 13.0 ms (the hand-written floor: 11.6);
* any enclosing loop made LLVM reload tanh32's constants in every iteration (gelu: 62 -> 55
  instructions per 16 elements; no measurable change in time).

The block function takes the scalars, the compacted operands, the block's slices and its
length; the values it computes are the same operations in the same order (bitwise the same
results: ``tests/test_chunked_launch.py``).

A float summand is also added into a running sum that nobody reads (``ilv_``, through
:func:`jitgrad.kernels.cpu.scalar.interleave_hint`, a ``reassoc`` add). LLVM's loop vectorizer
interleaves a vectorized loop (several vectors per iteration, their instructions alternated)
only when the loop has a reduction; a loop that only stores runs one vector per iteration.
tanh-GELU's body (``tanh32``, a division) then waits on its own dependency chain: the block
loop took 4.8 us per 4096 elements where the same loop with a running sum took 3.5 (one
thread, in L1). The hint makes the loop a reduction loop (LLVM interleaved it 4x); the value
is dropped, so the stored summands and the block sums (``fold_sum`` over the scratch, the
order tier 0 and capture share) are unchanged, bit for bit (perf/RESULTS.md, Run floor11).
"""

from __future__ import annotations

#: Summand dtypes given the interleave hint (a ``reassoc`` add means something for floats only;
#: LLVM interleaves integer reductions anyway).
HINTED = ("float32", "float64")


def block_function(
    name: str, params: list[str], body: list[str], flags: str, summand: tuple = ()
) -> list[str]:
    """Source lines of ``name(params..., n_)``: ``for i0 in range(n_):`` over ``body`` (lines
    indented for that loop), decorated like the kernel (``flags``). ``summand``: the
    ``(local, dtype)`` of a reduced value, added into the discarded interleave hint when its
    dtype is in :data:`HINTED` (module docstring)."""
    hint = len(summand) == 2 and summand[1] in HINTED
    lines = [f"@cached_njit({flags})", f"def {name}({', '.join([*params, 'n_'])}):"]
    lines += [f"    ilv_ = np.{summand[1]}(0)"] if hint else []
    lines += ["    for i0 in range(n_):", *body]
    if hint:
        local, dt = summand
        lines += [f"        ilv_ = _k.interleave_hint(ilv_, np.{dt}({local}))", "    return ilv_"]
    return [*lines, "", ""]
