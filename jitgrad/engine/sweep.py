"""The reverse sweep: a plan, then one loop over it.

:func:`run_backward` takes two steps.

1. **A plan** (:class:`Plan`): the seeds and the steps in the order they run, each step a
   node (:class:`Step`) or a fusion group (:class:`jitgrad.fusion.backward.GroupStep`),
   naming nodes by their position in a list and routing each gradient it returns to a
   position. The order is PyTorch's engine's - a node runs once all gradients for it have
   arrived, the most recently created ready node first - and depends only on the graph's
   structure (which nodes there are, their edges, their creation order, which lead to an
   ``autograd.grad`` target), never on a gradient's value, so :func:`_schedule` fixes it
   before anything runs. A fresh plan costs reachability, dependency counts, the ready heap
   and the fusion plan. The replay cache (:mod:`jitgrad.fusion.replay`) sits in front: for a
   graph structure swept before it hands back that sweep's plan (with each group's analysed
   layout), and planning is skipped.
2. **The sweep** (:func:`_sweep`): one loop runs a plan, fresh or cached. Per step it calls
   tensor hooks and ``retain_grad``, the ``autograd.grad``/``inputs=`` checks, the node (its
   pre-hooks, hooks and anomaly check in :func:`_call_node`) or the group, frees saved
   values, and adds the results into the buffers of the positions they go to.

Issue 14 merged three sweep loops into this one; what each did that the others did not, so
the one loop keeps all of it:

- the engine's own loop: tensor, node and pre-hooks, ``retain_grad``, anomaly mode (the
  forward trace, NaN checks; no fusion, no replay), ``autograd.grad`` targets (capture,
  ``allow_unused``, pruning to the nodes that lead to a target, ``inputs=`` accumulating into
  non-leaves), ``create_graph`` (grad mode on during the sweep; ``STATE.sweep`` names the
  sweep for multi-grad hooks), the fusion plan, each group's first analysis with the check
  of its saved values' versions, and the recording of a program;
- the replay's loop (``Program.run``): no planning; nodes by position; a group's recorded
  layout launched again (its gradients sent straight into the buffers), members whose saved
  values were deferred resolved, a joint group formed again from the loss
  (``JointGroup.again``) or run as the loss's backward then the group; no per-node version
  check (``replay.unchanged`` proved none is needed); grad mode off; never hooks (a graph with
  any is not replayed);
- ``JointGroup.unfused``: no loop - one step that runs the loss's backward, then the group's
  kernel, when a joint kernel no longer applies. It stays a step of this loop.

Threads: a sweep's buffers and dependency counts are its own; a cached plan is shared and
read-only but for a joint step's layout, swapped whole (see :mod:`jitgrad.fusion.replay`).
Anomaly mode is process-wide (as in PyTorch): it is read once per backward, so another thread
switching it mid-sweep cannot make the plan and the recording disagree.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..backends import STATE as DEVICE
from ..helpers import warn as warn_user
from .fusion_mode import STATE as FUSION
from .grad_mode import STATE, set_enabled
from .hooks import call_node_hooks, run_tensor_hooks
from .node import (  # noqa: F401 - re-exported: the modules that import them from here
    CPP_NODES,
    FREED,
    FREED_MESSAGE,
    MUTATION,
    VC0,
    AccumulateGrad,
    Node,
    NodeExtras,
    RemovableHandle,
    _anomaly,
    accumulate_into_leaf,
    add_hook,
    free_saved,
    hooked,
    next_sequence,
)
from .targets import Targets, edge_of, passes, reachable_to_targets


class _Above:
    """What the engine calls in the layers above it, handed in by those modules when they are
    imported (they import the engine, so the engine may not import them): the replay cache's
    ``lookup``/``store`` (:mod:`jitgrad.fusion.replay`), the backward fusion planner
    (:mod:`jitgrad.fusion.backward`) and pointwise's in-place gradient sum. ``import jitgrad``
    loads all three before any backward can run."""

    __slots__ = ("replay_lookup", "replay_store", "fusion_plan", "add_into")


ABOVE = _Above()

if TYPE_CHECKING:
    from ..frontend.tensor import Tensor


class _AllNeeded:
    """``needed`` for a plain backward: every reachable node takes part."""

    @staticmethod
    def get(_node: Any, _default: Any = None) -> bool:
        return True


ALL_NEEDED = _AllNeeded()
_edge_of = edge_of  # the name tests/test_replay.py and perf/bench_fusion.py import


class Step:
    """One node's backward in a plan: its position and, per gradient it returns, the
    ``(position, output_nr)`` it goes to (position -1: nowhere).

    A group's step has ``members`` (positions) and ``run``; a node's has ``members`` None
    (a slot, not a class attribute: the sweep reads it every step, and CPython 3.11
    specializes a slot's read but not a class attribute's).
    """

    __slots__ = ("pos", "routes", "members")

    def __init__(self, pos: int, routes: list[tuple[int, int]]) -> None:
        self.pos = pos
        self.routes = routes
        self.members = None


class Plan:
    """What a sweep runs: ``seeds`` (a position and output number per root, -1 where the root
    is not needed) and ``steps`` in order. The replay cache's programs are plans."""

    __slots__ = ("seeds", "steps")

    def __init__(self, seeds: list[tuple[int, int]], steps: list) -> None:
        self.seeds = seeds
        self.steps = steps


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
    roots = [edge_of(t) for t in tensors]
    replayable = fuse = _replayable(create_graph)
    if DEVICE.active:  # device roots: seeds on the device; device graphs: no replay cache
        grads = DEVICE.backend.seeds(tensors, grads)
        if replayable and DEVICE.backend.on_device(roots):
            replayable = False  # (its groups run CUDA kernels: see _fusion_plan)
    order = key = None
    if inputs is None and not capture and replayable:
        program, order, key = ABOVE.replay_lookup(roots, grads, tensors)
        if program is not None:
            _replay(program, grads, order, ALL_NEEDED, retain_graph, False, tensors)
            return None
    targets = None if inputs is None else Targets(inputs, capture)
    plan, nodes, needed = _plan(roots, order, fuse, targets, tensors)
    _sweep(plan, grads, nodes, needed, retain_graph, create_graph, tensors, targets)
    if key is not None:
        ABOVE.replay_store(key, plan, order)
    if targets is None or not capture:
        return None
    for i, g in enumerate(targets.captured):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"The differentiated Tensor at index {i} appears to not have been used in "
                "the graph. Set allow_unused=True if this is the desired behavior."
            )
    return targets.captured


