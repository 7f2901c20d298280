"""One complex elementwise op and a 3-op complex chain at 1M complex64 elements, forward
(the result read, so a deferred chain runs): CPU seconds per iteration, median of the runs.

    python perf/ab.py --a /tmp/complexdecl-base --b . --reps 5 \
        --pattern "chain3 cpu_us ([0-9.]+)" -- perf/bench_complex.py

Prints ``mul cpu_us <x> wall_us <y>`` and the same for ``chain3`` (process CPU time: what the
busy machine distorts least, though it counts both threads of a parallel kernel; wall time).
On main a complex op was one numpy ufunc, never fused; now the declarations' complex forms
are lowered and fused like real ones.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import jitgrad

N = 1_000_000


def _us(fn, reps: int = 21) -> tuple[float, float]:
    """Median process CPU time and median wall time of ``fn``, in microseconds."""
    fn()
    fn()  # warm: kernels compiled or loaded
    cpu, wall = [], []
    for _ in range(reps):
        t0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - t0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(cpu) * 1e6, statistics.median(wall) * 1e6


def main() -> None:
    rng = np.random.default_rng(0)
    z = (rng.standard_normal(N) + 1j * rng.standard_normal(N)).astype(np.complex64)
    w = (rng.standard_normal(N) + 1j * rng.standard_normal(N)).astype(np.complex64)
    a, b = jitgrad.tensor(z), jitgrad.tensor(w)
    for name, fn in (
        ("mul", lambda: (a * b).numpy()),
        ("chain3", lambda: ((a * b + a) * 0.5).exp().numpy()),
    ):
        cpu, wall = _us(fn)
        print(f"{name} cpu_us {cpu:.1f} wall_us {wall:.1f}")


if __name__ == "__main__":
    main()
