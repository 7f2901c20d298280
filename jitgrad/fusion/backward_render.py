"""Describe a fused backward group's structural key (see :class:`.group_layout.GroupLayout`)
as a :class:`~.lowering.Group` and lower it (:func:`.lowering.lower`): one line per derivative
rule, the rules substituted into each other from the root down.

The rendered source is the kernel's cache key, so everything in it - argument names
included - is a function of the key alone: a name from the user's program would make one
kernel per program. :mod:`jitgrad.explain_backward` maps the names back for the user.
"""

from __future__ import annotations

from ..ops.saved_record import ROLES
from . import codegen as C
from . import lowering as LW

#: Ops whose forward value is recomputed in the backward kernel rather than read from the
#: saved array: a few arithmetic instructions cost less than a memory read. Transcendentals
#: (scalar libm calls, ~10-20 ns each) are read instead.
CHEAP = frozenset(
    {
        "add",
        "add_scaled",
        "sub",
        "sub_scaled",
        "mul",
        "neg",
        "abs",
        "relu",
        "maximum",
        "minimum",
        "clamp",
        "clamp_min",
        "clamp_max",
        "where",
        "cast",
        "clone",
    }
)

#: ``out`` slot marker: the member's forward value is recomputed, not read.
RECOMPUTE = -2


def _argument_names(members: tuple, tags: list[str], n_arrays: int) -> list[str]:
    """The array arguments' names, from the structure alone (the source is the kernel's
    cache key): ``g`` the incoming gradient, ``saved_<op><k>`` the saved forward value of
    member k, ``x0, x1, ...`` the arrays from outside the group in the order of the call
    (the order the members, root first, first read them). Who they are in the user's
    program is in :func:`jitgrad.explain`'s report, not in the source."""
    owner: dict[int, int] = {}  # slot -> the member whose value it is (-1: none)
    for k, (_op, _sm, _c, _o, sources, _d, out_slot) in enumerate(members):
        for src in sources:
            if src[0] == "a":
                owner[src[1]] = src[2]
        if out_slot >= 0:
            owner[out_slot] = k
    names = ["g"]
    external = 0
    for s in range(1, n_arrays):
        k = owner[s]
        if k >= 0:  # (two slots can hold one member's value: a second gets a suffix)
            name = f"saved_{tags[k]}"
            names.append(name if name not in names else f"{name}_{s}")
        else:
            names.append(f"x{external}")
            external += 1
    return names


def _member(op, member: tuple, tag: str, array_name: list[str]) -> LW.Apply:
    """One key member as the lowering's :class:`~.lowering.Apply`."""
    _name, _sm, cdt, odt, sources, dests, out_slot = member
    operands: list[tuple] = []
    for i, src in enumerate(sources):
        if src[0] == "s":
            operands.append((LW.ARG, f"{tag}_{ROLES[i]}", None))
        elif src[0] == "m":  # recomputed from the producer's own operands
            operands.append((LW.MEMBER, src[1]))
        elif src[0] == "a":  # saved operands are in the compute dtype already
            operands.append((LW.ARG, array_name[src[1]], None))
        else:
            operands.append((LW.UNUSED,))
    grads = tuple(
        None if d is None else (LW.MEMBER if d[0] == "int" else LW.GRAD, d[1], d[2]) for d in dests
    )
    out = (LW.ARG, array_name[out_slot], odt) if out_slot >= 0 else None
    return LW.Apply(op, cdt, odt, tuple(operands), grads, out)


def render(node_names: list[str], saved: list, key: tuple, n: int) -> C.KernelSpec:
    """The KernelSpec for structural ``key`` (only on a cache miss): one line per op."""
    gdt = key[0]
    members = key[1 : 1 + n]
    modes, ndim, parallel, n_arrays, joint = key[1 + n :]
    tags = [f"{m[0]}{k}" for k, m in enumerate(members)]
    array_name = _argument_names(members, tags, n_arrays)
    arguments = [(name, False) for name in array_name]
    if joint:  # the incoming gradient is the loss's: one scalar, not a stride-0 array
        arguments[0] = ("g_", True)
    arguments += [
        (f"{tags[k]}_{ROLES[i]}", True)
        for k, m in enumerate(members)
        for i, src in enumerate(m[4])
        if src[0] == "s"
    ]
    out_dtype = {d[1]: d[2] for m in members for d in m[5] if d is not None and d[0] == "ext"}
    outputs = [(f"out{b}", (LW.GRAD, b), mode, out_dtype[b]) for b, mode in enumerate(modes)]
    title = f"backward of {n} fused ops: " + " <- ".join(node_names)
    if joint:  # forward+backward in one pass: the root's value is the summed loss
        outputs.append(("loss", ("value", 0), C.REDUCE, members[0][3]))
        title = "forward and " + title + ", summing the loss"
    label = "_".join(dict.fromkeys(m[0] for m in members))[:40].rstrip("_")
    group = LW.Group(
        f"{label}_{'joint' if joint else 'fbwd'}",
        tuple(_member(saved[k].op, m, tags[k], array_name) for k, m in enumerate(members)),
        tuple(arguments),
        tuple(outputs),
        ndim,
        parallel,
        grad_in=(arguments[0][0], gdt),
        title=(title,),
    )
    return LW.lower(group)
