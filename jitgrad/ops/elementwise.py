"""Every elementwise op, declared once: forward expression, one derivative per input.

Variables: inputs ``a, b, c``; ``g`` the incoming gradient; ``out`` the result. Broadcasting
is not the rules' concern: the kernels sum gradients back to each input's shape. ``ref`` is
the numpy function the tests compare the forward against.
"""

from __future__ import annotations

import math

import numpy as np

from .registry import BOOL, FLOAT, defop


def _np_sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _np_erf(a):
    return np.vectorize(math.erf, otypes=[np.float64])(a).astype(np.result_type(a, np.float32))


def _np_relu(a):
    return np.maximum(a, 0)


def _np_trunc_div(a, b):
    return np.trunc(np.true_divide(a, b)).astype(np.result_type(a, b))


# ---- arithmetic ---------------------------------------------------------------------------
defop("add", "a + b", ("g", "g"), np.add)
defop(
    "add_scaled", "a + c * b", ("g", "g * c", None), lambda a, b, c: a + c * b, node="AddBackward0"
)
defop("sub", "a - b", ("g", "-g"), np.subtract)
defop(
    "sub_scaled", "a - c * b", ("g", "-g * c", None), lambda a, b, c: a - c * b, node="SubBackward0"
)
defop("mul", "a * b", ("g * b", "g * a"), np.multiply)
defop("div", "a / b", ("g / b", "-g * a / (b * b)"), np.true_divide, result=FLOAT)
defop(
    "pow",
    "a ** b",
    (
        "where(b == 0, 0, g * b * a ** (b - 1))",
        "where(logical_and(a == 0, b >= 0), 0, g * out * log(a))",
    ),
    np.power,
)
# x ** 2 and x ** 3 with a scalar exponent: a multiply instead of a libm pow call per element
# (~10x faster); PyTorch names their node PowBackward0 like any scalar exponent.
defop("square", "a * a", ("2 * g * a",), np.square, node="PowBackward0")
defop("cube", "a * a * a", ("3 * g * a * a",), lambda a: a * a * a, node="PowBackward0")
defop("neg", "-a", ("-g",), np.negative)
defop("abs", "abs(a)", ("g * sign(a)",), np.abs)
defop("reciprocal", "1 / a", ("-g * out * out",), np.reciprocal, result=FLOAT)
defop("sqrt", "sqrt(a)", ("g / (2 * out)",), np.sqrt, result=FLOAT)
defop(
    "rsqrt", "1 / sqrt(a)", ("-0.5 * g * out * out * out",), lambda a: 1 / np.sqrt(a), result=FLOAT
)
defop(
    "maximum",
    "maximum(a, b)",
    ("where(a == b, g / 2, where(a > b, g, 0))", "where(a == b, g / 2, where(b > a, g, 0))"),
    np.maximum,
)
defop(
    "minimum",
    "minimum(a, b)",
    ("where(a == b, g / 2, where(a < b, g, 0))", "where(a == b, g / 2, where(b < a, g, 0))"),
    np.minimum,
)
defop(
    "clamp",
    "minimum(maximum(a, b), c)",
    ("where(logical_and(a >= b, a <= c), g, 0)", "where(a < b, g, 0)", "where(a > c, g, 0)"),
    lambda a, lo, hi: np.minimum(np.maximum(a, lo), hi),
    node="ClampBackward1",
)
defop(
    "clamp_min",
    "maximum(a, b)",
    ("where(a >= b, g, 0)", "where(a < b, g, 0)"),
    np.maximum,
    node="ClampBackward1",
)
defop(
    "clamp_max",
    "minimum(a, b)",
    ("where(a <= b, g, 0)", "where(a > b, g, 0)"),
    np.minimum,
    node="ClampBackward1",
)
defop(
    "where", "where(a, b, c)", (None, "where(a, g, 0)", "where(a, 0, g)"), np.where, condition=True
)

