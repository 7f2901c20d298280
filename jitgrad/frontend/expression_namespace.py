"""The Tensor functions an op declaration's expressions may call (``exp``, ``where``...).

A create_graph backward evaluates the derivative rules over Tensors with these. They
dispatch through :mod:`.pointwise_backward`, so it does not import them: this module hands
them down (``pointwise_backward.ABOVE``) when the package is imported.
"""

from __future__ import annotations

from . import functions as F
from . import pointwise_backward as BACKWARD
from . import special
from .tensor import Tensor

#: The functions complex rules call (``g * conj(b)``): conj the conjugate view, real/imag
#: the part views (a number's own parts: a rule's scalar operand is a number).
COMPLEX_RULE_FUNCTIONS = {
    "conj": lambda x: x.conj() if isinstance(x, Tensor) else x.conjugate(),
    "real": lambda x: x.real,
    "imag": lambda x: x.imag,
    "sgn": F.sgn,
}


def _rule(fn: object) -> object:
    """The declared function without PyTorch's argument checks: a rule's operand may be a
    number (``minimum(a, 0)``) where the public ``torch.minimum`` takes Tensors only."""
    return getattr(fn, "__wrapped__", fn)


def functional_namespace() -> dict:
    """Functions the op expressions may call, over Tensors (differentiable backward)."""
    return {
        "exp": F.exp,
        "expm1": F.expm1,
        "log": F.log,
        "log1p": F.log1p,
        "log2": F.log2,
        "sqrt": F.sqrt,
        "sin": F.sin,
        "cos": F.cos,
        "tan": F.tan,
        "tanh": F.tanh,
        "erf": F.erf,
        "erfc": F.erfc,
        "asin": F.asin,
        "acos": F.acos,
        "atan": F.atan,
        "sinh": F.sinh,
        "cosh": F.cosh,
        "asinh": F.asinh,
        "acosh": F.acosh,
        "atanh": F.atanh,
        "atan2": _rule(F.atan2),
        "hypot": _rule(F.hypot),
        "fmadd": lambda x, y, z: x * y + z,  # over Tensors: the differentiable composition
        "floor_div": F._floor_div_rule,
        "fmod": _rule(F.fmod),
        "log10": F.log10,
        "exp2": F.exp2,
        "trunc": F.trunc,
        "abs": F.abs,
        "sign": F.sign,
        "floor": F.floor,
        "ceil": F.ceil,
        "round": F.round,
        "where": F._expression_where,
        "logical_and": F.logical_and,
        "logical_or": F.logical_or,
        "logical_not": F.logical_not,
        "maximum": _rule(F.maximum),
        "minimum": _rule(F.minimum),
        "isnan": F.isnan,
        "isinf": F.isinf,
        "isfinite": F.isfinite,
        "cast": lambda x: x,
        **COMPLEX_RULE_FUNCTIONS,
        **special.expression_functions(),
    }


# (the create_graph rules call these; they dispatch through pointwise_backward, below)
BACKWARD.ABOVE.functional_namespace = functional_namespace
