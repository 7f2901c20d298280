"""Straight-line source: a captured tape as generated Numba code, one statement per row.

The tape interpreter (:mod:`.interp`) runs any tape with one loop compiled once, so a new
graph costs a trace and never a Numba compile; each row pays a dispatch (reading the row,
the branch on its op code), which is most of the cost of a row of one element. This module
is the other end (issue 16): the rows of one program written out as Python source and
compiled by ``@njit`` for that graph. A row of one element becomes one statement over locals
(``v12 = v9 * v10``: values in registers, no dispatch); the arena (``a``) is read and
written only where something else needs an element: the caller's inputs and results, and
softmax rows (direct calls of the interpreter's helpers), and the rows the interpreter still
runs, which are the rows over whole slots or many elements (sums, optimizer updates, loops),
where its dispatch is already amortized: each run of them is one call of
:func:`.interp.run` on those rows (``run(ins[40:52], k, a)``). The
price is a Numba compile per graph, which grows with the tape's length: Numba spends
milliseconds per statement (perf/RESULTS.md, run Q). ``jitgrad.compile(fn,
mode="max-autotune")`` selects it.

Every statement is the interpreter's branch for its op, the same operations in the same
order (branching formulas are the functions of :mod:`.straight_ops`), so a straight-line
replay equals an interpreted one, and eager, bit for bit. Constants are read from the
program's ``consts`` array at run time, as the interpreter reads them, so two graphs that
differ only in their numbers (a learning rate, a scalar operand) share one source and one
compile.

The module is a generated kernel module: written under the kernel cache directory by
:func:`jitgrad.fusion.diskcache.load` (a damaged file is rewritten) and its entry function
compiled through :func:`jitgrad.kernels.cpu.jit.cached_njit` (a damaged compiled file is
dropped and recompiled). Its name hashes its source, which carries a digest of this module,
:mod:`.interp` and :mod:`.straight_ops`, so a change to any formula gives a new name.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from pathlib import Path
from typing import Any

import numba
import numpy as np

from ..fusion import diskcache
from . import interp, straight_ops

#: Rows per generated function. Numba's compile time grows faster than linearly with a
#: function's length (its passes over one huge block), so a long tape is split into
#: functions of at most this many statements, called in order by the entry function.
#: Chosen by measurement (perf/RESULTS.md, run Q).
CHUNK = 250

#: forward op -> the element expression (x, y: the operands' elements; c0, c1: constants)
FORWARD = {
    "add": "{x} + {y}", "sub": "{x} - {y}", "mul": "{x} * {y}", "div": "{x} / {y}",
    "addc": "{x} + {c0}", "subc": "{x} - {c0}", "mulc": "{x} * {c0}", "divc": "{x} / {c0}",
    "neg": "-{x}", "exp": "fast_exp({x})", "log": "np.log({x})", "tanh": "_tanh({x})",
    "sigmoid": "one / (one + fast_exp(-{x}))", "relu": "_k.maximum({x}, zero)",
    "softplus": "_o.softplus({x}, {c0}, {c1})", "reciprocal": "one / {x}",
    "square": "{x} * {x}", "copy": "{x}", "fill": "{c0}", "rsubc": "{c0} - {x}",
    "cube": "({x} * {x}) * {x}", "powc": "{x} ** {c0}", "rpowc": "{c0} ** {x}",
    "sqrt": "np.sqrt({x})", "rsqrt": "one / np.sqrt({x})", "abs": "abs({x})",
    "clamp": "_k.minimum(_k.maximum({x}, {c0}), {c1})", "maximum": "_k.maximum({x}, {y})",
    "minimum": "_k.minimum({x}, {y})", "add_scaled": "{x} + {c0} * {y}",
    "sub_scaled": "{x} - {c0} * {y}", "sin": "_sin({x})", "cos": "_cos({x})",
    "log1p": "np.log1p({x})", "expm1": "np.expm1({x})",
}  # fmt: skip

#: backward op -> the derivative's expression (g: the incoming gradient's element; y, z:
#: the operands the row reads)
BACKWARD = {
    "b_g": "{g}", "b_sum": "{g}", "b_mean": "{g}", "b_neg": "-{g}", "b_mul": "{g} * {y}",
    "b_mulc": "{g} * {c0}", "b_diva": "{g} / {y}", "b_divb": "((-{g}) * {y}) / ({z} * {z})",
    "b_divc": "{g} / {c0}", "b_exp": "{g} * {y}", "b_log": "{g} / {y}",
    "b_tanh": "{g} * (one - {y} * {y})", "b_sigmoid": "({g} * {y}) * (one - {y})",
    "b_relu": "_o.b_relu({g}, {y}, zero)",
    "b_softplus": "_o.b_softplus({g}, {y}, {c0}, {c1}, one)",
    "b_reciprocal": "((-{g}) * {y}) * {y}", "b_square": "(two * {g}) * {y}", "b_zero": "zero",
    "b_negc": "(-{g}) * {c0}", "b_cube": "((three * {g}) * {y}) * {y}",
    "b_powc": "_o.b_powc({g}, {y}, {c0}, zero, one)",
    "b_rpowc": "_o.b_rpowc({g}, {y}, {z}, {c0}, zero)", "b_sqrt": "{g} / (two * {y})",
    "b_rsqrt": "((((-half) * {g}) * {y}) * {y}) * {y}",
    "b_abs": "{g} * (one if {y} > zero else (-one if {y} < zero else zero))",  # torch.sign
    "b_clamp": "_o.b_clamp({g}, {y}, {c0}, {c1}, zero)",
    "b_maxa": "_o.b_maxa({g}, {y}, {z}, zero, two)",
    "b_mina": "_o.b_mina({g}, {y}, {z}, zero, two)",
    "b_maxb": "_o.b_maxb({g}, {y}, {z}, zero, two)",
    "b_minb": "_o.b_minb({g}, {y}, {z}, zero, two)", "b_sin": "{g} * _cos({y})",
    "b_cos": "(-{g}) * _sin({y})", "b_log1p": "{g} / ({y} + one)",
    "b_expm1": "{g} * ({y} + one)",
}  # fmt: skip

_HEADER = '''"""Straight-line replay of one captured tape, generated by jitgrad.capture.straight."""
# formulas: {digest}
import numpy as np
from numba import njit

from jitgrad.capture import straight_ops as _o
from jitgrad.capture.interp import (
    _NO, _cos, _k, _sin, _softmax_bwd_slices, _softmax_slices, _tanh, fast_exp, run,
)
from jitgrad.kernels.cpu.jit import cached_njit
'''

_PRELUDE = """    T = a.dtype.type
    zero = T(0)
    one = T(1)
    two = T(2)
    three = T(3)
    half = T(0.5)
