"""Forward fusion: elementwise results are deferred and a chain runs as one generated kernel.

With deferral on, :func:`jitgrad.frontend.pointwise.apply` returns a :class:`LazyTensor` whose
``_value`` slot holds a :class:`Pending` (the op and its operands) instead of an array; shape
and dtype are known at once, only the values wait. Every other module reads ``t._value``: on
a LazyTensor that is a property whose getter runs the pending chain as ONE kernel, stores the
array in the slot and turns the tensor into a plain :class:`Tensor` (identical slot layout).

Which values a kernel writes: the requested one, plus every pending intermediate that is
still observable afterwards (its tensor is alive, or a backward node saved it). Dead
temporaries are only registers. A full ``sum``/``mean`` of a lazy tensor becomes the kernel's
epilogue (:func:`reduce_full`): ``((a - b) ** 2).mean()`` reads ``a`` and ``b`` once.

Deferral reads its inputs late, so an in-place write to an input of a pending chain must run
the chain first: in-place elementwise ops call :func:`flush`, and a chain whose input
changed version by another path raises instead of computing from the new values.

Threads: a chain is computed under one lock (``pending._LOCK``), and a value is computed
once: two threads reading one pending tensor, or an in-place write in one thread flushing
chains another thread built, never run a chain twice or store two arrays for one value.
Deferring takes no lock (the lock costs nothing next to a kernel, but a deferred op is cheap).

The values and the kernel that computes a chain live in :mod:`jitgrad.frontend.pending` (and
:mod:`jitgrad.fusion.chain_kernel`); this module holds the tensor side: :class:`LazyTensor`,
deferring an op (:func:`defer`), the saved tuples of deferred nodes (the node itself:
:mod:`.deferred_node`), and flushing.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.fusion_mode import STATE as FUSE
from ..engine.grad_mode import STATE as GRAD
from ..fusion.front import FRONT
from ..ops.saved_record import SavedRecord
from .deferred_node import deferred_node
from .pending import (  # (LAUNCHES, MAX_CHAIN: read as lazy.* by tests and explain)
    _LIVE,
    _SLOT,
    LAUNCHES,  # noqa: F401
    LAZY_TOKEN,
    MAX_CHAIN,
    STATE,
    LazySaved,
    Pending,
    PendingReduction,
    _array_or_stand_in,
    materialize,
    raw,
    read_operands,
    resolve,  # noqa: F401 - re-exported for frontend.pointwise, remove after the merge
)
from .tensor import Size, Tensor, _init_fields, _make


class LazyTensor(Tensor):
    """A Tensor whose value is pending; reading ``_value`` computes it (one fused kernel)."""

    __slots__ = ()

    @property
    def _value(self) -> np.ndarray:  # type: ignore[override]
        p = _SLOT.__get__(self)
        if type(p) is np.ndarray:  # another thread adopted the value since the class lookup
            return p
        if p.array is None:
            if type(p) is PendingReduction:
                p.compute()
            else:
                materialize(p)
        _adopt(self, p)
        return p.array

    @_value.setter
    def _value(self, value: np.ndarray) -> None:
        _SLOT.__set__(self, value)
        self.__class__ = Tensor

    # Metadata is known without computing the values.
    @property
    def shape(self):  # type: ignore[override]
        return Size(_SLOT.__get__(self).shape)

    def size(self, dim: int | None = None) -> Any:
        shape = _SLOT.__get__(self).shape
        if dim is None:
            return Size(shape)
        return shape[dim if dim >= 0 else dim + len(shape)] if shape else Tensor.size(self, dim)

    def dim(self) -> int:
        return len(_SLOT.__get__(self).shape)

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return len(_SLOT.__get__(self).shape)

    def numel(self) -> int:
        return _SLOT.__get__(self).size


def _adopt(t: Tensor, p: Pending) -> None:
    _SLOT.__set__(t, p.array)
    t.__class__ = Tensor


def defer_reduction(t: Tensor, mean: bool) -> PendingReduction | None:
    """A deferred full sum/mean of lazy ``t`` whose values are still pending, or None."""
    if type(t) is not LazyTensor:
        return None
    p = _SLOT.__get__(t)
    if type(p) is not Pending or p.array is not None or not p.odt.is_floating_point:
        return None
    return PendingReduction(p, mean)


def pending_reduction(t: Any) -> PendingReduction | None:
    """``t``'s deferred reduction if ``t`` holds one not computed yet."""
    if type(t) is not LazyTensor:
        return None
    p = _SLOT.__get__(t)
    return p if type(p) is PendingReduction and p.array is None else None


def _cast(a: np.ndarray, want: D.dtype) -> np.ndarray:
    return a.astype(want.np)


