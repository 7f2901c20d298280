"""The tape interpreter: one pre-compiled Numba loop runs a captured step.

A captured program is three arrays: ``ins`` (one row of :data:`WIDTH` int32 per instruction),
``consts`` (its numbers, float64) and the arena (every tensor, gradient and scratch value of
the step, one after another in one flat array). The loop is compiled once per dtype and
cached on disk, so a new graph costs a trace, never a Numba compile.

A row is ``[op, dst, x, y, n, acc, c, aux]``: write ``n`` elements at ``dst`` from operands
at ``x``/``y`` (constants at ``consts[c]``, ``consts[c + 1]``: each rounded to the arena's
dtype when recorded, so reading one back in that dtype is exact; the optimizers' Python-side
numbers stay double, as the eager optimizers compute with them). Backward rows read the incoming
gradient at ``x`` and their operands at ``y`` and ``aux``; with ``acc`` set they add into
``dst`` (``dst + d``: the engine's ``previous + new``), else they assign. Sums and softmax call
the reduction kernels' own bodies (pairwise sums, max-shifted softmax).

:func:`run` below is the loop's template, not compiled as it stands: its elementwise formulas
are generated. :func:`kernel` writes, for one dtype, a module holding :func:`run`'s source with
one branch per code of :mod:`.optable` in place of the ``# <forward codes>`` and ``# <backward
codes>`` lines, each the op declaration's expression rendered for that dtype as the eager
kernels render it (the same operations in the same order, the same fast-math helpers), so a
replay rounds as the eager kernels do. The module's name hashes its source, so a new or
changed declaration gives a new module and its own disk-cached compile (once per build, not
per graph).

The generated module reaches the fast-math exp/tanh/sin/cos as ``_fm`` through
:mod:`jitgrad.kernels.cpu.fastmath_calls`: inlined by LLVM at each call, typed and lowered by
Numba once per process, not once per branch that calls them (inlined in Numba's IR at ~40
call sites, they were half of each loop's compile: perf/RESULTS.md, Run tape). The same
instructions once LLVM has inlined them, so the same bits and the same vector loops.

The op codes are numbered by :data:`OPS`; :mod:`.optable` maps jitgrad's ops onto them.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import re
import sys
import threading
from typing import Any

import numpy as np

from ..fusion import diskcache
from ..kernels.cpu.fma import fma as _fma
from ..kernels.cpu.jit import cached_njit
from ..kernels.cpu.optim import _adam_tensor
from ..kernels.cpu.reduce_leaves import _NO, _STACK
from ..kernels.cpu.reduce_softmax import _softmax_bwd_slices, _softmax_slices
from . import optable
from .row_sums import _blocked_sum, _row_sum

#: Columns of an instruction row.
WIDTH = 8

#: Op codes: forward elementwise (moves, then :mod:`.optable`'s forward codes, the commonest
#: first), whole-slot rows, backward elementwise (the structural ones, then optable's). Each
#: name upper-cased is a constant of this module; a test checks they agree.
OPS = (
    *optable.STRUCTURAL_FORWARD, *(c.name for c in optable.FORWARD),
    "sum", "mean", "softmax", "sgd", "adam", "b_reduce", "b_softmax",
    *optable.STRUCTURAL_BACKWARD, *(c.name for c in optable.BACKWARD),
)  # fmt: skip
#: every code name -> its number (a form's derivative named after another form's: the same)
CODE = {name: i for i, name in enumerate(OPS)}
CODE.update({name: CODE[code] for name, code in optable.ALIAS.items()})
globals().update({name.upper(): i for i, name in enumerate(OPS)})
#: the codes :func:`run` names (their numbers are written into the generated module)
_NAMED = ("MUL", "ADD", "B_MUL_A", "B_G", "SUM", "MEAN", "SOFTMAX", "SGD", "ADAM",
          "B_REDUCE", "B_SOFTMAX", "B_SUM", "B_MEAN", "B_ZERO", "COPY", "FILL")  # fmt: skip
(MUL, ADD, B_MUL_A, B_G, SUM, MEAN, SOFTMAX, SGD, ADAM, B_REDUCE, B_SOFTMAX, B_SUM,
 B_MEAN, B_ZERO, COPY, FILL) = (CODE[n.lower()] for n in _NAMED)  # fmt: skip


#: flags of an SGD row (its ``aux`` column)
SGD_MOMENTUM, SGD_NESTEROV, SGD_MAXIMIZE = 1, 2, 4

# The whole-slot rows' bodies (these, :mod:`.row_sums`) are compiled functions of their own that
# every loop calls once per row, not ``inline="always"``: inlined, each loop of a dtype (a
# tape's small one, then the full one) typed and lowered its own copies again (~2 CPU s a loop,
# perf/RESULTS.md, Run captime19); now they compile once per dtype and load from the disk cache.


@cached_njit(error_model="numpy", nogil=True)
def _sgd(arena, p, g, buf, n, consts, c, flags):
    """:func:`jitgrad.kernels.cpu.optim.sgd_step` for one parameter whose momentum buffer
    (at ``buf``, when ``flags`` has it) exists: d = (+-g) + wd*p; buf = momentum*buf +
    undamped*d; d = d + momentum*buf (Nesterov) or buf; p = p - lr*d, each a fused
    multiply-add as there. ``consts[c:]``: lr,
    momentum, 1 - dampening, weight decay (rounded to the dtype)."""
    T = arena.dtype.type  # noqa: N806
    lr, momentum, undamped, weight_decay = (T(consts[c]), T(consts[c + 1]),
                                            T(consts[c + 2]), T(consts[c + 3]))  # fmt: skip
    zero = arena.dtype.type(0)
    for i in range(n):
        pj = arena[p + i]
        d = -arena[g + i] if flags & SGD_MAXIMIZE else arena[g + i]
        if weight_decay != zero:
            d = _fma(pj, weight_decay, d)
        if flags & SGD_MOMENTUM:
            b = _fma(d, undamped, arena[buf + i] * momentum)
            arena[buf + i] = b
            d = _fma(b, momentum, d) if flags & SGD_NESTEROV else b
        arena[p + i] = _fma(d, -lr, pj)


@cached_njit(error_model="numpy", nogil=True)
def _adam(arena, consts, p, g, m, v, step, n, c):
    """:func:`jitgrad.kernels.cpu.optim.adam_step` (no amsgrad) for one parameter: the step
    counter, then its step size and bias correction in double as ``optim.Adam`` computes
    them (``consts[c + 7:]``: lr, beta1, beta2, and the exponent 0.5 at run time, so that
    the compiler cannot turn the ``pow`` into a ``sqrt``), then the moments and the update
    by the kernel's body. ``T(consts[c:])``: 1 - beta1, beta2, 1 - beta2, eps, L2 decay, decoupled
    decay, sign."""
    T = arena.dtype.type  # noqa: N806
    one = T(1)
    t = arena[step] + one
    arena[step] = t
    s = np.float64(t)
    step_size = arena.dtype.type(consts[c + 7] / (1.0 - consts[c + 8] ** s))
    bc2 = arena.dtype.type((1.0 - consts[c + 9] ** s) ** consts[c + 10])
    # the kernel's own body; ``sign`` as a double, the type adam_step hands it (its
    # ``one = w1 - w1 + 1`` is float64), so the moments are computed as eager's are
    w1, beta2, w2, eps = T(consts[c]), T(consts[c + 1]), T(consts[c + 2]), T(consts[c + 3])
    wd, decay = T(consts[c + 4]), T(consts[c + 5])
    _adam_tensor(arena[p : p + n], arena[g : g + n], arena[m : m + n], arena[v : v + n],
                 arena[v : v + n], step_size, bc2, consts[c + 6], decay, wd, w1, beta2, w2,
                 eps, t != t)  # fmt: skip


# One long function on purpose (measured when issue 14 tried to split it): helpers inlined per
# element that take the arena cost array reference counting per element (vector rows 3-10x
# slower); helpers per op-code range, each looping over its row, matched on vector rows but cost
# 11.0 instead of 7.8 ns per scalar row on Rogozhnikov's 77,602-row tape.
def run(ins, consts, arena):  # noqa: C901 - one flat dispatch loop is the point
    """The template of the interpreter (see the module docstring): :func:`kernel` compiles it
    with the declarations' formulas in place of the ``# <... codes>`` lines."""
    T = arena.dtype.type  # noqa: N806 - a constant's value in the arena's dtype: exact
    zero = T(0)
    stack = np.empty(_STACK, arena.dtype)
    for r in range(ins.shape[0]):
        op = ins[r, 0]
        dst = ins[r, 1]
        x = ins[r, 2]
        y = ins[r, 3]
        n = ins[r, 4]
        c = ins[r, 6]
        if op == MUL:  # the commonest rows get loops of their own (a flat loop each, which
            for i in range(n):  # the compiler vectorizes; the generic one is ~20% slower)
                arena[dst + i] = arena[x + i] * arena[y + i]
        elif op == ADD:
            for i in range(n):
                arena[dst + i] = arena[x + i] + arena[y + i]
        elif op == B_MUL_A or op == B_G:
            if ins[r, 5]:  # acc
                if op == B_MUL_A:
                    for i in range(n):
                        arena[dst + i] = arena[dst + i] + arena[x + i] * arena[y + i]
                else:
                    for i in range(n):
                        arena[dst + i] = arena[dst + i] + arena[x + i]
            elif op == B_MUL_A:
                for i in range(n):
                    arena[dst + i] = arena[x + i] * arena[y + i]
            else:
                for i in range(n):
                    arena[dst + i] = arena[x + i]
        # <dedicated loops>
        elif op < SUM:  # forward elementwise
            for i in range(n):
                a = arena[x + i]
                if op == COPY:
                    v = a
                elif op == FILL:
                    v = T(consts[c])
                # <forward codes>
                else:
                    v = a
                arena[dst + i] = v
        elif op == SUM:  # the row's sum in eager's order (:func:`_row_sum`)
            arena[dst] = _row_sum(arena, x, n, ins[r, 7], zero, stack)
        elif op == MEAN:  # that sum, then mean_fwd's (or the epilogue's) one division
            arena[dst] = _row_sum(arena, x, n, ins[r, 7], zero, stack) / T(n)
        elif op == SOFTMAX:  # softmax of one contiguous slice
            # (the sizes as int64: eager's argument types, so its compiled softmax serves)
            _softmax_slices(arena[x : x + n], arena[dst : dst + n], np.int64(1), np.int64(n), _NO)
        elif op == SGD:  # the optimizer kernel's update, operation by operation
            _sgd(arena, dst, x, y, n, consts, c, ins[r, 7])
        elif op == ADAM:
            _adam(arena, consts, dst, x, y, ins[r, 7], ins[r, 5], n, c)
        elif op == B_REDUCE:  # a broadcast operand's gradient: eager's blocked sum into zeros
            d = zero + T(_blocked_sum(arena[x : x + n], ins[r, 7]))
            arena[dst] = arena[dst] + d if ins[r, 5] else d
        elif op == B_SOFTMAX:  # softmax backward into dst (assigned; a b_g row routes it)
            _softmax_bwd_slices(arena[x : x + n], arena[y : y + n], arena[dst : dst + n],
                                np.int64(1), np.int64(n), _NO)  # fmt: skip
        else:  # backward elementwise
            acc = ins[r, 5]
            aux = ins[r, 7]  # noqa: F841 - the generated derivative branches read it
            for i in range(n):
                if op == B_SUM:  # sum's gradient: the row's one value spread
                    g = arena[x]
                elif op == B_MEAN:  # mean's: that value / count (eager's ``g / n``)
                    g = arena[x] / arena.dtype.type(n)
                else:
                    g = arena[x + i]
                if op == B_G or op == B_SUM or op == B_MEAN:
                    d = g
                elif op == B_ZERO:  # no gradient arrived for this element (unbind's zeros)
                    d = zero
                # <backward codes>
                else:
                    d = g
                if acc:
                    arena[dst + i] = arena[dst + i] + d
                else:
                    arena[dst + i] = d


