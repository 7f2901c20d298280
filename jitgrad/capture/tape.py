"""A captured step as arrays, its backward sweep, and its replay.

:class:`Tape` is what a trace builds: the arena layout (one flat array holding every value
of the step), the instruction rows the interpreter runs (:mod:`.interp`), which arena
ranges are read from the caller's tensors before a run and written back after it, and the
graph nodes the forward recorded. :meth:`Tape.backward` appends a backward sweep in the
order the eager engine runs one (:mod:`jitgrad.engine.sweep`: a node runs once every
gradient for it has arrived, the most recently created ready node first; the first gradient
to reach a buffer is stored, later ones are added to it), so that the gradients add up in
the same order and round the same. :class:`Program` is the frozen result: ``run`` copies the
inputs in, runs the interpreter (or the program's straight-line kernel, :mod:`.straight`)
once and writes results back.
"""

from __future__ import annotations

import heapq
from array import array
from typing import Any

from ..frontend.tensor import Tensor
from ..fusion.codegen import REDUCE_BLOCK
from . import interp
from .optable import TABLE
from .program import Program


class Unsupported(Exception):
    """The trace met something the tape cannot replay; the message says what."""


class Slot:
    """A tensor's values in the arena: ``n`` elements from ``off``, shaped ``shape``."""

    __slots__ = ("off", "n", "shape", "node", "nr", "rg", "leaf", "view", "ref", "sums")

    def __init__(self, off: int, n: int, shape: tuple, rg: bool = False) -> None:
        self.off, self.n, self.shape, self.rg = off, n, shape, rg
        self.node: Node | None = None  # the node that produced it (None: a leaf or constant)
        self.nr = 0  # which output of that node
        self.leaf: Any = None  # the caller's tensor, for a leaf that requires grad
        self.view = False  # shares memory with another slot (an in-place op would diverge)
        self.ref: tuple | None = None  # ("arg", i) / ("ext", t): the caller's tensor it reads
        #: how eager sums all of it (:func:`jitgrad.frontend.lazy_order.epilogue_sum`, asked
        #: while it was a deferred result): True a chain kernel's blocks, False pairwise
        self.sums: bool | None = False


class Node:
    """One recorded op that eager gave a ``grad_fn``: what the backward needs of it."""

    __slots__ = ("seq", "op", "inputs", "outputs", "consts", "freed", "reads", "host")

    def __init__(self, seq: int, op: str, inputs: list, outputs: list, consts: int,
                 reads: list | None = None) -> None:  # fmt: skip
        self.seq, self.op, self.inputs, self.outputs = seq, op, inputs, outputs
        self.consts, self.freed = consts, False
        #: where the backward rows read each input: its slot, or a broadcast one's full copy
        self.reads = reads or [s.off for s in inputs]
        #: a host node's backward (:mod:`.record_host`): ``host(tape, node, g, targets)``
        self.host: Any = None


def _dependencies(root: Node, inside: dict[int, int]) -> dict[Node, int]:
    """How many edges into each node the engine counts before the node is ready: every
    edge from a node that requires grad, except one between two members of the same fused
    group (``inside``: member id -> group root id), which the group runs in order."""
    deps: dict[Node, int] = {}
    seen = {root}
    stack = [root]
    while stack:
        node = stack.pop()
        for s in node.inputs:
            nxt = s.node if s is not None and s.rg else None
            if nxt is None:
                continue
            if inside.get(id(nxt)) != inside.get(id(node), -1):  # an edge the engine counts
                deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps


