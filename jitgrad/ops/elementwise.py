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


def _np_xlogy(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isnan(b), b, np.where(a == 0, 0, a * np.log(b)))


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
    node="ClampMinBackward0",
)
defop(
    "clamp_max",
    "minimum(a, b)",
    ("where(a <= b, g, 0)", "where(a > b, g, 0)"),
    np.minimum,
    node="ClampMaxBackward0",
)
defop(
    "where", "where(a, b, c)", (None, "where(a, g, 0)", "where(a, 0, g)"), np.where, condition=True
)

# Division rounded down / toward zero (``div(rounding_mode=...)``, ``//``): zero gradient, as
# in PyTorch. The callers (frontend/functions.py) refuse an integer divisor of zero beforehand.
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
# a NaN result passes the gradient, as PyTorch's threshold_backward on the result does
defop("relu", "maximum(a, 0)", ("where(out <= 0, 0, g)",), _np_relu)

defop(
    "xlogy",  # x * log(y), 0 where x == 0 (unless y is NaN)
    "where(isnan(b), b, where(a == 0, 0, a * log(b)))",
    (
        "where(logical_and(a == 0, b <= 0), 0, where(isnan(b), b, where(g == 0, 0, g * log(b))))",
        "g * a / b",
    ),
    _np_xlogy,
    result=FLOAT,
)

# ---- activations (nn.functional) ----------------------------------------------------------
# Forward and derivative follow PyTorch's CPU kernels operation by operation (the backward of
# each is its ``*_backward`` kernel), so float32 results round alike. Scalar hyper-parameters
# (beta, alpha, slope, bounds) are inputs b and c, never gradient targets.
_GELU_TANH = "tanh(0.7978845608028654 * (a + 0.044715 * (a * a * a)))"
defop(
    "gelu",
    "a * 0.5 * (1 + erf(a * 0.7071067811865476))",
    (
        "g * (0.5 * (1 + erf(a * 0.7071067811865476))"
        " + a * (0.3989422804014327 * exp(a * a * -0.5)))",
    ),
    lambda a: a * 0.5 * (1 + _np_erf(a * 0.7071067811865476)),
    result=FLOAT,
)
defop(
    "gelu_tanh",
    f"0.5 * a * (1 + {_GELU_TANH})",
    (
        f"g * (0.5 * (1 + {_GELU_TANH}) + 0.5 * a * (1 - {_GELU_TANH} * {_GELU_TANH})"
        " * (0.7978845608028654 * (1 + 3 * 0.044715 * (a * a))))",
    ),
    lambda a: 0.5 * a * (1 + np.tanh(0.7978845608028654 * (a + 0.044715 * a**3))),
    result=FLOAT,
    node="GeluBackward0",
)
defop(
    "softplus",  # b = beta, c = threshold: linear above the threshold
    "where(a * b > c, a, log1p(exp(a * b)) / b)",
    ("where(a * b > c, g, g * exp(a * b) / (exp(a * b) + 1))", None, None),
    lambda a, b, c: np.where(a * b > c, a, np.log1p(np.exp(a * b)) / b),
    result=FLOAT,
)
# ELU family: b = negative coefficient (alpha * scale), c = input scale (CELU: 1 / alpha)
_ELU = (
    "where(a > 0, a, expm1(a * c) * b)",
    ("where(a > 0, g, g * c * b * exp(a * c))", None, None),
    lambda a, b, c: np.where(a > 0, a, np.expm1(a * c) * b),
)
defop("elu", *_ELU, result=FLOAT)
defop("celu", *_ELU, result=FLOAT)
defop(
    "selu",  # b = alpha * scale, c = scale; PyTorch records selu as elu (EluBackward0)
    "where(a > 0, a * c, expm1(a) * b)",
    ("where(a > 0, g * c, g * b * exp(a))", None, None),
    lambda a, b, c: np.where(a > 0, a * c, np.expm1(a) * b),
    result=FLOAT,
    node="EluBackward0",
)
_LEAKY = (  # b = negative slope (a tensor of drawn slopes for rrelu in training)
    "where(a > 0, a, a * b)",
    ("where(a > 0, g, g * b)", None),
    lambda a, b: np.where(a > 0, a, a * b),
)
defop("leaky_relu", *_LEAKY, node="LeakyReluBackward0")
defop("rrelu", *_LEAKY, node="RreluWithNoiseBackward0")
defop(
    "hardtanh",  # clamp to [b, c]; no gradient at or beyond the bounds
    "minimum(maximum(a, b), c)",
    ("where(logical_or(a <= b, a >= c), 0, g)", None, None),
    lambda a, b, c: np.minimum(np.maximum(a, b), c),
)
defop(
    "silu",
    "a / (1 + exp(-a))",
    ("g * (1 / (1 + exp(-a))) * (1 + a * (1 - 1 / (1 + exp(-a))))",),
    lambda a: a / (1 + np.exp(-a)),
    result=FLOAT,
)
defop(
    "mish",
    "a * tanh(log1p(exp(a)))",
    (
        "g * (tanh(log1p(exp(a))) + a * (1 / (1 + exp(-a)))"
        " * (1 - tanh(log1p(exp(a))) * tanh(log1p(exp(a)))))",
    ),
    lambda a: a * np.tanh(np.log1p(np.exp(a))),
    result=FLOAT,
)
defop(
    "log_sigmoid",
    "minimum(a, 0) - log1p(exp(-abs(a)))",
    ("g * (where(a < 0, 1, 0) - where(a < 0, 1, -1) * (exp(-abs(a)) / (1 + exp(-abs(a)))))",),
    lambda a: np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a))),
    result=FLOAT,
    node="LogSigmoidBackward0",
)
defop(
    "hardsigmoid",
    "minimum(maximum(a + 3, 0), 6) / 6",
    ("where(logical_and(a > -3, a < 3), g * (1 / 6), 0)",),
    lambda a: np.minimum(np.maximum(a + 3, 0), 6) / 6,
)
defop(
    "hardswish",
    "a * minimum(maximum(a + 3, 0), 6) / 6",
    ("where(a <= -3, 0, where(a < 3, g * (a / 3 + 0.5), g))",),  # PyTorch: 0 at -3, 1 at 3
    lambda a: a * np.minimum(np.maximum(a + 3, 0), 6) / 6,
)
defop(
    "softshrink",  # b = lambda
    "where(a > b, a - b, where(a < -b, a + b, a * 0))",
    ("where(logical_and(a >= -b, a <= b), 0, g)", None),
    lambda a, b: np.where(a > b, a - b, np.where(a < -b, a + b, 0)),
)
defop(
    "hardshrink",  # b = lambda
    "where(logical_and(a >= -b, a <= b), 0, a)",
    ("where(logical_and(a >= -b, a <= b), 0, g)", None),
    lambda a, b: np.where((a >= -b) & (a <= b), 0, a),
)
defop(
    "threshold",  # b = threshold, c = value
    "where(a <= b, c, a)",
    ("where(a <= b, 0, g)", None, None),
    lambda a, b, c: np.where(a <= b, c, a),
)
defop(
    "prelu",  # b = weight (a tensor, broadcast over the channel dimension)
    "where(a > 0, a, b * a)",
    ("where(a > 0, g, b * g)", "where(a > 0, 0, a * g)"),
    lambda a, b: np.where(a > 0, a, b * a),
    node="PreluKernelBackward0",
)

