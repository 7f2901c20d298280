"""Forward fusion: elementwise results are deferred and a chain runs as one generated kernel.

With deferral on, :func:`jitgrad.ops.pointwise.apply` returns a :class:`LazyTensor` whose
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

Threads: a chain is computed under one lock (:data:`_LOCK`), and a value is computed once:
two threads reading one pending tensor, or an in-place write in one thread flushing chains
another thread built, never run a chain twice or store two arrays for one value. Deferring
takes no lock (the lock costs nothing next to a kernel, but a deferred op is cheap).
"""

from __future__ import annotations

import sys
import threading
import weakref
from typing import Any

import numpy as np

from .. import dtypes as D
from .. import helpers, memory
from ..autograd.grad_mode import STATE as GRAD
from ..kernels.cpu import reduce as K
from ..tensor import Tensor, _init_fields, _make
from . import codegen as C
from .control import STATE as FUSE
from .layout import iteration_views

#: Most pending ops one kernel takes: beyond it the operands are materialized first, which
#: keeps compile time near the knee NOTES-numba measured (~0.15 s at 16 ops, 0.34 s at 64).
MAX_CHAIN = 32

_SLOT = Tensor._value  # the base class's slot descriptor, shadowed by LazyTensor's property


class _State:
    """When elementwise results are deferred.

    By default (``JITGRAD_LAZY`` unset or 2) a result with at least ``min_size`` elements is
    deferred (``JITGRAD_LAZY_MIN_SIZE``, default 64K): there a kernel moves hundreds of
    kilobytes, so deferral's per-op bookkeeping (tens of microseconds) is small next to the
    passes over memory it saves, and a loss summed from such a chain runs forward and
    backward as one kernel (:class:`jitgrad.fusion.backward.JointGroup`). Smaller results
    run eagerly: there the bookkeeping would dominate. ``JITGRAD_LAZY=1`` defers everything
    (tests force it this way), ``JITGRAD_LAZY=0`` nothing. ``seen`` turns true with the first
    deferred result: until then no operand can be lazy and :func:`pointwise.apply` skips
    looking for one. These are process-wide settings (from the environment), not per thread.
    """

    _mode = helpers.getenv("JITGRAD_LAZY", 2)
    enabled = _mode == 1
    min_size = helpers.getenv("JITGRAD_LAZY_MIN_SIZE", 1 << 16) if _mode == 2 else sys.maxsize
    seen = False


STATE = _State()

#: First item of a deferred node's structural token (see jitgrad.fusion.replay).
LAZY_TOKEN = "deferred"
#: Pending ops not yet computed (weakly held), so in-place writes can run them first.
_LIVE: weakref.WeakSet = weakref.WeakSet()
#: Held while a chain is computed or a pending value stored (reentrant: a chain computes
#: its broadcast operands' chains first).
_LOCK = threading.RLock()
#: Kernels launched by forward fusion (a debug counter the tests read).
LAUNCHES = [0]


class Pending:
    """One deferred elementwise op: what :func:`pointwise.apply` would have computed."""

    __slots__ = (
        "op",
        "args",
        "smask",
        "wants",
        "cdt",
        "odt",
        "shape",
        "size",
        "count",
        "versions",
        "array",
        "keep",
        "ref",
        "__weakref__",
    )

    def __init__(self, op, args, smask, wants, cdt, odt, shape, size, count, versions) -> None:
        self.op = op
        self.args = args
        self.smask = smask
        self.wants = wants
        self.cdt = cdt
        self.odt = odt
        self.shape = shape
        self.size = size
        self.count = count  # upper bound on the pending ops this one depends on, itself included
        self.versions = versions  # versions of the tensor operands when deferred
        self.array: np.ndarray | None = None
        self.keep = False  # a backward node saved this value: store it when computed
        self.ref: Any = None  # weakref to the LazyTensor holding this value


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
        from ..tensor import Size

        return Size(_SLOT.__get__(self).shape)

    def size(self, dim: int | None = None) -> Any:
        shape = _SLOT.__get__(self).shape
        if dim is None:
            from ..tensor import Size

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


