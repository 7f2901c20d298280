"""Elementwise math declared once (split from :mod:`.elementwise` for size): exp/log and
trigonometric functions, and the rest of torch's pointwise math with derivatives.yaml's
formulas. Same variables as there: inputs ``a, b, c``, ``g``, ``out``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .numpy_refs import np_erf, np_relu, np_sigmoid, np_xlogy
from .registry import FLOAT, defop

# ---- transcendental -----------------------------------------------------------------------
defop(
    "exp",
    "exp(a)",
    ("g * out",),
    np.exp,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    complex=("g * conj(out)",),
)
defop(
    "expm1",
    "expm1(a)",
    ("g * (out + 1)",),
    np.expm1,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    special="expm1",
)
defop(
    "log",
    "log(a)",
    ("g / a",),
    np.log,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    complex=("g / conj(a)",),
)
defop(
    "log1p",
    "log1p(a)",
    ("g / (a + 1)",),
    np.log1p,
    result=FLOAT,
    node="Log1PBackward0",
    torch=True,
    method=True,
    inplace=True,
    special="log1p",
)
defop(
    "log2",
    "log2(a)",
    ("g / (a * 0.6931471805599453)",),
    np.log2,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
)
defop(
    "sin",
    "sin(a)",
    ("g * cos(a)",),
    np.sin,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    complex=("g * conj(cos(a))",),
)
defop(
    "cos",
    "cos(a)",
    ("-g * sin(a)",),
    np.cos,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    complex=("-g * conj(sin(a))",),
)
defop(
    "tan",
    "tan(a)",
    ("g * (1 + out * out)",),
    np.tan,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
)
defop(
    "tanh",
    "tanh(a)",
    ("g * fmadd(-out, out, 1)",),  # (PyTorch's tanh_backward, FMA-contracted: expr.FUNCTIONS)
    np.tanh,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    complex=("g * conj(1 - out * out)",),
)
defop(
    "erf",
    "erf(a)",
    ("g * 1.1283791670955126 * exp(-(a * a))",),
    np_erf,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    special="erf",
)
defop(
    "sigmoid",
    "1 / (1 + exp(-a))",
    ("g * out * (1 - out)",),
    np_sigmoid,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    special="expit",
)
# a NaN result passes the gradient, as PyTorch's threshold_backward on the result does
defop(
    "relu",
    "maximum(a, 0)",
    ("where(out <= 0, 0, g)",),
    np_relu,
    torch=True,
    method=True,
    inplace=True,
)

defop(
    "xlogy",  # x * log(y), 0 where x == 0 (unless y is NaN)
    "where(isnan(b), b, where(a == 0, 0, a * log(b)))",
    (
        "where(logical_and(a == 0, b <= 0), 0, where(isnan(b), b, where(g == 0, 0, g * log(b))))",
        "g * a / b",
    ),
    np_xlogy,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    special="xlogy",
)


# ---- more of torch's pointwise math (derivatives.yaml's formulas) --------------------------
defop(
    "atan2",
    "atan2(a, b)",
    ("g * b * (1 / (a * a + b * b))", "g * -a * (1 / (a * a + b * b))"),  # PyTorch's order
    np.arctan2,
    result=FLOAT,
    torch=("atan2", "arctan2"),
    method=True,
    inplace=True,
    tensor_other=True,
)
defop(
    "hypot",
    "hypot(a, b)",
    ("g * a / out", "g * b / out"),
    np.hypot,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    tensor_other=True,
    no_integral=True,
)
defop(
    "log10",
    "log10(a)",
    ("g / (a * 2.302585092994046)",),
    np.log10,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
)
defop(
    "exp2",
    "exp2(a)",
    ("g * out * 0.6931471805599453",),
    np.exp2,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    special="exp2",
)
defop(
    "erfc",
    "erfc(a)",
    ("-1.1283791670955126 * exp(-(a * a)) * g",),
    lambda a: 1 - np_erf(a),
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    special="erfc",
)


def _np_logit_p(a: Any, b: Any, c: Any) -> Any:
    """numpy's logit p (the test reference): PyTorch's clamp, lower bound first."""
    return np.where(a < b, b, np.where(a > c, c, a))


def _logit(input: Any, eps: float | None = None) -> Any:  # noqa: A002
    """``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given."""
    return (input, -math.inf, math.inf) if eps is None else (input, eps, 1.0 - eps)


# logit's p: clamped to [b, c] (eps, 1 - eps; -inf, inf without eps) as PyTorch's kernel
# does, the lower bound tested first: with eps > 0.5 (b > c) the bounds cross, and a < b
# gives b, every other a gives c (a clip to [b, c] would give c for all).
_P = "where(a < b, b, where(a > c, c, a))"
defop(
    "logit",
    f"log({_P} / (1 - {_P}))",
    # outside [0, 1] without eps PyTorch's gradient is NaN: log(a * (1 - a)) is NaN there
    # (a * (1 - a) < 0); with eps, a < b or a > c holds first and gives 0
    (
        "where(logical_or(a < b, a > c), 0,"
        " where(logical_or(a < 0, a > 1), log(a * (1 - a)), g / (a * (1 - a))))",
        None,
        None,
    ),
    lambda a, b, c: np.log(_np_logit_p(a, b, c) / (1 - _np_logit_p(a, b, c))),
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    special="logit",
    front=_logit,
)
defop(
    "logaddexp",
    "where(logical_and(isinf(a), a == b), a, maximum(a, b) + log1p(exp(-abs(a - b))))",
    ("g / (1 + exp(b - a))", "g / (1 + exp(a - b))"),
    np.logaddexp,
    result=FLOAT,
    torch=True,
    method=True,
    tensor_other=True,
)
defop(
    "logaddexp2",
    "where(logical_and(isinf(a), a == b), a,"
    " maximum(a, b) + log1p(exp2(-abs(a - b))) * 1.4426950408889634)",
    ("g / (1 + exp2(b - a))", "g / (1 + exp2(a - b))"),
    np.logaddexp2,
    result=FLOAT,
    torch=True,
    method=True,
    tensor_other=True,
)


def _fmod(input: Any, other: Any) -> Any:  # noqa: A002
    """C's remainder (the dividend's sign); an integer zero divisor raises as PyTorch does."""
    return (input, other)


def _remainder(input: Any, other: Any) -> Any:  # noqa: A002
    """Python's ``%`` (the divisor's sign); an integer zero divisor raises as PyTorch does."""
    return (input, other)


defop(
    "fmod",
    "fmod(a, b)",
    ("g", "-g * trunc(a / b)"),
    np.fmod,
    torch=True,
    method=True,
    inplace=True,
    zero_divisor=True,
    front=_fmod,
    tensor_input=True,
)
defop(
    "remainder",  # the sign of the divisor, as Python's % (fmod, then shifted by b)
    "where(logical_and(fmod(a, b) != 0, (b < 0) != (fmod(a, b) < 0)), fmod(a, b) + b, fmod(a, b))",
    # PyTorch's -g * div(a, b, rounding_mode='floor'): NaN where a is infinite (not
    # floor(a / b), which is inf there)
    ("g", "-g * floor_div(a, b)"),
    np.remainder,
    torch=True,
    method=True,
    inplace=True,
    zero_divisor=True,
    front=_remainder,
)
defop("trunc", "trunc(a)", ("0 * g",), np.trunc, torch=("trunc", "fix"), method=True, inplace=True)
defop(
    "frac", "a - trunc(a)", ("g",), lambda a: a - np.trunc(a), torch=True, method=True, inplace=True
)
defop(
    "lerp",  # a + c (b - a) from the nearer end, one rounding (PyTorch's lerp_vec: fmadd)
    "where(abs(c) < 0.5, fmadd(c, b - a, a), fmadd(c - 1, b - a, b))",
    ("g * (1 - c)", "g * c", "g * (b - a)"),
    lambda a, b, c: a + c * (b - a),
)
# addcmul/addcdiv: a + (value * t1) * t2 rounds once (PyTorch's kernel: fused), addcdiv's
# a + (value * t1) / t2 twice (as PyTorch's); ``value`` other than 1 is the ``*_scaled`` op's
# fourth operand (one AddcmulBackward0 over the three tensors, PyTorch's graph, and its
# derivatives in derivatives.yaml's order: grad * (tensor2 * value), grad * (value / tensor2))
defop("addcmul", "fmadd(b, c, a)", ("g", "g * c", "g * b"), lambda a, b, c: a + b * c)
defop(
    "addcmul_scaled",
    "fmadd(d * b, c, a)",
    ("g", "g * (c * d)", "g * (b * d)", None),
    lambda a, b, c, d: a + d * b * c,
    node="AddcmulBackward0",
)
defop(
    "addcdiv",
    "a + b / c",
    ("g", "g * (1 / c)", "-g * (b / (c * c))"),
    lambda a, b, c: a + b / c,
    result=FLOAT,
)
defop(
    "addcdiv_scaled",
    "a + d * b / c",
    ("g", "g * (d / c)", "-g * (d * b / (c * c))", None),
    lambda a, b, c, d: a + d * b / c,
    result=FLOAT,
    node="AddcdivBackward0",
)