class Tape:
    """The trace's growing program (see the module docstring)."""

    def __init__(self) -> None:
        self.size = 0
        #: the instruction rows, flat (WIDTH ints a row): an array, not lists, so that the
        #: collector has nothing to scan in it when it runs again after the trace
        self.rows = array("i")
        self.consts: list[float] = []
        self.nodes: list[Node] = []
        self.dtype: Any = None
        #: (arena offset, element count, ref, of its grad): a ref is ("arg", i) (the call's
        #: i-th argument) or ("ext", tensor) (one the function reached by itself)
        self.reads: list[tuple[int, int, tuple, bool]] = []
        #: id(leaf) -> [ref, arena offset of its current ``.grad`` (None: no gradient)]
        self.grads: dict[int, list] = {}
        self._sends: dict | None = None  # while a fused group's rows are written
        self._group: set[int] = set()
        #: (row index, fn): host calls, each run before the row at its index
        self.hosts: list[tuple[int, Any]] = []
        #: (write(consts), guard): constants read afresh at each run (a learning rate), and
        #: the value guard that stands in for them where they cannot be (straight-line source)
        self.live: list[tuple[Any, tuple]] = []
        #: lists that :class:`Program` appends itself to (a host call that needs the program)
        self.cells: list[list] = []

    def alloc(self, n: int) -> int:
        off = self.size
        self.size += n
        return off

    def const(self, *values: float) -> int:
        c = len(self.consts)
        self.consts.extend(values)
        return c

    def row(self, op: str, dst: int, x: int = 0, y: int = 0, n: int = 1, acc: int = 0,
            c: int = 0, aux: int = 0) -> None:  # fmt: skip
        self.rows.extend((interp.CODE[op], dst, x, y, n, acc, c, aux))

    def node(self, op: str, inputs: list, outputs: list, consts: int = 0,
             reads: list | None = None) -> Node:  # fmt: skip
        node = Node(len(self.nodes), op, inputs, outputs, consts, reads)
        self.nodes.append(node)
        for nr, s in enumerate(outputs):
            s.node, s.nr, s.rg = node, nr, True
        return node

    # ---- backward ------------------------------------------------------------------------
    def backward(self, root: Slot, groups: list[list[Node]]) -> None:
        """The rows of ``root.backward()`` (a one-element root, seeded with 1).

        ``groups``: the fusion groups the engine forms for this graph, members root first
        (:func:`jitgrad.fusion.backward.plan`). A group runs at its root's turn, its members in
        order; what it sends out of the group is summed in the group first and then added to
        the target's buffer once, as the group's kernel and the engine do.
        """
        if root.node is None:
            raise Unsupported("backward() from a leaf")
        if root.node.freed:
            raise Unsupported("backward() through a graph already freed")
        group_of = {id(g[0]): g for g in groups}
        inside = {id(m): id(g[0]) for g in groups for m in g}
        deps = _dependencies(root.node, inside)
        buffers: dict[tuple, int] = {}  # (node, nr) -> arena offset of its gradient
        leaf_buffers: dict[int, tuple[Slot, int]] = {}
        seed = self.alloc(1)
        self.row("fill", seed, c=self.const(1.0))
        buffers[(root.node, root.nr)] = seed
        ready = [(-root.node.seq, root.node)]
        while ready:
            node = heapq.heappop(ready)[1]
            members = group_of.get(id(node), [node])
            if len(members) > 1 and any(m.outputs[0].n != node.outputs[0].n for m in members):
                raise Unsupported("a fused backward group whose members differ in size")
            sends: dict = {}  # outgoing sums: key -> [slot, offset, first row, contributions]
            self._sends = sends if len(members) > 1 else None
            self._group = {id(m) for m in members}
            for m in members:
                self._node_backward(m, buffers, leaf_buffers)
                m.freed = True
            self._sends = None
            self._send(sends, buffers, leaf_buffers)
            mine = inside.get(id(node), -1)
            for m in members:
                for s in m.inputs:
                    nxt = s.node if s is not None and s.rg else None
                    if nxt is None or inside.get(id(nxt)) == mine != -1:
                        continue
                    deps[nxt] -= 1
                    if deps[nxt] == 0:
                        heapq.heappush(ready, (-nxt.seq, nxt))
        self._accumulate_leaves(leaf_buffers)

    def _accumulate_leaves(self, leaf_buffers: dict) -> None:
        """Each leaf's gradient of this backward into its ``.grad`` slot: copied into a
        fresh one the first time (``.grad`` was None), else added, as ``AccumulateGrad``.
        (Not the buffer itself as the slot: :func:`.straight.io_ranges` sizes a ``.grad``
        slot by the rows writing its offset, and a scalar graph's buffer is written element
        by element.)"""
        for leaf, buf in leaf_buffers.values():
            entry = self.grads[leaf.leaf]
            have = entry[1]
            if have is None:
                dst = entry[1] = self.alloc(leaf.n)
                self.row("copy", dst, buf, n=leaf.n)
            else:
                self.row("add", have, have, buf, n=leaf.n)

    def _sent(self, s: Slot) -> bool:
        """Whether input ``s``'s gradient leaves the fused group being written."""
        return self._sends is not None and (s.node is None or id(s.node) not in self._group)

    def _target(self, s: Slot, buffers: dict, leaf_buffers: dict, n: int) -> tuple[int, int]:
        """Where input ``s``'s gradient goes, and whether it adds to what is there. Inside a
        fused group (``self._sends``), a target outside the group gets a group-local sum of
        ``n`` elements (the group's size: a broadcast input's contributions are added per
        element and summed once as they leave, as the group's kernel does)."""
        sends = self._sends
        if sends is not None and self._sent(s):
            key = id(s) if s.node is None else (s.node, s.nr)
            have = sends.get(key)
            if have is not None:
                have[3] += 1
                return have[1], 1
            off = self.alloc(n)
            sends[key] = [s, off, len(self.rows) // interp.WIDTH, 1, n]  # the caller's next row
            return off, 0
        if s.node is None:  # a leaf: its AccumulateGrad's buffer
            have = leaf_buffers.get(id(s))
            if have is not None:
                return have[1], 1
            off = self.alloc(s.n)
            leaf_buffers[id(s)] = (s, off)
            return off, 0
        key = (s.node, s.nr)
        off = buffers.get(key)
        if off is not None:
            return off, 1
        off = buffers[key] = self.alloc(s.n)
        return off, 0

    def _send(self, sends: dict, buffers: dict, leaf_buffers: dict) -> None:
        """Add what a fused group sent out (summed inside the group) to each target once, as
        the group's kernel does: a broadcast input's sum reduced as it leaves, a single
        contribution's row retargeted to write the target itself, else one ``b_g`` row."""
        for s, off, first, count, size in sends.values():
            dst, acc = self._target(s, buffers, leaf_buffers, s.n)
            if size != s.n:  # a broadcast input: summed as it leaves the group
                self.row("b_reduce", dst, off, n=size, acc=acc, aux=REDUCE_BLOCK)
            elif count == 1:  # one contribution: its row writes the target itself
                w = first * interp.WIDTH
                self.rows[w + 1] = dst
                self.rows[w + 5] |= acc
            else:
                self.row("b_g", dst, off, n=size, acc=acc)

    def _node_backward(self, node: Node, buffers: dict, leaf_buffers: dict) -> None:
        out = node.outputs
        gs = [buffers.get((node, nr)) for nr in range(len(out))]
        op = node.op
        if op == "unbind" or op == "select":
            src = node.inputs[0]
            dst, acc = self._target(src, buffers, leaf_buffers, src.n)
            picks = gs if op == "unbind" else [None] * src.n
            if op == "select":
                picks[node.consts] = gs[0]
            for i, g in enumerate(picks):
                if g is None:
                    self.row("b_zero", dst + i, acc=acc)
                else:
                    self.row("b_g", dst + i, g, acc=acc)
            return
        g = gs[0]
        if node.host is not None:
            target = lambda s: self._target(s, buffers, leaf_buffers, s.n)  # noqa: E731
            node.host(self, node, g if len(out) == 1 else gs, target)  # several: every g
            return
        if g is None:
            raise Unsupported(f"no gradient reached {TABLE[op].node}")
        if op == "stack":
            for i, s in enumerate(node.inputs):
                if s.rg:
                    dst, acc = self._target(s, buffers, leaf_buffers, s.n)
                    self.row("b_g", dst, g + i * s.n, n=s.n, acc=acc)
            return
        if op in ("sum", "sum_dim", "mean", "mean_dim"):  # each row's gradient spread over it
            s = node.inputs[0]
            rows = out[0].n
            dst, acc = self._target(s, buffers, leaf_buffers, s.n)
            code = "b_sum" if op.startswith("sum") else "b_mean"
            for r in range(rows):
                self.row(code, dst + r * (s.n // rows), g + r, n=s.n // rows, acc=acc)
            return
        if op == "mse_loss":
            self._mse_backward(node, g, buffers, leaf_buffers)
            return
        if op == "softmax":
            s, y = node.inputs[0], out[0]
            tmp = self.alloc(s.n)
            self.row("b_softmax", tmp, g, y.off, n=s.n)
            dst, acc = self._target(s, buffers, leaf_buffers, s.n)
            self.row("b_g", dst, tmp, n=s.n, acc=acc)
            return
        self._elementwise_backward(node, g, buffers, leaf_buffers)

    def _elementwise_backward(self, node: Node, g: int, buffers: dict, leaf_buffers: dict) -> None:
        """An elementwise node's backward rows: one row per input that wants a gradient, by
        the op's table entry (its code, the operand it reads, a second one); an input
        broadcast to the output gets the full gradient in scratch, then a ``b_reduce`` row
        sums it into its target as eager's blocked sum does."""
        out = node.outputs
        row = TABLE[node.op]
        n = out[0].n
        operands = {"a": node.reads[0], "b": node.reads[1] if len(node.reads) > 1 else None,
                    "out": out[0].off}  # fmt: skip
        for s, grad in zip(node.inputs, row.grads, strict=False):
            if s is None or not s.rg:
                continue
            if grad is None:
                raise Unsupported(f"{row.node}: no derivative declared for an input")
            code, reads, second = grad
            sent = self._sent(s)
            dst, acc = self._target(s, buffers, leaf_buffers, n if sent else s.n)
            reduce_to = None
            if s.n != n and not sent:  # the full gradient, then summed into the target
                reduce_to, dst, acc = (dst, acc), self.alloc(n), 0
            y = operands.get(reads) or 0
            aux = operands[second] if second is not None else 0
            self.row(code, dst, g, y, n=n, acc=acc, c=node.consts, aux=aux)
            if reduce_to is not None:
                self.row("b_reduce", reduce_to[0], dst, n=n, acc=reduce_to[1], aux=REDUCE_BLOCK)

    def _mse_backward(self, node: Node, g: int, buffers: dict, leaf_buffers: dict) -> None:
        """``mse_loss``'s backward as eager's runs it: ``g / count`` (mean), spread, then
        ``2 * (a - b) * g`` for ``a`` and its negation for ``b`` (reads[0]: ``a - b``)."""
        n = node.inputs[0].n
        if node.consts:  # the mean's g / count, the count cast as the kernel casts it
            scaled = self.alloc(1)
            self.row("divc", scaled, g, c=self.const(self.dtype.np.type(n)))
            g = scaled
        spread, twice = self.alloc(n), self.alloc(n)
        self.row("b_sum", spread, g, n=n)
        self.row("mulc", twice, node.reads[0], n=n, c=self.const(self.dtype.np.type(2.0)))
        for i, s in enumerate(node.inputs):
            if not s.rg:
                continue
            if i == 0:
                dst, acc = self._target(s, buffers, leaf_buffers, n)
                self.row("b_mul_a", dst, twice, spread, n=n, acc=acc)
            else:
                prod = self.alloc(n)
                self.row("b_mul_a", prod, twice, spread, n=n)
                dst, acc = self._target(s, buffers, leaf_buffers, n)
                self.row("b_neg_a", dst, prod, n=n, acc=acc)

    def freeze(self, outputs: Any, writes: list, grads: list) -> Program:
        return Program(self, outputs, writes, grads)

    def host(self, fn: Any) -> None:
        """A host call (:mod:`.record_host`) at this point of the rows: ``fn(arena, args)``
        runs between the interpreter's segments before and after it."""
        self.hosts.append((len(self.rows) // interp.WIDTH, fn))


def tensor_key(t: Tensor) -> tuple:
    """What a guard checks of a tensor the trace read (its values are read afresh)."""
    return (t._value.shape, t._dtype, t._requires_grad, t._grad is None, t.grad_fn is None)


class _Either:
    """A guard component every value satisfies (``tensor_key(t) != key`` compares each)."""

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    __hash__ = object.__hash__


#: stands for whether a tensor has a ``.grad`` in the guard of one the step cleared first
EITHER = _Either()
