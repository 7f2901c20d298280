"""Tier 0's background compiles and the heat carried across processes
(jitgrad.fusion.tier0_background; the tests' default turns both off: tests/conftest.py).

A program in a fresh cache whose small kernel gets hot has it compiled by a child process while
its calls stay interpreted, then loads the child's code (compiling nothing itself) with the
same results; the next process loads it from disk at once. A kernel that stays under the
threshold in one run carries its cost to the next. A damaged heat file is no heat; a child that
cannot compile leaves the kernel to tier 0's budget, as before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from jitgrad.explain import _status
from jitgrad.fusion import codegen as C
from jitgrad.fusion import lowering as LW
from jitgrad.fusion import tier0
from jitgrad.fusion import tier0_background as B
from jitgrad.ops.registry import REGISTRY

ROOT = Path(__file__).resolve().parent.parent

# ``calls`` multiplications of two 0-d float32 tensors (a generated kernel that NumPy runs in
# tier 0 before the interpreter exists), then, with ``wait``, one more after the background
# compile has delivered; prints what the kernel ran as and the process's own compiles.
PROGRAM = """
import json, sys
import numpy as np
import jitgrad as torch
from jitgrad.fusion import diskcache, tier0, tier0_background
calls, wait = int(sys.argv[1]), sys.argv[2] == "wait"
x, y = torch.tensor(1.1), torch.tensor(3.7)
got = [(x * y).numpy().tobytes().hex() for _ in range(calls)]
kernel = next(k for k in diskcache.MEMORY.values() if k.name.startswith("_gen_mul_"))
state = {"tier0": isinstance(kernel.fn, tier0.Tier0)}
if isinstance(kernel.fn, tier0.Tier0):
    state.update(spent=kernel.fn.spent, carried=kernel.fn.carried, queued=kernel.fn.queued)
if wait:
    state["delivered"] = tier0_background.wait(300)
    got.append((x * y).numpy().tobytes().hex())
state.update(after=isinstance(kernel.fn, tier0.Tier0), from_disk=kernel.from_disk,
             name=kernel.name, values=sorted(set(got)), compiled=diskcache.compiled_count())
