"""The node of an elementwise op whose every gradient rule is the incoming gradient itself
(``add``, ``clone``, ``frac``...), recorded by :func:`.pointwise.run`'s small lane: it keeps
no operands and no values, as PyTorch's ``AddBackward0`` saves nothing (a Python ``sum`` of
tensors then frees each partial sum as soon as the next add has used it: issue 16).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine.grad_mode import STATE
from ..engine.node import AccumulateGrad, edges_of
from ..ops.registry import OpDef
from .pointwise_backward import edge_indices
from .pointwise_node import _NO_EDGE, ElementwiseBackward
from .tensor import _make


class PassBackward(ElementwiseBackward):
    """The node of an op whose every gradient rule is ``g`` itself, recorded with operands
    of the result's shape and dtype. Its backward hands the incoming gradient itself (if it
    is the engine's own, fresh buffer) to the first input that takes one and a fresh copy to
    each other (what the kernel's stores gave: the engine sums in place only into buffers
    it alone holds); with ``create_graph``, the gradient itself to each, as the rule ``g``
    evaluated over Tensors gives. A fused group reads ``args``/``values`` (stand-ins made
    from the edges: no rule reads an operand) and never recomputes its value
    (``saves_operands``)."""

    __slots__ = ()
    frees = False
    saves_operands = False

    @property  # type: ignore[override]
    def args(self) -> tuple:
        """Stand-ins for the operands, for the readers of a record (the fusion planner,
        ``explain``): a leaf operand is its ``AccumulateGrad``'s variable, another tensor an
        :class:`_Operand` of its edge, the result's shape and dtype; a number None (no rule
        reads it)."""
        edges = dict(zip(edge_indices(self.op, self.smask), edges_of(self), strict=True))
        shape = self.out.shape
        found = []
        for i, m in enumerate(self.smask):
            fn, nr = edges.get(i, _NO_EDGE)
            if m != "t":
                found.append(None)
            elif type(fn) is AccumulateGrad:
                found.append(fn.variable)
            else:
                found.append(_Operand(fn, nr, self.cdt, shape))
        return tuple(found)

    @property  # type: ignore[override]
    def values(self) -> tuple:
        """Each tensor operand's value as far as a reader may ask (its shape and dtype, the
        result's): the result array; None for a number."""
        return tuple(self.out if m == "t" else None for m in self.smask)

    def apply(self, grads: list) -> Sequence:
        g = grads[0]
        cdt = self.cdt
        garr = g._value
        if garr.dtype is not cdt.np or garr.shape != self.out.shape:  # as the kernel stores it
            garr = np.broadcast_to(garr.astype(cdt.np, copy=False), self.out.shape).copy()
            g = _make(garr, cdt, None, True)
        results = []
        first = g._fresh and not STATE.enabled  # else each a copy: the engine sums into it
        for fn, _ in self.next_functions:
            # (a leaf whose requires_grad was turned off since: no gradient, as before)
            if fn is None or (type(fn) is AccumulateGrad and not fn.variable._requires_grad):
                results.append(None)
            elif first:
                results.append(g)
                first = False
            elif STATE.enabled:
                results.append(g)
            else:
                results.append(_make(garr.copy(), cdt, None, True))
        return results

    def unchanged(self) -> bool:
        """Nothing was saved but the result's version (replays compare it)."""
        return self.out_vc[0] == self.out_version

    def check_saved_versions(self) -> None:
        """No saved tensor to check: PyTorch's add backward runs after any in-place change."""


class _Operand:
    """What :attr:`PassBackward.args` shows for a tensor operand it did not keep: the edge
    its gradient takes (``grad_fn`` None: it did not require grad), its dtype and shape."""

    __slots__ = ("grad_fn", "_output_nr", "_dtype", "shape", "_requires_grad")

    def __init__(self, fn: Any, nr: int, dtype: Any, shape: tuple) -> None:
        self.grad_fn, self._output_nr, self._dtype, self.shape = fn, nr, dtype, shape
        self._requires_grad = fn is not None

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad


def passes_gradient(op: OpDef) -> bool:
    """Whether every gradient rule of ``op`` is the incoming gradient itself (or none)."""
    return not op.no_derivative and "g" in op.grads and all(r in (None, "g") for r in op.grads)
