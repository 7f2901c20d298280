"""One table of elementwise op cases; drives forward, gradient, dtype and fusion tests.

Each case names a declared op (``jitgrad/ops/elementwise.py``), how to call it, the input
shapes (broadcasting and 0-d included), the input range that keeps it in its domain and
away from kinks, and tolerances.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class OpCase:
    op: str  # the declared op's name in the registry
    call: Callable  # (jitgrad module, *tensors) -> tensor
    ref: Callable  # (*float64 arrays) -> float64 array
    shapes: tuple[tuple[int, ...], ...]
    low: float = -2.0
    high: float = 2.0
    differentiable: tuple[bool, ...] = ()
    atol: float = 1e-5
    rtol: float = 1e-4
    extra_shape_sets: tuple[tuple[tuple[int, ...], ...], ...] = field(default=())
    f64_tol: float = 1e-12  # forward tolerance in float64
    finite_differences: bool = True  # False where float32 rounding inside makes FD meaningless

    @property
    def arity(self) -> int:
        return len(self.shapes)

    def grad_inputs(self) -> tuple[bool, ...]:
        return self.differentiable or (True,) * self.arity

    def shape_sets(self) -> list[tuple[tuple[int, ...], ...]]:
        return [self.shapes, *self.extra_shape_sets]

    def sample(self, rng: np.random.Generator, shapes, dtype) -> list[np.ndarray]:
        return [rng.uniform(self.low, self.high, s).astype(dtype) for s in shapes]


U = ((3, 4),)
B = ((3, 4), (4,))
BROADCAST_BINARY = (((2, 1, 4), (3, 1)), ((), (5,)), ((0, 3), (3,)))
BROADCAST_UNARY = (((),), ((0,),), ((2, 3, 4),))
POS = {"low": 0.2, "high": 3.0}


def _erf(a):
    return np.vectorize(math.erf, otypes=[np.float64])(a).astype(np.result_type(a, np.float32))


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _selu(a):
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return scale * (np.maximum(a, 0) + np.minimum(0, alpha * (np.exp(a) - 1)))


# ---- references for the special functions, each by a method other than jitgrad's ----------
def _lgamma(a):
    return np.vectorize(math.lgamma, otypes=[np.float64])(a)


def _digamma(a):
    """Recurrence up to x >= 60, then the asymptotic series (terms below 1e-20 there)."""
    x = np.array(a, np.float64)
    acc = np.zeros_like(x)
    while np.any(x < 60):
        small = x < 60
        acc = acc - np.where(small, 1 / x, 0)
        x = np.where(small, x + 1, x)
    z = 1 / (x * x)
    return acc + np.log(x) - 0.5 / x - z * (1 / 12 - z * (1 / 120 - z / 252))


def _polygamma2(a):
    """-2 zeta(3, x): 2000 terms summed directly, the rest by Euler-Maclaurin."""
    x = np.array(a, np.float64)
    k = np.arange(2000).reshape((-1,) + (1,) * x.ndim)
    head = np.sum((x + k) ** -3.0, axis=0)
    n = x + 2000
    tail = 1 / (2 * n**2) + 1 / (2 * n**3) + 1 / (4 * n**4)
    return -2 * (head + tail)


def _erfinv(a):
    """Bisection on math.erf (60 halvings of [-6, 6])."""

    def one(y):
        lo, hi = -6.0, 6.0
        for _ in range(80):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if math.erf(mid) < y else (lo, mid)
        return (lo + hi) / 2

    return np.vectorize(one, otypes=[np.float64])(a)


def _ndtr(a):
    return 0.5 * np.vectorize(math.erfc, otypes=[np.float64])(-np.asarray(a) / math.sqrt(2))


def _ndtri(a):
    """Bisection on ndtr (80 halvings of [-10, 10])."""

    def one(p):
        lo, hi = -10.0, 10.0
        for _ in range(80):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if 0.5 * math.erfc(-mid / math.sqrt(2)) < p else (lo, mid)
        return (lo + hi) / 2

    return np.vectorize(one, otypes=[np.float64])(a)


def _zeta(s, q):
    """sum_k (q + k)^-s: 2000 terms, then Euler-Maclaurin's integral and end corrections."""
    k = np.arange(2000).reshape((-1,) + (1,) * np.ndim(s))
    n = q + 2000
    tail = n ** (1 - s) / (s - 1) + 0.5 * n**-s + s / 12 * n ** (-s - 1)
    return np.sum((q + k) ** -s, axis=0) + tail


