"""jitgrad runs each program of the parity table and must reproduce what PyTorch recorded.

The expected outputs (values, gradients, node names, error types and messages, reprs) were
recorded once from PyTorch 2.13 by ``tests/parity/record.py`` into
``tests/parity/expected.json``; this test needs no PyTorch. A program marked ``xfail`` in
``tests/parity/programs.py`` is a known, listed difference (strict, so a fix shows up).
"""

from __future__ import annotations

import json
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent / "parity"
sys.path.insert(0, str(HERE))

import harness  # noqa: E402
from programs import PROGRAMS  # noqa: E402

import jitgrad  # noqa: E402

EXPECTED = json.loads((HERE / "expected.json").read_text())["programs"]


def _param(prog):
    marks = [pytest.mark.xfail(strict=True, reason=prog.xfail)] if prog.xfail else []
    return pytest.param(prog, id=prog.name, marks=marks)


def test_table_names_are_unique_and_recorded():
    names = [p.name for p in PROGRAMS]
    assert len(names) == len(set(names))
    assert set(names) == set(EXPECTED), "rerun tests/parity/record.py under PyTorch"


@pytest.mark.parametrize("prog", [_param(p) for p in PROGRAMS])
def test_program_matches_pytorch(prog):
    jitgrad.set_default_dtype(jitgrad.float32)
    with jitgrad.set_grad_enabled(True):
        got = harness.run(prog.code, jitgrad)
    want = EXPECTED[prog.name]
    err = harness.mismatch(got, want, prog.rtol, prog.atol)
    assert err is None, f"{err}\n got: {json.dumps(got)[:2000]}\nwant: {json.dumps(want)[:2000]}"
