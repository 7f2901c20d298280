"""Pooling kernels: max pooling with indices, and window averaging (plain and adaptive).

Layout contract: C-contiguous planes ``x[p, y, x]`` (``p = n * C + c``; 1-d pools use
``H = 1``); outputs ``(P, OH, OW)`` preallocated by the caller. Max pooling follows PyTorch's
CPU kernel: the first element of a window wins ties, NaN wins over numbers (the window's last
NaN, as PyTorch's loop has no early exit), and the index is the flat position ``y * W + x``
within the plane. Average pooling takes each output's window
as row and column ranges ``[hs, he) x [ws, we)`` (already clipped to the image) and a divisor
per output, so plain pooling (padding, ceil_mode, count_include_pad, divisor_override) and
adaptive pooling share one kernel. Planes are independent: the ``*_par`` drivers split them
across threads and give the same bits as the serial ones.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ... import helpers
from .jit import cached_njit

_JIT = {"error_model": "numpy"}


@cached_njit(**_JIT)
def _max_plane(x, p, kh, kw, sh, sw, ph, pw, dh, dw, out, idx):
    # out[p, oy, ox] = max over the dilated window; idx = its flat position y*W + x
    h, w = x.shape[1], x.shape[2]
    for oy in range(out.shape[1]):
        y0 = oy * sh - ph
        while y0 < 0:
            y0 += dh
        for ox in range(out.shape[2]):
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
                    if v > best or np.isnan(v):  # the last NaN of the window wins
                        best = v
                        at = y * w + xx
            out[p, oy, ox] = best
            idx[p, oy, ox] = at


@cached_njit(**_JIT)
def max_pool_fwd(x, kh, kw, sh, sw, ph, pw, dh, dw, out, idx):
    for p in range(x.shape[0]):
        _max_plane(x, p, kh, kw, sh, sw, ph, pw, dh, dw, out, idx)


@cached_njit(**_JIT, parallel=True)
def max_pool_fwd_par(x, kh, kw, sh, sw, ph, pw, dh, dw, out, idx):
    for p in prange(x.shape[0]):
        _max_plane(x, p, kh, kw, sh, sw, ph, pw, dh, dw, out, idx)


@cached_njit(**_JIT)
def max_pool_bwd(g, idx, gx):
    # gx[p].flat[idx[p, o]] += g[p, o]; gx: (P, H*W) zeroed by the caller
    for p in range(g.shape[0]):
        for o in range(g.shape[1]):
            gx[p, idx[p, o]] += g[p, o]


@cached_njit(**_JIT, parallel=True)
def max_pool_bwd_par(g, idx, gx):
    for p in prange(g.shape[0]):
        for o in range(g.shape[1]):
            gx[p, idx[p, o]] += g[p, o]


@cached_njit(**_JIT)
def _avg_plane(x, p, hs, he, ws, we, div, out):
    # out[p, oy, ox] = sum x[p, hs[oy]:he[oy], ws[ox]:we[ox]] / div[oy, ox]
    for oy in range(out.shape[1]):
        for ox in range(out.shape[2]):
            s = x.dtype.type(0)
            for y in range(hs[oy], he[oy]):
                for xx in range(ws[ox], we[ox]):
                    s += x[p, y, xx]
            out[p, oy, ox] = s / div[oy, ox]


@cached_njit(**_JIT)
def avg_pool_fwd(x, hs, he, ws, we, div, out):
    for p in range(x.shape[0]):
        _avg_plane(x, p, hs, he, ws, we, div, out)


@cached_njit(**_JIT, parallel=True)
def avg_pool_fwd_par(x, hs, he, ws, we, div, out):
    for p in prange(x.shape[0]):
        _avg_plane(x, p, hs, he, ws, we, div, out)


@cached_njit(**_JIT)
def _avg_bwd_plane(g, p, hs, he, ws, we, div, gx):
    # the adjoint of _avg_plane: each g[p, oy, ox] / div spread over its window
    for y in range(gx.shape[1]):
        for xx in range(gx.shape[2]):
            gx[p, y, xx] = 0
    for oy in range(g.shape[1]):
        for ox in range(g.shape[2]):
            v = g[p, oy, ox] / div[oy, ox]
            for y in range(hs[oy], he[oy]):
                for xx in range(ws[ox], we[ox]):
                    gx[p, y, xx] += v


@cached_njit(**_JIT)
def avg_pool_bwd(g, hs, he, ws, we, div, gx):
    for p in range(g.shape[0]):
        _avg_bwd_plane(g, p, hs, he, ws, we, div, gx)


@cached_njit(**_JIT, parallel=True)
def avg_pool_bwd_par(g, hs, he, ws, we, div, gx):
    for p in prange(g.shape[0]):
        _avg_bwd_plane(g, p, hs, he, ws, we, div, gx)


_PARALLEL = {
    max_pool_fwd: max_pool_fwd_par,
    max_pool_bwd: max_pool_bwd_par,
    avg_pool_fwd: avg_pool_fwd_par,
    avg_pool_bwd: avg_pool_bwd_par,
}


def pick(kernel, size: int):
    """``kernel``'s prange variant when ``size`` (elements) reaches ``PARALLEL_THRESHOLD``."""
    return _PARALLEL[kernel] if size >= helpers.PARALLEL_THRESHOLD else kernel