"""


def _digest() -> str:
    """A digest of the code a generated module's formulas come from."""
    h = hashlib.sha256()
    for module in (interp, straight_ops):
        h.update(Path(module.__file__).read_bytes())  # type: ignore[arg-type]
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:32]


#: ops that read or write whole slots in the arena (their operands stay arrays)
_WHOLE = {"sum": "xd", "mean": "xd", "softmax": "xd", "b_softmax": "xyd", "b_reduce": "xd",
          "sgd": "xyd", "adam": "xyzd"}  # fmt: skip


def _reads(name: str) -> str:
    """Which of an elementwise row's operands its formula reads: x, y, z (aux)."""
    expr = FORWARD.get(name) or BACKWARD[name]
    return "".join(k for k, t in (("x", "{x}"), ("x", "{g}"), ("y", "{y}"), ("z", "{z}"))
                   if t in expr)  # fmt: skip


class _Writer:
    """Renders rows of one element as statements over locals. An element lives in a local
    (``v12``) when only such rows touch it; else in the arena ``a`` (what the interpreter's
    rows and the caller read or write), loaded into a local once per function and stored
    after each write. Each assignment makes a new name, so every variable of the generated
    function has one definition (Numba's SSA pass then has nothing to rebuild)."""

    def __init__(self, ins: np.ndarray, consts: np.ndarray, io: list[tuple[int, int]]) -> None:
        self.ins = ins
        size = int(max((r[1] + r[4] for r in ins), default=0)) + 1
        for off, n in io:
            size = max(size, off + n)
        arena = np.zeros(size + 1, bool)
        for off, n in io:
            arena[off : off + n] = True
        last = np.full(size + 1, -1, np.int64)  # the last row reading each element
        bits = consts.view(np.int64)
        #: a constant's index -> the first index holding the same number
        self.const = {}
        first: dict[int, int] = {}
        for i, b in enumerate(bits.tolist()):
            self.const[i] = first.setdefault(b, i)
        written = np.zeros(size + 1, bool)
        for r, row in enumerate(ins.tolist()):
            op, dst, x, y, n, acc, c, aux = row
            name = interp.OPS[op]
            cols = {"x": x, "y": y, "z": aux, "d": dst}
            if name in _WHOLE or n > 1:  # the interpreter's: all it touches is in the arena
                for k in _WHOLE.get(name) or _reads(name) + "d":
                    one = k == "x" and name in ("b_sum", "b_mean")  # the one gradient spread
                    arena[cols[k] : cols[k] + (1 if one else n)] = True
                if name == "adam":  # its step counter
                    arena[acc] = True
                continue
            for k in _reads(name):
                last[cols[k]] = r
                arena[cols[k]] |= not written[cols[k]]  # read before any write: the arena's
            if acc:
                last[dst] = r
            written[dst] = True
        self.arena, self.last = arena, last
        self.cur: dict[int, str] = {}  # a local element -> its current name
        #: an arena element read or written by this function's one-element rows -> the
        #: local holding its value (each array access costs Numba far more than a local)
        self.loaded: dict[int, str] = {}
        self.pending: list[str] = []  # the statements of the row being written
        self.count = 0

    def _fresh(self, value: str) -> str:
        self.count += 1
        name = f"v{self.count}"
        self.pending.append(f"{name} = {value}")
        return name

    def read(self, e: int) -> str:
        if not self.arena[e]:
            return self.cur[e]
        name = self.loaded.get(e)
        if name is None:
            name = self.loaded[e] = self._fresh(f"a[{e}]")
        return name

    def write(self, e: int, expr: str, acc: int) -> None:
        name = self._fresh(f"{self.read(e)} + ({expr})" if acc else expr)
        if self.arena[e]:
            self.pending.append(f"a[{e}] = {name}")
            self.loaded[e] = name
        else:
            self.cur[e] = name

    def forget(self, row: list[int]) -> None:
        """Drop the loaded values a row over whole slots may change."""
        op, dst, x, y, n, acc, c, aux = row
        spans = [(off, n) for off in (dst, x, y, aux)] + [(acc, 1)]
        self.loaded = {e: v for e, v in self.loaded.items()
                       if not any(lo <= e < lo + k for lo, k in spans)}  # fmt: skip

    def c(self, i: int) -> str:
        return f"c{self.const[i]}"

    def live(self, r: int) -> list[int]:
        """The locals a later row (``r`` on) reads: what one function hands the next."""
        return [e for e in self.cur if self.last[e] >= r]

    def statement(self, row: list[int]) -> list[str] | None:
        """A row of one element as source lines: its statement, after the arena loads it
        needs, then its arena copy if the arena holds it; None for a row the interpreter
        runs (its loaded values are forgotten)."""
        lines = self._statement(row)
        if lines is None or interp.OPS[row[0]] in _WHOLE:
            self.forget(row)
        if lines is None:
            return None
        out, self.pending = self.pending + lines, []
        return out

    def _statement(self, row: list[int]) -> list[str] | None:
        op, dst, x, y, n, acc, c, aux = row
        name = interp.OPS[op]
        c0, c1 = self.c(c), self.c(c + 1) if c + 1 < len(self.const) else ""
        if name == "softmax":  # the interpreter's own helpers, called directly (a call of
            # the interpreter for one row allocates its pairwise-sum stack each time)
            return [f"_softmax_slices(a[{x}:{x + n}], a[{dst}:{dst + n}], 1, {n}, _NO)"]
        if name == "b_softmax":
            return [f"_softmax_bwd_slices(a[{x}:{x + n}], a[{y}:{y + n}], "
                    f"a[{dst}:{dst + n}], 1, {n}, _NO)"]  # fmt: skip
        if name in _WHOLE or n > 1:  # the interpreter runs it (see :func:`source`)
            return None
        used = _reads(name)
        ops = {k: self.read(v) if k in used else "" for k, v in (("x", x), ("y", y), ("z", aux))}
        if name == "b_mean":
            ops["x"] = f"({ops['x']} / T({n}))"
        if name in FORWARD:
            expr = FORWARD[name].format(x=ops["x"], y=ops["y"], c0=c0, c1=c1)
            acc = 0
        else:
            expr = BACKWARD[name].format(g=ops["x"], y=ops["y"], z=ops["z"], c0=c0, c1=c1)
        self.write(dst, expr, acc)
        return []