# ---- the generated loop -------------------------------------------------------------------

#: how the generated loop reads each column of a row (``a``: the element at x, loaded once)
_COLUMNS = {"x": "a", "g": "g", "y": "arena[y + i]", "z": "arena[aux + i]",
            "c0": "T(consts[c])", "c1": "T(consts[c + 1])"}  # fmt: skip

_HEADER = '''"""The tape interpreter for {dtype}, generated by jitgrad.capture.interp from its
template and the op declarations."""
import math  # noqa: F401
import numpy as np
from numba import njit  # noqa: F401

from jitgrad.capture.interp import (  # noqa: F401
    _NO, _STACK, _adam, _blocked_sum, _row_sum, _sgd, _softmax_bwd_slices, _softmax_slices,
)
from jitgrad.kernels.cpu import fastmath_calls as _fm  # noqa: F401
from jitgrad.kernels.cpu import scalar as _k  # noqa: F401
from jitgrad.kernels.cpu.jit import cached_njit

'''


@functools.cache
def branches(dtype: str) -> dict[str, str]:
    """Each code's formula for ``dtype`` with ``{x}``, ``{g}``, ``{y}``, ``{z}``, ``{c0}``,
    ``{c1}`` where it reads its columns (what :mod:`.straight` fills in)."""
    holes = {k: "{" + k + "}" for k in _COLUMNS}
    return {code.name: optable.render(code, dtype, holes)
            for code in (*optable.FORWARD, *optable.BACKWARD)}  # fmt: skip


