"""Convolution kernels: im2col (unfold) and its adjoint col2im (fold).

A convolution is one im2col pass plus a BLAS matmul (numpy's, in the caller): on a 2-core
machine a direct loop nest cannot match BLAS for the channel/filter contraction, while im2col
is a cheap, memory-bound copy. The backward is the same pair in reverse: a matmul for the
column gradient, then col2im to add the columns back into the image.

Layout contract: images are C-contiguous planes ``x[p, y, x]`` with ``p = n * C + c``;
columns are ``cols[p, i * kw + j, oy * ow + ox]``, which, viewed as ``(N, C * kh * kw, L)``,
is PyTorch's ``unfold`` layout. A 1-d convolution is the 2-d one with ``H = kh = 1``. Each
plane is independent: a kernel takes a range of planes ``[p0, p1)``, and large inputs are split
into plane ranges run on :mod:`.workers`' threads (no races, the same bits as one call). One
serial ``nogil`` kernel per op, no ``prange`` twin: a ``parallel=True`` compile cost ~1 CPU s
per dtype (twice a serial one, which was itself a plane function plus a driver: two compiles).
"""

from __future__ import annotations

from . import workers
from .jit import cached_njit

# nogil: the thread pool (:func:`.workers.by_planes`) runs one kernel on several plane ranges.
_JIT = {"error_model": "numpy", "nogil": True}


@cached_njit(**_JIT)
def im2col(x, p0, p1, kh, kw, sh, sw, ph, pw, dh, dw, ow, cols):
    # x: (P, H, W); cols: (P, kh*kw, oh*ow), every element of planes p0 <= p < p1 written:
    # cols[p, i*kw + j, oy*ow + ox] = x[p, oy*sh - ph + i*dh, ox*sw - pw + j*dw], 0 outside
    h, w = x.shape[1], x.shape[2]
    oh = cols.shape[2] // ow if ow > 0 else 0
    zero = x.dtype.type(0)
    for p in range(p0, p1):
        for i in range(kh):
            for j in range(kw):
                row = cols[p, i * kw + j]
                for oy in range(oh):
                    y = oy * sh - ph + i * dh
                    base = oy * ow
                    if y < 0 or y >= h:
                        for ox in range(ow):
                            row[base + ox] = zero
                        continue
                    for ox in range(ow):
                        xx = ox * sw - pw + j * dw
                        row[base + ox] = x[p, y, xx] if 0 <= xx < w else zero


@cached_njit(**_JIT)
def col2im(cols, p0, p1, kh, kw, sh, sw, ph, pw, dh, dw, ow, gx):
    # cols: (P, kh*kw, oh*ow); gx: (P, H, W), planes p0 <= p < p1 overwritten:
    # gx[p, y, x] = sum of cols[p, i*kw + j, oy*ow + ox] over the taps that read (y, x)
    h, w = gx.shape[1], gx.shape[2]
    oh = cols.shape[2] // ow if ow > 0 else 0
    zero = gx.dtype.type(0)
    for p in range(p0, p1):
        for y in range(h):
            for xx in range(w):
                gx[p, y, xx] = zero
        for i in range(kh):
            for j in range(kw):
                row = cols[p, i * kw + j]
                for oy in range(oh):
                    y = oy * sh - ph + i * dh
                    if y < 0 or y >= h:
                        continue
                    base = oy * ow
                    for ox in range(ow):
                        xx = ox * sw - pw + j * dw
                        if 0 <= xx < w:
                            gx[p, y, xx] += row[base + ox]


#: ``pick(kernel, size)(x, *rest)``: the kernel over every plane, on the thread pool when
#: ``size`` (elements) reaches ``PARALLEL_THRESHOLD``.
pick = workers.by_planes
