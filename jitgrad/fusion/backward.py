"""Run a fusion group's backward as one generated kernel.

The kernel loops once over the root's output shape (every member's shape broadcasts to it).
Per element it recomputes the cheap forward values the rules read (rematerialization: no
saved array is read for them), reads the others from the saved forward arrays, evaluates
each member's derivative rules from the root down, and writes every gradient that leaves
the group straight into its buffer: stored where the buffer has the full shape, accumulated
through a stride-0 view where the input was broadcast, reduced into a scalar accumulator
where it has one element. Every derivative rule is linear in ``g``, so summing a broadcast
member's gradient after multiplying by its (broadcast) local factors is exact math.

Each step builds a cheap structural key (ops, operand masks, dtypes, which operand comes
from which member, output modes, collapsed ndim); the key maps to the compiled kernel and
the order of its arguments, so a training loop's second step renders and compiles nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import helpers
from ..engine.node import edges_of
from ..engine.sweep import ABOVE, ALL_NEEDED, add_to_buffer, free_saved, hooked
from ..ops.saved_record import INLINE, LazySaved
from . import codegen as C
from .front import FRONT
from .group_layout import (
    GroupLayout,
    _kernels,  # noqa: F401 - re-exported for explain, remove after the merge
    _log_arguments,
)
from .planner import partition


def plan(nodes: Any, needed: Any, entries: Any, tensors: Any = ()) -> dict[Any, Any]:
    """Fusion groups of a backward graph, keyed by their root node (see :mod:`.planner`).

    A backward root among ``tensors`` that is a deferred full sum/mean of the group below it
    takes that group over as a :class:`JointGroup` (forward and backward in one kernel).
    """
    groups: dict[Any, Any] = {g[0]: FusedGroup(g) for g in partition(nodes, needed, entries)}
    for t in tensors:
        joint = JointGroup.over(t, groups)
        if joint is not None:
            del groups[joint.members[0]]
            groups[joint.root] = joint
    if helpers.DEBUG >= 2:
        for i, group in enumerate(groups.values()):
            helpers.debug_print(2, f"fusion group {i}: " + " <- ".join(group.names()))
    return groups


class _Planned:
    """What a planned group gives the engine's schedule: its step."""

    __slots__ = ()

    def step(self, node: Any, pos: dict, routes: Any) -> GroupStep:
        """This group's :class:`GroupStep`, led by ``node`` (positions from ``pos``)."""
        return GroupStep(node, self, pos, routes)


class FusedGroup(_Planned):
    """One planned group; :meth:`run` computes the gradients of every edge leaving it."""

    __slots__ = ("members", "edges", "layout", "kernel", "spec")

    def __init__(self, members: list[Any]) -> None:
        self.members = members
        index = {id(m): k for k, m in enumerate(members)}
        self.edges = [
            e for m in members for e in edges_of(m) if e[0] is None or id(e[0]) not in index
        ]
        self.layout: GroupLayout | None = None
        self.kernel: Any = None
        self.spec: C.KernelSpec | None = None

    def names(self) -> list[str]:
        return [m.name() for m in self.members]

    def run(self, grad_outputs: list, needed: Any) -> list:
        """Gradients aligned with :attr:`edges` (a target reached twice gets it once)."""
        g = grad_outputs[0] if grad_outputs else None
        if g is None:
            return [None] * len(self.edges)
        saved = self._checked_saved()
        self.layout = GroupLayout(self.members, saved, g._value.dtype, needed)
        results, ran = self.layout.launch(saved, g._value)
        self.kernel, self.spec = self.members[0]._ran = ran
        if helpers.DEBUG >= 2:
            _log_arguments(self.layout, ran, self.members, saved, None)
        return results

    def prepare(self, needed: Any) -> None:
        """Build (not run) the kernel as the next backward would, for :func:`jitgrad.explain`."""
        saved = self._checked_saved()
        out = saved[0].out
        layout = self.layout = GroupLayout(self.members, saved, out.dtype, needed)
        _, (self.kernel, self.spec) = layout.launch(
            saved, np.zeros(out.shape, out.dtype), compile_only=True
        )

    def release(self) -> None:
        for m in self.members:
            m.release()

    def _checked_saved(self) -> list:
        saved = [m.saved() for m in self.members]
        for m in self.members:
            m.check_saved_versions()
        return saved


