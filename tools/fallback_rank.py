"""Rank the ops that real programs send through the CUDA backend's host fallback.

Runs corpus programs (tests/programs/corpus/) under ``import jitgrad as torch`` (the corpus
runner's import hook) with ``cuda`` as the default device, in Numba's CUDA simulator without a
GPU, and counts the ``host fallback: <op>`` messages (``JITGRAD_DEBUG=1``) per op: calls, and
the programs that made them. Each program gets ``--seconds`` of wall time (the simulator runs
a kernel thread by thread, so long training loops are cut short: the count is of what a
program does in its first seconds, which is where its step's ops first appear).

Why a script and not a test: the corpus takes many minutes in the simulator; the device
tests (``tests/cuda_sim/cases_*.py``) hold the ops this ranking pointed at.

Usage: ``NUMBA_ENABLE_CUDASIM=1 JITGRAD_DEBUG=1 python tools/fallback_rank.py [--seconds=N]
[--json=PATH] [PROGRAM ...]`` (programs by stem; all of the corpus by default);
``python tools/fallback_rank.py --compare BEFORE.json AFTER.json`` compares two runs.
"""

from __future__ import annotations

import collections
import contextlib
import io
import json
import logging
import os
import runpy
import signal
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "programs" / "corpus"
sys.path.insert(0, str(ROOT / "tests" / "parity"))

import corpus_runner  # noqa: E402 - the tests' import hook (torch -> jitgrad)


class _Log(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.ops: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("host fallback: "):
            self.ops.append(message.split(": ", 1)[1])


class _Timeout(BaseException):
    """Raised by the alarm: a BaseException, so a program's ``except Exception`` lets it by."""


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout


def run(stem: str, seconds: int, torch: object, log: _Log) -> tuple[list[str], str]:
    """The fallback ops of one program (in call order) and how it ended."""
    log.ops.clear()
    torch.set_default_dtype(torch.float32)
    torch.set_grad_enabled(True)
    torch.manual_seed(0)
    torch.set_default_device("cuda")
    home = os.getcwd()
    end = "ok"
    signal.signal(signal.SIGALRM, _alarm)
    # (then again every second: an alarm that lands in a finalizer is ignored by Python)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                runpy.run_path(str(CORPUS / f"{stem}.py"), run_name="__main__")
        except _Timeout:
            end = "timeout"
        except BaseException as exc:  # noqa: BLE001 - a failure ends the program's count
            end = f"{type(exc).__name__}: {str(exc)[:120]}"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            os.chdir(home)
            torch.set_default_device("cpu")
    return list(log.ops), end


def compare(before_path: str, after_path: str) -> None:
    """Fallback calls per op in two runs' ``--json`` files, over the programs that ended the
    same way in both (both finished, or both failed alike: a program cut by its time limit
    did a load-dependent amount of work, so it is counted apart)."""
    before, after = (json.loads(Path(p).read_text()) for p in (before_path, after_path))
    common = sorted(set(before) & set(after))
    same = [s for s in common if before[s]["end"] == after[s]["end"] != "timeout"]
    cut = [s for s in common if s not in same]
    for label, stems in (("ended alike", same), ("cut or ended differently", cut)):
        b, a = collections.Counter(), collections.Counter()
        for s in stems:
            b.update(before[s]["ops"])
            a.update(after[s]["ops"])
        with_b = sum(1 for s in stems if before[s]["ops"])
        with_a = sum(1 for s in stems if after[s]["ops"])
        print(f"== {label}: {len(stems)} programs; with a fallback {with_b} -> {with_a}; "
              f"calls {sum(b.values())} -> {sum(a.values())}")  # fmt: skip
        for op in sorted(set(b) | set(a), key=lambda o: (-b[o], -a[o], o)):
            print(f"{op:32} {b[op]:6} -> {a[op]:6}")


def main(argv: list[str]) -> None:
    if argv[:1] == ["--compare"]:
        compare(argv[1], argv[2])
        return
    seconds = next((int(a.split("=")[1]) for a in argv if a.startswith("--seconds=")), 30)
    out = next((a.split("=", 1)[1] for a in argv if a.startswith("--json=")), None)
    stems = [a for a in argv if not a.startswith("--")] or sorted(
        p.stem for p in CORPUS.glob("*.py")
    )
    sys.meta_path.insert(0, corpus_runner._TorchAlias())
    import torch  # noqa: PLC0415 - jitgrad, through the hook installed just above

    log = _Log()
    logger = logging.getLogger("jitgrad")
    logger.addHandler(log)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    for h in list(logger.handlers):
        if h is not log:
            logger.removeHandler(h)
    torch.ones(1, device="cuda")  # the backend (and its fallback) installed
    calls: collections.Counter = collections.Counter()
    programs: collections.Counter = collections.Counter()
    per_program = {}
    for stem in stems:
        ops, end = run(stem, seconds, torch, log)
        calls.update(ops)
        programs.update(set(ops))
        per_program[stem] = {"end": end, "ops": dict(collections.Counter(ops))}
        sys.stderr.write(f"{stem}: {json.dumps(per_program[stem])}\n")
        sys.stderr.flush()
    print(f"{'op':32} {'programs':>8} {'calls':>8}")
    for op, n in sorted(programs.items(), key=lambda kv: (-kv[1], -calls[kv[0]], kv[0])):
        print(f"{op:32} {n:8} {calls[op]:8}")
    total = sum(1 for p in per_program.values() if p["ops"])
    print(f"== {len(stems)} programs, {total} with a fallback, {sum(calls.values())} calls")
    if out:
        Path(out).write_text(json.dumps(per_program, indent=1, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1:])
