"""Render a fused backward group's structural key (see :class:`.backward.GroupLayout`) to
a :class:`~.codegen.KernelSpec`: one line per derivative rule, the rules substituted into each
other from the root down.

The rendered source is the kernel's cache key, so everything in it - argument names
included - is a function of the key alone: a name from the user's program would make one
kernel per program. :mod:`jitgrad.explain_backward` maps the names back for the user.
"""

from __future__ import annotations

from ..ops import expr as E
from ..ops.saved_views import ROLES
from . import codegen as C
from .chain_kernel import cast as _cast

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
        if k >= 0:
            names.append(f"saved_{tags[k]}")
        else:
            names.append(f"x{external}")
            external += 1
    return names


class _Members:
    """One render's view of the members: each one's operand names, and the forward values
    recomputed so far (each once, as a statement before the backward ones in :attr:`remat`)."""

    def __init__(self, saved: list, members: tuple, tags: list[str], array_name: list[str]):
        self.saved = saved
        self.members = members
        self.tags = tags
        self.array_name = array_name
        self.remat: list[tuple[str, str]] = []
        self.values_of: dict[int, str] = {}

    def operands(self, k: int, roles: frozenset[str]) -> dict[str, str]:
        """Member ``k``'s operand names for ``roles``: scalar inputs, recomputed values or
        array arguments, cast to its compute dtype."""
        _op, _sm, cdt, _o, sources, _d, _s = self.members[k]
        tag = self.tags[k]
        names = {}
        for i, src in enumerate(sources):
            if ROLES[i] not in roles:
                continue
            if src[0] == "s":
                names[ROLES[i]] = f"{tag}_{ROLES[i]}"
            elif src[0] == "m":  # recomputed from the producer's own operands
                names[ROLES[i]] = _cast(self.value(src[1]), self.members[src[1]][3], cdt)
            elif src[0] == "a":
                names[ROLES[i]] = self.array_name[src[1]] + "_"
        return names

    def value(self, k: int) -> str:
        """The local holding member ``k``'s recomputed forward value."""
        local = self.values_of.get(k)
        if local is None:
            op, cdt, odt = self.saved[k][0], self.members[k][2], self.members[k][3]
            names = self.operands(k, E.free_names(op.expr))
            expr = _cast(E.render(op.expr, names, cdt), cdt, odt)
            local = self.values_of[k] = f"v_{self.tags[k]}"
            self.remat.append((local, expr))
        return local

    def backward(self, k: int, gdt: str, incoming: dict, external: dict, out_dtype: dict):
        """Member ``k``'s statements: its incoming gradient, then one per needed rule (sent
        to a later member's ``incoming`` or to an external buffer's sum)."""
        _name, _sm, cdt, odt, _src, dests, out_slot = self.members[k]
        op = self.saved[k][0]
        gname = f"g_{self.tags[k]}"
        stmts = []
        if k == 0:
            stmts.append((gname, _cast("g_", gdt, cdt)))
        else:
            stmts.append((gname, _cast(" + ".join(incoming.get(k, ["0"])), odt, cdt)))
        reads = frozenset().union(
            *(E.free_names(op.grads[i]) for i, d in enumerate(dests) if d is not None)
        )
        names = self.operands(k, reads)
        names["g"] = gname
        if out_slot >= 0:
            names["out"] = _cast(self.array_name[out_slot] + "_", odt, cdt)
        elif out_slot == RECOMPUTE:
            names["out"] = _cast(self.value(k), odt, cdt)
        for i, dest in enumerate(dests):
            if dest is None:
                continue
            local = f"d_{self.tags[k]}_{ROLES[i]}"
            stmts.append((local, _cast(E.render(op.grads[i], names, cdt), cdt, dest[2])))
            if dest[0] == "int":
                incoming.setdefault(dest[1], []).append(local)
            else:
                external.setdefault(dest[1], []).append(local)
                out_dtype[dest[1]] = dest[2]
        return stmts


def render(node_names: list[str], saved: list, key: tuple, n: int) -> C.KernelSpec:
    """The KernelSpec for structural ``key`` (only on a cache miss): one line per op."""
    gdt = key[0]
    members = key[1 : 1 + n]
    modes, ndim, parallel, n_arrays, joint = key[1 + n :]
    tags = [f"{m[0]}{k}" for k, m in enumerate(members)]
    array_name = _argument_names(members, tags, n_arrays)
    inputs = [(name, False) for name in array_name]
    if joint:  # the incoming gradient is the loss's: one scalar, not a stride-0 array
        inputs[0] = ("g_", True)
    view = _Members(saved, members, tags, array_name)
    stmts: list[tuple[str, str]] = []
    incoming: dict[int, list[str]] = {}
    external: dict[int, list[str]] = {}
    out_dtype: dict[int, str] = {}
    comment = [f"backward of {n} fused ops: " + " <- ".join(node_names)]
    for k in range(len(members)):
        stmts += view.backward(k, gdt, incoming, external, out_dtype)
        comment.append(f"{tags[k]} = {saved[k][0].expr}")
    scalar_inputs = [
        (f"{tags[k]}_{ROLES[i]}", True)
        for k, m in enumerate(members)
        for i, src in enumerate(m[4])
        if src[0] == "s"
    ]
    outputs = []
    for b, mode in enumerate(modes):
        local = f"grad{b}"
        stmts.append((local, " + ".join(external[b])))
        outputs.append((f"out{b}", local, mode, out_dtype[b]))
    if joint:  # forward+backward in one pass: the root's value is the summed loss
        outputs.append(("loss", view.value(0), C.REDUCE, members[0][3]))
        comment[0] = "forward and " + comment[0] + ", summing the loss"
    label = "_".join(dict.fromkeys(m[0] for m in members))[:40].rstrip("_")
    return C.KernelSpec(
        label=f"{label}_{'joint' if joint else 'fbwd'}",
        inputs=tuple(inputs + scalar_inputs),
        stmts=tuple(view.remat + stmts),
        outputs=tuple(outputs),
        ndim=ndim,
        parallel=parallel,
        comment=tuple(comment),
    )
