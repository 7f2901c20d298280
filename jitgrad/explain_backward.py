"""The backward half of ``jitgrad.explain``'s details: who a fused kernel's arguments are, and
why each fusion group starts and stops where it does.

A generated kernel's source is its cache key, so its arguments are named from the graph's
structure only (``g``, ``x0``, ``saved_sin1``, ``out0``: see
:func:`jitgrad.fusion.backward_render._argument_names`); a name from the user's program in the
source would make a kernel per program. This module maps those names back to the user's
tensors (parameter names where ``explain`` was given them) for the report.

The cut reasons follow :func:`jitgrad.fusion.planner._joinable`'s tests in its order.
"""

from __future__ import annotations

from typing import Any

from .autograd.engine import AccumulateGrad, hooked
from .fusion import backward, lazy
from .fusion.planner import MAX_GROUP
from .ops.pointwise import ElementwiseBackward


class Namer:
    """Names tensors as the user knows them: a parameter's name from ``params``, else
    ``leaf 0``, ``leaf 1``... in the order the report meets them, else the op's result."""

    def __init__(self, params: dict[str, Any] | None) -> None:
        self.names = {id(v): k for k, v in (params or {}).items()}
        self.keep: list[Any] = []  # the tensors numbered (their ids stay theirs)

    def __call__(self, x: Any) -> str:
        grad = ", requires_grad" if x.requires_grad else ""
        shape = f"shape {tuple(x.shape)}{grad}"
        if x.grad_fn is not None and id(x) not in self.names:
            return f"the result of {x.grad_fn.name()} ({shape})"
        name = self.names.get(id(x))
        if name is None:
            name = self.names[id(x)] = f"leaf {len(self.keep)}"
            self.keep.append(x)
        return f"{name} ({shape})"


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
    arg_names = spec.arg_names
    first = group.root.name() if joint else members[0].name()
    rows = [(arg_names[0], f"the gradient arriving at {first}")]
    if joint:
        rows[0] = (arg_names[0], f"the gradient arriving at {first} (one number)")
    for name, (k, i) in zip(arg_names[1:], layout.gather, strict=False):
        if i < 0:
            rows.append((name, f"{members[k].name()}'s saved result"))
            continue
        x = saved[k][2][i]
        if name.startswith("saved_"):
            rows.append((name, f"{x.grad_fn.name()}'s saved result"))
        else:
            rows.append((name, describe(x)))
    n_arrays = 1 + len(layout.gather)
    scalar_names = arg_names[n_arrays : n_arrays + len(layout.scalar_gather)]
    for name, (k, i) in zip(scalar_names, layout.scalar_gather, strict=True):
        number = saved[k][3][i]
        number = number.item() if hasattr(number, "item") else number
        rows.append((name, f"the number {number!r} given to {members[k].name()}"))
    targets = _gradient_targets(layout, saved)
    outputs = arg_names[n_arrays + len(layout.scalar_gather) :]
    for b, name in enumerate(outputs):
        if b < len(targets):
            rows.append((name, "the gradient of " + describe(targets[b])))
        else:
            rows.append((name, "the loss (the sum the joint kernel computes)"))
    return rows


def _gradient_targets(layout: Any, saved: list[tuple]) -> list[Any]:
    """The tensor each gradient buffer of ``layout`` belongs to, in buffer order."""
    found: dict[int, Any] = {}
    for k, member in enumerate(layout.key[1:]):
        for i, dest in enumerate(member[5]):
            if dest is not None and dest[0] == "ext":
                found.setdefault(dest[1], saved[k][2][i])
    return [found[b] for b in sorted(found)]


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
        what = nxt.name()
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
