"""``jitgrad.viz.make_dot``: the backward graph as Graphviz DOT, fusion groups as clusters.

Like torchviz: one box per backward node, leaves drawn as their ``AccumulateGrad`` node
with the leaf's shape (and its name from ``params``), the output in its own box. With
``show_fusion`` the nodes of each fusion group are drawn inside a cluster labelled with the
kernel's op chain. Returns a ``graphviz.Digraph`` when the optional ``graphviz`` package is
installed, else a :class:`Dot` holding the same DOT text.
"""

from __future__ import annotations

from typing import Any

from .fusion import control
from .fusion.planner import partition


class Dot:
    """DOT source without the ``graphviz`` package: ``.source`` works, rendering explains."""

    def __init__(self, source: str) -> None:
        self.source = source

    def __str__(self) -> str:
        return self.source

    def _missing(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "rendering needs the graphviz package (pip install graphviz) and the Graphviz "
            "'dot' program; the DOT text is available as .source"
        )

    save = render = view = pipe = _missing


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _shape(t: Any) -> str:
    return "(" + ", ".join(str(s) for s in t.shape) + ")"


def graph_nodes(root: Any) -> list[Any]:
    """Every backward node reachable from ``root``, depth first, ``root`` first."""
    nodes: list[Any] = []
    seen = {root}
    stack = [root]
    while stack:
        node = stack.pop()
        nodes.append(node)
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return nodes


def make_dot(t: Any, params: dict[str, Any] | None = None, show_fusion: bool = True) -> Any:
    """The graph of ``t``'s backward as a Digraph (or :class:`Dot` without graphviz)."""
    names = {id(v): k for k, v in (params or {}).items()}
    root = t.grad_fn
    lines = [
        "digraph {",
        '\tgraph [size="12,12"]',
        "\tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 "
        "shape=box style=filled]",
    ]
    out_id = f"out{id(t)}"
    lines.append(f"\t{out_id} [label={_quote(_shape(t))} fillcolor=darkolivegreen1]")
    nodes = graph_nodes(root) if root is not None else []
    groups: list[list[Any]] = []
    if show_fusion and control.STATE.enabled and nodes:
        groups = partition(nodes, dict.fromkeys(nodes, True), [root])
    in_group = {id(m) for g in groups for m in g}
    for node in nodes:
        if id(node) in in_group:
            continue
        lines.append("\t" + _node_line(node, names))
    for i, group in enumerate(groups):
        label = " + ".join(m.name().replace("Backward0", "") for m in group)
        lines.append(f"\tsubgraph cluster_fused{i} {{")
        lines.append(f"\t\tlabel={_quote('fused kernel ' + str(i) + ': ' + label)}")
        lines.append("\t\tstyle=dashed color=blue")
        lines += ["\t\t" + _node_line(m, names) for m in group]
        lines.append("\t}")
    for node in nodes:
        for nxt, _ in node.next_functions:
            if nxt is not None:
                lines.append(f"\t{id(nxt)} -> {id(node)}")
    if root is not None:
        lines.append(f"\t{id(root)} -> {out_id} [style=dashed]")
    lines.append("}")
    source = "\n".join(lines) + "\n"
    try:
        import graphviz  # type: ignore[import-not-found]
    except ImportError:
        return Dot(source)
    return graphviz.Source(source)


def _node_line(node: Any, names: dict[int, str]) -> str:
    var = getattr(node, "variable", None)
    if var is not None:
        name = names.get(id(var), "")
        label = (name + "\n" if name else "") + _shape(var)
        return f"{id(node)} [label={_quote(label)} fillcolor=lightblue]"
    return f"{id(node)} [label={_quote(node.name())} fillcolor=lightgrey]"
