"""The main job: ``python -m jitgrad.demo`` runs end to end (a short run) and writes its files,
with or without scikit-learn and matplotlib (``pip install -e ".[demo]"`` brings both)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

from jitgrad.demo_data import FONT, glyphs, split, synthetic_digits

ROOT = Path(__file__).resolve().parents[1]


def test_demo_help():
    out = subprocess.run(
        [sys.executable, "-m", "jitgrad.demo", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    ).stdout
    for flag in ("--epochs", "--hidden", "--batch-size", "--lr", "--no-fusion", "--seed", "--out"):
        assert flag in out
    assert "--count-launches" not in out  # the launch-counting child's flag is internal


def test_demo_trains_and_reports(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("JITGRAD_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "jitgrad.demo", "--epochs", "8", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    acc = float(out.split("held-out accuracy ")[1].split("%")[0])
    assert acc >= 90.0  # 8 epochs; the default 30 reach >= 95%
    # no silent first step: what it compiled or loaded, and how long it took
    lines = out.splitlines()
    first = lines.index(next(line for line in lines if line.startswith("compiling kernels")))
    took = re.match(
        r"  first step took [\d.]+ s: (\d+) kernel\(s\) compiled, (\d+) loaded", lines[first + 1]
    )
    assert took is not None, lines[first + 1]
    assert int(took[1]) + int(took[2]) > 0
    assert "jitgrad.explain" in out and "warm, unfused" in out
    # what fusion bought, measured: fewer launches (NewGELU's backward is one kernel)
    said = re.search(
        r"fusion made the step [\d.]+x (faster|slower)[^:]*: (\d+) kernel launches "
        r"instead of (\d+)",
        out,
    )
    assert said is not None, out
    assert int(said[2]) < int(said[3])
    # stderr is a pipe here: whole progress lines, not one line redrawn with \r
    err = proc.stderr
    assert "\r" not in err
    bar = [line for line in err.splitlines() if line.startswith("step ")]
    assert 5 <= len(bar) <= 12 and all(len(line) < 120 for line in bar)
    assert bar[-1].startswith("step 184/184 ") and "epoch 8/8" in bar[-1]
    if "train_step.dot" in out:
        assert (tmp_path / "train_step.dot").read_text().lstrip().startswith("digraph")
    if "training_curves.png" in out:
        assert (tmp_path / "training_curves.png").read_bytes()[:4] == b"\x89PNG"


def test_synthetic_digits_draw_the_font():
    x, y = synthetic_digits(200, seed=1)
    assert x.shape == (200, 64) and x.dtype == np.float32 and y.dtype == np.int64
    assert x.min() >= 0.0 and x.max() <= 1.0 and set(y.tolist()) == set(range(10))
    font = glyphs()
    assert font.shape == (10, 7, 5) and font[1].sum() == FONT[1].count("1")
    # every image is its label's glyph somewhere in the 8x8 (ink >= 0.7, noise sd 0.1):
    # the glyph's pixels are brighter on average than the rest at the right offset
    for img, label in zip(x.reshape(-1, 8, 8), y):
        scores = []
        for dy in range(2):
            for dx in range(4):
                window = img[dy : dy + 7, dx : dx + 5]
                scores.append(window[font[label] == 1].mean() - window[font[label] == 0].mean())
        assert max(scores) > 0.4


def test_split_is_a_fixed_80_20_permutation():
    x = np.arange(100, dtype=np.float32).reshape(50, 2)
    y = np.arange(50)
    a = split(x, y, 0)
    b = split(x, y, 0)
    assert [len(p) for p in a] == [40, 40, 10, 10]
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert sorted(np.concatenate([a[1], a[3]]).tolist()) == list(range(50))
    assert np.array_equal(a[0][:, 0] // 2, a[1])  # rows keep their labels