def joint_saved(
    members: list,
    saved_type: type = LazySaved,
    pending_type: type = Pending,
    raw: Callable[[Tensor], Any] = raw,
    stand_in: Callable[[Any], Any] = _array_or_stand_in,
    cast: Callable[[Any, D.dtype], Any] = _cast,
) -> list | None:
    """The group members' saved records for a joint forward+backward kernel, computing none
    of the chain's values: an operand a member produces (and the kernel recomputes) is a
    stand-in of its shape. None if a member is not deferred or anything a member read
    changed in place since the forward (the engine's checked path then reports it).

    The keywords are a device's deferral (its saved-tuple and pending types, slot reader,
    stand-in and cast), as :func:`~.pending.chain` takes them."""
    pendings = set()
    for m in members:
        if type(m._saved) is not saved_type:
            return None
        pendings.add(id(m._saved.out))
    result = []
    for m in members:
        saved = _member_saved(m, pendings, pending_type, raw, stand_in, cast)
        if saved is None:
            return None
        result.append(saved)
    return result


def _member_saved(
    m: Any,
    pendings: set[int],
    pending_type: type,
    raw: Callable[[Tensor], Any],
    stand_in: Callable[[Any], Any],
    cast: Callable[[Any, D.dtype], Any],
) -> SavedRecord | None:
    """One member's saved record for :func:`joint_saved` (None: an input it read, or its
    output, changed in place since the forward)."""
    rec = m._saved
    op, smask, args, versions, p = rec.op, rec.smask, rec.args, rec.versions, rec.out
    wants = p.wants  # (a device's saved record holds its converted scalars there)
    if rec.out_vc[0] != rec.out_version:
        return None
    edged = _DISPATCH.edge_indices(op, smask)  # which operands have an edge, in edge order
    it = iter(versions)
    values = []
    for i, (x, w, kind) in enumerate(zip(args, wants, smask, strict=True)):
        if kind == "s":
            values.append(w.np.type(x))
            continue
        if x._vc[0] != next(it):
            return None
        v = raw(x)
        if (
            type(v) is pending_type
            and id(v) in pendings
            and i in edged
            and m._next[edged.index(i)] is x.grad_fn
            and x._output_nr == 0
        ):
            values.append(stand_in(v))  # recomputed by the kernel
        else:
            a = x._value  # read by the kernel (computed now if pending elsewhere)
            values.append(a if x._dtype is w else cast(a, w))
    out = stand_in(p)
    return SavedRecord(
        op, smask, args, tuple(values), rec.cdt, rec.out_vc, versions, out, rec.out_version
    )


def make_lazy(t: Tensor, p: PendingReduction) -> Tensor:
    """Turn the Tensor ``record`` built around ``p`` into the LazyTensor it stands for."""
    t.__class__ = LazyTensor
    p.ref = weakref.ref(t)
    return t


def any_lazy(args: Any) -> bool:
    """Whether an operand is a deferred result (reading its ``_value`` would compute it)."""
    for x in args:
        if type(x) is LazyTensor:
            return True
    return False


def active() -> bool:
    """Whether elementwise results are deferred now."""
    return STATE.enabled and FUSE.enabled


class _Dispatch:
    """What deferral needs from the elementwise dispatcher (:mod:`jitgrad.frontend.pointwise`):
    its plan cache (a deferred node takes the eager node's plan, so replay tokens match), the
    Plan class, its broadcast (with PyTorch's error) and which operands get graph edges.

    The dispatcher imports this module, so it hands these in when it loads
    (:func:`bind_dispatch`) instead of this module importing it back.
    """

    plans: dict[tuple, Any]
    plan: Callable[..., Any]
    broadcast_shape: Callable[[list[tuple[int, ...]]], tuple[int, ...]]
    edge_indices: Callable[[Any, str], tuple[int, ...]]


_DISPATCH = _Dispatch()


def bind_dispatch(
    plans: dict[tuple, Any],
    plan: Callable[..., Any],
    broadcast_shape: Callable[[list[tuple[int, ...]]], tuple[int, ...]],
    edge_indices: Callable[[Any, str], tuple[int, ...]],
) -> None:
    """Called once by :mod:`jitgrad.frontend.pointwise` at import (see :class:`_Dispatch`).

    ``plans`` is the elementwise plan cache itself, which a ``set_default_dtype`` change
    clears (:func:`jitgrad.dtypes.on_default_dtype_change`)."""
    _DISPATCH.plans = plans
    _DISPATCH.plan = plan
    _DISPATCH.broadcast_shape = broadcast_shape
    _DISPATCH.edge_indices = edge_indices


def _stand_in(x: Any) -> Any:
    """A tiny tensor with ``x``'s dtype and ndim, for promotion rules that read the value."""
    if isinstance(x, Tensor) and type(raw(x)) is Pending:
        return _make(np.zeros((1,) * len(raw(x).shape), x._dtype.np), x._dtype)
    return x


