"""The autograd graph's nodes and the reverse sweep.

A :class:`Node` is one backward function (PyTorch's ``grad_fn``). ``next_functions`` holds one
``(node, output_nr)`` edge per forward input (``(None, 0)`` for inputs that need no gradient;
leaves appear as their :class:`AccumulateGrad`). :func:`run_backward` orders the reachable
nodes like PyTorch's engine - a node runs once all gradients for it have arrived, the most
recently created ready node first - calls tensor hooks, node hooks and ``retain_grad``, and
either accumulates into leaves' ``.grad`` or captures gradients for ``autograd.grad``.
"""

from __future__ import annotations

import heapq
import itertools
import traceback
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..backends import STATE as DEVICE
from .grad_mode import STATE
from .hooks import POST_ACCUMULATE_RETURNED, call_node_hooks, call_tensor_hooks

if TYPE_CHECKING:
    from ..tensor import Tensor

_sequence = itertools.count()
next_sequence = _sequence.__next__


class _Mutation:
    """Where the last in-place change of any tensor falls in node creation order.

    A graph whose nodes were all created after it has every saved value as recorded, so the
    replay cache (:mod:`jitgrad.fusion.replay`) can skip per-node version checks.
    """

    seq = -1


MUTATION = _Mutation()

#: nodes PyTorch defines in C++ outside codegen: ``name()`` gives them the namespace while
#: ``repr`` and ``grad_fn=<...>`` show the bare class name
CPP_NODES = {
    n: "torch::autograd::" + n for n in ("AccumulateGrad", "CopyBackwards", "CopySlices")
}

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class RemovableHandle:
    """Returned by every ``register_*hook``; ``remove()`` unregisters the hook."""

    _ids = itertools.count()

    def __init__(self, hooks: dict) -> None:
        self.id = next(RemovableHandle._ids)
        self._hooks = hooks

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def add_hook(hooks: dict, fn: Callable) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    hooks[handle.id] = fn
    return handle


class NodeExtras:
    """The parts of a node that few nodes have: hooks, ``retain_grad`` targets, metadata and
    the anomaly-mode trace of the forward call.

    They share one slot of :class:`Node` (None until something is set), so creating a node
    stores one None for all of them and a sweep reads one slot to know a node has none.
    """

    __slots__ = ("hooks", "prehooks", "tensor_hooks", "retain", "metadata", "trace", "packed")

    def __init__(self, trace: list[str] | None = None) -> None:
        self.hooks: dict | None = None
        self.prehooks: dict | None = None
        self.tensor_hooks: dict | None = None  # output_nr -> {id: fn}
        self.retain: dict | None = None  # output_nr -> weakref to the tensor retaining its grad
        self.metadata: dict | None = None
        self.trace = trace
        #: ``(unpack_hook, {key: packed})`` when saved-tensor hooks packed what this node saved
        self.packed: tuple | None = None


