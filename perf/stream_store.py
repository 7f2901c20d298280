"""Would non-temporal stores of the gradient speed up the tanh-GELU joint kernel? (No.)

    python perf/stream_store.py [--rounds 21]

A normal store of a line not in the cache first reads it from DRAM (read for ownership), so a
kernel that writes a 32 MB gradient moves 96 MB, not 64: a non-temporal store (``vmovntps``)
writes the line without reading it and without evicting the caches. LLVM's loop vectorizer
does not vectorize a loop whose element stores carry ``!nontemporal`` unless each store is
aligned to the whole vector, so the variants here compute each sub-block's gradient into an L1
scratch (jitgrad's own generated block function, unchanged) and copy it out as aligned
``<16 x float>`` stores (:func:`_copy16`, with and without the ``!nontemporal`` mark). The
pooled gradient is page-aligned (``jitgrad/memory.py`` maps it), so every 1024-element
sub-block is. (A kernel that kept them would also need an ``sfence`` before another thread
reads the gradient: non-temporal stores are weakly ordered; one thread here, none issued.)
Bits are the same in every variant (checked). Rows, one thread, CPU time
(``time.process_time``), interleaved rounds, median of per-round ratios to the floor
(``perf/impl_numba.py``):

* ``jitgrad kernel``: the joint kernel exactly as the step launches it;
* ``L1 scratch, plain copy`` / ``L1 scratch, nontemporal copy``: as above;
* ``scale x*c`` / ``scale x*c, nontemporal``: a loop with no arithmetic to hide the memory
  behind (``dx = x * c`` over the same 8M float32), the same two ways of storing.

perf/RESULTS.md, Run gelu17.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import llvmlite.ir as llir  # noqa: E402
import numba  # noqa: E402
import numpy as np  # noqa: E402
from numba import njit, types  # noqa: E402
from numba.core import cgutils  # noqa: E402
from numba.extending import intrinsic  # noqa: E402

import jitgrad  # noqa: E402
from jitgrad import memory  # noqa: E402
from jitgrad.fusion import chunked  # noqa: E402
from jitgrad.kernels.cpu import scalar as _k  # noqa: E402
from perf import impl_module, impl_numba, workloads  # noqa: E402

SUB = 1024  # jitgrad.fusion.block_render.SUB_BLOCK
BLOCK = 4096  # the joint kernel's block (its part_loss holds one sum per block)


def _copy_intrinsic(nontemporal: bool):
    @intrinsic
    def copy16(typingctx, src, dst, lo):
        """``dst[lo:lo + len(src)] = src`` as ``<16 x float>`` stores aligned to 64 bytes
        (``len(src)`` a multiple of 16, ``dst`` from ``lo`` 64-byte aligned)."""

        def codegen(context, builder, sig, args):
            s = context.make_array(sig.args[0])(context, builder, args[0])
            d = context.make_array(sig.args[1])(context, builder, args[1])
            vec = llir.VectorType(llir.FloatType(), 16)
            n = builder.extract_value(s.shape, 0)
            base = builder.gep(d.data, [args[2]])
            mark = builder.module.add_metadata([llir.Constant(llir.IntType(32), 1)])
            zero, step = llir.Constant(n.type, 0), llir.Constant(n.type, 16)
            with cgutils.for_range_slice(builder, zero, n, step) as (j, _):
                v = builder.load(
                    builder.bitcast(builder.gep(s.data, [j]), vec.as_pointer()), align=4
                )
                to = builder.bitcast(builder.gep(base, [j]), vec.as_pointer())
                store = builder.store(v, to, align=64)
                if nontemporal:
                    store.set_metadata("nontemporal", mark)
            return context.get_dummy_value()

        return types.none(src, dst, lo), codegen

    return copy16


_copy16, _nt_copy16 = _copy_intrinsic(False), _copy_intrinsic(True)


def _driver(blk, copy):
    """The generated joint kernel's block loop (``_gen_..._joint``), the gradient written to
    an L1 scratch by the generated block function ``blk`` and copied out by ``copy``."""

    @njit(error_model="numpy", nogil=True)
    def joint(g_, x0, add1_b, mul3_b, mul5_b, mul7_b, out0, loss, part_loss, lo_, hi_):
        n0 = x0.shape[0]
        scr_loss = np.empty(SUB, np.float32)
        scr_out = np.empty(SUB, np.float32)
        lanes_loss = np.empty(64, np.float32)
        for i_blk in range(lo_, hi_):
            blk_lo = i_blk * BLOCK
            blk_hi = min(blk_lo + BLOCK, n0)
            lanes_loss[:] = 0
            for sub_lo in range(blk_lo, blk_hi, SUB):
                m = min(sub_lo + SUB, blk_hi) - sub_lo
                xs, gs, ss = x0[sub_lo : sub_lo + m], scr_out[:m], scr_loss[:m]
                blk(g_, add1_b, mul3_b, mul5_b, mul7_b, xs, gs, ss, m)
                copy(gs, out0, sub_lo)
                _k.lanes_add(scr_loss[:m], lanes_loss)
            part_loss[i_blk] = _k.lanes_fold(lanes_loss, blk_hi - blk_lo, np.float64(0))

    return joint


@njit(error_model="numpy")
def _scale(x, dx, c):  # pragma: no cover - compiled
    for i in range(x.shape[0]):
        dx[i] = x[i] * c


def _scale_nt(copy):
    @njit(error_model="numpy")
    def scale(x, dx, c, scr):
        for lo in range(0, x.shape[0], SUB):
            xs = x[lo : lo + SUB]
            for j in range(SUB):
                scr[j] = xs[j] * c
            copy(scr, dx, lo)

    return scale


def _launch_args(step) -> tuple:
    """The arguments the step passes to its joint kernel's launcher, and the launcher."""
    seen: list = []
    call = chunked.Launcher.__call__

    def spy(self, *args):
        seen.append((self, args))
        return call(self, *args)

    chunked.Launcher.__call__ = spy
    try:
        step()
    finally:
        chunked.Launcher.__call__ = call
    return seen[-1]


