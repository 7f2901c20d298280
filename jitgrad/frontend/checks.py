"""The ops' own argument checks: elementwise operands, broadcasting, masks, split sizes.

Each raises PyTorch's exception with PyTorch's words, built with :mod:`jitgrad.frontend.argcheck`.
They run once per operand signature (an elementwise op's plan) or only on the error path,
so a valid call pays nothing for them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from . import argcheck as A
from .tensor import Tensor

#: Internal elementwise ops and the public function a user called.
_PUBLIC = {
    "add_scaled": "add",
    "sub_scaled": "sub",
    "rsub_scaled": "rsub",
    "clamp_min": "clamp",
    "clamp_max": "clamp",
    "square": "pow",
    "cube": "pow",
    "cast": "to",
    "copy": "copy_",
    "div_floor": "floor_divide",
    "div_trunc": "div",
}
_PARAMS = {
    "where": ("condition", "input", "other"),
    "clamp": ("input", "min", "max"),
    "pow": ("input", "exponent"),
    "add": ("input", "other", "alpha"),
    "sub": ("input", "other", "alpha"),
}
#: PyTorch's dtype words (``Long``, ``Float``) in messages.
DTYPE_WORDS = {
    "int64": "Long",
    "int32": "Int",
    "bool": "Bool",
    "float32": "Float",
    "float64": "Double",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "complex64": "ComplexFloat",
    "complex128": "ComplexDouble",
}


def _is_operand(x: Any) -> bool:
    return isinstance(x, Tensor | bool | int | float | complex | np.number | np.bool_)


def elementwise_operands(name: str, args: Sequence[Any], condition: bool = False) -> None:
    """PyTorch's error for operands an elementwise op can't take (a string, None, a list;
    only numbers where no tensor is given; a ``where`` condition that is not boolean).

    Called once per operand signature (when an op's plan is built), so never per call.
    """
    fn = _PUBLIC.get(name, name)
    tensors = [isinstance(x, Tensor) for x in args]
    bad = next((k for k, x in enumerate(args) if not _is_operand(x)), None)
    if bad is None and not any(tensors):
        bad = 0  # numbers only: PyTorch wants a tensor for ``input``
    if bad is None and condition and not tensors[0]:
        bad = 0
    if bad is not None:
        if fn in A.OVERLOADS:
            raise A.invalid_args(fn, args)
        params = _PARAMS.get(fn, ("input", "other", "other"))
        raise A.must_be(fn, params[bad], bad + 1, "Tensor", args[bad])
    if condition and args[0]._dtype.name != "bool":
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            + DTYPE_WORDS[args[0]._dtype.name]
        )
    if name in _BOOL_REFUSED:
        _refuse_bool_arithmetic(name, args)


#: the ops PyTorch refuses on bool operands (subtraction and negation: use ^, ~ instead)
_BOOL_REFUSED = frozenset({"sub", "sub_scaled", "rsub", "rsub_scaled", "neg"})
_INVERT_HINT = (
    "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
)


def _refuse_bool_arithmetic(name: str, args: Sequence[Any]) -> None:
    """PyTorch's sub_check and neg check (a Python bool counts as a bool tensor)."""
    bools = [
        x._dtype.name == "bool" if isinstance(x, Tensor) else isinstance(x, bool | np.bool_)
        for x in args
    ]
    if not any(bools):
        return
    if name == "neg":
        raise RuntimeError(
            f"Negation, the `-` operator, on a bool tensor is not supported. {_INVERT_HINT}"
        )
    if all(bools[:2]):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    raise RuntimeError(
        f"Subtraction, the `-` operator, with a bool tensor is not supported. {_INVERT_HINT}"
    )


def broadcast_error(shapes: Sequence[tuple[int, ...]]) -> Exception:
    """PyTorch's error for shapes that do not broadcast (it broadcasts operand by operand)."""
    a = shapes[0]
    for b in shapes[1:]:
        for i in range(1, min(len(a), len(b)) + 1):
            if a[-i] != b[-i] and a[-i] != 1 and b[-i] != 1:
                return RuntimeError(
                    f"The size of tensor a ({a[-i]}) must match the size of tensor b ({b[-i]}) "
                    f"at non-singleton dimension {max(len(a), len(b)) - i}"
                )
        a = tuple(np.broadcast_shapes(a, b))
    return ValueError(f"shapes {list(shapes)} do not broadcast")


def expand_error(shape: Sequence[int], want: Sequence[int], type_name: str) -> Exception | None:
    """PyTorch's error where a tensor of ``shape`` (``type_name``: ``torch.FloatTensor``)
    cannot expand to ``want`` (``-1`` keeps a dim), or None."""
    if len(want) < len(shape):
        return RuntimeError(
            f"expand({type_name}{{{list(shape)}}}, size={list(want)}): the number of sizes "
            f"provided ({len(want)}) must be greater or equal to the number of dimensions in "
            f"the tensor ({len(shape)})"
        )
    lead = len(want) - len(shape)
    for i, w in enumerate(want):
        if i < lead and w < 0:
            return RuntimeError(
                f"The expanded size of the tensor ({w}) isn't allowed in a leading, "
                "non-existing dimension 0"
            )
        n = shape[i - lead] if i >= lead else w
        if w not in (-1, n) and n != 1:
            return RuntimeError(
                f"The expanded size of the tensor ({w}) must match the existing size ({n}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(want)}.  "
                f"Tensor sizes: {list(shape)}"
            )
    return None


def bool_mask(fn: str, mask: Any) -> None:
    """``masked_fill``'s mask: a bool tensor (PyTorch names the C type of any other)."""
    if not isinstance(mask, Tensor):
        raise A.invalid_args(fn, (mask,))
    if mask._dtype.name != "bool":
        c_type = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
                  "uint8": "unsigned char"}.get(mask._dtype.name, mask._dtype.name)  # fmt: skip
        c_type = {"float32": "float", "float64": "double"}.get(c_type, c_type)
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype {c_type}"
        )


