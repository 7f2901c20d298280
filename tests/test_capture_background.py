"""The tape interpreter compiles in the background (issue 16 section 2): a compiled
function's calls run eagerly, with eager's results, until its loop is ready, then replay;
``explain()`` says which; a failed compile leaves the calls eager and says why.

The compile itself is replaced by a gated stand-in (the real loop, from the disk cache, once
the test opens the gate), so the tests control when it is "done" without a 20 s compile."""

from __future__ import annotations

import threading

import pytest

import jitgrad as torch
from jitgrad.capture import build, interp


@pytest.fixture
def gated(monkeypatch):
    """Background builds on, nothing built yet, and ``_build`` waiting on a gate."""
    monkeypatch.setenv("JITGRAD_CAPTURE_BACKGROUND", "1")
    monkeypatch.setattr(build, "_READY", {})
    monkeypatch.setattr(build, "_BUILDING", {})
    monkeypatch.setattr(build.jit, "has_cached_code", lambda dispatcher: False)
    gate, real = threading.Event(), build._build
    builds: list[str] = []

    def gated_build(dtype: str, codes=interp.ALL):
        builds.append(dtype)
        assert gate.wait(60)
        return real(dtype, codes)

    monkeypatch.setattr(build, "_build", gated_build)
    monkeypatch.setattr(build, "_precompile", lambda dtype, codes: builds.append("child"))
    monkeypatch.setattr(build, "_index", lambda dtype: [])  # (no loop compiled before)
    return gate, builds


def _step():
    w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    x = torch.tensor([1.0, 2.0, 3.0])

    def step():
        w.grad = None
        loss = (torch.tanh(w * x) * 3).sum()
        loss.backward()
        return loss.detach(), w.grad

    return step


def _bytes(out) -> list[bytes]:
    return [t.numpy().tobytes() for t in out]


def test_calls_run_eagerly_until_the_loop_is_built_then_replay(gated) -> None:
    gate, builds = gated
    step = _step()
    want = _bytes(step())
    compiled = torch.compile(step)
    assert _bytes(compiled()) == want  # the trace (eager), which starts the build
    assert builds == ["child", "float32"]  # the child process, then the load here
    (program,) = compiled._capture.entries[next(iter(compiled._capture.entries))]
    for _ in range(3):  # the build waits on the gate: these run eagerly
        assert _bytes(compiled()) == want
    assert program.kernel is None
    assert "compiling in background: calls run eagerly" in compiled.explain()
    gate.set()
    build.wait("float32")
    for _ in range(2):
        assert _bytes(compiled()) == want
    assert program.kernel is not None  # it replays now
    assert "eagerly" not in compiled.explain()
    assert builds == ["child", "float32"]  # one build, however many calls waited for it


def test_a_failed_build_leaves_the_calls_eager_and_says_why(gated, monkeypatch) -> None:
    gate, _ = gated
    step = _step()
    want = _bytes(step())
    compiled = torch.compile(step)
    assert _bytes(compiled()) == want  # the trace starts the build, which waits on the gate

    def broken(*args):
        raise RuntimeError("no LLVM today")

    monkeypatch.setattr(interp, "kernel", lambda dtype, codes=None: broken)
    (thread,) = build._BUILDING.values()
    gate.set()
    thread.join()
    for _ in range(3):
        assert _bytes(compiled()) == want
    assert "no LLVM today" in compiled.explain()
    assert "calls run eagerly" in compiled.explain()


def test_without_background_the_first_replay_waits(monkeypatch) -> None:
    monkeypatch.setenv("JITGRAD_CAPTURE_BACKGROUND", "0")
    step = _step()
    want = _bytes(step())
    compiled = torch.compile(step)
    compiled()
    (program,) = compiled._capture.entries[next(iter(compiled._capture.entries))]
    assert program.kernel is not None  # built (or loaded) when the trace ended
    assert _bytes(compiled()) == want
