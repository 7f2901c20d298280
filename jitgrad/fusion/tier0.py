"""Tier 0: a new generated kernel first runs through one pre-compiled interpreter.

Compiling a generated kernel costs 0.1-0.9 s; most kernels of a short program or a test run a
few times on small arrays. So a kernel whose compiled code is not yet on disk starts in tier 0:
:func:`attach` puts a :class:`Tier0` in its ``fn``, which translates the spec's straight-line
body (the rendered statements of :func:`jitgrad.fusion.lowering.lower`) into the op codes of
:mod:`.tier0_interp` and runs them there (once the interpreter is built: :func:`ready`;
before, :mod:`.tier0_numpy` runs the programs of exact arithmetic and the rest compile). The
kernel is compiled, and ``fn`` becomes the compiled kernel's as before, when it gets hot: when
the time its interpretation has cost beyond the compiled kernel's (estimated per call from the
loop's size, see :data:`CALL_S`) would pass :data:`BUDGET`, a fraction of one compile (so a
large loop compiles at once and a kernel that runs often compiles soon), or at a call tier 0
cannot take. Results are bitwise the compiled kernel's (see :mod:`.tier0_interp`);
``tests/test_tier0.py`` and ``tests/test_tier0_numpy.py`` compare them over the op
declarations.

What tier 0 takes: serial specs (``parallel`` ones are large and compile) of at most 4
dimensions (``compact`` operands are read as the broadcast views they stand for), every array
operand and output of one float dtype (float32 or float64; boolean operands are converted),
scalars of that dtype or bool (others only where the expression casts them), at most 8 array
operands and 4 outputs, and bodies built from the arithmetic, comparisons, ``where``/logical
forms and the functions in :data:`_CALLS` (with :mod:`.tier0_libm`'s). Anything else (integer
or complex kernels, ``_k``'s special functions, mixed dtypes, boolean outputs) compiles.
``JITGRAD_TIER0=0`` turns tier 0 off (every kernel compiles at its first call). With
``JITGRAD_DEBUG`` each interpreted launch is reported as ``launch <kernel> tier0 ...``.
"""

from __future__ import annotations

import ast
import os
import time
from typing import Any

import numpy as np

from .. import helpers, launchlog
from ..kernels.cpu.entry_lock import claim, release
from . import diskcache, tier0_libm, tier0_numpy
from . import tier0_interp as I

#: False when ``JITGRAD_TIER0=0``: every generated kernel compiles at its first call.
ENABLED = os.environ.get("JITGRAD_TIER0", "1") != "0"
#: Seconds of extra time (interpreted minus compiled, estimated) a kernel may spend in tier 0
#: before it is compiled: a compile costs 0.1-0.9 s of CPU, so a kernel that gets hot costs at
#: most a few percent more than compiling it at once, and one that does not saves the compile.
BUDGET = 0.02
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

_FLOATS = {"float32": np.float32, "float64": np.float64}
_DUMMY = {name: np.zeros((1, 1, 1, 1), t) for name, t in _FLOATS.items()}
_PAD = [(None,) * k for k in range(5)]


def attach(kernel: Any, reduce_block: int) -> None:
    """Start ``kernel`` in tier 0 unless tier 0 is off, cannot take its spec at all, or its
    compiled code is already on disk (a warm cache loads it as before).

    ``reduce_block`` is :data:`.codegen.REDUCE_BLOCK` (codegen calls this; importing it here
    would be a cycle): a 1-D full reduction is summed in blocks of that many."""
    spec = kernel.spec
    if not ENABLED or spec.parallel or spec.ndim > 4:
        return
    n_arrays = sum(not s for _, s in spec.inputs)
    dtypes = {o[3] for o in spec.outputs}
    if n_arrays > I.N_IN or len(spec.outputs) > I.N_OUT or not dtypes <= _FLOATS.keys():
        return
    if len(dtypes) != 1 or _on_disk(kernel):
        return
    kernel.fn = Tier0(kernel, kernel.fn, reduce_block, ready(dtypes.pop()))


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


def ready(dtype: str) -> bool:
    """Whether the interpreter for ``dtype`` runs in this process: loaded already, or left in
    the cache by an earlier process (a marker file says so; loaded now), or worth building
    now (this process has compiled :data:`AFTER_COMPILES` kernels) unless another is at it."""
    if dtype in I.SIGNATURES:
        return True
    marker = diskcache.kernel_dir() / f"tier0-{dtype}.ready"
    if not marker.exists() and (diskcache.compiled_count() < AFTER_COMPILES or not claim(marker)):
        return False  # (when another process builds it, its marker says when to load it)
    try:
        I.loop(dtype)
        helpers.atomic_write(marker, b"")
    finally:
        release(marker)
    return True


