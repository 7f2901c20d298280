"""The layout of a fused backward group: which saved values and gradient buffers its kernel
reads and writes, the structural key that names the kernel, and the launch.

:class:`GroupLayout` is built once per group and step (or kept by :mod:`.replay`): from the
members, their saved records and which gradients are needed it derives the key (ops, operand
masks, dtypes, which operand comes from which member, output modes, collapsed ndim), compiles
(or finds) the kernel for it through :func:`.backward_render.render`, and launches it on the
step's arrays. See :mod:`.backward` for the kernel's math.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from .. import helpers, memory
from ..ops import expr as E
from ..ops.edges import edge_indices
from ..ops.saved_record import ROLES
from . import codegen as C
from . import plain_entry
from .arguments import Namer, describe_arguments
from .backward_render import CHEAP
from .backward_render import RECOMPUTE as _RECOMPUTE
from .backward_render import render as _render
from .front import FRONT
from .layout import iteration_views

#: structural key -> (Kernel, spec)
_kernels: dict[tuple, tuple[Any, C.KernelSpec]] = {}


class GroupLayout:
    """What a group's kernel reads and writes, worked out once from the members' structure.

    Analysing a group walks every member's operands and rules (microseconds per member);
    :meth:`launch` then only gathers the saved arrays, lays out views and calls the kernel, so
    a training loop that replays the same graph (see :mod:`.replay`) pays the walk once.
    Threads replaying one program share its layouts: a launch returns what is its own (the
    buffers, the kernel it ran; the caller's loss array) and only publishes kernels.
    """

    __slots__ = (
        "names",
        "key",
        "gather",
        "scalar_gather",
        "aliases",
        "buffers",
        "allocs",
        "modes",
        "accumulates",
        "flat",
        "plain",
        "entry",
        "results",
        "kernels",
        "joint",
    )

    def __init__(
        self,
        members: list[Any],
        saved: list,
        gdtype: np.dtype,
        needed: Any,
        joint: bool = False,
    ) -> None:
        # joint: nothing of the chain was computed; every member's value is recomputed from
        # the inputs and the root's value is also summed (the loss).
        self.joint = joint
        self.gather: list[tuple[int, int]] = []  # slot 1.. -> (member, operand or -1 for out)
        self.scalar_gather: list[tuple[int, int]] = []
        self.aliases: list[tuple[int, int, int, int]] = []
        walk = _Walk(self, members, saved, needed, joint)
        key: list[Any] = [_dtype_name(gdtype)]
        for k, (m, member_saved) in enumerate(zip(members, saved, strict=True)):
            key.append(walk.member(k, m, member_saved))
        self.names = [m.name() for m in members]
        self.key = tuple(key)
        shape = saved[0].out.shape
        self._lay_out_buffers(walk.buf_meta, shape, saved[0].out.size)
        #: every array the kernel iterates over has the root's shape, of at most one
        #: dimension: they serve the loop as they are (shapes are part of the structure
        #: this layout serves; strides are not, and do not matter to a 1-D loop)
        full_shapes = [
            (saved[k].out if i < 0 else saved[k].values[i]).shape for k, i in self.gather
        ]
        full_shapes += [b[0] for b in self.buffers if b[2] != C.REDUCE]
        self.flat = len(shape) < 2 and all(s == shape for s in full_shapes)
        #: the kernel, once known, of a flat layout whose buffers are all stored (no
        #: accumulation or reduction, not joint, no operand read at [0]): launched on the
        #: arrays as they are, with nothing to view, refine or look up
        self.plain: tuple[Any, C.KernelSpec] | None = None
        self.entry: tuple | bool | None = None  # its entry point on 0-d (.plain_entry)
        self.results = _results(members, saved, walk.index, walk.targets)
        self.kernels: dict[tuple, tuple[Any, C.KernelSpec]] = {}

    def _lay_out_buffers(self, buf_meta: list, shape: tuple, size: int) -> None:
        """Each gradient buffer's mode (stored, accumulated through a broadcast view, or
        reduced to one element) and how it is allocated."""
        # (shape, numpy dtype, mode before refinement, jitgrad dtype)
        self.buffers: list = []
        for bshape, dt in buf_meta:
            if bshape == shape:
                mode = C.STORE
            elif size > 1 and math.prod(bshape) == 1:
                mode = C.REDUCE
            else:
                mode = C.ACCUMULATE
            self.buffers.append((bshape, dt.np, mode, dt))
        # How each buffer is allocated: small ones by numpy directly (the pool's threshold
        # is known now), stored ones uninitialized, the others zeroed.
        self.allocs: list = []
        for bshape, npdt, mode, _dt in self.buffers:
            pooled = math.prod(bshape) >= memory.min_pooled_size(npdt)
            if mode == C.STORE:
                alloc = memory.empty if pooled else np.empty
            else:
                alloc = memory.zeros if pooled else np.zeros
            self.allocs.append((bshape, npdt, alloc))
        self.modes = [b[2] for b in self.buffers]
        #: whether a buffer accumulates through a broadcast view (its mode is refined per
        #: launch, and it may rule out a parallel loop)
        self.accumulates = C.ACCUMULATE in self.modes

    def applies_to(self, saved: list) -> bool:
        """Whether another graph's members of the same structure share arrays as analysed
        (an operand passed once for two members must still be one array)."""
        for k, i, k0, i0 in self.aliases:
            a = saved[k].out if i < 0 else saved[k].values[i]
            if a is not (saved[k0].out if i0 < 0 else saved[k0].values[i0]):
                return False
        return True

    def launch(
        self, saved: list, garr: np.ndarray, compile_only: bool = False, loss: Any = None
    ) -> tuple[list, tuple]:
        """Run the kernel on the members' saved values: one gradient per edge leaving the
        group, and the ``(kernel, spec)`` it ran (``(None, None)``: nothing to run).
        ``saved``: the members' saved records in member order, of the structure this layout
        was analysed from. A joint layout adds the loss into ``loss`` (a 1-element array of
        the root's dtype)."""
        grads, ran = self.launch_buffers(saved, garr, compile_only, loss)
        if compile_only:
            return [], ran
        return [None if b is None else grads[b] for b in self.results], ran

    def launch_buffers(
        self, saved: list, garr: np.ndarray, compile_only: bool = False, loss: Any = None
    ) -> tuple[list, tuple]:
        """:meth:`launch`, with one gradient per buffer (``results`` says which edge each
        one goes to); the replay routes them with no per-edge list."""
        # loops, not comprehensions (a call each): a scalar graph replays small groups often
        arrays = [garr]
        for k, i in self.gather:
            arrays.append(saved[k].out if i < 0 else saved[k].values[i])
        buffers = []
        for bshape, npdt, alloc in self.allocs:
            buffers.append(alloc(bshape, npdt))
        plain = self.plain
        if plain is not None and not compile_only:
            if self.scalar_gather:
                arrays += [saved[k].values[i] for k, i in self.scalar_gather]
            plain_entry.call(self, plain[0], arrays, buffers)
            return self._tensors(buffers), plain
        out = saved[0].out
        if self.joint and loss is None:  # compile_only (explain): nothing is summed
            loss = np.zeros(1, out.dtype)
        ran: tuple = (None, None)
        if out.size:
            kernel, call, modes = self._prepared(saved, garr, arrays, buffers, loss)
            ran = (kernel, kernel.spec)
            if self.flat and not (self.joint or kernel.spec.compact) and set(modes) == {C.STORE}:
                self.plain = ran
            if compile_only:
                return [], ran
            kernel.fn(*call)
        elif compile_only:
            return [], ran
        return self._tensors(buffers), ran

    def _prepared(
        self, saved: list, garr: np.ndarray, arrays: list, buffers: list, loss: Any
    ) -> tuple[Any, list, list]:
        """The kernel for this launch's views (compiled or found) and its arguments, with the
        buffers' modes as refined for these views."""
        out = saved[0].out
        modes = self.modes
        full = [b for b, mode in zip(buffers, modes, strict=True) if mode != C.REDUCE]
        if self.flat:
            views, ndim = arrays + full, len(out.shape)
        else:
            views, ndim = iteration_views(out.shape, arrays + full)
        parallel_safe = True
        if self.accumulates:
            modes, parallel_safe = C.refine_accumulation(modes, views[len(arrays) :])
        parallel = out.size >= helpers.PARALLEL_THRESHOLD and parallel_safe
        lkey = (tuple(modes), ndim, parallel)
        entry = self.kernels.get(lkey)
        if entry is None:
            entry = self.kernels[lkey] = self._kernel(saved, lkey, len(arrays))
        call: list[Any] = views[: len(arrays)]
        if self.joint:
            call[0] = garr.reshape(-1)[0]
        if self.scalar_gather:
            call += [saved[k].values[i] for k, i in self.scalar_gather]
        if len(full) == len(buffers):  # no reduced buffer: the views in buffer order
            call += views[len(arrays) :]
        else:
            vit = iter(views[len(arrays) :])
            for b, mode in zip(buffers, modes, strict=True):
                call.append(b.reshape(-1) if mode == C.REDUCE else next(vit))
        if self.joint:
            call.append(loss)
        kernel = entry[0]
        if ndim == 2 or (ndim == 1 and out.size >= C.COMPACT_1D):
            kernel, call = C.for_call(kernel, call)
        return kernel, call, modes

    def _tensors(self, buffers: list[np.ndarray]) -> list:
        """The gradient buffers as Tensors of their dtypes (nobody else holds them)."""
        make = FRONT.make
        out = []
        for b, meta in zip(buffers, self.buffers):  # (no keyword: ~1k instructions less)
            out.append(make(b, meta[3], None, True))  # (fresh, positional: cheaper)
        return out

    def _kernel(self, saved: list, lkey: tuple, n_arrays: int) -> tuple[Any, C.KernelSpec]:
        kkey = self.key + (*lkey, n_arrays, self.joint)
        entry = _kernels.get(kkey)
        if entry is None:
            spec = _render(self.names, saved, kkey, len(saved))
            entry = _kernels[kkey] = (C.get_kernel(spec), spec)
        return entry


class _Walk:
    """The one walk over a group's members that :class:`GroupLayout` makes: each member's part
    of the structural key, the argument slots of the arrays the kernel reads (the layout's
    ``gather``, ``scalar_gather`` and ``aliases``), the gradient buffers it writes and which
    members' forward values it recomputes."""

    __slots__ = ("layout", "index", "needed", "remat", "wanted", "slots", "targets", "buf_meta")

    def __init__(
        self, layout: GroupLayout, members: list, saved: list, needed: Any, joint: bool
    ) -> None:
        self.layout = layout
        self.index = {id(m): k for k, m in enumerate(members)}
        self.needed = needed
        self.remat = [True] * len(saved) if joint else [_recomputable(s) for s in saved]
        # Which members' forward values the kernel recomputes: those the rules read (``out``,
        # or an operand a recomputed member produces), recursively through what recomputing
        # them reads; a joint kernel's root's (the loss). Members come root first, so each
        # member's consumers, and whether they want its value, are known when it is reached.
        self.wanted = [joint] + [False] * (len(members) - 1)
        self.slots: dict[int, int] = {}  # id(array) -> argument slot (0: the incoming gradient)
        self.targets: dict[tuple, int] = {}  # (id(node), nr, shape, dtype) -> buffer index
        self.buf_meta: list = []  # (shape, jitgrad dtype)

    def slot(self, arr: np.ndarray, k: int, i: int) -> int:
        layout = self.layout
        s = self.slots.get(id(arr))
        if s is None:
            s = self.slots[id(arr)] = len(layout.gather) + 1
            layout.gather.append((k, i))
        else:  # the same array as an earlier operand: passed once, read twice
            layout.aliases.append((k, i, *layout.gather[s - 1]))
        return s

    def member(self, k: int, m: Any, saved: Any) -> tuple:
        """Member ``k``'s part of the key: where each operand comes from, where each gradient
        goes, and how the rules read the forward value."""
        op, smask, args, values, cdt, out = (
            saved.op, saved.smask, saved.args, saved.values, saved.cdt, saved.out
        )
        edge_at = dict(zip(edge_indices(op, smask), zip(m._next, m._nrs), strict=True))
        grads, reads = _needed_grads(op, smask, args, edge_at, self.needed, self.index)
        cheap = self.remat[k]
        if cheap and "out" in reads:
            self.wanted[k] = True
        reads_all = reads | _free_names(op.expr) if self.wanted[k] else reads
        sources: list = []
        dests: list[tuple | None] = []
        for i, x in enumerate(args):
            read = ROLES[i] in reads_all  # else not passed (a number either)
            if smask[i] == "s":
                if read:
                    self.layout.scalar_gather.append((k, i))
                sources.append(("s",) if read else ("-",))
                dests.append(None)
                continue
            e = edge_at.get(i)
            sources.append(self._source(k, i, x, values[i], e) if read else ("-",))
            dests.append(self._dest(x, values[i], e) if i in grads else None)
        out_slot = -1  # the rules do not read out
        if "out" in reads:
            out_slot = _RECOMPUTE if cheap else self.slot(out, k, -1)
        return (op.name, smask, cdt.name, _dtype_name(out.dtype), (*sources,), (*dests,), out_slot)

    def _source(self, k: int, i: int, x: Any, value: np.ndarray, e: tuple | None) -> tuple:
        """Where operand ``i`` of member ``k`` is read from: recomputed by a member, or an
        argument slot (with the member that produced it, -1 for none)."""
        producer = _producer(x, e, self.index)
        if producer is not None and self.remat[producer]:
            self.wanted[producer] = True
            return ("m", producer)
        return ("a", self.slot(value, k, i), -1 if producer is None else producer)

    def _dest(self, x: Any, value: np.ndarray, e: tuple) -> tuple:
        """Where the gradient of operand ``x`` goes: to a member, or a buffer (one per edge
        target, shape and dtype)."""
        if id(e[0]) in self.index:
            return ("int", self.index[id(e[0])], x._dtype.name)
        tkey = (id(e[0]), e[1], value.shape, x._dtype)
        b = self.targets.get(tkey)
        if b is None:
            b = self.targets[tkey] = len(self.buf_meta)
            self.buf_meta.append((value.shape, x._dtype))
        return ("ext", b, x._dtype.name)


def _results(members: list, saved: list, index: dict, targets: dict) -> list[int | None]:
    """The buffer of each edge leaving the group (None: no gradient), in edge order; a target
    reached twice gets its buffer once."""
    results: list[int | None] = []
    given: set[int] = set()
    for m, rec in zip(members, saved, strict=True):
        op, smask, args, values = rec.op, rec.smask, rec.args, rec.values
        for i, e in zip(edge_indices(op, smask), zip(m._next, m._nrs), strict=True):
            if e[0] is not None and id(e[0]) in index:
                continue
            b = None
            if e[0] is not None and smask[i] == "t":
                b = targets.get((id(e[0]), e[1], values[i].shape, args[i]._dtype))
                if b is not None and b not in given:
                    given.add(b)
                else:
                    b = None
            results.append(b)
    return results


def _log_arguments(layout: GroupLayout, ran: tuple, members: list, saved: list, root: Any):
    """``JITGRAD_DEBUG=2``: who a kernel's arguments are, at its first launch (the source's
    names are structural: see :mod:`.arguments`)."""
    kernel, spec = ran
    if kernel is None or kernel.calls > 1:
        return
    rows = describe_arguments(layout, spec, members, saved, root, Namer(None))
    who = "".join(f"\n    {name}: {what}" for name, what in rows)
    helpers.debug_print(2, f"arguments of {kernel.name}:{who}")


def _producer(x: Any, edge: tuple | None, index: dict[int, int]) -> int | None:
    """The member producing operand ``x`` (its forward value can be recomputed), or None."""
    if edge is None or edge[0] is None or x.grad_fn is not edge[0] or x._output_nr != 0:
        return None
    return index.get(id(edge[0]))


def _needed_grads(op, smask, args, edge_at, needed, index) -> tuple[set[int], set[str]]:
    """Which operands' gradients a member computes, and the names those rules read."""
    grads: set[int] = set()
    reads: set[str] = set()
    for i, x in enumerate(args):
        rule = op.grads[i]
        e = edge_at.get(i)
        if rule is None or smask[i] != "t" or not x._requires_grad or e is None:
            continue
        if e[0] is None or not (id(e[0]) in index or needed.get(e[0])):
            continue
        grads.add(i)
        reads |= _free_names(rule)
    return grads, reads


def _recomputable(rec: Any) -> bool:
    """A cheap op whose operands still hold their forward values (no in-place change since)."""
    if rec.op.name not in CHEAP or not rec.saves_operands:
        return False
    it = iter(rec.versions)
    return all(
        x._vc[0] == next(it) for x, m in zip(rec.args, rec.smask, strict=True) if m == "t"
    )


_free_names = functools.cache(E.free_names)
_dtype_names: dict[np.dtype, str] = {}


def _dtype_name(dt: np.dtype) -> str:
    name = _dtype_names.get(dt)
    if name is None:
        name = _dtype_names[dt] = dt.name
    return name
