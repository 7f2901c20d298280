"""Per-test-file CPU seconds of a pytest run, and the ``LONG_FILES`` table they imply.

Why: ``tests/conftest.py`` orders xdist's ``--dist loadfile`` queue longest first by an
estimate per file (``LONG_FILES`` plus ``PER_TEST`` a test); a file whose cost is one big
build (the tape interpreter: ~22 s of CPU per dtype) but few tests is estimated at a second
and runs last, alone. Wall time on the shared machine swings with other load, so this
records CPU: the process's own (user + system) and its waited-for subprocesses' (the corpus
runner, the cold-cache programs), from ``resource.getrusage`` at each change of file.

    JITGRAD_FILE_TIMES=/tmp/ft.jsonl PYTHONPATH=$PWD:$PWD/perf \\
        python -m pytest -p no:cacheprovider -p file_times -n 0 tests/test_a.py tests/test_b.py
    python perf/file_times.py /tmp/ft.jsonl     # the files by CPU seconds

A file's figure depends on what ran before it in the process (a kernel compiled by an earlier
file is loaded, not compiled): run the files in the order of interest, or each in its own
process with a fresh ``JITGRAD_CACHE_DIR`` for the cold figure.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

_current: list = [None, 0.0, 0.0, 0.0]  # file, own CPU, children's CPU, wall at its start


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def _flush() -> None:
    if _current[0] is None:
        return
    own, kids = _cpu()
    row = {"file": _current[0], "cpu": own - _current[1], "child": kids - _current[2],
           "wall": time.time() - _current[3], "pid": os.getpid()}  # fmt: skip
    with open(os.environ["JITGRAD_FILE_TIMES"], "a") as f:
        f.write(json.dumps(row) + "\n")


def pytest_runtest_protocol(item, nextitem):  # type: ignore[no-untyped-def]  # noqa: ARG001
    path = item.nodeid.split("::")[0]
    if path != _current[0]:
        _flush()
        _current[:] = [path, *_cpu(), time.time()]


def pytest_sessionfinish(session):  # type: ignore[no-untyped-def]  # noqa: ARG001
    _flush()


def report(path: str) -> str:
    """Files by CPU seconds (own + subprocesses'), the most expensive first: a file far above
    its number of tests times ``PER_TEST`` belongs in ``LONG_FILES``."""
    rows = [json.loads(line) for line in open(path)]
    out = [f"{'cpu s':>8} {'child s':>8} {'wall s':>8}  file"]
    for r in sorted(rows, key=lambda r: -(r["cpu"] + r["child"])):
        out.append(f"{r['cpu']:8.1f} {r['child']:8.1f} {r['wall']:8.1f}  {r['file']}")
    total = sum(r["cpu"] + r["child"] for r in rows)
    out.append(f"{total:8.1f} CPU s in {len(rows)} files")
    return "\n".join(out)


if __name__ == "__main__":
    print(report(sys.argv[1]))
