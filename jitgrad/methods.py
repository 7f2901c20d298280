"""Bind the op functions to ``Tensor`` as methods and Python operators.

Kept apart from tensor.py so the Tensor class holds state and autograd entry points only,
and every method is visibly the same function as ``jitgrad.<name>``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes as D
from .argcheck import invalid_args
from .autograd.grad_mode import STATE
from .ops import functions as F
from .ops.pointwise import check_inplace, run
from .ops.registry import REGISTRY
from .tensor import Tensor, device

#: What a binary operator takes besides a Tensor (anything else: NotImplemented).
_OPERANDS: tuple[type, ...] = (Tensor, int, float, bool, np.number, np.bool_)


def _operand(x: Any) -> bool:
    return isinstance(x, _OPERANDS)


def _binop(fn, reflected: bool = False):
    if reflected:

        def method(self: Tensor, other: Any) -> Any:
            return fn(other, self) if isinstance(other, _OPERANDS) else NotImplemented
    else:

        def method(self: Tensor, other: Any) -> Any:
            return fn(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    return method


def _op_method(name: str):
    """``self <op> other`` for a plain elementwise op: straight to ``pointwise.run`` (the
    operators are the hottest calls; a call through ``jitgrad.<name>`` would add a frame)."""
    op = REGISTRY[name]

    def method(self: Tensor, other: Any) -> Any:
        return run(op, (self, other)) if isinstance(other, _OPERANDS) else NotImplemented

    return method


def _to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``to(dtype)``, ``to(device)``, ``to(other)``: a converted copy, or self if unchanged."""
    dtype = kwargs.get("dtype")
    dev = kwargs.get("device")
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a._dtype
        elif isinstance(a, str | device):
            dev = a
    if dev is not None and device(dev).type != "cpu":
        from . import cuda

        return cuda.to_device(self, device(dev), dtype)
    if dtype is None or D.to_dtype(dtype) is self._dtype:
        return self
    return F.cast(self, D.to_dtype(dtype))


def _overwritten(self: Tensor, name: str, value: Any = None) -> Tensor:
    """Rebase a tensor whose values an in-place op replaced: its old history gets zero grad.

    Without this, ``y = x * 2; y.zero_()`` would still send gradient to ``x`` through
    ``MulBackward0``. ``value`` is a tensor fill value that requires grad (gets ``g.sum()``).
    """
    self._bump()
    if not (STATE.enabled and (self._requires_grad or isinstance(value, Tensor))):
        return self
    from .autograd.recording import record
    from .creation import zeros_like
    from .tensor import _make

    old = _make(self._value, self._dtype, self.grad_fn, output_nr=self._output_nr)
    old._requires_grad = self._requires_grad
    inputs = [old] if value is None else [old, value]
    res = record(name, self._value, self._dtype, inputs, lambda g: (zeros_like(g), g.sum()))
    if res.grad_fn is not None:
        self.grad_fn, self._output_nr, self._requires_grad = res.grad_fn, 0, True
    return self


def _inplace_fill(self: Tensor, value: Any) -> Tensor:
    if not isinstance(value, _OPERANDS):
        raise invalid_args("fill_", (value,), None, ("(Tensor value)", "(Number value)"))
    check_inplace(self)
    self._value[...] = value.item() if isinstance(value, Tensor) else value
    if isinstance(value, Tensor) and value._requires_grad:
        return _overwritten(self, "FillBackward3", value)
    return _overwritten(self, "FillBackward2")


def _zero_(self: Tensor) -> Tensor:
    check_inplace(self)
    self._value[...] = 0
    return _overwritten(self, "ZeroBackward0")