def raw(x: Tensor) -> Any:
    """The slot's content: an array, or a :class:`Pending` not yet computed (a deferred
    reduction used as an operand is computed: it is one element, never worth a chain)."""
    v = _SLOT.__get__(x)
    if type(v) is Pending and v.array is not None:
        return v.array
    if type(v) is PendingReduction:
        return x._value
    return v


class PendingReduction:
    """A deferred full ``sum``/``mean`` of a pending elementwise result.

    Read, it runs the chain's kernel with the reduction as its epilogue (as an eager
    ``mean`` of a lazy tensor does). But when ``backward()`` starts from it first, the
    fusion pass runs forward and backward of the chain in ONE kernel (see
    :class:`jitgrad.fusion.backward.JointGroup`) and stores the loss here.
    """

    __slots__ = ("src", "mean", "odt", "array", "ref", "__weakref__")
    shape: tuple[int, ...] = ()
    size = 1

    def __init__(self, src: Pending, mean: bool) -> None:
        self.src = src
        self.mean = mean
        self.odt = src.odt
        self.array: np.ndarray | None = None
        self.ref: Any = None

    def compute(self) -> None:
        with _LOCK:
            if self.array is None:  # (else another thread computed it meanwhile)
                acc = materialize(self.src, "mean" if self.mean else "sum")
                self.array = acc.astype(self.odt.np).reshape(())

    def finish(self, total: np.ndarray) -> None:
        """Store the loss a joint forward+backward kernel computed (a 1-element sum)."""
        value = total / self.src.size if self.mean else total
        with _LOCK:
            if self.array is None:  # a thread that read it first keeps what it read
                self.array = value.astype(self.odt.np).reshape(())


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


def joint_saved(members: list) -> list[tuple] | None:
    """The group members' saved tuples for a joint forward+backward kernel, computing none
    of the chain's values: an operand a member produces (and the kernel recomputes) is a
    stand-in of its shape. None if a member is not deferred or anything a member read
    changed in place since the forward (the engine's checked path then reports it)."""
    pendings = set()
    for m in members:
        if type(m._saved) is not LazySaved:
            return None
        pendings.add(id(m._saved[7]))
    edge_indices = _pointwise.edge_indices
    result = []
    for m in members:
        op, smask, args, wants, cdt, out_vc, versions, p, out_version = m._saved
        if out_vc[0] != out_version:
            return None
        edged = edge_indices(op, smask)  # which operands have an edge, in edge order
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
                type(v) is Pending
                and id(v) in pendings
                and i in edged
                and m.next_functions[edged.index(i)][0] is x.grad_fn
                and x._output_nr == 0
            ):
                values.append(_array_or_stand_in(v))  # recomputed by the kernel
            else:
                a = x._value  # read by the kernel (computed now if pending elsewhere)
                values.append(a if x._dtype is w else a.astype(w.np))
        out = _array_or_stand_in(p)
        result.append((op, smask, args, tuple(values), cdt, out_vc, versions, out, out_version))
    return result


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


def _sig(x: Any) -> Any:
    if isinstance(x, Tensor):
        v = raw(x)
        return x._dtype if len(v.shape) else (x._dtype, 0)
    return type(x)


def _stand_in(x: Any) -> Any:
    """A tiny tensor with ``x``'s dtype and ndim, for promotion rules that read the value."""
    if isinstance(x, Tensor) and type(raw(x)) is Pending:
        return _make(np.zeros((1,) * len(raw(x).shape), x._dtype.np), x._dtype)
    return x