def _igamma(a, x):
    """P(a, x) = sum_n x^(a+n) e^-x / Gamma(a + n + 1), 300 terms, each by math.lgamma."""

    def one(a, x):
        return sum(math.exp((a + n) * math.log(x) - x - math.lgamma(a + n + 1)) for n in range(300))

    return np.vectorize(one, otypes=[np.float64])(a, x)


def _bessel(nu, scaled=False):
    """I_nu(x) = (1/pi) int_0^pi exp(x cos t) cos(nu t) dt by the trapezoidal rule, exact to
    rounding for this periodic integrand with 200 points."""
    t = np.linspace(0, np.pi, 201)
    w = np.full(201, np.pi / 200)
    w[[0, -1]] /= 2

    def f(a):
        x = np.asarray(a, np.float64)[..., None]
        val = np.sum(w * np.exp(x * np.cos(t)) * np.cos(nu * t), axis=-1) / np.pi
        return val * np.exp(-np.abs(x[..., 0])) if scaled else val

    return f
def _ints(t, a):
    """Integer operands for the bitwise ops, from the float samples (exact: times 4, floored)."""
    return (a * 4).floor().long()


def _np_ints(a):
    return np.floor(a * 4).astype(np.int64)


CASES: list[OpCase] = [
    OpCase("add", lambda t, a, b: a + b, np.add, B, extra_shape_sets=BROADCAST_BINARY),
    OpCase("add_scaled", lambda t, a, b: t.add(a, b, alpha=2.5), lambda a, b: a + 2.5 * b, B),
    OpCase("sub", lambda t, a, b: a - b, np.subtract, B, extra_shape_sets=BROADCAST_BINARY),
    OpCase("sub_scaled", lambda t, a, b: t.sub(a, b, alpha=0.5), lambda a, b: a - 0.5 * b, B),
    # torch.rsub of two tensors: its own declaration (PyTorch's RsubBackward0), ``b - alpha*a``
    OpCase("rsub", lambda t, a, b: t.rsub(a, b), lambda a, b: b - a, B),
    OpCase("rsub_scaled", lambda t, a, b: t.rsub(a, b, alpha=0.5), lambda a, b: b - 0.5 * a, B),
    OpCase("mul", lambda t, a, b: a * b, np.multiply, B, extra_shape_sets=BROADCAST_BINARY),
    OpCase("div", lambda t, a, b: a / b, np.divide, B, **POS, extra_shape_sets=BROADCAST_BINARY),
    # an explicit rounding_mode=None: its own declaration (PyTorch's DivBackward2)
    OpCase("div_mode", lambda t, a, b: t.div(a, b, rounding_mode=None), np.divide, B, **POS),
    # numerators shifted below zero, so rounding down and toward zero differ
    OpCase(
        "div_floor",
        lambda t, a, b: t.div(a - 1.5, b, rounding_mode="floor"),
        lambda a, b: np.floor_divide(a - 1.5, b),
        B,
        **POS,
        finite_differences=False,
    ),
    OpCase(
        "div_trunc",
        lambda t, a, b: t.div(a - 1.5, b, rounding_mode="trunc"),
        lambda a, b: np.trunc((a - 1.5) / b),
        B,
        **POS,
        finite_differences=False,
    ),
    OpCase("pow", lambda t, a, b: a**b, np.power, B, **POS),
    OpCase("square", lambda t, a: a**2, np.square, U, extra_shape_sets=BROADCAST_UNARY),
    OpCase("cube", lambda t, a: a.pow(3.0), lambda a: a**3, U),
    OpCase("neg", lambda t, a: -a, np.negative, U, extra_shape_sets=BROADCAST_UNARY),
    OpCase("abs", lambda t, a: a.abs(), np.abs, U, low=0.1, extra_shape_sets=BROADCAST_UNARY),
    OpCase("reciprocal", lambda t, a: a.reciprocal(), np.reciprocal, U, **POS),
    OpCase("sqrt", lambda t, a: a.sqrt(), np.sqrt, U, **POS, extra_shape_sets=BROADCAST_UNARY),
    OpCase("rsqrt", lambda t, a: a.rsqrt(), lambda a: 1 / np.sqrt(a), U, **POS),
    OpCase("maximum", lambda t, a, b: t.maximum(a, b), np.maximum, B),
    OpCase("minimum", lambda t, a, b: t.minimum(a, b), np.minimum, B),
    # min < max everywhere (hi is shifted above lo), as clamp's gradient rule assumes
    OpCase(
        "clamp",
        lambda t, a, lo, hi: t.clamp(a, lo - 1, hi + 1.5),
        lambda a, lo, hi: np.minimum(np.maximum(a, lo - 1), hi + 1.5),
        ((3, 4), (4,), (4,)),
        low=-1,
        high=1,
    ),
    OpCase("clamp_min", lambda t, a: a.clamp(min=0.3), lambda a: np.maximum(a, 0.3), U),
    OpCase("clamp_max", lambda t, a: a.clamp(max=0.3), lambda a: np.minimum(a, 0.3), U),
    OpCase("where", lambda t, a, b: t.where(a > 0, a, b), lambda a, b: np.where(a > 0, a, b), B),
    OpCase("exp", lambda t, a: a.exp(), np.exp, U, extra_shape_sets=BROADCAST_UNARY),
    OpCase("expm1", lambda t, a: a.expm1(), np.expm1, U),
    OpCase("log", lambda t, a: a.log(), np.log, U, **POS, extra_shape_sets=BROADCAST_UNARY),
    OpCase("log1p", lambda t, a: a.log1p(), np.log1p, U, **POS),
    OpCase("log2", lambda t, a: a.log2(), np.log2, U, **POS),
    OpCase("sin", lambda t, a: a.sin(), np.sin, U, low=-6, high=6),
    OpCase("cos", lambda t, a: a.cos(), np.cos, U, low=-6, high=6),
    OpCase("tan", lambda t, a: a.tan(), np.tan, U, low=-1.2, high=1.2),
    OpCase(
        "tanh", lambda t, a: a.tanh(), np.tanh, U, low=-4, high=4, extra_shape_sets=BROADCAST_UNARY
    ),
    OpCase("erf", lambda t, a: t.erf(a), _erf, U, low=-3, high=3),
    OpCase("sigmoid", lambda t, a: a.sigmoid(), _sigmoid, U, low=-6, high=6),
    OpCase("relu", lambda t, a: a.relu(), lambda a: np.maximum(a, 0), U),
    # ---- activations (nn.functional), each against its textbook formula ----
    OpCase(
        "gelu", lambda t, a: t.nn.functional.gelu(a), lambda a: a * (1 + _erf(a / 2**0.5)) / 2, U
    ),
    OpCase(
        "gelu_tanh",
        lambda t, a: t.nn.functional.gelu(a, approximate="tanh"),
        lambda a: a / 2 * (1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a**3))),
        U,
    ),
    # beta 1.5, threshold 2: both branches (linear above x = 4/3) are in range
    OpCase(
        "softplus",
        lambda t, a: t.nn.functional.softplus(a, beta=1.5, threshold=2.0),
        lambda a: np.where(1.5 * a > 2, a, np.log(1 + np.exp(1.5 * a)) / 1.5),
        U,
    ),
    OpCase(
        "elu",
        lambda t, a: t.nn.functional.elu(a, alpha=1.3),
        lambda a: np.where(a > 0, a, 1.3 * (np.exp(a) - 1)),
        U,
    ),
    OpCase(
        "celu",
        lambda t, a: t.nn.functional.celu(a, alpha=0.7),
        lambda a: np.maximum(a, 0) + np.minimum(0, 0.7 * (np.exp(a / 0.7) - 1)),
        U,
    ),
    OpCase("selu", lambda t, a: t.nn.functional.selu(a), _selu, U),
    OpCase(
        "leaky_relu",
        lambda t, a: t.nn.functional.leaky_relu(a, 0.2),
        lambda a: np.maximum(a, 0) + 0.2 * np.minimum(a, 0),
        U,
    ),
    OpCase(  # eval: the mean slope 0.2
        "rrelu",
        lambda t, a: t.nn.functional.rrelu(a, 0.1, 0.3),
        lambda a: np.maximum(a, 0) + 0.2 * np.minimum(a, 0),
        U,
    ),
    OpCase(
        "hardtanh",
        lambda t, a: t.nn.functional.hardtanh(a, -0.5, 1.2),
        lambda a: np.clip(a, -0.5, 1.2),
        U,
    ),
    OpCase(
        "silu", lambda t, a: t.nn.functional.silu(a), lambda a: a * _sigmoid(a), U, low=-6, high=6
    ),
    OpCase(
        "mish",
        lambda t, a: t.nn.functional.mish(a),
        lambda a: a * np.tanh(np.log(1 + np.exp(a))),
        U,
        low=-5,
        high=5,
    ),
    OpCase(
        "log_sigmoid",
        lambda t, a: t.nn.functional.logsigmoid(a),
        lambda a: np.log(_sigmoid(a)),
        U,
        low=-6,
        high=6,
    ),
    OpCase(
        "hardsigmoid",
        lambda t, a: t.nn.functional.hardsigmoid(a),
        lambda a: np.clip(a / 6 + 0.5, 0, 1),
        U,
        low=-4,
        high=4,
    ),
    OpCase(
        "hardswish",
        lambda t, a: t.nn.functional.hardswish(a),
        lambda a: a * np.clip(a / 6 + 0.5, 0, 1),
        U,
        low=-4,
        high=4,
    ),
    OpCase(
        "softshrink",
        lambda t, a: t.nn.functional.softshrink(a, 0.5),
        lambda a: np.sign(a) * np.maximum(np.abs(a) - 0.5, 0),
        U,
    ),
    OpCase(
        "hardshrink",
        lambda t, a: t.nn.functional.hardshrink(a, 0.5),
        lambda a: a * (np.abs(a) > 0.5),
        U,
    ),
    OpCase(
        "threshold",
        lambda t, a: t.nn.functional.threshold(a, 0.3, -1.0),
        lambda a: np.where(a > 0.3, a, -1.0),
        U,
    ),
    # one shared slope (weight of one element) broadcast over a 1-D input
    OpCase(
        "prelu",
        lambda t, a, w: t.nn.functional.prelu(a, w),
        lambda a, w: np.maximum(a, 0) + w * np.minimum(a, 0),
        ((5,), (1,)),
    ),
    OpCase("xlogy", lambda t, a, b: t.xlogy(a, b), lambda a, b: a * np.log(b), B, **POS),
    # ---- more pointwise math ----
    OpCase("asin", lambda t, a: a.asin(), np.arcsin, U, low=-0.9, high=0.9),
    OpCase("acos", lambda t, a: t.acos(a), np.arccos, U, low=-0.9, high=0.9),
    OpCase("atan", lambda t, a: a.atan(), np.arctan, U),
    OpCase("sinh", lambda t, a: a.sinh(), np.sinh, U),
    OpCase("cosh", lambda t, a: a.cosh(), np.cosh, U),
    OpCase("asinh", lambda t, a: a.asinh(), np.arcsinh, U),
    OpCase("acosh", lambda t, a: a.acosh(), np.arccosh, U, low=1.1, high=3.0),
    OpCase("atanh", lambda t, a: a.atanh(), np.arctanh, U, low=-0.9, high=0.9),
    OpCase(
        "atan2", lambda t, a, b: t.atan2(a, b), np.arctan2, B, extra_shape_sets=BROADCAST_BINARY
    ),
    OpCase("hypot", lambda t, a, b: t.hypot(a, b), np.hypot, B, **POS),
    OpCase("log10", lambda t, a: a.log10(), np.log10, U, **POS),
    OpCase("exp2", lambda t, a: t.exp2(a), lambda a: 2.0**a, U),
    OpCase("erfc", lambda t, a: t.erfc(a), lambda a: 1 - _erf(a), U),
    OpCase(
        "logit", lambda t, a: a.logit(), lambda a: np.log(a) - np.log1p(-a), U, low=0.05, high=0.95
    ),
    OpCase(
        "logaddexp",
        lambda t, a, b: t.logaddexp(a, b),
        lambda a, b: np.log(np.exp(a) + np.exp(b)),
        B,
    ),
    OpCase(
        "logaddexp2",
        lambda t, a, b: t.logaddexp2(a, b),
        lambda a, b: np.log2(2.0**a + 2.0**b),
        B,
    ),
    OpCase("fmod", lambda t, a, b: t.fmod(a, b), lambda a, b: a - b * np.trunc(a / b), B, **POS),
    OpCase("remainder", lambda t, a, b: a % b, lambda a, b: a - b * np.floor(a / b), B, **POS),
    OpCase("trunc", lambda t, a: a.trunc(), np.trunc, U),
    OpCase("frac", lambda t, a: a.frac(), lambda a: a - np.trunc(a), U),
    OpCase(
        "lerp",
        lambda t, a, b, w: t.lerp(a, b, w),
        lambda a, b, w: a + w * (b - a),
        ((3, 4), (4,), (3, 1)),
    ),
    OpCase(
        "addcmul",
        lambda t, a, b, c: t.addcmul(a, b, c),
        lambda a, b, c: a + b * c,
        ((3, 4), (4,), (3, 1)),
    ),
    OpCase(  # value other than 1: its own op (one AddcmulBackward0 node, as PyTorch's)
        "addcmul_scaled",
        lambda t, a, b, c: t.addcmul(a, b, c, value=0.5),
        lambda a, b, c: a + 0.5 * b * c,
        ((3, 4), (4,), (3, 1)),
    ),
    OpCase(
        "addcdiv",
        lambda t, a, b, c: a.addcdiv(b, c),
        lambda a, b, c: a + b / c,
        ((3, 4), (4,), (3, 1)),
        **POS,
    ),
    OpCase(
        "addcdiv_scaled",
        lambda t, a, b, c: a.addcdiv(b, c, value=-1.5),
        lambda a, b, c: a - 1.5 * b / c,
        ((3, 4), (4,), (3, 1)),
        **POS,
    ),
    OpCase(
        "logical_xor",
        lambda t, a, b: t.logical_xor(a > 0, b > 0),
        lambda a, b: (a > 0) != (b > 0),
        B,
        differentiable=(False, False),
    ),
    OpCase("sign", lambda t, a: a.sign(), np.sign, U),
    OpCase("sgn", lambda t, a: a.sgn(), np.sign, U),
    OpCase("floor", lambda t, a: a.floor(), np.floor, U),
    OpCase("ceil", lambda t, a: a.ceil(), np.ceil, U),
    OpCase("round", lambda t, a: a.round(), np.round, U),
    # a round trip through the other float width: ToCopyBackward0 twice
    OpCase(
        "cast",
        lambda t, a: a.to(t.float64 if a.dtype == t.float32 else t.float32).to(a.dtype),
        lambda a: a,
        U,
        f64_tol=1e-7,
        finite_differences=False,
    ),
    OpCase("clone", lambda t, a: a.clone(), np.copy, U),
    OpCase("copy", lambda t, a, b: t.zeros_like(a).copy_(b) * a, lambda a, b: a * b, B),
    OpCase("eq", lambda t, a, b: a == b, np.equal, B, differentiable=(False, False)),
    OpCase("ne", lambda t, a, b: a != b, np.not_equal, B, differentiable=(False, False)),
    OpCase("lt", lambda t, a, b: a < b, np.less, B, differentiable=(False, False)),
    OpCase("le", lambda t, a, b: a <= b, np.less_equal, B, differentiable=(False, False)),
    OpCase("gt", lambda t, a, b: a > b, np.greater, B, differentiable=(False, False)),
    OpCase("ge", lambda t, a, b: a >= b, np.greater_equal, B, differentiable=(False, False)),
    OpCase(
        "isnan",
        lambda t, a: t.isnan(a.log()),
        lambda a: np.isnan(np.log(a)),
        U,
        differentiable=(False,),
    ),
    OpCase(
        "isinf", lambda t, a: t.isinf(1 / a), lambda a: np.isinf(1 / a), U, differentiable=(False,)
    ),
    OpCase(
        "isfinite",
        lambda t, a: t.isfinite(a.log()),
        lambda a: np.isfinite(np.log(a)),
        U,
        differentiable=(False,),
    ),
    OpCase(
        "logical_and",
        lambda t, a, b: t.logical_and(a > 0, b > 0),
        lambda a, b: np.logical_and(a > 0, b > 0),
        B,
        differentiable=(False, False),
    ),
    OpCase(
        "logical_or",
        lambda t, a, b: t.logical_or(a > 0, b > 0),
        lambda a, b: np.logical_or(a > 0, b > 0),
        B,
        differentiable=(False, False),
    ),
    OpCase(
        "logical_not",
        lambda t, a: t.logical_not(a > 0),
        lambda a: ~(a > 0),
        U,
        differentiable=(False,),
    ),
    *(
        OpCase(
            name,
            lambda t, a, b, name=name: getattr(t, name)(_ints(t, a), _ints(t, b)),
            lambda a, b, ref=ref: ref(_np_ints(a), _np_ints(b)),
            B,
            differentiable=(False, False),
        )
        for name, ref in (
            ("bitwise_and", np.bitwise_and),
            ("bitwise_or", np.bitwise_or),
            ("bitwise_xor", np.bitwise_xor),
        )
    ),
    OpCase(
        "bitwise_not",
        lambda t, a: t.bitwise_not(_ints(t, a)),
        lambda a: np.invert(_np_ints(a)),
        U,
        differentiable=(False,),
    ),
    # shift counts 0..8 (|4b| floored); negative and too-wide counts: test_special_forms.py
    *(
        OpCase(
            name,
            lambda t, a, b, name=name: getattr(t, name)(_ints(t, a), _ints(t, b).abs()),
            lambda a, b, ref=ref: ref(_np_ints(a), np.abs(_np_ints(b))),
            B,
            differentiable=(False, False),
        )
        for name, ref in (
            ("bitwise_left_shift", np.left_shift),
            ("bitwise_right_shift", np.right_shift),
        )
    ),
]

