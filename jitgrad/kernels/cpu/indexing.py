"""Gather/scatter kernels behind indexing, index_select, gather, scatter and nonzero.

Layout contracts: the ``*3`` kernels see the indexed tensor as ``(A, N, R)`` (dims before
the indexed block, the indexed block flattened, dims after) and the index as a flat
``(M,)`` array of positions in ``[0, N)``; the ``*_nd`` kernels take a C-contiguous flat
buffer plus the element strides of its shape and walk the index tensor in C order. All
index arrays are int64 and already bounds-checked by :func:`linearize` or :func:`check_dim`.
Scatter-adds run serially so repeated indices accumulate deterministically. The strided
copies and the ``*3`` kernels read their inputs through any strides: ``inputs=`` gives them one
compile per dtype for all-C calls and one for every other mix of layouts (:mod:`.jit`).
"""

from __future__ import annotations

import numpy as np

from .jit import cached_njit


@cached_njit
def linearize(idx, sizes, out):
    """out[m] = row-major position of (idx[0, m], ..., idx[k-1, m]) in ``sizes``.

    Negative indices wrap. Returns -1, or ``k * M + m`` for the first out-of-bounds entry
    (so the caller can report the dimension and value).
    """
    k, m_total = idx.shape
    for m in range(m_total):
        pos = 0
        for d in range(k):
            i = idx[d, m]
            n = sizes[d]
            if i < 0:
                i += n
            if i < 0 or i >= n:
                return d * m_total + m
            pos = pos * n + i
        out[m] = pos
    return -1


@cached_njit(inputs=2)
def take3(src, idx, out):
    """out[a, m, r] = src[a, idx[m], r]."""
    a_n, m_n, r_n = out.shape
    for a in range(a_n):
        for m in range(m_n):
            j = idx[m]
            for r in range(r_n):
                out[a, m, r] = src[a, j, r]


@cached_njit(inputs=2)
def scatter_add3(src, idx, out):
    """out[a, idx[m], r] += src[a, m, r] (repeated indices accumulate)."""
    a_n, m_n, r_n = src.shape
    for a in range(a_n):
        for m in range(m_n):
            j = idx[m]
            for r in range(r_n):
                out[a, j, r] += src[a, m, r]


@cached_njit(inputs=2)
def put3(src, idx, out):
    """out[a, idx[m], r] = src[a, m, r] (the last write wins for repeated indices)."""
    a_n, m_n, r_n = src.shape
    for a in range(a_n):
        for m in range(m_n):
            j = idx[m]
            for r in range(r_n):
                out[a, j, r] = src[a, m, r]


@cached_njit
def check_dim(index, n):
    """Position of the first entry of flat ``index`` outside ``[0, n)``, or -1."""
    for i in range(index.shape[0]):
        if index[i] < 0 or index[i] >= n:
            return i
    return -1


@cached_njit
def _offset(coord, strides, dim, j):
    off = 0
    for d in range(coord.shape[0]):
        off += (j if d == dim else coord[d]) * strides[d]
    return off


@cached_njit
def _advance(coord, shape):
    d = coord.shape[0] - 1
    while d >= 0:
        coord[d] += 1
        if coord[d] < shape[d]:
            return
        coord[d] = 0
        d -= 1


@cached_njit
def gather_nd(src, strides, index, ishape, dim, out):
    """out[i...] = src[i with i[dim] replaced by index[i...]] (flat C-order buffers)."""
    coord = np.zeros(ishape.shape[0], np.int64)
    for i in range(index.shape[0]):
        out[i] = src[_offset(coord, strides, dim, index[i])]
        _advance(coord, ishape)


@cached_njit
def scatter_nd(src, index, ishape, dim, strides, out, accumulate):
    """out[i with i[dim] replaced by index[i...]] (+)= src[i...] (flat C-order buffers)."""
    coord = np.zeros(ishape.shape[0], np.int64)
    for i in range(index.shape[0]):
        off = _offset(coord, strides, dim, index[i])
        if accumulate:
            out[off] += src[i]
        else:
            out[off] = src[i]
        _advance(coord, ishape)


@cached_njit
def count_nonzero(flat):
    n = 0
    for i in range(flat.shape[0]):
        if flat[i]:
            n += 1
    return n


@cached_njit
def nonzero_fill(flat, shape, out):
    """Row k of ``out`` = the multi-index of the k-th nonzero of C-ordered ``flat``."""
    coord = np.zeros(shape.shape[0], np.int64)
    k = 0
    for i in range(flat.shape[0]):
        if flat[i]:
            for d in range(shape.shape[0]):
                out[k, d] = coord[d]
            k += 1
        _advance(coord, shape)


@cached_njit(inputs=1)
def copy1(src, dst):
    """dst[i] = src[i] (both views of one collapsed iteration space, any strides)."""
    for i in range(dst.shape[0]):
        dst[i] = src[i]


@cached_njit(inputs=1)
def copy2(src, dst):
    for i in range(dst.shape[0]):
        for j in range(dst.shape[1]):
            dst[i, j] = src[i, j]


@cached_njit(inputs=1)
def copy3(src, dst):
    for i in range(dst.shape[0]):
        for j in range(dst.shape[1]):
            for k in range(dst.shape[2]):
                dst[i, j, k] = src[i, j, k]


#: Strided copy kernels by the collapsed ndim of the iteration space.
COPY = {1: copy1, 2: copy2, 3: copy3}