def steps(inp: workloads.Inputs) -> dict:
    """The rows: name -> a call."""
    launcher, args = _launch_args(impl_module.gelu(jitgrad, inp))
    n = args[1].shape[0]
    assert n % SUB == 0 and args[6].ctypes.data % 64 == 0, "needs whole, aligned sub-blocks"
    module = launcher.dispatcher.py_func.__globals__
    blk = module[launcher.dispatcher.py_func.__name__ + "_blk"]
    parts = np.empty((n + BLOCK - 1) // BLOCK)
    x, dx = args[1], memory.empty((n,), np.dtype(np.float32))
    scr, c = np.empty(SUB, np.float32), np.float32(2)
    assert dx.ctypes.data % 64 == 0
    rows = {"floor": impl_numba.BUILDERS["gelu"](inp), "jitgrad kernel": lambda: launcher(*args)}
    launcher.dispatcher(*args, parts, 0, len(parts))  # the reference bits
    want = args[6].copy(), parts.copy()
    for name, copy in (("plain", _copy16), ("nontemporal", _nt_copy16)):
        joint = _driver(blk, copy)
        args[6][:] = 0
        joint(*args, parts, 0, len(parts))
        assert np.array_equal(args[6], want[0]) and np.array_equal(parts, want[1]), name
        rows[f"L1 scratch, {name} copy"] = lambda j=joint: j(*args, parts, 0, len(parts))
    rows["scale x*c"] = lambda: _scale(x, dx, c)
    scale_nt = _scale_nt(_nt_copy16)
    rows["scale x*c, nontemporal"] = lambda: scale_nt(x, dx, c, scr)
    for k in ("scale x*c", "scale x*c, nontemporal"):
        dx[:] = 0
        rows[k]()
        assert np.array_equal(dx, x * c), k
    return rows


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python perf/stream_store.py")
    p.add_argument("--rounds", type=int, default=21)
    a = p.parse_args(argv)
    numba.set_num_threads(1)
    inp = workloads.WORKLOADS["gelu"].inputs(quick=False)
    rows = steps(inp)
    cpu: dict[str, list[float]] = {k: [] for k in rows}
    for _ in range(3):
        for f in rows.values():
            f()
    for _ in range(a.rounds):
        for k, f in rows.items():
            c0 = time.process_time()
            f()
            cpu[k].append(time.process_time() - c0)
    print(f"gelu 8M float32, one thread, {a.rounds} rounds, load {os.getloadavg()[0]:.1f}")
    for k, v in cpu.items():
        r = statistics.median(c / f for c, f in zip(v, cpu["floor"], strict=True))
        print(f"  {k:32s} cpu median {statistics.median(v) * 1e3:7.3f} ms  / floor {r:5.3f}")


if __name__ == "__main__":
    main()
