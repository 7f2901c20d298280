"""Tier 0's loop: one pre-compiled Numba interpreter runs any generated elementwise kernel.

A :class:`jitgrad.fusion.codegen.KernelSpec` is a loop nest whose body is straight-line
scalar code. :mod:`.tier0` translates that body into rows of :data:`WIDTH` int32
(``[op, dst, x, y, z]``: registers, or an operand/output slot for the loads and stores) and
:func:`run` executes them over the loop nest, a chunk of :data:`CHUNK` innermost elements
per row, so a new kernel costs a translation (microseconds), not a Numba compile (0.1-0.9 s).
The loop is compiled once per dtype (float32, float64, int64) with one explicit signature and
cached on disk like every jitgrad kernel; the rows and what each computes are
:mod:`.tier0_eval`'s.

Bitwise equality with the compiled kernel: each op code computes what the generated source's
expression computes, with the same scalar functions (:mod:`jitgrad.kernels.cpu.fastmath`,
``_k.maximum``, numpy's scalar ``log``...) on values of the same dtype; booleans are held as
0/1 of that dtype (exact). Outputs are written in the compiled loop's order: stores and ``+=``
element by element in C order; a row accumulator (``ACCUMULATE_ROW``) and a full reduction
run in float64 and are narrowed once, as :func:`.codegen.render_source` does; a 1-D full
reduction is summed by blocks of ``codegen.REDUCE_BLOCK`` with ``lanes_sum`` on a fresh
C-contiguous block, as :func:`.codegen._blocked_reduction` does. (A NaN result may differ in
sign or payload: which operand's NaN an instruction passes on depends on the order LLVM puts
commutative operands in.) (Capture's tape interpreter,
:mod:`jitgrad.capture.interp`, works on whole ops over a flat arena; the specs here are
expressions, so this table is one level lower and is not shared.)

Operands are 4-D views (the loop's shape padded with leading 1s); unused slots get a dummy.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
from numba import njit, types

from ..helpers import debug_print
from ..kernels.cpu import scalar as _k
from ..kernels.cpu.jit import cached_njit, stamp_with
from . import tier0_eval as E
from . import tier0_libm
from .tier0_eval import *  # noqa: F403 - the op codes, read as tier0_interp.ADD by its users

#: Columns of a row; registers are rows of the (registers x CHUNK) scratch.
WIDTH = 5
#: Innermost elements per chunk: each row's loop runs over this many before the next row.
CHUNK = 256
#: Operand and output slots (a program with more runs in passes, :mod:`.tier0_passes`, which
#: left this signature, each narrow call and the build as they were). 8 outputs, not 4: fused
#: backwards of optimizers and gated cells write 5-7 (the corpus compiled 8 of them); the
#: wider signature did not change the build time (5.9-6.3 CPU s either way, Run t0cover).
N_IN, N_OUT = 8, 8


@njit
def _pick(k, s0, s1, s2, s3, s4, s5, s6, s7):  # pragma: no cover - compiled inline
    if k == 0:
        return s0
    if k == 1:
        return s1
    if k == 2:
        return s2
    if k == 3:
        return s3
    if k == 4:
        return s4
    if k == 5:
        return s5
    if k == 6:
        return s6
    return s7


def _run(ins, consts, shape_at, i0, i1, i2, i3, i4, i5, i6, i7, o0, o1, o2, o3, o4, o5, o6, o7):
    """Execute ``ins`` over the loop nest of the operand (``shape_at >= 0``: input slot) or
    output (``-1 - shape_at``) the shape is read from. Row 0 is a header: the register count,
    then the 1-D reduction block size (0: reductions run as one running float64 sum), then
    the special rows' address as two int32 words, low first (float64 programs that use them:
    :func:`.tier0_libm.table_words`)."""
    # (the slot as int32, as the rows' slots: one ``_pick`` overload per array type, not two)
    at = np.int32(shape_at) if shape_at >= 0 else np.int32(-1 - shape_at)
    src = _pick(at, i0, i1, i2, i3, i4, i5, i6, i7) if shape_at >= 0 else _pick(
        at, o0, o1, o2, o3, o4, o5, o6, o7)
    n0, n1, n2, n3 = src.shape
    nreg = ins[0, 1]
    block = ins[0, 2]
    table = (np.int64(ins[0, 4]) << 32) | (np.int64(ins[0, 3]) & 0xFFFFFFFF)  # tier0_libm's
    R = np.empty((nreg, CHUNK), i0.dtype)  # noqa: N806
    acc = np.zeros(N_OUT, np.float64)  # full reductions
    row = np.zeros(N_OUT, np.float64)  # row accumulators
    blk = np.empty((N_OUT, max(block, 1)), i0.dtype)  # a 1-D reduction's block of summands
    fill = 0
    for a0 in range(n0):
        for a1 in range(n1):
            for a2 in range(n2):
                row[:] = 0.0
                for lo in range(0, n3, CHUNK):
                    m = min(CHUNK, n3 - lo)
                    _chunk(ins, consts, R, m, a0, a1, a2, lo, row, blk, fill, block, table,
                           i0, i1, i2, i3, i4, i5, i6, i7,
                           o0, o1, o2, o3, o4, o5, o6, o7)  # fmt: skip
                    fill = _reduce_chunk(ins, R, m, acc, blk, fill, block, lo + m == n3, i0)
                _add_rows(ins, row, a0, a1, a2, n3, o0, o1, o2, o3, o4, o5, o6, o7)
    T = i0.dtype.type  # noqa: N806
    for r in range(1, ins.shape[0]):
        if ins[r, 0] == E.REDUCE:
            d = ins[r, 1]
            o = _pick(d, o0, o1, o2, o3, o4, o5, o6, o7)
            o[0, 0, 0, 0] += T(acc[d])


@njit(inline="always")
def _chunk(ins, consts, R, m, a0, a1, a2, lo, row, blk, fill, block, table,  # noqa: N803
           i0, i1, i2, i3, i4, i5, i6, i7, o0, o1, o2, o3, o4, o5, o6, o7):  # fmt: skip
    """Every row of ``ins`` on the ``m`` innermost elements from ``lo`` at outer index
    ``a0, a1, a2``: loads, constants and ops into the registers ``R``; stores and ``+=`` into
    the outputs; row sums into ``row``; a 1-D reduction's summands into ``blk`` from ``fill``."""
    T = i0.dtype.type  # noqa: N806
    zero = T(0)
    one = T(1)
    for r in range(1, ins.shape[0]):
        op = ins[r, 0]
        d = ins[r, 1]
        x = ins[r, 2]
        y = ins[r, 3]
        if op == E.LOAD:
            a = _pick(x, i0, i1, i2, i3, i4, i5, i6, i7)
            for j in range(m):
                R[d, j] = a[a0, a1, a2, lo + j]
        elif op == E.CONST:
            c = T(consts[x])
            for j in range(m):
                R[d, j] = c
        elif op < E.STORE:
            z = ins[r, 4]
            for j in range(m):
                R[d, j] = E.evaluate(op, R[x, j], R[y, j], R[z, j], zero, one, table)
        else:
            o = _pick(d, o0, o1, o2, o3, o4, o5, o6, o7)
            if op == E.STORE:
                for j in range(m):
                    o[a0, a1, a2, lo + j] = R[x, j]
            elif op == E.ACC:
                for j in range(m):
                    o[a0, a1, a2, lo + j] += R[x, j]
            elif op == E.ACC_ROW:
                s = row[d]
                for j in range(m):
                    s += R[x, j]
                row[d] = s
            elif block:  # E.REDUCE of a 1-D loop: by blocks, as compiled
                for j in range(m):
                    blk[d, fill + j] = R[x, j]


