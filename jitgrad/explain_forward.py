"""The forward half of ``jitgrad.explain``: which kernels the forward ran, and why each ended.

The backward graph is the forward's record: each node is one forward op, its ``_seq`` the
order the ops ran in. From it this module rebuilds what forward fusion (:mod:`.frontend.lazy`)
did or would do with each op: a large enough elementwise op is deferred and joins the
pending chain of its operands, so the chain runs as one generated kernel; a small one runs
eagerly, alone; a non-elementwise op (sum, matmul, a loss) runs its own hand-written kernel
and, reading a deferred value, cuts the chain there. Each :class:`ForwardGroup` says which
case it is and why it ended.

Only structure is read (node classes, edges, leaf shapes, the shapes saved values still
hold), so it works after ``backward()`` freed the saved values and computes nothing.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import Any

from .engine.elementwise import ElementwiseNode
from .engine.fusion_mode import STATE as FUSE
from .engine.sweep import AccumulateGrad
from .frontend import lazy
from .frontend.pointwise import ElementwiseBackward, broadcast_shape
from .ops.saved_record import SavedRecord

#: Full reductions a deferred chain takes as its kernel's epilogue (see lazy.reduce_full).
EPILOGUES = frozenset({"SumBackward0", "MeanBackward0"})


@dataclass
class ForwardGroup:
    """Forward ops that run as one kernel (or one op alone), in the order they ran.

    ``kind``: ``"deferred"`` (one generated kernel for the chain), ``"eager"`` (a generated
    elementwise kernel for one op) or ``"hand-written"`` (a non-elementwise op's kernel).
    ``reason``: why the group ends here (or why the op was not deferred).
    """

    ops: list[str]
    kind: str
    shape: tuple[int, ...] | None
    reason: str
    nodes: list[Any] = field(default_factory=list, repr=False)

    @property
    def source(self) -> str:
        """The generated source of the kernel a device chain ran ("" where none ran yet, or
        on the CPU, whose chain kernels ``JITGRAD_DEBUG=2`` logs)."""
        ran = getattr(self.nodes[-1], "_forward_kernel", None) if self.nodes else None
        return "" if ran is None else ran[1]

    @property
    def elements(self) -> int | None:
        if self.shape is None:
            return None
        size = 1
        for n in self.shape:
            size *= n
        return size

    def line(self, i: int) -> str:
        n = self.elements
        size = "? elements" if n is None else f"{n:,} element{'s' if n != 1 else ''}"
        return f"forward {i}: {' + '.join(self.ops)} [{self.kind}, {size}] {self.reason}"


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


def op_name(node: Any) -> str:
    """The forward op a backward node records: ``MulBackward0`` -> ``mul``."""
    return re.sub(r"Backward\d*$", "", node.name()).lower() or node.name()


def _saved_shape(node: Any) -> tuple[int, ...] | None:
    rec = node.record() if isinstance(node, ElementwiseNode) else None
    if not isinstance(rec, ElementwiseNode | SavedRecord):  # freed, or not elementwise
        return None
    out = rec.out  # the output array, or the Pending of a deferred op
    return tuple(out.shape) if hasattr(out, "shape") else None


def shapes_of(nodes: list[Any], t: Any) -> dict[Any, tuple[int, ...] | None]:
    """Each node's forward output shape where the graph still tells it: the root's is
    ``t``'s, a leaf's its variable's, an elementwise op's the broadcast of its operands'."""
    shapes: dict[Any, tuple[int, ...] | None] = {
        n: tuple(n.variable.shape) for n in nodes if isinstance(n, AccumulateGrad)
    }
    for node in sorted(nodes, key=lambda n: n._seq):
        if node is t.grad_fn:
            shapes[node] = tuple(t.shape)
        elif isinstance(node, AccumulateGrad):
            continue
        elif isinstance(node, ElementwiseBackward):
            shape = _saved_shape(node)
            if shape is None:
                ins = [shapes.get(n) for n, _ in node.next_functions if n is not None]
                known = all(s is not None for s in ins) and ins
                shape = broadcast_shape(ins) if known else None  # type: ignore[arg-type]
            shapes[node] = shape
        else:
            shapes[node] = None
    return shapes


def _hand_written(
    node: Any, shape: Any, open_group: dict[Any, ForwardGroup], groups: list[ForwardGroup]
) -> None:
    """A node that is not elementwise runs its own hand-written kernel, which ends every
    pending chain it reads: a full reduction reading one chain becomes that chain's
    epilogue (one kernel, as the lowering emits it), anything else cuts it."""
    group: ForwardGroup | None = ForwardGroup(
        [op_name(node)], "hand-written", shape, "not elementwise"
    )
    chains = {id(g): g for n, _ in node.next_functions if (g := open_group.get(n))}
    for chain in chains.values():
        _close(chain, open_group)
        if node.name() in EPILOGUES and len(node.next_functions) == 1:
            chain.ops.append(op_name(node))
            chain.reason = f"ends in the full {op_name(node)}, its kernel's epilogue"
            group = None
        else:
            chain.reason = f"cut: {op_name(node)} reads it (not elementwise)"
    if group is not None:
        group.nodes.append(node)
        groups.append(group)


def _why_eager(size: int | None, deferred_anyway: bool) -> str:
    """Why an elementwise op ran eagerly, or "" when it was deferred: the fusion and
    deferral switches, then its size against the deferral threshold (an op reading a
    pending chain, and every op on a device, is deferred whatever its size:
    ``deferred_anyway``)."""
    lazy_state = lazy.STATE
    if not FUSE.enabled:
        return "eager: fusion off (jitgrad.fusion(False))"
    if lazy_state.min_size == sys.maxsize and not lazy_state.enabled:
        return "eager: deferral off (JITGRAD_LAZY=0)"
    if deferred_anyway or lazy_state.enabled:
        return ""
    if size is not None and size >= lazy_state.min_size:
        return ""
    if size is None:
        return "eager or deferred: its size is not recorded after backward"
    return (
        f"eager: {size:,} elements < the deferral threshold {lazy_state.min_size:,} "
        "(JITGRAD_LAZY_MIN_SIZE)"
    )


def forward_groups(nodes: list[Any], t: Any, on_device: bool = False) -> list[ForwardGroup]:
    """The forward's kernels, in the order they ran (see the module docstring); ``on_device``:
    a CUDA graph, where every elementwise op is deferred whatever its size (see
    :mod:`jitgrad.backends.cuda.deferred`)."""
    ops = sorted((n for n in nodes if not isinstance(n, AccumulateGrad)), key=lambda n: n._seq)
    shapes = shapes_of(nodes, t)
    consumers: dict[Any, list[Any]] = {}
    for node in ops:
        for nxt, _ in node.next_functions:
            if nxt is not None:
                consumers.setdefault(nxt, []).append(node)
    groups: list[ForwardGroup] = []
    open_group: dict[Any, ForwardGroup] = {}  # deferred node -> its still-pending chain
    for node in ops:
        shape = shapes[node]
        if not isinstance(node, ElementwiseBackward):
            _hand_written(node, shape, open_group, groups)
            continue
        size = None if shape is None else ForwardGroup([], "", shape, "").elements
        producers = [open_group[n] for n, _ in node.next_functions if n in open_group]
        why = _why_eager(size, bool(producers) or on_device)
        if why:
            group = ForwardGroup([op_name(node)], "eager", shape, why, [node])
            groups.append(group)
            continue
        chain = next((g for g in producers if g.shape == shape), None)
        for other in producers:
            if other is chain:
                continue
            if other.shape == shape:  # two pending chains meet: one kernel computes both
                _merge(chain, other, open_group, groups)
            else:  # a broadcast operand runs first, as its own kernel
                _close(other, open_group)
                other.reason = "cut: read as a broadcast operand (shape changes)"
        if chain is not None and len(chain.ops) >= lazy.MAX_CHAIN:
            _close(chain, open_group)
            chain.reason = f"cut: the cap of {lazy.MAX_CHAIN} ops per kernel (lazy.MAX_CHAIN)"
            chain = None
        if chain is None:
            chain = ForwardGroup([], "deferred", shape, "ends at the output")
            groups.append(chain)
        chain.ops.append(op_name(node))
        chain.nodes.append(node)
        open_group[node] = chain
    return groups


def _close(chain: ForwardGroup, open_group: dict) -> None:
    for n in chain.nodes:
        open_group.pop(n, None)


def _merge(into: ForwardGroup, other: ForwardGroup, open_group: dict, groups: list) -> None:
    """Chains that meet in one op run as one kernel (lazy._collect walks all of them)."""
    into.nodes = sorted(into.nodes + other.nodes, key=lambda n: n._seq)
    into.ops = [op_name(n) for n in into.nodes]
    for n in other.nodes:
        open_group[n] = into
    groups.remove(other)
