"""The elementwise expression language that op declarations are written in.

An elementwise op declares its forward as an expression over its inputs ``a, b, c, d`` and its
derivatives as expressions over ``g`` (the incoming gradient), ``out`` (the forward result)
and the inputs. The same text is

* rendered into Numba source by the kernel generator (per-op kernels and fused kernels), and
* evaluated over Tensors when a differentiable backward is needed (``create_graph=True``).

Expressions are ordinary Python expressions restricted to arithmetic, comparisons, numeric
literals, the variable names above and the functions in ``FUNCTIONS``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from functools import cache

#: Function name -> {numpy dtype name or "*": Numba source template}. ``{0}``... are arguments.
#: exp/sin/cos/tanh use jitgrad.kernels.cpu.fastmath for floats: Numba's own lower to scalar
#: libm calls that block vectorization (3-10x slower per element; see that module).
FUNCTIONS: dict[str, dict[str, str]] = {
    "exp": {"float32": "_fm.exp32({0})", "float64": "_fm.exp64({0})", "*": "np.exp({0})"},
    "expm1": {"*": "np.expm1({0})"},
    "log": {"*": "np.log({0})"},
    "log1p": {"*": "np.log1p({0})"},
    "log2": {"*": "np.log2({0})"},
    "sqrt": {"*": "np.sqrt({0})"},
    "sin": {"float32": "_fm.sin32({0})", "float64": "_fm.sin64({0})", "*": "np.sin({0})"},
    "cos": {"float32": "_fm.cos32({0})", "float64": "_fm.cos64({0})", "*": "np.cos({0})"},
    "tan": {"*": "np.tan({0})"},
    "tanh": {"float32": "_fm.tanh32({0})", "float64": "_fm.tanh64({0})", "*": "np.tanh({0})"},
    "erf": {"*": "math.erf({0})"},
    "erfc": {"*": "math.erfc({0})"},
    "asin": {"*": "np.arcsin({0})"},
    "acos": {"*": "np.arccos({0})"},
    "atan": {"*": "np.arctan({0})"},
    "sinh": {"*": "np.sinh({0})"},
    "cosh": {"*": "np.cosh({0})"},
    "asinh": {"*": "np.arcsinh({0})"},
    "acosh": {"*": "np.arccosh({0})"},
    "atanh": {"*": "np.arctanh({0})"},
    "atan2": {"*": "np.arctan2({0}, {1})"},
    "hypot": {"*": "np.hypot({0}, {1})"},
    # ``a // b`` in a derivative rule: the same kernel text, but over Tensors (create_graph) it
    # is div(rounding_mode='floor'), whose derivative is zero, not the user's floor_divide,
    # which has none (remainder's other-gradient: -g * floor_div(a, b))
    "floor_div": {"*": "({0} // {1})"},
    # C's truncated remainder. Numba 0.68's np.fmod on signed integers computes the unsigned
    # remainder (fmod(-7, 2) == 1, fmod(3, -2) == 3), so integers take Python's floored % and
    # move it to the dividend's sign
    "fmod": {
        **dict.fromkeys(
            ("int64", "int32", "int16", "int8"),
            "({0} % {1} - ({1} if ({0} % {1} != 0 and ({0} < 0) != ({1} < 0)) else 0))",
        ),
        "*": "np.fmod({0}, {1})",
    },
    "log10": {"*": "np.log10({0})"},
    "exp2": {"*": "np.exp2({0})"},
    "trunc": {"*": "np.trunc({0})"},
    "abs": {"*": "abs({0})"},
    # PyTorch's sign: 0 for NaN and for -0.0 (np.sign passes both through); abs's gradient
    # (g * sign(a)) is 0 there too, as PyTorch's
    "sign": {"float32": "_k.sign32({0})", "float64": "_k.sign64({0})", "*": "np.sign({0})"},
    "floor": {"*": "np.floor({0})"},
    "ceil": {"*": "np.ceil({0})"},
    "round": {"*": "np.round({0})"},
    "isnan": {"*": "np.isnan({0})"},
    "isinf": {"*": "np.isinf({0})"},
    "isfinite": {"*": "np.isfinite({0})"},
    "where": {"*": "({1} if {0} else {2})"},
    "logical_and": {"*": "(bool({0}) and bool({1}))"},
    "logical_or": {"*": "(bool({0}) or bool({1}))"},
    "logical_not": {"*": "(not {0})"},
    "maximum": {"*": "_k.maximum({0}, {1})"},
    "minimum": {"*": "_k.minimum({0}, {1})"},
    "cast": {"*": "{0}"},
    # special functions: math's, and kernels/cpu/special*.py's (re-exported by scalar.py)
    "lgamma": {"*": "math.lgamma({0})"},
    "digamma": {"float32": "_k.digamma32({0})", "*": "_k.digamma({0})"},
    "trigamma": {"*": "_k.trigamma({0})"},
    "polygamma": {"float32": "_k.polygamma32({0}, {1})", "*": "_k.polygamma({0}, {1})"},
    "mvlgamma": {"*": "_k.mvlgamma({0}, {1})"},
    "mvdigamma": {"*": "_k.mvdigamma({0}, {1})"},
    "erfinv": {"*": "_k.erfinv({0})"},
    "i0": {"*": "_k.i0({0})"},
    "i0e": {"*": "_k.i0e({0})"},
    "i1": {"*": "_k.i1({0})"},
    "i1e": {"*": "_k.i1e({0})"},
    "sinc": {"float32": "_k.sinc32({0})", "*": "_k.sinc({0})"},
    "ndtri": {"*": "_k.ndtri({0})"},
    "log_ndtr": {"*": "_k.log_ndtr({0})"},
    "erfcx": {"*": "_k.erfcx({0})"},
    "zeta": {"*": "_k.zeta({0}, {1})"},
    "gammainc": {"*": "_k.gammainc({0}, {1})"},
    "gammaincc": {"*": "_k.gammaincc({0}, {1})"},
    "copysign": {"*": "math.copysign({0}, {1})"},
    # {0} * {1} + {2} rounded once in float32 and float64 alike, as PyTorch's CPU kernels
    # (vec::fmadd; GCC's FMA contraction elsewhere) compute add(alpha=), addcmul, lerp and
    # tanh's backward g * (1 - y * y) = g * fmadd(-y, y, 1) (kernels/cpu/fma.py: llvm.fma);
    # integers and complex values: the plain expression
    "fmadd": {"float32": "_k.fma({0}, {1}, {2})", "float64": "_k.fma({0}, {1}, {2})",
              "*": "({0} * {1} + {2})"},
    # a / b rounded toward zero: trunc of the rounded quotient for floats (PyTorch's
    # std::trunc(a / b)), exact C division for integers (no float round trip)
    # complex values (PyTorch's rules for complex inputs, see registry.complex_form): the
    # conjugate, the parts, and z / |z| (0 at 0); real values are their own conjugate and
    # real part
    "conj": {"*": "({0}).conjugate()"},
    "real": {"*": "({0}).real"},
    "imag": {"*": "({0}).imag"},
    "sgn": {"*": "_k.sgn({0})"},
    # a complex value from its parts (nan_to_num replaces the parts apart)
    "complex": {"complex64": "np.complex64(complex({0}, {1}))", "*": "complex({0}, {1})"},
    "trunc_div": {
        "float32": "np.trunc({0} / {1})",
        "float64": "np.trunc({0} / {1})",
        "*": "({0} // {1} + (1 if ({0} % {1} != 0 and ({0} < 0) != ({1} < 0)) else 0))",
    },
}

# the representation helpers (kernels/cpu/bits.py): float64 inside, so a float32 kernel
# rounds their exact results back at once (a fused chain then computes on in float32)
FUNCTIONS["nextafter"] = {
    "float32": "np.float32(_k.nextafter({0}, {1}, {2}, {3}))",
    "*": "_k.nextafter({0}, {1}, {2}, {3})",
}
FUNCTIONS["ldexp"] = {"float32": "np.float32(_k.ldexp({0}, {1}))", "*": "_k.ldexp({0}, {1})"}
#: gcd/lcm in C's order for each integer type: |x| wrapped into the type (int8 |-128| is
#: -128), and lcm's ``abs`` taken in C's promoted type (int for narrower ones) then wrapped
_INTS = {"int8": "int32", "int16": "int32", "int32": "int32", "int64": "int64", "uint8": "int32"}
_GCD = "_k.gcd(np.{t}(abs({{0}})), np.{t}(abs({{1}})))"
FUNCTIONS["gcd"] = {"*": _GCD.format(t="int64"), **{t: _GCD.format(t=t) for t in _INTS}}
_LCM = "np.{t}(abs(np.{w}(_k.lcm({{0}}, {{1}}, {g}))))"
FUNCTIONS["lcm"] = {t: _LCM.format(t=t, w=w, g=_GCD.format(t=t)) for t, w in _INTS.items()}
FUNCTIONS["lcm"]["*"] = FUNCTIONS["lcm"]["int64"]

#: complex64/complex128: cmath's functions (numba lowers them on the CPU and on the CUDA
#: target; the float fast paths above are real-only)
COMPLEX = ("complex64", "complex128")
for _name in "exp log sqrt sin cos tanh sinh cosh isnan isinf isfinite".split():
    FUNCTIONS[_name].update(dict.fromkeys(COMPLEX, f"cmath.{_name}({{0}})"))
#: the complex inverse trigonometric functions as PyTorch's CPU kernels compute them
#: (jitgrad.kernels.cpu.complex_inverse: Numba's cmath differs on tiny and non-finite
#: arguments, and PyTorch's complex128 acos is pi/2 - asin(z))
for _name in ("asin", "acos", "atan", "asinh", "acosh", "atanh"):
    FUNCTIONS[_name].update({c: f"_k.{_name}_{c}({{0}})" for c in COMPLEX})
#: complex64 functions each backend's ``_k`` supplies (``**`` too, of complex128 as well: Numba's
#: CUDA ``**`` is wrong, see visit_BinOp): the CPU's
#: are Numba's cmath ones; on the CUDA target some of those compute in float64 (sqrt, tanh,
#: sgn), so the device's are float32 versions (jitgrad.backends.cuda.devcomplex)
for _name in "exp log sqrt sin cos tanh sinh cosh sgn".split():
    FUNCTIONS[_name]["complex64"] = f"_k.{_name}_complex64({{0}})"
#: the dtype of a complex dtype's parts: a real literal in a complex kernel is typed so
#: (a complex literal promotes nothing either, but comparisons need a real one)
_PART = {"complex64": "float32", "complex128": "float64"}

VARIABLES = frozenset({"a", "b", "c", "d", "g", "out"})


@cache
def parse(text: str) -> ast.expr:
    """Parse and validate an expression; errors name the offending construct."""
    tree = ast.parse(text, mode="eval").body
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                raise ValueError(f"unknown function in expression {text!r}")
        elif isinstance(node, ast.Name):
            continue
        elif not isinstance(
            node,
            ast.BinOp
            | ast.UnaryOp
            | ast.Compare
            | ast.Constant
            | ast.Load
            | ast.operator
            | ast.unaryop
            | ast.cmpop,
        ):
            raise ValueError(f"unsupported syntax {type(node).__name__} in {text!r}")
    return tree


@cache
def free_names(text: str) -> frozenset[str]:
    """The variables an expression reads (``{'g', 'b'}`` for ``'g * b'``)."""
    tree = parse(text)
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call)}  # type: ignore[union-attr]
    return frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in called)


class _KernelRenderer(ast.NodeVisitor):
    """Turns an expression into Numba source with typed constants and renamed variables."""

    def __init__(self, names: Mapping[str, str], dtype_name: str) -> None:
        self.names = names
        self.dtype_name = dtype_name

    def visit_Name(self, node: ast.Name) -> str:
        return self.names[node.id]

    def visit_Constant(self, node: ast.Constant) -> str:
        if isinstance(node.value, bool):
            return repr(node.value)
        # A bare literal would promote float32 arithmetic to float64 inside Numba.
        return f"np.{_PART.get(self.dtype_name, self.dtype_name)}({node.value!r})"

    def visit_BinOp(self, node: ast.BinOp) -> str:
        op = _BINOPS[type(node.op)]
        left, right = self.visit(node.left), self.visit(node.right)
        if op == "/" and self.dtype_name in _PART:  # numba's complex / raises on a zero divisor
            return f"_k.cdiv_{self.dtype_name}({left}, {right})"
        if op == "**" and self.dtype_name in _PART:  # (see the complex64 functions)
            return f"_k.pow_{self.dtype_name}({left}, {right})"
        if op == "**" and self.dtype_name in _INTS:  # (Numba's goes through a float: ipow)
            return f"np.{self.dtype_name}(_k.ipow({left}, {right}))"
        return f"({left} {op} {right})"

    def visit_UnaryOp(self, node: ast.UnaryOp) -> str:
        op = {ast.USub: "-", ast.UAdd: "+", ast.Not: "not ", ast.Invert: "~"}[type(node.op)]
        return f"({op}{self.visit(node.operand)})"

    def visit_Compare(self, node: ast.Compare) -> str:
        parts = [self.visit(node.left)]
        for op, right in zip(node.ops, node.comparators, strict=True):
            parts += [_CMPOPS[type(op)], self.visit(right)]
        return "(" + " ".join(parts) + ")"

    def visit_Call(self, node: ast.Call) -> str:
        name = node.func.id  # type: ignore[attr-defined]
        table = FUNCTIONS[name]
        template = table.get(self.dtype_name, table["*"])
        return template.format(*(self.visit(arg) for arg in node.args))


_BINOPS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
}
_CMPOPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}


def render(text: str, names: Mapping[str, str], dtype_name: str) -> str:
    """Numba source for ``text`` with variables renamed by ``names``, computing in ``dtype``."""
    return _KernelRenderer(names, dtype_name).visit(parse(text))


def evaluate(text: str, env: Mapping[str, object], functions: Mapping[str, Callable]) -> object:
    """Evaluate ``text`` with Python semantics over ``env`` (Tensors for differentiable grads)."""
    code = _compiled(text)
    return eval(code, {"__builtins__": {}}, {**functions, **env})  # noqa: S307 - our own text


@cache
def _compiled(text: str):
    parse(text)
    return compile(text, "<jitgrad-expr>", "eval")
