"""Running elementwise ops: dtype promotion, broadcasting, kernel launch (the per-op hot
path), and in-place ops.

The modules beside it hold the rest of an elementwise call: :mod:`.pointwise_plan` what each
call signature fixes (the :class:`Plan` cache), :mod:`.pointwise_node` the recording and the
backward node classes, :mod:`.pointwise_backward` the gradients. Every kernel is a group of
the one lowering (:mod:`jitgrad.fusion.lowering`): a single op is a fusion group of size one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from .. import memory
from ..backends import STATE as DEVICE
from ..engine.grad_mode import GRAD_OFF, STATE
from ..engine.sweep import ABOVE
from ..fusion import codegen as C
from ..fusion import lowering as LW
from ..fusion.layout import iteration_views
from ..helpers import PARALLEL_THRESHOLD
from ..ops.registry import REGISTRY, OpDef
from . import argcheck as A
from . import checks as K
from . import lazy as L
from . import pointwise_backward as BACKWARD
from .multi_view import check_marked
from .np_bound import np_empty
from .overlap import assert_no_internal_overlap
from .pointwise_backward import edge_indices, sum_to_shape
from .pointwise_node import ElementwiseBackward, _record
from .pointwise_plan import LANES, Plan, _plans, _signature, broadcast_shape, lane_plan
from .saved_views import ROLES
from .tensor import Tensor, _make

#: Names other modules read from here (the elementwise entry), defined beside it.
__all__ = [
    "ROLES",
    "ElementwiseBackward",
    "Plan",
    "apply",
    "accumulate_inplace",
    "add_into",
    "broadcast_shape",
    "check_inplace",
    "record_value",
    "edge_indices",
    "run",
    "sum_to_shape",
]

#: A single op's kernels are groups of one of the one lowering (the CUDA backend reads these).
_forward_spec = LW.op_forward
_backward_spec = LW.op_backward


def apply(
    op: OpDef, args: Sequence[Any], out_dtype: D.dtype | None = None, out: np.ndarray | None = None
):
    """Run elementwise ``op`` on Tensors and Python scalars, recording the graph if needed.

    ``out``, if given, is the array the result is written to (in-place ops); it must have
    the broadcast shape; ``out_dtype`` overrides the result's dtype. Calls with neither go
    through :func:`run`.
    """
    if out is None and out_dtype is None:
        return run(op, args)
    return _general(op, args, out_dtype, out)


def _general(op: OpDef, args: Sequence[Any], out_dtype: D.dtype | None, out: np.ndarray | None):
    """:func:`apply` for any operands: deferral, dtype promotion, broadcasting, any layout."""
    if DEVICE.active:  # a device tensor exists somewhere: device operands take its kernels
        result = DEVICE.elementwise(op, args, out_dtype, out)
        if result is not None:
            return result
    lazy = L.STATE
    if out is None and (lazy.enabled or lazy.seen and L.any_lazy(args)) and L.FUSE.enabled:
        deferred = L.defer(op, args, out_dtype)  # forward fusion: extend the pending chain
        if deferred is not None:
            return deferred
    return _now(op, args, out_dtype, out)


def _now(op: OpDef, args: Sequence[Any], out_dtype: D.dtype | None, out: np.ndarray | None):
    """:func:`_general` once the op is not deferred: it runs now (or starts a chain, see
    :func:`_allocate`)."""
    if len(args) == 2:  # spelled out: a starred map costs twice as much
        key = (op, out_dtype, _signature(args[0]), _signature(args[1]))
    else:
        key = (op, out_dtype, *map(_signature, args))
    plan = _plans.get(key)
    if plan is None:  # (complex operands: the op's complex form, see Plan)
        plan = _plans[key] = Plan(op, args, out_dtype)
    values, arrays, wants_grad = _operands(plan, args)
    shape = arrays[0].shape
    same = True
    for a in arrays:
        if a.shape != shape:
            same = False
            shape = broadcast_shape([a.shape for a in arrays])
            break
    odt = plan.odt
    fresh = out is None
    if fresh:
        out = _allocate(plan, op, args, out_dtype, shape, arrays[0].size if same else 0)
        if isinstance(out, Tensor):  # deferred (a large result starts a pending chain)
            return out
    else:
        K.fits_out(plan, out, shape)
    size = out.size
    if same and len(shape) < 2 and 0 < size < PARALLEL_THRESHOLD:  # small, 0-d or 1-D
        kernel = plan.serial[len(shape)] or plan.compile_serial(len(shape))
        kernel.fn(*values, out)
    elif size:
        _launch(plan, values, arrays, out, shape, same)
    if odt.round is not None:  # float16/bfloat16: computed in float32, rounded once here
        out = odt.round(out)
    if not (wants_grad and plan.records and STATE.enabled):
        return _make(out, odt)
    if not same:
        return _record(plan, args, values, out, tuple([a.shape for a in arrays]))
    # the node run()'s small lane records for this call (an op's first call comes here)
    lean = plan.lean and fresh and out_dtype is None and len(shape) < 2 and size < plan.small_max
    return _record(plan, args, values, out, shape, lean)


def _operands(plan: Plan, args: Sequence[Any]) -> tuple[list, list, bool]:
    """:func:`_general`'s kernel operands (tensors cast to their compute dtype, numbers
    converted with PyTorch's overflow checks), the tensor operands' arrays (the same list
    when every operand is a tensor in its compute dtype), and whether one requires grad."""
    wants_grad = False
    if plan.simple:
        values = arrays = []
        for x in args:
            arrays.append(x._value)
            if x._requires_grad:
                wants_grad = True
        return values, arrays, wants_grad
    values, arrays = [], []
    for x, w, m in zip(args, plan.wants, plan.smask):
        if m == "t":
            v = x._value if x._dtype is w else x._value.astype(w.np)
            arrays.append(v)
            if x._requires_grad:
                wants_grad = True
        else:
            v = plan.consts.get(x)
            if v is None:
                v = K.scalar(plan, w, x)
        values.append(v)
    return values, arrays, wants_grad


def _allocate(
    plan: Plan, op: OpDef, args: Sequence[Any], out_dtype: D.dtype | None, shape: tuple, n: int
) -> np.ndarray | Tensor:
    """:func:`_general`'s result buffer of ``shape`` (``n`` its size, 0 if not known yet):
    a plain array below the pooling size, else a pooled one; or, from the deferral size, the
    deferred result (a pending chain's first op) if the op can be deferred."""
    n = n or math.prod(shape)
    odt = plan.odt
    if n < plan.pool_min:
        return np.empty(shape, odt.np)
    if n >= L.STATE.min_size and L.FUSE.enabled:
        deferred = L.defer(op, args, out_dtype)  # large: start a pending chain
        if deferred is not None:
            return deferred
    try:
        return memory.empty(shape, odt.np, n)
    except (MemoryError, ValueError):
        raise A.alloc_failed(shape, odt.itemsize) from None


def _launch(plan: Plan, values: list, arrays: list, out: np.ndarray, shape: tuple, same: bool):
    """The forward kernel over any layout: 1-D as it is, else views of one loop nest."""
    size = out.size
    if same and len(shape) == 1:  # the operands serve a 1-D loop as they are
        plan.kernel(1, size >= PARALLEL_THRESHOLD).fn(*values, out)
        return
    views, ndim = iteration_views(shape, [*arrays, out])
    kernel = plan.kernel(ndim, size >= PARALLEL_THRESHOLD)
    if values is arrays:
        call = views
    else:
        it = iter(views)
        call = [next(it) if m == "t" else v for v, m in zip(values, plan.smask)]
        call.append(views[-1])
    if ndim == 2:
        kernel, call = C.for_call(kernel, call)
    kernel.fn(*call)


def run(op: OpDef, args: Sequence[Any]) -> Tensor:
    """``apply(op, args)`` with no ``out`` or ``out_dtype`` (operators and the elementwise
    functions): the per-op hot path, written flat. Its small lane: a first tensor of at most
    one dimension and fewer than ``Plan.small_max`` elements, then a tensor of its shape or
    Python numbers (:func:`_three` for two), every tensor in its compute dtype: no broadcast,
    the plan's serial kernel called directly. Anything else takes :func:`_general`."""
    if DEVICE.active and (result := DEVICE.elementwise(op, args, None, None)) is not None:
        return result  # a device tensor exists somewhere: device operands take its kernels
    lazy, a = L.STATE, args[0]
    if (lazy.enabled or lazy.seen and L.any_lazy(args)) and L.FUSE.enabled:
        deferred = L.defer(op, args, None)  # _general's forward fusion, one frame and one
        return _now(op, args, None, None) if deferred is None else deferred  # any_lazy less
    if isinstance(a, Tensor):
        va = a._value
        shape = va.shape
        nd = len(shape)
        plan = None
        if nd < 2:  # the plan from LANES: nested dicts, no key built (see pointwise_plan)
            grad = a._requires_grad
            n = len(args)
            try:
                if n == 1:
                    plan = _LANE1[nd][op][a._dtype]
                    values = (va,)
                elif n == 2:
                    b = args[1]
                    kind = type(b)
                    if kind is float or kind is int:
                        plan = _LANE2[nd][op][a._dtype][kind]
                        c = plan.consts.get(b)  # (a conversion costs five lookups)
                        values = (va, K.scalar(plan, plan.wants[1], b) if c is None else c)
                    elif isinstance(b, Tensor) and (vb := b._value).shape == shape:
                        plan = _LANE2[nd][op][a._dtype][b._dtype]
                        values = (va, vb)
                        grad = grad or b._requires_grad
                elif n == 3:  # a tensor and two numbers: softplus, hardtanh, elu...
                    plan, values = _three(_LANE3[nd][op][a._dtype], args, va)
            except KeyError:  # not in LANES yet: entered for the next call, _now this time
                plan = None
                lane_plan(nd, op, args)
        if plan is not None and 0 < (va.size if nd else 1) < plan.small_max:  # 0: casts needed
            out = np_empty(shape, plan.odt.np)
            if entry := plan.entry[nd]:  # 0-d: compiled code, no type dispatch (call_serial)
                entry(*values, out)
            else:
                plan.call_serial(nd, values, out)
            if not (grad and plan.records and (not GRAD_OFF[0] or STATE.enabled)):
                return _make(out, plan.odt)
            return plan.record(plan, args, values, out, shape, plan.lean)
    return _now(op, args, None, None)


def record_value(op: OpDef, args: Sequence[Any], value: Tensor) -> Tensor | None:
    """``run(op, args)``'s result and node with ``value`` (the lowered backward kernel's
    gradient) as its result, no kernel run: the last op of a create_graph rule
    (:func:`.pointwise_backward._last_recorded`), whose value the kernel computed already.
    ``value`` itself where no operand requires grad (the op would record nothing); None
    where it cannot stand for the op's result (another shape or dtype, a result rounded to
    16 bits, device, deferred or complex operands): the caller runs the op."""
    if DEVICE.active or L.STATE.enabled or L.STATE.seen and L.any_lazy(args):
        return None
    if len(args) == 2:  # (as in _general)
        key = (op, None, _signature(args[0]), _signature(args[1]))
    else:
        key = (op, None, *map(_signature, args))
    plan = _plans.get(key)
    if plan is None:
        if D.any_complex(args, None):  # complex operands never get a plan (see _general)
            return None
        plan = _plans[key] = Plan(op, args, None)
    if plan.odt is not value._dtype or plan.odt.round is not None:
        return None
    values, arrays, wants_grad = _operands(plan, args)
    out = value._value
    shape = shapes = out.shape  # (written out, as _general: this is per gradient)
    for a in arrays:
        if a.shape != shape:
            shapes = tuple([a.shape for a in arrays])
            if broadcast_shape(shapes) != shape:
                return None
            break
    if not (wants_grad and plan.records and STATE.enabled):
        return value
    return _record(plan, args, values, out, shapes)


def _three(lane: dict, args: Sequence[Any], va: np.ndarray) -> tuple:
    """:func:`run`'s small lane for a tensor and two Python floats or ints (softplus's beta
    and threshold): the plan from ``lane`` (``LANES`` below the op and the tensor's dtype; a
    miss raises KeyError) or None if an operand is something else, and the kernel's
    operands, each number converted to its operand's dtype once per plan (``Plan.consts``)."""
    b, c = args[1], args[2]
    kb, kc = type(b), type(c)
    if (kb is not float and kb is not int) or (kc is not float and kc is not int):
        return None, None
    plan = lane[kb][kc]
    consts = plan.consts
    cb = consts.get(b)
    if cb is None:
        cb = K.scalar(plan, plan.wants[1], b)
    cc = consts.get(c)
    if cc is None:
        cc = K.scalar(plan, plan.wants[2], c)
    return plan, (va, cb, cc)


LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_LEAF_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)


