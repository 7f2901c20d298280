"""The memory scripts in perf/ run end to end (short runs), so a refactor elsewhere cannot
silently break the measurements issue 12 asks for. Their numbers are in perf/RESULTS.md."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "script, args",
    [
        ("rss_demo_train.py", ["--steps", "40", "--every", "20", "--warmup", "20"]),
        ("rss_varying_sizes.py", ["--steps", "6", "--every", "3", "--max-mb", "2"]),
    ],
)
def test_rss_script_runs_and_reports_growth(script: str, args: list[str]) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, str(ROOT / "perf" / script), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # The closing line states the growth in MB; it must parse as a number.
    assert re.search(r"[+-]\d+(\.\d+)? MB", done.stdout), done.stdout[-2000:]
