"""Where a floor workload's wall time goes beyond its CPU time: per step, the process's user and
system CPU, page faults, voluntary and involuntary context switches, and the machine's steal.

    python perf/floor_rusage.py [gelu] [--rounds 5] [--steps 20]

One thread, the floor (``perf/impl_numba.py``) and jitgrad (``perf/impl_module.py``, the body
``perf/floor_cpu.py`` times) alternating, ``steps`` steps each per round, medians per step of
``resource.getrusage`` deltas. What each column would show:

* ``sys``/``minflt``: fresh output buffers faulted in and zeroed by the kernel (jitgrad's pool,
  ``jitgrad/memory.py``, should leave none once warm);
* ``vcsw`` (voluntary switches): the step waiting on something, a lock, a pool thread, I/O;
* ``ivcsw`` (involuntary): the step preempted by other processes; ``steal``: the hypervisor
  running another guest on this VM's cores (``/proc/stat``, whole machine, per core) -- wall
  time that neither the step's CPU time nor the load average counts.

Also prints the process's threads and child processes at the end (a background compile or a
pool thread spending CPU outside the step would show there).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import numba  # noqa: E402

import jitgrad  # noqa: E402
from perf import impl_module, impl_numba, workloads  # noqa: E402

COLUMNS = ("wall", "user", "sys", "minflt", "vcsw", "ivcsw", "steal")


def _sample() -> tuple[float, ...]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    with open("/proc/stat") as f:
        cpu = f.readline().split()  # "cpu user nice system idle iowait irq softirq steal ..."
    steal = int(cpu[8]) / os.sysconf("SC_CLK_TCK") / (os.cpu_count() or 1)
    return (
        time.perf_counter(),
        r.ru_utime,
        r.ru_stime,
        r.ru_minflt,
        r.ru_nvcsw,
        r.ru_nivcsw,
        steal,
    )


def _family() -> str:
    pid = os.getpid()
    tasks = os.listdir(f"/proc/{pid}/task")
    kids = []
    for t in tasks:
        try:
            kids += Path(f"/proc/{pid}/task/{t}/children").read_text().split()
        except OSError:
            pass
    names = sorted(Path(f"/proc/{pid}/task/{t}/comm").read_text().strip() for t in tasks)
    return f"threads {names}, child processes {kids or 'none'}"


def measure(name: str, rounds: int, steps: int) -> None:
    inp = workloads.WORKLOADS[name].inputs(quick=False)
    runs = {
        "floor": impl_numba.BUILDERS[name](inp),
        "jitgrad": getattr(impl_module, name)(jitgrad, inp),
    }
    for run in runs.values():
        for _ in range(3):
            run()
    per: dict[str, list[tuple[float, ...]]] = {k: [] for k in runs}
    for _ in range(rounds):
        for k, run in runs.items():
            a = _sample()
            for _ in range(steps):
                run()
            b = _sample()
            per[k].append(tuple((y - x) / steps for x, y in zip(a, b, strict=True)))
    print(f"{name} (one thread, {rounds} rounds of {steps} steps, load {os.getloadavg()[0]:.1f}),"
          " median per step:")  # fmt: skip
    for k, rows in per.items():
        med = [statistics.median(col) for col in zip(*rows, strict=True)]
        ms = {
            c: v * 1e3
            for c, v in zip(COLUMNS, med, strict=True)
            if c in ("wall", "user", "sys", "steal")
        }
        print(
            f"  {k:8s} wall {ms['wall']:7.2f} ms  user {ms['user']:6.2f}  sys {ms['sys']:5.2f}"
            f"  steal {ms['steal']:5.2f}  minflt {med[3]:6.1f}  vcsw {med[4]:4.2f}"
            f"  ivcsw {med[5]:4.2f}"
        )
    print(" ", _family())


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python perf/floor_rusage.py")
    p.add_argument("workloads", nargs="*", default=["gelu"])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=20)
    args = p.parse_args(argv)
    numba.set_num_threads(1)
    for name in args.workloads:
        measure(name, args.rounds, args.steps)


if __name__ == "__main__":
    main()