def _copy_(self: Tensor, src: Tensor, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast) into self; differentiable with respect to ``src``."""
    from .ops.pointwise import apply_inplace
    from .ops.registry import REGISTRY

    return apply_inplace(REGISTRY["copy"], self, (src,))


def _uniform_(self: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    from .random import generator

    check_inplace(self)
    self._value[...] = generator().uniform(a, b, self._value.shape)
    return _overwritten(self, "UniformBackward0")


def _normal_(self: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    from .random import generator

    check_inplace(self)
    self._value[...] = generator().normal(mean, std, self._value.shape)
    return _overwritten(self, "NormalBackward0")


def _iadd(self: Tensor, other: Any) -> Tensor:
    return F.add_(self, other)


def _isub(self: Tensor, other: Any) -> Tensor:
    return F.sub_(self, other)


def _imul(self: Tensor, other: Any) -> Tensor:
    return F.mul_(self, other)


def _itruediv(self: Tensor, other: Any) -> Tensor:
    return F.div_(self, other)


def _where(self: Tensor, condition: Any, y: Any) -> Tensor:
    """``self.where(condition, y)`` is ``where(condition, self, y)`` (self is kept)."""
    return F.where(condition, self, y)


def _ifloordiv(self: Tensor, other: Any) -> Tensor:
    return F.floor_divide_(self, other) if _operand(other) else NotImplemented


METHODS: dict[str, Any] = {
    "__add__": _op_method("add"),
    "__radd__": _op_method("add"),  # PyTorch computes 2 + x as add(x, 2)
    "__sub__": _op_method("sub"),
    "__rsub__": _binop(F.sub, reflected=True),
    "__mul__": _op_method("mul"),
    "__rmul__": _op_method("mul"),
    "__truediv__": _op_method("div"),
    "__rtruediv__": lambda self, other: (
        F.reciprocal(self) * other if _operand(other) else NotImplemented
    ),  # PyTorch computes 2 / x as reciprocal(x) * 2
    "__floordiv__": _binop(F.floor_divide),
    "__rfloordiv__": _binop(F.floor_divide, reflected=True),
    "__ifloordiv__": _ifloordiv,
    "__pow__": _binop(F.pow),
    "__rpow__": _binop(F.pow, reflected=True),
    "__eq__": _op_method("eq"),
    "__ne__": _op_method("ne"),
    "__lt__": _op_method("lt"),
    "__le__": _op_method("le"),
    "__gt__": _op_method("gt"),
    "__ge__": _op_method("ge"),
    "__and__": _op_method("logical_and"),
    "__or__": _op_method("logical_or"),
    "__invert__": F.logical_not,
    "__neg__": F.neg,
    "__pos__": lambda self: self,
    "__abs__": F.abs,
    "__iadd__": _iadd,
    "__isub__": _isub,
    "__imul__": _imul,
    "__itruediv__": _itruediv,
    "where": _where,
    "to": _to,
    "type": lambda self, dtype=None: self._dtype if dtype is None else _to(self, dtype),
    "float": lambda self: _to(self, D.float32),
    "double": lambda self: _to(self, D.float64),
    "long": lambda self: _to(self, D.int64),
    "int": lambda self: _to(self, D.int32),
    "bool": lambda self: _to(self, D.bool_),
    "cpu": lambda self: self,
    "cuda": lambda self, device=None: _to(self, device or "cuda"),
    "zero_": _zero_,
    "fill_": _inplace_fill,
    "copy_": _copy_,
    "uniform_": _uniform_,
    "normal_": _normal_,
    "add_": F.add_,
    "sub_": F.sub_,
    "mul_": F.mul_,
    "div_": F.div_,
    "floor_divide_": F.floor_divide_,
    "pow_": F.pow_,
    "clamp_": F.clamp_,
    "clip_": F.clamp_,
}

_FUNCTIONS_AS_METHODS = (
    "add sub mul div true_divide divide floor_divide multiply subtract pow exp expm1 log log1p "
    "log2 sqrt rsqrt sin cos tan tanh erf sigmoid relu neg negative abs absolute reciprocal sign "
    "floor ceil round square clamp clip maximum minimum eq ne lt le gt ge less less_equal greater "
    "greater_equal isnan isinf isfinite logical_and logical_or logical_not clone"
).split()


def bind() -> None:
    """Attach every method to ``Tensor`` (called once from ``jitgrad/__init__``)."""
    for name in _FUNCTIONS_AS_METHODS:
        setattr(Tensor, name, getattr(F, name))
    for name in F.INPLACE_UNARY:
        setattr(Tensor, name + "_", F.unary_(name))
    for name, fn in METHODS.items():
        setattr(Tensor, name, fn)
    from .ops import indexing, linalg, movement, reduce

    for module in (reduce, linalg, movement, indexing):
        for name, fn in getattr(module, "METHODS", {}).items():
            setattr(Tensor, name, fn)
    Tensor.__hash__ = lambda self: id(self)  # type: ignore[method-assign]
