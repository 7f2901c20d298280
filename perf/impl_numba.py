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


def _blocked(element: Callable) -> Callable:
    """The one-pass kernel around ``element(i, ins, outs, k)``, which writes every gradient at
    element ``i`` and returns its loss term: blocks of :data:`BLOCK` elements in parallel, each
    block's terms summed in float64 by ``block_sum``, the blocks' sums added in order.

    ``ins`` and ``outs`` are tuples of 1-D arrays, ``k`` a tuple of constants of their dtype.
    ``element`` is compiled with ``inline="always"``, so the loop body is its straight-line
    code, as if written out here. The elements index their tuples (``ins[0][i]``): unpacking
    an argument tuple (``x, y = ins``) inside the inlined function gave wrong gradients under
    Numba 0.68 (caught by the harness's check against the float64 reference).
    """

    @njit(parallel=True, error_model="numpy")
    def kernel(ins, outs, k):  # pragma: no cover - compiled
        n = ins[0].shape[0]
        n_blk = (n + BLOCK - 1) // BLOCK
        part = np.empty(n_blk)
        for b in prange(n_blk):
            lo = b * BLOCK
            hi = min(lo + BLOCK, n)
            blk = np.empty(hi - lo, ins[0].dtype)
            for i in range(lo, hi):
                blk[i - lo] = element(i, ins, outs, k)
            part[b] = block_sum(blk, 0.0)
        return part.sum()

    return kernel


def _kernels(dtype: np.dtype) -> dict[str, Callable]:
    """The three hand-fused kernels for one dtype, compiled on first call.

    Built per dtype because the math functions are picked by dtype; closures over compiled
    functions cannot use Numba's disk cache, so these compile once per process (outside the
    timed region: the harness warms every implementation up first).
    """
    tanh, exp, sin, cos = _math(dtype)

    @njit(inline="always")
    def chain(i, ins, outs, k):  # pragma: no cover - compiled
        one, two = k[0], k[1]
        xi = ins[0][i]
        yi = ins[1][i]
        t = tanh(xi * yi + sin(xi))
        r = one / (one + yi * yi)
        er = exp(-xi * xi) * r
        ter = t * er
        dt = one - t * t
        outs[0][i] = dt * (yi + cos(xi)) * er - two * xi * ter
        outs[1][i] = er * (dt * xi - two * yi * t * r)
        return ter

    @njit(inline="always")
    def gelu(i, ins, outs, k):  # pragma: no cover - compiled
        half, one, c, a, three_a, inv_n = k[0], k[1], k[2], k[3], k[4], k[5]
        xi = ins[0][i]
        x2 = xi * xi
        t = tanh(c * (xi + a * x2 * xi))
        slope = half * xi * (one - t * t) * c * (one + three_a * x2)
        outs[0][i] = (half * (one + t) + slope) * inv_n
        return half * xi * (one + t)

    @njit(inline="always")
    def mse(i, ins, outs, k):  # pragma: no cover - compiled
        d = ins[0][i] - ins[1][i]
        g = d * k[0]
        outs[0][i] = g
        outs[1][i] = -g
        return d * d

    return {"chain": _blocked(chain), "gelu": _blocked(gelu), "mse": _blocked(mse)}


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
        loss = kernel((x, y), (dx, dy), (one, two))
        return {"loss": loss, "d_x": dx, "d_y": dy}

    return run


def gelu(inp: W.Inputs) -> Callable[[], Outputs]:
    x = inp["x"].ravel()
    k = [_const(x.dtype, v) for v in (0.5, 1, W.GELU_C, W.GELU_A, 3 * W.GELU_A, 1 / x.size)]
    kernel = _kernel("gelu", x.dtype)
    dx = np.empty_like(x)

    def run() -> Outputs:
        loss = kernel((x,), (dx,), tuple(k)) / x.size
        return {"loss": loss, "d_x": dx}

    return run


def mse(inp: W.Inputs) -> Callable[[], Outputs]:
    a, b = inp["a"].ravel(), inp["b"].ravel()
    scale = _const(a.dtype, 2 / a.size)
    kernel = _kernel("mse", a.dtype)
    da, db = np.empty_like(a), np.empty_like(b)

    def run() -> Outputs:
        loss = kernel((a, b), (da, db), (scale,)) / a.size
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