def _helper(code: optable.Code, dtype: str) -> str:
    """A branching formula as a function (straight-line source calls it: an inline branch
    splits a generated function into blocks, which slows Numba's compile of a long tape)."""
    cols = optable.columns(code)
    body = optable.render(code, dtype, {k: k for k in cols})
    return f'\n@njit(error_model="numpy")\ndef f_{code.name}({", ".join(cols)}):\n' \
           f"    return {body}\n"  # fmt: skip


#: codes whose rows get a loop of their own (:func:`_dedicated`), as MUL and ADD have in the
#: template: ReLU's forward and backward over a model's activations ran 2-4x slower per element
#: in the generic loops, which test the op code per element (perf/RESULTS.md, run capture14)
DEDICATED = ("relu", "b_relu_a")


def _dedicated(code: optable.Code, dtype: str, indent: str) -> list[str]:
    """The ``elif`` block of a :data:`DEDICATED` code: its formula in a flat loop (a
    derivative's: with and without ``acc``, as the generic loop adds ``dst + d``)."""
    formula = optable.render(code, dtype, _COLUMNS)
    head = [f"{indent}elif op == {CODE[code.name]}:  # {code.name}: {code.expr}, a loop of its own"]
    pad = indent + "    "
    if code.grad is None:
        return head + [f"{pad}for i in range(n):", f"{pad}    a = arena[x + i]",
                       f"{pad}    arena[dst + i] = {formula}"]  # fmt: skip
    body = [f"{pad}    for i in range(n):", f"{pad}        g = arena[x + i]"]
    return head + [f"{pad}aux = ins[r, 7]", f"{pad}if ins[r, 5]:", *body,
                   f"{pad}        arena[dst + i] = arena[dst + i] + ({formula})",
                   f"{pad}else:", *body, f"{pad}        arena[dst + i] = {formula}"]  # fmt: skip


