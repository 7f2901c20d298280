"""Tier 0 for complex kernels: the rendered statements as rows of :mod:`.tier0_complex_interp`.

Why: a program or test file on complex tensors compiled a generated kernel per op, dtype mix
and direction (tests/test_complex.py: 83 compiles, 20.8 CPU s in Run ttime) because tier 0
took only real kernels. :func:`translate` (called by :func:`.tier0.translate` for a call with
a complex operand) follows Numba's typing of the rendered expression: arithmetic and ``if``
branches promote as NumPy does (float32 with complex64 is complex64, float64 with complex64
complex128); a widening costs nothing (the complex128 register holds the same value) and a
narrowing cast (``np.complex64(z)``, ``np.float32(x)``) is a row; complex ``/`` and ``**``
are the ``_k`` helpers the source calls. Inputs of another dtype than complex128 are
converted per call, outputs of another dtype are written to a complex128 scratch and copied
back (exact), and an output added into (``+=``) in a narrower dtype is loaded through an
input slot and added in its dtype (such an output whose elements share memory compiles: its
mode is not :data:`.tier0_interp.ACC`). Row sums and reductions compile, as do integer
operands and literals (Numba's integer promotions are not followed here) and boolean outputs.
"""

from __future__ import annotations

import ast
import time
from typing import Any

import numpy as np

from .. import helpers, launchlog
from . import tier0_interp as I
from . import tier0_numpy
from .tier0_complex_interp import (
    ABS,
    ACC,
    ADD,
    AND,
    C128,
    CAST,
    CDIV,
    CODE,
    COMPLEX,
    CONJ,
    CONST,
    DIV,
    DTYPE,
    EQ,
    GE,
    GT,
    IMAG,
    ISFINITE,
    ISINF,
    ISNAN,
    LE,
    LOAD,
    LT,
    MUL,
    N_IN,
    N_OUT,
    NE,
    NEG,
    NOT,
    OR,
    POW,
    REAL,
    SELECT,
    SGN,
    STORE,
    SUB,
    TOBOOL,
    TYPES,
    WIDTH,
    loop,
)  # fmt: skip

_TYPE = {name: k for k, name in enumerate(TYPES)}


class _Unsupported(Exception):
    """Not for this interpreter: the kernel compiles."""


#: Unary calls of the rendered source on a complex value -> op (the complex64 helpers of ``_k``
#: are Numba's cmath functions, as ``cmath.*`` of complex128)
_UNARY = {
    **{f"cmath.{f}": CODE[f] for f in ("exp", "log", "sqrt", "sin", "cos", "tanh", "sinh", "cosh")},
    **{f"_k.{f}_complex64": CODE[f] for f in ("exp", "log", "sqrt", "sin", "cos", "tanh", "sinh",
                                              "cosh", "sgn")},
    "_k.sgn": SGN,
}  # fmt: skip
_TESTS = {"cmath.isnan": ISNAN, "cmath.isinf": ISINF, "cmath.isfinite": ISFINITE}
_BINARY = {"_k.cdiv_complex64": (CDIV, "complex64"), "_k.cdiv_complex128": (CDIV, "complex128"),
           "_k.pow_complex64": (POW, "complex64"), "_k.pow_complex128": (POW, "complex128")}
_ARITH = {ast.Add: ADD, ast.Sub: SUB, ast.Mult: MUL, ast.Div: DIV, ast.Pow: POW}
_CMP = {ast.Eq: EQ, ast.NotEq: NE, ast.Lt: LT, ast.LtE: LE, ast.Gt: GT, ast.GtE: GE}
_SCALARS = {complex: "complex128", float: "float64", np.complex128: "complex128",
            np.complex64: "complex64", np.float64: "float64", np.float32: "float32"}
_PART = {"complex64": "float32", "complex128": "float64", "float32": "float32",
         "float64": "float64"}  # fmt: skip


def _promote(a: str, b: str) -> str:
    """Numba's type of arithmetic on (and of an ``if`` between) ``a`` and ``b``: NumPy's."""
    if "bool" in (a, b):
        raise _Unsupported  # (a boolean's promotion: Numba's rules, not followed here)
    return np.promote_types(a, b).name


def translate(spec: Any, args: tuple) -> ComplexProgram | None:
    """``spec``'s body as this interpreter's rows for these argument types, or None."""
    try:
        return _Translation(spec, args).program()
    except _Unsupported:
        return None


