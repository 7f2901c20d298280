"""Window kernels: im2col/col2im (convolution) and max/average pooling over 3-d volumes.

The twins of :mod:`jitgrad.kernels.cpu.conv`, :mod:`jitgrad.kernels.cpu.pool` and the CPU's
n-d windows (:mod:`jitgrad.nn._windows_nd`). Every input is ``(P, D, H, W)`` volumes: a 2-d
plane is depth 1 and a 1-d line height 1 too, so one kernel serves conv1d/2d/3d and the 2-d
and 3-d pools. A window geometry is one tuple ``geo`` = ``(kd, kh, kw, sd, sh, sw, pd, ph,
pw, dd, dh, dw, od, oh, ow)``: kernel, stride, leading padding, dilation, output size per dim.
Each kernel is a grid-stride loop with one thread per output element. The adjoints (col2im,
the pooling backwards) gather instead of scattering: the thread of an input element adds the
contributions that read it in the order the CPU's scatter loop adds them, from zero, so their
sums are bitwise the CPU's and need no atomics (the same bits run to run).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import cuda

from .common import elementwise_grid, empty

# fmt: off
__all__ = [
    "add_channel", "flat_geometry", "im2col", "col2im", "max_pool", "max_pool_backward",
    "max_pool_take", "window_max", "window_max_backward", "avg_pool", "avg_pool_backward",
]
# fmt: on


def flat_geometry(k: tuple, s: tuple, p: tuple, d: tuple, out: tuple) -> tuple:
    """``geo`` from per-dim ``(k, s, p, d, out)`` tuples of 2 or 3 dims (depth 1 added)."""
    if len(k) == 2:
        k, s, p, d, out = (1, *k), (1, *s), (0, *p), (1, *d), (1, *out)
    return tuple(int(v) for v in (*k, *s, *p, *d, *out))


@cuda.jit
def _im2col_kernel(x, geo, cols):
    # cols[p, (a*kh + i)*kw + j, (oz*oh + oy)*ow + ox] = x[p, oz*sd - pd + a*dd, oy*sh - ph +
    # i*dh, ox*sw - pw + j*dw], 0 outside (the CPU's row order: depth tap, row tap, column tap)
    kh, kw, sd, sh, sw = geo[1], geo[2], geo[3], geo[4], geo[5]
    pd, ph, pw, dd, dh, dw = geo[6], geo[7], geo[8], geo[9], geo[10], geo[11]
    oh, ow = geo[13], geo[14]
    d, h, w = x.shape[1], x.shape[2], x.shape[3]
    taps, length = cols.shape[1], cols.shape[2]
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, cols.size, step):
        p = k // (taps * length)
        t = (k // length) % taps
        q = k % length
        z = (q // (oh * ow)) * sd - pd + (t // (kh * kw)) * dd
        y = ((q // ow) % oh) * sh - ph + ((t // kw) % kh) * dh
        xx = (q % ow) * sw - pw + (t % kw) * dw
        v = cols.dtype.type(0)
        if 0 <= z < d and 0 <= y < h and 0 <= xx < w:
            v = x[p, z, y, xx]
        cols[p, t, q] = v


@cuda.jit
def _col2im_kernel(cols, per_tap, geo, gx):
    # gx[p, z, y, x] = the columns that im2col read from (z, y, x): per depth tap (in order)
    # the row and column taps' sum from zero, then added, as the CPU's n-d col2im does (a 2-d
    # col2im per depth tap, scatter-added along depth). per_tap 0: cols (P, 1, L), the same
    # column for every tap (an average pool's gradient over its divisor)
    kd, kh, kw, sd, sh, sw = geo[0], geo[1], geo[2], geo[3], geo[4], geo[5]
    pd, ph, pw, dd, dh, dw = geo[6], geo[7], geo[8], geo[9], geo[10], geo[11]
    od, oh, ow = geo[12], geo[13], geo[14]
    d, h, w = gx.shape[1], gx.shape[2], gx.shape[3]
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, gx.size, step):
        p = k // (d * h * w)
        z = (k // (h * w)) % d
        y = (k // w) % h
        xx = k % w
        s = gx.dtype.type(0)
        for a in range(kd):
            nz = z + pd - a * dd
            if nz < 0 or nz % sd != 0 or nz // sd >= od:
                continue
            inner = gx.dtype.type(0)
            for i in range(kh):
                ny = y + ph - i * dh
                if ny < 0 or ny % sh != 0 or ny // sh >= oh:
                    continue
                for j in range(kw):
                    nx = xx + pw - j * dw
                    if nx < 0 or nx % sw != 0 or nx // sw >= ow:
                        continue
                    row = ((a * kh + i) * kw + j) * per_tap
                    inner += cols[p, row, ((nz // sd) * oh + ny // sh) * ow + nx // sw]
            s += inner
        gx[p, z, y, xx] = s


def im2col(x: Any, geo: tuple) -> Any:
    """``(P, D, H, W)`` volumes -> ``(P, kd*kh*kw, od*oh*ow)`` columns (zero outside)."""
    taps, length = geo[0] * geo[1] * geo[2], geo[12] * geo[13] * geo[14]
    cols = empty((x.shape[0], taps, length), x.dtype)
    if cols.size:
        grid, threads = elementwise_grid(cols.size)
        _im2col_kernel[grid, threads](x, geo, cols)
    return cols


def col2im(cols: Any, geo: tuple, size: tuple) -> Any:
    """The adjoint of :func:`im2col`: ``(P, taps, L)`` columns (or ``(P, 1, L)``, one column
    read by every tap) summed into ``(P, *size)`` volumes."""
    gx = empty((cols.shape[0], *size), cols.dtype)
    if gx.size:
        grid, threads = elementwise_grid(gx.size)
        _col2im_kernel[grid, threads](cols, 1 if cols.shape[1] > 1 else 0, geo, gx)
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


@cuda.jit(device=True, inline=True)
def _first_inside(o, s, p, dl):
    # the window's first position inside the input (its first tap may be in the padding)
    v = o * s - p
    while v < 0:
        v += dl
    return v


@cuda.jit
def _max_pool_kernel(x, geo, out, idx):
    # out[p, oz, oy, ox] = the window's max in depth-row-column order (the first maximum; the
    # last NaN wins); idx its flat position (z*H + y)*W + x
    kd, kh, kw, sd, sh, sw = geo[0], geo[1], geo[2], geo[3], geo[4], geo[5]
    pd, ph, pw, dd, dh, dw = geo[6], geo[7], geo[8], geo[9], geo[10], geo[11]
    d, h, w = x.shape[1], x.shape[2], x.shape[3]
    od, oh, ow = out.shape[1], out.shape[2], out.shape[3]
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, out.size, step):
        p = k // (od * oh * ow)
        oz = (k // (oh * ow)) % od
        oy = (k // ow) % oh
        ox = k % ow
        best = x.dtype.type(-np.inf)
        at = (_first_inside(oz, sd, pd, dd) * h + _first_inside(oy, sh, ph, dh)) * w
        at += _first_inside(ox, sw, pw, dw)
        for a in range(kd):
            z = oz * sd - pd + a * dd
            if z < 0 or z >= d:
                continue
            for i in range(kh):
                y = oy * sh - ph + i * dh
                if y < 0 or y >= h:
                    continue
                for j in range(kw):
                    xx = ox * sw - pw + j * dw
                    if xx < 0 or xx >= w:
                        continue
                    v = x[p, z, y, xx]
                    if v > best or v != v:
                        best = v
                        at = (z * h + y) * w + xx
        out[p, oz, oy, ox] = best
        idx[p, oz, oy, ox] = at


@cuda.jit(device=True, inline=True)
def _first_window(pos, s, p, reach):
    # the first output whose window can reach pos (one starting past pos cannot hold it)
    lo = (pos + p - reach + s - 1) // s
    return lo if lo > 0 else 0


@cuda.jit
def _max_pool_bwd_kernel(g, idx, geo, gx):
    # gx[p, z, y, x] = the g of the windows whose argmax is there, in output order (the
    # CPU's scatter order); windows starting past the position or ending before it are skipped
    kd, kh, kw, sd, sh, sw = geo[0], geo[1], geo[2], geo[3], geo[4], geo[5]
    pd, ph, pw, dd, dh, dw = geo[6], geo[7], geo[8], geo[9], geo[10], geo[11]
    od, oh, ow = geo[12], geo[13], geo[14]
    d, h, w = gx.shape[1], gx.shape[2], gx.shape[3]
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, gx.size, step):
        p = k // (d * h * w)
        pos = k % (d * h * w)
        z, y, xx = pos // (h * w), (pos // w) % h, pos % w
        s = gx.dtype.type(0)
        for oz in range(_first_window(z, sd, pd, (kd - 1) * dd), od):
            if oz * sd - pd > z:
                break
            for oy in range(_first_window(y, sh, ph, (kh - 1) * dh), oh):
                if oy * sh - ph > y:
                    break
                for ox in range(_first_window(xx, sw, pw, (kw - 1) * dw), ow):
                    if ox * sw - pw > xx:
                        break
                    o = (oz * oh + oy) * ow + ox
                    if idx[p, o] == pos:
                        s += g[p, o]
        gx[p, z, y, xx] = s


def max_pool(x: Any, geo: tuple) -> tuple[Any, Any]:
    """Window maxima of ``(P, D, H, W)`` volumes and their flat int64 positions."""
    out = empty((x.shape[0], *geo[12:]), x.dtype)
    idx = empty((x.shape[0], *geo[12:]), np.int64)
    if out.size:
        grid, threads = elementwise_grid(out.size)
        _max_pool_kernel[grid, threads](x, geo, out, idx)
    return out, idx


def max_pool_backward(g: Any, idx: Any, geo: tuple, size: tuple) -> Any:
    """``(P, od*oh*ow)`` gradients added at their windows' argmax: ``(P, *size)``."""
    gx = empty((g.shape[0], *size), g.dtype)
    if gx.size:
        grid, threads = elementwise_grid(gx.size)
        _max_pool_bwd_kernel[grid, threads](g, idx, geo, gx)
    return gx