def defer(op: Any, args: list, out_dtype: D.dtype | None) -> Tensor | None:
    """The deferred result of elementwise ``op``, or None where it must run now."""
    P = _pointwise
    key = (op, out_dtype, *map(_sig, args))
    plan = P._plans.get(key)
    if plan is None:
        plan = P._plans[key] = P.Plan(op, [_stand_in(x) for x in args], out_dtype)
    smask, wants, cdt, odt = plan.smask, plan.wants, plan.cdt, plan.odt
    node_cls, edges, records = plan.node_cls, [i for i, _ in plan.edges], plan.records
    shapes = []
    count = 1
    for x, m in zip(args, smask, strict=True):
        if m == "t":
            v = raw(x)
            shapes.append(v.shape)
            if type(v) is Pending:
                count += v.count
    shape = shapes[0]
    token_shapes = shape  # as pointwise._record keys a node: one shape, or each operand's
    for s in shapes:
        if s != shape:
            shape = P.broadcast_shape(shapes)
            token_shapes = tuple(shapes)
            break
    size = 1
    for n in shape:
        size *= n
    if size == 0:
        return None
    if count > MAX_CHAIN:  # run the operands, start a new chain here
        for x in args:
            if isinstance(x, Tensor) and type(raw(x)) is Pending:
                x._value  # noqa: B018 - materializes
        count = 1
    versions = tuple([x._vc[0] for x, m in zip(args, smask, strict=True) if m == "t"])
    args = tuple(args)
    p = Pending(op, args, smask, wants, cdt, odt, shape, size, count, versions)
    t = LazyTensor.__new__(LazyTensor)
    STATE.seen = True
    _SLOT.__set__(t, p)
    _init_fields(t, odt)
    p.ref = weakref.ref(t)
    _LIVE.add(p)
    if not (records and GRAD.enabled):
        return t
    for x, m in zip(args, smask, strict=True):  # a loop: a generator costs a frame per item
        if m == "t" and x._requires_grad:
            break
    else:
        return t
    grads = op.grads
    node = node_cls(
        tuple(
            args[i]._edge()
            if smask[i] == "t" and args[i]._requires_grad and grads[i] is not None
            else (None, 0)
            for i in edges
        )
    )
    t.grad_fn = node
    t._requires_grad = True
    # Replayed as deferred (a joint group's member) until its saved values resolve; then
    # ElementwiseBackward.saved() gives it the eager token (plan.pid, token_shapes).
    node._key = (LAZY_TOKEN, plan.pid, token_shapes)
    node._saved = LazySaved(
        (
            op,
            smask,
            args,  # the Pending's own tuple: materialize() counts references per tuple
            wants,
            cdt,
            t._vc,
            versions,
            p,
            0,
        )
    )
    # What the needed rules read must survive until backward.
    needs = tuple(
        m == "t" and x._requires_grad and r is not None
        for x, m, r in zip(args, smask, grads, strict=False)
    )
    reads = P._saved_roles(op, smask, needs)
    if "out" in reads:
        p.keep = True
    from .backward import CHEAP  # (import cycle at module level)

    cheap = op.name in CHEAP  # fused backward recomputes it from its operands' values
    for x, role, m in zip(args, P.ROLES, smask, strict=False):
        if m == "t" and (cheap or role in reads):
            v = raw(x)
            if type(v) is Pending:
                v.keep = True
    return t


class LazySaved(tuple):
    """A node's saved tuple whose ``values``/``out`` are computed when backward first reads it.

    Slot 3 holds the dtypes the operands were computed in and slot 7 the result's Pending;
    :func:`resolve` turns it into the tuple :func:`pointwise.apply` would have saved.
    """

    __slots__ = ()


def resolve(saved: LazySaved) -> tuple:
    """The eager form of a lazily saved tuple (computes pending values as needed)."""
    op, smask, args, wants, cdt, out_vc, versions, p, out_version = saved
    if p.array is None and p.keep:  # one kernel computes every kept value of the chain
        materialize(p)
    values = tuple(
        (_as(x, w) if m == "t" else w.np.type(x))
        for x, w, m in zip(args, wants, smask, strict=True)
    )
    return (op, smask, args, values, cdt, out_vc, versions, _array_or_stand_in(p), out_version)


