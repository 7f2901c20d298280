"""Parallel variants of the reduction kernels (``*_par``, same arguments, bitwise equal to the
serial ones) and :func:`pick`, which chooses by size (and, below the threshold, the vector
lanes :func:`vector_softmax` and :func:`vector_softmax_bwd`). See :mod:`.reduce` for why threads and
how an R-split keeps the serial pairwise tree."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import workers
from .entry_points import entry_point
from .jit import cached_njit
from .reduce_leaves import _JIT, _NO, _STACK, _YES, _chunk_rows, _flush, _push
from .reduce_minmax import max_fwd, min_fwd
from .reduce_softmax import (
    _softmax_bwd_slices,
    _softmax_slices,
    cumsum_bwd,
    cumsum_fwd,
    log_softmax_bwd,
    log_softmax_fwd,
    logsumexp_fwd,
    softmax_bwd,
    softmax_fwd,
)
from .reduce_sum import (
    divide_by,
    mean_fwd,
    mean_var_fwd,
    prod_fwd,
    sqdev_fwd,
    sum_fwd,
    var_den,
    var_fwd,
)

#: Elements one parallel task should at least get, so tiny slices are batched.
_TASK = 1 << 15

#: Elements (A*R*B) from which the ``*_par`` variants of the memory-bound ops (sum, mean, var,
#: prod, max/min, cumsum) beat the serial kernels with two threads. Measured on two otherwise idle
#: cores (the shared 2-core dev box was saturated by other jobs), float32, interleaved medians:
#: full sum serial/parallel 0.45x at 1 Mi, 0.81x at 2 Mi, 1.45x at 4 Mi, 1.72x at 8 Mi;
#: sum of 1024-long rows 1.10x at 4 Mi, 1.26x at 8 Mi; max with index 1.11x at 4 Mi. Below,
#: the pool hand-off (~50-100 us) and memory bandwidth eat the gain.
PARALLEL_MIN_REDUCE = 1 << 22
#: Same for the exp-heavy ops (logsumexp, softmax, log_softmax and their backwards), ~20x more
#: work per element: softmax / logsumexp over 1024-long rows 1.05-1.17x at 128-256 Ki elements,
#: 1.3-1.47x from 512 Ki on; 0.96x at 32 Ki.
PARALLEL_MIN_EXP = 1 << 17


@cached_njit(**_JIT)
def _combine_sum(part, out2):
    # out2[a,b] = binary-counter combination over k of part[a,k,b]: the top of the serial tree.
    A, K, B = part.shape
    stack = np.empty(_STACK, part.dtype)
    zero = part.dtype.type(0)
    for a in range(A):
        for b in range(B):
            for k in range(K):
                _push(stack, k, part[a, k, b])
            out2[a, b] = _flush(stack, K, zero)


@cached_njit(**_JIT)
def _combine_prod(part, out2):
    # out2[a,b] = product over k of part[a,k,b] in order, as prod_fwd multiplies its chunks.
    A, K, B = part.shape
    for a in range(A):
        for b in range(B):
            p = part.dtype.type(1)
            for k in range(K):
                p = p * part[a, k, b]
            out2[a, b] = p


@cached_njit(**_JIT)
def _combine_ext(pv, pi, rows, want_max, out2, idx2):
    # first extreme over chunks k (chunk k starts at row k*rows); the first NaN wins.
    A, K, B = pv.shape
    for a in range(A):
        for b in range(B):
            m = pv[a, 0, b]
            best = pi[a, 0, b]
            for k in range(1, K):
                if m != m:
                    break
                v = pv[a, k, b]
                if (v != v) or (want_max and v > m) or ((not want_max) and v < m):
                    m = v
                    best = pi[a, k, b] + k * rows
            out2[a, b] = m
            idx2[a, b] = best


# --------------------------------------------------------------------------------------------
# Parallel variants: the serial kernels on contiguous views, from a thread pool
# --------------------------------------------------------------------------------------------

# The shared pool (also the generated elementwise kernels'); _threads sizes the task groups.
_threads = workers.max_threads
_run = workers.run


def _a_groups(A: int, per_a: int) -> list[tuple[int, int]]:
    """Groups of consecutive slices: about two per thread, each with at least _TASK elements.
    Slices are independent, so the grouping never changes a result."""
    g = max(1, -(-_TASK // max(per_a, 1)), -(-A // (2 * _threads())))
    return [(a0, min(A, a0 + g)) for a0 in range(0, A, g)]


def _split_a(fn, arrays) -> None:
    """``fn`` over groups of the leading axis of every array (all have A first)."""
    A, R, B = arrays[0].shape
    groups = _a_groups(A, R * B)
    _run(fn, [tuple(arr[a0:a1] for arr in arrays) for a0, a1 in groups])


def _use_rsplit(x3) -> bool:
    """R-split when slices are too few to feed every thread but long enough to chunk."""
    A, R, B = x3.shape
    return len(_a_groups(A, R * B)) < _threads() and R >= 2 * int(_chunk_rows(B))


def _rsplit(fn, x3, extra, out_dtype, nout, fixed):
    """Run reduction ``fn(x_chunk, *extra_a, *outs)`` on every (slice, R-chunk); returns the
    chunk height and the partial outputs, each (A, K, B), chunk k covering rows
    [k*rows, (k+1)*rows). Chunks are ``_chunk_rows(B)`` times a power of two, grown until there
    are about two per thread: every such chunk is a whole subtree of the serial pairwise tree,
    so the size never changes a sum. ``fixed`` keeps ``_chunk_rows(B)`` (prod's serial order)."""
    A, R, B = x3.shape
    rows = int(_chunk_rows(B))
    if not fixed:
        while A * -(-R // rows) > 2 * _threads():
            rows *= 2
    K = -(-R // rows)
    outs = [np.empty((A, K, B), dt) for dt in out_dtype[:nout]]
    tasks = []
    for a in range(A):
        for k in range(K):
            xc = x3[a, k * rows : min(R, (k + 1) * rows)].reshape(1, -1, B)
            ea = tuple(e[a : a + 1] for e in extra)
            tasks.append((xc, *ea, *(o[a, k].reshape(1, B) for o in outs)))
    _run(fn, tasks)
    return rows, outs


def _check(*arrays) -> None:
    for arr in arrays:
        if not arr.flags.c_contiguous:
            raise ValueError("reduce kernels need C-contiguous arrays")


def sum_fwd_par(x3, out2):
    """``sum_fwd`` on the thread pool; bitwise equal to it."""
    _check(x3, out2)
    if _use_rsplit(x3):
        _, (part,) = _rsplit(sum_fwd, x3, (), (out2.dtype,), 1, False)
        _combine_sum(part, out2)
    else:
        _split_a(sum_fwd, (x3, out2))


def mean_fwd_par(x3, out2):
    """``mean_fwd`` on the thread pool; bitwise equal to it."""
    _check(x3, out2)
    if _use_rsplit(x3):
        sum_fwd_par(x3, out2)
        divide_by(out2, x3.shape[1])
    else:
        _split_a(mean_fwd, (x3, out2))


def mean_var_fwd_par(x3, correction, mean2, var2):
    """``mean_var_fwd`` on the thread pool; bitwise equal to it."""
    _check(x3, mean2, var2)
    if not _use_rsplit(x3):
        A, R, B = x3.shape
        groups = _a_groups(A, R * B)
        _run(
            mean_var_fwd, [(x3[a0:a1], correction, mean2[a0:a1], var2[a0:a1]) for a0, a1 in groups]
        )
        return
    mean_fwd_par(x3, mean2)
    _, (part,) = _rsplit(sqdev_fwd, x3, (mean2,), (var2.dtype,), 1, False)
    _combine_sum(part, var2)
    divide_by(var2, var_den(x3.shape[1], correction))


def var_fwd_par(x3, correction, out2):
    """``var_fwd`` on the thread pool; bitwise equal to it."""
    mean_var_fwd_par(x3, correction, np.empty_like(out2), out2)


def prod_fwd_par(x3, out2):
    """``prod_fwd`` on the thread pool; bitwise equal to it."""
    _check(x3, out2)
    if _use_rsplit(x3):
        _, (part,) = _rsplit(prod_fwd, x3, (), (out2.dtype,), 1, True)
        _combine_prod(part, out2)
    else:
        _split_a(prod_fwd, (x3, out2))


def _ext_par(kernel, want_max, x3, out2, idx2):
    _check(x3, out2, idx2)
    if _use_rsplit(x3):
        rows, (pv, pi) = _rsplit(kernel, x3, (), (out2.dtype, np.int64), 2, False)
        _combine_ext(pv, pi, rows, want_max, out2, idx2)
    else:
        _split_a(kernel, (x3, out2, idx2))


def max_fwd_par(x3, out2, idx2):
    """``max_fwd`` on the thread pool; same result."""
    _ext_par(max_fwd, True, x3, out2, idx2)


def min_fwd_par(x3, out2, idx2):
    """``min_fwd`` on the thread pool; same result."""
    _ext_par(min_fwd, False, x3, out2, idx2)


def logsumexp_fwd_par(x3, out2):
    """``logsumexp_fwd`` on the thread pool (over groups of slices); bitwise equal to it."""
    _check(x3, out2)
    _split_a(logsumexp_fwd, (x3, out2))


def softmax_fwd_par(x3, out3):
    """``softmax_fwd`` on the thread pool (over groups of slices); bitwise equal to it."""
    _check(x3, out3)
    _split_a(softmax_fwd, (x3, out3))


def log_softmax_fwd_par(x3, out3):
    """``log_softmax_fwd`` on the thread pool; bitwise equal to it."""
    _check(x3, out3)
    _split_a(log_softmax_fwd, (x3, out3))


def softmax_bwd_par(g3, y3, gx3):
    """``softmax_bwd`` on the thread pool; bitwise equal to it."""
    _check(g3, y3, gx3)
    _split_a(softmax_bwd, (g3, y3, gx3))


def log_softmax_bwd_par(g3, y3, gx3):
    """``log_softmax_bwd`` on the thread pool; bitwise equal to it."""
    _check(g3, y3, gx3)
    _split_a(log_softmax_bwd, (g3, y3, gx3))


def cumsum_fwd_par(x3, out3):
    """``cumsum_fwd`` on the thread pool (groups of slices; one slice's scan stays serial)."""
    _check(x3, out3)
    _split_a(cumsum_fwd, (x3, out3))


def cumsum_bwd_par(g3, gx3):
    """``cumsum_bwd`` on the thread pool; bitwise equal to it."""
    _check(g3, gx3)
    _split_a(cumsum_bwd, (g3, gx3))


def sum_leading_fwd(x2, out1):
    """``out1[b] = sum_r x2[r, b]``: ``sum_fwd`` on the ``(1, R, B)`` view, the common
    ``sum_to_shape`` case of a gradient broadcast over rows."""
    R, B = x2.shape
    pick(sum_fwd, R * B)(x2.reshape(1, R, B), out1.reshape(1, B))


#: serial kernel -> (parallel variant, element threshold) for :func:`pick`.
_PARALLEL = {
    sum_fwd: (sum_fwd_par, PARALLEL_MIN_REDUCE),
    mean_fwd: (mean_fwd_par, PARALLEL_MIN_REDUCE),
    var_fwd: (var_fwd_par, PARALLEL_MIN_REDUCE),
    mean_var_fwd: (mean_var_fwd_par, PARALLEL_MIN_REDUCE),
    prod_fwd: (prod_fwd_par, PARALLEL_MIN_REDUCE),
    max_fwd: (max_fwd_par, PARALLEL_MIN_REDUCE),
    min_fwd: (min_fwd_par, PARALLEL_MIN_REDUCE),
    cumsum_fwd: (cumsum_fwd_par, PARALLEL_MIN_REDUCE),
    cumsum_bwd: (cumsum_bwd_par, PARALLEL_MIN_REDUCE),
    logsumexp_fwd: (logsumexp_fwd_par, PARALLEL_MIN_EXP),
    softmax_fwd: (softmax_fwd_par, PARALLEL_MIN_EXP),
    log_softmax_fwd: (log_softmax_fwd_par, PARALLEL_MIN_EXP),
    softmax_bwd: (softmax_bwd_par, PARALLEL_MIN_EXP),
    log_softmax_bwd: (log_softmax_bwd_par, PARALLEL_MIN_EXP),
}


def pick(kernel, size: int):
    """The ``*_par`` variant of ``kernel`` if ``size`` (A*R*B) is past its measured threshold."""
    par = _PARALLEL.get(kernel)
    if par is None:
        return kernel
    variant, threshold = par
    return variant if size >= threshold else kernel


def vector_softmax(x, out, log) -> bool:
    """``out = softmax(x)`` (``log``: log_softmax) for one contiguous float32/float64 vector
    of fewer than ``PARALLEL_MIN_EXP`` elements (a scalar graph's softmax of a few stacked
    nodes), by the slice kernel that :func:`softmax_fwd` runs there (so the same bits),
    without its ``(A, R, B)`` views and wrappers; False (nothing done) for any other array."""
    n = len(x)  # (a vector: len reads no shape tuple)
    dt = x.dtype
    if not (0 < n < PARALLEL_MIN_EXP and (dt is _F32 or dt is _F64)):
        return False  # (a float16 vector: softmax_fwd's views)
    flags = x.flags  # (one flags object for both reads; a strided vector: softmax_fwd's views)
    if not flags.c_contiguous:
        return False
    flag = _YES if log else _NO
    entry = _FWD_ENTRY[dt is _F64]
    if entry is not None and flags.aligned:
        entry(x, out, 1, n, flag)
    else:
        _softmax_slices(x, out, 1, n, flag)
        _learn(_FWD_ENTRY, _softmax_slices, dt, (x, out, 1, n, flag))
    return True


def vector_softmax_bwd(g, y, out, log) -> bool:
    """:func:`softmax_bwd` (``log``: :func:`log_softmax_bwd`) for vectors as
    :func:`vector_softmax` takes, ``g`` of ``y``'s dtype; False (nothing done) otherwise."""
    n = y.shape[0]
    dt = y.dtype
    if not (
        0 < n < PARALLEL_MIN_EXP
        and (dt is _F32 or dt is _F64)
        and g.dtype is dt
        and g.shape == y.shape
        and y.strides[0] == dt.itemsize
        and g.strides[0] == dt.itemsize
    ):
        return False
    flag = _YES if log else _NO
    entry = _BWD_ENTRY[dt is _F64]
    if entry is not None and g.flags.aligned and y.flags.aligned:
        entry(g, y, out, 1, n, flag)
    else:
        _softmax_bwd_slices(g, y, out, 1, n, flag)
        _learn(_BWD_ENTRY, _softmax_bwd_slices, dt, (g, y, out, 1, n, flag))
    return True


#: The entry points of the slice kernels' overloads for the vector lanes above, float32 then
#: float64 (indexed by ``dtype is float64``: no key to hash), see :mod:`.entry_points`: their
#: arguments' types are fixed by the dtype (C-contiguous 1-D arrays, checked above, and
#: aligned, checked per call; the output a new array; two ints and a numpy bool), so a scalar
#: graph's softmax skips Numba's type resolution in its forward and its backward.
_FWD_ENTRY: list = [None, None]
_BWD_ENTRY: list = [None, None]


def _learn(entries: list, kernel: Any, dt: np.dtype, args: tuple) -> None:
    """Keep ``kernel``'s entry point for ``args`` (just called through the dispatcher) in
    ``entries`` when every array among them is aligned (the overload's type then says so)."""
    if all(a.flags.aligned for a in args if isinstance(a, np.ndarray)):
        entry = entry_point(kernel, args)
        if entry is not None:
            entries[dt is _F64] = entry


_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)  # (compared by identity: builtins)
