"""Public elementwise functions (``jitgrad.add``, ``jitgrad.exp`` ...) over the declarations."""

from __future__ import annotations

import inspect
import math  # noqa: F401 - star-exported to jitgrad.* (as warnings below) before logit moved
import warnings  # noqa: F401 - star-exported to jitgrad.* before clamp_where split off
from typing import Any

from .. import dtypes as D
from ..ops import elementwise  # noqa: F401 - registers the declarations
from ..ops.registry import REGISTRY, OpDef
from . import declared_front as front
from .checks import elementwise_operands  # noqa: F401 - (as warnings above)
from .clamp_where import _clamp_op, _clamp_type_error
from .clamp_where import _expression_where as _expression_where  # (re-exported, as below)
from .clamp_where import clamp as clamp
from .clamp_where import clamp_max as clamp_max
from .clamp_where import clamp_min as clamp_min
from .clamp_where import clip as clip
from .clamp_where import where as where
from .memory_format import CHANNELS_LAST as _CHANNELS_LAST
from .memory_format import in_format as _in_format
from .out import write_out
from .pointwise import apply, run
from .pointwise_inplace import apply_inplace
from .recording import renamed
from .tensor import Tensor

R = REGISTRY


def _unary(name: str):
    op = R[name]

    def fn(input: Any, *, out: Tensor | None = None) -> Any:  # noqa: A002 - PyTorch's name
        if out is not None:
            return write_out(name, out, lambda: run(op, (input,)), (input,))
        return run(op, (input,))

    fn.__name__ = name
    fn.__doc__ = f"Elementwise ``{op.expr}``, differentiable as declared in ops/elementwise.py."
    return fn


def _binary(name: str):
    op = R[name]

    def fn(input: Any, other: Any, *, out: Tensor | None = None) -> Any:  # noqa: A002
        if out is not None:
            return write_out(name, out, lambda: run(op, (input, other)), (input, other))
        return run(op, (input, other))

    fn.__name__ = name
    fn.__doc__ = f"Elementwise ``{op.expr}`` with broadcasting."
    return fn


def inplace_form(op: OpDef):
    """``Tensor.<name>_`` of a declaration without a ``front`` hook: its dtype rules, then
    the op (or its ``inplace_as`` sibling, named apart) written into ``t``."""
    runs = R[op.inplace_as] if op.inplace_as else op
    if op.arity == 1:

        def fn(t: Any) -> Any:
            return apply_inplace(runs, t, ())

    elif op.arity == 2:

        def fn(t: Any, other: Any) -> Any:
            if op.tensor_other or op.tensor_only:
                front.refuse_number_other(op.torch[0] + "_", other)
            if op.no_integral:
                front.refuse_integral(op, (t, other))
            if op.integral:
                front.refuse_floats(op, (t, other))
            if op.zero_divisor:
                front.check_divisor(t, other)
            if op.no_bool:
                front.refuse_bool(op, (t, other))
            return apply_inplace(runs, t, (other,))

    else:
        raise ValueError(f"op {op.name}: no in-place form for {op.arity} operands")
    fn.__name__ = fn.__qualname__ = op.torch[0] + "_"
    return fn


