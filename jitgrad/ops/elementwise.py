"""Every elementwise op, declared once: forward expression, one derivative per input.

Variables: inputs ``a, b, c``; ``g`` the incoming gradient; ``out`` the result. Broadcasting
is not the rules' concern: the kernels sum gradients back to each input's shape. ``ref`` is
the numpy function the tests compare the forward against.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .numpy_refs import np_erf, np_trunc_div
from .registry import FLOAT, OMITTED, REAL, Use, defop


def _div(input: Any, other: Any, *, rounding_mode: str | None = OMITTED) -> Any:  # type: ignore[assignment]  # noqa: A002
    """True division; ``rounding_mode`` 'floor' or 'trunc' rounds (zero gradient) and keeps
    integer dtypes, where a zero divisor raises PyTorch's ``ZeroDivisionError`` RuntimeError."""
    if rounding_mode is OMITTED:
        return (input, other)
    if rounding_mode is None:
        return Use(("div_mode", (input, other)))
    if rounding_mode not in ("floor", "trunc"):
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    return Use(("div_" + rounding_mode, (input, other)))


# ---- arithmetic ---------------------------------------------------------------------------
defop("add", "a + b", ("g", "g"), np.add, complex=True)
# add/sub with alpha=: one rounding of alpha * b + a, as PyTorch's CPU kernel (vec::fmadd)
defop(
    "add_scaled",
    "fmadd(c, b, a)",
    ("g", "g * c", None),
    lambda a, b, c: a + c * b,
    node="AddBackward0",
    complex=("g", "g * conj(c)", None),
)
defop("sub", "a - b", ("g", "-g"), np.subtract, complex=True)
defop(
    "sub_scaled",
    "fmadd(-c, b, a)",
    ("g", "-g * c", None),
    lambda a, b, c: a - c * b,
    node="SubBackward0",
    complex=("g", "-g * conj(c)", None),
)
# torch.rsub of two tensors (``other - alpha * input``): RsubBackward0, operands in call order
defop("rsub", "b - a", ("-g", "g"), lambda a, b: b - a, node="RsubBackward0", complex=True)
defop("rsub_scaled", "fmadd(-c, a, b)", ("-g * c", "g", None), lambda a, b, c: b - c * a,
      node="RsubBackward0", complex=("-g * conj(c)", "g", None))  # fmt: skip
defop(
    "mul",
    "a * b",
    ("g * b", "g * a"),
    np.multiply,
    torch=("mul", "multiply"),
    method=True,
    complex=("g * conj(b)", "g * conj(a)"),
)
_DIV = ("a / b", ("g / b", "-g * a / (b * b)"), np.true_divide)
_CDIV = ("g / conj(b)", "-g * conj(a / b / b)")
# div(rounding_mode=None) given explicitly: true division, PyTorch's node DivBackward2
defop("div_mode", *_DIV, result=FLOAT, node="DivBackward2", complex=_CDIV)
defop(
    "div",
    *_DIV,
    result=FLOAT,
    torch=("div", "divide", "true_divide"),
    method=True,
    inplace=True,  # div_: the rounded ops in place are DivBackward2, as PyTorch's
    front=_div,
    complex=_CDIV,
)
defop(
    "pow",
    "a ** b",
    (
        "where(b == 0, 0, g * b * a ** (b - 1))",
        "where(logical_and(a == 0, b >= 0), 0, g * out * log(a))",
    ),
    np.power,
    complex=(
        "where(b == 0, 0, g * conj(b * a ** (b - 1)))",
        "where(logical_and(a == 0, logical_and(imag(b) == 0, real(b) >= 0)), 0, "
        "g * conj(out * log(a)))",
    ),
)
# x ** 2 and x ** 3 with a scalar exponent: a multiply instead of a libm pow call per element
# (~10x faster); PyTorch names their node PowBackward0 like any scalar exponent. cube's
# derivative rounds as PyTorch's pow_backward does, grad * (3 * x.pow(2)) with x.pow(2) = x * x
# (bitwise in float32: tests/test_cube_grad.py); that a * a is also the forward's first product,
# which a joint forward+backward kernel computes once (perf/RESULTS.md, Run gelu15).
defop(
    "square", "a * a", ("2 * g * a",), np.square, node="PowBackward0", complex=("g * conj(2 * a)",)
)
defop(
    "cube",
    "a * a * a",
    ("g * (3 * (a * a))",),
    lambda a: a * a * a,
    node="PowBackward0",
    complex=("g * conj(3 * a * a)",),
)
defop(
    "neg",
    "-a",
    ("-g",),
    np.negative,
    torch=("neg", "negative"),
    method=True,
    inplace=True,
    complex=True,
)
defop(
    "abs",
    "abs(a)",
    ("g * sign(a)",),
    np.abs,
    torch=("abs", "absolute"),
    method=True,
    inplace=True,
    complex=("g * sgn(a)",),
    complex_result=REAL,
)
defop(
    "reciprocal",
    "1 / a",
    ("-g * out * out",),
    np.reciprocal,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    complex=("-g * conj(out * out)",),
)
defop(
    "sqrt",
    "sqrt(a)",
    ("g / (2 * out)",),
    np.sqrt,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    complex=("g / (2 * conj(out))",),
)
defop(
    "rsqrt",
    "1 / sqrt(a)",
    ("-0.5 * g * out * out * out",),
    lambda a: 1 / np.sqrt(a),
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
)
defop(
    "maximum",
    "maximum(a, b)",
    ("where(a == b, g / 2, where(a > b, g, 0))", "where(a == b, g / 2, where(b > a, g, 0))"),
    np.maximum,
    torch=True,
    method=True,
    tensor_other=True,
)
defop(
    "minimum",
    "minimum(a, b)",
    ("where(a == b, g / 2, where(a < b, g, 0))", "where(a == b, g / 2, where(b < a, g, 0))"),
    np.minimum,
    torch=True,
    method=True,
    tensor_other=True,
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
    "where",
    "where(a, b, c)",
    (None, "where(a, g, 0)", "where(a, 0, g)"),
    np.where,
    condition=True,
    complex=True,
)

