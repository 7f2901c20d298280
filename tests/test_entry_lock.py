"""Processes sharing a cold kernel cache compile each overload once: one that misses while
another is compiling the same overload waits for it and loads its file (test workers of
``pytest -n auto`` start on the same common kernels); a holder that never finishes, or a
compile that fails, blocks nobody; two processes never build the tier-0 interpreter at once."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numba
import pytest

from jitgrad.fusion import diskcache, tier0
from jitgrad.fusion import tier0_interp as I
from jitgrad.kernels.cpu import entry_lock

ROOT = Path(__file__).resolve().parents[1]

KERNELS = textwrap.dedent(
    """
    from jitgrad.kernels.cpu.jit import cached_njit

    @cached_njit
    def add_half(x):
        return x + 0.5

    @cached_njit
    def bad(x):
        return x.no_such_attribute
    """
)

# A second process: takes the lock of add_half(float64)'s cache file, says so, waits for the
# test to start its call, then compiles and saves it (releasing the lock) after ``PAUSE``
# seconds, or with HANG never releases it.
HOLDER = textwrap.dedent(
    """
    import importlib, os, sys, time
    from numba import types
    from jitgrad.kernels.cpu import entry_lock
    sys.path.insert(0, os.path.dirname(sys.argv[2]))
    mod = importlib.import_module(sys.argv[1])
    d = mod.add_half
    key = d._cache._index_key((types.float64,), d.targetctx.codegen())
    assert entry_lock.acquire(d._cache._cache_file._locate(key)[0], wait=0)
    print("held", flush=True)
    if sys.argv[3] == "HANG":
        time.sleep(600)
    while not os.path.exists(sys.argv[3]):
        time.sleep(0.01)
    time.sleep(float(os.environ["PAUSE"]))
    print("compiled", d(1.0), flush=True)
    """
)


def _module(tmp_path: Path, monkeypatch):
    """The kernels as an importable module (a cached overload is unpickled by module name)."""
    path = tmp_path / f"kmod_{tmp_path.name}.py"
    path.write_text(KERNELS)
    monkeypatch.syspath_prepend(str(tmp_path))
    return importlib.import_module(path.stem), path


def _holder(mod_path: Path, arg: str, pause: float = 0.0) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PAUSE": str(pause)}
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, mod_path.stem, str(mod_path), arg],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout.readline().strip() == "held", proc.stderr.read()
    return proc


def test_a_process_waits_for_another_compiling_the_same_overload(tmp_path, monkeypatch):
    mod, path = _module(tmp_path, monkeypatch)
    go = tmp_path / "go"
    proc = _holder(path, str(go), pause=1.0)
    go.touch()  # the holder compiles a second from now; this call misses before that
    assert mod.add_half(1.0) == 1.5
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert out.split() == ["compiled", "1.5"]
    d = mod.add_half
    assert sum(d._cache_misses.values()) == 0  # not compiled here: loaded the holder's file
    assert sum(d._cache_hits.values()) == 1
    assert entry_lock.held() == []


def test_a_holder_that_never_finishes_delays_by_the_wait_only(tmp_path, monkeypatch):
    mod, path = _module(tmp_path, monkeypatch)
    proc = _holder(path, "HANG")
    try:
        monkeypatch.setattr(entry_lock, "WAIT_SECONDS", 0.3)
        start = time.monotonic()
        assert mod.add_half(2.0) == 2.5
        assert time.monotonic() - start >= 0.3
    finally:
        proc.kill()
        proc.wait()
    assert sum(mod.add_half._cache_misses.values()) == 1  # compiled here after the wait
    assert entry_lock.held() == []


def test_a_failed_compile_releases_its_lock(tmp_path, monkeypatch):
    mod, _ = _module(tmp_path, monkeypatch)
    with pytest.raises(numba.core.errors.TypingError):
        mod.bad(1.0)
    assert entry_lock.held() == []
    assert mod.add_half(1.0) == 1.5  # and a later compile in the same directory goes on
    assert entry_lock.held() == []


CLAIM = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from jitgrad.kernels.cpu import entry_lock
    assert entry_lock.claim(Path(sys.argv[1]))
    print("held", flush=True)
    sys.stdin.readline()
    """
)


def test_tier0_is_not_built_while_another_process_builds_it(tmp_path, monkeypatch):
    monkeypatch.setattr(diskcache, "kernel_dir", lambda: tmp_path)
    monkeypatch.setattr(diskcache, "compiled_count", lambda: tier0.AFTER_COMPILES)
    monkeypatch.setattr(I, "SIGNATURES", {})
    built = []
    monkeypatch.setattr(I, "loop", built.append)
    marker = tier0.marker_path("float64")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", CLAIM, str(marker)], env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout.readline().strip() == "held", proc.stderr.read()
        assert tier0.ready("float64") is False  # the other process is building it
        assert built == []
    finally:
        proc.communicate("\n", timeout=300)
    assert tier0.ready("float64") is True  # free again: built here, marker written
    assert built == ["float64"] and marker.exists()
    assert entry_lock.held() == []