def selected_dim(fn: str, shape: tuple[int, ...], dim: int) -> None:
    """PyTorch's IndexError for selecting along an empty ``dim`` (median, mode: no element to
    pick), raised before any kernel runs; ``dim`` already wrapped."""
    if shape and shape[dim] == 0:
        raise IndexError(f"{fn}(): Expected reduction dim {dim} to have non-zero size.")


def split_size(size: int, n: int) -> int:
    """``split``'s int size, checked against a dim of ``n`` as PyTorch checks it."""
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0 and n != 0:
        raise RuntimeError(
            f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
        )
    return size


def chunks(chunks: Any) -> int:
    """``chunk``'s count: a positive int."""
    value = A.dim_int("chunk", chunks, 1, "chunks")
    if value <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {value}")
    return value


def norm_order(p: Any) -> Any:
    """A vector norm's ``p``: a number or ``'fro'`` (``torch.norm`` sends the other strings,
    matrix orders, to ``linalg.matrix_norm`` first: frontend/linalg_norm.py)."""
    if isinstance(p, str) and p != "fro":
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    if not isinstance(p, str | bool | int | float | np.number | Tensor):
        raise A.invalid_args("norm", (p,))
    return p


_INT64 = (-(1 << 63), 1 << 63)
#: each dtype's ``(lowest, highest)`` number ``c10::checked_convert`` takes
_BOUNDS: dict[str, tuple] = {}
#: PyTorch's C++ type names in "value cannot be converted to type ... without overflow"
_C_NAMES = {
    "uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t",
    "float16": "c10::Half", "bfloat16": "c10::BFloat16", "float32": "float", "float64": "double",
}  # fmt: skip
#: the elementwise ops whose numbers ATen converts with ``c10::checked_convert`` (one out of
#: the checked type's range raises), with the types it checks: ``type`` the operand's own,
#: ``opmath`` float16/bfloat16 checked as float and not rounded to their type (``lerp``'s
#: weight, addcmul's ``value``), ``lenient`` float16/bfloat16 not checked (``where`` casts
#: 70000 into a float16 tensor: inf), ``narrow`` all but
#: float32/float64 (``pow`` takes a float tensor's exponent as a double). Every other op
#: casts as TensorIterator does, C's conversion: integers wrap (``uint8 + 1000`` adds 232),
#: floats overflow to inf
CHECKED_SCALARS = {
    "clamp": "type", "clamp_min": "type", "clamp_max": "type", "add_scaled": "type",
    "sub_scaled": "type", "rsub_scaled": "type", "where": "lenient", "lerp": "opmath",
    "pow": "narrow", "addcmul_scaled": "opmath", "addcdiv_scaled": "opmath",
}  # fmt: skip


#: the ops whose numbers TensorIterator takes as wrapped 0-d tensors cast to the op's type,
#: so that a float16/bfloat16 operand is rounded to it (``bf16 + 300.5`` adds 300, ``alpha``
#: too); mul's and div's kernels read the number as given (``original_scalar_value``), and
#: so do the other ops' parameters (an activation's slope, ``lerp``'s weight) and the rounded
#: divisions (``floor_divide``, ``div(rounding_mode=)``: ``f16 // 0.001`` of 7 is 7000, where
#: the float16 divisor 0.0010004 would give 6996; tests/test_conformance17.py)
_ROUNDED = frozenset(
    ("add", "sub", "eq", "ne", "lt", "le", "gt", "ge", "remainder", "fmod",
     "where", "pow", "clamp", "clamp_min",
     "clamp_max", "add_scaled", "sub_scaled", "rsub", "rsub_scaled")
)  # fmt: skip


