"""The long-lived heap kept out of the cycle collector's full collections (issue 16, eager).

Why: a full collection walks every object the collector tracks. After ``import jitgrad`` and
its first kernels (Numba's typing and target contexts, every loaded overload, numpy's and
jitgrad's modules) that is ~150k objects, 70-80 ms per full collection on the project machine;
a long scalar graph (Rogozhnikov's, 1000 ops) keeps enough objects per op to start one every
~10k op-iterations: 7-8 us per op-iteration, a third of the whole per-op cost. PyTorch's
graph and kernels live in C++, out of the collector's sight. Here the objects that are alive
once the heap has settled are frozen (``gc.freeze``: moved to the permanent generation, which
no collection walks), so a full collection walks what the program made since.

When: at the end of the first full collection after ``import jitgrad`` and after each time
Numba took its compiler lock (it does to load a kernel from the cache or compile one, never on
a warm call). The end of a full collection is the one moment with no garbage left to freeze:
it has just freed every unreachable object, Numba's compile-time cycles included, so only
live objects are frozen, and a full collection is paid once per settling, not more.

What it costs: an object frozen while alive that later dies in a reference cycle is not freed
(``gc.collect()`` does not see it) until ``gc.unfreeze()``; reference counting frees every
other object as before, a jitgrad graph included (it has no cycles). A program that manages
the permanent generation itself (a ``gc.freeze`` before ``fork``, a test harness, an
``unfreeze``) is left alone: once the freeze count shows a freeze or an unfreeze not made
here, this module stops.
Off by default; ``JITGRAD_GC_FREEZE=1`` turns it on. Why not on: a user's object alive at a
freeze and dropped later in a cycle (a module holding a hook bound to itself, ``self.me =
self``) would outlive ``del model; gc.collect()``, parameters included, where PyTorch frees it
(``tests/test_gc_heap.py::test_off_by_default_a_dropped_cyclic_model_is_freed``): a memory
leak in the notebook that trains one model after another. A program that knows its heap (a
long scalar-graph run, a benchmark) opts in.
"""

from __future__ import annotations

import gc

from numba.core import event

from .. import helpers

ENABLED = bool(helpers.getenv("JITGRAD_GC_FREEZE", 0))


class _Settle(event.Listener):
    """The state: whether the heap grew since the last freeze (``pending``), the freeze
    count this module left (``frozen``), and whether it still acts (``active``)."""

    def __init__(self) -> None:
        self.pending = True  # (the modules imported so far)
        self.frozen = 0
        self.active = False

    def on_start(self, ev: event.Event) -> None:
        pass

    def on_end(self, ev: event.Event) -> None:
        self.pending = True  # a kernel loaded or compiled: new long-lived objects

    def ours(self) -> bool:
        """Whether the permanent generation holds only what this module froze: its count
        falls as frozen objects are freed, rises only by a ``gc.freeze``, and an
        ``unfreeze`` empties it."""
        count = gc.get_freeze_count()
        return count <= self.frozen and (count > 0 or self.frozen == 0)

    def collected(self, phase: str, info: dict) -> None:
        """``gc.callbacks`` entry: freeze the survivors of a full collection, if pending."""
        if phase != "stop" or info["generation"] != 2 or not self.pending or not self.active:
            return
        if not self.ours():  # the program froze or unfroze objects: its call from now on
            stop()
            return
        gc.freeze()
        self.frozen = gc.get_freeze_count()
        self.pending = False


SETTLE = _Settle()


def install() -> None:
    """Start (``import jitgrad`` calls it once; a second call does nothing)."""
    if not ENABLED or SETTLE.active or gc.get_freeze_count():  # (the program froze: its call)
        return
    SETTLE.active = True
    event.register("numba:compiler_lock", SETTLE)
    if SETTLE.collected not in gc.callbacks:
        gc.callbacks.append(SETTLE.collected)


def stop() -> None:
    """Stop freezing (what was frozen stays frozen: ``gc.unfreeze()`` releases it). The
    ``gc.callbacks`` entry stays, idle: removing it from inside a callback would make CPython
    skip the callback after it in that collection."""
    if not SETTLE.active:
        return
    SETTLE.active = False
    event.unregister("numba:compiler_lock", SETTLE)


def promote_young() -> None:
    """Move every tracked object into the oldest generation without scanning it (``freeze``
    then ``unfreeze`` splice the lists): after a traced call that ran with the collector off,
    the first young collection would otherwise walk everything the trace made (0.7 s after
    10k ops). That also releases what this module froze; the next full collection's end
    freezes the survivors again. Nothing when the program froze objects itself."""
    if not SETTLE.ours():
        return
    gc.freeze()
    gc.unfreeze()
    if SETTLE.frozen:
        SETTLE.frozen = 0
        SETTLE.pending = True