class _Translation:
    def __init__(self, spec: Any, args: tuple) -> None:
        if spec.ndim > 4 or any(o[2] not in ("store", "acc") for o in spec.outputs):
            raise _Unsupported  # (row sums and reductions compile)
        if len(spec.outputs) > N_OUT:
            raise _Unsupported  # (and more than N_IN arrays: see load)
        self.spec, self.args = spec, args
        self.rows: list[int] = [0] * WIDTH
        self.consts: list[complex] = []
        self.casts: list[tuple[int, int]] = []
        self.names: dict[str, tuple[int, str]] = {}  # name -> (register, type name or "bool")
        self.nreg = 0
        self.arrays: list[tuple[int, bool]] = []  # (argument position, convert it)

    def emit(self, op: int, x: int = 0, y: int = 0, z: int = 0, t: str = "complex128") -> int:
        self.rows += [op, self.nreg, x, y, z, _TYPE.get(t, C128)]
        self.nreg += 1
        return self.nreg - 1

    def const(self, value: complex, kind: str) -> tuple[int, str]:
        self.consts.append(complex(value))
        return self.emit(CONST, len(self.consts) - 1), kind

    def load(self, k: int) -> int:
        value = self.args[k]
        if not isinstance(value, np.ndarray) or value.dtype.name not in (*TYPES, "bool"):
            raise _Unsupported
        if len(self.arrays) == N_IN:
            raise _Unsupported
        self.arrays.append((k, value.dtype != np.complex128))
        return self.emit(LOAD, len(self.arrays) - 1)

    def program(self) -> ComplexProgram:
        spec, args = self.spec, self.args
        for k, (name, is_scalar) in enumerate(spec.inputs):
            value = args[k]
            if not is_scalar:
                reg = self.load(k)
                kind = "bool" if value.dtype == np.bool_ else value.dtype.name
                self.names[name + "_"] = (reg, kind)
            elif isinstance(value, bool | np.bool_):
                self.names[name] = self.const(bool(value), "bool")
            elif type(value) in _SCALARS:  # (others, integers: a name the body cannot use)
                self.casts.append((len(self.consts), k))
                self.names[name] = self.const(0, _SCALARS[type(value)])
        loaded = [k for k, _ in self.arrays]
        for local, expr in spec.stmts:
            self.names[local] = self.expr(ast.parse(expr, mode="eval").body)
        first = len(spec.inputs)
        position = {name: k for k, name in enumerate(spec.arg_names)}
        compact = {position[name]: dim for name, dim in spec.compact}
        outputs, modes = self.outputs(first, compact)
        full = [k for k in loaded + outputs if k not in compact]  # (render_source's rule)
        shape_arg = full[0]
        shape_at = loaded.index(shape_arg) if shape_arg < first else -1 - (shape_arg - first)
        self.rows[1] = self.nreg
        return ComplexProgram(self, outputs, modes, shape_at, shape_arg, compact)

    def outputs(self, first: int, compact: dict) -> tuple[list[int], list[tuple[int, int]]]:
        """The store rows; the outputs' argument positions and their modes for
        :meth:`.tier0.Tier0._separate` (-1: written through a scratch array, so one whose
        elements share memory compiles)."""
        outputs, modes = [], []
        for j, (_array, local, mode, dt) in enumerate(self.spec.outputs):
            k = first + j
            out = self.args[k]
            if out.dtype.name != dt or dt not in TYPES or not out.flags.writeable:
                raise _Unsupported  # (a boolean output: compiled)
            reg, kind = self.names[local]
            t = _promote(kind, dt)  # (``out[i] += v`` adds in it; Numba narrows to ``dt``)
            if t.startswith("complex") and not dt.startswith("complex"):
                raise _Unsupported  # (Numba casts no complex value to a real one)
            narrow = _TYPE[dt] + 1 if t != dt else 0
            if mode == "acc":  # out[i] += value: added in ``t``, narrowed to the output's dtype
                self.rows += [ACC, j, reg, 0, narrow, _TYPE[t]]
            else:
                self.rows += [STORE, j, self.emit(CAST, reg, t=dt) if narrow else reg, 0, 0, 0]
            outputs.append(k)
            direct = dt == "complex128" or k in compact  # (else: through a scratch copy)
            modes.append((k, (I.STORE if mode == "store" else I.ACC) if direct else -1))
        return outputs, modes

    def expr(self, node: ast.expr) -> tuple[int, str]:  # noqa: C901 - one case per node type
        """(register, type) of ``node``'s value: a dtype name of :data:`TYPES` or "bool"."""
        if isinstance(node, ast.Name) and node.id in self.names:
            return self.names[node.id]
        if isinstance(node, ast.Constant) and type(node.value) in (bool, float, complex):
            return self.const(node.value, {bool: "bool", float: "float64"}.get(
                type(node.value), "complex128"))  # fmt: skip
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Attribute) and node.attr in ("real", "imag"):
            reg, kind = self.expr(node.value)
            if kind == "bool":
                raise _Unsupported
            if kind.startswith("complex"):
                return self.emit(REAL if node.attr == "real" else IMAG, reg, t=kind), _PART[kind]
            return (reg, kind) if node.attr == "real" else self.const(0, kind)
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
            (x, kx), (y, ky) = self.expr(node.left), self.expr(node.right)
            t = _promote(kx, ky)
            if t.startswith("complex") and isinstance(node.op, ast.Div):
                raise _Unsupported  # (rendered as _k.cdiv_ calls: Numba's own `/` raises)
            return self.emit(_ARITH[type(node.op)], x, y, t=t), t
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            reg, kind = self.expr(node.operand)
            return self.emit(NEG, reg, t=_promote(kind, kind)), kind
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return self.emit(NOT, self.expr(node.operand)[0]), "bool"
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMP:
            return self.compare(node)
        if isinstance(node, ast.BoolOp) and len(node.values) == 2:
            (x, kx), (y, ky) = (self.expr(v) for v in node.values)
            if kx != "bool" or ky != "bool":
                raise _Unsupported  # Python's `and` of non-booleans gives an operand
            return self.emit(AND if isinstance(node.op, ast.And) else OR, x, y), "bool"
        if isinstance(node, ast.IfExp):
            cond = self.expr(node.test)[0]
            (x, kx), (y, ky) = self.expr(node.body), self.expr(node.orelse)
            kind = "bool" if kx == ky == "bool" else _promote(kx, ky)
            return self.emit(SELECT, cond, x, y), kind
        raise _Unsupported

    def compare(self, node: ast.Compare) -> tuple[int, str]:
        (x, kx), (y, ky) = self.expr(node.left), self.expr(node.comparators[0])
        op = _CMP[type(node.ops[0])]
        t = "float64" if kx == ky == "bool" else _promote(kx, ky)  # (0/1: exact in float64)
        if t.startswith("complex") and op not in (EQ, NE):
            raise _Unsupported  # (complex values are not ordered)
        return self.emit(op, x, y, t=t), "bool"

    def call(self, node: ast.Call) -> tuple[int, str]:  # noqa: C901 - one case per call
        if isinstance(node.func, ast.Attribute) and node.func.attr == "conjugate" and not node.args:
            reg, kind = self.expr(node.func.value)
            if kind == "bool":
                raise _Unsupported
            return (self.emit(CONJ, reg, t=kind), kind) if kind.startswith("complex") else (
                reg, kind)  # fmt: skip
        name, args = ast.unparse(node.func), node.args
        if name in ("np.float32", "np.float64", "np.complex64", "np.complex128") and len(args) == 1:
            return self.cast(args[0], name[3:])
        regs = [self.expr(a) for a in args]
        kinds = [kind for _, kind in regs]
        if name == "complex" and len(regs) == 2 and all(k in _PART.values() for k in kinds):
            return self.emit(COMPLEX, regs[0][0], regs[1][0]), "complex128"
        if len(regs) == 1 and name in ("bool", "np.bool_"):
            return (regs[0] if kinds[0] == "bool" else (self.emit(TOBOOL, regs[0][0]), "bool"))
        if len(regs) == 1 and name in _TESTS and kinds[0].startswith("complex"):
            return self.emit(_TESTS[name], regs[0][0]), "bool"
        if len(regs) == 1 and name in _UNARY and kinds[0].startswith("complex"):
            if name.endswith("_complex64") and kinds[0] != "complex64":
                raise _Unsupported
            op = _UNARY[name]  # (sgn's ``z * 0`` promotes: Numba types its result complex128)
            return self.emit(op, regs[0][0], t=kinds[0]), "complex128" if op == SGN else kinds[0]
        if len(regs) == 1 and name == "abs" and kinds[0] != "bool":
            return self.emit(ABS, regs[0][0], t=kinds[0]), _PART[kinds[0]]
        if len(regs) == 2 and name in _BINARY:  # (a real operand's ``.imag`` is a zero of it)
            op, t = _BINARY[name]
            if any(_promote(kind, t) != t for kind in kinds):
                raise _Unsupported  # (Numba computes those parts in a wider type)
            return self.emit(op, regs[0][0], regs[1][0], t=t), t
        raise _Unsupported

    def cast(self, arg: ast.expr, want: str) -> tuple[int, str]:
        """``np.<want>(arg)``: a constant of that type, or a conversion (a row only when it
        narrows: a wider type holds the same value)."""
        if isinstance(arg, ast.Constant) and type(arg.value) in (int, float, bool):
            return self.const(np.dtype(want).type(arg.value).item(), want)
        reg, kind = self.expr(arg)
        if kind == "bool" or (kind.startswith("complex") and not want.startswith("complex")):
            raise _Unsupported  # (the lowering casts complex to real through .real)
        if np.promote_types(kind, want).name == want:
            return reg, want
        return self.emit(CAST, reg, t=want), want


