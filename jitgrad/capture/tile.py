"""Runs of elementwise rows over large operands, grouped (issue 16 §1).

The interpreter runs a row over all its ``n`` elements before the next row starts. On small
operands that is what the dispatch-bound programs capture is for want; on an 8M-element chain
(the tanh-GELU step: 23 rows) every row was a pass over memory by the interpreter's generic
per-element loop, and the replay ran 40x slower than eager's one fused joint kernel. Here a
segment's rows are rescheduled on the program's ``ins`` array:

- a *group* is a set of elementwise rows over the same ``n >= MIN_N`` elements whose operands
  either coincide or do not overlap (element ``i`` of a row reads only element ``i`` of what
  another row writes); rows that touch nothing the group writes move before it (a ``fill`` of
  the loss's gradient), rows the group does not depend on after it, so a step's forward and
  backward chains become one group; a full sum or mean in a chain kernel's blocked order
  (:func:`reduces`) joins it, summed in the loop as eager's joint kernel sums, unless a
  member reads its total or writes what it sums (:func:`_joins`);
- the group runs as one generated loop (:mod:`.fused`: a host call), or, if that cannot be
  compiled, as :data:`BLOCK`-element blocks: each row's copy for elements ``lo..lo+B``,
  all rows for a block before the next block, so a block's operands stay in the cache between
  the rows;
- a slot that only the group's rows touch (written before it is read, not an input, output,
  gradient or in-place update, in a program without host calls: those read slots the rows do
  not show) is a local of the loop (one block of scratch in blocks): only the group's inputs
  and the values read after it go to memory.

Each element is computed by the same formula from the same operands as before, and the
reductions run whole over the same values, so the results are bit for bit those of the rows
run one after another. Small programs (Rogozhnikov's scalars, an MLP's
activations) have no row of ``MIN_N`` elements and keep their rows as traced.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..kernels.cpu.scalar import LANES as _LANES
from . import fused, interp, optable
from .straight import io_ranges

#: a group starts at a row over at least this many elements (2 MB of float32: a row smaller
#: than the L2 cache gains little, and an MLP's 512x512 activations keep their rows)
MIN_N = 1 << 19
#: elements per block: the blocks of a group's operands and scratch fit the L2 cache
BLOCK = 4096
#: rows looked at past a group's first row
WINDOW = 256

#: ins columns
_DST, _X, _Y, _N, _ACC, _AUX = 1, 2, 3, 4, 5, 7


def _element_columns() -> dict[int, tuple[int, ...]]:
    """elementwise code -> the columns it reads element by element (x, y, aux): what the
    interpreter's branch reads (a forward branch loads x always; a backward one g at x)."""
    col = {"y": _Y, "z": _AUX}
    out: dict[int, tuple[int, ...]] = {}
    for code in (*optable.FORWARD, *optable.BACKWARD):
        used = optable.columns(code)
        out[interp.CODE[code.name]] = (_X, *(col[k] for k in ("y", "z") if k in used))
    out.update({interp.COPY: (_X,), interp.FILL: (), interp.B_G: (_X,), interp.B_ZERO: (),
                interp.B_SUM: (), interp.B_MEAN: ()})  # fmt: skip
    return out


ELEMENT = _element_columns()
_SCALAR_X = (interp.B_SUM, interp.B_MEAN)  # read one value at x, spread over n


def access(row: Any) -> tuple[list, list] | None:
    """A row's (reads, writes) as (offset, length) ranges of the arena; None for a row not
    analysed (an optimizer step): nothing moves past it."""
    op, dst, x, y, n, acc = (int(v) for v in row[:6])
    if op in ELEMENT:
        reads = [(int(row[c]), n) for c in ELEMENT[op]]
        if op in _SCALAR_X:
            reads.append((x, 1))
        if acc and op > interp.B_SOFTMAX:
            reads.append((dst, n))
        return reads, [(dst, n)]
    if op in (interp.SUM, interp.MEAN):
        return [(x, n)], [(dst, 1)]
    if op == interp.B_REDUCE:
        return [(x, n)] + ([(dst, 1)] if acc else []), [(dst, 1)]
    if op == interp.SOFTMAX:
        return [(x, n)], [(dst, n)]
    if op == interp.B_SOFTMAX:
        return [(x, n), (y, n)], [(dst, n)]
    if op == interp.SGD:  # parameter, gradient, momentum buffer (its flag: aux)
        both = [(dst, n), (y, n)] if int(row[_AUX]) & interp.SGD_MOMENTUM else [(dst, n)]
        return [*both, (x, n)], both
    if op == interp.ADAM:  # parameter, gradient, moments, step count (acc column)
        both = [(dst, n), (y, n), (int(row[_AUX]), n), (acc, 1)]
        return [*both, (x, n)], both
    return None


