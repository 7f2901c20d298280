"""The backward node of a deferred elementwise result, for either backend's deferral
(:mod:`jitgrad.frontend.lazy` and :mod:`jitgrad.backends.cuda.deferred`).

Separate from :mod:`.lazy` because it is the one piece both backends share: it touches no
pending chain beyond marking the values the node's rules will read as kept.
"""

from __future__ import annotations

from typing import Any

from ..fusion.backward_render import CHEAP
from .saved_views import ROLES, saved_roles
from .tensor import Tensor


def deferred_node(t: Tensor, p: Any, plan: Any, args: tuple, raw: Any, kind: type) -> Any:
    """The backward node of deferred ``t`` (pending ``p`` of op ``plan`` on ``args``), made
    ``t``'s ``grad_fn``; the values its needed rules read are marked kept, so they survive
    until backward. For either backend: ``raw(x)`` is a tensor's slot content, ``kind`` the
    backend's pending type. The caller gives the node its key and saved tuple."""
    op, smask = plan.op, plan.smask
    grads = op.grads
    # (lists, then tuples: a generator expression costs a frame resume per item, and this
    # runs once per deferred op of every step)
    needs = [
        m == "t" and x._requires_grad and r is not None
        for x, m, r in zip(args, smask, grads, strict=False)
    ]
    node = plan.node_cls(tuple([args[i]._edge() if needs[i] else (None, 0) for i, _ in plan.edges]))
    t.grad_fn = node
    t._requires_grad = True
    reads = saved_roles(op, smask, tuple(needs))
    if "out" in reads:
        p.keep = True
    cheap = op.name in CHEAP  # fused backward recomputes it from its operands' values
    for x, role, m in zip(args, ROLES, smask, strict=False):
        if m == "t" and (cheap or role in reads):
            v = raw(x)
            if type(v) is kind:
                v.keep = True
    return node
