"""Tutorial-style PyTorch programs (tests/programs/) run unchanged as scripts with jitgrad
imported as torch; their printed output is checked for what the program promises."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(name: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-W", "error::UserWarning", str(ROOT / "tests" / "programs" / name)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_dataloader_mlp_program_trains() -> None:
    out = _run("mlp_dataloader.py")
    losses = [float(v) for v in re.findall(r"loss (\d+\.\d+)", out)]
    assert len(losses) == 12 and losses[-1] < 0.5 * losses[0]
    assert float(re.search(r"final accuracy (\d\.\d+)", out).group(1)) >= 0.9


def test_lr_schedule_program() -> None:
    out = _run("lr_schedule.py")
    sgd_lrs = [float(v) for v in re.findall(r"sgd epoch \d+ lr (\d+\.\d+)", out)]
    # StepLR(step_size=5, gamma=0.5) after each of 15 epochs
    assert sgd_lrs == [0.1 * 0.5 ** ((e + 1) // 5) for e in range(15)]
    rms_lrs = [float(v) for v in re.findall(r"rmsprop epoch \d+ lr (\d+\.\d+)", out)]
    assert rms_lrs[0] == 0.01 and all(b <= a for a, b in zip(rms_lrs, rms_lrs[1:]))
    weights = [float(v) for v in re.search(r"weights \[(.*)\]", out).group(1).split(", ")]
    assert weights == [1.5, -2.0, 0.5]


def test_lenet_cnn_program_trains() -> None:
    out = _run("lenet_cnn.py")
    assert "(conv1): Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))" in out
    pool = "(pool): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert pool in out
    losses = [float(v) for v in re.findall(r"loss (\d+\.\d+)", out)]
    assert len(losses) == 12 and losses[-1] < 0.95 * losses[0]
    assert "batches tracked 12" in out


def test_lstm_classifier_program_trains() -> None:
    out = _run("lstm_classifier.py")
    lstm = "(lstm): LSTM(8, 12, num_layers=2, batch_first=True, dropout=0.1, bidirectional=True)"
    assert lstm in out and "(cell): GRUCell(8, 12)" in out
    losses = [float(v) for v in re.findall(r"loss (\d+\.\d+)", out)]
    assert len(losses) == 12 and losses[-1] < 0.5 * losses[0]
    assert float(re.search(r"train accuracy (\d\.\d+)", out).group(1)) >= 0.9
