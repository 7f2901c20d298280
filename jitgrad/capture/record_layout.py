"""Layout ops as host calls: ``transpose``, ``permute``, ``t``, ``chunk``, ``split`` and
basic indexing (issue 16 section 1, the LSTM's and the transformer's next refusals).

Each of these moves elements and computes nothing, so any way of moving them gives eager's
bits. The trace works out, once, which input element each output element is (the op applied
to ``arange`` of the input's shape, in NumPy: every form taken is a view), and a replay
applies the same NumPy op to the input's arena values and copies the view into the output's
own contiguous slot (a strided copy: about twice as fast as gathering by index): a strided
view of the arena is not something a slot can be. The backward copies each incoming
gradient back through the same views of a zeroed input-sized buffer,
as eager's ``TransposeBackward0``/``SplitBackward0``/``SelectBackward0`` build theirs (zeros
where a piece got no gradient); a later gradient is added to an earlier one by a ``b_g`` row
over the whole buffer, as the engine adds eager's full-size gradients.

Outputs are copies in the arena, not views of their input, so both slots are marked views:
an in-place op on either (which eager would see through the other) is refused.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..frontend.tensor import Tensor
from .record import _out, reshaping, select, slot_of
from .record import unbind as record_unbind
from .record_embedding import int_view
from .record_host import _into
from .tape import Slot, Unsupported


def _maps_for(op: str, ar: np.ndarray, shapes: list, args: tuple, kw: dict) -> list:
    """For each output (of shape ``shapes``), the op applied to ``ar`` in NumPy: given
    ``arange``, the flat input index of each element; given the input's values, views of
    them (every form below is a view: basic indexing, transposes, splits)."""
    if op == "transpose":
        d0, d1 = (*args, kw.get("dim0"), kw.get("dim1"))[:2] if args else (kw["dim0"], kw["dim1"])
        return [np.swapaxes(ar, d0, d1)]
    if op == "reshape":  # of strided data: a copy in the logical order (the slot's order)
        return [ar.reshape(shapes[0])]
    if op in ("t", "named"):
        return [ar.T if op == "t" else ar]
    if op == "permute":
        dims = args[0] if len(args) == 1 and not isinstance(args[0], int) else args
        return [np.transpose(ar, tuple(kw.get("dims", dims)))]
    if op == "unbind":
        dim = args[0] if args else kw.get("dim", 0)
        return [ar[(slice(None),) * (dim % ar.ndim) + (i,)] for i in range(ar.shape[dim])]
    if op in ("chunk", "split"):
        dim = args[1] if len(args) > 1 else kw.get("dim", 0)
        sizes = [shape[dim] for shape in shapes]
        return np.split(ar, np.cumsum(sizes)[:-1], axis=dim)
    index = args[0]  # __getitem__: ints, slices, None and ... (NumPy's basic indexing)
    parts = index if type(index) is tuple else (index,)
    if not all(p is None or p is Ellipsis or type(p) in (int, slice) for p in parts):
        raise Unsupported("indexing with tensors, lists or booleans")
    if Ellipsis not in parts:  # (so that ints on every dimension give a 0-d view, not a copy)
        parts = (*parts, Ellipsis)
    return [ar[parts]]


def layout(op: str):
    """The handler of one layout op (see the module docstring)."""

    def handler(rec: Any, out: Any, a: Any, *args: Any, **kw: Any) -> Any:
        sa = slot_of(rec, a)
        outs = list(out) if isinstance(out, tuple | list) else [out]
        if not outs or not all(isinstance(o, Tensor) for o in outs):
            raise Unsupported(f"{op} with no tensor result")
        shapes = [o._value.shape for o in outs]
        ar = np.arange(sa.n).reshape(sa.shape)
        maps = _maps_for(op, ar, shapes, args, kw)
        if [m.shape for m in maps] != shapes:
            raise Unsupported(f"{op} whose result is not NumPy's for these arguments")
        if not all(np.shares_memory(m, ar) for m in maps if m.size):
            raise Unsupported(f"{op} that NumPy does not give as a view")
        slots = [_out(rec, o) for o in outs]

        def views(arena: np.ndarray, s: Slot) -> list:
            return _maps_for(op, arena[s.off : s.off + sa.n].reshape(sa.shape), shapes, args, kw)

        def forward(arena: np.ndarray, call_args: tuple) -> None:
            for s, v in zip(slots, views(arena, sa), strict=True):
                np.copyto(arena[s.off : s.off + s.n].reshape(v.shape), v)

        rec.tape.host(forward)
        sa.view = True
        for s in slots:
            s.view = True
        _nodes(rec, outs, sa, slots, views)

    return handler


def _nodes(rec: Any, outs: list, sa: Slot, slots: list, views: Any) -> None:
    """One tape node per eager node (a split's pieces share one, ``output_nr`` apart)."""
    groups: dict[int, list] = {}
    for i, (o, s) in enumerate(zip(outs, slots, strict=True)):
        if o.grad_fn is not None:
            groups.setdefault(id(o.grad_fn), []).append((o, s, i))
    for members in groups.values():
        fn = members[0][0].grad_fn
        if [o._output_nr for o, _, _ in members] != list(range(len(members))):
            raise Unsupported(f"{fn.name()} with outputs the trace did not see")
        node = rec.tape.node("host", [sa], [s for _, s, _ in members])
        node.host = _scatter(fn.name(), sa, [(i, s.n) for _, s, i in members], views)
        rec.nodes_by_fn[id(fn)] = node
        rec.keep.append(fn)


def _scatter(name: str, sa: Slot, picks: list, views: Any) -> Any:
    """The backward: a zeroed input-sized buffer, each output's gradient copied into the
    view its elements came from (``picks``: which output, its size); added to an earlier
    gradient by a ``b_g`` row."""

    def backward(tape: Any, node: Any, gs: Any, target: Any) -> None:
        gs = gs if isinstance(gs, list) else [gs]
        if all(g is None for g in gs):
            raise Unsupported(f"no gradient reached {name}")
        if not sa.rg:
            return
        into, dst, acc = _into(tape, sa, target)
        puts = [(g, i, n) for g, (i, n) in zip(gs, picks, strict=True) if g is not None and n]

        def grad(arena: np.ndarray, args: tuple) -> None:
            arena[into.off : into.off + sa.n] = 0
            parts = views(arena, into)
            for g, i, n in puts:
                np.copyto(parts[i], arena[g : g + n].reshape(parts[i].shape))

        tape.host(grad)
        if acc:
            tape.row("b_g", dst, into.off, n=sa.n, acc=1)

    return backward


def unbind(rec: Any, out: Any, a: Any, dim: Any = 0) -> Any:
    """``unbind`` of a vector keeps its aliasing slots (:func:`.record.unbind`); of more
    dimensions it is a gather."""
    if isinstance(a, Tensor) and a._value.ndim == 1:
        return record_unbind(rec, out, a, dim)
    return layout("unbind")(rec, out, a, dim)


def named(rec: Any, out: Any, name: Any, value: Any, dtype: Any, inputs: Any, *rest: Any,
          **kw: Any) -> None:  # fmt: skip
    """``record(name, ...)`` of a pass-through node that only renames the graph (the LSTM's
    ``MkldnnRnnLayerBackward0``, :func:`jitgrad.nn.rnn._named_as_mkldnn`): a copy whose
    backward passes the gradient on."""
    if name not in PASS_THROUGH or len(inputs) != 1:
        raise Unsupported(f"a node recorded by name ({name})")
    layout("named")(rec, out, inputs[0])


def reshape(rec: Any, out: Any, a: Any, *args: Any, **kw: Any) -> Any:
    """``reshape``/``flatten`` of contiguous data keeps the aliasing slot
    (:func:`.record.reshaping`); of strided data (eager copies) it is a gather; of integer
    indices, a note (:func:`.record_embedding.int_view`)."""
    if int_view(rec, out, a):
        return None
    if isinstance(out, Tensor) and isinstance(a, Tensor) and not (
            np.shares_memory(out._value, a._value) and a._value.flags.c_contiguous):  # fmt: skip
        return layout("reshape")(rec, out, a)
    return reshaping("view")(rec, out, a, *args, **kw)


def getitem(rec: Any, out: Any, a: Any, index: Any) -> None:
    """``x[i]`` of a vector keeps its aliasing slot (:func:`.record.select`); any other basic
    index is a gather."""
    if type(index) is int and isinstance(a, Tensor) and a._value.ndim == 1:
        return select(rec, out, a, index)
    return layout("getitem")(rec, out, a, index)


#: node names whose ``record`` call :func:`named` takes: value and gradient passed through
PASS_THROUGH = frozenset({"MkldnnRnnLayerBackward0"})
#: ``Tensor`` methods recorded here (after record_pointwise's own, which these replace)
METHODS: dict[str, Any] = {
    "transpose": layout("transpose"), "swapaxes": layout("transpose"),
    "swapdims": layout("transpose"), "t": layout("t"), "permute": layout("permute"),
    "chunk": layout("chunk"), "split": layout("split"), "__getitem__": getitem,
    "unbind": unbind, "reshape": reshape, "flatten": reshape, "view": reshape,
}  # fmt: skip
#: ``jitgrad`` functions recorded here
FUNCTIONS: dict[str, Any] = {
    "transpose": layout("transpose"), "swapaxes": layout("transpose"),
    "t": layout("t"), "permute": layout("permute"), "chunk": layout("chunk"),
    "split": layout("split"), "unbind": unbind, "reshape": reshape, "flatten": reshape,
}  # fmt: skip
