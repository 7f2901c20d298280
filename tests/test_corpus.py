"""Public PyTorch programs (tests/programs/corpus/) run unchanged under ``import jitgrad as
torch`` and print what PyTorch 2.13 printed (tests/parity/corpus_expected.json, recorded by
tests/parity/record_corpus.py; numbers compared to a tolerance).

The programs run in two subprocesses (tests/parity/corpus_runner.py), whose import hook
answers ``import torch`` with jitgrad: every other program here, the rest in
tests/test_corpus_b.py, so that the two workers of ``pytest -n 2 --dist loadfile`` (which keeps
a file on one worker) share the run. Both libraries got the same random draws (same_random.py),
so seeded initialisations agree. A program in corpus_known.json must still fail (a fix makes
the test fail until the entry is removed), and the share of programs that match may not fall
below the recorded ``min_pass_ratio``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PARITY = ROOT / "tests" / "parity"
CORPUS = ROOT / "tests" / "programs" / "corpus"
EXPECTED = json.loads((PARITY / "corpus_expected.json").read_text())["programs"]
KNOWN_FILE = json.loads((PARITY / "corpus_known.json").read_text())
KNOWN = KNOWN_FILE["known"]
PROGRAMS = sorted(p.stem for p in CORPUS.glob("*.py"))
#: The programs each module runs: alternate names, so that both halves get a share of the slow
#: ones (each program runs in exactly one of them)
HALVES = (PROGRAMS[0::2], PROGRAMS[1::2])

sys.path.insert(0, str(PARITY))
from corpus_compare import first_difference  # noqa: E402


def run_programs(names: list[str]) -> dict:
    """Every program in ``names`` run in one subprocess: ``{name: {"stdout", "error"}}``."""
    # this tree first; the rest kept, so that a tool on the path (perf/compile_census.py's
    # sitecustomize) sees the runner's compiles too
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path)
    proc = subprocess.run(
        [
            sys.executable,
            str(PARITY / "corpus_runner.py"),
            "jitgrad",
            *(str(CORPUS / f"{name}.py") for name in names),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def outputs() -> dict:
    return run_programs(HALVES[0])


def _difference(outputs: dict, name: str) -> str | None:
    got = outputs[name]
    if got["error"]:
        return "raised {}: {} ({})".format(*got["error"])
    return first_difference(got["stdout"], EXPECTED[name]["stdout"])


def check_program(outputs: dict, name: str) -> None:
    """A known program still differs from PyTorch's output; any other prints the same."""
    diff = _difference(outputs, name)
    if name in KNOWN:
        assert diff is not None, f"{name} now matches PyTorch: remove it from corpus_known.json"
    else:
        assert diff is None, diff


def test_every_program_has_a_recording() -> None:
    assert sorted(EXPECTED) == PROGRAMS
    assert set(KNOWN) <= set(PROGRAMS)
    assert sorted(HALVES[0] + HALVES[1]) == PROGRAMS  # each program in exactly one module


@pytest.mark.parametrize("name", HALVES[0])
def test_program_prints_what_pytorch_printed(outputs: dict, name: str) -> None:
    check_program(outputs, name)


def test_pass_ratio_does_not_drop() -> None:
    """Each program's test asserts it matches PyTorch unless it is in corpus_known.json, so,
    when they pass, the programs that match are exactly those not listed there: the ratio over
    all programs (both halves) follows from the file, and listing a program as known may not
    take it below the recorded minimum."""
    passed = [name for name in PROGRAMS if name not in KNOWN]
    ratio = len(passed) / len(PROGRAMS)
    assert ratio >= KNOWN_FILE["min_pass_ratio"], (len(passed), len(PROGRAMS))