def _plan(
    roots: list, order: list | None, fuse: bool, targets: Targets | None, tensors: Sequence
) -> tuple[Plan, list, Any]:
    """A fresh plan for the graph below ``roots``, its nodes by position (``order`` where the
    replay cache will record the plan, else any) and which of them the sweep needs."""
    if targets is None:
        seen, needed, deps = _reachable(roots)
    else:
        seen, needed, deps = reachable_to_targets(roots, targets.edges)
    edges = targets.edges if targets is not None else {}
    fused = _fusion_plan(seen, needed, roots, edges, tensors) if fuse else None
    nodes = order if order is not None else list(seen)
    return _schedule(roots, nodes, needed, deps, fused), nodes, needed


def _schedule(roots: list, nodes: list, needed: Any, deps: dict, fused: dict | None) -> Plan:
    """The steps in the order PyTorch's engine runs them: the ready node created last first
    (see the module docstring); a group's root stands for the whole group."""
    pos = {node: i for i, node in enumerate(nodes)}

    def routes(edges: Sequence[tuple]) -> list[tuple[int, int]]:
        return [(pos[n], nr) if n is not None and needed.get(n) else (-1, nr) for n, nr in edges]

    ready: list[tuple[float, int, Node]] = []
    pushed: set[Node] = set()
    for node, _ in roots:
        if needed.get(node) and deps.get(node, 0) == 0 and node not in pushed:
            pushed.add(node)
            heapq.heappush(ready, (-node._seq, id(node), node))
    steps: list = []
    while ready:
        node = heapq.heappop(ready)[2]
        group = fused.get(node) if fused else None
        if group is None:
            edges = zip(node._next, node._nrs)
            steps.append(
                Step(
                    pos[node],
                    [(pos[n], r) if n is not None and needed.get(n) else (-1, r) for n, r in edges],
                )
            )
            edges = node._next
        else:  # a fusion group: one kernel for the root and everything it feeds
            steps.append(group.step(node, pos, routes))
            edges = [n for n, _ in group.edges]
        for nxt in edges:
            if nxt is None or not needed.get(nxt):
                continue
            left = deps[nxt] - 1
            deps[nxt] = left
            if left == 0:
                heapq.heappush(ready, (-nxt._seq, id(nxt), nxt))
    seeds = [(pos[n], nr) if needed.get(n) else (-1, nr) for n, nr in roots]
    return Plan(seeds, steps)