@njit(inline="always")
def _reduce_chunk(ins, R, m, acc, blk, fill, block, last, i0):  # noqa: N803
    """The full reductions' share of a chunk of ``m`` elements: a 1-D loop's (``block``)
    summands are added block by block with ``lanes_sum`` once a block is full or the loop
    ends (``last``); otherwise each is added to the running float64 sum ``acc``. Returns
    the filled length of the current block."""
    if block:
        fill += m
        if fill == block or last:
            for r in range(1, ins.shape[0]):
                if ins[r, 0] == E.REDUCE:
                    d = ins[r, 1]
                    part = np.empty(fill, i0.dtype)
                    for j in range(fill):
                        part[j] = blk[d, j]
                    lanes = np.empty(64, i0.dtype)  # scalar.LANES
                    acc[d] += _k.lanes_sum(part, lanes, np.float64(0))
            fill = 0
    else:
        for r in range(1, ins.shape[0]):
            if ins[r, 0] == E.REDUCE:
                d = ins[r, 1]
                s = acc[d]
                for j in range(m):
                    s += R[ins[r, 2], j]
                acc[d] = s
    return fill


@njit(inline="always")
def _add_rows(ins, row, a0, a1, a2, n3, o0, o1, o2, o3, o4, o5, o6, o7):
    """Each row accumulator's float64 sum, narrowed once, added to its output at
    ``[a0, a1, a2, 0]`` (none when the innermost extent is 0)."""
    T = o0.dtype.type  # noqa: N806
    for r in range(1, ins.shape[0] if n3 else 1):
        if ins[r, 0] == E.ACC_ROW:
            d = ins[r, 1]
            o = _pick(d, o0, o1, o2, o3, o4, o5, o6, o7)
            o[a0, a1, a2, 0] += T(row[d])


#: The loop per dtype, compiled by :func:`loop` (one explicit signature
#: each, then no more compiles: calls convert to it).
#: The register type per dtype, and the constants' (an int64 program's constants are int64:
#: a float64 would round those past 2**53).
TYPES = {
    "float32": (types.float32, types.float64), "float64": (types.float64, types.float64),
    "int64": (types.int64, types.int64),
}  # fmt: skip
stamp_with(__file__, E.__file__, tier0_libm.__file__)  # (the op table it compiles)
RUN = {dt: cached_njit(error_model="numpy", nogil=True)(_run) for dt in TYPES}

#: dtype -> the one signature its interpreter was compiled (or loaded) for.
SIGNATURES: dict[str, Any] = {}
_LOCK = threading.Lock()  # one thread compiles (or loads) an interpreter; the rest wait


def loop(dtype: str) -> Any:
    """The interpreter compiled for ``dtype`` (from the disk cache after the first time)."""
    dispatcher = RUN[dtype]
    dispatcher = getattr(dispatcher, "dispatcher", dispatcher)  # (JITGRAD_DEBUG's wrapper off)
    if dtype in SIGNATURES:
        return dispatcher
    with _LOCK:
        if dtype in SIGNATURES:
            return dispatcher
        t, c = TYPES[dtype]
        src, dst = types.Array(t, 4, "A", readonly=True), types.Array(t, 4, "A")
        ins = types.Array(types.int32, 2, "C")
        sig = types.void(ins, c[::1], types.int64, *[src] * N_IN, *[dst] * N_OUT)
        start = time.perf_counter()
        dispatcher.compile(sig)
        dispatcher.disable_compile()  # other layouts convert to the 'A' arrays of ``sig``
        seconds = time.perf_counter() - start
        debug_print(1, f"tier0 interpreter {dtype} ready in {seconds * 1e3:.1f} ms")
        SIGNATURES[dtype] = sig
    return dispatcher
