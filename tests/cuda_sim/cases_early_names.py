"""An op a program imports by name before its first device tensor (``from torch import
angle``) still gets the device wrappers installed at activation: the reroute reaches the
program's module globals. Run in a fresh interpreter, so no earlier case has activated the
backend before the names are bound."""

from __future__ import annotations

import os
import subprocess
import sys

PROGRAM = r"""
from jitgrad import angle, sum as total
from jitgrad.nn.functional import linear
import jitgrad as torch

x = torch.tensor([[1.0, -2.0]], device="cuda", requires_grad=True)
a = angle(x)
assert a.is_cuda and a.tolist() == [[0.0, 3.1415927410125732]], (a.device, a)
s = total(x)
assert s.is_cuda and s.item() == -1.0, s.device
s.backward()
assert x.grad.is_cuda and x.grad.tolist() == [[1.0, 1.0]], x.grad.device
y = linear(x, torch.tensor([[1.0, 1.0], [2.0, 0.0]], device="cuda"))
assert y.is_cuda and y.tolist() == [[-1.0, 2.0]], y
print("ok")
"""


def test_ops_imported_by_name_before_the_first_device_tensor():
    proc = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stdout + proc.stderr[-3000:]