class Tier0:
    """A kernel's ``fn`` while it is in tier 0: interprets, counts, and hands over."""

    __slots__ = ("kernel", "compiled", "calls", "spent", "programs", "block", "interp")

    def __init__(self, kernel: Any, compiled: Any, block: int, interp: bool = True) -> None:
        self.kernel = kernel
        self.block = block
        self.interp = interp  # False: the interpreter is not built; NumPy runs what it can
        self.compiled = compiled  # the kernel's own first-call path (compiles, then runs)
        self.calls = 0
        self.spent = 0.0  # the estimated extra seconds of the calls so far
        self.programs: dict[tuple, Program | None] = {}

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
        key = tuple(
            a.dtype.char if isinstance(a, np.ndarray) else type(a) for a in args
        )
        program = self.programs.get(key, False)
        if program is False:
            program = self.programs[key] = translate(self.kernel.spec, args, self.block)
        if program is None or not (
            self.interp or (program.plain and args[program.shape_arg].size <= tier0_numpy.MAX_SIZE)
        ):
            return None
        for k in program.outputs:
            out = args[k]
            if out.size > 1 and 0 in out.strides:
                # an output whose elements share memory (an expanded tensor written in place):
                # its final value depends on the order of the writes, which only the compiled
                # loop reproduces (PyTorch's last write wins)
                return None
        cost = CALL_S + args[program.shape_arg].size * program.rows * ELEMENT_S
        if self.spent + cost > BUDGET:
            return None
        self.spent += cost
        return program

    def promote(self) -> None:
        """Hand over to the compiled kernel (compiled at its next call)."""
        if self.kernel.fn is self:
            self.kernel.fn = self.compiled
            name, calls = self.kernel.name, self.calls
            helpers.debug_print(1, f"tier0 -> compiling {name} after {calls} calls")


class Program:
    """One spec translated for one set of argument types."""

    __slots__ = (
        "dtype", "ins", "consts", "casts", "arrays", "outputs", "shape_at", "shape_arg", "compact",
        "rows", "plain",
    )  # fmt: skip

    def __init__(self, dtype: str, ins: list, consts: list, casts: list, arrays: list,
                 outputs: list, shape_at: int, shape_arg: int, compact: dict) -> None:  # fmt: skip
        self.compact = compact  # argument position -> loop dimension (-1: one value)
        self.dtype = dtype
        self.ins = np.array(ins, np.int32).reshape(-1, I.WIDTH)
        self.rows = len(self.ins) - 1
        # None: not for NumPy (tier0_numpy), nor is an output written through stride 0
        self.plain = None if set(compact) & set(outputs) else tier0_numpy.rows(self.ins)
        self.consts = np.array(consts, np.float64)
        self.casts = casts  # (const slot, argument position): a scalar argument, per call
        self.arrays = arrays  # (argument position, convert a boolean array)
        self.outputs = outputs  # argument positions
        self.shape_at = shape_at
        self.shape_arg = shape_arg

    def launch(self, kernel: Any, args: tuple, interp: bool = True) -> None:
        """Run on ``args``: by the interpreter, or (``interp`` False) by :mod:`.tier0_numpy`."""
        t = _FLOATS[self.dtype]
        consts = self.consts
        if self.casts:
            consts = consts.copy()
            for slot, k in self.casts:
                consts[slot] = t(args[k])
        if self.compact:
            args = tier0_numpy.expand(args, self.compact, args[self.shape_arg].shape)
        ins = [args[k].astype(t) if conv else args[k] for k, conv in self.arrays]
        outs = [args[k] for k in self.outputs]
        start = time.perf_counter()
        if not interp:
            tier0_numpy.run(self.plain, t, consts, ins, outs)
        else:
            dummy = _DUMMY[self.dtype]
            ins = [_pad(a) for a in ins] + [dummy] * (I.N_IN - len(ins))
            outs = [_pad(a) for a in outs] + [dummy] * (I.N_OUT - len(outs))
            I.loop(self.dtype)(self.ins, consts, self.shape_at, *ins, *outs)
        if helpers.DEBUG > 0:
            label = f"{kernel.name} tier0{'' if interp else ' numpy'}"
            launchlog.report_launch(label, args, time.perf_counter() - start)


