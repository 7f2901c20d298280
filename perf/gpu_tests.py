"""The device tests (``tests/cuda_sim/kern_*.py`` and ``cases_*.py``) on the GPU, in parallel
pytest processes: what ``perf/gpu_run.sh`` runs as its tests stage.

    python perf/gpu_tests.py RESULTS_DIR [--groups 6] [--dry]

Files are spread over the groups largest first; group k writes ``RESULTS_DIR/tests-k.log``
(``pytest -v``: each result as it comes, so a run cut short by its time limit keeps what it
had). Prints the failures and each group's closing line; exits non-zero if any group failed
or passed no test (everything skipped counts as a failure: on a GPU nothing should be).
``--dry`` runs one small file per group (in the simulator, with ``NUMBA_ENABLE_CUDASIM=1``).
"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIM = ROOT / "tests" / "cuda_sim"


def groups(n: int, dry: bool) -> list[list[str]]:
    files = [
        *SIM.glob("cases_*.py"),
        *(p for p in SIM.glob("kern_*.py") if p.stem != "kern_common"),
    ]
    files.sort(key=lambda p: (-p.stat().st_size, p.name))
    out: list[list[str]] = [[] for _ in range(n)]
    for k, f in enumerate(files):
        out[k % n].append(str(f.relative_to(ROOT)))
    return [g[-1:] if dry else g for g in out if g]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("results", type=Path)
    p.add_argument("--groups", type=int, default=6)
    p.add_argument("--dry", action="store_true")
    args = p.parse_args()
    args.results.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pytest", "-v", "-rfE", "-p", "no:cacheprovider", "-o", "addopts="]
    procs = []

    def stop(signum: int, frame: object) -> None:
        """The stage's time limit (``timeout`` sends SIGTERM here): the pytest processes stop
        too, so none runs on into the bench's timings."""
        for proc, _ in procs:
            proc.kill()
        print(f"gpu_tests: stopped by signal {signum}; the groups' logs keep what ran")
        sys.exit(124)

    signal.signal(signal.SIGTERM, stop)
    for k, files in enumerate(groups(args.groups, args.dry)):
        log = open(args.results / f"tests-{k}.log", "w")  # noqa: SIM115 - closed below
        print(f"group {k}: {' '.join(files)}", flush=True)
        procs.append(
            (subprocess.Popen([*cmd, *files], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT), log)
        )
    failed = 0
    for k, (proc, log) in enumerate(procs):
        rc = proc.wait()
        log.close()
        text = (args.results / f"tests-{k}.log").read_text(errors="replace")
        for line in text.splitlines():
            if re.match(r"(FAILED|ERROR) ", line) or re.search(r"\d+ (passed|failed|error)", line):
                print(f"[{k}] {line}", flush=True)
        if rc == 0 and not re.search(r"\d+ passed", text):
            # (a module-level skip, e.g. kern_common's when numba sees no GPU, exits 0)
            print(f"[{k}] FAILED: pytest exited 0 but no test passed (all skipped?)", flush=True)
            rc = 1
        failed += rc != 0
    print(f"gpu_tests: {len(procs) - failed} of {len(procs)} groups passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
