"""The replay cache: the plans of backward graphs the process has swept before.

A training loop builds the same graph every step. The first ``backward()`` of a shape of
graph plans afresh (reachability, dependency counts, the ready heap, fusion planning: see
:mod:`jitgrad.engine.sweep`), the engine's one sweep runs the plan and analyses every
fused group, and the plan is kept here as a :class:`Program`: the order the nodes and groups
run in, where each gradient goes, and each group's :class:`GroupLayout`. Later sweeps of a
graph with the same structure skip the planning: one walk computes the graph's structural
key, and the same sweep runs the program on the new graph's nodes. This module runs nothing
itself: it is a cache in front of the sweep, never a second sweep. From the second
match on, a program also has a generated matcher (:mod:`.matcher`) that recognises its
structure in straight-line code, so a training loop's steps skip the generic walk as well.

The key holds, per node in discovery order, its structural token (``Node._key``: the class,
or for an elementwise node its op signature and operand shapes, marked while its saved
values are deferred: see :mod:`.lazy`) and its edges as discovery indices, then the nodes'
creation order (PyTorch's engine runs ready nodes newest first, so that order fixes the
steps). Only the relative order counts: nodes another thread (or unrelated code) created
in between do not change the key. Two graphs with equal keys make the engine take identical
steps, so replaying gives bitwise the gradients the engine would. Deferred graphs replay too: a
loss summed from a deferred chain replays its joint kernel (if the loss is still deferred
when backward starts; else its backward and the group run one after the other, as the engine
would), and deferred members of a plain group are resolved as the engine resolves them.

Only the plain case is replayed: ``backward()`` without ``inputs=``, not ``autograd.grad``,
no ``create_graph``, fusion on, anomaly mode off, no hook or ``retain_grad`` anywhere in the
graph, and every elementwise node's saved values as recorded (checked per node only when
some tensor changed in place since the graph's oldest node was created, see
``engine.MUTATION``). Anything else takes the engine's path, which raises PyTorch's errors
where they apply.

Threads share the cache. A program holds positions, tokens and layouts, never a graph's
nodes, so threads replay one program at once each on its own graph (a launch keeps its
buffers to itself, see ``GroupLayout``); recording and eviction take a lock, matching and
replaying take none.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from typing import Any

from .. import helpers
from ..engine.elementwise import ElementwiseNode
from ..engine.sweep import ABOVE, MUTATION, Plan
from . import matcher
from .front import FRONT

#: Programs kept at first; the least recently used is dropped first (shapes that change
#: every step would otherwise grow the cache without bound). The bound doubles, up to
#: ``MAX_PROGRAMS_LIMIT``, while most recordings are of structures it dropped recently: a
#: loop cycling through more live structures than the bound (bucketed sequence lengths)
#: would otherwise record every step and never replay (see :func:`store`).
MAX_PROGRAMS = 256
MAX_PROGRAMS_LIMIT = 16 * MAX_PROGRAMS
#: structural key -> Program
PROGRAMS: dict[tuple, Program] = {}
_bound = {"programs": MAX_PROGRAMS, "recorded": 0, "again": 0}
#: hashes of the keys dropped most recently (at most the bound; oldest first)
_DROPPED: dict[int, None] = {}
#: use stamps (Program.used): the least recently replayed program has the smallest
_clock = itertools.count()
#: root node token -> the programs (newest first, at most two) last matched with that root,
#: whose matchers are tried before the generic walk
_RECENT: dict[Any, list[Program]] = {}
_stats = {"replayed": 0, "recorded": 0}
#: Held while the cache changes shape (store, evict, clear): readers need no lock, as each
#: dict read is atomic, but two evictions at once would drop one program twice.
_LOCK = threading.Lock()


def structure(roots: Sequence[tuple], grads: Sequence[Any]) -> tuple[tuple, list] | None:
    """``(key, nodes in discovery order)`` of the graph below ``roots``, or None if it must
    not be replayed (a hook, ``retain_grad``, freed or lazily saved values).

    Breadth-first: ``order`` is its own queue. An edge is its target's index, followed by
    its output number only where that is not 0 (as ``(index, output_nr)``); a token is never
    an int, so the key still parses one way. One entry per edge instead of two saves a
    tenth of the walk, which runs on every backward. The last entry is the creation order:
    the discovery indices from the oldest node to the newest (leaves, all created at
    ``inf``, last in discovery order).
    """
    order: list[Any] = []
    index: dict[Any, int] = {}
    key: list[Any] = [None if g is None else (g._dtype, g._value.shape) for g in grads]
    for nxt, nr in roots:
        i = index.get(nxt)
        if i is None:
            i = index[nxt] = len(order)
            order.append(nxt)
        key.append((i, nr))
    for node in order:  # grows while it is walked
        token = node._key
        if token is None or node._extra is not None:
            return None
        key.append(token)
        for nxt, nr in zip(node._next, node._nrs):
            if nxt is None:
                key.append(-1)
                continue
            i = index.get(nxt)
            if i is None:
                i = index[nxt] = len(order)
                order.append(nxt)
            key.append(i if nr == 0 else (i, nr))
    key.append(tuple(matcher.by_age(order)))
    return tuple(key), order


def find(roots: Sequence[tuple], grads: Sequence[Any]) -> tuple[Any, list | None, tuple | None]:
    """``(program, nodes in discovery order, key)`` for the graph below ``roots``.

    A recent program's matcher answers first (key None: it is known); else the generic walk
    and a lookup by key (program None: not seen before). ``(None, None, None)``: the graph
    must not be replayed (see :func:`structure`).
    """
    token = roots[0][0]._key
    recent = _RECENT.get(token)
    if recent is not None:
        for program in recent:
            order = program.matcher(roots, grads)
            if order is not None:
                return program, order, None
    found = structure(roots, grads)
    if found is None:
        return None, None, None
    key, order = found
    program = PROGRAMS.get(key)
    if program is not None:  # seen twice: worth a matcher
        if program.matcher is None:
            program.matcher = matcher.build(order, roots, grads)
        if program.matcher is not None:
            _RECENT[token] = [program] + [p for p in (recent or ()) if p is not program][:1]
    return program, order, key


def unchanged(order: list, program: Program | None) -> bool:
    """Whether no tensor changed in place since the oldest node of the graph ``order`` was
    created, or else whether the fused members' saved values are still as recorded (often
    the change was just a ``.grad`` that accumulated; only fused members read saved values
    unchecked).

    With a ``program`` for the graph's key, the oldest node is at ``program.oldest`` (equal
    keys hold equal creation orders), so a replay does not look for it.
    """
    if program is not None:
        oldest = order[program.oldest]._seq
    else:
        oldest = min(n._seq for n in order)
    if oldest > MUTATION.seq:
        return True
    return all(n.unchanged() for n in order if isinstance(n, ElementwiseNode))


class Program(Plan):
    """A recorded plan: the engine's plan for one graph structure, its groups frozen (their
    analysed layouts kept, their nodes dropped), and what the cache needs to find it."""

    __slots__ = ("oldest", "matcher", "used", "joint", "final")

    def __init__(self, plan: Plan, order: list) -> None:
        """``plan``: the fresh plan the engine just ran over ``order``'s positions."""
        super().__init__(plan.seeds, plan.steps)
        for step in self.steps:
            if step.members is not None:
                step.freeze()
        #: whether a step runs forward and backward as one kernel (see lookup)
        self.joint = any(getattr(step, "joint", False) for step in self.steps)
        #: recorded again in place of a program without a joint step: never replaced again
        self.final = False
        #: the position of the graph's oldest node (see unchanged)
        self.oldest = matcher.by_age(order)[0]
        self.matcher: matcher.Matcher | None = None  # built when the structure is seen again
        self.used = next(_clock)  # when it last ran (recorded or replayed): eviction order