def overlaps(a: tuple, b: tuple) -> bool:
    return a[0] < b[0] + b[1] and b[0] < a[0] + a[1]


def _conflict(a: tuple, b: tuple) -> bool:
    """Whether two rows' accesses must keep their order (one writes what the other touches)."""
    ra, wa = a
    rb, wb = b
    return any(overlaps(w, o) for w in wa for o in (*rb, *wb)) or any(
        overlaps(w, o) for w in wb for o in ra
    )


def _fits(acc: tuple, group: list) -> bool:
    """Whether a row can run block by block with ``group``: every range it shares with a
    group row's write (or it writes and a group row touches) is the same range."""
    reads, writes = acc
    for g in group:
        for mine, theirs in ((writes, (*g[0], *g[1])), ((*reads, *writes), g[1])):
            for a in mine:
                for b in theirs:
                    if overlaps(a, b) and a != b:
                        return False
    return True


def _starts(row: Any) -> bool:
    return int(row[0]) in ELEMENT and int(row[_N]) >= MIN_N


def reduces(row: Any) -> bool:
    """A full sum or mean in a chain kernel's blocked order (the block in its aux column,
    :mod:`.row_sums`): a group's loop can add it block by block as eager's joint kernel does."""
    return int(row[0]) in (interp.SUM, interp.MEAN) and int(row[_AUX]) % _LANES == 0 < int(
        row[_AUX]
    )


def _joins(row: Any, a: tuple, n: int, group: list, rows: np.ndarray, accs: list) -> bool:
    """Whether a row joins the group: elementwise over its ``n`` elements, or a blocked
    reduction of them (every reduction of a group in the same blocks), and no conflict with
    a reduction already in it (a row reading the total needs the whole loop done first; one
    writing what a reduction reads would change what the total is of)."""
    sums = [k for k in group if reduces(rows[k])]
    if reduces(row):
        if sums and int(rows[sums[0]][_AUX]) != int(row[_AUX]):
            return False
    elif int(row[0]) not in ELEMENT:
        return False
    return (int(row[_N]) == n and _fits(a, [accs[k] for k in group])
            and not any(_conflict(a, accs[k]) for k in sums))  # fmt: skip


def schedule(rows: np.ndarray, accs: list, segment: range) -> list:
    """The segment's row indices in run order, a group as a list of indices."""
    out: list = []
    pending = list(segment)
    while pending:
        first = pending.pop(0)
        if not _starts(rows[first]):
            out.append(first)
            continue
        n = int(rows[first][_N])
        group, before, after = [first], [], []
        seen = 0
        for j in pending[:WINDOW]:
            a = accs[j]
            if a is None:
                break
            seen += 1
            late = [accs[k] for k in after]
            if _joins(rows[j], a, n, group, rows, accs) and not any(_conflict(a, p) for p in late):
                group.append(j)
            elif not any(_conflict(a, accs[k]) for k in group) and not any(
                _conflict(a, p) for p in late
            ):
                before.append(j)
            else:
                after.append(j)
        if len(group) == 1:
            out.append(first)
            continue
        out.extend(before)
        out.append(group)
        pending = after + pending[seen:]
    return out


def internal(group: list, accs: list, n: int, outside: list) -> set:
    """The ranges only ``group``'s rows touch (each the same whole range), first written
    (not added into) by one of them, and not among ``outside`` (the caller's ranges): they
    can live in one block."""
    members = set(group)
    first: dict = {}
    for k in group:
        reads, writes = accs[k]
        for r in reads:
            first.setdefault(r, "read")
        for w in writes:
            first.setdefault(w, "write")
    out = set()
    for rng, how in first.items():
        if how != "write" or rng[1] != n or any(overlaps(rng, o) for o in outside):
            continue
        if all(_only(rng, k in members, acc) for k, acc in enumerate(accs)):
            out.add(rng)
    return out


