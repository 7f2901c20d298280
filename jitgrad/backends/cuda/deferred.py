"""Forward fusion on the device: deferred elementwise results, and one CUDA kernel per chain.

The device twin of :mod:`jitgrad.frontend.lazy` / :mod:`jitgrad.frontend.pending`, sharing
their description: :func:`defer` returns a :class:`DeviceLazyTensor` whose ``_value`` slot
holds a :class:`DevicePending` (the op's plan and operands); reading ``_value`` runs the
pending chain through :func:`materialize`, which describes it with the CPU's own
:func:`jitgrad.fusion.chain_kernel.describe` (same structural key, same lowering, same
statements) and launches it as ONE grid-stride ``@cuda.jit`` kernel rendered by
:mod:`.render`. Which values the kernel stores is the CPU's rule: the one asked for, every
pending value a backward rule reads (``keep``), and every one whose tensor is still
referenced from outside the chain; dead temporaries stay registers. A full ``sum``/``mean``
of a deferred value is the chain kernel's ``REDUCE`` epilogue (:func:`reduce_full`); where a
backward may follow, the reduction itself is deferred (:class:`DevicePendingReduction`), so
``loss.backward()`` can run the chain's forward and backward as one kernel (:mod:`.joint`).

The walk over a chain (its ops in post order, distinct operands, structural key, which values
are stored, the version checks) is the CPU's own :func:`jitgrad.frontend.pending.chain`; only
the values and the launch are the device's. Why a class of its own and not the CPU's: those
hold numpy arrays and compile ``@njit`` kernels; here operands stay device arrays and nothing
compiles for the host. On the device
every size is deferred (a launch costs microseconds whatever its size, so the CPU's
``JITGRAD_LAZY_MIN_SIZE`` threshold does not apply); ``JITGRAD_LAZY=0`` and
``jitgrad.fusion(False)`` switch deferral off as on the CPU.

Backward: a deferred op's node is the device node class of its eager plan, with a
:class:`DeviceSaved` record that :func:`resolve` turns into the eager saved record when the
node first reads it (computing only kept values). In-place elementwise writes flush the
chains that read their target first (:func:`flush`), as :func:`jitgrad.frontend.lazy.flush`.
"""

from __future__ import annotations

import sys
import threading
import weakref
from typing import Any

from ...engine.fusion_mode import STATE as FUSE
from ...engine.grad_mode import STATE as GRAD
from ...frontend import checks as K
from ...frontend.deferred_node import deferred_node
from ...frontend.lazy import LazyTensor
from ...frontend.pending import MAX_CHAIN, LazySaved, chain
from ...frontend.pending import STATE as LAZY
from ...frontend.tensor import CUDA0, Tensor, _init_fields
from ...fusion import codegen as C
from ...fusion.chain_kernel import describe
from ...kernels.cuda import reduce as R
from ...ops.saved_record import SavedRecord, copy_record
from . import render, runtime

_SLOT = Tensor._value  # the base class's slot descriptor, shadowed by DeviceLazyTensor's
_LOCK = threading.RLock()
#: Device pendings not computed yet (weakly held), for :func:`flush`.
_LIVE: weakref.WeakSet = weakref.WeakSet()
#: structural key (as :mod:`jitgrad.frontend.pending` builds it) -> KernelSpec
_specs: dict[tuple, C.KernelSpec] = {}
#: Fused chain kernels launched (a debug counter the tests read).
LAUNCHES = [0]


def enabled() -> bool:
    """Whether device elementwise results are deferred now (see the module docstring)."""
    return FUSE.enabled and (LAZY.enabled or LAZY.min_size != sys.maxsize)