def source(ins: np.ndarray, consts: np.ndarray, io: list[tuple[int, int]],
           chunk: int | None = None) -> tuple[str, str]:  # fmt: skip
    """The generated module for a program's rows ``ins`` (``io``: the arena ranges its caller
    reads or writes; ``chunk``: rows per function, :data:`CHUNK` by default): (its name,
    its source)."""
    chunk = chunk or CHUNK
    w = _Writer(ins, consts, io)
    rows = ins.tolist()
    parts: list[str] = []
    calls: list[str] = []
    live_in: list[int] = []
    for j, lo in enumerate(range(0, max(len(rows), 1), chunk)):
        block = rows[lo : lo + chunk]
        w.loaded = {}  # arena values are loaded again in each function
        head = [f"{w.cur[e]}_ = t[{i}]" for i, e in enumerate(live_in)]
        for e in live_in:
            w.cur[e] += "_"
        lines: list[str] = []
        batch = None  # the first of the rows the interpreter runs next
        for r, row in enumerate(block, lo):
            got = w.statement(row)
            if got is None:
                batch = r if batch is None else batch
                continue
            if batch is not None:
                lines.append(f"run(ins[{batch}:{r}], k, a)")
                batch = None
            lines += got
        if batch is not None:
            lines.append(f"run(ins[{batch}:{lo + len(block)}], k, a)")
        live_out = w.live(lo + chunk)
        if live_out:
            lines.append("return (" + "".join(f"{w.cur[e]}, " for e in live_out) + ")")
        prelude = _PRELUDE
        used = sorted({int(t[1:]) for line in lines for t in _CONST.findall(line)})
        prelude += "".join(f"    c{i} = T(k[{i}])\n" for i in used)
        body = "".join(f"    {line}\n" for line in head + lines) or "    pass\n"
        params = "a, k, ins, t" if live_in else "a, k, ins"
        parts.append(f'\n\n@njit(error_model="numpy", nogil=True)\ndef _s{j}({params}):\n'
                     f"{prelude}{body}")  # fmt: skip
        result = f"t{j} = " if live_out else ""
        calls.append(f"    {result}_s{j}(arena, consts, ins{f', t{j - 1}' if live_in else ''})\n")
        live_in = live_out
    entry = ('\n\n@cached_njit(error_model="numpy", nogil=True)\n'
             f"def NAME(ins, consts, arena):\n{''.join(calls)}")  # fmt: skip
    text = _HEADER.format(digest=_digest()) + "".join(parts) + entry
    name = "_gen_tape_" + hashlib.sha256(text.encode()).hexdigest()[:20]
    return name, text.replace("def NAME(", f"def {name}(")