# ---- more of torch's pointwise math (derivatives.yaml's formulas) --------------------------
defop("asin", "asin(a)", ("g / sqrt(1 - a * a)",), np.arcsin, result=FLOAT)
defop("acos", "acos(a)", ("-g / sqrt(1 - a * a)",), np.arccos, result=FLOAT)
defop("atan", "atan(a)", ("g / (a * a + 1)",), np.arctan, result=FLOAT)
defop("sinh", "sinh(a)", ("g * cosh(a)",), np.sinh, result=FLOAT)
defop("cosh", "cosh(a)", ("g * sinh(a)",), np.cosh, result=FLOAT)
defop("asinh", "asinh(a)", ("g / sqrt(a * a + 1)",), np.arcsinh, result=FLOAT)
defop("acosh", "acosh(a)", ("g / sqrt(a * a - 1)",), np.arccosh, result=FLOAT)
defop("atanh", "atanh(a)", ("g / (1 - a * a)",), np.arctanh, result=FLOAT)
defop(
    "atan2",
    "atan2(a, b)",
    ("g * b / (a * a + b * b)", "-g * a / (a * a + b * b)"),
    np.arctan2,
    result=FLOAT,
)
defop("hypot", "hypot(a, b)", ("g * a / out", "g * b / out"), np.hypot, result=FLOAT)
defop("log10", "log10(a)", ("g / (a * 2.302585092994046)",), np.log10, result=FLOAT)
defop("exp2", "exp2(a)", ("g * out * 0.6931471805599453",), np.exp2, result=FLOAT)
defop(
    "erfc",
    "erfc(a)",
    ("-1.1283791670955126 * exp(-(a * a)) * g",),
    lambda a: 1 - _np_erf(a),
    result=FLOAT,
)
defop(
    "logit",  # clamped to [b, c] (eps, 1 - eps; -inf, inf without eps)
    "log(minimum(maximum(a, b), c) / (1 - minimum(maximum(a, b), c)))",
    ("where(logical_or(a < b, a > c), 0, g / (a * (1 - a)))", None, None),
    lambda a, b, c: np.log(np.clip(a, b, c) / (1 - np.clip(a, b, c))),
    result=FLOAT,
)
defop(
    "logaddexp",
    "where(logical_and(isinf(a), a == b), a, maximum(a, b) + log1p(exp(-abs(a - b))))",
    ("g / (1 + exp(b - a))", "g / (1 + exp(a - b))"),
    np.logaddexp,
    result=FLOAT,
)
defop(
    "logaddexp2",
    "where(logical_and(isinf(a), a == b), a,"
    " maximum(a, b) + log1p(exp2(-abs(a - b))) * 1.4426950408889634)",
    ("g / (1 + exp2(b - a))", "g / (1 + exp2(a - b))"),
    np.logaddexp2,
    result=FLOAT,
)
defop("fmod", "fmod(a, b)", ("g", "-g * trunc(a / b)"), np.fmod)
defop(
    "remainder",  # the sign of the divisor, as Python's % (fmod, then shifted by b)
    "where(logical_and(fmod(a, b) != 0, (b < 0) != (fmod(a, b) < 0)), fmod(a, b) + b, fmod(a, b))",
    ("g", "-g * floor(a / b)"),
    np.remainder,
)
defop("trunc", "trunc(a)", ("0 * g",), np.trunc)
defop("frac", "a - trunc(a)", ("g",), lambda a: a - np.trunc(a))
defop(
    "lerp",  # a + c (b - a), evaluated from the nearer end as PyTorch does
    "where(abs(c) < 0.5, a + c * (b - a), b - (b - a) * (1 - c))",
    ("g * (1 - c)", "g * c", "g * (b - a)"),
    lambda a, b, c: a + c * (b - a),
)
# addcmul/addcdiv: ``value`` is folded into the first tensor by the caller
defop("addcmul", "a + b * c", ("g", "g * c", "g * b"), lambda a, b, c: a + b * c)
defop(
    "addcdiv",
    "a + b / c",
    ("g", "g / c", "-g * b / (c * c)"),
    lambda a, b, c: a + b / c,
    result=FLOAT,
)

