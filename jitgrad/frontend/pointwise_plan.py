"""What an elementwise call's dispatch depends on beyond its operands' values: the
:class:`Plan` of each signature (op, out dtype, operand kinds and dtypes), cached in
:data:`_plans` by :func:`_signature` keys, and the broadcast shape of the operands.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from .. import memory
from ..fusion import codegen as C
from ..fusion import lowering as LW
from ..helpers import PARALLEL_THRESHOLD, own_code
from ..ops.complex_refusals import refuse_complex
from ..ops.integer_refusals import refuse_integer
from ..ops.registry import BOOL, FLOAT, REAL, OpDef, complex_form
from . import checks as K
from . import lazy as L
from ._tensor_data import result_type
from .pointwise_backward import edge_indices
from .pointwise_node import _edges, _node_class, _record
from .pointwise_pass import PassBackward, passes_gradient
from .tensor import Tensor


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
    (1 or 2, the numbers after them no edge but ``padded``'s; 0 for any other arrangement),
    the shapes :func:`_record` writes out directly,
    ``padded`` that a scalar second operand still gets an empty edge (``x * 2`` has two
    ``next_functions`` in PyTorch), and ``consts`` the Python numbers :func:`run` has
    converted to the scalar operand's dtype (a conversion costs five lookups); ``token``
    the last structural token :func:`_record` gave a node (reused while the shapes repeat);
    ``lean`` that :func:`run`'s small lane records a node keeping no operands (every rule is
    ``g``, operands and result in one real floating dtype: ``lean_cls``, a
    :class:`~.pointwise_node.PassBackward`, with its own token ``lean_token``); ``record`` and
    ``set_edges`` the plan's own copies of :func:`~.pointwise_node._record` and ``_edges``
    (:func:`jitgrad.helpers.own_code`).
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
        "entry",
        "pool_min",
        "small_max",
        "leading",
        "padded",
        "consts",
        "token",
        "lean",
        "lean_cls",
        "lean_token",
        "record",
        "set_edges",
    )

    def __init__(self, op: OpDef, args: Sequence[Any], out_dtype: D.dtype | None) -> None:
        K.elementwise_operands(op.name, args, op.condition)  # once per signature: free per call
        refuse_integer(op.name, args)  # (an activation of integers: PyTorch's refusal)
        if op.compute == "bool":
            cdt = D.bool_
        elif op.condition:
            cdt = result_type(list(args[1:]))
        else:
            cdt = result_type(list(args))
        if D.any_complex(args, out_dtype):  # the op's complex form (PyTorch's refusal if none)
            op = complex_form(op) or refuse_complex(op, args)
        if op.result == FLOAT and cdt._category < 2:
            cdt = D.get_default_dtype()
        self.op = op
        self.cdt = cdt
        if out_dtype is None:
            out_dtype = (
                D.bool_ if op.result == BOOL else D.real_of(cdt) if op.result == REAL else cdt
            )
        self.odt = out_dtype
        self.smask = "".join("t" if isinstance(x, Tensor) else "s" for x in args)
        self.wants = tuple(D.bool_ if op.condition and i == 0 else cdt for i in range(len(args)))
        self.records = op.differentiable and self.odt._category >= 2  # floating or complex
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
        if self.padded or self.smask in ("t", "ts", "tss") and self.edges == ((0, True),):
            self.leading = 1
        elif self.smask == "tt" and self.edges == ((0, True), (1, True)):
            self.leading = 2
        self.consts: dict[float, Any] = {}
        self.pid = next(_plan_ids)  # a replay token: unique (threads' len(_plans) may clash)
        self.token = (self.pid, ())  # the last node token made (see pointwise_node._record)
        self.kernels: dict[int, Any] = {}
        self.serial: list[Any] = [None, None]
        self.entry: list[Any] = [None, None]  # see call_serial
        self.pool_min = memory.min_pooled_size(self.odt.np)
        limit = min(PARALLEL_THRESHOLD, self.pool_min, L.STATE.min_size)  # (min_size: at import)
        # (a float16/bfloat16 result is rounded by _make: the in-place add_into lane skips it)
        self.small_max = limit if direct and self.odt.round is None else 0
        _set_lean(self)
        self.record, self.set_edges = own_code(_record), own_code(_edges)  # (run's lane's)

    def compile_serial(self, ndim: int) -> Any:
        """``serial[ndim]``, looked up (or compiled) and kept on first use."""
        kernel = self.serial[ndim] = self.kernel(ndim, False)
        return kernel

    def call_serial(self, ndim: int, values: Sequence[Any], out: np.ndarray) -> None:
        """The serial kernel over ``values`` into ``out`` (0-d or 1-D, as :func:`run` and
        ``add_into`` call it), then ``entry[ndim]`` once the kernel is compiled code: what
        those callers call instead, with no lookup of the kernel. For 0-d operands its
        compiled entry point (``Kernel.entry_for``: no type resolution, ~0.3 us less per
        call): the plan fixes every operand's dtype and a 0-d array is always C-contiguous,
        so the types never differ (a read-only operand reads the same; the output is the
        caller's own new array). For 1-D operands the dispatcher itself: a strided operand
        has another Numba type, and checking for one costs what the dispatcher's check does."""
        kernel = self.serial[ndim] or self.compile_serial(ndim)
        kernel.fn(*values, out)
        if self.entry[ndim] is None and kernel.fn is kernel.dispatcher:
            entry = kernel.entry_for((*values, out)) if ndim == 0 else None
            self.entry[ndim] = entry or kernel.dispatcher

    def kernel(self, ndim: int, parallel: bool) -> Any:
        """The compiled forward kernel for this signature over an ``ndim`` loop nest."""
        kernel = self.kernels.get(ndim * 2 + parallel)
        if kernel is None:
            cdt, odt = self.cdt.kname, self.odt.kname  # float16/bfloat16 compute in float32
            spec = LW.op_forward(self.op, self.smask, ndim, parallel, cdt, odt)
            kernel = self.kernels[ndim * 2 + parallel] = C.get_kernel(spec)
        return kernel


_plans: dict[tuple, Plan] = {}
_plan_ids = itertools.count()


def _set_lean(plan: Plan) -> None:
    """``plan.lean``, ``lean_cls`` and ``lean_token``: whether the small lane records a node
    that keeps nothing (:class:`.pointwise_pass.PassBackward`: every rule ``g``, operands and
    result in one real floating dtype), its class and its own structural token."""
    op, cdt = plan.op, plan.cdt
    plan.lean = bool(
        plan.small_max and plan.records and cdt is plan.odt and cdt._category == 2
    ) and passes_gradient(op)
    plan.lean_cls = _node_class(op, plan.smask, PassBackward) if plan.lean else None
    plan.lean_token = (next(_plan_ids), ())


# A plan fixes the default dtype (an int op float's compute dtype) but is keyed without it,
# so the per-call lookups stay as they are: a change of default empties the cache instead
# (deferral, frontend.lazy, plans through this same dict).
D.on_default_dtype_change(_plans.clear)

#: :func:`.pointwise.run`'s small lane's plans: ``LANES[operands - 1][ndim]``, then by op, the
#: first tensor's dtype, then each further operand's dtype (a tensor) or Python type (a
#: number). Nested dicts whose keys hash by identity, so the lane builds no key: the
#: ``_plans`` key (a tuple holding ``sig0``, itself a tuple) cost ~0.9k instructions per op to
#: build, hash, compare and free (Run eager19 in perf/RESULTS.md). Filled from ``_plans`` by
#: :func:`lane_plan` (which makes no plan: ``_now`` does), emptied with it.
LANES: tuple = (({}, {}), ({}, {}), ({}, {}))


def lane_plan(ndim: int, op: OpDef, args: Sequence[Any]) -> Plan | None:
    """``_plans``' plan for the small-lane call ``op(*args)`` (a first tensor of ``ndim`` < 2
    dimensions, further tensors of its shape, Python numbers), entered in :data:`LANES`; None
    while ``_plans`` has none."""
    path = [x._dtype if isinstance(x, Tensor) else type(x) for x in args]
    sigs = [k.sig0 if not ndim and isinstance(k, D.dtype) else k for k in path]
    plan = _plans.get((op, None, *sigs))  # (_signature's key)
    if plan is not None:
        lane = LANES[len(args) - 1][ndim]
        for k in [op, *path[:-1]]:
            lane = lane.setdefault(k, {})
        lane[path[-1]] = plan
    return plan


def _clear_lanes() -> None:
    for by_ndim in LANES:
        for lane in by_ndim:
            lane.clear()


D.on_default_dtype_change(_clear_lanes)


def _signature(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x._dtype if x._value.ndim else x._dtype.sig0
    return type(x)