CASES += [
    OpCase("lgamma", lambda t, a: a.lgamma(), _lgamma, U, low=0.1, high=6.0),
    OpCase(
        "digamma",
        lambda t, a: t.digamma(a),
        _digamma,
        U,
        low=0.1,
        high=6.0,
        extra_shape_sets=BROADCAST_UNARY,
    ),
    OpCase("polygamma", lambda t, a: t.polygamma(2, a), _polygamma2, U, low=0.3, high=6.0),
    # polygamma_'s own declaration (PyTorch names its node PolygammaBackward1), on a copy
    OpCase(
        "polygamma_inplace",
        lambda t, a: (a * 1).polygamma_(2),
        _polygamma2,
        U,
        low=0.3,
        high=6.0,
    ),
    OpCase(
        "mvlgamma",
        lambda t, a: a.mvlgamma(3),
        lambda a: 1.5 * math.log(math.pi) + _lgamma(a) + _lgamma(a - 0.5) + _lgamma(a - 1),
        U,
        low=1.2,
        high=4.0,
    ),
    OpCase("erfinv", lambda t, a: a.erfinv(), _erfinv, U, low=-0.9, high=0.9),
    OpCase("i0", lambda t, a: a.i0(), np.i0, U, low=-3, high=3, extra_shape_sets=BROADCAST_UNARY),
    OpCase("special_i0e", lambda t, a: t.special.i0e(a), _bessel(0, True), U, low=-3, high=3),
    OpCase("special_i1", lambda t, a: t.special.i1(a), _bessel(1), U, low=-3, high=3),
    OpCase("special_i1e", lambda t, a: t.special.i1e(a), _bessel(1, True), U, low=-3, high=3),
    OpCase("sinc", lambda t, a: a.sinc(), np.sinc, U, extra_shape_sets=BROADCAST_UNARY),
    OpCase(
        "special_spherical_bessel_j0",
        lambda t, a: t.special.spherical_bessel_j0(a),
        lambda a: np.sinc(a / np.pi),
        U,
        low=-4.0,
        high=4.0,
        extra_shape_sets=BROADCAST_UNARY,
    ),
    OpCase("deg2rad", lambda t, a: a.deg2rad(), np.deg2rad, U),
    OpCase("rad2deg", lambda t, a: t.rad2deg(a), np.rad2deg, U),
    # log of the negative samples gives NaN, replaced by 0.5; their gradient is 0
    OpCase(
        "nan_to_num",
        lambda t, a: (a * 1).log().nan_to_num(0.5),
        lambda a: np.where(a > 0, np.log(np.abs(a)), 0.5),
        U,
        extra_shape_sets=BROADCAST_UNARY,
    ),
    OpCase("fmax", lambda t, a, b: t.fmax(a, b), np.fmax, B, extra_shape_sets=BROADCAST_BINARY),
    OpCase("fmin", lambda t, a, b: a.fmin(b), np.fmin, B),
    OpCase(
        "copysign",
        lambda t, a, b: t.copysign(a, b),
        np.copysign,
        B,
        extra_shape_sets=BROADCAST_BINARY,
    ),
]

