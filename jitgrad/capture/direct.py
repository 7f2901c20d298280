"""A fused group's operands bound to the caller's tensors: no copy into the arena, none out.

A replay copies each input the tape reads into the arena before it runs and each leaf's
gradient out of it after (:meth:`.program.Program._run`). For a large step fused into one loop
(:mod:`.tile`, :mod:`.fused`) those copies were most of its memory traffic: the tanh-GELU mean
step over 8M float32 read its 32 MB input three times and wrote it once more, its gradient
likewise, where eager's joint kernel reads the input once and writes the gradient once
(perf/RESULTS.md, Run capbig18). So where one fused group alone touches such a range, the
group reads the caller's tensor, or writes the leaf's ``.grad`` buffer, itself:

- an input (not a ``.grad`` read in) the group loads and never stores, that no interpreter
  row, other group, in-place write-back or returned tensor touches;
- a leaf's gradient the group stores without reading its old value (the step's first
  gradient for it is assigned, not added), that nothing else touches or reads in. The replay
  writes into the ``.grad`` the leaf has, as the copy did; a leaf without one (or whose
  ``.grad`` is not a contiguous array of the step's dtype and shape, or shares memory with an
  input) gets a fresh one from :mod:`jitgrad.memory`, as eager's backward does.

A program with host calls other than fused groups keeps its copies (host calls read arena
slots the rows do not show).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import memory
from ..frontend.tensor import _make
from . import tile
from .straight import output_ranges


def tensor(ref: tuple) -> Callable[[tuple], Any]:
    kind, r = ref
    return (lambda args: args[r]) if kind == "arg" else (lambda args: r)


def _input(ref: tuple, n: int) -> Callable[[tuple], np.ndarray]:
    get = tensor(ref)
    return lambda args: get(args)._value.reshape(n)


def _grad(ref: tuple, n: int) -> Callable[[tuple], np.ndarray]:
    get = tensor(ref)
    return lambda args: get(args)._grad._value.reshape(n)


def bind(program: Any, rows: np.ndarray, groups: list, hosts: bool) -> tuple[list, list]:
    """Point the groups' views at the caller's tensors where they can be (each group's
    ``sources``); returns the indices of ``program.reads`` no longer copied in and of
    ``program.grads`` no longer copied out."""
    if hosts or not groups:
        return [], []
    accs = [tile.access(r) for r in rows]
    if any(a is None for a in accs):
        return [], []
    others = [rng for a in accs for rng in (*a[0], *a[1])]  # the interpreter's rows,
    others += [(off, n) for _, off, n in program.writes]  # write-backs, returned tensors
    others += output_ranges(program.outputs)
    reads = [(off, n) for off, n, _, _ in program.reads]
    ins = program.ins
    grads = {off: {(off, int(n)) for n in ins[ins[:, 1] == off, 4]}
             for _, off in program.grads if off is not None}  # fmt: skip
    owners = Counter(rng for g in groups for rng in g.ranges)

    def alone(rng: tuple, more: list) -> bool:  # no other group, row or copy touches it
        return owners[rng] == 1 and not any(tile.overlaps(rng, o) for o in others + more)

    direct_reads, direct_grads = [], []
    for i, (off, n, ref, of_grad) in enumerate(program.reads):
        rng = (off, n)
        rest = reads[:i] + reads[i + 1 :] + [r for rs in grads.values() for r in rs]
        for g in groups:
            if not of_grad and rng in g.loaded and rng not in g.stored and alone(rng, rest):
                g.sources[g.ranges.index(rng)] = _input(ref, n)
                direct_reads.append(i)
    for j, (ref, off) in enumerate(program.grads):
        if off is None or len(grads[off]) != 1:
            continue
        (rng,) = grads[off]
        for g in groups:
            if rng in g.stored and rng not in g.loaded and alone(rng, reads):
                g.sources[g.ranges.index(rng)] = _grad(ref, rng[1])
                direct_grads.append(j)
    return direct_reads, direct_grads


def grads_ready(leaves: list, inputs: list, args: tuple, dtype: Any) -> None:
    """Give each leaf a ``.grad`` a group can write in place (see the module docstring);
    ``inputs``: getters of the tensors groups read directly."""
    for get in leaves:
        t = get(args)
        v, have = t._value, t._grad
        if have is not None:
            g = have._value
            shared = any(np.may_share_memory(g, s(args)._value) for s in inputs)
            if g.dtype == v.dtype and g.shape == v.shape and g.flags.c_contiguous and not shared:
                continue
        t._grad = _make(memory.empty(v.shape, v.dtype), dtype)
