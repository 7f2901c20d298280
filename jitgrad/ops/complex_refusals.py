"""PyTorch's errors for an elementwise op that has no complex form.

The complex forms themselves are declarations (``defop(complex=...)``, read through
:func:`jitgrad.ops.registry.complex_form`); this is only what PyTorch says where an op has
none: its own message for some ops (clamp, maximum, sign ...), else "not implemented" naming
the kernel for the device. A table of error texts, not of kernels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

from .. import dtypes as D
from .registry import OpDef

_CLAMP = (NotImplementedError, "clamp is not supported for complex types")
#: PyTorch's own errors for some ops it has no complex form of (the others: "not implemented")
REFUSALS = {
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

#: ops PyTorch computes on complex values but refuses to record (op name -> its message);
#: checked by the op's generated front (frontend.declared_front)
NO_GRAD = {
    "nan_to_num": "nan_to_num does not support automatic differentiation for outputs with "
    "complex dtype.",
}


def not_implemented(kernel: str, dt: D.dtype) -> NotImplementedError:
    """PyTorch's error for an op with no complex kernel (comparisons, max, floor ...)."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{D.scalar_name(dt)}'")


def refuse_complex(op: OpDef, args: Sequence[Any], device: str = "cpu") -> NoReturn:
    """Raise PyTorch's error for ``op`` called on complex values (it has no complex form)."""
    refusal = REFUSALS.get(op.name)
    if refusal is not None:
        raise refusal[0](refusal[1])
    dt = next(
        (x._dtype for x in args if getattr(getattr(x, "_dtype", None), "is_complex", False)),
        D.default_complex(),
    )
    raise not_implemented(f"{op.name}_{device}", dt)
