"""The comparison runner (perf/compare.py) keeps working: quick mode end to end.

The performance comparison is a product of this project, and a runner that nobody runs rots
as the library changes. CI runs ``--quick`` through this test: it must finish, write JSON and
Markdown covering every workload, and never mark an implementation WRONG (a gradient that
disagrees with the float64 numpy reference). jitgrad features still missing show up as
"unavailable", which is allowed here; torch, JAX and matplotlib are optional peers, so the
second test hides them and checks the runner says what it skipped instead of failing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ["perf/compare.py"]


def _run(args: list[str], prelude: str = "", timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the runner in a subprocess from the repository root (optionally after a prelude)."""
    if prelude:
        code = f"{prelude}\nimport runpy\nrunpy.run_path('perf/compare.py', run_name='__main__')"
        cmd = [sys.executable, "-c", code, *args]
    else:
        cmd = [sys.executable, *RUNNER, *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def _workload_names() -> list[str]:
    proc = _run(["--list-workloads"])
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def _statuses(report: dict) -> dict[tuple[str, str], str]:
    return {(w["name"], r["impl"]): r["status"] for w in report["workloads"] for r in w["results"]}


def test_quick_mode_reports_every_workload_and_nothing_wrong(tmp_path: Path) -> None:
    names = _workload_names()
    assert {"chain", "mlp_step", "adam", "dispatch", "logistic", "chain_f64"} <= set(names)

    # In one process: the jitgrad and jitgrad-unfused rows then share compiled kernels, where
    # worker processes would each compile them cold (about a minute more of CI).
    proc = _run(["--quick", "--in-process", "--out", str(tmp_path)])
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]

    report = json.loads((tmp_path / "compare.json").read_text())
    markdown = (tmp_path / "compare.md").read_text()
    assert [w["name"] for w in report["workloads"]] == names
    for name in names:
        assert f"**{name}**" in markdown
    statuses = _statuses(report)
    wrong = [key for key, status in statuses.items() if status == "WRONG"]
    assert not wrong, f"implementations computing wrong results: {wrong}"
    assert "WRONG" not in markdown
    for name in names:  # the hand-written numpy baseline always runs and is timed
        assert statuses[(name, "numpy")] == "ok"
        numpy_row = next(
            r
            for w in report["workloads"]
            if w["name"] == name
            for r in w["results"]
            if r["impl"] == "numpy"
        )
        assert numpy_row["median_s"] > 0
    for impl in ("torch", "jax"):
        for name in names:
            assert statuses[(name, impl)] in ("ok", "not installed"), statuses[(name, impl)]
    machine = report["machine"]
    assert machine["cpu"] and machine["versions"]["numpy"] and machine["date"]
    assert "threads" in report["floors"]["start"]
    assert report["config"]["isolation"] == "in one process"


def test_runner_without_optional_peers(tmp_path: Path) -> None:
    """With torch, JAX and matplotlib unimportable the runner reports them as skipped.

    Also the default path, a worker process per implementation, which the first test does not
    take: the workers are started only for libraries that loaded here.
    """
    block = "import sys\nfor m in ('torch', 'jax', 'matplotlib'):\n    sys.modules[m] = None"
    # (one small workload: each worker process compiles its implementation's kernels cold,
    # and the first test already runs every workload in every implementation; mse's Numba
    # reference alone was a 1.7 s compile here. jitgrad-unfused left out: its worker is
    # jitgrad's worker code under another key, one more process importing jitgrad, and the
    # first test runs it on every workload)
    proc = _run(
        [
            *("--quick", "--workloads", "logistic", "--compile", ""),
            *("--impls", "numpy,numba,jitgrad,torch,jax", "--out", str(tmp_path)),
        ],
        prelude=block,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    report = json.loads((tmp_path / "compare.json").read_text())
    statuses = _statuses(report)
    assert statuses[("logistic", "torch")] == "not installed"
    assert statuses[("logistic", "jax")] == "not installed"
    assert statuses[("logistic", "numba")] == "ok"
    assert statuses[("logistic", "jitgrad")] == "ok"
    assert statuses[("logistic", "numpy")] == "ok"
    assert report["config"]["isolation"] == "one process per implementation"
    assert any("matplotlib" in s for s in report["skipped"])
    assert not (tmp_path / "compare.png").exists()
    assert "not installed" in proc.stdout


def test_compile_probe_reports_timings() -> None:
    """The subprocess probe behind the cold/warm/hot compile-time table prints its JSON."""
    proc = subprocess.run(
        [sys.executable, "-m", "perf.compile_probe", "logistic", "jitgrad"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0 and "unavailable" in proc.stderr:
        pytest.skip(proc.stderr.strip().splitlines()[-1])
    assert proc.returncode == 0, proc.stderr[-4000:]
    timings = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(timings) == {"import_s", "first_s", "hot_s"}
    assert all(v > 0 for v in timings.values())
