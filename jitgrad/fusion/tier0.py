"""Tier 0: a new generated kernel first runs through one pre-compiled interpreter.

Compiling a generated kernel costs 0.1-0.9 s; most kernels of a short program or a test run a
few times on small arrays. So a kernel whose compiled code is not yet on disk starts in tier 0:
:func:`attach` puts a :class:`Tier0` in its ``fn``, which translates the spec's straight-line
body (the rendered statements of :func:`jitgrad.fusion.lowering.lower`) into the op codes of
:mod:`.tier0_interp` and runs them there (once the interpreter is built: :func:`ready`, asked
again at each call until it is; before, :mod:`.tier0_numpy` runs the programs of exact
arithmetic and the rest compile). The kernel is compiled, and ``fn`` becomes the compiled
kernel's as before, when it gets hot: when the time its interpretation has cost beyond the
compiled kernel's (estimated per call from the loop's size, see :data:`CALL_S`) would pass
:data:`BUDGET`, a fraction of one compile, or :data:`BUDGET_SHARE` of its own estimated compile
where that is more (so a large loop compiles at once and a kernel that runs often compiles
soon), or at a call tier 0 cannot take. Before that, at a quarter of the budget,
:mod:`.tier0_background` sends it to a background process that compiles it into the cache while
the calls stay interpreted; its next call then loads that code (and a kernel's cost carries
over to the next process, so one hot over several short runs compiles too).
Results are bitwise the compiled kernel's (see :mod:`.tier0_interp`); ``tests/test_tier0.py``
and ``tests/test_tier0_numpy.py`` compare them over the op declarations.

What tier 0 takes (:mod:`.tier0_translate` translates): serial specs (``parallel`` ones are
large and compile) of at most 4 dimensions (``compact`` operands are read as the broadcast
views they stand for), every array operand and output of one float dtype (float32 or float64)
or boolean (converted to 0/1 of it; an all-boolean kernel runs in float32), scalars of that
dtype or bool (others only where the expression casts them), any number of array operands and
outputs (past the interpreter's 8 and 8, in several passes: :mod:`.tier0_passes`), and bodies
built from the arithmetic, comparisons, ``where``/logical forms and the functions in
``_CALLS`` (with :mod:`.tier0_libm`'s); and int64 kernels of the integer rows
(arithmetic, ``//``, ``%``, bits, shifts, comparisons: ``tier0_translate.INTEGER_ROWS``) on
their own interpreter (int8/int16/int32 kernels too, widened: :mod:`.tier0_translate`); and
a call with a complex operand, whatever mix of complex64,
complex128, float32 and float64 its arrays are, on the complex interpreter
(:mod:`.tier0_complex`); and a pure conversion (the ``cast`` kernel) between dtypes whose
conversion is defined bit for bit, on NumPy, never compiled (:mod:`.tier0_convert`).
Anything else (unsigned integer kernels, ``_k``'s special functions, other mixed dtypes)
compiles; so does a call whose output
shares memory between its elements, unless it is a gradient summed into an expanded view
that nothing else of the call touches (:meth:`Tier0._separate`).
``JITGRAD_TIER0=0`` turns tier 0 off (every kernel compiles at its first call). With
``JITGRAD_DEBUG`` each interpreted launch is reported as ``launch <kernel> tier0 ...``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from .. import helpers
from ..kernels.cpu.entry_lock import claim, release
from . import (
    diskcache,
    tier0_background,
    tier0_complex,
    tier0_convert,
    tier0_numpy,
    tier0_translate,
)
from . import tier0_complex_interp as X
from . import tier0_interp as I
from .tier0_translate import DTYPES, FLOATS, Program

__all__ = ["Program", "Tier0", "attach", "marker_path", "ready", "translate"]

#: False when ``JITGRAD_TIER0=0``: every generated kernel compiles at its first call.
ENABLED = os.environ.get("JITGRAD_TIER0", "1") != "0"
#: Seconds of extra time (interpreted minus compiled, estimated) a kernel may spend in tier 0
#: before it is compiled: a compile costs 0.1-0.9 s of CPU, so a kernel that gets hot costs at
#: most a few percent more than compiling it at once, and one that does not saves the compile.
BUDGET = 0.02
#: ...or that fraction of the kernel's own estimated compile, where that is more: a fused
#: forward+backward kernel with several gradient reductions compiles in 1-1.8 s (each reduced
#: output renders a block loop and a lanes sum of its own), ten times a plain kernel's
#: ~0.12 s, so the same share of it lets it run ten times longer first (perf/RESULTS.md Run
#: gen19: the corpus's dynamic_net, 600 steps on 2000 elements, compiled three such kernels
#: after 111-166 calls, ~4.6 CPU s; a run of the tutorial's 30000 steps still compiles them,
#: after ~1000 calls). The estimate: :data:`COMPILE_S` plus :data:`REDUCED_S` per reduced
#: output (Numba's CPU time for the corpus's kernels, perf/tier0_census.py).
BUDGET_SHARE = 0.15
COMPILE_S, REDUCED_S = 0.12, 0.3
#: The estimate: per call, and per element per op-code row (measured on the interpreter,
#: perf/RESULTS.md "Run O": ~8-20 us a call, 1-5 ns an element and row, 40-80x a compiled
#: loop's per-element time). A 4-row add of 16 elements: ~1900 calls; of 10**6: compiled at once.
CALL_S, ELEMENT_S = 10e-6, 5e-9
#: Generated kernels a process compiles before it builds the interpreter itself, when no
#: earlier process has left it in the cache. Building it costs ~5.3 s of CPU per dtype (thread
#: CPU, Dec 6), about as much as 25-35 generated kernel compiles (0.08-0.5 s, ~0.16 s typical);
#: so, as in renting skis, a process builds it once it has spent about that much compiling: a
#: short program (the README's example compiles 2) never pays for it, and a process that
#: compiles many (a test file, a new model) pays once for all later ones. (At 8, every fresh
#: cache's 9th kernel cost 5 s more than it saved.)
AFTER_COMPILES = 24
#: The same rule for the int64 interpreter (~4.3 s of CPU to build, an int64 kernel's compile
#: ~0.1 s: perf/RESULTS.md, Run tcmd), counted in int64 kernels this process compiled because
#: the interpreter was not there yet, so that a long float program's first integer kernel
#: does not pay for a build it cannot earn back.
AFTER_INT64 = 32
#: The same rule for the complex interpreter (:mod:`.tier0_complex_interp`, one for every
#: complex and mixed complex/real kernel; 9-10 CPU s to build under load, about 1.1x float32's,
#: a complex kernel's compile ~0.2-0.25 s: perf/RESULTS.md, Run t0complex), counted in complex
#: kernels this process compiled for lack of it: a program that never touches a complex
#: tensor never builds it, one that compiles 16 builds it (below the rent-or-buy point, ~40:
#: a process that compiles complex kernels at all tends to compile many: the three complex
#: test files compile 216 generated kernels on main).
AFTER_COMPLEX = 16
#: dtype -> this process's kernels of that dtype compiled for lack of its interpreter
_WAITED: dict[str, int] = {}


def attach(kernel: Any, reduce_block: int) -> None:
    """Start ``kernel`` in tier 0 unless tier 0 is off, cannot take its spec at all, or its
    compiled code is already on disk (a warm cache loads it as before).

    ``reduce_block`` is :data:`.codegen.REDUCE_BLOCK` (codegen calls this; importing it here
    would be a cycle): a 1-D full reduction is summed in blocks of that many."""
    spec = kernel.spec
    if not ENABLED or spec.parallel:
        return
    _attach_interpreter(kernel, reduce_block)
    if tier0_convert.takes(spec):  # (NumPy converts what it can; the rest goes as before)
        kernel.fn = tier0_convert.Conversion(kernel, kernel.fn, BUDGET)


def _attach_interpreter(kernel: Any, reduce_block: int) -> None:
    spec = kernel.spec
    if spec.ndim > 4:
        return
    dtypes = {o[3] for o in spec.outputs} - {"bool"}
    if any(dt.startswith("complex") for dt in dtypes):  # (its calls: tier0_complex's rows)
        dtypes = {X.DTYPE}
    if dtypes & tier0_translate.NARROW:  # (widened to int64 programs, where they translate)
        dtypes = {"int64" if dt in tier0_translate.NARROW else dt for dt in dtypes}
    if not dtypes <= {*DTYPES, X.DTYPE}:  # (any number of arrays: a wide one runs in passes)
        return
    if len(dtypes) > 1 or _on_disk(kernel):
        return
    # (boolean outputs only: the operands' dtype decides, at the first call)
    interp = bool(dtypes) and ready(dtypes.pop())
    kernel.fn = Tier0(kernel, kernel.fn, reduce_block, interp)


_LISTED: dict[Any, set[str]] = {}


def _on_disk(kernel: Any) -> bool:
    """Whether compiled code of ``kernel`` is in the cache: its directory listed once per
    process (``Kernel.has_cached_code`` globs the directory: 7 ms per kernel with 650 kernels
    cached, which a warm program's start would pay for each of its kernels). A file's name
    starts with the kernel's module name, cut at 120 characters (``jit._File``)."""
    folder = kernel.path.parent / "__pycache__"
    names = _LISTED.get(folder)
    if names is None:
        try:
            names = {e.name.split(".", 1)[0] for e in os.scandir(folder)}
        except OSError:
            names = set()
        _LISTED[folder] = names
    return kernel.name[:120] in names


#: dtype -> (this process's compile count, monotonic time) at the last "not built, not worth
#: building yet": a kernel in tier 0 asks at each call whether the interpreter exists now, and
#: the disk's answer (a stat of the marker) costs ~5 us, half of a NumPy-run call; so it is
#: asked again only once this process has compiled more (it may build it now) or after
#: RECHECK_S seconds (another process may have left it). While another process builds it, each
#: call asks (that lasts one build).
_NOT_YET: dict[str, tuple[int, float]] = {}
RECHECK_S = 0.5


def translate(spec: Any, args: tuple, reduce_block: int) -> Program | None:
    """``spec``'s program for these argument types (None: compile): a call with a complex
    operand on the complex interpreter (:mod:`.tier0_complex`), any other on the real ones."""
    if any(np.iscomplexobj(a) for a in args):
        return tier0_complex.translate(spec, args)
    return tier0_translate.translate(spec, args, reduce_block)


def ready(dtype: str) -> bool:
    """Whether the interpreter for ``dtype`` runs in this process: loaded already, or left in
    the cache by an earlier process (a marker file says so; loaded now), or worth building
    now (this process has compiled :data:`AFTER_COMPILES` kernels) unless another is at it."""
    interp = X if dtype == X.DTYPE else I
    if dtype in interp.SIGNATURES:
        return True
    count, now = diskcache.compiled_count(), time.monotonic()
    if dtype not in FLOATS:
        count = _WAITED.get(dtype, 0)
    if _NOT_YET.get(dtype, (-1, -RECHECK_S))[0] == count and now - _NOT_YET[dtype][1] < RECHECK_S:
        return False  # (asked a moment ago, and this process has compiled nothing since)
    marker = marker_path(dtype)
    built = marker.exists()
    after = {X.DTYPE: AFTER_COMPLEX, "int64": AFTER_INT64}.get(dtype, AFTER_COMPILES)
    if not built and count < after:
        _NOT_YET[dtype] = (count, now)
        return False
    if not built and not claim(marker):
        return False  # (another process builds it: its marker says when to load it)
    try:
        interp.loop(dtype)
        helpers.atomic_write(marker, b"")
    finally:
        release(marker)
    return True


def marker_path(dtype: str) -> Path:
    """The file saying that ``dtype``'s interpreter is compiled in the cache: named by the
    interpreter's own cache entry (:meth:`jit.KernelCache.identity`: its source path and
    stamp), not only by the build key of the generated kernels' directory, so a marker left
    by another copy of jitgrad or another version of the op table does not make this process
    compile the interpreter at its first kernel as if loading it (nor two such processes
    build it at once, each under another entry lock)."""
    run = X.RUN if dtype == X.DTYPE else I.RUN[dtype]
    cache = getattr(getattr(run, "dispatcher", run), "_cache", None)
    tag = cache.identity() if hasattr(cache, "identity") else "memory"
    return diskcache.kernel_dir() / f"tier0-{dtype}-{tag}.ready"


try:  # Numba's C type fingerprint: one per Numba type of an argument (dtype, layout, read-only)
    from numba._dispatcher import compute_fingerprint as _fingerprint
except ImportError:  # pragma: no cover - another Numba: each dtype's first signature only
    _fingerprint = None


def _key(args: tuple) -> tuple:
    """The key of the program for ``args``: one per signature a compile would be for, so the
    background compile is sent each of them (a kernel called with read-only saved inputs and
    with fresh ones has two)."""
    if _fingerprint is not None:
        try:
            return tuple(map(_fingerprint, args))
        except Exception:  # noqa: BLE001 - (NotImplementedError for float16, object, str...)
            pass
    return tuple(a.dtype.char if isinstance(a, np.ndarray) else type(a) for a in args)


class Tier0:
    """A kernel's ``fn`` while it is in tier 0: interprets, counts, and hands over."""

    __slots__ = (
        "kernel", "compiled", "calls", "spent", "carried", "queued", "waiting", "unsent",
        "programs", "block", "interp", "budget",
    )  # fmt: skip

    def __init__(self, kernel: Any, compiled: Any, block: int, interp: bool = True) -> None:
        self.kernel = kernel
        self.block = block
        self.interp = interp  # False: the interpreter is not built; NumPy runs what it can
        self.compiled = compiled  # the kernel's own first-call path (compiles, then runs)
        self.calls = 0
        # the estimated extra seconds of the calls so far, from those of earlier processes
        self.carried = self.spent = tier0_background.carried(kernel.name)
        self.queued = 0  # 1: sent to the background compile; -1: it cannot take it
        self.waiting = 0  # requests sent to it whose compiled code is not on disk yet
        self.unsent: list = []  # Numba signatures of its calls not sent to it yet
        self.programs: dict[tuple, Program | None] = {}
        self.budget = 0.0  # beyond BUDGET: the share of the largest program's compile
        tier0_background.track(self)

    def __call__(self, *args: Any) -> Any:
        if self.kernel.fn is self:
            program = self.take(args)
            if program is not None:
                self.calls += 1
                return program.launch(self.kernel, args, self.interp)
            self.promote()
        return self.kernel.fn(*args)  # (a caller that kept this object after the hand-over)

    def take(self, args: tuple) -> Program | None:
        """The program to interpret ``args`` with, or None when this call should compile."""
        key = _key(args)
        program = self.programs.get(key, False)
        if program is False:
            program = self.programs[key] = translate(self.kernel.spec, args, self.block)
            if program is not None:
                reduced = sum(mode == I.REDUCE for _, mode in program.modes)
                self.budget = max(self.budget, BUDGET_SHARE * (COMPILE_S + REDUCED_S * reduced))
            if program is not None and tier0_background.ENABLED:  # (what a compile would be for)
                self.unsent.append(tier0_background.signature(self.kernel, args))
        if program is None:
            return None
        interp = self.interp
        if program.dtype == X.DTYPE:  # (a real kernel called with complex operands too)
            interp = ready(X.DTYPE)
        elif not interp:  # (built meanwhile, or left on disk by another process)
            interp = self.interp = ready(program.dtype)
        if not (interp or (program.plain and args[program.shape_arg].size <= tier0_numpy.MAX_SIZE)):
            _WAITED[program.dtype] = _WAITED.get(program.dtype, 0) + 1
            return None
        if not all(self._separate(args, k, mode, program) for k, mode in program.modes):
            return None
        cost = CALL_S * program.calls + args[program.shape_arg].size * program.rows * ELEMENT_S
        if not self._worth(cost):
            return None
        self.spent += cost
        return program

    def _worth(self, cost: float) -> bool:
        """Whether to interpret a call of ``cost`` estimated extra seconds: while the total
        stays within the budget and, once the kernel is sent to the background compile (past
        :data:`.tier0_background.HOT`), until its code is on disk (then loaded)."""
        spent = self.spent + cost
        if self.queued >= 0 and self.unsent and spent > tier0_background.HOT:
            self.queued = tier0_background.request(self)  # (and each new signature after)
        if self.queued == 1 and not self.waiting:
            return False
        return spent <= max(BUDGET, self.budget)

    def _separate(self, args: tuple, k: int, mode: int, program: Program) -> bool:
        """Whether output ``k`` is safe to interpret: its elements have memory of their own,
        or (an expanded gradient summed into, mode ACC/ACC_ROW) the interpreter adds into it
        element by element in the compiled loop's order and nothing else it reads or writes
        shares that memory. A stored output whose elements share memory (an expanded tensor
        written in place, ``e.masked_fill_(...)`` on ``base.expand(3)``) ends with the last
        write, read back by later elements: only the compiled loop's order gives that."""
        out = args[k]
        if out.size <= 1 or 0 not in out.strides:
            return True
        if mode not in (I.ACC, I.ACC_ROW) or not self.interp or k in program.bools | program.narrow:
            return False
        others = [a for j, a in enumerate(args) if j != k and isinstance(a, np.ndarray)]
        return not any(np.may_share_memory(out, a) for a in others)

    def promote(self) -> None:
        """Hand over to the compiled kernel (compiled at its next call)."""
        if self.kernel.fn is self:
            self.kernel.fn = self.compiled
            name, calls = self.kernel.name, self.calls
            helpers.debug_print(1, f"tier0 -> compiling {name} after {calls} calls")