CASES += [
    OpCase("special_ndtr", lambda t, a: t.special.ndtr(a), _ndtr, U, low=-3, high=3),
    OpCase("special_ndtri", lambda t, a: t.special.ndtri(a), _ndtri, U, low=0.05, high=0.95),
    OpCase(
        "special_log_ndtr",
        lambda t, a: t.special.log_ndtr(a),
        lambda a: np.log(_ndtr(a)),
        U,
        low=-3,
        high=3,
    ),
    OpCase(
        "special_erfcx",
        lambda t, a: t.special.erfcx(a),
        lambda a: np.exp(a * a) * np.vectorize(math.erfc, otypes=[np.float64])(a),
        U,
    ),
    OpCase("special_entr", lambda t, a: t.special.entr(a), lambda a: -a * np.log(a), U, **POS),
    OpCase(
        "special_xlog1py",
        lambda t, a, b: t.special.xlog1py(a, b),
        lambda a, b: a * np.log1p(b),
        B,
        **POS,
        extra_shape_sets=BROADCAST_BINARY[:1],
    ),
]

CASES += [
    # 1 / a: a tensor of +-inf and +-0 (signbit), 1 / log(|a|) (+-inf where |a| = 1: none)
    OpCase(
        "signbit", lambda t, a: (a * 0 - a).signbit(), lambda a: -a < 0, U, differentiable=(False,)
    ),
    OpCase(
        "isposinf",
        lambda t, a: t.isposinf(1 / (a * 0)),
        lambda a: 1 / (a * 0) > 0,
        U,
        differentiable=(False,),
    ),
    OpCase(
        "isneginf",
        lambda t, a: (1 / (a * 0)).isneginf(),
        lambda a: 1 / (a * 0) < 0,
        U,
        differentiable=(False,),
    ),
    OpCase(
        "special_zeta",
        lambda t, s, q: t.special.zeta(s, q),
        _zeta,
        B,
        low=1.5,
        high=4.0,
        differentiable=(False, True),
    ),
    OpCase(
        "igamma", lambda t, a, x: t.igamma(a, x), _igamma, B, **POS, differentiable=(False, True)
    ),
    OpCase(
        "igammac",
        lambda t, a, x: t.special.gammaincc(a, x),
        lambda a, x: 1 - _igamma(a, x),
        B,
        **POS,
        differentiable=(False, True),
    ),
    OpCase(
        "ldexp",
        lambda t, a, b: t.ldexp(a, b.round()),
        lambda a, b: a * 2.0 ** np.round(b),
        B,
        differentiable=(True, False),
    ),
]