print(json.dumps(state))
"""


def _run(cache: Path, calls: int, wait: bool = False) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JITGRAD_")}
    env.update(JITGRAD_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT), JITGRAD_TIER0_BACKGROUND="1")
    res = subprocess.run([sys.executable, "-c", PROGRAM, str(calls), "wait" if wait else "-"],
                         env=env, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.splitlines()[-1])


def _product() -> str:
    return (np.float32(1.1) * np.float32(3.7)).tobytes().hex()


def test_a_hot_kernel_compiles_in_a_child_and_the_next_process_loads_it(tmp_path):
    first = _run(tmp_path, 800, wait=True)
    assert first["tier0"] and first["queued"] == 1  # interpreted, and sent to the child
    assert first["delivered"] and not first["after"]  # then ran the child's code...
    assert first["from_disk"] is True  # ...loaded from disk, not compiled here
    assert first["values"] == [_product()]  # every call, interpreted or compiled: bitwise
    code = list((tmp_path / "kernels").rglob(f"{first['name']}.*.nbc"))
    assert len(code) == 1, code
    second = _run(tmp_path, 3)
    assert not second["tier0"] and second["from_disk"] is True  # loaded at its first call
    assert second["compiled"] == 0 and second["values"] == [_product()]


def test_a_kernel_hot_over_several_runs_carries_its_cost(tmp_path):
    """100 calls per run stay under HOT (~500 calls): each run adds its estimate to the heat
    file and the next one starts from it; a damaged file reads as no heat."""
    first = _run(tmp_path, 100)
    assert first["tier0"] and first["carried"] == 0 and first["queued"] == 0
    (heat_file,) = (tmp_path / "kernels").rglob(B.HEAT_FILE)
    heat = json.loads(heat_file.read_text())
    assert heat[first["name"]] == pytest.approx(first["spent"])
    second = _run(tmp_path, 100)
    assert second["carried"] == pytest.approx(first["spent"])
    assert second["spent"] == pytest.approx(2 * first["spent"])
    heat_file.write_bytes(b"\x00{garbage" * 100)
    third = _run(tmp_path, 100)
    assert third["carried"] == 0 and third["values"] == [_product()]
    assert json.loads(heat_file.read_text())[first["name"]] == pytest.approx(first["spent"])


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xfe", b"[1, 2]", b'"x"', b"[" * 100000, b'{"a": 1e999}', b"{" + b" " * (2 << 20)],
)
def test_a_damaged_heat_file_is_no_heat(tmp_path, data):
    path = tmp_path / B.HEAT_FILE
    path.write_bytes(data)
    assert B.read_heat(path) == {}
    assert B.read_heat(tmp_path / "missing") == {}


def test_odd_heat_entries_are_dropped_or_clamped(tmp_path):
    path = tmp_path / B.HEAT_FILE
    entries = {"a": 0.003, "b": -1.0, "c": "0.5", "d": [1], "e": 7.0, "f": float("nan"),
               "g": 5, "h": True, "i": 0.0}  # fmt: skip
    path.write_text(json.dumps(entries))
    assert B.read_heat(path) == {"a": 0.003, "e": B.CAP}


def test_the_heat_file_drops_kernels_whose_code_is_on_disk(tmp_path, monkeypatch):
    """At exit a process adds its kernels' cost, and drops the kernels that left tier 0 or
    whose compiled code another process has left in the cache (they never start in tier 0)."""
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "_gen_b_1.b-10.py311.89ab.nbc").write_bytes(b"")
    (tmp_path / B.HEAT_FILE).write_text(json.dumps({"_gen_a_1": 0.001, "_gen_b_1": 0.002}))
    monkeypatch.setattr(B.diskcache, "kernel_dir", lambda: tmp_path)
    kernel = SimpleNamespace(name="_gen_a_1")
    hot = SimpleNamespace(kernel=kernel, spent=0.004, carried=0.001)
    kernel.fn = hot  # (still in tier 0)
    left = SimpleNamespace(kernel=SimpleNamespace(name="_gen_c_1", fn=None), spent=1, carried=0)
    monkeypatch.setattr(B, "_tracked", [hot, left])
    B.save_heat()
    assert B.read_heat(tmp_path / B.HEAT_FILE) == {"_gen_a_1": pytest.approx(0.004)}


@pytest.fixture
def background(monkeypatch):
    """Background compiles on in this process, with a fresh child and pending table."""
    monkeypatch.setattr(B, "ENABLED", True)
    monkeypatch.setattr(B, "_child", [None, 0])
    monkeypatch.setattr(B, "_failed", [False])
    monkeypatch.setattr(B, "_pending", {})
    monkeypatch.setattr(B, "_tracked", [])
    monkeypatch.setattr(B, "_heat", [{}])
    monkeypatch.setattr(B, "save_heat", lambda: None)  # (atexit: nothing of this test)
    monkeypatch.setattr(tier0, "CALL_S", 1.0)
    monkeypatch.setattr(tier0, "ELEMENT_S", 0.0)
    monkeypatch.setattr(tier0, "BUDGET", 20.0)
    monkeypatch.setattr(B, "HOT", 4.5)


@pytest.fixture
def probe(background):
    """A generated mul kernel in a fresh Tier0; afterwards its own ``fn`` again, and the
    test's child (if still running) ended and its reader thread done with the test's tables."""
    spec = replace(LW.op_forward(REGISTRY["mul"], "tt", 1, False, "float32", "float32"),
                   label="tier0_bg_probe")  # fmt: skip
    kernel = C.get_kernel(spec)
    compiled = getattr(kernel.fn, "compiled", kernel.fn)
    kernel.fn = tier0.Tier0(kernel, compiled, C.REDUCE_BLOCK)
    yield kernel, kernel.fn
    kernel.fn = compiled
    if B._child[0] is not None:
        B._child[0].kill()
    while B._child[0] is not None:
        B.wait(0.05)
    with B._LOCK:
        pass


def test_a_child_that_cannot_compile_leaves_the_kernel_to_the_budget(probe, monkeypatch):
    monkeypatch.setattr(B, "_CHILD", "import sys; sys.exit(3)")
    kernel, t0 = probe
    x, out = np.arange(5, dtype=np.float32), np.zeros(5, np.float32)
    for _ in range(5):
        kernel.fn(x, x, out)
    assert t0.queued != 0 and kernel.fn is t0  # sent at the 5th call (cost 5 > 4.5)
    assert B.wait(120) and t0.queued == -1  # the child died: back to the budget
    for _ in range(15):
        kernel.fn(x, x, out)
    assert kernel.fn is t0 and t0.calls == 20
    kernel.fn(x, x, out)  # the 21st call would overspend the budget: compiled here
    assert not isinstance(kernel.fn, tier0.Tier0)
    np.testing.assert_array_equal(out, x * x)


def test_a_kernel_the_child_has_not_delivered_compiles_at_the_budget(probe, monkeypatch):
    """While the child works, a kernel stays interpreted; at the budget it compiles here, as
    without a child (so a hot kernel's first run is never slower than before)."""
    monkeypatch.setattr(B, "_CHILD", "import sys, time; sys.stdin.read(); time.sleep(60)")
    kernel, t0 = probe
    x, out = np.arange(5, dtype=np.float32), np.zeros(5, np.float32)
    for _ in range(20):
        kernel.fn(x, x + 1, out)
    assert kernel.fn is t0 and t0.queued == 1 and t0.waiting == 1
    kernel.fn(x, x + 1, out)
    assert not isinstance(kernel.fn, tier0.Tier0)
    np.testing.assert_array_equal(out, x * (x + 1))


def test_explain_says_when_the_background_process_has_a_kernel():
    kernel = SimpleNamespace(name="_gen_probe_1", compile_seconds=None)
    kernel.fn = t0 = tier0.Tier0(kernel, None, C.REDUCE_BLOCK)
    t0.calls, t0.waiting = 3, 1
    assert _status(kernel).endswith("3 calls; compiling in a background process")
    t0.waiting = 0
    assert _status(kernel).endswith("3 calls; compiled when hot")
