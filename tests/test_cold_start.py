"""A new user's first run (issue 16, section 3): what a cold process compiles, and the one line
that says it is compiling, written while it waits rather than after.

Timings live in perf/cold_start.py; these check the mechanisms: the README example in a
process with an empty kernel cache compiles only the kernels NumPy cannot run exactly
(``jitgrad.fusion.tier0_numpy``), with the gradient's bytes those of a process that compiled
everything (``JITGRAD_TIER0=0``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from jitgrad.kernels.cpu import compile_notice

ROOT = Path(__file__).resolve().parent.parent

README = """
import sys
import jitgrad as torch
from jitgrad.kernels.cpu.jit import STATS
late = ("jitgrad.capture", "jitgrad.distributions")
at_import = [STATS["compiled"], STATS["loaded"], [m for m in late if m in sys.modules]]
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x * x + x.sin()).sum()
y.backward()
print(at_import)
print(x.grad.numpy().tobytes().hex(), y.grad_fn.name())
"""


def _cold(tmp: Path, **env: str) -> tuple[str, set[str]]:
    """The README example in a fresh process on the empty cache ``tmp``: its output and the
    generated kernels whose compiled code it left there."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("JITGRAD_")}
    full.update(JITGRAD_CACHE_DIR=str(tmp), PYTHONPATH=str(ROOT), **env)
    tmp.mkdir()
    res = subprocess.run([sys.executable, "-c", README], env=full, capture_output=True,
                         text=True, timeout=300, cwd=tmp)  # fmt: skip
    assert res.returncode == 0, res.stderr
    # what ``import jitgrad`` did: no kernel compiled or loaded, torch.compile's front end and
    # torch.distributions not loaded (they load at first use: tests/test_lazy_modules.py)
    at_import, out = res.stdout.strip().splitlines()
    assert at_import == "[0, 0, []]"
    # _gen_<label>_<hash>.<function>-<line>.py311.<index>.nbc -> <label>
    compiled = {p.name.split(".")[0][5:].rsplit("_", 1)[0] for p in tmp.rglob("_gen_*.nbc")}
    return out, compiled


def test_readme_example_cold_compiles_only_what_numpy_cannot_run(tmp_path):
    out, compiled = _cold(tmp_path / "tier0")
    want, everything = _cold(tmp_path / "all", JITGRAD_TIER0="0")
    assert out == want  # bitwise: the gradient's bytes
    assert out.endswith("SumBackward0")
    assert {"mul", "add", "sin", "add_sin_mul_fbwd"} <= everything
    assert "mul" not in compiled and "add" not in compiled  # x * x and + ran in NumPy
    assert "sin" in compiled  # (fastmath's sin: compiled, as before)


def _event(name: str) -> SimpleNamespace:
    fn = SimpleNamespace(__qualname__=name, __module__="jitgrad.fusion.tier0_interp")
    return SimpleNamespace(data={"dispatcher": SimpleNamespace(py_func=fn)})


def test_the_notice_is_written_while_a_long_compile_runs(monkeypatch, capsys):
    """A compile that passes the threshold is announced while it runs (tier 0's and
    capture's interpreters take 5-20 s), naming it; once, and never again after."""
    monkeypatch.setattr(compile_notice, "NOTICE_SECONDS", 0.05)
    notice = compile_notice.CompileNotice()
    notice.enabled = True
    ev = _event("_run")
    notice.on_start(ev)
    deadline = time.perf_counter() + 30
    while "jitgrad: compiling" not in (err := capsys.readouterr().err):
        assert time.perf_counter() < deadline, "no line while compiling"
        time.sleep(0.01)
    assert "(1 so far" in err and "now jitgrad.fusion.tier0_interp._run" in err
    assert err.count("\n") == 1
    notice.on_end(ev)
    notice.on_start(ev)
    time.sleep(0.1)
    notice.on_end(ev)
    assert capsys.readouterr().err == "" and notice.count == 2


def test_a_short_compile_says_nothing_and_stops_its_timer(monkeypatch, capsys):
    monkeypatch.setattr(compile_notice, "NOTICE_SECONDS", 5.0)
    notice = compile_notice.CompileNotice()
    notice.enabled = True
    ev = _event("_gen_mul_0123")
    notice.on_start(ev)
    timer = notice.timer
    assert timer is not None and timer.daemon
    notice.on_end(ev)
    timer.join(5)
    assert not timer.is_alive() and notice.timer is None
    assert capsys.readouterr().err == "" and notice.enabled


def test_a_long_compile_after_the_first_line_gets_a_line_of_its_own(monkeypatch, capsys):
    """The first line is often used up by a program's first kernels; an interpreter built
    later (seconds) is still announced while it builds, a short compile is not."""
    monkeypatch.setattr(compile_notice, "LONG_SECONDS", 0.05)
    notice = compile_notice.CompileNotice()
    notice.enabled, notice.long = False, True  # the first line already written
    ev = _event("_run")
    notice.on_start(ev)
    deadline = time.perf_counter() + 30
    while "still compiling" not in (err := capsys.readouterr().err):
        assert time.perf_counter() < deadline, "no line while compiling"
        time.sleep(0.01)
    assert err.startswith("jitgrad: still compiling jitgrad.fusion.tier0_interp._run (")
    notice.on_end(ev)
    monkeypatch.setattr(compile_notice, "LONG_SECONDS", 5.0)
    notice.on_start(ev)
    notice.on_end(ev)
    time.sleep(0.1)
    assert capsys.readouterr().err == ""
    quiet = compile_notice.CompileNotice()
    quiet.enabled = quiet.long = False  # JITGRAD_COMPILE_NOTICE=0
    quiet.on_start(ev)
    assert quiet.timer is None
    quiet.on_end(ev)
