"""Bind the op functions to ``Tensor`` as methods and Python operators.

Kept apart from frontend/tensor.py so the Tensor class holds state and autograd entry points only,
and every method is visibly the same function as ``jitgrad.<name>``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import cuda
from . import dtypes as D
from .autograd.api import tensor_backward
from .backends import dlpack
from .frontend import argcheck as A
from .frontend import functions as F
from .frontend import (
    index_extra,
    indexing,
    linalg,
    linalg_addmm,
    linalg_decomp,
    linalg_extra,
    linalg_lu_solve,
    linalg_more,
    linalg_spectral,
    movement,
    reduce,
    sorting,
    special,
    stats,
    structure,
    unfold,
)
from .frontend import parser_forms as PF
from .frontend._tensor_data import tensor_init
from .frontend.clamp_where import bounded, clamp_plain
from .frontend.creation import _finish, tensor
from .frontend.memory_format import in_format
from .frontend.pointwise import accumulate_inplace, run
from .frontend.pointwise_inplace import apply_inplace
from .frontend.tensor import CLASS_BODY, CPU, Tensor, _make, device
from .frontend.views import squeeze_as
from .methods_overwrite import (
    _OPERANDS,
    _bernoulli_,
    _copy_,
    _inplace_fill,
    _normal_,
    _random_,
    _rebased,
    _uniform_,
    _zero_,
)
from .ops.registry import REGISTRY


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


def _contains(self: Tensor, element: Any) -> bool:
    """``element in t``: whether any element equals it (PyTorch's ``Tensor.__contains__``)."""
    if isinstance(element, _OPERANDS) or type(element) is complex:
        return bool((element == self).any().item())
    raise RuntimeError(
        f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element)}."
    )


def _to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``to(dtype)``, ``to(device)``, ``to(other)``: a converted copy, or self if unchanged."""
    dtype = kwargs.get("dtype")
    dev = kwargs.get("device")
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):  # other's dtype and device
            dtype, dev = a._dtype, a.device
        elif isinstance(a, str | device):
            dev = a
        elif type(a) is int:  # a device index: cuda:<index> (a bool is non_blocking)
            dev = device("cuda", a)
    if dev is not None:
        self = cuda.move(self, dev if isinstance(dev, device) else device(dev))
    if dtype is not None and D.to_dtype(dtype) is not self._dtype:
        self = F.cast(self, D.to_dtype(dtype))
    return in_format(self, kwargs.get("memory_format"), "ToCopyBackward0", "suggested")


# ---- numpy interop ---------------------------------------------------------------------------
# PyTorch's arrangement, so numpy never takes over a tensor silently: with a priority above
# ndarray's, ``ndarray * t`` and ``np.float32(2) * t`` defer to ``Tensor.__rmul__`` (which takes
# numpy scalars, keeping the graph, and refuses arrays: a TypeError); ``t * ndarray`` and
# ``np.exp(t)`` let numpy compute through ``__array__`` (refused for a tensor that requires
# grad while grad mode is on) and ``__array_wrap__`` hands the result back as a Tensor.
def _array_wrap(self: Tensor, array: np.ndarray, context: Any = None, return_scalar: bool = False):
    try:
        dt = D.from_numpy_dtype(array.dtype)
    except TypeError:  # a dtype jitgrad does not have (float16, complex): numpy's result
        return array
    return _make(np.asarray(array), dt)


def _new(fill: Any, name: str):
    """``t.new_zeros(size)`` and kin: a new tensor with ``t``'s dtype unless given."""

    def method(
        self: Tensor,
        *size: Any,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        **kwargs: Any,
    ) -> Tensor:
        if "size" in kwargs:
            size = (kwargs.pop("size"),)
        shape = A.int_list(name, "size", size)
        dt = D.to_dtype(dtype) if dtype is not None else self._dtype
        return _finish(_make(A.allocate(shape, dt.np, fill), dt), requires_grad, device)

    return method


