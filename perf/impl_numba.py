"""Hand-fused Numba kernels: loss and every gradient in one parallel pass over the data.

This is the target jitgrad's fusion pass aims at, written as well as we know how: one read of
each input, one write of each gradient, derivatives derived by hand, and

* the transcendentals from :mod:`jitgrad.kernels.cpu.fastmath` (Numba's own ``np.tanh`` on a
  scalar is a libm call that stops LLVM from vectorizing the loop: 4-6x slower here);
* the loss reduced in fixed blocks: each block stores its summands into a scratch array of the
  input dtype and sums that in float64 with :func:`jitgrad.kernels.cpu.scalar.block_sum`. A
  running ``loss +=`` inside ``prange`` would make the loop a scalar add chain, and a float64
  scratch array halves the vector width of the float32 loop.

It exists only for the elementwise workloads (plus the two overhead-bound ones, where a single
compiled call is the lower bound on dispatch cost). No ``fastmath``: jitgrad does not use it
by default either. Constants are passed in as arguments of the input dtype, because a literal
``1.0`` inside a Numba kernel is float64 and would silently promote float32 arithmetic.

The gradient arrays are allocated once and written again on every call, as a hand-written loop
would keep them: a fresh multi-megabyte array costs a page-zeroing pass on first touch (on the
project machine about as much as writing it), which is not fusion's business. jitgrad gets
the same effect from its caching allocator (:mod:`jitgrad.memory`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit, prange

from jitgrad.kernels.cpu import fastmath as fm
from jitgrad.kernels.cpu.scalar import block_sum

from . import workloads as W

Outputs = dict[str, object]

#: Elements per reduction block (the same block jitgrad's generated kernels use).
BLOCK = 4096


def _math(dtype: np.dtype) -> tuple:
    """tanh, exp, sin, cos for ``dtype``: the float32 ones never widen to float64."""
    if dtype == np.float32:
        return fm.tanh32, fm.exp32, fm.sin32, fm.cos32
    return fm.tanh64, fm.exp64, fm.sin64, fm.cos64


def _kernels(dtype: np.dtype) -> dict[str, Callable]:
    """The three hand-fused kernels for one dtype, compiled on first call.

    Built per dtype because the math functions are picked by dtype; closures over compiled
    functions cannot use Numba's disk cache, so these compile once per process (outside the
    timed region: the harness warms every implementation up first).
    """
    tanh, exp, sin, cos = _math(dtype)

    @njit(parallel=True, error_model="numpy")
    def chain(x, y, dx, dy, one, two):  # pragma: no cover - compiled
        n = x.shape[0]
        n_blk = (n + BLOCK - 1) // BLOCK
        part = np.empty(n_blk)
        for k in prange(n_blk):
            lo = k * BLOCK
            hi = min(lo + BLOCK, n)
            blk = np.empty(hi - lo, x.dtype)
            for i in range(lo, hi):
                xi = x[i]
                yi = y[i]
                t = tanh(xi * yi + sin(xi))
                r = one / (one + yi * yi)
                er = exp(-xi * xi) * r
                ter = t * er
                blk[i - lo] = ter
                dt = one - t * t
                dx[i] = dt * (yi + cos(xi)) * er - two * xi * ter
                dy[i] = er * (dt * xi - two * yi * t * r)
            part[k] = block_sum(blk, 0.0)
        return part.sum()

    @njit(parallel=True, error_model="numpy")
    def gelu(x, dx, half, one, c, a, three_a, inv_n):  # pragma: no cover - compiled
        n = x.shape[0]
        n_blk = (n + BLOCK - 1) // BLOCK
        part = np.empty(n_blk)
        for k in prange(n_blk):
            lo = k * BLOCK
            hi = min(lo + BLOCK, n)
            blk = np.empty(hi - lo, x.dtype)
            for i in range(lo, hi):
                xi = x[i]
                x2 = xi * xi
                t = tanh(c * (xi + a * x2 * xi))
                blk[i - lo] = half * xi * (one + t)
                slope = half * xi * (one - t * t) * c * (one + three_a * x2)
                dx[i] = (half * (one + t) + slope) * inv_n
            part[k] = block_sum(blk, 0.0)
        return part.sum() / n

    @njit(parallel=True, error_model="numpy")
    def mse(a, b, da, db, scale):  # pragma: no cover - compiled
        n = a.shape[0]
        n_blk = (n + BLOCK - 1) // BLOCK
        part = np.empty(n_blk)
        for k in prange(n_blk):
            lo = k * BLOCK
            hi = min(lo + BLOCK, n)
            blk = np.empty(hi - lo, a.dtype)
            for i in range(lo, hi):
                d = a[i] - b[i]
                blk[i - lo] = d * d
                g = d * scale
                da[i] = g
                db[i] = -g
            part[k] = block_sum(blk, 0.0)
        return part.sum() / n

    return {"chain": chain, "gelu": gelu, "mse": mse}


_KERNELS: dict[np.dtype, dict[str, Callable]] = {}


def _kernel(name: str, dtype: np.dtype) -> Callable:
    if dtype not in _KERNELS:
        _KERNELS[dtype] = _kernels(dtype)
    return _KERNELS[dtype][name]


@njit(cache=True)
def _dispatch_kernel(x, y, iters, half, one):  # pragma: no cover - compiled
    n = x.shape[0]
    hs = np.empty((iters, n), x.dtype)
    ts = np.empty((iters, n), x.dtype)
    h = x.copy()
    for k in range(iters):
        for i in range(n):
            hs[k, i] = h[i]
            t = np.tanh(h[i] * y[i] + x[i])
            ts[k, i] = t
            h[i] = t * half
    loss = h.sum()
    gx = np.zeros_like(x)
    gy = np.zeros_like(y)
    gh = np.ones_like(x)
    for k in range(iters - 1, -1, -1):
        for i in range(n):
            gu = half * gh[i] * (one - ts[k, i] * ts[k, i])
            gx[i] += gu
            gy[i] += gu * hs[k, i]
            gh[i] = gu * y[i]
    gx += gh
    return loss, gx, gy


@njit(cache=True)
def _logistic_kernel(w, x, b, one):  # pragma: no cover - compiled
    out = one / (np.exp(-(w * x + b)) + one)
    s = out * (one - out)
    return out, s * x, s * w, s


def _const(dtype: np.dtype, value: float):
    return dtype.type(value)


def chain(inp: W.Inputs) -> Callable[[], Outputs]:
    x, y = inp["x"].ravel(), inp["y"].ravel()
    one, two = _const(x.dtype, 1), _const(x.dtype, 2)
    kernel = _kernel("chain", x.dtype)
    dx, dy = np.empty_like(x), np.empty_like(y)

    def run() -> Outputs:
        loss = kernel(x, y, dx, dy, one, two)
        return {"loss": loss, "d_x": dx, "d_y": dy}

    return run


def gelu(inp: W.Inputs) -> Callable[[], Outputs]:
    x = inp["x"].ravel()
    k = [_const(x.dtype, v) for v in (0.5, 1, W.GELU_C, W.GELU_A, 3 * W.GELU_A, 1 / x.size)]
    kernel = _kernel("gelu", x.dtype)
    dx = np.empty_like(x)

    def run() -> Outputs:
        loss = kernel(x, dx, *k)
        return {"loss": loss, "d_x": dx}

    return run


def mse(inp: W.Inputs) -> Callable[[], Outputs]:
    a, b = inp["a"].ravel(), inp["b"].ravel()
    scale = _const(a.dtype, 2 / a.size)
    kernel = _kernel("mse", a.dtype)
    da, db = np.empty_like(a), np.empty_like(b)

    def run() -> Outputs:
        loss = kernel(a, b, da, db, scale)
        return {"loss": loss, "d_a": da, "d_b": db}

    return run


def dispatch(inp: W.Inputs) -> Callable[[], Outputs]:
    x, y = inp["x"], inp["y"]
    half, one = _const(x.dtype, 0.5), _const(x.dtype, 1)

    def run() -> Outputs:
        loss, gx, gy = _dispatch_kernel(x, y, W.DISPATCH_ITERS, half, one)
        return {"loss": loss, "d_x": gx, "d_y": gy}

    return run


def logistic(inp: W.Inputs) -> Callable[[], Outputs]:
    w, x, b = (inp[k][()] for k in ("w", "x", "b"))  # numpy scalars of the input dtype
    one = _const(inp["w"].dtype, 1)

    def run() -> Outputs:
        out, dw, dx, db = _logistic_kernel(w, x, b, one)
        return {"loss": out, "d_w": dw, "d_x": dx, "d_b": db}

    return run


BUILDERS: dict[str, Callable[[W.Inputs], Callable[[], Outputs]]] = {
    "chain": chain,
    "gelu": gelu,
    "mse": mse,
    "dispatch": dispatch,
    "logistic": logistic,
}