# ---- piecewise constant (zero gradient) ---------------------------------------------------


def _torch_sign(a: np.ndarray) -> np.ndarray:
    """PyTorch's sign: 0 (not np.sign's NaN or -0.0) for NaN and -0.0."""
    return np.sign(np.where(a != a, 0, a)) + a.dtype.type(0)


defop("sign", "sign(a)", ("0 * g",), _torch_sign)
defop("sgn", "sign(a)", ("0 * g",), _torch_sign)  # sign's alias, PyTorch's SgnBackward0
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
defop("logical_xor", "a != b", (None, None), np.logical_xor, result=BOOL, compute="bool")
defop("bitwise_and", "a & b", (None, None), np.bitwise_and)  # integer and bool operands only
defop("bitwise_or", "a | b", (None, None), np.bitwise_or)
defop("bitwise_xor", "a ^ b", (None, None), np.bitwise_xor)
defop("bitwise_not", "~a", (None,), np.invert)

#: Backward-node names that depend on which operands are Python scalars ("s") or tensors ("t").
NODE_VARIANTS: dict[str, dict[str, str]] = {
    "pow": {"tt": "PowBackward1", "st": "PowBackward2", "ts": "PowBackward0"},
    "sub": {"st": "RsubBackward1"},
    "clamp": {"ttt": "ClampBackward0", "tts": "ClampBackward0", "tst": "ClampBackward0"},
    "clamp_min": {"tt": "ClampMinBackward1"},
    "clamp_max": {"tt": "ClampMaxBackward1"},
    "fmod": {"tt": "FmodBackward1"},
    "remainder": {"tt": "RemainderBackward1"},
    "lerp": {"ttt": "LerpBackward1"},
    "copysign": {"ts": "CopysignBackward1"},
}

from . import elementwise_special  # noqa: E402, F401 - the special functions' declarations