@functools.cache
def source(dtype: str, codes: frozenset[int] | None = None) -> tuple[str, str]:
    """The generated module of the loop for ``dtype`` with the branches of the op codes in
    ``codes`` (every code if None; :func:`codeset` rounds a tape's codes to families):
    (its name, its source). A code left out falls through to a branch that is never taken
    for it: a loop runs only tapes whose codes it has (:mod:`.build` picks it)."""
    has = (lambda _: True) if codes is None else codes.__contains__
    lines: list[str] = []
    skip = None  # the indentation of an optional whole-slot branch being left out
    for line in inspect.getsource(run).splitlines():
        mark, indent = line.strip(), line[: len(line) - len(line.lstrip())]
        if skip is not None and len(indent) > len(skip):
            continue
        skip = None
        if mark == "# <dedicated loops>":
            lines.extend(x for c in (*optable.FORWARD, *optable.BACKWARD)
                         if c.name in DEDICATED and has(CODE[c.name])
                         for x in _dedicated(c, dtype, indent))  # fmt: skip
        elif mark in ("# <forward codes>", "# <backward codes>"):
            var, group = ("v", optable.FORWARD) if "forward" in mark else ("d", optable.BACKWARD)
            for code in (c for c in group if has(CODE[c.name])):
                lines.append(f"{indent}elif op == {CODE[code.name]}:  # {code.name}: {code.expr}")
                lines.append(f"{indent}    {var} = {optable.render(code, dtype, _COLUMNS)}")
        elif (m := _WHOLE_BRANCH.match(mark)) and not has(CODE[m.group(1).lower()]):
            skip = indent
        else:
            lines.append(line)
    text = _HEADER.format(dtype=dtype)
    text += "".join(f"{n} = {CODE[n.lower()]}\n" for n in _NAMED)
    formulas = branches(dtype)
    text += "".join(_helper(c, dtype) for c in (*optable.FORWARD, *optable.BACKWARD)
                    if has(CODE[c.name]) and " if " in formulas[c.name])  # fmt: skip
    text += '\n\n@cached_njit(error_model="numpy", nogil=True)\n' + "\n".join(lines) + "\n"
    name = f"_gen_interp_{dtype}_" + hashlib.sha256(text.encode()).hexdigest()[:20]
    return name, text + f"\n\n{name} = run\n"