def _new_full(
    self: Tensor,
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    dt = D.to_dtype(dtype) if dtype is not None else self._dtype
    return _finish(_make(np.full(tuple(size), fill_value, dt.np), dt), requires_grad, device)


def _new_tensor(
    self: Tensor, data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return tensor(data, dtype=dtype or self._dtype, device=device, requires_grad=requires_grad)


def _invert(self: Tensor) -> Tensor:
    if self._dtype.is_floating_point:
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return F.bitwise_not(self)


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


def _addc_(self: Tensor, name: str, t1: Any, t2: Any, value: Any) -> Tensor:
    """``addcmul_``/``addcdiv_``: ``value`` other than 1 as the ``*_scaled`` op's operand."""
    if value == 1:
        return apply_inplace(REGISTRY[name], self, (t1, t2))
    return apply_inplace(REGISTRY[name + "_scaled"], self, (t1, t2, value))


def _inplace_operator(name: str):
    """``t //= other``, ``t <<= other``...: the declaration's generated in-place form."""
    inplace = F.DECLARED_INPLACE[name]

    def method(self: Tensor, other: Any) -> Tensor:
        return inplace(self, other) if _operand(other) else NotImplemented

    return method


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
    "__ifloordiv__": _inplace_operator("floor_divide_"),
    "__pow__": _binop(F.pow),
    "__rpow__": _binop(F.pow, reflected=True),
    "__eq__": _op_method("eq"),
    "__ne__": _op_method("ne"),
    "__lt__": _op_method("lt"),
    "__le__": _op_method("le"),
    "__gt__": _op_method("gt"),
    "__ge__": _op_method("ge"),
    "__and__": _binop(F.bitwise_and),
    "__rand__": _binop(F.bitwise_and, reflected=True),
    "__or__": _binop(F.bitwise_or),
    "__ror__": _binop(F.bitwise_or, reflected=True),
    "__invert__": _invert,
    "__neg__": F.neg,
    "__pos__": lambda self: self,
    "__contains__": _contains,
    "__abs__": F.abs,
    "__iadd__": _iadd,
    "__isub__": _isub,
    "__imul__": _imul,
    "__itruediv__": _itruediv,
    "where": _where,
    "__array_priority__": 1000,
    "__array_wrap__": _array_wrap,
    "to": _to,
    "float": lambda self: _to(self, D.float32),
    "half": lambda self: _to(self, D.float16),
    "bfloat16": lambda self: _to(self, D.bfloat16),
    "double": lambda self: _to(self, D.float64),
    "cfloat": lambda self: _to(self, D.complex64),
    "cdouble": lambda self: _to(self, D.complex128),
    "long": lambda self: _to(self, D.int64),
    "int": lambda self: _to(self, D.int32),
    "short": lambda self: _to(self, D.int16),
    "char": lambda self: _to(self, D.int8),
    "byte": lambda self: _to(self, D.uint8),
    "bool": lambda self: _to(self, D.bool_),
    "cpu": lambda self: cuda.move(self, CPU),
    "cuda": lambda self, device=None, non_blocking=False: _to(self, device or "cuda"),
    "zero_": _zero_,
    "fill_": _inplace_fill,
    "copy_": _copy_,
    "uniform_": _uniform_,
    "normal_": _normal_,
    "random_": _random_,
    "bernoulli_": _bernoulli_,
    "add_": F.add_,
    "sub_": F.sub_,
    "mul_": F.mul_,
    "pow_": F.pow_,
    "clamp": bounded(clamp_plain, "clamp", method=True),
    "clip": bounded(clamp_plain, "clip", method=True),
    "clamp_": bounded(F.clamp_, "clamp_", method=True),
    "clip_": bounded(F.clamp_, "clip_", method=True),
    "lerp_": lambda self, end, weight: apply_inplace(REGISTRY["lerp"], self, (end, weight)),
    "addcmul_": lambda self, t1, t2, *, value=1: _addc_(self, "addcmul", t1, t2, value),
    "addcdiv_": lambda self, t1, t2, *, value=1: _addc_(self, "addcdiv", t1, t2, value),
    "__mod__": _binop(F.remainder),  # F's: an integer zero divisor raises
    "__rmod__": _binop(F.remainder, reflected=True),
    "__xor__": _binop(F.bitwise_xor),
    "__rxor__": _binop(F.bitwise_xor, reflected=True),
    "__lshift__": _binop(F.bitwise_left_shift),
    "__rlshift__": _binop(F.bitwise_left_shift, reflected=True),
    "__ilshift__": _inplace_operator("bitwise_left_shift_"),
    "__rshift__": _binop(F.bitwise_right_shift),
    "__rrshift__": _binop(F.bitwise_right_shift, reflected=True),
    "__irshift__": _inplace_operator("bitwise_right_shift_"),
    "new_zeros": _new(0, "new_zeros"),
    "new_ones": _new(1, "new_ones"),
    "new_empty": _new(None, "new_empty"),
    "new_full": PF.schema_method(_new_full, "new_full", "tuple of ints size, Number fill_value", 2),
    "new_tensor": _new_tensor,
    "type_as": lambda self, other: _to(self, other._dtype),
    "squeeze_": _rebased(A.int_list_method(squeeze_as("squeeze_"), "squeeze_", "dim")),
    "unsqueeze_": _rebased(lambda t, d: t.unsqueeze(d)),
    "t_": _rebased(lambda t: t.t()),
    "transpose_": _rebased(lambda t, a, b: t.transpose(a, b)),
    "swapaxes_": _rebased(lambda t, a, b: t.transpose(a, b)),
    "swapdims_": _rebased(lambda t, a, b: t.transpose(a, b)),
    "is_floating_point": lambda self: self._dtype.is_floating_point,
    "__dlpack__": dlpack.dlpack,
    "__dlpack_device__": dlpack.dlpack_device,
    "is_complex": lambda self: self._dtype.is_complex,
}

#: The functions that are also Tensor methods: those written here by hand, then those their
#: declarations name (``defop(..., method=True)``, generated in frontend/functions.py).
_FUNCTIONS_AS_METHODS = (
    "add sub subtract pow round square clone clamp_min clamp_max lerp addcmul addcdiv"
).split() + list(F.DECLARED_METHODS)


#: The op modules whose ``METHODS`` :func:`bind` attaches.
_METHOD_MODULES = (
    reduce,
    linalg,
    linalg_addmm,
    linalg_decomp,
    linalg_extra,
    linalg_lu_solve,
    linalg_more,
    linalg_spectral,
    movement,
    indexing,
    sorting,
    stats,
    structure,
    index_extra,
    special,
    unfold,
)


#: Methods PyTorch binds with no parameters (``METH_NOARGS``: "takes no arguments (1 given)")
#: that are rarely called in a hot loop (the pointwise ones, ``t``, ``dim``, ``numel`` keep
#: Python's own words rather than pay a wrapper's call per op).
_NO_ARGUMENTS = (
    "msort trace fliplr flipud argwhere positive element_size nelement is_floating_point"
).split()


def bound_names() -> list[str]:
    """The names :func:`bind` attaches to ``Tensor`` (the CUDA host fallback wraps them)."""
    names = list(_FUNCTIONS_AS_METHODS) + list(F.DECLARED_INPLACE) + list(METHODS)
    for module in _METHOD_MODULES:
        names += list(getattr(module, "METHODS", {}))
    return names


def bind() -> None:
    """Attach every method to ``Tensor`` (called once from ``jitgrad/__init__``)."""
    for name in _FUNCTIONS_AS_METHODS:
        setattr(Tensor, name, F.DECLARED_METHODS.get(name) or getattr(F, name))
    for name, fn in F.DECLARED_INPLACE.items():
        setattr(Tensor, name, fn)
    for name, fn in METHODS.items():
        setattr(Tensor, name, fn)
    for module in _METHOD_MODULES:
        for name, fn in getattr(module, "METHODS", {}).items():
            setattr(Tensor, name, fn)
    for name in _NO_ARGUMENTS:
        setattr(Tensor, name, PF.no_arguments(Tensor.__dict__[name], name))
    Tensor.__hash__ = lambda self: id(self)  # type: ignore[method-assign]
    # (the Tensor entry points that call up into the front end and the public API)
    Tensor.__init__ = tensor_init  # type: ignore[method-assign]
    Tensor.backward = tensor_backward  # type: ignore[attr-defined]
    Tensor._accumulate_ = accumulate_inplace  # type: ignore[attr-defined]
    # (part of the class body for a backend's wrapping: jitgrad/backends/opwrap.py)
    CLASS_BODY.update(
        __init__=tensor_init, backward=tensor_backward, _accumulate_=accumulate_inplace
    )
