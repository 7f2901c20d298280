"""Elementwise ops on complex64/complex128 device tensors: one rendered CUDA kernel per call.

The CPU runs such calls in :mod:`jitgrad.complex_ops` (one numpy ufunc per op, never fused,
the node's backward written in Tensor ops). The device takes the same path with only the
forward value computed differently: the op's complex expression (``cmath.exp(a_)``,
``a_ / b_`` ...; numba's CUDA target lowers ``cmath`` and complex arithmetic) rendered by
:mod:`.render` over the broadcast operands. The op lookup, PyTorch's refusals, the dtypes and
the recorded node (its backward: Tensor ops, which run on the device again) are
:mod:`jitgrad.complex_ops`' own, so a complex program gives the CPU's values, gradients,
node names and errors on either device.

:func:`run` is reached from :func:`.elementwise.run` (``COMPLEX``) on a plan miss for a call
that takes or makes complex values, as the CPU's dispatch reaches ``complex_ops``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ... import complex_api as CA
from ... import complex_ops as CO
from ... import dtypes as D
from ...frontend import pointwise as P
from ...frontend.saved_views import ROLES
from ...frontend.tensor import Tensor
from ...fusion.codegen import STORE, KernelSpec
from ...ops.registry import OpDef
from . import elementwise, native, render, runtime

#: op name -> its value from the operands ``a_``, ``b_``, ``c_`` (already in the compute
#: dtype; ``where``'s condition ``a_`` as it is), as numpy computes it on the CPU
EXPRESSIONS = {
    "add": "a_ + b_",
    "sub": "a_ - b_",
    "add_scaled": "a_ + c_ * b_",
    "sub_scaled": "a_ - c_ * b_",
    "mul": "a_ * b_",
    "div": "a_ / b_",
    "pow": "a_ ** b_",
    "neg": "-a_",
    "exp": "cmath.exp(a_)",
    "log": "cmath.log(a_)",
    "sqrt": "cmath.sqrt(a_)",
    "square": "a_ * a_",
    "reciprocal": "1 / a_",
    "sin": "cmath.sin(a_)",
    "cos": "cmath.cos(a_)",
    "tanh": "cmath.tanh(a_)",
    "sinh": "cmath.sinh(a_)",
    "cosh": "cmath.cosh(a_)",
    "abs": "abs(a_)",
    "sgn": "a_ / abs(a_) if abs(a_) != 0 else a_ * 0",  # (0 at 0, as sgn_value)
    "cast": "a_",
    "clone": "a_",
    "copy": "b_",  # b broadcast to a's shape
    "where": "b_ if a_ else c_",
    "eq": "a_ == b_",
    "ne": "a_ != b_",
    "isnan": "cmath.isnan(a_)",
    "isinf": "cmath.isinf(a_)",
    "isfinite": "cmath.isfinite(a_)",
    "angle": "cmath.phase(a_)",
}
_DISCARD = "a_.real"  # a complex tensor cast to a real dtype (PyTorch warns)
_specs: dict[tuple, KernelSpec] = {}


def run(op: OpDef, args: Sequence[Any], out_dtype: D.dtype | None, out: Any = None) -> Tensor:
    """``complex_ops.elementwise`` on the device (module docstring); ``out``: a device array
    of the broadcast shape the result is written into (in-place ops)."""
    _fwd, grads, cdt = CO.lookup(op, args, out_dtype, "cuda")
    composed = CO.composed_sgn(op, args)
    if composed is not None:
        return composed
    discard = CO.discards_imaginary(op, args, cdt)
    if discard:
        CO.warn_discard()
    odt = CO.result_dtype(op, cdt, out_dtype)
    values = [_operand(x, k, cdt, discard or k == 0 and op.condition) for k, x in enumerate(args)]
    shape = P.broadcast_shape([tuple(v.shape) for v in values if runtime.is_device_array(v)])
    if op.name == "copy":
        shape = tuple(values[0].shape)
    if out is None:
        out = runtime.empty(shape, odt.np)
    else:
        CO.check_out("c" if odt.is_complex else "f", out.dtype.kind, cdt, odt)
        elementwise.check_out_shape(out, shape)
    spec = _spec(op.name, discard, values, out.dtype.name, max(1, len(shape)))
    operands = {"out": out, **dict(zip(ROLES, values, strict=False))}
    render.run(spec, shape, operands)
    return CO.record_result(op, args, grads, cdt, out, odt)


def _operand(x: Any, k: int, cdt: D.dtype, as_is: bool) -> Any:
    """Operand ``x`` as the kernel reads it: a device array in ``cdt`` (as it is for
    ``where``'s condition and a cast that keeps the real part), a scalar in ``cdt``."""
    if not isinstance(x, Tensor):
        return cdt.np.type(x)
    v = x._value
    return v if as_is or v.dtype == cdt.np else runtime.cast(runtime.contiguous(v), cdt.np)


def _spec(name: str, discard: bool, values: list, odt: str, nd: int) -> KernelSpec:
    scalars = tuple(not runtime.is_device_array(v) for v in values)
    key = (name, discard, scalars, odt, nd)
    spec = _specs.get(key)
    if spec is None:
        expr = _DISCARD if discard else EXPRESSIONS[name]
        for role, scalar in zip(ROLES, scalars, strict=False):
            if scalar:  # (the renderer loads array x as x_; a scalar is its parameter x)
                expr = re.sub(rf"\b{role}_\b", role, expr)
        spec = _specs[key] = KernelSpec(
            label=f"complex_{name}",
            inputs=tuple(zip(ROLES, scalars, strict=False)),
            stmts=(("r", expr),),
            outputs=(("out", "r", STORE, odt),),
            ndim=nd,
            comment=(f"out = {expr}  (complex {name}: jitgrad.complex_ops' op on the device)",),
        )
    return spec


def angle(input: Any) -> Any:  # noqa: A002
    """``torch.angle`` of a complex device tensor (a real one: the CPU op's own path)."""
    if not isinstance(input, Tensor) or not input._dtype.is_complex:
        return NotImplemented
    dt = D.real_of(input._dtype)
    out = runtime.empty(tuple(input.shape), dt.np)
    spec = _spec("angle", False, [input._value], dt.name, max(1, input.dim()))
    render.run(spec, tuple(input.shape), {"a": input._value, "out": out})
    return CA.record_angle(input, out)


elementwise.COMPLEX[0] = run
native.NATIVE["angle"] = angle  # (read when the host fallback wraps the ops: after this)
