"""Replay ``--dist loadfile``'s longest-first queue (tests/conftest.py) on measured file costs:
when each of N workers would finish, and which file ends last.

Why: the README's test command cannot be run on the shared machine to try a change of
``LONG_FILES`` (one run takes ~10 min of both cores), but the per-file CPU seconds that
``perf/file_times.py`` records can be replayed through the same queue order and xdist's rule
for handing out work (a worker gets its next file when at most 2 of its tests are pending:
``LoadScopeScheduling._reschedule``), to see whether one file is a long tail.

    python perf/xdist_schedule.py /tmp/ft.jsonl [more.jsonl ...] [--workers 2] \\
        [--extra tests/test_corpus.py=143 ...] [--collect 17]

Each file's cost is its CPU seconds (own + subprocesses'; the last row wins when a file
appears twice); files measured nowhere cost their estimate. A file's whole cost is put at its
first test (its module fixture or its compiles), the rest of its tests take no time; a file
of at most ``--pending`` tests takes the next file along (xdist's rule: 2; tests/conftest.py's
``PENDING``: 1). ``--collect``: seconds each worker spends collecting before its first file.
Costs are CPU seconds on one core: the result is the makespan on idle cores, not a wall time
under load.
"""

from __future__ import annotations

import argparse
import heapq
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def test_counts() -> dict[str, int]:
    """Tests per file, from ``pytest --collect-only -q`` (run in a subprocess)."""
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "--collect-only",
         "-p", "no:cacheprovider", "tests"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip
    counts: dict[str, int] = {}
    for line in out.splitlines():
        if "::" in line:
            f = line.split("::")[0]
            counts[f] = counts.get(f, 0) + 1
    return counts


def replay(costs: dict[str, float], counts: dict[str, int], workers: int, collect: float,
           pending: int) -> tuple[list[float], list[tuple[float, int, str]]]:  # fmt: skip
    """(each worker's finishing time, [(start, worker, file)]) under the longest-first queue."""
    import conftest  # tests/conftest.py: LONG_FILES, PER_TEST

    def estimate(f: str) -> float:
        return conftest.LONG_FILES.get(f, 0) + conftest.PER_TEST * counts[f]

    queue = sorted(counts, key=lambda f: -estimate(f))
    free = [(collect, w) for w in range(workers)]  # (time the worker can take a file, worker)
    heapq.heapify(free)
    ends = [collect] * workers
    starts = []
    while queue:
        _, w = heapq.heappop(free)
        # a file of at most PENDING tests: the worker is handed the next file at once, and it
        # waits there behind this one
        while queue:
            f = queue.pop(0)
            starts.append((ends[w], w, f))
            ends[w] += costs.get(f, estimate(f))
            if counts[f] > pending:
                break
        heapq.heappush(free, (ends[w], w))
    return ends, starts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("times", nargs="+", help="file_times.py JSON lines")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--collect", type=float, default=0.0)
    ap.add_argument("--pending", type=int, default=None, help="default: tests/conftest.py's")
    ap.add_argument("--extra", action="append", default=[], help="FILE=CPU seconds")
    ap.add_argument("--counts", help="tests per file as `uniq -c` prints them (else collected)")
    args = ap.parse_args()
    costs: dict[str, float] = {}
    for path in args.times:
        for line in Path(path).read_text().splitlines():
            r = json.loads(line)
            costs[r["file"]] = r["cpu"] + r["child"]
    for item in args.extra:
        f, s = item.split("=")
        costs[f] = float(s)
    if args.counts:
        pairs = (line.split() for line in Path(args.counts).read_text().splitlines())
        counts = {f: int(n) for n, f in pairs}
    else:
        counts = test_counts()
    import conftest

    pending = conftest.PENDING if args.pending is None else args.pending
    ends, starts = replay(costs, counts, args.workers, args.collect, pending)
    measured = sum(costs.get(f, 0) for f in counts)
    unmeasured = [f for f in counts if f not in costs]
    print(
        f"{len(counts)} files, {len(counts) - len(unmeasured)} measured ({measured:.0f} CPU s),"
        f" {len(unmeasured)} at their estimate"
    )
    for w, end in enumerate(ends):
        print(f"worker {w}: ends at {end:.0f} s")
    print(f"makespan {max(ends):.0f} s; ideal {sum(ends) / len(ends):.0f} s")
    print("the last files to start:")
    for t, w, f in sorted(starts)[-5:]:
        print(f"  {t:7.0f} s  worker {w}  {f}  ({costs.get(f, 0):.1f} CPU s)")


if __name__ == "__main__":
    main()
