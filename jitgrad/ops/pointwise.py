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

from .. import argcheck as A
from .. import dtypes as D
from .. import memory
from ..autograd.engine import ABOVE
from ..autograd.grad_mode import STATE
from ..backends import STATE as DEVICE
from ..fusion import codegen as C
from ..fusion import lazy as L
from ..fusion import lowering as LW
from ..fusion.layout import iteration_views
from ..helpers import PARALLEL_THRESHOLD
from ..tensor import Tensor, _make
from . import checks as K
from . import expr as E
from .multi_view import check_marked
from .overlap import assert_no_internal_overlap, check_write
from .pointwise_backward import edge_indices, sum_to_shape
from .pointwise_node import OVERWROTE, ElementwiseBackward, _record
from .pointwise_plan import Plan, _plans, _signature, broadcast_shape
from .registry import FLOAT, REGISTRY, OpDef
from .saved_views import ROLES

#: Names other modules read from here (the elementwise entry), defined beside it.
__all__ = [
    "ROLES",
    "ElementwiseBackward",
    "Plan",
    "apply",
    "apply_inplace",
    "accumulate_inplace",
    "add_into",
    "broadcast_shape",
    "check_inplace",
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
    if len(args) == 2:  # spelled out: a starred map costs twice as much
        key = (op, out_dtype, _signature(args[0]), _signature(args[1]))
    else:
        key = (op, out_dtype, *map(_signature, args))
    plan = _plans.get(key)
    if plan is None:
        plan = _plans[key] = Plan(op, args, out_dtype)
    wants_grad = False
    if plan.simple:
        values = arrays = []
        for x in args:
            arrays.append(x._value)
            if x._requires_grad:
                wants_grad = True
    else:
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
                    v = K.scalar(plan, w, x)  # converted with PyTorch's overflow checks
            values.append(v)
    shape = arrays[0].shape
    same = True
    for a in arrays:
        if a.shape != shape:
            same = False
            shape = broadcast_shape([a.shape for a in arrays])
            break
    odt = plan.odt
    if out is None:
        n = arrays[0].size if same else math.prod(shape)
        if n < plan.pool_min:
            out = np.empty(shape, odt.np)
        else:
            if n >= lazy.min_size and L.FUSE.enabled:
                deferred = L.defer(op, args, out_dtype)  # large: start a pending chain
                if deferred is not None:
                    return deferred
            try:
                out = memory.empty(shape, odt.np, n)
            except (MemoryError, ValueError):
                raise A.alloc_failed(shape, odt.itemsize) from None
    elif out.shape != shape:
        raise RuntimeError(
            f"output with shape {list(out.shape)} doesn't match the broadcast shape {list(shape)}"
        )
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
    return _record(plan, args, values, out, shape if same else tuple([a.shape for a in arrays]))


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
    """``apply(op, args)`` with no ``out`` or ``out_dtype``: what operators and the elementwise
    functions call. This is the per-op hot path, so it is written flat, one call from the
    operator.

    It first tries the commonest call: one to three operands, the first a tensor with at most
    one dimension and fewer than ``Plan.small_max`` elements, the second a tensor of the
    same shape or a Python float or int (the third, if any, a Python float or int, as
    softplus's beta and threshold), every tensor already in the compute dtype. That is
    every op of a scalar model or a small-vector loop, where the Python around the kernel is
    the whole cost: this lane reads each operand once, needs no broadcast, and calls the
    plan's serial kernel directly (its operands a tuple: the node saves that one object).
    Anything else (or a deferred operand) takes :func:`_general`.
    """
    if DEVICE.active:  # a device tensor exists somewhere: device operands take its kernels
        result = DEVICE.elementwise(op, args, None, None)
        if result is not None:
            return result
    lazy = L.STATE
    a = args[0]
    if not ((lazy.enabled or lazy.seen and L.any_lazy(args)) and L.FUSE.enabled) and isinstance(
        a, Tensor
    ):
        va = a._value
        shape = va.shape
        nd = len(shape)
        plan = None
        if nd < 2:
            grad = a._requires_grad
            sig = a._dtype if nd else (a._dtype, 0)  # as _signature gives it
            if len(args) == 1:
                plan = _plans.get((op, None, sig))
                values = (va,)
            elif len(args) == 2:
                b = args[1]
                kind = type(b)
                if kind is float or kind is int:
                    plan = _plans.get((op, None, sig, kind))
                    if plan is not None:
                        c = plan.consts.get(b)
                        if c is None:
                            c = K.scalar(plan, plan.wants[1], b)
                        values = (va, c)
                elif isinstance(b, Tensor):
                    vb = b._value
                    if vb.shape == shape:
                        plan = _plans.get((op, None, sig, b._dtype if nd else (b._dtype, 0)))
                        values = (va, vb)
                        grad = grad or b._requires_grad
            elif len(args) == 3:  # a tensor and two numbers: softplus, hardtanh, elu...
                b, c = args[1], args[2]
                kb, kc = type(b), type(c)
                if (kb is float or kb is int) and (kc is float or kc is int):
                    plan = _plans.get((op, None, sig, kb, kc))
                    if plan is not None:
                        consts = plan.consts
                        cb = consts.get(b)
                        if cb is None:
                            cb = K.scalar(plan, plan.wants[1], b)
                        cc = consts.get(c)
                        if cc is None:
                            cc = K.scalar(plan, plan.wants[2], c)
                        values = (va, cb, cc)
        if plan is not None and 0 < va.size < plan.small_max:  # small_max 0: casts needed
            out = np.empty(shape, plan.odt.np)
            kernel = plan.serial[nd] or plan.compile_serial(nd)
            kernel.fn(*values, out)
            if not (grad and plan.records and STATE.enabled):
                return _make(out, plan.odt)
            return _record(plan, args, values, out, shape)
    return _general(op, args, None, None)


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


def apply_inplace(op: OpDef, t, others: Sequence[Any]):
    """``t.op_(others)``: write into ``t``'s buffer, bump its version, rebase its history."""
    if L._LIVE:  # deferred results may read t: compute them before it changes
        L.flush(t)
    if DEVICE.active:  # and deferred device results
        DEVICE.backend.flush(t)
    base = t._base
    if STATE.enabled and base is not None and base._requires_grad and base.grad_fn is not None:
        # In place on a view of a tensor with history: compute out of place, then write it
        # through the view with setitem, which rebases the root's history (CopySlices).
        from .indexing import setitem

        others = check_write(t, others)
        value = t._value
        value = DEVICE.backend.copy(value) if DEVICE.active and DEVICE.backend.owns(t) else (
            value.copy()
        )
        src = _make(value, t._dtype, t.grad_fn, output_nr=t._output_nr)
        src._requires_grad = t._requires_grad
        setitem(t, ..., apply(op, [src, *others], out_dtype=t._dtype))
        return t
    check_inplace(t)
    on_device = DEVICE.active and DEVICE.backend.owns(t)  # device buffers never overlap
    others = DEVICE.backend.check_write(t, others) if on_device else check_write(t, others)
    args = [t, *others]
    cdt = D.result_type(args)
    if op.result == FLOAT and not cdt.is_floating_point:
        cdt = D.get_default_dtype()
    if cdt._category > t._dtype._category:
        raise RuntimeError(
            f"result type {_TYPE_WORD[cdt._category]} can't be cast to the desired output "
            f"type {_dtype_word(t._dtype)}"
        )
    recording = (
        STATE.enabled
        and op.differentiable
        and any(isinstance(x, Tensor) and x._requires_grad for x in args)
    )
    if not recording:
        apply(op, args, out_dtype=t._dtype, out=t._value)
        t._bump()
        return t
    reads_self = any(g is not None and "a" in E.free_names(g) for g in op.grads)
    saved = t._value
    if reads_self:
        saved = DEVICE.backend.copy(saved) if on_device else saved.copy()
    alias = _make(saved, t._dtype, t.grad_fn, output_nr=t._output_nr)
    alias._requires_grad = t._requires_grad
    res = apply(op, [alias, *others], out_dtype=t._dtype, out=t._value)
    t._bump()
    node = res.grad_fn
    if not reads_self and type(node._key) is tuple and "a" in E.free_names(op.expr):
        # the result, computed from the operand, overwrote it: see pointwise_node.OVERWROTE
        node._key = (OVERWROTE, *node._key)
    saved = list(node._saved)
    saved[5], saved[8] = t._vc, t._vc[0]
    node._saved = tuple(saved)
    t.grad_fn = node
    t._output_nr = 0
    t._requires_grad = True
    if t._retains_grad:
        t._retain_on_new_node()
    return t


_TYPE_WORD = {0: "Bool", 1: "Long", 2: "Float"}


def _dtype_word(dt: D.dtype) -> str:
    return {
        "float32": "Float",
        "float64": "Double",
        "int64": "Long",
        "int32": "Int",
        "bool": "Bool",
    }[dt.name]


def accumulate_inplace(t, other) -> None:
    """``t += other`` for gradient accumulation (no graph, shapes equal)."""
    assert_no_internal_overlap(t._value)  # a .grad the user set to an expanded tensor
    if not add_into(t, other):
        apply(_ADD, [t, other], out_dtype=t._dtype, out=t._value)
    t._bump()


def add_into(t: Tensor, other: Tensor) -> bool:
    """``t += other`` (no graph, no version bump) by the add plan's serial kernel, where both
    have one shape of at most one dimension and fewer than ``Plan.small_max`` elements and
    one dtype; False (nothing done) otherwise. The engine sums gradients with it."""
    va, vo = t._value, other._value
    shape = va.shape
    nd = len(shape)
    if nd > 1 or vo.shape != shape or other._dtype is not t._dtype:
        return False
    if DEVICE.active and not isinstance(va, np.ndarray):  # device buffers: the plain path
        return False
    sig = t._dtype if nd else (t._dtype, 0)  # as _signature gives it
    plan = _plans.get((_ADD, None, sig, sig))
    if plan is None or not 0 < va.size < plan.small_max:
        return False
    kernel = plan.serial[nd] or plan.compile_serial(nd)
    kernel.fn(va, vo, va)
    return True


_ADD = REGISTRY["add"]

# Deferral (fusion.lazy, imported above) plans through this module's cache and edges; it
# cannot import this module back, so they are handed in here.
L.bind_dispatch(_plans, Plan, broadcast_shape, edge_indices)


ABOVE.add_into = add_into  # the engine sums gradients through this (see engine.ABOVE)
