"""The one lowering: elementwise op declarations applied in a group -> a :class:`KernelSpec`.

Every elementwise kernel jitgrad generates is lowered here: a single op's forward (a group of
one that wants its value) and backward (a group of one that wants its operands' gradients),
a deferred chain's fused forward (:mod:`.chain_kernel`), a fused backward group and a joint
forward+backward one (:mod:`.backward_render`). Each caller describes its group as a
:class:`Group` of :class:`Apply` (which op, in which dtypes, reading which operands, sending
which gradients where) and which arguments and outputs the kernel has; :func:`lower` turns the
op declarations (``OpDef.expr`` and ``OpDef.grads``, see :mod:`jitgrad.ops.registry`) into the
statements. So a rule is rendered, cast and combined the same way whichever path runs it:
fused and unfused results cannot drift apart. Renderers (:func:`.codegen.render_source` for
the CPU, :mod:`jitgrad.backends.cuda.render`) turn the spec into source.

Lowering runs on kernel-cache misses only; callers key their caches by structure first.

Names in the generated statements, all derived from the group's structure (the source is the
kernel's cache key): member ``k`` applying op ``mul`` is tagged ``mul{k}``; its value is
``v_mul{k}``, the gradient arriving at it ``g_mul{k}``, its rule for operand ``a``
``d_mul{k}_a``; gradient output ``b`` sums its contributions into ``grad{b}``. An array
argument ``x`` is read into ``x_`` by the renderer; a scalar argument is read by its name.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..dtypes import REDUCED
from ..ops import expr as E
from ..ops.registry import OpDef
from ..ops.saved_record import ROLES
from . import codegen as C

#: Operand sources (``Apply.operands``, one per role a/b/c):
#: ``("arg", name, dtype)``: the kernel argument ``name`` holding values of ``dtype`` (None:
#: already in the dtype the op computes that operand in); ``("m", k)``: member ``k``'s value,
#: computed in the kernel; ``("-",)``: not read.
ARG, MEMBER, UNUSED = "arg", "m", "-"
#: Gradient destinations (``Apply.grads``, one per role or None): ``("m", k, dtype)`` adds to
#: the gradient arriving at member ``k``; ``("grad", b, dtype)`` adds to gradient output ``b``.
GRAD = "grad"


@dataclass(frozen=True)
class Apply:
    """One op applied in a group: ``op`` computing in dtype ``cdt``, giving dtype ``odt``.

    ``grads`` (empty: the member takes no part in the backward) says where each operand's
    gradient goes. ``out`` is where its rules read ``out`` from: an ``("arg", name, dtype)``
    source, or None to recompute the value from the operands (when no rule reads it, unused).
    """

    op: OpDef
    cdt: str
    odt: str
    operands: tuple[tuple, ...]
    grads: tuple[tuple | None, ...] = ()
    out: tuple | None = None
    #: the function (``_k.round_bfloat16``) rounding the computed value to a float16/bfloat16
    #: result held in float32 (``cdt``/``odt`` are then float32: see chain_kernel.describe)
    rounds: str | None = None


@dataclass(frozen=True)
class Group:
    """A kernel to lower: its members and what it is asked for.

    ``arguments`` are the kernel's inputs in call order (``(name, is_scalar)``); ``grad_in``
    names the argument holding the gradient arriving at member 0, the group's root (a
    backward group), with its dtype. ``outputs`` are ``(array, wanted, mode, dtype)``,
    ``wanted`` being ``("value", k)`` (member ``k``'s value, stored or summed) or
    ``("grad", b)`` (gradient output ``b``); modes are :mod:`.codegen`'s STORE, ACCUMULATE,
    ACCUMULATE_ROW and REDUCE. ``title`` heads the source's comment.
    """

    label: str
    members: tuple[Apply, ...]
    arguments: tuple[tuple[str, bool], ...]
    outputs: tuple[tuple[str, tuple, str, str], ...]
    ndim: int
    parallel: bool = False
    grad_in: tuple[str, str] | None = None
    title: tuple[str, ...] = ()


_HELD = {d.name: d.kname for d in REDUCED}  # float16/bfloat16 -> float32


def held(name: str) -> str:
    """The dtype a value of dtype ``name`` is computed and held in (float32 for float16 and
    bfloat16: see :mod:`.chain_kernel`'s docstring)."""
    return _HELD.get(name, name)


def member(op: OpDef, cdt: str, odt: str, operands: tuple) -> Apply:
    """``Apply(op, cdt, odt, operands)``; a float16/bfloat16 result computed in float32 and
    rounded by ``_k.round_<type>``, as the CPU rounds each eager op's result once."""
    rounds = f"_k.round_{odt}" if odt in _HELD else None
    return Apply(op, held(cdt), held(odt), operands, rounds=rounds)


def cast(expr: str, have: str, want: str) -> str:
    """``expr`` (computed in dtype ``have``) converted to ``want`` where they differ; a
    complex value to a real dtype keeps its real part (PyTorch's cast, and the gradient a
    real operand of a complex op receives); to bool, whether it is nonzero (a comparison's
    value, computed from complex operands, is a bool already: the same test)."""
    if have == want:
        return expr
    if have.startswith("complex") and want == "bool":
        return f"(({expr}) != 0)"
    if have.startswith("complex") and not want.startswith("complex"):
        return f"np.{want}(({expr}).real)"
    return f"np.{want}({expr})"


def operand_dtype(op: OpDef, i: int, cdt: str) -> str:
    """The dtype operand ``i`` of ``op`` is computed in: ``cdt``, but ``where``'s condition
    stays boolean. (The create_graph backward casts its Tensor operands by the same rule.)"""
    return "bool" if op.condition and i == 0 else cdt


def lower(group: Group) -> C.KernelSpec:
    """The :class:`KernelSpec` computing ``group``'s outputs.

    The backward statements come member by member in the order given (the root first: each
    member's incoming gradient is complete when it is reached); the forward values the rules
    or the outputs ask for are computed once each, before them, in the order first asked for.
    """
    state = _Lowering(group)
    backward: list[tuple[str, str]] = []
    for k, member in enumerate(group.members):
        if member.grads:
            backward += state.backward(k)
    outputs = []
    for array, wanted, mode, dt in group.outputs:
        if wanted[0] == "value":
            local = state.value(wanted[1])
        else:
            local = f"grad{wanted[1]}"
            backward.append((local, " + ".join(state.external[wanted[1]])))
        outputs.append((array, local, mode, dt))
    comment = [*group.title]
    comment += [f"{tag} = {m.op.expr}" for tag, m in zip(state.tags, group.members, strict=True)]
    return C.KernelSpec(
        label=group.label,
        inputs=group.arguments,
        stmts=tuple(state.values + backward),
        outputs=tuple(outputs),
        ndim=group.ndim,
        parallel=group.parallel,
        comment=tuple(comment),
    )


class _Lowering:
    """One :func:`lower` call's bookkeeping: the values computed so far and the gradients
    sent to members and outputs."""

    def __init__(self, group: Group) -> None:
        self.group = group
        self.tags = [f"{m.op.name}{k}" for k, m in enumerate(group.members)]
        self.scalar = dict(group.arguments)
        self.values: list[tuple[str, str]] = []
        self.value_of: dict[int, str] = {}
        self.incoming: dict[int, list[str]] = {}
        self.external: dict[int, list[str]] = {}

    def source(self, src: tuple, want: str) -> str:
        """The expression reading operand source ``src`` in dtype ``want``."""
        if src[0] == MEMBER:
            return cast(self.value(src[1]), self.group.members[src[1]].odt, want)
        name = src[1] if self.scalar[src[1]] else src[1] + "_"
        return name if src[2] is None else cast(name, src[2], want)

    def operands(self, k: int, roles: frozenset[str]) -> dict[str, str]:
        """Member ``k``'s operand expressions for the roles in ``roles``."""
        m = self.group.members[k]
        return {
            ROLES[i]: self.source(src, operand_dtype(m.op, i, m.cdt))
            for i, src in enumerate(m.operands)
            if ROLES[i] in roles
        }

    def value(self, k: int) -> str:
        """The local holding member ``k``'s value (its statement added on first use)."""
        local = self.value_of.get(k)
        if local is None:
            m = self.group.members[k]
            names = self.operands(k, E.free_names(m.op.expr))
            expr = cast(E.render(m.op.expr, names, m.cdt), m.cdt, m.odt)
            if m.rounds is not None:
                expr = f"{m.rounds}({expr})"
            local = self.value_of[k] = f"v_{self.tags[k]}"
            self.values.append((local, expr))
        return local

    def backward(self, k: int) -> list[tuple[str, str]]:
        """Member ``k``'s statements: the gradient arriving at it, then one per rule wanted
        (sent on to a member's incoming gradient or to a gradient output's sum)."""
        m = self.group.members[k]
        tag, op, cdt = self.tags[k], m.op, m.cdt
        gname = f"g_{tag}"
        if k == 0 and self.group.grad_in is not None:
            name, gdt = self.group.grad_in
            arriving = cast(name if self.scalar[name] else name + "_", gdt, cdt)
        else:
            arriving = cast(" + ".join(self.incoming.get(k, ["0"])), m.odt, cdt)
        stmts = [(gname, arriving)]
        reads = frozenset().union(
            *(E.free_names(op.grads[i]) for i, d in enumerate(m.grads) if d is not None)
        )
        names = self.operands(k, reads)
        names["g"] = gname
        if "out" in reads:
            if m.out is None:
                names["out"] = cast(self.value(k), m.odt, cdt)
            else:
                names["out"] = self.source(m.out, cdt)
        for i, dest in enumerate(m.grads):
            if dest is None:
                continue
            local = f"d_{tag}_{ROLES[i]}"
            expr = E.render(op.grads[i], names, cdt)
            if dest[0] == MEMBER and "_k." in expr and cdt not in E.COMPLEX:  # rounded as the
                # unfused node's buffer rounds it: a rule over a float64 scalar helper
                # (``g * trigamma(a)``) is float64 here even in a float32 kernel (the fused
                # gradient was 1 ulp off the unfused); every other rule already computes in
                # the member's dtype
                stmts.append((local, f"np.{dest[2]}({expr})"))
            else:
                stmts.append((local, cast(expr, cdt, dest[2])))
            sums = self.incoming if dest[0] == MEMBER else self.external
            sums.setdefault(dest[1], []).append(local)
        return stmts


# ---- a single op: a group of one ----------------------------------------------------------


def op_forward(
    op: OpDef, smask: str, ndim: int, parallel: bool, cdt: str, odt: str
) -> C.KernelSpec:
    """The forward of one op over operands ``a, b, c`` (``smask``: tensor ``t`` or scalar
    ``s`` each, already in their compute dtypes) into ``out``."""
    arguments = tuple((r, m == "s") for r, m in zip(ROLES, smask, strict=False))
    one = member(op, cdt, odt, tuple((ARG, r, None) for r, _ in arguments))
    out = (("out", ("value", 0), C.STORE, held(odt)),)
    return lower(Group(op.name, (one,), arguments, out, ndim, parallel))


def op_backward(
    op: OpDef,
    smask: str,
    modes: tuple[str | None, ...],
    ndim: int,
    parallel: bool,
    cdt: str,
    gdts: tuple[str | None, ...],
) -> tuple[C.KernelSpec, list[str]]:
    """The backward of one op: the gradient ``g{role}`` of each operand whose mode is not
    None (stored, accumulated or reduced in dtype ``gdts[i]``, default ``cdt``), from ``g``
    and what the rules read. Returns ``(spec, arguments)``: the argument names in call order
    (``g``, the operands read, ``out`` if read), before the gradient outputs."""
    used = {"g"}
    for i, mode in enumerate(modes):
        if mode is not None:
            used |= E.free_names(op.grads[i])  # type: ignore[arg-type]
    order = [n for n in ("g", "a", "b", "c", "d", "out") if n in used]
    scalar = {r: m == "s" for r, m in zip(ROLES, smask, strict=False)}
    grads = []
    outputs = []
    title = []
    for i, mode in enumerate(modes):
        if mode is None:
            grads.append(None)
            continue
        dt = gdts[i] or cdt
        grads.append((GRAD, len(outputs), dt))
        outputs.append((f"g{ROLES[i]}", (GRAD, len(outputs)), mode, dt))
        title.append(f"g{ROLES[i]} {'=' if mode == C.STORE else '+='} {op.grads[i]}")
    member = Apply(
        op,
        cdt,
        cdt,  # g arrives in cdt; the saved out is read as it is (its source has no dtype)
        tuple((ARG, r, None) for r in ROLES[: len(smask)]),
        tuple(grads),
        (ARG, "out", None),
    )
    group = Group(
        f"{op.name}_bwd",
        (member,),
        tuple((n, scalar.get(n, False)) for n in order),
        tuple(outputs),
        ndim,
        parallel,
        grad_in=("g", cdt),
        title=tuple(title),
    )
    return lower(group), order
