"""The in-place Tensor methods PyTorch has and the op modules did not bind yet.

Every one reuses the existing in-place machinery, so version counters, the leaf and view
refusals and CopySlices stay in one place
(:func:`jitgrad.frontend.pointwise_inplace.apply_inplace`):

- an alias of a declared elementwise op writes through ``apply_inplace`` (``arcsin_`` ...);
- a comparison writes its 0/1 result in ``self``'s dtype and, as PyTorch, rebases a tensor
  with history onto a zero-gradient node (``EqBackward0``, ``EqBackward1`` for a tensor
  other); ``logical_*_`` and the bitwise ops are not differentiable and leave the history;
- any other op (``cumsum_``, ``renorm_`` ...) is computed out of place from an alias of
  ``self`` and written back, ``self`` taking the out-of-place node (``CumsumBackward0``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import dtypes as D
from . import math_extra as M
from .backends import STATE as DEVICE
from .engine.grad_mode import STATE, no_grad
from .frontend import functions as F
from .frontend.creation import zeros_like
from .frontend.declared_front import refuse_number_other
from .frontend.indexing import setitem
from .frontend.pointwise import check_inplace
from .frontend.pointwise_inplace import apply_inplace, writes_through_view
from .frontend.recording import record
from .frontend.reduce import cumsum
from .frontend.sorting import cumprod
from .frontend.special import _igamma, _igammac
from .frontend.tensor import Tensor, _make
from .ops.registry import REGISTRY

R = REGISTRY


def _alias(t: Tensor) -> Tensor:
    """``t``'s values and history in a buffer of their own (what the out-of-place op reads,
    so writing the result into ``t`` cannot disturb what its backward saved). A device
    tensor's copy stays on the device: a host copy would run the op, and record its node,
    on the CPU, in the middle of a device graph."""
    value = t._value
    on_device = DEVICE.active and DEVICE.backend.owns(t)
    copy = DEVICE.backend.copy(value) if on_device else value.copy()
    alias = _make(copy, t._dtype, t.grad_fn, output_nr=t._output_nr)
    alias._requires_grad = t._requires_grad
    return alias


def _store(t: Tensor, res: Tensor) -> None:
    """Write ``res``'s values into ``t`` in place (leaf/view refusals, PyTorch's cast check,
    version bump); the history is the caller's business."""
    check_inplace(t)
    if res._dtype._category > t._dtype._category:
        raise RuntimeError(
            f"result type {D.scalar_name(res._dtype)} can't be cast to the desired output "
            f"type {D.scalar_name(t._dtype)}"
        )
    t._value[...] = res._value
    t._bump()


def rewrite(t: Tensor, res: Tensor) -> Tensor:
    """Make ``res`` (computed out of place from :func:`_alias` of ``t``) ``t``'s new value
    and history: the in-place form of any op."""
    if writes_through_view(t):
        setitem(t, ..., res)  # through the view: the root's history is rebased (CopySlices)
        return t
    _store(t, res)
    if res.grad_fn is not None:
        t.grad_fn, t._output_nr, t._requires_grad = res.grad_fn, res._output_nr, True
        if t._retains_grad:
            t._retain_on_new_node()
    return t


def _via(fn: Callable[..., Tensor], name: str) -> Callable[..., Tensor]:
    """``t.<name>(...)`` as ``fn(t, ...)`` written back by :func:`rewrite`."""

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return rewrite(self, fn(_alias(self), *args, **kwargs))

    method.__name__ = method.__qualname__ = name
    return method


def _declared(op_name: str, name: str) -> Callable[..., Tensor]:
    """``t.<name>(*others)`` through the op's declaration, written in place."""
    op = R[op_name]

    def method(self: Tensor, *others: Any) -> Tensor:
        if op.tensor_other:  # (arctan2_: PyTorch's error names the alias)
            refuse_number_other(name, *others)
        return apply_inplace(op, self, others)

    method.__name__ = method.__qualname__ = name
    return method


def _rebase(t: Tensor, old: Tensor, name: str, others: list, backward: Callable) -> None:
    """After ``t`` was overwritten in place: its history becomes a node ``name`` over ``old``
    (``t``'s history before) and ``others``, whose gradient is ``backward``."""
    if STATE.enabled and old._requires_grad and t._dtype.is_floating_point:
        res = record(name, t._value, t._dtype, [old, *others], backward)
        t.grad_fn, t._output_nr, t._requires_grad = res.grad_fn, 0, True


def _history(t: Tensor) -> Tensor:
    old = _make(t._value, t._dtype, t.grad_fn, output_nr=t._output_nr)
    old._requires_grad = t._requires_grad
    return old


def _comparison(op_name: str, node: str, name: str) -> Callable[..., Tensor]:
    """``t.eq_(other)`` and kin: ``other op t`` as 1/0 in ``t``'s dtype; a tensor with history
    gets PyTorch's zero-gradient node (``<node>0`` for a number, ``<node>1`` for a tensor)."""
    fn = getattr(F, op_name)

    def method(self: Tensor, other: Any) -> Tensor:
        res = fn(self, other)
        check_inplace(self)
        old = _history(self)
        self._value[...] = res._value
        self._bump()
        if isinstance(other, Tensor):
            _rebase(
                self, old, f"{node}Backward1", [other], lambda g: (zeros_like(g), zeros_like(other))
            )
        else:
            _rebase(self, old, f"{node}Backward0", [], zeros_like)
        return self

    method.__name__ = method.__qualname__ = name
    return method