class DevicePending:
    """One deferred elementwise op on device operands."""

    __slots__ = (
        "plan",
        "op",
        "args",
        "values",
        "shape",
        "size",
        "count",
        "versions",
        "array",
        "keep",
        "ref",
        "node",
        "__weakref__",
    )

    def __init__(self, plan, args, values, shape, size, count, versions) -> None:
        self.plan = plan
        self.op = plan.op  # (what chain_kernel.describe reads)
        self.args = args
        self.values = values  # scalar operands converted; None for tensor operands
        self.shape = shape
        self.size = size
        self.count = count
        self.versions = versions
        self.array: Any = None
        self.keep = False
        self.ref: Any = None
        self.node: Any = None  # its backward node (explain names the kernel there)

    # what :func:`jitgrad.frontend.pending.chain` reads of a pending op: its plan's
    smask = property(lambda self: self.plan.smask)
    wants = property(lambda self: self.plan.wants)
    cdt = property(lambda self: self.plan.cdt)
    odt = property(lambda self: self.plan.odt)


class DeviceLazyTensor(Tensor):
    """A device Tensor whose value is pending; reading ``_value`` runs its chain's kernel."""

    __slots__ = ()

    @property
    def _value(self) -> Any:  # type: ignore[override]
        p = _SLOT.__get__(self)
        if type(p) is DevicePendingReduction:
            p.compute()
        elif type(p) is not DevicePending:  # another thread adopted the value meanwhile
            return p
        elif p.array is None:
            materialize(p)
        _SLOT.__set__(self, p.array)
        self.__class__ = Tensor
        return p.array

    @_value.setter
    def _value(self, value: Any) -> None:
        _SLOT.__set__(self, value)
        self.__class__ = Tensor

    # Metadata without computing: the CPU LazyTensor's accessors (they read the slot's
    # ``shape``/``size``, which a DevicePending has too).
    shape = LazyTensor.shape
    size = LazyTensor.size
    dim = LazyTensor.dim
    ndim = LazyTensor.ndim
    numel = LazyTensor.numel

    @property
    def device(self) -> Any:  # programs ask ``x.device`` mid-chain: no reason to compute
        return CUDA0

    @property
    def is_cuda(self) -> bool:
        return True


def pending(x: Any) -> DevicePending | None:
    """``x``'s pending value if ``x`` is a device tensor whose value is not computed yet."""
    if type(x) is DeviceLazyTensor:
        p = _SLOT.__get__(x)
        if type(p) is DevicePending and p.array is None:
            return p
    return None


#: the tensor classes whose slot holds the value (or its pending computation) as it is
_SLOT_KINDS = (Tensor, DeviceLazyTensor, LazyTensor)


def raw(x: Tensor) -> Any:
    """The slot's content: a device array, or a :class:`DevicePending` not computed yet (a
    device view's ``_value``: its copy gathered again if its base changed, see .aliasing)."""
    if type(x) not in _SLOT_KINDS:
        return x._value
    v = _SLOT.__get__(x)
    if type(v) is DevicePending and v.array is not None:
        return v.array
    if type(v) is DevicePendingReduction:  # one element: computed, never worth a chain
        return x._value
    return v


def defer(plan: Any, args: list, shape: tuple, token_shapes: Any) -> Tensor:
    """The deferred result of ``plan`` on device (or 0-d) tensor operands ``args``."""
    count = 1
    for x, m in zip(args, plan.smask, strict=True):
        if m == "t" and type(v := raw(x)) is DevicePending:
            count += v.count
    if count > MAX_CHAIN:  # compile time grows with the chain: run the operands first
        for x in args:
            if pending(x) is not None:
                x._value  # noqa: B018 - materializes
        count = 1
    values = []
    versions = []
    for x, w, m in zip(args, plan.wants, plan.smask, strict=True):
        if m == "t":
            values.append(None)
            versions.append(x._vc[0])
        else:
            v = plan.consts.get(x)
            values.append(K.scalar(plan, w, x) if v is None else v)
    size = 1
    for n in shape:
        size *= n
    args = tuple(args)  # one tuple for the pending and the saved tuple (see _observable)
    p = DevicePending(plan, args, values, shape, size, count, tuple(versions))
    t = DeviceLazyTensor.__new__(DeviceLazyTensor)
    _SLOT.__set__(t, p)
    _init_fields(t, plan.odt)
    p.ref = weakref.ref(t)
    _LIVE.add(p)
    if plan.records and GRAD.enabled:
        for x, m in zip(args, plan.smask, strict=True):
            if m == "t" and x._requires_grad:
                _record(t, p, args, token_shapes)
                break
    return t


