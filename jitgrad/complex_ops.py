"""Elementwise ops on complex64/complex128 tensors: numpy kernels, PyTorch's gradients.

Complex tensors stay out of fusion. The elementwise dispatch (:func:`jitgrad.frontend.
pointwise._general`, and :func:`jitgrad.frontend.lazy.defer`) never builds a plan for a call
that takes or makes complex values (:func:`jitgrad.dtypes.any_complex`, read only when no
plan is cached, so real calls pay nothing); such a call runs :func:`elementwise` here, one
eager numpy ufunc per op, and records a node whose backward is written with Tensor ops (so
``create_graph`` works as for every recorded op).

Gradients follow PyTorch's convention for complex autograd: the gradient of a real loss
``L`` with respect to ``z = x + iy`` is ``dL/dx + i dL/dy`` (the conjugate Wirtinger
derivative, times two), so a holomorphic ``w = f(z)`` passes back ``grad_w * conj(f'(z))``
and a real input that met a complex value receives the real part of its gradient.
"""

from __future__ import annotations

import cmath
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import dtypes as D
from .engine.grad_mode import STATE as GRAD
from .frontend import pointwise as P
from .frontend._tensor_data import result_type
from .frontend.conjugate import conj
from .frontend.pointwise_backward import sum_to_shape
from .frontend.recording import FunctionBackward, record
from .frontend.tensor import Tensor, _make
from .helpers import warn as warn_user
from .ops.elementwise import NODE_VARIANTS
from .ops.registry import BOOL, FLOAT, OpDef

Grad = Callable[..., tuple]


class ComplexBackward(FunctionBackward):
    """The node of an elementwise op on complex values (``jitgrad.explain`` says why it runs
    alone: complex values never join a fused kernel)."""

    __slots__ = ()


def sgn_value(v: np.ndarray) -> np.ndarray:
    """``z / |z|`` (0 where ``z`` is 0): the direction ``abs`` differentiates along."""
    mag = np.abs(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mag == 0, 0, v / np.where(mag == 0, 1, mag)).astype(v.dtype)


def _sgn(x: Tensor) -> Tensor:
    """``x / |x|`` (0 at 0) with Tensor ops, so a second derivative goes through it."""
    mag = x.abs()
    zero = (mag == 0).to(mag.dtype)
    return x * (1 - zero) / (mag + zero)  # (0 and a zero derivative at 0, as PyTorch's)


def _pow_base(g, a, b):
    return g * conj(b * a ** (b - 1))


def _pow_exp(g, a, b):
    log_a = a.log() if isinstance(a, Tensor) else cmath.log(a)
    return g * conj(a**b * log_a)


def _div_other(g, a, b):
    return -g * conj(a / b / b)


def _first(g, *_):
    return g


def _zero(g, *_):
    return g * 0


#: name -> (numpy forward over the operand values, gradient per operand from (g, *operands))
_OPS: dict[str, tuple[Callable, tuple[Grad | None, ...]]] = {
    "add": (np.add, (lambda g, a, b: g, lambda g, a, b: g)),
    "sub": (np.subtract, (lambda g, a, b: g, lambda g, a, b: -g)),
    "add_scaled": (lambda a, b, c: a + c * b, (_first, lambda g, a, b, c: g * conj(c), None)),
    "sub_scaled": (lambda a, b, c: a - c * b, (_first, lambda g, a, b, c: -g * conj(c), None)),
    "mul": (np.multiply, (lambda g, a, b: g * conj(b), lambda g, a, b: g * conj(a))),
    "div": (np.divide, (lambda g, a, b: g / conj(b), _div_other)),
    "pow": (np.power, (_pow_base, _pow_exp)),
    "neg": (np.negative, (lambda g, a: -g,)),
    "exp": (np.exp, (lambda g, a: g * conj(a.exp()),)),
    "log": (np.log, (lambda g, a: g / conj(a),)),
    "sqrt": (np.sqrt, (lambda g, a: g / (2 * conj(a.sqrt())),)),
    "square": (np.square, (lambda g, a: g * conj(2 * a),)),
    "reciprocal": (np.reciprocal, (lambda g, a: -g * conj(1 / (a * a)),)),
    "sin": (np.sin, (lambda g, a: g * conj(a.cos()),)),
    "cos": (np.cos, (lambda g, a: -g * conj(a.sin()),)),
    "tanh": (np.tanh, (lambda g, a: g * conj(1 - a.tanh() ** 2),)),
    "sinh": (np.sinh, (lambda g, a: g * conj(a.cosh()),)),
    "cosh": (np.cosh, (lambda g, a: g * conj(a.sinh()),)),
    "abs": (np.abs, (lambda g, a: g * _sgn(a),)),
    "sgn": (sgn_value, (None,)),
    "cast": (np.copy, (lambda g, a: g,)),
    "clone": (np.copy, (lambda g, a: g,)),
    "copy": (lambda a, b: np.broadcast_to(b, np.shape(a)).copy(), (_zero, lambda g, a, b: g)),
    "where": (np.where, (None, lambda g, c, a, b: g * c, lambda g, c, a, b: g * ~c)),
    "eq": (np.equal, (None, None)),
    "ne": (np.not_equal, (None, None)),
    "isnan": (np.isnan, (None,)),
    "isinf": (np.isinf, (None,)),
    "isfinite": (np.isfinite, (None,)),
    # real and imaginary parts replaced apart (the replacements: real numbers)
    "nan_to_num": (
        lambda a, b, c, d: np.nan_to_num(a, nan=b.real, posinf=c.real, neginf=d.real),
        (None,) * 4,
    ),
}  # fmt: skip
#: ops PyTorch computes on complex values but refuses to record (name -> its message)
_NO_COMPLEX_GRAD = {
    "nan_to_num": "nan_to_num does not support automatic differentiation for outputs with "
    "complex dtype.",
}

