"""Tier 0's translation: a generated kernel's rendered statements -> the interpreter's rows.

Split from :mod:`.tier0` (which decides when a kernel runs here and hands it over when it
gets hot): :func:`translate` turns a :class:`jitgrad.fusion.codegen.KernelSpec`'s body, for
one set of argument types, into a :class:`Program` of :mod:`.tier0_interp`'s op codes, or
refuses it (None: the kernel compiles) when tier 0 cannot compute it exactly as the compiled
kernel would. Booleans are held as 0/1 of the float dtype; a boolean output is stored from a
scratch array of that dtype (exact: every value is 0 or 1), so comparisons and logic that end
in a ``bool`` tensor run here too, and a kernel whose arrays are all boolean runs in float32.
An int64 program (its arrays int64 or boolean, its scalars Python or NumPy int64 integers or
bools) uses the rows of :data:`INTEGER_ROWS`, on int64 registers: Numba computes ``bool`` and
``int64`` operands of arithmetic in int64 too, so holding booleans as 0/1 gives its values.
A kernel of narrower signed integers (int8, int16, int32) runs on the int64 interpreter too:
Numba computes their arithmetic, bits, shifts, division and comparisons in int64 (it widens
each operand first) and truncates on the store, so the operands are widened here, the rows
run in int64, and each output is stored from an int64 scratch array truncated to its width
(NumPy's cast: the same two's complement wrap). Only ``abs`` stays in the narrow width in
Numba (``abs`` of int8 -128 is -128, a value int64 keeps as 128), so such a program compiles;
``maximum``/``minimum``/``sign`` of narrow values stay in their range, so either width gives
their value. Unsigned integers (Numba widens them to uint64: its comparisons, ``//``, ``%``
and ``>>`` of wrapped differences are not int64's) compile.
"""

from __future__ import annotations

import ast
import time
from typing import Any

import numpy as np

from .. import helpers, launchlog
from . import tier0_interp as I
from . import tier0_libm, tier0_numpy, tier0_passes

FLOATS = {"float32": np.float32, "float64": np.float64}
#: Signed integers narrower than int64: widened to int64 programs (the module's docstring).
NARROW = frozenset({"int8", "int16", "int32"})
#: Every dtype with an interpreter: the floats and int64.
DTYPES = {**FLOATS, "int64": np.int64}
_DUMMY = {name: np.zeros((1, 1, 1, 1), t) for name, t in DTYPES.items()}
_PAD = [(None,) * k for k in range(5)]