def _pad(a: np.ndarray) -> np.ndarray:
    return a[_PAD[4 - a.ndim]] if a.ndim < 4 else a


# ---- translation: the rendered statements -> op codes --------------------------------------

#: Function calls of the rendered source -> (op code, result is boolean).
_CALLS = {
    "_fm.exp32": I.EXP, "_fm.exp64": I.EXP, "np.log": I.LOG, "np.log1p": I.LOG1P,
    "np.expm1": I.EXPM1, "np.sqrt": I.SQRT, "_fm.sin32": I.SIN, "_fm.sin64": I.SIN,
    "_fm.cos32": I.COS, "_fm.cos64": I.COS, "_fm.tanh32": I.TANH, "_fm.tanh64": I.TANH,
    "abs": I.ABS, "_k.sign32": I.SIGN, "_k.sign64": I.SIGN, "np.floor": I.FLOOR,
    "np.ceil": I.CEIL, "np.trunc": I.TRUNC,
    "math.erf": I.ERF, "math.erfc": I.ERFC, "_k.maximum": I.MAXIMUM, "_k.minimum": I.MINIMUM,
    "_k.fma": I.FMA,
    "np.isnan": I.ISNAN, "np.isinf": I.ISINF, "np.isfinite": I.ISFINITE,
    "bool": I.TOBOOL, "np.bool_": I.TOBOOL, "np.bool": I.TOBOOL,
    **{call: I.CODE[name] for call, name in tier0_libm.CALLS.items()},
}  # fmt: skip
_BOOL_RESULT = {I.ISNAN, I.ISINF, I.ISFINITE, I.TOBOOL}
_BINOPS = {ast.Add: I.ADD, ast.Sub: I.SUB, ast.Mult: I.MUL, ast.Div: I.DIV, ast.Pow: I.POW,
           ast.FloorDiv: I.CODE["floordiv"], ast.Mod: I.CODE["mod"]}  # fmt: skip
_CMPOPS = {ast.Lt: I.LT, ast.LtE: I.LE, ast.Gt: I.GT, ast.GtE: I.GE, ast.Eq: I.EQ, ast.NotEq: I.NE}
#: codegen's output modes (its STORE, ACCUMULATE, ACCUMULATE_ROW, REDUCE; a test checks them)
_MODES = {"store": I.STORE, "acc": I.ACC, "acc_row": I.ACC_ROW, "reduce": I.REDUCE}


class _Unsupported(Exception):
    """The spec (or these argument types) is not for tier 0: compile it."""


def translate(spec: Any, args: tuple, reduce_block: int) -> Program | None:
    """``spec``'s body as op codes for these argument types, or None when tier 0 cannot
    compute it exactly as the compiled kernel would."""
    try:
        return _Translation(spec, args).program(reduce_block)
    except _Unsupported:
        return None