class DeviceSaved(LazySaved):
    """A deferred device node's saved record (:mod:`jitgrad.ops.saved_record`'s fields, with
    the :class:`DevicePending` in ``out`` and None for tensor operands in ``values``). A
    LazySaved for ``explain`` (computes nothing); the CPU paths test the exact type, so
    they never take it for their own."""

    __slots__ = ()


def _record(t: DeviceLazyTensor, p: DevicePending, args: tuple, token_shapes: Any) -> None:
    plan = p.plan
    node = deferred_node(t, p, plan, args, raw, DevicePending)
    node._key = (plan.pid, token_shapes)
    node._saved = DeviceSaved(
        plan.op, plan.smask, args, tuple(p.values), plan.cdt, t._counter(), p.versions, p, 0
    )
    p.node = node


class StandIn:
    """A value no backward rule reads: its shape and dtype only (never passed to a kernel)."""

    __slots__ = ("shape", "dtype", "size", "ndim")

    def __init__(self, shape: tuple, dtype: Any) -> None:
        self.shape, self.dtype = shape, dtype
        self.size = 1
        for n in shape:
            self.size *= n
        self.ndim = len(shape)


def resolve(saved: DeviceSaved) -> SavedRecord:
    """The eager form of a deferred node's saved record (computes kept values as needed)."""
    smask, args, values, p = saved.smask, saved.args, saved.values, saved.out
    if p.array is None and p.keep:
        materialize(p)
    wants = p.plan.wants
    filled = tuple(
        _operand(x, w) if m == "t" else v
        for x, w, m, v in zip(args, wants, smask, values, strict=True)
    )
    out = p.array if p.array is not None else StandIn(p.shape, p.plan.odt.np)
    return copy_record(saved, values=filled, out=out)


def _operand(x: Tensor, want: Any) -> Any:
    v = raw(x)
    if type(v) is DevicePending:
        if v.keep:
            materialize(v)
            v = v.array
        else:
            return StandIn(v.shape, want.np)  # not read by the rules
    return v if x._dtype is want else runtime.cast(v, want.np)


# ---- one kernel for a pending DAG ---------------------------------------------------------


def materialize(p: DevicePending, reduce: str | None = None, count: int = 1) -> Any:
    """Run ``p``'s pending chain as one CUDA kernel; with ``reduce`` ("sum") also return the
    full sum of ``p`` as a 1-element device array (then ``p`` is stored only if observable),
    divided by ``count`` (a mean) as its per-block partial sums are added."""
    with _LOCK:
        if p.array is None:
            return _materialize(p, reduce, count)
    return None  # (computed meanwhile by another thread: a reducing caller reduces p.array)


def _materialize(p: DevicePending, reduce: str | None, count: int) -> Any:
    nodes, arrays, scalars, key, stored = chain(p, reduce, raw, DevicePending, _scalar, materialize)
    shape = p.shape
    nd = max(1, len(shape))
    kkey = (tuple(key), tuple(a.dtype.name for a in arrays), nd, False, reduce is not None)
    spec = _specs.get(kkey)
    if spec is None:
        spec = _specs[kkey] = describe(nodes, kkey, len(arrays), stored, reduce is not None)
    operands: dict[str, Any] = {}
    names = [name for name, _ in spec.inputs]
    operands.update(zip(names, arrays + scalars, strict=True))
    outs = [runtime.empty(shape, nodes[k].plan.odt.np) for k in stored]
    for (array, *_), out in zip(spec.outputs, outs, strict=False):
        operands[array] = out
    acc = None
    if reduce is not None:
        acc = operands["acc"] = runtime.zeros((1,), p.plan.odt.np)
    final = render.run(spec, shape, operands, count)
    LAUNCHES[0] += 1
    ran = None
    for n in nodes:
        if n.node is not None:  # explain shows the kernel a recorded chain ran
            ran = ran or (render.kernel_name(final), render.source(final))
            n.node._forward_kernel = ran
            n.node = None  # (the node holds p through its saved tuple: no cycle left)
    for k, arr in zip(stored, outs, strict=True):
        n = nodes[k]
        n.array = arr
        n.args = ()  # a computed value no longer needs its operands
        _LIVE.discard(n)
    return acc


