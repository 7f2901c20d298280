"""What each interposed call records (the handlers :mod:`.trace` installs).

A handler gets the recorder, the eager result and the call's arguments. It checks that the
tape can replay the call exactly (dtypes, shapes, the node eager made), then appends the
forward rows and, when eager recorded a ``grad_fn``, a graph node for the backward. A call it
cannot replay raises :class:`Unsupported` with the reason; the trace then stops recording.
"""

from __future__ import annotations

from threading import get_ident
from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import STATE
from ..engine.sweep import ABOVE, _replayable
from ..frontend.lazy_order import epilogue_sum
from ..frontend.tensor import Tensor
from ..frontend.tensor_meta import marked
from ..fusion.codegen import REDUCE_BLOCK
from .optable import TABLE, WITH_NUMBER
from .row_sums import blocked_total
from .tape import Slot, Unsupported, tensor_key

_FLOATS = (D.float32, D.float64)
#: the trace in progress, innermost last (:mod:`.trace` pushes and pops it)
ACTIVE: list[Any] = []


def recording() -> Any:
    """The trace a call from here is recorded into: None outside a trace, inside an op's own
    implementation, after the trace stopped recording, or on another thread."""
    rec = ACTIVE[-1] if ACTIVE else None
    if rec is None or rec.depth or rec.failed is not None or rec.thread != get_ident():
        return None
    return rec


def slot_of(rec: Any, t: Any, counter: bool = False) -> Slot:
    """``t``'s slot: recorded before, or read from the caller's tensor at every run.
    ``counter``: an optimizer's one-element step count, which may be the other float dtype
    (Adam's is the default dtype, float32, beside float64 parameters): it holds whole numbers,
    exact in either dtype up to 2**24, and is converted as it is read and written back."""
    if not isinstance(t, Tensor):
        raise Unsupported(f"an operand of type {type(t).__name__}")
    s = rec.slots.get(id(t))
    if s is not None:
        return s
    made = rec.created.get(id(t))
    if t.grad_fn is not None or (made is not None and made() is t):
        raise Unsupported("a tensor computed by an op the trace did not see")
    if marked(t) or t._post_hooks:
        raise Unsupported("a tensor with hooks (or a marked view)")
    if not isinstance(t._value, np.ndarray):
        raise Unsupported("a tensor not on the CPU")
    if not (counter and rec.tape.dtype is not None and t._value.size == 1 and t._dtype in _FLOATS):
        _dtype(rec, t)
    tape = rec.tape
    n = t._value.size
    s = Slot(tape.alloc(n), n, t._value.shape, t._requires_grad)
    i = rec.args.get(id(t))
    ref = ("ext", t) if i is None else ("arg", i)
    tape.reads.append((s.off, n, ref, False))
    if i is None:
        rec.guards.append((t, tensor_key(t)))
    if t._requires_grad:
        s.leaf = id(t)
        goff = None
        if t._grad is not None:
            goff = tape.alloc(n)
            tape.reads.append((goff, n, ref, True))
        tape.grads[id(t)] = [ref, goff]
    s.ref = ref  # where it came from (an in-place change is written back there)
    rec.slots[id(t)] = s
    rec.keep.append(t)
    return s


def _dtype(rec: Any, t: Tensor) -> None:
    tape = rec.tape
    if tape.dtype is None:
        if t._dtype not in _FLOATS:
            raise Unsupported(f"dtype {t._dtype} (capture runs float32 and float64)")
        tape.dtype = t._dtype
    elif t._dtype is not tape.dtype:
        raise Unsupported(f"mixed dtypes {tape.dtype} and {t._dtype}")


def _out(rec: Any, t: Tensor, n: int | None = None, off: int | None = None) -> Slot:
    _dtype(rec, t)
    size = t._value.size if n is None else n
    s = Slot(rec.tape.alloc(size) if off is None else off, size, t._value.shape)
    rec.slots[id(t)] = s
    rec.keep.append(t)
    return s


def _number(x: Any) -> bool:
    return type(x) is float or type(x) is int


def _node(rec: Any, op: str, out: Tensor, inputs: list, outputs: list, consts: int = 0,
          reads: list | None = None) -> None:  # fmt: skip
    """A graph node, when eager made one (and it is the one the table expects)."""
    fn = out.grad_fn
    if fn is None:
        return
    if fn.name() != TABLE[op].node:
        raise Unsupported(f"eager recorded {fn.name()}, not {TABLE[op].node}")
    rec.nodes_by_fn[id(fn)] = rec.tape.node(op, inputs, outputs, consts, reads)
    rec.keep.append(fn)


