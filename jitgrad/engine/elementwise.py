"""The elementwise node kind, as the layers below the front end see it.

The front end records each elementwise op as an ``ElementwiseBackward`` node
(:mod:`jitgrad.frontend.pointwise_node`). Fusion's planner groups such nodes and the replay
cache re-checks their saved versions; both sit below the front end, so they recognise the
kind by this base class and token rather than by importing the front end's class.
"""

from __future__ import annotations

from typing import Any

from ..ops.saved_record import INLINE
from .node import VC0, Node

#: First item of the structural token (``Node._key``) of an in-place op's node whose result
#: overwrote its first operand's buffer (``y += r``): the fusion planner keeps such a node a
#: group root, and the replay cache never mistakes it for the out-of-place op's node.
OVERWROTE = object()


class ElementwiseNode(Node):
    """Base of the nodes of elementwise ops: a saved record in the layout of
    :mod:`jitgrad.ops.saved_record`, and gradients one generated kernel can compute (so the
    fusion planner may merge such nodes into one group, unless ``fusable`` is False: a node
    whose backward raises, as PyTorch's ``NotImplemented`` for ``floor_divide``)."""

    __slots__ = ()
    fusable = True
    #: Whether the record holds the operands (False: a node whose rules read only ``g``
    #: keeps stand-ins, see ``pointwise_node.PassBackward``; a group never recomputes it).
    saves_operands = True

    def record(self) -> Any:
        """The saved record as it is: this node itself (an eager node's record is its own
        slots), a ``SavedRecord`` (a deferred one unresolved), ``FREED`` or None."""
        saved = self._saved
        return self if saved is INLINE else saved

    def output_counter(self, value: Any) -> list | None:
        """See :meth:`Node.output_counter`: an eager node's ``out_vc`` when ``value`` is its
        ``out``, created here if the result never needed one (both then hold one list)."""
        if self._saved is not INLINE or self.out is not value:
            return None
        vc = self.out_vc
        if vc is VC0:
            vc = self.out_vc = [0]
        return vc

    def unchanged(self) -> bool:
        """Whether no operand nor the output was modified in place since the forward."""
        raise NotImplementedError