def check_inplace(t) -> None:
    """PyTorch's refusals for in-place ops that would corrupt the graph."""
    if t.__dict__:  # an unbind/split output or an inference tensor (see .multi_view)
        check_marked(t)
    if not STATE.enabled:
        return
    if t._requires_grad and t.grad_fn is None:
        raise RuntimeError(LEAF_INPLACE)
    base = t._base
    if base is not None and base._requires_grad:
        if base.grad_fn is None:
            raise RuntimeError(VIEW_LEAF_INPLACE)
        raise NotImplementedError(
            "jitgrad does not yet support in-place operations on views of tensors that "
            "require grad; use the out-of-place op instead"
        )


def accumulate_inplace(t, other) -> None:
    """``t += other`` for gradient accumulation (no graph, shapes equal)."""
    assert_no_internal_overlap(t._value)  # a .grad the user set to an expanded tensor
    # (add_into's 0-d entry point writes without Numba's refusal of a read-only array)
    if not (t._value.flags.writeable and add_into(t, other)):
        apply(_ADD, [t, other], out_dtype=t._dtype, out=t._value)
    t._bump()


def add_into(t: Tensor, other: Tensor) -> bool:
    """``t += other`` (no graph, no version bump) by the add plan's serial kernel, where both
    have one shape of at most one dimension and fewer than ``Plan.small_max`` elements and
    one dtype; False (nothing done) otherwise. The engine sums gradients with it (into its
    own new buffers); ``t`` must be writeable."""
    va, vo = t._value, other._value
    shape = va.shape
    nd = len(shape)
    if nd > 1 or vo.shape != shape or other._dtype is not t._dtype:
        return False
    if DEVICE.active and not isinstance(va, np.ndarray):  # device buffers: the plain path
        return False
    plan = _add_plans[nd].get(t._dtype)
    if plan is None:
        sig = t._dtype if nd else (t._dtype, 0)  # as _signature gives it
        plan = _plans.get((_ADD, None, sig, sig))
        if plan is None:
            return False
        _add_plans[nd][t._dtype] = plan
    if not 0 < va.size < plan.small_max:
        return False
    if entry := plan.entry[nd]:  # as in run (t is writeable: see accumulate_inplace)
        entry(va, vo, va)
    else:
        plan.call_serial(nd, (va, vo), va)
    return True


_LANE1, _LANE2, _LANE3 = LANES
_ADD = REGISTRY["add"]
#: add_into's plans per ndim (0, 1) and dtype: the engine sums gradients several times per
#: node of a scalar graph, and this lookup builds no key. Emptied with ``_plans``.
_add_plans: tuple[dict, dict] = ({}, {})
D.on_default_dtype_change(_add_plans[0].clear)
D.on_default_dtype_change(_add_plans[1].clear)

# Deferral (frontend.lazy, imported above) plans through this module's cache and edges; it
# cannot import this module back, so they are handed in here.
L.bind_dispatch(_plans, Plan, broadcast_shape, edge_indices)


ABOVE.add_into = add_into  # the engine sums gradients through this (see engine.ABOVE)
# a create_graph rule's last op is recorded through this (pointwise_backward sits below)
BACKWARD.ABOVE.record_value = record_value