def _only(rng: tuple, member: bool, acc: tuple | None) -> bool:
    """Whether a row leaves ``rng`` to the group: a member touching it as a whole, or a row
    not touching it."""
    if acc is None:
        return False
    touches = [o for o in (*acc[0], *acc[1]) if overlaps(rng, o)]
    return not touches or member and all(o == rng for o in touches)


def blocked(base: np.ndarray, n: int, scratch: dict) -> np.ndarray:
    """A group's rows ``base`` copied per :data:`BLOCK` elements, each block's rows in order;
    a column reading a range in ``scratch`` (range -> scratch offset) reads the block there."""
    cols = [(k, c) for k in range(len(base)) for c in (_DST, *ELEMENT[int(base[k, 0])])]
    starts = np.arange(0, n, BLOCK)
    out = np.repeat(base[None], len(starts), axis=0)  # (blocks, rows, WIDTH)
    out[:, :, _N] = np.minimum(BLOCK, n - starts)[:, None]
    for k, c in cols:
        at = scratch.get((int(base[k, c]), n))
        out[:, k, c] = at if at is not None else base[k, c] + starts
    return out.reshape(-1, interp.WIDTH)


def _means(base: np.ndarray, n: int, size: int, consts: list) -> tuple[list, int]:
    """Rewrite ``b_mean`` rows (``g / n`` of their one value: ``n`` is the row's, which a
    block would change) as a one-element ``divc`` by ``n`` before the group, spread by a
    ``b_sum`` row: the same division in the same dtype. Returns (the divc rows, arena size)."""
    pre = []
    for row in base:
        if row[0] == interp.B_MEAN:
            pre.append([interp.DIVC, size, row[_X], 0, 1, 0, len(consts), 0])
            consts.append(float(n))
            row[0], row[_X] = interp.B_SUM, size
            size += 1
    return pre, size


def tiled(program: Any, hosts: list) -> tuple[np.ndarray, list, tuple, int, np.ndarray]:
    """``program.ins`` with each segment's groups fused (:mod:`.fused`: a host call) or, if
    that fails, blocked: (rows, host calls at their new row indices, (groups, the fused
    ones' :class:`.fused.Group`), arena size with the scratch blocks, constants)."""
    ins, consts = program.ins, program.consts
    size = program.arena.size
    if not len(ins) or int(ins[:, _N].max()) < MIN_N:
        return ins, hosts, (0, []), size, consts
    accs = [access(r) for r in ins]
    outside = io_ranges(program)
    more, box = list(consts), []
    at_row: dict[int, list] = {}
    for at, fn in hosts:
        at_row.setdefault(at, []).append(fn)
    parts, calls, groups, made = [], [], 0, []
    done = 0
    bounds = sorted({0, len(ins), *at_row})
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        calls += [(done, fn) for fn in at_row.get(lo, ())]
        for unit in schedule(ins, accs, range(lo, hi)):
            if type(unit) is int:
                parts.append(ins[unit : unit + 1])
                done += 1
                continue
            n = int(ins[unit[0], _N])
            base = ins[unit].copy()
            pre, size = _means(base, n, size, more)
            parts.append(np.array(pre, np.int32).reshape(-1, interp.WIDTH))
            done += len(pre)
            keep = set() if hosts else internal(unit, accs, n, outside)  # (host calls read
            call = fused.build(base, n, keep, program.dtype.name, box)  # slots too)
            groups += 1
            if call is not None:
                calls.append((done, call))
                made.append(call)
                continue
            # blocked rows; the reductions after them, whole (no member after a reduction
            # writes what it sums or reads its total: :func:`_joins`)
            sums = np.array([reduces(r) for r in base], bool)
            rows = [k for k, s in zip(unit, sums, strict=True) if not s]
            scratch = {}
            for rng in sorted(set() if hosts else internal(rows, accs, n, outside)):
                scratch[rng] = size
                size += BLOCK
            parts += [blocked(base[~sums], n, scratch), base[sums]]
            done += len(parts[-2]) + len(parts[-1])
    calls += [(done, fn) for fn in at_row.get(len(ins), ())]
    box.append(np.array(more, np.float64))
    out = np.concatenate(parts).astype(np.int32) if parts else ins[:0]
    return out, calls, (groups, made), size, box[0]
