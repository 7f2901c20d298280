"""CPU seconds of tier 0's interpreters' compiles, per dtype family, and where they go.

    python perf/tier0_interp_compile.py [float32 float64 int64 complex]

Runs in this process with a fresh, empty ``JITGRAD_CACHE_DIR`` (set before jitgrad is
imported), so each interpreter compiles. Numba's one-time setup (its first compile of
anything) is paid first by a tiny function; then each interpreter's ``loop(dtype)`` is timed
in thread CPU, and Numba's own record of the compile is printed beside it: the time under the
compiler lock (the whole compile), the part under the LLVM lock (LLVM's optimizer and machine
code), Numba's slowest passes (typing, lowering to LLVM IR), and the size of the optimized IR
(functions and instructions: what LLVM had to work through). Why: the interpreter is one
function into which every op row's scalar code (the libm rows, erf, the special functions)
is inlined, so its compile is that of a kernel with a hundred bodies.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

os.environ["JITGRAD_CACHE_DIR"] = tempfile.mkdtemp(prefix="t0interp-")
os.environ.setdefault("JITGRAD_COMPILE_NOTICE", "0")

from numba import njit  # noqa: E402

from jitgrad.fusion import tier0_complex_interp as X  # noqa: E402
from jitgrad.fusion import tier0_interp as I  # noqa: E402


def _ir_size(dispatcher, sig) -> tuple[int, int]:
    """(functions defined, instruction lines) of the optimized LLVM IR of ``sig``."""
    ir = dispatcher.inspect_llvm(sig)
    lines = ir.splitlines()
    defs = sum(1 for line in lines if line.startswith("define "))
    insts = sum(1 for line in lines if line.startswith("  ") and not line.startswith("  ;"))
    return defs, insts


def measure(dtype: str) -> str:
    mod = X if dtype == "complex" else I
    start = time.thread_time()
    dispatcher = mod.loop(X.DTYPE if dtype == "complex" else dtype)
    cpu = time.thread_time() - start
    (sig,) = dispatcher.overloads
    meta = dispatcher.get_metadata(sig)
    timers = meta.get("timers", {})
    passes = meta.get("pipeline_times", {}).get("nopython", {})
    top = sorted(passes.items(), key=lambda kv: -kv[1].run)[:3]
    names = ", ".join(f"{name.split('_', 1)[1]} {t.run:.2f}" for name, t in top)
    defs, insts = _ir_size(dispatcher, sig)
    return (f"{dtype}: {cpu:.2f} s cpu; compiler lock {timers.get('compiler_lock', 0):.2f} s "
            f"wall, llvm lock {timers.get('llvm_lock', 0):.2f}; passes: {names}; "
            f"IR {defs} functions, {insts} instructions")  # fmt: skip


def main() -> None:
    njit(lambda x: x + 1)(1.0)  # (Numba's first-compile setup, paid by every process)
    for dtype in sys.argv[1:] or ["float32", "float64", "int64", "complex"]:
        print(measure(dtype), flush=True)


if __name__ == "__main__":
    main()
