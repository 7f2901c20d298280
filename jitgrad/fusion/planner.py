"""Partition a backward graph into fusion groups (analysis only; emits no code).

A group is a set of elementwise backward nodes with a single entry, its *root*: the root's
gradient arrives from outside the group, every other member receives gradients only from
members. Such a group can run as one kernel as soon as the root is ready, computing the
gradients of every edge that leaves the group in one loop.

A node stays out of groups, or may only be a group's root, where fusing it could change
what a user observes:

* node pre/post hooks see a node's own gradients: such nodes run alone;
* tensor hooks and ``retain_grad`` see the gradient arriving at a node: only a root may
  have them (the engine runs them on the root's incoming gradient as usual);
* ``inputs=`` targets, backward roots and nodes consumed outside the group are roots;
* an in-place op's node (``y += r`` recorded; its token starts with ``OVERWROTE``) is a root:
  its result was written over its first operand's buffer, so a consumer in the group could
  not recompute it from that operand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..dtypes import REDUCED
from ..engine.elementwise import OVERWROTE, ElementwiseNode
from ..engine.sweep import hooked
from ..ops.saved_record import SavedRecord

#: Most members one group may have. Compile time grows faster than the kernel (NOTES-numba:
#: 1/16/64/256 ops compile in ~0.12/0.15/0.34/1.7 s); a backward member renders to about
#: two expressions, so 48 members stay near the knee of that curve.
MAX_GROUP = 48


def _fusable(node: Any) -> bool:
    return (
        isinstance(node, ElementwiseNode)
        and node.fusable
        and not hooked(node, "hooks", "prehooks", "packed")
        and not _reduced(node)
    )


def _reduced(node: Any) -> bool:
    """Whether a float16/bfloat16 value is computed or received in ``node``'s backward: each
    such gradient is rounded on its own (as PyTorch's), which a fused kernel would not do."""
    rec = node.record()
    if not isinstance(rec, ElementwiseNode | SavedRecord):  # freed: the engine reports it
        return False
    if rec.cdt.round is not None:  # the compute dtype
        return True
    return any(getattr(x, "_dtype", None) in REDUCED for x in rec.args)


def partition(
    nodes: Iterable[Any],
    needed: Mapping[Any, bool],
    entries: Iterable[Any] = (),
    max_group: int = MAX_GROUP,
) -> list[list[Any]]:
    """Groups (lists of nodes, root first, then in reverse creation order) of two or more.

    ``nodes`` are the graph's nodes, ``needed`` says which take part in the sweep and
    ``entries`` are nodes that receive gradients from outside the graph (backward roots,
    ``inputs=`` targets), which can only be roots.
    """
    live = [n for n in nodes if needed.get(n)]
    consumers: dict[Any, list[Any]] = {}
    for node in live:
        for nxt, _ in node.next_functions:
            if nxt is not None and needed.get(nxt):
                consumers.setdefault(nxt, []).append(node)
    entry = set(entries)
    group_of: dict[Any, list[Any]] = {}
    groups: list[list[Any]] = []
    # Reverse creation order visits every consumer before its producers.
    for node in sorted(live, key=lambda n: n._seq, reverse=True):
        if not _fusable(node):
            continue
        group = _joinable(node, consumers.get(node, ()), group_of, entry, max_group)
        if group is None:
            group = [node]
            groups.append(group)
        else:
            group.append(node)
        group_of[node] = group
    return [g for g in groups if len(g) > 1]


def _joinable(node, users, group_of, entry, max_group) -> list[Any] | None:
    """The group ``node`` can join as a non-root member, or None."""
    if not users or node in entry or hooked(node, "tensor_hooks", "retain"):
        return None
    key = node._key
    if type(key) is tuple and key[0] is OVERWROTE:
        return None
    group = group_of.get(users[0])
    if group is None or len(group) >= max_group:
        return None
    for user in users:
        if group_of.get(user) is not group:
            return None
    return group