_LINEAR = frozenset({"add", "sub", "add_scaled", "sub_scaled", "neg", "cast", "clone", "copy"})
_CLAMP = (NotImplementedError, "clamp is not supported for complex types")
#: PyTorch's own errors for some ops it has no complex form of (the others: "not implemented")
_REFUSALS = {
    "maximum": (RuntimeError, "maximum not implemented for complex tensors."),
    "minimum": (RuntimeError, "minimum not implemented for complex tensors."),
    "sign": (
        NotImplementedError,
        "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
        "torch.sgn instead.",
    ),
    **{n: _CLAMP for n in ("clamp", "clamp_min", "clamp_max", "relu", "hardtanh")},
    **{
        n: (NotImplementedError, f"{n} is not supported for complex inputs")
        for n in ("floor", "ceil", "trunc", "frac")
    },
}


def not_implemented(kernel: str, dt: D.dtype) -> NotImplementedError:
    """PyTorch's error for an op with no complex kernel (comparisons, max, floor ...)."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{D.scalar_name(dt)}'")


def _complex_operand(args: Sequence[Any]) -> D.dtype:
    for x in args:
        if isinstance(x, Tensor) and x._dtype.is_complex:
            return x._dtype
    return D.default_complex()


def _fit(grad: Tensor, x: Tensor) -> Tensor:
    """A gradient as operand ``x`` takes it: real part for a real ``x``, summed over the
    broadcast dimensions, in ``x``'s dtype."""
    if grad._dtype.is_complex and not x._dtype.is_complex:
        grad = grad.real
    grad = sum_to_shape(grad, tuple(x._value.shape))
    return grad if grad._dtype is x._dtype else grad.to(x._dtype)


def result_dtype(op: OpDef, cdt: D.dtype, out_dtype: D.dtype | None) -> D.dtype:
    """The dtype of ``op``'s result computed in ``cdt``: bool for a comparison, the real
    dtype for ``abs``, else the compute dtype (or the requested one)."""
    if op.result == BOOL:
        odt = D.bool_
    elif op.name == "abs":
        odt = D.real_of(cdt)
    else:
        odt = cdt
    if out_dtype is not None and op.name != "cast":
        odt = out_dtype
    return odt


def check_out(value_kind: str, out_kind: str, cdt: D.dtype, odt: D.dtype) -> None:
    """PyTorch's refusal of a complex value written into a real ``out``."""
    if value_kind == "c" and out_kind != "c":
        raise RuntimeError(
            f"result type {D.scalar_name(cdt)} can't be cast to the desired output type "
            f"{D.scalar_name(odt)}"
        )


def _result(
    op: OpDef, value: np.ndarray, cdt: D.dtype, out_dtype: D.dtype | None, out: np.ndarray | None
) -> tuple[np.ndarray, D.dtype]:
    """The computed ``value`` as the op's result and its dtype (:func:`result_dtype`);
    written into ``out`` when given (:func:`check_out`)."""
    odt = result_dtype(op, cdt, out_dtype)
    if out is not None:
        check_out(value.dtype.kind, out.dtype.kind, cdt, odt)
        np.copyto(out, value, casting="unsafe")
        return out, odt
    value = value.astype(odt.np, copy=False)
    if not value.flags.writeable:
        value = value.copy()
    return value, odt