def _checked_type(op: str, want: Any) -> Any:
    """The type ``op`` checks a number against for an operand of ``want``, or None."""
    rule = CHECKED_SCALARS.get(op)
    if rule is None or rule == "lenient" and want.round is not None:
        return None
    if rule == "narrow" and want.name in ("float32", "float64"):
        return None
    return D.float32 if rule == "opmath" and want.round is not None else want


def _bounds(want: Any) -> tuple:
    """``(lowest, highest, unsigned)``: the numbers ``c10::checked_convert`` takes into
    ``want`` (an unsigned type also takes the negatives down to minus its maximum, which
    wrap; bool and complex: any), computed once per dtype (numpy's finfo/iinfo cost
    microseconds a call)."""
    bounds = _BOUNDS.get(want.name)
    if bounds is None:
        if want.is_complex or want.name == "bool":
            bounds = (-math.inf, math.inf, False)
        elif want.is_floating_point:
            bounds = (-D.finite_max(want), D.finite_max(want), False)
        else:
            info = np.iinfo(want.np)
            bounds = (-info.max if info.min == 0 else info.min, info.max, info.min == 0)
        _BOUNDS[want.name] = bounds
    return bounds


def _overflows(want: Any, x: Any) -> bool:
    """``c10::overflows``: ``x`` outside :func:`_bounds` (infinities fit a float, NaN any
    type)."""
    lo, hi, _ = _bounds(want)
    if lo <= x <= hi or x != x:
        return False
    return not (want.is_floating_point and math.isinf(x))


def number_fits(x: Any, dtype: Any) -> Any:
    """``x`` as ``fill_``/``full``/``masked_fill``/``index_fill`` store it in ``dtype``
    (``c10::checked_convert``: PyTorch's error out of range, where numpy raises its
    OverflowError; an unsigned type's negatives wrap)."""
    kind = type(x)
    if kind is not float and kind is not int:  # (a bool, a complex, a tensor: as given)
        return x
    lo, hi, unsigned = _bounds(dtype)
    if lo <= x <= hi:  # the usual case: two comparisons
        return np.int64(x).astype(dtype.np) if unsigned and x < 0 else x
    if _overflows(dtype, x):
        raise RuntimeError(
            f"value cannot be converted to type {_C_NAMES[dtype.name]} without overflow"
        )
    return x


def scalar(plan: Any, want: Any, x: Any) -> Any:
    """Python number ``x`` as an elementwise op's operand of dtype ``want``, converted as
    PyTorch converts it: wrapped or overflowed to inf (C's cast), or refused in ATen's words
    by the ops of :data:`CHECKED_SCALARS`; a float16/bfloat16 operand of the ops of
    :data:`_ROUNDED` rounded to its type first, as ATen casts it to the op's type; kept in
    ``plan.consts`` (float zeros are not kept: 0.0 == -0.0 as keys, nor NaN: never equal).
    An int 0 is kept where it is the plan's only scalar operand: plans are keyed by each
    operand's Python type, so that key then never meets a float (``sum()`` over tensors
    starts with ``0 + t``).
    """
    if isinstance(x, int) and not _INT64[0] <= x < _INT64[1]:
        raise RuntimeError("Overflow when unpacking long")
    checked = None if isinstance(x, complex) else _checked_type(plan.op.name, want)
    if checked is not None and _overflows(checked, x):
        raise RuntimeError(
            f"value cannot be converted to type {_C_NAMES[checked.name]} without overflow"
        )
    if want.np.kind in "iu" and not isinstance(x, float):
        value = np.int64(x).astype(want.np)  # C's cast: wraps
    else:
        with np.errstate(over="ignore"):
            value = want.np.type(x)
        if want.round is not None and plan.op.name in _ROUNDED:
            value = want.np.type(want.round(np.array(value))[()])
    if (x and x == x or type(x) is int and plan.smask.count("s") == 1) and len(plan.consts) < 64:
        plan.consts[x] = value
    return value


def fits_out(plan: Any, out: np.ndarray, shape: tuple) -> None:
    """PyTorch's errors for an ``out`` array that can't take an elementwise result: another
    shape than the broadcast one, or a real array for complex values."""
    if out.shape != shape:
        raise RuntimeError(
            f"output with shape {list(out.shape)} doesn't match the broadcast shape {list(shape)}"
        )
    if out.dtype.kind != "c" and plan.odt.is_complex:
        raise RuntimeError(
            f"result type {D.scalar_name(plan.cdt)} can't be cast to the desired output type "
            f"{D.scalar_name(plan.odt)}"
        )
