"""A compiled function: guards, a cache of captured programs, and the eager fallback.

Each call computes a guard key from its arguments (each tensor's shape, dtype,
``requires_grad``, whether it has a ``.grad`` and a ``grad_fn``, which arguments are the
same tensor; each Python number, string, bool or None by value), the grad mode and whether
backward fusion is on. The first
call with a key is traced (:mod:`.trace`): it runs eagerly, so it returns eager's result,
and leaves either a :class:`~.tape.Program` or the reason it could not be captured. Later
calls with that key run the program, after checking what the key does not cover: the
tensors the function reached by itself (closures, globals, parameters; the same checks) and
the Python values it read (numbers in its globals and closure, an optimizer's learning rate).
When none of a key's programs passes those checks the call traces again, adding a program;
an uncapturable key runs eagerly from then on.

Which tier runs a program: the tape interpreter (the default: no compile per graph), or,
with ``straight=True`` (``mode="max-autotune"``), straight-line source generated and
compiled for each program as it is traced (:mod:`.straight`: a Numba compile per graph,
then no per-row dispatch). ``explain()`` names the tier of each program.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

from .. import helpers
from ..engine.fusion_mode import STATE as FUSION
from ..engine.grad_mode import GRAD_OFF, STATE
from ..frontend.tensor import Tensor
from . import build as _build
from . import straight as _straight
from .tape import Program, Unsupported, tensor_key
from .trace import ACTIVE, TRACING, Recorder, run_traced

_SCALARS = (int, float, bool, str, type(None))

#: per thread, ``depth``: how many compiled calls are running Python code (the function
#: eagerly, a trace, or a replay's host calls): ``is_compiling()`` reads it, and a compiled
#: function called inside one is part of it (runs plainly). A replay without host calls runs
#: no Python code of the program's, so it is not counted (a thread-local's writes cost ~1k
#: instructions per call: perf/RESULTS.md, Run logistic19).
DEPTH = threading.local()


def python_call(fn: Callable, args: tuple, kwargs: dict) -> Any:
    """``fn(*args, **kwargs)`` counted in :data:`DEPTH`."""
    DEPTH.depth = getattr(DEPTH, "depth", 0) + 1
    try:
        return fn(*args, **kwargs)
    finally:
        DEPTH.depth -= 1


#: at most this many programs per function (torch._dynamo.config.cache_size_limit's 8)
LIMIT = 8


def guard_key(args: tuple, kwargs: dict) -> tuple | None:
    """The key a program is cached under, or None when an argument cannot be guarded."""
    if kwargs:
        return None
    grad = not GRAD_OFF[0] or STATE.enabled  # (the thread-local read only while one is off)
    if not args:  # (a training step reaching its model and data by closure)
        return (grad, FUSION.enabled)
    key: list = [grad, FUSION.enabled]  # fusion: the backward's addition order
    first: dict[int, int] = {}
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            key.append((first.setdefault(id(a), i), *tensor_key(a)))
        elif type(a) in _SCALARS:
            key.append((type(a), a))
        else:
            return None
    return tuple(key)


def _holds(program: Program) -> bool:
    for t, key in program.guards:
        if tensor_key(t) != key:
            return False
    for owner, k, v in program.values:
        if k is None:  # a closure cell
            now = owner.cell_contents
        elif type(k) is str:
            now = owner.get(k, _MISSING)
        else:  # an itemgetter: several keys of a dict (an optimizer's param group) at once
            now = k(owner)
        if type(now) is not type(v) or now != v:
            return False
    return True


_MISSING = object()


def python_values(fn: Callable) -> list[tuple[Any, str | None, Any]]:
    """The numbers and bools ``fn``'s own code reads from its globals and closure cells, as
    guards ``(dict, name, value)`` / ``(cell, None, value)``: a replay bakes them in, so a
    changed ``lr = 0.1`` global must trace again. (Values read in other functions it calls,
    or from attributes, are not seen.)"""
    code = getattr(fn, "__code__", None)
    if code is None:
        return []
    out: list[tuple[Any, str | None, Any]] = []
    globs = getattr(fn, "__globals__", {})
    for name in code.co_names:
        v = globs.get(name, _MISSING)
        if type(v) in _NUMBERS:
            out.append((globs, name, v))
    for cell in getattr(fn, "__closure__", None) or ():
        try:
            v = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if type(v) in _NUMBERS:
            out.append((cell, None, v))
    return out


_NUMBERS = (int, float, bool)


class Compiled:
    """The state behind one ``jitgrad.compile(fn)``: programs by guard key."""

    #: every live instance, for ``torch.compiler.reset()``
    LIVE: weakref.WeakSet[Compiled] = weakref.WeakSet()

    def __init__(self, fn: Callable, name: str, straight: bool = False) -> None:
        self.fn = fn
        self.name = name
        #: compile each program to straight-line source (else the interpreter runs it)
        self.straight = straight
        #: guard key -> the programs traced under it (tried in order), or why it runs eagerly
        self.entries: dict[tuple, list[Program] | str] = {}
        self.missed = ""  # why the latest trace beside kept programs ran eagerly
        Compiled.LIVE.add(self)

    @staticmethod
    def reset_all() -> None:
        """Forget every compiled function's programs and fallbacks."""
        for c in list(Compiled.LIVE):
            c.entries.clear()

    def __call__(self, args: tuple, kwargs: dict) -> Any:
        key = guard_key(args, kwargs)
        if key is None:
            self._note("(arguments)", "an argument that is not a tensor or a Python scalar")
            return python_call(self.fn, args, kwargs)
        entry = self.entries.get(key)
        if type(entry) is list:
            for program in entry:
                if _holds(program):
                    if program.kernel is None and not program.runnable():
                        return python_call(self.fn, args, kwargs)  # its loop is compiling
                    if program.hosts:
                        return python_call(program.run, (args,), {})
                    return program.run(args)
        if type(entry) is str or self.count >= LIMIT or ACTIVE:
            return python_call(self.fn, args, kwargs)  # (ACTIVE: a trace is running)
        if not TRACING.acquire(blocking=False):  # another thread is tracing: run eagerly
            return python_call(self.fn, args, kwargs)
        try:
            return python_call(self._trace, (key, args), {})
        finally:
            TRACING.release()

    @property
    def count(self) -> int:
        """Programs and fallbacks held (at most :data:`LIMIT`)."""
        return sum(len(e) if type(e) is list else 1 for e in self.entries.values())

    def _trace(self, key: tuple, args: tuple) -> Any:
        rec = Recorder(self.name, args)
        rec.values.extend(python_values(self.fn))
        result = run_traced(rec, self.fn, args, {})
        if rec.failed is None and rec.tape.dtype is None:
            rec.failed = "the function ran no tensor op"
        if rec.failed is None and rec.retrace is not None:
            self._note(key, f"{rec.retrace}; the next call traces again")
            return result
        if rec.failed is None:
            try:
                program = rec.finish(result)
            except Unsupported as e:
                rec.fail(str(e))
            else:
                program.guards, program.values = rec.guards, rec.values
                if self.straight:
                    self._compile(program)
                else:
                    program.runnable()  # starts the interpreter's compile if it must
                self.entries.setdefault(key, []).append(program)
                helpers.debug_print(
                    1,
                    f"compile: {self.name}: captured {program.rows} tape rows ({program.ops} "
                    "graph nodes); later calls with these guards replay them",
                )
                return result
        if type(self.entries.get(key)) is not list:  # keep the programs other guards hold
            self.entries[key] = f"runs eagerly: {rec.failed}"
        else:  # their guards failed (a Python value changed): this call ran eagerly
            self.missed = f"a call whose Python values no program holds runs eagerly: {rec.failed}"
        self._note(key, rec.failed)
        return result

    def _compile(self, program: Program) -> None:
        """Give ``program`` its straight-line kernel; if Numba cannot compile it, the
        interpreter keeps running it (and ``explain()`` says why). A program with host calls
        stays on the interpreter: straight-line source has no segments to run them between."""
        if program.hosts or program.groups:  # (a fused group is a host call)
            program.tier += " (straight-line source does not take host calls)"
            program.runnable()
            return
        if program.live:  # the source dedups constants by value: live ones become guards
            program.values = program.values + [guard for _, guard in program.live_guards]
            program.live = []
        try:
            kernel = _straight.build(program)
        except Exception as e:  # a Numba failure must not break a step that ran fine eagerly
            program.tier = f"run by the tape interpreter (straight-line source failed: {e})"
            helpers.debug_print(1, f"compile: {self.name}: {program.tier}")
            return
        program.kernel = kernel.fn
        how = "loaded from disk" if kernel.from_disk else "compiled"
        program.tier = (f"run as straight-line source {kernel.name} ({kernel.functions} "
                        f"function(s), {how} in {kernel.compile_seconds:.2f} s)")  # fmt: skip
        helpers.debug_print(1, f"compile: {self.name}: {program.tier}")

    def _note(self, key: Any, why: str) -> None:
        helpers.debug_print(1, f"compile: {self.name}: runs eagerly: {why}")

    def explain(self) -> str:
        """What each guard key compiled to: a program's size, or why it runs eagerly."""
        lines = [f"compiled {self.name}: {self.count} guard set(s)"]
        for entry in self.entries.values():
            if type(entry) is str:
                lines.append(f"  {entry}")
                continue
            for p in entry:
                tier = p.tier
                if p.kernel is None:  # the interpreter is not ready yet (see build.ready)
                    why = _build.failure(p.arena.dtype.name, p.codes) or "compiling in background"
                    tier += f" ({why}: calls run eagerly until it is ready)"
                lines.append(f"  captured: {p.rows} tape rows ({p.ops} graph nodes), {tier}")
        return "\n".join(lines + ([f"  {self.missed}"] if self.missed else []))