def _complex_backward(
    op: OpDef, grads: Sequence[Any], args: Sequence[Any], cdt: D.dtype
) -> Callable[[Tensor], tuple]:
    """The node's backward: each operand's gradient formula (Tensor ops, so differentiable
    again), reading the operands in the compute dtype (a real base of a complex power: its
    complex log; complex64 with float64: complex128), fitted back to the operand's shape
    and dtype."""

    def backward(g: Tensor) -> tuple:
        ops = [
            x.to(cdt) if isinstance(x, Tensor) and x._dtype is not cdt and not cond else x
            for cond, x in zip((op.condition,) + (False,) * 2, args, strict=False)
        ]
        return tuple(
            _fit(fn(g, *ops), x)
            if fn is not None and isinstance(x, Tensor) and x._requires_grad
            else None
            for fn, x in zip(grads, args, strict=True)
        )

    return backward


def lookup(
    op: OpDef, args: Sequence[Any], out_dtype: D.dtype | None, device: str = "cpu"
) -> tuple[Callable, tuple, D.dtype]:
    """``op``'s numpy forward, gradient formulas and compute dtype on complex operands;
    PyTorch's error for an op with no complex form (its kernel named for ``device``)."""
    spec = _OPS.get(op.name)
    if spec is None:
        refusal = _REFUSALS.get(op.name)
        if refusal is not None:
            raise refusal[0](refusal[1])
        raise not_implemented(f"{op.name}_{device}", _complex_operand(args))
    fwd, grads = spec
    if op.name == "cast":
        cdt = out_dtype
    else:
        cdt = result_type(list(args[1:] if op.condition else args))
    if op.result == FLOAT and cdt._category < 2:
        cdt = D.get_default_dtype()
    return fwd, grads, cdt


def composed_sgn(op: OpDef, args: Sequence[Any]) -> Tensor | None:
    """``sgn`` of an input that requires grad, composed of differentiable ops (node names
    DivBackward0/AbsBackward0, not SgnBackward0, as PyTorch's); None for any other call."""
    if op.name == "sgn" and args[0]._requires_grad:
        return _sgn(args[0])
    return None


def discards_imaginary(op: OpDef, args: Sequence[Any], cdt: D.dtype) -> bool:
    """Whether the call casts a complex tensor to a real dtype (PyTorch warns, keeps .real)."""
    src = args[0]._dtype if isinstance(args[0], Tensor) else cdt
    return op.name == "cast" and src.is_complex and not cdt.is_complex


def elementwise(
    op: OpDef, args: Sequence[Any], out_dtype: D.dtype | None, out: np.ndarray | None
) -> Tensor:
    """Elementwise ``op`` where some operand (or the requested result) is complex."""
    fwd, grads, cdt = lookup(op, args, out_dtype)
    refusal = _NO_COMPLEX_GRAD.get(op.name)
    if refusal and GRAD.enabled and any(isinstance(x, Tensor) and x._requires_grad for x in args):
        raise RuntimeError(refusal)
    composed = composed_sgn(op, args)
    if composed is not None:
        return composed
    if discards_imaginary(op, args, cdt):
        warn_discard()
        values = [args[0]._value.real]
    else:
        values = [
            x._value.astype(cdt.np, copy=False) if isinstance(x, Tensor) else cdt.np.type(x)
            for x in args
        ]
        if op.condition:  # where's boolean condition stays as it is
            values[0] = args[0]._value
    with np.errstate(all="ignore"):
        value = np.asarray(fwd(*values))
    value, odt = _result(op, value, cdt, out_dtype, out)
    return record_result(op, args, grads, cdt, value, odt)


def record_result(
    op: OpDef, args: Sequence[Any], grads: tuple, cdt: D.dtype, value: Any, odt: D.dtype
) -> Tensor:
    """The result tensor of a complex elementwise call (``value`` on either device), with
    its node when an operand requires grad."""
    if op.result == BOOL or all(g is None for g in grads):
        return _make(value, odt)
    backward = _complex_backward(op, grads, args, cdt)
    # (the linear ops' gradients read no operand: nothing saved, so no version check)
    linear = op.name in _LINEAR
    saved = [] if linear else [x for x in args if isinstance(x, Tensor)]
    smask = "".join("t" if isinstance(x, Tensor) else "s" for x in args)
    name = NODE_VARIANTS.get(op.name, {}).get(smask, op.node_name)
    return record(name, value, odt, list(args), backward, saved, ComplexBackward)


def warn_discard() -> None:
    """PyTorch's warning when a complex tensor is cast to a real dtype."""
    warn_user(
        "Casting complex values to real discards the imaginary part", UserWarning, stacklevel=4
    )


P.COMPLEX[0] = elementwise