def reduction(kind: str):
    """``x.sum()`` / ``x.mean()`` over every element, or over the last dimension (rows of
    the pairwise sum, as the reduction kernel sums a contiguous innermost dimension). A full
    sum of a deferred chain's result is that chain's kernel's blocked sum in eager (the
    slot's ``sums``); its row says so."""

    def handler(rec: Any, out: Any, a: Any, dim: Any = None, keepdim: Any = False,
                **kw: Any) -> None:  # fmt: skip
        sa = slot_of(rec, a)
        nd = len(sa.shape)
        if type(dim) in (tuple, list) and len(dim) == 1:
            dim = dim[0]
        if kw or type(keepdim) is not bool or not (dim is None or type(dim) is int and nd and
                                                   dim % nd == nd - 1):  # fmt: skip
            raise Unsupported(f"{kind} over dim={dim!r} (capture sums all or the last dim)")
        row = sa.n if dim is None else sa.shape[-1]
        if not isinstance(out, Tensor) or row == 0:
            raise Unsupported(f"an empty {kind}")
        s = _out(rec, out)
        aux = 0
        if dim is None and not keepdim and sa.sums is not False:
            aux = _epilogue(sa, a, out, kind)
        for r in range(s.n):
            rec.tape.row(kind, s.off + r, sa.off + r * row, n=row, aux=aux)
        _node(rec, kind if dim is None else f"{kind}_dim", out, [sa], [s])

    return handler


def _epilogue(sa: Slot, a: Tensor, out: Tensor, kind: str) -> int:
    """The block of a sum row of a deferred chain's result (see :func:`reduction`). The trace
    read that result (eager's sum then added it pairwise): its value is made eager's."""
    if sa.sums is None:
        raise Unsupported(f"a full {kind} of a chain whose kernel loops in 2-D (its running "
                          "sum is neither of the tape's orders)")  # fmt: skip
    v = out._value
    total = v.dtype.type(0) + v.dtype.type(blocked_total(a._value, REDUCE_BLOCK))
    v[...] = total / v.dtype.type(sa.n) if kind == "mean" else total
    return REDUCE_BLOCK


def _mse_order(rec: Any, a: Any, b: Any, *rest: Any, **kw: Any) -> None:
    """How eager's ``mse_loss`` will sum ``(a - b) ** 2`` (a deferred chain's blocks where
    that chain is deferred, else pairwise): asked of the same two ops, made unrecorded."""
    order = False
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.shape == b.shape:
        rec.depth += 1  # (not the user's ops: the wrapper records none of them)
        try:
            d = a.detach() - b.detach()
            order = epilogue_sum(d * d)
        finally:
            rec.depth -= 1
    if order is None:
        raise Unsupported("mse_loss whose kernel loops in 2-D (neither of the tape's orders)")
    rec.blocked = ((id(a), id(b)), order)


def mse_loss(rec: Any, out: Any, a: Any, b: Any, *rest: Any, reduction: str = "mean",
             **kw: Any) -> None:  # fmt: skip
    """``F.mse_loss`` of two same-shaped tensors, mean or sum: ``d = a - b``, ``d * d``,
    reduced (in eager's order: :func:`_mse_order`); the node's backward as eager computes it
    (:meth:`.tape.Tape._mse_backward`)."""
    sa, sb = slot_of(rec, a), slot_of(rec, b)
    if rest or kw or reduction not in ("mean", "sum") or sa.shape != sb.shape or not sa.n:
        raise Unsupported("mse_loss other than a mean or sum over same-shaped tensors")
    tape = rec.tape
    d, sq = tape.alloc(sa.n), tape.alloc(sa.n)
    tape.row("sub", d, sa.off, sb.off, n=sa.n)
    tape.row("mul", sq, d, d, n=sa.n)
    s = _out(rec, out)
    aux = REDUCE_BLOCK if getattr(rec, "blocked", None) == ((id(a), id(b)), True) else 0
    tape.row("mean" if reduction == "mean" else "sum", s.off, sq, n=sa.n, aux=aux)
    _node(rec, "mse_loss", out, [sa, sb], [s], 1 if reduction == "mean" else 0, [d, d])


mse_loss.pre = _mse_order  # type: ignore[attr-defined]
total = reduction("sum")
average = reduction("mean")


