"""One node for an op that jitgrad computes as several single-output ops.

PyTorch records ``aminmax``, ``std_mean`` and ``var_mean`` as one node with two outputs
(``min.grad_fn is max.grad_fn``, outputs 0 and 1 of ``AminmaxBackward0``), and its derivative
takes both gradients at once (``aminmax_backward(self, ..., grad_min, grad_max, ...)``). jitgrad
computes each output with the op that already has its kernels and derivative (amin and amax;
std/var and mean), then :func:`joined` hangs the results off one node whose backward hands
each output's gradient to that output's own node and adds what they return. The parts' nodes
are reached from no output, so hooks, ``next_functions`` and the sweep see only the joint
node, as in PyTorch; under ``create_graph`` a part's derivative still records, and one that
reads its result (a std's) reads it as the joint node's output (``StdMeanBackward0``'s output
0, as PyTorch's graph shows it: ``OwnedResultSaved``).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from .recording import ResultSaved, record_multi, renamed, unpacked
from .tensor_messages import output_changed


def joined(name: str, parts: Sequence[Any], inputs: Sequence[Any]) -> list:
    """``parts`` (tensors, each the result of its own node over exactly ``inputs``' edges) as
    the outputs of one node ``name``. Parts without a node (no gradient recorded), or whose
    nodes lead elsewhere (a spread whose backend composes it of other ops), are returned as
    they are."""
    nodes = [getattr(p, "grad_fn", None) for p in parts]
    if nodes[0] is None or any(n is None for n in nodes):
        return list(parts)
    edges = nodes[0].next_functions
    if any(n.next_functions != edges for n in nodes):
        return list(parts)

    def backward(*grads: Any) -> tuple:
        _outputs_unchanged(name, nodes)
        total: list = [None] * len(edges)
        for node, g in zip(nodes, grads, strict=False):
            if g is None:
                continue
            for k, r in enumerate(node.apply([g])):
                if r is not None:
                    total[k] = r if total[k] is None else total[k] + r
        return tuple(total)

    values = [p._value for p in parts]
    # (saving ``inputs`` frees the node after a backward: its closure drops the parts' nodes,
    # and a second backward raises the freed-graph error, as PyTorch's saved ``self`` does)
    outs = record_multi(name, values, [p._dtype for p in parts], inputs, backward, inputs)
    for k, (out, node, part) in enumerate(zip(outs, nodes, parts, strict=True)):
        out._vc = part._counter()  # a part's node that saved its result checks this counter
        if isinstance(node._saved, ResultSaved):
            node._saved = OwnedResultSaved(node._saved, (weakref.ref(out.grad_fn), k))
    return outs


class OwnedResultSaved(ResultSaved):
    """A part's saved result shown as output ``owner[1]`` of the joint node ``owner[0]()``
    (a weak reference: the joint node's closure holds the part's node), so a derivative that
    reads it under ``create_graph`` records that edge, as PyTorch's does (std_mean's std is
    ``StdMeanBackward0``'s output 0). A subclass: the hot path's records keep four slots."""

    __slots__ = ("owner",)

    def __init__(self, s: ResultSaved, owner: tuple) -> None:
        super().__init__(s.fn, s.tensors, s.versions, s.value, s.dtype, s.counter, s.version)
        self.owner = owner


def _outputs_unchanged(name: str, nodes: Sequence[Any]) -> None:
    """PyTorch's version check of the outputs the joint node saved (aminmax's min and max,
    std_mean's std: those whose part node saved its result), worded for output ``i`` of
    ``name`` (before any part runs, so the part's own check never words it as its node)."""
    for i, node in enumerate(nodes):
        saved = node._saved
        if isinstance(saved, ResultSaved) and saved.counter[0] != saved.version:
            if node._extra is None or unpacked(node) is None:  # (hooks packed it: unchecked)
                output_changed(name, i, saved.value, saved.counter[0], saved.version)


def with_mean_node(name: str, spread: Any, mean: Any, input: Any) -> tuple:  # noqa: A002
    """``std_mean``/``var_mean``'s ``(spread, mean)`` under one ``StdMeanBackward0`` /
    ``VarMeanBackward0`` (a spread composed of other ops keeps its own node, renamed)."""
    node = "StdMeanBackward0" if name == "std_mean" else "VarMeanBackward0"
    parts = joined(node, (spread, mean), (input,))
    if parts[0].grad_fn is parts[1].grad_fn:
        return tuple(parts)
    return tuple(renamed(p, node) for p in parts)