class Program:
    """One spec translated for one set of argument types."""

    __slots__ = (
        "dtype", "ins", "consts", "casts", "arrays", "outputs", "shape_at", "shape_arg", "compact",
        "rows", "plain", "modes", "bools", "shape", "passes", "uses", "calls", "unlinked",
        "narrow",
    )  # fmt: skip

    def __init__(self, dtype: str, ins: list, consts: list, casts: list, arrays: list,
                 outputs: list, shape_at: int, shape_arg: int, compact: dict,
                 bools: frozenset = frozenset(), uses: list | None = None,
                 narrow: frozenset = frozenset()) -> None:  # fmt: skip
        self.compact = compact  # argument position -> loop dimension (-1: one value)
        self.dtype = dtype
        self.ins = np.array(ins, np.int32).reshape(-1, I.WIDTH)
        self.rows = len(self.ins) - 1
        # None: not for NumPy (tier0_numpy), nor is an output written through stride 0
        self.plain = None if set(compact) & set(outputs) else tier0_numpy.rows(self.ins)
        self.consts = np.array(consts, np.int64 if dtype == "int64" else np.float64)
        self.casts = casts  # (const slot, argument position): a scalar argument, per call
        self.arrays = arrays  # (argument position, convert a boolean array)
        self.outputs = outputs  # argument positions
        self.bools = bools  # the positions of boolean outputs: stored from a scratch array
        self.narrow = narrow  # outputs of a narrower integer: computed in an int64 copy
        self.modes = [(k, int(r[0])) for k, r in zip(outputs, self.ins[-len(outputs):])]
        self.shape_at = shape_at
        self.shape_arg = shape_arg
        # more arrays than the interpreter's slots: several passes (tier0_passes)
        self.shape = ("in", shape_at) if shape_at >= 0 else ("out", -1 - shape_at)
        self.uses = uses  # per row after the header: the registers it reads
        self.passes = None
        if len(arrays) > I.N_IN or len(outputs) > I.N_OUT:
            self.passes = tier0_passes.split(self.ins, uses, self.shape)
        self.calls = len(self.passes.passes) if self.passes else 1  # interpreter calls per call
        # float64 special rows: their table's address goes in the header at the first launch
        self.unlinked = dtype == "float64" and not _SPECIAL.isdisjoint(self.ins[1:, 0].tolist())

    def launch(self, kernel: Any, args: tuple, interp: bool = True) -> None:
        """Run on ``args``: by the interpreter, or (``interp`` False) by :mod:`.tier0_numpy`."""
        t = DTYPES[self.dtype]
        consts = self.consts
        if self.casts:
            consts = consts.copy()
            for slot, k in self.casts:
                consts[slot] = t(args[k])
        if self.compact:
            args = tier0_numpy.expand(args, self.compact, args[self.shape_arg].shape)
        ins = [args[k].astype(t) if conv else args[k] for k, conv in self.arrays]
        outs = [
            np.empty(args[k].shape, t) if k in self.bools
            else args[k].astype(t) if k in self.narrow  # (its values: an output added into)
            else args[k]
            for k in self.outputs
        ]  # fmt: skip
        start = time.perf_counter()
        if interp and self.unlinked:
            self._link()
        if not interp:
            tier0_numpy.run(self.plain, t, consts, ins, outs)
        elif self.passes is not None:
            padded = [_pad(a) for a in outs]
            tier0_passes.run(self.passes, I.loop(self.dtype), consts,
                             [_pad(a) for a in ins], padded, self.shape, _DUMMY[self.dtype])
        else:
            dummy = _DUMMY[self.dtype]
            ins = [_pad(a) for a in ins] + [dummy] * (I.N_IN - len(ins))
            padded = [_pad(a) for a in outs] + [dummy] * (I.N_OUT - len(outs))
            I.loop(self.dtype)(self.ins, consts, self.shape_at, *ins, *padded)
        for k, scratch in zip(self.outputs, outs):
            if k in self.bools:  # 0/1 of the dtype -> False/True
                np.not_equal(scratch, 0, out=args[k])
            elif k in self.narrow:  # int64 -> its width, wrapped as the compiled store
                np.copyto(args[k], scratch, casting="unsafe")
        if helpers.DEBUG > 0:
            label = f"{kernel.name} tier0{'' if interp else ' numpy'}"
            launchlog.report_launch(label, args, time.perf_counter() - start)


    def _link(self) -> None:
        """Put the special rows' address (:func:`.tier0_libm.table_words`: their function
        compiled or loaded now, once per process) in the header of the rows and of each pass."""
        words = tier0_libm.table_words()
        for ins in [self.ins, *(p.ins for p in (self.passes.passes if self.passes else ()))]:
            ins[0, 3:5] = words
        self.unlinked = False


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
#: ``_k``'s special functions: float64 programs only (a float32 argument's result may be a
#: float64 that the compiled expression uses unrounded, where a float32 register rounds it)
_SPECIAL = {I.CODE[name] for name in tier0_libm.SPECIAL_UNARY + tier0_libm.SPECIAL_BINARY}
_ORDER_SECOND = {I.CODE[name] for name in tier0_libm.ORDER_SECOND}
_BINOPS = {ast.Add: I.ADD, ast.Sub: I.SUB, ast.Mult: I.MUL, ast.Div: I.DIV, ast.Pow: I.POW,
           ast.FloorDiv: I.CODE["floordiv"], ast.Mod: I.CODE["mod"]}  # fmt: skip
#: ``&``, ``|``, ``^`` of two booleans (0/1): and, or, differ
_BITOPS = {ast.BitAnd: I.AND, ast.BitOr: I.OR, ast.BitXor: I.NE}
_CMPOPS = {ast.Lt: I.LT, ast.LtE: I.LE, ast.Gt: I.GT, ast.GtE: I.GE, ast.Eq: I.EQ, ast.NotEq: I.NE}
#: codegen's output modes (its STORE, ACCUMULATE, ACCUMULATE_ROW, REDUCE; a test checks them)
_MODES = {"store": I.STORE, "acc": I.ACC, "acc_row": I.ACC_ROW, "reduce": I.REDUCE}
#: The rows an int64 program may use (:func:`.tier0_eval._eval_int`'s table); its outputs are
#: stored or added into (row sums and reductions of integers compile).
INTEGER_ROWS = frozenset({
    I.LOAD, I.CONST, I.ADD, I.SUB, I.MUL, I.NEG, I.MAXIMUM, I.MINIMUM, *range(I.LT, I.SELECT + 1),
    I.ABS, I.SIGN, I.FLOORDIV, I.MOD, I.BAND, I.BOR, I.BXOR, I.INVERT, I.LSHIFT, I.RSHIFT,
})  # fmt: skip
#: ``&``, ``|``, ``^`` of integers (of two booleans: _BITOPS), ``<<`` and ``>>``
_INT_BITOPS = {ast.BitAnd: I.BAND, ast.BitOr: I.BOR, ast.BitXor: I.BXOR, ast.LShift: I.LSHIFT,
               ast.RShift: I.RSHIFT}  # fmt: skip