def softmax(rec: Any, out: Any, a: Any, dim: Any = None, dtype: Any = None, **kw: Any) -> None:
    sa = slot_of(rec, a)
    if len(sa.shape) != 1 or dim not in (0, -1) or dtype is not None or kw:
        raise Unsupported("softmax of more than one vector")
    s = _out(rec, out)
    rec.tape.row("softmax", s.off, sa.off, n=sa.n)
    _node(rec, "softmax", out, [sa], [s])


def stack(rec: Any, out: Any, tensors: Any, dim: Any = 0, **kw: Any) -> None:
    """``stack`` along dim 0 of same-shaped tensors: each copied after the one before."""
    slots = [slot_of(rec, t) for t in tensors]
    if kw or dim != 0 or not slots or any(s.shape != slots[0].shape for s in slots):
        raise Unsupported("stack other than along dim 0 of same-shaped tensors")
    s = _out(rec, out)
    for i, si in enumerate(slots):
        rec.tape.row("copy", s.off + i * si.n, si.off, n=si.n)
    _node(rec, "stack", out, slots, [s])


def unbind(rec: Any, out: Any, a: Any, dim: Any = 0) -> tuple:
    """Iteration and ``unbind(0)`` of a vector: views, so their slots alias its elements."""
    sa = slot_of(rec, a)
    parts = tuple(out)
    if len(sa.shape) != 1 or dim != 0:
        raise Unsupported("unbind of more than one vector")
    outs = [_out(rec, t, 1, sa.off + i) for i, t in enumerate(parts)]
    for o in outs:
        o.view = True
    sa.view = True
    if parts and parts[0].grad_fn is not None:
        fn = parts[0].grad_fn
        rec.nodes_by_fn[id(fn)] = rec.tape.node("unbind", [sa], outs)
        rec.keep.append(fn)
    return parts


def iterate(rec: Any, out: Any, a: Any) -> Any:
    """``iter(x)``: the iterator is drained to record its items, so a fresh one over them is
    returned whether or not they could be recorded."""
    parts = tuple(out)
    try:
        unbind(rec, parts, a)
    except Unsupported as e:
        rec.fail(f"Tensor.__iter__: {e}")
    return iter(parts)


def select(rec: Any, out: Any, a: Any, index: Any) -> None:
    sa = slot_of(rec, a)
    if type(index) is not int or len(sa.shape) != 1:
        raise Unsupported("indexing other than one element of a vector")
    s = _out(rec, out, 1, sa.off + index % sa.n)
    s.view = True
    if out.grad_fn is not None:
        _node(rec, "select", out, [sa], [s], index % sa.n)


def reshaping(op: str):
    """``view``/``reshape``/``flatten``/``unsqueeze`` of C-contiguous data: the result's slot
    aliases its input's (the same elements in the same order), its node passes the gradient
    through. Both slots are marked views, so an in-place op on either is refused."""

    def handler(rec: Any, out: Any, a: Any, *args: Any, **kw: Any) -> None:
        sa = slot_of(rec, a)
        if not isinstance(out, Tensor) or out._value.size != sa.n:
            raise Unsupported(f"{op} that is not a reshape")
        if not (np.shares_memory(out._value, a._value) and a._value.flags.c_contiguous
                and out._value.flags.c_contiguous):  # fmt: skip
            raise Unsupported(f"{op} of data that is not contiguous")
        s = _out(rec, out, sa.n, sa.off)
        s.view = sa.view = True
        _node(rec, op, out, [sa], [s], 0, [sa.off])

    return handler


def filled(name: str, value: float):
    """``zeros(...)``/``ones(...)`` made in the step (an RNN's initial state, an attention's
    bias): a slot filled by a row at each run, so that it is fresh as eager's is."""

    def handler(rec: Any, out: Any, *size: Any, **kw: Any) -> None:
        if not isinstance(out, Tensor) or out._requires_grad or kw.get("out") is not None:
            raise Unsupported(f"{name} that require grad or write out=")
        s = _out(rec, out)
        rec.tape.row("fill", s.off, n=s.n, c=rec.tape.const(value))

    return handler


zeros = filled("zeros", 0.0)
ones = filled("ones", 1.0)


def detach(rec: Any, out: Any, a: Any) -> None:
    sa = slot_of(rec, a)
    s = _out(rec, out, sa.n, sa.off)
    s.view = sa.view = True