@cuda.jit
def _take_kernel(src, idx, out):
    # out[p, o] = src[p, idx[p, o]]: the adjoint of the max pool's backward (its gather)
    length = out.shape[1]
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, out.size, step):
        p = k // length
        out[p, k % length] = src[p, idx[p, k % length]]


def max_pool_take(src: Any, idx: Any) -> Any:
    """``(P, D*H*W)`` values read at the ``(P, L)`` argmax positions: ``(P, L)``."""
    out = empty(idx.shape, src.dtype)
    if out.size:
        grid, threads = elementwise_grid(out.size)
        _take_kernel[grid, threads](src, idx, out)
    return out


@cuda.jit
def _window_max_kernel(x, ds, de, hs, he, ws, we, out, idx):
    # out[p, oz, oy, ox] = max x[p, ds:de, hs:he, ws:we] (adaptive windows) in depth-row-column
    # order (the first maximum, the last NaN); idx its flat position (z*H + y)*W + x
    h, w = x.shape[2], x.shape[3]
    od, oh, ow = out.shape[1], out.shape[2], out.shape[3]
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, out.size, step):
        p = k // (od * oh * ow)
        oz = (k // (oh * ow)) % od
        oy = (k // ow) % oh
        ox = k % ow
        best = x.dtype.type(-np.inf)
        at = (ds[oz] * h + hs[oy]) * w + ws[ox]
        for z in range(ds[oz], de[oz]):
            for y in range(hs[oy], he[oy]):
                for xx in range(ws[ox], we[ox]):
                    v = x[p, z, y, xx]
                    if v > best or v != v:
                        best = v
                        at = (z * h + y) * w + xx
        out[p, oz, oy, ox] = best
        idx[p, oz, oy, ox] = at


@cuda.jit
def _window_max_bwd_kernel(g, idx, ds, de, hs, he, ws, we, gx):
    # gx[p, z, y, x] = the g of the windows holding (z, y, x) whose argmax it is, in output
    # order (the CPU's scatter order)
    d, h, w = gx.shape[1], gx.shape[2], gx.shape[3]
    oh, ow = he.shape[0], we.shape[0]
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, gx.size, step):
        p = k // (d * h * w)
        pos = k % (d * h * w)
        z, y, xx = pos // (h * w), (pos // w) % h, pos % w
        s = gx.dtype.type(0)
        for oz in range(de.shape[0]):
            if ds[oz] > z:
                break
            if de[oz] <= z:
                continue
            for oy in range(oh):
                if hs[oy] > y:
                    break
                if he[oy] <= y:
                    continue
                for ox in range(ow):
                    if ws[ox] > xx:
                        break
                    o = (oz * oh + oy) * ow + ox
                    if we[ox] > xx and idx[p, o] == pos:
                        s += g[p, o]
        gx[p, z, y, xx] = s


def window_max(x: Any, bounds: tuple) -> tuple[Any, Any]:
    """Maxima of ``(P, D, H, W)`` volumes over adaptive windows (device bound arrays
    ``(ds, de, hs, he, ws, we)``) and their flat int64 positions."""
    shape = (x.shape[0], bounds[0].shape[0], bounds[2].shape[0], bounds[4].shape[0])
    out, idx = empty(shape, x.dtype), empty(shape, np.int64)
    if out.size:
        grid, threads = elementwise_grid(out.size)
        _window_max_kernel[grid, threads](x, *bounds, out, idx)
    return out, idx


def window_max_backward(g: Any, idx: Any, bounds: tuple, size: tuple) -> Any:
    """The adjoint of :func:`window_max`: ``(P, L)`` gradients at the argmax: ``(P, *size)``."""
    gx = empty((g.shape[0], *size), g.dtype)
    if gx.size:
        grid, threads = elementwise_grid(gx.size)
        _window_max_bwd_kernel[grid, threads](g, idx, *bounds, gx)
    return gx


@cuda.jit
def _avg_pool_kernel(x, ds, de, hs, he, ws, we, div, out):
    # out[p, oz, oy, ox] = sum x[p, ds:de, hs:he, ws:we] (depth-row-column order) / div
    od, oh, ow = out.shape[1], out.shape[2], out.shape[3]
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, out.size, step):
        p = k // (od * oh * ow)
        oz = (k // (oh * ow)) % od
        oy = (k // ow) % oh
        ox = k % ow
        s = out.dtype.type(0)
        for z in range(ds[oz], de[oz]):
            for y in range(hs[oy], he[oy]):
                for xx in range(ws[ox], we[ox]):
                    s += x[p, z, y, xx]
        out[p, oz, oy, ox] = s / div[oz, oy, ox]


@cuda.jit
def _avg_pool_bwd_kernel(g, ds, de, hs, he, ws, we, div, gx):
    # gx[p, z, y, x] = the g / div of the windows holding (z, y, x), in output order (the
    # CPU's 2-d scatter order)
    d, h, w = gx.shape[1], gx.shape[2], gx.shape[3]
    od, oh, ow = g.shape[1], g.shape[2], g.shape[3]
    start, step = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, gx.size, step):
        p = k // (d * h * w)
        z = (k // (h * w)) % d
        y = (k // w) % h
        xx = k % w
        s = gx.dtype.type(0)
        for oz in range(od):
            if ds[oz] > z:
                break
            if de[oz] <= z:
                continue
            for oy in range(oh):
                if hs[oy] > y:
                    break
                if he[oy] <= y:
                    continue
                for ox in range(ow):
                    if ws[ox] > xx:
                        break
                    if we[ox] > xx:
                        s += g[p, oz, oy, ox] / div[oz, oy, ox]
        gx[p, z, y, xx] = s


def avg_pool(x: Any, bounds: tuple, div: Any) -> Any:
    """Window means of ``(P, D, H, W)`` volumes over the CPU's window bounds (device arrays
    ``(ds, de, hs, he, ws, we)``) and divisors ``(od, oh, ow)``."""
    out = empty((x.shape[0], *div.shape), x.dtype)
    if out.size:
        grid, threads = elementwise_grid(out.size)
        _avg_pool_kernel[grid, threads](x, *bounds, div, out)
    return out


def avg_pool_backward(g: Any, bounds: tuple, div: Any, size: tuple) -> Any:
    """The adjoint of :func:`avg_pool`: ``(P, od, oh, ow)`` -> ``(P, *size)``."""
    gx = empty((g.shape[0], *size), g.dtype)
    if gx.size:
        grid, threads = elementwise_grid(gx.size)
        _avg_pool_bwd_kernel[grid, threads](g, *bounds, div, gx)
    return gx
