"""Where the tanh-GELU joint kernel's time goes: the generated loop with parts swapped.

    python perf/gelu_variants.py [--n 8388608] [--repeat 7]

Times, on one thread (``numba.set_num_threads(1)``; kernel only, min and median), the loop
jitgrad generates for ``mean(0.5*x*(1 + tanh(c*(x + a*x**3))))`` forward+backward
(transcribed from ``JITGRAD_DEBUG=3`` output with the same operations, blocked sum and all)
with: jitgrad's ``tanh32`` and no fast-math flags (what jitgrad runs), the same with the
block's loop compiled as a function of its own (its constants then stay in registers instead of
being reloaded in every iteration: ``--asm`` counts the loop's instructions), the whole kernel
under ``contract``, the floor's rational tanh without and with the floor's flags, a rational
evaluated in float64 (``perf/tanh_accuracy.tanh32_f64``: as accurate as PyTorch's tanh, which
``tanh32`` is not), the identity instead of tanh (the loop's memory traffic), and the floor
itself (``perf/impl_numba.py``). See perf/RESULTS.md, Runs R, Y and gelutanh.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import numba  # noqa: E402
import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

from jitgrad.kernels.cpu import fastmath as fm  # noqa: E402
from jitgrad.kernels.cpu import scalar as sk  # noqa: E402
from perf import impl_numba as IN  # noqa: E402
from perf.loop_asm import describe  # noqa: E402
from perf.tanh_accuracy import tanh32_f64  # noqa: E402

F = np.float32


@njit(inline="always")
def _identity(x):  # pragma: no cover - compiled
    return x


def make(flags, tanh, split=False):
    """The generated gelu joint kernel (serial, blocked sum) with ``tanh`` and ``flags``; with
    ``split`` the block's loop is a function of its own (called once per block) instead of
    being inlined into the block loop, as it is in the generated kernel."""

    @njit(error_model="numpy", fastmath=flags, inline="never" if split else "always")
    def block(g, bx, one, c, a, half, bo, bl):  # pragma: no cover - compiled
        for i in range(bx.shape[0]):
            x = bx[i]
            v7 = x * half
            v5 = ((x * x) * x) * a
            v3 = (x + v5) * c
            t = tanh(v3)
            v1 = t + one
            d0a = g * v1
            d3 = (g * v7) * (np.float32(1) - t * t) * c
            d6 = (d3 * a) * (np.float32(3) * (x * x))  # cube's derivative since Run gelu15
            bo[i] = d3 + d6 + d0a * half
            bl[i] = v7 * v1

    @njit(error_model="numpy", fastmath=flags)
    def kernel(g, x0, one, c, a, half, out0, loss):  # pragma: no cover - compiled
        n0 = x0.shape[0]
        n_blk = (n0 + 4095) // 4096
        part = np.empty(n_blk, np.float64)
        for i_blk in range(n_blk):
            lo = i_blk * 4096
            hi = min(lo + 4096, n0)
            bl = np.empty(hi - lo, np.float32)
            block(g, x0[lo:hi], one, c, a, half, out0[lo:hi], bl)
            part[i_blk] = sk.fold_sum(bl, np.float64(0))
        acc = np.float64(0)
        for i_blk in range(n_blk):
            acc += part[i_blk]
        loss[0] += np.float32(acc)

    return kernel


def main() -> None:
    p = argparse.ArgumentParser(prog="python perf/gelu_variants.py")
    p.add_argument("--n", type=int, default=8 * 1024 * 1024)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--asm", action="store_true", help="count each variant's loop instructions")
    args = p.parse_args()
    x = np.random.default_rng(0).standard_normal(args.n).astype(F)
    out, loss = np.empty_like(x), np.zeros(1, F)
    call = (F(1 / args.n), x, F(1), F(0.7978845608), F(0.044715), F(0.5), out, loss)
    variants = {}
    for name, flags, tanh in [
        ("jitgrad tanh32, no flags (generated)", False, fm.tanh32),
        ("tanh32, the block's loop a function", "split", fm.tanh32),
        ("tanh32, contract", {"contract"}, fm.tanh32),
        ("rational tanh, no flags", False, IN.rtanh32),
        ("rational tanh, reassoc+contract+arcp", IN.FLAGS, IN.rtanh32),
        ("float64 rational tanh (tanh32_f64), no flags", False, tanh32_f64),
        ("identity for tanh (memory traffic)", False, _identity),
    ]:
        split = flags == "split"
        k = make(False if split else flags, tanh, split)
        k(*call)
        variants[name] = lambda k=k: k(*call)
        if args.asm:
            describe(name, k.inspect_asm(k.signatures[0]), False, top=1)
    numba.set_num_threads(1)
    floor = IN.gelu({"x": x})
    floor()
    variants["the floor (impl_numba.gelu)"] = floor
    times: dict[str, list[float]] = {k: [] for k in variants}
    cpu: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(args.repeat):  # interleaved
        for name, f in variants.items():
            t0, c0 = time.perf_counter(), time.process_time()
            f()
            times[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    print(f"n={args.n}, one thread, load average {os.getloadavg()}")
    for name, ts in times.items():
        print(
            f"  {name:40s} min {min(ts) * 1e3:7.2f} ms  median {np.median(ts) * 1e3:7.2f} ms"
            f"  CPU median {np.median(cpu[name]) * 1e3:7.2f} ms"
        )


if __name__ == "__main__":
    main()
