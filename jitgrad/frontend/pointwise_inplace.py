"""``t.op_(others)`` for an elementwise op: the in-place door of the dispatch.

Apart from :mod:`.pointwise` because an in-place op on a view of a tensor with history writes
through ``setitem`` (CopySlices), and the indexing front end imports the dispatch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from ..backends import STATE as DEVICE
from ..engine.grad_mode import STATE
from ..ops import expr as E
from ..ops.registry import FLOAT, OpDef
from . import lazy as L
from ._tensor_data import result_type
from .multi_view import check_custom
from .overlap import check_write
from .pointwise import apply, check_inplace
from .pointwise_node import OVERWROTE
from .subscript import setitem
from .tensor import Tensor, _make
from .view_relation import operand_history


def apply_inplace(op: OpDef, t, others: Sequence[Any]):
    """``t.op_(others)``: write into ``t``'s buffer, bump its version, rebase its history."""
    if L._LIVE:  # deferred results may read t: compute them before it changes
        L.flush(t)
    if DEVICE.active:  # and deferred device results
        DEVICE.backend.flush(t)
    if writes_through_view(t):
        return _through_view(op, t, others)
    check_inplace(t)
    if t._dtype.is_complex and op.name == "abs":  # a real result cannot go back in place
        raise RuntimeError("In-place abs is not supported for complex tensors.")
    on_device = DEVICE.active and DEVICE.backend.owns(t)  # device buffers never overlap
    others = DEVICE.backend.check_write(t, others) if on_device else check_write(t, others)
    args = [t, *others]
    cdt = result_type(args)
    if op.result == FLOAT and not cdt.is_floating_point:
        cdt = D.get_default_dtype()
    if cdt._category > t._dtype._category:
        raise RuntimeError(
            f"result type {D.scalar_name(cdt)} can't be cast to the desired output "
            f"type {D.scalar_name(t._dtype)}"
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
    if t.__dict__:  # a custom Function's view output refuses a recorded write
        check_custom(t)
    if D.any_complex(args):  # complex: out of place (the op's complex form), written back
        return _complex_inplace(op, t, others)
    reads_self = any(g is not None and "a" in E.free_names(g) for g in op.grads)
    saved = t._value
    if reads_self:
        saved = DEVICE.backend.copy(saved) if on_device else saved.copy()
    alias = _make(saved, t._dtype, t.grad_fn, output_nr=t._output_nr)
    alias._requires_grad = t._requires_grad
    res = apply(op, [alias, *others], out_dtype=t._dtype, out=t._value)
    t._bump()
    _rebase(t, op, res.grad_fn, reads_self)
    return t


def writes_through_view(t) -> bool:
    """Whether an in-place op on ``t`` is recorded as a write through a view: ``t`` views a
    root with history, whose history the write rebases (``CopySlices``)."""
    base = t._base
    return STATE.enabled and base is not None and base._requires_grad and base.grad_fn is not None


def _through_view(op: OpDef, t, others: Sequence[Any]):
    """In place on a view of a tensor with history: computed out of place, then written
    through the view with ``setitem``, which rebases the root's history (CopySlices)."""
    others = check_write(t, others)
    if DEVICE.active and DEVICE.backend.owns(t):
        value, (node, nr) = DEVICE.backend.copy(t._value), (t.grad_fn, t._output_nr)
    else:
        value, (node, nr) = t._value.copy(), operand_history(t, t._base)
    src = _make(value, t._dtype, node, output_nr=nr)
    src._requires_grad = t._requires_grad
    setitem(t, ..., apply(op, [src, *others], out_dtype=t._dtype))
    return t


def _rebase(t, op: OpDef, node: Any, reads_self: bool) -> None:
    """``node`` (the recorded op, which wrote into ``t``'s buffer) becomes ``t``'s history,
    saving ``t``'s counter and its version now as the result's."""
    if not reads_self and type(node._key) is tuple and "a" in E.free_names(op.expr):
        # the result, computed from the operand, overwrote it: see pointwise_node.OVERWROTE
        node._key = (OVERWROTE, *node._key)
    rec = node.record()  # the node itself, or a deferred or device node's SavedRecord
    rec.out_vc, rec.out_version = t._vc, t._vc[0]
    t.grad_fn = node
    t._output_nr = 0
    t._requires_grad = True
    if t._retains_grad:
        t._retain_on_new_node()


def _complex_inplace(op: OpDef, t, others: Sequence[Any]):
    """A recorded in-place op on complex values: the out-of-place node, read from a copy of
    ``t``'s old values, becomes ``t``'s history (a device tensor's copies stay on the device)."""
    value = t._value
    host = isinstance(value, np.ndarray)
    old = value.copy() if host else DEVICE.backend.copy(value)
    alias = _make(old, t._dtype, t.grad_fn, output_nr=t._output_nr)
    alias._requires_grad = t._requires_grad
    res = apply(op, [alias, *others])
    if host:
        np.copyto(value, res._value)
    else:
        value.copy_to_device(res._value)
    t._bump()
    t.grad_fn = res.grad_fn
    t._output_nr = 0
    t._requires_grad = True
    if t._retains_grad:
        t._retain_on_new_node()
    return t
