"""Running elementwise ops: dtype promotion, broadcasting, kernel launch, graph recording.

Each op's forward and backward kernels are generated from its declaration by
:mod:`jitgrad.fusion.codegen` (a single op is a fusion group of size one). The backward
writes each input's gradient straight into a buffer of the input's shape: broadcast
dimensions are summed by accumulating into a stride-0 view, so no separate reduction runs.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import argcheck as A
from .. import dtypes as D
from .. import memory
from ..autograd.engine import Node
from ..autograd.grad_mode import STATE
from ..autograd.graph import SAVED_HOOKS
from ..backends import STATE as DEVICE
from ..fusion import codegen as C
from ..fusion import lazy as L
from ..fusion import lowering as LW
from ..fusion.layout import iteration_views
from ..helpers import PARALLEL_THRESHOLD
from ..tensor import Tensor, _init_fields, _make, check_versions
from . import checks as K
from . import expr as E
from .elementwise import NODE_VARIANTS
from .overlap import assert_no_internal_overlap, check_write
from .registry import BOOL, FLOAT, REGISTRY, OpDef
from .saved_views import ROLES, SavedAttributes, pack_elementwise, unpack_elementwise
from .saved_views import saved_roles as _saved_roles
from .saved_views import t_roles as _t_roles

_backward_kernels: dict[tuple, Any] = {}


#: A single op's kernels are groups of one of the one lowering (the CUDA backend reads these).
_forward_spec = LW.op_forward
_backward_spec = LW.op_backward


def broadcast_shape(shapes: Sequence[tuple[int, ...]]) -> tuple[int, ...]:
    """numpy's broadcast of ``shapes`` with PyTorch's error message."""
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise K.broadcast_error(shapes) from None


class Plan:
    """What only depends on the op and its operands' kinds and dtypes (cached per signature).

    ``smask`` says which operands are tensors (``t``) or scalars (``s``), ``wants`` the dtype
    each is computed in, ``cdt``/``odt`` the compute and output dtypes; ``node_cls`` is the
    backward node class, ``edges`` the operands that get ``next_functions`` edges (``grads``
    says which of those may carry a gradient), ``records`` whether the result can require
    grad, ``simple`` that every operand is a tensor already in its compute dtype (the common
    case :func:`apply` takes without a per-operand loop), ``pid`` a small int naming the
    signature (part of a node's structural token, see :mod:`jitgrad.fusion.replay`),
    ``kernels`` the forward kernel per ``(ndim, parallel)``, ``serial`` the serial 0-d and 1-D
    ones (the small-tensor case, read without a lookup), ``pool_min`` the result size from
    which :mod:`jitgrad.memory` pools the buffer (smaller ones skip the call),
    ``small_max`` the result size from which :func:`run` leaves a call to :func:`_general`
    (the parallel, pooling or deferral threshold, whichever comes first; 0 unless every
    tensor operand is already in its compute dtype),
    ``leading`` how many leading operands are the only tensors and each gets a gradient edge
    (1 or 2; 0 for any other arrangement), the shapes :func:`_record` writes out directly,
    ``padded`` that a scalar second operand still gets an empty edge (``x * 2`` has two
    ``next_functions`` in PyTorch), and ``consts`` the Python numbers :func:`run` has
    converted to the scalar operand's dtype (a conversion costs five lookups).
    """

    __slots__ = (
        "op",
        "smask",
        "wants",
        "cdt",
        "odt",
        "node_cls",
        "edges",
        "records",
        "simple",
        "pid",
        "kernels",
        "serial",
        "pool_min",
        "small_max",
        "leading",
        "padded",
        "consts",
    )

    def __init__(self, op: OpDef, args: Sequence[Any], out_dtype: D.dtype | None) -> None:
        K.elementwise_operands(op.name, args, op.condition)  # once per signature: free per call
        if op.compute == "bool":
            cdt = D.bool_
        elif op.condition:
            cdt = D.result_type(list(args[1:]))
        else:
            cdt = D.result_type(list(args))
        if op.result == FLOAT and not cdt.is_floating_point:
            cdt = D.get_default_dtype()
        self.op = op
        self.cdt = cdt
        self.odt = out_dtype or (D.bool_ if op.result == BOOL else cdt)
        self.smask = "".join("t" if isinstance(x, Tensor) else "s" for x in args)
        self.wants = tuple(D.bool_ if op.condition and i == 0 else cdt for i in range(len(args)))
        self.records = op.differentiable and self.odt.is_floating_point
        self.node_cls = _node_class(op, self.smask)
        self.edges = tuple(
            (i, self.smask[i] == "t" and op.grads[i] is not None)
            for i in edge_indices(op, self.smask)
        )
        direct = all(
            x._dtype is w for x, w in zip(args, self.wants, strict=True) if isinstance(x, Tensor)
        )
        self.simple = direct and "s" not in self.smask
        self.leading = 0
        self.padded = self.smask == "ts" and self.edges == ((0, True), (1, False))
        if self.padded or self.smask in ("t", "ts") and self.edges == ((0, True),):
            self.leading = 1
        elif self.smask == "tt" and self.edges == ((0, True), (1, True)):
            self.leading = 2
        self.consts: dict[float, Any] = {}
        self.pid = next(_plan_ids)  # a replay token: unique (threads' len(_plans) may clash)
        self.kernels: dict[int, Any] = {}
        self.serial: list[Any] = [None, None]
        self.pool_min = memory.min_pooled_size(self.odt.np)
        # L.STATE.min_size is fixed at import (JITGRAD_LAZY_MIN_SIZE)
        limit = min(PARALLEL_THRESHOLD, self.pool_min, L.STATE.min_size)
        self.small_max = limit if direct else 0

    def compile_serial(self, ndim: int) -> Any:
        """``serial[ndim]``, looked up (or compiled) and kept on first use."""
        kernel = self.serial[ndim] = self.kernel(ndim, False)
        return kernel

    def kernel(self, ndim: int, parallel: bool) -> Any:
        """The compiled forward kernel for this signature over an ``ndim`` loop nest."""
        kernel = self.kernels.get(ndim * 2 + parallel)
        if kernel is None:
            spec = LW.op_forward(self.op, self.smask, ndim, parallel, self.cdt.name, self.odt.name)
            kernel = self.kernels[ndim * 2 + parallel] = C.get_kernel(spec)
        return kernel


_plans: dict[tuple, Plan] = {}
_plan_ids = itertools.count()
_NO_EDGE = (None, 0)


def _signature(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x._dtype if x._value.ndim else (x._dtype, 0)
    return type(x)


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

    It first tries the commonest call: one or two operands, the first a tensor with at most
    one dimension and fewer than ``Plan.small_max`` elements, the second a tensor of the
    same shape or a Python float or int, every tensor already in the compute dtype. That is
    every op of a scalar model or a small-vector loop, where the Python around the kernel is
    the whole cost: this lane reads each operand once, needs no broadcast, and calls the
    plan's serial kernel directly. Anything else (or a deferred operand) takes
    :func:`_general`.
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
                values = [va]
            elif len(args) == 2:
                b = args[1]
                kind = type(b)
                if kind is float or kind is int:
                    plan = _plans.get((op, None, sig, kind))
                    if plan is not None:
                        c = plan.consts.get(b)
                        if c is None:
                            c = K.scalar(plan, plan.wants[1], b)
                        values = [va, c]
                elif isinstance(b, Tensor):
                    vb = b._value
                    if vb.shape == shape:
                        plan = _plans.get((op, None, sig, b._dtype if nd else (b._dtype, 0)))
                        values = [va, vb]
                        grad = grad or b._requires_grad
        if plan is not None and 0 < va.size < plan.small_max:  # small_max 0: casts needed
            out = np.empty(shape, plan.odt.np)
            kernel = plan.serial[nd] or plan.compile_serial(nd)
            kernel.fn(*values, out)
            if not (grad and plan.records and STATE.enabled):
                return _make(out, plan.odt)
            return _record(plan, args, values, out, shape)
    return _general(op, args, None, None)


def _record(plan: Plan, args: Sequence[Any], values: list, out: np.ndarray, shapes: tuple):
    """The result tensor with its backward node: edges, saved operands and versions.

    Written out for one or two leading tensor operands (``Plan.leading``), plain loops
    otherwise: a comprehension is a function call in CPython 3.11.
    """
    if plan.leading:
        a = args[0]
        fn = a.grad_fn
        edge = (fn, a._output_nr) if fn is not None else a._edge() if a._requires_grad else _NO_EDGE
        if plan.leading == 1:
            nexts = (edge, _NO_EDGE) if plan.padded else (edge,)
            versions = (a._vc[0],)
        else:
            b = args[1]
            fn = b.grad_fn
            if fn is not None:
                nexts = (edge, (fn, b._output_nr))
            else:
                nexts = (edge, b._edge() if b._requires_grad else _NO_EDGE)
            versions = (a._vc[0], b._vc[0])
    else:
        nexts = []
        versions = []
        for i, ok in plan.edges:
            x = args[i]
            if ok and x._requires_grad:
                fn = x.grad_fn
                nexts.append((fn, x._output_nr) if fn is not None else x._edge())
            else:
                nexts.append(_NO_EDGE)
        for x, m in zip(args, plan.smask):
            if m == "t":
                versions.append(x._vc[0])
    node = plan.node_cls(tuple(nexts))
    node._key = (plan.pid, shapes)
    result = _new_tensor(Tensor)
    result._value = out
    _init_fields(result, plan.odt, node)
    node._saved = (
        plan.op,
        plan.smask,
        tuple(args),
        tuple(values),
        plan.cdt,
        result._vc,
        versions if plan.leading else tuple(versions),
        out,
        0,
    )
    if SAVED_HOOKS.count:  # autograd.graph.saved_tensors_hooks open in some thread
        pack_elementwise(node, result)
    return result


_new_tensor = Tensor.__new__


class ElementwiseBackward(Node, SavedAttributes):
    """Backward of one elementwise op: one generated kernel computes every needed gradient.

    ``_ran`` (unset until then) is the ``(kernel, spec)`` that last ran the fusion group this
    node roots, so ``explain`` can name it after backward freed the saved values.
    """

    __slots__ = ("_ran",)
    #: Whether backward frees the saved values: whether the gradient rules read a saved
    #: tensor. It depends on the op and its operand kinds only, so each node class (see
    #: :func:`_node_class`) fixes it and a release costs no lookup.
    frees = True

    def saved(self) -> Any:
        """The saved tuple; a deferred forward's values are computed on first read (and the
        node's structural token becomes an eager node's: it now holds the same tuple)."""
        if type(self._saved) is L.LazySaved:
            self._saved = L.resolve(self._saved)
            if self._key is not None:
                self._key = self._key[1:]
        return Node.saved(self)

    def apply(self, grads: list) -> Sequence:
        saved = self.saved()
        op, args = saved[0], saved[2]
        needs = [
            isinstance(x, Tensor) and x._requires_grad and op.grads[i] is not None
            for i, x in enumerate(args)
        ]
        extra = self._extra
        if extra is not None and extra.packed is not None:  # saved-tensor hooks packed them
            saved = unpack_elementwise(self, saved, extra.packed)
        else:
            self.check_saved_versions()
        op, smask, args, values, cdt, _out_vc, _versions, out, _out_version = saved
        g = grads[0]
        if STATE.enabled:
            return _differentiable_backward(self, op, args, g, needs, out, cdt)
        return self.kernel_backward(op, smask, args, values, cdt, g, needs, out)

    def unchanged(self) -> bool:
        """Whether no operand nor the output was modified in place since the forward (a
        deferred node is checked as it is: the fields read here have the same places)."""
        saved = self._saved if type(self._saved) is L.LazySaved else self.saved()
        _op, smask, args, _values, _cdt, out_vc, versions, _out, out_version = saved
        if out_vc[0] != out_version:
            return False
        it = iter(versions)
        return all(x._vc[0] == next(it) for x, m in zip(args, smask, strict=True) if m == "t")

    def check_saved_versions(self) -> None:
        """PyTorch's in-place error if a tensor the needed rules read was modified since.

        Only what those rules read counts as saved (``y = x * 1; y.mul_(2)`` is fine;
        modifying ``exp``'s result in place is not).
        """
        if self.unchanged():  # fast path: nothing was modified since the forward
            return
        op, smask, args, _values, _cdt, out_vc, versions, out, out_version = self.saved()
        needs = tuple(
            isinstance(x, Tensor) and x._requires_grad and op.grads[i] is not None
            for i, x in enumerate(args)
        )
        reads = _saved_roles(op, smask, needs)
        checked = [
            (x, v)
            for x, v, r in zip(
                (x for x in args if isinstance(x, Tensor)), versions, _t_roles(smask), strict=True
            )
            if r in reads
        ]
        check_versions(
            self,
            [x for x, _ in checked],
            [v for _, v in checked],
            out_vc if "out" in reads else None,
            out,
            out_version,
        )

    def release(self) -> None:
        """Free only nodes that saved tensors: ``x + y`` can be backwarded twice, as in torch."""
        if self.frees:
            Node.release(self)


def _kernel_backward(op, smask, args, values, cdt, g, needs, out):
    """The gradients of one op by its generated CPU backward kernel (a node class's
    ``kernel_backward``: the CUDA backend's node classes replace it)."""
    shape = out.shape
    garr = g._value
    if garr.dtype != cdt.np:
        garr = garr.astype(cdt.np)
    modes: list[str | None] = []
    buffers: list[np.ndarray | None] = []
    gdts: list[str | None] = []
    for x, need, v in zip(args, needs, values, strict=True):
        if not need:
            modes.append(None)
            buffers.append(None)
            gdts.append(None)
            continue
        xs = v.shape
        xdt = x._dtype.np
        gdts.append(x._dtype.name)
        if xs == shape:
            modes.append(C.STORE)
            buffers.append(memory.empty(xs, xdt))
        elif v.size == 1 and out.size > 1:
            modes.append(C.REDUCE)
            buffers.append(np.zeros(xs, xdt))
        else:
            modes.append(C.ACCUMULATE)
            buffers.append(memory.zeros(xs, xdt))
    if out.size:
        tensor_vals = [v for v, m in zip(values, smask, strict=True) if m == "t"]
        # Views: the operands the rules read, then the gradient buffers (reduced ones flat).
        full = [garr, *tensor_vals, out]
        outs = [b for b, m in zip(buffers, modes, strict=True) if m in (C.STORE, C.ACCUMULATE)]
        views, ndim = iteration_views(shape, full + outs)
        modes, parallel_safe = C.refine_accumulation(modes, views[len(full) :])
        spec_modes = tuple(modes)
        parallel = out.size >= PARALLEL_THRESHOLD and parallel_safe
        key = (op.name, smask, spec_modes, ndim, parallel, cdt.name, tuple(gdts))
        entry = _backward_kernels.get(key)
        if entry is None:
            spec, order = LW.op_backward(
                op, smask, spec_modes, ndim, parallel, cdt.name, tuple(gdts)
            )
            entry = _backward_kernels[key] = (C.get_kernel(spec), order)
        kernel, order = entry
        by_role: dict[str, Any] = {"g": views[0], "out": views[len(tensor_vals) + 1]}
        it = iter(views[1 : len(tensor_vals) + 1])
        for role, v, m in zip(ROLES, values, smask, strict=False):
            by_role[role] = next(it) if m == "t" else v
        out_views = iter(views[len(full) :])
        call = [by_role[n] for n in order]
        for b, m in zip(buffers, modes, strict=True):
            if m is None:
                continue
            call.append(next(out_views) if m != C.REDUCE else b.reshape(-1))
        if ndim == 2:
            kernel, call = C.for_call(kernel, call)
        kernel.fn(*call)
    return [
        None if modes[i] is None else _make(buffers[i], args[i]._dtype, fresh=True)
        for i in edge_indices(op, smask)
    ]


#: Overridden by device node classes (see :mod:`jitgrad.backends.cuda.elementwise`).
ElementwiseBackward.kernel_backward = staticmethod(_kernel_backward)  # type: ignore[attr-defined]


def _differentiable_backward(node, op, args, g, needs, out, cdt):
    """create_graph=True: evaluate the same rules over Tensors so they record a graph."""
    from .. import functional_namespace

    env: dict[str, Any] = {"g": g, "out": _make(out, cdt, node)}
    for i, (role, x) in enumerate(zip(ROLES, args, strict=False)):
        # operands in the dtypes the lowering computes them in (where's condition: bool)
        cast = isinstance(x, Tensor) and x._dtype is not cdt
        env[role] = x.to(cdt) if cast and LW.operand_dtype(op, i, cdt.name) == cdt.name else x
    results = []
    for i in edge_indices(op, "".join("t" if isinstance(x, Tensor) else "s" for x in args)):
        x = args[i]
        if not needs[i]:
            results.append(None)
            continue
        rule = op.grads[i]
        assert rule is not None
        grad = E.evaluate(rule, env, functional_namespace())
        if not isinstance(grad, Tensor):
            grad = g * 0 + grad
        grad = sum_to_shape(grad, x.shape)
        if grad._dtype is not x._dtype:
            grad = grad.to(x._dtype)
        results.append(grad)
    return results


def sum_to_shape(grad, shape: tuple[int, ...]):
    """Sum a broadcast gradient back to ``shape`` (differentiably, with Tensor ops)."""
    if grad.shape == shape:
        return grad
    lead = grad.dim() - len(shape)
    dims = list(range(lead))
    dims += [lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1]
    if dims:
        grad = grad.sum(dim=dims, keepdim=True)
    if lead:
        grad = grad.reshape(shape)
    if grad.shape != shape:  # size-0 broadcast corner cases
        grad = grad.expand(shape)
    return grad


#: Ops whose Python-scalar operands still appear as ``(None, 0)`` in ``next_functions``
#: (PyTorch wraps the scalar into a tensor for these); other ops list only tensor inputs.
_SCALAR_EDGES = frozenset({"add", "add_scaled", "sub", "sub_scaled", "mul", "div", "where"})
_edge_cache: dict[tuple[str, str], tuple[int, ...]] = {}


def edge_indices(op: OpDef, smask: str) -> tuple[int, ...]:
    """Which operands get a ``next_functions`` edge, in order."""
    key = (op.name, smask)
    idx = _edge_cache.get(key)
    if idx is None:
        if op.name in _SCALAR_EDGES and (smask[0] == "t" or op.condition):
            idx = tuple(i for i in range(len(smask)) if op.grads[i] is not None)
        else:
            idx = tuple(i for i, m in enumerate(smask) if m == "t")
        _edge_cache[key] = idx
    return idx


_node_classes: dict[tuple[str, bool], type] = {}


def _node_class(op: OpDef, smask: str) -> type:
    """The backward node class: PyTorch's name, and whether release frees (see ``frees``)."""
    name = NODE_VARIANTS.get(op.name, {}).get(smask, op.node_name)
    needs = tuple(m == "t" and r is not None for m, r in zip(smask, op.grads, strict=False))
    frees = bool(_saved_roles(op, smask, needs))
    cls = _node_classes.get((name, frees))
    if cls is None:
        attrs = {"__slots__": (), "frees": frees}
        cls = _node_classes[(name, frees)] = type(name, (ElementwiseBackward,), attrs)
    return cls


LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_LEAF_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)


def check_inplace(t) -> None:
    """PyTorch's refusals for in-place ops that would corrupt the graph."""
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
    base = t._base
    if STATE.enabled and base is not None and base._requires_grad and base.grad_fn is not None:
        # In place on a view of a tensor with history: compute out of place, then write it
        # through the view with setitem, which rebases the root's history (CopySlices).
        from .indexing import setitem

        others = check_write(t, others)
        src = _make(t._value.copy(), t._dtype, t.grad_fn, output_nr=t._output_nr)
        src._requires_grad = t._requires_grad
        setitem(t, ..., apply(op, [src, *others], out_dtype=t._dtype))
        return t
    check_inplace(t)
    on_device = DEVICE.active and DEVICE.backend.owns(t)  # device buffers never overlap
    others = others if on_device else check_write(t, others)
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