def _array_or_stand_in(p: Pending) -> np.ndarray:
    """``p``'s value, or (a value no backward rule reads) a zero-stride array of its shape.

    Stand-ins are read-only and never read, so one per shape and dtype serves every caller
    (``np.broadcast_to`` costs microseconds, and a joint group asks for one per member).
    """
    if p.array is not None:
        return p.array
    key = (p.shape, p.odt)
    stand_in = _stand_ins.get(key)
    if stand_in is None:
        if len(_stand_ins) >= 256:
            _stand_ins.clear()
        stand_in = _stand_ins[key] = np.broadcast_to(np.empty((), p.odt.np), p.shape)
    return stand_in


_stand_ins: dict[tuple, np.ndarray] = {}


def _as(x: Tensor, want: D.dtype) -> np.ndarray:
    v = raw(x)
    if type(v) is Pending:
        if v.keep:
            materialize(v)
        return _array_or_stand_in(v)  # not kept: the rules do not read it
    return v if x._dtype is want else v.astype(want.np)


def flush(t: Tensor) -> None:
    """Compute the pending values that read ``t`` before an in-place write changes it.

    Whichever thread deferred them (``t`` may be shared, a model's parameter), but only
    those: a chain that does not read ``t`` keeps its fusion, and another thread's chains
    compute as they would with no write here. An operand reads ``t`` if it shares ``t``'s
    version counter (a view) or may share its memory.
    """
    vc = t._vc
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


# ---- one kernel for a pending DAG ---------------------------------------------------------
_kernels: dict[tuple, tuple[Any, C.KernelSpec]] = {}


def materialize(p: Pending, reduce: str | None = None) -> np.ndarray | None:
    """Run ``p``'s pending chain as one kernel; with ``reduce`` ("sum"/"mean") also return
    the full reduction of ``p`` as a 1-element array (and store ``p`` only if observable).

    Under :data:`_LOCK`; a ``p`` another thread computed meanwhile is not computed again.
    """
    with _LOCK:
        if p.array is None:
            return _materialize(p, reduce)
        if reduce is None:
            return None
        from ..ops.reduce import _reduced  # (ops.reduce imports this module)

        arr = p.array  # computed already: reduce its stored value
        kernel = K.mean_fwd if reduce == "mean" else K.sum_fwd
        return _reduced(kernel, arr, tuple(range(arr.ndim)), False, arr.dtype)


def _materialize(p: Pending, reduce: str | None) -> np.ndarray | None:
    """:func:`materialize` of a ``p`` not computed yet (the lock held)."""
    nodes: list[Pending] = []
    index: dict[int, int] = {}
    _collect(p, p.shape, nodes, index)
    internal = _internal_refs(nodes)
    arrays: list[np.ndarray] = []
    slots: dict[int, int] = {}
    scalars: list[Any] = []
    key: list[Any] = []
    stored: list[int] = []
    for k, n in enumerate(nodes):
        sources = []
        for x, w, m in zip(n.args, n.wants, n.smask, strict=True):
            if m == "s":
                scalars.append(w.np.type(x))
                sources.append(("s", w.name))
                continue
            v = raw(x)
            if type(v) is Pending:
                sources.append(("m", index[id(v)], w.name))
                continue
            s = slots.get(id(v))
            if s is None:
                s = slots[id(v)] = len(arrays)
                arrays.append(v)
            sources.append(("a", s, w.name))
        _check_versions(n)
        if n is p:
            store = reduce is None or n.keep
        else:
            store = n.keep or _observable(n, internal.get(id(n), 0))
        if store:
            stored.append(k)
        key.append((n.op.name, n.cdt.name, n.odt.name, tuple(sources), store))
    outs = [memory.empty(nodes[k].shape, nodes[k].odt.np) for k in stored]
    acc = None
    if reduce is not None:
        acc = np.zeros(1, p.odt.np)
    views, ndim = iteration_views(p.shape, arrays + outs)
    parallel = p.size >= helpers.PARALLEL_THRESHOLD
    kkey = (
        tuple(key),
        tuple(a.dtype.name for a in arrays),
        ndim,
        parallel,
        reduce is not None,
    )
    entry = _kernels.get(kkey)
    if entry is None:
        entry = _kernels[kkey] = _build(nodes, kkey, len(arrays), stored, reduce is not None)
    kernel = entry[0]
    call = views[: len(arrays)] + scalars + views[len(arrays) :]
    if acc is not None:
        call.append(acc)
    if ndim == 2 or (ndim == 1 and p.size >= C.COMPACT_1D):
        kernel, call = C.for_call(kernel, call)
    kernel.fn(*call)
    LAUNCHES[0] += 1
    for k, arr in zip(stored, outs, strict=True):
        nodes[k].array = arr
        _release(nodes[k])
    if reduce is None:
        return None
    if reduce == "mean":
        acc /= p.size  # one element: glue
    return acc


