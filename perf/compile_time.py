"""jitgrad compile time: cold (empty cache dir), warm (same dir, new process), hot (in-process).

Compile time is reported apart from the steady-state timings because it is paid differently:
cold once per machine/upgrade, warm once per process (loading cached kernels), hot never
again. Cold and warm each run in a new subprocess (``perf.compile_probe``) with
``JITGRAD_CACHE_DIR`` and ``NUMBA_CACHE_DIR`` pointing into a fresh temporary directory, so no
kernel cached by an earlier run or by the main process can leak in. Sizes are the tiny
``--quick`` ones: this measures compiling, not computing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .machine import REPO


def _probe(workload: str, impl: str, env: dict[str, str], timeout: float) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "perf.compile_probe", workload, impl],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"error": tail[0][:200], "process_s": wall}
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["process_s"] = wall
    return res


def measure(specs: list[tuple[str, str]], timeout: float = 300.0) -> list[dict]:
    """Cold/warm/hot compile timings for each (workload, impl key) pair."""
    out = []
    for workload, impl in specs:
        row: dict = {"workload": workload, "impl": impl}
        with tempfile.TemporaryDirectory(prefix="jitgrad-cold-") as tmp:
            env = dict(os.environ, JITGRAD_CACHE_DIR=tmp, NUMBA_CACHE_DIR=str(Path(tmp) / "numba"))
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
            )
            try:
                row["cold"] = _probe(workload, impl, env, timeout)
                row["warm"] = _probe(workload, impl, env, timeout)
            except subprocess.TimeoutExpired:
                row["error"] = f"timed out after {timeout:.0f}s"
        for phase in ("cold", "warm"):
            if "error" in row.get(phase, {}):
                row["error"] = row[phase]["error"]
        out.append(row)
    return out