class JointGroup(_Planned):
    """Forward and backward of a deferred chain in one kernel, from the loss that sums it.

    When ``backward()`` starts from a deferred full ``sum``/``mean`` (``root``) of a pending
    elementwise chain whose nodes form the fusion group below it, nothing of the chain has
    been computed yet. The kernel then reads the chain's inputs once, recomputes every value
    in registers, sums the loss and writes each input's gradient once: the memory-traffic
    floor. The loss is stored into the deferred reduction; the chain's own values stay
    pending (computed from the unchanged inputs if read later).
    """

    __slots__ = ("root", "members", "edges", "reduction", "layout", "kernel", "spec")

    def __init__(
        self, root: Any, members: list, edges: list, reduction: Any, layout: Any = None
    ) -> None:
        self.root = root
        self.members = members
        self.edges = edges
        self.reduction = reduction
        #: a layout to try first (the replay passes the one it recorded)
        self.layout: GroupLayout | None = layout
        self.kernel: Any = None
        self.spec: C.KernelSpec | None = None

    @classmethod
    def over(cls, t: Any, groups: dict) -> JointGroup | None:
        """The joint group for backward root ``t``, if ``t`` is a deferred reduction of the
        pending chain that forms the group below it."""
        reduction = FRONT.pending_reduction(t)
        if reduction is None or t.grad_fn is None:
            return None
        root = t.grad_fn
        below = root.next_functions[0][0]
        if hooked(root, "hooks", "prehooks") or hooked(below, "tensor_hooks", "retain"):
            return None  # they must see gradients the joint kernel never materializes
        group = groups.get(below)
        if group is None or not isinstance(group, FusedGroup):
            return None
        saved = below._saved
        if type(saved) is not LazySaved or saved.out is not reduction.src:
            return None
        if not all(m.saves_operands for m in group.members):  # each is recomputed
            return None
        return cls(root, group.members, group.edges, reduction)

    @classmethod
    def again(cls, t: Any, members: list, edges: list, layout: Any) -> JointGroup | None:
        """The joint group of a replayed step from loss ``t`` (``members`` as recorded), or
        None where ``t`` no longer holds a deferred reduction of the chain below it (its
        value was read, say): then the root and the group run one after the other."""
        reduction = FRONT.pending_reduction(t)
        if reduction is None:
            return None
        saved = members[0]._saved
        if type(saved) is not LazySaved or saved.out is not reduction.src:
            return None
        return cls(t.grad_fn, members, edges, reduction, layout)

    def names(self) -> list[str]:
        return [self.root.name()] + [m.name() for m in self.members]

    def run(self, grad_outputs: list, needed: Any) -> list:
        g = grad_outputs[0] if grad_outputs else None
        if g is None:
            return [None] * len(self.edges)
        saved = FRONT.joint_saved(self.members)
        if saved is None:  # something changed in place since the forward: the checked path
            return self.unfused(self.root, self.members, grad_outputs, needed)
        src = self.reduction.src
        scale = g._value / src.odt.np.type(src.size) if self.reduction.mean else g._value
        garr = np.broadcast_to(np.asarray(scale, src.odt.np), src.shape)
        if self.layout is None or not self.layout.applies_to(saved):
            self.layout = GroupLayout(self.members, saved, garr.dtype, needed, joint=True)
        loss = np.zeros(1, saved[0].out.dtype)  # this call's own: layouts are shared
        results, ran = self.layout.launch(saved, garr, loss=loss)
        self.kernel, self.spec = self.members[0]._ran = ran
        if helpers.DEBUG >= 2:
            _log_arguments(self.layout, ran, self.members, saved, self.root)
        self.reduction.finish(loss)
        return results

    def prepare(self, needed: Any) -> None:
        """Build (not run) the joint kernel, for :func:`jitgrad.explain`; computes nothing."""
        saved = FRONT.joint_saved(self.members)
        if saved is None:
            return
        src = self.reduction.src
        garr = np.broadcast_to(np.ones((), src.odt.np), src.shape)
        layout = self.layout = GroupLayout(self.members, saved, garr.dtype, needed, joint=True)
        _, (self.kernel, self.spec) = layout.launch(saved, garr, compile_only=True)

    @staticmethod
    def unfused(root: Any, members: list, grad_outputs: list, needed: Any) -> list:
        """The root's own backward, then the group's: what the engine would have run."""
        (g,) = root.apply(grad_outputs)
        return FusedGroup(members).run([g], needed)

    def release(self) -> None:
        self.root.release()
        for m in self.members:
            m.release()


