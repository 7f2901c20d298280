"""Numba kernels behind nn.functional's fused ops: linear's bias, cross-entropy, nll_loss.

Layout contract: 2-D arrays are C-contiguous ``(rows, classes)``; outputs are preallocated by
the caller; every float constant is cast to the array's dtype so float32 stays float32.
``error_model="numpy"``: float division by zero gives inf/nan (PyTorch's result), and loops
vectorize.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def bias_add_rows(out, b):
    # out[i, j] += b[j]   (out: (N, F) C-contiguous, b: (F,))
    n, f = out.shape
    for i in range(n):
        for j in range(f):
            out[i, j] += b[j]


@njit(cache=True, error_model="numpy")
def col_sum(g, out):
    # out[j] = sum_i g[i, j]   (g: (N, F), out: (F,)); rows streamed, columns vectorized
    n, f = g.shape
    for j in range(f):
        out[j] = 0
    for i in range(n):
        for j in range(f):
            out[j] += g[i, j]


@njit(cache=True, error_model="numpy")
def cross_entropy_fwd(x, target, ignore_index, smoothing, lse, loss):
    # lse[i] = logsumexp(x[i]); loss[i] = (1-s)(lse - x[i,t]) + s/C sum_j (lse - x[i,j]);
    # rows whose target is ignore_index get loss 0. Returns the number of counted rows.
    n, c = x.shape
    one = x.dtype.type(1)
    keep = one - x.dtype.type(smoothing)
    share = x.dtype.type(smoothing) / x.dtype.type(c)
    counted = 0
    for i in range(n):
        m = x[i, 0]
        for j in range(1, c):
            if x[i, j] > m:
                m = x[i, j]
        s = x.dtype.type(0)
        total = x.dtype.type(0)
        for j in range(c):
            s += np.exp(x[i, j] - m)
            total += x[i, j]
        lse[i] = m + np.log(s)
        t = target[i]
        if t == ignore_index:
            loss[i] = 0
            continue
        if t < 0 or t >= c:
            return -1 - i
        counted += 1
        loss[i] = keep * (lse[i] - x[i, t]) + share * (c * lse[i] - total)
    return counted


@njit(cache=True, error_model="numpy")
def cross_entropy_bwd(x, target, ignore_index, smoothing, lse, scale, gx):
    # gx[i, j] = scale[i] * (softmax(x)[i, j] - (1-s)[j == t] - s/C); 0 on ignored rows
    n, c = x.shape
    keep = x.dtype.type(1) - x.dtype.type(smoothing)
    share = x.dtype.type(smoothing) / x.dtype.type(c)
    for i in range(n):
        t = target[i]
        if t == ignore_index:
            for j in range(c):
                gx[i, j] = 0
            continue
        s = scale[i]
        for j in range(c):
            gx[i, j] = s * (np.exp(x[i, j] - lse[i]) - share)
        gx[i, t] -= s * keep


@njit(cache=True, error_model="numpy")
def nll_fwd(x, target, ignore_index, loss):
    # loss[i] = -x[i, target[i]] (0 where ignored). Returns the counted rows, or -1-i if
    # row i's target is out of range.
    n, c = x.shape
    counted = 0
    for i in range(n):
        t = target[i]
        if t == ignore_index:
            loss[i] = 0
            continue
        if t < 0 or t >= c:
            return -1 - i
        loss[i] = -x[i, t]
        counted += 1
    return counted


@njit(cache=True, error_model="numpy")
def nll_bwd(target, ignore_index, scale, gx):
    # gx[i, target[i]] = -scale[i]; every other entry 0
    n, c = gx.shape
    for i in range(n):
        for j in range(c):
            gx[i, j] = 0
        t = target[i]
        if t != ignore_index:
            gx[i, t] = -scale[i]


@njit(cache=True, error_model="numpy")
def gather_rows(w, idx, out):
    # out[k, :] = w[idx[k], :]   (embedding lookup)
    for k in range(idx.shape[0]):
        out[k, :] = w[idx[k], :]


@njit(cache=True, error_model="numpy")
def scatter_add_rows(g, idx, skip, gw):
    # gw[idx[k], :] += g[k, :] for idx[k] != skip (repeated indices accumulate)
    for k in range(idx.shape[0]):
        r = idx[k]
        if r != skip:
            gw[r, :] += g[k, :]
