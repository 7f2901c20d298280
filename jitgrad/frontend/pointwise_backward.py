"""An elementwise node's gradients: by the op's generated backward kernel, or (with
``create_graph=True``) by evaluating the same rules over Tensors so they record a graph.

The kernel is the op's backward lowered as a group of one (:func:`jitgrad.fusion.lowering.
op_backward`): each input's gradient is written straight into a buffer of the input's shape,
broadcast dimensions summed by accumulating into a stride-0 view, so no separate reduction
runs. Which operands get ``next_functions`` edges, which both the forward's recording and
the backward's results follow, is :func:`jitgrad.ops.edges.edge_indices`.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .. import memory
from ..fusion import codegen as C
from ..fusion import lowering as LW
from ..fusion.layout import iteration_views
from ..helpers import PARALLEL_THRESHOLD
from ..ops import expr as E
from ..ops.edges import edge_indices  # noqa: F401 - re-exported (pointwise, pointwise_plan)
from ..ops.registry import REGISTRY
from . import rule_nodes as R
from .np_bound import ndarray, np_empty
from .rule_nodes import PIECEWISE_LINEAR, dedicated, gradient_node, named_top, scalar_nodes, start
from .saved_views import ROLES, scalar_parameters
from .tensor import Tensor, _make

#: a Tensor's value slot, read without computing a pending value (see :mod:`.lazy`)
_SLOT = Tensor._value

#: structural key -> (kernel, argument names): one op's backward kernels
_backward_kernels: dict[tuple, Any] = {}

#: Whether :func:`_kernel_backward` may take its small-operand lane (tests turn it off to
#: compare the lane with :func:`_general_backward` bitwise).
SMALL_LANE = True

#: (op, smask, cdt, ndim, *needs) -> :func:`_small_entry`'s list: what the small lane reuses.
_small: dict[tuple, list] = {}

#: The rule of a piecewise-constant op (sign, floor, floor division...): its create_graph
#: gradient is the kernel's zeros with no graph, as PyTorch's ``zeros_like(grad)``.
ZERO_RULE = "0 * g"

#: :data:`.codegen.COMPACT_1D`, read as a global on the small lane.
COMPACT_1D = C.COMPACT_1D


class _Above:
    """What this module calls above it, filled in when that is imported.

    ``functional_namespace``: the Tensor functions the create_graph rules call (the
    torch-level functions, which dispatch through this module), set by
    :mod:`jitgrad.frontend.expression_namespace`; ``record_value``: an op's node recorded
    with a value given, :func:`jitgrad.frontend.pointwise.record_value`."""

    functional_namespace: Any = None
    record_value: Any = None  # pointwise.record_value: a rule's last op, given its value


ABOVE = _Above()


def _kernel_backward(op, smask, args, values, cdt, g, needs, out):
    """The gradients of one op by its generated CPU backward kernel (a node class's
    ``kernel_backward``: the CUDA backend's node classes replace it).

    It first tries the commonest call, a scalar model's or a small vector's: every operand
    and the gradient of the output's shape with at most one dimension (no broadcast, so
    every needed gradient is a plain store), fewer elements than the parallel and pooling
    thresholds, and every needed gradient in the compute dtype. There the general path's
    iteration views, accumulation modes and kernel key are fixed by the signature, so
    :data:`_small` keeps them (the same kernel, called on the same arrays: bitwise the same
    gradients) and the call only allocates the gradient buffers. Anything else takes
    :func:`_general_backward`.
    """
    shape = out.shape
    nd = len(shape)
    garr = g._value
    size = out.size
    if nd < 2 and SMALL_LANE and 0 < size < PARALLEL_THRESHOLD and garr.shape == shape:
        for x, v, m, need in zip(args, values, smask, needs):  # (no keyword: ~1k instructions less)
            if m == "t" and (v.shape != shape or need and x._dtype is not cdt):
                break
        else:
            if garr.dtype is cdt.np:
                lane = _small.get((op, smask, cdt, nd, *needs))
                if lane is None:
                    lane = _small_entry(op, smask, cdt, nd, needs)
                _, picks, edges, limit, _ = lane
                # (a stride-0 seed gradient over a longer loop: the general path compacts it)
                if size < limit and (size < COMPACT_1D or garr.strides[0]):
                    # loops, not comprehensions: each of those is a call
                    src = (garr, out, *values)
                    call = []
                    for i in picks:
                        call.append(src[i])
                    npdt = cdt.np
                    bufs = []
                    for need in needs:
                        if need:
                            b = np_empty(shape, npdt)
                            call.append(b)
                            bufs.append(b)
                        else:
                            bufs.append(None)
                    _lane_call(lane, call, values, smask, garr, out, npdt)
                    grads = []
                    for i in edges:
                        b = bufs[i]
                        grads.append(None if b is None else _make(b, cdt, None, True))
                    return grads
    return _general_backward(op, smask, args, values, cdt, g, needs, out)


def _lane_call(
    lane: list, call: list, values: Any, smask: str, garr: Any, out: Any, npdt: Any
) -> None:
    """The small lane's kernel call; on 0-d operands (a scalar graph's backward) through the
    compiled entry point of the overload for exactly these types, kept in ``lane[4]`` (as
    the forward's ``Plan.entry``): no Numba type resolution, ~5k instructions less per call
    of a two-operand op. The lane fixes ``call``'s types where the result, every tensor
    operand and every number are of the compute dtype ``npdt``, every array a plain ndarray
    (0-d arrays are always C-contiguous; a read-only one reads the same; the caller checked
    the gradient's dtype and made the buffers): only then is the entry taken or looked up
    (once; False where there is none). Anything else goes through ``fn``, Numba's type
    resolution."""
    kernel = lane[0]
    if out.ndim:  # (read each call: the first call's wrapper replaces itself)
        kernel.fn(*call)
        return
    exact = type(out) is ndarray and out.dtype is npdt and type(garr) is ndarray
    if exact:
        scalar, i = npdt.type, 0
        for v in values:  # (indexed, one mask letter per value: making a zip is ~0.8k)
            m = smask[i]
            i += 1
            kind = type(v)
            if not (kind is ndarray and v.dtype is npdt if m == "t" else kind is scalar):
                exact = False
                break
    entry = lane[4]
    if exact and entry:
        entry(*call)
        return
    kernel.fn(*call)
    if exact and entry is None and kernel.fn is kernel.dispatcher:
        lane[4] = kernel.entry_for(tuple(call)) or False


def _small_entry(op, smask, cdt, nd, needs) -> list:
    """The small lane's entry for a signature: the kernel the general path launches for it
    (a plain store per needed gradient, serial, ``nd``-D views that are the arrays
    themselves), which of ``(g, out, *values)`` it reads in order, the edges, and the size
    limit (below the parallel and pooling thresholds). Cached in :data:`_small`."""
    modes = tuple(C.STORE if need else None for need in needs)
    gdts = tuple(cdt.kname if need else None for need in needs)
    kernel, order = _kernel_entry(op, smask, modes, nd, False, cdt, gdts)
    where = {"g": 0, "out": 1}
    where.update({role: 2 + i for i, role in enumerate(ROLES[: len(smask)])})
    picks = tuple(where[n] for n in order)
    limit = min(PARALLEL_THRESHOLD, memory.min_pooled_size(cdt.np))
    lane = [kernel, picks, edge_indices(op, smask), limit, None]  # (+ the 0-d entry point)
    _small[(op, smask, cdt, nd, *needs)] = lane
    return lane


def _kernel_entry(op, smask, modes, ndim, parallel, cdt, gdts) -> tuple:
    """``(kernel, argument names)`` of ``op``'s backward for these modes and dtypes."""
    key = (op.name, smask, modes, ndim, parallel, cdt.kname, gdts)
    entry = _backward_kernels.get(key)
    if entry is None:
        spec, order = LW.op_backward(op, smask, modes, ndim, parallel, cdt.kname, gdts)
        entry = _backward_kernels[key] = (C.get_kernel(spec), order)
    return entry


def _general_backward(op, smask, args, values, cdt, g, needs, out):
    """:func:`_kernel_backward` for any operands: casts, broadcasting, any layout."""
    shape = out.shape
    garr = g._value
    if garr.dtype != cdt.np:
        garr = garr.astype(cdt.np)
    modes, buffers, gdts = gradient_buffers(
        args, needs, values, shape, out.size, memory.empty, memory.zeros, np.zeros
    )
    if out.size:
        tensor_vals = [v for v, m in zip(values, smask, strict=True) if m == "t"]
        # Views: the operands the rules read, then the gradient buffers (reduced ones flat).
        full = [garr, *tensor_vals, out]
        outs = [b for b, m in zip(buffers, modes, strict=True) if m in (C.STORE, C.ACCUMULATE)]
        views, ndim = iteration_views(shape, full + outs)
        modes, parallel_safe = C.refine_accumulation(modes, views[len(full) :])
        spec_modes = tuple(modes)
        parallel = out.size >= PARALLEL_THRESHOLD and parallel_safe
        kernel, order = _kernel_entry(op, smask, spec_modes, ndim, parallel, cdt, tuple(gdts))
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
        # a 1-D loop too: a full sum's or mean's gradient reaches it as one value broadcast
        # (a stride-0 view), which made the loop a strided scalar one (10x slower, Run X)
        if ndim == 2 or (ndim == 1 and out.size >= C.COMPACT_1D):
            kernel, call = C.for_call(kernel, call)
        kernel.fn(*call)
    return gradient_tensors(op, smask, args, modes, buffers)


def gradient_buffers(args, needs, values, shape, out_size, empty, zeros, scalar_zeros=None):
    """Per operand of an elementwise backward kernel: how its gradient is written, its buffer
    and its dtype name (``None`` thrice for an operand that needs none). An operand of the
    output's shape is stored (``empty``); a one-element operand of a larger output is reduced
    (``scalar_zeros``, where the backend has that mode); any other broadcast one accumulates
    (``zeros``). The CPU and the CUDA backward allocate with their own functions."""
    modes: list[str | None] = []
    buffers: list[Any] = []
    gdts: list[str | None] = []
    for x, need, v in zip(args, needs, values, strict=True):
        if not need:
            modes.append(None)
            buffers.append(None)
            gdts.append(None)
            continue
        xs = tuple(v.shape)
        xdt = x._dtype.np
        gdts.append(x._dtype.kname)
        if xs == shape:
            modes.append(C.STORE)
            buffers.append(empty(xs, xdt))
        elif scalar_zeros is not None and v.size == 1 and out_size > 1:
            modes.append(C.REDUCE)
            buffers.append(scalar_zeros(xs, xdt))
        else:
            modes.append(C.ACCUMULATE)
            buffers.append(zeros(xs, xdt))
    return modes, buffers, gdts


def gradient_tensors(op, smask, args, modes, buffers) -> list:
    """The filled gradient buffers as the node's outputs, one per graph edge of ``op``."""
    return [
        None if modes[i] is None else _make(buffers[i], args[i]._dtype, fresh=True)
        for i in edge_indices(op, smask)
    ]


def _differentiable_backward(node, op, rec, g, needs):
    """create_graph=True: the gradients the op's lowered backward kernel computes (the same
    call as without a graph, so bitwise the same values), each recorded as the graph of its
    declared rule evaluated over Tensors (:func:`_rule_graphs`): the nodes PyTorch names
    (``g * cos(a)`` is a ``MulBackward0``), and any higher order through their own
    declarations.

    The rule's Tensor ops round each intermediate to the tensor dtype and sum a broadcast
    operand's gradient in another order than the kernel's accumulation: up to 1 ulp apart
    from the kernel (float32 special functions, broadcast operands). So the graph gives the
    nodes and what they save, the kernel the first-order values. The rule's last op is
    recorded with the kernel's value as its result where that is the gradient as it stands
    (:func:`_last_recorded`): its kernel does not run a second time.

    The nodes are named as PyTorch's (:mod:`.rule_nodes`); the piecewise-linear activations'
    gradient is one node holding the kernel's value, with no rule op run."""
    args, out, cdt = rec.args, rec.out, rec.cdt
    values = node.kernel_backward(op, rec.smask, args, rec.values, cdt, g, needs, out)
    name = dedicated(op, args, out.shape, cdt)
    if name is not None and op.name in PIECEWISE_LINEAR:  # one node: the kernel's value
        env = _rule_env(node, op, args, g, out, cdt)
        ns = ABOVE.functional_namespace
        return [
            None if v is None else gradient_node(name, op.grads[i], env, v, ns)
            for i, v in zip(edge_indices(op, rec.smask), values, strict=True)
        ]
    graphs = _rule_graphs(node, op, args, g, needs, out, cdt, name, values)
    return [_with_value(t, v, args, g) for t, v in zip(graphs, values, strict=True)]


def _with_value(graph, value, args, g):
    """The rule's result ``graph`` holding the kernel's ``value`` instead of its own."""
    if graph is None or value is None:
        return value if graph is None else graph
    if graph is g or any(graph is x for x in args):  # the rule is ``g`` itself: no op ran
        return graph
    if graph.grad_fn is None:  # nothing it reads requires grad: a constant
        return value
    if graph._base is not None:  # a view (sum_to_shape's reshape): a tensor of its own
        return _make(value._value, graph._dtype, graph.grad_fn, output_nr=graph._output_nr)
    fn = graph.grad_fn
    old = _SLOT.__get__(graph)
    graph._value = value._value  # (a LazyTensor's setter drops its pending value)
    if getattr(fn, "out", None) is old:  # an elementwise node's own saved result
        fn.out = graph._value
    return graph


def _rule_graphs(node, op, args, g, needs, out, cdt, name=None, values=None):
    """The declared rules evaluated over Tensors, so they record a graph (the values are
    the kernel's ``values``, see :func:`_differentiable_backward`)."""
    env = _rule_env(node, op, args, g, out, cdt)
    results = []
    edges = edge_indices(op, "".join("t" if isinstance(x, Tensor) else "s" for x in args))
    scalars = scalar_parameters(op, args)
    for k, i in enumerate(edges):
        x = args[i]
        if not needs[i]:
            results.append(None)
            continue
        rule = op.grads[i]
        assert rule is not None
        if rule == ZERO_RULE:  # PyTorch's zeros_like(grad): a gradient with no graph
            results.append(None)
            continue
        first = start()
        value = None if values is None else values[k]
        grad = _last_recorded(rule, env, value, x)
        if not isinstance(grad, Tensor):
            grad = g * 0 + grad
        scalar_nodes(grad, rule, first, scalars)
        named_top(grad, name, first)
        grad = sum_to_shape(grad, x.shape)
        if grad._dtype.is_complex and not x._dtype.is_complex:  # PyTorch's handle_r_to_c
            grad = grad.real
        if grad._dtype is not x._dtype:
            grad = grad.to(x._dtype)
        results.append(grad)
    return results


def _last_recorded(rule: str, env: dict, value: Any, x: Tensor) -> Any:
    """``rule`` evaluated over Tensors, its last op's node recorded with the kernel's
    ``value`` as its result (no kernel run for it) where ``value`` is the gradient as the op
    gives it: ``x``'s shape and dtype, so no broadcast sum or cast follows. Else (a last op
    that is a call, or the value does not fit) the whole rule runs and the caller replaces
    the result's value (:func:`_with_value`)."""
    ns = ABOVE.functional_namespace()
    last = R.last_op(rule)
    if last is None or value is None or value._dtype is not x._dtype:
        return E.evaluate(rule, env, ns)
    name, code = last
    operands = eval(code, {"__builtins__": {}}, {**ns, **env})  # noqa: S307 - E.evaluate's
    ordered = R.operator_operands(name, operands)
    recorded = None if ordered is None else ABOVE.record_value(REGISTRY[name], ordered, value)
    if recorded is not None:
        return recorded
    return _OPERATORS[name](*operands)  # the operator itself, as the whole rule runs it


#: what :func:`_last_recorded` runs where the kernel's value cannot be the op's result
_OPERATORS = {"mul": operator.mul, "add": operator.add, "sub": operator.sub}
_OPERATORS.update(div=operator.truediv, neg=operator.neg)


def _rule_env(node, op, args, g, out, cdt) -> dict[str, Any]:
    """What a rule's names mean over Tensors: ``g``, ``out`` (the result, read through
    ``node``) and the operands in the dtypes the lowering computes them in (where's
    condition: bool)."""
    env: dict[str, Any] = {"g": g, "out": _make(out, cdt, node)}
    for i, (role, x) in enumerate(zip(ROLES, args, strict=False)):
        cast = isinstance(x, Tensor) and x._dtype is not cdt
        env[role] = x.to(cdt) if cast and LW.operand_dtype(op, i, cdt.name) == cdt.name else x
    return env


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