_DUMMY_IN = np.zeros((1, 1, 1, 1), np.complex128)
_PAD = [(None,) * k for k in range(5)]


def _pad(a: np.ndarray) -> np.ndarray:
    return a[_PAD[4 - a.ndim]] if a.ndim < 4 else a


class ComplexProgram:
    """One spec translated for one set of argument types (:class:`.tier0_translate.Program`'s
    attributes that :mod:`.tier0` reads, and a launch that converts operands)."""

    __slots__ = ("dtype", "ins", "consts", "casts", "arrays", "outputs", "shape_at", "shape_arg",
                 "compact", "rows", "plain", "modes", "bools", "convert", "calls",
                 "narrow")  # fmt: skip

    def __init__(self, t: _Translation, outputs: list, modes: list, shape_at: int,
                 shape_arg: int, compact: dict) -> None:  # fmt: skip
        self.dtype = DTYPE
        self.ins = np.array(t.rows, np.int32).reshape(-1, WIDTH)
        self.rows = len(self.ins) - 1
        self.consts = np.array(t.consts, np.complex128)
        self.casts, self.arrays = t.casts, t.arrays
        self.outputs, self.modes = outputs, modes
        self.convert = [k for k in (*(k for k, _ in t.arrays), *outputs)
                        if t.args[k].dtype != np.complex128]  # fmt: skip
        self.shape_at, self.shape_arg, self.compact = shape_at, shape_arg, compact
        self.plain = None  # (NumPy runs no complex program before the interpreter exists)
        self.bools = frozenset()
        self.narrow: frozenset = frozenset()  # (no narrower integer outputs: tier0_translate)
        self.calls = 1  # (one interpreter call per launch: tier0's cost estimate reads it)

    def launch(self, kernel: Any, args: tuple, interp: bool = True) -> None:
        """Run on ``args``: outputs of another dtype than complex128 through scratch arrays."""
        consts = self.consts
        if self.casts:
            consts = consts.copy()
            for slot, k in self.casts:
                consts[slot] = args[k]
        start = time.perf_counter()
        # (converted before a compact operand is expanded: an output added into through its
        # broadcast view then adds into its one scratch element, as compiled)
        held = {k: args[k].astype(np.complex128) for k in self.convert}
        views = [held.get(k, a) for k, a in enumerate(args)]
        if self.compact:
            views = tier0_numpy.expand(views, self.compact, args[self.shape_arg].shape)
        ins = [_pad(views[k]) for k, _ in self.arrays] + [_DUMMY_IN] * (N_IN - len(self.arrays))
        outs = [_pad(views[k]) for k in self.outputs]
        outs += [np.zeros((1, 1, 1, 1), np.complex128) for _ in range(N_OUT - len(outs))]
        loop()(self.ins, consts, self.shape_at, tuple(ins), tuple(outs))
        for k in self.outputs:
            if k in held:  # (exact: each value is one of the output's dtype)
                out = args[k]
                np.copyto(out, held[k] if out.dtype.kind == "c" else held[k].real, "unsafe")
        if helpers.DEBUG > 0:
            launchlog.report_launch(f"{kernel.name} tier0", args, time.perf_counter() - start)
