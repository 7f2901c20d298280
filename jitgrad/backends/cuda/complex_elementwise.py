"""``torch.angle``, ``conj`` and ``conj_physical`` of a complex device tensor: one rendered
CUDA kernel per call.

Every elementwise op on complex values is a declaration's complex form (``defop(complex=...)``,
:func:`jitgrad.ops.registry.complex_form`) and reaches the device through the one lowering and
:mod:`.render`, as real ops do. ``angle`` is not an elementwise declaration: it is
:mod:`jitgrad.complex_api`'s function (real input: its own op; complex input: numpy's
``np.angle`` on the CPU), so its device value is computed here, ``cmath.phase`` over the
operand, and recorded by :func:`jitgrad.complex_api.record_angle` as the CPU records it.
``conj`` is the expression language's ``conj(a)`` (:data:`jitgrad.ops.expr.FUNCTIONS`, the
complex forms' conjugate) rendered alone: a device buffer has no conjugate bit, so
``x.conj()`` is a conjugated copy there (``ConjBackward0``, as the CPU's ``conj`` of a device
or meta buffer; ``conj_physical``: ``ConjPhysicalBackward0``).
"""

from __future__ import annotations

from typing import Any

from ... import complex_api as CA
from ... import dtypes as D
from ...frontend.recording import record
from ...frontend.tensor import Tensor
from ...fusion.codegen import STORE, KernelSpec
from ...ops import expr as E
from . import native, render, runtime

_specs: dict[tuple, KernelSpec] = {}


def _spec(odt: str, nd: int, label: str = "complex_angle", stmt: str = "cmath.phase(a_)",
          what: str = "torch.angle") -> KernelSpec:  # fmt: skip
    spec = _specs.get((odt, nd, label))
    if spec is None:
        spec = _specs[(odt, nd, label)] = KernelSpec(
            label=label,
            inputs=(("a", False),),
            stmts=(("r", stmt),),
            outputs=(("out", "r", STORE, odt),),
            ndim=nd,
            comment=(f"out = {stmt}  ({what} of complex values on the device)",),
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


def _conjugated(node: str):
    def conj(input: Any) -> Any:  # noqa: A002
        """A complex device tensor's conjugate in a new buffer (a real one: the CPU op's
        answer, the tensor itself)."""
        if not isinstance(input, Tensor) or not input._dtype.is_complex:
            return NotImplemented
        dt = input._dtype
        out = runtime.empty(tuple(input.shape), dt.np)
        stmt = E.render("conj(a)", {"a": "a_"}, dt.name)
        spec = _spec(dt.name, max(1, input.dim()), "complex_conj", stmt, "conj")
        render.run(spec, tuple(input.shape), {"a": input._value, "out": out})
        return record(node, out, dt, [input], lambda g: (conj(g),))

    return conj


native.NATIVE["angle"] = angle  # (read when the host fallback wraps the ops: after this)
native.NATIVE["conj_physical"] = _conjugated("ConjPhysicalBackward0")
_conj_complex = _conjugated("ConjBackward0")
_conj_real = native.NATIVE["conj"]  # (complex_views: a real tensor is its own conjugate)
native.NATIVE["conj"] = lambda x: x if _conj_real(x) is x else _conj_complex(x)
