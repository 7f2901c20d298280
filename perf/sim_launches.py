"""Where the CUDA simulator's time goes: per case, its CPU seconds and its kernel launches
(how many, threads simulated per launch, seconds inside launches), and the same per kernel.

Why: the simulator runs every CUDA thread of a block as a Python thread, so a case's cost is
roughly (launches x blocks x threads per block), not its tensor sizes; the two simulator
groups of tests/test_cuda_backend.py are the longest part of the README's test command.

    NUMBA_ENABLE_CUDASIM=1 JITGRAD_SIM_LAUNCHES=/tmp/sl.jsonl PYTHONPATH=$PWD:$PWD/perf \\
        python -m pytest -o addopts= -q -p no:cacheprovider -p sim_launches \\
        tests/cuda_sim/cases_views.py
    python perf/sim_launches.py /tmp/sl.jsonl        # cases and kernels by CPU seconds

CPU is the process's (all threads: the simulated ones included), from ``resource``.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from collections import defaultdict
from typing import Any

_LOCK = threading.Lock()
#: per kernel of the running case: [launches, threads simulated, seconds in launches]
_kernels: dict[str, list] = defaultdict(lambda: [0, 0, 0.0])
_depth = threading.local()


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _install() -> None:
    from numba.cuda.simulator.kernel import FakeCUDAKernel

    call = FakeCUDAKernel.__call__

    def counted(self: Any, *args: Any) -> Any:
        if self._device or getattr(_depth, "n", 0):
            return call(self, *args)
        grid, block = self.grid_dim, self.block_dim
        threads = 1
        for d in (*(grid or (1,)), *(block or (1,))):
            threads *= int(d)
        name = f"{self.fn.__module__}.{self.fn.__qualname__}"
        _depth.n = 1
        t0 = time.perf_counter()
        try:
            return call(self, *args)
        finally:
            dt = time.perf_counter() - t0
            _depth.n = 0
            with _LOCK:
                k = _kernels[name]
                k[0] += 1
                k[1] += threads
                k[2] += dt

    FakeCUDAKernel.__call__ = counted


if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" and os.environ.get("JITGRAD_SIM_LAUNCHES"):
    _install()


def pytest_runtest_protocol(item, nextitem):  # type: ignore[no-untyped-def]  # noqa: ARG001
    _kernels.clear()


def pytest_runtest_logfinish(nodeid, location):  # type: ignore[no-untyped-def]  # noqa: ARG001
    path = os.environ.get("JITGRAD_SIM_LAUNCHES")
    if not path:
        return
    row = {"case": nodeid, "cpu": _cpu() - _start[0], "wall": time.time() - _start[1],
           "kernels": {k: v for k, v in _kernels.items()}}  # fmt: skip
    with open(path, "a") as f:
        f.write(json.dumps(row) + "\n")
    _start[:] = [_cpu(), time.time()]


_start = [_cpu(), time.time()]


def report(path: str, top: int = 60) -> str:
    """Case files, cases and kernels by CPU seconds, with launch counts and threads."""
    rows = [json.loads(line) for line in open(path)]
    files: dict[str, list] = defaultdict(lambda: [0.0, 0, 0])
    kern: dict[str, list] = defaultdict(lambda: [0, 0, 0.0])
    for r in rows:
        f = files[r["case"].split("::")[0]]
        f[0] += r["cpu"]
        f[1] += 1
        for name, (n, threads, secs) in r["kernels"].items():
            f[2] += n
            k = kern[name]
            k[0] += n
            k[1] += threads
            k[2] += secs
    out = [f"{'cpu s':>8} {'cases':>6} {'launches':>9}  file"]
    for name, (cpu, n, launches) in sorted(files.items(), key=lambda kv: -kv[1][0]):
        out.append(f"{cpu:8.1f} {n:6d} {launches:9d}  {name}")
    total = sum(r["cpu"] for r in rows)
    out.append(f"{total:8.1f} CPU s in {len(rows)} cases\n")
    out.append(f"{'cpu s':>8} {'launches':>9} {'threads':>9}  case")
    for r in sorted(rows, key=lambda r: -r["cpu"])[:top]:
        n = sum(v[0] for v in r["kernels"].values())
        t = sum(v[1] for v in r["kernels"].values())
        out.append(f"{r['cpu']:8.1f} {n:9d} {t:9d}  {r['case']}")
    out.append(f"\n{'launch s':>8} {'launches':>9} {'thr/launch':>10}  kernel")
    for name, (n, threads, secs) in sorted(kern.items(), key=lambda kv: -kv[1][2])[:top]:
        out.append(f"{secs:8.1f} {n:9d} {threads / n:10.0f}  {name}")
    return "\n".join(out)


if __name__ == "__main__":
    print(report(sys.argv[1]))
