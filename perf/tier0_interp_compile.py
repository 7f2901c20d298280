"""CPU seconds of tier 0's interpreters' compiles, per dtype family, and where they go.

    python perf/tier0_interp_compile.py [--nest] [float32 float64 int64 complex special]

Runs in this process with a fresh, empty ``JITGRAD_CACHE_DIR`` (set before jitgrad is
imported), so each interpreter compiles. Numba's one-time setup (its first compile of
anything) is paid first by a tiny function; then each interpreter's ``loop(dtype)`` is timed
in thread CPU, and Numba's own record of the compile is printed beside it: the time under the
compiler lock (the whole compile), the part under the LLVM lock (LLVM's optimizer and machine
code), Numba's slowest passes (typing, lowering to LLVM IR), and the size of the optimized IR
(functions and instructions: what LLVM had to work through). Why: the interpreter is one
function into which every op row's scalar code (the libm rows, erf, the special functions)
is inlined, so its compile is that of a kernel with a hundred bodies. ``special``: the float64
special rows' own function (:func:`jitgrad.fusion.tier0_libm.table_words`), built at the first
float64 program that uses one since Run t0interp19. ``--nest``: each Numba compile event of
0.1 CPU s or more under the build, indented by depth, with its thread CPU (callees included):
an overload compiled twice (e.g. once more for a literal argument) shows as two lines.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

os.environ["JITGRAD_CACHE_DIR"] = tempfile.mkdtemp(prefix="t0interp-")
os.environ.setdefault("JITGRAD_COMPILE_NOTICE", "0")

from numba import njit  # noqa: E402
from numba.core import event  # noqa: E402

from jitgrad.fusion import tier0_complex_interp as X  # noqa: E402
from jitgrad.fusion import tier0_interp as I  # noqa: E402
from jitgrad.fusion import tier0_libm as L  # noqa: E402


class _Nest(event.Listener):
    """(depth, thread CPU s, function, argument types) of each compile event, callees first."""

    def __init__(self) -> None:
        self.open: list[float] = []
        self.done: list[tuple[int, float, str, str]] = []

    def on_start(self, e: event.Event) -> None:
        self.open.append(time.thread_time())

    def on_end(self, e: event.Event) -> None:
        cpu = time.thread_time() - self.open.pop()
        fn = getattr(e.data.get("dispatcher"), "py_func", None)
        name = getattr(fn, "__qualname__", str(e.data.get("dispatcher")))
        self.done.append((len(self.open), cpu, name, str(e.data.get("args"))[:70]))


def _ir_size(dispatcher, sig) -> tuple[int, int]:
    """(functions defined, instruction lines) of the optimized LLVM IR of ``sig``."""
    ir = dispatcher.inspect_llvm(sig)
    lines = ir.splitlines()
    defs = sum(1 for line in lines if line.startswith("define "))
    insts = sum(1 for line in lines if line.startswith("  ") and not line.startswith("  ;"))
    return defs, insts


def measure(dtype: str, nest: bool) -> str:
    listener = _Nest()
    start = time.thread_time()
    with event.install_listener("numba:compile", listener):
        if dtype == "special":
            L.table_words()
            dispatcher = L.SPECIAL_TABLE
        elif dtype == "complex":
            dispatcher = X.loop(X.DTYPE)
        else:
            dispatcher = I.loop(dtype)
    cpu = time.thread_time() - start
    dispatcher = getattr(dispatcher, "dispatcher", dispatcher)
    if nest:
        for depth, t, name, args in listener.done:
            if t >= 0.1:
                print(f"  {'  ' * depth}{t:6.2f} {name} {args}")
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
    nest = "--nest" in sys.argv
    names = [a for a in sys.argv[1:] if a != "--nest"]
    for dtype in names or ["float32", "float64", "int64", "complex", "special"]:
        print(measure(dtype, nest), flush=True)


if __name__ == "__main__":
    main()
