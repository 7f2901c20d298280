"""The inner loop of :func:`.scalar.lanes_sum`: add the rows of 64 summands into 64 lanes.

``add_rows(x, lanes, rows)`` does ``lanes[l] = lanes[l] + x[64 * j + l]`` for ``j`` in
``range(rows)``, in increasing ``j``, for every lane ``l``: the 64-lane order, nothing
reordered. Written as that loop in Numba, ``lanes`` lives in memory (LLVM cannot tell that it
does not overlap ``x``), so every row loads the lanes back from the store before it: a chain
of store-to-load forwards: 0.31 us per 4096 float32 in L1, 2048 of them in an 8M tanh-GELU
step whose hand-written floor takes 4.3 ms. For a C-contiguous float32 or float64 ``x`` the
loop is instead emitted here as LLVM IR whose accumulator is one ``<64 x float>`` value in a
stack slot that LLVM promotes to registers (four AVX-512 or eight AVX2 vectors): 0.11 us per
4096 float32; tanh-GELU's kernel 1.57 -> 1.53 the floor (perf/RESULTS.md, Run gelu13). A
vector ``fadd`` adds lane by lane with IEEE rounding (no fast-math flags), so the bits are
those of the loop above on any machine; other dtypes and layouts run that loop.
"""

from __future__ import annotations

import llvmlite.ir as llir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, overload

#: Lanes per row (the order's width; :data:`.scalar.LANES`).
WIDTH = 64


def _vectorizable(x, lanes) -> bool:
    return (
        isinstance(x, types.Array)
        and x.ndim == 1
        and x.layout == "C"
        and x.dtype in (types.float32, types.float64)
        and isinstance(lanes, types.Array)
        and lanes.layout == "C"
        and lanes.dtype == x.dtype
    )


@intrinsic
def _vector_rows(typingctx, x, lanes, rows):
    """``add_rows`` for C-contiguous float arrays: the lanes loaded as one vector, ``rows``
    rows of ``x`` added to it in order, the vector stored back."""
    if not (_vectorizable(x, lanes) and isinstance(rows, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        xa = context.make_array(signature.args[0])(context, builder, args[0])
        la = context.make_array(signature.args[1])(context, builder, args[1])
        vec = llir.VectorType(context.get_data_type(signature.args[0].dtype), WIDTH)
        align = signature.args[0].dtype.bitwidth // 8
        lanes_ptr = builder.bitcast(la.data, vec.as_pointer())
        acc = cgutils.alloca_once(builder, vec)  # an entry-block slot: promoted to registers
        builder.store(builder.load(lanes_ptr, align=align), acc)
        n = context.cast(builder, args[2], signature.args[2], types.intp)
        with cgutils.for_range(builder, n) as loop:
            start = builder.mul(loop.index, llir.Constant(loop.index.type, WIDTH))
            row_ptr = builder.bitcast(builder.gep(xa.data, [start]), vec.as_pointer())
            builder.store(builder.fadd(builder.load(acc), builder.load(row_ptr, align=align)), acc)
        builder.store(builder.load(acc), lanes_ptr, align=align)
        return context.get_dummy_value()

    return types.none(x, lanes, rows), codegen


def add_rows(x, lanes, rows):  # pragma: no cover - replaced by the overload inside Numba
    """Add rows ``0 .. rows-1`` of 64 summands of ``x`` into ``lanes``, lane by lane in row
    order (the module docstring); callable from compiled code only."""
    raise NotImplementedError("add_rows runs inside Numba-compiled code")


@overload(add_rows, jit_options={"error_model": "numpy"})
def _add_rows(x, lanes, rows):
    if _vectorizable(x, lanes):
        return lambda x, lanes, rows: _vector_rows(x, lanes, rows)

    def loop(x, lanes, rows):  # the same order, lanes kept in memory
        for j in range(0, rows * WIDTH, WIDTH):
            row = x[j : j + WIDTH]
            for lane in range(WIDTH):
                lanes[lane] = lanes[lane] + row[lane]

    return loop