def _internal_refs(nodes: list[Pending]) -> dict[int, int]:
    """id(Pending) -> how many args tuples inside the DAG reference its tensor."""
    internal: dict[int, int] = {}
    for n in nodes:
        for x, m in zip(n.args, n.smask, strict=True):
            if m == "t":
                v = raw(x)
                if type(v) is Pending:
                    internal[id(v)] = internal.get(id(v), 0) + 1
    return internal


def _observable(n: Pending, internal: int) -> bool:
    """Whether ``n``'s tensor is referenced from outside the DAG being computed (a user
    variable, a container, another pending chain): then its value must be stored."""
    t = n.ref()
    if t is None:
        return False
    # getrefcount's argument and the local ``t``, plus one per args tuple inside the DAG.
    return sys.getrefcount(t) - 2 > internal


def _release(n: Pending) -> None:
    """A computed Pending no longer needs its operands (they may be large arrays)."""
    n.args = ()
    _LIVE.discard(n)


def _collect(p: Pending, shape: tuple, nodes: list, index: dict) -> None:
    """Post-order the pending ops feeding ``p`` that share its shape (others run first)."""
    stack: list[tuple[Pending, bool]] = [(p, False)]
    while stack:
        n, expanded = stack.pop()
        if expanded:
            if id(n) not in index:
                index[id(n)] = len(nodes)
                nodes.append(n)
            continue
        if id(n) in index:
            continue
        stack.append((n, True))
        for x, m in zip(n.args, n.smask, strict=True):
            if m != "t":
                continue
            v = raw(x)
            if type(v) is not Pending or id(v) in index:
                continue
            if v.shape != shape:  # a broadcast operand: its own kernel, then read as an array
                materialize(v)
                continue
            stack.append((v, False))


def _check_versions(n: Pending) -> None:
    it = iter(n.versions)
    for x, m in zip(n.args, n.smask, strict=True):
        if m == "t":
            if x._vc[0] != next(it):
                raise RuntimeError(
                    "jitgrad: an input of a deferred elementwise computation was modified in "
                    "place before the result was computed; run with JITGRAD_LAZY=0 or read the "
                    "result before modifying its inputs"
                )


def _cast(expr: str, have: str, want: str) -> str:
    return expr if have == want else f"np.{want}({expr})"


def _build(nodes: list[Pending], kkey: tuple, n_arrays: int, stored: list[int], red: bool):
    """Render and compile the forward kernel for structural key ``kkey`` (cache miss only)."""
    from ..ops import expr as E
    from ..ops.pointwise import ROLES

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
                names[role] = _cast(f"v_{tags[src[1]]}", key[src[1]][2], src[2])
            else:
                names[role] = _cast(f"x{src[1]}_", array_dtypes[src[1]], src[2])
        expr = nodes[k].op.expr
        stmts.append((f"v_{tags[k]}", _cast(E.render(expr, names, cdt), cdt, odt)))
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


def reduce_full(t: Tensor, mean: bool) -> np.ndarray | None:
    """The full sum (or mean) of lazy ``t`` as the epilogue of its kernel (0-d array), or None."""
    if type(t) is not LazyTensor:
        return None
    p = _SLOT.__get__(t)
    if type(p) is np.ndarray or p.array is not None or not p.odt.is_floating_point:
        return None  # (an array: another thread computed it since the type check)
    acc = materialize(p, "mean" if mean else "sum")
    return acc.reshape(())


# pointwise imports this module at its top; bound last, when everything it calls here exists
from ..ops import pointwise as _pointwise  # noqa: E402
