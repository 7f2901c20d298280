"""The settled heap frozen out of full collections (jitgrad/engine/heap.py), in fresh processes.

tests/conftest.py freezes the heap itself before test modules (the suite's own policy), which
would stop the module; these checks run a program of their own in a subprocess, as a user's
process would run. What must hold: off by default (a dropped cyclic model is freed by
``gc.collect()`` as PyTorch's is); with ``JITGRAD_GC_FREEZE=1`` the objects alive at the end of
a full collection after kernels loaded are frozen, garbage never is (a cycle dropped before
the collection is freed by it), nothing is frozen again until the heap grows, and a program
that unfreezes keeps its choice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROGRAM = textwrap.dedent(
    """
    import gc, json, sys, weakref
    import jitgrad

    class Box:
        pass

    def cycle():
        a, b = Box(), Box()
        a.other, b.other = b, a
        return a

    out = {}
    x = jitgrad.arange(4, dtype=jitgrad.float32, requires_grad=True)
    (x * x).sum().backward()  # kernels load: the heap grew
    live = cycle()
    dead = weakref.ref(cycle())  # garbage by the next collection
    gc.collect()
    out["dead freed"] = dead() is None
    out["frozen"] = gc.get_freeze_count()
    out["live frozen"] = not any(o is live for o in gc.get_objects())
    later = cycle()
    gc.collect()  # no kernel loaded since: nothing frozen again
    out["later frozen"] = not any(o is later for o in gc.get_objects())
    if sys.argv[1] == "unfreeze":
        gc.unfreeze()
        y = jitgrad.arange(3, dtype=jitgrad.float64, requires_grad=True)
        jitgrad.tanh(y).sum().backward()  # other kernels: the heap grew again
        gc.collect()
        out["after unfreeze"] = gc.get_freeze_count()
    print(json.dumps(out))
    """
)


def _run(mode: str, **env: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if k != "JITGRAD_GC_FREEZE"}  # (conftest's)
    environ.update(PYTHONPATH=str(ROOT), **env)
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, mode], env=environ, capture_output=True, text=True,
        check=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def frozen() -> dict:
    """The program with ``JITGRAD_GC_FREEZE=1``, unfreezing at its end: up to the unfreeze it
    is the plain program, so one process answers both tests below."""
    return _run("unfreeze", JITGRAD_GC_FREEZE="1")


def test_full_collection_freezes_the_settled_heap_but_no_garbage(frozen: dict) -> None:
    out = frozen
    assert out["dead freed"]
    assert out["frozen"] > 10_000  # numpy's, Numba's and jitgrad's objects
    assert out["live frozen"]
    assert not out["later frozen"]


def test_turned_off_and_a_program_that_unfreezes_is_left_alone(frozen: dict) -> None:
    off = _run("plain")  # the default
    assert off["dead freed"] and off["frozen"] == 0 and not off["live frozen"]
    assert _run("plain", JITGRAD_GC_FREEZE="0") == off
    assert frozen["frozen"] > 10_000
    assert frozen["after unfreeze"] == 0


CYCLIC_MODEL = textwrap.dedent(
    """
    import gc, json, weakref
    import jitgrad as torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(4, 3)
            self.register_forward_hook(self.seen)  # the module holds a method bound to itself

        def seen(self, module, inputs, output):
            pass

        def forward(self, x):
            return self.fc(x).relu().sum()

    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    model(torch.randn(2, 4)).backward()  # kernels load
    opt.step()
    gc.collect()
    alive = weakref.ref(model.fc.weight)
    del model, opt
    gc.collect()
    print(json.dumps({"freed": alive() is None}))
    """
)


def test_off_by_default_a_dropped_cyclic_model_is_freed() -> None:
    """PyTorch frees a model in a reference cycle at ``gc.collect()``; frozen, it would stay
    (parameters too) for the rest of the process: the reason the freeze is opt-in."""
    environ = {k: v for k, v in os.environ.items() if k != "JITGRAD_GC_FREEZE"}
    environ.update(PYTHONPATH=str(ROOT), JITGRAD_COMPILE_NOTICE="0")
    for setting, freed in ((None, True), ("1", False)):
        env = dict(environ, **({"JITGRAD_GC_FREEZE": setting} if setting else {}))
        done = subprocess.run(
            [sys.executable, "-c", CYCLIC_MODEL], env=env, capture_output=True, text=True,
            check=True, cwd=ROOT,
        )  # fmt: skip
        assert json.loads(done.stdout.strip().splitlines()[-1]) == {"freed": freed}, setting
