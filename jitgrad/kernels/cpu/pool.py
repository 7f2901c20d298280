"""Pooling kernels: max pooling with indices, and window averaging (plain and adaptive).

Layout contract: C-contiguous planes ``x[p, y, x]`` (``p = n * C + c``; 1-d pools use
``H = 1``); outputs ``(P, OH, OW)`` preallocated by the caller. Max pooling follows PyTorch's
CPU kernel: the first element of a window wins ties, NaN wins over numbers (the window's last
NaN, as PyTorch's loop has no early exit), and the index is the flat position ``y * W + x``
within the plane. Average pooling takes each output's window
as row and column ranges ``[hs, he) x [ws, we)`` (already clipped to the image) and a divisor
per output, so plain pooling (padding, ceil_mode, count_include_pad, divisor_override) and
adaptive pooling share one kernel. Planes are independent: each kernel takes a plane range
``[p0, p1)`` and :func:`pick` runs large inputs as several ranges on :mod:`.workers`' threads
(the same bits as one call; no ``prange`` twins: see :mod:`.conv`).
"""

from __future__ import annotations

import numpy as np

from . import workers
from .jit import cached_njit

_JIT = {"error_model": "numpy", "nogil": True}


@cached_njit(**_JIT)
def max_pool_fwd(x, p0, p1, kh, kw, sh, sw, ph, pw, dh, dw, out, idx):
    # out[p, oy, ox] = max over the dilated window; idx = its flat position y*W + x
    h, w = x.shape[1], x.shape[2]
    for p in range(p0, p1):
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
def max_pool_bwd(g, p0, p1, idx, gx):
    # gx[p].flat[idx[p, o]] += g[p, o]; gx: (P, H*W) zeroed by the caller
    for p in range(p0, p1):
        for o in range(g.shape[1]):
            gx[p, idx[p, o]] += g[p, o]


@cached_njit(**_JIT)
def avg_pool_fwd(x, p0, p1, hs, he, ws, we, div, out):
    # out[p, oy, ox] = sum x[p, hs[oy]:he[oy], ws[ox]:we[ox]] / div[oy, ox]
    for p in range(p0, p1):
        for oy in range(out.shape[1]):
            for ox in range(out.shape[2]):
                s = x.dtype.type(0)
                for y in range(hs[oy], he[oy]):
                    for xx in range(ws[ox], we[ox]):
                        s += x[p, y, xx]
                out[p, oy, ox] = s / div[oy, ox]


@cached_njit(**_JIT)
def avg_pool_bwd(g, p0, p1, hs, he, ws, we, div, gx):
    # the adjoint of avg_pool_fwd: each g[p, oy, ox] / div spread over its window
    for p in range(p0, p1):
        for y in range(gx.shape[1]):
            for xx in range(gx.shape[2]):
                gx[p, y, xx] = 0
        for oy in range(g.shape[1]):
            for ox in range(g.shape[2]):
                v = g[p, oy, ox] / div[oy, ox]
                for y in range(hs[oy], he[oy]):
                    for xx in range(ws[ox], we[ox]):
                        gx[p, y, xx] += v


#: ``pick(kernel, size)(x, *rest)``: the kernel over every plane (see :func:`.workers.by_planes`)
pick = workers.by_planes
