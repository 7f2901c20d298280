"""The integer ops: bitwise logic and shifts, and floor division (``//``), declared with
their dtype rules (``integral``, ``zero_divisor``) and PyTorch's missing derivative
(``no_derivative``): function, method, in-place form and ``out=`` come from these."""

from __future__ import annotations

import numpy as np

from .. import dtypes as D
from .numpy_refs import np_lshift, np_rshift
from .registry import Tensor, Use, defop

# integer and bool operands only (``integral``); not differentiable, so the in-place forms
# keep the history (apply_inplace records nothing)
for _name, _sym, _ref in (
    ("bitwise_and", "&", np.bitwise_and),
    ("bitwise_or", "|", np.bitwise_or),
    ("bitwise_xor", "^", np.bitwise_xor),
):
    _doc = f"Elementwise ``a {_sym} b`` of integer or bool operands."
    _kw = {"torch": True, "method": True, "inplace": True, "integral": True, "doc": _doc}
    defop(_name, f"a {_sym} b", (None, None), _ref, **_kw)


def _bitwise_not(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """``~input``: bitwise for integers, logical for bool (numba's ``~True`` is an int)."""
    if getattr(input, "_dtype", None) is D.bool_:
        return Use(("logical_not", (input,)))
    return (input,)


_NOT = {"torch": True, "method": True, "inplace": True, "integral": True}
defop("bitwise_not", "~a", (None,), np.invert, front=_bitwise_not, **_NOT)

# Shifts of integers (not bool: ``no_bool``), computed in 64 bits and cast back as
# PyTorch's: a count below 0 or past the width shifts everything out (``<<``: 0; ``>>``: the
# sign), which a 64-bit shift by 63 gives for every narrower dtype.
_SHIFT = {"torch": True, "method": True, "inplace": True, "integral": True, "no_bool": True}
defop(
    "bitwise_left_shift",
    "where(logical_and(b >= 0, b <= 63), a << b, 0)",
    (None, None),
    np_lshift,
    kernel="lshift",
    doc="Elementwise ``input << other`` of integers (0 for a count below 0 or past the width).",
    **_SHIFT,
)
defop(
    "bitwise_right_shift",
    "a >> where(logical_or(b < 0, b > 63), 63, b)",
    (None, None),
    np_rshift,
    kernel="rshift",
    doc="Elementwise ``input >> other`` of integers (the sign for a count below 0 or past "
    "the width).",
    **_SHIFT,
)

# ``//``: as div(rounding_mode='floor'), but PyTorch has no derivative for it: its node
# (NotImplemented) raises in backward, the in-place form's naming itself
_FLOOR = ("a // b", ("0 * g", "0 * g"), np.floor_divide)
_FLOOR_RULES = {"zero_divisor": True, "no_bool": True, "kernel": "div_floor"}
defop("floor_divide_inplace", *_FLOOR, no_derivative="aten::floor_divide_", **_FLOOR_RULES)
defop(
    "floor_divide",
    *_FLOOR,
    torch=True,
    method=True,
    inplace=True,
    no_derivative="aten::floor_divide",
    inplace_as="floor_divide_inplace",
    doc="``input // other``: the quotient rounded down, as Python's ``//``. PyTorch has no "
    "derivative for it: a backward that reaches it raises (``div(rounding_mode='floor')`` "
    "gives the zero gradient instead).",
    **_FLOOR_RULES,
)


# gcd and lcm of integers (bool refused: ``no_bool``; numbers: ``tensor_only``); C's wrap
# in the operand type as PyTorch's calc_gcd/calc_lcm (ops/expr.py's templates)
_GCD = {"torch": True, "method": True, "inplace": True, "integral": True, "no_bool": True}
defop(
    "gcd",
    "gcd(a, b)",
    (None, None),
    np.gcd,
    tensor_only=True,
    tensor_other=True,
    doc="Elementwise greatest common divisor of integers (non-negative but where C's "
    "``abs`` wraps: gcd(-128, 0) in int8 is -128).",
    **_GCD,
)
defop(
    "lcm",
    "lcm(a, b)",
    (None, None),
    np.lcm,
    tensor_only=True,
    tensor_other=True,
    doc="Elementwise least common multiple of integers, wrapped into their type as C's "
    "``abs(a / gcd * b)``.",
    **_GCD,
)