# the forms declared in session 12 (values, dtypes, errors and edges against PyTorch:
# tests/float_form_cases.py); exponents >= 0 here, as PyTorch's gradient of a negative
# integer exponent is 0 (finite differences would not agree)
CASES += [
    OpCase(
        "ldexp_int",
        lambda t, a, b: t.ldexp(a, _ints(t, b).abs()),
        lambda a, b: a * 2.0 ** np.abs(_np_ints(b)),
        B,
        differentiable=(True, False),
    ),
    OpCase("nextafter", lambda t, a, b: t.nextafter(a, b), np.nextafter, B),
    OpCase("frexp", lambda t, a: t.frexp(a).mantissa, lambda a: np.frexp(a)[0], U),
    OpCase("float_power", lambda t, a, b: t.float_power(a, b), np.power, B, **POS),
    *(
        OpCase(
            name,
            lambda t, a, b, name=name: getattr(t, name)(_ints(t, a), _ints(t, b)),
            lambda a, b, ref=ref: ref(_np_ints(a), _np_ints(b)),
            B,
            differentiable=(False, False),
        )
        for name, ref in (("gcd", np.gcd), ("lcm", np.lcm))
    ),
]

BY_OP = {c.op: c for c in CASES}
FLOAT_DTYPES = (np.float32, np.float64)
