"""The main job: ``python -m jitgrad.demo`` runs end to end (a short run) and writes its files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_demo_help():
    out = subprocess.run(
        [sys.executable, "-m", "jitgrad.demo", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    for flag in ("--epochs", "--hidden", "--batch-size", "--lr", "--no-fusion", "--seed", "--out"):
        assert flag in out


def test_demo_trains_and_reports(tmp_path):
    pytest.importorskip("sklearn")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "jitgrad.demo", "--epochs", "8", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    acc = float(out.split("held-out accuracy ")[1].split("%")[0])
    assert acc >= 90.0  # 8 epochs; the default 30 reach >= 95%
    assert "jitgrad.explain" in out and "cold (first step" in out and "warm, unfused" in out
    assert "epoch   8/8" in proc.stderr
    if "train_step.dot" in out:
        assert (tmp_path / "train_step.dot").read_text().lstrip().startswith("digraph")
    if "training_curves.png" in out:
        assert (tmp_path / "training_curves.png").read_bytes()[:4] == b"\x89PNG"
