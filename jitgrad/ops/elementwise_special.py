"""Elementwise declarations for torch's special functions and the rest of its pointwise
math (lgamma, digamma, polygamma, erfinv, Bessel i0/i1, sinc, fmax, copysign ...).

Same language as :mod:`.elementwise`; the scalar special functions themselves are
``jitgrad/kernels/cpu/special*.py`` (reached as ``_k.<name>`` in generated kernels).
Derivatives follow PyTorch's ``derivatives.yaml``. Scalar parameters (polygamma's order,
mvlgamma's dimension, nan_to_num's replacements) are inputs ``b``, ``c`` (and ``d``),
never differentiated.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes as D
from ..kernels.cpu import special as S
from ..kernels.cpu import special_gamma as SG
from .elementwise_float import order_arg
from .registry import BOOL, FLOAT, Tensor, Use, defop


def _vec(fn, *fixed):
    """A numpy reference from a scalar function (the tests' forward comparison)."""
    return lambda *arrays: np.vectorize(lambda *xs: fn(*xs, *fixed), otypes=[np.float64])(*arrays)


_PI = "3.141592653589793"

defop(
    "lgamma",
    "lgamma(a)",
    ("g * digamma(a)",),
    _vec(math.lgamma),
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    special="gammaln",
)
defop(
    "digamma",
    "digamma(a)",
    ("g * trigamma(a)",),
    _vec(SG.digamma),
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    special=("digamma", "psi"),
)


def _vec_polygamma(a: Any, b: Any) -> Any:
    """numpy's polygamma(b, a) (the test reference), the order second as in the rules."""
    return _vec(SG.polygamma)(b, a)


def _polygamma(n: int, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
    """The ``n``-th derivative of digamma (``PolygammaBackward0``)."""
    n = order_arg("polygamma", "n", 1, n)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return (input, n)


_POLYGAMMA = ("polygamma(b, a)", ("g * polygamma(b + 1, a)", None), _vec_polygamma)
# polygamma_ runs this twin: PyTorch names the in-place node PolygammaBackward1
defop("polygamma_inplace", *_POLYGAMMA, result=FLOAT, node="PolygammaBackward1")
defop(  # b = n, the order (an integer)
    "polygamma",
    *_POLYGAMMA,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    special="polygamma",
    front=_polygamma,
    self_at=1,
    inplace_as="polygamma_inplace",
)


def _mvlgamma(input: Tensor, p: int) -> Tensor:  # noqa: A002 - PyTorch's argument name
    """Multivariate log-gamma of dimension ``p`` (``MvlgammaBackward0``)."""
    if getattr(input, "_dtype", None) is None:
        kind = type(input).__name__
        raise TypeError(f"mvlgamma(): argument 'input' (position 1) must be Tensor, not {kind}")
    p = order_arg("mvlgamma", "p", 2, p)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return (input, p)


def _mvlgamma_method(input: Tensor, p: int) -> Tensor:  # noqa: A002
    """The method: PyTorch counts ``p`` as position 1 (after ``self``)."""
    order_arg("mvlgamma", "p", 1, p)
    return _mvlgamma(input, p)


def _mvlgamma_(input: Tensor, p: int) -> Tensor:  # noqa: A002
    """In place: an integer tensor cannot hold the float result (PyTorch's own wording)."""
    order_arg("mvlgamma_", "p", 1, p)
    dt = input._dtype
    if not (dt.is_floating_point or dt.is_complex):
        name = D.scalar_name(dt)
        raise RuntimeError(
            f"mvlgamma: result type {name} can't be cast to the desired output type Float"
        )
    return _mvlgamma(input, p)


defop(  # b = p, the dimension
    "mvlgamma",
    "mvlgamma(a, b)",
    ("g * mvdigamma(a, b)", None),
    _vec(SG.mvlgamma),
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    special="multigammaln",
    front=_mvlgamma,
    method_front=_mvlgamma_method,
    inplace_front=_mvlgamma_,
)
defop(
    "erfinv",
    "erfinv(a)",
    ("g * 0.886226925452758 * exp(out * out)",),  # sqrt(pi) / 2 * exp(erfinv(x)^2)
    _vec(S.erfinv),
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    special="erfinv",
)
defop(
    "i0",
    "i0(a)",
    ("g * i1(a)",),
    _vec(S.i0),
    result=FLOAT,
    node="I0Backward0",
    torch=True,
    method=True,
    inplace=True,
    special="i0",
)
defop(
    "special_i0e",
    "i0e(a)",
    ("g * (i1e(a) - sign(a) * out)",),
    _vec(S.i0e),
    result=FLOAT,
    node="SpecialI0EBackward0",
    special="i0e",
)
defop(
    "special_i1",
    "i1(a)",
    ("where(a == 0, 0.5 * g, g * (i0(a) - out / a))",),
    _vec(S.i1),
    result=FLOAT,
    node="SpecialI1Backward0",
    special="i1",
)
defop(
    "special_i1e",
    "i1e(a)",
    ("where(a == 0, 0.5 * g, g * (i0e(a) - out * (sign(a) + 1 / a)))",),
    _vec(S.i1e),
    result=FLOAT,
    node="SpecialI1EBackward0",
    special="i1e",
)
defop(
    "sinc",
    "sinc(a)",
    (f"where(a == 0, 0 * g, g * ({_PI} * a * cos({_PI} * a) - sin({_PI} * a)) / ({_PI} * a * a))",),
    _vec(S.sinc),
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    special="sinc",
)
defop(
    "deg2rad",
    "a * 0.017453292519943295",
    ("g * 0.017453292519943295",),
    np.deg2rad,
    result=FLOAT,
    node="Deg2RadBackward0",
    torch=True,
    method=True,
    inplace=True,
)
defop(
    "rad2deg",
    "a * 57.29577951308232",
    ("g * 57.29577951308232",),
    np.rad2deg,
    result=FLOAT,
    node="Rad2DegBackward0",
    torch=True,
    method=True,
    inplace=True,
)


def _nan_to_num(
    input: Tensor,  # noqa: A002 - PyTorch's argument name
    nan: float = 0.0,
    posinf: float | None = None,
    neginf: float | None = None,
) -> Tensor:
    """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default the
    dtype's largest and lowest finite values); an integer tensor is copied unchanged."""
    dt = getattr(input, "_dtype", None)
    if dt is None:  # not a Tensor: the dispatch raises PyTorch's TypeError
        return (input, nan, 0.0, 0.0)
    if not (dt.is_floating_point or dt.is_complex):
        return Use(("clone", (input,)))
    big = D.finite_max(D.real_of(dt) if dt.is_complex else dt)
    return (input, nan, big if posinf is None else posinf, -big if neginf is None else neginf)


def _replace_part(part: str) -> str:
    """nan_to_num of one part of a complex ``a`` (``x != x``: NaN; ``x - x != x - x``: NaN or
    an infinity; plain comparisons, since the complex kernel's isnan/isinf take complex values)."""
    x = f"{part}(a)"
    inf = f"where({x} > 0, real(c), real(d))"
    return f"where({x} != {x}, real(b), where({x} - {x} != {x} - {x}, {inf}, {x}))"


defop(  # b = the NaN replacement, c = +inf's, d = -inf's; complex: each part replaced apart
    "nan_to_num",
    "where(isnan(a), b, where(isinf(a), where(a > 0, c, d), a))",
    ("where(isfinite(a), g, 0)", None, None, None),
    lambda a, b, c, d: np.nan_to_num(a, nan=b, posinf=c, neginf=d),
    node="NanToNumBackward0",
    torch=True,
    method=True,
    inplace=True,
    front=_nan_to_num,
    complex=(None, None, None, None),  # PyTorch refuses to record it (complex_refusals.NO_GRAD)
    complex_expr=f"complex({_replace_part('real')}, {_replace_part('imag')})",
)
# the NaN-ignoring max/min; ties send the whole gradient to the first operand, as PyTorch
defop(
    "fmax",
    "where(logical_or(a >= b, isnan(b)), a, b)",
    ("where(logical_or(a >= b, isnan(b)), g, 0)", "where(logical_or(a >= b, isnan(b)), 0, g)"),
    np.fmax,
    torch=True,
    method=True,
    tensor_other=True,
)
defop(
    "fmin",
    "where(logical_or(a <= b, isnan(b)), a, b)",
    ("where(logical_or(a <= b, isnan(b)), g, 0)", "where(logical_or(a <= b, isnan(b)), 0, g)"),
    np.fmin,
    torch=True,
    method=True,
    tensor_other=True,
)
defop(
    "copysign",
    "copysign(a, b)",
    ("where(a == 0, 0 * g, g * out / a)", "0 * g"),
    np.copysign,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    tensor_input=True,
)

# ---- the normal distribution and entropy (torch.special) -----------------------------------
defop(  # PyTorch computes it as (1 + erf(x / sqrt 2)) * 0.5: the node is that last product's
    "special_ndtr",
    "(1 + erf(a * 0.7071067811865476)) * 0.5",
    ("g * exp(-0.5 * (a * a)) * 0.3989422804014327",),  # PyTorch's order: a MulBackward1
    lambda a: 0.5 * np.vectorize(math.erfc, otypes=[np.float64])(-a * 0.7071067811865476),
    result=FLOAT,
    node="MulBackward1",
    special="ndtr",
)
defop(
    "special_ndtri",
    "ndtri(a)",
    ("g * 2.5066282746310002 * exp(0.5 * (out * out))",),  # sqrt(2 pi) / phi(out)
    _vec(S.ndtri),
    result=FLOAT,
    node="SpecialNdtriBackward0",
    special="ndtri",
)
defop(
    "special_log_ndtr",
    "log_ndtr(a)",
    ("g * 0.3989422804014327 * exp(-(out + 0.5 * (a * a)))",),
    _vec(S.log_ndtr),
    result=FLOAT,
    node="SpecialLogNdtrBackward0",
    special="log_ndtr",
)
defop(
    "special_erfcx",
    "erfcx(a)",
    ("g * (2 * a * out - 1.1283791670955126)",),
    _vec(S.erfcx),
    result=FLOAT,
    node="SpecialErfcxBackward0",
    special="erfcx",
)
defop(  # -x log x; +0 at +-0 (a - a); -inf below 0 (log(0 * -1): log(-0.0)); NaN stays
    "special_entr",
    "where(a > 0, -a * log(a), where(a == 0, a - a, where(a < 0, log(0 * sign(a)), a)))",
    ("g * -(1 + log(a))",),
    lambda a: np.where(
        a > 0, -a * np.log(np.where(a > 0, a, 1)), np.where(a == 0, 0, np.where(a < 0, -np.inf, a))
    ),
    result=FLOAT,
    node="SpecialEntrBackward0",
    special="entr",
)
defop(  # x log1p(y), 0 where x == 0 unless y is NaN
    "special_xlog1py",
    "where(isnan(b), b, where(a == 0, 0, a * log1p(b)))",
    (
        "where(logical_and(a == 0, b <= -1), 0,"
        " where(isnan(b), b, where(g == 0, 0, g * log1p(b))))",
        "g * a / (b + 1)",
    ),
    lambda a, b: np.where(np.isnan(b), b, np.where(a == 0, 0, a * np.log1p(b))),
    result=FLOAT,
    node="SpecialXlog1PyBackward0",
    special="xlog1py",
)

# ---- two-argument: Hurwitz zeta and the incomplete gamma functions -------------------------
# PyTorch has no derivative in their first argument: frontend/special.py records a node that
# raises when that argument requires grad; the declared rules cover the second.
_DGAMMA = "exp((a - 1) * log(b) - b - lgamma(a))"  # d/dx P(a, x)
defop(
    "special_zeta",
    "zeta(a, b)",
    (None, "g * -a * zeta(a + 1, b)"),
    _vec(SG.zeta),
    result=FLOAT,
    node="SpecialZetaBackward0",
)
# (tensor_other: PyTorch's igamma_ takes a Tensor only, as igamma and special.gammainc do)
_IG = {"result": FLOAT, "tensor_other": True}
defop("igamma", "gammainc(a, b)", (None, f"g * {_DGAMMA}"), _vec(SG.gammainc), **_IG)
defop("igammac", "gammaincc(a, b)", (None, f"-g * {_DGAMMA}"), _vec(SG.gammaincc), **_IG)

# sin(x)/x; PyTorch's Taylor series below |x| = 0.5 (no 0/0), 0 at +-inf; not differentiable
# in PyTorch (its result has no grad_fn), so no rule here
_SJ0_SERIES = (
    "1 + a * a * (-0.16666666666666666 + a * a * (0.008333333333333333 + a * a * ("
    "-0.0001984126984126984 + a * a * (2.7557319223985893e-06 + a * a * ("
    "-2.505210838544172e-08 + a * a * 1.6059043836821613e-10)))))"
)
defop(
    "special_spherical_bessel_j0",
    f"where(isinf(a), 0, where(abs(a) < 0.5, {_SJ0_SERIES}, sin(a) / a))",
    (None,),
    lambda a: np.sinc(a / np.pi),
    result=FLOAT,
    special="spherical_bessel_j0",
)

# ---- floating-point classification and scaling ---------------------------------------------
defop("signbit", "copysign(1, a) < 0", (None,), np.signbit, result=BOOL, torch=True, method=True)
defop(
    "isposinf",
    "logical_and(isinf(a), a > 0)",
    (None,),
    np.isposinf,
    result=BOOL,
    torch=True,
    method=True,
)
defop(
    "isneginf",
    "logical_and(isinf(a), a < 0)",
    (None,),
    np.isneginf,
    result=BOOL,
    torch=True,
    method=True,
)