def lookup(
    roots: Sequence[tuple], grads: Sequence[Any], tensors: Sequence[Any] = ()
) -> tuple[Any, list | None, Any]:
    """What the engine does with the graph below ``roots``: ``(program, nodes in discovery
    order, None)`` to replay a program; ``(None, nodes, key)`` to plan afresh and record
    under ``key``; ``(None, None, None)`` to plan afresh and record nothing.

    A program recorded when the loss was already computed (a first step that printed it, or
    ``jitgrad.compile``'s trace, which reads every value as it records) has no joint step;
    the same structure later arrives with the loss still a deferred reduction of its chain,
    where planning afresh gives one forward+backward kernel (2-3x faster at millions of
    elements). Such a graph is planned and recorded again, once (``Program.final``)."""
    program, order, key = find(roots, grads)
    if order is None or not unchanged(order, program):
        return None, None, None
    if program is None:
        return None, order, key
    if not (program.joint or program.final) and any(
        FRONT.pending_reduction(t) is not None for t in tensors
    ):
        found = structure(roots, grads) if key is None else (key, order)
        if found is not None and found[0] in PROGRAMS:
            return None, found[1], found[0]
    _stats["replayed"] += 1
    program.used = next(_clock)
    if helpers.DEBUG >= 2:
        helpers.debug_print(
            2, f"backward replayed from a cached program ({len(program.steps)} steps)"
        )
    return program, order, None


