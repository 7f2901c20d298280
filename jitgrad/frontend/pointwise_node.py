"""Recording an elementwise op: its backward node (PyTorch's class name, the operands'
edges, what the rules need saved) and the node class's backward step.

:func:`_record` is called by the dispatch hot path (:mod:`.pointwise`) for each result that
requires grad, so it is written flat; :class:`ElementwiseBackward` computes the gradients by
:mod:`.pointwise_backward`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine.elementwise import (
    OVERWROTE,  # noqa: F401 - re-exported (pointwise_inplace)
    ElementwiseNode,
)
from ..engine.grad_mode import INFERENCE_SAVED, STATE
from ..engine.graph import SAVED_HOOKS
from ..engine.node import ONE_NRS, TWO_NRS, ZERO_NRS, edges_of, nrs_of
from ..engine.sweep import FREED, MUTATION, Node, _anomaly, next_sequence
from ..helpers import own_code
from ..ops.elementwise import NODE_VARIANTS
from ..ops.registry import OpDef
from ..ops.saved_record import FIELDS, INLINE, ROLES, kept_scalars
from . import lazy as L
from .pointwise_backward import _differentiable_backward, _kernel_backward
from .saved_views import SavedAttributes, pack_elementwise, reads_wrapped_number, unpack_elementwise
from .saved_views import saved_roles as _saved_roles
from .saved_views import t_roles as _t_roles
from .tensor import Tensor, _init_fields, check_versions

_NO_EDGE = (None, 0)
_NRS00 = ZERO_NRS[2]


def _record(
    plan: Any, args: Sequence[Any], values: Any, out: np.ndarray, shapes: tuple, lean: bool = False
):
    """The result tensor with its backward node: edges (:func:`_edges`), saved operands and
    versions. Immutable parts (the structural token, versions that are all 0) are shared
    between nodes: each object a graph keeps is one more that the cycle collector walks
    while the graph lives.

    ``lean`` (``Plan.lean``, from :func:`.pointwise.run`'s small lane only): the op's rules
    read nothing but ``g`` and every operand has the result's shape and dtype, so the node
    keeps neither operands nor values (:class:`.pointwise_pass.PassBackward`), as PyTorch's
    ``AddBackward0`` saves nothing: ``sum(list)``'s partial sums die with their last reader."""
    node = _new_node(plan.lean_cls if lean else plan.node_cls)
    if plan.leading:
        plan.set_edges(node, plan, args)  # (the plan's own copy: helpers.own_code)
    else:
        _listed_edges(node, plan, args)
    if _anomaly.enabled:  # Node.__init__ keeps the forward's trace
        Node.__init__(node, edges_of(node))
    else:  # Node.__init__, written out: one call less per recorded op
        node._seq = next_sequence()
        node._extra = None
    if lean:  # (its own plan id: a replayed fusion plan tells the two node classes apart)
        token = plan.lean_token
        if token[1] != shapes:
            token = plan.lean_token = (token[0], shapes)
    else:
        token = plan.token  # shared while the shapes repeat: one tuple less per node
        if token[1] != shapes:
            token = plan.token = (plan.pid, shapes)
    node._key = token
    result = _new_tensor(Tensor)
    result._value = out
    _init_fields(result, plan.odt, node)
    # the saved record, in the node's own slots (see jitgrad.ops.saved_record)
    node._saved = INLINE
    node.op = plan.op
    node.smask = plan.smask
    node.cdt = plan.cdt
    node.out_vc = result._vc
    node.out = out
    node.out_version = 0
    if lean:  # nothing saved (args/values are stand-ins): no operand a hook could pack
        return result
    node.args = tuple(args)
    node.values = tuple(values)
    if SAVED_HOOKS.count:  # autograd.graph.saved_tensors_hooks open in some thread
        pack_elementwise(node, result)
    return result


def _edges(node: Any, plan: Any, args: Sequence[Any]) -> None:
    """Set ``node``'s ``next_functions`` (``_next``, ``_nrs``: see :class:`.Node`) and its
    operands' ``versions``, for one or two leading tensor operands (``Plan.leading``):
    written out (a comprehension is a call of its own in CPython 3.11); set, not returned:
    no tuple to build and unpack."""
    a = args[0]
    na = a.grad_fn
    if na is not None:
        ra = a._output_nr
    else:
        na = a._accumulator() if a._requires_grad else None
        ra = 0
    va = a._vc[0]
    if plan.leading == 1:
        if plan.padded:
            node._next = (na, None)
            node._nrs = _NRS00 if ra == 0 else nrs_of((ra, 0))
        else:
            node._next = (na,)
            node._nrs = ONE_NRS[ra] if ra < 64 else (ra,)
        if va == 0:
            node.versions = _V0
        else:
            node.versions = (va,)
            if va < 0:  # an inference tensor (see INFERENCE_VERSION)
                refuse_inference(plan, args)
        return
    b = args[1]
    nb = b.grad_fn
    if nb is not None:
        rb = b._output_nr
    else:
        nb = b._accumulator() if b._requires_grad else None
        rb = 0
    vb = b._vc[0]
    node._next = (na, nb)
    if ra == 0 and rb == 0:
        node._nrs = _NRS00
    else:
        node._nrs = TWO_NRS[ra * 64 + rb] if ra < 64 and rb < 64 else (ra, rb)
    if va == 0 and vb == 0:
        node.versions = _V00
    else:
        node.versions = (va, vb)
        if va < 0 or vb < 0:  # an inference tensor (see INFERENCE_VERSION)
            refuse_inference(plan, args)


def _listed_edges(node: Any, plan: Any, args: Sequence[Any]) -> None:
    """:func:`_edges` for any other arrangement of operands (``plan.edges`` says which get
    an edge; only the tensors have versions)."""
    nexts = []
    nrs = []
    versions = []
    for i, ok in plan.edges:
        x = args[i]
        if ok and x._requires_grad:
            fn = x.grad_fn
            if fn is not None:
                nexts.append(fn)
                nrs.append(x._output_nr)
            else:
                nexts.append(x._accumulator())
                nrs.append(0)
        else:
            nexts.append(None)
            nrs.append(0)
    changed = False
    for x, m in zip(args, plan.smask):
        if m == "t":
            v = x._vc[0]
            versions.append(v)
            changed = changed or v
    n = len(versions)
    node._next = tuple(nexts)
    node._nrs = nrs_of(nrs)
    node.versions = _ZERO_VERSIONS[n] if not changed and n < 4 else tuple(versions)
    if changed and min(versions) < 0:  # an inference tensor (see INFERENCE_VERSION)
        refuse_inference(plan, args)


def refuse_inference(plan: Any, args: Sequence[Any]) -> None:
    """PyTorch's error if the node being recorded saves an inference tensor (its version is
    negative: ``INFERENCE_VERSION``); using one whose value no gradient reads is allowed."""
    op, smask = plan.op, plan.smask
    needs = tuple(
        m == "t" and x._requires_grad and op.grads[i] is not None
        for i, (x, m) in enumerate(zip(args, smask, strict=False))
    )
    reads = _saved_roles(op, smask, needs)
    for role, x, m in zip(ROLES, args, smask, strict=False):
        if m == "t" and role in reads and x._vc[0] < 0:
            raise RuntimeError(INFERENCE_SAVED)


_new_tensor = Tensor.__new__
_new_node = Node.__new__  # (object.__new__: no node class defines one)
#: The versions of operands never modified in place: shared, as every object a node holds is
#: one more the cycle collector walks while the graph lives.
_V0 = (0,)
_V00 = (0, 0)
_ZERO_VERSIONS = ((), _V0, _V00, (0, 0, 0))


class ElementwiseBackward(ElementwiseNode, SavedAttributes):
    """Backward of one elementwise op: one generated kernel computes every needed gradient.

    An eager node is its own saved record: :data:`~jitgrad.ops.saved_record.FIELDS` are
    slots of the node (``_saved`` is ``INLINE``); a deferred, resolved or hooked node holds a
    ``SavedRecord`` in ``_saved`` instead. ``_ran`` (unset until then) is the
    ``(kernel, spec)`` that last ran the fusion group this node roots, so ``explain`` can name
    it after backward freed the saved values.
    """

    __slots__ = ("_ran", *FIELDS)
    #: Whether backward frees the saved values: whether the gradient rules read a saved
    #: tensor. It depends on the op and its operand kinds only, so each node class (see
    #: :func:`_node_class`) fixes it and a release costs no lookup.
    frees = True

    def saved(self) -> Any:
        """The saved record; a deferred forward's values are computed on first read (and the
        node's structural token becomes an eager node's: it now holds the same record)."""
        saved = self._saved
        if saved is INLINE:
            return self
        if type(saved) is L.LazySaved:
            saved = self._saved = L.resolve(saved)
            if self._key is not None:
                self._key = self._key[1:]
            return saved
        return Node.saved(self)

    def apply(self, grads: list) -> Sequence:
        if self._saved is INLINE and self._extra is None and not STATE.enabled:
            # The common sweep: saved values as recorded (not deferred, freed or packed by
            # hooks), no create_graph. Versions are compared only if some tensor changed in
            # place since this node was created (every change takes a later sequence number,
            # see ``MUTATION``); ``needs`` is a loop (a comprehension is a call of its own).
            op, smask, args = self.op, self.smask, self.args
            if self._seq < MUTATION.seq and not self.unchanged():
                self.check_saved_versions()  # PyTorch's error if one the rules read changed
            needs = []
            for x, m, rule in zip(args, smask, op.grads):
                needs.append(m == "t" and x._requires_grad and rule is not None)
            return self.kernel_backward(
                op, smask, args, self.values, self.cdt, grads[0], needs, self.out
            )
        rec = self.saved()
        op, args = rec.op, rec.args
        needs = [
            isinstance(x, Tensor) and x._requires_grad and op.grads[i] is not None
            for i, x in enumerate(args)
        ]
        extra = self._extra
        if extra is not None and extra.packed is not None:  # saved-tensor hooks packed them
            rec = unpack_elementwise(self, rec, extra.packed)
        else:
            self.check_saved_versions()
        g = grads[0]
        if STATE.enabled:
            return _differentiable_backward(self, op, rec, g, needs)
        args, out, cdt = rec.args, rec.out, rec.cdt
        return self.kernel_backward(op, rec.smask, args, rec.values, cdt, g, needs, out)

    def unchanged(self) -> bool:
        """Whether no operand nor the output was modified in place since the forward (a
        deferred node is checked as it is: the fields read here are the same)."""
        saved = self._saved
        rec = saved if type(saved) is L.LazySaved else self.saved()
        if rec.out_vc[0] != rec.out_version:
            return False
        it = iter(rec.versions)
        return all(
            x._vc[0] == next(it) for x, m in zip(rec.args, rec.smask, strict=True) if m == "t"
        )

    def check_saved_versions(self) -> None:
        """PyTorch's in-place error if a tensor the needed rules read was modified since.

        Only what those rules read counts as saved (``y = x * 1; y.mul_(2)`` is fine;
        modifying ``exp``'s result in place is not).
        """
        if self.unchanged():  # fast path: nothing was modified since the forward
            return
        rec = self.saved()
        op, smask, args = rec.op, rec.smask, rec.args
        needs = tuple(
            isinstance(x, Tensor) and x._requires_grad and op.grads[i] is not None
            for i, x in enumerate(args)
        )
        reads = _saved_roles(op, smask, needs)
        checked = [
            (x, v)
            for x, v, r in zip(
                (x for x in args if isinstance(x, Tensor)),
                rec.versions,
                _t_roles(smask),
                strict=True,
            )
            if r in reads
        ]
        check_versions(
            self,
            [x for x, _ in checked],
            [v for _, v in checked],
            rec.out_vc if "out" in reads else None,
            rec.out,
            rec.out_version,
        )

    def release(self) -> None:
        """Free only nodes that saved tensors: ``x + y`` can be backwarded twice, as in torch."""
        if self.frees and self._saved is not None:  # Node.release, written out
            if self._saved is INLINE:  # the record's arrays and tensor operands go now
                self.values = self.out = None
                self.args = kept_scalars(self.smask, self.args)
            self._saved = FREED
            self._key = None


#: Overridden by device node classes (see :mod:`jitgrad.backends.cuda.elementwise`).
ElementwiseBackward.kernel_backward = staticmethod(_kernel_backward)  # type: ignore[attr-defined]


_node_classes: dict[tuple[str, bool, str, type], type] = {}


def _node_class(op: OpDef, smask: str, base: type | None = None) -> type:
    """The backward node class: PyTorch's name, and whether release frees (see ``frees``);
    ``base`` another base class than :class:`ElementwiseBackward` (a subclass of it:
    :class:`.pointwise_pass.PassBackward`)."""
    name = NODE_VARIANTS.get(op.name, {}).get(smask, op.node_name)
    needs = tuple(m == "t" and r is not None for m, r in zip(smask, op.grads, strict=False))
    frees = bool(_saved_roles(op, smask, needs)) or reads_wrapped_number(op, smask, needs)
    base = base or ElementwiseBackward
    key = (name, frees, op.no_derivative, base)
    cls = _node_classes.get(key)
    if cls is None:
        attrs: dict[str, Any] = {"__slots__": (), "frees": frees}
        if op.no_derivative:  # PyTorch's NotImplemented node: its backward raises
            attrs.update(fusable=False, apply=_not_implemented(op.no_derivative), name=_ni_name)
        else:  # the sweep's calls, each class its own copy (its reads specialize: own_code)
            attrs.update(apply=own_code(base.apply), release=own_code(base.release))
        cls = type(name, (base,), attrs)
        _node_classes[key] = cls
    return cls


def _ni_name(self: Any) -> str:
    return "torch::autograd::NotImplemented"  # PyTorch's name(); the class is NotImplemented


def _not_implemented(what: str):
    """The backward of an op PyTorch cannot differentiate (``defop(no_derivative=)``)."""

    def apply(self: Any, grads: list) -> Sequence:
        raise RuntimeError(f"derivative for {what} is not implemented")

    return apply
