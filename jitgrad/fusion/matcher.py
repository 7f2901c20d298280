"""Generated Python that recognises a graph structure without walking it generically.

The replay cache (:mod:`.replay`) needs, on every ``backward()``, the new graph's nodes in
discovery order and proof that the graph has a recorded program's structure. The generic
walk builds the structural key with a dict of seen nodes and hashes it (about 0.6 us per
node). For a structure seen twice, this module writes a function that checks the same facts
in straight-line code, one block per node of the recorded graph::

    n0 = roots[0][0]
    if roots[0][1] != 0: return None
    if n0._key != K0 or n0._extra is not None: return None
    t0, t1 = n0._next
    if n0._nrs != R0: return None
    n1 = t0
    if t1 is not n2 ...
    if not (n2._seq < n1._seq < n0._seq < INF == n3._seq): return None

It holds exactly when the generic walk would produce the recorded key: equal tokens, equal
edges and output numbers, no hooks, the same creation order. Sharing is checked too: a node
met again must be the same object (``is``), and a node met for the first time must be new.
Non-leaf nodes take distinct creation numbers from one counter and the order check is
strict, so two positions cannot hold one node; leaves (``AccumulateGrad``, all created at
``inf``) are checked to be distinct objects. Any other mismatch (a missing edge, a ``None``
where a node was) raises inside and reads as no match.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

#: Graphs with more nodes get no matcher (its source grows with the graph; compiling one
#: line costs about 10 us, once).
MAX_NODES = 4096

Matcher = Callable[[Sequence[tuple], Sequence[Any]], list | None]


def by_age(order: list) -> list[int]:
    """Positions in ``order`` from the oldest node to the newest (a stable sort: the leaves'
    ``inf`` ties stay in discovery order)."""
    seqs = [n._seq for n in order]
    return sorted(range(len(seqs)), key=seqs.__getitem__)


def build(order: list, roots: Sequence[tuple], grads: Sequence[Any]) -> Matcher | None:
    """A function ``(roots, grads) -> nodes in discovery order, or None`` that matches
    graphs with the structure of ``order`` (just walked by ``replay.structure``)."""
    if len(order) > MAX_NODES:
        return None
    src = _Source(order)
    src.check_inputs(roots, grads)
    for i, (node, nr) in enumerate(roots):
        src.edge(f"roots[{i}][0]", f"roots[{i}][1]", node, nr)
    for p, node in enumerate(order):
        src.check_node(p, node)
    src.check_creation_order(order)
    src.lines.append(f"return [{', '.join(f'n{p}' for p in range(len(order)))}]")
    return src.compile(len(order))


class _Source:
    """A matcher's source, one check a line (the body of its ``try``), and the constants the
    lines name (``INF``, the gradients' dtypes ``D<i>``, the nodes' tokens ``K<p>``)."""

    def __init__(self, order: list) -> None:
        self.pos = {node: i for i, node in enumerate(order)}
        self.consts: dict[str, Any] = {"INF": math.inf}
        self.lines: list[str] = []
        self.seen: set[int] = set()  # positions bound to a name ``n<p>`` so far

    def check_inputs(self, roots: Sequence[tuple], grads: Sequence[Any]) -> None:
        """As many roots and gradients; each gradient of the recorded dtype and shape."""
        lines = self.lines
        lines.append(f"if len(roots) != {len(roots)} or len(grads) != {len(grads)}: return None")
        for i, g in enumerate(grads):
            if g is None:
                lines.append(f"if grads[{i}] is not None: return None")
                continue
            self.consts[f"D{i}"] = g._dtype
            lines.append(f"g = grads[{i}]")
            lines.append(
                f"if g._dtype is not D{i} or g._value.shape != {g._value.shape!r}: return None"
            )

    def edge(self, target: str, nr_name: str | None, node: Any, nr: int = 0) -> None:
        """Lines checking that ``target`` holds ``node`` with output number ``nr`` (read
        from ``nr_name``; None: the caller checks it)."""
        p = self.pos[node]
        if p in self.seen:
            self.lines.append(f"if {target} is not n{p}: return None")
        else:  # first met here, as in the walk: bind it (checked when its block runs)
            self.seen.add(p)
            self.lines.append(f"n{p} = {target}")
        if nr_name is not None:
            self.lines.append(f"if {nr_name} != {nr}: return None")

    def check_node(self, p: int, node: Any) -> None:
        """Node ``p``'s block: its token, no hooks, and its edges."""
        lines = self.lines
        self.consts[f"K{p}"] = node._key
        lines.append(f"if n{p}._key != K{p} or n{p}._extra is not None: return None")
        nexts = node._next  # (next_functions as the node keeps them: see engine/node.py)
        if not nexts:
            lines.append(f"if n{p}._next: return None")
            return
        names = ", ".join(f"t{j}" for j in range(len(nexts)))
        lines.append(f"{names}{',' if len(nexts) == 1 else ''} = n{p}._next")
        self.consts[f"R{p}"] = node._nrs  # every output number at once (0 for a None)
        lines.append(f"if n{p}._nrs != R{p}: return None")
        for j, nxt in enumerate(nexts):
            if nxt is None:
                lines.append(f"if t{j} is not None: return None")
            else:
                self.edge(f"t{j}", None, nxt)

    def check_creation_order(self, order: list) -> None:
        """The creation order (the walk's last key entry): the other nodes oldest first, then
        the leaves, each created at inf (and distinct objects)."""
        ages = [p for p in by_age(order) if order[p]._seq != math.inf]
        leaves = [p for p in range(len(order)) if order[p]._seq == math.inf]
        chain = " < ".join([f"n{p}._seq" for p in ages] + ["INF"])
        same = "".join(f" == n{p}._seq" for p in leaves)
        self.lines.append(f"if not ({chain}{same}): return None")
        if len(leaves) > 1:
            members = ", ".join(f"n{p}" for p in leaves)
            self.lines.append(f"if len({{{members}}}) != {len(leaves)}: return None")

    def compile(self, n_nodes: int) -> Matcher:
        body = "\n".join("        " + line for line in self.lines)
        source = (
            "def match(roots, grads):\n"
            "    try:\n"
            f"{body}\n"
            "    except (AttributeError, TypeError, ValueError):\n"
            "        return None\n"
        )
        namespace = dict(self.consts)
        name = f"<jitgrad graph matcher, {n_nodes} nodes>"
        exec(compile(source, name, "exec"), namespace)  # noqa: S102
        return namespace["match"]
