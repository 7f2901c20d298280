"""Calling the reduction kernels on arrays of any shape: the ``(A, R, B)`` view of a reduction
over any axes and back (:func:`to_3d`, :func:`from_3d`), one kernel call with its result in
the kept dims (:func:`reduce_array`), and ``sum_to_shape`` for broadcast gradients."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .reduce_flat import leaf_total, mean_flat, mean_leaf, sum_flat, sum_leaf
from .reduce_leaves import BLOCK, exact_in_numpy
from .reduce_parallel import pick
from .reduce_plan import _prod, reduction_plan
from .reduce_sum import mean_fwd, prod_fwd, sum_fwd

#: Serial kernels whose full reductions run kernels of their own (see :mod:`.reduce_flat`),
#: indexed by ``0 < n <= BLOCK``: the general one, and the one for one pairwise leaf.
_FLAT = {sum_fwd: (sum_flat, sum_leaf), mean_fwd: (mean_flat, mean_leaf)}
#: full integer reductions NumPy does with the kernels' bits (:func:`exact_in_numpy`)
_EXACT_INT = {sum_fwd: np.add, prod_fwd: np.multiply}


def widen(arr: np.ndarray) -> np.ndarray:
    """A bool or integer array narrower than 64 bits as int64 (else ``arr`` itself): the input
    of a sum, prod or cumsum that accumulates in int64. The kernels then compile one integer
    signature instead of one per input dtype (each a compile of 0.3-0.7 s of CPU); the values
    are the same, since the kernels widened every element to int64 before adding or
    multiplying it (integer arithmetic modulo 2**64 in any order)."""
    if arr.dtype.kind in "biu" and arr.dtype.itemsize < 8:
        return arr.astype(np.int64)
    return arr


def sum_to_shape(g: np.ndarray, shape) -> np.ndarray:
    """Sum a broadcast gradient ``g`` back to ``shape`` (numpy broadcasting rules), as the
    autograd engine needs for every broadcasting op. Returns ``g`` itself when nothing to do.

    Each contiguous run of summed axes is one ``sum_fwd`` call, innermost run first (it shrinks
    the data most); typical broadcasts need one or two calls and no transpose.
    """
    shape = tuple(int(d) for d in shape)
    lead = g.ndim - len(shape)
    if lead < 0:
        raise ValueError(f"cannot sum shape {g.shape} to {shape}")
    axes = list(range(lead))
    for i, d in enumerate(shape):
        if d == 1 and g.shape[lead + i] != 1:
            axes.append(lead + i)
        elif d != g.shape[lead + i]:
            raise ValueError(f"cannot sum shape {g.shape} to {shape}")
    if not axes:
        return g.reshape(shape)
    out_dtype = np.int64 if g.dtype.kind in "biu" else g.dtype
    cur = np.ascontiguousarray(widen(g))
    cur_shape = list(g.shape)
    runs = []
    for a in axes:
        if runs and runs[-1][1] == a:
            runs[-1][1] = a + 1
        else:
            runs.append([a, a + 1])
    for lo, hi in reversed(runs):
        A = _prod(cur_shape[:lo])
        R = _prod(cur_shape[lo:hi])
        B = _prod(cur_shape[hi:])
        out = np.empty((A, B), dtype=out_dtype)
        pick(sum_fwd, A * R * B)(cur.reshape(A, R, B), out)
        cur = out
        cur_shape[lo:hi] = [1] * (hi - lo)
    return cur.reshape(shape)


def kept_shape(shape: tuple[int, ...], axes: tuple[int, ...], keepdim: bool) -> tuple[int, ...]:
    """The result shape of reducing ``shape`` over ``axes`` (1s in their place with ``keepdim``)."""
    if keepdim:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def to_3d(arr: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """``arr`` as the kernels' C-contiguous ``(A, R, B)`` array (a copy only if needed)."""
    perm, abc = plan_3d(arr.shape, axes)
    if perm is not None:
        arr = arr.transpose(perm)
    return np.ascontiguousarray(arr).reshape(abc)


def launch(kernel: Any, x3: np.ndarray, out_dtype: np.dtype, *extra: Any) -> np.ndarray:
    """``kernel`` (serial or parallel by size) on ``x3``; its new ``(A, B)`` result."""
    out = np.empty((x3.shape[0], x3.shape[2]), out_dtype)
    pick(kernel, x3.size)(x3, *extra, out)
    return out


#: integer dtypes narrower than the leaf's Python int result (``sum(dtype=torch.uint8)`` wraps)
_NARROW_INTS = frozenset(np.dtype(t) for t in (np.uint8, np.int8, np.int16, np.int32))


def reduce_array(
    kernel: Any, arr: np.ndarray, axes: tuple[int, ...], keepdim: bool, out_dtype: np.dtype
) -> np.ndarray:
    """Reduction ``kernel`` of ``arr`` over ``axes``, shaped as the op's result."""
    if len(axes) == arr.ndim:  # full reduction: the per-call overhead users feel most
        n = arr.size
        ufunc = _EXACT_INT.get(kernel)
        if ufunc is not None and exact_in_numpy(arr.dtype, np.dtype(out_dtype)):  # any order
            total = ufunc.reduce(arr, axis=None, dtype=out_dtype)
            return np.array(total, out_dtype).reshape((1,) * arr.ndim if keepdim else ())
        if kernel is sum_fwd and 0 < n <= BLOCK:  # sum_leaf without its (1, n, 1) views
            total = leaf_total(arr.ravel(), out_dtype)
            # a narrow int's sum comes back as a Python int that may not fit: it wraps
            if out_dtype in _NARROW_INTS:
                total = np.array(total).astype(out_dtype)
            else:
                total = np.array(total, out_dtype)
            return total.reshape((1,) * arr.ndim) if keepdim else total
        out = np.empty((1, 1), out_dtype)
        chosen = pick(kernel, n)
        if chosen is kernel and kernel in _FLAT:
            chosen = _FLAT[kernel][0 < n <= BLOCK]
        chosen(np.ascontiguousarray(arr).reshape(1, n, 1), out)
        return out.reshape((1,) * arr.ndim if keepdim else ())
    return launch(kernel, to_3d(arr, axes), out_dtype).reshape(kept_shape(arr.shape, axes, keepdim))


def plan_3d(shape: tuple[int, ...], axes: tuple[int, ...]):
    """``reduction_plan`` with the full reduction short-cut of :func:`to_3d`."""
    if len(axes) == len(shape):
        return None, (1, math.prod(shape), 1)
    return reduction_plan(shape, axes)


def from_3d(arr3: np.ndarray, shape: tuple[int, ...], axes: tuple[int, ...]) -> np.ndarray:
    """Undo :func:`to_3d`: an ``(A, R, B)`` result back in the input's layout."""
    perm = plan_3d(shape, axes)[0]
    if perm is None:
        return arr3.reshape(shape)
    return arr3.reshape([shape[i] for i in perm]).transpose(np.argsort(perm))