_CONST = re.compile(r"\bc[0-9]+\b")


class Straight:
    """A program's straight-line kernel: ``fn(ins, consts, arena)`` as :func:`.interp.run`."""

    __slots__ = ("name", "fn", "functions", "compile_seconds", "from_disk")

    def __init__(self, name: str, fn: Any, functions: int, seconds: float, disk: bool) -> None:
        self.name, self.fn, self.functions = name, fn, functions
        self.compile_seconds, self.from_disk = seconds, disk


#: module name -> its compiled kernel, for this process (graphs with one source share it)
MEMORY: dict[str, Straight] = {}
#: held while a kernel missing from MEMORY is built
_LOCK = threading.Lock()


def io_ranges(program: Any) -> list[tuple[int, int]]:
    """The arena ranges a program's caller reads or writes: its inputs, the tensors it
    updates in place, each leaf's ``.grad`` and the returned tensors."""
    out = [(off, n) for off, n, _, _ in program.reads]
    out += [(off, n) for _, off, n in program.writes]
    ins = program.ins
    for _, off in program.grads:
        if off is not None:  # its size: the rows that write it
            out += [(off, int(n)) for n in ins[ins[:, 1] == off, 4]]
    stack = [program.outputs]
    while stack:
        spec = stack.pop()
        if spec[0] == "slot":
            out.append((spec[1], spec[3]))
        elif spec[0] in ("tuple", "list"):
            stack.extend(spec[1])
    return out


def build(program: Any, chunk: int | None = None) -> Straight:
    """Generate, load and compile a program's straight-line kernel (loading compiled code
    from the disk cache where it is there and intact)."""
    chunk = chunk or CHUNK
    ins, consts, arena = program.ins, program.consts, program.arena
    name, text = source(ins, consts, io_ranges(program), chunk)
    with _LOCK:  # one compile per source; fusion's kernels are not held up meanwhile
        have = MEMORY.get(name)
        if have is None:
            with diskcache.LOCK:
                dispatcher = diskcache.load(name, text, "tape").dispatcher
            start = time.perf_counter()
            hits = sum(dispatcher.stats.cache_hits.values())
            sig = (numba.typeof(ins), numba.typeof(consts), numba.typeof(arena))
            dispatcher.compile(sig)
            disk = sum(dispatcher.stats.cache_hits.values()) > hits
            have = Straight(name, dispatcher, (len(ins) + chunk - 1) // chunk or 1,
                            time.perf_counter() - start, disk)  # fmt: skip
            MEMORY[name] = have
    return have