def _scalar(n: DevicePending, i: int, x: Any, want: Any) -> Any:
    return n.values[i]  # converted when deferred


def reduce_full(t: Any, count: int = 1) -> Any:
    """The full sum of deferred ``t`` (over ``count``: a mean) as its chain kernel's
    epilogue (a 1-element device array), or None if ``t`` is not a pending floating-point
    device value."""
    p = pending(t)
    if p is None or not p.plan.odt.is_floating_point:
        return None
    return materialize(p, "sum", count)


class DevicePendingReduction:
    """A deferred full ``sum``/``mean`` of a pending device value (the device's
    :class:`~jitgrad.frontend.pending.PendingReduction`): read, it runs the chain's kernel
    with the sum as its epilogue; when ``backward()`` starts from it first, the chain's
    forward and backward run as one kernel (:class:`.fused_backward.DeviceJointGroup`),
    which stores the loss here (:meth:`finish`)."""

    __slots__ = ("src", "mean", "odt", "array", "ref", "__weakref__")
    shape: tuple[int, ...] = ()
    size = 1

    def __init__(self, src: DevicePending, mean: bool) -> None:
        self.src = src
        self.mean = mean
        self.odt = src.plan.odt
        self.array: Any = None
        self.ref: Any = None

    def compute(self) -> None:
        with _LOCK:
            if self.array is None:
                count = self.src.size if self.mean else 1
                acc = materialize(self.src, "sum", count)
                if acc is None:  # the chain was computed meanwhile: sum its value
                    src = self.src.array
                    acc = R.reduce(runtime.contiguous(src), tuple(range(src.ndim)), "sum")
                    acc = scaled_sum(acc, count)
                self.array = acc.reshape(())

    def finish(self, loss: Any) -> None:
        """Store the loss a joint kernel computed (a 0-d device array, a mean divided)."""
        with _LOCK:
            if self.array is None:  # a thread that read it first keeps what it read
                self.array = loss


def scaled_sum(acc: Any, count: int) -> Any:
    """A full sum ``acc`` (one element) over ``count`` as a 0-d device array: the mean's
    division the CPU epilogue does (``acc / size``), as a one-thread kernel."""
    if count != 1:
        spec = C.KernelSpec(
            label="mean_of_sum",
            inputs=(("s", False), ("count", True)),
            stmts=(("r", "s_ / count"),),
            outputs=(("out", "r", C.STORE, acc.dtype.name),),
            ndim=1,
            comment=("out = s / count",),
        )
        out = runtime.empty((1,), acc.dtype)
        render.run(spec, (1,), {"s": acc.reshape(1), "count": acc.dtype.type(count), "out": out})
        acc = out
    return acc.reshape(())


def flush(t: Tensor) -> None:
    """Compute the pending device values that read ``t`` before an in-place write to it."""
    if not _LIVE:
        return
    vc = t._counter()
    for ref in list(_LIVE.data):
        p = ref()
        if p is None or p.array is not None or p.ref is None or p.ref() is None:
            continue
        for x, m in zip(p.args, p.plan.smask, strict=False):
            if m == "t" and x._vc is vc:
                materialize(p)
                break
