"""``jitgrad.viz.make_dot``: torchviz's picture of a backward graph, plus what fusion does.

The drawing follows torchviz's ``make_dot(var, params, show_attrs, show_saved)``: one grey
box per backward node, each leaf drawn as a light-blue box (its name from ``params`` and its
shape) feeding its ``AccumulateGrad`` node, the output as a green box fed by its ``grad_fn``,
saved tensors (``show_saved``) as orange boxes joined to their node without an arrow.

On top of torchviz: each backward fusion group is a dashed blue cluster labelled with its
kernel's name and its compile/cache state and time (from :func:`jitgrad.explain`), and a
legend says what the colours mean. The result is a ``graphviz.Digraph`` when it can render:
the optional ``graphviz`` package (``pip install jitgrad[viz]``) and Graphviz's ``dot``
program are both installed. Else it is a :class:`Dot` with the same ``source``, ``body`` and
``attr()``, which a notebook shows as the DOT text (as an SVG if ``dot`` is there).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

from .engine import fusion_mode as control
from .explain import explain
from .explain_forward import graph_nodes
from .frontend.saved_views import saved_tensors_of

__all__ = ["Dot", "graph_nodes", "make_dot"]

GRAPH_ATTR = {"size": "12,12"}
NODE_ATTR = {
    "style": "filled",
    "shape": "box",
    "align": "left",
    "fontsize": "10",
    "ranksep": "0.1",
    "height": "0.2",
    "fontname": "monospace",
}
#: fill colours, as torchviz draws them
OUTPUT, LEAF, SAVED, VIEW_BASE = "darkolivegreen1", "lightblue", "orange", "darkolivegreen3"


class Dot:
    """DOT text with the parts of ``graphviz.Digraph`` a picture needs, for when the
    ``graphviz`` package is missing: ``source``, ``body``, ``attr()``, ``node()``, ``edge()``
    and notebook display (``_repr_mimebundle_``, ``_repr_svg_``). Rendering to a file needs
    the package: :meth:`render` says so."""

    def __init__(self, body: list[str] | None = None) -> None:
        self.body: list[str] = list(body or [])

    @property
    def source(self) -> str:
        return "digraph {\n" + "".join(self.body) + "}\n"

    def __str__(self) -> str:
        return self.source

    def attr(self, kw: str | None = None, **attrs: str) -> None:
        """Graph attributes (or, with ``kw`` "node"/"edge", default node or edge ones), as
        ``graphviz.Digraph.attr`` writes them."""
        if kw is not None:
            self.body.append(f"\t{kw} [{_attrs(attrs)}]\n")
            return
        self.body += [f"\t{k}={_id(str(v))}\n" for k, v in attrs.items()]

    def node(self, name: str, label: str | None = None, **attrs: str) -> None:
        if label is not None:
            attrs = {"label": label, **attrs}
        self.body.append(f"\t{name} [{_attrs(attrs)}]\n" if attrs else f"\t{name}\n")

    def edge(self, tail: str, head: str, **attrs: str) -> None:
        extra = f" [{_attrs(attrs)}]" if attrs else ""
        self.body.append(f"\t{tail} -> {head}{extra}\n")

    def _repr_svg_(self) -> str | None:
        """The picture as SVG, through the Graphviz ``dot`` program (None without it)."""
        exe = shutil.which("dot")
        if exe is None:
            return None
        done = subprocess.run(
            [exe, "-Tsvg"], input=self.source, capture_output=True, text=True, timeout=60
        )
        return done.stdout if done.returncode == 0 else None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        bundle = {"text/plain": self.source}
        svg = self._repr_svg_()
        if svg is not None:
            bundle["image/svg+xml"] = svg
        return bundle

    def _missing(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "rendering needs the graphviz package (pip install graphviz) and the Graphviz "
            "'dot' program; the DOT text is available as .source"
        )

    save = render = view = pipe = _missing


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _id(text: str) -> str:
    """A DOT identifier: bare where DOT allows it, else quoted (as graphviz does)."""
    return text if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*|-?[0-9]*\.?[0-9]+", text) else _quote(text)


def _attrs(attrs: dict[str, str]) -> str:
    return " ".join(f"{k}={_quote(str(v))}" for k, v in attrs.items())


def _size(shape: Any) -> str:
    return "(" + ", ".join(str(int(s)) for s in shape) + ")"


def _var_label(var: Any, names: dict[int, str]) -> str:
    return f"{names.get(id(var), '')}\n {_size(var.shape)}"


def _fn_label(node: Any, show_attrs: bool, max_chars: int) -> str:
    name = type(node).__name__
    if not show_attrs:
        return name
    attrs = {}
    metadata = node._extra.metadata if node._extra is not None else None
    for key, value in (metadata or {}).items():
        text = str(value)
        attrs[key] = text if len(text) <= max_chars else text[: max_chars - 3] + "..."
    if not attrs:
        return name
    width = max(len(k) for k in attrs)
    rows = [f"{k.ljust(width)}: {v}" for k, v in attrs.items()]
    return name + "\n" + "-" * max(len(name), *map(len, rows)) + "\n" + "\n".join(rows)


def _fused_clusters(
    outputs: list[Any], show: bool
) -> tuple[dict[Any, int], list[tuple[str, list[Any]]]]:
    """The fusion groups :func:`explain` finds under each output (none unless ``show``):
    each node's cluster number, and each cluster's label (its kernel and status) and nodes."""
    cluster_of: dict[Any, int] = {}
    clusters: list[tuple[str, list[Any]]] = []
    if show:
        for out in outputs:
            if out.grad_fn is None:
                continue
            for g in explain(out).groups:
                label = f"fused kernel {len(clusters)}: {g.kernel}\n{g.status}"
                for node in g.nodes:
                    cluster_of[node] = len(clusters)
                clusters.append((label, g.nodes))
    return cluster_of, clusters


def _add_clusters(
    dot: Dot, clusters: list[tuple[str, list[Any]]], members: list[list[str]]
) -> None:
    """Each fusion cluster as a dashed blue ``subgraph cluster_fused<i>`` around its node
    lines (Graphviz draws a subgraph named ``cluster*`` as a box)."""
    for i, ((label, _), lines) in enumerate(zip(clusters, members, strict=True)):
        dot.body.append(f"\tsubgraph cluster_fused{i} {{\n")
        dot.body.append(f"\t\tlabel={_quote(label)} style=dashed color=blue fontcolor=blue\n")
        dot.body += ["\t" + line for line in lines]
        dot.body.append("\t}\n")


def make_dot(
    var: Any,
    params: dict[str, Any] | None = None,
    show_attrs: bool = False,
    show_saved: bool = False,
    max_attr_chars: int = 50,
    show_fusion: bool = True,
    legend: bool = True,
) -> Any:
    """The backward graph of ``var`` (a tensor or a sequence of tensors), drawn as torchviz
    draws it, with fusion groups as clusters and a legend (see the module docstring)."""
    names = {id(v): k for k, v in (params or {}).items()}
    outputs = list(var) if isinstance(var, (tuple, list)) else [var]
    body = [f"\tgraph [{_attrs(GRAPH_ATTR)}]\n", f"\tnode [{_attrs(NODE_ATTR)}]\n"]
    dot = Dot(body)
    cluster_of, clusters = _fused_clusters(outputs, show_fusion and control.STATE.enabled)
    members: list[list[str]] = [[] for _ in clusters]
    seen: set[int] = set()

    def add_node(node: Any, line_attrs: dict[str, str]) -> None:
        target = members[cluster_of[node]] if node in cluster_of else dot.body
        target.append(f"\t{id(node)} [{_attrs(line_attrs)}]\n")

    for out in outputs:
        dot.node(str(id(out)), _var_label(out, names), fillcolor=OUTPUT)
        root = out.grad_fn
        if root is None:
            continue
        for node in graph_nodes(root):
            if id(node) in seen:
                continue
            seen.add(id(node))
            add_node(node, {"label": _fn_label(node, show_attrs, max_attr_chars)})
            leaf = getattr(node, "variable", None)
            if leaf is not None and id(leaf) not in seen:
                seen.add(id(leaf))
                dot.node(str(id(leaf)), _var_label(leaf, names), fillcolor=LEAF)
                dot.edge(str(id(leaf)), str(id(node)))
            if show_saved:
                _add_saved(dot, node, seen)
            for nxt, _ in node.next_functions:
                if nxt is not None:
                    dot.edge(str(id(nxt)), str(id(node)))
        dot.edge(str(id(root)), str(id(out)))
    _add_clusters(dot, clusters, members)
    if legend:
        _add_legend(dot, bool(clusters), show_saved)
    _resize(dot, len(seen))
    return _as_digraph(dot)


def _add_saved(dot: Dot, node: Any, seen: set[int]) -> None:
    """The tensors an elementwise node saved for backward, as orange boxes labelled like
    torchviz's (the node's ``_saved_<name>`` attributes); a saved leaf is its blue box."""
    for role, x in saved_tensors_of(node):
        if id(x) not in seen and not (x.requires_grad and x.grad_fn is None):  # leaves: blue
            seen.add(id(x))
            dot.node(str(id(x)), f"{role}\n {_size(x.shape)}", fillcolor=SAVED)
        dot.edge(str(id(node)), str(id(x)), dir="none")


def _add_legend(dot: Dot, fused: bool, saved: bool) -> None:
    rows = [
        ("legend_out", "output tensor", OUTPUT),
        ("legend_leaf", "leaf tensor / parameter", LEAF),
        ("legend_fn", "backward node (its own kernel)", "lightgrey"),
    ]
    if saved:
        rows.append(("legend_saved", "saved tensor", SAVED))
    dot.body.append("\tsubgraph cluster_legend {\n\t\tlabel=legend style=solid color=grey\n")
    for name, label, colour in rows:
        dot.body.append(f"\t\t{name} [{_attrs({'label': label, 'fillcolor': colour})}]\n")
    if fused:
        dot.body.append(
            '\t\tsubgraph cluster_legend_fused {\n\t\t\tlabel="fused kernel: name, '
            'compile/cache state, time" style=dashed color=blue fontcolor=blue\n'
            '\t\t\tlegend_member [label="fused backward node"]\n\t\t}\n'
        )
    dot.body.append("\t}\n")


def _resize(dot: Dot, nodes: int, size_per_element: float = 0.15, min_size: int = 12) -> None:
    """Grow the canvas with the graph, as torchviz's ``resize_graph`` does."""
    side = max(min_size, int(nodes * size_per_element))
    dot.body[0] = f"\tgraph [{_attrs({'size': f'{side},{side}'})}]\n"


def _as_digraph(dot: Dot) -> Any:
    """A ``graphviz.Digraph`` where it can render (the package and the ``dot`` program are
    both installed), else ``dot`` itself, which shows its DOT text in a notebook."""
    if shutil.which("dot") is None:
        return dot
    try:
        import graphviz  # type: ignore[import-not-found]
    except ImportError:
        return dot
    digraph = graphviz.Digraph()
    digraph.body.extend(dot.body)
    return digraph
