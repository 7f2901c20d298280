"""Count and time every Numba compile of a run, in every process, and say which tests caused it.

Two parts:

* ``install(out_dir)``: a ``numba:compile`` event listener that records, for each compile,
  the kernel (module.qualname), its argument types, its wall time and the test that was running
  (pytest's ``PYTEST_CURRENT_TEST``, inherited by subprocesses), appended as each compile ends
  to ``<out_dir>/census-<pid>.jsonl``; ``-p compile_census`` adds each test's wall time.
  ``python perf/compile_census.py --site DIR`` writes a ``sitecustomize.py`` into DIR that
  installs it when ``JITGRAD_CENSUS_DIR`` is set, so putting DIR on
  ``PYTHONPATH`` records the test suite and every subprocess it starts:

      python perf/compile_census.py --site /tmp/census-site
      JITGRAD_CENSUS_DIR=/tmp/census JITGRAD_CACHE_DIR=$(mktemp -d) \\
          PYTHONPATH=$PWD:/tmp/census-site python -m pytest -p no:cacheprovider -p compile_census

* ``python perf/compile_census.py /tmp/census [--top 40]``: the report: compiles and compile
  seconds in total, per kernel, per test file, and how many signatures of one kernel differ
  only by dtype, by ndim or by layout (what flattening or one dtype would save).

Each overload a process loads from the disk cache is recorded too (``"loaded": true``), so the
report can say which compiled pairs other processes then needed.

Only outermost compiles count toward the seconds (a kernel's compile includes the helpers it
compiles on the way); every compile counts toward the number of compiles. Each row also has
the compiling thread's CPU seconds (``cpu``): on the shared 2-core machine wall times swing
several-fold with other processes' load.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
import time
from pathlib import Path

_depth = [0]


def install(out_dir: str) -> None:
    """Record every Numba compile of this process into ``out_dir`` (one line per compile,
    appended as it ends, so a run cut short still leaves its census)."""
    from numba.core import event

    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"census-{os.getpid()}.jsonl")

    class _Listener(event.Listener):
        def on_start(self, ev):  # type: ignore[no-untyped-def]
            _depth[0] += 1
            ev.data["_t0"] = time.perf_counter()
            ev.data["_w0"] = time.time()
            ev.data["_c0"] = time.thread_time()

        def on_end(self, ev):  # type: ignore[no-untyped-def]
            _depth[0] -= 1
            fn = ev.data["dispatcher"].py_func
            row = {
                "kernel": f"{fn.__module__}.{fn.__qualname__}",
                "args": [str(a) for a in ev.data["args"]],
                "s": time.perf_counter() - ev.data["_t0"],
                "start": ev.data["_w0"],  # wall clock: which compiles overlapped in time
                "cpu": time.thread_time() - ev.data["_c0"],  # the compiling thread's CPU
                "depth": _depth[0],
                "test": os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0],
                "pid": os.getpid(),
                "argv0": (sys.argv[0] if sys.argv else "")[-60:],
            }
            with open(path, "a") as f:
                f.write(json.dumps(row) + "\n")

    event.register("numba:compile", _Listener())
    _record_loads(path)


def _record_loads(path: str) -> None:
    """Also a row (``"loaded": true``) for each overload a cache loads instead of compiling:
    which pairs one process compiled and others then needed (a compile census alone cannot
    tell a pair nobody else needs from one every later process loads)."""
    from numba.core import caching

    original = caching.Cache.load_overload

    def load_overload(self, sig, target_context):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        result = original(self, sig, target_context)
        if result is not None:  # "s": waiting for another process's compile included
            fn = self._py_func
            row = {"kernel": f"{fn.__module__}.{fn.__qualname__}",
                   "args": [str(a) for a in (sig.args if hasattr(sig, "args") else sig)],
                   "loaded": True, "start": time.time(), "pid": os.getpid(),
                   "s": time.perf_counter() - t0,
                   "test": os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]}  # fmt: skip
            with open(path, "a") as f:
                f.write(json.dumps(row) + "\n")
        return result

    caching.Cache.load_overload = load_overload


def pytest_runtest_logreport(report):  # type: ignore[no-untyped-def]
    """With ``-p compile_census``: each test phase's wall time, appended to
    ``$JITGRAD_CENSUS_DIR/durations.jsonl`` as it ends."""
    out = os.environ.get("JITGRAD_CENSUS_DIR")
    if out:
        with open(os.path.join(out, "durations.jsonl"), "a") as f:
            f.write(json.dumps({"test": report.nodeid, "s": report.duration}) + "\n")


SITE = '''"""Installed by perf/compile_census.py --site: census of Numba compiles."""
import os, sys
if os.environ.get("JITGRAD_CENSUS_DIR"):
    sys.path.insert(0, {perf!r})
    try:
        import compile_census
        compile_census.install(os.environ["JITGRAD_CENSUS_DIR"])
    finally:
        sys.path.pop(0)
'''

_ARRAY = re.compile(r"^(?:readonly )?array\((\w+), (\d+)d, (\w)\)$")


def load(directory: str, loads: bool = False) -> list[dict]:
    """The compile rows of a census (with ``loads``: the disk-load rows instead)."""
    rows = []
    for p in sorted(Path(directory).glob("census-*.jsonl")):
        rows += [json.loads(line) for line in p.read_text().splitlines() if line]
    return [r for r in rows if r.get("loaded", False) == loads]


def shared(rows: list[dict], loads: list[dict]) -> str:
    """How many compiled pairs another process later loaded, and their compile CPU: work the
    disk cache shared. A pair nobody loaded was needed by its compiling process alone."""
    compiled = {}
    for r in rows:
        if r["depth"] == 0:
            compiled.setdefault((r["kernel"], tuple(r["args"])), r)
    used = {
        (r["kernel"], tuple(r["args"]))
        for r in loads
        if compiled.get((r["kernel"], tuple(r["args"])), {}).get("pid") not in (None, r["pid"])
    }
    cpu = sum(compiled[k].get("cpu", 0.0) for k in used)
    alone = sum(r.get("cpu", 0.0) for k, r in compiled.items() if k not in used)
    return (
        f"{len(loads)} loads from disk; {len(used)} of {len(compiled)} outermost compiled "
        f"pairs were loaded by another process ({cpu:.1f} s of compile CPU shared), the "
        f"rest ({alone:.1f} s) were needed only where they were compiled"
    )


def shape_free(args: list[str], drop: str) -> tuple:
    """The signature with the dtype, ndim or layout of array arguments erased."""
    out = []
    for a in args:
        m = _ARRAY.match(a)
        if not m:
            out.append(a if drop != "dtype" else re.sub(r"float\d+|int\d+|uint\d+|bool", "T", a))
            continue
        dt, nd, lay = m.groups()
        parts = {"dtype": ("T", nd, lay), "ndim": (dt, "N", lay), "layout": (dt, nd, "X")}
        out.append("array({}, {}, {})".format(*parts[drop]))
    return tuple(out)


def report(rows: list[dict], durations: list[dict], top: int) -> str:
    lines = []
    outer = [r for r in rows if r["depth"] == 0]
    procs = {r["pid"] for r in rows}
    lines.append(
        f"{len(rows)} compiles ({len(outer)} outermost) in {len(procs)} processes, "
        f"{sum(r['s'] for r in outer):.0f} s of compile wall time, "
        f"{sum(r.get('cpu', 0.0) for r in outer):.1f} s of the compiling threads' CPU time "
        "(less sensitive to other load on the machine)"
    )
    distinct = {(r["kernel"], tuple(r["args"])) for r in rows}
    lines.append(f"{len(distinct)} distinct (kernel, signature) pairs; the rest are repeats in "
                 "other processes (a subprocess compiling what another already compiled)")
    seen: set = set()
    repeated: set = set()
    repeat_cpu = 0.0
    for r in sorted(outer, key=lambda r: r.get("start", 0.0)):
        key = (r["kernel"], tuple(r["args"]))
        if key in seen:
            repeat_cpu += r.get("cpu", 0.0)
            repeated.add(key)
        seen.add(key)
    lines.append(f"outermost repeats (a pair compiled again in another process, e.g. two test "
                 f"workers at once): {len(repeated)} pairs, {repeat_cpu:.1f} s of CPU")
    main = collections.Counter(r["pid"] for r in rows).most_common(1)[0][0]
    sub = [r for r in outer if r["pid"] != main]
    lines.append(f"subprocesses: {len({r['pid'] for r in sub})} compiled "
                 f"{len(sub)} times, {sum(r['s'] for r in sub):.0f} s")

    by_file: dict[str, list] = collections.defaultdict(lambda: [0, 0.0, 0.0])
    for r in outer:
        f = r["test"].split("::")[0] or "(outside a test: import, collection)"
        by_file[f][0] += 1
        by_file[f][1] += r["s"]
    for d in durations:
        by_file[d["test"].split("::")[0]][2] += d["s"]
    wall = sum(v[2] for v in by_file.values())
    lines.append(f"\ntest files by wall time (tests' own time {wall:.0f} s; compile seconds, "
                 "outermost compiles, in that file's tests and their subprocesses):")
    for f, (n, s, w) in sorted(by_file.items(), key=lambda kv: -max(kv[1][1], kv[1][2]))[:top]:
        lines.append(f"  wall {w:7.1f} s  compile {s:7.1f} s {n:5d}  {f}")

    by_kernel: dict[str, list] = collections.defaultdict(lambda: [0, 0.0, set(), 0.0])
    for r in rows:
        k = by_kernel[r["kernel"]]
        k[0] += 1
        k[1] += r["s"] if r["depth"] == 0 else 0.0
        k[2].add(tuple(r["args"]))
        k[3] += r.get("cpu", 0.0) if r["depth"] == 0 else 0.0
    gen = [k for k in by_kernel if k.split(".")[0].startswith("_gen_")]
    lines.append(f"\n{len(by_kernel)} kernels compiled; {len(gen)} of them generated modules")
    lines.append("kernels by compile seconds (wall, CPU, compiles, distinct signatures):")
    for name, (n, s, sigs, cpu) in sorted(by_kernel.items(), key=lambda kv: -kv[1][1])[:top]:
        lines.append(f"  {s:7.1f} s {cpu:6.2f} s {n:5d} {len(sigs):4d}  {name}")

    lines.append("\nsignatures that collapse when one aspect is erased (distinct pairs saved):")
    for drop in ("dtype", "ndim", "layout"):
        saved = 0
        for _name, (_, _, sigs, _) in by_kernel.items():
            saved += len(sigs) - len({shape_free(list(s), drop) for s in sigs})
        lines.append(f"  {drop:7s}: {saved}")
    gen_sig = sum(len(v[2]) for k, v in by_kernel.items() if k.split(".")[0].startswith("_gen_"))
    gen_s = sum(v[1] for k, v in by_kernel.items() if k.split(".")[0].startswith("_gen_"))
    lines.append(f"generated kernels: {gen_sig} signatures, {gen_s:.0f} s")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("census_dir", nargs="?")
    ap.add_argument("--site", help="write sitecustomize.py into this directory and exit")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()
    if args.site:
        os.makedirs(args.site, exist_ok=True)
        perf = str(Path(__file__).resolve().parent)
        Path(args.site, "sitecustomize.py").write_text(SITE.format(perf=perf))
        print(f"PYTHONPATH=...:{args.site} JITGRAD_CENSUS_DIR=<dir> records compiles")
        return
    dur = Path(args.census_dir, "durations.jsonl")
    durations = [json.loads(x) for x in dur.read_text().splitlines()] if dur.exists() else []
    print(report(load(args.census_dir), durations, args.top))
    loads = load(args.census_dir, loads=True)
    if loads:
        print(shared(load(args.census_dir), loads))


if __name__ == "__main__":
    main()