class GroupStep:
    """A fusion group's step in a plan (see :mod:`jitgrad.engine.sweep`).

    Fresh (``fresh``: the planned group), it runs and analyses its group; :meth:`freeze`
    then keeps what a replay needs: member positions, the analysed layout, where its
    gradients go, never a node. ``joint``: forward and backward in one kernel from the loss
    at ``pos``; ``deferred``: some member's saved values were deferred when planned, so a
    replay resolves (computes) them as the fresh run did.
    """

    __slots__ = ("pos", "routes", "members", "frees", "layout", "sends", "joint", "deferred")
    __slots__ += ("fresh",)

    def __init__(self, node: Any, group: Any, pos: dict, routes: Any) -> None:
        self.pos = pos[node]
        self.routes = routes(group.edges)
        self.members = [pos[m] for m in group.members]
        self.frees = [pos[m] for m in group.members if m.frees]  # whose release frees
        self.joint = isinstance(group, JointGroup)
        self.deferred = any(type(m._saved) is LazySaved for m in group.members)
        self.fresh: Any = group
        self.layout: GroupLayout | None = None
        #: with a layout: (buffer, position, output_nr) per gradient it sends on
        self.sends: list[tuple[int, int, int]] = []

    def freeze(self) -> None:
        """Forget the fresh group (it holds nodes); keep its layout for replays."""
        self.layout, self.fresh = self.fresh.layout, None
        results = self.layout.results if self.layout is not None else ()
        self.sends = [
            (b, p, nr)
            for (p, nr), b in zip(self.routes, results, strict=False)
            if b is not None and p >= 0
        ]

    def run(
        self,
        grad_outputs: list,
        buffers: dict,
        nodes: list,
        needed: Any,
        retain: bool,
        tensors: Sequence[Any],
    ) -> Sequence | None:
        """The gradients per route, or None where they went into ``buffers`` already (the
        engine's sweep calls it with its own state: see ``engine._sweep``)."""
        if self.fresh is not None:
            results = self.fresh.run(grad_outputs, needed)
            if not retain:
                self.fresh.release()
            return results
        if self.joint:
            results = self._joint(nodes, grad_outputs, tensors)
            if not retain:
                nodes[self.pos].release()
        else:
            results = self._group(nodes, grad_outputs[0], buffers)
        if not retain:
            free_saved([nodes[p] for p in self.frees])
        return results

    def _group(self, nodes: list, g: Any, buffers: dict) -> Sequence | None:
        """A replayed group: the recorded layout where it applies (its gradients sent
        straight to ``buffers``), else this graph's group analysed afresh."""
        if g is None:
            return [None] * len(self.routes)
        if self.deferred:  # computes what the kernel reads, as FusedGroup.run does
            saved = [nodes[p].saved() for p in self.members]
        else:  # each member's ``record()``, written out: a call less per member
            saved = []
            for p in self.members:
                node = nodes[p]
                rec = node._saved
                saved.append(node if rec is INLINE else rec)
        layout = self.layout
        if layout is not None and layout.applies_to(saved):
            grads, nodes[self.pos]._ran = layout.launch_buffers(saved, g._value)
            for b, p, nr in self.sends:
                add_to_buffer(buffers, p, nr, grads[b], False)  # (fused: no create_graph)
            return None
        # Never analysed (no gradient reached it when recorded) or the operands alias
        # differently this time.
        members = [nodes[p] for p in self.members]
        layout = GroupLayout(members, saved, g._value.dtype, ALL_NEEDED)
        results, members[0]._ran = layout.launch(saved, g._value)
        return results

    def _joint(self, nodes: list, grad_outputs: list, tensors: Sequence[Any]) -> list:
        """A replayed joint group: the recorded layout if the loss is still a deferred
        reduction of the chain (else the loss's backward, then the group)."""
        root = nodes[self.pos]
        members = [nodes[p] for p in self.members]
        t = next((t for t in tensors if t.grad_fn is root), None)
        group = None if t is None else JointGroup.again(t, members, self.routes, self.layout)
        if group is None:
            return JointGroup.unfused(root, members, grad_outputs, ALL_NEEDED)
        results = group.run(grad_outputs, ALL_NEEDED)
        self.layout = group.layout
        return results


ABOVE.fusion_plan = plan  # the engine plans its groups through this (see engine.ABOVE)