def _sweep(
    plan: Plan, grads: Sequence[Any], nodes: list, needed: Any, retain_graph: bool,
    create_graph: bool, tensors: Sequence[Tensor], targets: Targets | None = None
) -> None:  # fmt: skip
    """The one backward loop (see the module docstring) over ``plan``'s steps; ``nodes`` by plan
    position, ``tensors`` the roots (a joint step's loss). Arguments, not an object: ~0.4 us less"""
    buffers: dict[int, list] = {}
    for (p, nr), g in zip(plan.seeds, grads, strict=True):
        if p >= 0:
            add_to_buffer(buffers, p, nr, g, create_graph)
    prev_mode, prev_sweep = set_enabled(create_graph), STATE.sweep  # this thread's
    STATE.sweep = needed
    try:
        for step in plan.steps:
            grad_outputs = buffers.pop(step.pos, None)
            node = nodes[step.pos]
            if grad_outputs is None:  # every gradient undefined (a backward returned None)
                if _skips_undefined(node, step, needed, targets, retain_graph):
                    continue
                grad_outputs = [None]
            extra = node._extra  # (read once: the node classes vary, so each read is generic)
            if extra is not None:
                run_tensor_hooks(node, grad_outputs)  # (a node hook added: in ``extra`` too)
            if targets is not None and passes(node, grad_outputs, needed, targets):
                continue
            if step.members is None:
                plain = extra is None and _call_node is _CALL_NODE and not _anomaly.enabled
                results = node.apply(grad_outputs) if plain else _call_node(node, grad_outputs)
                if not retain_graph and node.frees:  # (a node that saved nothing: no call)
                    node.release()
            else:
                results = step.run(grad_outputs, buffers, nodes, needed, retain_graph, tensors)
                if results is None:  # sent on by the step
                    continue
            routes = step.routes
            if len(results) != len(routes):  # (each input's gradient, or zip's shorter pairing)
                n = min(len(results), len(routes))
                routes, results = routes[:n], results[:n]
            i = 0
            for p, nr in routes:  # (indexed: making a zip costs ~0.8k instructions)
                g = results[i]
                i += 1
                if g is not None and p >= 0:
                    if nr == 0 and p not in buffers:  # the first gradient to arrive there
                        buffers[p] = [g]
                    else:
                        add_to_buffer(buffers, p, nr, g, create_graph)
    finally:
        set_enabled(prev_mode)
        STATE.sweep = prev_sweep


def _skips_undefined(node: Node, step: Any, needed: Any, targets: Any, retain: bool) -> bool:
    """Whether the sweep skips a node none of whose gradients is defined: PyTorch's built-in
    nodes pass undefined gradients through, a custom Function's backward still runs (on
    zeros); an ``inputs=`` target takes its None."""
    if targets is not None and passes(node, [None], needed, targets):
        return True
    if node.runs_undefined:
        return False
    if not retain and step.members is None:
        node.release()
    return True