def store(key: tuple, program: Program) -> None:
    """Keep ``program`` for ``key``; when full, drop the least recently used eighth.

    A use stamps the program (a counter read, no reordering of the dict: a replay through a
    matcher never hashes its key); sorting by stamp runs only here, after a recording (which
    cost a full engine sweep), once per eighth of the bound. The keys of the last ``bound``
    programs dropped are remembered (their hashes): a recording of one of those would have
    been a replay in a cache twice as big. When such recordings are at least half of a
    window of a quarter of the bound, the bound doubles (a loop cycling through more live
    structures than the bound); shapes that never come back, or come back only after many
    others (random sizes), leave it as it is. A program costs about 2 KB per graph node.
    """
    with _LOCK:
        bound = _bound
        h = hash(key)
        bound["recorded"] += 1
        if h in _DROPPED:
            del _DROPPED[h]
            bound["again"] += 1
        if bound["recorded"] >= bound["programs"] // 4:
            if 2 * bound["again"] >= bound["recorded"] and bound["programs"] < MAX_PROGRAMS_LIMIT:
                bound["programs"] *= 2
            bound["recorded"] = bound["again"] = 0
        if len(PROGRAMS) >= bound["programs"]:
            by_use = sorted(PROGRAMS, key=lambda k: PROGRAMS[k].used)
            dropped = set()
            for old in by_use[: max(1, len(by_use) - bound["programs"] + bound["programs"] // 8)]:
                dropped.add(PROGRAMS.pop(old))
                _DROPPED[hash(old)] = None
            while len(_DROPPED) > bound["programs"]:
                del _DROPPED[next(iter(_DROPPED))]
            for token, recent in list(_RECENT.items()):
                if any(p in dropped for p in recent):
                    del _RECENT[token]
        old = PROGRAMS.get(key)
        if old is not None:  # recorded again (see lookup): its matchers now find the new one
            program.final = True
            for token, recent in list(_RECENT.items()):
                if old in recent:
                    _RECENT[token] = [p for p in recent if p is not old]
        PROGRAMS[key] = program
        _stats["recorded"] += 1


def info() -> dict[str, int]:
    """Counts for ``jitgrad.cache_info()``."""
    return {"programs": len(PROGRAMS), "bound": _bound["programs"], **_stats}


def clear() -> None:
    with _LOCK:
        PROGRAMS.clear()
        _RECENT.clear()
        _DROPPED.clear()
        _bound.update(programs=MAX_PROGRAMS, recorded=0, again=0)


def _store_plan(key: tuple, plan: Plan, order: list) -> None:
    store(key, Program(plan, order))


ABOVE.replay_lookup = lookup  # the engine calls the cache through these (see engine.ABOVE)
ABOVE.replay_store = _store_plan