def _nondifferentiable(fn: Callable[..., Tensor], name: str) -> Callable[..., Tensor]:
    """``t.logical_and_(other)`` and the bitwise ops: no gradient, the history is kept (as
    in PyTorch, whose grad_fn stays what it was)."""

    def method(self: Tensor, *args: Any) -> Tensor:
        res = fn(self, *args)
        _store(self, res)
        return self

    method.__name__ = method.__qualname__ = name
    return method


def _round_(self: Tensor, *, decimals: int = 0) -> Tensor:
    if decimals:
        return rewrite(self, M._named(F.round(_alias(self), decimals=decimals), "RoundBackward1"))
    return apply_inplace(R["round"], self, ())


def _sgn_(self: Tensor) -> Tensor:
    return M._named(apply_inplace(R["sign"], self, ()), "SgnBackward0")


def _underived(op_name: str, name: str) -> Callable[..., Tensor]:
    """``asinh_``, ``acosh_``, ``atanh_``: PyTorch computes them but has no derivative for the
    in-place forms; the tensor gets its node (``AsinhBackward1``), whose backward raises its
    NotImplementedError."""
    op = R[op_name]
    message = f"the derivative for 'inplace version of {op_name}' is not implemented."

    def backward(g: Tensor) -> Tensor:
        raise NotImplementedError(message)

    def method(self: Tensor) -> Tensor:
        check_inplace(self)
        old = _history(self)
        with no_grad():
            apply_inplace(op, self, ())
        _rebase(self, old, f"{op_name.capitalize()}Backward1", [], backward)
        return self

    method.__name__ = method.__qualname__ = name
    return method


def _subtract_(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    return F.sub_(self, other, alpha=alpha)


_COMPARISONS = {
    "eq": ("eq", "Eq"),
    "ne": ("ne", "Ne"),
    "not_equal": ("ne", "Ne"),
    "lt": ("lt", "Lt"),
    "less": ("lt", "Lt"),
    "le": ("le", "Le"),
    "less_equal": ("le", "Le"),
    "gt": ("gt", "Gt"),
    "greater": ("gt", "Gt"),
    "ge": ("ge", "Ge"),
    "greater_equal": ("ge", "Ge"),
}

#: in-place name -> the declared op it writes (aliases share the declaration's node name)
_DECLARED = {
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "absolute": "abs",
    "negative": "neg",
    "fix": "trunc",
    "clamp_min": "clamp_min",
    "clamp_max": "clamp_max",
    "multiply": "mul",
    "arctan2": "atan2",
}


def _first_underived(fn: Callable[..., Tensor], name: str) -> Callable[..., Tensor]:
    """``igamma_``/``igammac_``: a Tensor ``other`` only, then ``fn`` (whose node raises
    PyTorch's NotImplementedError when backward needs ``self``) written back."""
    via = _via(fn, name)

    def method(self: Tensor, other: Any) -> Tensor:
        refuse_number_other(name, other)
        return via(self, other)

    method.__name__ = method.__qualname__ = name
    return method


def _square_(self: Tensor) -> Tensor:
    return F.pow_(self, 2)


METHODS: dict[str, Any] = {
    **{n + "_": _declared(op, n + "_") for n, op in _DECLARED.items()},
    **{n + "_": _comparison(op, node, n + "_") for n, (op, node) in _COMPARISONS.items()},
    **{
        n + "_": _nondifferentiable(getattr(F, n), n + "_")
        for n in "logical_and logical_or logical_xor logical_not".split()
    },
    **{
        n + "_": _underived(op, n + "_")
        for n, op in (
            ("asinh", "asinh"),
            ("acosh", "acosh"),
            ("atanh", "atanh"),
            ("arcsinh", "asinh"),
            ("arccosh", "acosh"),
            ("arctanh", "atanh"),
        )
    },
    "sgn_": _sgn_,
    "square_": _square_,
    "round_": _round_,
    "divide_": F.div_,
    "true_divide_": F.div_,
    "subtract_": _subtract_,
    "cumsum_": _via(cumsum, "cumsum_"),
    "cumprod_": _via(cumprod, "cumprod_"),
    "renorm_": _via(M.renorm, "renorm_"),
    # the first argument has no derivative in PyTorch: its node raises when backward needs it
    # (frontend/special.py), which the declared op in place cannot say
    "igamma_": _first_underived(_igamma, "igamma_"),
    "igammac_": _first_underived(_igammac, "igammac_"),
}

#: the function forms PyTorch has at module level (``torch.tan_(t)`` is ``t.tan_()``)
TOP_LEVEL_INPLACE = (
    "tan_ erf_ erfc_ rsqrt_ exp2_ asinh_ acosh_ atanh_ arcsin_ arccos_ arctan_ arcsinh_ "
    "arccosh_ arctanh_ negative_ fix_ clamp_min_ clamp_max_ square_ round_ sinc_ deg2rad_ "
    "rad2deg_ i0_ logit_ xlogy_ ldexp_ nan_to_num_ gcd_ lcm_"
).split()
