"""The special functions not generated from their declarations (:mod:`.elementwise_special`;
``lgamma``, ``polygamma``, ``mvlgamma``, ``nan_to_num`` ... are, with their argument checks
and in-place forms, in frontend/functions.py): ``zeta``/``igamma``/``igammac``, whose first
argument has no derivative in PyTorch, and ``positive``.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes as D
from ..engine.grad_mode import STATE, no_grad
from ..ops.registry import REGISTRY
from . import functions as F
from .declared_front import tensors_only
from .pointwise import apply
from .recording import record
from .tensor import Tensor

R = REGISTRY


def positive(input: Tensor) -> Tensor:  # noqa: A002
    """``+input``: the tensor itself (PyTorch returns ``self``; no node)."""
    if isinstance(input, Tensor) and input._dtype is D.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def _first_not_differentiable(name: str, what: str):
    """A two-argument function whose first argument has no derivative in PyTorch: the
    declared op when that argument does not require grad, else the same values under one
    node that raises PyTorch's NotImplementedError when backward reaches it."""
    op = R[name]

    def fn(input: Any, other: Any) -> Tensor:  # noqa: A002
        if not (isinstance(input, Tensor) and input._requires_grad and STATE.enabled):
            return apply(op, (input, other))
        with no_grad():
            out = apply(op, (input, other))

        def backward(g: Tensor) -> tuple:
            raise NotImplementedError(f"the derivative for '{what}' is not implemented.")

        return record(op.node_name, out._value, out._dtype, (input, other), backward)

    fn.__name__ = name
    return fn


zeta = _first_not_differentiable("special_zeta", "zeta")
_igamma = _first_not_differentiable("igamma", "igamma: input")
_igammac = _first_not_differentiable("igammac", "igammac: input")
# PyTorch's one schema for each takes two Tensors: a Python number is its TypeError
igamma = tensors_only(_igamma, "igamma", method=False)
igammac = tensors_only(_igammac, "igammac", method=False)
gammainc = tensors_only(_igamma, "special_gammainc", method=False)
gammaincc = tensors_only(_igammac, "special_gammaincc", method=False)


def _mvdigamma(x: Tensor, p: int) -> Tensor:
    """d/dx mvlgamma(x, p) over Tensors (create_graph backward of mvlgamma)."""
    total = F.digamma(x)
    for i in range(1, int(p)):
        total = total + F.digamma(x - 0.5 * i)
    return total


def expression_functions() -> dict[str, Any]:
    """The Tensor functions behind this module's expression names, for backwards evaluated
    over Tensors (``create_graph=True``; see
    :func:`jitgrad.frontend.expression_namespace.functional_namespace`)."""
    return {
        "lgamma": F.DECLARED["lgamma"],
        "digamma": F.DECLARED["digamma"],
        "trigamma": lambda x: F.DECLARED["polygamma"](1, x),
        "polygamma": lambda n, x: F.DECLARED["polygamma"](int(n), x),
        "mvlgamma": lambda x, p: F.DECLARED["mvlgamma"](x, int(p)),
        "mvdigamma": _mvdigamma,
        "erfinv": F.DECLARED["erfinv"],
        "i0": F.DECLARED["i0"],
        "i0e": F.DECLARED_SPECIAL["i0e"],
        "i1": F.DECLARED_SPECIAL["i1"],
        "i1e": F.DECLARED_SPECIAL["i1e"],
        "sinc": F.DECLARED["sinc"],
        "copysign": F.DECLARED["copysign"].__wrapped__,  # (a rule's first operand may be a number)
        "ndtri": F.DECLARED_SPECIAL["ndtri"],
        "log_ndtr": F.DECLARED_SPECIAL["log_ndtr"],
        "erfcx": F.DECLARED_SPECIAL["erfcx"],
        "zeta": zeta,
        "gammainc": _igamma,
        "gammaincc": _igammac,
    }


__all__ = ["igamma", "igammac", "positive"]

#: Tensor method name -> function, bound by jitgrad.methods.bind().
METHODS: dict[str, Any] = {
    **{name: globals()[name] for name in __all__},
    "igamma": tensors_only(_igamma, "igamma", method=True),
    "igammac": tensors_only(_igammac, "igammac", method=True),
}
