"""The special functions and the rest of torch's pointwise math that are not generated from
their declarations (:mod:`.elementwise_special`; ``lgamma``, ``polygamma``, ``nan_to_num``
... are, with their argument checks and in-place forms, in frontend/functions.py):
``mvlgamma``, ``float_power``, ``heaviside``, ``zeta``/``igamma`` and their Tensor methods.

What is here is not an expression: ``float_power``'s double computation and the missing
derivatives (heaviside, zeta's first argument).
"""

from __future__ import annotations

from typing import Any

from .. import dtypes as D
from ..engine.grad_mode import STATE, no_grad
from ..ops.elementwise_special import order_arg
from ..ops.registry import REGISTRY
from . import functions as F
from .checks import DTYPE_WORDS
from .declared_front import tensors_only
from .pointwise import apply
from .recording import record
from .tensor import Tensor

R = REGISTRY


def mvlgamma(input: Tensor, p: int) -> Tensor:  # noqa: A002
    """Multivariate log-gamma of dimension ``p`` (``MvlgammaBackward0``)."""
    p = order_arg("mvlgamma", "p", 2, p)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return apply(R["mvlgamma"], (input, p))


def float_power(input: Any, exponent: Any) -> Tensor:  # noqa: A002
    """``input ** exponent`` computed in float64 (the result is float64)."""
    return F.pow(_double(input), _double(exponent))


def _double(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x if x._dtype is D.float64 else x.to(D.float64)
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) else x


def float_power_(t: Tensor, exponent: Any) -> Tensor:
    if t._dtype is not D.float64:
        raise RuntimeError(
            f"the base given to float_power_ has dtype {DTYPE_WORDS[t._dtype.name]} but "
            "the operation's result requires dtype Double"
        )
    return F.pow_(t, _double(exponent))


def positive(input: Tensor) -> Tensor:  # noqa: A002
    """``+input``: the tensor itself (PyTorch returns ``self``; no node)."""
    if isinstance(input, Tensor) and input._dtype is D.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def heaviside(input: Tensor, values: Any) -> Tensor:  # noqa: A002
    """0 below zero, 1 above, ``values`` at zero. No derivative: a backward through it
    raises, under PyTorch's ``NotImplemented`` node."""
    if isinstance(input, Tensor) and isinstance(values, Tensor):
        if input._dtype is not values._dtype:
            raise RuntimeError(
                "heaviside is not yet implemented for tensors with different dtypes."
            )
    with no_grad():
        step = F.cast(F.gt(input, 0), input._dtype)
        out = F.where(F.eq(input, 0), values, step)
    return record(
        "torch::autograd::NotImplemented",
        out._value,
        out._dtype,
        (input, values),
        _no_heaviside_grad,
    )


def _no_heaviside_grad(g: Any) -> Any:
    raise RuntimeError("derivative for aten::heaviside is not implemented")


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
        "mvlgamma": lambda x, p: mvlgamma(x, int(p)),
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


__all__ = [
    "igamma",
    "igammac",
    "float_power",
    "heaviside",
    "mvlgamma",
    "positive",
]

#: Tensor method name -> function, bound by jitgrad.methods.bind().
METHODS: dict[str, Any] = {
    **{name: globals()[name] for name in __all__},
    "float_power_": float_power_,
    "igamma": tensors_only(_igamma, "igamma", method=True),
    "igammac": tensors_only(_igammac, "igammac", method=True),
    "mvlgamma_": lambda self, p: self.copy_(mvlgamma(self, p)),
    "heaviside_": lambda self, values: self.copy_(heaviside(self, values)),
    "ldexp_": lambda self, other: self.copy_(F.DECLARED["ldexp"](self, other)),
}
