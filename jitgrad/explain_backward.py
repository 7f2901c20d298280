"""The backward half of ``jitgrad.explain``'s details: who a fused kernel's arguments are (see
:mod:`.fusion.arguments`), and why each fusion group starts and stops where it does.

The cut reasons follow :func:`jitgrad.fusion.planner._joinable`'s tests in its order.
"""

from __future__ import annotations

from typing import Any

from .engine.sweep import AccumulateGrad, hooked
from .frontend import lazy
from .frontend.pointwise import ElementwiseBackward
from .fusion import backward
from .fusion.arguments import Namer, describe_arguments
from .fusion.planner import MAX_GROUP


def arguments(group: Any, describe: Namer) -> list[tuple[str, str]]:
    """``(argument, who it is)`` for each argument of the kernel ``group`` was prepared with
    (empty where it was not: a freed graph, a deferred forward)."""
    layout, spec = group.layout, group.spec
    if layout is None or spec is None:
        return []
    members = group.members
    joint = isinstance(group, backward.JointGroup)
    saved = lazy.joint_saved(members) if joint else [m.saved() for m in members]
    if saved is None:
        return []
    root = group.root if joint else None
    return describe_arguments(layout, spec, members, saved, root, describe)


def cut_reasons(
    members: list[Any], nodes: list[Any], groups: list[list[Any]], root: Any, describe: Namer
) -> list[str]:
    """Why the group ``members`` starts at its root and stops at each node below it."""
    consumers: dict[Any, list[Any]] = {}
    for node in nodes:
        for nxt, _ in node.next_functions:
            if nxt is not None:
                consumers.setdefault(nxt, []).append(node)
    group_of = {n: g for g in groups for n in g}
    inside = set(members)
    head = members[0]
    lines = [f"starts at {head.name()}: " + _why_apart(head, consumers, group_of, root)]
    below: list[Any] = []
    for m in members:
        for nxt, _ in m.next_functions:
            if nxt is not None and nxt not in inside and nxt not in below:
                below.append(nxt)
    for nxt in below:
        what = type(nxt).__name__
        if isinstance(nxt, AccumulateGrad):
            what += f" of {describe(nxt.variable)}"
        lines.append(f"stops before {what}: " + _why_apart(nxt, consumers, group_of, root))
    return lines


def _why_apart(node: Any, consumers: dict, group_of: dict, root: Any) -> str:
    """Why ``node`` is not in the group of the nodes that consume its gradient."""
    if node is root:
        return "backward starts there"
    if isinstance(node, AccumulateGrad):
        return "adds the gradient into the leaf's .grad"
    if not isinstance(node, ElementwiseBackward):
        return "not elementwise: its own hand-written backward"
    if hooked(node, "hooks", "prehooks"):
        return "a hook on it sees its own gradients"
    if hooked(node, "tensor_hooks", "retain"):
        return "a tensor hook or retain_grad sees the gradient arriving there"
    users = consumers.get(node, [])
    if not users:
        return "nothing above it consumes its result"
    above = group_of.get(users[0])
    if len(users) > 1 and (above is None or any(group_of.get(u) is not above for u in users)):
        names = ", ".join(u.name() for u in users)
        return f"its gradient comes from several places ({names}), not one group"
    if above is None:
        return f"the node above it, {users[0].name()}, is not in a fused group"
    if len(above) >= MAX_GROUP:
        return f"the group above it reached the size cap ({MAX_GROUP} ops)"
    return "it joins the group above it"