def _public_names() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The functions the declarations name (``torch=``, ``special=`` on ``defop``): one
    function per op, shared by its torch.* names, aliases and torch.special names; its
    Tensor methods (the function itself, or ``self`` moved first for ``self_at``) and its
    in-place methods."""
    torch_names: dict[str, Any] = {}
    special_names: dict[str, Any] = {}
    methods: dict[str, Any] = {}
    inplace: dict[str, Any] = {}
    for op in R.values():
        if not (op.torch or op.special):
            continue
        fn = _public(op)
        torch_names.update(dict.fromkeys(op.torch, fn))
        special_names.update(dict.fromkeys(op.special, fn))
        if op.method:
            own = op.self_at or op.method_front
            methods.update(dict.fromkeys(op.torch, front.method(op) if own else fn))
        if op.tensor_input:
            torch_names.update({n: front.tensor_input(fn, n) for n in op.torch})
        if op.tensor_other:  # each alias names itself in PyTorch's TypeError
            other = _other_name(op)
            for n in op.torch:
                torch_names[n] = front.tensors_only(fn, n, method=False, param=other)
                if op.method:
                    methods[n] = front.tensors_only(fn, n, method=True, param=other)
            for n in op.special:
                special_names[n] = front.tensors_only(fn, "special_" + n, method=False)
        if op.inplace:
            inplace[op.torch[0] + "_"] = front.inplace(op) if op.front else inplace_form(op)
    return torch_names, special_names, methods, inplace


def _other_name(op: OpDef) -> str:
    """The second argument's name in PyTorch's TypeError (heaviside's ``values``)."""
    return list(inspect.signature(op.front).parameters)[1] if op.front else "other"


def _public(op: OpDef):
    """The function for one declaration: the generated ``_unary``/``_binary``, behind the
    declared dtype checks, or over the declaration's ``front`` hook."""
    if op.front:
        return front.function(op)
    fn = _unary(op.name) if op.arity == 1 else _binary(op.name)
    if op.integral or op.zero_divisor or op.no_bool or op.no_integral or op.tensor_only:
        fn = _checked(op, fn)
    fn.__doc__ = op.doc or fn.__doc__
    return fn


def _checked(op: OpDef, plain: Any):
    # ``plain`` (``_binary``) behind the declared dtype rules (the bitwise ops), calling
    # ``run`` itself: one frame per call, as the hand-written form had
    name, integral, zero_divisor, no_bool = op.name, op.integral, op.zero_divisor, op.no_bool

    def fn(input: Any, other: Any, *, out: Tensor | None = None) -> Any:  # noqa: A002
        if op.tensor_only:
            front.refuse_number_other(name, other, 2)
        if op.no_integral:
            front.refuse_integral(op, (input, other))
        if integral:
            front.refuse_floats(op, (input, other))
        if zero_divisor:
            front.check_divisor(input, other)
        if no_bool:
            front.refuse_bool(op, (input, other))
        if out is not None:
            return write_out(name, out, lambda: run(op, (input, other)), (input, other))
        return run(op, (input, other))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = plain.__doc__
    return fn


#: ``jitgrad.<name>`` and ``jitgrad.special.<name>`` -> function, for every declaration that
#: names them; ``DECLARED_METHODS`` are the Tensor methods and ``DECLARED_INPLACE`` the
#: ``Tensor.<name>_`` forms (jitgrad.methods binds both). ``INPLACE_UNARY``: the ops whose
#: in-place form is generated (the names without the underscore).
DECLARED, DECLARED_SPECIAL, DECLARED_METHODS, DECLARED_INPLACE = _public_names()
INPLACE_UNARY = tuple(name[:-1] for name in DECLARED_INPLACE)
globals().update(DECLARED)


def lerp(input: Any, end: Any, weight: Any) -> Any:  # noqa: A002
    """``input + weight * (end - input)``."""
    return apply(R["lerp"], (input, end, weight))


def addcmul(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:  # noqa: A002
    """``input + value * tensor1 * tensor2``."""
    if value == 1:
        return apply(R["addcmul"], (input, tensor1, tensor2))
    return apply(R["addcmul_scaled"], (input, tensor1, tensor2, value))


def addcdiv(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:  # noqa: A002
    """``input + value * tensor1 / tensor2``."""
    if value == 1:
        return apply(R["addcdiv"], (input, tensor1, tensor2))
    return apply(R["addcdiv_scaled"], (input, tensor1, tensor2, value))


def _integral_alpha(input: Any, other: Any, alpha: Any) -> None:  # noqa: A002
    """PyTorch's refusal of a float ``alpha`` where add/sub/rsub's result is integral."""
    if isinstance(alpha, float) and all(
        isinstance(x, bool | int) or (isinstance(x, Tensor) and x._dtype._category < 2)
        for x in (input, other)
    ):
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )


def add(input: Any, other: Any, *, alpha: Any = 1) -> Any:  # noqa: A002
    """``input + alpha * other``."""
    _integral_alpha(input, other, alpha)
    if alpha == 1:
        return apply(R["add"], (input, other))
    return apply(R["add_scaled"], (input, other, alpha))


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Any:  # noqa: A002
    """``input - alpha * other``."""
    _integral_alpha(input, other, alpha)
    if alpha == 1:
        return apply(R["sub"], (input, other))
    return apply(R["sub_scaled"], (input, other, alpha))


subtract = sub


def rsub(input: Any, other: Any, *, alpha: Any = 1) -> Any:  # noqa: A002
    """``other - alpha * input``: two tensors record PyTorch's RsubBackward0 (input first);
    a number ``other`` is ``sub``'s RsubBackward1."""
    if not (isinstance(input, Tensor) and isinstance(other, Tensor)):
        return sub(other, input, alpha=alpha)
    _integral_alpha(input, other, alpha)
    if alpha == 1:
        return apply(R["rsub"], (input, other))
    return apply(R["rsub_scaled"], (input, other, alpha))


def _floor_div_rule(input: Any, other: Any) -> Any:  # noqa: A002
    """``floor_div`` of a derivative rule over Tensors: PyTorch's
    ``div(rounding_mode='floor')`` (zero derivative), not :func:`floor_divide` (none)."""
    return run(R["div_floor"], (input, other))


#: Scalar exponents computed by multiplication (declared in ops/elementwise.py).
_POWERS = {2: "square", 3: "cube"}


def _no_negative_integer_power(input: Any, exponent: Any) -> None:  # noqa: A002
    """PyTorch refuses an integer tensor to a negative Python-int power (numpy would give 0)."""
    if type(exponent) is int and exponent < 0 and isinstance(input, Tensor):
        if not (input._dtype.is_floating_point or input._dtype.is_complex):
            raise RuntimeError("Integers to negative integer powers are not allowed.")


def pow(input: Any, exponent: Any) -> Any:  # noqa: A001, A002
    """``input ** exponent`` (either side may be a Python scalar)."""
    _no_negative_integer_power(input, exponent)
    if type(exponent) in (int, float) and exponent in _POWERS and isinstance(input, Tensor):
        if input._dtype.is_floating_point:
            return apply(R[_POWERS[exponent]], (input,))
    return apply(R["pow"], (input, exponent))


def square(input: Any) -> Any:  # noqa: A002
    return pow(input, 2)


def round(input: Any, *, decimals: int = 0) -> Any:  # noqa: A001, A002
    if decimals:
        scale = 10.0**decimals
        return renamed(apply(R["round"], (input * scale,)) / scale, "RoundBackward1")
    return apply(R["round"], (input,))


def clone(input: Any, *, memory_format: Any = None) -> Any:  # noqa: A002
    if memory_format is not None and memory_format.name in _CHANNELS_LAST:
        return _in_format(input, memory_format, "CloneBackward0", "never")
    return apply(R["clone"], (input,))


def cast(input: Any, dtype: D.dtype) -> Any:  # noqa: A002
    """A copy of ``input`` converted to ``dtype`` (``ToCopyBackward0``); complex values cast
    to a real dtype keep their real part, with PyTorch's warning."""
    if input._dtype.is_complex and not dtype.is_complex:
        warnings.warn(
            "Casting complex values to real discards the imaginary part", UserWarning, stacklevel=3
        )
    return apply(R["cast"], (input,), out_dtype=dtype)


# ---- in place -------------------------------------------------------------------------------
def add_(t: Any, other: Any, *, alpha: Any = 1) -> Any:
    _integral_alpha(t, other, alpha)
    if alpha == 1:
        return apply_inplace(R["add"], t, (other,))
    return apply_inplace(R["add_scaled"], t, (other, alpha))


def sub_(t: Any, other: Any, *, alpha: Any = 1) -> Any:
    _integral_alpha(t, other, alpha)
    if alpha == 1:
        return apply_inplace(R["sub"], t, (other,))
    return apply_inplace(R["sub_scaled"], t, (other, alpha))


def mul_(t: Any, other: Any) -> Any:
    return apply_inplace(R["mul"], t, (other,))


div_ = DECLARED_INPLACE["div_"]  # (the operators and divide_/true_divide_ use it)


def pow_(t: Any, exponent: Any) -> Any:
    _no_negative_integer_power(t, exponent)
    return apply_inplace(R["pow"], t, (exponent,))


def clamp_(t: Any, min: Any = None, max: Any = None) -> Any:  # noqa: A002
    op, bounds = _clamp_op(t, min, max)
    try:
        return apply_inplace(op, t, bounds)
    except TypeError:
        _clamp_type_error(t, min, max)
        raise


#: What this module builds the public functions with. ``from .functions import *`` (jitgrad's
#: top level) leaves them out: PyTorch's namespace, the spec, has none of them.
_HELPERS = frozenset(
    "Any D DECLARED DECLARED_INPLACE DECLARED_METHODS DECLARED_SPECIAL INPLACE_UNARY OpDef R "
    "REGISTRY annotations front inspect "
    "apply apply_inplace cast elementwise elementwise_operands inplace_form record run write_out "
    "add_ sub_ mul_ div_ pow_".split()
)
__all__ = [name for name in tuple(globals()) if name[0] != "_" and name not in _HELPERS]