def defer(op: Any, args: list, out_dtype: D.dtype | None) -> Tensor | None:
    """The deferred result of elementwise ``op``, or None where it must run now."""
    plans = _DISPATCH.plans
    key, slots = read_operands(op, args, out_dtype)  # (the shapes below reuse the slots)
    plan = plans.get(key)
    if plan is None:
        plan = plans[key] = _DISPATCH.plan(op, [_stand_in(x) for x in args], out_dtype)
    op = plan.op  # (complex operands: the op's complex form)
    smask, wants, cdt, odt = plan.smask, plan.wants, plan.cdt, plan.odt
    if cdt.round is not None or odt.round is not None:
        return None  # float16/bfloat16 round after every op: a fused chain would not
    shapes = []
    count = 1
    for x, v, m in zip(args, slots, smask, strict=True):
        if m == "t":
            if v is None:
                v = raw(x)
            shapes.append(v.shape)
            if type(v) is Pending:
                count += v.count
    shape = shapes[0]
    token_shapes = shape  # as pointwise._record keys a node: one shape, or each operand's
    for s in shapes:
        if s != shape:
            shape = _DISPATCH.broadcast_shape(shapes)
            token_shapes = tuple(shapes)
            break
    size = math.prod(shape)
    if size == 0:
        return None
    if count > MAX_CHAIN:  # run the operands, start a new chain here
        count = _start_new_chain(args)
    versions = tuple([x._vc[0] for x, m in zip(args, smask, strict=True) if m == "t"])
    args = tuple(args)
    p = Pending(op, args, smask, wants, cdt, odt, shape, size, count, versions)
    t = LazyTensor.__new__(LazyTensor)
    STATE.seen = True
    _SLOT.__set__(t, p)
    _init_fields(t, odt)
    p.ref = weakref.ref(t)
    _LIVE.add(p)
    if not (plan.records and GRAD.enabled):
        return t
    for x, m in zip(args, smask, strict=True):  # a loop: a generator costs a frame per item
        if m == "t" and x._requires_grad:
            _record(t, p, plan, args, token_shapes)
            break
    return t


def _start_new_chain(args: list) -> int:
    """Compute ``args``' pending values (a chain grown past ``MAX_CHAIN``): the new result
    starts a chain of its own, of count 1."""
    for x in args:
        if isinstance(x, Tensor) and type(raw(x)) is Pending:
            x._value  # noqa: B018 - materializes
    return 1


def _record(t: LazyTensor, p: Pending, plan: Any, args: tuple, token_shapes: Any) -> None:
    """Give deferred ``t`` its backward node, and mark the values its rules read as kept."""
    node = deferred_node(t, p, plan, args, raw, Pending)
    # Replayed as deferred (a joint group's member) until its saved values resolve; then
    # ElementwiseBackward.saved() gives it the eager token (plan.pid, token_shapes).
    node._key = (LAZY_TOKEN, plan.pid, token_shapes)
    node._saved = LazySaved(
        plan.op,
        plan.smask,
        args,  # the Pending's own tuple: materialize() counts references per tuple
        plan.wants,
        plan.cdt,
        t._counter(),
        p.versions,
        p,
        0,
    )


def flush(t: Tensor) -> None:
    """Compute the pending values that read ``t`` before an in-place write changes it.

    Whichever thread deferred them (``t`` may be shared, a model's parameter), but only
    those: a chain that does not read ``t`` keeps its fusion, and another thread's chains
    compute as they would with no write here. An operand reads ``t`` if it shares ``t``'s
    version counter (a view) or may share its memory.
    """
    vc = t._counter()  # (a tensor with none yet shares no counter)
    target = _SLOT.__get__(t)
    if type(target) is not np.ndarray:  # pending: only its own tensor reads it
        target = None
    # A copy of the underlying set of weak references (one C call, so another thread
    # adding meanwhile cannot break it, as iterating the WeakSet itself could).
    for ref in list(_LIVE.data):
        p = ref()
        if p is None or p.array is not None or p.ref is None or p.ref() is None:
            continue
        for x, m in zip(p.args, p.smask, strict=False):  # args is () once computed
            if m == "t" and (x._vc is vc or target is not None and _shares(x, target)):
                materialize(p)
                break


def _shares(x: Tensor, target: np.ndarray) -> bool:
    v = _SLOT.__get__(x)
    if type(v) is Pending:
        v = v.array
    return type(v) is np.ndarray and np.may_share_memory(v, target)


def reduce_full(t: Tensor, mean: bool) -> np.ndarray | None:
    """The full sum (or mean) of lazy ``t`` as the epilogue of its kernel (0-d array), or None."""
    if type(t) is not LazyTensor:
        return None
    p = _SLOT.__get__(t)
    if type(p) is np.ndarray or p.array is not None or not p.odt.is_floating_point:
        return None  # (an array: another thread computed it since the type check)
    acc = materialize(p, "mean" if mean else "sum")
    return acc.reshape(())


# fusion's backward groups (below this layer) call these through its slots (see fusion.front)
FRONT.make = _make
FRONT.pending_reduction = pending_reduction
FRONT.joint_saved = joint_saved