#: Calls of an int64 program's rendered source (``np.sign`` is the integer dtypes' sign)
_INT_CALLS = {"abs": I.ABS, "np.sign": I.SIGN, "_k.maximum": I.MAXIMUM,
              "_k.minimum": I.MINIMUM, "bool": I.TOBOOL, "np.bool_": I.TOBOOL,
              "np.bool": I.TOBOOL}  # fmt: skip
_INT64 = (-(2**63), 2**63)


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
        if len(dtypes) > 1 or not dtypes <= DTYPES.keys() | NARROW:
            raise _Unsupported
        self.dtype = dtypes.pop() if dtypes else "float32"  # (all boolean: 0/1 are exact)
        #: the arrays' narrower integer dtype, widened to an int64 program; else None
        self.narrow = self.dtype if self.dtype in NARROW else None
        if self.narrow:
            self.dtype = "int64"
        self.int = self.dtype == "int64"
        self.rows: list[int] = [0] * I.WIDTH  # the header, filled last
        self.uses: list[tuple] = []  # per row after the header: the registers it reads
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
                boolean = value.dtype == np.bool_
                conv = boolean or value.dtype.name == self.narrow  # (widened to the dtype)
                self.names[name + "_"] = (self.emit(I.LOAD, len(arrays)), "b" if boolean else "f")
                arrays.append((k, conv))
            elif isinstance(value, bool | np.bool_):
                self.names[name] = (self.const(float(value)), "b")
            elif type(value) is DTYPES[self.dtype] or (
                self.dtype == "float64" and type(value) is float
            ) or (self.int and type(value) is int):
                self.casts.append((len(self.consts), k))
                self.names[name] = (self.const(0.0), "f")
            elif not self.int:  # (an int64 program takes no other scalar)
                self.scalars[name] = k
        for local, expr in spec.stmts:
            self.names[local] = self.expr(ast.parse(expr, mode="eval").body)
        first = len(spec.inputs)
        position = {name: k for k, name in enumerate(spec.arg_names)}
        compact = {position[name]: dim for name, dim in spec.compact}
        outputs, bools = self.outputs(first, compact)
        full = [k for k, _ in arrays] + [
            first + j for j, o in enumerate(spec.outputs) if o[2] != "reduce"
        ]
        full = [k for k in full if k not in compact]  # the loop's shape: render_source's rule
        shape_arg = full[0]
        slot = [k for k, _ in arrays]  # the interpreter's input slots, in argument order
        shape_at = slot.index(shape_arg) if shape_arg < first else -1 - (shape_arg - first)
        reduces = spec.ndim == 1 and any(o[2] == "reduce" for o in spec.outputs)
        self.rows[:3] = [0, self.nreg, reduce_block if reduces else 0]
        narrow = frozenset(k for k in outputs if self.args[k].dtype.name == self.narrow)
        return Program(self.dtype, self.rows, self.consts, self.casts, arrays, outputs,
                       shape_at, shape_arg, compact, bools, self.uses, narrow)  # fmt: skip

    def outputs(self, first: int, compact: dict) -> tuple[list[int], frozenset]:
        """The store rows; the argument positions of the outputs and of the boolean ones
        (stored, never compact: a scratch array of the dtype takes their 0/1 values)."""
        outputs, bools = [], set()
        for j, (_array, local, mode, dt) in enumerate(self.spec.outputs):
            k = first + j
            out = self.args[k]
            if out.dtype.name != dt or not out.flags.writeable:
                raise _Unsupported
            reg, kind = self.names[local]
            if dt == "bool":
                if mode != "store" or k in compact:
                    raise _Unsupported
                if kind != "b":  # (a value stored into a boolean array: nonzero, NaN true)
                    reg = self.emit(I.TOBOOL, reg)
                bools.add(k)
            elif dt not in (self.dtype, self.narrow) or (self.int and mode not in ("store", "acc")):
                raise _Unsupported
            elif dt == self.narrow and k in compact:
                raise _Unsupported  # (a broadcast output: its int64 copy would not be one)
            self.rows += [_MODES[mode], j, reg, 0, 0]
            self.uses.append((reg,))
            outputs.append(k)
        return outputs, frozenset(bools)

    def emit(self, op: int, *operands: int) -> int:
        """A row computing ``op`` of registers ``operands`` (of ``LOAD``/``CONST``: its slot)
        into a new register, returned."""
        if (self.int and op not in INTEGER_ROWS) or len(operands) > 3:
            raise _Unsupported  # (true division, powers, float functions: compiled)
        dst = self.nreg
        self.nreg += 1
        self.rows += [op, dst, *operands, *(0,) * (3 - len(operands))]
        self.uses.append(() if op in (I.LOAD, I.CONST) else operands)
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
            if self.int and type(node.value) is int and _INT64[0] <= node.value < _INT64[1]:
                return self.const(node.value), "f"
            raise _Unsupported  # an int literal, or a float64 one in float32 arithmetic
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.BinOp) and type(node.op) in _BITOPS | _INT_BITOPS:
            return self.bits(node)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            x, y = self.float(node.left), self.float(node.right)
            return self.emit(_BINOPS[type(node.op)], x, y), "f"
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return self.emit(I.NEG, self.float(node.operand)), "f"
            if isinstance(node.op, ast.Not):
                return self.emit(I.NOT, self.expr(node.operand)[0]), "b"
            if isinstance(node.op, ast.Invert):  # ~ of a boolean: not; of an int64: its bits
                reg, kind = self.expr(node.operand)
                if kind == "b":
                    return self.emit(I.NOT, reg), "b"
                if not self.int:
                    raise _Unsupported
                return self.emit(I.INVERT, reg), "f"
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMPOPS:
            (x, kx), (y, ky) = self.expr(node.left), self.expr(node.comparators[0])
            if kx != ky and not self.int:
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
            if kx != ky and not self.int:
                raise _Unsupported  # (an int64 and a boolean: Numba unifies them to int64)
            return self.emit(I.SELECT, cond, x, y), kx if kx == ky else "f"
        raise _Unsupported

    def bits(self, node: ast.BinOp) -> tuple[int, str]:
        """``&``, ``|``, ``^`` of two booleans (logic), or ``& | ^ << >>`` of int64 values
        (a boolean operand of ``& | ^`` is its 0/1, as Numba's ``bool & int64``)."""
        (x, kx), (y, ky) = self.expr(node.left), self.expr(node.right)
        if kx == ky == "b" and type(node.op) in _BITOPS:
            return self.emit(_BITOPS[type(node.op)], x, y), "b"
        if not self.int or ("b" in (kx, ky) and type(node.op) not in _BITOPS):
            raise _Unsupported  # a float's bits, a boolean shifted
        return self.emit(_INT_BITOPS[type(node.op)], x, y), "f"

    def float(self, node: ast.expr) -> int:
        """An operand of arithmetic: of the dtype, or (int64 programs) a boolean's 0/1."""
        reg, kind = self.expr(node)
        if kind != "f" and not self.int:
            raise _Unsupported  # arithmetic on a boolean: Numba's promotion, not ours
        return reg

    def call(self, node: ast.Call) -> tuple[int, str]:
        name = ast.unparse(node.func)
        if name == f"np.{self.dtype}" and len(node.args) == 1:  # a cast to the dtype
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and type(arg.value) in (int, float, bool):
                value = arg.value
                if self.int and (type(value) is float or not _INT64[0] <= value < _INT64[1]):
                    raise _Unsupported  # (a float constant cast to int64: compiled)
                return self.const(DTYPES[self.dtype](arg.value).item()), "f"
            if isinstance(arg, ast.Name) and arg.id in self.scalars:
                self.casts.append((len(self.consts), self.scalars[arg.id]))
                return self.const(0.0), "f"
            return self.expr(arg)[0], "f"  # a boolean is 0/1 already
        if self.narrow and name == f"np.{self.narrow}" and len(node.args) == 1:
            arg = node.args[0]  # (a typed constant in the narrow range; a cast would wrap)
            info = np.iinfo(self.narrow)
            if not (isinstance(arg, ast.Constant) and type(arg.value) is int
                    and info.min <= arg.value <= info.max):  # fmt: skip
                raise _Unsupported
            return self.const(arg.value), "f"
        op = (_INT_CALLS if self.int else _CALLS).get(name)
        if op == I.ABS and self.narrow:
            raise _Unsupported  # (Numba's abs of a narrow integer keeps its width: compiled)
        if op in _SPECIAL and self.dtype != "float64":
            raise _Unsupported  # (of float32, Numba's may return a float64 value: compiled)
        if op is None:
            raise _Unsupported
        if op == I.TOBOOL:
            return self.emit(op, self.expr(node.args[0])[0]), "b"
        order = node.args[-1]
        if op in _ORDER_SECOND and isinstance(order, ast.Name) and order.id in self.scalars:
            x = self.float(node.args[0])
            self.casts.append((len(self.consts), self.scalars[order.id]))  # (an int, as float64)
            return self.emit(op, x, self.const(0.0)), "f"
        regs = [self.float(a) for a in node.args]
        return self.emit(op, *regs), "b" if op in _BOOL_RESULT else "f"
