"""``inputs=`` of ``backward()`` and ``autograd.grad``: which nodes a sweep needs, and what
it does at a target (capture the gradient, or accumulate it into a non-leaf input)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .node import AccumulateGrad, Node, accumulate_into_leaf

if TYPE_CHECKING:
    from ..frontend.tensor import Tensor


def edge_of(t: Tensor) -> tuple[Node, int]:
    if t.grad_fn is not None:
        return t.grad_fn, t._output_nr
    return t._accumulator(), 0


class Targets:
    """``inputs=`` of ``backward`` or ``autograd.grad``: where gradients are taken."""

    __slots__ = ("inputs", "edges", "capture", "captured")

    def __init__(self, inputs: Sequence[Tensor], capture: bool) -> None:
        self.inputs = inputs
        self.edges: dict[tuple[Node, int], int] = {}  # (node, output_nr) -> index in inputs
        for i, t in enumerate(inputs):
            self.edges.setdefault(edge_of(t), i)
        self.capture = capture
        self.captured: list[Tensor | None] = [None] * len(inputs)


def passes(node: Node, grad_outputs: list, needed: Any, targets: Targets) -> bool:
    """At an ``inputs=`` target, capture or accumulate; whether the node is then passed over
    (a leaf, or a node leading to no target, in ``autograd.grad``; a leaf not asked for)."""
    edges, capture = targets.edges, targets.capture
    if edges:
        for nr, g in enumerate(grad_outputs):
            idx = edges.get((node, nr))
            if idx is not None and capture:
                targets.captured[idx] = g
    leaf = isinstance(node, AccumulateGrad)
    if capture and leaf:
        return True
    if leaf and (node, 0) not in edges:
        return True
    if capture:
        return not any(n is not None and needed.get(n) for n in node._next)
    _accumulate_nonleaf_inputs(node, grad_outputs, edges, targets.inputs)
    return False


def reachable_to_targets(roots: list, targets: dict) -> tuple[set, dict, dict]:
    """Reachable nodes, whether each leads to a target, and dependency counts among those."""
    needed: dict[Node, bool] = {}
    stack: list[tuple[Node, bool]] = [(n, False) for n, _ in roots]
    seen: set[Node] = set()
    target_nodes = {id(t) for t, _ in targets}
    while stack:  # iterative post-order DFS: a node is needed if it leads to a target
        node, expanded = stack.pop()
        if expanded:
            needed[node] = id(node) in target_nodes or any(
                n is not None and needed.get(n, False) for n in node._next
            )
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        for nxt in node._next:
            if nxt is not None and nxt not in seen:
                stack.append((nxt, False))
    deps: dict[Node, int] = {}
    for node in seen:
        if needed[node]:
            for nxt in node._next:
                if nxt is not None and needed.get(nxt):
                    deps[nxt] = deps.get(nxt, 0) + 1
    return seen, needed, deps


def _accumulate_nonleaf_inputs(node: Node, grad_outputs: list, targets: dict, inputs) -> None:
    for nr, g in enumerate(grad_outputs):
        idx = targets.get((node, nr))
        if idx is not None and g is not None and not isinstance(node, AccumulateGrad):
            accumulate_into_leaf(inputs[idx], g)
