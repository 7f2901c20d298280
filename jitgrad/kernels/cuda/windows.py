"""Window kernels: im2col/col2im (convolution) and max/average pooling over 2-d planes.

The twins of :mod:`jitgrad.kernels.cpu.conv` and :mod:`jitgrad.kernels.cpu.pool`, with the
same arguments (planes ``(P, H, W)``, the window geometry as ints or the CPU's window bound
arrays). Each is a grid-stride loop with one thread per output element. The adjoints
(col2im, the pooling backwards) gather instead of scattering: the thread of an input element
adds the contributions that read it in the order the CPU's scatter loop adds them, from zero,
so their sums are bitwise the CPU's and need no atomics (the same bits run to run).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import cuda

from .common import elementwise_grid, empty

__all__ = [
    "add_channel",
    "im2col",
    "col2im",
    "max_pool",
    "max_pool_backward",
    "avg_pool",
    "avg_pool_backward",
]


@cuda.jit
def _im2col_kernel(x, kh, kw, sh, sw, ph, pw, dh, dw, ow, cols):
    # cols[p, i*kw + j, oy*ow + ox] = x[p, oy*sh - ph + i*dh, ox*sw - pw + j*dw], 0 outside
    h, w = x.shape[1], x.shape[2]
    taps, length = cols.shape[1], cols.shape[2]
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, cols.size, step):
        p = k // (taps * length)
        t = (k // length) % taps
        q = k % length
        y = (q // ow) * sh - ph + (t // kw) * dh
        xx = (q % ow) * sw - pw + (t % kw) * dw
        v = cols.dtype.type(0)
        if 0 <= y < h and 0 <= xx < w:
            v = x[p, y, xx]
        cols[p, t, q] = v


@cuda.jit
def _col2im_kernel(cols, kh, kw, sh, sw, ph, pw, dh, dw, ow, gx):
    # gx[p, y, x] = the columns that im2col read from (y, x), added in tap order (the CPU's)
    h, w = gx.shape[1], gx.shape[2]
    oh = cols.shape[2] // ow
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, gx.size, step):
        p = k // (h * w)
        y = (k // w) % h
        xx = k % w
        s = gx.dtype.type(0)
        for i in range(kh):
            ny = y + ph - i * dh
            if ny < 0 or ny % sh != 0 or ny // sh >= oh:
                continue
            for j in range(kw):
                nx = xx + pw - j * dw
                if nx < 0 or nx % sw != 0 or nx // sw >= ow:
                    continue
                s += cols[p, i * kw + j, (ny // sh) * ow + nx // sw]
        gx[p, y, xx] = s


def im2col(
    x: Any, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, dh: int, dw: int, oh: int, ow: int
) -> Any:
    """``(P, H, W)`` planes -> ``(P, kh*kw, oh*ow)`` columns (zero outside the input)."""
    cols = empty((x.shape[0], kh * kw, oh * ow), x.dtype)
    if cols.size:
        grid, threads = elementwise_grid(cols.size)
        _im2col_kernel[grid, threads](x, kh, kw, sh, sw, ph, pw, dh, dw, ow, cols)
    return cols


def col2im(
    cols: Any,
    kh: int,
    kw: int,
    sh: int,
    sw: int,
    ph: int,
    pw: int,
    dh: int,
    dw: int,
    ow: int,
    h: int,
    w: int,
) -> Any:
    """The adjoint of :func:`im2col`: ``(P, kh*kw, oh*ow)`` summed into ``(P, h, w)``."""
    gx = empty((cols.shape[0], h, w), cols.dtype)
    if gx.size:
        grid, threads = elementwise_grid(gx.size)
        _col2im_kernel[grid, threads](cols, kh, kw, sh, sw, ph, pw, dh, dw, ow, gx)
    return gx


@cuda.jit
def _add_channel_kernel(out, b):
    # out[n, o, l] += b[o] (a convolution's bias, added after the product as on the CPU)
    chans, length = out.shape[1], out.shape[2]
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, out.size, step):
        o = (k // length) % chans
        out[k // (chans * length), o, k % length] += b[o]


def add_channel(out: Any, b: Any) -> None:
    """``out`` (N, C, L) plus ``b`` (C,) along dim 1, in place."""
    if out.size:
        grid, threads = elementwise_grid(out.size)
        _add_channel_kernel[grid, threads](out, b)


@cuda.jit
def _max_pool_kernel(x, kh, kw, sh, sw, ph, pw, dh, dw, out, idx):
    # out[p, oy, ox] = the window's max (the last NaN wins); idx its flat position y*W + x
    h, w = x.shape[1], x.shape[2]
    oh, ow = out.shape[1], out.shape[2]
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, out.size, step):
        p = k // (oh * ow)
        oy = (k // ow) % oh
        ox = k % ow
        y0 = oy * sh - ph
        while y0 < 0:
            y0 += dh
        x0 = ox * sw - pw
        while x0 < 0:
            x0 += dw
        best = x.dtype.type(-np.inf)
        at = y0 * w + x0
        for i in range(kh):
            y = oy * sh - ph + i * dh
            if y < 0 or y >= h:
                continue
            for j in range(kw):
                xx = ox * sw - pw + j * dw
                if xx < 0 or xx >= w:
                    continue
                v = x[p, y, xx]
                if v > best or v != v:
                    best = v
                    at = y * w + xx
        out[p, oy, ox] = best
        idx[p, oy, ox] = at


@cuda.jit
def _max_pool_bwd_kernel(g, idx, sh, sw, ph, pw, reach_h, reach_w, ow, w, gx):
    # gx[p, pos] = the g of the windows whose argmax is pos, in output order (the CPU's
    # scatter order); a window starting past pos or ending before it cannot hold it
    n_out = g.shape[1]
    oh = n_out // ow
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, gx.size, step):
        p = k // gx.shape[1]
        pos = k % gx.shape[1]
        y, xx = pos // w, pos % w
        lo_y = (y + ph - reach_h + sh - 1) // sh
        lo_x = (xx + pw - reach_w + sw - 1) // sw
        s = gx.dtype.type(0)
        for oy in range(lo_y if lo_y > 0 else 0, oh):
            if oy * sh - ph > y:
                break
            for ox in range(lo_x if lo_x > 0 else 0, ow):
                if ox * sw - pw > xx:
                    break
                o = oy * ow + ox
                if idx[p, o] == pos:
                    s += g[p, o]
        gx[p, pos] = s


def max_pool(
    x: Any, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, dh: int, dw: int, oh: int, ow: int
) -> tuple[Any, Any]:
    """Window maxima of ``(P, H, W)`` planes and their flat int64 positions."""
    out = empty((x.shape[0], oh, ow), x.dtype)
    idx = empty((x.shape[0], oh, ow), np.int64)
    if out.size:
        grid, threads = elementwise_grid(out.size)
        _max_pool_kernel[grid, threads](x, kh, kw, sh, sw, ph, pw, dh, dw, out, idx)
    return out, idx


def max_pool_backward(g: Any, idx: Any, geometry: tuple, hw: tuple[int, int]) -> Any:
    """``(P, oh*ow)`` gradients added at their windows' argmax: ``(P, H*W)``;
    ``geometry`` = (kh, kw, sh, sw, ph, pw, dh, dw, ow)."""
    kh, kw, sh, sw, ph, pw, dh, dw, ow = geometry
    gx = empty((g.shape[0], hw[0] * hw[1]), g.dtype)
    if gx.size:
        grid, threads = elementwise_grid(gx.size)
        reach_h, reach_w = (kh - 1) * dh, (kw - 1) * dw
        _max_pool_bwd_kernel[grid, threads](g, idx, sh, sw, ph, pw, reach_h, reach_w, ow,
                                            hw[1], gx)  # fmt: skip
    return gx


@cuda.jit
def _avg_pool_kernel(x, hs, he, ws, we, div, out):
    # out[p, oy, ox] = sum x[p, hs[oy]:he[oy], ws[ox]:we[ox]] / div[oy, ox]
    oh, ow = out.shape[1], out.shape[2]
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, out.size, step):
        p = k // (oh * ow)
        oy = (k // ow) % oh
        ox = k % ow
        s = out.dtype.type(0)
        for y in range(hs[oy], he[oy]):
            for xx in range(ws[ox], we[ox]):
                s += x[p, y, xx]
        out[p, oy, ox] = s / div[oy, ox]


@cuda.jit
def _avg_pool_bwd_kernel(g, hs, he, ws, we, div, gx):
    # gx[p, y, x] = the g / div of the windows holding (y, x), in output order (the CPU's)
    h, w = gx.shape[1], gx.shape[2]
    oh, ow = g.shape[1], g.shape[2]
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, gx.size, step):
        p = k // (h * w)
        y = (k // w) % h
        xx = k % w
        s = gx.dtype.type(0)
        for oy in range(oh):
            if hs[oy] > y:
                break
            if he[oy] <= y:
                continue
            for ox in range(ow):
                if ws[ox] > xx:
                    break
                if we[ox] > xx:
                    s += g[p, oy, ox] / div[oy, ox]
        gx[p, y, xx] = s


def avg_pool(x: Any, hs: Any, he: Any, ws: Any, we: Any, div: Any) -> Any:
    """Window means of ``(P, H, W)`` planes over the CPU's window bounds (device arrays)."""
    out = empty((x.shape[0], hs.shape[0], ws.shape[0]), x.dtype)
    if out.size:
        grid, threads = elementwise_grid(out.size)
        _avg_pool_kernel[grid, threads](x, hs, he, ws, we, div, out)
    return out


def avg_pool_backward(
    g: Any, hs: Any, he: Any, ws: Any, we: Any, div: Any, hw: tuple[int, int]
) -> Any:
    """The adjoint of :func:`avg_pool`: ``(P, oh, ow)`` -> ``(P, H, W)``."""
    gx = empty((g.shape[0], *hw), g.dtype)
    if gx.size:
        grid, threads = elementwise_grid(gx.size)
        _avg_pool_bwd_kernel[grid, threads](g, hs, he, ws, we, div, gx)
    return gx