#: a branch of the template over whole slots (left out of a loop that does not use its code)
_WHOLE_BRANCH = re.compile(r"elif op == (SUM|MEAN|SOFTMAX|SGD|ADAM|B_REDUCE|B_SOFTMAX):")


#: (dtype name, code set or None) -> the generated module, for this process
_MODULES: dict[tuple[str, frozenset[int] | None], Any] = {}
_LOCK = threading.Lock()


def module(dtype: str, codes: frozenset[int] | None = None) -> Any:
    """The generated module of the loop for ``dtype`` (``float32``/``float64``) with the
    codes ``codes`` (all if None), written and executed on first use (its compiled code
    loads from the disk cache when there)."""
    codes = ALL if codes is None else codes
    have = _MODULES.get((dtype, codes))
    if have is None:
        with _LOCK:
            have = _MODULES.get((dtype, codes))
            if have is None:
                name, text = source(dtype, codes)
                with diskcache.LOCK:
                    diskcache.load(name, text, "tape interpreter")
                have = _MODULES[dtype, codes] = sys.modules[name]
    return have


def kernel(dtype: str, codes: frozenset[int] | None = None) -> Any:
    """The compiled loop for ``dtype``: ``kernel(dtype, codes)(ins, consts, arena)`` runs a
    tape whose op codes are among ``codes`` (every tape if None)."""
    return module(dtype, codes).run


#: codes every loop has: the template's own (moves, dedicated MUL/ADD/B_MUL_A loops, b_g...)
ALWAYS = frozenset(CODE[n] for n in (*optable.STRUCTURAL_FORWARD, *optable.STRUCTURAL_BACKWARD,
                                     "mul", "add", "b_mul_a"))  # fmt: skip


def _families() -> dict[int, frozenset[int]]:
    """code -> the codes a loop having it gets too: a forward code brings its form's
    derivative codes (:data:`.optable.TABLE`: a program with and without gradients gets one
    loop), and any code of an activation (:data:`.optable.RARE_OPS`) brings them all."""
    out: dict[int, set[int]] = {c: {c} for c in range(len(OPS))}
    rare: set[int] = set()
    for form, row in optable.TABLE.items():
        codes = {CODE[row.forward], *(CODE[g[0]] for g in row.grads if g is not None)}
        out[CODE[row.forward]] |= codes
        if form in optable.RARE_OPS:
            rare |= codes
    out[SOFTMAX].add(B_SOFTMAX)  # (the tape writes these derivatives' rows itself)
    for c in rare:
        out[c] |= rare
    return {c: frozenset(v) for c, v in out.items()}


FAMILY = _families()  #: code -> the codes a loop having it has too


def codeset(ops: Any) -> frozenset[int]:
    """The codes of the loop for a tape of op codes ``ops``: their families, :data:`ALWAYS`."""
    out = set(ALWAYS)
    for c in set(ops):
        out |= FAMILY[int(c)]
    return frozenset(out)


#: every code: the full loop's set
ALL = frozenset(range(len(OPS)))