class _Translation:
    def __init__(self, spec: Any, args: tuple) -> None:
        self.spec = spec
        dtypes = {a.dtype.name for a in args if isinstance(a, np.ndarray)} - {"bool"}
        if len(dtypes) != 1 or not dtypes <= _FLOATS.keys():
            raise _Unsupported
        self.dtype = dtypes.pop()
        self.rows: list[int] = [0] * I.WIDTH  # the header, filled last
        self.consts: list[float] = []
        self.casts: list[tuple[int, int]] = []
        self.names: dict[str, tuple[int, str]] = {}  # name -> (register, kind)
        self.scalars: dict[str, int] = {}  # a scalar argument of another type -> position
        self.nreg = 0
        self.args = args

    def program(self, reduce_block: int) -> Program:
        spec, args = self.spec, self.args
        arrays = []
        for k, (name, is_scalar) in enumerate(spec.inputs):
            value = args[k]
            if not is_scalar:
                if not isinstance(value, np.ndarray):
                    raise _Unsupported
                conv = value.dtype == np.bool_
                self.names[name + "_"] = (self.emit(I.LOAD, len(arrays)), "b" if conv else "f")
                arrays.append((k, conv))
            elif isinstance(value, bool | np.bool_):
                self.names[name] = (self.const(float(value)), "b")
            elif type(value) is _FLOATS[self.dtype] or (
                self.dtype == "float64" and type(value) is float
            ):
                self.casts.append((len(self.consts), k))
                self.names[name] = (self.const(0.0), "f")
            else:
                self.scalars[name] = k
        for local, expr in spec.stmts:
            self.names[local] = self.expr(ast.parse(expr, mode="eval").body)
        outputs = []
        first = len(spec.inputs)
        for j, (_array, local, mode, dt) in enumerate(spec.outputs):
            out = args[first + j]
            if dt != self.dtype or out.dtype.name != dt or not out.flags.writeable:
                raise _Unsupported
            self.rows += [_MODES[mode], j, self.names[local][0], 0, 0]
            outputs.append(first + j)
        position = {name: k for k, name in enumerate(spec.arg_names)}
        compact = {position[name]: dim for name, dim in spec.compact}
        full = [k for k, _ in arrays] + [
            first + j for j, o in enumerate(spec.outputs) if o[2] != "reduce"
        ]
        full = [k for k in full if k not in compact]  # the loop's shape: render_source's rule
        shape_arg = full[0]
        slot = [k for k, _ in arrays]  # the interpreter's input slots, in argument order
        shape_at = slot.index(shape_arg) if shape_arg < first else -1 - (shape_arg - first)
        reduces = spec.ndim == 1 and any(o[2] == "reduce" for o in spec.outputs)
        self.rows[:3] = [0, self.nreg, reduce_block if reduces else 0]
        return Program(self.dtype, self.rows, self.consts, self.casts, arrays, outputs,
                       shape_at, shape_arg, compact)  # fmt: skip

    def emit(self, op: int, x: int = 0, y: int = 0, z: int = 0) -> int:
        dst = self.nreg
        self.nreg += 1
        self.rows += [op, dst, x, y, z]
        return dst

    def const(self, value: float) -> int:
        self.consts.append(value)
        return self.emit(I.CONST, len(self.consts) - 1)

    def expr(self, node: ast.expr) -> tuple[int, str]:  # noqa: C901 - one case per node type
        """(register, kind) of ``node``'s value: kind "f" the dtype, "b" a boolean (0/1)."""
        if isinstance(node, ast.Name):
            if node.id not in self.names:
                raise _Unsupported
            return self.names[node.id]
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool):
                return self.const(float(node.value)), "b"
            if isinstance(node.value, float) and self.dtype == "float64":
                return self.const(node.value), "f"
            raise _Unsupported  # an int literal, or a float64 one in float32 arithmetic
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            x, y = self.float(node.left), self.float(node.right)
            return self.emit(_BINOPS[type(node.op)], x, y), "f"
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return self.emit(I.NEG, self.float(node.operand)), "f"
            if isinstance(node.op, ast.Not):
                return self.emit(I.NOT, self.expr(node.operand)[0]), "b"
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMPOPS:
            (x, kx), (y, ky) = self.expr(node.left), self.expr(node.comparators[0])
            if kx != ky:
                raise _Unsupported
            return self.emit(_CMPOPS[type(node.ops[0])], x, y), "b"
        if isinstance(node, ast.BoolOp) and len(node.values) == 2:
            (x, kx), (y, ky) = (self.expr(v) for v in node.values)
            if kx != "b" or ky != "b":
                raise _Unsupported  # Python's `and` of non-booleans gives an operand
            return self.emit(I.AND if isinstance(node.op, ast.And) else I.OR, x, y), "b"
        if isinstance(node, ast.IfExp):
            cond = self.expr(node.test)[0]
            (x, kx), (y, ky) = self.expr(node.body), self.expr(node.orelse)
            if kx != ky:
                raise _Unsupported
            return self.emit(I.SELECT, cond, x, y), kx
        raise _Unsupported

    def float(self, node: ast.expr) -> int:
        reg, kind = self.expr(node)
        if kind != "f":
            raise _Unsupported  # arithmetic on a boolean: Numba's promotion, not ours
        return reg

    def call(self, node: ast.Call) -> tuple[int, str]:
        name = ast.unparse(node.func)
        if name == f"np.{self.dtype}" and len(node.args) == 1:  # a cast to the dtype
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and type(arg.value) in (int, float, bool):
                return self.const(float(_FLOATS[self.dtype](arg.value))), "f"
            if isinstance(arg, ast.Name) and arg.id in self.scalars:
                self.casts.append((len(self.consts), self.scalars[arg.id]))
                return self.const(0.0), "f"
            return self.expr(arg)[0], "f"  # a boolean is 0/1 already
        op = _CALLS.get(name)
        if op is None:
            raise _Unsupported
        if op == I.TOBOOL:
            return self.emit(op, self.expr(node.args[0])[0]), "b"
        regs = [self.float(a) for a in node.args]
        return self.emit(op, *regs), "b" if op in _BOOL_RESULT else "f"