# Division rounded down / toward zero (``div(rounding_mode=...)``, ``//``): zero gradient, as
# in PyTorch. The callers (ops/functions.py) refuse an integer divisor of zero beforehand.
defop("div_floor", "a // b", ("0 * g", "0 * g"), np.floor_divide, node="DivBackward2")
defop("div_trunc", "trunc_div(a, b)", ("0 * g", "0 * g"), _np_trunc_div, node="DivBackward2")

# ---- transcendental -----------------------------------------------------------------------
defop("exp", "exp(a)", ("g * out",), np.exp, result=FLOAT)
defop("expm1", "expm1(a)", ("g * (out + 1)",), np.expm1, result=FLOAT)
defop("log", "log(a)", ("g / a",), np.log, result=FLOAT)
defop("log1p", "log1p(a)", ("g / (a + 1)",), np.log1p, result=FLOAT, node="Log1PBackward0")
defop("log2", "log2(a)", ("g / (a * 0.6931471805599453)",), np.log2, result=FLOAT)
defop("sin", "sin(a)", ("g * cos(a)",), np.sin, result=FLOAT)
defop("cos", "cos(a)", ("-g * sin(a)",), np.cos, result=FLOAT)
defop("tan", "tan(a)", ("g * (1 + out * out)",), np.tan, result=FLOAT)
defop("tanh", "tanh(a)", ("g * (1 - out * out)",), np.tanh, result=FLOAT)
defop("erf", "erf(a)", ("g * 1.1283791670955126 * exp(-(a * a))",), _np_erf, result=FLOAT)
defop("sigmoid", "1 / (1 + exp(-a))", ("g * out * (1 - out)",), _np_sigmoid, result=FLOAT)
defop("relu", "maximum(a, 0)", ("where(out > 0, g, 0)",), _np_relu)

# ---- piecewise constant (zero gradient) ---------------------------------------------------
defop("sign", "sign(a)", ("0 * g",), np.sign)
defop("floor", "floor(a)", ("0 * g",), np.floor)
defop("ceil", "ceil(a)", ("0 * g",), np.ceil)
defop("round", "round(a)", ("0 * g",), np.round)

# ---- copies -------------------------------------------------------------------------------
defop("cast", "cast(a)", ("g",), lambda a: a, node="ToCopyBackward0")
defop("clone", "a", ("g",), np.copy)
defop(
    "copy",
    "b",
    ("0 * g", "g"),
    lambda a, b: np.broadcast_to(b, np.shape(a)).copy(),
    node="CopyBackwards",
)

# ---- comparisons and logic (boolean results, no gradient) ---------------------------------
defop("eq", "a == b", (None, None), np.equal, result=BOOL)
defop("ne", "a != b", (None, None), np.not_equal, result=BOOL)
defop("lt", "a < b", (None, None), np.less, result=BOOL)
defop("le", "a <= b", (None, None), np.less_equal, result=BOOL)
defop("gt", "a > b", (None, None), np.greater, result=BOOL)
defop("ge", "a >= b", (None, None), np.greater_equal, result=BOOL)
defop("isnan", "isnan(a)", (None,), np.isnan, result=BOOL)
defop("isinf", "isinf(a)", (None,), np.isinf, result=BOOL)
defop("isfinite", "isfinite(a)", (None,), np.isfinite, result=BOOL)
defop("logical_and", "logical_and(a, b)", (None, None), np.logical_and, result=BOOL, compute="bool")
defop("logical_or", "logical_or(a, b)", (None, None), np.logical_or, result=BOOL, compute="bool")
defop("logical_not", "logical_not(a)", (None,), np.logical_not, result=BOOL, compute="bool")

#: Backward-node names that depend on which operands are Python scalars ("s") or tensors ("t").
NODE_VARIANTS: dict[str, dict[str, str]] = {
    "pow": {"tt": "PowBackward1", "st": "PowBackward2", "ts": "PowBackward0"},
    "sub": {"st": "RsubBackward1"},
    "clamp": {"ttt": "ClampBackward0"},
    "div_floor": {"ts": "DivBackward3"},
    "div_trunc": {"ts": "DivBackward3"},
}
