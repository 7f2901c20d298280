"""Declarations of torch's float scaling and stepping functions with their own argument
handling: ``ldexp``, ``nextafter``, ``heaviside`` and ``float_power`` (function, method,
in-place form and ``out=`` generated from each, see :mod:`.registry`).

Each follows PyTorch 2.13's CPU behaviour as tests/special_form_cases.py records it: which
dtype computes, the node (``LdexpBackward0``, ``NextafterBackward0``, heaviside's
``NotImplemented``, float_power's ``PowBackward*`` over a cast), the errors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from .registry import FLOAT, REGISTRY, Tensor, Use, defop


def tensor_arg(name: str, param: str, x: Any, position: int = 2) -> Any:
    """PyTorch's TypeError where its only overload takes a Tensor (``ldexp(x, 2)``)."""
    if getattr(x, "_dtype", None) is None:
        kind = type(x).__name__
        raise TypeError(
            f"{name}(): argument '{param}' (position {position}) must be Tensor, not {kind}"
        )
    return x


def order_arg(name: str, param: str, pos: int, n: Any) -> int:
    """An integer order (polygamma's ``n``, mvlgamma's ``p``), with PyTorch's TypeError."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(
            f"{name}(): argument '{param}' (position {pos}) must be int, not {type(n).__name__}"
        )
    return int(n)


#: the public names every op here has: the function, the Tensor method and the in-place form
_PUBLIC = {"torch": True, "method": True, "inplace": True}


# ---- ldexp: input * 2**other ---------------------------------------------------------------
_LN2 = "0.6931471805599453"


def _ldexp(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002 - PyTorch's names
    """``input * 2**other``. An integer ``other`` scales exactly, rounded once
    (``ldexp_int``); a float one is ``input * pow(2, other)``."""
    dt = tensor_arg("ldexp", "other", other)._dtype
    if dt is D.bool_:
        raise NotImplementedError("\"ldexp_cpu_exp\" not implemented for 'Bool'")
    if dt.is_floating_point or dt.is_complex:
        return (input, other)
    bits = dt.itemsize * 8
    return Use(("ldexp_int", (input, other, bits, bits - 1 if dt.is_signed else -1)))


def _ldexp_(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """In place: an integer tensor cannot hold the float result (PyTorch's wording)."""
    dt = input._dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"ldexp can't be cast to the desired output type {D.scalar_name(dt)}")
    return _ldexp(input, other)


defop(
    "ldexp",
    "a * exp2(b)",
    ("g * exp2(b)", f"g * out * {_LN2}"),
    lambda a, b: a * np.exp2(b),
    result=FLOAT,
    node="LdexpBackward0",
    **_PUBLIC,
    front=_ldexp,
    inplace_front=_ldexp_,
    tensor_only=True,
    tensor_other=True,
)
# An integer exponent b; c, d: its dtype's width and sign bit (-1 unsigned). PyTorch's
# gradient is grad * pow(2, other) with pow in other's integer dtype: 0 for a negative
# exponent or one past the width, -2**d at the sign bit (int64 63), as it computes
defop(
    "ldexp_int",
    "ldexp(a, b)",
    (
        "g * where(logical_or(b < 0, b >= c), 0, where(b == d, -exp2(b), exp2(b)))",
        None,
        None,
        None,
    ),
    lambda a, b, c, d: np.ldexp(a, b.astype(np.int64)),
    result=FLOAT,
    node="LdexpBackward0",
)


# frexp's mantissa; b: the exponent (int32, found by math_extra.frexp), so the mantissa is
# exact and PyTorch's FrexpBackward0 (grad / exponent.exp2()) is its rule
defop(
    "frexp",
    "ldexp(a, -b)",
    ("g / exp2(b)", None),
    lambda a, b: np.frexp(a)[0],
    result=FLOAT,
    node="FrexpBackward0",
)