class Node:
    """A backward function in the graph. Subclasses implement :meth:`apply`."""

    __slots__ = ("next_functions", "_seq", "_extra", "_saved", "_key", "__weakref__")

    def __init__(self, next_functions: tuple, seq: float | None = None) -> None:
        self.next_functions = next_functions
        self._seq = next_sequence() if seq is None else seq
        self._saved: Any = None
        self._extra = NodeExtras(traceback.format_stack()[:-3]) if _anomaly.enabled else None
        #: structural token for the replay cache (None: this node is never replayed)
        self._key: Any = type(self)

    def name(self) -> str:
        """PyTorch's ``name()``: the class name, qualified for its C++-defined nodes."""
        name = type(self).__name__
        return CPP_NODES.get(name, name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def extras(self) -> NodeExtras:
        """This node's :class:`NodeExtras`, created on first use."""
        extra = self._extra
        if extra is None:
            extra = self._extra = NodeExtras()
        return extra

    @property
    def metadata(self) -> dict:
        extra = self.extras()
        if extra.metadata is None:
            extra.metadata = {}
        return extra.metadata

    def apply(self, grads: list) -> Sequence:
        """Gradients for each ``next_functions`` edge given the gradients of each output."""
        raise NotImplementedError

    def __call__(self, *grads: Any) -> Any:
        result = self.apply(list(grads))
        return result[0] if len(result) == 1 else tuple(result)

    def register_hook(self, fn: Callable) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` after this node runs; may return new grad_inputs."""
        extra = self.extras()
        if extra.hooks is None:
            extra.hooks = {}
        return add_hook(extra.hooks, fn)

    def register_prehook(self, fn: Callable) -> RemovableHandle:
        """``fn(grad_outputs)`` before this node runs; may return new grad_outputs."""
        extra = self.extras()
        if extra.prehooks is None:
            extra.prehooks = {}
        return add_hook(extra.prehooks, fn)

    def release(self) -> None:
        """Free saved values after a backward without ``retain_graph``."""
        if self._saved is not None:
            free_saved((self,))

    def saved(self) -> Any:
        saved = self._saved
        if saved is FREED:
            raise RuntimeError(FREED_MESSAGE)
        return saved


FREED = object()


def free_saved(nodes: Sequence[Node]) -> None:
    """Free the saved values of ``nodes`` (each known to hold some): :meth:`Node.release`
    for many nodes at once, without a call per node."""
    for node in nodes:
        node._saved = FREED
        node._key = None  # a freed node is never replayed


def hooked(node: Node, *kinds: str) -> bool:
    """Whether ``node`` has any of the :class:`NodeExtras` ``kinds`` set and non-empty."""
    extra = node._extra
    return extra is not None and any(getattr(extra, kind) for kind in kinds)


class AccumulateGrad(Node):
    """The sink for a leaf: runs the leaf's hooks and adds the gradient into ``.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        # PyTorch runs leaves' accumulation as soon as it is ready; taking no number from
        # the sequence also keeps the first step's graph numbered like the later ones.
        super().__init__((), seq=float("inf"))
        self.variable = variable

    def apply(self, grads: list) -> Sequence:
        # The leaf's own hooks already ran as this node's tensor hooks (see _run_tensor_hooks).
        t = self.variable
        accumulate_into_leaf(t, grads[0])
        if t._post_hooks:
            for fn in list(t._post_hooks.values()):
                if fn(t) is not None:
                    raise RuntimeError(POST_ACCUMULATE_RETURNED)
        return ()


def accumulate_into_leaf(t: Tensor, grad: Tensor) -> None:
    """``t.grad += grad`` with PyTorch's rules (copy or adopt first; in place after).

    Reads ``_grad``, not ``.grad``: ``backward(inputs=[non_leaf])`` accumulates into a non-leaf,
    and the property would warn about it.
    """
    if grad is None:
        return
    if STATE.enabled:  # create_graph: keep the graph of the gradient
        # PyTorch's clone_obey_contract: a fresh tensor copy_'d from the gradient, so the
        # first .grad shows CopyBackwards over the gradient's graph; later ones add.
        t._grad = grad.new_empty(t.shape).copy_(grad) if t._grad is None else t._grad + grad
        return
    if t._grad is None:
        t._grad = grad._adopt_as_grad(t)
    else:
        t._grad._accumulate_(grad)


class _Anomaly:
    """Anomaly mode: process-wide, as PyTorch's (grad mode is per thread)."""

    enabled = False
    check_nan = True


_anomaly = _Anomaly()


def _check_nan(node: Node, results: Sequence) -> None:
    for i, r in enumerate(results):
        if r is not None and r.dtype.is_floating_point and r._has_nan():
            trace = node._extra.trace if node._extra is not None else None
            if trace:
                warnings.warn(
                    "Error detected in " + node.name() + ". Traceback of forward call that "
                    "caused the error:\n" + "".join(trace),
                    UserWarning,
                    stacklevel=3,
                )
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def _edge_of(t: Tensor) -> tuple[Node, int]:
    if t.grad_fn is not None:
        return t.grad_fn, t._output_nr
    return t._accumulator(), 0


def run_backward(
    tensors: Sequence[Tensor],
    grads: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
    capture: bool = False,
    allow_unused: bool = False,
) -> list[Tensor | None] | None:
    """The reverse sweep from ``tensors`` seeded with ``grads``.

    With ``capture`` (``autograd.grad``) the gradients of ``inputs`` are returned instead of
    accumulated; with ``inputs`` and no capture only those leaves are accumulated into.
    """
    roots = [_edge_of(t) for t in tensors]
    ran: list | None = None  # the steps taken, recorded for the replay cache
    # Read once: anomaly mode is process-wide (as in PyTorch), so another thread may switch
    # it during this sweep; the plan and the recorded program must agree on it.
    replayable = _replayable(create_graph)
    if DEVICE.active:  # device roots: seeds on the device; device graphs: no CPU fusion
        grads = DEVICE.backend.seeds(tensors, grads)
        if replayable and DEVICE.backend.on_device(roots):
            replayable = False
    if inputs is None and not capture and replayable:
        from ..fusion import replay

        program, order, key = replay.find(roots, grads)
        if order is not None and replay.unchanged(order, program):
            if program is not None:
                program.run(order, grads, retain_graph, tensors)
                return None
            ran = []
            deferred = replay.deferred_positions(order)
    targets: dict[tuple[Node, int], int] = {}
    if inputs is not None:
        for i, t in enumerate(inputs):
            targets.setdefault(_edge_of(t), i)
    # --- dependencies among the nodes that need to run ---------------------------------
    if inputs is None:
        seen, needed, deps = _reachable(roots)
    else:
        seen, needed, deps = _reachable_to_targets(roots, targets)
    # --- seed -----------------------------------------------------------------------------
    buffers: dict[Node, list] = {}
    for (node, nr), g in zip(roots, grads, strict=True):
        if needed.get(node):
            _add_to_buffer(buffers, node, nr, g)
    captured: list[Tensor | None] = [None] * (len(inputs) if inputs is not None else 0)
    ready: list[tuple[float, int, Node]] = []
    pushed: set[Node] = set()
    for node, _ in roots:
        if needed.get(node) and deps.get(node, 0) == 0 and node not in pushed:
            pushed.add(node)
            heapq.heappush(ready, (-node._seq, id(node), node))
    fused = _fusion_plan(seen, needed, roots, targets, tensors) if replayable else None
    prev_mode, prev_sweep = STATE.enabled, STATE.sweep  # this thread's
    STATE.enabled, STATE.sweep = create_graph, needed
    try:
        while ready:
            node = heapq.heappop(ready)[2]
            grad_outputs = buffers.pop(node, None) or [None]
            _run_tensor_hooks(node, grad_outputs)
            if targets:
                for nr, g in enumerate(grad_outputs):
                    idx = targets.get((node, nr))
                    if idx is not None and capture:
                        captured[idx] = g
            if capture and isinstance(node, AccumulateGrad):
                continue
            if inputs is not None and isinstance(node, AccumulateGrad) and (node, 0) not in targets:
                continue
            if capture and not any(n is not None and needed.get(n) for n, _ in node.next_functions):
                continue
            if inputs is not None and not capture:
                _accumulate_nonleaf_inputs(node, grad_outputs, targets, inputs)
            group = fused.get(node) if fused else None
            if ran is not None:
                ran.append((node, group))
            if group is None:
                results, edges = _call_node(node, grad_outputs), node.next_functions
            else:  # a fusion group: one kernel for the root and everything it feeds
                results, edges = group.run(grad_outputs, needed), group.edges
            if not retain_graph:
                (node if group is None else group).release()
            for (nxt, nr), g in zip(edges, results, strict=False):
                if nxt is None or not needed.get(nxt):
                    continue
                if g is not None:
                    _add_to_buffer(buffers, nxt, nr, g)
                left = deps[nxt] - 1
                deps[nxt] = left
                if left == 0:
                    heapq.heappush(ready, (-nxt._seq, id(nxt), nxt))
    finally:
        STATE.enabled, STATE.sweep = prev_mode, prev_sweep
    if ran is not None:
        replay.store(key, replay.Program(order, roots, ran, deferred))
    if capture:
        assert inputs is not None
        for i, g in enumerate(captured):
            if g is None and not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
        return captured
    return None


def _reachable(roots: list) -> tuple[set, dict, dict]:
    """Every node reachable from ``roots`` (all needed) and its count of incoming edges."""
    seen = {n for n, _ in roots}
    stack = list(seen)
    deps: dict[Node, int] = {}
    while stack:
        for nxt, _ in stack.pop().next_functions:
            if nxt is not None:
                deps[nxt] = deps.get(nxt, 0) + 1
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    return seen, dict.fromkeys(seen, True), deps


def _reachable_to_targets(roots: list, targets: dict) -> tuple[set, dict, dict]:
    """Reachable nodes, whether each leads to a target, and dependency counts among those."""
    needed: dict[Node, bool] = {}
    stack: list[tuple[Node, bool]] = [(n, False) for n, _ in roots]
    seen: set[Node] = set()
    target_nodes = {id(t) for t, _ in targets}
    while stack:  # iterative post-order DFS: a node is needed if it leads to a target
        node, expanded = stack.pop()
        if expanded:
            needed[node] = id(node) in target_nodes or any(
                n is not None and needed.get(n, False) for n, _ in node.next_functions
            )
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in seen:
                stack.append((nxt, False))
    deps: dict[Node, int] = {}
    for node in seen:
        if needed[node]:
            for nxt, _ in node.next_functions:
                if nxt is not None and needed.get(nxt):
                    deps[nxt] = deps.get(nxt, 0) + 1
    return seen, needed, deps


def _replayable(create_graph: bool) -> bool:
    """Whether fusion (and so the replay cache) applies to this sweep."""
    from ..fusion import control

    return control.STATE.enabled and not create_graph and not _anomaly.enabled


def _fusion_plan(nodes, needed, roots, targets, tensors=()) -> dict:
    """Fusion groups keyed by root node (for a sweep that :func:`_replayable` allows)."""
    from ..fusion import backward

    entries = [n for n, _ in roots] + [n for n, _ in targets]
    return backward.plan(nodes, needed, entries, tensors if not targets else ())


def _accumulate_nonleaf_inputs(node: Node, grad_outputs: list, targets: dict, inputs) -> None:
    for nr, g in enumerate(grad_outputs):
        idx = targets.get((node, nr))
        if idx is not None and g is not None and not isinstance(node, AccumulateGrad):
            accumulate_into_leaf(inputs[idx], g)


def _add_to_buffer(buffers: dict, node: Node, nr: int, g: Tensor) -> None:
    slot = buffers.get(node)
    if slot is None:
        slot = buffers[node] = [None] * max(nr + 1, 1)
    elif len(slot) <= nr:
        slot.extend([None] * (nr + 1 - len(slot)))
    prev = slot[nr]
    if prev is None:
        slot[nr] = g
        return
    if prev._fresh and not STATE.enabled:
        from ..ops.pointwise import add_into  # (pointwise imports this module)

        if add_into(prev, g):  # summed in place: the engine's own array, nobody else has it
            return
    total = slot[nr] = prev + g
    # A new array nobody else holds: a leaf may adopt it as its .grad without a copy.
    total._fresh = not STATE.enabled


def _run_tensor_hooks(node: Node, grad_outputs: list) -> None:
    extra = node._extra
    if extra is None:
        return
    hooks = extra.tensor_hooks
    if hooks:
        for nr, fns in hooks.items():
            if nr < len(grad_outputs) and grad_outputs[nr] is not None:
                grad_outputs[nr] = call_tensor_hooks(fns, grad_outputs[nr])
    retain = extra.retain
    if retain:
        for nr, ref in retain.items():
            t = ref()
            if t is None or (t.grad_fn is not node and _retained_by(t.grad_fn, t)):
                continue  # gone, or retain_grad moved to its node by an in-place op
            if nr < len(grad_outputs) and grad_outputs[nr] is not None:
                g = grad_outputs[nr]
                if t._grad is None:
                    t._grad = g if STATE.enabled else g.detach().clone()
                else:
                    t._grad = t._grad + g


def _retained_by(node: Node | None, t: Tensor) -> bool:
    extra = None if node is None else node._extra
    return extra is not None and bool(extra.retain) and any(r() is t for r in extra.retain.values())


def _call_node(node: Node, grad_outputs: list) -> Sequence:
    extra = node._extra
    if extra is None:
        results = node.apply(grad_outputs)
    else:
        results = _call_hooked(node, extra, grad_outputs)
    if _anomaly.enabled and _anomaly.check_nan:
        _check_nan(node, results)
    return results


def _call_hooked(node: Node, extra: NodeExtras, grad_outputs: list) -> Sequence:
    """``node.apply`` between its pre-hooks and hooks (either may replace the gradients)."""
    if extra.prehooks:
        grad_outputs = list(call_node_hooks(extra.prehooks, tuple(grad_outputs)))
    results = node.apply(grad_outputs)
    if extra.hooks:
        results = list(call_node_hooks(extra.hooks, tuple(results), tuple(grad_outputs)))
    return results
