"""A new user's first run: the README's example in a process with an empty kernel cache
(cold) and again with the cache it filled (warm), alternating, each in a fresh process.

    python perf/cold_start.py [--reps 3] [--tree DIR]

Prints, per run, the wall time to the first printed gradient (from before ``import jitgrad``),
the process's CPU time (user + system: less sensitive than wall time to other load on the
machine), and whether the compile notice appeared; then the medians and cold - warm.
``--tree`` runs another checkout's jitgrad (for before/after comparisons). ``--primed``
starts each cold run from a cache holding only tier 0's interpreter (built once here, as an
earlier program in the same cache would have left it): a new program's first run in a cache
that has been used before, with none of its kernels compiled yet. ``--demo N`` runs
``python -m jitgrad.demo --epochs N`` (whole process: wall time and user + system CPU of it and its
children) instead of the example.

Bytecode: each run gets its compiled ``.pyc`` files from a private ``PYTHONPYCACHEPREFIX``
filled once before the first rep, as an installed package has them (pip compiles them at
install), even where ``PYTHONDONTWRITEBYTECODE`` is set (this sandbox sets it: every process
then compiled jitgrad's ~300 modules from source, ~0.6 s of CPU in cold and warm runs alike).
``--no-pyc`` keeps the environment's setting. The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXAMPLE = """
import resource, sys, time
t0 = time.perf_counter()
import jitgrad as torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x * x + x.sin()).sum()
y.backward()
print(x.grad)
r = resource.getrusage(resource.RUSAGE_SELF)
print(f"RESULT {time.perf_counter() - t0:.3f} {r.ru_utime + r.ru_stime:.3f}")
"""


#: Builds tier 0's float32 interpreter and its marker, and nothing else, in a cache.
PRIME = """
from jitgrad.fusion import tier0, tier0_interp
tier0_interp.loop("float32")
tier0.marker_path("float32").touch()
"""


#: Set by main: the private bytecode cache every run uses (None: the environment's setting).
PYC: list[str | None] = [None]


def child_env(tree: str, cache: str) -> dict:
    env = {**os.environ, "JITGRAD_CACHE_DIR": cache, "PYTHONPATH": tree}
    env.pop("JITGRAD_COMPILE_NOTICE", None)
    if PYC[0]:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = PYC[0]
    return env


def fill_pyc(tree: str, pyc: str, demo: int) -> None:
    """Compile the modules the runs import into ``pyc`` (an installed package's .pyc files):
    one untimed cold run in a throwaway kernel cache, which also imports the modules Numba
    and jitgrad import only once they compile something (~0.7 s of CPU from source)."""
    PYC[0] = pyc
    cache = tempfile.mkdtemp(prefix="jg-pyc-kernels-")
    try:
        run(tree, cache, min(demo, 1))
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def run(tree: str, cache: str, demo: int = 0) -> tuple[float, float, bool]:
    env = child_env(tree, cache)
    if demo:
        return run_demo(env, cache, demo)
    res = subprocess.run(  # cwd: not a checkout, whose jitgrad ``-c`` would import first
        [sys.executable, "-c", EXAMPLE],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cache,
    )
    assert res.returncode == 0, res.stderr
    wall, cpu = res.stdout.split("RESULT ")[1].split()
    return float(wall), float(cpu), "jitgrad: compiling kernels" in res.stderr


def run_demo(env: dict, cache: str, epochs: int) -> tuple[float, float, bool]:
    """``python -m jitgrad.demo --epochs epochs``: wall seconds, CPU seconds (it and its
    children), and whether its first step compiled anything."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    res = subprocess.run(
        [sys.executable, "-m", "jitgrad.demo", "--epochs", str(epochs), "--out", f"{cache}/out"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        cwd=cache,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert res.returncode == 0, res.stderr
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, " 0 kernel(s) compiled" not in res.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--tree", default=str(Path(__file__).resolve().parent.parent))
    ap.add_argument("--primed", action="store_true", help="tier 0's interpreter in the cache")
    ap.add_argument(
        "--demo", type=int, default=0, metavar="EPOCHS", help="python -m jitgrad.demo --epochs N"
    )
    ap.add_argument("--no-pyc", action="store_true", help="the environment's bytecode setting")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
    pyc = None if args.no_pyc else tempfile.mkdtemp(prefix="jg-pyc-")
    if pyc:
        fill_pyc(args.tree, pyc, args.demo)
    template = tempfile.mkdtemp(prefix="jg-primed-") if args.primed else None
    if template:
        env = child_env(args.tree, template)
        subprocess.run([sys.executable, "-c", PRIME], env=env, check=True, cwd=template)
    cold, warm = [], []
    for rep in range(args.reps):
        cache = tempfile.mkdtemp(prefix="jg-cold-")
        if template:
            shutil.copytree(template, cache, dirs_exist_ok=True)
        try:
            c = run(args.tree, cache, args.demo)
            w = run(args.tree, cache, args.demo)
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        cold.append(c)
        warm.append(w)
        said = "compiled" if args.demo else "notice"
        print(f"rep {rep}: cold {c[0]:.2f} s wall {c[1]:.2f} s cpu ({said}: {c[2]}); "
              f"warm {w[0]:.2f} s wall {w[1]:.2f} s cpu ({said}: {w[2]})", flush=True)
    for path in (template, pyc):
        if path:
            shutil.rmtree(path, ignore_errors=True)
    med = statistics.median
    cw, cc = med(r[0] for r in cold), med(r[1] for r in cold)
    ww, wc = med(r[0] for r in warm), med(r[1] for r in warm)
    print(f"median: cold {cw:.2f} s wall / {cc:.2f} s cpu; warm {ww:.2f} s wall / {wc:.2f} s "
          f"cpu; cold - warm {cw - ww:.2f} s wall / {cc - wc:.2f} s cpu; load average "
          f"{os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
