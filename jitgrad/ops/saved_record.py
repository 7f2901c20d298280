"""The record an elementwise node saves, with its fields named.

Fields (:data:`FIELDS`): ``op`` the :class:`OpDef`; ``smask`` per operand ``"t"`` (a tensor)
or a scalar kind; ``args`` the operands as recorded (tensors, scalars); ``values`` what the
derivative rules read for them (cast to ``cdt``, the dtype the op computed in); ``out_vc``
the result's version counter and ``out_version`` its value when saved; ``versions`` the
tensor operands' versions when saved; ``out`` the result array (while deferred, its
``Pending``: see :class:`LazySaved`, whose ``values`` field holds the wanted dtypes).

Two objects carry these fields under these names, and readers never ask which:

- an eager elementwise node itself (``ElementwiseBackward``, whose slots include
  :data:`FIELDS`; its ``_saved`` is :data:`INLINE`). The record is built on every recorded
  op, and a separate object per node was one more allocation and one more object the cycle
  collector walks while the graph lives (issue 16: a nine-field tuple, read by position);
- a :class:`SavedRecord`: a deferred forward's (:class:`LazySaved`), the one a deferred node
  resolves to, a copy with the tensors saved-tensor hooks unpacked, an in-place op's.

``node.saved()`` gives either (checking it was not freed); ``node.record()`` the same without
resolving a deferred one.
"""

from __future__ import annotations

from typing import Any

#: the operand roles of an elementwise declaration, in argument order
ROLES = ("a", "b", "c", "d")
FIELDS = ("op", "smask", "args", "values", "cdt", "out_vc", "versions", "out", "out_version")

#: ``node._saved`` of an elementwise node whose record is the node's own slots
INLINE = object()


def kept_scalars(smask: str, args: tuple) -> tuple | None:
    """What a freed eager record keeps of its operands: the Python numbers (PyTorch saves
    them as ``Scalar``s, which ``_saved_alpha``/``_saved_exponent`` still read after
    backward), None for the tensors; None when every operand is a tensor."""
    if "s" not in smask:
        return None
    return tuple(None if m == "t" else a for m, a in zip(smask, args, strict=False))


class SavedRecord:
    """An elementwise node's saved record held apart from the node (see the module
    docstring); the fields are read by name."""

    __slots__ = FIELDS
    saves_operands = True  # (see ElementwiseNode.saves_operands)

    def __init__(
        self,
        op: Any,
        smask: str,
        args: tuple,
        values: tuple,
        cdt: Any,
        out_vc: list,
        versions: tuple,
        out: Any,
        out_version: int = 0,
    ) -> None:
        self.op = op
        self.smask = smask
        self.args = args
        self.values = values
        self.cdt = cdt
        self.out_vc = out_vc
        self.versions = versions
        self.out = out
        self.out_version = out_version

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.op.name}, {self.smask!r})"


def copy_record(rec: Any, cls: type = SavedRecord, **changes: Any) -> SavedRecord:
    """A :class:`SavedRecord` (of ``cls``) with ``rec``'s fields (a node or a record),
    ``changes`` replacing some."""
    fields = [changes[f] if f in changes else getattr(rec, f) for f in FIELDS]
    return cls(*fields)


class LazySaved(SavedRecord):
    """A node's saved record whose ``values``/``out`` are computed when backward first reads
    it (its forward was deferred: see :mod:`jitgrad.frontend.lazy`).

    Its ``values`` hold the dtypes the operands were computed in and its ``out`` the result's
    ``Pending``; :func:`jitgrad.frontend.pending.resolve` turns it into the record
    ``pointwise.apply`` would have saved. Declared here, with the record's fields, so the
    layers below the front end (fusion's backward groups) can tell a deferred record apart.
    """

    __slots__ = ()