def test_a_negative_ready_is_remembered_until_the_process_compiles_or_time_passes(
    tmp_path, monkeypatch
):
    """A kernel in tier 0 asks ``ready`` at each call; the disk is asked again only after a
    compile of this process or ``RECHECK_S`` (a stat per call cost ~5 us of a ~10 us call)."""
    monkeypatch.setattr(diskcache, "kernel_dir", lambda: tmp_path)
    count = [0]
    monkeypatch.setattr(diskcache, "compiled_count", lambda: count[0])
    monkeypatch.setattr(I, "SIGNATURES", {})
    built = []
    monkeypatch.setattr(I, "loop", built.append)
    monkeypatch.setattr(tier0, "_NOT_YET", {})
    monkeypatch.setattr(tier0, "RECHECK_S", 3600.0)
    assert tier0.ready("float32") is False
    tier0.marker_path("float32").write_bytes(b"")  # another process left it
    assert tier0.ready("float32") is False  # not asked again yet
    count[0] = 1  # this process compiled a kernel: asked again, found, loaded
    assert tier0.ready("float32") is True
    assert built == ["float32"]
    monkeypatch.setattr(tier0, "_NOT_YET", {"float64": (1, time.monotonic() - 1.0)})
    monkeypatch.setattr(tier0, "RECHECK_S", 0.5)
    tier0.marker_path("float64").write_bytes(b"")
    assert tier0.ready("float64") is True  # the remembered answer is older than RECHECK_S


def test_a_marker_left_by_another_copy_of_the_interpreter_does_not_say_it_is_built(
    tmp_path, monkeypatch
):
    """The marker names the interpreter's own cache entry (source path and stamp): another
    copy of jitgrad or another op table sharing the cache left a marker for its own compiled
    file, and taking it for ours compiled the interpreter at the first kernel (Run subproc)."""
    monkeypatch.setattr(diskcache, "kernel_dir", lambda: tmp_path)
    monkeypatch.setattr(diskcache, "compiled_count", lambda: 0)
    monkeypatch.setattr(I, "SIGNATURES", {})
    monkeypatch.setattr(tier0, "_NOT_YET", {})
    built = []
    monkeypatch.setattr(I, "loop", built.append)
    (tmp_path / "tier0-float64.ready").write_bytes(b"")  # the name before this marker
    (tmp_path / "tier0-float64-0123456789abcdef.ready").write_bytes(b"")  # another copy's
    assert tier0.marker_path("float64").parent == tmp_path
    assert tier0.marker_path("float64").name not in {p.name for p in tmp_path.iterdir()}
    assert tier0.ready("float64") is False and built == []
    monkeypatch.setattr(tier0, "_NOT_YET", {})
    tier0.marker_path("float64").write_bytes(b"")  # this interpreter's own
    assert tier0.ready("float64") is True and built == ["float64"]


SHARED = textwrap.dedent(
    """
    import json, sys, time
    from dataclasses import replace
    import numpy as np
    from numba.core import event
    from jitgrad.fusion import codegen as C, lowering as LW, tier0, tier0_interp
    from jitgrad.ops.registry import REGISTRY

    compiles = []
    class Count(event.Listener):
        def on_start(self, ev):
            if ev.data["dispatcher"].py_func is tier0_interp._run:
                compiles.append(str(ev.data["args"]))
        def on_end(self, ev):
            pass
    event.register("numba:compile", Count())
    tier0.AFTER_INT64 = 0  # (as the corpus runner's AFTER_COMPILES: build at the first kernel)
    print("started", flush=True)
    sys.stdin.readline()  # both go at once
    deadline = time.monotonic() + 280
    while not tier0.ready("int64") and time.monotonic() < deadline:
        time.sleep(0.02)  # the other process builds it: ready once its marker is written
    spec = replace(LW.op_forward(REGISTRY["mul"], "tt", 1, False, "int64", "int64"),
                   label="t0shared")
    x = np.arange(1, 6)
    out = np.zeros(5, dtype=np.int64)
    tier0.translate(spec, (x, x, out), C.REDUCE_BLOCK).launch(C.get_kernel(spec), (x, x, out))
    print(json.dumps({"compiles": compiles, "out": out.tolist()}), flush=True)
    """
)


def test_two_processes_starting_together_on_a_fresh_cache_build_the_interpreter_once(tmp_path):
    """Two processes on one empty cache both want an interpreter at their first kernel (the
    two corpus halves under ``-n 2``, the float64 one): the marker's lock lets one build it,
    the other goes on without it and loads the file once the marker is there. Compiles are
    counted with Numba's compile events (a cache load raises none). The int64 interpreter:
    the same loop, lock and marker per dtype as float64's, built in half its CPU (6.5 against
    13.4 s: Run subproc19)."""
    env = {
        **os.environ, "PYTHONPATH": str(ROOT), "JITGRAD_CACHE_DIR": str(tmp_path / "cache"),
        "NUMBA_CACHE_DIR": str(tmp_path / "numba"), "JITGRAD_COMPILE_NOTICE": "0",
        "JITGRAD_TIER0_BACKGROUND": "0",
    }  # fmt: skip
    procs = [
        subprocess.Popen([sys.executable, "-c", SHARED], env=env, text=True,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]  # fmt: skip
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "started", p.stderr.read()
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        results = [p.communicate(timeout=300) for p in procs]
    finally:
        for p in procs:
            p.kill()
    reports = []
    for (out, err), p in zip(results, procs, strict=True):
        assert p.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    assert sorted(len(r["compiles"]) for r in reports) == [0, 1]
    for r in reports:  # x * x through the interpreter, in both processes
        assert r["out"] == [1, 4, 9, 16, 25]
