"""A frozen captured step and its replay: the interpreter's rows, split at host calls.

:class:`Program` is what :meth:`.tape.Tape.freeze` makes of a trace: the instruction rows
(:mod:`.interp`), the constants, the arena, and which arena ranges are read from the
caller's tensors before a run and written back after it. A step whose ops all have tape rows
runs as one call of the interpreter. A step with host calls (:mod:`.record_host`: BLAS
products and the loss kernels, called exactly as eager calls them, on views of the arena)
runs as segments: the rows before the first host call in one interpreter call, the host
call, the next rows, and so on.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np

from ..frontend.tensor import _make
from . import build, direct, interp, tile


class Program:
    """A finished tape: arrays for the interpreter and the copies around a run."""

    def __init__(self, tape: Any, outputs: Any, writes: list, grads: list) -> None:
        self.dtype = tape.dtype
        self.ins = np.frombuffer(tape.rows, np.int32).reshape(-1, interp.WIDTH).copy()
        self.consts = np.array(tape.consts + [0.0], np.float64)  # see interp's docstring
        self.arena = np.zeros(max(tape.size, 1), tape.dtype.np)
        self.lock = threading.Lock()
        self.reads = tape.reads
        self.outputs = outputs  # ("none",) | ("slot", ...) | ("arg", i) | ("ext", t) | list
        self.writes = writes  # (source, off, n): tensors the step changed in place
        self.grads = grads  # (leaf ref, off or None): each leaf's .grad after the step
        self.ops, self.rows = len(tape.nodes), len(self.ins)
        #: what a run does in order: row segments (each an ``ins`` array) and host calls;
        #: elementwise rows over large operands run in blocks (:mod:`.tile`)
        ins, hosts, (self.groups, fused), size, self.consts = tile.tiled(self, tape.hosts)
        if size > self.arena.size:
            self.arena = np.zeros(size, tape.dtype.np)
        self.steps = segments(ins, hosts)
        self.hosts = len(hosts) - len(fused)  # (a fused group runs as a host call)
        #: inputs a fused group reads and gradients it writes in the caller's tensors
        #: (:mod:`.direct`): not copied in or out
        skip, done = direct.bind(self, ins, fused, bool(tape.hosts))
        self.copy_in = [r for i, r in enumerate(self.reads) if i not in skip]
        self.copy_out = [g for j, g in enumerate(self.grads) if j not in done]
        self.direct_inputs = [direct.tensor(self.reads[i][2]) for i in skip]
        self.direct_grads = [direct.tensor(self.grads[j][0]) for j in done]
        #: :meth:`_copies` for :attr:`arena`, made by the first run
        self.copies: tuple[list, list, list] | None = None
        #: constants written afresh before each run (:attr:`.tape.Tape.live`)
        self.live = [write for write, _ in tape.live]
        self.live_guards = tape.live
        for cell in tape.cells:
            cell.append(self)
        #: the op codes a loop running it needs (:func:`.interp.codeset`: its codes' families)
        self.codes = interp.codeset(np.unique(ins[:, 0]).tolist())
        #: the interpreter (:meth:`runnable`) or a straight-line kernel
        self.kernel: Any = None
        self.tier = "run by the tape interpreter"
        if self.hosts:
            self.tier += (
                f" in {sum(type(s) is np.ndarray for s in self.steps)} segment(s) around "
                f"{self.hosts} host call(s)"
            )
        if self.groups:
            self.tier += (f"; {self.groups} group(s) of elementwise rows over >= {tile.MIN_N} "
                          f"elements, {len(fused)} fused into one generated loop each, "
                          f"{self.groups - len(fused)} run in blocks of {tile.BLOCK}")  # fmt: skip

    def runnable(self) -> bool:
        """Whether a replay can run now (:func:`.build.ready`: else the caller runs eagerly)."""
        self.kernel = self.kernel or build.ready(self.arena.dtype.name, self.codes)
        return self.kernel is not None

    def run(self, args: tuple) -> Any:
        """One replay. Two threads replaying at once: the second gets an arena of its own."""
        if not self.lock.acquire(False):  # (positional: a keyword costs ~0.1 us)
            arena = np.zeros_like(self.arena)
            return self._run(args, arena, self._copies(args, arena))
        try:
            copies = self.copies
            if copies is None:
                copies = self.copies = self._copies(args, self.arena)
            return self._run(args, self.arena, copies)
        finally:
            self.lock.release()

    def _copies(self, args: tuple, arena: np.ndarray) -> tuple[list, list, list]:
        """The copies around a run as views of ``arena`` shaped as the tensors they copy
        (made once per arena, not per run: a replay's own cost is mostly these copies, and
        slicing and reshaping per copy tripled it, perf/RESULTS.md, Run logistic19): (view,
        tensor or argument index, is an argument, is its ``.grad``) for each input read in;
        (view, tensor or index, is an argument) for each in-place write and each gradient
        written out (view None: the leaf's ``.grad`` becomes None). The guards hold each
        tensor's shape, so the views fit every run they let through."""

        def view(ref: tuple, off: int | None) -> tuple[Any, Any, bool]:
            kind, r = ref
            shape = (args[r] if kind == "arg" else r)._value.shape
            v = None if off is None else arena[off : off + math.prod(shape)].reshape(shape)
            return v, r, kind == "arg"

        ins = [(*view(ref, off), of_grad) for off, _, ref, of_grad in self.copy_in]
        writes = [view(ref, off) for ref, off, _ in self.writes]
        outs = [view(ref, off) for ref, off in self.copy_out]
        return ins, writes, outs

    def _run(self, args: tuple, arena: np.ndarray, copies: tuple[list, list, list]) -> Any:
        ins, writes, outs = copies
        for v, t, arg, of_grad in ins:
            if arg:
                t = args[t]
            v[()] = (t._grad if of_grad else t)._value  # ([()]: a 0-d copy's fast path)
        if self.direct_grads:
            direct.grads_ready(self.direct_grads, self.direct_inputs, args, self.dtype)
        kernel, consts = self.kernel, self.consts
        for write in self.live:
            write(consts)
        for step in self.steps:
            if type(step) is np.ndarray:
                kernel(step, consts, arena)
            else:
                step(arena, args)
        for v, t, arg in writes:
            if arg:
                t = args[t]
            t._value[()] = v
            t._counter()[0] += 1
        for v, t, arg in outs:
            if arg:
                t = args[t]
            if v is None:
                t._grad = None
                continue
            have = t._grad
            if have is not None:
                have._value[()] = v
            else:
                t._grad = _make(v.copy(), self.dtype)
        return self._output(self.outputs, args, arena)

    def _output(self, spec: Any, args: tuple, arena: np.ndarray) -> Any:
        kind = spec[0]
        if kind == "none":
            return None
        if kind == "arg":
            return args[spec[1]]
        if kind == "ext":
            return spec[1]
        if kind == "slot":
            _, off, shape, n, fn, nr = spec
            return _make(arena[off : off + n].reshape(shape).copy(), self.dtype, fn, False, nr)
        parts = [self._output(s, args, arena) for s in spec[1]]
        return tuple(parts) if kind == "tuple" else parts


def segments(ins: np.ndarray, hosts: list) -> list:
    """The run order: ``ins`` cut at each host call's row index into contiguous segments
    (empty ones left out), with the host calls between them."""
    steps: list = []
    start = 0
    for at, fn in hosts:
        if at > start:
            steps.append(ins[start:at].copy())
        steps.append(fn)
        start = at
    if start < len(ins) or not steps:
        steps.append(ins[start:].copy() if start else ins)
    return steps
