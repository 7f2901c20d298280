"""Tier 0's wide kernels: a program with more arrays than the interpreter has slots runs as
several passes of the same interpreter.

Why: the interpreter (:mod:`.tier0_interp`) takes :data:`~.tier0_interp.N_IN` array operands
and :data:`~.tier0_interp.N_OUT` outputs as separate arguments, and the fused backwards of
the distributions' log-densities read 9-24 arrays (and write up to 10): they compiled, 19 CPU
s of tests/test_distributions.py's 25 (perf/RESULTS.md, Run ttime). A wider signature would
change every interpreted call and each interpreter's build; passes change neither: a narrow
program is one pass, as before.

How (:func:`split`): the rows are cut, in their order, into passes that each read at most
``n_in`` arrays and write at most ``n_out``. A register computed in one pass and used in a
later one is stored into a temporary (a scratch array of the loop's shape, in the dtype) and
loaded from it there; ``LOAD`` and ``CONST`` rows are repeated in each pass that uses their
register. Bitwise the single pass's (so the compiled kernel's): every row computes the same
value for the same element, a temporary holds a register's value exactly, each output is
written by its own rows in one pass in the loop's order (row sums and reductions included).
One difference in order: a pass writes all its elements before the next reads any, so an
input that shares memory with an output written in an earlier pass is copied first
(:func:`run`): the compiled loop reads each element before it writes it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import tier0_interp as I

#: A source or sink of a pass: ("in", interpreter input slot), ("out", output index),
#: ("tmp", temporary index) or ("shape", 0): a read-only view of the loop's shape (for a pass
#: whose slots hold no array of it, so that the interpreter reads the loop's extents).
Slot = tuple[str, int]


class Pass:
    """One interpreter call of a split program: its rows, and what fills its slots."""

    __slots__ = ("ins", "sources", "sinks", "shape_at")

    def __init__(self, ins: list, sources: list, sinks: list, shape_at: int) -> None:
        self.ins = np.array(ins, np.int32).reshape(-1, I.WIDTH)
        self.sources = sources  # input slot -> Slot
        self.sinks = sinks  # output slot -> Slot
        self.shape_at = shape_at


class Split:
    """A program's passes, its number of temporaries and the (input slot, output) pairs to
    check for shared memory before the first pass: an input read by a pass after the one that
    writes the output."""

    __slots__ = ("passes", "temps", "guard")

    def __init__(self, passes: list[Pass], temps: int) -> None:
        self.passes = passes
        self.temps = temps
        written: set[int] = set()
        guard: dict[tuple[int, int], None] = {}
        for p in passes:
            for kind, k in p.sources:
                if kind == "in":
                    guard.update(((k, j), None) for j in sorted(written))
            written.update(j for kind, j in p.sinks if kind == "out")
        self.guard = list(guard)


class _Open:
    """The pass being filled: the rows taken, the registers they computed, the input slots
    they read and the outputs they wrote."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, list]] = []  # (row index, row)
        self.computed: set[int] = set()
        self.sources: dict[Slot, None] = {}  # (ordered set)
        self.consts: dict[int, int] = {}  # register -> const slot
        self.outputs: list[int] = []


def split(ins: np.ndarray, uses: list, shape: Slot, n_in: int = I.N_IN, n_out: int = I.N_OUT,
          max_rows: int = 1 << 30) -> Split:  # fmt: skip
    """The passes of the program ``ins`` (a :class:`.tier0_translate.Program`'s rows, header
    first). ``uses[i]``: the registers body row ``i`` reads;
    ``shape``: the slot the single pass reads the loop's shape from. (``max_rows``: at most
    that many rows besides loads and constants per pass; tests cut every row apart.)"""
    order = _order(ins[1:].tolist(), uses)
    body = [row for _, row in order]
    uses = [regs for regs, _ in order]
    source: dict[int, tuple[int, int]] = {}  # register -> (LOAD or CONST, its slot)
    last: dict[int, int] = {}  # register -> the last row reading it
    for i, (op, d, x, _, _) in enumerate(body):
        if op in (I.LOAD, I.CONST):
            source[d] = (op, x)
        for u in uses[i]:
            last[u] = i
    loads = {x: d for d, (op, x) in source.items() if op == I.LOAD}  # input slot -> register
    temps: dict[int, int] = {}  # register -> temporary
    done: list[Pass] = []
    cur = _Open()
    for i, row in enumerate(body):
        if row[0] in (I.LOAD, I.CONST):
            continue  # (repeated in each pass that reads it)
        need = _needs(cur, uses[i], source)
        fits = len(cur.rows) < max_rows and _fits(cur, row, i, need, last, shape, n_in, n_out)
        if not fits and cur.rows:
            done.append(_close(cur, ins[0], last, temps, loads, shape))
            cur = _Open()
            need = _needs(cur, uses[i], source)
        if not _fits(cur, row, i, need, last, shape, n_in, n_out):
            raise ValueError(f"a row does not fit {n_in} inputs and {n_out} outputs")
        for slot in need:
            cur.sources[slot] = None
        cur.consts.update((u, source[u][1]) for u in uses[i] if source.get(u, (0,))[0] == I.CONST)
        if row[0] < I.STORE:
            cur.computed.add(row[1])
        else:
            cur.outputs.append(row[1])
        cur.rows.append((i, row))
    done.append(_close(cur, ins[0], last, temps, loads, shape))
    return Split(done, len(temps))


