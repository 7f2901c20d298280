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
"""

from __future__ import annotations


def block_function(name: str, params: list[str], body: list[str], flags: str) -> list[str]:
    """Source lines of ``name(params..., n_)``: ``for i0 in range(n_):`` over ``body`` (lines
    indented for that loop), decorated like the kernel (``flags``)."""
    return [
        f"@cached_njit({flags})",
        f"def {name}({', '.join([*params, 'n_'])}):",
        "    for i0 in range(n_):",
        *body,
        "",
        "",
    ]
