"""Elementwise ops on device tensors: the same plans and kernel descriptions as the CPU path
(:mod:`jitgrad.frontend.pointwise`), rendered by :mod:`.render` as CUDA kernels.

:func:`run` is the hook :func:`jitgrad.frontend.pointwise.run` and ``_general`` call once a
device tensor exists (``backends.STATE.active``); it returns None when no operand is on the
device, so CPU calls go on as before. The backward node is the CPU node class (PyTorch's
name, same saved tuple) with its kernel step replaced by :func:`backward`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ... import dtypes as D
from ...engine.grad_mode import STATE as GRAD
from ...frontend import checks as K
from ...frontend import pointwise as P
from ...frontend.lazy import LazyTensor
from ...frontend.pointwise_backward import gradient_buffers, gradient_tensors
from ...frontend.saved_views import ROLES
from ...frontend.tensor import Tensor, _make
from ...ops.complex_refusals import refuse_complex
from ...ops.registry import REGISTRY, complex_form
from . import deferred, render, runtime
from .deferred import DeviceLazyTensor

_plans: dict[tuple, P.Plan] = {}
D.on_default_dtype_change(_plans.clear)  # plans fix the default dtype of float scalars
_node_classes: dict[type, type] = {}
#: ``clone`` copies at once, never deferred: it is how a program snapshots memory it shares
#: with another library (``torch.tensor(cuda_array)``), whose writes bump no version.
_CLONE = REGISTRY["clone"]
#: Kernel descriptions by (plan id, ndim) forward and by the CPU's key backward.
_specs: dict[tuple, Any] = {}


def device_mismatch(a: str, b: str) -> RuntimeError:
    return RuntimeError(
        f"Expected all tensors to be on the same device, but found at least two devices, "
        f"{a} and {b}!"
    )


def on_device(x: Any) -> bool:
    """Whether ``x`` is a device tensor (a deferred CPU result is not read: reading would
    compute it; a deferred device result is one without being computed)."""
    if not isinstance(x, Tensor):
        return False
    kind = type(x)
    if kind is DeviceLazyTensor:
        return True
    return kind is not LazyTensor and isinstance(x._value, runtime.DEVICE_ARRAY_TYPES)


def operands(args: Sequence[Any]) -> None:
    """PyTorch's error if host tensors (other than 0-d ones, which PyTorch takes as scalars)
    are mixed with device tensors (some operand is one)."""
    for x in args:
        if isinstance(x, Tensor) and not on_device(x) and x.dim():
            raise device_mismatch("cuda:0", "cpu")


def run(op: Any, args: Sequence[Any], out_dtype: D.dtype | None = None, out: Any = None):
    """``pointwise.apply`` for device operands; None if no operand is a device tensor.

    Without ``out`` the result is deferred (:mod:`.deferred`: a chain of such results runs
    as one fused kernel when read) unless deferral is off, else computed now."""
    for x in args:  # the common answer first: no device operand, nothing to do
        if isinstance(x, Tensor):
            kind = type(x)
            if kind is DeviceLazyTensor:
                break
            if kind is not LazyTensor and not isinstance(x._value, np.ndarray):
                break
    else:
        if out is None or isinstance(out, np.ndarray):
            return None
    operands(args)
    args = [
        x
        if not isinstance(x, Tensor) or on_device(x)
        else _make(runtime.to_device(x._value), x._dtype)
        for x in args
    ]
    key = (op, out_dtype, *map(_signature, args))
    plan = _plans.get(key)
    if plan is None and D.any_complex(args, out_dtype) and complex_form(op) is None:
        refuse_complex(op, args, "cuda")  # (PyTorch names the device's kernel)
    if plan is None:  # (deferred operands as stand-ins: the promotion rules read the value)
        plan = _plans[key] = P.Plan(op, [_stand_in(x) for x in args], out_dtype)
        plan.node_cls = _device_node_class(plan.node_cls)
    shapes = tuple(tuple(x.shape) for x, m in zip(args, plan.smask, strict=True) if m == "t")
    shape = P.broadcast_shape(list(shapes))
    same = all(s == shape for s in shapes)
    if out is None and op is not _CLONE and deferred.enabled() and 0 not in shape:
        return deferred.defer(plan, args, shape, shape if same else shapes)
    return _now(plan, args, shape, shape if same else shapes, out)


def _now(plan: P.Plan, args: list, shape: tuple, shapes: Any, out: Any) -> Tensor:
    """Run ``plan`` on device ``args`` now, into ``out`` (a device array of the broadcast
    ``shape``) or a new array; recorded as the CPU records it (``shapes``: the operands'
    shapes where they differ, else ``shape``)."""
    values, wants_grad = [], False
    for x, w, m in zip(args, plan.wants, plan.smask, strict=True):
        if m == "t":
            v = x._value if x._dtype is w else runtime.cast(x._value, w.np)
            wants_grad = wants_grad or x._requires_grad
        else:
            v = plan.consts.get(x)
            if v is None:
                v = K.scalar(plan, w, x)
        values.append(v)
    if out is None:
        out = runtime.empty(shape, plan.odt.np)
    else:
        check_out_shape(out, shape)
    nd = max(1, len(shape))
    spec = _specs.get((plan.pid, nd))
    if spec is None:  # rendering the expression is the slow part: once per plan and ndim
        spec = P._forward_spec(plan.op, plan.smask, nd, False, plan.cdt.name, plan.odt.name)
        _specs[(plan.pid, nd)] = spec
    ops = dict(zip(ROLES, values, strict=False))
    ops["out"] = out
    render.run(spec, shape, ops)
    if not (wants_grad and plan.records and GRAD.enabled):
        return _make(out, plan.odt)
    return P._record(plan, args, values, out, shapes)


def check_out_shape(out: Any, shape: tuple[int, ...]) -> None:
    """PyTorch's error for an ``out`` that is not of the broadcast shape."""
    if tuple(out.shape) != shape:
        raise RuntimeError(
            f"output with shape {list(out.shape)} doesn't match the broadcast shape {list(shape)}"
        )