# Division rounded down / toward zero (``div(rounding_mode=...)``, ``//``): zero gradient, as
# in PyTorch, which refuses an integer divisor of zero (``zero_divisor``).
for _name, _expr, _ref in (
    ("div_floor", "a // b", np.floor_divide),
    ("div_trunc", "trunc_div(a, b)", np_trunc_div),
):
    defop(_name, _expr, ("0 * g", "0 * g"), _ref, node="DivBackward2", zero_divisor=True)

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
    lambda a: a * 0.5 * (1 + np_erf(a * 0.7071067811865476)),
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

# ---- piecewise constant (zero gradient) ---------------------------------------------------


def _torch_sign(a: np.ndarray) -> np.ndarray:
    """PyTorch's sign: 0 (not np.sign's NaN or -0.0) for NaN and -0.0."""
    return np.sign(np.where(a != a, 0, a)) + a.dtype.type(0)


defop("sign", "sign(a)", ("0 * g",), _torch_sign, torch=True, method=True, inplace=True)
defop(  # sign's alias, PyTorch's SgnBackward0; on complex values z / |z| (0 at 0)
    "sgn",
    "sign(a)",
    ("0 * g",),
    _torch_sign,
    torch=True,
    method=True,
    complex=("where(abs(a) == 0, 0, (g - out * real(conj(out) * g)) / abs(a))",),
    complex_expr="sgn(a)",
)
defop("floor", "floor(a)", ("0 * g",), np.floor, torch=True, method=True, inplace=True)
defop("ceil", "ceil(a)", ("0 * g",), np.ceil, torch=True, method=True, inplace=True)
defop("round", "round(a)", ("0 * g",), np.round)

# ---- copies -------------------------------------------------------------------------------
defop("cast", "cast(a)", ("g",), lambda a: a, node="ToCopyBackward0", complex=True)
defop("clone", "a", ("g",), np.copy, complex=True)
defop(
    "copy",
    "b",
    ("0 * g", "g"),
    lambda a, b: np.broadcast_to(b, np.shape(a)).copy(),
    node="CopyBackwards",
    complex=True,
)


#: Backward-node names that depend on which operands are Python scalars ("s") or tensors ("t").
NODE_VARIANTS: dict[str, dict[str, str]] = {
    "pow": {"tt": "PowBackward1", "st": "PowBackward2", "ts": "PowBackward0"},
    "sub": {"st": "RsubBackward1"}, "sub_scaled": {"sts": "RsubBackward1"},  # rsub(x, 2, alpha=3)
    "clamp": {"ttt": "ClampBackward0", "tts": "ClampBackward0", "tst": "ClampBackward0"},
    "clamp_min": {"tt": "ClampMinBackward1"}, "clamp_max": {"tt": "ClampMaxBackward1"},
    "fmod": {"tt": "FmodBackward1"}, "remainder": {"tt": "RemainderBackward1"},
    "lerp": {"ttt": "LerpBackward1"}, "copysign": {"ts": "CopysignBackward1"},
    "xlogy": {"ts": "XlogyBackward2", "st": "XlogyBackward1"},
}  # fmt: skip

# the rest of the declarations (comparisons, logic, integer ops, exp/log, trigonometric and
# hyperbolic, special functions): importing this module registers every elementwise op
from . import (  # noqa: E402, F401 - (as said above)
    elementwise_float,
    elementwise_integer,
    elementwise_logic,
    elementwise_math,
    elementwise_special,
    elementwise_trig,
)
