"""Which operands of an elementwise op get a ``next_functions`` edge.

A fact of the op's declaration and operand kinds alone: the front end's recording follows it
when it builds a node's edges, and fusion's backward groups follow it to route each gradient
a kernel computes to its edge.
"""

from __future__ import annotations

from .registry import OpDef

#: Ops whose Python-scalar operands still appear as ``(None, 0)`` in ``next_functions``
#: (PyTorch wraps the scalar into a tensor for these); other ops list only tensor inputs.
_SCALAR_EDGES = frozenset({"add", "add_scaled", "sub", "sub_scaled", "mul", "div", "where"})
_edge_cache: dict[tuple[str, str], tuple[int, ...]] = {}


def edge_indices(op: OpDef, smask: str) -> tuple[int, ...]:
    """Which operands get a ``next_functions`` edge, in order."""
    key = (op.name, smask)
    idx = _edge_cache.get(key)
    if idx is None:
        if op.name in _SCALAR_EDGES and (smask[0] == "t" or op.condition):
            idx = tuple(i for i in range(len(smask)) if op.grads[i] is not None)
        else:
            idx = tuple(i for i, m in enumerate(smask) if m == "t")
        _edge_cache[key] = idx
    return idx
