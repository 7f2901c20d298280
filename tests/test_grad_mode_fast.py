"""The per-op path's shortcuts (issue 16, eager forward): grad mode read through a count of
threads that have it off (``grad_mode.GRAD_OFF``), and ``tensor._make`` setting a tensor's
fields inline instead of calling ``_init_fields``.

The count must come back to 0 after every way grad mode is switched (otherwise the shortcut
is only lost, never wrong), must be above 0 while any thread has it off and fall back when a
thread ends with it off, and a thread with it off must never make another thread's ops stop
recording (or the reverse). ``_make``'s inline fields must be the very fields
``_init_fields`` sets, and a swapped ``_init_fields`` (what a
``jitgrad.compile`` trace installs) must still be called.
"""

from __future__ import annotations

import ast
import gc
import threading
from pathlib import Path

import numpy as np

import jitgrad
from jitgrad.engine import grad_mode as GM
from jitgrad.frontend import tensor as T


def test_count_follows_every_switch():
    assert GM.GRAD_OFF[0] == 0
    with jitgrad.no_grad():
        assert GM.GRAD_OFF[0] == 1 and not jitgrad.is_grad_enabled()
        with jitgrad.no_grad():  # off to off: no second count
            assert GM.GRAD_OFF[0] == 1
        with jitgrad.enable_grad():
            assert GM.GRAD_OFF[0] == 0 and jitgrad.is_grad_enabled()
        assert GM.GRAD_OFF[0] == 1
    assert GM.GRAD_OFF[0] == 0
    jitgrad.set_grad_enabled(False)
    assert GM.GRAD_OFF[0] == 1 and not jitgrad.is_grad_enabled()
    jitgrad.set_grad_enabled(True)
    assert GM.GRAD_OFF[0] == 0
    with jitgrad.inference_mode():
        assert GM.GRAD_OFF[0] == 1
    assert GM.GRAD_OFF[0] == 0

    @jitgrad.set_grad_enabled(False)
    def f(x):
        assert GM.GRAD_OFF[0] == 1
        return x * 2

    assert GM.GRAD_OFF[0] == 0  # the decorator changes nothing until called
    x = jitgrad.ones(2, requires_grad=True)
    assert f(x).grad_fn is None and GM.GRAD_OFF[0] == 0


def test_backward_switches_and_restores():
    x = jitgrad.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append((GM.GRAD_OFF[0], jitgrad.is_grad_enabled())))
    ((x * x).sum()).backward()
    assert seen == [(1, False)] and GM.GRAD_OFF[0] == 0
    y = jitgrad.tensor([1.0, 2.0], requires_grad=True)
    (g,) = jitgrad.autograd.grad((y * y).sum(), y, create_graph=True)
    assert g.grad_fn is not None and GM.GRAD_OFF[0] == 0
    try:
        with jitgrad.no_grad():
            raise ValueError("leaves the block")
    except ValueError:
        pass
    assert GM.GRAD_OFF[0] == 0


def test_other_threads_mode_is_their_own():
    """One thread holds no_grad open while another records, and the reverse: each thread's
    ops follow its own mode, whatever the count says."""
    entered, done = threading.Event(), threading.Event()
    out = {}

    def off_thread():
        with jitgrad.no_grad():
            entered.set()
            done.wait(60)
            a = jitgrad.ones(3, requires_grad=True)
            out["off"] = (jitgrad.nn.functional.softplus(a).grad_fn, (a * a).grad_fn)

    t = threading.Thread(target=off_thread, daemon=True)
    t.start()
    assert entered.wait(60)
    assert GM.GRAD_OFF[0] == 1  # the other thread's
    b = jitgrad.ones(3, requires_grad=True)
    assert jitgrad.is_grad_enabled()
    assert type(jitgrad.nn.functional.softplus(b).grad_fn).__name__ == "SoftplusBackward0"
    assert type((b * b).grad_fn).__name__ == "MulBackward0"
    assert type(jitgrad.stack([b[0], b[1]]).grad_fn).__name__ == "StackBackward0"
    done.set()
    t.join(60)
    assert out["off"] == (None, None) and GM.GRAD_OFF[0] == 0


def _fields(t):
    return {n: getattr(t, n) for n in T._STATE_SLOTS}


def test_make_sets_the_fields_init_fields_sets():
    value = np.zeros((), np.float32)
    node = jitgrad.ones(1, requires_grad=True).sum().grad_fn
    for args in [(), (node,), (node, True, 1), (None, True, 0)]:
        made = T._make(value, jitgrad.float32, *args)
        ref = T._new(T.Tensor)
        ref._value = value
        T._INIT_FIELDS(ref, jitgrad.float32, *args)
        assert _fields(made) == _fields(ref)
        assert made.__dict__ == ref.__dict__ == {}


def test_make_calls_a_swapped_init_fields(monkeypatch):
    calls = []

    def noting(t, *args):
        T._INIT_FIELDS(t, *args)
        calls.append(t)

    monkeypatch.setattr(T, "_init_fields", noting)
    t = T._make(np.ones((), np.float32), jitgrad.float32)
    assert calls == [t] and t._vc is T.VC0 and t.grad_fn is None


def test_make_in_inference_mode_marks_the_tensor():
    with jitgrad.inference_mode():
        t = T._make(np.ones((), np.float32), jitgrad.float32)
    assert t.is_inference()
    assert not T._make(np.ones((), np.float32), jitgrad.float32).is_inference()


def test_a_thread_ending_with_grad_mode_off_leaves_no_count():
    start = GM.GRAD_OFF[0]

    def body():
        jitgrad.set_grad_enabled(False)  # never turned back on
        with jitgrad.no_grad():
            pass

    t = threading.Thread(target=body)
    t.start()
    t.join(60)
    del t
    gc.collect()
    assert GM.GRAD_OFF[0] == start


def _grad_mode_aliases(tree: ast.AST) -> set[str]:
    """The names a module gives ``grad_mode.STATE`` (``from ..engine.grad_mode import STATE
    as GRAD``)."""
    return {
        a.asname or a.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("grad_mode")
        for a in node.names
        if a.name == "STATE"
    }


def test_every_grad_mode_write_goes_through_set_enabled():
    """A write of ``STATE.enabled`` that bypasses ``set_enabled`` would leave ``GRAD_OFF`` at
    0 while this thread has grad mode off: its ops would record. Only grad_mode.py writes it."""
    root = Path(jitgrad.__file__).parent
    found = []
    for path in root.rglob("*.py"):
        if path.name == "grad_mode.py" and path.parent.name == "engine":
            continue
        tree = ast.parse(path.read_text())
        names = _grad_mode_aliases(tree)
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            flat = [e for t in targets for e in (t.elts if isinstance(t, ast.Tuple) else [t])]
            found += [
                f"{path.relative_to(root)}:{node.lineno}"
                for e in flat
                if isinstance(e, ast.Attribute) and e.attr == "enabled"
                and isinstance(e.value, ast.Name) and e.value.id in names
            ]
    assert names_checked(root) and found == []


def names_checked(root: Path) -> bool:
    """The scan sees the readers it should (the forward's three), so an empty result means
    something."""
    text = (root / "frontend" / "recording.py").read_text()
    return "STATE" in _grad_mode_aliases(ast.parse(text))
