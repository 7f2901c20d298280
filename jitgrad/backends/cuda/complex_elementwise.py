"""``torch.angle`` of a complex device tensor: one rendered CUDA kernel per call.

Every elementwise op on complex values is a declaration's complex form (``defop(complex=...)``,
:func:`jitgrad.ops.registry.complex_form`) and reaches the device through the one lowering and
:mod:`.render`, as real ops do. ``angle`` is not an elementwise declaration: it is
:mod:`jitgrad.complex_api`'s function (real input: its own op; complex input: numpy's
``np.angle`` on the CPU), so its device value is computed here, ``cmath.phase`` over the
operand, and recorded by :func:`jitgrad.complex_api.record_angle` as the CPU records it.
"""

from __future__ import annotations

from typing import Any

from ... import complex_api as CA
from ... import dtypes as D
from ...frontend.tensor import Tensor
from ...fusion.codegen import STORE, KernelSpec
from . import native, render, runtime

_specs: dict[tuple, KernelSpec] = {}


def _spec(odt: str, nd: int) -> KernelSpec:
    spec = _specs.get((odt, nd))
    if spec is None:
        spec = _specs[(odt, nd)] = KernelSpec(
            label="complex_angle",
            inputs=(("a", False),),
            stmts=(("r", "cmath.phase(a_)"),),
            outputs=(("out", "r", STORE, odt),),
            ndim=nd,
            comment=("out = cmath.phase(a_)  (torch.angle of complex values on the device)",),
        )
    return spec


def angle(input: Any) -> Any:  # noqa: A002
    """``torch.angle`` of a complex device tensor (a real one: the CPU op's own path)."""
    if not isinstance(input, Tensor) or not input._dtype.is_complex:
        return NotImplemented
    dt = D.real_of(input._dtype)
    out = runtime.empty(tuple(input.shape), dt.np)
    spec = _spec(dt.name, max(1, input.dim()))
    render.run(spec, tuple(input.shape), {"a": input._value, "out": out})
    return CA.record_angle(input, out)


native.NATIVE["angle"] = angle  # (read when the host fallback wraps the ops: after this)