def backward(rec: Any, out: Any, t: Any, gradient: Any = None, retain_graph: Any = None,
             create_graph: bool = False, inputs: Any = None) -> None:  # fmt: skip
    s = slot_of(rec, t)
    if gradient is not None or retain_graph or create_graph or inputs is not None or s.n != 1:
        raise Unsupported("backward() with arguments or from a non-scalar")
    groups = rec.__dict__.pop("groups", None)
    if groups is None:
        raise Unsupported("backward() of a graph the trace could not plan")
    rec.tape.backward(s, [[_mine(rec, fn) for fn in members] for members in groups])


def _mine(rec: Any, fn: Any) -> Any:
    node = rec.nodes_by_fn.get(id(fn))
    if node is None:
        raise Unsupported(f"a fused backward group holds {fn.name()}, which the trace did not see")
    return node


def _plan_groups(rec: Any, t: Any, *args: Any, **kwargs: Any) -> None:
    """Before ``backward()`` runs: the fusion groups the engine will form (members by their
    real nodes), so the replay adds each group's gradients as its kernel does."""
    if not isinstance(t, Tensor) or t.grad_fn is None:
        return
    if not _replayable(False):  # fusion off (or anomaly mode): every node alone
        rec.groups = []
        return
    root = t.grad_fn
    seen, stack = {root}, [root]
    while stack:
        for nxt, _ in stack.pop().next_functions:
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    planned = ABOVE.fusion_plan(seen, dict.fromkeys(seen, True), [root], (t,))
    if any(not hasattr(g, "edges") or hasattr(g, "root") for g in planned.values()):
        return  # a joint group (a deferred loss): not replayable here; backward says so
    rec.groups = [list(g.members) for g in planned.values()]


backward.pre = _plan_groups  # type: ignore[attr-defined]


def inplace(op: str):
    """``x -= y`` / ``x.sub_(y)`` and kin, outside the graph (an optimizer's update)."""

    def handler(rec: Any, out: Any, a: Any, b: Any = None, **kw: Any) -> None:
        if out is NotImplemented:
            return
        sa = slot_of(rec, a)
        if kw or (STATE.enabled and sa.rg) or sa.view:
            raise Unsupported("an in-place op on a tensor in the graph or a view")
        tape = rec.tape
        if op == "fill":
            tape.row("fill", sa.off, n=sa.n, c=tape.const(0.0))
        elif isinstance(b, Tensor):
            sb = slot_of(rec, b)
            if sb.shape != sa.shape:
                raise Unsupported("broadcasting in an in-place op")
            tape.row(op, sa.off, sa.off, sb.off, n=sa.n)
        elif _number(b):
            tape.row(WITH_NUMBER[op], sa.off, sa.off, n=sa.n, c=tape.const(tape.dtype.np.type(b)))
        else:
            raise Unsupported(f"an operand of type {type(b).__name__}")
        _written(rec, a, sa)

    return handler


def _written(rec: Any, t: Tensor, s: Slot) -> None:
    if s.ref is not None:  # the caller's tensor: written back after a run
        rec.written[id(t)] = (s.ref, s)


def output_spec(rec: Any, result: Any) -> tuple:
    """How to build the call's result from the arena after a run."""
    if result is None:
        return ("none",)
    if isinstance(result, Tensor):
        i = rec.args.get(id(result))
        if i is not None:
            return ("arg", i)
        s = rec.slots.get(id(result))
        if s is None:
            raise Unsupported("returns a tensor the trace did not see made")
        if s.ref is not None:  # a tensor from outside the call: the same object
            return ("ext", result)
        fn = result.grad_fn
        if fn is not None:
            node = rec.nodes_by_fn.get(id(fn))
            if node is None or not node.freed:
                raise Unsupported(
                    "returns a tensor whose graph outlives the call (backward() not called)"
                )
            # the loss of a training step: its value, and the trace's (freed) node, so that
            # a second backward() raises as eager's does
            return ("slot", s.off, result._value.shape, s.n, fn, result._output_nr)
        if result._requires_grad:
            raise Unsupported("returns a tensor that requires grad")
        return ("slot", s.off, result._value.shape, s.n, None, 0)
    if isinstance(result, tuple | list):
        kind = "tuple" if isinstance(result, tuple) else "list"
        return (kind, [output_spec(rec, r) for r in result])
    raise Unsupported(f"returns a {type(result).__name__}")