#: The same loop, for a cached plan: its own name, so that a profile times replays apart.
_replay = _sweep


def _reachable(roots: list) -> tuple[set, dict, dict]:
    """Every node reachable from ``roots`` (all needed) and its count of incoming edges."""
    seen = {n for n, _ in roots}
    stack = list(seen)
    deps: dict[Node, int] = {}
    while stack:
        for nxt in stack.pop()._next:
            if nxt is not None:
                deps[nxt] = deps.get(nxt, 0) + 1
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    return seen, dict.fromkeys(seen, True), deps


def _replayable(create_graph: bool) -> bool:
    """Whether fusion (and so the replay cache) applies to this sweep."""
    return FUSION.enabled and not create_graph and not _anomaly.enabled


def _fusion_plan(nodes, needed, roots, targets, tensors=()) -> dict:
    """Fusion groups keyed by root node (for a sweep that :func:`_replayable` allows)."""
    entries = [n for n, _ in roots] + [n for n, _ in targets]
    tensors = tensors if not targets else ()
    fused = ABOVE.fusion_plan(nodes, needed, entries, tensors)
    return DEVICE.backend.device_groups(fused, tensors) if DEVICE.active else fused


def _check_nan(node: Node, results: Sequence) -> None:
    for i, r in enumerate(results):
        if r is not None and r.dtype.is_floating_point and r._has_nan():
            trace = node._extra.trace if node._extra is not None else None
            if trace:
                warn_user(
                    "Error detected in " + node.name() + ". Traceback of forward call that "
                    "caused the error:\n" + "".join(trace),
                    UserWarning,
                    stacklevel=3,
                )
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")



def add_to_buffer(buffers: dict, pos: int, nr: int, g: Tensor, graph: Any) -> None:
    """Add gradient ``g`` for output ``nr`` of the node at ``pos`` into its buffer.

    ``graph``: the sweep's ``create_graph``, the grad mode it runs under (a sum in place, or
    a new buffer a leaf may adopt, only without it). Passed, not read: inside the sweep grad
    mode is off, so :data:`~.grad_mode.STATE`'s read takes the thread-local path (~500
    instructions, about one per op of a scalar graph); PyTorch's engine, too, sums under
    the graph task's mode, whatever a hook left set."""
    slot = buffers.get(pos)
    if slot is None:
        slot = buffers[pos] = [None] * max(nr + 1, 1)
    elif len(slot) <= nr:
        slot.extend([None] * (nr + 1 - len(slot)))
    prev = slot[nr]
    if prev is None:
        slot[nr] = g
        return
    if prev._fresh and not graph:
        if ABOVE.add_into(prev, g):  # summed in place: the engine's own array, nobody else has it
            return
    total = slot[nr] = prev + g
    # A new array nobody else holds: a leaf may adopt it as its .grad without a copy.
    total._fresh = not graph


def _call_node(node: Node, grad_outputs: list) -> Sequence:
    extra = node._extra
    if extra is None:
        results = node.apply(grad_outputs)
    else:
        results = _call_hooked(node, extra, grad_outputs)
    if _anomaly.enabled and _anomaly.check_nan:
        _check_nan(node, results)
    return results


#: :func:`_call_node` itself: the sweep calls ``node.apply`` inline while the global is this
#: (a profile swaps the global for a timed wrapper, and the sweep then calls that)
_CALL_NODE = _call_node


def _call_hooked(node: Node, extra: NodeExtras, grad_outputs: list) -> Sequence:
    """``node.apply`` between its pre-hooks and hooks (either may replace the gradients)."""
    if extra.prehooks:
        grad_outputs = list(call_node_hooks(extra.prehooks, tuple(grad_outputs)))
    results = node.apply(grad_outputs)
    if extra.hooks:
        results = list(call_node_hooks(extra.hooks, tuple(results), tuple(grad_outputs)))
    return results
