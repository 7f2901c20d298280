"""The forward kernel of a pending chain: one :class:`~jitgrad.fusion.codegen.KernelSpec`
from the chain's op expressions, compiled through :func:`jitgrad.fusion.codegen.get_kernel`.

:func:`jitgrad.fusion.pending.materialize` collects the chain and its structural key; this
module only renders: one statement per op (its ``OpDef.expr`` over its operands' names, with
casts where a dtype changes), a store per value that must be kept and, for a reduction
epilogue, the accumulator.
"""

from __future__ import annotations

from typing import Any

from ..ops import expr as E
from ..ops.saved_views import ROLES
from . import codegen as C


def cast(expr: str, have: str, want: str) -> str:
    """``expr`` (computed in dtype ``have``) converted to ``want`` where they differ."""
    return expr if have == want else f"np.{want}({expr})"


def build(nodes: list, kkey: tuple, n_arrays: int, stored: list[int], red: bool) -> tuple[Any, Any]:
    """Render and compile the forward kernel for structural key ``kkey`` (cache miss only):
    ``(kernel, spec)``. ``nodes`` are the chain's Pendings in post order, ``n_arrays`` how many
    input arrays it reads, ``stored`` which nodes' values it writes, ``red`` whether it ends
    in a full sum."""
    key, array_dtypes, ndim, parallel, _r = kkey
    tags = [f"{n.op.name}{k}" for k, n in enumerate(nodes)]
    inputs: list[tuple[str, bool]] = [(f"x{s}", False) for s in range(n_arrays)]
    stmts: list[tuple[str, str]] = []
    comment = []
    for k, (_name, cdt, odt, sources, _store) in enumerate(key):
        names = {}
        for i, src in enumerate(sources):
            role = ROLES[i]
            if src[0] == "s":
                local = f"{tags[k]}_{role}"
                inputs.append((local, True))
                names[role] = local
            elif src[0] == "m":
                names[role] = cast(f"v_{tags[src[1]]}", key[src[1]][2], src[2])
            else:
                names[role] = cast(f"x{src[1]}_", array_dtypes[src[1]], src[2])
        expr = nodes[k].op.expr
        stmts.append((f"v_{tags[k]}", cast(E.render(expr, names, cdt), cdt, odt)))
        comment.append(f"{tags[k]} = {expr}")
    # Scalars come after the arrays in the call; keep the spec's inputs in that order.
    inputs = [i for i in inputs if not i[1]] + [i for i in inputs if i[1]]
    outputs = [(f"out_{tags[k]}", f"v_{tags[k]}", C.STORE, key[k][2]) for k in stored]
    if red:
        outputs.append(("acc", f"v_{tags[-1]}", C.REDUCE, key[-1][2]))
    label = "_".join(dict.fromkeys(k[0] for k in key))[:40].rstrip("_")
    spec = C.KernelSpec(
        label=f"{label}_fwd",
        inputs=tuple(inputs),
        stmts=tuple(stmts),
        outputs=tuple(outputs),
        ndim=ndim,
        parallel=parallel,
        comment=(f"forward of {len(nodes)} fused ops", *comment),
    )
    return C.get_kernel(spec), spec