# ---- nextafter -----------------------------------------------------------------------------
#: significant bits and the smallest subnormal's exponent of each float dtype
_FORMATS = {"float16": (11, -24), "bfloat16": (8, -133), "float32": (24, -149)}


def _nextafter(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """The next float after ``input`` towards ``other``, one unit of the result dtype (c, d:
    its significant bits and smallest exponent). The gradient passes to ``input`` where it
    moved (PyTorch 2.13's ``NextafterBackward0``); ``other`` gets zeros."""
    tensor_arg("nextafter", "other", other)
    dt = D.promote(tensor_arg("nextafter", "input", input, 1)._dtype, other._dtype)
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"nextafter_cpu\" not implemented for '{D.scalar_name(dt)}'")
    return (input, other, *_FORMATS.get(dt.name, (53, -1074)))


defop(
    "nextafter",
    "nextafter(a, b, c, d)",
    ("where(a == b, 0, g)", "0 * g", None, None),
    lambda a, b, c, d: np.nextafter(a, b),
    node="NextafterBackward0",
    **_PUBLIC,
    front=_nextafter,
    tensor_only=True,
    tensor_other=True,
)


# ---- heaviside: no derivative --------------------------------------------------------------
def _heaviside(input: Tensor, values: Tensor) -> Tensor:  # noqa: A002
    """0 below zero, 1 above, ``values`` at zero (NaN gives 0). PyTorch has no derivative:
    a backward that reaches it raises, under its ``NotImplemented`` node."""
    tensor_arg("heaviside", "values", values)
    dts = (getattr(input, "_dtype", None), values._dtype)
    if any(d is not None and d.is_complex for d in dts):
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    if dts[0] is not dts[1]:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    return (input, values)


_STEP = ("where(a == 0, b, where(a > 0, 1, 0))", ("0 * g", "0 * g"))
defop(
    "heaviside_inplace",
    *_STEP,
    lambda a, b: np.heaviside(a, b),
    no_derivative="aten::heaviside_",
)
defop(
    "heaviside",
    *_STEP,
    lambda a, b: np.heaviside(a, b),
    **_PUBLIC,
    front=_heaviside,
    tensor_only=True,
    tensor_other=True,
    no_derivative="aten::heaviside",
    inplace_as="heaviside_inplace",
)


# ---- float_power: pow in double precision --------------------------------------------------
def _wide(*xs: Any) -> D.dtype:
    cplx = any(getattr(x, "_dtype", D.float32).is_complex or isinstance(x, complex) for x in xs)
    return D.complex128 if cplx else D.float64


def _to(x: Any, dt: D.dtype) -> Any:
    if getattr(x, "_dtype", None) is not None:
        return x if x._dtype is dt else x.to(dt)
    return complex(x) if dt.is_complex else float(x)


def _float_power(input: Any, exponent: Any) -> Tensor:  # noqa: A002
    """``input ** exponent`` computed in float64 (complex128 when either side is complex):
    PyTorch's composition, both sides cast (``ToCopyBackward0``), then ``pow``."""
    dt = _wide(input, exponent)
    return Use(("pow", (_to(input, dt), _to(exponent, dt))))


def _float_power_(input: Any, exponent: Any) -> Tensor:  # noqa: A002
    """In place: the base must already have the result dtype."""
    dt = _wide(input, exponent)
    if input._dtype is not dt:
        raise RuntimeError(
            f"the base given to float_power_ has dtype {D.scalar_name(input._dtype)} but the "
            f"operation's result requires dtype {D.scalar_name(dt)}"
        )
    return _float_power(input, exponent)


_POW = REGISTRY["pow"]
defop(  # pow's expressions: the hook always runs the declared pow on the cast operands
    "float_power",
    _POW.expr,
    _POW.grads,
    _POW.ref,
    result=FLOAT,
    node="PowBackward1",
    **_PUBLIC,
    front=_float_power,
    inplace_front=_float_power_,
)