def _order(body: list, uses: list) -> list[tuple[tuple, list]]:
    """``(uses, row)`` of ``body``'s rows in the order a depth-first walk from each output
    row in turn reaches them (the rows an output needs just before it): any order in which
    a register is computed before it is read gives the same values, and this one keeps
    registers live for fewer rows, so fewer temporaries cross passes."""
    at = {row[1]: i for i, row in enumerate(body) if row[0] < I.STORE}
    seen: set[int] = set()
    order = []
    for root in (i for i, row in enumerate(body) if row[0] >= I.STORE):
        stack = [(root, False)]
        while stack:
            i, expanded = stack.pop()
            if expanded:
                order.append((uses[i], body[i]))
            elif i not in seen:
                seen.add(i)
                stack.append((i, True))
                stack += [(at[u], False) for u in reversed(uses[i]) if at[u] not in seen]
    return order


def _needs(cur: _Open, regs: tuple, source: dict) -> list[Slot]:
    """The input slots a row reading ``regs`` adds to ``cur``: arrays it loads, temporaries
    of registers computed in an earlier pass."""
    need = []
    for u in regs:
        kind = source.get(u, (None, 0))
        slot = ("in", kind[1]) if kind[0] == I.LOAD else ("tmp", u)
        if kind[0] != I.CONST and u not in cur.computed and slot not in cur.sources:
            need.append(slot)
    return need


def _fits(cur: _Open, row: list, i: int, need: list, last: dict, shape: Slot,
          n_in: int, n_out: int) -> bool:  # fmt: skip
    """Whether ``cur`` with row ``i`` added (and closed after it) fits the slots: its inputs
    (and a view of the loop's shape unless one of them is of it), its outputs and the
    temporaries of the registers it computed that later rows read."""
    sources = [*cur.sources, *need]
    outputs = [*cur.outputs, row[1]] if row[0] >= I.STORE else cur.outputs
    computed = cur.computed | {row[1]} if row[0] < I.STORE else cur.computed
    live = sum(last.get(u, -1) > i for u in computed)
    has_shape = shape in sources or shape[0] == "out" and shape[1] in outputs
    has_shape = has_shape or any(s[0] == "tmp" for s in sources)
    return len(sources) + (not has_shape) <= n_in and len(outputs) + live <= n_out


def _close(cur: _Open, header: np.ndarray, last: dict, temps: dict, loads: dict,
           shape: Slot) -> Pass:  # fmt: skip
    """``cur`` as a :class:`Pass`: loads of its inputs and constants first, its rows with
    outputs renumbered to its slots, then the stores of its registers read later."""
    end = cur.rows[-1][0]
    live = sorted(u for u in cur.computed if last.get(u, -1) > end)
    for u in live:
        temps[u] = len(temps)
    sources = list(cur.sources)
    sinks: list[Slot] = [("out", j) for j in dict.fromkeys(cur.outputs)]
    sinks += [("tmp", temps[u]) for u in live]
    rows = [list(header)]
    for k, (kind, x) in enumerate(sources):  # ("in", slot) loads its register, ("tmp", reg)
        rows += [[I.LOAD, x if kind == "tmp" else loads[x], k, 0, 0]]
    sources = [("tmp", temps[x]) if kind == "tmp" else (kind, x) for kind, x in sources]
    rows += [[I.CONST, u, c, 0, 0] for u, c in cur.consts.items()]
    slot_of = {s: k for k, s in enumerate(sinks)}
    for _, (op, d, x, y, z) in cur.rows:
        rows += [[op, slot_of["out", d] if op >= I.STORE else d, x, y, z]]
    rows += [[I.STORE, slot_of["tmp", temps[u]], u, 0, 0] for u in live]
    at = _shape_slot(shape, sources, sinks)
    if at is None:
        at = len(sources)
        sources.append(("shape", 0))
    return Pass(rows, sources, sinks, at)


def _shape_slot(shape: Slot, sources: list, sinks: list) -> int | None:
    """``shape_at`` of the interpreter for a pass: an input or output slot holding an array
    of the loop's shape (the single pass's, or a temporary), None when none does."""
    for k, s in enumerate(sources):
        if s == shape or s[0] == "tmp":
            return k
    if shape[0] == "out" and shape in sinks:
        return -1 - sinks.index(shape)
    return None


def run(split: Split, loop: Any, consts: np.ndarray, ins: list, outs: list, shape: Slot,
        dummy: np.ndarray) -> None:  # fmt: skip
    """Execute ``split`` on ``ins`` (input arrays, 4-D, in slot order) into ``outs``
    (outputs, 4-D, scratch arrays of boolean ones included), the loop's shape that of
    ``shape``'s array; ``loop`` the interpreter."""
    shape = (ins if shape[0] == "in" else outs)[shape[1]].shape
    temps = [np.empty(shape, dummy.dtype) for _ in range(split.temps)]
    for k, j in split.guard:  # (an input a later pass reads, in an output's memory: copied)
        if np.may_share_memory(ins[k], outs[j]):
            ins = [*ins[:k], np.array(ins[k]), *ins[k + 1 :]]
    view = np.broadcast_to(dummy.reshape(()), shape)
    arrays = {"in": ins, "out": outs, "tmp": temps, "shape": [view]}
    for p in split.passes:
        src = [arrays[kind][k] for kind, k in p.sources]
        dst = [arrays[kind][k] for kind, k in p.sinks]
        src += [dummy] * (I.N_IN - len(src))
        dst += [dummy] * (I.N_OUT - len(dst))
        loop(p.ins, consts, p.shape_at, *src, *dst)
