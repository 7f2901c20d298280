"""The forward kernel of a pending chain, lowered by :func:`jitgrad.fusion.lowering.lower`
and compiled through :func:`jitgrad.fusion.codegen.get_kernel`.

:func:`jitgrad.frontend.pending.materialize` collects the chain and its structural key; this
module only describes it as a :class:`~.lowering.Group`: one member per op (its operands the
chain's input arrays, scalars or earlier members), a stored output per value that must be
kept and, for a reduction epilogue, the accumulator.

float16/bfloat16 chains (the device's only: :func:`jitgrad.frontend.lazy.defer` computes
them eagerly on the CPU). The structural key names each op's compute and result dtype
(``"bfloat16"``), which is what keeps such a chain's kernel apart from the float32 chain of
the same ops; but numpy has no ``bfloat16`` and float16 arithmetic rounds inside an
expression, so the name is not rendered as a type. As the CPU computes each eager op
(in float32, its result rounded once to the type: :func:`jitgrad.frontend.pointwise._general`),
:func:`.lowering.member` renders a reduced-type op in float32 and rounds its value with
``_k.round_<type>``: every intermediate is rounded where the CPU rounds it, so the values are
bitwise the CPU's. Operands are not rounded again (they are held rounded already, and the CPU
casts a float32 operand to a reduced compute type without rounding it). Why not drop the
names from the key and refuse such chains on the device as the CPU does: the device would then
launch a kernel per op, and the name in the key is exactly what selects the rounding. The
rounding functions are the device's (:mod:`jitgrad.backends.cuda.devmath`); the CPU's ``_k``
has none, so a CPU chain of these types would fail to compile rather than round differently.
"""

from __future__ import annotations

from typing import Any

from ..ops.saved_record import ROLES
from . import codegen as C
from . import lowering as LW


def build(nodes: list, kkey: tuple, n_arrays: int, stored: list[int], red: bool) -> tuple[Any, Any]:
    """Lower and compile the forward kernel for structural key ``kkey`` (cache miss only):
    ``(kernel, spec)``; see :func:`describe`."""
    spec = describe(nodes, kkey, n_arrays, stored, red)
    return C.get_kernel(spec), spec


def describe(nodes: list, kkey: tuple, n_arrays: int, stored: list[int], red: bool) -> Any:
    """The :class:`~.codegen.KernelSpec` of the forward kernel for structural key ``kkey``
    (the CUDA backend renders the same spec for its deferred chains). ``nodes`` are the
    chain's pending ops in post order (each with its ``op``), ``n_arrays`` how many input
    arrays it reads (arguments ``x0 ..``, then one scalar argument per scalar operand),
    ``stored`` which nodes' values it writes (``out_<op><k>``), ``red`` whether it ends in a
    full sum (``acc``)."""
    key, array_dtypes, ndim, parallel, _r = kkey
    arrays = [(f"x{s}", False) for s in range(n_arrays)]
    scalars: list[tuple[str, bool]] = []
    members = []
    for k, (name, cdt, odt, sources, _store) in enumerate(key):
        operands: list[tuple] = []
        for i, src in enumerate(sources):
            if src[0] == "s":
                scalar = f"{name}{k}_{ROLES[i]}"
                scalars.append((scalar, True))
                operands.append((LW.ARG, scalar, None))
            elif src[0] == "m":
                operands.append((LW.MEMBER, src[1]))
            else:
                operands.append((LW.ARG, f"x{src[1]}", array_dtypes[src[1]]))
        members.append(LW.member(nodes[k].op, cdt, odt, tuple(operands)))
    # Scalars come after the arrays in the call.
    outputs = [(f"out_{key[k][0]}{k}", ("value", k), C.STORE, LW.held(key[k][2])) for k in stored]
    if red:
        outputs.append(("acc", ("value", len(key) - 1), C.REDUCE, LW.held(key[-1][2])))
    label = "_".join(dict.fromkeys(k[0] for k in key))[:40].rstrip("_")
    group = LW.Group(
        f"{label}_fwd",
        tuple(members),
        tuple(arrays + scalars),
        tuple(outputs),
        ndim,
        parallel,
        title=(f"forward of {len(nodes)} fused ops",),
    )
    return LW.lower(group)
