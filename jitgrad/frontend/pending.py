"""Deferred elementwise values and the one kernel that computes a pending chain.

The bottom of forward fusion (:mod:`jitgrad.frontend.lazy` builds on it): a :class:`Pending`
is one deferred elementwise op (what :func:`jitgrad.frontend.pointwise.apply` would have
computed), a :class:`PendingReduction` a deferred full ``sum``/``mean`` of one, and
:func:`materialize` runs everything a pending value depends on as ONE generated kernel
(rendered by :mod:`jitgrad.fusion.chain_kernel`), storing the values still observable
afterwards. The module docstring of :mod:`jitgrad.frontend.lazy` says which values those are,
and how threads and in-place writes are handled.
"""

from __future__ import annotations

import sys
import threading
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from .. import helpers, memory
from ..fusion import codegen as C
from ..fusion.chain_kernel import build
from ..fusion.layout import iteration_views
from ..kernels.cpu import reduce as K
from ..kernels.cpu.reduce_call import reduce_array
from ..ops.saved_record import LazySaved, SavedRecord, copy_record
from .tensor import Tensor

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
    They are instance attributes, not class attributes: every elementwise op reads
    ``enabled`` and ``seen``, and CPython 3.11 specializes an instance attribute's read but
    not a class attribute's read through an instance (~150 instructions each).
    """

    _mode = helpers.getenv("JITGRAD_LAZY", 2)

    def __init__(self) -> None:
        mode = self._mode
        self.enabled = mode == 1
        self.min_size = (
            helpers.getenv("JITGRAD_LAZY_MIN_SIZE", 1 << 16) if mode == 2 else sys.maxsize
        )
        self.seen = False


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


def raw(x: Tensor) -> Any:
    """The slot's content: an array, or a :class:`Pending` not yet computed (a deferred
    reduction used as an operand is computed: it is one element, never worth a chain)."""
    v = _SLOT.__get__(x)
    if type(v) is Pending and v.array is not None:
        return v.array
    if type(v) is PendingReduction:
        return x._value
    if type(x) is not Tensor and type(v) is np.ndarray:  # a conj/neg view (.bit_views): its
        return x._value  # slot holds the stored values, the property the logical ones
    return v


def read_operands(op: Any, args: Sequence[Any], out_dtype: Any) -> tuple[tuple, list]:
    """An elementwise op's plan key (a tensor's signature is its dtype, ``(dtype, 0)`` when
    0-d, as pointwise's ``_signature`` gives it; a number's its type) and each operand's
    :func:`raw` slot (None for a number), each slot read once: deferral reads the shapes
    from the same slots (a signature call per operand and a second ``raw`` before)."""
    sig = [op, out_dtype]
    slots = []
    for x in args:
        if isinstance(x, Tensor):
            v = raw(x)
            sig.append(x._dtype if len(v.shape) else (x._dtype, 0))
        else:
            v = None
            sig.append(type(x))
        slots.append(v)
    return tuple(sig), slots


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
        arr = p.array  # computed already: reduce its stored value
        kernel = K.mean_fwd if reduce == "mean" else K.sum_fwd
        return reduce_array(kernel, arr, tuple(range(arr.ndim)), False, arr.dtype)


def _materialize(p: Pending, reduce: str | None) -> np.ndarray | None:
    """:func:`materialize` of a ``p`` not computed yet (the lock held)."""
    nodes, arrays, scalars, key, stored = chain(p, reduce, raw, Pending, _scalar, materialize)
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
        entry = _kernels[kkey] = build(nodes, kkey, len(arrays), stored, reduce is not None)
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


def _scalar(n: Pending, i: int, x: Any, want: D.dtype) -> Any:
    return want.np.type(x)


def chain(
    p: Any, reduce: str | None, raw: Any, kind: type, scalar: Any, materialize: Any
) -> tuple[list, list, list, list, list]:
    """The pending DAG feeding ``p`` as one kernel's operands, for either backend.

    ``raw(x)``: a tensor's slot content (an array, or a pending of type ``kind``);
    ``scalar(n, i, x, want)``: pending ``n``'s scalar operand ``i``; ``materialize(v)``
    computes a broadcast operand first. A pending has ``op``, ``args``, ``smask``, ``wants``,
    ``cdt``, ``odt``, ``shape``, ``versions``, ``keep`` and ``ref`` (:class:`Pending`; the
    device's :class:`~jitgrad.backends.cuda.deferred.DevicePending`). Returns the ops in
    post order, the distinct input arrays, the scalars, the structural key (one entry per op:
    its name, dtypes, sources and whether it is stored) and the positions of the stored ops:
    the one asked for (unless only its ``reduce`` is), those a backward reads (``keep``) and
    those still referenced from outside the DAG.
    """
    nodes: list = []
    index: dict[int, int] = {}
    _collect(p, nodes, index, raw, kind, materialize)
    internal = _internal_refs(nodes, raw, kind)
    arrays: list = []
    slots: dict[int, int] = {}
    scalars: list = []
    key: list = []
    stored: list[int] = []
    for k, n in enumerate(nodes):
        sources = []
        for i, (x, w, m) in enumerate(zip(n.args, n.wants, n.smask, strict=True)):
            if m == "s":
                scalars.append(scalar(n, i, x, w))
                sources.append(("s", w.name))
                continue
            v = raw(x)
            if type(v) is kind:
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
    return nodes, arrays, scalars, key, stored


def _internal_refs(nodes: list, raw: Any, kind: type) -> dict[int, int]:
    """id(pending) -> how many args tuples inside the DAG reference its tensor."""
    internal: dict[int, int] = {}
    for n in nodes:
        for x, m in zip(n.args, n.smask, strict=True):
            if m == "t":
                v = raw(x)
                if type(v) is kind:
                    internal[id(v)] = internal.get(id(v), 0) + 1
    return internal


def _observable(n: Any, internal: int) -> bool:
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


def _collect(p: Any, nodes: list, index: dict, raw: Any, kind: type, materialize: Any) -> None:
    """Post-order the pending ops feeding ``p`` that share its shape (others run first)."""
    shape = p.shape
    stack: list[tuple[Any, bool]] = [(p, False)]
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
            if type(v) is not kind or id(v) in index:
                continue
            if v.shape != shape:  # a broadcast operand: its own kernel, then read as an array
                materialize(v)
                continue
            stack.append((v, False))


def _check_versions(n: Any) -> None:
    it = iter(n.versions)
    for x, m in zip(n.args, n.smask, strict=True):
        if m == "t":
            if x._vc[0] != next(it):
                raise RuntimeError(
                    "jitgrad: an input of a deferred elementwise computation was modified in "
                    "place before the result was computed; run with JITGRAD_LAZY=0 or read the "
                    "result before modifying its inputs"
                )


def resolve(saved: LazySaved) -> SavedRecord:
    """The eager form of a lazily saved record (computes pending values as needed)."""
    args, wants, smask, p = saved.args, saved.values, saved.smask, saved.out
    if p.array is None and p.keep:  # one kernel computes every kept value of the chain
        materialize(p)
    values = tuple(
        (_as(x, w) if m == "t" else w.np.type(x))
        for x, w, m in zip(args, wants, smask, strict=True)
    )
    return copy_record(saved, values=values, out=_array_or_stand_in(p))


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
