"""``torch.frexp`` on device tensors.

The CPU op finds the exponent with NumPy (``np.frexp`` of the buffer) and the mantissa with
the declared elementwise op ``frexp`` (``ldexp(a, -b)``, ``FrexpBackward0``). On the device
the mantissa is that same declared op (its kernel rendered from the declaration) and the
exponent is found in device elementwise ops: ``floor(log2|x|) + 1`` in float32 (float64 for
float64), then the one step ``log2``'s rounding can be off by corrected exactly with the
integer-exponent ``ldexp`` (``|x| * 2**-e`` must lie in [0.5, 1)). Zero, infinities and NaN
get exponent 0, as NumPy's (and PyTorch's) frexp gives them. int32, no gradient, as the CPU's.
"""

from __future__ import annotations

from typing import Any

from ... import dtypes as D
from ...engine.grad_mode import no_grad
from ...frontend import functions as F
from ...frontend.clamp_where import where
from ...frontend.pointwise import apply
from ...frontend.tensor import Tensor, _make
from ...math_extra import FrexpResult
from ...ops.registry import REGISTRY
from . import native


def _exponent(x: Tensor) -> Tensor:
    """The int32 exponent ``e`` of each element: ``x = m * 2**e``, ``|m|`` in [0.5, 1)."""
    wide = x._dtype is D.float64
    with no_grad():
        a = _make(x._value, x._dtype if wide else D.float32).detach().abs()  # (16-bit: its
        ok = (a != 0) & a.isfinite()  # float32 buffer, so no rounding to 16 bits between)
        a = where(ok, a, 1.0)
        e = (a.log2().floor() + 1).to(D.int32)
        m = F.ldexp(a, -e)  # exact: a power-of-two scaling
        e = e + (m >= 1).to(D.int32) - (m < 0.5).to(D.int32)
        return where(ok, e, 0)


def frexp(input: Any) -> Any:  # noqa: A002
    if not isinstance(input, Tensor) or not input._dtype.is_floating_point:
        return NotImplemented  # (the CPU op's error)
    exponent = _exponent(input)
    return FrexpResult(apply(REGISTRY["frexp"], (input, exponent)), exponent)


native.NATIVE["frexp"] = frexp