def _signature(x: Any) -> Any:
    """What fixes a plan (as the CPU's ``_signature``): a 0-d tensor promotes like a scalar."""
    if isinstance(x, Tensor):
        return x._dtype if x.dim() else (x._dtype, 0)
    return type(x)


def _stand_in(x: Any) -> Any:
    """A tiny host tensor with deferred ``x``'s dtype and ndim (``x`` itself otherwise)."""
    if deferred.pending(x) is None:
        return x
    return _make(np.zeros((1,) * x.dim(), x._dtype.np), x._dtype)


def backward(op, smask, args, values, cdt, g, needs, out) -> list:
    """The gradients of one elementwise op on the device (``pointwise._kernel_backward``'s
    contract): one kernel from the op's backward description; broadcast inputs' gradients are
    summed deterministically (see :func:`render.run`)."""
    shape = tuple(out.shape)
    garr = g._value if on_device(g) else runtime.to_device(g._value)
    if garr.dtype != cdt.np:
        garr = runtime.cast(garr, cdt.np)
    modes, buffers, gdts = gradient_buffers(
        args, needs, values, shape, out.size, runtime.empty, runtime.zeros
    )
    if out.size:
        nd = max(1, len(shape))
        # cdt.kname: a float16/bfloat16 op's gradients are computed in float32 and rounded
        # once each (gradient_tensors), as the CPU's (pointwise_backward._kernel_entry)
        key = (op.name, smask, tuple(modes), nd, cdt.kname, tuple(gdts))
        entry = _specs.get(key)
        if entry is None:
            entry = _specs[key] = P._backward_spec(
                op, smask, tuple(modes), nd, False, cdt.kname, tuple(gdts)
            )
        spec, order = entry
        ops: dict[str, Any] = {"g": garr, "out": out}
        ops.update(zip(ROLES, values, strict=False))
        for role, b in zip(ROLES, buffers, strict=False):
            if b is not None:
                ops[f"g{role}"] = b
        render.run(spec, shape, ops)
        for x, b in zip(args, buffers, strict=True):
            if b is not None and x._dtype.round is not None:
                round_in_place(b, x._dtype)
    return gradient_tensors(op, smask, args, modes, buffers)


def round_in_place(buf: Any, dt: Any) -> None:
    """Device float32 ``buf``'s values rounded to float16/bfloat16 ``dt``: a gradient is
    rounded once, after its kernel has stored or summed it all, where the CPU's ``_make``
    rounds its buffer (on the device ``dt.round`` passes a device array through)."""
    if buf.size == 0:
        return
    spec = _specs.get(("round", dt.name))
    if spec is None:
        spec = _specs[("round", dt.name)] = P._forward_spec(_CLONE, "t", 1, False, dt.name, dt.name)
    flat = runtime.flat(buf)
    render.run(spec, (flat.size,), {"a": flat, "out": flat})


def round_device(a: Any, name: str) -> Any:
    """:data:`jitgrad.lowp.DEVICE`: a device float32 array made into a float16/bfloat16
    tensor rounded in place (a kernel that computes in float32 stored it unrounded; an
    elementwise kernel's rounded values come back the same). Deferred values round in their
    own kernel; a strided view's values are its base's, rounded when the base was made."""
    if isinstance(a, runtime.DEVICE_ARRAY_TYPES) and a.dtype == np.float32:
        if a.is_c_contiguous():
            round_in_place(a, getattr(D, name))
    return a


def _saved(node: Any) -> Any:
    """A device node's saved record; a deferred forward's values computed on first read."""
    if type(node._saved) is deferred.DeviceSaved:
        node._saved = deferred.resolve(node._saved)
    return P.ElementwiseBackward.saved(node)


def _device_node_class(cls: type) -> type:
    """``cls`` (e.g. ``MulBackward0``) with its gradients computed by :func:`backward`."""
    dev = _node_classes.get(cls)
    if dev is None:
        attrs = {
            "__slots__": ("_forward_kernel",),  # (name, source) of a deferred chain's kernel
            "kernel_backward": staticmethod(backward),
            "on_device": True,
            "saved": _saved,
        }
        dev = _node_classes[cls] = type(cls.__name__, (cls,), attrs)
    return dev
